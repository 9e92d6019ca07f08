/* greedy.c - the paper's greedy (section 3.4; spec 3.2, greedy_paper): spot while it is there,
 * idle when it is not, on-demand only when the deadline leaves no slack. */
#include "policies/cbl_common.h"

static void sk_greedy_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl q = sk_cbl_of(v);
    if (q.rem <= 1e-3) {
        sk_cbl_run(v, a, SK_MKT_NONE);
        return;
    }
    sk_cbl_run(v, a, sk_cbl_nets(&q, q.avail ? SK_MKT_SPOT : SK_MKT_NONE));
}

const sk_gpolicy sk_pol_greedy = {
    .def = {"greedy", NULL, 0, "spot when available, else idle; on-demand once the slack is gone"},
    .decide = sk_greedy_decide,
};
