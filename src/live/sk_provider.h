/* sk_provider.h - what the live controller (live/sk_live) needs from a provider of instances, as
 * a table of functions: the local provider (live/sk_local: instances are `synkti agent` processes)
 * and AWS EC2 (live/sk_prov_aws over live/sk_aws) implement it, and the controller holds no
 * provider-specific code beyond choosing one.
 *
 * Model (EC2's): an instance is launched into a zone, spot or on-demand, with a client token (the
 * idempotency key: launching again with a token already used returns the instance it launched)
 * and the run's tag (synkti:run-id = RUN, plus synkti:job = JOB); it goes pending -> running ->
 * shutting-down -> terminated, and a terminated instance carries a state reason code
 * (Server.SpotInstanceTermination for a spot reclaim, Client.UserInitiatedShutdown for ours,
 * Client.InstanceInitiatedShutdown when it stopped itself). A capacity error
 * (InsufficientInstanceCapacity and the other EC2 capacity codes) is not a failure of the call:
 * launch returns SK_PV_CAPACITY and the controller moves on to another zone.
 *
 * Threads: launch() may be called from several threads at once (the controller sends launches in
 * several zones in parallel); every other call comes from the controller's thread. An
 * implementation keeps one connection per thread (or a lock) accordingly. */
#ifndef SK_PROVIDER_H
#define SK_PROVIDER_H

#include <stddef.h>

#define SK_PV_CAPACITY 1 /* launch: no capacity in the zone (err names the code); not an SK_E* */

typedef enum { SK_PV_PENDING = 0, SK_PV_RUNNING, SK_PV_SHUTTING_DOWN, SK_PV_TERMINATED } sk_pv_state;

typedef struct sk_pv_inst {
    char id[40], zone[64], type[64];
    char client_token[72], run_id[128], job[64]; /* from the tags ("" when absent) */
    int spot;
    sk_pv_state state;
    char reason[64];  /* state reason code, "" while pending/running */
    int notice;       /* an interruption notice is known to the provider (local: raised) */
    int exit_status;  /* local: the agent's exit code (128+signal), -1 alive or unknown; aws: -1 */
    long pid;         /* local: the agent's PID (0 once reaped); aws: 0 */
    int port;         /* local: the instance's metadata endpoint port (0 none); aws: 0 */
} sk_pv_inst;

typedef struct sk_pv_launch {
    const char *zone, *instance_type;
    int spot;                 /* 1 spot, 0 on-demand */
    const char *client_token; /* idempotency key (the journal's request token) */
    const char *run_id;       /* tag synkti:run-id */
    const char *job;          /* tag synkti:job */
    int argc;                 /* the agent's arguments after `synkti agent` (local: argv of the */
    char *const *argv;        /* process; aws: rendered into the user-data script) */
} sk_pv_launch;

typedef struct sk_provider {
    const char *name; /* "local", "aws" */
    void *self;
    /* Launch one instance: 0 and *out filled (state pending or running); SK_PV_CAPACITY with the
     * capacity error code in err; SK_E* on other failures. Thread-safe. */
    int (*launch)(void *self, const sk_pv_launch *req, sk_pv_inst *out, char *err, size_t errlen);
    /* Terminate (asynchronous: the instance shows shutting-down, later terminated). 0 also when
     * already terminated; SK_ENOENT unknown. */
    int (*terminate)(void *self, const char *id, char *err, size_t errlen);
    /* Refresh the provider's view (local: reap, timers; aws: DescribeInstances by the run tag).
     * 0 or SK_E* (the controller keeps its last view and tries again on the next tick). */
    int (*refresh)(void *self, char *err, size_t errlen);
    /* Instances carrying run_id's tag as of the last refresh, terminated ones included. Writes at
     * most max into out (may be NULL to count); returns the total. */
    int (*list)(void *self, const char *run_id, sk_pv_inst *out, int max);
    /* Adopt an instance a previous controller launched (found by list or recorded in the journal):
     * local re-attaches (a new metadata endpoint on the recorded port, the PID watched); aws has
     * nothing to do (NULL). 0, or SK_E* when it cannot be adopted (the controller terminates it). */
    int (*adopt)(void *self, const sk_pv_inst *in, char *err, size_t errlen);
    /* Raise a spot interruption (notice now, termination notice_s policy seconds later): local
     * only (scripted or trace-driven); NULL for aws (EC2 decides). */
    int (*interrupt)(void *self, const char *id, double notice_s, char *err, size_t errlen);
    /* Spot capacity of a zone from now on (-1: unlimited; local only, NULL for aws). */
    int (*set_capacity)(void *self, const char *zone, int slots);
    void (*close)(void *self);
    /* Find the instances a dead controller left carrying run tag `tag` that the provider does not
     * know yet, so that list() shows them (local: a scan of /proc; NULL where list() already
     * shows every tagged instance, as EC2's DescribeInstances does). Returns how many. */
    int (*discover)(void *self, const char *tag);
    /* 1 when an instance is its agent's process on this machine (local): the agent's log is a file
     * the controller reads, and the instance ends when the agent exits. 0 (aws): agents report
     * over HTTP and an instance runs until it is terminated. */
    int agent_local;
} sk_provider;

#endif
