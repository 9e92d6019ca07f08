/* test_price.c - price models (models/sk_price.c): constant and trace replay, the OU-with-jumps
 * process (exact transition, clamping, changes only, determinism), the loaders against the real
 * files of gcp-gpu-price-history/, aws-spot-price-history-2022-05/ and
 * aws-v100-multinode/v100_1node_prices/ (values checked independently with python3), their
 * errors, and the fit: it recovers known parameters from long synthetic paths (where the naive
 * estimators would not) and finds jumps. */
#define _DEFAULT_SOURCE /* mkstemps() */
#include <stdlib.h>
#include <unistd.h>

#include "engine/sk_rng.h"
#include "models/sk_price.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

static char t_err[1024];

/* A path under the traces root. */
static const char *t_path(const char *rel) {
    static char p[4096];
    const char *root = t_traces_root();
    snprintf(p, sizeof p, "%s/%s", root ? root : ".", rel);
    return p;
}

#define GCP_CSV "gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv"
#define AWS_CSV "aws-spot-price-history-2022-05/gpu_linux_spot_prices_2022-05.csv"
#define TICKS "aws-v100-multinode/v100_1node_prices/us-east-1f_v100_1.json"

/* Write text to a temporary file with the given suffix; path in out. */
static int t_tmpfile(char *out, size_t len, const char *suffix, const char *text) {
    snprintf(out, len, "/tmp/sk_test_price_XXXXXX%s", suffix);
    int fd = mkstemps(out, (int)strlen(suffix));
    if (fd < 0) return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

/* ---- constant and trace ----------------------------------------------------------------------- */

static void test_const(void) {
    sk_price_model *m = sk_price_const_new(2.5, 7 * SK_SEC);
    ASSERT_TRUE(m != NULL);
    sk_time t;
    double p;
    ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 1);
    ASSERT_EQ_I64(t, 7 * SK_SEC);
    ASSERT_NEAR(p, 2.5, 0);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 0);
    sk_price_free(m);
    ASSERT_TRUE(sk_price_const_new(0, 0) == NULL);
}

static void test_trace_replay(void) {
    const sk_time t[] = {0, 10 * SK_SEC, 25 * SK_SEC};
    const double pr[] = {1.0, 2.0, 1.0};
    sk_price_model *m = sk_price_trace_new(t, pr, 3, 100 * SK_SEC, 0, 0);
    ASSERT_TRUE(m != NULL);
    sk_time tt;
    double p;
    const sk_time want_t[] = {100, 110, 125};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 1);
        ASSERT_EQ_I64(tt, want_t[i] * SK_SEC);
        ASSERT_NEAR(p, pr[i], 0);
    }
    ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 0);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 0);
    sk_price_free(m);
    /* loop with period 40 s: the wrap from 1.0 (t=25) to 1.0 (t=40) is no change, so the next
     * change is 2.0 at 40+10 = 50 s, then 1.0 at 65 s, 2.0 at 90 s */
    m = sk_price_trace_new(t, pr, 3, 0, 40 * SK_SEC, 1);
    ASSERT_TRUE(m != NULL);
    const sk_time lt[] = {0, 10, 25, 50, 65, 90, 105};
    const double lp[] = {1, 2, 1, 2, 1, 2, 1};
    for (int i = 0; i < 7; i++) {
        ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 1);
        ASSERT_EQ_I64(tt, lt[i] * SK_SEC);
        ASSERT_NEAR(p, lp[i], 0);
    }
    sk_price_free(m);
    /* a looping trace of one price: the first call, then it stays */
    const sk_time one_t[] = {0};
    const double one_p[] = {3.0};
    m = sk_price_trace_new(one_t, one_p, 1, 0, SK_HOUR, 1);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 1);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &tt, &p), 0);
    sk_price_free(m);
    /* invalid: t[0] != 0, decreasing times, period not beyond the last point */
    const sk_time bad_t[] = {5, 10};
    ASSERT_TRUE(sk_price_trace_new(bad_t, pr, 2, 0, 0, 0) == NULL);
    const sk_time dec_t[] = {0, 10 * SK_SEC, 10 * SK_SEC};
    ASSERT_TRUE(sk_price_trace_new(dec_t, pr, 3, 0, 0, 0) == NULL);
    ASSERT_TRUE(sk_price_trace_new(t, pr, 3, 0, 25 * SK_SEC, 1) == NULL);
}

