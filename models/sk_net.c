/* sk_net.c - the network model: region-pair throughput, RTT and egress price from the Skyplane
 * grids, a run's matrix with fallbacks, and AR(1) noise on log throughput (sk_net.h).
 *
 * Data read (skyplane-network/): throughput_grid_2022-01.csv, throughput_grid_2022-11.csv,
 * gcp_intracloud_throughput_2022-04.csv (throughput_received bits/s, success), latency_grid_2022-04.csv
 * (avg_rtt ms), egress_cost_grid_2022-05.csv ($/GB, "cloud:region"), aws_transfer_costs.csv
 * ($/GB between AWS regions and to "internet"). */
#include "models/sk_net.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "sk_error.h"

enum { SK_NET_NAME = 64, SK_NET_MAXCLOUD = 8 };

/* What a grid row feeds. */
enum { SK_NR_JAN, SK_NR_NOV, SK_NR_GCPIN, SK_NR_SELFTHR, SK_NR_RTT, SK_NR_SELFRTT, SK_NR_COST, SK_NR_AWS, SK_NR_INET, SK_NR_KINDS };

typedef struct {
    int kind, src, dst;
    double v;
} sk_net_rec;

struct sk_net {
    int nr, cap;
    char (*name)[SK_NET_NAME];  /* folded "cloud:region" */
    int ncloud;
    char cloud[SK_NET_MAXCLOUD][16];
    int *cloud_of;              /* region -> cloud index */
    double *thr[3];             /* Gbps: 2022-01, 2022-11, gcp intracloud (nr x nr, NaN missing) */
    double *base;               /* base Gbps from the sweeps (geometric mean), NaN missing */
    double *rtt, *cost, *aws;   /* seconds; $/GB grid; $/GB aws_transfer_costs */
    double *inet;               /* per region: AWS "internet" $/GB */
    double med[3][SK_NET_MAXCLOUD][SK_NET_MAXCLOUD]; /* medians per cloud kind: Gbps, RTT, $/GB */
    double medall[3];                                /* the same over all pairs */
    double intra_gbps, intra_rtt_s;
    int npairs;                 /* pairs in both sweeps */
    double s2, phi, sigma, step_s;
    /* load-time only */
    sk_net_rec *rec;
    int64_t nrec, rcap;
};

/* ---- names ------------------------------------------------------------------------------------ */

/* Fold "gcp:us-west1-a" to "gcp:us-west1" into out. Returns 0, or -1 if s is not "cloud:region". */
static int sk_net_fold(const char *s, char *out) {
    const char *colon = strchr(s, ':');
    size_t len = strlen(s);
    if (!colon || colon == s || !colon[1] || len >= SK_NET_NAME || (size_t)(colon - s) >= 16) return -1;
    memcpy(out, s, len + 1);
    if (!strncmp(s, "gcp:", 4) && len > 6 && out[len - 2] == '-' && out[len - 1] >= 'a' && out[len - 1] <= 'z')
        out[len - 2] = '\0';
    return 0;
}

static int sk_net_find(const sk_net *n, const char *folded) {
    for (int i = 0; i < n->nr; i++)
        if (!strcmp(n->name[i], folded)) return i;
    return -1;
}

static int sk_net_cloud(const sk_net *n, const char *folded) {
    size_t cl = (size_t)(strchr(folded, ':') - folded);
    for (int c = 0; c < n->ncloud; c++)
        if (strlen(n->cloud[c]) == cl && !strncmp(n->cloud[c], folded, cl)) return c;
    return -1;
}

/* Index of a folded name, added if new. Returns it, or SK_ENOMEM / SK_EDATA (too many clouds). */
static int sk_net_intern(sk_net *n, const char *folded) {
    int i = sk_net_find(n, folded);
    if (i >= 0) return i;
    if (n->nr == n->cap) {
        int nc = n->cap ? 2 * n->cap : 64;
        void *p = realloc(n->name, (size_t)nc * sizeof *n->name);
        if (!p) return SK_ENOMEM;
        n->name = p;
        n->cap = nc;
    }
    if (sk_net_cloud(n, folded) < 0) {
        if (n->ncloud == SK_NET_MAXCLOUD) return SK_EDATA;
        size_t cl = (size_t)(strchr(folded, ':') - folded);
        memcpy(n->cloud[n->ncloud], folded, cl);
        n->cloud[n->ncloud++][cl] = '\0';
    }
    memcpy(n->name[n->nr], folded, SK_NET_NAME);
    return n->nr++;
}

