/* cmd_submit.c - `synkti submit | status | cancel`: the clients of the live controller's HTTP API
 * (src/live/sk_httpd.h) over libcurl. The controller's address comes from --url, $SYNKTI_URL or
 * http://127.0.0.1:8470; the token (for submit and cancel) from --token-file FILE or
 * $SYNKTI_TOKEN, and is never printed. Reads only the token file. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "sk_error.h"

#define SK_SUBMIT_DEFAULT_URL "http://127.0.0.1:8470"
#define SK_SUBMIT_MAX_ANSWER (16u << 20)

typedef struct {
    const char *url, *token_file, *id;
    unsigned long long tokens;
    int instances;
    double deadline;
    int json;
} sk_submit_opts;

#define SK_SUBMIT_COMMON                                                                                   \
    {"url", 0, SK_OPT_STR, offsetof(sk_submit_opts, url), "URL", "the controller (else $SYNKTI_URL, else " \
                                                                 SK_SUBMIT_DEFAULT_URL ")", 0, 0},        \
    {"token-file", 0, SK_OPT_STR, offsetof(sk_submit_opts, token_file), "FILE",                            \
     "the API token's file (else $SYNKTI_TOKEN)", 0, 0}

static const sk_opt sk_submit_optab[] = {
    SK_SUBMIT_COMMON,
    {"id", 0, SK_OPT_STR, offsetof(sk_submit_opts, id), "ID", "the job's id (the controller names it otherwise)", 0, 0},
    {"tokens", 'n', SK_OPT_U64, offsetof(sk_submit_opts, tokens), "N", "tokens to generate per sequence (required)", 1, 1e9},
    {"instances", 'k', SK_OPT_INT, offsetof(sk_submit_opts, instances), "K", "instances the job runs on", 1, 1e6},
    {"deadline", 0, SK_OPT_DBL, offsetof(sk_submit_opts, deadline), "S", "deadline, policy seconds from submission (0 none)", 0, 1e12},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const sk_opt sk_status_optab[] = {
    SK_SUBMIT_COMMON,
    {"json", 0, SK_OPT_FLAG, offsetof(sk_submit_opts, json), NULL, "print the controller's JSON as it is", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const sk_opt sk_cancel_optab[] = {
    SK_SUBMIT_COMMON,
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

#define SK_SUBMIT_EXITS                                                                              \
    "Exit codes: 0 ok; 64 bad command line, or the controller refused the token (401); 65 the\n"     \
    "controller rejected the request (400 bad spec, 413 too large); 1 no such job (404), or not\n"   \
    "possible in its state (409: a duplicate id, cancel of an ended job); 66 --token-file missing;\n" \
    "74 the controller is unreachable or answered something else (5xx, not JSON).\n"

static const char sk_submit_usage[] =
    "usage: synkti submit --tokens N [--id ID] [--instances K] [--deadline S] [--url URL]\n"
    "                     [--token-file FILE] -- AGENT_ARGS...\n"
    "\n"
    "Submit a job to the live controller (POST /jobs) and print its id. The words after -- are the\n"
    "`synkti agent` arguments the job's instances run (for example --model m.safetensors --prompts\n"
    "p.txt). The controller is --url, else $SYNKTI_URL, else " SK_SUBMIT_DEFAULT_URL "; the token is read\n"
    "from --token-file, else $SYNKTI_TOKEN (sent as 'Authorization: Bearer', never printed).\n"
    "\n" SK_SUBMIT_EXITS
    "\n"
    "Examples:\n"
    "  synkti submit --tokens 200 --deadline 3600 -- --model tiny.safetensors --prompts prompts.txt\n"
    "  SYNKTI_URL=http://127.0.0.1:9000 synkti submit --id j7 -n 50 --token-file run.token\n";

static const char sk_status_usage[] =
    "usage: synkti status [JOB] [--json] [--url URL]\n"
    "\n"
    "Without JOB: the live controller's run (GET /api/status): run, provider, policy, time, spend\n"
    "against the cap, the counts, then tables of jobs (progress as generated/total tokens),\n"
    "instances and interruptions. With JOB: that job (GET /jobs/JOB), one 'key: value' per line and\n"
    "its history. --json prints the controller's JSON instead. The page at the same URL shows the\n"
    "same in a browser. No token needed.\n"
    "\n" SK_SUBMIT_EXITS
    "\n"
    "Examples:\n"
    "  synkti status\n"
    "  synkti status j1 --json | python3 -m json.tool\n";

static const char sk_cancel_usage[] =
    "usage: synkti cancel JOB [--url URL] [--token-file FILE]\n"
    "\n"
    "Cancel a job (POST /jobs/JOB/cancel): the controller terminates its instances; prints the\n"
    "job's id and new state.\n"
    "\n" SK_SUBMIT_EXITS
    "\n"
    "Examples:\n"
    "  SYNKTI_TOKEN=$(cat run.token) synkti cancel j1\n";

/* ---- HTTP ------------------------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t n;
    int over;
} sk_submit_body;

static size_t sk_submit_write(char *p, size_t sz, size_t nm, void *ud) {
    sk_submit_body *b = ud;
    size_t k = sz * nm;
    if (b->n + k > SK_SUBMIT_MAX_ANSWER) {
        b->over = 1;
        return 0;
    }
    char *q = realloc(b->buf, b->n + k + 1);
    if (!q) return 0;
    memcpy(q + b->n, p, k);
    b->buf = q, b->n += k;
    b->buf[b->n] = '\0';
    return k;
}

typedef struct {
    const char *cmd, *base;
    char token[512]; /* "" none */
} sk_submit_ctx;

