# The fleet world and its policies on hand-worked fleets (tests/test_fleet.c).
add_executable(test_fleet test_fleet.c)
target_compile_options(test_fleet PRIVATE ${SK_CFLAGS})
target_link_libraries(test_fleet PRIVATE synkti_core)
add_test(NAME fleet COMMAND test_fleet)
add_test(NAME fleet_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test_fleet_cli.sh $<TARGET_FILE:synkti>)
