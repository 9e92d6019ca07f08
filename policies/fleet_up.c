/* fleet_up.c - Uniform Progress per job in the fleet (the deadline-aware rule of "Can't Be Late",
 * NSDI'24, and its multi-region form): a job that is on or ahead of the uniform progress line
 * work x (t - arrival) / (deadline - arrival) runs only on spot (cheapest pool with capacity,
 * any region) and otherwise waits; a job behind the line takes spot when some pool has it, else
 * on-demand; and the deadline safety net puts a job on on-demand, for good, when the time left is
 * no more than its remaining work plus one restart plus one backoff. With the scenario's
 * decision tick (tick_s > 0), a job on on-demand that is ahead of the line by two restarts moves
 * back to spot when some pool has it (a planned move: it checkpoints first). A job without a
 * deadline is run like cheapest_spot with fallback wait. */
#include "policies/fleet_common.h"

static const sk_param_def fup_params[] = {FP_PARAMS};

static double fup_line(const sk_fjob_info *j, double t) {
    double span = j->deadline - j->arrival;
    return span > 0 ? j->work * (t - j->arrival) / span : j->work;
}

/* Some pool shows room for the job on spot (or shows no capacity at all). */
static int fup_spot_maybe(const sk_view *v, const sk_fjob_info *j) {
    const sk_fleet_view *f = v->fleet;
    for (int p = 0; p < f->npools; p++) {
        const sk_itype_info *t = &f->types[f->pools[p].type];
        if (t->gpus <= 0 || !sk_fjob_allows(j, t->gpu_id)) continue;
        int c = (j->gpus + t->gpus - 1) / t->gpus;
        if (f->pools[p].spot_cap < 0 || f->pools[p].spot_cap - f->pools[p].n_spot >= c) return 1;
    }
    return 0;
}

static void fup_place(fp_state *s, const sk_view *v, const sk_actor *a, int64_t job) {
    const sk_fjob_info *j = v->fleet->job(v->fleet->w, job);
    double o = v->fleet->restart_s, rem = j->work - j->saved, left = j->deadline - v->t;
    if (isinf(j->deadline)) {
        if (!fp_place(s, v, a, job, SK_MKT_SPOT, FP_ANY, -1, 0)) a->retry(a->w, job, s->backoff_s);
        return;
    }
    double slack = left - (rem + o + s->backoff_s);
    if (slack < 1) { /* safety net (less than a second of slack counts as none) */
        if (!fp_place(s, v, a, job, SK_MKT_OD, FP_ANY, -1, 0)) a->retry(a->w, job, s->backoff_s);
        return;
    }
    if (fp_place(s, v, a, job, SK_MKT_SPOT, FP_ANY, -1, 0)) return;
    if (j->saved < fup_line(j, v->t) && fp_place(s, v, a, job, SK_MKT_OD, FP_ANY, -1, 0)) return;
    a->retry(a->w, job, slack < s->backoff_s ? slack : s->backoff_s);
}

static void fup_decide(void *st, const sk_view *v, const sk_actor *a) {
    fp_state *s = st;
    const sk_fleet_view *f = v->fleet;
    const sk_trigger *t = &f->trig;
    if (t->kind == SK_TRIG_TICK) {
        for (int64_t id = f->jobs_first(f->w, SK_JOB_RUNNING), nx; id >= 0; id = nx) {
            nx = f->jobs_next(f->w, id);
            const sk_fjob_info *j = f->job(f->w, id);
            if (j->market != SK_MKT_OD || isinf(j->deadline)) continue;
            double rem = j->work - j->progress, left = j->deadline - v->t;
            if (j->progress - fup_line(j, v->t) < 2 * f->restart_s || left - (rem + 2 * f->restart_s + s->backoff_s) <= 0) continue;
            if (!fup_spot_maybe(v, j)) continue;
            /* move: launch on spot, then let the on-demand go (or keep it when spot refuses) */
            int64_t keep[64];
            int nk = 0;
            for (int64_t i = f->inst_first(f->w, id); i >= 0 && nk < 64; i = f->inst_next(f->w, i)) keep[nk++] = i;
            a->release(a->w, id);
            if (fp_place(s, v, a, id, SK_MKT_SPOT, FP_ANY, -1, 0)) {
                for (int k = 0; k < nk; k++) a->terminate(a->w, keep[k]);
            } else {
                for (int k = 0; k < nk; k++) a->assign(a->w, id, keep[k]);
            }
        }
        return;
    }
    if (fp_cloud_common(v, a) || t->job < 0) return;
    if (t->kind == SK_TRIG_GONE) fp_terminate_job(v, a, t->job);
    fup_place(s, v, a, t->job);
}

const sk_gpolicy sk_pol_fleet_uniform_progress = {
    .def = {"uniform_progress", fup_params, sizeof fup_params / sizeof fup_params[0],
            "Uniform Progress per job with the deadline safety net: spot when on track, on-demand when behind or late"},
    .state_size = sizeof(fp_state),
    .init = fp_policy_init,
    .decide = fup_decide,
    .fini = fp_policy_fini,
};
