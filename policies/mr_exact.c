/* mr_exact.c - the exact cost-optimal plan for one multi-region deadline job under the world's own
 * semantics (src/sim/sk_mr.c, ../shared/specs/skynomad-multiregion.md sections 3 and 5), and an
 * executor that follows it (no safety net). The artifact's "optimal" DP (mr_optimal_dp.c, spec
 * 4.5) rounds the changeover d up to whole ticks and gives no partial-tick credit; this planner
 * keeps every fraction the world keeps, so the world's reported cost_main of its plan is the
 * minimum over every plan an executor can follow. docs/multi_region_exact.md has the model, the
 * program and the measured gap to the artifact's plan.
 *
 * THE MODEL. A plan gives, per tick k, idle or (zone z, market m). The executor (the same as the
 * artifact's) terminates everything on idle, does nothing when (z, m) already runs, and otherwise
 * launches (z, m) and terminates the previous instance. The world then does, for interval k:
 *  - bills the instance active after the decision a full tick, price_m(z, k)*gap/3600 (spot:
 *    the per-tick price; a terminated instance is not billed for the tick it was terminated in);
 *  - a launch in tick k sets the overhead ov = D = d (+ transfer_h(src, z)*3600 with
 *    transfer_time, src = the leader at launch), and charges egress(src, z) when the leader src is
 *    set and differs from z (the old instance is gone by then, so "src not in active" <=> src != z);
 *  - progress p = max(gap - ov, 0), ov = max(ov - gap, 0), p = min(p, C - S), S += p; the leader
 *    becomes z (whenever an instance ran the interval, even with p = 0);
 *  - a spot instance is removed at boundary k+1 when not avail_z(k+1). So a spot stint runs
 *    interval k only if avail_z(k) (launch and continuation alike), and an instance that runs
 *    interval k-1 and is wanted again in tick k continues (no new launch, no new overhead) iff
 *    it is on-demand or avail_z(k);
 *  - the job is done at observe T when C - S <= 1e-3, and the run is late unless every decision
 *    tick k < T has k*gap < R, i.e. T <= Tw = min{k : k*gap >= R}.
 *  cost_main = sum of the bills of intervals 0..T-1 + the egress of every launch in 0..T-1.
 *
 * THE PROGRAM. The state at boundary k (before the decision of tick k) is
 *    IDLE(l)            no instance; l = the leader (-1: nothing has run yet), or
 *    RUN(z, m, c, a)    (z, m) ran interval k-1, as the a-th interval of its stint (a capped at
 *                       A = the number of ticks after which ov is 0), launched with overhead class
 *                       c (the distinct values of D into z; one class without transfer_time),
 *  together with the progress S (a binary64, summed exactly as the world sums it). Everything the
 *  world does from boundary k on is a function of (state, S) and the plan's remaining steps: the
 *  leader is l or z, the overhead left is the world's ov after a steps from D_c (computed by the
 *  same float recurrence), rro across idle ticks is never read again (a new launch resets it), and
 *  the bill and egress depend only on (z, m, k, leader). Transitions of tick k:
 *    idle                 IDLE(l) or RUN(l, ...) -> IDLE(l), +0 cost, +0 progress
 *    continue             RUN(z,m,c,a) -> RUN(z,m,c,min(a+1,A)), +bill, +p(c, a)   [OD or avail_z(k)]
 *    launch (z, m)        any state with leader l except RUN(z, m, ...) -> RUN(z,m,c(l,z),1),
 *                         +bill + egress(l, z), +p(c, 0)                          [OD or avail_z(k)]
 *  and a transition whose new S is done ends the run at T = k+1 with its cost.
 *  For each (k, state) the program keeps the Pareto front of (S, cost): the entries no other entry
 *  beats in both S (>=) and cost (<=). That is exact: the future costs do not depend on S, and the
 *  future progress is S + p_1 + p_2 + ..., which is monotone in S in floating point too (rounding
 *  is monotone; the cap min(p, C - S) only occurs on the finishing tick, where done(S) is
 *  monotone in S), so an entry dominated in (S, cost) can never reach "done by T" more cheaply
 *  than the entry dominating it. The minimum over all terminal transitions is therefore the
 *  minimum of cost_main over all plans that finish by the deadline, and the chosen path, followed
 *  by the executor, makes the world take exactly those transitions: the world bills exactly the
 *  program's sum (up to the order of the additions: ~1 ulp per term).
 *  Pruning (exact): an entry that cannot finish even at gap per remaining tick, or whose cost
 *  plus (ticks still needed)*(cheapest tick anywhere) exceeds the best terminal found so far or
 *  the all-on-demand plan in the cheapest zone, is dropped.
 *
 * Assumptions: prices and egress >= 0; one instance at a time (the executor's plans); with
 * transfer_time as the world counts it (sk_future.transfer_time).
 * No plan finishes (possible only when C + d barely fits R): all on-demand in the cheapest zone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/mr_common.h"
#include "sk_error.h"

/* The exact optimum of a future: fills *plan (malloc'd, Tw steps) and returns the program's cost
 * (the world's cost_main of that plan, up to summation order; NAN when no plan finishes), T, and
 * the number of front entries kept over all ticks. Returns 0 or SK_ENOMEM. */
