/* mr_skynomad.c - SkyNomad and SkyNomad(o) (../shared/specs/skynomad-multiregion.md 4.6; the
 * artifact's `unified_cost_model_risk` and `unified_cost_model_oracle`).
 *
 * Every tick the policy values each way of spending the next hours, in $ per hour of progress:
 *   - spot in zone r:   (V*(E_r - d) - p_r*E_r)/E_r, the changeover d dropped for the running spot,
 *                       minus the egress of moving the checkpoint there spread over E_r;
 *   - on-demand in r:   V - od_r, minus d*V plus the egress when the job has to move;
 *   - waiting:          0,
 * where E_r is the expected remaining spot lifetime in zone r and V the value of an hour of
 * progress (1.2 x the estimated $/h of finishing the remaining work with a mix of on-demand and
 * spot in proportion to each zone's recent availability). A candidate other than the running
 * instance must beat it by a margin (value-of-information gating). Options are tried best first
 * while they beat the running instance; the first launch that succeeds replaces it.
 *
 * SkyNomad estimates E_r from what it has seen: every spot run and every successful probe is a
 * lifetime observation (failure when the zone took it back, censored when the policy ended it);
 * the Nelson-Aalen cumulative hazard of those lifetimes, scaled by a burst factor g >= 1 (the
 * densest recent failures-per-expected-failure ratio), gives E_r, capped at 2 h and at the time
 * left. Zones it has not run in are probed once per job (a probe is billed 60 s of spot).
 *
 * SkyNomad(o) knows E_r exactly: the remaining contiguous availability of zone r from this tick (0
 * when spot is unavailable now), and does not probe. It is a planner-backed policy: its "plan" is
 * the future's availability table, one step per (tick, zone), which the policy turns into run
 * lengths at init. docs/multi_region_skynomad.md lists every choice and every difference from the
 * artifact. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policies/mr_common.h"
#include "sk_error.h"

/* ---- parameters ----------------------------------------------------------------------------- */

#define SN_COMMON_PARAMS                                                                                                 \
    {"progress_window_hours", SK_PT_FLOAT, "10", 0, 1e6, "window of the recent progress rate that sets the on-demand share of V"}, \
    {"availability_window_hours", SK_PT_FLOAT, "12", 1e-6, 1e6, "window of a zone's observed availability"},                \
    {"voi_gating", SK_PT_BOOL, "true", 0, 0, "a candidate must beat the running instance by delta"},                        \
    {"voi_delta_base", SK_PT_FLOAT, "0.5", -1e6, 1e6, "delta: $/h"},                                                         \
    {"voi_k_checkpoint", SK_PT_FLOAT, "0.0002", -1e6, 1e6, "delta: $/h per checkpoint GB"},                                 \
    {"voi_k_v", SK_PT_FLOAT, "0.05", -1e6, 1e6, "delta: share of V"},                                                        \
    {"migration_penalty", SK_PT_BOOL, "true", 0, 0, "charge a move its egress (and d*V for on-demand)"},                    \
    {"max_attempts_per_tick", SK_PT_INT, "0", 0, 1e6, "spot launches tried per tick (0: unlimited)"}

static const sk_param_def sn_params[] = {
    SN_COMMON_PARAMS,
    {"probe_interval_ticks", SK_PT_INT, "6", 1, 1e9, "ticks between probes of a zone"},
    {"probe_revalidate", SK_PT_BOOL, "false", 0, 0, "probe again a zone whose probe run is still open"},
    {"max_prediction_hours", SK_PT_FLOAT, "2", 0, 1e6, "cap on the expected spot lifetime"},
};

static const sk_param_def sn_oracle_params[] = {
    SN_COMMON_PARAMS,
    {"oracle_v", SK_PT_STR, "reference_cost", 0, 0,
     "V: reference_cost (the base policy's) or rate_ratio (max(min od * (rem*R)/((R-t)*C), min spot))"},
};

/* ---- state ---------------------------------------------------------------------------------- */

typedef struct {
    double time;
    uint8_t start, probe, failure; /* start or end; source probe or spot; end outcome */
} sn_ev;

typedef struct {
    double start, end, dur_h;
    int failure;
} sn_seg;

typedef struct {
    double risk;
    int64_t failures;
} sn_burst;

typedef struct {
    double tau, step;
} sn_knot;

