/* test_serve.c - the serving world (src/serve/sk_serve): numpy-linear percentiles against a
 * brute-force sort, a two-replica run whose latencies, counts and cost are worked by hand (fixed
 * service model), a decode segment cut by an arrival, every request ending exactly once on runs
 * with preemptions, and `synkti run -j 1` = `-j 2` on a serving experiment. Policies here are
 * test-local (the registry's are tested in test_serve_policies). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "engine/sk_rng.h"
#include "models/sk_avail.h"
#include "io/sk_trace.h"
#include "serve/sk_serve.h"
#include "test.h"
#include "test_traces.h"

static const char *sk_t_synkti;

/* ---- test-local policies: fixed on-demand count, or spot everywhere ---------------------------- */

typedef struct {
    int od, spot;
} tp_state;

static const sk_param_def tp_params[] = {
    {"od", SK_PT_INT, "2", 0, 100, "on-demand replicas"},
    {"spot", SK_PT_INT, "0", 0, 100, "spot replicas in every zone"},
};

static int tp_init(void *st, const sk_value *p, const sk_srv_view *v0, char *msg, size_t len) {
    (void)v0, (void)msg, (void)len;
    tp_state *s = st;
    s->od = (int)p[0].i, s->spot = (int)p[1].i;
    return 0;
}

static void tp_decide(void *st, const sk_srv_view *v, sk_srv_plan *plan) {
    tp_state *s = st;
    plan->od = s->od;
    plan->od_zone = -1;
    for (int z = 0; z < v->nzones; z++) plan->spot[z] = s->spot;
}

static const sk_serve_policy tp_pol = {
    .def = {"test_fixed", tp_params, 2, "fixed counts"},
    .state_size = sizeof(tp_state),
    .init = tp_init,
    .decide = tp_decide,
};

static sk_value tp_pv[2];

static int tp_run(sk_serve_cfg *c, int od, int spot, sk_serve_result *res, char *msg, size_t len) {
    sk_rng prng;
    if (sk_rng_init(&prng, NULL, c->seed, 0, SK_STREAM_POLICY) < 0) return SK_ENOMEM;
    tp_pv[0].i = od, tp_pv[1].i = spot;
    int rc = sk_serve_run(c, &tp_pol, tp_pv, &prng, NULL, res, msg, len);
    sk_rng_fini(&prng);
    return rc;
}

/* ---- percentiles ------------------------------------------------------------------------------ */

static double brute_pct(double *x, int64_t n, double q) {
    /* insertion sort, then the textbook linear interpolation x[lo] + (x[lo+1] - x[lo]) * frac */
    for (int64_t i = 1; i < n; i++)
        for (int64_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
            double t = x[j];
            x[j] = x[j - 1], x[j - 1] = t;
        }
    double h = (double)(n - 1) * q / 100.0;
    int64_t lo = (int64_t)h;
    if (lo + 1 >= n) return x[n - 1];
    return x[lo] + (x[lo + 1] - x[lo]) * (h - (double)lo);
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_percentile(void) {
    double four[4] = {1, 2, 3, 4};
    ASSERT_NEAR(sk_srv_percentile(four, 4, 50), 2.5, 0);
    ASSERT_NEAR(sk_srv_percentile(four, 4, 90), 3.7, 1e-15);
    ASSERT_NEAR(sk_srv_percentile(four, 4, 0), 1, 0);
    ASSERT_NEAR(sk_srv_percentile(four, 4, 100), 4, 0);
    double one = 7;
    ASSERT_NEAR(sk_srv_percentile(&one, 1, 99.9), 7, 0);
    ASSERT_TRUE(isnan(sk_srv_percentile(NULL, 0, 50)));
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 42, 0, 0), 0);
    static const double qs[] = {50, 90, 99, 99.9, 0, 100, 33.3};
    for (int trial = 0; trial < 30; trial++) {
        int64_t n = 1 + (int64_t)sk_rng_uniform_int(&r, 3000);
        double *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
        for (int64_t i = 0; i < n; i++) a[i] = b[i] = trial % 3 ? sk_rng_exponential(&r, 10) : (double)sk_rng_uniform_int(&r, 5);
        qsort(a, (size_t)n, sizeof *a, cmp_d);
        for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
            double want = brute_pct(b, n, qs[k]);
            double got = sk_srv_percentile(a, n, qs[k]);
            if (!(fabs(got - want) <= 1e-12 * (1 + fabs(want)))) {
                free(a), free(b), sk_rng_fini(&r);
                SK_T_FAIL_("n=%lld q=%g: %.17g vs brute %.17g", (long long)n, qs[k], got, want);
            }
        }
        free(a), free(b);
    }
    sk_rng_fini(&r);
}

