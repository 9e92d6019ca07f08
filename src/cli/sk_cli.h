/* sk_cli.h - the synkti subcommands (one function each; argv excludes the command word). */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "infer/sk_infer.h"

/* Each returns a process exit status. */
int sk_cmd_bench(int argc, char **argv);
int sk_cmd_version(int argc, char **argv);
int sk_cmd_run(int argc, char **argv);
int sk_cmd_validate(int argc, char **argv);
int sk_cmd_plan(int argc, char **argv);
int sk_bench_batch(int argc, char **argv);
int sk_bench_mr(int argc, char **argv);
int sk_bench_fleet(int argc, char **argv);
int sk_bench_serving(int argc, char **argv);
int sk_bench_shart(int argc, char **argv); /* cmd_bench_shart.c: `bench spothedge` */
int sk_cmd_export(int argc, char **argv);
int sk_cmd_merge(int argc, char **argv);
int sk_cmd_model(int argc, char **argv);
int sk_cmd_infer(int argc, char **argv);
int sk_cmd_catalog(int argc, char **argv);
int sk_cmd_serve_perf(int argc, char **argv); /* cmd_serve_perf.c: models/sk_llmperf */
int sk_cmd_fit(int argc, char **argv);
int sk_cmd_fit_availability(int argc, char **argv);
int sk_cmd_fit_price(int argc, char **argv);
int sk_bench_infer(int argc, char **argv);
int sk_cmd_agent(int argc, char **argv);
int sk_cmd_live(int argc, char **argv);
int sk_cmd_submit(int argc, char **argv); /* cmd_submit.c: the live controller's HTTP clients */
int sk_cmd_status(int argc, char **argv);
int sk_cmd_cancel(int argc, char **argv);

/* Monotonic wall clock in seconds. */
double sk_cli_now(void);
/* Shared by `infer` and `agent` (cmd_infer.c): --backend NAME; a token-id file (rows of lens[i]
 * ids, caller frees); the generated ids, one line per sequence. */
int sk_parse_backend(const char *s, sk_backend *b);
int sk_read_ids(const char *cmd, const char *path, int32_t **ids, int **lens, int *rows);
void sk_infer_print_ids(const sk_gen *g, FILE *f);
/* qsort comparator for doubles, ascending. */
int sk_cli_cmp_double(const void *a, const void *b);

#endif
