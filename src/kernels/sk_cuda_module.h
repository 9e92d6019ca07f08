/* sk_cuda_module.h - the boundary between synkti and its CUDA module (libsynkti_cuda.so).
 *
 * The CUDA backend and everything that links cudart/cuBLAS is built as a separate shared module
 * that synkti opens with dlopen only when CUDA is asked for (infer --backend cuda|auto, bench
 * infer, version --devices): starting synkti maps none of the CUDA libraries. The module exports
 * one symbol, SK_CUDA_MODULE_ENTRY, a function returning this table; src/kernels/sk_cuda_load.c
 * finds the module, checks the table's ABI and sizes, and forwards the public entry points
 * (sk_infer_cuda, sk_infer_cuda.h, sk_cuda.h) to it. A change to this table or to the structs it
 * passes (sk_weights, sk_layer_w, sk_infer_backend) bumps SK_CUDA_MODULE_ABI. */
#ifndef SK_CUDA_MODULE_H
#define SK_CUDA_MODULE_H

#include <stddef.h>

#include "infer/sk_infer_backend.h"

#define SK_CUDA_MODULE_ABI 1
#define SK_CUDA_MODULE_ENTRY "sk_cuda_module_v1"
#define SK_CUDA_MODULE_FILE "libsynkti_cuda.so"

typedef struct sk_cuda_module {
    int abi;                                     /* SK_CUDA_MODULE_ABI of the module's build */
    size_t weights_size, layer_size, backend_size; /* sizeof the structs it was built with */
    const sk_infer_backend *backend;             /* the CUDA inference backend */
    int (*device_count)(void);                   /* as sk_cuda_device_count */
    void (*describe)(char *buf, int len);        /* as sk_cuda_describe */
    int (*set_gemm)(void *st, int mode);         /* as sk_infer_cuda_set_gemm */
    int (*set_graphs)(void *st, int on);         /* as sk_infer_cuda_set_graphs */
    int (*gemm_bench)(int M, int N, int K, int bf16, int reps, double *tflops_own, double *tflops_cublas, char *err,
                      size_t errlen);            /* as sk_infer_cuda_gemm_bench */
} sk_cuda_module;

typedef const sk_cuda_module *(*sk_cuda_module_entry_fn)(void);

/* Inside the module only (hidden symbols, defined in sk_infer_cuda.cu). */
extern const sk_infer_backend skc_backend;
int skc_set_gemm(void *st, int mode);
int skc_set_graphs(void *st, int on);
int skc_gemm_bench(int M, int N, int K, int bf16, int reps, double *tflops_own, double *tflops_cublas, char *err,
                   size_t errlen);

#endif
