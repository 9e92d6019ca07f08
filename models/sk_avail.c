/* sk_avail.c - spot availability models (trace replay, Markov chain over capacity levels, hazard
 * with correlated reclaims), the AWS Spot Advisor bucket table, count-trace loaders and the
 * maximum-likelihood Markov fit. Data read (traces/README.md): spot-availability/ and
 * spothedge/data/ (counts, available convention), gcp-h100-multiregion/converted_* and
 * aws-v100-multinode/converted_* (0/1, preempted convention), bamboo-spot-traces/traces/ (node
 * event logs, GCP counts), aws-spot-advisor/gpu_accel_interruption_*.csv. Formulas and readings:
 * docs/fleet_availability.md. */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "models/sk_avail.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "io/sk_spot.h"
#include "sk_error.h"

/* ---- replay ----------------------------------------------------------------------------------- */

typedef struct {
    sk_avail_model base;
    int32_t *counts;
    int64_t n, i;  /* ticks; the tick whose count is in force */
    int64_t lap;   /* completed loops */
    sk_time gap, t0;
    int32_t scale;
    int loop, started, constant;
} sk_replay;

static int32_t sk_replay_cap(const sk_replay *r, int64_t i) {
    int64_t c = (int64_t)r->counts[i] * r->scale;
    return c >= SK_CAP_INF ? SK_CAP_INF - 1 : (int32_t)c;
}

static int sk_replay_next(sk_avail_model *m, struct sk_rng *rng, sk_avail_step *s) {
    (void)rng;
    sk_replay *r = (sk_replay *)m;
    if (!r->started) {
        r->started = 1;
        *s = (sk_avail_step){r->t0, sk_replay_cap(r, 0), 0.0f, 0};
        return 1;
    }
    if (r->constant) return 0;
    int32_t cur = r->counts[r->i];
    int64_t j = r->i;
    do {
        if (++j == r->n) {
            if (!r->loop) {
                r->i = r->n - 1;
                return 0;
            }
            j = 0;
            r->lap++;
        }
    } while (r->counts[j] == cur); /* ends: the trace is not constant */
    r->i = j;
    *s = (sk_avail_step){r->t0 + (r->lap * r->n + j) * r->gap, sk_replay_cap(r, j), 0.0f, 0};
    return 1;
}

static void sk_replay_free(sk_avail_model *m) {
    sk_replay *r = (sk_replay *)m;
    free(r->counts);
    free(r);
}

static const sk_avail_vt sk_replay_vt = {"replay", sk_replay_next, sk_replay_free};

sk_avail_model *sk_avail_replay_new(const int32_t *counts, int64_t n, sk_time gap, sk_time t0, int32_t scale, int loop) {
    if (n < 1 || gap <= 0 || scale < 0) return NULL;
    sk_replay *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    if (!(r->counts = malloc((size_t)n * sizeof *r->counts))) {
        free(r);
        return NULL;
    }
    memcpy(r->counts, counts, (size_t)n * sizeof *counts);
    r->base.vt = &sk_replay_vt;
    r->n = n;
    r->gap = gap;
    r->t0 = t0;
    r->scale = scale;
    r->loop = loop;
    r->constant = 1;
    for (int64_t i = 1; i < n; i++) r->constant &= counts[i] == counts[0];
    return &r->base;
}

/* ---- stationary distribution ------------------------------------------------------------------ */

/* Power iteration on the uniformised chain P = I + Q / (1.05 qmax), from the uniform vector. */
static void sk_avail_power(int k, const double *rate, const double *q, double *pi, double *tmp) {
    double qmax = 0;
    for (int l = 0; l < k; l++) qmax = fmax(qmax, q[l]);
    for (int l = 0; l < k; l++) pi[l] = 1.0 / k;
    if (qmax <= 0) return;
    double u = 1.05 * qmax;
    for (int it = 0; it < 10000000; it++) {
        double diff = 0;
        for (int m = 0; m < k; m++) {
            double v = pi[m] * (1 - q[m] / u);
            for (int l = 0; l < k; l++)
                if (l != m) v += pi[l] * rate[l * k + m] / u;
            tmp[m] = v;
        }
        for (int m = 0; m < k; m++) {
            diff = fmax(diff, fabs(tmp[m] - pi[m]));
            pi[m] = tmp[m];
        }
        if (diff < 1e-15) break;
    }
}

