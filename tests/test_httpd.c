/* test_httpd.c - the live controller's HTTP server (src/live/sk_httpd) against a mock controller
 * (sk_liveapi implemented here), over libcurl on 127.0.0.1: every route, the error statuses (400
 * bad JSON with its position, 401, 404, 405, 409, 413), the status page and its HTML escaping,
 * agent reports reaching the controller, concurrent clients, and the CLI clients `synkti submit |
 * status | cancel` (the synkti binary is argv[1]). Reads no data files.
 *
 *   test_httpd SYNKTI [TEST...]   run the tests
 *   test_httpd --serve PORTFILE   serve the mock on a free port (written to PORTFILE) until
 *                                 SIGTERM or SIGINT; used by test_status_page.sh */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live/sk_httpd.h"
#include "sk_error.h"
#include "test.h"

/* ---- the mock controller ---------------------------------------------------------------------- */

typedef struct {
    pthread_mutex_t mu;
    cJSON *jobs;  /* array of job objects (with "spec") */
    int next_id;  /* for jobs submitted without an id */
    long reports; /* agent reports received */
    double last_generated;
    char last_instance[64], last_event[32];
    long status_calls;
} mock_ctl;

static mock_ctl M = {.mu = PTHREAD_MUTEX_INITIALIZER};

static cJSON *mock_job(const char *id, const char *state, double progress, double work) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", id);
    cJSON_AddStringToObject(j, "state", state);
    cJSON_AddNumberToObject(j, "progress", progress);
    cJSON_AddNumberToObject(j, "work", work);
    cJSON_AddNumberToObject(j, "saved", progress);
    cJSON_AddNumberToObject(j, "retries", 1);
    cJSON_AddNumberToObject(j, "instances", 1);
    cJSON_AddNumberToObject(j, "deadline_t", 3600);
    return j;
}

static void mock_reset(void) {
    pthread_mutex_lock(&M.mu);
    cJSON_Delete(M.jobs);
    M.jobs = cJSON_CreateArray();
    cJSON_AddItemToArray(M.jobs, mock_job("j1", "running", 40, 100));
    cJSON_AddItemToArray(M.jobs, mock_job("j2", "done", 100, 100));
    M.next_id = 3, M.reports = 0, M.last_generated = -1, M.status_calls = 0;
    M.last_instance[0] = M.last_event[0] = '\0';
    pthread_mutex_unlock(&M.mu);
}

static cJSON *mock_find(const char *id) { /* caller holds mu */
    cJSON *j;
    cJSON_ArrayForEach(j, M.jobs) {
        if (!strcmp(cJSON_GetObjectItem(j, "id")->valuestring, id)) return j;
    }
    return NULL;
}

static cJSON *mock_status(void *ctx) {
    (void)ctx;
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "run_id", "demo-run");
    cJSON_AddStringToObject(s, "provider", "local");
    cJSON_AddStringToObject(s, "policy", "uniform_progress");
    cJSON_AddNumberToObject(s, "t", 1234);
    cJSON_AddNumberToObject(s, "wall_s", 12.5);
    cJSON_AddStringToObject(s, "state", "running");
    cJSON_AddNumberToObject(s, "spend", 1.2345);
    cJSON_AddNumberToObject(s, "spend_cap", 10);
    cJSON *z = cJSON_AddArrayToObject(s, "zones");
    const char *zn[] = {"local-1a", "local-1b"};
    for (int i = 0; i < 2; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", zn[i]);
        cJSON_AddNumberToObject(o, "spot_price", 0.9 + 0.1 * i);
        cJSON_AddNumberToObject(o, "od_price", 3.06);
        cJSON_AddNumberToObject(o, "live", 1 - i);
        cJSON_AddNumberToObject(o, "launch_fail", i);
        cJSON_AddItemToArray(z, o);
    }
    cJSON *in = cJSON_AddArrayToObject(s, "instances");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "i-1");
    cJSON_AddStringToObject(o, "zone", "local-1a");
    cJSON_AddStringToObject(o, "market", "spot");
    cJSON_AddStringToObject(o, "state", "running");
    cJSON_AddStringToObject(o, "job", "j1");
    cJSON_AddNumberToObject(o, "since_t", 600);
    cJSON_AddItemToArray(in, o);
    cJSON *x = cJSON_AddArrayToObject(s, "interruptions");
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t", 500);
    cJSON_AddStringToObject(o, "instance", "i-0");
    cJSON_AddStringToObject(o, "job", "j1");
    cJSON_AddStringToObject(o, "zone", "local-1b");
    cJSON_AddStringToObject(o, "kind", "notice");
    cJSON_AddItemToArray(x, o);
    cJSON *c = cJSON_AddObjectToObject(s, "counts");
    cJSON_AddNumberToObject(c, "launches", 3);
    cJSON_AddNumberToObject(c, "launch_fail", 1);
    cJSON_AddNumberToObject(c, "terminations", 1);
    cJSON_AddNumberToObject(c, "gone", 1);
    cJSON_AddNumberToObject(c, "notices", 1);
    pthread_mutex_lock(&M.mu);
    cJSON *jobs = cJSON_AddArrayToObject(s, "jobs"), *j;
    cJSON_ArrayForEach(j, M.jobs) {
        cJSON *d = cJSON_Duplicate(j, 1);
        cJSON_DeleteItemFromObject(d, "spec");
        cJSON_AddItemToArray(jobs, d);
    }
    M.status_calls++;
    pthread_mutex_unlock(&M.mu);
    return s;
}

