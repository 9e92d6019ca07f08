/* sk_price.h - spot price models, one per pool, as streams of price changes (piecewise constant
 * $/h): constant, replay of a price trace, and a mean-reverting process with jumps (an
 * Ornstein-Uhlenbeck process on the price sampled every dt, plus Poisson jumps), whose parameters
 * sk_price_fit estimates from a trace. Formulas, assumptions and fitted numbers:
 * docs/fleet_price_network.md.
 *
 * The OU model, step k -> k+1 (dt in hours, theta per hour):
 *     x' = mu + (x - mu) e^{-theta dt} + sigma sqrt((1 - e^{-2 theta dt}) / (2 theta)) Z
 *          + sum_{i=1..N} J_i,    Z ~ N(0,1), N ~ Poisson(jump_rate dt), J_i ~ Exp(mean jump_mean)
 * (jumps are upward only), then clamped to [floor, cap]. theta = 0 is the random-walk limit
 * (variance sigma^2 dt). Draws per step, in this order: Z (gsl_ran_gaussian_ziggurat) when
 * sigma > 0, N (gsl_ran_poisson) when jump_rate > 0, then N exponentials. A change is emitted only
 * when the clamped price differs from the last one; after 2^20 steps without a change the
 * unchanged price is emitted once (so next() never spins unboundedly); a deterministic path
 * (sigma = 0, jump_rate = 0) that stops moving returns 0. */
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

/* Each constructor returns NULL when out of memory or when its arguments are invalid
 * (sk_price_ou_check says why for the OU model). */
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
/* 0 if p is usable by sk_price_ou_new, else SK_ECONFIG naming the field (floor > 0, cap >= floor,
 * theta >= 0, sigma >= 0, jump_rate >= 0, jump_mean > 0 when jump_rate > 0, dt_s > 0, finite). */
int sk_price_ou_check(const sk_ou_params *p, char *err, size_t errlen);

/* A price series loaded from a dataset: change points, times from its first point (t[0] = 0,
 * strictly increasing, consecutive prices differ). end: the last moment the series is observed
 * (>= t[n-1]; the price holds from t[n-1] to end). epoch_s: Unix time of t[0] in seconds (0 when
 * the source has no dates). */
typedef struct sk_price_series {
    int64_t n;
    sk_time *t;
    double *price;
    sk_time end;
    int64_t epoch_s;
} sk_price_series;
void sk_price_series_fini(sk_price_series *s);
/* Loaders: 0; SK_ENOINPUT; SK_ENOMEM; SK_EDATA naming file:line and the column or key; SK_ECONFIG
 * for a series the file does not hold. s is empty on error.
 * gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv: spot (spot != 0) or on-demand price of
 * (machine_type, region) over the snapshots (dates at 00:00 UTC). The series starts at the pair's
 * first row with that price and ends at the pair's disappearance (a row with both prices blank) or
 * at the file's last snapshot date. */
int sk_price_load_gcp(sk_price_series *s, const char *path, const char *machine, const char *region, int spot, char *err, size_t errlen);
/* aws-spot-price-history-2022-05 CSV: changes of (zone id, instance type), sorted by time; the
 * series ends at the file's last timestamp. */
int sk_price_load_aws_history(sk_price_series *s, const char *path, const char *zone, const char *type, char *err, size_t errlen);
/* aws-v100-multinode/v100_1node_prices/<zone>.json: {"prices": [$/h per tick], "gap_seconds": G}
 * (gap_seconds at the top level as in those files, or in "metadata"); end = (ticks - 1) G. */
int sk_price_load_ticks(sk_price_series *s, const char *path, char *err, size_t errlen);

/* Fit sk_ou_params (mu, theta, sigma, jump_rate, jump_mean) to a series by maximum likelihood of
 * the discretised process (jumps: increments beyond k sigma); standard errors in se. The series is
 * sampled at k dt_s (k dt_s <= end). Jumps: one-step residuals of the AR(1) form
 * x' = a + b x + e beyond SK_PRICE_JUMP_K residual sds (upward), found by iterating classify /
 * refit from a first pass on increments beyond SK_PRICE_JUMP_K robust sds (1.4826 MAD). OU: exact
 * AR(1) least squares on the other steps (the Gaussian MLE): theta = -ln(b)/dt, mu = a/(1-b),
 * sigma^2 = 2 theta s2 / (1 - b^2), corrected for the truncation of the residuals at the
 * threshold; jump_rate = (jumps - expected false jumps)/hours, jump_mean = mean jump residual.
 * Standard errors: regression and delta method (jump_rate Poisson, jump_mean exponential).
 * floor/cap = the series' min/max, p0 = 0 (start at mu), dt_s = dt_s.
 * Returns 0; SK_EDATA (fewer than SK_PRICE_FIT_MIN samples, a constant series, no mean reversion
 * b >= 1, or b <= 0: the message says which and what to change); SK_ENOMEM. */
enum { SK_PRICE_FIT_MIN = 20 };
#define SK_PRICE_JUMP_K 3.0
typedef struct sk_price_fit_info {
    int64_t nsamples, njumps; /* samples after resampling; steps classified as jumps */
    double a, b, s2;          /* AR(1) intercept, slope, residual variance (before correction) */
    double se_a, se_b;
    double false_jumps;       /* expected Gaussian steps beyond the threshold */
    int iterations;           /* classify/refit passes */
} sk_price_fit_info;
int sk_price_fit(const sk_price_series *s, double dt_s, sk_ou_params *out, sk_ou_params *se, char *err, size_t errlen);
/* The same, with the regression details in info (may be NULL). */
int sk_price_fit_ex(const sk_price_series *s, double dt_s, sk_ou_params *out, sk_ou_params *se,
                    sk_price_fit_info *info, char *err, size_t errlen);

#endif
