/* cmd_agent.c - `synkti agent`: the process on a (local or EC2) instance. Gets an IMDSv2 token,
 * polls spot/instance-action (and the rebalance recommendation) in a thread - through endpoint
 * outages and token stores that restart with the controller -, runs the job - token generation with
 * the project's inference engine (src/infer) - checkpointing every N tokens and at once on a notice
 * or SIGTERM into a local folder (ckpt-<generated>.bin, atomic) and from there to a checkpoint store
 * (the folder itself, another folder or S3: src/live/sk_ckstore), resumes from the newest readable
 * checkpoint of either, runs an --on-notice hook, prints progress/heartbeat JSON lines carrying the
 * cumulative state (or POSTs them to --report, resending unsent ones), and exits 0 when the work is
 * done or 75 after the notice checkpoint. Reads the model (safetensors), the prompt file (token
 * ids), the checkpoint folder and store and the metadata endpoint. */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "infer/sk_infer.h"
#include "io/sk_atomic.h"
#include "live/sk_ckstore.h"
#include "live/sk_imds.h"
#include "sk_error.h"

typedef struct {
    const char *model, *prompts, *backend, *ckpt_dir, *imds, *out, *report, *store, *s3_endpoint, *s3_region,
        *on_notice;
    int tokens, batch, ckpt_every, pace_ms;
    double temperature, poll, heartbeat;
    uint64_t seed;
} sk_agent_opts;

