/* greedy.c - the paper's greedy (section 3.4; spec 3.2, greedy_paper): spot while it is there,
 * idle when it is not, on-demand only when the deadline leaves no slack. */
#include "core/sk_policy.h"

static void sk_greedy_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    (void)state;
    sk_batch_q q = sk_batch_quantities(v);
    if (q.rem <= 1e-3) {
        out->run = SK_MKT_NONE;
        return;
    }
    out->run = sk_batch_nets(v, &q, v->avail ? SK_MKT_SPOT : SK_MKT_NONE);
}

const sk_policy_type sk_pol_greedy = {
    .def = {"greedy", NULL, 0, "spot when available, else idle; on-demand once the slack is gone"},
    .sim = SK_SIM_NEW,
    .decide = sk_greedy_decide,
};
