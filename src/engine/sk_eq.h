/* sk_eq.h - the pending-event set: a calendar queue of events stored by value in a pool.
 *
 * Invariants (checked by sk_eq_sane()):
 *  - Events live by value in one pool array (`pool`), linked by 32-bit indices; free slots form a
 *    LIFO free list. The pool grows by doubling (amortised, never once per event) and never
 *    shrinks during a run, so steady-state scheduling does no allocation at all.
 *  - Order is total: (t, seq). `seq` is the insertion sequence number, unique within a queue,
 *    so ties in time break by insertion order and every run executes the same event sequence.
 *  - Calendar (Brown 1988) with power-of-two bucket widths: an event at time t belongs to virtual
 *    bucket vb = t >> shift and is stored in bucket vb & mask, in a list sorted by (t, seq).
 *    Integer microsecond times make the bucket index a shift, not a division.
 *  - No pending event has vb < cur_vb, so the head of bucket cur_vb & mask, if its vb equals
 *    cur_vb, is the global minimum.
 *  - The bucket count follows the population (doubling above 2 per bucket, halving below 1/2),
 *    and the width is re-estimated on each resize from the spacing of the earliest events.
 *  - Wasted work (empty buckets scanned, list nodes walked on insert) is counted; when it exceeds
 *    2 (n + nb) since the last resize, the width is re-estimated at the same bucket count. A
 *    resize costs O(n + nb), so it is paid for by the waste that triggered it: distributions that
 *    change shape (a dense burst, then sparse far-future events) stay amortised O(1).
 *    Known weak spot: hundreds of events tied on one microsecond sharing buckets with far-future
 *    events make inserts walk the tie run (no width helps; a ladder queue would).
 *
 * Cancellation is O(1): a handle names a slot and the event's seq; cancelling marks the slot, and
 * the event is dropped unexecuted when it reaches the front. A handle to an event that already
 * ran or was cancelled is detected (the slot's seq no longer matches) and reported, never
 * misapplied. */
#ifndef SK_EQ_H
#define SK_EQ_H

#include <stddef.h>
#include <stdint.h>

#include "sk_error.h"
#include "sk_time.h"

#define SK_EQ_NIL UINT32_MAX

enum { SK_EV_FREE = 0, SK_EV_LIVE = 1, SK_EV_CANCELLED = 2 };

/* One event, 32 bytes. `target`, `arg` and `kind` belong to the caller; the rest to the queue. */
typedef struct sk_event {
    sk_time t;       /* when it fires (microseconds) */
    uint64_t seq;    /* insertion sequence number: the tie-breaker */
    uint32_t target; /* caller's entity id (LP, instance, job, ...) */
    uint32_t arg;    /* caller's small payload */
    uint16_t kind;   /* caller's event type (index into the engine's handler table) */
    uint16_t state;  /* SK_EV_FREE / LIVE / CANCELLED */
    uint32_t next;   /* bucket list link or free list link */
} sk_event;

/* Names one scheduled event; {SK_EQ_NIL, 0} is "no event". */
typedef struct sk_ev_handle {
    uint32_t slot;
    uint64_t seq;
} sk_ev_handle;

typedef struct sk_eq_bucket {
    uint32_t head, tail;
} sk_eq_bucket;

typedef struct sk_eq {
    sk_event *pool;
    uint32_t cap;       /* pool slots */
    uint32_t free_head; /* free list */
    sk_eq_bucket *bkt;
    uint64_t nb;        /* number of buckets, a power of two */
    uint64_t mask;      /* nb - 1 */
    unsigned shift;     /* bucket width is 2^shift microseconds */
    uint64_t cur_vb;    /* virtual bucket at the front of the queue */
    size_t n;           /* events in buckets, cancelled ones included */
    size_t ncancelled;  /* of which cancelled */
    size_t top_thr, bot_thr;
    uint64_t next_seq;
    uint64_t resizes;       /* all resizes */
    uint64_t width_resizes; /* of which width re-estimates triggered by wasted work */
    uint64_t cost;        /* wasted steps since the last resize */
    uint64_t cost_budget; /* re-estimate the width when cost exceeds this */
    int oom;            /* a pool or bucket allocation failed; the queue is unchanged */
} sk_eq;

/* Initialise an empty queue with room for `cap_hint` events before the pool first grows.
 * Returns 0 or SK_ENOMEM (nothing to free then). */
int sk_eq_init(sk_eq *q, size_t cap_hint);
void sk_eq_fini(sk_eq *q);

