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

/* A state of one tick: its back-pointer (position in the tick before), mode, changeover ticks left
 * and work ticks. Costs live beside the states (c) and are freed once the next tick is built: only
 * the back-pointers are kept for the whole horizon. */
typedef struct {
    int32_t parent, k;
    uint16_t m, h;
} sk_dpe;

typedef struct {
    sk_dpe *e;
    double *c;
    size_t n, cap;
} sk_dpl;

static int sk__dpl_push(sk_dpl *l, sk_dpe x, double cost) {
    if (l->n == l->cap) {
        size_t c = l->cap ? 2 * l->cap : 1024;
        sk_dpe *e = realloc(l->e, c * sizeof *e);
        if (!e) return SK_ENOMEM;
        l->e = e;
        double *cc = realloc(l->c, c * sizeof *cc);
        if (!cc) return SK_ENOMEM;
        l->c = cc, l->cap = c;
    }
    l->c[l->n] = cost;
    l->e[l->n++] = x;
    return 0;
}

/* Offer state (m, h, k) of the next tick at cost c from position q of this one: the first offer
 * places it (insertion order), a strictly lower one replaces its cost and back-pointer. */
static inline int sk__dp_offer(sk_dpl *nxt, int32_t *idx, size_t key, int32_t q, int m, int64_t h, int64_t k, double c) {
    int32_t at = idx[key];
    if (at < 0) {
        idx[key] = (int32_t)nxt->n;
        return sk__dpl_push(nxt, (sk_dpe){q, (int32_t)k, (uint16_t)m, (uint16_t)h}, c);
    }
    if (c < nxt->c[at]) nxt->c[at] = c, nxt->e[at].parent = q;
    return 0;
}

/* One allowed switch out of a mode: the target, its changeover ticks H and the egress $. */
typedef struct {
    int to;
    int64_t H;
    double tr;
} sk_dpsw;

