/* scn_serving.c - `scenario.kind: serving`: an LLM service on spot and on-demand replicas across
 * zones (serve/sk_serve.h), with zones, capacity, prices, replica performance and the workload
 * built from the parameters and the shared datasets. Files are loaded once per `synkti run` into a
 * cache shared by all threads (catalog, request traces, count files, zone traces, performance
 * models); every run builds its own availability models on its own streams.
 *
 * Zones: capacity_model `trace` takes one zone per *.json file of trace_dir (sorted by name; the
 * zone is the file name up to its first '_', as in spothedge/data/AWS1/us-east-1f_v100_1.json),
 * the capacity = the trace's count x capacity_scale; markov, hazard and none take the first
 * `zones` catalog offers of instance_type that have a spot price.
 * Policies: every entry of the serving policy registry (sk_serve_policies[], policies/serve_*.c). */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sk_param.h"
#include "engine/sk_rng.h"
#include "io/sk_trace.h"
#include "models/sk_avail.h"
#include "models/sk_catalog.h"
#include "models/sk_llmperf.h"
#include "serve/sk_serve.h"
#include "serve/sk_serve_policy.h"
#include "sim/sk_cache.h"
#include "sk_error.h"

enum {
    P_AVAIL, P_TRACE_DIR, P_CAP_SCALE, P_OFFSET_H, P_TRACE_LOOP, P_ZONES, P_CAPACITY, P_MK_LEVELS, P_MK_RATES, P_HZ_RATE,
    P_GROUP, P_SPREAD, P_CAT_FILE, P_ITYPE, P_SPOT_FRAC, P_OD_PRICE, P_MODEL, P_TP, P_SERVICE, P_FIX_ITER, P_FIX_PRE,
    P_FIX_DEC, P_KV, P_MAXB, P_BOOT, P_LOAD, P_NOT_AWS, P_NOT_GCP, P_LB, P_TIMEOUT, P_RETRY, P_DRAIN, P_WL, P_TRACE,
    P_COUNTS_FILE, P_COUNTS_SCALE, P_COUNTS_CAP, P_RATE, P_CV, P_TOKENS, P_IN, P_OUT, P_TSCALE, P_LOOP, P_HORIZON,
    P_TICK, P_NTARGET, P_KAVAIL, P_SLO, P_SLO_TTFT, P_QPS, P_N
};

