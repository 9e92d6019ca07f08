/* sk_infer_cuda.cu - the CUDA backend of the inference engine: weights uploaded once per init (fp32,
 * plus bf16 copies for bf16 models, read as bf16 and converted in registers; all arithmetic is
 * fp32), our own kernels for embedding, LayerNorm, attention over the KV cache, KV append, the
 * fused bias/GELU/residual epilogues, GEMV (decode) and tiled GEMM (prefill); cuBLAS SGEMM for
 * the large fp32 products where it wins. Decode steps are replayed from a captured CUDA graph.
 *
 * Device layouts: every weight matrix is stored transposed to [out][in] (K-contiguous rows, as the
 * tied output embedding wte [vocab][d] already is), so each output of a product is one dot
 * product over contiguous memory: one warp per output in the GEMV, coalesced tiles in the GEMM.
 * KV cache: K and V each [n_layer][batch][n_ctx][d] fp32, the host layout of kv_get/kv_set with
 * n_ctx in place of npos. The position of a forward pass lives in device memory (d_pos) so that a
 * captured decode graph serves every position.
 *
 * Every CUDA call is checked: failures return SK_EINTERNAL with cudaGetErrorString in err. */
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <vector>

extern "C" {
#include "infer/sk_infer_backend.h"
#include "kernels/sk_cuda_module.h"
#include "kernels/sk_infer_cuda.h"
}

/* sk_error.h uses C11 _Noreturn; only its codes are needed here. */
enum { SKC_EUSAGE = -1, SKC_EDATA = -2, SKC_EINTERNAL = -4, SKC_ENOMEM = -5, SKC_ENOTSUP = -11 };

typedef __nv_bfloat16 bf16;

/* ---- errors ----------------------------------------------------------------------------------- */

static void skc_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void skc_seterr(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Check a CUDA runtime call; on failure write the message and `return SK_EINTERNAL` (CK) or jump
 * to `fail` with rc set (CKG). */
#define CK(call)                                                                                    \
    do {                                                                                            \
        cudaError_t e_ = (call);                                                                    \
        if (e_ != cudaSuccess) {                                                                    \
            skc_seterr(err, errlen, "cuda: %s: %s (%s:%d)", #call, cudaGetErrorString(e_), __FILE__, \
                       __LINE__);                                                                   \
            return SKC_EINTERNAL;                                                                   \
        }                                                                                           \
    } while (0)
#define CKG(call)                                                                                   \
    do {                                                                                            \
        cudaError_t e_ = (call);                                                                    \
        if (e_ != cudaSuccess) {                                                                    \
            skc_seterr(err, errlen, "cuda: %s: %s (%s:%d)", #call, cudaGetErrorString(e_), __FILE__, \
                       __LINE__);                                                                   \
            rc = e_ == cudaErrorMemoryAllocation ? SKC_ENOMEM : SKC_EINTERNAL;                      \
            goto fail;                                                                              \
        }                                                                                           \
    } while (0)
#define CKB(call)                                                                                   \
    do {                                                                                            \
        cublasStatus_t s_ = (call);                                                                 \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                          \
            skc_seterr(err, errlen, "cublas: %s: %s (%s:%d)", #call, cublasGetStatusString(s_),     \
                       __FILE__, __LINE__);                                                         \
            rc = SKC_EINTERNAL;                                                                     \
            goto fail;                                                                              \
        }                                                                                           \
    } while (0)

/* Inside the launch sequence: remember the first error (a launch error or a cuBLAS status). */
#define LAUNCHED()                                                                                  \
    do {                                                                                            \
        cudaError_t e_ = cudaGetLastError();                                                        \
        if (e_ != cudaSuccess) return e_;                                                           \
    } while (0)

/* ---- device helpers --------------------------------------------------------------------------- */

enum { EPI_BIAS = 0, EPI_GELU = 1, EPI_RESID = 2 };

/* GPT-2's tanh approximation of GELU. */
__device__ __forceinline__ float skc_gelu(float x) {
    const float k = 0.7978845608028654f; /* sqrt(2/pi) */
    return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
}

/* The epilogue of every product: C = v + bias (BIAS), gelu(v + bias) (GELU), C + v + bias (RESID). */
__device__ __forceinline__ void skc_epi(float *C, size_t idx, float v, const float *bias, int col, int act) {
    if (bias) v += bias[col];
    if (act == EPI_GELU) v = skc_gelu(v);
    else if (act == EPI_RESID) v += C[idx];
    C[idx] = v;
}

__device__ __forceinline__ void skc_load8(const float *p, float w[8]) {
    float4 a = __ldg(reinterpret_cast<const float4 *>(p)), b = __ldg(reinterpret_cast<const float4 *>(p) + 1);
    w[0] = a.x, w[1] = a.y, w[2] = a.z, w[3] = a.w, w[4] = b.x, w[5] = b.y, w[6] = b.z, w[7] = b.w;
}
__device__ __forceinline__ float skc_bf(uint32_t bits16) { return __uint_as_float(bits16 << 16); }
__device__ __forceinline__ void skc_load8(const bf16 *p, float w[8]) {
    uint4 u = __ldg(reinterpret_cast<const uint4 *>(p));
    w[0] = skc_bf(u.x & 0xffffu), w[1] = skc_bf(u.x >> 16), w[2] = skc_bf(u.y & 0xffffu), w[3] = skc_bf(u.y >> 16);
    w[4] = skc_bf(u.z & 0xffffu), w[5] = skc_bf(u.z >> 16), w[6] = skc_bf(u.w & 0xffffu), w[7] = skc_bf(u.w >> 16);
}
__device__ __forceinline__ float skc_ld1(const float *p) { return __ldg(p); }
__device__ __forceinline__ void skc_load4(const float *p, float w[4]) {
    float4 a = __ldg(reinterpret_cast<const float4 *>(p));
    w[0] = a.x, w[1] = a.y, w[2] = a.z, w[3] = a.w;
}
__device__ __forceinline__ void skc_load4(const bf16 *p, float w[4]) {
    uint2 u = __ldg(reinterpret_cast<const uint2 *>(p));
    w[0] = skc_bf(u.x & 0xffffu), w[1] = skc_bf(u.x >> 16), w[2] = skc_bf(u.y & 0xffffu), w[3] = skc_bf(u.y >> 16);
}
__device__ __forceinline__ float skc_ld1(const bf16 *p) { return __bfloat162float(*p); }

