/* sk_ckstore.c - checkpoint store (sk_ckstore.h): a folder (atomic copies through sk_atomic) or S3
 * over libcurl with CURLOPT_AWS_SIGV4 (PUT/GET/DELETE Object, ListObjectsV2 parsed with libxml2),
 * retried with capped exponential backoff and full jitter. Reads the files it is given and the
 * store; credentials from the environment or the shared credentials file (sk_aws_creds_load). */
#define _GNU_SOURCE
#include "live/sk_ckstore.h"

#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/sk_atomic.h"
#include "io/sk_csv.h" /* sk_errf, sk_file_slurp */
#include "io/sk_sha256.h"
#include "sk_error.h"

#define SK_CK_MAX_BODY (64u << 20) /* error and listing bodies kept in memory */
#define SK_CK_LIST_MAX 4096

struct sk_ckstore {
    int s3;
    char dir[4096];     /* dir store */
    char bucket[256];   /* s3 */
    char prefix[1024];  /* no leading or trailing '/'; "" = bucket root */
    char endpoint[512]; /* path-style base without a trailing '/', "" = AWS virtual-hosted */
    char region[64];
    char sigv4[128];
    sk_aws_creds creds;
    int max_attempts, attempts, list_page;
    double base_s, cap_s;
    uint64_t rng;
    long timeout_s;
    sk_aws_sleep_fn sleep_fn;
    void *sleep_ctx;
    CURL *curl;
};

static void sk_ck__nanosleep(void *ctx, double s) {
    (void)ctx;
    if (s <= 0) return;
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

static uint64_t sk_ck__splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sk_ckstore_ckpt_name(int generated, char out[32]) { snprintf(out, 32, "ckpt-%08d.bin", generated); }

/* The count of a checkpoint name "ckpt-NNNNNNNN.bin", or -1. */
static int sk_ck__parse_name(const char *n) {
    if (strlen(n) != 17 || strncmp(n, "ckpt-", 5) || strcmp(n + 13, ".bin")) return -1;
    int g = 0;
    for (int i = 5; i < 13; i++) {
        if (!isdigit((unsigned char)n[i])) return -1;
        g = 10 * g + (n[i] - '0');
    }
    return g;
}

static void sk_ck__sort_desc(int *g, int n) {
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && g[j] > g[j - 1]; j--) {
            int t = g[j];
            g[j] = g[j - 1], g[j - 1] = t;
        }
}

/* ---- open/close ------------------------------------------------------------------------------ */

