/* sk_journal.c - the live controller's write-ahead journal (SQLite, WAL) and the pure reconcile
 * of the journal's view with the provider's instance list. Reads and writes one SQLite file; no
 * dataset. Contract and protocol in sk_journal.h; schema and rules in docs/live_journal.md. */
#include "live/sk_journal.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_csv.h" /* sk_errf */
#include "io/sk_sha256.h"
#include "sk_error.h"

struct sk_journal {
    sqlite3 *db;
    char path[512];
    char run[SK_JR_IDLEN];
};

static const char *const job_names[SK_JOB_NSTATES] = {
    "created", "queued", "submitted", "running", "retry", "completed", "failed", "abandoned"};
static const char *const lr_names[] = {"intended", "sent", "fulfilled", "failed"};
static const char *const ji_names[] = {"live", "terminating", "terminated", "lost"};

const char *sk_job_state_name(sk_job_state s) {
    return (unsigned)s < SK_JOB_NSTATES ? job_names[s] : "?";
}

int sk_job_state_parse(const char *name) {
    for (int i = 0; i < SK_JOB_NSTATES; i++)
        if (name && !strcmp(name, job_names[i])) return i;
    return -1;
}

static int name_index(const char *const *names, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (s && !strcmp(s, names[i])) return i;
    return -1;
}

/* The fleet lifecycle (core/sk_fleet_view.h): bit `to` of allowed[from]. Terminal states allow
 * nothing; any live state may end FAILED or ABANDONED. */
#define B(s) (1u << (s))
static const unsigned allowed[SK_JOB_NSTATES] = {
    [SK_JOB_CREATED] = B(SK_JOB_QUEUED),
    [SK_JOB_QUEUED] = B(SK_JOB_SUBMITTED) | B(SK_JOB_RETRY),
    [SK_JOB_SUBMITTED] = B(SK_JOB_RUNNING) | B(SK_JOB_QUEUED) | B(SK_JOB_RETRY),
    [SK_JOB_RUNNING] = B(SK_JOB_COMPLETED) | B(SK_JOB_QUEUED) | B(SK_JOB_RETRY),
    [SK_JOB_RETRY] = B(SK_JOB_QUEUED) | B(SK_JOB_SUBMITTED),
};

int sk_job_transition_ok(sk_job_state from, sk_job_state to) {
    if ((unsigned)from >= SK_JOB_NSTATES || (unsigned)to >= SK_JOB_NSTATES) return 0;
    if (sk_job_terminal(from)) return 0;
    if (to == SK_JOB_FAILED || to == SK_JOB_ABANDONED) return 1;
    return (allowed[from] & B(to)) != 0;
}
#undef B

/* ---- SQL helpers ---- */

