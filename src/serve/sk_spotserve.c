/* sk_spotserve.c - SpotServe-style reparallelization over multi-GPU spot instances: loaders for the
 * artifact's profiles, trace segments and query traces, the configuration optimizer, and the
 * event-driven simulation of the spotserve, restart, reroute and on_demand policies. */
#include "serve/sk_spotserve.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_eq.h"
#include "io/sk_csv.h"
#include "sk_error.h"

/* ---- profile ------------------------------------------------------------------------------ */

static int ss__num(const cJSON *o, const char *key, double *v) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x)) return -1;
    *v = x->valuedouble;
    return 0;
}

int sk_ss_profile_load(sk_ss_profile *p, const char *path, char *err, size_t len) {
    char *buf = NULL;
    size_t n = 0;
    int rc = sk_file_slurp(path, &buf, &n, err, len);
    if (rc < 0) return rc;
    memset(p, 0, sizeof *p);
    cJSON *root = cJSON_ParseWithLength(buf, n);
    free(buf);
    if (!root) return sk_errf(err, len, SK_EDATA, "%s: not valid JSON", path);
    double v[6];
    static const char *const keys[6] = {"layer_num", "final_fix_factor", "pp_init_comm", "pp_incr_comm", "hidden_size", "max_tp"};
    for (int i = 0; i < 6; i++) {
        if (ss__num(root, keys[i], &v[i]) < 0) {
            /* the V100 profiles have no hidden_size / max_tp: hidden is then unknown */
            if (i >= 4) { v[i] = i == 5 ? 4 : 0; continue; }
            rc = sk_errf(err, len, SK_EDATA, "%s: %s: missing or not a number", path, keys[i]);
            goto out;
        }
    }
    p->layer_num = (int)v[0], p->fix = v[1], p->pp_init_comm = v[2], p->pp_incr_comm = v[3];
    p->hidden = (int)v[4], p->max_tp = (int)v[5];
    double pad;
    p->padded_layer_num = ss__num(root, "padded_layer_num", &pad) < 0 ? p->layer_num : (int)pad;
    if (p->layer_num < 1 || p->padded_layer_num < p->layer_num || p->max_tp < 1) {
        rc = sk_errf(err, len, SK_EDATA, "%s: layer_num %d, padded_layer_num %d, max_tp %d: out of range", path,
                     p->layer_num, p->padded_layer_num, p->max_tp);
        goto out;
    }
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(root, "name");
    snprintf(p->name, sizeof p->name, "%s", cJSON_IsString(nm) ? nm->valuestring : "");
    for (int b = 0; b < SK_SS_MAXBS; b++) p->embed[b] = NAN;
    const cJSON *emb = cJSON_GetObjectItemCaseSensitive(root, "embed");
    if (!cJSON_IsArray(emb) || cJSON_GetArraySize(emb) < 1) {
        rc = sk_errf(err, len, SK_EDATA, "%s: embed: missing or not an array", path);
        goto out;
    }
    for (int b = 0; b < SK_SS_MAXBS && b < cJSON_GetArraySize(emb); b++) {
        const cJSON *x = cJSON_GetArrayItem(emb, b);
        if (!cJSON_IsNumber(x)) {
            rc = sk_errf(err, len, SK_EDATA, "%s: embed[%d]: not a number", path, b);
            goto out;
        }
        p->embed[b] = x->valuedouble;
    }
    int any = 0;
    for (int t = 0; t < SK_SS_MAXTP; t++) {
        char k[16];
        snprintf(k, sizeof k, "tp-%d", 1 << t);
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(root, k);
        for (int b = 0; b < SK_SS_MAXBS; b++) {
            p->init[t][b] = p->incr[t][b] = NAN;
            char kb[16];
            snprintf(kb, sizeof kb, "bsz-%d", 1 << b);
            const cJSON *e = tp ? cJSON_GetObjectItemCaseSensitive(tp, kb) : NULL;
            if (!e) continue;
            if (ss__num(e, "init", &p->init[t][b]) < 0 || ss__num(e, "incr", &p->incr[t][b]) < 0 ||
                !(p->init[t][b] > 0) || !(p->incr[t][b] > 0)) {
                rc = sk_errf(err, len, SK_EDATA, "%s: %s.%s: init and incr must be positive numbers", path, k, kb);
                goto out;
            }
            any = 1;
        }
    }
    if (!any) rc = sk_errf(err, len, SK_EDATA, "%s: no tp-N.bsz-M entries", path);
out:
    cJSON_Delete(root);
    return rc;
}

/* ---- trace segment ------------------------------------------------------------------------ */

void sk_ss_trace_fini(sk_ss_trace *tr) {
    for (int i = 0; i < tr->nnodes; i++) free(tr->names[i]);
    free(tr->names), free(tr->ev), free(tr->node_ids);
    memset(tr, 0, sizeof *tr);
}

static int ss__node(sk_ss_trace *tr, const char *name, int *cap) {
    for (int i = 0; i < tr->nnodes; i++)
        if (!strcmp(tr->names[i], name)) return i;
    if (tr->nnodes == *cap) {
        int nc = *cap ? *cap * 2 : 16;
        char **nn = realloc(tr->names, (size_t)nc * sizeof *nn);
        if (!nn) return SK_ENOMEM;
        tr->names = nn, *cap = nc;
    }
    if (!(tr->names[tr->nnodes] = strdup(name))) return SK_ENOMEM;
    return tr->nnodes++;
}

