/* sk_policies.c - the table of batch policies, made from the list in sk_policies.h. */
#include "policies/sk_policies.h"

#define SK_POLICIES__ROW(name) &sk_pol_##name.def,
const sk_policy_def *const sk_batch_policy_defs[] = {SK_BATCH_POLICIES(SK_POLICIES__ROW) NULL};
