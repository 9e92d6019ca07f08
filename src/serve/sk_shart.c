/* sk_shart.c - the SpotHedge artifact simulator (contract and section map: sk_shart.h; the
 * specification: ../shared/specs/spothedge-sim.md). Trace loading, the tick loop with its
 * fallbacks and placers, the Optimal integer program (min-cost flow) and the latency model. */
#include "serve/sk_shart.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_csv.h"
#include "serve/sk_mt19937.h"
#include "sk_error.h"

/* ---- trace loading (§1) ----------------------------------------------------------------------- */

void sk_shart_fini(sk_shart_trace *tr) {
    for (int z = 0; z < tr->nz; z++) {
        if (tr->zone) free(tr->zone[z]);
        if (tr->a) free(tr->a[z]);
    }
    free(tr->zone);
    free(tr->a);
    free(tr->len);
    memset(tr, 0, sizeof *tr);
}

static int sk__cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One zone file: data[] repeated `rep` times into *out (*n ticks). */
static int sk__load_zone(const char *path, double tick_s, int unlimited, int32_t **out, int64_t *n, char *err,
                         size_t errlen) {
    char *buf = NULL;
    size_t len;
    int rc = sk_file_slurp(path, &buf, &len, err, errlen);
    if (rc < 0) return rc;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
    *out = NULL;
    if (!root) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : len, line = 1, col = 1;
        for (size_t i = 0; i < off; i++) buf[i] == '\n' ? (line++, col = 1) : col++;
        rc = sk_errf(err, errlen, SK_EDATA, "%s:%zu:%zu: invalid JSON", path, line, col);
        goto done;
    }
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
    const cJSON *gap = md ? cJSON_GetObjectItemCaseSensitive(md, "gap_seconds") : NULL;
    if (!cJSON_IsNumber(gap) || !(gap->valuedouble > 0) || !isfinite(gap->valuedouble)) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: metadata.gap_seconds: %s", path,
                     gap ? "expected a positive number" : "missing");
        goto done;
    }
    int64_t rep = (int64_t)floor(gap->valuedouble / tick_s);
    if (rep < 1) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: metadata.gap_seconds: %g is shorter than the %g s tick", path,
                     gap->valuedouble, tick_s);
        goto done;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    int nv = cJSON_IsArray(data) ? cJSON_GetArraySize(data) : -1;
    if (nv <= 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: data: %s", path, data ? "expected a non-empty array" : "missing");
        goto done;
    }
    if (!(*out = malloc((size_t)nv * (size_t)rep * sizeof **out))) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    int64_t i = 0;
    for (const cJSON *v = data->child; v; v = v->next, i++) {
        double x = cJSON_IsNumber(v) ? v->valuedouble : -1;
        if (!(x >= 0) || x > 2147483647.0 || x != floor(x)) {
            rc = sk_errf(err, errlen, SK_EDATA, "%s: data[%lld]: expected a non-negative integer", path, (long long)i);
            free(*out), *out = NULL;
            goto done;
        }
        int32_t c = unlimited ? (x == 1 ? 1000000000 : 0) : (int32_t)x;
        for (int64_t r = 0; r < rep; r++) (*out)[i * rep + r] = c;
    }
    *n = (int64_t)nv * rep;
done:
    cJSON_Delete(root);
    free(buf);
    return rc;
}

int sk_shart_load(sk_shart_trace *tr, const char *dir, double tick_s, int unlimited, char *err, size_t errlen) {
    memset(tr, 0, sizeof *tr);
    DIR *d = opendir(dir);
    if (!d) return sk_errf(err, errlen, SK_ENOINPUT, "%s: cannot open the trace folder", dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json")) continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 8) * sizeof *nn);
            if (!nn) { rc = SK_ENOMEM; break; }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) { rc = SK_ENOMEM; break; }
        n++;
    }
    closedir(d);
    if (rc == 0 && n == 0) rc = sk_errf(err, errlen, SK_EDATA, "%s: no *.json zone traces in the folder", dir);
    else if (rc < 0) sk_errf(err, errlen, rc, "%s: out of memory", dir);
    if (rc == 0) {
        qsort(names, n, sizeof *names, sk__cmp_str);
        tr->zone = names;
        tr->nz = (int)n;
        names = NULL;
        tr->a = calloc(n, sizeof *tr->a);
        tr->len = calloc(n, sizeof *tr->len);
        if (!tr->a || !tr->len) rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", dir);
        for (size_t z = 0; rc == 0 && z < n; z++) {
            char path[4096];
            if (snprintf(path, sizeof path, "%s/%s", dir, tr->zone[z]) >= (int)sizeof path) {
                rc = sk_errf(err, errlen, SK_EUSAGE, "%s: path too long", dir);
                break;
            }
            rc = sk__load_zone(path, tick_s, unlimited, &tr->a[z], &tr->len[z], err, errlen);
            if (rc == 0 && (z == 0 || tr->len[z] < tr->min_len)) tr->min_len = tr->len[z];
        }
    }
    if (names) {
        for (size_t i = 0; i < n; i++) free(names[i]);
        free(names);
    }
    if (rc < 0) sk_shart_fini(tr);
    return rc;
}

