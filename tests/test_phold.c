/* test_phold.c - PHOLD on the engine: identical to an independent heap-based loop, identical for
 * 1 and 2 threads, sensitive to the seed. */
#include <omp.h>

#include "bench/sk_phold.h"
#include "engine/sk_rng.h"
#include "test.h"

/* PHOLD written out with a plain binary heap and the same draws (the semantics in sk_phold.h). */
typedef struct { sk_time t; uint64_t seq; uint32_t lp; } hev;
static int hless(hev a, hev b) { return a.t < b.t || (a.t == b.t && a.seq < b.seq); }
static void hpush(hev *h, size_t *hn, hev e) {
    size_t i = (*hn)++;
    while (i && hless(e, h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}
static void ref_phold(const sk_phold_params *p, uint64_t rep, uint64_t *events, uint64_t *checksum) {
    uint32_t n = (uint32_t)p->lps;
    size_t cap = (size_t)(p->lps * p->events_per_lp) + 1, hn = 0;
    hev *h = calloc(cap, sizeof *h);
    uint64_t *lph = calloc(n, sizeof *lph), seq = 0, cnt = 0;
    sk_rng r;
    sk_rng_init(&r, p->rng, p->seed, rep, 0);
    sk_time la = sk_time_from(p->lookahead, SK_SEC), end = sk_time_from(p->end, SK_SEC);
    double em = (p->mean - p->lookahead) * 1e6;
    for (uint32_t lp = 0; lp < n; lp++)
        for (uint64_t k = 0; k < p->events_per_lp; k++) hpush(h, &hn, (hev){la + (sk_time)sk_rng_exponential(&r, em), seq++, lp});
    for (;;) {
        hev top = h[0];
        if (top.t >= end) break;
        hev last = h[--hn];
        size_t i = 0;
        for (;;) {
            size_t c = 2 * i + 1;
            if (c >= hn) break;
            if (c + 1 < hn && hless(h[c + 1], h[c])) c++;
            if (!hless(h[c], last)) break;
            h[i] = h[c];
            i = c;
        }
        if (hn) h[i] = last;
        cnt++;
        lph[top.lp] = (lph[top.lp] ^ (uint64_t)top.t) * 0x100000001B3ULL;
        uint32_t dst = sk_rng_uniform(&r) <= p->remote ? sk_rng_uniform_int(&r, n) : top.lp;
        hpush(h, &hn, (hev){top.t + la + (sk_time)sk_rng_exponential(&r, em), seq++, dst});
    }
    uint64_t cs = 0xCBF29CE484222325ULL;
    cs = (cs ^ cnt) * 0x100000001B3ULL;
    for (uint32_t i = 0; i < n; i++) cs = (cs ^ lph[i]) * 0x100000001B3ULL;
    *events = cnt;
    *checksum = cs;
    sk_rng_fini(&r);
    free(h);
    free(lph);
}

static void small(sk_phold_params *p) {
    sk_phold_defaults(p);
    p->lps = 300;
    p->events_per_lp = 5;
    p->end = 200;
}

static void test_matches_reference(void) {
    sk_phold_params p;
    small(&p);
    const char *rngs[] = {"xoshiro256++", "xoshiro256+", "taus2"};
    double remote[] = {0.9, 0.0, 1.0};
    for (int k = 0; k < 3; k++) {
        p.rng = sk_rng_type_find(rngs[k]);
        p.remote = remote[k];
        sk_phold_result res;
        ASSERT_EQ_INT(sk_phold_run(&p, 3, &res), 0);
        uint64_t ev, cs;
        ref_phold(&p, 3, &ev, &cs);
        ASSERT_EQ_U64(res.events, ev);
        ASSERT_EQ_U64(res.checksum, cs);
        /* about N*E*end/mean events */
        double expect = (double)(p.lps * p.events_per_lp) * p.end / p.mean;
        ASSERT_NEAR(res.events / expect, 1.0, 0.02);
    }
    /* a zero lookahead and a large population, where many timestamps tie */
    p.rng = NULL;
    p.remote = 0.9;
    p.lookahead = 0;
    p.mean = 0.001;
    p.lps = 5000;
    p.events_per_lp = 4;
    p.end = 1;
    sk_phold_result res;
    ASSERT_EQ_INT(sk_phold_run(&p, 0, &res), 0);
    uint64_t ev, cs;
    ref_phold(&p, 0, &ev, &cs);
    ASSERT_EQ_U64(res.events, ev);
    ASSERT_EQ_U64(res.checksum, cs);
}

static void test_threads_identical(void) {
    sk_phold_params p;
    small(&p);
    enum { R = 6 };
    sk_phold_result a[R], b[R];
    double wall;
    ASSERT_EQ_INT(sk_phold_run_many(&p, R, 1, a, &wall), 0);
    ASSERT_EQ_INT(sk_phold_run_many(&p, R, 2, b, &wall), 0);
    for (int r = 0; r < R; r++) {
        ASSERT_EQ_U64(a[r].events, b[r].events);
        ASSERT_EQ_U64(a[r].checksum, b[r].checksum);
        ASSERT_TRUE(a[r].events > 0);
    }
    ASSERT_EQ_U64(sk_phold_combine(a, R), sk_phold_combine(b, R));
    /* replications are different streams */
    ASSERT_TRUE(a[0].checksum != a[1].checksum);
}

static void test_seed_sensitive(void) {
    sk_phold_params p;
    small(&p);
    sk_phold_result a, b;
    sk_phold_run(&p, 0, &a);
    p.seed = 2;
    sk_phold_run(&p, 0, &b);
    ASSERT_TRUE(a.checksum != b.checksum);
}

static void test_check(void) {
    sk_phold_params p;
    char msg[128];
    sk_phold_defaults(&p);
    ASSERT_EQ_INT(sk_phold_check(&p, msg, sizeof msg), 0);
    p.mean = 0.05; /* below the lookahead */
    ASSERT_EQ_INT(sk_phold_check(&p, msg, sizeof msg), SK_EUSAGE);
    ASSERT_STR_CONTAINS(msg, "mean");
    sk_phold_defaults(&p);
    p.remote = 1.5;
    ASSERT_EQ_INT(sk_phold_check(&p, msg, sizeof msg), SK_EUSAGE);
    ASSERT_STR_CONTAINS(msg, "remote");
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"matches_reference", test_matches_reference},
        {"threads_identical", test_threads_identical},
        {"seed_sensitive", test_seed_sensitive},
        {"check", test_check},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