__device__ __forceinline__ float skc_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}
__device__ __forceinline__ float skc_warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}
/* Sum (or max) over the block; every thread gets the result. red: 33 floats of shared memory. */
__device__ float skc_block_sum(float v, float *red) {
    int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    v = skc_warp_sum(v);
    __syncthreads();
    if (lane == 0) red[wid] = v;
    __syncthreads();
    if (wid == 0) {
        float t = lane < nw ? red[lane] : 0.0f;
        t = skc_warp_sum(t);
        if (lane == 0) red[32] = t;
    }
    __syncthreads();
    return red[32];
}
__device__ float skc_block_max(float v, float *red) {
    int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    v = skc_warp_max(v);
    __syncthreads();
    if (lane == 0) red[wid] = v;
    __syncthreads();
    if (wid == 0) {
        float t = lane < nw ? red[lane] : -INFINITY;
        t = skc_warp_max(t);
        if (lane == 0) red[32] = t;
    }
    __syncthreads();
    return red[32];
}

/* ---- kernels ---------------------------------------------------------------------------------- */

/* x[r] = wte[tok[r]] + wpe[pos + r % n]; one block per row. */
__global__ void skc_embed(const int32_t *__restrict__ tok, const int *__restrict__ pos, const float *__restrict__ wte,
                          const float *__restrict__ wpe, float *__restrict__ x, int n, int d) {
    int r = blockIdx.x;
    const float *e = wte + (size_t)tok[r] * d, *p = wpe + (size_t)(*pos + r % n) * d;
    for (int c = threadIdx.x; c < d; c += blockDim.x) x[(size_t)r * d + c] = e[c] + p[c];
}

/* y[r] = LayerNorm(x[r * in_mul + in_off]) * w + b (eps 1e-5, biased variance); one block per row. */
__global__ void skc_layernorm(const float *__restrict__ x, float *__restrict__ y, const float *__restrict__ w,
                              const float *__restrict__ b, int d, int in_mul, int in_off) {
    __shared__ float red[33];
    const float *in = x + (size_t)(blockIdx.x * in_mul + in_off) * d;
    float *out = y + (size_t)blockIdx.x * d;
    float s = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x) s += in[c];
    float mean = skc_block_sum(s, red) / (float)d;
    float q = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        float t = in[c] - mean;
        q += t * t;
    }
    float rstd = 1.0f / sqrtf(skc_block_sum(q, red) / (float)d + 1e-5f);
    for (int c = threadIdx.x; c < d; c += blockDim.x) out[c] = (in[c] - mean) * rstd * w[c] + b[c];
}

/* Append the K and V parts of qkv (rows b*n + j, columns [d, 2d) and [2d, 3d)) to the layer's
 * cache at positions pos + j. */
__global__ void skc_kv_append(const float *__restrict__ qkv, const int *__restrict__ pos, float *__restrict__ kc,
                              float *__restrict__ vc, int n, int d, int n_ctx) {
    int r = blockIdx.x, b = r / n, j = r % n;
    size_t dst = ((size_t)b * n_ctx + (size_t)(*pos + j)) * d;
    const float *src = qkv + (size_t)r * 3 * d;
    for (int c = threadIdx.x; c < d; c += blockDim.x) {
        kc[dst + c] = src[d + c];
        vc[dst + c] = src[2 * d + c];
    }
}

/* Causal multi-head attention of query j of sequence b, head h (grid n x H x B) over the cached
 * keys 0 .. pos + j: out[b*n + j][h*hd .. ] = softmax(q K^T / sqrt(hd)) V. Shared memory: q (hd),
 * scores (n_ctx), partial outputs (4 x blockDim), reduction scratch (33). blockDim >= hd. */
__global__ void skc_attention(const float *__restrict__ qkv, const float *__restrict__ kc,
                              const float *__restrict__ vc, float *__restrict__ out, const int *__restrict__ pos,
                              int n, int d, int hd, int n_ctx, float scale) {
    extern __shared__ float sm[];
    float *q = sm, *sc = q + hd, *part = sc + n_ctx, *red = part + 4 * blockDim.x;
    int j = blockIdx.x, h = blockIdx.y, b = blockIdx.z, r = b * n + j;
    int T = *pos + j + 1;
    const float *kb = kc + (size_t)b * n_ctx * d + (size_t)h * hd;
    const float *vb = vc + (size_t)b * n_ctx * d + (size_t)h * hd;
    for (int i = threadIdx.x; i < hd; i += blockDim.x) q[i] = qkv[(size_t)r * 3 * d + (size_t)h * hd + i] * scale;
    __syncthreads();
    float mx = -INFINITY;
    for (int t = threadIdx.x; t < T; t += blockDim.x) {
        const float *kr = kb + (size_t)t * d;
        float s = 0.0f;
        if ((hd & 3) == 0) {
            for (int i = 0; i < hd; i += 4) {
                float4 k4 = *reinterpret_cast<const float4 *>(kr + i);
                s += q[i] * k4.x + q[i + 1] * k4.y + q[i + 2] * k4.z + q[i + 3] * k4.w;
            }
        } else {
            for (int i = 0; i < hd; i++) s += q[i] * kr[i];
        }
        sc[t] = s;
        mx = fmaxf(mx, s);
    }
    mx = skc_block_max(mx, red);
    float sum = 0.0f;
    for (int t = threadIdx.x; t < T; t += blockDim.x) {
        float e = expf(sc[t] - mx);
        sc[t] = e;
        sum += e;
    }
    sum = skc_block_sum(sum, red); /* its barriers also publish sc[] */
    float inv = 1.0f / sum;
    if ((hd & 3) == 0) {
        /* P V: thread = 4 consecutive dims x one of G key groups (float4 rows, 4 keys in flight) */
        int h4 = hd >> 2, G = blockDim.x / h4, i4 = threadIdx.x % h4, g = threadIdx.x / h4;
        if (g < G) {
            float4 a0 = make_float4(0, 0, 0, 0), a1 = a0;
            const float4 *vp = reinterpret_cast<const float4 *>(vb) + i4;
            size_t rs4 = (size_t)d >> 2;
            int t = g;
            for (; t + G < T; t += 2 * G) {
                float p0 = sc[t], p1 = sc[t + G];
                float4 v0 = vp[(size_t)t * rs4], v1 = vp[(size_t)(t + G) * rs4];
                a0.x += p0 * v0.x, a0.y += p0 * v0.y, a0.z += p0 * v0.z, a0.w += p0 * v0.w;
                a1.x += p1 * v1.x, a1.y += p1 * v1.y, a1.z += p1 * v1.z, a1.w += p1 * v1.w;
            }
            if (t < T) {
                float p0 = sc[t];
                float4 v0 = vp[(size_t)t * rs4];
                a0.x += p0 * v0.x, a0.y += p0 * v0.y, a0.z += p0 * v0.z, a0.w += p0 * v0.w;
            }
            float *pp = part + (size_t)g * hd + 4 * i4;
            pp[0] = a0.x + a1.x, pp[1] = a0.y + a1.y, pp[2] = a0.z + a1.z, pp[3] = a0.w + a1.w;
        }
        __syncthreads();
        for (int i = threadIdx.x; i < hd; i += blockDim.x) {
            float acc = 0.0f;
            for (int gg = 0; gg < G; gg++) acc += part[gg * hd + i];
            out[(size_t)r * d + (size_t)h * hd + i] = acc * inv;
        }
    } else {
        int G = blockDim.x / hd, i = threadIdx.x % hd, g = threadIdx.x / hd;
        if (g < G) {
            float acc = 0.0f;
            for (int t = g; t < T; t += G) acc += sc[t] * vb[(size_t)t * d + i];
            part[g * hd + i] = acc;
        }
        __syncthreads();
        if (threadIdx.x < hd) {
            float acc = 0.0f;
            for (int gg = 0; gg < G; gg++) acc += part[gg * hd + threadIdx.x];
            out[(size_t)r * d + (size_t)h * hd + threadIdx.x] = acc * inv;
        }
    }
}