/* Modes: 0 NONE_START, 1..N NONE(r), N+1..2N OD(r), 2N+1..3N SPOT(r). */
static int sk_dp_plan(const sk_future *f, const sk_value *pp, sk_plan *plan, char *msg, size_t len) {
    (void)pp;
    const int N = f->nzones, M = 1 + 3 * N;
    const double gap = f->gap, C = f->job.work, R = f->job.deadline, d = f->job.changeover;
    const int64_t T = (int64_t)floor(R / gap), K = (int64_t)ceil(C / gap), Hb = (int64_t)ceil(d / gap);
    int64_t *mig = malloc((size_t)N * (size_t)N * sizeof *mig);
    sk_dpsw *sw = malloc((size_t)M * (size_t)M * sizeof *sw);
    int *nsw = calloc((size_t)M, sizeof *nsw);
    double *tick = malloc((size_t)M * sizeof *tick);
    uint8_t *feas = malloc((size_t)M);
    if (!mig || !sw || !nsw || !tick || !feas) {
        free(mig), free(sw), free(nsw), free(tick), free(feas);
        snprintf(msg, len, "optimal_dp: out of memory");
        return SK_ENOMEM;
    }
    int64_t Hmax = Hb;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int64_t h = i == j ? Hb : (int64_t)ceil(((d / 3600.0) + f->transfer_h[(size_t)i * (size_t)N + (size_t)j]) * 3600.0 / gap);
            mig[(size_t)i * (size_t)N + (size_t)j] = h;
            if (h > Hmax) Hmax = h;
        }
    /* the switches each mode allows, in the reference's order (m2 ascending) */
    for (int m = 0; m < M; m++) {
        int z = m == 0 ? -1 : (m - 1) % N;
        for (int to = 0; to < M; to++) {
            if (to == m || to == 0) continue; /* NONE_START only at t = 0, where it is the start */
            int act2 = to > N, z2 = (to - 1) % N;
            if (!act2 && (m == 0 || z != z2)) continue; /* into NONE: only NONE(i) from zone i */
            int64_t H = 0;
            double tr = 0;
            if (act2) {
                if (m == 0) H = Hb;
                else {
                    H = z == z2 ? Hb : mig[(size_t)z * (size_t)N + (size_t)z2];
                    if (z != z2) tr = f->egress_usd[(size_t)z * (size_t)N + (size_t)z2];
                }
            }
            sw[(size_t)m * (size_t)M + (size_t)nsw[m]++] = (sk_dpsw){to, H, tr};
        }
    }
    double minod = f->od_price[0];
    for (int r = 1; r < N; r++)
        if (f->od_price[r] < minod) minod = f->od_price[r];
    const double UB = minod * (gap / 3600.0) * (double)(Hb + K);
    const int64_t HS = Hmax + 1, KS = K + 1;
    size_t nkeys = (size_t)M * (size_t)HS * (size_t)KS;
    int32_t *idx = malloc(nkeys * sizeof *idx);
    sk_dpl *lay = calloc((size_t)T + 1, sizeof *lay);
    int rc = 0;
    if (!idx || !lay || nkeys > INT32_MAX || Hmax > 65535 || M > 65535) {
        free(mig), free(sw), free(nsw), free(tick), free(feas), free(idx), free(lay);
        snprintf(msg, len, "optimal_dp: out of memory (%zu states a tick)", nkeys);
        return SK_ENOMEM;
    }
    for (size_t i = 0; i < nkeys; i++) idx[i] = -1;
    rc = sk__dpl_push(&lay[0], (sk_dpe){-1, 0, 0, 0}, 0.0);
    for (int64_t t = 0; t < T && !rc; t++) {
        sk_dpl *cur = &lay[t], *nxt = &lay[t + 1];
        for (int m = 0; m < M; m++) {
            int z = (m - 1) % N;
            feas[m] = m <= 2 * N || f->avail[z][t];
            tick[m] = m > 2 * N ? f->price[z][t] * (gap / 3600.0) : m > N ? f->od_price[z] * (gap / 3600.0) : 0;
        }
        const int64_t kmin = K - (T - t - 1); /* k' below this cannot finish */
        for (size_t q = 0; q < cur->n && !rc; q++) {
            const sk_dpe e = cur->e[q];
            const double cost = cur->c[q];
            if (cost > UB) continue;
            const int m = e.m;
            const int64_t h = e.h, k = e.k;
            /* stay first (oracle_dp.py: "stay" before the switches) */
            if (feas[m]) {
                int64_t h2 = h > 0 ? h - 1 : 0, k2 = k + (h == 0 && m > N);
                if (k2 > K) k2 = K;
                double c2 = cost + tick[m];
                if (k2 >= kmin)
                    rc = sk__dp_offer(nxt, idx, ((size_t)m * (size_t)HS + (size_t)h2) * (size_t)KS + (size_t)k2, (int32_t)q, m, h2, k2, c2);
            }
            const sk_dpsw *s = sw + (size_t)m * (size_t)M;
            for (int i = 0; i < nsw[m] && !rc; i++) {
                const int to = s[i].to;
                if (!feas[to]) continue;
                const int64_t H = s[i].H, h2 = H > 0 ? H - 1 : 0;
                int64_t k2 = k + (H == 0 && to > N);
                if (k2 > K) k2 = K;
                const double c2 = cost + tick[to] + s[i].tr;
                if (c2 > UB || k2 < kmin) continue;
                rc = sk__dp_offer(nxt, idx, ((size_t)to * (size_t)HS + (size_t)h2) * (size_t)KS + (size_t)k2, (int32_t)q, to, h2, k2, c2);
            }
        }
        for (size_t q = 0; q < nxt->n; q++)
            idx[((size_t)nxt->e[q].m * (size_t)HS + nxt->e[q].h) * (size_t)KS + (size_t)nxt->e[q].k] = -1;
        free(cur->c); /* this tick's costs are spent; its back-pointers stay */
        cur->c = NULL;
    }
    plan->n = T;
    plan->step = rc ? NULL : malloc((size_t)(T > 0 ? T : 1) * sizeof *plan->step);
    if (!rc && !plan->step) rc = SK_ENOMEM;
    if (!rc) {
        sk_dpl *fin = &lay[T];
        int64_t best = -1;
        for (size_t q = 0; q < fin->n; q++)
            if (fin->e[q].k >= K && (best < 0 || fin->c[q] < fin->c[best])) best = (int64_t)q;
        if (best < 0) { /* no plan finishes: on-demand in zone 0 throughout, as the reference */
            for (int64_t t = 0; t < T; t++) plan->step[t] = (sk_plan_step){0, SK_MKT_OD};
        } else {
            int64_t q = best;
            for (int64_t t = T; t > 0; t--) {
                int m = lay[t].e[q].m;
                plan->step[t - 1] = m == 0 ? (sk_plan_step){-1, SK_MKT_NONE}
                                    : m <= N ? (sk_plan_step){(m - 1) % N, SK_MKT_NONE}
                                    : (sk_plan_step){(m - 1) % N, m > 2 * N ? SK_MKT_SPOT : SK_MKT_OD};
                q = lay[t].e[q].parent;
            }
        }
    }
    if (rc) snprintf(msg, len, "optimal_dp: out of memory");
    for (int64_t t = 0; t <= T; t++) free(lay[t].e), free(lay[t].c);
    free(lay), free(idx), free(mig), free(sw), free(nsw), free(tick), free(feas);
    return rc;
}

static const sk_planner sk_planner_dp = {"optimal_dp", sk_dp_plan};

static void sk_dpx_decide(void *st, const sk_view *v, const sk_actor *a) {
    (void)st;
    sk_mr_follow_plan(v, a);
}

const sk_gpolicy sk_pol_mr_optimal_dp = {
    .def = {"optimal_dp", NULL, 0,
            "the artifact's optimal plan: a DP over the known future with changeovers rounded up to whole ticks (no safety net)"},
    .flags = SK_POL_NO_SAFETY_NET,
    .planner = &sk_planner_dp,
    .decide = sk_dpx_decide,
};
