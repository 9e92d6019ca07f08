/* sk_price.c - spot price models (constant, trace replay, Ornstein-Uhlenbeck with jumps), the
 * price-series loaders and the OU-with-jumps fit (model and estimator: sk_price.h and
 * docs/fleet_price_network.md).
 *
 * Data read: gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv (GCP list prices per
 * machine type and region, change log over snapshots), aws-spot-price-history-2022-05/
 * gpu_linux_spot_prices_2022-05.csv (AWS spot price changes per zone id and type),
 * aws-v100-multinode/v100_1node_prices/<zone>.json (per-tick p3.2xlarge spot prices). */
#include "models/sk_price.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "sk_error.h"

/* Steps the OU model may take without a price change before it emits the unchanged price. */
#define SK_PRICE_OU_MAX_IDLE (1 << 20)

/* ---- constant --------------------------------------------------------------------------------- */

typedef struct {
    sk_price_model base;
    double price;
    sk_time t0;
    int done;
} sk_price_const;

static int sk_price_const_next(sk_price_model *m, struct sk_rng *rng, sk_time *t, double *price) {
    (void)rng;
    sk_price_const *c = (sk_price_const *)m;
    if (c->done) return 0;
    c->done = 1;
    *t = c->t0;
    *price = c->price;
    return 1;
}

static void sk_price_simple_free(sk_price_model *m) { free(m); }

static const sk_price_vt sk_price_const_vt = {"constant", sk_price_const_next, sk_price_simple_free};

sk_price_model *sk_price_const_new(double price, sk_time t0) {
    if (!(price > 0) || !isfinite(price)) return NULL;
    sk_price_const *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->base.vt = &sk_price_const_vt;
    c->price = price;
    c->t0 = t0;
    return &c->base;
}

/* ---- trace replay ----------------------------------------------------------------------------- */

typedef struct {
    sk_price_model base;
    int64_t n, i;    /* points; index of the last one emitted (-1: none yet) */
    int64_t cycle;   /* completed loops */
    sk_time t0, period;
    int loop;
    double last;
    sk_time *t;
    double *price;
} sk_price_trace;

static int sk_price_trace_next(sk_price_model *m, struct sk_rng *rng, sk_time *t, double *price) {
    (void)rng;
    sk_price_trace *r = (sk_price_trace *)m;
    for (int64_t skipped = 0; skipped <= r->n; skipped++) {
        if (++r->i == r->n) {
            if (!r->loop) {
                r->i = r->n - 1;
                return 0;
            }
            r->i = 0;
            if (r->cycle >= (SK_TIME_MAX - r->t0) / r->period - 1) return 0; /* beyond the clock */
            r->cycle++;
        }
        double p = r->price[r->i];
        if (r->i == 0 && r->cycle == 0) { /* the first call: the price at t0 */
            r->last = p;
            *t = r->t0;
            *price = p;
            return 1;
        }
        if (p == r->last) continue;
        r->last = p;
        *t = r->t0 + r->cycle * r->period + r->t[r->i];
        *price = p;
        return 1;
    }
    return 0; /* a whole loop without a change: the price stays */
}

static void sk_price_trace_free(sk_price_model *m) {
    sk_price_trace *r = (sk_price_trace *)m;
    free(r->t);
    free(r->price);
    free(r);
}

static const sk_price_vt sk_price_trace_vt = {"trace", sk_price_trace_next, sk_price_trace_free};

sk_price_model *sk_price_trace_new(const sk_time *t, const double *price, int64_t n, sk_time t0, sk_time period, int loop) {
    if (n < 1 || t[0] != 0 || t0 < 0) return NULL;
    for (int64_t k = 0; k < n; k++) {
        if (!(price[k] > 0) || !isfinite(price[k])) return NULL;
        if (k && t[k] <= t[k - 1]) return NULL;
    }
    if (loop && period <= t[n - 1]) return NULL;
    sk_price_trace *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->t = malloc((size_t)n * sizeof *r->t);
    r->price = malloc((size_t)n * sizeof *r->price);
    if (!r->t || !r->price) {
        sk_price_trace_free(&r->base);
        return NULL;
    }
    memcpy(r->t, t, (size_t)n * sizeof *t);
    memcpy(r->price, price, (size_t)n * sizeof *price);
    r->base.vt = &sk_price_trace_vt;
    r->n = n;
    r->i = -1;
    r->t0 = t0;
    r->period = period;
    r->loop = loop;
    return &r->base;
}

