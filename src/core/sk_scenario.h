/* sk_scenario.h - scenario kinds: what `scenario.kind` in an experiment file can name.
 *
 * A kind is a table row: its parameters (sk_param_def), the policies it accepts (each with its
 * own parameters), the metrics one run produces, and a run function. The experiment loader builds
 * its schema from these tables; the runner calls run() once per planned run, from many threads at
 * once, so run() must touch no global mutable state. A researcher adds a kind by writing one file
 * and adding one row to sk_scenario_kinds[] in sim/sk_kinds.c. */
#ifndef SK_SCENARIO_H
#define SK_SCENARIO_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sk_param.h"
#include "core/sk_table.h"

/* A policy as the experiment file sees it: a name, its parameters, and help. */
typedef struct sk_policy_def {
    const char *name;
    const sk_param_def *params;
    size_t nparams;
    const char *help;
} sk_policy_def;

/* One output value of a run; becomes a /summary column. type is I64, U64 or F64. `mean` marks
 * the metrics whose mean `synkti run` prints in its summary table. */
typedef struct sk_metric_def {
    const char *name;
    sk_table_type type;
    int mean;
    const char *help;
} sk_metric_def;

/* Everything a run may depend on. World streams: (master_seed, world_index, s) with
 * s < SK_STREAM_POLICY - world_index is the same for every policy at one sweep point and
 * replication, so policies are compared on the same random world (common random numbers). Policy
 * streams: (master_seed, run_index, SK_STREAM_POLICY + s), a stream number no world uses, so
 * run i's policy never shares a stream with world i. */
#define SK_STREAM_POLICY (UINT64_C(1) << 32)

typedef struct sk_run_ctx {
    uint64_t master_seed;
    uint64_t run_index;
    uint64_t world_index;
    const sk_value *params;       /* the kind's parameters, table order, resolved for this run */
    const sk_policy_def *policy;  /* NULL when the kind takes no policies */
    const sk_value *policy_params;
    const volatile sig_atomic_t *stop; /* non-zero: stop soon and return SK_EINTR */
    sk_table *series;                  /* when not NULL: an empty table for the run's time series */
    void *shared;                      /* the kind's shared_new() result for this `synkti run` */
    const char *exp_file;              /* the experiment file: resolve file parameters with
                                        * sk_trace_find(value, exp_file, ...) */
} sk_run_ctx;

typedef struct sk_scenario_kind {
    const char *name;
    const char *help;
    const sk_param_def *params;
    size_t nparams;
    const sk_policy_def *const *policies; /* accepted policies; the first is the default */
    size_t npolicies;
    const sk_metric_def *metrics;
    size_t nmetrics;
    /* Cross-parameter checks after every value passed its own range check (pol is NULL for a
     * kind without policies). Returns 0, or SK_ECONFIG with a reason in msg and the offending
     * scenario parameter's index in *bad (-1: a policy parameter or no single one). */
    int (*check)(const sk_value *params, const sk_policy_def *pol, const sk_value *pparams, int *bad,
                 char *msg, size_t len);
    /* Optional: checks of the data files a point names (that they load, that an index into them
     * exists), run by the loader for every sweep point so `validate` refuses what a run would,
     * with the file position of the key. shared is made by shared_new (required with this hook)
     * and kept for all points. Returns 0, or an SK_E* code (SK_EDATA for a bad file, SK_ECONFIG
     * for a value the data does not have) with msg and the scenario parameter's index in *bad. */
    int (*check_data)(void *shared, const sk_value *params, const char *exp_file, int *bad, char *msg,
                      size_t len);
    /* Optional: a note on a point that is valid but degenerate (a deadline shorter than the work,
     * say), which the loader records as a warning (sk_exp.warnings) and `synkti validate` prints.
     * Returns 1 with the note in msg and the scenario parameter it is about in *bad (-1: none),
     * else 0. */
    int (*warn)(const sk_value *params, int *bad, char *msg, size_t len);
    /* One run: fill out[0..nmetrics) (values of the metric types, in i or f; U64 in i as bits).
     * Returns 0; SK_EINTR when *ctx->stop became set; another SK_E* code with msg on failure. */
    int (*run)(const sk_run_ctx *ctx, sk_value *out, char *msg, size_t len);
    /* Optional: data shared by all runs of one `synkti run` (a cache of loaded traces, say),
     * made before the first run (NULL = out of memory) and freed after the last. run() may use it
     * from many threads at once, so it must lock what it changes. */
    void *(*shared_new)(void);
    void (*shared_free)(void *shared);
} sk_scenario_kind;

/* The registered kinds and sk_scenario_find are in sim/sk_kinds.h. */

/* The policy of kind k called `name`, or NULL. */
const sk_policy_def *sk_scenario_policy(const sk_scenario_kind *k, const char *name);

#endif
