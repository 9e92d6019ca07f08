# `synkti live` with provider aws against moto + the harness (tests/test_moto.h): a capacity error
# moves the launch to the next zone, a spot reclaim relaunches and resumes, SIGKILL + restart adopts
# the running instance. The test plays the agents over the controller's HTTP API. Skips (77)
# without moto/boto3.
add_executable(test_live_aws test_live_aws.c)
target_compile_options(test_live_aws PRIVATE ${SK_CFLAGS})
target_link_libraries(test_live_aws PRIVATE synkti_core SQLite::SQLite3)
add_dependencies(test_live_aws synkti)
add_test(NAME live_aws COMMAND test_live_aws $<TARGET_FILE:synkti>)
set_tests_properties(live_aws PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "SK_TEST_SRC=${CMAKE_CURRENT_SOURCE_DIR}")