/* ---- Ornstein-Uhlenbeck with jumps ------------------------------------------------------------ */

typedef struct {
    sk_price_model base;
    sk_ou_params p;
    double decay, sd;  /* e^{-theta dt}; sd of the Gaussian part of one step */
    double lambda_dt;  /* expected jumps per step */
    sk_time t0, dt;    /* start; step */
    int64_t k;         /* steps taken (-1: nothing emitted yet) */
    double x;
} sk_price_ou;

static double sk_clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

static int sk_price_ou_next(sk_price_model *m, struct sk_rng *rng, sk_time *t, double *price) {
    sk_price_ou *o = (sk_price_ou *)m;
    if (o->k < 0) {
        o->k = 0;
        *t = o->t0;
        *price = o->x;
        return 1;
    }
    int deterministic = o->sd == 0 && o->lambda_dt == 0;
    for (int idle = 0; idle < SK_PRICE_OU_MAX_IDLE; idle++) {
        if (o->k >= (SK_TIME_MAX - o->t0) / o->dt - 1) return 0; /* beyond the clock */
        double x = o->p.mu + (o->x - o->p.mu) * o->decay;
        if (o->sd > 0) x += o->sd * gsl_ran_gaussian_ziggurat(rng->g, 1.0);
        if (o->lambda_dt > 0) {
            unsigned int nj = gsl_ran_poisson(rng->g, o->lambda_dt);
            for (unsigned int i = 0; i < nj; i++) x += sk_rng_exponential(rng, o->p.jump_mean);
        }
        x = sk_clamp(x, o->p.floor, o->p.cap);
        o->k++;
        if (x != o->x || idle == SK_PRICE_OU_MAX_IDLE - 1) {
            o->x = x;
            *t = o->t0 + o->k * o->dt;
            *price = x;
            return 1;
        }
        if (deterministic) return 0; /* a fixed point of a deterministic map: it stays */
    }
    return 0; /* not reached */
}

static const sk_price_vt sk_price_ou_vt = {"ou", sk_price_ou_next, sk_price_simple_free};

int sk_price_ou_check(const sk_ou_params *p, char *err, size_t errlen) {
    const struct {
        const char *name;
        double v;
        int ok;
    } f[] = {
        {"mu", p->mu, isfinite(p->mu)},
        {"theta", p->theta, p->theta >= 0},
        {"sigma", p->sigma, p->sigma >= 0},
        {"jump_rate", p->jump_rate, p->jump_rate >= 0},
        {"jump_mean", p->jump_mean, p->jump_rate > 0 ? p->jump_mean > 0 : p->jump_mean >= 0},
        {"p0", p->p0, isfinite(p->p0)},
        {"floor", p->floor, p->floor > 0},
        {"cap", p->cap, p->cap >= p->floor},
        {"dt_s", p->dt_s, p->dt_s >= 1e-6},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!f[i].ok || !isfinite(f[i].v))
            return sk_errf(err, errlen, SK_ECONFIG,
                           "price model ou: %s = %g is out of range (theta, sigma, jump_rate >= 0; jump_mean > 0 "
                           "with jumps; 0 < floor <= cap; dt_s >= 1e-6 s; all finite)",
                           f[i].name, f[i].v);
    return 0;
}

sk_price_model *sk_price_ou_new(const sk_ou_params *p, sk_time t0) {
    if (sk_price_ou_check(p, NULL, 0) < 0 || t0 < 0) return NULL;
    sk_price_ou *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->base.vt = &sk_price_ou_vt;
    o->p = *p;
    double dt_h = p->dt_s / 3600.0;
    o->decay = exp(-p->theta * dt_h);
    o->sd = p->theta > 0 ? p->sigma * sqrt(-expm1(-2 * p->theta * dt_h) / (2 * p->theta)) : p->sigma * sqrt(dt_h);
    o->lambda_dt = p->jump_rate * dt_h;
    o->t0 = t0;
    o->dt = sk_time_from(p->dt_s, SK_SEC);
    if (o->dt < 1) o->dt = 1;
    o->k = -1;
    o->x = sk_clamp(p->p0 > 0 ? p->p0 : p->mu, p->floor, p->cap);
    return &o->base;
}

/* ---- series ----------------------------------------------------------------------------------- */

void sk_price_series_fini(sk_price_series *s) {
    free(s->t);
    free(s->price);
    memset(s, 0, sizeof *s);
}

