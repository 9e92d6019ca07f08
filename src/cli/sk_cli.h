/* sk_cli.h - the synkti subcommands (one function each; argv excludes the command word). */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdio.h>

/* Each returns a process exit status. */
int sk_cmd_bench(int argc, char **argv);
int sk_cmd_version(int argc, char **argv);
int sk_cmd_run(int argc, char **argv);
int sk_cmd_validate(int argc, char **argv);
int sk_cmd_plan(int argc, char **argv);
int sk_bench_batch(int argc, char **argv);
int sk_bench_mr(int argc, char **argv);
int sk_bench_fleet(int argc, char **argv);
int sk_cmd_export(int argc, char **argv);
int sk_cmd_merge(int argc, char **argv);
int sk_cmd_model(int argc, char **argv);
int sk_cmd_infer(int argc, char **argv);
int sk_cmd_catalog(int argc, char **argv);
int sk_cmd_fit(int argc, char **argv);
int sk_cmd_fit_availability(int argc, char **argv);
int sk_cmd_fit_price(int argc, char **argv);
int sk_bench_infer(int argc, char **argv);
int sk_cmd_agent(int argc, char **argv);
int sk_cmd_live(int argc, char **argv);

/* Monotonic wall clock in seconds. */
double sk_cli_now(void);
/* qsort comparator for doubles, ascending. */
int sk_cli_cmp_double(const void *a, const void *b);

#endif
