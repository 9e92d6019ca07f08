/* sk_trace.c - data file search path (see sk_trace.h). */
#include "io/sk_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_config.h"
#include "sk_error.h"

/* 1 if dir/name (or name alone when dir is NULL) is a readable regular file (a directory when
 * want_dir); path left in out. */
static int sk__try_kind(const char *dir, size_t dlen, const char *name, char *out, size_t len, int want_dir) {
    int n = dir ? snprintf(out, len, "%.*s/%s", (int)dlen, dir, name) : snprintf(out, len, "%s", name);
    if (n < 0 || (size_t)n >= len) return -1;
    struct stat st;
    return stat(out, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) && access(out, R_OK) == 0;
}

static int sk__find(const char *name, const char *from_file, char *out, size_t len, int want_dir);

int sk_trace_find(const char *name, const char *from_file, char *out, size_t len) {
    return sk__find(name, from_file, out, len, 0);
}

int sk_trace_find_dir(const char *name, const char *from_file, char *out, size_t len) {
    return sk__find(name, from_file, out, len, 1);
}

#define sk__try(d, dl, nm, o, l) sk__try_kind(d, dl, nm, o, l, want_dir)

static int sk__find(const char *name, const char *from_file, char *out, size_t len, int want_dir) {
    int r;
    if (!name || !*name) return SK_ENOENT;
    if (name[0] == '/') {
        r = sk__try(NULL, 0, name, out, len);
        return r > 0 ? 0 : r < 0 ? SK_EUSAGE : SK_ENOENT;
    }
    if (from_file) {
        const char *slash = strrchr(from_file, '/');
        r = slash ? sk__try(from_file, (size_t)(slash - from_file), name, out, len) : sk__try(NULL, 0, name, out, len);
        if (r) return r > 0 ? 0 : SK_EUSAGE;
    }
    if ((r = sk__try(NULL, 0, name, out, len))) return r > 0 ? 0 : SK_EUSAGE;
    const char *env = getenv("SYNKTI_TRACES");
    if (env && *env) {
        for (const char *p = env; *p;) {
            const char *c = strchr(p, ':');
            size_t dl = c ? (size_t)(c - p) : strlen(p);
            if (dl && (r = sk__try(p, dl, name, out, len))) return r > 0 ? 0 : SK_EUSAGE;
            if (!c) break;
            p = c + 1;
        }
    }
    static const char *const rel[] = {SK_SOURCE_DIR "/../shared/traces", SK_SOURCE_DIR "/traces/data"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++)
        if ((r = sk__try(rel[i], strlen(rel[i]), name, out, len))) return r > 0 ? 0 : SK_EUSAGE;
    return SK_ENOENT;
}
