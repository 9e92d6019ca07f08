/* test_eq.c - the calendar queue against a sorted reference: order, ties, cancellation, growth. */
#include "engine/sk_eq.h"
#include "test.h"

/* Deterministic test RNG (splitmix64), independent of the code under test. */
static uint64_t t_state = 12345;
static uint64_t t_rand(void) {
    uint64_t z = (t_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct { sk_time t; uint64_t seq; } ref_ev;
static int ref_cmp(const void *a, const void *b) {
    const ref_ev *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Binary min-heap on (t, seq): the independent reference for interleaved push/pop. */
typedef struct { ref_ev *a; size_t n; } ref_heap;
static int ref_less(ref_ev x, ref_ev y) { return x.t < y.t || (x.t == y.t && x.seq < y.seq); }
static void rh_push(ref_heap *h, ref_ev e) {
    size_t i = h->n++;
    while (i && ref_less(e, h->a[(i - 1) / 2])) { h->a[i] = h->a[(i - 1) / 2]; i = (i - 1) / 2; }
    h->a[i] = e;
}
static ref_ev rh_pop(ref_heap *h) {
    ref_ev top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && ref_less(h->a[c + 1], h->a[c])) c++;
        if (!ref_less(h->a[c], last)) break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n) h->a[i] = last;
    return top;
}

/* Time generators: different spreads stress different calendar paths. */
enum { D_UNIFORM, D_TIES, D_EQUAL, D_BIMODAL, D_HUGE, D_NDIST };
static sk_time t_draw(int d, sk_time base) {
    switch (d) {
    case D_UNIFORM: return base + (sk_time)(t_rand() % 1000000);
    case D_TIES: return base + (sk_time)(t_rand() % 16);          /* many exact ties */
    case D_EQUAL: return base;                                      /* all at one time */
    case D_BIMODAL: return base + ((t_rand() & 7) ? (sk_time)(t_rand() % 1000) : (sk_time)(t_rand() % 1000000000000LL));
    default: return base + (sk_time)((t_rand() >> 2) % ((uint64_t)1 << 50)); /* up to 2^50 */
    }
}

/* Push n events, then pop all: the order must be exactly the sort by (t, seq). */
static void check_sorted(size_t n, int d) {
    sk_eq q;
    ASSERT_EQ_INT(sk_eq_init(&q, 16), 0); /* small: forces pool growth and many resizes */
    ref_ev *ref = malloc(n * sizeof *ref);
    for (size_t i = 0; i < n; i++) {
        sk_time t = t_draw(d, 0);
        sk_ev_handle h = sk_eq_push(&q, t, 1, (uint32_t)i, 0);
        ASSERT_TRUE(h.slot != SK_EQ_NIL);
        ASSERT_EQ_U64(h.seq, i);
        ref[i] = (ref_ev){t, i};
    }
    ASSERT_TRUE(sk_eq_sane(&q));
    ASSERT_EQ_U64(sk_eq_size(&q), n);
    qsort(ref, n, sizeof *ref, ref_cmp);
    for (size_t i = 0; i < n; i++) {
        uint32_t h = sk_eq_front(&q);
        ASSERT_TRUE(h != SK_EQ_NIL);
        sk_event ev;
        sk_eq_pop_front(&q, h, &ev);
        if (ev.t != ref[i].t || ev.seq != ref[i].seq) {
            fprintf(stderr, "  dist %d n %zu: pop %zu got (%" PRId64 ",%" PRIu64 ") want (%" PRId64 ",%" PRIu64 ")\n", d, n, i,
                    ev.t, ev.seq, ref[i].t, ref[i].seq);
            sk_t_fail = 1;
            break;
        }
        ASSERT_EQ_U64(ev.target, ev.seq);
    }
    ASSERT_EQ_U64(sk_eq_front(&q), SK_EQ_NIL);
    ASSERT_TRUE(sk_eq_sane(&q));
    free(ref);
    sk_eq_fini(&q);
}

static void test_sorted_small(void) {
    for (int d = 0; d < D_NDIST; d++)
        for (size_t n = 1; n <= 300; n += 37) check_sorted(n, d);
}
static void test_sorted_1e5(void) {
    for (int d = 0; d < D_NDIST; d++) check_sorted(100000, d);
}
static void test_sorted_1e6(void) {
    check_sorted(1000000, D_UNIFORM);
    check_sorted(1000000, D_TIES);
    check_sorted(200000, D_BIMODAL); /* dense ties + far events: see sk_eq.h, "known weak spot" */
    check_sorted(1000000, D_HUGE);
}

/* Hold model: interleave pops and pushes at or after the popped time, with the population
 * growing, holding and shrinking; compare every pop with the reference heap. */
static void check_hold(size_t peak, int d) {
    sk_eq q;
    ASSERT_EQ_INT(sk_eq_init(&q, 4), 0);
    ref_heap rh = {malloc(peak * 2 * sizeof(ref_ev)), 0};
    uint64_t seq = 0;
    sk_time now = 0;
    size_t steps = peak * 6;
    for (size_t s = 0; s < steps; s++) {
        size_t phase = s / peak; /* 0-1: grow, 2-3: hold, 4-5: shrink */
        int do_push = phase < 2 ? (t_rand() % 4 != 0) : phase < 4 ? (s & 1) : (t_rand() % 4 == 0);
        if (rh.n == 0) do_push = 1;
        if (do_push) {
            sk_time t = t_draw(d, now);
            sk_eq_push(&q, t, 0, 0, 0);
            rh_push(&rh, (ref_ev){t, seq++});
        } else {
            uint32_t h = sk_eq_front(&q);
            sk_event ev;
            sk_eq_pop_front(&q, h, &ev);
            ref_ev want = rh_pop(&rh);
            if (ev.t != want.t || ev.seq != want.seq) {
                fprintf(stderr, "  hold dist %d step %zu: got (%" PRId64 ",%" PRIu64 ") want (%" PRId64 ",%" PRIu64 ")\n", d, s, ev.t,
                        ev.seq, want.t, want.seq);
                sk_t_fail = 1;
                break;
            }
            now = ev.t;
        }
        if (s % (peak / 4 + 1) == 0) ASSERT_TRUE(sk_eq_sane(&q));
        ASSERT_EQ_U64(sk_eq_size(&q), rh.n);
    }
    ASSERT_TRUE(q.resizes > 0);
    free(rh.a);
    sk_eq_fini(&q);
}

static void test_hold(void) {
    for (int d = 0; d < D_NDIST; d++) {
        check_hold(1000, d);
        check_hold(50000, d);
    }
    check_hold(400000, D_UNIFORM);
}

static void test_cancel(void) {
    sk_eq q;
    ASSERT_EQ_INT(sk_eq_init(&q, 8), 0);
    enum { N = 20000 };
    sk_ev_handle *h = malloc(N * sizeof *h);
    sk_time *tt = malloc(N * sizeof *tt);
    char *cancelled = calloc(N, 1);
    for (int i = 0; i < N; i++) {
        tt[i] = t_draw(D_TIES, 0) * 1000 + (sk_time)(t_rand() % 1000);
        h[i] = sk_eq_push(&q, tt[i], 0, (uint32_t)i, 0);
    }
    size_t nc = 0;
    for (int i = 0; i < N; i += 3) {
        ASSERT_EQ_INT(sk_eq_cancel(&q, h[i]), 0);
        ASSERT_EQ_INT(sk_eq_cancel(&q, h[i]), SK_ENOENT); /* twice: reported, no double count */
        cancelled[i] = 1;
        nc++;
    }
    ASSERT_EQ_U64(sk_eq_size(&q), N - nc);
    ASSERT_TRUE(sk_eq_sane(&q));
    ASSERT_EQ_INT(sk_eq_cancel(&q, (sk_ev_handle){SK_EQ_NIL, 0}), SK_ENOENT);
    ASSERT_EQ_INT(sk_eq_cancel(&q, (sk_ev_handle){h[1].slot, h[1].seq + 1}), SK_ENOENT); /* wrong seq */
    /* pop everything: exactly the non-cancelled events come out, in (t, seq) order */
    size_t live = 0;
    sk_time last_t = -1;
    uint64_t last_seq = 0;
    for (;;) {
        uint32_t f = sk_eq_front(&q);
        if (f == SK_EQ_NIL) break;
        sk_event ev;
        sk_eq_pop_front(&q, f, &ev);
        ASSERT_TRUE(ev.t > last_t || (ev.t == last_t && ev.seq > last_seq));
        last_t = ev.t;
        last_seq = ev.seq;
        ASSERT_EQ_INT(ev.state == SK_EV_CANCELLED, cancelled[ev.target]);
        if (ev.state == SK_EV_LIVE) live++;
        /* a handle to an event that has run cannot cancel anything any more */
        ASSERT_EQ_INT(sk_eq_cancel(&q, h[ev.target]), SK_ENOENT);
    }
    ASSERT_EQ_U64(live, N - nc);
    ASSERT_EQ_U64(q.ncancelled, 0);
    /* slot reuse: an old handle to a reused slot must not cancel the new event */
    sk_ev_handle fresh = sk_eq_push(&q, 5, 0, 0, 0);
    int reused = 0;
    for (int i = 0; i < N; i++)
        if (h[i].slot == fresh.slot) {
            ASSERT_EQ_INT(sk_eq_cancel(&q, h[i]), SK_ENOENT);
            reused = 1;
        }
    ASSERT_TRUE(reused);
    ASSERT_EQ_U64(sk_eq_size(&q), 1);
    ASSERT_EQ_INT(sk_eq_cancel(&q, fresh), 0);
    ASSERT_EQ_U64(sk_eq_size(&q), 0);
    free(h);
    free(tt);
    free(cancelled);
    sk_eq_fini(&q);
}

/* Many events at one instant must not degrade to quadratic insertion (tail append). */
static void test_equal_times_fast(void) {
    sk_eq q;
    ASSERT_EQ_INT(sk_eq_init(&q, 16), 0);
    for (uint32_t i = 0; i < 200000; i++) sk_eq_push(&q, 777, 0, i, 0);
    for (uint32_t i = 0; i < 200000; i++) {
        uint32_t f = sk_eq_front(&q);
        sk_event ev;
        sk_eq_pop_front(&q, f, &ev);
        ASSERT_EQ_U64(ev.target, i);
    }
    sk_eq_fini(&q);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"sorted_small", test_sorted_small},
        {"sorted_1e5", test_sorted_1e5},
        {"sorted_1e6", test_sorted_1e6},
        {"hold", test_hold},
        {"cancel", test_cancel},
        {"equal_times_fast", test_equal_times_fast},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
