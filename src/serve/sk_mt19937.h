/* sk_mt19937.h - MT19937 with the exact draw semantics of numpy's legacy RandomState and of
 * CPython's `random` module, for bit-for-bit replays of Python artifacts (the SpotHedge
 * simulator, sk_shart). Not a general-purpose generator: use engine/sk_rng for new models.
 *
 * The state is caller-owned and plain (no allocation); every function is pure on it. */
#ifndef SK_MT19937_H
#define SK_MT19937_H

#include <stddef.h>
#include <stdint.h>

#define SK_MT_N 624

typedef struct sk_mt {
    uint32_t mt[SK_MT_N];
    int mti;
} sk_mt;

/* Matsumoto & Nishimura's init_genrand (Knuth's 1812433253 recurrence): numpy `seed(int)`. */
void sk_mt_init_genrand(sk_mt *m, uint32_t s);
/* init_by_array: CPython `random.seed(int)` with key = the 32-bit words of |int|, low first. */
void sk_mt_init_by_array(sk_mt *m, const uint32_t *key, size_t len);
/* CPython `random.seed(s)` for a non-negative integer s < 2^64 (key [0] for 0). */
void sk_mt_py_seed(sk_mt *m, uint64_t s);
/* The next 32-bit output (genrand_uint32 / genrand_int32). */
uint32_t sk_mt_u32(sk_mt *m);

/* numpy legacy: a 53-bit double in [0, 1) from two words ((a>>5)*2^26 + (b>>6)) / 2^53. */
double sk_mt_np_double(sk_mt *m);
/* numpy legacy standard exponential -log(1 - U) (U = sk_mt_np_double). */
double sk_mt_np_std_exp(sk_mt *m);
/* numpy legacy RandomState.randint(0, high) (high exclusive, high >= 1): masked rejection;
 * 32-bit words while high - 1 <= 0xFFFFFFFF, else 64-bit words (hi word first). */
uint64_t sk_mt_np_randint(sk_mt *m, uint64_t high);

/* CPython getrandbits(k) for 1 <= k <= 32: u32 >> (32 - k). */
uint32_t sk_mt_py_getrandbits(sk_mt *m, int k);
/* CPython _randbelow(n), 1 <= n <= 2^32 - 1: k = bit_length(n), getrandbits(k) until < n. */
uint32_t sk_mt_py_randbelow(sk_mt *m, uint32_t n);
/* CPython random.random(): the same 53-bit double as sk_mt_np_double. */
double sk_mt_py_random(sk_mt *m);
/* CPython random.shuffle(x) on an int array: for i = n-1 down to 1, swap x[i], x[randbelow(i+1)]. */
void sk_mt_py_shuffle(sk_mt *m, int *x, size_t n);
/* CPython random.choice(x) for n >= 1: x[randbelow(n)]. */
int sk_mt_py_choice(sk_mt *m, const int *x, size_t n);

#endif
