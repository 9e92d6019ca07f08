/* sk_results.c - column tables and atomic HDF5 results files: write, read, merge. */
#include "io/sk_results.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/sk_atomic.h"
#include "io/sk_csv.h" /* sk_errf */
#include "io/sk_results_int.h"

#define SK_RESULTS__CHUNK 4096 /* rows per chunk of a column dataset */
#define SK_RESULTS__DEFLATE 4  /* deflate level of /runs datasets */

/* ================================================================================================
 * Column table
 * ==============================================================================================*/

void sk_table_init(sk_table *t) { memset(t, 0, sizeof *t); }

static void sk_table__col_free(sk_table_col *c) {
    if (c->type == SK_TABLE_STR && c->v.str)
        for (size_t i = 0; i < c->n; i++) free(c->v.str[i]);
    free(c->v.any);
    free(c->name);
    memset(c, 0, sizeof *c);
}

void sk_table_fini(sk_table *t) {
    if (!t) return;
    for (size_t i = 0; i < t->ncols; i++) sk_table__col_free(&t->cols[i]);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

/* Valid as an HDF5 link name of ours: non-empty, not ".", no '/'. */
int sk_results__name_ok(const char *name) {
    return name && name[0] && strcmp(name, ".") != 0 && !strchr(name, '/');
}

static size_t sk_table__esize(sk_table_type type) {
    return type == SK_TABLE_STR ? sizeof(char *) : 8;
}

/* Room for `need` values in column c. 0 or SK_ENOMEM (column unchanged). */
static int sk_table__reserve(sk_table_col *c, size_t need) {
    if (need <= c->cap) return 0;
    size_t ncap = c->cap ? c->cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 16) return SK_ENOMEM;
        ncap *= 2;
    }
    void *p = realloc(c->v.any, ncap * sk_table__esize(c->type));
    if (!p) return SK_ENOMEM;
    c->v.any = p;
    c->cap = ncap;
    return 0;
}

int sk_table_find(const sk_table *t, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name)) return (int)i;
    return SK_ENOENT;
}

int sk_table_add_col(sk_table *t, const char *name, sk_table_type type) {
    if (!sk_results__name_ok(name) || sk_table_find(t, name) >= 0) return SK_EDATA;
    if (type != SK_TABLE_I64 && type != SK_TABLE_U64 && type != SK_TABLE_F64 && type != SK_TABLE_STR)
        return SK_EDATA;
    if (t->ncols >= (size_t)INT_MAX) return SK_EDATA;
    if (t->ncols == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 8;
        sk_table_col *nc = realloc(t->cols, ncap * sizeof *nc);
        if (!nc) return SK_ENOMEM;
        t->cols = nc;
        t->cap = ncap;
    }
    char *nm = strdup(name);
    if (!nm) return SK_ENOMEM;
    sk_table_col *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = nm;
    c->type = type;
    return (int)t->ncols++;
}

/* Add a column of n zeroed values (NULL strings, which the caller must fill). Sets *out. */
static int sk_table__add_col_n(sk_table *t, const char *name, sk_table_type type, size_t n,
                               sk_table_col **out) {
    int idx = sk_table_add_col(t, name, type);
    if (idx < 0) return idx;
    sk_table_col *c = &t->cols[idx];
    if (n) {
        c->v.any = calloc(n, sk_table__esize(type));
        if (!c->v.any) {
            sk_table__col_free(c);
            t->ncols--;
            return SK_ENOMEM;
        }
        c->n = c->cap = n;
    }
    *out = c;
    return 0;
}

static sk_table_col *sk_table__col(sk_table *t, size_t col, sk_table_type type) {
    return col < t->ncols && t->cols[col].type == type ? &t->cols[col] : NULL;
}

int sk_table_push_i64(sk_table *t, size_t col, int64_t v) {
    sk_table_col *c = sk_table__col(t, col, SK_TABLE_I64);
    if (!c) return SK_EDATA;
    if (sk_table__reserve(c, c->n + 1)) return SK_ENOMEM;
    c->v.i64[c->n++] = v;
    return 0;
}

int sk_table_push_u64(sk_table *t, size_t col, uint64_t v) {
    sk_table_col *c = sk_table__col(t, col, SK_TABLE_U64);
    if (!c) return SK_EDATA;
    if (sk_table__reserve(c, c->n + 1)) return SK_ENOMEM;
    c->v.u64[c->n++] = v;
    return 0;
}

int sk_table_push_f64(sk_table *t, size_t col, double v) {
    sk_table_col *c = sk_table__col(t, col, SK_TABLE_F64);
    if (!c) return SK_EDATA;
    if (sk_table__reserve(c, c->n + 1)) return SK_ENOMEM;
    c->v.f64[c->n++] = v;
    return 0;
}

int sk_table_push_str(sk_table *t, size_t col, const char *s) {
    sk_table_col *c = sk_table__col(t, col, SK_TABLE_STR);
    if (!c) return SK_EDATA;
    if (sk_table__reserve(c, c->n + 1)) return SK_ENOMEM;
    char *d = strdup(s ? s : "");
    if (!d) return SK_ENOMEM;
    c->v.str[c->n++] = d;
    return 0;
}

int64_t sk_table_nrows(const sk_table *t) {
    if (!t->ncols) return 0;
    for (size_t i = 1; i < t->ncols; i++)
        if (t->cols[i].n != t->cols[0].n) return SK_EDATA;
    return (int64_t)t->cols[0].n;
}

/* ================================================================================================
 * Shared helpers: HDF5 error printing, property lists, types
 * ==============================================================================================*/

/* HDF5 error printing: see sk_results__quiet in io/sk_results_int.h. */
static herr_t sk_results__walk_sum(unsigned n, const H5E_error2_t *e, void *bad) {
    if (e->desc && strstr(e->desc, "checksum")) *(int *)bad = 1;
    return 0;
}

/* Note in *bad whether the HDF5 call that just failed reported a checksum mismatch. */
void sk_results__sum(int *bad) {
    if (!*bad) H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, sk_results__walk_sum, bad);
}

void sk_results__quiet_on(sk_results__quiet *q) {
    q->fn = NULL;
    q->data = NULL;
    q->bad_sum = 0;
    H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* End of a quiet section that ends with `rc`: returns rc, SK_EDATA with errbuf's message
 * extended ("the file is damaged") when a failed call reported a checksum mismatch. The caller's
 * HDF5 error printing is restored, except after bad data: HDF5 1.10 can't always release a
 * damaged file and, at exit, would print that it can't close the library. */
int sk_results__quiet_off(const sk_results__quiet *q, int rc, char *errbuf, size_t errlen) {
    if (q->bad_sum && rc < 0) {
        rc = SK_EDATA;
        if (errbuf && errlen) {
            size_t len = strlen(errbuf);
            snprintf(errbuf + len, errlen - len, " (a checksum does not match: the file is damaged)");
        }
    }
    if (rc != SK_EDATA) H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
    return rc;
}

/* File access list with locking off (HPC file systems that reject locks). -1 on failure. */
hid_t sk_results__fapl(int for_write) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return -1;
    if (H5Pset_file_locking(fapl, 0, 1) < 0) goto fail;
    /* H5Fclose fails, rather than silently deferring the close, if an object is left open: the
     * fsync that follows must see a complete file. */
    if (for_write && H5Pset_fclose_degree(fapl, H5F_CLOSE_SEMI) < 0) goto fail;
    /* The 1.10 file format: the superblock, object headers (and the attributes in them) and the
     * chunk indexes carry checksums, so damaged metadata is refused instead of parsed. Readers
     * need HDF5 1.10 or later (h5py and netCDF4 wheels ship newer). */
    if (for_write && H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_V110) < 0) goto fail;
    return fapl;
