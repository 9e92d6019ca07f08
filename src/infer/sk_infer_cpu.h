/* sk_infer_cpu.h - the CPU backend's kernels (fp32, OpenMP), exposed for the tests.
 *
 * Determinism: every output element is computed by one thread with a fixed operation order (the
 * sums over k run in ascending order; dot products keep 8 fixed lanes summed in a fixed order), so
 * results are bitwise independent of the thread count, of the batch size and of how many tokens
 * one forward call processes: a prefill of n tokens and n single-token steps give equal bits. */
#ifndef SK_INFER_CPU_H
#define SK_INFER_CPU_H

#include <stddef.h>

/* C[M][N] = A[M][K] . W[K][N] + bias[N] (bias may be NULL); with accumulate, C += that instead.
 * Row-major, W in the Conv1D [in, out] layout. Cache-blocked tiles in parallel. */
void sk_cpu_gemm(float *C, const float *A, const float *W, const float *bias, int M, int K, int N, int accumulate);
/* y[r] = (x[r] - mean) / sqrt(var + eps) * g + b for each of M rows of d; y may equal x. */
void sk_cpu_layernorm(float *y, const float *x, const float *g, const float *b, int M, int d, float eps);
/* x = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) elementwise (GPT-2's GELU). */
void sk_cpu_gelu(float *x, size_t n);
/* One head of causal attention for one query: out[hd] = softmax(q . K_t * scale, t < npos) . V_t,
 * with K_t = K + t*ld, V_t = V + t*ld (hd <= SK_INFER_MAX_HEAD_DIM). Online (one-pass) softmax. */
void sk_cpu_attn_head(float *out, const float *q, const float *K, const float *V, size_t ld, int npos, int hd,
                      float scale);
/* logits[r][v] = X[r] . E[v] for M rows of d against the [vocab][d] embedding (tied output). */
void sk_cpu_logits(float *logits, const float *X, const float *E, int M, int d, int vocab);

#endif
