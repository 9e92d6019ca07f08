/* sk_prov_aws.c - the AWS EC2 provider table (sk_prov_aws.h) over the EC2 client (sk_aws): a pool
 * of client handles for concurrent launches, a cached, rate-limited view of the run's instances
 * from DescribeInstances by the run tag, token-idempotent launches, health counters and the
 * current spot prices. Reads no dataset; talks only to the configured EC2 endpoint. */
#include "live/sk_prov_aws.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/sk_csv.h" /* sk_errf */
#include "live/sk_aws.h"
#include "sk_error.h"

#define SK_PA_USER_DATA_MAX 16384 /* EC2's limit on UserData before base64 */

typedef struct {
    sk_pv_inst pub;
    double launched_mono; /* >0: launched here and not yet listed by a DescribeInstances */
} sk_pa_rec;

typedef struct {
    sk_aws *h;
    int busy;
} sk_pa_handle;

typedef struct {
    sk_aws_config acfg; /* holds the credentials: wiped on close */
    char region[64], endpoint[512], run_id[72], image_id[64], key_name[256], subnet_id[64];
    char spot_max_price[32], spot_product[64], agent_bin[512];
    char *user_data;         /* prefix, owned */
    char **sgs;              /* security group ids, owned */
    int n_sgs;
    double min_interval_s, grace_s;
    int page_size;

    pthread_mutex_t mu;      /* everything below */
    sk_pa_handle *pool;
    int npool, cappool;
    sk_pa_rec *v;            /* the cached view */
    int n, cap;
    double last_refresh_mono; /* 0: never refreshed */
    sk_prov_aws_stats hl;
} sk_pa;

static double sk_pa_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sk_pa_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void sk_pa_copy(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

/* ---- handle pool ------------------------------------------------------------------------------ */

/* A free handle (opened on demand). NULL and err set on failure. */
static sk_aws *sk_pa_acquire(sk_pa *p, char *err, size_t errlen) {
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->npool; i++)
        if (!p->pool[i].busy) {
            p->pool[i].busy = 1;
            pthread_mutex_unlock(&p->mu);
            return p->pool[i].h;
        }
    sk_aws *h = NULL;
    if (p->npool == p->cappool) {
        int nc = p->cappool ? 2 * p->cappool : 4;
        sk_pa_handle *nv = realloc(p->pool, (size_t)nc * sizeof *nv);
        if (!nv) {
            pthread_mutex_unlock(&p->mu);
            sk_errf(err, errlen, SK_ENOMEM, "aws provider: out of memory");
            return NULL;
        }
        p->pool = nv;
        p->cappool = nc;
    }
    if (sk_aws_open(&h, &p->acfg, err, errlen) == 0) p->pool[p->npool++] = (sk_pa_handle){h, 1};
    pthread_mutex_unlock(&p->mu);
    return h;
}

static void sk_pa_release(sk_pa *p, sk_aws *h) {
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->npool; i++)
        if (p->pool[i].h == h) p->pool[i].busy = 0;
    pthread_mutex_unlock(&p->mu);
}

/* Count one EC2 action's outcome (rc from an sk_aws call on h). Lock held by the caller. */
static void sk_pa_count_locked(sk_pa *p, sk_aws *h, int rc, const char *err) {
    const sk_aws_error *e = sk_aws_last_error(h);
    p->hl.calls++;
    if (e->attempts > 1) p->hl.retries += e->attempts - 1;
    if (!rc) {
        p->hl.last_ok_at = sk_pa_wall();
        return;
    }
    p->hl.errors++;
    if (e->kind == SK_AWS_ERR_CAPACITY) p->hl.capacity++;
    p->hl.last_error_at = sk_pa_wall();
    sk_pa_copy(p->hl.last_kind, sizeof p->hl.last_kind,
               e->kind != SK_AWS_ERR_NONE ? sk_aws_err_kind_name(e->kind) : "");
    sk_pa_copy(p->hl.last_code, sizeof p->hl.last_code, e->code);
    sk_pa_copy(p->hl.last_error, sizeof p->hl.last_error, err);
}

static void sk_pa_count(sk_pa *p, sk_aws *h, int rc, const char *err) {
    pthread_mutex_lock(&p->mu);
    sk_pa_count_locked(p, h, rc, err);
    pthread_mutex_unlock(&p->mu);
}

