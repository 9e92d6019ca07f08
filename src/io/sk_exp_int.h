/* sk_exp_int.h - what the files of the experiment loader share (module-internal: sk_exp__*).
 *
 * The loader (io/sk_exp.h) is split by job: sk_exp_yaml.c (passes 0 and 1, positions and
 * diagnostics), sk_exp_sets.c (--set), sk_exp_schema.c (pass 2, libcyaml), sk_exp_sweep.c (sweep
 * axes, plan expansion), sk_exp_check.c (per-point checks), sk_exp_resolve.c (canonical text,
 * sha256) and sk_exp.c (the loader that runs them in order). */
#ifndef SK_EXP_INT_H
#define SK_EXP_INT_H

#include <cyaml/cyaml.h>
#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

#include "io/sk_exp.h"

#define SK_EXP_MAX_FILE (16u << 20)     /* experiment files above 16 MiB are refused */
#define SK_EXP_MAX_NODES 1000000        /* YAML nodes */
#define SK_EXP_MAX_CHECKS 100000        /* sweep points cross-checked one by one */
#define SK_EXP_MAX_PATHS (64u << 20)    /* bytes of key paths kept for positions */
#define SK_EXP_MAX_AXIS 100000          /* values of one sweep axis (the resolved text stays loadable) */

typedef struct sk_diag {
    const char *file;
    char *buf;
    size_t len;
    int set; /* a message is stored */
} sk_diag;

typedef struct sk_ynode {
    char *path;          /* "scenario.lps", "policies[0].name", "sweep.lps[2]" */
    int kline, kcol;     /* the key (or sequence entry) position, 1-based */
    int vline, vcol;     /* the value position */
    yaml_node_t *node;
} sk_ynode;

typedef struct sk_ytree {
    yaml_document_t doc;
    int loaded;
    sk_ynode *v;
    size_t n, cap;
    unsigned char *seen; /* per node: visited (aliases make a node reachable twice) */
    size_t pbytes;       /* sum of the path lengths, bounded by SK_EXP_MAX_PATHS */
} sk_ytree;

typedef struct sk_sets {
    const char *const *v;
    size_t n;
    unsigned char *used;
} sk_sets;

typedef struct sk_y_pol {
    char *name;
    void **params;
} sk_y_pol;

typedef struct sk_y_top {
    char *name;
    char *seed;         /* scalars are read as text and parsed like --set values (sk_param_parse): */
    char *replications; /* libcyaml's numbers take "1e3" as 1, "4.0" as 4 and "010" as 8 */
    char *output;
    char *series;
    void **scenario; /* [0] kind, [1 + k] parameter k */
    sk_y_pol *policies;
    unsigned policies_count;
} sk_y_top;

typedef struct sk_schema {
    cyaml_schema_field_t *scn_f;  /* kind + params + end */
    cyaml_schema_field_t *pp_f;   /* union of the kind's policies' params + end */
    const sk_param_def **pp_def;  /* definition of each pp_f field */
    size_t npp;
    cyaml_schema_field_t pol_f[3];
    cyaml_schema_value_t pol_entry;
    cyaml_schema_field_t top_f[9];
    cyaml_schema_value_t top;
    cyaml_schema_value_t str_value;
} sk_schema;

typedef struct sk_cylog {
    char buf[2048];
    size_t n;
} sk_cylog;

/* sk_exp_yaml.c */
int sk_exp__err(sk_diag *d, int code, int line, int col, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void sk_exp__oneline(char *s);
int sk_exp__pos(const sk_ytree *t, const char *path, int *l, int *c);
void sk_exp__vfinish(sk_diag *d, int n, const char *fmt, va_list ap);
const char *sk_exp__ykind(const yaml_node_t *n);
const sk_ynode *sk_exp__ylook(const sk_ytree *t, const char *path);
void sk_exp__ytree_fini(sk_ytree *t);
int sk_exp__ytree_load(sk_ytree *t, sk_diag *d, const char *text, size_t len);

/* sk_exp_sets.c */
int sk_exp__set_err(sk_diag *d, const char *key, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
const char *sk_exp__set_get(sk_sets *s, const char *key);
int sk_exp__set_peek(const sk_sets *s, const char *key);

/* sk_exp_schema.c */
int sk_exp__cyaml_diag(sk_diag *d, const sk_ytree *t, const sk_cylog *lg, const sk_scenario_kind *k);
void sk_exp__cylog(cyaml_log_t level, void *ctx, const char *fmt, va_list args);
void sk_exp__schema_fini(sk_schema *s);
int sk_exp__schema_init(sk_schema *s, const sk_scenario_kind *k);

/* sk_exp_sweep.c */
int sk_exp__axes_from_sets(sk_exp *e, sk_sets *s, sk_diag *d);
int sk_exp__axes_from_tree(sk_exp *e, const sk_ytree *t, sk_diag *d);
void sk_exp__axis_fini(sk_axis *ax, sk_ptype t);

/* sk_exp_check.c */
int sk_exp__check_points(sk_exp *e, const sk_ytree *t, sk_diag *d);

/* sk_exp_resolve.c */
int sk_exp__resolve_text(sk_exp *e);

/* sk_exp.c */
int sk_exp__resolve_path(const char *expfile, sk_value *v, char *why, size_t wlen);

#endif