/* Resolve the URL and the token. 0 or an SK_E* code after a message. */
static int sk_submit_ctx_init(sk_submit_ctx *x, const char *cmd, const sk_submit_opts *o, int need_token) {
    x->cmd = cmd;
    x->base = o->url ? o->url : getenv("SYNKTI_URL") && *getenv("SYNKTI_URL") ? getenv("SYNKTI_URL") : SK_SUBMIT_DEFAULT_URL;
    x->token[0] = '\0';
    if (!need_token) return 0;
    if (o->token_file) {
        FILE *f = fopen(o->token_file, "r");
        if (!f) {
            fprintf(stderr, "synkti %s: --token-file %s: %s\n", cmd, o->token_file, strerror(errno));
            return errno == ENOENT ? SK_ENOINPUT : SK_EIO;
        }
        if (!fgets(x->token, sizeof x->token, f)) x->token[0] = '\0';
        fclose(f);
    } else if (getenv("SYNKTI_TOKEN")) {
        snprintf(x->token, sizeof x->token, "%s", getenv("SYNKTI_TOKEN"));
    }
    x->token[strcspn(x->token, "\r\n")] = '\0';
    return 0;
}

/* method base+path with an optional JSON body. Returns the HTTP status (the answer in *ans,
 * caller frees) or SK_EIO after a message naming the URL when there is no answer. */
static long sk_submit_http(const sk_submit_ctx *x, const char *method, const char *path, const char *body,
                           sk_submit_body *ans) {
    memset(ans, 0, sizeof *ans);
    char url[2048];
    size_t bl = strlen(x->base);
    while (bl && x->base[bl - 1] == '/') bl--;
    snprintf(url, sizeof url, "%.*s%s", (int)bl, x->base, path);
    CURL *c = curl_easy_init();
    if (!c) {
        fprintf(stderr, "synkti %s: cannot start libcurl\n", x->cmd);
        return SK_EIO;
    }
    struct curl_slist *h = NULL;
    char auth[600];
    if (x->token[0]) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
        h = curl_slist_append(h, auth);
    }
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    else if (!strcmp(method, "POST")) curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sk_submit_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, ans);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    CURLcode cr = curl_easy_perform(c);
    long code = 0;
    if (cr == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (cr != CURLE_OK) {
        if (ans->over) fprintf(stderr, "synkti %s: %s %s: answer over %u bytes\n", x->cmd, method, url, SK_SUBMIT_MAX_ANSWER);
        else fprintf(stderr, "synkti %s: cannot reach the controller at %s: %s\n", x->cmd, url, cerr[0] ? cerr : curl_easy_strerror(cr));
        free(ans->buf);
        ans->buf = NULL;
        return SK_EIO;
    }
    return code;
}

