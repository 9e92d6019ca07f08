# Live mode, AWS EC2 provider client (src/live/sk_aws): Query API over libcurl SigV4, libxml2.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_aws.c)
