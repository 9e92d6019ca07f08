# Live controller (src/live/sk_live: the live world running a fleet policy against a provider -
# local or aws, src/live/sk_provider.h - with the journal and the HTTP API) and `synkti live`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_live.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_live.c)
