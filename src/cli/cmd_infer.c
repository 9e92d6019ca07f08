/* cmd_infer.c - `synkti infer` (generate token ids with checkpoints and resume) and
 * `synkti bench infer` (tokens/s of a preset with synthetic weights). */
#include <errno.h>
#include <inttypes.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "infer/sk_infer.h"
#include "sk_error.h"

typedef struct {
    const char *model, *prompts, *backend, *ckpt_file, *resume, *out, *compare;
    int max_tokens, batch, ckpt_every;
    double temperature;
    uint64_t seed;
} sk_infer_opts;

static const sk_opt sk_infer_optab[] = {
    {"model", 'm', SK_OPT_STR, offsetof(sk_infer_opts, model), "FILE", "safetensors weights (required)", 0, 0},
    {"prompts", 'p', SK_OPT_STR, offsetof(sk_infer_opts, prompts), "FILE", "one prompt per line: space-separated token ids (default: one prompt '0')", 0, 0},
    {"max-tokens", 'n', SK_OPT_INT, offsetof(sk_infer_opts, max_tokens), "N", "tokens to generate per sequence (counting those before a --resume)", 1, 1 << 24},
    {"batch", 'b', SK_OPT_INT, offsetof(sk_infer_opts, batch), "B", "sequences generated together; sequence i uses prompt i mod P (0 = one per prompt)", 0, 65536},
    {"backend", 0, SK_OPT_STR, offsetof(sk_infer_opts, backend), "NAME", "cpu | cuda | auto (cuda when available)", 0, 0},
    {"temperature", 't', SK_OPT_DBL, offsetof(sk_infer_opts, temperature), "T", "0 = greedy; else sample softmax(logits / T)", 0, 1e6},
    {"seed", 's', SK_OPT_U64, offsetof(sk_infer_opts, seed), "S", "sampling RNG stream (S, 0, 2)", 0, 18446744073709551615.0},
    {"checkpoint-every", 0, SK_OPT_INT, offsetof(sk_infer_opts, ckpt_every), "N", "write --checkpoint-file every N generated tokens (0 = never)", 0, 1 << 24},
    {"checkpoint-file", 0, SK_OPT_STR, offsetof(sk_infer_opts, ckpt_file), "FILE", "checkpoint path (replaced atomically each time)", 0, 0},
    {"resume", 'r', SK_OPT_STR, offsetof(sk_infer_opts, resume), "FILE", "continue the generation saved in this checkpoint", 0, 0},
    {"out", 'o', SK_OPT_STR, offsetof(sk_infer_opts, out), "FILE", "write the generated token ids here instead of stdout", 0, 0},
    {"compare", 0, SK_OPT_STR, offsetof(sk_infer_opts, compare), "FILE", "reference output: report the first position where tokens diverge", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_infer_usage[] =
    "usage: synkti infer --model FILE [--prompts FILE] [--max-tokens N] [--batch B] [--backend cpu|cuda|auto]\n"
    "                    [--temperature T] [--seed S] [--checkpoint-every N --checkpoint-file F]\n"
    "                    [--resume F] [--out FILE] [--compare FILE]\n"
    "\n"
    "Generate tokens with a GPT-2 style decoder. There is no tokenizer: prompts are token ids, one\n"
    "prompt per line, separated by spaces ('#' starts a comment; blank lines are skipped); all prompts\n"
    "of a batch must have the same length. Output: one line per sequence with its generated ids\n"
    "(the prompt excluded), on stdout or --out. Timings go to stderr: prefill, time to first token\n"
    "(prefill + first step), decode tokens/s over the batch, per-step latency p50/p99, threads.\n"
    "On the CPU backend OpenMP threads wait passively (OMP_WAIT_POLICY=passive) unless\n"
    "OMP_WAIT_POLICY or GOMP_SPINCOUNT is set: spinning threads collapse decode when another process\n"
    "holds a core. Threads: OMP_NUM_THREADS.\n"
    "\n"
    "--resume continues a checkpoint written by any process or backend for the same weights; its\n"
    "batch, prompts, temperature and seed come from the checkpoint. --compare FILE reports where the\n"
    "output first differs from FILE (e.g. an uninterrupted run, or the other backend's output).\n"
    "\n"
    "Examples:\n"
    "  synkti model init --preset small --seed 1 -o small.safetensors\n"
    "  printf '464 2068 7586 21831\\n' > prompts.txt\n"
    "  synkti infer -m small.safetensors -p prompts.txt -n 64 -o ref.txt\n"
    "  synkti infer -m small.safetensors -p prompts.txt -n 64 --checkpoint-every 16 --checkpoint-file g.ckpt\n"
    "  synkti infer -m small.safetensors --resume g.ckpt -n 64 --backend cpu --compare ref.txt\n";

int sk_parse_backend(const char *s, sk_backend *b) {
    if (!strcmp(s, "cpu")) *b = SK_BACKEND_CPU;
    else if (!strcmp(s, "cuda")) *b = SK_BACKEND_CUDA;
    else if (!strcmp(s, "auto")) *b = SK_BACKEND_AUTO;
    else return SK_EUSAGE;
    return 0;
}

/* libgomp's threads wait for each other by spinning (about 300,000 polls) before they sleep. A
 * CPU decode step runs about 60 short parallel regions; when another process holds one of the
 * cores, the spinning thread takes the CPU time the descheduled thread needs to reach the barrier
 * and decode collapses (GPT-2 small: 2.8 instead of ~35 tokens/s; docs/inference.md). Passive
 * waiting (sleep at once) avoids that at a small cost on an idle machine. libgomp reads
 * OMP_WAIT_POLICY only when it is loaded, so unless the user chose (OMP_WAIT_POLICY or
 * GOMP_SPINCOUNT set), this re-executes the process once, same arguments, with
 * OMP_WAIT_POLICY=passive. Returns when there is nothing to do or the exec failed (the run then
 * goes on with libgomp's default). */
static void sk_infer_omp_passive(void) {
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f) return;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        char *more = realloc(buf, 2 * cap + 1);
        if (!more) free(buf);
        buf = more;
        cap *= 2;
    }
    fclose(f);
    if (!buf || n == 0) goto out;
    buf[n] = '\0';
    size_t argc = 0;
    for (size_t i = 0; i < n; i++) argc += buf[i] == '\0';
    if (buf[n - 1] != '\0') argc++;
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv) goto out;
    for (size_t i = 0, a = 0; i < n && a < argc; a++) {
        argv[a] = buf + i;
        i += strlen(buf + i) + 1;
    }
    if (setenv("OMP_WAIT_POLICY", "passive", 1) == 0) {
        fflush(NULL);
        execv("/proc/self/exe", argv);
        unsetenv("OMP_WAIT_POLICY");
    }
    free(argv);
