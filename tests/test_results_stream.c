/* test_results_stream.c - the streaming results writer (io/sk_results_stream.c) against
 * sk_results_write: every value read back bit for bit equal, at chunk boundaries, across commits
 * (append_from), with /runs; the atomic protocol (commit, abort, failed commit, stale temporary
 * files); strings too wide; the block reader (sk_results_reader_*).
 *
 * Modes besides the tests (used by tests/parts/results_stream.cmake and docs/results_streaming.md):
 *   test_results_stream --pair DIR N      write DIR/whole.h5 (sk_results_write, the table also as
 *                                         /runs/all) and DIR/stream.h5 (streamed, chunk 7) of N rows,
 *                                         for `synkti export`
 *   test_results_stream --bench N FILE    stream N synthetic sweep rows (31 columns) to FILE and
 *                                         print wall time, rows/s, peak RSS and file size
 *   test_results_stream --bench-whole N FILE   the same rows held in memory, sk_results_write
 *   test_results_stream --reopen FILE     commit FILE again through append_from (its rows copied) */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>

#include "io/sk_results.h"
#include "io/sk_results_stream.h"
#include "test.h"

static char sk_t_dir[128];

/* A fresh empty folder under /tmp for one test. */
static const char *tdir(const char *name) {
    snprintf(sk_t_dir, sizeof sk_t_dir, "/tmp/sk_rstream_%ld_%s", (long)getpid(), name);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sk_t_dir);
    if (system(cmd) != 0 || mkdir(sk_t_dir, 0755) != 0) abort();
    return sk_t_dir;
}

static void rmdir_all(const char *d) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", d, d);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", d);
}

/* Entries of folder d (not . and ..). */
static int count_entries(const char *d) {
    DIR *dir = opendir(d);
    int n = 0;
    for (struct dirent *de; dir && (de = readdir(dir));) n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    if (dir) closedir(dir);
    return n;
}

static const sk_results_meta sk_t_meta = {0, "0.0-test", "abc123-dirty", "synkti run x.yaml",
                                          "a: 1\nb: [2, 3]\n", "5f1e0c7c", 18364758544493064720ull};

/* The columns of the test table: int64, uint64, double, two strings (widths 12 and 3). */
static const size_t sk_t_width[] = {0, 0, 0, 12, 3};

static void cols(sk_table *t) {
    sk_table_init(t);
    sk_table_add_col(t, "run", SK_TABLE_I64);
    sk_table_add_col(t, "seed", SK_TABLE_U64);
    sk_table_add_col(t, "cost", SK_TABLE_F64);
    sk_table_add_col(t, "label", SK_TABLE_STR);
    sk_table_add_col(t, "st", SK_TABLE_STR);
}

/* Rows [r0, r1) of the test table: extreme integers, NaN (with payload), -0, inf, empty strings,
 * UTF-8, strings at full width. */
static void rows(sk_table *t, size_t r0, size_t r1) {
    static const char *labels[] = {"", "plain", "a,b", "say \"hi\"", "\xc3\xbc \xe2\x98\x83", "123456789012", "x"};
    static const char *st[] = {"ok", "", "err"};
    for (size_t r = r0; r < r1; r++) {
        uint64_t nanbits = 0x7ff8000000000000ull | r;
        double d, nan;
        memcpy(&nan, &nanbits, 8);
        switch (r % 6) {
        case 0: d = nan; break;
        case 1: d = -0.0; break;
        case 2: d = r % 4 ? INFINITY : -INFINITY; break;
        case 3: d = 1e-300 * (double)r; break;
        default: d = 0.1 * (double)r + 1.0 / 3.0;
        }
        sk_table_push_i64(t, 0, r % 5 == 0 ? INT64_MIN + (int64_t)r : (int64_t)r * 1000003);
        sk_table_push_u64(t, 1, r % 7 == 0 ? UINT64_MAX - r : r * 0x9e3779b97f4a7c15ull);
        sk_table_push_f64(t, 2, d);
        sk_table_push_str(t, 3, labels[r % 7]);
        sk_table_push_str(t, 4, st[r % 3]);
    }
}

