/* sk_aws.c - AWS EC2 provider client (sk_aws.h): form-encoded Query API POSTs signed by libcurl's
 * CURLOPT_AWS_SIGV4, retries with capped exponential backoff and full jitter, libxml2 parsing of
 * the responses and of <Response><Errors><Error> bodies, credentials from the environment or the
 * shared credentials file. Reads no dataset; talks only to the configured endpoint. */
#include "live/sk_aws.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/sk_csv.h" /* sk_errf, sk_file_slurp */
#include "sk_error.h"

#define SK_AWS_VERSION "2016-11-15"
#define SK_AWS_MAX_BODY (64u << 20)

struct sk_aws {
    char region[64];
    char endpoint[512];
    char sigv4[128];
    sk_aws_creds creds;
    int max_attempts;
    double base_s, cap_s;
    uint64_t rng;
    sk_aws_sleep_fn sleep_fn;
    void *sleep_ctx;
    long timeout_s;
    CURL *curl;
    sk_aws_error last;
};

/* ---- small helpers --------------------------------------------------------------------------- */

static void sk_aws__copy(char *dst, size_t cap, const char *src) {
    if (!cap) return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) n = cap - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

static uint64_t sk_aws__splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void sk_aws__nanosleep(void *ctx, double s) {
    (void)ctx;
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

const char *sk_aws_err_kind_name(sk_aws_err_kind k) {
    switch (k) {
    case SK_AWS_ERR_NONE: return "none";
    case SK_AWS_ERR_CAPACITY: return "capacity";
    case SK_AWS_ERR_AUTH: return "auth";
    case SK_AWS_ERR_THROTTLE: return "throttle";
    case SK_AWS_ERR_SERVER: return "server";
    case SK_AWS_ERR_CLIENT: return "client";
    case SK_AWS_ERR_NETWORK: return "network";
    case SK_AWS_ERR_PARSE: return "parse";
    }
    return "unknown";
}

sk_aws_err_kind sk_aws_classify(const char *code) {
    static const char *const capacity[] = {"InsufficientInstanceCapacity",
        "MaxSpotInstanceCountExceeded", "InsufficientCapacity", "SpotMaxPriceTooLow", "Unsupported",
        "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity", NULL};
    static const char *const auth[] = {"AuthFailure", "SignatureDoesNotMatch",
        "InvalidClientTokenId", "UnrecognizedClientException", "MissingAuthenticationToken",
        "IncompleteSignature", "ExpiredToken", "RequestExpired", "AccessDenied", "OptInRequired",
        "UnauthorizedOperation", "InvalidAccessKeyId", NULL};
    static const char *const throttle[] = {"RequestLimitExceeded", "Throttling",
        "ThrottlingException", "RequestThrottled", "RequestThrottledException",
        "TooManyRequestsException", "SlowDown", "PriorRequestNotComplete", NULL};
    static const char *const server[] = {"InternalError", "InternalFailure", "ServiceUnavailable",
        "Unavailable", NULL};
    if (!code || !*code) return SK_AWS_ERR_CLIENT;
    for (int i = 0; capacity[i]; i++) if (!strcmp(code, capacity[i])) return SK_AWS_ERR_CAPACITY;
    for (int i = 0; auth[i]; i++) if (!strcmp(code, auth[i])) return SK_AWS_ERR_AUTH;
    for (int i = 0; throttle[i]; i++) if (!strcmp(code, throttle[i])) return SK_AWS_ERR_THROTTLE;
    for (int i = 0; server[i]; i++) if (!strcmp(code, server[i])) return SK_AWS_ERR_SERVER;
    return SK_AWS_ERR_CLIENT;
}

/* ---- credentials ----------------------------------------------------------------------------- */

static char *sk_aws__trim(char *s) {
    while (*s && isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

int sk_aws_creds_from_file(sk_aws_creds *c, const char *path, const char *profile, char *err,
                           size_t errlen) {
    memset(c, 0, sizeof *c);
    if (!profile || !*profile) profile = "default";
    char *buf = NULL;
    size_t len = 0;
    int rc = sk_file_slurp(path, &buf, &len, err, errlen);
    if (rc) return rc;
    int in = 0, found = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *s = sk_aws__trim(line);
        if (!*s || *s == '#' || *s == ';') continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e) continue;
            *e = '\0';
            char *name = sk_aws__trim(s + 1);
            if (!strncmp(name, "profile ", 8)) name = sk_aws__trim(name + 8);
            in = !strcmp(name, profile);
            found |= in;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq) continue;
        *eq = '\0';
        char *k = sk_aws__trim(s), *v = sk_aws__trim(eq + 1);
        if (!strcmp(k, "aws_access_key_id")) sk_aws__copy(c->access_key, sizeof c->access_key, v);
        else if (!strcmp(k, "aws_secret_access_key"))
            sk_aws__copy(c->secret_key, sizeof c->secret_key, v);
        else if (!strcmp(k, "aws_session_token"))
            sk_aws__copy(c->session_token, sizeof c->session_token, v);
    }
    free(buf);
    if (!found)
        return sk_errf(err, errlen, SK_ECONFIG, "%s: no profile [%s]", path, profile);
    if (!c->access_key[0] || !c->secret_key[0]) {
        memset(c, 0, sizeof *c);
        return sk_errf(err, errlen, SK_ECONFIG,
                       "%s: profile [%s] lacks aws_access_key_id or aws_secret_access_key", path,
                       profile);
    }
    return 0;
}

