/* sk_httpd.c - the live controller's HTTP server (see sk_httpd.h) on libmicrohttpd, one thread per
 * connection: routing, token check, POST bodies up to 1 MiB, JSON answers with cJSON, and the HTML
 * status page rendered from the status object. Reads no files; prints nothing. */
#define _GNU_SOURCE
#include "live/sk_httpd.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

#define SK_HTTPD_MAX_BODY (1u << 20)

struct sk_httpd {
    struct MHD_Daemon *d;
    sk_liveapi api;
    char *token; /* NULL: POSTs open */
    size_t toklen;
    int port;
};

/* One request's state: the POST body collected so far. */
typedef struct {
    char *buf;
    size_t n, cap;
    int over; /* the body passed SK_HTTPD_MAX_BODY: answered 413 once it is in */
} sk_httpd_req;

/* ---- growable text ---------------------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sk_hb;

/* Room for k more bytes and a NUL; 0, or -1 (b->oom set) out of memory. */
static int sk_hb_reserve(sk_hb *b, size_t k) {
    if (b->oom) return -1;
    if (b->n + k + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + k + 1) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->s = p, b->cap = cap;
    return 0;
}

static void sk_hb_put(sk_hb *b, const char *s, size_t k) {
    if (sk_hb_reserve(b, k) < 0) return;
    memcpy(b->s + b->n, s, k);
    b->n += k;
    b->s[b->n] = '\0';
}

static void sk_hb_puts(sk_hb *b, const char *s) { sk_hb_put(b, s, strlen(s)); }

static void sk_hb_printf(sk_hb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sk_hb_printf(sk_hb *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || sk_hb_reserve(b, (size_t)k) < 0) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* s with & < > " ' escaped (NULL is written as nothing). */
static void sk_hb_esc(sk_hb *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sk_hb_puts(b, "&amp;"); break;
        case '<': sk_hb_puts(b, "&lt;"); break;
        case '>': sk_hb_puts(b, "&gt;"); break;
        case '"': sk_hb_puts(b, "&quot;"); break;
        case '\'': sk_hb_puts(b, "&#39;"); break;
        default: sk_hb_put(b, s, 1);
        }
    }
}

/* ---- the status page -------------------------------------------------------------------------- */

static const char *sk_page_str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double sk_page_num(const cJSON *o, const char *key, double dflt) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : dflt;
}

/* 1 for the policy-time members ("t", "since_t", "deadline_t"): shown to a tenth of a second. */
static int sk_page_is_time(const char *key) {
    size_t n = strlen(key);
    return !strcmp(key, "t") || (n > 2 && !strcmp(key + n - 2, "_t"));
}

/* A table cell from member key: strings escaped, numbers as %g (times %.1f), yes/no, anything else "-". */
static void sk_page_cell(sk_hb *b, const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    sk_hb_puts(b, "<td>");
    if (cJSON_IsString(v)) sk_hb_esc(b, v->valuestring);
    else if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && sk_page_is_time(key)) sk_hb_printf(b, "%.1f", v->valuedouble);
    else if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) sk_hb_printf(b, "%g", v->valuedouble);
    else if (cJSON_IsBool(v)) sk_hb_puts(b, cJSON_IsTrue(v) ? "yes" : "no");
    else sk_hb_puts(b, "-");
    sk_hb_puts(b, "</td>");
}

/* A state as a badge; the CSS class only for the known words (the text is always escaped). */
static void sk_page_state(sk_hb *b, const char *state) {
    static const char *known[] = {"queued", "pending", "launching", "running", "checkpointing", "interrupted",
                                  "done", "failed", "abandoned", "cancelled", "terminated", "gone", NULL};
    const char *cls = "other";
    for (int i = 0; state && known[i]; i++)
        if (!strcmp(state, known[i])) cls = known[i];
    sk_hb_printf(b, "<td><span class=\"st %s\">", cls);
    sk_hb_esc(b, state ? state : "-");
    sk_hb_puts(b, "</span></td>");
}