/* GEMV for few rows: C[m][n] (epilogue) A[m][:] . W[n][:] for m < M <= MR; one warp per output
 * column n, each lane streaming 8 weights at a time (32 bytes fp32, 16 bytes bf16). vec: K % 8 == 0
 * (rows 16-byte aligned), else a scalar loop. */
template <typename WT, int MR>
__global__ void __launch_bounds__(128) skc_gemv(const float *__restrict__ A, const WT *__restrict__ W,
                                                const float *__restrict__ bias, float *__restrict__ C, int M, int K,
                                                int N, int act, int vec) {
    int n = (int)((blockIdx.x * blockDim.x + threadIdx.x) >> 5), lane = threadIdx.x & 31;
    if (n >= N) return;
    const WT *w = W + (size_t)n * K;
    float acc[MR];
#pragma unroll
    for (int m = 0; m < MR; m++) acc[m] = 0.0f;
    if (vec) {
#pragma unroll 4
        for (int k = lane * 8; k < K; k += 256) {
            float wv[8];
            skc_load8(w + k, wv);
#pragma unroll
            for (int m = 0; m < MR; m++) {
                if (m < M) {
                    const float4 *a = reinterpret_cast<const float4 *>(A + (size_t)m * K + k);
                    float4 a0 = a[0], a1 = a[1];
                    acc[m] += a0.x * wv[0] + a0.y * wv[1] + a0.z * wv[2] + a0.w * wv[3] + a1.x * wv[4] +
                              a1.y * wv[5] + a1.z * wv[6] + a1.w * wv[7];
                }
            }
        }
    } else {
        for (int k = lane; k < K; k += 32) {
            float wk = skc_ld1(w + k);
#pragma unroll
            for (int m = 0; m < MR; m++)
                if (m < M) acc[m] += A[(size_t)m * K + k] * wk;
        }
    }
#pragma unroll
    for (int m = 0; m < MR; m++) acc[m] = skc_warp_sum(acc[m]);
    if (lane == 0) {
#pragma unroll
        for (int m = 0; m < MR; m++)
            if (m < M) skc_epi(C, (size_t)m * N + n, acc[m], bias, n, act);
    }
}

/* Tiled GEMM: C[M][N] (epilogue) A[M][K] W[N][K]^T. 128 x 128 tile per block of 256 threads, 8 x 8
 * outputs per thread, K in steps of 8 through shared memory (stored k-major, so the inner loop
 * reads float4s). vec: K % 4 == 0 (aligned 4-wide loads), else guarded scalar loads. */
#define GT 128
#define GK 8
template <typename WT>
__global__ void __launch_bounds__(256) skc_gemm(const float *__restrict__ A, const WT *__restrict__ W,
                                                const float *__restrict__ bias, float *__restrict__ C, int M, int N,
                                                int K, int act, int vec) {
    __shared__ __align__(16) float As[GK][GT + 4];
    __shared__ __align__(16) float Ws[GK][GT + 4];
    int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    int bm = blockIdx.y * GT, bn = blockIdx.x * GT;
    int lr = tid >> 1, lk = (tid & 1) * 4;
    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;
    int ar = bm + lr, wr = bn + lr;
    const float *Ap = A + (size_t)ar * K;
    const WT *Wp = W + (size_t)wr * K;
    for (int k0 = 0; k0 < K; k0 += GK) {
        int kk = k0 + lk;
        float a4[4], w4[4];
        if (vec && kk + 3 < K) {
            if (ar < M) {
                float4 t = *reinterpret_cast<const float4 *>(Ap + kk);
                a4[0] = t.x, a4[1] = t.y, a4[2] = t.z, a4[3] = t.w;
            } else {
                a4[0] = a4[1] = a4[2] = a4[3] = 0.0f;
            }
        } else {
#pragma unroll
            for (int q = 0; q < 4; q++) a4[q] = (ar < M && kk + q < K) ? Ap[kk + q] : 0.0f;
        }
        if (vec && kk + 3 < K) {
            if (wr < N) skc_load4(Wp + kk, w4);
            else w4[0] = w4[1] = w4[2] = w4[3] = 0.0f;
        } else {
#pragma unroll
            for (int q = 0; q < 4; q++) w4[q] = (wr < N && kk + q < K) ? skc_ld1(Wp + kk + q) : 0.0f;
        }
#pragma unroll
        for (int q = 0; q < 4; q++) {
            As[lk + q][lr] = a4[q];
            Ws[lk + q][lr] = w4[q];
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < GK; k++) {
            float4 a0 = *reinterpret_cast<const float4 *>(&As[k][ty * 8]);
            float4 a1 = *reinterpret_cast<const float4 *>(&As[k][ty * 8 + 4]);
            float4 b0 = *reinterpret_cast<const float4 *>(&Ws[k][tx * 8]);
            float4 b1 = *reinterpret_cast<const float4 *>(&Ws[k][tx * 8 + 4]);
            float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int r = bm + ty * 8 + i;
        if (r >= M) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int c = bn + tx * 8 + j;
            if (c < N) skc_epi(C, (size_t)r * N + c, acc[i][j], bias, c, act);
        }
    }
}