/* ---- parameters ------------------------------------------------------------------------------- */

static const char *const sk__pol_names[SK_SHART_NPOLICY] = {"on_demand", "naive_spread", "round_robin",
                                                             "spothedge", "spothedge_safety", "optimal"};

const char *sk_shart_policy_name(sk_shart_policy p) {
    return (unsigned)p < SK_SHART_NPOLICY ? sk__pol_names[p] : "?";
}

int sk_shart_policy_find(const char *name) {
    for (int i = 0; i < SK_SHART_NPOLICY; i++)
        if (!strcmp(name, sk__pol_names[i])) return i;
    return -1;
}

void sk_shart_defaults(sk_shart_params *p) {
    *p = (sk_shart_params){.repeats = 10, .ticks = 2880, .n_tar = 3, .n_extra = 0, .cold_ticks = 4, .n_min = 3,
                           .k = 3, .slo = 0.99, .seed = 0, .latency = 1};
}

int sk_shart_check(const sk_shart_trace *tr, const sk_shart_params *p, char *err, size_t errlen) {
    if (tr->nz < 1) return sk_errf(err, errlen, SK_ECONFIG, "the trace has no zones");
    if (p->repeats < 1 || p->ticks < 1 || p->n_tar < 0 || p->n_extra < 0 || p->cold_ticks < 0)
        return sk_errf(err, errlen, SK_ECONFIG, "repeats and ticks must be >= 1, n_tar, n_extra and cold start >= 0");
    if (p->ticks >= tr->min_len)
        return sk_errf(err, errlen, SK_ECONFIG,
                       "ticks %lld must be shorter than the shortest zone trace (%lld ticks): the offsets are "
                       "randint(0, L_min - T)",
                       (long long)p->ticks, (long long)tr->min_len);
    if (p->cold_ticks >= p->ticks)
        return sk_errf(err, errlen, SK_ECONFIG, "cold start %lld ticks must be shorter than the run (%lld ticks)",
                       (long long)p->cold_ticks, (long long)p->ticks);
    if (p->n_tar + p->n_extra > 1000000)
        return sk_errf(err, errlen, SK_ECONFIG, "n_tar + n_extra must be at most 10^6");
    return 0;
}

/* ---- percentiles (§9.5) ----------------------------------------------------------------------- */

/* x[k] of the sorted order; x is partitioned around it (quickselect, median of three). */
static double sk__select(double *x, size_t n, size_t k) {
    int64_t lo = 0, hi = (int64_t)n - 1, kk = (int64_t)k;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        double a = x[lo], b = x[mid], c = x[hi];
        double piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int64_t i = lo, j = hi;
        do {
            while (x[i] < piv) i++;
            while (piv < x[j]) j--;
            if (i <= j) {
                double t = x[i];
                x[i] = x[j], x[j] = t;
                i++, j--;
            }
        } while (i <= j);
        if (kk <= j) hi = j;
        else if (kk >= i) lo = i;
        else return x[kk];
    }
    return x[kk];
}