static void whole(sk_table *t, size_t n) {
    cols(t);
    rows(t, 0, n);
}

static sk_results_stream_cfg cfg_of(const char *path, const sk_table *columns, size_t chunk) {
    sk_results_stream_cfg c = {path, &sk_t_meta, columns, sk_t_width, chunk, NULL};
    return c;
}

/* Stream rows [0, n) to path in appends of sizes 1, 2, 3, ... (cycling at 11). 0 or the error. */
static int stream_rows(const char *path, size_t n, size_t chunk, const char *append_from, size_t r0) {
    sk_table c;
    cols(&c);
    sk_results_stream_cfg cfg = cfg_of(path, &c, chunk);
    cfg.append_from = append_from;
    sk_results_stream *s;
    char err[512] = "";
    int rc = sk_results_stream_open(&s, &cfg, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "  open: %s\n", err);
        sk_table_fini(&c);
        return rc;
    }
    for (size_t r = r0, k = 1; r < n && !rc; r += k, k = k % 11 + 1) {
        sk_table t;
        cols(&t);
        rows(&t, r, r + k < n ? r + k : n);
        rc = sk_results_stream_append(s, &t, err, sizeof err);
        sk_table_fini(&t);
    }
    if (!rc && sk_results_stream_rows(s) != (int64_t)n) rc = -999;
    if (rc) {
        fprintf(stderr, "  append: %d %s\n", rc, err);
        sk_results_stream_abort(s);
    } else if ((rc = sk_results_stream_commit(s, err, sizeof err)) < 0) {
        fprintf(stderr, "  commit: %s\n", err);
    }
    sk_table_fini(&c);
    return rc;
}

/* Whether tables a and b hold the same columns and values, bit for bit. Prints the first difference. */
static int same_table(const sk_table *a, const sk_table *b) {
    if (a->ncols != b->ncols) return fprintf(stderr, "  ncols %zu vs %zu\n", a->ncols, b->ncols), 0;
    for (size_t i = 0; i < a->ncols; i++) {
        const sk_table_col *x = &a->cols[i], *y = &b->cols[i];
        if (strcmp(x->name, y->name) || x->type != y->type || x->n != y->n)
            return fprintf(stderr, "  column %zu: %s/%d/%zu vs %s/%d/%zu\n", i, x->name, x->type, x->n, y->name, y->type, y->n), 0;
        for (size_t r = 0; r < x->n; r++) {
            int eq = x->type == SK_TABLE_STR ? !strcmp(x->v.str[r], y->v.str[r])
                                             : !memcmp((const char *)x->v.any + 8 * r, (const char *)y->v.any + 8 * r, 8);
            if (!eq) return fprintf(stderr, "  column %s row %zu differs\n", x->name, r), 0;
        }
    }
    return 1;
}

static int same_meta(const sk_results_meta *a, const sk_results_meta *b) {
    return a->schema_version == b->schema_version && !strcmp(a->tool_version, b->tool_version) &&
           !strcmp(a->git_sha, b->git_sha) && !strcmp(a->command_line, b->command_line) &&
           !strcmp(a->config_yaml, b->config_yaml) && !strcmp(a->config_sha256, b->config_sha256) &&
           a->master_seed == b->master_seed;
}

/* Read both files back and compare meta and /summary bit for bit. */
static int same_files(const char *p, const char *q) {
    sk_results_meta ma, mb;
    sk_table a, b;
    char err[512];
    if (sk_results_read(p, &ma, &a, err, sizeof err) < 0) return fprintf(stderr, "  %s\n", err), 0;
    if (sk_results_read(q, &mb, &b, err, sizeof err) < 0) {
        sk_results_meta_fini(&ma);
        sk_table_fini(&a);
        return fprintf(stderr, "  %s\n", err), 0;
    }
    int ok = same_meta(&ma, &mb) && same_table(&a, &b);
    sk_results_meta_fini(&ma);
    sk_results_meta_fini(&mb);
    sk_table_fini(&a);
    sk_table_fini(&b);
    return ok;
}

