/* sk_results_stream.c - a results file written row by row: extendible chunked /summary columns,
 * one buffered chunk per column, committed atomically (io/sk_results_stream.h). */
#include "io/sk_results_stream.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/sk_atomic.h"
#include "io/sk_csv.h" /* sk_errf */
#include "io/sk_results_int.h"

#define SK_RS_CHUNK 4096              /* default rows per chunk */
#define SK_RS_MAX_WIDTH (1u << 20)    /* widest string column, bytes */
#define SK_RS_MAX_CHUNK_BYTES (1u << 30) /* one column's chunk (HDF5 allows < 4 GiB) */

/* One /summary column: its dataset and the rows buffered for it. */
typedef struct {
    const char *name; /* borrowed from the stream's column table */
    sk_table_type type;
    size_t esize;     /* bytes a value: 8, or width + 1 for strings */
    hid_t ds, mt;     /* mt: the memory (= file) type; owned for strings */
    char *buf;        /* chunk_rows values, packed */
} sk_rs_col;

struct sk_results_stream {
    sk_atomic a;      /* a.path: the file replaced on commit, a.tmp: the file written */
    hid_t file, g, runs;
    sk_table names;   /* a copy of the columns (no rows): names and types */
    sk_rs_col *cols;
    size_t ncols, chunk, nbuf;
    int64_t nfile;    /* rows in the file; nbuf more are buffered */
    int broken;       /* a write failed: the file is no longer a prefix of what was appended */
};

/* ------------------------------------------------------------------------------------------------
 * Stale temporary files
 * ----------------------------------------------------------------------------------------------*/

/* The pid in `name` when it is "<base>.tmp.<pid>" or "<base>.tmp.<pid>.<suffix>", else 0. */
static long sk_rs_tmp_pid(const char *name, const char *base) {
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || strncmp(name + bl, ".tmp.", 5) != 0) return 0;
    const char *p = name + bl + 5;
    long pid = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (pid > 1000000000L) return 0;
        pid = pid * 10 + (*p - '0');
    }
    return *p == '\0' || *p == '.' ? pid : 0;
}

