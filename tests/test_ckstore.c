/* test_ckstore.c - the agent's checkpoint store (src/live/sk_ckstore) and the agent's robustness.
 *
 *   test_ckstore SYNKTI             offline: the folder store; S3 requests against a scripted
 *                                   server of the test's own (SigV4 header and payload hash, retries
 *                                   with capped jittered backoff, auth/HTML/garbled replies); an
 *                                   agent whose metadata endpoint stops and comes back on the same
 *                                   port (new token store), and one whose report collector is down
 *                                   for a while (lines resent, each carrying the cumulative state).
 *   test_ckstore SYNKTI --moto      against moto (python3 -m moto.server on a free port, stopped by
 *                                   PID): put/list/pages/get-newest/prune/missing keys; an agent with
 *                                   --checkpoint-store s3://..., SIGTERMed, its scratch folder deleted,
 *                                   restarted: it resumes from S3 and its output is byte-identical
 *                                   to an uninterrupted run; last, authentication on: the right key
 *                                   works, a wrong secret gets a clear error without the secret.
 *                                   Exits 77 without moto/boto3.
 * Everything on 127.0.0.1; every server and process started here is stopped here by its PID.
 * Data: a tiny synthetic model written to a temporary folder. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "infer/sk_infer.h"
#include "io/sk_sha256.h"
#include "live/sk_ckstore.h"
#include "live/sk_imds.h"
#include "sk_error.h"
#include "test.h"
#include "test_collector.h"

extern char **environ;
static const char *synkti_bin;
static char tmpdir[256], model_path[512], prompt_path[512];

/* ---- helpers ---------------------------------------------------------------------------------- */

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void nap(double s) {
    struct timespec d = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&d, NULL);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = malloc(1 << 21);
    size_t n = s ? fread(s, 1, (1 << 21) - 1, f) : 0;
    fclose(f);
    if (s) s[n] = 0;
    if (len) *len = n;
    return s;
}

static int write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

static int file_exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

static int same_file(const char *a, const char *b) {
    size_t la = 0, lb = 0;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = x && y && la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

/* Spawn `synkti agent ARGS` with stdout to out_path (stderr kept). Its PID or -1. */
static pid_t spawn_agent(char **args, int nargs, const char *out_path) {
    char *argv[64];
    int k = 0;
    argv[k++] = (char *)synkti_bin;
    argv[k++] = "agent";
    for (int i = 0; i < nargs && k < 63; i++) argv[k++] = args[i];
    argv[k] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    int e = posix_spawn(&pid, synkti_bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return e ? -1 : pid;
}

/* Exit status of pid (128+signal), waiting at most timeout s (then SIGKILL: -1). */
static int wait_exit(pid_t pid, double timeout) {
    double end = wall() + timeout;
    int st;
    while (wall() < end) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        nap(0.01);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* Wait until file path contains needle (up to timeout s). */
static int wait_for_text(const char *path, const char *needle, double timeout) {
    double end = wall() + timeout;
    while (wall() < end) {
        char *s = slurp(path, NULL);
        int ok = s && strstr(s, needle);
        free(s);
        if (ok) return 1;
        nap(0.01);
    }
    return 0;
}

/* The integer after `"key":` in the first line of text holding `"event":"EV"`, or -999. */
static int ev_int(const char *text, const char *ev, const char *key) {
    char e[64], k[64];
    snprintf(e, sizeof e, "\"event\":\"%s\"", ev);
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = text ? strstr(text, e) : NULL;
    if (!p) return -999;
    const char *eol = strchr(p, '\n'), *q = strstr(p, k);
    if (!q || (eol && q > eol)) return -999;
    return atoi(q + strlen(k));
}

/* The string after `"key":"` in that line into out ("" if none). */
static void ev_str(const char *text, const char *ev, const char *key, char *out, size_t len) {
    char e[64], k[64];
    snprintf(e, sizeof e, "\"event\":\"%s\"", ev);
    snprintf(k, sizeof k, "\"%s\":\"", key);
    out[0] = 0;
    const char *p = text ? strstr(text, e) : NULL;
    if (!p) return;
    const char *eol = strchr(p, '\n'), *q = strstr(p, k);
    if (!q || (eol && q > eol)) return;
    q += strlen(k);
    size_t n = 0;
    while (q[n] && q[n] != '"' && n + 1 < len) n++;
    memcpy(out, q, n);
    out[n] = 0;
}

typedef struct {
    double s[16];
    int n;
} sleeps_t;

static void record_sleep(void *ctx, double s) {
    sleeps_t *r = ctx;
    if (r->n < 16) r->s[r->n++] = s;
}

/* A port free right now on 127.0.0.1. */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

/* ---- the folder store ------------------------------------------------------------------------- */

static void test_dir_store(void) {
    char err[512], d[600], src[700], got[700], loc[800], name[32];
    snprintf(d, sizeof d, "%s/dirstore/sub", tmpdir);
    sk_ckstore *s = NULL;
    char uri[700];
    snprintf(uri, sizeof uri, "dir:%s/dirstore/sub", tmpdir);
    sk_ckstore_cfg cfg = {.uri = uri};
    char parent[600];
    snprintf(parent, sizeof parent, "%s/dirstore", tmpdir);
    mkdir(parent, 0777);
    ASSERT_EQ_INT(sk_ckstore_open(&s, &cfg, err, sizeof err), 0);
    ASSERT_TRUE(file_exists(d)); /* created */
    ASSERT_EQ_INT(sk_ckstore_remote(s), 0);
    ASSERT_TRUE(!strcmp(sk_ckstore_dir(s), d));
    sk_ckstore_ckpt_name(42, name);
    ASSERT_TRUE(!strcmp(name, "ckpt-00000042.bin"));
    sk_ckstore_location(s, name, loc, sizeof loc);
    ASSERT_STR_CONTAINS(loc, "/dirstore/sub/ckpt-00000042.bin");
    int gens[8];
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_ckstore_get_newest(s, tmpdir, gens, err, sizeof err), 0); /* none yet */
    static const int put[] = {16, 48, 32};
    for (int i = 0; i < 3; i++) {
        char text[64];
        snprintf(src, sizeof src, "%s/local-%d", tmpdir, put[i]);
        snprintf(text, sizeof text, "checkpoint %d\n", put[i]);
        ASSERT_EQ_INT(write_file(src, text), 0);
        sk_ckstore_ckpt_name(put[i], name);
        ASSERT_EQ_INT(sk_ckstore_put(s, src, name, err, sizeof err), 0);
    }
    /* names that are not checkpoints are ignored */
    char junk[700];
    snprintf(junk, sizeof junk, "%s/ckpt-1.bin", d);
    ASSERT_EQ_INT(write_file(junk, "x"), 0);
    snprintf(junk, sizeof junk, "%s/ckpt-0000001x.bin", d);
    ASSERT_EQ_INT(write_file(junk, "x"), 0);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), 3);
    ASSERT_EQ_INT(gens[0], 48);
    ASSERT_EQ_INT(gens[1], 32);
    ASSERT_EQ_INT(gens[2], 16);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 1, err, sizeof err), 1); /* bounded by max */
    char ldir[600];
    snprintf(ldir, sizeof ldir, "%s/dirlocal", tmpdir);
    mkdir(ldir, 0777);
    int g = -1;
    ASSERT_EQ_INT(sk_ckstore_get_newest(s, ldir, &g, err, sizeof err), 1);
    ASSERT_EQ_INT(g, 48);
    snprintf(got, sizeof got, "%s/ckpt-00000048.bin", ldir);
    snprintf(src, sizeof src, "%s/local-48", tmpdir);
    ASSERT_TRUE(same_file(got, src));
    /* putting the store's own file is a no-op, not a self-truncation */
    snprintf(got, sizeof got, "%s/ckpt-00000048.bin", d);
    ASSERT_EQ_INT(sk_ckstore_put(s, got, "ckpt-00000048.bin", err, sizeof err), 0);
    ASSERT_TRUE(same_file(got, src));
    ASSERT_EQ_INT(sk_ckstore_get(s, "ckpt-00000099.bin", got, err, sizeof err), SK_ENOENT);
    ASSERT_STR_CONTAINS(err, "ckpt-00000099.bin");
    ASSERT_EQ_INT(sk_ckstore_prune(s, 48, err, sizeof err), 2);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), 1);
    ASSERT_EQ_INT(gens[0], 48);
    ASSERT_EQ_INT(sk_ckstore_delete(s, "ckpt-00000016.bin", err, sizeof err), 0); /* already gone: fine */
    sk_ckstore_close(s);
    /* a plain path works too; bad URIs are configuration errors */
    sk_ckstore_cfg c2 = {.uri = d};
    ASSERT_EQ_INT(sk_ckstore_open(&s, &c2, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), 1);
    sk_ckstore_close(s);
    static const char *bad[] = {"ftp://host/x", "s3://", "s3://Bad_Bucket/x", "s3://ab/x", "", NULL};
    for (int i = 0; bad[i]; i++) {
        sk_ckstore_cfg c3 = {.uri = bad[i], .endpoint_url = "http://127.0.0.1:9"};
        s = NULL;
        ASSERT_EQ_INT(sk_ckstore_open(&s, &c3, err, sizeof err), SK_ECONFIG);
        ASSERT_TRUE(s == NULL);
    }
}

