/* mk_results.c - test helper for `synkti export` and `synkti merge`: writes results files with
 * awkward values and checks exported text against the HDF5 values, bit for bit.
 *
 *   mk_results write OUT.h5 [--shard K/N] [--runs R] [--sha HEX]
 *       a results file holding runs r < R (default 14) with r mod N = K (default 0/1: all): summary
 *       columns run (int64), label (string), cost (double), seed (uint64), delta (int64) whose
 *       values depend only on r, plus a time series /runs/<r> for each run
 *   mk_results plain OUT.h5          an HDF5 file that is not a results file
 *   mk_results check FILE.h5 TEXT csv|tsv|json [RUN]
 *       TEXT (an export of /summary, or of /runs/RUN) holds exactly FILE's values: same columns in
 *       the same order, integers equal, doubles the same bits (any NaN for nan / null), strings
 *       byte for byte
 *   mk_results same A.h5 B.h5        /summary and config_sha256 equal bit for bit, and every run
 *                                    of the run column has equal /runs series in both (or none)
 * Exit status 0 when the files are made / the check holds; 1 with a message on stderr otherwise. */
#include <cjson/cJSON.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/sk_results.h"

#define MK_LEN(a) (sizeof(a) / sizeof *(a))

static int mk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int mk_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("mk_results: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* ---- write ------------------------------------------------------------------------------------ */

static const char *const mk_labels[] = {
    "plain", "a,b", "say \"hi\"", "two\nlines", "tab\there", "", "back\\slash", "cr\rhere",
    "\xc3\xbc \xe2\x98\x83 utf-8", " padded ", "nan", "\"", ",",
};
static const uint64_t mk_seeds[] = {
    0, UINT64_C(1) << 60, UINT64_MAX, UINT64_C(1) << 53, (UINT64_C(1) << 53) + 1,
    UINT64_C(12345678901234567890), 42,
};
static const int64_t mk_deltas[] = {
    -(INT64_C(1) << 60), INT64_MIN, INT64_MAX, -1, 0, INT64_C(1) << 53, -(INT64_C(1) << 53) - 1,
    INT64_C(1) << 60, -(INT64_C(1) << 53),
};

static double mk_cost(int64_t r) {
    static const double v[] = {0.1, 1e-300, -0.0, NAN, INFINITY, -INFINITY, 5e-324, DBL_MAX,
                               1.0 / 3.0, 3.0, 2.5e16, -123.456, 0.30000000000000004};
    return v[r % (int64_t)MK_LEN(v)];
}

static int mk_write(int argc, char **argv) {
    if (argc < 1) return mk_fail("write: OUT.h5 missing");
    const char *out = argv[0], *sha = "5f1e0c7c2a0b7d4b9a7e4f0e6d7c9b8a5f1e0c7c2a0b7d4b9a7e4f0e6d7c9b8a";
    unsigned long long k = 0, n = 1, nruns = 14;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--shard") && sscanf(argv[i + 1], "%llu/%llu", &k, &n) == 2 && k < n) continue;
        if (!strcmp(argv[i], "--runs") && sscanf(argv[i + 1], "%llu", &nruns) == 1 && nruns <= 1000) continue;
        if (!strcmp(argv[i], "--sha")) {
            sha = argv[i + 1];
            continue;
        }
        return mk_fail("write: bad option %s %s", argv[i], argv[i + 1]);
    }
    sk_table sum;
    sk_table_init(&sum);
    int c_run = sk_table_add_col(&sum, "run", SK_TABLE_I64);
    int c_label = sk_table_add_col(&sum, "label", SK_TABLE_STR);
    int c_cost = sk_table_add_col(&sum, "cost", SK_TABLE_F64);
    int c_seed = sk_table_add_col(&sum, "seed", SK_TABLE_U64);
    int c_delta = sk_table_add_col(&sum, "delta", SK_TABLE_I64);
    size_t nser = 0;
    sk_table *ser = calloc(nruns ? nruns : 1, sizeof *ser);
    sk_results_series *rs = calloc(nruns ? nruns : 1, sizeof *rs);
    char (*ids)[24] = calloc(nruns ? nruns : 1, sizeof *ids);
    int rc = !ser || !rs || !ids;
    for (int64_t r = (int64_t)k; r < (int64_t)nruns && !rc; r += (int64_t)n) {
        rc |= sk_table_push_i64(&sum, (size_t)c_run, r);
        rc |= sk_table_push_str(&sum, (size_t)c_label, mk_labels[r % (int64_t)MK_LEN(mk_labels)]);
        rc |= sk_table_push_f64(&sum, (size_t)c_cost, mk_cost(r));
        rc |= sk_table_push_u64(&sum, (size_t)c_seed, mk_seeds[r % (int64_t)MK_LEN(mk_seeds)]);
        rc |= sk_table_push_i64(&sum, (size_t)c_delta, mk_deltas[r % (int64_t)MK_LEN(mk_deltas)]);
        /* /runs/<r>: 3 + r % 3 rows of t, events, note */
        sk_table *s = &ser[nser];
        sk_table_init(s);
        int c_t = sk_table_add_col(s, "t", SK_TABLE_F64);
        int c_ev = sk_table_add_col(s, "events", SK_TABLE_U64);
        int c_note = sk_table_add_col(s, "note", SK_TABLE_STR);
        for (int64_t j = 0; j < 3 + r % 3; j++) {
            rc |= sk_table_push_f64(s, (size_t)c_t, (double)r + 0.1 * (double)j);
            rc |= sk_table_push_u64(s, (size_t)c_ev, j ? (uint64_t)(r * 1000 + j) : UINT64_C(1) << 60);
            rc |= sk_table_push_str(s, (size_t)c_note, j % 2 ? "x,y\tz" : "q\"t");
        }
        snprintf(ids[nser], sizeof ids[nser], "%" PRId64, r);
        rs[nser].run_id = ids[nser];
        rs[nser].series = s;
        nser++;
    }
    if (rc) {
        rc = mk_fail("write: cannot build tables");
    } else {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "mk_results write %s --shard %llu/%llu --runs %llu", out, k, n, nruns);
        sk_results_meta m = {0, "test", "0000000", cmd, "a: 1\nb: [2, 3]\n", (char *)sha,
                             UINT64_C(0xFEDCBA9876543210)};
        char err[512];
        if (sk_results_write_runs(out, &m, &sum, rs, nser, err, sizeof err) < 0) rc = mk_fail("%s", err);
    }
    for (size_t i = 0; i < nser; i++) sk_table_fini(&ser[i]);
    sk_table_fini(&sum);
    free(ser);
    free(rs);
    free(ids);
    return rc;
}

