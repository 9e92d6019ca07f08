/* test_shart.c - the SpotHedge artifact mode (src/serve/sk_shart, src/serve/sk_mt19937): the
 * MT19937 reference outputs and the numpy / CPython draws (values printed by CPython 3.11), the
 * closed-form poll times against the literal sum, percentiles against a full sort, the Optimal
 * min-cost flow against a brute-force search of the integer program, and every example value of
 * the spec's section 11 (AWS1, AWS2, GCP1) at the precision the spec prints; the scenario kind
 * spothedge_artifact (its eval.py defaults, seed -1, errors). */
#include <stdlib.h>
#include <unistd.h>

#include "core/sk_scenario.h"
#include "serve/sk_mt19937.h"
#include "serve/sk_shart.h"
#include "sim/sk_kinds.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

/* ---- MT19937 --------------------------------------------------------------------------------- */

static void test_mt_reference(void) {
    sk_mt m;
    sk_mt_init_genrand(&m, 5489); /* the generator's default seed */
    ASSERT_EQ_U64(sk_mt_u32(&m), 3499211612U);
    ASSERT_EQ_U64(sk_mt_u32(&m), 581869302U);
    ASSERT_EQ_U64(sk_mt_u32(&m), 3890346734U);
    for (int i = 3; i < 9999; i++) sk_mt_u32(&m);
    ASSERT_EQ_U64(sk_mt_u32(&m), 4123659995U); /* the 10000th output (C++ std::mt19937 check) */
    const uint32_t key[4] = {0x123, 0x234, 0x345, 0x456};
    sk_mt_init_by_array(&m, key, 4); /* mt19937ar.out */
    const uint32_t want[5] = {1067595299U, 955945823U, 477289528U, 4107218783U, 4228976476U};
    for (int i = 0; i < 5; i++) ASSERT_EQ_U64(sk_mt_u32(&m), want[i]);
}

static void test_mt_numpy(void) {
    sk_mt m;
    sk_mt_init_genrand(&m, 0); /* np.random.seed(0) */
    ASSERT_EQ_U64(sk_mt_u32(&m), 2357136044U);
    ASSERT_EQ_U64(sk_mt_u32(&m), 2546248239U);
    ASSERT_EQ_U64(sk_mt_u32(&m), 3071714933U);
    sk_mt_init_genrand(&m, 0);
    ASSERT_TRUE(sk_mt_np_double(&m) == 0.5488135039273248); /* np.random.rand() */
    ASSERT_TRUE(sk_mt_np_double(&m) == 0.7151893663724195);
    ASSERT_TRUE(sk_mt_np_double(&m) == 0.6027633760716439);
    sk_mt_init_genrand(&m, 0);
    ASSERT_TRUE(sk_mt_np_std_exp(&m) == 0.79587450816311);
    ASSERT_TRUE(sk_mt_np_std_exp(&m) == 1.2559307629658378);
    ASSERT_TRUE(sk_mt_np_std_exp(&m) == 0.9232231458040688);
    /* randint(0, 28680) x 10: the AWS1 offsets of seed 0 (masked rejection, mask 0x7fff) */
    const uint64_t off[10] = {2732, 10799, 9845, 19648, 13123, 21243, 9225, 24275, 20757, 22258};
    sk_mt_init_genrand(&m, 0);
    for (int i = 0; i < 10; i++) ASSERT_EQ_U64(sk_mt_np_randint(&m, 28680), off[i]);
    ASSERT_EQ_U64(sk_mt_np_randint(&m, 1), 0);
}

