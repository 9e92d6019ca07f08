/* sk_live.c - the live world (see sk_live.h): a run file, the fleet view filled from the journal
 * and the local provider, the policy's actions as provider calls behind journaled intents, the
 * agents' progress lines as events, recovery after a controller crash. Live fleets are small: the
 * indexed accessors of the view scan the controller's arrays (O(jobs + instances) a step). */
#define _GNU_SOURCE
#include "live/sk_live.h"

#include <cjson/cJSON.h>
#include <errno.h>
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
#include "io/sk_sha256.h"
#include "live/sk_journal.h"
#include "live/sk_local.h"
#include "sim/sk_kinds.h"
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
    if (!strcmp(key, "work_dir")) return lv_copy(c->work_dir, sizeof c->work_dir, val);
    struct { const char *k; double *p, lo, hi; } nums[] = {
        {"tick_s", &c->tick_s, 0.01, 3600}, {"time_scale", &c->time_scale, 1e-4, 1e4},
        {"grace_s", &c->grace_s, 0.01, 600}, {"restart_s", &c->restart_s, 0, 1e6},
        {"ckpt_every_s", &c->ckpt_every_s, 0, 1e7}};
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
    if (!strcmp(key, "job")) { /* NAME TOKENS AGENT-ARGS... */
        if (c->njobs == SK_LIVE_MAXJ) return snprintf(why, wl, "more than %d jobs", SK_LIVE_MAXJ), -1;
        sk_live_job *j = &c->jobs[c->njobs];
        n = lv_words(val, w, 128);
        if (n < 2 || lv_copy(j->name, sizeof j->name, w[0]) || lv_num(w[1], 1, 1e7, &x) || x != floor(x) ||
            strchr(j->name, '/') || j->name[0] == '.')
            return snprintf(why, wl, "expected NAME TOKENS [AGENT-ARGS...] (a plain name, TOKENS a positive integer)"), -1;
        for (int i = 0; i < c->njobs; i++)
            if (!strcmp(c->jobs[i].name, j->name)) return snprintf(why, wl, "job '%s' given twice", j->name), -1;
        j->tokens = (int)x;
        if (!(j->argv = calloc((size_t)n, sizeof *j->argv))) return snprintf(why, wl, "out of memory"), -1;
        c->njobs++;
        for (int k = 2; k < n; k++)
            if (!(j->argv[j->argc++] = strdup(w[k]))) return snprintf(why, wl, "out of memory"), -1;
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
    c->tick_s = 1, c->time_scale = 1, c->grace_s = 5, c->max_retries = 10;
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
    if (!rc && !c->njobs) rc = sk_errf(err, errlen, SK_ECONFIG, "%s: job: at least one is required", path);
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
    char id[40];
    int pool;
    sk_market m;
    int64_t job;       /* -1: none (or unlinked) */
    sk_inst_state st;  /* as the view shows it; GONE at once when terminated */
    int prov_done;     /* the provider reported it terminated and the journal has it */
    int ours;          /* we asked for its termination (journal TERMINATING) */
    int done;          /* its agent printed "done" */
    double t_launch, t_run, t_end; /* wall; t_end < 0 while billed */
    long off;          /* bytes of its log read */
    pid_t pid;
    int64_t launched_tick;
} lv_inst;

typedef struct lv_job {
    sk_fjob_info i;
    double retry_at; /* wall time of the RETRY timer */
    int64_t last_seq;
    int intr_done;   /* the scripted interruption fired this session */
} lv_job;

typedef struct lv_world {
    const sk_live_cfg *c;
    const sk_live_opts *o;
    sk_live_result *r;
    sk_local *prov;
    sk_journal *jr;
    sk_view v;
    sk_fleet_view fv;
    sk_actor act;
    sk_zone_info zones[SK_LIVE_MAXZ];
    sk_pool_info pools[SK_LIVE_MAXZ];
    int32_t by_spot[SK_LIVE_MAXZ], by_od[SK_LIVE_MAXZ];
    sk_itype_info itype;
    const char *gpus[1];
    lv_job jb[SK_LIVE_MAXJ];
    int nj;
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
} lv_world;

static double lv_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
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

static double lv_policy_t(const lv_world *w) { return (w->now - w->t0) / w->c->time_scale; }

/* Job state in memory and in the journal (no write when unchanged). */
static void lv_job_state(lv_world *w, int64_t j, sk_job_state to) {
    lv_job *b = &w->jb[j];
    if (b->i.state == to) return;
    JR(sk_journal_job_state(w->jr, w->c->jobs[j].name, to, w->errbuf, w->errlen));
    w->fv.njobs[b->i.state]--, w->fv.njobs[to]++;
    b->i.state = to;
}