static const sk_opt sk_agent_optab[] = {
    {"model", 'm', SK_OPT_STR, offsetof(sk_agent_opts, model), "FILE", "safetensors weights (required)", 0, 0},
    {"prompts", 'p', SK_OPT_STR, offsetof(sk_agent_opts, prompts), "FILE", "one prompt per line of token ids (default: one prompt '0')", 0, 0},
    {"tokens", 'n', SK_OPT_INT, offsetof(sk_agent_opts, tokens), "N", "tokens to generate per sequence in all (across restarts)", 1, 1 << 24},
    {"batch", 'b', SK_OPT_INT, offsetof(sk_agent_opts, batch), "B", "sequences generated together; sequence i uses prompt i mod P (0 = one per prompt)", 0, 65536},
    {"backend", 0, SK_OPT_STR, offsetof(sk_agent_opts, backend), "NAME", "cpu | cuda | auto", 0, 0},
    {"temperature", 't', SK_OPT_DBL, offsetof(sk_agent_opts, temperature), "T", "0 = greedy; else sample softmax(logits / T)", 0, 1e6},
    {"seed", 's', SK_OPT_U64, offsetof(sk_agent_opts, seed), "S", "sampling RNG stream", 0, 18446744073709551615.0},
    {"checkpoint-dir", 'd', SK_OPT_STR, offsetof(sk_agent_opts, ckpt_dir), "DIR", "checkpoint folder (required; created if missing; resumed from)", 0, 0},
    {"checkpoint-every", 0, SK_OPT_INT, offsetof(sk_agent_opts, ckpt_every), "N", "checkpoint every N generated tokens (0 = only on a notice)", 0, 1 << 24},
    {"poll", 0, SK_OPT_DBL, offsetof(sk_agent_opts, poll), "S", "seconds between instance-action polls", 0.01, 3600},
    {"heartbeat", 0, SK_OPT_DBL, offsetof(sk_agent_opts, heartbeat), "S", "seconds between heartbeat lines (0 = none)", 0, 86400},
    {"imds", 0, SK_OPT_STR, offsetof(sk_agent_opts, imds), "URL", "metadata endpoint (default $SYNKTI_IMDS_URL, else http://169.254.169.254); 'off' = none", 0, 0},
    {"out", 'o', SK_OPT_STR, offsetof(sk_agent_opts, out), "FILE", "final output (default DIR/output.txt), written atomically", 0, 0},
    {"report", 0, SK_OPT_STR, offsetof(sk_agent_opts, report), "URL", "POST each JSON line here (application/json) instead of stdout", 0, 0},
    {"pace-ms", 0, SK_OPT_INT, offsetof(sk_agent_opts, pace_ms), "MS", "sleep MS ms after each token (demos and tests: stretch a tiny job)", 0, 600000},
    {"checkpoint-store", 0, SK_OPT_STR, offsetof(sk_agent_opts, store), "URI", "dir:PATH, PATH or s3://BUCKET/PREFIX (default: --checkpoint-dir itself)", 0, 0},
    {"s3-endpoint", 0, SK_OPT_STR, offsetof(sk_agent_opts, s3_endpoint), "URL", "S3 endpoint, path-style (default $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS)", 0, 0},
    {"s3-region", 0, SK_OPT_STR, offsetof(sk_agent_opts, s3_region), "R", "S3 region (default $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1)", 0, 0},
    {"on-notice", 0, SK_OPT_STR, offsetof(sk_agent_opts, on_notice), "CMD", "run `sh -c CMD` when the notice arrives (SYNKTI_NOTICE_TIME, SYNKTI_CHECKPOINT_DIR set)", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_agent_usage[] =
    "usage: synkti agent --model FILE --checkpoint-dir DIR [--prompts FILE] [--tokens N] [--batch B]\n"
    "                    [--checkpoint-every N] [--poll S] [--imds URL|off] [--out FILE] [--report URL]\n"
    "                    [--backend cpu|cuda|auto] [--temperature T] [--seed S] [--pace-ms MS]\n"
    "                    [--heartbeat S] [--checkpoint-store URI] [--s3-endpoint URL] [--s3-region R]\n"
    "                    [--on-notice CMD]\n"
    "\n"
    "The process that runs on an instance. It gets an IMDSv2 token (PUT /latest/api/token), polls\n"
    "/latest/meta-data/spot/instance-action every --poll seconds in a thread (and the rebalance\n"
    "recommendation), and generates --tokens tokens per sequence with the inference engine (the same\n"
    "work and output as `synkti infer`). It checkpoints every --checkpoint-every tokens, and at once\n"
    "when the interruption notice appears or SIGTERM/SIGINT arrives, to DIR/ckpt-<generated>.bin\n"
    "(atomic; older ones removed). Started again with the same DIR it resumes from the newest\n"
    "readable checkpoint there, so an interrupted and resumed job writes the same output, byte for\n"
    "byte, as an uninterrupted one. The local provider passes the endpoint in SYNKTI_IMDS_URL.\n"
    "Once started, the agent keeps polling when the endpoint goes away and takes a new token when it\n"
    "comes back (a 401 for the old one).\n"
    "\n"
    "Checkpoint store: with --checkpoint-store s3://BUCKET/PREFIX (or another folder) DIR is the local\n"
    "scratch: each checkpoint is uploaded after it is written (the notice one before exiting 75), older\n"
    "ones are deleted from the store, and at start the newest checkpoint of DIR or the store is resumed\n"
    "(fetched from the store when newer). S3 credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the\n"
    "shared credentials file. The output (--out) stays local.\n"
    "\n"
    "--on-notice CMD runs `/bin/sh -c CMD` when the interruption notice arrives (its stdout and stderr\n"
    "go to stderr) with SYNKTI_NOTICE_TIME (the deadline, UTC) and SYNKTI_CHECKPOINT_DIR set; the agent\n"
    "checkpoints meanwhile and waits for it until 0.5 s before the deadline, then kills it.\n"
    "\n"
    "Progress: one JSON object per line on stdout, or POSTed to --report (a failed POST is sent again\n"
    "before the next line, never fatal). Every line carries the cumulative state \"generated\", \"total\",\n"
    "\"saved\" (last stored checkpoint's count, -1 none) and \"checkpoint\" (its location, \"\" none):\n"
    "  {\"event\":\"start\",\"instance_id\":..,\"zone\":..,\"resumed_from\":G,\"generated\":G,\"total\":N}\n"
    "  {\"event\":\"checkpoint\",\"generated\":G,\"path\":..,\"location\":..,\"ms\":..}\n"
    "  {\"event\":\"heartbeat\",\"generated\":G,..}   {\"event\":\"checkpoint_error\",\"error\":..}\n"
    "  {\"event\":\"notice\",\"time\":\"..Z\",\"seconds_left\":..}        {\"event\":\"rebalance\",\"time\":..}\n"
    "  {\"event\":\"interrupted\",\"generated\":G,\"checkpoint\":..,\"seconds_left\":..}\n"
    "  {\"event\":\"done\",\"generated\":N,\"out\":..}\n"
    "Exit: 0 work done (output written); 75 interrupted after a checkpoint (resumable); 64 usage;\n"
    "65 bad model/prompts/checkpoint; 66 model/prompts missing; 73/74 checkpoint or output not\n"
    "written; 74 metadata endpoint unreachable at start, checkpoint store unreachable.\n"
    "\n"
    "Examples:\n"
    "  synkti model init --preset tiny -o tiny.safetensors\n"
    "  printf '1 2 3 4\\n5 6 7 8\\n' > prompts.txt\n"
    "  synkti agent -m tiny.safetensors -p prompts.txt -n 100 -d ckpt --checkpoint-every 10 --imds off\n"
    "  SYNKTI_IMDS_URL=http://127.0.0.1:8111 synkti agent -m tiny.safetensors -p prompts.txt -n 100 -d ckpt\n"
    "  synkti agent -m tiny.safetensors -p prompts.txt -n 100 -d /tmp/scratch --imds off \\\n"
    "      --checkpoint-store s3://my-bucket/jobs/j1 --s3-region eu-west-1\n";

static volatile sig_atomic_t sk_agent_sig;
static void sk_agent_on_signal(int s) { sk_agent_sig = s; }

/* ---- HTTP to the metadata endpoint ------------------------------------------------------------ */

typedef struct {
    char *buf;
    size_t n;
} sk_agent_body;

static size_t sk_agent_write_cb(char *p, size_t sz, size_t nm, void *ud) {
    sk_agent_body *b = ud;
    size_t k = sz * nm;
    if (b->n + k > 65536) return 0;
    char *nb = realloc(b->buf, b->n + k + 1);
    if (!nb) return 0;
    memcpy(nb + b->n, p, k);
    b->buf = nb, b->n += k, nb[b->n] = '\0';
    return k;
}

/* One request; returns the HTTP status (0 when unreachable) and the body in *out (caller frees). */
static long sk_agent_http(CURL *c, const char *method, const char *url, const char *hdr, const char *body,
                          char **out) {
    sk_agent_body b = {NULL, 0};
    struct curl_slist *h = NULL;
    if (hdr) h = curl_slist_append(h, hdr);
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    else if (!strcmp(method, "PUT")) curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sk_agent_write_cb);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    if (out) *out = b.buf;
    else free(b.buf);
    return code;
}

typedef struct {
    const char *base;
    double poll;
    CURL *c;
    char token[128];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int notice;            /* 1 once instance-action answered */
    double notice_epoch;   /* its time */
    char notice_time[40];
    int rebalance;         /* 1 once the recommendation appeared */
    char rebalance_time[40];
} sk_agent_meta;

static int sk_agent_token(sk_agent_meta *m) {
    char url[512], *body = NULL;
    snprintf(url, sizeof url, "%s/latest/api/token", m->base);
    long code = sk_agent_http(m->c, "PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL, &body);
    if (code == 200 && body && strlen(body) < sizeof m->token) snprintf(m->token, sizeof m->token, "%s", body);
    free(body);
    return code == 200 ? 0 : SK_EIO;
}

/* GET a metadata path; the status (401 refreshes the token once) and the body. */
static long sk_agent_get(sk_agent_meta *m, const char *path, char **body) {
    char url[512], hdr[192];
    snprintf(url, sizeof url, "%s/latest/meta-data/%s", m->base, path);
    for (int tries = 0;; tries++) {
        snprintf(hdr, sizeof hdr, "X-aws-ec2-metadata-token: %s", m->token);
        long code = sk_agent_http(m->c, "GET", url, hdr, NULL, body);
        if (code != 401 || tries) return code;
        free(*body);
        *body = NULL;
        if (sk_agent_token(m) < 0) return 401;
    }
}

static void sk_agent_check(sk_agent_meta *m) {
    char *b = NULL;
    if (sk_agent_get(m, "spot/instance-action", &b) == 200 && b) {
        cJSON *j = cJSON_Parse(b);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "time");
        if (cJSON_IsString(t)) {
            double e = sk_imds_parse_iso8601(t->valuestring);
            pthread_mutex_lock(&m->mu);
            if (!m->notice && e > 0) {
                m->notice = 1, m->notice_epoch = e;
                snprintf(m->notice_time, sizeof m->notice_time, "%s", t->valuestring);
            }
            pthread_mutex_unlock(&m->mu);
        }
        cJSON_Delete(j);
    }
    free(b);
    b = NULL;
    if (sk_agent_get(m, "events/recommendations/rebalance", &b) == 200 && b) {
        cJSON *j = cJSON_Parse(b);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "noticeTime");
        pthread_mutex_lock(&m->mu);
        if (cJSON_IsString(t) && !m->rebalance) {
            m->rebalance = 1;
            snprintf(m->rebalance_time, sizeof m->rebalance_time, "%s", t->valuestring);
        }
        pthread_mutex_unlock(&m->mu);
        cJSON_Delete(j);
    }
    free(b);
}

