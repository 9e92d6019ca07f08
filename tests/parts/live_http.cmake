# Live controller's HTTP server (src/live/sk_httpd) against a mock controller, and the CLI clients
# `synkti submit | status | cancel`; then the status page rendered by headless Chromium (Debian's
# `chromium`; skipped, exit 77, only when it is not installed) with its screenshot kept in
# this folder (status_page.png). Everything on 127.0.0.1; every server started is stopped.
add_executable(test_httpd test_httpd.c)
target_compile_options(test_httpd PRIVATE ${SK_CFLAGS})
target_link_libraries(test_httpd PRIVATE synkti_core)
add_dependencies(test_httpd synkti)
add_test(NAME httpd COMMAND test_httpd $<TARGET_FILE:synkti>)
set_tests_properties(httpd PROPERTIES TIMEOUT 120)
add_test(NAME status_page COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_status_page.sh $<TARGET_FILE:test_httpd>
         ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(status_page PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77)
