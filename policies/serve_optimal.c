/* serve_optimal.c - the offline optimum of the replica-count problem: at its first decision it
 * reads the whole availability future through the view's oracle (cap_at, horizon_s) and computes
 * the cheapest plan (spot replicas per zone and on-demand replicas per decision tick) that has at
 * least N replicas ready at every decision tick from the first one a cold start allows, then
 * replays it. Exact, by a min-cost flow (docs/serving_policies.md has the reduction):
 *
 *   Ticks k = 0..K-1 (t_k = k tick_s, K = ceil(horizon_s / tick_s)), d = ceil(cold_start_s /
 *   tick_s): a replica launched at tick k0 counts (is ready) at ticks k >= k0 + d while it lives.
 *   With x_j(k) the replicas of zone j live in interval k and r_j(k) = min(x_j(k-d..k)) those
 *   ready at tick k, the problem is
 *       min sum_k len_k (sum_j p_j x_j(k) + p_od x_od(k))
 *       s.t. x_j(k) <= cap_j(k),  sum_j r_j(k) + r_od(k) >= N  for k = d..K-1.
 *   Given ready profiles r, the cheapest x is x_j(t) = max r_j(t..t+d) (every replica ready at k
 *   lives from k - d), which fits the capacity iff r_j(k) <= C_j(k) = min cap_j(k-d..k). So the
 *   problem is one over r alone, and a ready replica's life is a path through time: enter zone j
 *   at tick k (launched at k - d: the warm-up intervals k-d..k-1 paid on entry), stay (pay the
 *   interval), leave (free). A network with layers k = d..K-1, a node per zone (capacity
 *   C_j(k); on-demand: unbounded) and a dummy node "not a replica" of capacity M - N carries
 *   M = N (Z + 1) units from layer to layer, so at least N are replicas at every tick; its
 *   min-cost integral flow is an optimal r (units beyond N per zone or a short stay-alive gap are
 *   never cheaper than what the flow can express). Solved by successive shortest paths
 *   (Dijkstra with potentials; all arc costs are >= 0). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "policies/serve_common.h"

typedef struct opt_state {
    int done, failed;
    int nz, K, d, N, od_zone;
    double sample_s;
    int32_t *plan;  /* K x (nz + 1): spot per zone, then on-demand */
    double cost;    /* the objective ($) */
} opt_state;

static const sk_param_def opt_params[] = {
    {"sample_s", SK_PT_FLOAT, "1e-3", 1e-6, 1e6, "capacity of an interval = the oracle's minimum at its start and this long before its end (s)"},
};

/* --- a small min-cost flow (successive shortest paths) --------------------------------------- */

typedef struct mcf_arc {
    int to, next;
    int64_t cap;
    double cost;
} mcf_arc;

typedef struct mcf {
    int n, narcs, cap_arcs;
    int *head;
    mcf_arc *a;
} mcf;

static int mcf_init(mcf *g, int n, int arcs) {
    g->n = n;
    g->narcs = 0;
    g->cap_arcs = 2 * arcs;
    g->head = malloc((size_t)n * sizeof *g->head);
    g->a = malloc((size_t)g->cap_arcs * sizeof *g->a);
    if (!g->head || !g->a) return free(g->head), free(g->a), SK_ENOMEM;
    for (int i = 0; i < n; i++) g->head[i] = -1;
    return 0;
}
static void mcf_fini(mcf *g) {
    free(g->head);
    free(g->a);
}
/* Add arc u->v and its residual twin; returns the arc's index (the twin is index ^ 1). */
static int mcf_add(mcf *g, int u, int v, int64_t cap, double cost) {
    int e = g->narcs;
    if (e + 2 > g->cap_arcs) return -1;
    g->a[e] = (mcf_arc){v, g->head[u], cap, cost};
    g->head[u] = e;
    g->a[e + 1] = (mcf_arc){u, g->head[v], 0, -cost};
    g->head[v] = e + 1;
    g->narcs += 2;
    return e;
}

typedef struct mcf_hent {
    double d;
    int v;
} mcf_hent;

static void mcf_hpush(mcf_hent *h, int *n, mcf_hent x) {
    int i = (*n)++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h[p].d < x.d || (h[p].d == x.d && h[p].v <= x.v)) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}
static mcf_hent mcf_hpop(mcf_hent *h, int *n) {
    mcf_hent top = h[0], x = h[--(*n)];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && (h[c + 1].d < h[c].d || (h[c + 1].d == h[c].d && h[c + 1].v < h[c].v))) c++;
        if (x.d < h[c].d || (x.d == h[c].d && x.v <= h[c].v)) break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
    return top;
}

/* Send `want` units from s to t at minimum cost. Returns 0, SK_ENOMEM, or SK_EDATA when the
 * network cannot carry them (cannot happen for the networks built below). */