/* Member key when it is an array, else NULL (which cJSON counts and walks as empty). */
static const cJSON *sk_page_list(const cJSON *st, const char *key) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(st, key);
    return cJSON_IsArray(a) ? a : NULL;
}

static void sk_page_section(sk_hb *b, const char *title, int n, const char *head) {
    sk_hb_printf(b, "<h2>%s <small>%d</small></h2>\n", title, n);
    if (n) sk_hb_printf(b, "<table><tr>%s</tr>\n", head);
    else sk_hb_puts(b, "<p class=\"none\">none</p>\n");
}

static const char sk_page_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px}h2 small{color:#888;font-weight:normal}"
    ".meta{color:#555;margin:0 0 12px}table{border-collapse:collapse;background:#fff;min-width:50%}"
    "th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;font-variant-numeric:tabular-nums}"
    "th{background:#eee}.none{color:#888}.foot{margin-top:16px}"
    ".spend{display:flex;align-items:center;gap:12px;font-size:16px}"
    ".bar{display:inline-block;width:160px;height:12px;background:#e4e4e4;border-radius:6px;overflow:hidden;"
    "vertical-align:middle}.bar i{display:block;height:100%;background:#3a7bd5}.bar.cap i{background:#d9822b}"
    ".bar.over i{background:#c0392b}"
    ".st{padding:1px 6px;border-radius:4px;background:#ddd}.running,.launching,.checkpointing{background:#cfe3ff}"
    ".done{background:#c9efcf}.failed,.abandoned,.gone{background:#f6c9c4}.interrupted,.cancelled,"
    ".terminated{background:#fbe3b8}";

static void sk_page_bar(sk_hb *b, const char *cls, double frac) {
    if (!(frac >= 0)) frac = 0;
    if (frac > 1) frac = 1;
    sk_hb_printf(b, "<span class=\"bar%s%s\"><i style=\"width:%.1f%%\"></i></span>", *cls ? " " : "", cls, 100 * frac);
}

char *sk_httpd_page(const cJSON *st) {
    sk_hb b = {0};
    const char *run = sk_page_str(st, "run_id");
    sk_hb_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta http-equiv=\"refresh\" content=\"2\"><title>synkti live ");
    sk_hb_esc(&b, run ? run : "");
    sk_hb_printf(&b, "</title>\n<style>%s</style></head>\n<body>\n<h1>synkti live <code>", sk_page_css);
    sk_hb_esc(&b, run ? run : "-");
    sk_hb_puts(&b, "</code></h1>\n<p class=\"meta\">provider <b>");
    sk_hb_esc(&b, sk_page_str(st, "provider") ? sk_page_str(st, "provider") : "-");
    sk_hb_puts(&b, "</b> &middot; policy <b>");
    sk_hb_esc(&b, sk_page_str(st, "policy") ? sk_page_str(st, "policy") : "-");
    sk_hb_puts(&b, "</b> &middot; state <b id=\"state\">");
    sk_hb_esc(&b, sk_page_str(st, "state") ? sk_page_str(st, "state") : "-");
    sk_hb_printf(&b, "</b> &middot; t = %.0f s &middot; wall %.1f s</p>\n", sk_page_num(st, "t", 0),
                 sk_page_num(st, "wall_s", 0));

    double spend = sk_page_num(st, "spend", 0), cap = sk_page_num(st, "spend_cap", 0);
    sk_hb_printf(&b, "<div class=\"spend\" id=\"spend\">Spend <b>$%.4f</b>", spend);
    if (cap > 0) {
        sk_hb_printf(&b, " of $%.2f cap ", cap);
        sk_page_bar(&b, spend >= cap ? "over" : "cap", spend / cap);
        sk_hb_printf(&b, " %.0f%%", 100 * spend / cap);
    } else {
        sk_hb_puts(&b, " (no cap)");
    }
    sk_hb_puts(&b, "</div>\n");
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(st, "counts");
    if (cJSON_IsObject(counts)) {
        sk_hb_puts(&b, "<p class=\"meta\">");
        const cJSON *c;
        int first = 1;
        cJSON_ArrayForEach(c, counts) {
            if (!cJSON_IsNumber(c) || !c->string) continue;
            if (!first) sk_hb_puts(&b, " &middot; ");
            sk_hb_esc(&b, c->string);
            sk_hb_printf(&b, " %g", c->valuedouble);
            first = 0;
        }
        sk_hb_puts(&b, "</p>\n");
    }

    const cJSON *a, *e;
    a = sk_page_list(st, "zones");
    sk_page_section(&b, "Zones", cJSON_GetArraySize(a),
                    "<th>zone</th><th>spot $/h</th><th>on-demand $/h</th><th>live</th><th>launch failures</th>");
    cJSON_ArrayForEach(e, a) {
        sk_hb_puts(&b, "<tr>");
        sk_page_cell(&b, e, "name");
        sk_page_cell(&b, e, "spot_price");
        sk_page_cell(&b, e, "od_price");
        sk_page_cell(&b, e, "live");
        sk_page_cell(&b, e, "launch_fail");
        sk_hb_puts(&b, "</tr>\n");
    }
    if (cJSON_GetArraySize(a)) sk_hb_puts(&b, "</table>\n");

    a = sk_page_list(st, "instances");
    sk_page_section(&b, "Instances", cJSON_GetArraySize(a),
                    "<th>instance</th><th>zone</th><th>market</th><th>state</th><th>job</th><th>since t</th>");
    cJSON_ArrayForEach(e, a) {
        sk_hb_puts(&b, "<tr>");
        sk_page_cell(&b, e, "id");
        sk_page_cell(&b, e, "zone");
        sk_page_cell(&b, e, "market");
        sk_page_state(&b, sk_page_str(e, "state"));
        sk_page_cell(&b, e, "job");
        sk_page_cell(&b, e, "since_t");
        sk_hb_puts(&b, "</tr>\n");
    }
    if (cJSON_GetArraySize(a)) sk_hb_puts(&b, "</table>\n");

    a = sk_page_list(st, "jobs");
    sk_page_section(&b, "Jobs", cJSON_GetArraySize(a),
                    "<th>job</th><th>state</th><th>progress</th><th>saved</th><th>retries</th><th>instances</th>"
                    "<th>deadline t</th>");
    cJSON_ArrayForEach(e, a) {
        double prog = sk_page_num(e, "progress", 0), work = sk_page_num(e, "work", 0);
        sk_hb_puts(&b, "<tr>");
        sk_page_cell(&b, e, "id");
        sk_page_state(&b, sk_page_str(e, "state"));
        sk_hb_puts(&b, "<td>");
        sk_page_bar(&b, "", work > 0 ? prog / work : 0);
        sk_hb_printf(&b, " %g / %g</td>", prog, work);
        sk_page_cell(&b, e, "saved");
        sk_page_cell(&b, e, "retries");
        sk_page_cell(&b, e, "instances");
        sk_page_cell(&b, e, "deadline_t");
        sk_hb_puts(&b, "</tr>\n");
    }
    if (cJSON_GetArraySize(a)) sk_hb_puts(&b, "</table>\n");

    a = sk_page_list(st, "interruptions");
    sk_page_section(&b, "Interruptions", cJSON_GetArraySize(a),
                    "<th>t</th><th>instance</th><th>job</th><th>zone</th><th>kind</th>");
    cJSON_ArrayForEach(e, a) {
        sk_hb_puts(&b, "<tr>");
        sk_page_cell(&b, e, "t");
        sk_page_cell(&b, e, "instance");
        sk_page_cell(&b, e, "job");
        sk_page_cell(&b, e, "zone");
        sk_page_cell(&b, e, "kind");
        sk_hb_puts(&b, "</tr>\n");
    }
    if (cJSON_GetArraySize(a)) sk_hb_puts(&b, "</table>\n");
    sk_hb_puts(&b, "<p class=\"meta foot\">JSON: <a href=\"/api/status\">/api/status</a> &middot; "
                   "<a href=\"/jobs\">/jobs</a> &middot; <a href=\"/providers\">/providers</a></p>\n</body></html>\n");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- answers ---------------------------------------------------------------------------------- */

static enum MHD_Result sk_httpd_send(struct MHD_Connection *c, unsigned code, char *body, size_t len,
                                     const char *ctype, const char *allow) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (ctype) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answer o as JSON (o freed; NULL: 500 out of memory). */
static enum MHD_Result sk_httpd_json(struct MHD_Connection *c, unsigned code, cJSON *o);

static enum MHD_Result sk_httpd_error(struct MHD_Connection *c, unsigned code, const char *allow,
                                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum MHD_Result sk_httpd_error(struct MHD_Connection *c, unsigned code, const char *allow,
                                      const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    char *txt = NULL;
    if (o && cJSON_AddStringToObject(o, "error", msg)) txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return MHD_NO;
    size_t n = strlen(txt);
    char *body = realloc(txt, n + 2);
    if (!body) {
        free(txt);
        return MHD_NO;
    }
    body[n] = '\n', body[n + 1] = '\0';
    return sk_httpd_send(c, code, body, n + 1, "application/json", allow);
}

static enum MHD_Result sk_httpd_json(struct MHD_Connection *c, unsigned code, cJSON *o) {
    char *txt = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!txt) return sk_httpd_error(c, 500, NULL, "out of memory");
    size_t n = strlen(txt);
    char *body = realloc(txt, n + 2);
    if (!body) {
        free(txt);
        return sk_httpd_error(c, 500, NULL, "out of memory");
    }
    body[n] = '\n', body[n + 1] = '\0';
    return sk_httpd_send(c, code, body, n + 1, "application/json", NULL);
}

/* The answer for an api call's status code: success (body from ok, may be NULL for 204) or
 * {"error": err} (a default message when the controller gave none; unexpected codes are 500). */
static enum MHD_Result sk_httpd_api_answer(struct MHD_Connection *c, int code, int want, cJSON *ok, const char *err) {
    if (code == want) {
        if (code == 204) {
            cJSON_Delete(ok);
            char *empty = malloc(1);
            if (!empty) return MHD_NO;
            return sk_httpd_send(c, 204, empty, 0, NULL, NULL);
        }
        return sk_httpd_json(c, (unsigned)code, ok);
    }
    cJSON_Delete(ok);
    if (code != 400 && code != 404 && code != 409) return sk_httpd_error(c, 500, NULL, "controller answered %d%s%s", code, *err ? ": " : "", err);
    const char *dflt = code == 400 ? "bad request" : code == 404 ? "not found" : "not possible in the current state";
    return sk_httpd_error(c, (unsigned)code, NULL, "%s", *err ? err : dflt);
}

/* ---- requests --------------------------------------------------------------------------------- */

/* 1 when the request carries "Authorization: Bearer TOKEN" (or no token is set). The comparison
 * takes the same time whatever the given value: it reads all of the token. */
static int sk_httpd_authorized(const sk_httpd *h, struct MHD_Connection *c) {
    if (!h->token) return 1;
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!v || strncasecmp(v, "Bearer ", 7)) return 0;
    v += 7;
    while (*v == ' ') v++;
    size_t n = strlen(v);
    unsigned char diff = (unsigned char)(n != h->toklen);
    for (size_t i = 0; i < h->toklen; i++) diff |= (unsigned char)(h->token[i] ^ (i < n ? v[i] : 0));
    return diff == 0;
}

