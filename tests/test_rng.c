/* test_rng.c - stream seeding, known answers, GSL agreement, reproducibility, independence. */
#include "engine/sk_rng.h"
#include "test.h"

/* The documented seed hash, checked against values computed by an independent implementation. */
static void test_seed_hash(void) {
    ASSERT_EQ_U64(sk_rng_seed(0, 0, 0), 0x238275bc38fcbe91ULL);
    ASSERT_EQ_U64(sk_rng_seed(42, 7, 3), 0xf55e4254d4655539ULL);
    ASSERT_EQ_U64(sk_rng_seed(UINT64_MAX, UINT64_MAX, UINT64_MAX), 0x595b17f487c0e71bULL);
}

/* xoshiro256++ / + from state {1,2,3,4}: the published algorithms' first outputs. */
static void test_known_answers(void) {
    uint64_t s[4] = {1, 2, 3, 4};
    sk_rng r = {NULL, s, SK_RNG_XOSHIRO_PP};
    ASSERT_EQ_U64(sk_rng__next64(&r), 0x2800001ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r), 0x3800067ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r), 0xcc00003800067ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r), 0xcc201994400b2ULL);
    uint64_t s2[4] = {1, 2, 3, 4};
    sk_rng r2 = {NULL, s2, SK_RNG_XOSHIRO_P};
    ASSERT_EQ_U64(sk_rng__next64(&r2), 0x5ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r2), 0xc00000000007ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r2), 0xc00018000007ULL);
    ASSERT_EQ_U64(sk_rng__next64(&r2), 0x8001600018040302ULL);
    /* full path: stream (42, 7, 3) -> seed -> splitmix64 state fill -> first outputs */
    sk_rng g;
    ASSERT_EQ_INT(sk_rng_init(&g, NULL, 42, 7, 3), 0);
    ASSERT_EQ_U64(sk_rng__next64(&g), 0x365603d4436aaa9bULL);
    ASSERT_EQ_U64(sk_rng__next64(&g), 0x4388cbc48c02f265ULL);
    sk_rng_fini(&g);
}

/* The inline fast path draws exactly what GSL's API draws from the same registered type. */
static void test_fast_path_equals_gsl(void) {
    const gsl_rng_type *types[] = {sk_rng_xoshiro256pp, sk_rng_xoshiro256p};
    for (int k = 0; k < 2; k++) {
        sk_rng a;
        ASSERT_EQ_INT(sk_rng_init(&a, types[k], 9, 1, 2), 0);
        gsl_rng *b = gsl_rng_clone(a.g);
        for (int i = 0; i < 100000; i++) {
            double x = sk_rng_uniform(&a), y = gsl_rng_uniform(b);
            if (x != y) SK_T_FAIL_("draw %d: %.17g != %.17g", i, x, y);
            ASSERT_TRUE(x >= 0 && x < 1);
        }
        /* exponential: -mu*log(1-u) vs GSL's -mu*log1p(-u) on the same u; 1-u is exact, so they
         * differ at most by libm rounding */
        for (int i = 0; i < 100000; i++) {
            double x = sk_rng_exponential(&a, 2.5), y = gsl_ran_exponential(b, 2.5);
            ASSERT_NEAR(x, y, 1e-15 * (y > 1 ? y : 1));
        }
        /* gsl_rng_get of our type is the high 32 bits of the output */
        uint64_t o = sk_rng__next64(&a);
        ASSERT_EQ_U64(gsl_rng_get(b), o >> 32);
        gsl_rng_free(b);
        sk_rng_fini(&a);
    }
}