static void *sk_agent_poller(void *arg) {
    sk_agent_meta *m = arg;
    pthread_mutex_lock(&m->mu);
    while (!m->stop && !m->notice) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec + m->poll;
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&m->cv, &m->mu, &ts);
        if (m->stop) break;
        pthread_mutex_unlock(&m->mu);
        sk_agent_check(m);
        pthread_mutex_lock(&m->mu);
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

/* ---- progress lines --------------------------------------------------------------------------- */

#define SK_AGENT_BACKLOG 1024

/* Where lines go, and the cumulative state every line carries. */
typedef struct {
    const char *report;
    CURL *c;
    long failed;                     /* POSTs that failed (each is sent again later) */
    char *backlog[SK_AGENT_BACKLOG]; /* unsent lines, oldest first (the oldest dropped when full) */
    int nback;
    int total, saved;                /* saved: count of the last stored checkpoint, -1 none */
    char ckloc[1400];                /* its location, "" none */
} sk_agent_rep;

/* POST the backlog in order; stop at the first failure (tried again with the next line). */
static void sk_agent_flush(sk_agent_rep *r) {
    int sent = 0;
    char auth[300] = "";
    const char *tk = getenv("SYNKTI_TOKEN"); /* the controller's bearer token (the aws user data sets it) */
    if (tk && *tk) snprintf(auth, sizeof auth, "Authorization: Bearer %s", tk);
    while (sent < r->nback) {
        long code = sk_agent_http(r->c, "POST", r->report, auth[0] ? auth : NULL, r->backlog[sent], NULL);
        if (code < 200 || code > 299) {
            r->failed++;
            break;
        }
        free(r->backlog[sent++]);
    }
    memmove(r->backlog, r->backlog + sent, (size_t)(r->nback - sent) * sizeof *r->backlog);
    r->nback -= sent;
}