/* Parse the body as a JSON object. NULL after answering 400 (*ret set). */
static cJSON *sk_httpd_parse(struct MHD_Connection *c, const sk_httpd_req *q, enum MHD_Result *ret) {
    if (!q->n) {
        *ret = sk_httpd_error(c, 400, NULL, "empty body: expected a JSON object");
        return NULL;
    }
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(q->buf, q->n, &end, 0);
    if (!o) {
        size_t pos = end && end >= q->buf && end <= q->buf + q->n ? (size_t)(end - q->buf) : 0;
        size_t line = 1, col = 1;
        for (size_t i = 0; i < pos; i++) {
            if (q->buf[i] == '\n') line++, col = 1;
            else col++;
        }
        *ret = sk_httpd_error(c, 400, NULL, "bad JSON at byte %zu (line %zu, column %zu)", pos, line, col);
        return NULL;
    }
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        *ret = sk_httpd_error(c, 400, NULL, "expected a JSON object");
        return NULL;
    }
    return o;
}

/* The job spec's shape (sk_httpd.h); the controller checks the rest. 0, or 400 with err. */
static int sk_httpd_check_spec(const cJSON *s, char *err, size_t errlen) {
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(s, "id")) &&
        (!cJSON_IsString(v) || !*v->valuestring || strchr(v->valuestring, '/') || strlen(v->valuestring) > 128)) {
        snprintf(err, errlen, "id: expected a string of 1 to 128 characters without '/'");
        return 400;
    }
    v = cJSON_GetObjectItemCaseSensitive(s, "tokens");
    if (!v) {
        snprintf(err, errlen, "tokens: required (the tokens to generate per sequence, >= 1)");
        return 400;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 1e9) || v->valuedouble != floor(v->valuedouble)) {
        snprintf(err, errlen, "tokens: expected an integer >= 1");
        return 400;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(s, "instances")) &&
        (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 1e6) || v->valuedouble != floor(v->valuedouble))) {
        snprintf(err, errlen, "instances: expected an integer >= 1");
        return 400;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(s, "deadline_s")) && (!cJSON_IsNumber(v) || !(v->valuedouble > 0) ||
                                                                    !isfinite(v->valuedouble))) {
        snprintf(err, errlen, "deadline_s: expected a number of seconds > 0");
        return 400;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(s, "args"))) {
        if (!cJSON_IsArray(v)) {
            snprintf(err, errlen, "args: expected an array of strings");
            return 400;
        }
        const cJSON *a;
        int i = 0;
        cJSON_ArrayForEach(a, v) {
            if (!cJSON_IsString(a)) {
                snprintf(err, errlen, "args[%d]: expected a string", i);
                return 400;
            }
            i++;
        }
    }
    return 0;
}

