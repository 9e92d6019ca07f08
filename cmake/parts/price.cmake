# Price and network models (models/sk_price, models/sk_net) and `synkti fit price`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_price.c ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_net.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_fit_price.c)
