/* sk_kinds.h - the registered scenario kinds, and the experiment loader bound to them.
 *
 * The loader in io/ knows no kinds: it is handed a NULL-terminated table (sk_exp_load_from). The
 * registry lives here, above io/, and so do the two loaders that use it, which the command line
 * and the tests call. Add a kind: write sim/scn_NAME.c and add one row to sk_kinds.c. */
#ifndef SK_KINDS_H
#define SK_KINDS_H

#include <stddef.h>

#include "core/sk_scenario.h"
#include "io/sk_exp.h"

/* The registered kinds; the list ends with NULL. */
extern const sk_scenario_kind *const sk_scenario_kinds[];

/* The registered kind called `name`, or NULL. */
const sk_scenario_kind *sk_scenario_find(const char *name);

/* sk_exp_load_from / sk_exp_load_text_from (io/sk_exp.h) with the registered kinds. */
int sk_exp_load(sk_exp *e, const char *path, const char *const *sets, size_t nsets, char *err, size_t errlen);
int sk_exp_load_text(sk_exp *e, const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, char *err, size_t errlen);

#endif
