/* scn_spotserve.c - `scenario.kind: spotserve`: one large model served over a pool of multi-GPU
 * spot instances (g4dn.12xlarge, 4 x T4) replaying a SpotServe trace segment, under one of the
 * policies spotserve (reparallelize, migrate KV caches in the grace period), restart (cold start
 * on every change), reroute (fixed pipeline shape; a lost pipeline's requests restart elsewhere)
 * and on_demand (a fixed on-demand fleet: the cost reference). Semantics: serve/sk_spotserve.h;
 * the data's meaning: docs/serving_spotserve.md. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sk_scenario.h"
#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "io/sk_trace.h"
#include "serve/sk_spotserve.h"
#include "sk_error.h"

enum {
    P_MODEL, P_SEG, P_QUERIES, P_RATE, P_CV, P_NGEN, P_PROFILE, P_MINWS, P_TPT, P_MAXB, P_IN, P_OUT, P_GPN, P_MEM, P_RES, P_BPP,
    P_VOCAB, P_GRACE, P_LEAD, P_NET, P_OVH, P_LOAD, P_BOOT, P_PRICES, P_ITYPE, P_N
};

static const sk_param_def sk_ss_params_def[P_N] = {
    [P_MODEL] = {"model", SK_PT_STR, "20B", 0, 0,
                 "6.7B | 20B | 30B: the artifact's presets (aws_e2e.sh) for profile, queries, min_world_size and "
                 "required_tpt where those are left empty / -1; custom: none"},
    [P_SEG] = {"segment", SK_PT_PATH, "spotserve/elastic-switch/trace/trace_seg/trace_0304_real.txt", 0, 0,
               "instance add/remove trace segment (one JSON array per line: [time_ms, op, {nodes}])"},
    [P_QUERIES] = {"queries", SK_PT_STR, "", 0, 0,
                   "query arrival trace (id,arrival_s,input_len,offset) on the trace search path; gamma: generated "
                   "Gamma arrivals; \"\": the model's preset"},
    [P_RATE] = {"arrival_rate", SK_PT_FLOAT, "0.35", 1e-6, 1e6, "Gamma arrivals (queries: gamma): requests/s"},
    [P_CV] = {"arrival_cv", SK_PT_FLOAT, "6", 0.01, 100, "Gamma arrivals: coefficient of variation of inter-arrival times"},
    [P_NGEN] = {"in_len_gen", SK_PT_INT, "512", 1, 1e6, "Gamma arrivals: input tokens per request"},
    [P_PROFILE] = {"profile", SK_PT_STR, "", 0, 0,
                   "per-layer latency profile (tp-N.bsz-M init/incr ms) on the trace search path; \"\": the model's preset"},
    [P_MINWS] = {"min_world_size", SK_PT_INT, "-1", -1, 4096,
                 "floor on T x P (artifact: 4 for 6.7B, 12 for 20B, 16 for 30B; 0: memory alone; -1: the model's preset)"},
    [P_TPT] = {"required_tpt", SK_PT_FLOAT, "-1", -1, 1e6,
               "throughput the optimizer must meet, requests/s (artifact: 2, 0.4, 0.2; -1: the model's preset)"},
    [P_MAXB] = {"max_batch", SK_PT_INT, "4", 1, 8, "largest batch (a power of two)"},
    [P_IN] = {"in_len", SK_PT_INT, "0", 0, 1e6, "input tokens (0: the query trace's)"},
    [P_OUT] = {"out_len", SK_PT_INT, "128", 1, 1e6, "output tokens per request"},
    [P_GPN] = {"gpus_per_node", SK_PT_INT, "4", 1, 64, "GPUs per instance (g4dn.12xlarge: 4)"},
    [P_MEM] = {"gpu_mem_gb", SK_PT_FLOAT, "16", 0.1, 1e4, "GPU memory, GB (T4: 16)"},
    [P_RES] = {"mem_reserve_gb", SK_PT_FLOAT, "1.5", 0, 1e4, "per GPU memory not for weights or KV, GB"},
    [P_BPP] = {"bytes_per_param", SK_PT_FLOAT, "4", 0.5, 8, "weight and KV bytes per value (4: fp32 as the artifact's configs)"},
    [P_VOCAB] = {"vocab", SK_PT_INT, "51200", 1, 1e7, "vocabulary (embedding weights)"},
    [P_GRACE] = {"grace_s", SK_PT_FLOAT, "30", 0, 3600, "preemption notice before the instance goes, s (the artifact's --grace-period)"},
    [P_LEAD] = {"add_lead_s", SK_PT_FLOAT, "30", 0, 3600, "an added instance is usable this long before its trace time, s (artifact: 30)"},
    [P_NET] = {"net_gbps", SK_PT_FLOAT, "25", 1e-3, 1e5, "per-GPU bandwidth for weights and KV moves, Gbit/s (artifact: 50000/2 Mbit/s)"},
    [P_OVH] = {"switch_overhead_s", SK_PT_FLOAT, "0.5", 0, 3600, "fixed cost of a live reconfiguration, s (artifact: 0.5)"},
    [P_LOAD] = {"load_gbps", SK_PT_FLOAT, "1", 1e-3, 1e4, "cold start: GB/s reading a weight shard from local disk"},
    [P_BOOT] = {"boot_s", SK_PT_FLOAT, "10", 0, 3600, "cold start: process, CUDA and NCCL start, s"},
    [P_PRICES] = {"prices", SK_PT_PATH, "serving-derived/spotserve_prices_usd_per_hour.csv", 0, 0,
                  "instance_type,gpus,market,usd_per_hour[,note]: spot and on_demand rows"},
    [P_ITYPE] = {"instance_type", SK_PT_STR, "g4dn.12xlarge", 0, 0, "the row of the prices file"},
};

static const sk_param_def sk_ss_od_params[] = {
    {"instances", SK_PT_INT, "0", 0, 4096, "fixed on-demand fleet (0: ceil of the segment's mean instance count)"},
};
static const sk_param_def sk_ss_spot_params[] = {
    {"min_gain", SK_PT_FLOAT, "0.05", 0, 1,
     "change the pipeline shape only for this fraction less latency (or more throughput, or to meet required_tpt); 0: always follow the optimizer"},
};
static const sk_policy_def sk_ss_pol_spotserve = {"spotserve", sk_ss_spot_params, 1,
    "re-optimize (D, T, P, B) on every event; migrate weights and KV caches within the grace period, just in time"};
static const sk_policy_def sk_ss_pol_restart = {"restart", NULL, 0,
    "re-optimize on every event; running requests restart, weights load cold (the artifact's Reparallelization baseline)"};
static const sk_policy_def sk_ss_pol_reroute = {"reroute", NULL, 0,
    "fixed (T, P, B) from the start; a lost pipeline's requests restart on survivors, new pipelines start cold (Rerouting)"};
static const sk_policy_def sk_ss_pol_od = {"on_demand", sk_ss_od_params, 1,
    "a fixed on-demand fleet, never preempted, configured once: the cost reference"};
static const sk_policy_def *const sk_ss_policies[] = {&sk_ss_pol_spotserve, &sk_ss_pol_restart, &sk_ss_pol_reroute, &sk_ss_pol_od};

enum {
    M_N_REQ, M_DONE, M_FAIL, M_MEAN, M_P50, M_P90, M_P99, M_MAX, M_TPT, M_INT, M_RESTART, M_MIG, M_SW, M_SWS, M_IH,
    M_COST, M_COST_OD, M_MTOK, M_GPUS, M_D0, M_T0, M_P0, M_B0, M_NM
};
static const sk_metric_def sk_ss_metrics[M_NM] = {
    [M_N_REQ] = {"requests", SK_TABLE_I64, 0, "requests arriving before the segment's end"},
    [M_DONE] = {"completed", SK_TABLE_I64, 1, "requests completed"},
    [M_FAIL] = {"failed", SK_TABLE_I64, 1, "requests not done when the segment ended"},
    [M_MEAN] = {"lat_mean", SK_TABLE_F64, 1, "mean end-to-end latency of completed requests, s"},
    [M_P50] = {"lat_p50", SK_TABLE_F64, 1, "P50 latency, s (numpy linear)"},
    [M_P90] = {"lat_p90", SK_TABLE_F64, 1, "P90 latency, s"},
    [M_P99] = {"lat_p99", SK_TABLE_F64, 1, "P99 latency, s"},
    [M_MAX] = {"lat_max", SK_TABLE_F64, 0, "largest latency, s"},
    [M_TPT] = {"throughput", SK_TABLE_F64, 1, "completed requests per second of the segment"},
    [M_INT] = {"interrupts", SK_TABLE_I64, 1, "running requests stopped by a change"},
    [M_RESTART] = {"restarts", SK_TABLE_I64, 0, "stops that lost the decoding progress"},
    [M_MIG] = {"migrated", SK_TABLE_I64, 0, "stops resumed where they were (KV cache moved)"},
    [M_SW] = {"switches", SK_TABLE_I64, 0, "configuration changes"},
    [M_SWS] = {"switch_s", SK_TABLE_F64, 0, "sum of reconfiguration pauses, s"},
    [M_IH] = {"instance_hours", SK_TABLE_F64, 0, "instance-hours billed"},
    [M_COST] = {"cost", SK_TABLE_F64, 1, "$: instance-hours at the policy's market price"},
    [M_COST_OD] = {"cost_at_od", SK_TABLE_F64, 0, "$: the same instance-hours at the on-demand price"},
    [M_MTOK] = {"usd_per_mtok", SK_TABLE_F64, 0, "$ per million tokens (input + output) of completed requests"},
    [M_GPUS] = {"gpus_used", SK_TABLE_F64, 0, "time-average GPUs in the configuration"},
    [M_D0] = {"first_D", SK_TABLE_I64, 0, "first configuration: data parallel degree"},
    [M_T0] = {"first_T", SK_TABLE_I64, 0, "tensor parallel degree"},
    [M_P0] = {"first_P", SK_TABLE_I64, 0, "pipeline parallel degree"},
    [M_B0] = {"first_B", SK_TABLE_I64, 0, "batch size"},
};

/* The artifact's scripts_ae/aws_e2e.sh: profile, query trace, MIN_WORLD_SIZE, REQUIRED_TPT. */
static const struct ss_preset {
    const char *model, *profile, *queries;
    int min_ws;
    double tpt;
} ss_presets[] = {
    {"6.7B", "spotserve/elastic-switch/profile/T4-4x/megatron_6.7B_profile.json",
     "spotserve/elastic-switch/trace/query/query6144_tpt1.5_cv6.txt", 4, 2},
    {"20B", "spotserve/elastic-switch/profile/T4-4x/megatron_h6144_profile.json",
     "spotserve/elastic-switch/trace/query/query_tpt0.35_cv6.txt", 12, 0.4},
    {"30B", "spotserve/elastic-switch/profile/T4-4x/megatron_h7168_profile.json",
     "spotserve/elastic-switch/trace/query/query_tpt0.2_cv6.txt", 16, 0.2},
};

