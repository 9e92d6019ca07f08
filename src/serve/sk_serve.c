/* sk_serve.c - the event-driven serving world (contract and request life in sk_serve.h).
 *
 * Events: ARRIVAL (one pending at a time, the next drawn when it runs), ITER (a replica's
 * iteration or decode segment ends), READY (cold start done), NOTICE and TERM (a spot replica's
 * interruption notice and its end), AVAIL (a zone's capacity step), TICK (the policy's period).
 * Stale events of a reused replica slot are recognised by the slot's generation in `arg`.
 *
 * Continuous batching with decode segments: an iteration that admits requests (prefill) is one
 * event; a run of pure-decode iterations over an unchanged batch is one event at the end of its
 * first completion (iteration times are affine in the context, so the segment's length is a
 * closed form: srv_seg_s). A request that becomes admissible mid-segment cuts the segment at the
 * next iteration boundary, computed from the segment start with the same formula. */
#include "serve/sk_serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_engine.h"
#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "models/sk_llmperf.h"
#include "sk_error.h"

enum { EV_ARRIVAL = 0, EV_ITER, EV_READY, EV_NOTICE, EV_TERM, EV_AVAIL, EV_TICK, EV_N };
enum { RQ_FREE = 0, RQ_WAIT, RQ_RUN };
enum { RP_FREE = 0, RP_LAUNCHING, RP_READY };
enum { END_PREEMPT = 0, END_SCALE };

typedef struct srv_req {
    double arr, since, first; /* s; first < 0 until the first token */
    int32_t in, out, gen;
    int32_t next;             /* queue link or free list */
    uint8_t st;
} srv_req;

typedef struct srv_rep {
    int zone, spot, st;
    int doomed;   /* chosen for reclaim: its notice is on the way or came */
    int notified; /* its notice came */
    int accepting;
    uint32_t gen;
    sk_time t_launch;
    double price;
    int32_t qh, qt; /* waiting queue */
    int64_t nq;
    int32_t *run;
    int nrun, caprun, npre; /* npre: the last npre of run[] are in their prefill iteration */
    int64_t kv_used, ctx;
    int busy, seg_pre, seg_m;
    sk_time seg_t0;
    double seg_a, seg_d; /* decode segment: iteration i (from 0) takes seg_a + i x seg_d */
    sk_ev_handle ev;
} srv_rep;

typedef struct srv_world {
    const sk_serve_cfg *c;
    sk_engine eng;
    sk_rng wrng, arng, trng;
    sk_rng *zrng;
    sk_avail_step *step;
    int32_t *cap;
    sk_srv_zone *z;
    /* requests */
    srv_req *rq;
    int32_t nrq, caprq, rfree;
    int32_t lbh, lbt;
    int64_t nlb, live;
    /* replicas */
    srv_rep *rp;
    int nrp, caprp;
    int *acc, nacc, rr;
    int64_t kv_cap;
    double cold_s;
    /* arrivals */
    int64_t wl_i, wl_loop, wl_row;
    double wl_t, pend_in, pend_out;
    int wl_done;
    int64_t ring[60], ring_sec;
    /* policy */
    const sk_serve_policy *pol;
    void *pst;
    sk_rng *prng;
    int n_tgt, k;
    /* metrics */
    double *ttft, *e2e;
    int64_t nlat, caplat, slo_ok;
    int ready;
    sk_time t_last;
    double ok_us, ready_us;
    sk_serve_result *res;
    int oom;
} srv_world;

void sk_serve_cfg_defaults(sk_serve_cfg *c) {
    memset(c, 0, sizeof *c);
    c->horizon_s = 86400, c->tick_s = 30;
    c->notice_aws_s = 120, c->notice_gcp_s = 30;
    c->boot_s = 60, c->load_s = -1;
    c->fix_iter_s = 0.02;
    c->max_batch = 256;
    c->lb = SK_SRV_LB_LEAST_LOAD;
    c->timeout_s = 100;
    c->drain_on_notice = 1;
    c->rate = 1, c->cv = 1;
    c->counts_scale = 1e-4, c->counts_cap = 90, c->counts_row_s = 60;
    c->time_scale = 1, c->loop = 1;
    c->fixed_in = 512, c->fixed_out = 128;
    c->n_target = 3;
    c->qps_per_replica = 1;
}

double sk_srv_percentile(const double *x, int64_t n, double q) {
    if (n <= 0) return NAN;
    double h = (double)(n - 1) * q / 100.0;
    int64_t lo = (int64_t)floor(h);
    if (lo >= n - 1) return x[n - 1];
    if (lo < 0) return x[0];
    double g = h - (double)lo, a = x[lo], b = x[lo + 1];
    return g < 0.5 ? a + (b - a) * g : b - (b - a) * (1 - g);
}

static inline double srv_now(const srv_world *w) { return sk_time_to(w->eng.now, SK_SEC); }

static double srv_iter(const srv_world *w, int64_t pf, int64_t dec, int64_t ctx) {
    const sk_serve_cfg *c = w->c;
    if (c->perf) return sk_llmperf_iter_s(c->perf, pf, dec, ctx);
    return c->fix_iter_s + c->fix_prefill_s * (double)pf + c->fix_decode_s * (double)dec;
}

