/* spot_only.c - spot whenever it is available, idle otherwise; ignores the deadline (S-old
 * only_spot, spec section 5). Evaluated under the old simulator, which has no guard. */
#include "core/sk_policy.h"

static void sk_spot_only_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    (void)state;
    out->run = v->S >= v->C ? SK_MKT_NONE : (v->avail ? SK_MKT_SPOT : SK_MKT_NONE);
}

const sk_policy_type sk_pol_spot_only = {
    .def = {"spot_only", NULL, 0, "spot whenever available, never on-demand (may miss the deadline)"},
    .sim = SK_SIM_OLD,
    .decide = sk_spot_only_decide,
};