/* Add a change point at t (>= the last): the same time replaces the last price; an unchanged price
 * is dropped. Returns 0 or SK_ENOMEM. */
static int sk_series_push(sk_price_series *s, int64_t *cap, sk_time t, double p) {
    if (s->n && t == s->t[s->n - 1]) {
        s->price[s->n - 1] = p;
        if (s->n > 1 && s->price[s->n - 2] == p) s->n--;
        return 0;
    }
    if (s->n && s->price[s->n - 1] == p) return 0;
    if (s->n == *cap) {
        int64_t nc = *cap ? 2 * *cap : 64;
        sk_time *nt = realloc(s->t, (size_t)nc * sizeof *nt);
        if (!nt) return SK_ENOMEM;
        s->t = nt;
        double *np = realloc(s->price, (size_t)nc * sizeof *np);
        if (!np) return SK_ENOMEM;
        s->price = np;
        *cap = nc;
    }
    s->t[s->n] = t;
    s->price[s->n++] = p;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t sk_days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* n decimal digits at s; -1 if any is not a digit. */
static int64_t sk_digits(const char *s, int n) {
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "YYYY-MM-DD" at s (exactly 10 characters) to Unix seconds at 00:00 UTC. Returns 0 or -1. */
static int sk_parse_date(const char *s, int64_t *unix_s) {
    int64_t y = sk_digits(s, 4), m = sk_digits(s + 5, 2), d = sk_digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || s[4] != '-' || s[7] != '-') return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap)) return -1;
    *unix_s = sk_days_from_civil(y, m, d) * 86400;
    return 0;
}

/* "YYYY-MM-DD" or ISO-8601 "YYYY-MM-DDTHH:MM:SS" + "Z" | "+HH:MM" | "-HH:MM" to Unix seconds. */
static int sk_parse_iso(const char *s, int64_t *unix_s) {
    size_t len = strlen(s);
    if (len == 10) return sk_parse_date(s, unix_s);
    if (len < 20 || sk_parse_date(s, unix_s) < 0 || (s[10] != 'T' && s[10] != ' ')) return -1;
    int64_t hh = sk_digits(s + 11, 2), mm = sk_digits(s + 14, 2), ss = sk_digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || s[13] != ':' || s[16] != ':') return -1;
    int64_t off = 0;
    const char *z = s + 19;
    if (!strcmp(z, "Z")) off = 0;
    else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
        int64_t oh = sk_digits(z + 1, 2), om = sk_digits(z + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
        off = (z[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else return -1;
    *unix_s += hh * 3600 + mm * 60 + ss - off;
    return 0;
}

/* A positive finite price from a CSV field; -1 if it is not one. */
static int sk_parse_price(const char *f, double *out) {
    char *end;
    if (!*f) return -1;
    double v = strtod(f, &end);
    if (*end || !isfinite(v) || !(v > 0)) return -1;
    *out = v;
    return 0;
}

/* 0 if row 1 holds exactly the expected column names; else SK_EDATA naming the first difference. */
static int sk_check_header(sk_csv_rd *rd, const char *const *cols, int ncols) {
    for (int i = 0; i < ncols; i++)
        if (i >= rd->nf || strcmp(rd->f[i], cols[i]))
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:1: column %d: expected header '%s', got '%s'", rd->path,
                           i + 1, cols[i], i < rd->nf ? rd->f[i] : "(missing)");
    return 0;
}

/* ---- GCP price change log --------------------------------------------------------------------- */

static const char *const sk_gcp_cols[] = {"snapshot_date", "source_commit", "machine_type", "region",
                                          "price_usd_per_hour", "spot_price_usd_per_hour"};

typedef struct {
    sk_price_series *s;
    int64_t cap;
    const char *machine, *region;
    int col;                /* 4 on-demand, 5 spot */
    int64_t first, last;    /* Unix seconds: the series' start; the last date in the file */
    int64_t prev;           /* the previous row's date (file order check) */
    int seen, started, ended;
} sk_gcp_ctx;

static int sk_gcp_row(sk_csv_rd *rd) {
    sk_gcp_ctx *c = rd->ctx;
    if (rd->line == 1) return sk_check_header(rd, sk_gcp_cols, 6);
    if (rd->nf != 6)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected 6 fields, got %d", rd->path, (long long)rd->line, rd->nf);
    int64_t day;
    if (strlen(rd->f[0]) != 10 || sk_parse_date(rd->f[0], &day) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 1 (snapshot_date): expected YYYY-MM-DD, got '%s'",
                       rd->path, (long long)rd->line, rd->f[0]);
    if (rd->line > 2 && day < c->prev)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 1 (snapshot_date): %s is before the previous row's date",
                       rd->path, (long long)rd->line, rd->f[0]);
    c->prev = c->last = day;
    if (strcmp(rd->f[2], c->machine) || strcmp(rd->f[3], c->region)) return 0;
    c->seen = 1;
    if (c->ended) return 0;
    const char *f = rd->f[c->col];
    if (!*f) {
        if (c->started && !*rd->f[4] && !*rd->f[5]) { /* the pair disappeared */
            c->ended = 1;
            c->s->end = (day - c->first) * SK_SEC;
        }
        return 0;
    }
    double p;
    if (sk_parse_price(f, &p) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %d (%s): expected a positive price, got '%s'", rd->path,
                       (long long)rd->line, c->col + 1, sk_gcp_cols[c->col], f);
    if (!c->started) {
        c->started = 1;
        c->first = day;
    }
    return sk_series_push(c->s, &c->cap, (day - c->first) * SK_SEC, p) < 0
               ? sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path)
               : 0;
}

