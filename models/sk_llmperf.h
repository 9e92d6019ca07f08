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

#endif
