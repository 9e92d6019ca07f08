# SIGKILL trials of the live controller (`synkti live`, local provider): 24 seeded kills at delays
# and journal states, restarts with the same journal, and an exact account of instances, requests,
# agent PIDs and jobs (tests/test_live_kill.c). Runs the synkti binary; everything on 127.0.0.1.
add_executable(test_live_kill test_live_kill.c)
target_compile_options(test_live_kill PRIVATE ${SK_CFLAGS})
target_link_libraries(test_live_kill PRIVATE synkti_core SQLite::SQLite3)
add_dependencies(test_live_kill synkti)
add_test(NAME live_kill COMMAND test_live_kill $<TARGET_FILE:synkti> baseline trials exactly_once)
set_tests_properties(live_kill PROPERTIES TIMEOUT 600)
