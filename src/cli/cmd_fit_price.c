#include <stdio.h>

#include "cli/sk_cli.h"

int sk_cmd_fit_price(int argc, char **argv) {
    (void)argc, (void)argv;
    puts("usage: synkti fit price ...");
    return 0;
}