/* Stream n rows with chunk 8 and compare with sk_results_write of the same table. */
static int equal_for(size_t n, size_t chunk) {
    const char *d = tdir("eq");
    char pw[300], ps[300];
    snprintf(pw, sizeof pw, "%s/whole.h5", d);
    snprintf(ps, sizeof ps, "%s/stream.h5", d);
    sk_table t;
    whole(&t, n);
    char err[512];
    int ok = sk_results_write(pw, &sk_t_meta, &t, err, sizeof err) == 0;
    sk_table_fini(&t);
    ok = ok && stream_rows(ps, n, chunk, NULL, 0) == 0 && same_files(pw, ps) && count_entries(d) == 2;
    rmdir_all(d);
    return ok;
}

static void test_equal_small(void) {
    ASSERT_TRUE(equal_for(0, 8));
    ASSERT_TRUE(equal_for(1, 8));
}

static void test_equal_chunk_edges(void) {
    ASSERT_TRUE(equal_for(7, 8));
    ASSERT_TRUE(equal_for(8, 8));
    ASSERT_TRUE(equal_for(9, 8));
    ASSERT_TRUE(equal_for(16, 8));
    ASSERT_TRUE(equal_for(17, 8));
    ASSERT_TRUE(equal_for(1000, 8));
    ASSERT_TRUE(equal_for(1000, 0)); /* the default chunk: one partial chunk */
    ASSERT_TRUE(equal_for(5000, 4096));
}