/* The error for a non-2xx answer: the server's {"error"} message and the exit code for its status. */
static int sk_submit_fail(const sk_submit_ctx *x, long code, const sk_submit_body *ans) {
    cJSON *o = ans->buf ? cJSON_Parse(ans->buf) : NULL;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    const char *msg = cJSON_IsString(e) ? e->valuestring : NULL;
    fprintf(stderr, "synkti %s: %s: %ld %s\n", x->cmd, x->base, code, msg ? msg : "(no message)");
    cJSON_Delete(o);
    switch (code) {
    case 400:
    case 413: return SK_EDATA;
    case 401: return SK_EUSAGE;
    case 404:
    case 409: return SK_ENOENT;
    default: return SK_EIO;
    }
}

/* GET/POST and parse a JSON object answer; NULL with *rc set (after a message) otherwise. */
static cJSON *sk_submit_call(const sk_submit_ctx *x, const char *method, const char *path, const char *body,
                             long want, int *rc) {
    sk_submit_body ans;
    long code = sk_submit_http(x, method, path, body, &ans);
    cJSON *o = NULL;
    if (code < 0) *rc = (int)code;
    else if (code != want) *rc = sk_submit_fail(x, code, &ans);
    else if (!(o = ans.buf ? cJSON_Parse(ans.buf) : NULL) || !cJSON_IsObject(o)) {
        fprintf(stderr, "synkti %s: %s%s: the answer is not a JSON object\n", x->cmd, x->base, path);
        cJSON_Delete(o), o = NULL;
        *rc = SK_EIO;
    }
    free(ans.buf);
    return o;
}

/* "/jobs/ID..." with ID percent-encoded. */
static void sk_submit_job_path(char *out, size_t len, const char *id, const char *suffix) {
    CURL *c = curl_easy_init();
    char *enc = c ? curl_easy_escape(c, id, 0) : NULL;
    snprintf(out, len, "/jobs/%s%s", enc ? enc : id, suffix);
    curl_free(enc);
    if (c) curl_easy_cleanup(c);
}

/* ---- printing --------------------------------------------------------------------------------- */

/* Member key as text: strings as they are, numbers %g (times %.1f), "-" when missing. */
static void sk_submit_val(char *buf, size_t len, const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v)) snprintf(buf, len, "%s", v->valuestring);
    else if (cJSON_IsNumber(v) && (!strcmp(key, "t") || (strlen(key) > 2 && !strcmp(key + strlen(key) - 2, "_t"))))
        snprintf(buf, len, "%.1f", v->valuedouble); /* policy times: t, since_t, deadline_t */
    else if (cJSON_IsNumber(v)) snprintf(buf, len, "%g", v->valuedouble);
    else if (cJSON_IsBool(v)) snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else snprintf(buf, len, "-");
}

static double sk_submit_num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

#define SK_SUBMIT_COLS 8
#define SK_SUBMIT_CELL 64

/* A table of array a: one row per element, columns keys[] (a key "progress" shows progress/work
 * (percent)), column widths fitted to the cells. */
static void sk_submit_table(const char *title, const cJSON *a, const char *const *heads, const char *const *keys, int ncol) {
    int n = cJSON_GetArraySize(a);
    printf("\n%s (%d)\n", title, n);
    if (!n) return;
    char(*cells)[SK_SUBMIT_COLS][SK_SUBMIT_CELL] = calloc((size_t)n, sizeof *cells);
    if (!cells) return;
    int w[SK_SUBMIT_COLS];
    for (int j = 0; j < ncol; j++) w[j] = (int)strlen(heads[j]);
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        for (int j = 0; j < ncol; j++) {
            if (!strcmp(keys[j], "progress")) {
                double p = sk_submit_num(e, "progress"), wk = sk_submit_num(e, "work");
                snprintf(cells[i][j], SK_SUBMIT_CELL, "%g/%g (%.0f%%)", p, wk, wk > 0 ? 100 * p / wk : 0);
            } else {
                sk_submit_val(cells[i][j], SK_SUBMIT_CELL, e, keys[j]);
            }
            int l = (int)strlen(cells[i][j]);
            if (l > w[j]) w[j] = l;
        }
        i++;
    }
    for (i = -1; i < n; i++) /* the head, then the rows; the last column unpadded */
        for (int j = 0; j < ncol; j++) {
            const char *v = i < 0 ? heads[j] : cells[i][j];
            if (j + 1 < ncol) printf("%-*s  ", w[j], v);
            else printf("%s\n", v);
        }
    free(cells);
}

