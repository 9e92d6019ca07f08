/* sk_infer_cuda_none.c - the CUDA inference backend in builds without CUDA: it is never available. */
#include <stdio.h>

#include "infer/sk_infer_backend.h"
#include "kernels/sk_infer_cuda.h"
#include "sk_error.h"

/* Always SK_ENOTSUP: this build has no CUDA. */
static int sk_cuda_none_init(void **st, const sk_weights *w, int batch, char *err, size_t errlen) {
    (void)w, (void)batch;
    *st = NULL;
    if (err && errlen) snprintf(err, errlen, "cuda backend: built without CUDA (configure with nvcc on PATH)");
    return SK_ENOTSUP;
}
static int sk_cuda_none_forward(void *st, const int32_t *tok, int n, int pos, float *logits, char *err,
                                size_t errlen) {
    (void)st, (void)tok, (void)n, (void)pos, (void)logits;
    if (err && errlen) snprintf(err, errlen, "cuda backend: built without CUDA");
    return SK_ENOTSUP;
}
static int sk_cuda_none_kv(void *st, int npos, float *k, float *v) {
    (void)st, (void)npos, (void)k, (void)v;
    return SK_ENOTSUP;
}
static int sk_cuda_none_kv_set(void *st, int npos, const float *k, const float *v) {
    (void)st, (void)npos, (void)k, (void)v;
    return SK_ENOTSUP;
}
static void sk_cuda_none_fini(void *st) { (void)st; }

const sk_infer_backend sk_infer_cuda = {"cuda", sk_cuda_none_init, sk_cuda_none_forward, sk_cuda_none_kv,
                                        sk_cuda_none_kv_set, sk_cuda_none_fini};

int sk_infer_cuda_set_gemm(void *st, int mode) {
    (void)st, (void)mode;
    return SK_ENOTSUP;
}

int sk_infer_cuda_set_graphs(void *st, int on) {
    (void)st, (void)on;
    return SK_ENOTSUP;
}

int sk_infer_cuda_gemm_bench(int M, int N, int K, int bf16, int reps, double *tflops_own, double *tflops_cublas,
                             char *err, size_t errlen) {
    (void)M, (void)N, (void)K, (void)bf16, (void)reps, (void)tflops_own, (void)tflops_cublas;
    if (err && errlen) snprintf(err, errlen, "cuda backend: built without CUDA");
    return SK_ENOTSUP;
}