/* ---- availability and the ready count ------------------------------------------------------- */

static void srv_ready_add(srv_world *w, int d) {
    sk_time dt = w->eng.now - w->t_last;
    w->ready_us += (double)dt * w->ready;
    if (w->ready >= w->k) w->ok_us += (double)dt;
    w->t_last = w->eng.now;
    w->ready += d;
}

/* ---- requests ------------------------------------------------------------------------------- */

static int32_t srv_req_new(srv_world *w) {
    if (w->rfree >= 0) {
        int32_t id = w->rfree;
        w->rfree = w->rq[id].next;
        return id;
    }
    if (w->nrq == w->caprq) {
        if (w->caprq >= INT32_MAX / 2) return w->oom = 1, -1;
        int32_t nc = w->caprq ? 2 * w->caprq : 1024;
        srv_req *n = realloc(w->rq, (size_t)nc * sizeof *n);
        if (!n) return w->oom = 1, -1;
        w->rq = n, w->caprq = nc;
    }
    return w->nrq++;
}

static void srv_req_end(srv_world *w, int32_t id) {
    srv_req *q = &w->rq[id];
    if (q->st == RQ_FREE) sk_die(SK_LOC, "request %d ended twice", (int)id);
    q->st = RQ_FREE;
    q->next = w->rfree;
    w->rfree = id;
    w->live--;
}

static void srv_fail(srv_world *w, int32_t id, int64_t *why) {
    w->res->failed++;
    (*why)++;
    srv_req_end(w, id);
}

static void srv_served(srv_world *w, int32_t id) {
    srv_req *q = &w->rq[id];
    if (w->nlat == w->caplat) {
        int64_t nc = w->caplat ? 2 * w->caplat : 4096;
        double *a = realloc(w->ttft, (size_t)nc * sizeof *a);
        if (!a) return (void)(w->oom = 1);
        w->ttft = a;
        double *b = realloc(w->e2e, (size_t)nc * sizeof *b);
        if (!b) return (void)(w->oom = 1);
        w->e2e = b, w->caplat = nc;
    }
    double now = srv_now(w), tt = q->first - q->arr, ee = now - q->arr;
    w->ttft[w->nlat] = tt;
    w->e2e[w->nlat++] = ee;
    if ((w->c->slo_s <= 0 || ee <= w->c->slo_s) && (w->c->slo_ttft_s <= 0 || tt <= w->c->slo_ttft_s)) w->slo_ok++;
    w->res->served++;
    w->res->tokens_out += q->out;
    srv_req_end(w, id);
}

static inline int srv_expired(const srv_world *w, const srv_req *q) { return srv_now(w) - q->since > w->c->timeout_s; }

static void srv_q_push(int32_t *h, int32_t *t, srv_req *rq, int32_t id) {
    rq[id].next = -1;
    if (*t >= 0) rq[*t].next = id;
    else *h = id;
    *t = id;
}

static int32_t srv_q_pop(int32_t *h, int32_t *t, srv_req *rq) {
    int32_t id = *h;
    *h = rq[id].next;
    if (*h < 0) *t = -1;
    return id;
}

/* ---- replicas: batching --------------------------------------------------------------------- */

static inline int srv_fits(const srv_world *w, const srv_rep *r, const srv_req *q) {
    return r->nrun < w->c->max_batch && r->kv_used + q->in + q->out <= w->kv_cap;
}

/* Seconds of the first j iterations of a decode segment. The iteration time is affine in the
 * context (sk_llmperf: per-op times depend on the batch's token count, decode attention on the
 * KV bytes read; the fixed model has no context term), so two evaluations give the whole
 * segment: sum_{i<j} (a + i d) = j a + d j (j - 1) / 2. */
static inline double srv_seg_s(const srv_rep *r, int64_t j) {
    return (double)j * r->seg_a + r->seg_d * (double)(j * (j - 1) / 2);
}

static void srv_sched_iter(srv_world *w, srv_rep *r, int rid, double dt) {
    r->busy = 1;
    r->ev = sk_schedule(&w->eng, r->seg_t0 + sk_time_from(dt, SK_SEC), EV_ITER, (uint32_t)rid, r->gen);
}

/* Start the next iteration of an idle replica: admit from the head of its queue (expired heads
 * fail), then a prefill iteration, or a decode segment up to the first completion. */
