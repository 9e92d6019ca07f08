/* fleet_cheapest_spot.c - each job on spot in the cheapest pool that has capacity (pools tried
 * cheapest first; a refused launch moves to the next), falling back to on-demand when no pool
 * has spot (fallback: od) or waiting backoff_s to try again (fallback: wait). A job that loses an
 * instance is healed in place (heal: instance) or placed again from scratch. */
#include "policies/fleet_common.h"

typedef struct fcs_state {
    fp_state fp;
    int wait;
} fcs_state;

static const sk_param_def fcs_params[] = {
    FP_PARAMS,
    {"fallback", SK_PT_STR, "od", 0, 0, "when no pool has spot: od (on-demand at once) or wait (retry after backoff_s)"},
};

static int fcs_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    fcs_state *s = st;
    if (strcmp(pp[3].s, "od") && strcmp(pp[3].s, "wait"))
        return snprintf(msg, len, "fallback: expected od or wait, got '%s'", pp[3].s), SK_ECONFIG;
    s->wait = !strcmp(pp[3].s, "wait");
    return fp_parse_common(&s->fp, pp, v0, msg, len);
}

static void fcs_decide(void *st, const sk_view *v, const sk_actor *a) {
    fcs_state *s = st;
    const sk_trigger *t = &v->fleet->trig;
    if (fp_cloud_common(v, a) || t->job < 0) return;
    if (t->kind == SK_TRIG_GONE && fp_heal_instance(&s->fp, v, a, t->job)) return;
    if (fp_place(&s->fp, v, a, t->job, SK_MKT_SPOT, FP_ANY, -1, 0)) return;
    if (!s->wait && fp_place(&s->fp, v, a, t->job, SK_MKT_OD, FP_ANY, -1, 0)) return;
    a->retry(a->w, t->job, s->fp.backoff_s);
}

const sk_gpolicy sk_pol_fleet_cheapest_spot = {
    .def = {"cheapest_spot", fcs_params, sizeof fcs_params / sizeof fcs_params[0],
            "spot in the cheapest pool with capacity, on-demand (or wait) when none has any"},
    .state_size = sizeof(fcs_state),
    .init = fcs_init,
    .decide = fcs_decide,
    .fini = fp_policy_fini,
};
