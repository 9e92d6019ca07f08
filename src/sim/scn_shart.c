/* scn_shart.c - `scenario.kind: spothedge_artifact`: the SkyServe / SpotHedge artifact simulator,
 * bit for bit (src/serve/sk_shart.h; ../shared/specs/spothedge-sim.md). One run = the artifact's
 * one (trace, policy, seed) invocation: R repeats of T ticks, costs and availability averaged over
 * the repeats, latency percentiles over all repeats' recorded values. Trace folders are loaded
 * once per `synkti run` into a cache shared by all threads. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sk_hash.h"
#include "core/sk_scenario.h"
#include "io/sk_csv.h"
#include "io/sk_trace.h"
#include "serve/sk_shart.h"
#include "sk_error.h"

enum { P_TRACE, P_REPEATS, P_TICKS, P_NTAR, P_NEXTRA, P_COLD, P_K, P_NMIN, P_SLO, P_SEED, P_LAT, P_N };

static const sk_param_def sk_shart_params_tab[P_N] = {
    [P_TRACE] = {"trace", SK_PT_STR, "AWS1", 0, 0,
                 "AWS1, AWS2, GCP1 (spothedge/data/<name>) or a folder of zone traces, on the trace search path"},
    [P_REPEATS] = {"repeats", SK_PT_INT, "10", 1, 1e6, "R: repeats, each at its own random offset into the traces"},
    [P_TICKS] = {"ticks", SK_PT_INT, "2880", 1, 1e8, "T: 30 s ticks per repeat (2880 = 24 h)"},
    [P_NTAR] = {"n_tar", SK_PT_INT, "3", 0, 1e6, "N_tar: target replicas"},
    [P_NEXTRA] = {"n_extra", SK_PT_INT, "-1", -1, 1e6,
                  "N_extra: over-provisioned spot replicas; -1: the artifact's eval.py (spothedge, spothedge_safety, optimal 1; others 0)"},
    [P_COLD] = {"cold_start_s", SK_PT_INT, "120", 0, 1e9, "cold start, s; d = cold_start_s / 30 ticks (integer division)"},
    [P_K] = {"k", SK_PT_FLOAT, "3", 0, 1e6, "on-demand / spot price ratio"},
    [P_NMIN] = {"n_min", SK_PT_INT, "3", 0, 1e6, "N_min: ready replicas for a tick to count as available (not tied to n_tar)"},
    [P_SLO] = {"slo", SK_PT_FLOAT, "0.99", 0, 1, "safety-net threshold of spothedge_safety"},
    [P_SEED] = {"seed", SK_PT_INT, "0", -1, 4294967295.0,
                "the artifact's --seed (numpy seed of the offsets; nothing else depends on it); -1: from the run's master seed and replication"},
    [P_LAT] = {"latency", SK_PT_BOOL, "true", 0, 0, "run the latency model (Poisson workload, 3 clients, 100 s timeout)"},
};

enum { M_COST, M_REL, M_AVAIL, M_P50, M_P90, M_P99, M_P999, M_FAIL, M_REQ, M_N };
static const sk_metric_def sk_shart_metrics[M_N] = {
    [M_COST] = {"cost", SK_TABLE_F64, 1, "mean cost per repeat in spot-replica ticks (on-demand weighs k), ticks d..T-1 (Optimal: all T)"},
    [M_REL] = {"relative_cost", SK_TABLE_F64, 1, "cost / (k N_tar (T - d)), the on-demand-only cost"},
    [M_AVAIL] = {"availability", SK_TABLE_F64, 1, "mean fraction of ticks d..T-1 with >= N_min ready replicas (Optimal: 1, as reported)"},
    [M_P50] = {"p50", SK_TABLE_F64, 1, "latency P50, s, all repeats (numpy linear percentile)"},
    [M_P90] = {"p90", SK_TABLE_F64, 1, "latency P90, s"},
    [M_P99] = {"p99", SK_TABLE_F64, 1, "latency P99, s"},
    [M_P999] = {"p999", SK_TABLE_F64, 1, "latency P99.9, s"},
    [M_FAIL] = {"failure_rate", SK_TABLE_F64, 1, "fraction of recorded latencies equal to the 100 s timeout"},
    [M_REQ] = {"requests", SK_TABLE_I64, 0, "latency values recorded (served + failed), all repeats"},
};

#define SK__POL(id, text) static const sk_policy_def sk_shart_pol_##id = {#id, NULL, 0, text};
SK__POL(on_demand, "on-demand only (fallback OnDemand)")
SK__POL(naive_spread, "spot only, even spread over zone slots, lowest slot first (\"Even Spread\")")
SK__POL(round_robin, "spot only, round robin over zone slots")
SK__POL(spothedge, "SpotHedge placer (Active/Preempted zones) + on-demand fallback without safety net (\"SkyServe\")")
SK__POL(spothedge_safety, "SpotHedge placer + SpotFailover with the availability safety net")
SK__POL(optimal, "the integer program's optimum (exact, min-cost flow); latency on N_tar ready replicas")
#undef SK__POL
static const sk_policy_def *const sk_shart_policy_defs[] = {
    &sk_shart_pol_spothedge, &sk_shart_pol_on_demand,        &sk_shart_pol_naive_spread,
    &sk_shart_pol_round_robin, &sk_shart_pol_spothedge_safety, &sk_shart_pol_optimal,
};

/* ---- the shared cache: one entry per trace name ------------------------------------------------ */