int sk_ss_trace_load(sk_ss_trace *tr, const char *path, char *err, size_t len) {
    char *buf = NULL;
    size_t n = 0;
    memset(tr, 0, sizeof *tr);
    int rc = sk_file_slurp(path, &buf, &n, err, len);
    if (rc < 0) return rc;
    int evcap = 0, idcap = 0, namecap = 0, line = 0, done = 0;
    char *present = NULL; /* per node: 1 while added */
    int prescap = 0;
    for (char *s = buf, *nl; s && *s && !done; s = nl ? nl + 1 : NULL) {
        nl = strchr(s, '\n');
        if (nl) *nl = '\0';
        line++;
        char *p = s;
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p || *p == '#') continue;
        cJSON *a = cJSON_Parse(p);
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 3 || !cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) ||
            !cJSON_IsString(cJSON_GetArrayItem(a, 1)) || !cJSON_IsObject(cJSON_GetArrayItem(a, 2))) {
            cJSON_Delete(a);
            rc = sk_errf(err, len, SK_EDATA, "%s:%d: expected [time_ms, \"op\", {\"nodes\": [...]}]", path, line);
            goto fail;
        }
        const char *op = cJSON_GetArrayItem(a, 1)->valuestring;
        const cJSON *obj = cJSON_GetArrayItem(a, 2), *nodes = cJSON_GetObjectItemCaseSensitive(obj, "nodes");
        double tms = cJSON_GetArrayItem(a, 0)->valuedouble;
        sk_ss_tevent e = {.t = (sk_time)llround(tms * 1000.0), .first = tr->nids, .req_tpt = NAN};
        e.op = !strcmp(op, "add") ? SK_SS_ADD : !strcmp(op, "remove") ? SK_SS_REMOVE : !strcmp(op, "other") ? SK_SS_OTHER
             : !strcmp(op, "DONE") ? SK_SS_DONE : -1;
        double rt;
        if (e.op < 0) rc = sk_errf(err, len, SK_EDATA, "%s:%d: unknown op '%s' (add, remove, other, DONE)", path, line, op);
        else if (!(tms >= 0) || (tr->nev && e.t < tr->ev[tr->nev - 1].t))
            rc = sk_errf(err, len, SK_EDATA, "%s:%d: time %g ms is negative or before the previous event", path, line, tms);
        else if (!cJSON_IsArray(nodes)) rc = sk_errf(err, len, SK_EDATA, "%s:%d: nodes: missing or not an array", path, line);
        else if (ss__num(obj, "required_tpt", &rt) == 0) {
            if (!(rt > 0)) rc = sk_errf(err, len, SK_EDATA, "%s:%d: required_tpt must be positive", path, line);
            e.req_tpt = rt;
        }
        for (int i = 0; rc == 0 && nodes && i < cJSON_GetArraySize(nodes); i++) {
            const cJSON *x = cJSON_GetArrayItem(nodes, i);
            if (!cJSON_IsString(x)) {
                rc = sk_errf(err, len, SK_EDATA, "%s:%d: nodes[%d]: not a string", path, line, i);
                break;
            }
            int id = ss__node(tr, x->valuestring, &namecap);
            if (id < 0) { rc = SK_ENOMEM; break; }
            if (id >= prescap) {
                int nc = namecap;
                char *np = realloc(present, (size_t)nc);
                if (!np) { rc = SK_ENOMEM; break; }
                memset(np + prescap, 0, (size_t)(nc - prescap));
                present = np, prescap = nc;
            }
            if (e.op == SK_SS_ADD && present[id])
                rc = sk_errf(err, len, SK_EDATA, "%s:%d: node %s added while present", path, line, x->valuestring);
            else if (e.op == SK_SS_REMOVE && !present[id])
                rc = sk_errf(err, len, SK_EDATA, "%s:%d: node %s removed while absent", path, line, x->valuestring);
            if (rc) break;
            present[id] = e.op == SK_SS_ADD ? 1 : e.op == SK_SS_REMOVE ? 0 : present[id];
            if (tr->nids == idcap) {
                idcap = idcap ? idcap * 2 : 64;
                int *ni = realloc(tr->node_ids, (size_t)idcap * sizeof *ni);
                if (!ni) { rc = SK_ENOMEM; break; }
                tr->node_ids = ni;
            }
            tr->node_ids[tr->nids++] = id;
            e.n++;
        }
        cJSON_Delete(a);
        if (rc) goto fail;
        if (tr->nev == evcap) {
            evcap = evcap ? evcap * 2 : 16;
            sk_ss_tevent *ne = realloc(tr->ev, (size_t)evcap * sizeof *ne);
            if (!ne) { rc = SK_ENOMEM; goto fail; }
            tr->ev = ne;
        }
        tr->ev[tr->nev++] = e;
        if (e.op == SK_SS_DONE) done = 1, tr->end = e.t;
    }
    if (!done) {
        rc = sk_errf(err, len, SK_EDATA, "%s: no DONE event (the segment's end)", path);
        goto fail;
    }
    if (tr->nnodes > 64) {
        rc = sk_errf(err, len, SK_EDATA, "%s: %d distinct nodes, at most 64", path, tr->nnodes);
        goto fail;
    }
    free(present);
    free(buf);
    return 0;
fail:
    if (rc == SK_ENOMEM) sk_errf(err, len, SK_ENOMEM, "%s: out of memory", path);
    free(present);
    free(buf);
    sk_ss_trace_fini(tr);
    return rc;
}

/* ---- query trace -------------------------------------------------------------------------- */

typedef struct ss_qrd {
    double *t;
    int n, cap, in_len;
} ss_qrd;

