/* fleet_common.h - what the fleet policies share: choosing a pool for a job's missing GPUs under a
 * placement rule, launching a gang there (all or nothing), and the cloud-mode reactions to
 * triggers (terminate what a finished job leaves, retry with backoff). Everything reads the
 * indexed view (core/sk_fleet_view.h): a decision costs O(pools), never O(fleet). */
#ifndef FLEET_COMMON_H
#define FLEET_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sk_fleet_view.h"
#include "core/sk_world.h"
#include "sk_error.h"

enum { FP_FEWEST = 0, FP_CHEAPEST = 1 };           /* placement of a multi-GPU job */
enum { FP_ANY = 0, FP_IN_REGION = 1, FP_NOT_REGION = 2 }; /* region filter against a reference zone */

typedef struct fp_state {
    int placement;
    double backoff_s;    /* wait before trying again when nothing could be placed */
    int heal_instance;   /* job-level heal replaces only the lost instance (same zone) when it can */
    uint8_t *skip;       /* per-decision scratch: pools that refused */
    struct fp_cand *cand; /* per-decision scratch: the pools a pass may try */
    int npools;
} fp_state;

typedef struct fp_cand {
    double cost; /* $/h of the `c` instances */
    int p, c;
} fp_cand;

static inline int fp_init(fp_state *s, const sk_view *v0, int placement, double backoff_s, int heal_instance) {
    s->placement = placement, s->backoff_s = backoff_s, s->heal_instance = heal_instance;
    s->npools = v0->fleet ? v0->fleet->npools : 0;
    s->skip = calloc((size_t)s->npools + 1, 1);
    s->cand = malloc(((size_t)s->npools + 1) * sizeof *s->cand);
    return s->skip && s->cand ? 0 : -1;
}
static inline void fp_fini(fp_state *s) { free(s->skip), free(s->cand); }

static inline int fp_same_region(const sk_view *v, int za, int zb) {
    return !strcmp(v->zones[za].region, v->zones[zb].region) && !strcmp(v->zones[za].cloud, v->zones[zb].cloud);
}

/* The pools for job j's missing GPUs in market m, into s->cand (returns how many): the GPU model it
 * needs, the zone of its surviving instances when it has some, the region filter, not skipped,
 * within max_instances; each with its instance count and $/h. */
static inline int fp_cands(const fp_state *s, const sk_view *v, const sk_fjob_info *j, sk_market m, int rfilter, int ref_zone) {
    const sk_fleet_view *f = v->fleet;
    int need = j->gpus - j->gpus_have, n = 0;
    if (need <= 0) return 0;
    int want_zone = j->ninst > 0 ? j->last_zone : -1;
    for (int p = 0; p < f->npools; p++) {
        const sk_pool_info *pi = &f->pools[p];
        const sk_itype_info *t = &f->types[pi->type];
        if (s->skip[p] || t->gpus <= 0) continue;
        if (!sk_fjob_allows(j, t->gpu_id)) continue;
        if (want_zone >= 0 && pi->zone != want_zone) continue;
        if (rfilter == FP_IN_REGION && !fp_same_region(v, pi->zone, ref_zone)) continue;
        if (rfilter == FP_NOT_REGION && fp_same_region(v, pi->zone, ref_zone)) continue;
        int c = (need + t->gpus - 1) / t->gpus;
        if (c + j->ninst > f->max_instances) continue;
        s->cand[n++] = (fp_cand){c * (m == SK_MKT_SPOT ? pi->spot_price : pi->od_price), p, c};
    }
    return n;
}

/* The placement order: FEWEST: fewest instances, then lowest $/h; CHEAPEST: lowest $/h, then
 * fewest; ties by pool index. */
static inline int fp_less(int placement, const fp_cand *a, const fp_cand *b) {
    if (placement == FP_FEWEST && a->c != b->c) return a->c < b->c;
    if (a->cost != b->cost) return a->cost < b->cost;
    if (a->c != b->c) return a->c < b->c;
    return a->p < b->p;
}
/* Min-heap of candidates in placement order: restore it below h[i]. */
static inline void fp_sift(int placement, fp_cand *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < n && fp_less(placement, &h[l], &h[m])) m = l;
        if (l + 1 < n && fp_less(placement, &h[l + 1], &h[m])) m = l + 1;
        if (m == i) return;
        fp_cand t = h[i];
        h[i] = h[m], h[m] = t, i = m;
    }
}

/* Launch `count` instances of pool p for job j: all or nothing (a gang that does not fit is
 * terminated before it boots, so it costs nothing). Returns 1 when all launched. */
static inline int fp_launch_gang(const sk_view *v, const sk_actor *a, int64_t job, int p, sk_market m, int count) {
    int64_t ids[64];
    int n = 0;
    if (count > 64) return 0;
    const sk_pool_info *pi = &v->fleet->pools[p];
    /* a gang that the pool shows no room for is not tried (a single instance is: the launch tells) */
    if (count > 1 && m == SK_MKT_SPOT && pi->spot_cap >= 0 && pi->spot_cap - pi->n_spot < count) return 0;
    for (; n < count; n++) {
        ids[n] = a->launch_for(a->w, p, m, job);
        if (ids[n] < 0) break;
    }
    if (n == count) return 1;
    for (int k = 0; k < n; k++) a->terminate(a->w, ids[k]);
    return 0;
}

