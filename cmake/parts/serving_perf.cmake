# Replica performance model for LLM serving (models/sk_llmperf) and `synkti serve-perf`.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/models/sk_llmperf.c)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_serve_perf.c)