/* ---- instances -------------------------------------------------------------------------------- */

static sk_pv_state sk_pa_state(const char *s) {
    if (!strcmp(s, "pending")) return SK_PV_PENDING;
    if (!strcmp(s, "running")) return SK_PV_RUNNING;
    if (!strcmp(s, "shutting-down") || !strcmp(s, "stopping")) return SK_PV_SHUTTING_DOWN;
    if (!strcmp(s, "terminated") || !strcmp(s, "stopped")) return SK_PV_TERMINATED;
    return SK_PV_PENDING; /* unknown names: not gone */
}

static void sk_pa_from_aws(const sk_aws_instance *a, sk_pv_inst *o) {
    memset(o, 0, sizeof *o);
    sk_pa_copy(o->id, sizeof o->id, a->id);
    sk_pa_copy(o->zone, sizeof o->zone, a->zone);
    sk_pa_copy(o->type, sizeof o->type, a->type);
    sk_pa_copy(o->client_token, sizeof o->client_token, sk_aws_instance_tag(a, "synkti:token"));
    sk_pa_copy(o->run_id, sizeof o->run_id, sk_aws_instance_tag(a, "synkti:run-id"));
    sk_pa_copy(o->job, sizeof o->job, sk_aws_instance_tag(a, "synkti:job"));
    o->spot = !strcmp(a->lifecycle, "spot");
    o->state = sk_pa_state(a->state);
    if (o->state >= SK_PV_SHUTTING_DOWN) sk_pa_copy(o->reason, sizeof o->reason, a->state_reason_code);
    o->notice = sk_aws_instance_interrupted(a);
    o->exit_status = -1;
}

static sk_pa_rec *sk_pa_find_locked(sk_pa *p, const char *id) {
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].pub.id, id)) return &p->v[i];
    return NULL;
}

static sk_pa_rec *sk_pa_find_token_locked(sk_pa *p, const char *token) {
    for (int i = 0; i < p->n; i++)
        if (p->v[i].pub.client_token[0] && !strcmp(p->v[i].pub.client_token, token)) return &p->v[i];
    return NULL;
}

/* Insert or replace by id. SK_ENOMEM. */
static int sk_pa_put_locked(sk_pa *p, const sk_pv_inst *in, double launched_mono) {
    sk_pa_rec *r = sk_pa_find_locked(p, in->id);
    if (!r) {
        if (p->n == p->cap) {
            int nc = p->cap ? 2 * p->cap : 16;
            sk_pa_rec *nv = realloc(p->v, (size_t)nc * sizeof *nv);
            if (!nv) return SK_ENOMEM;
            p->v = nv;
            p->cap = nc;
        }
        r = &p->v[p->n++];
        r->pub.notice = 0;
    }
    int notice = r->pub.notice || in->notice;
    r->pub = *in;
    r->pub.notice = notice;
    r->launched_mono = launched_mono;
    return 0;
}

/* ---- the table -------------------------------------------------------------------------------- */