double sk_shart_percentile(double *x, size_t n, double q) {
    if (n == 0) return NAN;
    double h = (double)(n - 1) * (q / 100.0); /* numpy: (n - 1) * quantiles, quantiles = q / 100 */
    double fl = floor(h);
    size_t lo = (size_t)fl;
    if (lo >= n - 1) return sk__select(x, n, n - 1);
    double g = h - fl, a = sk__select(x, n, lo), b = x[lo + 1];
    for (size_t i = lo + 2; i < n; i++)
        if (x[i] < b) b = x[i];
    double diff = b - a;
    return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/* ---- poll times (§9.3) ------------------------------------------------------------------------ */

int sk_shart_polls_init(sk_shart_polls *pl, double horizon) {
    const double c = 0.01, lim = horizon + 1;
    int k = 0;
    int64_t n = 0;
    double s = 0;
    while (s <= lim) {
        if (k == (int)(sizeof pl->n0 / sizeof pl->n0[0])) return SK_EINTERNAL;
        int e;
        frexp(s, &e);
        double top = ldexp(1, e), u = ldexp(1, e - 53), nxt = s + c;
        pl->n0[k] = n, pl->s0[k] = s;
        /* Below 1/16 the binades are too fine for a constant step (one ties to even): literal. */
        if (s < 0.0625 || nxt >= top) {
            pl->step[k++] = nxt - s;
            n++, s = nxt;
            continue;
        }
        double step = nxt - s; /* exact: s and nxt are in one binade */
        int64_t D = (int64_t)((top - s) / u), q = (int64_t)(step / u), cnt = (D + q - 1) / q;
        pl->step[k++] = step;
        s = (s + (double)(cnt - 1) * step) + c; /* the step out of the binade, literally */
        n += cnt;
    }
    pl->nseg = k;
    pl->end = n;
    return 0;
}

/* s_n, starting the segment search at *hint (the last segment used; queries mostly move forward). */
static double sk__poll_time(const sk_shart_polls *pl, int64_t n, int *hint) {
    if (n >= pl->end) return INFINITY;
    int h = *hint;
    if (!(h >= 0 && h < pl->nseg && pl->n0[h] <= n && (h + 1 == pl->nseg || pl->n0[h + 1] > n))) {
        int lo = 0, hi = pl->nseg - 1;
        while (lo < hi) { /* last segment with n0 <= n */
            int mid = (lo + hi + 1) / 2;
            if (pl->n0[mid] <= n) lo = mid;
            else hi = mid - 1;
        }
        *hint = h = lo;
    }
    return pl->s0[h] + (double)(n - pl->n0[h]) * pl->step[h];
}

double sk_shart_poll_time(const sk_shart_polls *pl, int64_t n) {
    int hint = -1;
    return sk__poll_time(pl, n, &hint);
}

static int64_t sk__poll_after(const sk_shart_polls *pl, double x, int *hint) {
    int last = pl->nseg - 1;
    if (!(x < sk__poll_time(pl, pl->end - 1, &last))) return pl->end;
    int64_t n = x > 0 ? (int64_t)(x * 100) : 0;
    if (n >= pl->end) n = pl->end - 1;
    while (sk__poll_time(pl, n, hint) <= x) n++;
    while (n > 0 && sk__poll_time(pl, n - 1, hint) > x) n--;
    return n;
}

int64_t sk_shart_poll_after(const sk_shart_polls *pl, double x) {
    int hint = -1;
    return sk__poll_after(pl, x, &hint);
}

/* ---- Optimal (§8): min-cost flow --------------------------------------------------------------- */

/* Why a flow gives the integer program's exact minimum (docs/serving_artifact.md has the proof):
 * with r_j(t) = min of s_j over [t-d, t] (the ready spot replicas of slot j), the program is
 * "choose r_j(t) <= C_j(t) = min(N_soft, min_{[t-d,t]} cap_j) and r_o(t) <= N_soft with
 * sum r >= N_tar for t in [d, T), paying sum_t max_{[t, t+d]} r per market". Split by levels,
 * each unit of r is a set of ready intervals [c, b] costing price * (b - c + 1 + d) (launched d
 * ticks before c). Covering every tick N_tar times by such intervals under per-slot caps is a
 * flow of N_tar units from tick d to tick T: a unit rides slot j's chain while it is ready (arc
 * cost = price, capacity C_j(t)), pays price*d to enter a chain, leaves it free, and free
 * backward arcs on the main line allow overlap. Capacities are integral, so the optimum flow is
 * integral and its cost is the program's minimum. */
typedef struct sk__mcf {
    int nv, na, ncap, vcap;
    int *head, *nxt, *to, *cap;
    double *cost, *pot, *dist;
    int *prev_arc, *heap_v;
    double *heap_d;
    int nheap;
} sk__mcf;

static int sk__mcf_arc(sk__mcf *g, int u, int v, int cap, double cost) {
    if (g->na + 2 > g->ncap) return SK_EINTERNAL;
    int a = g->na;
    g->to[a] = v, g->cap[a] = cap, g->cost[a] = cost, g->nxt[a] = g->head[u], g->head[u] = a;
    g->to[a + 1] = u, g->cap[a + 1] = 0, g->cost[a + 1] = -cost, g->nxt[a + 1] = g->head[v], g->head[v] = a + 1;
    g->na += 2;
    return 0;
}

static void sk__heap_push(sk__mcf *g, int v, double d) {
    int i = g->nheap++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (g->heap_d[p] <= d) break;
        g->heap_d[i] = g->heap_d[p], g->heap_v[i] = g->heap_v[p];
        i = p;
    }
    g->heap_d[i] = d, g->heap_v[i] = v;
}

static int sk__heap_pop(sk__mcf *g, double *d) {
    int v = g->heap_v[0];
    *d = g->heap_d[0];
    double ld = g->heap_d[--g->nheap];
    int lv = g->heap_v[g->nheap], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= g->nheap) break;
        if (c + 1 < g->nheap && g->heap_d[c + 1] < g->heap_d[c]) c++;
        if (g->heap_d[c] >= ld) break;
        g->heap_d[i] = g->heap_d[c], g->heap_v[i] = g->heap_v[c];
        i = c;
    }
    g->heap_d[i] = ld, g->heap_v[i] = lv;
    return v;
}

static void sk__mcf_free(sk__mcf *g) {
    free(g->head), free(g->nxt), free(g->to), free(g->cap), free(g->cost), free(g->pot), free(g->dist);
    free(g->prev_arc), free(g->heap_v), free(g->heap_d);
}

/* Successive shortest paths (Dijkstra on reduced costs) from s to t for `want` units. Returns the
 * units sent. */
