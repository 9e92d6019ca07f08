# Availability models (models/sk_avail) and `synkti fit availability`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_avail.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_fit.c ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_fit_avail.c)
