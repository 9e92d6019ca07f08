/* sk_spotserve.h - SpotServe-style serving of one large model over a pool of multi-GPU spot
 * instances (ASPLOS'24): the per-layer latency profiles, the instance add/remove trace segments
 * and query traces of the public artifact, the configuration optimizer, and an event-driven
 * simulation of the four policies (spotserve, restart, reroute, on_demand).
 *
 * Units: times in sk_time microseconds inside the simulation, seconds in results; latencies from
 * the profiles in milliseconds (as the profiles store them); sizes in bytes; prices $/instance-hour.
 *
 * The latency of a batch follows the artifact's StrategyOptimizer.get_approx_latency exactly:
 *   f  = ceil(layer_num / P)                     layers per pipeline stage
 *   t1 = init[T][B/M1] * f * (P + M1 - 1) / M1 + pp_init_comm / M1 * (P - 1)       prefill, ms
 *   t2 = incr[T][B/M2] * f * (P + M2 - 1)      + pp_incr_comm / M2 * (P - 1)       one decode step, ms
 *   latency = final_fix_factor * (t1 + out_len * t2 + 2 * embed[log2 B])
 * Invariants of a simulation (checked by tests): every request of the horizon ends exactly once,
 * completed or failed; a request's latency is its completion minus its arrival. */
#ifndef SK_SPOTSERVE_H
#define SK_SPOTSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sk_time.h"

enum { SK_SS_MAXTP = 5, SK_SS_MAXBS = 4 }; /* profile grid: tp 1..16, bsz 1..8 (powers of two) */

/* A per-layer latency profile (profile/<gpu>/megatron_<model>_profile.json). */
typedef struct sk_ss_profile {
    char name[64];
    int layer_num, padded_layer_num, hidden, max_tp;
    double fix, pp_init_comm, pp_incr_comm;   /* final_fix_factor; per-stage-boundary ms */
    double embed[SK_SS_MAXBS];                /* ms by log2 bsz, NAN when absent */
    double init[SK_SS_MAXTP][SK_SS_MAXBS];    /* ms per layer, [log2 tp][log2 bsz], NAN when absent */
    double incr[SK_SS_MAXTP][SK_SS_MAXBS];
} sk_ss_profile;

/* Load a profile. Returns 0; SK_ENOINPUT; SK_EDATA with "path: key: reason"; SK_ENOMEM. */
int sk_ss_profile_load(sk_ss_profile *p, const char *path, char *err, size_t len);

/* Trace segment: one JSON array per line, [time_ms, op, {"nodes": [names], "required_tpt": x}],
 * op one of add | remove | other | DONE; lines starting with '#' are comments. A node is one
 * instance (g4dn.12xlarge, gpus_per_node GPUs). time is when the instance appears or disappears;
 * "other" only changes the required throughput; DONE ends the segment. */
enum { SK_SS_ADD, SK_SS_REMOVE, SK_SS_OTHER, SK_SS_DONE };
typedef struct sk_ss_tevent {
    sk_time t;
    int op;
    int n, first;     /* nodes: node_ids[first .. first + n) */
    double req_tpt;   /* NAN: none given */
} sk_ss_tevent;

typedef struct sk_ss_trace {
    sk_ss_tevent *ev;
    int nev;
    int *node_ids;    /* indices into names */
    int nids;
    char **names;     /* distinct node names, in order of first appearance */
    int nnodes;
    sk_time end;      /* the DONE time */
} sk_ss_trace;

/* Load a segment. Returns 0; SK_ENOINPUT; SK_EDATA ("path:line: reason": bad JSON, unknown op,
 * times going back, a node added twice or removed while absent, no DONE); SK_ENOMEM. */
int sk_ss_trace_load(sk_ss_trace *tr, const char *path, char *err, size_t len);
void sk_ss_trace_fini(sk_ss_trace *tr);

/* Query trace (query/<name>.txt): id, arrival seconds, input length, offset into the prompt file.
 * Returns 0 with *t (malloc'd, sorted by arrival, ties by line) and *n, *in_len (the first row's);
 * SK_ENOINPUT; SK_EDATA ("path:line: ..."); SK_ENOMEM. */
int sk_ss_queries_load(const char *path, double **t, int *n, int *in_len, char *err, size_t len);

/* The model and the hardware it runs on. */
typedef struct sk_ss_model {
    const sk_ss_profile *prof;
    int in_len, out_len;      /* tokens per request (the artifact: 512 in, 128 out) */
    int vocab;                /* for the embedding's weight bytes */
    double bytes_per_param;   /* 4: fp32, the artifact's FasterTransformer configs */
    double gpu_mem_gb;        /* 16 (T4) */
    double mem_reserve_gb;    /* per GPU: CUDA context, workspace, activations */
    int min_world_size;       /* the artifact's floor on T * P (0: memory alone decides) */
    int max_bsz;              /* largest batch (a power of two <= 8) */
    int gpus_per_node;
} sk_ss_model;

/* A configuration: D pipelines of T x P GPUs, batches of up to B in M1 prefill and M2 decode
 * micro-batches; lat_ms is a full batch's latency, tpt = D * B / lat (requests/s). */
