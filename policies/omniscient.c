/* omniscient.c - the exact optimum with the whole window known in advance (the paper's
 * Omniscient; spec section 6): the Omniscient ILP solved exactly by dynamic programming
 * (src/sim/sk_omni.h) at init, then replayed tick by tick. Evaluated under the old simulator, as
 * the reference does. Needs the trace to cover ceil(R/gap) ticks from the start. */
#include "core/sk_policy.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/sk_omni.h"
#include "sk_error.h"

typedef struct {
    uint8_t *plan;
    int64_t n;
} sk_omni_state;

static int sk_omni_init(void *state, const sk_value *params, const sk_batch_view *v0, char *msg, size_t len) {
    (void)params;
    sk_omni_state *s = state;
    int64_t n = (int64_t)ceil(v0->R / v0->gap);
    if (!v0->future || v0->nfuture < n) {
        snprintf(msg, len, "omniscient: the trace has %lld ticks from the start, the deadline needs %lld",
                 (long long)v0->nfuture, (long long)n);
        return SK_EDATA;
    }
    if (!(s->plan = malloc((size_t)n + 1))) return SK_ENOMEM;
    s->n = n;
    double cost;
    int rc = sk_omni_plan(v0->future, n, v0->gap, v0->C, v0->d, v0->spot_price * v0->gap / 3600,
                          v0->od_price * v0->gap / 3600, s->plan, &cost);
    if (rc < 0) {
        snprintf(msg, len, "omniscient: %s", rc == SK_EDATA ? "no plan meets the deadline" : sk_strerror(rc));
        free(s->plan);
        s->plan = NULL;
    }
    return rc;
}

static void sk_omni_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    const sk_omni_state *s = state;
    out->run = v->k < s->n ? (sk_market)s->plan[v->k] : SK_MKT_NONE;
}

static void sk_omni_fini(void *state) {
    free(((sk_omni_state *)state)->plan);
}

const sk_policy_type sk_pol_omniscient = {
    .def = {"omniscient", NULL, 0, "the exact optimum knowing the whole window in advance (a lower bound)"},
    .state_size = sizeof(sk_omni_state),
    .sim = SK_SIM_OLD,
    .oracle = 1,
    .init = sk_omni_init,
    .decide = sk_omni_decide,
    .fini = sk_omni_fini,
};