static void srv_start(srv_world *w, int rid) {
    srv_rep *r = &w->rp[rid];
    int64_t pf = 0, dec = r->nrun, ctx = r->ctx;
    r->npre = 0;
    while (r->qh >= 0) {
        srv_req *q = &w->rq[r->qh];
        if (srv_expired(w, q)) {
            r->nq--;
            srv_fail(w, srv_q_pop(&r->qh, &r->qt, w->rq), &w->res->failed_timeout);
            continue;
        }
        if (!srv_fits(w, r, q)) break;
        int32_t id = srv_q_pop(&r->qh, &r->qt, w->rq);
        r->nq--;
        if (r->nrun == r->caprun) {
            int nc = r->caprun ? 2 * r->caprun : 16;
            int32_t *n = realloc(r->run, (size_t)nc * sizeof *n);
            if (!n) return (void)(w->oom = 1);
            r->run = n, r->caprun = nc;
        }
        r->run[r->nrun++] = id;
        r->npre++;
        q->st = RQ_RUN;
        q->gen = 0;
        r->kv_used += q->in + q->out;
        pf += q->in;
    }
    if (r->nrun == 0) return (void)(r->busy = 0);
    r->seg_t0 = w->eng.now;
    if (pf > 0) {
        r->seg_pre = 1, r->seg_m = 1;
        srv_sched_iter(w, r, rid, srv_iter(w, pf, dec, ctx));
        return;
    }
    int32_t m = INT32_MAX;
    for (int i = 0; i < r->nrun; i++) {
        const srv_req *q = &w->rq[r->run[i]];
        if (q->out - q->gen < m) m = q->out - q->gen;
    }
    r->seg_a = srv_iter(w, 0, dec, ctx);
    r->seg_d = m > 1 ? srv_iter(w, 0, dec, ctx + dec) - r->seg_a : 0;
    r->seg_pre = 0, r->seg_m = (int)m;
    srv_sched_iter(w, r, rid, srv_seg_s(r, m));
}

/* A request joined r's queue: start r if idle, or cut its decode segment at the next iteration
 * boundary when the head of the queue could be admitted there. */
static void srv_poke(srv_world *w, int rid) {
    srv_rep *r = &w->rp[rid];
    if (!r->busy) return srv_start(w, rid);
    if (r->seg_pre || r->seg_m <= 1 || !srv_fits(w, r, &w->rq[r->qh])) return;
    int j;
    for (j = 1; j < r->seg_m; j++)
        if (r->seg_t0 + sk_time_from(srv_seg_s(r, j), SK_SEC) >= w->eng.now) break;
    if (j >= r->seg_m) return;
    sk_cancel(&w->eng, r->ev);
    r->seg_m = j;
    srv_sched_iter(w, r, rid, srv_seg_s(r, j));
}

static void srv_on_iter(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    srv_world *w = ctx;
    int rid = (int)ev->target;
    srv_rep *r = &w->rp[rid];
    if (ev->arg != r->gen || r->st == RP_FREE) return;
    double now = srv_now(w);
    int ndec = r->nrun - r->npre;
    int32_t k = r->seg_m;
    for (int i = 0; i < ndec; i++) w->rq[r->run[i]].gen += k;
    r->ctx += (int64_t)k * ndec;
    for (int i = ndec; i < r->nrun; i++) {
        srv_req *q = &w->rq[r->run[i]];
        q->gen = 1;
        if (q->first < 0) q->first = now;
        r->ctx += q->in + 1;
    }
    r->npre = 0;
    for (int i = 0; i < r->nrun;) {
        int32_t id = r->run[i];
        srv_req *q = &w->rq[id];
        if (q->gen >= q->out) {
            r->kv_used -= q->in + q->out;
            r->ctx -= q->in + q->gen;
            r->run[i] = r->run[--r->nrun];
            srv_served(w, id);
        } else
            i++;
    }
    r->busy = 0;
    srv_start(w, rid);
}

/* ---- load balancer -------------------------------------------------------------------------- */

static void srv_acc_add(srv_world *w, int rid) {
    int i = w->nacc;
    while (i > 0 && w->acc[i - 1] > rid) w->acc[i] = w->acc[i - 1], i--;
    w->acc[i] = rid;
    w->nacc++;
    w->rp[rid].accepting = 1;
}

static void srv_acc_del(srv_world *w, int rid) {
    if (!w->rp[rid].accepting) return;
    int i = 0;
    while (w->acc[i] != rid) i++;
    memmove(&w->acc[i], &w->acc[i + 1], (size_t)(w->nacc - i - 1) * sizeof *w->acc);
    w->nacc--;
    w->rp[rid].accepting = 0;
}

static void srv_dispatch(srv_world *w, int32_t id) {
    srv_req *q = &w->rq[id];
    q->st = RQ_WAIT;
    if (w->nacc == 0) {
        srv_q_push(&w->lbh, &w->lbt, w->rq, id);
        w->nlb++;
        return;
    }
    int rid;
    if (w->c->lb == SK_SRV_LB_ROUND_ROBIN) {
        rid = w->acc[w->rr % w->nacc];
        w->rr = (w->rr + 1) % w->nacc;
    } else {
        rid = w->acc[0];
        int64_t best = w->rp[rid].nq + w->rp[rid].nrun;
        for (int i = 1; i < w->nacc; i++) {
            const srv_rep *r = &w->rp[w->acc[i]];
            if (r->nq + r->nrun < best) best = r->nq + r->nrun, rid = w->acc[i];
        }
    }
    srv_rep *r = &w->rp[rid];
    srv_q_push(&r->qh, &r->qt, w->rq, id);
    r->nq++;
    srv_poke(w, rid);
}

/* Send the LB queue's requests to the replicas (expired ones fail). */
static void srv_lb_drain(srv_world *w) {
    while (w->lbh >= 0 && w->nacc > 0) {
        int32_t id = srv_q_pop(&w->lbh, &w->lbt, w->rq);
        w->nlb--;
        if (srv_expired(w, &w->rq[id])) srv_fail(w, id, &w->res->failed_timeout);
        else srv_dispatch(w, id);
    }
}

