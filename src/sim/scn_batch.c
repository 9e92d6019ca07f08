/* scn_batch.c - `scenario.kind: batch`: one job of C hours of work due in R hours, on spot and
 * on-demand, replayed over a spot availability trace (or one of its "Can't Be Late" evaluation
 * windows) under a policy of policies/. Semantics: src/sim/sk_batch.h. Traces and window tables
 * are loaded once per `synkti run` into a cache shared by all threads. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sk_hash.h"
#include "core/sk_world.h"
#include "core/sk_scenario.h"
#include "io/sk_spot.h"
#include "io/sk_trace.h"
#include "policies/sk_policies.h"
#include "sim/sk_batch.h"
#include "sk_error.h"

enum { P_TRACE, P_PROBE_GAP, P_CONV, P_GANG, P_WINDOW, P_WINDOWS, P_START, P_START_TICK, P_C, P_R, P_D, P_OD, P_SPOT, P_TRACE_PRICES, P_SIM, P_BOUND, P_N };

static const sk_param_def sk_batch_params[P_N] = {
    [P_TRACE] = {"trace", SK_PT_PATH, NULL, 0, 0, "spot availability trace: JSON, or a raw probe CSV (any other extension)"},
    [P_PROBE_GAP] = {"probe_gap_seconds", SK_PT_FLOAT, "600", 1, 86400, "tick length of a raw probe CSV (one row per tick)"},
    [P_CONV] = {"convention", SK_PT_STR, "auto", 0, 0, "trace values: auto (the file's own), available, preempted"},
    [P_GANG] = {"gang", SK_PT_INT, "1", 1, 1e6, "instances needed: spot counts as available when at least this many are"},
    [P_WINDOW] = {"window", SK_PT_INT, "-1", -1, 1e9, "evaluation window of the trace (-1: the whole trace from start_hours)"},
    [P_WINDOWS] = {"windows_file", SK_PT_PATH, "cbl-windows/WINDOW_INDEX.csv", 0, 0, "table of evaluation windows"},
    [P_START] = {"start_hours", SK_PT_FLOAT, "0", 0, 1e6, "start offset into the trace, hours (rounded up to a tick)"},
    [P_START_TICK] = {"start_tick", SK_PT_INT, "-1", -1, 1e9, "start offset in ticks (-1: from start_hours)"},
    [P_C] = {"work_hours", SK_PT_FLOAT, "48", 1e-6, 1e6, "C: hours of work"},
    [P_R] = {"deadline_hours", SK_PT_FLOAT, "60", 1e-6, 1e6, "R: hours from start to deadline"},
    [P_D] = {"changeover_hours", SK_PT_FLOAT, "0.2", 0, 1e3, "d: hours lost at every launch"},
    [P_OD] = {"od_price", SK_PT_FLOAT, "3.06", 0, 1e6, "on-demand price, $/h"},
    [P_SPOT] = {"spot_price", SK_PT_FLOAT, "0.9731", 0, 1e6, "spot price, $/h"},
    [P_TRACE_PRICES] = {"trace_prices", SK_PT_BOOL, "false", 0, 0, "use the trace's price_info and per-tick prices when it has them"},
    [P_SIM] = {"simulator", SK_PT_STR, "auto", 0, 0, "semantics: auto (the policy's own), new, old"},
    [P_BOUND] = {"window_bound", SK_PT_BOOL, "false", 0, 0, "the trace ends ceil(R/gap) ticks after the start (--enforce-window-bound)"},
};

enum { M_COST, M_SPOT_H, M_OD_H, M_LAUNCH, M_FINISH, M_MET, M_INFEAS, M_EXH, M_LATE, M_N };
static const sk_metric_def sk_batch_metrics[M_N] = {
    [M_COST] = {"cost", SK_TABLE_F64, 1, "$, as the reference simulator prints it"},
    [M_SPOT_H] = {"spot_hours", SK_TABLE_F64, 1, "billed spot hours"},
    [M_OD_H] = {"od_hours", SK_TABLE_F64, 1, "billed on-demand hours"},
    [M_LAUNCH] = {"launches", SK_TABLE_I64, 1, "instance launches"},
    [M_FINISH] = {"finish_hours", SK_TABLE_F64, 1, "when the job finished"},
    [M_MET] = {"deadline_met", SK_TABLE_I64, 1, "1 if it finished by the deadline"},
    [M_INFEAS] = {"infeasible", SK_TABLE_I64, 0, "1 if C + d > R (not simulated, any policy and semantics; cost = on-demand fallback od*(C + d))"},
    [M_EXH] = {"exhausted", SK_TABLE_I64, 0, "1 if the trace ran out first"},
    [M_LATE] = {"late", SK_TABLE_I64, 0, "1 if the deadline passed before the end"},
};

/* ---- the shared cache ------------------------------------------------------------------------ */

