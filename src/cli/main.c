/* main.c - the synkti command: git-style subcommands from one table. */
#include <stdio.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "sk_error.h"

static int sk_cmd_help(int argc, char **argv);

static const struct sk_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} sk_cmds[] = {
    {"run", sk_cmd_run, "run an experiment file's runs in parallel into an HDF5 results file"},
    {"validate", sk_cmd_validate, "check an experiment file without running it"},
    {"plan", sk_cmd_plan, "list an experiment's numbered runs with their parameters and seeds"},
    {"export", sk_cmd_export, "print a results file's summary, a run's series or its metadata as CSV, TSV or JSON"},
    {"merge", sk_cmd_merge, "merge the results files of an experiment's shards into one"},
    {"model", sk_cmd_model, "write synthetic GPT-2 weights (safetensors) or describe a weights file"},
    {"infer", sk_cmd_infer, "generate tokens with the transformer engine; checkpoint and resume mid-generation"},
    {"agent", sk_cmd_agent, "run a job on an instance: IMDSv2 notice polling, inference work, checkpoint and resume"},
    {"live", sk_cmd_live, "the live controller: a fleet policy on real instances (local or AWS), journaled and resumable"},
    {"submit", sk_cmd_submit, "submit a job to the live controller (its HTTP API) and print the job's id"},
    {"status", sk_cmd_status, "show the live controller's run or one job: spend, jobs, instances, interruptions"},
    {"cancel", sk_cmd_cancel, "cancel a job on the live controller: its instances are terminated"},
    {"serve-perf", sk_cmd_serve_perf, "the LLM replica performance model: iteration times, KV capacity, load time, validation"},
    {"catalog", sk_cmd_catalog, "list the instance catalog: GPU types, prices per region and zone"},
    {"fit", sk_cmd_fit, "fit availability (Markov rates) or price (mean-reverting with jumps) models to traces"},
    {"bench", sk_cmd_bench, "measure: PHOLD events/s, RNG costs, batch, multi-region and fleet worlds, inference, start-up"},
    {"version", sk_cmd_version, "print version, git revision, build and library versions"},
    {"help", sk_cmd_help, "show this help, or a command's help ('synkti help bench')"},
    {NULL, NULL, NULL},
};

static void sk_usage(FILE *out) {
    fputs("usage: synkti <command> [options]\n"
          "\n"
          "Synkti: a research workbench for AI compute on volatile, cheap capacity.\n"
          "\n"
          "Commands:\n",
          out);
    for (const struct sk_cmd *c = sk_cmds; c->name; c++) fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fputs("\n"
          "Run 'synkti <command> --help' for a command's options and examples.\n"
          "Data goes to stdout; logs and progress to stderr.\n"
          "\n"
          "Exit codes:\n",
          out);
    sk_print_exit_codes(out);
}

static const struct sk_cmd *sk_find_cmd(const char *name) {
    for (const struct sk_cmd *c = sk_cmds; c->name; c++)
        if (!strcmp(c->name, name)) return c;
    return NULL;
}

static int sk_cmd_help(int argc, char **argv) {
    if (argc == 0 || !strcmp(argv[0], "help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        sk_usage(stdout); /* `synkti help --help`: help's help is the overview */
        return 0;
    }
    const struct sk_cmd *c = sk_find_cmd(argv[0]);
    if (!c) {
        fprintf(stderr, "synkti help: unknown command '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    char help[] = "--help";
    char *args[] = {help, NULL};
    if ((c->fn == sk_cmd_bench || c->fn == sk_cmd_model) && argc > 1) { /* synkti help bench phold */
        char *a2[] = {argv[1], help, NULL};
        return c->fn(2, a2);
    }
    return c->fn(1, args);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        sk_usage(stderr);
        return sk_exit_code(SK_EUSAGE);
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        sk_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) return sk_cmd_version(0, argv + 2);
    const struct sk_cmd *c = sk_find_cmd(argv[1]);
    if (!c) {
        fprintf(stderr, "synkti: unknown command '%s' (see 'synkti help')\n", argv[1]);
        return sk_exit_code(SK_EUSAGE);
    }
    return c->fn(argc - 2, argv + 2);
}
