/* sk_perf.c - replica performance model from measured points (see sk_perf.h). */
#include "sk_perf.h"

#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_csv.h"
#include "sk_error.h"

enum { C_GPU, C_MODEL, C_BATCH, C_TPS, C_TTFT, C_SOURCE, C_N };
static const char *const sk_perf_cols[C_N] = {"gpu", "model", "batch", "tokens_per_s", "ttft_ms", "source"};

typedef struct {
    sk_perf *pm;
    size_t cap;
    int header;
} sk_perf_ctx;

static int sk__num(sk_csv_rd *rd, int col, double lo, double *out) {
    char *end;
    errno = 0;
    double v = strtod(rd->f[col], &end);
    if (end == rd->f[col] || *end || errno || !isfinite(v) || v < lo)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: %s: expected a number >= %g, got '%s'", rd->path,
                       (long long)rd->line, sk_perf_cols[col], lo, rd->f[col]);
    *out = v;
    return 0;
}

static int sk__perf_row(sk_csv_rd *rd) {
    sk_perf_ctx *c = rd->ctx;
    if (!c->header) {
        for (int i = 0; i < C_N; i++)
            if (rd->nf != C_N || strcmp(rd->f[i], sk_perf_cols[i]))
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected the header gpu,model,batch,tokens_per_s,ttft_ms,source",
                               rd->path, (long long)rd->line);
        c->header = 1;
        return 0;
    }
    if (rd->nf != C_N)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected %d fields, got %d", rd->path, (long long)rd->line,
                       C_N, rd->nf);
    sk_perf_point q = {0};
    double b;
    int rc;
    if (!*rd->f[C_GPU] || !*rd->f[C_MODEL] || strlen(rd->f[C_GPU]) >= sizeof q.gpu || strlen(rd->f[C_MODEL]) >= sizeof q.model)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: gpu and model must be 1..63 characters", rd->path,
                       (long long)rd->line);
    if ((rc = sk__num(rd, C_BATCH, 1, &b)) < 0 || (rc = sk__num(rd, C_TPS, 0, &q.tokens_per_s)) < 0 ||
        (rc = sk__num(rd, C_TTFT, 0, &q.ttft_ms)) < 0)
        return rc;
    if (b != floor(b) || b > 1e6)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: batch: expected an integer, got '%s'", rd->path,
                       (long long)rd->line, rd->f[C_BATCH]);
    q.batch = (int)b;
    strcpy(q.gpu, rd->f[C_GPU]);
    strcpy(q.model, rd->f[C_MODEL]);
    for (size_t i = 0; i < c->pm->n; i++)
        if (!strcmp(c->pm->p[i].gpu, q.gpu) && !strcmp(c->pm->p[i].model, q.model) && c->pm->p[i].batch == q.batch)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: (%s, %s, batch %d) given twice", rd->path,
                           (long long)rd->line, q.gpu, q.model, q.batch);
    if (c->pm->n == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 16;
        sk_perf_point *np = realloc(c->pm->p, nc * sizeof *np);
        if (!np) return SK_ENOMEM;
        c->pm->p = np;
        c->cap = nc;
    }
    c->pm->p[c->pm->n++] = q;
    return 0;
}

int sk_perf_load(sk_perf *pm, const char *path, char *err, size_t errlen) {
    memset(pm, 0, sizeof *pm);
    sk_perf_ctx c = {.pm = pm};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk__perf_row, .ctx = &c};
    int rc = sk_csv_read(&rd);
    if (rc == 0 && !c.header) rc = sk_errf(err, errlen, SK_EDATA, "%s: empty (expected a header line)", path);
    if (rc < 0) sk_perf_fini(pm);
    return rc;
}

void sk_perf_fini(sk_perf *pm) {
    free(pm->p);
    memset(pm, 0, sizeof *pm);
}

static int sk__cmp_batch(const void *a, const void *b) {
    return ((const sk_perf_point *)a)->batch - ((const sk_perf_point *)b)->batch;
}

int sk_perf_at(const sk_perf *pm, const char *gpu, const char *model, int batch, double *tps, double *ttft) {
    sk_perf_point pts[64];
    size_t n = 0;
    for (size_t i = 0; i < pm->n && n < 64; i++)
        if (!strcmp(pm->p[i].gpu, gpu) && !strcmp(pm->p[i].model, model)) pts[n++] = pm->p[i];
    if (!n) return SK_ENOENT;
    qsort(pts, n, sizeof *pts, sk__cmp_batch);
    if (batch <= pts[0].batch) { /* below the table: the smallest batch's per-sequence rate */
        *tps = pts[0].tokens_per_s * (double)batch / pts[0].batch;
        *ttft = pts[0].ttft_ms;
        return 0;
    }
    if (batch >= pts[n - 1].batch) { /* above it: saturated at the largest batch's throughput */
        *tps = pts[n - 1].tokens_per_s;
        *ttft = pts[n - 1].ttft_ms;
        return 0;
    }
    double x[64], y[64], z[64];
    for (size_t i = 0; i < n; i++) x[i] = log2((double)pts[i].batch), y[i] = pts[i].tokens_per_s, z[i] = pts[i].ttft_ms;
    gsl_interp *it = gsl_interp_alloc(gsl_interp_linear, n);
    if (!it) return SK_ENOMEM;
    gsl_interp_init(it, x, y, n);
    *tps = gsl_interp_eval(it, x, y, log2((double)batch), NULL);
    gsl_interp_init(it, x, z, n);
    *ttft = gsl_interp_eval(it, x, z, log2((double)batch), NULL);
    gsl_interp_free(it);
    return 0;
}
