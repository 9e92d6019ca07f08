# The fleet world against the tick-exact multi-region world (tests/test_fleet_mr.c).
add_executable(test_fleet_mr test_fleet_mr.c)
target_compile_options(test_fleet_mr PRIVATE ${SK_CFLAGS})
target_link_libraries(test_fleet_mr PRIVATE synkti_core)
add_test(NAME fleet_mr COMMAND test_fleet_mr)
