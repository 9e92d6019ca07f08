/* cmd_live.c - `synkti live FILE`: the live controller (live/sk_live) with the local or the AWS
 * provider: runs a fleet policy against real instances, journaling every intent (SQLite WAL) so a
 * killed controller resumes with the same --journal. Reads the run file (docs/live_controller.md);
 * prints one line per event (stderr) and a summary (stdout). */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "live/sk_live.h"
#include "sk_error.h"

typedef struct {
    const char *journal, *synkti, *results;
    int dry_run, max_instances, yes;
    double spend_cap;
} sk_live_cli;

static const sk_opt sk_live_optab[] = {
    {"journal", 'j', SK_OPT_STR, offsetof(sk_live_cli, journal), "PATH", "journal (SQLite; default WORK_DIR/journal.db)", 0, 0},
    {"dry-run", 'n', SK_OPT_FLAG, offsetof(sk_live_cli, dry_run), NULL, "print the actions the policy would take; launch nothing", 0, 0},
    {"max-instances", 0, SK_OPT_INT, offsetof(sk_live_cli, max_instances), "N", "live instances at most (0: no limit)", 0, 1e6},
    {"spend-cap", 0, SK_OPT_DBL, offsetof(sk_live_cli, spend_cap), "USD", "terminate everything when the spend reaches this (0: none)", 0, 1e9},
    {"yes", 'y', SK_OPT_FLAG, offsetof(sk_live_cli, yes), NULL, "do not ask for confirmation (provider aws)", 0, 0},
    {"synkti", 0, SK_OPT_STR, offsetof(sk_live_cli, synkti), "PATH", "synkti binary for the agents (default: this one)", 0, 0},
    {"results", 'o', SK_OPT_STR, offsetof(sk_live_cli, results), "FILE.h5", "write the run's results in the simulator's HDF5 schema", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_live_usage[] =
    "usage: synkti live FILE [--dry-run] [--journal PATH] [--max-instances N] [--spend-cap USD]\n"
    "                        [--results FILE.h5] [--yes]\n"
    "Run the jobs of a run file with a registered fleet policy, unchanged, on real instances:\n"
    "provider local (`synkti agent` processes with an IMDSv2 emulator each, on 127.0.0.1) or aws\n"
    "(EC2 spot and on-demand through the Query API). Every launch and terminate is journaled before\n"
    "the call; a controller killed at any point is started again with the same journal and resumes:\n"
    "it finds the run's instances by their tag, adopts what still runs and terminates the rest. The\n"
    "controller serves a JSON API and a status page (run file `http:`; `synkti submit|status|cancel`).\n"
    "Exit: 0 every job ended (completed, failed or abandoned; see the summary); 75 stopped or spend\n"
    "cap reached (resumable); 64 usage, or provider aws not confirmed (--yes); 78 bad run file or\n"
    "journal of another run. Progress lines go to stderr, the summary (and --dry-run's actions) to\n"
    "stdout. Run file format: docs/live_controller.md; the demo: docs/live_demo.md.\n"
    "Example:\n"
    "  synkti live run.yaml --dry-run\n"
    "  synkti live run.yaml --journal run.db --spend-cap 5    # kill it, run it again: it resumes\n"
    "  synkti live experiments/live/preemption-demo.yaml --results live.h5\n";

/* Ask before a run touches a real AWS account (stdin a terminal: y/N; otherwise refuse). */
static int sk_live_confirm(const sk_live_cfg *c) {
    fprintf(stderr, "synkti live: %s will launch real EC2 instances in %s (%d zone(s), up to %s instance(s)) with the "
                    "credentials of this environment. Continue? [y/N] ",
            c->path, c->aws_region, c->nzones, c->max_instances ? "max_instances" : "unlimited");
    if (!isatty(0)) {
        fprintf(stderr, "\nsynkti live: stdin is not a terminal: pass --yes to confirm\n");
        return 0;
    }
    char line[16];
    return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

static volatile sig_atomic_t sk_live_stop;
static void sk_live_on_signal(int sig) { (void)sig, sk_live_stop = 1; }
static void sk_live_print(void *ctx, const char *text) {
    fprintf(ctx, "%s\n", text);
    fflush(ctx);
}

int sk_cmd_live(int argc, char **argv) {
    sk_live_cli o = {0};
    int npos = 0, rc = sk_opts_parse("live", sk_live_usage, sk_live_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos != 1) {
        fprintf(stderr, "synkti live: expected one run file (see --help)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    char err[1024] = "", self[4096], jpath[2100];
    sk_live_cfg c;
    if ((rc = sk_live_cfg_load(&c, argv[0], err, sizeof err)) < 0) {
        fprintf(stderr, "synkti live: %s\n", err);
        return sk_exit_code(rc);
    }
    if (!strcmp(c.provider, "aws") && !o.dry_run && !o.yes && !sk_live_confirm(&c)) {
        fprintf(stderr, "synkti live: not confirmed; nothing was launched\n");
        sk_live_cfg_free(&c);
        return sk_exit_code(SK_EUSAGE);
    }
    if (!o.synkti) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = 0;
        o.synkti = self;
    }
    snprintf(jpath, sizeof jpath, "%s/journal.db", c.work_dir);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sk_live_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sk_live_opts lo = {.synkti = o.synkti, .journal = o.journal ? o.journal : jpath, .dry_run = o.dry_run,
                       .max_instances = o.max_instances, .spend_cap = o.spend_cap, .stop = &sk_live_stop,
                       .line = sk_live_print, .ctx = o.dry_run ? stdout : stderr, .results = o.results};
    sk_live_result r;
    fprintf(stderr, "synkti live: %s: policy %s, %d zone(s), %d job(s), provider %s%s\n", argv[0], c.policy, c.nzones, c.njobs,
           c.provider, o.dry_run ? " (dry run)" : "");
    rc = sk_live_run(&c, &lo, &r, err, sizeof err);
    if (rc < 0) fprintf(stderr, "synkti live: %s\n", err);
    if (!o.dry_run && (rc == 0 || rc == SK_EINTR))
        printf("summary: %d completed, %d failed, %d abandoned, %d pending; %d launches (%d refused), %d terminations, "
               "%d gone, %d notices, %d orphans, %d reconciled; spend $%.4f%s\n",
               r.completed, r.failed, r.abandoned, r.pending, r.launches, r.launch_fail, r.terminations, r.gone, r.notices,
               r.orphans, r.reconciled, r.spend, r.capped ? " (cap reached)" : "");
    if (!o.dry_run && (rc == 0 || rc == SK_EINTR)) {
        printf("adopted %d; decisions %d: policy p50 %.1f us p99 %.1f us max %.1f us (with actions p50 %.1f us p99 %.1f us)\n",
               r.adopted, r.decisions, r.dec_p50_us, r.dec_p99_us, r.dec_max_us, r.dec_all_p50_us, r.dec_all_p99_us);
        if (r.notice_ckpts)
            printf("notice to checkpoint: %d, p50 %.3f s, max %.3f s (wall)\n", r.notice_ckpts, r.notice_ckpt_p50_s,
                   r.notice_ckpt_max_s);
    }
    sk_live_cfg_free(&c);
    return sk_exit_code(rc);
}