/* ---- replicas: life ------------------------------------------------------------------------- */

static void srv_zone_count(srv_world *w, const srv_rep *r, int d_live, int d_ready) {
    sk_srv_zone *z = &w->z[r->zone];
    if (r->spot) z->spot += d_live, z->spot_ready += d_ready;
    else z->od += d_live, z->od_ready += d_ready;
}

/* Live spot replicas of zone z (all of them hold capacity, doomed ones too). */
static int srv_spot_in(const srv_world *w, int z) { return w->z[z].spot; }

static int srv_launch(srv_world *w, int zone, int spot) {
    if (spot && srv_spot_in(w, zone) >= w->cap[zone]) {
        w->z[zone].launch_fail++;
        w->res->launch_fail++;
        return -1;
    }
    int rid = -1;
    for (int i = 0; i < w->nrp; i++)
        if (w->rp[i].st == RP_FREE) {
            rid = i;
            break;
        }
    if (rid < 0) {
        if (w->nrp == w->caprp) {
            int nc = w->caprp ? 2 * w->caprp : 16;
            srv_rep *n = realloc(w->rp, (size_t)nc * sizeof *n);
            int *a = realloc(w->acc, (size_t)nc * sizeof *a);
            if (a) w->acc = a;
            if (!n || !a) return w->oom = 1, -1;
            memset(n + w->caprp, 0, (size_t)(nc - w->caprp) * sizeof *n);
            w->rp = n, w->caprp = nc;
        }
        rid = w->nrp++;
    }
    srv_rep *r = &w->rp[rid];
    uint32_t gen = r->gen + 1;
    int32_t *run = r->run;
    int caprun = r->caprun;
    memset(r, 0, sizeof *r);
    r->run = run, r->caprun = caprun, r->gen = gen;
    r->zone = zone, r->spot = spot, r->st = RP_LAUNCHING;
    r->qh = r->qt = -1;
    r->t_launch = w->eng.now;
    r->price = spot ? w->z[zone].spot_price : w->z[zone].od_price;
    srv_zone_count(w, r, 1, 0);
    w->res->launches++;
    sk_schedule(&w->eng, w->eng.now + sk_time_from(w->cold_s, SK_SEC), EV_READY, (uint32_t)rid, r->gen);
    return rid;
}

/* End replica rid: bill it, requeue or fail what it held, free the slot. */
static void srv_end_rep(srv_world *w, int rid, int why) {
    srv_rep *r = &w->rp[rid];
    if (r->busy) sk_cancel(&w->eng, r->ev);
    srv_acc_del(w, rid);
    double h = sk_time_to(w->eng.now - r->t_launch, SK_HOUR);
    if (r->spot) w->res->cost_spot += h * r->price, w->res->rh_spot += h;
    else w->res->cost_od += h * r->price, w->res->rh_od += h;
    if (r->st == RP_READY) srv_ready_add(w, -1);
    srv_zone_count(w, r, -1, r->st == RP_READY ? -1 : 0);
    r->st = RP_FREE;
    r->gen++;
    int retry = why == END_SCALE || w->c->retry_on_preempt;
    /* collect the running batch, then the queue, in order */
    int32_t n = r->nrun;
    for (int i = 0; i < n; i++) {
        int32_t id = r->run[i];
        srv_req *q = &w->rq[id];
        if (why == END_PREEMPT) w->res->lost_preempt++;
        if (retry) q->since = srv_now(w), q->gen = 0, w->res->retried++, srv_dispatch(w, id);
        else srv_fail(w, id, &w->res->failed_preempt);
    }
    r->nrun = 0;
    while (r->qh >= 0) {
        int32_t id = srv_q_pop(&r->qh, &r->qt, w->rq);
        r->nq--;
        if (why == END_PREEMPT) w->res->lost_preempt++;
        if (retry) w->res->retried++, srv_dispatch(w, id);
        else srv_fail(w, id, &w->res->failed_preempt);
    }
}

static void srv_decide(srv_world *w, sk_srv_trig trig, int zone, int again);

static void srv_on_ready(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    srv_world *w = ctx;
    int rid = (int)ev->target;
    srv_rep *r = &w->rp[rid];
    if (ev->arg != r->gen || r->st != RP_LAUNCHING) return;
    r->st = RP_READY;
    srv_ready_add(w, 1);
    srv_zone_count(w, r, 0, 1);
    if (!(r->notified && w->c->drain_on_notice)) {
        srv_acc_add(w, rid);
        srv_lb_drain(w);
    }
    srv_decide(w, SK_SRV_READY, r->zone, 0);
}

static void srv_on_notice(void *ctx, sk_engine *e, const sk_event *ev) {
    srv_world *w = ctx;
    int rid = (int)ev->target;
    srv_rep *r = &w->rp[rid];
    if (ev->arg != r->gen || r->st == RP_FREE) return;
    r->notified = 1;
    double ns = w->c->zones[r->zone].gcp ? w->c->notice_gcp_s : w->c->notice_aws_s;
    sk_schedule(e, e->now + sk_time_from(ns, SK_SEC), EV_TERM, (uint32_t)rid, r->gen);
    if (w->c->drain_on_notice && r->accepting) {
        srv_acc_del(w, rid);
        while (r->qh >= 0) { /* not admitted yet: to the other replicas, keeping their wait */
            int32_t id = srv_q_pop(&r->qh, &r->qt, w->rq);
            r->nq--;
            srv_dispatch(w, id);
        }
    }
    srv_decide(w, SK_SRV_NOTICE, r->zone, 0);
}

