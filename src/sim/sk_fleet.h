/* sk_fleet.h - the fleet world: many batch jobs on heterogeneous GPU instances across zones and
 * clouds, on the event engine (engine/sk_engine.h), driven by a policy through the general
 * contract (core/sk_world.h, core/sk_fleet_view.h).
 *
 * Pools are (zone, instance type) pairs. Each has an availability model (models/sk_avail.h: how
 * many spot instances it can hold, and correlated reclaims) and a price model (models/sk_price.h).
 * Instances boot (boot_s; billing starts when they run, as on EC2), jobs load their model (load_s)
 * and, when their checkpoint is in another region, copy it (network model: time and egress $).
 * A spot instance whose pool loses capacity, is hit by a reclaim or whose price rises above its
 * maximum price gets an interruption notice (notice_s per cloud) and is gone after it. A job
 * checkpoints every ckpt_every_s of progress, and on a notice when the checkpoint can be written
 * within it; a lost instance rolls its job back to the last checkpoint.
 *
 * Every quantity is computed in a fixed order from the run's streams: the same config and seed
 * give bitwise-identical results. */
#ifndef SK_FLEET_WORLD_H
#define SK_FLEET_WORLD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sk_fleet_view.h"
#include "core/sk_table.h"
#include "core/sk_world.h"
#include "engine/sk_time.h"

struct sk_avail_model;
struct sk_price_model;
struct sk_net_matrix;
struct sk_net_noise;
struct sk_jobspec;

typedef struct sk_fleet_pool {
    int zone, type;
    double od_price;                /* $/h */
    struct sk_avail_model *avail;   /* owned by the world once created (NULL: unlimited) */
    struct sk_price_model *price;   /* owned (NULL: spot_price constant) */
    double spot_price;              /* $/h when price is NULL */
    int32_t standing_spot, standing_od; /* instances of a standing fleet launched at 0 */
} sk_fleet_pool;

typedef struct sk_fleet_cfg {
    int nzones;
    const sk_zone_info *zones;
    int ntypes;
    const sk_itype_info *types;
    int ngpus;
    const char *const *gpus;
    int npools;
    sk_fleet_pool *pools;
    const struct sk_jobspec *jobs; /* sorted by submit time; gpu_type indexes gpus (-1: job_gpu_mask) */
    uint64_t job_gpu_mask;  /* GPU models a job without its own gpu_type may use (bit k = gpus[k]; 0: any) */
    int64_t njobs;
    double ckpt_every_s;    /* 0: no periodic checkpoints */
    double ckpt_gb_per_gpu; /* checkpoint size per GPU of a job */
    double ckpt_write_gbps; /* checkpoint write speed on a notice (0: no checkpoint on notice) */
    double deadline_factor; /* deadline = arrival + factor * work (0: none) */
    double boot_s, load_s;
    double notice_s[2];     /* interruption notice: [0] AWS, [1] GCP */
    double max_price_frac;  /* spot maximum price = frac x on-demand (0: none) */
    int bill_hourly[2];     /* [0] AWS, [1] GCP: 1 per started hour, 0 per second (60 s minimum),
                             * SK_FLEET_BILL_TICK whole ticks of the tick grid (tick model, below) */
    double min_bill_s;
    int max_retries;        /* -1 never abandon */
    int drop_late;          /* a job past its deadline is FAILED */
    int fleet_heal;         /* relaunch lost standing instances */
    double heal_retry_s;
    double horizon_s;       /* stop here (0: when every job has ended, at the latest the last arrival
                             * + 10 x the longest job + 7 days) */
    double tick_s;          /* periodic TICK trigger (0: none) */
    int max_instances;      /* instances one job may span */
    /* network: NULL -> models/sk_migration (the multi-region model, by zone name) */
    const struct sk_net_matrix *net;
    const int *zone_region; /* zone -> net region index */
    uint64_t seed, world_index, run_index; /* stream roots (master seed, world, run) */
    /* The tick model's options (docs/fleet_crosscheck.md); 0 keeps the event-driven defaults.
     * tick_last: a TICK decision runs after every other event of its instant, so it sees the
     *   preemptions of that tick boundary. ckpt_notice_always: a notice saves all progress
     *   whatever the checkpoint's size. no_move_time: a move between zones costs its egress but
     *   adds no copy time to the restart.
     * SK_FLEET_BILL_TICK billing: an instance pays every tick of the grid it was live in (a
     *   partial tick in full) at the spot price in force at the tick's start, and a probe pays
     *   min_bill_s of spot; each tick is added on its own, at the tick's end, instances in launch
     *   order then probes in call order, to one running total (cost = that total + egress). */
    int tick_last, ckpt_notice_always, no_move_time;
    /* model loading over the network (needs net): model_gb copied at every (re)start from the
     * model store's region (model_store: net region index; -1: a store in the instance's region),
     * after load_s, costing its transfer time and egress */
    double model_gb;
    int model_store;
} sk_fleet_cfg;

#define SK_FLEET_BILL_TICK 2

enum {
    SK_FM_COST, SK_FM_COST_SPOT, SK_FM_COST_OD, SK_FM_EGRESS, SK_FM_GPUH_SPOT, SK_FM_GPUH_OD,
    SK_FM_PREEMPT, SK_FM_RESTARTS, SK_FM_LOST_GPUH, SK_FM_JCT_MEAN, SK_FM_JCT_P50, SK_FM_JCT_P90,
    SK_FM_JCT_P99, SK_FM_QUEUE_MEAN, SK_FM_QUEUE_P99, SK_FM_DEADLINE_MET, SK_FM_UTIL,
    SK_FM_COMPLETED, SK_FM_FAILED, SK_FM_ABANDONED, SK_FM_UNFINISHED, SK_FM_LAUNCHES,
    SK_FM_LAUNCH_FAIL, SK_FM_EVENTS, SK_FM_N
};

typedef struct sk_fleet_result {
    double cost, cost_spot, cost_od, egress;  /* $ */
    double gpuh_spot, gpuh_od;                /* billed GPU-hours */
    int64_t preemptions, restarts;
    double lost_gpuh;                         /* GPU-hours of work rolled back */
    double jct_mean, jct_p50, jct_p90, jct_p99; /* hours, completed jobs */
    double queue_mean, queue_p99;             /* hours from arrival to first start */
    double deadline_met;                      /* fraction of jobs with a deadline that met it */
    double util;                              /* useful GPU-hours / billed GPU-hours */
    int64_t completed, failed, abandoned, unfinished;
    int64_t launches, launch_fail, events;
    double useful_gpuh;
} sk_fleet_result;

/* Run the fleet under pol. Returns 0; SK_EINTR when *stop became set; SK_ENOMEM; SK_EDATA (a
 * model failed) or the policy's init error, with msg. The world frees the pools' models. When
 * series is not NULL it gets rows (t_h, running_jobs, queued_jobs, spot_inst, od_inst, cost) every
 * series_s seconds. */
int sk_fleet_run(const sk_fleet_cfg *cfg, const sk_gpolicy *pol, const sk_value *pp, struct sk_rng *prng,
                 const volatile sig_atomic_t *stop, sk_fleet_result *res, sk_table *series, double series_s, char *msg, size_t len);

#endif
