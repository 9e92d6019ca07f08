/* test_results.c - results files: round trips, series layout, atomic writes, read errors, merge
 * (sorted by run when there is a run column). */
#include "io/sk_results.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

static char t_dir[64]; /* fresh folder for this run, removed at the end */

static const char *t_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", t_dir, name);
    return buf;
}

/* Deterministic test RNG (splitmix64). */
static uint64_t t_state = 777;
static uint64_t t_rand(void) {
    uint64_t z = (t_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static const sk_results_meta t_meta = {
    0, "0.1.0", "abc123def456-dirty", "synkti run experiments/x.yaml --seed 42",
    "scenario:\n  fleet: 8\n  price: spot\n", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    0xFEDCBA9876543210ULL};

/* Rows with every column type; column names deliberately not in alphabetical order. */
static void t_fill(sk_table *t, size_t rows, int64_t first_id) {
    sk_table_init(t);
    int id = sk_table_add_col(t, "run_id", SK_TABLE_I64);
    int seed = sk_table_add_col(t, "seed", SK_TABLE_U64);
    int cost = sk_table_add_col(t, "cost", SK_TABLE_F64);
    int pol = sk_table_add_col(t, "policy", SK_TABLE_STR);
    for (size_t r = 0; r < rows; r++) {
        char s[40];
        uint64_t x = t_rand();
        double d = (double)(int64_t)x / 1e6;
        if (r % 97 == 3) d = NAN;
        if (r % 101 == 5) d = -INFINITY;
        if (r % 89 == 7) d = -0.0;
        if (r % 5 == 0) s[0] = '\0';
        else snprintf(s, sizeof s, "policy-%" PRIu64, x % (r + 1) * 1000003);
        sk_table_push_i64(t, (size_t)id, first_id + (int64_t)r * (r % 2 ? -1 : 1));
        sk_table_push_u64(t, (size_t)seed, x);
        sk_table_push_f64(t, (size_t)cost, d);
        sk_table_push_str(t, (size_t)pol, s);
    }
}

/* 1 if a and b have the same columns (order, names, types) and bitwise-equal values. */
static int t_tables_equal(const sk_table *a, const sk_table *b) {
    if (a->ncols != b->ncols) return 0;
    for (size_t i = 0; i < a->ncols; i++) {
        const sk_table_col *x = &a->cols[i], *y = &b->cols[i];
        if (strcmp(x->name, y->name) || x->type != y->type || x->n != y->n) return 0;
        for (size_t r = 0; r < x->n; r++) {
            if (x->type == SK_TABLE_STR ? strcmp(x->v.str[r], y->v.str[r]) != 0
                                        : memcmp(&x->v.u64[r], &y->v.u64[r], 8) != 0)
                return 0;
        }
    }
    return 1;
}

/* Number of entries in t_dir whose name contains ".tmp.". */
static int t_count_tmp(void) {
    int n = 0;
    DIR *d = opendir(t_dir);
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* Whole file into a malloc'd buffer; *len its size. NULL if unreadable. */
static char *t_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

static void test_table_api(void) {
    sk_table t;
    sk_table_init(&t);
    ASSERT_EQ_INT(sk_table_add_col(&t, "a", SK_TABLE_I64), 0);
    ASSERT_EQ_INT(sk_table_add_col(&t, "b", SK_TABLE_STR), 1);
    ASSERT_EQ_INT(sk_table_add_col(&t, "a", SK_TABLE_F64), SK_EDATA); /* duplicate */
    ASSERT_EQ_INT(sk_table_add_col(&t, "x/y", SK_TABLE_F64), SK_EDATA);
    ASSERT_EQ_INT(sk_table_add_col(&t, "", SK_TABLE_F64), SK_EDATA);
    ASSERT_EQ_INT(sk_table_push_f64(&t, 0, 1.0), SK_EDATA); /* wrong type */
    ASSERT_EQ_INT(sk_table_push_i64(&t, 5, 1), SK_EDATA);   /* no such column */
    ASSERT_EQ_INT(sk_table_nrows(&t), 0);
    ASSERT_EQ_INT(sk_table_push_i64(&t, 0, -3), 0);
    ASSERT_EQ_INT(sk_table_nrows(&t), SK_EDATA);
    ASSERT_EQ_INT(sk_table_push_str(&t, 1, NULL), 0);
    ASSERT_EQ_INT(sk_table_nrows(&t), 1);
    ASSERT_TRUE(!strcmp(t.cols[1].v.str[0], ""));
    ASSERT_EQ_INT(sk_table_find(&t, "b"), 1);
    ASSERT_EQ_INT(sk_table_find(&t, "c"), SK_ENOENT);
    sk_table_fini(&t);
    ASSERT_EQ_U64(t.ncols, 0);
}

static void test_round_trip(void) {
    char p[128], err[512] = "";
    t_path(p, sizeof p, "rt.h5");
    sk_table t, back;
    sk_results_meta m;
    t_fill(&t, 1000, -500);
    ASSERT_EQ_INT(sk_results_write(p, &t_meta, &t, err, sizeof err), 0);
    ASSERT_EQ_INT(t_count_tmp(), 0);
    int rc = sk_results_read(p, &m, &back, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(sk_table_nrows(&back), 1000);
    ASSERT_TRUE(!strcmp(back.cols[0].name, "run_id") && !strcmp(back.cols[3].name, "policy"));
    ASSERT_TRUE(t_tables_equal(&t, &back));
    ASSERT_TRUE(isnan(back.cols[2].v.f64[3]));
    ASSERT_EQ_INT(m.schema_version, SK_RESULTS_SCHEMA_VERSION);
    ASSERT_TRUE(!strcmp(m.tool_version, t_meta.tool_version));
    ASSERT_TRUE(!strcmp(m.git_sha, t_meta.git_sha));
    ASSERT_TRUE(!strcmp(m.command_line, t_meta.command_line));
    ASSERT_TRUE(!strcmp(m.config_yaml, t_meta.config_yaml));
    ASSERT_TRUE(!strcmp(m.config_sha256, t_meta.config_sha256));
    ASSERT_EQ_U64(m.master_seed, t_meta.master_seed);
    sk_results_meta_fini(&m);
    sk_table_fini(&back);

    /* The string column is fixed-length, NUL-terminated, longest + 1 bytes. */
    size_t longest = 0;
    for (size_t r = 0; r < t.cols[3].n; r++)
        if (strlen(t.cols[3].v.str[r]) > longest) longest = strlen(t.cols[3].v.str[r]);
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/summary/policy", H5P_DEFAULT);
    hid_t ty = H5Dget_type(ds);
    ASSERT_TRUE(H5Tis_variable_str(ty) == 0);
    ASSERT_EQ_U64(H5Tget_size(ty), longest + 1);
    ASSERT_EQ_INT(H5Tget_strpad(ty), H5T_STR_NULLTERM);
    H5Tclose(ty);
    H5Dclose(ds);
    H5Fclose(f);

    /* Overwriting an existing file and NULL meta strings both work; an empty table too. */
    sk_table e;
    sk_table_init(&e);
    sk_table_add_col(&e, "only", SK_TABLE_STR);
    sk_results_meta blank = {0};
    ASSERT_EQ_INT(sk_results_write(p, &blank, &e, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read(p, &m, &back, err, sizeof err), 0);
    ASSERT_EQ_U64(back.ncols, 1);
    ASSERT_EQ_U64(sk_table_nrows(&back), 0);
    ASSERT_TRUE(!strcmp(m.git_sha, "") && m.master_seed == 0);
    sk_results_meta_fini(&m);
    sk_table_fini(&back);
    sk_table_fini(&e);
    sk_table_fini(&t);
}

/* Layout checks on /runs/<id>/<col>: chunked, deflated, chunk = min(rows, 4096) >= 1. */
static void t_check_chunked(const char *p, const char *dset, hsize_t want_chunk) {
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, dset, H5P_DEFAULT);
    ASSERT_TRUE(ds >= 0);
    hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[1] = {0};
    unsigned flags, cd[8];
    size_t ncd = 8;
    ASSERT_EQ_INT(H5Pget_layout(dcpl), H5D_CHUNKED);
    ASSERT_TRUE(H5Pget_nfilters(dcpl) >= 1);
    ASSERT_EQ_INT(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL), H5Z_FILTER_DEFLATE);
    ASSERT_EQ_INT(H5Pget_chunk(dcpl, 1, chunk), 1);
    ASSERT_EQ_U64(chunk[0], want_chunk);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(f);
}

static void test_series(void) {
    char p[128], err[512] = "";
    t_path(p, sizeof p, "series.h5");
    sk_table sum, big, small, empty, back;
    t_fill(&sum, 3, 0);
    t_fill(&big, 10000, 7);
    t_fill(&small, 17, 1);
    t_fill(&empty, 0, 0);
    sk_results_series s[] = {{"big", &big}, {"7", &small}, {"empty", &empty}};
    int rc = sk_results_write_runs(p, &t_meta, &sum, s, 3, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    for (size_t i = 0; i < 3; i++) {
        rc = sk_results_read_series(p, s[i].run_id, &back, err, sizeof err);
        if (rc) fprintf(stderr, "  %s\n", err);
        ASSERT_EQ_INT(rc, 0);
        ASSERT_TRUE(t_tables_equal(s[i].series, &back));
        ASSERT_EQ_U64(back.ncols, 4);
        sk_table_fini(&back);
    }
    t_check_chunked(p, "/runs/big/cost", 4096);
    t_check_chunked(p, "/runs/7/policy", 17);
    t_check_chunked(p, "/runs/empty/seed", 1);
    ASSERT_EQ_INT(sk_results_read_series(p, "nope", &back, err, sizeof err), SK_ENOENT);
    ASSERT_EQ_U64(back.ncols, 0);

    /* Two series with one id are refused before anything is written. */
    char p2[128];
    t_path(p2, sizeof p2, "dup.h5");
    sk_results_series d[] = {{"a", &small}, {"a", &small}};
    ASSERT_EQ_INT(sk_results_write_runs(p2, &t_meta, &sum, d, 2, err, sizeof err), SK_EDATA);
    ASSERT_TRUE(access(p2, F_OK) != 0);
    sk_table_fini(&sum);
    sk_table_fini(&big);
    sk_table_fini(&small);
    sk_table_fini(&empty);
}

static void test_atomic(void) {
    char p[128], bad[160], err[512] = "";
    sk_table t;
    t_fill(&t, 10, 0);

    /* A folder that does not exist: error, nothing created. */
    snprintf(bad, sizeof bad, "%s/no-such-dir/x.h5", t_dir);
    int rc = sk_results_write(bad, &t_meta, &t, err, sizeof err);
    ASSERT_TRUE(rc == SK_ECANTCREAT || rc == SK_EIO);
    ASSERT_STR_CONTAINS(err, bad);
    snprintf(bad, sizeof bad, "%s/no-such-dir", t_dir);
    ASSERT_TRUE(access(bad, F_OK) != 0);
    ASSERT_EQ_INT(t_count_tmp(), 0);

    /* A failing write leaves the existing file byte-identical and no temporary file. */
    t_path(p, sizeof p, "keep.h5");
    ASSERT_EQ_INT(sk_results_write(p, &t_meta, &t, err, sizeof err), 0);
    size_t len0, len1;
    char *before = t_slurp(p, &len0);
    ASSERT_TRUE(before != NULL);
    sk_table_push_f64(&t, 2, 1.5); /* "cost" now has one row more than the others */
    err[0] = '\0';
    ASSERT_EQ_INT(sk_results_write(p, &t_meta, &t, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_STR_CONTAINS(err, "cost");
    char *after = t_slurp(p, &len1);
    ASSERT_TRUE(after != NULL);
    ASSERT_EQ_U64(len1, len0);
    ASSERT_TRUE(memcmp(before, after, len0) == 0);
    ASSERT_EQ_INT(t_count_tmp(), 0);
    free(before);
    free(after);

    /* A failure after the temporary file exists (the target is a folder, so rename fails) also
     * removes it. */
    t_path(p, sizeof p, "a-folder.h5");
    ASSERT_EQ_INT(mkdir(p, 0700), 0);
    sk_table u;
    t_fill(&u, 4, 0);
    ASSERT_EQ_INT(sk_results_write(p, &t_meta, &u, err, sizeof err), SK_EIO);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_EQ_INT(t_count_tmp(), 0);
    rmdir(p);
    sk_table_fini(&u);
    sk_table_fini(&t);
}

static void test_read_errors(void) {
    char p[128], err[512] = "";
    sk_results_meta m;
    sk_table t;
    t_path(p, sizeof p, "missing.h5");
    ASSERT_EQ_INT(sk_results_read(p, &m, &t, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_EQ_U64(t.ncols, 0);
    ASSERT_TRUE(m.git_sha == NULL);

    t_path(p, sizeof p, "x.h5");
    FILE *f = fopen(p, "w");
    ASSERT_TRUE(f != NULL);
    fputs("this is not hdf5\n", f);
    fclose(f);
    err[0] = '\0';
    ASSERT_EQ_INT(sk_results_read(p, &m, &t, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, p);

    /* An HDF5 file without our layout. */
    t_path(p, sizeof p, "foreign.h5");
    hid_t h = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h);
    ASSERT_EQ_INT(sk_results_read(p, &m, &t, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "schema_version");
    ASSERT_EQ_INT(sk_results_read_series(p, "1", &t, err, sizeof err), SK_EDATA);
}

static void t_write_shard(const char *name, size_t rows, int64_t first, const char *sha,
                          const char *run_id, char *path, size_t plen) {
    char err[512] = "";
    sk_table t, s;
    sk_results_meta m = t_meta;
    m.config_sha256 = (char *)sha;
    t_path(path, plen, name);
    t_fill(&t, rows, first);
    t_fill(&s, 5, first);
    sk_results_series rs = {run_id, &s};
    int rc = sk_results_write_runs(path, &m, &t, &rs, 1, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    sk_table_fini(&t);
    sk_table_fini(&s);
}

static void test_merge(void) {
    char a[128], b[128], c[128], out[128], err[512] = "";
    t_write_shard("shard0.h5", 3, 0, "aaaa", "0", a, sizeof a);
    t_write_shard("shard1.h5", 4, 3, "aaaa", "1", b, sizeof b);
    t_write_shard("shard2.h5", 2, 7, "bbbb", "2", c, sizeof c);
    t_path(out, sizeof out, "merged.h5");

    const char *in[] = {a, b};
    int rc = sk_results_merge(in, 2, out, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    sk_table ta, tb, tm, expect, s;
    sk_results_meta m;
    ASSERT_EQ_INT(sk_results_read(a, NULL, &ta, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read(b, NULL, &tb, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read(out, &m, &tm, err, sizeof err), 0);
    ASSERT_EQ_U64(sk_table_nrows(&tm), 7);
    /* Expected: the concatenation, built independently through the public API. */
    sk_table_init(&expect);
    for (size_t i = 0; i < ta.ncols; i++) sk_table_add_col(&expect, ta.cols[i].name, ta.cols[i].type);
    const sk_table *parts[] = {&ta, &tb};
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; i < parts[k]->ncols; i++)
            for (size_t r = 0; r < parts[k]->cols[i].n; r++) {
                const sk_table_col *col = &parts[k]->cols[i];
                switch (col->type) {
                case SK_TABLE_I64: sk_table_push_i64(&expect, i, col->v.i64[r]); break;
                case SK_TABLE_U64: sk_table_push_u64(&expect, i, col->v.u64[r]); break;
                case SK_TABLE_F64: sk_table_push_f64(&expect, i, col->v.f64[r]); break;
                default: sk_table_push_str(&expect, i, col->v.str[r]);
                }
            }
    ASSERT_TRUE(t_tables_equal(&expect, &tm));
    ASSERT_EQ_I64(tm.cols[0].v.i64[3], 3); /* run_id kept, not renumbered */
    ASSERT_TRUE(!strcmp(m.config_sha256, "aaaa"));
    sk_results_meta_fini(&m);
    /* Both shards' runs were copied, still chunked and deflated. */
    ASSERT_EQ_INT(sk_results_read_series(out, "0", &s, err, sizeof err), 0);
    ASSERT_EQ_U64(sk_table_nrows(&s), 5);
    sk_table_fini(&s);
    ASSERT_EQ_INT(sk_results_read_series(out, "1", &s, err, sizeof err), 0);
    sk_table_fini(&s);
    t_check_chunked(out, "/runs/1/cost", 5);
    sk_table_fini(&expect);
    sk_table_fini(&ta);
    sk_table_fini(&tb);
    sk_table_fini(&tm);

    /* Different config: refused, naming the file, and no output. */
    char out2[128];
    t_path(out2, sizeof out2, "merged2.h5");
    const char *in2[] = {a, c};
    err[0] = '\0';
    ASSERT_EQ_INT(sk_results_merge(in2, 2, out2, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, c);
    ASSERT_STR_CONTAINS(err, "config_sha256");
    ASSERT_TRUE(access(out2, F_OK) != 0);

    /* Same run id in two shards: refused, output not created, no temporary file left. */
    const char *in3[] = {a, a};
    ASSERT_EQ_INT(sk_results_merge(in3, 2, out2, err, sizeof err), SK_EDATA);
    ASSERT_TRUE(access(out2, F_OK) != 0);
    ASSERT_EQ_INT(t_count_tmp(), 0);

    /* Different column types: refused. */
    char d[128];
    sk_table t;
    sk_table_init(&t);
    sk_table_add_col(&t, "run_id", SK_TABLE_F64);
    sk_table_add_col(&t, "seed", SK_TABLE_U64);
    sk_table_add_col(&t, "cost", SK_TABLE_F64);
    sk_table_add_col(&t, "policy", SK_TABLE_STR);
    sk_results_meta mm = t_meta;
    mm.config_sha256 = "aaaa";
    t_path(d, sizeof d, "shard3.h5");
    ASSERT_EQ_INT(sk_results_write(d, &mm, &t, err, sizeof err), 0);
    const char *in4[] = {a, d};
    ASSERT_EQ_INT(sk_results_merge(in4, 2, out2, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "run_id");
    ASSERT_TRUE(access(out2, F_OK) != 0);
    sk_table_fini(&t);

    /* A missing shard. */
    const char *in5[] = {a, "/nonexistent/shard.h5"};
    ASSERT_EQ_INT(sk_results_merge(in5, 2, out2, err, sizeof err), SK_ENOINPUT);
    ASSERT_EQ_INT(sk_results_merge(in5, 0, out2, err, sizeof err), SK_EUSAGE);
}

/* A shard of a sweep over runs 0..nruns-1 that holds runs r = k, k + m, k + 2m, ... (k/m as in
 * `--shard k/m`; 0/1 is the unsharded run), in the order given by `order` (1 ascending, -1
 * descending). Every value is a function of the run id, so shards and the whole agree. Extra runs
 * in `extra` (count nextra) are appended as-is, to make duplicates. */
static void t_write_sweep(const char *name, int64_t nruns, int64_t k, int64_t m, int order,
                          const int64_t *extra, size_t nextra, char *path, size_t plen) {
    char err[512] = "";
    sk_table t;
    sk_table_init(&t);
    int seed = sk_table_add_col(&t, "seed", SK_TABLE_U64);
    int run = sk_table_add_col(&t, "run", SK_TABLE_I64);
    int cost = sk_table_add_col(&t, "cost", SK_TABLE_F64);
    int pol = sk_table_add_col(&t, "policy", SK_TABLE_STR);
    size_t n = 0;
    int64_t ids[64];
    for (int64_t r = k; r < nruns; r += m) ids[n++] = r;
    if (order < 0)
        for (size_t i = 0; i < n / 2; i++) {
            int64_t x = ids[i];
            ids[i] = ids[n - 1 - i];
            ids[n - 1 - i] = x;
        }
    for (size_t i = 0; i < nextra; i++) ids[n++] = extra[i];
    for (size_t i = 0; i < n; i++) {
        int64_t r = ids[i];
        char s[32];
        snprintf(s, sizeof s, "p%" PRId64, r * 7);
        sk_table_push_u64(&t, (size_t)seed, 0x9E3779B97F4A7C15ULL * (uint64_t)(r + 1));
        sk_table_push_i64(&t, (size_t)run, r);
        sk_table_push_f64(&t, (size_t)cost, r % 3 ? 0.1 * (double)r : -0.0);
        sk_table_push_str(&t, (size_t)pol, s);
    }
    sk_results_meta mm = t_meta;
    mm.config_sha256 = "cccc";
    t_path(path, plen, name);
    if (sk_results_write(path, &mm, &t, err, sizeof err)) fprintf(stderr, "  %s\n", err);
    sk_table_fini(&t);
}

static void test_merge_sorts_runs(void) {
    char whole[128], s0[128], s1[128], s2[128], dup[128], self[128], out[128], err[512] = "";
    t_write_sweep("sweep_all.h5", 9, 0, 1, 1, NULL, 0, whole, sizeof whole);
    t_write_sweep("sweep_s0.h5", 9, 0, 3, 1, NULL, 0, s0, sizeof s0);  /* 0 3 6 */
    t_write_sweep("sweep_s1.h5", 9, 1, 3, -1, NULL, 0, s1, sizeof s1); /* 7 4 1 */
    t_write_sweep("sweep_s2.h5", 9, 2, 3, 1, NULL, 0, s2, sizeof s2);  /* 2 5 8 */
    t_path(out, sizeof out, "sweep_merged.h5");

    /* Shards in any order give the unsharded summary, bit for bit. */
    const char *in[] = {s2, s0, s1};
    int rc = sk_results_merge(in, 3, out, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    sk_table tw, tm;
    ASSERT_EQ_INT(sk_results_read(whole, NULL, &tw, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read(out, NULL, &tm, err, sizeof err), 0);
    ASSERT_EQ_U64(sk_table_nrows(&tm), 9);
    int run = sk_table_find(&tm, "run");
    ASSERT_TRUE(run >= 0);
    for (size_t r = 0; r < 9; r++) ASSERT_EQ_I64(tm.cols[run].v.i64[r], (int64_t)r);
    ASSERT_TRUE(t_tables_equal(&tw, &tm));
    sk_table_fini(&tw);
    sk_table_fini(&tm);

    /* Run 4 in two shards: refused naming both files; nothing created, no temporary left. */
    char out2[128];
    t_path(out2, sizeof out2, "sweep_merged2.h5");
    const int64_t four = 4;
    t_write_sweep("sweep_dup.h5", 9, 0, 3, 1, &four, 1, dup, sizeof dup); /* 0 3 6 4 */
    const char *in2[] = {dup, s1};
    err[0] = '\0';
    ASSERT_EQ_INT(sk_results_merge(in2, 2, out2, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, dup);
    ASSERT_STR_CONTAINS(err, s1);
    ASSERT_STR_CONTAINS(err, "run 4");
    ASSERT_TRUE(access(out2, F_OK) != 0);
    ASSERT_EQ_INT(t_count_tmp(), 0);

    /* A run twice inside one input, even a lone one. */
    const int64_t three = 3;
    t_write_sweep("sweep_self.h5", 9, 0, 3, 1, &three, 1, self, sizeof self); /* 0 3 6 3 */
    const char *in3[] = {self};
    err[0] = '\0';
    ASSERT_EQ_INT(sk_results_merge(in3, 1, out2, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, self);
    ASSERT_STR_CONTAINS(err, "run 3 twice");
    ASSERT_TRUE(access(out2, F_OK) != 0);

    /* A "run" column that is not int64 is left alone: concatenation order. */
    sk_table t;
    char f1[128], f2[128];
    sk_results_meta mm = t_meta;
    mm.config_sha256 = "dddd";
    for (int k = 0; k < 2; k++) {
        sk_table_init(&t);
        sk_table_add_col(&t, "run", SK_TABLE_F64);
        sk_table_push_f64(&t, 0, k ? 1.0 : 2.0);
        t_path(k ? f2 : f1, sizeof f1, k ? "frun2.h5" : "frun1.h5");
        ASSERT_EQ_INT(sk_results_write(k ? f2 : f1, &mm, &t, err, sizeof err), 0);
        sk_table_fini(&t);
    }
    const char *in4[] = {f1, f2};
    ASSERT_EQ_INT(sk_results_merge(in4, 2, out2, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_read(out2, NULL, &t, err, sizeof err), 0);
    ASSERT_TRUE(t.ncols == 1 && t.cols[0].n == 2 && t.cols[0].v.f64[0] == 2.0);
    sk_table_fini(&t);
}

/* Remove every file in t_dir, then t_dir. */
static void t_cleanup(void) {
    DIR *d = opendir(t_dir);
    if (!d) return;
    char p[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", t_dir, e->d_name);
        if (unlink(p) != 0) rmdir(p);
    }
    closedir(d);
    rmdir(t_dir);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"table_api", test_table_api},
        {"round_trip", test_round_trip},
        {"series", test_series},
        {"atomic", test_atomic},
        {"read_errors", test_read_errors},
        {"merge", test_merge},
        {"merge_sorts_runs", test_merge_sorts_runs},
        {NULL, NULL},
    };
    snprintf(t_dir, sizeof t_dir, "/tmp/sk_results_XXXXXX");
    if (!mkdtemp(t_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = sk_test_main(tests, argc, argv);
    t_cleanup();
    H5close();
    return rc;
}
