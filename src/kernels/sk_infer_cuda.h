/* sk_infer_cuda.h - knobs of the CUDA inference backend for tests and benchmarks (the backend
 * itself is the sk_infer_cuda table in infer/sk_infer_backend.h). They are forwarded to the CUDA
 * module (kernels/sk_cuda.h); without it every function here returns SK_ENOTSUP. */
#ifndef SK_INFER_CUDA_H
#define SK_INFER_CUDA_H

#include <stddef.h>

/* Which kernel computes the matrix products of more than 16 rows (prefill, large batches).
 * Products of up to 16 rows always use our GEMV kernels. AUTO: cuBLAS SGEMM from 64 rows on, our
 * tiled GEMM otherwise; OWN: always ours; CUBLAS: cuBLAS for every product above 16 rows. cuBLAS
 * reads the fp32 copy of bf16 weights (the same values), ours read the bf16 copy. Decode steps
 * replayed from a graph never use cuBLAS. */
enum { SK_CUDA_GEMM_AUTO = 0, SK_CUDA_GEMM_OWN = 1, SK_CUDA_GEMM_CUBLAS = 2 };

/* st is a state made by sk_infer_cuda.init. Returns 0, or SK_EUSAGE for an unknown mode. */
int sk_infer_cuda_set_gemm(void *st, int mode);
/* Replay decode steps (n = 1) from a captured CUDA graph (on by default). Returns 0. */
int sk_infer_cuda_set_graphs(void *st, int on);

/* Time C[M][N] = A[M][K] W[N][K]^T (fp32 A; W fp32, or bf16 when bf16 != 0) with our tiled GEMM
 * and with cuBLAS SGEMM (fp32 W of the same values), median of reps runs each, in TFLOP/s.
 * SK_ENOTSUP without a device, SK_EINTERNAL with a message on a CUDA error. */
int sk_infer_cuda_gemm_bench(int M, int N, int K, int bf16, int reps, double *tflops_own, double *tflops_cublas,
                             char *err, size_t errlen);

#endif
