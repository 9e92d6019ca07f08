/* cmd_bench_serving.c - `synkti bench serving`: one run of the serving world (scenario.kind:
 * serving) timed on one thread: by default one simulated day of the Azure LLM 2023 conversation
 * trace at its native rate (looped hourly) on 16 on-demand A100 replicas serving Llama-2-7B with
 * the replica performance model. Prints wall seconds, events, events/s, peak RSS and the run's
 * request counts and latencies. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "core/sk_scenario.h"
#include "sim/sk_kinds.h"
#include "sk_error.h"

typedef struct {
    uint64_t replicas;
    double hours;
    const char *trace, *itype, *model, *policy;
} sk_bs_opts;

static const sk_opt sk_bs_optab[] = {
    {"replicas", 'n', SK_OPT_U64, offsetof(sk_bs_opts, replicas), "N", "replicas (n_target; default 16)", 1, 10000},
    {"hours", 0, SK_OPT_DBL, offsetof(sk_bs_opts, hours), "H", "simulated hours (default 24)", 1e-3, 1e5},
    {"trace", 't', SK_OPT_STR, offsetof(sk_bs_opts, trace), "FILE",
     "request trace (default azure-llm-2023/data/AzureLLMInferenceTrace_conv.csv)", 0, 0},
    {"instance", 'i', SK_OPT_STR, offsetof(sk_bs_opts, itype), "TYPE", "replica instance type (default a2-highgpu-1g)", 0, 0},
    {"model", 'm', SK_OPT_STR, offsetof(sk_bs_opts, model), "NAME", "served model (default llama-2-7b)", 0, 0},
    {"policy", 'p', SK_OPT_STR, offsetof(sk_bs_opts, policy), "NAME", "serving policy (default on_demand)", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_bs_usage[] =
    "usage: synkti bench serving [options]\n"
    "\n"
    "Time one run of the serving world (scenario.kind: serving) on one thread: the request trace\n"
    "replayed at its native rate and looped for the whole horizon, the replicas on demand (no\n"
    "capacity limit: capacity_model none), continuous batching with iteration times, KV capacity\n"
    "and load time from the replica performance model (models/sk_llmperf), least-load balancing.\n"
    "Prints replicas, hours, wall seconds, events, events/s, peak RSS (MiB), requests, served,\n"
    "failed, TTFT P50/P99 and end-to-end P50/P99 (s).\n"
    "\n"
    "Examples:\n"
    "  synkti bench serving                       # a day of Azure conv on 16 A100 replicas\n"
    "  synkti bench serving -n 4 --hours 1\n"
    "  synkti bench serving -t azure-llm-2023/data/AzureLLMInferenceTrace_code.csv\n";

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

static double sk__metric(const sk_scenario_kind *k, const sk_value *out, const char *name) {
    for (size_t m = 0; m < k->nmetrics; m++)
        if (!strcmp(k->metrics[m].name, name))
            return k->metrics[m].type == SK_TABLE_F64 ? out[m].f : (double)out[m].i;
    return NAN;
}

int sk_bench_serving(int argc, char **argv) {
    sk_bs_opts o = {16, 24, "azure-llm-2023/data/AzureLLMInferenceTrace_conv.csv", "a2-highgpu-1g", "llama-2-7b", "on_demand"};
    int npos = 0, rc = sk_opts_parse("bench serving", sk_bs_usage, sk_bs_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    const sk_scenario_kind *k = sk_scenario_find("serving");
    if (!k) return sk_exit_code(SK_EINTERNAL);
    const sk_policy_def *pol = sk_scenario_policy(k, o.policy);
    if (!pol) {
        fprintf(stderr, "synkti bench serving: unknown serving policy '%s'\n", o.policy);
        return sk_exit_code(SK_EUSAGE);
    }
    sk_value v[128], pv[32], out[64];
    char buf[64], msg[1024] = "";
    memset(v, 0, sizeof v), memset(pv, 0, sizeof pv), memset(out, 0, sizeof out);
    if (k->nparams > 128 || pol->nparams > 32 || k->nmetrics > 64) return sk_exit_code(SK_EINTERNAL);
    for (size_t i = 0; i < k->nparams; i++) sk_param_parse(&k->params[i], k->params[i].def, &v[i], msg, sizeof msg);
    for (size_t i = 0; i < pol->nparams; i++) sk_param_parse(&pol->params[i], pol->params[i].def, &pv[i], msg, sizeof msg);
    rc = 0;
    snprintf(buf, sizeof buf, "%" PRIu64, o.replicas);
    rc |= sk__set(k, v, "n_target", buf);
    snprintf(buf, sizeof buf, "%.17g", o.hours);
    rc |= sk__set(k, v, "horizon_h", buf);
    rc |= sk__set(k, v, "capacity_model", "none");
    rc |= sk__set(k, v, "workload", "trace");
    rc |= sk__set(k, v, "trace", o.trace);
    rc |= sk__set(k, v, "instance_type", o.itype);
    rc |= sk__set(k, v, "model", o.model);
    if (rc) {
        fprintf(stderr, "synkti bench serving: internal parameter error\n");
        return sk_exit_code(SK_EINTERNAL);
    }
    void *shared = k->shared_new ? k->shared_new() : NULL;
    volatile sig_atomic_t stop = 0;
    /* load the data outside the timing: a first run of one minute */
    sk_value hv = {0};
    int hi = sk_param_find(k->params, k->nparams, "horizon_h");
    sk_value keep = v[hi];
    hv.f = 1.0 / 60;
    v[hi] = hv;
    sk_run_ctx ctx = {1, 0, 0, v, pol, pv, &stop, NULL, shared, NULL};
    rc = k->run(&ctx, out, msg, sizeof msg);
    v[hi] = keep;
    double t0 = sk_cli_now(), dt = 0;
    if (rc >= 0) {
        rc = k->run(&ctx, out, msg, sizeof msg);
        dt = sk_cli_now() - t0;
    }
    if (rc < 0) fprintf(stderr, "synkti bench serving: %s\n", msg);
    else {
        double ev = sk__metric(k, out, "events");
        printf("# %s, %s on %s, policy %s, one thread\n", o.trace, o.model, o.itype, pol->name);
        printf("%8s %6s %8s %10s %12s %8s %9s %9s %7s %8s %8s %8s %8s\n", "replicas", "hours", "wall_s", "events",
               "events_per_s", "rss_mib", "requests", "served", "failed", "ttft_p50", "ttft_p99", "e2e_p50", "e2e_p99");
        printf("%8" PRIu64 " %6g %8.3f %10.0f %12.0f %8.1f %9.0f %9.0f %7.0f %8.3f %8.3f %8.3f %8.3f\n", o.replicas, o.hours, dt,
               ev, ev / dt, sk__rss_mib(), sk__metric(k, out, "requests"), sk__metric(k, out, "served"),
               sk__metric(k, out, "failed"), sk__metric(k, out, "ttft_p50"), sk__metric(k, out, "ttft_p99"),
               sk__metric(k, out, "e2e_p50"), sk__metric(k, out, "e2e_p99"));
    }
    if (k->shared_free) k->shared_free(shared);
    for (size_t i = 0; i < k->nparams; i++) sk_value_fini(&v[i]);
    for (size_t i = 0; i < pol->nparams; i++) sk_value_fini(&pv[i]);
    return rc < 0 ? sk_exit_code(rc) : 0;
}