/* Print (or POST) j as one line, with the cumulative state and the time, and free it. */
static void sk_agent_emit(sk_agent_rep *r, cJSON *j) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    cJSON_AddNumberToObject(j, "total", r->total);
    cJSON_AddNumberToObject(j, "saved", r->saved);
    if (!cJSON_GetObjectItemCaseSensitive(j, "checkpoint")) cJSON_AddStringToObject(j, "checkpoint", r->ckloc);
    cJSON_AddNumberToObject(j, "t", (double)ts.tv_sec + 1e-3 * (double)(ts.tv_nsec / 1000000));
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) return;
    if (!(r->report && r->c)) {
        printf("%s\n", s);
        fflush(stdout);
        free(s);
        return;
    }
    if (r->nback == SK_AGENT_BACKLOG) { /* each line is cumulative: the oldest can go */
        free(r->backlog[0]);
        memmove(r->backlog, r->backlog + 1, (SK_AGENT_BACKLOG - 1) * sizeof *r->backlog);
        r->nback--;
    }
    r->backlog[r->nback++] = s;
    sk_agent_flush(r);
}

static cJSON *sk_agent_ev(const char *event, const char *id, int generated) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "event", event);
    cJSON_AddStringToObject(j, "instance_id", id);
    cJSON_AddNumberToObject(j, "generated", generated);
    return j;
}

/* ---- inputs, checkpoints, output -------------------------------------------------------------- */


/* Prompt file: lines of token ids, all of one length (a batch). */
static int sk_agent_read_prompts(const char *path, int32_t **ids, int *rows, int *len) {
    int *lens = NULL, nr = 0, rc = sk_read_ids("agent", path, ids, &lens, &nr);
    if (rc < 0) return rc;
    if (!nr) fprintf(stderr, "synkti agent: %s: no prompts\n", path), rc = SK_EDATA;
    for (int i = 1; i < nr && !rc; i++)
        if (lens[i] != lens[0]) {
            fprintf(stderr, "synkti agent: %s: prompt %d has %d tokens, the first prompt has %d (a batch needs one length)\n",
                    path, i + 1, lens[i], lens[0]);
            rc = SK_EDATA;
        }
    if (!rc) *rows = nr, *len = lens[0];
    else free(*ids), *ids = NULL;
    free(lens);
    return rc;
}

/* Generated counts of DIR/ckpt-NNNNNNNN.bin files, descending. Returns the count (<= max). */
static int sk_agent_list_ckpts(const char *dir, int *gens, int max) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        int g;
        char tail[8];
        if (strlen(e->d_name) == 17 && sscanf(e->d_name, "ckpt-%8d.%3s", &g, tail) == 2 && !strcmp(tail, "bin") && g >= 0)
            gens[n++] = g;
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && gens[j] > gens[j - 1]; j--) {
            int t = gens[j];
            gens[j] = gens[j - 1], gens[j - 1] = t;
        }
    return n;
}

static void sk_agent_ckpt_path(char *out, size_t len, const char *dir, int gen) {
    snprintf(out, len, "%s/ckpt-%08d.bin", dir, gen);
}