static void test_mt_cpython(void) {
    sk_mt m;
    sk_mt_py_seed(&m, 0); /* random.seed(0) */
    ASSERT_EQ_U64(sk_mt_py_getrandbits(&m, 32), 3626764237U);
    ASSERT_EQ_U64(sk_mt_py_getrandbits(&m, 32), 1654615998U);
    ASSERT_EQ_U64(sk_mt_py_getrandbits(&m, 32), 3255389356U);
    sk_mt_py_seed(&m, 0);
    int x[6] = {0, 1, 2, 3, 4, 5}, want[6] = {4, 2, 1, 0, 5, 3};
    sk_mt_py_shuffle(&m, x, 6);
    for (int i = 0; i < 6; i++) ASSERT_EQ_INT(x[i], want[i]);
    const int s[3] = {3, 1, 4}, wc[5] = {1, 1, 1, 1, 4};
    for (int i = 0; i < 5; i++) ASSERT_EQ_INT(sk_mt_py_choice(&m, s, 3), wc[i]);
    sk_mt_py_seed(&m, 0);
    int y[3] = {0, 1, 2};
    sk_mt_py_shuffle(&m, y, 3); /* the zone order of every repeat's first shuffle on 3 zones */
    ASSERT_EQ_INT(y[0], 0);
    ASSERT_EQ_INT(y[1], 2);
    ASSERT_EQ_INT(y[2], 1);
    sk_mt_py_seed(&m, 0);
    const uint32_t rb[8] = {6, 3, 6, 3, 0, 2, 4, 3}; /* randrange(7) */
    for (int i = 0; i < 8; i++) ASSERT_EQ_U64(sk_mt_py_randbelow(&m, 7), rb[i]);
    sk_mt_py_seed(&m, 12345678901ULL); /* two key words */
    ASSERT_EQ_U64(sk_mt_py_getrandbits(&m, 32), 4063089813U);
    ASSERT_EQ_U64(sk_mt_py_getrandbits(&m, 32), 2562312935U);
    ASSERT_TRUE(sk_mt_py_random(&m) == 0.3279999559233737);
}

/* ---- pieces of the latency model --------------------------------------------------------------- */

static void test_polls(void) {
    const double H = 30.0 * 2880 + 1;
    sk_shart_polls pl;
    ASSERT_EQ_INT(sk_shart_polls_init(&pl, H), 0);
    double s = 0;
    int64_t n = 0, bad = -1;
    for (; s < H + 0.5; n++, s += 0.01)
        if (sk_shart_poll_time(&pl, n) != s && bad < 0) bad = n;
    ASSERT_EQ_I64(bad, -1);
    ASSERT_TRUE(n <= pl.end);
    /* the first poll strictly after x */
    const double xs[] = {0, 0.005, 0.01, 0.02, 0.029999, 1.0, 1234.567, 30.0 * 1000, 86000.123456};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        int64_t k = sk_shart_poll_after(&pl, xs[i]);
        ASSERT_TRUE(sk_shart_poll_time(&pl, k) > xs[i]);
        ASSERT_TRUE(k == 0 || sk_shart_poll_time(&pl, k - 1) <= xs[i]);
    }
    /* an accumulated poll time itself: the next poll */
    double s7 = sk_shart_poll_time(&pl, 777777);
    ASSERT_EQ_I64(sk_shart_poll_after(&pl, s7), 777778);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_percentile(void) {
    enum { N = 1001 };
    static double x[N], sorted[N], work[N];
    unsigned v = 12345;
    for (int n = 1; n <= N; n += 37) {
        for (int i = 0; i < n; i++) {
            v = v * 1103515245u + 12345u;
            x[i] = (v >> 16) % 7 == 0 ? 100.0 : (double)((v >> 8) % 100000) / 997.0; /* with ties */
        }
        memcpy(sorted, x, (size_t)n * sizeof *x);
        qsort(sorted, (size_t)n, sizeof *sorted, cmp_d);
        const double qs[] = {0, 1, 50, 90, 99, 99.9, 100};
        for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
            double h = (double)(n - 1) * (qs[k] / 100), lo = floor(h), g = h - lo, want;
            size_t l = (size_t)lo;
            if (l + 1 >= (size_t)n) want = sorted[n - 1];
            else if (g >= 0.5) want = sorted[l + 1] - (sorted[l + 1] - sorted[l]) * (1 - g);
            else want = sorted[l] + (sorted[l + 1] - sorted[l]) * g;
            memcpy(work, x, (size_t)n * sizeof *x);
            double got = sk_shart_percentile(work, (size_t)n, qs[k]);
            if (got != want) SK_T_FAIL_("n %d q %g: %.17g != %.17g", n, qs[k], got, want);
        }
    }
    ASSERT_TRUE(isnan(sk_shart_percentile(work, 0, 50)));
}

