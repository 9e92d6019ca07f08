/* uniform_progress.c - Uniform Progress (NSDI'24 "Can't Be Late"; spec 3.1, rc_cr_threshold):
 * keep progress at or above the straight line C*t/R, using spot when it is there and on-demand
 * when behind; leave on-demand for spot only once ahead of the line at t + 2d (hysteresis). */
#include "policies/cbl_common.h"

static void sk_up_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl q = sk_cbl_of(v);
    if (q.rem <= 1e-3) {
        sk_cbl_run(v, a, SK_MKT_NONE);
        return;
    }
    sk_market p = q.avail ? SK_MKT_SPOT : SK_MKT_NONE;
    double cond1 = (q.C - q.rem) - (q.t * q.C) / q.R; /* progress minus expected progress */
    if (cond1 < 0) p = q.avail ? SK_MKT_SPOT : SK_MKT_OD;
    if (q.cur == SK_MKT_OD) {
        double cond2 = ((q.t + 2 * q.d) * q.C) / q.R - (q.C - q.rem);
        if (!q.avail || cond2 >= 0) p = SK_MKT_OD;
    }
    sk_cbl_run(v, a, sk_cbl_nets(&q, p));
}

const sk_gpolicy sk_pol_uniform_progress = {
    .def = {"uniform_progress", NULL, 0, "Uniform Progress: stay on the line C*t/R, spot first, with hysteresis"},
    .decide = sk_up_decide,
};