/* Checkpoint g into dir; remove older ones there. 0 or the error (message printed). */
static int sk_agent_checkpoint(const sk_gen *g, const char *dir, char *path, size_t plen, double *ms) {
    char err[512];
    int gen = sk_gen_position(g) - sk_gen_prompt_len(g);
    sk_agent_ckpt_path(path, plen, dir, gen);
    double t0 = sk_cli_now();
    int rc = sk_gen_checkpoint(g, path, err, sizeof err);
    *ms = 1e3 * (sk_cli_now() - t0);
    if (rc < 0) {
        fprintf(stderr, "synkti agent: checkpoint: %s\n", err);
        return rc;
    }
    int gens[64], n = sk_agent_list_ckpts(dir, gens, 64);
    for (int i = 0; i < n; i++)
        if (gens[i] < gen) {
            char old[4096];
            sk_agent_ckpt_path(old, sizeof old, dir, gens[i]);
            unlink(old);
        }
    return 0;
}

/* The checkpoint store beside the local folder. external: the store is not the folder itself. */
typedef struct {
    sk_ckstore *st;
    int external;
} sk_agent_store;

/* Checkpoint g locally (path), then into the store (loc): 0 with *stored 1, or 0 with *stored 0 and
 * the store's error in serr (the local checkpoint is kept; the next one tries again); < 0 when the
 * local checkpoint failed (message printed). prune: delete the store's older checkpoints. */
static int sk_agent_save(const sk_gen *g, const char *dir, sk_agent_store *s, int prune, char *path, size_t plen,
                         char *loc, size_t llen, double *ms, double *store_ms, int *stored, char *serr, size_t serrlen) {
    int rc = sk_agent_checkpoint(g, dir, path, plen, ms);
    *stored = 0, *store_ms = 0;
    if (rc < 0) return rc;
    char name[32];
    sk_ckstore_ckpt_name(sk_gen_position(g) - sk_gen_prompt_len(g), name);
    sk_ckstore_location(s->st, name, loc, llen);
    if (!s->external) return *stored = 1, 0;
    double t0 = sk_cli_now();
    rc = sk_ckstore_put(s->st, path, name, serr, serrlen);
    *store_ms = 1e3 * (sk_cli_now() - t0);
    if (rc < 0) return 0;
    *stored = 1;
    char perr[512];
    if (prune && sk_ckstore_prune(s->st, sk_gen_position(g) - sk_gen_prompt_len(g), perr, sizeof perr) < 0)
        fprintf(stderr, "synkti agent: pruning older checkpoints: %s\n", perr);
    return 0;
}

/* Resume from the newest checkpoint that loads, in the local folder or (fetched into it) the store.
 * *g stays NULL when there is none. 0, or the store's error when it can't be listed and the folder
 * has nothing. *in_store: the resumed checkpoint is (also) in the store. */
static int sk_agent_resume(sk_gen **g, const sk_model *m, sk_backend be, const char *dir, sk_agent_store *s,
                           int *resumed, int *in_store) {
    char err[512], path[4200];
    int lg[64], sg[64], nl = sk_agent_list_ckpts(dir, lg, 64), ns = 0;
    *in_store = 0;
    if (s->external && (ns = sk_ckstore_list(s->st, sg, 64, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti agent: checkpoint store: %s\n", err);
        if (!nl) return ns;
        ns = 0;
    }
    int il = 0, is = 0;
    while (!*g && (il < nl || is < ns)) { /* merge, highest first */
        int from_store = is < ns && (il >= nl || sg[is] >= lg[il]);
        int gen = from_store ? sg[is] : lg[il], local = il < nl && lg[il] == gen, fetched = 0;
        if (from_store) is++;
        if (local) il++;
        sk_agent_ckpt_path(path, sizeof path, dir, gen);
        if (!local) {
            char name[32];
            sk_ckstore_ckpt_name(gen, name);
            if (sk_ckstore_get(s->st, name, path, err, sizeof err) < 0) {
                fprintf(stderr, "synkti agent: skipping checkpoint: %s\n", err);
                continue;
            }
            fetched = 1;
        }
        if (sk_gen_resume(g, m, path, be, err, sizeof err) == 0) {
            *resumed = gen;
            *in_store = from_store || !s->external;
        } else {
            fprintf(stderr, "synkti agent: skipping checkpoint: %s\n", err);
            if (fetched) unlink(path);
        }
    }
    return 0;
}

/* Start `/bin/sh -c cmd` with SYNKTI_NOTICE_TIME and SYNKTI_CHECKPOINT_DIR added to the environment,
 * stdout to stderr. Its PID, or -1 (message printed). */
extern char **environ;
static pid_t sk_agent_hook(const char *cmd, const char *notice_time, const char *dir) {
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 3, sizeof *env), e1[64], e2[4200];
    if (!env) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "SYNKTI_NOTICE_TIME=", 19) && strncmp(environ[i], "SYNKTI_CHECKPOINT_DIR=", 22))
            env[k++] = environ[i];
    snprintf(e1, sizeof e1, "SYNKTI_NOTICE_TIME=%s", notice_time);
    snprintf(e2, sizeof e2, "SYNKTI_CHECKPOINT_DIR=%s", dir);
    env[k++] = e1, env[k++] = e2, env[k] = NULL;
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    pid_t pid;
    int e = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    if (e) {
        fprintf(stderr, "synkti agent: --on-notice: cannot start /bin/sh: %s\n", strerror(e));
        return -1;
    }
    return pid;
}