static int sk__mcf_run(sk__mcf *g, int s, int t, int want) {
    int sent = 0;
    for (int v = 0; v < g->nv; v++) g->pot[v] = 0;
    while (sent < want) {
        for (int v = 0; v < g->nv; v++) g->dist[v] = INFINITY, g->prev_arc[v] = -1;
        g->nheap = 0;
        g->dist[s] = 0;
        sk__heap_push(g, s, 0);
        while (g->nheap) {
            double d;
            int u = sk__heap_pop(g, &d);
            if (d > g->dist[u]) continue;
            for (int a = g->head[u]; a >= 0; a = g->nxt[a]) {
                if (!g->cap[a]) continue;
                int v = g->to[a];
                double nd = d + g->cost[a] + g->pot[u] - g->pot[v];
                if (nd < g->dist[v]) {
                    g->dist[v] = nd, g->prev_arc[v] = a;
                    sk__heap_push(g, v, nd);
                }
            }
        }
        if (!isfinite(g->dist[t])) break;
        for (int v = 0; v < g->nv; v++)
            if (isfinite(g->dist[v])) g->pot[v] += g->dist[v];
        int f = want - sent;
        for (int v = t; v != s; v = g->to[g->prev_arc[v] ^ 1])
            if (g->cap[g->prev_arc[v]] < f) f = g->cap[g->prev_arc[v]];
        for (int v = t; v != s; v = g->to[g->prev_arc[v] ^ 1]) g->cap[g->prev_arc[v]] -= f, g->cap[g->prev_arc[v] ^ 1] += f;
        sent += f;
    }
    return sent;
}

/* Grow g's arrays to nv nodes and na arcs; returns 0 or SK_ENOMEM (g unchanged but usable). */
static int sk__mcf_reserve(sk__mcf *g, int nv, int na) {
#define SK__GROW(f, n)                                                                           \
    do {                                                                                         \
        void *q_ = realloc(g->f, (size_t)(n) * sizeof *g->f);                                   \
        if (!q_) return SK_ENOMEM;                                                               \
        g->f = q_;                                                                               \
    } while (0)
    if (nv > g->vcap) {
        SK__GROW(head, nv);
        SK__GROW(pot, nv);
        SK__GROW(dist, nv);
        SK__GROW(prev_arc, nv);
        g->vcap = nv;
    }
    if (na > g->ncap) {
        SK__GROW(nxt, na);
        SK__GROW(to, na);
        SK__GROW(cap, na);
        SK__GROW(cost, na);
        SK__GROW(heap_v, na);
        SK__GROW(heap_d, na);
        g->ncap = na;
    }
#undef SK__GROW
    return 0;
}

/* The optimum of one repeat in the workspace g (kept for the next call). */
static int sk__optimal(sk__mcf *g_, int nz, const int32_t *const *caps, const sk_shart_params *p, double *cost) {
    const int64_t T = p->ticks, d = p->cold_ticks, soft = p->n_tar + p->n_extra;
    const int W = (int)(T - d + 1), nc = nz + 1, BIG = 1 << 29;
    if ((double)W * (1 + 3 * nc) * 2 > 2e9) return SK_ENOMEM;
    int rc = sk__mcf_reserve(g_, W * (1 + nc), 2 * (W * (1 + 3 * nc)));
    if (rc < 0) return rc;
    sk__mcf g = *g_; /* a local copy: arrays shared, counters local */
    g.nv = W * (1 + nc);
    g.na = 0;
    for (int v = 0; v < g.nv; v++) g.head[v] = -1;
#define SK__MAIN(t) ((int)((t) - d))
#define SK__CHAIN(c, t) (W * (1 + (c)) + (int)((t) - d))
    for (int64_t t = d; t < T && rc == 0; t++) {
        rc |= sk__mcf_arc(&g, SK__MAIN(t + 1), SK__MAIN(t), BIG, 0);
        for (int c = 0; c < nc && rc == 0; c++) {
            double price = c < nz ? 1.0 : p->k;
            int64_t cap = soft;
            if (c < nz)
                for (int64_t u = t - d; u <= t; u++)
                    if (caps[c][u] < cap) cap = caps[c][u];
            rc |= sk__mcf_arc(&g, SK__MAIN(t), SK__CHAIN(c, t), BIG, price * (double)d);
            rc |= sk__mcf_arc(&g, SK__CHAIN(c, t), SK__CHAIN(c, t + 1), (int)cap, price);
            rc |= sk__mcf_arc(&g, SK__CHAIN(c, t + 1), SK__MAIN(t + 1), BIG, 0);
        }
    }
    if (rc < 0) return rc;
    if (sk__mcf_run(&g, SK__MAIN(d), SK__MAIN(T), (int)p->n_tar) != (int)p->n_tar)
        return SK_EINTERNAL; /* cannot happen: on-demand is unbounded in count over time */
    /* The objective, summed from the flows on the original arcs (even arcs; flow = reverse cap). */
    double total = 0;
    for (int a = 0; a < g.na; a += 2) total += (double)g.cap[a + 1] * g.cost[a];
    *cost = total;
#undef SK__MAIN
#undef SK__CHAIN
    return 0;
}

