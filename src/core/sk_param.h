/* sk_param.h - typed parameters: the tables that declare what a scenario kind or a policy accepts.
 *
 * One table per scenario kind and per policy drives the experiment-file schema (libcyaml), range
 * checks, `--set` overrides, sweep axes, `synkti plan` output and the /summary columns, so the
 * documentation, the parser and the results file always agree. */
#ifndef SK_PARAM_H
#define SK_PARAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    SK_PT_INT,   /* int64, decimal */
    SK_PT_FLOAT, /* double, finite */
    SK_PT_BOOL,  /* true/false (yes/no, on/off, 1/0 accepted) */
    SK_PT_STR,   /* text */
    SK_PT_PATH   /* a data file, looked up through the trace search path (sk_trace_find) */
} sk_ptype;

typedef struct sk_param_def {
    const char *name;
    sk_ptype type;
    const char *def; /* default as YAML text; NULL = required */
    double lo, hi;   /* inclusive range for INT and FLOAT; ignored for other types */
    const char *help;
} sk_param_def;

/* A value of any parameter type. `s` is owned (NULL unless STR or PATH). BOOL is stored in i. */
typedef struct sk_value {
    int64_t i;
    double f;
    char *s;
} sk_value;

/* Type name for messages: "an integer", "a number", "true or false", "a string", "a file name". */
const char *sk_ptype_expect(sk_ptype t);

/* Parse `text` as a value of d's type and check its range. Returns 0 (out filled; the caller
 * frees out->s with sk_value_fini) or SK_ECONFIG with a one-line reason in why ("expected an
 * integer in [1, 4294967294], got '-3'"). PATH values are not looked up here. */
int sk_param_parse(const sk_param_def *d, const char *text, sk_value *out, char *why, size_t wlen);

/* Check a value of d's type against d's range. Returns 0 or SK_ECONFIG with the reason in why. */
int sk_param_check(const sk_param_def *d, const sk_value *v, char *why, size_t wlen);

/* Deep copy; returns 0 or SK_ENOMEM. */
int sk_value_copy(sk_value *dst, const sk_value *src, sk_ptype t);
void sk_value_fini(sk_value *v);
/* Print a value as canonical YAML scalar text that reads back as the same value: integers in
 * decimal, floats in the shortest of %.15g..%.17g that reads back exactly (always with a '.' or exponent), strings double-quoted (YAML escapes)
 * unless they are plain words that YAML would not read as another type. */
void sk_value_print(FILE *out, const sk_value *v, sk_ptype t);
/* Exact equality (bitwise for floats). */
int sk_value_eq(const sk_value *a, const sk_value *b, sk_ptype t);

/* Index of the parameter called `name` in tbl[0..n), or -1. */
int sk_param_find(const sk_param_def *tbl, size_t n, const char *name);

/* A comma-separated list of numbers in a string parameter ("1, 0.25"): at most cap values into
 * out. Returns the count, or -1 when an item is not a finite number or there are more than cap. */
int sk_param_list_f64(const char *s, double *out, int cap);

#endif