/* ---- reading the grids ------------------------------------------------------------------------ */

typedef struct {
    sk_net *n;
    const char *const *cols; /* needed column names */
    int ncols, col[8];
    int file;                /* SK_NF_* */
} sk_net_file;

enum { SK_NF_JAN, SK_NF_NOV, SK_NF_GCPIN, SK_NF_LAT, SK_NF_COST, SK_NF_AWS };

static const char *const sk_thr_cols[] = {"src_region", "src_tier", "dst_region", "dst_tier", "throughput_received", "success"};
static const char *const sk_lat_cols[] = {"src_region", "src_tier", "dst_region", "dst_tier", "avg_rtt"};
static const char *const sk_cost_cols[] = {"src", "dest", "src_tier", "dest_tier", "cost"};
static const char *const sk_aws_cols[] = {"src", "dst", "cost"};

static int sk_net_push(sk_net *n, int kind, int src, int dst, double v) {
    if (n->nrec == n->rcap) {
        int64_t nc = n->rcap ? 2 * n->rcap : 4096;
        sk_net_rec *p = realloc(n->rec, (size_t)nc * sizeof *p);
        if (!p) return SK_ENOMEM;
        n->rec = p;
        n->rcap = nc;
    }
    n->rec[n->nrec++] = (sk_net_rec){kind, src, dst, v};
    return 0;
}

/* A region field: folded and interned. Returns the index or an SK_E* code with the message. */
static int sk_net_region(sk_csv_rd *rd, int c, const char *cname, const char *prefix) {
    sk_net_file *f = rd->ctx;
    char raw[SK_NET_NAME + 8], folded[SK_NET_NAME];
    if (snprintf(raw, sizeof raw, "%s%s", prefix, rd->f[c]) >= (int)sizeof raw || sk_net_fold(raw, folded) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %d (%s): expected cloud:region, got '%s'", rd->path,
                       (long long)rd->line, c + 1, cname, rd->f[c]);
    int i = sk_net_intern(f->n, folded);
    if (i == SK_ENOMEM) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
    if (i < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %d (%s): more than %d clouds", rd->path,
                       (long long)rd->line, c + 1, cname, SK_NET_MAXCLOUD);
    return i;
}

static int sk_net_number(sk_csv_rd *rd, int c, const char *cname, double lo, double *out) {
    char *end;
    double v = strtod(rd->f[c], &end);
    if (!*rd->f[c] || *end || !isfinite(v) || !(v >= lo))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %d (%s): expected a number >= %g, got '%s'", rd->path,
                       (long long)rd->line, c + 1, cname, lo, rd->f[c]);
    *out = v;
    return 0;
}

/* A tier counts as premium when it says PREMIUM or is blank (the GCP intracloud file). */
static int sk_net_premium(const char *t) { return !*t || !strcmp(t, "PREMIUM"); }

