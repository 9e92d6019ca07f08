/* on_demand.c - always on-demand: the cost every saving is measured against (spec 3.3). */
#include "core/sk_policy.h"

static void sk_od_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    (void)state;
    out->run = v->C - v->S <= 1e-3 ? SK_MKT_NONE : SK_MKT_OD;
}

const sk_policy_type sk_pol_on_demand = {
    .def = {"on_demand", NULL, 0, "run on on-demand from the start"},
    .sim = SK_SIM_NEW,
    .decide = sk_od_decide,
};