int sk_avail_stationary(int nlev, const double *rate, double *pi) {
    if (nlev < 1) return SK_ECONFIG;
    for (int i = 0; i < nlev * nlev; i++)
        if (!(rate[i] >= 0) || !isfinite(rate[i])) return SK_ECONFIG;
    int k = nlev, rc = 0;
    double *q = calloc((size_t)k * 2, sizeof *q);
    gsl_matrix *A = gsl_matrix_alloc((size_t)k, (size_t)k);
    gsl_vector *b = gsl_vector_calloc((size_t)k), *x = gsl_vector_alloc((size_t)k);
    gsl_permutation *p = gsl_permutation_alloc((size_t)k);
    if (!q || !A || !b || !x || !p) {
        rc = SK_ENOMEM;
        goto done;
    }
    for (int l = 0; l < k; l++)
        for (int m = 0; m < k; m++)
            if (m != l) q[l] += rate[l * k + m];
    /* A = Q^T with the last equation replaced by sum pi = 1 */
    for (int r = 0; r < k; r++)
        for (int c = 0; c < k; c++)
            gsl_matrix_set(A, (size_t)r, (size_t)c, r == k - 1 ? 1.0 : (r == c ? -q[c] : rate[c * k + r]));
    gsl_vector_set(b, (size_t)k - 1, 1.0);
    int sign, ok = 1;
    double scale = 1;
    for (int l = 0; l < k; l++) scale = fmax(scale, q[l]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (gsl_linalg_LU_decomp(A, p, &sign)) ok = 0;
    for (int l = 0; ok && l < k; l++) ok = fabs(gsl_matrix_get(A, (size_t)l, (size_t)l)) > 1e-12 * scale;
    if (ok && gsl_linalg_LU_solve(A, p, b, x)) ok = 0;
    gsl_set_error_handler(old);
    double sum = 0;
    for (int l = 0; ok && l < k; l++) {
        double v = gsl_vector_get(x, (size_t)l);
        if (!(v > -1e-9) || !isfinite(v)) ok = 0;
        pi[l] = v < 0 ? 0 : v;
        sum += pi[l];
    }
    if (ok && sum > 0)
        for (int l = 0; l < k; l++) pi[l] /= sum;
    else sk_avail_power(k, rate, q, pi, q + k);
done:
    gsl_permutation_free(p);
    gsl_vector_free(x);
    gsl_vector_free(b);
    gsl_matrix_free(A);
    free(q);
    return rc;
}

/* ---- Markov chain ----------------------------------------------------------------------------- */

typedef struct {
    sk_avail_model base;
    int nlev, cur, started;
    sk_time t, spread;
    int32_t *cap;
    double *rate, *q, *pi; /* pi: NULL unless the start level is drawn */
} sk_markov;

static int sk_markov_next(sk_avail_model *mm, struct sk_rng *rng, sk_avail_step *s) {
    sk_markov *m = (sk_markov *)mm;
    int k = m->nlev;
    if (!m->started) {
        m->started = 1;
        if (m->pi) {
            double u = sk_rng_uniform(rng), acc = 0;
            m->cur = k - 1;
            for (int l = 0; l < k; l++)
                if (u < (acc += m->pi[l])) {
                    m->cur = l;
                    break;
                }
        }
        *s = (sk_avail_step){m->t, m->cap[m->cur], 0.0f, 0};
        return 1;
    }
    double q = m->q[m->cur];
    if (!(q > 0)) return 0; /* absorbing */
    sk_time dt = sk_time_from(sk_rng_exponential(rng, 1.0 / q), SK_HOUR);
    if (dt > SK_TIME_MAX - m->t) return 0;
    m->t += dt;
    /* the next level with probability rate[cur][m] / q */
    const double *row = m->rate + (size_t)m->cur * k;
    double u = sk_rng_uniform(rng) * q, acc = 0;
    int next = -1;
    for (int l = 0; l < k; l++) {
        if (l == m->cur || !(row[l] > 0)) continue;
        next = l; /* the last positive one catches rounding at the top */
        if (u < (acc += row[l])) break;
    }
    int32_t from = m->cap[m->cur];
    m->cur = next;
    *s = (sk_avail_step){m->t, m->cap[next], 0.0f, m->cap[next] < from ? m->spread : 0};
    return 1;
}

static void sk_markov_free(sk_avail_model *mm) {
    sk_markov *m = (sk_markov *)mm;
    free(m->cap);
    free(m->rate);
    free(m->q);
    free(m->pi);
    free(m);
}

static const sk_avail_vt sk_markov_vt = {"markov", sk_markov_next, sk_markov_free};

sk_avail_model *sk_avail_markov_new(int nlev, const int32_t *cap, const double *rate, int l0, sk_time t0, sk_time spread) {
    if (nlev < 1 || l0 >= nlev || spread < 0) return NULL;
    for (int i = 0; i < nlev * nlev; i++)
        if (!(rate[i] >= 0) || !isfinite(rate[i])) return NULL;
    sk_markov *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    size_t k = (size_t)nlev;
    m->cap = malloc(k * sizeof *m->cap);
    m->rate = malloc(k * k * sizeof *m->rate);
    m->q = calloc(k, sizeof *m->q);
    if (l0 < 0) m->pi = malloc(k * sizeof *m->pi);
    if (!m->cap || !m->rate || !m->q || (l0 < 0 && !m->pi)) goto fail;
    memcpy(m->cap, cap, k * sizeof *cap);
    for (size_t l = 0; l < k; l++)
        for (size_t j = 0; j < k; j++) {
            m->rate[l * k + j] = l == j ? 0 : rate[l * k + j];
            m->q[l] += m->rate[l * k + j];
        }
    if (l0 < 0 && sk_avail_stationary(nlev, m->rate, m->pi) < 0) goto fail;
    m->base.vt = &sk_markov_vt;
    m->nlev = nlev;
    m->cur = l0 < 0 ? 0 : l0;
    m->t = t0;
    m->spread = spread;
    return &m->base;
fail:
    sk_markov_free(&m->base);
    return NULL;
}

/* ---- hazard with correlated reclaims ---------------------------------------------------------- */

typedef struct {
    sk_avail_model base;
    double event_rate; /* reclaim events per hour = rate_per_h / group_frac */
    float frac;
    sk_time t, spread;
    int started;
} sk_hazard;

static int sk_hazard_next(sk_avail_model *mm, struct sk_rng *rng, sk_avail_step *s) {
    sk_hazard *h = (sk_hazard *)mm;
    if (!h->started) {
        h->started = 1;
        *s = (sk_avail_step){h->t, SK_CAP_INF, 0.0f, 0};
        return 1;
    }
    if (!(h->event_rate > 0)) return 0;
    sk_time dt = sk_time_from(sk_rng_exponential(rng, 1.0 / h->event_rate), SK_HOUR);
    if (dt > SK_TIME_MAX - h->t) return 0;
    h->t += dt;
    *s = (sk_avail_step){h->t, SK_CAP_SAME, h->frac, h->spread};
    return 1;
}

static void sk_hazard_free(sk_avail_model *m) { free(m); }

static const sk_avail_vt sk_hazard_vt = {"hazard", sk_hazard_next, sk_hazard_free};

sk_avail_model *sk_avail_hazard_new(double rate_per_h, double group_frac, sk_time spread, sk_time t0) {
    if (!(rate_per_h >= 0) || !isfinite(rate_per_h) || !(group_frac > 0 && group_frac <= 1) || spread < 0) return NULL;
    sk_hazard *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->base.vt = &sk_hazard_vt;
    h->event_rate = rate_per_h / group_frac;
    h->frac = (float)group_frac;
    h->spread = spread;
    h->t = t0;
    return &h->base;
}

/* Spot Advisor buckets give the share f of instances interrupted in a month. Representative f:
 * the midpoint of each bucket, 25% for ">20%". A constant per-instance hazard lambda interrupts a
 * share 1 - exp(-lambda * month) in a month of 30.4 days, so lambda = -ln(1 - f) / (30.4 * 24)
 * per hour: 3.470e-5, 1.069e-4, 1.830e-4, 2.637e-4, 3.943e-4. Outside 0..4: NaN. */
double sk_avail_bucket_rate(int bucket) {
    static const double f[5] = {0.025, 0.075, 0.125, 0.175, 0.25};
    if (bucket < 0 || bucket > 4) return NAN;
    return -log1p(-f[bucket]) / (30.4 * 24.0);
}

/* ---- Spot Advisor CSV ------------------------------------------------------------------------- */

typedef struct {
    char region[32], type[48];
    int bucket;
    int64_t line;
} sk_adv_row;

struct sk_advisor {
    sk_adv_row *rows;
    size_t n, cap;
    int col_region, col_os, col_type, col_bucket, ncols, have_header;
};

static int sk_adv_cmp(const void *a, const void *b) {
    const sk_adv_row *x = a, *y = b;
    int c = strcmp(x->region, y->region);
    return c ? c : strcmp(x->type, y->type);
}

static int sk_adv_row_cb(sk_csv_rd *rd) {
    struct sk_advisor *a = rd->ctx;
    long long ln = (long long)rd->line;
    if (!a->have_header) {
        a->col_region = a->col_os = a->col_type = a->col_bucket = -1;
        for (int f = 0; f < rd->nf; f++) {
            if (!strcmp(rd->f[f], "region")) a->col_region = f;
            else if (!strcmp(rd->f[f], "os")) a->col_os = f;
            else if (!strcmp(rd->f[f], "instance_type")) a->col_type = f;
            else if (!strcmp(rd->f[f], "interruption_bucket")) a->col_bucket = f;
        }
        if (a->col_region < 0 || a->col_type < 0 || a->col_bucket < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA,
                           "%s:%lld: header needs the columns region, instance_type and interruption_bucket", rd->path, ln);
        a->ncols = rd->nf;
        a->have_header = 1;
        return 0;
    }
    if (rd->nf != a->ncols)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected %d fields as in the header, got %d", rd->path, ln,
                       a->ncols, rd->nf);
    if (a->col_os >= 0 && strcmp(rd->f[a->col_os], "Linux")) return 0; /* Linux prices and buckets only */
    const char *bs = rd->f[a->col_bucket];
    if (!(bs[0] >= '0' && bs[0] <= '4' && !bs[1]))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (interruption_bucket): expected 0..4, got '%s'",
                       rd->path, ln, a->col_bucket + 1, bs);
    const char *reg = rd->f[a->col_region], *typ = rd->f[a->col_type];
    if (!reg[0] || strlen(reg) >= sizeof a->rows->region || !typ[0] || strlen(typ) >= sizeof a->rows->type)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: region '%s' or instance_type '%s' empty or too long",
                       rd->path, ln, reg, typ);
    if (a->n == a->cap) {
        size_t nc = a->cap ? 2 * a->cap : 1024;
        sk_adv_row *nr = realloc(a->rows, nc * sizeof *nr);
        if (!nr) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        a->rows = nr;
        a->cap = nc;
    }
    sk_adv_row *r = &a->rows[a->n++];
    memcpy(r->region, reg, strlen(reg) + 1); /* lengths checked above */
    memcpy(r->type, typ, strlen(typ) + 1);
    r->bucket = bs[0] - '0';
    r->line = rd->line;
    return 0;
}

