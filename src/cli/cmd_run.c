/* cmd_run.c - `synkti run | validate | plan FILE`: experiment files in, results files out. */
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "engine/sk_rng.h"
#include "io/sk_exp.h"
#include "sim/sk_kinds.h"
#include "sim/sk_runner.h"

/* Pull every "--set K=V", "--set=K=V" and "-S K=V" out of argv (kept in order). Returns the new
 * argc, or SK_EUSAGE after a message if --set has no value. */
static int sk__take_sets(const char *cmd, int argc, char **argv, const char **sets, size_t *nsets) {
    int w = 0;
    *nsets = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            while (i < argc) argv[w++] = argv[i++];
            break;
        }
        if (!strcmp(argv[i], "--set") || !strcmp(argv[i], "-S")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "synkti %s: --set: expected KEY.PATH=VALUE\n", cmd);
                return SK_EUSAGE;
            }
            sets[(*nsets)++] = argv[++i];
        } else if (!strncmp(argv[i], "--set=", 6)) {
            sets[(*nsets)++] = argv[i] + 6;
        } else {
            argv[w++] = argv[i];
        }
    }
    return w;
}

static const char sk_set_help[] =
    "  -S, --set KEY.PATH=VALUE     override a key of the file (repeatable): name, seed, replications,\n"
    "                               output, series, scenario.kind, scenario.PARAM, policies (a,b,...),\n"
    "                               policies.NAME.PARAM, sweep.KEY (v1,v2,... or FROM..TO[:STEP];\n"
    "                               empty removes the axis)\n";

static const char sk_exit_help[] =
    "\n"
    "Exit codes: 0 ok; 64 bad command line; 65 the file is not valid UTF-8 YAML; 66 the file, or a\n"
    "data file it names, is missing; 78 the file breaks the schema or a rule (the message gives\n"
    "FILE:LINE:COL: KEY.PATH: what was expected); 73/74 the results file can't be written; 75\n"
    "interrupted (completed runs kept, continue with --resume); 70 a run failed.\n";

/* validate and plan write nothing and run nothing: only the loader's codes apply */
static const char sk_check_exit_help[] =
    "\n"
    "Exit codes: 0 ok; 64 bad command line; 65 the file is not valid UTF-8 YAML; 66 the file, or a\n"
    "data file it names, is missing; 78 the file breaks the schema or a rule (the message gives\n"
    "FILE:LINE:COL: KEY.PATH: what was expected).\n";

/* Load FILE with the sets; print the error, or the loader's warnings (degenerate sweep points,
 * e.g. a deadline shorter than the work), on stderr. Returns 0 or the SK_E* code. */
static int sk__load(const char *cmd, sk_exp *e, const char *file, const char **sets, size_t nsets) {
    char err[2048];
    int rc = sk_exp_load(e, file, sets, nsets, err, sizeof err);
    if (rc < 0) fprintf(stderr, "synkti %s: %s\n", cmd, err);
    for (const char *w = rc == 0 ? e->warnings : NULL; w && *w;) {
        const char *nl = strchr(w, '\n');
        int n = nl ? (int)(nl - w) : (int)strlen(w);
        fprintf(stderr, "synkti %s: warning: %.*s\n", cmd, n, w);
        w += n + (nl != NULL);
    }
    return rc;
}

/* ---- validate -------------------------------------------------------------------------------- */

typedef struct {
    int print;
} sk_validate_opts;