typedef struct sk_tc_entry {
    char *path, *windows_path;
    int conv;
    int64_t gang;
    double probe_gap;
    int rc;                 /* load result */
    char err[512];
    sk_spot_trace tr;
    sk_spot_window *win;    /* loaded on first use of a window */
    size_t nwin;
    int win_rc;
    char win_err[512];
    struct sk_tc_entry *next;
} sk_tc_entry;

enum { SK_TC_BUCKETS = 1024 }; /* a power of two */

/* Entries hashed on (path, convention, gang, probe gap), chained per bucket: a sweep with many
 * distinct traces or gang values (validation looks up every point) stays linear, not quadratic. */
typedef struct sk_tcache {
    omp_lock_t lock;
    sk_tc_entry *bucket[SK_TC_BUCKETS];
} sk_tcache;

static size_t sk__tc_hash(const char *path, int conv, int64_t gang, double probe_gap) {
    uint64_t h = sk_fnv_bytes(SK_FNV_OFFSET, path, strlen(path));
    uint64_t w[3] = {(uint64_t)conv, (uint64_t)gang, 0};
    memcpy(&w[2], &probe_gap, sizeof w[2]);
    for (int i = 0; i < 3; i++) h = sk_fnv_word(h, w[i]);
    return (size_t)(h ^ (h >> 32)) & (SK_TC_BUCKETS - 1);
}

static void *sk_batch_shared_new(void) {
    sk_tcache *c = calloc(1, sizeof *c);
    if (c) omp_init_lock(&c->lock);
    return c;
}

static void sk_batch_shared_free(void *p) {
    sk_tcache *c = p;
    if (!c) return;
    for (size_t b = 0; b < SK_TC_BUCKETS; b++)
        for (sk_tc_entry *e = c->bucket[b], *n; e; e = n) {
            n = e->next;
            sk_spot_fini(&e->tr);
            free(e->win);
            free(e->path);
            free(e->windows_path);
            free(e);
        }
    omp_destroy_lock(&c->lock);
    free(c);
}

static int sk__conv(const char *s) {
    if (!strcmp(s, "auto")) return SK_SPOT_AUTO;
    if (!strcmp(s, "available")) return SK_SPOT_AVAILABLE;
    if (!strcmp(s, "preempted")) return SK_SPOT_PREEMPTED;
    return -1;
}

/* The cached trace (and, with want_windows, its window table) for these parameters; loads on
 * first use. Entries are never changed once filled, so the caller may read them unlocked. */