/* ---- S3 against a scripted server ------------------------------------------------------------- */

typedef struct {
    int status;
    const char *ctype, *body;
} reply_t;

typedef struct {
    pthread_mutex_t mu;
    reply_t script[16];
    int nscript, next;
    int requests;
    char method[16], url[512], query[512], sha[80], auth[512], ctype[80];
    char body[4096];
    size_t blen;
} fake_t;

typedef struct {
    char buf[4096];
    size_t n;
} conn_t;

static enum MHD_Result fake_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                   const char *version, const char *up, size_t *upsz, void **con_cls) {
    (void)version;
    fake_t *f = cls;
    if (!*con_cls) {
        conn_t *k = calloc(1, sizeof *k);
        if (!k) return MHD_NO;
        *con_cls = k;
        return MHD_YES;
    }
    conn_t *k = *con_cls;
    if (*upsz) {
        size_t n = *upsz < sizeof k->buf - k->n ? *upsz : sizeof k->buf - k->n;
        memcpy(k->buf + k->n, up, n);
        k->n += n;
        *upsz = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->mu);
    f->requests++;
    snprintf(f->method, sizeof f->method, "%s", method);
    snprintf(f->url, sizeof f->url, "%s", url);
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-amz-content-sha256");
    snprintf(f->sha, sizeof f->sha, "%s", h ? h : "");
    h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    snprintf(f->auth, sizeof f->auth, "%s", h ? h : "");
    h = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "prefix");
    snprintf(f->query, sizeof f->query, "%s", h ? h : "");
    memcpy(f->body, k->buf, k->n);
    f->blen = k->n;
    reply_t r = {200, "application/xml", ""};
    if (f->next < f->nscript) r = f->script[f->next++];
    pthread_mutex_unlock(&f->mu);
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(r.body), (void *)r.body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", r.ctype);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void fake_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t) {
    (void)cls, (void)c, (void)t;
    free(*con_cls);
    *con_cls = NULL;
}

static void fake_script(fake_t *f, const reply_t *r, int n) {
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < n; i++) f->script[i] = r[i];
    f->nscript = n, f->next = 0, f->requests = 0;
    pthread_mutex_unlock(&f->mu);
}

#define S3ERR(code, msg) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" code "</Code><Message>" msg "</Message><RequestId>r1</RequestId></Error>"

