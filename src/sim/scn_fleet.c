/* scn_fleet.c - `scenario.kind: fleet`: many jobs on heterogeneous GPU pools across zones and
 * clouds (sim/sk_fleet.h), with the pools, availability, prices, network and jobs built from the
 * parameters and the shared datasets. Data files are loaded once per `synkti run` into a cache
 * shared by all threads; every run builds its own models from it, on the run's own streams.
 *
 * Pools (`pools`):
 *   synthetic  `zones` zones named after real AWS and GCP regions, two instance types each
 *              (1 and 8 GPUs), `capacity` GPUs of spot per pool; the benchmark fleet.
 *   catalog    every offer of the instance catalog that passes gpu/cloud/region (with a spot
 *              price), at most `zones` zones; `capacity` GPUs of spot per pool.
 *   trace      one pool per zone folder of trace_dir (the multi-zone availability traces), of
 *              instance type trace_type; capacity = the trace's count x `capacity` instances.
 *   pai        the Alibaba PAI 2020 machine fleet (one zone, a pool per machine group), run as a
 *              standing fleet of `standing_market` instances.
 * Jobs (`jobs`): a job trace (ElasticFlow, Philly) or a synthetic stream. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cjson/cJSON.h>

#include "core/sk_param.h"
#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "io/sk_results.h"
#include "io/sk_spot.h"
#include "io/sk_trace.h"
#include "models/sk_avail.h"
#include "models/sk_catalog.h"
#include "models/sk_migration.h"
#include "models/sk_net.h"
#include "models/sk_price.h"
#include "models/sk_workload.h"
#include "sim/sk_cache.h"
#include "sim/sk_fleet.h"
#include "sk_error.h"

enum {
    P_POOLS, P_ZONES, P_GPU, P_CLOUD, P_REGION, P_TRACE_DIR, P_TRACE_FILE, P_TRACE_TYPE, P_CAP, P_AVAIL, P_MK_LEVELS,
    P_MK_RATES, P_HZ_BUCKET, P_GROUP, P_SPREAD, P_PRICE, P_OU_THETA, P_OU_SIGMA, P_OU_JR, P_OU_JM, P_OU_DT, P_NET,
    P_JOBS, P_JOB_TRACE, P_TSCALE, P_JLIMIT, P_RATE, P_CV, P_NJOBS, P_LEN, P_LEN_H, P_LEN_SIG, P_SIZES, P_SIZEW,
    P_JOB_GPU, P_CKPT_H, P_CKPT_GB, P_CKPT_W, P_DL, P_BOOT, P_LOAD, P_NOT_AWS, P_NOT_GCP, P_MAXP, P_BILL_AWS,
    P_BILL_GCP, P_MIN_BILL, P_RETRIES, P_DROP, P_STANDING, P_STANDING_MKT, P_HEAL, P_HORIZON, P_TICK, P_MAXI,
    P_SERIES, P_TICK_LAST, P_CKPT_NOTICE, P_MOVE_TIME, P_CAT_FILE, P_MODEL_GB, P_MODEL_STORE, P_LOAD_FIG, P_BOOT_FIG, P_N
};

static const sk_param_def fs_params[P_N] = {
    [P_POOLS] = {"pools", SK_PT_STR, "synthetic", 0, 0, "where pools come from: synthetic, catalog, trace or pai"},
    [P_ZONES] = {"zones", SK_PT_INT, "10", 0, 1000, "synthetic: zones; catalog: at most this many zones (0: all)"},
    [P_GPU] = {"gpu", SK_PT_STR, "any", 0, 0, "catalog pools: GPU model (H100, V100, ...) or any"},
    [P_CLOUD] = {"cloud", SK_PT_STR, "any", 0, 0, "catalog pools: aws, gcp or any"},
    [P_REGION] = {"region", SK_PT_STR, "any", 0, 0, "catalog pools: one region or any"},
    [P_TRACE_DIR] = {"trace_dir", SK_PT_STR, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged", 0, 0,
                     "trace pools: folder of zone folders (trace search path)"},
    [P_TRACE_FILE] = {"trace_file", SK_PT_STR, "full.json", 0, 0, "trace pools: the trace file in each zone folder"},
    [P_TRACE_TYPE] = {"trace_type", SK_PT_STR, "a3-highgpu-1g", 0, 0, "trace pools: their instance type (catalog name)"},
    [P_CAP] = {"capacity", SK_PT_INT, "64", 0, 1e9, "spot capacity: GPUs per pool (synthetic, catalog); instances per trace unit (trace)"},
    [P_AVAIL] = {"availability", SK_PT_STR, "markov", 0, 0, "none, trace (trace pools), markov or hazard"},
    [P_MK_LEVELS] = {"markov_levels", SK_PT_STR, "1,0.25", 0, 0, "Markov levels as fractions of capacity, comma-separated"},
    [P_MK_RATES] = {"markov_rates_per_h", SK_PT_STR, "0,0.2,1,0", 0, 0, "Markov rates per hour, row-major levels x levels (diagonal ignored)"},
    [P_HZ_BUCKET] = {"hazard_bucket", SK_PT_INT, "-1", -1, 4, "hazard: Spot Advisor bucket 0-4 (-1: each pool's from the advisor file, else 2)"},
    [P_GROUP] = {"reclaim_group", SK_PT_FLOAT, "0.3", 1e-6, 1, "hazard: share of a pool's spot instances one reclaim event takes"},
    [P_SPREAD] = {"reclaim_spread_s", SK_PT_FLOAT, "180", 0, 86400, "notices of one reclaim spread over this many seconds"},
    [P_PRICE] = {"price", SK_PT_STR, "const", 0, 0, "spot prices: const, trace (trace pools with per-tick prices), history (price-history datasets) or ou"},
    [P_OU_THETA] = {"price_theta_per_h", SK_PT_FLOAT, "0.5", 0, 1e3, "ou: mean reversion per hour"},
    [P_OU_SIGMA] = {"price_sigma", SK_PT_FLOAT, "0.05", 0, 10, "ou: diffusion as a fraction of the base price per sqrt(hour)"},
    [P_OU_JR] = {"price_jumps_per_h", SK_PT_FLOAT, "0.02", 0, 1e3, "ou: jumps per hour"},
    [P_OU_JM] = {"price_jump_mean", SK_PT_FLOAT, "0.2", 0, 10, "ou: mean jump as a fraction of the base price"},
    [P_OU_DT] = {"price_dt_s", SK_PT_FLOAT, "300", 1, 86400, "ou: sampling step, seconds"},
    [P_NET] = {"network", SK_PT_STR, "skyplane", 0, 0, "checkpoint transfers: skyplane (grids + AR(1) noise) or skynomad (the multi-region model)"},
    [P_JOBS] = {"jobs", SK_PT_STR, "synthetic", 0, 0, "job source: synthetic or trace"},
    [P_JOB_TRACE] = {"job_trace", SK_PT_STR, "gpu-jobs/ms-itp-elasticflow/jobs.csv", 0, 0, "trace jobs (trace search path)"},
    [P_TSCALE] = {"time_scale", SK_PT_FLOAT, "1", 1e-6, 1e6, "trace jobs: multiply submit times and durations"},
    [P_JLIMIT] = {"job_limit", SK_PT_INT, "0", 0, 1e9, "trace jobs: keep the first N (0: all)"},
    [P_RATE] = {"arrival_rate_per_h", SK_PT_FLOAT, "20", 1e-9, 1e9, "synthetic: mean arrivals per hour"},
    [P_CV] = {"arrival_cv", SK_PT_FLOAT, "1", 0, 100, "synthetic: CV of inter-arrival times (1: Poisson; else Gamma)"},
    [P_NJOBS] = {"n_jobs", SK_PT_INT, "200", 1, 1e8, "synthetic: number of jobs"},
    [P_LEN] = {"length", SK_PT_STR, "exp", 0, 0, "synthetic lengths: exp, lognormal, or philly (sizes and lengths drawn from the Philly subset)"},
    [P_LEN_H] = {"length_hours", SK_PT_FLOAT, "2", 1e-6, 1e6, "synthetic: mean (exp) or median (lognormal) hours of work"},
    [P_LEN_SIG] = {"length_sigma", SK_PT_FLOAT, "1", 0, 10, "synthetic lognormal: sigma of log length"},
    [P_SIZES] = {"sizes", SK_PT_STR, "1,2,4,8", 0, 0, "synthetic: job sizes in GPUs, comma-separated"},
    [P_SIZEW] = {"size_weights", SK_PT_STR, "0.6,0.2,0.1,0.1", 0, 0, "synthetic: weights of the sizes"},
    [P_JOB_GPU] = {"job_gpu", SK_PT_STR, "any", 0, 0, "GPU models a job may run on, comma-separated (V100,A100), or any"},
    [P_CKPT_H] = {"ckpt_every_h", SK_PT_FLOAT, "0.5", 0, 1e6, "hours of progress between periodic checkpoints (0: none)"},
    [P_CKPT_GB] = {"ckpt_gb_per_gpu", SK_PT_FLOAT, "10", 0, 1e6, "checkpoint size per GPU of a job, GB"},
    [P_CKPT_W] = {"ckpt_write_gbps", SK_PT_FLOAT, "4", 0, 1e6, "checkpoint write speed on a notice, Gbit/s (0: no checkpoint on notice)"},
    [P_DL] = {"deadline_factor", SK_PT_FLOAT, "0", 0, 1e6, "deadline = arrival + factor x work (0: no deadlines)"},
    [P_BOOT] = {"boot_s", SK_PT_FLOAT, "60", 0, 1e6, "seconds from launch to running"},
    [P_LOAD] = {"load_s", SK_PT_FLOAT, "60", 0, 1e6, "seconds to load the model on a (re)start"},
    [P_NOT_AWS] = {"notice_aws_s", SK_PT_FLOAT, "120", 0, 1e6, "AWS interruption notice, seconds"},
    [P_NOT_GCP] = {"notice_gcp_s", SK_PT_FLOAT, "30", 0, 1e6, "GCP preemption notice, seconds"},
    [P_MAXP] = {"max_price_frac", SK_PT_FLOAT, "0", 0, 100, "spot maximum price as a fraction of on-demand (0: none)"},
    [P_BILL_AWS] = {"billing_aws", SK_PT_STR, "second", 0, 0, "AWS billing: second (60 s minimum), hour, or tick (whole ticks of tick_s)"},
    [P_BILL_GCP] = {"billing_gcp", SK_PT_STR, "second", 0, 0, "GCP billing: second (60 s minimum), hour, or tick (whole ticks of tick_s)"},
    [P_MIN_BILL] = {"min_bill_s", SK_PT_FLOAT, "60", 0, 1e6, "minimum billed seconds per instance (per-second billing)"},
    [P_RETRIES] = {"max_retries", SK_PT_INT, "-1", -1, 1e9, "retries before a job is abandoned (-1: never)"},
    [P_DROP] = {"drop_late", SK_PT_BOOL, "false", 0, 0, "a job still running at its deadline is stopped (FAILED)"},
    [P_STANDING] = {"standing", SK_PT_INT, "0", 0, 1e9, "standing instances per pool launched at 0 (pai: the machine counts)"},
    [P_STANDING_MKT] = {"standing_market", SK_PT_STR, "od", 0, 0, "market of the standing fleet: od or spot"},
    [P_HEAL] = {"fleet_heal", SK_PT_BOOL, "true", 0, 0, "relaunch lost standing instances (fleet-level heal)"},
    [P_HORIZON] = {"horizon_h", SK_PT_FLOAT, "0", 0, 1e7, "stop after this many hours (0: when every job has ended, at most last arrival + 10 x longest job + 7 days)"},
    [P_TICK] = {"tick_s", SK_PT_FLOAT, "0", 0, 1e7, "periodic decision tick, seconds (0: none)"},
    [P_MAXI] = {"max_instances_per_job", SK_PT_INT, "16", 1, 64, "instances one job may span (all in one zone)"},
    [P_SERIES] = {"series_s", SK_PT_FLOAT, "3600", 1, 1e7, "time-series step, seconds (with --series)"},
    /* the tick model's options (docs/fleet_crosscheck.md) */
    [P_TICK_LAST] = {"tick_last", SK_PT_BOOL, "false", 0, 0, "a tick's decision runs after every other event of its instant (sees that boundary's preemptions)"},
    [P_CKPT_NOTICE] = {"ckpt_on_notice", SK_PT_STR, "fits", 0, 0, "checkpoint on a notice: fits (when the write fits the notice) or always (no progress lost)"},
    [P_MOVE_TIME] = {"transfer_time", SK_PT_BOOL, "true", 0, 0, "a move between regions adds the checkpoint's copy time to the restart (false: egress $ only)"},
    [P_CAT_FILE] = {"catalog_file", SK_PT_STR, "", 0, 0,
                    "a user's instance catalog CSV (the shipped catalogs' shape; every row priced) instead of the shipped ones"},
    [P_MODEL_GB] = {"model_gb", SK_PT_FLOAT, "0", 0, 1e6,
                    "model weights copied from the model store at every (re)start over the network (time and egress $)"},
    [P_MODEL_STORE] = {"model_store", SK_PT_STR, "", 0, 0,
                       "cloud:region of the model store (aws:us-east-1); empty: a store in every region"},
    [P_LOAD_FIG] = {"load_figures", SK_PT_STR, "", 0, 0,
                    "figure ids of coldstart-figures/coldstart_figures.csv whose seconds add up to load_s (overrides it), "
                    "e.g. tensorfuse_cold_load,tensorfuse_cold_init"},
    [P_BOOT_FIG] = {"boot_figure", SK_PT_STR, "", 0, 0, "a coldstart figure id whose seconds are boot_s (overrides it)"},
};