static void lv_fill_view(lv_world *w) {
    int n = 0;
    for (int64_t k = 0; k < w->nin; k++) {
        const lv_inst *x = &w->in[k];
        if (x->st == SK_INST_GONE) continue;
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
    w->pol->decide(w->pst, &w->v, &w->act);
    w->in_decide = 0;
}

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

/* ---- instances ---- */

static int64_t lv_new_inst(lv_world *w, const char *id, int pool, sk_market m, int64_t job, pid_t pid) {
    if (w->nin == w->capin) {
        int64_t nc = w->capin ? 2 * w->capin : 16;
        lv_inst *a = realloc(w->in, (size_t)nc * sizeof *a);
        sk_instance_info *b = realloc(w->vinst, (size_t)nc * sizeof *b);
        if (a) w->in = a;
        if (b) w->vinst = b;
        if (!a || !b) return lv_fail(w, sk_errf(w->errbuf, w->errlen, SK_ENOMEM, "out of memory")), -1;
        w->capin = nc;
    }
    lv_inst *x = &w->in[w->nin];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    x->pool = pool, x->m = m, x->job = job, x->st = SK_INST_BOOTING, x->pid = pid;
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

/* The view loses instance k (terminated by us or gone): unlink its job; returns the job or -1. */
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
        if (b->i.ninst == 0) b->i.market = SK_MKT_NONE;
        if (gone) b->i.lost_zone = x->pool;
        if (b->i.state == SK_JOB_RUNNING || b->i.state == SK_JOB_SUBMITTED) {
            b->i.progress = b->i.saved;
            lv_job_state(w, j, SK_JOB_QUEUED);
        }
    }
    return j;
}

static double lv_spend(const lv_world *w) {
    double s = 0;
    for (int64_t k = 0; k < w->nin; k++) {
        const lv_inst *x = &w->in[k];
        double end = x->t_end >= 0 ? x->t_end : w->now;
        double p = x->m == SK_MKT_SPOT ? w->c->zones[x->pool].spot_price : w->c->zones[x->pool].od_price;
        s += p / 3600.0 * (end - x->t_launch) / w->c->time_scale;
    }
    return s;
}

/* ---- actions ---- */

/* RunInstances for journaled request req (SENT) with its client token; records the result. The
 * instance's index, or -1 (capacity: counted; other errors stop the run). */
static int64_t lv_send(lv_world *w, int pool, sk_market m, int64_t job, int64_t req, const char *token) {
    const sk_live_cfg *c = w->c;
    const char *jname = job >= 0 ? c->jobs[job].name : NULL;
    double price = m == SK_MKT_SPOT ? c->zones[pool].spot_price : c->zones[pool].od_price;
    char id[64], err[512] = "", tags[160];
    /* `synkti agent --tokens N --checkpoint-dir WORK/JOB --out WORK/JOB/output.txt ARGS...` */
    char dir[1200], out[1300], ntok[24];
    const sk_live_job *jc = job >= 0 ? &c->jobs[job] : NULL;
    char *argv[160];
    int argc = 0;
    if (!jc) return -1; /* checked by the callers */
    {
        snprintf(dir, sizeof dir, "%s/%s", c->work_dir, jc->name);
        snprintf(out, sizeof out, "%s/output.txt", dir);
        snprintf(ntok, sizeof ntok, "%d", jc->tokens);
        argv[argc++] = "--tokens", argv[argc++] = ntok, argv[argc++] = "--checkpoint-dir", argv[argc++] = dir;
        argv[argc++] = "--out", argv[argc++] = out;
        for (int k = 0; k < jc->argc && argc < 159; k++) argv[argc++] = jc->argv[k];
    }
    argv[argc] = NULL;
    sk_local_launch_req lr = {c->zones[pool].name, c->itype, m == SK_MKT_SPOT, token, c->run_id, argc, argv};
    int rc = sk_local_launch(w->prov, &lr, id, sizeof id, err, sizeof err);
    if (rc == SK_LOCAL_CAPACITY) {
        JR(sk_journal_launch_result(w->jr, req, NULL, NULL, err, w->errbuf, w->errlen));
        w->pools[pool].launch_fail++;
        w->r->launch_fail++;
        lv_say(w, "no capacity %s %s for %s: %s", c->zones[pool].name, lv_mkt(m), jname ? jname : "-", err);
        return -1;
    }
    if (rc < 0) {
        JR(sk_journal_launch_result(w->jr, req, NULL, NULL, err, w->errbuf, w->errlen));
        lv_fail(w, sk_errf(w->errbuf, w->errlen, rc, "launch in %s: %s", c->zones[pool].name, err));
        return -1;
    }
    sk_local_inst li;
    pid_t pid = sk_local_describe(w->prov, id, &li) == 0 ? li.pid : 0;
    snprintf(tags, sizeof tags, "{\"synkti:run-id\":\"%s\",\"pid\":%ld}", c->run_id, (long)pid);
    if (JR(sk_journal_launch_result(w->jr, req, id, tags, NULL, w->errbuf, w->errlen))) return -1;
    int64_t k = lv_new_inst(w, id, pool, m, job, pid);
    if (k < 0) return -1;
    w->r->launches++;
    if (w->jb[job].i.state == SK_JOB_QUEUED || w->jb[job].i.state == SK_JOB_RETRY) lv_job_state(w, job, SK_JOB_SUBMITTED);
    lv_say(w, "launch %s %s %s for %s: %s pid %ld ($%.4f/h)", c->itype, c->zones[pool].name, lv_mkt(m), jname ? jname : "-",
           id, (long)pid, price);
    return k;
}

