/* test_journal.c - the live journal (src/live/sk_journal): schema and WAL mode, job transitions,
 * launch/terminate intents, checkpoints, every reconcile rule, and SIGKILL crash trials: a child
 * writes the intent protocol in a loop against a simulated provider (an append-only log file), is
 * killed at seeded random points, and the parent reopens, checks integrity and reconciles to an
 * exact account. No dataset; files live in a fresh directory under /tmp. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/sk_journal.h"
#include "sk_error.h"
#include "test.h"

static const char SHA[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static char dir[64];
static char err[512];

static void path_in(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void rm_db(const char *p) {
    char b[600];
    unlink(p);
    snprintf(b, sizeof b, "%s-wal", p), unlink(b);
    snprintf(b, sizeof b, "%s-shm", p), unlink(b);
}

/* One integer or text from a query on the journal's connection. */
static int64_t q_int(sk_journal *j, const char *sql) {
    sqlite3_stmt *st;
    int64_t v = -999;
    if (sqlite3_prepare_v2(sk_journal_db(j), sql, -1, &st, NULL) != SQLITE_OK) return -998;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}
static void q_text(sk_journal *j, const char *sql, char *out, size_t n) {
    sqlite3_stmt *st;
    out[0] = 0;
    if (sqlite3_prepare_v2(sk_journal_db(j), sql, -1, &st, NULL) != SQLITE_OK) return;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static sk_journal *fresh(const char *name) {
    char p[128];
    path_in(p, sizeof p, name);
    rm_db(p);
    sk_journal *j = NULL;
    if (sk_journal_open(&j, p, "run-1", SHA, err, sizeof err)) fprintf(stderr, "open: %s\n", err);
    return j;
}

static void test_schema(void) {
    char p[128], mode[32];
    path_in(p, sizeof p, "schema.db");
    rm_db(p);
    sk_journal *j = NULL;
    ASSERT_EQ_INT(sk_journal_open(&j, p, "run-1", SHA, err, sizeof err), 0);
    q_text(j, "PRAGMA journal_mode", mode, sizeof mode);
    ASSERT_TRUE(!strcmp(mode, "wal"));
    ASSERT_EQ_INT(q_int(j, "PRAGMA foreign_keys"), 1);
    ASSERT_EQ_INT(q_int(j, "PRAGMA synchronous"), 2); /* FULL */
    ASSERT_EQ_INT(q_int(j, "SELECT version FROM schema_version"), SK_JOURNAL_SCHEMA);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN "
                           "('run','jobs','launch_requests','instances','checkpoints','events','schema_version')"), 7);
    q_text(j, "SELECT state FROM run WHERE id='run-1'", mode, sizeof mode);
    ASSERT_TRUE(!strcmp(mode, "active"));
    ASSERT_EQ_INT(sk_journal_add_job(j, "a", "{\"n\":1}", err, sizeof err), 0);
    sk_journal_close(j);
    /* reopen: same run keeps its data; another run or config is refused */
    ASSERT_EQ_INT(sk_journal_open(&j, p, "run-1", SHA, err, sizeof err), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM jobs"), 1);
    sk_journal_close(j);
    ASSERT_EQ_INT(sk_journal_open(&j, p, "run-2", SHA, err, sizeof err), SK_ECONFIG);
    ASSERT_TRUE(j == NULL);
    ASSERT_STR_CONTAINS(err, "belongs to run 'run-1'");
    ASSERT_EQ_INT(sk_journal_open(&j, p, "run-1", "ff", err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "config sha256");
    /* a newer schema is refused with a clear message */
    sqlite3 *db;
    ASSERT_EQ_INT(sqlite3_open(p, &db), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_exec(db, "UPDATE schema_version SET version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    ASSERT_EQ_INT(sk_journal_open(&j, p, "run-1", SHA, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "newer synkti");
    ASSERT_STR_CONTAINS(err, "99");
    /* not a database */
    path_in(p, sizeof p, "garbage.db");
    FILE *f = fopen(p, "w");
    fputs("this is not sqlite, but it is long enough to have a header of sorts........", f);
    fclose(f);
    ASSERT_TRUE(sk_journal_open(&j, p, "run-1", SHA, err, sizeof err) < 0);
    ASSERT_STR_CONTAINS(err, "garbage.db");
}

static void test_transitions(void) {
    /* the full table: allowed pairs of the fleet lifecycle, everything else refused */
    static const char *ok_pairs[] = {
        "created>queued", "queued>submitted", "queued>retry", "submitted>running", "submitted>queued",
        "submitted>retry", "running>completed", "running>queued", "running>retry", "retry>queued",
        "retry>submitted", NULL};
    int nok = 0;
    for (int a = 0; a < SK_JOB_NSTATES; a++)
        for (int b = 0; b < SK_JOB_NSTATES; b++) {
            char pair[40];
            snprintf(pair, sizeof pair, "%s>%s", sk_job_state_name((sk_job_state)a), sk_job_state_name((sk_job_state)b));
            int want = 0;
            for (int k = 0; ok_pairs[k]; k++) want |= !strcmp(ok_pairs[k], pair);
            if (!sk_job_terminal((sk_job_state)a) && (b == SK_JOB_FAILED || b == SK_JOB_ABANDONED)) want = 1;
            if (sk_job_transition_ok((sk_job_state)a, (sk_job_state)b) != want)
                SK_T_FAIL_("transition %s: got %d", pair, !want);
            nok += want;
        }
    ASSERT_EQ_INT(nok, 11 + 5 * 2);
    ASSERT_EQ_INT(sk_job_state_parse("abandoned"), SK_JOB_ABANDONED);
    ASSERT_EQ_INT(sk_job_state_parse("bogus"), -1);

    sk_journal *j = fresh("trans.db");
    ASSERT_TRUE(j);
    ASSERT_EQ_INT(sk_journal_add_job(j, "a", "{}", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_add_job(j, "a", "{}", err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_job_state(j, "a", SK_JOB_RUNNING, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "created -> running");
    ASSERT_EQ_INT(sk_journal_job_state(j, "nope", SK_JOB_QUEUED, err, sizeof err), SK_ENOENT);
    sk_job_state s;
    double prog;
    int retries;
    static const sk_job_state path[] = {SK_JOB_QUEUED, SK_JOB_SUBMITTED, SK_JOB_RUNNING, SK_JOB_RETRY,
                                        SK_JOB_QUEUED, SK_JOB_SUBMITTED, SK_JOB_QUEUED,  SK_JOB_SUBMITTED,
                                        SK_JOB_RUNNING, SK_JOB_COMPLETED};
    for (size_t k = 0; k < sizeof path / sizeof *path; k++)
        ASSERT_EQ_INT(sk_journal_job_state(j, "a", path[k], err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_job_get(j, "a", &s, &prog, &retries, err, sizeof err), 0);
    ASSERT_EQ_INT(s, SK_JOB_COMPLETED);
    ASSERT_EQ_INT(retries, 2); /* running -> retry, submitted -> queued */
    ASSERT_EQ_INT(sk_journal_job_state(j, "a", SK_JOB_RUNNING, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "completed -> running");
    ASSERT_EQ_INT(sk_journal_job_state(j, "a", SK_JOB_ABANDONED, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_job_get(j, "a", &s, NULL, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(s, SK_JOB_COMPLETED); /* unchanged after the refused calls */
    sk_journal_close(j);
}

static void test_intents(void) {
    sk_journal *j = fresh("intents.db");
    ASSERT_TRUE(j);
    int64_t r1, r2, r3;
    char t1[SK_JR_IDLEN], t2[SK_JR_IDLEN], t3[SK_JR_IDLEN];
    ASSERT_EQ_INT(sk_journal_add_job(j, "a", "{}", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_intend_launch(j, "us-east-1a", "g5.xlarge", "spot", "nojob", &r1, t1, err, sizeof err), SK_ENOENT);
    ASSERT_EQ_INT(sk_journal_intend_launch(j, "us-east-1a", "g5.xlarge", "spot", "a", &r1, t1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_intend_launch(j, "us-east-1b", "g5.xlarge", "on-demand", NULL, &r2, t2, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_intend_launch(j, "us-east-1c", "g5.xlarge", "spot", "a", &r3, t3, err, sizeof err), 0);
    ASSERT_EQ_INT(r1, 1);
    ASSERT_EQ_INT(r2, 2);
    ASSERT_TRUE(strncmp(t1, "sk-", 3) == 0 && strlen(t1) < 64);
    ASSERT_TRUE(strcmp(t1, t2) != 0 && strcmp(t2, t3) != 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM launch_requests WHERE state='intended'"), 3);
    ASSERT_EQ_INT(sk_journal_launch_sent(j, r1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_sent(j, r2, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_result(j, r1, "i-1", "{\"synkti:run\":\"run-1\"}", NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_result(j, r1, "i-1", NULL, NULL, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_launch_sent(j, r1, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_launch_result(j, r2, NULL, NULL, "InsufficientInstanceCapacity", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_result(j, 99, "i-9", NULL, NULL, err, sizeof err), SK_ENOENT);
    char buf[128];
    q_text(j, "SELECT reason FROM launch_requests WHERE id=2", buf, sizeof buf);
    ASSERT_TRUE(!strcmp(buf, "InsufficientInstanceCapacity"));
    q_text(j, "SELECT job || '/' || request || '/' || state FROM instances WHERE id='i-1'", buf, sizeof buf);
    ASSERT_TRUE(!strcmp(buf, "a/1/live"));

    /* the recovery view: r3 open, i-1 live, job a not terminal */
    sk_jr_view v;
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    ASSERT_EQ_INT(v.nreq, 1);
    ASSERT_EQ_INT(v.req[0].id, r3);
    ASSERT_TRUE(!strcmp(v.req[0].token, t3) && !strcmp(v.req[0].zone, "us-east-1c"));
    ASSERT_EQ_INT(v.ninst, 1);
    ASSERT_TRUE(!strcmp(v.inst[0].id, "i-1") && v.inst[0].request == r1);
    ASSERT_EQ_INT(v.njobs, 1);
    sk_jr_view_free(&v);

    /* terminate intent and result */
    ASSERT_EQ_INT(sk_journal_terminate_result(j, "i-1", err, sizeof err), SK_EDATA); /* no intent yet */
    ASSERT_EQ_INT(sk_journal_intend_terminate(j, "i-1", "job done", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    ASSERT_EQ_INT(v.ninst, 1);
    ASSERT_EQ_INT(v.inst[0].state, SK_JI_TERMINATING);
    sk_jr_view_free(&v);
    ASSERT_EQ_INT(sk_journal_terminate_result(j, "i-1", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_intend_terminate(j, "i-1", NULL, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_intend_terminate(j, "i-x", NULL, err, sizeof err), SK_ENOENT);

    /* checkpoints: seq strictly increasing, job progress follows in the same transaction */
    ASSERT_EQ_INT(sk_journal_checkpoint(j, "a", 1, "file:///c/a.1", 0.25, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_checkpoint(j, "a", 2, "file:///c/a.2", 0.5, SHA, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_checkpoint(j, "a", 2, "file:///c/a.x", 0.9, NULL, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_journal_checkpoint(j, "zz", 1, "x", 0.1, NULL, err, sizeof err), SK_ENOENT);
    double prog;
    ASSERT_EQ_INT(sk_journal_job_get(j, "a", NULL, &prog, NULL, err, sizeof err), 0);
    ASSERT_NEAR(prog, 0.5, 0);
    q_text(j, "SELECT ckpt FROM jobs WHERE id='a'", buf, sizeof buf);
    ASSERT_TRUE(!strcmp(buf, "file:///c/a.2"));
    ASSERT_EQ_INT(sk_journal_event(j, "notice", "{\"inst\":\"i-1\"}", err, sizeof err), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM events WHERE kind='notice'"), 1);
    /* a launch for a finished job is refused */
    ASSERT_EQ_INT(sk_journal_job_state(j, "a", SK_JOB_ABANDONED, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_intend_launch(j, "z", "t", "spot", "a", &r1, t1, err, sizeof err), SK_EDATA);
    sk_journal_close(j);
}

/* ---- reconcile ---- */

static sk_jr_view mkview(sk_jr_request *req, size_t nreq, sk_jr_instance *inst, size_t ninst, sk_jr_job *jobs,
                         size_t njobs) {
    sk_jr_view v = {req, nreq, inst, ninst, jobs, njobs};
    return v;
}

/* Actions as "kind:inst:job:req" joined by spaces. */
static void fmt_actions(const sk_rc_action *a, int n, char *out, size_t len) {
    out[0] = 0;
    for (int k = 0; k < n; k++) {
        size_t l = strlen(out);
        snprintf(out + l, len - l, "%s%s:%s:%s:%lld", k ? " " : "", sk_rc_kind_name(a[k].kind), a[k].inst, a[k].job,
                 (long long)a[k].req);
    }
}

#define RECONCILE_IS(v, prov, np, want)                                                              \
    do {                                                                                             \
        sk_rc_action a_[32];                                                                         \
        char got_[1024];                                                                             \
        int n_ = sk_reconcile(&(v), (prov), (np), a_, 32);                                           \
        ASSERT_TRUE(n_ >= 0 && n_ <= 32);                                                            \
        fmt_actions(a_, n_, got_, sizeof got_);                                                      \
        if (strcmp(got_, (want))) SK_T_FAIL_("reconcile: got '%s', want '%s'", got_, (want));         \
    } while (0)

static void test_reconcile_rules(void) {
    sk_jr_job jobs[] = {{"j1", SK_JOB_SUBMITTED, 0, 0}, {"j2", SK_JOB_RUNNING, 0.5, 0},
                        {"j3", SK_JOB_QUEUED, 0, 0},    {"j4", SK_JOB_RUNNING, 0.2, 1}};
    sk_jr_request req[] = {{.id = 1, .state = SK_LR_SENT, .token = "tok1", .job = "j1"},
                           {.id = 2, .state = SK_LR_INTENDED, .token = "tok2", .job = "j3"},
                           {.id = 3, .state = SK_LR_SENT, .token = "tok3", .job = "done"}};
    sk_jr_instance inst[] = {{"i-2", "j2", 0, SK_JI_LIVE},   {"i-idle", "", 0, SK_JI_LIVE},
                             {"i-old", "done", 0, SK_JI_LIVE}, {"i-t", "", 0, SK_JI_TERMINATING},
                             {"i-t2", "", 0, SK_JI_TERMINATING}};
    sk_jr_view v;

    /* in sync: nothing to do (idle capacity is kept) */
    v = mkview(NULL, 0, inst, 2, jobs + 1, 1);
    sk_prov_inst p0[] = {{"i-2", SK_PI_RUNNING, "x"}, {"i-idle", SK_PI_PENDING, NULL}};
    RECONCILE_IS(v, p0, 2, "");

    /* adopt: the provider has an instance whose token is an open request */
    v = mkview(req, 1, NULL, 0, jobs, 1);
    sk_prov_inst p1[] = {{"i-1", SK_PI_RUNNING, "tok1"}};
    RECONCILE_IS(v, p1, 1, "adopt:i-1:j1:1");
    /* the same token twice: adopt the first by id, terminate the second */
    sk_prov_inst p1b[] = {{"i-1b", SK_PI_RUNNING, "tok1"}, {"i-1a", SK_PI_PENDING, "tok1"}};
    RECONCILE_IS(v, p1b, 2, "adopt:i-1a:j1:1 terminate:i-1b::1");
    /* adopt then terminate: the request's job has ended */
    v = mkview(req + 2, 1, NULL, 0, jobs + 2, 1);
    sk_prov_inst p1c[] = {{"i-3", SK_PI_RUNNING, "tok3"}};
    RECONCILE_IS(v, p1c, 1, "adopt:i-3:done:3 terminate:i-3:done:3");
    /* launched and already gone: adopt then lost */
    v = mkview(req, 1, NULL, 0, jobs, 1);
    sk_prov_inst p1d[] = {{"i-1", SK_PI_GONE, "tok1"}};
    RECONCILE_IS(v, p1d, 1, "adopt:i-1:j1:1 lost:i-1:j1:1");

    /* terminate: unknown token, no token, job ended, unconfirmed terminate intent */
    v = mkview(NULL, 0, inst, 5, jobs, 4);
    sk_prov_inst p2[] = {{"i-2", SK_PI_RUNNING, NULL},  {"i-idle", SK_PI_RUNNING, NULL},
                         {"i-old", SK_PI_RUNNING, NULL}, {"i-t", SK_PI_STOPPING, NULL},
                         {"i-x", SK_PI_RUNNING, "zzz"},  {"i-y", SK_PI_PENDING, NULL},
                         {"i-t2", SK_PI_GONE, NULL}};
    RECONCILE_IS(v, p2, 7,
                 "terminate:i-old:done:0 terminate:i-t::0 terminate:i-x::0 terminate:i-y::0 terminated:i-t2::0 "
                 "requeue::j1:0 requeue::j4:0");
    /* a gone instance the journal never knew needs nothing */
    v = mkview(NULL, 0, NULL, 0, NULL, 0);
    sk_prov_inst p2b[] = {{"i-z", SK_PI_GONE, "zzz"}};
    RECONCILE_IS(v, p2b, 1, "");

    /* lost: journal live, provider gone or absent; the job is not requeued twice */
    v = mkview(NULL, 0, inst, 2, jobs + 1, 1);
    sk_prov_inst p3[] = {{"i-2", SK_PI_GONE, NULL}};
    RECONCILE_IS(v, p3, 1, "lost:i-2:j2:0 lost:i-idle::0");

    /* reissue an open request with no instance; fail one whose job ended */
    v = mkview(req, 3, NULL, 0, jobs, 4);
    RECONCILE_IS(v, NULL, 0, "reissue::j1:1 reissue::j3:2 fail::done:3 requeue::j2:0 requeue::j4:0");
    /* a job of several instances: a second request for a job that has one is still wanted */
    sk_jr_request r4[] = {{.id = 4, .state = SK_LR_SENT, .token = "tok4", .job = "j2"},
                          {.id = 5, .state = SK_LR_SENT, .token = "tok5", .job = "j2"}};
    v = mkview(r4, 2, inst, 1, jobs + 1, 1);
    sk_prov_inst p4[] = {{"i-2", SK_PI_RUNNING, NULL}, {"i-5", SK_PI_RUNNING, "tok5"}};
    RECONCILE_IS(v, p4, 2, "adopt:i-5:j2:5 reissue::j2:4");
    /* reissue with the same token */
    v = mkview(req, 1, NULL, 0, jobs, 1);
    sk_rc_action a[4];
    ASSERT_EQ_INT(sk_reconcile(&v, NULL, 0, a, 4), 1);
    ASSERT_TRUE(!strcmp(a[0].token, "tok1"));

    /* requeue: a running job with no instance and no request */
    v = mkview(NULL, 0, NULL, 0, jobs, 4);
    RECONCILE_IS(v, NULL, 0, "requeue::j1:0 requeue::j2:0 requeue::j4:0");

    /* order independence, cap, duplicates */
    v = mkview(NULL, 0, inst, 5, jobs, 4);
    sk_prov_inst p5[7];
    for (int k = 0; k < 7; k++) p5[k] = p2[6 - k];
    RECONCILE_IS(v, p5, 7,
                 "terminate:i-old:done:0 terminate:i-t::0 terminate:i-x::0 terminate:i-y::0 terminated:i-t2::0 "
                 "requeue::j1:0 requeue::j4:0");
    ASSERT_EQ_INT(sk_reconcile(&v, p5, 7, a, 2), 7);
    ASSERT_EQ_INT(a[0].kind, SK_RC_TERMINATE);
    sk_prov_inst dup[] = {{"i-1", SK_PI_RUNNING, NULL}, {"i-1", SK_PI_GONE, NULL}};
    ASSERT_EQ_INT(sk_reconcile(&v, dup, 2, a, 4), SK_EDATA);
}

/* Apply on a real journal, then a second reconcile against the provider's new state is empty. */
static void test_reconcile_apply(void) {
    sk_journal *j = fresh("apply.db");
    ASSERT_TRUE(j);
    int64_t r[4];
    char t[4][SK_JR_IDLEN];
    const char *jobs[] = {"a", "b", "c", "d"};
    for (int k = 0; k < 4; k++) {
        ASSERT_EQ_INT(sk_journal_add_job(j, jobs[k], "{}", err, sizeof err), 0);
        ASSERT_EQ_INT(sk_journal_job_state(j, jobs[k], SK_JOB_QUEUED, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_journal_job_state(j, jobs[k], SK_JOB_SUBMITTED, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_journal_intend_launch(j, "z", "g", "spot", jobs[k], &r[k], t[k], err, sizeof err), 0);
        ASSERT_EQ_INT(sk_journal_launch_sent(j, r[k], err, sizeof err), 0);
    }
    /* a: fulfilled, running, then lost; b: launched, result unrecorded (adopt); c: never reached the
     * provider (reissue); d: fulfilled and completed, instance still up (terminate) */
    ASSERT_EQ_INT(sk_journal_launch_result(j, r[0], "i-a", NULL, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_job_state(j, "a", SK_JOB_RUNNING, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_result(j, r[3], "i-d", NULL, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_job_state(j, "d", SK_JOB_RUNNING, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_job_state(j, "d", SK_JOB_COMPLETED, err, sizeof err), 0);
    sk_prov_inst prov[] = {{"i-b", SK_PI_RUNNING, t[1]}, {"i-d", SK_PI_RUNNING, t[3]}, {"i-u", SK_PI_RUNNING, "other"}};
    sk_jr_view v;
    sk_rc_action a[16];
    char got[1024];
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    int n = sk_reconcile(&v, prov, 3, a, 16);
    sk_jr_view_free(&v);
    fmt_actions(a, n, got, sizeof got);
    ASSERT_TRUE(!strcmp(got, "adopt:i-b:b:2 terminate:i-d:d:0 terminate:i-u::0 lost:i-a:a:0 reissue::c:3"));
    ASSERT_EQ_INT(sk_journal_apply(j, a, (size_t)n, err, sizeof err), 0);
    /* the caller performs them: terminations, and the reissued launch */
    ASSERT_EQ_INT(sk_journal_terminate_result(j, "i-d", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_terminate_result(j, "i-u", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_journal_launch_result(j, r[2], "i-c", NULL, NULL, err, sizeof err), 0);
    sk_job_state s;
    int retries;
    ASSERT_EQ_INT(sk_journal_job_get(j, "a", &s, NULL, &retries, err, sizeof err), 0);
    ASSERT_EQ_INT(s, SK_JOB_QUEUED);
    ASSERT_EQ_INT(retries, 1);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM events WHERE kind='reconcile'"), 5);
    char ev[256];
    q_text(j, "SELECT json FROM events WHERE kind='reconcile' ORDER BY id LIMIT 1", ev, sizeof ev);
    ASSERT_STR_CONTAINS(ev, "\"action\":\"adopt\"");
    ASSERT_STR_CONTAINS(ev, "\"inst\":\"i-b\"");
    sk_prov_inst prov2[] = {{"i-b", SK_PI_RUNNING, t[1]}, {"i-c", SK_PI_PENDING, t[2]}};
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_reconcile(&v, prov2, 2, a, 16), 0);
    sk_jr_view_free(&v);
    ASSERT_EQ_INT(sk_journal_run_done(j, err, sizeof err), 0);
    q_text(j, "SELECT state FROM run", ev, sizeof ev);
    ASSERT_TRUE(!strcmp(ev, "done"));
    sk_journal_close(j);
}

/* ---- SIGKILL crash trials ----
 * The simulated provider is an append-only log: "L token inst" (launched), "T inst" (terminated),
 * "P inst" (preempted while the controller was down). Each line is one write(2), done between the
 * journal's intent and its result, as the real provider call would be. */

typedef struct {
    char id[SK_JR_IDLEN], token[SK_JR_IDLEN];
    int alive;
} sim_inst;
typedef struct {
    sim_inst *v;
    size_t n, cap;
} sim_prov;

static void plog(int fd, const char *fmt, ...) {
    char b[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (write(fd, b, (size_t)n) != n) _exit(3);
}

static sim_inst *sim_find(sim_prov *p, const char *id) {
    for (size_t k = 0; k < p->n; k++)
        if (!strcmp(p->v[k].id, id)) return &p->v[k];
    return NULL;
}

/* Replay the log's complete lines. */
static void sim_load(sim_prov *p, const char *path) {
    p->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        if (!l || line[l - 1] != '\n') break; /* a torn last line: the call never completed */
        char a[SK_JR_IDLEN], b[SK_JR_IDLEN];
        if (line[0] == 'L' && sscanf(line + 2, "%63s %63s", a, b) == 2) {
            if (p->n == p->cap) {
                p->cap = p->cap ? 2 * p->cap : 64;
                p->v = realloc(p->v, p->cap * sizeof *p->v);
            }
            sim_inst *s = &p->v[p->n++];
            snprintf(s->token, sizeof s->token, "%s", a);
            snprintf(s->id, sizeof s->id, "%s", b);
            s->alive = 1;
        } else if ((line[0] == 'T' || line[0] == 'P') && sscanf(line + 2, "%63s", a) == 1) {
            sim_inst *s = sim_find(p, a);
            if (s) s->alive = 0;
        }
    }
    fclose(f);
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Step-kill trials: the child SIGKILLs itself before its kill_at-th step (a journal call or a
 * provider call), so every window of the protocol is hit, the narrow ones included. */
static long steps, kill_at;
static void step(void) {
    if (kill_at && ++steps == kill_at) raise(SIGKILL);
}
#define CK(call)                                                                                     \
    do {                                                                                             \
        step();                                                                                      \
        if ((call) != 0) _exit(2);                                                                   \
    } while (0)

/* The child: the controller's write pattern, forever, until SIGKILL. */
static _Noreturn void child_loop(const char *db, const char *logp, int trial) {
    sk_journal *j = NULL;
    char e[256];
    if (sk_journal_open(&j, db, "crash-run", SHA, e, sizeof e)) _exit(2);
    int fd = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) _exit(2);
    for (int k = 0;; k++) {
        char job[48], inst[48], loc[64];
        snprintf(job, sizeof job, "t%d-j%d", trial, k);
        snprintf(inst, sizeof inst, "i-%d-%d", trial, k);
        CK(sk_journal_add_job(j, job, "{\"tokens\":64}", e, sizeof e));
        CK(sk_journal_job_state(j, job, SK_JOB_QUEUED, e, sizeof e));
        CK(sk_journal_job_state(j, job, SK_JOB_SUBMITTED, e, sizeof e));
        int64_t req;
        char tok[SK_JR_IDLEN];
        CK(sk_journal_intend_launch(j, "z1", "g5.xlarge", "spot", job, &req, tok, e, sizeof e));
        CK(sk_journal_launch_sent(j, req, e, sizeof e));
        if (k % 4 == 3) { /* capacity error: the job waits in the queue */
            CK(sk_journal_launch_result(j, req, NULL, NULL, "InsufficientInstanceCapacity", e, sizeof e));
            CK(sk_journal_job_state(j, job, SK_JOB_RETRY, e, sizeof e));
            CK(sk_journal_job_state(j, job, SK_JOB_QUEUED, e, sizeof e));
            continue;
        }
        step();
        plog(fd, "L %s %s\n", tok, inst);
        CK(sk_journal_launch_result(j, req, inst, "{\"synkti:run\":\"crash-run\"}", NULL, e, sizeof e));
        CK(sk_journal_job_state(j, job, SK_JOB_RUNNING, e, sizeof e));
        for (int c = 1; c <= 3; c++) {
            snprintf(loc, sizeof loc, "file:///ckpt/%s.%d", job, c);
            CK(sk_journal_checkpoint(j, job, c, loc, c / 3.0, NULL, e, sizeof e));
        }
        CK(sk_journal_job_state(j, job, SK_JOB_COMPLETED, e, sizeof e));
        CK(sk_journal_intend_terminate(j, inst, "job completed", e, sizeof e));
        step();
        plog(fd, "T %s\n", inst);
        CK(sk_journal_terminate_result(j, inst, e, sizeof e));
        CK(sk_journal_event(j, "job_done", "{}", e, sizeof e));
    }
}

typedef struct {
    int adopt, terminate, terminated, lost, reissue, fail, requeue, jobs, completed, kills;
} crash_tally;

static void crash_trial(const char *db, const char *logp, int trial, crash_tally *ct) {
    uint64_t seed = 0x5eed0000ULL + (uint64_t)trial;
    /* even trials: the parent kills after a seeded delay (3..63 ms); odd trials sweep the child's
     * steps 1, 2, 3, ...: a whole job cycle (16 steps), so every window of the protocol is hit */
    uint64_t delay_us = 3000 + splitmix(&seed) % 60000;
    long at = trial % 2 ? 1 + trial / 2 : 0;
    pid_t pid = fork();
    if (pid < 0) SK_T_FAIL_("fork: %s", strerror(errno));
    if (pid == 0) {
        steps = 0, kill_at = at;
        child_loop(db, logp, trial);
    }
    if (!at) {
        struct timespec ts = {0, (long)delay_us * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        SK_T_FAIL_("trial %d: child ended on its own (status %d)", trial, status);
    ct->kills++;

    sk_journal *j = NULL;
    char mode[64];
    ASSERT_EQ_INT(sk_journal_open(&j, db, "crash-run", SHA, err, sizeof err), 0);
    q_text(j, "PRAGMA integrity_check", mode, sizeof mode);
    if (strcmp(mode, "ok")) SK_T_FAIL_("trial %d: integrity_check: %s", trial, mode);
    q_text(j, "PRAGMA journal_mode", mode, sizeof mode);
    ASSERT_TRUE(!strcmp(mode, "wal"));
    ASSERT_EQ_INT(q_int(j, "PRAGMA foreign_key_check"), -999); /* no rows */
    /* no half transaction: every fulfilled request has its instance and back; every job's progress
     * is its last checkpoint's; a completed job has all three checkpoints */
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM launch_requests r WHERE state='fulfilled' AND NOT EXISTS"
                           " (SELECT 1 FROM instances i WHERE i.id=r.instance AND i.request=r.id)"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM instances i WHERE request IS NOT NULL AND NOT EXISTS"
                           " (SELECT 1 FROM launch_requests r WHERE r.id=i.request AND r.instance=i.id"
                           " AND r.state='fulfilled')"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM jobs b WHERE progress != COALESCE((SELECT progress FROM"
                           " checkpoints c WHERE c.job=b.id ORDER BY seq DESC LIMIT 1), 0)"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM jobs b WHERE state='completed' AND"
                           " (SELECT COUNT(*) FROM checkpoints c WHERE c.job=b.id) != 3"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM launch_requests WHERE state NOT IN"
                           " ('intended','sent','fulfilled','failed') OR (state='failed') != (reason IS NOT NULL)"), 0);

    /* the provider's truth, with some instances preempted while the controller was down */
    sim_prov p = {0};
    sim_load(&p, logp);
    int fd = open(logp, O_WRONLY | O_APPEND);
    ASSERT_TRUE(fd >= 0);
    for (size_t k = 0; k < p.n; k++)
        if (p.v[k].alive && splitmix(&seed) % 4 == 0) {
            plog(fd, "P %s\n", p.v[k].id);
            p.v[k].alive = 0;
        }
    sk_prov_inst *pl = calloc(p.n + 1, sizeof *pl);
    for (size_t k = 0; k < p.n; k++)
        pl[k] = (sk_prov_inst){p.v[k].id, p.v[k].alive ? SK_PI_RUNNING : SK_PI_GONE, p.v[k].token};

    sk_jr_view v;
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    int n = sk_reconcile(&v, pl, p.n, NULL, 0);
    ASSERT_TRUE(n >= 0);
    sk_rc_action *a = calloc((size_t)n + 1, sizeof *a);
    ASSERT_EQ_INT(sk_reconcile(&v, pl, p.n, a, (size_t)n), n);
    sk_jr_view_free(&v);
    ASSERT_EQ_INT(sk_journal_apply(j, a, (size_t)n, err, sizeof err), 0);
    for (int k = 0; k < n; k++) {
        switch (a[k].kind) {
        case SK_RC_ADOPT: ct->adopt++; break;
        case SK_RC_TERMINATE: /* the provider call, then its result */
            ct->terminate++;
            plog(fd, "T %s\n", a[k].inst);
            ASSERT_EQ_INT(sk_journal_terminate_result(j, a[k].inst, err, sizeof err), 0);
            break;
        case SK_RC_TERMINATED: ct->terminated++; break;
        case SK_RC_LOST: ct->lost++; break;
        case SK_RC_REISSUE: { /* RunInstances with the same token: the provider had never seen it */
            ct->reissue++;
            char inst[64];
            snprintf(inst, sizeof inst, "r-%d-%lld", trial, (long long)a[k].req);
            plog(fd, "L %s %s\n", a[k].token, inst);
            ASSERT_EQ_INT(sk_journal_launch_result(j, a[k].req, inst, NULL, NULL, err, sizeof err), 0);
            break;
        }
        case SK_RC_FAIL: ct->fail++; break;
        case SK_RC_REQUEUE: ct->requeue++; break;
        }
    }
    close(fd);
    free(a);

    /* exact account: the provider's live set is the journal's live set, nothing open or pending,
     * every live instance serves one live placed job, every placed job has exactly one */
    sim_load(&p, logp);
    size_t alive = 0;
    for (size_t k = 0; k < p.n; k++) {
        if (!p.v[k].alive) continue;
        alive++;
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM instances WHERE id='%s' AND state='live'", p.v[k].id);
        if (q_int(j, sql) != 1) SK_T_FAIL_("trial %d: provider instance %s not live in the journal", trial, p.v[k].id);
    }
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM instances WHERE state='live'"), (int64_t)alive);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM instances WHERE state='terminating'"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM launch_requests WHERE state IN ('intended','sent')"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM instances i JOIN jobs b ON b.id=i.job WHERE i.state='live'"
                           " AND b.state NOT IN ('submitted','running')"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM jobs b WHERE b.state IN ('submitted','running') AND"
                           " (SELECT COUNT(*) FROM instances i WHERE i.job=b.id AND i.state='live') != 1"), 0);
    ASSERT_EQ_INT(q_int(j, "SELECT COUNT(*) FROM jobs WHERE state NOT IN ('queued','retry','submitted',"
                           "'running','completed','created')"), 0);
    /* a second reconcile finds nothing to do */
    sk_prov_inst *pl2 = calloc(p.n + 1, sizeof *pl2);
    for (size_t k = 0; k < p.n; k++)
        pl2[k] = (sk_prov_inst){p.v[k].id, p.v[k].alive ? SK_PI_RUNNING : SK_PI_GONE, p.v[k].token};
    ASSERT_EQ_INT(sk_journal_load_view(j, &v, err, sizeof err), 0);
    int n2 = sk_reconcile(&v, pl2, p.n, NULL, 0);
    sk_jr_view_free(&v);
    if (n2 != 0) SK_T_FAIL_("trial %d: second reconcile wants %d actions", trial, n2);
    ct->jobs = (int)q_int(j, "SELECT COUNT(*) FROM jobs");
    ct->completed = (int)q_int(j, "SELECT COUNT(*) FROM jobs WHERE state='completed'");
    free(pl);
    free(pl2);
    free(p.v);
    sk_journal_close(j);
}

static void test_crash(void) {
    char db[128], logp[128];
    path_in(db, sizeof db, "crash.db");
    path_in(logp, sizeof logp, "provider.log");
    rm_db(db);
    unlink(logp);
    crash_tally ct = {0};
    int trials = 48;
    for (int t = 0; t < trials && !sk_t_fail; t++) crash_trial(db, logp, t, &ct);
    ASSERT_EQ_INT(ct.kills, trials);
    ASSERT_TRUE(ct.jobs > 0);
    /* the step sweep alone (deterministic) produces each recovery case at least once */
    ASSERT_TRUE(ct.adopt >= 1);
    ASSERT_TRUE(ct.terminate >= 1);
    ASSERT_TRUE(ct.terminated >= 1);
    ASSERT_TRUE(ct.reissue >= 1);
    ASSERT_TRUE(ct.lost >= 1);
    printf("  crash: %d kills, %d jobs (%d completed); reconcile: adopt %d, terminate %d, terminated %d,"
           " lost %d, reissue %d, fail %d, requeue %d\n",
           ct.kills, ct.jobs, ct.completed, ct.adopt, ct.terminate, ct.terminated, ct.lost, ct.reissue, ct.fail,
           ct.requeue);
}

static void cleanup(void) {
    static const char *names[] = {"schema.db", "trans.db", "intents.db", "apply.db", "crash.db", NULL};
    char p[128];
    for (int k = 0; names[k]; k++) path_in(p, sizeof p, names[k]), rm_db(p);
    path_in(p, sizeof p, "garbage.db"), unlink(p);
    path_in(p, sizeof p, "provider.log"), unlink(p);
    rmdir(dir);
}

int main(int argc, char **argv) {
    snprintf(dir, sizeof dir, "/tmp/sk_journal_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    static const sk_test tests[] = {
        {"schema", test_schema},
        {"transitions", test_transitions},
        {"intents", test_intents},
        {"reconcile_rules", test_reconcile_rules},
        {"reconcile_apply", test_reconcile_apply},
        {"crash", test_crash},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc, argv);
    cleanup();
    return rc;
}
