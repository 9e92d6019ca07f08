/* sk_results.h - results files: an in-memory column table and its HDF5 write, read and merge.
 *
 * File layout (schema_version 1), readable by h5py, pandas and xarray:
 *   /                  attributes schema_version (int32), tool_version, git_sha, command_line,
 *                      config_yaml, config_sha256 (UTF-8 strings), master_seed (uint64)
 *   /summary           group, one 1-D dataset per column, all of length = row count; attribute
 *                      `columns` (1-D string array) gives the column order
 *   /runs/<run_id>/    optional per-run time series, laid out like /summary, deflated (level 4),
 *                      unlimited max size
 * Column datasets are int64, uint64, double (little-endian IEEE) or fixed-length strings
 * (H5T_STR_NULLTERM, length = longest value + 1), chunked (min(rows, 4096) rows, at least 1) with
 * the Fletcher32 checksum filter. Files are written in the HDF5 1.10 format, whose superblock,
 * object headers and chunk indexes carry checksums too, and string attributes are fixed-length (in
 * the checksummed object header, not the global heap): damage anywhere is refused with SK_EDATA
 * rather than read. Files written before (variable-length attributes, contiguous summary, no
 * checksums) are read as before.
 *
 * Writes are atomic (io/sk_atomic.h): the file is built as `<path>.tmp.<pid>.XXXXXX` in the same folder,
 * closed, fsync'd, renamed over `path` (over the file it names when it is a symbolic link), and the
 * folder is fsync'd. On any failure the temporary file is removed and `path` is untouched. Files
 * are opened with HDF5 file locking off, so file systems that reject locks (Lustre, some NFS) work.
 *
 * Errors are the negative SK_E* codes from sk_error.h. Every function that touches a file takes a
 * caller-supplied `errbuf` of `errlen` bytes (either may be NULL/0) and writes one line into it on
 * failure, naming the file and what failed; HDF5's own error printing is off inside these calls.
 * None of these functions is thread-safe (serial HDF5 is not). */
#ifndef SK_RESULTS_H
#define SK_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_table.h"
#include "sk_error.h"

#define SK_RESULTS_SCHEMA_VERSION 1

/* ------------------------------------------------------------------------------------------------
 * In-memory column table
 * ----------------------------------------------------------------------------------------------*/

/* The types (sk_table_type, sk_table_col, sk_table) are in core/sk_table.h. */

/* Empty table; can't fail. Every initialised table must be given to sk_table_fini(). */
void sk_table_init(sk_table *t);
/* Free every column and value; the table is left empty and may be reused. NULL-safe. */
void sk_table_fini(sk_table *t);
/* Add an empty column. Returns its index (>= 0); SK_EDATA if the name is empty, ".", contains '/'
 * or is already used; SK_ENOMEM. The name is copied. Table unchanged on error. */
int sk_table_add_col(sk_table *t, const char *name, sk_table_type type);
/* Index of the column called `name`, or SK_ENOENT. */
int sk_table_find(const sk_table *t, const char *name);
/* Append one value to column `col`. Returns 0; SK_EDATA if `col` is out of range or has another
 * type; SK_ENOMEM (column unchanged). push_str copies `s`; NULL is stored as "". */
int sk_table_push_i64(sk_table *t, size_t col, int64_t v);
int sk_table_push_u64(sk_table *t, size_t col, uint64_t v);
int sk_table_push_f64(sk_table *t, size_t col, double v);
int sk_table_push_str(sk_table *t, size_t col, const char *s);
/* Row count: the common length of all columns (0 for a table with no columns), or SK_EDATA if
 * columns have different lengths. */
int64_t sk_table_nrows(const sk_table *t);

/* ------------------------------------------------------------------------------------------------
 * Results files
 * ----------------------------------------------------------------------------------------------*/

/* Root metadata. For writing, NULL strings are stored as "" and schema_version is ignored (the
 * writer always stores SK_RESULTS_SCHEMA_VERSION). Filled by sk_results_read(), every string is
 * owned by the struct (never NULL) and freed by sk_results_meta_fini(). */
typedef struct {
    int schema_version;
    char *tool_version;
    char *git_sha;       /* with "-dirty" when the tree had changes */
    char *command_line;
    char *config_yaml;   /* resolved configuration text */
    char *config_sha256; /* lowercase hex */
    uint64_t master_seed;
} sk_results_meta;

/* Free the strings of a meta filled by sk_results_read() and zero it. NULL-safe. Do not call it on
 * a meta whose strings the caller owns. */
void sk_results_meta_fini(sk_results_meta *m);

