/* sk_kinds.c - the registry of scenario kinds (contract in core/sk_scenario.h). Add a kind: write
 * its file, add one row here. */
#include "sim/sk_kinds.h"

#include <string.h>

extern const sk_scenario_kind sk_scn_phold, sk_scn_batch, sk_scn_multi, sk_scn_fleet;
extern const sk_scenario_kind sk_scn_spotserve;

extern const sk_scenario_kind sk_scn_spothedge_artifact;
extern sk_scenario_kind sk_scn_serving; /* npolicies set at load time from the serving policy registry */
const sk_scenario_kind *const sk_scenario_kinds[] = {
    &sk_scn_batch,
    &sk_scn_multi,
    &sk_scn_fleet,
    &sk_scn_phold,
    &sk_scn_spotserve,
    &sk_scn_spothedge_artifact,
    &sk_scn_serving,
    NULL,
};

const sk_scenario_kind *sk_scenario_find(const char *name) {
    for (size_t i = 0; sk_scenario_kinds[i]; i++)
        if (!strcmp(sk_scenario_kinds[i]->name, name)) return sk_scenario_kinds[i];
    return NULL;
}

int sk_exp_load(sk_exp *e, const char *path, const char *const *sets, size_t nsets, char *err, size_t errlen) {
    return sk_exp_load_from(e, sk_scenario_kinds, path, sets, nsets, err, errlen);
}

int sk_exp_load_text(sk_exp *e, const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, char *err, size_t errlen) {
    return sk_exp_load_text_from(e, sk_scenario_kinds, path, text, len, sets, nsets, err, errlen);
}
