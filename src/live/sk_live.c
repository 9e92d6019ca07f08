/* sk_live.c - the live world (see sk_live.h): a run file, the fleet view filled from the journal
 * and a provider (live/sk_provider.h: local processes or AWS EC2), the policy's actions as provider
 * calls behind journaled intents (launches sent by worker threads, several zones at once), the
 * agents' progress lines as events (local: their logs; aws: reports POSTed to the HTTP server),
 * availability traces or models driving local interruptions, recovery after a controller crash
 * (reconcile, adopt what still runs), and the HTTP API (live/sk_httpd). Live fleets are small:
 * the indexed accessors of the view scan the controller's arrays (O(jobs + instances) a step). */
#define _GNU_SOURCE
#include "live/sk_live.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/sk_fleet_view.h"
#include "core/sk_world.h"
#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "io/sk_results.h"
#include "io/sk_sha256.h"
#include "live/sk_httpd.h"
#include "live/sk_journal.h"
#include "live/sk_local.h"
#include "live/sk_prov_aws.h"
#include "live/sk_provider.h"
#include "models/sk_avail.h"
#include "sim/sk_kinds.h"
#include "sk_config.h"
#include "sk_error.h"

/* ---- run file ----------------------------------------------------------------------------------- */

static char *lv_trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = 0;
    return s;
}