static int mcf_run(mcf *g, int s, int t, int64_t want) {
    int rc = 0;
    double *pot = calloc((size_t)g->n, sizeof *pot), *dist = malloc((size_t)g->n * sizeof *dist);
    int *pe = malloc((size_t)g->n * sizeof *pe);
    mcf_hent *h = malloc(((size_t)g->narcs + 1) * sizeof *h);
    if (!pot || !dist || !pe || !h) {
        rc = SK_ENOMEM;
        goto out;
    }
    while (want > 0) {
        int nh = 0;
        for (int i = 0; i < g->n; i++) dist[i] = DBL_MAX, pe[i] = -1;
        dist[s] = 0;
        mcf_hpush(h, &nh, (mcf_hent){0, s});
        while (nh) {
            mcf_hent x = mcf_hpop(h, &nh);
            if (x.d > dist[x.v]) continue;
            for (int e = g->head[x.v]; e >= 0; e = g->a[e].next) {
                if (g->a[e].cap <= 0) continue;
                int w = g->a[e].to;
                double rcost = g->a[e].cost + pot[x.v] - pot[w];
                if (rcost < 0) rcost = 0; /* rounding of the potentials; exact costs are >= 0 */
                double nd = x.d + rcost;
                if (nd < dist[w]) {
                    dist[w] = nd;
                    pe[w] = e;
                    mcf_hpush(h, &nh, (mcf_hent){nd, w});
                }
            }
        }
        if (pe[t] < 0) {
            rc = SK_EDATA;
            goto out;
        }
        for (int i = 0; i < g->n; i++)
            if (dist[i] < DBL_MAX) pot[i] += dist[i];
        int64_t f = want;
        for (int v = t; v != s; v = g->a[pe[v] ^ 1].to)
            if (g->a[pe[v]].cap < f) f = g->a[pe[v]].cap;
        for (int v = t; v != s; v = g->a[pe[v] ^ 1].to) {
            g->a[pe[v]].cap -= f;
            g->a[pe[v] ^ 1].cap += f;
        }
        want -= f;
    }
out:
    free(pot);
    free(dist);
    free(pe);
    free(h);
    return rc;
}

/* --- the plan ---------------------------------------------------------------------------------- */

static int opt_init(void *st, const sk_value *pp, const sk_srv_view *v0, char *msg, size_t len) {
    opt_state *s = st;
    int rc = ssp_check_zones(v0, msg, len);
    if (rc) return rc;
    if (!v0->cap_at) return snprintf(msg, len, "optimal needs the availability oracle (an availability trace)"), SK_ECONFIG;
    if (!(v0->tick_s > 0)) return snprintf(msg, len, "optimal needs a decision tick (tick_s > 0)"), SK_ECONFIG;
    if (!(v0->horizon_s > 0)) return snprintf(msg, len, "optimal needs a horizon (horizon_s > 0)"), SK_ECONFIG;
    memset(s, 0, sizeof *s);
    s->sample_s = pp[0].f;
    return 0;
}

static void opt_fini(void *st) {
    opt_state *s = st;
    free(s->plan);
    s->plan = NULL;
}

