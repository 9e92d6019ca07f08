/* sk_policy.h - the policy contract: a table of functions plus a state size.
 *
 * A policy reads a read-only view of the world and writes actions. It does no I/O, reads no
 * clock, keeps no globals and draws randomness only from the stream in the view, so the same
 * object decides in the simulator and in the live controller. Policies live in policies/, one
 * file each, and are listed in policies/sk_policies.h.
 *
 * This first view is the single batch job of "Can't Be Late" (NSDI'24): one job of C seconds of
 * work, deadline R, changeover d per launch, on spot (cheap, may be unavailable or preempted) or
 * on-demand (always there). The world calls decide() once per tick k, at t = k * gap, after the
 * progress of interval k-1 has been credited; the action is the market to run on during interval
 * k. Times are seconds as doubles (see ../shared/specs/cant-be-late.md section 0). */
#ifndef SK_POLICY_H
#define SK_POLICY_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sk_market.h"
#include "core/sk_param.h"
#include "core/sk_scenario.h"

/* The policy's random stream (engine/sk_rng.h; policies that draw include it). */
typedef struct sk_rng sk_rng;

typedef struct sk_batch_view {
    /* the job, fixed for a run */
    double C, R, d; /* work, deadline, changeover (s) */
    double gap;     /* tick length (s) */
    double od_price, spot_price; /* $/h */
    /* now */
    int64_t k;      /* tick */
    double t;       /* k * gap */
    double S;       /* progress so far (s) */
    double rro;     /* changeover still to pay on the running instance (s) */
    sk_market cur;  /* what is running now (after a preemption at this tick: NONE) */
    sk_market last; /* what ran during interval k-1 */
    int avail;      /* spot can run during interval k */
    /* Oracle knowledge, for policies that declare `oracle` (omniscient): future[i] = 1 when spot
     * is available in tick i of the run, i < nfuture. NULL for every other policy. */
    const uint8_t *future;
    int64_t nfuture;
    sk_rng *rng;    /* the policy's own stream (master seed, run index, 1) */
} sk_batch_view;

typedef struct sk_actions {
    sk_market run; /* the market to run the job on during the next interval */
} sk_actions;

/* Which simulator semantics evaluate the policy by default (the two public reference simulators
 * differ; see the spec): SK_SIM_NEW (guard, pre-checks, 1e-3 tolerances) or SK_SIM_OLD. */
typedef enum { SK_SIM_NEW = 0, SK_SIM_OLD = 1 } sk_sim_kind;

typedef struct sk_policy_type {
    sk_policy_def def; /* name, parameters, help: what experiment files see (first member) */
    size_t state_size;
    sk_sim_kind sim; /* native semantics */
    int oracle;      /* sees view->future */
    /* Set up `state` (state_size bytes, zeroed) from params and the view at k = 0 (S = 0,
     * cur = NONE). Returns 0, or a negative SK_E* code with a reason in msg. */
    int (*init)(void *state, const sk_value *params, const sk_batch_view *v0, char *msg, size_t len);
    /* Decide the market for interval v->k. Can't fail. */
    void (*decide)(void *state, const sk_batch_view *v, sk_actions *out);
    /* Release what init allocated; may be NULL. */
    void (*fini)(void *state);
} sk_policy_type;

/* The quantities every batch policy and the guard compute at a tick (spec section 3). */
typedef struct sk_batch_q {
    double rem;   /* C - S */
    double rt;    /* floor((R - t)/gap)*gap: whole ticks left before the deadline */
    double need1; /* ceil((rem + d)/gap)*gap */
    double need2; /* ceil((rem + 2d)/gap)*gap */
} sk_batch_q;

static inline sk_batch_q sk_batch_quantities(const sk_batch_view *v) {
    sk_batch_q q;
    q.rem = v->C - v->S;
    q.rt = floor((v->R - v->t) / v->gap) * v->gap;
    q.need1 = ceil((q.rem + v->d) / v->gap) * v->gap;
    q.need2 = ceil((q.rem + 2 * v->d) / v->gap) * v->gap;
    return q;
}

/* The policies' shared ending (spec 3.1/3.2): the 2d safety net, then the 1d one. */
static inline sk_market sk_batch_nets(const sk_batch_view *v, const sk_batch_q *q, sk_market p) {
    if (q->need2 >= q->rt && (v->cur == SK_MKT_NONE || v->cur == SK_MKT_OD)) p = SK_MKT_OD;
    if (q->need1 >= q->rt) {
        p = (v->cur == SK_MKT_SPOT && v->rro < 1e-3) ? SK_MKT_SPOT : SK_MKT_OD;
        if (v->d == 0 && v->avail) p = SK_MKT_SPOT;
    }
    return p;
}

/* The policy type whose def is `d` (d must come from a policy type's def). */
static inline const sk_policy_type *sk_policy_of(const sk_policy_def *d) { return (const sk_policy_type *)(const void *)d; }

#endif
