# The serving world (tests/test_serve.c): percentiles against a sort, a hand-computed two-replica
# run, every request ends once under preemptions, `synkti run -j 1` = `-j 2`.
add_executable(test_serve test_serve.c)
target_compile_options(test_serve PRIVATE ${SK_CFLAGS})
target_link_libraries(test_serve PRIVATE synkti_core)
add_test(NAME serve COMMAND test_serve $<TARGET_FILE:synkti>)
