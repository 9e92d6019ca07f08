/* test_aws.c - the EC2 provider client (src/live/sk_aws) on 127.0.0.1 only.
 *
 *   test_aws [NAME...]          offline: a scripted HTTP server of this test (a thread with a socket)
 *                               answers throttling, capacity, HTML 500, garbled and interrupted-spot
 *                               bodies and captures the requests; form encoding; credentials files;
 *                               libcurl's SigV4 against the AWS test suite vectors in
 *                               $SK_SIGV4_SUITE (shared/specs/aws-sigv4-suite/aws4_testsuite-botocore)
 *   test_aws --moto [NAME...]   against moto (python3 -m moto.server on a free port, stopped by PID):
 *                               zones, instance types, spot prices, on-demand and spot launches with
 *                               tags, paginated tag-filtered describe, CreateTags, terminate, then
 *                               IAM key + authentication on: right key works, wrong secret = auth
 *                               error without the secret in the message. Exits 77 without moto. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/sk_aws.h"
#include "sk_error.h"
#include "test.h"
#include "test_moto.h"

/* ---- scripted HTTP server ---------------------------------------------------------------------- */

typedef struct {
    int status;
    const char *ctype;
    const char *body;
} fk_resp;

#define FK_MAX_REQ 64

typedef struct {
    int fd, port;
    pthread_t th;
    const fk_resp *script;
    int nscript;      /* after the script, the last response repeats */
    atomic_int served;
    atomic_int stop;
    char *reqs[FK_MAX_REQ]; /* raw requests (headers + body) */
} fk_server;

static char *fk_read_request(int c) {
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    long want = -1;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) break;
            buf = nb;
        }
        struct pollfd pf = {c, POLLIN, 0};
        if (poll(&pf, 1, 5000) <= 0) break;
        ssize_t r = read(c, buf + n, 4096);
        if (r <= 0) break;
        n += (size_t)r;
        buf[n] = '\0';
        char *hend = strstr(buf, "\r\n\r\n");
        if (hend && want < 0) {
            long cl = 0;
            for (char *h = buf; h && h < hend; h = strstr(h, "\r\n"), h = h ? h + 2 : NULL)
                if (!strncasecmp(h, "content-length:", 15)) cl = atol(h + 15);
            want = (long)(hend + 4 - buf) + cl;
        }
        if (want >= 0 && (long)n >= want) break;
    }
    buf[n] = '\0';
    return buf;
}

static void *fk_main(void *arg) {
    fk_server *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd pf = {s->fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0) continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) continue;
        int i = atomic_load(&s->served);
        char *req = fk_read_request(c);
        if (i < FK_MAX_REQ) s->reqs[i] = req;
        else free(req);
        const fk_resp *r = &s->script[i < s->nscript ? i : s->nscript - 1];
        char head[256];
        size_t bl = strlen(r->body);
        int hl = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n", r->status, r->ctype, bl);
        if (write(c, head, (size_t)hl) < 0 || write(c, r->body, bl) < 0) {}
        atomic_fetch_add(&s->served, 1);
        close(c);
    }
    return NULL;
}

static int fk_listen(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16) ||
        getsockname(fd, (struct sockaddr *)&a, &al)) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int fk_start(fk_server *s, const fk_resp *script, int n) {
    memset(s, 0, sizeof *s);
    s->script = script;
    s->nscript = n;
    s->fd = fk_listen(&s->port);
    if (s->fd < 0) return -1;
    if (pthread_create(&s->th, NULL, fk_main, s)) {
        close(s->fd);
        return -1;
    }
    return 0;
}

static void fk_stop(fk_server *s) {
    atomic_store(&s->stop, 1);
    pthread_join(s->th, NULL);
    close(s->fd);
    for (int i = 0; i < FK_MAX_REQ; i++) free(s->reqs[i]);
}

/* ---- client helpers ------------------------------------------------------------------------- */

typedef struct {
    int n;
    double s[64];
} sleeps;

static void rec_sleep(void *ctx, double s) {
    sleeps *r = ctx;
    if (r->n < 64) r->s[r->n] = s;
    r->n++;
}

#define TEST_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET"

static sk_aws *client(const char *endpoint, const char *ak, const char *secret, int attempts,
                      double base, double cap, sleeps *rec) {
    sk_aws_config cfg = {0};
    cfg.region = "us-east-1";
    cfg.endpoint_url = endpoint;
    snprintf(cfg.creds.access_key, sizeof cfg.creds.access_key, "%.127s", ak);
    snprintf(cfg.creds.secret_key, sizeof cfg.creds.secret_key, "%.127s", secret);
    cfg.max_attempts = attempts;
    cfg.backoff_base_s = base;
    cfg.backoff_cap_s = cap;
    cfg.jitter_seed = 42;
    cfg.sleep_fn = rec_sleep;
    cfg.sleep_ctx = rec;
    cfg.timeout_s = 20;
    sk_aws *a = NULL;
    char err[256];
    if (sk_aws_open(&a, &cfg, err, sizeof err)) fprintf(stderr, "open: %s\n", err);
    return a;
}

static void fk_url(const fk_server *s, char *buf, size_t cap) {
    snprintf(buf, cap, "http://127.0.0.1:%d/", s->port);
}

#define X_NS "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""
static const char ZONES_OK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeAvailabilityZonesResponse " X_NS ">"
    "<requestId>r1</requestId><availabilityZoneInfo>"
    "<item><zoneName>us-east-1a</zoneName><zoneState>available</zoneState>"
    "<regionName>us-east-1</regionName><zoneId>use1-az1</zoneId></item>"
    "<item><zoneName>us-east-1b</zoneName><zoneState>available</zoneState>"
    "<regionName>us-east-1</regionName><zoneId>use1-az2</zoneId></item>"
    "</availabilityZoneInfo></DescribeAvailabilityZonesResponse>";
