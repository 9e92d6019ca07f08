# Replica performance model (models/sk_llmperf): exact profile medians, interpolation and
# extrapolation, monotonicity, tensor parallelism, fit and KV capacity by hand, GPU scaling,
# loader errors naming file:line:column, the validation bounds against llm-inference-benchmarks/.
add_executable(test_llmperf test_llmperf.c)
target_compile_options(test_llmperf PRIVATE ${SK_CFLAGS})
target_link_libraries(test_llmperf PRIVATE synkti_core)
add_test(NAME llmperf COMMAND test_llmperf)
