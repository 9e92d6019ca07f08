/* sk_rng.c - stream seeding and the xoshiro256 generators registered as GSL types. */
#include "engine/sk_rng.h"

#include <string.h>

static uint64_t sk_rng__mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static uint64_t sk_rng__f(uint64_t x) { return sk_rng__mix64(x + 0x9E3779B97F4A7C15ULL); }

uint64_t sk_rng_seed(uint64_t master, uint64_t run, uint64_t stream) {
    return sk_rng__f(sk_rng__f(sk_rng__f(master) ^ run) ^ stream);
}

/* ---- xoshiro256++ / xoshiro256+ as gsl_rng_type ------------------------------------------- */

static void sk_xo_set(void *state, unsigned long seed) {
    uint64_t *s = state, z = seed;
    for (int i = 0; i < 4; i++) { /* splitmix64: four distinct outputs, never all zero */
        z += 0x9E3779B97F4A7C15ULL;
        s[i] = sk_rng__mix64(z);
    }
}

#define SK_XO_TYPE(sym, kind, label)                                                            \
    static uint64_t sym##_next(void *state) {                                                    \
        sk_rng tmp = {NULL, state, kind};                                                        \
        return sk_rng__next64(&tmp);                                                             \
    }                                                                                            \
    static unsigned long sym##_get(void *state) { return (unsigned long)(sym##_next(state) >> 32); } \
    static double sym##_get_double(void *state) {                                                \
        return (double)(sym##_next(state) >> 11) * 0x1.0p-53;                                    \
    }                                                                                            \
    static const gsl_rng_type sym##_type = {label,           0xFFFFFFFFUL, 0, 4 * sizeof(uint64_t), \
                                            sk_xo_set,       sym##_get,    sym##_get_double};

SK_XO_TYPE(sk_xopp, SK_RNG_XOSHIRO_PP, "xoshiro256++")
SK_XO_TYPE(sk_xop, SK_RNG_XOSHIRO_P, "xoshiro256+")

const gsl_rng_type *const sk_rng_xoshiro256pp = &sk_xopp_type;
const gsl_rng_type *const sk_rng_xoshiro256p = &sk_xop_type;

const gsl_rng_type *sk_rng_type_find(const char *name) {
    if (!name || !strcmp(name, "xoshiro256++") || !strcmp(name, "default")) return sk_rng_xoshiro256pp;
    if (!strcmp(name, "xoshiro256+")) return sk_rng_xoshiro256p;
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t; t++)
        if (!strcmp((*t)->name, name)) return *t;
    return NULL;
}

void sk_rng_print_types(FILE *out) {
    fprintf(out, "xoshiro256++ (default), xoshiro256+");
    for (const gsl_rng_type **t = gsl_rng_types_setup(); *t; t++) fprintf(out, ", %s", (*t)->name);
    fputc('\n', out);
}

int sk_rng_init(sk_rng *r, const gsl_rng_type *T, uint64_t master, uint64_t run, uint64_t stream) {
    if (!T) T = sk_rng_xoshiro256pp;
    r->g = gsl_rng_alloc(T);
    if (!r->g) return SK_ENOMEM;
    gsl_rng_set(r->g, (unsigned long)sk_rng_seed(master, run, stream));
    r->fast = T == sk_rng_xoshiro256pp ? SK_RNG_XOSHIRO_PP : T == sk_rng_xoshiro256p ? SK_RNG_XOSHIRO_P : SK_RNG_GSL;
    r->xs = r->fast ? (uint64_t *)r->g->state : NULL;
    return 0;
}

void sk_rng_fini(sk_rng *r) {
    if (r->g) gsl_rng_free(r->g);
    memset(r, 0, sizeof *r);
}