static const struct ss_preset *ss__preset(const char *model) {
    for (size_t i = 0; i < sizeof ss_presets / sizeof ss_presets[0]; i++)
        if (!strcmp(ss_presets[i].model, model)) return &ss_presets[i];
    return NULL;
}

static int sk_ss_check(const sk_value *v, const sk_policy_def *pol, const sk_value *pp, int *bad, char *msg, size_t len) {
    (void)pol, (void)pp;
    if (strcmp(v[P_MODEL].s, "custom") && !ss__preset(v[P_MODEL].s)) {
        *bad = P_MODEL;
        return sk_errf(msg, len, SK_ECONFIG, "model: '%s' is not one of 6.7B, 20B, 30B, custom", v[P_MODEL].s);
    }
    if (!strcmp(v[P_MODEL].s, "custom")) {
        static const int need[] = {P_PROFILE, P_QUERIES, P_MINWS, P_TPT};
        for (int i = 0; i < 4; i++) {
            const sk_value *x = &v[need[i]];
            if ((sk_ss_params_def[need[i]].type == SK_PT_STR && !x->s[0]) ||
                (sk_ss_params_def[need[i]].type == SK_PT_INT && x->i < 0) ||
                (sk_ss_params_def[need[i]].type == SK_PT_FLOAT && x->f < 0)) {
                *bad = need[i];
                return sk_errf(msg, len, SK_ECONFIG, "%s: model custom has no preset; give a value", sk_ss_params_def[need[i]].name);
            }
        }
    }
    return 0;
}

