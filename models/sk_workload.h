/* sk_workload.h - batch jobs for the fleet: replay of real GPU job traces (gpu-jobs/
 * ms-itp-elasticflow/, philly-dre-subset/), empirical size/length mixes drawn from them, and
 * synthetic streams (Poisson or Gamma arrivals, size and length distributions); and fleets of
 * machines (gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv). */
#ifndef SK_WORKLOAD_H
#define SK_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

struct sk_rng;

typedef struct sk_jobspec {
    double submit_s;   /* arrival, seconds from the start */
    double work_s;     /* run time on the requested GPUs */
    int32_t gpus;      /* GPUs needed (>= 1) */
    int32_t gpu_type;  /* index into the caller's GPU-model list, -1: any */
} sk_jobspec;

typedef struct sk_jobs {
    int64_t n;
    sk_jobspec *j;     /* sorted by submit_s (stable) */
} sk_jobs;
void sk_jobs_fini(sk_jobs *j);
/* Sum of gpus * work_s over the jobs, in GPU-hours. */
double sk_jobs_gpu_hours(const sk_jobs *j);

/* A job trace CSV with columns submit_time_s, gpus, duration_s (gpu_type optional, mapped through
 * gpu_names[0..ngpu) by name; unknown or empty: -1), found by header name in any order; other
 * columns are ignored. Rows with gpus < 1 or duration <= 0 are errors naming the line. The jobs
 * are sorted by submit time (stable: file order among equal times); limit > 0 keeps the first limit
 * jobs; submit times are shifted so the first job arrives at 0; then time_scale (> 0) multiplies
 * both submit_s and work_s. Returns 0; SK_ENOINPUT; SK_ENOMEM; SK_ECONFIG (time_scale); SK_EDATA
 * with "path:line: field N (column): ..." (or "path:line: header has no column 'x'"). *out is
 * empty on error. */
int sk_jobs_load(sk_jobs *out, const char *path, const char *const *gpu_names, int ngpu, double time_scale, int64_t limit,
                 char *err, size_t errlen);

typedef enum { SK_ARR_POISSON = 0, SK_ARR_GAMMA = 1 } sk_arrival_kind;
typedef enum { SK_LEN_EXP = 0, SK_LEN_LOGNORMAL = 1, SK_LEN_EMPIRICAL = 2 } sk_length_kind;
typedef struct sk_synth {
    sk_arrival_kind arrival;
    double rate_per_h;          /* mean arrivals per hour */
    double cv;                  /* Gamma: coefficient of variation of inter-arrival times */
    int64_t n;                  /* jobs to make (stop at horizon_s too when > 0) */
    double horizon_s;
    sk_length_kind length;
    double len_mean_s, len_sigma; /* exp: mean; lognormal: median (s) and sigma of log */
    const int32_t *size_gpus;   /* sizes and their weights */
    const double *size_w;
    int nsizes;
    const sk_jobs *mix;         /* EMPIRICAL: draw (gpus, work) pairs from this trace */
} sk_synth;
/* Make a synthetic job stream from rng (and nothing else: same p and stream, same jobs, bit for
 * bit). The first job arrives at 0, then gaps are exponential with mean 3600/rate_per_h (Poisson)
 * or Gamma with shape k = 1/cv^2 and scale mean/k (gsl_ran_gamma); stops after n jobs (n > 0)
 * and/or before horizon_s (> 0). Sizes: size_gpus[i] with probability size_w[i]/sum(w) (Walker
 * alias table; nsizes = 0: every job 1 GPU); lengths exponential (mean len_mean_s) or lognormal
 * (median len_mean_s, log-sd len_sigma). EMPIRICAL draws a whole job (gpus, work_s, gpu_type)
 * uniformly from mix, so size and length stay paired, and ignores the size weights. gpu_type is -1
 * otherwise. Per job the draws are: gap (not for the first), then size, then length (or the pair).
 * Returns 0; SK_ECONFIG (bad parameters, message says which); SK_ENOMEM. */
int sk_jobs_synth(sk_jobs *out, const sk_synth *p, struct sk_rng *rng, char *err, size_t errlen);

/* A fleet of machines: per (GPU model, GPUs per machine) the number of machines. */
typedef struct sk_machine_group {
    char gpu[24];
    int32_t gpus;
    double vcpus, mem_gb;
    int64_t count;
} sk_machine_group;
typedef struct sk_machines {
    int n;
    sk_machine_group *g;
} sk_machines;
/* nodes.csv (node,gpu_model,gpus,cpu,mem_gb; columns by header name, node optional): machines
 * without GPUs are skipped. One group per (gpu_model, gpus), sorted by model name then gpus;
 * vcpus and mem_gb are the means over the group's machines. Returns 0; SK_ENOINPUT; SK_ENOMEM;
 * SK_EDATA naming path:line and the field (also when no machine has GPUs). *out empty on error. */
int sk_machines_load(sk_machines *out, const char *path, char *err, size_t errlen);
void sk_machines_fini(sk_machines *m);
/* Machines and GPUs in the fleet (sum over the groups). */
int64_t sk_machines_count(const sk_machines *m);
int64_t sk_machines_gpus(const sk_machines *m);

#endif