static void srv_on_term(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    srv_world *w = ctx;
    int rid = (int)ev->target;
    srv_rep *r = &w->rp[rid];
    if (ev->arg != r->gen || r->st == RP_FREE) return;
    int z = r->zone;
    w->res->preemptions++;
    w->z[z].preempted++;
    srv_end_rep(w, rid, END_PREEMPT);
    srv_decide(w, SK_SRV_PREEMPTED, z, 0);
}

static void srv_reclaim(srv_world *w, int rid, sk_time spread) {
    srv_rep *r = &w->rp[rid];
    r->doomed = 1;
    sk_time dt = spread > 0 ? (sk_time)(sk_rng_uniform(&w->wrng) * (double)spread) : 0;
    sk_schedule(&w->eng, w->eng.now + dt, EV_NOTICE, (uint32_t)rid, r->gen);
}

static void srv_avail_fetch(srv_world *w, int z) {
    sk_avail_model *m = w->c->zones[z].avail;
    if (!m) return;
    if (sk_avail_next(m, &w->zrng[z], &w->step[z]) == 1) {
        if (w->step[z].t < w->eng.now) w->step[z].t = w->eng.now;
        sk_schedule(&w->eng, w->step[z].t, EV_AVAIL, (uint32_t)z, 0);
    }
}

static void srv_on_avail(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    srv_world *w = ctx;
    int z = (int)ev->target;
    sk_avail_step st = w->step[z];
    int cand[1024];
    if (st.cap != SK_CAP_SAME) w->cap[z] = st.cap;
    for (;;) {
        int n = 0, alive = 0;
        for (int i = 0; i < w->nrp; i++) {
            const srv_rep *r = &w->rp[i];
            if (r->st == RP_FREE || !r->spot || r->zone != z || r->doomed) continue;
            alive++;
            if (n < 1024) cand[n++] = i;
        }
        int want = 0;
        if (st.cap != SK_CAP_SAME && alive > w->cap[z]) want = 1;
        if (!want || n == 0) break;
        srv_reclaim(w, cand[sk_rng_uniform_int(&w->wrng, (uint32_t)n)], st.spread);
    }
    if (st.shock > 0)
        for (int i = 0; i < w->nrp; i++) {
            const srv_rep *r = &w->rp[i];
            if (r->st == RP_FREE || !r->spot || r->zone != z || r->doomed) continue;
            if (sk_rng_uniform(&w->wrng) < st.shock) srv_reclaim(w, i, st.spread);
        }
    srv_avail_fetch(w, z);
}

/* ---- the policy ----------------------------------------------------------------------------- */

static int32_t srv_cap_at(const void *wv, int zone, double t) {
    const srv_world *w = wv;
    const sk_serve_zone_cfg *zc = &w->c->zones[zone];
    if (!zc->counts || zc->ncounts <= 0) return w->cap[zone];
    int64_t i = (int64_t)floor(t / zc->gap_s);
    if (i < 0) i = 0;
    if (zc->loop) i %= zc->ncounts;
    else if (i >= zc->ncounts) i = zc->ncounts - 1;
    return zc->counts[i] * zc->scale;
}

static double srv_rate60(srv_world *w) {
    int64_t sec = (int64_t)floor(srv_now(w));
    for (int64_t s = w->ring_sec + 1; s <= sec && s <= w->ring_sec + 60; s++) w->ring[s % 60] = 0;
    if (sec > w->ring_sec) w->ring_sec = sec;
    int64_t sum = 0;
    for (int i = 0; i < 60; i++) sum += w->ring[i];
    return (double)sum / 60.0;
}

static void srv_view(srv_world *w, sk_srv_view *v, sk_srv_trig trig, int zone) {
    const sk_serve_cfg *c = w->c;
    memset(v, 0, sizeof *v);
    v->t = srv_now(w);
    v->tick_s = c->tick_s;
    v->cold_start_s = w->cold_s;
    v->nzones = c->nzones;
    v->z = w->z;
    v->n_target = w->n_tgt;
    v->rate_60s = srv_rate60(w);
    v->qps_per_replica = c->qps_per_replica;
    v->trig = trig;
    v->trig_zone = zone;
    v->rng = w->prng;
    v->cap_at = srv_cap_at;
    v->w = w;
    v->horizon_s = c->horizon_s;
}

/* Keep `want` replicas of (zone or any zone when zone < 0, market); launch in launch_zone. Returns
 * the zone of a refused launch, or -1. Surplus: newest first, launching before ready. */