/* Pending (not cancelled) events. */
static inline size_t sk_eq_size(const sk_eq *q) { return q->n - q->ncancelled; }

/* Out-of-line slow paths, used by the inline functions below. */
uint32_t sk_eq__grow(sk_eq *q);
uint32_t sk_eq__min_slow(sk_eq *q);
void sk_eq__link_slow(sk_eq *q, uint32_t idx, sk_eq_bucket *b);
void sk_eq__resize(sk_eq *q, uint64_t nb);
/* Full consistency check for assert(): order within buckets, counts, free list. O(n). */
int sk_eq_sane(const sk_eq *q);

/* Put pool slot idx (whose t and seq are set) into its bucket. Can't fail. */
static inline void sk_eq__link(sk_eq *q, uint32_t idx) {
    sk_event *p = q->pool;
    uint64_t vb = (uint64_t)p[idx].t >> q->shift;
    sk_eq_bucket *b = &q->bkt[vb & q->mask];
    uint32_t h = b->head;
    if (h == SK_EQ_NIL) {
        p[idx].next = SK_EQ_NIL;
        b->head = b->tail = idx;
    } else if (p[idx].t < p[h].t) { /* earlier than everything in the bucket */
        p[idx].next = h;
        b->head = idx;
    } else {
        sk_eq__link_slow(q, idx, b);
    }
    if (SK_UNLIKELY(vb < q->cur_vb)) q->cur_vb = vb;
}

/* Schedule an event at time t >= 0. Returns its handle, or {SK_EQ_NIL, 0} with q->oom set when
 * the pool could not grow (the queue is unchanged then). */
static inline sk_ev_handle sk_eq_push(sk_eq *q, sk_time t, uint16_t kind, uint32_t target,
                                      uint32_t arg) {
    uint32_t idx = q->free_head;
    if (SK_UNLIKELY(idx == SK_EQ_NIL)) {
        idx = sk_eq__grow(q);
        if (idx == SK_EQ_NIL) return (sk_ev_handle){SK_EQ_NIL, 0};
    }
    sk_event *e = &q->pool[idx];
    q->free_head = e->next;
    e->t = t;
    e->seq = q->next_seq++;
    e->target = target;
    e->arg = arg;
    e->kind = kind;
    e->state = SK_EV_LIVE;
    sk_eq__link(q, idx);
    if (SK_UNLIKELY(++q->n > q->top_thr)) sk_eq__resize(q, q->nb * 2);
    else if (SK_UNLIKELY(q->cost > q->cost_budget)) sk_eq__resize(q, q->nb);
    return (sk_ev_handle){idx, e->seq};
}

/* Slot of the earliest event (cancelled ones included), or SK_EQ_NIL when empty. Positions the
 * calendar on it, so sk_eq_pop_front() may follow. */
static inline uint32_t sk_eq_front(sk_eq *q) {
    if (SK_UNLIKELY(q->n == 0)) return SK_EQ_NIL;
    uint32_t h = q->bkt[q->cur_vb & q->mask].head;
    if (SK_LIKELY(h != SK_EQ_NIL && ((uint64_t)q->pool[h].t >> q->shift) == q->cur_vb)) return h;
    return sk_eq__min_slow(q);
}

/* Unlink the event returned by the last sk_eq_front() (slot h) and copy it to *out; the slot
 * goes back to the free list. Can't fail. */
static inline void sk_eq_pop_front(sk_eq *q, uint32_t h, sk_event *out) {
    sk_event *p = q->pool;
    sk_eq_bucket *b = &q->bkt[q->cur_vb & q->mask];
    b->head = p[h].next;
    if (b->head == SK_EQ_NIL) b->tail = SK_EQ_NIL;
    *out = p[h];
    if (out->state == SK_EV_CANCELLED) q->ncancelled--;
    p[h].state = SK_EV_FREE;
    p[h].next = q->free_head;
    q->free_head = h;
    if (SK_UNLIKELY(--q->n < q->bot_thr)) sk_eq__resize(q, q->nb / 2);
}

/* Cancel a scheduled event in O(1). Returns 0, or SK_ENOENT when the handle names no pending
 * event (it already ran, was cancelled, or is the null handle); the queue is unchanged then. */
static inline int sk_eq_cancel(sk_eq *q, sk_ev_handle h) {
    if (h.slot >= q->cap) return SK_ENOENT;
    sk_event *e = &q->pool[h.slot];
    if (e->state != SK_EV_LIVE || e->seq != h.seq) return SK_ENOENT;
    e->state = SK_EV_CANCELLED;
    q->ncancelled++;
    return 0;
}

#endif
