/* sk_shart.h - the SpotHedge artifact simulator, bit for bit (SkyServe, EuroSys'25: the
 * "microbenchmark" simulation of MaoZiming/spothedge_ae @ df02263c). Specification:
 * ../shared/specs/spothedge-sim.md; section numbers (§) below refer to it.
 *
 * What is computed, per run of R repeats of T ticks (30 s):
 *   - offsets (§2a): numpy seed(seed), R x randint(0, L_min - T); the only use of `seed`;
 *   - per repeat (§2b): CPython random re-seeded 0, shuffle of the zone list as left by the
 *     previous repeat, the tick loop (§3) with a fallback (§5) and a placer (§6), readiness over
 *     the cold-start window (§4), cost and availability (§7);
 *   - Optimal (§8): the exact minimum of the integer program, by a min-cost flow (sk_shart.c);
 *   - the latency model (§9): a discrete-event replay of the SimPy model without SimPy, with its
 *     tie rules, its 0.01 s polls accumulated in double precision and its numpy streams.
 * Everything is deterministic; nothing is global, so runs may go on many threads at once. */
#ifndef SK_SHART_H
#define SK_SHART_H

#include <stddef.h>
#include <stdint.h>

/* One trace folder (§1): the zone files in file-name order, each expanded to 30 s ticks. */
typedef struct sk_shart_trace {
    int nz;          /* zones */
    char **zone;     /* file names (without folder), load order */
    int32_t **a;     /* a[z][i]: spot instances obtainable in zone z at tick i */
    int64_t *len;    /* ticks per zone */
    int64_t min_len; /* L_min */
} sk_shart_trace;

/* Load every *.json of dir, sorted by file name (strcmp), each value repeated floor(gap/tick_s)
 * times. With `unlimited` (the artifact's `2-month` trace), 1 becomes 10^9 and 0 stays 0.
 * Returns 0, or SK_ENOINPUT / SK_EDATA / SK_ENOMEM with a message naming the file and key;
 * tr is zeroed on error. */
int sk_shart_load(sk_shart_trace *tr, const char *dir, double tick_s, int unlimited, char *err, size_t errlen);
void sk_shart_fini(sk_shart_trace *tr);

typedef enum {
    SK_SHART_ON_DEMAND,        /* fallback OnDemand, no spot */
    SK_SHART_NAIVE_SPREAD,     /* "Even Spread": StaticSpotProvision + even spread */
    SK_SHART_ROUND_ROBIN,      /* StaticSpotProvision + round robin over zone slots */
    SK_SHART_SPOTHEDGE,        /* SpotHedge placer + SpotFailoverNoSafety ("SkyServe") */
    SK_SHART_SPOTHEDGE_SAFETY, /* SpotHedge placer + SpotFailover (safety net, not in figures) */
    SK_SHART_OPTIMAL,          /* the integer program of §8 */
    SK_SHART_NPOLICY
} sk_shart_policy;

/* "on_demand", "naive_spread", "round_robin", "spothedge", "spothedge_safety", "optimal". */
const char *sk_shart_policy_name(sk_shart_policy p);
/* The policy called name, or -1. */
int sk_shart_policy_find(const char *name);

typedef struct sk_shart_params {
    int64_t repeats;    /* R (10) */
    int64_t ticks;      /* T (2880) */
    int64_t n_tar;      /* N_tar (3) */
    int64_t n_extra;    /* N_extra (0) */
    int64_t cold_ticks; /* d = cold start seconds / 30, integer division (4) */
    int64_t n_min;      /* N_min, the availability threshold (3; not tied to n_tar) */
    double k;           /* on-demand / spot price ratio (3) */
    double slo;         /* safety-net threshold of spothedge_safety (0.99) */
    uint32_t seed;      /* numpy seed of the offsets (0) */
    int latency;        /* run the §9 latency model (1) */
} sk_shart_params;

/* The artifact's defaults (§0), N_extra 0. */
void sk_shart_defaults(sk_shart_params *p);
/* Parameter checks against the trace: 0, or SK_ECONFIG with a reason (T >= L_min, d >= T, ...). */
int sk_shart_check(const sk_shart_trace *tr, const sk_shart_params *p, char *err, size_t errlen);

/* Per repeat. Latency fields are 0 / NAN without the latency model. */
typedef struct sk_shart_repeat {
    int64_t offset;
    double cost;         /* §7 (Optimal: the §8 objective) */
    double availability; /* §7 (Optimal: 1, as reported) */
    int64_t requests;    /* values recorded by the latency model */
    int64_t failures;    /* of which exactly 100 s */
    int64_t services;    /* service times drawn (positions the next repeat's client 0 skips) */
    double p50, p90, p99, p999;
} sk_shart_repeat;

/* One run: means over repeats; latency over all repeats' recorded values pooled. */
typedef struct sk_shart_result {
    double cost, relative, availability; /* relative = cost / (k * N_tar * (T - d)) */
    int64_t requests, failures;
    double p50, p90, p99, p999, failure_rate;
} sk_shart_result;

/* Run policy pol. reps (NULL or p->repeats entries) receives the per-repeat values. Returns 0,
 * SK_ECONFIG (sk_shart_check), SK_ENOMEM. */
int sk_shart_run(const sk_shart_trace *tr, const sk_shart_params *p, sk_shart_policy pol, sk_shart_result *res,
                 sk_shart_repeat *reps, char *err, size_t errlen);

/* ---- pieces, exposed for the tests -------------------------------------------------------- */

/* numpy percentile (method linear) of n values at q in [0, 100]; reorders x (selection, not a
 * full sort). NAN for n = 0. */
double sk_shart_percentile(double *x, size_t n, double q);

/* The server's poll times s_0 = 0, s_{n+1} = s_n + 0.01 (double), in closed form per binade. */
typedef struct sk_shart_polls {
    int nseg;
    int64_t n0[160];  /* first poll index of each segment */
    double s0[160], step[160]; /* s_{n0+i} = s0 + i * step, exactly */
    int64_t end;      /* polls defined: indices [0, end) */
} sk_shart_polls;
/* Polls covering times up to `horizon`. Returns 0 or SK_EINTERNAL (too many segments). */
int sk_shart_polls_init(sk_shart_polls *pl, double horizon);
double sk_shart_poll_time(const sk_shart_polls *pl, int64_t n);
/* Smallest n with s_n > x (x >= 0). */
int64_t sk_shart_poll_after(const sk_shart_polls *pl, double x);

/* The optimum of §8 for one repeat: the minimum of the integer program over slots whose traces
 * are caps[j][0..T) (already offset), by min-cost flow. Returns 0 with *cost, SK_ENOMEM. */
int sk_shart_optimal_cost(int nz, const int32_t *const *caps, const sk_shart_params *p, double *cost);

#endif
