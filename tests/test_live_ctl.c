/* test_live_ctl.c - the live controller (`synkti live`, src/live/sk_live) with the local provider:
 * run-file errors, a dry run that launches nothing, a batch inference job (tiny synthetic model)
 * interrupted mid-job by a scripted spot interruption that resumes from its checkpoint on another
 * instance with output byte-identical to an uninterrupted run, and a controller SIGKILLed mid-run
 * then started again with the same journal: it terminates the agent left behind, reconciles and
 * the job completes exactly once with no agent process left. This test is the child subreaper of
 * the agents a killed controller orphans, so it reaps them by PID. Everything on 127.0.0.1.
 * Usage: test_live_ctl SYNKTI_BINARY [test...] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infer/sk_infer.h"
#include "live/sk_live.h"
#include "sk_error.h"
#include "test.h"
#include "test_live_util.h"

static const char *synkti_bin;
static char tmpdir[256], model_path[512], prompt_path[512], ref_out[600];

/* Write the run file DIR/run.yaml for one job; extra lines appended. */
static void run_file(const char *dir, const char *run_id, int ckpt_every, int pace_ms, const char *extra, char *path,
                     size_t len) {
    char text[4096];
    snprintf(path, len, "%s/run.yaml", dir);
    snprintf(text, sizeof text,
             "# test run\nprovider: local\nrun_id: %s\npolicy: cheapest_spot\ntick_s: 0.1\ntime_scale: 0.05\nhttp: 127.0.0.1:0\n"
             "grace_s: 3\nwork_dir: %s/work\nzone: local-1a 0.30 1.00 1\nzone: local-1b 0.40 1.00\n"
             "job: j1 120 --model %s --prompts %s --backend cpu --temperature 0.9 --seed 5 --poll 0.05 "
             "--checkpoint-every %d --pace-ms %d\n%s",
             run_id, dir, model_path, prompt_path, ckpt_every, pace_ms, extra);
    write_file(path, text);
}

/* ---- journal queries ---- */

static void q_text(const char *db, const char *sql, char *out, size_t len) {
    sqlite3 *d = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK && sqlite3_busy_timeout(d, 2000) == SQLITE_OK &&
        sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(d);
}

/* Every agent PID in the journal's instance tags (up to max). */
static int journal_pids(const char *db, pid_t *pids, int max) {
    sqlite3 *d = NULL;
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(d, "SELECT CAST(json_extract(tags, '$.pid') AS INTEGER) FROM instances ORDER BY id", -1, &st,
                           NULL) == SQLITE_OK)
        while (n < max && sqlite3_step(st) == SQLITE_ROW) pids[n++] = (pid_t)sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(d);
    return n;
}
static int pid_gone(pid_t pid) { return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH; }

/* Agent "done" events in every log of work/logs. */
static int count_in_logs(const char *dir, const char *needle) {
    char cmd[800], buf[64] = "";
    snprintf(cmd, sizeof cmd, "cat '%s'/work/logs/*.log 2>/dev/null | grep -c '%s'", dir, needle);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    if (!fgets(buf, sizeof buf, p)) buf[0] = 0;
    pclose(p);
    return atoi(buf);
}

/* ---- tests ---- */

static void lines_cb(void *ctx, const char *text) {
    char *acc = ctx;
    size_t n = strlen(acc);
    snprintf(acc + n, 8192 - n, "%s\n", text);
}