static int srv_match(srv_world *w, int zone, int spot, int32_t want, int launch_zone) {
    int have = 0;
    for (int i = 0; i < w->nrp; i++) {
        const srv_rep *r = &w->rp[i];
        if (r->st != RP_FREE && r->spot == spot && (zone < 0 || r->zone == zone) && !r->doomed) have++;
    }
    while (have < want) {
        if (srv_launch(w, launch_zone, spot) < 0) return w->oom ? -1 : launch_zone;
        have++;
    }
    while (have > want) {
        int best = -1;
        for (int i = 0; i < w->nrp; i++) {
            const srv_rep *r = &w->rp[i];
            if (r->st == RP_FREE || r->spot != spot || (zone >= 0 && r->zone != zone) || r->doomed) continue;
            if (best < 0) {
                best = i;
                continue;
            }
            const srv_rep *b = &w->rp[best];
            int rl = r->st == RP_LAUNCHING, bl = b->st == RP_LAUNCHING;
            if (rl != bl ? rl > bl : (r->t_launch != b->t_launch ? r->t_launch > b->t_launch : i > best)) best = i;
        }
        srv_end_rep(w, best, END_SCALE);
        have--;
    }
    return -1;
}

static void srv_decide(srv_world *w, sk_srv_trig trig, int zone, int again) {
    sk_srv_view v;
    sk_srv_plan plan;
    srv_view(w, &v, trig, zone);
    memset(&plan, 0, sizeof plan);
    w->pol->decide(w->pst, &v, &plan);
    int failed = -1;
    for (int z = 0; z < w->c->nzones; z++) {
        int32_t want = plan.spot[z] < 0 ? 0 : plan.spot[z];
        int f = srv_match(w, z, 1, want, z);
        if (f >= 0 && failed < 0) failed = f;
    }
    int oz = plan.od_zone;
    if (oz < 0 || oz >= w->c->nzones) {
        oz = 0;
        for (int z = 1; z < w->c->nzones; z++)
            if (w->z[z].od_price < w->z[oz].od_price) oz = z;
    }
    srv_match(w, -1, 0, plan.od < 0 ? 0 : plan.od, oz);
    if (failed >= 0 && !again) srv_decide(w, SK_SRV_LAUNCH_FAIL, failed, 1);
}

static void srv_on_tick(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)ev;
    srv_world *w = ctx;
    const sk_serve_cfg *c = w->c;
    /* expired heads leave the queues (admission checks every request anyway) */
    while (w->lbh >= 0 && srv_expired(w, &w->rq[w->lbh])) {
        w->nlb--;
        srv_fail(w, srv_q_pop(&w->lbh, &w->lbt, w->rq), &w->res->failed_timeout);
    }
    for (int i = 0; i < w->nrp; i++) {
        srv_rep *r = &w->rp[i];
        if (r->st == RP_FREE) continue;
        while (r->qh >= 0 && srv_expired(w, &w->rq[r->qh])) {
            r->nq--;
            srv_fail(w, srv_q_pop(&r->qh, &r->qt, w->rq), &w->res->failed_timeout);
        }
    }
    srv_decide(w, SK_SRV_TICK, -1, 0);
    sk_time nt = e->now + sk_time_from(c->tick_s, SK_SEC);
    if (c->tick_s > 0 && nt < sk_time_from(c->horizon_s, SK_SEC)) sk_schedule(e, nt, EV_TICK, 0, 0);
}

/* ---- arrivals ------------------------------------------------------------------------------- */

static void srv_tokens(srv_world *w, double *in, double *out) {
    const sk_serve_cfg *c = w->c;
    if (c->fixed_tokens || !c->trace) {
        *in = c->fixed_in, *out = c->fixed_out;
        return;
    }
    uint32_t i = sk_rng_uniform_int(&w->trng, (uint32_t)c->trace->n);
    *in = c->trace->in[i], *out = c->trace->out[i];
}

/* The next arrival time (s) with its tokens in pend_*; 0 when the workload has ended. */
static int srv_next_arrival(srv_world *w, double *t) {
    const sk_serve_cfg *c = w->c;
    switch (c->wl) {
    case SK_SRV_WL_TRACE: {
        const sk_srv_trace *tr = c->trace;
        if (w->wl_i == tr->n) {
            if (!c->loop) return 0;
            w->wl_i = 0, w->wl_loop++;
        }
        int64_t i = w->wl_i++;
        *t = (tr->t[i] + (double)w->wl_loop * tr->span) * c->time_scale;
        if (c->fixed_tokens) w->pend_in = c->fixed_in, w->pend_out = c->fixed_out;
        else w->pend_in = tr->in[i], w->pend_out = tr->out[i];
        return 1;
    }
    case SK_SRV_WL_POISSON:
    case SK_SRV_WL_GAMMA: {
        double gap;
        if (c->wl == SK_SRV_WL_POISSON || c->cv == 1) gap = sk_rng_exponential(&w->arng, 1.0 / c->rate);
        else {
            double k = 1.0 / (c->cv * c->cv);
            gap = gsl_ran_gamma(w->arng.g, k, 1.0 / (k * c->rate));
        }
        w->wl_t += gap;
        *t = w->wl_t;
        srv_tokens(w, &w->pend_in, &w->pend_out);
        return 1;
    }
    case SK_SRV_WL_COUNTS: {
        const sk_srv_counts *cn = c->counts;
        double row_s = c->counts_row_s * c->time_scale;
        double need = sk_rng_exponential(&w->arng, 1.0);
        int64_t empty = 0;
        for (;;) {
            if (w->wl_row >= cn->n) {
                if (!c->loop) return 0;
                w->wl_row = 0;
            }
            double x = cn->count[w->wl_row] * c->counts_scale;
            if (x > c->counts_cap) x = c->counts_cap;
            double lam = x / row_s;
            double row_end = (double)(w->wl_row + 1 + w->wl_loop * cn->n) * row_s;
            if (lam > 0 && need <= lam * (row_end - w->wl_t)) {
                w->wl_t += need / lam;
                break;
            }
            if (lam > 0) need -= lam * (row_end - w->wl_t), empty = 0;
            else if (++empty > cn->n) return 0; /* all rows empty */
            w->wl_t = row_end;
            if (++w->wl_row == cn->n && c->loop) w->wl_loop++;
        }
        *t = w->wl_t;
        srv_tokens(w, &w->pend_in, &w->pend_out);
        return 1;
    }
    }
    return 0;
}

