/* sk_eq.c - calendar queue slow paths: pool growth, front search, sorted insert, resize. */
#include "engine/sk_eq.h"

#include <stdlib.h>
#include <string.h>

#define SK_EQ_MIN_BUCKETS 2u
#define SK_EQ_SAMPLE 25 /* events sampled to estimate the bucket width (Brown) */

static void sk_eq__set_thresholds(sk_eq *q) {
    q->top_thr = 2 * q->nb;
    q->bot_thr = q->nb > SK_EQ_MIN_BUCKETS ? q->nb / 2 - 2 : 0;
    q->cost = 0;
    q->cost_budget = 2 * (q->n + q->nb) + 1024;
}

static sk_eq_bucket *sk_eq__alloc_buckets(uint64_t nb) {
    sk_eq_bucket *b = malloc(nb * sizeof *b);
    if (b) memset(b, 0xff, nb * sizeof *b); /* every head and tail = SK_EQ_NIL */
    return b;
}

int sk_eq_init(sk_eq *q, size_t cap_hint) {
    memset(q, 0, sizeof *q);
    if (cap_hint < 16) cap_hint = 16;
    if (cap_hint > SK_EQ_NIL - 1) cap_hint = SK_EQ_NIL - 1;
    q->pool = malloc(cap_hint * sizeof *q->pool);
    if (!q->pool) goto fail_pool;
    q->cap = (uint32_t)cap_hint;
    for (uint32_t i = 0; i < q->cap; i++) {
        q->pool[i].state = SK_EV_FREE;
        q->pool[i].next = i + 1 < q->cap ? i + 1 : SK_EQ_NIL;
    }
    q->free_head = 0;
    q->nb = SK_EQ_MIN_BUCKETS;
    q->mask = q->nb - 1;
    q->shift = 10; /* ~1 ms until the first resize measures the real spacing */
    q->bkt = sk_eq__alloc_buckets(q->nb);
    if (!q->bkt) goto fail_bkt;
    sk_eq__set_thresholds(q);
    return 0;

fail_bkt:
    free(q->pool);
fail_pool:
    memset(q, 0, sizeof *q);
    return SK_ENOMEM;
}

void sk_eq_fini(sk_eq *q) {
    free(q->pool);
    free(q->bkt);
    memset(q, 0, sizeof *q);
}

uint32_t sk_eq__grow(sk_eq *q) {
    uint64_t ncap = (uint64_t)q->cap * 2;
    if (ncap > SK_EQ_NIL - 1) ncap = SK_EQ_NIL - 1;
    if (ncap <= q->cap) { q->oom = 1; return SK_EQ_NIL; }
    sk_event *np = realloc(q->pool, ncap * sizeof *np);
    if (!np) { q->oom = 1; return SK_EQ_NIL; }
    for (uint64_t i = q->cap; i < ncap; i++) {
        np[i].state = SK_EV_FREE;
        np[i].next = i + 1 < ncap ? (uint32_t)(i + 1) : SK_EQ_NIL;
    }
    q->pool = np;
    q->free_head = q->cap;
    q->cap = (uint32_t)ncap;
    return q->free_head;
}

/* Insert slot idx into the sorted list of bucket b, whose head is not later than idx. The newest
 * event goes after every event at the same time; the tail check makes runs of equal times O(1). */
void sk_eq__link_slow(sk_eq *q, uint32_t idx, sk_eq_bucket *b) {
    sk_event *p = q->pool;
    sk_time t = p[idx].t;
    p[idx].next = SK_EQ_NIL;
    if (p[b->tail].t <= t) {
        p[b->tail].next = idx;
        b->tail = idx;
        return;
    }
    uint32_t prev = b->head, cur = p[prev].next;
    while (p[cur].t <= t) { /* terminates: the tail is later than t */
        prev = cur;
        cur = p[cur].next;
        q->cost++;
    }
    p[idx].next = cur;
    p[prev].next = idx;
}

