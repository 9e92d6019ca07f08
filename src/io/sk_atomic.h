/* sk_atomic.h - the one atomic file writer: a temporary file beside the target, renamed over it.
 *
 * Every file Synkti writes for others to read (results, exports, model weights, checkpoints) goes
 * through this protocol, so a reader never sees a half-written file and a crash leaves the old
 * one in place:
 *   open    when `path` is a symbolic link, the file it names is the one replaced (the link stays;
 *           the target need not exist yet); a new `<target>.tmp.<pid>.XXXXXX` is made in the target's
 *           folder with the permissions a plain fopen() would give (0666 & ~umask)
 *   write   through the stream `f`, or by name (`tmp`: HDF5 creates it over the empty file)
 *   commit  flush, fsync, close, rename over the target, fsync the folder
 *   abort   close and remove the temporary file; the target is untouched
 * Errors are SK_E* codes with one line in the caller's `err` buffer (either may be NULL/0) naming
 * the file. Not thread-safe per object; distinct objects are independent. */
#ifndef SK_ATOMIC_H
#define SK_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "sk_error.h"

typedef struct sk_atomic {
    char *path; /* the file replaced on commit: the link target when the given path is a link */
    char *tmp;  /* the temporary file, beside `path` */
    int fd;     /* open on tmp until commit or abort (-1 once handed to f) */
    FILE *f;    /* stdio stream on tmp when opened with a mode, else NULL */
} sk_atomic;

/* When path is a symbolic link, the path of the file it names (malloc'd; the target need not
 * exist yet). NULL when path is not a link (or out of memory). */
char *sk_atomic_link_target(const char *path);

/* Create the temporary file for `path`; with a stdio `mode` ("w", "wb") also open a->f on it (NULL:
 * no stream, write to a->tmp by name). 0; SK_ECANTCREAT (e.g. the folder does not exist);
 * SK_ENOMEM. On error `a` holds nothing and needs no abort. */
int sk_atomic_open(sk_atomic *a, const char *path, const char *mode, char *err, size_t errlen);
/* Flush, fsync and close the temporary file, rename it over a->path and fsync the folder. 0;
 * SK_EIO if a write, the fsync or the rename failed (temporary file removed, path untouched), or
 * if the folder could not be fsync'd (path already replaced; file systems without folder fsync,
 * EINVAL, are fine). `a` is released either way. */
int sk_atomic_commit(sk_atomic *a, char *err, size_t errlen);
/* Close and remove the temporary file and release `a`. Can't fail; does nothing on an `a` that
 * is released, was never opened or is zeroed. */
void sk_atomic_abort(sk_atomic *a);

#endif
