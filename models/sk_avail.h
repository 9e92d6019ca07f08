/* sk_avail.h - spot availability models, one per pool (a zone x instance type), behind one
 * interface: a model is a stream of steps in time order, each saying how many spot instances the
 * pool can hold from then on (its capacity) and/or that a correlated reclaim takes a fraction of
 * the pool's live spot instances. The world asks for the next step when it has applied the last,
 * so a model never holds more than one step ahead and costs O(1) memory per pool.
 *
 * Models: replay of a count trace (any tick length, looped or not), a continuous-time Markov chain
 * over capacity levels (two-state or N levels), and a per-instance hazard with correlated
 * reclaims (calibrated to AWS Spot Advisor interruption-frequency buckets). */
#ifndef SK_AVAIL_H
#define SK_AVAIL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sk_time.h"
#include "io/sk_spot.h" /* SK_SPOT_AUTO, SK_SPOT_AVAILABLE, SK_SPOT_PREEMPTED for sk_count_trace_load */

struct sk_rng;

#define SK_CAP_INF INT32_MAX /* no capacity limit */
#define SK_CAP_SAME (-1)     /* this step leaves the capacity as it was */

typedef struct sk_avail_step {
    sk_time t;    /* when (absolute, microseconds; non-decreasing along the stream) */
    int32_t cap;  /* spot instances the pool can hold from t on, SK_CAP_INF, or SK_CAP_SAME */
    float shock;  /* fraction in [0,1] of the pool's live spot instances reclaimed at t (0: none) */
    sk_time spread; /* a reclaim's victims get their notices at t + U(0, spread) */
} sk_avail_step;

typedef struct sk_avail_model sk_avail_model;
typedef struct sk_avail_vt {
    const char *name;
    /* The next step after the previous one (the first call: the capacity at time t0, at t0).
     * Returns 1 with *s filled, 0 when there are no more steps (capacity stays). Draws only from
     * rng (the pool's own stream). */
    int (*next)(sk_avail_model *m, struct sk_rng *rng, sk_avail_step *s);
    void (*free)(sk_avail_model *m);
} sk_avail_vt;
struct sk_avail_model {
    const sk_avail_vt *vt;
};

static inline int sk_avail_next(sk_avail_model *m, struct sk_rng *rng, sk_avail_step *s) { return m->vt->next(m, rng, s); }
static inline void sk_avail_free(sk_avail_model *m) { if (m) m->vt->free(m); }

/* Replay: counts[i] instances available during [t0 + i*gap, t0 + (i+1)*gap), scaled by
 * `scale` (a trace of 4 nodes driving a pool of 400: scale 100). Steps only where the count
 * changes. loop: after the last tick start again at tick 0; else the last count stays. counts
 * is copied. NULL on ENOMEM. */
sk_avail_model *sk_avail_replay_new(const int32_t *counts, int64_t n, sk_time gap, sk_time t0, int32_t scale, int loop);

/* Markov chain over nlev capacity levels: cap[l] instances in level l; rate[l*nlev+m] transitions
 * per hour from l to m (diagonal ignored); starts in level l0 at t0 (l0 < 0: drawn from the
 * stationary distribution). shock_on_drop: a drop in level reclaims at once (through cap), with
 * the notices of the victims spread over `spread`. NULL on ENOMEM. */
sk_avail_model *sk_avail_markov_new(int nlev, const int32_t *cap, const double *rate, int l0, sk_time t0, sk_time spread);

/* Hazard: every live spot instance of the pool is reclaimed at `rate_per_h` on average, in
 * correlated groups: reclaim events come at rate_per_h / group_frac per hour and each takes every
 * live instance with probability group_frac, their notices spread over `spread` (180 s matches
 * the published co-interruption measurements). Capacity unlimited. NULL on ENOMEM. */
sk_avail_model *sk_avail_hazard_new(double rate_per_h, double group_frac, sk_time spread, sk_time t0);

/* AWS Spot Advisor bucket (0: <5%, 1: 5-10%, 2: 10-15%, 3: 15-20%, 4: >20% of instances
 * interrupted in a month) to a per-instance hazard per hour (documented in the .c). */
double sk_avail_bucket_rate(int bucket);

/* Spot Advisor CSV (aws-spot-advisor/gpu_accel_interruption_*.csv): the bucket of (region, type),
 * or -1 when the file has no such row. Returns 0 / SK_ENOINPUT / SK_EDATA with err. */
typedef struct sk_advisor sk_advisor;
int sk_advisor_load(sk_advisor **a, const char *path, char *err, size_t errlen);
int sk_advisor_bucket(const sk_advisor *a, const char *region, const char *type);
void sk_advisor_free(sk_advisor *a);

/* A count trace in memory: counts of available instances per tick (conv already applied). */
typedef struct sk_count_trace {
    char *name;
    double gap;       /* seconds */
    int64_t n;
    int32_t *counts;
    int32_t nodes;    /* the trace's node count (max possible), >= 1 */
} sk_count_trace;

