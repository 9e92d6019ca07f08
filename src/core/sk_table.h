/* sk_table.h - the in-memory column table: the shape of a run's metrics, series and /summary.
 *
 * Types only, so the contract (core/sk_scenario.h) can name a metric's column type and hand a run
 * an empty series table without depending on the results files. The functions that fill, read and
 * write tables (sk_table_init, sk_table_push_*, sk_results_write, ...) are in io/sk_results.h. */
#ifndef SK_TABLE_H
#define SK_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SK_TABLE_I64, SK_TABLE_U64, SK_TABLE_F64, SK_TABLE_STR } sk_table_type;

/* One column: `n` values of one type. Strings are owned, NUL-terminated, never NULL. */
typedef struct {
    char *name;
    sk_table_type type;
    size_t n, cap;
    union {
        int64_t *i64;
        uint64_t *u64;
        double *f64;
        char **str;
        void *any;
    } v;
} sk_table_col;

/* A table is a list of named columns, filled by appending to each column. It is consistent (has a
 * row count) when every column holds the same number of values; writers check that. Callers may
 * read cols[i].v directly; change it only through the functions in io/sk_results.h. */
typedef struct {
    sk_table_col *cols;
    size_t ncols, cap;
} sk_table;

#endif
