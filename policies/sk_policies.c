/* sk_policies.c - the table of batch policies, made from the list in sk_policies.h. */
#include "policies/sk_policies.h"

#define SK_POLICIES__ROW(name, old) &sk_pol_##name.def,
const sk_policy_def *const sk_batch_policy_defs[] = {SK_BATCH_POLICIES(SK_POLICIES__ROW) NULL};

int sk_batch_policy_old(const sk_policy_def *d) {
#define SK_POLICIES__OLD(name, old) \
    if (d == &sk_pol_##name.def) return old;
    SK_BATCH_POLICIES(SK_POLICIES__OLD)
#undef SK_POLICIES__OLD
    return 0;
}
