/* sk_batch.c - the batch job world, new and old semantics (see sk_batch.h and the spec). */
#include "sim/sk_batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Steps 1 and 2 of a tick (spec section 2), shared by both semantics: observe availability a,
 * bill what ran in interval k-1, drop a preempted spot, credit progress (the new semantics clamp
 * rro below 1e-3 to 0), record the finish time when the work is complete, and fill the view. */
static void sk__tick(sk_bill *b, sk_batch_view *v, int64_t k, int a, sk_market *cur, double *S, double *rro, int clamp) {
    sk_market last = *cur;
    sk__bill(b, last);
    if (*cur == SK_MKT_SPOT && !a) *cur = SK_MKT_NONE;
    double rb = *rro, p = sk__progress(last, b->gap, rro, v->C, *S, clamp);
    *S = *S + p;
    if (clamp ? v->C - *S <= 1e-3 : *S >= v->C)
        if (p > 0) b->res->finish = (double)(k - 1) * b->gap + (rb < b->gap ? rb : b->gap) + p;
    v->k = k;
    v->t = (double)k * b->gap;
    v->S = *S;
    v->rro = *rro;
    v->cur = *cur;
    v->last = last;
    v->avail = a;
}

int sk_batch_simulate(const sk_batch_job *job, const uint8_t *avail, int64_t L, int64_t start, double gap,
                      const sk_policy_type *pol, const sk_value *pparams, sk_sim_kind sim, sk_rng *rng,
                      sk_batch_result *res, sk_table *schedule, char *msg, size_t len) {
    memset(res, 0, sizeof *res);
    res->cost = NAN;
    double C = job->C_h * 3600, R = job->R_h * 3600, d = job->d_h * 3600;
    if (schedule && (sk_table_add_col(schedule, "t", SK_TABLE_F64) < 0 || sk_table_add_col(schedule, "market", SK_TABLE_I64) < 0))
        return SK_ENOMEM;
    if (sim == SK_SIM_NEW) {
        double Ch = (job->C_h * 3600) / 3600;
        if (Ch + job->d_h > job->R_h) {
            res->infeasible = 1;
            res->cost = job->od_price * (Ch + job->d_h);
            return 0;
        }
        if (ceil((Ch * 3600) / gap) > (double)(L - start)) {
            res->exhausted = 1;
            return 0;
        }
    }
    sk_batch_view v = {
        .C = C, .R = R, .d = d, .gap = gap, .od_price = job->od_price, .spot_price = job->spot_price,
        .cur = SK_MKT_NONE, .last = SK_MKT_NONE, .rng = rng,
    };
    if (pol->oracle) {
        v.future = avail + start;
        v.nfuture = L - start;
    }
    /* policy state: small states live on the stack */
    unsigned char stack_state[256] __attribute__((aligned(16)));
    void *state = pol->state_size <= sizeof stack_state ? stack_state : calloc(1, pol->state_size);
    if (!state) return SK_ENOMEM;
    memset(state, 0, pol->state_size <= sizeof stack_state ? pol->state_size : 0);
    v.avail = start < L ? avail[start] : 0;
    int rc = pol->init ? pol->init(state, pparams, &v, msg, len) : 0;
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
    sk_actions act;
    if (sim == SK_SIM_NEW) {
        while (!(C - S <= 1e-3)) {
            int64_t i = start + k;
            if (i > L) { res->exhausted = 1; goto fin; }
            sk_market last = cur;
            int a = i < L ? avail[i] : 0;
            sk__tick(&b, &v, k, a, &cur, &S, &rro, 1);
            done = C - S <= 1e-3;
            pol->decide(state, &v, &act);
            /* the guard (spec 3.0) */
            sk_batch_q q = sk_batch_quantities(&v);
            int crit = q.rem > 1e-3 && q.need1 >= q.rt;
            sk_market D = act.run;
            if (crit) D = (last == SK_MKT_SPOT && rro < 1e-3) ? SK_MKT_SPOT : SK_MKT_OD;
            if (D == SK_MKT_SPOT && !a) D = crit ? SK_MKT_OD : SK_MKT_NONE;
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
            sk__tick(&b, &v, k, avail[i], &cur, &S, &rro, 0);
            pol->decide(state, &v, &act);
            if (act.run != cur && act.run != SK_MKT_NONE) rro = d;
            cur = act.run;
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
    return rc;
}
