/* sk_trace.h - the one search path for data files (traces, catalogs, windows).
 *
 * A relative name is looked up, in order: next to the experiment file that names it; in the
 * working directory; in each folder of $SYNKTI_TRACES (colon-separated); in ../shared/traces
 * beside the source tree; in traces/data inside the source tree (where traces/fetch.sh puts
 * downloaded copies). An absolute name is used as it is. */
#ifndef SK_TRACE_H
#define SK_TRACE_H

#include <stddef.h>

/* Find `name` (relative to `from_file`'s folder first, if from_file is not NULL). Returns 0 with
 * the path found in out (len bytes), SK_ENOENT if no readable file by that name exists, or
 * SK_EUSAGE if the path does not fit in out. */
int sk_trace_find(const char *name, const char *from_file, char *out, size_t len);
/* The same search for a readable directory (a folder of zone traces). */
int sk_trace_find_dir(const char *name, const char *from_file, char *out, size_t len);

#endif