int sk_advisor_load(sk_advisor **out, const char *path, char *err, size_t errlen) {
    *out = NULL;
    struct sk_advisor *a = calloc(1, sizeof *a);
    if (!a) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_adv_row_cb, .ctx = a};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!a->have_header) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: empty (expected a header and one row per region and type)", path);
        goto fail;
    }
    qsort(a->rows, a->n, sizeof *a->rows, sk_adv_cmp);
    for (size_t i = 1; i < a->n; i++)
        if (!sk_adv_cmp(&a->rows[i - 1], &a->rows[i])) {
            int64_t l1 = a->rows[i - 1].line, l2 = a->rows[i].line;
            rc = sk_errf(err, errlen, SK_EDATA, "%s:%lld: %s %s given twice (also line %lld)", path,
                         (long long)(l1 > l2 ? l1 : l2), a->rows[i].region, a->rows[i].type, (long long)(l1 > l2 ? l2 : l1));
            goto fail;
        }
    *out = a;
    return 0;
fail:
    sk_advisor_free(a);
    return rc;
}

int sk_advisor_bucket(const sk_advisor *a, const char *region, const char *type) {
    sk_adv_row key;
    if (strlen(region) >= sizeof key.region || strlen(type) >= sizeof key.type) return -1;
    memcpy(key.region, region, strlen(region) + 1);
    memcpy(key.type, type, strlen(type) + 1);
    const sk_adv_row *r = bsearch(&key, a->rows, a->n, sizeof *a->rows, sk_adv_cmp);
    return r ? r->bucket : -1;
}