/* The stream's file has the layout: extendible chunked datasets with Fletcher32, string width. */
static void test_layout(void) {
    const char *d = tdir("layout");
    char p[300];
    snprintf(p, sizeof p, "%s/r.h5", d);
    ASSERT_TRUE(stream_rows(p, 20, 8, NULL, 0) == 0);
    sk_results_reader *r;
    char err[512];
    ASSERT_EQ_INT(sk_results_reader_open(&r, p, err, sizeof err), 0);
    ASSERT_EQ_I64(sk_results_reader_rows(r), 20);
    ASSERT_EQ_U64(sk_results_reader_meta(r)->master_seed, 18364758544493064720ull);
    sk_results_reader_close(r);
    /* every /summary dataset: 1-D of 20 rows, unlimited, chunks of 8, Fletcher32; strings 12+1 */
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_TRUE(f >= 0);
    static const char *names[] = {"run", "seed", "cost", "label", "st"};
    static const size_t strsize[] = {0, 0, 0, 13, 4};
    for (int i = 0; i < 5; i++) {
        char dp[64];
        snprintf(dp, sizeof dp, "/summary/%s", names[i]);
        hid_t ds = H5Dopen2(f, dp, H5P_DEFAULT), sp = H5Dget_space(ds), pl = H5Dget_create_plist(ds);
        hid_t ty = H5Dget_type(ds);
        hsize_t dims[1], maxd[1], chunk[1];
        unsigned flags;
        size_t nelm = 0;
        ASSERT_EQ_INT(H5Sget_simple_extent_dims(sp, dims, maxd), 1);
        ASSERT_EQ_U64(dims[0], 20);
        ASSERT_TRUE(maxd[0] == H5S_UNLIMITED);
        ASSERT_EQ_INT(H5Pget_chunk(pl, 1, chunk), 1);
        ASSERT_EQ_U64(chunk[0], 8);
        ASSERT_EQ_INT(H5Pget_nfilters(pl), 1);
        ASSERT_EQ_INT(H5Pget_filter2(pl, 0, &flags, &nelm, NULL, 0, NULL, NULL), H5Z_FILTER_FLETCHER32);
        if (strsize[i]) ASSERT_EQ_U64(H5Tget_size(ty), strsize[i]);
        else ASSERT_EQ_U64(H5Tget_size(ty), 8);
        H5Tclose(ty);
        H5Pclose(pl);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Fclose(f);
    rmdir_all(d);
}

/* Commit part of the rows, open again with append_from, append the rest: the same file as one
 * write; /runs copied; append_from a file sk_results_write made (fixed-size datasets). */
static void test_append_from(void) {
    const char *d = tdir("append");
    char pw[300], ps[300], p2[300];
    snprintf(pw, sizeof pw, "%s/whole.h5", d);
    snprintf(ps, sizeof ps, "%s/stream.h5", d);
    snprintf(p2, sizeof p2, "%s/from_write.h5", d);
    sk_table t, ser;
    whole(&t, 45);
    char err[512];
    sk_table_init(&ser);
    sk_table_add_col(&ser, "t", SK_TABLE_F64);
    for (int i = 0; i < 5; i++) sk_table_push_f64(&ser, 0, i * 0.5);
    sk_results_series sr = {"3", &ser};
    ASSERT_EQ_INT(sk_results_write_runs(pw, &sk_t_meta, &t, &sr, 1, err, sizeof err), 0);
    /* 13 rows, committed with a series; then 13 more; then the rest */
    sk_table c;
    cols(&c);
    sk_results_stream_cfg cfg = cfg_of(ps, &c, 8);
    sk_results_stream *s;
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    sk_table part;
    cols(&part);
    rows(&part, 0, 13);
    ASSERT_EQ_INT(sk_results_stream_append(s, &part, err, sizeof err), 0);
    sk_table_fini(&part);
    ASSERT_EQ_INT(sk_results_stream_series(s, "3", &ser, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_stream_series(s, "3", &ser, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_results_stream_commit(s, err, sizeof err), 0);
    ASSERT_EQ_INT(stream_rows(ps, 26, 8, ps, 13), 0);
    ASSERT_EQ_INT(stream_rows(ps, 45, 5, ps, 26), 0);
    ASSERT_TRUE(same_files(pw, ps));
    sk_table s1, s2;
    ASSERT_EQ_INT(sk_results_read_series(ps, "3", &s1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read_series(pw, "3", &s2, err, sizeof err), 0);
    ASSERT_TRUE(same_table(&s1, &s2));
    sk_table_fini(&s1);
    sk_table_fini(&s2);
    /* continuing a file that sk_results_write made */
    sk_table first;
    whole(&first, 30);
    ASSERT_EQ_INT(sk_results_write(p2, &sk_t_meta, &first, err, sizeof err), 0);
    sk_table_fini(&first);
    ASSERT_EQ_INT(stream_rows(p2, 45, 8, p2, 30), 0);
    ASSERT_TRUE(same_files(pw, p2));
    /* append_from of other columns is refused, naming the column; nothing is left behind */
    sk_table other;
    cols(&other);
    other.cols[1].type = SK_TABLE_F64; /* 'seed' a double (no values yet) */
    cfg = cfg_of(p2, &other, 8);
    cfg.append_from = pw;
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "'seed'");
    ASSERT_STR_CONTAINS(err, "whole.h5");
    ASSERT_TRUE(s == NULL);
    /* a narrower string column than the committed values is refused too */
    static const size_t narrow[] = {0, 0, 0, 4, 3};
    cfg = cfg_of(p2, &c, 8);
    cfg.str_width = narrow;
    cfg.append_from = pw;
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "'label'");
    ASSERT_EQ_INT(count_entries(d), 3);
    ASSERT_TRUE(same_files(pw, p2)); /* untouched */
    sk_table_fini(&other);
    sk_table_fini(&c);
    sk_table_fini(&ser);
    sk_table_fini(&t);
    rmdir_all(d);
}

/* A value wider than its column is refused, naming the column, and the stream goes on unchanged. */
static void test_too_long(void) {
    const char *d = tdir("long");
    char p[300], pw[300];
    snprintf(p, sizeof p, "%s/r.h5", d);
    snprintf(pw, sizeof pw, "%s/w.h5", d);
    sk_table c;
    cols(&c);
    sk_results_stream_cfg cfg = cfg_of(p, &c, 4);
    sk_results_stream *s;
    char err[512];
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    sk_table t;
    cols(&t);
    rows(&t, 0, 3);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
    sk_table_fini(&t);
    cols(&t);
    rows(&t, 3, 6);
    free(t.cols[4].v.str[1]);
    t.cols[4].v.str[1] = strdup("four"); /* width 3 */
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "'st'");
    ASSERT_EQ_I64(sk_results_stream_rows(s), 3);
    sk_table_fini(&t);
    /* a table of other columns is refused */
    sk_table_init(&t);
    sk_table_add_col(&t, "run", SK_TABLE_I64);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), SK_EDATA);
    sk_table_fini(&t);
    cols(&t);
    rows(&t, 3, 9);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
    sk_table_fini(&t);
    ASSERT_EQ_INT(sk_results_stream_commit(s, err, sizeof err), 0);
    whole(&t, 9);
    ASSERT_EQ_INT(sk_results_write(pw, &sk_t_meta, &t, err, sizeof err), 0);
    sk_table_fini(&t);
    ASSERT_TRUE(same_files(p, pw));
    /* bad configurations: a string column without a width, a repeated name */
    cfg.str_width = NULL;
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "'label'");
    sk_table_fini(&c);
    rmdir_all(d);
}

