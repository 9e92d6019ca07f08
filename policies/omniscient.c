/* omniscient.c - the exact optimum with the whole window known in advance (the paper's
 * Omniscient; spec section 6): a planner that solves the Omniscient ILP exactly by dynamic
 * programming (policies/sk_omni.h) over zone 0's future, and an executor that replays the plan
 * tick by tick. Evaluated under the old simulator, as the reference does. Needs the trace to cover
 * ceil(R/gap) ticks from the start. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "policies/cbl_common.h"
#include "policies/sk_omni.h"
#include "sk_error.h"

static int sk_omni_planner(const sk_future *f, const sk_value *params, sk_plan *plan, char *msg, size_t len) {
    (void)params;
    int64_t n = (int64_t)ceil(f->job.deadline / f->gap);
    if (f->nticks < n) {
        snprintf(msg, len, "omniscient: the trace has %lld ticks from the start, the deadline needs %lld", (long long)f->nticks,
                 (long long)n);
        return SK_EDATA;
    }
    uint8_t *m = malloc((size_t)n + 1);
    plan->step = malloc(((size_t)n + 1) * sizeof *plan->step);
    if (!m || !plan->step) {
        free(m);
        return SK_ENOMEM;
    }
    double cost;
    int rc = sk_omni_plan(f->avail[0], n, f->gap, f->job.work, f->job.changeover, f->price[0][0] * f->gap / 3600,
                          f->od_price[0] * f->gap / 3600, m, &cost);
    if (rc < 0) {
        snprintf(msg, len, "omniscient: %s", rc == SK_EDATA ? "no plan meets the deadline" : sk_strerror(rc));
    } else {
        for (int64_t k = 0; k < n; k++) plan->step[k] = (sk_plan_step){0, (sk_market)m[k]};
        plan->n = n;
    }
    free(m);
    return rc;
}

static const sk_planner sk_omni_planner_def = {"omniscient", sk_omni_planner};

static void sk_omni_decide(void *state, const sk_view *v, const sk_actor *a) {
    (void)state;
    sk_cbl_run(v, a, v->tick < v->plan->n ? v->plan->step[v->tick].market : SK_MKT_NONE);
}

const sk_gpolicy sk_pol_omniscient = {
    .def = {"omniscient", NULL, 0, "the exact optimum knowing the whole window in advance (a lower bound)"},
    .planner = &sk_omni_planner_def,
    .decide = sk_omni_decide,
};