void sk_advisor_free(sk_advisor *a) {
    if (!a) return;
    free(a->rows);
    free(a);
}

/* ---- count traces: helpers -------------------------------------------------------------------- */

/* The trace name: the file name without extension; for <dir>/full.json, "<dir>/full". */
static char *sk_ct_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t blen = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    const char *from = base;
    if (blen == 4 && !strncmp(base, "full", 4) && base - path >= 2) {
        const char *p = base - 1;
        while (p > path && p[-1] != '/') p--;
        if (base - 1 > p) from = p;
    }
    size_t len = (size_t)(base - from) + blen;
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, from, len);
        s[len] = '\0';
    }
    return s;
}

/* What the folders above a file say (after resolving the path): PREEMPTED when the parent or
 * grandparent starts with "converted" (the rule of io/sk_spot.h); AVAILABLE when one of the four
 * nearest folders is spot-availability, spothedge or "<N>-node" (*nodes = N for the last);
 * else AUTO. */
static int sk_ct_folders(const char *path, int32_t *nodes) {
    char *real = realpath(path, NULL);
    const char *p = real ? real : path;
    const char *end = strrchr(p, '/');
    int says = SK_SPOT_AUTO;
    *nodes = 0;
    for (int level = 0; level < 4 && end && end > p; level++) {
        const char *start = end;
        while (start > p && start[-1] != '/') start--;
        size_t len = (size_t)(end - start);
        if (level < 2 && len >= 9 && !strncmp(start, "converted", 9)) says = SK_SPOT_PREEMPTED;
        else if (says == SK_SPOT_AUTO && ((len == 17 && !strncmp(start, "spot-availability", 17)) ||
                                          (len == 9 && !strncmp(start, "spothedge", 9))))
            says = SK_SPOT_AVAILABLE;
        else if (len > 5 && !strncmp(end - 5, "-node", 5)) {
            int32_t v = 0;
            const char *c = start;
            for (; c < end - 5 && isdigit((unsigned char)*c) && v < 1000000; c++) v = v * 10 + (*c - '0');
            if (c == end - 5 && v > 0) {
                *nodes = v;
                if (says == SK_SPOT_AUTO) says = SK_SPOT_AVAILABLE;
            }
        }
        end = start > p ? start - 1 : NULL;
    }
    free(real);
    return says;
}

