/* sk_migration.c - checkpoint transfers between zones (sk_migration.h). */
#include "models/sk_migration.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static void sk__copy(char *dst, size_t len, const char *src, size_t n) {
    if (!len) return;
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

void sk_mig_parse(const char *name, char *zone, size_t zlen, char *region, size_t rlen) {
    size_t n = strcspn(name, "_");
    sk__copy(zone, zlen, name, n);
    size_t r = n ? n - 1 : 0; /* without the zone letter */
    if (r && name[r - 1] == '-') r--;
    sk__copy(region, rlen, name, r);
}

void sk_mig_cloud_region(const char *zone, char *out, size_t len) {
    size_t n = strlen(zone);
    /* GCP: (.+\d+)-[a-z] */
    if (n >= 4 && islower((unsigned char)zone[n - 1]) && zone[n - 2] == '-' && isdigit((unsigned char)zone[n - 3])) {
        sk__copy(out, len, zone, n - 2);
        return;
    }
    /* AWS: (.+-\d+)[a-z] */
    if (n >= 4 && islower((unsigned char)zone[n - 1]) && isdigit((unsigned char)zone[n - 2])) {
        size_t i = n - 2;
        while (i > 0 && isdigit((unsigned char)zone[i - 1])) i--;
        if (i >= 2 && zone[i - 1] == '-') {
            sk__copy(out, len, zone, n - 1);
            return;
        }
    }
    sk__copy(out, len, zone, n);
}

const char *sk_mig_cloud(const char *zone) {
    size_t n = strlen(zone);
    return n >= 4 && islower((unsigned char)zone[n - 1]) && zone[n - 2] == '-' && isdigit((unsigned char)zone[n - 3]) ? "gcp" : "aws";
}

sk_relation sk_mig_relation(const char *src, const char *dst) {
    char zs[128], zd[128], rs[128], rd[128];
    sk_mig_parse(src, zs, sizeof zs, rs, sizeof rs);
    sk_mig_parse(dst, zd, sizeof zd, rd, sizeof rd);
    if (!strcmp(zs, zd)) return SK_REL_SAME_ZONE;
    if (!strcmp(rs, rd)) return SK_REL_CROSS_AZ;
    size_t a = strcspn(rs, "-"), b = strcspn(rd, "-");
    if (a == b && !strncmp(rs, rd, a)) return SK_REL_CROSS_REGION;
    return SK_REL_CROSS_CONTINENT;
}

double sk_mig_transfer_hours(const char *src, const char *dst, double gb) {
    sk_relation rel = sk_mig_relation(src, dst);
    if (rel == SK_REL_SAME_ZONE || rel == SK_REL_CROSS_AZ) return 0.0;
    double speed = rel == SK_REL_CROSS_REGION ? 8200 : 3590; /* Mbit/s; 9720 within a region */
    double s = gb * 8 * 1024 / speed - gb * 8 * 1024 / 9720;
    return (s > 0 ? s : 0) / 3600;
}

static int sk__pre(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }
static int sk__meafil(const char *d) { return sk__pre(d, "me-") || sk__pre(d, "af-") || sk__pre(d, "il-"); }

double sk_mig_egress_rate(const char *s, const char *d) {
    if ((!strcmp(s, "us-east-1") && !strcmp(d, "us-east-2")) || (!strcmp(s, "us-east-2") && !strcmp(d, "us-east-1")))
        return 0.01;
    if (strstr(s, "gov")) return 0.03;
    if (!strcmp(s, "ca-central-1")) return 0.02;
    if (sk__pre(s, "us-")) return 0.02;
    if (!strcmp(s, "ca-west-1")) return sk__pre(d, "eu-") ? 0.05 : sk__meafil(d) ? 0.14 : 0.02;
    if (!strcmp(s, "mx-central-1")) return sk__meafil(d) ? 0.14 : 0.02;
    if (sk__pre(s, "eu-"))
        return !strcmp(d, "ca-west-1") || !strcmp(d, "mx-central-1") ? 0.05 : !strcmp(d, "ap-southeast-7") ? 0.08 : 0.02;
    if (sk__pre(s, "ap-")) return sk__pre(d, "ap-") ? 0.08 : sk__meafil(d) ? 0.11 : 0.02;
    if (sk__pre(s, "me-")) return 0.085;
    if (sk__pre(s, "sa-")) return 0.138;
    if (sk__pre(s, "af-")) return 0.147;
    if (!strcmp(s, "il-central-1")) return sk__pre(d, "ap-") ? 0.15 : 0.02;
    return 0.02;
}

double sk_mig_transfer_usd(const char *src, const char *dst, double gb) {
    sk_relation rel = sk_mig_relation(src, dst);
    if (rel == SK_REL_SAME_ZONE || rel == SK_REL_CROSS_AZ) return 0.0;
    char zs[128], zd[128], rs[128], rd[128];
    sk_mig_parse(src, zs, sizeof zs, rs, sizeof rs);
    sk_mig_parse(dst, zd, sizeof zd, rd, sizeof rd);
    return gb * sk_mig_egress_rate(rs, rd);
}