/* Abort leaves nothing; an existing path is untouched by an abort. */
static void test_abort(void) {
    const char *d = tdir("abort");
    char p[300];
    snprintf(p, sizeof p, "%s/r.h5", d);
    sk_table c, t;
    cols(&c);
    sk_results_stream_cfg cfg = cfg_of(p, &c, 8);
    sk_results_stream *s;
    char err[512];
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(count_entries(d), 1); /* the temporary file */
    cols(&t);
    rows(&t, 0, 20);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
    sk_results_stream_abort(s);
    sk_results_stream_abort(NULL);
    ASSERT_EQ_INT(count_entries(d), 0);
    /* over a committed file: abort keeps it */
    ASSERT_EQ_INT(stream_rows(p, 5, 8, NULL, 0), 0);
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
    sk_results_stream_abort(s);
    sk_table back;
    ASSERT_EQ_INT(sk_results_read(p, NULL, &back, err, sizeof err), 0);
    ASSERT_EQ_I64(sk_table_nrows(&back), 5);
    sk_table_fini(&back);
    ASSERT_EQ_INT(count_entries(d), 1);
    sk_table_fini(&t);
    sk_table_fini(&c);
    rmdir_all(d);
}

/* A commit that cannot rename (path is a folder; or the folder turned read-only, when not root)
 * fails with SK_EIO, leaves path as it was and no temporary file; a missing folder fails at open. */
static void test_commit_fails(void) {
    const char *d = tdir("commit");
    char p[300], sub[300], keep[400];
    snprintf(p, sizeof p, "%s/r.h5", d);
    snprintf(keep, sizeof keep, "%s/r.h5/keep", d);
    if (mkdir(p, 0755) != 0) abort();
    FILE *f = fopen(keep, "w");
    fputs("keep\n", f);
    fclose(f);
    sk_table c, t;
    cols(&c);
    cols(&t);
    rows(&t, 0, 20);
    sk_results_stream_cfg cfg = cfg_of(p, &c, 8);
    sk_results_stream *s;
    char err[512];
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_stream_commit(s, err, sizeof err), SK_EIO);
    ASSERT_STR_CONTAINS(err, "r.h5");
    ASSERT_EQ_INT(count_entries(d), 1); /* the folder r.h5 only */
    ASSERT_EQ_INT(count_entries(p), 1);
    /* a folder that does not exist */
    snprintf(sub, sizeof sub, "%s/nodir/r.h5", d);
    cfg.path = sub;
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), SK_ECANTCREAT);
    ASSERT_TRUE(s == NULL);
    /* a folder made read-only after open (permissions bind only when not root) */
    if (geteuid() != 0) {
        snprintf(sub, sizeof sub, "%s/ro", d);
        mkdir(sub, 0755);
        snprintf(p, sizeof p, "%s/ro/r.h5", d);
        ASSERT_EQ_INT(stream_rows(p, 5, 8, NULL, 0), 0);
        cfg.path = p;
        ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_results_stream_append(s, &t, err, sizeof err), 0);
        chmod(sub, 0555);
        ASSERT_EQ_INT(sk_results_stream_commit(s, err, sizeof err), SK_EIO);
        chmod(sub, 0755);
        sk_table back;
        ASSERT_EQ_INT(sk_results_read(p, NULL, &back, err, sizeof err), 0);
        ASSERT_EQ_I64(sk_table_nrows(&back), 5);
        sk_table_fini(&back);
    }
    sk_table_fini(&t);
    sk_table_fini(&c);
    rmdir_all(d);
}