static const char *sk_ct_conv_name(int c) {
    return c == SK_SPOT_PREEMPTED ? "preempted" : c == SK_SPOT_AVAILABLE ? "available" : "auto";
}

static void sk_ct_line_col(const char *buf, size_t off, size_t *line, size_t *col) {
    size_t l = 1, last = 0;
    int seen = 0;
    for (size_t i = 0; i < off; i++)
        if (buf[i] == '\n') l++, last = i, seen = 1;
    *line = l;
    *col = seen ? off - last : off + 1;
}

/* ---- count traces: JSON ----------------------------------------------------------------------- */

static int sk_ct_json(sk_count_trace *t, const char *path, int conv_in, char *err, size_t errlen) {
    int force = !!(conv_in & SK_AVAIL_CONV_FORCE), conv = conv_in & ~SK_AVAIL_CONV_FORCE, rc;
    char *buf = NULL;
    size_t len;
    cJSON *root = NULL;
    if (conv != SK_SPOT_AUTO && conv != SK_SPOT_AVAILABLE && conv != SK_SPOT_PREEMPTED)
        return sk_errf(err, errlen, SK_ECONFIG, "%s: unknown convention %d", path, conv);
    if ((rc = sk_file_slurp(path, &buf, &len, err, errlen)) < 0) return rc;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (!root) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len, line, col;
        sk_ct_line_col(buf, off, &line, &col);
        rc = sk_errf(err, errlen, SK_EDATA, "%s:%zu:%zu: invalid JSON at byte %zu", path, line, col, off);
        goto done;
    }
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    const cJSON *gap = cJSON_IsObject(md) ? cJSON_GetObjectItemCaseSensitive(md, "gap_seconds") : NULL;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!cJSON_IsObject(root) || !cJSON_IsObject(md)) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: metadata: missing (expected {\"metadata\": {\"gap_seconds\": G}, \"data\": [...]})", path);
        goto done;
    }
    if (!cJSON_IsNumber(gap) || !isfinite(gap->valuedouble) || gap->valuedouble <= 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: metadata.gap_seconds: %s", path, gap ? "expected a positive number" : "missing");
        goto done;
    }
    int n = cJSON_IsArray(data) ? cJSON_GetArraySize(data) : 0;
    if (n <= 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: data: %s", path, data ? "expected a non-empty array of counts" : "missing");
        goto done;
    }
    /* the file's own evidence */
    int key = SK_SPOT_AUTO;
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(md, "convention");
    if (cv) {
        if (cJSON_IsString(cv) && !strcmp(cv->valuestring, "preempted")) key = SK_SPOT_PREEMPTED;
        else if (cJSON_IsString(cv) && !strcmp(cv->valuestring, "available")) key = SK_SPOT_AVAILABLE;
        else {
            rc = sk_errf(err, errlen, SK_EDATA, "%s: metadata.convention: expected \"available\" or \"preempted\"", path);
            goto done;
        }
    }
    int32_t fnodes;
    int folder = sk_ct_folders(path, &fnodes);
    double vmax = 0;
    int64_t imax = 0, i = 0;
    for (const cJSON *v = data->child; v; v = v->next, i++) {
        double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!(x >= 0) || x > 1e9 || x != floor(x)) {
            rc = sk_errf(err, errlen, SK_EDATA, "%s: data[%lld]: expected a non-negative integer count", path, (long long)i);
            goto done;
        }
        if (x > vmax) vmax = x, imax = i;
    }
    if (conv == SK_SPOT_AUTO) conv = key ? key : folder == SK_SPOT_PREEMPTED ? SK_SPOT_PREEMPTED : SK_SPOT_AVAILABLE;
    else if (!force && key && conv != key) {
        rc = sk_errf(err, errlen, SK_ECONFIG,
                     "%s: convention %s given, but the file says metadata.convention = \"%s\" (a mislabelled trace? "
                     "use auto, or force it)",
                     path, sk_ct_conv_name(conv), sk_ct_conv_name(key));
        goto done;
    } else if (!force && !key && folder && conv != folder) {
        rc = sk_errf(err, errlen, SK_ECONFIG,
                     "%s: convention %s given, but its folder holds %s-convention traces (%s) (a mislabelled trace? use "
                     "auto, or force it)",
                     path, sk_ct_conv_name(conv), sk_ct_conv_name(folder),
                     folder == SK_SPOT_PREEMPTED ? "converted_*: 1 = preempted"
                                                 : "spot-availability/, spothedge/, N-node: value = instances available");
        goto done;
    }
    if (conv == SK_SPOT_PREEMPTED && vmax > 1) {
        rc = sk_errf(err, errlen, SK_EDATA,
                     "%s: data[%lld] = %.0f: the preempted convention holds 0/1 flags, this file holds instance counts "
                     "(available convention)",
                     path, (long long)imax, vmax);
        goto done;
    }
    sk_count_trace r = {0};
    r.gap = gap->valuedouble;
    r.n = n;
    r.nodes = conv == SK_SPOT_PREEMPTED ? 1 : (int32_t)fmax(fmax(vmax, (double)fnodes), 1.0);
    r.counts = malloc((size_t)n * sizeof *r.counts);
    r.name = sk_ct_name(path);
    if (!r.counts || !r.name) {
        free(r.counts);
        free(r.name);
        rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    i = 0;
    for (const cJSON *v = data->child; v; v = v->next, i++)
        r.counts[i] = conv == SK_SPOT_PREEMPTED ? v->valuedouble == 0 : (int32_t)v->valuedouble;
    *t = r;
done:
    cJSON_Delete(root);
    free(buf);
    return rc;
}