static int ss__qrow(sk_csv_rd *rd) {
    ss_qrd *q = rd->ctx;
    if (rd->nf < 3) return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected id,arrival_s,input_len[,offset]", rd->path, (long long)rd->line);
    char *e1, *e2;
    double t = strtod(rd->f[1], &e1);
    long il = strtol(rd->f[2], &e2, 10);
    if (*e1 || e1 == rd->f[1] || !(t >= 0) || !isfinite(t))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 2: arrival '%s' is not a time >= 0", rd->path, (long long)rd->line, rd->f[1]);
    if (*e2 || il < 1 || il > 1000000)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column 3: input length '%s' is not a positive integer", rd->path, (long long)rd->line, rd->f[2]);
    if (!q->n) q->in_len = (int)il;
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 1024;
        double *nt = realloc(q->t, (size_t)q->cap * sizeof *nt);
        if (!nt) return SK_ENOMEM;
        q->t = nt;
    }
    q->t[q->n++] = t;
    return 0;
}

static int ss__dcmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int sk_ss_queries_load(const char *path, double **t, int *n, int *in_len, char *err, size_t len) {
    ss_qrd q = {0};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = len, .row = ss__qrow, .ctx = &q};
    int rc = sk_csv_read(&rd);
    if (rc == 0 && q.n == 0) rc = sk_errf(err, len, SK_EDATA, "%s: no queries", path);
    if (rc < 0) {
        if (rc == SK_ENOMEM) sk_errf(err, len, SK_ENOMEM, "%s: out of memory", path);
        free(q.t);
        return rc;
    }
    /* arrival times only: a stable order is the sorted order of the values */
    qsort(q.t, (size_t)q.n, sizeof *q.t, ss__dcmp);
    *t = q.t, *n = q.n, *in_len = q.in_len;
    return 0;
}

/* ---- model arithmetic and the optimizer ---------------------------------------------------- */

static int ss__log2(int x) {
    int l = 0;
    while ((1 << l) < x) l++;
    return (1 << l) == x ? l : -1;
}

double sk_ss_weight_bytes(const sk_ss_model *m) {
    double h = m->prof->hidden;
    return (12.0 * h * h * m->prof->layer_num + (double)m->vocab * h) * m->bytes_per_param;
}

double sk_ss_kv_bytes(const sk_ss_model *m, int b, int tokens) {
    return 2.0 * m->prof->layer_num * b * (double)tokens * m->prof->hidden * m->bytes_per_param;
}

int sk_ss_fits(const sk_ss_model *m, int T, int P, int B) {
    double per = (sk_ss_weight_bytes(m) + sk_ss_kv_bytes(m, B, m->in_len + m->out_len)) / (T * P);
    return per + m->mem_reserve_gb * 1e9 <= m->gpu_mem_gb * 1e9;
}

int sk_ss_batch_time(const sk_ss_profile *p, int T, int P, int b, int M1, int M2, double *pre_ms, double *step_ms) {
    if (M1 > b) M1 = b;
    if (M2 > b) M2 = b;
    int lt = ss__log2(T), lb = ss__log2(b), l1 = ss__log2(b / M1), l2 = ss__log2(b / M2);
    if (lt < 0 || lb < 0 || l1 < 0 || l2 < 0 || lt >= SK_SS_MAXTP || lb >= SK_SS_MAXBS) return -1;
    double init = p->init[lt][l1], incr = p->incr[lt][l2], emb = p->embed[lb];
    if (isnan(init) || isnan(incr) || isnan(emb)) return -1;
    double f = (p->layer_num + P - 1) / P;
    double t1 = init * f * (P + M1 - 1) / M1 + p->pp_init_comm / M1 * (P - 1);
    double t2 = incr * f * (P + M2 - 1) + p->pp_incr_comm / M2 * (P - 1);
    *pre_ms = p->fix * (t1 + 2 * emb);
    *step_ms = p->fix * t2;
    return 0;
}

int sk_ss_optimize(const sk_ss_model *m, int ngpus, double req_tpt, sk_ss_cfg *out) {
    const sk_ss_profile *p = m->prof;
    sk_ss_cfg best = {0}, maxt = {0};
    int have = 0, havet = 0;
    for (int T = 1; T <= p->max_tp && T <= ngpus; T *= 2) {
        for (int B = 1; B <= m->max_bsz; B *= 2) {
            for (int M1 = 1; M1 <= B; M1 *= 2) {
                for (int M2 = 1; M2 <= B; M2 *= 2) {
                    for (int P = (m->min_world_size + T - 1) / T < 1 ? 1 : (m->min_world_size + T - 1) / T; P * T <= ngpus; P++) {
                        if (p->padded_layer_num % P || !sk_ss_fits(m, T, P, B)) continue;
                        double pre, step;
                        if (sk_ss_batch_time(p, T, P, B, M1, M2, &pre, &step) < 0) continue;
                        double lat = pre + m->out_len * step;
                        int D = ngpus / (T * P);
                        double tpt = D * B / lat * 1000.0;
                        sk_ss_cfg c = {D, T, P, B, M1, M2, lat, tpt};
                        if (tpt >= req_tpt && (!have || lat < best.lat_ms)) best = c, have = 1;
                        if (!havet || tpt > maxt.tpt) maxt = c, havet = 1;
                    }
                }
            }
        }
    }
    *out = have ? best : maxt;
    return have || havet ? 0 : 1;
}

double sk_ss_pctl(const double *x, int n, double q) {
    if (n <= 0) return NAN;
    double pos = q / 100.0 * (n - 1);
    int lo = (int)floor(pos);
    if (lo >= n - 1) return x[n - 1];
    double fr = pos - lo;
    return x[lo] + (x[lo + 1] - x[lo]) * fr;
}

/* ---- the simulation ------------------------------------------------------------------------ */

enum { EV_ARR, EV_TRACE, EV_GONE, EV_BATCH, EV_WAKE, EV_BEGIN, EV_END };
enum { BMAX = 8 };

typedef struct ss_pipe {
    int alive, busy;
    sk_time ready_at;
    uint32_t epoch;
    int nb, k0, ids[BMAX];
    sk_time start;
    double pre_us, step_us;   /* this batch's prefill (0 when resumed) and decode step */
    unsigned char *use;       /* GPUs taken per instance (nnodes entries) */
} ss_pipe;

