# Live mode, AWS EC2 provider behind the controller (src/live/sk_prov_aws: the sk_provider table
# over the sk_aws client; handle pool for parallel launches, cached DescribeInstances view).
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_prov_aws.c)
