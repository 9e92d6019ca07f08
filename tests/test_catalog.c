/* test_catalog.c - the instance catalog (models/sk_catalog) on the shipped shared datasets
 * skypilot-aws-gpu-catalog/ and gcp-gpu-catalog/: exact rows and counts (counted independently
 * with Python's csv module, see docs/fleet_catalog.md), the GCP host + accelerator join and the GPUs
 * implied by a2/a3/a4/g2 machine names, the GPU memory join of gpu_instance_specs.csv, duplicate
 * rows, updates by a later file, filters; and every loader error on hand-made bad files (message
 * names file, line and column; the catalog is left unchanged).
 *
 * The datasets are found on the project's trace search path (test_traces.h). Missing data is a
 * failure, not a skip. */
#include "models/sk_catalog.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define T_AWS "skypilot-aws-gpu-catalog/aws_gpu_vms_subset.csv"
#define T_SPECS "skypilot-aws-gpu-catalog/gpu_instance_specs.csv"
#define T_GCP "gcp-gpu-catalog/gcp_gpu_vms.csv"
#define T_HDR "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\n"
#define T_GHDR "InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice\n"

static char t_dir[64]; /* fresh folder for the hand-made files, removed at the end */

/* Load root/rel into c; 0 or the loader's code (its message on stderr). */
static int t_load(sk_catalog *c, const char *root, const char *rel) {
    char path[4096], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", root, rel);
    int rc = sk_catalog_load(c, path, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  %s\n", err);
    return rc;
}

/* Write text to t_dir/name; path left in buf. */
static int t_write(char *buf, size_t len, const char *name, const char *text) {
    return t_write_in(buf, len, t_dir, name, text);
}

/* The offer of type (cloud, name) in zone, or NULL. */
static const sk_offer *t_offer(const sk_catalog *c, const char *cloud, const char *name, const char *zone) {
    int t = sk_catalog_type_in(c, cloud, name);
    int o = t < 0 ? -1 : sk_catalog_offer(c, t, zone);
    return o < 0 ? NULL : &c->offers[o];
}

/* ---- the shipped AWS catalog ------------------------------------------------------------------ */

static void test_aws_rows(void) {
    NEED_DATA(root);
    sk_catalog c = {0};
    ASSERT_EQ_INT(t_load(&c, root, T_AWS), 0);
    /* 784 rows: 3 p5e rows with neither price make no offer, 5 p4de (type, zone) pairs repeat */
    ASSERT_EQ_INT(c.ntypes, 30);
    ASSERT_EQ_INT(c.noffers, 776);
    ASSERT_EQ_INT(c.ndropped, 3);
    ASSERT_EQ_INT(c.nfiles, 1);
    int t = sk_catalog_type(&c, "p3.2xlarge");
    ASSERT_TRUE(t >= 0);
    const sk_itype *p3 = &c.types[t];
    ASSERT_TRUE(!strcmp(p3->cloud, "aws") && !strcmp(p3->gpu, "V100"));
    ASSERT_EQ_INT(p3->gpus, 1);
    ASSERT_NEAR(p3->vcpus, 8, 0);
    ASSERT_NEAR(p3->mem_gb, 61, 0);
    ASSERT_TRUE(isnan(p3->gpu_mem_gb)); /* the offers file does not say; gpu_instance_specs.csv does */
    int idx[64];
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, t, idx, 64), 28);
    const sk_offer *o = t_offer(&c, "aws", "p3.2xlarge", "use1-az2"); /* line 656 */
    ASSERT_TRUE(o != NULL);
    ASSERT_TRUE(!strcmp(o->region, "us-east-1"));
    ASSERT_NEAR(o->od_price, 3.06, 0);
    ASSERT_NEAR(o->spot_price, 0.7657, 0);
    o = t_offer(&c, "aws", "p3.2xlarge", "use1-az3"); /* line 657: empty SpotPrice = no spot offer */
    ASSERT_TRUE(o && o->od_price == 3.06 && isnan(o->spot_price));
    o = t_offer(&c, "aws", "p3.2xlarge", "apne2-az3"); /* spot at the on-demand cap */
    ASSERT_TRUE(o && o->od_price == 4.234 && o->spot_price == 4.234);
    /* p4de use1-az4 appears twice (lines 723-724), with and without a spot price: one offer, spot kept */
    o = t_offer(&c, "aws", "p4de.24xlarge", "use1-az4");
    ASSERT_TRUE(o && o->od_price == 40.96575 && o->spot_price == 7.8074);
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, sk_catalog_type(&c, "p4de.24xlarge"), idx, 64), 10);
    /* p5e: no on-demand price (capacity blocks); 4 of its 7 zones have a spot price */
    t = sk_catalog_type(&c, "p5e.48xlarge");
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, t, idx, 64), 4);
    o = t_offer(&c, "aws", "p5e.48xlarge", "apse3-az1");
    ASSERT_TRUE(o && isnan(o->od_price) && o->spot_price == 14.925);
    ASSERT_TRUE(t_offer(&c, "aws", "p5e.48xlarge", "apse2-az3") == NULL);
    ASSERT_NEAR(sk_catalog_per_gpu(&c, o, 1), 14.925 / 8, 1e-15);
    ASSERT_TRUE(isnan(sk_catalog_per_gpu(&c, o, 0)));
    /* every offer's zone is unique for its type */
    for (int i = 0; i < c.noffers; i++)
        if (sk_catalog_offer(&c, c.offers[i].type, c.offers[i].zone) != i) SK_T_FAIL_("offer %d not found back", i);
    sk_catalog_free(&c);
    ASSERT_TRUE(c.types == NULL && c.noffers == 0);
}

