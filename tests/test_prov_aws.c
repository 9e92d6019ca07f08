/* test_prov_aws.c - the AWS provider behind the controller (src/live/sk_prov_aws) on 127.0.0.1.
 *
 * Offline first: the user-data script (rendered, then run by /bin/sh to check the quoting) and
 * base64 (RFC 4648 vectors). Then against moto (python3 -m moto.server on a free port) behind the
 * project's harness (tests/moto_harness.py proxy: spot reclaims, injected errors), both started
 * and stopped by PID: spot and on-demand launches in two zones with tags and user data, list by
 * run tag, idempotent relaunch by client token (same provider, and a fresh one as after a
 * controller restart), 4 threads launching at once, capacity / throttling / HTML 500 injected, a
 * spot reclaim seen by refresh, terminate, the refresh rate limit, spot prices, health counters.
 * Exits 77 without moto/boto3 (after the offline tests). Reads no dataset. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/sk_aws.h"
#include "live/sk_prov_aws.h"
#include "sk_error.h"
#include "test.h"
#include "test_moto.h"

#define MOTO_AMI "ami-03cf127a"

/* ---- offline ---------------------------------------------------------------------------------- */

static void test_user_data_render(void) {
    char *argv[] = {"--tokens", "64", "it's a b", "$HOME `x` \\n", "new\nline", ""};
    char *s = sk_prov_aws_user_data("#!/bin/bash\nset -e", "/opt/synkti/bin/synkti", 6, argv);
    ASSERT_TRUE(s != NULL);
    const char *want = "#!/bin/bash\nset -e\nexec /opt/synkti/bin/synkti agent '--tokens' '64' "
                       "'it'\\''s a b' '$HOME `x` \\n' 'new\nline' ''\n";
    if (strcmp(s, want)) printf("  got:\n%s\n  want:\n%s\n", s, want);
    ASSERT_TRUE(!strcmp(s, want));
    free(s);
    s = sk_prov_aws_user_data(NULL, NULL, 0, NULL);
    ASSERT_TRUE(s && !strcmp(s, "#!/bin/sh\nexec synkti agent\n"));
    free(s);

    /* the shell gives the arguments back byte for byte: agent "printf '<%s>'" prints each one */
    s = sk_prov_aws_user_data(NULL, "printf '<%s>'", 6, argv);
    ASSERT_TRUE(s != NULL);
    char path[] = "/tmp/sk_prov_aws_ud_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(write(fd, s, strlen(s)), (long)strlen(s));
    close(fd);
    free(s);
    char cmd[128], out[512] = "";
    snprintf(cmd, sizeof cmd, "sh %s", path);
    FILE *p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    unlink(path);
    const char *args = "<agent><--tokens><64><it's a b><$HOME `x` \\n><new\nline><>";
    if (strcmp(out, args)) printf("  sh printed: %s\n", out);
    ASSERT_TRUE(!strcmp(out, args));
}

static void test_base64(void) {
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char *b = sk_prov_aws_base64(in[i], strlen(in[i]));
        ASSERT_TRUE(b && !strcmp(b, want[i]));
        free(b);
    }
    unsigned char bin[3] = {0xfb, 0xff, 0x00};
    char *b = sk_prov_aws_base64(bin, 3);
    ASSERT_TRUE(b && !strcmp(b, "+/8A"));
    free(b);
}

static void test_health_not_aws(void) {
    sk_provider other = {.name = "local"};
    sk_prov_aws_stats st;
    ASSERT_EQ_INT(sk_prov_aws_health(&other, &st), SK_EUSAGE);
    char err[128];
    double pr[1];
    const char *z[] = {"us-east-1a"};
    ASSERT_EQ_INT(sk_prov_aws_spot_prices(&other, "t3.micro", z, 1, pr, err, sizeof err), SK_EUSAGE);
    /* a provider needs a region, a run id and an AMI */
    sk_prov_aws_cfg cfg = {.region = "us-east-1", .run_id = "r"};
    sk_provider pv;
    ASSERT_EQ_INT(sk_prov_aws_open(&pv, &cfg, err, sizeof err), SK_ECONFIG);
    ASSERT_TRUE(pv.launch == NULL && pv.self == NULL);
}