/* The epilogue as its own pass, after cuBLAS: C = epi(Y) elementwise over M x N. */
__global__ void skc_epilogue(const float *__restrict__ Y, const float *__restrict__ bias, float *__restrict__ C,
                             size_t total, int N, int act) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < total; i += (size_t)gridDim.x * blockDim.x)
        skc_epi(C, i, Y[i], bias, (int)(i % (size_t)N), act);
}

/* ---- state ------------------------------------------------------------------------------------ */

typedef struct skc_layer {
    float *ln1_w, *ln1_b, *attn_b, *proj_b, *ln2_w, *ln2_b, *fc_b, *fc2_b;
    float *attn_w, *proj_w, *fc_w, *fc2_w; /* [out][in] */
    bf16 *attn_h, *proj_h, *fc_h, *fc2_h;  /* bf16 copies (bf16 models) */
} skc_layer;

typedef struct skc_state {
    sk_model_cfg c;
    int B, bf16w, hd, gemm_mode, graphs, attn_threads;
    size_t attn_smem;
    cudaStream_t s;
    cublasHandle_t blas;
    void *warena; /* every weight, one allocation */
    std::vector<skc_layer> *L;
    float *wte, *wpe, *lnf_w, *lnf_b;
    bf16 *wte_h;
    float *kc, *vc; /* [L][B][n_ctx][d] each */
    int *d_pos;
    int host_pos; /* staging for d_pos */
    /* activations, for up to cap rows (= batch x tokens per forward) */
    int cap;
    size_t ycap; /* floats in y, the cuBLAS scratch */
    int32_t *d_tok;
    float *x, *h, *qkv, *att, *f, *y, *hl, *logits;
    cudaGraphExec_t graph;
    int graph_ok, graph_broken;
} skc_state;

/* ---- products --------------------------------------------------------------------------------- */

template <typename WT>
static void skc_gemv_launch(const float *A, const WT *W, const float *bias, float *C, int M, int K, int N, int act,
                            cudaStream_t s) {
    int vec = (K % 8) == 0;
    dim3 grid((unsigned)((N + 3) / 4)), blk(128);
    for (int m0 = 0; m0 < M; m0 += 16) {
        int mm = std::min(16, M - m0);
        const float *Am = A + (size_t)m0 * K;
        float *Cm = C + (size_t)m0 * N;
        if (mm == 1) skc_gemv<WT, 1><<<grid, blk, 0, s>>>(Am, W, bias, Cm, mm, K, N, act, vec);
        else if (mm == 2) skc_gemv<WT, 2><<<grid, blk, 0, s>>>(Am, W, bias, Cm, mm, K, N, act, vec);
        else if (mm <= 4) skc_gemv<WT, 4><<<grid, blk, 0, s>>>(Am, W, bias, Cm, mm, K, N, act, vec);
        else if (mm <= 8) skc_gemv<WT, 8><<<grid, blk, 0, s>>>(Am, W, bias, Cm, mm, K, N, act, vec);
        else skc_gemv<WT, 16><<<grid, blk, 0, s>>>(Am, W, bias, Cm, mm, K, N, act, vec);
    }
}

template <typename WT>
static void skc_gemm_launch(const float *A, const WT *W, const float *bias, float *C, int M, int K, int N, int act,
                            cudaStream_t s) {
    dim3 grid((unsigned)((N + GT - 1) / GT), (unsigned)((M + GT - 1) / GT));
    skc_gemm<WT><<<grid, 256, 0, s>>>(A, W, bias, C, M, N, K, act, (K % 4) == 0);
}

/* C[M][N] (act) A[M][K] W^T, with W fp32 [N][K] and Wh its bf16 copy (NULL for fp32 models).
 * Our kernels read Wh when there is one; cuBLAS reads W, which holds exactly the same values.
 * in_graph: no cuBLAS (kept out of captured graphs). */
static cudaError_t skc_linear(skc_state *st, const float *A, int M, int K, int N, const float *W, const bf16 *Wh,
                              const float *bias, float *C, int act, int in_graph) {
    if (M <= 16) {
        if (Wh) skc_gemv_launch<bf16>(A, Wh, bias, C, M, K, N, act, st->s);
        else skc_gemv_launch<float>(A, W, bias, C, M, K, N, act, st->s);
        LAUNCHED();
        return cudaSuccess;
    }
    int blas = !in_graph && (size_t)M * N <= st->ycap &&
               (st->gemm_mode == SK_CUDA_GEMM_CUBLAS || (st->gemm_mode == SK_CUDA_GEMM_AUTO && M >= 64));
    if (blas) {
        const float one = 1.0f, zero = 0.0f;
        /* Row-major C = A W^T is column-major C^T = W A^T: (N x K)^T-op on W stored K-major. */
        if (cublasSgemm(st->blas, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &one, W, K, A, K, &zero, st->y, N) !=
            CUBLAS_STATUS_SUCCESS)
            return cudaErrorUnknown;
        size_t total = (size_t)M * N;
        unsigned nb = (unsigned)std::min<size_t>((total + 255) / 256, 65535u * 4);
        skc_epilogue<<<nb, 256, 0, st->s>>>(st->y, bias, C, total, N, act);
        LAUNCHED();
        return cudaSuccess;
    }
    if (Wh) skc_gemm_launch<bf16>(A, Wh, bias, C, M, K, N, act, st->s);
    else skc_gemm_launch<float>(A, W, bias, C, M, K, N, act, st->s);
    LAUNCHED();
    return cudaSuccess;
}

/* Enqueue a forward pass of n tokens per sequence (tokens and position already on the device),
 * leaving the logits of each sequence's last token in st->logits. */
