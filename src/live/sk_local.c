/* sk_local.c - the local provider (see sk_local.h): child processes running `synkti agent`, one
 * sk_imds per instance, interruptions with a time-scale factor, per-zone capacity and scripted
 * capacity errors. Reads no files; writes the agents' logs to cfg->log_dir when given. */
#define _GNU_SOURCE
#include "live/sk_local.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "live/sk_imds.h"
#include "live/sk_provider.h"
#include "sk_error.h"

extern char **environ;

typedef struct {
    sk_local_inst pub;
    sk_imds *imds;
    double kill_at;     /* monotonic: SIGKILL when still alive (0 = no termination requested) */
    double deadline_at; /* monotonic: interruption deadline (0 = none) */
    int term_sent;
} sk_local_rec;

typedef struct {
    char zone[64];
    int slots, fail_next;
    int spot_slots; /* spot capacity (-1: unlimited) */
} sk_local_zone;

struct sk_local {
    pthread_mutex_t mu;
    char *synkti, *log_dir;
    double scale, grace;
    int default_slots;
    sk_local_rec *v;
    int n, cap;
    sk_local_zone *z;
    int nz, zcap;
    unsigned long seq;
};

static double sk_local_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *sk_local_state_name(sk_local_state s) {
    switch (s) {
    case SK_LOCAL_PENDING: return "pending";
    case SK_LOCAL_RUNNING: return "running";
    case SK_LOCAL_SHUTTING_DOWN: return "shutting-down";
    case SK_LOCAL_TERMINATED: return "terminated";
    }
    return "unknown";
}

int sk_local_new(sk_local **out, const sk_local_cfg *cfg, char *err, size_t errlen) {
    *out = NULL;
    if (!cfg || !cfg->synkti || !*cfg->synkti) {
        if (err) snprintf(err, errlen, "local provider: the synkti binary path is required");
        return SK_EUSAGE;
    }
    sk_local *p = calloc(1, sizeof *p);
    if (!p || !(p->synkti = strdup(cfg->synkti)) || (cfg->log_dir && !(p->log_dir = strdup(cfg->log_dir)))) {
        if (p) free(p->synkti);
        free(p);
        if (err) snprintf(err, errlen, "local provider: out of memory");
        return SK_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->scale = cfg->time_scale > 0 ? cfg->time_scale : 1.0;
    p->grace = cfg->grace_s > 0 ? cfg->grace_s : 5.0;
    p->default_slots = cfg->default_slots > 0 ? cfg->default_slots : 0;
    *out = p;
    return 0;
}

/* The zone's record, created on first use (caller holds mu). NULL when out of memory. */
static sk_local_zone *sk_local_zone_get(sk_local *p, const char *zone) {
    for (int i = 0; i < p->nz; i++)
        if (!strcmp(p->z[i].zone, zone)) return &p->z[i];
    if (p->nz == p->zcap) {
        int nc = p->zcap ? 2 * p->zcap : 8;
        sk_local_zone *nz = realloc(p->z, (size_t)nc * sizeof *nz);
        if (!nz) return NULL;
        p->z = nz, p->zcap = nc;
    }
    sk_local_zone *z = &p->z[p->nz++];
    memset(z, 0, sizeof *z);
    snprintf(z->zone, sizeof z->zone, "%s", zone);
    z->slots = p->default_slots;
    z->spot_slots = -1;
    return z;
}

int sk_local_set_capacity(sk_local *p, const char *zone, int slots) {
    pthread_mutex_lock(&p->mu);
    sk_local_zone *z = sk_local_zone_get(p, zone);
    if (z) z->slots = slots > 0 ? slots : 0;
    pthread_mutex_unlock(&p->mu);
    return z ? 0 : SK_ENOMEM;
}

int sk_local_set_spot_capacity(sk_local *p, const char *zone, int n) {
    pthread_mutex_lock(&p->mu);
    sk_local_zone *z = sk_local_zone_get(p, zone);
    if (z) z->spot_slots = n < 0 ? -1 : n;
    pthread_mutex_unlock(&p->mu);
    return z ? 0 : SK_ENOMEM;
}

int sk_local_fail_next(sk_local *p, const char *zone, int n) {
    pthread_mutex_lock(&p->mu);
    sk_local_zone *z = sk_local_zone_get(p, zone);
    if (z) z->fail_next += n > 0 ? n : 0;
    pthread_mutex_unlock(&p->mu);
    return z ? 0 : SK_ENOMEM;
}

static int sk_local_pid_is(pid_t pid, const char *id, const char *run_id);
static int sk_local_grow(sk_local *p);

static sk_local_rec *sk_local_find(sk_local *p, const char *id) {
    for (int i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].pub.id, id)) return &p->v[i];
    return NULL;
}

