/* on_demand.c - always on-demand: the cost every saving is measured against (spec 3.3). */
#include "policies/cbl_common.h"

static void sk_od_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl q = sk_cbl_of(v);
    sk_cbl_run(v, a, q.C - q.S <= 1e-3 ? SK_MKT_NONE : SK_MKT_OD);
}

const sk_gpolicy sk_pol_on_demand = {
    .def = {"on_demand", NULL, 0, "run on on-demand from the start"},
    .decide = sk_od_decide,
};