static void srv_arrival_next(srv_world *w) {
    double t;
    if (!srv_next_arrival(w, &t)) return (void)(w->wl_done = 1);
    sk_time at = sk_time_from(t, SK_SEC);
    if (at < w->eng.now) at = w->eng.now;
    if (at >= sk_time_from(w->c->horizon_s, SK_SEC)) return (void)(w->wl_done = 1);
    sk_schedule(&w->eng, at, EV_ARRIVAL, 0, 0);
}

static void srv_on_arrival(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)ev;
    srv_world *w = ctx;
    int32_t id = srv_req_new(w);
    if (id < 0) return sk_engine_stop(e);
    srv_req *q = &w->rq[id];
    q->arr = q->since = srv_now(w);
    q->first = -1;
    q->in = (int32_t)w->pend_in, q->out = (int32_t)w->pend_out, q->gen = 0;
    q->st = RQ_WAIT;
    w->res->requests++;
    w->live++;
    srv_rate60(w);
    w->ring[w->ring_sec % 60]++;
    if ((int64_t)q->in + q->out > w->kv_cap) srv_fail(w, id, &w->res->failed_too_large);
    else srv_dispatch(w, id);
    srv_arrival_next(w);
}

/* ---- the run -------------------------------------------------------------------------------- */

static int srv_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void srv_finish(srv_world *w) {
    sk_serve_result *res = w->res;
    srv_ready_add(w, 0);
    double T = sk_time_to(w->eng.now, SK_SEC);
    res->availability = T > 0 ? w->ok_us / (double)w->eng.now : 1.0;
    res->ready_mean = T > 0 ? w->ready_us / (double)w->eng.now : 0.0;
    for (int i = 0; i < w->nrp; i++)
        if (w->rp[i].st != RP_FREE) {
            const srv_rep *r = &w->rp[i];
            double h = sk_time_to(w->eng.now - r->t_launch, SK_HOUR);
            if (r->spot) res->cost_spot += h * r->price, res->rh_spot += h;
            else res->cost_od += h * r->price, res->rh_od += h;
        }
    res->cost = res->cost_spot + res->cost_od;
    /* what is still in the system ends here: timed out while waiting, else dropped */
    for (int32_t id = 0; id < w->nrq; id++) {
        srv_req *q = &w->rq[id];
        if (q->st == RQ_FREE) continue;
        if (q->st == RQ_WAIT && srv_expired(w, q)) srv_fail(w, id, &res->failed_timeout);
        else res->dropped++, srv_req_end(w, id);
    }
    if (w->live != 0 || res->served + res->failed + res->dropped != res->requests ||
        res->failed != res->failed_timeout + res->failed_preempt + res->failed_too_large)
        sk_die(SK_LOC, "request counts broken: %lld requests, %lld served, %lld failed, %lld dropped, %lld live",
               (long long)res->requests, (long long)res->served, (long long)res->failed, (long long)res->dropped,
               (long long)w->live);
    qsort(w->ttft, (size_t)w->nlat, sizeof *w->ttft, srv_cmp);
    qsort(w->e2e, (size_t)w->nlat, sizeof *w->e2e, srv_cmp);
    static const double qs[4] = {50, 90, 99, 99.9};
    for (int i = 0; i < 4; i++) res->ttft[i] = sk_srv_percentile(w->ttft, w->nlat, qs[i]), res->e2e[i] = sk_srv_percentile(w->e2e, w->nlat, qs[i]);
    double st = 0, se = 0;
    for (int64_t i = 0; i < w->nlat; i++) st += w->ttft[i], se += w->e2e[i];
    res->ttft_mean = w->nlat ? st / (double)w->nlat : NAN;
    res->e2e_mean = w->nlat ? se / (double)w->nlat : NAN;
    res->slo_attain = res->requests ? (double)w->slo_ok / (double)res->requests : 1.0;
    res->failure_rate = res->requests ? (double)res->failed / (double)res->requests : 0.0;
}