int sk_price_load_gcp(sk_price_series *s, const char *path, const char *machine, const char *region, int spot, char *err,
                      size_t errlen) {
    memset(s, 0, sizeof *s);
    sk_gcp_ctx c = {.s = s, .machine = machine, .region = region, .col = spot ? 5 : 4};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_gcp_row, .ctx = &c};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!c.seen) {
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: no machine type '%s' in region '%s'", path, machine, region);
        goto fail;
    }
    if (!c.started) {
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: machine type '%s' in region '%s' has no %s price", path, machine, region,
                     spot ? "spot" : "on-demand");
        goto fail;
    }
    if (!c.ended) s->end = (c.last - c.first) * SK_SEC;
    s->epoch_s = c.first;
    return 0;
fail:
    sk_price_series_fini(s);
    return rc;
}

/* ---- AWS spot price history ------------------------------------------------------------------- */

static const char *const sk_aws_cols[] = {"availability_zone_id", "instance_type", "product_description",
                                          "spot_price_usd_per_hour", "timestamp_utc"};

typedef struct {
    int64_t unix_s, line;
    double price;
} sk_aws_pt;

typedef struct {
    const char *zone, *type;
    sk_aws_pt *pt;
    int64_t n, cap;
    int64_t last;  /* the latest timestamp in the file */
    int any;
} sk_aws_ctx;

static int sk_aws_row(sk_csv_rd *rd) {
    sk_aws_ctx *c = rd->ctx;
    if (rd->line == 1) return sk_check_header(rd, sk_aws_cols, 5);
    if (rd->nf != 5)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected 5 fields, got %d", rd->path, (long long)rd->line, rd->nf);
    int64_t ts;
    if (sk_parse_iso(rd->f[4], &ts) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: column 5 (timestamp_utc): expected YYYY-MM-DDTHH:MM:SS+00:00, got '%s'", rd->path,
                       (long long)rd->line, rd->f[4]);
    if (!c->any || ts > c->last) c->last = ts;
    c->any = 1;
    if (strcmp(rd->f[0], c->zone) || strcmp(rd->f[1], c->type)) return 0;
    double p;
    if (sk_parse_price(rd->f[3], &p) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 4 (spot_price_usd_per_hour): expected a positive price, got '%s'",
                       rd->path, (long long)rd->line, rd->f[3]);
    if (c->n == c->cap) {
        int64_t nc = c->cap ? 2 * c->cap : 16;
        sk_aws_pt *np = realloc(c->pt, (size_t)nc * sizeof *np);
        if (!np) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        c->pt = np;
        c->cap = nc;
    }
    c->pt[c->n++] = (sk_aws_pt){ts, rd->line, p};
    return 0;
}