/* ---- moto and the harness: tests/test_moto.h ---- */

static const char *UD_PREFIX = "#!/bin/sh\necho synkti-boot >&2";

/* A provider of run `run` through the harness: refresh at most every interval_s; an unlisted
 * launch kept grace_s (0: the default). */
static int open_prov_g(sk_provider *pv, const char *run, double interval_s, double grace_s) {
    sk_prov_aws_cfg cfg = {.region = "us-east-1", .endpoint_url = proxy_url, .run_id = run,
                           .image_id = MOTO_AMI, .user_data = UD_PREFIX,
                           .describe_min_interval_s = interval_s, .describe_page_size = 5,
                           .launch_grace_s = grace_s,
                           .max_attempts = 3, .backoff_base_s = 0.01, .backoff_cap_s = 0.05,
                           .timeout_s = 20};
    char err[256];
    int rc = sk_prov_aws_open(pv, &cfg, err, sizeof err);
    if (rc) fprintf(stderr, "  open: %s\n", err);
    return rc;
}

static int open_prov(sk_provider *pv, const char *run, double interval_s) {
    return open_prov_g(pv, run, interval_s, 0);
}

static sk_prov_aws_stats stats(const sk_provider *pv) {
    sk_prov_aws_stats st;
    memset(&st, 0, sizeof st);
    if (sk_prov_aws_health(pv, &st)) st.calls = -1;
    return st;
}

static const sk_pv_inst *find(const sk_pv_inst *v, int n, const char *id) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].id, id)) return &v[i];
    return NULL;
}

/* Decode standard base64 (whitespace skipped) into out (cap bytes, NUL-terminated). */
static int b64_decode(const char *s, char *out, size_t cap) {
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned v = 0;
    int bits = 0;
    size_t n = 0;
    for (; *s && *s != '=' && *s != '<'; s++) {
        const char *k = strchr(al, *s);
        if (!k || !*s) continue;
        v = (v << 6) | (unsigned)(k - al);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= cap) return -1;
            out[n++] = (char)((v >> bits) & 0xff);
        }
    }
    out[n] = '\0';
    return (int)n;
}

/* A plain EC2 client straight to moto (behind the provider's back). */
static sk_aws *moto_client(void) {
    sk_aws_config cfg = {.region = "us-east-1", .endpoint_url = moto_url, .max_attempts = 2};
    snprintf(cfg.creds.access_key, sizeof cfg.creds.access_key, "AKIDMOTO");
    snprintf(cfg.creds.secret_key, sizeof cfg.creds.secret_key, "motosecret");
    sk_aws *a = NULL;
    char err[256];
    return sk_aws_open(&a, &cfg, err, sizeof err) ? NULL : a;
}

/* The user data EC2 keeps for an instance (DescribeInstanceAttribute userData), decoded. */
static int user_data_of(const char *id, char *out, size_t cap) {
    sk_aws *a = moto_client();
    char err[256];
    if (!a) return -1;
    sk_aws_params p;
    sk_aws_params_init(&p);
    sk_aws_params_add(&p, "InstanceId", id);
    sk_aws_params_add(&p, "Attribute", "userData");
    char *body = NULL;
    size_t len = 0;
    int rc = sk_aws_call(a, "DescribeInstanceAttribute", &p, &body, &len, err, sizeof err);
    sk_aws_params_free(&p);
    sk_aws_close(a);
    if (rc) return -1;
    const char *u = strstr(body, "<userData>"), *v = u ? strstr(u, "<value>") : NULL;
    rc = v ? b64_decode(v + 7, out, cap) : -1;
    free(body);
    return rc;
}

static char id_spot[40], id_od[40];

