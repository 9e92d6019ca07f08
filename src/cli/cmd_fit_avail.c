/* cmd_fit_avail.c - `synkti fit availability TRACE...`: the maximum-likelihood Markov chain over
 * the capacity levels of availability traces (models/sk_avail.h), with 95% intervals, sojourns,
 * the stationary distribution, and a YAML snippet to paste into an experiment. Reads any trace
 * sk_count_trace_load reads (spot JSON in both conventions, bamboo event logs and GCP counts). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "io/sk_trace.h"
#include "models/sk_avail.h"
#include "sk_error.h"

typedef struct {
    int two_state, force;
    const char *convention, *format;
    double gap;
} sk_fa_opts;

static const sk_opt sk_fa_optab[] = {
    {"two-state", '2', SK_OPT_FLAG, offsetof(sk_fa_opts, two_state), NULL, "fit up/down (up = count >= 1) instead of one level per count", 0, 0},
    {"convention", 'c', SK_OPT_STR, offsetof(sk_fa_opts, convention), "CONV", "auto, available or preempted (JSON traces)", 0, 0},
    {"force", 0, SK_OPT_FLAG, offsetof(sk_fa_opts, force), NULL, "take --convention even where the file's folder says otherwise", 0, 0},
    {"gap", 'g', SK_OPT_DBL, offsetof(sk_fa_opts, gap), "SEC", "tick for bamboo event logs and GCP count files", 1e-3, 1e7},
    {"format", 'f', SK_OPT_STR, offsetof(sk_fa_opts, format), "FMT", "table or json", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_fa_usage[] =
    "usage: synkti fit availability [--two-state] [--convention auto|available|preempted] [--force]\n"
    "                               [--gap SEC] [--format table|json] TRACE...\n"
    "\n"
    "Fit a continuous-time Markov chain over the capacity levels of one or more availability traces\n"
    "(one level per distinct instance count, or up/down with --two-state) by maximum likelihood:\n"
    "each tick counts as its gap spent in its level and each change between consecutive ticks as\n"
    "one transition, so rate(l->m) = transitions(l->m) / hours in l, with the exact 95% Poisson\n"
    "interval. Prints the levels, the rate matrix with intervals, the mean sojourn per level, the\n"
    "stationary distribution, transitions and hours observed, the log-likelihood, and a YAML\n"
    "snippet (levels, rates_per_h) to paste as an experiment's Markov availability parameters.\n"
    "\n"
    "Traces: spot JSON (.json; tick = its gap_seconds; conventions as in docs/fleet_availability.md:\n"
    "converted_* folders hold 1 = preempted, spot-availability/ and spothedge/ hold instance\n"
    "counts), bamboo node event logs (.csv: time_ms,add|remove,node) and bamboo GCP counts (.txt:\n"
    "YYYY-MM-DD, HH:MM:SS, N), both sampled every --gap seconds. A name that is not a file here is\n"
    "looked up on the trace search path ($SYNKTI_TRACES, ../shared/traces, traces/data).\n"
    "A --convention that contradicts the file's folder is an error unless --force is given; the\n"
    "preempted convention on a file holding counts (> 1) is always an error.\n"
    "\n"
    "Exit codes: 0 ok; 64 bad command line; 65 bad trace data; 66 a trace is missing; 78 the\n"
    "convention contradicts the file.\n"
    "\n"
    "Examples:\n"
    "  synkti fit availability --two-state gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/us-west1-a_h100_16/full.json\n"
    "  synkti fit availability spot-availability/availability/16-node/aws-08-27-2023/us-west-2a_v100_1.json\n"
    "  synkti fit availability --gap 60 bamboo-spot-traces/traces/p3-trace.csv --format json\n";

static void sk_fa_num(FILE *f, double x) {
    if (isinf(x)) fputs("inf", f);
    else fprintf(f, "%.4g", x);
}

static void sk_fa_table(FILE *f, const sk_markov_fit *fit, const double *pi, sk_count_trace *tr, int ntr) {
    int k = fit->nlev;
    double hours = 0;
    int64_t ntrans = 0;
    for (int l = 0; l < k; l++) hours += fit->time_h[l];
    for (int i = 0; i < k * k; i++) ntrans += fit->ntrans[i];
    for (int j = 0; j < ntr; j++)
        fprintf(f, "trace %s: %lld ticks of %g s, %d node%s\n", tr[j].name, (long long)tr[j].n, tr[j].gap, tr[j].nodes,
                tr[j].nodes == 1 ? "" : "s");
    fprintf(f, "observed: %lld transitions in %.2f h (%lld ticks)\n", (long long)ntrans, hours, (long long)fit->ticks);
    fprintf(f, "\n%6s %10s %9s %11s %12s\n", "level", "count", "hours", "sojourn_h", "stationary");
    for (int l = 0; l < k; l++) {
        double q = 0;
        for (int m = 0; m < k; m++) q += fit->rate[l * k + m];
        fprintf(f, "%6d %10d %9.2f ", l, fit->level[l], fit->time_h[l]);
        fprintf(f, "%11.4g %12.4g\n", q > 0 ? 1 / q : INFINITY, pi[l]);
    }
    fprintf(f, "\nrates per hour, from -> to: MLE [95%% interval] (transitions)\n");
    for (int l = 0; l < k; l++)
        for (int m = 0; m < k; m++) {
            int i = l * k + m;
            if (l == m || (fit->ntrans[i] == 0 && k > 2)) continue;
            fprintf(f, "  %d -> %d: ", fit->level[l], fit->level[m]);
            sk_fa_num(f, fit->rate[i]);
            fputs(" [", f);
            sk_fa_num(f, fit->lo[i]);
            fputs(", ", f);
            sk_fa_num(f, fit->hi[i]);
            fprintf(f, "] (%lld)\n", (long long)fit->ntrans[i]);
        }
    if (k > 2) fputs("  (pairs never observed are left out: rate 0, upper bound 3.689 / hours in the source level)\n", f);
    fprintf(f, "log-likelihood: %.6g\n", fit->loglik);
    fputs("\n# Markov availability parameters (levels: instance counts; scale to the pool)\n"
          "availability:\n  model: markov\n  levels: [",
          f);
    for (int l = 0; l < k; l++) fprintf(f, "%s%d", l ? ", " : "", fit->level[l]);
    fputs("]\n  rates_per_h: [", f);
    for (int l = 0; l < k; l++) {
        fputs(l ? ",\n                [" : "[", f);
        for (int m = 0; m < k; m++) fprintf(f, "%s%.6g", m ? ", " : "", fit->rate[l * k + m]);
        fputs("]", f);
    }
    fputs("]\n", f);
}

static int sk_fa_json(FILE *f, const sk_markov_fit *fit, const double *pi, sk_count_trace *tr, int ntr) {
    int k = fit->nlev;
    cJSON *o = cJSON_CreateObject(), *a;
    if (!o) return SK_ENOMEM;
    cJSON_AddItemToObject(o, "traces", a = cJSON_CreateArray());
    for (int j = 0; j < ntr; j++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", tr[j].name);
        cJSON_AddNumberToObject(t, "ticks", (double)tr[j].n);
        cJSON_AddNumberToObject(t, "gap_seconds", tr[j].gap);
        cJSON_AddNumberToObject(t, "nodes", tr[j].nodes);
        cJSON_AddItemToArray(a, t);
    }
    int64_t ntrans = 0;
    for (int i = 0; i < k * k; i++) ntrans += fit->ntrans[i];
    cJSON_AddNumberToObject(o, "ticks", (double)fit->ticks);
    cJSON_AddNumberToObject(o, "transitions", (double)ntrans);
    int lev[SK_MARKOV_MAXLEV];
    for (int l = 0; l < k; l++) lev[l] = fit->level[l];
    cJSON_AddItemToObject(o, "levels", cJSON_CreateIntArray(lev, k));
    cJSON_AddItemToObject(o, "hours", cJSON_CreateDoubleArray(fit->time_h, k));
    cJSON_AddItemToObject(o, "stationary", cJSON_CreateDoubleArray(pi, k));
    const double *mats[3] = {fit->rate, fit->lo, fit->hi};
    const char *names[3] = {"rates_per_h", "lo_per_h", "hi_per_h"};
    for (int w = 0; w < 3; w++) {
        cJSON *rows = cJSON_CreateArray();
        for (int l = 0; l < k; l++) cJSON_AddItemToArray(rows, cJSON_CreateDoubleArray(mats[w] + l * k, k));
        cJSON_AddItemToObject(o, names[w], rows);
    }
    cJSON *rows = cJSON_CreateArray(), *soj = cJSON_CreateArray();
    for (int l = 0; l < k; l++) {
        cJSON *row = cJSON_CreateArray();
        double q = 0;
        for (int m = 0; m < k; m++) {
            cJSON_AddItemToArray(row, cJSON_CreateNumber((double)fit->ntrans[l * k + m]));
            q += fit->rate[l * k + m];
        }
        cJSON_AddItemToArray(rows, row);
        cJSON_AddItemToArray(soj, q > 0 ? cJSON_CreateNumber(1 / q) : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(o, "transition_counts", rows);
    cJSON_AddItemToObject(o, "sojourn_h", soj);
    cJSON_AddNumberToObject(o, "loglik", fit->loglik);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return SK_ENOMEM;
    fprintf(f, "%s\n", s);
    free(s);
    return 0;
}

int sk_cmd_fit_availability(int argc, char **argv) {
    sk_fa_opts o = {0, 0, "auto", "table", 60};
    int npos = 0, rc = sk_opts_parse("fit availability", sk_fa_usage, sk_fa_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    int conv;
    if (!strcmp(o.convention, "auto")) conv = SK_SPOT_AUTO;
    else if (!strcmp(o.convention, "available")) conv = SK_SPOT_AVAILABLE;
    else if (!strcmp(o.convention, "preempted")) conv = SK_SPOT_PREEMPTED;
    else {
        fprintf(stderr, "synkti fit availability: --convention: expected auto, available or preempted, got '%s'\n", o.convention);
        return sk_exit_code(SK_EUSAGE);
    }
    if (o.force) conv |= SK_AVAIL_CONV_FORCE;
    int json = !strcmp(o.format, "json");
    if (!json && strcmp(o.format, "table")) {
        fprintf(stderr, "synkti fit availability: --format: expected table or json, got '%s'\n", o.format);
        return sk_exit_code(SK_EUSAGE);
    }
    if (npos < 1) {
        fprintf(stderr, "synkti fit availability: expected at least one TRACE\n");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_count_trace *tr = calloc((size_t)npos, sizeof *tr);
    const sk_count_trace **tp = calloc((size_t)npos, sizeof *tp);
    sk_markov_fit *fit = malloc(sizeof *fit);
    double pi[SK_MARKOV_MAXLEV];
    char err[1024], path[4096];
    if (!tr || !tp || !fit) {
        rc = SK_ENOMEM;
        fprintf(stderr, "synkti fit availability: out of memory\n");
        goto done;
    }
    for (int j = 0; j < npos; j++) {
        const char *p = argv[j]; /* as given, else on the trace search path */
        if (sk_trace_find(p, NULL, path, sizeof path) == 0) p = path;
        if ((rc = sk_count_trace_load(&tr[j], p, conv, o.gap, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti fit availability: %s\n", err);
            goto done;
        }
        tp[j] = &tr[j];
    }
    if ((rc = sk_markov_fit_traces(tp, npos, o.two_state, fit, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti fit availability: %s\n", err);
        goto done;
    }
    if ((rc = sk_avail_stationary(fit->nlev, fit->rate, pi)) < 0) {
        fprintf(stderr, "synkti fit availability: stationary distribution: %s\n", sk_strerror(rc));
        goto done;
    }
    if (json) rc = sk_fa_json(stdout, fit, pi, tr, npos);
    else sk_fa_table(stdout, fit, pi, tr, npos);
    if (rc < 0) fprintf(stderr, "synkti fit availability: %s\n", sk_strerror(rc));
    else if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "synkti fit availability: cannot write the output\n");
        rc = SK_EIO;
    }
done:
    if (tr)
        for (int j = 0; j < npos; j++) sk_count_trace_fini(&tr[j]);
    free(tr);
    free(tp);
    free(fit);
    return sk_exit_code(rc);
}