/* ---- Optimal ----------------------------------------------------------------------------------- */

/* The integer program of spec section 8 by enumeration of every s and o: feasible iff for every
 * t >= d the ready spot (per-slot minimum of s over [t-d, t]) plus the ready on-demand reaches
 * N_tar (a and ao are then chosen <= those minima summing to N_tar <= N_soft). */
static double brute_opt(int nz, const int32_t *const *caps, int64_t T, int64_t d, int64_t ntar, int64_t soft, double k) {
    int nvar = (int)(T * (nz + 1));
    int val[64] = {0}, hi[64];
    for (int c = 0; c <= nz; c++)
        for (int64_t t = 0; t < T; t++) {
            int64_t h = soft;
            if (c < nz && caps[c][t] < h) h = caps[c][t];
            hi[c * T + t] = (int)h;
        }
    double best = INFINITY;
    for (;;) {
        int ok = 1;
        for (int64_t t = d; t < T && ok; t++) {
            int64_t ready = 0;
            for (int c = 0; c <= nz; c++) {
                int mn = val[c * T + t];
                for (int64_t u = t - d; u < t; u++)
                    if (val[c * T + u] < mn) mn = val[c * T + u];
                ready += mn;
            }
            ok = ready >= ntar;
        }
        if (ok) {
            double cost = 0;
            for (int c = 0; c <= nz; c++)
                for (int64_t t = 0; t < T; t++) cost += (c < nz ? 1 : k) * val[c * T + t];
            if (cost < best) best = cost;
        }
        int i = 0;
        while (i < nvar && val[i] == hi[i]) val[i++] = 0;
        if (i == nvar) break;
        val[i]++;
    }
    return best;
}

static void test_optimal_brute(void) {
    unsigned v = 7;
    for (int trial = 0; trial < 12; trial++) {
        int nz = trial % 3 == 0 ? 1 : 2;
        int64_t T = nz == 1 ? 7 : 5, d = 1 + trial % 2, ntar = 1 + trial % 2, soft = ntar + (trial / 2) % 2;
        if (d >= T) d = T - 1;
        static int32_t cap[2][8];
        const int32_t *caps[2] = {cap[0], cap[1]};
        for (int c = 0; c < nz; c++)
            for (int64_t t = 0; t < T; t++) v = v * 1103515245u + 12345u, cap[c][t] = (int32_t)((v >> 16) % 4);
        if (nz == 2 && soft == 3 && ntar == 2) soft = 2; /* keep the enumeration small */
        sk_shart_params p;
        sk_shart_defaults(&p);
        p.ticks = T, p.cold_ticks = d, p.n_tar = ntar, p.n_extra = soft - ntar, p.k = trial % 4 == 3 ? 2.5 : 3;
        double got = -1;
        ASSERT_EQ_INT(sk_shart_optimal_cost(nz, caps, &p, &got), 0);
        double want = brute_opt(nz, caps, T, d, ntar, soft, p.k);
        if (got != want) SK_T_FAIL_("trial %d (zones %d T %lld d %lld N %lld soft %lld): flow %g, brute force %g", trial, nz,
                                    (long long)T, (long long)d, (long long)ntar, (long long)soft, got, want);
    }
}

/* ---- section 11 -------------------------------------------------------------------------------- */

typedef struct {
    const char *trace, *policy;
    int n_extra;
    double cost, rel, avail, p50, p90, p99, p999, fr; /* NAN: "-" in the spec */
} row;

