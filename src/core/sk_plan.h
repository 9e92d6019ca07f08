/* sk_plan.h - the run plan (sk_run_plan): how the runs of an experiment are numbered, and which
 * run a number is. (The plan a planner makes for a policy is sk_plan, core/sk_world.h.)
 *
 * Runs are numbered i = 0 .. nruns-1, enumerating sweep points (the first axis varies slowest),
 * then policies in file order, then replications: run i is (point p, policy q, replication r) with
 *     i = (p * npolicies + q) * replications + r,
 * and its world index (the random world shared by every policy; see sk_run_ctx) is
 *     p * replications + r.
 * Sweep point p takes value index (p / stride(a)) % len(a) of axis a, where stride(a) is the
 * product of the lengths of the axes after a. A shard k/n holds the runs i with i % n == k, at
 * local positions pos = i / n.
 *
 * This is the only place that does this arithmetic: the loader (io/sk_exp), the runner, the
 * end-of-run table and `synkti plan` all go through it. All functions are pure and can't fail. */
#ifndef SK_PLAN_H
#define SK_PLAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_run_plan {
    size_t naxes;
    const size_t *axis_len; /* naxes axis lengths (each >= 1), first axis slowest; borrowed */
    uint64_t npoints;       /* product of the axis lengths (1 with no axes) */
    uint64_t npolicies;     /* >= 1: a kind without policies counts as one */
    uint64_t replications;  /* >= 1 */
    uint64_t nruns;         /* npoints * npolicies * replications */
} sk_run_plan;

/* Where run `index` sits in the plan. */
typedef struct sk_plan_run {
    uint64_t index, point, policy, replication, world_index;
} sk_plan_run;

/* Fill p's counts from the axis lengths. The caller checks first that the products fit (the
 * loader refuses plans of more than SK_EXP_MAX_RUNS runs). */
void sk_plan_init(sk_run_plan *p, const size_t *axis_len, size_t naxes, uint64_t npolicies, uint64_t replications);

/* Run i (< p->nruns) as (point, policy, replication, world index). */
sk_plan_run sk_plan_at(const sk_run_plan *p, uint64_t i);

/* The number of the run (point, policy, replication). */
uint64_t sk_plan_index(const sk_run_plan *p, uint64_t point, uint64_t policy, uint64_t replication);

/* The value index of axis a (< p->naxes) at sweep point `point`. */
size_t sk_plan_axis_at(const sk_run_plan *p, uint64_t point, size_t a);

/* Runs of shard k/n (0 <= k < n) of a plan of nruns runs, and the run at local position pos. */
uint64_t sk_plan_shard_size(uint64_t nruns, uint64_t k, uint64_t n);
static inline uint64_t sk_plan_shard_run(uint64_t k, uint64_t n, uint64_t pos) { return k + pos * n; }

#endif
