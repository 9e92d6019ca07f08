/* sk_batch.h - one deadline-bound batch job on spot and on-demand, tick by tick, exactly as the
 * public "Can't Be Late" reference simulators compute it (../shared/specs/cant-be-late.md):
 * SK_SIM_NEW is section 2 (pre-checks, guard, 1e-3 tolerances), SK_SIM_OLD is section 5 (no
 * guard, one billed tick after completion). Every expression is evaluated in binary64 in the
 * spec's order; the project builds with -ffp-contract=off so no FMA changes a bit. */
#ifndef SK_BATCH_H
#define SK_BATCH_H

#include <stdint.h>

#include "core/sk_world.h"
#include "engine/sk_rng.h"
#include "io/sk_results.h"

/* Which reference simulator's semantics evaluate the policy (the two differ; see the spec). */
typedef enum { SK_SIM_NEW = 0, SK_SIM_OLD = 1 } sk_sim_kind;

typedef struct sk_batch_job {
    double C_h, R_h, d_h;       /* work, deadline, changeover in hours (as given) */
    double od_price, spot_price; /* $/h */
    const double *prices;       /* per-tick spot prices indexed like avail, or NULL */
} sk_batch_job;

typedef struct sk_batch_result {
    double cost;          /* the reference's printed cost ($); infeasible: the on-demand fallback */
    int64_t finish_tick;  /* T: the tick at which the job was seen finished (billed up to it) */
    double finish;        /* when the work was actually complete, seconds: within interval T-1 */
    int64_t spot_ticks;   /* billed ticks on spot / on-demand (H[1..] entries) */
    int64_t od_ticks;
    int64_t launches;     /* entries H[j] != NONE with H[j] != H[j-1] */
    int infeasible;       /* C + d > R: nothing simulated, either semantics; cost = od_price*(C + d) */
    int exhausted;        /* the trace ran out before the job finished */
    int late;             /* finished after R (new semantics: the run is aborted at R, as the reference) */
} sk_batch_result;

/* Simulate the job on ticks avail[start ..) of a trace of L ticks of `gap` seconds
 * (avail[i] = 1: spot available) under policy `pol` (the general contract, core/sk_world.h) with its
 * params, semantics `sim`. The world is one zone that shows the policy whether spot is there now
 * (zones[0].spot_avail, as the reference simulators do) and runs one instance: a launch while one
 * runs replaces it, and the market running after the decision is the one for the next interval;
 * the new semantics then apply the reference's guard (policies/sk_safety.h). A probe is free.
 * A policy with a planner gets the future (ticks start .. L-1) before the first tick; a planner's
 * SK_EDATA (the trace cannot support it) makes the run exhausted. When `schedule` is not NULL, columns t (hours)
 * and market (0 none, 1 spot, 2 on-demand) get one row per billed interval. Returns 0 (the
 * outcome, including infeasible / exhausted / late, is in *res); SK_ENOMEM or the policy's init
 * error with a message. */
int sk_batch_simulate(const sk_batch_job *job, const uint8_t *avail, int64_t L, int64_t start, double gap,
                      const sk_gpolicy *pol, const sk_value *pparams, sk_sim_kind sim, sk_rng *rng,
                      sk_batch_result *res, sk_table *schedule, char *msg, size_t len);

#endif