static int mk_plain(int argc, char **argv) {
    if (argc < 1) return mk_fail("plain: OUT.h5 missing");
    hid_t f = H5Fcreate(argv[0], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) return mk_fail("plain: cannot create %s", argv[0]);
    hid_t g = H5Gcreate2(f, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0) H5Gclose(g);
    return H5Fclose(f) < 0;
}

/* ---- check: parse the exported text ----------------------------------------------------------- */

/* A parsed text table: rows of fields, each a malloc'd string. */
typedef struct {
    char ***rows;
    size_t *nf, nrows;
} mk_text;

static void mk_text_fini(mk_text *t) {
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < t->nf[r]; i++) free(t->rows[r][i]);
        free(t->rows[r]);
    }
    free(t->rows);
    free(t->nf);
}

/* Growable string. */
typedef struct {
    char *s;
    size_t n, cap;
} mk_buf;

static void mk_buf_put(mk_buf *b, char c) {
    if (b->n + 2 > b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    b->s[b->n++] = c;
    b->s[b->n] = '\0';
}

static char *mk_buf_take(mk_buf *b) {
    char *s = b->s ? b->s : strdup("");
    memset(b, 0, sizeof *b);
    return s;
}

static void mk_text_field(mk_text *t, mk_buf *b, int new_row) {
    if (new_row) {
        t->rows = realloc(t->rows, (t->nrows + 1) * sizeof *t->rows);
        t->nf = realloc(t->nf, (t->nrows + 1) * sizeof *t->nf);
        if (!t->rows || !t->nf) abort();
        t->rows[t->nrows] = NULL;
        t->nf[t->nrows++] = 0;
    }
    size_t r = t->nrows - 1;
    t->rows[r] = realloc(t->rows[r], (t->nf[r] + 1) * sizeof **t->rows);
    if (!t->rows[r]) abort();
    t->rows[r][t->nf[r]++] = mk_buf_take(b);
}

/* RFC 4180 with LF line ends; 0 or 1 after a message. Every record must end in LF. */
static int mk_parse_csv(const char *s, mk_text *t) {
    mk_buf b = {0};
    const char *why;
    int start = 1; /* at the start of a record */
    while (*s) {
        if (*s == '"') {
            for (s++;; s++) {
                why = "unterminated quoted field";
                if (!*s) goto bad;
                if (*s == '"' && s[1] == '"') mk_buf_put(&b, *s++);
                else if (*s == '"') break;
                else mk_buf_put(&b, *s);
            }
            s++;
            why = "text after a closing quote";
            if (*s != ',' && *s != '\n') goto bad;
        } else {
            for (; *s && *s != ',' && *s != '\n'; s++) {
                why = "bare quote or CR in an unquoted field";
                if (*s == '"' || *s == '\r') goto bad;
                mk_buf_put(&b, *s);
            }
            why = "last line does not end in LF";
            if (!*s) goto bad;
        }
        mk_text_field(t, &b, start);
        start = *s++ == '\n';
    }
    return 0;
bad:
    free(b.s);
    return mk_fail("csv: %s", why);
}

/* Tab-separated, \t \n \r \\ escapes; 0 or 1 after a message. */
static int mk_parse_tsv(const char *s, mk_text *t) {
    mk_buf b = {0};
    const char *why;
    int start = 1;
    while (*s) {
        for (; *s && *s != '\t' && *s != '\n'; s++) {
            why = "raw CR";
            if (*s == '\r') goto bad;
            if (*s != '\\') {
                mk_buf_put(&b, *s);
                continue;
            }
            switch (*++s) {
            case 't': mk_buf_put(&b, '\t'); break;
            case 'n': mk_buf_put(&b, '\n'); break;
            case 'r': mk_buf_put(&b, '\r'); break;
            case '\\': mk_buf_put(&b, '\\'); break;
            default: why = "bad escape"; goto bad;
            }
        }
        why = "last line does not end in LF";
        if (!*s) goto bad;
        mk_text_field(t, &b, start);
        start = *s++ == '\n';
    }
    return 0;
bad:
    free(b.s);
    return mk_fail("tsv: %s", why);
}

/* ---- check: compare --------------------------------------------------------------------------- */

static int mk_same_dbl(double a, double b) {
    return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a);
}