static cJSON *mock_providers(void *ctx) {
    (void)ctx;
    return cJSON_Parse("{\"providers\": [{\"name\": \"local\", \"ok\": true, \"last_error\": \"\", \"calls\": 7}]}");
}

static cJSON *mock_job_get(void *ctx, const char *id) {
    (void)ctx;
    pthread_mutex_lock(&M.mu);
    cJSON *j = mock_find(id), *d = j ? cJSON_Duplicate(j, 1) : NULL;
    pthread_mutex_unlock(&M.mu);
    if (d) cJSON_AddItemToObject(d, "history", cJSON_Parse("[{\"t\": 0, \"event\": \"submitted\"}]"));
    return d;
}

static char *mock_logs(void *ctx, const char *id, size_t *len) {
    (void)ctx;
    pthread_mutex_lock(&M.mu);
    int known = mock_find(id) != NULL;
    pthread_mutex_unlock(&M.mu);
    if (!known) return NULL;
    char *s = NULL;
    if (asprintf(&s, "log of %s\nline 2\n", id) < 0) return NULL;
    *len = strlen(s);
    return s;
}

static int mock_submit(void *ctx, const cJSON *spec, char *id, size_t idlen, char *err, size_t errlen) {
    (void)ctx;
    const cJSON *v = cJSON_GetObjectItem(spec, "id");
    pthread_mutex_lock(&M.mu);
    char name[160];
    if (cJSON_IsString(v)) snprintf(name, sizeof name, "%s", v->valuestring);
    else snprintf(name, sizeof name, "j%d", M.next_id++);
    if (mock_find(name)) {
        pthread_mutex_unlock(&M.mu);
        snprintf(err, errlen, "job '%s' exists", name);
        return 409;
    }
    cJSON *j = mock_job(name, "queued", 0, cJSON_GetObjectItem(spec, "tokens")->valuedouble);
    cJSON_AddItemToObject(j, "spec", cJSON_Duplicate(spec, 1));
    cJSON_AddItemToArray(M.jobs, j);
    pthread_mutex_unlock(&M.mu);
    snprintf(id, idlen, "%s", name);
    return 201;
}

static int mock_cancel(void *ctx, const char *id, char *err, size_t errlen) {
    (void)ctx;
    pthread_mutex_lock(&M.mu);
    cJSON *j = mock_find(id);
    int code = 200;
    if (!j) code = 404, snprintf(err, errlen, "no job '%s'", id);
    else if (!strcmp(cJSON_GetObjectItem(j, "state")->valuestring, "running") ||
             !strcmp(cJSON_GetObjectItem(j, "state")->valuestring, "queued"))
        cJSON_ReplaceItemInObject(j, "state", cJSON_CreateString("cancelled"));
    else code = 409, snprintf(err, errlen, "job '%s' is %s", id, cJSON_GetObjectItem(j, "state")->valuestring);
    pthread_mutex_unlock(&M.mu);
    return code;
}

static int mock_report(void *ctx, const char *instance, const cJSON *body, char *err, size_t errlen) {
    (void)ctx;
    if (strcmp(instance, "i-1") && strcmp(instance, "i-2")) {
        snprintf(err, errlen, "no instance '%s'", instance);
        return 404;
    }
    pthread_mutex_lock(&M.mu);
    M.reports++;
    const cJSON *g = cJSON_GetObjectItem(body, "generated");
    M.last_generated = cJSON_IsNumber(g) ? g->valuedouble : -1;
    snprintf(M.last_instance, sizeof M.last_instance, "%s", instance);
    snprintf(M.last_event, sizeof M.last_event, "%s", cJSON_GetObjectItem(body, "event")->valuestring);
    pthread_mutex_unlock(&M.mu);
    return 204;
}

static const sk_liveapi mock_api = {NULL, mock_status, mock_providers, mock_job_get, mock_logs,
                                    mock_submit, mock_cancel, mock_report};

/* ---- HTTP client ------------------------------------------------------------------------------ */

typedef struct {
    long code;
    char *body; /* NUL-terminated */
    size_t n;
    char ctype[128], allow[128];
} resp;

static size_t resp_write(char *p, size_t sz, size_t nm, void *ud) {
    resp *r = ud;
    size_t k = sz * nm;
    char *q = realloc(r->body, r->n + k + 1);
    if (!q) return 0;
    memcpy(q + r->n, p, k);
    r->body = q, r->n += k, r->body[r->n] = '\0';
    return k;
}

