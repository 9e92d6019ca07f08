/* sk_runner_mpi.c - one experiment over MPI ranks: rank 0 hands out blocks of runs on request,
 * collects the finished rows and alone writes the results file; OpenMP threads run inside each rank.
 *
 * Every rank runs a team of T + 1 OpenMP threads: thread 0 (the master, the only one that calls MPI:
 * MPI_THREAD_FUNNELED) talks, threads 1..T run. On rank 0 the runners take positions from the
 * dispenser directly and deliver their rows; its master answers the other ranks. On rank w > 0 the
 * master keeps a local queue of positions topped up (it asks for the next block when fewer than T
 * are queued, so a thread never waits for a round trip) and ships the finished rows, packed
 * (sk_runner__pack), to rank 0, which delivers them into its reorder window like its own.
 *
 * Blocks shrink as the plan drains (guided: remaining / (2 * all threads), at most 64, at least
 * 1): a run 1000x costlier than the rest occupies one thread while the others of its rank take the
 * rest of its block, and the last blocks are single runs.
 *
 * Messages (bytes): up (w -> 0, SK_TAG_UP): u32 flags (WANT: send me a block; STOP: I was told to
 * stop; DONE: my last message), u32 row count, rows. down (0 -> w, SK_TAG_DOWN): u32 kind (BLOCK,
 * NOMORE, STOP), u32 count, u64 positions. final (0 -> w, SK_TAG_FINAL): i32 rc, u64 failed runs,
 * sent after rank 0 committed the file, so that every rank exits with rank 0's result.
 *
 * Stop: a signal to any rank sets its stop flag; its master tells rank 0 (STOP), which tells the
 * others; every thread finishes or abandons its run, the rows finished so far reach rank 0, rank 0
 * commits the prefix and every rank returns SK_EINTR (exit 75). Rows are bit-exact copies across
 * ranks (same endianness and double format on every node, as on any cluster). */
#include "sim/sk_runner.h"

#include <inttypes.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sk_runner_int.h"
#include "sk_config.h"
#include "sk_error.h"

#if SK_HAVE_MPI
#include <mpi.h>

enum { SK_TAG_UP = 7101, SK_TAG_DOWN = 7102, SK_TAG_FINAL = 7103 };
enum { SK_UP_WANT = 1, SK_UP_STOP = 2, SK_UP_DONE = 4 };
enum { SK_DOWN_BLOCK = 1, SK_DOWN_NOMORE = 2, SK_DOWN_STOP = 3 };
#define SK_MPI_MAX_BLOCK 64
#define SK_MPI_POLL_NS 200000L /* a master with nothing to do sleeps this long */

static int sk_mpi_started;

static void sk__nap(long ns) {
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

int sk_runner_mpi_init(int *argc, char ***argv, int *rank, int *size, char *err, size_t errlen) {
    *rank = 0;
    *size = 1;
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMIX_RANK") && !getenv("PMI_RANK") && !getenv("PMI_SIZE")) return 0;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Init_thread failed");
        return SK_EINTERNAL;
    }
    sk_mpi_started = 1;
    if (provided < MPI_THREAD_FUNNELED) {
        snprintf(err, errlen, "the MPI library gives thread level %d, below MPI_THREAD_FUNNELED", provided);
        return SK_EINTERNAL;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 1;
}