int sk_mr_exact_solve(const sk_future *f, int transfer_time, sk_plan *plan, double *cost, int64_t *finish_tick,
                      int64_t *entries, char *msg, size_t len);

typedef struct {
    double p, c; /* progress S, cost */
    int32_t par; /* index in the layer it came from (or in this layer, for a source view) */
} sk_xe;

typedef struct {
    sk_xe *e;
    size_t n, cap;
} sk_xb;

static int sk__xb_reserve(sk_xb *b, size_t need) {
    if (need <= b->cap) return 0;
    size_t c = b->cap ? b->cap : 256;
    while (c < need) c *= 2;
    sk_xe *e = realloc(b->e, c * sizeof *e);
    if (!e) return SK_ENOMEM;
    b->e = e, b->cap = c;
    return 0;
}

/* out = the Pareto front of a and b (both sorted by p descending): p descending, cost strictly
 * descending; on equal p the cheaper first. out must not alias a or b and must hold na + nb. */
static size_t sk__merge(const sk_xe *a, size_t na, const sk_xe *b, size_t nb, sk_xe *out) {
    size_t i = 0, j = 0, n = 0;
    double best = INFINITY;
    while (i < na || j < nb) {
        const sk_xe *x;
        if (j >= nb || (i < na && (a[i].p > b[j].p || (a[i].p == b[j].p && a[i].c <= b[j].c)))) x = &a[i++];
        else x = &b[j++];
        if (x->c < best) out[n++] = *x, best = x->c;
    }
    return n;
}

typedef struct {
    int zone;       /* -1: IDLE(-1) */
    sk_market mkt;  /* NONE: idle */
    int cls, age;   /* RUN only */
} sk_xcfg;

typedef struct {
    int N;
    double g, C, R;
    int64_t Tw;
    int ncfg;
    sk_xcfg *cfg;
    int *ncls;       /* per zone */
    int *cls_of;     /* (l+1)*N + z -> class */
    int *acap;       /* per (z, c): ticks until ov == 0 (capped) */
    double **ctb;    /* per (z, c): p of the a-th interval of a stint, a < acap */
    int *run_base;   /* ((z*2 + mi)*maxc + c) -> config of age 1; mi 0 spot, 1 OD */
    int maxc;
} sk_xm;

static int sk__aprime(const sk_xm *m, int z, int c) {
    int a = m->acap[z * m->maxc + c];
    return a > 1 ? a : 1;
}

/* p of the (a+1)-th interval of a stint of class (z, c) */
static double sk__ctb(const sk_xm *m, int z, int c, int a) {
    return a < m->acap[z * m->maxc + c] ? m->ctb[z * m->maxc + c][a] : m->g;
}

/* Shift a front by (dp, dc), test "done", prune, append what survives to out (sorted as given).
 * Updates the best terminal. */
typedef struct {
    double bound, best;     /* prune above bound; best terminal cost */
    int64_t best_t;         /* its tick */
    int best_cfg;           /* its target config */
    int32_t best_par;       /* its entry in layer best_t */
    double min_tick;        /* cheapest tick cost anywhere */
} sk_xterm;

