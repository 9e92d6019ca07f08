/* sk_mr.h - one deadline-bound job that may move between zones (regions, clouds), tick by tick,
 * exactly as the public SkyNomad multi-region simulator computes it
 * (../shared/specs/skynomad-multiregion.md, "the spec" below): at most one instance, preemption
 * at tick boundaries, the multi-region safety net, probes billed 60 s, egress charged one tick
 * after a launch, the infeasible-setting fallback, trace bounds, and both reported costs (the final
 * snapshot and the figure semantics). Policies speak the general contract (core/sk_world.h).
 * Every expression is evaluated in binary64 in the spec's order (built with -ffp-contract=off). */
#ifndef SK_MR_H
#define SK_MR_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_table.h"
#include "core/sk_world.h"

struct sk_rng;

#define SK_MR_MAXZONES 64

typedef struct sk_mr_zone {
    const char *name;      /* the trace's zone name: its folder, "us-east4-a_h100_16" */
    const uint8_t *avail;  /* n ticks, 1 = spot available */
    const double *prices;  /* n per-tick spot prices ($/h), or NULL: spot_price throughout */
    int64_t n;
    double spot_price, od_price; /* $/h */
} sk_mr_zone;

typedef struct sk_mr_job {
    double C_h, R_h, d_h; /* work, deadline, changeover, hours as given */
    double ckpt_gb;
    double gap;           /* tick length, seconds (every zone's) */
    int64_t start;        /* first tick of the traces */
    int window_bound;     /* --enforce-window-bound: a zone's trace ends at ceil(R/gap) ticks */
    int transfer_time;    /* --cross-region-migration-time: a move also costs its copy time */
} sk_mr_job;

typedef struct sk_mr_result {
    double cost_main;     /* final snapshot: compute + egress, intervals 0..T-1 */
    double cost_sweep;    /* figure semantics: the last in-loop snapshot (omits interval T-1) */
    double transfer;      /* egress $ (final snapshot) */
    double probe;         /* probe $ */
    double downtime_cost; /* $ paid while the job made no progress on a running instance */
    double spot_hours, od_hours; /* billed hours (probes: 60 s) */
    int64_t migrations, mig_az, mig_region, mig_continent;
    int64_t launches, preemptions, probes;
    int64_t finish_tick;  /* T: the job was seen done at tick T */
    double finish;        /* seconds at which the work completed (within interval T-1) */
    int infeasible;       /* C + d > R: not simulated, both costs = cheapest on-demand fallback */
    int late;             /* the deadline passed first (run abandoned; costs as of then) */
} sk_mr_result;

/* Check the job against the zones (spec section 3, pre-check 2, and the shared tick length).
 * Returns 0 or SK_EDATA / SK_ECONFIG with a message naming the zone. */
int sk_mr_check(const sk_mr_job *job, const sk_mr_zone *z, int nz, char *msg, size_t len);

/* Simulate. Returns 0 (outcome in *res, including infeasible and late); SK_EDATA when the run hits
 * a fatal condition of the reference (trace bounds exceeded, safety net infeasible, a policy
 * terminating what it launched in the same tick), SK_ENOMEM, or the policy's init error. When
 * series is not NULL it gets one row per billed interval: t (hours), zone (-1 none), market. */
int sk_mr_simulate(const sk_mr_job *job, const sk_mr_zone *z, int nz, const sk_gpolicy *pol, const sk_value *pp,
                   struct sk_rng *rng, sk_mr_result *res, sk_table *series, char *msg, size_t len);

#endif
