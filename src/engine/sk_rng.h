/* sk_rng.h - random number streams: GSL generators and distributions behind a thin layer.
 *
 * Stream seeding. Run i of an experiment with master seed m draws stream s from a generator seeded
 * with
 *     sk_rng_seed(m, i, s) = f(f(f(m) ^ i) ^ s),   f(x) = mix64(x + 0x9E3779B97F4A7C15)
 * where mix64 is the splitmix64 finaliser (xor-shift 30, multiply 0xBF58476D1CE4E5B9, xor-shift 27,
 * multiply 0x94D049BB133111EB, xor-shift 31). The seed depends on (m, i, s) only: never on thread
 * count, shard layout or which runs ran before.
 *
 * Generators. Any GSL type can be used (gsl_rng_set() gets the 64-bit seed; most GSL types keep
 * only its low 32 bits). Synkti registers two more gsl_rng_type's, so GSL's gsl_ran_* distributions
 * work on them unchanged:
 *   "xoshiro256++" (default) and "xoshiro256+" (Blackman & Vigna 2018): 256-bit state filled from
 *   the seed by four splitmix64 steps; get() returns the high 32 bits of an output, get_double()
 *   the high 53 bits scaled to [0, 1).
 * For these two, the inline functions below draw straight from the state instead of through GSL's
 * function pointers; sk_rng_uniform() returns bit for bit what gsl_rng_uniform() returns on the same
 * generator. sk_rng_exponential() computes -mu*log(1-u) where gsl_ran_exponential() computes
 * -mu*log1p(-u): for a 53-bit u, 1-u is exact, so the two differ only in libm's last-bit rounding,
 * and log() is 12-17% faster per PHOLD event (measured; see README "Benchmarks").
 * sk_rng_uniform_int() uses Lemire's unbiased multiply-and-reject method on 32-bit outputs for the
 * xoshiro types and gsl_rng_uniform_int() for GSL's own types.
 * For any other distribution call GSL directly on r->g (gsl_ran_gamma(r->g, ...)). */
#ifndef SK_RNG_H
#define SK_RNG_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

#include "sk_error.h"

enum { SK_RNG_GSL = 0, SK_RNG_XOSHIRO_PP = 1, SK_RNG_XOSHIRO_P = 2 };

typedef struct sk_rng {
    gsl_rng *g;   /* the GSL generator; its state is ours to draw from when fast != 0 */
    uint64_t *xs; /* xoshiro state (= g->state) or NULL */
    int fast;     /* SK_RNG_* */
} sk_rng;

extern const gsl_rng_type *const sk_rng_xoshiro256pp;
extern const gsl_rng_type *const sk_rng_xoshiro256p;
#define SK_RNG_DEFAULT_NAME "xoshiro256++"

/* The documented stream seed hash (see above). */
uint64_t sk_rng_seed(uint64_t master, uint64_t run, uint64_t stream);

/* Generator type by name: "xoshiro256++", "xoshiro256+" or any GSL name ("mt19937", "taus2", ...).
 * NULL when unknown. Not thread-safe (GSL's type list): call before parallel regions. */
const gsl_rng_type *sk_rng_type_find(const char *name);
/* Print the names sk_rng_type_find() accepts, comma-separated. */
void sk_rng_print_types(FILE *out);

/* Allocate stream (master, run, stream) of type T (NULL = default). Returns 0 or SK_ENOMEM. */
int sk_rng_init(sk_rng *r, const gsl_rng_type *T, uint64_t master, uint64_t run, uint64_t stream);
void sk_rng_fini(sk_rng *r);

static inline uint64_t sk_rng__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Next raw 64-bit xoshiro output; only for r->fast != 0. */
static inline uint64_t sk_rng__next64(sk_rng *r) {
    uint64_t *s = r->xs;
    uint64_t out = r->fast == SK_RNG_XOSHIRO_PP ? sk_rng__rotl(s[0] + s[3], 23) + s[0] : s[0] + s[3];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sk_rng__rotl(s[3], 45);
    return out;
}

/* Uniform on [0, 1). */
static inline double sk_rng_uniform(sk_rng *r) {
    if (SK_LIKELY(r->fast)) return (double)(sk_rng__next64(r) >> 11) * 0x1.0p-53;
    return gsl_rng_uniform(r->g);
}

/* Uniform on (0, 1). */
static inline double sk_rng_uniform_pos(sk_rng *r) {
    double x;
    do x = sk_rng_uniform(r);
    while (x == 0);
    return x;
}

/* Uniform integer on [0, n), 1 <= n <= 2^32 - 1. */
static inline uint32_t sk_rng_uniform_int(sk_rng *r, uint32_t n) {
    if (SK_LIKELY(r->fast)) {
        uint64_t m = (sk_rng__next64(r) >> 32) * (uint64_t)n;
        uint32_t lo = (uint32_t)m;
        if (SK_UNLIKELY(lo < n)) {
            uint32_t thr = (uint32_t)(-n) % n;
            while (lo < thr) {
                m = (sk_rng__next64(r) >> 32) * (uint64_t)n;
                lo = (uint32_t)m;
            }
        }
        return (uint32_t)(m >> 32);
    }
    return (uint32_t)gsl_rng_uniform_int(r->g, n);
}

/* Exponential with mean mu, from one uniform draw (see the note at the top). */
static inline double sk_rng_exponential(sk_rng *r, double mu) {
    double u = sk_rng_uniform(r);
    return -mu * log(1.0 - u);
}

#endif
