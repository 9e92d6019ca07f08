/* cmd_bench_fleet.c - `synkti bench fleet`: one run of the fleet world on a synthetic fleet
 * (default: 100,000 GPUs over 50 zones, 1,000,000 jobs arriving over one simulated day, Markov
 * availability with correlated reclaims and a mean-reverting price per pool), timed on one thread:
 * wall seconds, events/s and the process's peak RSS. --scale runs 1k, 10k and 100k GPUs (jobs in
 * proportion) in one process, smallest first, so each line's peak RSS is that size's. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "core/sk_scenario.h"
#include "core/sk_world.h"
#include "sim/sk_kinds.h"
#include "sk_error.h"

typedef struct {
    uint64_t gpus, zones, jobs;
    const char *policy;
    int scale;
    double hours;
} sk_bf_opts;

static const sk_opt sk_bf_optab[] = {
    {"gpus", 'g', SK_OPT_U64, offsetof(sk_bf_opts, gpus), "N", "GPUs of spot capacity in the fleet (default 100000)", 100, 1e9},
    {"zones", 'z', SK_OPT_U64, offsetof(sk_bf_opts, zones), "N", "zones, two instance types each (default 50)", 1, 60},
    {"jobs", 'j', SK_OPT_U64, offsetof(sk_bf_opts, jobs), "N", "jobs arriving over the day (default 10 per GPU)", 1, 1e9},
    {"hours", 0, SK_OPT_DBL, offsetof(sk_bf_opts, hours), "H", "arrival window, hours (default 24)", 1e-3, 1e6},
    {"policy", 'p', SK_OPT_STR, offsetof(sk_bf_opts, policy), "NAME", "fleet policy (default cheapest_spot)", 0, 0},
    {"scale", 0, SK_OPT_FLAG, offsetof(sk_bf_opts, scale), NULL, "run 1k, 10k and 100k GPUs and print a growth table", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_bf_usage[] =
    "usage: synkti bench fleet [options]\n"
    "\n"
    "Time one run of the fleet world (scenario.kind: fleet) on a synthetic fleet on one thread:\n"
    "zones named after real AWS/GCP regions, a 1-GPU and an 8-GPU type in each, spot capacity split\n"
    "evenly over the pools; a two-level Markov capacity per pool (full / a quarter, 0.2 drops and\n"
    "1 recovery per hour: a drop reclaims 3/4 of the pool's spot instances within 180 s) and a\n"
    "mean-reverting spot price with jumps (5-minute steps); jobs of 1/2/4/8 GPUs (weights\n"
    ".6/.2/.1/.1), exponential lengths of mean 0.6 h, Poisson arrivals over the window; periodic\n"
    "checkpoints every 30 min and on notices; skyplane network for checkpoint moves.\n"
    "Prints GPUs, zones, jobs, wall seconds (configuration, job synthesis and simulation), events,\n"
    "events/s, peak RSS (MiB) and the run's cost and completions.\n"
    "\n"
    "Examples:\n"
    "  synkti bench fleet                    # the 100,000-GPU day\n"
    "  synkti bench fleet --scale            # 1k, 10k, 100k GPUs\n"
    "  synkti bench fleet -g 10000 -p uniform_progress\n";

static double sk__rss_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static int sk__set(const sk_scenario_kind *k, sk_value *v, const char *name, const char *text) {
    int i = sk_param_find(k->params, k->nparams, name);
    char why[256];
    if (i < 0) return SK_EINTERNAL;
    sk_value_fini(&v[i]);
    return sk_param_parse(&k->params[i], text, &v[i], why, sizeof why);
}

static int sk__one(const sk_scenario_kind *k, const sk_policy_def *pol, uint64_t gpus, uint64_t zones, uint64_t jobs,
                   double hours) {
    sk_value v[128], pv[16], out[64];
    char buf[64], msg[1024] = "";
    memset(v, 0, sizeof v), memset(pv, 0, sizeof pv), memset(out, 0, sizeof out);
    for (size_t i = 0; i < k->nparams; i++) sk_param_parse(&k->params[i], k->params[i].def, &v[i], msg, sizeof msg);
    for (size_t i = 0; i < pol->nparams && i < 16; i++) sk_param_parse(&pol->params[i], pol->params[i].def, &pv[i], msg, sizeof msg);
    int rc = 0;
    snprintf(buf, sizeof buf, "%" PRIu64, zones);
    rc |= sk__set(k, v, "zones", buf);
    snprintf(buf, sizeof buf, "%" PRIu64, (gpus + 2 * zones - 1) / (2 * zones));
    rc |= sk__set(k, v, "capacity", buf);
    snprintf(buf, sizeof buf, "%" PRIu64, jobs);
    rc |= sk__set(k, v, "n_jobs", buf);
    snprintf(buf, sizeof buf, "%.17g", (double)jobs / hours);
    rc |= sk__set(k, v, "arrival_rate_per_h", buf);
    rc |= sk__set(k, v, "length_hours", "0.6");
    rc |= sk__set(k, v, "availability", "markov");
    rc |= sk__set(k, v, "markov_levels", "1,0.25");
    rc |= sk__set(k, v, "markov_rates_per_h", "0,0.2,1,0");
    rc |= sk__set(k, v, "price", "ou");
    if (rc) {
        fprintf(stderr, "synkti bench fleet: internal parameter error\n");
        return SK_EINTERNAL;
    }
    void *shared = k->shared_new ? k->shared_new() : NULL;
    volatile sig_atomic_t stop = 0;
    sk_run_ctx ctx = {1, 0, 0, v, pol, pv, &stop, NULL, shared, NULL};
    double t0 = sk_cli_now();
    rc = k->run(&ctx, out, msg, sizeof msg);
    double dt = sk_cli_now() - t0;
    if (rc < 0) fprintf(stderr, "synkti bench fleet: %s\n", msg);
    else {
        int64_t ev = 0, done = 0;
        double cost = NAN;
        for (size_t m = 0; m < k->nmetrics; m++) {
            if (!strcmp(k->metrics[m].name, "events")) ev = out[m].i;
            if (!strcmp(k->metrics[m].name, "completed")) done = out[m].i;
            if (!strcmp(k->metrics[m].name, "cost")) cost = out[m].f;
        }
        printf("%10" PRIu64 " %6" PRIu64 " %9" PRIu64 " %9.3f %11" PRId64 " %12.0f %9.1f %14.2f %9" PRId64 "\n", gpus, zones, jobs,
               dt, ev, (double)ev / dt, sk__rss_mib(), cost, done);
        fflush(stdout);
    }
    if (k->shared_free) k->shared_free(shared);
    for (size_t i = 0; i < k->nparams; i++) sk_value_fini(&v[i]);
    for (size_t i = 0; i < pol->nparams && i < 16; i++) sk_value_fini(&pv[i]);
    return rc;
}

int sk_bench_fleet(int argc, char **argv) {
    sk_bf_opts o = {100000, 50, 0, "cheapest_spot", 0, 24};
    int npos = 0, rc = sk_opts_parse("bench fleet", sk_bf_usage, sk_bf_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    const sk_scenario_kind *k = sk_scenario_find("fleet");
    if (!k) return sk_exit_code(SK_EINTERNAL);
    const sk_policy_def *pol = sk_scenario_policy(k, o.policy);
    if (!pol) {
        fprintf(stderr, "synkti bench fleet: unknown fleet policy '%s'\n", o.policy);
        return sk_exit_code(SK_EUSAGE);
    }
    printf("# policy %s, one thread, %g h of arrivals\n", pol->name, o.hours);
    printf("%10s %6s %9s %9s %11s %12s %9s %14s %9s\n", "gpus", "zones", "jobs", "wall_s", "events", "events_per_s", "rss_mib",
           "cost_usd", "completed");
    if (o.scale) {
        static const uint64_t g[] = {1000, 10000, 100000};
        for (int i = 0; i < 3; i++)
            if ((rc = sk__one(k, pol, g[i], o.zones, g[i] * 10, o.hours)) < 0) return sk_exit_code(rc);
        return 0;
    }
    rc = sk__one(k, pol, o.gpus, o.zones, o.jobs ? o.jobs : o.gpus * 10, o.hours);
    return rc < 0 ? sk_exit_code(rc) : 0;
}