fail:
    H5Pclose(fapl);
    return -1;
}

/* A string type: variable-length (len 0) or fixed of len bytes, NUL-terminated, in `cset`. */
hid_t sk_results__str_type(size_t len, H5T_cset_t cset) {
    hid_t ty = H5Tcopy(H5T_C_S1);
    if (ty < 0) return -1;
    if (H5Tset_size(ty, len ? len : H5T_VARIABLE) < 0 || H5Tset_strpad(ty, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(ty, cset) < 0) {
        H5Tclose(ty);
        return -1;
    }
    return ty;
}

/* ================================================================================================
 * Writing
 * ==============================================================================================*/

/* Scalar attribute `name` of file type ftype from *val in memory type mtype. 0 or -1. */
static int sk_results__attr_put(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                                const void *val) {
    int rc = -1;
    hid_t sp = H5Screate(H5S_SCALAR);
    if (sp < 0) goto fail_space;
    hid_t a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) goto fail_attr;
    if (H5Awrite(a, mtype, val) >= 0) rc = 0;
    if (H5Aclose(a) < 0) rc = -1;
fail_attr:
    H5Sclose(sp);
fail_space:
    return rc;
}

/* Scalar fixed-length UTF-8 string attribute (NULL stored as ""). Fixed, not variable, length:
 * the text then lives in the checksummed object header, not in the unchecksummed global heap.
 * 0 or -1. */
static int sk_results__attr_put_str(hid_t obj, const char *name, const char *val) {
    const char *v = val ? val : "";
    hid_t ty = sk_results__str_type(strlen(v) + 1, H5T_CSET_UTF8);
    if (ty < 0) return -1;
    int rc = sk_results__attr_put(obj, name, ty, ty, v);
    H5Tclose(ty);
    return rc;
}

