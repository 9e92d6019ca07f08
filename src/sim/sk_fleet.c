/* sk_fleet.c - the fleet world (sk_fleet.h): instances, jobs and pools on the event engine.
 *
 * Storage is flat and indexed: instances and jobs live in arrays by id; each pool keeps an array
 * of its reclaimable spot instances (swap-remove, so a random victim is O(1)) and an idle list per
 * market; each job state has an intrusive list. A decision touches only what its trigger names and
 * what the policy asks for through those indexes, never the whole fleet.
 *
 * Money: a pool keeps the integral of its spot price since the start, so an instance's spot bill
 * is a difference of two integrals (O(1) at its end) however often the price moved. Billing
 * starts when an instance runs (EC2 and GCE bill from the running state) and ends when it is gone
 * or terminated: per second with a minimum, or per started hour at the interval's mean price. */
#include "sim/sk_fleet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_engine.h"
#include "engine/sk_rng.h"
#include "io/sk_results.h"
#include "models/sk_avail.h"
#include "models/sk_migration.h"
#include "models/sk_net.h"
#include "models/sk_price.h"
#include "models/sk_workload.h"
#include "sk_error.h"

enum { EV_ARRIVE, EV_BOOTED, EV_START, EV_DONE, EV_AVAIL, EV_PRICE, EV_NOTICE, EV_GONE, EV_RETRY, EV_TICK, EV_HEAL,
       EV_SERIES, EV_DEADLINE, EV_NKINDS };

typedef struct fl_inst {
    int32_t pool;
    uint8_t market, state, standing, reclaiming, idle;
    int32_t spot_pos;    /* index in its pool's spot array, -1 */
    int64_t job;         /* -1: none */
    int64_t prev, next;  /* the idle list of its pool, or its job's instance list */
    sk_time t_run, t_end; /* billing from t_run (when it ran; -1 never) */
    double cum0;          /* its pool's spot price integral at t_run */
    sk_ev_handle ev;      /* pending boot, notice or gone */
    int64_t billed_to;    /* tick billing: the first tick not yet billed */
} fl_inst;

typedef struct fl_job {
    sk_fjob_info i;       /* what the policy sees (progress refreshed on access) */
    int64_t sprev, snext; /* list of its state */
    int64_t inst_head;
    int32_t gpus_ready;   /* GPUs on running instances */
    uint8_t loading, started_once, has_deadline;
    sk_time t_run;        /* progress started here from i.saved (RUNNING) */
    double base;          /* saved progress when it started */
    sk_time first_start;
    sk_ev_handle ev;      /* pending start, done or retry */
} fl_job;

typedef struct fl_pool {
    int64_t *spot;        /* reclaimable live spot instances */
    int32_t nspot, capspot;
    int64_t idle[3];      /* idle list heads by market */
    double cum;           /* spot price integral ($ x s / h) up to price_t */
    sk_time price_t;
    sk_rng rng;           /* the pool's availability and price stream */
    sk_avail_step step;   /* the pending availability step */
    double pend_price;    /* the pending price change */
    double tick_price;    /* tick billing: the spot price at the start of the current tick */
} fl_pool;

typedef struct fl_world {
    const sk_fleet_cfg *c;
    sk_engine eng;
    fl_inst *in;
    int64_t nin, capin;
    fl_job *jb;
    fl_pool *pl;
    sk_pool_info *pi;
    int32_t *by_spot, *by_od;
    int order_dirty;
    int64_t shead[SK_JOB_NSTATES], stail[SK_JOB_NSTATES];
    sk_fleet_view fv;
    sk_zone_info *zones;
    sk_view v;
    sk_actor act;
    const sk_gpolicy *pol;
    void *pst;
    sk_rng wrng;          /* world stream: victims, notice spreads */
    struct sk_net_noise *noise;
    sk_fleet_result *r;
    double *jct, *qdelay;
    int64_t njct, nq, ndl, ndl_met;
    int64_t live_jobs;    /* jobs not yet in a terminal state */
    int err;
    char *msg;
    size_t msglen;
    int in_decide;
    sk_table *series;
    double series_s;
    /* tick billing (SK_FLEET_BILL_TICK): instances to bill at the next tick end, in launch
     * order; probes of the current tick (pool, price); the running total of compute $ */
    int tick_bill;
    int64_t *meter, nmeter, capmeter;
    struct fl_probe { int32_t pool; double price; } *probes;
    int64_t nprobe, capprobe;
    double compute;
} fl_world;

static inline double fl_s(sk_time t) { return sk_time_to(t, SK_SEC); }
static inline sk_time fl_t(double s) { return sk_time_from(s, SK_SEC); }
static inline int fl_cloud(const fl_world *w, int pool) {
    return strcmp(w->zones[w->c->pools[pool].zone].cloud, "gcp") == 0;
}
static inline int fl_tick_billed(const fl_world *w, int pool) {
    return w->tick_bill && w->c->bill_hourly[fl_cloud(w, pool)] == SK_FLEET_BILL_TICK;
}

/* ---- lists ---------------------------------------------------------------------------------- */

static void fl_state_set(fl_world *w, int64_t j, sk_job_state s) {
    fl_job *b = &w->jb[j];
    sk_job_state o = b->i.state;
    if (o == s) return;
    if (b->sprev >= 0) w->jb[b->sprev].snext = b->snext; else w->shead[o] = b->snext;
    if (b->snext >= 0) w->jb[b->snext].sprev = b->sprev; else w->stail[o] = b->sprev;
    w->fv.njobs[o]--;
    b->i.state = s;
    b->sprev = w->stail[s], b->snext = -1;
    if (w->stail[s] >= 0) w->jb[w->stail[s]].snext = j; else w->shead[s] = j;
    w->stail[s] = j;
    w->fv.njobs[s]++;
    if (s == SK_JOB_COMPLETED || s == SK_JOB_FAILED || s == SK_JOB_ABANDONED) w->live_jobs--;
}

static void fl_idle_push(fl_world *w, int64_t id) {
    fl_inst *x = &w->in[id];
    int64_t *h = &w->pl[x->pool].idle[x->market];
    x->prev = -1, x->next = *h;
    if (*h >= 0) w->in[*h].prev = id;
    *h = id;
    x->idle = 1;
    w->pi[x->pool].n_idle[x->market]++;
}

static void fl_idle_drop(fl_world *w, int64_t id) {
    fl_inst *x = &w->in[id];
    if (x->prev >= 0) w->in[x->prev].next = x->next; else w->pl[x->pool].idle[x->market] = x->next;
    if (x->next >= 0) w->in[x->next].prev = x->prev;
    x->prev = x->next = -1;
    x->idle = 0;
    w->pi[x->pool].n_idle[x->market]--;
}

static void fl_job_link(fl_world *w, int64_t j, int64_t id) {
    fl_inst *x = &w->in[id];
    fl_job *b = &w->jb[j];
    x->job = j, x->prev = -1, x->next = b->inst_head;
    if (b->inst_head >= 0) w->in[b->inst_head].prev = id;
    b->inst_head = id;
    b->i.ninst++;
    b->i.gpus_have += w->c->types[w->c->pools[x->pool].type].gpus;
    if (x->state == SK_INST_RUNNING || x->state == SK_INST_NOTIFIED) b->gpus_ready += w->c->types[w->c->pools[x->pool].type].gpus;
}