int sk_aws_creds_load(sk_aws_creds *c, const char *profile, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    if (ak && *ak && sk && *sk) {
        sk_aws__copy(c->access_key, sizeof c->access_key, ak);
        sk_aws__copy(c->secret_key, sizeof c->secret_key, sk);
        sk_aws__copy(c->session_token, sizeof c->session_token, getenv("AWS_SESSION_TOKEN"));
        return 0;
    }
    if (!profile || !*profile) profile = getenv("AWS_PROFILE");
    if (!profile || !*profile) profile = "default";
    char path[1024];
    const char *f = getenv("AWS_SHARED_CREDENTIALS_FILE");
    if (f && *f) sk_aws__copy(path, sizeof path, f);
    else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return sk_errf(err, errlen, SK_ECONFIG,
                           "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset and "
                           "no HOME for ~/.aws/credentials");
        snprintf(path, sizeof path, "%s/.aws/credentials", home);
    }
    int rc = sk_aws_creds_from_file(c, path, profile, err, errlen);
    if (rc == SK_ENOINPUT)
        return sk_errf(err, errlen, SK_ECONFIG,
                       "no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY unset and %s "
                       "unreadable", path);
    return rc;
}

/* ---- parameters and form encoding ------------------------------------------------------------ */

void sk_aws_params_init(sk_aws_params *p) { memset(p, 0, sizeof *p); }

void sk_aws_params_free(sk_aws_params *p) {
    for (size_t i = 0; i < 2 * p->n; i++) free(p->kv[i]);
    free(p->kv);
    memset(p, 0, sizeof *p);
}

int sk_aws_params_add(sk_aws_params *p, const char *key, const char *val) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        char **kv = realloc(p->kv, 2 * cap * sizeof *kv);
        if (!kv) return SK_ENOMEM;
        p->kv = kv;
        p->cap = cap;
    }
    char *k = strdup(key), *v = strdup(val ? val : "");
    if (!k || !v) {
        free(k);
        free(v);
        return SK_ENOMEM;
    }
    p->kv[2 * p->n] = k;
    p->kv[2 * p->n + 1] = v;
    p->n++;
    return 0;
}

int sk_aws_params_addk(sk_aws_params *p, const char *val, const char *keyfmt, ...) {
    char key[256];
    va_list ap;
    va_start(ap, keyfmt);
    int n = vsnprintf(key, sizeof key, keyfmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof key) return SK_EINTERNAL;
    return sk_aws_params_add(p, key, val);
}

static size_t sk_aws__enc(char *dst, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (isalnum(*c) || *c == '-' || *c == '.' || *c == '_' || *c == '~') {
            if (dst) dst[n] = (char)*c;
            n++;
        } else {
            if (dst) {
                dst[n] = '%';
                dst[n + 1] = hex[*c >> 4];
                dst[n + 2] = hex[*c & 15];
            }
            n += 3;
        }
    }
    return n;
}

char *sk_aws_form_encode(const char *action, const sk_aws_params *p) {
    size_t n = strlen("Action=") + sk_aws__enc(NULL, action) + strlen("&Version=" SK_AWS_VERSION);
    for (size_t i = 0; p && i < p->n; i++)
        n += 2 + sk_aws__enc(NULL, p->kv[2 * i]) + sk_aws__enc(NULL, p->kv[2 * i + 1]);
    char *out = malloc(n + 1), *w = out;
    if (!out) return NULL;
    w += sprintf(w, "Action=");
    w += sk_aws__enc(w, action);
    w += sprintf(w, "&Version=" SK_AWS_VERSION);
    for (size_t i = 0; p && i < p->n; i++) {
        *w++ = '&';
        w += sk_aws__enc(w, p->kv[2 * i]);
        *w++ = '=';
        w += sk_aws__enc(w, p->kv[2 * i + 1]);
    }
    *w = '\0';
    return out;
}

/* ---- client ---------------------------------------------------------------------------------- */

int sk_aws_open(sk_aws **out, const sk_aws_config *cfg, char *err, size_t errlen) {
    *out = NULL;
    if (!cfg->region || !*cfg->region)
        return sk_errf(err, errlen, SK_ECONFIG, "aws: no region");
    if (!cfg->creds.access_key[0] || !cfg->creds.secret_key[0])
        return sk_errf(err, errlen, SK_ECONFIG, "aws: no credentials");
    for (const char *c = cfg->region; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '-')
            return sk_errf(err, errlen, SK_ECONFIG, "aws: bad region '%s'", cfg->region);
    sk_aws *a = calloc(1, sizeof *a);
    if (!a) return sk_errf(err, errlen, SK_ENOMEM, "aws: out of memory");
    sk_aws__copy(a->region, sizeof a->region, cfg->region);
    if (cfg->endpoint_url && *cfg->endpoint_url)
        sk_aws__copy(a->endpoint, sizeof a->endpoint, cfg->endpoint_url);
    else
        snprintf(a->endpoint, sizeof a->endpoint, "https://ec2.%s.amazonaws.com/", a->region);
    snprintf(a->sigv4, sizeof a->sigv4, "aws:amz:%s:ec2", a->region);
    a->creds = cfg->creds;
    a->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 5;
    a->base_s = cfg->backoff_base_s > 0 ? cfg->backoff_base_s : 0.1;
    a->cap_s = cfg->backoff_cap_s > 0 ? cfg->backoff_cap_s : 20.0;
    a->rng = cfg->jitter_seed ? cfg->jitter_seed : 0x5EED5EEDull;
    a->sleep_fn = cfg->sleep_fn ? cfg->sleep_fn : sk_aws__nanosleep;
    a->sleep_ctx = cfg->sleep_ctx;
    a->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 30;
    a->curl = curl_easy_init();
    if (!a->curl) {
        free(a);
        return sk_errf(err, errlen, SK_ENOMEM, "aws: curl_easy_init failed");
    }
    *out = a;
    return 0;
}

