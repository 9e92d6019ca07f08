/* sk_migration.h - moving a job's checkpoint between zones: how the two zones relate, how long the
 * copy takes and what egress it costs (../shared/specs/skynomad-multiregion.md section 6; AWS's
 * published inter-region data-transfer prices, which GCP names fall back to at the default rate).
 *
 * Names are trace names such as "us-east4-a_h100_16" or "us-east-1f_v100_1": the zone is the text
 * up to the first '_'. */
#ifndef SK_MIGRATION_H
#define SK_MIGRATION_H

#include <stddef.h>

typedef enum { SK_REL_SAME_ZONE = 0, SK_REL_CROSS_AZ, SK_REL_CROSS_REGION, SK_REL_CROSS_CONTINENT } sk_relation;

/* The zone ("us-east4-a") and the transfer model's region (the zone without its last character
 * and one trailing '-': "us-east4"), written into the buffers (truncated to their size). */
void sk_mig_parse(const char *name, char *zone, size_t zlen, char *region, size_t rlen);
/* The cloud region of a zone name for placement: GCP "us-east4-a" -> "us-east4"
 * (`^(.+\d+)-[a-z]$`), else AWS "us-east-1f" -> "us-east-1" (`^(.+-\d+)[a-z]$`), else the zone. */
void sk_mig_cloud_region(const char *zone, char *out, size_t len);
/* "gcp" when the zone has GCP's form, else "aws". */
const char *sk_mig_cloud(const char *zone);
sk_relation sk_mig_relation(const char *src, const char *dst);
/* Extra hours to copy `gb` gigabytes from src to dst (0 within a region). */
double sk_mig_transfer_hours(const char *src, const char *dst, double gb);
/* Egress dollars for `gb` gigabytes from src to dst (0 within a region). */
double sk_mig_transfer_usd(const char *src, const char *dst, double gb);
/* The $/GB rate behind sk_mig_transfer_usd between two model regions ("us-east-1", "eu-west-2"). */
double sk_mig_egress_rate(const char *src_region, const char *dst_region);

#endif
