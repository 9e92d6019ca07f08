/* sk_net.h - the network between regions: throughput (Gbps) and RTT from the skyplane grids,
 * egress $/GB, and time-varying noise: an AR(1) process on log throughput per region pair, its
 * variance fitted to the difference between the 2022-01 and 2022-11 sweeps. Used for checkpoint
 * transfers and model loading (time and dollars). Formulas, fallbacks and the fitted numbers:
 * docs/fleet_price_network.md.
 *
 * Grids (skyplane-network/): throughput_received bits/s -> Gbps = 1e9 bit/s (decimal, so that
 * gb * 8 / Gbps is seconds for gb = 1e9 bytes); only PREMIUM-to-PREMIUM rows with success True;
 * repeats of a pair are averaged. A pair's base Gbps is the geometric mean of the 2022-01 and
 * 2022-11 sweeps where both have it, else the one that has it. RTT = avg_rtt (ms -> s). Egress =
 * the cost grid. Noise: for the pairs in both sweeps, d = ln(Gbps_nov) - ln(Gbps_jan); the two
 * sweeps are 10 months apart, far beyond any plausible correlation time, so they are treated as
 * independent draws of the stationary process: stationary variance s2 = var(d) / 2. phi per step
 * is an assumption (SK_NET_PHI = 0.9 per SK_NET_STEP_S = 1 h: a 1/e correlation time of ~9.5 h);
 * sigma = sqrt(s2 (1 - phi^2)). */
#ifndef SK_NET_H
#define SK_NET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sk_time.h"

struct sk_rng;

/* The loaded grids (shared, read-only after load; regions named "aws:us-east-1", "gcp:us-central1"
 * -- a GCP zone "gcp:us-central1-a" in the grids is folded into its region). */
typedef struct sk_net sk_net;
#define SK_NET_PHI 0.9
#define SK_NET_STEP_S 3600.0
/* Load the grids from dir (the skyplane-network folder). Returns 0; SK_ENOINPUT; SK_ENOMEM;
 * SK_EDATA naming file:line and the column. *n is NULL on error. */
int sk_net_load(sk_net **n, const char *dir, char *err, size_t errlen);
void sk_net_free(sk_net *n);
/* What the grids hold for one ordered pair (names folded as above), NaN where a grid lacks it:
 * Gbps of each sweep (PREMIUM rows averaged), RTT seconds, egress $/GB. Returns 0 if any is known,
 * SK_ENOENT if none (then all NaN). Any pointer may be NULL. */
int sk_net_grid(const sk_net *n, const char *src, const char *dst, double *gbps_jan, double *gbps_nov, double *rtt_s,
                double *usd_gb);
/* The same-region figures: median of the same-region throughput rows of the 2022-01 sweep (all
 * tiers) and of the same-zone avg_rtt rows of the latency grid (all tiers). */
void sk_net_intra(const sk_net *n, double *gbps, double *rtt_s);
/* The pairs both sweeps hold and the stationary variance s2 of ln Gbps fitted from them. */
void sk_net_noise_fit(const sk_net *n, int *npairs, double *s2);

/* A run's matrix over its own regions (indices 0..nreg-1, names "cloud:region"): base Gbps, RTT
 * seconds, egress $/GB, with documented fallbacks for pairs the grids lack:
 *   same region: Gbps and RTT from sk_net_intra(), egress the cost grid's diagonal, else 0;
 *   Gbps: the sweeps; else gcp_intracloud_throughput_2022-04 (GCP pairs); else the median over
 *         the grid's pairs of the same (source cloud, destination cloud) kind;
 *   RTT: the pair; else the reverse pair; else the median of the same kind;
 *   egress: the cost grid; else aws_transfer_costs.csv (AWS source: to an AWS region, else its
 *         "internet" price); else the median of the same kind.
 * Where the grids hold no pair of that kind at all, the median over all their pairs is used.
 * fallback[i*nreg+j] says which fallbacks a pair used (SK_NET_FB_* bits). Returns 0; SK_ECONFIG
 * for a name that is not "cloud:region" or a cloud the grids do not hold (no median to fall back
 * to); SK_ENOMEM. */
enum { SK_NET_FB_GBPS = 1, SK_NET_FB_RTT = 2, SK_NET_FB_COST = 4 };
typedef struct sk_net_matrix {
    int nreg;
    double *gbps;   /* nreg x nreg */
    double *rtt_s;  /* nreg x nreg */
    double *usd_gb; /* nreg x nreg */
    /* AR(1) on log throughput per ordered pair, stepped every step_s: x' = phi x + e,
     * e ~ N(0, sigma^2); stationary sd = sigma / sqrt(1 - phi^2). sigma = 0: no noise. */
    double phi, sigma, step_s;
    unsigned char *fallback; /* nreg x nreg, SK_NET_FB_* bits (the median or another table was used) */
} sk_net_matrix;
int sk_net_matrix_new(sk_net_matrix *m, const sk_net *n, const char *const *regions, int nreg, char *err, size_t errlen);
void sk_net_matrix_fini(sk_net_matrix *m);
/* The fitted noise parameters from the two sweeps (phi per step_s from the stated assumption). */
void sk_net_noise_fitted(const sk_net *n, double *phi, double *sigma, double *step_s);

/* Noise state of one run: lazily advanced per pair, from the run's network stream. The N(0,1)
 * draw of pair p = i*nreg+j at step k is a pure function of (seed, p, k): Box-Muller on two
 * uniforms from sk_rng_seed(seed, p, k) and a splitmix64 step of it. x_0 = Z_0 sigma/sqrt(1-phi^2)
 * (stationary start), x_k = phi x_{k-1} + sigma Z_k; so a value never depends on which pairs or
 * times were asked before (a query before a pair's cached step replays it from step 0). phi,
 * sigma and step_s are copied from m. NULL when out of memory. */
typedef struct sk_net_noise sk_net_noise;
sk_net_noise *sk_net_noise_new(const sk_net_matrix *m, uint64_t seed);
void sk_net_noise_free(sk_net_noise *z);
/* x_t, the log-throughput deviation of pair (i, j) in the step containing t (t < 0: step 0). */
double sk_net_noise_at(sk_net_noise *z, int i, int j, sk_time t);
/* Seconds to move gb gigabytes (1e9 bytes) from region i to j starting at time t:
 * rtt_s + gb * 8 / (gbps * exp(x_t)); z NULL: no noise; gb <= 0: rtt_s. */
double sk_net_transfer_s(const sk_net_matrix *m, sk_net_noise *z, int i, int j, double gb, sk_time t);

#endif
