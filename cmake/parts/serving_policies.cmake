# The serving world's replica-placement policies (policies/serve_*.c; contract src/serve/sk_serve_policy.h).
target_sources(synkti_core PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_policies.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_on_demand.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_spread.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_spothedge.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_asg.c
  ${CMAKE_CURRENT_SOURCE_DIR}/policies/serve_optimal.c)
