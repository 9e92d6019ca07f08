/* sk_runner_int.h - the runner's internals shared by sk_runner.c (one process: setup, OpenMP runs,
 * the results file) and sk_runner_mpi.c (the same runs spread over MPI ranks).
 *
 * A run goes through three steps: a position of this shard is taken from the dispenser
 * (sk_runner__take: in run order, skipping runs read back by --resume), executed
 * (sk_runner__exec: a finished row, or NULL when the run was abandoned after a stop), and
 * delivered (sk_runner__deliver: the row joins the results; only in the process that writes the
 * file - the single process or MPI rank 0). Rows cross ranks as bytes (sk_runner__pack/unpack:
 * each value by its column type, doubles as their bits, so nothing is rounded on the way).
 *
 * Locks: the dispenser is guarded by the OpenMP critical section `sk_runner_take`, delivery and
 * the results file by `sk_runner`. */
#ifndef SK_RUNNER_INT_H
#define SK_RUNNER_INT_H

#include <signal.h>
#include <stdint.h>

#include "io/sk_results.h"
#include "io/sk_results_stream.h"
#include "sim/sk_runner.h"
#include "sk_config.h"

/* A finished run. m: nmetrics values (a string metric's s is owned). */
typedef struct sk_row {
    uint64_t pos;     /* position in this shard */
    char *status;     /* NULL = "ok"; else the error, cut to SK_RUNNER_STATUS_WIDTH bytes */
    sk_table *series; /* when e->series and the run produced one */
    sk_value *m;
} sk_row;

typedef struct sk_runner {
    const sk_exp *e;
    const sk_runner_opts *o;
    uint64_t nlocal;   /* runs in this shard */
    size_t nm;         /* metrics of the kind */
    void *shared;      /* the kind's shared data for the runs */
    volatile sig_atomic_t mstop; /* MPI: the stop every thread of this rank obeys */

    /* dispenser (critical sk_runner_take) */
    uint64_t cursor;        /* next position not handed out */
    unsigned char *resumed; /* nlocal bits: read back by --resume, not run again (NULL: none beyond cursor) */

    /* reorder window and output (critical sk_runner) */
    sk_row **win;      /* rows finished out of order: position p at win[p & (wcap - 1)] */
    uint64_t wcap;     /* a power of two; the window spans [next, next + wcap) */
    uint64_t next;     /* next position to append to the file: rows [0, next) are written */
    uint64_t nwin;     /* rows waiting in the window */
    uint64_t maxwin;   /* the most rows that ever waited */
    sk_results_stream *st;
    sk_results_meta meta;
    sk_table cols;      /* the /summary columns (no rows), for the stream */
    size_t *width;      /* per column: string width */
    sk_table batch;     /* rows appended but not yet handed to the stream */
    sk_run_scratch sc;  /* for the parameters of emitted rows */
    uint64_t committed; /* rows in the last committed file */

    /* the end-of-run table, summed as rows are appended (in run order) */
    unsigned char *sel;
    int by_policy;
    uint64_t ngroups;
    double *sum;   /* ngroups * (nm + 1) */
    uint64_t *cnt; /* 2 * ngroups: ok runs, failed runs */

    uint64_t ndone, nresumed, nfailed, nremote;
    double t0, last_write;
    int write_rc;  /* < 0: writing failed (message in werr); everyone stops */
    char werr[1024];
} sk_runner;

/* Longest status message kept in /summary, in bytes (cut at a UTF-8 character boundary). */
#define SK_RUNNER_STATUS_WIDTH 120

double sk_runner__now(void);
/* Take up to max positions (in run order) into pos[]; returns how many (0: none left). Call in
 * critical(sk_runner_take). */
uint64_t sk_runner__take(sk_runner *r, uint64_t *pos, uint64_t max);
/* Execute the run at position pos with the thread's scratch and metric buffer (nm + 1 values).
 * Returns the finished row (failed runs included, with their status), or NULL when the run was
 * abandoned after *stop became set (it runs again on --resume). *fatal = SK_ENOMEM when no row
 * could be allocated. */
sk_row *sk_runner__exec(sk_runner *r, sk_run_scratch *sc, sk_value *mv, uint64_t pos, const volatile sig_atomic_t *stop,
                        int *fatal);
/* Hand a finished row to the results (takes ownership). Call in critical(sk_runner). */
void sk_runner__deliver(sk_runner *r, sk_row *row);
void sk_runner__row_free(const sk_runner *r, sk_row *row);

/* Serialise a row: appended to *buf (size *len, capacity *cap, grown with realloc). 0 or SK_ENOMEM. */
int sk_runner__pack(const sk_runner *r, const sk_row *row, unsigned char **buf, size_t *len, size_t *cap);
/* Read one row from buf[*off..len); advances *off. NULL on malformed bytes or no memory. */
sk_row *sk_runner__unpack(const sk_runner *r, const unsigned char *buf, size_t len, size_t *off);

/* The output side, in the process that writes the file: setup (folders, --resume, the open
 * stream), and the end (last rows, commit, the end-of-run table). Both return SK_E* codes with a
 * message in err. */
int sk_runner__setup(sk_runner *r, char *err, size_t errlen);
int sk_runner__finish(sk_runner *r, uint64_t *nfailed, sk_runner_table *table, char *err, size_t errlen);
/* Free everything setup made (an open stream is aborted). */
void sk_runner__fini(sk_runner *r);

#if SK_HAVE_MPI
/* The MPI job: every rank calls it with its runner (rank 0's set up), see sk_runner_mpi.c. */
int sk_runner__mpi(sk_runner *r, uint64_t *nfailed, sk_runner_table *table, char *err, size_t errlen);
#endif

#endif
