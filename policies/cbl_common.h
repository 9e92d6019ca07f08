/* cbl_common.h - what the single-zone "Can't Be Late" policies share, read from the general view
 * (core/sk_world.h): the job's quantities at a tick, the reference's two safety nets at the end of
 * a decision (../shared/specs/cant-be-late.md section 3), and turning the market a policy wants for
 * the next interval into actions on zone 0. Evaluated exactly in the spec's order. */
#ifndef CBL_COMMON_H
#define CBL_COMMON_H

#include <math.h>

#include "core/sk_world.h"

typedef struct sk_cbl {
    double C, R, d, gap, t, S, rro;
    sk_market cur; /* what runs now (after a preemption at this tick: NONE) */
    int avail;     /* spot can run during this interval */
    double rem;    /* C - S */
    double rt;     /* floor((R - t)/gap)*gap: whole ticks left before the deadline */
    double need1;  /* ceil((rem + d)/gap)*gap */
    double need2;  /* ceil((rem + 2d)/gap)*gap */
} sk_cbl;

/* The quantities for a job of work C due at R (the view's job, or a slice of it). */
static inline sk_cbl sk_cbl_for(const sk_view *v, double C, double R) {
    const sk_job_info *j = &v->jobs[0];
    sk_cbl q;
    q.C = C, q.R = R, q.d = j->changeover, q.gap = v->gap, q.t = v->t, q.S = j->progress, q.rro = j->overhead_left;
    q.cur = v->ninst ? v->inst[0].market : SK_MKT_NONE;
    q.avail = v->zones[0].spot_avail > 0;
    q.rem = q.C - q.S;
    q.rt = floor((q.R - q.t) / q.gap) * q.gap;
    q.need1 = ceil((q.rem + q.d) / q.gap) * q.gap;
    q.need2 = ceil((q.rem + 2 * q.d) / q.gap) * q.gap;
    return q;
}

static inline sk_cbl sk_cbl_of(const sk_view *v) { return sk_cbl_for(v, v->jobs[0].work, v->jobs[0].deadline); }

/* The policies' shared ending (spec 3.1/3.2): the 2d safety net, then the 1d one. */
static inline sk_market sk_cbl_nets(const sk_cbl *q, sk_market p) {
    if (q->need2 >= q->rt && (q->cur == SK_MKT_NONE || q->cur == SK_MKT_OD)) p = SK_MKT_OD;
    if (q->need1 >= q->rt) {
        p = (q->cur == SK_MKT_SPOT && q->rro < 1e-3) ? SK_MKT_SPOT : SK_MKT_OD;
        if (q->d == 0 && q->avail) p = SK_MKT_SPOT;
    }
    return p;
}

/* Run the job on market p (NONE: nothing) in zone 0 during the next interval: keep what runs if it
 * is p, else terminate it and launch p. */
static inline void sk_cbl_run(const sk_view *v, const sk_actor *a, sk_market p) {
    sk_market cur = v->ninst ? v->inst[0].market : SK_MKT_NONE;
    if (p == cur) return;
    if (v->ninst) a->terminate(a->w, v->inst[0].id);
    if (p != SK_MKT_NONE) a->launch(a->w, 0, p);
}

#endif
