/* sk_engine.c - the run loop. */
#include "engine/sk_engine.h"

#include <string.h>

int sk_engine_init(sk_engine *eng, size_t cap_hint) {
    memset(eng, 0, sizeof *eng);
    return sk_eq_init(&eng->q, cap_hint);
}

void sk_engine_fini(sk_engine *eng) {
    sk_eq_fini(&eng->q);
    memset(eng, 0, sizeof *eng);
}

int sk_engine_on(sk_engine *eng, uint16_t kind, sk_handler_fn fn, void *ctx) {
    if (kind >= SK_ENGINE_MAX_KINDS || !fn) return SK_EUSAGE;
    eng->handler[kind].fn = fn;
    eng->handler[kind].ctx = ctx;
    return 0;
}

int sk_engine_run(sk_engine *eng, sk_time end, uint64_t max_events) {
    sk_eq *q = &eng->q;
    uint64_t left = max_events ? max_events : UINT64_MAX;
    eng->stop = 0;
    for (;;) {
        if (SK_UNLIKELY(eng->err)) return eng->err;
        if (SK_UNLIKELY(eng->stop)) return SK_RUN_STOPPED;
        if (SK_UNLIKELY(left == 0)) return SK_RUN_EVENT_LIMIT;
        uint32_t h = sk_eq_front(q);
        if (SK_UNLIKELY(h == SK_EQ_NIL)) return SK_RUN_DRAINED;
        if (SK_UNLIKELY(q->pool[h].t >= end)) {
            if (end > eng->now) eng->now = end;
            return SK_RUN_END_TIME;
        }
        sk_event ev;
        sk_eq_pop_front(q, h, &ev);
        if (SK_UNLIKELY(ev.state == SK_EV_CANCELLED)) continue;
        eng->now = ev.t;
        eng->executed++;
        left--;
        sk_handler_fn fn = eng->handler[ev.kind].fn;
        if (SK_UNLIKELY(!fn)) sk_die(SK_LOC, "no handler for event kind %u", (unsigned)ev.kind);
        fn(eng->handler[ev.kind].ctx, eng, &ev);
    }
}

int sk_engine_next(sk_engine *eng, sk_time end, sk_event *ev) {
    sk_eq *q = &eng->q;
    for (;;) {
        uint32_t h = sk_eq_front(q);
        if (h == SK_EQ_NIL || q->pool[h].t >= end) return 0;
        sk_eq_pop_front(q, h, ev);
        if (ev->state == SK_EV_CANCELLED) continue;
        eng->now = ev->t;
        eng->executed++;
        return 1;
    }
}
