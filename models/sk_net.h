/* sk_net.h - the network between regions: throughput (Gbps) and RTT from the skyplane grids,
 * egress $/GB, and time-varying noise: an AR(1) process on log throughput per region pair, its
 * variance fitted to the difference between the 2022-01 and 2022-11 sweeps. Used for checkpoint
 * transfers and model loading (time and dollars). */
#ifndef SK_NET_H
#define SK_NET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sk_time.h"

struct sk_rng;

/* The loaded grids (shared, read-only after load; regions named "aws:us-east-1", "gcp:us-central1"
 * -- a GCP zone "gcp:us-central1-a" in the grids is folded into its region). */
typedef struct sk_net sk_net;
int sk_net_load(sk_net **n, const char *dir, char *err, size_t errlen);
void sk_net_free(sk_net *n);

/* A run's matrix over its own regions (indices 0..nreg-1, names "cloud:region"): base Gbps, RTT
 * seconds, egress $/GB, with documented fallbacks for pairs the grids lack (same region: intra
 * figures; unknown: the median of the grid for the clouds involved). */
typedef struct sk_net_matrix {
    int nreg;
    double *gbps;   /* nreg x nreg */
    double *rtt_s;  /* nreg x nreg */
    double *usd_gb; /* nreg x nreg */
    /* AR(1) on log throughput per ordered pair, stepped every step_s: x' = phi x + e,
     * e ~ N(0, sigma^2); stationary sd = sigma / sqrt(1 - phi^2). sigma = 0: no noise. */
    double phi, sigma, step_s;
} sk_net_matrix;
int sk_net_matrix_new(sk_net_matrix *m, const sk_net *n, const char *const *regions, int nreg, char *err, size_t errlen);
void sk_net_matrix_fini(sk_net_matrix *m);
/* The fitted noise parameters from the two sweeps (phi per step_s from the stated assumption). */
void sk_net_noise_fitted(const sk_net *n, double *phi, double *sigma, double *step_s);

/* Noise state of one run: lazily advanced per pair, from the run's network stream. */
typedef struct sk_net_noise sk_net_noise;
sk_net_noise *sk_net_noise_new(const sk_net_matrix *m, uint64_t seed);
void sk_net_noise_free(sk_net_noise *z);
/* Seconds to move gb gigabytes from region i to j starting at time t (RTT + gb*8/Gbps(t)). */
double sk_net_transfer_s(const sk_net_matrix *m, sk_net_noise *z, int i, int j, double gb, sk_time t);

#endif
