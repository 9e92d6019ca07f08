/* scn_multi.c - `scenario.kind: multi_region`: one deadline-bound job that may run in any of a
 * list of zones (regions, clouds), each with its own spot availability and price trace, under a
 * policy of the general contract; semantics of the SkyNomad artifact simulator (sim/sk_mr.h).
 * Zone traces are the artifact's layout: <trace_dir>/<zone>/<trace_file> (JSON, 0 = spot
 * available, a price_info with on-demand and spot prices, an optional per-tick `prices`), loaded
 * once per `synkti run` into a cache shared by all threads. */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "io/sk_results.h"
#include "io/sk_spot.h"
#include "io/sk_trace.h"
#include "sim/sk_mr.h"
#include "sk_error.h"

enum { P_DIR, P_ZONES, P_FILE, P_START, P_START_TICK, P_C, P_R, P_D, P_CKPT, P_BOUND, P_XFER, P_N };

static const sk_param_def sk_multi_params[P_N] = {
    [P_DIR] = {"trace_dir", SK_PT_STR, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged", 0, 0,
               "folder of zone folders, found on the trace search path"},
    [P_ZONES] = {"zones", SK_PT_STR, "all", 0, 0,
                 "zones in order, comma-separated folder names (ties go to the earlier); all: every folder, sorted"},
    [P_FILE] = {"trace_file", SK_PT_STR, "full.json", 0, 0, "trace file inside each zone folder"},
    [P_START] = {"start_hours", SK_PT_FLOAT, "0", 0, 1e6, "start offset into the traces, hours (rounded up to a tick)"},
    [P_START_TICK] = {"start_tick", SK_PT_INT, "-1", -1, 1e9, "start offset in ticks (-1: from start_hours)"},
    [P_C] = {"work_hours", SK_PT_FLOAT, "24", 1e-6, 1e6, "C: hours of work"},
    [P_R] = {"deadline_hours", SK_PT_FLOAT, "48", 1e-6, 1e6, "R: hours from start to deadline"},
    [P_D] = {"changeover_hours", SK_PT_FLOAT, "0.2", 0, 1e3, "d: hours lost at every launch"},
    [P_CKPT] = {"checkpoint_gb", SK_PT_FLOAT, "50", 0, 1e7, "checkpoint size moved on a migration, GB (egress $)"},
    [P_BOUND] = {"window_bound", SK_PT_BOOL, "false", 0, 0, "traces end at ceil(R/gap) ticks from the start (--enforce-window-bound)"},
    [P_XFER] = {"transfer_time", SK_PT_BOOL, "false", 0, 0, "a migration also costs the checkpoint copy time (--cross-region-migration-time)"},
};

enum {
    M_COST, M_COST_MAIN, M_TRANSFER, M_PROBE, M_DOWNTIME, M_SPOT_H, M_OD_H, M_MIG, M_MIG_AZ, M_MIG_REG, M_MIG_CONT,
    M_LAUNCH, M_PREEMPT, M_PROBES, M_TICKS, M_FINISH, M_MET, M_INFEAS, M_N
};
static const sk_metric_def sk_multi_metrics[M_N] = {
    [M_COST] = {"cost", SK_TABLE_F64, 1, "$, figure semantics: the artifact's sweeps (last in-loop snapshot)"},
    [M_COST_MAIN] = {"cost_main", SK_TABLE_F64, 1, "$, the artifact's main.py: every billed interval plus egress"},
    [M_TRANSFER] = {"transfer_cost", SK_TABLE_F64, 1, "egress $ for checkpoint moves"},
    [M_PROBE] = {"probe_cost", SK_TABLE_F64, 0, "$ of probes (60 s of spot each)"},
    [M_DOWNTIME] = {"downtime_cost", SK_TABLE_F64, 0, "$ paid while running without progress (changeovers)"},
    [M_SPOT_H] = {"spot_hours", SK_TABLE_F64, 1, "billed spot hours"},
    [M_OD_H] = {"od_hours", SK_TABLE_F64, 1, "billed on-demand hours"},
    [M_MIG] = {"migrations", SK_TABLE_I64, 1, "moves of the job to another zone"},
    [M_MIG_AZ] = {"migrations_az", SK_TABLE_I64, 0, "moves within a region"},
    [M_MIG_REG] = {"migrations_region", SK_TABLE_I64, 0, "moves across regions of one continent"},
    [M_MIG_CONT] = {"migrations_continent", SK_TABLE_I64, 0, "moves across continents"},
    [M_LAUNCH] = {"launches", SK_TABLE_I64, 0, "instance launches"},
    [M_PREEMPT] = {"preemptions", SK_TABLE_I64, 0, "spot instances taken back"},
    [M_PROBES] = {"probes", SK_TABLE_I64, 0, "availability probes"},
    [M_TICKS] = {"finish_tick", SK_TABLE_I64, 0, "T: the tick at which the job was seen done"},
    [M_FINISH] = {"finish_hours", SK_TABLE_F64, 0, "when the work completed"},
    [M_MET] = {"deadline_met", SK_TABLE_I64, 1, "1 if it finished by the deadline"},
    [M_INFEAS] = {"infeasible", SK_TABLE_I64, 0, "1 if C + d > R (not simulated; cost = cheapest on-demand for C + d)"},
};