static inline int sk_eq__before(const sk_event *a, const sk_event *b) {
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

uint32_t sk_eq__min_slow(sk_eq *q) {
    if (q->cost > q->cost_budget) sk_eq__resize(q, q->nb); /* the width no longer fits */
    sk_event *p = q->pool;
    /* Walk at most one year of buckets from the current one. */
    for (uint64_t k = 0; k < q->nb; k++) {
        uint32_t h = q->bkt[q->cur_vb & q->mask].head;
        if (h != SK_EQ_NIL && ((uint64_t)p[h].t >> q->shift) == q->cur_vb) {
            q->cost += k;
            return h;
        }
        q->cur_vb++;
    }
    q->cost += 2 * q->nb;
    /* Nothing within a year: the minimum is the earliest bucket head. */
    uint32_t best = SK_EQ_NIL;
    for (uint64_t i = 0; i < q->nb; i++) {
        uint32_t h = q->bkt[i].head;
        if (h != SK_EQ_NIL && (best == SK_EQ_NIL || sk_eq__before(&p[h], &p[best]))) best = h;
    }
    if (best == SK_EQ_NIL) sk_die(SK_LOC, "calendar queue holds %zu events but no bucket has one", q->n);
    q->cur_vb = (uint64_t)p[best].t >> q->shift;
    return best;
}

/* Bucket width estimate (Brown 1988): the mean spacing of the earliest events, ignoring gaps over
 * twice the mean, times 3; as a power of two. Returns the shift to use. */
static unsigned sk_eq__estimate_shift(const sk_eq *q, const uint32_t *smp, size_t ns) {
    if (ns < 2) return q->shift;
    const sk_event *p = q->pool;
    double tot = (double)(p[smp[ns - 1]].t - p[smp[0]].t);
    double avg = tot / (double)(ns - 1), t2 = 0;
    size_t c2 = 0;
    for (size_t i = 1; i < ns; i++) {
        double d = (double)(p[smp[i]].t - p[smp[i - 1]].t);
        if (d <= 2 * avg) { t2 += d; c2++; }
    }
    double w = (c2 && t2 > 0) ? 3.0 * t2 / (double)c2 : 3.0 * avg;
    if (!(w >= 1.0)) return 0;
    unsigned s = 0;
    while (s < 62 && (double)((uint64_t)1 << (s + 1)) <= w) s++;
    /* round to the nearer power of two in log scale */
    if (s < 62 && w / (double)((uint64_t)1 << s) > 1.41421356) s++;
    return s;
}

void sk_eq__resize(sk_eq *q, uint64_t nb) {
    if (nb < SK_EQ_MIN_BUCKETS) nb = SK_EQ_MIN_BUCKETS;
    q->cost = 0; /* no nested re-estimate while sampling */
    q->cost_budget = UINT64_MAX;
    sk_eq_bucket *nbkt = sk_eq__alloc_buckets(nb);
    if (!nbkt) { /* keep the old calendar: slower but correct */
        q->top_thr = SIZE_MAX;
        q->bot_thr = 0;
        return;
    }
    if (nb == q->nb) q->width_resizes++;
    /* Take out the earliest events to sample their spacing. */
    uint32_t smp[SK_EQ_SAMPLE];
    size_t ns = 0;
    while (ns < SK_EQ_SAMPLE && ns < q->n) {
        uint32_t h = sk_eq_front(q);
        sk_eq_bucket *b = &q->bkt[q->cur_vb & q->mask];
        b->head = q->pool[h].next;
        if (b->head == SK_EQ_NIL) b->tail = SK_EQ_NIL;
        smp[ns++] = h;
    }
    unsigned shift = sk_eq__estimate_shift(q, smp, ns);
    sk_eq_bucket *old = q->bkt;
    uint64_t oldnb = q->nb;
    q->bkt = nbkt;
    q->nb = nb;
    q->mask = nb - 1;
    q->shift = shift;
    q->cur_vb = ns ? (uint64_t)q->pool[smp[0]].t >> shift : 0;
    for (size_t i = 0; i < ns; i++) sk_eq__link(q, smp[i]);
    for (uint64_t i = 0; i < oldnb; i++) {
        uint32_t x = old[i].head;
        while (x != SK_EQ_NIL) {
            uint32_t nx = q->pool[x].next;
            sk_eq__link(q, x);
            x = nx;
        }
    }
    free(old);
    sk_eq__set_thresholds(q);
    q->resizes++;
}

int sk_eq_sane(const sk_eq *q) {
    const sk_event *p = q->pool;
    size_t n = 0, nc = 0;
    if (q->nb & q->mask) return 0;
    for (uint64_t i = 0; i < q->nb; i++) {
        uint32_t x = q->bkt[i].head, last = SK_EQ_NIL;
        while (x != SK_EQ_NIL) {
            if (x >= q->cap || p[x].state == SK_EV_FREE) return 0;
            uint64_t vb = (uint64_t)p[x].t >> q->shift;
            if ((vb & q->mask) != i || vb < q->cur_vb) return 0;
            if (last != SK_EQ_NIL && !sk_eq__before(&p[last], &p[x])) return 0;
            if (p[x].state == SK_EV_CANCELLED) nc++;
            n++;
            last = x;
            x = p[x].next;
        }
        if (q->bkt[i].tail != last) return 0;
    }
    size_t nfree = 0;
    for (uint32_t x = q->free_head; x != SK_EQ_NIL; x = p[x].next) {
        if (x >= q->cap || p[x].state != SK_EV_FREE || ++nfree > q->cap) return 0;
    }
    return n == q->n && nc == q->ncancelled && n + nfree == q->cap;
}
