/* test_engine.c - the run loop: end time, event limit, stop, handlers, cancellation, and many
 * engines in one process. */
#include "engine/sk_engine.h"
#include "test.h"

typedef struct {
    sk_time log_t[64];
    uint32_t log_target[64];
    uint16_t log_kind[64];
    int n;
    int stop_at;
} rec;

static void on_any(void *ctx, sk_engine *e, const sk_event *ev) {
    rec *r = ctx;
    if (r->n < 64) {
        r->log_t[r->n] = ev->t;
        r->log_target[r->n] = ev->target;
        r->log_kind[r->n] = ev->kind;
    }
    r->n++;
    ASSERT_EQ_I64(e->now, ev->t);
    if (r->stop_at && r->n == r->stop_at) sk_engine_stop(e);
}

static void test_end_time_and_limit(void) {
    sk_engine e;
    rec r = {0};
    ASSERT_EQ_INT(sk_engine_init(&e, 4), 0);
    ASSERT_EQ_INT(sk_engine_on(&e, 0, on_any, &r), 0);
    ASSERT_EQ_INT(sk_engine_on(&e, 1, on_any, &r), 0);
    ASSERT_EQ_INT(sk_engine_on(&e, SK_ENGINE_MAX_KINDS, on_any, &r), SK_EUSAGE);
    for (int i = 0; i < 10; i++) sk_schedule(&e, 100 * i, (uint16_t)(i & 1), (uint32_t)i, 0);
    /* events at exactly `end` are not executed; now becomes end */
    ASSERT_EQ_INT(sk_engine_run(&e, 300, 0), SK_RUN_END_TIME);
    ASSERT_EQ_INT(r.n, 3);
    ASSERT_EQ_I64(e.now, 300);
    ASSERT_EQ_U64(sk_engine_pending(&e), 7);
    /* event limit: exactly two more */
    ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 2), SK_RUN_EVENT_LIMIT);
    ASSERT_EQ_INT(r.n, 5);
    ASSERT_EQ_I64(e.now, 400);
    /* stop from a handler */
    r.stop_at = 7;
    ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 0), SK_RUN_STOPPED);
    ASSERT_EQ_INT(r.n, 7);
    r.stop_at = 0;
    ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 0), SK_RUN_DRAINED);
    ASSERT_EQ_INT(r.n, 10);
    for (int i = 0; i < 10; i++) {
        ASSERT_EQ_I64(r.log_t[i], 100 * i);
        ASSERT_EQ_U64(r.log_target[i], i);
        ASSERT_EQ_INT(r.log_kind[i], i & 1);
    }
    ASSERT_EQ_U64(e.executed, 10);
    sk_engine_fini(&e);
}

/* Ties at one time run in scheduling order, across kinds. */
static void test_ties(void) {
    sk_engine e;
    rec r = {0};
    ASSERT_EQ_INT(sk_engine_init(&e, 4), 0);
    sk_engine_on(&e, 0, on_any, &r);
    sk_engine_on(&e, 3, on_any, &r);
    for (uint32_t i = 0; i < 40; i++) sk_schedule(&e, 50, (uint16_t)(i % 2 ? 3 : 0), i, 0);
    ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 0), SK_RUN_DRAINED);
    for (int i = 0; i < 40; i++) ASSERT_EQ_U64(r.log_target[i], i);
    sk_engine_fini(&e);
}

/* A preemption-like handler cancels another entity's pending events. */
typedef struct {
    sk_ev_handle pending[8];
    int fired[8];
} cancel_ctx;
static void on_finish(void *ctx, sk_engine *e, const sk_event *ev) { ((cancel_ctx *)ctx)->fired[ev->target]++; }
static void on_preempt(void *ctx, sk_engine *e, const sk_event *ev) {
    cancel_ctx *c = ctx;
    ASSERT_EQ_INT(sk_cancel(e, c->pending[ev->arg]), 0);
    ASSERT_EQ_INT(sk_cancel(e, c->pending[ev->arg]), SK_ENOENT);
}
static void test_cancel_in_handler(void) {
    sk_engine e;
    cancel_ctx c = {0};
    ASSERT_EQ_INT(sk_engine_init(&e, 4), 0);
    sk_engine_on(&e, 0, on_finish, &c);
    sk_engine_on(&e, 1, on_preempt, &c);
    for (uint32_t i = 0; i < 8; i++) c.pending[i] = sk_schedule(&e, 1000 + i, 0, i, 0);
    sk_schedule(&e, 500, 1, 0, 3); /* preempt entity 3 before it finishes */
    sk_schedule(&e, 1005, 1, 0, 6); /* and entity 6 at a time before its finish */
    ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 0), SK_RUN_DRAINED);
    for (int i = 0; i < 8; i++) ASSERT_EQ_INT(c.fired[i], (i == 3 || i == 6) ? 0 : 1);
    ASSERT_EQ_U64(e.executed, 8); /* 6 finishes + 2 preemptions; cancelled ones don't count */
    ASSERT_EQ_INT(sk_cancel(&e, c.pending[0]), SK_ENOENT); /* already ran */
    sk_engine_fini(&e);
}