static void test_s3_scripted(void) {
    static fake_t f;
    memset(&f, 0, sizeof f);
    pthread_mutex_init(&f.mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handle, &f,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                                            fake_done, NULL, MHD_OPTION_END);
    ASSERT_TRUE(d != NULL);
    char ep[64], err[1024], src[700], name[32];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%u/", (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    setenv("AWS_ACCESS_KEY_ID", "AKIDSCRIPTED", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-Scripted-Value", 1);
    sleeps_t sl = {{0}, 0};
    sk_ckstore_cfg cfg = {.uri = "s3://bkt/runs/r1/", .endpoint_url = ep, .region = "eu-west-1", .max_attempts = 3,
                          .backoff_base_s = 0.5, .backoff_cap_s = 0.8, .sleep_fn = record_sleep, .sleep_ctx = &sl};
    sk_ckstore *s = NULL;
    int rc = sk_ckstore_open(&s, &cfg, err, sizeof err);
    if (rc) MHD_stop_daemon(d);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(sk_ckstore_remote(s), 1);
    char loc[256];
    sk_ckstore_location(s, "ckpt-00000007.bin", loc, sizeof loc);
    ASSERT_TRUE(!strcmp(loc, "s3://bkt/runs/r1/ckpt-00000007.bin"));
    snprintf(src, sizeof src, "%s/payload", tmpdir);
    const char *payload = "checkpoint bytes \x01\x02 for the scripted server";
    ASSERT_EQ_INT(write_file(src, payload), 0);
    char want_sha[65];
    sk_sha256_hex(payload, strlen(payload), want_sha);
    /* 503 SlowDown, then an HTML 500, then success: three attempts, two jittered sleeps */
    reply_t r1[] = {{503, "application/xml", S3ERR("SlowDown", "Please reduce your request rate.")},
                    {500, "text/html", "<html><body>oops</body></html>"},
                    {200, "application/xml", ""}};
    fake_script(&f, r1, 3);
    sk_ckstore_ckpt_name(7, name);
    rc = sk_ckstore_put(s, src, name, err, sizeof err);
    if (rc) fprintf(stderr, "  put: %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(f.requests, 3);
    ASSERT_EQ_INT(sk_ckstore_attempts(s), 3);
    ASSERT_EQ_INT(sl.n, 2);
    ASSERT_TRUE(sl.s[0] >= 0 && sl.s[0] <= 0.5);  /* uniform(0, base) */
    ASSERT_TRUE(sl.s[1] >= 0 && sl.s[1] <= 0.8);  /* uniform(0, min(cap, 2 base)) */
    ASSERT_TRUE(!strcmp(f.method, "PUT"));
    ASSERT_TRUE(!strcmp(f.url, "/bkt/runs/r1/ckpt-00000007.bin")); /* path-style */
    ASSERT_EQ_U64(f.blen, strlen(payload));
    ASSERT_TRUE(!memcmp(f.body, payload, f.blen));
    ASSERT_TRUE(!strcmp(f.sha, want_sha)); /* x-amz-content-sha256 = SHA-256 of the body */
    ASSERT_STR_CONTAINS(f.auth, "AWS4-HMAC-SHA256 Credential=AKIDSCRIPTED/");
    ASSERT_STR_CONTAINS(f.auth, "/eu-west-1/s3/aws4_request");
    ASSERT_STR_CONTAINS(f.auth, "x-amz-content-sha256");
    ASSERT_TRUE(!strstr(f.auth, "s3cr3t"));

    /* auth error: not retried; the message names the key, the code and the status, not the secret */
    reply_t r2[] = {{403, "application/xml", S3ERR("SignatureDoesNotMatch", "The request signature we calculated does not match.")}};
    fake_script(&f, r2, 1);
    char dst[700];
    snprintf(dst, sizeof dst, "%s/fetched", tmpdir);
    rc = sk_ckstore_get(s, name, dst, err, sizeof err);
    printf("  auth: %s\n", err);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_EQ_INT(f.requests, 1);
    ASSERT_STR_CONTAINS(err, "GET s3://bkt/runs/r1/ckpt-00000007.bin");
    ASSERT_STR_CONTAINS(err, "SignatureDoesNotMatch");
    ASSERT_STR_CONTAINS(err, "HTTP 403");
    ASSERT_TRUE(!strstr(err, "s3cr3t"));
    ASSERT_TRUE(!file_exists(dst)); /* nothing half-written */
    /* a reply that echoes the secret is scrubbed */
    reply_t r2b[] = {{400, "application/xml", S3ERR("InvalidArgument", "bad s3cr3t-Scripted-Value here")}};
    fake_script(&f, r2b, 1);
    ASSERT_EQ_INT(sk_ckstore_get(s, name, dst, err, sizeof err), SK_EIO);
    ASSERT_TRUE(!strstr(err, "s3cr3t"));
    /* missing key */
    reply_t r3[] = {{404, "application/xml", S3ERR("NoSuchKey", "The specified key does not exist.")}};
    fake_script(&f, r3, 1);
    ASSERT_EQ_INT(sk_ckstore_get(s, name, dst, err, sizeof err), SK_ENOENT);
    ASSERT_STR_CONTAINS(err, "NoSuchKey");
    /* server errors on every attempt: SK_EIO after max_attempts */
    reply_t r4[] = {{500, "application/xml", S3ERR("InternalError", "We encountered an internal error.")},
                    {500, "application/xml", S3ERR("InternalError", "We encountered an internal error.")},
                    {500, "application/xml", S3ERR("InternalError", "We encountered an internal error.")},
                    {500, "application/xml", S3ERR("InternalError", "We encountered an internal error.")}};
    fake_script(&f, r4, 4);
    rc = sk_ckstore_get(s, name, dst, err, sizeof err);
    printf("  server: %s\n", err);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(f.requests, 3);
    ASSERT_STR_CONTAINS(err, "3 attempts");
    /* GET: the body lands in the local file */
    reply_t r5[] = {{200, "application/octet-stream", "the object body"}};
    fake_script(&f, r5, 1);
    ASSERT_EQ_INT(sk_ckstore_get(s, name, dst, err, sizeof err), 0);
    char *got = slurp(dst, NULL);
    ASSERT_TRUE(got && !strcmp(got, "the object body"));
    free(got);
    /* listing: two pages chained by start-after; other names ignored; garbled -> SK_EDATA */
    reply_t r6[] = {{200, "application/xml",
                     "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                     "<IsTruncated>true</IsTruncated><Contents><Key>runs/r1/ckpt-00000016.bin</Key></Contents>"
                     "<Contents><Key>runs/r1/ckpt-00000032.bin</Key></Contents></ListBucketResult>"},
                    {200, "application/xml",
                     "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false</IsTruncated>"
                     "<Contents><Key>runs/r1/ckpt-00000048.bin</Key></Contents>"
                     "<Contents><Key>runs/r1/ckpt-00000064.bin.tmp</Key></Contents></ListBucketResult>"}};
    fake_script(&f, r6, 2);
    int gens[8];
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), 3);
    ASSERT_EQ_INT(f.requests, 2);
    ASSERT_TRUE(!strcmp(f.query, "runs/r1/ckpt-"));
    ASSERT_EQ_INT(gens[0], 48);
    ASSERT_EQ_INT(gens[2], 16);
    reply_t r7[] = {{200, "text/html", "<html>not a listing</html>"}};
    fake_script(&f, r7, 1);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 8, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "ListObjectsV2 s3://bkt/runs/r1/ckpt-");
    sk_ckstore_close(s);
    MHD_stop_daemon(d);
    /* nothing listening: a network error after the retries */
    sk_ckstore_cfg c2 = cfg;
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%d", free_port());
    c2.endpoint_url = dead;
    sl.n = 0;
    ASSERT_EQ_INT(sk_ckstore_open(&s, &c2, err, sizeof err), 0);
    rc = sk_ckstore_list(s, gens, 8, err, sizeof err);
    sk_ckstore_close(s);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_STR_CONTAINS(err, "network error");
    ASSERT_EQ_INT(sl.n, 2);
    pthread_mutex_destroy(&f.mu);
}