static int lv_num(const char *v, double lo, double hi, double *out) {
    char *e;
    errno = 0;
    double x = strtod(v, &e);
    if (e == v || *e || errno || !isfinite(x) || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

static int lv_copy(char *dst, size_t n, const char *v) { return snprintf(dst, n, "%s", v) >= (int)n ? -1 : 0; }

/* Split v on blanks into at most max words (in place). */
static int lv_words(char *v, char **w, int max) {
    int n = 0;
    for (char *s = strtok(v, " \t"); s; s = strtok(NULL, " \t")) {
        if (n == max) return -1;
        w[n++] = s;
    }
    return n;
}

void sk_live_cfg_free(sk_live_cfg *c) {
    for (int i = 0; i < c->njobs; i++) {
        for (int k = 0; k < c->jobs[i].argc; k++) free(c->jobs[i].argv[k]);
        free(c->jobs[i].argv);
    }
    c->njobs = 0;
}

static int lv_line(sk_live_cfg *c, char *key, char *val, char *why, size_t wl) {
    double x;
    char *w[128];
    int n;
    if (!strcmp(key, "provider")) {
        if (strcmp(val, "local") && strcmp(val, "aws")) return snprintf(why, wl, "expected local or aws, got '%s'", val), -1;
        return lv_copy(c->provider, sizeof c->provider, val);
    }
    if (!strcmp(key, "run_id")) return *val ? lv_copy(c->run_id, sizeof c->run_id, val) : -1;
    if (!strcmp(key, "policy")) return lv_copy(c->policy, sizeof c->policy, val);
    if (!strncmp(key, "policy.", 7)) {
        if (c->npp == SK_LIVE_MAXP) return snprintf(why, wl, "more than %d policy parameters", SK_LIVE_MAXP), -1;
        if (lv_copy(c->pkey[c->npp], 64, key + 7) || lv_copy(c->pval[c->npp], 128, val)) return -1;
        c->npp++;
        return 0;
    }
    if (!strcmp(key, "instance_type")) return lv_copy(c->itype, sizeof c->itype, val);
    if (!strcmp(key, "http")) {
        const char *colon = strrchr(val, ':');
        if (strcmp(val, "off") && (!colon || lv_num(colon + 1, 0, 65535, &x) || x != floor(x)))
            return snprintf(why, wl, "expected ADDR:PORT (port 0: any free one) or off, got '%s'", val), -1;
        return lv_copy(c->http, sizeof c->http, val);
    }
    if (!strcmp(key, "token_file")) return lv_copy(c->token_file, sizeof c->token_file, val);
    if (!strcmp(key, "report")) {
        if (strcmp(val, "log") && strcmp(val, "http")) return snprintf(why, wl, "expected log or http, got '%s'", val), -1;
        c->report_http = !strcmp(val, "http");
        return 0;
    }
    if (!strcmp(key, "max_instances")) {
        if (lv_num(val, 0, 1e6, &x) || x != floor(x)) return snprintf(why, wl, "expected an integer >= 0, got '%s'", val), -1;
        c->max_instances = (int)x;
        return 0;
    }
    if (!strncmp(key, "aws.", 4)) {
        struct { const char *k; char *p; size_t n; } ak[] = {
            {"region", c->aws_region, sizeof c->aws_region}, {"endpoint_url", c->aws_endpoint, sizeof c->aws_endpoint},
            {"profile", c->aws_profile, sizeof c->aws_profile}, {"image_id", c->aws_image, sizeof c->aws_image},
            {"key_name", c->aws_key, sizeof c->aws_key}, {"subnet_id", c->aws_subnet, sizeof c->aws_subnet},
            {"security_group", c->aws_sg, sizeof c->aws_sg}, {"user_data", c->aws_user_data, sizeof c->aws_user_data},
            {"spot_max_price", c->aws_max_price, sizeof c->aws_max_price}};
        for (size_t i = 0; i < sizeof ak / sizeof ak[0]; i++)
            if (!strcmp(key + 4, ak[i].k)) return *val ? lv_copy(ak[i].p, ak[i].n, val) : -1;
        if (!strcmp(key + 4, "describe_s")) return lv_num(val, 0, 3600, &c->aws_describe_s);
        return snprintf(why, wl, "unknown key (aws.region, aws.endpoint_url, aws.profile, aws.image_id, aws.key_name, "
                                 "aws.subnet_id, aws.security_group, aws.user_data, aws.spot_max_price, aws.describe_s)"), -1;
    }
    if (!strcmp(key, "avail")) { /* ZONE trace FILE [SCALE] | ZONE markov UP_PER_H DOWN_PER_H | ZONE hazard PER_H */
        n = lv_words(val, w, 5);
        sk_live_zone *z = NULL;
        for (int i = 0; n >= 1 && i < c->nzones; i++)
            if (!strcmp(c->zones[i].name, w[0])) z = &c->zones[i];
        if (n < 1 || !z) return snprintf(why, wl, "expected a zone given above, got '%s'", n >= 1 ? w[0] : ""), -1;
        double a = 0, b = 0;
        if (n >= 3 && !strcmp(w[1], "trace") && n <= 4 && !lv_copy(z->avail_file, sizeof z->avail_file, w[2]) &&
            (n == 3 || (!lv_num(w[3], 1, 1e6, &a) && a == floor(a)))) {
            z->avail_scale = n == 4 ? (int)a : 1;
        } else if (n == 4 && !strcmp(w[1], "markov") && !lv_num(w[2], 0, 1e6, &a) && !lv_num(w[3], 1e-9, 1e6, &b)) {
            z->avail_a = a, z->avail_b = b;
        } else if (n == 3 && !strcmp(w[1], "hazard") && !lv_num(w[2], 1e-9, 1e6, &a)) {
            z->avail_a = a;
        } else
            return snprintf(why, wl, "expected ZONE trace FILE [SCALE], ZONE markov UP_PER_H DOWN_PER_H or ZONE hazard PER_H"), -1;
        return lv_copy(z->avail_kind, sizeof z->avail_kind, w[1]);
    }
    if (!strcmp(key, "work_dir")) return lv_copy(c->work_dir, sizeof c->work_dir, val);
    struct { const char *k; double *p, lo, hi; } nums[] = {
        {"tick_s", &c->tick_s, 0.01, 3600}, {"time_scale", &c->time_scale, 1e-4, 1e4},
        {"grace_s", &c->grace_s, 0.01, 600}, {"restart_s", &c->restart_s, 0, 1e6},
        {"ckpt_every_s", &c->ckpt_every_s, 0, 1e7}, {"notice_s", &c->notice_s, 0, 1e5},
        {"capacity_ttl_s", &c->capacity_ttl_s, 0, 1e7}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (!strcmp(key, nums[i].k)) {
            if (lv_num(val, nums[i].lo, nums[i].hi, nums[i].p))
                return snprintf(why, wl, "expected a number in [%g, %g], got '%s'", nums[i].lo, nums[i].hi, val), -1;
            return 0;
        }
    if (!strcmp(key, "max_retries")) {
        if (lv_num(val, -1, 1e6, &x) || x != floor(x)) return snprintf(why, wl, "expected an integer >= -1, got '%s'", val), -1;
        c->max_retries = (int)x;
        return 0;
    }
    if (!strcmp(key, "zone")) { /* NAME SPOT_PRICE OD_PRICE [SLOTS] */
        if (c->nzones == SK_LIVE_MAXZ) return snprintf(why, wl, "more than %d zones", SK_LIVE_MAXZ), -1;
        sk_live_zone *z = &c->zones[c->nzones];
        double s = 0;
        n = lv_words(val, w, 5);
        if (n < 3 || n > 4 || lv_copy(z->name, sizeof z->name, w[0]) || lv_num(w[1], 0, 1e6, &z->spot_price) ||
            lv_num(w[2], 0, 1e6, &z->od_price) || (n == 4 && (lv_num(w[3], 0, 1e6, &s) || s != floor(s))))
            return snprintf(why, wl, "expected NAME SPOT_PRICE OD_PRICE [SLOTS] ($/h, slots an integer)"), -1;
        for (int i = 0; i < c->nzones; i++)
            if (!strcmp(c->zones[i].name, z->name)) return snprintf(why, wl, "zone '%s' given twice", z->name), -1;
        z->slots = (int)s;
        c->nzones++;
        return 0;
    }
    if (!strcmp(key, "job")) { /* NAME TOKENS [instances=K] [deadline=S] [work=S] AGENT-ARGS... */
        if (c->njobs == SK_LIVE_MAXJ) return snprintf(why, wl, "more than %d jobs", SK_LIVE_MAXJ), -1;
        sk_live_job *j = &c->jobs[c->njobs];
        n = lv_words(val, w, 128);
        if (n < 2 || lv_copy(j->name, sizeof j->name, w[0]) || lv_num(w[1], 1, 1e7, &x) || x != floor(x) ||
            strchr(j->name, '/') || strchr(j->name, '#') || j->name[0] == '.')
            return snprintf(why, wl, "expected NAME TOKENS [instances=K] [deadline=S] [work=S] [AGENT-ARGS...] (a plain name, "
                                     "TOKENS a positive integer)"), -1;
        for (int i = 0; i < c->njobs; i++)
            if (!strcmp(c->jobs[i].name, j->name)) return snprintf(why, wl, "job '%s' given twice", j->name), -1;
        j->tokens = (int)x, j->instances = 1;
        int k = 2;
        for (; k < n && strchr(w[k], '=') && w[k][0] != '-'; k++) {
            char *eq = strchr(w[k], '=');
            *eq = 0;
            if (!strcmp(w[k], "instances") && !lv_num(eq + 1, 1, SK_LIVE_MAXK, &x) && x == floor(x)) j->instances = (int)x;
            else if (!strcmp(w[k], "deadline") && !lv_num(eq + 1, 1e-3, 1e9, &x)) j->deadline_s = x;
            else if (!strcmp(w[k], "work") && !lv_num(eq + 1, 1e-3, 1e9, &x)) j->work_s = x;
            else
                return snprintf(why, wl, "%s=%s: expected instances=1..%d, deadline=SECONDS or work=SECONDS", w[k], eq + 1,
                                SK_LIVE_MAXK), -1;
        }
        if (!(j->argv = calloc((size_t)n, sizeof *j->argv))) return snprintf(why, wl, "out of memory"), -1;
        c->njobs++;
        int prompts = 0;
        for (; k < n; k++) {
            prompts |= !strcmp(w[k], "--prompts") || !strcmp(w[k], "-p");
            if (!(j->argv[j->argc++] = strdup(w[k]))) return snprintf(why, wl, "out of memory"), -1;
        }
        if (j->instances > 1 && !prompts)
            return snprintf(why, wl, "instances=%d needs --prompts (the shards split its lines)", j->instances), -1;
        return 0;
    }
    if (!strcmp(key, "interrupt")) { /* JOB AFTER_S NOTICE_S */
        if (c->nintr == SK_LIVE_MAXI) return snprintf(why, wl, "more than %d interruptions", SK_LIVE_MAXI), -1;
        sk_live_intr *t = &c->intr[c->nintr];
        n = lv_words(val, w, 4);
        if (n != 3 || lv_copy(t->job, sizeof t->job, w[0]) || lv_num(w[1], 0, 1e6, &t->after_s) ||
            lv_num(w[2], 0, 1e5, &t->notice_s))
            return snprintf(why, wl, "expected JOB AFTER_S NOTICE_S"), -1;
        c->nintr++;
        return 0;
    }
    return snprintf(why, wl, "unknown key"), -1;
}

int sk_live_cfg_load(sk_live_cfg *c, const char *path, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    strcpy(c->provider, "local"), strcpy(c->run_id, "synkti-live"), strcpy(c->policy, "cheapest_spot");
    strcpy(c->itype, "local.gpu1");
    c->tick_s = 1, c->time_scale = 1, c->grace_s = 5, c->max_retries = 10, c->notice_s = 120, c->capacity_ttl_s = 60;
    c->aws_describe_s = 5;
    strcpy(c->http, "127.0.0.1:8470");
    FILE *f = fopen(path, "rb");
    if (!f) return sk_errf(err, errlen, SK_ENOINPUT, "%s: %s", path, strerror(errno));
    char *text = NULL;
    size_t cap = 0, len = 0, r;
    char buf[4096];
    while ((r = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + r + 1 > cap) {
            char *t = realloc(text, cap = 2 * (len + r + 1));
            if (!t) return free(text), fclose(f), sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
            text = t;
        }
        memcpy(text + len, buf, r), len += r;
    }
    fclose(f);
    if (!text) return sk_errf(err, errlen, SK_ECONFIG, "%s: empty run file", path);
    text[len] = 0;
    sk_sha256_hex(text, len, c->sha256);
    int line = 0, rc = 0;
    for (char *s = text, *nl; s && *s && !rc; s = nl) {
        line++;
        nl = strchr(s, '\n');
        if (nl) *nl++ = 0;
        char *h = strchr(s, '#');
        if (h) *h = 0;
        s = lv_trim(s);
        if (!*s) continue;
        char *colon = strchr(s, ':');
        if (!colon) {
            rc = sk_errf(err, errlen, SK_ECONFIG, "%s:%d: expected 'key: value'", path, line);
            break;
        }
        *colon = 0;
        char *key = lv_trim(s), *val = lv_trim(colon + 1), why[200] = "bad value";
        if (lv_line(c, key, val, why, sizeof why) < 0)
            rc = sk_errf(err, errlen, SK_ECONFIG, "%s:%d: %s: %s", path, line, key, why);
    }
    free(text);
    if (!rc && !c->nzones) rc = sk_errf(err, errlen, SK_ECONFIG, "%s: zone: at least one is required", path);
    if (!rc && !c->njobs && !strcmp(c->http, "off"))
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: job: at least one is required (or an http server to submit to)", path);
    if (!rc && !strcmp(c->provider, "aws") && (!c->aws_region[0] || !c->aws_image[0]))
        rc = sk_errf(err, errlen, SK_ECONFIG, "%s: provider aws needs aws.region and aws.image_id", path);
    if (!rc && !c->work_dir[0]) rc = sk_errf(err, errlen, SK_ECONFIG, "%s: work_dir: required", path);
    for (int i = 0; !rc && i < c->nintr; i++) {
        int k = 0;
        while (k < c->njobs && strcmp(c->jobs[k].name, c->intr[i].job)) k++;
        if (k == c->njobs) rc = sk_errf(err, errlen, SK_ECONFIG, "%s: interrupt: no job '%s'", path, c->intr[i].job);
    }
    if (rc) sk_live_cfg_free(c);
    return rc;
}

/* ---- the world ---------------------------------------------------------------------------------- */

typedef struct lv_inst {
    char id[64];       /* the provider's id; the client token while the launch is in flight */
    char token[SK_JR_IDLEN];
    int64_t req;       /* its launch request in the journal (0: adopted without one) */
    int pool;
    sk_market m;
    int64_t job;       /* -1: none (or unlinked) */
    int64_t job0;      /* the job it was launched for (kept) */
    int shard;         /* the job's shard it runs (0 .. K-1) */
    sk_inst_state st;  /* as the view shows it; GONE at once when terminated; REQUESTED in flight */
    int prov_done;     /* the provider reported it terminated and the journal has it */
    int ours;          /* we asked for its termination (journal TERMINATING) */
    int done;          /* its agent reported "done" */
    int adopted;       /* a previous controller launched it */
    int cancelled;     /* terminated while its launch was in flight: out of the view, ended on the answer */
    double t_launch, t_run, t_end; /* wall; t_end < 0 while billed */
    double t_notice;   /* wall: notice raised or seen (0: none) */
    long off;          /* bytes of its log read */
    long pid;
    int64_t launched_tick;
} lv_inst;

typedef struct lv_job {
    sk_fjob_info i;
    sk_live_job spec;  /* name, tokens, K, deadline, agent arguments (argv owned) */
    double retry_at;   /* wall time of the RETRY timer */
    int64_t last_seq;
    int intr_done;     /* scripted interruptions fired this session (bits) */
    double gen[SK_LIVE_MAXK], saved[SK_LIVE_MAXK]; /* per shard: tokens generated, checkpointed */
    int sdone[SK_LIVE_MAXK];                       /* per shard: its output is written */
    double t_submit;   /* wall time it arrived this session */
    int requeues;      /* moves back to the queue from SUBMITTED/RUNNING (the journal's retries) */
    int fails;         /* its agents that exited with an error of their own, and its launches that failed
                          for another reason than capacity: the job fails at the third */
    double t_start, t_done; /* wall: first agent start this session, completion (0: not yet) */
    int launched;      /* instances launched for it this session */
} lv_job;

/* A launch handed to the worker threads (strings owned). */
typedef struct lv_lq {
    struct lv_lq *next;
    char token[SK_JR_IDLEN], zone[64], itype[64], run_id[128], job[80];
    int spot, argc;
    char **argv;
    int rc;
    sk_pv_inst out;
    char err[512];
} lv_lq;

typedef struct lv_avail {
    sk_avail_model *m;
    sk_rng rng;
    int rng_ok, have;
    sk_avail_step next; /* the next step not yet applied */
    int32_t cap;        /* applied capacity (SK_CAP_INF: none) */
} lv_avail;

#define LV_WORKERS 4
#define LV_NSAMP 65536

typedef struct lv_world {
    const sk_live_cfg *c;
    const sk_live_opts *o;
    sk_live_result *r;
    sk_local *local;
    sk_provider pv;
    int pv_ok;
    sk_journal *jr;
    sk_view v;
    sk_fleet_view fv;
    sk_actor act;
    sk_zone_info zones[SK_LIVE_MAXZ];
    sk_pool_info pools[SK_LIVE_MAXZ];
    int32_t by_spot[SK_LIVE_MAXZ], by_od[SK_LIVE_MAXZ];
    double full_until[SK_LIVE_MAXZ]; /* wall: spot refused in this zone until then */
    lv_avail av[SK_LIVE_MAXZ];
    sk_itype_info itype;
    const char *gpus[1];
    lv_job *jb;
    int nj, capj;
    lv_inst *in;
    int64_t nin, capin;
    sk_instance_info *vinst;
    const sk_gpolicy *pol;
    void *pst;
    sk_value *pp;
    size_t npp;
    sk_rng rng;
    int rng_ok;
    double t0, now;
    int in_decide;
    int err;
    char *errbuf;
    size_t errlen;
    char logdir[1100];
    int max_inst;
    /* threads: the HTTP server's and the launch workers' calls take mu; cv wakes the loop */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t workers[LV_WORKERS];
    int nworkers, quit;
    lv_lq *q_head, *q_tail, *done_head; /* launches to send; launches answered */
    int q_busy;                         /* launches being sent now */
    sk_httpd *http;
    char token[80];
    char url[96];
    /* decision timing */
    double act_s;                       /* seconds spent in actions during the current decide */
    float *dec, *dec_all;
    int ndec;
    double nck[256];
    int nnck;
    cJSON *intr_log;                    /* interruptions for the status page: [{t, instance, job, zone, kind}] */
    double spend_base;                  /* $ spent by the run's earlier sessions (journal events 'spend') */
    char tag[128];                      /* the provider's run tag: run_id; locally run_id@<hash of the journal's path>, so
                                           two runs of one file in different folders never take each other's agents */
    double spend_saved_at;              /* wall time the spend was last journaled */
} lv_world;

static double lv_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double lv_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void lv_say(lv_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lv_say(lv_world *w, const char *fmt, ...) {
    if (!w->o->line) return;
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "t=%.2f ", w->now - w->t0);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
    va_end(ap);
    w->o->line(w->o->ctx, buf);
}

/* A journal call failed: keep the first error, the loop stops. */
static int lv_fail(lv_world *w, int rc) {
    if (rc < 0 && !w->err) w->err = rc;
    return rc;
}
#define JR(call) (w->jr && !w->err ? lv_fail(w, (call)) : 0)

static const char *lv_mkt(sk_market m) { return m == SK_MKT_SPOT ? "spot" : "on-demand"; }
static const char *lv_jname(const lv_world *w, int64_t j) { return j >= 0 && j < w->nj ? w->jb[j].spec.name : "-"; }

static double lv_policy_t(const lv_world *w) { return (w->now - w->t0) / w->c->time_scale; }

static void lv_intr_log(lv_world *w, const lv_inst *x, const char *kind) {
    if (!w->intr_log) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "t", round(lv_policy_t(w) * 10) / 10); /* policy seconds, like the status's t */
    cJSON_AddStringToObject(o, "instance", x->id);
    cJSON_AddStringToObject(o, "job", lv_jname(w, x->job));
    cJSON_AddStringToObject(o, "zone", w->c->zones[x->pool].name);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddItemToArray(w->intr_log, o);
}

/* Job state in memory and in the journal (no write when unchanged). */
static void lv_job_state(lv_world *w, int64_t j, sk_job_state to) {
    lv_job *b = &w->jb[j];
    if (b->i.state == to) return;
    JR(sk_journal_job_state(w->jr, b->spec.name, to, w->errbuf, w->errlen));
    if ((b->i.state == SK_JOB_SUBMITTED || b->i.state == SK_JOB_RUNNING) && (to == SK_JOB_QUEUED || to == SK_JOB_RETRY)) b->requeues++;
    w->fv.njobs[b->i.state]--, w->fv.njobs[to]++;
    b->i.state = to;
}

/* The job's progress for the policy from its shards (policy seconds of work). */
static void lv_job_progress(lv_job *b) {
    double g = 0, s = 0, tot = (double)b->spec.tokens * b->spec.instances;
    for (int k = 0; k < b->spec.instances; k++) g += b->sdone[k] ? b->spec.tokens : b->gen[k], s += b->sdone[k] ? b->spec.tokens : b->saved[k];
    b->i.progress = b->i.work * g / tot;
    b->i.saved = b->i.work * s / tot;
}

static void lv_fill_view(lv_world *w) {
    int n = 0;
    for (int64_t k = 0; k < w->nin; k++) {
        const lv_inst *x = &w->in[k];
        if (x->st == SK_INST_GONE || x->cancelled) continue;
        w->vinst[n++] = (sk_instance_info){k, x->pool, x->m, x->st, x->launched_tick};
    }
    w->v.ninst = n, w->v.inst = w->vinst;
    w->v.t = lv_policy_t(w);
    w->v.gap = w->c->tick_s / w->c->time_scale;
    w->v.tick = (int64_t)floor((w->now - w->t0) / w->c->tick_s);
}

static void lv_decide(lv_world *w, sk_trig_kind k, int64_t job, int64_t inst, int pool) {
    if (w->in_decide || w->err) return;
    lv_fill_view(w);
    w->fv.trig = (sk_trigger){k, job, inst, pool};
    w->in_decide = 1;
    w->act_s = 0;
    double t = lv_mono();
    w->pol->decide(w->pst, &w->v, &w->act);
    double all = lv_mono() - t;
    w->in_decide = 0;
    if (w->dec && w->ndec < LV_NSAMP) {
        w->dec_all[w->ndec] = (float)(all * 1e6);
        w->dec[w->ndec++] = (float)((all - w->act_s) * 1e6);
    }
}
/* Actions time themselves so the policy's own time can be told apart. */
#define LV_ACT_BEGIN double lv_t_act = lv_mono()
#define LV_ACT_END (w->act_s += lv_mono() - lv_t_act)

/* ---- view accessors ---- */

static const sk_fjob_info *lv_v_job(const void *wp, int64_t id) {
    const lv_world *w = wp;
    return id >= 0 && id < w->nj ? &w->jb[id].i : NULL;
}
static int64_t lv_v_jobs_from(const lv_world *w, int64_t from, sk_job_state s) {
    for (int64_t j = from; j < w->nj; j++)
        if (w->jb[j].i.state == s) return j;
    return -1;
}
static int64_t lv_v_jobs_first(const void *wp, sk_job_state s) { return lv_v_jobs_from(wp, 0, s); }
static int64_t lv_v_jobs_next(const void *wp, int64_t j) {
    const lv_world *w = wp;
    return j >= 0 && j < w->nj ? lv_v_jobs_from(w, j + 1, w->jb[j].i.state) : -1;
}
static int64_t lv_v_idle_first(const void *wp, int pool, sk_market m) {
    const lv_world *w = wp;
    for (int64_t k = 0; k < w->nin; k++)
        if (w->in[k].st == SK_INST_RUNNING && w->in[k].job < 0 && w->in[k].pool == pool && w->in[k].m == m) return k;
    return -1;
}
static int64_t lv_v_inst_from(const lv_world *w, int64_t from, int64_t job) {
    for (int64_t k = from; k < w->nin; k++)
        if (w->in[k].st != SK_INST_GONE && w->in[k].job == job) return k;
    return -1;
}
static int64_t lv_v_inst_first(const void *wp, int64_t job) { return job < 0 ? -1 : lv_v_inst_from(wp, 0, job); }
static int64_t lv_v_inst_next(const void *wp, int64_t k) {
    const lv_world *w = wp;
    return k >= 0 && k < w->nin && w->in[k].job >= 0 ? lv_v_inst_from(w, k + 1, w->in[k].job) : -1;
}
static int lv_v_inst_pool(const void *wp, int64_t k) {
    const lv_world *w = wp;
    return k >= 0 && k < w->nin ? w->in[k].pool : -1;
}
static sk_market lv_v_inst_market(const void *wp, int64_t k) {
    const lv_world *w = wp;
    return k >= 0 && k < w->nin ? w->in[k].m : SK_MKT_NONE;
}

/* ---- jobs ---- */

static int64_t lv_job_of(const lv_world *w, const char *name) {
    for (int j = 0; j < w->nj; j++)
        if (!strcmp(w->jb[j].spec.name, name)) return j;
    return -1;
}

/* Add a job (spec copied, argv duplicated) in state CREATED; its index or -1 (error set). */
static int64_t lv_job_add(lv_world *w, const sk_live_job *s) {
    if (w->nj == w->capj) {
        int nc = w->capj ? 2 * w->capj : 16;
        lv_job *nb = realloc(w->jb, (size_t)nc * sizeof *nb);
        if (!nb) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory")), -1;
        w->jb = nb, w->capj = nc;
    }
    lv_job *b = &w->jb[w->nj];
    memset(b, 0, sizeof *b);
    b->spec = *s;
    b->spec.instances = s->instances > 0 ? s->instances : 1;
    b->spec.argv = calloc((size_t)s->argc + 1, sizeof *b->spec.argv);
    for (int k = 0; b->spec.argv && k < s->argc; k++)
        if (!(b->spec.argv[k] = strdup(s->argv[k]))) {
            for (int i = 0; i < k; i++) free(b->spec.argv[i]);
            free(b->spec.argv), b->spec.argv = NULL;
        }
    if (!b->spec.argv) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory")), -1;
    int64_t j = w->nj++;
    double arrive = lv_policy_t(w);
    b->i = (sk_fjob_info){.id = j, .state = SK_JOB_CREATED, .gpus = b->spec.instances, .arrival = arrive,
                          .work = s->work_s > 0 ? s->work_s : (double)s->tokens * b->spec.instances,
                          .deadline = s->deadline_s > 0 ? arrive + s->deadline_s : INFINITY, .ckpt_zone = -1,
                          .last_zone = -1, .lost_zone = -1, .market = SK_MKT_NONE};
    b->t_submit = w->now;
    w->fv.njobs[SK_JOB_CREATED]++;
    if (b->spec.instances > w->fv.max_instances) w->fv.max_instances = b->spec.instances;
    return j;
}

/* The job's spec as journal JSON (malloc'd). */
static char *lv_spec_json(const sk_live_job *s) {
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "args");
    cJSON_AddNumberToObject(o, "tokens", s->tokens);
    cJSON_AddNumberToObject(o, "instances", s->instances > 0 ? s->instances : 1);
    if (s->deadline_s > 0) cJSON_AddNumberToObject(o, "deadline_s", s->deadline_s);
    if (s->work_s > 0) cJSON_AddNumberToObject(o, "work_s", s->work_s);
    for (int k = 0; k < s->argc; k++) cJSON_AddItemToArray(a, cJSON_CreateString(s->argv[k]));
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return t;
}

/* A spec from JSON (POST /jobs or the journal); 0, or -1 with why. argv points into j (valid while j lives). */
static int lv_spec_parse(const cJSON *j, sk_live_job *s, char **argv, int maxarg, char *why, size_t wl) {
    memset(s, 0, sizeof *s);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "tokens"), *a = cJSON_GetObjectItemCaseSensitive(j, "args"),
                *k = cJSON_GetObjectItemCaseSensitive(j, "instances"), *d = cJSON_GetObjectItemCaseSensitive(j, "deadline_s"),
                *ws = cJSON_GetObjectItemCaseSensitive(j, "work_s");
    if (!cJSON_IsObject(j)) return snprintf(why, wl, "a job spec is a JSON object"), -1;
    if (!cJSON_IsNumber(t) || t->valuedouble < 1 || t->valuedouble > 1e7 || t->valuedouble != floor(t->valuedouble))
        return snprintf(why, wl, "tokens: an integer from 1 to 10000000 is required"), -1;
    s->tokens = (int)t->valuedouble, s->instances = 1;
    if (k && (!cJSON_IsNumber(k) || k->valuedouble < 1 || k->valuedouble > SK_LIVE_MAXK || k->valuedouble != floor(k->valuedouble)))
        return snprintf(why, wl, "instances: an integer from 1 to %d", SK_LIVE_MAXK), -1;
    if (k) s->instances = (int)k->valuedouble;
    if (d && (!cJSON_IsNumber(d) || !(d->valuedouble > 0))) return snprintf(why, wl, "deadline_s: a positive number"), -1;
    if (d) s->deadline_s = d->valuedouble;
    if (ws && (!cJSON_IsNumber(ws) || !(ws->valuedouble > 0))) return snprintf(why, wl, "work_s: a positive number"), -1;
    if (ws) s->work_s = ws->valuedouble;
    if (a && !cJSON_IsArray(a)) return snprintf(why, wl, "args: an array of strings"), -1;
    int prompts = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        if (!cJSON_IsString(e)) return snprintf(why, wl, "args[%d]: a string", s->argc), -1;
        if (s->argc == maxarg) return snprintf(why, wl, "args: more than %d", maxarg), -1;
        prompts |= !strcmp(e->valuestring, "--prompts") || !strcmp(e->valuestring, "-p");
        argv[s->argc++] = e->valuestring;
    }
    s->argv = argv;
    if (s->instances > 1 && !prompts) return snprintf(why, wl, "instances: %d needs --prompts in args", s->instances), -1;
    return 0;
}