static int sk_pa_launch(void *self, const sk_pv_launch *req, sk_pv_inst *out, char *err,
                        size_t errlen) {
    sk_pa *p = self;
    if (!req->zone || !*req->zone || !req->instance_type || !*req->instance_type)
        return sk_errf(err, errlen, SK_EUSAGE, "aws launch: zone and instance type required");
    const char *token = req->client_token && *req->client_token ? req->client_token : NULL;
    const char *run = req->run_id && *req->run_id ? req->run_id : p->run_id;
    memset(out, 0, sizeof *out);
    if (strcmp(run, p->run_id)) /* refresh would never list it: a leak */
        return sk_errf(err, errlen, SK_EUSAGE, "aws launch: run id '%s' is not this provider's '%s'",
                       run, p->run_id);

    /* idempotency: a token this provider has seen */
    pthread_mutex_lock(&p->mu);
    sk_pa_rec *seen = token ? sk_pa_find_token_locked(p, token) : NULL;
    if (seen) *out = seen->pub;
    int refreshed = p->last_refresh_mono > 0;
    pthread_mutex_unlock(&p->mu);
    if (seen) return 0;

    sk_aws *h = sk_pa_acquire(p, err, errlen);
    if (!h) return SK_ENOMEM;
    int rc = 0;
    sk_aws_instances got = {0};
    if (token && !refreshed) { /* a restarted controller: did a previous one launch it? */
        sk_aws_filter f[] = {{"tag:synkti:token", token}, {"tag:synkti:run-id", run}};
        rc = sk_aws_describe_instances(h, f, 2, NULL, 0, 0, &got, err, errlen);
        sk_pa_count(p, h, rc, err);
        if (rc) goto out;
        if (got.n > 0) {
            sk_pa_from_aws(&got.v[0], out);
            pthread_mutex_lock(&p->mu);
            rc = sk_pa_put_locked(p, out, 0);
            pthread_mutex_unlock(&p->mu);
            if (rc) sk_errf(err, errlen, rc, "aws launch: out of memory");
            goto out;
        }
    }

    char name[256];
    snprintf(name, sizeof name, "synkti %s/%s", run, req->job ? req->job : "-");
    sk_aws_tag tags[4];
    int nt = 0;
    sk_pa_copy(tags[nt].key, sizeof tags[nt].key, "synkti:run-id");
    sk_pa_copy(tags[nt++].value, sizeof tags[0].value, run);
    if (req->job && *req->job) {
        sk_pa_copy(tags[nt].key, sizeof tags[nt].key, "synkti:job");
        sk_pa_copy(tags[nt++].value, sizeof tags[0].value, req->job);
    }
    if (token) {
        sk_pa_copy(tags[nt].key, sizeof tags[nt].key, "synkti:token");
        sk_pa_copy(tags[nt++].value, sizeof tags[0].value, token);
    }
    sk_pa_copy(tags[nt].key, sizeof tags[nt].key, "Name");
    sk_pa_copy(tags[nt++].value, sizeof tags[0].value, name);

    char *script = sk_prov_aws_user_data(p->user_data, p->agent_bin, req->argc, req->argv);
    char *ud = script ? sk_prov_aws_base64(script, strlen(script)) : NULL;
    if (!ud) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "aws launch: out of memory");
        free(script);
        goto out;
    }
    if (strlen(script) > SK_PA_USER_DATA_MAX) {
        rc = sk_errf(err, errlen, SK_EDATA, "aws launch: user data of %zu bytes exceeds EC2's %d",
                     strlen(script), SK_PA_USER_DATA_MAX);
        free(script);
        free(ud);
        goto out;
    }
    free(script);
    sk_aws_run_req rr = {
        .image_id = p->image_id, .instance_type = req->instance_type, .count = 1,
        .zone = req->zone, .subnet_id = p->subnet_id[0] ? p->subnet_id : NULL,
        .key_name = p->key_name[0] ? p->key_name : NULL, .client_token = token,
        .user_data_b64 = ud, .security_group_ids = (const char *const *)p->sgs,
        .n_security_groups = p->n_sgs, .spot = req->spot ? 1 : 0,
        .spot_max_price = req->spot && p->spot_max_price[0] ? p->spot_max_price : NULL,
        .tags = tags, .n_tags = nt,
    };
    rc = sk_aws_run_instances(h, &rr, &got, err, errlen);
    free(ud);
    pthread_mutex_lock(&p->mu);
    sk_pa_count_locked(p, h, rc, err);
    pthread_mutex_unlock(&p->mu);
    if (rc) {
        const sk_aws_error *e = sk_aws_last_error(h);
        if (e->kind == SK_AWS_ERR_CAPACITY) {
            snprintf(err, errlen, "%s: %s", e->code, e->message);
            rc = SK_PV_CAPACITY;
        }
        goto out;
    }
    if (got.n != 1) {
        rc = sk_errf(err, errlen, SK_EDATA, "EC2 RunInstances: %zu instances in the answer, want 1",
                     got.n);
        goto out;
    }
    sk_pa_from_aws(&got.v[0], out);
    /* RunInstances need not echo the tags: the request's are the instance's */
    sk_pa_copy(out->run_id, sizeof out->run_id, run);
    sk_pa_copy(out->job, sizeof out->job, req->job);
    sk_pa_copy(out->client_token, sizeof out->client_token, token);
    if (!out->zone[0]) sk_pa_copy(out->zone, sizeof out->zone, req->zone);
    if (!got.v[0].lifecycle[0]) out->spot = req->spot ? 1 : 0;
    pthread_mutex_lock(&p->mu);
    rc = sk_pa_put_locked(p, out, sk_pa_mono());
    p->hl.launches++;
    pthread_mutex_unlock(&p->mu);
    if (rc) sk_errf(err, errlen, rc, "aws launch: out of memory");