static const sk_param_def sv_params[P_N] = {
    [P_AVAIL] = {"capacity_model", SK_PT_STR, "trace", 0, 0, "spot capacity: trace (replay of trace_dir), markov, hazard or none"},
    [P_TRACE_DIR] = {"trace_dir", SK_PT_STR, "spothedge/data/AWS1", 0, 0, "capacity_model trace: folder of zone traces (*.json, one per zone; trace search path)"},
    [P_CAP_SCALE] = {"capacity_scale", SK_PT_INT, "1", 1, 1e6, "trace: replicas a zone can hold per unit of its trace's count"},
    [P_OFFSET_H] = {"trace_offset_h", SK_PT_FLOAT, "-1", -1, 1e6, "trace: start the replay this many hours in (-1: a random tick per world, as the artifact's offsets)"},
    [P_TRACE_LOOP] = {"trace_loop", SK_PT_BOOL, "true", 0, 0, "trace: replay again from the start after its end"},
    [P_ZONES] = {"zones", SK_PT_INT, "3", 1, SK_SRV_MAXZ, "markov/hazard/none: zones (catalog offers of instance_type with a spot price)"},
    [P_CAPACITY] = {"capacity", SK_PT_INT, "4", 0, 1e6, "markov: replicas a zone holds at level 1"},
    [P_MK_LEVELS] = {"markov_levels", SK_PT_STR, "1,0", 0, 0, "markov: levels as fractions of capacity, comma-separated"},
    [P_MK_RATES] = {"markov_rates_per_h", SK_PT_STR, "0,0.5,2,0", 0, 0, "markov: rates per hour, row-major levels x levels"},
    [P_HZ_RATE] = {"hazard_rate_per_h", SK_PT_FLOAT, "0.1", 0, 1e3, "hazard: reclaims per live spot replica per hour"},
    [P_GROUP] = {"reclaim_group", SK_PT_FLOAT, "0.3", 1e-6, 1, "hazard: share of a zone's spot replicas one reclaim event takes"},
    [P_SPREAD] = {"reclaim_spread_s", SK_PT_FLOAT, "0", 0, 86400, "notices of one capacity drop spread over this many seconds"},
    [P_CAT_FILE] = {"catalog_file", SK_PT_STR, "", 0, 0, "a user's instance catalog CSV instead of the shipped ones"},
    [P_ITYPE] = {"instance_type", SK_PT_STR, "p3.8xlarge", 0, 0, "the replica's instance type (catalog name), or candidates a,b,...: the first offered in the first trace zone's region"},
    [P_SPOT_FRAC] = {"spot_price_frac", SK_PT_FLOAT, "0", 0, 100, "spot price = this x on-demand (0: the catalog's spot price)"},
    [P_OD_PRICE] = {"od_price", SK_PT_FLOAT, "0", 0, 1e6, "on-demand $/h of a replica (0: the catalog's)"},
    [P_MODEL] = {"model", SK_PT_STR, "llama-2-7b", 0, 0, "served model (models/sk_llmperf: llama-2-7b, llama-2-70b, ...)"},
    [P_TP] = {"tp", SK_PT_INT, "0", 0, 8, "tensor-parallel degree (0: the instance's GPU count)"},
    [P_SERVICE] = {"service", SK_PT_STR, "llmperf", 0, 0, "iteration times: llmperf (replica performance model) or fixed (the linear fixed_* model)"},
    [P_FIX_ITER] = {"fixed_iter_s", SK_PT_FLOAT, "0.02", 1e-6, 1e4, "fixed: seconds of an iteration"},
    [P_FIX_PRE] = {"fixed_prefill_s_per_token", SK_PT_FLOAT, "0", 0, 1e3, "fixed: + seconds per prompt token prefilled"},
    [P_FIX_DEC] = {"fixed_decode_s_per_seq", SK_PT_FLOAT, "0", 0, 1e3, "fixed: + seconds per decoding sequence"},
    [P_KV] = {"kv_tokens", SK_PT_INT, "0", 0, 1e12, "KV-cache tokens of a replica (0: the model's; fixed: unlimited)"},
    [P_MAXB] = {"max_batch", SK_PT_INT, "256", 1, 1e6, "running sequences of a replica at most"},
    [P_BOOT] = {"boot_s", SK_PT_FLOAT, "60", 0, 1e6, "seconds from launch to a booted instance"},
    [P_LOAD] = {"load_s", SK_PT_FLOAT, "-1", -1, 1e6, "seconds to load the weights (-1: the model's load time; fixed: 0)"},
    [P_NOT_AWS] = {"notice_aws_s", SK_PT_FLOAT, "120", 0, 1e6, "AWS interruption notice, seconds"},
    [P_NOT_GCP] = {"notice_gcp_s", SK_PT_FLOAT, "30", 0, 1e6, "GCP preemption notice, seconds"},
    [P_LB] = {"lb", SK_PT_STR, "least_load", 0, 0, "load balancer over ready replicas: least_load or round_robin"},
    [P_TIMEOUT] = {"timeout_s", SK_PT_FLOAT, "100", 1e-6, 1e9, "a request waiting longer than this (not yet admitted) fails"},
    [P_RETRY] = {"retry_on_preempt", SK_PT_BOOL, "false", 0, 0, "requests in flight on a reclaimed replica are retried elsewhere (else they fail)"},
    [P_DRAIN] = {"drain_on_notice", SK_PT_BOOL, "true", 0, 0, "a replica under notice takes no new requests (its waiting ones move)"},
    [P_WL] = {"workload", SK_PT_STR, "poisson", 0, 0, "arrivals: trace (replay), poisson, gamma, or counts (per-minute counts)"},
    [P_TRACE] = {"trace", SK_PT_STR, "azure-llm-2023/data/AzureLLMInferenceTrace_conv.csv", 0, 0,
                 "request trace (Azure LLM 2023 shape): replayed, or the token distribution of the other workloads"},
    [P_COUNTS_FILE] = {"counts_file", SK_PT_STR, "spothedge/workloads/maf1/cleaned.csv", 0, 0, "counts: per-minute request counts"},
    [P_COUNTS_SCALE] = {"counts_scale", SK_PT_FLOAT, "1e-4", 0, 1e6, "counts: requests a minute = min(count x this, counts_cap)"},
    [P_COUNTS_CAP] = {"counts_cap", SK_PT_FLOAT, "90", 0, 1e9, "counts: cap on requests a minute"},
    [P_RATE] = {"rate", SK_PT_FLOAT, "1", 1e-9, 1e7, "poisson/gamma: requests per second"},
    [P_CV] = {"cv", SK_PT_FLOAT, "1", 1e-3, 100, "gamma: CV of inter-arrival gaps"},
    [P_TOKENS] = {"tokens", SK_PT_STR, "trace", 0, 0, "token counts: trace (the trace's rows) or fixed"},
    [P_IN] = {"prompt_tokens", SK_PT_INT, "512", 1, 1e7, "fixed: prompt tokens"},
    [P_OUT] = {"output_tokens", SK_PT_INT, "128", 1, 1e7, "fixed: generated tokens"},
    [P_TSCALE] = {"time_scale", SK_PT_FLOAT, "1", 1e-6, 1e6, "trace/counts: multiply times (0.5: twice the rate)"},
    [P_LOOP] = {"loop", SK_PT_BOOL, "true", 0, 0, "trace/counts: start again after the end"},
    [P_HORIZON] = {"horizon_h", SK_PT_FLOAT, "24", 1e-6, 1e5, "simulated hours"},
    [P_TICK] = {"tick_s", SK_PT_FLOAT, "30", 0, 1e6, "policy decision period, seconds (0: events only)"},
    [P_NTARGET] = {"n_target", SK_PT_INT, "3", 0, 10000, "replicas the service needs"},
    [P_KAVAIL] = {"k_avail", SK_PT_INT, "0", 0, 10000, "availability = time with >= this many ready replicas (0: n_target)"},
    [P_SLO] = {"slo_s", SK_PT_FLOAT, "0", 0, 1e9, "SLO on end-to-end latency, seconds (0: none)"},
    [P_SLO_TTFT] = {"slo_ttft_s", SK_PT_FLOAT, "0", 0, 1e9, "SLO on time to first token, seconds (0: none)"},
    [P_QPS] = {"qps_per_replica", SK_PT_FLOAT, "1", 1e-9, 1e9, "requests/s one replica serves (the policies' request-rate autoscaler)"},
};