static void test_specs_join(void) {
    NEED_DATA(root);
    sk_catalog c = {0};
    ASSERT_EQ_INT(t_load(&c, root, T_AWS), 0);
    sk_itype before = c.types[sk_catalog_type(&c, "g5.xlarge")];
    ASSERT_EQ_INT(t_load(&c, root, T_SPECS), 0);
    ASSERT_EQ_INT(c.ntypes, 30); /* all 30 types of the specs file are in the offers file */
    ASSERT_EQ_INT(c.noffers, 776);
    ASSERT_EQ_INT(c.nfiles, 2);
    for (int i = 0; i < c.ntypes; i++)
        if (!(c.types[i].gpu_mem_gb > 0)) SK_T_FAIL_("%s has no GPU memory after the specs join", c.types[i].name);
    ASSERT_NEAR(c.types[sk_catalog_type(&c, "p3.2xlarge")].gpu_mem_gb, 16, 0);
    ASSERT_NEAR(c.types[sk_catalog_type(&c, "p3dn.24xlarge")].gpu_mem_gb, 32, 0);
    ASSERT_NEAR(c.types[sk_catalog_type(&c, "p5.48xlarge")].gpu_mem_gb, 80, 0);
    ASSERT_NEAR(c.types[sk_catalog_type(&c, "p5e.48xlarge")].gpu_mem_gb, 141, 0); /* 144384 MiB */
    const sk_itype *g5 = &c.types[sk_catalog_type(&c, "g5.xlarge")];
    ASSERT_NEAR(g5->gpu_mem_gb, 22888.0 / 1024, 0);
    ASSERT_TRUE(!strcmp(g5->gpu, before.gpu) && g5->gpus == before.gpus && g5->vcpus == before.vcpus);
    /* a specs-only file adds a type without offers */
    char path[256], err[512];
    ASSERT_EQ_INT(t_write(path, sizeof path, "specs.csv",
                          "InstanceType,AcceleratorName,AcceleratorCount,GpuMemoryMiBPerGpu\nx9.large,X1,2,49152\n"),
                  0);
    ASSERT_EQ_INT(sk_catalog_load(&c, path, err, sizeof err), 0);
    ASSERT_EQ_INT(c.ntypes, 31);
    ASSERT_EQ_INT(c.noffers, 776);
    int t = sk_catalog_type_in(&c, "aws", "x9.large");
    ASSERT_TRUE(t == 30 && !strcmp(c.types[t].gpu, "X1") && c.types[t].gpus == 2 && c.types[t].gpu_mem_gb == 48);
    ASSERT_TRUE(isnan(c.types[t].vcpus));
    int idx[4];
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, t, idx, 4), 0);
    sk_catalog_free(&c);
}

