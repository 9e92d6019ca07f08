/* sk_httpd.h - the live controller's HTTP server (libmicrohttpd; JSON with cJSON): the job API, the
 * agents' progress reports and a small status page. The server knows nothing of the controller:
 * it calls the functions in sk_liveapi, which the controller (live/sk_live) implements under its
 * own lock (they are called from the server's threads).
 *
 * Routes (all answers JSON with Content-Type application/json unless stated):
 *   GET  /                     the status page (text/html; refreshes itself every 2 s; rendered on
 *                              the server from api.status: fleet (instances), jobs, interruptions,
 *                              spend - no script needed)
 *   GET  /api/status           api.status
 *   GET  /providers            api.providers
 *   POST /jobs                 body: a job spec object (api.submit); 201 {"id": ID}
 *   GET  /jobs                 {"jobs": [...]} (api.status's "jobs" member)
 *   GET  /jobs/{id}            api.job (404 unknown)
 *   GET  /jobs/{id}/logs       api.logs (text/plain; 404 unknown)
 *   POST /jobs/{id}/cancel     api.cancel; 200 {"id": ID, "state": ...}
 *   POST /agents/{instance}    body: one agent progress object (`synkti agent --report`); 204
 * Mutating requests (every POST) need the token when one is set: header
 * "Authorization: Bearer TOKEN" (compared in constant time); else 401. Errors are
 * {"error": "message"} with 400 (bad JSON or spec), 401, 404 (unknown route or id), 405 (method),
 * 409 (not possible in the job's state), 413 (body over 1 MiB), 500. Never a crash.
 *
 * Status object (api.status; the page and `synkti status` read these members):
 *   {"run_id": s, "provider": s, "policy": s, "t": policy seconds, "wall_s": n, "state": "running"|"done",
 *    "spend": $, "spend_cap": $ (0 none),
 *    "zones": [{"name","spot_price","od_price","live","launch_fail"}],
 *    "instances": [{"id","zone","market":"spot"|"on-demand","state","job","since_t"}],
 *    "jobs": [{"id","state","progress","work","saved","retries","instances","deadline_t"}],
 *    "interruptions": [{"t","instance","job","zone","kind":"notice"|"gone"}],
 *    "counts": {"launches","launch_fail","terminations","gone","notices"}}
 *
 * Job spec (POST /jobs body, `synkti submit`):
 *   {"id": "j3" (optional; the controller names it otherwise), "tokens": N (required, >= 1),
 *    "args": ["--model", "m.safetensors", ...] (the `synkti agent` arguments, strings),
 *    "instances": K (default 1), "deadline_s": policy seconds from submission (optional)}
 *
 * Agent report (POST /agents/{instance}): one JSON object line of `synkti agent` (see its --help:
 * "event" start|checkpoint|heartbeat|notice|rebalance|interrupted|done, "generated", ...). */
#ifndef SK_HTTPD_H
#define SK_HTTPD_H

#include <stddef.h>

struct cJSON;

typedef struct sk_liveapi {
    void *ctx;
    /* A new status object (caller frees with cJSON_Delete). Never NULL except out of memory. */
    struct cJSON *(*status)(void *ctx);
    /* Provider health: {"providers": [{"name", "ok", "last_error", "calls", ...}]}. */
    struct cJSON *(*providers)(void *ctx);
    /* One job's object (as in status "jobs", plus "spec" and "history"), NULL when unknown. */
    struct cJSON *(*job)(void *ctx, const char *id);
    /* The job's log text (malloc'd, *len bytes), NULL when unknown. */
    char *(*logs)(void *ctx, const char *id, size_t *len);
    /* submit, cancel and report return the HTTP status to answer (201/200/204 on success; 400 bad
     * spec or body, 404 unknown id or instance, 409 not possible now: a duplicate job id, cancel of
     * an ended job) with a one-line message in err for the error statuses.
     * Submit: spec is the parsed body; on 201 the job id is in id. */
    int (*submit)(void *ctx, const struct cJSON *spec, char *id, size_t idlen, char *err, size_t errlen);
    /* Cancel: 200 (the job is cancelled: its instances are terminated, state abandoned), 404, 409. */
    int (*cancel)(void *ctx, const char *id, char *err, size_t errlen);
    /* An agent's report for instance: 204, 404 (unknown instance), 400 (not an agent report). */
    int (*report)(void *ctx, const char *instance, const struct cJSON *body, char *err, size_t errlen);
} sk_liveapi;

typedef struct sk_httpd sk_httpd;

/* Listen on addr:port (addr NULL: "127.0.0.1"; port 0: any free port, see sk_httpd_port). token
 * NULL or "": no token (POSTs open - only sensible on 127.0.0.1). api is copied. 0 or SK_EIO
 * (cannot bind; err names the address). */
int sk_httpd_start(sk_httpd **out, const char *addr, int port, const char *token, const sk_liveapi *api,
                   char *err, size_t errlen);
int sk_httpd_port(const sk_httpd *h);
void sk_httpd_stop(sk_httpd *h); /* NULL is fine; waits for requests in progress */

/* The status page for a status object (malloc'd HTML; NULL out of memory). Exposed for tests. */
char *sk_httpd_page(const struct cJSON *status);

#endif