out:
    free(buf);
}

/* How OpenMP threads wait, for the timing lines: OMP_WAIT_POLICY's value, "spincount" when only
 * GOMP_SPINCOUNT is set, else "default". */
static const char *sk_omp_wait(void) {
    const char *w = getenv("OMP_WAIT_POLICY");
    return w && *w ? w : getenv("GOMP_SPINCOUNT") ? "spincount" : "default";
}

/* Read a token-id file: *rows lines of *lens[i] ids each, concatenated in *ids (caller frees both).
 * Returns 0, SK_ENOINPUT or SK_EDATA after a message naming FILE:LINE. */
int sk_read_ids(const char *cmd, const char *path, int32_t **ids, int **lens, int *rows) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "synkti %s: %s: %s\n", cmd, path, strerror(errno));
        return SK_ENOINPUT;
    }
    size_t cap = 256, n = 0, rcap = 16;
    int nr = 0, rc = 0, lineno = 0;
    int32_t *v = malloc(cap * sizeof *v);
    int *len = malloc(rcap * sizeof *len);
    char *line = NULL;
    size_t lcap = 0;
    if (!v || !len) goto nomem;
    while (getline(&line, &lcap, f) > 0) {
        lineno++;
        char *h = strchr(line, '#'), *p = line;
        if (h) *h = 0;
        int cnt = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == ',') p++;
            if (!*p) break;
            char *end;
            errno = 0;
            long x = strtol(p, &end, 10);
            if (end == p || errno || x < 0 || x > INT32_MAX ||
                (*end && *end != ' ' && *end != '\t' && *end != '\r' && *end != '\n' && *end != ',')) {
                fprintf(stderr, "synkti %s: %s:%d: expected token ids (non-negative integers)\n", cmd, path, lineno);
                rc = SK_EDATA;
                goto done;
            }
            if (n == cap) {
                int32_t *nv = realloc(v, 2 * cap * sizeof *v);
                if (!nv) goto nomem;
                v = nv, cap *= 2;
            }
            v[n++] = (int32_t)x;
            cnt++;
            p = end;
        }
        if (!cnt) continue;
        if ((size_t)nr == rcap) {
            int *nl = realloc(len, 2 * rcap * sizeof *len);
            if (!nl) goto nomem;
            len = nl, rcap *= 2;
        }
        len[nr++] = cnt;
    }
    goto done;