/* Field text f equals value r of column c exactly. */
static int mk_field_ok(const sk_table_col *c, size_t r, const char *f) {
    char *end;
    switch (c->type) {
    case SK_TABLE_I64: {
        long long v = strtoll(f, &end, 10);
        return *f && !*end && v == c->v.i64[r];
    }
    case SK_TABLE_U64: {
        unsigned long long v = strtoull(f, &end, 10);
        return *f && *f != '-' && !*end && v == c->v.u64[r];
    }
    case SK_TABLE_F64: {
        if (!strcmp(f, "nan")) return isnan(c->v.f64[r]);
        double v = strtod(f, &end);
        return *f && !*end && !isnan(v) && mk_same_dbl(v, c->v.f64[r]);
    }
    default: return !strcmp(f, c->v.str[r]);
    }
}

static int mk_check_text(const sk_table *tab, const mk_text *t) {
    size_t nrows = tab->ncols ? tab->cols[0].n : 0;
    if (t->nrows != nrows + 1) return mk_fail("%zu lines, want header + %zu rows", t->nrows, nrows);
    for (size_t r = 0; r < t->nrows; r++)
        if (t->nf[r] != tab->ncols) return mk_fail("line %zu has %zu fields, want %zu", r + 1, t->nf[r], tab->ncols);
    for (size_t i = 0; i < tab->ncols; i++)
        if (strcmp(t->rows[0][i], tab->cols[i].name))
            return mk_fail("header field %zu is '%s', want '%s'", i + 1, t->rows[0][i], tab->cols[i].name);
    for (size_t r = 0; r < nrows; r++)
        for (size_t i = 0; i < tab->ncols; i++)
            if (!mk_field_ok(&tab->cols[i], r, t->rows[r + 1][i]))
                return mk_fail("row %zu column %s: text '%s' is not the stored value", r, tab->cols[i].name,
                               t->rows[r + 1][i]);
    return 0;
}