int sk_runner_mpi_agree(int rc) {
    if (!sk_mpi_started) return rc;
    int all = rc;
    MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

void sk_runner_mpi_fini(void) {
    if (sk_mpi_started) MPI_Finalize();
    sk_mpi_started = 0;
}

/* ---- buffers ------------------------------------------------------------------------------------ */

typedef struct {
    unsigned char *b;
    size_t len, cap;
    uint32_t nrows;
} sk_mbuf;

static int sk__mput(sk_mbuf *m, const void *p, size_t n) {
    if (m->len + n > m->cap) {
        size_t nc = m->cap ? m->cap : 1024;
        while (nc < m->len + n) nc *= 2;
        unsigned char *b = realloc(m->b, nc);
        if (!b) return SK_ENOMEM;
        m->b = b;
        m->cap = nc;
    }
    memcpy(m->b + m->len, p, n);
    m->len += n;
    return 0;
}

/* Receive the message that MPI_Probe / MPI_Iprobe found into m (grown). */
static int sk__mrecv(sk_mbuf *m, const MPI_Status *st) {
    int n = 0;
    MPI_Get_count(st, MPI_BYTE, &n);
    if ((size_t)n > m->cap) {
        unsigned char *b = realloc(m->b, (size_t)n);
        if (!b) return SK_ENOMEM;
        m->b = b;
        m->cap = (size_t)n;
    }
    MPI_Recv(m->b, n, MPI_BYTE, st->MPI_SOURCE, st->MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    m->len = (size_t)n;
    return 0;
}

static void sk__send_down(int to, uint32_t kind, const uint64_t *pos, uint32_t n) {
    unsigned char msg[8 + 8 * SK_MPI_MAX_BLOCK];
    memcpy(msg, &kind, 4);
    memcpy(msg + 4, &n, 4);
    if (n) memcpy(msg + 8, pos, 8 * (size_t)n);
    MPI_Send(msg, (int)(8 + 8 * (size_t)n), MPI_BYTE, to, SK_TAG_DOWN, MPI_COMM_WORLD);
}

/* ---- rank 0 ------------------------------------------------------------------------------------ */

typedef struct {
    int size, nthreads_all;
    unsigned char *done; /* per rank: sent DONE */
    int ndone_ranks;
    int stopping;
} sk_master;

/* Tell every rank that has not finished to stop. */
static void sk__stop_all(sk_runner *r, sk_master *ms) {
    if (ms->stopping) return;
    ms->stopping = 1;
    r->mstop = 1;
    for (int w = 1; w < ms->size; w++)
        if (!ms->done[w]) sk__send_down(w, SK_DOWN_STOP, NULL, 0);
}

/* One message from rank w: deliver its rows, answer its request. */
static void sk__master_handle(sk_runner *r, sk_master *ms, int w, const sk_mbuf *m) {
    uint32_t flags = 0, nrows = 0;
    size_t off = 8;
    if (m->len >= 8) {
        memcpy(&flags, m->b, 4);
        memcpy(&nrows, m->b + 4, 4);
    }
    for (uint32_t i = 0; i < nrows; i++) {
        sk_row *row = sk_runner__unpack(r, m->b, m->len, &off);
#pragma omp critical(sk_runner)
        {
            if (row) {
                r->nremote++;
                sk_runner__deliver(r, row);
            } else if (r->write_rc >= 0) {
                snprintf(r->werr, sizeof r->werr, "a malformed row from rank %d (or out of memory)", w);
#pragma omp atomic write
                r->write_rc = SK_EINTERNAL;
            }
        }
        if (!row) break;
    }
    if (flags & SK_UP_STOP) sk__stop_all(r, ms);
    if (flags & SK_UP_WANT) {
        uint64_t pos[SK_MPI_MAX_BLOCK];
        uint64_t n = 0;
        int wrc;
#pragma omp atomic read
        wrc = r->write_rc;
        if (!ms->stopping && wrc >= 0) {
#pragma omp critical(sk_runner_take)
            {
                uint64_t left = r->nlocal - r->cursor, b = left / (2 * (uint64_t)ms->nthreads_all);
                if (b > SK_MPI_MAX_BLOCK) b = SK_MPI_MAX_BLOCK;
                if (b < 1) b = 1;
                n = sk_runner__take(r, pos, b);
            }
        }
        if (n) sk__send_down(w, SK_DOWN_BLOCK, pos, (uint32_t)n);
        else sk__send_down(w, SK_DOWN_NOMORE, NULL, 0);
    }
    if (flags & SK_UP_DONE) {
        ms->done[w] = 1;
        ms->ndone_ranks++;
    }
}

/* Rank 0's master thread: serve the other ranks until every one has sent DONE. */
static void sk__master(sk_runner *r, sk_master *ms) {
    sk_mbuf m = {0};
    while (ms->ndone_ranks < ms->size - 1) {
        int wrc;
#pragma omp atomic read
        wrc = r->write_rc;
        if (*r->o->stop || wrc < 0) sk__stop_all(r, ms);
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, SK_TAG_UP, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            sk__nap(SK_MPI_POLL_NS);
            continue;
        }
        if (sk__mrecv(&m, &st) < 0) {
            /* no memory for the message: drop it and stop (its rows run again on --resume) */
            MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, SK_TAG_UP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            sk__stop_all(r, ms);
            continue;
        }
        sk__master_handle(r, ms, st.MPI_SOURCE, &m);
    }
    free(m.b);
}

/* Rank 0's other threads: take from the dispenser like a single process. */
static void sk__rank0_worker(sk_runner *r) {
    sk_run_scratch sc;
    int ok = sk_run_scratch_init(&sc, r->e) == 0;
    sk_value *mv = calloc(r->nm + 1, sizeof *mv);
    for (;;) {
        uint64_t pos;
        int wrc, got = 0;
#pragma omp atomic read
        wrc = r->write_rc;
        if (r->mstop || *r->o->stop || wrc < 0) break;
#pragma omp critical(sk_runner_take)
        got = (int)sk_runner__take(r, &pos, 1);
        if (!got) break;
        int fatal = 0;
        sk_row *row = sk_runner__exec(r, ok ? &sc : NULL, mv, pos, &r->mstop, &fatal);
#pragma omp critical(sk_runner)
        {
            if (row) sk_runner__deliver(r, row);
            else if (fatal && r->write_rc >= 0) {
                snprintf(r->werr, sizeof r->werr, "out of memory");
#pragma omp atomic write
                r->write_rc = fatal;
            }
        }
    }
    free(mv);
    if (ok) sk_run_scratch_fini(&sc);
}

/* ---- ranks w > 0 ---------------------------------------------------------------------------------- */

typedef struct {
    uint64_t *q; /* local queue of positions (critical sk_runner_q) */
    size_t qhead, qn, qcap;
    int active;     /* threads running a run */
    sk_mbuf out;    /* packed rows not yet sent */
    int finished;   /* the master decided: no more work; threads leave */
    int fatal;
} sk_worker;

static void sk__worker_thread(sk_runner *r, sk_worker *wk) {
    sk_run_scratch sc;
    int ok = sk_run_scratch_init(&sc, r->e) == 0;
    sk_value *mv = calloc(r->nm + 1, sizeof *mv);
    sk_mbuf mine = {0};
    for (;;) {
        uint64_t pos = 0;
        int got = 0, fin = 0;
#pragma omp critical(sk_runner_q)
        {
            if (wk->qn && !r->mstop) {
                pos = wk->q[wk->qhead];
                wk->qhead = (wk->qhead + 1) % wk->qcap;
                wk->qn--;
                wk->active++;
                got = 1;
            }
            fin = wk->finished;
        }
        if (!got) {
            if (fin) break;
            sk__nap(SK_MPI_POLL_NS / 2);
            continue;
        }
        int fatal = 0;
        sk_row *row = sk_runner__exec(r, ok ? &sc : NULL, mv, pos, &r->mstop, &fatal);
        mine.len = 0;
        int prc = row ? sk_runner__pack(r, row, &mine.b, &mine.len, &mine.cap) : 0;
        sk_runner__row_free(r, row);
#pragma omp critical(sk_runner_q)
        {
            if (row && prc == 0 && sk__mput(&wk->out, mine.b, mine.len) == 0) wk->out.nrows++;
            else if (fatal || (row && prc < 0)) wk->fatal = SK_ENOMEM;
            wk->active--;
        }
    }
    free(mine.b);
    free(mv);
    if (ok) sk_run_scratch_fini(&sc);
}

/* Rank w's master: keep the queue topped up, ship rows, stop when told, then send DONE. */
static void sk__worker_master(sk_runner *r, sk_worker *wk, int nthreads) {
    int outstanding = 0, nomore = 0, told_stop = 0;
    sk_mbuf in = {0}, send = {0};
    MPI_Request req = MPI_REQUEST_NULL;
    for (;;) {
        int busy = 0;
        if (*r->o->stop && !r->mstop) r->mstop = 1;
        for (int flag = 1; flag;) {
            MPI_Status st;
            MPI_Iprobe(0, SK_TAG_DOWN, MPI_COMM_WORLD, &flag, &st);
            if (!flag) break;
            busy = 1;
            if (sk__mrecv(&in, &st) < 0 || in.len < 8) {
                r->mstop = 1;
                continue;
            }
            uint32_t kind, n;
            memcpy(&kind, in.b, 4);
            memcpy(&n, in.b + 4, 4);
            if (kind == SK_DOWN_STOP) {
                r->mstop = 1;
                continue;
            }
            outstanding = 0;
            if (kind == SK_DOWN_NOMORE) nomore = 1;
#pragma omp critical(sk_runner_q)
            for (uint32_t i = 0; kind == SK_DOWN_BLOCK && i < n && 8 + 8 * (size_t)(i + 1) <= in.len; i++) {
                if (wk->qn == wk->qcap) { /* cannot happen: the queue holds T + a block */
                    r->mstop = 1;
                    break;
                }
                memcpy(&wk->q[(wk->qhead + wk->qn) % wk->qcap], in.b + 8 + 8 * (size_t)i, 8);
                wk->qn++;
            }
        }
        size_t qn;
        int active, fatal;
#pragma omp critical(sk_runner_q)
        {
            if (r->mstop) wk->qn = 0; /* not started: they run again on --resume */
            qn = wk->qn;
            active = wk->active;
            fatal = wk->fatal;
        }
        if (fatal) r->mstop = 1;
        int want = !r->mstop && !nomore && !outstanding && qn < (size_t)nthreads;
        int finished = (r->mstop || nomore) && !outstanding && qn == 0 && active == 0;
        int stop_news = r->mstop && !told_stop;
        int have_rows;
#pragma omp critical(sk_runner_q)
        have_rows = wk->out.nrows > 0;
        int done_send = 1;
        if (req != MPI_REQUEST_NULL) MPI_Test(&req, &done_send, MPI_STATUS_IGNORE);
        if (done_send && (have_rows || want || finished || stop_news)) {
            uint32_t flags = (want ? SK_UP_WANT : 0) | (stop_news ? SK_UP_STOP : 0) | (finished ? SK_UP_DONE : 0);
            send.len = 0;
            uint32_t nrows;
            int bad = sk__mput(&send, &flags, 4) || sk__mput(&send, &flags, 4); /* room for the header */
#pragma omp critical(sk_runner_q)
            {
                /* a DONE message must carry every row: re-read under the lock (threads are idle) */
                nrows = wk->out.nrows;
                if (!bad && nrows) bad = sk__mput(&send, wk->out.b, wk->out.len);
                wk->out.len = 0;
                wk->out.nrows = 0;
            }
            if (bad) { /* out of memory: the rows are lost (they run again on --resume); stop */
                r->mstop = 1;
                nrows = 0;
                send.len = 8;
            }
            memcpy(send.b + 4, &nrows, 4);
            MPI_Isend(send.b, (int)send.len, MPI_BYTE, 0, SK_TAG_UP, MPI_COMM_WORLD, &req);
            busy = 1;
            if (want) outstanding = 1;
            if (stop_news) told_stop = 1;
            if (finished) {
                MPI_Wait(&req, MPI_STATUS_IGNORE);
                break;
            }
        }
        if (!busy) sk__nap(SK_MPI_POLL_NS);
    }
#pragma omp critical(sk_runner_q)
    wk->finished = 1;
    free(in.b);
    free(send.b);
}

/* ---- the job ------------------------------------------------------------------------------------- */

int sk_runner__mpi(sk_runner *r, uint64_t *nfailed, sk_runner_table *table, char *err, size_t errlen) {
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const sk_runner_opts *o = r->o;
    int rc = 0;

    /* every rank must have loaded the same experiment and see the same shard */
    char sha[65];
    memcpy(sha, r->e->sha256, sizeof sha);
    uint64_t n0 = r->nlocal;
    MPI_Bcast(sha, sizeof sha, MPI_CHAR, 0, MPI_COMM_WORLD);
    MPI_Bcast(&n0, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    int mine = memcmp(sha, r->e->sha256, sizeof sha) || n0 != r->nlocal ? SK_ECONFIG : 0;
    if (mine < 0)
        snprintf(err, errlen, "rank %d: the experiment differs from rank 0's (config sha256 %.12s..., rank 0 %.12s...)", rank,
                 r->e->sha256, sha);
    int all = mine;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all < 0) {
        if (mine == 0) err[0] = 0; /* the rank that differs says so */
        return all;
    }
    int threads = o->threads > 0 ? o->threads : 1, nthreads_all = threads;
    MPI_Allreduce(&threads, &nthreads_all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);

    /* rank 0 prepares the file (and reads it back for --resume) */
    if (rank == 0) rc = sk_runner__setup(r, err, errlen);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rc < 0) {
        if (rank) err[0] = 0; /* rank 0 reports it */
        return rc;
    }

    sk_master ms = {.size = size, .nthreads_all = nthreads_all};
    sk_worker wk = {0};
    if (rank == 0) {
        if (!(ms.done = calloc((size_t)size, 1))) rc = SK_ENOMEM;
        else if (r->o->notify) {
            sk_runner_status st = {.event = SK_RUNNER_START, .done = r->ndone, .resumed = r->nresumed, .total = r->nlocal,
                                   .output = o->output};
            r->o->notify(r->o->notify_user, &st);
        }
    } else {
        wk.qcap = (size_t)threads + SK_MPI_MAX_BLOCK + 1;
        if (!(wk.q = calloc(wk.qcap, sizeof *wk.q))) rc = SK_ENOMEM;
    }
    rc = sk_runner_mpi_agree(rc);
    if (rc < 0) {
        free(ms.done);
        free(wk.q);
        snprintf(err, errlen, "out of memory");
        return rc;
    }

    omp_set_dynamic(0);
#pragma omp parallel num_threads(threads + 1)
    {
        int tid = omp_get_thread_num(), nt = omp_get_num_threads();
        if (tid == 0) {
            if (nt < 2) r->mstop = 1; /* no thread to run on: stop cleanly rather than wait forever */
            if (rank == 0) sk__master(r, &ms);
            else sk__worker_master(r, &wk, nt - 1);
        } else if (rank == 0) {
            sk__rank0_worker(r);
        } else {
            sk__worker_thread(r, &wk);
        }
    }

    int64_t fin[2] = {0, 0};
    if (rank == 0) {
        rc = sk_runner__finish(r, nfailed, table, err, errlen);
        fin[0] = rc;
        fin[1] = (int64_t)*nfailed;
        for (int w = 1; w < size; w++) MPI_Send(fin, 2, MPI_INT64_T, w, SK_TAG_FINAL, MPI_COMM_WORLD);
    } else {
        /* drain what rank 0 sent before it saw DONE (a STOP), then its result */
        sk_mbuf in = {0};
        for (;;) {
            MPI_Status st;
            MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            if (st.MPI_TAG == SK_TAG_FINAL) {
                MPI_Recv(fin, 2, MPI_INT64_T, 0, SK_TAG_FINAL, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                break;
            }
            if (sk__mrecv(&in, &st) < 0) MPI_Recv(NULL, 0, MPI_BYTE, 0, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        free(in.b);
        rc = (int)fin[0];
        *nfailed = (uint64_t)fin[1];
        err[0] = 0; /* rank 0 reports */
        if (wk.fatal && rc == 0) {
            rc = SK_EINTR;
            snprintf(err, errlen, "rank %d ran out of memory; its unfinished runs run again on --resume", rank);
        }
    }
    free(ms.done);
    free(wk.q);
    free(wk.out.b);
    return rc;
}

#else /* no MPI: one process */

int sk_runner_mpi_init(int *argc, char ***argv, int *rank, int *size, char *err, size_t errlen) {
    (void)argc, (void)argv, (void)err, (void)errlen;
    *rank = 0;
    *size = 1;
    return 0;
}

int sk_runner_mpi_agree(int rc) { return rc; }

void sk_runner_mpi_fini(void) {}

#endif
