/* sk_results_stream.h - write a results file (the layout of io/sk_results.h, schema_version 1)
 * row by row, in chunks, so that a sweep of a million runs never holds its /summary table in
 * memory: the column datasets are created extendible (unlimited maximum size, chunked, Fletcher32
 * as sk_results_write makes them) and grown as rows are appended.
 *
 * A file written this way is read by sk_results_read like any other, and holds the same values
 * bit for bit as sk_results_write would for the same rows (the merge, export and resume paths do
 * not know which wrote it). String columns are fixed-length like sk_results_write's, but their
 * width must be known when the column is created: the caller gives the widest value it will
 * append per string column (a longer value is an error, SK_EDATA, naming the column) - the runner
 * knows them from the plan (policy names, parameter values; status messages are cut to a width it
 * chooses and documents).
 *
 * Atomicity as sk_results_write: the rows go to `<path>.tmp.<pid>.XXXXXX`; sk_results_stream_commit
 * closes, fsyncs and renames it over `path`, so `path` only ever holds a complete file. A run that
 * is killed leaves `path` as the last commit (or absent) and a temporary file that
 * sk_results_stream_open removes when it finds one of a dead process (the name carries the PID).
 * To make progress durable before the end, commit and open again with `append_from` = the
 * committed file: the new temporary file starts as a copy of it (its rows kept, appends continue).
 *
 * Errors: SK_E* codes with one line in err naming the file. Not thread-safe (serial HDF5). */
#ifndef SK_RESULTS_STREAM_H
#define SK_RESULTS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "io/sk_results.h"

typedef struct sk_results_stream sk_results_stream;

typedef struct sk_results_stream_cfg {
    const char *path;               /* the results file to produce */
    const sk_results_meta *meta;    /* root attributes */
    const sk_table *columns;        /* names and types of the /summary columns (rows ignored) */
    const size_t *str_width;        /* per column: widest string value in bytes (string columns) */
    size_t chunk_rows;              /* rows per chunk and per buffered write (0: 4096) */
    const char *append_from;        /* NULL, or a committed file of the same columns to continue */
} sk_results_stream_cfg;

/* Create the temporary file with the metadata and empty (or copied) columns. 0; SK_ECANTCREAT;
 * SK_EIO; SK_EDATA (bad column names or widths; append_from of other columns); SK_ENOMEM. */
int sk_results_stream_open(sk_results_stream **out, const sk_results_stream_cfg *cfg, char *err, size_t errlen);
/* Append the rows of t (the same columns in the same order, any row count >= 0). Rows are
 * buffered and written a chunk at a time. 0 or SK_EDATA / SK_EIO / SK_ENOMEM. */
int sk_results_stream_append(sk_results_stream *s, const sk_table *t, char *err, size_t errlen);
/* Rows appended so far (buffered ones included). */
int64_t sk_results_stream_rows(const sk_results_stream *s);
/* Optional per-run series (/runs/<run_id>, as sk_results_write_runs writes them). */
int sk_results_stream_series(sk_results_stream *s, const char *run_id, const sk_table *series, char *err,
                             size_t errlen);
/* Write the buffered rows, close, fsync, rename over path, fsync the folder; frees s. On error
 * the temporary file is removed and path is untouched. */
int sk_results_stream_commit(sk_results_stream *s, char *err, size_t errlen);
/* Drop everything: close and remove the temporary file; path untouched. NULL is fine. */
void sk_results_stream_abort(sk_results_stream *s);
/* Remove the temporary files `<path>.tmp.<pid>` and `<path>.tmp.<pid>.<suffix>` (beside the link
 * target when path is a symbolic link) of processes that no longer exist; returns how many were
 * removed. sk_results_stream_open calls it. The pid test is local to this host: on a folder shared
 * between nodes, give each writer its own output file. Can't fail (what it can't remove stays). */
int sk_results_stream_clean(const char *path);

#endif