/* The store fails the first upload (5 x 503): a checkpoint_error line, the work goes on, and the
 * next checkpoint is stored. */
static void test_agent_store_outage(void) {
    static fake_t f;
    memset(&f, 0, sizeof f);
    pthread_mutex_init(&f.mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handle, &f,
                                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED,
                                            fake_done, NULL, MHD_OPTION_END);
    ASSERT_TRUE(d != NULL);
    char ep[64], dir[600], out[700];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%u", (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    snprintf(dir, sizeof dir, "%s/outage", tmpdir);
    snprintf(out, sizeof out, "%s/outage.out", tmpdir);
    setenv("AWS_ACCESS_KEY_ID", "AKIDSCRIPTED", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-Scripted-Value", 1);
    reply_t slow = {503, "application/xml", S3ERR("SlowDown", "Please reduce your request rate.")};
    reply_t r[] = {{200, "application/xml", "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"},
                   slow, slow, slow, slow, slow};
    fake_script(&f, r, 6); /* the start's listing, then 5 failed attempts of the first upload */
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "60", "-d", dir, "--checkpoint-every", "20",
                    "--pace-ms", "5", "--imds", "off", "--backend", "cpu", "--checkpoint-store", "s3://bkt/a",
                    "--s3-endpoint", ep};
    pid_t pid = spawn_agent(args, 20, out);
    int st = pid > 0 ? wait_exit(pid, 120) : -1;
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&f.mu);
    char *log = slurp(out, NULL), e[512];
    ASSERT_EQ_INT(st, 0);
    ASSERT_EQ_INT(ev_int(log, "checkpoint_error", "generated"), 20);
    ASSERT_EQ_INT(ev_int(log, "checkpoint_error", "saved"), -1);
    ev_str(log, "checkpoint_error", "error", e, sizeof e);
    printf("  outage: %s\n", e);
    ASSERT_STR_CONTAINS(e, "PUT s3://bkt/a/ckpt-00000020.bin: SlowDown");
    ASSERT_STR_CONTAINS(e, "5 attempts");
    ASSERT_EQ_INT(ev_int(log, "checkpoint", "generated"), 40); /* the first stored one */
    ASSERT_EQ_INT(ev_int(log, "done", "saved"), 40);
    ev_str(log, "done", "checkpoint", e, sizeof e);
    ASSERT_TRUE(!strcmp(e, "s3://bkt/a/ckpt-00000040.bin"));
    free(log);
}

/* ---- agent: the metadata endpoint goes away and comes back ------------------------------------ */

/* Start an IMDS on exactly `port` (it was just freed: retry for a while). */
static sk_imds *imds_on(int port) {
    sk_imds_cfg cfg = {"i-restart", "local-1a", "local.cpu", 1};
    char err[256];
    for (int i = 0; i < 200; i++) {
        sk_imds *s = NULL;
        if (sk_imds_start(&s, &cfg, port, err, sizeof err) == 0) return s;
        nap(0.05);
    }
    return NULL;
}

