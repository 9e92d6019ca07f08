/* cmd_bench_mr.c - `synkti bench multi_region`: time per run of the multi-region world (SkyNomad
 * artifact semantics) for each of its policies, on the artifact's deadline-sensitivity setting:
 * the 6 "Global Diverse" H100 zones, R = 51.83 h, d = 0.2 h, 50 GB checkpoints, six windows,
 * nine deadline ratios; traces loaded before timing, one thread. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "core/sk_scenario.h"
#include "core/sk_world.h"
#include "io/sk_spot.h"
#include "io/sk_trace.h"
#include "sim/sk_kinds.h"
#include "sim/sk_mr.h"
#include "sk_error.h"

typedef struct {
    uint64_t reps;
    const char *only;
} sk_bm_opts;

static const sk_opt sk_bm_optab[] = {
    {"reps", 'r', SK_OPT_U64, offsetof(sk_bm_opts, reps), "N", "passes over the 54 settings (the median is kept)", 1, 1000},
    {"policy", 'p', SK_OPT_STR, offsetof(sk_bm_opts, only), "NAME", "time only this policy", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_bm_usage[] =
    "usage: synkti bench multi_region [options]\n"
    "\n"
    "Time the multi-region world per run for each of its policies on the SkyNomad artifact's\n"
    "deadline-sensitivity setting: 6 H100 zones (us-central1-a, us-west1-a, europe-west1-c,\n"
    "europe-west3-c, asia-southeast1-b, asia-south2-b), R = 51.83 h, d = 0.2 h, 50 GB checkpoint,\n"
    "deadline/work ratios 1.05..3 (8) x 6 windows = 48 runs a pass, one thread, traces loaded first.\n"
    "Prints one line per policy: runs, median microseconds per run over the passes, mean cost.\n";

static const char *const sk_bm_zones[] = {"us-central1-a_h100_16",  "us-west1-a_h100_16",        "europe-west1-c_h100_16",
                                          "europe-west3-c_h100_16", "asia-southeast1-b_h100_16", "asia-south2-b_h100_16"};

int sk_bench_mr(int argc, char **argv) {
    sk_bm_opts o = {5, NULL};
    int npos = 0, rc = sk_opts_parse("bench multi_region", sk_bm_usage, sk_bm_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    const sk_scenario_kind *kind = sk_scenario_find("multi_region");
    if (!kind) return sk_exit_code(SK_EINTERNAL);
    enum { NZ = 6 };
    sk_spot_trace tr[NZ];
    sk_mr_zone z[NZ];
    char err[1024], path[4096];
    memset(tr, 0, sizeof tr);
    for (int i = 0; i < NZ; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/%s/full.json", sk_bm_zones[i]);
        if (sk_trace_find(rel, NULL, path, sizeof path) < 0 || (rc = sk_spot_load_json(&tr[i], path, SK_SPOT_PREEMPTED, 1, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti bench multi_region: %s\n", rc < 0 ? err : rel);
            for (int u = 0; u < i; u++) sk_spot_fini(&tr[u]);
            return sk_exit_code(rc < 0 ? rc : SK_ENOINPUT);
        }
        z[i] = (sk_mr_zone){sk_bm_zones[i], tr[i].avail, tr[i].prices, tr[i].n, tr[i].spot_price, tr[i].od_price};
    }
    static const double ratio[] = {1.05, 1.1, 1.15, 1.2, 1.3, 1.5, 2.0, 3.0};
    static const int64_t start[] = {0, 311, 622, 933, 1244, 1556};
    const double R = 51.833333333333336;
    printf("# 6 zones, R = %.4g h, d = 0.2 h, 50 GB, 8 deadline ratios x 6 windows, median of %" PRIu64 " passes\n", R, o.reps);
    printf("%-18s %8s %12s %12s\n", "policy", "runs", "us_per_run", "mean_cost");
    double *times = calloc(o.reps, sizeof *times);
    for (size_t p = 0; p < kind->npolicies && times; p++) {
        const sk_gpolicy *pol = sk_gpolicy_of(kind->policies[p]);
        if (o.only && strcmp(o.only, pol->def.name)) continue;
        sk_value pv[16];
        memset(pv, 0, sizeof pv);
        char why[256];
        for (size_t i = 0; i < pol->def.nparams && i < 16; i++) sk_param_parse(&pol->def.params[i], pol->def.params[i].def, &pv[i], why, sizeof why);
        double sum = 0;
        uint64_t n = 0;
        for (uint64_t rep = 0; rep < o.reps; rep++) {
            double t0 = sk_cli_now();
            sum = 0;
            n = 0;
            for (size_t a = 0; a < sizeof ratio / sizeof *ratio; a++)
                for (size_t w = 0; w < sizeof start / sizeof *start; w++) {
                    sk_mr_job job = {R / ratio[a], R, 0.2, 50, 600, start[w], 1, 0};
                    sk_mr_result r;
                    char msg[256];
                    if (sk_mr_simulate(&job, z, NZ, pol, pv, NULL, &r, NULL, msg, sizeof msg) == 0) sum += r.cost_sweep;
                    n++;
                }
            times[rep] = (sk_cli_now() - t0) / (double)n * 1e6;
        }
        for (size_t i = 0; i < pol->def.nparams && i < 16; i++) sk_value_fini(&pv[i]);
        qsort(times, o.reps, sizeof *times, sk_cli_cmp_double);
        printf("%-18s %8" PRIu64 " %12.1f %12.4f\n", pol->def.name, n, times[o.reps / 2], sum / (double)n);
    }
    free(times);
    for (int i = 0; i < NZ; i++) sk_spot_fini(&tr[i]);
    return 0;
}
