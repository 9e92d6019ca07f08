/* spot_only.c - spot whenever it is available, idle otherwise; ignores the deadline (S-old
 * only_spot, spec section 5). Evaluated under the old simulator, which has no guard. */
#include "policies/cbl_common.h"

static void sk_spot_only_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl q = sk_cbl_of(v);
    sk_cbl_run(v, a, q.S >= q.C ? SK_MKT_NONE : (q.avail ? SK_MKT_SPOT : SK_MKT_NONE));
}

const sk_gpolicy sk_pol_spot_only = {
    .def = {"spot_only", NULL, 0, "spot whenever available, never on-demand (may miss the deadline)"},
    .decide = sk_spot_only_decide,
};