static const char THROTTLE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
    "<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors>"
    "<RequestID>req-throttle</RequestID></Response>";
static const char ICE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
    "<Code>InsufficientInstanceCapacity</Code><Message>We currently do not have sufficient "
    "p3.2xlarge capacity in the Availability Zone you requested (us-east-1a).</Message></Error>"
    "</Errors><RequestID>req-ice</RequestID></Response>";
static const char HTML500[] =
    "<html><head><title>500 Internal Server Error</title></head><body><h1>oops</h1></body></html>";
static const char AUTHFAIL[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>AuthFailure</Code>"
    "<Message>AWS was not able to validate the provided access credentials</Message></Error>"
    "</Errors><RequestID>req-auth</RequestID></Response>";

/* ---- offline tests ---------------------------------------------------------------------------- */

static void test_form_encoding(void) {
    sk_aws_params p;
    sk_aws_params_init(&p);
    ASSERT_EQ_INT(sk_aws_params_add(&p, "Tag.1.Value", "a b&c=d/e~f*g+h%i_j.k-l"), 0);
    ASSERT_EQ_INT(sk_aws_params_addk(&p, "\xc3\xa9\n", "Filter.%d.Name", 12), 0);
    char *s = sk_aws_form_encode("RunInstances", &p);
    ASSERT_TRUE(s != NULL);
    const char *want = "Action=RunInstances&Version=2016-11-15&Tag.1.Value="
                       "a%20b%26c%3Dd%2Fe~f%2Ag%2Bh%25i_j.k-l&Filter.12.Name=%C3%A9%0A";
    if (strcmp(s, want)) {
        fprintf(stderr, "  got  %s\n  want %s\n", s, want);
        free(s);
        sk_aws_params_free(&p);
        SK_T_FAIL_("form encoding differs");
    }
    free(s);
    sk_aws_params_free(&p);
    s = sk_aws_form_encode("DescribeInstances", NULL);
    ASSERT_TRUE(!strcmp(s, "Action=DescribeInstances&Version=2016-11-15"));
    free(s);
}

static void test_classify(void) {
    ASSERT_EQ_INT(sk_aws_classify("InsufficientInstanceCapacity"), SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_classify("MaxSpotInstanceCountExceeded"), SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_classify("SpotMaxPriceTooLow"), SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_classify("Unsupported"), SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_classify("InsufficientCapacity"), SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_classify("SignatureDoesNotMatch"), SK_AWS_ERR_AUTH);
    ASSERT_EQ_INT(sk_aws_classify("InvalidClientTokenId"), SK_AWS_ERR_AUTH);
    ASSERT_EQ_INT(sk_aws_classify("AuthFailure"), SK_AWS_ERR_AUTH);
    ASSERT_EQ_INT(sk_aws_classify("RequestLimitExceeded"), SK_AWS_ERR_THROTTLE);
    ASSERT_EQ_INT(sk_aws_classify("Throttling"), SK_AWS_ERR_THROTTLE);
    ASSERT_EQ_INT(sk_aws_classify("InvalidParameterValue"), SK_AWS_ERR_CLIENT);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_credentials_file(void) {
    char path[] = "/tmp/sk_aws_credsXXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    write_file(path, "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\n"
                     "aws_secret_access_key=defsecret\n\n[dev]\n  aws_access_key_id=AKIDDEV  \n"
                     "; another\naws_secret_access_key = " TEST_SECRET "\n"
                     "aws_session_token = tok/en+1==\n[broken]\naws_access_key_id=AKIDONLY\n");
    sk_aws_creds c;
    char err[256];
    ASSERT_EQ_INT(sk_aws_creds_from_file(&c, path, "dev", err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c.access_key, "AKIDDEV"));
    ASSERT_TRUE(!strcmp(c.secret_key, TEST_SECRET));
    ASSERT_TRUE(!strcmp(c.session_token, "tok/en+1=="));
    ASSERT_EQ_INT(sk_aws_creds_from_file(&c, path, NULL, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c.access_key, "AKIDDEFAULT") && !strcmp(c.secret_key, "defsecret"));
    ASSERT_TRUE(c.session_token[0] == '\0');
    ASSERT_EQ_INT(sk_aws_creds_from_file(&c, path, "broken", err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "[broken]");
    ASSERT_EQ_INT(sk_aws_creds_from_file(&c, path, "nosuch", err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "no profile [nosuch]");
    ASSERT_TRUE(!strstr(err, TEST_SECRET));

    /* the loader: environment first, then AWS_SHARED_CREDENTIALS_FILE + AWS_PROFILE */
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
    setenv("AWS_PROFILE", "dev", 1);
    ASSERT_EQ_INT(sk_aws_creds_load(&c, NULL, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c.access_key, "AKIDDEV"));
    ASSERT_EQ_INT(sk_aws_creds_load(&c, "default", err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c.access_key, "AKIDDEFAULT"));
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    ASSERT_EQ_INT(sk_aws_creds_load(&c, NULL, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(c.access_key, "AKIDENV") && !strcmp(c.secret_key, "envsecret"));
    ASSERT_TRUE(!strcmp(c.session_token, "envtoken"));
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sk_aws_creds", 1);
    ASSERT_EQ_INT(sk_aws_creds_load(&c, NULL, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "no AWS credentials");
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    unsetenv("AWS_PROFILE");
    unlink(path);
}

/* Throttled twice, then success: three requests, two capped jittered sleeps; the request is a
 * signed form POST that carries the session token and never the secret. */
static void test_throttle_then_success(void) {
    const fk_resp script[] = {{503, "text/xml", THROTTLE}, {503, "text/xml", THROTTLE},
                              {200, "text/xml;charset=UTF-8", ZONES_OK}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 3), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws_config cfg = {0};
    cfg.region = "us-east-1";
    cfg.endpoint_url = url;
    snprintf(cfg.creds.access_key, sizeof cfg.creds.access_key, "AKIDTEST");
    snprintf(cfg.creds.secret_key, sizeof cfg.creds.secret_key, TEST_SECRET);
    snprintf(cfg.creds.session_token, sizeof cfg.creds.session_token, "SESSIONTOKEN123");
    cfg.max_attempts = 5;
    cfg.backoff_base_s = 1.0;
    cfg.backoff_cap_s = 1.5;
    cfg.sleep_fn = rec_sleep;
    cfg.sleep_ctx = &rec;
    sk_aws *a = NULL;
    ASSERT_EQ_INT(sk_aws_open(&a, &cfg, err, sizeof err), 0);
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    int rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    int attempts = sk_aws_last_error(a)->attempts;
    char req[4096];
    snprintf(req, sizeof req, "%s", s.reqs[2] ? s.reqs[2] : "");
    fk_stop(&s);
    int served = atomic_load(&s.served); /* after the join: the server counts after it answers */
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(served, 3);
    ASSERT_EQ_INT(attempts, 3);
    ASSERT_EQ_INT(rec.n, 2);
    ASSERT_TRUE(rec.s[0] >= 0 && rec.s[0] <= 1.0);
    ASSERT_TRUE(rec.s[1] >= 0 && rec.s[1] <= 1.5);
    ASSERT_EQ_U64(nz, 2);
    ASSERT_TRUE(!strcmp(z[1].name, "us-east-1b") && !strcmp(z[1].zone_id, "use1-az2"));
    ASSERT_TRUE(!strcmp(z[0].state, "available") && !strcmp(z[0].region, "us-east-1"));
    free(z);
    ASSERT_STR_CONTAINS(req, "POST / HTTP/1.1");
    ASSERT_STR_CONTAINS(req, "Content-Type: application/x-www-form-urlencoded");
    ASSERT_STR_CONTAINS(req, "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/");
    ASSERT_STR_CONTAINS(req, "/us-east-1/ec2/aws4_request");
    ASSERT_STR_CONTAINS(req, "x-amz-security-token: SESSIONTOKEN123");
    ASSERT_STR_CONTAINS(req, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,");
    ASSERT_STR_CONTAINS(req, "\r\n\r\nAction=DescribeAvailabilityZones&Version=2016-11-15"
                             "&Filter.1.Name=region-name&Filter.1.Value.1=us-east-1");
    ASSERT_TRUE(!strstr(req, TEST_SECRET));
    ASSERT_TRUE(!strstr(req, "wJalrXUtnFEMI"));
}

static void test_capacity_not_retried(void) {
    const fk_resp script[] = {{500, "text/xml", ICE}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 1), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 5, 1.0, 20.0, &rec);
    ASSERT_TRUE(a != NULL);
    sk_aws_instances l = {0};
    sk_aws_run_req r = {.image_id = "ami-12345678", .instance_type = "p3.2xlarge",
                        .zone = "us-east-1a", .spot = 1};
    int rc = sk_aws_run_instances(a, &r, &l, err, sizeof err);
    sk_aws_error e = *sk_aws_last_error(a);
    char req[4096];
    snprintf(req, sizeof req, "%s", s.reqs[0] ? s.reqs[0] : "");
    fk_stop(&s);
    int served = atomic_load(&s.served); /* after the join: the server counts after it answers */
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_CAPACITY);
    ASSERT_TRUE(!strcmp(e.code, "InsufficientInstanceCapacity"));
    ASSERT_TRUE(!strcmp(e.request_id, "req-ice"));
    ASSERT_EQ_INT(e.http_status, 500);
    ASSERT_EQ_INT(e.attempts, 1);
    ASSERT_EQ_INT(served, 1);
    ASSERT_EQ_INT(rec.n, 0);
    ASSERT_EQ_U64(l.n, 0);
    ASSERT_STR_CONTAINS(err, "InsufficientInstanceCapacity");
    ASSERT_STR_CONTAINS(err, "capacity error");
    ASSERT_TRUE(!strstr(err, TEST_SECRET));
    ASSERT_STR_CONTAINS(req, "InstanceMarketOptions.MarketType=spot");
    ASSERT_STR_CONTAINS(req, "Placement.AvailabilityZone=us-east-1a");
    ASSERT_STR_CONTAINS(req, "MinCount=1&MaxCount=1");
}

/* HTML 500 on every try: all attempts made, then a server error; the sleeps are full-jitter draws
 * below min(cap, base * 2^i), capped, and not all equal to their bound. */
static void test_html500_retried_capped_jitter(void) {
    const fk_resp script[] = {{500, "text/html", HTML500}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 1), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 10, 0.5, 3.0, &rec);
    ASSERT_TRUE(a != NULL);
    sk_aws_instances l = {0};
    int rc = sk_aws_describe_instances(a, NULL, 0, NULL, 0, 0, &l, err, sizeof err);
    sk_aws_error e = *sk_aws_last_error(a);
    fk_stop(&s);
    int served = atomic_load(&s.served); /* after the join: the server counts after it answers */
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_SERVER);
    ASSERT_EQ_INT(e.attempts, 10);
    ASSERT_EQ_INT(served, 10);
    ASSERT_EQ_INT(rec.n, 9);
    ASSERT_STR_CONTAINS(err, "HTTP 500");
    ASSERT_STR_CONTAINS(err, "<html>");
    int below = 0;
    double maxs = 0;
    for (int i = 0; i < rec.n; i++) {
        double bound = 0.5 * (double)(1u << i);
        if (bound > 3.0) bound = 3.0;
        ASSERT_TRUE(rec.s[i] >= 0 && rec.s[i] <= bound);
        below += rec.s[i] < 0.99 * bound;
        if (rec.s[i] > maxs) maxs = rec.s[i];
        for (int j = 0; j < i; j++) ASSERT_TRUE(rec.s[i] != rec.s[j]);
    }
    printf("  backoff sleeps (base 0.5 s, cap 3 s):");
    for (int i = 0; i < rec.n && i < 64; i++) printf(" %.3f", rec.s[i]);
    printf("\n");
    ASSERT_TRUE(below >= 5); /* jitter: draws spread below their bounds */
    ASSERT_TRUE(maxs > 1.0); /* exponential growth reached past the early bounds */
}

static void test_garbled_bodies(void) {
    static const char *const bodies[] = {
        "<RunInstancesResponse><instancesSet><item><instanceId>i-1",   /* truncated */
        "\x01\x02\xff\xfe garbage \x7f",                                /* binary */
        "<html><body>Service Temporarily Unavailable</body></html>",   /* HTML 200 */
        "<SomethingElseResponse/>",                                     /* wrong root */
        "",                                                             /* empty */
    };
    for (size_t k = 0; k < sizeof bodies / sizeof *bodies; k++) {
        const fk_resp script[] = {{200, "text/xml", bodies[k]}};
        fk_server s;
        ASSERT_EQ_INT(fk_start(&s, script, 1), 0);
        char url[64], err[512];
        fk_url(&s, url, sizeof url);
        sleeps rec = {0};
        sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 4, 0.1, 1.0, &rec);
        sk_aws_instances l = {0};
        sk_aws_run_req r = {.image_id = "ami-1", .instance_type = "t3.micro"};
        int rc = sk_aws_run_instances(a, &r, &l, err, sizeof err);
        sk_aws_error e = *sk_aws_last_error(a);
        fk_stop(&s);
        sk_aws_close(a);
        sk_aws_instances_free(&l);
        ASSERT_EQ_INT(rc, SK_EDATA);
        ASSERT_EQ_INT(e.kind, SK_AWS_ERR_PARSE);
        ASSERT_EQ_INT(e.attempts, 1);
        ASSERT_STR_CONTAINS(err, "EC2 RunInstances");
    }
    /* a 400 with a garbled body: a parse error with the status, not retried */
    const fk_resp script[] = {{400, "text/plain", "not xml at all"}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 1), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 4, 0.1, 1.0, &rec);
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    int rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    fk_stop(&s);
    int served = atomic_load(&s.served); /* after the join: the server counts after it answers */
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, SK_EDATA);
    ASSERT_EQ_INT(served, 1);
    ASSERT_STR_CONTAINS(err, "HTTP 400");
    ASSERT_STR_CONTAINS(err, "not xml at all");
}