void sk_aws_close(sk_aws *a) {
    if (!a) return;
    curl_easy_cleanup(a->curl);
    memset(&a->creds, 0, sizeof a->creds);
    free(a);
}

const sk_aws_error *sk_aws_last_error(const sk_aws *a) { return &a->last; }

typedef struct {
    char *p;
    size_t n, cap;
    int overflow;
} sk_aws__buf;

void sk_aws_curl_signed(void *curl, const char *sigv4, const sk_aws_creds *cr, long timeout_s, char *errbuf,
                        const char *agent) {
    CURL *c = curl;
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
    curl_easy_setopt(c, CURLOPT_USERNAME, cr->access_key);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cr->secret_key);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s < 10 ? timeout_s : 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent);
}

static size_t sk_aws__write(char *data, size_t size, size_t nmemb, void *ud) {
    sk_aws__buf *b = ud;
    size_t n = size * nmemb;
    if (b->n + n + 1 > SK_AWS_MAX_BODY) {
        b->overflow = 1;
        return 0;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static xmlDoc *sk_aws__parse(const char *body, size_t len) {
    if (!body || !len || len > (size_t)0x7fffffff) return NULL;
    return xmlReadMemory(body, (int)len, "ec2.xml", NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static int sk_aws__is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* First element child with local name `name` (namespaces ignored), or NULL. */
static xmlNode *sk_aws__child(const xmlNode *n, const char *name) {
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (sk_aws__is(c, name)) return c;
    return NULL;
}

/* First descendant (depth-first) with local name `name`, or NULL. */
static xmlNode *sk_aws__find(const xmlNode *n, const char *name) {
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (sk_aws__is(c, name)) return c;
        xmlNode *d = sk_aws__find(c, name);
        if (d) return d;
    }
    return NULL;
}

static void sk_aws__text(const xmlNode *n, char *dst, size_t cap) {
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    sk_aws__copy(dst, cap, t ? sk_aws__trim((char *)t) : "");
    xmlFree(t);
}

/* Text of the child path "a/b/c" under n into dst ("" when missing). */
static void sk_aws__get(const xmlNode *n, const char *path, char *dst, size_t cap) {
    char seg[64];
    const char *p = path;
    while (n && *p) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l >= sizeof seg) l = sizeof seg - 1;
        memcpy(seg, p, l);
        seg[l] = '\0';
        n = sk_aws__child(n, seg);
        p += l + (e ? 1 : 0);
    }
    sk_aws__text(n, dst, cap);
}

/* Parse an error body: <Response><Errors><Error><Code>..., or <ErrorResponse><Error>...; 1 if found. */
static int sk_aws__parse_error(const char *body, size_t len, sk_aws_error *e) {
    xmlDoc *doc = sk_aws__parse(body, len);
    if (!doc) return 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *er = sk_aws__is(root, "Error") ? root : sk_aws__find(root, "Error");
    int ok = er && sk_aws__child(er, "Code");
    if (ok) {
        sk_aws__get(er, "Code", e->code, sizeof e->code);
        sk_aws__get(er, "Message", e->message, sizeof e->message);
        xmlNode *rid = sk_aws__find(root, "RequestID");
        if (!rid) rid = sk_aws__find(root, "RequestId");
        sk_aws__text(rid, e->request_id, sizeof e->request_id);
        ok = e->code[0] != '\0';
    }
    xmlFreeDoc(doc);
    return ok;
}

/* A printable snippet of a non-XML body for messages: control bytes and quotes become '.'. */
static void sk_aws__snippet(const char *body, size_t len, char *dst, size_t cap) {
    size_t j = 0;
    for (size_t i = 0; body && i < len && j + 1 < cap && j < 60; i++) {
        unsigned char c = (unsigned char)body[i];
        dst[j++] = (c < 32 || c >= 127 || c == '\'') ? '.' : (char)c;
    }
    dst[j] = '\0';
}

static int sk_aws__code_for(const sk_aws_error *e) {
    switch (e->kind) {
    case SK_AWS_ERR_AUTH: return SK_ECONFIG;
    case SK_AWS_ERR_PARSE: return SK_EDATA;
    case SK_AWS_ERR_CLIENT: {
        size_t l = strlen(e->code);
        return (l > 9 && !strcmp(e->code + l - 9, ".NotFound")) ? SK_ENOENT : SK_EDATA;
    }
    default: return SK_EIO;
    }
}

/* One HTTP exchange. Returns the CURLcode; *status and *b filled. */
static CURLcode sk_aws__perform(sk_aws *a, const char *form, long *status, sk_aws__buf *b,
                                char *cerr) {
    CURL *c = a->curl;
    curl_easy_reset(c);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    char tok[2100];
    if (h && a->creds.session_token[0]) {
        snprintf(tok, sizeof tok, "x-amz-security-token: %s", a->creds.session_token);
        struct curl_slist *h2 = curl_slist_append(h, tok);
        if (h2) h = h2;
        memset(tok, 0, sizeof tok);
    }
    if (!h) return CURLE_OUT_OF_MEMORY;
    curl_easy_setopt(c, CURLOPT_URL, a->endpoint);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    sk_aws_curl_signed(c, a->sigv4, &a->creds, a->timeout_s, cerr, "synkti-live/0.1");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sk_aws__write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    cerr[0] = '\0';
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_PASSWORD, "");
    curl_slist_free_all(h);
    return rc;
}