static void sk_submit_print_status(const cJSON *st) {
    char run[128], prov[64], pol[64], state[32];
    sk_submit_val(run, sizeof run, st, "run_id");
    sk_submit_val(prov, sizeof prov, st, "provider");
    sk_submit_val(pol, sizeof pol, st, "policy");
    sk_submit_val(state, sizeof state, st, "state");
    printf("run %s  provider %s  policy %s  state %s  t %.0f s  wall %.1f s\n", run, prov, pol, state,
           sk_submit_num(st, "t"), sk_submit_num(st, "wall_s"));
    double spend = sk_submit_num(st, "spend"), cap = sk_submit_num(st, "spend_cap");
    if (cap > 0) printf("spend $%.4f of $%.2f cap (%.0f%%)\n", spend, cap, 100 * spend / cap);
    else printf("spend $%.4f (no cap)\n", spend);
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(st, "counts"), *c;
    if (cJSON_IsObject(counts)) {
        int first = 1;
        cJSON_ArrayForEach(c, counts) {
            if (!cJSON_IsNumber(c) || !c->string) continue;
            printf("%s%s %g", first ? "" : "  ", c->string, c->valuedouble);
            first = 0;
        }
        if (!first) putchar('\n');
    }
    static const char *const jh[] = {"JOB", "STATE", "PROGRESS", "SAVED", "RETRIES", "INSTANCES", "DEADLINE_T"};
    static const char *const jk[] = {"id", "state", "progress", "saved", "retries", "instances", "deadline_t"};
    sk_submit_table("jobs", cJSON_GetObjectItemCaseSensitive(st, "jobs"), jh, jk, 7);
    static const char *const ih[] = {"INSTANCE", "ZONE", "MARKET", "STATE", "JOB", "SINCE_T"};
    static const char *const ik[] = {"id", "zone", "market", "state", "job", "since_t"};
    sk_submit_table("instances", cJSON_GetObjectItemCaseSensitive(st, "instances"), ih, ik, 6);
    static const char *const xh[] = {"T", "INSTANCE", "JOB", "ZONE", "KIND"};
    static const char *const xk[] = {"t", "instance", "job", "zone", "kind"};
    sk_submit_table("interruptions", cJSON_GetObjectItemCaseSensitive(st, "interruptions"), xh, xk, 5);
}

/* One job: scalar members as "key: value", progress with its percentage, then the rest (spec,
 * history) as JSON, one array element per line. */
static void sk_submit_print_job(const cJSON *job) {
    const cJSON *m;
    char buf[256];
    cJSON_ArrayForEach(m, job) {
        if (!m->string) continue;
        if (cJSON_IsArray(m)) {
            printf("%s: (%d)\n", m->string, cJSON_GetArraySize(m));
            const cJSON *e;
            cJSON_ArrayForEach(e, m) {
                char *t = cJSON_PrintUnformatted(e);
                if (t) printf("  %s\n", t);
                free(t);
            }
        } else if (cJSON_IsObject(m)) {
            char *t = cJSON_PrintUnformatted(m);
            if (t) printf("%s: %s\n", m->string, t);
            free(t);
        } else if (!strcmp(m->string, "progress") && sk_submit_num(job, "work") > 0) {
            printf("progress: %g/%g (%.0f%%)\n", m->valuedouble, sk_submit_num(job, "work"),
                   100 * m->valuedouble / sk_submit_num(job, "work"));
        } else {
            sk_submit_val(buf, sizeof buf, job, m->string);
            printf("%s: %s\n", m->string, buf);
        }
    }
}

/* ---- commands --------------------------------------------------------------------------------- */

static int sk_submit_finish(int rc) {
    if (!rc && (fflush(stdout) != 0 || ferror(stdout))) rc = SK_EIO;
    curl_global_cleanup();
    return sk_exit_code(rc);
}