static const sk_tc_entry *sk__get(sk_tcache *c, const sk_value *v, int want_windows, const char *exp_file) {
    char found[4096];
    int conv = sk__conv(v[P_CONV].s);
    size_t b = sk__tc_hash(v[P_TRACE].s, conv, v[P_GANG].i, v[P_PROBE_GAP].f);
    omp_set_lock(&c->lock);
    sk_tc_entry *e = c->bucket[b];
    while (e && !(e->conv == conv && e->gang == v[P_GANG].i && e->probe_gap == v[P_PROBE_GAP].f && !strcmp(e->path, v[P_TRACE].s) &&
                  (!want_windows || !e->windows_path || !strcmp(e->windows_path, v[P_WINDOWS].s))))
        e = e->next;
    if (!e && (e = calloc(1, sizeof *e))) {
        e->conv = conv;
        e->gang = v[P_GANG].i;
        e->probe_gap = v[P_PROBE_GAP].f;
        e->path = strdup(v[P_TRACE].s);
        if (!e->path) e->rc = SK_ENOMEM;
        else if (sk_trace_find(e->path, exp_file, found, sizeof found) < 0)
            e->rc = SK_ENOINPUT, snprintf(e->err, sizeof e->err, "%s: not found on the trace search path", e->path);
        else if (strlen(found) > 5 && !strcmp(found + strlen(found) - 5, ".json"))
            e->rc = sk_spot_load_json(&e->tr, found, (sk_spot_conv)conv, e->gang, e->err, sizeof e->err);
        else
            e->rc = sk_spot_load_probes(&e->tr, found, v[P_PROBE_GAP].f, e->err, sizeof e->err);
        e->next = c->bucket[b];
        c->bucket[b] = e;
    }
    if (e && want_windows && !e->windows_path && e->rc == 0) {
        e->windows_path = strdup(v[P_WINDOWS].s);
        if (!e->windows_path) e->win_rc = SK_ENOMEM;
        else if (sk_trace_find(e->windows_path, exp_file, found, sizeof found) < 0)
            e->win_rc = SK_ENOINPUT, snprintf(e->win_err, sizeof e->win_err, "%s: not found on the trace search path", e->windows_path);
        else
            e->win_rc = sk_spot_windows(found, e->tr.name, e->tr.n, e->tr.gap, &e->win, &e->nwin, e->win_err, sizeof e->win_err);
    }
    omp_unset_lock(&c->lock);
    return e;
}

/* ---- the kind -------------------------------------------------------------------------------- */

/* A deadline shorter than work plus one changeover: valid, but no policy can run it (sk_batch.h). */
static int sk_batch_warn(const sk_value *v, int *bad, char *msg, size_t len) {
    double Ch = (v[P_C].f * 3600) / 3600; /* as sk_batch_simulate compares it */
    if (!(Ch + v[P_D].f > v[P_R].f)) return 0;
    *bad = P_R;
    snprintf(msg, len,
             "deadline %.15g h is shorter than work + changeover (%.15g h + %.15g h): infeasible; nothing is "
             "simulated and every policy reports infeasible = 1 with the on-demand fallback cost od*(C + d)",
             v[P_R].f, v[P_C].f, v[P_D].f);
    return 1;
}

static int sk_batch_check(const sk_value *v, const sk_policy_def *pol, const sk_value *pp, int *bad, char *msg, size_t len) {
    (void)pol, (void)pp;
    if (sk__conv(v[P_CONV].s) < 0) {
        *bad = P_CONV;
        snprintf(msg, len, "expected auto, available or preempted, got '%s'", v[P_CONV].s);
        return SK_ECONFIG;
    }
    if (strcmp(v[P_SIM].s, "auto") && strcmp(v[P_SIM].s, "new") && strcmp(v[P_SIM].s, "old")) {
        *bad = P_SIM;
        snprintf(msg, len, "expected auto, new or old, got '%s'", v[P_SIM].s);
        return SK_ECONFIG;
    }
    return 0;
}

/* The cache entry of a point whose trace (and, for a window, window table) loaded and whose
 * window exists, in *out. Else an SK_E* code with msg and the parameter at fault in *bad; the same
 * answer at load time (check_data) and in the run. */
static int sk__entry(sk_tcache *c, const sk_value *v, const char *exp_file, const sk_tc_entry **out, int *bad,
                     char *msg, size_t len) {
    const sk_tc_entry *e = sk__get(c, v, v[P_WINDOW].i >= 0, exp_file);
    if (!e) return SK_ENOMEM;
    if (e->rc < 0) {
        *bad = P_TRACE;
        snprintf(msg, len, "%s", e->err);
        return e->rc;
    }
    if (v[P_WINDOW].i >= 0 && e->win_rc < 0) { /* reported at the window that needs the table */
        *bad = P_WINDOW;
        snprintf(msg, len, "%s", e->win_err);
        return e->win_rc;
    }
    if (v[P_WINDOW].i >= 0 && (size_t)v[P_WINDOW].i >= e->nwin) {
        *bad = P_WINDOW;
        if (e->nwin) snprintf(msg, len, "window %lld out of range: %s has windows 0..%zu", (long long)v[P_WINDOW].i, e->tr.name, e->nwin - 1);
        else snprintf(msg, len, "window %lld: %s has no windows in %s", (long long)v[P_WINDOW].i, e->tr.name, e->windows_path);
        return SK_ECONFIG;
    }
    *out = e;
    return 0;
}

