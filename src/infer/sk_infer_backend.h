/* sk_infer_backend.h - what a compute backend of the inference engine provides (CPU: OpenMP,
 * src/infer/sk_infer_cpu.c; CUDA: src/kernels/sk_infer_cuda.cu). sk_gen does the bookkeeping
 * (tokens, positions, sampling on the host, checkpoints) and calls these. */
#ifndef SK_INFER_BACKEND_H
#define SK_INFER_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "infer/sk_infer.h"

/* Host view of the weights, fp32, GPT-2 Conv1D layout ([in, out] row-major) per layer. */
typedef struct sk_layer_w {
    const float *ln1_w, *ln1_b;
    const float *attn_w, *attn_b;   /* [d, 3d] */
    const float *proj_w, *proj_b;   /* [d, d] */
    const float *ln2_w, *ln2_b;
    const float *fc_w, *fc_b;       /* [d, ff] */
    const float *fc2_w, *fc2_b;     /* [ff, d] */
} sk_layer_w;

typedef struct sk_weights {
    sk_model_cfg cfg;
    const float *wte; /* [vocab, d] (also the output projection, tied) */
    const float *wpe; /* [n_ctx, d] */
    const sk_layer_w *layer;
    const float *lnf_w, *lnf_b;
    int bf16; /* the file stored BF16: a backend may keep BF16 copies (values are exactly these) */
} sk_weights;

typedef struct sk_infer_backend {
    const char *name;
    /* Set up state for `batch` sequences: KV cache [n_layer][batch][n_ctx][d] for K and V,
     * activations, device copies of the weights. SK_ENOTSUP when the backend is unavailable
     * (no CUDA build or no device), SK_ENOMEM, ... with a message. */
    int (*init)(void **st, const sk_weights *w, int batch, char *err, size_t errlen);
    /* Run n tokens per sequence (tok[b*n + j]) at positions pos .. pos+n-1 through the network,
     * appending to the KV cache; write the logits of the last position of each sequence to
     * logits[b*vocab + v] (host memory). n = 1 is a decode step, n > 1 a prefill. */
    int (*forward)(void *st, const int32_t *tok, int n, int pos, float *logits, char *err, size_t errlen);
    /* Copy the KV cache of positions 0..npos-1 out of / into host arrays laid out
     * [n_layer][batch][npos][d] (fp32), for checkpoints. */
    int (*kv_get)(void *st, int npos, float *k, float *v);
    int (*kv_set)(void *st, int npos, const float *k, const float *v);
    void (*fini)(void *st);
} sk_infer_backend;

extern const sk_infer_backend sk_infer_cpu;
/* The CUDA backend: forwards to the CUDA module, loaded by its first init (kernels/sk_cuda.h);
 * init returns SK_ENOTSUP with the reason when the module or a device is missing. */
extern const sk_infer_backend sk_infer_cuda;

#endif
