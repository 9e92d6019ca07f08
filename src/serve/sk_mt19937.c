/* sk_mt19937.c - MT19937 (Matsumoto & Nishimura 2002 reference code) and the numpy-legacy and
 * CPython draw functions built on it. Contract: sk_mt19937.h. */
#include "serve/sk_mt19937.h"

#include <math.h>

#define SK_MT_M 397
#define SK_MT_MATRIX_A 0x9908b0dfU
#define SK_MT_UPPER 0x80000000U
#define SK_MT_LOWER 0x7fffffffU

void sk_mt_init_genrand(sk_mt *m, uint32_t s) {
    m->mt[0] = s;
    for (int i = 1; i < SK_MT_N; i++)
        m->mt[i] = 1812433253U * (m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) + (uint32_t)i;
    m->mti = SK_MT_N;
}

void sk_mt_init_by_array(sk_mt *m, const uint32_t *key, size_t len) {
    sk_mt_init_genrand(m, 19650218U);
    size_t i = 1, j = 0, k = SK_MT_N > len ? SK_MT_N : len;
    for (; k; k--) {
        m->mt[i] = (m->mt[i] ^ ((m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
        i++, j++;
        if (i >= SK_MT_N) m->mt[0] = m->mt[SK_MT_N - 1], i = 1;
        if (j >= len) j = 0;
    }
    for (k = SK_MT_N - 1; k; k--) {
        m->mt[i] = (m->mt[i] ^ ((m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= SK_MT_N) m->mt[0] = m->mt[SK_MT_N - 1], i = 1;
    }
    m->mt[0] = 0x80000000U; /* MSB is 1; assuring non-zero initial array */
    m->mti = SK_MT_N;
}

void sk_mt_py_seed(sk_mt *m, uint64_t s) {
    uint32_t key[2] = {(uint32_t)s, (uint32_t)(s >> 32)};
    sk_mt_init_by_array(m, key, key[1] ? 2 : 1);
}

static void sk__mt_refill(sk_mt *m) {
    uint32_t *mt = m->mt, y;
    int kk;
    for (kk = 0; kk < SK_MT_N - SK_MT_M; kk++) {
        y = (mt[kk] & SK_MT_UPPER) | (mt[kk + 1] & SK_MT_LOWER);
        mt[kk] = mt[kk + SK_MT_M] ^ (y >> 1) ^ ((y & 1U) ? SK_MT_MATRIX_A : 0U);
    }
    for (; kk < SK_MT_N - 1; kk++) {
        y = (mt[kk] & SK_MT_UPPER) | (mt[kk + 1] & SK_MT_LOWER);
        mt[kk] = mt[kk + (SK_MT_M - SK_MT_N)] ^ (y >> 1) ^ ((y & 1U) ? SK_MT_MATRIX_A : 0U);
    }
    y = (mt[SK_MT_N - 1] & SK_MT_UPPER) | (mt[0] & SK_MT_LOWER);
    mt[SK_MT_N - 1] = mt[SK_MT_M - 1] ^ (y >> 1) ^ ((y & 1U) ? SK_MT_MATRIX_A : 0U);
    m->mti = 0;
}

uint32_t sk_mt_u32(sk_mt *m) {
    if (m->mti >= SK_MT_N) sk__mt_refill(m);
    uint32_t y = m->mt[m->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

double sk_mt_np_double(sk_mt *m) {
    uint32_t a = sk_mt_u32(m) >> 5, b = sk_mt_u32(m) >> 6;
    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

double sk_mt_np_std_exp(sk_mt *m) { return -log(1.0 - sk_mt_np_double(m)); }

uint64_t sk_mt_np_randint(sk_mt *m, uint64_t high) {
    uint64_t rng = high - 1, mask = rng;
    if (rng == 0) return 0;
    mask |= mask >> 1, mask |= mask >> 2, mask |= mask >> 4, mask |= mask >> 8, mask |= mask >> 16, mask |= mask >> 32;
    uint64_t v;
    if (rng <= 0xFFFFFFFFU) {
        while ((v = (sk_mt_u32(m) & mask)) > rng) {}
    } else {
        do {
            uint64_t hi = sk_mt_u32(m);
            v = ((hi << 32) | sk_mt_u32(m)) & mask;
        } while (v > rng);
    }
    return v;
}

uint32_t sk_mt_py_getrandbits(sk_mt *m, int k) { return sk_mt_u32(m) >> (32 - k); }

uint32_t sk_mt_py_randbelow(sk_mt *m, uint32_t n) {
    int k = 0;
    for (uint32_t x = n; x; x >>= 1) k++;
    uint32_t r;
    while ((r = sk_mt_py_getrandbits(m, k)) >= n) {}
    return r;
}

double sk_mt_py_random(sk_mt *m) { return sk_mt_np_double(m); }

void sk_mt_py_shuffle(sk_mt *m, int *x, size_t n) {
    for (size_t i = n; i-- > 1;) {
        size_t j = sk_mt_py_randbelow(m, (uint32_t)(i + 1));
        int t = x[i];
        x[i] = x[j], x[j] = t;
    }
}

int sk_mt_py_choice(sk_mt *m, const int *x, size_t n) { return x[sk_mt_py_randbelow(m, (uint32_t)n)]; }