static void test_auth_error_no_secret(void) {
    const fk_resp script[] = {{401, "text/xml", AUTHFAIL}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 1), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 5, 0.1, 1.0, &rec);
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    int rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    sk_aws_error e = *sk_aws_last_error(a);
    fk_stop(&s);
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_AUTH);
    ASSERT_EQ_INT(e.attempts, 1);
    ASSERT_STR_CONTAINS(err, "AuthFailure");
    ASSERT_STR_CONTAINS(err, "auth error");
    ASSERT_TRUE(!strstr(err, TEST_SECRET) && !strstr(e.message, TEST_SECRET));
}

static void test_network_error(void) {
    int port = 0, fd = fk_listen(&port);
    ASSERT_TRUE(fd >= 0);
    close(fd); /* nothing listens there now */
    char url[64], err[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 3, 0.1, 1.0, &rec);
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    int rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    sk_aws_error e = *sk_aws_last_error(a);
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_NETWORK);
    ASSERT_EQ_INT(e.attempts, 3);
    ASSERT_EQ_INT(rec.n, 2);
    ASSERT_TRUE(!strstr(err, TEST_SECRET));
}

/* A reclaimed spot instance in a namespaced, prefixed DescribeInstances body, two pages. */
static void test_spot_interruption_and_pages(void) {
    static const char page1[] =
        "<?xml version=\"1.0\"?>\n<ec2:DescribeInstancesResponse "
        "xmlns:ec2=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><ec2:reservationSet><ec2:item>"
        "<ec2:instancesSet><ec2:item><ec2:instanceId>i-0spot</ec2:instanceId>"
        "<ec2:imageId>ami-1</ec2:imageId><ec2:instanceState><ec2:code>48</ec2:code>"
        "<ec2:name>terminated</ec2:name></ec2:instanceState><ec2:instanceType>g5.xlarge"
        "</ec2:instanceType><ec2:launchTime>2026-12-01T10:00:00.000Z</ec2:launchTime>"
        "<ec2:placement><ec2:availabilityZone>us-east-1c</ec2:availabilityZone></ec2:placement>"
        "<ec2:stateReason><ec2:code>Server.SpotInstanceTermination</ec2:code><ec2:message>"
        "Server.SpotInstanceTermination: Spot instance termination</ec2:message></ec2:stateReason>"
        "<ec2:instanceLifecycle>spot</ec2:instanceLifecycle><ec2:spotInstanceRequestId>sir-1"
        "</ec2:spotInstanceRequestId><ec2:tagSet><ec2:item><ec2:key>synkti-run</ec2:key>"
        "<ec2:value>r&amp;1</ec2:value></ec2:item></ec2:tagSet></ec2:item></ec2:instancesSet>"
        "</ec2:item></ec2:reservationSet><ec2:nextToken>tok+/=2</ec2:nextToken>"
        "</ec2:DescribeInstancesResponse>";
    static const char page2[] =
        "<DescribeInstancesResponse " X_NS "><reservationSet><item><instancesSet><item>"
        "<instanceId>i-0od</instanceId><instanceState><name>running</name></instanceState>"
        "<instanceType>g5.xlarge</instanceType><placement><availabilityZone>us-east-1a"
        "</availabilityZone></placement></item></instancesSet></item></reservationSet>"
        "</DescribeInstancesResponse>";
    const fk_resp script[] = {{200, "text/xml", page1}, {200, "text/xml", page2}};
    fk_server s;
    ASSERT_EQ_INT(fk_start(&s, script, 2), 0);
    char url[64], err[512];
    fk_url(&s, url, sizeof url);
    sleeps rec = {0};
    sk_aws *a = client(url, "AKIDTEST", TEST_SECRET, 3, 0.1, 1.0, &rec);
    sk_aws_instances l = {0};
    sk_aws_filter f[] = {{"tag:synkti-run", "r&1"}};
    int rc = sk_aws_describe_instances(a, f, 1, NULL, 0, 5, &l, err, sizeof err);
    char req2[4096];
    snprintf(req2, sizeof req2, "%s", s.reqs[1] ? s.reqs[1] : "");
    fk_stop(&s);
    sk_aws_close(a);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(l.n, 2);
    ASSERT_EQ_INT(l.pages, 2);
    sk_aws_instance *in = &l.v[0];
    ASSERT_TRUE(!strcmp(in->id, "i-0spot") && !strcmp(in->state, "terminated"));
    ASSERT_TRUE(!strcmp(in->zone, "us-east-1c") && !strcmp(in->type, "g5.xlarge"));
    ASSERT_TRUE(!strcmp(in->lifecycle, "spot") && !strcmp(in->spot_request_id, "sir-1"));
    ASSERT_TRUE(!strcmp(in->launch_time, "2026-12-01T10:00:00.000Z"));
    ASSERT_TRUE(!strcmp(in->state_reason_code, "Server.SpotInstanceTermination"));
    ASSERT_TRUE(sk_aws_instance_interrupted(in));
    ASSERT_TRUE(sk_aws_instance_tag(in, "synkti-run") && !strcmp(sk_aws_instance_tag(in, "synkti-run"), "r&1"));
    ASSERT_TRUE(!sk_aws_instance_interrupted(&l.v[1]));
    ASSERT_TRUE(!strcmp(l.v[1].lifecycle, "on-demand") && !strcmp(l.v[1].state, "running"));
    ASSERT_STR_CONTAINS(req2, "Filter.1.Name=tag%3Asynkti-run&Filter.1.Value.1=r%261"
                              "&MaxResults=5&NextToken=tok%2B%2F%3D2");
    sk_aws_instances_free(&l);
}

