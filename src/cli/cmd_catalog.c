#include <stdio.h>

#include "cli/sk_cli.h"

int sk_cmd_catalog(int argc, char **argv) {
    (void)argc, (void)argv;
    puts("usage: synkti catalog [--gpu MODEL] [--cloud aws|gcp]");
    return 0;
}
