/* serve_spothedge.c - SpotHedge (SkyServe, EuroSys'25): N + n_extra spot replicas placed over
 * ordered Active/Preempted zone lists, with the on-demand fallback min(N, N + n_extra - ready spot)
 * (the artifact's SpotFailoverNoSafety; `safety: true` is its SpotFailover). The artifact's tick
 * rules (../shared/specs/spothedge-sim.md sections 5 and 6) mapped onto the event-driven serving
 * world: docs/serving_policies.md. */
#include <stdlib.h>

#include "engine/sk_rng.h"
#include "policies/serve_common.h"

typedef struct sh_state {
    ssp_scale scale;
    ssp_guard guard;
    int n_extra;
    int tie_random; /* tie: random (the artifact's uniform choice) instead of cheapest */
    int safety;     /* SpotFailover: the safety net and the cold-start hold */
    double slo;     /* safety: the availability fraction below which od >= N */
    int nz;
    /* ordered zone lists (list order matters: ties and the random choice index into it) */
    int active[SK_SRV_MAXZ], nactive;
    int preempted[SK_SRV_MAXZ], npreempted;
    int have_last;
    int32_t last[SK_SRV_MAXZ];   /* the previous decision's spot plan */
    int64_t bad_prev[SK_SRV_MAXZ]; /* launch_fail + preempted of each zone at the previous decision */
    /* safety: time with >= N ready so far, the previous decision's time and whether it had >= N
     * ready, the last time the fallback saw a gap and the od it asked for then */
    double up_time, t_prev;
    int ok_prev, have_prev;
    double t_gap;
    int od_gap;
} sh_state;

static const sk_param_def sh_params[] = {
    SSP_SCALE_PARAMS,
    {"n_extra", SK_PT_INT, "1", 0, 1000, "spot replicas over-provisioned beyond the target N"},
    {"tie", SK_PT_STR, "cheapest", 0, 0, "a new spot replica among its candidate zones: cheapest (spot price, then list order) or random (uniform, the artifact)"},
    {"safety", SK_PT_BOOL, "false", 0, 0, "SpotFailover: on-demand >= N while the availability so far is <= slo, and the fallback's od held for a cold start after the last gap"},
    {"slo", SK_PT_FLOAT, "0.99", 0, 1, "safety: availability threshold"},
};

static int sh_init(void *st, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    sh_state *s = st;
    int rc = ssp_check_zones(v0, msg, len);
    if (rc) return rc;
    if ((rc = ssp_scale_parse(&s->scale, pp, v0, msg, len))) return rc;
    const sk_value *q = pp + SSP_NSCALE;
    s->n_extra = (int)q[0].i;
    if (!strcmp(q[1].s, "cheapest")) s->tie_random = 0;
    else if (!strcmp(q[1].s, "random")) s->tie_random = 1;
    else return snprintf(msg, len, "tie: expected cheapest or random, got '%s'", q[1].s), SK_ECONFIG;
    s->safety = q[2].i != 0;
    s->slo = q[3].f;
    s->nz = v0->nzones;
    for (int j = 0; j < s->nz; j++) s->active[j] = j;
    s->nactive = s->nz;
    s->npreempted = 0;
    s->have_last = 0;
    for (int j = 0; j < s->nz; j++) s->bad_prev[j] = v0->z[j].launch_fail + v0->z[j].preempted;
    ssp_guard_init(&s->guard, v0);
    s->t_gap = -1;
    return 0;
}

/* Remove zone j from list l (n entries) if present; returns 1 when it was there. */
static int sh_list_remove(int *l, int *n, int j) {
    for (int i = 0; i < *n; i++)
        if (l[i] == j) {
            memmove(l + i, l + i + 1, (size_t)(*n - i - 1) * sizeof *l);
            (*n)--;
            return 1;
        }
    return 0;
}

/* The zone-set transitions (spec section 6, first loop), zones in ascending order. A zone was
 * short when it holds fewer spot replicas (launching + ready) than the last plan asked of it, or
 * when a launch into it was refused or one of its replicas was preempted since the previous
 * decision; it delivered exactly when it holds what the plan asked (> 0) with neither event. */
static void sh_transitions(sh_state *s, const sk_srv_view *v) {
    for (int j = 0; j < s->nz; j++) {
        int64_t bad = v->z[j].launch_fail + v->z[j].preempted;
        int short_ = s->last[j] > 0 && (s->last[j] > v->z[j].spot || bad > s->bad_prev[j]);
        if (short_) {
            if (sh_list_remove(s->active, &s->nactive, j)) s->preempted[s->npreempted++] = j;
        } else if (s->last[j] > 0 && s->last[j] == v->z[j].spot) {
            if (sh_list_remove(s->preempted, &s->npreempted, j)) s->active[s->nactive++] = j;
        }
    }
}