/* ---- OU process ------------------------------------------------------------------------------- */

static sk_ou_params t_ou(double mu, double theta, double sigma, double jr, double jm, double dt_s) {
    return (sk_ou_params){.mu = mu, .theta = theta, .sigma = sigma, .jump_rate = jr, .jump_mean = jm, .p0 = 0,
                          .floor = 1e-6, .cap = 1e6, .dt_s = dt_s};
}

static void test_ou_deterministic(void) {
    /* sigma 0, no jumps: x_k = mu + (p0 - mu) e^{-theta k dt} exactly, on the dt grid */
    sk_ou_params q = t_ou(1.0, 2.0, 0, 0, 0, 900);
    q.p0 = 3.0;
    sk_price_model *m = sk_price_ou_new(&q, SK_HOUR);
    sk_time t;
    double p, x = 3.0, e = exp(-2.0 * 0.25);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 1);
    ASSERT_EQ_I64(t, SK_HOUR);
    ASSERT_NEAR(p, 3.0, 0);
    for (int k = 1; k <= 20; k++) {
        ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 1);
        x = 1.0 + (x - 1.0) * e;
        ASSERT_EQ_I64(t, SK_HOUR + k * 900 * SK_SEC);
        ASSERT_NEAR(p, x, 1e-15);
        ASSERT_NEAR(p, 1.0 + 2.0 * exp(-0.5 * k), 1e-12);
    }
    sk_price_free(m);
    /* at its mean it stays: the first call, then 0 */
    q.p0 = 0;
    m = sk_price_ou_new(&q, 0);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 1);
    ASSERT_NEAR(p, 1.0, 0);
    ASSERT_EQ_INT(sk_price_next(m, NULL, &t, &p), 0);
    sk_price_free(m);
}