/* Spot in us-east-1a and on-demand in us-east-1b for run "r1", one on-demand for run "r2"; the
 * refresh lists r1's two with their tags, and user data decodes to the rendered script. */
static void test_launch_list(void) {
    sk_provider pv, other;
    ASSERT_EQ_INT(open_prov(&pv, "r1", 0.001), 0);
    ASSERT_EQ_INT(open_prov(&other, "r2", 0.001), 0);
    char err[512];
    char *args[] = {"--tokens", "32", "--job", "it's"};
    sk_pv_launch ls = {"us-east-1a", "g4dn.xlarge", 1, "tok-a", "r1", "job-a", 4, args};
    sk_pv_launch lo = {"us-east-1b", "t3.micro", 0, "tok-b", "r1", "job-b", 0, NULL};
    sk_pv_launch lx = {"us-east-1b", "t3.micro", 0, "tok-x", "r2", "job-x", 0, NULL};
    sk_pv_inst a, b, x;
    int rc = pv.launch(pv.self, &ls, &a, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(pv.launch(pv.self, &lo, &b, err, sizeof err), 0);
    ASSERT_EQ_INT(other.launch(other.self, &lx, &x, err, sizeof err), 0);
    printf("  launched %s (%s %s spot=%d) %s (%s %s spot=%d); r2: %s\n", a.id, a.zone, a.type,
           a.spot, b.id, b.zone, b.type, b.spot, x.id);
    ASSERT_TRUE(!strncmp(a.id, "i-", 2) && !strncmp(b.id, "i-", 2) && strcmp(a.id, b.id));
    ASSERT_TRUE(!strcmp(a.zone, "us-east-1a") && !strcmp(b.zone, "us-east-1b"));
    ASSERT_TRUE(a.spot == 1 && b.spot == 0);
    ASSERT_TRUE(a.state <= SK_PV_RUNNING && b.state <= SK_PV_RUNNING);
    ASSERT_TRUE(!strcmp(a.client_token, "tok-a") && !strcmp(a.run_id, "r1") && !strcmp(a.job, "job-a"));
    ASSERT_TRUE(a.exit_status == -1 && a.pid == 0 && a.port == 0 && !a.notice && !a.reason[0]);
    snprintf(id_spot, sizeof id_spot, "%s", a.id);
    snprintf(id_od, sizeof id_od, "%s", b.id);

    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_inst v[8];
    int n = pv.list(pv.self, "r1", v, 8);
    ASSERT_EQ_INT(n, 2);
    ASSERT_EQ_INT(pv.list(pv.self, "r1", NULL, 0), 2);
    ASSERT_EQ_INT(pv.list(pv.self, "r2", NULL, 0), 0);
    ASSERT_TRUE(find(v, n, x.id) == NULL);
    const sk_pv_inst *la = find(v, n, a.id), *lb = find(v, n, b.id);
    ASSERT_TRUE(la && lb);
    /* what DescribeInstances gives back: zone, type, lifecycle and the three tags */
    ASSERT_TRUE(!strcmp(la->zone, "us-east-1a") && !strcmp(la->type, "g4dn.xlarge") && la->spot);
    ASSERT_TRUE(!strcmp(lb->zone, "us-east-1b") && !strcmp(lb->type, "t3.micro") && !lb->spot);
    ASSERT_TRUE(!strcmp(la->client_token, "tok-a") && !strcmp(la->job, "job-a") && !strcmp(la->run_id, "r1"));
    ASSERT_TRUE(!strcmp(lb->client_token, "tok-b") && !strcmp(lb->job, "job-b"));
    ASSERT_TRUE(la->state == SK_PV_RUNNING || la->state == SK_PV_PENDING);
    sk_pv_launch wrong = {"us-east-1b", "t3.micro", 0, "tok-w", "r2", "job-w", 0, NULL};
    sk_pv_inst w;
    ASSERT_EQ_INT(pv.launch(pv.self, &wrong, &w, err, sizeof err), SK_EUSAGE); /* r1's provider */
    ASSERT_EQ_INT(other.refresh(other.self, err, sizeof err), 0);
    ASSERT_EQ_INT(other.list(other.self, NULL, v, 8), 1);
    ASSERT_TRUE(!strcmp(v[0].id, x.id) && !strcmp(v[0].run_id, "r2"));

    /* user data: the prefix, then the exec line with the quoted arguments */
    char ud[1024];
    int nud = user_data_of(a.id, ud, sizeof ud);
    printf("  user data of %s (%d bytes): %s", a.id, nud, nud > 0 ? ud : "-\n");
    ASSERT_TRUE(nud > 0);
    ASSERT_TRUE(!strcmp(ud, "#!/bin/sh\necho synkti-boot >&2\nexec synkti agent '--tokens' '32' "
                            "'--job' 'it'\\''s'\n"));
    ASSERT_TRUE(user_data_of(b.id, ud, sizeof ud) > 0 && !strcmp(ud, "#!/bin/sh\necho synkti-boot >&2\nexec synkti agent\n"));
    sk_prov_aws_stats st = stats(&pv);
    ASSERT_EQ_INT(st.launches, 2);
    /* never refreshed before the launches: each looked its token up first (DescribeInstances),
     * then RunInstances; then the refresh */
    ASSERT_EQ_INT(st.calls, 5);
    other.close(other.self);
    pv.close(pv.self);
}

/* What moto does with a repeated ClientToken (printed: the provider does not rely on it), and the
 * provider's own idempotency: the same token returns the same instance, from its view (no call)
 * and, in a fresh provider (a restarted controller, nothing refreshed yet), from a
 * DescribeInstances by tag:synkti:token - never a second RunInstances. */
static void test_idempotent(void) {
    sk_aws *a = moto_client();
    char err[512];
    ASSERT_TRUE(a != NULL);
    sk_aws_instances l1 = {0}, l2 = {0};
    sk_aws_run_req r = {.image_id = MOTO_AMI, .instance_type = "t3.micro", .client_token = "raw-tok"};
    ASSERT_EQ_INT(sk_aws_run_instances(a, &r, &l1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_aws_run_instances(a, &r, &l2, err, sizeof err), 0);
    printf("  moto, RunInstances twice with ClientToken raw-tok: %s and %s (%s)\n", l1.v[0].id,
           l2.v[0].id, strcmp(l1.v[0].id, l2.v[0].id) ? "not honoured" : "honoured");
    const char *ids[] = {l1.v[0].id, l2.v[0].id};
    sk_aws_instances t = {0};
    ASSERT_EQ_INT(sk_aws_terminate_instances(a, ids, strcmp(ids[0], ids[1]) ? 2 : 1, &t, err, sizeof err), 0);
    sk_aws_instances_free(&t);
    sk_aws_instances_free(&l1);
    sk_aws_instances_free(&l2);
    sk_aws_close(a);

    sk_provider pv, again;
    ASSERT_EQ_INT(open_prov(&pv, "r1", 0.001), 0);
    /* before any refresh: the launch looks the token up, finds tok-a, and returns it */
    sk_pv_launch ls = {"us-east-1a", "g4dn.xlarge", 1, "tok-a", "r1", "job-a", 0, NULL};
    sk_pv_inst o;
    int rc = pv.launch(pv.self, &ls, &o, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(!strcmp(o.id, id_spot));
    sk_prov_aws_stats st = stats(&pv);
    ASSERT_EQ_INT(st.calls, 1);
    ASSERT_EQ_INT(st.launches, 0);
    /* again: from the view, no call */
    ASSERT_EQ_INT(pv.launch(pv.self, &ls, &o, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(o.id, id_spot));
    ASSERT_EQ_INT(stats(&pv).calls, 1);
    /* a new token launches; relaunching it after a refresh returns it from the view */
    ASSERT_EQ_INT(open_prov(&again, "r1", 0.001), 0);
    ASSERT_EQ_INT(again.refresh(again.self, err, sizeof err), 0);
    sk_pv_launch ln = {"us-east-1c", "t3.micro", 0, "tok-c", "r1", "job-c", 0, NULL};
    sk_pv_inst c1, c2;
    ASSERT_EQ_INT(again.launch(again.self, &ln, &c1, err, sizeof err), 0);
    ASSERT_EQ_INT(pv.launch(pv.self, &ln, &c2, err, sizeof err), 0); /* pv: tok-c unseen, refreshed never */
    ASSERT_TRUE(!strcmp(c1.id, c2.id));
    ASSERT_EQ_INT(again.launch(again.self, &ln, &c2, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c1.id, c2.id));
    st = stats(&again);
    ASSERT_EQ_INT(st.launches, 1);
    ASSERT_EQ_INT(st.calls, 2); /* the refresh and one RunInstances */
    ASSERT_EQ_INT(again.refresh(again.self, err, sizeof err), 0);
    ASSERT_EQ_INT(again.list(again.self, "r1", NULL, 0), 3); /* tok-a, tok-b, tok-c: no duplicate */
    ASSERT_EQ_INT(again.terminate(again.self, c1.id, err, sizeof err), 0);
    again.close(again.self);
    pv.close(pv.self);
}

typedef struct {
    sk_provider *pv;
    int k;
    char ids[2][40];
    int rc[2];
} par_arg;

static const char *par_zones[] = {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"};

static void *par_launch(void *u) {
    par_arg *a = u;
    for (int j = 0; j < 2; j++) {
        char tok[32], job[32], err[512];
        snprintf(tok, sizeof tok, "par-%d-%d", a->k, j);
        snprintf(job, sizeof job, "job-%d", a->k);
        sk_pv_launch l = {par_zones[a->k], "t3.micro", j, tok, "par", job, 0, NULL};
        sk_pv_inst o;
        a->rc[j] = a->pv->launch(a->pv->self, &l, &o, err, sizeof err);
        if (a->rc[j]) fprintf(stderr, "  thread %d: %s\n", a->k, err);
        snprintf(a->ids[j], sizeof a->ids[j], "%s", o.id);
    }
    return NULL;
}

/* 4 threads, 2 launches each, at once; all 8 distinct and listed (DescribeInstances in 2 pages of
 * at most 5). */
static void test_parallel(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "par", 0.001), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    par_arg a[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        a[k] = (par_arg){.pv = &pv, .k = k};
        ASSERT_EQ_INT(pthread_create(&th[k], NULL, par_launch, &a[k]), 0);
    }
    for (int k = 0; k < 4; k++) pthread_join(th[k], NULL);
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 2; j++) {
            ASSERT_EQ_INT(a[k].rc[j], 0);
            for (int k2 = 0; k2 < 4; k2++)
                for (int j2 = 0; j2 < 2; j2++)
                    if (k2 != k || j2 != j) ASSERT_TRUE(strcmp(a[k].ids[j], a[k2].ids[j2]));
        }
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_inst v[16];
    int n = pv.list(pv.self, "par", v, 16);
    sk_prov_aws_stats st = stats(&pv);
    printf("  4 threads x 2 launches: %d listed, %ld launches, %d pages\n", n, st.launches, st.last_pages);
    ASSERT_EQ_INT(n, 8);
    ASSERT_EQ_INT(st.launches, 8);
    ASSERT_EQ_INT(st.last_pages, 2);
    ASSERT_EQ_INT(st.errors, 0);
    for (int k = 0; k < 4; k++) {
        const sk_pv_inst *o = find(v, n, a[k].ids[1]);
        ASSERT_TRUE(o && o->spot == 1 && !strcmp(o->zone, par_zones[k]));
        o = find(v, n, a[k].ids[0]);
        ASSERT_TRUE(o && o->spot == 0);
    }
    pv.close(pv.self);
}

/* Injected through the harness: a capacity error (no retry, SK_PV_CAPACITY with the code), two
 * RequestLimitExceeded (retried, then launched), HTML 500 on every try (an error, the view kept). */
static void test_injected(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "inj", 0.001), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_launch l = {"us-east-1a", "g4dn.xlarge", 1, "inj-1", "inj", "j", 0, NULL};
    sk_pv_inst o;
    ASSERT_EQ_INT(harness("fail-action", "RunInstances 1 InsufficientInstanceCapacity 500"), 0);
    int rc = pv.launch(pv.self, &l, &o, err, sizeof err);
    printf("  capacity: rc=%d err=%s\n", rc, err);
    ASSERT_EQ_INT(rc, SK_PV_CAPACITY);
    ASSERT_TRUE(!strncmp(err, "InsufficientInstanceCapacity: ", 30));
    sk_prov_aws_stats st = stats(&pv);
    ASSERT_EQ_INT(st.capacity, 1);
    ASSERT_EQ_INT(st.errors, 1);
    ASSERT_EQ_INT(st.launches, 0);
    ASSERT_TRUE(!strcmp(st.last_kind, "capacity") && !strcmp(st.last_code, "InsufficientInstanceCapacity"));
    ASSERT_EQ_INT(pv.list(pv.self, NULL, NULL, 0), 0);

    /* the next zone, throttled twice first */
    l.zone = "us-east-1b";
    ASSERT_EQ_INT(harness("fail-action", "RunInstances 2 RequestLimitExceeded 503"), 0);
    rc = pv.launch(pv.self, &l, &o, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    st = stats(&pv);
    ASSERT_EQ_INT(st.retries, 2);
    ASSERT_EQ_INT(st.launches, 1);
    ASSERT_EQ_INT(st.errors, 1);
    ASSERT_TRUE(!strcmp(o.zone, "us-east-1b"));

    /* HTML 500 on all 3 tries of a refresh: an error, not a crash; the view stays */
    ASSERT_EQ_INT(harness("fail-action", "DescribeInstances 3 html 500"), 0);
    rc = pv.refresh(pv.self, err, sizeof err);
    printf("  html 500: rc=%d err=%s\n", rc, err);
    ASSERT_EQ_INT(rc, SK_EIO);
    st = stats(&pv);
    ASSERT_TRUE(!strcmp(st.last_kind, "server"));
    ASSERT_EQ_INT(st.errors, 2);
    ASSERT_EQ_INT(st.retries, 4);
    ASSERT_EQ_INT(pv.list(pv.self, "inj", NULL, 0), 1);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    ASSERT_EQ_INT(pv.list(pv.self, "inj", NULL, 0), 1);
    ASSERT_EQ_INT(pv.terminate(pv.self, o.id, err, sizeof err), 0);
    pv.close(pv.self);
}

/* The harness reclaims the spot instance of test_launch_list: refresh shows it terminated with
 * Server.SpotInstanceTermination and a notice. Terminating the on-demand one: shutting-down or
 * terminated at once, terminated after a refresh; again: 0; an unknown id: SK_ENOENT. */
static void test_reclaim_terminate(void) {
    ASSERT_TRUE(id_spot[0] && id_od[0]);
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "r1", 0.001), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_inst v[8];
    int n = pv.list(pv.self, "r1", v, 8);
    const sk_pv_inst *s = find(v, n, id_spot);
    ASSERT_TRUE(s && s->state <= SK_PV_RUNNING && !s->notice);
    ASSERT_EQ_INT(harness("interrupt", id_spot), 0);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    n = pv.list(pv.self, "r1", v, 8);
    s = find(v, n, id_spot);
    ASSERT_TRUE(s != NULL);
    printf("  reclaimed %s: state=%d reason=%s notice=%d\n", s->id, (int)s->state, s->reason, s->notice);
    ASSERT_EQ_INT(s->state, SK_PV_TERMINATED);
    ASSERT_TRUE(!strcmp(s->reason, "Server.SpotInstanceTermination"));
    ASSERT_EQ_INT(s->notice, 1);
    ASSERT_TRUE(s->spot);

    ASSERT_EQ_INT(pv.terminate(pv.self, id_od, err, sizeof err), 0);
    n = pv.list(pv.self, "r1", v, 8);
    const sk_pv_inst *d = find(v, n, id_od);
    ASSERT_TRUE(d && (d->state == SK_PV_SHUTTING_DOWN || d->state == SK_PV_TERMINATED));
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    n = pv.list(pv.self, "r1", v, 8);
    d = find(v, n, id_od);
    ASSERT_TRUE(d != NULL);
    printf("  terminated %s: state=%d reason=%s notice=%d\n", d->id, (int)d->state, d->reason, d->notice);
    ASSERT_TRUE(d->state == SK_PV_SHUTTING_DOWN || d->state == SK_PV_TERMINATED);
    ASSERT_TRUE(d->reason[0] != '\0' && strcmp(d->reason, "Server.SpotInstanceTermination"));
    ASSERT_EQ_INT(d->notice, 0);
    ASSERT_EQ_INT(pv.terminate(pv.self, id_od, err, sizeof err), 0);
    ASSERT_EQ_INT(pv.terminate(pv.self, "i-0123456789abcdef0", err, sizeof err), SK_ENOENT);
    pv.close(pv.self);
}

/* describe_min_interval_s: a second refresh within it answers from the view (no call), but a
 * launch in between shows in list at once. */
static void test_rate_limit(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "rl", 30), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_launch l = {"us-east-1a", "t3.micro", 1, "rl-1", "rl", "j", 0, NULL};
    sk_pv_inst o;
    ASSERT_EQ_INT(pv.launch(pv.self, &l, &o, err, sizeof err), 0);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_prov_aws_stats st = stats(&pv);
    ASSERT_EQ_INT(st.refreshes, 1);
    ASSERT_EQ_INT(st.refresh_cached, 1);
    ASSERT_EQ_INT(st.calls, 2);
    sk_pv_inst v[4];
    ASSERT_EQ_INT(pv.list(pv.self, "rl", v, 4), 1);
    ASSERT_TRUE(!strcmp(v[0].id, o.id) && !strcmp(v[0].client_token, "rl-1"));
    ASSERT_EQ_INT(pv.terminate(pv.self, o.id, err, sizeof err), 0);
    pv.close(pv.self);
}

/* EC2 is eventually consistent: an instance launched here that DescribeInstances does not list
 * yet (hidden by the harness) stays in the view for launch_grace_s, then leaves it. */
static void test_launch_grace(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov_g(&pv, "ec", 0.001, 2.0), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_launch l1 = {"us-east-1a", "t3.micro", 1, "ec-1", "ec", "j", 0, NULL};
    sk_pv_launch l2 = {"us-east-1a", "t3.micro", 1, "ec-2", "ec", "j", 0, NULL};
    sk_pv_inst a, b;
    ASSERT_EQ_INT(pv.launch(pv.self, &l1, &a, err, sizeof err), 0);
    ASSERT_EQ_INT(pv.launch(pv.self, &l2, &b, err, sizeof err), 0);
    ASSERT_EQ_INT(harness("hide", a.id), 0);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_inst v[4];
    int n = pv.list(pv.self, "ec", v, 4);
    ASSERT_EQ_INT(n, 2);
    ASSERT_TRUE(find(v, n, a.id) && find(v, n, b.id));
    nap_ms(2500);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    n = pv.list(pv.self, "ec", v, 4);
    ASSERT_EQ_INT(n, 1);
    ASSERT_TRUE(!find(v, n, a.id) && find(v, n, b.id));
    pv.close(pv.self);
}

/* A stopped instance (not something synkti does; EC2 or an operator can): stopping/stopped map to
 * shutting-down/terminated, with EC2's reason. */
static void test_stopped(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "stp", 0.001), 0);
    char err[512];
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_launch l = {"us-east-1c", "t3.micro", 0, "stp-1", "stp", "j", 0, NULL};
    sk_pv_inst o;
    ASSERT_EQ_INT(pv.launch(pv.self, &l, &o, err, sizeof err), 0);
    sk_aws *a = moto_client();
    ASSERT_TRUE(a != NULL);
    sk_aws_params p;
    sk_aws_params_init(&p);
    sk_aws_params_add(&p, "InstanceId.1", o.id);
    char *body = NULL;
    size_t len = 0;
    int rc = sk_aws_call(a, "StopInstances", &p, &body, &len, err, sizeof err);
    sk_aws_params_free(&p);
    free(body);
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(pv.refresh(pv.self, err, sizeof err), 0);
    sk_pv_inst v[2];
    ASSERT_EQ_INT(pv.list(pv.self, "stp", v, 2), 1);
    printf("  stopped %s: state=%d reason=%s\n", v[0].id, (int)v[0].state, v[0].reason);
    ASSERT_TRUE(v[0].state == SK_PV_SHUTTING_DOWN || v[0].state == SK_PV_TERMINATED);
    ASSERT_TRUE(v[0].reason[0] != '\0' && !v[0].notice);
    ASSERT_EQ_INT(pv.terminate(pv.self, o.id, err, sizeof err), 0);
    pv.close(pv.self);
}