typedef struct ss_group {    /* an interrupted batch waiting to resume with its KV cache */
    int nb, k, ids[BMAX];
    sk_time eligible;
} ss_group;

typedef struct ss {
    const sk_ss_model *m;
    const sk_ss_trace *tr;
    const sk_ss_params *pp;
    sk_ss_result *r;
    sk_eq q;
    sk_time now, last_acc;
    int gpn, nnodes;
    int *ist;                 /* instance state: 0 absent, 1 alive, 2 noticed (leaving) */
    sk_time *isince;          /* when an instance became usable */
    int *gfree;               /* free GPUs per instance */
    double bill_us;           /* instance-microseconds */
    double used_gpu_us;
    ss_pipe *pipe;
    int npipe;
    sk_ss_cfg cur;
    int has_cfg;
    int *queue, qh, qn;       /* request ids sorted by arrival: queue[qh .. qh + qn) */
    ss_group *grp;
    int ng, gcap;
    uint32_t sw_epoch;        /* spotserve: the pending switch */
    sk_time sw_deadline;      /* SK_TIME_MAX: none */
    int sw_pending;           /* an EV_BEGIN of sw_epoch is scheduled */
    double req_tpt;
    const double *arr;
    int n;
} ss;

static int ss__avail(const ss *s) {
    int g = 0;
    for (int i = 0; i < s->nnodes; i++) g += s->ist[i] == 1 ? s->gpn : 0;
    return g;
}

static void ss__acc(ss *s) {
    double dt = (double)(s->now - s->last_acc);
    int inst = 0, used = 0;
    for (int i = 0; i < s->nnodes; i++) inst += s->ist[i] != 0;
    for (int p = 0; p < s->npipe; p++) used += s->pipe[p].alive ? s->cur.T * s->cur.P : 0;
    s->bill_us += dt * inst;
    s->used_gpu_us += dt * used;
    s->last_acc = s->now;
}

/* Take T*P GPUs from usable instances, in instance order, for pipeline p. -1: not enough. */
static int ss__build(ss *s, ss_pipe *p, int tp, sk_time ready) {
    int need = tp, have = 0;
    for (int i = 0; i < s->nnodes; i++) have += s->ist[i] == 1 ? s->gfree[i] : 0;
    if (have < need) return -1;
    memset(p->use, 0, (size_t)s->nnodes);
    for (int i = 0; i < s->nnodes && need; i++) {
        if (s->ist[i] != 1) continue;
        int k = s->gfree[i] < need ? s->gfree[i] : need;
        s->gfree[i] -= k, p->use[i] = (unsigned char)k, need -= k;
    }
    p->alive = 1, p->busy = 0, p->ready_at = ready, p->epoch++;
    return 0;
}

static int ss__push(ss *s, sk_time t, int kind, uint32_t target, uint32_t arg) {
    sk_ev_handle h = sk_eq_push(&s->q, t < s->now ? s->now : t, (uint16_t)kind, target, arg);
    return h.slot == SK_EQ_NIL ? SK_ENOMEM : 0;
}

static void ss__close(ss *s, ss_pipe *p) {
    for (int i = 0; i < s->nnodes; i++) s->gfree[i] += s->ist[i] ? p->use[i] : 0;
    memset(p->use, 0, (size_t)s->nnodes);
    p->alive = 0, p->busy = 0, p->epoch++;
}

static int ss__broken(const ss *s, const ss_pipe *p) {
    for (int i = 0; i < s->nnodes; i++)
        if (p->use[i] && s->ist[i] != 1) return 1;
    return 0;
}

/* Put request id back in the queue in arrival order (the artifact's bisect.insort). The part
 * before its place shifts one slot to the front: a request is requeued at most as often as it
 * left the queue, so the room in front (n slots at the start) never runs out. */
static void ss__requeue(ss *s, int id) {
    int pos = s->qh;
    while (pos < s->qh + s->qn && s->arr[s->queue[pos]] <= s->arr[id]) pos++;
    memmove(&s->queue[s->qh - 1], &s->queue[s->qh], (size_t)(pos - s->qh) * sizeof *s->queue);
    s->queue[pos - 1] = id;
    s->qh--, s->qn++;
}

/* Decode steps done by pipe p's batch at time now. */
static int ss__progress(const ss *s, const ss_pipe *p) {
    double el = (double)(s->now - p->start) - p->pre_us;
    if (el < 0) return p->k0;
    int k = p->k0 + (int)floor(el / p->step_us);
    return k > s->m->out_len - 1 ? s->m->out_len - 1 : k;
}

/* Stop pipe p's batch now. keep: the requests keep their progress (a group resumes them at
 * `eligible`), else they restart from the queue. */
static int ss__interrupt(ss *s, ss_pipe *p, int keep, sk_time eligible) {
    if (!p->busy) return 0;
    int k = ss__progress(s, p);
    s->r->interrupts += p->nb;
    if (keep) {
        if (s->ng == s->gcap) {
            s->gcap = s->gcap ? s->gcap * 2 : 16;
            ss_group *ng = realloc(s->grp, (size_t)s->gcap * sizeof *ng);
            if (!ng) return SK_ENOMEM;
            s->grp = ng;
        }
        ss_group *g = &s->grp[s->ng++];
        g->nb = p->nb, g->k = k, g->eligible = eligible;
        memcpy(g->ids, p->ids, (size_t)p->nb * sizeof *g->ids);
        s->r->migrated += p->nb;
        for (int j = 0; j < p->nb; j++) s->r->nint[p->ids[j]]++, s->r->resume_step[p->ids[j]] = k;
    } else {
        s->r->restarts += p->nb;
        for (int j = 0; j < p->nb; j++) {
            s->r->nint[p->ids[j]]++, s->r->nrestart[p->ids[j]]++;
            ss__requeue(s, p->ids[j]);
        }
    }
    p->busy = 0, p->epoch++;
    return 0;
}

