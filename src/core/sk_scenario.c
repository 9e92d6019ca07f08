/* sk_scenario.c - lookups over one scenario kind's tables (the kinds themselves are registered in
 * sim/sk_kinds.c). */
#include "core/sk_scenario.h"

#include <string.h>

const sk_policy_def *sk_scenario_policy(const sk_scenario_kind *k, const char *name) {
    for (size_t i = 0; i < k->npolicies; i++)
        if (!strcmp(k->policies[i]->name, name)) return k->policies[i];
    return NULL;
}
