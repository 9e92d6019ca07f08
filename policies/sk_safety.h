/* sk_safety.h - the deadline safety net, one component for every world: the simulator calls it
 * before the policy at each decision, and a live controller calls it the same way, through the
 * general contract (core/sk_world.h). When only just enough whole ticks remain to finish on
 * on-demand (after one more changeover), it moves the job to on-demand and holds it there: the
 * policy is no longer asked.
 *
 * Multi-region form (../shared/specs/skynomad-multiregion.md section 3.1): a running spot is
 * replaced by on-demand in its own zone; with nothing running, on-demand goes to the zone with the
 * lowest on-demand cost of the remaining work plus the egress to move the checkpoint there
 * (first minimum wins). */
#ifndef SK_SAFETY_H
#define SK_SAFETY_H

#include "core/sk_world.h"

typedef struct sk_safety {
    int latched; /* the net holds the job on on-demand */
} sk_safety;

/* Returns 0 (the policy decides this tick), 1 (the net decided: skip the policy) or SK_EDATA
 * when fewer whole ticks remain than work (the reference's "safety net infeasible"). Job 0. */
int sk_safety_mr(sk_safety *s, const sk_view *v, const sk_actor *a);

/* The zone where the net would start on-demand now. */
int sk_safety_mr_zone(const sk_view *v);

/* Single-zone form: the guard of "Can't Be Late"'s new reference simulator
 * (../shared/specs/cant-be-late.md section 3.0), applied to the market D the policy asked for the
 * next interval, given what ran in the last one (`last`). Inside the critical window (work left
 * and ceil((rem + d)/gap) whole ticks no fewer than those left) it keeps a spot that has paid its
 * changeover and otherwise takes on-demand, whatever the policy said; it never runs spot that is
 * not there (zones[0].spot_avail). Returns the market to run. Job 0, zone 0. */
sk_market sk_safety_cbl(const sk_view *v, sk_market last, sk_market D);

#endif
