/* sk_live.h - the live world: the first controller of `synkti live` (issue 12). It runs a
 * registered fleet policy (the fleet scenario kind's table, policies/fleet_*.c) unchanged against
 * real instances: the view (core/sk_world.h + core/sk_fleet_view.h) is filled from the journal
 * (live/sk_journal) and the provider (live/sk_local: instances are `synkti agent` processes), the
 * policy is called on a periodic wall-clock tick and on events (instance running, notice, gone,
 * capacity error, agent exit and progress), and its actions go to the provider with every launch
 * and terminate intent journaled before the call. A controller killed at any point (SIGKILL) is
 * started again with the same journal: it terminates the agents the dead controller left behind
 * (their PIDs are in the journal's instance tags), reconciles (sk_reconcile) and resumes every
 * job from its last checkpoint.
 *
 * Reads: a run file (key: value lines, format in docs/live_controller.md), the journal, the
 * agents' progress lines (WORK/logs/<instance>.log). Writes: the journal, WORK/<job>/ (the agent's
 * checkpoints and output). The library prints nothing: progress lines go to opts.line. */
#ifndef SK_LIVE_H
#define SK_LIVE_H

#include <signal.h>
#include <stddef.h>

#define SK_LIVE_MAXZ 16
#define SK_LIVE_MAXJ 32
#define SK_LIVE_MAXP 16 /* policy parameters set in the file */
#define SK_LIVE_MAXI 16 /* scripted interruptions */
#define SK_LIVE_MAXK 8  /* instances of one job (shards) */

typedef struct sk_live_zone {
    char name[64];
    double spot_price, od_price; /* $/h */
    int slots;                   /* local capacity (0: unlimited) */
    /* spot availability (local provider): none, or a count trace replayed / a model drawn in
     * policy time; the zone's spot capacity follows it and instances above it are interrupted */
    char avail_kind[16];         /* "" none | "trace" | "markov" | "hazard" */
    char avail_file[1024];       /* trace: a file sk_count_trace_load reads */
    double avail_a, avail_b;     /* markov: up and down rates per hour; hazard: rate per hour */
    int avail_scale;             /* trace: instances per trace count (default 1) */
} sk_live_zone;

typedef struct sk_live_job {
    char name[64];
    int tokens;        /* the job's work: tokens per sequence (`synkti agent --tokens`) */
    int instances;     /* K >= 1: shards on K instances, prompts split round robin (default 1) */
    double deadline_s; /* policy seconds from arrival (0: none) */
    double work_s;     /* policy seconds of work the policy sees (default: tokens, 1 s a token) */
    int argc;          /* further `synkti agent` arguments (--model, --prompts, ...) */
    char **argv;       /* owned */
} sk_live_job;

typedef struct sk_live_intr {
    char job[64];
    double after_s;  /* wall seconds after the job's first instance of this session runs */
    double notice_s; /* notice seconds (times time_scale on the wall) */
} sk_live_intr;

typedef struct sk_live_cfg {
    char path[1024];
    char provider[16];  /* "local" ("aws": refused, not yet) */
    char run_id[64];
    char policy[64];
    char pkey[SK_LIVE_MAXP][64], pval[SK_LIVE_MAXP][128];
    int npp;
    double tick_s;      /* wall seconds between ticks (default 1) */
    double time_scale;  /* wall seconds per policy second (default 1) */
    double grace_s;     /* SIGTERM -> SIGKILL (default 5) */
    double restart_s, ckpt_every_s;
    int max_retries;    /* default 10; -1 never abandon */
    char itype[64];     /* default "local.gpu1" */
    char work_dir[1024];
    sk_live_zone zones[SK_LIVE_MAXZ];
    int nzones;
    sk_live_job jobs[SK_LIVE_MAXJ];
    int njobs;
    sk_live_intr intr[SK_LIVE_MAXI];
    int nintr;
    char sha256[65]; /* of the file's bytes: the journal's config hash */
    char http[80];       /* "ADDR:PORT" the controller serves on ("off": none; default 127.0.0.1:8470) */
    char token_file[1024]; /* bearer token for POSTs (default WORK/token, created 0600) */
    int max_instances;   /* the run file's cap (the CLI's --max-instances wins when set) */
    double notice_s;     /* notice of availability-driven interruptions, policy s (default 120) */
    double capacity_ttl_s; /* a zone that refused spot is not tried again for this long (policy s; default 60) */
    /* provider aws */
    char aws_region[32], aws_endpoint[256], aws_profile[64], aws_image[64], aws_key[64], aws_subnet[64],
        aws_sg[64], aws_user_data[1024], aws_max_price[32];
    double aws_describe_s; /* DescribeInstances at most this often (wall s; default 5) */
    int report_http;     /* local agents POST their progress to the controller (report: http) instead of
                            the controller reading their logs (report: log, the default); aws: always http */
} sk_live_cfg;

/* Read a run file. 0, or SK_ENOINPUT / SK_ECONFIG ("FILE:LINE: key: reason") / SK_ENOMEM. */
int sk_live_cfg_load(sk_live_cfg *c, const char *path, char *err, size_t errlen);
void sk_live_cfg_free(sk_live_cfg *c);

typedef struct sk_live_opts {
    const char *synkti;  /* the synkti binary the provider starts agents with */
    const char *journal; /* journal path (default WORK/journal.db) */
    int dry_run;         /* one decision per job with a pretend provider: print, launch nothing */
    int max_instances;   /* live instances at most (0: no limit); launches beyond are refused */
    double spend_cap;    /* $ (0: none): terminate everything when reached, return SK_EINTR */
    const volatile sig_atomic_t *stop; /* set: terminate everything, return SK_EINTR */
    void (*line)(void *ctx, const char *text); /* progress lines (NULL: none) */
    void *ctx;
    const char *results; /* HDF5 results file in the simulator's schema (NULL: none) */
    const char *url_file; /* write the HTTP server's URL here once it listens (NULL: WORK/controller.url) */
} sk_live_opts;

typedef struct sk_live_result {
    int completed, failed, abandoned, pending; /* jobs by final state (pending: not terminal) */
    int launches, launch_fail, terminations, gone, notices;
    int orphans;    /* instances of a dead controller terminated at start */
    int adopted;    /* instances of a dead controller adopted at start (kept running) */
    int reconciled; /* reconcile actions applied at start */
    int decisions;  /* policy calls this session */
    double dec_p50_us, dec_p99_us, dec_max_us;    /* the policy's own time per call (actions excluded) */
    double dec_all_p50_us, dec_all_p99_us;        /* the same with its actions (journal writes, queueing) */
    int notice_ckpts;                             /* notices followed by a checkpoint, this session */
    double notice_ckpt_p50_s, notice_ckpt_max_s;  /* notice raised/seen -> checkpoint journaled, wall s */
    double spend;   /* $: instance-seconds (policy time) x per-second prices, this session */
    int capped;     /* the spend cap was reached */
} sk_live_result;

/* Run to the end (every job terminal and every instance terminated). 0; SK_EINTR (stopped or
 * spend cap; the journal resumes it); SK_ECONFIG (unknown policy or parameter, journal of another
 * run); SK_EIO and others with a message. */
int sk_live_run(const sk_live_cfg *c, const sk_live_opts *o, sk_live_result *r, char *err, size_t errlen);

#endif