static int sk_net_row(sk_csv_rd *rd) {
    sk_net_file *f = rd->ctx;
    sk_net *n = f->n;
    if (rd->line == 1) {
        for (int k = 0; k < f->ncols; k++) {
            f->col[k] = -1;
            for (int c = 0; c < rd->nf; c++)
                if (!strcmp(rd->f[c], f->cols[k])) f->col[k] = c;
            if (f->col[k] < 0) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:1: no column '%s'", rd->path, f->cols[k]);
        }
        return 0;
    }
    for (int k = 0; k < f->ncols; k++)
        if (f->col[k] >= rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: %d fields, no column %d (%s)", rd->path, (long long)rd->line,
                           rd->nf, f->col[k] + 1, f->cols[k]);
    const int *c = f->col;
    int s, d, rc;
    double v = 0;
    if (f->file == SK_NF_AWS) {
        if ((s = sk_net_region(rd, c[0], "src", "aws:")) < 0) return s;
        if ((rc = sk_net_number(rd, c[2], "cost", 0, &v)) < 0) return rc;
        if (!strcmp(rd->f[c[1]], "internet")) return sk_net_push(n, SK_NR_INET, s, s, v);
        if ((d = sk_net_region(rd, c[1], "dst", "aws:")) < 0) return d;
        return sk_net_push(n, SK_NR_AWS, s, d, v);
    }
    if ((s = sk_net_region(rd, c[0], f->cols[0], "")) < 0) return s;
    if ((d = sk_net_region(rd, c[f->file == SK_NF_COST ? 1 : 2], f->cols[f->file == SK_NF_COST ? 1 : 2], "")) < 0) return d;
    if (f->file == SK_NF_COST) {
        if ((rc = sk_net_number(rd, c[4], "cost", 0, &v)) < 0) return rc;
        return sk_net_premium(rd->f[c[2]]) && sk_net_premium(rd->f[c[3]]) ? sk_net_push(n, SK_NR_COST, s, d, v) : 0;
    }
    int premium = sk_net_premium(rd->f[c[1]]) && sk_net_premium(rd->f[c[3]]);
    if (f->file == SK_NF_LAT) {
        if ((rc = sk_net_number(rd, c[4], "avg_rtt", 0, &v)) < 0) return rc;
        if (s == d && !strcmp(rd->f[c[0]], rd->f[c[2]]) && (rc = sk_net_push(n, SK_NR_SELFRTT, s, d, v / 1e3)) < 0) return rc;
        return premium ? sk_net_push(n, SK_NR_RTT, s, d, v / 1e3) : 0;
    }
    const char *ok = rd->f[c[5]];
    if (strcmp(ok, "True") && strcmp(ok, "true") && strcmp(ok, "TRUE") && strcmp(ok, "1")) return 0; /* failed */
    if ((rc = sk_net_number(rd, c[4], "throughput_received", 0, &v)) < 0) return rc;
    if (!(v > 0)) return 0;
    v /= 1e9;
    if (f->file == SK_NF_JAN && s == d && (rc = sk_net_push(n, SK_NR_SELFTHR, s, d, v)) < 0) return rc;
    if (!premium) return 0;
    return sk_net_push(n, f->file == SK_NF_JAN ? SK_NR_JAN : f->file == SK_NF_NOV ? SK_NR_NOV : SK_NR_GCPIN, s, d, v);
}

/* Median of x[0..k) (sorted in place); NaN for k = 0. */
static double sk_median(double *x, size_t k) {
    if (!k) return NAN;
    gsl_sort(x, 1, k);
    return gsl_stats_median_from_sorted_data(x, 1, k);
}

void sk_net_free(sk_net *n) {
    if (!n) return;
    free(n->name);
    free(n->cloud_of);
    for (int k = 0; k < 3; k++) free(n->thr[k]);
    free(n->base);
    free(n->rtt);
    free(n->cost);
    free(n->aws);
    free(n->inet);
    free(n->rec);
    free(n);
}

