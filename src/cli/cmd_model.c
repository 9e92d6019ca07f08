/* cmd_model.c - `synkti model init|info`: synthetic weights of a standard shape, file summaries. */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "infer/sk_infer.h"
#include "sk_error.h"

typedef struct {
    const char *preset, *out;
    uint64_t seed;
    int bf16;
} sk_minit_opts;

static const sk_opt sk_minit_optab[] = {
    {"preset", 'p', SK_OPT_STR, offsetof(sk_minit_opts, preset), "NAME", "tiny | small (GPT-2 small) | medium (GPT-2 medium)", 0, 0},
    {"seed", 's', SK_OPT_U64, offsetof(sk_minit_opts, seed), "S", "weights from RNG stream (S, 0, 0)", 0, 18446744073709551615.0},
    {"bf16", 0, SK_OPT_FLAG, offsetof(sk_minit_opts, bf16), NULL, "store BF16 instead of F32", 0, 0},
    {"output", 'o', SK_OPT_STR, offsetof(sk_minit_opts, out), "FILE", "safetensors file to write (required)", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_minit_usage[] =
    "usage: synkti model init --preset tiny|small|medium [--seed S] [--bf16] -o FILE.safetensors\n"
    "\n"
    "Write deterministic synthetic weights of a standard GPT-2 shape: N(0, 0.02) for embeddings,\n"
    "projections and their biases, LayerNorm weights 1 and biases 0. The same seed gives the same\n"
    "file on every machine. The file is written to a temporary name, fsync'd and renamed.\n"
    "\n"
    "Examples:\n"
    "  synkti model init --preset small --seed 1 -o gpt2-small-synthetic.safetensors   # 498 MB\n"
    "  synkti model init --preset tiny --bf16 -o tiny.safetensors\n";

static int sk_model_init_cmd(int argc, char **argv) {
    sk_minit_opts o = {"small", NULL, 1, 0};
    int npos = 0, rc = sk_opts_parse("model init", sk_minit_usage, sk_minit_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos || !o.out) {
        fprintf(stderr, "synkti model init: %s\n", npos ? "unexpected argument" : "-o FILE is required");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_model_cfg c;
    if (sk_model_preset(o.preset, &c) < 0) {
        fprintf(stderr, "synkti model init: --preset: unknown preset '%s' (tiny, small, medium)\n", o.preset);
        return sk_exit_code(SK_EUSAGE);
    }
    char err[512];
    double t0 = sk_cli_now();
    if ((rc = sk_model_write_synthetic(o.out, &c, o.seed, o.bf16, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti model init: %s\n", err);
        return sk_exit_code(rc);
    }
    fprintf(stderr, "synkti model init: wrote %s (%s, %s, seed %" PRIu64 ") in %.1f s\n", o.out, o.preset,
            o.bf16 ? "BF16" : "F32", o.seed, sk_cli_now() - t0);
    return 0;
}

static const char sk_minfo_usage[] =
    "usage: synkti model info FILE.safetensors\n"
    "\n"
    "Load and validate a safetensors file and print its architecture, dtype, parameter count and\n"
    "fingerprint (the value checkpoints name their model by) as key=value lines on stdout.\n";

static int sk_model_info_cmd(int argc, char **argv) {
    int dummy = 0, npos = 0;
    static const sk_opt none[] = {{NULL, 0, 0, 0, NULL, NULL, 0, 0}};
    int rc = sk_opts_parse("model info", sk_minfo_usage, none, &dummy, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos != 1) {
        fprintf(stderr, "synkti model info: expected one FILE\n");
        return sk_exit_code(SK_EUSAGE);
    }
    sk_model *m = NULL;
    char err[512];
    if ((rc = sk_model_load(&m, argv[0], err, sizeof err)) < 0) {
        fprintf(stderr, "synkti model info: %s\n", err);
        return sk_exit_code(rc);
    }
    const sk_model_cfg *c = sk_model_config(m);
    printf("file=%s\nn_layer=%d\nn_head=%d\nd_model=%d\nd_ff=%d\nvocab=%d\nn_ctx=%d\ndtype=%s\nparams=%zu\n"
           "fingerprint=%016" PRIx64 "\n",
           argv[0], c->n_layer, c->n_head, c->d_model, c->d_ff, c->vocab, c->n_ctx, sk_model_is_bf16(m) ? "BF16" : "F32",
           sk_model_params(m), sk_model_fingerprint(m));
    sk_model_free(m);
    return 0;
}

static const char sk_model_usage[] =
    "usage: synkti model <init|info> [options]\n"
    "\n"
    "  init   write deterministic synthetic GPT-2 weights (safetensors)\n"
    "  info   validate a safetensors file and print its architecture\n"
    "\n"
    "Run 'synkti model <subcommand> --help' for its options. See docs/inference.md.\n";

int sk_cmd_model(int argc, char **argv) {
    if (argc < 1) {
        fputs(sk_model_usage, stderr);
        return sk_exit_code(SK_EUSAGE);
    }
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        fputs(sk_model_usage, stdout);
        return 0;
    }
    if (!strcmp(argv[0], "init")) return sk_model_init_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[0], "info")) return sk_model_info_cmd(argc - 1, argv + 1);
    fprintf(stderr, "synkti model: unknown subcommand '%s'\n\n%s", argv[0], sk_model_usage);
    return sk_exit_code(SK_EUSAGE);
}
