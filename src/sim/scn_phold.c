/* scn_phold.c - PHOLD as a scenario kind (`scenario.kind: phold`), so experiment files, sweeps,
 * results files and resume can be exercised before the real scenarios exist. The "policies" are
 * destination rules: `uniform` (classic PHOLD) and `hotspot` (a share of remote events goes to a
 * few hot LPs). The world stream is (master seed, world index, 0). Time series (series: true):
 * events executed in each of 100 equal bins of simulated time, columns t (bin start) and events. */
#include <stdio.h>
#include <string.h>

#include "bench/sk_phold.h"
#include "core/sk_scenario.h"
#include "engine/sk_rng.h"
#include "io/sk_results.h"
#include "sk_error.h"

#define SK_PHOLD_BINS 100 /* time series: events per 1/100 of the end time */

enum { P_LPS, P_EPL, P_END, P_MEAN, P_LA, P_REMOTE, P_RNG, P_N };

static const sk_param_def sk_phold_params_tbl[P_N] = {
    [P_LPS] = {"lps", SK_PT_INT, "1024", 1, 4294967294.0, "logical processes"},
    [P_EPL] = {"events_per_lp", SK_PT_INT, "16", 1, 2147483648.0, "initial events per LP"},
    [P_END] = {"end", SK_PT_FLOAT, "1000", 1e-6, 9e12, "end time (events at or after it are not run)"},
    [P_MEAN] = {"mean", SK_PT_FLOAT, "1", 1e-6, 1e9, "mean timestamp increment"},
    [P_LA] = {"lookahead", SK_PT_FLOAT, "0.1", 0, 1e9, "minimum timestamp increment"},
    [P_REMOTE] = {"remote", SK_PT_FLOAT, "0.9", 0, 1, "probability that a new event goes to another LP"},
    [P_RNG] = {"rng", SK_PT_STR, SK_RNG_DEFAULT_NAME, 0, 0, "generator (synkti bench rng --list)"},
};

enum { H_LPS, H_WEIGHT, H_N };
static const sk_param_def sk_phold_hot_tbl[H_N] = {
    [H_LPS] = {"hot_lps", SK_PT_INT, "1", 1, 4294967294.0, "number of hot LPs (the first ones)"},
    [H_WEIGHT] = {"hot_weight", SK_PT_FLOAT, "0.5", 0, 1, "share of remote events sent to a hot LP"},
};

static const sk_policy_def sk_phold_uniform = {"uniform", NULL, 0, "remote events go to a uniformly chosen LP (classic PHOLD)"};
static const sk_policy_def sk_phold_hotspot = {"hotspot", sk_phold_hot_tbl, H_N, "a share of remote events goes to the first hot_lps LPs"};
static const sk_policy_def *const sk_phold_policies[] = {&sk_phold_uniform, &sk_phold_hotspot};

enum { M_EVENTS, M_CHECKSUM, M_LAST, M_N };
static const sk_metric_def sk_phold_metrics[M_N] = {
    [M_EVENTS] = {"events", SK_TABLE_I64, 1, "events executed"},
    [M_CHECKSUM] = {"checksum", SK_TABLE_U64, 0, "checksum of the event stream"},
    [M_LAST] = {"last_time", SK_TABLE_F64, 1, "time of the last executed event"},
};

static int sk_phold_kind_check(const sk_value *v, const sk_policy_def *pol, const sk_value *pp, int *bad,
                               char *msg, size_t len) {
    if (pol && !strcmp(pol->name, "hotspot") && pp[H_LPS].i > v[P_LPS].i) {
        *bad = -1;
        snprintf(msg, len, "policy hotspot: hot_lps (%lld) must not exceed lps (%lld)", (long long)pp[H_LPS].i,
                 (long long)v[P_LPS].i);
        return SK_ECONFIG;
    }
    if (!sk_rng_type_find(v[P_RNG].s)) {
        *bad = P_RNG;
        snprintf(msg, len, "unknown generator '%s' (see synkti bench rng --list)", v[P_RNG].s);
        return SK_ECONFIG;
    }
    if (!(v[P_MEAN].f > v[P_LA].f)) {
        *bad = P_MEAN;
        snprintf(msg, len, "mean (%g) must be greater than lookahead (%g)", v[P_MEAN].f, v[P_LA].f);
        return SK_ECONFIG;
    }
    if ((double)v[P_LPS].i * (double)v[P_EPL].i > 2147483648.0) {
        *bad = P_EPL;
        snprintf(msg, len, "lps x events_per_lp = %.0f pending events; at most 2^31",
                 (double)v[P_LPS].i * (double)v[P_EPL].i);
        return SK_ECONFIG;
    }
    return 0;
}

static int sk_phold_kind_run(const sk_run_ctx *c, sk_value *out, char *msg, size_t len) {
    const sk_value *v = c->params;
    sk_phold_params p;
    sk_phold_defaults(&p);
    p.lps = (uint64_t)v[P_LPS].i;
    p.events_per_lp = (uint64_t)v[P_EPL].i;
    p.end = v[P_END].f;
    p.mean = v[P_MEAN].f;
    p.lookahead = v[P_LA].f;
    p.remote = v[P_REMOTE].f;
    p.seed = c->master_seed;
    p.rng = sk_rng_type_find(v[P_RNG].s);
    p.stop = c->stop;
    if (c->policy && !strcmp(c->policy->name, "hotspot")) {
        p.hot_lps = (uint64_t)c->policy_params[H_LPS].i;
        p.hot_weight = c->policy_params[H_WEIGHT].f;
    }
    int rc = sk_phold_check(&p, msg, len);
    if (rc < 0) return SK_ECONFIG;
    uint64_t bins[SK_PHOLD_BINS];
    if (c->series) {
        p.nbins = SK_PHOLD_BINS;
        p.bins = bins;
    }
    sk_phold_result r;
    if ((rc = sk_phold_run(&p, c->world_index, &r)) < 0) {
        if (rc != SK_EINTR) snprintf(msg, len, "%s", sk_strerror(rc));
        return rc;
    }
    if (c->series) { /* events executed per bin of simulated time */
        int ct = sk_table_add_col(c->series, "t", SK_TABLE_F64), ce = sk_table_add_col(c->series, "events", SK_TABLE_I64);
        if (ct < 0 || ce < 0) return ct < 0 ? ct : ce;
        for (uint32_t k = 0; k < SK_PHOLD_BINS; k++) {
            if ((rc = sk_table_push_f64(c->series, (size_t)ct, p.end * k / SK_PHOLD_BINS)) < 0) return rc;
            if ((rc = sk_table_push_i64(c->series, (size_t)ce, (int64_t)bins[k])) < 0) return rc;
        }
    }
    out[M_EVENTS].i = (int64_t)r.events;
    out[M_CHECKSUM].i = (int64_t)r.checksum;
    out[M_LAST].f = sk_time_to(r.last_t, SK_SEC);
    return 0;
}

const sk_scenario_kind sk_scn_phold = {
    .name = "phold",
    .help = "classic PHOLD: N LPs x E events, increment lookahead + Exp(mean - lookahead)",
    .params = sk_phold_params_tbl,
    .nparams = P_N,
    .policies = sk_phold_policies,
    .npolicies = sizeof sk_phold_policies / sizeof *sk_phold_policies,
    .metrics = sk_phold_metrics,
    .nmetrics = M_N,
    .check = sk_phold_kind_check,
    .run = sk_phold_kind_run,
};
