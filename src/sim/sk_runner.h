/* sk_runner.h - execute an experiment's plan in parallel and write its results file.
 *
 * Runs are spread over OpenMP threads with dynamic scheduling, one run per thread at a time, each
 * single-threaded and seeded only from (master seed, run or world index), so every value in
 * /summary is identical for any thread count or shard layout. Rows are written in run order.
 *
 * /summary columns, in order: run, point, replication, world_index (int64), policy (string), the
 * scenario's parameters (as resolved for that run), each used policy's parameters as
 * "POLICY.PARAM" (0 / NaN / "" for runs of another policy), status ("ok" or the error), then the
 * kind's metrics.
 *
 * The results file is rewritten atomically every `checkpoint_secs` and at the end, so a killed
 * run leaves the last complete file; --resume reads it back and skips the runs it holds. */
#ifndef SK_RUNNER_H
#define SK_RUNNER_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "io/sk_exp.h"

typedef struct sk_runner_opts {
    int threads;                       /* OpenMP threads (>= 1) */
    uint64_t shard_k, shard_n;         /* run only i with i % shard_n == shard_k (n >= 1) */
    int resume;                        /* keep and skip runs already in the output file */
    int progress;                      /* 0 quiet, 1 plain lines, 2 terminal bar (on stderr) */
    double checkpoint_secs;            /* rewrite the results file at most this often (0: only at end) */
    const char *output;                /* results file */
    const char *command_line;          /* stored in the file */
    const volatile sig_atomic_t *stop; /* set by a signal handler: finish cleanly */
    FILE *summary;                     /* the end-of-run table (stdout), or NULL */
    const char *by;                    /* group the table by these axes / "policy" (NULL: all) */
} sk_runner_opts;

/* The default output name for a shard: "out.h5" -> "out.shard-K-of-N.h5" (n > 1), else a copy of
 * out. Returns a malloc'd string or NULL. */
char *sk_runner_shard_path(const char *out, uint64_t k, uint64_t n);

/* Execute e's runs of this shard. Returns 0 when all ran (failed runs are recorded in /summary
 * with their status; *nfailed counts them); SK_EINTR after a stop (the file holds every completed
 * run and is valid); SK_ECONFIG when --resume meets a file of another configuration;
 * SK_ECANTCREAT / SK_EIO when the file can't be written (nothing half-written is left; missing
 * folders of the output path are created first, and an unwritable one fails before any run);
 * SK_ENOMEM.
 * A message goes to err. */
int sk_runner_run(const sk_exp *e, const sk_runner_opts *o, uint64_t *nfailed, char *err, size_t errlen);

#endif