typedef struct sk_sh_entry {
    char *name;
    int rc;
    char err[600];
    sk_shart_trace tr;
    struct sk_sh_entry *next;
} sk_sh_entry;

typedef struct sk_sh_cache {
    omp_lock_t lock;
    sk_sh_entry *head;
} sk_sh_cache;

static void *sk_shart_shared_new(void) {
    sk_sh_cache *c = calloc(1, sizeof *c);
    if (c) omp_init_lock(&c->lock);
    return c;
}

static void sk_shart_shared_free(void *p) {
    sk_sh_cache *c = p;
    if (!c) return;
    for (sk_sh_entry *e = c->head, *n; e; e = n) {
        n = e->next;
        sk_shart_fini(&e->tr);
        free(e->name);
        free(e);
    }
    omp_destroy_lock(&c->lock);
    free(c);
}

static int sk__load(sk_sh_entry *e, const char *exp_file) {
    char rel[4096], dir[4096];
    const char *name = e->name;
    if (!strchr(name, '/')) { /* a trace key: the dataset's folder */
        if (snprintf(rel, sizeof rel, "spothedge/data/%s", name) >= (int)sizeof rel)
            return sk_errf(e->err, sizeof e->err, SK_ECONFIG, "trace name too long");
        name = rel;
    }
    if (sk_trace_find_dir(name, exp_file, dir, sizeof dir) < 0)
        return sk_errf(e->err, sizeof e->err, SK_ENOINPUT, "%s: folder not found on the trace search path", name);
    /* the artifact's `2-month` (AWS3) trace is binary: 1 = unlimited */
    int unlimited = strstr(dir, "2-month") || strstr(dir, "AWS3");
    return sk_shart_load(&e->tr, dir, 30, unlimited, e->err, sizeof e->err);
}

static const sk_sh_entry *sk__get(sk_sh_cache *c, const char *name, const char *exp_file) {
    omp_set_lock(&c->lock);
    sk_sh_entry *e = c->head;
    while (e && strcmp(e->name, name)) e = e->next;
    if (!e && (e = calloc(1, sizeof *e))) {
        e->name = strdup(name);
        e->rc = e->name ? sk__load(e, exp_file) : SK_ENOMEM;
        if (e->rc == SK_ENOMEM && !e->err[0]) sk_errf(e->err, sizeof e->err, 0, "out of memory");
        e->next = c->head;
        c->head = e;
    }
    omp_unset_lock(&c->lock);
    return e;
}

/* ---- the kind ---------------------------------------------------------------------------------- */

