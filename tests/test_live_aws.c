/* test_live_aws.c - `synkti live` with provider aws against moto and the project's harness
 * (tests/test_moto.h), everything on 127.0.0.1. The test plays the agents: it reads the
 * controller's status over HTTP and POSTs the agent's report lines (start, checkpoint, done) for
 * the instances the controller launched in moto, as `synkti agent --report` does on EC2.
 *
 *   capacity_interrupt  the first RunInstances answers InsufficientInstanceCapacity: the launch
 *                       moves to the next zone; the harness reclaims that spot instance
 *                       (Server.SpotInstanceTermination): the job is relaunched and resumes from
 *                       the journaled checkpoint; done -> the controller terminates the instance,
 *                       exits 0; nothing is left running in moto under the run's tag.
 *   sigkill_adopt       the controller is SIGKILLed while its instance runs; a new controller
 *                       with the same journal finds the instance by its tag and adopts it (no
 *                       second launch); the job completes once.
 * Exit 77 (skipped) without moto/boto3. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "live/sk_prov_aws.h"
#include "test.h"
#include "test_live_util.h"
#include "test_moto.h"

#define MOTO_AMI "ami-03cf127a"

static const char *synkti_bin;
static char tmpdir[256];

/* ---- HTTP to the controller ---- */

typedef struct {
    char *p;
    size_t n;
} buf_t;
static size_t collect(char *d, size_t s, size_t n, void *u) {
    buf_t *b = u;
    char *t = realloc(b->p, b->n + s * n + 1);
    if (!t) return 0;
    memcpy(t + b->n, d, s * n);
    b->p = t, b->n += s * n, b->p[b->n] = 0;
    return s * n;
}
static char ctl_url[128], ctl_token[128];

static long http(const char *method, const char *path, const char *body, char **out) {
    char url[400], auth[200];
    snprintf(url, sizeof url, "%s%s", ctl_url, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", ctl_token);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    buf_t b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    long st = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (out) *out = b.p;
    else free(b.p);
    return st;
}

/* Wait for the controller's URL file and token; on a timeout show its log and stop it. */
static int ctl_attach1(const char *work);
static int ctl_attach_or_stop(const char *work, pid_t ctl, const char *log) {
    if (ctl_attach1(work) == 0) return 0;
    char *t = slurp(log);
    fprintf(stderr, "controller did not serve; its log:\n%s\n", t ? t : "(none)");
    free(t);
    kill(ctl, SIGKILL);
    waitpid(ctl, NULL, 0);
    return -1;
}
static int ctl_attach1(const char *work) {
    char up[400], tp[400];
    snprintf(up, sizeof up, "%s/controller.url", work);
    snprintf(tp, sizeof tp, "%s/token", work);
    for (int i = 0; i < 400; i++) {
        char *u = slurp(up), *t = slurp(tp);
        if (u && t && strlen(u) > 8) {
            u[strcspn(u, "\n")] = 0, t[strcspn(t, "\n")] = 0;
            snprintf(ctl_url, sizeof ctl_url, "%s", u);
            snprintf(ctl_token, sizeof ctl_token, "%s", t);
            free(u), free(t);
            return 0;
        }
        free(u), free(t);
        nap_ms(50);
    }
    return -1;
}

/* An instance of the status in state "running" other than `not`: its id and zone. 0 when found. */
static int running_instance(const char *not, char id[64], char zone[64], double timeout_s) {
    for (int i = 0; i < timeout_s * 10; i++) {
        char *body = NULL;
        if (http("GET", "/api/status", NULL, &body) == 200) {
            cJSON *s = cJSON_Parse(body);
            const cJSON *x;
            cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s, "instances")) {
                const cJSON *st = cJSON_GetObjectItemCaseSensitive(x, "state"), *d = cJSON_GetObjectItemCaseSensitive(x, "id"),
                            *z = cJSON_GetObjectItemCaseSensitive(x, "zone");
                if (cJSON_IsString(st) && !strcmp(st->valuestring, "running") && cJSON_IsString(d) && strcmp(d->valuestring, not)) {
                    snprintf(id, 64, "%s", d->valuestring);
                    snprintf(zone, 64, "%s", z->valuestring);
                    cJSON_Delete(s);
                    free(body);
                    return 0;
                }
            }
            cJSON_Delete(s);
        }
        free(body);
        nap_ms(100);
    }
    return -1;
}

static long report(const char *id, const char *json) {
    char path[200];
    snprintf(path, sizeof path, "/agents/%s", id);
    return http("POST", path, json, NULL);
}

