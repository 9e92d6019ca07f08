/* sk_market.h - the one market enum: where an instance runs (or that nothing runs).
 *
 * Its values are stored in results (the `market` series column: 0 none, 1 spot, 2 on-demand) and
 * in omniscient plans, so they never change. */
#ifndef SK_MARKET_H
#define SK_MARKET_H

typedef enum { SK_MKT_NONE = 0, SK_MKT_SPOT = 1, SK_MKT_OD = 2 } sk_market;

#endif