static void test_agent_imds_restart(void) {
    char dir[600], out[700], hook_out[700], hook[900], url[64];
    snprintf(dir, sizeof dir, "%s/imds", tmpdir);
    snprintf(out, sizeof out, "%s/imds.out", tmpdir);
    snprintf(hook_out, sizeof hook_out, "%s/hook.txt", tmpdir);
    snprintf(hook, sizeof hook, "printf '%%s %%s\\n' \"$SYNKTI_NOTICE_TIME\" \"$SYNKTI_CHECKPOINT_DIR\" > '%s'; echo hook-ran",
             hook_out);
    sk_imds *s = imds_on(0);
    ASSERT_TRUE(s != NULL);
    int port = sk_imds_port(s);
    snprintf(url, sizeof url, "%s", sk_imds_url(s));
    /* 120 tokens x 30 ms = 3.6 s of work, longer than the outage below */
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "120", "-d", dir, "--checkpoint-every", "50",
                    "--poll", "0.05", "--pace-ms", "30", "--backend", "cpu", "--heartbeat", "0.1", "--imds", url,
                    "--on-notice", hook};
    pid_t pid = spawn_agent(args, 22, out);
    ASSERT_TRUE(pid > 0);
    int mid = wait_for_text(out, "\"event\":\"heartbeat\"", 60);
    long toks1 = sk_imds_tokens_issued(s);
    sk_imds_stop(s); /* the controller died */
    s = NULL;
    if (!mid) kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    ASSERT_TRUE(mid);
    ASSERT_EQ_INT(toks1, 1);
    nap(0.6); /* ~12 polls against nothing */
    ASSERT_TRUE(kill(pid, 0) == 0); /* still working */
    s = imds_on(port); /* a new controller, same URL, a new token store */
    if (!s) kill(pid, SIGKILL), waitpid(pid, NULL, 0);
    ASSERT_TRUE(s != NULL);
    double end = wall() + 30;
    while (sk_imds_tokens_issued(s) < 1 && wall() < end) nap(0.01); /* 401 for the old token -> a new one */
    ASSERT_EQ_INT(sk_imds_tokens_issued(s), 1);
    sk_imds_notice(s, 4);
    int st = wait_exit(pid, 60);
    sk_imds_stop(s);
    char *log = slurp(out, NULL);
    printf("  imds restart: exit %d, notice at %d, interrupted at %d\n", st, ev_int(log, "notice", "generated"),
           ev_int(log, "interrupted", "generated"));
    ASSERT_EQ_INT(st, 75);
    ASSERT_TRUE(log != NULL);
    int at = ev_int(log, "interrupted", "generated");
    ASSERT_TRUE(at > 0 && at < 120); /* reacted to the new endpoint's notice mid-work */
    ASSERT_EQ_INT(ev_int(log, "interrupted", "saved"), at);
    char cause[32];
    ev_str(log, "interrupted", "cause", cause, sizeof cause);
    ASSERT_TRUE(!strcmp(cause, "notice"));
    free(log);
    char *h = slurp(hook_out, NULL); /* the hook saw the deadline and the folder */
    ASSERT_TRUE(h != NULL);
    ASSERT_STR_CONTAINS(h, "Z ");
    ASSERT_STR_CONTAINS(h, dir);
    free(h);
}

/* The endpoint goes away for good after the start: the work still completes. */
static void test_agent_imds_gone(void) {
    char dir[600], out[700];
    snprintf(dir, sizeof dir, "%s/imds-gone", tmpdir);
    snprintf(out, sizeof out, "%s/imds-gone.out", tmpdir);
    sk_imds *s = imds_on(0);
    ASSERT_TRUE(s != NULL);
    char url[64];
    snprintf(url, sizeof url, "%s", sk_imds_url(s));
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "60", "-d", dir, "--poll", "0.05", "--pace-ms", "20",
                    "--backend", "cpu", "--heartbeat", "0.1", "--imds", url};
    pid_t pid = spawn_agent(args, 18, out);
    int mid = pid > 0 && wait_for_text(out, "\"event\":\"heartbeat\"", 60);
    sk_imds_stop(s);
    int st = pid > 0 ? wait_exit(pid, 60) : -1;
    ASSERT_TRUE(mid);
    ASSERT_EQ_INT(st, 0);
    char *log = slurp(out, NULL);
    ASSERT_EQ_INT(ev_int(log, "done", "generated"), 60);
    free(log);
}

/* ---- agent: --report collector down for a while ----------------------------------------------- */

static void test_agent_report_backlog(void) {
    static collector_t k;
    memset(&k, 0, sizeof k);
    pthread_mutex_init(&k.mu, NULL);
    int port = free_port();
    char url[64], dir[600], out[700];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/report", port);
    snprintf(dir, sizeof dir, "%s/rep", tmpdir);
    snprintf(out, sizeof out, "%s/rep.out", tmpdir);
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "100", "-d", dir, "--checkpoint-every", "20",
                    "--pace-ms", "20", "--backend", "cpu", "--imds", "off", "--report", url, "--heartbeat", "0.1"};
    pid_t pid = spawn_agent(args, 20, out);
    ASSERT_TRUE(pid > 0);
    nap(0.8); /* no collector yet: start, heartbeats and a checkpoint are kept */
    struct MHD_Daemon *d = collector_on(port, &k);
    double t_up = wall();
    int st = wait_exit(pid, 60);
    if (d) MHD_stop_daemon(d);
    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_INT(st, 0); /* POST failures are not fatal */
    char *stdout_text = slurp(out, NULL);
    ASSERT_TRUE(stdout_text && !stdout_text[0]); /* with --report nothing goes to stdout */
    free(stdout_text);
    /* every line arrived once, in order, and carries the cumulative state */
    const char *a = strstr(k.buf, "\"event\":\"start\""), *c = strstr(k.buf, "\"event\":\"checkpoint\""),
               *z = strstr(k.buf, "\"event\":\"done\"");
    ASSERT_TRUE(a && c && z && a < c && c < z);
    ASSERT_TRUE(strstr(a + 1, "\"event\":\"start\"") == NULL);
    const char *ta = strstr(a, "\"t\":");
    ASSERT_TRUE(ta && strtod(ta + 4, NULL) < t_up); /* made while nobody listened: sent again later */
    int lines = 0, hb = 0, last_gen = -1, ordered = 1, stateful = 1;
    for (char *p = k.buf; p && *p;) {
        char *e = strchr(p, '\n');
        if (e) *e = 0;
        if (*p) {
            lines++;
            hb += strstr(p, "\"event\":\"heartbeat\"") != NULL;
            const char *g = strstr(p, "\"generated\":");
            int gen = g ? atoi(g + 12) : -1;
            if (gen < last_gen) ordered = 0;
            last_gen = gen;
            stateful &= strstr(p, "\"saved\":") && strstr(p, "\"checkpoint\":\"") && strstr(p, "\"total\":100");
        }
        p = e ? e + 1 : NULL;
    }
    printf("  report: %d lines, %d heartbeats\n", lines, hb);
    ASSERT_TRUE(ordered);
    ASSERT_TRUE(stateful);
    ASSERT_TRUE(hb >= 3);
    char ck[700];
    snprintf(ck, sizeof ck, "\"saved\":80,\"checkpoint\":\"%s/ckpt-00000080.bin\"", dir);
    const char *done_line = z;
    if (done_line && !strstr(done_line, ck)) fprintf(stderr, "  done line: %.300s\n", done_line);
    ASSERT_TRUE(done_line && strstr(done_line, ck)); /* a controller that saw only this line knows it all */
    pthread_mutex_destroy(&k.mu);
}