int sk_aws_call(sk_aws *a, const char *action, const sk_aws_params *p, char **body, size_t *len,
                char *err, size_t errlen) {
    *body = NULL;
    if (len) *len = 0;
    memset(&a->last, 0, sizeof a->last);
    char *form = sk_aws_form_encode(action, p);
    if (!form) return sk_errf(err, errlen, SK_ENOMEM, "EC2 %s: out of memory", action);
    sk_aws_error *e = &a->last;
    for (int attempt = 1;; attempt++) {
        sk_aws__buf b = {0};
        char cerr[CURL_ERROR_SIZE];
        long status = 0;
        CURLcode cc = sk_aws__perform(a, form, &status, &b, cerr);
        memset(e, 0, sizeof *e);
        e->attempts = attempt;
        e->http_status = status;
        if (cc == CURLE_OK && status >= 200 && status < 300) {
            free(form);
            if (!b.p) {
                e->kind = SK_AWS_ERR_PARSE;
                sk_aws__copy(e->message, sizeof e->message, "empty response body");
                return sk_errf(err, errlen, SK_EDATA, "EC2 %s: HTTP %ld with an empty body",
                               action, status);
            }
            *body = b.p;
            if (len) *len = b.n;
            return 0;
        }
        int retry;
        if (cc != CURLE_OK) {
            e->kind = b.overflow ? SK_AWS_ERR_PARSE : SK_AWS_ERR_NETWORK;
            snprintf(e->message, sizeof e->message, "%s",
                     b.overflow ? "response larger than 64 MiB"
                                : (cerr[0] ? cerr : curl_easy_strerror(cc)));
            retry = e->kind == SK_AWS_ERR_NETWORK;
        } else if (sk_aws__parse_error(b.p, b.n, e)) {
            e->kind = sk_aws_classify(e->code);
            if (status >= 500 && e->kind == SK_AWS_ERR_CLIENT) e->kind = SK_AWS_ERR_SERVER;
            retry = e->kind == SK_AWS_ERR_THROTTLE || e->kind == SK_AWS_ERR_SERVER;
        } else {
            char snip[64];
            sk_aws__snippet(b.p, b.n, snip, sizeof snip);
            e->kind = status >= 500 ? SK_AWS_ERR_SERVER : SK_AWS_ERR_PARSE;
            snprintf(e->message, sizeof e->message, "non-XML error body '%s'", snip);
            retry = status >= 500;
        }
        free(b.p);
        if (retry && attempt < a->max_attempts) {
            double bound = a->base_s * (double)(1ull << (attempt - 1 < 40 ? attempt - 1 : 40));
            if (bound > a->cap_s) bound = a->cap_s;
            double u = (double)(sk_aws__splitmix(&a->rng) >> 11) * 0x1.0p-53;
            a->sleep_fn(a->sleep_ctx, u * bound);
            continue;
        }
        free(form);
        return sk_errf(err, errlen, sk_aws__code_for(e), "EC2 %s: %s%s%s (%s error, HTTP %ld, %d attempt%s)",
                       action, e->code, e->code[0] ? ": " : "", e->message,
                       sk_aws_err_kind_name(e->kind), status, attempt, attempt == 1 ? "" : "s");
    }
}

/* Call and parse; check the root element is ACTIONResponse. */
static int sk_aws__xcall(sk_aws *a, const char *action, const sk_aws_params *p, xmlDoc **doc,
                         char *err, size_t errlen) {
    char *body = NULL;
    size_t len = 0;
    *doc = NULL;
    int rc = sk_aws_call(a, action, p, &body, &len, err, errlen);
    if (rc) return rc;
    xmlDoc *d = sk_aws__parse(body, len);
    xmlNode *root = d ? xmlDocGetRootElement(d) : NULL;
    char want[96];
    snprintf(want, sizeof want, "%sResponse", action);
    if (!root || !sk_aws__is(root, want)) {
        char snip[64];
        sk_aws__snippet(body, len, snip, sizeof snip);
        a->last.kind = SK_AWS_ERR_PARSE;
        snprintf(a->last.message, sizeof a->last.message, "%s body '%s'",
                 root ? "unexpected XML" : "non-XML", snip);
        if (d) xmlFreeDoc(d);
        free(body);
        return sk_errf(err, errlen, SK_EDATA, "EC2 %s: %s (parse error, HTTP %ld)", action,
                       a->last.message, a->last.http_status);
    }
    free(body);
    *doc = d;
    return 0;
}

