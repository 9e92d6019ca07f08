/* fleet_mr_adapter.c - the multi-region Uniform Progress family (policies/mr_uniform_progress.c,
 * mr_up_probe.c, mr_up_probe_cost.c), unchanged, run per job inside the fleet world: at each of
 * the fleet's decision ticks (scenario tick_s = the traces' gap) every live job gets the
 * single-job view the multi-region policies read (zones = the fleet's zones with their first
 * pool's prices, inst = the job's live instances in launch order, jobs[0] = the job's work,
 * progress, deadline, changeover and checkpoint zone, observed counters, the egress matrix of
 * models/sk_migration) and an actor whose launch, terminate, probe and prices turn into fleet
 * actions. The multi-region safety net (policies/sk_safety.h) runs before the policy, as in
 * src/sim/sk_mr.c. The mapping and what differs from the tick-exact world:
 * docs/fleet_crosscheck.md. Reads no data itself (the scenario's pools, e.g. the
 * gcp-h100-multiregion and aws-v100-multinode traces, come through the fleet view). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sk_fleet_view.h"
#include "core/sk_world.h"
#include "models/sk_migration.h"
#include "policies/sk_safety.h"
#include "sk_error.h"

extern const sk_gpolicy sk_pol_mr_uniform_progress, sk_pol_mr_up_failover, sk_pol_mr_up_probe, sk_pol_mr_up_probe_cost;

enum { FA_MAXI = 8 }; /* instances of one job within a decision (the tick model allows 4) */

/* One job's tick-model state: what sk_mr keeps for its single job. */
typedef struct fa_job {
    void *pst;              /* the multi-region policy's state */
    sk_safety net;
    int64_t k0;             /* the fleet tick of the job's first decision */
    int64_t k;              /* the job's tick (k - k0) in this decision */
    int leader;             /* zone of the last instance the job had at a tick boundary, -1 */
    int fatal;              /* a rule of the tick model was broken: the job is left alone */
    sk_instance_info inst[FA_MAXI]; /* live instances, launch order (id: the fleet's) */
    int ninst;
    sk_zone_info *zi;       /* the zones as this job has observed them */
    double *egress;         /* nz x nz, $ for this job's checkpoint */
    int64_t *cnt;           /* 4 x nz: launch_fail, preempted, probe_ok, probe_fail */
    sk_job_info jv;
    sk_view view;
} fa_job;

typedef struct fa_state {
    const sk_gpolicy *mr;   /* the multi-region policy */
    const sk_value *pp;     /* its parameters */
    int nz;
    int *zpool;             /* zone -> its first pool, -1 */
    fa_job **job;           /* by fleet job id (NULL: not started or ended) */
    int64_t njobs;
    int64_t *scratch;       /* the live jobs of a tick */
    /* the decision in progress (the actor's context) */
    const sk_view *fv;
    const sk_actor *fa;
    fa_job *cur;
    int64_t cur_id;
} fa_state;

static void fa_job_free(fa_state *s, int64_t id) {
    fa_job *j = s->job[id];
    if (!j) return;
    if (s->mr->fini && j->pst) s->mr->fini(j->pst);
    free(j->pst), free(j->zi), free(j->egress), free(j->cnt), free(j);
    s->job[id] = NULL;
}

/* ---- the actor: the tick model's actions as fleet actions ------------------------------------ */

static void fa_price(fa_state *s, int r) {
    if (s->zpool[r] >= 0) s->cur->zi[r].spot_price = s->fv->fleet->pools[s->zpool[r]].spot_price;
}

static int fa_launch(void *p, int r, sk_market m) {
    fa_state *s = p;
    fa_job *j = s->cur;
    if (r < 0 || r >= s->nz || s->zpool[r] < 0 || (m != SK_MKT_SPOT && m != SK_MKT_OD)) return 0;
    if (m == SK_MKT_SPOT) fa_price(s, r);
    for (int i = 0; i < j->ninst; i++)
        if (j->inst[i].zone == r && j->inst[i].market == m) return 1;
    if (j->ninst == FA_MAXI) return j->fatal = 1, 0;
    int64_t id = s->fa->launch_for(s->fa->w, s->zpool[r], m, s->cur_id);
    if (id < 0) {
        if (m == SK_MKT_SPOT) j->cnt[r]++;
        return 0;
    }
    j->inst[j->ninst++] = (sk_instance_info){id, r, m, SK_INST_RUNNING, j->k};
    j->view.ninst = j->ninst;
    return 1;
}

/* A planned stop: the job checkpoints first (release), so no progress is lost, as in the tick
 * model; the job's other instances (none at a tick boundary) are given back to it. */