int sk_results_stream_clean(const char *path) {
    char *target = sk_atomic_link_target(path);
    const char *file = target ? target : path;
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
    int removed = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    for (struct dirent *de; d && (de = readdir(d));) {
        long pid = sk_rs_tmp_pid(de->d_name, slash ? slash + 1 : file);
        if (pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
        char *full = malloc(strlen(dir) + strlen(de->d_name) + 2);
        if (!full) break;
        sprintf(full, "%s/%s", dir, de->d_name);
        if (unlink(full) == 0) removed++;
        free(full);
    }
    if (d) closedir(d);
    free(dir);
    free(target);
    return removed;
}

/* ------------------------------------------------------------------------------------------------
 * Writing rows
 * ----------------------------------------------------------------------------------------------*/

/* Write the buffered rows at the end of every column dataset. 0 or SK_EIO (the stream is then
 * broken: later appends and the commit fail). */
static int sk_rs_flush(sk_results_stream *s, char *err, size_t errlen) {
    if (!s->nbuf) return 0;
    hsize_t start[1] = {(hsize_t)s->nfile}, count[1] = {s->nbuf}, size[1] = {(hsize_t)s->nfile + s->nbuf};
    hid_t msp = H5Screate_simple(1, count, NULL);
    int rc = msp < 0 ? -1 : 0;
    for (size_t i = 0; i < s->ncols && !rc; i++) {
        sk_rs_col *c = &s->cols[i];
        if (H5Dset_extent(c->ds, size) < 0) {
            rc = -1;
            break;
        }
        hid_t fsp = H5Dget_space(c->ds);
        if (fsp < 0 || H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
            H5Dwrite(c->ds, c->mt, msp, fsp, H5P_DEFAULT, c->buf) < 0)
            rc = -1;
        if (fsp >= 0) H5Sclose(fsp);
    }
    if (msp >= 0) H5Sclose(msp);
    if (rc < 0) {
        s->broken = 1;
        return sk_errf(err, errlen, SK_EIO, "%s: cannot write rows %lld to %lld of /summary to %s",
                       s->a.path, (long long)s->nfile, (long long)(s->nfile + (int64_t)s->nbuf - 1), s->a.tmp);
    }
    s->nfile += (int64_t)s->nbuf;
    s->nbuf = 0;
    return 0;
}

/* SK_EDATA naming the first column of t that differs (name, type, position) from the stream's
 * columns, or the first string wider than its column allows; 0 otherwise. `what` names t. */
static int sk_rs_check(const sk_results_stream *s, const sk_table *t, const char *what, char *err,
                       size_t errlen) {
    const char *path = s->a.path;
    if (t->ncols != s->ncols)
        return sk_errf(err, errlen, SK_EDATA, "%s: %s has %zu columns, the results file %zu", path,
                       what, t->ncols, s->ncols);
    for (size_t i = 0; i < t->ncols; i++) {
        const sk_table_col *c = &t->cols[i];
        if (strcmp(c->name, s->cols[i].name) != 0 || c->type != s->cols[i].type)
            return sk_errf(err, errlen, SK_EDATA,
                           "%s: %s column %zu is '%s' (%s), the results file's is '%s' (%s)", path,
                           what, i + 1, c->name, sk_results__type_name(c->type), s->cols[i].name,
                           sk_results__type_name(s->cols[i].type));
        if (c->n != t->cols[0].n)
            return sk_errf(err, errlen, SK_EDATA, "%s: %s columns have unequal lengths ('%s' %zu, '%s' %zu)",
                           path, what, t->cols[0].name, t->cols[0].n, c->name, c->n);
        if (c->type != SK_TABLE_STR) continue;
        for (size_t r = 0; r < c->n; r++) {
            size_t len = strlen(c->v.str[r]);
            if (len >= s->cols[i].esize)
                return sk_errf(err, errlen, SK_EDATA,
                               "%s: string column '%s': a value of %zu bytes (row %zu of %s) is wider than the column's %zu",
                               path, c->name, len, r, what, s->cols[i].esize - 1);
        }
    }
    return 0;
}

/* Buffer rows [r0, r0 + k) of t (checked) in the free part of the chunk buffers. */
static void sk_rs_buffer(sk_results_stream *s, const sk_table *t, size_t r0, size_t k) {
    for (size_t i = 0; i < s->ncols; i++) {
        sk_rs_col *c = &s->cols[i];
        const sk_table_col *tc = &t->cols[i];
        char *dst = c->buf + s->nbuf * c->esize;
        if (c->type != SK_TABLE_STR) {
            memcpy(dst, (const char *)tc->v.any + r0 * 8, k * 8);
            continue;
        }
        memset(dst, 0, k * c->esize); /* as sk_results_write packs them: zeros after the text */
        for (size_t r = 0; r < k; r++) memcpy(dst + r * c->esize, tc->v.str[r0 + r], strlen(tc->v.str[r0 + r]));
    }
    s->nbuf += k;
}

static int sk_rs_append(sk_results_stream *s, const sk_table *t, const char *what, char *err, size_t errlen) {
    if (s->broken)
        return sk_errf(err, errlen, SK_EIO, "%s: an earlier write to %s failed", s->a.path, s->a.tmp);
    int rc = sk_rs_check(s, t, what, err, errlen);
    if (rc < 0) return rc;
    size_t n = t->ncols ? t->cols[0].n : 0;
    for (size_t r = 0; r < n && !rc;) {
        size_t k = s->chunk - s->nbuf;
        if (k > n - r) k = n - r;
        sk_rs_buffer(s, t, r, k);
        r += k;
        if (s->nbuf == s->chunk) rc = sk_rs_flush(s, err, errlen);
    }
    return rc;
}

int sk_results_stream_append(sk_results_stream *s, const sk_table *t, char *err, size_t errlen) {
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    int rc = sk_rs_append(s, t, "the appended table", err, errlen);
    return sk_results__quiet_off(&q, rc, err, errlen);
}

int64_t sk_results_stream_rows(const sk_results_stream *s) { return s->nfile + (int64_t)s->nbuf; }

/* ------------------------------------------------------------------------------------------------
 * Opening, closing
 * ----------------------------------------------------------------------------------------------*/

/* Close every HDF5 object and the file (keeping the temporary file). 0 or -1 if a close failed. */
static int sk_rs_close(sk_results_stream *s) {
    int rc = 0;
    for (size_t i = 0; s->cols && i < s->ncols; i++) {
        sk_rs_col *c = &s->cols[i];
        if (c->ds >= 0 && H5Dclose(c->ds) < 0) rc = -1;
        if (c->type == SK_TABLE_STR && c->mt >= 0) H5Tclose(c->mt);
        c->ds = c->mt = -1;
    }
    if (s->runs >= 0 && H5Gclose(s->runs) < 0) rc = -1;
    if (s->g >= 0 && H5Gclose(s->g) < 0) rc = -1;
    if (s->file >= 0 && H5Fclose(s->file) < 0) rc = -1;
    s->runs = s->g = s->file = -1;
    return rc;
}

static void sk_rs_free(sk_results_stream *s) {
    for (size_t i = 0; s->cols && i < s->ncols; i++) free(s->cols[i].buf);
    free(s->cols);
    sk_table_fini(&s->names);
    free(s);
}

/* The dataset of column c: empty, extendible, chunked by s->chunk, Fletcher32 as sk_results_write
 * makes them. 0 or -1. */
static int sk_rs_create_col(sk_results_stream *s, sk_rs_col *c) {
    int rc = -1;
    hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {s->chunk};
    hid_t ftype = c->type == SK_TABLE_I64 ? H5T_STD_I64LE
                : c->type == SK_TABLE_U64 ? H5T_STD_U64LE
                : c->type == SK_TABLE_F64 ? H5T_IEEE_F64LE : c->mt;
    hid_t sp = H5Screate_simple(1, dims, maxdims);
    if (sp < 0) return -1;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0) goto fail_dcpl;
    /* Each chunk is written once, whole (the last one at commit): no chunk cache, so memory does
     * not grow with the column count by HDF5's 1 MiB a dataset. */
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl < 0) goto fail_dapl;
    if (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_fletcher32(dcpl) < 0 ||
        H5Pset_chunk_cache(dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT) < 0)
        goto fail_ds;
    c->ds = H5Dcreate2(s->g, c->name, ftype, sp, H5P_DEFAULT, dcpl, dapl);
    if (c->ds >= 0) rc = 0;