int sk_results__write_meta(hid_t file, const sk_results_meta *m, const char *path,
                           char *errbuf, size_t errlen) {
    static const sk_results_meta empty;
    if (!m) m = &empty;
    const int schema = SK_RESULTS_SCHEMA_VERSION;
    const char *fail = NULL;
    if (sk_results__attr_put(file, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT, &schema) < 0)
        fail = "schema_version";
    else if (sk_results__attr_put_str(file, "tool_version", m->tool_version) < 0)
        fail = "tool_version";
    else if (sk_results__attr_put_str(file, "git_sha", m->git_sha) < 0)
        fail = "git_sha";
    else if (sk_results__attr_put_str(file, "command_line", m->command_line) < 0)
        fail = "command_line";
    else if (sk_results__attr_put_str(file, "config_yaml", m->config_yaml) < 0)
        fail = "config_yaml";
    else if (sk_results__attr_put_str(file, "config_sha256", m->config_sha256) < 0)
        fail = "config_sha256";
    else if (sk_results__attr_put(file, "master_seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                  &m->master_seed) < 0)
        fail = "master_seed";
    if (fail) return sk_errf(errbuf, errlen, SK_EIO, "%s: cannot write attribute %s", path, fail);
    return 0;
}

/* Attribute `columns` on g: the column names in order (a null dataspace for no columns), as
 * fixed-length strings (see sk_results__attr_put_str). */
int sk_results__write_colnames(hid_t g, const sk_table *t) {
    int rc = -1;
    size_t len = 1; /* longest name + 1 */
    for (size_t i = 0; i < t->ncols; i++)
        if (strlen(t->cols[i].name) + 1 > len) len = strlen(t->cols[i].name) + 1;
    if (t->ncols && len > SIZE_MAX / t->ncols) return SK_ENOMEM;
    char *names = calloc(t->ncols ? t->ncols : 1, len);
    if (!names) return SK_ENOMEM;
    for (size_t i = 0; i < t->ncols; i++) memcpy(names + i * len, t->cols[i].name, strlen(t->cols[i].name));
    hid_t ty = sk_results__str_type(len, H5T_CSET_UTF8);
    if (ty < 0) goto fail_type;
    hsize_t dims[1] = {t->ncols};
    hid_t sp = t->ncols ? H5Screate_simple(1, dims, NULL) : H5Screate(H5S_NULL);
    if (sp < 0) goto fail_space;
    hid_t a = H5Acreate2(g, "columns", ty, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) goto fail_attr;
    rc = 0;
    if (t->ncols && H5Awrite(a, ty, names) < 0) rc = -1;
    if (H5Aclose(a) < 0) rc = -1;
fail_attr:
    H5Sclose(sp);
fail_space:
    H5Tclose(ty);
fail_type:
    free(names);
    return rc;
}

/* One column dataset in group g, chunked (min(n, 4096) rows, at least 1) with the Fletcher32
 * checksum filter, so that damaged data is refused on reading. `series`: deflated too, with
 * unlimited max size. 0 or -1 (SK_ENOMEM for a failed allocation). */
static int sk_results__write_col(hid_t g, const sk_table_col *c, int series) {
    int rc = -1;
    hsize_t n = c->n;
    /* a fixed max size of 0 admits no chunk: empty columns are extendible */
    hsize_t dims[1] = {n}, maxdims[1] = {series || !n ? H5S_UNLIMITED : n};
    hid_t ftype, mtype, own_type = -1;
    char *packed = NULL;
    const void *buf = c->v.any;

    switch (c->type) {
    case SK_TABLE_I64: ftype = H5T_STD_I64LE; mtype = H5T_NATIVE_INT64; break;
    case SK_TABLE_U64: ftype = H5T_STD_U64LE; mtype = H5T_NATIVE_UINT64; break;
    case SK_TABLE_F64: ftype = H5T_IEEE_F64LE; mtype = H5T_NATIVE_DOUBLE; break;
    default: {
        size_t len = 1; /* longest + 1 for the terminator */
        for (size_t i = 0; i < c->n; i++) {
            size_t l = strlen(c->v.str[i]) + 1;
            if (l > len) len = l;
        }
        if (c->n && len > SIZE_MAX / c->n) return SK_ENOMEM;
        packed = calloc(c->n ? c->n : 1, len);
        if (!packed) return SK_ENOMEM;
        for (size_t i = 0; i < c->n; i++) memcpy(packed + i * len, c->v.str[i], strlen(c->v.str[i]));
        buf = packed;
        own_type = sk_results__str_type(len, H5T_CSET_UTF8);
        if (own_type < 0) goto fail_type;
        ftype = mtype = own_type;
    }
    }

    hid_t sp = H5Screate_simple(1, dims, maxdims);
    if (sp < 0) goto fail_space;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0) goto fail_dcpl;
    hsize_t chunk[1] = {n < SK_RESULTS__CHUNK ? (n ? n : 1) : SK_RESULTS__CHUNK};
    if (H5Pset_chunk(dcpl, 1, chunk) < 0 || (series && H5Pset_deflate(dcpl, SK_RESULTS__DEFLATE) < 0) ||
        H5Pset_fletcher32(dcpl) < 0) /* last: the checksum covers the stored (compressed) bytes */
        goto fail_ds;
    hid_t ds = H5Dcreate2(g, c->name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0) goto fail_ds;
    rc = 0;
    if (n && H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) rc = -1;
    if (H5Dclose(ds) < 0) rc = -1;
fail_ds:
    H5Pclose(dcpl);
fail_dcpl:
    H5Sclose(sp);
fail_space:
    if (own_type >= 0) H5Tclose(own_type);
fail_type:
    free(packed);
    return rc;
}

/* Group `gname` under loc holding table t (already checked consistent); `where` names it in
 * messages ("/summary", "/runs/7"). */
int sk_results__write_table(hid_t loc, const char *gname, const char *where,
                            const sk_table *t, int series, const char *path, char *errbuf,
                            size_t errlen) {
    int rc = 0;
    hid_t g = H5Gcreate2(loc, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return sk_errf(errbuf, errlen, SK_EIO, "%s: cannot create group %s", path, where);
    int r = sk_results__write_colnames(g, t);
    if (r < 0) {
        rc = r == SK_ENOMEM ? SK_ENOMEM : SK_EIO;
        sk_errf(errbuf, errlen, rc, "%s: cannot write attribute %s/columns", path, where);
        goto fail_cols;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        r = sk_results__write_col(g, &t->cols[i], series);
        if (r < 0) {
            rc = r == SK_ENOMEM ? SK_ENOMEM : SK_EIO;
            sk_errf(errbuf, errlen, rc, "%s: cannot write dataset %s/%s", path, where,
                            t->cols[i].name);
            goto fail_cols;
        }
    }
fail_cols:
    if (H5Gclose(g) < 0 && !rc)
        rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot close group %s", path, where);
    return rc;
}

/* Check a table before anything is created: SK_EDATA naming the first short column. */
int sk_results__check_table(const sk_table *t, const char *where, const char *path,
                            char *errbuf, size_t errlen) {
    if (!t) return sk_errf(errbuf, errlen, SK_EUSAGE, "%s: no table given for %s", path, where);
    for (size_t i = 0; i < t->ncols; i++) {
        if (!sk_results__name_ok(t->cols[i].name))
            return sk_errf(errbuf, errlen, SK_EDATA, "%s: %s has an invalid column name", path, where);
        if (t->cols[i].n != t->cols[0].n)
            return sk_errf(errbuf, errlen, SK_EDATA,
                                   "%s: %s columns have unequal lengths ('%s' has %zu rows, '%s' has %zu)",
                                   path, where, t->cols[0].name, t->cols[0].n, t->cols[i].name,
                                   t->cols[i].n);
    }
    return 0;
}

/* Fills an open, empty file; returns 0 or an SK_E* code with errbuf set. */
typedef int (*sk_results__fill_fn)(hid_t file, const char *path, void *ctx, char *errbuf,
                                   size_t errlen);

/* Fill a new file and commit it with the one atomic writer (io/sk_atomic.h): on failure the
 * temporary file is removed and path is untouched. */
static int sk_results__atomic(const char *path, sk_results__fill_fn fill, void *ctx, char *errbuf,
                              size_t errlen) {
    sk_atomic a;
    int rc = sk_atomic_open(&a, path, NULL, errbuf, errlen);
    if (rc < 0) return rc;
    path = a.path; /* a symbolic link's target */
    hid_t fapl = sk_results__fapl(1);
    if (fapl < 0) {
        rc = sk_errf(errbuf, errlen, SK_EINTERNAL, "%s: cannot make HDF5 file access list", path);
        goto fail_fapl;
    }
    hid_t file = H5Fcreate(a.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (file < 0) {
        rc = sk_errf(errbuf, errlen, SK_ECANTCREAT, "%s: cannot create %s", path, a.tmp);
        goto fail_fapl;
    }
    rc = fill(file, path, ctx, errbuf, errlen);
    if (H5Fclose(file) < 0 && !rc)
        rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot flush and close %s", path, a.tmp);
    if (rc < 0) goto fail_fapl;
    return sk_atomic_commit(&a, errbuf, errlen);
fail_fapl:
    sk_atomic_abort(&a);
    return rc;
}

typedef struct {
    const sk_results_meta *meta;
    const sk_table *summary;
    const sk_results_series *series;
    size_t nseries;
} sk_results__wctx;

static int sk_results__fill_write(hid_t file, const char *path, void *ctx, char *errbuf,
                                  size_t errlen) {
    const sk_results__wctx *w = ctx;
    int rc = sk_results__write_meta(file, w->meta, path, errbuf, errlen);
    if (rc < 0) return rc;
    rc = sk_results__write_table(file, "summary", "/summary", w->summary, 0, path, errbuf, errlen);
    if (rc < 0 || !w->nseries) return rc;
    hid_t runs = H5Gcreate2(file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (runs < 0) return sk_errf(errbuf, errlen, SK_EIO, "%s: cannot create group /runs", path);
    for (size_t i = 0; i < w->nseries && !rc; i++) {
        char where[300];
        snprintf(where, sizeof where, "/runs/%s", w->series[i].run_id);
        rc = sk_results__write_table(runs, w->series[i].run_id, where, w->series[i].series, 1,
                                     path, errbuf, errlen);
    }
    if (H5Gclose(runs) < 0 && !rc)
        rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot close group /runs", path);
    return rc;
}

int sk_results_write_runs(const char *path, const sk_results_meta *meta, const sk_table *summary,
                          const sk_results_series *series, size_t nseries, char *errbuf,
                          size_t errlen) {
    int rc = sk_results__check_table(summary, "/summary", path, errbuf, errlen);
    if (rc < 0) return rc;
    if (nseries && !series) return sk_errf(errbuf, errlen, SK_EUSAGE, "%s: no series array", path);
    for (size_t i = 0; i < nseries; i++) {
        const char *id = series[i].run_id;
        if (!sk_results__name_ok(id))
            return sk_errf(errbuf, errlen, SK_EDATA, "%s: invalid run id '%s'", path, id ? id : "(null)");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(series[j].run_id, id))
                return sk_errf(errbuf, errlen, SK_EDATA, "%s: run id '%s' given twice", path, id);
        rc = sk_results__check_table(series[i].series, "a /runs series", path, errbuf, errlen);
        if (rc < 0) return rc;
    }
    sk_results__wctx w = {meta, summary, series, nseries};
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    rc = sk_results__atomic(path, sk_results__fill_write, &w, errbuf, errlen);
    return sk_results__quiet_off(&q, rc, errbuf, errlen);
}

int sk_results_write(const char *path, const sk_results_meta *meta, const sk_table *summary,
                     char *errbuf, size_t errlen) {
    return sk_results_write_runs(path, meta, summary, NULL, 0, errbuf, errlen);
}

/* ================================================================================================
 * Reading
 * ==============================================================================================*/

void sk_results_meta_fini(sk_results_meta *m) {
    if (!m) return;
    free(m->tool_version);
    free(m->git_sha);
    free(m->command_line);
    free(m->config_yaml);
    free(m->config_sha256);
    memset(m, 0, sizeof *m);
}

/* Open path read-only. SK_ENOINPUT if it can't be opened as a regular file, SK_EDATA if HDF5
 * can't open it. */
int sk_results__open_read(const char *path, hid_t *file, int *sum, char *errbuf,
                          size_t errlen) {
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return sk_errf(errbuf, errlen, SK_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    int isreg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!isreg) return sk_errf(errbuf, errlen, SK_ENOINPUT, "%s: not a regular file", path);
    hid_t fapl = sk_results__fapl(0);
    if (fapl < 0)
        return sk_errf(errbuf, errlen, SK_EINTERNAL, "%s: cannot make HDF5 file access list", path);
    *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (*file < 0) sk_results__sum(sum);
    H5Pclose(fapl);
    if (*file < 0) return sk_errf(errbuf, errlen, SK_EDATA, "%s: not an HDF5 file, or damaged", path);
    return 0;
}

/* Whether `count` values of `esize` bytes each fit in the file that holds obj, stored at up to
 * `ratio` to one (deflate packs at most 1032 bytes into one): sizes read from a damaged file can
 * be anything, and must not reach malloc. */
int sk_results__fits(hid_t obj, hsize_t count, hsize_t esize, hsize_t ratio) {
    hsize_t fsize = 0;
    hid_t f = H5Iget_file_id(obj);
    if (f < 0) return 0;
    herr_t r = H5Fget_filesize(f, &fsize);
    H5Fclose(f);
    if (r < 0 || fsize > ((hsize_t)1 << 52)) return 0;
    hsize_t cap = fsize * ratio + 65536;
    return count <= cap / (esize ? esize : 1);
}

/* Read string attribute `name` (scalar, fixed or variable length) into a malloc'd *out.
 * 0, SK_EDATA (missing or not a scalar string) or SK_ENOMEM. */
static int sk_results__attr_get_str(hid_t obj, const char *name, char **out, int *sum) {
    int rc = SK_EDATA;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) {
        sk_results__sum(sum);
        goto fail_attr;
    }
    hid_t ft = H5Aget_type(a);
    if (ft < 0) goto fail_type;
    hid_t sp = H5Aget_space(a);
    if (sp < 0) goto fail_space;
    if (H5Tget_class(ft) != H5T_STRING || H5Sget_simple_extent_npoints(sp) != 1) goto fail_mtype;
    htri_t vl = H5Tis_variable_str(ft);
    size_t fsize = H5Tget_size(ft);
    if (vl < 0 || (!vl && !sk_results__fits(a, 1, fsize, 1))) goto fail_mtype;
    hid_t mt = sk_results__str_type(vl > 0 ? 0 : fsize + 1, H5Tget_cset(ft));
    if (mt < 0) goto fail_mtype;
    if (vl > 0) {
        char *s = NULL;
        if (H5Aread(a, mt, &s) >= 0) {
            *out = strdup(s ? s : "");
            rc = *out ? 0 : SK_ENOMEM;
            H5free_memory(s);
        } else {
            sk_results__sum(sum);
        }
    } else {
        char *s = calloc(1, fsize + 1);
        if (!s) rc = SK_ENOMEM;
        else if (H5Aread(a, mt, s) < 0) {
            sk_results__sum(sum);
            free(s);
        }
        else { *out = s; rc = 0; }
    }
    H5Tclose(mt);
fail_mtype:
    H5Sclose(sp);
fail_space:
    H5Tclose(ft);
fail_type:
    H5Aclose(a);
fail_attr:
    return rc;
}

/* Read scalar integer attribute `name` converted to mtype. 0 or SK_EDATA. */
static int sk_results__attr_get_int(hid_t obj, const char *name, hid_t mtype, void *out, int *sum) {
    int rc = SK_EDATA;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) {
        sk_results__sum(sum);
        return rc;
    }
    hid_t ft = H5Aget_type(a), sp = H5Aget_space(a);
    if (ft >= 0 && sp >= 0 && H5Tget_class(ft) == H5T_INTEGER &&
        H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, mtype, out) >= 0)
        rc = 0;
    if (sp >= 0) H5Sclose(sp);
    if (ft >= 0) H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

int sk_results__read_meta(hid_t file, const char *path, sk_results_meta *m, int *sum,
                          char *errbuf, size_t errlen) {
    static const char *const names[] = {"tool_version", "git_sha", "command_line", "config_yaml",
                                        "config_sha256"};
    char **dst[] = {&m->tool_version, &m->git_sha, &m->command_line, &m->config_yaml,
                    &m->config_sha256};
    memset(m, 0, sizeof *m);
    if (sk_results__attr_get_int(file, "schema_version", H5T_NATIVE_INT, &m->schema_version, sum) < 0)
        return sk_errf(errbuf, errlen, SK_EDATA,
                               "%s: not a Synkti results file (no schema_version attribute)", path);
    if (m->schema_version != SK_RESULTS_SCHEMA_VERSION)
        return sk_errf(errbuf, errlen, SK_EDATA,
                               "%s: schema_version %d is not supported (this build reads %d)", path,
                               m->schema_version, SK_RESULTS_SCHEMA_VERSION);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int rc = sk_results__attr_get_str(file, names[i], dst[i], sum);
        if (rc < 0)
            return sk_errf(errbuf, errlen, rc, "%s: %s root attribute %s", path,
                                   rc == SK_ENOMEM ? "out of memory reading" : "missing or bad",
                                   names[i]);
    }
    if (sk_results__attr_get_int(file, "master_seed", H5T_NATIVE_UINT64, &m->master_seed, sum) < 0)
        return sk_errf(errbuf, errlen, SK_EDATA, "%s: missing or bad root attribute master_seed", path);
    return 0;
}

