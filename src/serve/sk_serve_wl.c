/* sk_serve_wl.c - serving workloads from files: the Azure LLM inference traces 2023 and per-minute
 * request counts (sk_serve.h), read with libcsv through sk_csv_read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_csv.h"
#include "serve/sk_serve.h"
#include "sk_error.h"

typedef struct {
    sk_srv_trace *t;
    int64_t cap;
    int ct, ci, co; /* columns */
    double t0;
    int have_t0;
} srv_trace_rd;

/* Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
static int64_t srv_days(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.frac]" to seconds since the epoch; -1 on a bad stamp. */
static int srv_stamp(const char *s, double *out) {
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%d-%d-%d %d:%d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || s[n] || mo < 1 || mo > 12 || d < 1 ||
        d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || !(sec >= 0 && sec < 61))
        return -1;
    *out = (double)srv_days(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
    return 0;
}

static int srv_int(const char *s, int32_t *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

static int srv_trace_row(sk_csv_rd *rd) {
    srv_trace_rd *r = rd->ctx;
    if (rd->line == 1) {
        r->ct = r->ci = r->co = -1;
        for (int k = 0; k < rd->nf; k++) {
            if (!strcmp(rd->f[k], "TIMESTAMP")) r->ct = k;
            if (!strcmp(rd->f[k], "ContextTokens")) r->ci = k;
            if (!strcmp(rd->f[k], "GeneratedTokens")) r->co = k;
        }
        if (r->ct < 0 || r->ci < 0 || r->co < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:1: expected columns TIMESTAMP, ContextTokens, GeneratedTokens",
                           rd->path);
        return 0;
    }
    if (rd->nf <= r->ct || rd->nf <= r->ci || rd->nf <= r->co)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: %d fields, expected at least %d", rd->path,
                       (long long)rd->line, rd->nf, 1 + (r->ct > r->ci ? (r->ct > r->co ? r->ct : r->co) : (r->ci > r->co ? r->ci : r->co)));
    sk_srv_trace *t = r->t;
    if (t->n == r->cap) {
        int64_t nc = r->cap ? 2 * r->cap : 4096;
        double *nt = realloc(t->t, (size_t)nc * sizeof *nt);
        if (!nt) return SK_ENOMEM;
        t->t = nt;
        int32_t *ni = realloc(t->in, (size_t)nc * sizeof *ni);
        if (!ni) return SK_ENOMEM;
        t->in = ni;
        int32_t *no = realloc(t->out, (size_t)nc * sizeof *no);
        if (!no) return SK_ENOMEM;
        t->out = no;
        r->cap = nc;
    }
    double s;
    if (srv_stamp(rd->f[r->ct], &s) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column TIMESTAMP: expected YYYY-MM-DD HH:MM:SS, got '%s'",
                       rd->path, (long long)rd->line, rd->f[r->ct]);
    if (!r->have_t0) r->t0 = s, r->have_t0 = 1;
    s -= r->t0;
    if (t->n > 0 && s < t->t[t->n - 1])
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column TIMESTAMP: earlier than the row before", rd->path,
                       (long long)rd->line);
    if (srv_int(rd->f[r->ci], &t->in[t->n]) < 0 || srv_int(rd->f[r->co], &t->out[t->n]) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: columns ContextTokens, GeneratedTokens: expected counts",
                       rd->path, (long long)rd->line);
    if (t->out[t->n] < 1) t->out[t->n] = 1; /* a request yields at least its first token */
    if (t->in[t->n] < 1) t->in[t->n] = 1;
    t->t[t->n++] = s;
    return 0;
}

int sk_srv_trace_load(sk_srv_trace *t, const char *path, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    srv_trace_rd r = {.t = t};
    sk_csv_rd *rd = calloc(1, sizeof *rd);
    if (!rd) return SK_ENOMEM;
    rd->path = path, rd->err = err, rd->errlen = errlen, rd->row = srv_trace_row, rd->ctx = &r;
    int rc = sk_csv_read(rd);
    free(rd);
    if (rc == 0 && t->n == 0) rc = sk_errf(err, errlen, SK_EDATA, "%s: no requests", path);
    if (rc < 0) return sk_srv_trace_fini(t), rc;
    double last = t->t[t->n - 1];
    t->span = last + (t->n > 1 ? last / (double)(t->n - 1) : 1.0);
    return 0;
}

void sk_srv_trace_fini(sk_srv_trace *t) {
    free(t->t), free(t->in), free(t->out);
    memset(t, 0, sizeof *t);
}

typedef struct {
    sk_srv_counts *c;
    int64_t cap;
} srv_counts_rd;

static int srv_counts_row(sk_csv_rd *rd) {
    srv_counts_rd *r = rd->ctx;
    if (rd->line == 1) {
        if (rd->nf < 2 || strcmp(rd->f[1], "Requests"))
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:1: expected columns Time (min),Requests", rd->path);
        return 0;
    }
    if (rd->nf < 2) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected 2 fields", rd->path, (long long)rd->line);
    char *end;
    double v = strtod(rd->f[1], &end);
    if (end == rd->f[1] || *end || !(v >= 0) || !isfinite(v))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column Requests: expected a count, got '%s'", rd->path,
                       (long long)rd->line, rd->f[1]);
    sk_srv_counts *c = r->c;
    if (c->n == r->cap) {
        int64_t nc = r->cap ? 2 * r->cap : 4096;
        double *nv = realloc(c->count, (size_t)nc * sizeof *nv);
        if (!nv) return SK_ENOMEM;
        c->count = nv, r->cap = nc;
    }
    c->count[c->n++] = v;
    return 0;
}

int sk_srv_counts_load(sk_srv_counts *c, const char *path, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    srv_counts_rd r = {.c = c};
    sk_csv_rd *rd = calloc(1, sizeof *rd);
    if (!rd) return SK_ENOMEM;
    rd->path = path, rd->err = err, rd->errlen = errlen, rd->row = srv_counts_row, rd->ctx = &r;
    int rc = sk_csv_read(rd);
    free(rd);
    if (rc == 0 && c->n == 0) rc = sk_errf(err, errlen, SK_EDATA, "%s: no rows", path);
    if (rc < 0) return sk_srv_counts_fini(c), rc;
    return 0;
}

void sk_srv_counts_fini(sk_srv_counts *c) {
    free(c->count);
    memset(c, 0, sizeof *c);
}
