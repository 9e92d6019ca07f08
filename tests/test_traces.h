/* test_traces.h - where the tests find the shared datasets: through the project's one search
 * path (sk_trace_find: $SYNKTI_TRACES, then ../shared/traces beside the source tree, then
 * traces/data), so a test program finds them run by CTest or by hand alike. */
#ifndef SK_TEST_TRACES_H
#define SK_TEST_TRACES_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

/* Declare `root` (the dataset folder) in a test, or fail the test when there is none. */
#define NEED_DATA(root)                                                                          \
    const char *root = t_traces_root();                                                          \
    if (!root) SK_T_FAIL_("no shared trace data (see the message above)")

/* root/rel in buf; returns buf. */
static inline const char *t_data(char *buf, size_t len, const char *root, const char *rel) {
    snprintf(buf, len, "%s/%s", root, rel);
    return buf;
}

/* Write text to dir/name, creating the sub-folders named in name; the path is left in buf.
 * Returns 0 or -1. */
static inline int t_write_in(char *buf, size_t len, const char *dir, const char *name, const char *text) {
    snprintf(buf, len, "%s/%s", dir, name);
    for (char *p = buf + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(buf, 0700);
        *p = '/';
    }
    FILE *f = fopen(buf, "wb");
    if (!f) return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

#endif
