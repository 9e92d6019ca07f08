/* serve_common.h - what the serving policies (policies/serve_*.c) share: the request-rate
 * autoscaler and its parameters, the refused-zone guard, the keep-or-re-place rule of the
 * SkyServe artifact (../shared/specs/spothedge-sim.md section 6) and zone choices by price.
 * docs/serving_policies.md explains the rules. Everything here is static inline: no state
 * outside the policy's own. */
#ifndef SK_SERVE_COMMON_H
#define SK_SERVE_COMMON_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "serve/sk_serve_policy.h"
#include "sk_error.h"

/* The autoscaler's parameters, first in every table that takes them (ssp_scale_parse reads
 * pp[0..SSP_NSCALE)). */
#define SSP_NSCALE 5
#define SSP_SCALE_PARAMS                                                                                              \
    {"autoscale", SK_PT_BOOL, "false", 0, 0, "request-rate autoscaler: target = ceil(rate over 60 s / qps_per_replica); false: the scenario's n_target"}, \
    {"up_s", SK_PT_FLOAT, "300", 0, 1e7, "autoscaler: scale up after the wanted target stayed above the current one this long (s)"},                     \
    {"down_s", SK_PT_FLOAT, "1200", 0, 1e7, "autoscaler: scale down after the wanted target stayed below the current one this long (s)"},                 \
    {"min_replicas", SK_PT_INT, "1", 0, 100000, "autoscaler: lowest target"},                                                                            \
    {"max_replicas", SK_PT_INT, "1000", 1, 100000, "autoscaler: highest target"}

/* SkyServe's RequestRateAutoscaler with its hysteresis in seconds instead of decision counts. */
typedef struct ssp_scale {
    int on;
    double up_s, down_s;
    int lo, hi;
    int cur;                  /* the target now */
    double up_since, down_since; /* when the wanted target went above / below cur; -1: it is not */
} ssp_scale;

/* Parse pp[0..SSP_NSCALE) into *a. Returns 0 or SK_ECONFIG with msg. */
static inline int ssp_scale_parse(ssp_scale *a, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    a->on = pp[0].i != 0;
    a->up_s = pp[1].f;
    a->down_s = pp[2].f;
    a->lo = (int)pp[3].i;
    a->hi = (int)pp[4].i;
    a->up_since = a->down_since = -1;
    if (a->lo > a->hi) return snprintf(msg, len, "min_replicas %d > max_replicas %d", a->lo, a->hi), SK_ECONFIG;
    if (a->on && !(v0->qps_per_replica > 0))
        return snprintf(msg, len, "autoscale: the scenario gives no qps_per_replica (> 0)"), SK_ECONFIG;
    a->cur = v0->n_target < a->lo ? a->lo : v0->n_target > a->hi ? a->hi : v0->n_target;
    return 0;
}

/* The target replica count N at this decision: the view's n_target when the autoscaler is off;
 * otherwise want = clamp(ceil(rate_60s / qps_per_replica), lo, hi), and cur moves to want once
 * want has stayed above cur for up_s (below: down_s) without a decision seeing it equal to cur or
 * on the other side. Can't fail. */
static inline int ssp_scale_target(ssp_scale *a, const sk_srv_view *v) {
    if (!a->on) return v->n_target;
    double w = ceil(v->rate_60s / v->qps_per_replica - 1e-9);
    int want = w < a->lo ? a->lo : w > a->hi ? a->hi : (int)w;
    if (want > a->cur) {
        a->down_since = -1;
        if (a->up_since < 0) a->up_since = v->t;
        if (v->t - a->up_since >= a->up_s) a->cur = want, a->up_since = -1;
    } else if (want < a->cur) {
        a->up_since = -1;
        if (a->down_since < 0) a->down_since = v->t;
        if (v->t - a->down_since >= a->down_s) a->cur = want, a->down_since = -1;
    } else {
        a->up_since = a->down_since = -1;
    }
    return a->cur;
}

