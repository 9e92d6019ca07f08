/* sk_phold.c - PHOLD on the Synkti engine (see sk_phold.h for the workload and checksum). */
#include "bench/sk_phold.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/sk_hash.h"
#include "engine/sk_engine.h"
#include "engine/sk_rng.h"

#define SK_PHOLD_EV 0

typedef struct sk_phold {
    sk_rng rng;
    uint64_t *lp_hash;
    uint32_t n_lp;
    uint32_t hot_lps;
    double hot_weight;
    double remote;
    double em_us; /* mean of the exponential part, microseconds */
    sk_time la_us;
    sk_time last_t; /* time of the latest executed event */
} sk_phold;

static double sk__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sk_phold_defaults(sk_phold_params *p) {
    p->lps = 1024;
    p->events_per_lp = 16;
    p->end = 1000.0;
    p->mean = 1.0;
    p->lookahead = 0.1;
    p->remote = 0.9;
    p->seed = 1;
    p->rng = NULL;
    p->hot_lps = 0;
    p->hot_weight = 0;
    p->stop = NULL;
    p->nbins = 0;
    p->bins = NULL;
}

int sk_phold_check(const sk_phold_params *p, char *msg, size_t msglen) {
    const char *bad = NULL;
    if (p->lps < 1 || p->lps > UINT32_MAX - 1) bad = "lps: must be in [1, 4294967294]";
    else if (p->events_per_lp < 1) bad = "events-per-lp: must be at least 1";
    else if (p->lps * p->events_per_lp > (1ULL << 31)) bad = "lps x events-per-lp: at most 2^31 pending events";
    else if (!(p->lookahead >= 0)) bad = "lookahead: must be >= 0";
    else if (!(p->mean > p->lookahead)) bad = "mean: must be greater than the lookahead";
    else if (!(p->remote >= 0 && p->remote <= 1)) bad = "remote: must be in [0, 1]";
    else if (!(p->end > 0 && p->end < 9e12)) bad = "end: must be in (0, 9e12)";
    else if (!(p->mean * 1e6 < 1e15)) bad = "mean: too large";
    else if (!(p->hot_weight >= 0 && p->hot_weight <= 1)) bad = "hot_weight: must be in [0, 1]";
    else if (p->hot_weight > 0 && (p->hot_lps < 1 || p->hot_lps > p->lps)) bad = "hot_lps: must be in [1, lps]";
    if (!bad) return 0;
    snprintf(msg, msglen, "%s", bad);
    return SK_EUSAGE;
}

static void sk_phold_event(void *ctx, sk_engine *eng, const sk_event *ev) {
    sk_phold *m = ctx;
    uint32_t lp = ev->target;
    m->lp_hash[lp] = sk_fnv_word(m->lp_hash[lp], (uint64_t)ev->t);
    m->last_t = ev->t;
    uint32_t dst = sk_rng_uniform(&m->rng) <= m->remote ? sk_rng_uniform_int(&m->rng, m->n_lp) : lp;
    sk_time dt = m->la_us + (sk_time)sk_rng_exponential(&m->rng, m->em_us);
    sk_schedule(eng, ev->t + dt, SK_PHOLD_EV, dst, 0);
}

/* The hot-spot variant: a second handler, so the classic one stays as it is. */
static void sk_phold_event_hot(void *ctx, sk_engine *eng, const sk_event *ev) {
    sk_phold *m = ctx;
    uint32_t lp = ev->target, dst = lp;
    m->lp_hash[lp] = sk_fnv_word(m->lp_hash[lp], (uint64_t)ev->t);
    m->last_t = ev->t;
    if (sk_rng_uniform(&m->rng) <= m->remote)
        dst = sk_rng_uniform_int(&m->rng, sk_rng_uniform(&m->rng) < m->hot_weight ? m->hot_lps : m->n_lp);
    sk_time dt = m->la_us + (sk_time)sk_rng_exponential(&m->rng, m->em_us);
    sk_schedule(eng, ev->t + dt, SK_PHOLD_EV, dst, 0);
}

/* Run to `end`; with a stop flag, in chunks of 2^20 events, checking it between chunks. Returns an
 * SK_RUN_* reason or SK_EINTR / another negative code. Chunking does not change the event stream. */