/* Matrices from the records: means of repeats; medians; intra figures; the noise fit. */
static int sk_net_build(sk_net *n) {
    size_t nn = (size_t)n->nr * (size_t)n->nr;
    double *sum[SK_NR_KINDS] = {0};
    int *cnt[SK_NR_KINDS] = {0};
    double *tmp = NULL, *selfv = NULL;
    int rc = SK_ENOMEM;
    n->cloud_of = malloc((size_t)n->nr * sizeof *n->cloud_of);
    for (int k = 0; k < 3; k++) n->thr[k] = malloc(nn * sizeof(double));
    n->base = malloc(nn * sizeof(double));
    n->rtt = malloc(nn * sizeof(double));
    n->cost = malloc(nn * sizeof(double));
    n->aws = malloc(nn * sizeof(double));
    n->inet = malloc((size_t)n->nr * sizeof(double));
    tmp = malloc((nn + 1) * sizeof(double));
    selfv = malloc(((size_t)n->nrec + 1) * sizeof(double));
    if (!n->cloud_of || !n->thr[0] || !n->thr[1] || !n->thr[2] || !n->base || !n->rtt || !n->cost || !n->aws || !n->inet ||
        !tmp || !selfv)
        goto done;
    for (int k = 0; k < SK_NR_KINDS; k++) {
        sum[k] = calloc(nn, sizeof(double));
        cnt[k] = calloc(nn, sizeof(int));
        if (!sum[k] || !cnt[k]) goto done;
    }
    for (int i = 0; i < n->nr; i++) n->cloud_of[i] = sk_net_cloud(n, n->name[i]);
    for (int64_t r = 0; r < n->nrec; r++) {
        size_t p = (size_t)n->rec[r].src * (size_t)n->nr + (size_t)n->rec[r].dst;
        sum[n->rec[r].kind][p] += n->rec[r].v;
        cnt[n->rec[r].kind][p]++;
    }
#define SK_MEAN(k, p) (cnt[k][p] ? sum[k][p] / cnt[k][p] : NAN)
    for (size_t p = 0; p < nn; p++) {
        n->thr[0][p] = SK_MEAN(SK_NR_JAN, p);
        n->thr[1][p] = SK_MEAN(SK_NR_NOV, p);
        n->thr[2][p] = SK_MEAN(SK_NR_GCPIN, p);
        n->rtt[p] = SK_MEAN(SK_NR_RTT, p);
        n->cost[p] = SK_MEAN(SK_NR_COST, p);
        n->aws[p] = SK_MEAN(SK_NR_AWS, p);
        double a = n->thr[0][p], b = n->thr[1][p];
        n->base[p] = !isnan(a) && !isnan(b) ? sqrt(a * b) : !isnan(a) ? a : b;
    }
    for (int i = 0; i < n->nr; i++) n->inet[i] = SK_MEAN(SK_NR_INET, (size_t)i * (size_t)n->nr + (size_t)i);
#undef SK_MEAN
    /* medians per (source cloud, destination cloud), over off-diagonal pairs the grids hold */
    const double *src[3] = {n->base, n->rtt, n->cost};
    for (int q = 0; q < 3; q++)
        for (int a = 0; a < SK_NET_MAXCLOUD; a++)
            for (int b = 0; b < SK_NET_MAXCLOUD; b++) {
                size_t k = 0;
                if (a < n->ncloud && b < n->ncloud)
                    for (int i = 0; i < n->nr; i++)
                        for (int j = 0; j < n->nr; j++) {
                            double v = src[q][(size_t)i * (size_t)n->nr + (size_t)j];
                            if (i != j && n->cloud_of[i] == a && n->cloud_of[j] == b && !isnan(v)) tmp[k++] = v;
                        }
                n->med[q][a][b] = sk_median(tmp, k);
            }
    for (int q = 0; q < 3; q++) {
        size_t k = 0;
        for (size_t p = 0; p < nn; p++)
            if (p % ((size_t)n->nr + 1) && !isnan(src[q][p])) tmp[k++] = src[q][p];
        n->medall[q] = sk_median(tmp, k);
    }
    /* same-region figures */
    size_t ks = 0, kr = 0;
    for (int64_t r = 0; r < n->nrec; r++)
        if (n->rec[r].kind == SK_NR_SELFTHR) selfv[ks++] = n->rec[r].v;
    n->intra_gbps = sk_median(selfv, ks);
    for (int64_t r = 0; r < n->nrec; r++)
        if (n->rec[r].kind == SK_NR_SELFRTT) selfv[kr++] = n->rec[r].v;
    n->intra_rtt_s = sk_median(selfv, kr);
    /* noise: pairs in both sweeps */
    size_t kd = 0;
    for (int i = 0; i < n->nr; i++)
        for (int j = 0; j < n->nr; j++) {
            size_t p = (size_t)i * (size_t)n->nr + (size_t)j;
            if (i != j && !isnan(n->thr[0][p]) && !isnan(n->thr[1][p])) tmp[kd++] = log(n->thr[1][p]) - log(n->thr[0][p]);
        }
    n->npairs = (int)kd;
    n->s2 = kd >= 2 ? gsl_stats_variance(tmp, 1, kd) / 2 : 0;
    n->phi = SK_NET_PHI;
    n->step_s = SK_NET_STEP_S;
    n->sigma = sqrt(n->s2 * (1 - n->phi * n->phi));
    rc = 0;
done:
    for (int k = 0; k < SK_NR_KINDS; k++) {
        free(sum[k]);
        free(cnt[k]);
    }
    free(tmp);
    free(selfv);
    return rc;
}