static double sk_agent_wall(void);

/* Wait for the hook until 0.5 s before the deadline, then kill it. Prints how it ended. */
static void sk_agent_hook_wait(pid_t pid, double deadline) {
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) break;
        if (sk_agent_wall() >= deadline - 0.5) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "synkti agent: --on-notice command killed 0.5 s before the deadline\n");
            return;
        }
        struct timespec d = {0, 10000000L};
        nanosleep(&d, NULL);
    }
    if (WIFEXITED(st)) fprintf(stderr, "synkti agent: --on-notice command exited %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) fprintf(stderr, "synkti agent: --on-notice command killed by signal %d\n", WTERMSIG(st));
}

static int sk_agent_write_out(const sk_gen *g, const char *path) {
    sk_atomic a;
    char err[512];
    int rc = sk_atomic_open(&a, path, "w", err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "synkti agent: %s\n", err);
        return rc;
    }
    sk_infer_print_ids(g, a.f);
    if ((rc = sk_atomic_commit(&a, err, sizeof err)) < 0) fprintf(stderr, "synkti agent: %s\n", err);
    return rc;
}

static double sk_agent_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sk_cmd_agent(int argc, char **argv) {
    sk_agent_opts o = {NULL, NULL, "auto", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 32, 0, 16, 0, 0.0, 5.0, 5.0, 1};
    int npos = 0, rc = sk_opts_parse("agent", sk_agent_usage, sk_agent_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    sk_backend be = SK_BACKEND_AUTO;
    if (sk_parse_backend(o.backend, &be) < 0) npos = -1;
    if (npos || !o.model || !o.ckpt_dir) {
        fprintf(stderr, "synkti agent: %s\n", npos > 0 ? "unexpected argument" : npos < 0 ? "bad --backend" :
                                                   "--model and --checkpoint-dir are required (see --help)");
        return sk_exit_code(SK_EUSAGE);
    }
    if (!o.imds) o.imds = getenv("SYNKTI_IMDS_URL") && *getenv("SYNKTI_IMDS_URL") ? getenv("SYNKTI_IMDS_URL")
                                                                                 : "http://169.254.169.254";
    int use_imds = strcmp(o.imds, "off") != 0;
    char outpath[4096], ckpath[4096], err[512], id[128] = "", zone[128] = "", loc[1400], serr[1024];
    snprintf(outpath, sizeof outpath, "%s", o.out ? o.out : "");
    if (!o.out) snprintf(outpath, sizeof outpath, "%s/output.txt", o.ckpt_dir);
    if (mkdir(o.ckpt_dir, 0777) < 0 && errno != EEXIST) {
        fprintf(stderr, "synkti agent: %s: %s\n", o.ckpt_dir, strerror(errno));
        return sk_exit_code(SK_ECANTCREAT);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sk_agent_store store = {NULL, 0};
    sk_ckstore_cfg scfg = {o.store ? o.store : o.ckpt_dir, o.s3_endpoint, o.s3_region, NULL, 0, 0, 0, 0, NULL, NULL, 0};
    if ((rc = sk_ckstore_open(&store.st, &scfg, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti agent: %s\n", err);
        curl_global_cleanup();
        return sk_exit_code(rc);
    }
    if (sk_ckstore_remote(store.st)) store.external = 1;
    else {
        char *a = realpath(o.ckpt_dir, NULL), *b = realpath(sk_ckstore_dir(store.st), NULL);
        store.external = !a || !b || strcmp(a, b) != 0;
        free(a);
        free(b);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sk_agent_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    sk_agent_meta meta;
    memset(&meta, 0, sizeof meta);
    pthread_mutex_init(&meta.mu, NULL);
    pthread_cond_init(&meta.cv, NULL);
    meta.base = o.imds, meta.poll = o.poll;
    static sk_agent_rep rep; /* big (the backlog); one agent per process */
    memset(&rep, 0, sizeof rep);
    rep.report = o.report, rep.total = o.tokens, rep.saved = -1;
    sk_model *m = NULL;
    sk_gen *g = NULL;
    int32_t *ids = NULL, *prompt = NULL, *next = NULL;
    int poller = 0, resumed = 0, in_store = 0;
    pid_t hook = -1;
    double hook_deadline = 0;
    pthread_t th;
    if (o.report && !(rep.c = curl_easy_init())) goto nomem;
    if (use_imds) {
        if (!(meta.c = curl_easy_init())) goto nomem;
        if (sk_agent_token(&meta) < 0) {
            fprintf(stderr, "synkti agent: no IMDSv2 token from %s\n", o.imds);
            rc = SK_EIO;
            goto done;
        }
        char *b = NULL;
        if (sk_agent_get(&meta, "instance-id", &b) == 200 && b) snprintf(id, sizeof id, "%s", b);
        free(b);
        b = NULL;
        if (sk_agent_get(&meta, "placement/availability-zone", &b) == 200 && b) snprintf(zone, sizeof zone, "%s", b);
        free(b);
        sk_agent_check(&meta);
        if (pthread_create(&th, NULL, sk_agent_poller, &meta) == 0) poller = 1;
    }
    if ((rc = sk_model_load(&m, o.model, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti agent: %s\n", err);
        goto done;
    }
    if ((rc = sk_agent_resume(&g, m, be, o.ckpt_dir, &store, &resumed, &in_store)) < 0) goto done;
    if (g) {
        char name[32];
        sk_ckstore_ckpt_name(resumed, name);
        sk_ckstore_location(store.st, name, loc, sizeof loc);
        sk_agent_ckpt_path(ckpath, sizeof ckpath, o.ckpt_dir, resumed);
        if (!in_store && sk_ckstore_put(store.st, ckpath, name, serr, sizeof serr) < 0) /* stored late */
            fprintf(stderr, "synkti agent: checkpoint store: %s\n", serr);
        else rep.saved = resumed, snprintf(rep.ckloc, sizeof rep.ckloc, "%s", loc);
    } else {
        int rows = 1, L = 1;
        if (o.prompts) {
            if ((rc = sk_agent_read_prompts(o.prompts, &ids, &rows, &L)) < 0) goto done;
        } else {
            if (!(ids = calloc(1, sizeof *ids))) goto nomem;
        }
        int B = o.batch ? o.batch : rows;
        if (!(prompt = malloc((size_t)B * (size_t)L * sizeof *prompt))) goto nomem;
        for (int b = 0; b < B; b++) memcpy(prompt + (size_t)b * L, ids + (size_t)(b % rows) * L, (size_t)L * sizeof *prompt);
        sk_gen_opts go = {be, B, o.temperature, o.seed};
        if ((rc = sk_gen_new(&g, m, &go, err, sizeof err)) < 0 || (rc = sk_gen_prefill(g, prompt, L, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti agent: %s\n", err);
            goto done;
        }
    }
    int np = sk_gen_prompt_len(g), B = sk_gen_batch(g);
    int gen = sk_gen_position(g) - np, total = o.tokens;
    if (np + total > sk_model_config(m)->n_ctx) {
        fprintf(stderr, "synkti agent: prompt %d + %d tokens exceed the context (%d)\n", np, total,
                sk_model_config(m)->n_ctx);
        rc = SK_EUSAGE;
        goto done;
    }
    cJSON *j = sk_agent_ev("start", id, gen);
    cJSON_AddStringToObject(j, "zone", zone);
    cJSON_AddNumberToObject(j, "resumed_from", resumed);
    cJSON_AddNumberToObject(j, "batch", B);
    if (store.external) {
        sk_ckstore_location(store.st, "", loc, sizeof loc);
        cJSON_AddStringToObject(j, "store", loc);
    }
    sk_agent_emit(&rep, j);
    if (!(next = malloc((size_t)B * sizeof *next))) goto nomem;
    double last_hb = sk_cli_now(), t_start = last_hb;
    int gen0 = gen, saw_notice = 0, saw_rebalance = 0;
    for (;;) {
        pthread_mutex_lock(&meta.mu);
        int notice = meta.notice, reb = meta.rebalance;
        double notice_epoch = meta.notice_epoch;
        char nt[40], rt[40];
        snprintf(nt, sizeof nt, "%s", meta.notice_time);
        snprintf(rt, sizeof rt, "%s", meta.rebalance_time);
        pthread_mutex_unlock(&meta.mu);
        if (reb && !saw_rebalance) {
            saw_rebalance = 1;
            j = sk_agent_ev("rebalance", id, gen);
            cJSON_AddStringToObject(j, "time", rt);
            sk_agent_emit(&rep, j);
        }
        if (notice && !saw_notice) {
            saw_notice = 1;
            j = sk_agent_ev("notice", id, gen);
            cJSON_AddStringToObject(j, "time", nt);
            cJSON_AddNumberToObject(j, "seconds_left", notice_epoch - sk_agent_wall());
            sk_agent_emit(&rep, j);
            if (o.on_notice) hook = sk_agent_hook(o.on_notice, nt, o.ckpt_dir), hook_deadline = notice_epoch;
        }
        if (gen >= total) break;
        if (notice || sk_agent_sig) {
            double ms, sms;
            int stored;
            if ((rc = sk_agent_save(g, o.ckpt_dir, &store, 0, ckpath, sizeof ckpath, loc, sizeof loc, &ms, &sms, &stored,
                                    serr, sizeof serr)) < 0)
                goto done;
            if (!stored) {
                fprintf(stderr, "synkti agent: checkpoint store: %s\n", serr);
                j = sk_agent_ev("checkpoint_error", id, gen);
                cJSON_AddStringToObject(j, "path", ckpath);
                cJSON_AddStringToObject(j, "error", serr);
                sk_agent_emit(&rep, j);
                rc = SK_EIO; /* not resumable from the store: the work since `saved` is lost */
                goto done;
            }
            rep.saved = gen;
            snprintf(rep.ckloc, sizeof rep.ckloc, "%s", loc);
            j = sk_agent_ev("interrupted", id, gen);
            cJSON_AddNumberToObject(j, "checkpoint_ms", ms);
            if (store.external) cJSON_AddNumberToObject(j, "store_ms", sms);
            cJSON_AddStringToObject(j, "cause", notice ? "notice" : "signal");
            if (notice) cJSON_AddNumberToObject(j, "seconds_left", notice_epoch - sk_agent_wall());
            sk_agent_emit(&rep, j);
            rc = SK_EINTR;
            goto done;
        }
        if ((rc = sk_gen_step(g, next, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti agent: %s\n", err);
            goto done;
        }
        gen++;
        if (o.ckpt_every > 0 && gen % o.ckpt_every == 0 && gen < total) {
            double ms, sms;
            int stored;
            if ((rc = sk_agent_save(g, o.ckpt_dir, &store, 1, ckpath, sizeof ckpath, loc, sizeof loc, &ms, &sms, &stored,
                                    serr, sizeof serr)) < 0)
                goto done;
            if (stored) {
                rep.saved = gen;
                snprintf(rep.ckloc, sizeof rep.ckloc, "%s", loc);
                j = sk_agent_ev("checkpoint", id, gen);
                cJSON_AddStringToObject(j, "path", ckpath);
                cJSON_AddStringToObject(j, "location", loc);
                cJSON_AddNumberToObject(j, "ms", ms);
                if (store.external) cJSON_AddNumberToObject(j, "store_ms", sms);
            } else { /* kept locally; the next checkpoint tries the store again */
                fprintf(stderr, "synkti agent: checkpoint store: %s\n", serr);
                j = sk_agent_ev("checkpoint_error", id, gen);
                cJSON_AddStringToObject(j, "path", ckpath);
                cJSON_AddStringToObject(j, "error", serr);
            }
            sk_agent_emit(&rep, j);
        }
        double now = sk_cli_now();
        if (o.heartbeat > 0 && now - last_hb >= o.heartbeat) {
            last_hb = now;
            j = sk_agent_ev("heartbeat", id, gen);
            cJSON_AddNumberToObject(j, "tok_per_s", now > t_start ? (double)B * (gen - gen0) / (now - t_start) : 0);
            sk_agent_emit(&rep, j);
        }
        if (o.pace_ms > 0) {
            struct timespec d = {o.pace_ms / 1000, (long)(o.pace_ms % 1000) * 1000000L};
            nanosleep(&d, NULL);
        }
    }
    if ((rc = sk_agent_write_out(g, outpath)) < 0) goto done;
    j = sk_agent_ev("done", id, gen);
    cJSON_AddStringToObject(j, "out", outpath);
    sk_agent_emit(&rep, j);
    rc = 0;
    goto done;
nomem:
    fprintf(stderr, "synkti agent: out of memory\n");
    rc = SK_ENOMEM;
done:
    if (hook > 0) sk_agent_hook_wait(hook, hook_deadline);
    if (poller) {
        pthread_mutex_lock(&meta.mu);
        meta.stop = 1;
        pthread_cond_signal(&meta.cv);
        pthread_mutex_unlock(&meta.mu);
        pthread_join(th, NULL); /* at most one request (2 s timeout) away */
    }
    free(next);
    free(prompt);
    free(ids);
    sk_gen_free(g);
    sk_model_free(m);
    if (rep.c) curl_easy_cleanup(rep.c);
    for (int i = 0; i < rep.nback; i++) free(rep.backlog[i]);
    sk_ckstore_close(store.st);
    if (meta.c) curl_easy_cleanup(meta.c);
    pthread_cond_destroy(&meta.cv);
    pthread_mutex_destroy(&meta.mu);
    curl_global_cleanup();
    fflush(stdout);
    return sk_exit_code(rc);
}