/* ---- count traces: bamboo --------------------------------------------------------------------- */

typedef struct {
    int kind;          /* 1: event log, 2: gcloud counts */
    int64_t *tm;       /* event: ms; gcloud: s */
    int32_t *cnt;      /* count from that row on */
    int64_t n, cap;
    char **names;      /* event logs: live node names */
    int32_t nlive, livecap;
} sk_bam_ctx;

static char *sk_trim(char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

static int sk_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t sk_days(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int sk_bam_row(sk_csv_rd *rd) {
    sk_bam_ctx *c = rd->ctx;
    long long ln = (long long)rd->line;
    if (rd->nf != 3)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected 3 fields (%s), got %d", rd->path, ln,
                       c->kind == 1 ? "time_ms,add|remove,node" : "YYYY-MM-DD, HH:MM:SS, count", rd->nf);
    if (c->n == c->cap) {
        int64_t nc = c->cap ? 2 * c->cap : 1024;
        int64_t *nt = realloc(c->tm, (size_t)nc * sizeof *nt);
        if (nt) c->tm = nt;
        int32_t *nn = nt ? realloc(c->cnt, (size_t)nc * sizeof *nn) : NULL;
        if (!nn) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        c->cnt = nn;
        c->cap = nc;
    }
    int64_t t, v;
    if (c->kind == 1) {
        char *op = sk_trim(rd->f[1]), *node = sk_trim(rd->f[2]);
        if (sk_parse_i64(sk_trim(rd->f[0]), 0, INT64_MAX / 2, &t) < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 1 (time_ms): expected a non-negative integer, got '%s'",
                           rd->path, ln, rd->f[0]);
        if (c->n && t < c->tm[c->n - 1])
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 1 (time_ms): %lld is before the previous event (%lld)",
                           rd->path, ln, (long long)t, (long long)c->tm[c->n - 1]);
        if (!node[0]) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 3 (node): empty", rd->path, ln);
        int32_t k = 0;
        while (k < c->nlive && strcmp(c->names[k], node)) k++;
        if (!strcmp(op, "add")) {
            if (k < c->nlive)
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: node %s added twice", rd->path, ln, node);
            if (c->nlive == c->livecap) {
                int32_t nc = c->livecap ? 2 * c->livecap : 64;
                char **nn = realloc(c->names, (size_t)nc * sizeof *nn);
                if (!nn) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
                c->names = nn;
                c->livecap = nc;
            }
            if (!(c->names[c->nlive] = strdup(node))) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
            c->nlive++;
        } else if (!strcmp(op, "remove")) {
            if (k == c->nlive)
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: node %s removed but not present", rd->path, ln, node);
            free(c->names[k]);
            c->names[k] = c->names[--c->nlive];
        } else {
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 2 (event): expected add or remove, got '%s'", rd->path,
                           ln, op);
        }
        v = c->nlive;
    } else {
        int64_t y, mo, d, h, mi, s;
        char *ds = sk_trim(rd->f[0]), *ts = sk_trim(rd->f[1]), *ns = sk_trim(rd->f[2]);
        char tail;
        if (sscanf(ds, "%4" SCNd64 "-%2" SCNd64 "-%2" SCNd64 "%c", &y, &mo, &d, &tail) != 3 || mo < 1 || mo > 12 || d < 1 ||
            d > 31)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 1 (date): expected YYYY-MM-DD, got '%s'", rd->path,
                           ln, ds);
        if (sscanf(ts, "%2" SCNd64 ":%2" SCNd64 ":%2" SCNd64 "%c", &h, &mi, &s, &tail) != 3 || h > 23 || mi > 59 || s > 60 ||
            h < 0 || mi < 0 || s < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 2 (time): expected HH:MM:SS, got '%s'", rd->path,
                           ln, ts);
        if (sk_parse_i64(ns, 0, 1000000000, &v) < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field 3 (count): expected a non-negative integer, got '%s'",
                           rd->path, ln, ns);
        t = sk_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    }
    c->tm[c->n] = t;
    c->cnt[c->n++] = (int32_t)v;
    return 0;
}

