/* sk_exp.h - experiment files: load, check, override, resolve and plan.
 *
 * An experiment file is YAML (the schema is in docs/experiments.md and `synkti help run`):
 *
 *   name: phold-demo            # required; letters, digits, '-', '_', '.'
 *   seed: 42                    # master seed, default 1
 *   replications: 3             # default 1
 *   output: results/demo.h5     # default <name>.h5, relative to the working directory
 *   series: true                # per-run time series in /runs/<run>/ (default false)
 *   scenario: {kind: phold, lps: 256, end: 100}
 *   policies:                   # optional when the kind has a default policy
 *     - name: uniform
 *     - {name: hotspot, params: {hot_lps: 4}}
 *   sweep:                      # key -> list of values, or a range "a..b" / "a..b:step"
 *     lps: [64, 256]
 *     hotspot.hot_weight: 0.1..0.5:0.2
 *
 * Loading has three passes. libyaml reads the text (syntax errors, non-UTF-8 bytes) and records
 * the line and column of every key; libcyaml loads it into C structs through a schema built from
 * the scenario and policy tables (types, unknown and missing keys); then Synkti checks ranges,
 * names, files and cross-parameter rules. Every error is one line:
 *   FILE:LINE:COL: KEY.PATH: what was expected, got what
 * and the loader returns SK_EDATA (not YAML: syntax, encoding), SK_ECONFIG (valid YAML that breaks
 * the schema or a rule), SK_ENOINPUT (the file, or a data file it names, is missing) or SK_ENOMEM.
 *
 * Plan: runs are numbered by core/sk_plan.h (sweep points, the first axis slowest, then policies in
 * file order, then replications); e->plan is the loaded experiment's plan. */
#ifndef SK_EXP_H
#define SK_EXP_H

#include <stddef.h>
#include <stdint.h>

#include "core/sk_param.h"
#include "core/sk_plan.h"
#include "core/sk_scenario.h"

#define SK_EXP_MAX_RUNS 100000000ULL /* larger plans are refused as absurd */
#define SK_EXP_MAX_WARNINGS 20       /* warning lines kept; the rest are counted */

/* A sweep axis: one parameter and its values. pol == NULL: a scenario parameter. */
typedef struct sk_axis {
    char *key; /* canonical: "scenario.lps" or "policies.hotspot.hot_weight" */
    const sk_param_def *def;
    int pidx;                  /* index in the kind's or the policy's parameter table */
    const sk_policy_def *pol;  /* the policy whose parameter this is, or NULL */
    size_t n;
    sk_value *vals;
} sk_axis;

typedef struct sk_policy_use {
    const sk_policy_def *def;
    sk_value *params; /* def->nparams values, defaults filled */
} sk_policy_use;

typedef struct sk_exp {
    char *file;
    char *name;
    uint64_t seed;
    int64_t replications;
    char *output;
    int series;       /* write per-run time series under /runs/<run>/ */
    const sk_scenario_kind *kind;
    sk_value *sparams; /* kind->nparams values, defaults filled */
    size_t npol;
    sk_policy_use *pol;
    size_t naxes;
    sk_axis *axes;
    uint64_t npoints; /* product of axis lengths (1 with no axes) */
    uint64_t nruns;   /* = plan.nruns */
    size_t *axis_len; /* naxes axis lengths, for plan */
    sk_run_plan plan; /* how runs are numbered */
    void *shared;     /* the kind's shared data (kind->shared_new()) that the data checks filled,
                       * handed to the runs so each file is loaded once; NULL when the kind has
                       * none; freed by sk_exp_fini */
    char *resolved;   /* canonical YAML of the resolved experiment (stored in results files) */
    char sha256[65];  /* of `resolved` up to its last line, `output:` */
    char *warnings;   /* the kind's notes on degenerate sweep points (scenario_kind.warn), one
                       * "FILE:LINE:COL: KEY.PATH: note (at sweep point ...)" line each (at most
                       * SK_EXP_MAX_WARNINGS, then a count of the rest), or NULL */
} sk_exp;

/* Load, check and resolve `path`, then apply `nsets` overrides "key.path=value" in order (keys as
 * in the file: name, seed, replications, output, series, scenario.kind, scenario.P, policies (a
 * comma-separated list of names), policies.NAME.P, sweep.KEY (a comma-separated list or a range;
 * an empty value removes the axis)). `scenario.kind` names one of `kinds` (NULL-terminated; the
 * registered ones are sim/sk_kinds.h's sk_scenario_kinds, and sk_exp_load there passes them).
 * Returns 0 (e filled; free with sk_exp_fini) or an SK_E* code with the message in err (e left
 * empty). */
int sk_exp_load_from(sk_exp *e, const sk_scenario_kind *const *kinds, const char *path, const char *const *sets,
                     size_t nsets, char *err, size_t errlen);
/* Same, from text in memory; `path` is used in messages only (and to resolve relative paths). */
int sk_exp_load_text_from(sk_exp *e, const sk_scenario_kind *const *kinds, const char *path, const char *text,
                          size_t len, const char *const *sets, size_t nsets, char *err, size_t errlen);
void sk_exp_fini(sk_exp *e);

/* One planned run, resolved. */
typedef struct sk_run_spec {
    uint64_t index, point, world_index;
    uint64_t replication;
    size_t policy;          /* index into e->pol */
    sk_value *sparams;      /* borrowed from scratch: kind params with the point's axis values */
    sk_value *pparams;      /* the policy's params with the point's axis values */
} sk_run_spec;

/* Scratch for sk_exp_run_at(); init allocates, fini frees. Returns 0 or SK_ENOMEM. */
typedef struct sk_run_scratch {
    sk_value *s, *p;
    size_t ns, np;
} sk_run_scratch;
int sk_run_scratch_init(sk_run_scratch *sc, const sk_exp *e);
void sk_run_scratch_fini(sk_run_scratch *sc);

/* Resolve run i (< e->nruns) into spec, pointing into sc. Values are shallow copies (strings
 * borrowed from e). Can't fail. */
void sk_exp_run_at(const sk_exp *e, uint64_t i, sk_run_scratch *sc, sk_run_spec *spec);

#endif