/* ---- instances ---- */

static int64_t lv_new_inst(lv_world *w, const char *id, int pool, sk_market m, int64_t job, int shard) {
    if (w->nin == w->capin) {
        int64_t nc = w->capin ? 2 * w->capin : 16;
        lv_inst *a = realloc(w->in, (size_t)nc * sizeof *a);
        if (a) w->in = a;
        sk_instance_info *b = realloc(w->vinst, (size_t)nc * sizeof *b);
        if (b) w->vinst = b;
        if (!a || !b) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory")), -1;
        w->capin = nc;
    }
    lv_inst *x = &w->in[w->nin];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    x->pool = pool, x->m = m, x->job = x->job0 = job, x->shard = shard, x->st = SK_INST_BOOTING;
    x->t_launch = w->now, x->t_run = -1, x->t_end = -1;
    x->launched_tick = (int64_t)floor((w->now - w->t0) / w->c->tick_s);
    if (m == SK_MKT_SPOT) w->pools[pool].n_spot++;
    else w->pools[pool].n_od++;
    if (job >= 0) {
        lv_job *b = &w->jb[job];
        b->i.ninst++, b->i.gpus_have += w->itype.gpus, b->i.market = m, b->i.last_zone = pool;
    }
    return w->nin++;
}

/* The shard of job j that has neither an instance nor its output: the one a launch is for. */
static int lv_free_shard(const lv_world *w, int64_t j) {
    const lv_job *b = &w->jb[j];
    for (int s = 0; s < b->spec.instances; s++) {
        if (b->sdone[s]) continue;
        int taken = 0;
        for (int64_t k = lv_v_inst_first(w, j); k >= 0 && !taken; k = lv_v_inst_next(w, k)) taken = w->in[k].shard == s;
        if (!taken) return s;
    }
    return -1;
}

/* The view loses instance k (terminated by us or gone): unlink its job; returns the job or -1. A
 * job keeps running while other instances of it live (only the lost one is replaced); with none
 * left it goes back to QUEUED and resumes from its checkpoints. */
static int64_t lv_end_inst(lv_world *w, int64_t k, int gone) {
    lv_inst *x = &w->in[k];
    if (x->st == SK_INST_GONE) return -1;
    if (x->st == SK_INST_RUNNING && x->job < 0) w->pools[x->pool].n_idle[x->m]--;
    if (x->m == SK_MKT_SPOT) w->pools[x->pool].n_spot--;
    else w->pools[x->pool].n_od--;
    if (gone && x->m == SK_MKT_SPOT) w->pools[x->pool].preempted++;
    x->st = SK_INST_GONE;
    if (x->t_end < 0) x->t_end = w->now;
    int64_t j = x->job;
    if (j >= 0) {
        lv_job *b = &w->jb[j];
        b->i.ninst--, b->i.gpus_have -= w->itype.gpus;
        if (gone) b->i.lost_zone = x->pool;
        if (!b->sdone[x->shard]) b->gen[x->shard] = b->saved[x->shard];
        lv_job_progress(b);
        if (b->i.ninst == 0) {
            b->i.market = SK_MKT_NONE;
            if (b->i.state == SK_JOB_RUNNING || b->i.state == SK_JOB_SUBMITTED) lv_job_state(w, j, SK_JOB_QUEUED);
        }
    }
    return j;
}

static double lv_spend(const lv_world *w) {
    double s = 0;
    for (int64_t k = 0; k < w->nin; k++) {
        const lv_inst *x = &w->in[k];
        if (x->st == SK_INST_REQUESTED || (x->t_run < 0 && x->prov_done && !x->adopted && x->t_end == x->t_launch)) continue;
        double end = x->t_end >= 0 ? x->t_end : w->now;
        double p = x->m == SK_MKT_SPOT ? w->pools[x->pool].spot_price : w->pools[x->pool].od_price;
        s += p / 3600.0 * (end - x->t_launch) / w->c->time_scale;
    }
    return w->spend_base + s;
}

/* ---- launches: journaled here, sent by worker threads (several zones at once) ---- */

static void *lv_worker(void *arg) {
    lv_world *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->q_head && !w->quit) pthread_cond_wait(&w->cv, &w->mu);
        if (!w->q_head) break;
        lv_lq *q = w->q_head;
        w->q_head = q->next;
        if (!w->q_head) w->q_tail = NULL;
        w->q_busy++;
        pthread_mutex_unlock(&w->mu);
        sk_pv_launch req = {q->zone, q->itype, q->spot, q->token, q->run_id, q->job, q->argc, q->argv};
        q->rc = w->pv.launch(w->pv.self, &req, &q->out, q->err, sizeof q->err);
        pthread_mutex_lock(&w->mu);
        w->q_busy--;
        q->next = w->done_head;
        w->done_head = q;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void lv_lq_free(lv_lq *q) {
    for (int i = 0; q->argv && i < q->argc; i++) free(q->argv[i]);
    free(q->argv);
    free(q);
}

/* Write the shard's prompts (lines s, s+K, ... of the job's prompt file) to DIR/prompts.txt
 * (atomic; the same bytes every time). 0 or an SK_E* code with the message in the world. */
static int lv_shard_prompts(lv_world *w, const char *src, const char *dst, int s, int K) {
    FILE *f = fopen(src, "r");
    if (!f) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOINPUT, "%s: %s", src, strerror(errno)));
    char tmp[1400];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp) {
        fclose(f);
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECANTCREAT, "%s: path too long", dst));
    }
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fclose(f);
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECANTCREAT, "%s: %s", tmp, strerror(errno)));
    }
    char *line = NULL;
    size_t cap = 0;
    int i = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '\n' || line[0] == '#') continue;
        if (i++ % K == s) fputs(line, o);
    }
    free(line);
    fclose(f);
    if (fclose(o) || rename(tmp, dst))
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECANTCREAT, "%s: %s", dst, strerror(errno)));
    return 0;
}

/* The agent's arguments for shard s of job j into q (owned): `--tokens N --checkpoint-dir DIR --out
 * DIR/output.txt [--report URL] ARGS...`, DIR = WORK/JOB (K = 1) or WORK/JOB/shard-S with the
 * shard's prompts. */
static int lv_agent_args(lv_world *w, int64_t j, int s, const char *token, lv_lq *q) {
    const lv_job *b = &w->jb[j];
    const sk_live_job *jc = &b->spec;
    char dir[1200], out[1300], ntok[24], pr[1300], rep[256];
    if (jc->instances > 1) snprintf(dir, sizeof dir, "%s/%s/shard-%d", w->c->work_dir, jc->name, s);
    else snprintf(dir, sizeof dir, "%s/%s", w->c->work_dir, jc->name);
    snprintf(out, sizeof out, "%s/output.txt", dir);
    snprintf(ntok, sizeof ntok, "%d", jc->tokens);
    snprintf(pr, sizeof pr, "%s/prompts.txt", dir);
    if (jc->instances > 1) {
        char jd[1200];
        snprintf(jd, sizeof jd, "%s/%s", w->c->work_dir, jc->name);
        mkdir(jd, 0777), mkdir(dir, 0777);
        for (int k = 0; k + 1 < jc->argc; k++)
            if ((!strcmp(jc->argv[k], "--prompts") || !strcmp(jc->argv[k], "-p")) &&
                lv_shard_prompts(w, jc->argv[k + 1], pr, s, jc->instances) < 0)
                return -1;
    }
    int rep_on = (!w->pv.agent_local || w->c->report_http) && w->url[0];
    if (rep_on) snprintf(rep, sizeof rep, "%s/agents/%s", w->url, token);
    const char *head[] = {"--tokens", ntok, "--checkpoint-dir", dir, "--out", out, "--report", rep};
    int nh = rep_on ? 8 : 6;
    q->argv = calloc((size_t)(nh + jc->argc + 1), sizeof *q->argv);
    if (!q->argv) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory"));
    for (int k = 0; k < nh; k++) q->argv[q->argc++] = strdup(head[k]);
    for (int k = 0; k < jc->argc; k++) {
        int is_p = jc->instances > 1 && k > 0 && (!strcmp(jc->argv[k - 1], "--prompts") || !strcmp(jc->argv[k - 1], "-p"));
        q->argv[q->argc++] = strdup(is_p ? pr : jc->argv[k]);
    }
    for (int k = 0; k < q->argc; k++)
        if (!q->argv[k]) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory"));
    return 0;
}

/* Hand journaled request req (SENT, client token) to the workers; the instance shows REQUESTED
 * until the answer. Returns the instance index or -1. */
static int64_t lv_send(lv_world *w, int pool, sk_market m, int64_t job, int shard, int64_t req, const char *token) {
    const sk_live_cfg *c = w->c;
    lv_lq *q = calloc(1, sizeof *q);
    if (!q) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory")), -1;
    snprintf(q->token, sizeof q->token, "%s", token);
    snprintf(q->zone, sizeof q->zone, "%s", c->zones[pool].name);
    snprintf(q->itype, sizeof q->itype, "%s", c->itype);
    snprintf(q->run_id, sizeof q->run_id, "%s", w->tag);
    if (w->jb[job].spec.instances > 1) snprintf(q->job, sizeof q->job, "%s#%d", w->jb[job].spec.name, shard);
    else snprintf(q->job, sizeof q->job, "%s", w->jb[job].spec.name);
    q->spot = m == SK_MKT_SPOT;
    if (lv_agent_args(w, job, shard, token, q) < 0) {
        lv_lq_free(q);
        return -1;
    }
    int64_t k = lv_new_inst(w, token, pool, m, job, shard);
    if (k < 0) {
        lv_lq_free(q);
        return -1;
    }
    lv_inst *x = &w->in[k];
    x->st = SK_INST_REQUESTED, x->req = req;
    snprintf(x->token, sizeof x->token, "%s", token);
    if (w->jb[job].i.state == SK_JOB_QUEUED || w->jb[job].i.state == SK_JOB_RETRY) lv_job_state(w, job, SK_JOB_SUBMITTED);
    if (w->q_tail) w->q_tail->next = q;
    else w->q_head = q;
    w->q_tail = q;
    pthread_cond_broadcast(&w->cv);
    return k;
}

static void lv_read_log(lv_world *w, int64_t k);
static int lv_act_terminate(void *wp, int64_t k);

/* The workers' answers (caller holds mu): record each, then tell the policy. */
static void lv_launch_results(lv_world *w) {
    lv_lq *list = w->done_head, *rev = NULL;
    w->done_head = NULL;
    while (list) { /* oldest first */
        lv_lq *n = list->next;
        list->next = rev, rev = list, list = n;
    }
    for (lv_lq *q = rev, *n; q; q = n) {
        n = q->next;
        int64_t k = -1;
        for (int64_t i = 0; i < w->nin; i++)
            if (w->in[i].st == SK_INST_REQUESTED && !strcmp(w->in[i].token, q->token)) k = i;
        if (k < 0 || w->err) {
            lv_lq_free(q);
            continue;
        }
        lv_inst *x = &w->in[k];
        int64_t j = x->job;
        const char *zn = w->c->zones[x->pool].name;
        if (q->rc != 0) {
            JR(sk_journal_launch_result(w->jr, x->req, NULL, NULL, q->err, w->errbuf, w->errlen));
            x->prov_done = 1;
            x->t_end = x->t_launch;
            if (q->rc == SK_PV_CAPACITY) {
                w->pools[x->pool].launch_fail++;
                w->r->launch_fail++;
                if (x->m == SK_MKT_SPOT) w->full_until[x->pool] = w->now + w->c->capacity_ttl_s * w->c->time_scale;
                lv_say(w, "no capacity %s %s for %s: %s", zn, lv_mkt(x->m), lv_jname(w, j), q->err);
            } else
                lv_say(w, "launch failed %s %s for %s: %s", zn, lv_mkt(x->m), lv_jname(w, j), q->err);
            int survivors = j >= 0 && w->jb[j].i.ninst > 1;
            int pool = x->pool;
            if (j >= 0) lv_end_inst(w, k, 0);
            else x->st = SK_INST_GONE; /* cancelled while in flight: already out of the view */
            if (j >= 0 && !sk_job_terminal(w->jb[j].i.state) && q->rc != SK_PV_CAPACITY) {
                /* not a capacity error (the agent cannot start, the provider refuses the request):
                 * the same launch would fail again at once - wait, and fail the job at the third */
                lv_job *b = &w->jb[j];
                if (++b->fails >= 3) {
                    lv_say(w, "job %s: failed (launch failed %d times: %s)", b->spec.name, b->fails, q->err);
                    int64_t k2;
                    while ((k2 = lv_v_inst_first(w, j)) >= 0)
                        if (lv_act_terminate(w, k2) < 0) break;
                    lv_job_state(w, j, SK_JOB_FAILED);
                } else if (!survivors && b->i.state == SK_JOB_QUEUED) {
                    lv_job_state(w, j, SK_JOB_RETRY);
                    b->retry_at = w->now + 10.0 * w->c->time_scale; /* 10 policy seconds */
                }
            } else if (j >= 0 && !sk_job_terminal(w->jb[j].i.state)) {
                if (survivors) lv_decide(w, SK_TRIG_GONE, j, k, pool);
                else if (w->jb[j].i.state == SK_JOB_QUEUED) lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
            }
            lv_lq_free(q);
            continue;
        }
        char tags[256];
        snprintf(tags, sizeof tags, "{\"synkti:run-id\":\"%s\",\"pid\":%ld,\"shard\":%d,\"port\":%d}", w->c->run_id, q->out.pid,
                 x->shard, q->out.port);
        if (JR(sk_journal_launch_result(w->jr, x->req, q->out.id, tags, NULL, w->errbuf, w->errlen))) {
            lv_lq_free(q);
            continue;
        }
        snprintf(x->id, sizeof x->id, "%s", q->out.id);
        x->pid = q->out.pid;
        w->r->launches++;
        if (j >= 0) w->jb[j].launched++;
        double price = x->m == SK_MKT_SPOT ? w->pools[x->pool].spot_price : w->pools[x->pool].od_price;
        char sh[24] = "";
        if (j >= 0 && w->jb[j].spec.instances > 1) snprintf(sh, sizeof sh, " shard %d", x->shard);
        lv_say(w, "launch %s %s %s for %s%s: %s pid %ld ($%.4f/h)", w->c->itype, zn, lv_mkt(x->m), lv_jname(w, j), sh, x->id,
               x->pid, price);
        if (j < 0 || sk_job_terminal(w->jb[j].i.state)) { /* not wanted any more */
            JR(sk_journal_intend_terminate(w->jr, x->id, "not wanted", w->errbuf, w->errlen));
            x->ours = 1;
            w->pv.terminate(w->pv.self, x->id, w->errbuf, w->errlen);
            w->r->terminations++;
            lv_say(w, "terminate %s", x->id);
            if (j >= 0) x->st = SK_INST_BOOTING, lv_end_inst(w, k, 0);
            else x->st = SK_INST_GONE;
        } else
            x->st = SK_INST_BOOTING;
        lv_lq_free(q);
    }
}

/* ---- actions ---- */

static int lv_live_count(const lv_world *w) {
    int live = 0;
    for (int64_t k = 0; k < w->nin; k++) live += w->in[k].st != SK_INST_GONE;
    return live;
}

