/* test.h - a tiny test harness: typed asserts that print both sides, and a runner that prints
 * "N passed, N failed" so CTest and CI see what ran. */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sk_t_fail;

#define SK_T_FAIL_(...)                                                                          \
    do {                                                                                         \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                                        \
        fprintf(stderr, __VA_ARGS__);                                                            \
        fputc('\n', stderr);                                                                     \
        sk_t_fail = 1;                                                                           \
        return;                                                                                  \
    } while (0)

#define ASSERT_TRUE(c)                                                                           \
    do { if (!(c)) SK_T_FAIL_("expected true: %s", #c); } while (0)
#define ASSERT_EQ_U64(a, b)                                                                      \
    do {                                                                                         \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                         \
        if (a_ != b_) SK_T_FAIL_("%s == %s: %" PRIu64 " (0x%" PRIx64 ") != %" PRIu64 " (0x%" PRIx64 ")", #a, #b, a_, a_, b_, b_); \
    } while (0)
#define ASSERT_EQ_I64(a, b)                                                                      \
    do {                                                                                         \
        int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                                            \
        if (a_ != b_) SK_T_FAIL_("%s == %s: %" PRId64 " != %" PRId64, #a, #b, a_, b_);           \
    } while (0)
#define ASSERT_EQ_INT(a, b) ASSERT_EQ_I64(a, b)
#define ASSERT_NEAR(a, b, tol)                                                                   \
    do {                                                                                         \
        double a_ = (double)(a), b_ = (double)(b);                                               \
        if (!(fabs(a_ - b_) <= (tol))) SK_T_FAIL_("|%s - %s| <= %g: %.17g vs %.17g", #a, #b, (double)(tol), a_, b_); \
    } while (0)
#define ASSERT_STR_CONTAINS(hay, needle)                                                         \
    do {                                                                                         \
        if (!strstr((hay), (needle))) SK_T_FAIL_("'%s' does not contain '%s'", (hay), (needle)); \
    } while (0)

typedef struct {
    const char *name;
    void (*fn)(void);
} sk_test;

/* Run every test in the NULL-terminated table (or only those named on the command line). */
static int sk_test_main(const sk_test *tests, int argc, char **argv) {
    int passed = 0, failed = 0;
    for (const sk_test *t = tests; t->name; t++) {
        if (argc > 1) {
            int want = 0;
            for (int i = 1; i < argc; i++) want |= !strcmp(argv[i], t->name);
            if (!want) continue;
        }
        sk_t_fail = 0;
        t->fn();
        printf("%s %s\n", sk_t_fail ? "FAIL" : "ok  ", t->name);
        fflush(stdout);
        if (sk_t_fail) failed++;
        else passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
