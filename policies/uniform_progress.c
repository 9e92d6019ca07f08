/* uniform_progress.c - Uniform Progress (NSDI'24 "Can't Be Late"; spec 3.1, rc_cr_threshold):
 * keep progress at or above the straight line C*t/R, using spot when it is there and on-demand
 * when behind; leave on-demand for spot only once ahead of the line at t + 2d (hysteresis). */
#include "core/sk_policy.h"

static void sk_up_decide(void *state, const sk_batch_view *v, sk_actions *out) {
    (void)state;
    sk_batch_q q = sk_batch_quantities(v);
    if (q.rem <= 1e-3) {
        out->run = SK_MKT_NONE;
        return;
    }
    sk_market p = v->avail ? SK_MKT_SPOT : SK_MKT_NONE;
    double cond1 = (v->C - q.rem) - (v->t * v->C) / v->R; /* progress minus expected progress */
    if (cond1 < 0) p = v->avail ? SK_MKT_SPOT : SK_MKT_OD;
    if (v->cur == SK_MKT_OD) {
        double cond2 = ((v->t + 2 * v->d) * v->C) / v->R - (v->C - q.rem);
        if (!v->avail || cond2 >= 0) p = SK_MKT_OD;
    }
    out->run = sk_batch_nets(v, &q, p);
}

const sk_policy_type sk_pol_uniform_progress = {
    .def = {"uniform_progress", NULL, 0, "Uniform Progress: stay on the line C*t/R, spot first, with hysteresis"},
    .sim = SK_SIM_NEW,
    .decide = sk_up_decide,
};