static int64_t lv_act_launch_for(void *wp, int pool, sk_market m, int64_t job) {
    lv_world *w = wp;
    const sk_live_cfg *c = w->c;
    if (w->err || pool < 0 || pool >= c->nzones || (m != SK_MKT_SPOT && m != SK_MKT_OD)) return -1;
    if (job >= 0 && (job >= w->nj || sk_job_terminal(w->jb[job].i.state) || w->jb[job].i.state == SK_JOB_CREATED)) return -1;
    if (w->r->capped || job < 0) return -1; /* a local instance is an agent of one job: no idle capacity */
    int live = 0;
    for (int64_t k = 0; k < w->nin; k++) live += w->in[k].st != SK_INST_GONE;
    if (w->o->max_instances > 0 && live >= w->o->max_instances) {
        lv_say(w, "refused %s %s for %s: --max-instances %d reached", c->zones[pool].name, lv_mkt(m),
               job >= 0 ? c->jobs[job].name : "-", w->o->max_instances);
        return -1;
    }
    const char *jname = job >= 0 ? c->jobs[job].name : NULL;
    double price = m == SK_MKT_SPOT ? c->zones[pool].spot_price : c->zones[pool].od_price;
    if (w->o->dry_run) {
        char id[40];
        snprintf(id, sizeof id, "dry-%" PRId64, w->nin + 1);
        lv_say(w, "would launch %s %s %s for %s ($%.4f/h)", c->itype, c->zones[pool].name, lv_mkt(m), jname ? jname : "-", price);
        int64_t k = lv_new_inst(w, id, pool, m, job, 0);
        if (k >= 0 && job >= 0) lv_job_state(w, job, SK_JOB_SUBMITTED);
        return k;
    }
    int64_t req = 0;
    char token[SK_JR_IDLEN];
    if (JR(sk_journal_intend_launch(w->jr, c->zones[pool].name, c->itype, lv_mkt(m), jname, &req, token, w->errbuf, w->errlen)) ||
        JR(sk_journal_launch_sent(w->jr, req, w->errbuf, w->errlen)))
        return -1;
    return lv_send(w, pool, m, job, req, token);
}

static int lv_act_terminate(void *wp, int64_t k) {
    lv_world *w = wp;
    if (k < 0 || k >= w->nin || w->in[k].st == SK_INST_GONE) return -1;
    lv_inst *x = &w->in[k];
    if (w->o->dry_run) {
        lv_say(w, "would terminate %s", x->id);
    } else {
        if (JR(sk_journal_intend_terminate(w->jr, x->id, "policy", w->errbuf, w->errlen))) return -1;
        x->ours = 1;
        sk_local_terminate(w->prov, x->id);
        w->r->terminations++;
        lv_say(w, "terminate %s", x->id);
    }
    lv_end_inst(w, k, 0);
    return 0;
}