/* ---- the shipped GCP catalog ------------------------------------------------------------------ */

static void test_gcp_mapping(void) {
    NEED_DATA(root);
    sk_catalog c = {0};
    ASSERT_EQ_INT(t_load(&c, root, T_GCP), 0);
    /* 656 host rows, 747 accelerator-only rows; a3-megagpu-8g has no H100-MEGA price in 2 of its
     * zones; 319 accelerator rows price no host (T4/V100/P100/P4 need n1 hosts, A100 x16 outside
     * a2-megagpu's zones...) */
    ASSERT_EQ_INT(c.ntypes, 27);
    ASSERT_EQ_INT(c.noffers, 654);
    ASSERT_EQ_INT(c.ndropped, 2 + 319);
    static const struct {
        const char *name, *gpu;
        int gpus;
        double mem;
    } want[] = {
        {"a2-highgpu-1g", "A100", 1, 40},      {"a2-highgpu-8g", "A100", 8, 40},   {"a2-megagpu-16g", "A100", 16, 40},
        {"a2-ultragpu-1g", "A100-80GB", 1, 80}, {"a2-ultragpu-8g", "A100-80GB", 8, 80},
        {"a3-highgpu-1g", "H100", 1, 80},      {"a3-highgpu-4g", "H100", 4, 80},   {"a3-edgegpu-8g-nolssd", "H100", 8, 80},
        {"a3-megagpu-8g", "H100", 8, 80},      {"a3-ultragpu-8g", "H200", 8, 141}, {"a4-highgpu-8g", "B200", 8, 180},
        {"g2-standard-4", "L4", 1, 24},        {"g2-standard-32", "L4", 1, 24},    {"g2-standard-24", "L4", 2, 24},
        {"g2-standard-48", "L4", 4, 24},       {"g2-standard-96", "L4", 8, 24},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int t = sk_catalog_type_in(&c, "gcp", want[i].name);
        if (t < 0) SK_T_FAIL_("%s missing", want[i].name);
        const sk_itype *y = &c.types[t];
        if (strcmp(y->gpu, want[i].gpu) || y->gpus != want[i].gpus || y->gpu_mem_gb != want[i].mem)
            SK_T_FAIL_("%s: %d x %s %.1f GiB, want %d x %s %.1f", want[i].name, y->gpus, y->gpu, y->gpu_mem_gb,
                       want[i].gpus, want[i].gpu, want[i].mem);
    }
    /* price = host row + accelerator row of the same zone (lines 13 + 669) */
    const sk_offer *o = t_offer(&c, "gcp", "a2-highgpu-1g", "us-central1-a");
    ASSERT_TRUE(o && !strcmp(o->region, "us-central1"));
    ASSERT_NEAR(o->od_price, 0.73948 + 2.93391, 1e-12);
    ASSERT_NEAR(o->spot_price, 0.36975 + 1.4341, 1e-12);
    /* the same sum is the bundled a2-highgpu-1g price of gcp-gpu-price-history (us-central1):
     * 3.673385 $/h, an independent check of the host + GPU rule */
    ASSERT_NEAR(o->od_price, 3.673385, 1e-5);
    o = t_offer(&c, "gcp", "g2-standard-24", "us-central1-a"); /* 2 x L4: lines 425 + 1016 */
    ASSERT_NEAR(o->od_price, 0.88075 + 1.12008, 1e-12);
    ASSERT_NEAR(o->od_price, 2.000832574, 1e-5); /* gcp-gpu-price-history, us-central1 */
    ASSERT_NEAR(o->spot_price, 0.37008 + 0.4686, 1e-12);
    o = t_offer(&c, "gcp", "a3-highgpu-8g", "us-central1-a"); /* lines 246 + 898 */
    ASSERT_NEAR(o->od_price, 9.46006 + 33.60609, 1e-12);
    ASSERT_NEAR(o->spot_price, 3.86318 + 32.0104, 1e-12);
    o = t_offer(&c, "gcp", "a3-megagpu-8g", "us-central1-a"); /* priced as H100-MEGA: 267 + 922 */
    ASSERT_NEAR(o->od_price, 9.46006 + 82.75421, 1e-12);
    ASSERT_NEAR(o->spot_price, 3.86318 + 33.8016, 1e-12);
    int idx[64];
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, sk_catalog_type(&c, "a3-megagpu-8g"), idx, 64), 19);
    ASSERT_EQ_INT(sk_catalog_offers_of(&c, sk_catalog_type(&c, "g2-standard-4"), idx, 64), 44);
    /* an accelerator row without a spot price: the offer has none either (H200 in us-east5-a) */
    o = t_offer(&c, "gcp", "a3-ultragpu-8g", "us-east5-a");
    ASSERT_TRUE(o && o->od_price > 0 && isnan(o->spot_price));
    sk_catalog_free(&c);
}