out:
    sk_aws_instances_free(&got);
    sk_pa_release(p, h);
    return rc;
}

static int sk_pa_terminate(void *self, const char *id, char *err, size_t errlen) {
    sk_pa *p = self;
    sk_aws *h = sk_pa_acquire(p, err, errlen);
    if (!h) return SK_ENOMEM;
    sk_aws_instances got = {0};
    const char *ids[] = {id};
    int rc = sk_aws_terminate_instances(h, ids, 1, &got, err, errlen);
    pthread_mutex_lock(&p->mu);
    sk_pa_count_locked(p, h, rc, err);
    sk_pa_rec *r = rc ? NULL : sk_pa_find_locked(p, id);
    for (size_t i = 0; r && i < got.n; i++)
        if (!strcmp(got.v[i].id, id)) {
            sk_pv_state s = sk_pa_state(got.v[i].state);
            if (s > r->pub.state) r->pub.state = s;
            if (!r->pub.reason[0]) sk_pa_copy(r->pub.reason, sizeof r->pub.reason, "Client.UserInitiatedShutdown");
        }
    pthread_mutex_unlock(&p->mu);
    sk_aws_instances_free(&got);
    sk_pa_release(p, h);
    return rc;
}

static int sk_pa_refresh(void *self, char *err, size_t errlen) {
    sk_pa *p = self;
    double now = sk_pa_mono();
    pthread_mutex_lock(&p->mu);
    if (p->last_refresh_mono > 0 && now - p->last_refresh_mono < p->min_interval_s) {
        p->hl.refresh_cached++;
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    pthread_mutex_unlock(&p->mu);
    sk_aws *h = sk_pa_acquire(p, err, errlen);
    if (!h) return SK_ENOMEM;
    sk_aws_instances got = {0};
    sk_aws_filter f[] = {{"tag:synkti:run-id", p->run_id}};
    int rc = sk_aws_describe_instances(h, f, 1, NULL, 0, p->page_size, &got, err, errlen);
    pthread_mutex_lock(&p->mu);
    sk_pa_count_locked(p, h, rc, err);
    if (!rc) {
        /* a new view: what EC2 lists, plus our launches it does not list yet (within the grace) */
        sk_pa_rec *old = p->v;
        int nold = p->n;
        p->v = NULL;
        p->n = p->cap = 0;
        for (size_t i = 0; i < got.n && !rc; i++) {
            sk_pv_inst in;
            sk_pa_from_aws(&got.v[i], &in);
            for (int k = 0; k < nold; k++) /* notices are sticky */
                if (!strcmp(old[k].pub.id, in.id)) in.notice |= old[k].pub.notice;
            rc = sk_pa_put_locked(p, &in, 0);
        }
        for (int k = 0; k < nold && !rc; k++)
            if (old[k].launched_mono > 0 && now - old[k].launched_mono < p->grace_s &&
                !sk_pa_find_locked(p, old[k].pub.id))
                rc = sk_pa_put_locked(p, &old[k].pub, old[k].launched_mono);
        if (rc) { /* out of memory: keep the old view */
            free(p->v);
            p->v = old;
            p->n = p->cap = nold;
            sk_errf(err, errlen, rc, "aws refresh: out of memory");
        } else {
            free(old);
            p->last_refresh_mono = now;
            p->hl.refreshes++;
            p->hl.last_pages = got.pages;
        }
    }
    p->hl.instances = p->n;
    pthread_mutex_unlock(&p->mu);
    sk_aws_instances_free(&got);
    sk_pa_release(p, h);
    return rc;
}

static int sk_pa_list(void *self, const char *run_id, sk_pv_inst *out, int max) {
    sk_pa *p = self;
    int total = 0;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n; i++) {
        if (run_id && *run_id && strcmp(p->v[i].pub.run_id, run_id)) continue;
        if (out && total < max) out[total] = p->v[i].pub;
        total++;
    }
    pthread_mutex_unlock(&p->mu);
    return total;
}

