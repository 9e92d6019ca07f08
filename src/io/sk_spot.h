/* sk_spot.h - spot availability traces: the JSON format of the public spot-traces datasets (both
 * 0/1 conventions, N-node counts with a gang threshold), the raw probe CSVs behind them, and the
 * "Can't Be Late" evaluation windows (WINDOW_INDEX.csv). Datasets: traces/README.md.
 *
 * In memory a trace is one byte per tick: avail[i] = 1 when spot can run during tick i, that is
 * during [i*gap, (i+1)*gap) from the trace start. Every loader reads the whole file once and
 * reports errors as one line naming the file and the offending position:
 *   JSON syntax   "f.json:3:18: invalid JSON at byte 54" (line:column, 1-based; byte offset, 0-based)
 *   JSON values   "f.json: data[123]: expected a non-negative integer, got -1", "f.json: metadata.gap_seconds: ..."
 *   CSV           "f.csv:12: field 3 (preempted): expected 0 or 1, got 'x'" (physical line, 1-based)
 * The loaders keep no state of their own and may run concurrently (cJSON itself stores its last
 * parse error in a library global, which is never read here: we take the position from
 * cJSON_ParseWithLengthOpts' return_parse_end, the same pointer cJSON_GetErrorPtr() returns). */
#ifndef SK_SPOT_H
#define SK_SPOT_H

#include <stddef.h>
#include <stdint.h>

/* How to read the values of `data`:
 *   AVAILABLE  value = number of instances available (spot-availability/ -- its preemption/
 *              folder included --, spothedge/: the raw spot-traces convention); spot counts as
 *              available when value >= gang (gang >= 1).
 *   PREEMPTED  nonzero = unavailable, 0 = available (simulator convention: the converted_*
 *              traces of aws-v100-multinode/ and gcp-h100-multiregion/). These files are already
 *              reduced to one 0/1 value per tick (gcp h100_16: available when >= 1 of 16 launched),
 *              so only gang 1 is accepted (SK_ECONFIG otherwise).
 *   AUTO       the file's own convention: metadata "convention": "preempted" or "available" when
 *              present (any other value: SK_EDATA); else PREEMPTED when the file's parent or
 *              grandparent folder (after resolving the path) has a name starting with "converted"
 *              (<converted_dir>/<zone>/full.json, <converted_dir>/<zone>/<k>.json,
 *              <converted_dir>/<trace>.json); else AVAILABLE. No shared file carries a
 *              "convention" key; the folder rule is what tells the datasets apart (checked by
 *              tests/test_spot.c on every kind). */
typedef enum { SK_SPOT_AUTO = 0, SK_SPOT_AVAILABLE = 1, SK_SPOT_PREEMPTED = 2 } sk_spot_conv;

typedef struct sk_spot_trace {
    char *path;
    char *name;       /* file name without folder and extension: "us-west-2a_v100_1"; for a file
                         named full.json or <k>.json the folder is kept: "us-west1-a_h100_16/full" */
    double gap;       /* metadata.gap_seconds (> 0); 30 s to 600 s occur */
    int64_t n;        /* ticks (>= 1) */
    uint8_t *avail;   /* n bytes, 0 or 1 */
    double od_price;  /* metadata.price_info.on_demand_price ($/h), NaN when absent */
    double spot_price;/* metadata.price_info.price (spot, $/h), NaN when absent */
    double *prices;   /* top-level "prices": per-tick spot prices (n values), or NULL */
} sk_spot_trace;

/* Load a JSON trace. gang >= 1 (1 for single-node files). Returns 0; SK_ENOINPUT (missing or
 * unreadable: message names the file); SK_EDATA (not JSON or trailing garbage, not an object, no
 * metadata.gap_seconds or not a positive number, no data array or an empty one, a value that is
 * not a non-negative integer, "prices" not one non-negative number per tick, a price_info price
 * that is not a non-negative number: the message names the file and the byte offset and line of
 * the JSON error / the key or index of the value); SK_ECONFIG (gang < 1, or gang > 1 on a
 * PREEMPTED trace); SK_ENOMEM. On error t is left zeroed. t is owned by the caller: sk_spot_fini. */
int sk_spot_load_json(sk_spot_trace *t, const char *path, sk_spot_conv conv, int64_t gang, char *err,
                      size_t errlen);
/* Load a raw probe CSV (libcsv): header-less rows `index,time,preempted` (1 = the launch failed);
 * each row is one tick of `gap` seconds (600 for cbl-windows/raw-probes, whose recorded times are
 * 600-601 s apart; the times are checked to be present, not used), so avail[i] = !preempted.
 * index must count 0, 1, 2, ... Blank lines and CRLF are accepted. The 2022-10-26 probe run is
 * exactly the aws-10-26-2022 JSON traces (JSON value = 1 - preempted). Returns 0; SK_ENOINPUT;
 * SK_EDATA (no rows, a row without exactly 3 fields, a bad or out-of-sequence index, an empty
 * time, preempted not 0/1, CSV syntax: the message names the line and field); SK_ECONFIG (gap not
 * > 0); SK_ENOMEM. On error t is left zeroed. */
int sk_spot_load_probes(sk_spot_trace *t, const char *path, double gap, char *err, size_t errlen);
void sk_spot_fini(sk_spot_trace *t);

/* One evaluation window: ticks [start, start + len) of its trace (a suffix: start + len = n). */
typedef struct sk_spot_window {
    int64_t start, len;
} sk_spot_window;

/* Read the windows of trace `name` from WINDOW_INDEX.csv (libcsv; header
 * `trace,window,start_time,gap_seconds,length_ticks,preempted_ticks`, columns found by name,
 * start_time and preempted_ticks optional; window j = the last length_ticks ticks of a trace of
 * n_ticks ticks). Verified on the shared data for all 8 x 1000 windows: preempted_ticks = the
 * unavailable ticks of that suffix of the JSON trace
 * spot-availability/availability/1-node/aws-10-26-2022/<trace>.json, and start_time = the time of
 * its first tick in the 2022-10-26 raw probes. Fills *out (malloc'd, the caller frees it;
 * indexed by window number, which must run 0..count-1, rows in any order) and *count. Every row
 * is checked (numbers, field count); rows of other traces are otherwise ignored. Returns 0;
 * SK_ENOINPUT; SK_EDATA (bad row: line and field named; a window longer than the trace;
 * gap_seconds different from `gap`; a window missing or given twice; no window for the trace);
 * SK_ECONFIG (n_ticks < 1 or gap not > 0); SK_ENOMEM. On error *out = NULL, *count = 0. */
int sk_spot_windows(const char *index_csv, const char *name, int64_t n_ticks, double gap, sk_spot_window **out,
                    size_t *count, char *err, size_t errlen);

#endif
