/* sk_journal.h - the live controller's journal: a SQLite database in WAL mode that records every
 * launch request, instance, job state and checkpoint BEFORE the action is taken, so a controller
 * killed at any point (SIGKILL) resumes the run by reopening it and reconciling with the provider.
 *
 * Intent protocol (see docs/live_journal.md):
 *   launch:    sk_journal_intend_launch (request INTENDED, client token fixed) -> sk_journal_launch_sent
 *              (SENT) -> provider RunInstances(ClientToken = token) -> sk_journal_launch_result
 *              (FULFILLED + instance LIVE, or FAILED with a reason).
 *   terminate: sk_journal_intend_terminate (instance TERMINATING) -> provider TerminateInstances ->
 *              sk_journal_terminate_result (TERMINATED).
 * Every call is one transaction (BEGIN IMMEDIATE ... COMMIT, synchronous=FULL): after a crash the
 * database holds the state before or after the call, never a part of it.
 *
 * Recovery: sk_journal_load_view() reads open requests, live instances and non-terminal jobs;
 * sk_reconcile() (pure, no I/O) compares that view with the provider's list of instances carrying
 * the run tag and computes actions; sk_journal_apply() records them (the caller then performs the
 * provider calls they imply: TERMINATE and REISSUE).
 *
 * Errors: SK_* codes from sk_error.h with a one-line message in err (naming the journal file). */
#ifndef SK_JOURNAL_H
#define SK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_fleet_view.h" /* sk_job_state: the fleet lifecycle names */

#define SK_JOURNAL_SCHEMA 1 /* the schema version this build writes and reads */
#define SK_JR_IDLEN 64      /* ids, zones, types, tokens: at most 63 chars + NUL */

typedef struct sk_journal sk_journal;

/* Launch requests and instances as the journal records them. */
typedef enum { SK_LR_INTENDED = 0, SK_LR_SENT, SK_LR_FULFILLED, SK_LR_FAILED } sk_lr_state;
typedef enum { SK_JI_LIVE = 0, SK_JI_TERMINATING, SK_JI_TERMINATED, SK_JI_LOST } sk_ji_state;

const char *sk_job_state_name(sk_job_state s); /* "queued"; "?" when out of range */
int sk_job_state_parse(const char *name);      /* the state, or -1 */
/* Whether a job may go from `from` to `to` (the fleet lifecycle; terminal states are final). */
int sk_job_transition_ok(sk_job_state from, sk_job_state to);
static inline int sk_job_terminal(sk_job_state s) {
    return s == SK_JOB_COMPLETED || s == SK_JOB_FAILED || s == SK_JOB_ABANDONED;
}

/* Create or reopen the journal at path for run_id (config_sha256: 64 hex digits of the run's
 * configuration). A new file gets the schema and the run row; an existing one must hold the same
 * run and config hash (else SK_ECONFIG), and a schema newer than SK_JOURNAL_SCHEMA is refused
 * (SK_ECONFIG, "written by a newer synkti"). Returns 0 and *out, or SK_ECANTCREAT / SK_EIO /
 * SK_ECONFIG / SK_ENOMEM with *out NULL. */
int sk_journal_open(sk_journal **out, const char *path, const char *run_id, const char *config_sha256,
                    char *err, size_t errlen);
void sk_journal_close(sk_journal *j); /* NULL is fine */
/* Mark the run finished (run.state 'done'); the journal stays readable. */
int sk_journal_run_done(sk_journal *j, char *err, size_t errlen);
/* The underlying connection (for checks and tests; do not write through it). */
struct sqlite3 *sk_journal_db(sk_journal *j);

/* Jobs. add: a new job in state CREATED (SK_EDATA if the id exists). set_state: a validated
 * transition (SK_EDATA names both states when illegal, SK_ENOENT for an unknown job); a move back
 * to QUEUED or to RETRY from SUBMITTED/RUNNING counts a retry. */
int sk_journal_add_job(sk_journal *j, const char *job, const char *spec_json, char *err, size_t errlen);
int sk_journal_job_state(sk_journal *j, const char *job, sk_job_state to, char *err, size_t errlen);
int sk_journal_job_get(sk_journal *j, const char *job, sk_job_state *state, double *progress,
                       int *retries, char *err, size_t errlen);

/* Launch intents. intend: records the request (INTENDED) and returns its id and the client token
 * (token[SK_JR_IDLEN]) to send with RunInstances; job may be NULL (idle capacity). sent: INTENDED ->
 * SENT, just before the provider call. result: SENT/INTENDED -> FULFILLED with instance (recorded
 * LIVE, tags as given) or, when instance is NULL, FAILED with reason. Repeating a result that is
 * already recorded is SK_EDATA. */
int sk_journal_intend_launch(sk_journal *j, const char *zone, const char *itype, const char *market,
                             const char *job, int64_t *req, char token[SK_JR_IDLEN], char *err,
                             size_t errlen);
int sk_journal_launch_sent(sk_journal *j, int64_t req, char *err, size_t errlen);
int sk_journal_launch_result(sk_journal *j, int64_t req, const char *instance, const char *tags_json,
                             const char *reason, char *err, size_t errlen);
