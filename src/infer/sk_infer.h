/* sk_infer.h - a compact decoder-only transformer inference engine (GPT-2 style: learned position
 * embeddings, pre-LayerNorm, multi-head attention with a KV cache, GELU MLP, tied output
 * embedding) with a CPU backend (OpenMP, fp32) and a CUDA backend (fp32 or bf16 weights), whose
 * generation state can be checkpointed at any token boundary and resumed in another process or on
 * the other backend. This is the live agent's unit of work: load, prefill, step, checkpoint,
 * resume, free.
 *
 * Weights are safetensors files (header parsed with cJSON). Tensor names follow GPT-2's
 * (wte.weight, wpe.weight, h.{i}.ln_1.weight/bias, h.{i}.attn.c_attn.weight/bias,
 * h.{i}.attn.c_proj.weight/bias, h.{i}.ln_2.weight/bias, h.{i}.mlp.c_fc.weight/bias,
 * h.{i}.mlp.c_proj.weight/bias, ln_f.weight/bias), with the Conv1D layout [in, out]; the
 * architecture sizes are read from the header's __metadata__ (n_layer, n_head, n_embd, n_ctx,
 * vocab_size) or inferred from the shapes. dtype F32 or BF16.
 *
 * Errors: negative SK_E* codes with one line in err naming the file and what is wrong. */
#ifndef SK_INFER_H
#define SK_INFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct sk_model_cfg {
    int n_layer, n_head, d_model, d_ff, vocab, n_ctx;
} sk_model_cfg;

typedef enum { SK_BACKEND_CPU = 0, SK_BACKEND_CUDA = 1, SK_BACKEND_AUTO = 2 } sk_backend;

typedef struct sk_model sk_model; /* weights (host copy; a device copy when a CUDA gen uses them) */
typedef struct sk_gen sk_gen;     /* one batch of sequences being generated */

/* Presets: "small" = GPT-2 small (12 layers, d 768, 12 heads, ff 3072, vocab 50257, ctx 1024);
 * "medium" = GPT-2 medium (24, 1024, 16, 4096); "tiny" (2 layers, d 64, 4 heads, ff 256, vocab
 * 512, ctx 128) for tests. Returns 0 or SK_EUSAGE. */
int sk_model_preset(const char *name, sk_model_cfg *cfg);

/* Write deterministic synthetic weights of cfg's shape (N(0, 0.02) from the Synkti RNG stream
 * (seed, 0, 0), LayerNorm weights 1 and biases 0) as a safetensors file, atomically.
 * bf16 != 0 stores BF16. */
int sk_model_write_synthetic(const char *path, const sk_model_cfg *cfg, uint64_t seed, int bf16, char *err,
                             size_t errlen);

/* The same weights in memory, without a file (benchmarks, tests). With bf16 the values are
 * rounded to BF16 (as a BF16 file would hold them). */
int sk_model_synthetic(sk_model **m, const sk_model_cfg *cfg, uint64_t seed, int bf16, char *err, size_t errlen);
/* Write m as a safetensors file (its dtype: BF16 when it was loaded/made BF16), atomically, with
 * the architecture in __metadata__. */
int sk_model_save(const sk_model *m, const char *path, char *err, size_t errlen);

/* Load and validate a safetensors file: truncation, header length beyond the file, bad JSON,
 * unknown dtype, data_offsets out of range/overlapping/not shape x dtype size, missing tensors,
 * shapes that disagree with the configuration all give SK_EDATA (SK_ENOINPUT when it can't be
 * opened) with one line in err. Extra tensors (lm_head.weight, h.N.attn.bias masks) are ignored. */
int sk_model_load(sk_model **m, const char *path, char *err, size_t errlen);
const sk_model_cfg *sk_model_config(const sk_model *m);
/* FNV-1a-64 over the configuration and the stored tensor bytes (checkpoints name their model by
 * it); sk_model_is_bf16: 1 when the weights are BF16 values; sk_model_params: parameter count. */
uint64_t sk_model_fingerprint(const sk_model *m);
int sk_model_is_bf16(const sk_model *m);
size_t sk_model_params(const sk_model *m);
void sk_model_free(sk_model *m);

/* Sampling: temperature 0 = greedy (argmax, lowest index on ties); otherwise softmax(logits/T)
 * sampled with the generation's own RNG stream (seed), one draw per sequence per token. */
typedef struct sk_gen_opts {
    sk_backend backend;
    int batch;          /* sequences generated together (1..n) */
    double temperature;
    uint64_t seed;
} sk_gen_opts;

int sk_gen_new(sk_gen **g, const sk_model *m, const sk_gen_opts *o, char *err, size_t errlen);
/* Feed the prompts (batch of them, each n_tokens long, row-major) and compute the first logits. */
int sk_gen_prefill(sk_gen *g, const int32_t *tokens, int n_tokens, char *err, size_t errlen);
/* Sample one token per sequence into next[batch] and advance. SK_EDATA when the context is full. */
int sk_gen_step(sk_gen *g, int32_t *next, char *err, size_t errlen);
/* Positions generated so far (prompt included). */
int sk_gen_position(const sk_gen *g);
/* Length of the prompt given to the first prefill (0 before it); generated = position - this. */
int sk_gen_prompt_len(const sk_gen *g);
int sk_gen_batch(const sk_gen *g);
/* The position() tokens of sequence b (prompt then generated), valid until the next step/free. */
const int32_t *sk_gen_tokens(const sk_gen *g, int b);
sk_backend sk_gen_backend(const sk_gen *g);
/* Write the whole generation state (tokens, KV cache, RNG state, position, options, model
 * fingerprint) to a versioned, checksummed file, atomically. */
int sk_gen_checkpoint(const sk_gen *g, const char *path, char *err, size_t errlen);
/* Rebuild a generation from a checkpoint on `backend` (may differ from the one that wrote it).
 * SK_EDATA for a corrupt, truncated or foreign file, or one written for another model. */
int sk_gen_resume(sk_gen **g, const sk_model *m, const char *path, sk_backend backend, char *err, size_t errlen);
void sk_gen_free(sk_gen *g);

/* The last logits of sequence b (vocab floats, host memory; copied from the device if needed). */
int sk_gen_logits(sk_gen *g, int b, float *out);

#endif