static void run_file(const char *dir, const char *run, char *path, size_t n) {
    char text[2000];
    snprintf(path, n, "%s/run.yaml", dir);
    snprintf(text, sizeof text,
             "provider: aws\nrun_id: %s\npolicy: cheapest_spot\ntick_s: 0.1\ntime_scale: 0.05\nhttp: 127.0.0.1:0\n"
             "aws.region: us-east-1\naws.endpoint_url: %s\naws.image_id: " MOTO_AMI "\naws.describe_s: 0.2\n"
             "instance_type: g4dn.xlarge\nwork_dir: %s/work\n"
             "zone: us-east-1a 0.30 1.00\nzone: us-east-1b 0.40 1.00\njob: j1 100 --model /m.safetensors\n",
             run, proxy_url, dir);
    write_file(path, text);
}

/* No instance of the run is left running in moto (listed through the provider, by the tag). */
static int moto_live(const char *run) {
    sk_provider p;
    char err[512];
    sk_prov_aws_cfg c = {.region = "us-east-1", .endpoint_url = moto_url, .run_id = run, .image_id = MOTO_AMI,
                         .describe_min_interval_s = 0.001};
    if (sk_prov_aws_open(&p, &c, err, sizeof err) < 0) return -1;
    int live = -1;
    if (p.refresh(p.self, err, sizeof err) == 0) {
        sk_pv_inst v[32];
        int n = p.list(p.self, run, v, 32);
        live = 0;
        for (int i = 0; i < n && i < 32; i++) live += v[i].state != SK_PV_TERMINATED && v[i].state != SK_PV_SHUTTING_DOWN;
    }
    p.close(p.self);
    return live;
}

static void test_capacity_interrupt(void) {
    char dir[400], path[500], jp[600], log[600], work[600], id1[64], z1[64], id2[64], z2[64];
    snprintf(dir, sizeof dir, "%s/ci", tmpdir);
    mkdir(dir, 0777);
    snprintf(work, sizeof work, "%s/work", dir);
    run_file(dir, "live-ci", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    ASSERT_EQ_INT(harness("fail-action", "RunInstances 1 InsufficientInstanceCapacity 500"), 0);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, "--yes", NULL};
    pid_t ctl = spawn(argv, log);
    ASSERT_EQ_INT(ctl_attach_or_stop(work, ctl, log), 0);
    /* the cheaper zone refused: the instance runs in the next one */
    ASSERT_EQ_INT(running_instance("", id1, z1, 30), 0);
    ASSERT_TRUE(!strcmp(z1, "us-east-1b"));
    ASSERT_EQ_INT(report(id1, "{\"event\":\"start\",\"generated\":0,\"total\":100}"), 204);
    ASSERT_EQ_INT(report(id1, "{\"event\":\"checkpoint\",\"generated\":40,\"path\":\"/w/ckpt-40.bin\",\"location\":\"s3://b/j1/ckpt-40.bin\"}"), 204);
    ASSERT_EQ_INT(report("i-nosuch", "{\"event\":\"heartbeat\",\"generated\":1}"), 404);
    ASSERT_EQ_INT(report(id1, "not json"), 400);
    /* the agent reports EC2's two-minute notice, then the reclaim */
    ASSERT_EQ_INT(report(id1, "{\"event\":\"notice\",\"generated\":40,\"time\":\"2026-12-07T00:02:00Z\"}"), 204);
    char *st = NULL;
    ASSERT_EQ_INT(http("GET", "/api/status", NULL, &st), 200);
    ASSERT_STR_CONTAINS(st, "\"notices\":1");
    free(st);
    ASSERT_EQ_INT(harness("interrupt", id1), 0);
    ASSERT_EQ_INT(running_instance(id1, id2, z2, 30), 0);
    char *job = NULL;
    ASSERT_EQ_INT(http("GET", "/jobs/j1", NULL, &job), 200);
    ASSERT_STR_CONTAINS(job, "\"retries\":2"); /* the refused launch and the reclaim: back to the queue twice */
    free(job);
    ASSERT_EQ_INT(report(id2, "{\"event\":\"start\",\"generated\":40,\"resumed_from\":40,\"total\":100}"), 204);
    ASSERT_EQ_INT(report(id2, "{\"event\":\"done\",\"generated\":100}"), 204);
    int rc = wait_exit_for(ctl, 60);
    char *text = slurp(log);
    if (rc != 0 && text) fprintf(stderr, "%s", text);
    ASSERT_EQ_INT(rc, 0);
    int ok = text && strstr(text, "no capacity us-east-1a spot for j1: InsufficientInstanceCapacity") &&
             strstr(text, "Server.SpotInstanceTermination") && strstr(text, " (agent)");
    if (!ok && text) fprintf(stderr, "%s", text);
    free(text);
    ASSERT_TRUE(ok);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE id='j1' AND state='completed'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests WHERE state='failed'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests WHERE state='fulfilled'"), 2);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM checkpoints WHERE job='j1' AND seq=40 AND location='s3://b/j1/ckpt-40.bin'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE state IN ('live','terminating')"), 0);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE reason='Server.SpotInstanceTermination'"), 1);
    ASSERT_EQ_INT(moto_live("live-ci"), 0);
}

