/* cmd_fit.c - `synkti fit availability|price`: fit model parameters to traces. */
#include <stdio.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "sk_error.h"

static void sk_fit_usage(FILE *out) {
    fputs("usage: synkti fit availability [options] TRACE...\n"
          "       synkti fit price [options] SERIES\n"
          "\n"
          "Fit a model to traces and print its parameters with confidence intervals.\n"
          "  availability  maximum-likelihood rates of a Markov model of spot capacity\n"
          "                (two-state or one level per distinct count)\n"
          "  price         a mean-reverting process with jumps for a spot price series\n"
          "\n"
          "Run 'synkti fit availability --help' or 'synkti fit price --help' for the options.\n",
          out);
}

int sk_cmd_fit(int argc, char **argv) {
    if (argc < 1) {
        sk_fit_usage(stderr);
        return sk_exit_code(SK_EUSAGE);
    }
    if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
        sk_fit_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[0], "availability")) return sk_cmd_fit_availability(argc - 1, argv + 1);
    if (!strcmp(argv[0], "price")) return sk_cmd_fit_price(argc - 1, argv + 1);
    fprintf(stderr, "synkti fit: unknown model '%s' (availability or price)\n", argv[0]);
    return sk_exit_code(SK_EUSAGE);
}