/* ---- instances -------------------------------------------------------------------------------- */

void sk_aws_instances_free(sk_aws_instances *l) {
    free(l->v);
    memset(l, 0, sizeof *l);
}

const char *sk_aws_instance_tag(const sk_aws_instance *in, const char *key) {
    for (int i = 0; i < in->n_tags; i++)
        if (!strcmp(in->tags[i].key, key)) return in->tags[i].value;
    return NULL;
}

int sk_aws_instance_interrupted(const sk_aws_instance *in) {
    return !strcmp(in->state_reason_code, "Server.SpotInstanceTermination");
}

static sk_aws_instance *sk_aws__push(sk_aws_instances *l) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        sk_aws_instance *v = realloc(l->v, cap * sizeof *v);
        if (!v) return NULL;
        l->v = v;
        l->cap = cap;
    }
    sk_aws_instance *in = &l->v[l->n++];
    memset(in, 0, sizeof *in);
    return in;
}

static void sk_aws__instance(const xmlNode *it, sk_aws_instance *in) {
    sk_aws__get(it, "instanceId", in->id, sizeof in->id);
    sk_aws__get(it, "instanceType", in->type, sizeof in->type);
    sk_aws__get(it, "placement/availabilityZone", in->zone, sizeof in->zone);
    sk_aws__get(it, "instanceState/name", in->state, sizeof in->state);
    sk_aws__get(it, "stateReason/code", in->state_reason_code, sizeof in->state_reason_code);
    sk_aws__get(it, "stateReason/message", in->state_reason_msg, sizeof in->state_reason_msg);
    sk_aws__get(it, "instanceLifecycle", in->lifecycle, sizeof in->lifecycle);
    if (!in->lifecycle[0]) sk_aws__copy(in->lifecycle, sizeof in->lifecycle, "on-demand");
    sk_aws__get(it, "launchTime", in->launch_time, sizeof in->launch_time);
    sk_aws__get(it, "spotInstanceRequestId", in->spot_request_id, sizeof in->spot_request_id);
    sk_aws__get(it, "imageId", in->image_id, sizeof in->image_id);
    sk_aws__get(it, "privateIpAddress", in->private_ip, sizeof in->private_ip);
    for (xmlNode *t = sk_aws__child(sk_aws__child(it, "tagSet"), "item"); t; t = t->next) {
        if (!sk_aws__is(t, "item") || in->n_tags >= SK_AWS_MAX_TAGS) continue;
        sk_aws_tag *tg = &in->tags[in->n_tags++];
        sk_aws__get(t, "key", tg->key, sizeof tg->key);
        sk_aws__get(t, "value", tg->value, sizeof tg->value);
    }
}

/* Append every instancesSet/item under `set` to out. */
static int sk_aws__instances(const xmlNode *set, sk_aws_instances *out) {
    for (xmlNode *it = set ? set->children : NULL; it; it = it->next) {
        if (!sk_aws__is(it, "item")) continue;
        sk_aws_instance *in = sk_aws__push(out);
        if (!in) return SK_ENOMEM;
        sk_aws__instance(it, in);
    }
    return 0;
}

static int sk_aws__add_tags(sk_aws_params *p, const char *prefix, const sk_aws_tag *tags, int n) {
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        rc = sk_aws_params_addk(p, tags[i].key, "%sTag.%d.Key", prefix, i + 1);
        if (!rc) rc = sk_aws_params_addk(p, tags[i].value, "%sTag.%d.Value", prefix, i + 1);
    }
    return rc;
}

int sk_aws_run_instances(sk_aws *a, const sk_aws_run_req *r, sk_aws_instances *out, char *err,
                         size_t errlen) {
    if (!r->image_id || !r->instance_type)
        return sk_errf(err, errlen, SK_EUSAGE, "EC2 RunInstances: image_id and instance_type required");
    sk_aws_params p;
    sk_aws_params_init(&p);
    char cnt[16];
    snprintf(cnt, sizeof cnt, "%d", r->count > 0 ? r->count : 1);
    int rc = sk_aws_params_add(&p, "ImageId", r->image_id);
    if (!rc) rc = sk_aws_params_add(&p, "InstanceType", r->instance_type);
    if (!rc) rc = sk_aws_params_add(&p, "MinCount", cnt);
    if (!rc) rc = sk_aws_params_add(&p, "MaxCount", cnt);
    if (!rc && r->zone) rc = sk_aws_params_add(&p, "Placement.AvailabilityZone", r->zone);
    if (!rc && r->subnet_id) rc = sk_aws_params_add(&p, "SubnetId", r->subnet_id);
    if (!rc && r->key_name) rc = sk_aws_params_add(&p, "KeyName", r->key_name);
    if (!rc && r->client_token) rc = sk_aws_params_add(&p, "ClientToken", r->client_token);
    if (!rc && r->user_data_b64) rc = sk_aws_params_add(&p, "UserData", r->user_data_b64);
    for (int i = 0; !rc && i < r->n_security_groups; i++)
        rc = sk_aws_params_addk(&p, r->security_group_ids[i], "SecurityGroupId.%d", i + 1);
    if (!rc && r->spot) {
        rc = sk_aws_params_add(&p, "InstanceMarketOptions.MarketType", "spot");
        if (!rc)
            rc = sk_aws_params_add(&p, "InstanceMarketOptions.SpotOptions.SpotInstanceType",
                                   "one-time");
        if (!rc)
            rc = sk_aws_params_add(&p, "InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior",
                                   r->spot_interruption ? r->spot_interruption : "terminate");
        if (!rc && r->spot_max_price)
            rc = sk_aws_params_add(&p, "InstanceMarketOptions.SpotOptions.MaxPrice",
                                   r->spot_max_price);
    }
    if (!rc && r->n_tags > 0) {
        rc = sk_aws_params_add(&p, "TagSpecification.1.ResourceType", "instance");
        if (!rc) rc = sk_aws__add_tags(&p, "TagSpecification.1.", r->tags, r->n_tags);
    }
    if (rc) {
        sk_aws_params_free(&p);
        return sk_errf(err, errlen, rc, "EC2 RunInstances: out of memory");
    }
    xmlDoc *doc = NULL;
    rc = sk_aws__xcall(a, "RunInstances", &p, &doc, err, errlen);
    sk_aws_params_free(&p);
    if (rc) return rc;
    rc = sk_aws__instances(sk_aws__child(xmlDocGetRootElement(doc), "instancesSet"), out);
    xmlFreeDoc(doc);
    return rc ? sk_errf(err, errlen, rc, "EC2 RunInstances: out of memory") : 0;
}