/* Build and solve the network of the header comment; fills s->plan and s->cost. */
static int opt_solve(opt_state *s, const sk_srv_view *v, double sample_s) {
    const int Z = v->nzones, Z1 = Z + 1, K = s->K, d = s->d, N = s->N;
    const int L = K - d; /* layers: ticks d..K-1 */
    double *c = malloc((size_t)K * Z1 * sizeof *c); /* $ of one replica in interval k */
    int32_t *cap = malloc((size_t)K * Z * sizeof *cap);
    int32_t *r = calloc((size_t)(L > 0 ? L : 1) * Z1, sizeof *r);
    int *ain = malloc((size_t)(L > 0 ? L : 1) * Z1 * sizeof *ain);
    mcf g = {0};
    int rc = SK_ENOMEM;
    s->plan = calloc((size_t)K * Z1, sizeof *s->plan);
    if (!c || !cap || !r || !ain || !s->plan) goto out;
    for (int k = 0; k < K; k++) {
        double t0 = k * v->tick_s, t1 = (k + 1) * v->tick_s;
        if (t1 > v->horizon_s) t1 = v->horizon_s;
        double lh = (t1 - t0) / 3600;
        double te = t1 - sample_s > t0 ? t1 - sample_s : t0;
        for (int j = 0; j < Z; j++) {
            int32_t a = v->cap_at(v->w, j, t0), b = v->cap_at(v->w, j, te);
            cap[k * Z + j] = a < b ? a : b;
            if (cap[k * Z + j] < 0) cap[k * Z + j] = 0;
            c[k * Z1 + j] = v->z[j].spot_price * lh;
        }
        c[k * Z1 + Z] = v->z[s->od_zone].od_price * lh;
    }
    s->cost = 0;
    if (L <= 0 || N <= 0) { /* nothing has to be ready: the empty plan */
        rc = 0;
        goto out;
    }
    const int64_t M = (int64_t)N * Z1;
    const int per = 2 * Z1 + 2, src = 0, sink = 1 + L * per;
    if ((rc = mcf_init(&g, sink + 1, L * (4 * Z1 + 2) + Z1 + 1))) goto out;
#define XIN(l, j) (1 + (l) * per + 2 * (j))
#define XOUT(l, j) (XIN(l, j) + 1)
#define DIN(l) (1 + (l) * per + 2 * Z1)
#define DOUT(l) (DIN(l) + 1)
    for (int l = 0; l < L; l++) {
        int k = d + l, prevd = l ? DOUT(l - 1) : src;
        for (int j = 0; j < Z1; j++) {
            double warm = 0; /* the warm-up intervals k-d..k-1 */
            for (int tau = k - d; tau < k; tau++) warm += c[tau * Z1 + j];
            int64_t C = M;
            if (j < Z)
                for (int tau = k - d; tau <= k; tau++)
                    if (cap[tau * Z + j] < C) C = cap[tau * Z + j];
            mcf_add(&g, prevd, XIN(l, j), M, warm);
            ain[l * Z1 + j] = mcf_add(&g, XIN(l, j), XOUT(l, j), C, c[k * Z1 + j]);
            if (l) {
                mcf_add(&g, XOUT(l - 1, j), XIN(l, j), M, 0);
                mcf_add(&g, XOUT(l - 1, j), DIN(l), M, 0);
            }
            if (l == L - 1) mcf_add(&g, XOUT(l, j), sink, M, 0);
        }
        mcf_add(&g, prevd, DIN(l), M, 0);
        mcf_add(&g, DIN(l), DOUT(l), M - N, 0);
        if (l == L - 1) mcf_add(&g, DOUT(l), sink, M, 0);
    }
#undef XIN
#undef XOUT
#undef DIN
#undef DOUT
    if ((rc = mcf_run(&g, src, sink, M))) goto out;
    for (int l = 0; l < L; l++)
        for (int j = 0; j < Z1; j++) r[l * Z1 + j] = (int32_t)g.a[ain[l * Z1 + j] ^ 1].cap;
    /* x_j(t) = max r_j(t..t+d) over the ticks that need readiness */
    for (int tau = 0; tau < K; tau++) {
        int lo = tau > d ? tau : d, hi = tau + d < K - 1 ? tau + d : K - 1;
        for (int j = 0; j < Z1; j++) {
            int32_t x = 0;
            for (int k = lo; k <= hi; k++)
                if (r[(k - d) * Z1 + j] > x) x = r[(k - d) * Z1 + j];
            s->plan[tau * Z1 + j] = x;
            s->cost += x * c[tau * Z1 + j];
        }
    }
    rc = 0;
out:
    mcf_fini(&g);
    free(c);
    free(cap);
    free(r);
    free(ain);
    return rc;
}

static void opt_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    opt_state *s = st;
    if (!s->done) {
        s->done = 1;
        s->nz = v->nzones;
        s->N = v->n_target;
        s->K = (int)ceil(v->horizon_s / v->tick_s - 1e-9);
        if (s->K < 1) s->K = 1;
        s->d = (int)ceil(v->cold_start_s / v->tick_s - 1e-9);
        if (s->d < 0) s->d = 0;
        int oz = 0;
        for (int j = 1; j < v->nzones; j++)
            if (v->z[j].od_price < v->z[oz].od_price) oz = j;
        s->od_zone = oz;
        if (opt_solve(s, v, s->sample_s)) {
            free(s->plan);
            s->plan = NULL;
            s->failed = 1;
        }
    }
    plan->od_zone = s->od_zone;
    if (s->failed) { /* out of memory: the always-feasible on-demand plan */
        plan->od = s->N;
        return;
    }
    int k = (int)floor(v->t / v->tick_s + 1e-9);
    if (k < 0) k = 0;
    if (k > s->K - 1) k = s->K - 1;
    const int32_t *x = s->plan + (size_t)k * (s->nz + 1);
    for (int j = 0; j < s->nz; j++) plan->spot[j] = x[j];
    plan->od = x[s->nz];
}

double sk_srv_optimal_cost(const void *state) {
    const opt_state *s = state;
    return s->done && !s->failed ? s->cost : -1;
}

const sk_serve_policy sk_srv_optimal = {
    .def = {"optimal", opt_params, sizeof opt_params / sizeof opt_params[0],
            "offline optimum (min-cost flow over the availability oracle): cheapest plan with N ready at every decision tick"},
    .state_size = sizeof(opt_state),
    .init = opt_init,
    .decide = opt_decide,
    .fini = opt_fini,
};