static void test_cfg_errors(void) {
    char dir[400], path[500], err[512];
    snprintf(dir, sizeof dir, "%s/cfg", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    sk_live_cfg c;
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\njob: j 10\nfrobnicate: 3\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:4: frobnicate: unknown key");
    write_file(path, "work_dir: /tmp/x\nzone: a 1\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:2: zone: expected NAME SPOT_PRICE OD_PRICE");
    write_file(path, "work_dir: /tmp/x\nhttp: off\nzone: a 1 2\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "job: at least one is required (or an http server to submit to)");
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\n"); /* a server: jobs come by POST /jobs */
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    sk_live_cfg_free(&c);
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\njob: j 10\ninterrupt: k 1 120\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "interrupt: no job 'k'");
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\njob: j 10\ntick_s: 0\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:4: tick_s: expected a number");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, "/nonexistent/run.yaml", err, sizeof err), SK_ENOINPUT);

    sk_live_result r;
    sk_live_opts o = {.synkti = synkti_bin, .journal = "/nonexistent/j.db", .dry_run = 1};
    write_file(path, "provider: aws\nwork_dir: /tmp/x\nzone: a 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "provider aws needs aws.region and aws.image_id");
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\njob: j 10 instances=2 --model m\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:3: job: instances=2 needs --prompts");
    write_file(path, "work_dir: /tmp/x\nzone: a 1 2\navail: b markov 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:3: avail: expected a zone given above, got 'b'");
    write_file(path, "work_dir: /tmp/x\nhttp: localhost\nzone: a 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "bad.yaml:2: http: expected ADDR:PORT");
    write_file(path, "policy: no_such\nwork_dir: /tmp/x\nzone: a 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_live_run(&c, &o, &r, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "no fleet policy 'no_such'");
    sk_live_cfg_free(&c);
    write_file(path, "policy.fallback: maybe\nwork_dir: /tmp/x\nzone: a 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_live_run(&c, &o, &r, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "fallback: expected od or wait");
    sk_live_cfg_free(&c);
    write_file(path, "policy.nope: 1\nwork_dir: /tmp/x\nzone: a 1 2\njob: j 10\n");
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_live_run(&c, &o, &r, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "policy.nope: policy cheapest_spot has no such parameter");
    sk_live_cfg_free(&c);
}

/* The policy's first decisions, printed; nothing is started or written. */
static void test_dry_run(void) {
    char dir[400], path[500], err[512], wd[600], jp[600];
    static char acc[8192];
    snprintf(dir, sizeof dir, "%s/dry", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/run.yaml", dir);
    snprintf(jp, sizeof jp, "%s/j.db", dir);
    /* local-1b is the cheaper spot pool; cheapest_spot picks it; the od policy picks local-1a */
    char text[600];
    snprintf(text, sizeof text, "work_dir: %s/work\nzone: local-1a 0.5 0.9\nzone: local-1b 0.2 1.0\njob: a 10\njob: b 10\n", dir);
    write_file(path, text);
    sk_live_cfg c;
    sk_live_result r;
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    sk_live_opts o = {.synkti = synkti_bin, .journal = jp, .dry_run = 1, .line = lines_cb, .ctx = acc};
    acc[0] = 0;
    ASSERT_EQ_INT(sk_live_run(&c, &o, &r, err, sizeof err), 0);
    sk_live_cfg_free(&c);
    ASSERT_STR_CONTAINS(acc, "would launch local.gpu1 local-1b spot for a ($0.2000/h)");
    ASSERT_STR_CONTAINS(acc, "would launch local.gpu1 local-1b spot for b ($0.2000/h)");
    ASSERT_TRUE(!strstr(acc, "local-1a"));
    snprintf(wd, sizeof wd, "%s/work", dir);
    struct stat sb;
    ASSERT_TRUE(stat(wd, &sb) < 0 && stat(jp, &sb) < 0); /* nothing launched, nothing written */

    snprintf(text, sizeof text, "policy: on_demand\nwork_dir: %s/work\nzone: local-1a 0.5 0.9\nzone: local-1b 0.2 1.0\njob: a 10\n",
             dir);
    write_file(path, text);
    ASSERT_EQ_INT(sk_live_cfg_load(&c, path, err, sizeof err), 0);
    acc[0] = 0;
    ASSERT_EQ_INT(sk_live_run(&c, &o, &r, err, sizeof err), 0);
    sk_live_cfg_free(&c);
    ASSERT_STR_CONTAINS(acc, "would launch local.gpu1 local-1a on-demand for a ($0.9000/h)");
}

/* A scripted interruption mid-job: the job resumes from the notice checkpoint on another
 * instance; its output equals the uninterrupted reference byte for byte. */
static void test_interrupt_resume(void) {
    char dir[400], path[500], jp[600], log[600], out[700], buf[256];
    snprintf(dir, sizeof dir, "%s/intr", tmpdir);
    mkdir(dir, 0777);
    /* checkpoints only on the notice: the resume can only come from the interruption's checkpoint */
    run_file(dir, "intr", 0, 20, "interrupt: j1 0.5 120\n", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    pid_t ctl = spawn(argv, log);
    ASSERT_TRUE(ctl > 0);
    ASSERT_EQ_INT(wait_exit(ctl), 0);
    char *text = slurp(log);
    ASSERT_TRUE(text != NULL);
    int has = strstr(text, "interrupt i-local-") && strstr(text, "gone i-local-") && strstr(text, "1 completed");
    if (!has) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
    ASSERT_TRUE(same_file(out, ref_out));
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE id='j1' AND state='completed'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT retries FROM jobs WHERE id='j1'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances"), 2);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE state='terminated'"), 2);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests WHERE state='fulfilled'"), 2);
    q_text(jp, "SELECT reason FROM instances ORDER BY id LIMIT 1", buf, sizeof buf);
    ASSERT_STR_CONTAINS(buf, "Server.SpotInstanceTermination");
    /* the interruption's checkpoint is journaled and the second instance started from it */
    int ck = q_int(jp, "SELECT MAX(seq) FROM checkpoints WHERE job='j1'");
    ASSERT_TRUE(ck > 0 && ck < 120);
    snprintf(buf, sizeof buf, "\"resumed_from\":%d", ck);
    ASSERT_EQ_INT(count_in_logs(dir, buf), 1);
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM run WHERE state='done'"), 1);
    pid_t pids[8];
    int n = journal_pids(jp, pids, 8);
    ASSERT_EQ_INT(n, 2);
    for (int i = 0; i < n; i++) ASSERT_TRUE(pid_gone(pids[i]));
}

/* SIGKILL the controller mid-job, start it again with the same journal. */
static void test_sigkill_restart(void) {
    char dir[400], path[500], jp[600], log1[600], log2[600], out[700];
    snprintf(dir, sizeof dir, "%s/kill", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "kill", 16, 30, "", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log1, sizeof log1, "%s/controller1.log", dir);
    snprintf(log2, sizeof log2, "%s/controller2.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    pid_t ctl = spawn(argv, log1);
    ASSERT_TRUE(ctl > 0);
    /* wait (bounded) until the job has a journaled checkpoint, then kill the controller */
    int ck = -1;
    for (int i = 0; i < 600 && ck <= 0; i++) {
        nap(0.05);
        ck = q_int(jp, "SELECT COUNT(*) FROM checkpoints WHERE job='j1'");
    }
    kill(ctl, SIGKILL);
    ASSERT_EQ_INT(wait_exit(ctl), 128 + SIGKILL);
    ASSERT_TRUE(ck > 0);
    pid_t first[4];
    ASSERT_EQ_INT(journal_pids(jp, first, 4), 1);
    pid_t orphan = first[0];
    ASSERT_TRUE(!pid_gone(orphan));                   /* left running by the dead controller */
    ASSERT_EQ_INT(waitpid(orphan, NULL, WNOHANG), 0); /* ... and reparented to this test */
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE state='completed'"), 0);

    ctl = spawn(argv, log2);
    ASSERT_TRUE(ctl > 0);
    int rc = wait_exit(ctl);
    char *text = slurp(log2);
    if (rc != 0 && text) fprintf(stderr, "%s", text);
    ASSERT_EQ_INT(rc, 0);
    /* the second controller found the agent by its run tag and kept it: it finished the job */
    ASSERT_TRUE(text && strstr(text, "adopt i-local-") && strstr(text, "done j1 on i-local-"));
    ASSERT_TRUE(text && !strstr(text, "orphan i-local-") && !strstr(text, "launch local.gpu1"));
    free(text);
    int st = 0;
    ASSERT_EQ_INT(waitpid(orphan, &st, WNOHANG), orphan); /* exited by itself (reaped here) */
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
    ASSERT_TRUE(same_file(out, ref_out));
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE id='j1' AND state='completed'"), 1);
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 1); /* completed exactly once */
    ASSERT_EQ_INT(count_in_logs(dir, "\"cause\":\"signal\""), 0);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE state IN ('live','terminating')"), 0);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM events WHERE kind='adopted'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM events WHERE kind='orphan_terminated'"), 0);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests"), 1);
    pid_t pids[8];
    int n = journal_pids(jp, pids, 8);
    ASSERT_EQ_INT(n, 1);
    for (int i = 0; i < n; i++) ASSERT_TRUE(pid_gone(pids[i]));
}

/* --max-instances 1 with two jobs: the second launch is refused, the policy retries it after its
 * backoff, and both jobs complete, one after the other. */
static void test_max_instances(void) {
    char dir[400], path[500], jp[600], log[600], text[4096];
    snprintf(dir, sizeof dir, "%s/max", tmpdir);
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/run.yaml", dir);
    snprintf(text, sizeof text,
             "run_id: max\npolicy: cheapest_spot\npolicy.backoff_s: 20\ntick_s: 0.1\ntime_scale: 0.05\nhttp: 127.0.0.1:0\n"
             "work_dir: %s/work\nzone: local-1a 0.30 1.00\n"
             "job: a 24 --model %s --prompts %s --backend cpu --seed 1 --poll 0.05 --pace-ms 10\n"
             "job: b 24 --model %s --prompts %s --backend cpu --seed 2 --poll 0.05 --pace-ms 10\n",
             dir, model_path, prompt_path, model_path, prompt_path);
    write_file(path, text);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, "--max-instances", "1", NULL};
    pid_t ctl = spawn(argv, log);
    ASSERT_TRUE(ctl > 0);
    ASSERT_EQ_INT(wait_exit(ctl), 0);
    char *out = slurp(log);
    int has = out && strstr(out, "refused local-1a spot for b: --max-instances 1 reached") && strstr(out, "retry b") &&
              strstr(out, "2 completed");
    if (!has && out) fprintf(stderr, "%s", out);
    free(out);
    ASSERT_TRUE(has);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE state='completed'"), 2);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances"), 2);
    /* one at a time: b's instance was requested after a's was recorded terminated */
    ASSERT_EQ_INT(q_int(jp, "SELECT (SELECT created FROM launch_requests WHERE job='b' AND state='fulfilled') >= "
                            "(SELECT updated FROM instances WHERE job='a')"), 1);
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 2);
    pid_t pids[4];
    ASSERT_EQ_INT(journal_pids(jp, pids, 4), 2);
    for (int i = 0; i < 2; i++) ASSERT_TRUE(pid_gone(pids[i]));
}