static void test_default_and_filters(void) {
    NEED_DATA(root);
    (void)root;
    sk_catalog c = {0}, d = {0};
    char err[512] = "";
    ASSERT_EQ_INT(sk_catalog_load_default(&c, err, sizeof err), 0);
    ASSERT_EQ_INT(c.ntypes, 57);
    ASSERT_EQ_INT(c.noffers, 1430);
    ASSERT_EQ_INT(c.nfiles, 3);
    ASSERT_EQ_INT(c.ndropped, 3 + 2 + 319);
    ASSERT_NEAR(c.types[sk_catalog_type(&c, "p3.8xlarge")].gpu_mem_gb, 16, 0);
    /* loading is deterministic: a second load is bitwise the same */
    ASSERT_EQ_INT(sk_catalog_load_default(&d, err, sizeof err), 0);
    ASSERT_TRUE(d.ntypes == c.ntypes && d.noffers == c.noffers);
    ASSERT_TRUE(!memcmp(c.types, d.types, (size_t)c.ntypes * sizeof *c.types));
    ASSERT_TRUE(!memcmp(c.offers, d.offers, (size_t)c.noffers * sizeof *c.offers));
    /* loading the same file again changes nothing */
    ASSERT_EQ_INT(t_load(&d, root, T_AWS), 0);
    ASSERT_TRUE(d.ntypes == c.ntypes && d.noffers == c.noffers);
    ASSERT_TRUE(!memcmp(c.offers, d.offers, (size_t)c.noffers * sizeof *c.offers));
    sk_catalog_free(&d);

    /* --gpu h100 --cloud GCP: a3-highgpu-{1,2,4,8}g in 24 zones, a3-edgegpu-8g(-nolssd) in 23,
     * a3-megagpu-8g in 19 */
    int *idx = malloc((size_t)c.noffers * sizeof *idx);
    ASSERT_TRUE(idx != NULL);
    sk_catalog_filter f = {.gpu = "h100", .cloud = "GCP"};
    int n = sk_catalog_select(&c, &f, idx, c.noffers);
    ASSERT_EQ_INT(n, 4 * 24 + 2 * 23 + 19);
    for (int i = 0; i < n; i++) {
        const sk_itype *t = &c.types[c.offers[idx[i]].type];
        if (strcmp(t->gpu, "H100") || strcmp(t->cloud, "gcp")) SK_T_FAIL_("%s (%s %s) passed the filter", t->name, t->cloud, t->gpu);
    }
    f = (sk_catalog_filter){.gpu = "H100"}; /* + p5.48xlarge's 30 */
    ASSERT_EQ_INT(sk_catalog_select(&c, &f, idx, c.noffers), 4 * 24 + 2 * 23 + 19 + 30);
    f = (sk_catalog_filter){.gpu = "a100"}; /* the 40 GB A100 only: a2-highgpu 4 x 19, a2-megagpu 8, p4d 17 */
    ASSERT_EQ_INT(sk_catalog_select(&c, &f, idx, c.noffers), 4 * 19 + 8 + 17);
    f = (sk_catalog_filter){.zone = "US-CENTRAL1-A", .type = "a2-highgpu-1g"};
    ASSERT_EQ_INT(sk_catalog_select(&c, &f, idx, 1), 1);
    ASSERT_EQ_INT(idx[0], sk_catalog_offer(&c, sk_catalog_type(&c, "a2-highgpu-1g"), "us-central1-a"));
    f = (sk_catalog_filter){.region = "us-east-1", .cloud = "aws", .gpu = "V100"}; /* p3.{2,8,16}x in 6 AZs */
    ASSERT_EQ_INT(sk_catalog_select(&c, &f, idx, 0), 18);
    free(idx);
    sk_catalog_free(&c);
}

