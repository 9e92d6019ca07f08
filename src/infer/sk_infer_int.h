/* sk_infer_int.h - module-internal pieces of the inference engine shared by sk_model.c, sk_gen.c,
 * the CPU backend and tests: the model's fp32 weight view, BF16 conversion. */
#ifndef SK_INFER_INT_H
#define SK_INFER_INT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "core/sk_hash.h" /* sk_fnv: model fingerprints, checkpoint checksums */
#include "infer/sk_infer_backend.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the safetensors and checkpoint readers assume a little-endian host"
#endif

/* Largest head dimension the backends support (GPT-2: 64). */
#define SK_INFER_MAX_HEAD_DIM 256

/* The host fp32 view of m's weights (valid until sk_model_free). Can't fail. */
const sk_weights *sk_model__weights(const sk_model *m);

/* Check a configuration: all sizes positive, d_model divisible by n_head, head dim <= the limit,
 * sizes small enough that every tensor's byte count fits. 0 or SK_EDATA with a message. */
int sk_model__cfg_check(const sk_model_cfg *c, char *err, size_t errlen);

/* BF16 <-> F32: bf16 is the high half of an IEEE binary32; conversion to bf16 rounds to nearest
 * even, keeps infinities, and keeps NaNs NaN (quiet bit set). */
static inline float sk_bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline uint16_t sk_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}




#endif