/* --spend-cap: everything is terminated when the spend reaches the cap; exit 75, resumable. */
static void test_spend_cap(void) {
    char dir[400], path[500], jp[600], log[600];
    snprintf(dir, sizeof dir, "%s/cap", tmpdir);
    mkdir(dir, 0777);
    /* $3600/h = $1 a policy second = $20 a wall second at time_scale 0.05: a $2 cap is met at once */
    run_file(dir, "cap", 16, 30, "zone: dear-1a 3600 3600\npolicy.fallback: wait\n", path, sizeof path);
    char *text = slurp(path); /* only the dear zone: drop the two cheap ones */
    ASSERT_TRUE(text != NULL);
    char *z = strstr(text, "zone: local-1a"), *e = strstr(text, "job: ");
    memmove(z, e, strlen(e) + 1);
    write_file(path, text);
    free(text);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, "--spend-cap", "2", NULL};
    pid_t ctl = spawn(argv, log);
    ASSERT_TRUE(ctl > 0);
    ASSERT_EQ_INT(wait_exit(ctl), 75);
    text = slurp(log);
    int has = text && strstr(text, "spend cap $2.0000 reached") && strstr(text, "(cap reached)");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE state='completed'"), 0);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM run WHERE state='active'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE state='terminated'"), 1);
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 0);
    /* the spend is journaled: a restart with the same journal is over the cap at once, launches nothing */
    char log2[700];
    snprintf(log2, sizeof log2, "%s/controller2.log", dir);
    ctl = spawn(argv, log2);
    ASSERT_EQ_INT(wait_exit(ctl), 75);
    text = slurp(log2);
    has = text && strstr(text, "spend so far $") && strstr(text, "spend cap $2.0000 reached") && !strstr(text, "launch local");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests"), 1);
    pid_t pids[4];
    ASSERT_EQ_INT(journal_pids(jp, pids, 4), 1);
    ASSERT_TRUE(pid_gone(pids[0]));
}