static int fa_terminate(void *p, int64_t id) {
    fa_state *s = p;
    fa_job *j = s->cur;
    int i = 0;
    while (i < j->ninst && j->inst[i].id != id) i++;
    if (i == j->ninst) return -1;
    if (j->inst[i].launched == j->k) return j->fatal = 1, -1; /* fatal in the tick model */
    const sk_actor *a = s->fa;
    a->release(a->w, s->cur_id);
    a->terminate(a->w, id);
    memmove(&j->inst[i], &j->inst[i + 1], (size_t)(j->ninst - i - 1) * sizeof j->inst[0]);
    j->view.ninst = --j->ninst;
    for (int q = 0; q < j->ninst; q++) a->assign(a->w, s->cur_id, j->inst[q].id);
    return 0;
}

static int fa_probe(void *p, int r) {
    fa_state *s = p;
    if (r < 0 || r >= s->nz) return 0;
    fa_price(s, r);
    int ok = s->fa->probe(s->fa->w, r);
    s->cur->cnt[(ok ? 2 : 3) * s->nz + r]++;
    return ok;
}

static void fa_prices(void *p) {
    fa_state *s = p;
    for (int r = 0; r < s->nz; r++) fa_price(s, r);
}

/* ---- set-up ------------------------------------------------------------------------------------ */

static int fa_init(void *st, const sk_value *pp, const sk_view *v0, const sk_gpolicy *mr, char *msg, size_t len) {
    fa_state *s = st;
    s->mr = mr, s->pp = pp;
    const sk_fleet_view *f = v0->fleet;
    if (!f) return snprintf(msg, len, "policy mr_%s runs only in the fleet world", mr->def.name), SK_ECONFIG;
    if (!(v0->gap > 0))
        return snprintf(msg, len, "policy mr_%s needs the scenario's decision tick (tick_s > 0, the traces' gap)", mr->def.name),
               SK_ECONFIG;
    s->nz = v0->nzones;
    for (int k = 0; k < SK_JOB_NSTATES; k++) s->njobs += f->njobs[k];
    s->zpool = malloc(((size_t)s->nz + 1) * sizeof *s->zpool);
    s->job = calloc((size_t)s->njobs + 1, sizeof *s->job);
    s->scratch = malloc(((size_t)s->njobs + 1) * sizeof *s->scratch);
    if (!s->zpool || !s->job || !s->scratch) return snprintf(msg, len, "out of memory"), SK_ENOMEM;
    for (int z = 0; z < s->nz; z++) s->zpool[z] = -1;
    for (int p = f->npools - 1; p >= 0; p--) s->zpool[f->pools[p].zone] = p;
    /* the policy's own check of its parameters, on a view of the zones with no job */
    sk_job_info none = {0, 0, 0, 0, 0, 0, -1};
    sk_view v = *v0;
    v.njobs = 1, v.jobs = &none, v.ninst = 0, v.inst = NULL, v.fleet = NULL;
    void *tmp = mr->state_size ? calloc(1, mr->state_size) : NULL;
    if (mr->state_size && !tmp) return snprintf(msg, len, "out of memory"), SK_ENOMEM;
    int rc = mr->init ? mr->init(tmp, pp, &v, msg, len) : 0;
    if (mr->fini && tmp) mr->fini(tmp);
    free(tmp);
    return rc;
}

static void fa_fini(void *st) {
    fa_state *s = st;
    for (int64_t id = 0; s->job && id < s->njobs; id++) fa_job_free(s, id);
    free(s->zpool), free(s->job), free(s->scratch);
}

/* The job's state at its first decision (NULL: out of memory; the job is then left alone). */
static fa_job *fa_job_new(fa_state *s, const sk_view *v, const sk_fjob_info *fj) {
    const sk_fleet_view *f = v->fleet;
    size_t n = (size_t)s->nz;
    fa_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->zi = calloc(n, sizeof *j->zi);
    j->egress = calloc(n * n, sizeof *j->egress);
    j->cnt = calloc(4 * n, sizeof *j->cnt);
    j->pst = s->mr->state_size ? calloc(1, s->mr->state_size) : NULL;
    if (!j->zi || !j->egress || !j->cnt || (s->mr->state_size && !j->pst)) goto fail;
    for (int r = 0; r < s->nz; r++) {
        j->zi[r] = v->zones[r];
        j->zi[r].spot_avail = -1;
        if (s->zpool[r] >= 0) {
            j->zi[r].od_price = f->pools[s->zpool[r]].od_price;
            j->zi[r].spot_price = f->pools[s->zpool[r]].spot_price;
        }
        for (int q = 0; q < s->nz; q++)
            j->egress[(size_t)r * n + (size_t)q] = sk_mig_transfer_usd(v->zones[r].name, v->zones[q].name, fj->ckpt_gb);
    }
    j->k0 = v->tick;
    j->leader = -1;
    j->jv = (sk_job_info){fj->work, 0, fj->deadline - fj->arrival, f->restart_s, 0, fj->ckpt_gb, -1};
    j->view = (sk_view){0, 0, v->gap, s->nz, j->zi, j->egress, NULL, 0, j->inst, 1, &j->jv,
                        {j->cnt, j->cnt + n, j->cnt + 2 * n, j->cnt + 3 * n}, NULL, v->rng, NULL};
    char msg[256];
    if (s->mr->init && s->mr->init(j->pst, s->pp, &j->view, msg, sizeof msg) < 0) goto fail;
    return j;
fail:
    if (s->mr->fini && j->pst) s->mr->fini(j->pst);
    free(j->pst), free(j->zi), free(j->egress), free(j->cnt), free(j);
    return NULL;
}

