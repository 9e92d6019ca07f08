/* sk_mr.c - the multi-region deadline job world (sk_mr.h). Section numbers (§) are the spec's:
 * ../shared/specs/skynomad-multiregion.md. */
#include "sim/sk_mr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_results.h"
#include "models/sk_migration.h"
#include "policies/sk_safety.h"
#include "sk_error.h"

enum { SK_MR_MAXACT = 4 };

typedef struct sk_mr {
    const sk_mr_job *job;
    const sk_mr_zone *z;
    int nz;
    double C, R, d, gap;
    int64_t start, k;
    int64_t *M; /* last tick k at which zone r reads its trace (§1) */

    /* the view's arrays */
    sk_zone_info *zi;
    char (*names)[3][64]; /* zone, region, cloud */
    double *egress, *xfer_h;
    sk_instance_info inst[SK_MR_MAXACT];
    int ninst;
    sk_job_info jobv;
    int64_t *cnt; /* 4 x nz: launch_fail, preempted, probe_ok, probe_fail */
    sk_view view;
    sk_actor act;

    /* §2 state */
    int64_t next_id;
    int *cc_order;    /* cur_costs: insertion-ordered zones */
    int ncc;
    sk_market *cc_type;
    uint8_t *pflag;
    int lt_zone, lt_src, ll_zone, ll_src; /* launch_this / launch_last (zone -1: none) */
    int leader;
    double S, rro;
    int64_t *tau;     /* the tick of each zone's last observed price (§4.4) */
    int fatal;        /* SK_EDATA once a fatal condition of the reference was hit */
    char fmsg[256];

    /* billing */
    double compute, transfer, probe, downtime_cost;
    double spot_s, od_s;
    int lastbill_n;   /* the bill of the interval just billed, for its downtime */
    double lastbill_price[SK_MR_MAXACT + SK_MR_MAXZONES];
    int *bill_zone, *bill_pf, *pf_list;
    sk_market *bill_type;
    sk_mr_result *res;
    sk_table *series;
    int series_rc;
} sk_mr;

/* ---- trace reads ------------------------------------------------------------------------------- */

/* avail_r(k) (§1); sets the fatal flag past the trace bound. */
static int sk__avail(sk_mr *w, int r, int64_t k, int observe) {
    if (k <= w->M[r]) {
        if (observe) w->tau[r] = k;
        return w->z[r].avail[w->start + k] != 0;
    }
    if (k == w->M[r] + 1) return 0;
    if (!w->fatal) {
        w->fatal = SK_EDATA;
        snprintf(w->fmsg, sizeof w->fmsg, "%s: tick %lld exceeded trace data bounds (last tick %lld)", w->z[r].name,
                 (long long)k, (long long)w->M[r]);
    }
    return 0;
}

static double sk__spot_price(const sk_mr *w, int r, int64_t j) {
    const sk_mr_zone *z = &w->z[r];
    if (!z->prices) return z->spot_price;
    int64_t i = w->start + j;
    if (i >= z->n) i = z->n - 1; /* not reached: billed ticks are inside the trace */
    if (i < 0) i = 0;
    return z->prices[i];
}

static void sk__refresh_price(sk_mr *w, int r) { w->zi[r].spot_price = sk__spot_price(w, r, w->tau[r]); }

/* ---- cur_costs: an insertion-ordered map zone -> market ---------------------------------------- */

static void sk__cc_set(sk_mr *w, int r, sk_market m) {
    int i;
    for (i = 0; i < w->ncc && w->cc_order[i] != r; i++) {}
    if (i == w->ncc) w->cc_order[w->ncc++] = r;
    w->cc_type[r] = m;
}

static void sk__cc_pop(sk_mr *w, int r) {
    for (int i = 0; i < w->ncc; i++)
        if (w->cc_order[i] == r) {
            memmove(&w->cc_order[i], &w->cc_order[i + 1], (size_t)(w->ncc - i - 1) * sizeof *w->cc_order);
            w->ncc--;
            break;
        }
    w->pflag[r] = 0;
}

/* ---- actions (§3 step 6) ----------------------------------------------------------------------- */

