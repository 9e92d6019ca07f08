/* cmd_bench_batch.c - `synkti bench batch`: time per (window, policy) of the Can't Be Late batch
 * world on the 8 traces x evaluation windows of Table 3, traces loaded once, single thread. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "core/sk_world.h"
#include "io/sk_spot.h"
#include "io/sk_trace.h"
#include "policies/sk_policies.h"
#include "sim/sk_batch.h"

typedef struct {
    double C, R, d;
    uint64_t windows, reps;
    const char *dir;
} sk_bb_opts;

static const sk_opt sk_bb_optab[] = {
    {"work", 'C', SK_OPT_DBL, offsetof(sk_bb_opts, C), "H", "hours of work", 1e-3, 1e6},
    {"deadline", 'R', SK_OPT_DBL, offsetof(sk_bb_opts, R), "H", "deadline, hours", 1e-3, 1e6},
    {"changeover", 'd', SK_OPT_DBL, offsetof(sk_bb_opts, d), "H", "changeover, hours", 0, 1e3},
    {"windows", 'w', SK_OPT_U64, offsetof(sk_bb_opts, windows), "N", "windows per trace", 1, 1000},
    {"reps", 'r', SK_OPT_U64, offsetof(sk_bb_opts, reps), "N", "passes over all windows (the median is kept)", 1, 1000},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_bb_usage[] =
    "usage: synkti bench batch [options]\n"
    "\n"
    "Time the batch world (Can't Be Late) per (window, policy): the 8 single-GPU traces of\n"
    "2022-10-26, windows 0..N-1 each, every batch policy, one thread, traces loaded before timing.\n"
    "Prints one line per policy: runs, median microseconds per run over the passes, mean cost.\n";

static const char *const sk_bb_traces[] = {"us-west-2a_k80_1", "us-west-2a_k80_8", "us-west-2a_v100_1", "us-west-2a_v100_8",
                                           "us-west-2b_k80_1", "us-west-2b_k80_8", "us-west-2b_v100_1", "us-west-2b_v100_8"};

int sk_bench_batch(int argc, char **argv) {
    sk_bb_opts o = {48, 60, 0.2, 300, 5, NULL};
    int npos = 0, rc = sk_opts_parse("bench batch", sk_bb_usage, sk_bb_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    sk_spot_trace tr[8];
    sk_spot_window *win[8];
    size_t nwin[8];
    char err[1024], path[4096], idx[4096];
    memset(tr, 0, sizeof tr);
    if (sk_trace_find("cbl-windows/WINDOW_INDEX.csv", NULL, idx, sizeof idx) < 0) {
        fprintf(stderr, "synkti bench batch: cbl-windows/WINDOW_INDEX.csv not found on the trace search path\n");
        return sk_exit_code(SK_ENOINPUT);
    }
    for (int t = 0; t < 8; t++) {
        char rel[256];
        snprintf(rel, sizeof rel, "spot-availability/availability/1-node/aws-10-26-2022/%s.json", sk_bb_traces[t]);
        if (sk_trace_find(rel, NULL, path, sizeof path) < 0 ||
            (rc = sk_spot_load_json(&tr[t], path, SK_SPOT_AUTO, 1, err, sizeof err)) < 0 ||
            (rc = sk_spot_windows(idx, tr[t].name, tr[t].n, tr[t].gap, &win[t], &nwin[t], err, sizeof err)) < 0) {
            fprintf(stderr, "synkti bench batch: %s\n", rc < 0 ? err : rel);
            for (int u = 0; u < t; u++) sk_spot_fini(&tr[u]), free(win[u]);
            return sk_exit_code(rc < 0 ? rc : SK_ENOINPUT);
        }
        if (nwin[t] < o.windows) o.windows = nwin[t];
    }
    sk_batch_job job = {o.C, o.R, o.d, 3.06, 0.9731, NULL};
    printf("# C=%g h R=%g h d=%g h, 8 traces x %" PRIu64 " windows, median of %" PRIu64 " passes\n", o.C, o.R, o.d,
           o.windows, o.reps);
    printf("%-18s %8s %12s %12s\n", "policy", "runs", "us_per_run", "mean_cost");
    double *times = calloc(o.reps, sizeof *times);
    for (size_t p = 0; sk_batch_policy_defs[p] && times; p++) {
        const sk_gpolicy *pol = sk_gpolicy_of(sk_batch_policy_defs[p]);
        sk_sim_kind sim = sk_batch_policy_old(sk_batch_policy_defs[p]) ? SK_SIM_OLD : SK_SIM_NEW;
        sk_value params[4] = {{.i = 4}};
        double sum = 0;
        uint64_t n = 0;
        for (uint64_t rep = 0; rep < o.reps; rep++) {
            double t0 = sk_cli_now();
            sum = 0;
            n = 0;
            for (int t = 0; t < 8; t++)
                for (uint64_t w = 0; w < o.windows; w++) {
                    sk_batch_result r;
                    char msg[256];
                    sk_batch_simulate(&job, tr[t].avail, win[t][w].start + win[t][w].len, win[t][w].start, tr[t].gap, pol,
                                      params, sim, NULL, &r, NULL, msg, sizeof msg);
                    if (r.cost == r.cost) sum += r.cost;
                    n++;
                }
            times[rep] = (sk_cli_now() - t0) / (double)n * 1e6;
        }
        qsort(times, o.reps, sizeof *times, sk_cli_cmp_double);
        printf("%-18s %8" PRIu64 " %12.3f %12.4f\n", pol->def.name, n, times[o.reps / 2], sum / (double)n);
    }
    free(times);
    for (int t = 0; t < 8; t++) sk_spot_fini(&tr[t]), free(win[t]);
    return 0;
}