/* ---- SigV4 test-suite vectors through libcurl ------------------------------------------------- */

/* Send the suite's NAME.req through curl with CURLOPT_AWS_SIGV4 (service "service"), capture it,
 * and return the Authorization value in auth. 0 on success. */
static int sigv4_vector(const char *dir, const char *name, char *auth, size_t cap, char *want,
                        size_t wcap) {
    char path[1024];
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    snprintf(path, sizeof path, "%s/%s/%s.req", dir, name, base);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char req[4096];
    size_t n = fread(req, 1, sizeof req - 1, f);
    fclose(f);
    req[n] = '\0';
    snprintf(path, sizeof path, "%s/%s/%s.authz", dir, name, base);
    f = fopen(path, "rb");
    if (!f) return -1;
    n = fread(want, 1, wcap - 1, f);
    fclose(f);
    want[n] = '\0';
    while (n && (want[n - 1] == '\n' || want[n - 1] == '\r')) want[--n] = '\0';

    char method[16], target[512];
    if (sscanf(req, "%15s %511s", method, target) != 2) return -1;
    const fk_resp script[] = {{200, "text/plain", "ok"}};
    fk_server s;
    if (fk_start(&s, script, 1)) return -1;
    char url[700];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s.port, target);
    struct curl_slist *h = NULL;
    char *body = strstr(req, "\n\n");
    if (body) *body = '\0', body += 2;
    char *save = NULL;
    strtok_r(req, "\n", &save); /* request line */
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char hl[1024];
        char *colon = strchr(line, ':');
        if (!colon) continue;
        snprintf(hl, sizeof hl, "%.*s: %s", (int)(colon - line), line, colon + 1);
        h = curl_slist_append(h, hl);
    }
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (!strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:service");
    curl_easy_setopt(c, CURLOPT_USERNAME, "AKIDEXAMPLE");
    curl_easy_setopt(c, CURLOPT_PASSWORD, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fwrite);
    FILE *null = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, null);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    CURLcode cc = curl_easy_perform(c);
    fclose(null);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    auth[0] = '\0';
    const char *cap_req = s.reqs[0] ? s.reqs[0] : "";
    const char *a = strstr(cap_req, "\r\nAuthorization: ");
    if (a) {
        a += 17;
        const char *e = strstr(a, "\r\n");
        snprintf(auth, cap, "%.*s", (int)(e ? e - a : (long)strlen(a)), a);
    }
    fk_stop(&s);
    return cc == CURLE_OK ? 0 : -1;
}