typedef struct {
    sn_ev *ev;
    int nev, cev;
    sn_seg *seg; /* derived each tick from ev */
    int nseg, cseg;
    int cur_src; /* the open run: 0 none, 1 spot, 2 probe */
    double cur_start, cur_age_h;
    sn_knot *knot; /* Nelson-Aalen knots of this tick */
    int nknot, cknot;
    double tail_h;
    sn_burst *b; /* deque b[bh..bn) */
    int bh, bn, cb;
    double g, last_real, last_virt; /* NAN: none */
    int64_t tick_fail;
    int64_t next_probe;
    int probing, failed;
    double avail, e_ref, e_net; /* this tick: availability, lifetime for V, lifetime for the options */
} sn_zone;

typedef struct {
    double value;
    sk_market m;
    int zone;
} sn_opt;

typedef struct {
    double price, adj, contrib;
} sn_info;

typedef struct {
    int oracle, nz;
    double prog_win_h, avail_win_s, voi_base, voi_kck, voi_kv, max_pred_h;
    int voi, migpen, revalidate, rate_ratio;
    int64_t max_attempts, probe_interval;
    sn_zone *z;
    int active_spot, spot_by_us, last_region;
    double *S_hist; /* S at each tick the policy saw */
    int64_t nS;
    int32_t *run; /* oracle: nz x nrun contiguous spot ticks from tick k */
    int64_t nrun;
    double *tmp;
    int ctmp;
    sn_opt *opt;
    sn_info *info;
    int oom;
} sn_state;

static int sn__grow(void **p, int *cap, int need, size_t sz) {
    if (need <= *cap) return 0;
    int c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q) return -1;
    *p = q, *cap = c;
    return 0;
}

static int sn__pfind(const sk_gpolicy *pol, const char *name) {
    return sk_param_find(pol->def.params, pol->def.nparams, name);
}

extern const sk_gpolicy sk_pol_mr_skynomad, sk_pol_mr_skynomad_oracle;
static void sn_fini(void *st);

/* The world calls fini only after a successful init: a failing init frees what it allocated. */
static int sn__init_fail(sn_state *s, int rc) {
    sn_fini(s);
    memset(s, 0, sizeof *s);
    return rc;
}

static int sn_init_common(sn_state *s, const sk_gpolicy *pol, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    s->nz = v0->nzones;
    s->prog_win_h = pp[sn__pfind(pol, "progress_window_hours")].f;
    s->avail_win_s = pp[sn__pfind(pol, "availability_window_hours")].f * 3600.0;
    s->voi = (int)pp[sn__pfind(pol, "voi_gating")].i;
    s->voi_base = pp[sn__pfind(pol, "voi_delta_base")].f;
    s->voi_kck = pp[sn__pfind(pol, "voi_k_checkpoint")].f;
    s->voi_kv = pp[sn__pfind(pol, "voi_k_v")].f;
    s->migpen = (int)pp[sn__pfind(pol, "migration_penalty")].i;
    s->max_attempts = pp[sn__pfind(pol, "max_attempts_per_tick")].i;
    s->active_spot = s->last_region = -1;
    size_t n = (size_t)s->nz;
    s->nS = (int64_t)ceil(v0->jobs[0].deadline / v0->gap) + 2;
    s->z = calloc(n, sizeof *s->z);
    s->S_hist = calloc((size_t)s->nS, sizeof *s->S_hist);
    s->opt = calloc(2 * n + 1, sizeof *s->opt);
    s->info = calloc(n, sizeof *s->info);
    if (!s->z || !s->S_hist || !s->opt || !s->info) {
        snprintf(msg, len, "%s: out of memory", pol->def.name);
        return sn__init_fail(s, SK_ENOMEM);
    }
    for (int r = 0; r < s->nz; r++) s->z[r].g = 1.0, s->z[r].last_real = s->z[r].last_virt = NAN;
    return 0;
}

static int sn_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    sn_state *s = st;
    int rc = sn_init_common(s, &sk_pol_mr_skynomad, pp, v0, msg, len);
    if (rc < 0) return rc;
    s->probe_interval = pp[sn__pfind(&sk_pol_mr_skynomad, "probe_interval_ticks")].i;
    s->revalidate = (int)pp[sn__pfind(&sk_pol_mr_skynomad, "probe_revalidate")].i;
    s->max_pred_h = pp[sn__pfind(&sk_pol_mr_skynomad, "max_prediction_hours")].f;
    return 0;
}

/* The oracle's "plan" is the future's availability: step[k*nz + z] = {z, SPOT or NONE}. */
static int sn_oracle_plan(const sk_future *f, const sk_value *pp, sk_plan *plan, char *msg, size_t len) {
    (void)pp;
    size_t n = (size_t)f->nticks * (size_t)f->nzones;
    plan->step = malloc((n ? n : 1) * sizeof *plan->step);
    if (!plan->step) {
        snprintf(msg, len, "skynomad_oracle: out of memory (%zu plan steps)", n);
        return SK_ENOMEM;
    }
    for (int64_t k = 0; k < f->nticks; k++)
        for (int z = 0; z < f->nzones; z++)
            plan->step[(size_t)k * (size_t)f->nzones + (size_t)z] = (sk_plan_step){z, f->avail[z][k] ? SK_MKT_SPOT : SK_MKT_NONE};
    plan->n = (int64_t)n;
    return 0;
}

