# Live controller's HTTP server (src/live/sk_httpd: job API, agent reports, status page, on
# libmicrohttpd) and its clients `synkti submit | status | cancel` (libcurl). PkgConfig::MHD is
# found by live_local.cmake (included after this part; imported targets resolve at generate time).
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_httpd.c)
target_link_libraries(synkti_core PUBLIC PkgConfig::MHD)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_submit.c)
