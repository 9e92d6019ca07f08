/* sk_plan.c - run numbering: the one copy of the plan arithmetic (see sk_plan.h). */
#include "core/sk_plan.h"

void sk_plan_init(sk_run_plan *p, const size_t *axis_len, size_t naxes, uint64_t npolicies, uint64_t replications) {
    p->naxes = naxes;
    p->axis_len = axis_len;
    p->npoints = 1;
    for (size_t a = 0; a < naxes; a++) p->npoints *= axis_len[a];
    p->npolicies = npolicies ? npolicies : 1;
    p->replications = replications ? replications : 1;
    p->nruns = p->npoints * p->npolicies * p->replications;
}

sk_plan_run sk_plan_at(const sk_run_plan *p, uint64_t i) {
    uint64_t R = p->replications, Q = p->npolicies;
    sk_plan_run s;
    s.index = i;
    s.replication = i % R;
    s.policy = (i / R) % Q;
    s.point = i / R / Q;
    s.world_index = s.point * R + s.replication;
    return s;
}

uint64_t sk_plan_index(const sk_run_plan *p, uint64_t point, uint64_t policy, uint64_t replication) {
    return (point * p->npolicies + policy) * p->replications + replication;
}

size_t sk_plan_axis_at(const sk_run_plan *p, uint64_t point, size_t a) {
    uint64_t stride = 1;
    for (size_t b = a + 1; b < p->naxes; b++) stride *= p->axis_len[b];
    return (size_t)((point / stride) % p->axis_len[a]);
}

uint64_t sk_plan_shard_size(uint64_t nruns, uint64_t k, uint64_t n) {
    return nruns > k ? (nruns - k + n - 1) / n : 0;
}
