/* sk_spot.c - spot availability traces: the JSON trace files (cJSON), the raw probe CSVs and the
 * "Can't Be Late" window table (libcsv). Conventions and formats: sk_spot.h, traces/README.md. */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "io/sk_spot.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_csv.h"
#include "sk_error.h"

#define sk__err sk_errf

/* Largest count or tick number accepted: integers stay exact in a double up to 2^53. */
#define SK_SPOT_MAX_INT 9007199254740992.0

/* ---- small helpers ---------------------------------------------------------------------------- */

/* The trace's name: the file name without folder and extension; for the converted layout
 * (<zone>/full.json, <zone>/<k>.json) the folder is kept: "us-west1-a_h100_16/full". NULL if out
 * of memory. */
static char *sk__trace_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t blen = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    int generic = blen == 4 && !strncmp(base, "full", 4);
    if (!generic && blen > 0) {
        generic = 1;
        for (size_t i = 0; i < blen; i++) generic &= base[i] >= '0' && base[i] <= '9';
    }
    const char *from = base;
    if (generic && base - path >= 2) { /* keep the parent folder: "<parent>/<stem>" */
        const char *p = base - 1;      /* the '/' before base */
        while (p > path && p[-1] != '/') p--;
        size_t plen = (size_t)(base - 1 - p);
        if (plen && !(plen == 1 && p[0] == '.') && !(plen == 2 && p[0] == '.' && p[1] == '.')) from = p;
    }
    size_t len = (size_t)(base - from) + blen;
    char *s = malloc(len + 1);
    if (!s) return NULL;
    memcpy(s, from, len);
    s[len] = '\0';
    return s;
}

/* 1 if the parent or grandparent folder of the file (after resolving the path) has a name starting
 * with "converted": the layout of the simulator-ready traces of aws-v100-multinode/converted_* and
 * gcp-h100-multiregion/converted_* (<converted_dir>/<zone>/full.json), and of a flat
 * <converted_dir>/<trace>.json. Only the two nearest folders count, so a project checked out under
 * a folder called "converted..." does not change the reading of every trace. */
static int sk__path_says_preempted(const char *path) {
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *end = strrchr(p, '/'); /* end of the parent folder's name */
    int hit = 0;
    for (int level = 0; level < 2 && end && end > p; level++) {
        const char *start = end;
        while (start > p && start[-1] != '/') start--;
        if ((size_t)(end - start) >= 9 && !strncmp(start, "converted", 9)) hit = 1;
        end = start > p ? start - 1 : NULL;
    }
    free(real);
    return hit;
}

/* 1-based line and column of byte offset off in buf. */
static void sk__line_col(const char *buf, size_t off, size_t *line, size_t *col) {
    size_t l = 1, last_nl = 0;
    int seen = 0;
    for (size_t i = 0; i < off; i++)
        if (buf[i] == '\n') {
            l++;
            last_nl = i;
            seen = 1;
        }
    *line = l;
    *col = seen ? off - last_nl : off + 1;
}

/* A short description of a JSON value for error messages ("string \"abc\"", "-1", "null"). */
static void sk__describe(const cJSON *v, char *out, size_t len) {
    if (cJSON_IsString(v)) snprintf(out, len, "string \"%.40s\"", v->valuestring);
    else if (cJSON_IsNumber(v)) snprintf(out, len, "%.17g", v->valuedouble);
    else if (cJSON_IsBool(v)) snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v)) snprintf(out, len, "null");
    else if (cJSON_IsArray(v)) snprintf(out, len, "an array");
    else if (cJSON_IsObject(v)) snprintf(out, len, "an object");
    else snprintf(out, len, "an invalid value");
}

/* A number from metadata.price_info, or NaN when the key is absent. Returns 0 or SK_EDATA. */
static int sk__price(const cJSON *pi, const char *key, double *out, const char *path, char *err, size_t errlen) {
    *out = NAN;
    const cJSON *v = pi ? cJSON_GetObjectItemCaseSensitive(pi, key) : NULL;
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) {
        char got[64];
        sk__describe(v, got, sizeof got);
        return sk__err(err, errlen, SK_EDATA, "%s: metadata.price_info.%s: expected a non-negative number, got %s", path,
                       key, got);
    }
    *out = v->valuedouble;
    return 0;
}