static int sn_oracle_init(void *st, const sk_value *pp, const sk_view *v0, char *msg, size_t len) {
    sn_state *s = st;
    int rc = sn_init_common(s, &sk_pol_mr_skynomad_oracle, pp, v0, msg, len);
    if (rc < 0) return rc;
    s->oracle = 1;
    const char *ov = pp[sn__pfind(&sk_pol_mr_skynomad_oracle, "oracle_v")].s;
    if (!ov || (strcmp(ov, "reference_cost") && strcmp(ov, "rate_ratio"))) {
        snprintf(msg, len, "skynomad_oracle: oracle_v: expected reference_cost or rate_ratio, got '%s'", ov ? ov : "");
        return sn__init_fail(s, SK_ECONFIG);
    }
    s->rate_ratio = !strcmp(ov, "rate_ratio");
    const sk_plan *p = v0->plan;
    if (!p || p->n % s->nz) {
        snprintf(msg, len, "skynomad_oracle: no availability plan from its planner");
        return sn__init_fail(s, SK_ECONFIG);
    }
    s->nrun = p->n / s->nz;
    s->run = calloc((size_t)s->nz * (size_t)(s->nrun + 1), sizeof *s->run);
    if (!s->run) {
        snprintf(msg, len, "skynomad_oracle: out of memory");
        return sn__init_fail(s, SK_ENOMEM);
    }
    for (int z = 0; z < s->nz; z++) {
        int32_t *rz = s->run + (size_t)z * (size_t)(s->nrun + 1);
        for (int64_t k = s->nrun - 1; k >= 0; k--)
            rz[k] = p->step[(size_t)k * (size_t)s->nz + (size_t)z].market == SK_MKT_SPOT ? rz[k + 1] + 1 : 0;
    }
    return 0;
}

static void sn_fini(void *st) {
    sn_state *s = st;
    for (int r = 0; s->z && r < s->nz; r++) free(s->z[r].ev), free(s->z[r].seg), free(s->z[r].knot), free(s->z[r].b);
    free(s->z), free(s->S_hist), free(s->run), free(s->tmp), free(s->opt), free(s->info);
}

/* ---- raw events and derived state (unified_cost_model.py: _record_*, _rebuild_derived_state) -- */

static void sn__event(sn_state *s, int r, int start, int probe, int failure, double now) {
    sn_zone *z = &s->z[r];
    if (sn__grow((void **)&z->ev, &z->cev, z->nev + 1, sizeof *z->ev) < 0) {
        s->oom = 1;
        return;
    }
    z->ev[z->nev++] = (sn_ev){now, (uint8_t)start, (uint8_t)probe, (uint8_t)failure};
    if (!start && failure) z->tick_fail++;
}

static void sn__rebuild(sn_state *s, double now) {
    for (int r = 0; r < s->nz; r++) {
        sn_zone *z = &s->z[r];
        int open = 0, src = 0;
        double cs = 0;
        z->nseg = 0;
        for (int i = 0; i < z->nev; i++) {
            const sn_ev *e = &z->ev[i];
            if (e->start) {
                cs = e->time, src = e->probe ? 2 : 1, open = 1;
            } else if (open) {
                if (sn__grow((void **)&z->seg, &z->cseg, z->nseg + 1, sizeof *z->seg) < 0) {
                    s->oom = 1;
                    break;
                }
                double dh = (e->time - cs) / 3600.0;
                z->seg[z->nseg++] = (sn_seg){cs, e->time, dh > 0.0 ? dh : 0.0, e->failure};
                open = 0, src = 0;
            } else {
                open = 0, src = 0;
            }
        }
        z->cur_src = open ? src : 0;
        z->cur_start = cs;
        double age = (now - cs) / 3600.0;
        z->cur_age_h = open ? (age > 0.0 ? age : 0.0) : 0.0;
    }
}

/* ---- Nelson-Aalen survival curve (_na_build_knots, _na_H0_value) ------------------------------ */