/* Load any availability trace as counts per tick (formats and conventions: docs/fleet_availability.md).
 *   *.json  spot JSON traces {"metadata": {"gap_seconds": G}, "data": [...]}; the tick is the
 *           file's gap_seconds (the gap argument is not used). conv as io/sk_spot.h:
 *           AVAILABLE  value = instances available; nodes = N of an "<N>-node" folder above the
 *                      file, at least the largest value (spothedge/data/AWS1: 4, AWS2: 16);
 *           PREEMPTED  0/1 already reduced (converted_* of gcp-h100-multiregion and
 *                      aws-v100-multinode: 1 = no instance obtainable): count = 1 - value, nodes 1;
 *           AUTO       metadata "convention", else the folder rule of io/sk_spot.h.
 *           A forced convention is checked against the file's evidence: its "convention" key, its
 *           folders (converted_* says PREEMPTED; spot-availability/, spothedge/, "<N>-node" say
 *           AVAILABLE) and its values (any value > 1 is a count, never a 0/1 preempted flag).
 *           Contradicting the key or the folders is SK_ECONFIG unless conv carries
 *           SK_AVAIL_CONV_FORCE; PREEMPTED on values > 1 is always SK_EDATA.
 *   *.csv   bamboo node event logs `time_ms,add|remove,node` (bamboo-spot-traces/traces/NAME.csv):
 *           count = nodes present, sampled at each tick start t = k*gap from time 0.
 *   *.txt   bamboo GCP counts `YYYY-MM-DD, HH:MM:SS, N` (bamboo-spot-traces/traces/gcloud/): the
 *           count at a time is that of the last row in file order stamped at or before it (rows
 *           stamped earlier than the row before them override from their stamp); ticks from the
 *           first row's time.
 *   For the two bamboo formats gap is the tick in seconds (<= 0: 60), nodes = the largest count,
 *   and PREEMPTED is SK_ECONFIG (they are counts).
 * Returns 0 or SK_ENOINPUT/SK_EDATA/SK_ECONFIG/SK_ENOMEM with a message naming the file and the
 * position (line, or JSON key/index). On error t is zeroed; on success the caller owns t
 * (sk_count_trace_fini). */
#define SK_AVAIL_CONV_FORCE 0x100 /* or'ed into conv: take a forced convention against the folder */
int sk_count_trace_load(sk_count_trace *t, const char *path, int conv, double gap, char *err, size_t errlen);
void sk_count_trace_fini(sk_count_trace *t);

/* Maximum-likelihood fit of a Markov chain over the distinct counts of one or more traces (at most
 * SK_MARKOV_MAXLEV; or of up/down with two_state: level 0 = count 0, level 1 = count >= 1, whose
 * level[] is {0, 1}). Each tick counts as its trace's gap spent in its level, and each change
 * between consecutive ticks as one transition (at most one transition per tick is assumed):
 * rate[l*nlev+m] = ntrans[l*nlev+m] / time_h[l] per hour, with the exact 95% Poisson interval
 * lo = chi2(0.025; 2n) / 2T, hi = chi2(0.975; 2n+2) / 2T. loglik = sum n_lm ln rate_lm - q_l T_l.
 * Traces may have different gaps. Returns 0 or SK_EDATA (no traces or ticks, more than
 * SK_MARKOV_MAXLEV distinct counts: the message says to use two_state); err names the cause. */
#define SK_MARKOV_MAXLEV 32
typedef struct sk_markov_fit {
    int nlev;
    int32_t level[SK_MARKOV_MAXLEV]; /* the count of each level, ascending */
    double rate[SK_MARKOV_MAXLEV * SK_MARKOV_MAXLEV], lo[SK_MARKOV_MAXLEV * SK_MARKOV_MAXLEV],
        hi[SK_MARKOV_MAXLEV * SK_MARKOV_MAXLEV]; /* per hour; diagonal 0 */
    int64_t ntrans[SK_MARKOV_MAXLEV * SK_MARKOV_MAXLEV]; /* transitions observed l -> m */
    double time_h[SK_MARKOV_MAXLEV]; /* hours spent in each level */
    int64_t ticks;                   /* ticks read, all traces */
    double loglik;
} sk_markov_fit;
int sk_markov_fit_traces(const sk_count_trace *const *t, int ntraces, int two_state, sk_markov_fit *out, char *err, size_t errlen);

/* Stationary distribution pi (nlev values, summing to 1) of the chain with rates rate[l*nlev+m]
 * (diagonal ignored): solves pi Q = 0, sum pi = 1 by LU (GSL); a chain with no unique solution
 * (reducible) falls back to power iteration on the uniformised chain started uniform, which gives
 * the limit from that start. Returns 0 or SK_ENOMEM / SK_ECONFIG (nlev < 1, negative rate). */
int sk_avail_stationary(int nlev, const double *rate, double *pi);

#endif