static int sk_ct_bamboo(sk_count_trace *t, const char *path, int kind, int conv, double gap, char *err, size_t errlen) {
    if ((conv & ~SK_AVAIL_CONV_FORCE) == SK_SPOT_PREEMPTED)
        return sk_errf(err, errlen, SK_ECONFIG, "%s: convention preempted given, but bamboo %s hold instance counts", path,
                       kind == 1 ? "node event logs" : "GCP count files");
    if (gap <= 0) gap = 60;
    if (!isfinite(gap)) return sk_errf(err, errlen, SK_ECONFIG, "%s: gap must be a positive number of seconds", path);
    sk_bam_ctx c = {.kind = kind};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_bam_row, .ctx = &c};
    sk_count_trace r = {0};
    int64_t *sm = NULL;
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto done;
    if (c.n == 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: no rows", path);
        goto done;
    }
    /* tick times in the file's unit: event logs from time 0 in ms, gcloud from the earliest stamp in s */
    double unit = kind == 1 ? 1000.0 : 1.0;
    int64_t t0 = kind == 1 ? 0 : c.tm[0], tmax = c.tm[0];
    for (int64_t i = 0; i < c.n; i++) {
        if (c.tm[i] < t0) t0 = c.tm[i];
        if (c.tm[i] > tmax) tmax = c.tm[i];
    }
    double ticks = floor((double)(tmax - t0) / unit / gap) + 1;
    if (ticks > 1e9) {
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: %.0f ticks of %g s: too many, use a longer gap", path, ticks, gap);
        goto done;
    }
    r.n = (int64_t)ticks;
    r.gap = gap;
    /* sm[i] = earliest stamp of a later row: row i holds on [tm[i], sm[i]) (gcloud: the last row
     * in file order stamped at or before a time wins; event logs are sorted, so the same rule) */
    if (!(sm = malloc((size_t)c.n * sizeof *sm)) || !(r.counts = malloc((size_t)r.n * sizeof *r.counts)) ||
        !(r.name = sk_ct_name(path))) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    sm[c.n - 1] = INT64_MAX;
    for (int64_t i = c.n - 1; i > 0; i--) sm[i - 1] = c.tm[i] < sm[i] ? c.tm[i] : sm[i];
    int64_t p = 0;
    for (int64_t k = 0; k < r.n; k++) {
        double tt = (double)t0 + (double)k * gap * unit;
        while (p < c.n && !((double)sm[p] > tt)) p++; /* rows superseded by time tt */
        r.counts[k] = p < c.n && (double)c.tm[p] <= tt ? c.cnt[p] : 0;
        if (r.counts[k] > r.nodes) r.nodes = r.counts[k];
    }
    for (int64_t i = 0; i < c.n; i++)
        if (c.cnt[i] > r.nodes) r.nodes = c.cnt[i];
    if (r.nodes < 1) r.nodes = 1;
    *t = r;
    memset(&r, 0, sizeof r);
