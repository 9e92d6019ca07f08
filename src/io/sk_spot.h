/* sk_spot.h - spot availability traces: the JSON format of the public spot-traces datasets (both
 * 0/1 conventions, N-node counts with a gang threshold), the raw probe CSVs behind them, and the
 * "Can't Be Late" evaluation windows (WINDOW_INDEX.csv).
 *
 * In memory a trace is one byte per tick: avail[i] = 1 when spot can run during tick i, that is
 * during [i*gap, (i+1)*gap) from the trace start. Every loader reports errors as one line naming
 * the file and the offending position (byte offset, or line and field for CSV). */
#ifndef SK_SPOT_H
#define SK_SPOT_H

#include <stddef.h>
#include <stdint.h>

/* How to read the values of `data`:
 *   AVAILABLE  value = number of instances available (spot-availability/, spothedge/: raw
 *              spot-traces convention); spot counts as available when value >= gang (gang >= 1).
 *   PREEMPTED  nonzero = unavailable, 0 = available (simulator convention: converted_* traces,
 *              gcp-h100-multiregion/); with gang > 1 the value is a count as above.
 *   AUTO       the file's own convention: PREEMPTED when metadata says so (a key
 *              "convention": "preempted", or the file lies under a folder whose name starts with
 *              "converted" or is "gcp-h100-multiregion"), else AVAILABLE. */
typedef enum { SK_SPOT_AUTO = 0, SK_SPOT_AVAILABLE = 1, SK_SPOT_PREEMPTED = 2 } sk_spot_conv;

typedef struct sk_spot_trace {
    char *path;
    char *name;       /* file name without folder and extension: "us-west-2a_v100_1" */
    double gap;       /* metadata.gap_seconds (> 0) */
    int64_t n;        /* ticks */
    uint8_t *avail;   /* n bytes, 0 or 1 */
    double od_price;  /* metadata.price_info on-demand price ($/h), NaN when absent */
    double spot_price;/* metadata.price_info spot price, NaN when absent */
    double *prices;   /* per-tick spot prices (n values) or NULL */
} sk_spot_trace;

/* Load a JSON trace. gang >= 1 (1 for single-node files). Returns 0; SK_ENOINPUT (missing or
 * unreadable: message names the file); SK_EDATA (not JSON, no metadata.gap_seconds or not a
 * positive number, no data array, a value that is not a non-negative integer: the message names
 * the file and the index of the value / the byte offset of the JSON error); SK_ENOMEM. On error t
 * is left zeroed. */
int sk_spot_load_json(sk_spot_trace *t, const char *path, sk_spot_conv conv, int64_t gang, char *err,
                      size_t errlen);
/* Load a raw probe CSV (libcsv): header-less rows `index,time,preempted` (1 = the launch failed);
 * each row is one tick of `gap` seconds; index must count 0, 1, 2, ... Returns as above (SK_EDATA
 * names the line and field). */
int sk_spot_load_probes(sk_spot_trace *t, const char *path, double gap, char *err, size_t errlen);
void sk_spot_fini(sk_spot_trace *t);

/* One evaluation window: ticks [start, start + len) of its trace (a suffix of the trace). */
typedef struct sk_spot_window {
    int64_t start, len;
} sk_spot_window;

/* Read the windows of trace `name` from WINDOW_INDEX.csv (libcsv; header
 * `trace,window,start_time,gap_seconds,length_ticks,preempted_ticks`; window j = the last
 * length_ticks ticks of a trace of n_ticks ticks). Fills *out (malloc'd, indexed by window
 * number, which must run 0..count-1) and *count. Returns 0; SK_ENOINPUT; SK_EDATA (bad row: line
 * and field named; a window longer than the trace; gap_seconds different from `gap`; no window
 * for the trace); SK_ENOMEM. */
int sk_spot_windows(const char *index_csv, const char *name, int64_t n_ticks, double gap, sk_spot_window **out,
                    size_t *count, char *err, size_t errlen);

#endif