/* By time, then file line (a stable order). */
static int sk_aws_cmp(const void *a, const void *b) {
    const sk_aws_pt *x = a, *y = b;
    if (x->unix_s != y->unix_s) return x->unix_s < y->unix_s ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

int sk_price_load_aws_history(sk_price_series *s, const char *path, const char *zone, const char *type, char *err,
                              size_t errlen) {
    memset(s, 0, sizeof *s);
    sk_aws_ctx c = {.zone = zone, .type = type};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_aws_row, .ctx = &c};
    int64_t cap = 0;
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!c.n) {
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: no rows for zone id '%s' and instance type '%s'", path, zone, type);
        goto fail;
    }
    qsort(c.pt, (size_t)c.n, sizeof *c.pt, sk_aws_cmp);
    for (int64_t i = 0; i < c.n; i++)
        if (sk_series_push(s, &cap, (c.pt[i].unix_s - c.pt[0].unix_s) * SK_SEC, c.pt[i].price) < 0) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    s->epoch_s = c.pt[0].unix_s;
    s->end = (c.last - c.pt[0].unix_s) * SK_SEC;
    free(c.pt);
    return 0;
fail:
    free(c.pt);
    sk_price_series_fini(s);
    return rc;
}

/* ---- per-tick JSON ---------------------------------------------------------------------------- */

/* A short description of a JSON value for messages. */
static void sk_json_describe(const cJSON *v, char *out, size_t len) {
    if (!v) snprintf(out, len, "nothing");
    else if (cJSON_IsString(v)) snprintf(out, len, "string \"%.40s\"", v->valuestring);
    else if (cJSON_IsNumber(v)) snprintf(out, len, "%.17g", v->valuedouble);
    else if (cJSON_IsNull(v)) snprintf(out, len, "null");
    else if (cJSON_IsBool(v)) snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsArray(v)) snprintf(out, len, "an array");
    else snprintf(out, len, "an object");
}

int sk_price_load_ticks(sk_price_series *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    char *buf = NULL, got[64];
    size_t len;
    int64_t cap = 0;
    cJSON *root = NULL;
    int rc = sk_file_slurp(path, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    if (!root) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len, line = 1, col = 1;
        for (size_t i = 0; i < off; i++, col++)
            if (buf[i] == '\n') line++, col = 0;
        rc = sk_errf(err, errlen, SK_EDATA, "%s:%zu:%zu: invalid JSON%s", path, line, col, off >= len ? " (truncated?)" : "");
        goto fail;
    }
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    const cJSON *gap = cJSON_GetObjectItemCaseSensitive(root, "gap_seconds");
    const char *gkey = "gap_seconds";
    if (!gap && cJSON_IsObject(md)) {
        gap = cJSON_GetObjectItemCaseSensitive(md, "gap_seconds");
        gkey = "metadata.gap_seconds";
    }
    if (!cJSON_IsNumber(gap) || !isfinite(gap->valuedouble) || gap->valuedouble <= 0) {
        sk_json_describe(gap, got, sizeof got);
        rc = sk_errf(err, errlen, SK_EDATA, "%s: %s: expected a positive number of seconds, got %s", path, gkey, got);
        goto fail;
    }
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(root, "prices");
    if (!cJSON_IsArray(pr) || cJSON_GetArraySize(pr) < 1) {
        sk_json_describe(pr, got, sizeof got);
        rc = sk_errf(err, errlen, SK_EDATA, "%s: prices: expected a non-empty array of $/h, got %s", path,
                     cJSON_IsArray(pr) ? "an empty array" : got);
        goto fail;
    }
    double g = gap->valuedouble;
    int64_t k = 0;
    for (const cJSON *v = pr->child; v; v = v->next, k++) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > 0)) {
            sk_json_describe(v, got, sizeof got);
            rc = sk_errf(err, errlen, SK_EDATA, "%s: prices[%lld]: expected a positive price, got %s", path, (long long)k, got);
            goto fail;
        }
        if (sk_series_push(s, &cap, sk_time_from((double)k * g, SK_SEC), v->valuedouble) < 0) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
    }
    s->end = sk_time_from((double)(k - 1) * g, SK_SEC);
    s->epoch_s = 0;
    cJSON_Delete(root);
    free(buf);
    return 0;
fail:
    cJSON_Delete(root);
    free(buf);
    sk_price_series_fini(s);
    return rc;
}

/* ---- the fit ---------------------------------------------------------------------------------- */

/* Least squares of y = a + b x over the k with !jump[k] (x = v[k], y = v[k+1]). Returns the
 * number of points used; sxx = 0 when x is constant. */
typedef struct {
    int64_t n;
    double a, b, s2, sxx, xbar;
} sk_ols;