static void sk_pa_close(void *self) {
    sk_pa *p = self;
    if (!p) return;
    for (int i = 0; i < p->npool; i++) sk_aws_close(p->pool[i].h);
    free(p->pool);
    free(p->v);
    free(p->user_data);
    for (int i = 0; i < p->n_sgs; i++) free(p->sgs[i]);
    free(p->sgs);
    pthread_mutex_destroy(&p->mu);
    volatile unsigned char *c = (volatile unsigned char *)&p->acfg.creds;
    for (size_t i = 0; i < sizeof p->acfg.creds; i++) c[i] = 0;
    free(p);
    curl_global_cleanup();
}

int sk_prov_aws_open(sk_provider *out, const sk_prov_aws_cfg *cfg, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (!cfg->region || !*cfg->region || !cfg->run_id || !*cfg->run_id || !cfg->image_id ||
        !*cfg->image_id)
        return sk_errf(err, errlen, SK_ECONFIG, "aws provider: region, run_id and image_id required");
    if (strlen(cfg->run_id) >= sizeof ((sk_pv_inst *)0)->run_id)
        return sk_errf(err, errlen, SK_ECONFIG, "aws provider: run id longer than %zu bytes",
                       sizeof ((sk_pv_inst *)0)->run_id - 1);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return sk_errf(err, errlen, SK_EINTERNAL, "aws provider: curl_global_init failed");
    sk_pa *p = calloc(1, sizeof *p);
    if (!p) {
        curl_global_cleanup();
        return sk_errf(err, errlen, SK_ENOMEM, "aws provider: out of memory");
    }
    int rc = sk_aws_creds_load(&p->acfg.creds, cfg->profile, err, errlen);
    if (rc) goto fail_creds;
    sk_pa_copy(p->region, sizeof p->region, cfg->region);
    sk_pa_copy(p->endpoint, sizeof p->endpoint, cfg->endpoint_url);
    sk_pa_copy(p->run_id, sizeof p->run_id, cfg->run_id);
    sk_pa_copy(p->image_id, sizeof p->image_id, cfg->image_id);
    sk_pa_copy(p->key_name, sizeof p->key_name, cfg->key_name);
    sk_pa_copy(p->subnet_id, sizeof p->subnet_id, cfg->subnet_id);
    sk_pa_copy(p->spot_max_price, sizeof p->spot_max_price, cfg->spot_max_price);
    sk_pa_copy(p->spot_product, sizeof p->spot_product,
               cfg->spot_product ? cfg->spot_product : "Linux/UNIX");
    sk_pa_copy(p->agent_bin, sizeof p->agent_bin, cfg->agent_bin ? cfg->agent_bin : "synkti");
    p->acfg.region = p->region;
    p->acfg.endpoint_url = p->endpoint[0] ? p->endpoint : NULL;
    p->acfg.max_attempts = cfg->max_attempts;
    p->acfg.backoff_base_s = cfg->backoff_base_s;
    p->acfg.backoff_cap_s = cfg->backoff_cap_s;
    p->acfg.timeout_s = cfg->timeout_s;
    p->acfg.jitter_seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)p;
    p->min_interval_s = cfg->describe_min_interval_s > 0 ? cfg->describe_min_interval_s : 5.0;
    p->grace_s = cfg->launch_grace_s > 0 ? cfg->launch_grace_s : 120.0;
    p->page_size = cfg->describe_page_size > 0 ? cfg->describe_page_size : 100;
    rc = SK_ENOMEM;
    if (cfg->user_data && !(p->user_data = strdup(cfg->user_data))) goto fail_alloc;
    if (cfg->n_security_groups > 0) {
        p->sgs = calloc((size_t)cfg->n_security_groups, sizeof *p->sgs);
        if (!p->sgs) goto fail_alloc;
        for (; p->n_sgs < cfg->n_security_groups; p->n_sgs++)
            if (!(p->sgs[p->n_sgs] = strdup(cfg->security_group_ids[p->n_sgs]))) goto fail_alloc;
    }
    if (pthread_mutex_init(&p->mu, NULL)) goto fail_alloc;
    sk_aws *h = sk_pa_acquire(p, err, errlen); /* checks the client config now */
    if (!h) {
        rc = SK_ECONFIG;
        goto fail_client;
    }
    sk_pa_release(p, h);
    *out = (sk_provider){.name = "aws", .self = p, .launch = sk_pa_launch,
                         .terminate = sk_pa_terminate, .refresh = sk_pa_refresh,
                         .list = sk_pa_list, .close = sk_pa_close};
    return 0;