static size_t resp_header(char *p, size_t sz, size_t nm, void *ud) {
    resp *r = ud;
    size_t k = sz * nm;
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)k, p);
    line[strcspn(line, "\r\n")] = '\0';
    if (!strncasecmp(line, "Content-Type: ", 14)) snprintf(r->ctype, sizeof r->ctype, "%.100s", line + 14);
    if (!strncasecmp(line, "Allow: ", 7)) snprintf(r->allow, sizeof r->allow, "%.100s", line + 7);
    return k;
}

static int g_port;

/* method path with body (NULL: none) and an Authorization header (NULL: none). code 0 when no
 * answer. */
static resp req(const char *method, const char *path, const char *body, size_t blen, const char *auth) {
    resp r = {0};
    r.body = calloc(1, 1);
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char hb[256];
    if (auth) {
        snprintf(hb, sizeof hb, "Authorization: %s", auth);
        h = curl_slist_append(h, hb);
    }
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (!strcmp(method, "HEAD")) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)blen);
    } else if (!strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, resp_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static resp get(const char *path) { return req("GET", path, NULL, 0, NULL); }
static resp post(const char *path, const char *body, const char *auth) {
    return req("POST", path, body, body ? strlen(body) : 0, auth);
}

/* The "error" member of an error answer ("" when there is none). */
static const char *err_of(const resp *r, char *buf, size_t len) {
    cJSON *o = cJSON_Parse(r->body);
    const cJSON *e = cJSON_GetObjectItem(o, "error");
    snprintf(buf, len, "%s", cJSON_IsString(e) ? e->valuestring : "");
    cJSON_Delete(o);
    return buf;
}

#define TOKEN "s3cret-token-42"
#define AUTH "Bearer " TOKEN

static sk_httpd *g_h;

static int start(const char *token) {
    char err[256];
    mock_reset();
    int rc = sk_httpd_start(&g_h, NULL, 0, token, &mock_api, err, sizeof err);
    if (rc == 0) g_port = sk_httpd_port(g_h);
    else fprintf(stderr, "  start: %s\n", err);
    return rc;
}

static void stop(void) {
    sk_httpd_stop(g_h);
    g_h = NULL;
}

/* ---- tests ------------------------------------------------------------------------------------ */

static void test_start(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    ASSERT_TRUE(g_port > 0 && g_port < 65536);
    sk_httpd *h2 = NULL;
    char err[256] = "";
    int rc = sk_httpd_start(&h2, "127.0.0.1", g_port, NULL, &mock_api, err, sizeof err);
    stop();
    ASSERT_EQ_INT(rc, SK_EIO);
    ASSERT_TRUE(h2 == NULL);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d", g_port);
    ASSERT_STR_CONTAINS(err, want);
    /* IPv6 loopback, bracketed or not (skipped where the machine has no ::1) */
    if (sk_httpd_start(&h2, "[::1]", 0, NULL, &mock_api, err, sizeof err) == 0) {
        ASSERT_TRUE(sk_httpd_port(h2) > 0);
        sk_httpd_stop(h2);
        h2 = NULL;
    } else {
        ASSERT_STR_CONTAINS(err, "[::1]:0");
    }
    rc = sk_httpd_start(&h2, "no-such-addr", 0, NULL, &mock_api, err, sizeof err);
    ASSERT_EQ_INT(rc, SK_EUSAGE);
    ASSERT_STR_CONTAINS(err, "no-such-addr");
    sk_httpd_stop(NULL);
}

static void test_get_routes(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp p = get("/"), s = get("/api/status"), pv = get("/providers"), js = get("/jobs"), j1 = get("/jobs/j1"),
         lg = get("/jobs/j1/logs"), hd = req("HEAD", "/api/status", NULL, 0, NULL);
    stop();
    ASSERT_EQ_INT(p.code, 200);
    ASSERT_STR_CONTAINS(p.ctype, "text/html");
    ASSERT_STR_CONTAINS(p.body, "http-equiv=\"refresh\" content=\"2\"");
    ASSERT_EQ_INT(s.code, 200);
    ASSERT_STR_CONTAINS(s.ctype, "application/json");
    cJSON *o = cJSON_Parse(s.body);
    ASSERT_TRUE(o != NULL);
    ASSERT_STR_CONTAINS(cJSON_GetObjectItem(o, "run_id")->valuestring, "demo-run");
    ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "jobs")), 2);
    cJSON_Delete(o);
    ASSERT_EQ_INT(pv.code, 200);
    ASSERT_STR_CONTAINS(pv.body, "\"calls\":7");
    ASSERT_EQ_INT(js.code, 200);
    o = cJSON_Parse(js.body);
    ASSERT_TRUE(cJSON_IsArray(cJSON_GetObjectItem(o, "jobs")));
    ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "jobs")), 2);
    ASSERT_TRUE(cJSON_GetObjectItem(o, "zones") == NULL); /* only the jobs */
    cJSON_Delete(o);
    ASSERT_EQ_INT(j1.code, 200);
    ASSERT_STR_CONTAINS(j1.body, "\"state\":\"running\"");
    ASSERT_STR_CONTAINS(j1.body, "\"history\"");
    ASSERT_EQ_INT(lg.code, 200);
    ASSERT_STR_CONTAINS(lg.ctype, "text/plain");
    ASSERT_TRUE(!strcmp(lg.body, "log of j1\nline 2\n"));
    ASSERT_EQ_INT(hd.code, 200);
    ASSERT_EQ_INT(hd.n, 0);
    free(p.body), free(s.body), free(pv.body), free(js.body), free(j1.body), free(lg.body), free(hd.body);
}

