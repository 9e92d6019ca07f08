# The SpotHedge artifact compatibility mode (src/serve/sk_shart, its MT19937 src/serve/sk_mt19937),
# its scenario kind (src/sim/scn_shart) and `synkti bench spothedge`.
target_sources(synkti_core PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/sk_mt19937.c
  ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/sk_shart.c)
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/scn_shart.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_bench_shart.c)