/* Temporary files of dead processes are removed at open; those of live ones and other names stay. */
static void test_stale(void) {
    const char *d = tdir("stale");
    char p[300], dead[400], live[400], other[400], bare[400];
    snprintf(p, sizeof p, "%s/r.h5", d);
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0); /* a pid that is (almost surely) free now */
    snprintf(dead, sizeof dead, "%s/r.h5.tmp.%ld.AbC123", d, (long)child);
    snprintf(bare, sizeof bare, "%s/r.h5.tmp.%ld", d, (long)child);
    snprintf(live, sizeof live, "%s/r.h5.tmp.%ld.XyZ789", d, (long)getppid());
    snprintf(other, sizeof other, "%s/r.h5x.tmp.%ld.AbC123", d, (long)child);
    const char *all[] = {dead, bare, live, other};
    for (int i = 0; i < 4; i++) fclose(fopen(all[i], "w"));
    sk_table c;
    cols(&c);
    sk_results_stream_cfg cfg = cfg_of(p, &c, 8);
    sk_results_stream *s;
    char err[512];
    ASSERT_EQ_INT(sk_results_stream_open(&s, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(access(dead, F_OK), -1);
    ASSERT_EQ_INT(access(bare, F_OK), -1);
    ASSERT_EQ_INT(access(live, F_OK), 0);
    ASSERT_EQ_INT(access(other, F_OK), 0);
    ASSERT_EQ_INT(sk_results_stream_clean(p), 0); /* its own temporary file stays */
    ASSERT_EQ_INT(count_entries(d), 3);
    ASSERT_EQ_INT(sk_results_stream_commit(s, err, sizeof err), 0);
    ASSERT_EQ_INT(count_entries(d), 3);
    sk_table_fini(&c);
    rmdir_all(d);
}

/* The block reader: every block equals the slice of the whole table; bounds. */
static void test_reader_blocks(void) {
    const char *d = tdir("blocks");
    char p[300];
    snprintf(p, sizeof p, "%s/r.h5", d);
    sk_table t;
    whole(&t, 50);
    char err[512];
    ASSERT_EQ_INT(sk_results_write(p, &sk_t_meta, &t, err, sizeof err), 0);
    sk_results_reader *r;
    ASSERT_EQ_INT(sk_results_reader_open(&r, p, err, sizeof err), 0);
    ASSERT_EQ_I64(sk_results_reader_rows(r), 50);
    for (size_t first = 0; first <= 50; first += 7) {
        sk_table blk, want;
        ASSERT_EQ_INT(sk_results_reader_read(r, (int64_t)first, 7, &blk, err, sizeof err), 0);
        cols(&want);
        rows(&want, first, first + 7 < 50 ? first + 7 : 50);
        ASSERT_TRUE(same_table(&blk, &want));
        sk_table_fini(&blk);
        sk_table_fini(&want);
    }
    sk_table blk;
    ASSERT_EQ_INT(sk_results_reader_read(r, 51, 1, &blk, err, sizeof err), SK_EUSAGE);
    ASSERT_EQ_INT(blk.ncols, 0);
    ASSERT_EQ_INT(sk_results_reader_read(r, -1, 1, &blk, err, sizeof err), SK_EUSAGE);
    sk_results_reader_close(r);
    ASSERT_EQ_INT(sk_results_read_rows(p, 45, 100, &blk, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_table_nrows(&blk), 5);
    ASSERT_EQ_I64(blk.cols[0].v.i64[0], t.cols[0].v.i64[45]);
    sk_table_fini(&blk);
    ASSERT_EQ_INT(sk_results_reader_open(&r, "/nonexistent/x.h5", err, sizeof err), SK_ENOINPUT);
    ASSERT_TRUE(r == NULL);
    sk_table_fini(&t);
    rmdir_all(d);
}

static const sk_test sk_tests[] = {
    {"equal_small", test_equal_small},
    {"equal_chunk_edges", test_equal_chunk_edges},
    {"layout", test_layout},
    {"append_from", test_append_from},
    {"too_long", test_too_long},
    {"abort", test_abort},
    {"commit_fails", test_commit_fails},
    {"stale", test_stale},
    {"reader_blocks", test_reader_blocks},
    {NULL, NULL},
};

/* ---- modes ------------------------------------------------------------------------------------ */

/* DIR/whole.h5: n rows written whole, with the same table as the series /runs/all (which export
 * reads whole, not in blocks); DIR/stream.h5: the same rows streamed in chunks of 7. */
static int mode_pair(const char *dir, long n) {
    char pw[300], ps[300], err[512];
    snprintf(pw, sizeof pw, "%s/whole.h5", dir);
    snprintf(ps, sizeof ps, "%s/stream.h5", dir);
    sk_table t;
    whole(&t, (size_t)n);
    sk_results_series all = {"all", &t};
    int rc = sk_results_write_runs(pw, &sk_t_meta, &t, &all, 1, err, sizeof err);
    sk_table_fini(&t);
    if (rc < 0) return fprintf(stderr, "%s\n", err), 1;
    return stream_rows(ps, (size_t)n, 7, NULL, 0) < 0;
}

/* A Can't Be Late sweep's /summary: 4 int64, 1 uint64, 5 strings, 21 doubles. */
static const char *const sk_bench_i64[] = {"run", "window", "deadline_idx", "changeover_idx"};
static const char *const sk_bench_str[] = {"policy", "trace", "region", "gpu", "status"};
static const size_t sk_bench_w[] = {16, 48, 16, 8, 32};
#define SK_BENCH_NF64 21

/* The bench columns, empty. */
static void bench_cols(sk_table *c, size_t *width) {
    char name[32];
    sk_table_init(c);
    for (int i = 0; i < 4; i++) sk_table_add_col(c, sk_bench_i64[i], SK_TABLE_I64);
    sk_table_add_col(c, "seed", SK_TABLE_U64);
    for (int i = 0; i < 5; i++) {
        if (width) width[c->ncols] = sk_bench_w[i];
        sk_table_add_col(c, sk_bench_str[i], SK_TABLE_STR);
    }
    for (int i = 0; i < SK_BENCH_NF64; i++) {
        snprintf(name, sizeof name, "m%02d", i);
        sk_table_add_col(c, name, SK_TABLE_F64);
    }
}

/* Rows [r0, r1) of the synthetic sweep; *x: the generator's state. */
static void bench_rows(sk_table *t, long r0, long r1, uint64_t *x) {
    static const char *pol[] = {"greedy", "uniform_progress", "omniscient", "on_demand"};
    char name[48];
    for (long r = r0; r < r1; r++) {
        sk_table_push_i64(t, 0, r);
        sk_table_push_i64(t, 1, r % 8000);
        sk_table_push_i64(t, 2, r / 8000 % 25);
        sk_table_push_i64(t, 3, r / 200000);
        sk_table_push_u64(t, 4, *x ^ (uint64_t)r);
        sk_table_push_str(t, 5, pol[r % 4]);
        snprintf(name, sizeof name, "us-west-2c_v100_%ld.json", r % 3 + 1);
        sk_table_push_str(t, 6, name);
        sk_table_push_str(t, 7, "us-west-2");
        sk_table_push_str(t, 8, "v100");
        sk_table_push_str(t, 9, r % 97 ? "ok" : "deadline missed");
        for (int i = 0; i < SK_BENCH_NF64; i++) {
            *x = *x * 6364136223846793005ull + 1442695040888963407ull;
            sk_table_push_f64(t, 10 + (size_t)i, (double)(*x >> 11) * 0x1p-53 * (i + 1));
        }
    }
}

/* Write n synthetic rows to path: streamed in appends of 1000 rows (the runner appends finished
 * runs in batches), or (`whole`) held as one table and given to sk_results_write. */
static int mode_bench(long n, const char *path, int whole_table) {
    sk_table c;
    size_t width[31] = {0};
    bench_cols(&c, width);
    char err[512];
    uint64_t x = 0x853c49e6748fea9bull;
    int rc = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (whole_table) {
        bench_rows(&c, 0, n, &x);
        rc = sk_results_write(path, &sk_t_meta, &c, err, sizeof err);
    } else {
        sk_results_stream_cfg cfg = {path, &sk_t_meta, &c, width, 0, NULL};
        sk_results_stream *s;
        if ((rc = sk_results_stream_open(&s, &cfg, err, sizeof err)) < 0) goto done;
        for (long r0 = 0; r0 < n && !rc; r0 += 1000) {
            sk_table t;
            bench_cols(&t, NULL);
            bench_rows(&t, r0, r0 + 1000 < n ? r0 + 1000 : n, &x);
            rc = sk_results_stream_append(s, &t, err, sizeof err);
            sk_table_fini(&t);
        }
        if (rc < 0) sk_results_stream_abort(s);
        else rc = sk_results_stream_commit(s, err, sizeof err);
    }
done:
    if (rc < 0) {
        sk_table_fini(&c);
        return fprintf(stderr, "%s\n", err), 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct stat st;
    stat(path, &st);
    printf("%s rows=%ld columns=%zu wall_s=%.3f rows_per_s=%.0f peak_rss_mib=%.1f file_mib=%.1f bytes_per_row=%.1f\n",
           whole_table ? "whole" : "stream", n, c.ncols, wall, (double)n / wall,
           (double)ru.ru_maxrss / 1024.0, (double)st.st_size / 1048576.0,
           (double)st.st_size / (double)(n ? n : 1));
    sk_table_fini(&c);
    return 0;
}

/* Open FILE (bench columns) again with append_from = FILE and commit: the cost of making progress
 * durable by commit and reopen, which copies the committed rows. */
static int mode_reopen(const char *path) {
    sk_table c;
    size_t width[31] = {0};
    bench_cols(&c, width);
    char err[512];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sk_results_stream_cfg cfg = {path, &sk_t_meta, &c, width, 0, path};
    sk_results_stream *s;
    int rc = sk_results_stream_open(&s, &cfg, err, sizeof err);
    int64_t n = rc < 0 ? 0 : sk_results_stream_rows(s);
    if (rc == 0) rc = sk_results_stream_commit(s, err, sizeof err);
    sk_table_fini(&c);
    if (rc < 0) return fprintf(stderr, "%s\n", err), 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("reopen rows=%lld wall_s=%.3f peak_rss_mib=%.1f\n", (long long)n,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
           (double)ru.ru_maxrss / 1024.0);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "--pair")) return mode_pair(argv[2], atol(argv[3]));
    if (argc == 4 && !strcmp(argv[1], "--bench")) return mode_bench(atol(argv[2]), argv[3], 0);
    if (argc == 3 && !strcmp(argv[1], "--reopen")) return mode_reopen(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "--bench-whole")) return mode_bench(atol(argv[2]), argv[3], 1);
    return sk_test_main(sk_tests, argc, argv);
}