/* ---- a hand-computed run ---------------------------------------------------------------------- */

static void one_zone(sk_serve_zone_cfg *z, double od, double spot) {
    memset(z, 0, sizeof *z);
    snprintf(z->name, sizeof z->name, "us-east-1a");
    snprintf(z->region, sizeof z->region, "us-east-1");
    z->od_price = od, z->spot_price = spot;
}

/* Two on-demand replicas launched at the tick at 0, ready at 10 s (boot 10, load 0); every
 * iteration takes 0.5 s; KV cache 100 tokens; timeout 9.5 s; horizon 60 s.
 *   r0  t=0    in 10 out 4   LB queue; at 10 waited 10 > 9.5: FAILED (timeout)
 *   r1  t=1    in 10 out 2   LB queue; at 10 to replica 0 (the only one ready yet): prefill
 *                            10-10.5 (TTFT 9.5), decode 10.5-11: served, e2e 10
 *   r2  t=20   in 5  out 3   loads 0/0: replica 0; prefill to 20.5 (TTFT 0.5), two decodes
 *                            as one segment to 21.5: e2e 1.5
 *   r3  t=20.2 in 5  out 1   replica 0 holds 1: replica 1; prefill to 20.7: TTFT = e2e = 0.5
 *   r4  t=40   in 90 out 20  110 > 100 KV tokens: FAILED (too large)
 *   r5  t=59.8 in 5  out 10  replica 0; prefill ends at 60.3 > 60: DROPPED at the horizon
 * Served TTFT {0.5, 0.5, 9.5}, e2e {0.5, 1.5, 10}; e2e P90 = 10 - 8.5 x 0.2 = 8.3.
 * Cost: 2 replicas x 60 s x $3.6/h = $0.12; availability (k = 2): 50 of 60 s. */
static void test_hand(void) {
    static double t[] = {0, 1, 20, 20.2, 40, 59.8};
    static int32_t in[] = {10, 10, 5, 5, 90, 5}, out[] = {4, 2, 3, 1, 20, 10};
    sk_srv_trace tr = {.n = 6, .t = t, .in = in, .out = out, .span = 1000};
    sk_serve_zone_cfg z;
    one_zone(&z, 3.6, 1.0);
    sk_serve_cfg c;
    sk_serve_cfg_defaults(&c);
    c.nzones = 1, c.zones = &z;
    c.horizon_s = 60, c.tick_s = 30;
    c.boot_s = 10, c.load_s = 0;
    c.fix_iter_s = 0.5, c.kv_tokens = 100;
    c.timeout_s = 9.5;
    c.wl = SK_SRV_WL_TRACE, c.trace = &tr, c.loop = 0;
    c.n_target = 2;
    c.slo_s = 2;
    sk_serve_result res;
    char msg[256] = "";
    ASSERT_EQ_INT(tp_run(&c, 2, 0, &res, msg, sizeof msg), 0);
    ASSERT_EQ_I64(res.requests, 6);
    ASSERT_EQ_I64(res.served, 3);
    ASSERT_EQ_I64(res.failed, 2);
    ASSERT_EQ_I64(res.failed_timeout, 1);
    ASSERT_EQ_I64(res.failed_too_large, 1);
    ASSERT_EQ_I64(res.dropped, 1);
    ASSERT_EQ_I64(res.launches, 2);
    ASSERT_NEAR(res.ttft[0], 0.5, 1e-9);
    ASSERT_NEAR(res.ttft[3], 9.5 - 9.0 * 0.002, 1e-9); /* P99.9: h = 1.998 */
    ASSERT_NEAR(res.e2e[0], 1.5, 1e-9);
    ASSERT_NEAR(res.e2e[1], 8.3, 1e-9);
    ASSERT_NEAR(res.e2e_mean, 12.0 / 3, 1e-9);
    ASSERT_NEAR(res.ttft_mean, 10.5 / 3, 1e-9);
    ASSERT_NEAR(res.cost, 0.12, 1e-12);
    ASSERT_NEAR(res.cost_od, 0.12, 1e-12);
    ASSERT_NEAR(res.cost_spot, 0, 0);
    ASSERT_NEAR(res.rh_od, 120.0 / 3600, 1e-12);
    ASSERT_NEAR(res.availability, 50.0 / 60, 1e-12);
    ASSERT_NEAR(res.ready_mean, 100.0 / 60, 1e-12);
    ASSERT_NEAR(res.failure_rate, 2.0 / 6, 1e-15);
    ASSERT_NEAR(res.slo_attain, 2.0 / 6, 1e-15); /* e2e 0.5 and 1.5 within 2 s */
    ASSERT_EQ_I64(res.tokens_out, 2 + 3 + 1);
}