static sk_ols sk_ols_fit(const double *v, int64_t m, const unsigned char *jump) {
    sk_ols r = {0};
    double sx = 0, sy = 0;
    for (int64_t k = 0; k < m; k++)
        if (!jump[k]) {
            sx += v[k];
            sy += v[k + 1];
            r.n++;
        }
    if (r.n < 3) return r;
    double xb = sx / (double)r.n, yb = sy / (double)r.n, sxy = 0;
    for (int64_t k = 0; k < m; k++)
        if (!jump[k]) {
            double dx = v[k] - xb;
            r.sxx += dx * dx;
            sxy += dx * (v[k + 1] - yb);
        }
    r.xbar = xb;
    if (r.sxx <= 0) return r;
    r.b = sxy / r.sxx;
    r.a = yb - r.b * xb;
    double ssr = 0;
    for (int64_t k = 0; k < m; k++)
        if (!jump[k]) {
            double e = v[k + 1] - r.a - r.b * v[k];
            ssr += e * e;
        }
    r.s2 = ssr / (double)(r.n - 2);
    return r;
}

int sk_price_fit(const sk_price_series *s, double dt_s, sk_ou_params *out, sk_ou_params *se, char *err, size_t errlen) {
    return sk_price_fit_ex(s, dt_s, out, se, NULL, err, errlen);
}

