/* test_traces.h - where the tests find the shared datasets: through the project's one search
 * path (sk_trace_find: $SYNKTI_TRACES, then ../shared/traces beside the source tree, then
 * traces/data), so a test program finds them run by CTest or by hand alike. */
#ifndef SK_TEST_TRACES_H
#define SK_TEST_TRACES_H

#include <stdio.h>
#include <string.h>

#include "io/sk_trace.h"

/* The folder that holds the datasets (the one with cbl-windows/WINDOW_INDEX.csv), or NULL with a
 * message on stderr. The result is static storage. */
static const char *t_traces_root(void) {
    static char root[4096];
    static const char marker[] = "cbl-windows/WINDOW_INDEX.csv";
    if (root[0]) return root;
    if (sk_trace_find(marker, NULL, root, sizeof root) < 0) {
        root[0] = '\0';
        fprintf(stderr, "  %s not found on the trace search path ($SYNKTI_TRACES, ../shared/traces, traces/data)\n",
                marker);
        return NULL;
    }
    size_t n = strlen(root) - (sizeof marker - 1);
    root[n > 0 ? n - 1 : 0] = '\0'; /* drop "/cbl-windows/WINDOW_INDEX.csv" */
    return root;
}

#endif