/* Read the `columns` attribute of g: *names gets n malloc'd strings (caller frees each and the
 * array). 0, SK_EDATA or SK_ENOMEM. */
static int sk_results__read_colnames(hid_t g, char ***names, size_t *n, int *sum) {
    int rc = SK_EDATA;
    *names = NULL;
    *n = 0;
    hid_t a = H5Aopen(g, "columns", H5P_DEFAULT);
    if (a < 0) {
        sk_results__sum(sum);
        goto fail_attr;
    }
    hid_t ft = H5Aget_type(a);
    if (ft < 0) goto fail_type;
    hid_t sp = H5Aget_space(a);
    if (sp < 0) goto fail_space;
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    if (H5Tget_class(ft) != H5T_STRING || np < 0 || !sk_results__fits(a, (hsize_t)np, 1, 1))
        goto fail_check;
    char **out = calloc(np ? (size_t)np : 1, sizeof *out);
    if (!out) { rc = SK_ENOMEM; goto fail_check; }
    if (np == 0) { rc = 0; goto done; }
    htri_t vl = H5Tis_variable_str(ft);
    size_t fsize = H5Tget_size(ft);
    if (vl < 0 || !sk_results__fits(a, (hsize_t)np, vl ? 1 : fsize, 1)) goto fail_read;
    hid_t mt = sk_results__str_type(vl > 0 ? 0 : fsize + 1, H5Tget_cset(ft));
    if (mt < 0) goto fail_read;
    if (vl > 0) {
        char **raw = calloc((size_t)np, sizeof *raw);
        if (!raw) { rc = SK_ENOMEM; goto fail_mt; }
        if (H5Aread(a, mt, raw) >= 0) {
            rc = 0;
            for (hssize_t i = 0; i < np && !rc; i++)
                if (!(out[i] = strdup(raw[i] ? raw[i] : ""))) rc = SK_ENOMEM;
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
        } else {
            sk_results__sum(sum);
        }
        free(raw);
    } else {
        char *raw = calloc((size_t)np, fsize + 1);
        if (!raw) { rc = SK_ENOMEM; goto fail_mt; }
        if (H5Aread(a, mt, raw) >= 0) {
            rc = 0;
            for (hssize_t i = 0; i < np && !rc; i++)
                if (!(out[i] = strndup(raw + (size_t)i * (fsize + 1), fsize))) rc = SK_ENOMEM;
        } else {
            sk_results__sum(sum);
        }
        free(raw);
    }
fail_mt:
    H5Tclose(mt);
fail_read:
    if (rc < 0) {
        for (hssize_t i = 0; i < np; i++) free(out[i]);
        free(out);
        goto fail_check;
    }
done:
    *names = out;
    *n = (size_t)np;
fail_check:
    H5Sclose(sp);
fail_space:
    H5Tclose(ft);
fail_type:
    H5Aclose(a);
fail_attr:
    return rc;
}