/* One per-run time series for /runs/<run_id>/. run_id follows the column name rules. */
typedef struct {
    const char *run_id;
    const sk_table *series;
} sk_results_series;

/* Write meta and summary to `path` atomically (see top). Returns 0; SK_EDATA (nothing created) if
 * a table has columns of unequal lengths or a name is invalid; SK_ECANTCREAT if the temporary file
 * can't be created (e.g. the folder does not exist); SK_EIO if writing, fsync or rename fails;
 * SK_ENOMEM. On error `path` is untouched and no temporary file is left. Borrows its arguments. */
int sk_results_write(const char *path, const sk_results_meta *meta, const sk_table *summary,
                     char *errbuf, size_t errlen);
/* Same, plus `nseries` time series under /runs (run_ids must be distinct: SK_EDATA otherwise). */
int sk_results_write_runs(const char *path, const sk_results_meta *meta, const sk_table *summary,
                          const sk_results_series *series, size_t nseries, char *errbuf,
                          size_t errlen);

/* Read a results file. `meta_out` and `summary_out` (either may be NULL) are overwritten (not
 * finalised first): on success the caller owns them and frees them with sk_results_meta_fini() /
 * sk_table_fini(); on error they are left empty (zeroed / initialised) and need no cleanup.
 * Columns come back in the stored order with the stored types. Returns 0; SK_ENOINPUT if the file
 * is missing or unreadable; SK_EDATA if it is not HDF5, lacks the layout above or has another
 * schema_version, or is damaged (a checksum does not match, sizes beyond what the file can hold);
 * SK_ENOMEM. */
int sk_results_read(const char *path, sk_results_meta *meta_out, sk_table *summary_out,
                    char *errbuf, size_t errlen);
/* Read /runs/<run_id> into `out` (same ownership rules). SK_ENOENT if the file has no such run;
 * otherwise the errors of sk_results_read(). */
int sk_results_read_series(const char *path, const char *run_id, sk_table *out, char *errbuf,
                           size_t errlen);

/* Reading /summary in row blocks, so that a file of any size is read in bounded memory (synkti
 * export). A reader holds the file open; one reader is used by one thread at a time. */
typedef struct sk_results_reader sk_results_reader;
/* Open `path`, read the root metadata and check /summary (names, types, equal lengths) without
 * reading its values. 0 and *out set; the errors of sk_results_read() (*out NULL). */
int sk_results_reader_open(sk_results_reader **out, const char *path, char *errbuf, size_t errlen);
/* The root metadata (owned by the reader) and the row count of /summary. */
const sk_results_meta *sk_results_reader_meta(const sk_results_reader *r);
int64_t sk_results_reader_rows(const sk_results_reader *r);
/* Rows [first, first + count) of /summary (count cut at the last row) into `out`, overwritten (not
 * finalised first) with every column in stored order. 0 (caller frees out with sk_table_fini);
 * SK_EUSAGE if first is negative or beyond the rows; SK_EDATA (a checksum fails: damaged);
 * SK_ENOMEM. On error out is left empty. */
int sk_results_reader_read(sk_results_reader *r, int64_t first, size_t count, sk_table *out,
                           char *errbuf, size_t errlen);
/* Close the file and free r. NULL-safe. */
void sk_results_reader_close(sk_results_reader *r);
/* One block without keeping a reader: open, read, close. */
int sk_results_read_rows(const char *path, int64_t first, size_t count, sk_table *out,
                         char *errbuf, size_t errlen);

/* Merge shard files: /summary rows are concatenated in the order of `inputs` (values kept as they
 * are, nothing renumbered), /runs/<id> groups are copied, and the result is written atomically to
 * `out` with the root metadata of inputs[0]. When the summary has an int64 column named "run", the
 * rows are then sorted by it, ascending, so that shards merged in any order give the /summary of an
 * unsharded run bit for bit (e.g. `--shard 0/2` with runs 0,2,4.. and `--shard 1/2` with 1,3,5..);
 * without such a column the concatenation order stays. Refused with SK_EDATA (naming the file,
 * `out` not created or touched) if config_sha256 or the set of summary columns and their types
 * differ from inputs[0], if a "run" value occurs twice (naming both files, or the one file twice),
 * or if two inputs hold the same /runs id. Column order is that of inputs[0]. Returns 0; SK_EUSAGE
 * if n == 0; otherwise the errors of sk_results_read() and sk_results_write(). */
int sk_results_merge(const char *const *inputs, size_t n, const char *out, char *errbuf,
                     size_t errlen);

#endif
