/* time_sliced.c - time-sliced greedy (paper section 5.1): the deadline is cut into n equal slices
 * and slice j must reach (j+1)*C/n of progress by (j+1)*R/n; inside a slice the policy is greedy
 * on that quota (spot when available; on-demand once the slice's slack is gone). */
#include "core/sk_policy.h"

#include <stdio.h>

#include "sk_error.h"

static const sk_param_def sk_ts_params[] = {
    {"slices", SK_PT_INT, "4", 1, 10000, "number of equal slices of the deadline"},
};

typedef struct {
    int64_t n;
} sk_ts_state;

static int sk_ts_init(void *state, const sk_value *params, const sk_batch_view *v0, char *msg, size_t len) {
    (void)v0, (void)msg, (void)len;
    ((sk_ts_state *)state)->n = params[0].i;
    return 0;
}

static void sk_ts_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    const sk_ts_state *s = state;
    if (v->C - v->S <= 1e-3) {
        out->run = SK_MKT_NONE;
        return;
    }
    int64_t j = (int64_t)floor(v->t * (double)s->n / v->R);
    if (j >= s->n) j = s->n - 1;
    /* the slice's own job: quota Cj by deadline Rj */
    sk_batch_view sv = *v;
    sv.C = v->C * (double)(j + 1) / (double)s->n;
    sv.R = v->R * (double)(j + 1) / (double)s->n;
    sk_batch_q q = sk_batch_quantities(&sv);
    sk_market p = v->avail ? SK_MKT_SPOT : SK_MKT_NONE;
    out->run = q.rem > 1e-3 ? sk_batch_nets(&sv, &q, p) : p;
}

const sk_policy_type sk_pol_time_sliced = {
    .def = {"time_sliced", sk_ts_params, 1, "greedy on n equal slices of the deadline, each with quota C/n"},
    .state_size = sizeof(sk_ts_state),
    .sim = SK_SIM_NEW,
    .init = sk_ts_init,
    .decide = sk_ts_decide,
};
