/* sk_kinds.c - the registry of scenario kinds (contract in core/sk_scenario.h). Add a kind: write
 * its file, add one row here. */
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