/* After a page: copy ROOT's nextToken into TOKEN (1024 bytes). Returns 1 for another page, 0
 * after the last, SK_EDATA when the token does not advance or after 100,000 pages. */
static int sk_aws__next_page(const xmlNode *root, char *token, int page, const char *action, char *err,
                             size_t errlen) {
    char next[1024];
    sk_aws__get(root, "nextToken", next, sizeof next);
    if (!next[0]) return 0;
    if (!strcmp(next, token) || page > 100000)
        return sk_errf(err, errlen, SK_EDATA, "EC2 %s: NextToken does not advance", action);
    memcpy(token, next, sizeof next);
    return 1;
}

/* One paginated Action: each page sends the parameters build() adds plus NextToken, and hands the
 * response's root to page(); pages follow until EC2 gives no nextToken. 0 or the first error (an
 * out-of-memory in build is named after action; page writes its own). *pages counts the pages. */
typedef int (*sk_aws__build_fn)(void *ctx, sk_aws_params *p);
typedef int (*sk_aws__page_fn)(void *ctx, xmlNode *root, char *err, size_t errlen); /* writes err itself */
static int sk_aws__paged(sk_aws *a, const char *action, sk_aws__build_fn build, sk_aws__page_fn page, void *ctx,
                         int *pages, char *err, size_t errlen) {
    char token[1024] = "";
    int npages = 0, rc;
    for (;;) {
        sk_aws_params p;
        sk_aws_params_init(&p);
        rc = build(ctx, &p);
        if (!rc && token[0]) rc = sk_aws_params_add(&p, "NextToken", token);
        if (rc) {
            sk_aws_params_free(&p);
            rc = sk_errf(err, errlen, rc, "EC2 %s: out of memory", action);
            break;
        }
        xmlDoc *doc = NULL;
        rc = sk_aws__xcall(a, action, &p, &doc, err, errlen);
        sk_aws_params_free(&p);
        if (rc) break;
        xmlNode *root = xmlDocGetRootElement(doc);
        rc = page(ctx, root, err, errlen);
        if (!rc) rc = sk_aws__next_page(root, token, ++npages, action, err, errlen);
        xmlFreeDoc(doc);
        if (rc <= 0) break;
    }
    if (pages) *pages = npages;
    return rc;
}

typedef struct {
    const sk_aws_filter *f;
    int nf, nids, max_results;
    const char *const *ids;
    sk_aws_instances *out;
} sk_aws__di;
static int sk_aws__di_build(void *ctx, sk_aws_params *p) {
    const sk_aws__di *d = ctx;
    int rc = 0;
    for (int i = 0; i < d->nf && !rc; i++) {
        rc = sk_aws_params_addk(p, d->f[i].name, "Filter.%d.Name", i + 1);
        if (!rc) rc = sk_aws_params_addk(p, d->f[i].value, "Filter.%d.Value.1", i + 1);
    }
    for (int i = 0; i < d->nids && !rc; i++) rc = sk_aws_params_addk(p, d->ids[i], "InstanceId.%d", i + 1);
    if (!rc && d->max_results > 0) {
        char mr[16];
        snprintf(mr, sizeof mr, "%d", d->max_results);
        rc = sk_aws_params_add(p, "MaxResults", mr);
    }
    return rc;
}
static int sk_aws__di_page(void *ctx, xmlNode *root, char *err, size_t errlen) {
    sk_aws__di *d = ctx;
    int rc = 0;
    for (xmlNode *r = sk_aws__child(sk_aws__child(root, "reservationSet"), "item"); r && !rc; r = r->next)
        if (sk_aws__is(r, "item")) rc = sk_aws__instances(sk_aws__child(r, "instancesSet"), d->out);
    return rc ? sk_errf(err, errlen, rc, "EC2 DescribeInstances: out of memory") : 0;
}

