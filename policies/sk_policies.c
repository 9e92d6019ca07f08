/* sk_policies.c - the table of batch policies. Add one: write policies/NAME.c exporting
 * `const sk_policy_type sk_pol_NAME`, declare it below and add it to the list. */
#include "core/sk_policy.h"

extern const sk_policy_type sk_pol_on_demand, sk_pol_spot_only, sk_pol_greedy, sk_pol_uniform_progress,
    sk_pol_time_sliced, sk_pol_omniscient, sk_pol_strawman;

/* The first is the default when an experiment lists no policies. */
const sk_policy_def *const sk_batch_policy_defs[SK_BATCH_NPOLICIES] = {
    &sk_pol_uniform_progress.def, &sk_pol_greedy.def,     &sk_pol_on_demand.def, &sk_pol_spot_only.def,
    &sk_pol_time_sliced.def,      &sk_pol_omniscient.def, &sk_pol_strawman.def,
};