int sk_shart_optimal_cost(int nz, const int32_t *const *caps, const sk_shart_params *p, double *cost) {
    sk__mcf g = {0};
    int rc = sk__optimal(&g, nz, caps, p, cost);
    sk__mcf_free(&g);
    return rc;
}

/* ---- the latency model (§9) ------------------------------------------------------------------- */

#define SK__TIMEOUT 100.0
#define SK__NEVER INT64_MAX

typedef struct sk__lnode {
    double *q;          /* arrival times of the queued requests, FIFO from head */
    int64_t head, n, cap;
    int64_t free_from;  /* first poll at which the node is free */
    int64_t cand;       /* the poll that serves its head (SK__NEVER: empty queue) */
} sk__lnode;

typedef struct sk__lat {
    sk_shart_polls pl;
    double horizon;
    int hint; /* poll segment last used */
    sk__lnode *node;
    int64_t nn, ncap;
    sk_mt mt; /* numpy seed(0): the exponentials E_0, E_1, ... */
    double *E;
    int64_t nE, capE;
    double *val; /* recorded values, all repeats */
    int64_t nval, capval;
} sk__lat;

static void sk__lat_free(sk__lat *L) {
    for (int64_t i = 0; i < L->ncap; i++) free(L->node[i].q);
    free(L->node), free(L->E), free(L->val);
}

static int sk__E_upto(sk__lat *L, int64_t i) {
    if (i < L->nE) return 0;
    if (i >= L->capE) {
        int64_t nc = L->capE ? 2 * L->capE : 65536;
        while (nc <= i) nc *= 2;
        double *e = realloc(L->E, (size_t)nc * sizeof *e);
        if (!e) return SK_ENOMEM;
        L->E = e, L->capE = nc;
    }
    while (L->nE <= i) L->E[L->nE++] = sk_mt_np_std_exp(&L->mt);
    return 0;
}

static int sk__record(sk__lat *L, double v) {
    if (L->nval == L->capval) {
        int64_t nc = L->capval ? 2 * L->capval : 65536;
        double *x = realloc(L->val, (size_t)nc * sizeof *x);
        if (!x) return SK_ENOMEM;
        L->val = x, L->capval = nc;
    }
    L->val[L->nval++] = v;
    return 0;
}

static int sk__push(sk__lnode *nd, double a) {
    if (nd->head + nd->n == nd->cap) {
        if (nd->head > 0) {
            memmove(nd->q, nd->q + nd->head, (size_t)nd->n * sizeof *nd->q);
            nd->head = 0;
        }
        if (nd->n == nd->cap) {
            int64_t nc = nd->cap ? 2 * nd->cap : 64;
            double *q = realloc(nd->q, (size_t)nc * sizeof *q);
            if (!q) return SK_ENOMEM;
            nd->q = q, nd->cap = nc;
        }
    }
    nd->q[nd->head + nd->n++] = a;
    return 0;
}

/* One repeat of the latency model on node series n[0..M); client 0 reads the seed-0 exponentials
 * from position base0 (the previous repeat's service draws). Values go to L->val. */