enum {
    M_COST, M_COST_SPOT, M_COST_OD, M_RH_SPOT, M_RH_OD, M_AVAIL, M_READY, M_TTFT50, M_TTFT90, M_TTFT99, M_TTFT999,
    M_E2E50, M_E2E90, M_E2E99, M_E2E999, M_TTFT_MEAN, M_E2E_MEAN, M_FAILR, M_SLO, M_REQ, M_SERVED, M_FAILED,
    M_DROPPED, M_F_TIMEOUT, M_F_PREEMPT, M_F_LARGE, M_LOST, M_RETRIED, M_PREEMPT, M_LAUNCH, M_LFAIL, M_TOKENS, M_EVENTS,
    M_N
};

static const sk_metric_def sv_metrics[M_N] = {
    [M_COST] = {"cost", SK_TABLE_F64, 1, "$ of replicas (spot + on-demand), billed per second from launch"},
    [M_COST_SPOT] = {"cost_spot", SK_TABLE_F64, 0, "$ of spot replicas"},
    [M_COST_OD] = {"cost_od", SK_TABLE_F64, 0, "$ of on-demand replicas"},
    [M_RH_SPOT] = {"replica_h_spot", SK_TABLE_F64, 0, "spot replica-hours"},
    [M_RH_OD] = {"replica_h_od", SK_TABLE_F64, 0, "on-demand replica-hours"},
    [M_AVAIL] = {"availability", SK_TABLE_F64, 1, "share of time with at least k_avail ready replicas"},
    [M_READY] = {"ready_mean", SK_TABLE_F64, 0, "time-average of ready replicas"},
    [M_TTFT50] = {"ttft_p50", SK_TABLE_F64, 0, "time to first token P50 (served), s"},
    [M_TTFT90] = {"ttft_p90", SK_TABLE_F64, 0, "TTFT P90, s"},
    [M_TTFT99] = {"ttft_p99", SK_TABLE_F64, 1, "TTFT P99, s"},
    [M_TTFT999] = {"ttft_p999", SK_TABLE_F64, 0, "TTFT P99.9, s"},
    [M_E2E50] = {"e2e_p50", SK_TABLE_F64, 1, "end-to-end latency P50 (served), s"},
    [M_E2E90] = {"e2e_p90", SK_TABLE_F64, 0, "end-to-end P90, s"},
    [M_E2E99] = {"e2e_p99", SK_TABLE_F64, 1, "end-to-end P99, s"},
    [M_E2E999] = {"e2e_p999", SK_TABLE_F64, 0, "end-to-end P99.9, s"},
    [M_TTFT_MEAN] = {"ttft_mean", SK_TABLE_F64, 0, "TTFT mean, s"},
    [M_E2E_MEAN] = {"e2e_mean", SK_TABLE_F64, 0, "end-to-end mean, s"},
    [M_FAILR] = {"failure_rate", SK_TABLE_F64, 1, "failed / requests"},
    [M_SLO] = {"slo_attainment", SK_TABLE_F64, 0, "served within slo_s and slo_ttft_s / requests"},
    [M_REQ] = {"requests", SK_TABLE_I64, 0, "requests that arrived"},
    [M_SERVED] = {"served", SK_TABLE_I64, 0, "requests served (last token out)"},
    [M_FAILED] = {"failed", SK_TABLE_I64, 0, "requests failed (timeout, preemption, too large)"},
    [M_DROPPED] = {"dropped", SK_TABLE_I64, 0, "requests still in the system at the horizon"},
    [M_F_TIMEOUT] = {"failed_timeout", SK_TABLE_I64, 0, "failed: waited longer than timeout_s"},
    [M_F_PREEMPT] = {"failed_preempt", SK_TABLE_I64, 0, "failed: in flight on a reclaimed replica"},
    [M_F_LARGE] = {"failed_too_large", SK_TABLE_I64, 0, "failed: prompt + output larger than the KV cache"},
    [M_LOST] = {"lost_at_preempt", SK_TABLE_I64, 0, "requests in flight on replicas when they were reclaimed"},
    [M_RETRIED] = {"retried", SK_TABLE_I64, 0, "requests requeued (preemption with retry, scale-down)"},
    [M_PREEMPT] = {"preemptions", SK_TABLE_I64, 0, "spot replicas reclaimed"},
    [M_LAUNCH] = {"launches", SK_TABLE_I64, 0, "replicas launched"},
    [M_LFAIL] = {"launch_failures", SK_TABLE_I64, 0, "spot launches refused for lack of capacity"},
    [M_TOKENS] = {"tokens_out", SK_TABLE_I64, 0, "tokens generated by served requests"},
    [M_EVENTS] = {"events", SK_TABLE_I64, 0, "events executed"},
};