/* ---- JSON traces ------------------------------------------------------------------------------ */

int sk_spot_load_json(sk_spot_trace *t, const char *path, sk_spot_conv conv, int64_t gang, char *err,
                      size_t errlen) {
    memset(t, 0, sizeof *t);
    char *buf = NULL, got[64];
    size_t len;
    cJSON *root = NULL;
    sk_spot_trace r = {0};
    r.od_price = r.spot_price = NAN;
    int rc;
    if (gang < 1) return sk__err(err, errlen, SK_ECONFIG, "%s: gang must be at least 1, got %lld", path, (long long)gang);
    if ((rc = sk_file_slurp(path, &buf, &len, err, errlen)) < 0) return rc;

    /* Length + 1 so that require_null_terminated sees the NUL: trailing garbage is an error. The
     * error position comes back through return_parse_end (same as cJSON_GetErrorPtr(), without
     * reading cJSON's global). */
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (!root) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len, line, col;
        sk__line_col(buf, off, &line, &col);
        rc = sk__err(err, errlen, SK_EDATA, "%s:%zu:%zu: %s at byte %zu", path, line, col,
                     off >= len ? "invalid JSON (truncated?)" : "invalid JSON", off);
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: expected an object {\"metadata\": {...}, \"data\": [...]}", path);
        goto fail;
    }
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    if (!cJSON_IsObject(md)) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: metadata: %s", path, md ? "expected an object" : "missing");
        goto fail;
    }
    const cJSON *gap = cJSON_GetObjectItemCaseSensitive(md, "gap_seconds");
    if (!gap) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: metadata.gap_seconds: missing (the tick length in seconds)", path);
        goto fail;
    }
    if (!cJSON_IsNumber(gap) || !isfinite(gap->valuedouble) || gap->valuedouble <= 0) {
        sk__describe(gap, got, sizeof got);
        rc = sk__err(err, errlen, SK_EDATA, "%s: metadata.gap_seconds: expected a positive number, got %s", path, got);
        goto fail;
    }
    r.gap = gap->valuedouble;

    /* resolve the convention */
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(md, "convention");
    if (conv == SK_SPOT_AUTO) {
        if (cv) {
            if (cJSON_IsString(cv) && !strcmp(cv->valuestring, "preempted")) conv = SK_SPOT_PREEMPTED;
            else if (cJSON_IsString(cv) && !strcmp(cv->valuestring, "available")) conv = SK_SPOT_AVAILABLE;
            else {
                sk__describe(cv, got, sizeof got);
                rc = sk__err(err, errlen, SK_EDATA, "%s: metadata.convention: expected \"available\" or \"preempted\", got %s",
                             path, got);
                goto fail;
            }
        } else {
            conv = sk__path_says_preempted(path) ? SK_SPOT_PREEMPTED : SK_SPOT_AVAILABLE;
        }
    } else if (conv != SK_SPOT_AVAILABLE && conv != SK_SPOT_PREEMPTED) {
        rc = sk__err(err, errlen, SK_ECONFIG, "%s: unknown convention %d", path, (int)conv);
        goto fail;
    }
    if (conv == SK_SPOT_PREEMPTED && gang != 1) {
        rc = sk__err(err, errlen, SK_ECONFIG,
                     "%s: gang %lld needs instance counts, but this trace is in the preempted convention (already one "
                     "0/1 value per tick); use gang 1",
                     path, (long long)gang);
        goto fail;
    }

    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!cJSON_IsArray(data)) {
        if (data) sk__describe(data, got, sizeof got);
        rc = sk__err(err, errlen, SK_EDATA, "%s: data: %s%s", path, data ? "expected an array, got " : "missing",
                     data ? got : "");
        goto fail;
    }
    int n = cJSON_GetArraySize(data);
    if (n <= 0) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: data: empty (a trace needs at least one tick)", path);
        goto fail;
    }
    r.n = n;
    if (!(r.avail = malloc((size_t)n))) {
        rc = sk__err(err, errlen, SK_ENOMEM, "%s: out of memory (%d ticks)", path, n);
        goto fail;
    }
    int64_t i = 0;
    for (const cJSON *v = data->child; v; v = v->next, i++) {
        double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!cJSON_IsNumber(v) || !(x >= 0) || x > SK_SPOT_MAX_INT || x != floor(x)) {
            sk__describe(v, got, sizeof got);
            rc = sk__err(err, errlen, SK_EDATA, "%s: data[%lld]: expected a non-negative integer, got %s", path,
                         (long long)i, got);
            goto fail;
        }
        r.avail[i] = conv == SK_SPOT_PREEMPTED ? x == 0 : x >= (double)gang;
    }

    /* prices: metadata.price_info {price, on_demand_price} and per-tick "prices" */
    const cJSON *pi = cJSON_GetObjectItemCaseSensitive(md, "price_info");
    if (pi && !cJSON_IsNull(pi) && !cJSON_IsObject(pi)) {
        sk__describe(pi, got, sizeof got);
        rc = sk__err(err, errlen, SK_EDATA, "%s: metadata.price_info: expected an object, got %s", path, got);
        goto fail;
    }
    if ((rc = sk__price(pi, "price", &r.spot_price, path, err, errlen)) < 0) goto fail;
    if ((rc = sk__price(pi, "on_demand_price", &r.od_price, path, err, errlen)) < 0) goto fail;
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "prices");
    if (pr && !cJSON_IsNull(pr)) {
        int np = cJSON_IsArray(pr) ? cJSON_GetArraySize(pr) : -1;
        if (np != n) {
            if (np < 0) sk__describe(pr, got, sizeof got);
            else snprintf(got, sizeof got, "%d values for %d ticks", np, n);
            rc = sk__err(err, errlen, SK_EDATA, "%s: prices: expected an array of one price per tick, got %s", path, got);
            goto fail;
        }
        if (!(r.prices = malloc((size_t)n * sizeof *r.prices))) {
            rc = sk__err(err, errlen, SK_ENOMEM, "%s: out of memory (%d prices)", path, n);
            goto fail;
        }
        i = 0;
        for (const cJSON *v = pr->child; v; v = v->next, i++) {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0) {
                sk__describe(v, got, sizeof got);
                rc = sk__err(err, errlen, SK_EDATA, "%s: prices[%lld]: expected a non-negative number, got %s", path,
                             (long long)i, got);
                goto fail;
            }
            r.prices[i] = v->valuedouble;
        }
    }

    if (!(r.path = strdup(path)) || !(r.name = sk__trace_name(path))) {
        rc = sk__err(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    cJSON_Delete(root);
    free(buf);
    *t = r;
    return 0;

fail:
    sk_spot_fini(&r);
    cJSON_Delete(root);
    free(buf);
    memset(t, 0, sizeof *t);
    return rc;
}

void sk_spot_fini(sk_spot_trace *t) {
    if (!t) return;
    free(t->path);
    free(t->name);
    free(t->avail);
    free(t->prices);
    memset(t, 0, sizeof *t);
}

/* Parse a whole field as an integer in [lo, hi]. Returns 0 or -1. */
static int sk__parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* ---- raw probe CSVs --------------------------------------------------------------------------- */

typedef struct {
    uint8_t *avail;
    int64_t n, cap;
} sk_probe_ctx;

static int sk__probe_row(sk_csv_rd *rd) {
    sk_probe_ctx *c = rd->ctx;
    static const char *const names[3] = {"index", "time", "preempted"};
    int64_t idx, pre;
    if (rd->nf != 3)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected 3 fields (index,time,preempted), got %d", rd->path,
                       (long long)rd->line, rd->nf);
    if (sk__parse_i64(rd->f[0], 0, INT64_MAX, &idx) < 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 1 (%s): expected a non-negative integer, got '%s'",
                       rd->path, (long long)rd->line, names[0], rd->f[0]);
    if (idx != c->n)
        return sk__err(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: field 1 (%s): expected %lld, got %lld (indices must count 0, 1, 2, ... with no gaps)",
                       rd->path, (long long)rd->line, names[0], (long long)c->n, (long long)idx);
    if (!rd->f[1][0])
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 2 (%s): empty", rd->path, (long long)rd->line,
                       names[1]);
    if (sk__parse_i64(rd->f[2], 0, 1, &pre) < 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 3 (%s): expected 0 or 1, got '%s'", rd->path,
                       (long long)rd->line, names[2], rd->f[2]);
    if (c->n == c->cap) {
        int64_t ncap = c->cap ? c->cap * 2 : 4096;
        uint8_t *na = realloc(c->avail, (size_t)ncap);
        if (!na) return sk__err(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        c->avail = na;
        c->cap = ncap;
    }
    c->avail[c->n++] = pre == 0;
    return 0;
}