static int sn__cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sn__knots(sn_state *s, sn_zone *z) {
    const double eps = 1e-8;
    z->nknot = 0;
    z->tail_h = eps;
    if (!z->nseg) return;
    if (sn__grow((void **)&s->tmp, &s->ctmp, z->nseg, sizeof *s->tmp) < 0 ||
        sn__grow((void **)&z->knot, &z->cknot, z->nseg, sizeof *z->knot) < 0) {
        s->oom = 1;
        return;
    }
    int nf = 0;
    for (int i = 0; i < z->nseg; i++)
        if (z->seg[i].failure && z->seg[i].dur_h >= 0) s->tmp[nf++] = z->seg[i].dur_h;
    if (!nf) return;
    qsort(s->tmp, (size_t)nf, sizeof *s->tmp, sn__cmpd);
    for (int i = 0; i < nf; i++) {
        if (i && s->tmp[i] == s->tmp[i - 1]) continue; /* the distinct failure times */
        double tau = s->tmp[i];
        int dj = 0, nj = 0;
        for (int q = 0; q < z->nseg; q++) {
            double d = z->seg[q].dur_h;
            if (z->seg[q].failure && fabs(d - tau) <= 1e-9) dj++;
            if (d + 1e-9 >= tau) nj++;
        }
        double step = dj > 0 ? (double)dj / (double)(nj > 0 ? nj : 1) : 0.0;
        if (step > 0) z->knot[z->nknot++] = (sn_knot){tau, step};
    }
    if (z->nknot) z->tail_h = z->knot[z->nknot - 1].step > eps ? z->knot[z->nknot - 1].step : eps;
}

static double sn__H0(const sn_zone *z, double t, double tail_h) {
    if (t <= 0) return 0.0;
    if (!z->nknot) {
        double x = t * tail_h;
        return x > 0.0 ? x : 0.0;
    }
    double sum = 0.0, last_tau = 0.0;
    for (int i = 0; i < z->nknot; i++) {
        if (z->knot[i].tau >= t) break;
        sum += z->knot[i].step;
        last_tau = z->knot[i].tau;
    }
    if (t > last_tau && tail_h > 0) sum += (t - last_tau) * tail_h;
    return sum;
}

/* ---- burst factor (_burst_*) ----------------------------------------------------------------- */

static double sn__bsum(const sn_zone *z) {
    double t = 0.0;
    for (int i = z->bh; i < z->bn; i++) t += z->b[i].risk;
    return t;
}

/* the failures/risk ratio of the densest suffix with risk <= 1 (_burst_compute_suffix) */
static double sn__suffix_ratio(const sn_zone *z) {
    if (z->bn == z->bh) return 0.0;
    const double eps = 1e-6;
    double tr = 0.0, tf = 0.0, bratio = 0.0;
    int len = 0, bl = 0;
    for (int i = z->bn - 1; i >= z->bh; i--) {
        double ri = z->b[i].risk > 0.0 ? z->b[i].risk : 0.0;
        double fi = z->b[i].failures > 0 ? (double)z->b[i].failures : 0.0;
        tr += ri, tf += fi, len++;
        if (len == 1 && tr <= eps && tf <= 0.0) continue;
        if (tr > 1.0 + 1e-9) {
            if (len == 1) {
                double alt = tf > 0 ? eps : tr, eff = alt > tr ? alt : tr;
                bratio = eff > 0 ? tf / eff : 0.0, bl = len;
            }
            break;
        }
        double eff = tr;
        if (eff <= 0.0) eff = tf > 0 ? eps : 0.0;
        double ratio = eff > 0 ? tf / eff : 0.0;
        if (bl == 0 || ratio > bratio + 1e-9 || (fabs(ratio - bratio) <= 1e-9 && len < bl)) bl = len, bratio = ratio;
    }
    if (bl == 0) {
        const sn_burst *l = &z->b[z->bn - 1];
        double bf = (double)l->failures, raw = l->risk, br = raw > 0 ? raw : (bf > 0 ? eps : 0.0);
        bratio = br > 0 ? bf / br : 0.0;
    }
    return bratio;
}

static void sn__burst_append(sn_state *s, sn_zone *z, double risk, int64_t failures) {
    if (!(risk > 0.0)) risk = 0.0;
    if (risk <= 0.0 && failures <= 0) return;
    if (z->bh > 0 && z->bn == z->cb) { /* compact the deque */
        memmove(z->b, z->b + z->bh, (size_t)(z->bn - z->bh) * sizeof *z->b);
        z->bn -= z->bh, z->bh = 0;
    }
    if (sn__grow((void **)&z->b, &z->cb, z->bn + 1, sizeof *z->b) < 0) {
        s->oom = 1;
        return;
    }
    z->b[z->bn++] = (sn_burst){risk, failures};
    double total = sn__bsum(z); /* prune to total risk <= 8 */
    while (z->bn > z->bh && total - z->b[z->bh].risk >= 8.0) total -= z->b[z->bh++].risk;
    total = sn__bsum(z);
    if (total < 1.0) {
        z->g = 1.0;
    } else {
        double ratio = sn__suffix_ratio(z);
        z->g = ratio > 1.0 ? ratio : 1.0;
    }
}

