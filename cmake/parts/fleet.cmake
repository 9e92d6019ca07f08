# The fleet world (sim/sk_fleet), its scenario kind and policies.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/sk_fleet.c)