static void test_ou_check(void) {
    sk_ou_params q = t_ou(1, 1, 0.1, 0.1, 0, 60); /* jumps without a size */
    ASSERT_EQ_INT(sk_price_ou_check(&q, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "jump_mean");
    ASSERT_TRUE(sk_price_ou_new(&q, 0) == NULL);
    q = t_ou(1, 1, 0.1, 0, 0, 60);
    q.cap = 0.5 * q.floor;
    ASSERT_EQ_INT(sk_price_ou_check(&q, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "cap");
    q = t_ou(1, -1, 0.1, 0, 0, 60);
    ASSERT_EQ_INT(sk_price_ou_check(&q, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "theta");
    q = t_ou(1, 1, 0.1, 0, 0, 60);
    ASSERT_EQ_INT(sk_price_ou_check(&q, t_err, sizeof t_err), 0);
}

static void test_ou_clamp_and_changes(void) {
    /* mu far above the cap, big noise: every price in [floor, cap], the cap is reached, every
     * emitted price differs from the one before and times step on the dt grid */
    sk_ou_params q = t_ou(10.0, 1.0, 3.0, 0.5, 2.0, 600);
    q.floor = 0.5;
    q.cap = 4.0;
    q.p0 = 1.0;
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 1, 2, 3), 0);
    sk_price_model *m = sk_price_ou_new(&q, 0);
    sk_time t, tprev = -1;
    double p, prev = -1;
    int at_cap = 0, at_floor = 0, ok = 1;
    for (int i = 0; i < 5000; i++) {
        ASSERT_EQ_INT(sk_price_next(m, &r, &t, &p), 1);
        ok &= p >= 0.5 && p <= 4.0 && p != prev && t > tprev && t % (600 * SK_SEC) == 0;
        at_cap += p == 4.0;
        prev = p;
        tprev = t;
    }
    ASSERT_TRUE(ok);
    ASSERT_TRUE(at_cap > 100);
    sk_price_free(m);
    /* mu below the floor: the floor is hit */
    q = t_ou(0.1, 1.0, 1.0, 0, 0, 600);
    q.floor = 0.5;
    q.cap = 4.0;
    m = sk_price_ou_new(&q, 0);
    for (int i = 0; i < 2000; i++) {
        ASSERT_EQ_INT(sk_price_next(m, &r, &t, &p), 1);
        at_floor += p == 0.5;
    }
    ASSERT_TRUE(at_floor > 100);
    sk_price_free(m);
    sk_rng_fini(&r);
}

/* 2000 changes of an OU model with jumps from stream (seed, 0, 7); a hash of (t, price). */
static uint64_t t_ou_hash(uint64_t seed, double *last) {
    sk_ou_params q = t_ou(1.0, 0.5, 0.3, 0.2, 0.5, 300);
    sk_rng r;
    if (sk_rng_init(&r, NULL, seed, 0, 7) < 0) return 0;
    sk_price_model *m = sk_price_ou_new(&q, 0);
    uint64_t h = 1469598103934665603ull;
    sk_time t;
    double p = 0;
    for (int i = 0; i < 2000 && sk_price_next(m, &r, &t, &p); i++) {
        uint64_t bits;
        memcpy(&bits, &p, sizeof bits);
        h = (h ^ bits ^ (uint64_t)t) * 1099511628211ull;
    }
    *last = p;
    sk_price_free(m);
    sk_rng_fini(&r);
    return h;
}

static void test_ou_determinism(void) {
    double a, b, c;
    uint64_t h1 = t_ou_hash(42, &a), h2 = t_ou_hash(42, &b), h3 = t_ou_hash(43, &c);
    ASSERT_EQ_U64(h1, h2);
    ASSERT_NEAR(a, b, 0);
    ASSERT_TRUE(h1 != h3);
}

/* ---- the fit on synthetic paths --------------------------------------------------------------- */

/* n steps of the OU model (every step changes: floor/cap far away) as a series. */
static int t_ou_series(const sk_ou_params *q, int64_t n, uint64_t seed, sk_price_series *s) {
    memset(s, 0, sizeof *s);
    sk_rng r;
    if (sk_rng_init(&r, NULL, seed, 0, 1) < 0) return -1;
    sk_price_model *m = sk_price_ou_new(q, 0);
    s->t = malloc((size_t)n * sizeof *s->t);
    s->price = malloc((size_t)n * sizeof *s->price);
    int rc = m && s->t && s->price ? 0 : -1;
    for (int64_t k = 0; k < n && !rc; k++) {
        if (sk_price_next(m, &r, &s->t[k], &s->price[k]) != 1) rc = -1;
        s->n = k + 1;
    }
    s->end = s->t[s->n - 1];
    sk_price_free(m);
    sk_rng_fini(&r);
    return rc;
}

static void test_fit_recovers_ou(void) {
    /* theta dt = 0.5: b = e^{-0.5}; the naive Euler estimators (1-b)/dt and sqrt(var(e)/dt) would
     * be 21% and 20% off, i.e. > 20 standard errors here */
    sk_ou_params q = t_ou(1.0, 2.0, 0.2, 0, 0, 900), f, se;
    sk_price_series s;
    ASSERT_EQ_INT(t_ou_series(&q, 100000, 11, &s), 0);
    sk_price_fit_info info;
    ASSERT_EQ_INT(sk_price_fit_ex(&s, 900, &f, &se, &info, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(info.nsamples, 100000);
    ASSERT_NEAR(f.mu, 1.0, 4 * se.mu);
    ASSERT_NEAR(f.theta, 2.0, 4 * se.theta);
    ASSERT_NEAR(f.sigma, 0.2, 4 * se.sigma);
    /* the standard errors are the asymptotic ones: se(theta) = sqrt(1-b^2)/(b dt sqrt(n)) */
    double b = exp(-0.5), se_th = sqrt((1 - b * b) / 100000.0) / (b * 0.25);
    ASSERT_NEAR(se.theta / se_th, 1.0, 0.05);
    ASSERT_TRUE(4 * se.theta < 0.2 * 2.0 && 4 * se.sigma < 0.2 * 0.2);
    double naive_theta = (1 - info.b) / 0.25;
    ASSERT_TRUE(fabs(naive_theta - 2.0) > 10 * se.theta);
    /* no jumps in the path: the count is the Gaussian tail, so the rate is about 0 */
    ASSERT_TRUE(fabs((double)info.njumps - info.false_jumps) < 5 * sqrt(info.false_jumps) + 1);
    ASSERT_TRUE(f.jump_rate < 0.01);
    sk_price_series_fini(&s);
}

static void test_fit_finds_jumps(void) {
    /* 1250 jumps of mean 2 $/h on an OU path with a 0.02 $/h step sd */
    sk_ou_params q = t_ou(1.0, 2.0, 0.05, 0.05, 2.0, 900), f, se;
    sk_price_series s;
    ASSERT_EQ_INT(t_ou_series(&q, 100000, 5, &s), 0);
    sk_price_fit_info info;
    ASSERT_EQ_INT(sk_price_fit_ex(&s, 900, &f, &se, &info, t_err, sizeof t_err), 0);
    ASSERT_NEAR(f.jump_rate, 0.05, 4 * se.jump_rate);
    ASSERT_NEAR(f.jump_mean, 2.0, 4 * se.jump_mean);
    ASSERT_NEAR(f.mu, 1.0, 4 * se.mu);
    ASSERT_NEAR(f.theta, 2.0, 4 * se.theta);
    ASSERT_NEAR(f.sigma, 0.05, 4 * se.sigma);
    ASSERT_TRUE(se.jump_rate < 0.004 && se.jump_mean < 0.1);
    /* without removing jumps, the plain AR(1) mean is mu + rate*mean/theta = 1.05 and the
     * residual variance is dominated by the jumps: the fit must have removed them */
    ASSERT_TRUE(info.njumps > 1000);
    ASSERT_TRUE(info.s2 < 2 * 0.05 * 0.05 * (1 - exp(-1.0)) / 4);
    sk_price_series_fini(&s);
}

static void test_fit_errors(void) {
    sk_ou_params f, se;
    sk_time t1[] = {0};
    double p1[] = {2.0};
    sk_price_series s = {.n = 1, .t = t1, .price = p1, .end = 100 * SK_HOUR};
    ASSERT_EQ_INT(sk_price_fit(&s, 3600, &f, &se, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "constant");
    s.end = 10 * SK_HOUR; /* 11 samples */
    ASSERT_EQ_INT(sk_price_fit(&s, 3600, &f, &se, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "need at least 20");
    /* one step up: after the step is taken as a jump, nothing moves (b = 1) */
    sk_time t2[] = {0, 50 * SK_HOUR};
    double p2[] = {2.0, 3.0};
    sk_price_series s2 = {.n = 2, .t = t2, .price = p2, .end = 100 * SK_HOUR};
    ASSERT_EQ_INT(sk_price_fit(&s2, 3600, &f, &se, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "b = 1");
    ASSERT_EQ_INT(sk_price_fit(&s2, 0, &f, &se, t_err, sizeof t_err), SK_EUSAGE);
}

/* ---- loaders against the real files ----------------------------------------------------------- */

static void test_load_gcp(void) {
    if (!t_traces_root()) SK_T_FAIL_("no traces");
    sk_price_series s;
    /* python3: rows of g2-standard-4/us-central1 with a spot price, consecutive repeats dropped */
    ASSERT_EQ_INT(sk_price_load_gcp(&s, t_path(GCP_CSV), "g2-standard-4", "us-central1", 1, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 16);
    ASSERT_EQ_I64(s.epoch_s, 1683504000); /* 2023-05-08 */
    ASSERT_EQ_I64(s.t[0], 0);
    ASSERT_NEAR(s.price[0], 0.212049667, 0);
    ASSERT_EQ_I64(s.t[1], 8121600 * SK_SEC);
    ASSERT_NEAR(s.price[1], 0.226748071, 0);
    ASSERT_EQ_I64(s.t[2], 12355200 * SK_SEC);
    ASSERT_NEAR(s.price[2], 0.226732071, 0);
    ASSERT_NEAR(s.price[15], 0.397336, 0);
    ASSERT_EQ_I64(s.end, 101865600 * SK_SEC); /* to 2026-07-30, the last snapshot */
    sk_price_series_fini(&s);
    /* on-demand: one price since 2023-04-24 */
    ASSERT_EQ_INT(sk_price_load_gcp(&s, t_path(GCP_CSV), "g2-standard-4", "us-central1", 0, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 1);
    ASSERT_NEAR(s.price[0], 0.706832255, 0);
    ASSERT_EQ_I64(s.end, 103075200 * SK_SEC);
    ASSERT_EQ_I64(s.epoch_s, 1682294400);
    sk_price_series_fini(&s);
    /* a pair that disappears on 2024-08-17 (both prices blank): the series ends there */
    ASSERT_EQ_INT(sk_price_load_gcp(&s, t_path(GCP_CSV), "a2-highgpu-1g", "northamerica-northeast2", 0, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 2);
    ASSERT_NEAR(s.price[0], 0.688136, 0);
    ASSERT_NEAR(s.price[1], 0.814064, 0);
    ASSERT_EQ_I64(s.t[1], 7 * 86400 * SK_SEC);
    ASSERT_EQ_I64(s.end, 79488000 * SK_SEC);
    ASSERT_EQ_I64(s.epoch_s, 1644364800);
    sk_price_series_fini(&s);
    /* unknown pair: SK_ECONFIG naming both */
    ASSERT_EQ_INT(sk_price_load_gcp(&s, t_path(GCP_CSV), "g2-standard-4", "mars-north1", 1, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "'g2-standard-4'");
    ASSERT_STR_CONTAINS(t_err, "'mars-north1'");
    ASSERT_TRUE(s.n == 0 && s.t == NULL);
}

static void test_load_aws(void) {
    if (!t_traces_root()) SK_T_FAIL_("no traces");
    sk_price_series s;
    /* euc1-az2 g4ad.2xlarge: 0.2871 at 18:49:08, 0.2879 at 23:42:32; the file ends 23:59:29 */
    ASSERT_EQ_INT(sk_price_load_aws_history(&s, t_path(AWS_CSV), "euc1-az2", "g4ad.2xlarge", t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 2);
    ASSERT_EQ_I64(s.epoch_s, 1654022948);
    ASSERT_NEAR(s.price[0], 0.2871, 0);
    ASSERT_NEAR(s.price[1], 0.2879, 0);
    ASSERT_EQ_I64(s.t[1], 17604 * SK_SEC);
    ASSERT_EQ_I64(s.end, 18621 * SK_SEC);
    sk_price_series_fini(&s);
    ASSERT_EQ_INT(sk_price_load_aws_history(&s, t_path(AWS_CSV), "use1-az6", "p3.2xlarge", t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 1);
    ASSERT_NEAR(s.price[0], 0.918, 0);
    sk_price_series_fini(&s);
    ASSERT_EQ_INT(sk_price_load_aws_history(&s, t_path(AWS_CSV), "use1-az6", "p9.huge", t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "p9.huge");
}

static void test_load_ticks(void) {
    if (!t_traces_root()) SK_T_FAIL_("no traces");
    sk_price_series s;
    /* python3: 20158 ticks of 195 s, 182 changes; 1.2433 from tick 64, 1.2387 from tick 186 */
    ASSERT_EQ_INT(sk_price_load_ticks(&s, t_path(TICKS), t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 182);
    ASSERT_NEAR(s.price[0], 1.224, 0);
    ASSERT_EQ_I64(s.t[1], 12480 * SK_SEC);
    ASSERT_NEAR(s.price[1], 1.2433, 0);
    ASSERT_EQ_I64(s.t[2], 36270 * SK_SEC);
    ASSERT_NEAR(s.price[2], 1.2387, 0);
    ASSERT_EQ_I64(s.t[181], 3918525 * SK_SEC);
    ASSERT_NEAR(s.price[181], 1.1458, 0);
    ASSERT_EQ_I64(s.end, 3930615 * SK_SEC);
    sk_price_series_fini(&s);
}

static void test_loader_errors(void) {
    char p[256];
    sk_price_series s;
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".csv",
                            "snapshot_date,source_commit,machine_type,region,price_usd_per_hour,spot_price_usd_per_hour\n"
                            "2022-02-09,x,m,r,1.5,\n"
                            "2022-02-10,x,m,r,abc,\n"),
                  0);
    ASSERT_EQ_INT(sk_price_load_gcp(&s, p, "m", "r", 0, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":3: column 5 (price_usd_per_hour)");
    ASSERT_STR_CONTAINS(t_err, "'abc'");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".csv",
                            "snapshot_date,source_commit,machine_type,region,price_usd_per_hour,spot_price_usd_per_hour\n"
                            "2022-02-30,x,m,r,1.5,\n"),
                  0);
    ASSERT_EQ_INT(sk_price_load_gcp(&s, p, "m", "r", 0, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: column 1 (snapshot_date)");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".csv",
                            "availability_zone_id,instance_type,product_description,spot_price_usd_per_hour,timestamp_utc\n"
                            "z,t,Linux/UNIX,0.5,2022-05-31T19:43:19+00:00\n"
                            "z,t,Linux/UNIX,0.6,2022-05-31 19:43\n"),
                  0);
    ASSERT_EQ_INT(sk_price_load_aws_history(&s, p, "z", "t", t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":3: column 5 (timestamp_utc)");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".csv", "zone,type,desc,price,time\n"), 0);
    ASSERT_EQ_INT(sk_price_load_aws_history(&s, p, "z", "t", t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":1: column 1: expected header 'availability_zone_id'");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".json", "{\"prices\": [1.0, 2.0, -1], \"gap_seconds\": 60}"), 0);
    ASSERT_EQ_INT(sk_price_load_ticks(&s, p, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "prices[2]");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".json", "{\"prices\": [1.0], \"metadata\": {}}"), 0);
    ASSERT_EQ_INT(sk_price_load_ticks(&s, p, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "metadata.gap_seconds");
    unlink(p);
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".json", "{\"prices\": [1.0,\n 2.0"), 0);
    ASSERT_EQ_INT(sk_price_load_ticks(&s, p, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2:");
    unlink(p);
    /* gap_seconds in metadata works too; the series ends at the last tick */
    ASSERT_EQ_INT(t_tmpfile(p, sizeof p, ".json", "{\"prices\": [1.0, 1.0, 2.0, 2.0], \"metadata\": {\"gap_seconds\": 30}}"), 0);
    ASSERT_EQ_INT(sk_price_load_ticks(&s, p, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(s.n, 2);
    ASSERT_EQ_I64(s.t[1], 60 * SK_SEC);
    ASSERT_EQ_I64(s.end, 90 * SK_SEC);
    sk_price_series_fini(&s);
    unlink(p);
    ASSERT_EQ_INT(sk_price_load_ticks(&s, "/nonexistent/x.json", t_err, sizeof t_err), SK_ENOINPUT);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"const", test_const},
        {"trace_replay", test_trace_replay},
        {"ou_deterministic", test_ou_deterministic},
        {"ou_check", test_ou_check},
        {"ou_clamp_and_changes", test_ou_clamp_and_changes},
        {"ou_determinism", test_ou_determinism},
        {"fit_recovers_ou", test_fit_recovers_ou},
        {"fit_finds_jumps", test_fit_finds_jumps},
        {"fit_errors", test_fit_errors},
        {"load_gcp", test_load_gcp},
        {"load_aws", test_load_aws},
        {"load_ticks", test_load_ticks},
        {"loader_errors", test_loader_errors},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