/* The environment of a child: ours without any SYNKTI_<tag> variable, plus the instance's tags. */
static const char *const sk_local_tagvars[] = {"SYNKTI_IMDS_URL=", "SYNKTI_INSTANCE_ID=", "SYNKTI_RUN_ID=",
                                               "SYNKTI_CLIENT_TOKEN=", "SYNKTI_ZONE=", "SYNKTI_SPOT=",
                                               "SYNKTI_TYPE=", "SYNKTI_JOB="};
#define SK_LOCAL_NTAG ((int)(sizeof sk_local_tagvars / sizeof sk_local_tagvars[0]))

static void sk_local_env_free(char **e) {
    if (!e) return;
    size_t k = 0;
    while (e[k]) k++;
    for (size_t i = k >= SK_LOCAL_NTAG ? k - SK_LOCAL_NTAG : 0; i < k; i++) free(e[i]);
    free(e);
}

static char **sk_local_env(const sk_local_inst *in) {
    size_t n = 0;
    while (environ && environ[n]) n++;
    char **e = calloc(n + SK_LOCAL_NTAG + 1, sizeof *e);
    if (!e) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int tag = 0;
        for (int t = 0; t < SK_LOCAL_NTAG; t++) tag |= !strncmp(environ[i], sk_local_tagvars[t], strlen(sk_local_tagvars[t]));
        if (!tag) e[k++] = environ[i];
    }
    const char *val[SK_LOCAL_NTAG] = {in->imds_url, in->id, in->run_id, in->client_token, in->zone,
                                      in->spot ? "1" : "0", in->type, in->job};
    for (int t = 0; t < SK_LOCAL_NTAG; t++) {
        size_t l = strlen(sk_local_tagvars[t]) + strlen(val[t]) + 1;
        if (!(e[k] = malloc(l))) {
            for (size_t i = k - (size_t)t; i < k; i++) free(e[i]);
            free(e);
            return NULL;
        }
        snprintf(e[k++], l, "%s%s", sk_local_tagvars[t], val[t]);
    }
    e[k] = NULL;
    return e;
}