int sk_net_load(sk_net **out, const char *dir, char *err, size_t errlen) {
    *out = NULL;
    static const struct {
        const char *file;
        int kind;
        const char *const *cols;
        int ncols;
    } files[] = {
        {"throughput_grid_2022-01.csv", SK_NF_JAN, sk_thr_cols, 6},
        {"throughput_grid_2022-11.csv", SK_NF_NOV, sk_thr_cols, 6},
        {"gcp_intracloud_throughput_2022-04.csv", SK_NF_GCPIN, sk_thr_cols, 6},
        {"latency_grid_2022-04.csv", SK_NF_LAT, sk_lat_cols, 5},
        {"egress_cost_grid_2022-05.csv", SK_NF_COST, sk_cost_cols, 5},
        {"aws_transfer_costs.csv", SK_NF_AWS, sk_aws_cols, 3},
    };
    sk_net *n = calloc(1, sizeof *n);
    if (!n) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", dir);
    int rc = 0;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, files[k].file) >= (int)sizeof path) {
            rc = sk_errf(err, errlen, SK_ENOINPUT, "%s: path too long", dir);
            goto fail;
        }
        sk_net_file f = {.n = n, .cols = files[k].cols, .ncols = files[k].ncols, .file = files[k].kind};
        sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_net_row, .ctx = &f};
        if ((rc = sk_csv_read(&rd)) < 0) goto fail;
    }
    if (n->nr == 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: the grids hold no regions", dir);
        goto fail;
    }
    if ((rc = sk_net_build(n)) < 0) {
        sk_errf(err, errlen, rc, "%s: out of memory", dir);
        goto fail;
    }
    free(n->rec);
    n->rec = NULL;
    n->nrec = n->rcap = 0;
    *out = n;
    return 0;
fail:
    sk_net_free(n);
    return rc;
}

int sk_net_grid(const sk_net *n, const char *src, const char *dst, double *gbps_jan, double *gbps_nov, double *rtt_s,
                double *usd_gb) {
    double v[4] = {NAN, NAN, NAN, NAN};
    char a[SK_NET_NAME], b[SK_NET_NAME];
    int i = sk_net_fold(src, a) < 0 ? -1 : sk_net_find(n, a), j = sk_net_fold(dst, b) < 0 ? -1 : sk_net_find(n, b);
    if (i >= 0 && j >= 0) {
        size_t p = (size_t)i * (size_t)n->nr + (size_t)j;
        v[0] = n->thr[0][p];
        v[1] = n->thr[1][p];
        v[2] = n->rtt[p];
        v[3] = n->cost[p];
    }
    if (gbps_jan) *gbps_jan = v[0];
    if (gbps_nov) *gbps_nov = v[1];
    if (rtt_s) *rtt_s = v[2];
    if (usd_gb) *usd_gb = v[3];
    return isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]) ? SK_ENOENT : 0;
}

void sk_net_intra(const sk_net *n, double *gbps, double *rtt_s) {
    *gbps = n->intra_gbps;
    *rtt_s = n->intra_rtt_s;
}

void sk_net_noise_fit(const sk_net *n, int *npairs, double *s2) {
    *npairs = n->npairs;
    *s2 = n->s2;
}