/* Current spot prices per zone (moto answers a constant 0.00001 for offered types). */
static void test_spot_prices(void) {
    sk_provider pv;
    ASSERT_EQ_INT(open_prov(&pv, "sp", 0.001), 0);
    char err[512];
    const char *zones[] = {"us-east-1a", "us-east-1b", "us-west-9z"};
    double pr[3];
    int n = sk_prov_aws_spot_prices(&pv, "m5.large", zones, 3, pr, err, sizeof err);
    if (n < 0) fprintf(stderr, "  %s\n", err);
    printf("  spot m5.large: %d zones priced: %g %g %g\n", n, pr[0], pr[1], pr[2]);
    ASSERT_EQ_INT(n, 2);
    ASSERT_NEAR(pr[0], 1e-5, 1e-12);
    ASSERT_NEAR(pr[1], 1e-5, 1e-12);
    ASSERT_EQ_INT(pr[2], -1);
    ASSERT_EQ_INT(stats(&pv).calls, 1);
    pv.close(pv.self);
}

int main(int argc, char **argv) {
    static const sk_test offline[] = {
        {"user_data_render", test_user_data_render},
        {"base64", test_base64},
        {"health_not_aws", test_health_not_aws},
        {NULL, NULL},
    };
    static const sk_test moto[] = {
        {"launch_list", test_launch_list},
        {"idempotent", test_idempotent},
        {"parallel", test_parallel},
        {"injected", test_injected},
        {"reclaim_terminate", test_reclaim_terminate},
        {"rate_limit", test_rate_limit},
        {"launch_grace", test_launch_grace},
        {"stopped", test_stopped},
        {"spot_prices", test_spot_prices},
        {NULL, NULL},
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = sk_test_main(offline, argc, argv);
    if (system("python3 -c 'import moto.server, boto3' >/dev/null 2>&1") != 0) {
        printf("SKIP: python3 with moto and boto3 not available\n");
        curl_global_cleanup();
        return rc ? 1 : 77;
    }
    setenv("AWS_ACCESS_KEY_ID", "AKIDMOTO", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "motosecret", 1);
    unsetenv("AWS_SESSION_TOKEN");
    if (servers_start()) {
        servers_stop();
        printf("FAIL: moto or the harness did not start\n");
        curl_global_cleanup();
        return 1;
    }
    printf("moto on %s (pid %d), harness on %s (pid %d)\n", moto_url, (int)moto_pid, proxy_url,
           (int)proxy_pid);
    rc |= sk_test_main(moto, argc, argv);
    servers_stop();
    curl_global_cleanup();
    return rc ? 1 : 0;
}
