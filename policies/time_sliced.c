/* time_sliced.c - time-sliced greedy (paper section 5.1): the deadline is cut into n equal slices
 * and slice j must reach (j+1)*C/n of progress by (j+1)*R/n; inside a slice the policy is greedy
 * on that quota (spot when available; on-demand once the slice's slack is gone). */
#include "policies/cbl_common.h"

static const sk_param_def sk_ts_params[] = {
    {"slices", SK_PT_INT, "4", 1, 10000, "number of equal slices of the deadline"},
};

typedef struct {
    int64_t n;
} sk_ts_state;

static int sk_ts_init(void *state, const sk_value *params, const sk_view *v0, char *msg, size_t len) {
    (void)v0, (void)msg, (void)len;
    ((sk_ts_state *)state)->n = params[0].i;
    return 0;
}

static void sk_ts_decide(void *state, const sk_view *v, const sk_actor *a) {
    const sk_ts_state *s = state;
    const sk_job_info *job = &v->jobs[0];
    if (job->work - job->progress <= 1e-3) {
        sk_cbl_run(v, a, SK_MKT_NONE);
        return;
    }
    int64_t j = (int64_t)floor(v->t * (double)s->n / job->deadline);
    if (j >= s->n) j = s->n - 1;
    /* the slice's own job: quota Cj by deadline Rj */
    sk_cbl q = sk_cbl_for(v, job->work * (double)(j + 1) / (double)s->n, job->deadline * (double)(j + 1) / (double)s->n);
    sk_market p = q.avail ? SK_MKT_SPOT : SK_MKT_NONE;
    sk_cbl_run(v, a, q.rem > 1e-3 ? sk_cbl_nets(&q, p) : p);
}

const sk_gpolicy sk_pol_time_sliced = {
    .def = {"time_sliced", sk_ts_params, 1, "greedy on n equal slices of the deadline, each with quota C/n"},
    .state_size = sizeof(sk_ts_state),
    .init = sk_ts_init,
    .decide = sk_ts_decide,
};
