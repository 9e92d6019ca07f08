# The live controller's journal (src/live/sk_journal): SQLite WAL write-ahead records and reconcile.
target_sources(synkti_core PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src/live/sk_journal.c)
