/* sk_results_int.h - internals of the results files shared by sk_results.c (whole tables) and
 * sk_results_stream.c (row by row): HDF5 quieting, property lists, the layout's writers and
 * readers. Not a public interface: only io/sk_results*.c include it. The layout and the error
 * rules are those of io/sk_results.h. */
#ifndef SK_RESULTS_INT_H
#define SK_RESULTS_INT_H

#include <hdf5.h>

#include "io/sk_results.h"

/* HDF5 prints its error stack to stderr by default; we report through errbuf instead. The
 * caller's setting is restored on the way out. `bad_sum` records whether a failed read came from a
 * checksum that does not match (Fletcher32 on data, the metadata checksums), so that the message
 * can say the file is damaged: sk_results__sum() looks at HDF5's error stack right after the
 * failed call (the next call clears it). Not through an H5Eset_auto2 handler: with one installed,
 * HDF5 1.10 fails to close its library at exit after such errors. */
typedef struct {
    H5E_auto2_t fn;
    void *data;
    int bad_sum;
} sk_results__quiet;

/* Turn HDF5's error printing off (saving the caller's setting in q). */
void sk_results__quiet_on(sk_results__quiet *q);
/* End a quiet section that ends with rc: returns rc, or SK_EDATA (errbuf extended with "the file
 * is damaged") when a failed call reported a checksum mismatch. */
int sk_results__quiet_off(const sk_results__quiet *q, int rc, char *errbuf, size_t errlen);
/* Note in *bad whether the HDF5 call that just failed reported a checksum mismatch. */
void sk_results__sum(int *bad);

/* Valid as a column name or run id: non-empty, not ".", no '/'. */
int sk_results__name_ok(const char *name);
/* "int64", "uint64", "double", "string". */
const char *sk_results__type_name(sk_table_type t);
/* File access list: locking off; for writing also the 1.10 format and strict close. -1 on failure. */
hid_t sk_results__fapl(int for_write);
/* A NUL-terminated string type: variable-length (len 0) or fixed of len bytes. -1 on failure. */
hid_t sk_results__str_type(size_t len, H5T_cset_t cset);

/* The root attributes of m (NULL: all empty). 0 or SK_EIO naming the attribute. */
int sk_results__write_meta(hid_t file, const sk_results_meta *m, const char *path, char *errbuf,
                           size_t errlen);
/* Attribute `columns` on g: t's column names in order. 0, -1 or SK_ENOMEM. */
int sk_results__write_colnames(hid_t g, const sk_table *t);
/* Group gname under loc holding t (consistent) as sk_results_write lays it out; `series`: deflated,
 * as /runs/<id>. 0 or SK_EIO / SK_ENOMEM with errbuf naming `where`. */
int sk_results__write_table(hid_t loc, const char *gname, const char *where, const sk_table *t,
                            int series, const char *path, char *errbuf, size_t errlen);
/* SK_EDATA naming an invalid column name or the first short column of t; SK_EUSAGE for no t. */
int sk_results__check_table(const sk_table *t, const char *where, const char *path, char *errbuf,
                            size_t errlen);
/* Open path read-only: 0, SK_ENOINPUT (missing, not a regular file) or SK_EDATA (not HDF5). */
int sk_results__open_read(const char *path, hid_t *file, int *sum, char *errbuf, size_t errlen);
/* Whether count values of esize bytes, stored at up to ratio to one, fit in obj's file. */
int sk_results__fits(hid_t obj, hsize_t count, hsize_t esize, hsize_t ratio);
/* Read and check the root attributes into m (zeroed first; caller frees it either way). */
int sk_results__read_meta(hid_t file, const char *path, sk_results_meta *m, int *sum, char *errbuf,
                          size_t errlen);
/* Copy every /runs/<id> of `in` into file's /runs (*out_runs: created on first use, caller closes
 * it). SK_EDATA on an id already there. */
int sk_results__copy_runs(hid_t in, const char *inpath, hid_t file, hid_t *out_runs,
                          const char *path, int *sum, char *errbuf, size_t errlen);

#endif