/* ---- user CSVs: Cloud column, updates --------------------------------------------------------- */

static void test_user_csv(void) {
    NEED_DATA(root);
    sk_catalog c = {0};
    char path[256], err[512] = "";
    ASSERT_EQ_INT(t_load(&c, root, T_AWS), 0);
    /* a later file updates an offer: its prices replace, its empty fields keep the old values */
    ASSERT_EQ_INT(t_write(path, sizeof path, "upd.csv",
                          "AvailabilityZone,Region,InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice\n"
                          "use1-az2,us-east-1,p3.2xlarge,V100,1,8,61,,0.5\n"
                          "use1-az3,us-east-1,p3.2xlarge,V100,1,8,61,2.5,\n"),
                  0);
    ASSERT_EQ_INT(sk_catalog_load(&c, path, err, sizeof err), 0);
    ASSERT_EQ_INT(c.noffers, 776);
    const sk_offer *o = t_offer(&c, "aws", "p3.2xlarge", "use1-az2");
    ASSERT_TRUE(o && o->od_price == 3.06 && o->spot_price == 0.5);
    o = t_offer(&c, "aws", "p3.2xlarge", "use1-az3");
    ASSERT_TRUE(o && o->od_price == 2.5 && isnan(o->spot_price));
    /* a Cloud column names the cloud (any case); GCP machine names imply their GPUs; without
     * accelerator rows in the file the VM price is the instance price */
    ASSERT_EQ_INT(t_write(path, sizeof path, "cloud.csv",
                          "Cloud," T_HDR "GCP,g2-standard-8,,,8,32,0.85,0.24,us-central1,us-central1-b\n"
                          "aws,p3.2xlarge,V100,1,8,61,9,1,us-east-1,use1-az9\n"),
                  0);
    ASSERT_EQ_INT(sk_catalog_load(&c, path, err, sizeof err), 0);
    int t = sk_catalog_type_in(&c, "gcp", "g2-standard-8");
    ASSERT_TRUE(t >= 0 && !strcmp(c.types[t].gpu, "L4") && c.types[t].gpus == 1);
    o = t_offer(&c, "gcp", "g2-standard-8", "us-central1-b");
    ASSERT_TRUE(o && o->od_price == 0.85 && o->spot_price == 0.24);
    ASSERT_EQ_INT(c.ntypes, 31);
    ASSERT_EQ_INT(c.noffers, 778);
    /* a GCP-shaped file: hosts priced with the accelerator row of their zone, in any column order */
    ASSERT_EQ_INT(t_write(path, sizeof path, "g.csv",
                          T_GHDR "a3-highgpu-2g,52,468,,,,r1,r1-a,1,0.5\n"
                                 ",,,H100,2,{'Gpus': [{'MemoryInfo': {'SizeInMiB': 81920}}]},r1,r1-a,8,3\n"
                                 "a3-highgpu-2g,52,468,,,,r1,r1-b,1,0.5\n"),
                  0);
    sk_catalog g = {0};
    ASSERT_EQ_INT(sk_catalog_load(&g, path, err, sizeof err), 0);
    ASSERT_EQ_INT(g.noffers, 1);
    ASSERT_EQ_INT(g.ndropped, 1); /* r1-b has no H100 x2 price */
    ASSERT_TRUE(g.offers[0].od_price == 9 && g.offers[0].spot_price == 3.5 && g.types[0].gpu_mem_gb == 80);
    sk_catalog_free(&g);
    sk_catalog_free(&c);
}

