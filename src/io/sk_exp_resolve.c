/* sk_exp_resolve.c - the resolved experiment as canonical YAML (stored in results files) and
 * its sha256, the identity --resume and `synkti merge` compare. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_sha256.h"
#include "sk_error.h"

/* ---- resolved YAML and sha256 ---------------------------------------------------------------- */

static void sk__print_params(FILE *f, const char *indent, const sk_param_def *defs, size_t n, const sk_value *v) {
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s: ", indent, defs[i].name);
        sk_value_print(f, &v[i], defs[i].type);
        fputc('\n', f);
    }
}

int sk_exp__resolve_text(sk_exp *e) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return SK_ENOMEM;
    sk_value tmp = {.s = e->name};
    fputs("name: ", f);
    sk_value_print(f, &tmp, SK_PT_STR);
    fprintf(f, "\nseed: %llu\nreplications: %lld\n", (unsigned long long)e->seed, (long long)e->replications);
    fprintf(f, "series: %s\nscenario:\n  kind: %s\n", e->series ? "true" : "false", e->kind->name);
    sk__print_params(f, "  ", e->kind->params, e->kind->nparams, e->sparams);
    if (e->kind->npolicies) {
        fputs("policies:\n", f);
        for (size_t q = 0; q < e->npol; q++) {
            fprintf(f, "  - name: %s\n", e->pol[q].def->name);
            if (e->pol[q].def->nparams) {
                fputs("    params:\n", f);
                sk__print_params(f, "      ", e->pol[q].def->params, e->pol[q].def->nparams, e->pol[q].params);
            }
        }
    }
    if (e->naxes) {
        fputs("sweep:\n", f);
        for (size_t a = 0; a < e->naxes; a++) {
            fprintf(f, "  %s: [", e->axes[a].key);
            for (size_t j = 0; j < e->axes[a].n; j++) {
                if (j) fputs(", ", f);
                sk_value_print(f, &e->axes[a].vals[j], e->axes[a].def->type);
            }
            fputs("]\n", f);
        }
    }
    /* config_sha256 says what the runs compute, so where the results go is left out: the output
     * line comes last and the hash covers what precedes it (shards written under other names, with
     * -o or --set output=..., still merge and resume) */
    long hashed = ftell(f);
    fputs("output: ", f);
    tmp.s = e->output;
    sk_value_print(f, &tmp, SK_PT_STR);
    fputc('\n', f);
    if (fclose(f) || !buf || hashed < 0) {
        free(buf);
        return SK_ENOMEM;
    }
    e->resolved = buf;
    return sk_sha256_hex(buf, (size_t)hashed, e->sha256);
}
