# Live controller (`synkti live`, src/live/sk_live) with the local provider: run-file errors, dry
# run, a scripted interruption resumed byte-identically, SIGKILL of the controller and restart with
# the same journal (exactly once, no leaked agents). Runs the synkti binary; everything on 127.0.0.1.
add_executable(test_live_ctl test_live_ctl.c)
target_compile_options(test_live_ctl PRIVATE ${SK_CFLAGS})
target_link_libraries(test_live_ctl PRIVATE synkti_core SQLite::SQLite3)
add_dependencies(test_live_ctl synkti)
add_test(NAME live_ctl COMMAND test_live_ctl $<TARGET_FILE:synkti>)
set_tests_properties(live_ctl PROPERTIES TIMEOUT 300)
