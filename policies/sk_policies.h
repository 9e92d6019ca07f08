/* sk_policies.h - the registered batch policies, one row each.
 *
 * Add a policy: write policies/NAME.c exporting `const sk_gpolicy sk_pol_NAME` (the general
 * contract, core/sk_world.h; policies/cbl_common.h has what the single-zone policies share), add
 * X(NAME, OLD) below and the file to CMakeLists.txt. OLD says which reference simulator evaluates
 * the policy by default in the batch kind (0: the new one, 1: the 2023 one; `simulator:`
 * overrides): the kind's business, kept beside the row so a new policy is still one row. Nothing else counts the rows: the table and its length
 * are made from this list. The first row is the default policy when an experiment lists none. */
#ifndef SK_POLICIES_H
#define SK_POLICIES_H

#include <stddef.h>

#include "core/sk_world.h"

#define SK_BATCH_POLICIES(X) \
    X(uniform_progress, 0)   \
    X(greedy, 0)             \
    X(on_demand, 0)          \
    X(spot_only, 1)          \
    X(time_sliced, 0)        \
    X(omniscient, 1)         \
    X(strawman, 1)

#define SK_POLICIES__DECL(name, old) extern const sk_gpolicy sk_pol_##name;
SK_BATCH_POLICIES(SK_POLICIES__DECL)
#undef SK_POLICIES__DECL

/* The list's length as a constant expression (for static tables such as the batch kind's). */
#define SK_POLICIES__ONE(name, old) +1
#define SK_BATCH_NPOLICY_ROWS (0 SK_BATCH_POLICIES(SK_POLICIES__ONE))

/* The policies in list order, then NULL. */
extern const sk_policy_def *const sk_batch_policy_defs[];

/* 1 if policy `d` (one of the list) is evaluated by the old simulator by default. */
int sk_batch_policy_old(const sk_policy_def *d);

#endif