/* ---- one job's tick (src/sim/sk_mr.c: the tick loop after billing) ---------------------------- */

/* A job the tick model gave up on (late, infeasible, a broken rule): the fleet still finishes
 * it, on on-demand in the cheapest pool that holds it on one instance (where the multi-region
 * world stops and reports; docs/fleet_crosscheck.md). */
static void fa_fallback(const sk_view *v, const sk_actor *a, int64_t id) {
    const sk_fleet_view *f = v->fleet;
    const sk_fjob_info *fj = f->job(f->w, id);
    if (fj->ninst > 0) {
        if (fj->market == SK_MKT_OD) return; /* already there */
        int64_t x;
        while ((x = f->inst_first(f->w, id)) >= 0)
            if (a->terminate(a->w, x) < 0) return;
        fj = f->job(f->w, id);
    }
    for (int k = 0; k < f->npools; k++) {
        int p = f->by_od[k];
        const sk_itype_info *t = &f->types[f->pools[p].type];
        if (t->gpus >= fj->gpus && sk_fjob_allows(fj, t->gpu_id) && a->launch_for(a->w, p, SK_MKT_OD, id) >= 0) return;
    }
}

static void fa_tick(fa_state *s, const sk_view *v, const sk_actor *a, int64_t id) {
    const sk_fleet_view *f = v->fleet;
    const sk_fjob_info *fj = f->job(f->w, id);
    if (!s->job[id] && !(s->job[id] = fa_job_new(s, v, fj))) return;
    fa_job *j = s->job[id];
    if (j->fatal) return fa_fallback(v, a, id);
    /* the boundary: the instance that held the job through the last tick leads; those the
     * fleet no longer lists for the job were preempted */
    if (j->ninst) j->leader = j->inst[0].zone;
    int keep = 0;
    for (int i = 0; i < j->ninst; i++) {
        int live = 0;
        for (int64_t x = f->inst_first(f->w, id); x >= 0 && !live; x = f->inst_next(f->w, x)) live = x == j->inst[i].id;
        if (live) j->inst[keep++] = j->inst[i];
        else j->cnt[s->nz + j->inst[i].zone]++;
    }
    j->ninst = keep;
    j->k = v->tick - j->k0;
    j->jv.progress = fj->progress;
    j->jv.ckpt_zone = j->leader;
    /* the changeover still to pay: none once the job runs; while it loads, restart_s less the
     * time since its launch (the copy time of a move is the fleet's; at least 1 ms) */
    double ov = 0;
    if (j->ninst && fj->state != SK_JOB_RUNNING) {
        ov = f->restart_s - (double)(j->k - j->inst[0].launched) * v->gap;
        if (ov < 1e-3) ov = 1e-3;
    }
    j->jv.overhead_left = ov;
    j->view.tick = j->k;
    j->view.t = (double)j->k * v->gap;
    j->view.ninst = j->ninst;
    if (j->jv.work - j->jv.progress <= 1e-3) return;   /* done: the fleet's DONE follows */
    if (j->view.t >= j->jv.deadline) return j->fatal = 1, (void)0; /* late: the tick model stops */
    s->cur = j, s->cur_id = id, s->fv = v, s->fa = a;
    sk_actor act = {s, fa_launch, fa_terminate, fa_probe, fa_prices, NULL, NULL, NULL, NULL};
    int skip = 0;
    if (!(s->mr->flags & SK_POL_NO_SAFETY_NET)) {
        skip = sk_safety_mr(&j->net, &j->view, &act);
        if (skip < 0) return j->fatal = 1, (void)0;     /* infeasible: fatal in the tick model */
    }
    if (!skip && !j->fatal) s->mr->decide(j->pst, &j->view, &act);
    if (j->ninst > 1) j->fatal = 1;                    /* the tick model allows one at a boundary */
}