/* ---- moto -------------------------------------------------------------------------------------- */

static pid_t moto_pid = -1;
static char moto_url[64];

static void moto_stop(void) {
    if (moto_pid <= 0) return;
    kill(moto_pid, SIGTERM);
    if (wait_exit(moto_pid, 5) < 0) fprintf(stderr, "moto killed\n");
    moto_pid = -1;
}

static size_t discard(char *p, size_t s, size_t n, void *u) {
    (void)p, (void)u;
    return s * n;
}

static long http_plain(const char *method, const char *url) {
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    long st = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_cleanup(c);
    return st;
}

static int moto_start(void) {
    int port = free_port();
    if (port < 0) return -1;
    char ps[16], ctl[128];
    snprintf(ps, sizeof ps, "%d", port);
    snprintf(moto_url, sizeof moto_url, "http://127.0.0.1:%d", port);
    moto_pid = fork();
    if (moto_pid < 0) return -1;
    if (moto_pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
        execlp("python3", "python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", ps, (char *)NULL);
        _exit(127);
    }
    atexit(moto_stop);
    snprintf(ctl, sizeof ctl, "%s/moto-api/", moto_url);
    for (int i = 0; i < 600; i++) { /* up to 60 s */
        if (waitpid(moto_pid, NULL, WNOHANG) == moto_pid) {
            moto_pid = -1;
            return -1;
        }
        if (http_plain("GET", ctl) == 200) return 0;
        nap(0.1);
    }
    return -1;
}

static void test_moto_ops(void) {
    char bucket_url[128], err[1024], src[700], name[32];
    snprintf(bucket_url, sizeof bucket_url, "%s/ck-ops", moto_url);
    ASSERT_EQ_INT(http_plain("PUT", bucket_url), 200); /* CreateBucket (authentication still off) */
    setenv("AWS_ACCESS_KEY_ID", "AKIDMOTO", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "motosecret", 1);
    sk_ckstore_cfg cfg = {.uri = "s3://ck-ops/team/job-1", .endpoint_url = moto_url, .list_page = 2};
    sk_ckstore *s = NULL;
    ASSERT_EQ_INT(sk_ckstore_open(&s, &cfg, err, sizeof err), 0);
    int gens[16];
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 16, err, sizeof err), 0);
    static const int put[] = {10, 50, 20, 40, 30};
    for (int i = 0; i < 5; i++) {
        char text[64];
        snprintf(src, sizeof src, "%s/m-%d", tmpdir, put[i]);
        snprintf(text, sizeof text, "moto checkpoint %d\n", put[i]);
        ASSERT_EQ_INT(write_file(src, text), 0);
        sk_ckstore_ckpt_name(put[i], name);
        int rc = sk_ckstore_put(s, src, name, err, sizeof err);
        if (rc) fprintf(stderr, "  put: %s\n", err);
        ASSERT_EQ_INT(rc, 0);
    }
    /* objects that are not this prefix's checkpoints */
    ASSERT_EQ_INT(sk_ckstore_put(s, src, "notes.txt", err, sizeof err), 0);
    ASSERT_EQ_INT(sk_ckstore_put(s, src, "sub/ckpt-00000099.bin", err, sizeof err), 0);
    sk_ckstore_cfg other = {.uri = "s3://ck-ops/team/job-10", .endpoint_url = moto_url};
    sk_ckstore *o = NULL;
    ASSERT_EQ_INT(sk_ckstore_open(&o, &other, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_ckstore_put(o, src, "ckpt-00000077.bin", err, sizeof err), 0);
    int n = sk_ckstore_list(s, gens, 16, err, sizeof err); /* 3 pages of 2 */
    if (n < 0) fprintf(stderr, "  list: %s\n", err);
    ASSERT_EQ_INT(n, 5);
    for (int i = 0; i < 5; i++) ASSERT_EQ_INT(gens[i], 50 - 10 * i);
    ASSERT_EQ_INT(sk_ckstore_list(o, gens, 16, err, sizeof err), 1);
    ASSERT_EQ_INT(gens[0], 77);
    sk_ckstore_close(o);
    char ldir[600], got[700];
    snprintf(ldir, sizeof ldir, "%s/moto-local", tmpdir);
    mkdir(ldir, 0777);
    int g = -1;
    ASSERT_EQ_INT(sk_ckstore_get_newest(s, ldir, &g, err, sizeof err), 1);
    ASSERT_EQ_INT(g, 50);
    snprintf(got, sizeof got, "%s/ckpt-00000050.bin", ldir);
    snprintf(src, sizeof src, "%s/m-50", tmpdir);
    ASSERT_TRUE(same_file(got, src));
    ASSERT_EQ_INT(sk_ckstore_prune(s, 50, err, sizeof err), 4);
    ASSERT_EQ_INT(sk_ckstore_list(s, gens, 16, err, sizeof err), 1);
    ASSERT_EQ_INT(gens[0], 50);
    int rc = sk_ckstore_get(s, "ckpt-00000010.bin", got, err, sizeof err);
    printf("  missing: %s\n", err);
    ASSERT_EQ_INT(rc, SK_ENOENT);
    ASSERT_STR_CONTAINS(err, "NoSuchKey");
    ASSERT_STR_CONTAINS(err, "s3://ck-ops/team/job-1/ckpt-00000010.bin");
    ASSERT_TRUE(same_file(got, src)); /* the failed get left the local file alone */
    ASSERT_EQ_INT(sk_ckstore_delete(s, "ckpt-00000010.bin", err, sizeof err), 0); /* gone already: fine */
    sk_ckstore_close(s);
    sk_ckstore_cfg nob = {.uri = "s3://no-such-bucket/x", .endpoint_url = moto_url};
    ASSERT_EQ_INT(sk_ckstore_open(&s, &nob, err, sizeof err), 0);
    rc = sk_ckstore_list(s, gens, 16, err, sizeof err);
    printf("  no bucket: %s\n", err);
    sk_ckstore_close(s);
    ASSERT_EQ_INT(rc, SK_ENOENT);
    ASSERT_STR_CONTAINS(err, "NoSuchBucket");
}