/* Same (master, run, stream) -> same numbers, whatever was drawn elsewhere before. */
static void test_reproducible(void) {
    sk_rng a, b, noise;
    ASSERT_EQ_INT(sk_rng_init(&noise, NULL, 5, 0, 0), 0);
    ASSERT_EQ_INT(sk_rng_init(&a, NULL, 5, 1234, 3), 0);
    for (int i = 0; i < 1000; i++) sk_rng_uniform(&noise);
    ASSERT_EQ_INT(sk_rng_init(&b, NULL, 5, 1234, 3), 0);
    for (int i = 0; i < 10000; i++) ASSERT_EQ_U64(sk_rng__next64(&a), sk_rng__next64(&b));
    sk_rng_fini(&a);
    sk_rng_fini(&b);
    sk_rng_fini(&noise);
    /* a GSL type through the same layer */
    const gsl_rng_type *mt = sk_rng_type_find("mt19937");
    ASSERT_TRUE(mt != NULL);
    ASSERT_EQ_INT(sk_rng_init(&a, mt, 5, 3, 0), 0);
    ASSERT_EQ_INT(sk_rng_init(&b, mt, 5, 3, 0), 0);
    ASSERT_EQ_INT(a.fast, SK_RNG_GSL);
    for (int i = 0; i < 1000; i++) ASSERT_EQ_U64(sk_rng_uniform_int(&a, 1000), sk_rng_uniform_int(&b, 1000));
    sk_rng_fini(&a);
    sk_rng_fini(&b);
}

/* Streams of neighbouring runs and stream ids share no outputs and are uncorrelated. */
static void test_independent(void) {
    enum { S = 6, N = 20000 };
    static double x[S][N];
    static uint64_t first[S][64];
    uint64_t ids[S][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 0}, {0, 2}};
    for (int s = 0; s < S; s++) {
        sk_rng r;
        ASSERT_EQ_INT(sk_rng_init(&r, NULL, 77, ids[s][0], ids[s][1]), 0);
        for (int i = 0; i < 64; i++) first[s][i] = sk_rng__next64(&r);
        for (int i = 0; i < N; i++) x[s][i] = sk_rng_uniform(&r);
        sk_rng_fini(&r);
    }
    for (int a = 0; a < S; a++)
        for (int b = a + 1; b < S; b++) {
            for (int i = 0; i < 64; i++)
                for (int j = 0; j < 64; j++) ASSERT_TRUE(first[a][i] != first[b][j]);
            double sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < N; i++) {
                double u = x[a][i] - 0.5, v = x[b][i] - 0.5;
                sab += u * v;
                saa += u * u;
                sbb += v * v;
            }
            double corr = sab / sqrt(saa * sbb);
            ASSERT_TRUE(fabs(corr) < 5.0 / sqrt((double)N)); /* 5 sigma */
        }
}

/* uniform_int: in range and unbiased (chi-square over 10 cells); exponential mean. */
static void test_distributions(void) {
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 3, 0, 0), 0);
    enum { K = 10, N = 1000000 };
    long cnt[K] = {0};
    for (int i = 0; i < N; i++) {
        uint32_t v = sk_rng_uniform_int(&r, K);
        ASSERT_TRUE(v < K);
        cnt[v]++;
    }
    double chi = 0, e = (double)N / K;
    for (int k = 0; k < K; k++) chi += (cnt[k] - e) * (cnt[k] - e) / e;
    ASSERT_TRUE(chi < 27.9); /* p = 0.001 at 9 degrees of freedom */
    /* n = 2^32 - 1 and n = 1 extremes */
    for (int i = 0; i < 1000; i++) ASSERT_EQ_U64(sk_rng_uniform_int(&r, 1), 0);
    for (int i = 0; i < 1000; i++) ASSERT_TRUE(sk_rng_uniform_int(&r, UINT32_MAX) < UINT32_MAX);
    double s = 0;
    for (int i = 0; i < N; i++) s += sk_rng_exponential(&r, 0.9);
    ASSERT_NEAR(s / N, 0.9, 0.9 * 5 / sqrt((double)N));
    sk_rng_fini(&r);
}

static void test_type_names(void) {
    ASSERT_TRUE(sk_rng_type_find("xoshiro256++") == sk_rng_xoshiro256pp);
    ASSERT_TRUE(sk_rng_type_find("xoshiro256+") == sk_rng_xoshiro256p);
    ASSERT_TRUE(sk_rng_type_find("taus2") == gsl_rng_taus2);
    ASSERT_TRUE(sk_rng_type_find("no-such-generator") == NULL);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"seed_hash", test_seed_hash},
        {"known_answers", test_known_answers},
        {"fast_path_equals_gsl", test_fast_path_equals_gsl},
        {"reproducible", test_reproducible},
        {"independent", test_independent},
        {"distributions", test_distributions},
        {"type_names", test_type_names},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
