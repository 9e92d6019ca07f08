/* sk_catalog.h - the instance catalog: instance types (GPU model, GPU count, GPU memory, vCPUs,
 * memory) and offers (a type in a region/zone with its on-demand and spot price), loaded with
 * libcsv from the shapes of skypilot-aws-gpu-catalog/ (aws_gpu_vms_subset.csv, and
 * gpu_instance_specs.csv for GPU memory) and gcp-gpu-catalog/ (gcp_gpu_vms.csv), or a user's CSV
 * of the same shape (columns found by header name). */
#ifndef SK_CATALOG_H
#define SK_CATALOG_H

#include <stddef.h>

typedef struct sk_itype {
    char name[48];     /* "p3.2xlarge", "a3-highgpu-1g" */
    char cloud[8];     /* "aws", "gcp" */
    char gpu[24];      /* GPU model: "V100", "H100" ("" for no GPU) */
    int gpus;          /* GPUs per instance */
    double gpu_mem_gb; /* per GPU, GB (NaN when the source does not say) */
    double vcpus, mem_gb;
} sk_itype;

typedef struct sk_offer {
    int type;          /* index into sk_catalog.types */
    char region[32];   /* "us-east-1", "us-central1" */
    char zone[40];     /* "us-east-1a" / "use1-az2" / "us-central1-a" */
    double od_price;   /* $/h on demand in the region */
    double spot_price; /* $/h spot in the zone (NaN: no spot offer) */
} sk_offer;

typedef struct sk_catalog {
    sk_itype *types;
    int ntypes;
    sk_offer *offers;
    int noffers;
} sk_catalog;

/* Add one CSV's types and offers to c (zeroed before the first call). The shape is told by the
 * header. Returns 0; SK_ENOINPUT; SK_EDATA naming file, line and column (a row without a price,
 * a non-numeric count...); SK_ENOMEM. On error c is unchanged. */
int sk_catalog_load(sk_catalog *c, const char *path, char *err, size_t errlen);
void sk_catalog_free(sk_catalog *c);
/* Index of the type called name, or -1. */
int sk_catalog_type(const sk_catalog *c, const char *name);

#endif