nomem:
    fprintf(stderr, "synkti %s: out of memory reading %s\n", cmd, path);
    rc = SK_ENOMEM;
done:
    free(line);
    fclose(f);
    if (rc < 0) {
        free(v);
        free(len);
        return rc;
    }
    *ids = v, *lens = len, *rows = nr;
    return 0;
}

static int sk__cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Compare the generation's output with a reference file; print the first divergence. */
static int sk_infer_compare(const sk_gen *g, const char *path) {
    int32_t *ids = NULL;
    int *lens = NULL, rows = 0, rc = sk_read_ids("infer", path, &ids, &lens, &rows);
    if (rc < 0) return rc;
    int B = sk_gen_batch(g), np = sk_gen_prompt_len(g), ng = sk_gen_position(g) - np;
    int first = -1, fseq = -1, exact = rows == B;
    size_t off = 0;
    for (int b = 0; b < B && b < rows; b++) {
        const int32_t *t = sk_gen_tokens(g, b) + np;
        int n = lens[b] < ng ? lens[b] : ng;
        for (int i = 0; i < n; i++)
            if (t[i] != ids[off + (size_t)i]) {
                if (first < 0 || i < first) first = i, fseq = b;
                break;
            }
        if (lens[b] != ng) exact = 0;
        off += (size_t)lens[b];
    }
    if (first >= 0) {
        size_t o2 = 0;
        for (int b = 0; b < fseq; b++) o2 += (size_t)lens[b];
        fprintf(stderr, "synkti infer: compare: first divergence at generated token %d (position %d) of sequence %d: "
                        "%" PRId32 " here, %" PRId32 " in %s\n",
                first, np + first, fseq, sk_gen_tokens(g, fseq)[np + first], ids[o2 + (size_t)first], path);
    } else if (exact) {
        fprintf(stderr, "synkti infer: compare: identical to %s (%d sequences x %d tokens)\n", path, B, ng);
    } else {
        fprintf(stderr, "synkti infer: compare: no differing token, but %s has %d lines of other lengths "
                        "(here: %d sequences x %d tokens)\n", path, rows, B, ng);
    }
    free(ids);
    free(lens);
    return 0;
}

/* The generated ids (prompt excluded), one line per sequence. */
void sk_infer_print_ids(const sk_gen *g, FILE *f) {
    int np = sk_gen_prompt_len(g), pos = sk_gen_position(g);
    for (int b = 0; b < sk_gen_batch(g); b++) {
        const int32_t *t = sk_gen_tokens(g, b);
        for (int i = np; i < pos; i++) fprintf(f, i > np ? " %" PRId32 : "%" PRId32, t[i]);
        fputc('\n', f);
    }
}

static int sk_infer_write(const sk_gen *g, const char *path) {
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "synkti infer: %s: %s\n", path, strerror(errno));
        return SK_ECANTCREAT;
    }
    sk_infer_print_ids(g, f);
    if (fflush(f) != 0 || ferror(f) || (path && fclose(f) != 0)) {
        fprintf(stderr, "synkti infer: writing %s failed\n", path ? path : "stdout");
        return SK_EIO;
    }
    return 0;
}

