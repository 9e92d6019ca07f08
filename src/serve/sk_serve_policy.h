/* sk_serve_policy.h - the contract between the serving world (src/serve/sk_serve.c, scenario kind
 * `serving`) and its replica-placement policies (policies/serve_*.c): the serving form of the
 * world/policy/actions contract of core/sk_world.h (DESIGN.md's `set_replicas(n, placement)`).
 *
 * The world calls decide() on a periodic tick (`tick_s`, default 30 s) and on events (a replica
 * preempted, a replica ready, a launch refused). The policy answers with a PLAN: how many spot
 * replicas it wants in each zone and how many on-demand ones (in one zone). The world realises the
 * plan: it keeps the replicas that match, launches the missing ones (a spot launch into a zone
 * with no capacity is refused: the zone's `launch_fail` counts it and trigger LAUNCH_FAIL follows),
 * and terminates the surplus (newest first, launching before ready). A replica is READY after its
 * cold start (boot + weight load); only ready replicas serve.
 *
 * Policies keep their state in `state` (state_size bytes, zeroed, reset per run) and draw only
 * from the view's rng. All counts are replicas (one replica = one instance of the scenario's
 * instance type running the model with its tensor-parallel degree). */
#ifndef SK_SERVE_POLICY_H
#define SK_SERVE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_param.h"
#include "core/sk_scenario.h" /* sk_policy_def */

struct sk_rng;

#define SK_SRV_MAXZ 64

typedef enum {
    SK_SRV_TICK = 0,    /* the periodic decision (zone -1) */
    SK_SRV_PREEMPTED,   /* a spot replica of `zone` was reclaimed (its notice ended) */
    SK_SRV_NOTICE,      /* a spot replica of `zone` got its interruption notice */
    SK_SRV_READY,       /* a replica of `zone` became ready */
    SK_SRV_LAUNCH_FAIL, /* a spot launch into `zone` was refused (no capacity) */
} sk_srv_trig;

typedef struct sk_srv_zone {
    const char *name;   /* "us-east-1a" */
    const char *region; /* "us-east-1" */
    double spot_price, od_price; /* $/h of one replica (instance) now */
    /* live replicas by market: launching (cold start) + ready; NOTIFIED ones count until gone */
    int32_t spot, od;
    int32_t spot_ready, od_ready;
    int64_t launch_fail, preempted; /* so far in this run */
} sk_srv_zone;

typedef struct sk_srv_view {
    double t;          /* s since the start */
    double tick_s;     /* the decision period */
    double cold_start_s; /* boot + load of a replica */
    int nzones;
    const sk_srv_zone *z;
    int n_target;      /* replicas the service needs now: `n_target` of the scenario, or the
                          request-rate autoscaler's target when it is on (below) */
    double rate_60s;   /* arrivals per second over the last 60 s */
    double qps_per_replica; /* the scenario's capacity of one replica (for autoscalers) */
    sk_srv_trig trig;
    int trig_zone;     /* zone of the event, -1 for TICK */
    struct sk_rng *rng;
    /* Oracle, for the offline optimum only (NULL otherwise): spot replicas zone z can hold at
     * time t (s), from the availability trace the world replays. */
    int32_t (*cap_at)(const void *w, int zone, double t);
    const void *w;
    double horizon_s;  /* end of the run (the oracle's horizon) */
} sk_srv_view;

typedef struct sk_srv_plan {
    int32_t spot[SK_SRV_MAXZ]; /* spot replicas wanted in each zone */
    int32_t od;                /* on-demand replicas wanted */
    int od_zone;               /* their zone (-1: the cheapest on-demand zone) */
} sk_srv_plan;

typedef struct sk_serve_policy {
    sk_policy_def def;   /* name, parameters (core/sk_param.h), description */
    size_t state_size;
    /* Parse parameters into state; 0 or SK_ECONFIG with msg. v0: the view before the run. */
    int (*init)(void *state, const sk_value *params, const sk_srv_view *v0, char *msg, size_t len);
    /* Fill *plan (the world zeroes it first: an untouched plan wants nothing). */
    void (*decide)(void *state, const sk_srv_view *v, sk_srv_plan *plan);
    void (*fini)(void *state); /* may be NULL */
} sk_serve_policy;

/* The registered serving policies (policies/serve_policies.c), NULL-terminated, and a lookup. */
extern const sk_serve_policy *const sk_serve_policies[];
const sk_serve_policy *sk_serve_policy_find(const char *name);

#endif