/* The kind's policy list is the serving registry's, mapped at load time (the registry's size is
 * not a constant expression). Written once, before main, never after. */
#define SV_MAXPOL 64
static const sk_policy_def *sv_policy_defs[SV_MAXPOL];
sk_scenario_kind sk_scn_serving;

__attribute__((constructor)) static void sv_policies_map(void) {
    size_t n = 0;
    for (; sk_serve_policies[n] && n < SV_MAXPOL; n++) sv_policy_defs[n] = &sk_serve_policies[n]->def;
    sk_scn_serving.npolicies = n;
}

static void sv_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sv_fmt(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}


/* ---- the shared cache --------------------------------------------------------------------- */

enum { SV_CAT = 0, SV_TRACE, SV_COUNTS, SV_ZONES, SV_PERF };

typedef struct sv_zones {
    int n;
    char (*name)[48];
    sk_count_trace *ct;
} sv_zones;

typedef sk_cache_item sv_item;

typedef sk_cache sv_cache;

static void sv_item_drop(sv_item *it) {
    if (it->data) switch (it->kind) {
        case SV_CAT: sk_catalog_free(it->data), free(it->data); break;
        case SV_TRACE: sk_srv_trace_fini(it->data), free(it->data); break;
        case SV_COUNTS: sk_srv_counts_fini(it->data), free(it->data); break;
        case SV_ZONES: {
            sv_zones *z = it->data;
            for (int i = 0; i < z->n; i++) sk_count_trace_fini(&z->ct[i]);
            free(z->name), free(z->ct), free(z);
            break;
        }
        case SV_PERF: sk_llmperf_free(it->data); break;
        }
}

static void sv_shared_free(void *p) { sk_cache_free(p); }

static int sv_strcmp(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static int sv_load_zones(sv_item *it, const char *exp_file) {
    char path[4096];
    char *err = it->err;
    size_t el = sizeof it->err;
    if (sk_trace_find_dir(it->key, exp_file, path, sizeof path) < 0)
        return sv_fmt(err, el, "trace_dir: %s not found on the trace search path", it->key), SK_ENOINPUT;
    sv_zones *z = calloc(1, sizeof *z);
    if (!z) return SK_ENOMEM;
    it->data = z;
    char files[SK_SRV_MAXZ][256];
    int n = 0;
    DIR *d = opendir(path);
    if (!d) return sv_fmt(err, el, "trace_dir: cannot open %s", path), SK_ENOINPUT;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (de->d_name[0] == '.' || nl < 6 || nl >= 256 || strcmp(de->d_name + nl - 5, ".json")) continue;
        if (n == SK_SRV_MAXZ) return closedir(d), sv_fmt(err, el, "trace_dir: %s has more than %d zone files", path, SK_SRV_MAXZ), SK_EDATA;
        snprintf(files[n++], 256, "%s", de->d_name);
    }
    closedir(d);
    if (n == 0) return sv_fmt(err, el, "trace_dir: %s has no zone .json files", path), SK_EDATA;
    qsort(files, (size_t)n, sizeof files[0], sv_strcmp);
    z->name = calloc((size_t)n, sizeof *z->name);
    z->ct = calloc((size_t)n, sizeof *z->ct);
    if (!z->name || !z->ct) return SK_ENOMEM;
    for (int i = 0; i < n; i++) {
        char f[4400];
        sv_fmt(f, sizeof f, "%s/%s", path, files[i]);
        int rc = sk_count_trace_load(&z->ct[i], f, SK_SPOT_AUTO, 0, err, el);
        if (rc < 0) return rc;
        z->n = i + 1;
        size_t k = strcspn(files[i], "_.");
        if (k >= sizeof z->name[i]) k = sizeof z->name[i] - 1;
        memcpy(z->name[i], files[i], k);
        z->name[i][k] = '\0';
    }
    return 0;
}