static void fl_job_unlink(fl_world *w, int64_t id) {
    fl_inst *x = &w->in[id];
    fl_job *b = &w->jb[x->job];
    if (x->prev >= 0) w->in[x->prev].next = x->next; else b->inst_head = x->next;
    if (x->next >= 0) w->in[x->next].prev = x->prev;
    int g = w->c->types[w->c->pools[x->pool].type].gpus;
    b->i.ninst--;
    b->i.gpus_have -= g;
    if (x->state == SK_INST_RUNNING || x->state == SK_INST_NOTIFIED) b->gpus_ready -= g;
    x->job = -1, x->prev = x->next = -1;
}

static void fl_spot_drop(fl_world *w, int64_t id) {
    fl_inst *x = &w->in[id];
    if (x->spot_pos < 0) return;
    fl_pool *p = &w->pl[x->pool];
    int64_t last = p->spot[--p->nspot];
    p->spot[x->spot_pos] = last;
    w->in[last].spot_pos = x->spot_pos;
    x->spot_pos = -1;
}

/* ---- money ----------------------------------------------------------------------------------- */

static double fl_cum_at(const fl_world *w, int pool, sk_time t) {
    const fl_pool *p = &w->pl[pool];
    return p->cum + w->pi[pool].spot_price * fl_s(t - p->price_t);
}

/* Bill an instance that ends now (or at the horizon). */
static void fl_bill(fl_world *w, int64_t id, sk_time end) {
    fl_inst *x = &w->in[id];
    x->t_end = end;
    if (x->t_run < 0 || fl_tick_billed(w, x->pool)) return; /* tick billing: fl_meter */
    const sk_fleet_cfg *c = w->c;
    double dur = fl_s(end - x->t_run);
    int hourly = c->bill_hourly[fl_cloud(w, x->pool)] == 1;
    double billed = hourly ? ceil(dur / 3600.0) * 3600.0 : (dur < c->min_bill_s ? c->min_bill_s : dur);
    if (hourly && billed == 0) billed = 3600.0;
    double gpus = c->types[c->pools[x->pool].type].gpus;
    if (x->market == SK_MKT_SPOT) {
        double mean = dur > 0 ? (fl_cum_at(w, x->pool, end) - x->cum0) / dur : w->pi[x->pool].spot_price;
        double usd = mean * billed / 3600.0;
        w->r->cost_spot += usd;
        w->r->gpuh_spot += gpus * billed / 3600.0;
        w->compute += usd;
    } else {
        double usd = c->pools[x->pool].od_price * billed / 3600.0;
        w->r->cost_od += usd;
        w->r->gpuh_od += gpus * billed / 3600.0;
        w->compute += usd;
    }
}

/* ---- the tick model: tick billing and late ticks (sk_fleet.h, tick_last) -------------------- */

/* Bill the metered instances up to tick `upto` (exclusive; an instance that ended pays through
 * the tick it ended in), then the probes, each tick on its own (the tick model's order); drop
 * the instances that ended. Then the current tick's spot prices are those in force now. */
static void fl_meter(fl_world *w, int64_t upto) {
    const sk_fleet_cfg *c = w->c;
    sk_time tk = fl_t(c->tick_s);
    int64_t keep = 0;
    for (int64_t i = 0; i < w->nmeter; i++) {
        fl_inst *x = &w->in[w->meter[i]];
        int64_t last = upto;
        if (x->state == SK_INST_GONE) {
            int64_t e = (x->t_end + tk - 1) / tk; /* ceil: a partial tick pays in full */
            if (e < last) last = e;
        }
        double gpus = c->types[c->pools[x->pool].type].gpus;
        for (; x->billed_to < last; x->billed_to++) {
            double price = x->market == SK_MKT_SPOT ? w->pl[x->pool].tick_price : c->pools[x->pool].od_price;
            double usd = price * c->tick_s / 3600;
            w->compute += usd;
            if (x->market == SK_MKT_SPOT) w->r->cost_spot += usd, w->r->gpuh_spot += gpus * c->tick_s / 3600.0;
            else w->r->cost_od += usd, w->r->gpuh_od += gpus * c->tick_s / 3600.0;
        }
        if (x->state != SK_INST_GONE || x->billed_to < last) w->meter[keep++] = w->meter[i];
    }
    w->nmeter = keep;
    for (int64_t i = 0; i < w->nprobe; i++) {
        double usd = w->probes[i].price * c->min_bill_s / 3600;
        w->compute += usd;
        w->r->cost_spot += usd;
        w->r->gpuh_spot += c->types[c->pools[w->probes[i].pool].type].gpus * c->min_bill_s / 3600.0;
    }
    w->nprobe = 0;
    for (int p = 0; p < c->npools; p++) w->pl[p].tick_price = w->pi[p].spot_price;
}

/* Whether an event other than the running one is due now (cancelled ones are dropped). */
static int fl_due_now(fl_world *w) {
    sk_eq *q = &w->eng.q;
    for (;;) {
        uint32_t h = sk_eq_front(q);
        if (h == SK_EQ_NIL) return 0;
        if (q->pool[h].state != SK_EV_CANCELLED) return q->pool[h].t <= w->eng.now;
        sk_event dead;
        sk_eq_pop_front(q, h, &dead);
    }
}

/* ---- jobs ------------------------------------------------------------------------------------ */

static double fl_progress(const fl_world *w, const fl_job *b) {
    if (b->i.state != SK_JOB_RUNNING) return b->i.saved;
    double p = b->base + fl_s(w->eng.now - b->t_run);
    return p < b->i.work ? p : b->i.work;
}

/* Work saved by the periodic checkpoints of the current run, as of now. */
static double fl_saved_now(const fl_world *w, const fl_job *b) {
    if (b->i.state != SK_JOB_RUNNING) return b->i.saved;
    double ran = fl_s(w->eng.now - b->t_run), ce = w->c->ckpt_every_s;
    double s = ce > 0 ? b->base + floor(ran / ce) * ce : b->base;
    if (s < b->i.saved) s = b->i.saved;
    return s < b->i.work ? s : b->i.work;
}

