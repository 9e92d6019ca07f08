/* sk_catalog.h - the instance catalog: instance types (GPU model, GPU count, GPU memory, vCPUs,
 * memory) and offers (a type in a region/zone with its on-demand and spot price), loaded with
 * libcsv from the shapes of skypilot-aws-gpu-catalog/ (aws_gpu_vms_subset.csv, and
 * gpu_instance_specs.csv for GPU memory) and gcp-gpu-catalog/ (gcp_gpu_vms.csv), or a user's CSV
 * of the same shape (columns found by header name). docs/fleet_catalog.md has the rules.
 *
 * Shapes (told by the header; column order does not matter, unknown columns are ignored):
 *   offers  InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB, Price, SpotPrice,
 *           Region, AvailabilityZone [, GpuInfo] [, GpuMemoryMiBPerGpu] [, Cloud]
 *   specs   InstanceType, AcceleratorName, AcceleratorCount, GpuMemoryMiBPerGpu [, vCPUs,
 *           MemoryGiB] [, Cloud] and no Price column: adds or updates types, no offers.
 * The cloud of a row is its Cloud column when there is one, else "gcp" for a file with a GpuInfo
 * column (SkyPilot's GCP catalog) and "aws" otherwise.
 *
 * GCP convention (SkyPilot): rows with an empty InstanceType are accelerator-only prices (N GPUs of
 * a model in a zone); a VM row's price is the host alone. When a file has accelerator-only rows,
 * an offer's price is host + the accelerator row of the same cloud, zone, GPU and count; the GPUs of
 * a2/a3/a4/g2 machine types are implied by the name when AcceleratorName is empty (a2-highgpu-Ng =
 * N x A100 40 GB, a2-ultragpu-Ng = N x A100-80GB, a3-highgpu/edgegpu-Ng = N x H100, a3-megagpu-8g =
 * 8 x H100 priced as H100-MEGA, a3-ultragpu-8g = 8 x H200, a4-highgpu-8g = 8 x B200, g2-standard-K
 * = 1, 2, 4 or 8 L4 by size).
 *
 * Types are unique by (cloud, name) and offers by (type, zone): a later row or file updates them
 * (its non-empty values replace the earlier ones). Indices into types never change once given;
 * loading appends. Empty SpotPrice = no spot offer (NaN); empty Price = no on-demand price (NaN,
 * e.g. AWS p5e, capacity blocks only); a row with neither makes no offer (counted in ndropped). */
#ifndef SK_CATALOG_H
#define SK_CATALOG_H

#include <stddef.h>

typedef struct sk_itype {
    char name[48];     /* "p3.2xlarge", "a3-highgpu-1g" */
    char cloud[8];     /* "aws", "gcp" */
    char gpu[24];      /* GPU model: "V100", "H100" ("" for no GPU) */
    int gpus;          /* GPUs per instance */
    double gpu_mem_gb; /* per GPU, GiB (MiB / 1024; NaN when the source does not say) */
    double vcpus, mem_gb;
} sk_itype;

typedef struct sk_offer {
    int type;          /* index into sk_catalog.types */
    char region[32];   /* "us-east-1", "us-central1" */
    char zone[40];     /* "us-east-1a" / "use1-az2" / "us-central1-a" */
    double od_price;   /* $/h on demand in the region (NaN: no on-demand price) */
    double spot_price; /* $/h spot in the zone (NaN: no spot offer) */
} sk_offer;

typedef struct sk_catalog {
    sk_itype *types;
    int ntypes;
    sk_offer *offers;
    int noffers;
    int nfiles;   /* files loaded */
    int ndropped; /* data rows that made no offer: no price at all, a GCP host without the price of
                   * its GPUs in that zone, accelerator-only rows no host type used (n1 + T4...) */
} sk_catalog;

/* Add one CSV's types and offers to c (zeroed before the first call). The shape is told by the
 * header. Returns 0; SK_ENOINPUT; SK_EDATA naming file, line and column (a non-numeric price or
 * count, a missing column, a type whose specs disagree within the file...); SK_ENOMEM. On error c
 * is unchanged. */
int sk_catalog_load(sk_catalog *c, const char *path, char *err, size_t errlen);
/* Load the shipped catalogs found on the trace search path (sk_trace_find):
 * skypilot-aws-gpu-catalog/aws_gpu_vms_subset.csv, skypilot-aws-gpu-catalog/gpu_instance_specs.csv
 * and gcp-gpu-catalog/gcp_gpu_vms.csv. Returns 0; SK_ENOINPUT when one is not found; the loader's
 * errors. On error c is unchanged. */
int sk_catalog_load_default(sk_catalog *c, char *err, size_t errlen);
/* The same with flags. SK_CATALOG_STRICT: a row that gives no price at all (neither Price nor
 * SpotPrice; a GCP host whose GPUs have no price row) is SK_EDATA naming file, line and column,
 * instead of being skipped and counted in ndropped. A user's catalog is read strictly (`synkti
 * catalog --file`, the fleet's catalog_file); the shipped catalogs are not, because the AWS file
 * has capacity-block rows without prices (skypilot-aws-gpu-catalog/PROVENANCE.md). */
#define SK_CATALOG_STRICT 1u
int sk_catalog_load_ex(sk_catalog *c, const char *path, unsigned flags, char *err, size_t errlen);
void sk_catalog_free(sk_catalog *c);

/* Index of the (first) type called name, or -1. */
int sk_catalog_type(const sk_catalog *c, const char *name);
/* Index of the type (cloud, name), or -1. */
int sk_catalog_type_in(const sk_catalog *c, const char *cloud, const char *name);
/* Index of type's offer in zone, or -1. O(noffers). */
int sk_catalog_offer(const sk_catalog *c, int type, const char *zone);
/* Number of offers of type; the first min(that, cap) offer indices go to out (load order). */
int sk_catalog_offers_of(const sk_catalog *c, int type, int *out, int cap);

/* Offer filter: NULL or "" matches anything; names compare case-insensitively (h100 == H100,
 * GCP == gcp). gpu matches the type's GPU model exactly ("A100" is not "A100-80GB"). */
typedef struct sk_catalog_filter {
    const char *gpu, *cloud, *region, *zone, *type;
} sk_catalog_filter;
/* 1 if offer o of c passes f. */
int sk_catalog_match(const sk_catalog *c, const sk_offer *o, const sk_catalog_filter *f);
/* Number of offers that pass f; their first min(that, cap) indices go to out (load order). */
int sk_catalog_select(const sk_catalog *c, const sk_catalog_filter *f, int *out, int cap);

/* Price per GPU-hour of offer o (spot if spot, else on demand); NaN without that price or GPUs. */
double sk_catalog_per_gpu(const sk_catalog *c, const sk_offer *o, int spot);

#endif