int sk_local_launch(sk_local *p, const sk_local_launch_req *req, char *id_out, size_t idlen, char *err,
                    size_t errlen) {
    const char *zone = req->zone ? req->zone : "local-1a";
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    if (req->client_token && *req->client_token)
        for (int i = 0; i < p->n; i++)
            if (!strcmp(p->v[i].pub.client_token, req->client_token)) {
                snprintf(id_out, idlen, "%s", p->v[i].pub.id);
                pthread_mutex_unlock(&p->mu);
                return 0;
            }
    sk_local_zone *z = sk_local_zone_get(p, zone);
    if (!z) {
        rc = SK_ENOMEM;
        if (err) snprintf(err, errlen, "local provider: out of memory");
        goto out;
    }
    int used = 0, spots = 0;
    for (int i = 0; i < p->n; i++)
        if (p->v[i].pub.state != SK_LOCAL_TERMINATED && !strcmp(p->v[i].pub.zone, zone)) used++, spots += p->v[i].pub.spot;
    if (req->spot && z->spot_slots >= 0 && spots >= z->spot_slots && !z->fail_next) {
        if (err)
            snprintf(err, errlen, "InsufficientInstanceCapacity: there is no spot capacity in zone %s (%d of %d spot slots in use)",
                     zone, spots, z->spot_slots);
        rc = SK_LOCAL_CAPACITY;
        goto out;
    }
    if (z->fail_next > 0 || (z->slots > 0 && used >= z->slots)) {
        if (z->fail_next > 0) z->fail_next--;
        if (err)
            snprintf(err, errlen,
                     "InsufficientInstanceCapacity: there is no %s capacity in zone %s (%d of %d slots in use%s)",
                     req->spot ? "spot" : "on-demand", zone, used, z->slots, z->slots ? "" : ", scripted");
        rc = SK_LOCAL_CAPACITY;
        goto out;
    }
    if (sk_local_grow(p) < 0) {
        rc = SK_ENOMEM;
        if (err) snprintf(err, errlen, "local provider: out of memory");
        goto out;
    }
    sk_local_rec r;
    memset(&r, 0, sizeof r);
    snprintf(r.pub.id, sizeof r.pub.id, "i-local-%ld-%05lu", (long)getpid(), ++p->seq);
    snprintf(r.pub.zone, sizeof r.pub.zone, "%s", zone);
    snprintf(r.pub.type, sizeof r.pub.type, "%s", req->instance_type ? req->instance_type : "local.cpu");
    snprintf(r.pub.client_token, sizeof r.pub.client_token, "%s", req->client_token ? req->client_token : "");
    snprintf(r.pub.run_id, sizeof r.pub.run_id, "%s", req->run_id ? req->run_id : "");
    snprintf(r.pub.job, sizeof r.pub.job, "%s", req->job ? req->job : "");
    r.pub.spot = req->spot;
    r.pub.exit_status = -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r.pub.launch_time = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    sk_imds_cfg ic = {r.pub.id, r.pub.zone, r.pub.type, r.pub.spot};
    if ((rc = sk_imds_start(&r.imds, &ic, 0, err, errlen)) < 0) goto out;
    snprintf(r.pub.imds_url, sizeof r.pub.imds_url, "%s", sk_imds_url(r.imds));
    r.pub.imds_port = sk_imds_port(r.imds);

    char **argv = calloc((size_t)req->argc + 3, sizeof *argv);
    char **envp = sk_local_env(&r.pub);
    char *logp = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (!argv || !envp) {
        rc = SK_ENOMEM;
        if (err) snprintf(err, errlen, "local provider: out of memory");
        goto spawn_done;
    }
    argv[0] = p->synkti;
    argv[1] = "agent";
    for (int i = 0; i < req->argc; i++) argv[i + 2] = req->argv[i];
    if (p->log_dir) {
        size_t ll = strlen(p->log_dir) + strlen(r.pub.id) + 8;
        if (!(logp = malloc(ll))) {
            rc = SK_ENOMEM;
            goto spawn_done;
        }
        snprintf(logp, ll, "%s/%s.log", p->log_dir, r.pub.id);
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, logp ? logp : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int e = posix_spawn(&pid, p->synkti, &fa, NULL, argv, envp);
    if (e) {
        rc = SK_EIO;
        if (err) snprintf(err, errlen, "local provider: cannot start %s agent: %s", p->synkti, strerror(e));
        goto spawn_done;
    }
    r.pub.pid = pid;
    r.pub.state = SK_LOCAL_PENDING;
    p->v[p->n++] = r;
    snprintf(id_out, idlen, "%s", r.pub.id);
spawn_done:
    posix_spawn_file_actions_destroy(&fa);
    sk_local_env_free(envp);
    free(argv);
    free(logp);
    if (rc < 0) sk_imds_stop(r.imds);
out:
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Request termination (caller holds mu). */
static void sk_local_term(sk_local *p, sk_local_rec *r, const char *reason) {
    if (r->pub.state == SK_LOCAL_TERMINATED || r->term_sent) return;
    if (!r->pub.reason[0]) snprintf(r->pub.reason, sizeof r->pub.reason, "%s", reason);
    r->pub.state = SK_LOCAL_SHUTTING_DOWN;
    r->term_sent = 1;
    r->kill_at = sk_local_mono() + p->grace;
    if (r->pub.pid > 0 && (!r->pub.foreign || sk_local_pid_is(r->pub.pid, r->pub.id, NULL))) kill(r->pub.pid, SIGTERM);
}

/* Is pid a live (not zombie) process whose environment holds SYNKTI_INSTANCE_ID=id (id NULL: any
 * id, copied to id_out)? The environment goes to env (NUL-separated, *envlen bytes) when given. */
static int sk_local_proc_env(pid_t pid, char *buf, size_t cap, size_t *len) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X') return 0;
    snprintf(path, sizeof path, "/proc/%ld/environ", (long)pid);
    if (!(f = fopen(path, "r"))) return 0;
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return 1;
}
/* The value of NAME= in a NUL-separated environment, or NULL. */
static const char *sk_local_envget(const char *env, size_t n, const char *name) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i += strlen(env + i) + 1)
        if (!strncmp(env + i, name, nl)) return env + i + nl;
    return NULL;
}
static int sk_local_pid_is(pid_t pid, const char *id, const char *run_id) {
    char buf[16384];
    size_t n = 0;
    if (!sk_local_proc_env(pid, buf, sizeof buf, &n)) return 0;
    const char *v = sk_local_envget(buf, n, "SYNKTI_INSTANCE_ID=");
    const char *r = sk_local_envget(buf, n, "SYNKTI_RUN_ID=");
    return v && (!id || !strcmp(v, id)) && (!run_id || (r && !strcmp(r, run_id)));
}