/* Split "/jobs/ID[/logs|/cancel]" into ID and the action ("", "logs", "cancel"). 0, or -1 when it
 * is not of that form. */
static int sk_httpd_job_url(const char *url, char *id, size_t idlen, const char **action) {
    const char *p = url + 6, *slash = strchr(p, '/');
    *action = "";
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (slash) {
        *action = slash + 1;
        if (strcmp(*action, "logs") && strcmp(*action, "cancel")) return -1;
    }
    if (!n || n >= idlen) return -1;
    memcpy(id, p, n);
    id[n] = '\0';
    return 0;
}

static enum MHD_Result sk_httpd_route(sk_httpd *h, struct MHD_Connection *c, const char *url, const char *method,
                                      const sk_httpd_req *q) {
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    char err[512] = "", id[256];
    const char *action;
    enum MHD_Result ret = MHD_NO;
    if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
        if (!get) return sk_httpd_error(c, 405, "GET, HEAD", "%s %s: use GET", method, url);
        cJSON *st = h->api.status(h->api.ctx);
        char *page = st ? sk_httpd_page(st) : NULL;
        cJSON_Delete(st);
        if (!page) return sk_httpd_error(c, 500, NULL, "out of memory");
        return sk_httpd_send(c, 200, page, strlen(page), "text/html; charset=utf-8", NULL);
    }
    if (!strcmp(url, "/api/status") || !strcmp(url, "/providers")) {
        if (!get) return sk_httpd_error(c, 405, "GET, HEAD", "%s %s: use GET", method, url);
        return sk_httpd_json(c, 200, url[1] == 'a' ? h->api.status(h->api.ctx) : h->api.providers(h->api.ctx));
    }
    if (!strcmp(url, "/jobs")) {
        if (get) {
            cJSON *st = h->api.status(h->api.ctx), *o = cJSON_CreateObject();
            cJSON *jobs = st ? cJSON_DetachItemFromObjectCaseSensitive(st, "jobs") : NULL;
            if (!jobs) jobs = cJSON_CreateArray();
            cJSON_Delete(st);
            if (!o || !jobs || !cJSON_AddItemToObject(o, "jobs", jobs)) {
                cJSON_Delete(o), cJSON_Delete(jobs);
                return sk_httpd_error(c, 500, NULL, "out of memory");
            }
            return sk_httpd_json(c, 200, o);
        }
        if (!post) return sk_httpd_error(c, 405, "GET, HEAD, POST", "%s /jobs: use GET or POST", method);
        if (!sk_httpd_authorized(h, c)) return sk_httpd_error(c, 401, NULL, "missing or wrong token (Authorization: Bearer TOKEN)");
        cJSON *spec = sk_httpd_parse(c, q, &ret);
        if (!spec) return ret;
        int code = sk_httpd_check_spec(spec, err, sizeof err);
        char newid[256] = "";
        if (!code) code = h->api.submit(h->api.ctx, spec, newid, sizeof newid, err, sizeof err);
        cJSON_Delete(spec);
        cJSON *o = NULL;
        if (code == 201) {
            newid[sizeof newid - 1] = '\0';
            if ((o = cJSON_CreateObject()) && !cJSON_AddStringToObject(o, "id", newid)) cJSON_Delete(o), o = NULL;
        }
        return sk_httpd_api_answer(c, code, 201, o, err);
    }
    if (!strncmp(url, "/jobs/", 6)) {
        if (sk_httpd_job_url(url, id, sizeof id, &action) < 0) return sk_httpd_error(c, 404, NULL, "no route %s", url);
        if (!strcmp(action, "cancel")) {
            if (!post) return sk_httpd_error(c, 405, "POST", "%s %s: use POST", method, url);
            if (!sk_httpd_authorized(h, c)) return sk_httpd_error(c, 401, NULL, "missing or wrong token (Authorization: Bearer TOKEN)");
            int code = h->api.cancel(h->api.ctx, id, err, sizeof err);
            cJSON *o = NULL;
            if (code == 200) {
                cJSON *job = h->api.job(h->api.ctx, id);
                const char *state = sk_page_str(job, "state");
                if ((o = cJSON_CreateObject()) &&
                    (!cJSON_AddStringToObject(o, "id", id) || !cJSON_AddStringToObject(o, "state", state ? state : "cancelled")))
                    cJSON_Delete(o), o = NULL;
                cJSON_Delete(job);
            }
            return sk_httpd_api_answer(c, code, 200, o, err);
        }
        if (!get) return sk_httpd_error(c, 405, "GET, HEAD", "%s %s: use GET", method, url);
        if (!*action) {
            cJSON *job = h->api.job(h->api.ctx, id);
            if (!job) return sk_httpd_error(c, 404, NULL, "no job '%s'", id);
            return sk_httpd_json(c, 200, job);
        }
        size_t len = 0;
        char *log = h->api.logs(h->api.ctx, id, &len);
        if (!log) return sk_httpd_error(c, 404, NULL, "no job '%s'", id);
        return sk_httpd_send(c, 200, log, len, "text/plain; charset=utf-8", NULL);
    }
    if (!strncmp(url, "/agents/", 8) && url[8] && !strchr(url + 8, '/')) {
        if (!post) return sk_httpd_error(c, 405, "POST", "%s %s: use POST", method, url);
        if (!sk_httpd_authorized(h, c)) return sk_httpd_error(c, 401, NULL, "missing or wrong token (Authorization: Bearer TOKEN)");
        cJSON *body = sk_httpd_parse(c, q, &ret);
        if (!body) return ret;
        int code;
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "event"))) {
            snprintf(err, sizeof err, "not an agent report: no \"event\" string");
            code = 400;
        } else {
            code = h->api.report(h->api.ctx, url + 8, body, err, sizeof err);
        }
        cJSON_Delete(body);
        return sk_httpd_api_answer(c, code, 204, NULL, err);
    }
    return sk_httpd_error(c, 404, NULL, "no route %s", url);
}

