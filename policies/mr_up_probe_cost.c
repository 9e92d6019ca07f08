/* mr_up_probe_cost.c - UP(AP), Uniform Progress with a probe cost ratio
 * (../shared/specs/skynomad-multiregion.md 4.4): rank zones by (spot success rate) / (spot price
 * as last observed); keep a running spot while it scores at least 90% of the best; probe every
 * due zone each tick in the background. On-demand fallback in zone 0, as the reference. */
#include <math.h>
#include <stdlib.h>

#include "policies/mr_common.h"
#include "sk_error.h"

enum { PC_INTERVAL, PC_N };
static const sk_param_def sk_upc_params[PC_N] = {
    [PC_INTERVAL] = {"probe_interval_min", SK_PT_FLOAT, "60", 0, 1e6, "minutes between probes of one zone"},
};

typedef struct {
    int n, I, main;
    int64_t *succ, *tot, *next_probe;
    double *score;
    int *rank;
} sk_upc;

static int sk_upc_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    sk_upc *s = st;
    s->n = v0->nzones;
    s->I = sk_mr_interval_ticks(pp[PC_INTERVAL].f, v0->gap);
    s->main = -1;
    size_t n = (size_t)s->n;
    s->succ = calloc(n, sizeof *s->succ);
    s->tot = calloc(n, sizeof *s->tot);
    s->next_probe = calloc(n, sizeof *s->next_probe);
    s->score = calloc(n, sizeof *s->score);
    s->rank = calloc(n, sizeof *s->rank);
    if (!s->succ || !s->tot || !s->next_probe || !s->score || !s->rank) {
        snprintf(msg, len, "out of memory");
        return SK_ENOMEM;
    }
    return 0;
}

static void sk_upc_fini(void *st) {
    sk_upc *s = st;
    free(s->succ), free(s->tot), free(s->next_probe), free(s->score), free(s->rank);
}

static void sk__record(sk_upc *s, int r, int ok) {
    s->tot[r]++;
    s->succ[r] += ok != 0;
}

static void sk__scores(sk_upc *s, const sk_view *v) {
    for (int r = 0; r < s->n; r++) {
        double rate = s->tot[r] ? (double)s->succ[r] / (double)s->tot[r] : 0.5;
        double p = v->zones[r].spot_price;
        s->score[r] = p <= 0 ? (rate > 0 ? INFINITY : 0) : rate / p;
    }
    sk_mr_rank(s->rank, s->score, s->n);
}

static void sk_upc_decide(void *st, const sk_view *v, const sk_actor *a) {
    sk_upc *s = st;
    int64_t k = v->tick;
    if (s->main >= 0 && !sk_mr_has(v, s->main, SK_MKT_SPOT)) sk__record(s, s->main, 0), s->main = -1;
    if (s->main >= 0 && k >= s->next_probe[s->main]) sk__record(s, s->main, 1), s->next_probe[s->main] = k + s->I;
    sk_mrq q = sk_mrq_of(v);
    if (q.rem <= 1e-3) {
        sk_mr_terminate_all(v, a);
        s->main = -1;
        return;
    }
    int cr = sk_mr_zone_of(v, SK_MKT_NONE);
    sk_market cur = cr >= 0 ? v->inst[0].market : SK_MKT_NONE;
    sk_market p = sk_mr_updec(&q, cur, 1, NULL);
    if (p == SK_MKT_SPOT) {
        sk__scores(s, v);
        if (cur == SK_MKT_OD) sk_mr_terminate_zone(v, a, cr), cur = SK_MKT_NONE, cr = -1, s->main = -1;
        if (cur == SK_MKT_SPOT) {
            if (cr == s->rank[0] || s->score[cr] >= s->score[s->rank[0]] * 0.9) s->main = cr;
            else sk_mr_terminate_zone(v, a, cr), s->main = -1, cur = SK_MKT_NONE, cr = -1;
        }
        if (cur != SK_MKT_SPOT) {
            int ok = 0;
            for (int i = 0; i < s->n && !ok; i++) {
                int r = s->rank[i];
                if (sk_mr_has(v, r, SK_MKT_SPOT)) continue;
                ok = a->launch(a->w, r, SK_MKT_SPOT);
                sk__record(s, r, ok);
                if (ok) s->main = r, s->next_probe[r] = k + s->I;
            }
            if (!ok && sk_mr_updec(&q, SK_MKT_NONE, 0, NULL) == SK_MKT_OD) {
                a->launch(a->w, 0, SK_MKT_OD);
                s->main = -1;
            }
        }
    } else {
        sk_mr_up_nonspot(v, a, p, cur, cr, cr >= 0 ? cr : 0); /* never the checkpoint's zone here */
        s->main = -1;
        return;
    }
    /* background probes: every due zone, in index order */
    for (int r = 0; r < s->n; r++) {
        if (r == s->main || sk_mr_has(v, r, SK_MKT_SPOT) || k < s->next_probe[r]) continue;
        int ok = a->probe(a->w, r);
        sk__record(s, r, ok);
        s->next_probe[r] = k + s->I;
    }
}

const sk_gpolicy sk_pol_mr_up_probe_cost = {
    .def = {"up_probe_cost", sk_upc_params, PC_N,
            "UP(AP): Uniform Progress ranking zones by spot success rate per dollar, probing every due zone"},
    .state_size = sizeof(sk_upc),
    .init = sk_upc_init,
    .decide = sk_upc_decide,
    .fini = sk_upc_fini,
};
