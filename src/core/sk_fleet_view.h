/* sk_fleet_view.h - the fleet part of the policy contract (core/sk_world.h): many jobs on many instance
 * types across zones and clouds. A fleet world fills sk_view.fleet and the fleet members of
 * sk_actor; the single-job worlds leave them NULL.
 *
 * Scale: a decision in a 100,000-GPU fleet must not copy or scan the fleet. The view is indexed:
 * pools (one per zone x instance type) carry their counters, kept incrementally; the jobs and
 * instances of interest are reached through the trigger and through per-pool and per-state lists
 * (accessor functions, O(1) a step). Arrays in the view belong to the world and reflect every
 * action already taken in this decision.
 *
 * Job lifecycle (sk_job_state): CREATED (known, not yet arrived) -> QUEUED (arrived, waiting for a
 * placement) -> SUBMITTED (instances requested or assigned, booting and loading) -> RUNNING
 * (making progress) -> COMPLETED. A lost instance or a launch that found no capacity sends a job
 * to RETRY (a timer the policy sets) and back to QUEUED; after max_retries retries it is
 * ABANDONED; a job whose deadline passes while the scenario drops late jobs is FAILED. Every job
 * ends in exactly one of COMPLETED, FAILED, ABANDONED (or is still live when the horizon ends).
 *
 * Two heals, separate mechanisms: job-level heal (a job whose instance was lost restarts from its
 * last checkpoint on other capacity: the policy's decision on the GONE trigger) and fleet-level
 * heal (the world relaunches a lost instance of a standing fleet in its pool, whether or not a job
 * ran on it: a scenario setting, not the policy's). */
#ifndef SK_FLEET_VIEW_H
#define SK_FLEET_VIEW_H

#include <stdint.h>

#include "core/sk_market.h"

typedef enum {
    SK_JOB_CREATED = 0,
    SK_JOB_QUEUED,
    SK_JOB_SUBMITTED,
    SK_JOB_RUNNING,
    SK_JOB_RETRY,
    SK_JOB_COMPLETED,
    SK_JOB_FAILED,
    SK_JOB_ABANDONED,
    SK_JOB_NSTATES
} sk_job_state;

/* An instance type as the fleet knows it. */
typedef struct sk_itype_info {
    const char *name;  /* "p3.8xlarge" */
    const char *gpu;   /* "V100" */
    int gpu_id;        /* index into sk_fleet_view.gpus */
    int gpus;          /* per instance */
    double gpu_mem_gb; /* per GPU */
} sk_itype_info;

/* A pool: one instance type in one zone, where launches go. Counters are live instances. */
typedef struct sk_pool_info {
    int zone;          /* index into sk_view.zones (name, region, cloud) */
    int type;          /* index into sk_fleet_view.types */
    double od_price;   /* $/h per instance */
    double spot_price; /* $/h per instance now */
    int32_t spot_cap;  /* spot instances the pool can hold now (INT32_MAX: no limit; -1 not shown) */
    int32_t n_spot;    /* live spot instances (requested .. notified) */
    int32_t n_od;      /* live on-demand instances */
    int32_t n_idle[3]; /* running instances with no job, by market (index SK_MKT_SPOT / SK_MKT_OD) */
    int64_t launch_fail, preempted; /* spot launches refused, spot instances reclaimed (so far) */
} sk_pool_info;

/* A fleet job as a policy sees it. Times are seconds from the start of the run. */
typedef struct sk_fjob_info {
    int64_t id;
    sk_job_state state;
    int32_t gpus;       /* GPUs it needs (all in one zone) */
    uint64_t gpu_mask;  /* GPU models it may run on: bit k = sk_fleet_view.gpus[k]; 0: any */
    double arrival;     /* s */
    double work;        /* s of work on its GPUs */
    double saved;       /* s of work saved in its last checkpoint */
    double progress;    /* s of work done (saved + since the last checkpoint), now */
    double deadline;    /* absolute s, INFINITY: none */
    double ckpt_gb;     /* checkpoint size */
    int32_t ckpt_zone;  /* zone holding the last checkpoint, -1 none */
    int32_t ninst;      /* instances assigned to it (live) */
    int32_t gpus_have;  /* GPUs on them */
    int32_t retries;    /* retries so far */
    int32_t last_zone;  /* zone it last ran in (or was last placed in), -1 none */
    int32_t lost_zone;  /* zone of the instance it last lost, -1 none */
    sk_market market;   /* market of its instances (SPOT, OD; NONE when it has none) */
} sk_fjob_info;