/* once a tick: the hazard each zone was exposed to since the last tick (_jitter_update_once_per_tick) */
static void sn__jitter(sn_state *s, double gap) {
    double dt_h = gap / 3600.0;
    for (int r = 0; r < s->nz; r++) {
        sn_zone *z = &s->z[r];
        double tail = z->tail_h > 1e-8 ? z->tail_h : 1e-8;
        double now_a = NAN, prev_a = NAN;
        int active = 0;
        if (z->cur_src == 1 || z->cur_src == 2) {
            active = 1;
            now_a = z->cur_age_h;
            prev_a = z->cur_src == 1 ? z->last_real : z->last_virt;
            if (isnan(prev_a)) prev_a = now_a - dt_h >= 0.0 ? now_a - dt_h : 0.0;
            if (z->cur_src == 1) z->last_real = now_a, z->last_virt = NAN;
            else z->last_virt = now_a, z->last_real = NAN;
        } else {
            z->last_real = z->last_virt = NAN;
        }
        double dl = 0.0;
        if (active) {
            double x = sn__H0(z, now_a, tail) - sn__H0(z, prev_a, tail);
            dl = x > 0.0 ? x : 0.0;
        }
        int64_t f = z->tick_fail;
        if (dl <= 0.0 && (active || f > 0)) {
            if (!z->nknot) {
                double x = tail * dt_h;
                if (x > dl) dl = x;
            } else if (active && prev_a >= z->knot[z->nknot - 1].tau) {
                double da = now_a - prev_a > 0.0 ? now_a - prev_a : 0.0, x = tail * da;
                if (x > dl) dl = x;
            }
        }
        double risk = dl > 0.0 ? dl : 0.0;
        if (f > 0 && risk <= 0.0) risk = tail > 0 ? tail * dt_h : 1e-6;
        if (risk > 0.0 || f > 0) sn__burst_append(s, z, risk, f);
        z->tick_fail = 0;
    }
}

/* expected remaining spot lifetime, hours, from age (_expected_duration_jitter) */
static double sn__lifetime(const sn_zone *z, double age_h, double gap) {
    double g = z->g > 1e-6 ? z->g : 1e-6;
    double E = 0.0, S = 1.0, t = age_h > 0.0 ? age_h : 0.0;
    double gap_h = gap / 3600.0;
    for (int i = 0; i < z->nknot; i++) {
        double tau = z->knot[i].tau;
        if (tau <= t + 1e-12) continue;
        E += S * (tau - t);
        S *= exp(-g * z->knot[i].step);
        t = tau;
    }
    if (z->tail_h > 1e-12) {
        double ti = z->tail_h > 1e-12 ? z->tail_h : 1e-12;
        double denom = 1.0 - exp(-g * ti);
        if (denom > 1e-9) E += S * gap_h / denom;
        else E += S * gap_h / (g * ti > 1e-9 ? g * ti : 1e-9);
    }
    return E > 0.0 ? E : 0.0;
}