int sk_ckstore_open(sk_ckstore **out, const sk_ckstore_cfg *cfg, char *err, size_t errlen) {
    *out = NULL;
    const char *uri = cfg->uri;
    if (!uri || !*uri) return sk_errf(err, errlen, SK_ECONFIG, "checkpoint store: empty URI");
    sk_ckstore *s = calloc(1, sizeof *s);
    if (!s) return sk_errf(err, errlen, SK_ENOMEM, "checkpoint store: out of memory");
    int rc = 0;
    if (!strncmp(uri, "s3://", 5)) {
        const char *b = uri + 5, *slash = strchr(b, '/');
        size_t bl = slash ? (size_t)(slash - b) : strlen(b);
        if (bl < 3 || bl >= sizeof s->bucket) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "checkpoint store %s: bad bucket name", uri);
            goto fail;
        }
        memcpy(s->bucket, b, bl);
        for (size_t i = 0; i < bl; i++)
            if (!islower((unsigned char)b[i]) && !isdigit((unsigned char)b[i]) && b[i] != '-' && b[i] != '.') {
                rc = sk_errf(err, errlen, SK_ECONFIG, "checkpoint store %s: bad bucket name '%s'", uri, s->bucket);
                goto fail;
            }
        const char *p = slash ? slash + 1 : "";
        while (*p == '/') p++;
        if (strlen(p) >= sizeof s->prefix) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "checkpoint store %s: prefix too long", uri);
            goto fail;
        }
        snprintf(s->prefix, sizeof s->prefix, "%s", p);
        for (size_t l = strlen(s->prefix); l && s->prefix[l - 1] == '/'; l--) s->prefix[l - 1] = '\0';
        s->s3 = 1;
        const char *ep = cfg->endpoint_url && *cfg->endpoint_url ? cfg->endpoint_url : getenv("AWS_ENDPOINT_URL_S3");
        if (!ep || !*ep) ep = getenv("AWS_ENDPOINT_URL");
        snprintf(s->endpoint, sizeof s->endpoint, "%s", ep ? ep : "");
        for (size_t l = strlen(s->endpoint); l && s->endpoint[l - 1] == '/'; l--) s->endpoint[l - 1] = '\0';
        const char *rg = cfg->region && *cfg->region ? cfg->region : getenv("AWS_REGION");
        if (!rg || !*rg) rg = getenv("AWS_DEFAULT_REGION");
        if (!rg || !*rg) rg = "us-east-1";
        for (const char *c = rg; *c; c++)
            if ((!isalnum((unsigned char)*c) && *c != '-') || strlen(rg) >= sizeof s->region) {
                rc = sk_errf(err, errlen, SK_ECONFIG, "checkpoint store %s: bad region '%s'", uri, rg);
                goto fail;
            }
        snprintf(s->region, sizeof s->region, "%s", rg);
        snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", s->region);
        char e2[512];
        if ((rc = sk_aws_creds_load(&s->creds, cfg->profile, e2, sizeof e2)) < 0) {
            rc = sk_errf(err, errlen, rc, "checkpoint store %s: %s", uri, e2);
            goto fail;
        }
        s->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : 5;
        s->base_s = cfg->backoff_base_s > 0 ? cfg->backoff_base_s : 0.1;
        s->cap_s = cfg->backoff_cap_s > 0 ? cfg->backoff_cap_s : 20.0;
        s->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 60;
        s->list_page = cfg->list_page > 0 ? cfg->list_page : 0;
        s->sleep_fn = cfg->sleep_fn ? cfg->sleep_fn : sk_ck__nanosleep;
        s->sleep_ctx = cfg->sleep_ctx;
        s->rng = 0x5EED5EEDull ^ (uint64_t)getpid() ^ (uint64_t)time(NULL);
        if (!(s->curl = curl_easy_init())) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "checkpoint store %s: curl_easy_init failed", uri);
            goto fail;
        }
    } else {
        const char *d = !strncmp(uri, "dir:", 4) ? uri + 4 : uri;
        if (strstr(uri, "://") || !*d || strlen(d) >= sizeof s->dir) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "checkpoint store %s: not dir:PATH, PATH or s3://BUCKET/PREFIX", uri);
            goto fail;
        }
        snprintf(s->dir, sizeof s->dir, "%s", d);
        for (size_t l = strlen(s->dir); l > 1 && s->dir[l - 1] == '/'; l--) s->dir[l - 1] = '\0';
        if (mkdir(s->dir, 0777) < 0 && errno != EEXIST) {
            rc = sk_errf(err, errlen, SK_ECANTCREAT, "checkpoint store %s: %s", s->dir, strerror(errno));
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    memset(&s->creds, 0, sizeof s->creds);
    free(s);
    return rc;
}

void sk_ckstore_close(sk_ckstore *s) {
    if (!s) return;
    if (s->curl) curl_easy_cleanup(s->curl);
    memset(&s->creds, 0, sizeof s->creds);
    free(s);
}

int sk_ckstore_remote(const sk_ckstore *s) { return s->s3; }
const char *sk_ckstore_dir(const sk_ckstore *s) { return s->s3 ? "" : s->dir; }
int sk_ckstore_attempts(const sk_ckstore *s) { return s->attempts; }

/* The object key of name. */
static void sk_ck__key(const sk_ckstore *s, const char *name, char *out, size_t len) {
    snprintf(out, len, "%s%s%s", s->prefix, s->prefix[0] ? "/" : "", name);
}