static cudaError_t skc_enqueue(skc_state *st, int n, int in_graph) {
    const sk_model_cfg *c = &st->c;
    int d = c->d_model, ff = c->d_ff, rows = st->B * n;
    int bf = st->bf16w;
    size_t kvl = (size_t)st->B * c->n_ctx * d;
    cudaError_t e;
    skc_embed<<<rows, 256, 0, st->s>>>(st->d_tok, st->d_pos, st->wte, st->wpe, st->x, n, d);
    LAUNCHED();
    for (int l = 0; l < c->n_layer; l++) {
        const skc_layer *w = &(*st->L)[(size_t)l];
        float *kc = st->kc + (size_t)l * kvl, *vc = st->vc + (size_t)l * kvl;
        skc_layernorm<<<rows, 256, 0, st->s>>>(st->x, st->h, w->ln1_w, w->ln1_b, d, 1, 0);
        LAUNCHED();
        if ((e = skc_linear(st, st->h, rows, d, 3 * d, w->attn_w, bf ? w->attn_h : NULL, w->attn_b, st->qkv, EPI_BIAS,
                            in_graph)))
            return e;
        skc_kv_append<<<rows, 256, 0, st->s>>>(st->qkv, st->d_pos, kc, vc, n, d, c->n_ctx);
        LAUNCHED();
        dim3 g((unsigned)n, (unsigned)c->n_head, (unsigned)st->B);
        skc_attention<<<g, st->attn_threads, st->attn_smem, st->s>>>(st->qkv, kc, vc, st->att, st->d_pos, n, d,
                                                                       st->hd, c->n_ctx,
                                                                       1.0f / sqrtf((float)st->hd));
        LAUNCHED();
        if ((e = skc_linear(st, st->att, rows, d, d, w->proj_w, bf ? w->proj_h : NULL, w->proj_b, st->x, EPI_RESID,
                            in_graph)))
            return e;
        skc_layernorm<<<rows, 256, 0, st->s>>>(st->x, st->h, w->ln2_w, w->ln2_b, d, 1, 0);
        LAUNCHED();
        if ((e = skc_linear(st, st->h, rows, d, ff, w->fc_w, bf ? w->fc_h : NULL, w->fc_b, st->f, EPI_GELU,
                            in_graph)))
            return e;
        if ((e = skc_linear(st, st->f, rows, ff, d, w->fc2_w, bf ? w->fc2_h : NULL, w->fc2_b, st->x, EPI_RESID,
                            in_graph)))
            return e;
    }
    /* final LayerNorm of each sequence's last row only, then the tied output projection */
    skc_layernorm<<<st->B, 256, 0, st->s>>>(st->x, st->hl, st->lnf_w, st->lnf_b, d, n, n - 1);
    LAUNCHED();
    return skc_linear(st, st->hl, st->B, d, c->vocab, st->wte, bf ? st->wte_h : NULL, NULL, st->logits, EPI_BIAS,
                      in_graph);
}

static void skc_free_acts(skc_state *st) {
    void *p[] = {st->d_tok, st->x, st->h, st->qkv, st->att, st->f, st->y};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) cudaFree(p[i]);
    st->d_tok = NULL, st->x = st->h = st->qkv = st->att = st->f = st->y = NULL;
    st->cap = 0;
    st->ycap = 0;
}

static void skc_drop_graph(skc_state *st) {
    if (st->graph_ok) cudaGraphExecDestroy(st->graph);
    st->graph_ok = 0;
}

/* Make room for `rows` activation rows (reallocating drops the captured graph, whose kernels hold
 * the old pointers). */
static int skc_reserve(skc_state *st, int rows, char *err, size_t errlen) {
    if (rows <= st->cap) return 0;
    int rc = 0;
    size_t d = (size_t)st->c.d_model, ff = (size_t)st->c.d_ff, r = (size_t)rows;
    size_t ymax = std::max(3 * d, ff);
    skc_drop_graph(st);
    skc_free_acts(st);
    CKG(cudaMalloc((void **)&st->d_tok, r * sizeof(int32_t)));
    CKG(cudaMalloc((void **)&st->x, r * d * sizeof(float)));
    CKG(cudaMalloc((void **)&st->h, r * d * sizeof(float)));
    CKG(cudaMalloc((void **)&st->qkv, r * 3 * d * sizeof(float)));
    CKG(cudaMalloc((void **)&st->att, r * d * sizeof(float)));
    CKG(cudaMalloc((void **)&st->f, r * ff * sizeof(float)));
    CKG(cudaMalloc((void **)&st->y, r * ymax * sizeof(float)));
    st->cap = rows;
    st->ycap = r * ymax;
    return 0;
fail:
    skc_free_acts(st);
    return rc;
}

/* ---- init: upload ----------------------------------------------------------------------------- */

