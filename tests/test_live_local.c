/* test_live_local.c - the local provider side of live mode: the IMDSv2 emulator (token flow, 401/400,
 * notice and rebalance documents), `synkti agent` interrupted mid-work by a notice (checkpoints,
 * exits 75 before the deadline) and resumed by a second instance to an output byte-identical to an
 * uninterrupted run, provider launch/list/terminate/interrupt with every child reaped (PIDs gone),
 * SIGKILL after the grace, capacity limits and scripted capacity errors, client-token idempotency.
 * Everything on 127.0.0.1; every server and process started here is stopped here by its PID.
 * argv[1]: the synkti binary. Data: a tiny synthetic model written to a temporary folder. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <pthread.h>

#include "infer/sk_infer.h"
#include "live/sk_imds.h"
#include "live/sk_local.h"
#include "sk_error.h"
#include "test.h"
#include "test_collector.h"

extern char **environ;
static const char *synkti_bin;
static char tmpdir[256], model_path[512], prompt_path[512];

/* ---- HTTP helper ------------------------------------------------------------------------------ */

typedef struct {
    char buf[4096];
    size_t n;
} body_t;

static size_t wcb(char *p, size_t sz, size_t nm, void *ud) {
    body_t *b = ud;
    size_t k = sz * nm;
    if (b->n + k >= sizeof b->buf) return 0;
    memcpy(b->buf + b->n, p, k);
    b->n += k;
    b->buf[b->n] = 0;
    return k;
}

static long http(const char *method, const char *url, const char *hdr, body_t *b) {
    CURL *c = curl_easy_init();
    struct curl_slist *h = hdr ? curl_slist_append(NULL, hdr) : NULL;
    b->n = 0, b->buf[0] = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcmp(method, "PUT")) curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, wcb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return code;
}

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void nap(double s) {
    struct timespec d = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&d, NULL);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = malloc(1 << 20);
    size_t n = s ? fread(s, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (s) s[n] = 0;
    return s;
}

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* ---- IMDS ------------------------------------------------------------------------------------- */