/* ---- errors ----------------------------------------------------------------------------------- */

/* Load text as a catalog file into c (holding the AWS catalog); expect code and every needle in
 * the message, and c unchanged. */
static void t_bad(sk_catalog *c, const char *name, const char *text, int code, const char *n1, const char *n2) {
    char path[256], err[512] = "";
    if (t_write(path, sizeof path, name, text) < 0) SK_T_FAIL_("cannot write %s", path);
    sk_catalog before = *c;
    sk_offer o0 = c->offers[0];
    int rc = sk_catalog_load(c, path, err, sizeof err);
    if (rc != code) SK_T_FAIL_("%s: got %s, want %s (%s)", name, sk_err_name(rc), sk_err_name(code), err);
    ASSERT_STR_CONTAINS(err, n1);
    if (n2) ASSERT_STR_CONTAINS(err, n2);
    ASSERT_STR_CONTAINS(err, name);
    ASSERT_TRUE(c->types == before.types && c->offers == before.offers && c->ntypes == before.ntypes &&
                c->noffers == before.noffers && c->ndropped == before.ndropped && c->nfiles == before.nfiles);
    ASSERT_TRUE(!memcmp(&o0, &c->offers[0], sizeof o0));
}

static void test_errors(void) {
    NEED_DATA(root);
    sk_catalog c = {0};
    ASSERT_EQ_INT(t_load(&c, root, T_AWS), 0);
    t_bad(&c, "price.csv", T_HDR "p3.2xlarge,V100,1,8,61,3.06,0.5,us-east-1,use1-az1\np3.2xlarge,V100,1,8,61,$3,0.5,us-east-1,use1-az2\n",
          SK_EDATA, "price.csv:3: column Price:", "'$3'");
    t_bad(&c, "neg.csv", T_HDR "p3.2xlarge,V100,1,8,61,3.06,-0.5,us-east-1,use1-az1\n", SK_EDATA, "neg.csv:2: column SpotPrice:",
          "'-0.5'");
    t_bad(&c, "count.csv", T_HDR "g5.xlarge,A10G,1,4,16,1,0.1,us-east-1,use1-az1\ng5.xlarge,A10G,one,4,16,1,0.1,us-east-1,use1-az2\n",
          SK_EDATA, "count.csv:3: column AcceleratorCount:", "'one'");
    t_bad(&c, "half.csv", T_HDR "g5.xlarge,A10G,1.5,4,16,1,0.1,us-east-1,use1-az1\n", SK_EDATA, "half.csv:2: column AcceleratorCount:",
          "'1.5'");
    t_bad(&c, "nogpu.csv", T_HDR "g5.xlarge,A10G,,4,16,1,0.1,us-east-1,use1-az1\n", SK_EDATA, "nogpu.csv:2: column AcceleratorCount", NULL);
    t_bad(&c, "vcpu.csv", T_HDR "g5.xlarge,A10G,1,four,16,1,0.1,us-east-1,use1-az1\n", SK_EDATA, "vcpu.csv:2: column vCPUs:", NULL);
    t_bad(&c, "col.csv",
          "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,AvailabilityZone\n"
          "g5.xlarge,A10G,1,4,16,1,us-east-1,use1-az1\n",
          SK_EDATA, "col.csv:1: missing column SpotPrice", NULL);
    t_bad(&c, "nozone.csv", T_HDR "g5.xlarge,A10G,1,4,16,1,0.1,us-east-1,\n", SK_EDATA, "nozone.csv:2: column AvailabilityZone: empty",
          NULL);
    t_bad(&c, "twice.csv", "Price," T_HDR, SK_EDATA, "twice.csv:1: column Price appears twice", NULL);
    t_bad(&c, "short.csv", T_HDR "\n\ng5.xlarge,A10G,1,4,16,1,0.1,us-east-1\n", SK_EDATA, "short.csv:4: 8 fields, the header has 9", NULL);
    t_bad(&c, "clash.csv", T_HDR "g5.xlarge,A10G,1,4,16,1,0.1,us-east-1,use1-az1\ng5.xlarge,A10G,1,8,16,1,0.1,us-east-1,use1-az2\n",
          SK_EDATA, "clash.csv:3: column vCPUs: type g5.xlarge has 8 here but 4 at line 2", NULL);
    t_bad(&c, "a2.csv", T_GHDR "a2-highgpu-xg,12,85,,,,r,r-a,1,0.5\n", SK_EDATA, "a2.csv:2: column AcceleratorName:", "a2-highgpu-xg");
    t_bad(&c, "g2.csv", T_GHDR "g2-standard-6,6,24,,,,r,r-a,1,0.5\n", SK_EDATA, "g2.csv:2: column AcceleratorName:", "g2-standard-6");
    t_bad(&c, "acc.csv", T_GHDR ",,,,,,r,r-a,1,0.5\n", SK_EDATA, "acc.csv:2: column AcceleratorName: empty on an accelerator-only row",
          NULL);
    t_bad(&c, "info.csv", T_GHDR ",,,H100,1,{'SizeInMiB': big},r,r-a,1,0.5\n", SK_EDATA, "info.csv:2: column GpuInfo:", NULL);
    t_bad(&c, "long.csv", T_HDR "g5.xlarge-with-a-name-far-too-long-for-the-type-field,A10G,1,4,16,1,0.1,us-east-1,use1-az1\n",
          SK_EDATA, "long.csv:2: column InstanceType: longer than 47", NULL);
    t_bad(&c, "quote.csv", T_HDR "g5.xlarge,\"A10G,1,4,16,1,0.1,us-east-1,use1-az1\n", SK_EDATA, "quote.csv", NULL);
    t_bad(&c, "empty.csv", "", SK_EDATA, "empty.csv:1: empty file", NULL);
    t_bad(&c, "specs.csv", "InstanceType,AcceleratorName,AcceleratorCount,GpuMemoryMiBPerGpu\nx,X1,1,-3\n", SK_EDATA,
          "specs.csv:2: column GpuMemoryMiBPerGpu:", NULL);
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "%s/none.csv", t_dir);
    ASSERT_EQ_INT(sk_catalog_load(&c, path, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, "none.csv");
    ASSERT_EQ_INT(c.noffers, 776);
    /* a row with neither price is no offer and no error (AWS p5e: capacity blocks only) */
    ASSERT_EQ_INT(t_write(path, sizeof path, "noprice.csv", T_HDR "p5e.48xlarge,H200,8,192,2048,,,r,r-z\n"), 0);
    sk_catalog d = {0};
    ASSERT_EQ_INT(sk_catalog_load(&d, path, err, sizeof err), 0);
    ASSERT_TRUE(d.ntypes == 1 && d.noffers == 0 && d.ndropped == 1);
    sk_catalog_free(&d);
    sk_catalog_free(&c);
}

static const sk_test tests[] = {
    {"aws_rows", test_aws_rows},
    {"specs_join", test_specs_join},
    {"gcp_mapping", test_gcp_mapping},
    {"default_and_filters", test_default_and_filters},
    {"user_csv", test_user_csv},
    {"errors", test_errors},
    {NULL, NULL},
};

int main(int argc, char **argv) {
    snprintf(t_dir, sizeof t_dir, "/tmp/sk_catalog_test.XXXXXX");
    if (!mkdtemp(t_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = sk_test_main(tests, argc, argv);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", t_dir);
    return rc;
}
