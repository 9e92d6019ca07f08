# The serving policies on scripted views, no world (tests/test_serve_policy.c).
add_executable(test_serve_policy test_serve_policy.c)
target_compile_options(test_serve_policy PRIVATE ${SK_CFLAGS})
target_link_libraries(test_serve_policy PRIVATE synkti_core)
add_test(NAME serve_policy COMMAND test_serve_policy)