/* One replica ready at 0. A (t=1, in 4, out 5): prefill to 1.5, then a decode segment of 4
 * iterations to 3.5. B (t=2.2, out 2) cuts it at the boundary 2.5: prefill B with A's decode to
 * 3.0 (B's TTFT 0.8), one more iteration to 3.5 ends both (A e2e 2.5, B e2e 1.3). */
static void test_segment_cut(void) {
    static double t[] = {1, 2.2};
    static int32_t in[] = {4, 4}, out[] = {5, 2};
    sk_srv_trace tr = {.n = 2, .t = t, .in = in, .out = out, .span = 1000};
    sk_serve_zone_cfg z;
    one_zone(&z, 1.0, 0.5);
    sk_serve_cfg c;
    sk_serve_cfg_defaults(&c);
    c.nzones = 1, c.zones = &z;
    c.horizon_s = 10, c.tick_s = 100; /* one tick, at 0 */
    c.boot_s = 0, c.load_s = 0, c.fix_iter_s = 0.5;
    c.wl = SK_SRV_WL_TRACE, c.trace = &tr, c.loop = 0;
    c.n_target = 1;
    sk_serve_result res;
    char msg[256] = "";
    ASSERT_EQ_INT(tp_run(&c, 1, 0, &res, msg, sizeof msg), 0);
    ASSERT_EQ_I64(res.served, 2);
    ASSERT_NEAR(res.ttft[0], 0.65, 1e-9); /* P50 of {0.5, 0.8} */
    ASSERT_NEAR(res.ttft[3], 0.5 + 0.3 * 0.999, 1e-9);
    ASSERT_NEAR(res.ttft_mean, (0.5 + 0.8) / 2, 1e-9);
    ASSERT_NEAR(res.e2e_mean, (2.5 + 1.3) / 2, 1e-9);
    ASSERT_NEAR(res.cost, 10.0 / 3600, 1e-12);
}

/* ---- exactly once under preemptions ------------------------------------------------------------ */

static void run_preempt(int retry, int lb, sk_serve_result *res) {
    sk_serve_zone_cfg z[3];
    for (int i = 0; i < 3; i++) {
        one_zone(&z[i], 3.0, 1.0);
        z[i].name[strlen(z[i].name) - 1] = (char)('a' + i);
        z[i].gcp = i == 2;
        int32_t cap[2] = {3, 0};
        double rate[4] = {0, 2, 3, 0};
        z[i].avail = sk_avail_markov_new(2, cap, rate, -1, 0, sk_time_from(60, SK_SEC));
    }
    sk_serve_cfg c;
    sk_serve_cfg_defaults(&c);
    c.seed = 7;
    c.nzones = 3, c.zones = z;
    c.horizon_s = 6 * 3600, c.tick_s = 30;
    c.boot_s = 30, c.load_s = 20;
    c.fix_iter_s = 0.02, c.fix_prefill_s = 1e-5, c.fix_decode_s = 1e-4;
    c.kv_tokens = 4000;
    c.wl = SK_SRV_WL_GAMMA, c.rate = 2, c.cv = 2, c.fixed_tokens = 1, c.fixed_in = 300, c.fixed_out = 200;
    c.retry_on_preempt = retry, c.lb = lb;
    c.drain_on_notice = 0; /* replicas take requests to the end: some are in flight then */
    c.n_target = 3;
    char msg[256] = "";
    int rc = tp_run(&c, 1, 2, res, msg, sizeof msg);
    if (rc != 0) fprintf(stderr, "  %s\n", msg);
}