fail_client:
    pthread_mutex_destroy(&p->mu);
fail_alloc:
    if (rc == SK_ENOMEM) sk_errf(err, errlen, rc, "aws provider: out of memory");
    for (int i = 0; i < p->n_sgs; i++) free(p->sgs[i]);
    free(p->sgs);
    free(p->user_data);
fail_creds:
    memset(&p->acfg.creds, 0, sizeof p->acfg.creds);
    free(p);
    curl_global_cleanup();
    return rc;
}

/* ---- health, prices ----------------------------------------------------------------------------- */

static sk_pa *sk_pa_of(const sk_provider *p) {
    return p && p->name && !strcmp(p->name, "aws") && p->close == sk_pa_close ? p->self : NULL;
}

int sk_prov_aws_health(const sk_provider *prov, sk_prov_aws_stats *out) {
    sk_pa *p = sk_pa_of(prov);
    if (!p) return SK_EUSAGE;
    pthread_mutex_lock(&p->mu);
    *out = p->hl;
    out->instances = p->n;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int sk_prov_aws_spot_prices(const sk_provider *prov, const char *instance_type,
                            const char *const *zones, int nzones, double *usd_h, char *err,
                            size_t errlen) {
    sk_pa *p = sk_pa_of(prov);
    if (!p || !instance_type) return sk_errf(err, errlen, SK_EUSAGE, "aws spot prices: not an aws provider");
    char start[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sk_aws *h = sk_pa_acquire(p, err, errlen);
    if (!h) return SK_ENOMEM;
    sk_aws_spot_price *sp = NULL;
    size_t ns = 0;
    const char *types[] = {instance_type};
    int rc = sk_aws_spot_price_history(h, types, 1, NULL, p->spot_product, start, NULL, &sp, &ns,
                                       err, errlen);
    sk_pa_count(p, h, rc, err);
    sk_pa_release(p, h);
    if (rc) return rc;
    int found = 0;
    for (int z = 0; z < nzones; z++) {
        const sk_aws_spot_price *best = NULL;
        for (size_t i = 0; i < ns; i++)
            if (!strcmp(sp[i].zone, zones[z]) && !strcmp(sp[i].instance_type, instance_type) &&
                (!best || strcmp(sp[i].timestamp, best->timestamp) > 0))
                best = &sp[i];
        usd_h[z] = best ? best->price : -1.0;
        found += best != NULL;
    }
    free(sp);
    return found;
}

/* ---- user data -------------------------------------------------------------------------------- */

char *sk_prov_aws_user_data(const char *prefix, const char *agent_bin, int argc, char *const *argv) {
    if (!prefix) prefix = "#!/bin/sh\n";
    if (!agent_bin) agent_bin = "synkti";
    size_t np = strlen(prefix), nb = strlen(agent_bin), n = np + nb + 16;
    for (int i = 0; i < argc; i++) n += 4 * strlen(argv[i]) + 3;
    char *s = malloc(n), *w = s;
    if (!s) return NULL;
    memcpy(w, prefix, np);
    w += np;
    if (np && prefix[np - 1] != '\n') *w++ = '\n';
    memcpy(w, "exec ", 5);
    memcpy(w + 5, agent_bin, nb);
    memcpy(w + 5 + nb, " agent", 6);
    w += 11 + nb;
    for (int i = 0; i < argc; i++) {
        *w++ = ' ';
        *w++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'') {
                memcpy(w, "'\\''", 4);
                w += 4;
            } else {
                *w++ = *c;
            }
        }
        *w++ = '\'';
    }
    *w++ = '\n';
    *w = '\0';
    return s;
}

char *sk_prov_aws_base64(const void *data, size_t n) {
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *d = data;
    char *s = malloc(4 * ((n + 2) / 3) + 1), *w = s;
    if (!s) return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < n) v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < n) v |= d[i + 2];
        *w++ = al[(v >> 18) & 63];
        *w++ = al[(v >> 12) & 63];
        *w++ = i + 1 < n ? al[(v >> 6) & 63] : '=';
        *w++ = i + 2 < n ? al[v & 63] : '=';
    }
    *w = '\0';
    return s;
}