static int64_t lv_act_launch_for(void *wp, int pool, sk_market m, int64_t job) {
    lv_world *w = wp;
    LV_ACT_BEGIN;
    int64_t k = -1;
    const sk_live_cfg *c = w->c;
    if (w->err || pool < 0 || pool >= c->nzones || (m != SK_MKT_SPOT && m != SK_MKT_OD)) goto out;
    if (job < 0 || job >= w->nj || sk_job_terminal(w->jb[job].i.state) || w->jb[job].i.state == SK_JOB_CREATED) goto out;
    if (w->r->capped) goto out; /* a live instance is the agent of one job's shard: no idle capacity */
    int shard = lv_free_shard(w, job);
    if (shard < 0) goto out;
    const sk_pool_info *pi = &w->pools[pool];
    if (m == SK_MKT_SPOT && (w->now < w->full_until[pool] || (pi->spot_cap >= 0 && pi->spot_cap != INT32_MAX && pi->n_spot >= pi->spot_cap))) {
        w->pools[pool].launch_fail++;
        goto out; /* known to have no spot capacity now: the policy moves on to the next zone */
    }
    if (w->max_inst > 0 && lv_live_count(w) >= w->max_inst) {
        lv_say(w, "refused %s %s for %s: --max-instances %d reached", c->zones[pool].name, lv_mkt(m), lv_jname(w, job), w->max_inst);
        goto out;
    }
    double price = m == SK_MKT_SPOT ? pi->spot_price : pi->od_price;
    if (w->o->dry_run) {
        char id[40];
        snprintf(id, sizeof id, "dry-%" PRId64, w->nin + 1);
        lv_say(w, "would launch %s %s %s for %s ($%.4f/h)", c->itype, c->zones[pool].name, lv_mkt(m), lv_jname(w, job), price);
        k = lv_new_inst(w, id, pool, m, job, shard);
        if (k >= 0) lv_job_state(w, job, SK_JOB_SUBMITTED);
        goto out;
    }
    int64_t req = 0;
    char token[SK_JR_IDLEN];
    if (JR(sk_journal_intend_launch(w->jr, c->zones[pool].name, c->itype, lv_mkt(m), lv_jname(w, job), &req, token, w->errbuf, w->errlen)) ||
        JR(sk_journal_launch_sent(w->jr, req, w->errbuf, w->errlen)))
        goto out;
    k = lv_send(w, pool, m, job, shard, req, token);
out:
    LV_ACT_END;
    return k;
}

static int lv_act_terminate(void *wp, int64_t k) {
    lv_world *w = wp;
    if (k < 0 || k >= w->nin || w->in[k].st == SK_INST_GONE || w->in[k].cancelled) return -1;
    LV_ACT_BEGIN;
    lv_inst *x = &w->in[k];
    if (w->o->dry_run) {
        lv_say(w, "would terminate %s", x->id);
    } else if (x->st == SK_INST_REQUESTED) {
        lv_say(w, "terminate %s when its launch returns", x->id); /* lv_launch_results ends it */
    } else {
        if (JR(sk_journal_intend_terminate(w->jr, x->id, "policy", w->errbuf, w->errlen))) return LV_ACT_END, -1;
        x->ours = 1;
        w->pv.terminate(w->pv.self, x->id, w->errbuf, w->errlen);
        w->r->terminations++;
        lv_say(w, "terminate %s", x->id);
    }
    int requested = x->st == SK_INST_REQUESTED;
    lv_end_inst(w, k, 0);
    if (requested) x->st = SK_INST_REQUESTED, x->job = -1, x->cancelled = 1; /* still awaited: terminated on its answer */
    LV_ACT_END;
    return 0;
}

static int lv_act_assign(void *wp, int64_t job, int64_t k) {
    (void)wp, (void)job, (void)k;
    return -1; /* a live instance runs the one job (shard) it was launched for */
}

static int lv_act_release(void *wp, int64_t job) {
    lv_world *w = wp;
    if (job < 0 || job >= w->nj || sk_job_terminal(w->jb[job].i.state) || w->jb[job].i.state == SK_JOB_CREATED) return -1;
    int64_t k; /* the agent checkpoints on SIGTERM: the job resumes from there */
    while ((k = lv_v_inst_first(w, job)) >= 0)
        if (lv_act_terminate(w, k) < 0) break;
    if (w->jb[job].i.state != SK_JOB_QUEUED && w->jb[job].i.state != SK_JOB_RETRY) lv_job_state(w, job, SK_JOB_QUEUED);
    return 0;
}

static int lv_act_retry(void *wp, int64_t job, double after_s) {
    lv_world *w = wp;
    if (job < 0 || job >= w->nj) return -1;
    LV_ACT_BEGIN;
    lv_job *b = &w->jb[job];
    if (b->i.state != SK_JOB_QUEUED && b->i.state != SK_JOB_RETRY) return LV_ACT_END, -1;
    if (w->fv.max_retries >= 0 && b->i.retries >= w->fv.max_retries) {
        lv_say(w, "abandon %s after %d retries", b->spec.name, (int)b->i.retries);
        lv_job_state(w, job, SK_JOB_ABANDONED);
        return LV_ACT_END, 0;
    }
    b->i.retries++;
    lv_job_state(w, job, SK_JOB_RETRY);
    b->retry_at = w->now + (after_s > 1 ? after_s : 1) * w->c->time_scale;
    lv_say(w, "%s %s in %.0f s", w->o->dry_run ? "would retry" : "retry", b->spec.name, after_s > 1 ? after_s : 1);
    LV_ACT_END;
    return 0;
}

static int lv_act_launch(void *wp, int zone, sk_market m) { return (void)wp, (void)zone, (void)m, 0; }
static int lv_act_probe(void *wp, int zone) { return (void)wp, (void)zone, 0; }
static void lv_act_prices(void *wp) { (void)wp; }

/* ---- events: the agents' progress lines (local: their logs; aws: POSTed reports) ---- */

/* Join the shards' outputs into WORK/JOB/output.txt (atomic). */
static void lv_join_outputs(lv_world *w, int64_t j) {
    const sk_live_job *s = &w->jb[j].spec;
    char dst[1200], tmp[1300], src[1300];
    snprintf(dst, sizeof dst, "%s/%s/output.txt", w->c->work_dir, s->name);
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    FILE *o = fopen(tmp, "wb");
    int ok = o != NULL;
    for (int k = 0; ok && k < s->instances; k++) {
        snprintf(src, sizeof src, "%s/%s/shard-%d/output.txt", w->c->work_dir, s->name, k);
        FILE *f = fopen(src, "rb");
        char buf[8192];
        size_t n;
        if (!f) ok = 0;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) ok &= fwrite(buf, 1, n, o) == n;
        if (f) fclose(f);
    }
    if (o && fclose(o)) ok = 0;
    if (!ok || rename(tmp, dst)) lv_say(w, "warning: %s not written: %s", dst, strerror(errno));
}

/* Instance k has its interruption notice (seen by the provider, or reported by its agent from the
 * instance metadata): NOTIFIED in the view, trigger NOTICE (once). */
static void lv_notice(lv_world *w, int64_t k, const char *from) {
    lv_inst *x = &w->in[k];
    if (x->st != SK_INST_RUNNING && x->st != SK_INST_BOOTING) return;
    if (x->st == SK_INST_RUNNING && x->job < 0) w->pools[x->pool].n_idle[x->m]--;
    x->st = SK_INST_NOTIFIED;
    if (x->t_notice == 0) x->t_notice = w->now;
    w->r->notices++;
    lv_intr_log(w, x, "notice");
    lv_say(w, "notice %s (%s)", x->id, from);
    lv_decide(w, SK_TRIG_NOTICE, x->job, k, x->pool);
}

static void lv_event(lv_world *w, int64_t k, const cJSON *j) {
    lv_inst *x = &w->in[k];
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
    const cJSON *gen = cJSON_GetObjectItemCaseSensitive(j, "generated");
    if (!cJSON_IsString(ev) || x->job < 0) return;
    lv_job *b = &w->jb[x->job];
    const char *e = ev->valuestring, *jn = b->spec.name;
    int s = x->shard;
    if (!strcmp(e, "notice")) { /* the agent read it from the instance metadata */
        if (x->t_notice <= 0) x->t_notice = w->now;
        lv_notice(w, k, "agent");
        return;
    }
    if (!cJSON_IsNumber(gen)) return;
    double g = gen->valuedouble;
    const cJSON *ck = cJSON_GetObjectItemCaseSensitive(j, !strcmp(e, "checkpoint") ? "path" : "checkpoint");
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(j, "location");
    char sh[24] = "";
    if (b->spec.instances > 1) snprintf(sh, sizeof sh, " shard %d", s);
    if (!strcmp(e, "start")) {
        if (b->t_start == 0) b->t_start = w->now;
        b->saved[s] = b->gen[s] = g;
        lv_say(w, "start %s%s on %s at %.0f/%d", jn, sh, x->id, g, b->spec.tokens);
    } else if ((!strcmp(e, "checkpoint") || !strcmp(e, "interrupted")) && cJSON_IsString(ck)) {
        int fresh = g > b->saved[s] || (b->spec.instances == 1 && (int64_t)g > b->last_seq);
        b->saved[s] = b->gen[s] = g;
        b->i.ckpt_zone = x->pool;
        if (fresh) {
            int64_t seq = b->spec.instances == 1 ? (int64_t)g : b->last_seq + 1;
            lv_job_progress(b);
            char e2[512];
            const char *where = cJSON_IsString(loc) ? loc->valuestring : ck->valuestring;
            int rc = w->jr ? sk_journal_checkpoint(w->jr, jn, seq, where, b->i.saved, NULL, e2, sizeof e2) : 0;
            if (rc == 0) b->last_seq = seq;
            else if (rc != SK_EDATA) lv_fail(w, sk_errf(w->errbuf, w->errlen, rc, "%s", e2));
        }
        if (!strcmp(e, "interrupted") && x->t_notice > 0 && w->nnck < 256) w->nck[w->nnck++] = w->now - x->t_notice, x->t_notice = -1;
        lv_say(w, "%s %s%s at %.0f/%d", e, jn, sh, g, b->spec.tokens);
    } else if (!strcmp(e, "heartbeat")) {
        b->gen[s] = g;
    } else if (!strcmp(e, "done")) {
        x->done = 1;
        b->gen[s] = g;
    }
    lv_job_progress(b);
}

/* New complete lines of instance k's log (WORK/logs/<id>.log). */
static void lv_read_log(lv_world *w, int64_t k) {
    lv_inst *x = &w->in[k];
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.log", w->logdir, x->id);
    FILE *f = fopen(path, "r");
    if (!f) return;
    if (fseek(f, x->off, SEEK_SET) == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n') {
            x->off += n;
            cJSON *j = line[0] == '{' ? cJSON_Parse(line) : NULL;
            if (j) lv_event(w, k, j);
            cJSON_Delete(j);
        }
        free(line);
    }
    fclose(f);
}

static const sk_pv_inst *lv_pv_find(const sk_pv_inst *v, int n, const char *id) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].id, id)) return &v[i];
    return NULL;
}

/* A shard's instance ended after its agent said done: the shard's output is there. */
static void lv_shard_done(lv_world *w, int64_t k) {
    lv_inst *x = &w->in[k];
    int64_t j = x->job;
    lv_job *b = &w->jb[j];
    char sh[24] = "";
    if (b->spec.instances > 1) snprintf(sh, sizeof sh, " shard %d", x->shard);
    lv_say(w, "done %s%s on %s", b->spec.name, sh, x->id);
    b->sdone[x->shard] = 1;
    int all = 1;
    for (int s = 0; s < b->spec.instances; s++) all &= b->sdone[s];
    if (!all) {
        lv_end_inst(w, k, 0);
        b->i.gpus_have += w->itype.gpus; /* a finished shard needs no instance again */
        if (b->i.state == SK_JOB_QUEUED) lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        return;
    }
    if (b->spec.instances > 1) lv_join_outputs(w, j);
    if (b->i.state != SK_JOB_RUNNING) lv_job_state(w, j, SK_JOB_RUNNING);
    lv_job_progress(b);
    b->i.saved = b->i.progress = b->i.work;
    lv_job_state(w, j, SK_JOB_COMPLETED);
    b->t_done = w->now;
    x->job = -1, b->i.ninst--, b->i.gpus_have -= w->itype.gpus;
    if (b->i.ninst == 0) b->i.market = SK_MKT_NONE;
    lv_end_inst(w, k, 0);
    lv_decide(w, SK_TRIG_DONE, j, -1, -1);
}

static void lv_poll_inst(lv_world *w, int64_t k, const sk_pv_inst *pi) {
    lv_inst *x = &w->in[k];
    if (w->pv.agent_local && !w->c->report_http) lv_read_log(w, k);
    if (!pi) return; /* not listed yet (EC2 is eventually consistent) */
    if (pi->state == SK_PV_RUNNING && x->st == SK_INST_BOOTING) {
        x->st = SK_INST_RUNNING, x->t_run = w->now;
        lv_say(w, "running %s", x->id);
        if (x->job >= 0 && w->jb[x->job].i.state == SK_JOB_SUBMITTED) lv_job_state(w, x->job, SK_JOB_RUNNING);
        else if (x->job < 0) {
            w->pools[x->pool].n_idle[x->m]++;
            lv_decide(w, SK_TRIG_IDLE, -1, k, x->pool);
        }
    }
    if (pi->notice) lv_notice(w, k, "provider");
    if (x->done && !w->pv.agent_local && x->st != SK_INST_GONE && x->job >= 0 && !sk_job_terminal(w->jb[x->job].i.state)) {
        /* an EC2 instance does not end with its agent: the shard is done, the instance ours to end */
        JR(sk_journal_intend_terminate(w->jr, x->id, "done", w->errbuf, w->errlen));
        x->ours = 1;
        char e2[256];
        w->pv.terminate(w->pv.self, x->id, e2, sizeof e2);
        w->r->terminations++;
        lv_shard_done(w, k);
        return;
    }
    if (pi->state != SK_PV_TERMINATED) return;
    /* the provider is done with it: journal, then the view */
    if (!x->ours) JR(sk_journal_intend_terminate(w->jr, x->id, pi->reason, w->errbuf, w->errlen));
    JR(sk_journal_terminate_result(w->jr, x->id, w->errbuf, w->errlen));
    x->prov_done = 1;
    if (x->t_end < 0) x->t_end = w->now;
    if (x->st == SK_INST_GONE) return;
    int64_t j = x->job;
    if (j >= 0 && x->done && pi->exit_status <= 0 && !sk_job_terminal(w->jb[j].i.state)) {
        lv_shard_done(w, k);
        return;
    }
    w->r->gone++;
    int reclaimed = !strcmp(pi->reason, "Server.SpotInstanceTermination");
    int es = pi->exit_status;
    if (j >= 0 && !reclaimed && !pi->notice && es > 0 && es != 75 && es < 128 && !sk_job_terminal(w->jb[j].i.state)) {
        /* the agent failed by itself: a usage/data/config error (64-66, 78) will fail again; others get 3 tries */
        lv_job *b = &w->jb[j];
        if (++b->fails >= 3 || es == 64 || es == 65 || es == 66 || es == 78) {
            lv_say(w, "gone %s (exit %d) job %s: failed (see %s/%s.log)", x->id, es, b->spec.name, w->logdir, x->id);
            int pool = x->pool;
            lv_end_inst(w, k, 0);
            int64_t k2;
            while ((k2 = lv_v_inst_first(w, j)) >= 0)
                if (lv_act_terminate(w, k2) < 0) break;
            lv_job_state(w, j, SK_JOB_FAILED);
            lv_decide(w, SK_TRIG_GONE, -1, k, pool);
            return;
        }
    }
    if (reclaimed) lv_intr_log(w, x, "gone");
    lv_say(w, "gone %s (%s, exit %d)%s%s", x->id, pi->reason, pi->exit_status, j >= 0 ? " job " : "", j >= 0 ? lv_jname(w, j) : "");
    int pool = x->pool;
    j = lv_end_inst(w, k, reclaimed);
    lv_decide(w, SK_TRIG_GONE, j, k, pool);
}

/* ---- availability (local provider): the zone's spot capacity follows a trace or a model ---- */

