#include <stdio.h>

#include "cli/sk_cli.h"

int sk_cmd_fit_availability(int argc, char **argv) {
    (void)argc, (void)argv;
    puts("usage: synkti fit availability ...");
    return 0;
}