static void sk__params(const sk_value *v, const sk_policy_def *pol, uint64_t master, uint64_t world, sk_shart_params *p) {
    sk_shart_defaults(p);
    int id = pol ? sk_shart_policy_find(pol->name) : SK_SHART_SPOTHEDGE;
    p->repeats = v[P_REPEATS].i;
    p->ticks = v[P_TICKS].i;
    p->n_tar = v[P_NTAR].i;
    p->n_extra = v[P_NEXTRA].i >= 0 ? v[P_NEXTRA].i
                 : id == SK_SHART_SPOTHEDGE || id == SK_SHART_SPOTHEDGE_SAFETY || id == SK_SHART_OPTIMAL ? 1
                                                                                                        : 0;
    p->cold_ticks = v[P_COLD].i / 30;
    p->k = v[P_K].f;
    p->n_min = v[P_NMIN].i;
    p->slo = v[P_SLO].f;
    p->latency = (int)v[P_LAT].i;
    if (v[P_SEED].i >= 0) p->seed = (uint32_t)v[P_SEED].i;
    else p->seed = (uint32_t)sk_fnv_word(sk_fnv_word(SK_FNV_OFFSET, master), world);
}

static int sk__entry(sk_sh_cache *c, const sk_value *v, const sk_policy_def *pol, const char *exp_file,
                     const sk_sh_entry **out, int *bad, char *msg, size_t len) {
    const sk_sh_entry *e = sk__get(c, v[P_TRACE].s, exp_file);
    if (!e) return SK_ENOMEM;
    if (e->rc < 0) {
        *bad = P_TRACE;
        snprintf(msg, len, "%s", e->err);
        return e->rc;
    }
    sk_shart_params p;
    sk__params(v, pol, 0, 0, &p);
    int rc = sk_shart_check(&e->tr, &p, msg, len);
    if (rc < 0) {
        *bad = strstr(msg, "cold start") ? P_COLD : P_TICKS;
        return rc;
    }
    *out = e;
    return 0;
}

static int sk_shart_check_data(void *shared, const sk_value *v, const char *exp_file, int *bad, char *msg, size_t len) {
    const sk_sh_entry *e = NULL;
    return sk__entry(shared, v, NULL, exp_file, &e, bad, msg, len);
}

static int sk_shart_run_one(const sk_run_ctx *c, sk_value *out, char *msg, size_t len) {
    const sk_value *v = c->params;
    const sk_sh_entry *e = NULL;
    int bad, rc = sk__entry(c->shared, v, c->policy, c->exp_file, &e, &bad, msg, len);
    if (rc < 0) return rc;
    if (c->stop && *c->stop) return SK_EINTR;
    sk_shart_params p;
    sk__params(v, c->policy, c->master_seed, c->world_index, &p);
    int id = sk_shart_policy_find(c->policy ? c->policy->name : "spothedge");
    sk_shart_result r;
    if ((rc = sk_shart_run(&e->tr, &p, (sk_shart_policy)id, &r, NULL, msg, len)) < 0) return rc;
    out[M_COST].f = r.cost;
    out[M_REL].f = r.relative;
    out[M_AVAIL].f = r.availability;
    out[M_P50].f = r.p50;
    out[M_P90].f = r.p90;
    out[M_P99].f = r.p99;
    out[M_P999].f = r.p999;
    out[M_FAIL].f = r.failure_rate;
    out[M_REQ].i = r.requests;
    return 0;
}

const sk_scenario_kind sk_scn_spothedge_artifact = {
    .name = "spothedge_artifact",
    .help = "the SkyServe/SpotHedge artifact simulator bit for bit: replicas over zone traces, cost, availability, latency",
    .params = sk_shart_params_tab,
    .nparams = P_N,
    .policies = sk_shart_policy_defs,
    .npolicies = sizeof sk_shart_policy_defs / sizeof sk_shart_policy_defs[0],
    .metrics = sk_shart_metrics,
    .nmetrics = M_N,
    .check_data = sk_shart_check_data,
    .run = sk_shart_run_one,
    .shared_new = sk_shart_shared_new,
    .shared_free = sk_shart_shared_free,
};