static int lv_avail_setup(lv_world *w) {
    const sk_live_cfg *c = w->c;
    for (int p = 0; p < c->nzones; p++) {
        const sk_live_zone *z = &c->zones[p];
        lv_avail *a = &w->av[p];
        a->cap = SK_CAP_INF;
        if (!z->avail_kind[0]) continue;
        if (!w->pv.interrupt || !w->pv.set_capacity)
            return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECONFIG, "%s: avail: zone %s: provider %s decides interruptions itself",
                                      c->path, z->name, w->pv.name));
        if (!strcmp(z->avail_kind, "trace")) {
            sk_count_trace t;
            char e2[512];
            int rc = sk_count_trace_load(&t, z->avail_file, SK_SPOT_AUTO, 0, e2, sizeof e2);
            if (rc < 0) return lv_fail(w, sk_errf(w->errbuf, w->errlen, rc, "%s: avail: zone %s: %s", c->path, z->name, e2));
            a->m = sk_avail_replay_new(t.counts, t.n, sk_time_from(t.gap, SK_SEC), 0, z->avail_scale > 0 ? z->avail_scale : 1, 0);
            sk_count_trace_fini(&t);
        } else if (!strcmp(z->avail_kind, "markov")) {
            int32_t cap[2] = {0, SK_CAP_INF};
            double rate[4] = {0, z->avail_a, z->avail_b, 0};
            a->m = sk_avail_markov_new(2, cap, rate, 1, 0, 0);
        } else
            a->m = sk_avail_hazard_new(z->avail_a, 1.0, 0, 0);
        if (!a->m || sk_rng_init(&a->rng, NULL, 0x5e11, 0, 16 + (uint64_t)p) < 0)
            return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory"));
        a->rng_ok = 1;
        a->have = sk_avail_next(a->m, &a->rng, &a->next);
    }
    return 0;
}

/* Interrupt up to n live spot instances of pool p, the newest first. */
static void lv_reclaim(lv_world *w, int p, int n, const char *why) {
    for (int64_t k = w->nin - 1; k >= 0 && n > 0; k--) {
        lv_inst *x = &w->in[k];
        if (x->pool != p || x->m != SK_MKT_SPOT || (x->st != SK_INST_RUNNING && x->st != SK_INST_BOOTING)) continue;
        if (x->t_notice != 0) continue;
        char e2[256];
        if (w->pv.interrupt(w->pv.self, x->id, w->c->notice_s, e2, sizeof e2) < 0) continue;
        x->t_notice = w->now;
        lv_say(w, "interrupt %s (%s, notice %.0f s)", x->id, why, w->c->notice_s);
        n--;
    }
}

static void lv_avail_tick(lv_world *w) {
    sk_time now = sk_time_from(lv_policy_t(w), SK_SEC);
    for (int p = 0; p < w->c->nzones; p++) {
        lv_avail *a = &w->av[p];
        while (a->m && a->have && a->next.t <= now) {
            sk_avail_step st = a->next;
            a->have = sk_avail_next(a->m, &a->rng, &a->next);
            int live = 0;
            for (int64_t k = 0; k < w->nin; k++) {
                const lv_inst *x = &w->in[k];
                live += x->pool == p && x->m == SK_MKT_SPOT && (x->st == SK_INST_RUNNING || x->st == SK_INST_BOOTING) && x->t_notice == 0;
            }
            if (st.cap != SK_CAP_SAME && st.cap != a->cap) {
                a->cap = st.cap;
                w->pools[p].spot_cap = st.cap == SK_CAP_INF ? -1 : st.cap;
                w->pv.set_capacity(w->pv.self, w->c->zones[p].name, st.cap == SK_CAP_INF ? -1 : st.cap);
                char cs[16] = "unlimited";
                if (st.cap != SK_CAP_INF) snprintf(cs, sizeof cs, "%d", (int)st.cap);
                lv_say(w, "capacity %s spot %s", w->c->zones[p].name, cs);
                if (st.cap != SK_CAP_INF && live > st.cap) lv_reclaim(w, p, live - st.cap, "capacity");
            }
            if (st.shock > 0) lv_reclaim(w, p, (int)ceil(st.shock * live), "reclaim");
        }
    }
}

/* ---- recovery ---- */

static int lv_pool_of(const lv_world *w, const char *zone) {
    for (int p = 0; p < w->c->nzones; p++)
        if (!strcmp(w->c->zones[p].name, zone)) return p;
    return -1;
}

/* The journal's jobs: the run file's are added when new; submitted ones come back from their spec. */
static int lv_load_jobs(lv_world *w) {
    const sk_live_cfg *c = w->c;
    int rc;
    for (int j = 0; j < c->njobs; j++) {
        sk_job_state s;
        double prog;
        int retries;
        char e2[512];
        rc = sk_journal_job_get(w->jr, c->jobs[j].name, &s, &prog, &retries, e2, sizeof e2);
        if (rc == SK_ENOENT) {
            char *spec = lv_spec_json(&c->jobs[j]);
            rc = spec ? sk_journal_add_job(w->jr, c->jobs[j].name, spec, w->errbuf, w->errlen) : SK_ENOMEM;
            free(spec);
        } else if (rc < 0)
            snprintf(w->errbuf, w->errlen, "%s", e2);
        if (rc < 0) return lv_fail(w, rc);
    }
    sqlite3 *db = sk_journal_db(w->jr);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, spec FROM jobs ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_EIO, "%s: %s", w->o->journal, sqlite3_errmsg(db)));
    while (sqlite3_step(st) == SQLITE_ROW && !w->err) {
        const char *id = (const char *)sqlite3_column_text(st, 0), *spec = (const char *)sqlite3_column_text(st, 1);
        if (!id || lv_job_of(w, id) >= 0) continue;
        int in_cfg = -1;
        for (int j = 0; j < c->njobs; j++)
            if (!strcmp(c->jobs[j].name, id)) in_cfg = j;
        if (in_cfg >= 0) {
            lv_job_add(w, &c->jobs[in_cfg]);
            continue;
        }
        cJSON *js = spec ? cJSON_Parse(spec) : NULL;
        char *argv[256], why[200];
        sk_live_job s;
        if (lv_spec_parse(js, &s, argv, 256, why, sizeof why) < 0) {
            lv_say(w, "job %s in the journal has a bad spec (%s): left alone", id, why);
        } else {
            snprintf(s.name, sizeof s.name, "%s", id);
            lv_job_add(w, &s);
        }
        cJSON_Delete(js);
    }
    sqlite3_finalize(st);
    return w->err;
}

/* Keep (adopt) an instance the journal has LIVE and the provider still runs: it goes on with its
 * work; its log is read from the start so its progress is known. */
static void lv_adopt(lv_world *w, const char *id, const char *zone, const char *mkt, const char *job, const char *tags,
                     const sk_pv_inst *pi) {
    int pool = zone ? lv_pool_of(w, zone) : -1;
    int64_t j = job ? lv_job_of(w, job) : -1;
    cJSON *t = tags ? cJSON_Parse(tags) : NULL;
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(t, "shard");
    int shard = cJSON_IsNumber(sh) ? (int)sh->valuedouble : 0;
    cJSON_Delete(t);
    const char *hash = strchr(pi->job, '#');
    if (hash) shard = atoi(hash + 1);
    char e2[512] = "";
    int ok = pool >= 0 && j >= 0 && !sk_job_terminal(w->jb[j].i.state) && shard >= 0 && shard < w->jb[j].spec.instances &&
             lv_free_shard(w, j) >= 0;
    if (ok && w->pv.adopt && w->pv.adopt(w->pv.self, pi, e2, sizeof e2) < 0) ok = 0;
    if (!ok) {
        lv_say(w, "orphan %s: terminate%s%s", id, e2[0] ? ": " : "", e2);
        JR(sk_journal_intend_terminate(w->jr, id, "orphan", w->errbuf, w->errlen));
        w->pv.terminate(w->pv.self, id, e2, sizeof e2);
        w->r->orphans++;
        int64_t k = lv_new_inst(w, id, pool >= 0 ? pool : 0, mkt && !strcmp(mkt, "spot") ? SK_MKT_SPOT : SK_MKT_OD, -1, 0);
        if (k >= 0) w->in[k].ours = 1, w->in[k].adopted = 1, lv_end_inst(w, k, 0);
        char js[160];
        snprintf(js, sizeof js, "{\"instance\":\"%s\",\"pid\":%ld}", id, pi->pid);
        JR(sk_journal_event(w->jr, "orphan_terminated", js, w->errbuf, w->errlen));
        return;
    }
    lv_job *b = &w->jb[j];
    if (b->i.state == SK_JOB_QUEUED || b->i.state == SK_JOB_RETRY) lv_job_state(w, j, SK_JOB_SUBMITTED);
    int64_t k = lv_new_inst(w, id, pool, mkt && !strcmp(mkt, "spot") ? SK_MKT_SPOT : SK_MKT_OD, j, shard);
    if (k < 0) return;
    lv_inst *x = &w->in[k];
    x->adopted = 1, x->pid = pi->pid;
    if (pi->state == SK_PV_RUNNING) {
        x->st = SK_INST_RUNNING, x->t_run = w->now;
        if (b->i.state == SK_JOB_SUBMITTED) lv_job_state(w, j, SK_JOB_RUNNING);
    }
    if (w->pv.agent_local) lv_read_log(w, k);
    w->r->adopted++;
    char tg[256];
    snprintf(tg, sizeof tg, "{\"synkti:run-id\":\"%s\",\"pid\":%ld,\"shard\":%d,\"port\":%d,\"adopted\":true}", w->c->run_id,
             pi->pid, shard, pi->port);
    JR(sk_journal_instance_tags(w->jr, id, tg, w->errbuf, w->errlen));
    lv_say(w, "adopt %s (%s %s) job %s at %.0f/%d", id, zone, mkt, job, b->gen[shard], b->spec.tokens);
    char js[200];
    snprintf(js, sizeof js, "{\"instance\":\"%s\",\"job\":\"%s\",\"shard\":%d}", id, job, shard);
    JR(sk_journal_event(w->jr, "adopted", js, w->errbuf, w->errlen));
}

/* Whether instance id's log (WORK/logs/<id>.log) holds its agent's "done" line. */
static int lv_log_done(const lv_world *w, const char *id) {
    char path[1200], *line = NULL;
    size_t cap = 0;
    snprintf(path, sizeof path, "%s/%s.log", w->logdir, id);
    FILE *f = fopen(path, "r");
    int done = 0;
    while (f && getline(&line, &cap, f) > 0) done |= strstr(line, "\"event\":\"done\"") != NULL;
    free(line);
    if (f) fclose(f);
    return done;
}