done:
    sk_count_trace_fini(&r);
    free(sm);
    for (int32_t k = 0; k < c.nlive; k++) free(c.names[k]);
    free(c.names);
    free(c.tm);
    free(c.cnt);
    return rc;
}

int sk_count_trace_load(sk_count_trace *t, const char *path, int conv, double gap, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && !strcmp(dot, ".json")) return sk_ct_json(t, path, conv, err, errlen);
    if (dot && !strcmp(dot, ".csv")) return sk_ct_bamboo(t, path, 1, conv, gap, err, errlen);
    if (dot && !strcmp(dot, ".txt")) return sk_ct_bamboo(t, path, 2, conv, gap, err, errlen);
    return sk_errf(err, errlen, SK_EDATA,
                   "%s: unknown trace format (expected .json spot trace, .csv bamboo node events or .txt bamboo GCP counts)",
                   path);
}

void sk_count_trace_fini(sk_count_trace *t) {
    if (!t) return;
    free(t->name);
    free(t->counts);
    memset(t, 0, sizeof *t);
}

/* ---- Markov fit ------------------------------------------------------------------------------- */

int sk_markov_fit_traces(const sk_count_trace *const *t, int ntraces, int two_state, sk_markov_fit *out, char *err,
                         size_t errlen) {
    memset(out, 0, sizeof *out);
    if (ntraces < 1) return sk_errf(err, errlen, SK_EDATA, "no traces to fit");
    int k = 0;
    int32_t *lev = out->level;
    if (two_state) {
        k = 2;
        lev[0] = 0, lev[1] = 1;
    } else {
        for (int j = 0; j < ntraces; j++)
            for (int64_t i = 0; i < t[j]->n; i++) {
                int32_t c = t[j]->counts[i];
                int a = 0, b = k;
                while (a < b) {
                    int mid = (a + b) / 2;
                    if (lev[mid] < c) a = mid + 1;
                    else b = mid;
                }
                if (a < k && lev[a] == c) continue;
                if (k == SK_MARKOV_MAXLEV)
                    return sk_errf(err, errlen, SK_EDATA, "%s: more than %d distinct counts; fit two states instead",
                                   t[j]->name ? t[j]->name : "trace", SK_MARKOV_MAXLEV);
                memmove(lev + a + 1, lev + a, (size_t)(k - a) * sizeof *lev);
                lev[a] = c;
                k++;
            }
    }
    out->nlev = k;
    for (int j = 0; j < ntraces; j++) {
        const sk_count_trace *tr = t[j];
        if (tr->n < 1 || !(tr->gap > 0))
            return sk_errf(err, errlen, SK_EDATA, "%s: no ticks to fit", tr->name ? tr->name : "trace");
        int64_t ticks[SK_MARKOV_MAXLEV] = {0}; /* hours = ticks x gap: no rounding piles up */
        int prev = -1;
        for (int64_t i = 0; i < tr->n; i++) {
            int32_t c = tr->counts[i];
            int l;
            if (two_state) l = c >= 1;
            else
                for (l = 0; lev[l] != c; l++) {}
            ticks[l]++;
            if (prev >= 0 && prev != l) out->ntrans[prev * k + l]++;
            prev = l;
        }
        for (int l = 0; l < k; l++) out->time_h[l] += (double)ticks[l] * tr->gap / 3600.0;
        out->ticks += tr->n;
    }
    double ll = 0;
    for (int l = 0; l < k; l++)
        for (int m = 0; m < k; m++) {
            if (l == m) continue;
            double T = out->time_h[l];
            int64_t n = out->ntrans[l * k + m];
            int i = l * k + m;
            if (!(T > 0)) { /* a level never seen (two_state only): nothing known */
                out->rate[i] = 0, out->lo[i] = 0, out->hi[i] = INFINITY;
                continue;
            }
            out->rate[i] = (double)n / T;
            out->lo[i] = n ? gsl_cdf_chisq_Pinv(0.025, 2.0 * (double)n) / (2 * T) : 0.0;
            out->hi[i] = gsl_cdf_chisq_Pinv(0.975, 2.0 * (double)n + 2) / (2 * T);
            if (n) ll += (double)n * log(out->rate[i]);
            ll -= out->rate[i] * T;
        }
    out->loglik = ll;
    return 0;
}
