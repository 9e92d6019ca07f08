/* fleet_fifo.c - a standing fleet (the scenario's `standing` instances, e.g. the Alibaba PAI
 * machines) scheduled first-come first-served with bounded backfill: when capacity frees up or a
 * job arrives, the queue is walked from its head (at most `window` jobs) and each job that fits
 * the idle instances of one pool (its GPU model, enough idle GPUs) is assigned there. Lost
 * instances are the fleet-level heal's business (the world relaunches them); a job that lost one
 * gives its other instances back and waits in the queue again (job-level heal). Idle capacity is
 * kept, never terminated. */
#include "policies/fleet_common.h"

typedef struct ffo_state {
    int window;
} ffo_state;

static const sk_param_def ffo_params[] = {
    {"window", SK_PT_INT, "64", 1, 1e6, "queued jobs looked at per decision (1: strict FIFO, no backfill)"},
};

static int ffo_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    if (!v0->fleet) return snprintf(msg, len, "a fleet policy needs the fleet world"), SK_ECONFIG;
    ((ffo_state *)st)->window = (int)pp[0].i;
    return 0;
}

/* Assign job j to idle instances of one pool when they hold enough GPUs. */
static int ffo_fit(const sk_view *v, const sk_actor *a, int64_t job) {
    const sk_fleet_view *f = v->fleet;
    const sk_fjob_info *j = f->job(f->w, job);
    for (int p = 0; p < f->npools; p++) {
        const sk_pool_info *pi = &f->pools[p];
        const sk_itype_info *t = &f->types[pi->type];
        if (t->gpus <= 0 || !sk_fjob_allows(j, t->gpu_id)) continue;
        int c = (j->gpus + t->gpus - 1) / t->gpus;
        for (int m = SK_MKT_SPOT; m <= SK_MKT_OD; m++) {
            if (pi->n_idle[m] < c) continue;
            for (int k = 0; k < c; k++) a->assign(a->w, job, f->idle_first(f->w, p, (sk_market)m));
            return 1;
        }
    }
    return 0;
}

static void ffo_decide(void *st, const sk_view *v, const sk_actor *a) {
    ffo_state *s = st;
    const sk_fleet_view *f = v->fleet;
    const sk_trigger *t = &f->trig;
    if (t->kind == SK_TRIG_NOTICE || (t->kind == SK_TRIG_GONE && t->job < 0)) return;
    if (t->kind == SK_TRIG_GONE) a->release(a->w, t->job);
    int seen = 0;
    for (int64_t id = f->jobs_first(f->w, SK_JOB_QUEUED), nx; id >= 0 && seen < s->window; id = nx, seen++) {
        nx = f->jobs_next(f->w, id);
        ffo_fit(v, a, id);
    }
}

const sk_gpolicy sk_pol_fleet_fifo = {
    .def = {"fifo", ffo_params, sizeof ffo_params / sizeof ffo_params[0],
            "a standing fleet scheduled first-come first-served with bounded backfill (idle capacity kept)"},
    .state_size = sizeof(ffo_state),
    .init = ffo_init,
    .decide = ffo_decide,
};
