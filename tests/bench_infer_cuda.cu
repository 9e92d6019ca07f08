/* bench_infer_cuda.cu - performance of the CUDA inference backend (a benchmark, not a test):
 * the card's device-to-device copy bandwidth and its pure-read bandwidth (a reduction over 1 GiB),
 * batch-1 decode's achieved weight bandwidth (weight bytes read per token / host time per token) as a
 * fraction of both, decode and prefill tokens/s (fp32 and bf16 weights, synthetic GPT-2 small
 * weights), and our tiled GEMM against cuBLAS SGEMM on the prefill shapes.
 *
 * usage: bench_infer_cuda [preset: small|medium] */
#include <cuda_runtime.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <vector>

extern "C" {
#include "infer/sk_infer_backend.h"
#include "kernels/sk_infer_cuda.h"
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define CHECK(call)                                                                                   \
    do {                                                                                              \
        cudaError_t e_ = (call);                                                                      \
        if (e_ != cudaSuccess) {                                                                      \
            fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(e_));                               \
            exit(70);                                                                                 \
        }                                                                                             \
    } while (0)

/* Device-to-device cudaMemcpy of `bytes`, median of reps, in bytes copied per second. */
static double d2d_rate(size_t bytes, int reps) {
    void *a, *b;
    cudaEvent_t e0, e1;
    CHECK(cudaMalloc(&a, bytes));
    CHECK(cudaMalloc(&b, bytes));
    CHECK(cudaMemset(a, 1, bytes));
    CHECK(cudaEventCreate(&e0));
    CHECK(cudaEventCreate(&e1));
    std::vector<float> t;
    for (int r = -2; r < reps; r++) {
        float ms;
        CHECK(cudaEventRecord(e0));
        CHECK(cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice));
        CHECK(cudaEventRecord(e1));
        CHECK(cudaEventSynchronize(e1));
        CHECK(cudaEventElapsedTime(&ms, e0, e1));
        if (r >= 0) t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    cudaFree(a), cudaFree(b), cudaEventDestroy(e0), cudaEventDestroy(e1);
    return (double)bytes / (t[t.size() / 2] * 1e-3);
}

/* A pure read: every block sums a grid-strided share of `bytes` (float4 loads, 4 in flight per
 * thread) and writes one float. The achievable read bandwidth a weight-streaming decode competes with. */
__global__ void read_sum(const float4 *__restrict__ p, size_t n4, float *out) {
    float s = 0.0f;
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x, st = (size_t)gridDim.x * blockDim.x;
    for (; i + 3 * st < n4; i += 4 * st) {
        float4 a = __ldcs(p + i), b = __ldcs(p + i + st), c = __ldcs(p + i + 2 * st), d = __ldcs(p + i + 3 * st);
        s += (a.x + a.y + a.z + a.w) + (b.x + b.y + b.z + b.w) + (c.x + c.y + c.z + c.w) + (d.x + d.y + d.z + d.w);
    }
    for (; i < n4; i += st) {
        float4 a = __ldcs(p + i);
        s += a.x + a.y + a.z + a.w;
    }
    for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
    if ((threadIdx.x & 31) == 0) atomicAdd(out + blockIdx.x, s);
}

/* Bytes read per second by read_sum over `bytes`, median of reps. */
static double read_rate(size_t bytes, int reps) {
    void *a;
    float *o;
    cudaEvent_t e0, e1;
    int sms = 0;
    CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    unsigned nb = (unsigned)sms * 8;
    CHECK(cudaMalloc(&a, bytes));
    CHECK(cudaMalloc((void **)&o, nb * sizeof(float)));
    CHECK(cudaMemset(a, 0, bytes));
    CHECK(cudaMemset(o, 0, nb * sizeof(float)));
    CHECK(cudaEventCreate(&e0));
    CHECK(cudaEventCreate(&e1));
    std::vector<float> t;
    for (int r = -2; r < reps; r++) {
        float ms;
        CHECK(cudaEventRecord(e0));
        read_sum<<<nb, 256>>>((const float4 *)a, bytes / 16, o);
        CHECK(cudaGetLastError());
        CHECK(cudaEventRecord(e1));
        CHECK(cudaEventSynchronize(e1));
        CHECK(cudaEventElapsedTime(&ms, e0, e1));
        if (r >= 0) t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    cudaFree(a), cudaFree(o), cudaEventDestroy(e0), cudaEventDestroy(e1);
    return (double)bytes / (t[t.size() / 2] * 1e-3);
}

static float round_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    memcpy(&f, &u, 4);
    return f;
}