int sk_cmd_infer(int argc, char **argv) {
    sk_infer_opts o = {NULL, NULL, "auto", NULL, NULL, NULL, NULL, 32, 0, 0, 0.0, 1};
    int npos = 0, rc = sk_opts_parse("infer", sk_infer_usage, sk_infer_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    sk_backend be;
    if (npos || !o.model || sk_parse_backend(o.backend, &be) < 0 || (o.ckpt_every > 0) != (o.ckpt_file != NULL)) {
        fprintf(stderr, "synkti infer: %s\n",
                npos ? "unexpected argument" : !o.model ? "--model FILE is required"
                : sk_parse_backend(o.backend, &be) < 0 ? "--backend: expected cpu, cuda or auto"
                : "--checkpoint-every N and --checkpoint-file F go together");
        return sk_exit_code(SK_EUSAGE);
    }
    if (be != SK_BACKEND_CUDA) sk_infer_omp_passive();
    char err[512];
    sk_model *m = NULL;
    sk_gen *g = NULL;
    int32_t *ids = NULL, *prompt = NULL, *next = NULL;
    int *lens = NULL, rows = 0;
    double *lat = NULL;
    if ((rc = sk_model_load(&m, o.model, err, sizeof err)) < 0) {
        fprintf(stderr, "synkti infer: %s\n", err);
        goto done;
    }
    double t0 = sk_cli_now(), t_prefill = 0, ttft = 0;
    if (o.resume) {
        if ((rc = sk_gen_resume(&g, m, o.resume, be, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti infer: %s\n", err);
            goto done;
        }
        fprintf(stderr, "synkti infer: resumed %s at position %d (prompt %d, %d generated) on %s\n", o.resume,
                sk_gen_position(g), sk_gen_prompt_len(g), sk_gen_position(g) - sk_gen_prompt_len(g),
                sk_gen_backend(g) == SK_BACKEND_CUDA ? "cuda" : "cpu");
    } else {
        if (o.prompts && (rc = sk_read_ids("infer", o.prompts, &ids, &lens, &rows)) < 0) goto done;
        if (o.prompts && rows == 0) {
            fprintf(stderr, "synkti infer: %s: no prompts\n", o.prompts);
            rc = SK_EDATA;
            goto done;
        }
        if (!o.prompts) { /* one prompt: token 0 */
            if (!(ids = calloc(1, sizeof *ids)) || !(lens = malloc(sizeof *lens))) goto nomem;
            lens[0] = 1, rows = 1;
        }
        int B = o.batch ? o.batch : rows, L = lens[0];
        if (rows > B) {
            fprintf(stderr, "synkti infer: %d prompts but --batch %d\n", rows, B);
            rc = SK_EUSAGE;
            goto done;
        }
        for (int i = 1; i < rows; i++)
            if (lens[i] != L) {
                fprintf(stderr, "synkti infer: prompt %d has %d tokens, prompt 1 has %d: a batch needs prompts of "
                                "one length (no padding)\n", i + 1, lens[i], L);
                rc = SK_EDATA;
                goto done;
            }
        if (!(prompt = malloc((size_t)B * (size_t)L * sizeof *prompt))) goto nomem;
        for (int b = 0; b < B; b++)
            memcpy(prompt + (size_t)b * L, ids + (size_t)(b % rows) * L, (size_t)L * sizeof *prompt);
        sk_gen_opts go = {be, B, o.temperature, o.seed};
        if ((rc = sk_gen_new(&g, m, &go, err, sizeof err)) < 0 ||
            (t0 = sk_cli_now(), rc = sk_gen_prefill(g, prompt, L, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti infer: %s\n", err);
            goto done;
        }
        t_prefill = sk_cli_now() - t0;
    }
    const sk_model_cfg *c = sk_model_config(m);
    int B = sk_gen_batch(g), np = sk_gen_prompt_len(g);
    int todo = np + o.max_tokens - sk_gen_position(g), room = c->n_ctx - sk_gen_position(g), steps = 0;
    if (todo > room) {
        fprintf(stderr, "synkti infer: the context (%d) leaves room for %d more tokens; generating those\n", c->n_ctx,
                room);
        todo = room;
    }
    if (!(next = malloc((size_t)B * sizeof *next)) || !(lat = malloc((size_t)(todo > 0 ? todo : 1) * sizeof *lat)))
        goto nomem;
    double t_dec = 0, t_ckpt = 0;
    for (; steps < todo; steps++) {
        double a = sk_cli_now();
        if ((rc = sk_gen_step(g, next, err, sizeof err)) < 0) {
            fprintf(stderr, "synkti infer: %s\n", err);
            goto done;
        }
        double e = sk_cli_now();
        lat[steps] = e - a;
        t_dec += e - a;
        if (steps == 0 && !o.resume) ttft = e - t0;
        int gen = sk_gen_position(g) - np;
        if (o.ckpt_every > 0 && gen % o.ckpt_every == 0) {
            if ((rc = sk_gen_checkpoint(g, o.ckpt_file, err, sizeof err)) < 0) {
                fprintf(stderr, "synkti infer: checkpoint: %s\n", err);
                goto done;
            }
            t_ckpt += sk_cli_now() - e;
        }
    }
    if ((rc = sk_infer_write(g, o.out)) < 0) goto done;
    qsort(lat, (size_t)steps, sizeof *lat, sk__cmp_d);
    double p50 = steps ? lat[(steps - 1) / 2] : 0, p99 = steps ? lat[(int)((steps - 1) * 0.99 + 0.5)] : 0;
    fprintf(stderr,
            "synkti infer: backend=%s batch=%d prompt=%d generated=%d position=%d prefill_s=%.4f ttft_ms=%.2f "
            "decode_tok_per_s=%.1f step_p50_ms=%.2f step_p99_ms=%.2f checkpoint_s=%.3f threads=%d omp_wait=%s\n",
            sk_gen_backend(g) == SK_BACKEND_CUDA ? "cuda" : "cpu", B, np, sk_gen_position(g) - np, sk_gen_position(g),
            t_prefill, 1e3 * ttft, t_dec > 0 ? (double)B * steps / t_dec : 0.0, 1e3 * p50, 1e3 * p99, t_ckpt,
            omp_get_max_threads(), sk_omp_wait());
    if (o.compare) rc = sk_infer_compare(g, o.compare);
    goto done;
nomem:
    fprintf(stderr, "synkti infer: out of memory\n");
    rc = SK_ENOMEM;
done:
    free(lat);
    free(next);
    free(prompt);
    free(ids);
    free(lens);
    sk_gen_free(g);
    sk_model_free(m);
    return sk_exit_code(rc);
}

/* ---- bench infer ------------------------------------------------------------------------------ */

typedef struct {
    const char *preset, *backend;
    int batch, prompt_len, tokens, bf16;
    uint64_t seed;
} sk_binf_opts;

static const sk_opt sk_binf_optab[] = {
    {"preset", 'p', SK_OPT_STR, offsetof(sk_binf_opts, preset), "NAME", "tiny | small | medium (synthetic weights in memory)", 0, 0},
    {"batch", 'b', SK_OPT_INT, offsetof(sk_binf_opts, batch), "B", "sequences per step", 1, 4096},
    {"prompt-len", 'l', SK_OPT_INT, offsetof(sk_binf_opts, prompt_len), "P", "prompt tokens per sequence (prefill)", 1, 1 << 20},
    {"tokens", 'n', SK_OPT_INT, offsetof(sk_binf_opts, tokens), "N", "decode steps timed", 1, 1 << 20},
    {"backend", 0, SK_OPT_STR, offsetof(sk_binf_opts, backend), "NAME", "cpu | cuda | auto", 0, 0},
    {"bf16", 0, SK_OPT_FLAG, offsetof(sk_binf_opts, bf16), NULL, "BF16 weights (the CUDA backend keeps them BF16)", 0, 0},
    {"seed", 's', SK_OPT_U64, offsetof(sk_binf_opts, seed), "S", "weights seed", 0, 18446744073709551615.0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_binf_usage[] =
    "usage: synkti bench infer [--preset small] [--batch B] [--prompt-len P] [--tokens N] [--backend cpu]\n"
    "\n"
    "Tokens/s of the inference engine on synthetic weights: a prefill of P tokens per sequence, then\n"
    "N greedy decode steps. Prints one key=value line on stdout (prefill tokens/s over the batch,\n"
    "decode tokens/s over the batch, per-step p50 in ms, threads, OpenMP wait policy). Threads:\n"
    "OMP_NUM_THREADS. On the CPU, OpenMP threads wait passively unless OMP_WAIT_POLICY or\n"
    "GOMP_SPINCOUNT is set (spinning threads collapse decode when another process holds a core).\n"
    "\n"
    "Examples:\n"
    "  synkti bench infer --preset small --batch 1\n"
    "  synkti bench infer --preset small --batch 16\n";

int sk_bench_infer(int argc, char **argv) {
    sk_binf_opts o = {"small", "cpu", 1, 16, 32, 0, 1};
    int npos = 0, rc = sk_opts_parse("bench infer", sk_binf_usage, sk_binf_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    sk_model_cfg c;
    sk_backend be;
    if (npos || sk_model_preset(o.preset, &c) < 0 || sk_parse_backend(o.backend, &be) < 0) {
        fprintf(stderr, "synkti bench infer: bad --preset or --backend (or an extra argument)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    if (be != SK_BACKEND_CUDA) sk_infer_omp_passive();
    char err[512];
    sk_model *m = NULL;
    sk_gen *g = NULL;
    int32_t *p = NULL, *nx = NULL;
    double *lat = NULL;
    double t0 = sk_cli_now();
    if ((rc = sk_model_synthetic(&m, &c, o.seed, o.bf16, err, sizeof err)) < 0) goto fail;
    double t_init = sk_cli_now() - t0;
    sk_gen_opts go = {be, o.batch, 0, 1};
    if ((rc = sk_gen_new(&g, m, &go, err, sizeof err)) < 0) goto fail;
    if (o.prompt_len + o.tokens > c.n_ctx) {
        snprintf(err, sizeof err, "prompt-len + tokens exceeds the context of %d", c.n_ctx);
        rc = SK_EUSAGE;
        goto fail;
    }
    p = malloc((size_t)o.batch * (size_t)o.prompt_len * sizeof *p);
    nx = malloc((size_t)o.batch * sizeof *nx);
    lat = malloc((size_t)o.tokens * sizeof *lat);
    if (!p || !nx || !lat) {
        snprintf(err, sizeof err, "out of memory");
        rc = SK_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < (size_t)o.batch * (size_t)o.prompt_len; i++) p[i] = (int32_t)((i * 7919 + 13) % (size_t)c.vocab);
    t0 = sk_cli_now();
    if ((rc = sk_gen_prefill(g, p, o.prompt_len, err, sizeof err)) < 0) goto fail;
    double t_pre = sk_cli_now() - t0, t_dec = 0;
    for (int s = 0; s < o.tokens; s++) {
        double a = sk_cli_now();
        if ((rc = sk_gen_step(g, nx, err, sizeof err)) < 0) goto fail;
        lat[s] = sk_cli_now() - a;
        t_dec += lat[s];
    }
    qsort(lat, (size_t)o.tokens, sizeof *lat, sk__cmp_d);
    printf("bench infer preset=%s backend=%s dtype=%s batch=%d prompt_len=%d tokens=%d weights_s=%.2f "
           "prefill_tok_per_s=%.1f decode_tok_per_s=%.2f step_p50_ms=%.2f threads=%d omp_wait=%s\n",
           o.preset, sk_gen_backend(g) == SK_BACKEND_CUDA ? "cuda" : "cpu", o.bf16 ? "bf16" : "f32", o.batch,
           o.prompt_len, o.tokens, t_init, (double)o.batch * o.prompt_len / t_pre, (double)o.batch * o.tokens / t_dec,
           1e3 * lat[(o.tokens - 1) / 2], omp_get_max_threads(), sk_omp_wait());
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "synkti bench infer: %s\n", err);
done:
    free(p);
    free(nx);
    free(lat);
    sk_gen_free(g);
    sk_model_free(m);
    return sk_exit_code(rc);
}
