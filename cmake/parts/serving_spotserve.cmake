# SpotServe-style reparallelization over multi-GPU spot instances (src/serve/sk_spotserve: profiles,
# trace segments, query traces, the optimizer, the simulation) and its scenario kind `spotserve`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/serve/sk_spotserve.c
                                   ${CMAKE_CURRENT_SOURCE_DIR}/src/sim/scn_spotserve.c)