/* The policies (policies/mr_*.c), the first the default. Add one: its file and one row here. */
extern const sk_gpolicy sk_pol_mr_uniform_progress, sk_pol_mr_up_failover, sk_pol_mr_up_probe, sk_pol_mr_up_probe_cost,
    sk_pol_mr_optimal_dp, sk_pol_mr_exact;
extern const sk_gpolicy sk_pol_mr_skynomad, sk_pol_mr_skynomad_oracle;
static const sk_policy_def *const sk_mr_policy_defs[] = {
    &sk_pol_mr_uniform_progress.def, &sk_pol_mr_up_failover.def, &sk_pol_mr_up_probe.def,
    &sk_pol_mr_up_probe_cost.def,    &sk_pol_mr_optimal_dp.def, &sk_pol_mr_exact.def,
    &sk_pol_mr_skynomad.def,         &sk_pol_mr_skynomad_oracle.def,
};

/* ---- the shared cache: one entry per (trace_dir, zones, trace_file) -------------------------------- */

typedef struct sk_zset {
    char *dir, *zones, *file;
    int rc;
    char err[600];
    int nz;
    sk_spot_trace *tr;
    sk_mr_zone *z;
    char **names;
    struct sk_zset *next;
} sk_zset;

typedef struct sk_mcache {
    omp_lock_t lock;
    sk_zset *head;
} sk_mcache;

static void *sk_multi_shared_new(void) {
    sk_mcache *c = calloc(1, sizeof *c);
    if (c) omp_init_lock(&c->lock);
    return c;
}

static void sk__zset_free(sk_zset *e) {
    for (int i = 0; i < e->nz; i++) {
        if (e->tr) sk_spot_fini(&e->tr[i]);
        if (e->names) free(e->names[i]);
    }
    free(e->tr), free(e->z), free(e->names), free(e->dir), free(e->zones), free(e->file);
    free(e);
}

static void sk_multi_shared_free(void *p) {
    sk_mcache *c = p;
    if (!c) return;
    for (sk_zset *e = c->head, *n; e; e = n) n = e->next, sk__zset_free(e);
    omp_destroy_lock(&c->lock);
    free(c);
}

static int sk__cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Append `name` (malloc'd; NULL: out of memory) to e->names, growing it from *cap slots. */
static int sk__add_name(sk_zset *e, int *cap, char *name) {
    if (!name) return SK_ENOMEM;
    if (e->nz == *cap) {
        char **nn = realloc(e->names, (size_t)(*cap *= 2) * sizeof *nn);
        if (!nn) {
            free(name);
            return SK_ENOMEM;
        }
        e->names = nn;
    }
    e->names[e->nz++] = name;
    return 0;
}

/* The zone names of a set, in order, into e->names / e->nz. */
static int sk__zone_list(sk_zset *e, const char *dirpath) {
    int cap = 16;
    if (!(e->names = calloc((size_t)cap, sizeof *e->names))) return SK_ENOMEM;
    if (strcmp(e->zones, "all")) {
        for (const char *p = e->zones; *p;) {
            size_t n = strcspn(p, ",");
            while (n && (*p == ' ')) p++, n--;
            size_t m = n;
            while (m && p[m - 1] == ' ') m--;
            if (!m) return sk_errf(e->err, sizeof e->err, SK_ECONFIG, "zones: empty zone name in '%s'", e->zones);
            if (sk__add_name(e, &cap, strndup(p, m)) < 0) return SK_ENOMEM;
            p += n;
            if (*p == ',') p++;
        }
        return 0;
    }
    DIR *d = opendir(dirpath);
    if (!d) return sk_errf(e->err, sizeof e->err, SK_ENOINPUT, "%s: cannot list the zone folders", dirpath);
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        char sub[4096];
        if (snprintf(sub, sizeof sub, "%s/%s/%s", dirpath, de->d_name, e->file) >= (int)sizeof sub) continue;
        FILE *f = fopen(sub, "rb");
        if (!f) continue; /* not a zone folder (README.md, ...) */
        fclose(f);
        if (sk__add_name(e, &cap, strdup(de->d_name)) < 0) {
            closedir(d);
            return SK_ENOMEM;
        }
    }
    closedir(d);
    qsort(e->names, (size_t)e->nz, sizeof *e->names, sk__cmp);
    if (!e->nz) return sk_errf(e->err, sizeof e->err, SK_EDATA, "%s: no zone folders with a %s", dirpath, e->file);
    return 0;
}

