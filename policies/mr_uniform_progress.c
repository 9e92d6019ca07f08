/* mr_uniform_progress.c - multi-region Uniform Progress and its eager-failover variant
 * (../shared/specs/skynomad-multiregion.md 4.1, 4.2): keep progress on the line C*t/R; when spot
 * is wanted, try the zones in order (UP: index order; UP(S): cheapest spot first, with every zone
 * of the cloud region that last ran the job moved to the back); fall back to on-demand in the zone
 * that ran last. */
#include <stdlib.h>
#include <string.h>

#include "policies/mr_common.h"
#include "sk_error.h"

typedef struct {
    int last_active; /* the last zone that held an instance, -1: none */
    int eager;
    int *order;
} sk_mrup;

static int sk_mrup_init(void *st, const sk_value *pp, const sk_view *v0, int eager, char *msg, size_t len) {
    sk_mrup *s = st;
    s->last_active = -1;
    s->eager = eager;
    if (!(s->order = malloc((size_t)v0->nzones * sizeof *s->order))) {
        snprintf(msg, len, "out of memory");
        return SK_ENOMEM;
    }
    return 0;
}
static int sk_mrup_init_plain(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    return sk_mrup_init(st, pp, v0, 0, msg, len);
}
static int sk_mrup_init_eager(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    return sk_mrup_init(st, pp, v0, 1, msg, len);
}
static void sk_mrup_fini(void *st) { free(((sk_mrup *)st)->order); }

/* UP(S)'s order: stable ascending spot price now, the last zone's cloud region at the back. */
static void sk__eager_order(sk_mrup *s, const sk_view *v, const sk_actor *a) {
    int n = v->nzones, *o = s->order;
    a->prices(a->w);
    for (int i = 0; i < n; i++) o[i] = i;
    for (int i = 1; i < n; i++) { /* insertion sort: stable */
        int x = o[i], j = i;
        while (j > 0 && v->zones[o[j - 1]].spot_price > v->zones[x].spot_price) o[j] = o[j - 1], j--;
        o[j] = x;
    }
    if (s->last_active < 0) return;
    const char *reg = v->zones[s->last_active].region;
    int *tmp = o + 0, m = 0, back[64], nb = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(v->zones[o[i]].region, reg)) tmp[m++] = o[i];
        else if (nb < 64) back[nb++] = o[i];
    }
    for (int i = 0; i < nb; i++) o[m++] = back[i];
}

static void sk_mrup_decide(void *st, const sk_view *v, const sk_actor *a) {
    sk_mrup *s = st;
    sk_mrq q = sk_mrq_of(v);
    int cr = sk_mr_zone_of(v, SK_MKT_NONE);
    sk_market cur = cr >= 0 ? v->inst[0].market : SK_MKT_NONE;
    if (cr >= 0) s->last_active = cr;
    if (q.rem <= 1e-3) {
        if (cr >= 0) sk_mr_terminate_zone(v, a, cr);
        return;
    }
    int hx;
    sk_market p = sk_mr_updec(&q, cur, 1, &hx);
    if (cr >= 0) {
        if (p == SK_MKT_NONE || p != cur) {
            sk_mr_terminate_zone(v, a, cr);
            if (p == SK_MKT_NONE) return;
        } else {
            return;
        }
    }
    if (p == SK_MKT_SPOT) {
        if (s->eager) sk__eager_order(s, v, a);
        for (int i = 0; i < v->nzones; i++)
            if (a->launch(a->w, s->eager ? s->order[i] : i, SK_MKT_SPOT)) return;
        if (hx) return;
        if (sk_mr_updec(&q, SK_MKT_NONE, 0, NULL) == SK_MKT_OD) a->launch(a->w, sk_mr_fallback(v, cr), SK_MKT_OD);
    } else if (p == SK_MKT_OD) {
        a->launch(a->w, sk_mr_fallback(v, cr), SK_MKT_OD);
    }
}

const sk_gpolicy sk_pol_mr_uniform_progress = {
    .def = {"uniform_progress", NULL, 0,
            "Uniform Progress across zones: spot in the first zone (index order) that has it, else on-demand where the job last ran"},
    .state_size = sizeof(sk_mrup),
    .init = sk_mrup_init_plain,
    .decide = sk_mrup_decide,
    .fini = sk_mrup_fini,
};

const sk_gpolicy sk_pol_mr_up_failover = {
    .def = {"up_failover", NULL, 0,
            "UP(S), eager failover: Uniform Progress trying the cheapest spot zone first, the last zone's cloud region last"},
    .state_size = sizeof(sk_mrup),
    .init = sk_mrup_init_eager,
    .decide = sk_mrup_decide,
    .fini = sk_mrup_fini,
};