/* The refused-zone guard. A spot launch into a zone without capacity is refused at once and the
 * world asks again (trigger LAUNCH_FAIL) at the same instant; a policy that asked for the same
 * zone again would loop. A zone that refused a launch since the last TICK decision therefore
 * gets no NEW replicas until the next TICK (replicas it holds are kept), which is what the
 * artifact's tick loop does: one request per zone per tick. */
typedef struct ssp_guard {
    int64_t fail_tick[SK_SRV_MAXZ]; /* launch_fail of each zone at the last TICK decision */
} ssp_guard;

static inline void ssp_guard_init(ssp_guard *g, const sk_srv_view *v0) {
    for (int j = 0; j < v0->nzones && j < SK_SRV_MAXZ; j++) g->fail_tick[j] = v0->z[j].launch_fail;
}
/* Fill barred[0..nzones) for this decision (all 0 on a TICK, which also moves the snapshot). */
static inline void ssp_guard_update(ssp_guard *g, const sk_srv_view *v, int *barred) {
    for (int j = 0; j < v->nzones; j++) {
        if (v->trig == SK_SRV_TICK) g->fail_tick[j] = v->z[j].launch_fail;
        barred[j] = v->z[j].launch_fail > g->fail_tick[j];
    }
}

/* The keep-or-re-place rule (spec section 6) with prev = the spot replicas each zone holds now
 * (launching + ready): when n_spot >= their sum, keep them all and place the rest; otherwise
 * drop the plan and place all n_spot anew. Fills P, returns todo. */
static inline int ssp_keep_or_replace(const sk_srv_view *v, int n_spot, int32_t *P) {
    int sum = 0;
    for (int j = 0; j < v->nzones; j++) sum += v->z[j].spot;
    if (n_spot >= sum) {
        for (int j = 0; j < v->nzones; j++) P[j] = v->z[j].spot;
        return n_spot - sum;
    }
    for (int j = 0; j < v->nzones; j++) P[j] = 0;
    return n_spot;
}

/* The zone for on-demand replicas: the one that holds on-demand replicas now (the lowest index if
 * several), else the cheapest on-demand price (ties: lowest index). So a price change does not
 * move a running on-demand fleet. Can't fail (nzones >= 1). */
static inline int ssp_od_zone(const sk_srv_view *v) {
    int best = 0;
    for (int j = 0; j < v->nzones; j++)
        if (v->z[j].od > 0) return j;
    for (int j = 1; j < v->nzones; j++)
        if (v->z[j].od_price < v->z[best].od_price) best = j;
    return best;
}

static inline int ssp_spot_ready(const sk_srv_view *v) {
    int n = 0;
    for (int j = 0; j < v->nzones; j++) n += v->z[j].spot_ready;
    return n;
}

/* init's common check: the zones fit a plan. */
static inline int ssp_check_zones(const sk_srv_view *v0, char *msg, size_t len) {
    if (v0->nzones < 1 || v0->nzones > SK_SRV_MAXZ)
        return snprintf(msg, len, "serving policies need 1..%d zones, got %d", SK_SRV_MAXZ, v0->nzones), SK_ECONFIG;
    return 0;
}

/* The policies' vtables (registered in serve_policies.c). */
extern const sk_serve_policy sk_srv_on_demand, sk_srv_even_spread, sk_srv_round_robin, sk_srv_asg,
    sk_srv_spothedge, sk_srv_optimal;

/* SpotHedge's zone lists of a state made by sk_srv_spothedge (for tests and traces): copies the
 * Active and Preempted lists in their order; returns the number of zones. */
int sk_srv_spothedge_zones(const void *state, int *active, int *nactive, int *preempted, int *npreempted);

/* The objective ($) of the plan the optimal policy made at its first decision; -1 before it or
 * when it could not be made. */
double sk_srv_optimal_cost(const void *state);

#endif
