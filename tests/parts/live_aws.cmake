# AWS EC2 provider client (src/live/sk_aws): offline against the test's own scripted HTTP server
# (retries, capacity, HTML 500, garbled bodies, spot interruption, pagination, form encoding,
# credentials) and libcurl SigV4 vs the AWS suite vectors; aws_moto against python3 -m moto.server
# (skipped, exit 77, without moto/boto3).
add_executable(test_aws test_aws.c)
target_compile_options(test_aws PRIVATE ${SK_CFLAGS})
target_link_libraries(test_aws PRIVATE synkti_core)
add_test(NAME aws COMMAND test_aws)
set_tests_properties(aws PROPERTIES ENVIRONMENT
  "SK_SIGV4_SUITE=${CMAKE_SOURCE_DIR}/../shared/specs/aws-sigv4-suite/aws4_testsuite-botocore")
add_test(NAME aws_moto COMMAND test_aws --moto)
set_tests_properties(aws_moto PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "SK_TEST_SRC=${CMAKE_CURRENT_SOURCE_DIR}")