int sk_aws_describe_instances(sk_aws *a, const sk_aws_filter *f, int nf, const char *const *ids,
                              int nids, int max_results, sk_aws_instances *out, char *err,
                              size_t errlen) {
    sk_aws__di d = {f, nf, nids, max_results, ids, out};
    return sk_aws__paged(a, "DescribeInstances", sk_aws__di_build, sk_aws__di_page, &d, &out->pages, err, errlen);
}

int sk_aws_terminate_instances(sk_aws *a, const char *const *ids, int nids, sk_aws_instances *out,
                               char *err, size_t errlen) {
    sk_aws_params p;
    sk_aws_params_init(&p);
    int rc = 0;
    for (int i = 0; i < nids && !rc; i++) rc = sk_aws_params_addk(&p, ids[i], "InstanceId.%d", i + 1);
    xmlDoc *doc = NULL;
    if (!rc) rc = sk_aws__xcall(a, "TerminateInstances", &p, &doc, err, errlen);
    else sk_errf(err, errlen, rc, "EC2 TerminateInstances: out of memory");
    sk_aws_params_free(&p);
    if (rc) return rc;
    xmlNode *set = sk_aws__child(xmlDocGetRootElement(doc), "instancesSet");
    for (xmlNode *it = set ? set->children : NULL; it && !rc; it = it->next) {
        if (!sk_aws__is(it, "item")) continue;
        sk_aws_instance *in = sk_aws__push(out);
        if (!in) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "EC2 TerminateInstances: out of memory");
            break;
        }
        sk_aws__get(it, "instanceId", in->id, sizeof in->id);
        sk_aws__get(it, "currentState/name", in->state, sizeof in->state);
        sk_aws__get(it, "previousState/name", in->prev_state, sizeof in->prev_state);
    }
    xmlFreeDoc(doc);
    return rc;
}

int sk_aws_create_tags(sk_aws *a, const char *const *ids, int nids, const sk_aws_tag *tags,
                       int ntags, char *err, size_t errlen) {
    sk_aws_params p;
    sk_aws_params_init(&p);
    int rc = 0;
    for (int i = 0; i < nids && !rc; i++) rc = sk_aws_params_addk(&p, ids[i], "ResourceId.%d", i + 1);
    if (!rc) rc = sk_aws__add_tags(&p, "", tags, ntags);
    xmlDoc *doc = NULL;
    if (!rc) rc = sk_aws__xcall(a, "CreateTags", &p, &doc, err, errlen);
    else sk_errf(err, errlen, rc, "EC2 CreateTags: out of memory");
    sk_aws_params_free(&p);
    if (doc) xmlFreeDoc(doc);
    return rc;
}

/* Grow a malloc'd array of `sz`-byte records by one zeroed record; NULL on out of memory. */
static void *sk_aws__grow(void **v, size_t *n, size_t *cap, size_t sz) {
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        void *nv = realloc(*v, c * sz);
        if (!nv) return NULL;
        *v = nv;
        *cap = c;
    }
    char *r = (char *)*v + (*n)++ * sz;
    memset(r, 0, sz);
    return r;
}

typedef struct {
    const char *const *types;
    int ntypes;
    const char *zone, *product, *start, *end;
    void *v;
    size_t cnt, cap;
} sk_aws__sp;
static int sk_aws__sp_build(void *ctx, sk_aws_params *p) {
    const sk_aws__sp *d = ctx;
    int rc = 0;
    for (int i = 0; i < d->ntypes && !rc; i++) rc = sk_aws_params_addk(p, d->types[i], "InstanceType.%d", i + 1);
    if (!rc && d->zone) rc = sk_aws_params_add(p, "AvailabilityZone", d->zone);
    if (!rc && d->product) rc = sk_aws_params_add(p, "ProductDescription.1", d->product);
    if (!rc && d->start) rc = sk_aws_params_add(p, "StartTime", d->start);
    if (!rc && d->end) rc = sk_aws_params_add(p, "EndTime", d->end);
    return rc;
}
static int sk_aws__sp_page(void *ctx, xmlNode *root, char *err, size_t errlen) {
    sk_aws__sp *d = ctx;
    for (xmlNode *it = sk_aws__child(sk_aws__child(root, "spotPriceHistorySet"), "item"); it; it = it->next) {
        if (!sk_aws__is(it, "item")) continue;
        sk_aws_spot_price *sp = sk_aws__grow(&d->v, &d->cnt, &d->cap, sizeof *sp);
        if (!sp) return sk_errf(err, errlen, SK_ENOMEM, "EC2 DescribeSpotPriceHistory: out of memory");
        char price[48];
        sk_aws__get(it, "instanceType", sp->instance_type, sizeof sp->instance_type);
        sk_aws__get(it, "availabilityZone", sp->zone, sizeof sp->zone);
        sk_aws__get(it, "productDescription", sp->product, sizeof sp->product);
        sk_aws__get(it, "timestamp", sp->timestamp, sizeof sp->timestamp);
        sk_aws__get(it, "spotPrice", price, sizeof price);
        char *e = NULL;
        sp->price = strtod(price, &e);
        if (!price[0] || *e)
            return sk_errf(err, errlen, SK_EDATA, "EC2 DescribeSpotPriceHistory: bad spotPrice '%s' (%s, %s)", price,
                           sp->instance_type, sp->zone);
    }
    return 0;
}