static void test_submit(void) {
    char e[512];
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp a = post("/jobs", "{\"tokens\": 50, \"args\": [\"--model\", \"m.st\"]}", AUTH);
    resp b = post("/jobs", "{\"id\": \"x1\", \"tokens\": 5, \"instances\": 2, \"deadline_s\": 60}", AUTH);
    resp dup = post("/jobs", "{\"id\": \"x1\", \"tokens\": 5}", AUTH);
    resp x1 = get("/jobs/x1");
    resp bad = post("/jobs", "{\"tokens\": 5,,}", AUTH);
    resp bad2 = post("/jobs", "{\n  \"tokens\": 5\n  \"id\": \"q\"}", AUTH);
    resp empty = post("/jobs", NULL, AUTH);
    resp arr = post("/jobs", "[1, 2]", AUTH);
    resp notok = post("/jobs", "{\"args\": []}", AUTH);
    resp zero = post("/jobs", "{\"tokens\": 0}", AUTH);
    resp frac = post("/jobs", "{\"tokens\": 2.5}", AUTH);
    resp badargs = post("/jobs", "{\"tokens\": 2, \"args\": [\"a\", 3]}", AUTH);
    resp slash = post("/jobs", "{\"id\": \"a/b\", \"tokens\": 2}", AUTH);
    stop();
    ASSERT_EQ_INT(a.code, 201);
    ASSERT_TRUE(!strcmp(a.body, "{\"id\":\"j3\"}\n"));
    ASSERT_EQ_INT(b.code, 201);
    ASSERT_TRUE(!strcmp(b.body, "{\"id\":\"x1\"}\n"));
    ASSERT_EQ_INT(dup.code, 409);
    ASSERT_TRUE(!strcmp(err_of(&dup, e, sizeof e), "job 'x1' exists"));
    ASSERT_EQ_INT(x1.code, 200);
    ASSERT_STR_CONTAINS(x1.body, "\"spec\":{\"id\":\"x1\",\"tokens\":5,\"instances\":2,\"deadline_s\":60}");
    ASSERT_EQ_INT(bad.code, 400);
    ASSERT_STR_CONTAINS(bad.ctype, "application/json");
    /* cJSON stops at the second comma or just after it (byte 13 or 14): the message names it */
    ASSERT_STR_CONTAINS(err_of(&bad, e, sizeof e), "bad JSON at byte 1");
    ASSERT_STR_CONTAINS(err_of(&bad, e, sizeof e), "(line 1, column 1");
    ASSERT_EQ_INT(bad2.code, 400);
    ASSERT_STR_CONTAINS(err_of(&bad2, e, sizeof e), "(line 3, column 3)");
    ASSERT_EQ_INT(empty.code, 400);
    ASSERT_STR_CONTAINS(err_of(&empty, e, sizeof e), "empty body");
    ASSERT_EQ_INT(arr.code, 400);
    ASSERT_STR_CONTAINS(err_of(&arr, e, sizeof e), "expected a JSON object");
    ASSERT_EQ_INT(notok.code, 400);
    ASSERT_STR_CONTAINS(err_of(&notok, e, sizeof e), "tokens: required");
    ASSERT_EQ_INT(zero.code, 400);
    ASSERT_EQ_INT(frac.code, 400);
    ASSERT_EQ_INT(badargs.code, 400);
    ASSERT_STR_CONTAINS(err_of(&badargs, e, sizeof e), "args[1]");
    ASSERT_EQ_INT(slash.code, 400);
    resp *all[] = {&a, &b, &dup, &x1, &bad, &bad2, &empty, &arr, &notok, &zero, &frac, &badargs, &slash};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]->body);
}

