# Instance catalog (models/sk_catalog): the shipped AWS and GCP catalogs (exact rows and counts, the
# GCP host + GPU join and a2/a3/a4/g2 GPU mapping, the GPU memory join), user CSVs, loader errors
# naming file:line and column; `synkti catalog` filters, sort, formats and exit codes.
add_executable(test_catalog test_catalog.c)
target_compile_options(test_catalog PRIVATE ${SK_CFLAGS})
target_link_libraries(test_catalog PRIVATE synkti_core)
add_test(NAME catalog COMMAND test_catalog)
add_test(NAME catalog_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_catalog_cli.sh $<TARGET_FILE:synkti>
         ${CMAKE_SOURCE_DIR}/../shared/traces)
