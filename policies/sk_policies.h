/* sk_policies.h - the registered batch policies, one row each.
 *
 * Add a policy: write policies/NAME.c exporting `const sk_policy_type sk_pol_NAME` (contract in
 * core/sk_policy.h), add X(NAME) below and the file to CMakeLists.txt. Nothing else counts them:
 * the table and its length are made from this list. The first row is the default policy when an
 * experiment lists none. */
#ifndef SK_POLICIES_H
#define SK_POLICIES_H

#include <stddef.h>

#include "core/sk_policy.h"

#define SK_BATCH_POLICIES(X) \
    X(uniform_progress)      \
    X(greedy)                \
    X(on_demand)             \
    X(spot_only)             \
    X(time_sliced)           \
    X(omniscient)            \
    X(strawman)

#define SK_POLICIES__DECL(name) extern const sk_policy_type sk_pol_##name;
SK_BATCH_POLICIES(SK_POLICIES__DECL)
#undef SK_POLICIES__DECL

/* The list's length as a constant expression (for static tables such as the batch kind's). */
#define SK_POLICIES__ONE(name) +1
#define SK_BATCH_NPOLICY_ROWS (0 SK_BATCH_POLICIES(SK_POLICIES__ONE))

/* The policies in list order, then NULL. */
extern const sk_policy_def *const sk_batch_policy_defs[];

#endif