static void test_token(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    const char *spec = "{\"tokens\": 5}";
    resp none = post("/jobs", spec, NULL), wrong = post("/jobs", spec, "Bearer s3cret-token-43"),
         longer = post("/jobs", spec, AUTH "x"), prefix = post("/jobs", spec, "Bearer s3cret-token-4"),
         basic = post("/jobs", spec, "Basic " TOKEN), cancel = post("/jobs/j1/cancel", NULL, NULL),
         rep = post("/agents/i-1", "{\"event\": \"heartbeat\"}", NULL), ok = post("/jobs", spec, AUTH),
         lower = post("/jobs", spec, "bearer " TOKEN), getok = get("/api/status");
    stop();
    ASSERT_EQ_INT(none.code, 401);
    ASSERT_STR_CONTAINS(none.body, "token");
    ASSERT_EQ_INT(wrong.code, 401);
    ASSERT_EQ_INT(longer.code, 401);
    ASSERT_EQ_INT(prefix.code, 401);
    ASSERT_EQ_INT(basic.code, 401);
    ASSERT_EQ_INT(cancel.code, 401);
    ASSERT_EQ_INT(rep.code, 401);
    ASSERT_EQ_INT(ok.code, 201);
    ASSERT_EQ_INT(lower.code, 201);
    ASSERT_EQ_INT(getok.code, 200);
    pthread_mutex_lock(&M.mu);
    int njobs = cJSON_GetArraySize(M.jobs);
    long nrep = M.reports;
    pthread_mutex_unlock(&M.mu);
    ASSERT_EQ_INT(njobs, 4); /* only the two authorized submits */
    ASSERT_EQ_INT(nrep, 0);
    /* no token set: POSTs are open */
    ASSERT_EQ_INT(start(""), 0);
    resp open = post("/jobs", spec, NULL);
    stop();
    ASSERT_EQ_INT(open.code, 201);
    resp *all[] = {&none, &wrong, &longer, &prefix, &basic, &cancel, &rep, &ok, &lower, &getok, &open};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]->body);
}

static void test_not_found_and_method(void) {
    char e[512];
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp r[] = {get("/nope"), get("/jobs/zz"), get("/jobs/zz/logs"), get("/jobs/j1/bogus"),
                post("/jobs/zz/cancel", NULL, AUTH), get("/jobs/"), get("/agents/")};
    resp m[] = {req("DELETE", "/jobs", NULL, 0, AUTH), post("/api/status", "{}", AUTH), get("/jobs/j1/cancel"),
                req("PUT", "/", NULL, 0, NULL), get("/agents/i-1"), post("/jobs/j1", "{}", AUTH)};
    stop();
    ASSERT_STR_CONTAINS(err_of(&r[1], e, sizeof e), "no job 'zz'");
    ASSERT_STR_CONTAINS(err_of(&r[0], e, sizeof e), "no route /nope");
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
        ASSERT_EQ_INT(r[i].code, 404);
        ASSERT_TRUE(*err_of(&r[i], e, sizeof e));
        free(r[i].body);
    }
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        ASSERT_EQ_INT(m[i].code, 405);
        ASSERT_TRUE(*m[i].allow);
        free(m[i].body);
    }
    ASSERT_TRUE(!strcmp(m[0].allow, "GET, HEAD, POST"));
    ASSERT_TRUE(!strcmp(m[2].allow, "POST"));
}

static void test_cancel(void) {
    char e[512];
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp a = post("/jobs/j1/cancel", NULL, AUTH), again = post("/jobs/j1/cancel", NULL, AUTH),
         done = post("/jobs/j2/cancel", NULL, AUTH), j1 = get("/jobs/j1");
    stop();
    ASSERT_EQ_INT(a.code, 200);
    ASSERT_TRUE(!strcmp(a.body, "{\"id\":\"j1\",\"state\":\"cancelled\"}\n"));
    ASSERT_EQ_INT(again.code, 409);
    ASSERT_TRUE(!strcmp(err_of(&again, e, sizeof e), "job 'j1' is cancelled"));
    ASSERT_EQ_INT(done.code, 409);
    ASSERT_STR_CONTAINS(j1.body, "\"state\":\"cancelled\"");
    free(a.body), free(again.body), free(done.body), free(j1.body);
}

static void test_body_limit(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    size_t n = 1u << 20;
    char *big = malloc(n + 2);
    /* exactly 1 MiB: a valid spec padded with spaces - accepted */
    memset(big, ' ', n);
    memcpy(big, "{\"tokens\": 7}", 13);
    resp fits = req("POST", "/jobs", big, n, AUTH);
    /* one byte more: 413 */
    big[n] = ' ';
    resp over = req("POST", "/jobs", big, n + 1, AUTH);
    resp after = get("/api/status"); /* the server is still fine */
    stop();
    free(big);
    ASSERT_EQ_INT(fits.code, 201);
    ASSERT_EQ_INT(over.code, 413);
    ASSERT_STR_CONTAINS(over.body, "1048576");
    ASSERT_EQ_INT(after.code, 200);
    free(fits.body), free(over.body), free(after.body);
}