/* An agent that fails by itself (a usage error, exit 64) fails its job at once: no relaunch storm. */
static void test_agent_fails(void) {
    char dir[400], path[500], jp[600], log[600];
    snprintf(dir, sizeof dir, "%s/fails", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "fails", 0, 0, "", path, sizeof path);
    char *text = slurp(path);
    ASSERT_TRUE(text != NULL);
    char *e = strstr(text, "--pace-ms 0");
    ASSERT_TRUE(e != NULL);
    memcpy(e, "--bogus-opt", 11); /* "--pace-ms 0" -> "--bogus-opt" */
    write_file(path, text);
    free(text);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    pid_t ctl = spawn(argv, log);
    ASSERT_EQ_INT(wait_exit(ctl), 0);
    text = slurp(log);
    int has = text && strstr(text, "(exit 64) job j1: failed") && strstr(text, "0 completed, 1 failed");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE state='failed'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests"), 1);
}

/* A job on two instances (shards: one prompt line each). A scripted interruption takes one of
 * them: only that instance is replaced (the other runs on, untouched), and the joined output
 * equals the two shards' uninterrupted outputs, concatenated. */
static void test_shards(void) {
    char dir[400], path[500], jp[600], log[600], out[700], p0[600], p1[600], r0[600], r1[600], cat[700];
    snprintf(dir, sizeof dir, "%s/shards", tmpdir);
    mkdir(dir, 0777);
    /* references: each shard's prompts alone, uninterrupted */
    snprintf(p0, sizeof p0, "%s/p0.txt", dir), snprintf(p1, sizeof p1, "%s/p1.txt", dir);
    write_file(p0, "1 2 3 4\n"), write_file(p1, "9 8 7 6\n");
    const char *ps[2] = {p0, p1};
    char *rs[2] = {r0, r1};
    for (int k = 0; k < 2; k++) {
        char rd[450], rl[500];
        snprintf(rd, sizeof rd, "%s/ref%d", dir, k), snprintf(rl, sizeof rl, "%s/ref%d.log", dir, k);
        snprintf(rs[k], 600, "%s/output.txt", rd);
        char *ref[] = {(char *)synkti_bin, "agent", "-m", model_path, "-p", (char *)ps[k], "-n", "120", "-d", rd, "--imds", "off",
                       "--backend", "cpu", "--temperature", "0.9", "--seed", "5", NULL};
        ASSERT_EQ_INT(wait_exit(spawn(ref, rl)), 0);
    }
    snprintf(cat, sizeof cat, "%s/ref.txt", dir);
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "cat '%s' '%s' > '%s'", r0, r1, cat);
    ASSERT_EQ_INT(system(cmd), 0);
    run_file(dir, "shards", 0, 20, "interrupt: j1 0.5 120\n", path, sizeof path);
    char *text = slurp(path);
    ASSERT_TRUE(text != NULL);
    char *e = strstr(text, "job: j1 120 ");
    ASSERT_TRUE(e != NULL);
    char *grown = malloc(strlen(text) + 16);
    ASSERT_TRUE(grown != NULL);
    sprintf(grown, "%.*sinstances=2 %s", (int)(e + 12 - text), text, e + 12);
    free(text);
    text = grown;
    /* one zone: a lost instance can only be replaced in the zone of its surviving sibling anyway */
    char *z = strstr(text, "zone: local-1a 0.30 1.00 1\n");
    ASSERT_TRUE(z != NULL);
    memcpy(z, "zone: local-1a 0.30 1.00 3\n", 27);
    write_file(path, text);
    free(text);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    ASSERT_EQ_INT(wait_exit(spawn(argv, log)), 0);
    text = slurp(log);
    int has = text && strstr(text, "interrupt i-local-") && strstr(text, "done j1 shard 0") && strstr(text, "done j1 shard 1") &&
              strstr(text, "1 completed");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
    ASSERT_TRUE(same_file(out, cat));
    /* three instances: two at the start, one replacement; only the interrupted one was lost */
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances"), 3);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE reason='Server.SpotInstanceTermination'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE reason='Client.UserInitiatedShutdown'"), 0);
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 2);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE state='completed'"), 1);
}