static void test_exactly_once(void) {
    for (int retry = 0; retry < 2; retry++)
        for (int lb = 0; lb < 2; lb++) {
            sk_serve_result r;
            run_preempt(retry, lb, &r);
            ASSERT_TRUE(r.requests > 20000);
            ASSERT_EQ_I64(r.served + r.failed + r.dropped, r.requests);
            ASSERT_EQ_I64(r.failed, r.failed_timeout + r.failed_preempt + r.failed_too_large);
            ASSERT_TRUE(r.preemptions > 10);
            ASSERT_TRUE(r.lost_preempt > 0);
            if (retry) {
                ASSERT_EQ_I64(r.failed_preempt, 0);
                ASSERT_TRUE(r.retried >= r.lost_preempt);
            } else {
                ASSERT_EQ_I64(r.failed_preempt, r.lost_preempt);
            }
            ASSERT_TRUE(r.availability > 0 && r.availability < 1);
            ASSERT_TRUE(r.cost_spot > 0 && r.cost_od > 0);
            /* the same world and seed again: bitwise the same */
            sk_serve_result s;
            run_preempt(retry, lb, &s);
            ASSERT_TRUE(!memcmp(&r, &s, sizeof r));
        }
}


/* ---- workloads ---------------------------------------------------------------------------------- */