static size_t sk__shift(const sk_xm *m, const sk_xe *src, size_t n, double dp, double dc, int64_t t, int tcfg, sk_xterm *tm,
                        sk_xe *out) {
    size_t k = 0;
    const double need_end = m->C - 1e-3, room = (double)(m->Tw - t - 1) * m->g;
    for (size_t i = 0; i < n; i++) {
        double S0 = src[i].p, p = dp, c = src[i].c + dc;
        if (p > m->C - S0) p = m->C - S0;
        double S = S0 + p;
        if (m->C - S <= 1e-3) { /* done at observe t+1 */
            if (c < tm->best) {
                tm->best = c, tm->best_t = t, tm->best_cfg = tcfg, tm->best_par = src[i].par;
                if (c < tm->bound) tm->bound = c;
            }
            continue;
        }
        if (S + room < need_end - 1e-6) break; /* cannot finish; nor can the entries below */
        double rest = need_end - S, lb = rest > 0 ? ceil(rest / m->g - 1e-9) * tm->min_tick : 0;
        if (c + lb > tm->bound) continue;
        out[k++] = (sk_xe){S, c, src[i].par};
    }
    return k;
}

static double sk__tick(const sk_future *f, int z, sk_market mk, int64_t t) {
    double price = mk == SK_MKT_SPOT ? f->price[z][t] : f->od_price[z];
    return price * f->gap / 3600;
}

static int sk__avail(const sk_future *f, int z, int64_t t) { return t <= f->nticks && f->avail[z][t]; }