/* The reset rule: Z = 3 resets when no zone is active, Z >= 4 when at most one is. The artifact's
 * threshold min(1, Z - 3) is negative for Z <= 2, where it would choose from an empty list; we
 * reset those when no zone is active. */
static void sh_reset(sh_state *s) {
    int thr = s->nz >= 4 ? 1 : 0;
    if (s->nactive > thr) return;
    for (int j = 0; j < s->nz; j++) s->active[j] = j;
    s->nactive = s->nz;
    s->npreempted = 0;
}

/* Place todo new spot replicas into P: candidates are the Active zones holding none yet, else
 * all Active zones (list order, zones refused since the last tick left out); the cheapest spot
 * price wins (ties: list order), or a uniform draw with tie: random. */
static void sh_place(sh_state *s, const sk_srv_view *v, const int *barred, int32_t *P, int todo) {
    int c[SK_SRV_MAXZ];
    while (todo > 0) {
        int nc = 0;
        for (int i = 0; i < s->nactive; i++)
            if (P[s->active[i]] == 0 && !barred[s->active[i]]) c[nc++] = s->active[i];
        if (!nc)
            for (int i = 0; i < s->nactive; i++)
                if (!barred[s->active[i]]) c[nc++] = s->active[i];
        if (!nc) return; /* every active zone refused since the tick: wait for the next one */
        int j;
        if (s->tie_random) {
            j = c[sk_rng_uniform_int(v->rng, (uint32_t)nc)];
        } else {
            j = c[0];
            for (int i = 1; i < nc; i++)
                if (v->z[c[i]].spot_price < v->z[j].spot_price) j = c[i];
        }
        P[j]++;
        todo--;
    }
}

/* The fallback (spec section 5): od = min(N, N + n_extra - ready spot) when that gap is positive;
 * with safety also od >= N while the availability so far is <= slo, and the gap's od held for a
 * cold start after the last decision that saw a gap. */
static int sh_fallback(sh_state *s, const sk_srv_view *v, int N) {
    int ready_spot = ssp_spot_ready(v);
    int gap = N + s->n_extra - ready_spot;
    int od = 0;
    if (!s->safety) return gap > 0 ? (gap < N ? gap : N) : 0;
    int ready = ready_spot;
    for (int j = 0; j < v->nzones; j++) ready += v->z[j].od_ready;
    if (s->have_prev && s->ok_prev) s->up_time += v->t - s->t_prev;
    double f = v->t > 0 ? s->up_time / v->t : 0;
    s->t_prev = v->t;
    s->ok_prev = ready >= N;
    s->have_prev = 1;
    if (f <= s->slo) od = N;
    if (gap > 0) {
        int g = gap < N ? gap : N;
        if (g > od) od = g;
        s->t_gap = v->t;
        s->od_gap = od;
    } else if (s->t_gap >= 0 && v->t - s->t_gap < v->cold_start_s) {
        if (s->od_gap > od) od = s->od_gap;
    }
    return od;
}

static void sh_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    sh_state *s = st;
    int barred[SK_SRV_MAXZ];
    int N = ssp_scale_target(&s->scale, v);
    ssp_guard_update(&s->guard, v, barred);
    if (s->have_last) sh_transitions(s, v);
    int todo = ssp_keep_or_replace(v, N + s->n_extra, plan->spot);
    sh_reset(s);
    sh_place(s, v, barred, plan->spot, todo);
    for (int j = 0; j < s->nz; j++) {
        s->last[j] = plan->spot[j];
        s->bad_prev[j] = v->z[j].launch_fail + v->z[j].preempted;
    }
    s->have_last = 1;
    plan->od = sh_fallback(s, v, N);
    plan->od_zone = ssp_od_zone(v);
}

const sk_serve_policy sk_srv_spothedge = {
    .def = {"spothedge", sh_params, sizeof sh_params / sizeof sh_params[0],
            "SpotHedge: N + n_extra spot replicas over Active zones, on-demand fallback min(N, N + n_extra - ready spot)"},
    .state_size = sizeof(sh_state),
    .init = sh_init,
    .decide = sh_decide,
    .fini = NULL,
};

int sk_srv_spothedge_zones(const void *state, int *active, int *nactive, int *preempted, int *npreempted) {
    const sh_state *s = state;
    memcpy(active, s->active, (size_t)s->nactive * sizeof *active);
    memcpy(preempted, s->preempted, (size_t)s->npreempted * sizeof *preempted);
    *nactive = s->nactive;
    *npreempted = s->npreempted;
    return s->nz;
}
