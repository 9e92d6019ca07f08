/* cmd_merge.c - `synkti merge A.h5 B.h5 ... -o ALL.h5`: join the results files of one experiment's
 * shards into one, as if it had run unsharded. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "io/sk_results.h"

typedef struct {
    const char *output;
    int quiet;
} sk_merge_opts;

static const sk_opt sk_merge_optab[] = {
    {"output", 'o', SK_OPT_STR, offsetof(sk_merge_opts, output), "ALL.h5", "the merged results file (required)", 0, 0},
    {"quiet", 'q', SK_OPT_FLAG, offsetof(sk_merge_opts, quiet), NULL, "no 'wrote ...' line on stderr", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_merge_usage[] =
    "usage: synkti merge A.h5 B.h5 ... -o ALL.h5\n"
    "\n"
    "Merge the results files of one experiment's shards (synkti run --shard K/N) into one. /summary\n"
    "gets the rows of every input, sorted by the run column, so ALL.h5 holds the same values, bit\n"
    "for bit, as an unsharded run; every /runs/<id> series is copied. The inputs must share the\n"
    "configuration (config_sha256) and the summary columns and types, and no run may appear in two\n"
    "of them. The root metadata is that of the first input. ALL.h5 is written to a temporary file\n"
    "and renamed, so it is complete or untouched; it may not be one of the inputs.\n"
    "\n"
    "Exit codes: 0 ok; 64 bad command line (no -o, no input, -o names an input); 65 the inputs\n"
    "don't match, or one is not a results file; 66 an input is missing; 73/74 ALL.h5 can't be\n"
    "written.\n"
    "\n"
    "Examples:\n"
    "  synkti merge results.shard-0-of-2.h5 results.shard-1-of-2.h5 -o results.h5\n"
    "  # A Slurm job array of 16 shards, merged once all of them have succeeded:\n"
    "  jid=$(sbatch --parsable --array=0-15 \\\n"
    "        --wrap 'synkti run exp.yaml --shard $SLURM_ARRAY_TASK_ID/16')\n"
    "  sbatch --dependency=afterok:$jid --wrap 'synkti merge results.shard-*-of-16.h5 -o results.h5'\n";

/* SK_EUSAGE after a message if an input is named twice or is the output (same device and inode,
 * so "./a.h5" and "a.h5" are caught too); SK_ENOMEM; 0 otherwise. Inputs that can't be stat'ed
 * are left for the reader to report. */
static int sk_merge_check_names(char *const *in, int n, const char *out) {
    int rc = 0;
    struct stat so, *st = calloc((size_t)n, sizeof *st);
    if (!st) {
        fprintf(stderr, "synkti merge: out of memory\n");
        return SK_ENOMEM;
    }
    int have_out = stat(out, &so) == 0;
    if (have_out && !S_ISREG(so.st_mode)) { /* renaming over a folder fails; over /dev/null, as root, replaces it */
        fprintf(stderr, "synkti merge: -o %s exists and is not a regular file; name a results file\n", out);
        free(st);
        return SK_ECANTCREAT;
    }
    for (int i = 0; i < n && !rc; i++) {
        if (stat(in[i], &st[i]) < 0) {
            st[i].st_ino = 0; /* no file has inode 0: never matches */
            continue;
        }
        if (have_out && st[i].st_dev == so.st_dev && st[i].st_ino == so.st_ino) {
            fprintf(stderr, "synkti merge: -o %s is also an input (%s); refusing to overwrite it\n", out, in[i]);
            rc = SK_EUSAGE;
        }
        for (int j = 0; j < i && !rc; j++) {
            if (st[j].st_ino && st[i].st_dev == st[j].st_dev && st[i].st_ino == st[j].st_ino) {
                fprintf(stderr, "synkti merge: %s and %s are the same file; give each shard once\n", in[j], in[i]);
                rc = SK_EUSAGE;
            }
        }
    }
    free(st);
    return rc;
}

/* The 'wrote' line, and a warning when run ids are absent below the largest one (a shard not
 * given, or one that was interrupted): the merged file is valid but not the whole experiment. */
static void sk_merge_report(const char *out, int nin) {
    sk_table t;
    char err[512];
    int c;
    if (sk_results_read(out, NULL, &t, err, sizeof err) < 0) return;
    if ((c = sk_table_find(&t, "run")) < 0 || t.cols[c].type != SK_TABLE_I64) {
        sk_table_fini(&t);
        return;
    }
    int64_t n = sk_table_nrows(&t), hi = n ? t.cols[c].v.i64[n - 1] : -1, first_gap = -1;
    for (int64_t i = 0; i < n && first_gap < 0; i++)
        if (t.cols[c].v.i64[i] != i) first_gap = i; /* rows are sorted by run */
    fprintf(stderr, "synkti merge: wrote %s: %lld runs from %d file%s\n", out, (long long)n, nin, nin == 1 ? "" : "s");
    if (first_gap >= 0)
        fprintf(stderr,
                "synkti merge: warning: %lld of runs 0..%lld are absent (the first is run %lld): a shard is "
                "missing or was interrupted; complete it with 'synkti run --shard K/N --resume' and merge again\n",
                (long long)(hi + 1 - n), (long long)hi, (long long)first_gap);
    sk_table_fini(&t);
}

int sk_cmd_merge(int argc, char **argv) {
    sk_merge_opts o = {NULL, 0};
    int npos = 0, rc = sk_opts_parse("merge", sk_merge_usage, sk_merge_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (!o.output || !o.output[0]) {
        fprintf(stderr, "synkti merge: -o ALL.h5 is required (see 'synkti merge --help')\n");
        return sk_exit_code(SK_EUSAGE);
    }
    if (npos < 1) {
        fprintf(stderr, "synkti merge: no input files given (see 'synkti merge --help')\n");
        return sk_exit_code(SK_EUSAGE);
    }
    if ((rc = sk_merge_check_names(argv, npos, o.output)) < 0) return sk_exit_code(rc);
    char err[1024] = "";
    rc = sk_results_merge((const char *const *)argv, (size_t)npos, o.output, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "synkti merge: %s\n", err);
        return sk_exit_code(rc);
    }
    if (!o.quiet) sk_merge_report(o.output, npos);
    return 0;
}
