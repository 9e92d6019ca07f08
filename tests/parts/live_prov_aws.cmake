# AWS provider behind the controller (src/live/sk_prov_aws) against python3 -m moto.server with
# the project's moto_harness.py proxy (spot reclaims, injected capacity/throttle/HTML errors);
# user-data rendering offline. Exit 77 (skipped) without moto/boto3.
add_executable(test_prov_aws test_prov_aws.c)
target_compile_options(test_prov_aws PRIVATE ${SK_CFLAGS})
target_link_libraries(test_prov_aws PRIVATE synkti_core)
add_test(NAME prov_aws COMMAND test_prov_aws)
set_tests_properties(prov_aws PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "SK_TEST_SRC=${CMAKE_CURRENT_SOURCE_DIR}")
