/* sk_batch.c - the batch job world, new and old semantics (see sk_batch.h and the spec). */
#include "sim/sk_batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/sk_safety.h"
#include "sk_error.h"

typedef struct sk_bill {
    double total;
    int64_t nh; /* entries appended to H */
    sk_market prev;
    const sk_batch_job *job;
    const double *prices; /* indexed by start + j */
    int64_t start;
    double gap;
    sk_batch_result *res;
    sk_table *sched;
    int sched_rc;
} sk_bill;

/* Append H[j] = m and bill it: total = total + (price(H[j])*gap)/3600.0 (spec section 2). */
static void sk__bill(sk_bill *b, sk_market m) {
    int64_t j = b->nh++;
    double price = 0.0;
    if (m == SK_MKT_SPOT) {
        price = b->prices && !isnan(b->prices[b->start + j]) ? b->prices[b->start + j] : b->job->spot_price;
        if (j >= 1) b->res->spot_ticks++;
    } else if (m == SK_MKT_OD) {
        price = b->job->od_price;
        if (j >= 1) b->res->od_ticks++;
    }
    b->total = b->total + (price * b->gap) / 3600.0;
    if (j >= 1 && m != SK_MKT_NONE && m != b->prev) b->res->launches++;
    b->prev = m;
    if (b->sched && j >= 1 && b->sched_rc >= 0) { /* H[j] ran during interval j-1 */
        b->sched_rc = sk_table_push_f64(b->sched, 0, (double)(j - 1) * b->gap / 3600.0);
        if (b->sched_rc >= 0) b->sched_rc = sk_table_push_i64(b->sched, 1, (int64_t)m);
    }
}

/* Progress for interval k-1 (spec 2, step 2). `clamp`: the new semantics' rro < 1e-3 -> 0. */
static double sk__progress(sk_market last, double gap, double *rro, double C, double S, int clamp) {
    if (last == SK_MKT_NONE) return 0;
    double p = gap - *rro;
    if (p < 0) p = 0;
    *rro = *rro - (gap - p);
    if (clamp && *rro < 1e-3) *rro = 0;
    if (p > C - S) p = C - S;
    return p;
}

/* The world as the policy sees it (core/sk_world.h): one zone, at most one instance, one job. */
typedef struct sk_bw {
    sk_zone_info zone; /* zone.spot_avail: spot can run during the interval being decided */
    sk_instance_info inst;
    sk_job_info job;
    sk_view view;
    sk_actor act;
    int64_t next_id; /* instance ids */
} sk_bw;

static int sk__bw_launch(void *p, int zone, sk_market m) {
    sk_bw *w = p;
    if (zone != 0 || (m != SK_MKT_SPOT && m != SK_MKT_OD)) return 0;
    if (m == SK_MKT_SPOT && !w->zone.spot_avail) return 0; /* no capacity */
    if (w->view.ninst && w->inst.market == m) return 1;
    w->inst = (sk_instance_info){w->next_id++, 0, m, SK_INST_RUNNING, w->view.tick};
    w->view.ninst = 1; /* one instance: a launch replaces the one running */
    return 1;
}

static int sk__bw_terminate(void *p, int64_t id) {
    sk_bw *w = p;
    if (!w->view.ninst || w->inst.id != id) return -1;
    w->view.ninst = 0;
    return 0;
}

static int sk__bw_probe(void *p, int zone) {
    const sk_bw *w = p;
    return zone == 0 && w->zone.spot_avail;
}

static void sk__bw_prices(void *p) { (void)p; }

/* What runs now, before the decision: `cur` (after a preemption at this tick: nothing). */
static void sk__bw_set(sk_bw *w, sk_market cur) {
    if (cur == SK_MKT_NONE) {
        w->view.ninst = 0;
    } else if (!w->view.ninst || w->inst.market != cur) {
        w->inst = (sk_instance_info){w->next_id++, 0, cur, SK_INST_RUNNING, w->view.tick};
        w->view.ninst = 1;
    }
}

/* The market running after the policy's actions: its request for the next interval. */
static sk_market sk__bw_request(const sk_bw *w) { return w->view.ninst ? w->inst.market : SK_MKT_NONE; }

/* Steps 1 and 2 of a tick (spec section 2), shared by both semantics: observe availability a,
 * bill what ran in interval k-1, drop a preempted spot, credit progress (the new semantics clamp
 * rro below 1e-3 to 0), record the finish time when the work is complete, and fill the view. */
static void sk__tick(sk_bill *b, sk_bw *w, int64_t k, int a, sk_market *cur, double *S, double *rro, int clamp) {
    sk_market last = *cur;
    sk__bill(b, last);
    if (*cur == SK_MKT_SPOT && !a) *cur = SK_MKT_NONE;
    double rb = *rro, p = sk__progress(last, b->gap, rro, w->job.work, *S, clamp);
    *S = *S + p;
    if (clamp ? w->job.work - *S <= 1e-3 : *S >= w->job.work)
        if (p > 0) b->res->finish = (double)(k - 1) * b->gap + (rb < b->gap ? rb : b->gap) + p;
    w->view.tick = k;
    w->view.t = (double)k * b->gap;
    w->job.progress = *S;
    w->job.overhead_left = *rro;
    w->zone.spot_avail = a;
    sk__bw_set(w, *cur);
}