/* Reference: the same job uninterrupted, --imds off, folder store. */
static int run_reference(const char *dir, const char *out) {
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "120", "-d", (char *)dir, "--checkpoint-every", "40",
                    "--imds", "off", "--backend", "cpu", "--temperature", "0.9", "--seed", "5"};
    pid_t pid = spawn_agent(args, 18, out);
    return pid > 0 ? wait_exit(pid, 120) : -1;
}

static void test_moto_agent_resume(void) {
    char bucket_url[128], ref_dir[600], ref_out[700], scratch[600], log1[700], log2[700], store[128], rm[800];
    snprintf(bucket_url, sizeof bucket_url, "%s/ck-agent", moto_url);
    ASSERT_EQ_INT(http_plain("PUT", bucket_url), 200);
    setenv("AWS_ACCESS_KEY_ID", "AKIDMOTO", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "motosecret", 1);
    snprintf(ref_dir, sizeof ref_dir, "%s/s3ref", tmpdir);
    snprintf(ref_out, sizeof ref_out, "%s/s3ref.out", tmpdir);
    ASSERT_EQ_INT(run_reference(ref_dir, ref_out), 0);
    snprintf(scratch, sizeof scratch, "%s/s3scratch", tmpdir);
    snprintf(log1, sizeof log1, "%s/s3run1.out", tmpdir);
    snprintf(log2, sizeof log2, "%s/s3run2.out", tmpdir);
    snprintf(store, sizeof store, "s3://ck-agent/jobs/j1");
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "120", "-d", scratch, "--checkpoint-every", "25",
                    "--imds", "off", "--backend", "cpu", "--temperature", "0.9", "--seed", "5", "--pace-ms", "20",
                    "--checkpoint-store", store, "--s3-endpoint", moto_url};
    pid_t pid = spawn_agent(args, 24, log1);
    ASSERT_TRUE(pid > 0);
    int mid = wait_for_text(log1, "\"event\":\"checkpoint\"", 60);
    nap(0.2); /* past the periodic checkpoint, usually: the interruption checkpoint is a new one */
    kill(pid, SIGTERM); /* the instance goes away */
    int st = wait_exit(pid, 60);
    ASSERT_TRUE(mid);
    ASSERT_EQ_INT(st, 75);
    char *l1 = slurp(log1, NULL);
    int at = ev_int(l1, "interrupted", "generated");
    char loc[256], cause[32], want[256];
    ev_str(l1, "interrupted", "checkpoint", loc, sizeof loc);
    ev_str(l1, "interrupted", "cause", cause, sizeof cause);
    snprintf(want, sizeof want, "s3://ck-agent/jobs/j1/ckpt-%08d.bin", at);
    printf("  interrupted at %d -> %s\n", at, loc);
    ASSERT_TRUE(at >= 25 && at < 120);
    ASSERT_TRUE(!strcmp(loc, want));
    ASSERT_TRUE(!strcmp(cause, "signal"));
    ASSERT_EQ_INT(ev_int(l1, "interrupted", "saved"), at);
    char cl[256];
    ev_str(l1, "checkpoint", "location", cl, sizeof cl);
    ASSERT_TRUE(!strcmp(cl, "s3://ck-agent/jobs/j1/ckpt-00000025.bin"));
    free(l1);
    /* only the newest stays in the store */
    sk_ckstore_cfg cfg = {.uri = store, .endpoint_url = moto_url};
    sk_ckstore *s = NULL;
    char err[512];
    int gens[8];
    ASSERT_EQ_INT(sk_ckstore_open(&s, &cfg, err, sizeof err), 0);
    int n = sk_ckstore_list(s, gens, 8, err, sizeof err);
    sk_ckstore_close(s);
    ASSERT_TRUE(n >= 1 && n <= 2); /* the notice path leaves pruning to the next run */
    ASSERT_EQ_INT(gens[0], at);
    /* the scratch folder is lost with the instance */
    snprintf(rm, sizeof rm, "rm -rf '%s'", scratch);
    ASSERT_EQ_INT(system(rm), 0);
    pid = spawn_agent(args, 24, log2);
    st = wait_exit(pid, 120);
    char *l2 = slurp(log2, NULL);
    ASSERT_EQ_INT(st, 0);
    ASSERT_EQ_INT(ev_int(l2, "start", "resumed_from"), at);
    ASSERT_EQ_INT(ev_int(l2, "start", "saved"), at);
    ASSERT_EQ_INT(ev_int(l2, "done", "generated"), 120);
    free(l2);
    char out[700], refo[700];
    snprintf(out, sizeof out, "%s/output.txt", scratch);
    snprintf(refo, sizeof refo, "%s/output.txt", ref_dir);
    ASSERT_TRUE(same_file(out, refo)); /* byte-identical to the uninterrupted run */
}