static int db_err(sk_journal *j, int code, char *err, size_t errlen, const char *what) {
    return sk_errf(err, errlen, code, "%s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
}

static int exec(sk_journal *j, const char *sql, char *err, size_t errlen) {
    char *msg = NULL;
    if (sqlite3_exec(j->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sk_errf(err, errlen, SK_EIO, "%s: %s", j->path, msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int begin(sk_journal *j, char *err, size_t errlen) {
    return exec(j, "BEGIN IMMEDIATE", err, errlen);
}

/* Commit on rc == 0, else roll back; returns rc or the commit's error. */
static int finish(sk_journal *j, int rc, char *err, size_t errlen) {
    if (rc == 0) return exec(j, "COMMIT", err, errlen);
    sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Prepare sql and bind the arguments described by fmt: 't' text (NULL binds NULL), 'i' int64,
 * 'd' double. */
static int prep(sk_journal *j, sqlite3_stmt **st, const char *sql, const char *fmt, va_list ap) {
    if (sqlite3_prepare_v2(j->db, sql, -1, st, NULL) != SQLITE_OK) return -1;
    for (int k = 0; fmt[k]; k++) {
        int r;
        if (fmt[k] == 't') {
            const char *s = va_arg(ap, const char *);
            r = s ? sqlite3_bind_text(*st, k + 1, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(*st, k + 1);
        } else if (fmt[k] == 'i') {
            r = sqlite3_bind_int64(*st, k + 1, va_arg(ap, int64_t));
        } else {
            r = sqlite3_bind_double(*st, k + 1, va_arg(ap, double));
        }
        if (r != SQLITE_OK) {
            sqlite3_finalize(*st);
            *st = NULL;
            return -1;
        }
    }
    return 0;
}

/* Run a statement that returns no rows. Returns the number of changed rows or SK_EIO. */
static int run_sql(sk_journal *j, char *err, size_t errlen, const char *sql, const char *fmt, ...) {
    sqlite3_stmt *st = NULL;
    va_list ap;
    va_start(ap, fmt);
    int p = prep(j, &st, sql, fmt, ap);
    va_end(ap);
    if (p) return db_err(j, SK_EIO, err, errlen, "prepare");
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_err(j, rc == SQLITE_CONSTRAINT ? SK_EDATA : SK_EIO, err, errlen, "write");
    return sqlite3_changes(j->db);
}

/* Run a query expected to return at most one row; *row is the statement positioned on it (caller
 * finalizes) or NULL when no row. Returns 0 or SK_EIO. */
static int query1(sk_journal *j, sqlite3_stmt **row, char *err, size_t errlen, const char *sql,
                  const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int p = prep(j, row, sql, fmt, ap);
    va_end(ap);
    if (p) return db_err(j, SK_EIO, err, errlen, "prepare");
    int rc = sqlite3_step(*row);
    if (rc == SQLITE_ROW) return 0;
    sqlite3_finalize(*row);
    *row = NULL;
    return rc == SQLITE_DONE ? 0 : db_err(j, SK_EIO, err, errlen, "read");
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int col) {
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static int event_in_txn(sk_journal *j, const char *kind, const char *json, char *err, size_t errlen) {
    int rc = run_sql(j, err, errlen,
                     "INSERT INTO events(time, kind, json) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, ?)",
                     "tt", kind, json ? json : "{}");
    return rc < 0 ? rc : 0;
}

/* ---- open / close ---- */

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

static const char schema_sql[] =
    "CREATE TABLE schema_version(version INTEGER NOT NULL);"
    "CREATE TABLE run(id TEXT PRIMARY KEY, config_sha256 TEXT NOT NULL, created TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('active','done')));"
    "CREATE TABLE jobs(id TEXT PRIMARY KEY, spec TEXT NOT NULL, state TEXT NOT NULL CHECK(state IN"
    " ('created','queued','submitted','running','retry','completed','failed','abandoned')),"
    " progress REAL NOT NULL DEFAULT 0, ckpt TEXT, retries INTEGER NOT NULL DEFAULT 0,"
    " updated TEXT NOT NULL);"
    "CREATE TABLE launch_requests(id INTEGER PRIMARY KEY, run TEXT NOT NULL REFERENCES run(id),"
    " zone TEXT NOT NULL, itype TEXT NOT NULL, market TEXT NOT NULL, job TEXT REFERENCES jobs(id),"
    " client_token TEXT NOT NULL UNIQUE, state TEXT NOT NULL CHECK(state IN"
    " ('intended','sent','fulfilled','failed')), instance TEXT, reason TEXT,"
    " created TEXT NOT NULL, sent TEXT, resolved TEXT);"
    "CREATE TABLE instances(id TEXT PRIMARY KEY, request INTEGER REFERENCES launch_requests(id),"
    " zone TEXT, market TEXT, state TEXT NOT NULL CHECK(state IN"
    " ('live','terminating','terminated','lost')), reason TEXT, job TEXT REFERENCES jobs(id),"
    " tags TEXT, updated TEXT NOT NULL);"
    "CREATE TABLE checkpoints(job TEXT NOT NULL REFERENCES jobs(id), seq INTEGER NOT NULL,"
    " location TEXT NOT NULL, progress REAL NOT NULL, sha256 TEXT, time TEXT NOT NULL,"
    " PRIMARY KEY(job, seq));"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, time TEXT NOT NULL, kind TEXT NOT NULL,"
    " json TEXT NOT NULL);"
    "CREATE INDEX launch_requests_open ON launch_requests(state);"
    "CREATE INDEX instances_state ON instances(state);";

static int check_run(sk_journal *j, const char *run_id, const char *sha, char *err, size_t errlen) {
    sqlite3_stmt *row = NULL;
    int rc = query1(j, &row, err, errlen, "SELECT version FROM schema_version", "");
    if (rc) return rc;
    if (!row) return sk_errf(err, errlen, SK_ECONFIG, "%s: no schema version recorded", j->path);
    int64_t v = sqlite3_column_int64(row, 0);
    sqlite3_finalize(row);
    if (v > SK_JOURNAL_SCHEMA)
        return sk_errf(err, errlen, SK_ECONFIG,
                       "%s: journal schema version %lld was written by a newer synkti (this build reads up to %d)",
                       j->path, (long long)v, SK_JOURNAL_SCHEMA);
    if (v < 1) return sk_errf(err, errlen, SK_ECONFIG, "%s: bad schema version %lld", j->path, (long long)v);
    rc = query1(j, &row, err, errlen, "SELECT id, config_sha256 FROM run", "");
    if (rc) return rc;
    if (!row) return sk_errf(err, errlen, SK_ECONFIG, "%s: no run recorded", j->path);
    char id[SK_JR_IDLEN], h[80];
    copy_col(id, sizeof id, row, 0);
    copy_col(h, sizeof h, row, 1);
    sqlite3_finalize(row);
    if (strcmp(id, run_id))
        return sk_errf(err, errlen, SK_ECONFIG, "%s: journal belongs to run '%s', not '%s'", j->path, id, run_id);
    if (strcmp(h, sha))
        return sk_errf(err, errlen, SK_ECONFIG,
                       "%s: run '%s' was started with config sha256 %.12s..., this config is %.12s...",
                       j->path, id, h, sha);
    return 0;
}

int sk_journal_open(sk_journal **out, const char *path, const char *run_id, const char *config_sha256,
                    char *err, size_t errlen) {
    *out = NULL;
    if (!run_id || !*run_id || strlen(run_id) >= SK_JR_IDLEN || !config_sha256)
        return sk_errf(err, errlen, SK_EUSAGE, "%s: run id must be 1..%d characters", path, SK_JR_IDLEN - 1);
    sk_journal *j = calloc(1, sizeof *j);
    if (!j) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
    snprintf(j->path, sizeof j->path, "%s", path);
    snprintf(j->run, sizeof j->run, "%s", run_id);
    int rc;
    if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = db_err(j, SK_ECANTCREAT, err, errlen, "open");
        goto fail_db;
    }
    sqlite3_busy_timeout(j->db, 5000);
    /* WAL: a commit appends to the -wal file, readers never block the writer, and a torn tail is
     * discarded on reopen by its checksums. synchronous=FULL fsyncs the WAL at every commit: the
     * journal is written BEFORE a paid, external action, so a commit must survive power loss, not
     * only a process crash (NORMAL would keep it across SIGKILL but could lose the last commits
     * on power loss, and with them the record of an instance already launched). */
    if ((rc = exec(j, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                   err, errlen)))
        goto fail_db;
    sqlite3_stmt *row = NULL;
    if ((rc = query1(j, &row, err, errlen, "PRAGMA journal_mode", ""))) goto fail_db;
    char mode[16] = "";
    if (row) copy_col(mode, sizeof mode, row, 0), sqlite3_finalize(row);
    if (strcmp(mode, "wal")) {
        rc = sk_errf(err, errlen, SK_EIO, "%s: cannot enable WAL mode (got '%s')", path, mode);
        goto fail_db;
    }
    if ((rc = begin(j, err, errlen))) goto fail_db;
    if ((rc = query1(j, &row, err, errlen,
                     "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'", "")))
        goto fail_txn;
    if (row) {
        sqlite3_finalize(row);
        rc = check_run(j, run_id, config_sha256, err, errlen);
    } else {
        rc = exec(j, schema_sql, err, errlen);
        if (!rc) {
            int r = run_sql(j, err, errlen, "INSERT INTO schema_version(version) VALUES (?)", "i",
                            (int64_t)SK_JOURNAL_SCHEMA);
            if (r >= 0)
                r = run_sql(j, err, errlen,
                            "INSERT INTO run(id, config_sha256, created, state) VALUES (?, ?, " NOW ", 'active')",
                            "tt", run_id, config_sha256);
            rc = r < 0 ? r : 0;
        }
    }
fail_txn:
    if ((rc = finish(j, rc, err, errlen))) goto fail_db;
    *out = j;
    return 0;
fail_db:
    sqlite3_close(j->db);
    free(j);
    return rc;
}

void sk_journal_close(sk_journal *j) {
    if (!j) return;
    sqlite3_close(j->db);
    free(j);
}

sqlite3 *sk_journal_db(sk_journal *j) { return j->db; }

int sk_journal_run_done(sk_journal *j, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    int r = run_sql(j, err, errlen, "UPDATE run SET state = 'done' WHERE id = ?", "t", j->run);
    if (r >= 0) r = event_in_txn(j, "run_done", "{}", err, errlen);
    return finish(j, r < 0 ? r : 0, err, errlen);
}

/* ---- jobs ---- */

int sk_journal_add_job(sk_journal *j, const char *job, const char *spec_json, char *err, size_t errlen) {
    if (!job || !*job || strlen(job) >= SK_JR_IDLEN)
        return sk_errf(err, errlen, SK_EUSAGE, "%s: job id must be 1..%d characters", j->path, SK_JR_IDLEN - 1);
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    sqlite3_stmt *row = NULL;
    rc = query1(j, &row, err, errlen, "SELECT 1 FROM jobs WHERE id = ?", "t", job);
    if (!rc && row) {
        sqlite3_finalize(row);
        rc = sk_errf(err, errlen, SK_EDATA, "%s: job '%s' already exists", j->path, job);
    }
    if (!rc) {
        int r = run_sql(j, err, errlen,
                        "INSERT INTO jobs(id, spec, state, updated) VALUES (?, ?, 'created', " NOW ")", "tt",
                        job, spec_json ? spec_json : "{}");
        rc = r < 0 ? r : 0;
    }
    return finish(j, rc, err, errlen);
}

/* Read a job's state inside a transaction: 0, SK_ENOENT, SK_EIO. */
static int job_read(sk_journal *j, const char *job, sk_job_state *st, double *prog, int *retries, char *err,
                    size_t errlen) {
    sqlite3_stmt *row = NULL;
    int rc = query1(j, &row, err, errlen, "SELECT state, progress, retries FROM jobs WHERE id = ?", "t", job);
    if (rc) return rc;
    if (!row) return sk_errf(err, errlen, SK_ENOENT, "%s: no job '%s'", j->path, job);
    int s = sk_job_state_parse((const char *)sqlite3_column_text(row, 0));
    if (st) *st = (sk_job_state)s;
    if (prog) *prog = sqlite3_column_double(row, 1);
    if (retries) *retries = sqlite3_column_int(row, 2);
    sqlite3_finalize(row);
    return s < 0 ? sk_errf(err, errlen, SK_EDATA, "%s: job '%s' has an unknown state", j->path, job) : 0;
}

static int job_move(sk_journal *j, const char *job, sk_job_state to, char *err, size_t errlen) {
    sk_job_state from = SK_JOB_CREATED;
    int rc = job_read(j, job, &from, NULL, NULL, err, errlen);
    if (rc) return rc;
    if (!sk_job_transition_ok(from, to))
        return sk_errf(err, errlen, SK_EDATA, "%s: job '%s': illegal transition %s -> %s", j->path, job,
                       sk_job_state_name(from), sk_job_state_name(to));
    int retry = (from == SK_JOB_SUBMITTED || from == SK_JOB_RUNNING) &&
                (to == SK_JOB_QUEUED || to == SK_JOB_RETRY);
    int r = run_sql(j, err, errlen,
                    "UPDATE jobs SET state = ?, retries = retries + ?, updated = " NOW " WHERE id = ?", "tit",
                    sk_job_state_name(to), (int64_t)retry, job);
    return r < 0 ? r : 0;
}

int sk_journal_job_state(sk_journal *j, const char *job, sk_job_state to, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    return finish(j, job_move(j, job, to, err, errlen), err, errlen);
}

int sk_journal_job_get(sk_journal *j, const char *job, sk_job_state *state, double *progress, int *retries,
                       char *err, size_t errlen) {
    return job_read(j, job, state, progress, retries, err, errlen);
}

/* ---- launch and terminate intents ---- */

int sk_journal_intend_launch(sk_journal *j, const char *zone, const char *itype, const char *market,
                             const char *job, int64_t *req, char token[SK_JR_IDLEN], char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    if (job) {
        sk_job_state s;
        rc = job_read(j, job, &s, NULL, NULL, err, errlen);
        if (!rc && sk_job_terminal(s))
            rc = sk_errf(err, errlen, SK_EDATA, "%s: launch for job '%s' which is %s", j->path, job,
                         sk_job_state_name(s));
    }
    /* The token: "sk-" + 24 hex of sha256(run id) + "-" + request id, unique per run and account,
     * under EC2's 64-character limit, and the same every time the request is sent. */
    int64_t id = 0;
    if (!rc) {
        sqlite3_stmt *row = NULL;
        rc = query1(j, &row, err, errlen, "SELECT COALESCE(MAX(id), 0) + 1 FROM launch_requests", "");
        if (!rc && row) id = sqlite3_column_int64(row, 0), sqlite3_finalize(row);
    }
    char hex[65], tok[SK_JR_IDLEN];
    if (!rc && sk_sha256_hex(j->run, strlen(j->run), hex))
        rc = sk_errf(err, errlen, SK_EINTERNAL, "%s: sha256 failed", j->path);
    if (!rc) {
        snprintf(tok, sizeof tok, "sk-%.24s-%lld", hex, (long long)id);
        int r = run_sql(j, err, errlen,
                        "INSERT INTO launch_requests(id, run, zone, itype, market, job, client_token, state, created)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 'intended', " NOW ")",
                        "ittttt" "t", id, j->run, zone, itype, market, job, tok);
        rc = r < 0 ? r : 0;
    }
    if ((rc = finish(j, rc, err, errlen))) return rc;
    *req = id;
    memcpy(token, tok, SK_JR_IDLEN);
    return 0;
}

/* The request's state inside a transaction (and its job, zone, market when wanted). */
static int req_read(sk_journal *j, int64_t req, sk_lr_state *st, char job[SK_JR_IDLEN], char zone[SK_JR_IDLEN],
                    char market[16], char *err, size_t errlen) {
    sqlite3_stmt *row = NULL;
    int rc = query1(j, &row, err, errlen, "SELECT state, job, zone, market FROM launch_requests WHERE id = ?",
                    "i", req);
    if (rc) return rc;
    if (!row) return sk_errf(err, errlen, SK_ENOENT, "%s: no launch request %lld", j->path, (long long)req);
    *st = (sk_lr_state)name_index(lr_names, 4, (const char *)sqlite3_column_text(row, 0));
    if (job) copy_col(job, SK_JR_IDLEN, row, 1);
    if (zone) copy_col(zone, SK_JR_IDLEN, row, 2);
    if (market) copy_col(market, 16, row, 3);
    sqlite3_finalize(row);
    return 0;
}

int sk_journal_launch_sent(sk_journal *j, int64_t req, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    sk_lr_state s;
    rc = req_read(j, req, &s, NULL, NULL, NULL, err, errlen);
    if (!rc && s != SK_LR_INTENDED && s != SK_LR_SENT)
        rc = sk_errf(err, errlen, SK_EDATA, "%s: launch request %lld is already %s", j->path, (long long)req,
                     lr_names[s]);
    if (!rc) {
        int r = run_sql(j, err, errlen, "UPDATE launch_requests SET state = 'sent', sent = " NOW " WHERE id = ?",
                        "i", req);
        rc = r < 0 ? r : 0;
    }
    return finish(j, rc, err, errlen);
}

static int launch_result_txn(sk_journal *j, int64_t req, const char *instance, const char *tags,
                             const char *reason, char *err, size_t errlen) {
    sk_lr_state s;
    char job[SK_JR_IDLEN], zone[SK_JR_IDLEN], market[16];
    int rc = req_read(j, req, &s, job, zone, market, err, errlen);
    if (rc) return rc;
    if (s != SK_LR_INTENDED && s != SK_LR_SENT)
        return sk_errf(err, errlen, SK_EDATA, "%s: launch request %lld is already %s", j->path, (long long)req,
                       lr_names[s]);
    int r;
    if (!instance) {
        r = run_sql(j, err, errlen,
                    "UPDATE launch_requests SET state = 'failed', reason = ?, resolved = " NOW " WHERE id = ?",
                    "ti", reason ? reason : "unknown", req);
        return r < 0 ? r : 0;
    }
    if (strlen(instance) >= SK_JR_IDLEN)
        return sk_errf(err, errlen, SK_EDATA, "%s: instance id '%.20s...' too long", j->path, instance);
    r = run_sql(j, err, errlen,
                "UPDATE launch_requests SET state = 'fulfilled', instance = ?, resolved = " NOW " WHERE id = ?",
                "ti", instance, req);
    if (r >= 0)
        r = run_sql(j, err, errlen,
                    "INSERT INTO instances(id, request, zone, market, state, reason, job, tags, updated)"
                    " VALUES (?, ?, ?, ?, 'live', ?, ?, ?, " NOW ")",
                    "tittttt", instance, req, zone, market, reason, *job ? job : NULL, tags ? tags : "{}");
    return r < 0 ? r : 0;
}

int sk_journal_launch_result(sk_journal *j, int64_t req, const char *instance, const char *tags_json,
                             const char *reason, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    return finish(j, launch_result_txn(j, req, instance, tags_json, reason, err, errlen), err, errlen);
}

static int inst_read(sk_journal *j, const char *inst, int *st, char *err, size_t errlen) {
    sqlite3_stmt *row = NULL;
    int rc = query1(j, &row, err, errlen, "SELECT state FROM instances WHERE id = ?", "t", inst);
    if (rc) return rc;
    if (!row) return sk_errf(err, errlen, SK_ENOENT, "%s: no instance '%s'", j->path, inst);
    *st = name_index(ji_names, 4, (const char *)sqlite3_column_text(row, 0));
    sqlite3_finalize(row);
    return 0;
}

static int inst_move(sk_journal *j, const char *inst, int from_mask, sk_ji_state to, const char *reason,
                     char *err, size_t errlen) {
    int s;
    int rc = inst_read(j, inst, &s, err, errlen);
    if (rc) return rc;
    if (s < 0 || !(from_mask & (1 << s)))
        return sk_errf(err, errlen, SK_EDATA, "%s: instance '%s' is %s, cannot become %s", j->path, inst,
                       s < 0 ? "?" : ji_names[s], ji_names[to]);
    int r = run_sql(j, err, errlen,
                    "UPDATE instances SET state = ?, reason = COALESCE(?, reason), updated = " NOW " WHERE id = ?",
                    "ttt", ji_names[to], reason, inst);
    return r < 0 ? r : 0;
}

int sk_journal_intend_terminate(sk_journal *j, const char *instance, const char *reason, char *err,
                                size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    rc = inst_move(j, instance, 1 << SK_JI_LIVE | 1 << SK_JI_TERMINATING, SK_JI_TERMINATING, reason, err, errlen);
    return finish(j, rc, err, errlen);
}

int sk_journal_terminate_result(sk_journal *j, const char *instance, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    rc = inst_move(j, instance, 1 << SK_JI_TERMINATING | 1 << SK_JI_TERMINATED, SK_JI_TERMINATED, NULL, err,
                   errlen);
    return finish(j, rc, err, errlen);
}

int sk_journal_instance_tags(sk_journal *j, const char *instance, const char *tags_json, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    rc = run_sql(j, err, errlen, "UPDATE instances SET tags = ?, updated = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
                 "tt", tags_json, instance);
    if (!rc && sqlite3_changes(j->db) == 0)
        rc = sk_errf(err, errlen, SK_ENOENT, "%s: no instance '%s'", j->path, instance);
    return finish(j, rc, err, errlen);
}

/* ---- checkpoints and events ---- */

int sk_journal_checkpoint(sk_journal *j, const char *job, int64_t seq, const char *location, double progress,
                          const char *sha256, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    sk_job_state s;
    rc = job_read(j, job, &s, NULL, NULL, err, errlen);
    sqlite3_stmt *row = NULL;
    if (!rc) rc = query1(j, &row, err, errlen, "SELECT COALESCE(MAX(seq), 0) FROM checkpoints WHERE job = ?", "t", job);
    if (!rc && row) {
        int64_t last = sqlite3_column_int64(row, 0);
        sqlite3_finalize(row);
        if (seq <= last)
            rc = sk_errf(err, errlen, SK_EDATA, "%s: job '%s': checkpoint seq %lld not after %lld", j->path, job,
                         (long long)seq, (long long)last);
    }
    if (!rc) {
        int r = run_sql(j, err, errlen,
                        "INSERT INTO checkpoints(job, seq, location, progress, sha256, time) VALUES (?, ?, ?, ?, ?, " NOW ")",
                        "titdt", job, seq, location, progress, sha256);
        if (r >= 0)
            r = run_sql(j, err, errlen, "UPDATE jobs SET progress = ?, ckpt = ?, updated = " NOW " WHERE id = ?",
                        "dtt", progress, location, job);
        rc = r < 0 ? r : 0;
    }
    return finish(j, rc, err, errlen);
}

int sk_journal_event(sk_journal *j, const char *kind, const char *json, char *err, size_t errlen) {
    int rc = begin(j, err, errlen);
    if (rc) return rc;
    return finish(j, event_in_txn(j, kind, json, err, errlen), err, errlen);
}

/* ---- recovery view ---- */

void sk_jr_view_free(sk_jr_view *v) {
    free(v->req);
    free(v->inst);
    free(v->jobs);
    memset(v, 0, sizeof *v);
}

/* Step through sql's rows, growing *arr (elements of size sz) and calling fill for each. */
static int load_rows(sk_journal *j, const char *sql, void **arr, size_t *n, size_t sz,
                     void (*fill)(void *, sqlite3_stmt *), char *err, size_t errlen) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) return db_err(j, SK_EIO, err, errlen, "prepare");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            void *p = realloc(*arr, nc * sz);
            if (!p) {
                sqlite3_finalize(st);
                return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", j->path);
            }
            *arr = p, cap = nc;
        }
        char *e = (char *)*arr + *n * sz;
        memset(e, 0, sz);
        fill(e, st);
        (*n)++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_err(j, SK_EIO, err, errlen, "read");
}

static void fill_req(void *p, sqlite3_stmt *st) {
    sk_jr_request *r = p;
    r->id = sqlite3_column_int64(st, 0);
    r->state = (sk_lr_state)name_index(lr_names, 4, (const char *)sqlite3_column_text(st, 1));
    copy_col(r->token, sizeof r->token, st, 2);
    copy_col(r->zone, sizeof r->zone, st, 3);
    copy_col(r->itype, sizeof r->itype, st, 4);
    copy_col(r->market, sizeof r->market, st, 5);
    copy_col(r->job, sizeof r->job, st, 6);
}

static void fill_inst(void *p, sqlite3_stmt *st) {
    sk_jr_instance *i = p;
    copy_col(i->id, sizeof i->id, st, 0);
    i->request = sqlite3_column_int64(st, 1);
    i->state = (sk_ji_state)name_index(ji_names, 4, (const char *)sqlite3_column_text(st, 2));
    copy_col(i->job, sizeof i->job, st, 3);
}

static void fill_job(void *p, sqlite3_stmt *st) {
    sk_jr_job *b = p;
    copy_col(b->id, sizeof b->id, st, 0);
    b->state = (sk_job_state)sk_job_state_parse((const char *)sqlite3_column_text(st, 1));
    b->progress = sqlite3_column_double(st, 2);
    b->retries = sqlite3_column_int(st, 3);
}

int sk_journal_load_view(sk_journal *j, sk_jr_view *v, char *err, size_t errlen) {
    memset(v, 0, sizeof *v);
    /* one read transaction: the three lists are one consistent snapshot */
    int rc = exec(j, "BEGIN", err, errlen);
    if (rc) return rc;
    rc = load_rows(j,
                   "SELECT id, state, client_token, zone, itype, market, COALESCE(job, '') FROM launch_requests"
                   " WHERE state IN ('intended','sent') ORDER BY id",
                   (void **)&v->req, &v->nreq, sizeof *v->req, fill_req, err, errlen);
    if (!rc)
        rc = load_rows(j,
                       "SELECT id, COALESCE(request, 0), state, COALESCE(job, '') FROM instances"
                       " WHERE state IN ('live','terminating') ORDER BY id",
                       (void **)&v->inst, &v->ninst, sizeof *v->inst, fill_inst, err, errlen);
    if (!rc)
        rc = load_rows(j,
                       "SELECT id, state, progress, retries FROM jobs"
                       " WHERE state NOT IN ('completed','failed','abandoned') ORDER BY id",
                       (void **)&v->jobs, &v->njobs, sizeof *v->jobs, fill_job, err, errlen);
    sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL);
    if (rc) sk_jr_view_free(v);
    return rc;
}

/* ---- reconcile (pure) ---- */

static const char *const rc_names[] = {"adopt", "terminate", "terminated", "lost", "reissue", "fail", "requeue"};
const char *sk_rc_kind_name(sk_rc_kind k) { return (unsigned)k < 7 ? rc_names[k] : "?"; }

static const sk_jr_job *view_job(const sk_jr_view *v, const char *id) {
    if (!id || !*id) return NULL;
    for (size_t k = 0; k < v->njobs; k++)
        if (!strcmp(v->jobs[k].id, id)) return &v->jobs[k];
    return NULL;
}

static int prov_alive(const sk_prov_inst *p) { return p->state != SK_PI_GONE; }

typedef struct {
    sk_rc_action *out;
    size_t cap, n;
} rc_sink;

static void emit(rc_sink *s, sk_rc_kind k, int64_t req, const char *inst, const char *job, const char *token,
                 const char *why) {
    if (s->n < s->cap) {
        sk_rc_action *a = &s->out[s->n];
        memset(a, 0, sizeof *a);
        a->kind = k, a->req = req, a->why = why;
        snprintf(a->inst, sizeof a->inst, "%s", inst ? inst : "");
        snprintf(a->job, sizeof a->job, "%s", job ? job : "");
        snprintf(a->token, sizeof a->token, "%s", token ? token : "");
    }
    s->n++;
}

static int cmp_prov(const void *a, const void *b) {
    return strcmp((*(const sk_prov_inst *const *)a)->id, (*(const sk_prov_inst *const *)b)->id);
}

int sk_reconcile(const sk_jr_view *v, const sk_prov_inst *prov, size_t nprov, sk_rc_action *out, size_t cap) {
    /* provider instances in id order, so the actions do not depend on the provider's list order */
    const sk_prov_inst **ps = nprov ? malloc(nprov * sizeof *ps) : NULL;
    unsigned char *adopted = calloc(v->nreq + 1, 1);   /* open request k matched an instance */
    unsigned char *live_inst = calloc(v->njobs + 1, 1); /* job k has a live instance after reconcile */
    unsigned char *lost = calloc(v->njobs + 1, 1);      /* job k is requeued by a LOST action */
    if ((nprov && !ps) || !adopted || !live_inst || !lost) {
        free(ps), free(adopted), free(live_inst), free(lost);
        return SK_ENOMEM;
    }
    for (size_t k = 0; k < nprov; k++) ps[k] = &prov[k];
    if (nprov > 1) qsort(ps, nprov, sizeof *ps, cmp_prov);
    for (size_t k = 1; k < nprov; k++)
        if (!strcmp(ps[k - 1]->id, ps[k]->id)) {
            free(ps), free(adopted), free(live_inst), free(lost);
            return SK_EDATA;
        }
    rc_sink s = {out, cap, 0};

    /* 1. every instance the provider has */
    for (size_t k = 0; k < nprov; k++) {
        const sk_prov_inst *p = ps[k];
        const sk_jr_instance *ji = NULL;
        for (size_t i = 0; i < v->ninst; i++)
            if (!strcmp(v->inst[i].id, p->id)) ji = &v->inst[i];
        if (!prov_alive(p)) {
            /* launched by an open request and already gone: record the launch, then the loss */
            const sk_jr_request *r = NULL;
            if (!ji && p->token && *p->token)
                for (size_t q = 0; q < v->nreq; q++)
                    if (!adopted[q] && !strcmp(v->req[q].token, p->token)) r = &v->req[q];
            if (r) {
                adopted[r - v->req] = 1;
                emit(&s, SK_RC_ADOPT, r->id, p->id, r->job, r->token, "launched before the crash, result unrecorded");
                emit(&s, SK_RC_LOST, r->id, p->id, r->job, NULL, "gone while the controller was down");
                const sk_jr_job *jb = view_job(v, r->job);
                if (jb) lost[jb - v->jobs] = 1;
            }
            continue;
        }
        if (ji) {
            const sk_jr_job *jb = view_job(v, ji->job);
            if (ji->state == SK_JI_TERMINATING)
                emit(&s, SK_RC_TERMINATE, 0, p->id, ji->job, NULL, "terminate intent not confirmed");
            else if (*ji->job && !jb)
                emit(&s, SK_RC_TERMINATE, 0, p->id, ji->job, NULL, "its job has ended");
            else if (jb)
                live_inst[jb - v->jobs] = 1;
            continue;
        }
        const sk_jr_request *r = NULL;
        if (p->token && *p->token)
            for (size_t q = 0; q < v->nreq; q++)
                if (!strcmp(v->req[q].token, p->token)) r = &v->req[q];
        if (r && !adopted[r - v->req]) {
            adopted[r - v->req] = 1;
            const sk_jr_job *jb = view_job(v, r->job);
            emit(&s, SK_RC_ADOPT, r->id, p->id, r->job, r->token, "launched before the crash, result unrecorded");
            if (*r->job && !jb)
                emit(&s, SK_RC_TERMINATE, r->id, p->id, r->job, NULL, "its job has ended");
            else if (jb) /* the journal intended it: a job of several instances may have others */
                live_inst[jb - v->jobs] = 1;
        } else {
            emit(&s, SK_RC_TERMINATE, r ? r->id : 0, p->id, NULL, NULL,
                 r ? "second instance for one client token" : "not in the journal");
        }
    }
    /* 2. instances the journal holds that the provider no longer has */
    for (size_t i = 0; i < v->ninst; i++) {
        const sk_jr_instance *ji = &v->inst[i];
        const sk_prov_inst *p = NULL;
        for (size_t k = 0; k < nprov; k++)
            if (!strcmp(prov[k].id, ji->id)) p = &prov[k];
        if (p && prov_alive(p)) continue;
        if (ji->state == SK_JI_TERMINATING)
            emit(&s, SK_RC_TERMINATED, 0, ji->id, ji->job, NULL, "gone after the terminate intent");
        else {
            emit(&s, SK_RC_LOST, 0, ji->id, ji->job, NULL, "gone while the controller was down");
            const sk_jr_job *jb = view_job(v, ji->job);
            if (jb) lost[jb - v->jobs] = 1;
        }
    }
    /* 3. open requests with no instance */
    for (size_t q = 0; q < v->nreq; q++) {
        if (adopted[q]) continue;
        const sk_jr_request *r = &v->req[q];
        const sk_jr_job *jb = view_job(v, r->job);
        if (*r->job && !jb)
            emit(&s, SK_RC_FAIL, r->id, NULL, r->job, NULL, "its job has ended");
        else {
            emit(&s, SK_RC_REISSUE, r->id, NULL, r->job, r->token, "no instance for the request; same token");
            if (jb) live_inst[jb - v->jobs] = 1; /* it will have one */
        }
    }
    /* 4. jobs placed on capacity that no longer exists */
    for (size_t b = 0; b < v->njobs; b++) {
        const sk_jr_job *jb = &v->jobs[b];
        if (live_inst[b] || lost[b] || (jb->state != SK_JOB_SUBMITTED && jb->state != SK_JOB_RUNNING)) continue;
        emit(&s, SK_RC_REQUEUE, 0, NULL, jb->id, NULL, "no instance and no open request");
    }
    free(ps), free(adopted), free(live_inst), free(lost);
    return (int)s.n;
}

/* ---- apply ---- */

static int apply_one(sk_journal *j, const sk_rc_action *a, char *err, size_t errlen) {
    int rc = 0, s;
    sk_job_state js;
    switch (a->kind) {
    case SK_RC_ADOPT:
        rc = launch_result_txn(j, a->req, a->inst, "{}", "adopted", err, errlen);
        break;
    case SK_RC_TERMINATE:
        rc = inst_read(j, a->inst, &s, err, errlen);
        if (rc == SK_ENOENT) { /* unknown to the journal: record it, then the intent */
            int r = run_sql(j, err, errlen,
                            "INSERT INTO instances(id, request, state, reason, updated) VALUES (?, NULLIF(?, 0), 'terminating', ?, " NOW ")",
                            "tit", a->inst, a->req, a->why);
            rc = r < 0 ? r : 0;
        } else if (!rc) {
            rc = inst_move(j, a->inst, 1 << SK_JI_LIVE | 1 << SK_JI_TERMINATING, SK_JI_TERMINATING, a->why, err,
                           errlen);
        }
        break;
    case SK_RC_TERMINATED:
        rc = inst_move(j, a->inst, 1 << SK_JI_TERMINATING, SK_JI_TERMINATED, NULL, err, errlen);
        break;
    case SK_RC_LOST:
        rc = inst_move(j, a->inst, 1 << SK_JI_LIVE, SK_JI_LOST, a->why, err, errlen);
        if (!rc && *a->job) {
            rc = job_read(j, a->job, &js, NULL, NULL, err, errlen);
            if (!rc && (js == SK_JOB_SUBMITTED || js == SK_JOB_RUNNING)) rc = job_move(j, a->job, SK_JOB_QUEUED, err, errlen);
        }
        break;
    case SK_RC_REISSUE: {
        int r = run_sql(j, err, errlen, "UPDATE launch_requests SET state = 'sent', sent = " NOW " WHERE id = ? AND state IN ('intended','sent')", "i", a->req);
        rc = r < 0 ? r : r == 1 ? 0 : sk_errf(err, errlen, SK_EDATA, "%s: launch request %lld is not open", j->path, (long long)a->req);
        break;
    }
    case SK_RC_FAIL:
        rc = launch_result_txn(j, a->req, NULL, NULL, a->why, err, errlen);
        break;
    case SK_RC_REQUEUE:
        rc = job_move(j, a->job, SK_JOB_QUEUED, err, errlen);
        break;
    default:
        return sk_errf(err, errlen, SK_EUSAGE, "%s: unknown reconcile action %d", j->path, (int)a->kind);
    }
    if (rc) return rc;
    cJSON *o = cJSON_CreateObject();
    char *txt = NULL;
    if (o && cJSON_AddStringToObject(o, "action", sk_rc_kind_name(a->kind)) &&
        cJSON_AddNumberToObject(o, "req", (double)a->req) && cJSON_AddStringToObject(o, "inst", a->inst) &&
        cJSON_AddStringToObject(o, "job", a->job) && cJSON_AddStringToObject(o, "why", a->why ? a->why : ""))
        txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!txt) return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", j->path);
    rc = event_in_txn(j, "reconcile", txt, err, errlen);
    cJSON_free(txt);
    return rc;
}

int sk_journal_apply(sk_journal *j, const sk_rc_action *a, size_t n, char *err, size_t errlen) {
    for (size_t k = 0; k < n; k++) {
        int rc = begin(j, err, errlen);
        if (rc) return rc;
        if ((rc = finish(j, apply_one(j, &a[k], err, errlen), err, errlen))) return rc;
    }
    return 0;
}