int sk_cmd_submit(int argc, char **argv) {
    sk_submit_opts o = {NULL, NULL, NULL, 0, 1, 0, 0};
    int npos = 0, rc = sk_opts_parse("submit", sk_submit_usage, sk_submit_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (!o.tokens) {
        fprintf(stderr, "synkti submit: --tokens N is required (see 'synkti submit --help')\n");
        return sk_exit_code(SK_EUSAGE);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sk_submit_ctx x;
    if ((rc = sk_submit_ctx_init(&x, "submit", &o, 1)) < 0) return sk_submit_finish(rc);
    cJSON *spec = cJSON_CreateObject(), *args = cJSON_CreateArray();
    int bad = !spec || !args || !cJSON_AddItemToObject(spec, "args", args);
    if (bad) cJSON_Delete(args);
    if (!bad && o.id) bad = !cJSON_AddStringToObject(spec, "id", o.id);
    if (!bad) bad = !cJSON_AddNumberToObject(spec, "tokens", (double)o.tokens);
    if (!bad) bad = !cJSON_AddNumberToObject(spec, "instances", o.instances);
    if (!bad && o.deadline > 0) bad = !cJSON_AddNumberToObject(spec, "deadline_s", o.deadline);
    for (int i = 0; i < npos && !bad; i++) {
        cJSON *s = cJSON_CreateString(argv[i]);
        bad = !s || !cJSON_AddItemToArray(args, s);
        if (bad) cJSON_Delete(s);
    }
    char *body = bad ? NULL : cJSON_PrintUnformatted(spec);
    cJSON_Delete(spec);
    if (!body) {
        fprintf(stderr, "synkti submit: out of memory\n");
        return sk_submit_finish(SK_ENOMEM);
    }
    cJSON *ans = sk_submit_call(&x, "POST", "/jobs", body, 201, &rc);
    free(body);
    if (ans) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ans, "id");
        if (cJSON_IsString(id)) {
            printf("%s\n", id->valuestring);
        } else {
            fprintf(stderr, "synkti submit: %s: the answer has no job id\n", x.base);
            rc = SK_EIO;
        }
        cJSON_Delete(ans);
    }
    return sk_submit_finish(rc);
}

int sk_cmd_status(int argc, char **argv) {
    sk_submit_opts o = {NULL, NULL, NULL, 0, 1, 0, 0};
    int npos = 0, rc = sk_opts_parse("status", sk_status_usage, sk_status_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos > 1) {
        fprintf(stderr, "synkti status: expected at most one job id, got '%s' and '%s'\n", argv[0], argv[1]);
        return sk_exit_code(SK_EUSAGE);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sk_submit_ctx x;
    if ((rc = sk_submit_ctx_init(&x, "status", &o, 0)) < 0) return sk_submit_finish(rc);
    char path[1024] = "/api/status";
    if (npos) sk_submit_job_path(path, sizeof path, argv[0], "");
    cJSON *ans = sk_submit_call(&x, "GET", path, NULL, 200, &rc);
    if (ans) {
        if (o.json) {
            char *t = cJSON_Print(ans);
            if (t) printf("%s\n", t);
            else rc = SK_ENOMEM;
            free(t);
        } else if (npos) {
            sk_submit_print_job(ans);
        } else {
            sk_submit_print_status(ans);
        }
        cJSON_Delete(ans);
    }
    return sk_submit_finish(rc);
}

int sk_cmd_cancel(int argc, char **argv) {
    sk_submit_opts o = {NULL, NULL, NULL, 0, 1, 0, 0};
    int npos = 0, rc = sk_opts_parse("cancel", sk_cancel_usage, sk_cancel_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos != 1) {
        fprintf(stderr, "synkti cancel: expected one job id (see 'synkti cancel --help')\n");
        return sk_exit_code(SK_EUSAGE);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sk_submit_ctx x;
    if ((rc = sk_submit_ctx_init(&x, "cancel", &o, 1)) < 0) return sk_submit_finish(rc);
    char path[1024];
    sk_submit_job_path(path, sizeof path, argv[0], "/cancel");
    cJSON *ans = sk_submit_call(&x, "POST", path, NULL, 200, &rc);
    if (ans) {
        char id[256], state[64];
        sk_submit_val(id, sizeof id, ans, "id");
        sk_submit_val(state, sizeof state, ans, "state");
        printf("%s %s\n", id, state);
        cJSON_Delete(ans);
    }
    return sk_submit_finish(rc);
}