static void test_page(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp s = post("/jobs", "{\"id\": \"<b>&\\\"'\", \"tokens\": 9}", AUTH);
    resp p = get("/");
    resp j = get("/jobs/%3Cb%3E%26%22'"); /* the id percent-encoded in the path */
    stop();
    ASSERT_EQ_INT(s.code, 201);
    ASSERT_EQ_INT(p.code, 200);
    ASSERT_STR_CONTAINS(p.body, "<title>synkti live demo-run</title>");
    ASSERT_STR_CONTAINS(p.body, ".st{padding:1px 6px;"); /* the whole style sheet, closed */
    ASSERT_STR_CONTAINS(p.body, "{background:#fbe3b8}</style></head>");
    ASSERT_TRUE(p.n > 20 && !strcmp(p.body + p.n - 15, "</body></html>\n"));
    ASSERT_STR_CONTAINS(p.body, "$1.2345");
    ASSERT_STR_CONTAINS(p.body, "of $10.00 cap");
    ASSERT_STR_CONTAINS(p.body, "<span class=\"st running\">running</span>");
    ASSERT_STR_CONTAINS(p.body, "<span class=\"st done\">done</span>");
    ASSERT_STR_CONTAINS(p.body, "<span class=\"st queued\">queued</span>");
    ASSERT_STR_CONTAINS(p.body, "<td>&lt;b&gt;&amp;&quot;&#39;</td>");
    ASSERT_TRUE(!strstr(p.body, "<b>&\"")); /* the raw id never reaches the page */
    ASSERT_STR_CONTAINS(p.body, "width:40.0%"); /* j1: 40 of 100 */
    ASSERT_STR_CONTAINS(p.body, "local-1b");   /* zones and interruptions */
    ASSERT_STR_CONTAINS(p.body, "<td>600.0</td>"); /* since_t: a policy time */
    ASSERT_STR_CONTAINS(p.body, "notice");
    ASSERT_EQ_INT(j.code, 200);
    ASSERT_STR_CONTAINS(j.body, "\"id\":\"<b>&\\\"'\"");
    free(s.body), free(p.body), free(j.body);

    /* the renderer alone: missing members and hostile strings */
    cJSON *st = cJSON_Parse("{\"run_id\": \"</title><script>x</script>\", \"spend\": 2, \"spend_cap\": 1,"
                            " \"jobs\": [{\"id\": 5, \"state\": \"weird\\\"state\"}], \"zones\": \"no\"}");
    char *html = sk_httpd_page(st);
    cJSON_Delete(st);
    ASSERT_TRUE(html != NULL);
    ASSERT_TRUE(!strstr(html, "<script>"));
    ASSERT_STR_CONTAINS(html, "&lt;/title&gt;&lt;script&gt;");
    ASSERT_STR_CONTAINS(html, "<span class=\"st other\">weird&quot;state</span>");
    ASSERT_STR_CONTAINS(html, "bar over"); /* spend over the cap */
    ASSERT_STR_CONTAINS(html, "<h2>Zones <small>0</small></h2>");
    free(html);
    html = sk_httpd_page(NULL);
    ASSERT_TRUE(html != NULL && strstr(html, "(no cap)"));
    free(html);
}

static void test_reports(void) {
    char e[512];
    ASSERT_EQ_INT(start(TOKEN), 0);
    resp a = post("/agents/i-1", "{\"event\": \"checkpoint\", \"generated\": 37, \"path\": \"c\"}", AUTH);
    pthread_mutex_lock(&M.mu);
    long n1 = M.reports;
    double g = M.last_generated;
    char inst[64], ev[32];
    snprintf(inst, sizeof inst, "%s", M.last_instance);
    snprintf(ev, sizeof ev, "%s", M.last_event);
    pthread_mutex_unlock(&M.mu);
    resp unk = post("/agents/i-9", "{\"event\": \"heartbeat\"}", AUTH);
    resp noev = post("/agents/i-1", "{\"generated\": 3}", AUTH);
    resp bad = post("/agents/i-1", "{\"event\": ", AUTH);
    pthread_mutex_lock(&M.mu);
    long n2 = M.reports;
    pthread_mutex_unlock(&M.mu);
    stop();
    ASSERT_EQ_INT(a.code, 204);
    ASSERT_EQ_INT(a.n, 0);
    ASSERT_EQ_INT(n1, 1);
    ASSERT_NEAR(g, 37, 0);
    ASSERT_TRUE(!strcmp(inst, "i-1") && !strcmp(ev, "checkpoint"));
    ASSERT_EQ_INT(unk.code, 404);
    ASSERT_TRUE(!strcmp(err_of(&unk, e, sizeof e), "no instance 'i-9'"));
    ASSERT_EQ_INT(noev.code, 400);
    ASSERT_EQ_INT(bad.code, 400);
    ASSERT_STR_CONTAINS(err_of(&bad, e, sizeof e), "bad JSON at byte");
    ASSERT_EQ_INT(n2, 1);
    free(a.body), free(unk.body), free(noev.body), free(bad.body);
}

#define NTHREADS 8
#define NREQ 30