void sk_ckstore_location(const sk_ckstore *s, const char *name, char *out, size_t len) {
    if (s->s3) {
        char key[1100];
        sk_ck__key(s, name, key, sizeof key);
        snprintf(out, len, "s3://%s/%s", s->bucket, key);
    } else {
        snprintf(out, len, "%s/%s", s->dir, name);
    }
}

/* ---- folder ------------------------------------------------------------------------------------ */

/* Copy src to dst atomically; nothing to do when both name the same file. */
static int sk_ck__copy(const char *src, const char *dst, char *err, size_t errlen) {
    char *rs = realpath(src, NULL), *rd = realpath(dst, NULL);
    int same = rs && rd && !strcmp(rs, rd);
    free(rs);
    free(rd);
    if (same) return 0;
    FILE *in = fopen(src, "rb");
    if (!in) return sk_errf(err, errlen, errno == ENOENT ? SK_ENOENT : SK_ENOINPUT, "%s: %s", src, strerror(errno));
    sk_atomic a;
    int rc = sk_atomic_open(&a, dst, "wb", err, errlen);
    if (rc < 0) {
        fclose(in);
        return rc;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, a.f) != n) break;
    int bad = ferror(in) || ferror(a.f);
    fclose(in);
    if (bad) {
        sk_atomic_abort(&a);
        return sk_errf(err, errlen, SK_EIO, "copy %s -> %s: %s", src, dst, strerror(errno));
    }
    return sk_atomic_commit(&a, err, errlen);
}

static int sk_ck__dir_list(sk_ckstore *s, int *gens, int max, char *err, size_t errlen) {
    DIR *d = opendir(s->dir);
    if (!d) return sk_errf(err, errlen, SK_ENOINPUT, "checkpoint store %s: %s", s->dir, strerror(errno));
    int n = 0, all[SK_CK_LIST_MAX];
    struct dirent *e;
    while ((e = readdir(d)) && n < SK_CK_LIST_MAX) {
        int g = sk_ck__parse_name(e->d_name);
        if (g >= 0) all[n++] = g;
    }
    closedir(d);
    sk_ck__sort_desc(all, n);
    if (n > max) n = max;
    if (n > 0) memcpy(gens, all, (size_t)n * sizeof *gens);
    return n;
}

/* ---- S3 requests ------------------------------------------------------------------------------- */

typedef struct {
    CURL *c;
    FILE *sink;  /* 2xx bodies of GET Object go here */
    int decided, to_sink;
    char *p;     /* other bodies: error documents, listings */
    size_t n, cap;
    int overflow;
} sk_ck_rx;

static size_t sk_ck__write(char *data, size_t size, size_t nmemb, void *ud) {
    sk_ck_rx *r = ud;
    size_t n = size * nmemb;
    if (!r->decided) {
        long st = 0;
        curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &st);
        r->decided = 1;
        r->to_sink = r->sink && st >= 200 && st < 300;
    }
    if (r->to_sink) return fwrite(data, 1, n, r->sink);
    if (r->n + n + 1 > SK_CK_MAX_BODY) {
        r->overflow = 1;
        return 0;
    }
    if (r->n + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->n + n + 1) cap *= 2;
        char *p = realloc(r->p, cap);
        if (!p) return 0;
        r->p = p, r->cap = cap;
    }
    memcpy(r->p + r->n, data, n);
    r->n += n;
    r->p[r->n] = '\0';
    return n;
}

/* RFC 3986 percent-encoding (unreserved kept; '/' kept when keep_slash). */
static void sk_ck__enc(char *dst, size_t cap, const char *s, int keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && n + 4 < cap; c++) {
        if (isalnum(*c) || *c == '-' || *c == '.' || *c == '_' || *c == '~' || (keep_slash && *c == '/')) dst[n++] = (char)*c;
        else dst[n++] = '%', dst[n++] = hex[*c >> 4], dst[n++] = hex[*c & 15];
    }
    dst[n] = '\0';
}