static int sk__act_launch(void *p, int r, sk_market m) {
    sk_mr *w = p;
    if (r < 0 || r >= w->nz || (m != SK_MKT_SPOT && m != SK_MKT_OD)) return 0;
    if (m == SK_MKT_SPOT && !sk__avail(w, r, w->k, 1)) {
        w->cnt[r]++;
        sk__refresh_price(w, r);
        return 0;
    }
    if (m == SK_MKT_SPOT) sk__refresh_price(w, r);
    for (int i = 0; i < w->ninst; i++)
        if (w->inst[i].zone == r && w->inst[i].market == m) return 1;
    if (w->ninst == SK_MR_MAXACT) { /* the reference asserts at most one at a boundary */
        if (!w->fatal) w->fatal = SK_EDATA, snprintf(w->fmsg, sizeof w->fmsg, "policy launched more than %d instances in one tick", SK_MR_MAXACT);
        return 0;
    }
    w->inst[w->ninst++] = (sk_instance_info){w->next_id++, r, m, SK_INST_RUNNING, w->k};
    w->view.ninst = w->ninst;
    sk__cc_set(w, r, m);
    w->pflag[r] = 0;
    w->lt_zone = r;
    w->lt_src = w->leader;
    w->res->launches++;
    return 1;
}

static void sk__remove(sk_mr *w, int i) {
    memmove(&w->inst[i], &w->inst[i + 1], (size_t)(w->ninst - i - 1) * sizeof w->inst[0]);
    w->view.ninst = --w->ninst;
}

static int sk__act_terminate(void *p, int64_t id) {
    sk_mr *w = p;
    for (int i = 0; i < w->ninst; i++)
        if (w->inst[i].id == id) {
            if (w->inst[i].launched == w->k) { /* fatal in the reference */
                if (!w->fatal)
                    w->fatal = SK_EDATA,
                    snprintf(w->fmsg, sizeof w->fmsg, "policy terminated the instance it launched in tick %lld", (long long)w->k);
                return -1;
            }
            int r = w->inst[i].zone;
            sk__remove(w, i);
            sk__cc_pop(w, r);
            return 0;
        }
    return -1;
}

static int sk__act_probe(void *p, int r) {
    sk_mr *w = p;
    if (r < 0 || r >= w->nz) return 0;
    int ok = sk__avail(w, r, w->k, 1);
    sk__refresh_price(w, r);
    w->res->probes++;
    if (ok) {
        sk__cc_set(w, r, SK_MKT_SPOT);
        w->pflag[r] = 1;
        w->cnt[2 * w->nz + r]++;
    } else {
        w->cnt[3 * w->nz + r]++;
    }
    return ok;
}

/* UP(S)'s price query (§4.2): every zone's price at min(k, M_r). */
static void sk__act_prices(void *p) {
    sk_mr *w = p;
    for (int r = 0; r < w->nz; r++) {
        if (w->k > w->M[r] + 1) sk__avail(w, r, w->k, 0); /* fatal, as the reference */
        w->tau[r] = w->k < w->M[r] ? w->k : w->M[r];
        sk__refresh_price(w, r);
    }
}

/* ---- billing (§5) ------------------------------------------------------------------------------ */

/* CPython's iteration order of a set of small non-negative ints built by inserting `ins` in order:
 * open addressing (linear probes of 9 when they fit, then i = 5i + 1 + perturb), resized after an
 * insert when 5*fill >= 3*mask to the smallest power of two above 4*used, rehashing in slot order.
 * tab has room for cap slots (enough for n <= cap/4). Fills out[0..n). */