static int lv_act_assign(void *wp, int64_t job, int64_t k) {
    (void)wp, (void)job, (void)k;
    return -1; /* a local instance runs the one job it was launched for */
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
    lv_job *b = &w->jb[job];
    if (b->i.state != SK_JOB_QUEUED && b->i.state != SK_JOB_RETRY) return -1;
    if (w->fv.max_retries >= 0 && b->i.retries >= w->fv.max_retries) {
        lv_say(w, "abandon %s after %d retries", w->c->jobs[job].name, (int)b->i.retries);
        lv_job_state(w, job, SK_JOB_ABANDONED);
        return 0;
    }
    b->i.retries++;
    lv_job_state(w, job, SK_JOB_RETRY);
    b->retry_at = w->now + (after_s > 1 ? after_s : 1) * w->c->time_scale;
    lv_say(w, "%s %s in %.0f s", w->o->dry_run ? "would retry" : "retry", w->c->jobs[job].name, after_s > 1 ? after_s : 1);
    return 0;
}

static int lv_act_launch(void *wp, int zone, sk_market m) { return (void)wp, (void)zone, (void)m, 0; }
static int lv_act_probe(void *wp, int zone) { return (void)wp, (void)zone, 0; }
static void lv_act_prices(void *wp) { (void)wp; }

/* ---- events ---- */

/* New complete lines of instance k's agent log. */
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
            const cJSON *ev = cJSON_GetObjectItemCaseSensitive(j, "event");
            const cJSON *gen = cJSON_GetObjectItemCaseSensitive(j, "generated");
            if (!cJSON_IsString(ev) || !cJSON_IsNumber(gen) || x->job < 0) {
                cJSON_Delete(j);
                continue;
            }
            lv_job *b = &w->jb[x->job];
            const char *e = ev->valuestring, *jn = w->c->jobs[x->job].name;
            double g = gen->valuedouble;
            const cJSON *ck = cJSON_GetObjectItemCaseSensitive(j, !strcmp(e, "checkpoint") ? "path" : "checkpoint");
            if (!strcmp(e, "start")) {
                b->i.saved = b->i.progress = g;
                lv_say(w, "start %s on %s at %.0f/%d", jn, x->id, g, w->c->jobs[x->job].tokens);
            } else if ((!strcmp(e, "checkpoint") || !strcmp(e, "interrupted")) && cJSON_IsString(ck)) {
                b->i.saved = b->i.progress = g;
                b->i.ckpt_zone = x->pool;
                if ((int64_t)g > b->last_seq) {
                    char e2[512];
                    int rc = w->jr ? sk_journal_checkpoint(w->jr, jn, (int64_t)g, ck->valuestring, g, NULL, e2, sizeof e2) : 0;
                    if (rc == 0) b->last_seq = (int64_t)g;
                    else if (rc != SK_EDATA) lv_fail(w, sk_errf(w->errbuf, w->errlen, rc, "%s", e2));
                }
                lv_say(w, "%s %s at %.0f/%d", e, jn, g, w->c->jobs[x->job].tokens);
            } else if (!strcmp(e, "heartbeat")) {
                b->i.progress = g;
            } else if (!strcmp(e, "done")) {
                x->done = 1;
                b->i.progress = g;
            }
            cJSON_Delete(j);
        }
        free(line);
    }
    fclose(f);
}

static void lv_poll_inst(lv_world *w, int64_t k) {
    lv_inst *x = &w->in[k];
    sk_local_inst li;
    if (sk_local_describe(w->prov, x->id, &li) < 0) return;
    lv_read_log(w, k);
    if (li.state == SK_LOCAL_RUNNING && x->st == SK_INST_BOOTING) {
        x->st = SK_INST_RUNNING, x->t_run = w->now;
        lv_say(w, "running %s", x->id);
        if (x->job >= 0 && w->jb[x->job].i.state == SK_JOB_SUBMITTED) lv_job_state(w, x->job, SK_JOB_RUNNING);
        else if (x->job < 0) {
            w->pools[x->pool].n_idle[x->m]++;
            lv_decide(w, SK_TRIG_IDLE, -1, k, x->pool);
        }
    }
    if (li.interrupted && (x->st == SK_INST_RUNNING || x->st == SK_INST_BOOTING)) {
        if (x->st == SK_INST_RUNNING && x->job < 0) w->pools[x->pool].n_idle[x->m]--;
        x->st = SK_INST_NOTIFIED;
        w->r->notices++;
        lv_say(w, "notice %s", x->id);
        lv_decide(w, SK_TRIG_NOTICE, x->job, k, x->pool);
    }
    if (li.state != SK_LOCAL_TERMINATED) return;
    /* the provider is done with it: journal, then the view */
    if (!x->ours) JR(sk_journal_intend_terminate(w->jr, x->id, li.reason, w->errbuf, w->errlen));
    JR(sk_journal_terminate_result(w->jr, x->id, w->errbuf, w->errlen));
    x->prov_done = 1;
    if (x->t_end < 0) x->t_end = w->now;
    if (x->st == SK_INST_GONE) return;
    int64_t j = x->job;
    if (j >= 0 && x->done && li.exit_status == 0 && !sk_job_terminal(w->jb[j].i.state)) {
        lv_job *b = &w->jb[j];
        lv_say(w, "done %s on %s", w->c->jobs[j].name, x->id);
        if (b->i.state != SK_JOB_RUNNING) lv_job_state(w, j, SK_JOB_RUNNING);
        b->i.saved = b->i.progress = b->i.work;
        lv_job_state(w, j, SK_JOB_COMPLETED);
        x->job = -1, b->i.ninst--, b->i.gpus_have -= w->itype.gpus, b->i.market = SK_MKT_NONE;
        lv_end_inst(w, k, 0);
        lv_decide(w, SK_TRIG_DONE, j, -1, -1);
        return;
    }
    w->r->gone++;
    lv_say(w, "gone %s (%s, exit %d)%s%s", x->id, li.reason, li.exit_status, j >= 0 ? " job " : "",
           j >= 0 ? w->c->jobs[j].name : "");
    int pool = x->pool;
    j = lv_end_inst(w, k, !strcmp(li.reason, "Server.SpotInstanceTermination"));
    lv_decide(w, SK_TRIG_GONE, j, k, pool);
}