/* Start work on every ready idle pipeline: interrupted groups first, then new batches. */
static int ss__dispatch(ss *s) {
    for (int pi = 0; pi < s->npipe; pi++) {
        ss_pipe *p = &s->pipe[pi];
        if (!p->alive || p->busy || p->ready_at > s->now) continue;
        int b = 0, k0 = 0, gi = -1;
        for (int g = 0; g < s->ng; g++)
            if (s->grp[g].eligible <= s->now) { gi = g; break; }
        if (gi >= 0) {
            ss_group g = s->grp[gi];
            memmove(&s->grp[gi], &s->grp[gi + 1], (size_t)(s->ng - gi - 1) * sizeof *s->grp);
            s->ng--;
            b = g.nb, k0 = g.k;
            memcpy(p->ids, g.ids, (size_t)b * sizeof *p->ids);
        } else {
            if (!s->qn) continue;
            b = 1; /* the artifact's get_min_bsz: the largest power of two <= min(queue, B) */
            while (b * 2 <= s->qn && b * 2 <= s->cur.B) b *= 2;
            memcpy(p->ids, &s->queue[s->qh], (size_t)b * sizeof *p->ids);
            s->qh += b, s->qn -= b;
        }
        int bp = 1;
        while (bp < b) bp *= 2; /* a resumed group of a non-power-of-two size runs at the next size */
        double pre, step;
        if (sk_ss_batch_time(s->m->prof, s->cur.T, s->cur.P, bp, s->cur.M1, s->cur.M2, &pre, &step) < 0) return SK_EINTERNAL;
        p->busy = 1, p->nb = b, p->k0 = k0, p->start = s->now;
        p->pre_us = k0 > 0 ? 0 : pre * 1000.0;
        p->step_us = step * 1000.0;
        sk_time fin = s->now + (sk_time)llround(p->pre_us + (s->m->out_len - k0) * p->step_us);
        int rc = ss__push(s, fin, EV_BATCH, (uint32_t)pi, p->epoch);
        if (rc < 0) return rc;
    }
    return 0;
}

static int ss__alive_pipes(const ss *s) {
    int n = 0;
    for (int p = 0; p < s->npipe; p++) n += s->pipe[p].alive;
    return n;
}

static ss_pipe *ss__free_pipe(ss *s) {
    for (int p = 0; p < s->npipe; p++)
        if (!s->pipe[p].alive) return &s->pipe[p];
    return NULL;
}

static int ss__same_shape(const sk_ss_cfg *a, const sk_ss_cfg *b) {
    return a->T == b->T && a->P == b->P && a->B == b->B && a->M1 == b->M1 && a->M2 == b->M2;
}

/* Seconds to move `bytes` per GPU at net_gbps. */
static double ss__net_s(const ss *s, double bytes) { return bytes * 8.0 / (s->pp->net_gbps * 1e9); }

static double ss__cold_s(const ss *s, const sk_ss_cfg *c) {
    return s->pp->boot_s + sk_ss_weight_bytes(s->m) / (c->T * c->P) / (s->pp->load_gbps * 1e9);
}

/* spotserve: the reconfiguration to `nc` from the current state; *S its pause in seconds. kind: 0
 * nothing to do, 1 add/replace pipelines of the same shape, 2 a full reparallelization. */
static int ss__plan(const ss *s, const sk_ss_cfg *nc, double *S) {
    int intact = 0, broken = 0;
    for (int p = 0; p < s->npipe; p++) {
        const ss_pipe *q = &s->pipe[p];
        if (!q->alive) continue;
        int br = ss__broken(s, q);
        intact += !br, broken += br;
    }
    /* KV caches move when a pipeline breaks or the shape changes; planned for the worst case (a
     * full batch at full length) so that the switch planned at the notice is the one carried out */
    int broken_busy = broken || !ss__same_shape(&s->cur, nc);
    double kvmax = sk_ss_kv_bytes(s->m, s->cur.B, s->m->in_len + s->m->out_len);
    double W = sk_ss_weight_bytes(s->m);
    *S = 0;
    if (nc->D == 0) { /* nothing fits what is left: everything stops until GPUs come back */
        *S = s->pp->switch_overhead_s;
        return intact + broken ? 2 : 0;
    }
    if (ss__same_shape(&s->cur, nc)) {
        if (!broken && nc->D == intact) return 0;
        if (nc->D > intact) *S += ss__net_s(s, W / (nc->T * nc->P)); /* new pipelines copy shards from peers */
        if (broken_busy) *S += ss__net_s(s, kvmax / (nc->T * nc->P));
        *S += s->pp->switch_overhead_s;
        return 1;
    }
    int a = s->cur.T * s->cur.P, b = nc->T * nc->P;
    *S = ss__net_s(s, W / (a < b ? a : b)) + s->pp->switch_overhead_s; /* the artifact's get_swich_time */
    if (broken_busy) *S += ss__net_s(s, kvmax / b);
    return 2;
}

