/* fleet_skypilot.c - SkyPilot managed-job recovery on spot (skypilot-org/skypilot, managed jobs
 * "recovery strategies"): a job is launched on spot in the cheapest pool; after a preemption
 *   FAILOVER            retries the region that preempted it first (its cheapest pools), then
 *                       the other regions;
 *   EAGER_NEXT_REGION   (SkyPilot's default) skips the region that just preempted it and tries
 *                       the others first, coming back to it only when they all refuse.
 * When nothing has capacity the job waits backoff_s and tries again (SkyPilot's retry loop);
 * there is no on-demand fallback, as in SkyPilot's default spot jobs. */
#include "policies/fleet_common.h"

typedef struct fsp_state {
    fp_state fp;
    int eager;
} fsp_state;

static const sk_param_def fsp_params[] = {FP_PARAMS};

static int fsp_init_(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len, int eager) {
    fsp_state *s = st;
    s->eager = eager;
    return fp_parse_common(&s->fp, pp, v0, msg, len);
}
static int fsp_init_failover(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    return fsp_init_(st, pp, v0, msg, len, 0);
}
static int fsp_init_eager(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    return fsp_init_(st, pp, v0, msg, len, 1);
}

static void fsp_decide(void *st, const sk_view *v, const sk_actor *a) {
    fsp_state *s = st;
    const sk_trigger *t = &v->fleet->trig;
    if (fp_cloud_common(v, a) || t->job < 0) return;
    const sk_fjob_info *j = v->fleet->job(v->fleet->w, t->job);
    int lost = j->lost_zone;
    if (t->kind == SK_TRIG_GONE && fp_heal_instance(&s->fp, v, a, t->job)) return;
    int ok;
    if (lost < 0) ok = fp_place(&s->fp, v, a, t->job, SK_MKT_SPOT, FP_ANY, -1, 0);
    else if (s->eager) ok = fp_place(&s->fp, v, a, t->job, SK_MKT_SPOT, FP_NOT_REGION, lost, 1);
    else ok = fp_place(&s->fp, v, a, t->job, SK_MKT_SPOT, FP_IN_REGION, lost, 1);
    if (!ok) a->retry(a->w, t->job, s->fp.backoff_s);
}

const sk_gpolicy sk_pol_fleet_failover = {
    .def = {"failover", fsp_params, sizeof fsp_params / sizeof fsp_params[0],
            "SkyPilot FAILOVER: spot, after a preemption retry the same region first, then the others; wait when none has capacity"},
    .state_size = sizeof(fsp_state),
    .init = fsp_init_failover,
    .decide = fsp_decide,
    .fini = fp_policy_fini,
};

const sk_gpolicy sk_pol_fleet_eager_next_region = {
    .def = {"eager_next_region", fsp_params, sizeof fsp_params / sizeof fsp_params[0],
            "SkyPilot EAGER_NEXT_REGION (its default): spot, after a preemption skip that region first; wait when none has capacity"},
    .state_size = sizeof(fsp_state),
    .init = fsp_init_eager,
    .decide = fsp_decide,
    .fini = fp_policy_fini,
};