/* ---- recovery ---- */

/* Is pid a live (not zombie) process whose environment names instance id? */
static int lv_pid_is(pid_t pid, const char *id) {
    char path[64], want[128], buf[8192];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X') return 0;
    snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
    if (!(f = fopen(path, "r"))) return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    int wl = snprintf(want, sizeof want, "SYNKTI_INSTANCE_ID=%s", id);
    for (size_t i = 0; i < n; i += strlen(buf + i) + 1)
        if (!strncmp(buf + i, want, (size_t)wl) && buf[i + (size_t)wl] == 0) return 1;
    return 0;
}

static int lv_pool_of(const lv_world *w, const char *zone) {
    for (int p = 0; p < w->c->nzones; p++)
        if (!strcmp(w->c->zones[p].name, zone)) return p;
    return -1;
}
static int64_t lv_job_of(const lv_world *w, const char *name) {
    for (int j = 0; j < w->nj; j++)
        if (!strcmp(w->c->jobs[j].name, name)) return j;
    return -1;
}

/* Agents a dead controller left running (journal LIVE/TERMINATING, PID in the tags, environment
 * naming the instance): SIGTERM (they checkpoint), SIGKILL after the grace. By PID only. */
static int lv_orphans(lv_world *w) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sk_journal_db(w->jr), "SELECT id, tags, zone, market, job FROM instances WHERE state IN ('live','terminating')", -1,
                           &st, NULL) != SQLITE_OK)
        return sk_errf(w->errbuf, w->errlen, SK_EIO, "%s: %s", w->o->journal, sqlite3_errmsg(sk_journal_db(w->jr)));
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0), *tags = (const char *)sqlite3_column_text(st, 1);
        cJSON *t = tags ? cJSON_Parse(tags) : NULL;
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(t, "pid");
        pid_t pid = cJSON_IsNumber(p) ? (pid_t)p->valuedouble : 0;
        cJSON_Delete(t);
        if (!id || pid <= 1 || !lv_pid_is(pid, id)) continue;
        lv_say(w, "orphan %s pid %ld: SIGTERM", id, (long)pid);
        kill(pid, SIGTERM);
        double until = lv_wall() + w->c->grace_s;
        while (lv_pid_is(pid, id) && lv_wall() < until) usleep(20000);
        if (lv_pid_is(pid, id)) {
            lv_say(w, "orphan %s pid %ld: SIGKILL", id, (long)pid);
            kill(pid, SIGKILL);
            for (int i = 0; i < 250 && lv_pid_is(pid, id); i++) usleep(20000);
        }
        w->r->orphans++;
        /* what it wrote before it went (its last checkpoint) goes to the journal */
        const char *zone = (const char *)sqlite3_column_text(st, 2), *mkt = (const char *)sqlite3_column_text(st, 3),
                   *job = (const char *)sqlite3_column_text(st, 4);
        int pool = zone ? lv_pool_of(w, zone) : -1;
        int64_t j = job ? lv_job_of(w, job) : -1;
        int64_t k = pool >= 0 && j >= 0 ? lv_new_inst(w, id, pool, mkt && !strcmp(mkt, "spot") ? SK_MKT_SPOT : SK_MKT_OD, j, pid) : -1;
        if (k >= 0) {
            lv_read_log(w, k);
            w->in[k].prov_done = 1;
            lv_end_inst(w, k, 0);
        }
        char js[160];
        snprintf(js, sizeof js, "{\"instance\":\"%s\",\"pid\":%ld}", id, (long)pid);
        JR(sk_journal_event(w->jr, "orphan_terminated", js, w->errbuf, w->errlen));
    }
    sqlite3_finalize(st);
    return w->err;
}

