# Live mode, local provider (src/live/sk_local: instances are `synkti agent` processes) with an
# IMDSv2 emulator per instance (src/live/sk_imds, libmicrohttpd), and the `synkti agent` command.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_imds.c
                                   ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_local.c)
target_link_libraries(synkti_core PUBLIC PkgConfig::MHD)
target_sources(synkti_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/cmd_agent.c)
