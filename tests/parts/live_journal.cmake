# The live journal: schema, transitions, intents, reconcile, SIGKILL crash trials (tests/test_journal.c).
add_executable(test_journal test_journal.c)
target_compile_options(test_journal PRIVATE ${SK_CFLAGS})
target_link_libraries(test_journal PRIVATE synkti_core SQLite::SQLite3)
add_test(NAME journal COMMAND test_journal)