static int sv_load(sv_item *it, const char *exp_file) {
    char path[4096];
    char *err = it->err;
    size_t el = sizeof it->err;
    switch (it->kind) {
    case SV_CAT: {
        sk_catalog *c = calloc(1, sizeof *c);
        if (!c) return SK_ENOMEM;
        it->data = c;
        if (!strcmp(it->key, "default")) return sk_catalog_load_default(c, err, el);
        if (sk_trace_find(it->key, exp_file, path, sizeof path) < 0)
            return sv_fmt(err, el, "catalog_file: %s not found", it->key), SK_ENOINPUT;
        return sk_catalog_load_ex(c, path, SK_CATALOG_STRICT, err, el);
    }
    case SV_TRACE: {
        sk_srv_trace *t = calloc(1, sizeof *t);
        if (!t) return SK_ENOMEM;
        it->data = t;
        if (sk_trace_find(it->key, exp_file, path, sizeof path) < 0)
            return sv_fmt(err, el, "trace: %s not found on the trace search path", it->key), SK_ENOINPUT;
        return sk_srv_trace_load(t, path, err, el);
    }
    case SV_COUNTS: {
        sk_srv_counts *c = calloc(1, sizeof *c);
        if (!c) return SK_ENOMEM;
        it->data = c;
        if (sk_trace_find(it->key, exp_file, path, sizeof path) < 0)
            return sv_fmt(err, el, "counts_file: %s not found on the trace search path", it->key), SK_ENOINPUT;
        return sk_srv_counts_load(c, path, err, el);
    }
    case SV_ZONES: return sv_load_zones(it, exp_file);
    case SV_PERF: {
        char gpu[64], model[256];
        int tp = 0;
        if (sscanf(it->key, "%63[^|]|%255[^|]|%d", gpu, model, &tp) != 3) return SK_EINTERNAL;
        sk_llmperf *p = NULL;
        int rc = sk_llmperf_open(&p, gpu, model, tp, err, el);
        it->data = p;
        return rc;
    }
    }
    return SK_EINTERNAL;
}

static void *sv_shared_new(void) { return sk_cache_new(sv_load, sv_item_drop); }

static const sv_item *sv_get(sv_cache *c, int kind, const char *key, const char *exp_file) {
    return sk_cache_get(c, kind, key, exp_file);
}

/* ---- building a run ------------------------------------------------------------------------ */

typedef struct sv_run {
    sk_serve_cfg cfg;
    sk_serve_zone_cfg zones[SK_SRV_MAXZ];
    int32_t *rot[SK_SRV_MAXZ]; /* the replayed counts from the offset on */
} sv_run;

static void sv_run_free(sv_run *r) {
    for (int z = 0; z < SK_SRV_MAXZ; z++) {
        sk_avail_free(r->zones[z].avail);
        r->zones[z].avail = NULL;
        free(r->rot[z]);
        r->rot[z] = NULL;
    }
}

#define SV_ITEM(var, kind, key, param)                                                                   \
    const sv_item *var = sv_get(cache, kind, key, ctx->exp_file);                                       \
    if (!var) return SK_ENOMEM;                                                                          \
    if (var->rc < 0) return *bad = param, sv_fmt(msg, len, "%s", var->err), var->rc;

/* The region of a zone name: us-east-1f -> us-east-1, us-central1-a -> us-central1. */
static void sv_region(const char *zone, char *out, size_t len) {
    snprintf(out, len, "%s", zone);
    size_t n = strlen(out);
    if (n > 2 && out[n - 2] == '-') out[n - 2] = '\0';
    else if (n > 1 && out[n - 1] >= 'a' && out[n - 1] <= 'z') out[n - 1] = '\0';
}

