# Batch job workloads and machine fleets (models/sk_workload).
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_workload.c)