static enum MHD_Result sk_httpd_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                       const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    sk_httpd *h = cls;
    sk_httpd_req *q = *con_cls;
    if (!q) { /* headers only: collect the body first */
        if (!(q = calloc(1, sizeof *q))) return MHD_NO;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t k = *upload_size;
        *upload_size = 0;
        if (q->over || q->n + k > SK_HTTPD_MAX_BODY) {
            q->over = 1; /* keep reading (and dropping) so the client gets the 413 */
            return MHD_YES;
        }
        if (q->n + k + 1 > q->cap) {
            size_t cap = q->cap ? q->cap : 4096;
            while (cap < q->n + k + 1) cap *= 2;
            char *p = realloc(q->buf, cap);
            if (!p) return MHD_NO;
            q->buf = p, q->cap = cap;
        }
        memcpy(q->buf + q->n, upload, k);
        q->n += k;
        q->buf[q->n] = '\0';
        return MHD_YES;
    }
    if (q->over) return sk_httpd_error(c, 413, NULL, "body over %u bytes", SK_HTTPD_MAX_BODY);
    return sk_httpd_route(h, c, url, method, q);
}

static void sk_httpd_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    sk_httpd_req *q = *con_cls;
    if (q) free(q->buf), free(q);
    *con_cls = NULL;
}