/* spotserve: carry out the reconfiguration to nc now. deadline: when leaving instances go. */
static int ss__switch(ss *s, const sk_ss_cfg *nc, sk_time deadline) {
    double S;
    int kind = ss__plan(s, nc, &S);
    if (!kind) return 0;
    sk_time Sus = (sk_time)llround(S * 1e6), ready = s->now + Sus;
    /* state on leaving GPUs gone before it moved, or nowhere to move it */
    int lost = (deadline != SK_TIME_MAX && ready > deadline) || nc->D == 0;
    int rc;
    s->r->switches++;
    s->r->switch_s += S;
    if (kind == 1) {
        int intact = 0;
        for (int p = 0; p < s->npipe; p++) {
            ss_pipe *q = &s->pipe[p];
            if (!q->alive) continue;
            if (ss__broken(s, q)) {
                if ((rc = ss__interrupt(s, q, !lost, ready)) < 0) return rc;
                ss__close(s, q);
            } else intact++;
        }
        for (int d = intact; d < nc->D; d++) {
            ss_pipe *q = ss__free_pipe(s);
            if (!q || ss__build(s, q, nc->T * nc->P, ready) < 0) break;
        }
    } else {
        for (int p = 0; p < s->npipe; p++) {
            ss_pipe *q = &s->pipe[p];
            if (!q->alive) continue;
            if ((rc = ss__interrupt(s, q, !(lost && ss__broken(s, q)), ready)) < 0) return rc;
            ss__close(s, q);
        }
        for (int d = 0; d < nc->D; d++)
            if (ss__build(s, &s->pipe[d], nc->T * nc->P, ready) < 0) return SK_EINTERNAL;
    }
    s->cur = *nc;
    return ss__push(s, ready, EV_WAKE, 0, 0);
}

/* restart: a new configuration from scratch; everything running restarts, weights load cold. */
static int ss__restart(ss *s, const sk_ss_cfg *nc) {
    int broken = 0, rc;
    for (int p = 0; p < s->npipe; p++) broken |= s->pipe[p].alive && ss__broken(s, &s->pipe[p]);
    if (!broken && nc->D == s->cur.D && ss__same_shape(nc, &s->cur)) return 0;
    double cold = nc->D ? ss__cold_s(s, nc) : 0;
    sk_time ready = s->now + (sk_time)llround(cold * 1e6);
    s->r->switches++;
    s->r->switch_s += cold;
    for (int p = 0; p < s->npipe; p++) {
        ss_pipe *q = &s->pipe[p];
        if (!q->alive) continue;
        if ((rc = ss__interrupt(s, q, 0, 0)) < 0) return rc;
        ss__close(s, q);
    }
    for (int d = 0; d < nc->D; d++)
        if (ss__build(s, &s->pipe[d], nc->T * nc->P, ready) < 0) return SK_EINTERNAL;
    s->cur = *nc;
    return ss__push(s, ready, EV_WAKE, 0, 0);
}

/* reroute: close broken pipelines (their requests restart elsewhere), start new pipelines of the
 * fixed shape on spare GPUs after a cold start. */
static int ss__reroute(ss *s) {
    int rc;
    for (int p = 0; p < s->npipe; p++) {
        ss_pipe *q = &s->pipe[p];
        if (!q->alive || !ss__broken(s, q)) continue;
        if ((rc = ss__interrupt(s, q, 0, 0)) < 0) return rc;
        ss__close(s, q);
    }
    sk_time ready = s->now + (sk_time)llround(ss__cold_s(s, &s->cur) * 1e6);
    int added = 0;
    for (;;) {
        ss_pipe *q = ss__free_pipe(s);
        if (!q || ss__build(s, q, s->cur.T * s->cur.P, ready) < 0) break;
        added++;
    }
    s->cur.D = ss__alive_pipes(s);
    if (added) {
        s->r->switches++;
        s->r->switch_s += ss__cold_s(s, &s->cur);
        return ss__push(s, ready, EV_WAKE, 0, 0);
    }
    return 0;
}

/* spotserve's "when it helps": replace the optimizer's choice *nc by the current shape (T, P, B,
 * M1, M2) with D = floor(ngpu / (T P)) unless the new shape meets the required throughput where
 * the kept one does not, or - both meeting it - cuts the latency by more than min_gain, or - neither
 * meeting it - raises the throughput by more than min_gain. */
static void ss__keep_shape(const ss *s, sk_ss_cfg *nc, int ngpu) {
    if (ss__same_shape(nc, &s->cur) || nc->D == 0) return;
    sk_ss_cfg k = s->cur;
    k.D = ngpu / (k.T * k.P);
    if (k.D == 0) return;
    k.tpt = k.D * k.B / k.lat_ms * 1000.0;
    double g = s->pp->min_gain, req = s->req_tpt;
    int helps = k.tpt < req ? (nc->tpt >= req || nc->tpt > k.tpt * (1 + g)) : nc->tpt >= req && nc->lat_ms < k.lat_ms * (1 - g);
    if (!helps) *nc = k;
}

/* React to a change of the usable GPUs (or of the required throughput). deadline: when noticed
 * instances go (SK_TIME_MAX for an add). */
static int ss__react(ss *s, sk_time deadline, int first) {
    int ngpu = ss__avail(s);
    sk_ss_cfg nc = {0};
    if (s->pp->policy == SK_SS_POL_REROUTE && s->has_cfg) return ss__reroute(s);
    sk_ss_optimize(s->m, ngpu, s->req_tpt, &nc);
    if (first) {
        if (nc.D == 0) return SK_ECONFIG;
        for (int d = 0; d < nc.D; d++)
            if (ss__build(s, &s->pipe[d], nc.T * nc.P, s->now) < 0) return SK_EINTERNAL;
        s->cur = nc, s->has_cfg = 1;
        s->r->first_cfg = nc;
        return 0;
    }
    if (s->pp->policy == SK_SS_POL_RESTART) return ss__restart(s, &nc);
    /* spotserve: a new shape only when it helps; else the current shape on what is there */
    ss__keep_shape(s, &nc, ngpu);
    /* just in time - keep decoding until the switch must begin to finish by the deadline (the
     * earliest of the pending switch's and this event's) */
    if (!s->sw_pending) s->sw_deadline = SK_TIME_MAX;
    if (deadline < s->sw_deadline) s->sw_deadline = deadline;
    double S;
    if (!ss__plan(s, &nc, &S)) {
        if (!s->sw_pending) s->sw_deadline = SK_TIME_MAX;
        return 0;
    }
    s->sw_pending = 1;
    sk_time begin = s->now;
    if (s->sw_deadline != SK_TIME_MAX) {
        sk_time b2 = s->sw_deadline - (sk_time)llround(S * 1e6);
        if (b2 > begin) begin = b2;
    }
    s->sw_epoch++;
    return ss__push(s, begin, EV_BEGIN, 0, s->sw_epoch);
}