static void test_imds_token_flow(void) {
    sk_imds *s = NULL;
    char err[256], url[256], hdr[128];
    sk_imds_cfg cfg = {"i-local-test", "local-1b", "local.cpu", 1};
    ASSERT_EQ_INT(sk_imds_start(&s, &cfg, 0, err, sizeof err), 0);
    ASSERT_TRUE(sk_imds_port(s) > 0);
    ASSERT_STR_CONTAINS(sk_imds_url(s), "http://127.0.0.1:");
    body_t b;
    snprintf(url, sizeof url, "%s/latest/meta-data/instance-id", sk_imds_url(s));
    long code = http("GET", url, NULL, &b);
    ASSERT_EQ_INT(code, 401);
    char tokurl[256];
    snprintf(tokurl, sizeof tokurl, "%s/latest/api/token", sk_imds_url(s));
    ASSERT_EQ_INT(http("PUT", tokurl, NULL, &b), 400);
    ASSERT_EQ_INT(http("PUT", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 0", &b), 400);
    ASSERT_EQ_INT(http("PUT", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 21601", &b), 400);
    ASSERT_EQ_INT(http("PUT", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 12x", &b), 400);
    ASSERT_EQ_INT(http("GET", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 60", &b), 401);
    ASSERT_EQ_INT(http("PUT", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 21600", &b), 200);
    ASSERT_EQ_INT(strlen(b.buf), 32);
    snprintf(hdr, sizeof hdr, "X-aws-ec2-metadata-token: %.64s", b.buf);
    ASSERT_EQ_INT(http("GET", url, "X-aws-ec2-metadata-token: 0123456789abcdef0123456789abcdef", &b), 401);
    ASSERT_EQ_INT(http("GET", url, hdr, &b), 200);
    ASSERT_TRUE(!strcmp(b.buf, "i-local-test"));
    snprintf(url, sizeof url, "%s/latest/meta-data/placement/availability-zone", sk_imds_url(s));
    ASSERT_EQ_INT(http("GET", url, hdr, &b), 200);
    ASSERT_TRUE(!strcmp(b.buf, "local-1b"));
    snprintf(url, sizeof url, "%s/latest/meta-data/instance-life-cycle", sk_imds_url(s));
    ASSERT_EQ_INT(http("GET", url, hdr, &b), 200);
    ASSERT_TRUE(!strcmp(b.buf, "spot"));
    snprintf(url, sizeof url, "%s/latest/meta-data/instance-type", sk_imds_url(s));
    ASSERT_EQ_INT(http("GET", url, hdr, &b), 200);
    ASSERT_TRUE(!strcmp(b.buf, "local.cpu"));
    snprintf(url, sizeof url, "%s/latest/meta-data/no-such-key", sk_imds_url(s));
    ASSERT_EQ_INT(http("GET", url, hdr, &b), 404);
    char act[256], reb[256];
    snprintf(act, sizeof act, "%s/latest/meta-data/spot/instance-action", sk_imds_url(s));
    snprintf(reb, sizeof reb, "%s/latest/meta-data/events/recommendations/rebalance", sk_imds_url(s));
    ASSERT_EQ_INT(http("GET", act, hdr, &b), 404);
    ASSERT_EQ_INT(http("GET", reb, hdr, &b), 404);
    ASSERT_EQ_INT(http("GET", act, NULL, &b), 401);
    double t0 = wall();
    sk_imds_notice(s, 120);
    ASSERT_EQ_INT(http("GET", act, hdr, &b), 200);
    ASSERT_STR_CONTAINS(b.buf, "\"action\": \"terminate\"");
    const char *tp = strstr(b.buf, "\"time\": \"");
    ASSERT_TRUE(tp != NULL);
    char ts[40] = "";
    sscanf(tp + 9, "%39[^\"]", ts);
    double te = sk_imds_parse_iso8601(ts);
    ASSERT_TRUE(ts[strlen(ts) - 1] == 'Z');
    ASSERT_TRUE(te >= (double)(long)t0 + 119 && te <= t0 + 121); /* 120 s ahead, floored to the second */
    sk_imds_notice(s, 5); /* the first notice stays */
    ASSERT_NEAR(sk_imds_notice_time(s), te, 1.0);
    sk_imds_rebalance(s);
    ASSERT_EQ_INT(http("GET", reb, hdr, &b), 200);
    ASSERT_STR_CONTAINS(b.buf, "{\"noticeTime\": \"");
    ASSERT_TRUE(sk_imds_tokens_issued(s) == 1);
    /* short-lived tokens expire */
    ASSERT_EQ_INT(http("PUT", tokurl, "X-aws-ec2-metadata-token-ttl-seconds: 1", &b), 200);
    char hdr2[128];
    snprintf(hdr2, sizeof hdr2, "X-aws-ec2-metadata-token: %.64s", b.buf);
    nap(1.2);
    ASSERT_EQ_INT(http("GET", act, hdr2, &b), 401);
    ASSERT_EQ_INT(http("GET", act, hdr, &b), 200);
    sk_imds_stop(s);
    ASSERT_EQ_INT(http("GET", act, hdr, &b), 0); /* stopped: nothing listens */
    ASSERT_NEAR(sk_imds_parse_iso8601("2026-01-02T03:04:05Z"), 1767323045.0, 0);
    ASSERT_TRUE(sk_imds_parse_iso8601("garbage") < 0);
}

/* ---- agent: reference, interrupt, resume ------------------------------------------------------- */

#define JOB_TOKENS "120"

/* Run `synkti agent ... --imds off` to completion; its exit status. */
static int run_reference(const char *dir) {
    char *argv[] = {(char *)synkti_bin, "agent", "-m", model_path, "-p", prompt_path, "-n", JOB_TOKENS,
                    "-d", (char *)dir, "--checkpoint-every", "40", "--imds", "off", "--backend", "cpu",
                    "--temperature", "0.9", "--seed", "5", NULL};
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    int e = posix_spawn(&pid, synkti_bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e) return -1;
    int st;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int wait_state(sk_local *p, const char *id, sk_local_state s, double timeout) {
    double end = wall() + timeout;
    sk_local_inst in;
    while (wall() < end) {
        sk_local_poll(p);
        if (sk_local_describe(p, id, &in) == 0 && in.state >= s) return 1;
        nap(0.01);
    }
    return 0;
}

static int pid_gone(pid_t pid) { return pid > 0 && kill(pid, 0) == -1 && errno == ESRCH; }

static void test_agent_interrupt_resume(void) {
    char ref_dir[600], ck_dir[600], logs[600], refout[700], ck25[700], logp[700], out[700];
    snprintf(ref_dir, sizeof ref_dir, "%s/ref", tmpdir);
    snprintf(ck_dir, sizeof ck_dir, "%s/job", tmpdir);
    snprintf(logs, sizeof logs, "%s/logs", tmpdir);
    mkdir(logs, 0777);
    ASSERT_EQ_INT(run_reference(ref_dir), 0);
    snprintf(refout, sizeof refout, "%s/output.txt", ref_dir);
    char *ref = slurp(refout);
    ASSERT_TRUE(ref && strlen(ref) > 100);

    sk_local *p = NULL;
    char err[512], id1[64], id2[64];
    /* 120 notice seconds * 0.05 = 6 wall seconds; the job alone needs 120 x 20 ms = 2.4 s, so an
     * agent that missed the notice would finish (exit 0) before the provider terminates it */
    sk_local_cfg cfg = {synkti_bin, logs, 0.05, 3.0, 0};
    ASSERT_EQ_INT(sk_local_new(&p, &cfg, err, sizeof err), 0);
    /* the first instance checkpoints only on the notice; the second every 25 tokens. Sampling
     * (temperature 0.9) makes the output depend on the RNG state carried in the checkpoint. */
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", JOB_TOKENS, "-d", ck_dir, "--checkpoint-every", "0",
                    "--poll", "0.05", "--pace-ms", "20", "--backend", "cpu", "--temperature", "0.9", "--seed", "5",
                    "--heartbeat", "0.1"};
    char *args2[22];
    memcpy(args2, args, sizeof args);
    args2[9] = "25";
    sk_local_launch_req rq = {"local-1a", "local.cpu", 1, "tok-1", "run-A", 22, args, NULL};
    int rc = sk_local_launch(p, &rq, id1, sizeof id1, err, sizeof err);
    if (rc) sk_local_free(p);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(!strncmp(id1, "i-local-", 8));
    snprintf(logp, sizeof logp, "%s/%s.log", logs, id1);
    double end = wall() + 60;
    int mid = 0;
    while (!mid && wall() < end) { /* mid-work: the agent has reported progress */
        char *l = slurp(logp);
        mid = l && strstr(l, "\"event\":\"heartbeat\"");
        free(l);
        if (!mid) nap(0.01);
    }
    sk_local_inst in;
    sk_local_poll(p);
    sk_local_describe(p, id1, &in);
    pid_t pid1 = in.pid;
    ASSERT_TRUE(mid || (sk_local_free(p), 0));
    ASSERT_EQ_INT(in.state, SK_LOCAL_RUNNING); /* it fetched its token */
    ASSERT_EQ_INT(sk_local_interrupt(p, id1, 120), 0);
    rc = sk_local_wait(p, id1, 60);
    sk_local_describe(p, id1, &in);
    if (rc) sk_local_free(p);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(in.exit_status, 75);
    ASSERT_TRUE(!strcmp(in.reason, "Server.SpotInstanceTermination"));
    ASSERT_TRUE(pid_gone(pid1));
    char *log1 = slurp(logp);
    ASSERT_TRUE(log1 != NULL);
    ASSERT_STR_CONTAINS(log1, "\"event\":\"notice\"");
    ASSERT_STR_CONTAINS(log1, "\"cause\":\"notice\"");
    const char *sl = strstr(log1, "\"event\":\"interrupted\"");
    ASSERT_TRUE(sl != NULL);
    sl = strstr(sl, "\"seconds_left\":");
    ASSERT_TRUE(sl && strtod(sl + 15, NULL) > 0); /* exited before the notice's deadline */
    int gen_at = -1;
    const char *gp = strstr(strstr(log1, "\"event\":\"interrupted\""), "\"generated\":");
    if (gp) gen_at = atoi(gp + 12);
    ASSERT_TRUE(gen_at >= 1 && gen_at < 120); /* interrupted mid-work */
    free(log1);
    snprintf(ck25, sizeof ck25, "%s/ckpt-%08d.bin", ck_dir, gen_at);
    ASSERT_TRUE(file_exists(ck25)); /* the notice checkpoint, the only one */
    snprintf(out, sizeof out, "%s/output.txt", ck_dir);
    ASSERT_TRUE(!file_exists(out));

    /* a second instance in another zone resumes from the checkpoint */
    sk_local_launch_req rq2 = {"local-1b", "local.cpu", 1, "tok-2", "run-A", 22, args2, NULL};
    ASSERT_EQ_INT(sk_local_launch(p, &rq2, id2, sizeof id2, err, sizeof err), 0);
    ASSERT_TRUE(strcmp(id1, id2) != 0);
    rc = sk_local_wait(p, id2, 120);
    sk_local_describe(p, id2, &in);
    pid_t pid2 = in.pid;
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(in.exit_status, 0);
    ASSERT_TRUE(!strcmp(in.reason, "Client.InstanceInitiatedShutdown"));
    snprintf(logp, sizeof logp, "%s/%s.log", logs, id2);
    char *log2 = slurp(logp), want[64];
    snprintf(want, sizeof want, "\"resumed_from\":%d", gen_at);
    ASSERT_TRUE(log2 != NULL);
    ASSERT_STR_CONTAINS(log2, want);
    ASSERT_STR_CONTAINS(log2, "\"event\":\"done\"");
    free(log2);
    char *got = slurp(out);
    ASSERT_TRUE(got != NULL);
    ASSERT_TRUE(!strcmp(got, ref)); /* byte-identical to the uninterrupted run */
    free(got);
    free(ref);
    sk_local_inst all[8];
    ASSERT_EQ_INT(sk_local_list(p, "run-A", all, 8), 2);
    ASSERT_EQ_INT(sk_local_list(p, "run-B", NULL, 0), 0);
    sk_local_free(p);
    (void)pid2;
}

/* ---- provider lifecycle, SIGKILL, capacity ----------------------------------------------------- */

static char *long_args[] = {"-m", model_path, "-p", prompt_path, "-n", "120", "-d", NULL, "--checkpoint-every", "0",
                            "--poll", "0.1", "--pace-ms", "200", "--backend", "cpu"};

static void test_provider_lifecycle(void) {
    sk_local *p = NULL;
    char err[512], ids[3][64], d0[600];
    snprintf(d0, sizeof d0, "%s/life", tmpdir);
    long_args[7] = d0;
    sk_local_cfg cfg = {synkti_bin, NULL, 1.0, 5.0, 0};
    ASSERT_EQ_INT(sk_local_new(&p, &cfg, err, sizeof err), 0);
    pid_t pids[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        char tok[16];
        snprintf(tok, sizeof tok, "life-%d", i);
        sk_local_launch_req rq = {"local-1a", "local.cpu", i != 2, tok, i < 2 ? "run-L" : "run-M", 16, long_args, NULL};
        ASSERT_EQ_INT(sk_local_launch(p, &rq, ids[i], sizeof ids[i], err, sizeof err), 0);
        sk_local_inst in;
        sk_local_describe(p, ids[i], &in);
        pids[i] = in.pid;
        ASSERT_TRUE(in.pid > 0 && in.state <= SK_LOCAL_RUNNING);
        ASSERT_STR_CONTAINS(in.imds_url, "http://127.0.0.1:");
    }
    /* the same client token returns the same instance, launches nothing */
    char again[64];
    sk_local_launch_req rq0 = {"local-1a", "local.cpu", 1, "life-0", "run-L", 16, long_args, NULL};
    ASSERT_EQ_INT(sk_local_launch(p, &rq0, again, sizeof again, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(again, ids[0]));
    sk_local_inst l[8];
    ASSERT_EQ_INT(sk_local_list(p, "run-L", l, 8), 2);
    ASSERT_EQ_INT(sk_local_list(p, NULL, NULL, 0), 3);
    ASSERT_TRUE(wait_state(p, ids[0], SK_LOCAL_RUNNING, 30));
    ASSERT_EQ_INT(sk_local_interrupt(p, ids[2], 120), SK_EUSAGE); /* on-demand */
    ASSERT_EQ_INT(sk_local_interrupt(p, "i-local-none", 1), SK_ENOENT);
    ASSERT_EQ_INT(sk_local_terminate(p, "i-local-none"), SK_ENOENT);
    ASSERT_EQ_INT(sk_local_terminate(p, ids[0]), 0);
    sk_local_inst in;
    sk_local_describe(p, ids[0], &in);
    ASSERT_TRUE(in.state == SK_LOCAL_SHUTTING_DOWN || in.state == SK_LOCAL_TERMINATED);
    ASSERT_EQ_INT(sk_local_wait(p, ids[0], 30), 0);
    sk_local_describe(p, ids[0], &in);
    ASSERT_TRUE(!strcmp(in.reason, "Client.UserInitiatedShutdown"));
    ASSERT_EQ_INT(in.pid, 0);
    ASSERT_TRUE(in.exit_status == 75 || in.exit_status == 128 + SIGTERM); /* checkpointed, or TERM before its handler */
    ASSERT_EQ_INT(in.imds_url[0], 0);
    ASSERT_TRUE(pid_gone(pids[0]));
    ASSERT_TRUE(!pid_gone(pids[1]));
    /* the rest go with the provider */
    sk_local_free(p);
    for (int i = 0; i < 3; i++) ASSERT_TRUE(pid_gone(pids[i]));
}

static void test_provider_sigkill_after_grace(void) {
    /* a "synkti" that ignores SIGTERM: the provider must SIGKILL it after the grace */
    char script[600];
    snprintf(script, sizeof script, "%s/stubborn.sh", tmpdir);
    FILE *f = fopen(script, "w");
    ASSERT_TRUE(f != NULL);
    fprintf(f, "#!/bin/sh\ntrap '' TERM\nwhile :; do :; done\n");
    fclose(f);
    chmod(script, 0755);
    sk_local *p = NULL;
    char err[512], id[64];
    sk_local_cfg cfg = {script, NULL, 1.0, 0.3, 0};
    ASSERT_EQ_INT(sk_local_new(&p, &cfg, err, sizeof err), 0);
    sk_local_launch_req rq = {"local-1a", "t", 1, NULL, "run-K", 0, NULL, NULL};
    ASSERT_EQ_INT(sk_local_launch(p, &rq, id, sizeof id, err, sizeof err), 0);
    sk_local_inst in;
    sk_local_describe(p, id, &in);
    pid_t pid = in.pid;
    nap(0.2); /* let the shell install its trap */
    ASSERT_EQ_INT(sk_local_interrupt(p, id, 0), 0); /* deadline now: terminate at once */
    ASSERT_EQ_INT(sk_local_wait(p, id, 30), 0);
    sk_local_describe(p, id, &in);
    ASSERT_EQ_INT(in.exit_status, 128 + SIGKILL);
    ASSERT_TRUE(!strcmp(in.reason, "Server.SpotInstanceTermination"));
    ASSERT_TRUE(pid_gone(pid));
    sk_local_free(p);
}

static void test_provider_capacity(void) {
    sk_local *p = NULL;
    char err[512], a[64], b[64], c[64], d0[600];
    snprintf(d0, sizeof d0, "%s/cap", tmpdir);
    long_args[7] = d0;
    sk_local_cfg cfg = {synkti_bin, NULL, 1.0, 5.0, 0};
    ASSERT_EQ_INT(sk_local_new(&p, &cfg, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_local_set_capacity(p, "cap-1a", 1), 0);
    sk_local_launch_req rq = {"cap-1a", "local.cpu", 1, NULL, "run-C", 16, long_args, NULL};
    ASSERT_EQ_INT(sk_local_launch(p, &rq, a, sizeof a, err, sizeof err), 0);
    err[0] = 0;
    ASSERT_EQ_INT(sk_local_launch(p, &rq, b, sizeof b, err, sizeof err), SK_LOCAL_CAPACITY);
    ASSERT_STR_CONTAINS(err, "InsufficientInstanceCapacity");
    ASSERT_STR_CONTAINS(err, "cap-1a");
    ASSERT_EQ_INT(sk_local_list(p, "run-C", NULL, 0), 1); /* nothing started */
    ASSERT_EQ_INT(sk_local_terminate(p, a), 0);
    ASSERT_EQ_INT(sk_local_wait(p, a, 30), 0);
    ASSERT_EQ_INT(sk_local_launch(p, &rq, b, sizeof b, err, sizeof err), 0); /* a slot is free again */
    /* scripted: the next 2 launches into cap-1b fail, the third works */
    ASSERT_EQ_INT(sk_local_fail_next(p, "cap-1b", 2), 0);
    sk_local_launch_req rq2 = {"cap-1b", "local.cpu", 1, NULL, "run-C", 16, long_args, NULL};
    ASSERT_EQ_INT(sk_local_launch(p, &rq2, c, sizeof c, err, sizeof err), SK_LOCAL_CAPACITY);
    ASSERT_EQ_INT(sk_local_launch(p, &rq2, c, sizeof c, err, sizeof err), SK_LOCAL_CAPACITY);
    ASSERT_EQ_INT(sk_local_launch(p, &rq2, c, sizeof c, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_local_list(p, "run-C", NULL, 0), 3);
    sk_local_inst in[4];
    int n = sk_local_list(p, "run-C", in, 4);
    sk_local_free(p);
    for (int i = 0; i < n; i++) ASSERT_TRUE(in[i].pid == 0 || pid_gone(in[i].pid));
}

/* ---- --report: progress POSTed to a collector ------------------------------------------------- */

static void test_agent_report_rebalance(void) {
    static collector_t k;
    pthread_mutex_init(&k.mu, NULL);
    struct MHD_Daemon *d = collector_on(0, &k);
    ASSERT_TRUE(d != NULL);
    char url[64], dir[600], err[512], id[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/report", collector_port(d));
    snprintf(dir, sizeof dir, "%s/rep", tmpdir);
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "60", "-d", dir, "--poll", "0.05", "--pace-ms", "20",
                    "--backend", "cpu", "--report", url, "--heartbeat", "0.1"};
    sk_local *p = NULL;
    sk_local_cfg cfg = {synkti_bin, NULL, 1.0, 5.0, 0};
    int ok = sk_local_new(&p, &cfg, err, sizeof err) == 0;
    sk_local_launch_req rq = {"local-1a", "local.cpu", 1, NULL, "run-R", 18, args, NULL};
    ok = ok && sk_local_launch(p, &rq, id, sizeof id, err, sizeof err) == 0;
    ok = ok && wait_state(p, id, SK_LOCAL_RUNNING, 30);
    ok = ok && sk_local_rebalance(p, id) == 0;
    ok = ok && sk_local_wait(p, id, 60) == 0;
    sk_local_inst in;
    memset(&in, 0, sizeof in);
    if (p) sk_local_describe(p, id, &in);
    sk_local_free(p);
    MHD_stop_daemon(d);
    ASSERT_TRUE(ok);
    ASSERT_EQ_INT(in.exit_status, 0);
    ASSERT_EQ_INT(k.bad, 0);
    const char *a = strstr(k.buf, "\"event\":\"start\""), *b = strstr(k.buf, "\"event\":\"rebalance\""),
               *c = strstr(k.buf, "\"event\":\"done\"");
    ASSERT_TRUE(a && b && c && a < b && b < c);
    ASSERT_STR_CONTAINS(k.buf, id);
    pthread_mutex_destroy(&k.mu);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_live_local SYNKTI_BINARY [test...]\n");
        return 2;
    }
    synkti_bin = argv[1];
    setenv("OMP_NUM_THREADS", "1", 1);
    signal(SIGPIPE, SIG_IGN);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sk_live_local.XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(model_path, sizeof model_path, "%s/tiny.safetensors", tmpdir);
    snprintf(prompt_path, sizeof prompt_path, "%s/prompts.txt", tmpdir);
    sk_model_cfg mc;
    char err[256];
    if (sk_model_preset("tiny", &mc) < 0 || sk_model_write_synthetic(model_path, &mc, 7, 0, err, sizeof err) < 0) {
        fprintf(stderr, "model: %s\n", err);
        return 2;
    }
    FILE *f = fopen(prompt_path, "w");
    if (!f) return 2;
    fprintf(f, "1 2 3 4\n9 8 7 6\n");
    fclose(f);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static const sk_test tests[] = {
        {"imds_token_flow", test_imds_token_flow},
        {"agent_interrupt_resume", test_agent_interrupt_resume},
        {"provider_lifecycle", test_provider_lifecycle},
        {"provider_sigkill_after_grace", test_provider_sigkill_after_grace},
        {"provider_capacity", test_provider_capacity},
        {"agent_report_rebalance", test_agent_report_rebalance},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc - 1, argv + 1);
    curl_global_cleanup();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("SK_TEST_KEEP")) fprintf(stderr, "kept %s\n", tmpdir); /* logs for docs/live_local.md */
    else if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