struct model {
    sk_weights w;
    std::vector<sk_layer_w> layer;
    std::vector<float> buf;
    size_t used = 0;
    uint64_t s = 88172645463325252ull;
    float *take(size_t n, float mean, float amp, int bf) {
        float *p = buf.data() + used;
        used += n;
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            float v = mean + amp * ((float)(s >> 40) / 16777216.0f - 0.5f);
            p[i] = bf ? round_bf16(v) : v;
        }
        return p;
    }
};

/* Synthetic weights of cfg's shape (uniform, sd ~0.02), rounded to bf16 values when bf. */
static void model_make(model *m, const sk_model_cfg *c, int bf) {
    size_t d = (size_t)c->d_model, ff = (size_t)c->d_ff;
    m->buf.resize((size_t)c->vocab * d + (size_t)c->n_ctx * d + 2 * d +
                  (size_t)c->n_layer * (8 * d + 3 * d + ff + 4 * d * d + 2 * d * ff));
    m->layer.resize((size_t)c->n_layer);
    const float a = 0.07f;
    m->w.cfg = *c;
    m->w.bf16 = bf;
    m->w.wte = m->take((size_t)c->vocab * d, 0, a, bf);
    m->w.wpe = m->take((size_t)c->n_ctx * d, 0, a / 2, bf);
    m->w.lnf_w = m->take(d, 1, 0, bf);
    m->w.lnf_b = m->take(d, 0, 0, bf);
    for (int l = 0; l < c->n_layer; l++) {
        sk_layer_w *L = &m->layer[(size_t)l];
        L->ln1_w = m->take(d, 1, 0, bf), L->ln1_b = m->take(d, 0, 0, bf);
        L->ln2_w = m->take(d, 1, 0, bf), L->ln2_b = m->take(d, 0, 0, bf);
        L->attn_w = m->take(3 * d * d, 0, a, bf), L->attn_b = m->take(3 * d, 0, a, bf);
        L->proj_w = m->take(d * d, 0, a, bf), L->proj_b = m->take(d, 0, a, bf);
        L->fc_w = m->take(d * ff, 0, a, bf), L->fc_b = m->take(ff, 0, a, bf);
        L->fc2_w = m->take(ff * d, 0, a, bf), L->fc2_b = m->take(d, 0, a, bf);
    }
    m->w.layer = m->layer.data();
}

/* Bytes of weights one decode step reads: every matrix (at the weight precision) once, including
 * the tied output projection, plus the fp32 vectors; embeddings rows are negligible. */
static double weight_bytes(const sk_model_cfg *c, int bf) {
    double d = c->d_model, ff = c->d_ff, es = bf ? 2 : 4;
    double mats = c->n_layer * (3 * d * d + d * d + 2 * d * ff) + (double)c->vocab * d;
    double vecs = c->n_layer * (4 * d + 3 * d + d + ff + d) + 2 * d;
    return mats * es + vecs * 4;
}