static const sk_fjob_info *fl_v_job(const void *wp, int64_t id) {
    fl_world *w = (fl_world *)(uintptr_t)wp;
    if (id < 0 || id >= w->c->njobs) return NULL;
    fl_job *b = &w->jb[id];
    b->i.progress = fl_progress(w, b);
    return &b->i;
}
static int64_t fl_v_jobs_first(const void *wp, sk_job_state s) { return s < SK_JOB_NSTATES ? ((const fl_world *)wp)->shead[s] : -1; }
static int64_t fl_v_jobs_next(const void *wp, int64_t j) { return ((const fl_world *)wp)->jb[j].snext; }
static int64_t fl_v_idle_first(const void *wp, int pool, sk_market m) {
    const fl_world *w = wp;
    return pool >= 0 && pool < w->c->npools && m != SK_MKT_NONE ? w->pl[pool].idle[m] : -1;
}
static int64_t fl_v_inst_first(const void *wp, int64_t j) { return ((const fl_world *)wp)->jb[j].inst_head; }
static int64_t fl_v_inst_next(const void *wp, int64_t id) { return ((const fl_world *)wp)->in[id].next; }
static int fl_v_inst_pool(const void *wp, int64_t id) { return ((const fl_world *)wp)->in[id].pool; }
static sk_market fl_v_inst_market(const void *wp, int64_t id) { return (sk_market)((const fl_world *)wp)->in[id].market; }

static void fl_decide(fl_world *w, sk_trig_kind k, int64_t job, int64_t inst, int pool);
static void fl_finish_job(fl_world *w, int64_t j, sk_job_state s);

