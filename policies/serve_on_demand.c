/* serve_on_demand.c - the serving baseline: N (+ n_extra) on-demand replicas in one zone (the
 * cheapest on-demand price; a zone already holding them keeps them); never preempted. */
#include "policies/serve_common.h"

typedef struct sod_state {
    ssp_scale scale;
    int n_extra;
} sod_state;

static const sk_param_def sod_params[] = {
    SSP_SCALE_PARAMS,
    {"n_extra", SK_PT_INT, "0", 0, 1000, "on-demand replicas beyond the target N"},
};

static int sod_init(void *st, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    sod_state *s = st;
    int rc = ssp_check_zones(v0, msg, len);
    if (rc || (rc = ssp_scale_parse(&s->scale, pp, v0, msg, len))) return rc;
    s->n_extra = (int)pp[SSP_NSCALE].i;
    return 0;
}

static void sod_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    sod_state *s = st;
    plan->od = ssp_scale_target(&s->scale, v) + s->n_extra;
    plan->od_zone = ssp_od_zone(v);
}

const sk_serve_policy sk_srv_on_demand = {
    .def = {"on_demand", sod_params, sizeof sod_params / sizeof sod_params[0],
            "N on-demand replicas in the cheapest on-demand zone"},
    .state_size = sizeof(sod_state),
    .init = sod_init,
    .decide = sod_decide,
    .fini = NULL,
};