static const sk_opt sk_validate_optab[] = {
    {"print", 'p', SK_OPT_FLAG, offsetof(sk_validate_opts, print), NULL, "print the resolved experiment (YAML) on stdout", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_validate_usage[] =
    "usage: synkti validate FILE [--set KEY=VALUE ...] [--print]\n"
    "\n"
    "Check an experiment file without running it: YAML syntax and encoding, the schema of its\n"
    "scenario kind and policies, ranges, sweep axes, data files and cross-parameter rules. Prints\n"
    "one line (runs, output, config sha256), or the resolved experiment with --print.\n";

int sk_cmd_validate(int argc, char **argv) {
    const char *sets[argc + 1];
    size_t nsets;
    if ((argc = sk__take_sets("validate", argc, argv, sets, &nsets)) < 0) return sk_exit_code(argc);
    sk_validate_opts o = {0};
    int npos = 0, rc = sk_opts_parse("validate", sk_validate_usage, sk_validate_optab, &o, argc, argv, &npos);
    if (rc) {
        if (rc > 0) fputs(sk_set_help, stdout), fputs(sk_check_exit_help, stdout);
        return rc > 0 ? 0 : sk_exit_code(rc);
    }
    if (npos != 1) {
        fprintf(stderr, "synkti validate: expected one experiment file (see synkti validate --help)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_exp e;
    if ((rc = sk__load("validate", &e, argv[0], sets, nsets)) < 0) return sk_exit_code(rc);
    if (o.print) fputs(e.resolved, stdout);
    else
        printf("%s: ok: %s, %" PRIu64 " runs (%" PRIu64 " points x %zu policies x %lld replications), output %s, config sha256 %s\n",
               argv[0], e.name, e.nruns, e.npoints, e.npol ? e.npol : 1, (long long)e.replications, e.output, e.sha256);
    sk_exp_fini(&e);
    return 0;
}

/* ---- plan ------------------------------------------------------------------------------------ */

typedef struct {
    const char *shard;
} sk_plan_opts;

static const sk_opt sk_plan_optab[] = {
    {"shard", 0, SK_OPT_STR, offsetof(sk_plan_opts, shard), "K/N", "list only the runs of shard K of N", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_plan_usage[] =
    "usage: synkti plan FILE [--set KEY=VALUE ...] [--shard K/N]\n"
    "\n"
    "List the numbered runs of an experiment, tab-separated with a header: run index, sweep point,\n"
    "policy, replication, world index, the seeds of stream 0 of the world (master, world index) and\n"
    "of the policy (master, run), then each swept parameter's value. Runs are numbered sweep point\n"
    "first (the first axis varies slowest), then policy, then replication.\n";

static int sk__parse_shard(const char *cmd, const char *s, uint64_t *k, uint64_t *n) {
    *k = 0;
    *n = 1;
    if (!s) return 0;
    char *end;
    unsigned long long a = strtoull(s, &end, 10);
    if (end == s || *end != '/') goto bad;
    const char *b = end + 1;
    unsigned long long c = strtoull(b, &end, 10);
    if (end == b || *end || c < 1 || a >= c || s[0] == '-' || b[0] == '-') goto bad;
    *k = a;
    *n = c;
    return 0;
bad:
    fprintf(stderr, "synkti %s: --shard: expected K/N with 0 <= K < N, got '%s'\n", cmd, s);
    return SK_EUSAGE;
}

int sk_cmd_plan(int argc, char **argv) {
    const char *sets[argc + 1];
    size_t nsets;
    if ((argc = sk__take_sets("plan", argc, argv, sets, &nsets)) < 0) return sk_exit_code(argc);
    sk_plan_opts o = {0};
    int npos = 0, rc = sk_opts_parse("plan", sk_plan_usage, sk_plan_optab, &o, argc, argv, &npos);
    if (rc) {
        if (rc > 0) fputs(sk_set_help, stdout), fputs(sk_check_exit_help, stdout);
        return rc > 0 ? 0 : sk_exit_code(rc);
    }
    uint64_t k, n;
    if ((rc = sk__parse_shard("plan", o.shard, &k, &n)) < 0) return sk_exit_code(rc);
    if (npos != 1) {
        fprintf(stderr, "synkti plan: expected one experiment file (see synkti plan --help)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_exp e;
    if ((rc = sk__load("plan", &e, argv[0], sets, nsets)) < 0) return sk_exit_code(rc);
    sk_run_scratch sc;
    if ((rc = sk_run_scratch_init(&sc, &e)) < 0) {
        sk_exp_fini(&e);
        return sk_exit_code(rc);
    }
    printf("# %s: %" PRIu64 " runs = %" PRIu64 " points x %zu policies x %lld replications; master seed %" PRIu64
           "; config sha256 %s\n",
           e.name, e.nruns, e.npoints, e.npol ? e.npol : 1, (long long)e.replications, e.seed, e.sha256);
    printf("run\tpoint\tpolicy\treplication\tworld_index\tworld_seed\tpolicy_seed");
    for (size_t a = 0; a < e.naxes; a++) printf("\t%s", e.axes[a].key);
    putchar('\n');
    for (uint64_t pos = 0, nshard = sk_plan_shard_size(e.nruns, k, n); pos < nshard; pos++) {
        sk_run_spec s;
        sk_exp_run_at(&e, sk_plan_shard_run(k, n, pos), &sc, &s);
        printf("%" PRIu64 "\t%" PRIu64 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t0x%016" PRIx64 "\t0x%016" PRIx64, s.index, s.point,
               e.npol ? e.pol[s.policy].def->name : "-", s.replication, s.world_index,
               sk_rng_seed(e.seed, s.world_index, 0), sk_rng_seed(e.seed, s.index, SK_STREAM_POLICY));
        for (size_t a = 0; a < e.naxes; a++) {
            putchar('\t');
            const sk_axis *ax = &e.axes[a];
            const sk_value *v = ax->pol ? (s.pparams && e.pol[s.policy].def == ax->pol ? &s.pparams[ax->pidx] : NULL)
                                        : &s.sparams[ax->pidx];
            if (v) sk_value_print(stdout, v, ax->def->type);
            else putchar('-');
        }
        putchar('\n');
        if (ferror(stdout)) break;
    }
    sk_run_scratch_fini(&sc);
    sk_exp_fini(&e);
    return 0;
}

/* ---- run ------------------------------------------------------------------------------------- */

static volatile sig_atomic_t sk_stop_flag;

static void sk__on_signal(int sig) {
    (void)sig;
    sk_stop_flag = 1;
}

typedef struct {
    int threads, resume, quiet;
    const char *shard, *output, *by;
    double checkpoint;
} sk_run_opts;

static const sk_opt sk_run_optab[] = {
    {"threads", 'j', SK_OPT_INT, offsetof(sk_run_opts, threads), "N", "OpenMP threads, one run each (0: all cores; under MPI, per rank: see docs/hpc.md)", 0, 4096},
    {"shard", 0, SK_OPT_STR, offsetof(sk_run_opts, shard), "K/N", "run only the runs i with i mod N = K (Slurm arrays)", 0, 0},
    {"output", 'o', SK_OPT_STR, offsetof(sk_run_opts, output), "FILE", "results file, used as given (default: the file's output, with .shard-K-of-N added under --shard)", 0, 0},
    {"resume", 0, SK_OPT_FLAG, offsetof(sk_run_opts, resume), NULL, "keep the runs already in the output file and run the rest", 0, 0},
    {"checkpoint", 0, SK_OPT_DBL, offsetof(sk_run_opts, checkpoint), "SECS", "commit the results file (runs so far, in run order) at most this often (0: only at the end)", 0, 1e9},
    {"quiet", 'q', SK_OPT_FLAG, offsetof(sk_run_opts, quiet), NULL, "no progress on stderr", 0, 0},
    {"by", 0, SK_OPT_STR, offsetof(sk_run_opts, by), "KEYS", "summary table: group by these sweep axes and/or 'policy' (default: all)", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_run_usage[] =
    "usage: synkti run FILE [options] [--set KEY=VALUE ...]\n"
    "\n"
    "Run every planned run of an experiment (see synkti plan) on OpenMP threads and write one HDF5\n"
    "results file: /summary has one row per run (run, point, replication, world_index, policy, the\n"
    "resolved parameters, status, metrics); root attributes hold the resolved configuration and its\n"
    "sha256, the master seed, the tool version and git revision, and this command line. The file is\n"
    "written to a temporary name and renamed, so it is never half-written. Values are identical for\n"
    "any --threads, any --shard layout merged with synkti merge, and any number of MPI ranks:\n"
    "launched by mpirun/srun (built with MPI), rank 0 hands out runs, collects the rows and writes\n"
    "the one file, each rank running --threads threads. SIGINT/SIGTERM/SIGUSR1 stop cleanly:\n"
    "completed runs are kept, exit status 75; --resume continues. Progress goes to stderr, the\n"
    "summary table (means per sweep point and policy) to stdout.\n"
    "\n"
    "Examples:\n"
    "  synkti run experiments/quickstart.yaml -j 2\n"
    "  synkti run exp.yaml --set sweep.lps=64,256 --set replications=10\n"
    "  synkti run exp.yaml --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT   # then synkti merge\n"
    "  synkti run exp.yaml --resume                       # after an interruption\n"
    "  mpirun -np 4 synkti run exp.yaml -j 8              # 4 ranks x 8 threads, one results file\n";

/* ---- terminal output of `synkti run`: progress and the end-of-run table ------------------------ */

typedef struct sk_run_progress {
    int mode;        /* 1 plain lines (throttled to one per 5 s), 2 a terminal bar (0.1 s) */
    double last;     /* elapsed seconds at the last line drawn */
    uint64_t remote; /* MPI: runs done on the other ranks, at the last event */
} sk_run_progress;

static void sk__fmt_secs(char *b, size_t n, double s) {
    if (!isfinite(s) || s < 0) snprintf(b, n, "--:--");
    else if (s < 3600) snprintf(b, n, "%02d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(b, n, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
}

/* The runner's sk_runner_notify_fn: the "resuming" line, then a bar or lines on stderr. */
static void sk__on_progress(void *user, const sk_runner_status *st) {
    sk_run_progress *p = user;
    double el = st->elapsed;
    p->remote = st->remote;
    if (st->event == SK_RUNNER_START) {
        if (st->resumed)
            fprintf(stderr, "synkti run: resuming: %" PRIu64 " of %" PRIu64 " runs already in %s\n", st->resumed,
                    st->total, st->output);
        p->last = el;
        return;
    }
    int final = st->event == SK_RUNNER_END;
    if (!final && el - p->last < (p->mode == 2 ? 0.1 : 5.0)) return;
    p->last = el;
    uint64_t fresh = st->done - st->resumed, todo = st->total - st->resumed;
    double eta = fresh ? el / (double)fresh * (double)(todo - fresh) : NAN;
    double pct = st->total ? 100.0 * (double)st->done / (double)st->total : 100.0;
    char a[32], b[32];
    sk__fmt_secs(a, sizeof a, el);
    sk__fmt_secs(b, sizeof b, eta);
    if (p->mode == 2) {
        int w = 30, fill = (int)(pct / 100.0 * w);
        char bar[64];
        for (int i = 0; i < w; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[w] = 0;
        fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " runs %5.1f%%  elapsed %s  eta %s ", bar, st->done, st->total, pct, a, b);
        if (final) fputc('\n', stderr);
    } else {
        fprintf(stderr, "synkti run: %" PRIu64 "/%" PRIu64 " runs (%.1f%%), elapsed %s, eta %s\n", st->done, st->total, pct, a, b);
    }
    fflush(stderr);
}

/* The end-of-run table on `out`: a header line "# AXIS.. policy runs failed mean_METRIC..", then
 * one line per group, axis values as canonical YAML scalars. */
static void sk__print_table(FILE *out, const sk_exp *e, const sk_runner_table *t) {
    const sk_scenario_kind *k = e->kind;
    fprintf(out, "#");
    for (size_t a = 0; a < e->naxes; a++)
        if (t->sel[a]) fprintf(out, " %s", e->axes[a].key);
    if (t->by_policy) fprintf(out, " policy");
    fprintf(out, " runs failed");
    for (size_t m = 0; m < k->nmetrics; m++)
        if (k->metrics[m].mean) fprintf(out, " mean_%s", k->metrics[m].name);
    fputc('\n', out);
    for (size_t g = 0; g < t->ngroups; g++) {
        const sk_runner_group *gr = &t->g[g];
        for (size_t a = 0; a < e->naxes; a++)
            if (t->sel[a]) {
                fputc(' ', out);
                sk_value_print(out, &e->axes[a].vals[gr->val[a]], e->axes[a].def->type);
            }
        if (t->by_policy) fprintf(out, " %s", e->npol ? e->pol[gr->policy].def->name : "-");
        fprintf(out, " %" PRIu64 " %" PRIu64, gr->runs, gr->failed);
        for (size_t m = 0; m < k->nmetrics; m++)
            if (k->metrics[m].mean) fprintf(out, " %.10g", gr->mean[m]);
        fputc('\n', out);
    }
}

/* Threads per rank under MPI when -j is 0: OMP_NUM_THREADS, Slurm's --cpus-per-task, or the cores
 * shared by the ranks of this node. */
static int sk__mpi_threads(void) {
    const char *v;
    if (getenv("OMP_NUM_THREADS")) return omp_get_max_threads();
    if ((v = getenv("SLURM_CPUS_PER_TASK")) && atoi(v) > 0) return atoi(v);
    int n = omp_get_num_procs(), local = (v = getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) ? atoi(v) : 1;
    if (local < 1 && (v = getenv("MPI_LOCALNRANKS"))) local = atoi(v);
    return local > 1 ? (n / local > 0 ? n / local : 1) : n;
}

static int sk__run(int argc, char **argv, int rank, int nranks);

int sk_cmd_run(int argc, char **argv) {
    int rank = 0, nranks = 1;
    char merr[256];
    int m = sk_runner_mpi_init(&argc, &argv, &rank, &nranks, merr, sizeof merr);
    if (m < 0) {
        fprintf(stderr, "synkti run: %s\n", merr);
        sk_runner_mpi_fini();
        return sk_exit_code(m);
    }
    int rc = sk__run(argc, argv, rank, nranks);
    sk_runner_mpi_fini();
    return rc;
}

static int sk__run(int argc, char **argv, int rank, int nranks) {
    const char *sets[argc + 1];
    size_t nsets;
    if ((argc = sk__take_sets("run", argc, argv, sets, &nsets)) < 0) return sk_exit_code(argc);
    sk_run_opts o = {.threads = 0, .checkpoint = 30};
    int npos = 0, rc = sk_opts_parse("run", sk_run_usage, sk_run_optab, &o, argc, argv, &npos);
    if (rc) {
        if (rc > 0 && rank == 0) fputs(sk_set_help, stdout), fputs(sk_exit_help, stdout);
        return rc > 0 ? 0 : sk_exit_code(rc);
    }
    uint64_t k, n;
    if ((rc = sk__parse_shard("run", o.shard, &k, &n)) < 0) return sk_exit_code(rc);
    if (npos != 1) {
        fprintf(stderr, "synkti run: expected one experiment file (see synkti run --help)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_exp e;
    /* under MPI every rank loads the file; rank 0 speaks, another rank only about its own failure */
    char lerr[2048];
    rc = rank == 0 ? sk__load("run", &e, argv[0], sets, nsets) : sk_exp_load(&e, argv[0], sets, nsets, lerr, sizeof lerr);
    if (rank && rc < 0) fprintf(stderr, "synkti run: rank %d: %s\n", rank, lerr);
    int all = sk_runner_mpi_agree(rc);
    if (all < 0) {
        if (rc == 0) sk_exp_fini(&e);
        return sk_exit_code(rc < 0 ? rc : all);
    }
    char *out = o.output ? strdup(o.output) : sk_runner_shard_path(e.output, k, n);
    char *cmdline = NULL;
    size_t cl = 0;
    FILE *cf = open_memstream(&cmdline, &cl);
    if (!out || !cf) {
        if (cf) fclose(cf);
        free(cmdline);
        free(out);
        sk_exp_fini(&e);
        return sk_exit_code(SK_ENOMEM);
    }
    fputs("synkti run", cf);
    for (int i = 0; i < argc; i++) fprintf(cf, " %s", argv[i]);
    for (size_t i = 0; i < nsets; i++) fprintf(cf, " --set %s", sets[i]);
    fclose(cf);

    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = sk__on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second signal kills at once; the file on disk stays valid */
    sk_stop_flag = 0;
    struct sigaction old_usr1;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGUSR1, &sa, &old_usr1); /* Slurm's --signal=B:USR1@SECS, forwarded by mpirun */

    if (rank) o.quiet = 1;
    sk_run_progress progress = {.mode = isatty(2) ? 2 : 1};
    sk_runner_opts ro = {
        .mpi = nranks > 1,
        .threads = o.threads > 0 ? o.threads : nranks > 1 ? sk__mpi_threads() : omp_get_num_procs(),
        .shard_k = k,
        .shard_n = n,
        .resume = o.resume,
        .checkpoint_secs = o.checkpoint,
        .output = out,
        .command_line = cmdline,
        .stop = &sk_stop_flag,
        .by = o.by,
        .notify = o.quiet ? NULL : sk__on_progress,
        .notify_user = &progress,
    };
    char err[2048] = "";
    uint64_t nfailed = 0;
    sk_runner_table table;
    rc = sk_runner_run(&e, &ro, &nfailed, &table, err, sizeof err);
    if (rc == 0 && rank == 0) sk__print_table(stdout, &e, &table);
    sk_runner_table_fini(&table);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGUSR1, &old_usr1, NULL);
    if (rc < 0) {
        if (err[0] && rank == 0) fprintf(stderr, "synkti run: %s\n", err);
        else if (err[0]) fprintf(stderr, "synkti run: rank %d: %s\n", rank, err);
    } else {
        if (!o.quiet && nranks > 1)
            fprintf(stderr, "synkti run: wrote %s (%" PRIu64 " runs of %" PRIu64 "; %" PRIu64 " run on ranks 1-%d)\n", out,
                    sk_plan_shard_size(e.nruns, k, n), e.nruns, progress.remote, nranks - 1);
        else if (!o.quiet)
            fprintf(stderr, "synkti run: wrote %s (%" PRIu64 " runs of %" PRIu64 ")\n", out, sk_plan_shard_size(e.nruns, k, n), e.nruns);
        if (nfailed) {
            if (rank == 0) fprintf(stderr, "synkti run: %" PRIu64 " runs failed; see the status column of %s\n", nfailed, out);
            rc = SK_EINTERNAL;
        }
    }
    free(cmdline);
    free(out);
    sk_exp_fini(&e);
    return sk_exit_code(rc);
}