fail_ds:
    H5Pclose(dapl);
fail_dapl:
    H5Pclose(dcpl);
fail_dcpl:
    H5Sclose(sp);
    return rc;
}

/* Columns from cfg: names, types, widths, buffers. SK_EDATA naming a bad one; SK_ENOMEM. */
static int sk_rs_init_cols(sk_results_stream *s, const sk_results_stream_cfg *cfg, char *err, size_t errlen) {
    const sk_table *t = cfg->columns;
    const char *path = cfg->path;
    for (size_t i = 0; i < t->ncols; i++) {
        int rc = sk_table_add_col(&s->names, t->cols[i].name, t->cols[i].type);
        if (rc == SK_ENOMEM) return sk_errf(err, errlen, rc, "%s: out of memory", path);
        if (rc < 0)
            return sk_errf(err, errlen, SK_EDATA, "%s: /summary column '%s' has an invalid or repeated name",
                           path, t->cols[i].name ? t->cols[i].name : "(null)");
    }
    if (!(s->cols = calloc(t->ncols ? t->ncols : 1, sizeof *s->cols)))
        return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
    s->ncols = t->ncols;
    for (size_t i = 0; i < s->ncols; i++) s->cols[i].ds = s->cols[i].mt = -1;
    for (size_t i = 0; i < s->ncols; i++) {
        sk_rs_col *c = &s->cols[i];
        c->name = s->names.cols[i].name;
        c->type = s->names.cols[i].type;
        c->esize = 8;
        if (c->type == SK_TABLE_I64) c->mt = H5T_NATIVE_INT64;
        else if (c->type == SK_TABLE_U64) c->mt = H5T_NATIVE_UINT64;
        else if (c->type == SK_TABLE_F64) c->mt = H5T_NATIVE_DOUBLE;
        else {
            if (!cfg->str_width)
                return sk_errf(err, errlen, SK_EDATA, "%s: string column '%s' has no width (str_width is NULL)",
                               path, c->name);
            if (cfg->str_width[i] > SK_RS_MAX_WIDTH)
                return sk_errf(err, errlen, SK_EDATA, "%s: string column '%s': width %zu is beyond %u bytes",
                               path, c->name, cfg->str_width[i], SK_RS_MAX_WIDTH);
            c->esize = cfg->str_width[i] + 1;
            if ((c->mt = sk_results__str_type(c->esize, H5T_CSET_UTF8)) < 0)
                return sk_errf(err, errlen, SK_EIO, "%s: cannot make the string type of '%s'", path, c->name);
        }
        if (s->chunk > SK_RS_MAX_CHUNK_BYTES / c->esize)
            return sk_errf(err, errlen, SK_EDATA, "%s: column '%s': %zu rows of %zu bytes exceed a chunk's %u bytes",
                           path, c->name, s->chunk, c->esize, SK_RS_MAX_CHUNK_BYTES);
        if (!(c->buf = malloc(s->chunk * c->esize))) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
    }
    return 0;
}