int sk_serve_run(const sk_serve_cfg *cfg, const sk_serve_policy *pol, const sk_value *pparams, sk_rng *prng,
                 const volatile sig_atomic_t *stop, sk_serve_result *res, char *msg, size_t len) {
    srv_world *w = calloc(1, sizeof *w);
    int rc = SK_ENOMEM;
    memset(res, 0, sizeof *res);
    if (!w) goto free_avail;
    w->c = cfg, w->res = res, w->pol = pol, w->prng = prng;
    w->rfree = -1, w->lbh = w->lbt = -1, w->ring_sec = -1;
    w->n_tgt = cfg->n_target;
    w->k = cfg->k_avail > 0 ? cfg->k_avail : cfg->n_target;
    if (cfg->nzones < 1 || cfg->nzones > SK_SRV_MAXZ) {
        rc = sk_errf(msg, len, SK_ECONFIG, "serving: %d zones (1 to %d)", cfg->nzones, SK_SRV_MAXZ);
        goto free_avail;
    }
    w->kv_cap = cfg->kv_tokens > 0 ? cfg->kv_tokens : cfg->perf ? sk_llmperf_kv_tokens(cfg->perf) : INT64_MAX / 4;
    w->cold_s = cfg->boot_s + (cfg->load_s >= 0 ? cfg->load_s : cfg->perf ? sk_llmperf_load_s(cfg->perf) : 0);
    if (sk_engine_init(&w->eng, 1024) < 0) goto free_avail;
    sk_engine_on(&w->eng, EV_ARRIVAL, srv_on_arrival, w);
    sk_engine_on(&w->eng, EV_ITER, srv_on_iter, w);
    sk_engine_on(&w->eng, EV_READY, srv_on_ready, w);
    sk_engine_on(&w->eng, EV_NOTICE, srv_on_notice, w);
    sk_engine_on(&w->eng, EV_TERM, srv_on_term, w);
    sk_engine_on(&w->eng, EV_AVAIL, srv_on_avail, w);
    sk_engine_on(&w->eng, EV_TICK, srv_on_tick, w);
    int nz = cfg->nzones;
    w->zrng = calloc((size_t)nz, sizeof *w->zrng);
    w->step = calloc((size_t)nz, sizeof *w->step);
    w->cap = calloc((size_t)nz, sizeof *w->cap);
    w->z = calloc((size_t)nz, sizeof *w->z);
    if (!w->zrng || !w->step || !w->cap || !w->z) goto fail_engine;
    if (sk_rng_init(&w->wrng, NULL, cfg->seed, cfg->world_index, 1) < 0) goto fail_engine;
    if (sk_rng_init(&w->arng, NULL, cfg->seed, cfg->world_index, 2) < 0) goto fail_engine;
    if (sk_rng_init(&w->trng, NULL, cfg->seed, cfg->world_index, 3) < 0) goto fail_engine;
    for (int z = 0; z < nz; z++) {
        if (sk_rng_init(&w->zrng[z], NULL, cfg->seed, cfg->world_index, 16 + (uint64_t)z) < 0) goto fail_engine;
        w->cap[z] = SK_CAP_INF;
        w->z[z].name = cfg->zones[z].name;
        w->z[z].region = cfg->zones[z].region;
        w->z[z].spot_price = cfg->zones[z].spot_price;
        w->z[z].od_price = cfg->zones[z].od_price;
    }
    w->pst = pol->state_size ? calloc(1, pol->state_size) : NULL;
    if (pol->state_size && !w->pst) goto fail_engine;
    {
        sk_srv_view v0;
        srv_view(w, &v0, SK_SRV_TICK, -1);
        if ((rc = pol->init(w->pst, pparams, &v0, msg, len)) < 0) goto fail_engine;
    }
    for (int z = 0; z < nz; z++) srv_avail_fetch(w, z);
    if (cfg->tick_s > 0) sk_schedule(&w->eng, 0, EV_TICK, 0, 0);
    srv_arrival_next(w);
    sk_time end = sk_time_from(cfg->horizon_s, SK_SEC);
    rc = 0;
    for (;;) {
        int r = sk_engine_run(&w->eng, end, 1u << 20);
        if (r < 0 || w->oom) {
            rc = r < 0 ? r : SK_ENOMEM;
            sk_errf(msg, len, rc, "serving: out of memory");
            break;
        }
        if (stop && *stop) {
            rc = SK_EINTR;
            break;
        }
        if (r != SK_RUN_EVENT_LIMIT) break;
    }
    if (rc == 0) {
        if (w->eng.now < end) w->eng.now = end;
        res->events = (int64_t)w->eng.executed;
        srv_finish(w);
        if (w->oom) rc = sk_errf(msg, len, SK_ENOMEM, "serving: out of memory");
    }
    if (pol->fini) pol->fini(w->pst);
fail_engine:
    free(w->pst);
    for (int z = 0; z < nz && w->zrng; z++)
        if (w->zrng[z].g) sk_rng_fini(&w->zrng[z]);
    if (w->wrng.g) sk_rng_fini(&w->wrng);
    if (w->arng.g) sk_rng_fini(&w->arng);
    if (w->trng.g) sk_rng_fini(&w->trng);
    free(w->zrng), free(w->step), free(w->cap), free(w->z);
    for (int i = 0; i < w->nrp; i++) free(w->rp[i].run);
    free(w->rp), free(w->acc), free(w->rq), free(w->ttft), free(w->e2e);
    sk_engine_fini(&w->eng);
free_avail:
    for (int z = 0; z < cfg->nzones; z++) sk_avail_free(cfg->zones[z].avail);
    free(w);
    return rc;
}
