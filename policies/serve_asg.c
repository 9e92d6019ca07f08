/* serve_asg.c - an AWS Auto Scaling Group-like mixed policy: a fixed on-demand base (od_base)
 * plus spot replicas for the rest, spread over zones "capacity-optimized" as far as a policy can
 * see capacity: zones that refused a launch or lost a replica within avoid_s come last, then AZ
 * balance (fewest spot replicas), then the cheapest spot price, then the lowest index. Healthy
 * replicas are never moved; a scale-in removes from the zone holding the most (ASG's AZ
 * balancing), the most expensive first. No on-demand fallback when spot is short (an ASG
 * without capacity rebalancing does not fall back). docs/serving_policies.md. */
#include "policies/serve_common.h"

typedef struct asg_state {
    ssp_scale scale;
    ssp_guard guard;
    int od_base, n_extra;
    double avoid_s;
    int64_t bad_prev[SK_SRV_MAXZ]; /* launch_fail + preempted at the previous decision */
    double last_bad[SK_SRV_MAXZ];  /* when a zone last refused or lost a replica; -1: never */
} asg_state;

static const sk_param_def asg_params[] = {
    SSP_SCALE_PARAMS,
    {"od_base", SK_PT_INT, "1", 0, 100000, "on-demand base capacity (OnDemandBaseCapacity): the first replicas of N"},
    {"n_extra", SK_PT_INT, "0", 0, 1000, "spot replicas beyond the target N"},
    {"avoid_s", SK_PT_FLOAT, "600", 0, 1e7, "a zone that refused a launch or lost a replica this recently comes after the others"},
};

static int asg_init(void *st, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    asg_state *s = st;
    int rc = ssp_check_zones(v0, msg, len);
    if (rc || (rc = ssp_scale_parse(&s->scale, pp, v0, msg, len))) return rc;
    s->od_base = (int)pp[SSP_NSCALE].i;
    s->n_extra = (int)pp[SSP_NSCALE + 1].i;
    s->avoid_s = pp[SSP_NSCALE + 2].f;
    ssp_guard_init(&s->guard, v0);
    for (int j = 0; j < v0->nzones; j++) {
        s->bad_prev[j] = v0->z[j].launch_fail + v0->z[j].preempted;
        s->last_bad[j] = -1;
    }
    return 0;
}

/* 1 when zone a is a better home for a new spot replica than zone b. */
static int asg_better(const asg_state *s, const sk_srv_view *v, const int32_t *P, int a, int b) {
    int ra = s->last_bad[a] >= 0 && v->t - s->last_bad[a] < s->avoid_s;
    int rb = s->last_bad[b] >= 0 && v->t - s->last_bad[b] < s->avoid_s;
    if (ra != rb) return rb;
    if (P[a] != P[b]) return P[a] < P[b];
    if (v->z[a].spot_price != v->z[b].spot_price) return v->z[a].spot_price < v->z[b].spot_price;
    return a < b;
}

static void asg_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    asg_state *s = st;
    int barred[SK_SRV_MAXZ], held = 0;
    int N = ssp_scale_target(&s->scale, v);
    ssp_guard_update(&s->guard, v, barred);
    for (int j = 0; j < v->nzones; j++) {
        int64_t bad = v->z[j].launch_fail + v->z[j].preempted;
        if (bad > s->bad_prev[j]) s->last_bad[j] = v->t;
        s->bad_prev[j] = bad;
        plan->spot[j] = v->z[j].spot;
        held += v->z[j].spot;
    }
    int od = s->od_base < N ? s->od_base : N;
    int want = N + s->n_extra - od;
    for (; held > want; held--) { /* scale in: the zone holding the most, the dearest first */
        int k = -1;
        for (int j = 0; j < v->nzones; j++)
            if (plan->spot[j] > 0 && (k < 0 || plan->spot[j] > plan->spot[k] ||
                                      (plan->spot[j] == plan->spot[k] && v->z[j].spot_price > v->z[k].spot_price)))
                k = j;
        plan->spot[k]--;
    }
    for (; held < want; held++) { /* scale out */
        int k = -1;
        for (int j = 0; j < v->nzones; j++)
            if (!barred[j] && (k < 0 || asg_better(s, v, plan->spot, j, k))) k = j;
        if (k < 0) break; /* every zone refused since the tick */
        plan->spot[k]++;
    }
    plan->od = od;
    plan->od_zone = ssp_od_zone(v);
}

const sk_serve_policy sk_srv_asg = {
    .def = {"asg", asg_params, sizeof asg_params / sizeof asg_params[0],
            "AWS Auto Scaling Group-like: od_base on-demand + spot for the rest, zones that did not refuse recently first, AZ-balanced"},
    .state_size = sizeof(asg_state),
    .init = asg_init,
    .decide = asg_decide,
    .fini = NULL,
};
