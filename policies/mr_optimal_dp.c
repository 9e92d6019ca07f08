/* mr_optimal_dp.c - the artifact's "optimal" plan (../shared/specs/skynomad-multiregion.md 4.5): a
 * dynamic program over (mode, changeover ticks left, whole ticks of work done) that knows every
 * zone's future availability and price, with the changeover rounded up to whole ticks, and an
 * executor that follows the plan (no safety net). The simulator bills what the executor does, so
 * the reported cost is the simulator's, not the program's. The planner reproduces the reference's
 * tie-breaks: states kept in insertion order, "stay" tried before switches, strict improvements
 * only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policies/mr_common.h"
#include "sk_error.h"

typedef struct {
    int32_t key, parent;
    double cost;
} sk_dpe;

typedef struct {
    sk_dpe *e;
    size_t n, cap;
} sk_dpl;

static int sk__dpl_push(sk_dpl *l, sk_dpe x) {
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 1024;
        sk_dpe *e = realloc(l->e, c * sizeof *e);
        if (!e) return SK_ENOMEM;
        l->e = e, l->cap = c;
    }
    l->e[l->n++] = x;
    return 0;
}

static int sk_dp_plan(const sk_future *f, const sk_value *pp, sk_plan *plan, char *msg, size_t len) {
    (void)pp;
    const int N = f->nzones, M = 1 + 3 * N;
    const double gap = f->gap, C = f->job.work, R = f->job.deadline, d = f->job.changeover;
    const int64_t T = (int64_t)floor(R / gap), K = (int64_t)ceil(C / gap), Hb = (int64_t)ceil(d / gap);
    int64_t *mig = malloc((size_t)N * (size_t)N * sizeof *mig);
    if (!mig) return SK_ENOMEM;
    int64_t Hmax = Hb;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int64_t h = i == j ? Hb : (int64_t)ceil(((d / 3600.0) + f->transfer_h[(size_t)i * (size_t)N + (size_t)j]) * 3600.0 / gap);
            mig[(size_t)i * (size_t)N + (size_t)j] = h;
            if (h > Hmax) Hmax = h;
        }
    double minod = f->od_price[0];
    for (int r = 1; r < N; r++)
        if (f->od_price[r] < minod) minod = f->od_price[r];
    const double UB = minod * (gap / 3600.0) * (double)(Hb + K);
    const int64_t HS = Hmax + 1, KS = K + 1;
#define KEY(m, h, k) ((int32_t)(((int64_t)(m) * HS + (h)) * KS + (k)))
    size_t nkeys = (size_t)M * (size_t)HS * (size_t)KS;
    int32_t *idx = malloc(nkeys * sizeof *idx);
    sk_dpl *lay = calloc((size_t)T + 1, sizeof *lay);
    int rc = 0;
    if (!idx || !lay || nkeys > INT32_MAX) {
        free(mig), free(idx), free(lay);
        snprintf(msg, len, "optimal_dp: out of memory (%zu states a tick)", nkeys);
        return SK_ENOMEM;
    }
    for (size_t i = 0; i < nkeys; i++) idx[i] = -1;
    rc = sk__dpl_push(&lay[0], (sk_dpe){KEY(0, 0, 0), -1, 0.0});
    for (int64_t t = 0; t < T && !rc; t++) {
        sk_dpl *cur = &lay[t], *nxt = &lay[t + 1];
        for (size_t q = 0; q < cur->n && !rc; q++) {
            sk_dpe e = cur->e[q];
            if (e.cost > UB) continue;
            int64_t k = e.key % KS, h = (e.key / KS) % HS;
            int m = (int)(e.key / KS / HS);
            for (int m2 = -1; m2 < M && !rc; m2++) { /* -1: stay, first */
                int to = m2 < 0 ? m : m2;
                if (m2 >= 0 && m2 == m) continue;
                int act2 = to > N;
                int z2 = to == 0 ? -1 : (to - 1) % N;
                if (to > 2 * N && !f->avail[z2][t]) continue; /* spot unavailable */
                double tick = to > 2 * N ? f->price[z2][t] * (gap / 3600.0) : to > N ? f->od_price[z2] * (gap / 3600.0) : 0;
                int64_t h2, k2;
                double c2;
                if (m2 < 0) {
                    h2 = h > 0 ? h - 1 : 0;
                    k2 = k + (h == 0 && act2);
                    if (k2 > K) k2 = K;
                    c2 = e.cost + tick;
                    if (k2 + (T - t - 1) < K) continue;
                } else {
                    if (t > 0 && to == 0) continue;
                    int act = m > N, z = m == 0 ? -1 : (m - 1) % N;
                    if (!act2) { /* into NONE */
                        if (to == 0) continue;
                        if (m == 0) continue;                 /* NONE_START -> NONE(r) */
                        if (z != z2) continue;                /* NONE(i)/active(i) -> NONE(j != i) */
                    }
                    int64_t H;
                    double tr = 0;
                    if (!act2) H = 0;
                    else if (m == 0) H = Hb;
                    else {
                        H = z == z2 ? Hb : mig[(size_t)z * (size_t)N + (size_t)z2];
                        if (z != z2) tr = f->egress_usd[(size_t)z * (size_t)N + (size_t)z2];
                    }
                    (void)act;
                    h2 = H > 0 ? H - 1 : 0;
                    k2 = k + (H == 0 && act2);
                    if (k2 > K) k2 = K;
                    c2 = e.cost + tick + tr;
                    if (c2 > UB || k2 + (T - t - 1) < K) continue;
                }
                int32_t key = KEY(to, h2, k2);
                int32_t at = idx[key];
                if (at < 0) {
                    idx[key] = (int32_t)nxt->n;
                    rc = sk__dpl_push(nxt, (sk_dpe){key, (int32_t)q, c2});
                } else if (c2 < nxt->e[at].cost) {
                    nxt->e[at].cost = c2;
                    nxt->e[at].parent = (int32_t)q;
                }
            }
        }
        for (size_t q = 0; q < nxt->n; q++) idx[nxt->e[q].key] = -1;
        if (t > 0) { /* costs of old layers are no longer needed; keys and parents are */
        }
    }
    plan->n = T;
    plan->step = rc ? NULL : malloc((size_t)(T > 0 ? T : 1) * sizeof *plan->step);
    if (!rc && !plan->step) rc = SK_ENOMEM;
    if (!rc) {
        sk_dpl *fin = &lay[T];
        int64_t best = -1;
        for (size_t q = 0; q < fin->n; q++)
            if (fin->e[q].key % KS >= K && (best < 0 || fin->e[q].cost < fin->e[best].cost)) best = (int64_t)q;
        if (best < 0) {
            for (int64_t t = 0; t < T; t++) plan->step[t] = (sk_plan_step){0, SK_MKT_OD};
        } else {
            int64_t q = best;
            for (int64_t t = T; t > 0; t--) {
                int m = (int)(lay[t].e[q].key / KS / HS);
                plan->step[t - 1] = m == 0 ? (sk_plan_step){-1, SK_MKT_NONE}
                                    : m <= N ? (sk_plan_step){(m - 1) % N, SK_MKT_NONE}
                                    : (sk_plan_step){(m - 1) % N, m > 2 * N ? SK_MKT_SPOT : SK_MKT_OD};
                q = lay[t].e[q].parent;
            }
        }
    }
    if (rc) snprintf(msg, len, "optimal_dp: out of memory");
    for (int64_t t = 0; t <= T; t++) free(lay[t].e);
    free(lay), free(idx), free(mig);
#undef KEY
    return rc;
}

static const sk_planner sk_planner_dp = {"optimal_dp", sk_dp_plan};

/* The executor (oracle_dp.py:385-466). */
static void sk_dpx_decide(void *st, const sk_view *v, const sk_actor *a) {
    (void)st;
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

const sk_gpolicy sk_pol_mr_optimal_dp = {
    .def = {"optimal_dp", NULL, 0,
            "the artifact's optimal plan: a DP over the known future with changeovers rounded up to whole ticks (no safety net)"},
    .flags = SK_POL_NO_SAFETY_NET,
    .planner = &sk_planner_dp,
    .decide = sk_dpx_decide,
};