/* An open column dataset and how to read it. */
typedef struct {
    hid_t ds, mt; /* mt: the memory type (owned when own_mt) */
    int own_mt;
    sk_table_type type;
    size_t fsize; /* stored string size (strings) */
    size_t n;     /* rows */
} sk_results__col;

static void sk_results__col_close(sk_results__col *c) {
    if (c->own_mt) H5Tclose(c->mt);
    if (c->ds >= 0) H5Dclose(c->ds);
    memset(c, 0, sizeof *c);
    c->ds = -1;
}

/* Open dataset `name` of g and check it is a column: 1-D, of `nrows` rows unless nrows is
 * SIZE_MAX, of a supported type, no larger than the file can hold. 0 or SK_EDATA with `why` set to
 * a short reason (c then needs no close). */
static int sk_results__col_open(hid_t g, const char *name, size_t nrows, sk_results__col *c,
                                const char **why, int *sum) {
    memset(c, 0, sizeof *c);
    c->ds = -1;
    *why = "cannot open";
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0) {
        sk_results__sum(sum);
        return SK_EDATA;
    }
    int ok = 0;
    hid_t ft = H5Dget_type(ds);
    if (ft < 0) goto fail_type;
    hid_t sp = H5Dget_space(ds);
    if (sp < 0) goto fail_space;
    hsize_t dims[1];
    *why = "is not 1-D";
    if (H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, dims, NULL) != 1)
        goto fail_check;
    *why = "has a different length from the other columns";
    if (nrows != SIZE_MAX && dims[0] != nrows) goto fail_check;
    if (dims[0] > SIZE_MAX / 16) goto fail_check;
    c->n = (size_t)dims[0];
    *why = "has an unsupported type";
    switch (H5Tget_class(ft)) {
    case H5T_INTEGER:
        c->type = H5Tget_sign(ft) == H5T_SGN_NONE ? SK_TABLE_U64 : SK_TABLE_I64;
        c->mt = c->type == SK_TABLE_U64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
        break;
    case H5T_FLOAT:
        c->type = SK_TABLE_F64;
        c->mt = H5T_NATIVE_DOUBLE;
        break;
    case H5T_STRING:
        if (H5Tis_variable_str(ft) != 0) goto fail_check; /* only fixed-length strings */
        c->type = SK_TABLE_STR;
        c->fsize = H5Tget_size(ft);
        if (c->n && c->fsize + 1 > SIZE_MAX / c->n) goto fail_check;
        if ((c->mt = sk_results__str_type(c->fsize + 1, H5Tget_cset(ft))) < 0) goto fail_check;
        c->own_mt = 1;
        break;
    default:
        goto fail_check;
    }
    *why = "claims more rows than the file can hold (damaged)";
    ok = sk_results__fits(ds, c->n, c->type == SK_TABLE_STR ? c->fsize + 1 : 8, 1032);
fail_check:
    H5Sclose(sp);
fail_space:
    H5Tclose(ft);
fail_type:
    c->ds = ds;
    if (!ok) sk_results__col_close(c);
    return ok ? 0 : SK_EDATA;
}

/* Rows [first, first + count) of the open column c (within its length) as a new column `name` of
 * t. 0, SK_EDATA (`why` set) or SK_ENOMEM. */
static int sk_results__col_read(const sk_results__col *c, const char *name, size_t first,
                                size_t count, sk_table *t, const char **why, int *sum) {
    sk_table_col *col;
    *why = "is a duplicate or invalid column name";
    int rc = sk_table__add_col_n(t, name, c->type, count, &col);
    if (rc < 0 || !count) return rc;
    *why = "cannot be read";
    rc = SK_EDATA;
    hid_t msp = H5S_ALL, fsp = H5S_ALL;
    if (first || count != c->n) { /* a block: hyperslab [first, first + count) */
        hsize_t start[1] = {first}, cnt[1] = {count};
        if ((fsp = H5Dget_space(c->ds)) < 0) return rc;
        if (H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
            (msp = H5Screate_simple(1, cnt, NULL)) < 0)
            goto fail_space;
    }
    if (c->type != SK_TABLE_STR) {
        if (H5Dread(c->ds, c->mt, msp, fsp, H5P_DEFAULT, col->v.any) >= 0) rc = 0;
        else sk_results__sum(sum);
    } else {
        char *raw = calloc(count, c->fsize + 1);
        if (!raw) {
            rc = SK_ENOMEM;
            goto fail_space;
        }
        if (H5Dread(c->ds, c->mt, msp, fsp, H5P_DEFAULT, raw) >= 0) {
            rc = 0;
            for (size_t i = 0; i < count && !rc; i++)
                if (!(col->v.str[i] = strndup(raw + i * (c->fsize + 1), c->fsize))) rc = SK_ENOMEM;
        } else {
            sk_results__sum(sum);
        }
        free(raw);
    }
fail_space:
    if (msp != H5S_ALL && msp >= 0) H5Sclose(msp);
    if (fsp != H5S_ALL) H5Sclose(fsp);
    return rc;
}

/* A table group open for reading: its column names in stored order and their open datasets, all
 * of nrows rows. */
typedef struct {
    hid_t g;
    char **names;
    sk_results__col *cols;
    size_t ncols, nrows;
} sk_results__tab;

static void sk_results__tab_close(sk_results__tab *tb) {
    for (size_t i = 0; i < tb->ncols; i++) {
        if (tb->cols) sk_results__col_close(&tb->cols[i]);
        free(tb->names[i]);
    }
    free(tb->cols);
    free(tb->names);
    if (tb->g >= 0) H5Gclose(tb->g);
    memset(tb, 0, sizeof *tb);
    tb->g = -1;
}