static void *hammer(void *arg) {
    long t = (long)arg, bad = 0;
    for (int i = 0; i < NREQ; i++) {
        char spec[96];
        resp r;
        switch (i % 5) {
        case 0: r = get("/"); bad += r.code != 200; break;
        case 1: r = get("/api/status"); bad += r.code != 200; break;
        case 2:
            snprintf(spec, sizeof spec, "{\"id\": \"t%ld-%d\", \"tokens\": 3}", t, i);
            r = post("/jobs", spec, AUTH);
            bad += r.code != 201;
            break;
        case 3: r = post("/agents/i-2", "{\"event\": \"heartbeat\", \"generated\": 1}", AUTH); bad += r.code != 204; break;
        default: r = post("/jobs", "{bad", AUTH); bad += r.code != 400; break;
        }
        free(r.body);
    }
    return (void *)bad;
}

static void test_concurrent(void) {
    ASSERT_EQ_INT(start(TOKEN), 0);
    pthread_t th[NTHREADS];
    for (long i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, hammer, (void *)i);
    long bad = 0;
    for (int i = 0; i < NTHREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (long)r;
    }
    resp s = get("/jobs");
    stop();
    ASSERT_EQ_INT(bad, 0);
    pthread_mutex_lock(&M.mu);
    long reports = M.reports;
    int njobs = cJSON_GetArraySize(M.jobs);
    pthread_mutex_unlock(&M.mu);
    ASSERT_EQ_INT(reports, NTHREADS * NREQ / 5);
    ASSERT_EQ_INT(njobs, 2 + NTHREADS * NREQ / 5);
    cJSON *o = cJSON_Parse(s.body);
    ASSERT_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(o, "jobs")), 2 + NTHREADS * NREQ / 5);
    cJSON_Delete(o);
    free(s.body);
}

/* ---- the CLI clients -------------------------------------------------------------------------- */

static const char *g_synkti;
static char g_dir[64];