int sk_aws_spot_price_history(sk_aws *a, const char *const *types, int ntypes, const char *zone,
                              const char *product, const char *start, const char *end,
                              sk_aws_spot_price **out, size_t *n, char *err, size_t errlen) {
    sk_aws__sp d = {types, ntypes, zone, product, start, end, NULL, 0, 0};
    int rc = sk_aws__paged(a, "DescribeSpotPriceHistory", sk_aws__sp_build, sk_aws__sp_page, &d, NULL, err, errlen);
    if (rc) free(d.v), d.v = NULL, d.cnt = 0;
    *out = d.v;
    *n = d.cnt;
    return rc;
}

typedef struct {
    const char *const *types;
    int ntypes;
    void *v;
    size_t cnt, cap;
} sk_aws__it;
static int sk_aws__it_build(void *ctx, sk_aws_params *p) {
    const sk_aws__it *d = ctx;
    int rc = 0;
    for (int i = 0; i < d->ntypes && !rc; i++) rc = sk_aws_params_addk(p, d->types[i], "InstanceType.%d", i + 1);
    return rc;
}
static int sk_aws__it_page(void *ctx, xmlNode *root, char *err, size_t errlen) {
    sk_aws__it *d = ctx;
    for (xmlNode *it = sk_aws__child(sk_aws__child(root, "instanceTypeSet"), "item"); it; it = it->next) {
        if (!sk_aws__is(it, "item")) continue;
        sk_aws_instance_type *t = sk_aws__grow(&d->v, &d->cnt, &d->cap, sizeof *t);
        if (!t) return sk_errf(err, errlen, SK_ENOMEM, "EC2 DescribeInstanceTypes: out of memory");
        char s[48];
        sk_aws__get(it, "instanceType", t->type, sizeof t->type);
        sk_aws__get(it, "vCpuInfo/defaultVCpus", s, sizeof s);
        t->vcpus = atoi(s);
        sk_aws__get(it, "memoryInfo/sizeInMiB", s, sizeof s);
        t->memory_mib = strtoll(s, NULL, 10);
        for (xmlNode *g = sk_aws__child(sk_aws__child(sk_aws__child(it, "gpuInfo"), "gpus"), "item");
             g; g = g->next) {
            if (!sk_aws__is(g, "item")) continue;
            sk_aws__get(g, "count", s, sizeof s);
            t->gpus += atoi(s);
            if (!t->gpu_name[0]) {
                char man[24], name[24];
                sk_aws__get(g, "manufacturer", man, sizeof man);
                sk_aws__get(g, "name", name, sizeof name);
                snprintf(t->gpu_name, sizeof t->gpu_name, "%s%s%s", man, man[0] ? " " : "", name);
                sk_aws__get(g, "memoryInfo/sizeInMiB", s, sizeof s);
                t->gpu_memory_mib = strtoll(s, NULL, 10);
            }
        }
        for (xmlNode *u = sk_aws__child(sk_aws__child(it, "supportedUsageClasses"), "item"); u;
             u = u->next) {
            sk_aws__text(u, s, sizeof s);
            if (sk_aws__is(u, "item") && !strcmp(s, "spot")) t->spot = 1;
        }
    }
    return 0;
}

int sk_aws_instance_types(sk_aws *a, const char *const *types, int ntypes,
                          sk_aws_instance_type **out, size_t *n, char *err, size_t errlen) {
    sk_aws__it d = {types, ntypes, NULL, 0, 0};
    int rc = sk_aws__paged(a, "DescribeInstanceTypes", sk_aws__it_build, sk_aws__it_page, &d, NULL, err, errlen);
    if (rc) free(d.v), d.v = NULL, d.cnt = 0;
    *out = d.v;
    *n = d.cnt;
    return rc;
}

int sk_aws_zones(sk_aws *a, sk_aws_zone **out, size_t *n, char *err, size_t errlen) {
    void *v = NULL;
    size_t cnt = 0, cap = 0;
    *out = NULL;
    *n = 0;
    xmlDoc *doc = NULL;
    sk_aws_params p;
    sk_aws_params_init(&p);
    int rc = sk_aws_params_add(&p, "Filter.1.Name", "region-name");
    if (!rc) rc = sk_aws_params_add(&p, "Filter.1.Value.1", a->region);
    if (!rc) rc = sk_aws__xcall(a, "DescribeAvailabilityZones", &p, &doc, err, errlen);
    else sk_errf(err, errlen, rc, "EC2 DescribeAvailabilityZones: out of memory");
    sk_aws_params_free(&p);
    if (rc) return rc;
    xmlNode *root = xmlDocGetRootElement(doc);
    for (xmlNode *it = sk_aws__child(sk_aws__child(root, "availabilityZoneInfo"), "item"); it;
         it = it->next) {
        if (!sk_aws__is(it, "item")) continue;
        sk_aws_zone *z = sk_aws__grow(&v, &cnt, &cap, sizeof *z);
        if (!z) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "EC2 DescribeAvailabilityZones: out of memory");
            break;
        }
        sk_aws__get(it, "zoneName", z->name, sizeof z->name);
        sk_aws__get(it, "zoneId", z->zone_id, sizeof z->zone_id);
        sk_aws__get(it, "zoneState", z->state, sizeof z->state);
        sk_aws__get(it, "regionName", z->region, sizeof z->region);
    }
    xmlFreeDoc(doc);
    if (rc) {
        free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return 0;
}
