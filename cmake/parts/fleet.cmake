# The fleet world (sim/sk_fleet), its scenario kind (sim/scn_fleet) and policies (policies/fleet_*).
target_sources(synkti_core PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/sk_fleet.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/scn_fleet.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_on_demand.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_cheapest_spot.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_skypilot.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_up.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/fleet_fifo.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_bench_fleet.c)