static int sk__latency(sk__lat *L, const int32_t *n, int64_t M, int64_t base0, int64_t *services) {
    const double H = L->horizon;
    int rc;
    int64_t idx[3] = {0, 0, 0}, base[3] = {base0, 0, 0}, ptr[3] = {0, 0, 0}, m = 0, nsvc = 0;
    double tc[3];
    if ((rc = sk__E_upto(L, base0)) < 0) return rc;
    for (int c = 0; c < 3; c++) tc[c] = 0 + 20.0 * L->E[base[c]];
    L->nn = 0;
    for (;;) {
        int64_t P = SK__NEVER;
        for (int64_t i = 0; i < L->nn; i++)
            if (L->node[i].cand < P) P = L->node[i].cand;
        double sP = P == SK__NEVER ? INFINITY : sk__poll_time(&L->pl, P, &L->hint);
        double ta = m < M ? 30.0 * (double)m : INFINITY;
        int c = 0;
        if (tc[1] < tc[c]) c = 1;
        if (tc[2] < tc[c]) c = 2;
        if (ta <= sP && ta <= tc[c]) { /* node adjuster (§9.4): before a poll or arrival at the same time */
            if (ta >= H) break;
            int64_t want = n[m++];
            if (want > L->ncap) {
                sk__lnode *nn = realloc(L->node, (size_t)want * sizeof *nn);
                if (!nn) return SK_ENOMEM;
                memset(nn + L->ncap, 0, (size_t)(want - L->ncap) * sizeof *nn);
                L->node = nn, L->ncap = want;
            }
            while (L->nn < want) {
                sk__lnode *nd = &L->node[L->nn++];
                nd->head = nd->n = 0, nd->free_from = 0, nd->cand = SK__NEVER;
            }
            while (L->nn > want) {
                sk__lnode *nd = &L->node[--L->nn];
                for (int64_t i = 0; i < nd->n; i++)
                    if ((rc = sk__record(L, SK__TIMEOUT)) < 0) return rc;
                nd->n = nd->head = 0;
            }
        } else if (tc[c] < sP) { /* arrival (§9.2): before a poll only if strictly earlier */
            double a = tc[c];
            if (a >= H) break;
            if (L->nn == 0) {
                if ((rc = sk__record(L, SK__TIMEOUT)) < 0) return rc;
            } else {
                sk__lnode *nd = &L->node[ptr[c]++ % L->nn];
                if (nd->n == 0) {
                    int64_t f = sk__poll_after(&L->pl, a, &L->hint);
                    nd->cand = f > nd->free_from ? f : nd->free_from;
                }
                if ((rc = sk__push(nd, a)) < 0) return rc;
            }
            idx[c]++;
            if ((rc = sk__E_upto(L, base[c] + idx[c])) < 0) return rc;
            tc[c] = a + 20.0 * L->E[base[c] + idx[c]];
        } else { /* a poll that serves someone (§9.3) */
            if (sP >= H) break;
            for (int64_t i = 0; i < L->nn; i++) {
                sk__lnode *nd = &L->node[i];
                if (nd->cand != P) continue;
                double a = nd->q[nd->head++];
                nd->n--;
                if (sP - a > SK__TIMEOUT) {
                    if ((rc = sk__record(L, SK__TIMEOUT)) < 0) return rc;
                    nd->free_from = P + 1;
                } else {
                    if ((rc = sk__E_upto(L, nsvc)) < 0) return rc;
                    double e = sP + 10.0 * L->E[nsvc++];
                    if (e < H && (rc = sk__record(L, e - a)) < 0) return rc;
                    nd->free_from = sk__poll_after(&L->pl, e, &L->hint);
                }
                if (nd->n == 0) nd->head = 0;
                nd->cand = nd->n ? nd->free_from : SK__NEVER;
            }
        }
    }
    *services = nsvc;
    return 0;
}

/* ---- the tick loop (§3-§7) -------------------------------------------------------------------- */

typedef struct sk__run {
    const sk_shart_trace *tr;
    const sk_shart_params *p;
    int Z;
    int64_t T, d;
    int *zones;          /* slot -> zone file, persists across repeats (§2b) */
    int32_t *S, *OD;     /* S[t*Z + j] realised spot, OD[t] */
    int32_t *P, *last;   /* plan of this tick, SpotHedge's plan of the previous tick */
    int *act, *pre, *cand;
    int32_t *nodes;      /* latency input */
    const int32_t **caps;
    int64_t t_last, od_last; /* SpotFailover's memory: not reset between repeats (§5) */
    sk__mcf mcf;             /* Optimal's workspace, reused by every repeat */
} sk__run;

static int64_t sk__ready_spot(const sk__run *R, int64_t t) {
    if (t < R->d) return 0;
    int64_t sum = 0;
    for (int j = 0; j < R->Z; j++) {
        int32_t mn = R->S[t * R->Z + j];
        for (int64_t u = t - R->d; u < t; u++)
            if (R->S[u * R->Z + j] < mn) mn = R->S[u * R->Z + j];
        sum += mn;
    }
    return sum;
}

static int64_t sk__ready_od(const sk__run *R, int64_t t) {
    if (t < R->d) return 0;
    int32_t mn = R->OD[t];
    for (int64_t u = t - R->d; u < t; u++)
        if (R->OD[u] < mn) mn = R->OD[u];
    return mn;
}

static void sk__list_remove(int *l, int *n, int v) {
    int k = 0;
    for (int i = 0; i < *n; i++)
        if (l[i] != v) l[k++] = l[i];
    *n = k;
}

static int sk__list_has(const int *l, int n, int v) {
    for (int i = 0; i < n; i++)
        if (l[i] == v) return 1;
    return 0;
}