static int sv_build(sv_run *r, const sk_run_ctx *ctx, const sk_value *v, void *shared, int *bad, char *msg, size_t len) {
    memset(r, 0, sizeof *r);
    sv_cache *cache = shared;
    sk_serve_cfg *c = &r->cfg;
    sk_serve_cfg_defaults(c);
    c->zones = r->zones;
    c->seed = ctx->master_seed, c->world_index = ctx->world_index;
    c->horizon_s = v[P_HORIZON].f * 3600.0, c->tick_s = v[P_TICK].f;
    c->notice_aws_s = v[P_NOT_AWS].f, c->notice_gcp_s = v[P_NOT_GCP].f;
    c->boot_s = v[P_BOOT].f, c->load_s = v[P_LOAD].f;
    c->fix_iter_s = v[P_FIX_ITER].f, c->fix_prefill_s = v[P_FIX_PRE].f, c->fix_decode_s = v[P_FIX_DEC].f;
    c->kv_tokens = v[P_KV].i, c->max_batch = (int)v[P_MAXB].i;
    c->lb = !strcmp(v[P_LB].s, "round_robin") ? SK_SRV_LB_ROUND_ROBIN : SK_SRV_LB_LEAST_LOAD;
    c->timeout_s = v[P_TIMEOUT].f, c->retry_on_preempt = (int)v[P_RETRY].i, c->drain_on_notice = (int)v[P_DRAIN].i;
    c->rate = v[P_RATE].f, c->cv = v[P_CV].f;
    c->counts_scale = v[P_COUNTS_SCALE].f, c->counts_cap = v[P_COUNTS_CAP].f;
    c->time_scale = v[P_TSCALE].f, c->loop = (int)v[P_LOOP].i;
    c->fixed_in = (int32_t)v[P_IN].i, c->fixed_out = (int32_t)v[P_OUT].i;
    c->fixed_tokens = !strcmp(v[P_TOKENS].s, "fixed");
    c->n_target = (int)v[P_NTARGET].i, c->k_avail = (int)v[P_KAVAIL].i;
    c->slo_s = v[P_SLO].f, c->slo_ttft_s = v[P_SLO_TTFT].f;
    c->qps_per_replica = v[P_QPS].f;
    const char *wl = v[P_WL].s;
    c->wl = !strcmp(wl, "poisson") ? SK_SRV_WL_POISSON : !strcmp(wl, "gamma") ? SK_SRV_WL_GAMMA
          : !strcmp(wl, "counts") ? SK_SRV_WL_COUNTS : SK_SRV_WL_TRACE;
    if (!strcmp(wl, "trace") || !c->fixed_tokens) {
        SV_ITEM(tr, SV_TRACE, v[P_TRACE].s, P_TRACE);
        c->trace = tr->data;
    }
    if (c->wl == SK_SRV_WL_COUNTS) {
        SV_ITEM(cn, SV_COUNTS, v[P_COUNTS_FILE].s, P_COUNTS_FILE);
        c->counts = cn->data;
    }
    /* the instance type and its prices */
    SV_ITEM(cat, SV_CAT, v[P_CAT_FILE].s[0] ? v[P_CAT_FILE].s : "default", P_CAT_FILE);
    const sk_catalog *k = cat->data;
    const char *av = v[P_AVAIL].s;
    const sv_zones *zs = NULL;
    char region0[40] = "";
    if (!strcmp(av, "trace")) {
        SV_ITEM(zi, SV_ZONES, v[P_TRACE_DIR].s, P_TRACE_DIR);
        zs = zi->data;
        sv_region(zs->name[0], region0, sizeof region0);
    }
    /* instance_type: one type, or candidates "a,b,...": the first offered in the first zone's region */
    int type = -1;
    {
        char list[512], *save = NULL;
        snprintf(list, sizeof list, "%s", v[P_ITYPE].s);
        for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            int t = sk_catalog_type(k, tok);
            if (t < 0) return *bad = P_ITYPE, sv_fmt(msg, len, "instance_type: '%s' is not in the catalog", tok), SK_ECONFIG;
            if (type < 0) type = t;
            if (!region0[0]) break;
            int off[512], no = sk_catalog_offers_of(k, t, off, 512), hit = 0;
            for (int i = 0; i < no && i < 512 && !hit; i++) hit = !strcmp(k->offers[off[i]].region, region0);
            if (hit) {
                type = t;
                break;
            }
        }
        if (type < 0) return *bad = P_ITYPE, sv_fmt(msg, len, "instance_type: empty"), SK_ECONFIG;
    }
    const sk_itype *it = &k->types[type];
    int gcp = !strcmp(it->cloud, "gcp");
    int offers[512];
    int noff = sk_catalog_offers_of(k, type, offers, 512);
    if (noff > 512) noff = 512;
    if (noff == 0) return *bad = P_ITYPE, sv_fmt(msg, len, "instance_type: '%s' has no offer in the catalog", it->name), SK_ECONFIG;
    if (zs) {
        c->nzones = zs->n;
        int64_t lmin = INT64_MAX;
        double gap = zs->ct[0].gap;
        for (int z = 0; z < zs->n; z++)
            if (zs->ct[z].n < lmin) lmin = zs->ct[z].n;
        int64_t off;
        if (v[P_OFFSET_H].f >= 0) off = (int64_t)floor(v[P_OFFSET_H].f * 3600.0 / gap);
        else {
            sk_rng orng;
            if (sk_rng_init(&orng, NULL, ctx->master_seed, ctx->world_index, 4) < 0) return SK_ENOMEM;
            int64_t hz = (int64_t)ceil(c->horizon_s / gap), span = lmin - hz;
            off = span > 0 ? (int64_t)sk_rng_uniform_int(&orng, (uint32_t)(span + 1)) : 0;
            sk_rng_fini(&orng);
        }
        for (int z = 0; z < zs->n; z++) {
            const sk_count_trace *ct = &zs->ct[z];
            sk_serve_zone_cfg *zc = &r->zones[z];
            int64_t n = ct->n, o = off % n;
            if (!(r->rot[z] = malloc((size_t)n * sizeof *r->rot[z]))) return SK_ENOMEM;
            for (int64_t i = 0; i < n; i++) r->rot[z][i] = ct->counts[(o + i) % n];
            int64_t keep = v[P_TRACE_LOOP].i ? n : n - o; /* without looping the trace ends at its end */
            zc->counts = r->rot[z], zc->ncounts = keep, zc->gap_s = ct->gap, zc->scale = (int32_t)v[P_CAP_SCALE].i;
            zc->loop = (int)v[P_TRACE_LOOP].i;
            if (!(zc->avail = sk_avail_replay_new(r->rot[z], keep, sk_time_from(ct->gap, SK_SEC), 0, zc->scale, zc->loop)))
                return SK_ENOMEM;
            snprintf(zc->name, sizeof zc->name, "%s", zs->name[z]);
            sv_region(zc->name, zc->region, sizeof zc->region);
        }
    } else {
        int n = 0;
        for (int i = 0; i < noff && n < v[P_ZONES].i; i++) {
            const sk_offer *o = &k->offers[offers[i]];
            if (!(o->spot_price >= 0) && !(v[P_SPOT_FRAC].f > 0)) continue;
            snprintf(r->zones[n].name, sizeof r->zones[n].name, "%s", o->zone);
            snprintf(r->zones[n].region, sizeof r->zones[n].region, "%s", o->region);
            n++;
        }
        if (n == 0) return *bad = P_ITYPE, sv_fmt(msg, len, "instance_type: '%s' has no spot offer", it->name), SK_ECONFIG;
        c->nzones = n;
        for (int z = 0; z < n; z++) {
            sk_serve_zone_cfg *zc = &r->zones[z];
            if (!strcmp(av, "markov")) {
                double lv[16], rt[256];
                int nl = sk_param_list_f64(v[P_MK_LEVELS].s, lv, 16);
                int nr = sk_param_list_f64(v[P_MK_RATES].s, rt, 256);
                if (nl < 1 || nr != nl * nl)
                    return *bad = nl < 1 ? P_MK_LEVELS : P_MK_RATES,
                           sv_fmt(msg, len, "markov: %d levels need %d rates (got %d)", nl, nl * nl, nr), SK_ECONFIG;
                int32_t cap[16];
                for (int l = 0; l < nl; l++) cap[l] = (int32_t)llround(lv[l] * (double)v[P_CAPACITY].i);
                zc->avail = sk_avail_markov_new(nl, cap, rt, -1, 0, sk_time_from(v[P_SPREAD].f, SK_SEC));
            } else if (!strcmp(av, "hazard"))
                zc->avail = sk_avail_hazard_new(v[P_HZ_RATE].f, v[P_GROUP].f, sk_time_from(v[P_SPREAD].f, SK_SEC), 0);
            if (strcmp(av, "none") && !zc->avail) return SK_ENOMEM;
        }
    }
    /* prices: the offer in the zone, else in its region, else the type's first offer */
    for (int z = 0; z < c->nzones; z++) {
        sk_serve_zone_cfg *zc = &r->zones[z];
        zc->gcp = gcp;
        int o = sk_catalog_offer(k, type, zc->name);
        for (int i = 0; o < 0 && i < noff; i++)
            if (!strcmp(k->offers[offers[i]].region, zc->region)) o = offers[i];
        if (o < 0) o = offers[0];
        const sk_offer *of = &k->offers[o];
        zc->od_price = v[P_OD_PRICE].f > 0 ? v[P_OD_PRICE].f : of->od_price;
        zc->spot_price = v[P_SPOT_FRAC].f > 0 ? v[P_SPOT_FRAC].f * zc->od_price : of->spot_price;
        if (!(zc->od_price >= 0) || !(zc->spot_price >= 0))
            return *bad = P_ITYPE,
                   sv_fmt(msg, len, "instance_type: %s in %s has no %s price (set od_price / spot_price_frac)", it->name,
                          zc->name, zc->od_price >= 0 ? "spot" : "on-demand"),
                   SK_ECONFIG;
    }
    if (!strcmp(v[P_SERVICE].s, "llmperf")) {
        char key[400];
        int tp = v[P_TP].i > 0 ? (int)v[P_TP].i : it->gpus;
        sv_fmt(key, sizeof key, "%s|%s|%d", it->gpu, v[P_MODEL].s, tp);
        SV_ITEM(pf, SV_PERF, key, P_MODEL);
        c->perf = pf->data;
    }
    return 0;
}