static int ss__instances(ss *s, const sk_ss_tevent *e, int state) {
    for (int j = 0; j < e->n; j++) {
        int i = s->tr->node_ids[e->first + j];
        if (state == 1 && s->ist[i] == 0) s->ist[i] = 1, s->gfree[i] = s->gpn, s->isince[i] = s->now;
        else if (state == 2 && s->ist[i] == 1) s->ist[i] = 2;
        else if (state == 0) s->ist[i] = 0, s->gfree[i] = 0;
    }
    return 0;
}

static int ss__run(ss *s) {
    const sk_ss_params *pp = s->pp;
    const sk_ss_trace *tr = s->tr;
    int od = pp->policy == SK_SS_POL_ON_DEMAND, rc = 0, first = 1;
    if ((rc = ss__push(s, tr->end, EV_END, 0, 0)) < 0) return rc;
    if (od) {
        for (int i = 0; i < s->nnodes; i++) s->ist[i] = 1, s->gfree[i] = s->gpn;
        if ((rc = ss__react(s, SK_TIME_MAX, 1)) < 0) return rc;
        first = 0;
    } else {
        for (int k = 0; k < tr->nev; k++) {
            const sk_ss_tevent *e = &tr->ev[k];
            sk_time t = e->t;
            if (e->op == SK_SS_ADD) t -= (sk_time)llround(pp->add_lead_s * 1e6);
            if (e->op == SK_SS_REMOVE) t -= (sk_time)llround(pp->grace_s * 1e6);
            if (e->op == SK_SS_DONE) continue;
            if ((rc = ss__push(s, t < 0 ? 0 : t, EV_TRACE, (uint32_t)k, 0)) < 0) return rc;
            if (e->op == SK_SS_REMOVE && (rc = ss__push(s, e->t, EV_GONE, (uint32_t)k, 0)) < 0) return rc;
        }
    }
    for (int i = 0; i < s->n; i++)
        if ((rc = ss__push(s, (sk_time)llround(s->arr[i] * 1e6), EV_ARR, (uint32_t)i, 0)) < 0) return rc;
    for (;;) {
        uint32_t h = sk_eq_front(&s->q);
        if (h == SK_EQ_NIL) break;
        sk_event ev;
        sk_eq_pop_front(&s->q, h, &ev);
        if (ev.state == SK_EV_CANCELLED) continue;
        s->now = ev.t;
        ss__acc(s);
        if (ev.kind == EV_END) break;
        switch (ev.kind) {
        case EV_ARR:
            s->queue[s->qh + s->qn++] = (int)ev.target;
            break;
        case EV_BATCH: {
            ss_pipe *p = &s->pipe[ev.target];
            if (!p->alive || !p->busy || p->epoch != ev.arg) break;
            for (int j = 0; j < p->nb; j++) {
                int id = p->ids[j];
                s->r->outcome[id] = SK_SS_COMPLETED;
                s->r->finish[id] = (double)s->now / 1e6;
            }
            p->busy = 0;
            break;
        }
        case EV_TRACE: {
            const sk_ss_tevent *e = &tr->ev[ev.target];
            if (e->op == SK_SS_OTHER || !isnan(e->req_tpt)) {
                if (!isnan(e->req_tpt)) s->req_tpt = e->req_tpt;
            }
            if (e->op == SK_SS_ADD) ss__instances(s, e, 1);
            if (e->op == SK_SS_REMOVE) ss__instances(s, e, 2);
            if (first && ss__avail(s) == 0) break;
            rc = ss__react(s, e->op == SK_SS_REMOVE ? e->t : SK_TIME_MAX, first);
            if (rc == SK_ECONFIG) return rc;
            first = 0;
            break;
        }
        case EV_BEGIN: {
            if (ev.arg != s->sw_epoch) break; /* superseded by a later event */
            sk_ss_cfg nc;
            sk_ss_optimize(s->m, ss__avail(s), s->req_tpt, &nc);
            ss__keep_shape(s, &nc, ss__avail(s));
            rc = ss__switch(s, &nc, s->sw_deadline);
            s->sw_deadline = SK_TIME_MAX, s->sw_pending = 0;
            break;
        }
        case EV_GONE: {
            const sk_ss_tevent *e = &tr->ev[ev.target];
            ss__instances(s, e, 0); /* billing stopped at the accumulation above */
            for (int p = 0; p < s->npipe && rc == 0; p++) {
                ss_pipe *q = &s->pipe[p];
                if (!q->alive || !ss__broken(s, q)) continue;
                rc = ss__interrupt(s, q, 0, 0); /* still on a vanished instance: progress lost */
                ss__close(s, q);
            }
            if (rc == 0) s->cur.D = ss__alive_pipes(s);
            break;
        }
        default:
            break;
        }
        if (rc < 0) return rc;
        if ((rc = ss__dispatch(s)) < 0) return rc;
    }
    return 0;
}

void sk_ss_result_fini(sk_ss_result *r) {
    free(r->arrival), free(r->finish), free(r->outcome), free(r->nint), free(r->nrestart), free(r->resume_step);
    r->arrival = r->finish = NULL;
    r->outcome = r->nint = r->nrestart = r->resume_step = NULL;
}