/* The /runs group, created on first use. -1 on failure. */
static hid_t sk_rs_runs(sk_results_stream *s) {
    if (s->runs < 0) s->runs = H5Gcreate2(s->file, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    return s->runs;
}

/* Copy the rows and /runs of the committed file `from` into the stream. */
static int sk_rs_copy_from(sk_results_stream *s, const char *from, int *sum, char *err, size_t errlen) {
    sk_results_reader *r;
    int rc = sk_results_reader_open(&r, from, err, errlen);
    if (rc < 0) return rc;
    int64_t n = sk_results_reader_rows(r);
    const char *what = "append_from's /summary";
    for (int64_t first = 0; first < n && !rc; first += (int64_t)s->chunk) {
        sk_table t;
        rc = sk_results_reader_read(r, first, s->chunk, &t, err, errlen);
        if (rc < 0) break;
        rc = sk_rs_append(s, &t, what, err, errlen);
        sk_table_fini(&t);
    }
    if (!rc && !n) { /* no rows: still check the columns */
        sk_table t;
        if (!(rc = sk_results_reader_read(r, 0, 0, &t, err, errlen))) {
            rc = sk_rs_check(s, &t, what, err, errlen);
            sk_table_fini(&t);
        }
    }
    sk_results_reader_close(r);
    if (rc < 0) {
        size_t len = err ? strlen(err) : 0;
        if (err && len < errlen) snprintf(err + len, errlen - len, " (append_from %s)", from);
        return rc;
    }
    hid_t in;
    if ((rc = sk_results__open_read(from, &in, sum, err, errlen)) < 0) return rc;
    if (H5Lexists(in, "runs", H5P_DEFAULT) > 0) {
        if (sk_rs_runs(s) < 0) rc = sk_errf(err, errlen, SK_EIO, "%s: cannot create group /runs", s->a.path);
        else rc = sk_results__copy_runs(in, from, s->file, &s->runs, s->a.path, sum, err, errlen);
    }
    H5Fclose(in);
    return rc;
}

int sk_results_stream_open(sk_results_stream **out, const sk_results_stream_cfg *cfg, char *err, size_t errlen) {
    *out = NULL;
    if (!cfg || !cfg->path || !cfg->columns)
        return sk_errf(err, errlen, SK_EUSAGE, "%s: no path or no columns given", cfg && cfg->path ? cfg->path : "(null)");
    sk_results_stream *s = calloc(1, sizeof *s);
    if (!s) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", cfg->path);
    s->file = s->g = s->runs = -1;
    s->chunk = cfg->chunk_rows ? cfg->chunk_rows : SK_RS_CHUNK;
    sk_table_init(&s->names);
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    int rc = sk_rs_init_cols(s, cfg, err, errlen);
    if (rc < 0) goto fail_cols;
    sk_results_stream_clean(cfg->path);
    if ((rc = sk_atomic_open(&s->a, cfg->path, NULL, err, errlen)) < 0) goto fail_cols;
    const char *path = s->a.path;
    hid_t fapl = sk_results__fapl(1);
    if (fapl < 0) {
        rc = sk_errf(err, errlen, SK_EINTERNAL, "%s: cannot make HDF5 file access list", path);
        goto fail_file;
    }
    s->file = H5Fcreate(s->a.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (s->file < 0) {
        rc = sk_errf(err, errlen, SK_ECANTCREAT, "%s: cannot create %s", path, s->a.tmp);
        goto fail_file;
    }
    if ((rc = sk_results__write_meta(s->file, cfg->meta, path, err, errlen)) < 0) goto fail_file;
    if ((s->g = H5Gcreate2(s->file, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
        rc = sk_errf(err, errlen, SK_EIO, "%s: cannot create group /summary", path);
        goto fail_file;
    }
    if ((rc = sk_results__write_colnames(s->g, &s->names)) < 0) {
        rc = sk_errf(err, errlen, rc == SK_ENOMEM ? SK_ENOMEM : SK_EIO,
                     "%s: cannot write attribute /summary/columns", path);
        goto fail_file;
    }
    for (size_t i = 0; i < s->ncols; i++)
        if (sk_rs_create_col(s, &s->cols[i]) < 0) {
            rc = sk_errf(err, errlen, SK_EIO, "%s: cannot create dataset /summary/%s", path, s->cols[i].name);
            goto fail_file;
        }
    if (cfg->append_from && (rc = sk_rs_copy_from(s, cfg->append_from, &q.bad_sum, err, errlen)) < 0)
        goto fail_file;
    *out = s;
    return sk_results__quiet_off(&q, 0, err, errlen);

fail_file:
    sk_rs_close(s);
    sk_atomic_abort(&s->a);
fail_cols:
    sk_rs_close(s);
    sk_rs_free(s);
    return sk_results__quiet_off(&q, rc, err, errlen);
}

int sk_results_stream_series(sk_results_stream *s, const char *run_id, const sk_table *series, char *err,
                             size_t errlen) {
    const char *path = s->a.path;
    if (!sk_results__name_ok(run_id))
        return sk_errf(err, errlen, SK_EDATA, "%s: invalid run id '%s'", path, run_id ? run_id : "(null)");
    int rc = sk_results__check_table(series, "a /runs series", path, err, errlen);
    if (rc < 0) return rc;
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    char where[300];
    snprintf(where, sizeof where, "/runs/%s", run_id);
    if (sk_rs_runs(s) < 0) rc = sk_errf(err, errlen, SK_EIO, "%s: cannot create group /runs", path);
    else if (H5Lexists(s->runs, run_id, H5P_DEFAULT) > 0)
        rc = sk_errf(err, errlen, SK_EDATA, "%s: run id '%s' given twice", path, run_id);
    else
        rc = sk_results__write_table(s->runs, run_id, where, series, 1, path, err, errlen);
    return sk_results__quiet_off(&q, rc, err, errlen);
}

int sk_results_stream_commit(sk_results_stream *s, char *err, size_t errlen) {
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    int rc = 0;
    if (s->broken)
        rc = sk_errf(err, errlen, SK_EIO, "%s: an earlier write to %s failed", s->a.path, s->a.tmp);
    if (!rc) rc = sk_rs_flush(s, err, errlen);
    if (sk_rs_close(s) < 0 && !rc)
        rc = sk_errf(err, errlen, SK_EIO, "%s: cannot flush and close %s", s->a.path, s->a.tmp);
    if (rc < 0) sk_atomic_abort(&s->a);
    else rc = sk_atomic_commit(&s->a, err, errlen);
    sk_rs_free(s);
    return sk_results__quiet_off(&q, rc, err, errlen);
}

void sk_results_stream_abort(sk_results_stream *s) {
    if (!s) return;
    sk_results__quiet q;
    sk_results__quiet_on(&q);
    sk_rs_close(s);
    sk_atomic_abort(&s->a);
    sk_rs_free(s);
    sk_results__quiet_off(&q, 0, NULL, 0);
}