static const sk_metric_def fs_metrics[SK_FM_N] = {
    [SK_FM_COST] = {"cost", SK_TABLE_F64, 1, "$: compute (spot + on-demand) + egress"},
    [SK_FM_COST_SPOT] = {"cost_spot", SK_TABLE_F64, 1, "$ of spot instances"},
    [SK_FM_COST_OD] = {"cost_od", SK_TABLE_F64, 1, "$ of on-demand instances"},
    [SK_FM_EGRESS] = {"egress", SK_TABLE_F64, 0, "$ of checkpoint transfers between regions"},
    [SK_FM_GPUH_SPOT] = {"gpu_hours_spot", SK_TABLE_F64, 0, "billed spot GPU-hours"},
    [SK_FM_GPUH_OD] = {"gpu_hours_od", SK_TABLE_F64, 0, "billed on-demand GPU-hours"},
    [SK_FM_PREEMPT] = {"preemptions", SK_TABLE_I64, 1, "job runs cut short by a lost instance"},
    [SK_FM_RESTARTS] = {"restarts", SK_TABLE_I64, 0, "job restarts from a checkpoint"},
    [SK_FM_LOST_GPUH] = {"lost_gpu_hours", SK_TABLE_F64, 0, "GPU-hours of work rolled back to a checkpoint"},
    [SK_FM_JCT_MEAN] = {"jct_mean_h", SK_TABLE_F64, 1, "job completion time (arrival to done), mean, hours"},
    [SK_FM_JCT_P50] = {"jct_p50_h", SK_TABLE_F64, 0, "job completion time P50, hours"},
    [SK_FM_JCT_P90] = {"jct_p90_h", SK_TABLE_F64, 0, "job completion time P90, hours"},
    [SK_FM_JCT_P99] = {"jct_p99_h", SK_TABLE_F64, 0, "job completion time P99, hours"},
    [SK_FM_QUEUE_MEAN] = {"queue_mean_h", SK_TABLE_F64, 1, "arrival to first start, mean, hours"},
    [SK_FM_QUEUE_P99] = {"queue_p99_h", SK_TABLE_F64, 0, "arrival to first start, P99, hours"},
    [SK_FM_DEADLINE_MET] = {"deadline_met", SK_TABLE_F64, 1, "share of jobs with a deadline that met it"},
    [SK_FM_UTIL] = {"utilisation", SK_TABLE_F64, 0, "useful GPU-hours / billed GPU-hours"},
    [SK_FM_COMPLETED] = {"completed", SK_TABLE_I64, 0, "jobs completed"},
    [SK_FM_FAILED] = {"failed", SK_TABLE_I64, 0, "jobs stopped at their deadline"},
    [SK_FM_ABANDONED] = {"abandoned", SK_TABLE_I64, 0, "jobs abandoned after max_retries"},
    [SK_FM_UNFINISHED] = {"unfinished", SK_TABLE_I64, 0, "jobs still live at the horizon"},
    [SK_FM_LAUNCHES] = {"launches", SK_TABLE_I64, 0, "instances launched"},
    [SK_FM_LAUNCH_FAIL] = {"launch_failures", SK_TABLE_I64, 0, "spot launches refused for lack of capacity"},
    [SK_FM_EVENTS] = {"events", SK_TABLE_I64, 0, "events executed"},
};

extern const sk_gpolicy sk_pol_fleet_cheapest_spot, sk_pol_fleet_on_demand, sk_pol_fleet_failover,
    sk_pol_fleet_eager_next_region, sk_pol_fleet_uniform_progress, sk_pol_fleet_fifo;
extern const sk_gpolicy sk_pol_fleet_mr_uniform_progress, sk_pol_fleet_mr_up_failover, sk_pol_fleet_mr_up_probe,
    sk_pol_fleet_mr_up_probe_cost; /* policies/fleet_mr_adapter.c */
static const sk_policy_def *const fs_policy_defs[] = {
    &sk_pol_fleet_cheapest_spot.def, &sk_pol_fleet_on_demand.def,          &sk_pol_fleet_failover.def,
    &sk_pol_fleet_eager_next_region.def, &sk_pol_fleet_uniform_progress.def, &sk_pol_fleet_fifo.def,
    &sk_pol_fleet_mr_uniform_progress.def, &sk_pol_fleet_mr_up_failover.def, &sk_pol_fleet_mr_up_probe.def,
    &sk_pol_fleet_mr_up_probe_cost.def,
};