void sk_net_noise_fitted(const sk_net *n, double *phi, double *sigma, double *step_s) {
    *phi = n->phi;
    *sigma = n->sigma;
    *step_s = n->step_s;
}

/* ---- a run's matrix --------------------------------------------------------------------------- */

void sk_net_matrix_fini(sk_net_matrix *m) {
    free(m->gbps);
    free(m->rtt_s);
    free(m->usd_gb);
    free(m->fallback);
    memset(m, 0, sizeof *m);
}

int sk_net_matrix_new(sk_net_matrix *m, const sk_net *n, const char *const *regions, int nreg, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (nreg < 1) return sk_errf(err, errlen, SK_ECONFIG, "network: no regions");
    size_t nn = (size_t)nreg * (size_t)nreg;
    int *gi = malloc((size_t)nreg * sizeof *gi), *cl = malloc((size_t)nreg * sizeof *cl), rc = 0;
    char(*fn)[SK_NET_NAME] = malloc((size_t)nreg * sizeof *fn);
    m->gbps = malloc(nn * sizeof *m->gbps);
    m->rtt_s = malloc(nn * sizeof *m->rtt_s);
    m->usd_gb = malloc(nn * sizeof *m->usd_gb);
    m->fallback = calloc(nn, 1);
    if (!gi || !cl || !fn || !m->gbps || !m->rtt_s || !m->usd_gb || !m->fallback) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "network: out of memory (%d regions)", nreg);
        goto done;
    }
    for (int i = 0; i < nreg; i++) {
        if (sk_net_fold(regions[i], fn[i]) < 0) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "network: region '%s': expected cloud:region (aws:us-east-1, gcp:us-central1)",
                         regions[i]);
            goto done;
        }
        gi[i] = sk_net_find(n, fn[i]);
        if ((cl[i] = sk_net_cloud(n, fn[i])) < 0) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "network: region '%s': the network grids hold no region of that cloud",
                         regions[i]);
            goto done;
        }
    }
    for (int i = 0; i < nreg; i++)
        for (int j = 0; j < nreg; j++) {
            size_t q = (size_t)i * (size_t)nreg + (size_t)j;
            int same = !strcmp(fn[i], fn[j]);
            size_t p = gi[i] >= 0 && gi[j] >= 0 ? (size_t)gi[i] * (size_t)n->nr + (size_t)gi[j] : (size_t)-1;
            size_t pr = gi[i] >= 0 && gi[j] >= 0 ? (size_t)gi[j] * (size_t)n->nr + (size_t)gi[i] : (size_t)-1;
            double g = NAN, r = NAN, c = NAN;
            unsigned char fb = 0;
            if (same) {
                g = n->intra_gbps;
                r = n->intra_rtt_s;
                c = p != (size_t)-1 && !isnan(n->cost[p]) ? n->cost[p] : 0;
            } else {
                if (p != (size_t)-1) {
                    g = n->base[p];
                    if (isnan(g)) g = n->thr[2][p], fb |= isnan(g) ? 0 : SK_NET_FB_GBPS;
                    r = n->rtt[p];
                    if (isnan(r)) r = n->rtt[pr], fb |= isnan(r) ? 0 : SK_NET_FB_RTT;
                    c = n->cost[p];
                    if (isnan(c)) c = n->aws[p], fb |= isnan(c) ? 0 : SK_NET_FB_COST;
                }
                if (isnan(c) && gi[i] >= 0 && !strncmp(regions[i], "aws:", 4) && strncmp(regions[j], "aws:", 4))
                    c = n->inet[gi[i]], fb |= isnan(c) ? 0 : SK_NET_FB_COST;
                if (isnan(g)) g = n->med[0][cl[i]][cl[j]], fb |= SK_NET_FB_GBPS;
                if (isnan(r)) r = n->med[1][cl[i]][cl[j]], fb |= SK_NET_FB_RTT;
                if (isnan(c)) c = n->med[2][cl[i]][cl[j]], fb |= SK_NET_FB_COST;
                if (isnan(g)) g = n->medall[0];
                if (isnan(r)) r = n->medall[1];
                if (isnan(c)) c = n->medall[2];
            }
            if (isnan(g) || isnan(r) || isnan(c)) {
                rc = sk_errf(err, errlen, SK_ECONFIG, "network: %s -> %s: the grids hold no %s to fall back to", regions[i],
                             regions[j], isnan(g) ? "throughput" : isnan(r) ? "latency" : "egress price");
                goto done;
            }
            m->gbps[q] = g;
            m->rtt_s[q] = r;
            m->usd_gb[q] = c;
            m->fallback[q] = fb;
        }
    m->nreg = nreg;
    sk_net_noise_fitted(n, &m->phi, &m->sigma, &m->step_s);