/* The vectors of the features this client uses (GET/POST, queries, header case/sort/trim, form
 * bodies, a signed session token) must match. libcurl 7.88 departs from the suite on three that it does not use: repeated
 * header names (it signs each copy instead of joining the values) and query keys that differ
 * only in case (it does not sort them byte-wise); those are printed, not asserted. */
static void test_sigv4_suite(void) {
    const char *dir = getenv("SK_SIGV4_SUITE");
    ASSERT_TRUE(dir != NULL); /* set by CTest (tests/parts/live_aws.cmake) */
    static const char *const must[] = {"get-vanilla", "get-vanilla-query",
        "get-vanilla-query-unreserved", "get-vanilla-empty-query-key", "get-header-value-trim",
        "get-unreserved", "post-vanilla", "post-vanilla-query", "post-header-key-case",
        "post-header-key-sort", "post-header-value-case", "post-x-www-form-urlencoded",
        "post-x-www-form-urlencoded-parameters",
        "post-sts-token/post-sts-header-before", /* X-Amz-Security-Token signed, as sk_aws sends it */
        NULL};
    static const char *const known[] = {"get-vanilla-query-order-key-case",
        "get-header-key-duplicate", "get-header-value-order", NULL};
    int matched = 0, total = 0;
    for (int k = 0; k < 2; k++) {
        const char *const *names = k ? known : must;
        for (int i = 0; names[i]; i++) {
            char got[512], want[512];
            int rc = sigv4_vector(dir, names[i], got, sizeof got, want, sizeof want);
            int ok = !rc && !strcmp(got, want);
            if (!k) {
                total++;
                matched += ok;
            }
            printf("  sigv4 %-40s %s\n", names[i], ok ? "match" : k ? "differs (known, libcurl)" : "DIFFERS");
            if (!ok && !k) printf("    got  %s\n    want %s\n", got, want);
        }
    }
    printf("  sigv4: %d of %d vectors match\n", matched, total);
    ASSERT_EQ_INT(total, 14);
    ASSERT_EQ_INT(matched, total);
}

