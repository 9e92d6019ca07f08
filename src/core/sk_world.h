/* sk_world.h - the general policy contract: what a policy sees (a read-only view of zones,
 * instances, jobs and observations) and what it can do (launch, terminate, probe), for every world:
 * the tick-exact reference simulators, the event-driven fleet and the live controller.
 *
 * A world fills an sk_view and hands the policy an sk_actor. Actions take effect at once and
 * return their result, the way a provider call does (a spot launch either gets capacity or gets a
 * capacity error); the view's arrays are the world's own and reflect every action already taken
 * in this decision. A policy does no I/O, reads no wall clock, keeps no globals and draws
 * randomness only from view->rng.
 *
 * Policies that plan with knowledge of the future are planners (sk_planner): the world hands a
 * planner the whole future once, before the first decision, and the planner's executor policy
 * reads the plan from view->plan. Planners exist only in simulation.
 *
 * The deadline safety net is one shared component (policies/sk_safety.h) that a world calls
 * before the policy, through this same view and actor. */
#ifndef SK_WORLD_H
#define SK_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_market.h"
#include "core/sk_param.h"
#include "core/sk_scenario.h"

struct sk_fleet_view;

struct sk_rng;

/* One zone: a place where an instance can be launched (an availability zone of a cloud). */
typedef struct sk_zone_info {
    const char *name;   /* the trace's or the catalog's name: "us-east4-a_h100_16" */
    const char *zone;   /* "us-east4-a" */
    const char *region; /* the cloud region: "us-east4" (GCP), "us-east-1" (AWS) */
    const char *cloud;  /* "gcp" or "aws" */
    double od_price;    /* on-demand $/h */
    double spot_price;  /* spot $/h as last observed (a launch, a probe or sk_actor.prices) */
    int spot_avail;     /* spot capacity now as the world shows it: 1 or 0, or -1 when it does not
                         * (then a policy learns it by launching or probing). The single-zone
                         * world of Can't Be Late shows it, as its reference simulators do. */
} sk_zone_info;

typedef enum { SK_INST_REQUESTED, SK_INST_BOOTING, SK_INST_RUNNING, SK_INST_NOTIFIED, SK_INST_GONE } sk_inst_state;

typedef struct sk_instance_info {
    int64_t id;       /* unique within a run */
    int zone;         /* index into view->zones */
    sk_market market; /* SPOT or OD */
    sk_inst_state state;
    int64_t launched; /* tick of the launch */
} sk_instance_info;

/* A deadline-bound job. Times in seconds (binary64, as the reference simulators keep them). */
typedef struct sk_job_info {
    double work;          /* C */
    double progress;      /* S */
    double deadline;      /* R, from the start */
    double changeover;    /* d: time lost at every launch */
    double overhead_left; /* changeover still to pay on the running instance */
    double ckpt_gb;       /* checkpoint size */
    int ckpt_zone;        /* zone holding the latest checkpoint (the last that made progress), -1 none */
} sk_job_info;

/* What the policy has observed, per zone (counters since the start of the run). */
typedef struct sk_observed {
    const int64_t *launch_fail; /* spot launches refused for lack of capacity */
    const int64_t *preempted;   /* instances taken back */
    const int64_t *probe_ok, *probe_fail;
} sk_observed;

/* A plan from a planner: for each tick, the zone and market to run on (market NONE: idle). */
typedef struct sk_plan_step {
    int zone;
    sk_market market;
} sk_plan_step;

typedef struct sk_plan {
    sk_plan_step *step;
    int64_t n;
} sk_plan;

typedef struct sk_view {
    int64_t tick;  /* k */
    double t, gap; /* k*gap and the tick length, seconds */
    int nzones;
    const sk_zone_info *zones;
    const double *egress_usd; /* nzones x nzones: $ to move the job's checkpoint from zone i to j */
    const double *move_h;     /* nzones x nzones: hours a move from zone i to j adds to the changeover
                               * (the checkpoint's copy time), or NULL when the world counts none */
    int ninst;
    const sk_instance_info *inst; /* live instances, in launch order */
    int njobs;
    const sk_job_info *jobs;
    sk_observed obs;
    const sk_plan *plan;  /* the planner's plan, or NULL */
    struct sk_rng *rng;   /* the policy's own stream */
    const struct sk_fleet_view *fleet; /* the fleet world's indexed view (core/sk_fleet_view.h), or NULL */
} sk_view;

/* Actions, applied at once. launch returns 1 when the instance runs, 0 on a capacity error (spot
 * unavailable); terminate returns 0, or -1 when no such instance is live; probe returns 1 when
 * spot capacity is there (a probe is a short launch that is billed and released); prices
 * refreshes every zone's observed spot price. */
typedef struct sk_actor {
    void *w;
    int (*launch)(void *w, int zone, sk_market m);
    int (*terminate)(void *w, int64_t inst);
    int (*probe)(void *w, int zone);
    void (*prices)(void *w);
    /* fleet worlds only (core/sk_fleet_view.h), NULL elsewhere */
    int64_t (*launch_for)(void *w, int pool, sk_market m, int64_t job);
    int (*assign)(void *w, int64_t job, int64_t inst);
    int (*release)(void *w, int64_t job);
    int (*retry)(void *w, int64_t job, double after_s);
} sk_actor;

#define SK_POL_NO_SAFETY_NET 1u /* the world does not call the safety net (planners' executors) */

struct sk_planner;

typedef struct sk_gpolicy {
    sk_policy_def def; /* first member: what experiment files see */
    size_t state_size;
    unsigned flags;
    const struct sk_planner *planner; /* non-NULL: the executor of this planner's plan */
    /* state is state_size bytes, zeroed. Returns 0 or a negative SK_E* code with msg. */
    int (*init)(void *state, const sk_value *params, const sk_view *v0, char *msg, size_t len);
    void (*decide)(void *state, const sk_view *v, const sk_actor *a);
    void (*fini)(void *state);
} sk_gpolicy;

/* The whole future of a deadline job over nzones zones, as a planner sees it: per zone, spot
 * availability and price for ticks 0..nticks-1 (relative to the start). */
typedef struct sk_future {
    int nzones;
    int64_t nticks;
    const uint8_t *const *avail; /* avail[z][k]: 1 = spot can run in tick k */
    const double *const *price;  /* price[z][k], $/h */
    const double *od_price;      /* per zone */
    const double *egress_usd;    /* nzones x nzones */
    const double *transfer_h;    /* nzones x nzones: extra hours a move takes */
    double gap;
    sk_job_info job;
    int transfer_time;           /* 1 when the world adds transfer_h to a move's changeover */
} sk_future;

typedef struct sk_planner {
    const char *name;
    /* Fill *plan (malloc'd steps; the world frees them). Returns 0 or a negative SK_E* code. */
    int (*plan)(const sk_future *f, const sk_value *params, sk_plan *plan, char *msg, size_t len);
} sk_planner;

static inline const sk_gpolicy *sk_gpolicy_of(const sk_policy_def *d) { return (const sk_gpolicy *)(const void *)d; }

/* The first live instance, or NULL. */
static inline const sk_instance_info *sk_view_first(const sk_view *v) { return v->ninst ? &v->inst[0] : NULL; }

#endif
