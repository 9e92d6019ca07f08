/* sk_engine.h - one discrete-event simulation: clock, pending events, handler table, run loop.
 *
 * One engine is one run: single-threaded, caller-owned storage, no global state, so any number of
 * engines run at once in one process (one per OpenMP thread, say). Handlers are registered per
 * event kind; sk_engine_run() pops events in (time, insertion sequence) order and calls the
 * handler of each event's kind with the context it was registered with. Handlers schedule and
 * cancel further events through the same engine. */
#ifndef SK_ENGINE_H
#define SK_ENGINE_H

#include <stdint.h>

#include "engine/sk_eq.h"

#define SK_ENGINE_MAX_KINDS 64

typedef struct sk_engine sk_engine;
typedef void (*sk_handler_fn)(void *ctx, sk_engine *eng, const sk_event *ev);

struct sk_engine {
    sk_eq q;
    sk_time now;       /* time of the event being executed, or where the last run stopped */
    uint64_t executed; /* events executed so far (cancelled ones are not counted) */
    int stop;          /* set by sk_engine_stop() */
    int err;           /* first error from a handler's call into the engine (SK_ENOMEM) */
    struct {
        sk_handler_fn fn;
        void *ctx;
    } handler[SK_ENGINE_MAX_KINDS];
};

/* Why sk_engine_run() returned (non-negative), or a negative SK_E* code. */
enum {
    SK_RUN_DRAINED = 0,     /* no events left */
    SK_RUN_END_TIME = 1,    /* the next event is at or after `end`; now == end */
    SK_RUN_EVENT_LIMIT = 2, /* executed `max_events` events in this call */
    SK_RUN_STOPPED = 3      /* a handler called sk_engine_stop() */
};

/* Initialise an engine at time 0 with room for `cap_hint` pending events before the first
 * growth. Returns 0 or SK_ENOMEM (nothing to free then). */
int sk_engine_init(sk_engine *eng, size_t cap_hint);
void sk_engine_fini(sk_engine *eng);

/* Register the handler for events of `kind` (< SK_ENGINE_MAX_KINDS). Returns 0 or SK_EUSAGE. */
int sk_engine_on(sk_engine *eng, uint16_t kind, sk_handler_fn fn, void *ctx);

/* Schedule an event of `kind` at absolute time t >= now. Returns its handle; on allocation failure
 * returns {SK_EQ_NIL, 0} and the run stops with SK_ENOMEM. Scheduling in the past is a broken
 * invariant (sk_die). */
static inline sk_ev_handle sk_schedule(sk_engine *eng, sk_time t, uint16_t kind, uint32_t target,
                                       uint32_t arg) {
    if (SK_UNLIKELY(t < eng->now))
        sk_die(SK_LOC, "event scheduled in the past (t=%lld < now=%lld)", (long long)t,
               (long long)eng->now);
    sk_ev_handle h = sk_eq_push(&eng->q, t, kind, target, arg);
    if (SK_UNLIKELY(h.slot == SK_EQ_NIL)) eng->err = SK_ENOMEM;
    return h;
}

/* Cancel a pending event in O(1). Returns 0 or SK_ENOENT (already ran or cancelled). */
static inline int sk_cancel(sk_engine *eng, sk_ev_handle h) { return sk_eq_cancel(&eng->q, h); }

/* Ask the run loop to return SK_RUN_STOPPED after the current handler. */
static inline void sk_engine_stop(sk_engine *eng) { eng->stop = 1; }

static inline size_t sk_engine_pending(const sk_engine *eng) { return sk_eq_size(&eng->q); }

/* Execute events in order until one of: the queue is empty; the next event's time is >= end
 * (it stays pending, and now becomes end); max_events events were executed by this call (0 means
 * no limit); a handler stopped the run; an error. Events of a kind with no handler are a broken
 * invariant (sk_die). Returns an SK_RUN_* reason or a negative SK_E* code. May be called again to
 * continue. */
int sk_engine_run(sk_engine *eng, sk_time end, uint64_t max_events);

/* Pull interface for callers that run their own loop: take the next non-cancelled event with
 * t < end into *ev and advance the clock to it. Returns 1, or 0 when there is none (now is then
 * unchanged). */
int sk_engine_next(sk_engine *eng, sk_time end, sk_event *ev);

#endif