static int sk__zset_load(sk_zset *e, const char *exp_file) {
    char dirpath[4096], path[4096], rel[4096];
    int rc;
    if (sk_trace_find_dir(e->dir, exp_file, dirpath, sizeof dirpath) < 0) {
        return sk_errf(e->err, sizeof e->err, SK_ENOINPUT, "%s: folder not found on the trace search path", e->dir);
    }
    if ((rc = sk__zone_list(e, dirpath)) < 0) {
        if (rc == SK_ENOMEM) sk_errf(e->err, sizeof e->err, 0, "out of memory");
        return rc;
    }
    if (e->nz > SK_MR_MAXZONES) {
        return sk_errf(e->err, sizeof e->err, SK_ECONFIG, "zones: %d zones, at most %d", e->nz, SK_MR_MAXZONES);
    }
    e->tr = calloc((size_t)e->nz, sizeof *e->tr);
    e->z = calloc((size_t)e->nz, sizeof *e->z);
    if (!e->tr || !e->z) return SK_ENOMEM;
    for (int i = 0; i < e->nz; i++) {
        if (snprintf(rel, sizeof rel, "%s/%s/%s", dirpath, e->names[i], e->file) >= (int)sizeof rel ||
            sk_trace_find(rel, NULL, path, sizeof path) < 0) {
            return sk_errf(e->err, sizeof e->err, SK_ENOINPUT, "zones: %s: no trace %s/%s/%s", e->names[i], e->dir, e->names[i], e->file);
        }
        if ((rc = sk_spot_load_json(&e->tr[i], path, SK_SPOT_PREEMPTED, 1, e->err, sizeof e->err)) < 0) return rc;
        const sk_spot_trace *t = &e->tr[i];
        if (t->gap != e->tr[0].gap) {
            return sk_errf(e->err, sizeof e->err, SK_EDATA, "%s: tick length %g s, but %s has %g s: zones must share one tick length",
                           path, t->gap, e->names[0], e->tr[0].gap);
        }
        if (isnan(t->od_price)) {
            return sk_errf(e->err, sizeof e->err, SK_EDATA, "%s: metadata.price_info.on_demand_price: missing (every zone needs an on-demand price)", path);
        }
        if (isnan(t->spot_price) && !t->prices) {
            return sk_errf(e->err, sizeof e->err, SK_EDATA, "%s: metadata.price_info.price: missing, and no per-tick prices", path);
        }
        e->z[i] = (sk_mr_zone){e->names[i], t->avail, t->prices, t->n, t->spot_price, t->od_price};
    }
    return 0;
}

static const sk_zset *sk__get(sk_mcache *c, const sk_value *v, const char *exp_file) {
    omp_set_lock(&c->lock);
    sk_zset *e = c->head;
    while (e && (strcmp(e->dir, v[P_DIR].s) || strcmp(e->zones, v[P_ZONES].s) || strcmp(e->file, v[P_FILE].s))) e = e->next;
    if (!e && (e = calloc(1, sizeof *e))) {
        e->dir = strdup(v[P_DIR].s), e->zones = strdup(v[P_ZONES].s), e->file = strdup(v[P_FILE].s);
        e->rc = e->dir && e->zones && e->file ? sk__zset_load(e, exp_file) : SK_ENOMEM;
        if (e->rc == SK_ENOMEM && !e->err[0]) sk_errf(e->err, sizeof e->err, 0, "out of memory");
        e->next = c->head;
        c->head = e;
    }
    omp_unset_lock(&c->lock);
    return e;
}

/* ---- the kind ---------------------------------------------------------------------------------- */

static void sk__job(const sk_value *v, const sk_zset *e, sk_mr_job *job) {
    double gap = e->tr[0].gap;
    job->C_h = v[P_C].f, job->R_h = v[P_R].f, job->d_h = v[P_D].f, job->ckpt_gb = v[P_CKPT].f;
    job->gap = gap;
    job->start = v[P_START_TICK].i >= 0 ? v[P_START_TICK].i : v[P_START].f > 0 ? (int64_t)ceil(v[P_START].f * 3600 / gap) : 0;
    job->window_bound = (int)v[P_BOUND].i;
    job->transfer_time = (int)v[P_XFER].i;
}

