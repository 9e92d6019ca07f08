# Batch job workloads and machine fleets (models/sk_workload): the real job traces and PAI fleet
# (shared data, found on the trace search path), loader errors, synthetic stream statistics.
add_executable(test_workload test_workload.c)
target_compile_options(test_workload PRIVATE ${SK_CFLAGS})
target_link_libraries(test_workload PRIVATE synkti_core)
add_test(NAME workload COMMAND test_workload)