int sk_batch_simulate(const sk_batch_job *job, const uint8_t *avail, int64_t L, int64_t start, double gap,
                      const sk_gpolicy *pol, const sk_value *pparams, sk_sim_kind sim, sk_rng *rng,
                      sk_batch_result *res, sk_table *schedule, char *msg, size_t len) {
    memset(res, 0, sizeof *res);
    res->cost = NAN;
    double C = job->C_h * 3600, R = job->R_h * 3600, d = job->d_h * 3600;
    if (schedule && (sk_table_add_col(schedule, "t", SK_TABLE_F64) < 0 || sk_table_add_col(schedule, "market", SK_TABLE_I64) < 0))
        return SK_ENOMEM;
    /* Infeasible (C + d > R): nothing is simulated and the cost is the S-new reference's on-demand
     * fallback od*(C + d), under either semantics and for every policy (docs/experiments.md). */
    double Ch = (job->C_h * 3600) / 3600;
    if (Ch + job->d_h > job->R_h) {
        res->infeasible = 1;
        res->cost = job->od_price * (Ch + job->d_h);
        return 0;
    }
    if (sim == SK_SIM_NEW) {
        if (ceil((Ch * 3600) / gap) > (double)(L - start)) {
            res->exhausted = 1;
            return 0;
        }
    }
    static const double no_egress = 0;
    static const int64_t no_count = 0; /* the batch world keeps no per-zone counters */
    sk_bw w = {
        .zone = {"zone", "zone", "zone", "", job->od_price, job->spot_price, start < L ? avail[start] : 0},
        .job = {C, 0, R, d, 0, 0, -1},
        .next_id = 1,
    };
    w.view = (sk_view){0, 0, gap, 1, &w.zone, &no_egress, NULL, 0, &w.inst, 1, &w.job, {&no_count, &no_count, &no_count, &no_count}, NULL, rng, NULL};
    w.act = (sk_actor){&w, sk__bw_launch, sk__bw_terminate, sk__bw_probe, sk__bw_prices, NULL, NULL, NULL, NULL};
    sk_plan plan = {NULL, 0};
    int rc = 0;
    if (pol->planner) { /* the future: zone 0's availability and spot price from the start */
        int64_t n = L > start ? L - start : 0;
        double *pr = malloc(((size_t)n + 1) * sizeof *pr);
        if (!pr) return SK_ENOMEM;
        for (int64_t k = 0; k < n; k++)
            pr[k] = job->prices && !isnan(job->prices[start + k]) ? job->prices[start + k] : job->spot_price;
        const uint8_t *av0 = avail + (start < L ? start : L);
        const double *pr0 = pr, zero = 0;
        sk_future f = {1, n, &av0, &pr0, &job->od_price, &zero, &zero, gap, w.job, 0};
        rc = pol->planner->plan(&f, pparams, &plan, msg, len);
        free(pr);
        if (rc < 0) {
            free(plan.step);
            if (rc == SK_EDATA) { /* the trace can't support the planner: an exhausted run, not an error */
                res->exhausted = 1;
                rc = 0;
            }
            return rc;
        }
        w.view.plan = &plan;
    }
    /* policy state: small states live on the stack */
    unsigned char stack_state[256] __attribute__((aligned(16)));
    void *state = pol->state_size <= sizeof stack_state ? stack_state : calloc(1, pol->state_size);
    if (!state) {
        free(plan.step);
        return SK_ENOMEM;
    }
    memset(state, 0, pol->state_size <= sizeof stack_state ? pol->state_size : 0);
    rc = pol->init ? pol->init(state, pparams, &w.view, msg, len) : 0;
    if (rc < 0) {
        if (rc == SK_EDATA) { /* the trace can't support the policy: an exhausted run, not an error */
            res->exhausted = 1;
            rc = 0;
        }
        goto out;
    }

    sk_bill b = {.prev = SK_MKT_NONE, .job = job, .prices = job->prices, .start = start, .gap = gap, .res = res, .sched = schedule};
    double S = 0, rro = 0;
    sk_market cur = SK_MKT_NONE;
    int64_t k = 0;
    int done = 0;
    if (sim == SK_SIM_NEW) {
        while (!(C - S <= 1e-3)) {
            int64_t i = start + k;
            if (i > L) { res->exhausted = 1; goto fin; }
            sk_market last = cur;
            int a = i < L ? avail[i] : 0;
            sk__tick(&b, &w, k, a, &cur, &S, &rro, 1);
            done = C - S <= 1e-3;
            pol->decide(state, &w.view, &w.act);
            sk_market D = sk_safety_cbl(&w.view, last, sk__bw_request(&w)); /* the guard (spec 3.0) */
            if (D != cur && D != SK_MKT_NONE) rro = d;
            if (!done && (double)k * gap >= R) { res->late = 1; goto fin; }
            cur = done ? SK_MKT_NONE : D;
            if (done) break;
            k++;
        }
        res->finish_tick = k;
    } else {
        do {
            int64_t i = start + k;
            if (i >= L) { res->exhausted = 1; goto fin; }
            sk__tick(&b, &w, k, avail[i], &cur, &S, &rro, 0);
            pol->decide(state, &w.view, &w.act);
            sk_market D = sk__bw_request(&w);
            if (D != cur && D != SK_MKT_NONE) rro = d;
            cur = D;
            done = S >= C;
            k++;
        } while (!done);
        res->finish_tick = k - 1;
        /* one extra tick: observe, bill the decision taken at T, ask once more, discard */
        int64_t i = start + k;
        if (i >= L) { res->exhausted = 1; goto fin; }
        sk__bill(&b, cur);
    }
    res->cost = b.total;
    res->late = res->finish > R;
fin:
    if (b.sched_rc < 0) rc = b.sched_rc;
    if (pol->fini) pol->fini(state);
out:
    if (state != stack_state) free(state);
    free(plan.step);
    return rc;
}