int sk_mr_exact_solve(const sk_future *f, int transfer_time, sk_plan *plan, double *cost, int64_t *finish_tick,
                      int64_t *entries, char *msg, size_t len) {
    const int N = f->nzones;
    const double g = f->gap, C = f->job.work, R = f->job.deadline, d = f->job.changeover;
    sk_xm m;
    memset(&m, 0, sizeof m);
    m.N = N, m.g = g, m.C = C, m.R = R;
    int64_t Tw = (int64_t)ceil(R / g);
    while (Tw > 0 && (double)(Tw - 1) * g >= R) Tw--;
    while ((double)Tw * g < R) Tw++;
    m.Tw = Tw;
    int rc = 0;
    plan->step = NULL, plan->n = 0;
    *cost = NAN, *finish_tick = -1, *entries = 0;

    /* overhead classes: the distinct D = d + transfer*3600 into each zone */
    double *Dv = malloc((size_t)(N + 1) * (size_t)N * sizeof *Dv);
    m.ncls = calloc((size_t)N, sizeof *m.ncls);
    m.cls_of = malloc((size_t)(N + 1) * (size_t)N * sizeof *m.cls_of);
    if (!Dv || !m.ncls || !m.cls_of) {
        rc = SK_ENOMEM;
        goto out;
    }
    for (int z = 0; z < N; z++)
        for (int l = -1; l < N; l++) {
            double xh = transfer_time && l >= 0 ? f->transfer_h[(size_t)l * (size_t)N + (size_t)z] : 0.0;
            double D = d + xh * 3600; /* as the world computes it */
            int c;
            for (c = 0; c < m.ncls[z] && Dv[(size_t)z * (size_t)(N + 1) + (size_t)c] != D; c++) {}
            if (c == m.ncls[z]) Dv[(size_t)z * (size_t)(N + 1) + (size_t)m.ncls[z]++] = D;
            m.cls_of[(size_t)(l + 1) * (size_t)N + (size_t)z] = c;
            if (c + 1 > m.maxc) m.maxc = c + 1;
        }
    m.acap = calloc((size_t)N * (size_t)m.maxc, sizeof *m.acap);
    m.ctb = calloc((size_t)N * (size_t)m.maxc, sizeof *m.ctb);
    m.run_base = malloc((size_t)N * 2 * (size_t)m.maxc * sizeof *m.run_base);
    if (!m.acap || !m.ctb || !m.run_base) {
        rc = SK_ENOMEM;
        goto out;
    }
    m.ncfg = N + 1;
    for (int z = 0; z < N; z++)
        for (int c = 0; c < m.ncls[z]; c++) {
            /* the world's recurrence: p = max(gap - ov, 0), ov = max(ov - gap, 0), from ov = D */
            double ov = Dv[(size_t)z * (size_t)(N + 1) + (size_t)c];
            int a = 0, cap = (int)(Tw < 1000000 ? Tw + 1 : 1000000);
            double *ct = malloc((size_t)(cap + 1) * sizeof *ct);
            if (!ct) {
                rc = SK_ENOMEM;
                goto out;
            }
            while (ov > 0 && a < cap) {
                ct[a++] = g - ov > 0.0 ? g - ov : 0.0;
                ov = ov - g > 0.0 ? ov - g : 0.0;
            }
            m.ctb[z * m.maxc + c] = ct, m.acap[z * m.maxc + c] = a;
            m.ncfg += 2 * sk__aprime(&m, z, c);
        }
    m.cfg = malloc((size_t)m.ncfg * sizeof *m.cfg);
    if (!m.cfg) {
        rc = SK_ENOMEM;
        goto out;
    }
    for (int l = -1; l < N; l++) m.cfg[l + 1] = (sk_xcfg){l, SK_MKT_NONE, 0, 0};
    {
        int q = N + 1;
        for (int z = 0; z < N; z++)
            for (int mi = 0; mi < 2; mi++)
                for (int c = 0; c < m.ncls[z]; c++) {
                    m.run_base[(z * 2 + mi) * m.maxc + c] = q;
                    for (int a = 1; a <= sk__aprime(&m, z, c); a++)
                        m.cfg[q++] = (sk_xcfg){z, mi ? SK_MKT_OD : SK_MKT_SPOT, c, a};
                }
    }

    /* bounds: the cheapest tick anywhere, and the all-on-demand plan in the cheapest zone */
    sk_xterm tm = {INFINITY, INFINITY, -1, -1, -1, INFINITY};
    int zod = 0;
    for (int z = 0; z < N; z++) {
        if (f->od_price[z] < f->od_price[zod]) zod = z;
        double x = sk__tick(f, z, SK_MKT_OD, 0);
        if (x < tm.min_tick) tm.min_tick = x;
        for (int64_t t = 0; t < Tw && t <= f->nticks; t++)
            if (f->avail[z][t] && (x = sk__tick(f, z, SK_MKT_SPOT, t)) < tm.min_tick) tm.min_tick = x;
    }
    {
        double S = 0, c = 0, ov = d;
        for (int64_t t = 0; t < Tw; t++) {
            double p = g - ov > 0.0 ? g - ov : 0.0;
            ov = ov - g > 0.0 ? ov - g : 0.0;
            if (p > C - S) p = C - S;
            S += p, c += sk__tick(f, zod, SK_MKT_OD, t);
            if (C - S <= 1e-3) {
                tm.bound = c * (1 + 1e-12);
                break;
            }
        }
    }

    /* layers: per boundary t, the fronts of every config (flat, config by config) */
    int32_t **parL = calloc((size_t)Tw + 1, sizeof *parL);
    int32_t **offL = calloc((size_t)Tw + 1, sizeof *offL);
    sk_xb cur = {0}, nxt = {0}, src = {0}, acc = {0}, tmp = {0}, sh = {0}, vw = {0};
    int32_t *soff = malloc((size_t)(3 * N + 2) * sizeof *soff); /* G_l (l=-1..N-1), X_{z,spot}, X_{z,od} */
    if (!parL || !offL || !soff) rc = SK_ENOMEM;
    /* layer 0: IDLE(-1) with S = 0, cost 0 */
    if (!rc) rc = sk__xb_reserve(&cur, 1);
    if (!rc) {
        cur.e[0] = (sk_xe){0.0, 0.0, -1};
        cur.n = 1;
        offL[0] = malloc((size_t)(m.ncfg + 1) * sizeof **offL);
        parL[0] = malloc(sizeof **parL);
        if (!offL[0] || !parL[0]) rc = SK_ENOMEM;
        else {
            for (int q = 0; q <= m.ncfg; q++) offL[0][q] = q == 0 ? 0 : 1;
            parL[0][0] = -1;
        }
    }
    int64_t tot = 1;
    for (int64_t t = 0; t < Tw && !rc; t++) {
        const int32_t *off = offL[t];
        /* source views over layer t: par = the entry's index in layer t */
        size_t lay = cur.n;
        if ((rc = sk__xb_reserve(&src, (size_t)(3 * N + 2) * lay + 1)) || (rc = sk__xb_reserve(&acc, lay + 1)) ||
            (rc = sk__xb_reserve(&tmp, lay + 1)) || (rc = sk__xb_reserve(&sh, lay + 1)) ||
            (rc = sk__xb_reserve(&vw, lay + 1)))
            break;
        src.n = 0;
        for (int s = 0; s < 3 * N + 1; s++) {
            /* s < N+1: G_{s-1}: IDLE(l) + every RUN(l, ...); else X_{z,mi}: IDLE(z) + RUN(z, other market) */
            int l, only = -1;
            if (s <= N) l = s - 1;
            else l = (s - N - 1) / 2, only = ((s - N - 1) % 2) ? 0 : 1; /* X_{z,spot}: from OD runs; X_{z,od}: from spot */
            soff[s] = (int32_t)src.n;
            int q0 = l + 1;
            acc.n = 0;
            for (int q = 0; q < m.ncfg; q++) {
                if (q != q0 && (m.cfg[q].mkt == SK_MKT_NONE || m.cfg[q].zone != l)) continue;
                if (only >= 0 && q != q0 && (m.cfg[q].mkt == SK_MKT_OD) != only) continue;
                size_t n = (size_t)(off[q + 1] - off[q]);
                if (!n) continue;
                for (size_t i = 0; i < n; i++) sh.e[i] = (sk_xe){cur.e[off[q] + (int32_t)i].p, cur.e[off[q] + (int32_t)i].c, off[q] + (int32_t)i};
                tmp.n = sk__merge(acc.e, acc.n, sh.e, n, tmp.e);
                sk_xb x = acc;
                acc = tmp, tmp = x;
            }
            memcpy(src.e + src.n, acc.e, acc.n * sizeof *acc.e);
            src.n += acc.n;
        }
        soff[3 * N + 1] = (int32_t)src.n;
        /* the next layer, config by config */
        int32_t *noff = malloc((size_t)(m.ncfg + 1) * sizeof *noff);
        if (!noff) {
            rc = SK_ENOMEM;
            break;
        }
        offL[t + 1] = noff;
        nxt.n = 0;
        for (int q = 0; q < m.ncfg && !rc; q++) {
            noff[q] = (int32_t)nxt.n;
            const sk_xcfg *cq = &m.cfg[q];
            acc.n = 0;
            size_t maxin = src.n + lay + 1;
            if ((rc = sk__xb_reserve(&acc, maxin)) || (rc = sk__xb_reserve(&tmp, maxin)) || (rc = sk__xb_reserve(&sh, maxin))) break;
#define SK_X_ADD(ptr, cnt, dp, dc)                                                                         \
    do {                                                                                                    \
        size_t k_ = sk__shift(&m, (ptr), (cnt), (dp), (dc), t, q, &tm, sh.e);                              \
        tmp.n = sk__merge(acc.e, acc.n, sh.e, k_, tmp.e);                                                   \
        sk_xb x_ = acc;                                                                                     \
        acc = tmp, tmp = x_;                                                                                \
    } while (0)
            if (cq->mkt == SK_MKT_NONE) { /* idle: G_l unchanged */
                int s = cq->zone + 1;
                size_t n = (size_t)(soff[s + 1] - soff[s]);
                memcpy(acc.e, src.e + soff[s], n * sizeof *acc.e);
                acc.n = n;
                /* prune: cannot finish or over the bound (no shift, no "done" possible) */
                size_t k = 0;
                for (size_t i = 0; i < n; i++) {
                    double S = acc.e[i].p, rest = C - 1e-3 - S;
                    if (S + (double)(Tw - t - 1) * g < C - 1e-3 - 1e-6) break;
                    double lb = rest > 0 ? ceil(rest / g - 1e-9) * tm.min_tick : 0;
                    if (acc.e[i].c + lb > tm.bound) continue;
                    acc.e[k++] = acc.e[i];
                }
                acc.n = k;
            } else {
                int z = cq->zone, mi = cq->mkt == SK_MKT_OD, c = cq->cls, a = cq->age, A = sk__aprime(&m, z, c);
                if (cq->mkt == SK_MKT_SPOT && !sk__avail(f, z, t)) goto store;
                double bill = sk__tick(f, z, cq->mkt, t);
                /* continue: from age a-1, and from age A itself when capped */
                int base = m.run_base[(z * 2 + mi) * m.maxc + c];
                for (int pa = a - 1; pa <= a; pa++) {
                    if (pa < 1 || (pa == a && a != A)) continue;
                    int pq = base + pa - 1;
                    size_t n = (size_t)(off[pq + 1] - off[pq]);
                    if (!n) continue;
                    for (size_t i = 0; i < n; i++) vw.e[i] = (sk_xe){cur.e[off[pq] + (int32_t)i].p, cur.e[off[pq] + (int32_t)i].c, off[pq] + (int32_t)i};
                    SK_X_ADD(vw.e, n, sk__ctb(&m, z, c, pa), bill);
                }
                if (a == 1) /* launch from every leader of this class */
                    for (int l = -1; l < N; l++) {
                        if (m.cls_of[(size_t)(l + 1) * (size_t)N + (size_t)z] != c) continue;
                        int s = l == z ? N + 1 + 2 * z + mi : l + 1;
                        size_t n = (size_t)(soff[s + 1] - soff[s]);
                        if (!n) continue;
                        double eg = l >= 0 && l != z ? f->egress_usd[(size_t)l * (size_t)N + (size_t)z] : 0.0;
                        SK_X_ADD(src.e + soff[s], n, sk__ctb(&m, z, c, 0), bill + eg);
                    }
            }
#undef SK_X_ADD
        store:
            if ((rc = sk__xb_reserve(&nxt, nxt.n + acc.n + 1))) break;
            memcpy(nxt.e + nxt.n, acc.e, acc.n * sizeof *acc.e);
            nxt.n += acc.n;
        }
        if (rc) break;
        noff[m.ncfg] = (int32_t)nxt.n;
        if (nxt.n > INT32_MAX) {
            rc = SK_ENOMEM;
            break;
        }
        parL[t + 1] = malloc((nxt.n ? nxt.n : 1) * sizeof **parL);
        if (!parL[t + 1]) {
            rc = SK_ENOMEM;
            break;
        }
        for (size_t i = 0; i < nxt.n; i++) parL[t + 1][i] = nxt.e[i].par;
        tot += (int64_t)nxt.n;
        sk_xb x = cur;
        cur = nxt, nxt = x;
        if (!cur.n) break; /* nothing left that can finish more cheaply */
    }
    *entries = tot;
    if (!rc) {
        plan->n = Tw;
        plan->step = malloc((size_t)(Tw > 0 ? Tw : 1) * sizeof *plan->step);
        if (!plan->step) rc = SK_ENOMEM;
    }
    if (!rc) {
        if (tm.best_t < 0) { /* no plan finishes: on-demand in the cheapest zone throughout */
            for (int64_t t = 0; t < Tw; t++) plan->step[t] = (sk_plan_step){zod, SK_MKT_OD};
        } else {
            for (int64_t t = 0; t < Tw; t++) plan->step[t] = (sk_plan_step){-1, SK_MKT_NONE};
            int q = tm.best_cfg;
            int32_t e = tm.best_par;
            for (int64_t t = tm.best_t;; t--) {
                plan->step[t] = (sk_plan_step){m.cfg[q].zone, m.cfg[q].mkt};
                if (t == 0) break;
                /* the config of entry e of layer t */
                const int32_t *off = offL[t];
                int lo = 0, hi = m.ncfg - 1;
                while (lo < hi) {
                    int mid = (lo + hi + 1) / 2;
                    if (off[mid] <= e) lo = mid;
                    else hi = mid - 1;
                }
                q = lo;
                e = parL[t][e];
            }
            *cost = tm.best;
            *finish_tick = tm.best_t + 1;
        }
    }
    for (int64_t t = 0; parL && offL && t <= Tw; t++) free(parL[t]), free(offL[t]);
    free(parL), free(offL), free(soff);
    free(cur.e), free(nxt.e), free(src.e), free(acc.e), free(tmp.e), free(sh.e), free(vw.e);
out:
    if (rc) {
        free(plan->step);
        plan->step = NULL, plan->n = 0;
        snprintf(msg, len, "exact_optimum: out of memory");
    }
    if (m.ctb)
        for (int i = 0; i < N * m.maxc; i++) free(m.ctb[i]);
    free(m.ctb), free(m.acap), free(m.run_base), free(m.cfg), free(m.cls_of), free(m.ncls), free(Dv);
    return rc;
}

static int sk_exact_plan(const sk_future *f, const sk_value *pp, sk_plan *plan, char *msg, size_t len) {
    double cost;
    int64_t T, n;
    (void)pp;
    return sk_mr_exact_solve(f, f->transfer_time, plan, &cost, &T, &n, msg, len);
}

static const sk_planner sk_planner_exact = {"exact_optimum", sk_exact_plan};

/* The executor: the artifact's (sk_mr_follow_plan). The plan never asks for spot where it is
 * unavailable, so its on-demand fallback is not taken. */
static void sk_exact_decide(void *st, const sk_view *v, const sk_actor *a) {
    (void)st;
    sk_mr_follow_plan(v, a);
}


const sk_gpolicy sk_pol_mr_exact = {
    .def = {"exact_optimum", NULL, 0,
            "the exact cost optimum over the known future under the world's own semantics (fractional changeover, "
            "partial-tick credit; no safety net)"},
    .flags = SK_POL_NO_SAFETY_NET,
    .planner = &sk_planner_exact,
    .decide = sk_exact_decide,
};
