/* cmd_bench_shart.c - `synkti bench spothedge`: wall time of one full run of the SpotHedge
 * artifact simulator (src/serve/sk_shart: R repeats x T ticks + the latency model) per policy, the
 * median over several runs on one thread, beside the artifact's own 80-200 s per run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "io/sk_trace.h"
#include "serve/sk_shart.h"
#include "sk_error.h"

typedef struct {
    const char *trace, *policy;
    uint64_t runs;
    int no_latency;
} sk_bsh_opts;

static const sk_opt sk_bsh_optab[] = {
    {"trace", 't', SK_OPT_STR, offsetof(sk_bsh_opts, trace), "NAME", "AWS1, AWS2, GCP1 or a folder of zone traces (default AWS1)", 0, 0},
    {"policy", 'p', SK_OPT_STR, offsetof(sk_bsh_opts, policy), "NAME", "one policy (default: all six)", 0, 0},
    {"runs", 'r', SK_OPT_U64, offsetof(sk_bsh_opts, runs), "N", "timed runs per policy; the median is reported (default 7)", 1, 1e6},
    {"no-latency", 0, SK_OPT_FLAG, offsetof(sk_bsh_opts, no_latency), NULL, "time the tick loop only", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_bsh_usage[] =
    "usage: synkti bench spothedge [options]\n"
    "\n"
    "Time one run of the SpotHedge artifact simulator (scenario.kind: spothedge_artifact) per policy\n"
    "on one thread: the artifact's (trace, policy, seed 0) invocation, 10 repeats x 2880 ticks of 30 s\n"
    "with its latency model, N_extra as its eval.py (spothedge and optimal 1, others 0; the safety\n"
    "variant 1, as in the spec's table). Prints, per policy, the median and minimum wall seconds\n"
    "and the median CPU seconds over the runs, the speed-up of the median against the artifact's\n"
    "80 s (its fastest run, per the issue) and the run's cost and P50 (a check of the work done).\n"
    "\n"
    "Examples:\n"
    "  synkti bench spothedge\n"
    "  synkti bench spothedge -t GCP1 -p optimal -r 21\n";

/* CPU seconds of this thread (the run is single-threaded): steadier than wall time on a busy machine. */
static double sk__cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sk__median(double *x, uint64_t n) {
    qsort(x, n, sizeof *x, sk_cli_cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

int sk_bench_shart(int argc, char **argv) {
    sk_bsh_opts o = {"AWS1", NULL, 7, 0};
    int npos = 0, rc = sk_opts_parse("bench spothedge", sk_bsh_usage, sk_bsh_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos) {
        fprintf(stderr, "synkti bench spothedge: unexpected argument '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    int only = -1;
    if (o.policy && (only = sk_shart_policy_find(o.policy)) < 0) {
        fprintf(stderr, "synkti bench spothedge: --policy: unknown policy '%s'\n", o.policy);
        return sk_exit_code(SK_EUSAGE);
    }
    char rel[4096], dir[4096], err[600];
    if (snprintf(rel, sizeof rel, strchr(o.trace, '/') ? "%s" : "spothedge/data/%s", o.trace) >= (int)sizeof rel ||
        sk_trace_find_dir(rel, NULL, dir, sizeof dir) < 0) {
        fprintf(stderr, "synkti bench spothedge: %s: folder not found on the trace search path\n", rel);
        return sk_exit_code(SK_ENOINPUT);
    }
    sk_shart_trace tr;
    double t0 = sk_cli_now();
    if ((rc = sk_shart_load(&tr, dir, 30, 0, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti bench spothedge: %s\n", err);
        return sk_exit_code(rc);
    }
    double load_s = sk_cli_now() - t0;
    double *dt = malloc((size_t)o.runs * sizeof *dt), *ct = malloc((size_t)o.runs * sizeof *ct);
    if (!dt || !ct) {
        free(dt), free(ct);
        sk_shart_fini(&tr);
        fprintf(stderr, "synkti bench spothedge: out of memory\n");
        return sk_exit_code(SK_ENOMEM);
    }
    printf("trace=%s zones=%d load_s=%.4f runs=%" PRIu64 " latency=%s\n", o.trace, tr.nz, load_s, o.runs,
           o.no_latency ? "off" : "on");
    for (int pol = 0; pol < SK_SHART_NPOLICY && rc == 0; pol++) {
        if (only >= 0 && pol != only) continue;
        sk_shart_params p;
        sk_shart_defaults(&p);
        p.n_extra = pol == SK_SHART_SPOTHEDGE || pol == SK_SHART_SPOTHEDGE_SAFETY || pol == SK_SHART_OPTIMAL;
        p.latency = !o.no_latency;
        sk_shart_result r;
        for (uint64_t i = 0; i < o.runs && rc == 0; i++) {
            double s = sk_cli_now(), c = sk__cpu_now();
            rc = sk_shart_run(&tr, &p, (sk_shart_policy)pol, &r, NULL, err, sizeof err);
            dt[i] = sk_cli_now() - s, ct[i] = sk__cpu_now() - c;
        }
        if (rc < 0) {
            fprintf(stderr, "synkti bench spothedge: %s: %s\n", sk_shart_policy_name(pol), err);
            break;
        }
        double med = sk__median(dt, o.runs), cmed = sk__median(ct, o.runs);
        printf("policy=%s n_extra=%lld repeats=%lld ticks=%lld median_s=%.4f min_s=%.4f median_cpu_s=%.4f "
               "speedup_vs_80s=%.0f cost=%.1f p50=%.4f requests=%" PRId64 "\n",
               sk_shart_policy_name(pol), (long long)p.n_extra, (long long)p.repeats, (long long)p.ticks, med, dt[0], cmed,
               80.0 / med, r.cost, r.p50, r.requests);
    }
    free(dt), free(ct);
    sk_shart_fini(&tr);
    return rc < 0 ? sk_exit_code(rc) : 0;
}
