/* fuzz_exp.c - libFuzzer target for the experiment loader (src/io/sk_exp.c): any bytes must give
 * either a loaded experiment or one single-line error, with no crash, leak or undefined behaviour.
 *
 * Input lines at the top of the form "#S KEY=VALUE" (YAML comments) are also passed as --set
 * overrides, so the override paths are fuzzed too. A loaded experiment is planned (sk_exp_run_at on
 * the first, middle and last runs) and its resolved text must load again to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sk_kinds.h"
#include "sk_error.h"

#define FUZZ_MAX_SETS 4
#define FUZZ_MAX_RESOLVED (64 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_exp: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* Collect "#S K=V" lines from the start of the text into sets (copies in buf). */
static size_t fuzz_sets(const char *text, size_t len, char *buf, size_t blen, const char **sets) {
    size_t n = 0, o = 0, i = 0;
    while (n < FUZZ_MAX_SETS && i + 3 <= len && !memcmp(text + i, "#S ", 3)) {
        const char *s = text + i + 3, *nl = memchr(s, '\n', len - (i + 3));
        size_t sl = nl ? (size_t)(nl - s) : len - (i + 3);
        if (memchr(s, 0, sl) || o + sl + 1 > blen) break;
        memcpy(buf + o, s, sl);
        buf[o + sl] = 0;
        sets[n++] = buf + o;
        o += sl + 1;
        if (!nl) break;
        i = (size_t)(nl - text) + 1;
    }
    return n;
}

static void fuzz_check_err(int rc, const char *err) {
    if (rc >= 0) return;
    if (rc != SK_EDATA && rc != SK_ECONFIG && rc != SK_ENOINPUT && rc != SK_EUSAGE)
        fuzz_fail("unexpected error code", sk_err_name(rc));
    if (!err[0]) fuzz_fail("error without a message", sk_err_name(rc));
    if (strchr(err, '\n')) fuzz_fail("message on more than one line", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    char setbuf[1024], err[2048];
    const char *sets[FUZZ_MAX_SETS];
    size_t nsets = fuzz_sets(text, size, setbuf, sizeof setbuf, sets);
    sk_exp e;
    int rc = sk_exp_load_text(&e, "fuzz.yaml", text, size, sets, nsets, err, sizeof err);
    fuzz_check_err(rc, err);
    if (rc < 0) return 0;
    if (!e.nruns || !e.resolved || !e.name || !e.output || !e.kind) fuzz_fail("loaded but incomplete", e.name);

    sk_run_scratch sc;
    if (sk_run_scratch_init(&sc, &e) == 0) {
        uint64_t idx[3] = {0, e.nruns / 2, e.nruns - 1};
        for (int k = 0; k < 3; k++) {
            sk_run_spec spec;
            sk_exp_run_at(&e, idx[k], &sc, &spec);
            if (spec.index != idx[k] || spec.policy >= (e.npol ? e.npol : 1) || spec.point >= e.npoints ||
                spec.replication >= (uint64_t)e.replications)
                fuzz_fail("run_at out of range", e.resolved);
        }
        sk_run_scratch_fini(&sc);
    }

    /* the resolved text is canonical: it loads again, to itself (not for huge sweeps, whose
     * second load would only make the input slow under the sanitizers) */
    size_t rlen = strlen(e.resolved);
    if (rlen <= FUZZ_MAX_RESOLVED) {
        sk_exp e2;
        rc = sk_exp_load_text(&e2, "fuzz.yaml", e.resolved, rlen, NULL, 0, err, sizeof err);
        if (rc < 0) fuzz_fail("resolved text does not load", err);
        if (strcmp(e.resolved, e2.resolved) || strcmp(e.sha256, e2.sha256) || e.nruns != e2.nruns)
            fuzz_fail("resolved text is not a fixed point", e2.resolved);
        sk_exp_fini(&e2);
    }
    sk_exp_fini(&e);
    return 0;
}