/* One repeat of a tick-loop policy; fills cost, availability and nodes[0..T-d). */
static void sk__ticks(sk__run *R, int64_t off, sk_mt *py, sk_shart_policy pol, double *cost, double *avail) {
    const sk_shart_params *p = R->p;
    const int Z = R->Z;
    const int64_t T = R->T, d = R->d, n_tar = p->n_tar, n_prov = p->n_tar + p->n_extra;
    memset(R->S, 0, (size_t)(T * Z) * sizeof *R->S);
    memset(R->OD, 0, (size_t)T * sizeof *R->OD);
    int na = Z, np = 0, have_last = 0, rr = 0;
    for (int j = 0; j < Z; j++) R->act[j] = j;
    int64_t ready_cnt = 0; /* ticks tau < t with ready >= N_min (the safety net's numerator) */
    for (int64_t t = 0; t < T; t++) {
        int64_t od = 0, n_spot = n_prov;
        if (pol == SK_SHART_ON_DEMAND) od = n_prov, n_spot = 0;
        else if (pol == SK_SHART_SPOTHEDGE || pol == SK_SHART_SPOTHEDGE_SAFETY) {
            int64_t gap = n_prov - (t >= 1 ? sk__ready_spot(R, t - 1) : 0);
            if (pol == SK_SHART_SPOTHEDGE) od = gap > 0 ? (n_tar < gap ? n_tar : gap) : 0;
            else {
                double f = (double)(ready_cnt + (0 >= p->n_min)) / (double)(t + 1);
                if (f <= p->slo && od < p->n_min) od = p->n_min;
                if (gap > 0) {
                    int64_t g = n_tar < gap ? n_tar : gap;
                    if (g > od) od = g;
                    R->t_last = t, R->od_last = od;
                } else if (t - R->t_last < d && R->od_last > od) {
                    od = R->od_last;
                }
            }
        }
        int32_t *P = R->P;
        const int32_t *prev = t > 0 ? R->S + (t - 1) * Z : NULL;
        memset(P, 0, (size_t)Z * sizeof *P);
        if (pol != SK_SHART_ON_DEMAND) {
            if (pol != SK_SHART_NAIVE_SPREAD && pol != SK_SHART_ROUND_ROBIN && have_last) {
                for (int j = 0; j < Z; j++) {
                    if (R->last[j] > prev[j]) {
                        if (sk__list_has(R->act, na, j)) sk__list_remove(R->act, &na, j), R->pre[np++] = j;
                    } else if (R->last[j] > 0 && R->last[j] == prev[j]) {
                        if (sk__list_has(R->pre, np, j)) sk__list_remove(R->pre, &np, j), R->act[na++] = j;
                    }
                }
            }
            int64_t sumprev = 0, todo;
            for (int j = 0; prev && j < Z; j++) sumprev += prev[j];
            if (n_spot >= sumprev) {
                if (prev) memcpy(P, prev, (size_t)Z * sizeof *P);
                todo = n_spot - sumprev;
            } else {
                todo = n_spot;
            }
            if (pol == SK_SHART_NAIVE_SPREAD) {
                for (int32_t m = 0; todo > 0; m++)
                    for (int j = 0; j < Z && todo > 0; j++)
                        if (P[j] == m) P[j]++, todo--;
            } else if (pol == SK_SHART_ROUND_ROBIN) {
                for (; todo > 0; todo--) P[rr]++, rr = (rr + 1) % Z;
            } else {
                if (na <= (Z - 3 < 1 ? Z - 3 : 1) || na == 0) { /* na == 0 only for Z < 3 (see the doc) */
                    na = Z, np = 0;
                    for (int j = 0; j < Z; j++) R->act[j] = j;
                }
                for (; todo > 0; todo--) {
                    int nc = 0;
                    for (int i = 0; i < na; i++)
                        if (P[R->act[i]] == 0) R->cand[nc++] = R->act[i];
                    const int *C = nc ? R->cand : R->act;
                    int j = sk_mt_py_choice(py, C, (size_t)(nc ? nc : na));
                    P[j]++;
                }
                memcpy(R->last, P, (size_t)Z * sizeof *P);
                have_last = 1;
            }
        }
        int32_t *S = R->S + t * Z;
        for (int j = 0; j < Z; j++) {
            int32_t a = R->tr->a[R->zones[j]][t + off];
            S[j] = P[j] < a ? P[j] : a;
        }
        R->OD[t] = (int32_t)od;
        if (pol == SK_SHART_SPOTHEDGE_SAFETY && sk__ready_spot(R, t) + sk__ready_od(R, t) >= p->n_min) ready_cnt++;
    }
    int64_t spot = 0, odsum = 0, up = 0;
    for (int64_t t = d; t < T; t++) {
        int64_t ready = sk__ready_spot(R, t) + sk__ready_od(R, t);
        R->nodes[t - d] = (int32_t)ready;
        up += ready >= p->n_min;
        for (int j = 0; j < Z; j++) spot += R->S[t * Z + j];
        odsum += R->OD[t];
    }
    *cost = (double)spot + p->k * (double)odsum;
    *avail = (double)up / (double)(T - d);
}

/* ---- one run ---------------------------------------------------------------------------------- */

static void sk__pcts(double *x, size_t n, double *p50, double *p90, double *p99, double *p999) {
    *p50 = sk_shart_percentile(x, n, 50);
    *p90 = sk_shart_percentile(x, n, 90);
    *p99 = sk_shart_percentile(x, n, 99);
    *p999 = sk_shart_percentile(x, n, 99.9);
}