static void fs_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fs_fmt(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* ---- the shared cache --------------------------------------------------------------------- */

typedef sk_cache_item fs_item;

typedef struct fs_zones {
    int n, flat;
    char **names;
    char (*mtype)[48]; /* metadata.price_info.machine_type, "" when absent */
    sk_count_trace *ct;
    sk_spot_trace *st;  /* prices and price_info */
} fs_zones;

typedef sk_cache fs_cache;

static void fs_figs_free(void *p);

static void fs_item_drop(fs_item *it) {
    if (it->data) switch (it->kind) {
        case 0: sk_catalog_free(it->data); break;
        case 1: sk_jobs_fini(it->data); break;
        case 2: {
            fs_zones *z = it->data;
            for (int i = 0; i < z->n; i++) {
                free(z->names[i]);
                if (z->ct) sk_count_trace_fini(&z->ct[i]);
                if (z->st) sk_spot_fini(&z->st[i]);
            }
            free(z->names), free(z->ct), free(z->st), free(z->mtype);
            break;
        }
        case 3: sk_machines_fini(it->data); break;
        case 4: sk_net_free(it->data); it->data = NULL; break;
        case 5: sk_advisor_free(it->data); it->data = NULL; break;
        case 6: sk_price_series_fini(it->data); break;
        case 7: fs_figs_free(it->data); break;
        }
    if (it->kind != 4 && it->kind != 5) free(it->data);
}

static void fs_shared_free(void *p) { sk_cache_free(p); }

static int fs_strcmp_p(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* coldstart-figures/coldstart_figures.csv (figure_id, quantity, value, unit, ...): the figures
 * in seconds. A value "a-b" (a published range) counts as its midpoint. */
typedef struct fs_fig {
    char id[SK_CSV_FLEN];
    double s;
    int64_t line;
} fs_fig;
typedef struct fs_figs {
    fs_fig *f;
    int n, cap;
    int cid, cval, cunit; /* columns, from the header */
} fs_figs;

static int fs_fig_row(sk_csv_rd *rd) {
    fs_figs *t = rd->ctx;
    if (rd->line == 1 || (t->n == 0 && t->cid == 0 && t->cval == 0)) {
        t->cid = t->cval = t->cunit = -1;
        for (int k = 0; k < rd->nf; k++) {
            if (!strcmp(rd->f[k], "figure_id")) t->cid = k;
            if (!strcmp(rd->f[k], "value")) t->cval = k;
            if (!strcmp(rd->f[k], "unit")) t->cunit = k;
        }
        if (t->cid < 0 || t->cval < 0 || t->cunit < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected columns figure_id, value and unit", rd->path,
                           (long long)rd->line);
        return 0;
    }
    if (rd->nf <= t->cid || rd->nf <= t->cval || rd->nf <= t->cunit) return 0;
    if (strcmp(rd->f[t->cunit], "s")) return 0; /* only durations in seconds are figures of time here */
    double a, b;
    char *end;
    a = strtod(rd->f[t->cval], &end);
    if (end == rd->f[t->cval]) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column value: expected seconds, got '%s'",
                                             rd->path, (long long)rd->line, rd->f[t->cval]);
    if (*end == '-') {
        char *e2;
        b = strtod(end + 1, &e2);
        if (e2 == end + 1 || *e2)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column value: expected seconds or a range a-b, got '%s'",
                           rd->path, (long long)rd->line, rd->f[t->cval]);
        a = (a + b) / 2;
    } else if (*end)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column value: expected seconds, got '%s'", rd->path,
                       (long long)rd->line, rd->f[t->cval]);
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 32;
        fs_fig *nf = realloc(t->f, (size_t)nc * sizeof *nf);
        if (!nf) return SK_ENOMEM;
        t->f = nf, t->cap = nc;
    }
    fs_fig *g = &t->f[t->n++];
    snprintf(g->id, sizeof g->id, "%s", rd->f[t->cid]);
    g->s = a, g->line = rd->line;
    return 0;
}

static void fs_figs_free(void *p) { free(((fs_figs *)p)->f); }

/* The sum of the named figures (comma-separated ids), or -1 with msg naming the unknown id. */
static double fs_fig_sum(const fs_figs *t, const char *ids, char *msg, size_t len) {
    char list[512], *save = NULL;
    double sum = 0;
    snprintf(list, sizeof list, "%s", ids);
    for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int k = 0;
        while (k < t->n && strcmp(t->f[k].id, tok)) k++;
        if (k == t->n) {
            fs_fmt(msg, len, "no figure '%s' in seconds in coldstart-figures/coldstart_figures.csv", tok);
            return -1;
        }
        sum += t->f[k].s;
    }
    return sum;
}

/* metadata.price_info.machine_type of a trace file ("" when absent): the machine its prices are
 * for (the GCP H100 traces price an a3-highgpu-8g). */
static int fs_machine_type(const char *path, char *out, size_t len, char *err, size_t el) {
    char *buf = NULL;
    size_t n = 0;
    out[0] = '\0';
    int rc = sk_file_slurp(path, &buf, &n, err, el);
    if (rc < 0) return rc;
    cJSON *root = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!root) return fs_fmt(err, el, "%s: not JSON", path), SK_EDATA;
    const cJSON *mt = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "metadata"), "price_info"), "machine_type");
    if (cJSON_IsString(mt) && mt->valuestring) snprintf(out, len, "%s", mt->valuestring);
    cJSON_Delete(root);
    return 0;
}

