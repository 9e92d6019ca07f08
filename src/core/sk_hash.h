/* sk_hash.h - the one non-cryptographic hash: FNV-1a 64, by byte or by 64-bit word.
 *
 * Used for hash-table buckets (trace cache), run checksums (PHOLD) and file fingerprints and
 * checksums (models, inference checkpoints: stored in files, so the values are part of their
 * format and must never change). Header-only so that per-event callers stay inline; no state
 * beyond the caller's. SHA-256, for what must resist tampering, is io/sk_sha256.h. */
#ifndef SK_HASH_H
#define SK_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SK_FNV_OFFSET UINT64_C(0xCBF29CE484222325) /* FNV-1a 64 offset basis */
#define SK_FNV_PRIME UINT64_C(0x100000001B3)

/* One FNV-1a step on a whole 64-bit word: (h ^ w) * prime. */
static inline uint64_t sk_fnv_word(uint64_t h, uint64_t w) { return (h ^ w) * SK_FNV_PRIME; }

/* Classic byte-wise FNV-1a of n bytes, continuing from h (SK_FNV_OFFSET to start). */
static inline uint64_t sk_fnv_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * SK_FNV_PRIME;
    return h;
}

/* Streaming word-wise FNV-1a 64: h = (h ^ w) * prime per 8 bytes read as a little-endian word
 * (native order on the machines we build for), the final 0..7 bytes zero-padded into one last
 * word, then the total byte count mixed in the same way. Any split of the input gives the same
 * value. */
typedef struct sk_fnv {
    uint64_t h, n;
    unsigned char pend[8];
    int np;
} sk_fnv;

static inline void sk_fnv_init(sk_fnv *f) {
    memset(f, 0, sizeof *f);
    f->h = SK_FNV_OFFSET;
}

static inline void sk_fnv_update(sk_fnv *f, const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t w;
    f->n += n;
    for (; n && f->np; n--) { /* complete a pending word first */
        f->pend[f->np] = *s++;
        if (++f->np == 8) {
            memcpy(&w, f->pend, 8);
            f->h = sk_fnv_word(f->h, w);
            f->np = 0;
        }
    }
    if (!n) return;
    uint64_t h = f->h;
    for (; n >= 8; n -= 8, s += 8) {
        memcpy(&w, s, 8);
        h = sk_fnv_word(h, w);
    }
    f->h = h;
    memcpy(f->pend, s, n);
    f->np = (int)n;
}

static inline uint64_t sk_fnv_final(const sk_fnv *f) {
    uint64_t h = f->h;
    if (f->np) {
        unsigned char b[8] = {0};
        memcpy(b, f->pend, (size_t)f->np);
        uint64_t w;
        memcpy(&w, b, 8);
        h = sk_fnv_word(h, w);
    }
    return sk_fnv_word(h, f->n);
}

#endif