int sk_httpd_start(sk_httpd **out, const char *addr, int port, const char *token, const sk_liveapi *api,
                   char *err, size_t errlen) {
    *out = NULL;
    if (!addr) addr = "127.0.0.1";
    char host[64];
    size_t al = strlen(addr);
    if (al > 2 && al < sizeof host && addr[0] == '[' && addr[al - 1] == ']') { /* "[::1]" */
        memcpy(host, addr + 1, al - 2);
        host[al - 2] = '\0';
        addr = host;
    }
    if (port < 0 || port > 65535) {
        if (err) snprintf(err, errlen, "http: port %d out of range 0..65535", port);
        return SK_EUSAGE;
    }
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    memset(&sa4, 0, sizeof sa4), memset(&sa6, 0, sizeof sa6);
    if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET, sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6, sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        if (err) snprintf(err, errlen, "http: '%s' is not an IPv4 or IPv6 address", addr);
        return SK_EUSAGE;
    }
    sk_httpd *h = calloc(1, sizeof *h);
    if (!h) goto fail_oom;
    h->api = *api;
    if (token && *token) {
        if (!(h->token = strdup(token))) goto fail_oom;
        h->toklen = strlen(token);
    }
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, sk_httpd_handle, h, MHD_OPTION_SOCK_ADDR, sa,
                            MHD_OPTION_NOTIFY_COMPLETED, sk_httpd_done, h, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!h->d) {
        if (err) snprintf(err, errlen, "http: cannot listen on %s%s%s:%d (in use, or not an address of this machine)",
                          sa == (struct sockaddr *)&sa6 ? "[" : "", addr, sa == (struct sockaddr *)&sa6 ? "]" : "", port);
        free(h->token);
        free(h);
        return SK_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di && di->port ? di->port : port;
    *out = h;
    return 0;
fail_oom:
    if (h) free(h->token);
    free(h);
    if (err) snprintf(err, errlen, "http: out of memory");
    return SK_ENOMEM;
}

int sk_httpd_port(const sk_httpd *h) { return h->port; }

void sk_httpd_stop(sk_httpd *h) {
    if (!h) return;
    MHD_stop_daemon(h->d);
    free(h->token);
    free(h);
}
