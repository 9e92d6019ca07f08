/* sk_omni.h - the Omniscient ILP of "Can't Be Late" solved exactly by dynamic programming. (The
 * runs replay its plan through sim/sk_batch's S-old semantics; tests/test_omni.c keeps a
 * stand-alone S-old replay to check the DP's plans on their own.)
 *
 * The ILP (../shared/specs/cant-be-late.md section 6): choose for every tick i < N one of none (0),
 * spot (1, only where avail[i] != 0) or on-demand (2), minimising sc*ns + oc*(n - ns), where n is
 * the number of run ticks and ns the spot ticks, subject to
 *
 *     gap*n >= d*(m + 1) + C,
 *
 * m = number of launches at ticks i >= 1 (a run tick whose predecessor is idle or of the other
 * type). The "+1" charges one d for the first segment even when it starts at tick 0.
 *
 * The DP runs backward in time over states (c_i, k, m): the type chosen in tick i, the idle ticks k
 * and the launches m counted over ticks i..N-1; its value is the largest count of the cheaper
 * type's ticks. Because k and m only grow, a state is kept only while it can still satisfy the
 * constraint: m <= M and k <= N - nmin(m), where nmin(m) is the least n with
 * gap*n >= d*(m+1) + C (evaluated in doubles exactly as written). That is
 * P = sum_m (N - nmin(m) + 1) (k, m) pairs per tick, independent of how long the window is beyond
 * the job: about 2,100 for N = 360, C = 48 h, d = 0.2 h at 600 s ticks. Time O(N*P), memory
 * 2*N*P bytes of argmax masks (plus 24*P). With d = 0 the launch count is irrelevant and dropped.
 *
 * Tie-break: sk_omni_plan returns, of all optimal plans (equal objective as a double), the one
 * built tick by tick from tick 0, taking at each tick the most preferred type that some optimal
 * plan with the same earlier ticks takes. The preference is spot, then on-demand, then none,
 * except right after an on-demand tick, where it is spot, then none, then on-demand. So the plan
 * runs as early as possible (whenever an optimal plan runs at tick 0, it does; the reference's
 * CBC plans all start at tick 0), but on-demand runs end as soon as they can, deferring the
 * remaining on-demand ticks. Ties matter for the printed cost: on the spec's public example
 * (us-west-2a_v100_1 window 0, C = 48 h, R = 60 h, d = 0.2 h) the 168 optimal plans replay to
 * seven different doubles between 70.70618333333313 and ...329 (the per-tick sum rounds by the
 * order of spot and on-demand ticks); this rule gives the reference's 70.70618333333316, plain
 * "run as early as possible" gives ...313. Implementation: the backward DP keeps, per state, the
 * set of successors that reach its optimum; the plan is rebuilt forward over the set of all
 * states still on some optimal plan.
 *
 * Exactness: for a fixed n the objective must fall strictly as the cheaper type's count rises, i.e.
 * |oc - sc| must exceed the rounding of the objective (a few ulps); always true for real prices.
 *
 * All functions are pure: no global state, thread-safe, caller-owned inputs and outputs. */
#ifndef SK_OMNI_H
#define SK_OMNI_H

#include <stdint.h>

#include "core/sk_market.h" /* plan values are sk_market values */

/* Exact optimum of the Omniscient ILP (spec section 6) by dynamic programming. avail[i] != 0 when
 * spot is available in tick i (i < N, N = ceil(R/gap) ticks of the window). gap (> 0), C, d (>= 0)
 * in seconds; sc, oc: cost of one spot / on-demand tick (the spec's sc = 0.9731*gap/3600,
 * oc = 3.06*gap/3600). Writes the optimal plan (0 none, 1 spot, 2 on-demand; the tie-break is
 * above) into plan[0..N) and its objective into *cost, computed as
 *     sc*(double)ns + oc*(double)(n - ns)
 * (two products, one sum; the ILP's own per-tick sum may differ in the last bits; the printed cost
 * comes from replaying the plan in the S-old semantics). Returns 0; SK_EDATA when no plan meets
 * the constraint (including C > gap*N), or on a non-finite or out-of-range argument (N < 0, gap <= 0, d < 0, NULL with
 * N > 0); SK_ENOMEM when the workspace (2*N*P + 24*P bytes, P above) can't be allocated. plan and
 * *cost are unchanged on error. */
int sk_omni_plan(const uint8_t *avail, int64_t N, double gap, double C, double d, double sc, double oc,
                 uint8_t *plan, double *cost);

#endif