int main(int argc, char **argv) {
    const char *preset = argc > 1 ? argv[1] : "small";
    int quick = argc > 2 && !strcmp(argv[2], "quick"); /* fp32 batch 1 only (for profilers) */
    sk_model_cfg c = {12, 12, 768, 3072, 50257, 1024};
    if (!strcmp(preset, "medium")) c = {24, 16, 1024, 4096, 50257, 1024};
    int ndev = 0;
    if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
        printf("SKIP: no CUDA device\n");
        return 0;
    }
    cudaDeviceProp p;
    CHECK(cudaGetDeviceProperties(&p, 0));
    printf("device: %s (sm_%d%d, %d SMs, %.1f GiB)\n", p.name, p.major, p.minor, p.multiProcessorCount,
           p.totalGlobalMem / 1073741824.0);
    double copy = d2d_rate((size_t)1 << 30, 10);
    printf("d2d cudaMemcpy 1 GiB: %.0f GB/s copied (%.0f GB/s read+write)\n", copy / 1e9, 2 * copy / 1e9);
    double rd = read_rate((size_t)1 << 30, 10);
    printf("read kernel (sum of 1 GiB): %.0f GB/s read\n", rd / 1e9);

    char err[256];
    for (int bf = 0; bf <= 1 - quick; bf++) {
        model m;
        model_make(&m, &c, bf);
        double wb = weight_bytes(&c, bf);
        for (int B : {1, 16}) {
            if (quick && B > 1) break;
            void *st = NULL;
            int rc = sk_infer_cuda.init(&st, &m.w, B, err, sizeof err);
            if (rc) {
                fprintf(stderr, "init: %s\n", err);
                return 70;
            }
            const int np = 128, nd = 128;
            std::vector<int32_t> tok((size_t)B * np);
            for (size_t i = 0; i < tok.size(); i++) tok[i] = (int32_t)((i * 7919) % (size_t)c.vocab);
            std::vector<float> lg((size_t)B * c.vocab);
            /* prefill, both GEMM paths (the second run overwrites the same cache positions) */
            double tp[2] = {0, 0};
            for (int g = 0; g < 2; g++) {
                sk_infer_cuda_set_gemm(st, g == 0 ? SK_CUDA_GEMM_OWN : SK_CUDA_GEMM_CUBLAS);
                for (int rep = 0; rep < 2; rep++) { /* rep 0 warms up */
                    double t0 = now();
                    rc = sk_infer_cuda.forward(st, tok.data(), np, 0, lg.data(), err, sizeof err);
                    tp[g] = now() - t0;
                }
                if (rc) break;
            }
            sk_infer_cuda_set_gemm(st, SK_CUDA_GEMM_AUTO);
            /* decode, graph replay */
            double td = 0;
            for (int s = 0; s < nd + 4 && !rc; s++) {
                double t0 = now();
                rc = sk_infer_cuda.forward(st, tok.data(), 1, np + s, lg.data(), err, sizeof err);
                if (s >= 4) td += now() - t0; /* 4 warm-up steps (graph capture) */
            }
            td /= nd;
            /* decode, eager launches */
            double te = 0;
            sk_infer_cuda_set_graphs(st, 0);
            for (int s = 0; s < 32 && !rc; s++) {
                double t0 = now();
                rc = sk_infer_cuda.forward(st, tok.data(), 1, np + s, lg.data(), err, sizeof err);
                te += now() - t0;
            }
            te /= 32;
            if (rc) {
                fprintf(stderr, "forward: %s\n", err);
                return 70;
            }
            printf("%s %s batch %2d: prefill %d tok/seq: %.0f tok/s (own GEMM) %.0f tok/s (cuBLAS); decode "
                   "%.3f ms/step = %.0f tok/s (graph), %.3f ms/step (eager)",
                   preset, bf ? "bf16" : "fp32", B, np, B * np / tp[0], B * np / tp[1], td * 1e3, B / td, te * 1e3);
            if (B == 1)
                printf("; weights %.1f MB/token -> %.0f GB/s = %.0f%% of d2d copied, %.0f%% of d2d read+write, "
                       "%.0f%% of the read kernel",
                       wb / 1e6, wb / td / 1e9, 100 * wb / td / copy, 100 * wb / td / (2 * copy), 100 * wb / td / rd);
            printf("\n");
            sk_infer_cuda.fini(st);
        }
    }
    if (quick) return 0;
    const int shapes[][3] = {{512, 2304, 768}, {512, 3072, 768}, {512, 768, 3072}, {2048, 2304, 768},
                             {2048, 3072, 768}, {2048, 768, 3072}};
    for (int bf = 0; bf <= 1; bf++)
        for (auto &s : shapes) {
            double own = 0, blas = 0;
            if (sk_infer_cuda_gemm_bench(s[0], s[1], s[2], bf, 20, &own, &blas, err, sizeof err)) {
                fprintf(stderr, "gemm bench: %s\n", err);
                return 70;
            }
            printf("gemm M %d N %d K %d, %s weights: own %.2f TFLOP/s, cuBLAS SGEMM %.2f TFLOP/s (%.0f%%)\n",
                   s[0], s[1], s[2], bf ? "bf16" : "fp32", own, blas, 100 * own / blas);
        }
    return 0;
}
