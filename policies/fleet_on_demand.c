/* fleet_on_demand.c - the fleet baseline: every job on on-demand instances in the pool that is
 * cheapest under the placement rule; never preempted, never waits for capacity. */
#include "policies/fleet_common.h"

static const sk_param_def fod_params[] = {FP_PARAMS};

static void fod_decide(void *st, const sk_view *v, const sk_actor *a) {
    fp_state *s = st;
    const sk_trigger *t = &v->fleet->trig;
    if (fp_cloud_common(v, a)) return;
    if (t->job < 0) return;
    if (t->kind == SK_TRIG_GONE) fp_terminate_job(v, a, t->job); /* on-demand is not reclaimed: a terminated peer */
    if (!fp_place(s, v, a, t->job, SK_MKT_OD, FP_ANY, -1, 0)) a->retry(a->w, t->job, s->backoff_s);
}

const sk_gpolicy sk_pol_fleet_on_demand = {
    .def = {"on_demand", fod_params, sizeof fod_params / sizeof fod_params[0], "every job on on-demand instances, cheapest pool first"},
    .state_size = sizeof(fp_state),
    .init = fp_policy_init,
    .decide = fod_decide,
    .fini = fp_policy_fini,
};