static int sk_local_grow(sk_local *p) {
    if (p->n < p->cap) return 0;
    int nc = p->cap ? 2 * p->cap : 16;
    sk_local_rec *nv = realloc(p->v, (size_t)nc * sizeof *nv);
    if (!nv) return SK_ENOMEM;
    p->v = nv, p->cap = nc;
    return 0;
}

int sk_local_discover(sk_local *p, const char *run_id) {
    DIR *d = opendir("/proc");
    if (!d) return 0;
    int added = 0;
    struct dirent *de;
    static char buf[65536];
    pthread_mutex_lock(&p->mu);
    while ((de = readdir(d))) {
        char *end;
        long pid = strtol(de->d_name, &end, 10);
        size_t n = 0;
        if (*end || pid <= 1 || pid == (long)getpid() || !sk_local_proc_env((pid_t)pid, buf, sizeof buf, &n)) continue;
        const char *rid = sk_local_envget(buf, n, "SYNKTI_RUN_ID="), *id = sk_local_envget(buf, n, "SYNKTI_INSTANCE_ID=");
        if (!rid || !id || !*id || strcmp(rid, run_id) || sk_local_find(p, id) || sk_local_grow(p)) continue;
        sk_local_rec r;
        memset(&r, 0, sizeof r);
        const char *v;
        snprintf(r.pub.id, sizeof r.pub.id, "%s", id);
        snprintf(r.pub.run_id, sizeof r.pub.run_id, "%s", rid);
        if ((v = sk_local_envget(buf, n, "SYNKTI_ZONE="))) snprintf(r.pub.zone, sizeof r.pub.zone, "%s", v);
        if ((v = sk_local_envget(buf, n, "SYNKTI_TYPE="))) snprintf(r.pub.type, sizeof r.pub.type, "%s", v);
        if ((v = sk_local_envget(buf, n, "SYNKTI_JOB="))) snprintf(r.pub.job, sizeof r.pub.job, "%s", v);
        if ((v = sk_local_envget(buf, n, "SYNKTI_CLIENT_TOKEN=")))
            snprintf(r.pub.client_token, sizeof r.pub.client_token, "%s", v);
        if ((v = sk_local_envget(buf, n, "SYNKTI_IMDS_URL=")) && strrchr(v, ':')) r.pub.imds_port = atoi(strrchr(v, ':') + 1);
        r.pub.spot = (v = sk_local_envget(buf, n, "SYNKTI_SPOT=")) && !strcmp(v, "1");
        r.pub.pid = (pid_t)pid;
        r.pub.exit_status = -1;
        r.pub.state = SK_LOCAL_RUNNING;
        r.pub.foreign = 1;
        p->v[p->n++] = r;
        added++;
    }
    pthread_mutex_unlock(&p->mu);
    closedir(d);
    return added;
}