typedef struct sk_ss_cfg {
    int D, T, P, B, M1, M2;
    double lat_ms, tpt;
} sk_ss_cfg;

/* Weight bytes of the model: (12 h^2 * layer_num + vocab * h) * bytes_per_param. */
double sk_ss_weight_bytes(const sk_ss_model *m);
/* KV-cache bytes of b requests holding `tokens` tokens each: 2 * layer_num * b * tokens * h * bpp. */
double sk_ss_kv_bytes(const sk_ss_model *m, int b, int tokens);
/* 1 if weights / (T P) + KV(B, in + out) / (T P) + reserve fit in one GPU's memory. */
int sk_ss_fits(const sk_ss_model *m, int T, int P, int B);

/* Prefill (embedding included) and per-step decode time of a batch of b (a power of two) on
 * (T, P, M1, M2) with the fix factor applied, in ms; M1, M2 are clipped to b. Returns 0, or -1 when
 * the profile lacks a needed entry. The full latency is pre + out_len * step. */
int sk_ss_batch_time(const sk_ss_profile *p, int T, int P, int b, int M1, int M2, double *pre_ms, double *step_ms);

/* The optimizer, on `ngpus` GPUs: every T (power of two <= max_tp, <= ngpus), B (power of two <=
 * max_bsz), M1, M2 (powers of two <= B), P from ceil(min_world_size / T) with P * T <= ngpus and P
 * dividing padded_layer_num, memory fitting; D = floor(ngpus / (T P)). Among those with tpt >=
 * req_tpt the lowest latency wins (ties: the first in that order), else the highest throughput.
 * Returns 0 with *out; 1 when nothing fits (out->D = 0). */
int sk_ss_optimize(const sk_ss_model *m, int ngpus, double req_tpt, sk_ss_cfg *out);

enum { SK_SS_POL_SPOTSERVE, SK_SS_POL_RESTART, SK_SS_POL_REROUTE, SK_SS_POL_ON_DEMAND };

typedef struct sk_ss_params {
    int policy;
    double req_tpt;          /* throughput the optimizer must meet, requests/s */
    double grace_s;          /* preemption notice before the instance goes (artifact: 30) */
    double add_lead_s;       /* an added instance is usable this long before its trace time (artifact: 30) */
    double net_gbps;         /* per-GPU network bandwidth for weights and KV moves, Gbit/s */
    double switch_overhead_s;/* fixed cost of a live reconfiguration (artifact: 0.5) */
    double load_gbps;        /* GB/s a cold start reads a weight shard from local disk */
    double boot_s;           /* process, CUDA and NCCL start of a cold start */
    double min_gain;         /* spotserve: a new shape must cut latency (or raise throughput) by this fraction */
    int od_instances;        /* on_demand: fleet size (0: ceil of the segment's mean instance count) */
    double spot_price, od_price;
} sk_ss_params;

/* Outcome of one request. */
enum { SK_SS_PENDING = 0, SK_SS_COMPLETED = 1, SK_SS_FAILED = 2 };

typedef struct sk_ss_result {
    int n;                   /* requests arriving before the segment's end */
    int completed, failed;   /* failed: not done when the segment ended */
    int64_t interrupts;      /* running requests stopped by a reconfiguration or preemption */
    int64_t restarts;        /* of those, requests that lost their decoding progress */
    int64_t migrated;        /* of those, requests resumed where they stopped */
    int switches;            /* configuration changes */
    double switch_s;         /* sum of reconfiguration pauses, seconds */
    double lat_mean, lat_p50, lat_p90, lat_p99, lat_max; /* s, completed requests, numpy-linear */
    double tput;             /* completed / segment length, requests/s */
    double inst_hours;       /* instance-hours billed */
    double cost, cost_od;    /* inst_hours at the policy's market price; at the on-demand price */
    double usd_per_mtok;     /* cost per million (in + out) tokens of completed requests */
    double mean_gpus_used;   /* time-average GPUs in the configuration */
    sk_ss_cfg first_cfg;     /* the configuration at time 0 */
    /* Per request (n entries, caller frees with sk_ss_result_fini): */
    double *arrival, *finish;   /* s; finish NAN unless completed */
    int *outcome, *nint, *nrestart;
    int *resume_step;           /* decode steps kept at the last migration (-1: never migrated) */
} sk_ss_result;

/* Simulate one segment. arrivals[0..narr) sorted, seconds; requests from trace->end on are not
 * part of the run. Returns 0; SK_ECONFIG when no configuration fits the first instances (msg);
 * SK_ENOMEM. */
int sk_ss_simulate(const sk_ss_model *m, const sk_ss_trace *tr, const double *arrivals, int narr,
                   const sk_ss_params *pp, sk_ss_result *r, char *msg, size_t len);
void sk_ss_result_fini(sk_ss_result *r);

/* numpy.percentile(x, q, method="linear") of a sorted array; NAN when n == 0. */
double sk_ss_pctl(const double *sorted, int n, double q);

#endif