static int sv_check(const sk_value *v, const sk_policy_def *pol, const sk_value *pp, int *bad, char *msg, size_t len) {
    (void)pol, (void)pp;
    static const struct {
        int p;
        const char *ok[6];
    } en[] = {
        {P_AVAIL, {"trace", "markov", "hazard", "none", NULL}},
        {P_SERVICE, {"llmperf", "fixed", NULL}},
        {P_LB, {"least_load", "round_robin", NULL}},
        {P_WL, {"trace", "poisson", "gamma", "counts", NULL}},
        {P_TOKENS, {"trace", "fixed", NULL}},
    };
    for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
        int ok = 0;
        for (int j = 0; en[i].ok[j]; j++) ok |= !strcmp(v[en[i].p].s, en[i].ok[j]);
        if (!ok) {
            char list[128] = "";
            for (int j = 0; en[i].ok[j]; j++)
                sv_fmt(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", en[i].ok[j]);
            *bad = en[i].p;
            sv_fmt(msg, len, "%s: expected one of %s, got '%s'", sv_params[en[i].p].name, list, v[en[i].p].s);
            return SK_ECONFIG;
        }
    }
    return 0;
}

static int sv_check_data(void *shared, const sk_value *v, const char *exp_file, int *bad, char *msg, size_t len) {
    sv_run r;
    sk_run_ctx ctx = {0};
    ctx.exp_file = exp_file;
    *bad = -1;
    int rc = sv_build(&r, &ctx, v, shared, bad, msg, len);
    sv_run_free(&r);
    return rc;
}

