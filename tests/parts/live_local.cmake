# Live mode, local provider (src/live/sk_local, sk_imds) and `synkti agent`: IMDSv2 token flow,
# interrupt + checkpoint + resume byte-identical to an uninterrupted run, process lifecycle
# (every child reaped), capacity errors. Runs the synkti binary; everything on 127.0.0.1.
add_executable(test_live_local test_live_local.c)
target_compile_options(test_live_local PRIVATE ${SK_CFLAGS})
target_link_libraries(test_live_local PRIVATE synkti_core)
add_dependencies(test_live_local synkti)
add_test(NAME live_local COMMAND test_live_local $<TARGET_FILE:synkti>)
set_tests_properties(live_local PROPERTIES TIMEOUT 300)
