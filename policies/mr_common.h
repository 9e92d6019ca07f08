/* mr_common.h - what the multi-region Uniform Progress family shares
 * (../shared/specs/skynomad-multiregion.md section 4): the tick quantities and the request-type
 * decision UPDEC, evaluated exactly in the reference's order. */
#ifndef MR_COMMON_H
#define MR_COMMON_H

#include <math.h>

#include "core/sk_world.h"

typedef struct sk_mrq {
    double C, R, d, gap, t, rem, rt, rro;
} sk_mrq;

static inline sk_mrq sk_mrq_of(const sk_view *v) {
    const sk_job_info *j = &v->jobs[0];
    sk_mrq q;
    q.C = j->work, q.R = j->deadline, q.d = j->changeover, q.gap = v->gap, q.t = v->t;
    q.rem = j->work - j->progress;
    q.rt = floor((q.R - q.t) / q.gap) * q.gap;
    q.rro = j->overhead_left;
    return q;
}

/* The request type for the job running on `cur` (NONE when idle); *hx = 1 when it leaves
 * on-demand for spot on hysteresis (cond2 < 0). */
static inline sk_market sk_mr_updec(const sk_mrq *q, sk_market cur, int has_spot, int *hx) {
    double cond1 = q->C - q->rem - q->t * q->C / q->R;
    double cond2 = (q->t + 2 * q->d) * q->C / q->R - (q->C - q->rem);
    double need1 = ceil((q->rem + q->d) / q->gap) * q->gap;
    double need2 = ceil((q->rem + 2 * q->d) / q->gap) * q->gap;
    int h = 0;
    sk_market p = has_spot ? SK_MKT_SPOT : SK_MKT_NONE;
    if (cond1 < 0) p = has_spot ? SK_MKT_SPOT : SK_MKT_OD;
    if (cur == SK_MKT_OD && (!has_spot || cond2 >= 0)) p = SK_MKT_OD;
    if (need2 > q->rt && (cur == SK_MKT_NONE || cur == SK_MKT_OD)) p = SK_MKT_OD;
    if (need1 >= q->rt) {
        p = (cur == SK_MKT_SPOT && q->rro < 1e-3) ? SK_MKT_SPOT : SK_MKT_OD;
        if (q->d == 0 && has_spot) p = SK_MKT_SPOT;
    }
    if (cur == SK_MKT_OD && has_spot && p == SK_MKT_OD && cond2 < 0) p = SK_MKT_SPOT, h = 1;
    if (hx) *hx = h;
    return p;
}

/* A probe interval of `min` minutes in whole ticks: Python's round() (half to even, the default
 * rounding mode of nearbyint), at least 1. */
static inline int sk_mr_interval_ticks(double min, double gap) {
    int64_t I = (int64_t)nearbyint(min * 60 / gap);
    return I < 1 ? 1 : (int)I;
}

/* rank[0..n) = the zones ordered by (-score, index): a stable insertion sort. */
static inline void sk_mr_rank(int *rank, const double *score, int n) {
    for (int i = 0; i < n; i++) rank[i] = i;
    for (int i = 1; i < n; i++) {
        int x = rank[i], j = i;
        while (j > 0 && score[rank[j - 1]] < score[x]) rank[j] = rank[j - 1], j--;
        rank[j] = x;
    }
}

/* The zone of the first live instance with market m (any market: SK_MKT_NONE), or -1. */
static inline int sk_mr_zone_of(const sk_view *v, sk_market m) {
    for (int i = 0; i < v->ninst; i++)
        if (m == SK_MKT_NONE || v->inst[i].market == m) return v->inst[i].zone;
    return -1;
}

static inline int sk_mr_has(const sk_view *v, int zone, sk_market m) {
    for (int i = 0; i < v->ninst; i++)
        if (v->inst[i].zone == zone && v->inst[i].market == m) return 1;
    return 0;
}

/* Terminate the first live instance in `zone` (the reference's Terminate(region)). */
static inline void sk_mr_terminate_zone(const sk_view *v, const sk_actor *a, int zone) {
    for (int i = 0; i < v->ninst; i++)
        if (v->inst[i].zone == zone) {
            a->terminate(a->w, v->inst[i].id);
            return;
        }
}

static inline void sk_mr_terminate_all(const sk_view *v, const sk_actor *a) {
    while (v->ninst) {
        int n = v->ninst;
        a->terminate(a->w, v->inst[0].id);
        if (v->ninst == n) return; /* refused (launched this tick): the world reports it */
    }
}

/* The on-demand fallback zone: `cr` when set, else the checkpoint's zone, else 0. */
static inline int sk_mr_fallback(const sk_view *v, int cr) {
    return cr >= 0 ? cr : v->jobs[0].ckpt_zone >= 0 ? v->jobs[0].ckpt_zone : 0;
}

/* The probing UP variants' branch when UPDEC wants no spot (spec 4.3/4.4): on-demand (p == OD) in
 * `od_zone` unless on-demand runs already, or nothing (p == NONE). */
static inline void sk_mr_up_nonspot(const sk_view *v, const sk_actor *a, sk_market p, sk_market cur, int cr, int od_zone) {
    if (p == SK_MKT_OD) {
        if (cur == SK_MKT_OD) return;
        if (cr >= 0) sk_mr_terminate_zone(v, a, cr);
        a->launch(a->w, od_zone, SK_MKT_OD);
    } else if (cr >= 0) {
        sk_mr_terminate_zone(v, a, cr);
    }
}

/* A planner's executor (oracle_dp.py:385-466): nothing once done, past the plan or where the plan
 * idles; else keep the planned (zone, market) if it runs, or launch it (on-demand there if the spot
 * launch fails) and then terminate what ran before. */
static inline void sk_mr_follow_plan(const sk_view *v, const sk_actor *a) {
    sk_mrq q = sk_mrq_of(v);
    int64_t k = v->tick;
    if (q.rem <= 1e-3 || !v->plan || k >= v->plan->n || v->plan->step[k].market == SK_MKT_NONE) {
        sk_mr_terminate_all(v, a);
        return;
    }
    sk_plan_step s = v->plan->step[k];
    if (sk_mr_has(v, s.zone, s.market)) return;
    int64_t prev[8];
    int np = 0;
    for (int i = 0; i < v->ninst && np < 8; i++) prev[np++] = v->inst[i].id;
    if (!a->launch(a->w, s.zone, s.market) && s.market == SK_MKT_SPOT) a->launch(a->w, s.zone, SK_MKT_OD);
    for (int i = 0; i < np; i++) a->terminate(a->w, prev[i]);
}

#endif