/* the share of the availability window the zone was seen up (_estimate_region_availability) */
static double sn__availability(const sn_state *s, const sn_zone *z, double now) {
    double window = s->avail_win_s, ws = now - window > 0.0 ? now - window : 0.0, a = 0.0;
    for (int i = 0; i < z->nseg; i++) {
        double s0 = ws > z->seg[i].start ? ws : z->seg[i].start, e0 = now < z->seg[i].end ? now : z->seg[i].end;
        if (e0 > s0) a += e0 - s0;
    }
    if (z->cur_src) {
        double s0 = ws > z->cur_start ? ws : z->cur_start;
        if (now > s0) a += now - s0;
    }
    double den = now < window ? now : window;
    if (den <= 0.0) return 0.0;
    if (!z->nseg && !z->cur_src) return 0.0;
    double x = a / den;
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* ---- the value of progress V ------------------------------------------------------------------ */

static double sn__recent_rate(const sn_state *s, const sk_view *v) {
    double t = v->t, p = v->jobs[0].progress;
    if (t < 600) return t > 0 ? p / t : 0.0;
    double wsec = s->prog_win_h * 3600.0, ws = t - wsec > 0 ? t - wsec : 0.0;
    int64_t wst = (int64_t)(ws / v->gap);
    /* the artifact sums task_done_time[0..wst): one entry per tick from tick 0 on, so S at tick wst-1 */
    double before = wst >= 1 && wst - 1 < s->nS ? s->S_hist[wst - 1] : 0.0;
    double work = p - before, tw = t - ws;
    double rate = tw > 0 ? work / tw : 0.0;
    return rate < 0.0 ? 0.0 : rate > 1.0 ? 1.0 : rate;
}

static double sn__od_weight(const sn_state *s, const sk_view *v) {
    const sk_job_info *j = &v->jobs[0];
    double D = j->work, T = j->deadline, p = j->progress, t = v->t, d = 2 * j->changeover;
    if (t <= 0) return 0.0;
    if (fabs(p - t) < 1e-6) return 0.5;
    double rate = sn__recent_rate(s, v);
    if (fabs(rate - 1.0) < 1e-6) return 0.0;
    double x = (rate * t - p + (D + d - T)) / (rate - 1.0);
    if (x >= T) return 0.0;
    if (x <= 0) return 1.0;
    double w = (T - x) / (T - t);
    return w < 0.0 ? 0.0 : w > 1.0 ? 1.0 : w;
}

/* c_ref: $/h of finishing the remaining work (_estimate_reference_cost) */
static double sn__ref_cost(sn_state *s, const sk_view *v, double rem_task, double rem_time) {
    double c_od = v->zones[0].od_price;
    for (int r = 1; r < s->nz; r++)
        if (v->zones[r].od_price < c_od) c_od = v->zones[r].od_price;
    double rh = v->jobs[0].changeover / 3600.0;
    int ni = 0;
    for (int r = 0; r < s->nz; r++) {
        double E = s->z[r].e_ref, sp = v->zones[r].spot_price;
        double rate = E > rh ? (E - rh) / E : 0.0;
        double contrib = s->z[r].avail * rem_time * rate;
        if (contrib > 0) {
            double effd = E - rh > 1e-6 ? E - rh : 1e-6, adj = sp;
            if (effd > 0) adj = sp * E / effd;
            sn_info x = {sp, adj, contrib};
            int i = ni++; /* stable insertion by adjusted price, ascending */
            while (i > 0 && s->info[i - 1].adj > x.adj) s->info[i] = s->info[i - 1], i--;
            s->info[i] = x;
        }
    }
    double od_fraction = sn__od_weight(s, v);
    od_fraction = od_fraction < 0.0 ? 0.0 : od_fraction > 1.0 ? 1.0 : od_fraction;
    double od_assigned = od_fraction * rem_task, od_total = od_assigned;
    double spot_target = rem_task - od_assigned > 0.0 ? rem_task - od_assigned : 0.0;
    double total = od_assigned / 3600.0 * c_od, spot_assigned = 0.0, spot_cost = 0.0;
    int used = 0;
    for (int i = 0; i < ni; i++) {
        if (spot_assigned >= spot_target) break;
        double room = spot_target - spot_assigned, avail = s->info[i].contrib < room ? s->info[i].contrib : room;
        if (avail <= 0) continue;
        used++;
        spot_cost += (avail / 3600.0) * s->info[i].adj;
        spot_assigned += avail;
    }
    if (spot_assigned < spot_target) {
        double deficit = spot_target - spot_assigned;
        od_total += deficit;
        total += (deficit / 3600.0) * c_od;
    }
    total += spot_cost;
    double hours = rem_task / 3600.0 > 1e-6 ? rem_task / 3600.0 : 1e-6;
    double c_ref = total / hours;
    double G = v->jobs[0].ckpt_gb;
    if ((used || od_total > 0) && G > 0) {
        int nused = used + (od_total > 0);
        if (nused > 1) c_ref += (double)(nused - 1) * G * 0.02 / hours; /* the artifact's flat 0.02 $/GB */
    }
    return c_ref;
}

static double sn__value(sn_state *s, const sk_view *v) {
    const sk_job_info *j = &v->jobs[0];
    double rem_task = j->work - j->progress, rem_time = j->deadline - v->t;
    if (rem_time <= 0) return INFINITY;
    if (rem_task <= 0) return 0.0;
    if (s->rate_ratio) {
        double c_od = v->zones[0].od_price, c_spot = v->zones[0].spot_price;
        for (int r = 1; r < s->nz; r++) {
            if (v->zones[r].od_price < c_od) c_od = v->zones[r].od_price;
            if (v->zones[r].spot_price < c_spot) c_spot = v->zones[r].spot_price;
        }
        double ratio = (rem_task * j->deadline) / (rem_time * j->work), x = c_od * ratio;
        return c_spot > x ? c_spot : x;
    }
    return sn__ref_cost(s, v, rem_task, rem_time) * 1.2;
}

/* ---- option values ---------------------------------------------------------------------------- */

static double sn__spot_value(const sn_state *s, const sk_view *v, int r, double V, int running) {
    double E = s->z[r].e_net, rh = v->jobs[0].changeover / 3600.0;
    double eff = running ? E : E - rh;
    if (!(eff > 0.0)) return -INFINITY;
    return (V * eff - v->zones[r].spot_price * E) / E;
}

/* _compute_migration_penalty: the move's copy time (hours, when the world counts it) and egress */
static double sn__penalty(const sk_view *v, int from, int to, double V, double E, int od) {
    if (from == to) return 0.0;
    size_t ft = (size_t)from * (size_t)v->nzones + (size_t)to;
    double usd = v->egress_usd[ft], th = v->move_h ? v->move_h[ft] : 0.0, pen;
    if (!od) pen = (th * V + usd) / (E > 1e-6 ? E : 1e-6);
    else pen = (v->jobs[0].changeover / 3600.0 + th) * V + usd;
    return pen > 0 ? pen : 0.0;
}

/* ---- the tick ------------------------------------------------------------------------------- */

static void sn__probe_ok(sn_state *s, int r, double now) {
    sn_zone *z = &s->z[r];
    if (z->probing) return;
    sn__event(s, r, 1, 1, 0, now);
    z->probing = 1;
    z->last_virt = 0.0;
}

static void sn__probe_fail(sn_state *s, int r, double now) {
    sn_zone *z = &s->z[r];
    if (z->probing) sn__event(s, r, 0, 1, 1, now);
    z->probing = 0;
    z->tick_fail++;
    z->last_virt = NAN;
}

/* _post_step_actions: probe every due zone not yet probed, not just refused, not the primary */
static void sn__probes(sn_state *s, const sk_view *v, const sk_actor *a, int primary) {
    if (s->oracle) return;
    int64_t k = v->tick, interval = s->probe_interval > 1 ? s->probe_interval : 1;
    for (int r = 0; r < s->nz; r++) {
        sn_zone *z = &s->z[r];
        if (r == primary || (z->probing && !s->revalidate) || z->failed || k < z->next_probe) continue;
        if (a->probe(a->w, r)) sn__probe_ok(s, r, v->t);
        else sn__probe_fail(s, r, v->t);
        z->next_probe = k + interval;
    }
    for (int r = 0; r < s->nz; r++) s->z[r].failed = 0;
}

static void sn_decide(void *st, const sk_view *v, const sk_actor *a) {
    sn_state *s = st;
    const sk_job_info *j = &v->jobs[0];
    double now = v->t;
    if (v->tick >= 0 && v->tick < s->nS) s->S_hist[v->tick] = j->progress;

    /* 1. a tracked spot that is gone ends its run: censored if we ended it, else a failure */
    if (s->active_spot >= 0 && !sk_mr_has(v, s->active_spot, SK_MKT_SPOT)) {
        sn__event(s, s->active_spot, 0, 0, !s->spot_by_us, now);
        s->active_spot = -1, s->spot_by_us = 0;
    }
    /* 2.-3. segments, survival knots, burst factor */
    sn__rebuild(s, now);
    if (!s->oracle) {
        for (int r = 0; r < s->nz; r++) sn__knots(s, &s->z[r]);
        sn__jitter(s, v->gap);
    }
    /* 4. */
    if (j->work - j->progress <= 1e-3) {
        sk_mr_terminate_all(v, a);
        return;
    }
    /* lifetimes and availabilities of this tick */
    double rem_time = j->deadline - now;
    for (int r = 0; r < s->nz; r++) {
        sn_zone *z = &s->z[r];
        z->avail = sn__availability(s, z, now);
        if (s->oracle) {
            int64_t k = v->tick;
            double h = k >= 0 && k < s->nrun ? (double)s->run[(size_t)r * (size_t)(s->nrun + 1) + (size_t)k] * v->gap / 3600.0 : 0.0;
            z->e_net = h;
            z->e_ref = rem_time > 0 && h > rem_time / 3600.0 ? rem_time / 3600.0 : h;
        } else {
            double E = sn__lifetime(z, z->cur_src ? z->cur_age_h : 0.0, v->gap);
            if (E > s->max_pred_h) E = s->max_pred_h;
            if (rem_time > 0 && E > rem_time / 3600.0) E = rem_time / 3600.0;
            z->e_ref = z->e_net = E;
        }
    }
    /* 5. */
    double V = sn__value(s, v);

    /* 6. the running instance */
    int cr = -1;
    sk_market ct = SK_MKT_NONE;
    double cur = 0.0;
    if (v->ninst) {
        cr = v->inst[0].zone, ct = v->inst[0].market;
        cur = ct == SK_MKT_SPOT ? sn__spot_value(s, v, cr, V, 1) : ct == SK_MKT_OD ? V - v->zones[cr].od_price : 0.0;
        s->last_region = cr;
    }

    /* 7. options: wait, spot per zone, on-demand per zone */
    int origin = cr >= 0 ? cr : s->last_region, no = 0;
    double G = j->ckpt_gb, delta = s->voi_base + s->voi_kck * G + s->voi_kv * V;
    s->opt[no++] = (sn_opt){0.0, SK_MKT_NONE, -1};
    for (int r = 0; r < s->nz; r++) {
        double val = sn__spot_value(s, v, r, V, ct == SK_MKT_SPOT && r == cr);
        if (s->migpen && origin >= 0) val -= sn__penalty(v, origin, r, V, s->z[r].e_net, 0);
        if (val < 0) continue;
        if (s->voi && cr >= 0 && r != cr && val <= cur + delta) continue;
        s->opt[no++] = (sn_opt){val, SK_MKT_SPOT, r};
    }
    for (int r = 0; r < s->nz; r++) {
        double val = V - v->zones[r].od_price;
        if (s->migpen && origin >= 0) val -= sn__penalty(v, origin, r, V, 0.0, 1);
        if (val < 0) continue;
        if (ct == SK_MKT_OD && cr == r) continue;
        if (s->voi && cr >= 0 && val <= cur + delta) continue;
        s->opt[no++] = (sn_opt){val, SK_MKT_OD, r};
    }
    for (int i = 1; i < no; i++) { /* 8. by value, descending, stable */
        sn_opt x = s->opt[i];
        int q = i;
        while (q > 0 && s->opt[q - 1].value < x.value) s->opt[q] = s->opt[q - 1], q--;
        s->opt[q] = x;
    }

    /* 9. try them while they beat the running instance */
    int64_t attempts = 0;
    for (int i = 0; i < no; i++) {
        sn_opt o = s->opt[i];
        if (!(o.value >= 0)) continue;
        if (o.value <= cur) break;
        if (o.zone == cr && o.m == ct) continue;
        int ok = 1;
        if (o.m == SK_MKT_SPOT) {
            sn_zone *z = &s->z[o.zone];
            if (z->probing) { /* the probe run ends: the real instance takes over */
                sn__event(s, o.zone, 0, 1, 0, now);
                z->probing = 0;
                z->last_virt = NAN;
            }
            ok = a->launch(a->w, o.zone, SK_MKT_SPOT);
            attempts++;
            if (ok) {
                sn__event(s, o.zone, 1, 0, 0, now);
                s->active_spot = o.zone, s->spot_by_us = 0, s->last_region = o.zone;
                z->failed = 0, z->last_real = 0.0, z->last_virt = NAN;
            } else {
                z->failed = 1;
                z->tick_fail++;
            }
        } else if (o.m == SK_MKT_OD) {
            ok = a->launch(a->w, o.zone, SK_MKT_OD);
        }
        if (ok) {
            s->last_region = o.zone;
            if (cr >= 0 && o.m != SK_MKT_NONE) {
                if (s->active_spot == cr) s->spot_by_us = 1;
                sk_mr_terminate_zone(v, a, cr);
            }
            sn__probes(s, v, a, o.m != SK_MKT_NONE ? o.zone : -1);
            return;
        }
        if (s->max_attempts > 0 && attempts >= s->max_attempts) break;
    }
    /* 10. keep what runs */
    sn__probes(s, v, a, cr);
}

const sk_gpolicy sk_pol_mr_skynomad = {
    .def = {"skynomad", sn_params, sizeof sn_params / sizeof sn_params[0],
            "SkyNomad: values spot (survival-model lifetime), on-demand and waiting in $/h of progress; probes each zone once"},
    .state_size = sizeof(sn_state),
    .init = sn_init,
    .decide = sn_decide,
    .fini = sn_fini,
};

static const sk_planner sk_planner_sn_oracle = {"skynomad_oracle", sn_oracle_plan};

const sk_gpolicy sk_pol_mr_skynomad_oracle = {
    .def = {"skynomad_oracle", sn_oracle_params, sizeof sn_oracle_params / sizeof sn_oracle_params[0],
            "SkyNomad(o): SkyNomad with each zone's exact remaining spot run instead of the estimate, no probes"},
    .state_size = sizeof(sn_state),
    .planner = &sk_planner_sn_oracle,
    .init = sn_oracle_init,
    .decide = sn_decide,
    .fini = sn_fini,
};
