/* cmd_serve_perf.c - `synkti serve-perf`: look at the replica performance model (models/
 * sk_llmperf.h): one iteration's time and its parts, KV capacity, load time, a table of iteration
 * times by batch, and the validation against llm-inference-benchmarks/ (--validate). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "models/sk_llmperf.h"
#include "sk_error.h"

typedef struct {
    const char *gpu, *model;
    int tp, tokens, decode, ctx, validate;
} sk_spcmd_opts;

static const sk_opt sk_spcmd_optab[] = {
    {"gpu", 'g', SK_OPT_STR, offsetof(sk_spcmd_opts, gpu), "GPU", "GPU type: A100, A100-80GB, H100, H100-PCIe, H200, A40, A10G, L4, L40S, T4, V100, V100-32GB", 0, 0},
    {"model", 'm', SK_OPT_STR, offsetof(sk_spcmd_opts, model), "NAME", "llama-2-7b, llama-2-70b, llama-3-8b, llama-3-70b or mistral-7b", 0, 0},
    {"tp", 't', SK_OPT_INT, offsetof(sk_spcmd_opts, tp), "N", "tensor-parallel degree: 1, 2, 4 or 8", 1, 8},
    {"tokens", 'n', SK_OPT_INT, offsetof(sk_spcmd_opts, tokens), "N", "prompt tokens in the iteration (prefill)", 0, 1e9},
    {"decode", 'b', SK_OPT_INT, offsetof(sk_spcmd_opts, decode), "B", "running sequences decoding one token each", 0, 1e7},
    {"ctx", 'c', SK_OPT_INT, offsetof(sk_spcmd_opts, ctx), "C", "context tokens of each decoding sequence", 0, 1e7},
    {"validate", 0, SK_OPT_FLAG, offsetof(sk_spcmd_opts, validate), NULL, "print the validation table against llm-inference-benchmarks/ and its median errors", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_spcmd_usage[] =
    "usage: synkti serve-perf [--gpu GPU] [--model NAME] [--tp N] [--tokens N] [--decode B] [--ctx C]\n"
    "                         [--validate]\n"
    "\n"
    "Show the replica performance model for one (GPU, model, tensor-parallel degree): what it was\n"
    "built from (the Vidur profile, the scaling ratios, the all-reduce source), the memory budget and\n"
    "KV-cache capacity in tokens, the weight load time, the parts of one iteration with N prompt\n"
    "tokens plus B decoding sequences of C context tokens each, and a table of iteration times.\n"
    "--validate adds the comparison with llm-inference-benchmarks/ (every row, the relative error\n"
    "predicted / measured - 1, and the median |error| of the rows compared). Formulas and sources:\n"
    "docs/serving_perf.md. Data are read from the trace search path ($SYNKTI_TRACES,\n"
    "../shared/traces, traces/data).\n"
    "\n"
    "Exit codes: 0 ok; 64 bad command line or unknown GPU/model; 65 the model does not fit or a\n"
    "profile is malformed (file:line named); 66 a profile is missing.\n"
    "\n"
    "Examples:\n"
    "  synkti serve-perf --gpu A100 --model llama-2-7b --tp 1\n"
    "  synkti serve-perf --gpu H100 --model llama-2-70b --tp 4 --tokens 512 --decode 32 --ctx 1024\n"
    "  synkti serve-perf --gpu A10G --model llama-3-8b --validate\n";

static void sk_spcmd_validate(FILE *f, const sk_llmperf_vrow *v, int n) {
    fprintf(f, "\nvalidation (llm-inference-benchmarks/; err = predicted / measured - 1)\n");
    fprintf(f, "%-8s %-14s %-22s %-11s %-6s %4s %-10s %11s %11s %8s  %s\n", "source", "metric", "bench_gpu", "model", "quant",
            "conc", "our_gpu", "measured", "predicted", "err", "note");
    for (int i = 0; i < n; i++)
        fprintf(f, "%-8s %-14s %-22s %-11s %-6s %4d %-10s %11.2f %11.2f %+7.1f%%%s %s\n", v[i].source, v[i].metric,
                v[i].bench_gpu, v[i].model, v[i].quant, v[i].concurrency, v[i].gpu, v[i].measured, v[i].predicted,
                100 * v[i].rel_err, v[i].counted ? " " : "*", v[i].note);
    fprintf(f, "(* = not compared)\n");
    static const char *const grp[][2] = {{"tgi", NULL},          {"llamacpp", "decode_tps"}, {"llamacpp", "prefill_tps"},
                                         {"llamacpp", NULL},     {NULL, NULL}};
    for (size_t g = 0; g < sizeof grp / sizeof grp[0]; g++) {
        int k;
        double m = sk_llmperf_median_abs_err(v, n, grp[g][0], grp[g][1], &k);
        fprintf(f, "median |err| %-9s %-12s %6.1f%% over %d rows\n", grp[g][0] ? grp[g][0] : "all",
                grp[g][1] ? grp[g][1] : "all", 100 * m, k);
    }
}

int sk_cmd_serve_perf(int argc, char **argv) {
    sk_spcmd_opts o = {.gpu = "A100", .model = "llama-2-7b", .tp = 1, .tokens = 512, .decode = 16, .ctx = 1024};
    int npos = 0;
    int rc = sk_opts_parse("serve-perf", sk_spcmd_usage, sk_spcmd_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos) {
        fprintf(stderr, "synkti serve-perf: unexpected argument '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    char err[512] = "";
    sk_llmperf *p;
    rc = sk_llmperf_open(&p, o.gpu, o.model, o.tp, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "synkti serve-perf: %s\n", err);
        return sk_exit_code(rc);
    }
    sk_llmperf_info in;
    sk_llmperf_get_info(p, &in);
    FILE *f = stdout;
    fprintf(f, "%s on %d x %s", in.shape->name, in.tp, in.gpu->name);
    if (in.base != in.gpu)
        fprintf(f, " (scaled from the %s profile: FLOPs ratio %.3f, bandwidth ratio %.3f, blend weight n/(n+%.0f))",
                in.base->name, in.compute_ratio, in.mem_ratio, in.ridge_tokens);
    int own = !strcmp(in.shape->name, "llama-2-7b") || !strcmp(in.shape->name, "llama-2-70b");
    fprintf(f, "\nprofile      %s (%d token counts at tp %d)%s\n", in.profile_path, in.profiled_points, in.tp,
            own ? "" : ", op widths scaled to this shape");
    fprintf(f, "memory       usable %.2f GB (0.9 x %.1f GiB x %d), weights %.2f GB, reserve %.2f GB\n",
            in.usable_bytes / 1e9, in.gpu->mem_mib / 1024, in.tp, in.weights_bytes / 1e9, in.reserve_bytes / 1e9);
    fprintf(f, "kv cache     %.0f bytes a token, capacity %lld tokens\n", in.kv_bytes_per_token,
            (long long)sk_llmperf_kv_tokens(p));
    fprintf(f, "load         %.1f s (%.2f GB at %.3f GB/s)\n", sk_llmperf_load_s(p), in.weights_bytes / 1e9, in.load_gbs);
    fprintf(f, "all-reduce   %s: %.4f ms + %.5f ms/MiB\n", in.ar_source, in.ar_lat_ms, in.ar_ms_per_mib);
    fprintf(f, "attention    decode at %.0f GB/s, prefill at %.1f TFLOP/s (effective)\n", in.attn_gbs, in.attn_tflops);
    sk_llmperf_parts pa;
    sk_llmperf_iter_parts(p, o.tokens, o.decode, (int64_t)o.decode * o.ctx, &pa);
    fprintf(f, "\niteration    prefill %d tokens + decode %d x ctx %d: %.3f ms\n", o.tokens, o.decode, o.ctx, pa.total_s * 1e3);
    fprintf(f, "  emb %.3f + layers %.3f + attn_prefill %.3f + attn_decode %.3f + allreduce %.3f + lm_head %.3f ms\n",
            pa.emb_s * 1e3, pa.layers_s * 1e3, pa.attn_prefill_s * 1e3, pa.attn_decode_s * 1e3, pa.allreduce_s * 1e3,
            pa.lm_head_s * 1e3);
    fprintf(f, "decode       batch 1 at ctx %d: %.1f tokens/s\n", o.ctx, sk_llmperf_decode_tps(p, o.ctx));
    fprintf(f, "prefill      %d tokens: %.0f tokens/s\n", o.tokens > 0 ? o.tokens : 1,
            sk_llmperf_prefill_tps(p, o.tokens > 0 ? o.tokens : 1));
    fprintf(f, "\n%8s %12s   %8s %12s %14s\n", "prefill", "iter_ms", "decode", "iter_ms", "tokens/s");
    static const int pre[] = {1, 16, 128, 512, 1024, 2048, 4096, 8192};
    static const int dec[] = {1, 4, 16, 32, 64, 128, 256, 512};
    for (int i = 0; i < 8; i++) {
        double tp_ = sk_llmperf_iter_s(p, pre[i], 0, 0), td = sk_llmperf_iter_s(p, 0, dec[i], (int64_t)dec[i] * o.ctx);
        fprintf(f, "%8d %12.3f   %8d %12.3f %14.1f%s\n", pre[i], tp_ * 1e3, dec[i], td * 1e3, dec[i] / td,
                (int64_t)dec[i] * (o.ctx + 1) > sk_llmperf_kv_tokens(p) ? "  (KV does not hold this batch)" : "");
    }
    sk_llmperf_free(p);
    if (o.validate) {
        sk_llmperf_vrow *v;
        int n;
        rc = sk_llmperf_validate(&v, &n, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "synkti serve-perf: %s\n", err);
            return sk_exit_code(rc);
        }
        sk_spcmd_validate(f, v, n);
        free(v);
    }
    return 0;
}
