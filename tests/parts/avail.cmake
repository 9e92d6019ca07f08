# Availability models (models/sk_avail): loaders on the shared traces, conventions, replay, Markov
# fit coverage, hazard rates, Spot Advisor buckets, determinism.
add_executable(test_avail test_avail.c)
target_compile_options(test_avail PRIVATE ${SK_CFLAGS})
target_link_libraries(test_avail PRIVATE synkti_core)
add_test(NAME avail COMMAND test_avail)