/* ---- moto ------------------------------------------------------------------------------------- */

#define MOTO_AMI "ami-03cf127a"

static void test_moto_harness(void) {
    const char *purl = proxy_url; /* the harness in front of moto (tests/test_moto.h) */

    static sleeps rec;
    rec.n = 0;
    sk_aws *a = client(purl, "AKIDMOTO", "motosecret", 4, 0.01, 0.05, &rec);
    char err[512];
    sk_aws_instances l = {0}, d = {0};
    sk_aws_run_req r = {.image_id = MOTO_AMI, .instance_type = "g4dn.xlarge", .spot = 1};
    int rc = sk_aws_run_instances(a, &r, &l, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(l.n, 1);
    const char *id = l.v[0].id;

    /* spot reclaim on command */
    ASSERT_EQ_INT(harness("interrupt", id), 0);
    const char *ids[] = {id};
    rc = sk_aws_describe_instances(a, NULL, 0, ids, 1, 0, &d, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(d.n, 1);
    printf("  reclaimed %s: state=%s reason=%s lifecycle=%s\n", d.v[0].id, d.v[0].state,
           d.v[0].state_reason_code, d.v[0].lifecycle);
    ASSERT_TRUE(sk_aws_instance_interrupted(&d.v[0]));
    ASSERT_TRUE(!strcmp(d.v[0].state, "terminated") && !strcmp(d.v[0].lifecycle, "spot"));
    sk_aws_instances_free(&d);
    sk_aws_instances_free(&l);

    /* injected errors: 2 x RequestLimitExceeded then moto answers */
    ASSERT_EQ_INT(harness("fail", "2 RequestLimitExceeded 503"), 0);
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(sk_aws_last_error(a)->attempts, 3);
    ASSERT_EQ_INT(rec.n, 2);
    ASSERT_TRUE(nz >= 3);
    free(z);
    /* InsufficientInstanceCapacity: one try, capacity kind */
    ASSERT_EQ_INT(harness("fail", "1 InsufficientInstanceCapacity 500"), 0);
    rc = sk_aws_run_instances(a, &r, &l, err, sizeof err);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(sk_aws_last_error(a)->kind, SK_AWS_ERR_CAPACITY);
    ASSERT_EQ_INT(sk_aws_last_error(a)->attempts, 1);
    ASSERT_EQ_U64(l.n, 0);
    /* HTML 500 on all 4 tries, then the next call reaches moto again */
    ASSERT_EQ_INT(harness("fail", "4 html 500"), 0);
    rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_EQ_INT(sk_aws_last_error(a)->kind, SK_AWS_ERR_SERVER);
    ASSERT_EQ_INT(sk_aws_last_error(a)->attempts, 4);
    rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    free(z);
    sk_aws_close(a);
}

static sk_aws *moto_client(const char *ak, const char *secret) {
    static sleeps rec;
    return client(moto_url, ak, secret, 3, 0.01, 0.05, &rec);
}

static void test_moto_zones_types_prices(void) {
    sk_aws *a = moto_client("AKIDMOTO", "motosecret");
    ASSERT_TRUE(a != NULL);
    char err[512];
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    int rc = sk_aws_zones(a, &z, &nz, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(nz >= 3);
    for (size_t i = 0; i < nz; i++) {
        ASSERT_TRUE(!strncmp(z[i].name, "us-east-1", 9));
        ASSERT_TRUE(!strcmp(z[i].state, "available"));
    }
    printf("  zones: %zu (%s .. %s)\n", nz, z[0].name, z[nz - 1].name);
    free(z);

    const char *types[] = {"g4dn.xlarge", "t3.micro"};
    sk_aws_instance_type *t = NULL;
    size_t nt = 0;
    rc = sk_aws_instance_types(a, types, 2, &t, &nt, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(nt, 2);
    const sk_aws_instance_type *p3 = !strcmp(t[0].type, "g4dn.xlarge") ? &t[0] : &t[1];
    const sk_aws_instance_type *t3 = p3 == &t[0] ? &t[1] : &t[0];
    printf("  g4dn.xlarge: vcpus=%d mem=%lld MiB gpus=%d '%s' %lld MiB spot=%d\n", p3->vcpus,
           (long long)p3->memory_mib, p3->gpus, p3->gpu_name, (long long)p3->gpu_memory_mib, p3->spot);
    ASSERT_TRUE(!strcmp(p3->type, "g4dn.xlarge") && !strcmp(t3->type, "t3.micro"));
    ASSERT_EQ_INT(p3->vcpus, 4);
    ASSERT_EQ_INT(p3->memory_mib, 16384);
    ASSERT_EQ_INT(p3->spot, 1);
    ASSERT_EQ_INT(p3->gpus, 1);
    ASSERT_TRUE(!strcmp(p3->gpu_name, "NVIDIA T4"));
    ASSERT_EQ_INT(p3->gpu_memory_mib, 16384);
    ASSERT_EQ_INT(t3->vcpus, 2);
    ASSERT_EQ_INT(t3->gpus, 0);
    ASSERT_EQ_INT(t3->memory_mib, 1024);
    free(t);

    sk_aws_spot_price *sp = NULL;
    size_t ns = 0;
    const char *one[] = {"m5.large"};
    rc = sk_aws_spot_price_history(a, one, 1, NULL, NULL, NULL, NULL, &sp, &ns, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(ns >= 1);
    for (size_t i = 0; i < ns; i++) {
        ASSERT_TRUE(!strcmp(sp[i].instance_type, "m5.large"));
        ASSERT_TRUE(sp[i].price > 0);
    }
    printf("  spot prices m5.large: %zu rows, first %s %s %.6g\n", ns, sp[0].zone, sp[0].product,
           sp[0].price);
    free(sp);
    sk_aws_close(a);
}

static void test_moto_instances(void) {
    sk_aws *a = moto_client("AKIDMOTO", "motosecret");
    ASSERT_TRUE(a != NULL);
    char err[512];
    sk_aws_tag tags[] = {{"synkti-run", "run-7"}, {"Name", "a b&c=d/e+f%"}};
    sk_aws_instances od = {0}, sp = {0}, other = {0};
    sk_aws_run_req r = {.image_id = MOTO_AMI, .instance_type = "t3.micro", .count = 3,
                        .zone = "us-east-1a", .tags = tags, .n_tags = 2,
                        .client_token = "tok-1"};
    int rc = sk_aws_run_instances(a, &r, &od, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(od.n, 3);
    for (size_t i = 0; i < od.n; i++) {
        ASSERT_TRUE(!strncmp(od.v[i].id, "i-", 2));
        ASSERT_TRUE(!strcmp(od.v[i].lifecycle, "on-demand"));
        ASSERT_TRUE(!strcmp(od.v[i].zone, "us-east-1a"));
        ASSERT_TRUE(!strcmp(od.v[i].type, "t3.micro"));
        ASSERT_TRUE(!strcmp(od.v[i].state, "pending") || !strcmp(od.v[i].state, "running"));
        ASSERT_TRUE(od.v[i].launch_time[0] != '\0');
    }
    sk_aws_run_req rs = {.image_id = MOTO_AMI, .instance_type = "g4dn.xlarge", .count = 2,
                         .zone = "us-east-1b", .spot = 1, .spot_max_price = "3.06",
                         .tags = tags, .n_tags = 1};
    rc = sk_aws_run_instances(a, &rs, &sp, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(sp.n, 2);
    ASSERT_TRUE(!strcmp(sp.v[0].lifecycle, "spot") && !strcmp(sp.v[1].lifecycle, "spot"));
    sk_aws_tag otag[] = {{"synkti-run", "run-8"}};
    sk_aws_run_req ro = {.image_id = MOTO_AMI, .instance_type = "t3.micro", .count = 2,
                         .tags = otag, .n_tags = 1};
    ASSERT_EQ_INT(sk_aws_run_instances(a, &ro, &other, err, sizeof err), 0);

    /* tag-filtered describe, one reservation per page: the five of run-7 and none of run-8 */
    sk_aws_instances l = {0};
    sk_aws_filter f[] = {{"tag:synkti-run", "run-7"}};
    rc = sk_aws_describe_instances(a, f, 1, NULL, 0, 1, &l, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    printf("  describe tag:synkti-run=run-7 MaxResults=1: %zu instances in %d pages\n", l.n, l.pages);
    ASSERT_EQ_U64(l.n, 5);
    ASSERT_EQ_INT(l.pages, 2); /* moto pages by reservation: one per RunInstances */
    int nspot = 0;
    for (size_t i = 0; i < l.n; i++) {
        const char *run = sk_aws_instance_tag(&l.v[i], "synkti-run");
        ASSERT_TRUE(run && !strcmp(run, "run-7"));
        nspot += !strcmp(l.v[i].lifecycle, "spot");
        if (!strcmp(l.v[i].lifecycle, "on-demand")) {
            const char *nm = sk_aws_instance_tag(&l.v[i], "Name");
            ASSERT_TRUE(nm && !strcmp(nm, "a b&c=d/e+f%"));
        }
        ASSERT_TRUE(!sk_aws_instance_interrupted(&l.v[i]));
    }
    ASSERT_EQ_INT(nspot, 2);
    sk_aws_instances_free(&l);

    /* CreateTags on the spot pair, then describe them by id */
    const char *ids[] = {sp.v[0].id, sp.v[1].id};
    sk_aws_tag nt[] = {{"phase", "x/y z+%"}, {"synkti-slot", "2"}};
    rc = sk_aws_create_tags(a, ids, 2, nt, 2, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    rc = sk_aws_describe_instances(a, NULL, 0, ids, 2, 0, &l, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(l.n, 2);
    for (size_t i = 0; i < l.n; i++) {
        const char *ph = sk_aws_instance_tag(&l.v[i], "phase");
        ASSERT_TRUE(ph && !strcmp(ph, "x/y z+%"));
        ASSERT_TRUE(!strcmp(l.v[i].zone, "us-east-1b"));
    }
    sk_aws_instances_free(&l);

    /* terminate the five; describe shows them terminated; run-8 still running */
    const char *all[] = {od.v[0].id, od.v[1].id, od.v[2].id, sp.v[0].id, sp.v[1].id};
    sk_aws_instances t = {0};
    rc = sk_aws_terminate_instances(a, all, 5, &t, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_U64(t.n, 5);
    for (size_t i = 0; i < t.n; i++) {
        ASSERT_TRUE(!strcmp(t.v[i].prev_state, "running") || !strcmp(t.v[i].prev_state, "pending"));
        ASSERT_TRUE(!strcmp(t.v[i].state, "shutting-down") || !strcmp(t.v[i].state, "terminated"));
    }
    sk_aws_instances_free(&t);
    sk_aws_filter f2[] = {{"tag:synkti-run", "run-7"}, {"instance-state-name", "running"}};
    ASSERT_EQ_INT(sk_aws_describe_instances(a, f2, 2, NULL, 0, 0, &l, err, sizeof err), 0);
    ASSERT_EQ_U64(l.n, 0);
    sk_aws_filter f3[] = {{"tag:synkti-run", "run-8"}, {"instance-state-name", "running"}};
    ASSERT_EQ_INT(sk_aws_describe_instances(a, f3, 2, NULL, 0, 0, &l, err, sizeof err), 0);
    ASSERT_EQ_U64(l.n, 2);
    sk_aws_instances_free(&l);

    /* an unknown id: a client error carrying EC2's code, not retried */
    const char *bad[] = {"i-0123456789abcdef0"};
    rc = sk_aws_describe_instances(a, NULL, 0, bad, 1, 0, &l, err, sizeof err);
    const sk_aws_error *e = sk_aws_last_error(a);
    printf("  unknown id: rc=%d kind=%s code=%s\n", rc, sk_aws_err_kind_name(e->kind), e->code);
    ASSERT_EQ_INT(rc, SK_ENOENT);
    ASSERT_EQ_INT(e->kind, SK_AWS_ERR_CLIENT);
    ASSERT_TRUE(!strcmp(e->code, "InvalidInstanceID.NotFound"));
    ASSERT_EQ_INT(e->attempts, 1);
    sk_aws_instances_free(&l);
    sk_aws_instances_free(&od);
    sk_aws_instances_free(&sp);
    sk_aws_instances_free(&other);
    sk_aws_close(a);
}

/* Last: turns moto's authentication on for the rest of the server's life. */
static void test_moto_auth(void) {
    char cmd[512], line[512] = "";
    const char *src = getenv("SK_TEST_SRC");
    ASSERT_TRUE(src != NULL);
    snprintf(cmd, sizeof cmd, "python3 %s/moto_harness.py iam-key %s", src, moto_url);
    FILE *p = popen(cmd, "r");
    ASSERT_TRUE(p != NULL);
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    ASSERT_EQ_INT(pclose(p), 0);
    char ak[128], secret[128];
    ASSERT_EQ_INT(sscanf(line, "%127s %127s", ak, secret), 2);
    snprintf(cmd, sizeof cmd, "python3 %s/moto_harness.py auth-on %s >/dev/null", src, moto_url);
    ASSERT_EQ_INT(system(cmd), 0);

    char err[512];
    sk_aws_zone *z = NULL;
    size_t nz = 0;
    sk_aws *good = moto_client(ak, secret);
    int rc = sk_aws_zones(good, &z, &nz, err, sizeof err);
    if (rc) fprintf(stderr, "  right key: %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(nz >= 3);
    free(z);
    sk_aws_instances l = {0};
    sk_aws_run_req r = {.image_id = MOTO_AMI, .instance_type = "t3.micro", .spot = 1};
    ASSERT_EQ_INT(sk_aws_run_instances(good, &r, &l, err, sizeof err), 0);
    ASSERT_EQ_U64(l.n, 1);
    sk_aws_instances_free(&l);
    sk_aws_close(good);

    char wrong[160];
    snprintf(wrong, sizeof wrong, "%sWRONG", secret);
    sk_aws *bad = moto_client(ak, wrong);
    rc = sk_aws_zones(bad, &z, &nz, err, sizeof err);
    sk_aws_error e = *sk_aws_last_error(bad);
    sk_aws_close(bad);
    printf("  wrong secret: %s\n", err);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_AUTH);
    ASSERT_TRUE(!strcmp(e.code, "AuthFailure") || !strcmp(e.code, "SignatureDoesNotMatch"));
    ASSERT_EQ_INT(e.attempts, 1);
    ASSERT_TRUE(!strstr(err, wrong) && !strstr(err, secret));

    sk_aws *unk = moto_client("AKIAUNKNOWNKEY000000", secret);
    rc = sk_aws_zones(unk, &z, &nz, err, sizeof err);
    e = *sk_aws_last_error(unk);
    sk_aws_close(unk);
    printf("  unknown key: %s\n", err);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_EQ_INT(e.kind, SK_AWS_ERR_AUTH);
    ASSERT_TRUE(!strstr(err, secret));
}

int main(int argc, char **argv) {
    static const sk_test offline[] = {
        {"form_encoding", test_form_encoding},
        {"classify", test_classify},
        {"credentials_file", test_credentials_file},
        {"throttle_then_success", test_throttle_then_success},
        {"capacity_not_retried", test_capacity_not_retried},
        {"html500_retried_capped_jitter", test_html500_retried_capped_jitter},
        {"garbled_bodies", test_garbled_bodies},
        {"auth_error_no_secret", test_auth_error_no_secret},
        {"network_error", test_network_error},
        {"spot_interruption_and_pages", test_spot_interruption_and_pages},
        {"sigv4_suite", test_sigv4_suite},
        {NULL, NULL},
    };
    static const sk_test moto[] = {
        {"moto_zones_types_prices", test_moto_zones_types_prices},
        {"moto_instances", test_moto_instances},
        {"moto_harness", test_moto_harness},
        {"moto_auth", test_moto_auth},
        {NULL, NULL},
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    if (argc > 1 && !strcmp(argv[1], "--moto")) {
        if (system("python3 -c 'import moto.server, boto3' >/dev/null 2>&1") != 0) {
            printf("SKIP: python3 with moto and boto3 not available\n");
            return 77;
        }
        if (servers_start()) {
            servers_stop();
            printf("FAIL: moto or the harness did not start\n");
            return 1;
        }
        printf("moto on %s (pid %d), harness on %s (pid %d)\n", moto_url, (int)moto_pid, proxy_url, (int)proxy_pid);
        rc = sk_test_main(moto, argc - 1, argv + 1);
        servers_stop();
    } else {
        rc = sk_test_main(offline, argc, argv);
    }
    curl_global_cleanup();
    return rc;
}