static void fa_decide(void *st, const sk_view *v, const sk_actor *a) {
    fa_state *s = st;
    const sk_fleet_view *f = v->fleet;
    const sk_trigger *t = &f->trig;
    if (t->kind == SK_TRIG_DONE && t->job >= 0) { /* the tick model stops billing a done job */
        int64_t x;
        while ((x = f->inst_first(f->w, t->job)) >= 0)
            if (a->terminate(a->w, x) < 0) break;
        if (t->job < s->njobs) fa_job_free(s, t->job);
        return;
    }
    if (t->kind != SK_TRIG_TICK) return; /* the tick model reacts only at tick boundaries */
    int64_t total = 0; /* a world whose jobs arrive after init (live: submitted jobs) grows the tables */
    for (int k = 0; k < SK_JOB_NSTATES; k++) total += f->njobs[k];
    if (total > s->njobs) {
        fa_job **nj = realloc(s->job, ((size_t)total + 1) * sizeof *nj);
        if (nj) s->job = nj;
        int64_t *ns = nj ? realloc(s->scratch, ((size_t)total + 1) * sizeof *ns) : NULL;
        if (ns) s->scratch = ns;
        if (!nj || !ns) return; /* out of memory: this tick decides nothing */
        for (int64_t id = s->njobs; id <= total; id++) s->job[id] = NULL;
        s->njobs = total;
    }
    int64_t n = 0;
    static const sk_job_state live[] = {SK_JOB_QUEUED, SK_JOB_RETRY, SK_JOB_SUBMITTED, SK_JOB_RUNNING};
    for (size_t k = 0; k < sizeof live / sizeof live[0]; k++)
        for (int64_t id = f->jobs_first(f->w, live[k]); id >= 0 && n < s->njobs; id = f->jobs_next(f->w, id)) s->scratch[n++] = id;
    for (int64_t i = 0; i < n; i++) /* in id order: arrival order, whatever the states */
        for (int64_t q = i; q > 0 && s->scratch[q - 1] > s->scratch[q]; q--) {
            int64_t x = s->scratch[q];
            s->scratch[q] = s->scratch[q - 1], s->scratch[q - 1] = x;
        }
    for (int64_t i = 0; i < n; i++) fa_tick(s, v, a, s->scratch[i]);
}

/* ---- the rows ---------------------------------------------------------------------------------- */

/* The parameters of policies/mr_up_probe.c and mr_up_probe_cost.c, same names, order and
 * defaults (test_fleet_mr checks that they agree). */
static const sk_param_def fa_upa_params[] = {
    {"probe_window", SK_PT_INT, "5", 1, 1000, "samples kept per zone"},
    {"probe_interval_min", SK_PT_FLOAT, "120", 0, 1e6, "minutes between samples of one zone"},
};
static const sk_param_def fa_upc_params[] = {
    {"probe_interval_min", SK_PT_FLOAT, "60", 0, 1e6, "minutes between probes of one zone"},
};

#define FA_ROW(NAME, MR)                                                                                      \
    static int fa_init_##NAME(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {      \
        return fa_init(st, pp, v0, &MR, msg, len);                                                           \
    }
FA_ROW(up, sk_pol_mr_uniform_progress)
FA_ROW(ups, sk_pol_mr_up_failover)
FA_ROW(upa, sk_pol_mr_up_probe)
FA_ROW(upc, sk_pol_mr_up_probe_cost)

const sk_gpolicy sk_pol_fleet_mr_uniform_progress = {
    .def = {"mr_uniform_progress", NULL, 0,
            "multi-region UP (policies/mr_uniform_progress.c) per job on the decision tick, with the multi-region safety net"},
    .state_size = sizeof(fa_state), .init = fa_init_up, .decide = fa_decide, .fini = fa_fini,
};
const sk_gpolicy sk_pol_fleet_mr_up_failover = {
    .def = {"mr_up_failover", NULL, 0, "multi-region UP(S), eager failover, per job on the decision tick"},
    .state_size = sizeof(fa_state), .init = fa_init_ups, .decide = fa_decide, .fini = fa_fini,
};
const sk_gpolicy sk_pol_fleet_mr_up_probe = {
    .def = {"mr_up_probe", fa_upa_params, 2, "multi-region UP(A), availability probes, per job on the decision tick"},
    .state_size = sizeof(fa_state), .init = fa_init_upa, .decide = fa_decide, .fini = fa_fini,
};
const sk_gpolicy sk_pol_fleet_mr_up_probe_cost = {
    .def = {"mr_up_probe_cost", fa_upc_params, 1, "multi-region UP(AP), probes ranked per dollar, per job on the decision tick"},
    .state_size = sizeof(fa_state), .init = fa_init_upc, .decide = fa_decide, .fini = fa_fini,
};