typedef struct ss_price {
    const char *type;
    double spot, od;
} ss_price;

static int ss__price_row(sk_csv_rd *rd) {
    ss_price *p = rd->ctx;
    if (rd->line == 1 && !strcmp(rd->f[0], "instance_type")) return 0;
    if (rd->nf < 4) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected instance_type,gpus,market,usd_per_hour", rd->path, (long long)rd->line);
    if (strcmp(rd->f[0], p->type)) return 0;
    char *e;
    double v = strtod(rd->f[3], &e);
    if (*e || e == rd->f[3] || !(v >= 0))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 4: '%s' is not a price", rd->path, (long long)rd->line, rd->f[3]);
    if (!strcmp(rd->f[2], "spot")) p->spot = v;
    else if (!strcmp(rd->f[2], "on_demand")) p->od = v;
    return 0;
}

static int ss__find(const char *name, const char *exp_file, char *out, size_t n, char *msg, size_t len, const char *key) {
    if (sk_trace_find(name, exp_file, out, n) < 0)
        return sk_errf(msg, len, SK_ENOINPUT, "%s: %s: not found on the trace search path", key, name);
    return 0;
}

static int ss__gamma(const sk_run_ctx *c, double rate, double cv, double horizon, double **t, int *n) {
    sk_rng rng;
    int rc = sk_rng_init(&rng, NULL, c->master_seed, c->world_index, 0);
    if (rc < 0) return rc;
    double shape = 1.0 / (cv * cv), scale = cv * cv / rate, now = 0;
    int cap = 1024, k = 0;
    double *a = malloc((size_t)cap * sizeof *a);
    while (a) {
        now += gsl_ran_gamma(rng.g, shape, scale);
        if (now >= horizon) break;
        if (k == cap) {
            double *na = realloc(a, (size_t)(cap *= 2) * sizeof *na);
            if (!na) { free(a); a = NULL; break; }
            a = na;
        }
        a[k++] = now;
    }
    sk_rng_fini(&rng);
    if (!a) return SK_ENOMEM;
    *t = a, *n = k;
    return 0;
}

