/* sk_serve.h - the event-driven LLM serving world (scenario kind `serving`, sim/scn_serving.c):
 * requests arrive (a replayed trace, per-minute counts, or Poisson/Gamma arrivals), a load
 * balancer sends them to READY replicas, and each replica runs a continuous-batching engine whose
 * iteration times, KV-cache capacity and weight-load time come from the replica performance model
 * (models/sk_llmperf.h) or from a fixed linear service model (exact arithmetic, for tests). Spot
 * replicas live in zones whose capacity follows an availability model (models/sk_avail.h); a
 * policy (src/serve/sk_serve_policy.h) says how many replicas to keep in each zone and market.
 *
 * Request life (every request ends exactly once; the world dies on a broken count):
 *   arrival -> (LB queue while no replica accepts) -> a replica's waiting queue -> admitted into
 *   the running batch when the KV cache holds prompt + output tokens and the batch has room ->
 *   the admitting iteration (prefill) yields the first token (TTFT) -> one token per iteration ->
 *   served at its last token (end-to-end latency).
 *   FAILED: waited longer than timeout_s since it was (re)queued without being admitted; in
 *   flight on a preempted replica with retry_on_preempt off; larger than a replica's KV cache.
 *   DROPPED: still in the system at the horizon (not yet timed out).
 * A request in flight on a preempted replica with retry_on_preempt on, or on a replica the
 * policy scales away, is requeued (its progress lost, its first-token time kept).
 *
 * Times are sk_time microseconds inside; configuration and results in seconds and dollars. */
#ifndef SK_SERVE_H
#define SK_SERVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "models/sk_avail.h"
#include "serve/sk_serve_policy.h"

struct sk_rng;
struct sk_llmperf;

/* ---- workloads ----------------------------------------------------------------------------- */

/* A request trace: arrival times (s, from the first request) and token counts. */
typedef struct sk_srv_trace {
    int64_t n;
    double *t;
    int32_t *in, *out;
    double span; /* t[n-1] + the mean gap: the period when looped */
} sk_srv_trace;

/* Azure LLM inference trace 2023 (TIMESTAMP,ContextTokens,GeneratedTokens). Returns 0 or
 * SK_ENOINPUT/SK_EDATA (file:line: column) /SK_ENOMEM; on error t is zeroed. */
int sk_srv_trace_load(sk_srv_trace *t, const char *path, char *err, size_t errlen);
void sk_srv_trace_fini(sk_srv_trace *t);

/* Per-row request counts (spothedge/workloads/maf1/cleaned.csv: "Time (min),Requests"). */
typedef struct sk_srv_counts {
    int64_t n;
    double *count;
} sk_srv_counts;
int sk_srv_counts_load(sk_srv_counts *c, const char *path, char *err, size_t errlen);
void sk_srv_counts_fini(sk_srv_counts *c);

typedef enum { SK_SRV_WL_TRACE = 0, SK_SRV_WL_POISSON, SK_SRV_WL_GAMMA, SK_SRV_WL_COUNTS } sk_srv_wl_kind;
typedef enum { SK_SRV_LB_LEAST_LOAD = 0, SK_SRV_LB_ROUND_ROBIN } sk_srv_lb;

/* ---- configuration ------------------------------------------------------------------------- */

typedef struct sk_serve_zone_cfg {
    char name[48], region[40];
    int gcp;                 /* notice length: notice_gcp_s, else notice_aws_s */
    double spot_price, od_price; /* $/h of one replica */
    sk_avail_model *avail;   /* owned by the world from sk_serve_run on (freed by it); NULL: no limit */
    /* the replayed trace behind avail, for the policy's oracle (NULL when not a replay) */
    const int32_t *counts;
    int64_t ncounts;
    double gap_s, offset_s;
    int32_t scale;
    int loop;
} sk_serve_zone_cfg;

typedef struct sk_serve_cfg {
    uint64_t seed, world_index;  /* world streams (seed, world_index, s) */
    double horizon_s, tick_s;
    int nzones;
    sk_serve_zone_cfg *zones;
    double notice_aws_s, notice_gcp_s;
    /* replicas */
    const struct sk_llmperf *perf; /* NULL: the fixed service model below */
    double boot_s, load_s;        /* load_s < 0: sk_llmperf_load_s */
    double fix_iter_s, fix_prefill_s, fix_decode_s; /* fixed: iter = a + b*prefill_tokens + c*decode_seqs */
    int64_t kv_tokens;            /* > 0: overrides the model's KV capacity (tokens) */
    int max_batch;                /* running sequences at most */
    /* mechanics */
    sk_srv_lb lb;
    double timeout_s;
    int retry_on_preempt, drain_on_notice;
    /* workload */
    sk_srv_wl_kind wl;
    const sk_srv_trace *trace;    /* TRACE: replayed; else the token distribution (NULL: fixed) */
    const sk_srv_counts *counts;  /* COUNTS */
    double rate, cv;              /* POISSON/GAMMA: requests/s, CV of gaps */
    double counts_scale, counts_cap, counts_row_s; /* COUNTS: per-row rate = min(count*scale, cap)/row_s */
    double time_scale;            /* multiplies trace and count-row times */
    int loop;                     /* replay again from the start after the end */
    int32_t fixed_in, fixed_out;  /* token counts when trace is NULL (or fixed_tokens) */
    int fixed_tokens;
    /* service level */
    int n_target, k_avail;        /* k_avail <= 0: n_target */
    double slo_s, slo_ttft_s;     /* 0: no bound on that latency */
    double qps_per_replica;       /* for the policies' request-rate autoscaler (view) */
} sk_serve_cfg;

/* Defaults of every field but zones/perf/workload data (the scenario's parameter defaults). */
void sk_serve_cfg_defaults(sk_serve_cfg *c);

/* ---- results ------------------------------------------------------------------------------- */

typedef struct sk_serve_result {
    double cost, cost_spot, cost_od;          /* $ */
    double rh_spot, rh_od;                    /* replica-hours */
    double availability;                      /* share of [0, horizon) with >= k ready replicas */
    double ttft[4], e2e[4];                   /* P50, P90, P99, P99.9 of served requests, s */
    double ttft_mean, e2e_mean;
    double failure_rate, slo_attain;          /* of all requests */
    int64_t requests, served, failed, dropped;
    int64_t failed_timeout, failed_preempt, failed_too_large;
    int64_t lost_preempt;                     /* in flight on a replica when it was reclaimed */
    int64_t retried;
    int64_t preemptions, launches, launch_fail;
    int64_t events, tokens_out;
    double ready_mean;                        /* time-average of ready replicas */
} sk_serve_result;

/* numpy's percentile (method 'linear') of sorted x[0..n-1] at q in [0, 100]; NaN when n == 0. */
double sk_srv_percentile(const double *sorted, int64_t n, double q);

/* One run. pol: the policy (its params parsed by pol->init); prng: the run's policy stream.
 * The world owns and frees every zone's avail model (also on error). Returns 0, SK_EINTR when
 * *stop became set, SK_ECONFIG (policy init) / SK_ENOMEM with msg. */
int sk_serve_run(const sk_serve_cfg *cfg, const sk_serve_policy *pol, const sk_value *pparams, struct sk_rng *prng,
                 const volatile sig_atomic_t *stop, sk_serve_result *res, char *msg, size_t len);

#endif