/* Open group `gname` under loc (laid out by sk_results__write_table) and every column in it,
 * checking names, types and lengths; `where` names it in messages. 0 or SK_EDATA / SK_ENOMEM with
 * errbuf set (tb then needs no close). */
static int sk_results__tab_open(hid_t loc, const char *gname, const char *where,
                                sk_results__tab *tb, const char *path, int *sum, char *errbuf,
                                size_t errlen) {
    memset(tb, 0, sizeof *tb);
    tb->g = H5Gopen2(loc, gname, H5P_DEFAULT);
    if (tb->g < 0) {
        sk_results__sum(sum);
        return sk_errf(errbuf, errlen, SK_EDATA, "%s: no group %s", path, where);
    }
    size_t n;
    int rc = sk_results__read_colnames(tb->g, &tb->names, &n, sum);
    if (rc < 0) {
        sk_errf(errbuf, errlen, rc, "%s: %s attribute %s/columns", path,
                rc == SK_ENOMEM ? "out of memory reading" : "missing or bad", where);
        goto fail;
    }
    tb->ncols = n;
    if (!(tb->cols = calloc(n ? n : 1, sizeof *tb->cols))) {
        rc = sk_errf(errbuf, errlen, SK_ENOMEM, "%s: out of memory reading %s", path, where);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) tb->cols[i].ds = -1;
    tb->nrows = n ? SIZE_MAX : 0;
    for (size_t i = 0; i < n; i++) {
        const char *why;
        if ((rc = sk_results__col_open(tb->g, tb->names[i], tb->nrows, &tb->cols[i], &why, sum)) < 0) {
            sk_errf(errbuf, errlen, rc, "%s: dataset %s/%s %s", path, where, tb->names[i], why);
            goto fail;
        }
        tb->nrows = tb->cols[i].n;
    }
    return 0;
fail:
    sk_results__tab_close(tb);
    return rc;
}

/* Rows [first, first + count) of every column of tb (within its rows) as new columns of t. 0 or
 * SK_EDATA / SK_ENOMEM with errbuf set; t may then hold some columns (the caller finalises it). */
static int sk_results__tab_read(const sk_results__tab *tb, size_t first, size_t count, sk_table *t,
                                const char *where, const char *path, int *sum, char *errbuf,
                                size_t errlen) {
    int rc = 0;
    for (size_t i = 0; i < tb->ncols && !rc; i++) {
        const char *why;
        rc = sk_results__col_read(&tb->cols[i], tb->names[i], first, count, t, &why, sum);
        if (rc == SK_ENOMEM) sk_errf(errbuf, errlen, rc, "%s: out of memory reading %s/%s", path, where, tb->names[i]);
        else if (rc < 0) sk_errf(errbuf, errlen, rc, "%s: dataset %s/%s %s", path, where, tb->names[i], why);
    }
    return rc;
}

/* Read group `gname` under loc into t (initialised, empty). On error t may hold some columns; the
 * caller finalises it. */
static int sk_results__read_table(hid_t loc, const char *gname, const char *where, sk_table *t,
                                  const char *path, int *sum, char *errbuf, size_t errlen) {
    sk_results__tab tb;
    int rc = sk_results__tab_open(loc, gname, where, &tb, path, sum, errbuf, errlen);
    if (rc < 0) return rc;
    rc = sk_results__tab_read(&tb, 0, tb.nrows, t, where, path, sum, errbuf, errlen);
    sk_results__tab_close(&tb);
    return rc;
}