static void sk__pyset_put(int *tab, size_t mask, int key) {
    size_t h = (size_t)key, i = h & mask, perturb = h;
    for (;;) {
        size_t probes = (i + 9 <= mask) ? 9 : 0, j = i;
        for (;;) {
            if (tab[j] < 0) {
                tab[j] = key;
                return;
            }
            if (!probes--) break;
            j++;
        }
        perturb >>= 5;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

static void sk__pyset_order(const int *ins, int n, int *out, int *tab, int cap) {
    size_t size = 8, used = 0;
    for (size_t i = 0; i < size; i++) tab[i] = -1;
    for (int q = 0; q < n; q++) {
        sk__pyset_put(tab, size - 1, ins[q]);
        used++;
        if (used * 5 < (size - 1) * 3) continue;
        size_t ns = 8, want = used > 50000 ? used * 2 : used * 4;
        while (ns <= want) ns <<= 1;
        if (ns > (size_t)cap / 2) ns = (size_t)cap / 2; /* not reached for cap >= 8n */
        int *old = tab + cap / 2;
        memcpy(old, tab, size * sizeof *tab);
        size_t os = size;
        size = ns;
        for (size_t i = 0; i < size; i++) tab[i] = -1;
        for (size_t i = 0; i < os; i++)
            if (old[i] >= 0) sk__pyset_put(tab, size - 1, old[i]);
    }
    int m = 0;
    for (size_t i = 0; i < size; i++)
        if (tab[i] >= 0) out[m++] = tab[i];
}

static void sk__bill(sk_mr *w, int64_t j) {
    int nb = 0;
    for (int i = 0; i < w->ninst; i++) {
        w->bill_zone[nb] = w->inst[i].zone;
        w->bill_type[nb] = w->inst[i].market;
        w->bill_pf[nb] = 0;
        nb++;
    }
    int npf = 0;
    for (int q = 0; q < w->ncc; q++) {
        int r = w->cc_order[q];
        if (!w->pflag[r]) continue;
        int b;
        for (b = 0; b < nb && w->bill_zone[b] != r; b++) {}
        if (b == nb) {
            w->bill_zone[nb] = r;
            w->bill_type[nb] = w->cc_type[r];
            w->bill_pf[nb] = 0;
            nb++;
        }
        w->bill_pf[b] = 1;
        w->pf_list[npf++] = b; /* bill index, in pflag insertion order */
    }
    w->lastbill_n = 0;
    if (nb) {
        for (int b = 0; b < nb; b++) {
            int r = w->bill_zone[b];
            double price = w->bill_type[b] == SK_MKT_SPOT ? sk__spot_price(w, r, j) : w->z[r].od_price;
            double secs = (w->bill_pf[b] && w->bill_type[b] == SK_MKT_SPOT) ? 60 : w->gap;
            w->compute += price * secs / 3600;
            if (w->bill_type[b] == SK_MKT_SPOT) w->spot_s += secs;
            else w->od_s += secs;
            w->lastbill_price[w->lastbill_n++] = price; /* nb <= instances + zones */
            if (w->series && w->series_rc >= 0) {
                w->series_rc = sk_table_push_f64(w->series, 0, (double)j * w->gap / 3600.0);
                if (w->series_rc >= 0) w->series_rc = sk_table_push_i64(w->series, 1, r);
                if (w->series_rc >= 0) w->series_rc = sk_table_push_i64(w->series, 2, (int64_t)w->bill_type[b]);
                if (w->series_rc >= 0) w->series_rc = sk_table_push_i64(w->series, 3, w->bill_pf[b]);
            }
        }
        if (npf) {
            /* the reference adds probe costs in CPython set order of the probed zones */
            int ins[64], ord[64], tab[1024], n = npf < 64 ? npf : 64;
            for (int q = 0; q < n; q++) ins[q] = w->bill_zone[w->pf_list[q]];
            sk__pyset_order(ins, n, ord, tab, 1024);
            for (int q = 0; q < n; q++) {
                int b;
                for (b = 0; b < nb && w->bill_zone[b] != ord[q]; b++) {}
                int r = ord[q];
                double price = w->bill_type[b] == SK_MKT_SPOT ? sk__spot_price(w, r, j) : w->z[r].od_price;
                w->probe += price * (w->bill_type[b] == SK_MKT_SPOT ? 60 : w->gap) / 3600;
            }
        }
    }
    w->ncc = 0;
    memset(w->pflag, 0, (size_t)w->nz);
}

/* ---- progress (§3 step 2) ---------------------------------------------------------------------- */

static void sk__progress(sk_mr *w) {
    double S0 = w->S;
    if (!w->ninst) return; /* append 0; nothing to preempt */
    int r = w->inst[0].zone;
    double ov = w->rro;
    if (w->ll_zone >= 0) {
        int src = w->ll_src;
        ov = w->d + (w->job->transfer_time && src >= 0 ? w->xfer_h[(size_t)src * (size_t)w->nz + (size_t)r] : 0.0) * 3600;
        int src_active = 0;
        for (int i = 0; i < w->ninst; i++) src_active |= w->inst[i].zone == src;
        if (src >= 0 && src != r && !src_active) {
            w->res->migrations++;
            switch (sk_mig_relation(w->z[src].name, w->z[r].name)) {
            case SK_REL_CROSS_AZ: w->res->mig_az++; break;
            case SK_REL_CROSS_REGION: w->res->mig_region++; break;
            case SK_REL_CROSS_CONTINENT: w->res->mig_continent++; break;
            default: break;
            }
            w->transfer += w->egress[(size_t)src * (size_t)w->nz + (size_t)r];
        }
    }
    double p = w->gap - ov > 0.0 ? w->gap - ov : 0.0, pu = p;
    if (w->gap - p > 0)
        for (int b = 0; b < w->lastbill_n; b++) w->downtime_cost += w->lastbill_price[b] * (w->gap - p) / 3600;
    ov = ov - w->gap > 0.0 ? ov - w->gap : 0.0;
    if (p > w->C - S0) p = w->C - S0;
    w->rro = ov;
    w->S = S0 + p;
    if (w->C - w->S <= 1e-3) w->res->finish = (double)(w->k - 1) * w->gap + (w->gap - pu) + p;
    for (int i = 0; i < w->ninst;) {
        if (w->inst[i].market == SK_MKT_SPOT && !sk__avail(w, w->inst[i].zone, w->k, 0)) {
            w->cnt[w->nz + w->inst[i].zone]++;
            w->res->preemptions++;
            sk__remove(w, i);
        } else {
            i++;
        }
    }
    w->leader = r;
}

/* ---- set-up ------------------------------------------------------------------------------------ */

int sk_mr_check(const sk_mr_job *job, const sk_mr_zone *z, int nz, char *msg, size_t len) {
    if (nz < 1 || nz > SK_MR_MAXZONES) {
        snprintf(msg, len, "%d zones: expected 1 to %d", nz, SK_MR_MAXZONES);
        return SK_ECONFIG;
    }
    double C = job->C_h * 3600.0;
    int64_t W = (int64_t)ceil(job->R_h * 3600 / job->gap), need = (int64_t)ceil(C / job->gap);
    for (int r = 0; r < nz; r++) {
        if (isnan(z[r].od_price)) {
            snprintf(msg, len, "%s: no on-demand price (metadata.price_info.on_demand_price)", z[r].name);
            return SK_EDATA;
        }
        if (isnan(z[r].spot_price) && !z[r].prices) {
            snprintf(msg, len, "%s: no spot price (metadata.price_info.price or prices)", z[r].name);
            return SK_EDATA;
        }
        if (job->start >= z[r].n) {
            snprintf(msg, len, "%s: start tick %lld is past the trace's end (%lld ticks)", z[r].name, (long long)job->start,
                     (long long)z[r].n);
            return SK_EDATA;
        }
        int64_t have = z[r].n - job->start;
        if (job->window_bound && W < have) have = W;
        double Ch = (job->C_h * 3600.0) / 3600.0;
        if (!(Ch + job->d_h > job->R_h) && need > have) {
            snprintf(msg, len, "%s: trace data insufficient: %lld ticks of work, %lld ticks from the start", z[r].name,
                     (long long)need, (long long)have);
            return SK_EDATA;
        }
    }
    return 0;
}

static void sk__free(sk_mr *w) {
    free(w->M);
    free(w->zi);
    free(w->names);
    free(w->egress);
    free(w->xfer_h);
    free(w->cnt);
    free(w->cc_order);
    free(w->cc_type);
    free(w->pflag);
    free(w->tau);
    free(w->bill_zone);
    free(w->bill_pf);
    free(w->pf_list);
    free(w->bill_type);
}

static void sk__fill_job(sk_mr *w) {
    w->jobv.progress = w->S;
    w->jobv.overhead_left = w->rro;
    w->jobv.ckpt_zone = w->leader;
    w->view.tick = w->k;
    w->view.t = (double)w->k * w->gap;
    w->view.ninst = w->ninst;
}

int sk_mr_simulate(const sk_mr_job *job, const sk_mr_zone *z, int nz, const sk_gpolicy *pol, const sk_value *pp,
                   struct sk_rng *rng, sk_mr_result *res, sk_table *series, char *msg, size_t len) {
    memset(res, 0, sizeof *res);
    int rc = sk_mr_check(job, z, nz, msg, len);
    if (rc < 0) return rc;
    double Ch = (job->C_h * 3600.0) / 3600.0;
    if (Ch + job->d_h > job->R_h) { /* §3 pre-check 1: the cheapest on-demand for C + d */
        double od = z[0].od_price;
        for (int r = 1; r < nz; r++)
            if (z[r].od_price < od) od = z[r].od_price;
        res->cost_main = res->cost_sweep = od * (Ch + job->d_h);
        res->infeasible = 1;
        res->finish = NAN;
        return 0;
    }
    sk_mr w_, *w = &w_;
    memset(w, 0, sizeof *w);
    w->job = job, w->z = z, w->nz = nz, w->res = res, w->series = series;
    w->C = job->C_h * 3600.0, w->R = job->R_h * 3600, w->d = job->d_h * 3600, w->gap = job->gap;
    w->start = job->start;
    size_t n = (size_t)nz;
    w->M = calloc(n, sizeof *w->M);
    w->zi = calloc(n, sizeof *w->zi);
    w->names = calloc(n, sizeof *w->names);
    w->egress = calloc(n * n, sizeof *w->egress);
    w->xfer_h = calloc(n * n, sizeof *w->xfer_h);
    w->cnt = calloc(4 * n, sizeof *w->cnt);
    w->cc_order = calloc(n, sizeof *w->cc_order);
    w->cc_type = calloc(n, sizeof *w->cc_type);
    w->pflag = calloc(n, 1);
    w->tau = calloc(n, sizeof *w->tau);
    w->bill_zone = calloc(n + SK_MR_MAXACT, sizeof *w->bill_zone);
    w->bill_pf = calloc(n + SK_MR_MAXACT, sizeof *w->bill_pf);
    w->pf_list = calloc(n + SK_MR_MAXACT, sizeof *w->pf_list);
    w->bill_type = calloc(n + SK_MR_MAXACT, sizeof *w->bill_type);
    if (!w->M || !w->zi || !w->names || !w->egress || !w->xfer_h || !w->cnt || !w->cc_order || !w->cc_type || !w->pflag ||
        !w->tau || !w->bill_zone || !w->bill_pf || !w->pf_list || !w->bill_type) {
        sk__free(w);
        snprintf(msg, len, "out of memory (%d zones)", nz);
        return SK_ENOMEM;
    }
    int64_t W = (int64_t)ceil(job->R_h * 3600 / job->gap);
    for (int r = 0; r < nz; r++) {
        int64_t have = z[r].n - w->start;
        if (job->window_bound && W < have) have = W;
        w->M[r] = have - 1;
        sk_mig_parse(z[r].name, w->names[r][0], 64, w->names[r][1], 64);
        sk_mig_cloud_region(w->names[r][0], w->names[r][1], 64);
        snprintf(w->names[r][2], 64, "%s", sk_mig_cloud(w->names[r][0]));
        w->zi[r] = (sk_zone_info){z[r].name, w->names[r][0], w->names[r][1], w->names[r][2], z[r].od_price, 0, -1};
        for (int s = 0; s < nz; s++) {
            w->egress[(size_t)r * n + (size_t)s] = sk_mig_transfer_usd(z[r].name, z[s].name, job->ckpt_gb);
            w->xfer_h[(size_t)r * n + (size_t)s] = sk_mig_transfer_hours(z[r].name, z[s].name, job->ckpt_gb);
        }
        sk__refresh_price(w, r);
    }
    w->jobv = (sk_job_info){w->C, 0, w->R, w->d, 0, job->ckpt_gb, -1};
    w->view = (sk_view){0, 0, w->gap, nz, w->zi, w->egress, job->transfer_time ? w->xfer_h : NULL, 0, w->inst, 1, &w->jobv,
                        {w->cnt, w->cnt + n, w->cnt + 2 * n, w->cnt + 3 * n}, NULL, rng, NULL};
    w->act = (sk_actor){w, sk__act_launch, sk__act_terminate, sk__act_probe, sk__act_prices, NULL, NULL, NULL, NULL};
    w->lt_zone = w->ll_zone = w->leader = -1;
    w->lt_src = w->ll_src = -1;
    w->next_id = 1;
    if (series && (sk_table_add_col(series, "t", SK_TABLE_F64) < 0 || sk_table_add_col(series, "zone", SK_TABLE_I64) < 0 ||
                   sk_table_add_col(series, "market", SK_TABLE_I64) < 0 || sk_table_add_col(series, "probe", SK_TABLE_I64) < 0)) {
        sk__free(w);
        snprintf(msg, len, "out of memory (series)");
        return SK_ENOMEM;
    }

    /* the planner, then the policy */
    sk_plan plan = {NULL, 0};
    if (pol->planner) {
        uint8_t **av = calloc(n, sizeof *av);
        double **pr = calloc(n, sizeof *pr);
        double *od = calloc(n, sizeof *od);
        /* every zone's whole remaining trace (past the deadline and any window bound: SkyNomad's
         * oracle reads a spot run to the trace's end), and at least up to the deadline */
        int64_t T = (int64_t)floor(w->R / w->gap);
        for (int r = 0; r < nz; r++)
            if (z[r].n - w->start > T) T = z[r].n - w->start;
        rc = av && pr && od ? 0 : SK_ENOMEM;
        for (int r = 0; r < nz && !rc; r++) {
            av[r] = calloc((size_t)T + 1, 1);
            pr[r] = calloc((size_t)T + 1, sizeof **pr);
            if (!av[r] || !pr[r]) {
                rc = SK_ENOMEM;
                break;
            }
            od[r] = z[r].od_price;
            for (int64_t t = 0; t <= T; t++) {
                int64_t i = w->start + t;
                av[r][t] = i < z[r].n && z[r].avail[i];
                pr[r][t] = i < z[r].n ? sk__spot_price(w, r, t) : z[r].spot_price;
            }
        }
        if (!rc) {
            sk_future f = {nz, T, (const uint8_t *const *)av, (const double *const *)pr, od, w->egress, w->xfer_h, w->gap, w->jobv, job->transfer_time};
            rc = pol->planner->plan(&f, pp, &plan, msg, len);
        } else {
            snprintf(msg, len, "out of memory (planner input)");
        }
        for (int r = 0; av && pr && r < nz; r++) free(av[r]), free(pr[r]);
        free(av), free(pr), free(od);
        if (rc < 0) {
            free(plan.step);
            sk__free(w);
            return rc;
        }
        w->view.plan = &plan;
    }
    void *st = pol->state_size ? calloc(1, pol->state_size) : NULL;
    if (pol->state_size && !st) {
        free(plan.step);
        sk__free(w);
        snprintf(msg, len, "out of memory (policy state)");
        return SK_ENOMEM;
    }
    if (pol->init && (rc = pol->init(st, pp, &w->view, msg, len)) < 0) {
        free(st);
        free(plan.step);
        sk__free(w);
        return rc;
    }

    sk_safety net = {0};
    int use_net = !(pol->flags & SK_POL_NO_SAFETY_NET);
    rc = 0;
    /* §3: the tick loop */
    for (w->k = 0;; w->k++) {
        if (w->k > 0) sk__bill(w, w->k - 1);
        w->ll_zone = w->lt_zone, w->ll_src = w->lt_src;
        w->lt_zone = w->lt_src = -1;
        if (w->k > 0) sk__progress(w);
        if (w->fatal) break;
        if (w->C - w->S <= 1e-3) break;
        if ((double)w->k * w->gap >= w->R) {
            res->late = 1;
            break;
        }
        sk__fill_job(w);
        int skip = 0;
        if (use_net) {
            skip = sk_safety_mr(&net, &w->view, &w->act);
            if (skip < 0) {
                w->fatal = SK_EDATA;
                snprintf(w->fmsg, sizeof w->fmsg, "safety net infeasible at tick %lld: %.17g s of work left, %.17g s to the deadline",
                         (long long)w->k, w->C - w->S, floor((w->R - (double)w->k * w->gap) / w->gap) * w->gap);
                break;
            }
            w->view.ninst = w->ninst;
        }
        if (!skip) pol->decide(st, &w->view, &w->act);
        if (w->fatal) break;
        if (w->ninst > 1) {
            w->fatal = SK_EDATA;
            snprintf(w->fmsg, sizeof w->fmsg, "policy %s left %d instances running at tick %lld", pol->def.name, w->ninst, (long long)w->k);
            break;
        }
        res->cost_sweep = w->compute + w->transfer; /* the in-loop snapshot (§5) */
    }
    if (pol->fini) pol->fini(st);
    free(st);
    free(plan.step);
    if (w->fatal) {
        snprintf(msg, len, "%s", w->fmsg);
        sk__free(w);
        return w->fatal;
    }
    if (series && w->series_rc < 0) {
        sk__free(w);
        snprintf(msg, len, "out of memory (series)");
        return SK_ENOMEM;
    }
    res->finish_tick = w->k;
    res->cost_main = w->compute + w->transfer;
    res->transfer = w->transfer;
    res->probe = w->probe;
    res->downtime_cost = w->downtime_cost;
    res->spot_hours = w->spot_s / 3600;
    res->od_hours = w->od_s / 3600;
    if (res->late) res->finish = NAN;
    sk__free(w);
    return 0;
}
