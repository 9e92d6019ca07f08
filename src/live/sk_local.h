/* sk_local.h - the local provider: "instances" are child processes of this process running
 * `synkti agent ...`, each with its own IMDSv2 emulator (sk_imds) on 127.0.0.1 whose URL the
 * agent gets in the environment (SYNKTI_IMDS_URL, also SYNKTI_INSTANCE_ID).
 *
 * Lifecycle (EC2's states and state-reason codes):
 *   launch     -> pending (process spawned, IMDS up) -> running (the agent fetched its first IMDS
 *                 token) -> shutting-down (SIGTERM sent) -> terminated (process reaped)
 *   terminate  SIGTERM, SIGKILL after grace_s; reason Client.UserInitiatedShutdown
 *   interrupt  (spot only) raise the IMDS notice notice_s * time_scale wall seconds ahead, then
 *              terminate at that deadline; reason Server.SpotInstanceTermination (also when the
 *              agent exits by itself after the notice)
 *   exit       the agent exited by itself: terminated, reason Client.InstanceInitiatedShutdown
 * Signals go to the child's PID only (never a group or a name); every child is reaped by PID.
 * Timed transitions (SIGKILL after the grace, the interruption deadline, reaping) happen in
 * sk_local_poll(), which the owner calls on its tick (sk_local_wait() polls for one instance).
 *
 * Capacity: a per-zone slot count (instances not yet terminated); a launch into a full zone, or
 * one of the next N launches scripted to fail with sk_local_fail_next(), returns SK_LOCAL_CAPACITY
 * ("InsufficientInstanceCapacity" in err) without starting anything. Instances keep their run id
 * tag and client token so a controller can reconcile (list by run id; a repeated client token
 * returns the existing instance, as RunInstances' idempotency does).
 * All functions are thread-safe (one mutex). Errors: SK_E* codes, one line in err. */
#ifndef SK_LOCAL_H
#define SK_LOCAL_H

#include <stddef.h>
#include <sys/types.h>

#define SK_LOCAL_CAPACITY 1 /* launch: no capacity in the zone (not an SK_E* error: move on) */

typedef enum {
    SK_LOCAL_PENDING = 0,
    SK_LOCAL_RUNNING,
    SK_LOCAL_SHUTTING_DOWN,
    SK_LOCAL_TERMINATED
} sk_local_state;

typedef struct sk_local sk_local;

typedef struct sk_local_cfg {
    const char *synkti;  /* path of the synkti binary (execs `synkti agent ARGS...`) */
    const char *log_dir; /* agent stdout+stderr to LOG_DIR/<id>.log; NULL: /dev/null */
    double time_scale;   /* wall seconds per notice second (1 = real time; 0.01: 120 s -> 1.2 s); <=0: 1 */
    double grace_s;      /* SIGTERM -> SIGKILL grace in wall seconds; <=0: 5 */
    int default_slots;   /* slots of a zone with no sk_local_set_capacity(); 0 = unlimited */
} sk_local_cfg;

typedef struct sk_local_launch_req {
    const char *zone, *instance_type;
    int spot;                 /* 1 spot, 0 on-demand */
    const char *client_token; /* idempotency (may be NULL) */
    const char *run_id;       /* tag synkti:run-id (may be NULL) */
    int argc;                 /* job arguments after `synkti agent` */
    char *const *argv;
    const char *job;          /* tag synkti:job (may be NULL) */
} sk_local_launch_req;

typedef struct sk_local_inst {
    char id[40], zone[64], type[64], client_token[72], run_id[128];
    int spot;
    sk_local_state state;
    char reason[48];     /* state reason code ("" while pending/running) */
    pid_t pid;           /* 0 once reaped */
    int exit_status;     /* exit code, 128+signal, or -1 while alive */
    char imds_url[48];   /* "" once terminated */
    double launch_time;  /* wall clock, epoch seconds */
    int interrupted;     /* a notice was raised */
    int foreign;         /* found by sk_local_discover: another (dead) controller's child */
    int imds_port;       /* the port its agent polls (kept across controllers) */
    char job[64];        /* tag synkti:job */
} sk_local_inst;

