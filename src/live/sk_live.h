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

typedef struct sk_live_zone {
    char name[64];
    double spot_price, od_price; /* $/h */
    int slots;                   /* local capacity (0: unlimited) */
} sk_live_zone;

typedef struct sk_live_job {
    char name[64];
    int tokens;  /* the job's work: tokens per sequence (`synkti agent --tokens`) */
    int argc;    /* further `synkti agent` arguments (--model, --prompts, ...) */
    char **argv; /* owned */
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
} sk_live_opts;

typedef struct sk_live_result {
    int completed, failed, abandoned, pending; /* jobs by final state (pending: not terminal) */
    int launches, launch_fail, terminations, gone, notices;
    int orphans;    /* agents of a dead controller terminated at start */
    int reconciled; /* reconcile actions applied at start */
    double spend;   /* $: instance-seconds (policy time) x per-second prices, this session */
    int capped;     /* the spend cap was reached */
} sk_live_result;

/* Run to the end (every job terminal and every instance terminated). 0; SK_EINTR (stopped or
 * spend cap; the journal resumes it); SK_ECONFIG (unknown policy or parameter, journal of another
 * run); SK_EIO and others with a message. */
int sk_live_run(const sk_live_cfg *c, const sk_live_opts *o, sk_live_result *r, char *err, size_t errlen);

#endif