/* JSON value j equals value r of column c: integers as numbers up to 2^53 in magnitude and as
 * strings beyond; doubles as numbers (same bits) or null for NaN/inf; strings byte for byte. */
static int mk_json_ok(const sk_table_col *c, size_t r, const cJSON *j) {
    const double exact = 9007199254740992.0;
    char buf[32];
    switch (c->type) {
    case SK_TABLE_I64: {
        int64_t v = c->v.i64[r];
        int big = v > (INT64_C(1) << 53) || v < -(INT64_C(1) << 53);
        snprintf(buf, sizeof buf, "%" PRId64, v);
        if (big) return cJSON_IsString(j) && !strcmp(j->valuestring, buf);
        return cJSON_IsNumber(j) && fabs(j->valuedouble) <= exact && j->valuedouble == (double)v;
    }
    case SK_TABLE_U64: {
        uint64_t v = c->v.u64[r];
        snprintf(buf, sizeof buf, "%" PRIu64, v);
        if (v > (UINT64_C(1) << 53)) return cJSON_IsString(j) && !strcmp(j->valuestring, buf);
        return cJSON_IsNumber(j) && j->valuedouble == (double)v;
    }
    case SK_TABLE_F64:
        if (!isfinite(c->v.f64[r])) return cJSON_IsNull(j);
        return cJSON_IsNumber(j) && mk_same_dbl(j->valuedouble, c->v.f64[r]);
    default: return cJSON_IsString(j) && !strcmp(j->valuestring, c->v.str[r]);
    }
}

static int mk_check_json(const sk_table *tab, const char *text) {
    cJSON *root = cJSON_Parse(text);
    if (!root) return mk_fail("json: does not parse");
    int rc = 0;
    size_t nrows = tab->ncols ? tab->cols[0].n : 0;
    if (!cJSON_IsArray(root) || (size_t)cJSON_GetArraySize(root) != nrows) {
        rc = mk_fail("json: not an array of %zu rows", nrows);
        goto done;
    }
    size_t r = 0;
    for (const cJSON *row = root->child; row && !rc; row = row->next, r++) {
        const cJSON *v = cJSON_IsObject(row) ? row->child : NULL;
        for (size_t i = 0; i < tab->ncols && !rc; i++, v = v ? v->next : NULL) {
            if (!v || strcmp(v->string, tab->cols[i].name))
                rc = mk_fail("json: row %zu: key %zu is '%s', want '%s'", r, i, v ? v->string : "(none)",
                             tab->cols[i].name);
            else if (!mk_json_ok(&tab->cols[i], r, v))
                rc = mk_fail("json: row %zu key %s: not the stored value", r, tab->cols[i].name);
        }
        if (!rc && v) rc = mk_fail("json: row %zu has extra key '%s'", r, v->string);
    }
done:
    cJSON_Delete(root);
    return rc;
}

static char *mk_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    mk_buf b = {0};
    for (int c; (c = getc(f)) != EOF;) {
        if (!c) { /* an exported NUL would end our strings early: refuse */
            fclose(f);
            free(b.s);
            return NULL;
        }
        mk_buf_put(&b, (char)c);
    }
    fclose(f);
    return mk_buf_take(&b);
}

static int mk_check(int argc, char **argv) {
    if (argc < 3) return mk_fail("check: FILE.h5 TEXT csv|tsv|json [RUN]");
    char err[512];
    sk_table tab;
    int rc = argc > 3 ? sk_results_read_series(argv[0], argv[3], &tab, err, sizeof err)
                      : sk_results_read(argv[0], NULL, &tab, err, sizeof err);
    if (rc < 0) return mk_fail("%s", err);
    char *text = mk_slurp(argv[1]);
    if (!text) {
        sk_table_fini(&tab);
        return mk_fail("cannot read %s (or it holds a NUL byte)", argv[1]);
    }
    if (!strcmp(argv[2], "json")) {
        rc = mk_check_json(&tab, text);
    } else {
        mk_text t = {0};
        rc = !strcmp(argv[2], "csv") ? mk_parse_csv(text, &t) : mk_parse_tsv(text, &t);
        if (!rc) rc = mk_check_text(&tab, &t);
        mk_text_fini(&t);
    }
    free(text);
    sk_table_fini(&tab);
    return rc;
}

