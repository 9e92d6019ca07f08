/* sk_time.h - simulated and wall-clock time: int64 microseconds, so ties are exact and sums
 * never drift. 2^63 µs is about 292,000 years. */
#ifndef SK_TIME_H
#define SK_TIME_H

#include <math.h>
#include <stdint.h>

typedef int64_t sk_time;

#define SK_TIME_MAX INT64_MAX
#define SK_USEC ((sk_time)1)
#define SK_MSEC ((sk_time)1000)
#define SK_SEC ((sk_time)1000000)
#define SK_MINUTE (60 * SK_SEC)
#define SK_HOUR (3600 * SK_SEC)

/* Seconds (or any unit scaled by `unit`) to sk_time, rounded to the nearest microsecond.
 * Out-of-range values saturate at +/-SK_TIME_MAX; NaN gives 0 (callers validate inputs first). */
static inline sk_time sk_time_from(double x, sk_time unit) {
    double us = x * (double)unit;
    if (!(us == us)) return 0;
    if (us >= 9.2e18) return SK_TIME_MAX;
    if (us <= -9.2e18) return -SK_TIME_MAX;
    return (sk_time)llround(us);
}
static inline double sk_time_to(sk_time t, sk_time unit) { return (double)t / (double)unit; }

#endif
