/* sk_runner.h - execute an experiment's plan in parallel and write its results file.
 *
 * Runs are spread over OpenMP threads with dynamic scheduling, one run per thread at a time, each
 * single-threaded and seeded only from (master seed, run or world index), so every value in
 * /summary is identical for any thread count, shard layout or MPI rank count. Under MPI (opts.mpi)
 * rank 0 hands out blocks of runs to the ranks as they ask for work, collects their rows and alone
 * writes the file (sk_runner_mpi.c; docs/hpc.md).
 *
 * Rows are streamed to the file in run order (io/sk_results_stream.h): a row that finishes before
 * an earlier one waits in a reorder window until the rows before it are written, so memory holds
 * the rows finished out of order, not the table. String columns have the width of the widest value
 * the plan gives them (policy names, parameter values); status messages (and string metrics) are
 * cut to SK_RUNNER_STATUS_WIDTH = 120 bytes at a UTF-8 character boundary. The end-of-run table is
 * summed as rows are written, in run order.
 *
 * /summary columns, in order: run, point, replication, world_index (int64), policy (string), the
 * scenario's parameters (as resolved for that run), each used policy's parameters as
 * "POLICY.PARAM" (0 / NaN / "" for runs of another policy), status ("ok" or the error), then the
 * kind's metrics.
 *
 * The results file is committed (renamed into place) every `checkpoint_secs` and at the end, so a
 * killed run leaves the last complete file, which holds the first runs in run order; --resume
 * continues it (appending) and skips the runs it holds. A file holding any other set of this
 * shard's runs is read back into the window and rewritten. After a stop, rows that finished after
 * a run that did not finish are dropped with it (they run again on --resume). */
#ifndef SK_RUNNER_H
#define SK_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "io/sk_exp.h"

/* What the runner reports while it works. The library prints nothing: the caller (the CLI) draws
 * progress bars or lines from these. */
typedef enum {
    SK_RUNNER_START, /* before the first run (after --resume read the output back) */
    SK_RUNNER_RUN,   /* a run finished */
    SK_RUNNER_END    /* every run finished or was abandoned after a stop, before the final write */
} sk_runner_event;

typedef struct sk_runner_status {
    sk_runner_event event;
    uint64_t done;    /* runs of this shard complete, the resumed ones included */
    uint64_t resumed; /* of those, read back from the output file by --resume */
    uint64_t total;   /* runs in this shard */
    uint64_t remote;  /* MPI: of done, run on ranks other than 0 (0 in one process) */
    double elapsed;   /* seconds since START (monotonic clock) */
    const char *output;
} sk_runner_status;

/* Called from one thread at a time (the runner holds its lock), in event order; must be quick. */
typedef void (*sk_runner_notify_fn)(void *user, const sk_runner_status *st);

typedef struct sk_runner_opts {
    int threads;                       /* OpenMP threads (>= 1) */
    uint64_t shard_k, shard_n;         /* run only i with i % shard_n == shard_k (n >= 1) */
    int resume;                        /* keep and skip runs already in the output file */
    double checkpoint_secs;            /* commit the results file at most this often (0: only at end) */
    const char *output;                /* results file */
    const char *command_line;          /* stored in the file */
    const volatile sig_atomic_t *stop; /* set by a signal handler: finish cleanly */
    const char *by;                    /* group the end-of-run table by these axes / "policy" (NULL: all) */
    sk_runner_notify_fn notify;        /* progress, or NULL */
    void *notify_user;
    int mpi;                           /* spread the runs over MPI_COMM_WORLD (see sk_runner_mpi_init);
                                        * every rank calls sk_runner_run; rank 0 writes the file,
                                        * the others return its result code and write nothing */
} sk_runner_opts;

/* The end-of-run table: the runs grouped by the --by axes and/or the policy, with the number of
 * runs, failed runs and the mean of each metric marked `mean` over the runs that succeeded. Rows
 * are the groups that hold runs, in group order (selected axes' value indices, the first axis
 * slowest, then the policy). The caller formats it (the values are e->axes[a].vals[val[a]]). */
typedef struct sk_runner_group {
    const size_t *val; /* per sweep axis (e->naxes): its value index; meaningful where sel[a] */
    size_t policy;     /* index into e->pol; meaningful when by_policy and e->npol */
    uint64_t runs, failed;
    const double *mean; /* per metric of the kind (nmetrics); NaN for a metric not marked `mean`
                         * and when no run of the group succeeded */
} sk_runner_group;

typedef struct sk_runner_table {
    unsigned char *sel; /* e->naxes flags: grouped by axis a */
    int by_policy;
    size_t ngroups;
    sk_runner_group *g;
    size_t *vstore;     /* storage behind g[].val */
    double *mstore;     /* storage behind g[].mean */
} sk_runner_table;

/* Free a table filled by sk_runner_run and zero it. NULL-safe. */
void sk_runner_table_fini(sk_runner_table *t);

/* The default output name for a shard: "out.h5" -> "out.shard-K-of-N.h5" (n > 1), else a copy of
 * out. Returns a malloc'd string or NULL. */
char *sk_runner_shard_path(const char *out, uint64_t k, uint64_t n);

/* Execute e's runs of this shard. The runs share e->shared, the data cache the loader filled
 * while it checked the data files (so each trace is loaded once), or, when the kind has a cache
 * but e holds none, one the runner makes for this call. Returns 0 when all ran (failed runs are recorded in /summary with
 * their status; *nfailed counts them; *table, when not NULL, gets the end-of-run table, to be
 * freed with sk_runner_table_fini); SK_EINTR after a stop (the file is valid and holds the
 * completed runs up to the first one that did not complete, in run order); SK_EUSAGE for a bad --by (before any run); SK_ECONFIG when --resume meets a file of
 * another configuration; SK_ECANTCREAT / SK_EIO when the file can't be written (nothing
 * half-written is left; missing folders of the output path are created first, and an unwritable
 * one fails before any run); SK_ENOMEM. A message goes to err. *table is zeroed on error.
 * Under MPI (o->mpi) every rank returns rank 0's code and failed-run count; on ranks other than 0
 * err is empty when the error was rank 0's (it reports it) and *table stays empty. */
int sk_runner_run(const sk_exp *e, const sk_runner_opts *o, uint64_t *nfailed, sk_runner_table *table,
                  char *err, size_t errlen);

/* MPI (built when SK_HAVE_MPI). Start MPI when this process was launched by an MPI starter (mpirun,
 * mpiexec, srun: OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK or PMI_SIZE in the environment) with
 * MPI_THREAD_FUNNELED: only the master thread of each rank calls MPI. Returns 1 and sets *rank and
 * *size when started (call sk_runner_mpi_fini before exit), 0 when not launched by MPI or built
 * without it (*rank 0, *size 1), SK_EINTERNAL with a message when MPI fails to start. */
int sk_runner_mpi_init(int *argc, char ***argv, int *rank, int *size, char *err, size_t errlen);
/* The lowest (worst) rc over all ranks (a collective: every rank calls it), so that an error on one
 * rank before the runs (a file it could not load) stops all. rc itself when MPI is not running. */
int sk_runner_mpi_agree(int rc);
void sk_runner_mpi_fini(void);

#endif
