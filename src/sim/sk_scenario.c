/* sk_scenario.c - the table of scenario kinds. Add a kind: write its file, add one row here. */
#include "core/sk_scenario.h"

#include <string.h>

extern const sk_scenario_kind sk_scn_phold, sk_scn_batch, sk_scn_multi;

const sk_scenario_kind *const sk_scenario_kinds[] = {
    &sk_scn_batch,
    &sk_scn_multi,
    &sk_scn_phold,
    NULL,
};

const sk_scenario_kind *sk_scenario_find(const char *name) {
    for (size_t i = 0; sk_scenario_kinds[i]; i++)
        if (!strcmp(sk_scenario_kinds[i]->name, name)) return sk_scenario_kinds[i];
    return NULL;
}

const sk_policy_def *sk_scenario_policy(const sk_scenario_kind *k, const char *name) {
    for (size_t i = 0; i < k->npolicies; i++)
        if (!strcmp(k->policies[i]->name, name)) return k->policies[i];
    return NULL;
}
