/* strawman.c - the 2023 simulator's greedy (S-old strawman, spec section 5): like greedy, but its
 * deadline test uses the unfloored time left and it has no finished test. */
#include "core/sk_policy.h"

static void sk_strawman_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    (void)state;
    double rt0 = v->R - v->t, rem = v->C - v->S;
    sk_market p = v->avail ? SK_MKT_SPOT : SK_MKT_NONE;
    if (ceil((rem + v->d) / v->gap) * v->gap >= rt0) {
        p = v->cur == SK_MKT_SPOT ? SK_MKT_SPOT : SK_MKT_OD;
        if (v->d == 0 && v->avail) p = SK_MKT_SPOT;
    }
    out->run = p;
}

const sk_policy_type sk_pol_strawman = {
    .def = {"strawman", NULL, 0, "the 2023 reference simulator's greedy (old semantics)"},
    .sim = SK_SIM_OLD,
    .decide = sk_strawman_decide,
};
