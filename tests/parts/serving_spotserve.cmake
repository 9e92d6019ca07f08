# SpotServe-style serving (src/serve/sk_spotserve): the optimizer on hand-checked cases, KV
# migration keeps decoding progress, restart loses it, every request ends once, determinism.
add_executable(test_spotserve test_spotserve.c)
target_compile_options(test_spotserve PRIVATE ${SK_CFLAGS})
target_link_libraries(test_spotserve PRIVATE synkti_core)
add_test(NAME spotserve COMMAND test_spotserve)
