# Instance catalog (models/sk_catalog) and `synkti catalog`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_catalog.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_catalog.c)