done:
    free(gi);
    free(cl);
    free(fn);
    if (rc < 0) sk_net_matrix_fini(m);
    return rc;
}

/* ---- noise ------------------------------------------------------------------------------------ */

struct sk_net_noise {
    int nreg;
    uint64_t seed;
    double phi, sigma, sd0;
    sk_time step;
    int64_t *k;  /* per pair: the step x holds (-1: none) */
    double *x;
};

sk_net_noise *sk_net_noise_new(const sk_net_matrix *m, uint64_t seed) {
    sk_net_noise *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    size_t nn = (size_t)m->nreg * (size_t)m->nreg;
    z->k = malloc(nn * sizeof *z->k);
    z->x = calloc(nn, sizeof *z->x);
    if (!z->k || !z->x) {
        sk_net_noise_free(z);
        return NULL;
    }
    for (size_t p = 0; p < nn; p++) z->k[p] = -1;
    z->nreg = m->nreg;
    z->seed = seed;
    z->phi = m->phi;
    z->sigma = m->sigma > 0 && m->phi > -1 && m->phi < 1 ? m->sigma : 0;
    z->sd0 = z->sigma > 0 ? z->sigma / sqrt(1 - m->phi * m->phi) : 0;
    z->step = sk_time_from(m->step_s, SK_SEC);
    if (z->step < 1) z->step = 1;
    return z;
}

void sk_net_noise_free(sk_net_noise *z) {
    if (!z) return;
    free(z->k);
    free(z->x);
    free(z);
}

/* The N(0,1) draw of pair p at step k: Box-Muller on u1 from sk_rng_seed(seed, p, k) and u2 from
 * one more splitmix64 step of it. */
static double sk_net_normal(uint64_t seed, uint64_t p, int64_t k) {
    uint64_t h = sk_rng_seed(seed, p, (uint64_t)k);
    uint64_t g = h + 0x9E3779B97F4A7C15ull;
    g = (g ^ (g >> 30)) * 0xBF58476D1CE4E5B9ull;
    g = (g ^ (g >> 27)) * 0x94D049BB133111EBull;
    g ^= g >> 31;
    double u1 = (double)((h >> 11) + 1) * 0x1.0p-53; /* (0, 1] */
    double u2 = (double)(g >> 11) * 0x1.0p-53;
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

double sk_net_noise_at(sk_net_noise *z, int i, int j, sk_time t) {
    if (!z || z->sigma == 0) return 0;
    size_t p = (size_t)i * (size_t)z->nreg + (size_t)j;
    int64_t s = t > 0 ? t / z->step : 0;
    if (z->k[p] < 0 || s < z->k[p]) {
        z->k[p] = 0;
        z->x[p] = z->sd0 * sk_net_normal(z->seed, p, 0);
    }
    while (z->k[p] < s) {
        z->k[p]++;
        z->x[p] = z->phi * z->x[p] + z->sigma * sk_net_normal(z->seed, p, z->k[p]);
    }
    return z->x[p];
}

double sk_net_transfer_s(const sk_net_matrix *m, sk_net_noise *z, int i, int j, double gb, sk_time t) {
    size_t q = (size_t)i * (size_t)m->nreg + (size_t)j;
    if (!(gb > 0)) return m->rtt_s[q];
    return m->rtt_s[q] + gb * 8 / (m->gbps[q] * exp(sk_net_noise_at(z, i, j, t)));
}