static void test_wl_files(void) {
    NEED_DATA(root);
    char path[4096], err[600] = "";
    sk_srv_trace t;
    ASSERT_EQ_INT(sk_srv_trace_load(&t, t_data(path, sizeof path, root, "azure-llm-2023/data/AzureLLMInferenceTrace_conv.csv"),
                                    err, sizeof err), 0);
    ASSERT_EQ_I64(t.n, 19366);
    ASSERT_EQ_I64(t.in[0], 374);
    ASSERT_EQ_I64(t.out[0], 44);
    ASSERT_NEAR(t.t[0], 0, 0);
    ASSERT_NEAR(t.t[1], 50.995169 - 46.68059, 1e-6); /* 18:15:46.6805900 -> 18:15:50.9951690 */
    ASSERT_NEAR(t.span, t.t[t.n - 1] * (1 + 1.0 / (double)(t.n - 1)), 1e-9);
    sk_srv_trace_fini(&t);
    sk_srv_counts c;
    ASSERT_EQ_INT(sk_srv_counts_load(&c, t_data(path, sizeof path, root, "spothedge/workloads/maf1/cleaned.csv"), err, sizeof err), 0);
    ASSERT_EQ_I64(c.n, 48405);
    ASSERT_NEAR(c.count[0], 4033, 0);
    ASSERT_NEAR(c.count[1], 1980, 0);
    sk_srv_counts_fini(&c);
    /* a bad row is named by file and line */
    char dir[] = "/tmp/sk_test_serve_wl_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/bad.csv", dir);
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fputs("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n2023-11-16 25:00:00,1,1\n", f);
    fclose(f);
    ASSERT_EQ_INT(sk_srv_trace_load(&t, path, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "bad.csv:3: column TIMESTAMP");
    f = fopen(path, "w");
    fputs("Time (min),Requests\n0,12\n1,x\n", f);
    fclose(f);
    ASSERT_EQ_INT(sk_srv_counts_load(&c, path, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "bad.csv:3: column Requests");
    remove(path);
    rmdir(dir);
}

/* Replay with time_scale 0.5 and looping: requests at 0 and 10 s, period 20 s, so arrivals at
 * 0, 5, 10, 15 and 20 s before a 25 s horizon. Per-minute counts: a 60/min row then an empty one,
 * without looping: every arrival in the first minute (Poisson 60: 30..100 holds but for 1e-6). */
static void test_wl_arrivals(void) {
    static double t[] = {0, 10};
    static int32_t in[] = {1, 1}, out[] = {1, 1};
    sk_srv_trace tr = {.n = 2, .t = t, .in = in, .out = out, .span = 20};
    sk_serve_zone_cfg z;
    one_zone(&z, 1.0, 0.5);
    sk_serve_cfg c;
    sk_serve_cfg_defaults(&c);
    c.nzones = 1, c.zones = &z;
    c.horizon_s = 25, c.tick_s = 100, c.boot_s = 0, c.load_s = 0, c.fix_iter_s = 0.25;
    c.wl = SK_SRV_WL_TRACE, c.trace = &tr, c.loop = 1, c.time_scale = 0.5;
    c.n_target = 1;
    sk_serve_result res;
    char msg[256] = "";
    ASSERT_EQ_INT(tp_run(&c, 1, 0, &res, msg, sizeof msg), 0);
    ASSERT_EQ_I64(res.requests, 5);
    ASSERT_EQ_I64(res.served, 5);
    ASSERT_NEAR(res.e2e[0], 0.25, 1e-9); /* one prefill iteration each */
    static double cnt[] = {600000, 0};
    sk_srv_counts cn = {.n = 2, .count = cnt};
    c.wl = SK_SRV_WL_COUNTS, c.counts = &cn, c.loop = 0, c.time_scale = 1, c.horizon_s = 600;
    c.trace = NULL, c.fixed_in = 1, c.fixed_out = 1;
    ASSERT_EQ_INT(tp_run(&c, 1, 0, &res, msg, sizeof msg), 0);
    ASSERT_TRUE(res.requests >= 30 && res.requests <= 100);
    ASSERT_EQ_I64(res.served, res.requests);
    /* looped: the same minute every two minutes, about 5 x 60 in 10 minutes */
    c.loop = 1;
    ASSERT_EQ_INT(tp_run(&c, 1, 0, &res, msg, sizeof msg), 0);
    ASSERT_TRUE(res.requests >= 200 && res.requests <= 400);
}

/* ---- the scenario kind: -j 1 = -j 2 ------------------------------------------------------------ */

static void test_threads(void) {
    if (!sk_t_synkti) {
        fprintf(stderr, "  (no synkti binary given: skipped)\n");
        return;
    }
    char dir[] = "/tmp/sk_test_serve_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    char path[512], cmd[4096];
    snprintf(path, sizeof path, "%s/exp.yaml", dir);
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    fprintf(f, "name: serve_threads\nseed: 3\nreplications: 3\n"
               "scenario:\n  kind: serving\n  capacity_model: markov\n  zones: 3\n  capacity: 2\n"
               "  markov_rates_per_h: \"0,1,2,0\"\n  service: fixed\n  fixed_iter_s: 0.03\n  kv_tokens: 8000\n"
               "  workload: poisson\n  rate: 1\n  horizon_h: 2\n  n_target: 2\n"
               "policies:\n  - name: spothedge\n  - name: on_demand\n");
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "cd %s && '%s' run exp.yaml -o j1.h5 -j 1 -q >/dev/null 2>j1.err && '%s' run exp.yaml -o j2.h5 -j 2 -q "
             ">/dev/null 2>j2.err && '%s' export j1.h5 --format tsv >j1.csv 2>&1 && '%s' export j2.h5 --format tsv >j2.csv 2>&1 "
             "&& cmp -s j1.csv j2.csv && test $(wc -l < j1.csv) -eq 7",
             dir, sk_t_synkti, sk_t_synkti, sk_t_synkti, sk_t_synkti);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat %s/j1.err %s/j2.err >&2", dir, dir);
        (void)system(cmd);
    }
    ASSERT_EQ_INT(rc, 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)system(cmd);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"percentile", test_percentile},
        {"hand", test_hand},
        {"segment_cut", test_segment_cut},
        {"exactly_once", test_exactly_once},
        {"wl_files", test_wl_files},
        {"wl_arrivals", test_wl_arrivals},
        {"threads", test_threads},
        {NULL, NULL},
    };
    static char bin[4096];
    if (argc > 1 && strchr(argv[1], '/') && realpath(argv[1], bin)) sk_t_synkti = bin, argc--, argv++;
    return sk_test_main(tests, argc, argv);
}