int sk_spot_load_probes(sk_spot_trace *t, const char *path, double gap, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    if (!(gap > 0) || !isfinite(gap))
        return sk__err(err, errlen, SK_ECONFIG, "%s: gap must be a positive number of seconds, got %g", path, gap);
    sk_probe_ctx c = {0};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk__probe_row, .ctx = &c};
    sk_spot_trace r = {0};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (c.n == 0) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: no rows (expected index,time,preempted)", path);
        goto fail;
    }
    r.gap = gap;
    r.n = c.n;
    r.avail = c.avail;
    c.avail = NULL;
    r.od_price = r.spot_price = NAN;
    if (!(r.path = strdup(path)) || !(r.name = sk__trace_name(path))) {
        rc = sk__err(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    *t = r;
    return 0;

fail:
    free(c.avail);
    sk_spot_fini(&r);
    return rc;
}

/* ---- WINDOW_INDEX.csv ------------------------------------------------------------------------- */

enum { W_TRACE, W_WINDOW, W_GAP, W_LEN, W_PRE, W_N };
static const char *const sk__wcol[W_N] = {"trace", "window", "gap_seconds", "length_ticks", "preempted_ticks"};

typedef struct {
    const char *name;
    int64_t n_ticks;
    double gap;
    int col[W_N];        /* field index of each column, -1 if absent */
    int ncols;           /* fields per row (from the header) */
    int have_header;
    sk_spot_window *w;   /* indexed by window number; start = -1 while unset */
    int64_t *wline;      /* line each window came from */
    size_t cap, count;   /* slots allocated, 1 + highest window number seen */
    size_t rows;         /* rows for this trace */
} sk_win_ctx;

static int sk__win_header(sk_csv_rd *rd, sk_win_ctx *c) {
    for (int k = 0; k < W_N; k++) c->col[k] = -1;
    for (int f = 0; f < rd->nf; f++)
        for (int k = 0; k < W_N; k++)
            if (!strcmp(rd->f[f], sk__wcol[k])) c->col[k] = f;
    for (int k = 0; k < W_N; k++)
        if (c->col[k] < 0 && k != W_PRE)
            return sk__err(rd->err, rd->errlen, SK_EDATA,
                           "%s:%lld: header has no column '%s' (expected trace,window,start_time,gap_seconds,length_ticks,"
                           "preempted_ticks)",
                           rd->path, (long long)rd->line, sk__wcol[k]);
    c->ncols = rd->nf;
    c->have_header = 1;
    return 0;
}

static int sk__win_row(sk_csv_rd *rd) {
    sk_win_ctx *c = rd->ctx;
    if (!c->have_header) return sk__win_header(rd, c);
    long long ln = (long long)rd->line;
    if (rd->nf != c->ncols)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected %d fields as in the header, got %d", rd->path, ln,
                       c->ncols, rd->nf);
    int64_t win, len, pre = 0;
    double gap;
    char *end;
    const char *fw = rd->f[c->col[W_WINDOW]], *fg = rd->f[c->col[W_GAP]], *fl = rd->f[c->col[W_LEN]];
    if (sk__parse_i64(fw, 0, 1000000000, &win) < 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (window): expected a window number, got '%s'",
                       rd->path, ln, c->col[W_WINDOW] + 1, fw);
    errno = 0;
    gap = strtod(fg, &end);
    if (end == fg || *end || errno || !isfinite(gap) || gap <= 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (gap_seconds): expected a positive number, got '%s'",
                       rd->path, ln, c->col[W_GAP] + 1, fg);
    if (sk__parse_i64(fl, 1, INT64_MAX, &len) < 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (length_ticks): expected a positive integer, got '%s'",
                       rd->path, ln, c->col[W_LEN] + 1, fl);
    if (c->col[W_PRE] >= 0 && sk__parse_i64(rd->f[c->col[W_PRE]], 0, len, &pre) < 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: field %d (preempted_ticks): expected an integer in [0, length_ticks = %lld], got '%s'",
                       rd->path, ln, c->col[W_PRE] + 1, (long long)len, rd->f[c->col[W_PRE]]);
    if (strcmp(rd->f[c->col[W_TRACE]], c->name)) return 0;

    c->rows++;
    if (fabs(gap - c->gap) > 1e-9 * c->gap)
        return sk__err(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: field %d (gap_seconds): window %lld of %s has %g s ticks, the trace %g s ticks", rd->path, ln,
                       c->col[W_GAP] + 1, (long long)win, c->name, gap, c->gap);
    if (len > c->n_ticks)
        return sk__err(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: field %d (length_ticks): window %lld of %s is %lld ticks, longer than the trace (%lld "
                       "ticks)",
                       rd->path, ln, c->col[W_LEN] + 1, (long long)win, c->name, (long long)len, (long long)c->n_ticks);
    if ((size_t)win >= c->cap) {
        size_t ncap = c->cap ? c->cap : 1024;
        while (ncap <= (size_t)win) ncap *= 2;
        sk_spot_window *nw = realloc(c->w, ncap * sizeof *nw);
        if (nw) c->w = nw;
        int64_t *nl = nw ? realloc(c->wline, ncap * sizeof *nl) : NULL;
        if (!nl) return sk__err(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        c->wline = nl;
        for (size_t k = c->cap; k < ncap; k++) c->w[k] = (sk_spot_window){-1, 0};
        c->cap = ncap;
    }
    if (c->w[win].start >= 0)
        return sk__err(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (window): window %lld of %s already given on line %lld",
                       rd->path, ln, c->col[W_WINDOW] + 1, (long long)win, c->name, (long long)c->wline[win]);
    c->w[win] = (sk_spot_window){c->n_ticks - len, len};
    c->wline[win] = rd->line;
    if ((size_t)win + 1 > c->count) c->count = (size_t)win + 1;
    return 0;
}

int sk_spot_windows(const char *index_csv, const char *name, int64_t n_ticks, double gap, sk_spot_window **out,
                    size_t *count, char *err, size_t errlen) {
    *out = NULL;
    *count = 0;
    if (n_ticks < 1 || !(gap > 0))
        return sk__err(err, errlen, SK_ECONFIG, "%s: trace %s: needs n_ticks >= 1 and gap > 0 (got %lld, %g)", index_csv,
                       name, (long long)n_ticks, gap);
    sk_win_ctx c = {.name = name, .n_ticks = n_ticks, .gap = gap};
    sk_csv_rd rd = {.path = index_csv, .err = err, .errlen = errlen, .row = sk__win_row, .ctx = &c};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!c.have_header) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: empty (expected a header and one row per window)", index_csv);
        goto fail;
    }
    if (c.rows == 0) {
        rc = sk__err(err, errlen, SK_EDATA, "%s: no windows for trace '%s'", index_csv, name);
        goto fail;
    }
    for (size_t k = 0; k < c.count; k++)
        if (c.w[k].start < 0) {
            rc = sk__err(err, errlen, SK_EDATA, "%s: trace %s: window %zu missing (windows must run 0..%zu)", index_csv, name,
                         k, c.count - 1);
            goto fail;
        }
    free(c.wline);
    *out = c.w;
    *count = c.count;
    return 0;

fail:
    free(c.w);
    free(c.wline);
    return rc;
}