/* Last: turns moto's authentication on for the rest of the server's life. */
static void test_moto_auth(void) {
    const char *srcdir = getenv("SK_TEST_SRC");
    ASSERT_TRUE(srcdir != NULL);
    char cmd[700], line[512] = "", bucket_url[128], err[1024], src[700];
    snprintf(bucket_url, sizeof bucket_url, "%s/ck-auth", moto_url);
    ASSERT_EQ_INT(http_plain("PUT", bucket_url), 200);
    snprintf(cmd, sizeof cmd, "python3 %s/moto_harness.py iam-key %s", srcdir, moto_url);
    FILE *p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    if (!fgets(line, sizeof line, p)) line[0] = 0;
    ASSERT_EQ_INT(pclose(p), 0);
    char ak[128], secret[128], wrong[160];
    ASSERT_EQ_INT(sscanf(line, "%127s %127s", ak, secret), 2);
    snprintf(cmd, sizeof cmd, "python3 %s/moto_harness.py auth-on %s >/dev/null", srcdir, moto_url);
    ASSERT_EQ_INT(system(cmd), 0);
    setenv("AWS_ACCESS_KEY_ID", ak, 1);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    sk_ckstore_cfg cfg = {.uri = "s3://ck-auth/p", .endpoint_url = moto_url};
    sk_ckstore *s = NULL;
    int gens[4];
    snprintf(src, sizeof src, "%s/auth-ck", tmpdir);
    ASSERT_EQ_INT(write_file(src, "signed"), 0);
    ASSERT_EQ_INT(sk_ckstore_open(&s, &cfg, err, sizeof err), 0);
    int rc = sk_ckstore_put(s, src, "ckpt-00000003.bin", err, sizeof err);
    if (rc) fprintf(stderr, "  right key put: %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    rc = sk_ckstore_list(s, gens, 4, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  right key list: %s\n", err);
    ASSERT_EQ_INT(rc, 1);
    sk_ckstore_close(s);
    snprintf(wrong, sizeof wrong, "%sWRONG", secret);
    setenv("AWS_SECRET_ACCESS_KEY", wrong, 1);
    ASSERT_EQ_INT(sk_ckstore_open(&s, &cfg, err, sizeof err), 0);
    rc = sk_ckstore_list(s, gens, 4, err, sizeof err);
    int attempts = sk_ckstore_attempts(s);
    sk_ckstore_close(s);
    printf("  wrong secret: %s\n", err);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_EQ_INT(attempts, 1);
    ASSERT_STR_CONTAINS(err, "s3://ck-auth/p/");
    ASSERT_STR_CONTAINS(err, "HTTP 403");
    ASSERT_TRUE(strstr(err, "SignatureDoesNotMatch") || strstr(err, "AccessDenied"));
    ASSERT_TRUE(!strstr(err, secret));
    /* the agent says the same and exits 78 (configuration) */
    char dir[600], out[700];
    snprintf(dir, sizeof dir, "%s/authagent", tmpdir);
    snprintf(out, sizeof out, "%s/authagent.out", tmpdir);
    char *args[] = {"-m", model_path, "-p", prompt_path, "-n", "8", "-d", dir, "--imds", "off", "--backend", "cpu",
                    "--checkpoint-store", "s3://ck-auth/p", "--s3-endpoint", moto_url};
    pid_t pid = spawn_agent(args, 16, out);
    ASSERT_EQ_INT(wait_exit(pid, 60), 78);
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_ckstore SYNKTI_BINARY [--moto] [test...]\n");
        return 2;
    }
    synkti_bin = argv[1];
    int moto = argc > 2 && !strcmp(argv[2], "--moto");
    setenv("OMP_NUM_THREADS", "1", 1);
    unsetenv("AWS_ENDPOINT_URL"), unsetenv("AWS_ENDPOINT_URL_S3"), unsetenv("AWS_SESSION_TOKEN");
    unsetenv("SYNKTI_IMDS_URL");
    signal(SIGPIPE, SIG_IGN);
    if (moto && system("python3 -c 'import moto.server, boto3' >/dev/null 2>&1") != 0) {
        printf("SKIP: python3 with moto and boto3 not available\n");
        return 77;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sk_ckstore.XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    snprintf(model_path, sizeof model_path, "%s/tiny.safetensors", tmpdir);
    snprintf(prompt_path, sizeof prompt_path, "%s/prompts.txt", tmpdir);
    sk_model_cfg mc;
    char err[256];
    if (sk_model_preset("tiny", &mc) < 0 || sk_model_write_synthetic(model_path, &mc, 7, 0, err, sizeof err) < 0) {
        fprintf(stderr, "model: %s\n", err);
        return 2;
    }
    if (write_file(prompt_path, "1 2 3 4\n9 8 7 6\n") != 0) return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static const sk_test offline[] = {
        {"dir_store", test_dir_store},
        {"s3_scripted", test_s3_scripted},
        {"agent_store_outage", test_agent_store_outage},
        {"agent_imds_restart", test_agent_imds_restart},
        {"agent_imds_gone", test_agent_imds_gone},
        {"agent_report_backlog", test_agent_report_backlog},
        {NULL, NULL},
    };
    static const sk_test motot[] = {
        {"moto_ops", test_moto_ops},
        {"moto_agent_resume", test_moto_agent_resume},
        {"moto_auth", test_moto_auth},
        {NULL, NULL},
    };
    int rc;
    if (moto) {
        if (moto_start()) {
            moto_stop();
            printf("FAIL: moto server did not start\n");
            rc = 1;
        } else {
            printf("moto on %s (pid %d)\n", moto_url, (int)moto_pid);
            rc = sk_test_main(motot, argc - 2, argv + 2);
            moto_stop();
        }
    } else {
        rc = sk_test_main(offline, argc - 1, argv + 1);
    }
    curl_global_cleanup();
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (getenv("SK_TEST_KEEP")) fprintf(stderr, "kept %s\n", tmpdir);
    else if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
