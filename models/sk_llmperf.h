/* sk_llmperf.h - a replica performance model for LLM serving: how long one iteration of a
 * continuous-batching engine takes on a GPU type for a model at a tensor-parallel degree, how
 * many KV-cache tokens fit, and how long a cold start (boot + weight load) takes.
 *
 * Built from the Vidur per-operator profiles (../shared/traces/vidur/compute/<gpu>/meta-llama/
 * <model>/mlp.csv: per-layer op times in ms by batch token count 1..4096 and TP 1/2/4/8, medians
 * interpolated in the token count) plus an analytic attention term (Vidur's attention tables are
 * not in the snapshot: prefill attention as FLOPs at the GPU's effective rate, decode attention as
 * the KV bytes read at its memory bandwidth - stated in docs/serving_perf.md), plus the TP
 * all-reduce (vidur/network where present, else an analytic ring all-reduce). GPU types Vidur did
 * not profile (A10G, L4, T4, V100, ...) are scaled from the nearest profiled one by peak FLOPs and
 * memory bandwidth (documented). Validated against llm-inference-benchmarks/ (the error per row in
 * the docs).
 *
 * One iteration = one forward pass over a batch: `prefill_tokens` prompt tokens of newly admitted
 * sequences (chunked or whole) plus one decode token for each of `decode_seqs` running sequences
 * whose contexts sum to `ctx_tokens`. Times in seconds. Reads the CSVs once (sk_llmperf_open);
 * the query functions are pure and thread-safe. Errors: SK_E* with a message naming the file. */
#ifndef SK_LLMPERF_H
#define SK_LLMPERF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_llmperf sk_llmperf;

typedef struct sk_llm_shape {
    const char *name;  /* "llama-2-7b", "llama-2-70b" */
    int layers, hidden, heads, kv_heads, ffn, vocab;
    double params_b;   /* billions of parameters */
    int bytes_per_param; /* 2 (fp16/bf16) */
    const char *profile; /* the Vidur profile it is scaled from: "Llama-2-7b-hf" or "Llama-2-70b-hf" */
} sk_llm_shape;

/* The known model shapes (NULL when unknown). */
const sk_llm_shape *sk_llm_shape_find(const char *name);

/* Open the model for (gpu, model, tp): gpu is a GPU model name as the catalog spells it ("A100",
 * "H100", "A10G", "L4", "T4", "V100", "A40", case-insensitive), tp in 1, 2, 4, 8 (tp GPUs of one
 * instance). The weights must fit: SK_EDATA "... does not fit ..." otherwise. SK_ENOINPUT when the
 * profile files are not found on the trace search path. */
int sk_llmperf_open(sk_llmperf **out, const char *gpu, const char *model, int tp, char *err, size_t errlen);
void sk_llmperf_free(sk_llmperf *p);

/* Seconds of one iteration (see the top). prefill_tokens + decode_seqs >= 1. */
double sk_llmperf_iter_s(const sk_llmperf *p, int64_t prefill_tokens, int64_t decode_seqs, int64_t ctx_tokens);
/* KV-cache capacity in tokens: (GPU memory x tp x 0.9 - weights - activations) / KV bytes a token. */
int64_t sk_llmperf_kv_tokens(const sk_llmperf *p);
/* Seconds to load the weights from local disk to the GPUs (bytes / load bandwidth, documented). */
double sk_llmperf_load_s(const sk_llmperf *p);
/* Steady decode tokens/s of one sequence (batch 1, context ctx_tokens): what the benchmark rows
 * report, for validation. */
double sk_llmperf_decode_tps(const sk_llmperf *p, int64_t ctx_tokens);

/* ---- additions: the parts of an iteration, what the model was built from, validation ---------- */

/* sk_llmperf_open with flags. SK_LLMPERF_NOFIT: open even when the weights do not fit (KV capacity
 * 0): times for what-if comparisons (70B at tp 1) and llama.cpp's layer split in the validation. */
#define SK_LLMPERF_NOFIT 1u
int sk_llmperf_open_ex(sk_llmperf **out, const char *gpu, const char *model, int tp, unsigned flags, char *err,
                       size_t errlen);

/* The known shapes in table order (*n gets the count). */
const sk_llm_shape *sk_llm_shapes(int *n);

/* The GPU types the model knows (datasheet figures; docs/serving_perf.md has the sources). */
typedef struct sk_llm_gpu {
    const char *name;     /* "A100", "H100", "A10G", ... as the catalog spells it */
    double mem_mib;       /* memory per GPU, MiB (the catalog's GpuMemoryMiBPerGpu where it has the type) */
    double fp16_tflops;   /* peak dense fp16 tensor-core TFLOP/s */
    double mem_gbs;       /* peak memory bandwidth, GB/s */
    double link_gbs;      /* GPU-to-GPU bandwidth per direction, GB/s (NVLink, else PCIe) */
    const char *profile;  /* Vidur profile folder ("a100", "h100", "a40") when profiled, else NULL */
} sk_llm_gpu;
const sk_llm_gpu *sk_llm_gpu_find(const char *name); /* case-insensitive; NULL when unknown */
const sk_llm_gpu *sk_llm_gpus(int *n);

