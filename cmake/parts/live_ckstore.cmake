# Live mode, checkpoint store for `synkti agent` (src/live/sk_ckstore): a folder, or S3 through
# libcurl's SigV4 with ListObjectsV2 parsed by libxml2 (the same libraries as live_aws.cmake).
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_ckstore.c)