#define NA NAN
static const row spec11[] = {
    {"AWS1", "on_demand", 0, 25884.0, 1.0, 1.0, 14.9202, 44.8315, 85.5177, 109.644, 0.001369},
    {"AWS1", "naive_spread", 0, 5029.1, 0.194294, 0.303512, 52.6512, 100.0, 119.4156, 142.2274, 0.224961},
    {"AWS1", "round_robin", 0, 7767.8, 0.3001, 0.879937, 17.4095, 100.0, 100.0, 113.7155, 0.099555},
    {"AWS1", "spothedge", 1, 13293.1, 0.513564, 0.992872, 12.7744, 38.4483, 77.2495, 103.778, 0.002243},
    {"AWS1", "optimal", 1, 10542.2, 0.407286, NA, 14.9136, 44.6265, 87.547, 111.5436, 0.003041},
    {"AWS1", "naive_spread", 1, 6238.2, 0.241006, 0.421592, 44.958, 100.0, 119.2372, 142.3098, 0.221849},
    {"AWS1", "round_robin", 1, 10295.7, 0.397763, 0.885431, 14.6899, 98.9506, 100.0, 104.1175, 0.097984},
    {"AWS1", "spothedge", 0, 10485.8, 0.405107, 0.987309, NA, NA, NA, NA, NA},
    {"AWS1", "spothedge_safety", 1, 18598.6, 0.718537, 0.996523, NA, NA, NA, NA, NA},
    {"AWS2", "on_demand", 0, 25884.0, 1.0, 1.0, 14.9202, 44.8315, 85.5177, 109.644, 0.001369},
    {"AWS2", "naive_spread", 0, 5354.9, 0.206881, 0.382197, 36.5809, 100.0, 111.2162, 134.1872, 0.250953},
    {"AWS2", "round_robin", 0, 6998.3, 0.270372, 0.774061, 21.03, 100.0, 100.0, 112.4187, 0.196},
    {"AWS2", "spothedge", 1, 14822.3, 0.572643, 0.975834, 13.2663, 41.7663, 100.0, 105.9349, 0.018247},
    {"AWS2", "optimal", 1, 12417.2, 0.479725, NA, 14.9136, 44.6265, 87.547, 111.5436, 0.003041},
    {"AWS2", "naive_spread", 1, 6908.5, 0.266902, 0.447705, 27.2329, 100.0, 106.4464, 128.5985, 0.221536},
    {"AWS2", "round_robin", 1, 9294.7, 0.359091, 0.783414, 17.5747, 100.0, 100.0, 106.8903, 0.194336},
    {"AWS2", "spothedge", 0, 12282.4, 0.474517, 0.972184, NA, NA, NA, NA, NA},
    {"AWS2", "spothedge_safety", 1, 24835.7, 0.9595, 0.993915, NA, NA, NA, NA, NA},
    {"GCP1", "on_demand", 0, 25884.0, 1.0, 1.0, 14.9202, 44.8315, 85.5177, 109.644, 0.001369},
    {"GCP1", "naive_spread", 0, 6917.2, 0.267238, 0.481919, 21.6098, 83.5685, 108.5957, 130.8659, 0.037743},
    {"GCP1", "round_robin", 0, 8599.4, 0.332228, 0.9879, 14.9962, 45.4777, 88.4908, 111.9245, 0.002189},
    {"GCP1", "spothedge", 1, 11961.6, 0.462123, 0.998261, 12.5658, 37.5092, 72.4668, 102.4188, 0.000982},
    {"GCP1", "optimal", 1, 8694.0, 0.335883, NA, 14.9136, 44.6265, 87.547, 111.5436, 0.003041},
    {"GCP1", "naive_spread", 1, 8582.8, 0.331587, 0.761961, 16.7948, 65.4078, 104.7474, 127.0545, 0.023914},
    {"GCP1", "round_robin", 1, 11321.2, 0.437382, 0.99016, 12.789, 38.3148, 74.8133, 102.3315, 0.000966},
    {"GCP1", "spothedge", 0, 9007.7, 0.348003, 0.997218, NA, NA, NA, NA, NA},
    {"GCP1", "spothedge_safety", 1, 17376.3, 0.671314, 0.998957, NA, NA, NA, NA, NA},
};

/* x rounded to dp decimals (as the spec prints it) equals want to 1e-9; "-" (NAN) is skipped. */
static int same(double x, double want, int dp) {
    if (isnan(want)) return 1;
    double sc = pow(10, dp);
    return fabs(nearbyint(x * sc) / sc - want) <= 1e-9;
}