/* Bring journal and provider into agreement, then load the jobs' states. */
static int lv_recover(lv_world *w) {
    const sk_live_cfg *c = w->c;
    char e2[512];
    int rc;
    for (int j = 0; j < c->njobs; j++) {
        sk_job_state s;
        double prog;
        int retries;
        rc = sk_journal_job_get(w->jr, c->jobs[j].name, &s, &prog, &retries, e2, sizeof e2);
        if (rc == SK_ENOENT) {
            char spec[160];
            snprintf(spec, sizeof spec, "{\"tokens\":%d}", c->jobs[j].tokens);
            rc = sk_journal_add_job(w->jr, c->jobs[j].name, spec, w->errbuf, w->errlen);
        } else if (rc < 0)
            snprintf(w->errbuf, w->errlen, "%s", e2);
        if (rc < 0) return lv_fail(w, rc);
    }
    if (lv_orphans(w)) return w->err;
    sk_jr_view jv = {0};
    if ((rc = sk_journal_load_view(w->jr, &jv, w->errbuf, w->errlen)) < 0) return lv_fail(w, rc);
    int np = sk_local_list(w->prov, c->run_id, NULL, 0);
    sk_local_inst *li = calloc((size_t)np + 1, sizeof *li);
    sk_prov_inst *pi = calloc((size_t)np + 1, sizeof *pi);
    sk_rc_action *act = NULL;
    int need = 0;
    if (!li || !pi) rc = SK_ENOMEM;
    else {
        np = sk_local_list(w->prov, c->run_id, li, np);
        for (int i = 0; i < np; i++)
            pi[i] = (sk_prov_inst){li[i].id,
                                   li[i].state == SK_LOCAL_PENDING   ? SK_PI_PENDING
                                   : li[i].state == SK_LOCAL_RUNNING ? SK_PI_RUNNING
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
        if ((rc = sk_journal_job_get(w->jr, c->jobs[j].name, &s, &prog, &retries, w->errbuf, w->errlen)) < 0) break;
        lv_job *b = &w->jb[j];
        w->fv.njobs[b->i.state]--, w->fv.njobs[s]++;
        b->i.state = s, b->i.saved = b->i.progress = prog, b->i.retries = retries;
    }
    for (int i = 0; rc >= 0 && i < need; i++) {
        const sk_rc_action *a = &act[i];
        lv_say(w, "reconcile %s %s%s%s (%s)", sk_rc_kind_name(a->kind), a->inst, a->job[0] ? " job " : "", a->job, a->why);
        w->r->reconciled++;
        if (a->kind == SK_RC_TERMINATE) {
            sk_local_terminate(w->prov, a->inst); /* this provider's own: poll reaps it */
            sk_local_inst d;
            if (sk_local_describe(w->prov, a->inst, &d) < 0 || d.state == SK_LOCAL_TERMINATED)
                rc = sk_journal_terminate_result(w->jr, a->inst, w->errbuf, w->errlen);
        } else if (a->kind == SK_RC_REISSUE) { /* the same request again, with its token */
            const sk_jr_request *q = NULL;
            for (size_t r = 0; r < jv.nreq; r++)
                if (jv.req[r].id == a->req) q = &jv.req[r];
            int p = q ? lv_pool_of(w, q->zone) : -1;
            int64_t j = q && q->job[0] ? lv_job_of(w, q->job) : -1;
            if (p < 0 || j < 0 || sk_job_terminal(w->jb[j].i.state))
                rc = sk_journal_launch_result(w->jr, a->req, NULL, NULL, "not in the run file", w->errbuf, w->errlen);
            else if (lv_send(w, p, strcmp(q->market, "spot") ? SK_MKT_OD : SK_MKT_SPOT, j, a->req, a->token) < 0 && w->err)
                rc = w->err;
        }
    }
    free(act), free(li), free(pi);
    sk_jr_view_free(&jv);
    return rc < 0 ? lv_fail(w, rc) : w->err;
}

/* ---- run ---- */

static int lv_setup(lv_world *w, char *err, size_t errlen) {
    const sk_live_cfg *c = w->c;
    const sk_scenario_kind *fk = sk_scenario_find("fleet");
    const sk_policy_def *pd = fk ? sk_scenario_policy(fk, c->policy) : NULL;
    if (!pd) return sk_errf(err, errlen, SK_ECONFIG, "%s: policy: no fleet policy '%s'", c->path, c->policy);
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
    w->nj = c->njobs;
    for (int j = 0; j < c->njobs; j++) {
        sk_fjob_info *i = &w->jb[j].i;
        *i = (sk_fjob_info){.id = j, .state = SK_JOB_CREATED, .gpus = 1, .work = c->jobs[j].tokens, .deadline = INFINITY,
                            .ckpt_zone = -1, .last_zone = -1, .lost_zone = -1, .market = SK_MKT_NONE};
        w->jb[j].last_seq = 0;
    }
    w->fv = (sk_fleet_view){.ntypes = 1, .types = &w->itype, .ngpus = 1, .gpus = w->gpus, .npools = c->nzones,
                            .pools = w->pools, .by_spot = w->by_spot, .by_od = w->by_od,
                            .ckpt_every = c->ckpt_every_s, .restart_s = c->restart_s, .max_instances = 1,
                            .max_retries = c->max_retries, .w = w, .job = lv_v_job, .jobs_first = lv_v_jobs_first,
                            .jobs_next = lv_v_jobs_next, .idle_first = lv_v_idle_first, .inst_first = lv_v_inst_first,
                            .inst_next = lv_v_inst_next, .inst_pool = lv_v_inst_pool, .inst_market = lv_v_inst_market};
    w->fv.njobs[SK_JOB_CREATED] = c->njobs;
    if (sk_rng_init(&w->rng, NULL, 0x5e11, 0, SK_STREAM_POLICY) < 0) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    w->rng_ok = 1;
    w->v = (sk_view){.nzones = c->nzones, .zones = w->zones, .rng = &w->rng, .fleet = &w->fv};
    w->act = (sk_actor){w, lv_act_launch, lv_act_terminate, lv_act_probe, lv_act_prices, lv_act_launch_for,
                        lv_act_assign, lv_act_release, lv_act_retry};
    if (!(w->vinst = malloc(sizeof *w->vinst))) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
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
    free(w->in), free(w->vinst);
}

static int lv_all_terminal(const lv_world *w) {
    for (int j = 0; j < w->nj; j++)
        if (!sk_job_terminal(w->jb[j].i.state)) return 0;
    return 1;
}
static int lv_prov_live(const lv_world *w) {
    int n = 0;
    for (int64_t k = 0; k < w->nin; k++) n += !w->in[k].prov_done;
    return n;
}

static void lv_terminate_all(lv_world *w) {
    for (int64_t k = 0; k < w->nin; k++)
        if (w->in[k].st != SK_INST_GONE) lv_act_terminate(w, k);
}

static void lv_tick(lv_world *w) {
    const sk_live_cfg *c = w->c;
    w->now = lv_wall();
    sk_local_poll(w->prov);
    for (int64_t k = 0; k < w->nin && !w->err; k++)
        if (!w->in[k].prov_done) lv_poll_inst(w, k);
    for (int j = 0; j < w->nj && !w->err; j++)
        if (w->jb[j].i.state == SK_JOB_RETRY && w->now >= w->jb[j].retry_at) {
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        }
    for (int i = 0; i < c->nintr && !w->err; i++) { /* scripted interruptions */
        int64_t j = lv_job_of(w, c->intr[i].job);
        if (j < 0 || w->jb[j].intr_done & (1 << i)) continue;
        for (int64_t k = lv_v_inst_first(w, j); k >= 0; k = lv_v_inst_next(w, k)) {
            lv_inst *x = &w->in[k];
            if (x->st != SK_INST_RUNNING || w->now - x->t_run < c->intr[i].after_s || x->m != SK_MKT_SPOT) continue;
            w->jb[j].intr_done |= 1 << i;
            lv_say(w, "interrupt %s (scripted, notice %.0f s)", x->id, c->intr[i].notice_s);
            sk_local_interrupt(w->prov, x->id, c->intr[i].notice_s);
            break;
        }
    }
    w->r->spend = lv_spend(w);
    if (w->o->spend_cap > 0 && w->r->spend >= w->o->spend_cap && !w->r->capped) {
        w->r->capped = 1;
        lv_say(w, "spend cap $%.4f reached ($%.4f): terminating everything", w->o->spend_cap, w->r->spend);
        lv_terminate_all(w);
    }
    if (!w->r->capped) lv_decide(w, SK_TRIG_TICK, -1, -1, -1);
}

int sk_live_run(const sk_live_cfg *c, const sk_live_opts *o, sk_live_result *r, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    if (strcmp(c->provider, "local"))
        return sk_errf(err, errlen, SK_ENOTSUP, "%s: provider %s: not yet (only the local provider is implemented)", c->path,
                       c->provider);
    lv_world *w = calloc(1, sizeof *w);
    if (!w) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    w->c = c, w->o = o, w->r = r, w->errbuf = err, w->errlen = errlen;
    w->t0 = w->now = lv_wall();
    err[0] = 0;
    int rc = lv_setup(w, err, errlen);
    if (rc < 0 || o->dry_run) {
        for (int j = 0; rc >= 0 && j < w->nj && !w->err; j++) {
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_ARRIVAL, j, -1, -1);
        }
        r->pending = rc >= 0 ? w->nj : 0;
        if (rc >= 0) rc = w->err;
        lv_free(w);
        free(w);
        return rc;
    }
    snprintf(w->logdir, sizeof w->logdir, "%s/logs", c->work_dir);
    mkdir(c->work_dir, 0777), mkdir(w->logdir, 0777);
    sk_local_cfg pc = {o->synkti, w->logdir, c->time_scale, c->grace_s, 0};
    if ((rc = sk_journal_open(&w->jr, o->journal, c->run_id, c->sha256, err, errlen)) < 0 ||
        (rc = sk_local_new(&w->prov, &pc, err, errlen)) < 0)
        goto out;
    for (int p = 0; p < c->nzones; p++)
        if (c->zones[p].slots > 0) sk_local_set_capacity(w->prov, c->zones[p].name, c->zones[p].slots);
    if ((rc = lv_recover(w)) < 0) goto out;
    for (int j = 0; j < w->nj && !w->err; j++) { /* triggers for the jobs as recovered */
        lv_job *b = &w->jb[j];
        sk_job_state s = b->i.state;
        double prog = b->i.saved;
        int retries = (int)b->i.retries;
        if (s == SK_JOB_CREATED) {
            lv_job_state(w, j, SK_JOB_QUEUED);
            lv_decide(w, SK_TRIG_ARRIVAL, j, -1, -1);
        } else if (s == SK_JOB_QUEUED) {
            lv_say(w, "resume %s from %.0f/%d (%d retries)", c->jobs[j].name, prog, c->jobs[j].tokens, retries);
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        } else if (s == SK_JOB_RETRY)
            b->retry_at = w->now;
        else if ((s == SK_JOB_SUBMITTED || s == SK_JOB_RUNNING) && lv_v_inst_first(w, j) < 0) {
            lv_job_state(w, j, SK_JOB_QUEUED); /* a reissue that found nothing */
            lv_decide(w, SK_TRIG_RETRY, j, -1, -1);
        }
    }
    while (!w->err) {
        if (o->stop && *o->stop && !r->capped) {
            lv_say(w, "stopping: terminating everything");
            r->capped = -1;
            lv_terminate_all(w);
        }
        lv_tick(w);
        if (w->err || ((lv_all_terminal(w) || r->capped) && !lv_prov_live(w))) break;
        struct timespec d = {(time_t)c->tick_s, (long)((c->tick_s - floor(c->tick_s)) * 1e9)};
        nanosleep(&d, NULL);
    }
    rc = w->err;
    if (!rc && lv_all_terminal(w)) rc = sk_journal_run_done(w->jr, err, errlen);
    else if (!rc) {
        int stopped = r->capped < 0;
        rc = sk_errf(err, errlen, SK_EINTR, "%s: %s; the journal %s resumes the run", c->path,
                     stopped ? "stopped" : "spend cap reached", o->journal);
        if (stopped) r->capped = 0;
    }
out:
    if (rc < 0 && w->prov) lv_terminate_all(w);
    for (int j = 0; j < w->nj; j++) {
        sk_job_state s = w->jb[j].i.state;
        if (s == SK_JOB_COMPLETED) r->completed++;
        else if (s == SK_JOB_FAILED) r->failed++;
        else if (s == SK_JOB_ABANDONED) r->abandoned++;
        else r->pending++;
    }
    w->now = lv_wall();
    r->spend = lv_spend(w);
    sk_local_free(w->prov); /* terminates and reaps whatever is left (nothing after a normal end) */
    sk_journal_close(w->jr);
    lv_free(w);
    free(w);
    return rc;
}
