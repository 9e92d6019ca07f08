/* cmd_bench.c - `synkti bench phold|rng|startup`: engine and generator throughput, start-up cost
 * of the synkti command; the dispatch to the other benchmarks (batch, multi_region, infer). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bench/sk_phold.h"
#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "engine/sk_rng.h"

double sk_cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- bench phold ------------------------------------------------------------------------------ */

typedef struct {
    uint64_t lps, epl, reps;
    double end, mean, la, remote;
    uint64_t seed;
    int threads, quiet;
    const char *rng;
} sk_phold_opts;

static const sk_opt sk_phold_optab[] = {
    {"lps", 'n', SK_OPT_U64, offsetof(sk_phold_opts, lps), "N", "logical processes", 1, 4294967294.0},
    {"events-per-lp", 'e', SK_OPT_U64, offsetof(sk_phold_opts, epl), "E", "initial events per LP (pending = N x E)", 1, 2147483648.0},
    {"end", 't', SK_OPT_DBL, offsetof(sk_phold_opts, end), "T", "end time; events at or after T are not executed", 1e-6, 9e12},
    {"mean", 'm', SK_OPT_DBL, offsetof(sk_phold_opts, mean), "M", "mean timestamp increment", 1e-6, 1e9},
    {"lookahead", 'l', SK_OPT_DBL, offsetof(sk_phold_opts, la), "L", "minimum increment (increment = L + Exp(M - L))", 0, 1e9},
    {"remote", 'p', SK_OPT_DBL, offsetof(sk_phold_opts, remote), "P", "fraction of new events sent to a uniformly chosen LP", 0, 1},
    {"seed", 's', SK_OPT_U64, offsetof(sk_phold_opts, seed), "S", "master seed", 0, 18446744073709551615.0},
    {"replications", 'r', SK_OPT_U64, offsetof(sk_phold_opts, reps), "R", "independent engines (replication r uses stream (S, r, 0))", 1, 1e6},
    {"threads", 'j', SK_OPT_INT, offsetof(sk_phold_opts, threads), "T", "OpenMP threads running replications", 1, 4096},
    {"rng", 0, SK_OPT_STR, offsetof(sk_phold_opts, rng), "NAME", "generator (synkti bench rng --list)", 0, 0},
    {"quiet", 'q', SK_OPT_FLAG, offsetof(sk_phold_opts, quiet), NULL, "print only the summary line", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_phold_usage[] =
    "usage: synkti bench phold [options]\n"
    "\n"
    "Classic PHOLD on the Synkti engine: N LPs x E initial events; each executed event schedules one\n"
    "new event at t + L + Exp(M - L), for a uniformly chosen LP with probability P, else for itself.\n"
    "Prints one line per replication and a summary line (key=value, on stdout): events, seconds,\n"
    "events/s (median over replications, and aggregate = all events / wall time) and a checksum of\n"
    "the event stream that is identical for any --threads.\n"
    "\n"
    "Examples:\n"
    "  synkti bench phold                               # 16,384 pending, ~16.4 M events\n"
    "  synkti bench phold -n 1000 -e 1 -t 10000         # 1,000 pending\n"
    "  synkti bench phold -r 4 -j 2                     # 4 engines on 2 threads\n"
    "  synkti bench phold --rng mt19937                 # any GSL generator\n";

int sk_cli_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int sk_bench_phold(int argc, char **argv) {
    sk_phold_params p;
    sk_phold_defaults(&p);
    sk_phold_opts o = {p.lps, p.events_per_lp, 1, p.end, p.mean, p.lookahead, p.remote, p.seed, 1, 0,
                       SK_RNG_DEFAULT_NAME};
    int npos = 0, rc = sk_opts_parse("bench phold", sk_phold_usage, sk_phold_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos) {
        fprintf(stderr, "synkti bench phold: unexpected argument '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    p.lps = o.lps;
    p.events_per_lp = o.epl;
    p.end = o.end;
    p.mean = o.mean;
    p.lookahead = o.la;
    p.remote = o.remote;
    p.seed = o.seed;
    p.rng = sk_rng_type_find(o.rng);
    if (!p.rng) {
        fprintf(stderr, "synkti bench phold: --rng: unknown generator '%s'; known: ", o.rng);
        sk_rng_print_types(stderr);
        return sk_exit_code(SK_EUSAGE);
    }
    char msg[128];
    if ((rc = sk_phold_check(&p, msg, sizeof msg)) < 0) {
        fprintf(stderr, "synkti bench phold: %s\n", msg);
        return sk_exit_code(rc);
    }
    sk_phold_result *res = calloc(o.reps, sizeof *res);
    double *rate = calloc(o.reps, sizeof *rate);
    if (!res || !rate) {
        free(res);
        free(rate);
        fprintf(stderr, "synkti bench phold: out of memory\n");
        return sk_exit_code(SK_ENOMEM);
    }
    double wall = 0;
    rc = sk_phold_run_many(&p, o.reps, o.threads, res, &wall);
    if (rc < 0) {
        fprintf(stderr, "synkti bench phold: %s\n", sk_strerror(rc));
        free(res);
        free(rate);
        return sk_exit_code(rc);
    }
    uint64_t total = 0;
    for (uint64_t r = 0; r < o.reps; r++) {
        total += res[r].events;
        rate[r] = (double)res[r].events / res[r].run_secs;
        if (!o.quiet)
            printf("replication=%" PRIu64 " events=%" PRIu64 " init_s=%.4f run_s=%.4f ev_per_s=%.0f "
                   "last_t=%" PRId64 " checksum=%016" PRIx64 "\n",
                   r, res[r].events, res[r].init_secs, res[r].run_secs, rate[r], res[r].last_t, res[r].checksum);
    }
    qsort(rate, o.reps, sizeof *rate, sk_cli_cmp_double);
    double median = o.reps % 2 ? rate[o.reps / 2] : 0.5 * (rate[o.reps / 2 - 1] + rate[o.reps / 2]);
    printf("phold lps=%" PRIu64 " events_per_lp=%" PRIu64 " pending=%" PRIu64 " end=%g mean=%g lookahead=%g "
           "remote=%g seed=%" PRIu64 " rng=%s replications=%" PRIu64 " threads=%d events=%" PRIu64
           " wall_s=%.4f median_ev_per_s=%.0f aggregate_ev_per_s=%.0f checksum=%016" PRIx64 "\n",
           p.lps, p.events_per_lp, p.lps * p.events_per_lp, p.end, p.mean, p.lookahead, p.remote, p.seed,
           p.rng->name, o.reps, o.threads, total, wall, median, (double)total / wall,
           sk_phold_combine(res, o.reps));
    free(res);
    free(rate);
    return 0;
}

/* ---- bench rng -------------------------------------------------------------------------------- */

typedef struct {
    uint64_t draws;
    const char *rng;
    int list;
} sk_rngb_opts;

static const sk_opt sk_rngb_optab[] = {
    {"draws", 'd', SK_OPT_U64, offsetof(sk_rngb_opts, draws), "N", "draws per measurement", 1000, 1e12},
    {"rng", 0, SK_OPT_STR, offsetof(sk_rngb_opts, rng), "NAME", "one generator (default: a representative set)", 0, 0},
    {"list", 0, SK_OPT_FLAG, offsetof(sk_rngb_opts, list), NULL, "list the generator names and exit", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_rngb_usage[] =
    "usage: synkti bench rng [--rng NAME] [--draws N] [--list]\n"
    "\n"
    "Cost of each generator, in ns, for: one gsl_rng_uniform() through GSL's function pointers;\n"
    "one PHOLD event's draws through the Synkti layer (u, then a destination LP 90% of the time,\n"
    "then an exponential: 2.9 draws); gsl_ran_exponential(); gsl_ran_gaussian_ziggurat().\n";

static const char *const sk_rngb_default_set[] = {"xoshiro256++", "xoshiro256+", "mt19937", "taus2",
                                                  "gfsr4", "ranlxs0", "ranlxd1", "mrg", "cmrg", NULL};

static volatile double sk_rngb_sink;

static void sk_rngb_one(const gsl_rng_type *T, uint64_t n) {
    sk_rng r;
    if (sk_rng_init(&r, T, 1, 0, 0) < 0) return;
    double acc = 0, t0, t1, t2, t3, t4;
    uint64_t iacc = 0;
    t0 = sk_cli_now();
    for (uint64_t i = 0; i < n; i++) acc += gsl_rng_uniform(r.g);
    t1 = sk_cli_now();
    for (uint64_t i = 0; i < n; i++) {
        if (sk_rng_uniform(&r) <= 0.9) iacc += sk_rng_uniform_int(&r, 1024);
        acc += sk_rng_exponential(&r, 0.9);
    }
    t2 = sk_cli_now();
    for (uint64_t i = 0; i < n; i++) acc += gsl_ran_exponential(r.g, 0.9);
    t3 = sk_cli_now();
    for (uint64_t i = 0; i < n; i++) acc += gsl_ran_gaussian_ziggurat(r.g, 1.0);
    t4 = sk_cli_now();
    sk_rngb_sink = acc + (double)iacc;
    printf("%-14s %10.2f %12.2f %12.2f %12.2f\n", T->name, 1e9 * (t1 - t0) / (double)n, 1e9 * (t2 - t1) / (double)n,
           1e9 * (t3 - t2) / (double)n, 1e9 * (t4 - t3) / (double)n);
    sk_rng_fini(&r);
}

static int sk_bench_rng(int argc, char **argv) {
    sk_rngb_opts o = {20000000, NULL, 0};
    int npos = 0, rc = sk_opts_parse("bench rng", sk_rngb_usage, sk_rngb_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (o.list) {
        sk_rng_print_types(stdout);
        return 0;
    }
    const gsl_rng_type *one = NULL;
    if (o.rng && !(one = sk_rng_type_find(o.rng))) {
        fprintf(stderr, "synkti bench rng: --rng: unknown generator '%s' (see --list)\n", o.rng);
        return sk_exit_code(SK_EUSAGE);
    }
    printf("%-14s %10s %12s %12s %12s\n", "generator", "uniform_ns", "phold_ev_ns", "exp_ns", "gauss_zig_ns");
    if (one) sk_rngb_one(one, o.draws);
    else
        for (const char *const *nm = sk_rngb_default_set; *nm; nm++) sk_rngb_one(sk_rng_type_find(*nm), o.draws);
    return 0;
}

/* ---- bench startup ---------------------------------------------------------------------------- */

extern char **environ;

typedef struct {
    int runs;
} sk_startup_opts;

static const sk_opt sk_startup_optab[] = {
    {"runs", 'n', SK_OPT_INT, offsetof(sk_startup_opts, runs), "N", "timed runs (after one untimed warm-up)", 1, 100000},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_startup_usage[] =
    "usage: synkti bench startup [--runs N] [-- COMMAND [ARGS...]]\n"
    "\n"
    "Start-up cost of the synkti command itself: runs this executable N times (after one untimed\n"
    "warm-up) with COMMAND (default: version), its stdout to /dev/null, and prints one key=value line:\n"
    "wall time per run from spawn to exit (min, median, max, in ms), the largest peak resident memory\n"
    "of the runs, and how many exited non-zero. Goal for 'version': under 10 ms and 20 MB (no CUDA\n"
    "library is loaded unless a command uses CUDA; docs/benchmarks.md).\n"
    "\n"
    "Examples:\n"
    "  synkti bench startup\n"
    "  synkti bench startup -n 200 -- help\n"
    "  synkti bench startup -- version --devices     # loads the CUDA module\n";

static int sk_bench_startup(int argc, char **argv) {
    sk_startup_opts o = {50};
    int npos = 0, rc = sk_opts_parse("bench startup", sk_startup_usage, sk_startup_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    static char self[] = "synkti", dflt[] = "version";
    int nargs = npos ? npos : 1;
    char **args = calloc((size_t)nargs + 2, sizeof *args);
    double *t = calloc((size_t)o.runs, sizeof *t);
    char cmd[512] = "";
    posix_spawn_file_actions_t fa;
    if (!args || !t || posix_spawn_file_actions_init(&fa) != 0) {
        free(args);
        free(t);
        fprintf(stderr, "synkti bench startup: out of memory\n");
        return sk_exit_code(SK_ENOMEM);
    }
    args[0] = self;
    for (int i = 0; i < nargs; i++) {
        args[i + 1] = npos ? argv[i] : dflt;
        size_t used = strlen(cmd);
        snprintf(cmd + used, sizeof cmd - used, "%s%s", i ? " " : "", args[i + 1]);
    }
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int nonzero = 0;
    rc = 0;
    for (int r = -1; r < o.runs && rc == 0; r++) { /* r = -1: warm-up */
        pid_t pid;
        int st = 0;
        double a = sk_cli_now();
        int e = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ);
        if (e != 0) {
            fprintf(stderr, "synkti bench startup: cannot start /proc/self/exe: %s\n", strerror(e));
            rc = SK_EINTERNAL;
            break;
        }
        while (waitpid(pid, &st, 0) < 0)
            if (errno != EINTR) {
                fprintf(stderr, "synkti bench startup: waitpid: %s\n", strerror(errno));
                rc = SK_EINTERNAL;
                break;
            }
        if (r >= 0) t[r] = sk_cli_now() - a;
        if (r >= 0) nonzero += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) {
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru); /* ru_maxrss: the largest of the waited-for children, KiB */
        qsort(t, (size_t)o.runs, sizeof *t, sk_cli_cmp_double);
        double med = o.runs % 2 ? t[o.runs / 2] : 0.5 * (t[o.runs / 2 - 1] + t[o.runs / 2]);
        printf("bench startup command=\"%s\" runs=%d wall_ms_min=%.2f wall_ms_p50=%.2f wall_ms_max=%.2f "
               "peak_rss_mib=%.1f nonzero_exits=%d\n",
               cmd, o.runs, 1e3 * t[0], 1e3 * med, 1e3 * t[o.runs - 1], (double)ru.ru_maxrss / 1024.0, nonzero);
    }
    free(args);
    free(t);
    return sk_exit_code(rc);
}

/* ---- dispatch --------------------------------------------------------------------------------- */

static const char sk_bench_usage[] =
    "usage: synkti bench <benchmark> [options]\n"
    "\n"
    "Benchmarks:\n"
    "  phold   PHOLD event throughput of the engine (events/s, checksum)\n"
    "  rng     cost of each random number generator\n"
    "  batch   time per (window, policy) of the Can't Be Late batch world\n"
    "  multi_region  time per run of the multi-region world (SkyNomad artifact setting)\n"
    "  fleet   a synthetic fleet (100,000 GPUs, 50 zones, 1,000,000 jobs in a day): time, events/s, memory\n"
    "  serving a day of the Azure LLM conv trace on 16 replicas (serving world): time, events/s, latencies\n"
    "  spothedge  time per (trace, policy) run of the SpotHedge artifact simulator with its latency model\n"
    "  infer   tokens/s of the transformer inference engine (synthetic weights)\n"
    "  startup wall time and memory of starting synkti (default: 'synkti version')\n"
    "\n"
    "Run 'synkti bench <benchmark> --help' for its options.\n";

int sk_cmd_bench(int argc, char **argv) {
    if (argc < 1) {
        fputs(sk_bench_usage, stderr);
        return sk_exit_code(SK_EUSAGE);
    }
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        fputs(sk_bench_usage, stdout);
        return 0;
    }
    if (!strcmp(argv[0], "phold")) return sk_bench_phold(argc - 1, argv + 1);
    if (!strcmp(argv[0], "rng")) return sk_bench_rng(argc - 1, argv + 1);
    if (!strcmp(argv[0], "batch")) return sk_bench_batch(argc - 1, argv + 1);
    if (!strcmp(argv[0], "multi_region")) return sk_bench_mr(argc - 1, argv + 1);
    if (!strcmp(argv[0], "fleet")) return sk_bench_fleet(argc - 1, argv + 1);
    if (!strcmp(argv[0], "serving")) return sk_bench_serving(argc - 1, argv + 1);
    if (!strcmp(argv[0], "spothedge")) return sk_bench_shart(argc - 1, argv + 1);
    if (!strcmp(argv[0], "infer")) return sk_bench_infer(argc - 1, argv + 1);
    if (!strcmp(argv[0], "startup")) return sk_bench_startup(argc - 1, argv + 1);
    fprintf(stderr, "synkti bench: unknown benchmark '%s'\n\n%s", argv[0], sk_bench_usage);
    return sk_exit_code(SK_EUSAGE);
}