int sk_price_fit_ex(const sk_price_series *s, double dt_s, sk_ou_params *out, sk_ou_params *se, sk_price_fit_info *info,
                    char *err, size_t errlen) {
    const double K = SK_PRICE_JUMP_K;
    if (!(dt_s > 0) || !isfinite(dt_s)) return sk_errf(err, errlen, SK_EUSAGE, "fit: dt must be a positive number of seconds, got %g", dt_s);
    if (s->n < 1) return sk_errf(err, errlen, SK_EDATA, "fit: the series is empty");
    sk_time end = s->end > s->t[s->n - 1] ? s->end : s->t[s->n - 1];
    double nd = floor(sk_time_to(end, SK_SEC) / dt_s) + 1;
    if (nd < SK_PRICE_FIT_MIN)
        return sk_errf(err, errlen, SK_EDATA,
                       "fit: the series spans %.0f s: %.0f samples at dt = %g s, need at least %d (use a smaller --dt)",
                       sk_time_to(end, SK_SEC), nd, dt_s, SK_PRICE_FIT_MIN);
    if (nd > 1e8) return sk_errf(err, errlen, SK_EDATA, "fit: %.0f samples at dt = %g s: too many (use a larger --dt)", nd, dt_s);
    int64_t n = (int64_t)nd, m = n - 1;
    double *v = malloc((size_t)n * sizeof *v), *d = malloc((size_t)m * sizeof *d);
    unsigned char *jump = calloc((size_t)m, 1), *next = calloc((size_t)m, 1);
    int rc = 0;
    if (!v || !d || !jump || !next) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "fit: out of memory (%lld samples)", (long long)n);
        goto done;
    }
    /* sample the piecewise-constant series at k dt */
    double lo = s->price[0], hi = s->price[0];
    for (int64_t k = 0, i = 0; k < n; k++) {
        sk_time tk = sk_time_from((double)k * dt_s, SK_SEC);
        while (i + 1 < s->n && s->t[i + 1] <= tk) i++;
        v[k] = s->price[i];
        lo = fmin(lo, v[k]);
        hi = fmax(hi, v[k]);
    }
    if (lo == hi) {
        rc = sk_errf(err, errlen, SK_EDATA,
                     "fit: the price is constant ($%g/h) over the series: mean reversion and volatility are undefined "
                     "(use a constant price model)",
                     lo);
        goto done;
    }
    /* first pass: increments beyond K robust sds above their median */
    for (int64_t k = 0; k < m; k++) d[k] = v[k + 1] - v[k];
    gsl_sort(d, 1, (size_t)m);
    double med = gsl_stats_median_from_sorted_data(d, 1, (size_t)m);
    for (int64_t k = 0; k < m; k++) d[k] = fabs(d[k] - med);
    gsl_sort(d, 1, (size_t)m);
    double scale = 1.4826 * gsl_stats_median_from_sorted_data(d, 1, (size_t)m);
    for (int64_t k = 0; k < m; k++) d[k] = v[k + 1] - v[k];
    if (scale == 0) scale = gsl_stats_sd(d, 1, (size_t)m); /* mostly flat series: the plain sd */
    for (int64_t k = 0; k < m; k++) jump[k] = d[k] - med > K * scale;

    /* truncation of N(0, s^2) above at K s: kept mean -s lam, variance s^2 (1 - K lam - lam^2) */
    double phiK = gsl_ran_ugaussian_pdf(K), PK = gsl_cdf_ugaussian_P(K);
    double lam = phiK / PK, vfac = 1 - K * lam - lam * lam, tail = 1 - PK, tail_mean = phiK / tail;
    sk_ols r = {0};
    double sd = 0, a = 0;
    int it;
    for (it = 1; it <= 100; it++) {
        r = sk_ols_fit(v, m, jump);
        if (r.n < 3 || r.sxx <= 0) {
            rc = sk_errf(err, errlen, SK_EDATA,
                         "fit: after removing %lld jump steps the remaining %lld steps do not move: nothing to fit (a step "
                         "series; try a smaller --dt or a constant price model)",
                         (long long)(m - r.n), (long long)r.n);
            goto done;
        }
        sd = sqrt(r.s2 / vfac);
        a = r.a + sd * lam;
        if (sd <= 1e-12 * fmax(fabs(hi), fabs(lo))) break; /* no noise left to classify against */
        int changed = 0;
        for (int64_t k = 0; k < m; k++) {
            next[k] = v[k + 1] - a - r.b * v[k] > K * sd;
            changed |= next[k] != jump[k];
        }
        if (!changed) break;
        memcpy(jump, next, (size_t)m);
    }
    double b = r.b;
    if (!(b < 1)) {
        rc = sk_errf(err, errlen, SK_EDATA,
                     "fit: no mean reversion at dt = %g s (AR(1) slope b = %.6g >= 1): theta is undefined; the series "
                     "behaves like a random walk or a step series (try a larger --dt or a longer series)",
                     dt_s, b);
        goto done;
    }
    if (!(b > 0)) {
        rc = sk_errf(err, errlen, SK_EDATA,
                     "fit: AR(1) slope b = %.6g <= 0 at dt = %g s: the price reverts faster than one step (use a smaller --dt)",
                     b, dt_s);
        goto done;
    }
    double dth = dt_s / 3600.0, T_h = (double)m * dth;
    double s2 = sd * sd, nn = (double)r.n;
    double se_b = sqrt(r.s2 / r.sxx), var_a = r.s2 * (1 / nn + r.xbar * r.xbar / r.sxx), cov_ab = -r.xbar * r.s2 / r.sxx;
    double theta = -log(b) / dth, mu = a / (1 - b);
    double f = -2 * log(b) / (dth * (1 - b * b)); /* sigma^2 = f(b) s2 */
    double sigma = sqrt(f * s2);
    double fp = (-2 / dth) * ((1 - b * b) / b + 2 * b * log(b)) / ((1 - b * b) * (1 - b * b));
    double g1 = 1 / (1 - b), g2 = a / ((1 - b) * (1 - b));
    double var_mu = g1 * g1 * var_a + 2 * g1 * g2 * cov_ab + g2 * g2 * se_b * se_b;
    double ds2 = sigma > 0 ? sigma / (2 * s2) : 0, dfb = sigma > 0 ? sigma / (2 * f) * fp : 0;
    double var_sigma = ds2 * ds2 * 2 * s2 * s2 / (nn - 2) + dfb * dfb * se_b * se_b;

    int64_t nj = (int64_t)m - r.n;
    double nfalse = (double)m * tail, sumj = 0;
    for (int64_t k = 0; k < m; k++)
        if (jump[k]) sumj += v[k + 1] - a - b * v[k];
    double real = (double)nj - nfalse;
    sk_ou_params o = {.mu = mu, .theta = theta, .sigma = sigma, .p0 = 0, .floor = lo, .cap = hi, .dt_s = dt_s};
    sk_ou_params e = {.mu = sqrt(var_mu), .theta = se_b / (b * dth), .sigma = sqrt(var_sigma)};
    if (real >= 1) {
        o.jump_rate = real / T_h;
        o.jump_mean = fmax(0, (sumj - nfalse * sd * tail_mean) / real);
        e.jump_rate = sqrt((double)nj) / T_h;
        e.jump_mean = o.jump_mean / sqrt(real);
    }
    *out = o;
    if (se) *se = e;
    if (info) *info = (sk_price_fit_info){n, nj, a, b, r.s2, sqrt(var_a), se_b, nfalse, it};
done:
    free(v);
    free(d);
    free(jump);
    free(next);
    return rc;
}