int sk_local_adopt(sk_local *p, const char *id, char *err, size_t errlen) {
    pthread_mutex_lock(&p->mu);
    sk_local_rec *r = sk_local_find(p, id);
    int rc = 0;
    if (!r) rc = SK_ENOENT, snprintf(err, errlen, "local provider: no instance %s", id);
    else if (r->pub.state >= SK_LOCAL_SHUTTING_DOWN)
        rc = SK_EIO, snprintf(err, errlen, "local provider: %s is %s", id, sk_local_state_name(r->pub.state));
    else if (!r->imds) {
        sk_imds_cfg ic = {r->pub.id, r->pub.zone, r->pub.type, r->pub.spot};
        if (r->pub.imds_port <= 0) rc = SK_EIO, snprintf(err, errlen, "local provider: %s has no metadata port", id);
        else if ((rc = sk_imds_start(&r->imds, &ic, r->pub.imds_port, err, errlen)) == 0)
            snprintf(r->pub.imds_url, sizeof r->pub.imds_url, "%s", sk_imds_url(r->imds));
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static int sk_local_poll_locked(sk_local *p) {
    double now = sk_local_mono();
    int live = 0;
    for (int i = 0; i < p->n; i++) {
        sk_local_rec *r = &p->v[i];
        if (r->pub.state == SK_LOCAL_TERMINATED) continue;
        int st;
        pid_t w = r->pub.pid > 0 && !r->pub.foreign ? waitpid(r->pub.pid, &st, WNOHANG) : -1;
        if (r->pub.foreign && r->pub.pid > 0 && sk_local_pid_is(r->pub.pid, r->pub.id, NULL)) w = 0;
        if (w == r->pub.pid || (w < 0 && (errno == ECHILD || r->pub.foreign))) {
            r->pub.exit_status = w == r->pub.pid && w > 0 ? (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st)) : -1;
            r->pub.pid = 0;
            r->pub.state = SK_LOCAL_TERMINATED;
            if (!r->pub.reason[0])
                snprintf(r->pub.reason, sizeof r->pub.reason, "%s",
                         r->pub.interrupted ? "Server.SpotInstanceTermination" : "Client.InstanceInitiatedShutdown");
            sk_imds_stop(r->imds);
            r->imds = NULL;
            r->pub.imds_url[0] = '\0';
            continue;
        }
        live++;
        if (r->pub.state == SK_LOCAL_PENDING && r->imds && sk_imds_tokens_issued(r->imds) > 0) r->pub.state = SK_LOCAL_RUNNING;
        if (r->deadline_at > 0 && now >= r->deadline_at) sk_local_term(p, r, "Server.SpotInstanceTermination");
        if (r->term_sent && r->kill_at > 0 && now >= r->kill_at) {
            if (!r->pub.foreign || sk_local_pid_is(r->pub.pid, r->pub.id, NULL)) kill(r->pub.pid, SIGKILL);
            r->kill_at = 0; /* once; the reap above finishes it */
        }
    }
    return live;
}

int sk_local_poll(sk_local *p) {
    pthread_mutex_lock(&p->mu);
    int live = sk_local_poll_locked(p);
    pthread_mutex_unlock(&p->mu);
    return live;
}

int sk_local_describe(sk_local *p, const char *id, sk_local_inst *out) {
    pthread_mutex_lock(&p->mu);
    sk_local_rec *r = sk_local_find(p, id);
    if (r) *out = r->pub;
    pthread_mutex_unlock(&p->mu);
    return r ? 0 : SK_ENOENT;
}

int sk_local_list(sk_local *p, const char *run_id, sk_local_inst *out, int max) {
    pthread_mutex_lock(&p->mu);
    int k = 0;
    for (int i = 0; i < p->n; i++) {
        if (run_id && strcmp(p->v[i].pub.run_id, run_id)) continue;
        if (out && k < max) out[k] = p->v[i].pub;
        k++;
    }
    pthread_mutex_unlock(&p->mu);
    return k;
}

int sk_local_terminate(sk_local *p, const char *id) {
    pthread_mutex_lock(&p->mu);
    sk_local_rec *r = sk_local_find(p, id);
    if (r) sk_local_term(p, r, "Client.UserInitiatedShutdown");
    pthread_mutex_unlock(&p->mu);
    return r ? 0 : SK_ENOENT;
}

int sk_local_interrupt(sk_local *p, const char *id, double notice_s) {
    pthread_mutex_lock(&p->mu);
    sk_local_rec *r = sk_local_find(p, id);
    int rc = !r ? SK_ENOENT : (!r->pub.spot || r->pub.state >= SK_LOCAL_SHUTTING_DOWN) ? SK_EUSAGE : 0;
    if (!rc && !r->pub.interrupted) {
        double wall = (notice_s > 0 ? notice_s : 0) * p->scale;
        if (r->imds) sk_imds_notice(r->imds, wall);
        r->pub.interrupted = 1;
        r->deadline_at = sk_local_mono() + wall;
    }
    pthread_mutex_unlock(&p->mu);
    return rc;
}

int sk_local_rebalance(sk_local *p, const char *id) {
    pthread_mutex_lock(&p->mu);
    sk_local_rec *r = sk_local_find(p, id);
    if (r && r->imds) sk_imds_rebalance(r->imds);
    pthread_mutex_unlock(&p->mu);
    return r ? 0 : SK_ENOENT;
}

int sk_local_wait(sk_local *p, const char *id, double timeout_s) {
    double end = sk_local_mono() + timeout_s;
    for (;;) {
        sk_local_poll(p);
        sk_local_inst in;
        if (sk_local_describe(p, id, &in) < 0) return SK_ENOENT;
        if (in.state == SK_LOCAL_TERMINATED) return 0;
        if (sk_local_mono() >= end) return SK_EINTR;
        struct timespec d = {0, 10 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
}

void sk_local_free(sk_local *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n; i++) sk_local_term(p, &p->v[i], "Client.UserInitiatedShutdown");
    while (sk_local_poll_locked(p) > 0) {
        struct timespec d = {0, 10 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++) sk_imds_stop(p->v[i].imds);
    pthread_mutex_destroy(&p->mu);
    free(p->v);
    free(p->z);
    free(p->synkti);
    free(p->log_dir);
    free(p);
}

/* ---- the provider table (live/sk_provider.h) ---- */

static void sk_local_to_pv(const sk_local_inst *in, sk_pv_inst *o) {
    memset(o, 0, sizeof *o);
    snprintf(o->id, sizeof o->id, "%s", in->id);
    snprintf(o->zone, sizeof o->zone, "%s", in->zone);
    snprintf(o->type, sizeof o->type, "%s", in->type);
    snprintf(o->client_token, sizeof o->client_token, "%s", in->client_token);
    snprintf(o->run_id, sizeof o->run_id, "%s", in->run_id);
    snprintf(o->job, sizeof o->job, "%s", in->job);
    snprintf(o->reason, sizeof o->reason, "%s", in->reason);
    o->spot = in->spot;
    o->state = in->state == SK_LOCAL_PENDING   ? SK_PV_PENDING
               : in->state == SK_LOCAL_RUNNING ? SK_PV_RUNNING
               : in->state == SK_LOCAL_SHUTTING_DOWN ? SK_PV_SHUTTING_DOWN
                                                     : SK_PV_TERMINATED;
    o->notice = in->interrupted;
    o->exit_status = in->exit_status;
    o->pid = (long)in->pid;
    o->port = in->imds_port;
}

static int sk_lp_launch(void *self, const sk_pv_launch *q, sk_pv_inst *out, char *err, size_t errlen) {
    sk_local_launch_req r = {q->zone, q->instance_type, q->spot, q->client_token, q->run_id, q->argc, q->argv, q->job};
    char id[40];
    int rc = sk_local_launch(self, &r, id, sizeof id, err, errlen);
    if (rc == SK_LOCAL_CAPACITY) return SK_PV_CAPACITY;
    if (rc < 0) return rc;
    sk_local_inst in;
    if ((rc = sk_local_describe(self, id, &in)) < 0) return rc;
    sk_local_to_pv(&in, out);
    return 0;
}
static int sk_lp_terminate(void *self, const char *id, char *err, size_t errlen) {
    int rc = sk_local_terminate(self, id);
    if (rc < 0) snprintf(err, errlen, "local provider: no instance %s", id);
    return rc;
}
static int sk_lp_refresh(void *self, char *err, size_t errlen) {
    (void)err, (void)errlen;
    sk_local_poll(self);
    return 0;
}
static int sk_lp_list(void *self, const char *run_id, sk_pv_inst *out, int max) {
    int n = sk_local_list(self, run_id, NULL, 0);
    if (!out || max <= 0) return n;
    sk_local_inst *v = malloc(((size_t)n + 1) * sizeof *v);
    if (!v) return SK_ENOMEM;
    n = sk_local_list(self, run_id, v, n);
    for (int i = 0; i < n && i < max; i++) sk_local_to_pv(&v[i], &out[i]);
    free(v);
    return n;
}
static int sk_lp_adopt(void *self, const sk_pv_inst *in, char *err, size_t errlen) { return sk_local_adopt(self, in->id, err, errlen); }
static int sk_lp_interrupt(void *self, const char *id, double notice_s, char *err, size_t errlen) {
    int rc = sk_local_interrupt(self, id, notice_s);
    if (rc < 0) snprintf(err, errlen, "local provider: cannot interrupt %s: %s", id, sk_strerror(rc));
    return rc;
}
static int sk_lp_set_capacity(void *self, const char *zone, int slots) {
    return sk_local_set_spot_capacity(self, zone, slots);
}
static void sk_lp_close(void *self) { (void)self; }
static int sk_lp_discover(void *self, const char *tag) { return sk_local_discover(self, tag); }

void sk_local_provider(sk_local *p, sk_provider *out) {
    *out = (sk_provider){"local", p, sk_lp_launch, sk_lp_terminate, sk_lp_refresh, sk_lp_list, sk_lp_adopt,
                         sk_lp_interrupt, sk_lp_set_capacity, sk_lp_close, sk_lp_discover, 1};
}