static int load(sk_shart_trace *tr, const char *root, const char *name) {
    char dir[4096], err[512];
    snprintf(dir, sizeof dir, "%s/spothedge/data/%s", root, name);
    int rc = sk_shart_load(tr, dir, 30, 0, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  %s\n", err);
    return rc;
}

static void test_spec11(void) {
    NEED_DATA(root);
    const char *names[3] = {"AWS1", "AWS2", "GCP1"};
    const int64_t min_len[3] = {31560, 32470, 3850};
    int checked = 0;
    for (int ti = 0; ti < 3; ti++) {
        sk_shart_trace tr;
        ASSERT_EQ_INT(load(&tr, root, names[ti]), 0);
        ASSERT_EQ_I64(tr.min_len, min_len[ti]);
        for (size_t i = 0; i < sizeof spec11 / sizeof spec11[0]; i++) {
            const row *w = &spec11[i];
            if (strcmp(w->trace, names[ti])) continue;
            sk_shart_params p;
            sk_shart_defaults(&p);
            p.n_extra = w->n_extra;
            p.latency = !isnan(w->p50);
            sk_shart_result r;
            char err[256];
            int rc = sk_shart_run(&tr, &p, (sk_shart_policy)sk_shart_policy_find(w->policy), &r, NULL, err, sizeof err);
            if (rc < 0) SK_T_FAIL_("%s %s: %s", w->trace, w->policy, err);
            int ok = same(r.cost, w->cost, 1) && same(r.relative, w->rel, 6) && same(r.availability, w->avail, 6) &&
                     same(r.p50, w->p50, 4) && same(r.p90, w->p90, 4) && same(r.p99, w->p99, 4) &&
                     same(r.p999, w->p999, 4) && same(r.failure_rate, w->fr, 6);
            if (!ok)
                SK_T_FAIL_("%s %s N_extra %d: cost %.4f rel %.6f avail %.6f P50 %.4f P90 %.4f P99 %.4f P99.9 %.4f failures "
                           "%.6f; the spec: %g %g %g %g %g %g %g %g",
                           w->trace, w->policy, w->n_extra, r.cost, r.relative, r.availability, r.p50, r.p90, r.p99, r.p999,
                           r.failure_rate, w->cost, w->rel, w->avail, w->p50, w->p90, w->p99, w->p999, w->fr);
            checked++;
        }
        sk_shart_fini(&tr);
    }
    ASSERT_EQ_INT(checked, 27);
}

/* Per repeat: the offsets, the OnDemand cost identity, the seed moving only the offsets, and
 * bitwise repeatability. */
static void test_repeats(void) {
    NEED_DATA(root);
    sk_shart_trace tr;
    ASSERT_EQ_INT(load(&tr, root, "AWS1"), 0);
    ASSERT_EQ_INT(tr.nz, 3);
    ASSERT_TRUE(!strcmp(tr.zone[0], "us-east-1f_v100_1.json") && !strcmp(tr.zone[2], "us-west-2c_v100_1.json"));
    sk_shart_params p;
    sk_shart_defaults(&p);
    sk_shart_repeat a[10], b[10];
    sk_shart_result ra, rb;
    char err[256];
    ASSERT_EQ_INT(sk_shart_run(&tr, &p, SK_SHART_ON_DEMAND, &ra, a, err, sizeof err), 0);
    const int64_t off[10] = {2732, 10799, 9845, 19648, 13123, 21243, 9225, 24275, 20757, 22258};
    int64_t req = 0, fail = 0;
    for (int r = 0; r < 10; r++) {
        ASSERT_EQ_I64(a[r].offset, off[r]);
        ASSERT_TRUE(a[r].cost == 3.0 * 3 * (2880 - 4) && a[r].availability == 1);
        ASSERT_TRUE(a[r].requests > 12000 && a[r].failures <= a[r].requests);
        req += a[r].requests, fail += a[r].failures;
    }
    ASSERT_EQ_I64(req, ra.requests);
    ASSERT_EQ_I64(fail, ra.failures);
    /* OnDemand's node series never changes, so repeat r >= 1 differs from repeat 0 only through
     * client 0 starting at the previous repeat's service count (spec 9.2) */
    ASSERT_TRUE(a[1].requests != a[0].requests || a[1].p50 != a[0].p50);
    p.n_extra = 1;
    ASSERT_EQ_INT(sk_shart_run(&tr, &p, SK_SHART_SPOTHEDGE, &ra, a, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_shart_run(&tr, &p, SK_SHART_SPOTHEDGE, &rb, b, err, sizeof err), 0);
    ASSERT_TRUE(!memcmp(&ra, &rb, sizeof ra));
    for (int r = 0; r < 10; r++) ASSERT_TRUE(a[r].cost == b[r].cost && a[r].p99 == b[r].p99);
    p.seed = 1;
    p.latency = 0;
    ASSERT_EQ_INT(sk_shart_run(&tr, &p, SK_SHART_SPOTHEDGE, &rb, b, err, sizeof err), 0);
    sk_mt m;
    sk_mt_init_genrand(&m, 1);
    for (int r = 0; r < 10; r++) ASSERT_EQ_U64(b[r].offset, sk_mt_np_randint(&m, 28680));
    ASSERT_TRUE(rb.cost != ra.cost);
    ASSERT_TRUE(isnan(rb.p50) && rb.requests == 0);
    sk_shart_fini(&tr);
}

/* A hand-made folder: sorting by name, expansion by floor(gap / 30), errors naming the file. */
static void test_load(void) {
    char dir[] = "/tmp/test_shart_XXXXXX", path[4200], err[512];
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "b.json", "{\"metadata\": {\"gap_seconds\": 95}, \"data\": [2, 0]}"), 0);
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "a.json", "{\"metadata\": {\"gap_seconds\": 60}, \"data\": [1, 4, 3]}"), 0);
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "notes.txt", "not a trace"), 0);
    sk_shart_trace tr;
    ASSERT_EQ_INT(sk_shart_load(&tr, dir, 30, 0, err, sizeof err), 0);
    ASSERT_EQ_INT(tr.nz, 2);
    ASSERT_TRUE(!strcmp(tr.zone[0], "a.json"));
    ASSERT_EQ_I64(tr.len[0], 6);
    ASSERT_EQ_I64(tr.len[1], 6); /* floor(95 / 30) = 3 */
    ASSERT_EQ_I64(tr.min_len, 6);
    ASSERT_EQ_INT(tr.a[0][2], 4);
    ASSERT_EQ_INT(tr.a[1][3], 0);
    /* ticks must leave room for an offset */
    sk_shart_params p;
    sk_shart_defaults(&p);
    ASSERT_EQ_INT(sk_shart_check(&tr, &p, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "shortest zone trace");
    sk_shart_fini(&tr);
    ASSERT_EQ_INT(sk_shart_load(&tr, dir, 30, 1, err, sizeof err), 0);
    ASSERT_EQ_INT(tr.a[0][0], 1000000000); /* `unlimited`: 1 -> 10^9, anything else 0 */
    ASSERT_EQ_INT(tr.a[0][2], 0);
    sk_shart_fini(&tr);
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "c.json", "{\"metadata\": {\"gap_seconds\": 300}, \"data\": [1, -2]}"), 0);
    ASSERT_EQ_INT(sk_shart_load(&tr, dir, 30, 0, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "c.json: data[1]");
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "c.json", "{\"metadata\": {}, \"data\": [1]}"), 0);
    ASSERT_EQ_INT(sk_shart_load(&tr, dir, 30, 0, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "c.json: metadata.gap_seconds: missing");
    ASSERT_EQ_INT(t_write_in(path, sizeof path, dir, "c.json", "{\"metadata\": \n{\"gap_seconds\": 300,}}"), 0);
    ASSERT_EQ_INT(sk_shart_load(&tr, dir, 30, 0, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "c.json:2:");
    ASSERT_EQ_INT(sk_shart_load(&tr, "/nonexistent/spothedge", 30, 0, err, sizeof err), SK_ENOINPUT);
    for (const char *f = "a.json\0b.json\0c.json\0notes.txt\0"; *f; f += strlen(f) + 1) {
        snprintf(path, sizeof path, "%s/%s", dir, f);
        remove(path);
    }
    rmdir(dir);
}


/* The scenario kind: defaults = the artifact's eval.py (N_extra 1 for spothedge and optimal, 0 for
 * the baselines), the same numbers as the library, seed -1 taken from the run's master seed. */
static char kind_msg[512]; /* the last run's error message */

static void kind_run(const sk_scenario_kind *k, void *shared, const char *pol, const char *const *set, double *out_cost,
                     double *out_p50, int *rc) {
    sk_value v[32], out[16];
    char *msg = kind_msg;
    const size_t msglen = sizeof kind_msg;
    memset(v, 0, sizeof v), memset(out, 0, sizeof out);
    for (size_t i = 0; i < k->nparams; i++) sk_param_parse(&k->params[i], k->params[i].def, &v[i], msg, msglen);
    for (; set && *set; set += 2) {
        int i = sk_param_find(k->params, k->nparams, set[0]);
        sk_value_fini(&v[i]);
        sk_param_parse(&k->params[i], set[1], &v[i], msg, msglen);
    }
    sk_run_ctx c = {.master_seed = 7, .run_index = 0, .world_index = 3, .params = v, .policy = sk_scenario_policy(k, pol),
                    .shared = shared};
    msg[0] = '\0';
    *rc = k->run(&c, out, msg, msglen);
    for (size_t i = 0; i < k->nmetrics; i++) {
        if (!strcmp(k->metrics[i].name, "cost")) *out_cost = out[i].f;
        if (!strcmp(k->metrics[i].name, "p50")) *out_p50 = out[i].f;
    }
    for (size_t i = 0; i < k->nparams; i++) sk_value_fini(&v[i]);
}

static void test_scenario_kind(void) {
    NEED_DATA(root);
    (void)root;
    const sk_scenario_kind *k = sk_scenario_find("spothedge_artifact");
    ASSERT_TRUE(k != NULL);
    void *sh = k->shared_new();
    double cost = 0, p50 = 0;
    int rc;
    const char *nolat[] = {"latency", "false", NULL};
    kind_run(k, sh, "spothedge", nolat, &cost, &p50, &rc);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(cost == 13293.1 && isnan(p50)); /* N_extra 1 by default */
    kind_run(k, sh, "round_robin", nolat, &cost, &p50, &rc);
    ASSERT_TRUE(rc == 0 && cost == 7767.8); /* N_extra 0 by default */
    const char *gcp[] = {"trace", "GCP1", "n_extra", "1", NULL};
    kind_run(k, sh, "round_robin", gcp, &cost, &p50, &rc);
    ASSERT_TRUE(rc == 0 && cost == 11321.2 && fabs(p50 - 12.789) < 5e-5);
    const char *seeded[] = {"latency", "false", "seed", "-1", NULL};
    kind_run(k, sh, "spothedge", seeded, &cost, &p50, &rc);
    ASSERT_TRUE(rc == 0 && cost != 13293.1); /* other offsets */
    const char *bad[] = {"ticks", "40000", NULL};
    kind_run(k, sh, "spothedge", bad, &cost, &p50, &rc);
    ASSERT_EQ_INT(rc, SK_ECONFIG);
    ASSERT_STR_CONTAINS(kind_msg, "shorter than the shortest zone trace (31560 ticks)");
    const char *missing[] = {"trace", "NOPE", NULL};
    kind_run(k, sh, "spothedge", missing, &cost, &p50, &rc);
    ASSERT_EQ_INT(rc, SK_ENOINPUT);
    ASSERT_STR_CONTAINS(kind_msg, "spothedge/data/NOPE: folder not found");
    k->shared_free(sh);
}

static const sk_test tests[] = {
    {"mt_reference", test_mt_reference},
    {"mt_numpy", test_mt_numpy},
    {"mt_cpython", test_mt_cpython},
    {"polls", test_polls},
    {"percentile", test_percentile},
    {"optimal_brute", test_optimal_brute},
    {"load", test_load},
    {"repeats", test_repeats},
    {"spec11", test_spec11},
    {"scenario_kind", test_scenario_kind},
    {NULL, NULL},
};

int main(int argc, char **argv) { return sk_test_main(tests, argc, argv); }
