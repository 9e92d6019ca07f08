# Checkpoint store of `synkti agent` (src/live/sk_ckstore) and the agent's robustness: ckstore runs
# offline (folder store, S3 requests against the test's scripted server, an IMDS that stops and
# comes back on the same port, a report collector that is down for a while); ckstore_moto against
# python3 -m moto.server (skipped, exit 77, without moto/boto3): S3 operations, an agent resumed from
# S3 after its scratch folder is deleted (byte-identical output), a wrong secret after auth is on.
add_executable(test_ckstore test_ckstore.c)
target_compile_options(test_ckstore PRIVATE ${SK_CFLAGS})
target_link_libraries(test_ckstore PRIVATE synkti_core)
add_dependencies(test_ckstore synkti)
add_test(NAME ckstore COMMAND test_ckstore $<TARGET_FILE:synkti>)
set_tests_properties(ckstore PROPERTIES TIMEOUT 300)
add_test(NAME ckstore_moto COMMAND test_ckstore $<TARGET_FILE:synkti> --moto)
set_tests_properties(ckstore_moto PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
  ENVIRONMENT "SK_TEST_SRC=${CMAKE_CURRENT_SOURCE_DIR}")