int sk_ss_simulate(const sk_ss_model *m, const sk_ss_trace *tr, const double *arrivals, int narr,
                   const sk_ss_params *pp, sk_ss_result *r, char *msg, size_t len) {
    memset(r, 0, sizeof *r);
    ss s = {.m = m, .tr = tr, .pp = pp, .r = r, .gpn = m->gpus_per_node, .req_tpt = pp->req_tpt,
            .arr = arrivals, .sw_deadline = SK_TIME_MAX};
    double horizon = (double)tr->end / 1e6;
    int n = 0;
    while (n < narr && arrivals[n] < horizon) n++;
    s.n = n, r->n = n;
    int rc = SK_ENOMEM;
    s.nnodes = tr->nnodes;
    if (pp->policy == SK_SS_POL_ON_DEMAND) {
        int N = pp->od_instances;
        if (N <= 0) { /* ceil of the time-average instance count of the segment */
            double area = 0;
            int cnt = 0;
            for (int k = 0; k < tr->nev; k++) {
                if (k) area += cnt * (double)(tr->ev[k].t - tr->ev[k - 1].t);
                cnt += tr->ev[k].op == SK_SS_ADD ? tr->ev[k].n : tr->ev[k].op == SK_SS_REMOVE ? -tr->ev[k].n : 0;
            }
            N = (int)ceil(area / (double)tr->end - 1e-9);
            if (N < 1) N = 1;
        }
        s.nnodes = N;
    }
    int maxpipe = s.nnodes * s.gpn;
    r->arrival = malloc((size_t)(n ? n : 1) * sizeof *r->arrival);
    r->finish = malloc((size_t)(n ? n : 1) * sizeof *r->finish);
    r->outcome = calloc((size_t)(n ? n : 1), sizeof *r->outcome);
    r->nint = calloc((size_t)(n ? n : 1), sizeof *r->nint);
    r->nrestart = calloc((size_t)(n ? n : 1), sizeof *r->nrestart);
    r->resume_step = malloc((size_t)(n ? n : 1) * sizeof *r->resume_step);
    s.queue = malloc((size_t)(2 * n + 1) * sizeof *s.queue);
    s.ist = calloc((size_t)s.nnodes, sizeof *s.ist);
    s.isince = calloc((size_t)s.nnodes, sizeof *s.isince);
    s.gfree = calloc((size_t)s.nnodes, sizeof *s.gfree);
    s.pipe = calloc((size_t)maxpipe, sizeof *s.pipe);
    unsigned char *use = calloc((size_t)maxpipe * (size_t)s.nnodes, 1);
    if (!r->arrival || !r->finish || !r->outcome || !r->nint || !r->nrestart || !r->resume_step || !s.queue || !s.ist ||
        !s.isince || !s.gfree || !s.pipe || !use || sk_eq_init(&s.q, (size_t)n + 64) < 0)
        goto fail;
    s.qh = n; /* room in front for requeued requests */
    s.npipe = maxpipe;
    for (int p = 0; p < maxpipe; p++) s.pipe[p].use = use + (size_t)p * (size_t)s.nnodes;
    for (int i = 0; i < n; i++) r->arrival[i] = arrivals[i], r->finish[i] = NAN, r->resume_step[i] = -1;
    rc = ss__run(&s);
    sk_eq_fini(&s.q);
    if (rc == SK_ECONFIG) {
        sk_errf(msg, len, SK_ECONFIG, "no configuration of %s fits the segment's first %d GPUs (min_world_size %d, %g GB per GPU)",
                m->prof->name, ss__avail(&s) ? ss__avail(&s) : s.gpn * (tr->nev ? tr->ev[0].n : 0), m->min_world_size, m->gpu_mem_gb);
        goto fail;
    }
    if (rc < 0) goto fail;
    /* the end: whatever is not done failed */
    double *lat = malloc((size_t)(n ? n : 1) * sizeof *lat);
    if (!lat) { rc = SK_ENOMEM; goto fail; }
    int nc = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (r->outcome[i] == SK_SS_COMPLETED) lat[nc++] = r->finish[i] - r->arrival[i], sum += lat[nc - 1];
        else r->outcome[i] = SK_SS_FAILED, r->failed++;
    }
    r->completed = nc;
    qsort(lat, (size_t)nc, sizeof *lat, ss__dcmp);
    r->lat_mean = nc ? sum / nc : NAN;
    r->lat_p50 = sk_ss_pctl(lat, nc, 50), r->lat_p90 = sk_ss_pctl(lat, nc, 90), r->lat_p99 = sk_ss_pctl(lat, nc, 99);
    r->lat_max = nc ? lat[nc - 1] : NAN;
    free(lat);
    r->tput = nc / horizon;
    r->inst_hours = s.bill_us / 3.6e9;
    r->cost_od = r->inst_hours * pp->od_price;
    r->cost = pp->policy == SK_SS_POL_ON_DEMAND ? r->cost_od : r->inst_hours * pp->spot_price;
    r->usd_per_mtok = nc ? r->cost / ((double)nc * (m->in_len + m->out_len)) * 1e6 : NAN;
    r->mean_gpus_used = s.used_gpu_us / (double)tr->end;
    rc = 0;
    goto out;
fail:
    if (rc == SK_ENOMEM) sk_errf(msg, len, SK_ENOMEM, "out of memory");
    else if (rc == SK_EINTERNAL) sk_errf(msg, len, SK_EINTERNAL, "spotserve: internal error (profile entry or GPU accounting)");
    sk_ss_result_fini(r);
out:
    free(s.queue), free(s.ist), free(s.isince), free(s.gfree), free(s.pipe), free(use), free(s.grp);
    return rc;
}