static void test_sigkill_adopt(void) {
    char dir[400], path[500], jp[600], log1[600], log2[600], work[600], id1[64], z1[64], id2[64], z2[64];
    snprintf(dir, sizeof dir, "%s/ka", tmpdir);
    mkdir(dir, 0777);
    snprintf(work, sizeof work, "%s/work", dir);
    run_file(dir, "live-ka", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log1, sizeof log1, "%s/controller1.log", dir);
    snprintf(log2, sizeof log2, "%s/controller2.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, "--yes", NULL};
    pid_t ctl = spawn(argv, log1);
    ASSERT_EQ_INT(ctl_attach_or_stop(work, ctl, log1), 0);
    ASSERT_EQ_INT(running_instance("", id1, z1, 30), 0);
    ASSERT_EQ_INT(report(id1, "{\"event\":\"checkpoint\",\"generated\":30,\"path\":\"/w/ckpt-30.bin\"}"), 204);
    kill(ctl, SIGKILL);
    ASSERT_EQ_INT(wait_exit_for(ctl, 10), 128 + SIGKILL);
    char up[700];
    snprintf(up, sizeof up, "%s/controller.url", work);
    unlink(up);
    ASSERT_EQ_INT(moto_live("live-ka"), 1); /* the instance outlives its controller, as on EC2 */
    ctl = spawn(argv, log2);
    ASSERT_EQ_INT(ctl_attach_or_stop(work, ctl, log2), 0);
    ASSERT_EQ_INT(running_instance("", id2, z2, 30), 0);
    ASSERT_TRUE(!strcmp(id2, id1)); /* adopted, not relaunched */
    ASSERT_EQ_INT(report(id1, "{\"event\":\"done\",\"generated\":100}"), 204);
    int rc = wait_exit_for(ctl, 60);
    char *text = slurp(log2);
    if (rc != 0 && text) fprintf(stderr, "%s", text);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(text && strstr(text, "adopt i-") && !strstr(text, "launch g4dn.xlarge"));
    free(text);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM launch_requests"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM events WHERE kind='adopted'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM jobs WHERE id='j1' AND state='completed'"), 1);
    ASSERT_EQ_INT(q_int(jp, "SELECT COUNT(*) FROM instances WHERE state IN ('live','terminating')"), 0);
    ASSERT_EQ_INT(moto_live("live-ka"), 0);
}

/* Without --yes (and no terminal to ask on) a run on AWS is refused before any call. */
static void test_confirm(void) {
    char dir[400], path[500], jp[600], log[600];
    snprintf(dir, sizeof dir, "%s/cf", tmpdir);
    mkdir(dir, 0777);
    run_file(dir, "live-cf", path, sizeof path);
    snprintf(jp, sizeof jp, "%s/journal.db", dir);
    snprintf(log, sizeof log, "%s/controller.log", dir);
    char *argv[] = {(char *)synkti_bin, "live", path, "--journal", jp, NULL};
    ASSERT_EQ_INT(wait_exit_for(spawn(argv, log), 30), 64);
    char *text = slurp(log);
    ASSERT_TRUE(text && strstr(text, "pass --yes to confirm") && strstr(text, "nothing was launched"));
    free(text);
    ASSERT_EQ_INT(moto_live("live-cf"), 0);
    struct stat st;
    ASSERT_TRUE(stat(jp, &st) != 0); /* no journal either */
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_live_aws SYNKTI\n");
        return 2;
    }
    synkti_bin = argv[1];
    if (system("python3 -c 'import moto, boto3' >/dev/null 2>&1") != 0) {
        printf("skipped: moto/boto3 not installed\n");
        return 77;
    }
    setenv("AWS_ACCESS_KEY_ID", "testing", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "testing", 1);
    unsetenv("AWS_SESSION_TOKEN"), unsetenv("AWS_PROFILE");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sk_live_aws_%d", (int)getpid());
    mkdir(tmpdir, 0777);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (servers_start() < 0) {
        printf("FAIL: moto or the harness did not start\n");
        return 1;
    }
    static const sk_test tests[] = {
        {"confirm", test_confirm},
        {"capacity_interrupt", test_capacity_interrupt},
        {"sigkill_adopt", test_sigkill_adopt},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc - 1, argv + 1);
    servers_stop();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (!rc && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    curl_global_cleanup();
    return rc;
}