/* URL of key (NULL: the bucket) with an optional query (already encoded). */
static void sk_ck__url(const sk_ckstore *s, const char *key, const char *query, char *out, size_t len) {
    char ek[3400] = "";
    if (key) sk_ck__enc(ek, sizeof ek, key, 1);
    if (s->endpoint[0])
        snprintf(out, len, "%s/%s%s%s%s%s", s->endpoint, s->bucket, key ? "/" : "", ek, query ? "?" : "", query ? query : "");
    else
        snprintf(out, len, "https://%s.s3.%s.amazonaws.com/%s%s%s", s->bucket, s->region, ek, query ? "?" : "",
                 query ? query : "");
}

static xmlDoc *sk_ck__xml(const char *body, size_t len) {
    if (!body || !len || len > (size_t)INT_MAX) return NULL;
    return xmlReadMemory(body, (int)len, "s3.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static int sk_ck__is(const xmlNode *n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *sk_ck__child(const xmlNode *n, const char *name) {
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (sk_ck__is(c, name)) return c;
    return NULL;
}

static void sk_ck__text(const xmlNode *n, char *dst, size_t cap) {
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
    xmlFree(t);
}

/* The S3 <Error><Code/><Message/></Error> of a body; 1 if found. */
static int sk_ck__parse_error(const char *body, size_t len, char *code, size_t cl, char *msg, size_t ml) {
    xmlDoc *doc = sk_ck__xml(body, len);
    if (!doc) return 0;
    xmlNode *root = xmlDocGetRootElement(doc);
    int ok = sk_ck__is(root, "Error") && sk_ck__child(root, "Code");
    if (ok) {
        sk_ck__text(sk_ck__child(root, "Code"), code, cl);
        sk_ck__text(sk_ck__child(root, "Message"), msg, ml);
        ok = code[0] != '\0';
    }
    xmlFreeDoc(doc);
    return ok;
}

/* Replace any copy of the secret in msg (a server may echo what it was sent). */
static void sk_ck__scrub(const sk_ckstore *s, char *msg) {
    size_t l = strlen(s->creds.secret_key);
    char *p;
    while (l && (p = strstr(msg, s->creds.secret_key))) {
        memcpy(p, "[redacted]", l < 10 ? l : 10);
        memmove(p + (l < 10 ? l : 10), p + l, strlen(p + l) + 1);
    }
}

/* One S3 request with retries. body (blen bytes) is the PUT payload; a 2xx response body goes to
 * sink when given, else into *rx (caller frees rx->p). what: "PUT s3://b/k" for messages. On a
 * non-2xx status *status holds it; 404/NoSuch* -> SK_ENOENT. */
static int sk_ck__req(sk_ckstore *s, const char *method, const char *url, const char *body, size_t blen, FILE *sink,
                      sk_ck_rx *rx, const char *what, char *err, size_t errlen) {
    char hash[65], hh[100], tok[2100];
    if (sk_sha256_hex(body ? body : "", body ? blen : 0, hash) < 0)
        return sk_errf(err, errlen, SK_EINTERNAL, "s3 %s: sha256 failed", what);
    snprintf(hh, sizeof hh, "x-amz-content-sha256: %s", hash);
    s->attempts = 0;
    for (int attempt = 1;; attempt++) {
        CURL *c = s->curl;
        curl_easy_reset(c);
        memset(rx, 0, sizeof *rx);
        rx->c = c, rx->sink = sink;
        if (sink) {
            fflush(sink);
            if (ftruncate(fileno(sink), 0) < 0 || fseek(sink, 0, SEEK_SET) < 0)
                return sk_errf(err, errlen, SK_ECANTCREAT, "s3 %s: local file: %s", what, strerror(errno));
        }
        struct curl_slist *h = curl_slist_append(NULL, hh), *h2;
        if (h && body && (h2 = curl_slist_append(h, "Content-Type: application/octet-stream"))) h = h2;
        if (h && s->creds.session_token[0]) {
            snprintf(tok, sizeof tok, "x-amz-security-token: %s", s->creds.session_token);
            if ((h2 = curl_slist_append(h, tok))) h = h2;
            memset(tok, 0, sizeof tok);
        }
        if (!h) return sk_errf(err, errlen, SK_ENOMEM, "s3 %s: out of memory", what);
        char cerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(c, CURLOPT_URL, url);
        if (body) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
        }
        if (strcmp(method, "GET")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        sk_aws_curl_signed(c, s->sigv4, &s->creds, s->timeout_s, cerr, "synkti-ckstore/0.1");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sk_ck__write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, rx);
        if (s->endpoint[0] && !strncmp(s->endpoint, "http://127.", 11)) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        CURLcode cc = curl_easy_perform(c);
        long st = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(c, CURLOPT_PASSWORD, "");
        curl_slist_free_all(h);
        s->attempts = attempt;
        if (cc == CURLE_OK && st >= 200 && st < 300) {
            if (sink && (fflush(sink) || ferror(sink)))
                return sk_errf(err, errlen, SK_ECANTCREAT, "s3 %s: local file: %s", what, strerror(errno));
            return 0;
        }
        char code[96] = "", msg[256] = "";
        int retry, rc;
        sk_aws_err_kind kind = SK_AWS_ERR_CLIENT;
        if (cc != CURLE_OK && !(rx->overflow || (sink && rx->to_sink && cc == CURLE_WRITE_ERROR))) {
            snprintf(msg, sizeof msg, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
            kind = SK_AWS_ERR_NETWORK;
        } else if (cc != CURLE_OK) {
            snprintf(msg, sizeof msg, "%s", rx->overflow ? "reply larger than 64 MiB" : "cannot write the local file");
            kind = SK_AWS_ERR_PARSE;
        } else if (sk_ck__parse_error(rx->p, rx->n, code, sizeof code, msg, sizeof msg)) {
            kind = sk_aws_classify(code);
            if (st >= 500 && kind == SK_AWS_ERR_CLIENT) kind = SK_AWS_ERR_SERVER;
            if (st == 503 && kind == SK_AWS_ERR_CLIENT) kind = SK_AWS_ERR_THROTTLE;
        } else {
            kind = st >= 500 ? SK_AWS_ERR_SERVER : st == 401 || st == 403 ? SK_AWS_ERR_AUTH : SK_AWS_ERR_CLIENT;
            if (rx->n) snprintf(msg, sizeof msg, "%s", "reply not an S3 error document");
        }
        retry = kind == SK_AWS_ERR_NETWORK || kind == SK_AWS_ERR_SERVER || kind == SK_AWS_ERR_THROTTLE;
        free(rx->p);
        rx->p = NULL, rx->n = 0;
        if (retry && attempt < s->max_attempts) {
            double bound = s->base_s * (double)(1ull << (attempt - 1 < 40 ? attempt - 1 : 40));
            if (bound > s->cap_s) bound = s->cap_s;
            double u = (double)(sk_ck__splitmix(&s->rng) >> 11) * 0x1.0p-53;
            s->sleep_fn(s->sleep_ctx, u * bound);
            continue;
        }
        sk_ck__scrub(s, msg);
        if (st == 404 || !strncmp(code, "NoSuch", 6)) rc = SK_ENOENT;
        else if (kind == SK_AWS_ERR_AUTH) rc = SK_ECONFIG;
        else if (kind == SK_AWS_ERR_PARSE && sink && cc == CURLE_WRITE_ERROR && !rx->overflow) rc = SK_ECANTCREAT;
        else rc = SK_EIO;
        return sk_errf(err, errlen, rc, "s3 %s: %s%s%s%s(%s error, HTTP %ld, %d attempt%s)", what, code,
                       code[0] && msg[0] ? ": " : "", msg, msg[0] || code[0] ? " " : "", sk_aws_err_kind_name(kind), st,
                       attempt, attempt == 1 ? "" : "s");
    }
}

static int sk_ck__s3_put(sk_ckstore *s, const char *local, const char *name, char *err, size_t errlen) {
    char key[1100], url[4096], what[1500], *buf = NULL;
    size_t len = 0;
    int rc = sk_file_slurp(local, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    sk_ck__key(s, name, key, sizeof key);
    sk_ck__url(s, key, NULL, url, sizeof url);
    snprintf(what, sizeof what, "PUT s3://%s/%s", s->bucket, key);
    sk_ck_rx rx;
    rc = sk_ck__req(s, "PUT", url, buf, len, NULL, &rx, what, err, errlen);
    free(rx.p);
    free(buf);
    return rc;
}

static int sk_ck__s3_get(sk_ckstore *s, const char *name, const char *local, char *err, size_t errlen) {
    char key[1100], url[4096], what[1500];
    sk_ck__key(s, name, key, sizeof key);
    sk_ck__url(s, key, NULL, url, sizeof url);
    snprintf(what, sizeof what, "GET s3://%s/%s", s->bucket, key);
    sk_atomic a;
    int rc = sk_atomic_open(&a, local, "wb", err, errlen);
    if (rc < 0) return rc;
    sk_ck_rx rx;
    rc = sk_ck__req(s, "GET", url, NULL, 0, a.f, &rx, what, err, errlen);
    free(rx.p);
    if (rc < 0) {
        sk_atomic_abort(&a);
        return rc;
    }
    return sk_atomic_commit(&a, err, errlen);
}

static int sk_ck__s3_delete(sk_ckstore *s, const char *name, char *err, size_t errlen) {
    char key[1100], url[4096], what[1500];
    sk_ck__key(s, name, key, sizeof key);
    sk_ck__url(s, key, NULL, url, sizeof url);
    snprintf(what, sizeof what, "DELETE s3://%s/%s", s->bucket, key);
    sk_ck_rx rx;
    int rc = sk_ck__req(s, "DELETE", url, NULL, 0, NULL, &rx, what, err, errlen);
    free(rx.p);
    return rc == SK_ENOENT && !strstr(err, "NoSuchBucket") ? 0 : rc;
}

/* ListObjectsV2 of PREFIX/ckpt-, every page (the next one starts after the last key seen). The
 * query keeps '/' unescaped: servers that sign over the decoded query (moto) and libcurl before 8.3,
 * which signs the query as given, then agree. Continuation tokens would need escaping of '+' and
 * '=', so pages are chained with start-after (a key: only the prefix's and our own characters). */
static int sk_ck__s3_list(sk_ckstore *s, int *gens, int max, char *err, size_t errlen) {
    char kp[1100], ekp[3400], after[1100] = "", eafter[3400], query[7000], url[8192], what[1500];
    sk_ck__key(s, "ckpt-", kp, sizeof kp);
    sk_ck__enc(ekp, sizeof ekp, kp, 1);
    snprintf(what, sizeof what, "ListObjectsV2 s3://%s/%s", s->bucket, kp);
    int *all = malloc(SK_CK_LIST_MAX * sizeof *all), n = 0, rc = 0;
    if (!all) return sk_errf(err, errlen, SK_ENOMEM, "s3 %s: out of memory", what);
    size_t plen = strlen(kp) - 5; /* the key prefix before "ckpt-" */
    for (int page = 0;; page++) {
        sk_ck__enc(eafter, sizeof eafter, after, 1);
        /* parameters in canonical (sorted) order */
        char mk[32] = "";
        if (s->list_page) snprintf(mk, sizeof mk, "&max-keys=%d", s->list_page);
        snprintf(query, sizeof query, "list-type=2%s&prefix=%s%s%s", mk, ekp, after[0] ? "&start-after=" : "", eafter);
        sk_ck__url(s, NULL, query, url, sizeof url);
        sk_ck_rx rx;
        if ((rc = sk_ck__req(s, "GET", url, NULL, 0, NULL, &rx, what, err, errlen)) < 0) {
            free(rx.p);
            break;
        }
        xmlDoc *doc = sk_ck__xml(rx.p, rx.n);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
        if (!sk_ck__is(root, "ListBucketResult")) {
            rc = sk_errf(err, errlen, SK_EDATA, "s3 %s: reply is not a ListBucketResult (HTTP 200, %zu bytes)", what, rx.n);
            xmlFreeDoc(doc);
            free(rx.p);
            break;
        }
        for (xmlNode *c = root->children; c; c = c->next) {
            if (!sk_ck__is(c, "Contents")) continue;
            char key[1100];
            sk_ck__text(sk_ck__child(c, "Key"), key, sizeof key);
            snprintf(after, sizeof after, "%s", key);
            int g = strlen(key) > plen && !strncmp(key, kp, plen) ? sk_ck__parse_name(key + plen) : -1;
            if (g >= 0 && n < SK_CK_LIST_MAX) all[n++] = g;
        }
        char trunc[16] = "";
        sk_ck__text(sk_ck__child(root, "IsTruncated"), trunc, sizeof trunc);
        xmlFreeDoc(doc);
        free(rx.p);
        if (strcmp(trunc, "true") || !after[0]) break;
        if (page > 10000) {
            rc = sk_errf(err, errlen, SK_EDATA, "s3 %s: more than 10000 pages", what);
            break;
        }
    }
    if (rc >= 0) {
        sk_ck__sort_desc(all, n);
        rc = n < max ? n : max;
        if (rc > 0) memcpy(gens, all, (size_t)rc * sizeof *gens);
    }
    free(all);
    return rc;
}

/* ---- the public operations --------------------------------------------------------------------- */

int sk_ckstore_put(sk_ckstore *s, const char *local, const char *name, char *err, size_t errlen) {
    if (s->s3) return sk_ck__s3_put(s, local, name, err, errlen);
    char dst[4200];
    snprintf(dst, sizeof dst, "%s/%s", s->dir, name);
    return sk_ck__copy(local, dst, err, errlen);
}

int sk_ckstore_get(sk_ckstore *s, const char *name, const char *local, char *err, size_t errlen) {
    if (s->s3) return sk_ck__s3_get(s, name, local, err, errlen);
    char src[4200];
    snprintf(src, sizeof src, "%s/%s", s->dir, name);
    return sk_ck__copy(src, local, err, errlen);
}

int sk_ckstore_delete(sk_ckstore *s, const char *name, char *err, size_t errlen) {
    if (s->s3) return sk_ck__s3_delete(s, name, err, errlen);
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", s->dir, name);
    if (unlink(p) < 0 && errno != ENOENT) return sk_errf(err, errlen, SK_EIO, "%s: %s", p, strerror(errno));
    return 0;
}

int sk_ckstore_list(sk_ckstore *s, int *gens, int max, char *err, size_t errlen) {
    return s->s3 ? sk_ck__s3_list(s, gens, max, err, errlen) : sk_ck__dir_list(s, gens, max, err, errlen);
}

int sk_ckstore_get_newest(sk_ckstore *s, const char *local_dir, int *gen, char *err, size_t errlen) {
    int g, n = sk_ckstore_list(s, &g, 1, err, errlen);
    if (n <= 0) return n;
    char name[32], local[4200];
    sk_ckstore_ckpt_name(g, name);
    snprintf(local, sizeof local, "%s/%s", local_dir, name);
    int rc = sk_ckstore_get(s, name, local, err, errlen);
    if (rc < 0) return rc;
    *gen = g;
    return 1;
}

int sk_ckstore_prune(sk_ckstore *s, int keep_gen, char *err, size_t errlen) {
    int *gens = malloc(SK_CK_LIST_MAX * sizeof *gens);
    if (!gens) return sk_errf(err, errlen, SK_ENOMEM, "checkpoint store: out of memory");
    int n = sk_ckstore_list(s, gens, SK_CK_LIST_MAX, err, errlen), done = 0;
    for (int i = 0; i < n; i++) {
        if (gens[i] >= keep_gen) continue;
        char name[32];
        sk_ckstore_ckpt_name(gens[i], name);
        int rc = sk_ckstore_delete(s, name, err, errlen);
        if (rc < 0) {
            free(gens);
            return rc;
        }
        done++;
    }
    free(gens);
    return n < 0 ? n : done;
}
