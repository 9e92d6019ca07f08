# Streaming results writer (io/sk_results_stream.c): /summary written row by row in chunks,
# committed atomically; the block reader it and `synkti export` use is in io/sk_results.c.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/io/sk_results_stream.c)
