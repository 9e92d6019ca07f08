/* strawman.c - the 2023 simulator's greedy (S-old strawman, spec section 5): like greedy, but its
 * deadline test uses the unfloored time left and it has no finished test. */
#include "policies/cbl_common.h"

static void sk_strawman_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl q = sk_cbl_of(v);
    double rt0 = q.R - q.t, rem = q.C - q.S;
    sk_market p = q.avail ? SK_MKT_SPOT : SK_MKT_NONE;
    if (ceil((rem + q.d) / q.gap) * q.gap >= rt0) {
        p = q.cur == SK_MKT_SPOT ? SK_MKT_SPOT : SK_MKT_OD;
        if (q.d == 0 && q.avail) p = SK_MKT_SPOT;
    }
    sk_cbl_run(v, a, p);
}

const sk_gpolicy sk_pol_strawman = {
    .def = {"strawman", NULL, 0, "the 2023 reference simulator's greedy (old semantics)"},
    .decide = sk_strawman_decide,
};