int sk_shart_run(const sk_shart_trace *tr, const sk_shart_params *p, sk_shart_policy pol, sk_shart_result *res,
                 sk_shart_repeat *reps, char *err, size_t errlen) {
    int rc = sk_shart_check(tr, p, err, errlen);
    if (rc < 0) return rc;
    if ((unsigned)pol >= SK_SHART_NPOLICY) return sk_errf(err, errlen, SK_ECONFIG, "unknown policy %d", (int)pol);
    const int Z = tr->nz;
    const int64_t T = p->ticks, d = p->cold_ticks, R_ = p->repeats;
    sk__run R = {.tr = tr, .p = p, .Z = Z, .T = T, .d = d, .t_last = -1, .od_last = 0};
    sk__lat L = {0};
    int64_t *off = malloc((size_t)R_ * sizeof *off);
    R.zones = malloc((size_t)Z * sizeof *R.zones);
    R.S = malloc((size_t)(T * Z) * sizeof *R.S);
    R.OD = malloc((size_t)T * sizeof *R.OD);
    R.P = malloc((size_t)Z * sizeof *R.P);
    R.last = malloc((size_t)Z * sizeof *R.last);
    R.act = malloc((size_t)Z * sizeof *R.act);
    R.pre = malloc((size_t)Z * sizeof *R.pre);
    R.cand = malloc((size_t)Z * sizeof *R.cand);
    R.nodes = malloc((size_t)T * sizeof *R.nodes);
    R.caps = malloc((size_t)Z * sizeof *R.caps);
    if (!off || !R.zones || !R.S || !R.OD || !R.P || !R.last || !R.act || !R.pre || !R.cand || !R.nodes || !R.caps) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "out of memory");
        goto out;
    }
    /* §2a: the offsets, numpy seed(seed), before anything else */
    sk_mt np;
    sk_mt_init_genrand(&np, p->seed);
    for (int64_t r = 0; r < R_; r++) off[r] = (int64_t)sk_mt_np_randint(&np, (uint64_t)(tr->min_len - T));
    for (int j = 0; j < Z; j++) R.zones[j] = j;
    const int64_t M = pol == SK_SHART_OPTIMAL ? T : T - d;
    if (p->latency) {
        L.horizon = 30.0 * (double)M + 1;
        sk_mt_init_genrand(&L.mt, 0);
        if ((rc = sk_shart_polls_init(&L.pl, L.horizon)) < 0) {
            sk_errf(err, errlen, rc, "poll table: too many segments");
            goto out;
        }
    }
    double csum = 0, asum = 0;
    int64_t prev_svc = 0, fails = 0;
    for (int64_t r = 0; r < R_; r++) {
        sk_mt py;
        sk_mt_py_seed(&py, 0); /* §2b: every repeat starts from random.seed(0) */
        sk_mt_py_shuffle(&py, R.zones, (size_t)Z);
        double cost, avail;
        if (pol == SK_SHART_OPTIMAL) {
            for (int j = 0; j < Z; j++) R.caps[j] = tr->a[R.zones[j]] + off[r];
            if ((rc = sk__optimal(&R.mcf, Z, R.caps, p, &cost)) < 0) {
                sk_errf(err, errlen, rc, "optimal: %s", sk_strerror(rc));
                goto out;
            }
            cost = round(cost * 1e4) / 1e4; /* the artifact rounds the objective to 4 dp */
            avail = 1;
            for (int64_t t = 0; t < T; t++) R.nodes[t] = t < d ? 0 : (int32_t)p->n_tar;
        } else {
            sk__ticks(&R, off[r], &py, pol, &cost, &avail);
        }
        csum += cost, asum += avail;
        sk_shart_repeat one = {off[r], cost, avail, 0, 0, 0, NAN, NAN, NAN, NAN};
        if (p->latency) {
            int64_t v0 = L.nval, f = 0;
            if ((rc = sk__latency(&L, R.nodes, M, prev_svc, &one.services)) < 0) {
                sk_errf(err, errlen, rc, "latency model: out of memory");
                goto out;
            }
            prev_svc = one.services;
            one.requests = L.nval - v0;
            for (int64_t i = v0; i < L.nval; i++) f += L.val[i] == SK__TIMEOUT;
            one.failures = f, fails += f;
            if (reps) sk__pcts(L.val + v0, (size_t)one.requests, &one.p50, &one.p90, &one.p99, &one.p999);
        }
        if (reps) reps[r] = one;
    }
    memset(res, 0, sizeof *res);
    res->cost = csum / (double)R_;
    res->relative = res->cost / (p->k * (double)p->n_tar * (double)(T - d));
    res->availability = asum / (double)R_;
    res->p50 = res->p90 = res->p99 = res->p999 = res->failure_rate = NAN;
    if (p->latency) {
        res->requests = L.nval, res->failures = fails;
        res->failure_rate = L.nval ? (double)fails / (double)L.nval : NAN;
        sk__pcts(L.val, (size_t)L.nval, &res->p50, &res->p90, &res->p99, &res->p999);
    }
out:
    sk__lat_free(&L);
    sk__mcf_free(&R.mcf);
    free(off), free(R.zones), free(R.S), free(R.OD), free(R.P), free(R.last), free(R.act), free(R.pre);
    free(R.cand), free(R.nodes), free(R.caps);
    return rc;
}