/* Spot capacity follows an availability trace (policy time): the zone's only slot disappears at
 * t = 10 policy s (0.5 wall s); the running spot instance gets its notice, the job moves to the
 * other zone and completes with the uninterrupted output. */
static void test_avail_trace(void) {
    char dir[400], path[500], jp[600], log[600], out[700], tr[600], extra[900];
    snprintf(dir, sizeof dir, "%s/avail", tmpdir);
    mkdir(dir, 0777);
    snprintf(tr, sizeof tr, "%s/local-1a.json", dir);
    write_file(tr, "{\"metadata\": {\"gap_seconds\": 10, \"convention\": \"available\"}, \"data\": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}\n");
    snprintf(extra, sizeof extra, "avail: local-1a trace %s\nnotice_s: 20\n", tr);
    run_file(dir, "avail", 0, 20, extra, path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    ASSERT_EQ_INT(wait_exit(spawn(argv, log)), 0);
    char *text = slurp(log);
    int has = text && strstr(text, "capacity local-1a spot 0") && strstr(text, "(capacity, notice 20 s)") &&
              strstr(text, "launch local.gpu1 local-1b spot for j1") && strstr(text, "1 completed");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
    ASSERT_TRUE(same_file(out, ref_out));
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE reason='Server.SpotInstanceTermination'"), 1);
}

/* report: http - the agents POST their progress lines to the controller's API (with its token)
 * instead of the controller reading their logs; the scripted interruption resumes as with logs. */
static void test_report_http(void) {
    char dir[400], path[500], jp[600], log[600], out[700];
    snprintf(dir, sizeof dir, "%s/rhttp", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "rhttp", 0, 20, "report: http\ninterrupt: j1 0.5 120\n", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    ASSERT_EQ_INT(wait_exit(spawn(argv, log)), 0);
    char *text = slurp(log);
    int has = text && strstr(text, "interrupted j1 at") && strstr(text, "start j1 on") && strstr(text, "1 completed");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
    ASSERT_TRUE(same_file(out, ref_out));
    int ck = q_int(jp, "SELECT MAX(seq) FROM checkpoints WHERE job='j1'");
    ASSERT_TRUE(ck > 0 && ck < 120);
    /* the lines reached the controller over HTTP: it wrote them to the instances' logs itself */
    ASSERT_EQ_INT(count_in_logs(dir, "\"event\":\"done\""), 1);
}

/* A launch that fails for another reason than capacity (here: the agent binary does not exist)
 * is not retried at once in a loop: the job waits, and fails at the third such failure. */
static void test_launch_fails(void) {
    char dir[400], path[500], jp[600], log[600];
    snprintf(dir, sizeof dir, "%s/lfail", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "lfail", 0, 5, "", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, "--synkti", "/nonexistent/synkti", NULL};
    ASSERT_EQ_INT(wait_exit(spawn(argv, log)), 0);
    char *text = slurp(log);
    int has = text && strstr(text, "job j1: failed (launch failed 3 times") && strstr(text, "0 completed, 1 failed");
    if (!has && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(has);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests WHERE state='failed'"), 3);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests"), 3);
}

/* Every fleet policy that launches per job runs unchanged in the live world: the one-job run with a
 * scripted interruption completes with the reference output under each (the mr_* rows through the
 * multi-region adapter, on the controller's tick); fifo, which schedules a standing fleet, is
 * refused with a message. */
static void test_every_policy(void) {
    static const char *pols[] = {"on_demand", "cheapest_spot", "failover", "eager_next_region", "uniform_progress",
                                 "mr_uniform_progress", "mr_up_failover", "mr_up_probe", "mr_up_probe_cost"};
    for (size_t i = 0; i < sizeof pols / sizeof pols[0]; i++) {
        char dir[400], path[500], jp[600], log[600], out[700], name[64];
        snprintf(name, sizeof name, "pol-%s", pols[i]);
        snprintf(dir, sizeof dir, "%s/%s", tmpdir, name);
        mkdir(dir, 0777);
        run_file(dir, name, 0, 5, "interrupt: j1 0.2 60\n", path, sizeof path);
        char *text = slurp(path), *grown = text ? malloc(strlen(text) + 128) : NULL;
        ASSERT_TRUE(grown != NULL);
        char *pl = strstr(text, "policy: cheapest_spot\n"), *jl = strstr(text, "job: j1 120 ");
        ASSERT_TRUE(pl && jl && pl < jl);
        sprintf(grown, "%.*spolicy: %s\n%.*sjob: j1 120 deadline=600 %s", (int)(pl - text), text, pols[i],
                (int)(jl - (pl + 22)), pl + 22, jl + 12);
        write_file(path, grown);
        free(text), free(grown);
        snprintf(jp, sizeof jp, "%s/journal.db", dir);
        snprintf(log, sizeof log, "%s/controller.log", dir);
        char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
        int rc = wait_exit(spawn(argv, log));
        text = slurp(log);
        int ok = rc == 0 && text && strstr(text, "1 completed");
        if (!ok) fprintf(stderr, "policy %s: exit %d\n%s", pols[i], rc, text ? text : "");
        free(text);
        ASSERT_TRUE(ok);
        snprintf(out, sizeof out, "%s/work/j1/output.txt", dir);
        ASSERT_TRUE(same_file(out, ref_out));
    }
    char dir[400], path[500], log[600];
    snprintf(dir, sizeof dir, "%s/pol-fifo", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "pol-fifo", 0, 5, "policy: fifo\n", path, sizeof path);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--dry-run", NULL};
    ASSERT_EQ_INT(wait_exit(spawn(argv, log)), 78);
    char *text = slurp(log);
    ASSERT_TRUE(text && strstr(text, "fifo schedules a standing fleet"));
    free(text);
}

/* Two controllers of the same run id at once, in two folders: neither takes the other's agents
 * (the local run tag carries the journal's path), both complete with the reference output. */
static void test_two_runs(void) {
    char dir[2][300], path[2][700], jp[2][700], log[2][700], out[800];
    pid_t ctl[2];
    for (int i = 0; i < 2; i++) {
        snprintf(dir[i], sizeof dir[i], "%s/two%d", tmpdir, i);
        mkdir(dir[i], 0777);
        run_file(dir[i], "same-run", 16, 20, "", path[i], sizeof path[i]);
        snprintf(jp[i], sizeof jp[i], "%s/journal.db", dir[i]);
        snprintf(log[i], sizeof log[i], "%s/controller.log", dir[i]);
        char *argv[] = {(char *)synkti_bin, "live", path[i], "--journal", jp[i], NULL};
        ctl[i] = spawn(argv, log[i]);
        nap(0.3); /* the second starts while the first one's agent runs */
    }
    int rc[2];
    for (int i = 0; i < 2; i++) rc[i] = wait_exit(ctl[i]); /* both, before any check can return */
    for (int i = 0; i < 2; i++) {
        ASSERT_EQ_INT(rc[i], 0);
        char *text = slurp(log[i]);
        int clean = text && !strstr(text, " reconcile ") && !strstr(text, " adopt i-") && strstr(text, "1 completed");
        if (!clean && text) fprintf(stderr, "%s", text);
        free(text);
        ASSERT_TRUE(clean);
        snprintf(out, sizeof out, "%s/work/j1/output.txt", dir[i]);
        ASSERT_TRUE(same_file(out, ref_out));
        ASSERT_EQ_INT(q_int(jp[i], "SELECT COUNT(*) FROM instances"), 1);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_live_ctl SYNKTI_BINARY [test...]\n");
        return 2;
    }
    synkti_bin = argv[1];
    setenv("OMP_NUM_THREADS", "1", 1);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* agents of a killed controller come to this process */
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sk_live_ctl.XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(model_path, sizeof model_path, "%s/tiny.safetensors", tmpdir);
    snprintf(prompt_path, sizeof prompt_path, "%s/prompts.txt", tmpdir);
    sk_model_cfg mc;
    char err[256], refdir[400], log[500];
    if (sk_model_preset("tiny", &mc) < 0 || sk_model_write_synthetic(model_path, &mc, 7, 0, err, sizeof err) < 0) {
        fprintf(stderr, "model: %s\n", err);
        return 2;
    }
    write_file(prompt_path, "1 2 3 4\n9 8 7 6\n");
    /* the uninterrupted reference run */
    snprintf(refdir, sizeof refdir, "%s/ref", tmpdir);
    snprintf(ref_out, sizeof ref_out, "%s/output.txt", refdir);
    snprintf(log, sizeof log, "%s/ref.log", tmpdir);
    char *ref[] = {(char *)synkti_bin, "agent", "-m", model_path, "-p", prompt_path, "-n", "120", "-d", refdir,
                   "--imds", "off", "--backend", "cpu", "--temperature", "0.9", "--seed", "5", NULL};
    pid_t rp = spawn(ref, log);
    if (rp < 0 || wait_exit(rp) != 0) {
        fprintf(stderr, "reference run failed (see %s)\n", log);
        return 2;
    }
    static const sk_test tests[] = {
        {"cfg_errors", test_cfg_errors},
        {"dry_run", test_dry_run},
        {"interrupt_resume", test_interrupt_resume},
        {"sigkill_restart", test_sigkill_restart},
        {"spend_cap", test_spend_cap},
        {"max_instances", test_max_instances},
        {"agent_fails", test_agent_fails},
        {"shards", test_shards},
        {"avail_trace", test_avail_trace},
        {"two_runs", test_two_runs},
        {"report_http", test_report_http},
        {"every_policy", test_every_policy},
        {"launch_fails", test_launch_fails},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc - 1, argv + 1);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("SK_TEST_KEEP")) fprintf(stderr, "kept %s\n", tmpdir);
    else if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
