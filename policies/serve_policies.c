/* serve_policies.c - the registry of serving policies (the contract: src/serve/sk_serve_policy.h).
 * Add one: write policies/serve_NAME.c exporting `const sk_serve_policy sk_srv_NAME`, declare it
 * in serve_common.h, add a row here and the file to cmake/parts/serving_policies.cmake. The first
 * row is the default. */
#include <string.h>

#include "policies/serve_common.h"

const sk_serve_policy *const sk_serve_policies[] = {
    &sk_srv_spothedge,
    &sk_srv_on_demand,
    &sk_srv_even_spread,
    &sk_srv_round_robin,
    &sk_srv_asg,
    &sk_srv_optimal,
    NULL,
};

const sk_serve_policy *sk_serve_policy_find(const char *name) {
    for (const sk_serve_policy *const *p = sk_serve_policies; *p; p++)
        if (!strcmp((*p)->def.name, name)) return *p;
    return NULL;
}
