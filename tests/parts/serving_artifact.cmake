# The SpotHedge artifact mode (src/serve/sk_shart, sk_mt19937): MT19937 / numpy / CPython draws,
# poll times, percentiles, Optimal vs brute force, and every example value of the spec's section 11.
add_executable(test_shart test_shart.c)
target_compile_options(test_shart PRIVATE ${SK_CFLAGS})
target_link_libraries(test_shart PRIVATE synkti_core)
add_test(NAME shart COMMAND test_shart)
