/* serve_spread.c - the spot-only placers of the SkyServe artifact (../shared/specs/spothedge-sim.md
 * section 6, fallback StaticSpotProvision: no on-demand): even_spread (NaiveSpread: each new
 * replica to the lowest-index zone among those holding the fewest) and round_robin (a zone pointer
 * that persists across decisions). Both keep survivors when the wanted count is at least what
 * the zones hold, and re-place everything when it is less. */
#include "policies/serve_common.h"

typedef struct ssr_state {
    ssp_scale scale;
    ssp_guard guard;
    int n_extra;
    int q; /* round_robin: the next zone */
} ssr_state;

static const sk_param_def ssr_params[] = {
    SSP_SCALE_PARAMS,
    {"n_extra", SK_PT_INT, "0", 0, 1000, "spot replicas beyond the target N"},
};

static int ssr_init(void *st, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    ssr_state *s = st;
    int rc = ssp_check_zones(v0, msg, len);
    if (rc || (rc = ssp_scale_parse(&s->scale, pp, v0, msg, len))) return rc;
    s->n_extra = (int)pp[SSP_NSCALE].i;
    s->q = 0;
    ssp_guard_init(&s->guard, v0);
    return 0;
}

/* NaiveSpread: m = 0, 1, ...: every zone holding exactly m gets one more, lowest index first,
 * until todo is placed. Zones refused since the last tick are skipped. */
static void es_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    ssr_state *s = st;
    int barred[SK_SRV_MAXZ], open = 0;
    int N = ssp_scale_target(&s->scale, v);
    ssp_guard_update(&s->guard, v, barred);
    int todo = ssp_keep_or_replace(v, N + s->n_extra, plan->spot);
    for (int j = 0; j < v->nzones; j++) open += !barred[j];
    for (int m = 0; todo > 0 && open > 0; m++)
        for (int j = 0; j < v->nzones && todo > 0; j++)
            if (plan->spot[j] == m && !barred[j]) plan->spot[j]++, todo--;
}

/* RoundRobin: P[q]++, q = (q + 1) mod Z until todo is placed; a zone refused since the last
 * tick is passed over (q still advances). */
static void rr_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    ssr_state *s = st;
    int barred[SK_SRV_MAXZ], open = 0;
    int N = ssp_scale_target(&s->scale, v);
    ssp_guard_update(&s->guard, v, barred);
    int todo = ssp_keep_or_replace(v, N + s->n_extra, plan->spot);
    for (int j = 0; j < v->nzones; j++) open += !barred[j];
    while (todo > 0 && open > 0) {
        if (!barred[s->q]) plan->spot[s->q]++, todo--;
        s->q = (s->q + 1) % v->nzones;
    }
}

const sk_serve_policy sk_srv_even_spread = {
    .def = {"even_spread", ssr_params, sizeof ssr_params / sizeof ssr_params[0],
            "spot only, each new replica to the zone holding the fewest (lowest index first)"},
    .state_size = sizeof(ssr_state),
    .init = ssr_init,
    .decide = es_decide,
    .fini = NULL,
};

const sk_serve_policy sk_srv_round_robin = {
    .def = {"round_robin", ssr_params, sizeof ssr_params / sizeof ssr_params[0],
            "spot only, new replicas to zones in turn (the pointer persists)"},
    .state_size = sizeof(ssr_state),
    .init = ssr_init,
    .decide = rr_decide,
    .fini = NULL,
};
