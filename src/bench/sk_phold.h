/* sk_phold.h - PHOLD, the classic synthetic benchmark for discrete-event engines.
 *
 * N logical processes (LPs) each start with E events. Executing an event at LP `lp` and time t
 * schedules exactly one new event at t + lookahead + Exp(mean - lookahead) for a uniformly chosen
 * LP (itself included) with probability `remote`, else for `lp`; so N*E events stay pending.
 * Events at or after `end` are not executed. Times are in abstract units, 1 unit = 1 s = 10^6
 * microseconds of sk_time; increments are truncated to whole microseconds.
 * Per event the model draws, in this order: u ~ U[0,1); if u <= remote, the destination LP; the
 * exponential increment. Initial events: LP by LP, E increments each.
 *
 * Checksum: each LP keeps h = (h ^ t) * 0x100000001B3 over the times of the events it executes
 * (in order, from h = 0); the run's checksum is FNV-1a over (count, h_0 .. h_{N-1}). It changes
 * if any event runs at another time, at another LP or in another order at one LP. */
#ifndef SK_PHOLD_H
#define SK_PHOLD_H

#include <gsl/gsl_rng.h>
#include <signal.h>
#include <stdint.h>

#include "engine/sk_time.h"

typedef struct sk_phold_params {
    uint64_t lps;           /* N */
    uint64_t events_per_lp; /* E */
    double end;             /* end time, units */
    double mean;            /* mean increment, units */
    double lookahead;       /* minimum increment, units */
    double remote;          /* probability that the new event goes to a random LP */
    uint64_t seed;          /* master seed; replication r uses stream (seed, r, 0) */
    const gsl_rng_type *rng;
    /* Hot-spot variant (off when hot_weight == 0): a remote event goes, with probability
     * hot_weight, to a uniformly chosen LP among the first hot_lps, else to any LP. It draws one
     * more uniform per remote event, after u and before the destination. */
    uint64_t hot_lps;
    double hot_weight;
    /* When not NULL, checked every 2^20 events; once non-zero the run stops with SK_EINTR. */
    const volatile sig_atomic_t *stop;
    /* When nbins > 0: bins[k] gets the events executed in [k, k+1) * end / nbins (the run goes
     * bin by bin; the event stream is the same). */
    uint32_t nbins;
    uint64_t *bins;
} sk_phold_params;

typedef struct sk_phold_result {
    uint64_t events;   /* events executed */
    uint64_t checksum; /* see above */
    sk_time last_t;    /* time of the last executed event */
    double init_secs;  /* setting up the initial events */
    double run_secs;   /* the event loop */
    int status;        /* 0 or SK_E* */
} sk_phold_result;

/* Defaults: 1024 LPs x 16 events, end 1000, mean 1, lookahead 0.1, remote 0.9, seed 1, no hot
 * spot, no stop flag, no bins. */
void sk_phold_defaults(sk_phold_params *p);
/* Check parameter ranges. Returns 0, or SK_EUSAGE with a message (naming the parameter) in msg. */
int sk_phold_check(const sk_phold_params *p, char *msg, size_t msglen);
/* Run replication `rep` on one engine in the calling thread. Returns 0, SK_ENOMEM or SK_EINTR
 * (stopped through p->stop); the result is filled in either way (status holds the code). Safe to call from many threads at once. */
int sk_phold_run(const sk_phold_params *p, uint64_t rep, sk_phold_result *res);
/* Run replications 0..reps-1 on `threads` OpenMP threads (dynamic schedule); res[r] gets
 * replication r, identical for any thread count. *wall_secs gets the wall time of the parallel
 * section. Returns 0 or the first replication's error. */
int sk_phold_run_many(const sk_phold_params *p, uint64_t reps, int threads, sk_phold_result *res,
                      double *wall_secs);
/* Combine per-replication checksums, in replication order. */
uint64_t sk_phold_combine(const sk_phold_result *res, uint64_t reps);

#endif