typedef enum {
    SK_TRIG_TICK = 0, /* the periodic decision tick (job -1), when the scenario has one */
    SK_TRIG_ARRIVAL,  /* a job arrived (QUEUED) */
    SK_TRIG_RETRY,    /* a job's retry timer fired (QUEUED again) */
    SK_TRIG_NOTICE,   /* an instance got its interruption notice (inst, its job or -1) */
    SK_TRIG_GONE,     /* an instance was reclaimed (inst; its job, now RETRY, or -1) */
    SK_TRIG_IDLE,     /* an instance became idle: booted without a job, or its job ended */
    SK_TRIG_DONE,     /* a job completed (its instances are idle) */
    SK_TRIG_NKINDS
} sk_trig_kind;

typedef struct sk_trigger {
    sk_trig_kind kind;
    int64_t job;  /* -1 none */
    int64_t inst; /* -1 none */
    int32_t pool; /* -1 none */
} sk_trigger;

typedef struct sk_fleet_view {
    int ntypes;
    const sk_itype_info *types;
    int ngpus;
    const char *const *gpus; /* GPU model names (sk_fjob_info.gpu indexes these) */
    int npools;
    const sk_pool_info *pools;
    /* pools in order of spot $/GPU-h (then index), and of on-demand $/GPU-h; kept current */
    const int32_t *by_spot, *by_od;
    sk_trigger trig;
    int64_t njobs[SK_JOB_NSTATES]; /* jobs per state */
    double ckpt_every;             /* s between periodic checkpoints */
    double restart_s;              /* s a (re)start costs before progress: boot + model load */
    int max_instances;             /* instances one job may span (all in one zone) */
    int max_retries;               /* a job is ABANDONED at its (max_retries+1)-th retry; -1: never */
    /* indexed access (w is sk_actor.w) */
    const void *w;
    const sk_fjob_info *(*job)(const void *w, int64_t id);
    /* jobs of one state, oldest entry first (QUEUED: the queue); -1 ends. A job taken out of
     * the state by an action stays safe to step from only if read before the action. */
    int64_t (*jobs_first)(const void *w, sk_job_state s);
    int64_t (*jobs_next)(const void *w, int64_t job);
    int64_t (*idle_first)(const void *w, int pool, sk_market m); /* an idle instance, or -1 */
    int64_t (*inst_first)(const void *w, int64_t job); /* a job's instances: first, next; -1 ends */
    int64_t (*inst_next)(const void *w, int64_t inst);
    int (*inst_pool)(const void *w, int64_t inst);
    sk_market (*inst_market)(const void *w, int64_t inst);
} sk_fleet_view;

/* The fleet actions (sk_actor members; NULL in single-job worlds):
 *   launch_for(w, pool, m, job): request an instance in pool (market m) for job (or -1: idle
 *     capacity); returns its id, or -1 on a capacity error (spot at capacity; the pool's
 *     launch_fail counts it). The job turns SUBMITTED and starts when its assigned GPUs suffice
 *     and all of them are running and loaded.
 *   assign(w, job, inst): give an idle running instance to a QUEUED/RETRY/SUBMITTED job; 0 or -1.
 *   release(w, job): a planned move: the job checkpoints (all its progress is saved), its
 *     instances become idle and it is QUEUED again; 0 or -1.
 *   retry(w, job, after_s): set a QUEUED/RETRY job to RETRY; it is QUEUED again (trigger RETRY)
 *     after after_s seconds (at least 1 s), or ABANDONED when it has used up max_retries. 0 or -1.
 *   terminate (the sk_actor member) ends an instance (idle or not; a running job loses it like a
 *     preemption without a notice, and goes to RETRY). */

/* Whether job j may run on GPU model gpu_id. */
static inline int sk_fjob_allows(const sk_fjob_info *j, int gpu_id) {
    return j->gpu_mask == 0 || (gpu_id >= 0 && gpu_id < 64 && ((j->gpu_mask >> gpu_id) & 1u));
}

#endif
