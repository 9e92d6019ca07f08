/* fuzz_results.c - libFuzzer target for opening and exporting a results file (src/io/sk_results.c):
 * any bytes must read, or fail with one line and a documented code (65 bad data, 1 no such run),
 * with no crash, leak, undefined behaviour, hang or huge allocation.
 *
 * The input is written to a temporary file and read the three ways `synkti export` reads one: the
 * metadata, the summary, and the series of runs "0" and "1". A summary that reads must have columns
 * of equal length. Inputs whose HDF5 superblock is version 0 or 1 (the format without checksums,
 * that Synkti wrote before) are skipped: on damaged ones, HDF5 1.10's own reader crashes, which
 * is its bug and would drown ours; every file Synkti writes now has superblock version 3. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/sk_results.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what, const char *detail) {
    fprintf(stderr, "fuzz_results: %s: %s\n", what, detail ? detail : "");
    abort();
}

/* An error must be one of the documented ones, with a one-line message naming the file. */
static void fuzz_check_err(int rc, const char *err, const char *path, int allow_enoent) {
    if (rc != SK_EDATA && !(allow_enoent && rc == SK_ENOENT)) fuzz_fail("unexpected code", sk_err_name(rc));
    if (strchr(err, '\n') || !strstr(err, path)) fuzz_fail("message not one line naming the file", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const uint8_t sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    if (size >= 9 && !memcmp(data, sig, 8) && data[8] < 2) return 0; /* no checksums: see top */
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_results.%ld.h5", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) fuzz_fail("cannot write", path);

    char err[1024] = "";
    sk_results_meta m;
    sk_table t;
    int rc = sk_results_read(path, &m, NULL, err, sizeof err);
    if (rc < 0) fuzz_check_err(rc, err, path, 0);
    else sk_results_meta_fini(&m);
    err[0] = '\0';
    rc = sk_results_read(path, NULL, &t, err, sizeof err);
    if (rc < 0) {
        fuzz_check_err(rc, err, path, 0);
    } else {
        if (sk_table_nrows(&t) < 0) fuzz_fail("summary columns of unequal length", path);
        sk_table_fini(&t);
    }
    for (int run = 0; run < 2; run++) {
        err[0] = '\0';
        rc = sk_results_read_series(path, run ? "1" : "0", &t, err, sizeof err);
        if (rc < 0) fuzz_check_err(rc, err, path, 1);
        else sk_table_fini(&t);
    }
    unlink(path);
    return 0;
}