static int sv_run_one(const sk_run_ctx *ctx, sk_value *out, char *msg, size_t len) {
    sv_run r;
    int bad = -1;
    int rc = sv_build(&r, ctx, ctx->params, ctx->shared, &bad, msg, len);
    if (rc < 0) return sv_run_free(&r), rc;
    const sk_serve_policy *pol = sk_serve_policy_find(ctx->policy->name);
    if (!pol) return sv_run_free(&r), sv_fmt(msg, len, "serving: no policy '%s'", ctx->policy->name), SK_EINTERNAL;
    sk_rng prng;
    if ((rc = sk_rng_init(&prng, NULL, ctx->master_seed, ctx->run_index, SK_STREAM_POLICY)) < 0) return sv_run_free(&r), rc;
    sk_serve_result res;
    rc = sk_serve_run(&r.cfg, pol, ctx->policy_params, &prng, ctx->stop, &res, msg, len);
    for (int z = 0; z < SK_SRV_MAXZ; z++) r.zones[z].avail = NULL; /* freed by the world */
    sk_rng_fini(&prng);
    sv_run_free(&r);
    if (rc < 0) return rc;
    out[M_COST].f = res.cost, out[M_COST_SPOT].f = res.cost_spot, out[M_COST_OD].f = res.cost_od;
    out[M_RH_SPOT].f = res.rh_spot, out[M_RH_OD].f = res.rh_od, out[M_AVAIL].f = res.availability;
    out[M_READY].f = res.ready_mean;
    out[M_TTFT50].f = res.ttft[0], out[M_TTFT90].f = res.ttft[1], out[M_TTFT99].f = res.ttft[2], out[M_TTFT999].f = res.ttft[3];
    out[M_E2E50].f = res.e2e[0], out[M_E2E90].f = res.e2e[1], out[M_E2E99].f = res.e2e[2], out[M_E2E999].f = res.e2e[3];
    out[M_TTFT_MEAN].f = res.ttft_mean, out[M_E2E_MEAN].f = res.e2e_mean;
    out[M_FAILR].f = res.failure_rate, out[M_SLO].f = res.slo_attain;
    out[M_REQ].i = res.requests, out[M_SERVED].i = res.served, out[M_FAILED].i = res.failed, out[M_DROPPED].i = res.dropped;
    out[M_F_TIMEOUT].i = res.failed_timeout, out[M_F_PREEMPT].i = res.failed_preempt, out[M_F_LARGE].i = res.failed_too_large;
    out[M_LOST].i = res.lost_preempt, out[M_RETRIED].i = res.retried, out[M_PREEMPT].i = res.preemptions;
    out[M_LAUNCH].i = res.launches, out[M_LFAIL].i = res.launch_fail, out[M_TOKENS].i = res.tokens_out;
    out[M_EVENTS].i = res.events;
    return 0;
}

sk_scenario_kind sk_scn_serving = {
    .name = "serving",
    .help = "an LLM service on spot and on-demand replicas: continuous batching, load balancing, preemptions, tail latency",
    .params = sv_params,
    .nparams = P_N,
    .policies = sv_policy_defs,
    .npolicies = 0, /* sv_policies_map */
    .metrics = sv_metrics,
    .nmetrics = M_N,
    .check = sv_check,
    .check_data = sv_check_data,
    .run = sv_run_one,
    .shared_new = sv_shared_new,
    .shared_free = sv_shared_free,
};