/* Bring journal and provider into agreement, adopt what still runs, then load the jobs' states. */
static int lv_recover(lv_world *w) {
    int rc;
    char e2[512];
    if (lv_load_jobs(w)) return w->err;
    sqlite3_stmt *sp = NULL;
    if (sqlite3_prepare_v2(sk_journal_db(w->jr), "SELECT json_extract(json, '$.total') FROM events WHERE kind='spend' ORDER BY id DESC LIMIT 1",
                           -1, &sp, NULL) == SQLITE_OK && sqlite3_step(sp) == SQLITE_ROW)
        w->spend_base = sqlite3_column_double(sp, 0);
    sqlite3_finalize(sp);
    if (w->spend_base > 0) lv_say(w, "spend so far $%.4f (earlier sessions)", w->spend_base);
    if (w->pv.discover) w->pv.discover(w->pv.self, w->tag);
    if ((rc = w->pv.refresh(w->pv.self, e2, sizeof e2)) < 0)
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, rc, "provider %s: %s", w->pv.name, e2));
    sk_jr_view jv = {0};
    if ((rc = sk_journal_load_view(w->jr, &jv, w->errbuf, w->errlen)) < 0) return lv_fail(w, rc);
    int np = w->pv.list(w->pv.self, w->tag, NULL, 0);
    sk_pv_inst *li = calloc((size_t)(np > 0 ? np : 0) + 1, sizeof *li);
    sk_prov_inst *pi = calloc((size_t)(np > 0 ? np : 0) + 1, sizeof *pi);
    sk_rc_action *act = NULL;
    int need = 0;
    if (!li || !pi || np < 0) rc = SK_ENOMEM;
    else {
        np = w->pv.list(w->pv.self, w->tag, li, np);
        for (int i = 0; i < np; i++)
            pi[i] = (sk_prov_inst){li[i].id,
                                   li[i].state == SK_PV_PENDING   ? SK_PI_PENDING
                                   : li[i].state == SK_PV_RUNNING ? SK_PI_RUNNING
                                                                  : SK_PI_GONE,
                                   li[i].client_token};
        need = sk_reconcile(&jv, pi, (size_t)np, NULL, 0);
        if (need < 0) rc = need;
        else if (need > 0 && !(act = calloc((size_t)need, sizeof *act))) rc = SK_ENOMEM;
        else if (need > 0) sk_reconcile(&jv, pi, (size_t)np, act, (size_t)need);
    }
    if (rc < 0 && !w->errbuf[0]) sk_errf(w->errbuf, w->errlen, rc, "%s: reconcile: %s", w->o->journal, sk_strerror(rc));
    if (rc >= 0 && need > 0) rc = sk_journal_apply(w->jr, act, (size_t)need, w->errbuf, w->errlen);
    /* the jobs as the journal has them now */
    for (int j = 0; rc >= 0 && j < w->nj; j++) {
        sk_job_state s;
        double prog;
        int retries;
        if ((rc = sk_journal_job_get(w->jr, w->jb[j].spec.name, &s, &prog, &retries, w->errbuf, w->errlen)) < 0) break;
        lv_job *b = &w->jb[j];
        w->fv.njobs[b->i.state]--, w->fv.njobs[s]++;
        b->i.state = s, b->i.retries = retries, b->requeues = retries;
        if (b->spec.instances == 1) b->saved[0] = b->gen[0] = prog / b->i.work * b->spec.tokens;
        lv_job_progress(b);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(sk_journal_db(w->jr), "SELECT coalesce(max(seq),0) FROM checkpoints WHERE job=?", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, b->spec.name, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(st) == SQLITE_ROW) b->last_seq = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    for (int i = 0; rc >= 0 && i < need; i++) {
        const sk_rc_action *a = &act[i];
        lv_say(w, "reconcile %s %s%s%s (%s)", sk_rc_kind_name(a->kind), a->inst, a->job[0] ? " job " : "", a->job, a->why);
        w->r->reconciled++;
        if (a->kind == SK_RC_TERMINATE) {
            const sk_pv_inst *p = lv_pv_find(li, np, a->inst);
            w->pv.terminate(w->pv.self, a->inst, e2, sizeof e2);
            w->r->orphans++;
            if (!p || p->state == SK_PV_TERMINATED) rc = sk_journal_terminate_result(w->jr, a->inst, w->errbuf, w->errlen);
            else {
                int64_t k = lv_new_inst(w, a->inst, lv_pool_of(w, p->zone) >= 0 ? lv_pool_of(w, p->zone) : 0,
                                        p->spot ? SK_MKT_SPOT : SK_MKT_OD, -1, 0);
                if (k >= 0) w->in[k].ours = 1, w->in[k].adopted = 1, lv_end_inst(w, k, 0); /* the poll records its end */
            }
        }
    }
    /* an instance lost while the controller was down whose agent had finished (its log says done):
     * the job is complete, not to be run again */
    for (int i = 0; rc >= 0 && i < need && w->pv.agent_local; i++) {
        const sk_rc_action *a = &act[i];
        int64_t j = a->kind == SK_RC_LOST && a->job[0] ? lv_job_of(w, a->job) : -1;
        if (j < 0 || w->jb[j].spec.instances != 1 || w->jb[j].i.state != SK_JOB_QUEUED || !lv_log_done(w, a->inst)) continue;
        lv_say(w, "done %s on %s (its log, while the controller was down)", a->job, a->inst);
        lv_job_state(w, j, SK_JOB_SUBMITTED), lv_job_state(w, j, SK_JOB_RUNNING), lv_job_state(w, j, SK_JOB_COMPLETED);
        w->jb[j].sdone[0] = 1;
        lv_job_progress(&w->jb[j]);
    }
    /* the journal's LIVE instances: adopt the ones the provider runs; TERMINATING ones: again */
    sqlite3_stmt *st = NULL;
    if (rc >= 0 && sqlite3_prepare_v2(sk_journal_db(w->jr), "SELECT id, zone, market, job, tags, state FROM instances WHERE state IN "
                                      "('live','terminating') ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        rc = sk_errf(w->errbuf, w->errlen, SK_EIO, "%s: %s", w->o->journal, sqlite3_errmsg(sk_journal_db(w->jr)));
    while (rc >= 0 && st && sqlite3_step(st) == SQLITE_ROW && !w->err) {
        const char *id = (const char *)sqlite3_column_text(st, 0), *zone = (const char *)sqlite3_column_text(st, 1),
                   *mkt = (const char *)sqlite3_column_text(st, 2), *job = (const char *)sqlite3_column_text(st, 3),
                   *tags = (const char *)sqlite3_column_text(st, 4), *state = (const char *)sqlite3_column_text(st, 5);
        const sk_pv_inst *p = id ? lv_pv_find(li, np, id) : NULL;
        int known = 0;
        for (int64_t k = 0; k < w->nin; k++) known |= !strcmp(w->in[k].id, id);
        if (!p || p->state == SK_PV_TERMINATED || known) continue;
        if (!strcmp(state, "live")) lv_adopt(w, id, zone, mkt, job, tags, p);
        else {
            w->pv.terminate(w->pv.self, id, e2, sizeof e2);
            int64_t k = lv_new_inst(w, id, zone && lv_pool_of(w, zone) >= 0 ? lv_pool_of(w, zone) : 0,
                                    mkt && !strcmp(mkt, "spot") ? SK_MKT_SPOT : SK_MKT_OD, -1, 0);
            if (k >= 0) w->in[k].ours = 1, w->in[k].adopted = 1, lv_end_inst(w, k, 0);
        }
    }
    sqlite3_finalize(st);
    /* open requests to send again with their token (the provider returns what it launched) */
    for (int i = 0; rc >= 0 && i < need && !w->err; i++) {
        const sk_rc_action *a = &act[i];
        if (a->kind != SK_RC_REISSUE) continue;
        const sk_jr_request *q = NULL;
        for (size_t r = 0; r < jv.nreq; r++)
            if (jv.req[r].id == a->req) q = &jv.req[r];
        int p = q ? lv_pool_of(w, q->zone) : -1;
        int64_t j = q && q->job[0] ? lv_job_of(w, q->job) : -1;
        int shard = j >= 0 ? lv_free_shard(w, j) : -1;
        if (p < 0 || j < 0 || shard < 0 || sk_job_terminal(w->jb[j].i.state))
            rc = sk_journal_launch_result(w->jr, a->req, NULL, NULL, "not wanted after the restart", w->errbuf, w->errlen);
        else
            lv_send(w, p, strcmp(q->market, "spot") ? SK_MKT_OD : SK_MKT_SPOT, j, shard, a->req, a->token);
    }
    free(act), free(li), free(pi);
    sk_jr_view_free(&jv);
    return rc < 0 ? lv_fail(w, rc) : w->err;
}

/* ---- the HTTP API (live/sk_httpd calls these from its threads; each takes the world's lock) ---- */

static const char *lv_pv_state_name(const lv_inst *x) {
    static const char *n[] = {"requested", "booting", "running", "notified", "terminated"};
    return n[x->st];
}

static cJSON *lv_job_json(const lv_world *w, int64_t j) {
    const lv_job *b = &w->jb[j];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", b->spec.name);
    cJSON_AddStringToObject(o, "state", sk_job_state_name(b->i.state));
    double g = 0, s = 0;
    for (int k = 0; k < b->spec.instances; k++) g += b->sdone[k] ? b->spec.tokens : b->gen[k], s += b->sdone[k] ? b->spec.tokens : b->saved[k];
    if (b->i.state == SK_JOB_COMPLETED) g = s = (double)b->spec.tokens * b->spec.instances;
    cJSON_AddNumberToObject(o, "progress", g);
    cJSON_AddNumberToObject(o, "work", (double)b->spec.tokens * b->spec.instances);
    cJSON_AddNumberToObject(o, "saved", s);
    cJSON_AddNumberToObject(o, "retries", b->requeues);
    cJSON_AddNumberToObject(o, "instances", b->i.ninst);
    if (isfinite(b->i.deadline)) cJSON_AddNumberToObject(o, "deadline_t", b->i.deadline);
    return o;
}

static cJSON *lv_api_status(void *ctx) {
    lv_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    double now = lv_wall();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "run_id", w->c->run_id);
    cJSON_AddStringToObject(o, "provider", w->pv.name);
    cJSON_AddStringToObject(o, "policy", w->c->policy);
    cJSON_AddNumberToObject(o, "t", (now - w->t0) / w->c->time_scale);
    cJSON_AddNumberToObject(o, "wall_s", now - w->t0);
    int all = 1;
    for (int j = 0; j < w->nj; j++) all &= sk_job_terminal(w->jb[j].i.state);
    cJSON_AddStringToObject(o, "state", all && w->nj ? "done" : "running");
    cJSON_AddNumberToObject(o, "spend", lv_spend(w));
    cJSON_AddNumberToObject(o, "spend_cap", w->o->spend_cap);
    cJSON *zs = cJSON_AddArrayToObject(o, "zones");
    for (int p = 0; p < w->c->nzones; p++) {
        cJSON *z = cJSON_CreateObject();
        cJSON_AddStringToObject(z, "name", w->c->zones[p].name);
        cJSON_AddNumberToObject(z, "spot_price", w->pools[p].spot_price);
        cJSON_AddNumberToObject(z, "od_price", w->pools[p].od_price);
        cJSON_AddNumberToObject(z, "live", w->pools[p].n_spot + w->pools[p].n_od);
        cJSON_AddNumberToObject(z, "launch_fail", (double)w->pools[p].launch_fail);
        cJSON_AddItemToArray(zs, z);
    }
    cJSON *is = cJSON_AddArrayToObject(o, "instances");
    for (int64_t k = 0; k < w->nin; k++) {
        const lv_inst *x = &w->in[k];
        if (x->st == SK_INST_GONE && x->prov_done) continue;
        cJSON *i = cJSON_CreateObject();
        cJSON_AddStringToObject(i, "id", x->id);
        cJSON_AddStringToObject(i, "zone", w->c->zones[x->pool].name);
        cJSON_AddStringToObject(i, "market", lv_mkt(x->m));
        cJSON_AddStringToObject(i, "state", x->st == SK_INST_GONE ? "shutting-down" : lv_pv_state_name(x));
        cJSON_AddStringToObject(i, "job", lv_jname(w, x->job));
        cJSON_AddNumberToObject(i, "since_t", (x->t_launch - w->t0) / w->c->time_scale);
        cJSON_AddItemToArray(is, i);
    }
    cJSON *js = cJSON_AddArrayToObject(o, "jobs");
    for (int j = 0; j < w->nj; j++) cJSON_AddItemToArray(js, lv_job_json(w, j));
    cJSON_AddItemToObject(o, "interruptions", cJSON_Duplicate(w->intr_log, 1));
    cJSON *cn = cJSON_AddObjectToObject(o, "counts");
    cJSON_AddNumberToObject(cn, "launches", w->r->launches);
    cJSON_AddNumberToObject(cn, "launch_fail", w->r->launch_fail);
    cJSON_AddNumberToObject(cn, "terminations", w->r->terminations);
    cJSON_AddNumberToObject(cn, "gone", w->r->gone);
    cJSON_AddNumberToObject(cn, "notices", w->r->notices);
    pthread_mutex_unlock(&w->mu);
    return o;
}

static cJSON *lv_api_providers(void *ctx) {
    lv_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "providers"), *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", w->pv.name);
    cJSON_AddBoolToObject(p, "ok", w->pv_ok);
    cJSON_AddNumberToObject(p, "launches", w->r->launches);
    cJSON_AddNumberToObject(p, "launch_fail", w->r->launch_fail);
    cJSON_AddNumberToObject(p, "queued_launches", w->q_busy);
    sk_prov_aws_stats hs;
    if (sk_prov_aws_health(&w->pv, &hs) == 0) { /* SK_EUSAGE for another provider */
        cJSON_AddNumberToObject(p, "calls", (double)hs.calls);
        cJSON_AddNumberToObject(p, "errors", (double)hs.errors);
        cJSON_AddNumberToObject(p, "capacity_errors", (double)hs.capacity);
        cJSON_AddNumberToObject(p, "retries", (double)hs.retries);
        cJSON_AddStringToObject(p, "last_error", hs.last_error);
        cJSON_AddStringToObject(p, "last_code", hs.last_code);
    }
    cJSON_AddItemToArray(a, p);
    pthread_mutex_unlock(&w->mu);
    return o;
}