static int sk__entry(sk_mcache *c, const sk_value *v, const char *exp_file, const sk_zset **out, int *bad, char *msg, size_t len) {
    const sk_zset *e = sk__get(c, v, exp_file);
    if (!e) return SK_ENOMEM;
    if (e->rc < 0) {
        *bad = !strncmp(e->err, "zones:", 6) ? P_ZONES : P_DIR;
        snprintf(msg, len, "%s", e->err);
        return e->rc;
    }
    sk_mr_job job;
    sk__job(v, e, &job);
    int rc = sk_mr_check(&job, e->z, e->nz, msg, len);
    if (rc < 0) { /* "ZONE: ..." names the zone; name its file instead */
        for (int i = 0; i < e->nz; i++) {
            size_t n = strlen(e->names[i]);
            if (!strncmp(msg, e->names[i], n) && msg[n] == ':') {
                char tail[512];
                snprintf(tail, sizeof tail, "%s", msg + n);
                sk_errf(msg, len, 0, "%s%s", e->tr[i].path, tail);
                break;
            }
        }
        *bad = strstr(msg, "start tick") ? (v[P_START_TICK].i >= 0 ? P_START_TICK : P_START) : P_C;
        return rc;
    }
    *out = e;
    return 0;
}

static int sk_multi_warn(const sk_value *v, int *bad, char *msg, size_t len) {
    double Ch = (v[P_C].f * 3600.0) / 3600.0; /* as sk_mr_simulate compares it */
    if (!(Ch + v[P_D].f > v[P_R].f)) return 0;
    *bad = P_R;
    snprintf(msg, len,
             "deadline %.15g h is shorter than work + changeover (%.15g h + %.15g h): infeasible; nothing is "
             "simulated and every policy reports infeasible = 1 with the cheapest zone's on-demand cost for C + d",
             v[P_R].f, v[P_C].f, v[P_D].f);
    return 1;
}

static int sk_multi_check_data(void *shared, const sk_value *v, const char *exp_file, int *bad, char *msg, size_t len) {
    const sk_zset *e = NULL;
    return sk__entry(shared, v, exp_file, &e, bad, msg, len);
}

static int sk_multi_run(const sk_run_ctx *c, sk_value *out, char *msg, size_t len) {
    const sk_value *v = c->params;
    const sk_zset *e = NULL;
    int bad, rc = sk__entry(c->shared, v, c->exp_file, &e, &bad, msg, len);
    if (rc < 0) return rc;
    sk_mr_job job;
    sk__job(v, e, &job);
    sk_rng rng;
    if ((rc = sk_rng_init(&rng, NULL, c->master_seed, c->run_index, SK_STREAM_POLICY)) < 0) return rc;
    sk_mr_result r;
    rc = sk_mr_simulate(&job, e->z, e->nz, sk_gpolicy_of(c->policy), c->policy_params, &rng, &r, c->series, msg, len);
    sk_rng_fini(&rng);
    if (rc < 0) return rc;
    out[M_COST].f = r.cost_sweep;
    out[M_COST_MAIN].f = r.cost_main;
    out[M_TRANSFER].f = r.transfer;
    out[M_PROBE].f = r.probe;
    out[M_DOWNTIME].f = r.downtime_cost;
    out[M_SPOT_H].f = r.spot_hours;
    out[M_OD_H].f = r.od_hours;
    out[M_MIG].i = r.migrations;
    out[M_MIG_AZ].i = r.mig_az;
    out[M_MIG_REG].i = r.mig_region;
    out[M_MIG_CONT].i = r.mig_continent;
    out[M_LAUNCH].i = r.launches;
    out[M_PREEMPT].i = r.preemptions;
    out[M_PROBES].i = r.probes;
    out[M_TICKS].i = r.finish_tick;
    out[M_FINISH].f = r.infeasible || r.late ? NAN : r.finish / 3600;
    out[M_MET].i = !r.infeasible && !r.late;
    out[M_INFEAS].i = r.infeasible;
    return 0;
}

const sk_scenario_kind sk_scn_multi = {
    .name = "multi_region",
    .help = "one deadline-bound job across zones, regions and clouds, moving its checkpoint (SkyNomad artifact semantics)",
    .params = sk_multi_params,
    .nparams = P_N,
    .policies = sk_mr_policy_defs,
    .npolicies = sizeof sk_mr_policy_defs / sizeof sk_mr_policy_defs[0],
    .metrics = sk_multi_metrics,
    .nmetrics = M_N,
    .check_data = sk_multi_check_data,
    .warn = sk_multi_warn,
    .run = sk_multi_run,
    .shared_new = sk_multi_shared_new,
    .shared_free = sk_multi_shared_free,
};
