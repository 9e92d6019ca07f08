/* sk_perf.h - replica performance model: how fast one serving replica decodes, as a function of
 * GPU, model and batch size, from a table of measured points.
 *
 * The table is a CSV (models/perf_points.csv is the shipped one) with the header
 *   gpu,model,batch,tokens_per_s,ttft_ms,source
 * one row per measured (gpu, model, batch): aggregate decode tokens/s over the batch and time to
 * first token. Between measured batch sizes the model interpolates linearly (GSL, in log2 of the
 * batch); below the smallest it scales that point's rate down per sequence, above the largest it
 * stays at that point's throughput (saturation: no extrapolated growth). Serving scenarios read
 * replica speed from here, so a researcher calibrates the simulator by measuring (`synkti bench infer`, the GPU bench) and
 * adding rows. */
#ifndef SK_PERF_H
#define SK_PERF_H

#include <stddef.h>

typedef struct sk_perf_point {
    char gpu[64], model[64];
    int batch;
    double tokens_per_s, ttft_ms;
} sk_perf_point;

typedef struct sk_perf {
    sk_perf_point *p;
    size_t n;
} sk_perf;

/* Load a table. Returns 0; SK_ENOINPUT; SK_EDATA (bad header, field or duplicate row: the message
 * names the file, line and column name); SK_ENOMEM. */
int sk_perf_load(sk_perf *pm, const char *path, char *err, size_t errlen);
void sk_perf_fini(sk_perf *pm);

/* Aggregate decode tokens/s and time to first token of a replica of `model` on `gpu` at `batch`
 * sequences. Returns 0, or SK_ENOENT when the table has no row for (gpu, model). */
int sk_perf_at(const sk_perf *pm, const char *gpu, const char *model, int batch, double *tokens_per_s,
               double *ttft_ms);

#endif