/* A job loses its run (an instance went): roll back to the last checkpoint. */
static void fl_interrupt(fl_world *w, int64_t j) {
    fl_job *b = &w->jb[j];
    if (b->i.state == SK_JOB_RUNNING) {
        double p = fl_progress(w, b), s = fl_saved_now(w, b);
        w->r->lost_gpuh += (p - s) * b->i.gpus / 3600.0;
        b->i.saved = s;
        w->r->preemptions++;
    }
    if (b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
    b->loading = 0;
    if (b->i.state == SK_JOB_RUNNING || b->i.state == SK_JOB_SUBMITTED) fl_state_set(w, j, SK_JOB_QUEUED);
}

/* The job may start: enough GPUs, all running, not already loading or running. */
static void fl_try_start(fl_world *w, int64_t j) {
    fl_job *b = &w->jb[j];
    if (b->loading || b->i.state == SK_JOB_RUNNING || b->i.state >= SK_JOB_COMPLETED) return;
    if (b->i.gpus_have < b->i.gpus || b->gpus_ready < b->i.gpus_have) return;
    const sk_fleet_cfg *c = w->c;
    int zone = c->pools[w->in[b->inst_head].pool].zone;
    double delay = c->load_s;
    int from = b->i.ckpt_zone;
    if (from >= 0 && from != zone && b->i.saved > 0) {
        double gb = b->i.ckpt_gb, usd, secs;
        if (c->net) {
            int a = c->zone_region[from], d = c->zone_region[zone];
            usd = gb * c->net->usd_gb[a * c->net->nreg + d];
            secs = a == d ? 0 : sk_net_transfer_s(c->net, w->noise, a, d, gb, w->eng.now);
        } else {
            usd = sk_mig_transfer_usd(c->zones[from].name, c->zones[zone].name, gb);
            secs = 3600.0 * sk_mig_transfer_hours(c->zones[from].name, c->zones[zone].name, gb);
        }
        w->r->egress += usd;
        if (!c->no_move_time) delay += secs;
    }
    if (c->model_gb > 0 && c->net) {
        int d = c->zone_region[zone], a = c->model_store >= 0 ? c->model_store : d;
        w->r->egress += c->model_gb * c->net->usd_gb[a * c->net->nreg + d];
        delay += sk_net_transfer_s(c->net, w->noise, a, d, c->model_gb, w->eng.now);
    }
    b->i.last_zone = zone;
    b->loading = 1;
    if (b->i.state != SK_JOB_SUBMITTED) fl_state_set(w, j, SK_JOB_SUBMITTED);
    b->ev = sk_schedule(&w->eng, w->eng.now + fl_t(delay), EV_START, (uint32_t)j, 0);
}

/* ---- instances ------------------------------------------------------------------------------- */

static int64_t fl_new_inst(fl_world *w, int pool, sk_market m) {
    if (w->nin == w->capin) {
        int64_t nc = w->capin ? 2 * w->capin : 1024;
        fl_inst *ni = realloc(w->in, (size_t)nc * sizeof *ni);
        if (!ni) return w->err = SK_ENOMEM, -1;
        w->in = ni, w->capin = nc;
    }
    int64_t id = w->nin++;
    fl_inst *x = &w->in[id];
    memset(x, 0, sizeof *x);
    x->pool = pool, x->market = (uint8_t)m, x->state = SK_INST_BOOTING;
    x->spot_pos = -1, x->job = x->prev = x->next = -1, x->t_run = x->t_end = -1;
    x->ev.slot = SK_EQ_NIL;
    if (m == SK_MKT_SPOT) {
        fl_pool *p = &w->pl[pool];
        if (p->nspot == p->capspot) {
            int32_t nc = p->capspot ? 2 * p->capspot : 16;
            int64_t *ns = realloc(p->spot, (size_t)nc * sizeof *ns);
            if (!ns) return w->nin--, w->err = SK_ENOMEM, -1;
            p->spot = ns, p->capspot = nc;
        }
        x->spot_pos = p->nspot;
        p->spot[p->nspot++] = id;
        w->pi[pool].n_spot++;
    } else
        w->pi[pool].n_od++;
    w->r->launches++;
    x->ev = sk_schedule(&w->eng, w->eng.now + fl_t(w->c->boot_s), EV_BOOTED, (uint32_t)id, 0);
    return id;
}

/* An instance ends (gone, terminated, or the horizon): bill it, take it out of every index. Its
 * job (if any) is interrupted; returns the job or -1. */
static int64_t fl_end_inst(fl_world *w, int64_t id, int gone) {
    fl_inst *x = &w->in[id];
    if (x->state == SK_INST_GONE) return -1;
    if (x->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, x->ev), x->ev.slot = SK_EQ_NIL;
    fl_bill(w, id, w->eng.now);
    fl_spot_drop(w, id);
    int64_t j = x->job;
    if (j >= 0) {
        fl_interrupt(w, j);
        fl_job_unlink(w, id);
        w->jb[j].i.lost_zone = w->c->pools[x->pool].zone;
    } else if (x->idle)
        fl_idle_drop(w, id);
    if (x->market == SK_MKT_SPOT) w->pi[x->pool].n_spot--; else w->pi[x->pool].n_od--;
    if (gone && x->market == SK_MKT_SPOT) w->pi[x->pool].preempted++;
    x->state = SK_INST_GONE;
    if (gone && x->standing && w->c->fleet_heal) {
        int pool = x->pool;
        sk_market m = (sk_market)x->market;
        int64_t nid = m == SK_MKT_SPOT && w->pl[pool].nspot >= w->pi[pool].spot_cap ? -1 : fl_new_inst(w, pool, m);
        if (nid >= 0) w->in[nid].standing = 1;
        else if (!w->err) sk_schedule(&w->eng, w->eng.now + fl_t(w->c->heal_retry_s), EV_HEAL, (uint32_t)pool, (uint32_t)m);
    }
    return j;
}

/* Pick a spot instance of the pool to reclaim: notice after U(0, spread). */
static void fl_reclaim(fl_world *w, int64_t id, sk_time spread) {
    fl_inst *x = &w->in[id];
    fl_spot_drop(w, id);
    x->reclaiming = 1;
    sk_time d = spread > 0 ? (sk_time)(sk_rng_uniform(&w->wrng) * (double)spread) : 0;
    if (x->ev.slot != SK_EQ_NIL && x->state == SK_INST_BOOTING) {
        /* still booting: it never runs; gone at the notice time */
        sk_cancel(&w->eng, x->ev);
        x->ev = sk_schedule(&w->eng, w->eng.now + d, EV_GONE, (uint32_t)id, 0);
        return;
    }
    if (x->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, x->ev);
    x->ev = sk_schedule(&w->eng, w->eng.now + d, EV_NOTICE, (uint32_t)id, 0);
}

/* ---- actions ------------------------------------------------------------------------------- */

static int64_t fl_act_launch_for(void *wp, int pool, sk_market m, int64_t job) {
    fl_world *w = wp;
    if (pool < 0 || pool >= w->c->npools || (m != SK_MKT_SPOT && m != SK_MKT_OD)) return -1;
    if (job >= 0 && (job >= w->c->njobs || w->jb[job].i.state >= SK_JOB_COMPLETED || w->jb[job].i.state == SK_JOB_CREATED))
        return -1;
    if (m == SK_MKT_SPOT && (w->pl[pool].nspot >= w->pi[pool].spot_cap ||
                             (w->c->max_price_frac > 0 && w->pi[pool].spot_price > w->c->max_price_frac * w->pi[pool].od_price))) {
        /* no capacity, or the price is above the maximum price: EC2 fulfils no such request */
        w->pi[pool].launch_fail++;
        w->r->launch_fail++;
        return -1;
    }
    int64_t id = fl_new_inst(w, pool, m);
    if (id < 0) return -1;
    if (job >= 0) {
        fl_job *b = &w->jb[job];
        if (b->i.state == SK_JOB_RETRY && b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
        fl_job_link(w, job, id);
        b->i.market = m;
        b->i.last_zone = w->c->pools[pool].zone;
        if (b->i.state == SK_JOB_QUEUED || b->i.state == SK_JOB_RETRY) fl_state_set(w, job, SK_JOB_SUBMITTED);
    }
    return id;
}

static int fl_act_assign(void *wp, int64_t job, int64_t id) {
    fl_world *w = wp;
    if (job < 0 || job >= w->c->njobs || id < 0 || id >= w->nin) return -1;
    fl_inst *x = &w->in[id];
    fl_job *b = &w->jb[job];
    if (x->job >= 0 || x->state != SK_INST_RUNNING) return -1;
    if (b->i.state != SK_JOB_QUEUED && b->i.state != SK_JOB_RETRY && b->i.state != SK_JOB_SUBMITTED) return -1;
    if (b->i.state == SK_JOB_RETRY && b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
    fl_idle_drop(w, id);
    fl_job_link(w, job, id);
    b->i.market = (sk_market)x->market;
    if (b->i.state != SK_JOB_SUBMITTED) fl_state_set(w, job, SK_JOB_SUBMITTED);
    fl_try_start(w, job);
    return 0;
}

static int fl_act_release(void *wp, int64_t job) {
    fl_world *w = wp;
    if (job < 0 || job >= w->c->njobs) return -1;
    fl_job *b = &w->jb[job];
    if (b->i.state >= SK_JOB_COMPLETED || b->i.state == SK_JOB_CREATED) return -1;
    if (b->i.state == SK_JOB_RUNNING || b->loading) {
        if (b->i.state == SK_JOB_RUNNING) b->i.saved = fl_progress(w, b), b->i.ckpt_zone = b->i.last_zone;
        if (b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
        b->loading = 0;
    }
    while (b->inst_head >= 0) {
        int64_t id = b->inst_head;
        fl_job_unlink(w, id);
        if (w->in[id].state == SK_INST_RUNNING) fl_idle_push(w, id);
        else if (w->in[id].state == SK_INST_BOOTING) { /* the boot completes as idle capacity */ }
        else if (w->in[id].state == SK_INST_NOTIFIED) { /* leaving anyway: not offered as idle */ }
    }
    b->i.market = SK_MKT_NONE;
    if (b->i.state != SK_JOB_QUEUED) fl_state_set(w, job, SK_JOB_QUEUED);
    return 0;
}

static int fl_act_retry(void *wp, int64_t job, double after_s) {
    fl_world *w = wp;
    if (job < 0 || job >= w->c->njobs) return -1;
    fl_job *b = &w->jb[job];
    if (b->i.state != SK_JOB_QUEUED && b->i.state != SK_JOB_RETRY) return -1;
    if (b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
    if (w->c->max_retries >= 0 && b->i.retries >= w->c->max_retries) {
        fl_act_release(w, job);
        fl_finish_job(w, job, SK_JOB_ABANDONED);
        w->r->abandoned++;
        return 0;
    }
    b->i.retries++;
    fl_state_set(w, job, SK_JOB_RETRY);
    /* at least a second: a policy that retries at once would otherwise loop at one instant */
    b->ev = sk_schedule(&w->eng, w->eng.now + fl_t(after_s > 1 ? after_s : 1), EV_RETRY, (uint32_t)job, 0);
    return 0;
}

static int fl_act_terminate(void *wp, int64_t id) {
    fl_world *w = wp;
    if (id < 0 || id >= w->nin || w->in[id].state == SK_INST_GONE) return -1;
    fl_end_inst(w, id, 0);
    /* the newest record, terminated before it ever ran (a gang that did not fit): its id is given
     * to the next launch, so retry loops do not grow the instance table (its boot event is
     * cancelled and never delivered) */
    if (id == w->nin - 1 && w->in[id].t_run < 0 && !w->in[id].standing) w->nin--;
    return 0;
}

static int fl_act_launch(void *wp, int zone, sk_market m) {
    (void)wp, (void)zone, (void)m;
    return 0; /* the single-job launch has no meaning in a fleet: policies use launch_for */
}
/* A probe: a short spot launch in the zone's first pool, released at once and billed
 * min_bill_s; 1 when the pool has spot room. */
static int fl_act_probe(void *wp, int zone) {
    fl_world *w = wp;
    int p = 0;
    while (p < w->c->npools && w->c->pools[p].zone != zone) p++;
    if (p == w->c->npools || w->pl[p].nspot >= w->pi[p].spot_cap) return 0;
    if (w->c->max_price_frac > 0 && w->pi[p].spot_price > w->c->max_price_frac * w->pi[p].od_price) return 0;
    if (fl_tick_billed(w, p)) {
        if (w->nprobe == w->capprobe) {
            int64_t nc = w->capprobe ? 2 * w->capprobe : 16;
            struct fl_probe *np = realloc(w->probes, (size_t)nc * sizeof *np);
            if (!np) return w->err = SK_ENOMEM, 0;
            w->probes = np, w->capprobe = nc;
        }
        w->probes[w->nprobe++] = (struct fl_probe){p, w->pi[p].spot_price};
    } else {
        double usd = w->pi[p].spot_price * w->c->min_bill_s / 3600.0;
        w->r->cost_spot += usd, w->compute += usd;
        w->r->gpuh_spot += w->c->types[w->c->pools[p].type].gpus * w->c->min_bill_s / 3600.0;
    }
    return 1;
}
static void fl_act_prices(void *wp) { (void)wp; }

/* ---- decisions ----------------------------------------------------------------------------- */

static double fl_gpuh(const fl_world *w, int p, int spot) {
    double g = w->c->types[w->c->pools[p].type].gpus;
    return (spot ? w->pi[p].spot_price : w->pi[p].od_price) / (g > 0 ? g : 1);
}
static int fl_cmp_spot(const void *a, const void *b, void *ctx) {
    const fl_world *w = ctx;
    int x = *(const int32_t *)a, y = *(const int32_t *)b;
    double px = fl_gpuh(w, x, 1), py = fl_gpuh(w, y, 1);
    return px < py ? -1 : px > py ? 1 : (x > y) - (x < y);
}
static int fl_cmp_od(const void *a, const void *b, void *ctx) {
    const fl_world *w = ctx;
    int x = *(const int32_t *)a, y = *(const int32_t *)b;
    double px = fl_gpuh(w, x, 0), py = fl_gpuh(w, y, 0);
    return px < py ? -1 : px > py ? 1 : (x > y) - (x < y);
}
/* insertion sort: the orders change by a few places between decisions, and this keeps the world
 * free of qsort_r portability questions */
static void fl_isort(int32_t *a, int n, int (*cmp)(const void *, const void *, void *), void *ctx) {
    for (int i = 1; i < n; i++) {
        int32_t v = a[i];
        int k = i - 1;
        while (k >= 0 && cmp(&a[k], &v, ctx) > 0) a[k + 1] = a[k], k--;
        a[k + 1] = v;
    }
}
static void fl_order(fl_world *w) {
    if (!w->order_dirty) return;
    fl_isort(w->by_spot, w->c->npools, fl_cmp_spot, w);
    w->order_dirty = 0;
}

static void fl_decide(fl_world *w, sk_trig_kind k, int64_t job, int64_t inst, int pool) {
    if (w->in_decide) return;
    fl_order(w);
    w->fv.trig.kind = k, w->fv.trig.job = job, w->fv.trig.inst = inst, w->fv.trig.pool = pool;
    w->v.t = fl_s(w->eng.now);
    w->v.tick = w->c->tick_s > 0 ? (int64_t)floor(w->v.t / w->c->tick_s) : 0;
    w->in_decide = 1;
    w->pol->decide(w->pst, &w->v, &w->act);
    w->in_decide = 0;
}

/* ---- event handlers -------------------------------------------------------------------------- */

static void fl_on_arrive(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int64_t j = ev->target;
    fl_state_set(w, j, SK_JOB_QUEUED);
    if (w->jb[j].has_deadline && w->c->drop_late)
        sk_schedule(&w->eng, fl_t(w->jb[j].i.deadline), EV_DEADLINE, (uint32_t)j, 0);
    fl_decide(w, SK_TRIG_ARRIVAL, j, -1, -1);
}

static void fl_on_booted(void *ctx, sk_engine *e, const sk_event *ev) {
    fl_world *w = ctx;
    int64_t id = ev->target;
    fl_inst *x = &w->in[id];
    x->ev.slot = SK_EQ_NIL;
    x->state = SK_INST_RUNNING;
    x->t_run = e->now;
    x->cum0 = fl_cum_at(w, x->pool, e->now);
    if (fl_tick_billed(w, x->pool)) {
        if (w->nmeter == w->capmeter) {
            int64_t nc = w->capmeter ? 2 * w->capmeter : 64;
            int64_t *nm = realloc(w->meter, (size_t)nc * sizeof *nm);
            if (!nm) {
                w->err = SK_ENOMEM;
                return;
            }
            w->meter = nm, w->capmeter = nc;
        }
        x->billed_to = e->now / fl_t(w->c->tick_s);
        w->meter[w->nmeter++] = id;
    }
    if (x->job >= 0) {
        w->jb[x->job].gpus_ready += w->c->types[w->c->pools[x->pool].type].gpus;
        fl_try_start(w, x->job);
    } else {
        fl_idle_push(w, id);
        fl_decide(w, SK_TRIG_IDLE, -1, id, x->pool);
    }
}

static void fl_on_start(void *ctx, sk_engine *e, const sk_event *ev) {
    fl_world *w = ctx;
    int64_t j = ev->target;
    fl_job *b = &w->jb[j];
    b->ev.slot = SK_EQ_NIL;
    b->loading = 0;
    if (b->started_once) w->r->restarts++;
    else b->started_once = 1, b->first_start = e->now;
    b->i.ckpt_zone = b->i.last_zone;
    b->t_run = e->now;
    b->base = b->i.saved;
    fl_state_set(w, j, SK_JOB_RUNNING);
    b->ev = sk_schedule(&w->eng, e->now + fl_t(b->i.work - b->i.saved), EV_DONE, (uint32_t)j, 0);
}

static void fl_finish_job(fl_world *w, int64_t j, sk_job_state s) {
    fl_job *b = &w->jb[j];
    if (b->ev.slot != SK_EQ_NIL) sk_cancel(&w->eng, b->ev), b->ev.slot = SK_EQ_NIL;
    fl_state_set(w, j, s);
    double now = fl_s(w->eng.now);
    if (s == SK_JOB_COMPLETED) {
        w->r->completed++;
        w->r->useful_gpuh += b->i.work * b->i.gpus / 3600.0;
        w->jct[w->njct++] = (now - b->i.arrival) / 3600.0;
    } else if (s == SK_JOB_FAILED)
        w->r->failed++;
    if (b->has_deadline) {
        w->ndl++;
        if (s == SK_JOB_COMPLETED && now <= b->i.deadline) w->ndl_met++;
    }
    if (b->started_once) w->qdelay[w->nq++] = (fl_s(b->first_start) - b->i.arrival) / 3600.0;
}

static void fl_release_all(fl_world *w, int64_t j) {
    fl_job *b = &w->jb[j];
    while (b->inst_head >= 0) {
        int64_t id = b->inst_head;
        fl_job_unlink(w, id);
        if (w->in[id].state == SK_INST_RUNNING) fl_idle_push(w, id);
    }
}

static void fl_on_done(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int64_t j = ev->target;
    fl_job *b = &w->jb[j];
    b->ev.slot = SK_EQ_NIL;
    b->i.saved = b->i.work;
    fl_finish_job(w, j, SK_JOB_COMPLETED);
    fl_decide(w, SK_TRIG_DONE, j, -1, -1);
    if (b->inst_head >= 0) { /* what the policy kept is idle capacity now */
        fl_release_all(w, j);
        fl_decide(w, SK_TRIG_IDLE, -1, -1, -1);
    }
}

static void fl_on_deadline(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int64_t j = ev->target;
    fl_job *b = &w->jb[j];
    if (b->i.state >= SK_JOB_COMPLETED) return;
    if (b->i.state == SK_JOB_RUNNING) b->i.saved = fl_saved_now(w, b);
    fl_finish_job(w, j, SK_JOB_FAILED);
    /* its instances end with it */
    while (b->inst_head >= 0) {
        int64_t id = b->inst_head;
        fl_job_unlink(w, id);
        fl_end_inst(w, id, 0);
    }
}

static void fl_avail_fetch(fl_world *w, int p) {
    fl_pool *pl = &w->pl[p];
    sk_avail_model *m = w->c->pools[p].avail;
    if (!m) return;
    if (sk_avail_next(m, &pl->rng, &pl->step) == 1) {
        if (pl->step.t < w->eng.now) pl->step.t = w->eng.now;
        sk_schedule(&w->eng, pl->step.t, EV_AVAIL, (uint32_t)p, 0);
    }
}

static void fl_on_avail(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int p = (int)ev->target;
    fl_pool *pl = &w->pl[p];
    sk_avail_step st = pl->step;
    if (st.cap != SK_CAP_SAME) {
        w->pi[p].spot_cap = st.cap;
        while (pl->nspot > st.cap && pl->nspot > 0)
            fl_reclaim(w, pl->spot[sk_rng_uniform_int(&w->wrng, (uint32_t)pl->nspot)], st.spread);
    }
    if (st.shock > 0)
        for (int32_t i = pl->nspot - 1; i >= 0; i--)
            if (i < pl->nspot && sk_rng_uniform(&w->wrng) < st.shock) fl_reclaim(w, pl->spot[i], st.spread);
    fl_avail_fetch(w, p);
}

static void fl_price_fetch(fl_world *w, int p) {
    sk_price_model *m = w->c->pools[p].price;
    if (!m) return;
    fl_pool *pl = &w->pl[p];
    sk_time t;
    if (sk_price_next(m, &pl->rng, &t, &pl->pend_price) == 1) {
        if (t < w->eng.now) t = w->eng.now;
        sk_schedule(&w->eng, t, EV_PRICE, (uint32_t)p, 0);
    }
}

static void fl_on_price(void *ctx, sk_engine *e, const sk_event *ev) {
    fl_world *w = ctx;
    int p = (int)ev->target;
    fl_pool *pl = &w->pl[p];
    pl->cum = fl_cum_at(w, p, e->now);
    pl->price_t = e->now;
    w->pi[p].spot_price = pl->pend_price;
    w->order_dirty = 1;
    double maxp = w->c->max_price_frac * w->pi[p].od_price;
    if (w->c->max_price_frac > 0 && pl->pend_price > maxp)
        while (pl->nspot > 0) fl_reclaim(w, pl->spot[pl->nspot - 1], 0);
    fl_price_fetch(w, p);
}


static void fl_on_notice(void *ctx, sk_engine *e, const sk_event *ev) {
    fl_world *w = ctx;
    int64_t id = ev->target;
    fl_inst *x = &w->in[id];
    x->ev.slot = SK_EQ_NIL;
    x->state = SK_INST_NOTIFIED;
    double notice = w->c->notice_s[fl_cloud(w, x->pool)];
    if (x->job >= 0) {
        fl_job *b = &w->jb[x->job];
        if (b->i.state == SK_JOB_RUNNING &&
            (w->c->ckpt_notice_always || (w->c->ckpt_write_gbps > 0 && b->i.ckpt_gb * 8.0 / w->c->ckpt_write_gbps <= notice))) {
            b->i.saved = fl_progress(w, b);
            b->i.ckpt_zone = w->c->pools[x->pool].zone;
        }
    } else if (x->idle)
        fl_idle_drop(w, id);
    x->ev = sk_schedule(&w->eng, e->now + fl_t(notice), EV_GONE, (uint32_t)id, 0);
    fl_decide(w, SK_TRIG_NOTICE, x->job, id, x->pool);
}

static void fl_on_gone(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int64_t id = ev->target;
    fl_inst *x = &w->in[id];
    x->ev.slot = SK_EQ_NIL;
    int pool = x->pool;
    int64_t j = fl_end_inst(w, id, 1);
    fl_decide(w, SK_TRIG_GONE, j, id, pool);
}

static void fl_on_retry(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int64_t j = ev->target;
    w->jb[j].ev.slot = SK_EQ_NIL;
    fl_state_set(w, j, SK_JOB_QUEUED);
    fl_decide(w, SK_TRIG_RETRY, j, -1, -1);
}

static void fl_on_tick(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)ev;
    fl_world *w = ctx;
    if (w->c->tick_last && fl_due_now(w)) { /* behind everything else of this instant */
        sk_schedule(&w->eng, e->now, EV_TICK, 0, 0);
        return;
    }
    if (w->tick_bill) fl_meter(w, e->now / fl_t(w->c->tick_s));
    fl_decide(w, SK_TRIG_TICK, -1, -1, -1);
    if (w->live_jobs > 0) sk_schedule(&w->eng, e->now + fl_t(w->c->tick_s), EV_TICK, 0, 0);
}

static void fl_on_heal(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)e;
    fl_world *w = ctx;
    int pool = (int)ev->target;
    sk_market m = (sk_market)ev->arg;
    if (w->live_jobs <= 0) return;
    int64_t nid = m == SK_MKT_SPOT && w->pl[pool].nspot >= w->pi[pool].spot_cap ? -1 : fl_new_inst(w, pool, m);
    if (nid >= 0) w->in[nid].standing = 1;
    else if (!w->err) sk_schedule(&w->eng, w->eng.now + fl_t(w->c->heal_retry_s), EV_HEAL, (uint32_t)pool, (uint32_t)m);
}

static void fl_on_series(void *ctx, sk_engine *e, const sk_event *ev) {
    (void)ev;
    fl_world *w = ctx;
    int64_t spot = 0, od = 0;
    for (int p = 0; p < w->c->npools; p++) spot += w->pi[p].n_spot, od += w->pi[p].n_od;
    sk_table *t = w->series;
    int rc = sk_table_push_f64(t, 0, fl_s(e->now) / 3600.0);
    if (rc >= 0) rc = sk_table_push_i64(t, 1, w->fv.njobs[SK_JOB_RUNNING]);
    if (rc >= 0) rc = sk_table_push_i64(t, 2, w->fv.njobs[SK_JOB_QUEUED] + w->fv.njobs[SK_JOB_RETRY]);
    if (rc >= 0) rc = sk_table_push_i64(t, 3, spot);
    if (rc >= 0) rc = sk_table_push_i64(t, 4, od);
    if (rc < 0) w->err = rc;
    if (w->live_jobs > 0) sk_schedule(&w->eng, e->now + fl_t(w->series_s), EV_SERIES, 0, 0);
}

static void fl_on_arrive_chain(void *ctx, sk_engine *e, const sk_event *ev) {
    fl_world *w = ctx;
    int64_t j = ev->target;
    if (j + 1 < w->c->njobs) sk_schedule(e, fl_t(w->c->jobs[j + 1].submit_s), EV_ARRIVE, (uint32_t)(j + 1), 0);
    fl_on_arrive(ctx, e, ev);
}

static int fl_cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
/* Quantile q of sorted x[0..n) by linear interpolation between order statistics (type 7). */
static double fl_quant(const double *x, int64_t n, double q) {
    if (n == 0) return NAN;
    double h = (double)(n - 1) * q;
    int64_t i = (int64_t)floor(h);
    if (i + 1 >= n) return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

static void fl_free(fl_world *w) {
    if (w->pl)
        for (int p = 0; p < w->c->npools; p++) {
            free(w->pl[p].spot);
            sk_rng_fini(&w->pl[p].rng);
        }
    for (int p = 0; p < w->c->npools; p++) {
        sk_avail_free(w->c->pools[p].avail);
        sk_price_free(w->c->pools[p].price);
        w->c->pools[p].avail = NULL, w->c->pools[p].price = NULL;
    }
    if (w->noise) sk_net_noise_free(w->noise);
    sk_rng_fini(&w->wrng);
    free(w->in), free(w->jb), free(w->pl), free(w->pi), free(w->by_spot), free(w->by_od), free(w->zones);
    free(w->jct), free(w->qdelay);
    free(w->meter), free(w->probes);
    sk_engine_fini(&w->eng);
}

int sk_fleet_run(const sk_fleet_cfg *c, const sk_gpolicy *pol, const sk_value *pp, struct sk_rng *prng,
                 const volatile sig_atomic_t *stop, sk_fleet_result *res, sk_table *series, double series_s, char *msg,
                 size_t len) {
    fl_world W, *w = &W;
    memset(w, 0, sizeof *w);
    memset(res, 0, sizeof *res);
    w->c = c, w->r = res, w->pol = pol, w->msg = msg, w->msglen = len;
    int rc = SK_ENOMEM;
    if (sk_engine_init(&w->eng, 1024) < 0) {
        for (int p = 0; p < c->npools; p++) sk_avail_free(c->pools[p].avail), sk_price_free(c->pools[p].price);
        for (int p = 0; p < c->npools; p++) c->pools[p].avail = NULL, c->pools[p].price = NULL;
        return SK_ENOMEM;
    }
    int64_t nj = c->njobs;
    w->jb = calloc((size_t)(nj ? nj : 1), sizeof *w->jb);
    w->pl = calloc((size_t)c->npools + 1, sizeof *w->pl);
    w->pi = calloc((size_t)c->npools + 1, sizeof *w->pi);
    w->by_spot = malloc(((size_t)c->npools + 1) * sizeof *w->by_spot);
    w->by_od = malloc(((size_t)c->npools + 1) * sizeof *w->by_od);
    w->zones = malloc(((size_t)c->nzones + 1) * sizeof *w->zones);
    w->jct = malloc((size_t)(nj ? nj : 1) * sizeof *w->jct);
    w->qdelay = malloc((size_t)(nj ? nj : 1) * sizeof *w->qdelay);
    if (!w->jb || !w->pl || !w->pi || !w->by_spot || !w->by_od || !w->zones || !w->jct || !w->qdelay) goto out;
    if (sk_rng_init(&w->wrng, NULL, c->seed, c->world_index, 1) < 0) goto out;
    memcpy(w->zones, c->zones, (size_t)c->nzones * sizeof *w->zones);
    if (c->net && !(w->noise = sk_net_noise_new(c->net, sk_rng_seed(c->seed, c->world_index, 2)))) goto out;
    for (int k = 0; k < SK_JOB_NSTATES; k++) w->shead[k] = w->stail[k] = -1;
    /* jobs: all CREATED, in one list */
    for (int64_t j = 0; j < nj; j++) {
        fl_job *b = &w->jb[j];
        const sk_jobspec *s = &c->jobs[j];
        b->i.id = j, b->i.state = SK_JOB_CREATED;
        b->i.gpus = s->gpus;
        b->i.gpu_mask = s->gpu_type >= 0 && s->gpu_type < 64 ? UINT64_C(1) << s->gpu_type : c->job_gpu_mask;
        b->i.arrival = s->submit_s, b->i.work = s->work_s;
        b->i.deadline = c->deadline_factor > 0 ? s->submit_s + c->deadline_factor * s->work_s : INFINITY;
        b->has_deadline = c->deadline_factor > 0;
        b->i.ckpt_gb = c->ckpt_gb_per_gpu * s->gpus;
        b->i.ckpt_zone = b->i.last_zone = b->i.lost_zone = -1;
        b->i.market = SK_MKT_NONE;
        b->inst_head = -1, b->ev.slot = SK_EQ_NIL;
        b->sprev = j - 1, b->snext = j + 1 < nj ? j + 1 : -1;
    }
    if (nj) w->shead[SK_JOB_CREATED] = 0, w->stail[SK_JOB_CREATED] = nj - 1;
    w->fv.njobs[SK_JOB_CREATED] = nj;
    w->live_jobs = nj;
    /* pools */
    for (int p = 0; p < c->npools; p++) {
        fl_pool *pl = &w->pl[p];
        sk_pool_info *pi = &w->pi[p];
        pl->idle[0] = pl->idle[1] = pl->idle[2] = -1;
        if (sk_rng_init(&pl->rng, NULL, c->seed, c->world_index, 16 + (uint64_t)p) < 0) goto out;
        pi->zone = c->pools[p].zone, pi->type = c->pools[p].type;
        pi->od_price = c->pools[p].od_price;
        pi->spot_price = c->pools[p].spot_price;
        pi->spot_cap = SK_CAP_INF;
        w->by_spot[p] = w->by_od[p] = p;
    }
    /* the first availability step and price of every pool apply at 0, before anything else */
    for (int p = 0; p < c->npools; p++) {
        fl_pool *pl = &w->pl[p];
        if (c->pools[p].avail && sk_avail_next(c->pools[p].avail, &pl->rng, &pl->step) == 1) {
            if (pl->step.t <= 0 && pl->step.cap != SK_CAP_SAME) w->pi[p].spot_cap = pl->step.cap;
            if (pl->step.t <= 0) fl_avail_fetch(w, p);
            else sk_schedule(&w->eng, pl->step.t, EV_AVAIL, (uint32_t)p, 0);
        }
        if (c->pools[p].price) {
            sk_time t;
            double price;
            if (sk_price_next(c->pools[p].price, &pl->rng, &t, &price) == 1) {
                if (t <= 0) w->pi[p].spot_price = price;
                else pl->pend_price = price, sk_schedule(&w->eng, t, EV_PRICE, (uint32_t)p, 0);
                if (t <= 0) fl_price_fetch(w, p);
            }
        }
    }
    w->order_dirty = 1;
    fl_isort(w->by_od, c->npools, fl_cmp_od, w);
    w->tick_bill = c->tick_s > 0 && (c->bill_hourly[0] == SK_FLEET_BILL_TICK || c->bill_hourly[1] == SK_FLEET_BILL_TICK);
    for (int p = 0; p < c->npools; p++) w->pl[p].tick_price = w->pi[p].spot_price;
    /* the view and the actor */
    w->fv.ntypes = c->ntypes, w->fv.types = c->types;
    w->fv.ngpus = c->ngpus, w->fv.gpus = c->gpus;
    w->fv.npools = c->npools, w->fv.pools = w->pi;
    w->fv.by_spot = w->by_spot, w->fv.by_od = w->by_od;
    w->fv.ckpt_every = c->ckpt_every_s;
    w->fv.restart_s = c->boot_s + c->load_s;
    w->fv.max_instances = c->max_instances > 0 ? c->max_instances : 1;
    w->fv.max_retries = c->max_retries;
    w->fv.w = w;
    w->fv.job = fl_v_job, w->fv.jobs_first = fl_v_jobs_first, w->fv.jobs_next = fl_v_jobs_next;
    w->fv.idle_first = fl_v_idle_first, w->fv.inst_first = fl_v_inst_first, w->fv.inst_next = fl_v_inst_next;
    w->fv.inst_pool = fl_v_inst_pool, w->fv.inst_market = fl_v_inst_market;
    w->v.gap = c->tick_s;
    w->v.nzones = c->nzones, w->v.zones = w->zones;
    w->v.rng = prng;
    w->v.fleet = &w->fv;
    w->act.w = w;
    w->act.launch = fl_act_launch, w->act.terminate = fl_act_terminate, w->act.probe = fl_act_probe;
    w->act.prices = fl_act_prices;
    w->act.launch_for = fl_act_launch_for, w->act.assign = fl_act_assign, w->act.release = fl_act_release;
    w->act.retry = fl_act_retry;
    static const sk_handler_fn hs[EV_NKINDS] = {
        [EV_ARRIVE] = fl_on_arrive_chain, [EV_BOOTED] = fl_on_booted, [EV_START] = fl_on_start,
        [EV_DONE] = fl_on_done,           [EV_AVAIL] = fl_on_avail,   [EV_PRICE] = fl_on_price,
        [EV_NOTICE] = fl_on_notice,       [EV_GONE] = fl_on_gone,     [EV_RETRY] = fl_on_retry,
        [EV_TICK] = fl_on_tick,           [EV_HEAL] = fl_on_heal,     [EV_SERIES] = fl_on_series,
        [EV_DEADLINE] = fl_on_deadline,
    };
    for (int k = 0; k < EV_NKINDS; k++) sk_engine_on(&w->eng, (uint16_t)k, hs[k], w);
    /* the policy */
    if (pol->state_size && !(w->pst = calloc(1, pol->state_size))) goto out;
    if (pol->init && (rc = pol->init(w->pst, pp, &w->v, msg, len)) < 0) goto out;
    /* standing fleet */
    for (int p = 0; p < c->npools; p++) {
        for (int32_t k = 0; k < c->pools[p].standing_od; k++) {
            int64_t id = fl_new_inst(w, p, SK_MKT_OD);
            if (id < 0) goto fail_policy;
            w->in[id].standing = 1;
        }
        for (int32_t k = 0; k < c->pools[p].standing_spot && w->pl[p].nspot < w->pi[p].spot_cap; k++) {
            int64_t id = fl_new_inst(w, p, SK_MKT_SPOT);
            if (id < 0) goto fail_policy;
            w->in[id].standing = 1;
        }
    }
    if (nj) sk_schedule(&w->eng, fl_t(c->jobs[0].submit_s), EV_ARRIVE, 0, 0);
    if (c->tick_s > 0) sk_schedule(&w->eng, 0, EV_TICK, 0, 0);
    w->series = series, w->series_s = series_s > 0 ? series_s : 3600;
    if (series) sk_schedule(&w->eng, 0, EV_SERIES, 0, 0);
    /* horizon 0: when every job has ended, but never past the last arrival plus ten times the
     * longest job plus a week, so that a policy that leaves a job waiting forever cannot hang
     * the run (such jobs are reported unfinished) */
    double auto_h = 0;
    for (int64_t j = 0; j < nj; j++) {
        double x = c->jobs[j].work_s;
        if (x > auto_h) auto_h = x;
    }
    auto_h = (nj ? c->jobs[nj - 1].submit_s : 0) + 10 * auto_h + 7 * 86400.0;
    double horizon = c->horizon_s > 0 ? c->horizon_s : auto_h;
    sk_time end = fl_t(horizon);
    sk_event ev;
    uint64_t n = 0;
    while (w->live_jobs > 0 && !w->err && sk_engine_next(&w->eng, end, &ev)) {
        if (w->eng.handler[ev.kind].fn == NULL) continue;
        w->eng.handler[ev.kind].fn(w, &w->eng, &ev);
        if ((++n & 0xFFFF) == 0 && stop && *stop) {
            rc = SK_EINTR;
            goto fail_policy;
        }
    }
    if (w->err || w->eng.err) {
        rc = w->err ? w->err : w->eng.err;
        snprintf(msg, len, "fleet world: out of memory");
        goto fail_policy;
    }
    if (w->live_jobs > 0) w->eng.now = end; /* stopped at the horizon: bill up to it */
    /* the end: bill what is still live */
    for (int64_t id = 0; id < w->nin; id++)
        if (w->in[id].state != SK_INST_GONE) fl_bill(w, id, w->eng.now), w->in[id].state = SK_INST_GONE;
    if (w->tick_bill) fl_meter(w, INT64_MAX);
    res->events = (int64_t)n;
    res->unfinished = w->live_jobs;
    res->cost = w->tick_bill ? w->compute + res->egress : res->cost_spot + res->cost_od + res->egress;
    qsort(w->jct, (size_t)w->njct, sizeof *w->jct, fl_cmp_d);
    qsort(w->qdelay, (size_t)w->nq, sizeof *w->qdelay, fl_cmp_d);
    double sum = 0;
    for (int64_t i = 0; i < w->njct; i++) sum += w->jct[i];
    res->jct_mean = w->njct ? sum / (double)w->njct : NAN;
    res->jct_p50 = fl_quant(w->jct, w->njct, 0.5);
    res->jct_p90 = fl_quant(w->jct, w->njct, 0.9);
    res->jct_p99 = fl_quant(w->jct, w->njct, 0.99);
    sum = 0;
    for (int64_t i = 0; i < w->nq; i++) sum += w->qdelay[i];
    res->queue_mean = w->nq ? sum / (double)w->nq : NAN;
    res->queue_p99 = fl_quant(w->qdelay, w->nq, 0.99);
    res->deadline_met = w->ndl ? (double)w->ndl_met / (double)w->ndl : NAN;
    double billed = res->gpuh_spot + res->gpuh_od;
    res->util = billed > 0 ? res->useful_gpuh / billed : NAN;
    rc = 0;
fail_policy:
    if (pol->fini && w->pst) pol->fini(w->pst);
out:
    free(w->pst);
    fl_free(w);
    if (rc == SK_ENOMEM && msg && len && !msg[0]) snprintf(msg, len, "fleet world: out of memory");
    return rc;
}
