# The event-driven serving world (src/serve/sk_serve, workloads in sk_serve_wl), its scenario kind
# `serving` (src/sim/scn_serving) and `synkti bench serving`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/sk_serve.c
                                   ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/sk_serve_wl.c
                                   ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/scn_serving.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_bench_serving.c)