/* A chain model: each event schedules the next one; its trace is a function of the seed only. */
typedef struct {
    uint64_t x, h;
} chain;
static void on_chain(void *ctx, sk_engine *e, const sk_event *ev) {
    chain *c = ctx;
    c->x = c->x * 6364136223846793005ULL + 1442695040888963407ULL;
    c->h = (c->h ^ (uint64_t)ev->t ^ ev->target) * 0x100000001B3ULL;
    sk_schedule(e, ev->t + (sk_time)(c->x >> 54), 0, (uint32_t)(c->x >> 40) & 1023, 0);
}

/* No global state: engines stepped alternately give the same results as engines run alone. */
static void test_many_engines(void) {
    enum { K = 4 };
    uint64_t alone[K];
    for (int k = 0; k < K; k++) {
        sk_engine e;
        chain c = {(uint64_t)k + 1, 0};
        ASSERT_EQ_INT(sk_engine_init(&e, 16), 0);
        sk_engine_on(&e, 0, on_chain, &c);
        for (int i = 0; i < 100; i++) sk_schedule(&e, i, 0, (uint32_t)i, 0);
        ASSERT_EQ_INT(sk_engine_run(&e, SK_TIME_MAX, 20000), SK_RUN_EVENT_LIMIT);
        alone[k] = c.h;
        sk_engine_fini(&e);
    }
    sk_engine e[K];
    chain c[K];
    for (int k = 0; k < K; k++) {
        c[k] = (chain){(uint64_t)k + 1, 0};
        ASSERT_EQ_INT(sk_engine_init(&e[k], 16), 0);
        sk_engine_on(&e[k], 0, on_chain, &c[k]);
        for (int i = 0; i < 100; i++) sk_schedule(&e[k], i, 0, (uint32_t)i, 0);
    }
    for (int step = 0; step < 200; step++)
        for (int k = 0; k < K; k++) ASSERT_EQ_INT(sk_engine_run(&e[k], SK_TIME_MAX, 100), SK_RUN_EVENT_LIMIT);
    for (int k = 0; k < K; k++) {
        ASSERT_EQ_U64(c[k].h, alone[k]);
        sk_engine_fini(&e[k]);
    }
    ASSERT_TRUE(alone[0] != alone[1]);
}

/* The pull interface yields the same sequence as the handler loop and skips cancelled events. */
static void test_next(void) {
    sk_engine e;
    ASSERT_EQ_INT(sk_engine_init(&e, 4), 0);
    sk_ev_handle h[5];
    for (int i = 0; i < 5; i++) h[i] = sk_schedule(&e, 10 * (5 - i), 0, (uint32_t)i, 0);
    ASSERT_EQ_INT(sk_cancel(&e, h[2]), 0);
    sk_event ev;
    uint32_t want[] = {4, 3, 1};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(sk_engine_next(&e, 50, &ev), 1);
        ASSERT_EQ_U64(ev.target, want[i]);
        ASSERT_EQ_I64(e.now, ev.t);
    }
    ASSERT_EQ_INT(sk_engine_next(&e, 50, &ev), 0); /* target 0 is at t=50, not < 50 */
    ASSERT_EQ_INT(sk_engine_next(&e, 51, &ev), 1);
    ASSERT_EQ_U64(ev.target, 0);
    ASSERT_EQ_INT(sk_engine_next(&e, SK_TIME_MAX, &ev), 0);
    sk_engine_fini(&e);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"end_time_and_limit", test_end_time_and_limit},
        {"ties", test_ties},
        {"cancel_in_handler", test_cancel_in_handler},
        {"many_engines", test_many_engines},
        {"next", test_next},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