const char *sk_local_state_name(sk_local_state s); /* "pending", "running", "shutting-down", "terminated" */

int sk_local_new(sk_local **p, const sk_local_cfg *cfg, char *err, size_t errlen);
/* Slots in a zone (0 = unlimited). */
int sk_local_set_capacity(sk_local *p, const char *zone, int slots);
/* Spot capacity of a zone (-1: unlimited, the default): a spot launch into a zone with n live spot
 * instances fails with SK_LOCAL_CAPACITY. The owner lowers it to follow an availability trace. */
int sk_local_set_spot_capacity(sk_local *p, const char *zone, int n);
/* The next n launches into zone fail with SK_LOCAL_CAPACITY (a script; adds to what is left). */
int sk_local_fail_next(sk_local *p, const char *zone, int n);
/* Start an instance: 0 and its id in id_out ("i-local-<pid>-<seq>"); SK_LOCAL_CAPACITY; SK_EIO
 * (IMDS or spawn failed). */
int sk_local_launch(sk_local *p, const sk_local_launch_req *req, char *id_out, size_t idlen, char *err,
                    size_t errlen);
/* Reap exited children, send SIGKILL after the grace, fire interruption deadlines, move pending
 * to running. Returns the number of instances not yet terminated. */
int sk_local_poll(sk_local *p);
/* Copy one instance (after a poll). 0 or SK_ENOENT. */
int sk_local_describe(sk_local *p, const char *id, sk_local_inst *out);
/* Instances with this run id (NULL: all), terminated ones included, up to max into out (may be
 * NULL to count). Returns the total count. */
int sk_local_list(sk_local *p, const char *run_id, sk_local_inst *out, int max);
/* SIGTERM now, SIGKILL after the grace. 0 (also when already terminated) or SK_ENOENT. */
int sk_local_terminate(sk_local *p, const char *id);
/* Spot interruption: notice now, termination notice_s * time_scale wall seconds later. 0,
 * SK_ENOENT, SK_EUSAGE (on-demand or already terminated). */
int sk_local_interrupt(sk_local *p, const char *id, double notice_s);
/* Raise the rebalance recommendation on an instance's IMDS. 0 or SK_ENOENT. */
int sk_local_rebalance(sk_local *p, const char *id);
/* Poll until the instance is terminated or timeout_s wall seconds pass. 0, SK_ENOENT, SK_EINTR
 * (timed out). */
int sk_local_wait(sk_local *p, const char *id, double timeout_s);
/* The tags of an instance travel in its agent's environment (SYNKTI_RUN_ID, SYNKTI_INSTANCE_ID,
 * SYNKTI_CLIENT_TOKEN, SYNKTI_ZONE, SYNKTI_SPOT, SYNKTI_TYPE, SYNKTI_JOB, SYNKTI_IMDS_URL), so a
 * controller started after another one died finds that one's agents as EC2's DescribeInstances
 * finds instances by tag: sk_local_discover scans /proc for live processes of this user carrying
 * SYNKTI_RUN_ID=run_id and adds the ones it does not know, state running, foreign (not children:
 * their end is seen in /proc, exit status unknown: -1). Returns how many were added. */
int sk_local_discover(sk_local *p, const char *run_id);
/* Adopt a foreign instance: its metadata endpoint is served again on the port its agent polls
 * (notices reach it again). 0; SK_ENOENT; SK_EIO when the port cannot be bound (then terminate
 * it). Terminating a foreign instance needs no adoption (by PID, identity checked in /proc). */
int sk_local_adopt(sk_local *p, const char *id, char *err, size_t errlen);

struct sk_provider;
/* The provider table (live/sk_provider.h) over p (which stays owned by the caller: close in the
 * table does nothing). run_id and job tags come with each launch request. */
void sk_local_provider(sk_local *p, struct sk_provider *out);

/* Terminate every live instance, wait for them (SIGKILL after the grace), reap, free. */
void sk_local_free(sk_local *p);

#endif