int sk_results_read(const char *path, sk_results_meta *meta_out, sk_table *summary_out,
                    char *errbuf, size_t errlen) {
    sk_results_meta m;
    sk_table t;
    sk_table_init(&t);
    memset(&m, 0, sizeof m);
    if (meta_out) memset(meta_out, 0, sizeof *meta_out);
    if (summary_out) sk_table_init(summary_out);

    sk_results__quiet q;
    sk_results__quiet_on(&q);
    hid_t file;
    int rc = sk_results__open_read(path, &file, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_open;
    rc = sk_results__read_meta(file, path, &m, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_read;
    if (summary_out) {
        rc = sk_results__read_table(file, "summary", "/summary", &t, path, &q.bad_sum, errbuf, errlen);
        if (rc < 0) goto fail_read;
    }
    H5Fclose(file);
    sk_results__quiet_off(&q, 0, errbuf, errlen);
    if (meta_out) *meta_out = m;
    else sk_results_meta_fini(&m);
    if (summary_out) *summary_out = t;
    return 0;

fail_read:
    H5Fclose(file);
    sk_results_meta_fini(&m);
    sk_table_fini(&t);
fail_open:
    return sk_results__quiet_off(&q, rc, errbuf, errlen);
}

int sk_results_read_series(const char *path, const char *run_id, sk_table *out, char *errbuf,
                           size_t errlen) {
    sk_results_meta m;
    sk_table_init(out);
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    hid_t file;
    int rc = sk_results__open_read(path, &file, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_open;
    rc = sk_results__read_meta(file, path, &m, &q.bad_sum, errbuf, errlen); /* checks it is ours */
    sk_results_meta_fini(&m);
    if (rc < 0) goto fail_read;
    char where[300];
    snprintf(where, sizeof where, "/runs/%s", run_id ? run_id : "(null)");
    if (!sk_results__name_ok(run_id)) {
        rc = sk_errf(errbuf, errlen, SK_ENOENT, "%s: no run %s", path, where);
        goto fail_read;
    }
    if (H5Lexists(file, "runs", H5P_DEFAULT) <= 0) {
        rc = sk_errf(errbuf, errlen, SK_ENOENT,
                             "%s: no run %s: the file has no time series (the experiment did not set series: true)",
                             path, where);
        goto fail_read;
    }
    hid_t runs = H5Gopen2(file, "runs", H5P_DEFAULT);
    if (runs < 0) {
        sk_results__sum(&q.bad_sum);
        rc = sk_errf(errbuf, errlen, SK_EDATA, "%s: /runs is not a group", path);
        goto fail_read;
    }
    if (H5Lexists(runs, run_id, H5P_DEFAULT) <= 0)
        rc = sk_errf(errbuf, errlen, SK_ENOENT, "%s: no run %s", path, where);
    else
        rc = sk_results__read_table(runs, run_id, where, out, path, &q.bad_sum, errbuf, errlen);
    H5Gclose(runs);
fail_read:
    H5Fclose(file);
    if (rc < 0) sk_table_fini(out);
fail_open:
    return sk_results__quiet_off(&q, rc, errbuf, errlen);
}

/* ================================================================================================
 * Reading /summary in blocks
 * ==============================================================================================*/

struct sk_results_reader {
    char *path;
    hid_t file;
    sk_results_meta meta;
    sk_results__tab tab; /* /summary */
};

int sk_results_reader_open(sk_results_reader **out, const char *path, char *errbuf, size_t errlen) {
    *out = NULL;
    sk_results_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        free(r);
        return sk_errf(errbuf, errlen, SK_ENOMEM, "%s: out of memory", path);
    }
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    int rc = sk_results__open_read(path, &r->file, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_open;
    rc = sk_results__read_meta(r->file, path, &r->meta, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_read;
    rc = sk_results__tab_open(r->file, "summary", "/summary", &r->tab, path, &q.bad_sum, errbuf, errlen);
    if (rc < 0) goto fail_read;
    *out = r;
    return sk_results__quiet_off(&q, 0, errbuf, errlen);
fail_read:
    H5Fclose(r->file);
fail_open:
    sk_results_meta_fini(&r->meta);
    free(r->path);
    free(r);
    return sk_results__quiet_off(&q, rc, errbuf, errlen);
}

const sk_results_meta *sk_results_reader_meta(const sk_results_reader *r) { return &r->meta; }

int64_t sk_results_reader_rows(const sk_results_reader *r) { return (int64_t)r->tab.nrows; }

int sk_results_reader_read(sk_results_reader *r, int64_t first, size_t count, sk_table *out,
                           char *errbuf, size_t errlen) {
    sk_table_init(out);
    if (first < 0 || (uint64_t)first > r->tab.nrows)
        return sk_errf(errbuf, errlen, SK_EUSAGE, "%s: row %lld is beyond the %zu rows of /summary",
                       r->path, (long long)first, r->tab.nrows);
    if (count > r->tab.nrows - (size_t)first) count = r->tab.nrows - (size_t)first;
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    int rc = sk_results__tab_read(&r->tab, (size_t)first, count, out, "/summary", r->path,
                                  &q.bad_sum, errbuf, errlen);
    if (rc < 0) sk_table_fini(out);
    return sk_results__quiet_off(&q, rc, errbuf, errlen);
}

void sk_results_reader_close(sk_results_reader *r) {
    if (!r) return;
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    sk_results__tab_close(&r->tab);
    H5Fclose(r->file);
    sk_results__quiet_off(&q, 0, NULL, 0);
    sk_results_meta_fini(&r->meta);
    free(r->path);
    free(r);
}

int sk_results_read_rows(const char *path, int64_t first, size_t count, sk_table *out,
                         char *errbuf, size_t errlen) {
    sk_results_reader *r;
    sk_table_init(out);
    int rc = sk_results_reader_open(&r, path, errbuf, errlen);
    if (rc < 0) return rc;
    rc = sk_results_reader_read(r, first, count, out, errbuf, errlen);
    sk_results_reader_close(r);
    return rc;
}

/* ================================================================================================
 * Merging
 * ==============================================================================================*/

const char *sk_results__type_name(sk_table_type t) {
    switch (t) {
    case SK_TABLE_I64: return "int64";
    case SK_TABLE_U64: return "uint64";
    case SK_TABLE_F64: return "double";
    default: return "string";
    }
}

/* SK_EDATA (naming `path`) unless `t` has exactly the columns of `ref` with the same types. */
static int sk_results__same_cols(const sk_table *ref, const sk_table *t, const char *path,
                                 const char *ref_path, char *errbuf, size_t errlen) {
    for (size_t i = 0; i < ref->ncols; i++) {
        int k = sk_table_find(t, ref->cols[i].name);
        if (k < 0)
            return sk_errf(errbuf, errlen, SK_EDATA,
                                   "%s: summary lacks column '%s' that %s has; refusing to merge",
                                   path, ref->cols[i].name, ref_path);
        if (t->cols[k].type != ref->cols[i].type)
            return sk_errf(errbuf, errlen, SK_EDATA,
                                   "%s: summary column '%s' is %s but %s in %s; refusing to merge",
                                   path, ref->cols[i].name, sk_results__type_name(t->cols[k].type),
                                   sk_results__type_name(ref->cols[i].type), ref_path);
    }
    for (size_t i = 0; i < t->ncols; i++)
        if (sk_table_find(ref, t->cols[i].name) < 0)
            return sk_errf(errbuf, errlen, SK_EDATA,
                                   "%s: summary has column '%s' that %s lacks; refusing to merge",
                                   path, t->cols[i].name, ref_path);
    return 0;
}

/* Append the rows of src to dst (same columns, checked). Strings move from src to dst: src keeps
 * its columns but loses their values. 0 or SK_ENOMEM (dst may have grown capacity only). */
static int sk_results__append(sk_table *dst, sk_table *src) {
    if (!dst->ncols) return 0;
    for (size_t i = 0; i < dst->ncols; i++)
        if (sk_table__reserve(&dst->cols[i], dst->cols[i].n + src->cols[0].n)) return SK_ENOMEM;
    for (size_t i = 0; i < dst->ncols; i++) {
        sk_table_col *d = &dst->cols[i], *s = &src->cols[sk_table_find(src, d->name)];
        size_t es = sk_table__esize(d->type);
        if (s->n) memcpy((char *)d->v.any + d->n * es, s->v.any, s->n * es);
        d->n += s->n;
        s->n = 0; /* strings now belong to dst */
    }
    return 0;
}

/* One summary row for sorting by the `run` column: its value and its row index. */
typedef struct {
    int64_t run;
    size_t row;
} sk_results__runkey;

static int sk_results__cmp_runkey(const void *a, const void *b) {
    const sk_results__runkey *x = a, *y = b;
    if (x->run != y->run) return x->run < y->run ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row); /* ties only reach the duplicate check */
}

/* Index of the input that row `row` of the concatenation came from; ends[i] is the row count after
 * input i. */
static size_t sk_results__row_input(const size_t *ends, size_t n, size_t row) {
    size_t i = 0;
    while (i + 1 < n && row >= ends[i]) i++;
    return i;
}

/* Reorder every column of t (consistent, `nrows` rows) so that row k is old row perm[k]. 0 or
 * SK_ENOMEM (t then partly reordered, but still consistent and owning all its strings). */
static int sk_results__permute(sk_table *t, const sk_results__runkey *perm, size_t nrows) {
    for (size_t i = 0; i < t->ncols; i++) {
        sk_table_col *c = &t->cols[i];
        size_t es = sk_table__esize(c->type);
        char *nv = malloc(nrows * es), *old = c->v.any;
        if (!nv) return SK_ENOMEM;
        for (size_t k = 0; k < nrows; k++) memcpy(nv + k * es, old + perm[k].row * es, es);
        free(old);
        c->v.any = nv;
        c->cap = nrows;
    }
    return 0;
}

/* Sort the merged summary `all` by its int64 `run` column, if it has one, so that merging shards in
 * any order gives the rows of an unsharded run. `ends` maps rows to inputs for messages. 0;
 * SK_EDATA naming both inputs on a repeated run value; SK_ENOMEM. */
static int sk_results__sort_runs(sk_table *all, const size_t *ends, const char *const *inputs,
                                 size_t n, const char *out, char *errbuf, size_t errlen) {
    int col = sk_table_find(all, "run");
    if (col < 0 || all->cols[col].type != SK_TABLE_I64) return 0;
    size_t nrows = all->cols[col].n;
    if (nrows < 2) return 0;
    const int64_t *run = all->cols[col].v.i64;
    int rc = 0;
    sk_results__runkey *keys = malloc(nrows * sizeof *keys);
    if (!keys) return sk_errf(errbuf, errlen, SK_ENOMEM, "%s: out of memory sorting rows", out);
    int sorted = 1;
    for (size_t r = 0; r < nrows; r++) {
        keys[r].run = run[r];
        keys[r].row = r;
        if (r && run[r] <= run[r - 1]) sorted = 0;
    }
    if (sorted) goto done; /* strictly increasing already: nothing to reorder, no duplicates */
    qsort(keys, nrows, sizeof *keys, sk_results__cmp_runkey);
    for (size_t k = 1; k < nrows; k++) {
        if (keys[k].run != keys[k - 1].run) continue;
        const char *a = inputs[sk_results__row_input(ends, n, keys[k - 1].row)];
        const char *b = inputs[sk_results__row_input(ends, n, keys[k].row)];
        if (a == b)
            rc = sk_errf(errbuf, errlen, SK_EDATA,
                                 "%s: summary has run %" PRId64 " twice; refusing to merge", a,
                                 keys[k].run);
        else
            rc = sk_errf(errbuf, errlen, SK_EDATA,
                                 "%s and %s: both have summary run %" PRId64 "; refusing to merge",
                                 a, b, keys[k].run);
        goto done;
    }
    if ((rc = sk_results__permute(all, keys, nrows)) < 0)
        sk_errf(errbuf, errlen, rc, "%s: out of memory sorting rows", out);
done:
    free(keys);
    return rc;
}

typedef struct {
    const sk_results_meta *meta;
    const sk_table *summary;
    const char *const *inputs;
    size_t n;
    int *sum; /* set when an input's /runs failed a checksum */
} sk_results__mctx;

/* Copy every /runs/<id> of input `in` (named inpath) into out's /runs (*out_runs, created on first
 * use). SK_EDATA on a run id already copied. */
int sk_results__copy_runs(hid_t in, const char *inpath, hid_t file, hid_t *out_runs,
                          const char *path, int *sum, char *errbuf, size_t errlen) {
    int rc = 0;
    if (H5Lexists(in, "runs", H5P_DEFAULT) <= 0) return 0;
    hid_t runs = H5Gopen2(in, "runs", H5P_DEFAULT);
    H5G_info_t gi;
    if (runs < 0 || H5Gget_info(runs, &gi) < 0) {
        rc = sk_errf(errbuf, errlen, SK_EDATA, "%s: /runs is not a readable group", inpath);
        goto fail_open;
    }
    if (*out_runs < 0 && (*out_runs = H5Gcreate2(file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot create group /runs", path);
        goto fail_open;
    }
    for (hsize_t k = 0; k < gi.nlinks && !rc; k++) {
        ssize_t len = H5Lget_name_by_idx(runs, ".", H5_INDEX_NAME, H5_ITER_INC, k, NULL, 0, H5P_DEFAULT);
        char *name = len < 0 ? NULL : malloc((size_t)len + 1);
        if (!name) {
            rc = sk_errf(errbuf, errlen, len < 0 ? SK_EDATA : SK_ENOMEM,
                                 "%s: cannot list /runs", inpath);
            break;
        }
        if (H5Lget_name_by_idx(runs, ".", H5_INDEX_NAME, H5_ITER_INC, k, name, (size_t)len + 1, H5P_DEFAULT) < 0)
            rc = sk_errf(errbuf, errlen, SK_EDATA, "%s: cannot list /runs", inpath);
        else if (H5Lexists(*out_runs, name, H5P_DEFAULT) > 0)
            rc = sk_errf(errbuf, errlen, SK_EDATA,
                                 "%s: run /runs/%s is also in an earlier input; refusing to merge",
                                 inpath, name);
        else if (H5Ocopy(runs, name, *out_runs, name, H5P_DEFAULT, H5P_DEFAULT) < 0) {
            sk_results__sum(sum);
            rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot copy /runs/%s from %s", path,
                                 name, inpath);
        }
        free(name);
    }
fail_open:
    if (runs >= 0) H5Gclose(runs);
    return rc;
}

static int sk_results__fill_merge(hid_t file, const char *path, void *ctx, char *errbuf,
                                  size_t errlen) {
    const sk_results__mctx *mc = ctx;
    int rc = sk_results__write_meta(file, mc->meta, path, errbuf, errlen);
    if (rc < 0) return rc;
    rc = sk_results__write_table(file, "summary", "/summary", mc->summary, 0, path, errbuf, errlen);
    hid_t out_runs = -1;
    for (size_t i = 0; i < mc->n && !rc; i++) {
        hid_t in;
        rc = sk_results__open_read(mc->inputs[i], &in, mc->sum, errbuf, errlen);
        if (rc < 0) break;
        rc = sk_results__copy_runs(in, mc->inputs[i], file, &out_runs, path, mc->sum, errbuf, errlen);
        H5Fclose(in);
    }
    if (out_runs >= 0 && H5Gclose(out_runs) < 0 && !rc)
        rc = sk_errf(errbuf, errlen, SK_EIO, "%s: cannot close group /runs", path);
    return rc;
}

int sk_results_merge(const char *const *inputs, size_t n, const char *out, char *errbuf,
                     size_t errlen) {
    if (!n || !inputs) return sk_errf(errbuf, errlen, SK_EUSAGE, "%s: no inputs to merge", out);
    sk_results_meta m0, mi;
    sk_table all, ti;
    size_t *ends = malloc(n * sizeof *ends); /* rows of `all` after each input */
    if (!ends) return sk_errf(errbuf, errlen, SK_ENOMEM, "%s: out of memory", out);
    int rc = sk_results_read(inputs[0], &m0, &all, errbuf, errlen);
    if (rc < 0) {
        free(ends);
        return rc;
    }
    ends[0] = all.ncols ? all.cols[0].n : 0;
    for (size_t i = 1; i < n; i++) {
        rc = sk_results_read(inputs[i], &mi, &ti, errbuf, errlen);
        if (rc < 0) goto fail_inputs;
        if (strcmp(mi.config_sha256, m0.config_sha256) != 0)
            rc = sk_errf(errbuf, errlen, SK_EDATA,
                                 "%s: config_sha256 %s differs from %s's %s; refusing to merge",
                                 inputs[i], mi.config_sha256, inputs[0], m0.config_sha256);
        if (!rc) rc = sk_results__same_cols(&all, &ti, inputs[i], inputs[0], errbuf, errlen);
        if (!rc && (rc = sk_results__append(&all, &ti)) < 0)
            sk_errf(errbuf, errlen, rc, "%s: out of memory merging %s", out, inputs[i]);
        sk_results_meta_fini(&mi);
        sk_table_fini(&ti);
        if (rc < 0) goto fail_inputs;
        ends[i] = all.ncols ? all.cols[0].n : 0;
    }
    rc = sk_results__sort_runs(&all, ends, inputs, n, out, errbuf, errlen);
    if (rc < 0) goto fail_inputs;
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    sk_results__mctx mc = {&m0, &all, inputs, n, &q.bad_sum};
    rc = sk_results__atomic(out, sk_results__fill_merge, &mc, errbuf, errlen);
    rc = sk_results__quiet_off(&q, rc, errbuf, errlen); /* SK_EDATA: an input's /runs is damaged */
fail_inputs:
    sk_results_meta_fini(&m0);
    sk_table_fini(&all);
    free(ends);
    return rc;
}