static uint16_t skc_to_bf16(float f) { /* round to nearest even (exact for values of a bf16 file) */
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* NaN stays NaN */
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/* Bump allocator over the weight arena: pass 1 (base 0) sizes it, pass 2 hands out pointers. */
typedef struct skc_carve {
    uintptr_t base;
    size_t off;
} skc_carve;
static void *skc_take(skc_carve *cv, size_t bytes) {
    size_t o = (cv->off + 255) & ~(size_t)255;
    cv->off = o + bytes;
    return (void *)(cv->base + o);
}

static void skc_layout(skc_state *st, skc_carve *cv) {
    const sk_model_cfg *c = &st->c;
    size_t d = (size_t)c->d_model, ff = (size_t)c->d_ff, fs = sizeof(float), hs = sizeof(bf16);
    st->wte = (float *)skc_take(cv, (size_t)c->vocab * d * fs);
    st->wpe = (float *)skc_take(cv, (size_t)c->n_ctx * d * fs);
    st->lnf_w = (float *)skc_take(cv, d * fs);
    st->lnf_b = (float *)skc_take(cv, d * fs);
    st->wte_h = st->bf16w ? (bf16 *)skc_take(cv, (size_t)c->vocab * d * hs) : NULL;
    for (int l = 0; l < c->n_layer; l++) {
        skc_layer *w = &(*st->L)[(size_t)l];
        w->ln1_w = (float *)skc_take(cv, d * fs), w->ln1_b = (float *)skc_take(cv, d * fs);
        w->ln2_w = (float *)skc_take(cv, d * fs), w->ln2_b = (float *)skc_take(cv, d * fs);
        w->attn_b = (float *)skc_take(cv, 3 * d * fs), w->proj_b = (float *)skc_take(cv, d * fs);
        w->fc_b = (float *)skc_take(cv, ff * fs), w->fc2_b = (float *)skc_take(cv, d * fs);
        w->attn_w = (float *)skc_take(cv, 3 * d * d * fs), w->proj_w = (float *)skc_take(cv, d * d * fs);
        w->fc_w = (float *)skc_take(cv, d * ff * fs), w->fc2_w = (float *)skc_take(cv, ff * d * fs);
        if (st->bf16w) {
            w->attn_h = (bf16 *)skc_take(cv, 3 * d * d * hs), w->proj_h = (bf16 *)skc_take(cv, d * d * hs);
            w->fc_h = (bf16 *)skc_take(cv, d * ff * hs), w->fc2_h = (bf16 *)skc_take(cv, ff * d * hs);
        } else {
            w->attn_h = w->proj_h = w->fc_h = w->fc2_h = NULL;
        }
    }
}

/* Upload src ([rows][cols] host, transposed to [cols][rows] when tr) to dst, and its bf16 copy to
 * dsth when non-NULL. tmp/tmph: host scratch of rows*cols elements. */
static int skc_put(float *dst, bf16 *dsth, const float *src, size_t rows, size_t cols, int tr, float *tmp,
                   uint16_t *tmph, char *err, size_t errlen) {
    size_t nel = rows * cols;
    const float *p = src;
    if (tr) {
        for (size_t i = 0; i < rows; i++)
            for (size_t j = 0; j < cols; j++) tmp[j * rows + i] = src[i * cols + j];
        p = tmp;
    }
    CK(cudaMemcpy(dst, p, nel * sizeof(float), cudaMemcpyHostToDevice));
    if (dsth) {
        for (size_t i = 0; i < nel; i++) tmph[i] = skc_to_bf16(p[i]);
        CK(cudaMemcpy(dsth, tmph, nel * sizeof(uint16_t), cudaMemcpyHostToDevice));
    }
    return 0;
}

static int skc_upload(skc_state *st, const sk_weights *w, char *err, size_t errlen) {
    const sk_model_cfg *c = &st->c;
    size_t d = (size_t)c->d_model, ff = (size_t)c->d_ff;
    size_t big = std::max({(size_t)c->vocab * d, (size_t)c->n_ctx * d, 3 * d * d, d * ff});
    float *tmp = (float *)malloc(big * sizeof(float));
    uint16_t *tmph = (uint16_t *)malloc(big * sizeof(uint16_t));
    int rc = SKC_ENOMEM;
    if (!tmp || !tmph) {
        skc_seterr(err, errlen, "cuda backend: out of host memory staging the weights");
        goto out;
    }
#define PUT(dst, dsth, src, r, cc, tr)                                                        \
    if ((rc = skc_put(dst, dsth, src, r, cc, tr, tmp, tmph, err, errlen)) != 0) goto out
    PUT(st->wte, st->wte_h, w->wte, (size_t)c->vocab, d, 0);
    PUT(st->wpe, NULL, w->wpe, (size_t)c->n_ctx, d, 0);
    PUT(st->lnf_w, NULL, w->lnf_w, 1, d, 0);
    PUT(st->lnf_b, NULL, w->lnf_b, 1, d, 0);
    for (int l = 0; l < c->n_layer; l++) {
        const sk_layer_w *s = &w->layer[l];
        skc_layer *dl = &(*st->L)[(size_t)l];
        PUT(dl->ln1_w, NULL, s->ln1_w, 1, d, 0);
        PUT(dl->ln1_b, NULL, s->ln1_b, 1, d, 0);
        PUT(dl->ln2_w, NULL, s->ln2_w, 1, d, 0);
        PUT(dl->ln2_b, NULL, s->ln2_b, 1, d, 0);
        PUT(dl->attn_b, NULL, s->attn_b, 1, 3 * d, 0);
        PUT(dl->proj_b, NULL, s->proj_b, 1, d, 0);
        PUT(dl->fc_b, NULL, s->fc_b, 1, ff, 0);
        PUT(dl->fc2_b, NULL, s->fc2_b, 1, d, 0);
        PUT(dl->attn_w, dl->attn_h, s->attn_w, d, 3 * d, 1);
        PUT(dl->proj_w, dl->proj_h, s->proj_w, d, d, 1);
        PUT(dl->fc_w, dl->fc_h, s->fc_w, d, ff, 1);
        PUT(dl->fc2_w, dl->fc2_h, s->fc2_w, ff, d, 1);
    }
#undef PUT
    rc = 0;
out:
    free(tmp);
    free(tmph);
    return rc;
}

/* ---- the backend ------------------------------------------------------------------------------ */

static void skc_fini(void *vst) {
    skc_state *st = (skc_state *)vst;
    if (!st) return;
    if (st->s) cudaStreamSynchronize(st->s);
    skc_drop_graph(st);
    skc_free_acts(st);
    cudaFree(st->hl);
    cudaFree(st->logits);
    cudaFree(st->kc);
    cudaFree(st->vc);
    cudaFree(st->d_pos);
    cudaFree(st->warena);
    if (st->blas) cublasDestroy(st->blas);
    if (st->s) cudaStreamDestroy(st->s);
    delete st->L;
    (void)cudaGetLastError();
    free(st);
}

/* Returns 0, SK_ENOTSUP (no device), SK_EUSAGE (a shape this backend cannot run), SK_ENOMEM or
 * SK_EINTERNAL with a message; *out is NULL on failure. */
static int skc_init(void **out, const sk_weights *w, int batch, char *err, size_t errlen) {
    *out = NULL;
    int ndev = 0, rc = 0;
    cudaError_t ce = cudaGetDeviceCount(&ndev);
    if (ce != cudaSuccess || ndev == 0) {
        (void)cudaGetLastError();
        skc_seterr(err, errlen, "cuda backend: no CUDA device available (%s)",
                   ce != cudaSuccess ? cudaGetErrorString(ce) : "0 devices");
        return SKC_ENOTSUP;
    }
    const sk_model_cfg *c = &w->cfg;
    if (batch < 1 || c->n_layer < 1 || c->n_head < 1 || c->d_model < 1 || c->d_ff < 1 || c->vocab < 1 ||
        c->n_ctx < 1 || c->d_model % c->n_head != 0 || c->d_model / c->n_head > 1024) {
        skc_seterr(err, errlen,
                   "cuda backend: unsupported shape (batch %d, n_layer %d, n_head %d, d_model %d, d_ff %d, "
                   "vocab %d, n_ctx %d): need d_model divisible by n_head and head size <= 1024",
                   batch, c->n_layer, c->n_head, c->d_model, c->d_ff, c->vocab, c->n_ctx);
        return SKC_EUSAGE;
    }
    skc_state *st = (skc_state *)calloc(1, sizeof *st);
    if (!st) {
        skc_seterr(err, errlen, "cuda backend: out of host memory");
        return SKC_ENOMEM;
    }
    st->c = *c;
    st->B = batch;
    st->bf16w = w->bf16 != 0;
    st->hd = c->d_model / c->n_head;
    st->gemm_mode = SK_CUDA_GEMM_AUTO;
    st->graphs = 1;
    st->L = new std::vector<skc_layer>((size_t)c->n_layer);
    st->attn_threads = st->hd <= 256 ? 256 : (st->hd + 31) / 32 * 32;
    st->attn_smem = ((size_t)st->hd + (size_t)c->n_ctx + 4 * (size_t)st->attn_threads + 33) * sizeof(float);
    {
        int dev = 0, maxsm = 0;
        CKG(cudaGetDevice(&dev));
        CKG(cudaDeviceGetAttribute(&maxsm, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
        if (st->attn_smem > (size_t)maxsm) {
            skc_seterr(err, errlen, "cuda backend: n_ctx %d needs %zu bytes of shared memory for attention "
                       "scores, the device has %d per block", c->n_ctx, st->attn_smem, maxsm);
            rc = SKC_EUSAGE;
            goto fail;
        }
        if (st->attn_smem > 48 * 1024)
            CKG(cudaFuncSetAttribute(skc_attention, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)st->attn_smem));
    }
    CKG(cudaStreamCreateWithFlags(&st->s, cudaStreamNonBlocking));
    CKB(cublasCreate(&st->blas));
    CKB(cublasSetStream(st->blas, st->s));
    CKB(cublasSetMathMode(st->blas, CUBLAS_DEFAULT_MATH)); /* true fp32: no TF32 */
    {
        skc_carve cv = {0, 0};
        skc_layout(st, &cv);
        CKG(cudaMalloc(&st->warena, cv.off));
        cv.base = (uintptr_t)st->warena;
        cv.off = 0;
        skc_layout(st, &cv);
    }
    if ((rc = skc_upload(st, w, err, errlen)) != 0) goto fail;
    {
        size_t kvn = (size_t)c->n_layer * batch * c->n_ctx * c->d_model * sizeof(float);
        CKG(cudaMalloc((void **)&st->kc, kvn));
        CKG(cudaMalloc((void **)&st->vc, kvn));
        CKG(cudaMemset(st->kc, 0, kvn));
        CKG(cudaMemset(st->vc, 0, kvn));
    }
    CKG(cudaMalloc((void **)&st->d_pos, sizeof(int)));
    CKG(cudaMalloc((void **)&st->hl, (size_t)batch * c->d_model * sizeof(float)));
    CKG(cudaMalloc((void **)&st->logits, (size_t)batch * c->vocab * sizeof(float)));
    if ((rc = skc_reserve(st, batch, err, errlen)) != 0) goto fail;
    CKG(cudaDeviceSynchronize());
    *out = st;
    return 0;
fail:
    skc_fini(st);
    return rc;
}

/* Capture the decode (n = 1) launch sequence into st->graph. On a capture failure graphs are
 * switched off for this state and 0 is returned (eager launches then). */
static void skc_capture(skc_state *st) {
    cudaGraph_t g = NULL;
    if (cudaStreamBeginCapture(st->s, cudaStreamCaptureModeThreadLocal) != cudaSuccess) goto broken;
    {
        cudaError_t e = skc_enqueue(st, 1, 1);
        cudaError_t e2 = cudaStreamEndCapture(st->s, &g);
        if (e != cudaSuccess || e2 != cudaSuccess || !g) goto broken;
    }
    if (cudaGraphInstantiate(&st->graph, g, 0) != cudaSuccess) goto broken;
    cudaGraphDestroy(g);
    st->graph_ok = 1;
    return;
broken:
    if (g) cudaGraphDestroy(g);
    (void)cudaGetLastError();
    st->graph_broken = 1;
}

static int skc_forward(void *vst, const int32_t *tok, int n, int pos, float *logits, char *err, size_t errlen) {
    skc_state *st = (skc_state *)vst;
    const sk_model_cfg *c = &st->c;
    if (n < 1 || pos < 0 || pos > c->n_ctx - n) {
        skc_seterr(err, errlen, "cuda backend: %d token(s) at position %d do not fit the context of %d", n, pos,
                   c->n_ctx);
        return SKC_EDATA;
    }
    int rows = st->B * n, rc;
    for (int i = 0; i < rows; i++)
        if (tok[i] < 0 || tok[i] >= c->vocab) {
            skc_seterr(err, errlen, "cuda backend: token %d (row %d) outside the vocabulary of %d", (int)tok[i], i,
                       c->vocab);
            return SKC_EDATA;
        }
    if ((rc = skc_reserve(st, rows, err, errlen)) != 0) return rc;
    st->host_pos = pos;
    CK(cudaMemcpyAsync(st->d_tok, tok, (size_t)rows * sizeof(int32_t), cudaMemcpyHostToDevice, st->s));
    CK(cudaMemcpyAsync(st->d_pos, &st->host_pos, sizeof(int), cudaMemcpyHostToDevice, st->s));
    if (n == 1 && st->graphs && !st->graph_broken && !st->graph_ok) skc_capture(st);
    if (n == 1 && st->graphs && st->graph_ok) {
        CK(cudaGraphLaunch(st->graph, st->s));
    } else {
        cudaError_t e = skc_enqueue(st, n, 0);
        if (e == cudaErrorUnknown) {
            skc_seterr(err, errlen, "cuda backend: cublasSgemm failed");
            return SKC_EINTERNAL;
        }
        CK(e);
    }
    CK(cudaMemcpyAsync(logits, st->logits, (size_t)st->B * c->vocab * sizeof(float), cudaMemcpyDeviceToHost, st->s));
    CK(cudaStreamSynchronize(st->s));
    return 0;
}

/* KV copies between the device cache [L][B][n_ctx][d] and host arrays [L][B][npos][d]. Returns
 * 0, SK_EUSAGE for npos outside 0..n_ctx, SK_EINTERNAL on a CUDA error. */
static int skc_kv_copy(skc_state *st, int npos, float *hk, float *hv, const float *sk, const float *sv, int put) {
    if (npos < 0 || npos > st->c.n_ctx) return SKC_EUSAGE;
    if (npos == 0) return 0;
    char err[8];
    size_t errlen = sizeof err;
    size_t d = (size_t)st->c.d_model, w = (size_t)npos * d * sizeof(float), sp = (size_t)st->c.n_ctx * d * sizeof(float);
    size_t h = (size_t)st->c.n_layer * st->B;
    CK(cudaStreamSynchronize(st->s));
    if (put) {
        CK(cudaMemcpy2DAsync(st->kc, sp, sk, w, w, h, cudaMemcpyHostToDevice, st->s));
        CK(cudaMemcpy2DAsync(st->vc, sp, sv, w, w, h, cudaMemcpyHostToDevice, st->s));
    } else {
        CK(cudaMemcpy2DAsync(hk, w, st->kc, sp, w, h, cudaMemcpyDeviceToHost, st->s));
        CK(cudaMemcpy2DAsync(hv, w, st->vc, sp, w, h, cudaMemcpyDeviceToHost, st->s));
    }
    CK(cudaStreamSynchronize(st->s));
    return 0;
}
static int skc_kv_get(void *st, int npos, float *k, float *v) {
    return skc_kv_copy((skc_state *)st, npos, k, v, NULL, NULL, 0);
}
static int skc_kv_set(void *st, int npos, const float *k, const float *v) {
    return skc_kv_copy((skc_state *)st, npos, NULL, NULL, k, v, 1);
}

const sk_infer_backend skc_backend = {"cuda", skc_init, skc_forward, skc_kv_get, skc_kv_set, skc_fini};

/* ---- knobs and the GEMM benchmark (sk_infer_cuda.h, through the module table) -------------------------------------------- */

int skc_set_gemm(void *vst, int mode) {
    if (mode != SK_CUDA_GEMM_AUTO && mode != SK_CUDA_GEMM_OWN && mode != SK_CUDA_GEMM_CUBLAS) return SKC_EUSAGE;
    ((skc_state *)vst)->gemm_mode = mode;
    return 0;
}

int skc_set_graphs(void *vst, int on) {
    ((skc_state *)vst)->graphs = on != 0;
    return 0;
}

int skc_gemm_bench(int M, int N, int K, int bf16w, int reps, double *tflops_own, double *tflops_cublas, char *err,
                   size_t errlen) {
    int ndev = 0, rc = 0;
    if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
        (void)cudaGetLastError();
        skc_seterr(err, errlen, "cuda: no device");
        return SKC_ENOTSUP;
    }
    if (M < 1 || N < 1 || K < 1 || reps < 1) return SKC_EUSAGE;
    float *A = NULL, *W = NULL, *C = NULL;
    bf16 *Wh = NULL;
    cudaEvent_t e0 = NULL, e1 = NULL;
    cublasHandle_t h = NULL;
    std::vector<float> hostA((size_t)M * K), hostW((size_t)N * K), t_own, t_blas;
    std::vector<uint16_t> hostWh((size_t)N * K);
    uint32_t s = 12345u;
    for (auto &v : hostA) v = (float)((s = s * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
    for (size_t i = 0; i < hostW.size(); i++) {
        hostW[i] = (float)((s = s * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
        hostWh[i] = skc_to_bf16(hostW[i]);
        uint32_t u = (uint32_t)hostWh[i] << 16;
        memcpy(&hostW[i], &u, 4); /* same values for both */
    }
    const float one = 1.0f, zero = 0.0f;
    double flop = 2.0 * M * N * K;
    CKG(cudaMalloc((void **)&A, hostA.size() * 4));
    CKG(cudaMalloc((void **)&W, hostW.size() * 4));
    CKG(cudaMalloc((void **)&Wh, hostWh.size() * 2));
    CKG(cudaMalloc((void **)&C, (size_t)M * N * 4));
    CKG(cudaMemcpy(A, hostA.data(), hostA.size() * 4, cudaMemcpyHostToDevice));
    CKG(cudaMemcpy(W, hostW.data(), hostW.size() * 4, cudaMemcpyHostToDevice));
    CKG(cudaMemcpy(Wh, hostWh.data(), hostWh.size() * 2, cudaMemcpyHostToDevice));
    CKG(cudaEventCreate(&e0));
    CKG(cudaEventCreate(&e1));
    CKB(cublasCreate(&h));
    CKB(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        float ms = 0.0f;
        CKG(cudaEventRecord(e0));
        if (bf16w) skc_gemm_launch<bf16>(A, Wh, NULL, C, M, K, N, EPI_BIAS, 0);
        else skc_gemm_launch<float>(A, W, NULL, C, M, K, N, EPI_BIAS, 0);
        CKG(cudaGetLastError());
        CKG(cudaEventRecord(e1));
        CKG(cudaEventSynchronize(e1));
        CKG(cudaEventElapsedTime(&ms, e0, e1));
        if (r >= 0) t_own.push_back(ms);
        CKG(cudaEventRecord(e0));
        CKB(cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &one, W, K, A, K, &zero, C, N));
        CKG(cudaEventRecord(e1));
        CKG(cudaEventSynchronize(e1));
        CKG(cudaEventElapsedTime(&ms, e0, e1));
        if (r >= 0) t_blas.push_back(ms);
    }
    std::sort(t_own.begin(), t_own.end());
    std::sort(t_blas.begin(), t_blas.end());
    *tflops_own = flop / (t_own[t_own.size() / 2] * 1e-3) / 1e12;
    *tflops_cublas = flop / (t_blas[t_blas.size() / 2] * 1e-3) / 1e12;
fail:
    if (h) cublasDestroy(h);
    if (e0) cudaEventDestroy(e0);
    if (e1) cudaEventDestroy(e1);
    cudaFree(A);
    cudaFree(W);
    cudaFree(Wh);
    cudaFree(C);
    return rc;
}