/* Op indices of the Vidur mlp.csv table (per layer, except emb: once per iteration). */
enum {
    SK_LP_EMB, SK_LP_INPUT_LN, SK_LP_QKV, SK_LP_ROPE, SK_LP_OPROJ, SK_LP_POST_LN, SK_LP_UP, SK_LP_ACT, SK_LP_DOWN,
    SK_LP_ADD, SK_LP_NOPS
};
const char *sk_llmperf_op_name(int op); /* "emb", "input_layernorm", ... (NULL out of range) */

/* One op's time in ms at `tokens` batch tokens for this (gpu, model, tp): the profile medians
 * interpolated piecewise-linearly in tokens (beyond the last profiled count: linear, with the
 * slope of the secant over the top half of the profiled range), scaled for shape and GPU. For a
 * profiled GPU and model it returns the profile median exactly at a profiled count (the mean of
 * the medians where the profile repeats a count). NaN for a bad op. */
double sk_llmperf_op_ms(const sk_llmperf *p, int op, double tokens);

/* The parts of one iteration, seconds (their sum is sk_llmperf_iter_s). */
typedef struct sk_llmperf_parts {
    double emb_s;          /* embedding lookup, once */
    double layers_s;       /* layers x the (monotone) sum of the per-layer ops */
    double attn_prefill_s; /* analytic: 4 x T x (T/2) x hidden / tp FLOPs a layer */
    double attn_decode_s;  /* analytic: KV bytes read / effective bandwidth */
    double allreduce_s;    /* 2 a layer when tp > 1 */
    double lm_head_s;      /* logits of one token a sequence */
    double total_s;
} sk_llmperf_parts;
double sk_llmperf_iter_parts(const sk_llmperf *p, int64_t prefill_tokens, int64_t decode_seqs, int64_t ctx_tokens,
                             sk_llmperf_parts *out);
/* Prompt tokens/s of one prefill of `tokens` tokens (tokens / iteration time). */
double sk_llmperf_prefill_tps(const sk_llmperf *p, int64_t tokens);

/* What a model was built from (for `synkti serve-perf` and the docs). */
typedef struct sk_llmperf_info {
    const sk_llm_gpu *gpu, *base;  /* the GPU and the profiled GPU it is scaled from (base == gpu when profiled) */
    const sk_llm_shape *shape;
    int tp;
    double compute_ratio, mem_ratio; /* base / target peak FLOPs and bandwidth (1 when profiled) */
    double ridge_tokens;             /* base GPU's roofline ridge (FLOPs / byte = tokens of a GEMM) */
    double weights_bytes, reserve_bytes, kv_bytes_per_token, usable_bytes;
    double ar_lat_ms, ar_ms_per_mib; /* all-reduce = lat + ms_per_mib x MiB */
    const char *ar_source;           /* "vidur/network/...all_reduce.csv fit", "analytic ring ...", "none (tp 1)" */
    double attn_gbs, attn_tflops;    /* effective decode-attention bandwidth and prefill-attention FLOP rate */
    double load_gbs;                 /* weight load bandwidth, GB/s */
    int profiled_points;             /* distinct token counts in the profile at this tp */
    char profile_path[512];
} sk_llmperf_info;
void sk_llmperf_get_info(const sk_llmperf *p, sk_llmperf_info *out);

/* Validation against llm-inference-benchmarks/ (docs/serving_perf.md): one row per benchmark
 * figure we can map to a (gpu, shape). rel_err = predicted / measured - 1. Rows that are not
 * comparable (quantised weights, llama.cpp's layer split over several GPUs, GPUs or models we do
 * not model, TGI rows whose batch would not fit the KV cache) have counted = 0 and say why in note. */
typedef struct sk_llmperf_vrow {
    char source[12];     /* "llamacpp" or "tgi" */
    char metric[32];     /* "decode_tps", "prefill_tps", "itl_ms", "throughput_tps", "ttft_ms" */
    char bench_gpu[32];  /* the row's GPU as the benchmark names it */
    char bench_model[48];
    char quant[12];
    int concurrency;     /* TGI: requests at once; llama.cpp: 1 */
    char gpu[16], model[16];
    int tp;
    double measured, predicted, rel_err;
    int counted;         /* 1: in the error statistics */
    char note[96];
    int line;            /* line in the benchmark CSV */
} sk_llmperf_vrow;
/* Build the validation rows (the caller frees *rows). Returns 0; SK_ENOINPUT; SK_EDATA naming
 * file:line:column; SK_ENOMEM. */
int sk_llmperf_validate(sk_llmperf_vrow **rows, int *nrows, char *err, size_t errlen);
/* Median of |rel_err| over counted rows of `source` (NULL: all) and `metric` (NULL: all); NaN
 * when there is none. *n gets the number of rows used (may be NULL). */
double sk_llmperf_median_abs_err(const sk_llmperf_vrow *rows, int nrows, const char *source, const char *metric,
                                 int *n);

#endif
