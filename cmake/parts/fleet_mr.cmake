# The multi-region Uniform Progress family run per job in the fleet world (policies/fleet_mr_adapter.c).
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_mr_adapter.c)
