/* sk_opts.h - declarative command-line options: one table per command drives parsing, range
 * checks and --help, so the help text always matches what the parser accepts. */
#ifndef SK_OPTS_H
#define SK_OPTS_H

#include <stddef.h>
#include <stdio.h>

typedef enum { SK_OPT_U64, SK_OPT_INT, SK_OPT_DBL, SK_OPT_STR, SK_OPT_FLAG } sk_opt_kind;

typedef struct sk_opt {
    const char *name;    /* long name without "--"; NULL ends the table */
    char shortc;         /* one-letter alias or 0 */
    sk_opt_kind kind;
    size_t off;          /* offsetof() the value in the command's option struct */
    const char *metavar; /* "N", "FILE", ...; NULL for flags */
    const char *help;
    double lo, hi;       /* accepted range for numeric kinds (inclusive) */
} sk_opt;

/* Parse argv[0..argc) (the words after the command name) into the struct at dst.
 * Accepts --name VALUE, --name=VALUE, -x VALUE, -xVALUE, flags, "--" and positional words; positional words
 * are moved to the front of argv and their count stored in *npos.
 * Returns 0; 1 when --help/-h was given (help printed to stdout); or SK_EUSAGE after printing
 * "synkti CMD: --name: what was expected, got 'x'" to stderr. */
int sk_opts_parse(const char *cmd, const char *usage, const sk_opt *tbl, void *dst, int argc,
                  char **argv, int *npos);

/* Print "usage" then one line per option with its default taken from the struct at defaults. */
void sk_opts_help(FILE *out, const char *usage, const sk_opt *tbl, const void *defaults);

#endif