static int sk_batch_check_data(void *shared, const sk_value *v, const char *exp_file, int *bad, char *msg, size_t len) {
    const sk_tc_entry *e = NULL;
    return sk__entry(shared, v, exp_file, &e, bad, msg, len);
}

static int sk_batch_run(const sk_run_ctx *c, sk_value *out, char *msg, size_t len) {
    const sk_value *v = c->params;
    const sk_tc_entry *e = NULL;
    int bad, rc = sk__entry(c->shared, v, c->exp_file, &e, &bad, msg, len);
    if (rc < 0) return rc;
    const sk_spot_trace *tr = &e->tr;
    int64_t start, L = tr->n;
    if (v[P_WINDOW].i >= 0) {
        /* a window is a trace of its own, read from its index 0 (spec section 1) */
        start = e->win[v[P_WINDOW].i].start;
        L = start + e->win[v[P_WINDOW].i].len;
    } else {
        start = v[P_START_TICK].i >= 0 ? v[P_START_TICK].i : (int64_t)ceil(v[P_START].f * 3600 / tr->gap);
    }
    if (v[P_BOUND].i) { /* tick W = ceil(R/gap) reads as unavailable, later ticks are past the end */
        int64_t W = (int64_t)ceil(v[P_R].f * 3600 / tr->gap);
        if (start + W < L) L = start + W;
    }
    if (start > L) start = L;
    const sk_gpolicy *pol = sk_gpolicy_of(c->policy);
    sk_sim_kind sim = !strcmp(v[P_SIM].s, "new")   ? SK_SIM_NEW
                      : !strcmp(v[P_SIM].s, "old") ? SK_SIM_OLD
                      : sk_batch_policy_old(c->policy) ? SK_SIM_OLD : SK_SIM_NEW;
    sk_batch_job job = {v[P_C].f, v[P_R].f, v[P_D].f, v[P_OD].f, v[P_SPOT].f, NULL};
    if (v[P_TRACE_PRICES].i) {
        if (!isnan(tr->od_price)) job.od_price = tr->od_price;
        if (!isnan(tr->spot_price)) job.spot_price = tr->spot_price;
        job.prices = tr->prices;
    }
    sk_rng rng;
    rc = sk_rng_init(&rng, NULL, c->master_seed, c->run_index, SK_STREAM_POLICY);
    if (rc < 0) return rc;
    sk_batch_result r;
    rc = sk_batch_simulate(&job, tr->avail, L, start, tr->gap, pol, c->policy_params, sim, &rng, &r, c->series, msg, len);
    sk_rng_fini(&rng);
    if (rc < 0) return rc;
    out[M_COST].f = r.cost;
    out[M_SPOT_H].f = (tr->gap / 3600) * (double)r.spot_ticks;
    out[M_OD_H].f = (tr->gap / 3600) * (double)r.od_ticks;
    out[M_LAUNCH].i = r.launches;
    int ran = !r.infeasible && !r.exhausted;
    out[M_FINISH].f = ran && !isnan(r.cost) ? r.finish / 3600 : NAN;
    out[M_MET].i = ran && !r.late;
    out[M_INFEAS].i = r.infeasible;
    out[M_EXH].i = r.exhausted;
    out[M_LATE].i = r.late;
    return 0;
}

const sk_scenario_kind sk_scn_batch = {
    .name = "batch",
    .help = "one deadline-bound batch job on spot and on-demand over a spot availability trace (Can't Be Late)",
    .params = sk_batch_params,
    .nparams = P_N,
    .policies = sk_batch_policy_defs,
    .npolicies = SK_BATCH_NPOLICY_ROWS,
    .metrics = sk_batch_metrics,
    .nmetrics = M_N,
    .check = sk_batch_check,
    .warn = sk_batch_warn,
    .check_data = sk_batch_check_data,
    .run = sk_batch_run,
    .shared_new = sk_batch_shared_new,
    .shared_free = sk_batch_shared_free,
};