static int sk_ss_run(const sk_run_ctx *c, sk_value *out, char *msg, size_t len) {
    const sk_value *v = c->params;
    char path[4096];
    int rc;
    sk_ss_profile prof;
    sk_ss_trace tr = {0};
    double *arr = NULL;
    int narr = 0, in_len = (int)v[P_NGEN].i;
    const struct ss_preset *pre = ss__preset(v[P_MODEL].s);
    const char *profile = v[P_PROFILE].s[0] || !pre ? v[P_PROFILE].s : pre->profile;
    const char *queries = v[P_QUERIES].s[0] || !pre ? v[P_QUERIES].s : pre->queries;
    int min_ws = v[P_MINWS].i >= 0 || !pre ? (int)v[P_MINWS].i : pre->min_ws;
    double req_tpt = v[P_TPT].f >= 0 || !pre ? v[P_TPT].f : pre->tpt;
    if ((rc = ss__find(profile, c->exp_file, path, sizeof path, msg, len, "profile")) < 0) return rc;
    if ((rc = sk_ss_profile_load(&prof, path, msg, len)) < 0) return rc;
    if (!prof.hidden) return sk_errf(msg, len, SK_EDATA, "%s: hidden_size: missing (needed for memory and transfer sizes)", path);
    if ((rc = ss__find(v[P_SEG].s, c->exp_file, path, sizeof path, msg, len, "segment")) < 0) return rc;
    if ((rc = sk_ss_trace_load(&tr, path, msg, len)) < 0) return rc;
    ss_price pr = {v[P_ITYPE].s, NAN, NAN};
    if ((rc = ss__find(v[P_PRICES].s, c->exp_file, path, sizeof path, msg, len, "prices")) < 0) goto out;
    sk_csv_rd rd = {.path = path, .err = msg, .errlen = len, .row = ss__price_row, .ctx = &pr};
    if ((rc = sk_csv_read(&rd)) < 0) goto out;
    if (isnan(pr.spot) || isnan(pr.od)) {
        rc = sk_errf(msg, len, SK_EDATA, "%s: no spot and on_demand rows for instance_type %s", path, pr.type);
        goto out;
    }
    if (strcmp(queries, "gamma")) {
        if ((rc = ss__find(queries, c->exp_file, path, sizeof path, msg, len, "queries")) < 0) goto out;
        if ((rc = sk_ss_queries_load(path, &arr, &narr, &in_len, msg, len)) < 0) goto out;
    } else if ((rc = ss__gamma(c, v[P_RATE].f, v[P_CV].f, (double)tr.end / 1e6, &arr, &narr)) < 0) {
        sk_errf(msg, len, rc, "out of memory");
        goto out;
    }
    sk_ss_model m = {.prof = &prof, .in_len = v[P_IN].i ? (int)v[P_IN].i : in_len, .out_len = (int)v[P_OUT].i,
                     .vocab = (int)v[P_VOCAB].i, .bytes_per_param = v[P_BPP].f, .gpu_mem_gb = v[P_MEM].f,
                     .mem_reserve_gb = v[P_RES].f, .min_world_size = min_ws, .max_bsz = 1, .gpus_per_node = (int)v[P_GPN].i};
    while (m.max_bsz * 2 <= v[P_MAXB].i) m.max_bsz *= 2;
    const char *pn = c->policy ? c->policy->name : "spotserve";
    sk_ss_params pp = {.policy = !strcmp(pn, "restart") ? SK_SS_POL_RESTART : !strcmp(pn, "reroute") ? SK_SS_POL_REROUTE
                                 : !strcmp(pn, "on_demand") ? SK_SS_POL_ON_DEMAND : SK_SS_POL_SPOTSERVE,
                       .req_tpt = req_tpt, .grace_s = v[P_GRACE].f, .add_lead_s = v[P_LEAD].f, .net_gbps = v[P_NET].f,
                       .switch_overhead_s = v[P_OVH].f, .load_gbps = v[P_LOAD].f, .boot_s = v[P_BOOT].f,
                       .spot_price = pr.spot, .od_price = pr.od};
    if (pp.policy == SK_SS_POL_ON_DEMAND) pp.od_instances = (int)c->policy_params[0].i;
    if (pp.policy == SK_SS_POL_SPOTSERVE && c->policy_params) pp.min_gain = c->policy_params[0].f;
    sk_ss_result r;
    if ((rc = sk_ss_simulate(&m, &tr, arr, narr, &pp, &r, msg, len)) < 0) goto out;
    out[M_N_REQ].i = r.n, out[M_DONE].i = r.completed, out[M_FAIL].i = r.failed;
    out[M_MEAN].f = r.lat_mean, out[M_P50].f = r.lat_p50, out[M_P90].f = r.lat_p90, out[M_P99].f = r.lat_p99;
    out[M_MAX].f = r.lat_max, out[M_TPT].f = r.tput;
    out[M_INT].i = r.interrupts, out[M_RESTART].i = r.restarts, out[M_MIG].i = r.migrated;
    out[M_SW].i = r.switches, out[M_SWS].f = r.switch_s, out[M_IH].f = r.inst_hours;
    out[M_COST].f = r.cost, out[M_COST_OD].f = r.cost_od, out[M_MTOK].f = r.usd_per_mtok, out[M_GPUS].f = r.mean_gpus_used;
    out[M_D0].i = r.first_cfg.D, out[M_T0].i = r.first_cfg.T, out[M_P0].i = r.first_cfg.P, out[M_B0].i = r.first_cfg.B;
    sk_ss_result_fini(&r);
out:
    free(arr);
    sk_ss_trace_fini(&tr);
    return rc;
}

const sk_scenario_kind sk_scn_spotserve = {
    .name = "spotserve",
    .help = "one large model over multi-GPU spot instances: SpotServe reparallelization vs restart, reroute, on-demand",
    .params = sk_ss_params_def,
    .nparams = P_N,
    .policies = sk_ss_policies,
    .npolicies = sizeof sk_ss_policies / sizeof sk_ss_policies[0],
    .metrics = sk_ss_metrics,
    .nmetrics = M_NM,
    .check = sk_ss_check,
    .run = sk_ss_run,
};