/* ---- same ------------------------------------------------------------------------------------- */

/* 0 if a and b have the same columns and bitwise-equal values, else 1 after a message. */
static int mk_tables_same(const sk_table *a, const sk_table *b, const char *what) {
    if (a->ncols != b->ncols) return mk_fail("%s: %zu columns vs %zu", what, a->ncols, b->ncols);
    for (size_t i = 0; i < a->ncols; i++) {
        const sk_table_col *x = &a->cols[i], *y = &b->cols[i];
        if (strcmp(x->name, y->name) || x->type != y->type || x->n != y->n)
            return mk_fail("%s: column %zu differs (%s vs %s, or type, or length)", what, i, x->name, y->name);
        for (size_t r = 0; r < x->n; r++)
            if (x->type == SK_TABLE_STR ? strcmp(x->v.str[r], y->v.str[r]) != 0
                                        : memcmp(&x->v.u64[r], &y->v.u64[r], 8) != 0)
                return mk_fail("%s: column %s row %zu differs", what, x->name, r);
    }
    return 0;
}

static int mk_same(int argc, char **argv) {
    if (argc < 2) return mk_fail("same: A.h5 B.h5");
    char err[512];
    sk_results_meta ma, mb;
    sk_table a, b;
    if (sk_results_read(argv[0], &ma, &a, err, sizeof err) < 0) return mk_fail("%s", err);
    if (sk_results_read(argv[1], &mb, &b, err, sizeof err) < 0) {
        sk_results_meta_fini(&ma);
        sk_table_fini(&a);
        return mk_fail("%s", err);
    }
    int rc = mk_tables_same(&a, &b, "/summary");
    if (!rc && strcmp(ma.config_sha256, mb.config_sha256)) rc = mk_fail("config_sha256 differs");
    int run = sk_table_find(&a, "run");
    for (size_t r = 0; !rc && run >= 0 && r < a.cols[run].n; r++) {
        char id[24], what[40];
        snprintf(id, sizeof id, "%" PRId64, a.cols[run].v.i64[r]);
        snprintf(what, sizeof what, "/runs/%s", id);
        sk_table sa, sb; /* initialised by the reads even when they fail */
        int ra = sk_results_read_series(argv[0], id, &sa, err, sizeof err);
        int rb = ra == 0 || ra == SK_ENOENT ? sk_results_read_series(argv[1], id, &sb, err, sizeof err) : ra;
        if (rb != ra && (rb == SK_ENOENT || ra == SK_ENOENT)) rc = mk_fail("%s is in one file only", what);
        else if (rb < 0 && rb != SK_ENOENT) rc = mk_fail("%s", err);
        else if (!ra) rc = mk_tables_same(&sa, &sb, what);
        if (ra == 0 || ra == SK_ENOENT) sk_table_fini(&sb);
        sk_table_fini(&sa);
    }
    sk_results_meta_fini(&ma);
    sk_results_meta_fini(&mb);
    sk_table_fini(&a);
    sk_table_fini(&b);
    return rc;
}

int main(int argc, char **argv) {
    int rc;
    if (argc < 2) rc = mk_fail("usage: mk_results write|plain|check|same ...");
    else if (!strcmp(argv[1], "write")) rc = mk_write(argc - 2, argv + 2);
    else if (!strcmp(argv[1], "plain")) rc = mk_plain(argc - 2, argv + 2);
    else if (!strcmp(argv[1], "check")) rc = mk_check(argc - 2, argv + 2);
    else if (!strcmp(argv[1], "same")) rc = mk_same(argc - 2, argv + 2);
    else rc = mk_fail("unknown command '%s'", argv[1]);
    H5close();
    return rc;
}