static int sk__run_until(sk_engine *eng, sk_time end, const volatile sig_atomic_t *stop) {
    if (!stop) return sk_engine_run(eng, end, 0);
    /* checked before every slice, so a run cut into many short time bins (series) still stops
     * within one slice of 2^20 events (well under a second) */
    for (;;) {
        if (*stop) return SK_EINTR;
        int rc = sk_engine_run(eng, end, 1u << 20);
        if (rc != SK_RUN_EVENT_LIMIT) return rc;
    }
}

int sk_phold_run(const sk_phold_params *p, uint64_t rep, sk_phold_result *res) {
    sk_phold m;
    sk_engine eng;
    int rc;
    *res = (sk_phold_result){0};
    m.n_lp = (uint32_t)p->lps;
    m.last_t = 0;
    m.remote = p->remote;
    m.hot_lps = (uint32_t)p->hot_lps;
    m.hot_weight = p->hot_weight;
    m.la_us = sk_time_from(p->lookahead, SK_SEC);
    m.em_us = (p->mean - p->lookahead) * (double)SK_SEC;
    size_t pending = (size_t)(p->lps * p->events_per_lp);

    m.lp_hash = calloc(m.n_lp, sizeof *m.lp_hash);
    if (!m.lp_hash) { rc = SK_ENOMEM; goto fail_hash; }
    if ((rc = sk_rng_init(&m.rng, p->rng, p->seed, rep, 0)) < 0) goto fail_rng;
    if ((rc = sk_engine_init(&eng, pending + 1)) < 0) goto fail_engine;
    sk_engine_on(&eng, SK_PHOLD_EV, p->hot_weight > 0 ? sk_phold_event_hot : sk_phold_event, &m);

    double t0 = sk__now();
    for (uint32_t lp = 0; lp < m.n_lp; lp++)
        for (uint64_t k = 0; k < p->events_per_lp; k++)
            sk_schedule(&eng, m.la_us + (sk_time)sk_rng_exponential(&m.rng, m.em_us), SK_PHOLD_EV, lp, 0);
    double t1 = sk__now();
    sk_time end_us = sk_time_from(p->end, SK_SEC);
    if (!p->nbins) {
        rc = sk__run_until(&eng, end_us, p->stop);
    } else {
        for (uint32_t k = 0; k < p->nbins; k++) {
            uint64_t before = eng.executed;
            sk_time bend = k + 1 == p->nbins ? end_us : (sk_time)((double)end_us * (k + 1) / p->nbins);
            if ((rc = sk__run_until(&eng, bend, p->stop)) < 0) break;
            p->bins[k] = eng.executed - before;
        }
    }
    double t2 = sk__now();
    if (rc >= 0) rc = 0;

    uint64_t cs = sk_fnv_word(SK_FNV_OFFSET, eng.executed);
    for (uint32_t i = 0; i < m.n_lp; i++) cs = sk_fnv_word(cs, m.lp_hash[i]);
    res->events = eng.executed;
    res->checksum = cs;
    res->last_t = m.last_t;
    res->init_secs = t1 - t0;
    res->run_secs = t2 - t1;

    sk_engine_fini(&eng);
fail_engine:
    sk_rng_fini(&m.rng);
fail_rng:
    free(m.lp_hash);
fail_hash:
    res->status = rc;
    return rc;
}

int sk_phold_run_many(const sk_phold_params *p, uint64_t reps, int threads, sk_phold_result *res,
                      double *wall_secs) {
    double t0 = sk__now();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long long r = 0; r < (long long)reps; r++) sk_phold_run(p, (uint64_t)r, &res[r]);
    *wall_secs = sk__now() - t0;
    for (uint64_t r = 0; r < reps; r++)
        if (res[r].status < 0) return res[r].status;
    return 0;
}

uint64_t sk_phold_combine(const sk_phold_result *res, uint64_t reps) {
    uint64_t cs = SK_FNV_OFFSET;
    for (uint64_t r = 0; r < reps; r++) cs = sk_fnv_word(cs, res[r].checksum);
    return cs;
}