static cJSON *lv_api_job(void *ctx, const char *id) {
    lv_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    int64_t j = lv_job_of(w, id);
    cJSON *o = NULL;
    if (j >= 0) {
        o = lv_job_json(w, j);
        char *spec = lv_spec_json(&w->jb[j].spec);
        cJSON *sp = spec ? cJSON_Parse(spec) : NULL;
        free(spec);
        if (sp) cJSON_AddItemToObject(o, "spec", sp);
        cJSON *h = cJSON_AddArrayToObject(o, "history");
        for (int64_t k = 0; k < w->nin; k++) {
            const lv_inst *x = &w->in[k];
            if (x->job0 != j || x->st == SK_INST_REQUESTED) continue;
            cJSON *i = cJSON_CreateObject();
            cJSON_AddStringToObject(i, "instance", x->id);
            cJSON_AddStringToObject(i, "zone", w->c->zones[x->pool].name);
            cJSON_AddStringToObject(i, "market", lv_mkt(x->m));
            cJSON_AddItemToArray(h, i);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return o;
}

/* The logs of every instance that ran job id (this session and, for local, its log files). */
static char *lv_api_logs(void *ctx, const char *id, size_t *len) {
    lv_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    int64_t j = lv_job_of(w, id);
    char *out = NULL;
    size_t n = 0, cap = 0;
    if (j >= 0) {
        out = calloc(1, cap = 4096);
        for (int64_t k = 0; out && k < w->nin; k++) {
            const lv_inst *x = &w->in[k];
            if (x->job0 != j || x->st == SK_INST_REQUESTED) continue;
            char path[1200];
            snprintf(path, sizeof path, "%s/%s.log", w->logdir, x->id);
            FILE *f = fopen(path, "r");
            if (!f) continue;
            char hdr[200];
            int hl = snprintf(hdr, sizeof hdr, "== %s (%s %s)\n", x->id, w->c->zones[x->pool].name, lv_mkt(x->m));
            char buf[8192];
            size_t r = (size_t)hl;
            const char *src = hdr;
            for (;;) {
                if (n + r + 1 > cap) {
                    char *t = realloc(out, cap = 2 * (n + r + 1));
                    if (!t) break;
                    out = t;
                }
                memcpy(out + n, src, r), n += r;
                if ((r = fread(buf, 1, sizeof buf, f)) == 0) break;
                src = buf;
            }
            fclose(f);
        }
        if (out) out[n] = 0;
    }
    pthread_mutex_unlock(&w->mu);
    *len = n;
    return out;
}

static int lv_api_submit(void *ctx, const cJSON *spec, char *id, size_t idlen, char *err, size_t errlen) {
    lv_world *w = ctx;
    char *argv[256], why[200];
    sk_live_job s;
    if (lv_spec_parse(spec, &s, argv, 256, why, sizeof why) < 0) return snprintf(err, errlen, "%s", why), 400;
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(spec, "id");
    pthread_mutex_lock(&w->mu);
    int code = 201;
    if (jid && (!cJSON_IsString(jid) || !*jid->valuestring || strlen(jid->valuestring) >= sizeof s.name ||
                strchr(jid->valuestring, '/') || strchr(jid->valuestring, '#') || jid->valuestring[0] == '.'))
        code = 400, snprintf(err, errlen, "id: a plain name of 1 to %zu characters", sizeof s.name - 1);
    else if (jid) snprintf(s.name, sizeof s.name, "%s", jid->valuestring);
    else
        for (int n = w->nj + 1; snprintf(s.name, sizeof s.name, "job-%d", n), lv_job_of(w, s.name) >= 0; n++) {}
    if (code == 201 && lv_job_of(w, s.name) >= 0) code = 409, snprintf(err, errlen, "job '%s' exists", s.name);
    if (code == 201 && (w->err || w->r->capped)) code = 409, snprintf(err, errlen, "the controller is stopping");
    if (code == 201) {
        w->now = lv_wall();
        char *js = lv_spec_json(&s);
        int rc = js ? sk_journal_add_job(w->jr, s.name, js, err, errlen) : SK_ENOMEM;
        free(js);
        int64_t j = rc < 0 ? -1 : lv_job_add(w, &s);
        if (j < 0) code = 500, snprintf(err, errlen, "%s", rc < 0 ? err : w->errbuf);
        else {
            snprintf(id, idlen, "%s", s.name);
            lv_say(w, "submitted %s (%d tokens x %d)", s.name, s.tokens, s.instances);
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_ARRIVAL, j, -1, -1);
            pthread_cond_broadcast(&w->cv);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return code;
}

static int lv_api_cancel(void *ctx, const char *id, char *err, size_t errlen) {
    lv_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    int64_t j = lv_job_of(w, id);
    int code = 200;
    if (j < 0) code = 404, snprintf(err, errlen, "no job '%s'", id);
    else if (sk_job_terminal(w->jb[j].i.state))
        code = 409, snprintf(err, errlen, "job '%s' is already %s", id, sk_job_state_name(w->jb[j].i.state));
    else {
        w->now = lv_wall();
        int64_t k;
        while ((k = lv_v_inst_first(w, j)) >= 0)
            if (lv_act_terminate(w, k) < 0) break;
        lv_job_state(w, j, SK_JOB_ABANDONED);
        lv_say(w, "cancelled %s", id);
        JR(sk_journal_event(w->jr, "cancelled", "{}", w->errbuf, w->errlen));
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return code;
}

static int lv_api_report(void *ctx, const char *inst, const cJSON *body, char *err, size_t errlen) {
    lv_world *w = ctx;
    if (!cJSON_IsObject(body) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "event")))
        return snprintf(err, errlen, "an agent report is a JSON object with an \"event\""), 400;
    pthread_mutex_lock(&w->mu);
    int64_t k = -1;
    for (int64_t i = 0; i < w->nin; i++)
        if (!strcmp(w->in[i].id, inst) || !strcmp(w->in[i].token, inst)) k = i;
    int code = 204;
    if (k < 0) code = 404, snprintf(err, errlen, "no instance '%s' in this run", inst);
    else {
        w->now = lv_wall();
        char *line = cJSON_PrintUnformatted(body), path[1200];
        snprintf(path, sizeof path, "%s/%s.log", w->logdir, w->in[k].id);
        FILE *f = line ? fopen(path, "a") : NULL;
        if (f) fprintf(f, "%s\n", line), fclose(f);
        free(line);
        lv_event(w, k, body);
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return code;
}

/* ---- provider aws ---- */

static int lv_token(lv_world *w, const char *path);

/* The EC2 provider from the run file's aws.* keys; spot prices from EC2 replace the file's where
 * EC2 has one (DescribeSpotPriceHistory; a failure keeps the file's prices and says so). */
static int lv_aws_open(lv_world *w, char *err, size_t errlen) {
    const sk_live_cfg *c = w->c;
    char *ud = NULL;
    if (c->aws_user_data[0]) {
        FILE *f = fopen(c->aws_user_data, "rb");
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < 16384 && fseek(f, 0, SEEK_SET) == 0 &&
            (ud = calloc(1, (size_t)n + 1)) && fread(ud, 1, (size_t)n, f) != (size_t)n)
            free(ud), ud = NULL;
        if (f) fclose(f);
        if (!ud)
            return sk_errf(err, errlen, SK_ENOINPUT, "%s: aws.user_data: %s: %s", c->path, c->aws_user_data,
                           n >= 16384 ? "over 16 KiB" : strerror(errno ? errno : EIO));
    }
    if (!w->token[0] && strcmp(c->http, "off")) { /* the agents report with the controller's token */
        char tf[1100];
        if (c->token_file[0]) snprintf(tf, sizeof tf, "%s", c->token_file);
        else snprintf(tf, sizeof tf, "%s/token", c->work_dir);
        if (lv_token(w, tf) < 0) return free(ud), w->err;
    }
    if (w->token[0]) {
        const char *pre = ud ? ud : "#!/bin/sh\n";
        size_t n = strlen(pre) + strlen(w->token) + 64;
        char *u2 = malloc(n);
        if (!u2) return free(ud), sk_errf(err, errlen, SK_ENOMEM, "out of memory");
        snprintf(u2, n, "%s%sexport SYNKTI_TOKEN='%s'\n", pre, pre[strlen(pre) - 1] == '\n' ? "" : "\n", w->token);
        free(ud);
        ud = u2;
    }
    const char *sg[1] = {c->aws_sg};
    sk_prov_aws_cfg ac = {.region = c->aws_region, .endpoint_url = c->aws_endpoint[0] ? c->aws_endpoint : NULL,
                          .profile = c->aws_profile[0] ? c->aws_profile : NULL, .run_id = c->run_id, .image_id = c->aws_image,
                          .key_name = c->aws_key[0] ? c->aws_key : NULL, .subnet_id = c->aws_subnet[0] ? c->aws_subnet : NULL,
                          .security_group_ids = c->aws_sg[0] ? sg : NULL, .n_security_groups = c->aws_sg[0] ? 1 : 0,
                          .spot_max_price = c->aws_max_price[0] ? c->aws_max_price : NULL, .user_data = ud,
                          .describe_min_interval_s = c->aws_describe_s};
    int rc = sk_prov_aws_open(&w->pv, &ac, err, errlen);
    free(ud);
    if (rc < 0) return rc;
    const char *zn[SK_LIVE_MAXZ];
    double px[SK_LIVE_MAXZ];
    for (int p = 0; p < c->nzones; p++) zn[p] = c->zones[p].name;
    char e2[512];
    int got = sk_prov_aws_spot_prices(&w->pv, c->itype, zn, c->nzones, px, e2, sizeof e2);
    if (got < 0) lv_say(w, "spot prices from EC2: %s (the run file's prices stay)", e2);
    for (int p = 0; got > 0 && p < c->nzones; p++)
        if (px[p] > 0) {
            w->pools[p].spot_price = w->zones[p].spot_price = px[p];
            lv_say(w, "spot price %s %s $%.4f/h (EC2)", c->zones[p].name, c->itype, px[p]);
        }
    return 0;
}

/* ---- run ---- */

static int lv_setup(lv_world *w, char *err, size_t errlen) {
    const sk_live_cfg *c = w->c;
    const sk_scenario_kind *fk = sk_scenario_find("fleet");
    const sk_policy_def *pd = fk ? sk_scenario_policy(fk, c->policy) : NULL;
    if (!pd) return sk_errf(err, errlen, SK_ECONFIG, "%s: policy: no fleet policy '%s'", c->path, c->policy);
    if (!strcmp(c->policy, "fifo"))
        return sk_errf(err, errlen, SK_ECONFIG, "%s: policy: fifo schedules a standing fleet (idle instances, assign); a live "
                       "instance is launched for one job: use cheapest_spot, on_demand, failover, eager_next_region, "
                       "uniform_progress or mr_*", c->path);
    w->pol = sk_gpolicy_of(pd);
    for (int i = 0; i < c->npp; i++)
        if (sk_param_find(pd->params, pd->nparams, c->pkey[i]) < 0)
            return sk_errf(err, errlen, SK_ECONFIG, "%s: policy.%s: policy %s has no such parameter", c->path, c->pkey[i],
                           c->policy);
    w->npp = pd->nparams;
    if (!(w->pp = calloc(pd->nparams + 1, sizeof *w->pp))) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    for (size_t k = 0; k < pd->nparams; k++) {
        const char *text = pd->params[k].def;
        for (int i = 0; i < c->npp; i++)
            if (!strcmp(c->pkey[i], pd->params[k].name)) text = c->pval[i];
        char why[200];
        if (!text) return sk_errf(err, errlen, SK_ECONFIG, "%s: policy.%s: required", c->path, pd->params[k].name);
        if (sk_param_parse(&pd->params[k], text, &w->pp[k], why, sizeof why) < 0)
            return sk_errf(err, errlen, SK_ECONFIG, "%s: policy.%s: %s", c->path, pd->params[k].name, why);
    }
    /* zones = pools: one instance type */
    w->itype = (sk_itype_info){c->itype, "local", 0, 1, 0};
    w->gpus[0] = "local";
    for (int p = 0; p < c->nzones; p++) {
        w->zones[p] = (sk_zone_info){c->zones[p].name, c->zones[p].name, c->zones[p].name, "local", c->zones[p].od_price,
                                     c->zones[p].spot_price, -1};
        w->pools[p] = (sk_pool_info){.zone = p, .type = 0, .od_price = c->zones[p].od_price,
                                     .spot_price = c->zones[p].spot_price, .spot_cap = -1};
        w->by_spot[p] = w->by_od[p] = p;
    }
    for (int a = 1; a < c->nzones; a++) /* insertion sorts by price, then index */
        for (int b = a; b > 0; b--) {
            if (c->zones[w->by_spot[b]].spot_price < c->zones[w->by_spot[b - 1]].spot_price) {
                int32_t t = w->by_spot[b];
                w->by_spot[b] = w->by_spot[b - 1], w->by_spot[b - 1] = t;
            }
            if (c->zones[w->by_od[b]].od_price < c->zones[w->by_od[b - 1]].od_price) {
                int32_t t = w->by_od[b];
                w->by_od[b] = w->by_od[b - 1], w->by_od[b - 1] = t;
            }
        }
    w->fv = (sk_fleet_view){.ntypes = 1, .types = &w->itype, .ngpus = 1, .gpus = w->gpus, .npools = c->nzones,
                            .pools = w->pools, .by_spot = w->by_spot, .by_od = w->by_od,
                            .ckpt_every = c->ckpt_every_s, .restart_s = c->restart_s, .max_instances = 1,
                            .max_retries = c->max_retries, .w = w, .job = lv_v_job, .jobs_first = lv_v_jobs_first,
                            .jobs_next = lv_v_jobs_next, .idle_first = lv_v_idle_first, .inst_first = lv_v_inst_first,
                            .inst_next = lv_v_inst_next, .inst_pool = lv_v_inst_pool, .inst_market = lv_v_inst_market};
    for (int j = 0; j < c->njobs; j++)
        if (c->jobs[j].instances > w->fv.max_instances) w->fv.max_instances = c->jobs[j].instances;
    if (w->fv.max_instances < SK_LIVE_MAXK) w->fv.max_instances = SK_LIVE_MAXK; /* submitted jobs may span up to K */
    if (sk_rng_init(&w->rng, NULL, 0x5e11, 0, SK_STREAM_POLICY) < 0) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    w->rng_ok = 1;
    w->v = (sk_view){.nzones = c->nzones, .zones = w->zones, .rng = &w->rng, .fleet = &w->fv};
    w->act = (sk_actor){w, lv_act_launch, lv_act_terminate, lv_act_probe, lv_act_prices, lv_act_launch_for,
                        lv_act_assign, lv_act_release, lv_act_retry};
    if (!(w->vinst = malloc(sizeof *w->vinst)) || !(w->intr_log = cJSON_CreateArray()) ||
        !(w->dec = malloc(LV_NSAMP * sizeof *w->dec)) || !(w->dec_all = malloc(LV_NSAMP * sizeof *w->dec_all)))
        return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    if (w->pol->state_size && !(w->pst = calloc(1, w->pol->state_size)))
        return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    char msg[256] = "";
    lv_fill_view(w);
    if (w->pol->init && w->pol->init(w->pst, w->pp, &w->v, msg, sizeof msg) < 0)
        return sk_errf(err, errlen, SK_ECONFIG, "%s: policy %s: %s", c->path, c->policy, msg);
    return 0;
}

static void lv_free(lv_world *w) {
    if (w->pst && w->pol && w->pol->fini) w->pol->fini(w->pst);
    free(w->pst);
    for (size_t k = 0; w->pp && k < w->npp; k++) sk_value_fini(&w->pp[k]);
    free(w->pp);
    if (w->rng_ok) sk_rng_fini(&w->rng);
    for (int p = 0; p < SK_LIVE_MAXZ; p++) {
        sk_avail_free(w->av[p].m);
        if (w->av[p].rng_ok) sk_rng_fini(&w->av[p].rng);
    }
    for (int j = 0; j < w->nj; j++) {
        for (int k = 0; k < w->jb[j].spec.argc; k++) free(w->jb[j].spec.argv[k]);
        free(w->jb[j].spec.argv);
    }
    for (lv_lq *q = w->q_head, *n; q; q = n) n = q->next, lv_lq_free(q);
    for (lv_lq *q = w->done_head, *n; q; q = n) n = q->next, lv_lq_free(q);
    cJSON_Delete(w->intr_log);
    free(w->jb), free(w->in), free(w->vinst), free(w->dec), free(w->dec_all);
}

static int lv_all_terminal(const lv_world *w) {
    for (int j = 0; j < w->nj; j++)
        if (!sk_job_terminal(w->jb[j].i.state)) return 0;
    return 1;
}
static int lv_prov_live(const lv_world *w) {
    int n = w->q_head || w->q_busy || w->done_head;
    for (int64_t k = 0; k < w->nin; k++) n += !w->in[k].prov_done;
    return n;
}

static void lv_terminate_all(lv_world *w) {
    for (int64_t k = 0; k < w->nin; k++)
        if (w->in[k].st != SK_INST_GONE) lv_act_terminate(w, k);
}

static void lv_tick(lv_world *w) {
    const sk_live_cfg *c = w->c;
    char e2[512];
    w->now = lv_wall();
    lv_launch_results(w);
    int rc = w->pv.refresh(w->pv.self, e2, sizeof e2);
    w->pv_ok = rc >= 0;
    int np = rc < 0 ? -1 : w->pv.list(w->pv.self, w->tag, NULL, 0);
    sk_pv_inst *li = np >= 0 ? calloc((size_t)np + 1, sizeof *li) : NULL;
    if (li) np = w->pv.list(w->pv.self, w->tag, li, np);
    for (int64_t k = 0; k < w->nin && !w->err && li; k++)
        if (!w->in[k].prov_done && w->in[k].st != SK_INST_REQUESTED) lv_poll_inst(w, k, lv_pv_find(li, np, w->in[k].id));
    free(li);
    for (int j = 0; j < w->nj && !w->err; j++)
        if (w->jb[j].i.state == SK_JOB_RETRY && w->now >= w->jb[j].retry_at) {
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        }
    for (int i = 0; i < c->nintr && !w->err && w->pv.interrupt; i++) { /* scripted interruptions */
        int64_t j = lv_job_of(w, c->intr[i].job);
        if (j < 0 || w->jb[j].intr_done & (1 << i)) continue;
        for (int64_t k = lv_v_inst_first(w, j); k >= 0; k = lv_v_inst_next(w, k)) {
            lv_inst *x = &w->in[k];
            if (x->st != SK_INST_RUNNING || w->now - x->t_run < c->intr[i].after_s || x->m != SK_MKT_SPOT) continue;
            w->jb[j].intr_done |= 1 << i;
            lv_say(w, "interrupt %s (scripted, notice %.0f s)", x->id, c->intr[i].notice_s);
            if (w->pv.interrupt(w->pv.self, x->id, c->intr[i].notice_s, e2, sizeof e2) == 0 && x->t_notice == 0) x->t_notice = w->now;
            break;
        }
    }
    lv_avail_tick(w);
    w->r->spend = lv_spend(w);
    if (w->jr && w->now - w->spend_saved_at >= 1.0) { /* the spend survives a restart (SIGKILL: within 1 s) */
        char js[64];
        snprintf(js, sizeof js, "{\"total\":%.17g}", w->r->spend);
        JR(sk_journal_event(w->jr, "spend", js, w->errbuf, w->errlen));
        w->spend_saved_at = w->now;
    }
    if (w->o->spend_cap > 0 && w->r->spend >= w->o->spend_cap && !w->r->capped) {
        w->r->capped = 1;
        lv_say(w, "spend cap $%.4f reached ($%.4f): terminating everything", w->o->spend_cap, w->r->spend);
        lv_terminate_all(w);
    }
    if (!w->r->capped) lv_decide(w, SK_TRIG_TICK, -1, -1, -1);
}

static int lv_cmpf(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}
static double lv_pct(float *v, int n, double q) {
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, lv_cmpf);
    int i = (int)ceil(q * n) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* The bearer token: the file's first line, or a new random one written there (0600). */
static int lv_token(lv_world *w, const char *path) {
    FILE *f = fopen(path, "r");
    if (f) {
        int ok = fgets(w->token, sizeof w->token, f) != NULL;
        fclose(f);
        w->token[strcspn(w->token, "\r\n")] = 0;
        if (ok && strlen(w->token) >= 16) return 0;
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECONFIG, "%s: token_file: the token must be 16 characters or more", path));
    }
    unsigned char rnd[24];
    FILE *u = fopen("/dev/urandom", "rb");
    if (!u || fread(rnd, 1, sizeof rnd, u) != sizeof rnd) {
        if (u) fclose(u);
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_EIO, "/dev/urandom: cannot read"));
    }
    fclose(u);
    for (size_t i = 0; i < sizeof rnd; i++) snprintf(w->token + 2 * i, 3, "%02x", rnd[i]);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, w->token, strlen(w->token)) != (ssize_t)strlen(w->token) || write(fd, "\n", 1) != 1) {
        if (fd >= 0) close(fd);
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECANTCREAT, "%s: %s", path, strerror(errno)));
    }
    close(fd);
    return 0;
}

static int lv_http_start(lv_world *w) {
    const sk_live_cfg *c = w->c;
    if (!strcmp(c->http, "off")) {
        if (c->report_http) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECONFIG, "%s: report: http needs the http server (http: is off)", c->path));
        return 0;
    }
    char tf[1100], addr[80];
    if (c->token_file[0]) snprintf(tf, sizeof tf, "%s", c->token_file);
    else snprintf(tf, sizeof tf, "%s/token", c->work_dir);
    if (!w->token[0] && lv_token(w, tf) < 0) return w->err;
    snprintf(addr, sizeof addr, "%s", c->http);
    char *colon = strrchr(addr, ':');
    *colon = 0;
    int port = atoi(colon + 1);
    sk_liveapi api = {w, lv_api_status, lv_api_providers, lv_api_job, lv_api_logs, lv_api_submit, lv_api_cancel, lv_api_report};
    int rc = sk_httpd_start(&w->http, addr, port, w->token, &api, w->errbuf, w->errlen);
    if (rc < 0) return lv_fail(w, rc);
    snprintf(w->url, sizeof w->url, "http://%s:%d", addr, sk_httpd_port(w->http));
    if (w->pv.agent_local && c->report_http) setenv("SYNKTI_TOKEN", w->token, 1); /* local agents inherit it for their reports */
    char up[1100];
    if (w->o->url_file) snprintf(up, sizeof up, "%s", w->o->url_file);
    else snprintf(up, sizeof up, "%s/controller.url", c->work_dir);
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", up);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%s\n", w->url) < 0 || fclose(f) || rename(tmp, up))
        return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ECANTCREAT, "%s: %s", up, strerror(errno)));
    lv_say(w, "serving %s (status page /, API /api/status; token in %s)", w->url, tf);
    return 0;
}


