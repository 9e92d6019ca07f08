/* sk_atomic.c - the one atomic file writer: temporary file, fsync, rename, fsync folder. */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "io/sk_atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sk_csv.h" /* sk_errf */

/* Folder of path ("." when it has none, "/" for a file in the root), malloc'd. */
static char *sk_atomic__dirname(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

char *sk_atomic_link_target(const char *path) {
    struct stat lst;
    if (lstat(path, &lst) != 0 || !S_ISLNK(lst.st_mode)) return NULL;
    char *r = realpath(path, NULL);
    if (r) return r;
    char buf[PATH_MAX]; /* a dangling link: its text, relative to the link's folder */
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n <= 0) return NULL;
    buf[n] = '\0';
    if (buf[0] == '/') return strdup(buf);
    char *dir = sk_atomic__dirname(path);
    if (!dir) return NULL;
    size_t len = strlen(dir) + 1 + (size_t)n + 1;
    if ((r = malloc(len))) snprintf(r, len, "%s/%s", dir, buf);
    free(dir);
    return r;
}

static void sk_atomic__release(sk_atomic *a) {
    free(a->path);
    free(a->tmp);
    a->path = a->tmp = NULL;
    a->fd = -1;
    a->f = NULL;
}

int sk_atomic_open(sk_atomic *a, const char *path, const char *mode, char *err, size_t errlen) {
    a->f = NULL;
    a->fd = -1;
    a->tmp = NULL;
    a->path = sk_atomic_link_target(path); /* a link keeps pointing where it did */
    if (!a->path) a->path = strdup(path);
    /* <path>.tmp.<pid>.XXXXXX: the pid lets the runner tell a dead writer's leftover (kill -9) from
     * a live writer's file */
    size_t len = a->path ? strlen(a->path) + sizeof ".tmp..XXXXXX" + 24 : 0;
    if (!a->path || !(a->tmp = malloc(len))) {
        sk_atomic__release(a);
        return sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
    }
    snprintf(a->tmp, len, "%s.tmp.%ld.XXXXXX", a->path, (long)getpid());
    if ((a->fd = mkstemp(a->tmp)) < 0) {
        int e = errno;
        sk_errf(err, errlen, SK_ECANTCREAT, "%s: cannot create a temporary file beside it: %s",
                       a->path, strerror(e));
        sk_atomic__release(a);
        return SK_ECANTCREAT;
    }
    mode_t um = umask(0); /* mkstemp makes 0600; the final file gets what fopen() would give */
    umask(um);
    if (fchmod(a->fd, 0666 & ~um) < 0 || (mode && !(a->f = fdopen(a->fd, mode)))) {
        int e = errno;
        sk_errf(err, errlen, SK_ECANTCREAT, "%s: cannot open %s: %s", a->path, a->tmp,
                       strerror(e));
        sk_atomic_abort(a);
        return SK_ECANTCREAT;
    }
    if (a->f) a->fd = -1; /* closed with the stream */
    return 0;
}

void sk_atomic_abort(sk_atomic *a) {
    if (!a->tmp) return; /* released, never opened, or zeroed */
    if (a->f) fclose(a->f);
    else if (a->fd >= 0) close(a->fd);
    unlink(a->tmp);
    sk_atomic__release(a);
}

int sk_atomic_commit(sk_atomic *a, char *err, size_t errlen) {
    int fd = a->f ? fileno(a->f) : a->fd;
    if ((a->f && (fflush(a->f) != 0 || ferror(a->f))) || fsync(fd) < 0) {
        sk_errf(err, errlen, SK_EIO, "%s: cannot write %s: %s", a->path, a->tmp,
                       errno ? strerror(errno) : "write error");
        sk_atomic_abort(a);
        return SK_EIO;
    }
    int closed = a->f ? fclose(a->f) : close(a->fd);
    a->f = NULL;
    a->fd = -1;
    if (closed != 0) {
        sk_errf(err, errlen, SK_EIO, "%s: cannot close %s: %s", a->path, a->tmp, strerror(errno));
        sk_atomic_abort(a);
        return SK_EIO;
    }
    if (rename(a->tmp, a->path) < 0) {
        sk_errf(err, errlen, SK_EIO, "%s: cannot rename %s over it: %s", a->path, a->tmp,
                       strerror(errno));
        sk_atomic_abort(a);
        return SK_EIO;
    }
    /* Committed: path now holds the new file. A folder that can't be fsync'd leaves it in place
     * but not known to be durable. */
    int rc = 0;
    char *dir = sk_atomic__dirname(a->path);
    int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
    if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL))
        rc = sk_errf(err, errlen, SK_EIO, "%s: written, but cannot fsync folder %s: %s",
                            a->path, dir ? dir : "?", dir ? strerror(errno) : "out of memory");
    if (dfd >= 0) close(dfd);
    free(dir);
    sk_atomic__release(a);
    return rc;
}