/* Place job j in market m, trying pools best first (region filter first, then, when
 * `then_any`, anywhere). A refused gang leaves the job as it was, so a pass ranks its pools once,
 * in a heap: a placement costs O(pools + refusals x log pools). Returns 1 when placed. */
static inline int fp_place(fp_state *s, const sk_view *v, const sk_actor *a, int64_t job, sk_market m, int rfilter,
                           int ref_zone, int then_any) {
    memset(s->skip, 0, (size_t)s->npools);
    for (int pass = 0; pass < 2; pass++) {
        const sk_fjob_info *j = v->fleet->job(v->fleet->w, job);
        int n = fp_cands(s, v, j, m, pass ? FP_ANY : rfilter, ref_zone);
        for (int i = n / 2 - 1; i >= 0; i--) fp_sift(s->placement, s->cand, n, i);
        while (n > 0) {
            fp_cand b = s->cand[0];
            if (fp_launch_gang(v, a, job, b.p, m, b.c)) return 1;
            s->skip[b.p] = 1;
            s->cand[0] = s->cand[--n];
            fp_sift(s->placement, s->cand, n, 0);
        }
        if (!then_any || rfilter == FP_ANY) break;
    }
    return 0;
}

/* Terminate every instance of job j. */
static inline void fp_terminate_job(const sk_view *v, const sk_actor *a, int64_t job) {
    const sk_fleet_view *f = v->fleet;
    int64_t id;
    while ((id = f->inst_first(f->w, job)) >= 0)
        if (a->terminate(a->w, id) < 0) break;
}

/* A job that lost an instance: with heal_instance, replace only what is missing in the zone of
 * its survivors (same market); else (or when that fails) give everything up. Returns 1 when the
 * missing instances were relaunched. */
static inline int fp_heal_instance(fp_state *s, const sk_view *v, const sk_actor *a, int64_t job) {
    const sk_fjob_info *j = v->fleet->job(v->fleet->w, job);
    if (s->heal_instance && j->ninst > 0 && fp_place(s, v, a, job, j->market == SK_MKT_OD ? SK_MKT_OD : SK_MKT_SPOT, FP_ANY, -1, 0))
        return 1;
    fp_terminate_job(v, a, job);
    return 0;
}

/* The cloud-mode reactions every fleet policy but FIFO shares: a finished job's instances and
 * idle capacity are terminated. Returns 1 when the trigger was handled. */
static inline int fp_cloud_common(const sk_view *v, const sk_actor *a) {
    const sk_trigger *t = &v->fleet->trig;
    if (t->kind == SK_TRIG_DONE) {
        fp_terminate_job(v, a, t->job);
        return 1;
    }
    if (t->kind == SK_TRIG_IDLE) {
        if (t->inst >= 0) a->terminate(a->w, t->inst);
        return 1;
    }
    return t->kind == SK_TRIG_NOTICE || t->kind == SK_TRIG_TICK || (t->kind == SK_TRIG_GONE && t->job < 0);
}

/* Shared parameters: placement, backoff, heal. */
#define FP_PARAMS                                                                                            \
    {"placement", SK_PT_STR, "fewest", 0, 0, "multi-GPU jobs: fewest (fewest instances, then cheapest) or cheapest ($/h)"}, \
    {"backoff_s", SK_PT_FLOAT, "300", 1, 1e7, "seconds before trying again when no capacity was found"},              \
    {"heal", SK_PT_STR, "instance", 0, 0, "job-level heal: instance (replace only the lost instance) or job (restart whole)"}

/* A fleet policy's init: the shared parameters into s (the first member of its state). Returns 0
 * or SK_ECONFIG with msg. */
static inline int fp_parse_common(fp_state *s, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    int placement = !strcmp(pp[0].s, "fewest") ? FP_FEWEST : !strcmp(pp[0].s, "cheapest") ? FP_CHEAPEST : -1;
    int heal = !strcmp(pp[2].s, "instance") ? 1 : !strcmp(pp[2].s, "job") ? 0 : -1;
    if (placement < 0) return snprintf(msg, len, "placement: expected fewest or cheapest, got '%s'", pp[0].s), SK_ECONFIG;
    if (heal < 0) return snprintf(msg, len, "heal: expected instance or job, got '%s'", pp[2].s), SK_ECONFIG;
    if (!v0->fleet) return snprintf(msg, len, "a fleet policy needs the fleet world"), SK_ECONFIG;
    return fp_init(s, v0, placement, pp[1].f, heal) < 0 ? (snprintf(msg, len, "out of memory"), SK_ECONFIG) : 0;
}
/* The init and fini of a policy whose state begins with its fp_state (init: when it has only the
 * shared parameters). */
static inline int fp_policy_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    return fp_parse_common(st, pp, v0, msg, len);
}
static inline void fp_policy_fini(void *st) { fp_fini(st); }

#endif