/* ---- results in the simulator's schema (io/sk_results: the fleet kind's /summary columns) ---- */

static double lv_sorted_pct(double *v, int n, double q) {
    if (n <= 0) return NAN;
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && v[b] < v[b - 1]; b--) {
            double t = v[b];
            v[b] = v[b - 1], v[b - 1] = t;
        }
    int i = (int)ceil(q * n) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* One row: the run's metrics by the fleet kind's names (those the live world cannot observe -
 * egress, lost GPU-hours, utilisation - are NaN), then the live-only columns. */
static int lv_write_results(lv_world *w, const char *path, char *err, size_t errlen) {
    const sk_scenario_kind *k = sk_scenario_find("fleet");
    const sk_live_cfg *c = w->c;
    double cost[2] = {0, 0}, hours[2] = {0, 0};
    for (int64_t i = 0; i < w->nin; i++) {
        const lv_inst *x = &w->in[i];
        if (x->st == SK_INST_REQUESTED || (x->prov_done && x->t_run < 0 && x->t_end == x->t_launch && !x->adopted)) continue;
        double end = x->t_end >= 0 ? x->t_end : w->now, h = (end - x->t_launch) / c->time_scale / 3600.0;
        int od = x->m != SK_MKT_SPOT;
        cost[od] += h * (od ? w->pools[x->pool].od_price : w->pools[x->pool].spot_price);
        hours[od] += h;
    }
    double *jct = calloc((size_t)w->nj + 1, sizeof *jct), *qt = calloc((size_t)w->nj + 1, sizeof *qt);
    if (!jct || !qt) return free(jct), free(qt), sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    int nj = 0, nq = 0, dl = 0, dl_met = 0, restarts = 0, st[SK_JOB_NSTATES] = {0};
    double jsum = 0, qsum = 0;
    for (int j = 0; j < w->nj; j++) {
        const lv_job *b = &w->jb[j];
        st[b->i.state]++;
        restarts += b->launched > b->spec.instances ? b->launched - b->spec.instances : 0;
        if (b->t_start > 0) qsum += qt[nq++] = (b->t_start - b->t_submit) / c->time_scale / 3600.0;
        if (b->i.state == SK_JOB_COMPLETED && b->t_done > 0) {
            double h = (b->t_done - b->t_submit) / c->time_scale / 3600.0;
            jsum += jct[nj++] = h;
            if (b->spec.deadline_s > 0) dl++, dl_met += h * 3600.0 <= b->spec.deadline_s;
        } else if (b->spec.deadline_s > 0)
            dl++;
    }
    int preempted = 0;
    for (int p = 0; p < c->nzones; p++) preempted += (int)w->pools[p].preempted;
    sk_table t;
    sk_table_init(&t);
    int rc = 0;
    static const char *fixed[] = {"run", "point", "replication", "world_index"};
    for (size_t i = 0; i < 4 && rc >= 0; i++) rc = sk_table_add_col(&t, fixed[i], SK_TABLE_I64);
    if (rc >= 0) rc = sk_table_add_col(&t, "policy", SK_TABLE_STR);
    if (rc >= 0) rc = sk_table_add_col(&t, "status", SK_TABLE_STR);
    for (size_t m = 0; m < k->nmetrics && rc >= 0; m++) rc = sk_table_add_col(&t, k->metrics[m].name, k->metrics[m].type);
    static const char *live[] = {"wall_s", "decisions", "decision_p50_us", "decision_p99_us", "notice_ckpt_p50_s"};
    for (size_t i = 0; i < 5 && rc >= 0; i++) rc = sk_table_add_col(&t, live[i], SK_TABLE_F64);
    for (size_t i = 0; i < 4 && rc >= 0; i++) rc = sk_table_push_i64(&t, i, 0);
    if (rc >= 0) rc = sk_table_push_str(&t, 4, c->policy);
    if (rc >= 0) rc = sk_table_push_str(&t, 5, "live");
    for (size_t m = 0; m < k->nmetrics && rc >= 0; m++) {
        const char *n = k->metrics[m].name;
        double v = NAN;
        if (!strcmp(n, "cost")) v = cost[0] + cost[1];
        else if (!strcmp(n, "cost_spot")) v = cost[0];
        else if (!strcmp(n, "cost_od")) v = cost[1];
        else if (!strcmp(n, "gpu_hours_spot")) v = hours[0] * w->itype.gpus;
        else if (!strcmp(n, "gpu_hours_od")) v = hours[1] * w->itype.gpus;
        else if (!strcmp(n, "preemptions")) v = preempted;
        else if (!strcmp(n, "restarts")) v = restarts;
        else if (!strcmp(n, "jct_mean_h")) v = nj ? jsum / nj : NAN;
        else if (!strcmp(n, "jct_p50_h")) v = lv_sorted_pct(jct, nj, 0.5);
        else if (!strcmp(n, "jct_p90_h")) v = lv_sorted_pct(jct, nj, 0.9);
        else if (!strcmp(n, "jct_p99_h")) v = lv_sorted_pct(jct, nj, 0.99);
        else if (!strcmp(n, "queue_mean_h")) v = nq ? qsum / nq : NAN;
        else if (!strcmp(n, "queue_p99_h")) v = lv_sorted_pct(qt, nq, 0.99);
        else if (!strcmp(n, "deadline_met")) v = dl ? (double)dl_met / dl : NAN;
        else if (!strcmp(n, "completed")) v = st[SK_JOB_COMPLETED];
        else if (!strcmp(n, "failed")) v = st[SK_JOB_FAILED];
        else if (!strcmp(n, "abandoned")) v = st[SK_JOB_ABANDONED];
        else if (!strcmp(n, "unfinished")) v = w->nj - st[SK_JOB_COMPLETED] - st[SK_JOB_FAILED] - st[SK_JOB_ABANDONED];
        else if (!strcmp(n, "launches")) v = w->r->launches;
        else if (!strcmp(n, "launch_failures")) v = w->r->launch_fail;
        else if (!strcmp(n, "events")) v = w->ndec;
        size_t col = 6 + m;
        rc = k->metrics[m].type == SK_TABLE_I64 ? sk_table_push_i64(&t, col, isnan(v) ? 0 : (int64_t)v) : sk_table_push_f64(&t, col, v);
    }
    double lv[5] = {w->now - w->t0, w->r->decisions, w->r->dec_p50_us, w->r->dec_p99_us,
                    w->r->notice_ckpts ? w->r->notice_ckpt_p50_s : NAN};
    for (size_t i = 0; i < 5 && rc >= 0; i++) rc = sk_table_push_f64(&t, 6 + k->nmetrics + i, lv[i]);
    free(jct), free(qt);
    if (rc < 0) return sk_table_fini(&t), sk_errf(err, errlen, rc, "%s: results table: %s", path, sk_strerror(rc));
    sk_results_meta meta = {.tool_version = SK_VERSION, .git_sha = (char *)SK_GIT_SHA, .command_line = (char *)"synkti live",
                            .config_yaml = (char *)"", .config_sha256 = (char *)c->sha256, .master_seed = 0};
    char *cfg = NULL;
    FILE *f = fopen(c->path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        if (n >= 0 && (cfg = calloc(1, (size_t)n + 1)) && fread(cfg, 1, (size_t)n, f) != (size_t)n) free(cfg), cfg = NULL;
        fclose(f);
    }
    if (cfg) meta.config_yaml = cfg;
    rc = sk_results_write(path, &meta, &t, err, errlen);
    free(cfg);
    sk_table_fini(&t);
    return rc;
}

static int lv_provider_open(lv_world *w, char *err, size_t errlen) {
    const sk_live_cfg *c = w->c;
    snprintf(w->tag, sizeof w->tag, "%s", c->run_id);
    if (!strcmp(c->provider, "local")) {
        char real[4096], hex[65];
        const char *jp = realpath(w->o->journal, real) ? real : w->o->journal;
        sk_sha256_hex(jp, strlen(jp), hex);
        snprintf(w->tag, sizeof w->tag, "%s@%.12s", c->run_id, hex);
        sk_local_cfg pc = {w->o->synkti, w->logdir, c->time_scale, c->grace_s, 0};
        int rc = sk_local_new(&w->local, &pc, err, errlen);
        if (rc < 0) return rc;
        sk_local_provider(w->local, &w->pv);
        for (int p = 0; p < c->nzones; p++)
            if (c->zones[p].slots > 0) sk_local_set_capacity(w->local, c->zones[p].name, c->zones[p].slots);
        return 0;
    }
    return lv_aws_open(w, err, errlen);
}

int sk_live_run(const sk_live_cfg *c, const sk_live_opts *o, sk_live_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    lv_world *w = calloc(1, sizeof *w);
    if (!w) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    w->c = c, w->o = o, w->r = r, w->errbuf = err, w->errlen = errlen;
    w->t0 = w->now = lv_wall();
    w->max_inst = o->max_instances > 0 ? o->max_instances : c->max_instances;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    err[0] = 0;
    int rc = lv_setup(w, err, errlen);
    if (rc < 0 || o->dry_run) {
        for (int j = 0; rc >= 0 && j < c->njobs && !w->err; j++) {
            int64_t k = lv_job_add(w, &c->jobs[j]);
            if (k < 0) break;
            lv_job_state(w, k, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_ARRIVAL, k, -1, -1);
        }
        r->pending = rc >= 0 ? w->nj : 0;
        if (rc >= 0) rc = w->err;
        lv_free(w);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return rc;
    }
    snprintf(w->logdir, sizeof w->logdir, "%s/logs", c->work_dir);
    mkdir(c->work_dir, 0777), mkdir(w->logdir, 0777);
    if ((rc = sk_journal_open(&w->jr, o->journal, c->run_id, c->sha256, err, errlen)) < 0 || (rc = lv_provider_open(w, err, errlen)) < 0)
        goto out;
    w->pv_ok = 1;
    for (int i = 0; i < LV_WORKERS; i++)
        if (pthread_create(&w->workers[i], NULL, lv_worker, w) == 0) w->nworkers++;
    if (!w->nworkers) {
        rc = sk_errf(err, errlen, SK_EIO, "cannot start the launch threads");
        goto out;
    }
    pthread_mutex_lock(&w->mu);
    if ((rc = lv_recover(w)) < 0 || (rc = lv_avail_setup(w)) < 0 || (rc = lv_http_start(w)) < 0) {
        pthread_mutex_unlock(&w->mu);
        goto out;
    }
    if (o->spend_cap > 0 && w->spend_base >= o->spend_cap) { /* earlier sessions spent it all: launch nothing */
        r->capped = 1;
        lv_say(w, "spend cap $%.4f reached ($%.4f): terminating everything", o->spend_cap, w->spend_base);
        lv_terminate_all(w);
    }
    for (int j = 0; j < w->nj && !w->err; j++) { /* triggers for the jobs as recovered */
        lv_job *b = &w->jb[j];
        sk_job_state s = b->i.state;
        if (s == SK_JOB_CREATED) {
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_ARRIVAL, j, -1, -1);
        } else if (s == SK_JOB_QUEUED) {
            lv_say(w, "resume %s from %.0f/%d (%d retries)", b->spec.name, b->i.saved / b->i.work * b->spec.tokens * b->spec.instances,
                   b->spec.tokens * b->spec.instances, (int)b->i.retries);
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        } else if (s == SK_JOB_RETRY)
            b->retry_at = w->now;
        else if ((s == SK_JOB_SUBMITTED || s == SK_JOB_RUNNING) && lv_v_inst_first(w, j) < 0) {
            lv_job_state(w, j, SK_JOB_QUEUED); /* a reissue that found nothing */
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        } else if ((s == SK_JOB_SUBMITTED || s == SK_JOB_RUNNING) && b->i.ninst < b->spec.instances && lv_free_shard(w, j) >= 0)
            lv_decide(w, SK_TRIG_GONE, j, -1, -1); /* shards without an instance: heal */
    }
    while (!w->err) {
        if (o->stop && *o->stop && !r->capped) {
            lv_say(w, "stopping: terminating everything");
            r->capped = -1;
            lv_terminate_all(w);
        }
        lv_tick(w);
        if (w->err || (((lv_all_terminal(w) && c->njobs > 0) || r->capped) && !lv_prov_live(w))) break;
        double until = lv_wall() + c->tick_s;
        struct timespec d = {(time_t)until, (long)((until - floor(until)) * 1e9)};
        pthread_cond_timedwait(&w->cv, &w->mu, &d);
    }
    pthread_mutex_unlock(&w->mu);
    rc = w->err;
    if (!rc && lv_all_terminal(w)) rc = sk_journal_run_done(w->jr, err, errlen);
    else if (!rc) {
        int stopped = r->capped < 0;
        rc = sk_errf(err, errlen, SK_EINTR, "%s: %s; the journal %s resumes the run", c->path,
                     stopped ? "stopped" : "spend cap reached", o->journal);
        if (stopped) r->capped = 0;
    }
out:
    sk_httpd_stop(w->http); /* no request runs after this */
    w->http = NULL;
    pthread_mutex_lock(&w->mu);
    if (rc < 0 && w->pv.terminate) lv_terminate_all(w);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nworkers; i++) pthread_join(w->workers[i], NULL);
    w->now = lv_wall();
    if (w->pv.terminate) { /* launches answered after the loop ended: record and terminate them */
        lv_launch_results(w);
        lv_terminate_all(w);
    }
    for (int j = 0; j < w->nj; j++) {
        sk_job_state s = w->jb[j].i.state;
        if (s == SK_JOB_COMPLETED) r->completed++;
        else if (s == SK_JOB_FAILED) r->failed++;
        else if (s == SK_JOB_ABANDONED) r->abandoned++;
        else r->pending++;
    }
    r->spend = lv_spend(w);
    if (w->jr) {
        char js[64], e2[256];
        snprintf(js, sizeof js, "{\"total\":%.17g}", r->spend);
        sk_journal_event(w->jr, "spend", js, e2, sizeof e2);
    }
    r->decisions = w->ndec;
    if (w->ndec) {
        r->dec_p50_us = lv_pct(w->dec, w->ndec, 0.5), r->dec_p99_us = lv_pct(w->dec, w->ndec, 0.99);
        r->dec_max_us = w->dec[w->ndec - 1];
        r->dec_all_p50_us = lv_pct(w->dec_all, w->ndec, 0.5), r->dec_all_p99_us = lv_pct(w->dec_all, w->ndec, 0.99);
    }
    if (w->nnck) {
        float v[256];
        for (int i = 0; i < w->nnck; i++) v[i] = (float)w->nck[i];
        r->notice_ckpts = w->nnck;
        r->notice_ckpt_p50_s = lv_pct(v, w->nnck, 0.5), r->notice_ckpt_max_s = v[w->nnck - 1];
    }
    if (o->results && w->jr && (rc == 0 || rc == SK_EINTR)) {
        char e2[512];
        int wr = lv_write_results(w, o->results, e2, sizeof e2);
        if (wr < 0 && rc == 0) rc = wr, snprintf(err, errlen, "%s", e2);
    }
    if (w->pv.close) w->pv.close(w->pv.self);
    sk_local_free(w->local); /* terminates and reaps whatever is left (nothing after a normal end) */
    if (w->jr && w->ndec) {
        char js[256];
        snprintf(js, sizeof js, "{\"decisions\":%d,\"p50_us\":%.2f,\"p99_us\":%.2f,\"with_actions_p99_us\":%.2f}", w->ndec,
                 r->dec_p50_us, r->dec_p99_us, r->dec_all_p99_us);
        char e2[256];
        sk_journal_event(w->jr, "decision_time", js, e2, sizeof e2);
    }
    sk_journal_close(w->jr);
    lv_free(w);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return rc;
}