/* Terminate intents: LIVE -> TERMINATING (before TerminateInstances), then -> TERMINATED. */
int sk_journal_intend_terminate(sk_journal *j, const char *instance, const char *reason, char *err,
                                size_t errlen);
int sk_journal_terminate_result(sk_journal *j, const char *instance, char *err, size_t errlen);

/* Replace an instance's tags (JSON): a controller that adopts an instance records what it knows
 * of it (PID, shard). SK_ENOENT for an unknown instance. */
int sk_journal_instance_tags(sk_journal *j, const char *instance, const char *tags_json, char *err, size_t errlen);
/* A checkpoint of job: seq must exceed the last one (SK_EDATA otherwise); the job's progress and
 * checkpoint location are updated in the same transaction. sha256 may be NULL. */
int sk_journal_checkpoint(sk_journal *j, const char *job, int64_t seq, const char *location,
                          double progress, const char *sha256, char *err, size_t errlen);
/* Append an event (kind, JSON text) to the log. */
int sk_journal_event(sk_journal *j, const char *kind, const char *json, char *err, size_t errlen);

/* ---- recovery ---- */
typedef struct {
    int64_t id;
    sk_lr_state state; /* INTENDED or SENT: open */
    char token[SK_JR_IDLEN], zone[SK_JR_IDLEN], itype[SK_JR_IDLEN], market[16], job[SK_JR_IDLEN];
} sk_jr_request;
typedef struct {
    char id[SK_JR_IDLEN], job[SK_JR_IDLEN]; /* job "" when idle capacity */
    int64_t request;                        /* 0 when none */
    sk_ji_state state;                      /* LIVE or TERMINATING */
} sk_jr_instance;
typedef struct {
    char id[SK_JR_IDLEN];
    sk_job_state state; /* never terminal */
    double progress;
    int retries;
} sk_jr_job;
/* What the journal believes, each array sorted by id. */
typedef struct {
    sk_jr_request *req;
    size_t nreq;
    sk_jr_instance *inst;
    size_t ninst;
    sk_jr_job *jobs;
    size_t njobs;
} sk_jr_view;

/* Fill v (caller zeroes it first or reuses one freed by sk_jr_view_free). 0 or SK_EIO/SK_ENOMEM. */
int sk_journal_load_view(sk_journal *j, sk_jr_view *v, char *err, size_t errlen);
void sk_jr_view_free(sk_jr_view *v);

/* An instance the provider lists with the run's tag. */
typedef enum { SK_PI_PENDING = 0, SK_PI_RUNNING, SK_PI_STOPPING, SK_PI_GONE } sk_pi_state;
typedef struct {
    const char *id;
    sk_pi_state state; /* GONE: shutting-down or terminated */
    const char *token; /* its ClientToken; NULL or "" when none */
} sk_prov_inst;

typedef enum {
    SK_RC_ADOPT = 0,  /* provider has inst launched by open request req: record it FULFILLED */
    SK_RC_TERMINATE,  /* provider has inst the journal does not want: terminate it */
    SK_RC_TERMINATED, /* journal TERMINATING, provider gone: record TERMINATED */
    SK_RC_LOST,       /* journal LIVE, provider gone: record LOST, job back to QUEUED */
    SK_RC_REISSUE,    /* open request with no instance and a live job: send again, same token */
    SK_RC_FAIL,       /* open request with no instance whose job ended: record FAILED */
    SK_RC_REQUEUE     /* SUBMITTED/RUNNING job with no instance and no request: back to QUEUED */
} sk_rc_kind;
typedef struct {
    sk_rc_kind kind;
    int64_t req;                   /* ADOPT, REISSUE, FAIL; TERMINATE of a token match; else 0 */
    char inst[SK_JR_IDLEN];        /* ADOPT, TERMINATE, TERMINATED, LOST */
    char job[SK_JR_IDLEN];         /* the job concerned, "" when none */
    char token[SK_JR_IDLEN];       /* REISSUE: the token to send again */
    const char *why;               /* static text for the event log */
} sk_rc_action;
const char *sk_rc_kind_name(sk_rc_kind k);

/* Pure: compute the actions that bring journal and provider into agreement (rules in the doc), in
 * a deterministic order (provider instances by id, then journal instances, requests, jobs).
 * Writes at most cap actions; returns the number needed (call again with more room when it
 * exceeds cap), or SK_EDATA when the provider list repeats an id. */
int sk_reconcile(const sk_jr_view *v, const sk_prov_inst *prov, size_t nprov, sk_rc_action *out,
                 size_t cap);

/* Record the actions in the journal, each one transaction: ADOPT -> launch_result; TERMINATE ->
 * intend_terminate (an instance unknown to the journal is recorded TERMINATING first);
 * TERMINATED -> terminate_result; LOST -> instance LOST and its non-terminal job QUEUED (a retry);
 * REISSUE -> request SENT (the caller sends RunInstances with the token and records the result);
 * FAIL -> request FAILED; REQUEUE -> job QUEUED. Each is also appended to the event log.
 * Stops at the first error. */
int sk_journal_apply(sk_journal *j, const sk_rc_action *a, size_t n, char *err, size_t errlen);

#endif