static int fs_load(fs_item *it, const char *exp_file) {
    char path[4096];
    char *err = it->err;
    size_t el = sizeof it->err;
    switch (it->kind) {
    case 0: {
        sk_catalog *c = calloc(1, sizeof *c);
        if (!c) return SK_ENOMEM;
        it->data = c;
        if (!strcmp(it->key, "default")) return sk_catalog_load_default(c, err, el);
        if (sk_trace_find(it->key, exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "catalog_file: %s not found (beside the experiment file or on the trace search path)", it->key),
                   SK_ENOINPUT;
        return sk_catalog_load_ex(c, path, SK_CATALOG_STRICT, err, el);
    }
    case 1: {
        sk_jobs *j = calloc(1, sizeof *j);
        if (!j) return SK_ENOMEM;
        it->data = j;
        /* key: path \x1f gpu-list */
        char file[1024];
        snprintf(file, sizeof file, "%s", it->key);
        char *sep = strchr(file, '\x1f');
        if (sep) *sep = '\0';
        if (sk_trace_find(file, exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "job_trace: %s not found on the trace search path", file), SK_ENOINPUT;
        return sk_jobs_load(j, path, NULL, 0, 1.0, 0, err, el);
    }
    case 2: {
        fs_zones *z = calloc(1, sizeof *z);
        if (!z) return SK_ENOMEM;
        it->data = z;
        char dir[1024], file[256];
        snprintf(dir, sizeof dir, "%s", it->key);
        char *sep = strchr(dir, '\x1f');
        if (!sep) return SK_EUSAGE;
        *sep = '\0';
        snprintf(file, sizeof file, "%s", sep + 1);
        if (sk_trace_find_dir(dir, exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "trace_dir: %s not found on the trace search path", dir), SK_ENOINPUT;
        /* two layouts: <dir>/<zone>/<trace_file> (the multi-region traces), else one file per
         * zone, <dir>/<zone>_*.json (the 16-node traces) */
        for (int flat = 0; flat < 2 && z->n == 0; flat++) {
            DIR *d = opendir(path);
            if (!d) return fs_fmt(err, el, "trace_dir: cannot open %s", path), SK_ENOINPUT;
            struct dirent *de;
            int cap = 0;
            while ((de = readdir(d))) {
                if (de->d_name[0] == '.') continue;
                char f[4600];
                size_t nl = strlen(de->d_name);
                if (flat && (nl < 6 || strcmp(de->d_name + nl - 5, ".json"))) continue;
                if (flat) fs_fmt(f, sizeof f, "%s/%s", path, de->d_name);
                else fs_fmt(f, sizeof f, "%s/%s/%s", path, de->d_name, file);
                FILE *fp = fopen(f, "r");
                if (!fp) continue;
                fclose(fp);
                if (z->n == cap) {
                    cap = cap ? 2 * cap : 16;
                    char **nn = realloc(z->names, (size_t)cap * sizeof *nn);
                    if (!nn) return closedir(d), SK_ENOMEM;
                    z->names = nn;
                }
                if (!(z->names[z->n] = strdup(de->d_name))) return closedir(d), SK_ENOMEM;
                if (flat) z->names[z->n][nl - 5] = '\0';
                z->n++;
            }
            closedir(d);
            z->flat = flat;
        }
        if (z->n == 0)
            return fs_fmt(err, el, "trace_dir: %s has neither zone folders holding %s nor zone .json files", path, file),
                   SK_EDATA;
        qsort(z->names, (size_t)z->n, sizeof *z->names, fs_strcmp_p);
        z->ct = calloc((size_t)z->n, sizeof *z->ct);
        z->st = calloc((size_t)z->n, sizeof *z->st);
        z->mtype = calloc((size_t)z->n, sizeof *z->mtype);
        if (!z->ct || !z->st || !z->mtype) return SK_ENOMEM;
        for (int i = 0; i < z->n; i++) {
            char f[4600];
            if (z->flat) fs_fmt(f, sizeof f, "%s/%s.json", path, z->names[i]);
            else fs_fmt(f, sizeof f, "%s/%s/%s", path, z->names[i], file);
            int rc = sk_count_trace_load(&z->ct[i], f, SK_SPOT_AUTO, 0, err, el);
            if (rc < 0) return rc;
            if ((rc = sk_spot_load_json(&z->st[i], f, SK_SPOT_AUTO, 1, err, el)) < 0) return rc;
            if ((rc = fs_machine_type(f, z->mtype[i], sizeof z->mtype[i], err, el)) < 0) return rc;
        }
        return 0;
    }
    case 3: {
        sk_machines *m = calloc(1, sizeof *m);
        if (!m) return SK_ENOMEM;
        it->data = m;
        if (sk_trace_find("gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv", exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "pools: pai: gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv not found on the trace search path"),
                   SK_ENOINPUT;
        return sk_machines_load(m, path, err, el);
    }
    case 4: {
        if (sk_trace_find_dir("skyplane-network", exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "network: skyplane-network not found on the trace search path"), SK_ENOINPUT;
        sk_net *n = NULL;
        int rc = sk_net_load(&n, path, err, el);
        it->data = n;
        return rc;
    }
    case 5: {
        if (sk_trace_find("aws-spot-advisor/gpu_accel_interruption_2025-06-28.csv", exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "hazard: aws-spot-advisor/gpu_accel_interruption_2025-06-28.csv not found"), SK_ENOINPUT;
        sk_advisor *a = NULL;
        int rc = sk_advisor_load(&a, path, err, el);
        it->data = a;
        return rc;
    }
    case 7: { /* coldstart-figures: id -> seconds */
        if (sk_trace_find("coldstart-figures/coldstart_figures.csv", exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "coldstart-figures/coldstart_figures.csv not found on the trace search path"), SK_ENOINPUT;
        fs_figs *f = calloc(1, sizeof *f);
        if (!f) return SK_ENOMEM;
        it->data = f;
        sk_csv_rd rd = {.path = path, .err = err, .errlen = el, .row = fs_fig_row, .ctx = f};
        return sk_csv_read(&rd);
    }
    case 6: { /* key: cloud \x1f type \x1f zone \x1f region; no such series: data stays NULL */
        char k[1024], *f[4];
        snprintf(k, sizeof k, "%s", it->key);
        f[0] = k;
        for (int i = 1; i < 4; i++) {
            char *sep = strchr(f[i - 1], '\x1f');
            if (!sep) return SK_EUSAGE;
            *sep = '\0', f[i] = sep + 1;
        }
        int gcp = !strcmp(f[0], "gcp");
        const char *rel = gcp ? "gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv"
                              : "aws-spot-price-history-2022-05/gpu_linux_spot_prices_2022-05.csv";
        if (sk_trace_find(rel, exp_file, path, sizeof path) < 0)
            return fs_fmt(err, el, "price: history: %s not found on the trace search path", rel), SK_ENOINPUT;
        sk_price_series *ps = calloc(1, sizeof *ps);
        if (!ps) return SK_ENOMEM;
        int rc = gcp ? sk_price_load_gcp(ps, path, f[1], f[3], 1, err, el) : sk_price_load_aws_history(ps, path, f[2], f[1], err, el);
        if (rc == SK_ECONFIG) { /* the dataset has no series for this pool */
            free(ps);
            err[0] = '\0';
            return 0;
        }
        it->data = ps;
        return rc;
    }
    }
    return SK_EUSAGE;
}

static void *fs_shared_new(void) { return sk_cache_new(fs_load, fs_item_drop); }

static const fs_item *fs_get(fs_cache *c, int kind, const char *key, const char *exp_file) {
    return sk_cache_get(c, kind, key, exp_file);
}

/* ---- building a run ------------------------------------------------------------------------ */

/* Real regions for the synthetic fleet (zones a, b, c of each), alternating clouds. */
static const char *const fs_regions[][2] = {
    {"aws", "us-east-1"},      {"gcp", "us-central1"},     {"aws", "us-west-2"},    {"gcp", "us-east1"},
    {"aws", "eu-west-1"},      {"gcp", "europe-west4"},    {"aws", "us-east-2"},    {"gcp", "us-west1"},
    {"aws", "eu-central-1"},   {"gcp", "europe-west1"},    {"aws", "ap-northeast-1"}, {"gcp", "asia-east1"},
    {"aws", "ap-southeast-1"}, {"gcp", "asia-northeast1"}, {"aws", "us-west-1"},    {"gcp", "us-east4"},
    {"aws", "eu-west-2"},      {"gcp", "europe-west2"},    {"aws", "ap-south-1"},   {"gcp", "asia-southeast1"},
};
#define FS_NREG ((int)(sizeof fs_regions / sizeof fs_regions[0]))

typedef struct fs_run {
    sk_fleet_cfg cfg;
    sk_zone_info *zones;
    char (*zname)[48];
    char (*zzone)[48];
    char (*zregion)[40];
    char (*zcloud)[8];
    sk_itype_info *types;
    char (*tname)[48];
    char (*tgpu)[24];
    const char **gpus;
    char (*gname)[24];
    sk_fleet_pool *pools;
    sk_jobspec *jobs;
    sk_jobs synth;
    sk_net_matrix net;
    int have_net;
    int *zone_region;
    double *price_scale; /* trace pools: per zone, the factor on the trace's own prices */
} fs_run;

static void fs_run_free(fs_run *r) {
    if (r->pools)
        for (int p = 0; p < r->cfg.npools; p++) sk_avail_free(r->pools[p].avail), sk_price_free(r->pools[p].price);
    free(r->zones), free(r->zname), free(r->zzone), free(r->zregion), free(r->zcloud);
    free(r->types), free(r->tname), free(r->tgpu), free(r->gpus), free(r->gname), free(r->pools), free(r->jobs);
    sk_jobs_fini(&r->synth);
    if (r->have_net) sk_net_matrix_fini(&r->net);
    free(r->zone_region), free(r->price_scale);
}

static int fs_gpu_id(fs_run *r, const char *gpu) {
    for (int i = 0; i < r->cfg.ngpus; i++)
        if (!strcmp(r->gname[i], gpu)) return i;
    int i = r->cfg.ngpus++;
    snprintf(r->gname[i], sizeof r->gname[i], "%s", gpu);
    r->gpus[i] = r->gname[i];
    return i;
}

static int fs_alloc(fs_run *r, int nz, int nt, int np) {
    r->zones = calloc((size_t)nz + 1, sizeof *r->zones);
    r->zname = calloc((size_t)nz + 1, sizeof *r->zname);
    r->zzone = calloc((size_t)nz + 1, sizeof *r->zzone);
    r->zregion = calloc((size_t)nz + 1, sizeof *r->zregion);
    r->zcloud = calloc((size_t)nz + 1, sizeof *r->zcloud);
    r->types = calloc((size_t)nt + 1, sizeof *r->types);
    r->tname = calloc((size_t)nt + 1, sizeof *r->tname);
    r->tgpu = calloc((size_t)nt + 1, sizeof *r->tgpu);
    r->gpus = calloc((size_t)nt + 2, sizeof *r->gpus);
    r->gname = calloc((size_t)nt + 2, sizeof *r->gname);
    r->pools = calloc((size_t)np + 1, sizeof *r->pools);
    if (!r->zones || !r->zname || !r->zzone || !r->zregion || !r->zcloud || !r->types || !r->tname || !r->tgpu ||
        !r->gpus || !r->gname || !r->pools)
        return SK_ENOMEM;
    return 0;
}

static void fs_zone(fs_run *r, int z, const char *name, const char *zone, const char *region, const char *cloud) {
    snprintf(r->zname[z], sizeof r->zname[z], "%s", name);
    snprintf(r->zzone[z], sizeof r->zzone[z], "%s", zone);
    snprintf(r->zregion[z], sizeof r->zregion[z], "%s", region);
    snprintf(r->zcloud[z], sizeof r->zcloud[z], "%s", cloud);
    r->zones[z] = (sk_zone_info){r->zname[z], r->zzone[z], r->zregion[z], r->zcloud[z], 0, 0, -1};
}

static void fs_type(fs_run *r, int t, const char *name, const char *gpu, int gpus, double mem) {
    snprintf(r->tname[t], sizeof r->tname[t], "%s", name);
    snprintf(r->tgpu[t], sizeof r->tgpu[t], "%s", gpu);
    r->types[t] = (sk_itype_info){r->tname[t], r->tgpu[t], fs_gpu_id(r, gpu), gpus, mem};
}

static int fs_pools_synthetic(fs_run *r, const sk_value *v, sk_rng *wr) {
    int nz = (int)v[P_ZONES].i > 0 ? (int)v[P_ZONES].i : 10;
    if (nz > 3 * FS_NREG) nz = 3 * FS_NREG;
    int rc = fs_alloc(r, nz, 2, 2 * nz);
    if (rc < 0) return rc;
    fs_type(r, 0, "sx.gpu1", "V100", 1, 16);
    fs_type(r, 1, "sx.gpu8", "V100", 8, 16);
    r->cfg.ntypes = 2;
    for (int z = 0; z < nz; z++) {
        const char *cloud = fs_regions[z % FS_NREG][0], *reg = fs_regions[z % FS_NREG][1];
        char zone[48];
        int gcp = !strcmp(cloud, "gcp");
        fs_fmt(zone, sizeof zone, gcp ? "%s-%c" : "%s%c", reg, 'a' + z / FS_NREG);
        fs_zone(r, z, zone, zone, reg, cloud);
        /* on-demand $3.06 per V100-hour (p3.2xlarge); spot 25-40% of it, drawn per zone */
        double frac = 0.25 + 0.15 * sk_rng_uniform(wr);
        for (int t = 0; t < 2; t++) {
            sk_fleet_pool *p = &r->pools[r->cfg.npools++];
            int g = r->types[t].gpus;
            p->zone = z, p->type = t;
            p->od_price = 3.06 * g;
            p->spot_price = p->od_price * frac;
        }
    }
    r->cfg.nzones = nz;
    return 0;
}

static int fs_pools_catalog(fs_run *r, const sk_value *v, const sk_catalog *cat, char *msg, size_t len) {
    sk_catalog_filter f = {!strcmp(v[P_GPU].s, "any") ? NULL : v[P_GPU].s, !strcmp(v[P_CLOUD].s, "any") ? NULL : v[P_CLOUD].s,
                           !strcmp(v[P_REGION].s, "any") ? NULL : v[P_REGION].s, NULL, NULL};
    int n = sk_catalog_select(cat, &f, NULL, 0);
    int *ix = malloc(((size_t)n + 1) * sizeof *ix);
    if (!ix) return SK_ENOMEM;
    sk_catalog_select(cat, &f, ix, n);
    int rc = fs_alloc(r, n, cat->ntypes, n);
    if (rc < 0) return free(ix), rc;
    int *tmap = malloc(((size_t)cat->ntypes + 1) * sizeof *tmap);
    if (!tmap) return free(ix), SK_ENOMEM;
    for (int t = 0; t < cat->ntypes; t++) tmap[t] = -1;
    int maxz = (int)v[P_ZONES].i;
    for (int k = 0; k < n; k++) {
        const sk_offer *o = &cat->offers[ix[k]];
        const sk_itype *ty = &cat->types[o->type];
        if (!isfinite(o->spot_price) || !isfinite(o->od_price) || ty->gpus <= 0) continue;
        int z = 0;
        for (; z < r->cfg.nzones; z++)
            if (!strcmp(r->zzone[z], o->zone) && !strcmp(r->zcloud[z], ty->cloud)) break;
        if (z == r->cfg.nzones) {
            if (maxz > 0 && z >= maxz) continue;
            fs_zone(r, z, o->zone, o->zone, o->region, ty->cloud);
            r->cfg.nzones++;
        }
        if (tmap[o->type] < 0) {
            tmap[o->type] = r->cfg.ntypes;
            fs_type(r, r->cfg.ntypes++, ty->name, ty->gpu, ty->gpus, ty->gpu_mem_gb);
        }
        sk_fleet_pool *p = &r->pools[r->cfg.npools++];
        p->zone = z, p->type = tmap[o->type];
        p->od_price = o->od_price, p->spot_price = o->spot_price;
    }
    free(ix), free(tmap);
    if (r->cfg.npools == 0) {
        fs_fmt(msg, len, "pools: catalog: no offer with a spot price matches gpu=%s cloud=%s region=%s", v[P_GPU].s,
               v[P_CLOUD].s, v[P_REGION].s);
        return SK_ECONFIG;
    }
    return 0;
}

static int fs_pools_trace(fs_run *r, const sk_value *v, const fs_zones *zs, const sk_catalog *cat, char *msg, size_t len) {
    int t = sk_catalog_type(cat, v[P_TRACE_TYPE].s);
    if (t < 0) return fs_fmt(msg, len, "trace_type: '%s' is not in the instance catalog", v[P_TRACE_TYPE].s), SK_ECONFIG;
    int rc = fs_alloc(r, zs->n, 1, zs->n);
    if (rc < 0) return rc;
    if (!(r->price_scale = calloc((size_t)zs->n, sizeof *r->price_scale))) return SK_ENOMEM;
    const sk_itype *ty = &cat->types[t];
    if (ty->gpus <= 0) return fs_fmt(msg, len, "trace_type: '%s' has no GPUs", ty->name), SK_ECONFIG;
    fs_type(r, 0, ty->name, ty->gpu, ty->gpus, ty->gpu_mem_gb);
    r->cfg.ntypes = 1;
    for (int z = 0; z < zs->n; z++) {
        char zone[64], *u;
        snprintf(zone, sizeof zone, "%s", zs->names[z]);
        if ((u = strchr(zone, '_'))) *u = '\0';
        char region[48];
        sk_mig_cloud_region(zone, region, sizeof region);
        fs_zone(r, z, zs->names[z], zone, region, sk_mig_cloud(zone));
        sk_fleet_pool *p = &r->pools[r->cfg.npools++];
        p->zone = z, p->type = 0;
        const sk_spot_trace *st = &zs->st[z];
        /* the trace's own prices are for its price_info.machine_type: scaled to trace_type by GPU
         * count (the GCP H100 traces price an 8-GPU a3-highgpu-8g, the pools are 1-GPU) */
        double scale = 1;
        if (zs->mtype[z][0] && strcmp(zs->mtype[z], ty->name)) {
            int mt = sk_catalog_type(cat, zs->mtype[z]);
            if (mt < 0 || cat->types[mt].gpus <= 0)
                return fs_fmt(msg, len, "%s: metadata.price_info.machine_type '%s' is not a GPU type of the catalog", st->path,
                              zs->mtype[z]),
                       SK_EDATA;
            scale = (double)ty->gpus / cat->types[mt].gpus;
        }
        r->price_scale[z] = scale;
        /* else the catalog: the offer in that zone, or the mean over the region's offers (AWS
         * catalogs name zones by id, use1-az2, where traces say us-east-1a) */
        int oi = sk_catalog_offer(cat, t, zone);
        double cod = oi >= 0 ? cat->offers[oi].od_price : NAN, csp = oi >= 0 ? cat->offers[oi].spot_price : NAN;
        if (oi < 0) {
            double so = 0, ss = 0;
            int no = 0, ns = 0;
            for (int k = 0; k < cat->noffers; k++) {
                const sk_offer *o = &cat->offers[k];
                if (o->type != t || strcmp(o->region, region)) continue;
                if (isfinite(o->od_price)) so += o->od_price, no++;
                if (isfinite(o->spot_price)) ss += o->spot_price, ns++;
            }
            cod = no ? so / no : NAN, csp = ns ? ss / ns : NAN;
        }
        double od = isfinite(st->od_price) ? scale * st->od_price : cod;
        double sp = isfinite(st->spot_price) ? scale * st->spot_price : csp;
        if (!isfinite(od) || !isfinite(sp))
            return fs_fmt(msg, len, "%s: no price_info and no catalog offer of %s in %s (region %s)", st->path, ty->name, zone,
                          region),
                   SK_EDATA;
        p->od_price = od, p->spot_price = sp;
    }
    r->cfg.nzones = zs->n;
    return 0;
}

/* Hypothetical prices for the PAI machines: the catalog's mean on-demand $/GPU-h of that GPU model
 * (P100, MISC: the mean over all GPU offers), spot at 30% of it. */
static double fs_gpu_rate(const sk_catalog *cat, const char *gpu) {
    double s = 0, sa = 0;
    int n = 0, na = 0;
    for (int k = 0; k < cat->noffers; k++) {
        const sk_itype *t = &cat->types[cat->offers[k].type];
        if (t->gpus <= 0 || !isfinite(cat->offers[k].od_price)) continue;
        double x = cat->offers[k].od_price / t->gpus;
        sa += x, na++;
        if (!strcmp(t->gpu, gpu) || (!strcmp(gpu, "V100M32") && !strcmp(t->gpu, "V100"))) s += x, n++;
    }
    return n ? s / n : na ? sa / na : 1.0;
}

static int fs_pools_pai(fs_run *r, const sk_value *v, const sk_machines *m, const sk_catalog *cat) {
    int rc = fs_alloc(r, 1, m->n, m->n);
    if (rc < 0) return rc;
    fs_zone(r, 0, "pai", "pai", "cn-pai", "aws");
    r->cfg.nzones = 1;
    int spot = !strcmp(v[P_STANDING_MKT].s, "spot");
    for (int g = 0; g < m->n; g++) {
        char name[48];
        fs_fmt(name, sizeof name, "pai.%s.%d", m->g[g].gpu, (int)m->g[g].gpus);
        fs_type(r, r->cfg.ntypes++, name, m->g[g].gpu, m->g[g].gpus, NAN);
        sk_fleet_pool *p = &r->pools[r->cfg.npools++];
        p->zone = 0, p->type = g;
        p->od_price = fs_gpu_rate(cat, m->g[g].gpu) * m->g[g].gpus;
        p->spot_price = 0.3 * p->od_price;
        if (spot) p->standing_spot = (int32_t)m->g[g].count;
        else p->standing_od = (int32_t)m->g[g].count;
    }
    return 0;
}

/* Availability and price models for every pool, on the pools' own streams (seeded inside). */
static const fs_item *fs_get(fs_cache *c, int kind, const char *key, const char *exp_file);

static int fs_models(fs_run *r, const sk_value *v, const fs_zones *zs, const sk_advisor *adv, fs_cache *cache,
                     const char *exp, char *msg, size_t len) {
    const char *av = v[P_AVAIL].s, *pr = v[P_PRICE].s;
    double lev[16], rates[256];
    int nl = 0;
    if (!strcmp(av, "markov")) {
        nl = sk_param_list_f64(v[P_MK_LEVELS].s, lev, 16);
        if (nl < 2) return fs_fmt(msg, len, "markov_levels: expected 2 to 16 numbers, got '%s'", v[P_MK_LEVELS].s), SK_ECONFIG;
        int nr = sk_param_list_f64(v[P_MK_RATES].s, rates, 256);
        if (nr != nl * nl)
            return fs_fmt(msg, len, "markov_rates_per_h: expected %d numbers (levels x levels), got '%s'", nl * nl, v[P_MK_RATES].s),
                   SK_ECONFIG;
    }
    sk_time spread = sk_time_from(v[P_SPREAD].f, SK_SEC);
    int nhist = 0;
    for (int p = 0; p < r->cfg.npools; p++) {
        sk_fleet_pool *pl = &r->pools[p];
        int gpus = r->types[pl->type].gpus;
        int32_t cap = (int32_t)(v[P_CAP].i / (gpus > 0 ? gpus : 1));
        if (!strcmp(av, "none")) {
        } else if (!strcmp(av, "trace")) {
            if (!zs) return fs_fmt(msg, len, "availability: trace needs pools: trace"), SK_ECONFIG;
            const sk_count_trace *ct = &zs->ct[pl->zone];
            pl->avail = sk_avail_replay_new(ct->counts, ct->n, sk_time_from(ct->gap, SK_SEC), 0, (int32_t)v[P_CAP].i, 0);
        } else if (!strcmp(av, "markov")) {
            int32_t caps[16];
            for (int l = 0; l < nl; l++) caps[l] = (int32_t)floor(lev[l] * cap + 0.5);
            pl->avail = sk_avail_markov_new(nl, caps, rates, 0, 0, spread);
        } else if (!strcmp(av, "hazard")) {
            int b = (int)v[P_HZ_BUCKET].i;
            if (b < 0) {
                b = adv ? sk_advisor_bucket(adv, r->zregion[pl->zone], r->tname[pl->type]) : -1;
                if (b < 0) b = 2;
            }
            pl->avail = sk_avail_hazard_new(sk_avail_bucket_rate(b), v[P_GROUP].f, spread, 0);
        } else
            return fs_fmt(msg, len, "availability: expected none, trace, markov or hazard, got '%s'", av), SK_ECONFIG;
        if (strcmp(av, "none") && !pl->avail) return SK_ENOMEM;
        if (!strcmp(pr, "const")) {
        } else if (!strcmp(pr, "ou")) {
            sk_ou_params o = {pl->spot_price, v[P_OU_THETA].f, v[P_OU_SIGMA].f * pl->spot_price, v[P_OU_JR].f,
                              v[P_OU_JM].f * pl->spot_price, pl->spot_price, 0.1 * pl->spot_price, pl->od_price, v[P_OU_DT].f};
            if (!(pl->price = sk_price_ou_new(&o, 0))) return SK_ENOMEM;
        } else if (!strcmp(pr, "trace")) {
            if (!zs || !zs->st[pl->zone].prices)
                return fs_fmt(msg, len, "price: trace needs trace pools whose files carry per-tick prices"), SK_ECONFIG;
            const sk_spot_trace *st = &zs->st[pl->zone];
            sk_time *tt = malloc((size_t)st->n * sizeof *tt);
            if (!tt) return SK_ENOMEM;
            double *pp = malloc((size_t)st->n * sizeof *pp);
            if (!pp) return free(tt), SK_ENOMEM;
            for (int64_t k = 0; k < st->n; k++)
                tt[k] = sk_time_from((double)k * st->gap, SK_SEC), pp[k] = r->price_scale[pl->zone] * st->prices[k];
            pl->price = sk_price_trace_new(tt, pp, st->n, 0, 0, 0);
            free(tt), free(pp);
            if (!pl->price) return SK_ENOMEM;
        } else if (!strcmp(pr, "history")) {
            /* the pool's series in the price-history datasets (GCP: machine and region, spot;
             * AWS: zone id and type, 2022-05-31), looped; a pool without one keeps its price */
            char key[512];
            fs_fmt(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s", r->zcloud[pl->zone], r->tname[pl->type], r->zzone[pl->zone],
                   r->zregion[pl->zone]);
            const fs_item *it = fs_get(cache, 6, key, exp);
            if (!it) return SK_ENOMEM;
            if (it->rc < 0) return fs_fmt(msg, len, "price: history: %s", it->err), it->rc;
            const sk_price_series *ps = it->data;
            if (ps && ps->n > 0) nhist++;
            if (ps && ps->n > 0) {
                sk_time period = ps->end > ps->t[ps->n - 1] ? ps->end : ps->t[ps->n - 1] + SK_HOUR;
                if (!(pl->price = sk_price_trace_new(ps->t, ps->price, ps->n, 0, period, 1))) return SK_ENOMEM;
                pl->spot_price = ps->price[0];
            }
        } else
            return fs_fmt(msg, len, "price: expected const, trace, history or ou, got '%s'", pr), SK_ECONFIG;
    }
    if (!strcmp(pr, "history") && nhist == 0)
        return fs_fmt(msg, len,
                      "price: history: none of the %d pools has a series in the price-history datasets (GCP: machine "
                      "type and region; AWS: zone id such as use1-az2 and type, 2022-05-31 only)",
                      r->cfg.npools),
               SK_ECONFIG;
    return 0;
}

static int fs_sizes(const sk_value *v, int32_t *sz, double *w, char *msg, size_t len) {
    double s[32];
    int n = sk_param_list_f64(v[P_SIZES].s, s, 32), nw = sk_param_list_f64(v[P_SIZEW].s, w, 32);
    if (n < 1) return fs_fmt(msg, len, "sizes: expected a comma-separated list of GPU counts, got '%s'", v[P_SIZES].s), SK_ECONFIG;
    if (nw != n) return fs_fmt(msg, len, "size_weights: expected %d weights (one per size), got '%s'", n, v[P_SIZEW].s), SK_ECONFIG;
    for (int i = 0; i < n; i++) {
        if (s[i] < 1 || s[i] != floor(s[i]) || s[i] > 1e6)
            return fs_fmt(msg, len, "sizes: '%g' is not a GPU count", s[i]), SK_ECONFIG;
        if (!(w[i] >= 0)) return fs_fmt(msg, len, "size_weights: '%g' is negative", w[i]), SK_ECONFIG;
        sz[i] = (int32_t)s[i];
    }
    return n;
}

/* Build everything but the jobs' GPU check. */
static int fs_build(fs_run *r, const sk_run_ctx *ctx, const sk_value *v, fs_cache *cache, int *bad, char *msg, size_t len) {
    memset(r, 0, sizeof *r);
    const char *pools = v[P_POOLS].s, *exp = ctx ? ctx->exp_file : NULL;
    uint64_t seed = ctx ? ctx->master_seed : 0, world = ctx ? ctx->world_index : 0;
    sk_rng wr;
    int rc = sk_rng_init(&wr, NULL, seed, world, 0);
    if (rc < 0) return rc;
    const fs_item *cat = fs_get(cache, 0, v[P_CAT_FILE].s[0] ? v[P_CAT_FILE].s : "default", exp);
    const fs_zones *zs = NULL;
    if (!cat) { rc = SK_ENOMEM; goto out; }
    if (cat->rc < 0) { *bad = v[P_CAT_FILE].s[0] ? P_CAT_FILE : P_POOLS; fs_fmt(msg, len, "%s", cat->err); rc = cat->rc; goto out; }
    if (!strcmp(pools, "synthetic")) rc = fs_pools_synthetic(r, v, &wr);
    else if (!strcmp(pools, "catalog")) rc = fs_pools_catalog(r, v, cat->data, msg, len), *bad = P_GPU;
    else if (!strcmp(pools, "trace")) {
        char key[1024];
        fs_fmt(key, sizeof key, "%s\x1f%s", v[P_TRACE_DIR].s, v[P_TRACE_FILE].s);
        const fs_item *it = fs_get(cache, 2, key, exp);
        if (!it) { rc = SK_ENOMEM; goto out; }
        if (it->rc < 0) { *bad = P_TRACE_DIR; fs_fmt(msg, len, "%s", it->err); rc = it->rc; goto out; }
        zs = it->data;
        rc = fs_pools_trace(r, v, zs, cat->data, msg, len), *bad = P_TRACE_TYPE;
    } else if (!strcmp(pools, "pai")) {
        const fs_item *it = fs_get(cache, 3, "pai", exp);
        if (!it) { rc = SK_ENOMEM; goto out; }
        if (it->rc < 0) { *bad = P_POOLS; fs_fmt(msg, len, "%s", it->err); rc = it->rc; goto out; }
        rc = fs_pools_pai(r, v, it->data, cat->data);
    } else {
        *bad = P_POOLS;
        fs_fmt(msg, len, "pools: expected synthetic, catalog, trace or pai, got '%s'", pools);
        rc = SK_ECONFIG;
    }
    if (rc < 0) goto out;
    if (strcmp(pools, "pai"))
        for (int p = 0; p < r->cfg.npools; p++) {
            int32_t k = (int32_t)v[P_STANDING].i;
            if (!strcmp(v[P_STANDING_MKT].s, "spot")) r->pools[p].standing_spot = k;
            else r->pools[p].standing_od = k;
        }
    if (strcmp(v[P_STANDING_MKT].s, "od") && strcmp(v[P_STANDING_MKT].s, "spot")) {
        *bad = P_STANDING_MKT;
        fs_fmt(msg, len, "standing_market: expected od or spot, got '%s'", v[P_STANDING_MKT].s);
        rc = SK_ECONFIG;
        goto out;
    }
    /* network */
    if (!strcmp(v[P_NET].s, "skyplane")) {
        const fs_item *it = fs_get(cache, 4, "skyplane", exp);
        if (!it) { rc = SK_ENOMEM; goto out; }
        if (it->rc < 0) { *bad = P_NET; fs_fmt(msg, len, "%s", it->err); rc = it->rc; goto out; }
        const char **regs = calloc((size_t)r->cfg.nzones + 2, sizeof *regs);
        char (*rn)[64] = calloc((size_t)r->cfg.nzones + 2, sizeof *rn);
        r->zone_region = calloc((size_t)r->cfg.nzones + 1, sizeof *r->zone_region);
        if (!regs || !rn || !r->zone_region) { free(regs), free(rn); rc = SK_ENOMEM; goto out; }
        int nreg = 0;
        r->cfg.model_store = -1;
        if (v[P_MODEL_STORE].s[0]) { /* the store's region is region 0 */
            if (!strchr(v[P_MODEL_STORE].s, ':')) {
                free(regs), free(rn);
                *bad = P_MODEL_STORE;
                fs_fmt(msg, len, "model_store: expected cloud:region (aws:us-east-1), got '%s'", v[P_MODEL_STORE].s);
                rc = SK_ECONFIG;
                goto out;
            }
            snprintf(rn[0], sizeof rn[0], "%s", v[P_MODEL_STORE].s), regs[0] = rn[0], nreg = 1;
            r->cfg.model_store = 0;
            int known = 0;
            for (int z = 0; z < r->cfg.nzones && !known; z++) {
                char name[64];
                fs_fmt(name, sizeof name, "%s:%s", r->zcloud[z], r->zregion[z]);
                known = sk_net_grid(it->data, rn[0], name, NULL, NULL, NULL, NULL) == 0 ||
                        sk_net_grid(it->data, name, rn[0], NULL, NULL, NULL, NULL) == 0;
            }
            if (!known) {
                free(regs), free(rn);
                *bad = P_MODEL_STORE;
                fs_fmt(msg, len, "model_store: the network grids hold no pair between '%s' and the fleet's regions",
                       v[P_MODEL_STORE].s);
                rc = SK_ECONFIG;
                goto out;
            }
        }
        for (int z = 0; z < r->cfg.nzones; z++) {
            char name[64];
            fs_fmt(name, sizeof name, "%s:%s", r->zcloud[z], r->zregion[z]);
            int k = 0;
            for (; k < nreg; k++)
                if (!strcmp(rn[k], name)) break;
            if (k == nreg) snprintf(rn[nreg], sizeof rn[nreg], "%s", name), regs[nreg] = rn[nreg], nreg++;
            r->zone_region[z] = k;
        }
        rc = sk_net_matrix_new(&r->net, it->data, regs, nreg, msg, len);
        free(regs), free(rn);
        if (rc < 0) { *bad = P_NET; goto out; }
        r->have_net = 1;
        r->cfg.net = &r->net, r->cfg.zone_region = r->zone_region;
    } else if (!strcmp(v[P_NET].s, "skynomad") && v[P_MODEL_GB].f > 0) {
        *bad = P_MODEL_GB;
        fs_fmt(msg, len, "model_gb: model loading over the network needs network: skyplane");
        rc = SK_ECONFIG;
        goto out;
    } else if (strcmp(v[P_NET].s, "skynomad")) {
        *bad = P_NET;
        fs_fmt(msg, len, "network: expected skyplane or skynomad, got '%s'", v[P_NET].s);
        rc = SK_ECONFIG;
        goto out;
    }
    /* jobs */
    uint64_t gmask = 0;
    if (strcmp(v[P_JOB_GPU].s, "any")) {
        char list[256], *save = NULL;
        snprintf(list, sizeof list, "%s", v[P_JOB_GPU].s);
        for (char *tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            int g = 0;
            while (g < r->cfg.ngpus && strcmp(r->gname[g], tok)) g++;
            if (g == r->cfg.ngpus || g >= 64) {
                *bad = P_JOB_GPU;
                fs_fmt(msg, len, "job_gpu: no pool offers GPU model '%s'", tok);
                rc = SK_ECONFIG;
                goto out;
            }
            gmask |= UINT64_C(1) << g;
        }
    }
    r->cfg.job_gpu_mask = gmask;
    const sk_jobs *src = NULL;
    if (!strcmp(v[P_JOBS].s, "trace") || !strcmp(v[P_LEN].s, "philly")) {
        const char *path = !strcmp(v[P_JOBS].s, "trace") ? v[P_JOB_TRACE].s : "gpu-jobs/philly-dre-subset/jobs.csv";
        const fs_item *it = fs_get(cache, 1, path, exp);
        if (!it) { rc = SK_ENOMEM; goto out; }
        if (it->rc < 0) { *bad = P_JOB_TRACE; fs_fmt(msg, len, "%s", it->err); rc = it->rc; goto out; }
        src = it->data;
    }
    if (!strcmp(v[P_JOBS].s, "trace")) {
        int64_t n = src->n;
        if (v[P_JLIMIT].i > 0 && v[P_JLIMIT].i < n) n = v[P_JLIMIT].i;
        r->jobs = malloc(((size_t)n + 1) * sizeof *r->jobs);
        if (!r->jobs) { rc = SK_ENOMEM; goto out; }
        double ts = v[P_TSCALE].f;
        for (int64_t k = 0; k < n; k++) {
            r->jobs[k] = src->j[k];
            r->jobs[k].submit_s *= ts, r->jobs[k].work_s *= ts;
            r->jobs[k].gpu_type = -1;
        }
        r->cfg.jobs = r->jobs, r->cfg.njobs = n;
    } else if (!strcmp(v[P_JOBS].s, "synthetic")) {
        int32_t sz[32];
        double w[32];
        int ns = fs_sizes(v, sz, w, msg, len);
        if (ns < 0) { *bad = strstr(msg, "weights") ? P_SIZEW : P_SIZES; rc = ns; goto out; }
        const char *ln = v[P_LEN].s;
        sk_synth sp = {v[P_CV].f == 1 ? SK_ARR_POISSON : SK_ARR_GAMMA, v[P_RATE].f, v[P_CV].f, v[P_NJOBS].i, 0,
                       !strcmp(ln, "lognormal") ? SK_LEN_LOGNORMAL : !strcmp(ln, "philly") ? SK_LEN_EMPIRICAL : SK_LEN_EXP,
                       v[P_LEN_H].f * 3600, v[P_LEN_SIG].f, sz, w, ns, src};
        if (strcmp(ln, "exp") && strcmp(ln, "lognormal") && strcmp(ln, "philly")) {
            *bad = P_LEN;
            fs_fmt(msg, len, "length: expected exp, lognormal or philly, got '%s'", ln);
            rc = SK_ECONFIG;
            goto out;
        }
        sk_rng jr;
        if ((rc = sk_rng_init(&jr, NULL, seed, world, 2)) < 0) goto out;
        rc = sk_jobs_synth(&r->synth, &sp, &jr, msg, len);
        sk_rng_fini(&jr);
        if (rc < 0) { *bad = P_NJOBS; goto out; }
        for (int64_t k = 0; k < r->synth.n; k++) r->synth.j[k].gpu_type = -1;
        r->cfg.jobs = r->synth.j, r->cfg.njobs = r->synth.n;
    } else {
        *bad = P_JOBS;
        fs_fmt(msg, len, "jobs: expected synthetic or trace, got '%s'", v[P_JOBS].s);
        rc = SK_ECONFIG;
        goto out;
    }
    /* every job must fit somewhere: its GPU model, at most max_instances_per_job instances */
    int maxg = 0;
    for (int t = 0; t < r->cfg.ntypes; t++)
        if ((!gmask || ((gmask >> r->types[t].gpu_id) & 1)) && r->types[t].gpus > maxg) maxg = r->types[t].gpus;
    int64_t limit = (int64_t)maxg * v[P_MAXI].i;
    for (int64_t k = 0; k < r->cfg.njobs; k++)
        if (r->cfg.jobs[k].gpus > limit) {
            *bad = !strcmp(v[P_JOBS].s, "trace") ? P_JOB_TRACE : P_SIZES;
            fs_fmt(msg, len,
                   "job %lld needs %d GPUs, more than any pool can give it: the largest instance type%s%s has %d GPUs "
                   "and max_instances_per_job is %lld",
                   (long long)k + 1, (int)r->cfg.jobs[k].gpus, gmask ? " of " : "", gmask ? v[P_JOB_GPU].s : "",
                   maxg, (long long)v[P_MAXI].i);
            rc = SK_ECONFIG;
            goto out;
        }
    /* models: availability and prices */
    const sk_advisor *adv = NULL;
    if (!strcmp(v[P_AVAIL].s, "hazard") && v[P_HZ_BUCKET].i < 0) {
        const fs_item *it = fs_get(cache, 5, "advisor", exp);
        if (it && it->rc >= 0) adv = it->data;
    }
    if ((rc = fs_models(r, v, zs, adv, cache, exp, msg, len)) < 0) {
        *bad = strstr(msg, "price") ? P_PRICE : P_AVAIL;
        goto out;
    }
    for (const char *const *b = (const char *const[]){v[P_BILL_AWS].s, v[P_BILL_GCP].s, NULL}; *b; b++)
        if (strcmp(*b, "second") && strcmp(*b, "hour") && (strcmp(*b, "tick") || !(v[P_TICK].f > 0))) {
            *bad = *b == v[P_BILL_AWS].s ? P_BILL_AWS : P_BILL_GCP;
            fs_fmt(msg, len, strcmp(*b, "tick") ? "%s: expected second, hour or tick, got '%s'" : "%s: '%s' needs tick_s > 0",
                   fs_params[*bad].name, *b);
            rc = SK_ECONFIG;
            goto out;
        }
    if (strcmp(v[P_CKPT_NOTICE].s, "fits") && strcmp(v[P_CKPT_NOTICE].s, "always")) {
        *bad = P_CKPT_NOTICE;
        fs_fmt(msg, len, "ckpt_on_notice: expected fits or always, got '%s'", v[P_CKPT_NOTICE].s);
        rc = SK_ECONFIG;
        goto out;
    }
    sk_fleet_cfg *c = &r->cfg;
    c->zones = r->zones, c->types = r->types, c->gpus = r->gpus, c->pools = r->pools;
    c->ckpt_every_s = v[P_CKPT_H].f * 3600, c->ckpt_gb_per_gpu = v[P_CKPT_GB].f, c->ckpt_write_gbps = v[P_CKPT_W].f;
    c->deadline_factor = v[P_DL].f, c->boot_s = v[P_BOOT].f, c->load_s = v[P_LOAD].f;
    if (v[P_LOAD_FIG].s[0] || v[P_BOOT_FIG].s[0]) { /* times from the published cold-start figures */
        const fs_item *it = fs_get(cache, 7, "coldstart", exp);
        if (!it) { rc = SK_ENOMEM; goto out; }
        if (it->rc < 0) { *bad = v[P_LOAD_FIG].s[0] ? P_LOAD_FIG : P_BOOT_FIG; fs_fmt(msg, len, "%s", it->err); rc = it->rc; goto out; }
        for (int k = 0; k < 2; k++) {
            int pi = k ? P_BOOT_FIG : P_LOAD_FIG;
            if (!v[pi].s[0]) continue;
            char why[300];
            double x = fs_fig_sum(it->data, v[pi].s, why, sizeof why);
            if (x < 0) {
                *bad = pi;
                fs_fmt(msg, len, "%s: %s", fs_params[pi].name, why);
                rc = SK_ECONFIG;
                goto out;
            }
            if (k) c->boot_s = x;
            else c->load_s = x;
        }
    }
    c->notice_s[0] = v[P_NOT_AWS].f, c->notice_s[1] = v[P_NOT_GCP].f;
    c->max_price_frac = v[P_MAXP].f;
    for (int k = 0; k < 2; k++) {
        const char *b = v[k ? P_BILL_GCP : P_BILL_AWS].s;
        c->bill_hourly[k] = !strcmp(b, "hour") ? 1 : !strcmp(b, "tick") ? SK_FLEET_BILL_TICK : 0;
    }
    c->tick_last = (int)v[P_TICK_LAST].i, c->ckpt_notice_always = !strcmp(v[P_CKPT_NOTICE].s, "always");
    c->no_move_time = !v[P_MOVE_TIME].i;
    c->min_bill_s = v[P_MIN_BILL].f;
    c->max_retries = (int)v[P_RETRIES].i, c->drop_late = (int)v[P_DROP].i, c->fleet_heal = (int)v[P_HEAL].i;
    c->heal_retry_s = 300, c->horizon_s = v[P_HORIZON].f * 3600, c->tick_s = v[P_TICK].f;
    c->max_instances = (int)v[P_MAXI].i;
    c->model_gb = v[P_MODEL_GB].f;
    c->seed = seed, c->world_index = world, c->run_index = ctx ? ctx->run_index : 0;
out:
    sk_rng_fini(&wr);
    return rc;
}

static int fs_check(const sk_value *v, const sk_policy_def *pol, const sk_value *pp, int *bad, char *msg, size_t len) {
    (void)pp;
    if (!strcmp(v[P_AVAIL].s, "trace") && strcmp(v[P_POOLS].s, "trace")) {
        *bad = P_AVAIL;
        return fs_fmt(msg, len, "availability: trace needs pools: trace (pools is '%s')", v[P_POOLS].s), SK_ECONFIG;
    }
    if (pol && !strcmp(pol->name, "fifo") && v[P_STANDING].i == 0 && strcmp(v[P_POOLS].s, "pai")) {
        *bad = P_STANDING;
        return fs_fmt(msg, len, "policy fifo schedules a standing fleet: set standing > 0 or pools: pai"), SK_ECONFIG;
    }
    if (pol && !strncmp(pol->name, "mr_", 3) && !(v[P_TICK].f > 0)) {
        *bad = P_TICK;
        return fs_fmt(msg, len, "policy %s runs on the decision tick: set tick_s > 0 (the traces' tick length)", pol->name), SK_ECONFIG;
    }
    if (pol && !strncmp(pol->name, "mr_", 3) && !(v[P_DL].f > 0)) {
        *bad = P_DL;
        return fs_fmt(msg, len, "policy %s is deadline-aware: set deadline_factor > 0", pol->name), SK_ECONFIG;
    }
    if (pol && strcmp(pol->name, "fifo") && strncmp(pol->name, "mr_", 3)) {
        /* the cloud policies' string parameters, checked here so `validate` refuses them */
        if (strcmp(pp[0].s, "fewest") && strcmp(pp[0].s, "cheapest"))
            return *bad = -1, fs_fmt(msg, len, "policy %s: placement: expected fewest or cheapest, got '%s'", pol->name, pp[0].s), SK_ECONFIG;
        if (strcmp(pp[2].s, "instance") && strcmp(pp[2].s, "job"))
            return *bad = -1, fs_fmt(msg, len, "policy %s: heal: expected instance or job, got '%s'", pol->name, pp[2].s), SK_ECONFIG;
    }
    return 0;
}

static int fs_check_data(void *shared, const sk_value *v, const char *exp_file, int *bad, char *msg, size_t len) {
    fs_run r;
    sk_run_ctx ctx = {0};
    ctx.exp_file = exp_file;
    *bad = -1;
    int rc = fs_build(&r, &ctx, v, shared, bad, msg, len);
    fs_run_free(&r);
    return rc;
}

static int fs_run_one(const sk_run_ctx *ctx, sk_value *out, char *msg, size_t len) {
    fs_run r;
    int bad = -1;
    int rc = fs_build(&r, ctx, ctx->params, ctx->shared, &bad, msg, len);
    if (rc < 0) return fs_run_free(&r), rc;
    if (ctx->series) {
        static const char *const cols[] = {"t_h", "running_jobs", "queued_jobs", "spot_instances", "od_instances"};
        for (int k = 0; k < 5 && rc >= 0; k++) rc = sk_table_add_col(ctx->series, cols[k], k ? SK_TABLE_I64 : SK_TABLE_F64);
        if (rc < 0) return fs_run_free(&r), rc;
    }
    sk_rng prng;
    if ((rc = sk_rng_init(&prng, NULL, ctx->master_seed, ctx->run_index, SK_STREAM_POLICY)) < 0) return fs_run_free(&r), rc;
    sk_fleet_result res;
    rc = sk_fleet_run(&r.cfg, sk_gpolicy_of(ctx->policy), ctx->policy_params, &prng, ctx->stop, &res,
                      ctx->series, ctx->params[P_SERIES].f, msg, len);
    for (int p = 0; p < r.cfg.npools; p++) r.pools[p].avail = NULL, r.pools[p].price = NULL; /* freed by the world */
    sk_rng_fini(&prng);
    fs_run_free(&r);
    if (rc < 0) return rc;
    out[SK_FM_COST].f = res.cost, out[SK_FM_COST_SPOT].f = res.cost_spot, out[SK_FM_COST_OD].f = res.cost_od;
    out[SK_FM_EGRESS].f = res.egress, out[SK_FM_GPUH_SPOT].f = res.gpuh_spot, out[SK_FM_GPUH_OD].f = res.gpuh_od;
    out[SK_FM_PREEMPT].i = res.preemptions, out[SK_FM_RESTARTS].i = res.restarts, out[SK_FM_LOST_GPUH].f = res.lost_gpuh;
    out[SK_FM_JCT_MEAN].f = res.jct_mean, out[SK_FM_JCT_P50].f = res.jct_p50, out[SK_FM_JCT_P90].f = res.jct_p90;
    out[SK_FM_JCT_P99].f = res.jct_p99, out[SK_FM_QUEUE_MEAN].f = res.queue_mean, out[SK_FM_QUEUE_P99].f = res.queue_p99;
    out[SK_FM_DEADLINE_MET].f = res.deadline_met, out[SK_FM_UTIL].f = res.util;
    out[SK_FM_COMPLETED].i = res.completed, out[SK_FM_FAILED].i = res.failed, out[SK_FM_ABANDONED].i = res.abandoned;
    out[SK_FM_UNFINISHED].i = res.unfinished, out[SK_FM_LAUNCHES].i = res.launches, out[SK_FM_LAUNCH_FAIL].i = res.launch_fail;
    out[SK_FM_EVENTS].i = res.events;
    return 0;
}

const sk_scenario_kind sk_scn_fleet = {
    .name = "fleet",
    .help = "many jobs on heterogeneous GPU pools across zones and clouds: availability, prices and network that move",
    .params = fs_params,
    .nparams = P_N,
    .policies = fs_policy_defs,
    .npolicies = sizeof fs_policy_defs / sizeof fs_policy_defs[0],
    .metrics = fs_metrics,
    .nmetrics = SK_FM_N,
    .check = fs_check,
    .check_data = fs_check_data,
    .run = fs_run_one,
    .shared_new = fs_shared_new,
    .shared_free = fs_shared_free,
};
