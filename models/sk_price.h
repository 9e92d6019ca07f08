/* sk_price.h - spot price models, one per pool, as streams of price changes (piecewise constant
 * $/h): constant, replay of a price trace, and a mean-reverting process with jumps (an
 * Ornstein-Uhlenbeck process on the price sampled every dt, plus Poisson jumps), whose parameters
 * sk_price_fit estimates from a trace. */
#ifndef SK_PRICE_H
#define SK_PRICE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sk_time.h"

struct sk_rng;

typedef struct sk_price_model sk_price_model;
typedef struct sk_price_vt {
    const char *name;
    /* The next change: 1 with *t (absolute, non-decreasing) and *price ($/h, > 0), 0 when the
     * price stays. The first call gives the price at t0. Draws only from rng. */
    int (*next)(sk_price_model *m, struct sk_rng *rng, sk_time *t, double *price);
    void (*free)(sk_price_model *m);
} sk_price_vt;
struct sk_price_model {
    const sk_price_vt *vt;
};
static inline int sk_price_next(sk_price_model *m, struct sk_rng *rng, sk_time *t, double *p) { return m->vt->next(m, rng, t, p); }
static inline void sk_price_free(sk_price_model *m) { if (m) m->vt->free(m); }

sk_price_model *sk_price_const_new(double price, sk_time t0);
/* Replay: price[i] from t[i] on (t relative to the series start; t[0] = 0), shifted to t0;
 * loop: repeat with period `period` (> t[n-1]); copied. */
sk_price_model *sk_price_trace_new(const sk_time *t, const double *price, int64_t n, sk_time t0, sk_time period, int loop);

typedef struct sk_ou_params {
    double mu;        /* long-run mean, $/h */
    double theta;     /* mean reversion per hour */
    double sigma;     /* diffusion, $/h per sqrt(hour) */
    double jump_rate; /* jumps per hour */
    double jump_mean; /* mean jump size, $/h (exponential magnitude, sign +) */
    double p0;        /* start price (<= 0: mu) */
    double floor, cap;/* price kept in [floor, cap] */
    double dt_s;      /* sampling step, seconds */
} sk_ou_params;
sk_price_model *sk_price_ou_new(const sk_ou_params *p, sk_time t0);

/* A price series loaded from a dataset: times in seconds from its first point. */
typedef struct sk_price_series {
    int64_t n;
    sk_time *t;
    double *price;
} sk_price_series;
void sk_price_series_fini(sk_price_series *s);
/* gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv: spot (spot != 0) or on-demand price of
 * (machine_type, region) over the snapshots. */
int sk_price_load_gcp(sk_price_series *s, const char *path, const char *machine, const char *region, int spot, char *err, size_t errlen);
/* aws-spot-price-history-2022-05 CSV: changes of (zone id, instance type). */
int sk_price_load_aws_history(sk_price_series *s, const char *path, const char *zone, const char *type, char *err, size_t errlen);
/* aws-v100-multinode/v100_1node_prices/<zone>.json (per-tick "prices" with metadata.gap_seconds). */
int sk_price_load_ticks(sk_price_series *s, const char *path, char *err, size_t errlen);

/* Fit sk_ou_params (mu, theta, sigma, jump_rate, jump_mean) to a series by maximum likelihood of
 * the discretised process (jumps: increments beyond k sigma); standard errors in se. */
int sk_price_fit(const sk_price_series *s, double dt_s, sk_ou_params *out, sk_ou_params *se, char *err, size_t errlen);

#endif