/* Run `synkti ARGS` (a shell word list) with stdout and stderr in files; the exit status. */
static int cli(const char *args, char **out, char **errout) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s >%s/out 2>%s/err", g_synkti, args, g_dir, g_dir);
    int st = system(cmd);
    const char *names[] = {"out", "err"};
    char **dst[] = {out, errout};
    for (int i = 0; i < 2; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", g_dir, names[i]);
        FILE *f = fopen(p, "r");
        size_t n = 0, cap = 4096;
        char *b = calloc(1, cap);
        while (f && b) {
            size_t k = fread(b + n, 1, cap - n - 1, f);
            n += k;
            b[n] = '\0';
            if (!k) break;
            if (n + 1 == cap) b = realloc(b, cap *= 2);
        }
        if (f) fclose(f);
        *dst[i] = b;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void) {
    if (!g_synkti) SK_T_FAIL_("no synkti binary given");
    ASSERT_EQ_INT(start(TOKEN), 0);
    char url[64], a[1024], tf[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", g_port);
    snprintf(tf, sizeof tf, "%s/token", g_dir);
    FILE *f = fopen(tf, "w");
    fprintf(f, "%s\n", TOKEN);
    fclose(f);
    setenv("SYNKTI_URL", url, 1);
    unsetenv("SYNKTI_TOKEN");
    char *o, *e;
    int rc[12];

    /* submit: the token from the file, agent args after -- */
    snprintf(a, sizeof a, "submit --token-file %s --id c1 --tokens 64 --instances 2 --deadline 900 -- --model m.st --prompts 'p q.txt'", tf);
    rc[0] = cli(a, &o, &e);
    int ok0 = !strcmp(o, "c1\n");
    free(o), free(e);
    pthread_mutex_lock(&M.mu);
    cJSON *c1 = mock_find("c1");
    char *spec = c1 ? cJSON_PrintUnformatted(cJSON_GetObjectItem(c1, "spec")) : NULL;
    pthread_mutex_unlock(&M.mu);
    /* the token from the environment; the controller names the job */
    setenv("SYNKTI_TOKEN", TOKEN, 1);
    rc[1] = cli("submit -n 5", &o, &e);
    int ok1 = !strcmp(o, "j3\n");
    free(o), free(e);
    /* a duplicate id: 409, exit 1, the server's message */
    rc[2] = cli("submit --id c1 -n 5", &o, &e);
    int ok2 = !*o && strstr(e, "409 job 'c1' exists") != NULL;
    free(o), free(e);
    /* a wrong token: exit 64; the token is never printed */
    setenv("SYNKTI_TOKEN", "wrong-token", 1);
    rc[3] = cli("submit -n 5", &o, &e);
    int ok3 = strstr(e, "401") && !strstr(e, "wrong-token") && !strstr(e, TOKEN);
    free(o), free(e);
    setenv("SYNKTI_TOKEN", TOKEN, 1);
    /* status: the table */
    rc[4] = cli("status", &o, &e);
    int ok4 = strstr(o, "run demo-run  provider local  policy uniform_progress  state running") &&
              strstr(o, "spend $1.2345 of $10.00 cap (12%)") && strstr(o, "launches 3  launch_fail 1") &&
              strstr(o, "jobs (4)") && strstr(o, "40/100 (40%)") && strstr(o, "c1   queued") &&
              strstr(o, "instances (1)") && strstr(o, "interruptions (1)") &&
              strstr(o, "1          3600.0\n");
    if (!ok4) fprintf(stderr, "  status printed:\n%s", o);
    free(o), free(e);
    rc[5] = cli("status --json", &o, &e);
    cJSON *js = cJSON_Parse(o);
    int ok5 = js && cJSON_GetArraySize(cJSON_GetObjectItem(js, "jobs")) == 4;
    cJSON_Delete(js);
    free(o), free(e);
    rc[6] = cli("status j1", &o, &e);
    int ok6 = strstr(o, "id: j1\n") && strstr(o, "state: running\n") && strstr(o, "progress: 40/100 (40%)\n") &&
              strstr(o, "history: (1)\n");
    free(o), free(e);
    rc[7] = cli("status nosuch", &o, &e);
    int ok7 = strstr(e, "404 no job 'nosuch'") != NULL;
    free(o), free(e);
    rc[8] = cli("cancel j1", &o, &e);
    int ok8 = !strcmp(o, "j1 cancelled\n");
    free(o), free(e);
    rc[9] = cli("cancel j2", &o, &e); /* done: 409 */
    free(o), free(e);
    rc[10] = cli("submit", &o, &e); /* no --tokens */
    free(o), free(e);
    stop();
    /* the controller is gone: exit 74, naming the URL */
    rc[11] = cli("status", &o, &e);
    int ok11 = strstr(e, "cannot reach the controller at") && strstr(e, url);
    free(o), free(e);
    unsetenv("SYNKTI_URL");
    unsetenv("SYNKTI_TOKEN");

    ASSERT_EQ_INT(rc[0], 0);
    ASSERT_TRUE(ok0);
    ASSERT_TRUE(spec && !strcmp(spec, "{\"args\":[\"--model\",\"m.st\",\"--prompts\",\"p q.txt\"],\"id\":\"c1\","
                                      "\"tokens\":64,\"instances\":2,\"deadline_s\":900}"));
    free(spec);
    ASSERT_EQ_INT(rc[1], 0);
    ASSERT_TRUE(ok1);
    ASSERT_EQ_INT(rc[2], 1);
    ASSERT_TRUE(ok2);
    ASSERT_EQ_INT(rc[3], 64);
    ASSERT_TRUE(ok3);
    ASSERT_EQ_INT(rc[4], 0);
    ASSERT_TRUE(ok4);
    ASSERT_EQ_INT(rc[5], 0);
    ASSERT_TRUE(ok5);
    ASSERT_EQ_INT(rc[6], 0);
    ASSERT_TRUE(ok6);
    ASSERT_EQ_INT(rc[7], 1);
    ASSERT_TRUE(ok7);
    ASSERT_EQ_INT(rc[8], 0);
    ASSERT_TRUE(ok8);
    ASSERT_EQ_INT(rc[9], 1);
    ASSERT_EQ_INT(rc[10], 64);
    ASSERT_EQ_INT(rc[11], 74);
    ASSERT_TRUE(ok11);
}

/* ---- --serve ---------------------------------------------------------------------------------- */

static int serve(const char *portfile) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the server's threads start: they inherit it */
    if (start("") != 0) return 1;
    char body[] = "{\"id\": \"<b>&\\\"\", \"tokens\": 9}";
    resp r = post("/jobs", body, NULL);
    free(r.body);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", g_port) < 0 || fclose(f) != 0 || rename(tmp, portfile) != 0) {
        fprintf(stderr, "test_httpd --serve: cannot write %s\n", portfile);
        stop();
        return 1;
    }
    fprintf(stderr, "test_httpd: serving the mock on http://127.0.0.1:%d/\n", g_port);
    int sig = 0;
    sigwait(&set, &sig);
    stop();
    return 0;
}

int main(int argc, char **argv) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    if (argc == 3 && !strcmp(argv[1], "--serve")) {
        rc = serve(argv[2]);
    } else {
        static const sk_test tests[] = {
            {"start", test_start},       {"get_routes", test_get_routes}, {"submit", test_submit},
            {"token", test_token},       {"not_found_and_method", test_not_found_and_method},
            {"cancel", test_cancel},     {"body_limit", test_body_limit}, {"page", test_page},
            {"reports", test_reports},   {"concurrent", test_concurrent}, {"cli", test_cli},
            {NULL, NULL},
        };
        if (argc > 1) g_synkti = argv[1];
        snprintf(g_dir, sizeof g_dir, "/tmp/sk_httpd_test.XXXXXX");
        if (!mkdtemp(g_dir)) return 1;
        rc = sk_test_main(tests, argc - 1, argv + 1);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        if (system(cmd) != 0) fprintf(stderr, "test_httpd: cannot remove %s\n", g_dir);
    }
    pthread_mutex_lock(&M.mu);
    cJSON_Delete(M.jobs);
    M.jobs = NULL;
    pthread_mutex_unlock(&M.mu);
    curl_global_cleanup();
    return rc;
}
