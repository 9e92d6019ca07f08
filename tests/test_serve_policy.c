/* test_serve_policy.c - the serving policies (policies/serve_*.c) on scripted views, no world:
 * SpotHedge's zone lists and fallback, even_spread and round_robin against hand-computed plans,
 * the autoscaler's timing, asg's base, and the optimum against a brute-force search. */
#include "engine/sk_rng.h"
#include "policies/serve_common.h"
#include "test.h"

/* --- a mock view ---------------------------------------------------------------------------- */

typedef struct mock {
    sk_srv_zone z[SK_SRV_MAXZ];
    sk_srv_view v;
    const sk_serve_policy *p;
    sk_value *pp;
    void *st;
    sk_rng rng;
    /* the optimum's oracle */
    int ncap;
    const int32_t *cap; /* [zone][tick] */
} mock;

static const char *const zname[] = {"z0", "z1", "z2", "z3", "z4", "z5"};

static int32_t mock_cap_at(const void *w, int zone, double t) {
    const mock *m = w;
    int k = (int)floor(t / m->v.tick_s + 1e-9);
    if (k >= m->ncap) k = m->ncap - 1;
    return m->cap[zone * m->ncap + k];
}

/* Make policy `name` over nz zones with spot prices sp (od price 3x spot) and parameters from
 * the defaults with the NULL-terminated name/value overrides kv. Returns 0 or an SK_E* code. */
static int mock_init(mock *m, const char *name, int nz, const double *sp, int n_target, const char *const *kv) {
    memset(m, 0, sizeof *m);
    for (int j = 0; j < nz; j++) {
        m->z[j].name = zname[j];
        m->z[j].region = "r";
        m->z[j].spot_price = sp[j];
        m->z[j].od_price = 3 * sp[j];
    }
    m->v = (sk_srv_view){.t = 0, .tick_s = 30, .cold_start_s = 120, .nzones = nz, .z = m->z, .n_target = n_target,
                         .qps_per_replica = 1, .trig = SK_SRV_TICK, .trig_zone = -1, .rng = &m->rng,
                         .cap_at = NULL, .w = m, .horizon_s = 86400};
    if (sk_rng_init(&m->rng, NULL, 7, 0, SK_STREAM_POLICY)) return SK_ENOMEM;
    m->p = sk_serve_policy_find(name);
    if (!m->p) return SK_ECONFIG;
    m->pp = calloc(m->p->def.nparams + 1, sizeof *m->pp);
    m->st = calloc(1, m->p->state_size);
    for (size_t i = 0; i < m->p->def.nparams; i++) {
        const sk_param_def *d = &m->p->def.params[i];
        const char *text = d->def;
        for (const char *const *q = kv; q && *q; q += 2)
            if (!strcmp(q[0], d->name)) text = q[1];
        char why[200];
        if (sk_param_parse(d, text, &m->pp[i], why, sizeof why)) {
            fprintf(stderr, "  %s: %s\n", d->name, why);
            return SK_ECONFIG;
        }
    }
    char msg[200] = "";
    int rc = m->p->init(m->st, m->pp, &m->v, msg, sizeof msg);
    if (rc) fprintf(stderr, "  init: %s\n", msg);
    return rc;
}

static void mock_fini(mock *m) {
    if (m->p && m->p->fini) m->p->fini(m->st);
    for (size_t i = 0; m->p && i < m->p->def.nparams; i++) sk_value_fini(&m->pp[i]);
    free(m->pp);
    free(m->st);
    sk_rng_fini(&m->rng);
}

static sk_srv_plan mock_decide(mock *m, double t, sk_srv_trig trig, int tz) {
    sk_srv_plan plan;
    memset(&plan, 0, sizeof plan);
    m->v.t = t;
    m->v.trig = trig;
    m->v.trig_zone = tz;
    m->p->decide(m->st, &m->v, &plan);
    return plan;
}

/* The zones hold what they hold: spot (launching + ready) and spot_ready per zone. */
static void hold(mock *m, const int *spot, const int *ready) {
    for (int j = 0; j < m->v.nzones; j++) {
        m->z[j].spot = spot[j];
        m->z[j].spot_ready = ready ? ready[j] : 0;
    }
}

#define ASSERT_PLAN3(pl, a, b, c)                                                                \
    do {                                                                                         \
        ASSERT_EQ_INT((pl).spot[0], a);                                                          \
        ASSERT_EQ_INT((pl).spot[1], b);                                                          \
        ASSERT_EQ_INT((pl).spot[2], c);                                                          \
    } while (0)

/* Active and Preempted lists as text, "A[0 2] P[1]". */
static const char *lists(mock *m, char *buf, size_t len) {
    int a[SK_SRV_MAXZ], p[SK_SRV_MAXZ], na, np;
    sk_srv_spothedge_zones(m->st, a, &na, p, &np);
    size_t o = (size_t)snprintf(buf, len, "A[");
    for (int i = 0; i < na; i++) o += (size_t)snprintf(buf + o, len - o, i ? " %d" : "%d", a[i]);
    o += (size_t)snprintf(buf + o, len - o, "] P[");
    for (int i = 0; i < np; i++) o += (size_t)snprintf(buf + o, len - o, i ? " %d" : "%d", p[i]);
    snprintf(buf + o, len - o, "]");
    return buf;
}
#define ASSERT_LISTS(m, want)                                                                    \
    do {                                                                                         \
        char b_[128];                                                                            \
        const char *g_ = lists(m, b_, sizeof b_);                                                \
        if (strcmp(g_, want)) SK_T_FAIL_("zone lists %s, want %s", g_, want);                   \
    } while (0)

/* --- tests ---------------------------------------------------------------------------------- */

static void test_registry(void) {
    const char *names[] = {"spothedge", "on_demand", "even_spread", "round_robin", "asg", "optimal"};
    int n = 0;
    for (const sk_serve_policy *const *p = sk_serve_policies; *p; p++) n++;
    ASSERT_EQ_INT(n, 6);
    for (int i = 0; i < 6; i++) {
        ASSERT_TRUE(sk_serve_policy_find(names[i]) != NULL);
        ASSERT_TRUE(!strcmp(sk_serve_policy_find(names[i])->def.name, names[i]));
    }
    ASSERT_TRUE(sk_serve_policy_find("spot_hedge") == NULL);
    mock m;
    const char *bad[] = {"tie", "first", NULL};
    double sp[] = {1, 1, 1};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 3, bad), SK_ECONFIG);
    mock_fini(&m);
    ASSERT_EQ_INT(mock_init(&m, "optimal", 3, sp, 3, NULL), SK_ECONFIG); /* no oracle */
    mock_fini(&m);
}

/* Z = 3, z1 cheapest: placement into Active zones holding none (cheapest first), a short zone
 * to Preempted, a zone that delivers its plan back to Active, more than planned changes
 * nothing, the reset only when no zone is active. */
static void test_spothedge_z3(void) {
    mock m;
    double sp[] = {1.0, 0.8, 1.2};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 2, NULL), 0); /* N 2 + 1 extra */
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 1); /* z1 (0.8), z0 (1.0), z2 (1.2): all hold none */
    ASSERT_EQ_INT(pl.od, 2);   /* min(2, 3 - 0) */
    ASSERT_LISTS(&m, "A[0 1 2] P[]");
    /* z1's launch refused: it holds 0 of 1 -> Preempted; its replica goes to the cheapest Active
     * zone (none holds 0 any more) */
    hold(&m, (int[]){1, 0, 1}, NULL);
    m.z[1].launch_fail = 1;
    pl = mock_decide(&m, 0, SK_SRV_LAUNCH_FAIL, 1);
    ASSERT_LISTS(&m, "A[0 2] P[1]");
    ASSERT_PLAN3(pl, 2, 0, 1);
    /* z0 gets 1 of 2 (second launch refused): Preempted, its survivor kept; z2 exact: stays */
    hold(&m, (int[]){1, 0, 1}, (int[]){1, 0, 1});
    m.z[0].launch_fail = 1;
    pl = mock_decide(&m, 30, SK_SRV_LAUNCH_FAIL, 0);
    ASSERT_LISTS(&m, "A[2] P[1 0]"); /* one active zone left: Z = 3 does not reset */
    ASSERT_PLAN3(pl, 1, 0, 2);
    ASSERT_EQ_INT(pl.od, 1); /* min(2, 3 - 2 ready) */
    /* next tick: z0 holds exactly its plan (1 > 0) -> Active again, appended */
    hold(&m, (int[]){1, 0, 2}, (int[]){1, 0, 1});
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[2 0] P[1]");
    ASSERT_PLAN3(pl, 1, 0, 2);
    ASSERT_EQ_INT(pl.od, 1);
    /* more than planned (z2 holds 3 of 2): no change; 4 held > 3 wanted: re-place all three,
     * into the Active zones holding none first (z0 1.0 before z2 1.2), then the cheapest */
    hold(&m, (int[]){1, 0, 3}, (int[]){1, 0, 3});
    pl = mock_decide(&m, 90, SK_SRV_READY, 2);
    ASSERT_LISTS(&m, "A[2 0] P[1]");
    ASSERT_PLAN3(pl, 2, 0, 1);
    ASSERT_EQ_INT(pl.od, 0); /* 4 ready spot >= 3 */
    /* both active zones lose everything: Active empty -> Z = 3 resets all to Active */
    hold(&m, (int[]){0, 0, 0}, NULL);
    m.z[0].preempted = 2;
    m.z[2].preempted = 1;
    pl = mock_decide(&m, 120, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[0 1 2] P[]");
    ASSERT_PLAN3(pl, 1, 1, 1);
    ASSERT_EQ_INT(pl.od, 2);
    mock_fini(&m);
}

/* The preempted counter alone marks a zone short (it lost a replica and holds its plan only
 * because a surplus replica is still there). */
static void test_spothedge_event_counts(void) {
    mock m;
    double sp[] = {1.0, 1.0, 1.0};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 2, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 1); /* equal prices: list order */
    hold(&m, (int[]){1, 1, 1}, (int[]){1, 1, 1});
    m.z[1].preempted = 1; /* z1 lost one but still holds 1 = its plan */
    pl = mock_decide(&m, 30, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[0 2] P[1]");
    ASSERT_PLAN3(pl, 1, 1, 1); /* survivors kept (3 held = 3 wanted) */
    /* z1 holds its plan with no new event: Active again */
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[0 2 1] P[]");
    mock_fini(&m);
}

/* Z = 4: the reset fires when at most one zone is active. */
static void test_spothedge_z4(void) {
    mock m;
    double sp[] = {1, 1, 1, 1};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 4, sp, 3, NULL), 0); /* 3 + 1 spot */
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 1);
    ASSERT_EQ_INT(pl.spot[3], 1);
    ASSERT_EQ_INT(pl.od, 3);
    hold(&m, (int[]){0, 0, 1, 1}, NULL);
    pl = mock_decide(&m, 30, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[2 3] P[0 1]"); /* two active: no reset */
    ASSERT_PLAN3(pl, 0, 0, 3);         /* no active zone holds none: ties to list order (z2) */
    ASSERT_EQ_INT(pl.spot[3], 1);
    hold(&m, (int[]){0, 0, 2, 1}, (int[]){0, 0, 1, 1});
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[0 1 2 3] P[]"); /* z2 short: one active left -> reset */
    ASSERT_PLAN3(pl, 1, 0, 2);          /* the missing one to z0, the first zone holding none */
    ASSERT_EQ_INT(pl.spot[3], 1);
    ASSERT_EQ_INT(pl.od, 2); /* min(3, 4 - 2) */
    mock_fini(&m);
}

/* Z = 2 (the artifact's threshold is negative there): reset when no zone is active. */
static void test_spothedge_z2(void) {
    mock m;
    double sp[] = {1, 2};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 2, sp, 1, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_EQ_INT(pl.spot[0], 1);
    ASSERT_EQ_INT(pl.spot[1], 1);
    hold(&m, (int[]){0, 1}, NULL);
    pl = mock_decide(&m, 30, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[1] P[0]");
    ASSERT_EQ_INT(pl.spot[1], 2);
    hold(&m, (int[]){0, 0}, NULL);
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_LISTS(&m, "A[0 1] P[]");
    ASSERT_EQ_INT(pl.spot[0], 1);
    ASSERT_EQ_INT(pl.spot[1], 1);
    mock_fini(&m);
}

/* tie: random draws uniformly from the candidates with the view's rng: always a candidate, the
 * same draws for the same stream, and both candidates seen over many fresh decisions. */
static void test_spothedge_random(void) {
    double sp[] = {1, 2, 3};
    const char *kv[] = {"tie", "random", "n_extra", "0", NULL};
    int seen[3] = {0};
    mock m;
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 1, kv), 0);
    for (int i = 0; i < 64; i++) {
        /* the zone planned last time holds nothing: it turns Preempted, the replica is re-placed */
        hold(&m, (int[]){0, 0, 0}, NULL);
        sk_srv_plan pl = mock_decide(&m, 30.0 * i, SK_SRV_TICK, -1);
        int n = pl.spot[0] + pl.spot[1] + pl.spot[2];
        ASSERT_EQ_INT(n, 1);
        for (int j = 0; j < 3; j++) seen[j] += pl.spot[j];
    }
    /* every decision's zone came up short, so lists cycle through resets: all three are drawn */
    ASSERT_TRUE(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    mock_fini(&m);
    int again[3] = {0};
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 1, kv), 0);
    for (int i = 0; i < 64; i++) {
        hold(&m, (int[]){0, 0, 0}, NULL);
        sk_srv_plan pl = mock_decide(&m, 30.0 * i, SK_SRV_TICK, -1);
        for (int j = 0; j < 3; j++) again[j] += pl.spot[j];
    }
    for (int j = 0; j < 3; j++) ASSERT_EQ_INT(again[j], seen[j]);
    mock_fini(&m);
}

/* od = min(N, N + n_extra - ready spot), 0 when no gap. */
static void test_spothedge_fallback(void) {
    static const struct {
        int N, extra, ready, od;
    } c[] = {{3, 1, 0, 3}, {3, 1, 1, 3}, {3, 1, 2, 2}, {3, 1, 3, 1}, {3, 1, 4, 0}, {3, 1, 6, 0},
             {2, 3, 1, 2}, {2, 3, 4, 1}, {2, 3, 5, 0}, {4, 0, 1, 3}};
    double sp[] = {1, 1, 1};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        mock m;
        char ex[16];
        snprintf(ex, sizeof ex, "%d", c[i].extra);
        const char *kv[] = {"n_extra", ex, NULL};
        ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, c[i].N, kv), 0);
        int r[3] = {c[i].ready, 0, 0};
        hold(&m, r, r);
        sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
        ASSERT_EQ_INT(pl.od, c[i].od);
        ASSERT_EQ_INT(pl.spot[0] + pl.spot[1] + pl.spot[2], c[i].N + c[i].extra); /* kept or re-placed */
        mock_fini(&m);
    }
}

/* safety: od >= N while availability so far <= slo (at the start), and the gap's od held for a
 * cold start (120 s) after the last gap. */
static void test_spothedge_safety(void) {
    double sp[] = {1, 1, 1};
    const char *kv[] = {"safety", "true", NULL};
    mock m, n;
    ASSERT_EQ_INT(mock_init(&m, "spothedge", 3, sp, 2, kv), 0);
    ASSERT_EQ_INT(mock_init(&n, "spothedge", 3, sp, 2, NULL), 0);
    static const struct {
        double t;
        int ready, od_safe, od_plain;
    } c[] = {{0, 3, 2, 0}, {1000, 3, 0, 0}, {1100, 2, 1, 1}, {1150, 3, 1, 0}, {1219, 3, 1, 0}, {1221, 3, 0, 0}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        int r[3] = {1, 1, c[i].ready - 2};
        hold(&m, r, r);
        hold(&n, r, r);
        ASSERT_EQ_INT(mock_decide(&m, c[i].t, SK_SRV_TICK, -1).od, c[i].od_safe);
        ASSERT_EQ_INT(mock_decide(&n, c[i].t, SK_SRV_TICK, -1).od, c[i].od_plain);
    }
    mock_fini(&m);
    mock_fini(&n);
}

/* even_spread (NaiveSpread) step by step, with a refused zone passed over until the tick. */
static void test_even_spread(void) {
    mock m;
    double sp[] = {3, 2, 1};
    ASSERT_EQ_INT(mock_init(&m, "even_spread", 3, sp, 4, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 1, 1); /* m=0: z0 z1 z2, m=1: z0 (index order, not price) */
    ASSERT_EQ_INT(pl.od, 0);
    hold(&m, (int[]){2, 0, 1}, NULL); /* z1 preempted */
    pl = mock_decide(&m, 30, SK_SRV_PREEMPTED, 1);
    ASSERT_PLAN3(pl, 2, 1, 1); /* back to the zone just preempted (the fewest) */
    m.v.n_target = 2;
    hold(&m, (int[]){2, 1, 1}, NULL);
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 0); /* 4 held > 2: re-place all */
    m.v.n_target = 5;
    hold(&m, (int[]){1, 1, 0}, NULL);
    pl = mock_decide(&m, 90, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 2, 1); /* m=0: z2; m=1: z0 z1 */
    hold(&m, (int[]){2, 2, 0}, NULL);
    m.z[2].launch_fail = 1;
    pl = mock_decide(&m, 90, SK_SRV_LAUNCH_FAIL, 2);
    ASSERT_PLAN3(pl, 3, 2, 0); /* z2 refused since the tick: skipped */
    pl = mock_decide(&m, 120, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 2, 1); /* the tick asks z2 again */
    mock_fini(&m);
}

/* round_robin step by step: the pointer persists across decisions. */
static void test_round_robin(void) {
    mock m;
    double sp[] = {3, 2, 1};
    ASSERT_EQ_INT(mock_init(&m, "round_robin", 3, sp, 2, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 0); /* q: 0 -> 2 */
    hold(&m, (int[]){1, 0, 0}, NULL);
    pl = mock_decide(&m, 30, SK_SRV_PREEMPTED, 1);
    ASSERT_PLAN3(pl, 1, 0, 1); /* q 2 -> 0 */
    m.v.n_target = 4;
    hold(&m, (int[]){1, 0, 1}, NULL);
    pl = mock_decide(&m, 60, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 1, 1); /* q 0 -> 2 */
    m.v.n_target = 1;
    hold(&m, (int[]){2, 1, 1}, NULL);
    pl = mock_decide(&m, 90, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 0, 0, 1); /* re-place all: q 2 -> 0 */
    m.v.n_target = 2;
    hold(&m, (int[]){0, 0, 1}, NULL);
    m.z[0].launch_fail = 1;
    pl = mock_decide(&m, 90, SK_SRV_LAUNCH_FAIL, 0);
    ASSERT_PLAN3(pl, 0, 1, 1); /* z0 refused: passed over, q 0 -> 2 */
    mock_fini(&m);
}

/* The autoscaler: no change before up_s (300 s) of a higher wanted target, nor before down_s
 * (1200 s) of a lower one; a decision that sees want == current restarts the clock. */
static void test_autoscaler(void) {
    mock m;
    double sp[] = {1, 1, 1};
    const char *kv[] = {"autoscale", "true", NULL};
    ASSERT_EQ_INT(mock_init(&m, "on_demand", 3, sp, 2, kv), 0);
    static const struct {
        double t, rate;
        int N;
    } c[] = {{0, 4.5, 2},    {150, 5, 2},     {299.9, 5, 2},   {300, 5, 5},   {330, 2, 5},   {1000, 1.5, 5},
             {1529.9, 2, 5}, {1530, 2, 2},    {2000, 4, 2},    {2200, 2, 2},  {2400, 4, 2},  {2600, 4, 2},
             {2699, 3.2, 2}, {2700, 3.1, 4},  {2800, 0, 4},    {4000, 0, 1}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        m.v.rate_60s = c[i].rate;
        sk_srv_plan pl = mock_decide(&m, c[i].t, SK_SRV_TICK, -1);
        if (pl.od != c[i].N) SK_T_FAIL_("t=%g rate %g: N %d, want %d", c[i].t, c[i].rate, pl.od, c[i].N);
    }
    mock_fini(&m);
    /* off: the view's n_target, whatever the rate */
    ASSERT_EQ_INT(mock_init(&m, "on_demand", 3, sp, 2, NULL), 0);
    m.v.rate_60s = 100;
    ASSERT_EQ_INT(mock_decide(&m, 5000, SK_SRV_TICK, -1).od, 2);
    m.v.n_target = 7;
    ASSERT_EQ_INT(mock_decide(&m, 5001, SK_SRV_TICK, -1).od, 7);
    mock_fini(&m);
}

static void test_on_demand(void) {
    mock m;
    double sp[] = {1, 0.5, 0.7};
    ASSERT_EQ_INT(mock_init(&m, "on_demand", 3, sp, 3, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_EQ_INT(pl.od, 3);
    ASSERT_EQ_INT(pl.od_zone, 1);
    ASSERT_PLAN3(pl, 0, 0, 0);
    m.z[1].od_price = 100; /* a price change does not move a running fleet */
    m.z[1].od = 3;
    ASSERT_EQ_INT(mock_decide(&m, 30, SK_SRV_TICK, -1).od_zone, 1);
    mock_fini(&m);
}

/* asg: od_base on-demand, spot for the rest; AZ-balanced, cheapest on ties; recent refusals last;
 * scale-in from the zone holding the most, dearest first. */
static void test_asg(void) {
    mock m;
    double sp[] = {1.0, 0.8, 0.9};
    ASSERT_EQ_INT(mock_init(&m, "asg", 3, sp, 4, NULL), 0);
    sk_srv_plan pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_EQ_INT(pl.od, 1);
    ASSERT_EQ_INT(pl.od_zone, 1);
    ASSERT_PLAN3(pl, 1, 1, 1);
    m.v.n_target = 5;
    hold(&m, (int[]){1, 1, 1}, NULL);
    pl = mock_decide(&m, 30, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 2, 1); /* balanced: the cheapest, z1 */
    /* z1 refused at t=100: it comes last for avoid_s = 600 s */
    hold(&m, (int[]){1, 1, 1}, NULL);
    m.z[1].launch_fail = 1;
    pl = mock_decide(&m, 100, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 1, 1, 2); /* z2 (0.9) before z0 (1.0); z1 avoided */
    m.v.n_target = 6;
    hold(&m, (int[]){1, 1, 2}, NULL);
    pl = mock_decide(&m, 699, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 1, 2); /* z1 still avoided (599 s ago) */
    m.v.n_target = 7;
    hold(&m, (int[]){2, 1, 2}, NULL);
    pl = mock_decide(&m, 701, SK_SRV_TICK, -1);
    ASSERT_PLAN3(pl, 2, 2, 2); /* 601 s ago: z1 is the fewest again */
    m.v.n_target = 2;
    hold(&m, (int[]){2, 2, 2}, NULL);
    pl = mock_decide(&m, 730, SK_SRV_TICK, -1);
    ASSERT_EQ_INT(pl.od, 1);
    ASSERT_PLAN3(pl, 0, 1, 0); /* scale in to 1: most held, dearest first: z0 z2 z0 z2 z1 */
    mock_fini(&m);
    const char *kv[] = {"od_base", "3", NULL};
    ASSERT_EQ_INT(mock_init(&m, "asg", 3, sp, 2, kv), 0);
    pl = mock_decide(&m, 0, SK_SRV_TICK, -1);
    ASSERT_EQ_INT(pl.od, 2); /* the base is capped by N */
    ASSERT_PLAN3(pl, 0, 0, 0);
    mock_fini(&m);
}

/* --- the optimum against brute force ---------------------------------------------------------- */

typedef struct bf {
    int Z, K, d, N, odmax;
    const int32_t *cap;
    const double *c; /* $ per interval: zones, then od */
    int x[8][3];     /* [tick][zone or od] */
    double best;
} bf;

static int bf_ready_ok(const bf *b, int k) {
    if (k < b->d) return 1;
    int ready = 0;
    for (int j = 0; j <= b->Z; j++) {
        int mn = 1 << 30;
        for (int tau = k - b->d; tau <= k; tau++)
            if (b->x[tau][j] < mn) mn = b->x[tau][j];
        ready += mn;
    }
    return ready >= b->N;
}

/* Every plan with x_j(k) <= cap, x_od(k) <= odmax; prune on cost. */
static void bf_rec(bf *b, int k, int j, double cost) {
    if (cost >= b->best - 1e-12) return;
    if (k == b->K) {
        b->best = cost;
        return;
    }
    if (j > b->Z) {
        if (bf_ready_ok(b, k)) bf_rec(b, k + 1, 0, cost);
        return;
    }
    int hi = j < b->Z ? b->cap[j * b->K + k] : b->odmax;
    for (int v = 0; v <= hi; v++) {
        b->x[k][j] = v;
        bf_rec(b, k, j + 1, cost + v * b->c[j]);
    }
}

/* One instance: 2 zones, 6 hour-long ticks; the optimal policy's replayed plan must fit the
 * capacities, have N ready at every tick >= d and cost what the exhaustive search finds. */
static void opt_case(const int32_t *cap, const double *sp, double od_price, double cold_s, int N) {
    mock m;
    const int Z = 2, K = 6;
    memset(&m, 0, sizeof m);
    for (int j = 0; j < Z; j++) {
        m.z[j].name = zname[j];
        m.z[j].region = "r";
        m.z[j].spot_price = sp[j];
        m.z[j].od_price = od_price + j; /* zone 0 has the cheapest on-demand */
    }
    m.cap = cap;
    m.ncap = K;
    m.v = (sk_srv_view){.tick_s = 3600, .cold_start_s = cold_s, .nzones = Z, .z = m.z, .n_target = N,
                        .trig = SK_SRV_TICK, .trig_zone = -1, .rng = &m.rng, .cap_at = mock_cap_at, .w = &m,
                        .horizon_s = K * 3600.0};
    ASSERT_EQ_INT(sk_rng_init(&m.rng, NULL, 1, 0, SK_STREAM_POLICY), 0);
    m.p = sk_serve_policy_find("optimal");
    m.pp = calloc(m.p->def.nparams + 1, sizeof *m.pp);
    m.st = calloc(1, m.p->state_size);
    char why[200];
    ASSERT_EQ_INT(sk_param_parse(&m.p->def.params[0], m.p->def.params[0].def, &m.pp[0], why, sizeof why), 0);
    ASSERT_EQ_INT(m.p->init(m.st, m.pp, &m.v, why, sizeof why), 0);
    int x[6][3];
    double cost = 0, c[3] = {sp[0], sp[1], od_price};
    for (int k = 0; k < K; k++) {
        sk_srv_plan pl = mock_decide(&m, k * 3600.0, SK_SRV_TICK, -1);
        ASSERT_EQ_INT(pl.od_zone, 0);
        x[k][0] = pl.spot[0], x[k][1] = pl.spot[1], x[k][2] = pl.od;
        for (int j = 0; j < 3; j++) cost += x[k][j] * c[j];
        for (int j = 0; j < Z; j++) ASSERT_TRUE(x[k][j] <= cap[j * K + k]);
    }
    int d = (int)ceil(cold_s / 3600 - 1e-9);
    for (int k = d; k < K; k++) {
        int ready = 0;
        for (int j = 0; j < 3; j++) {
            int mn = 1 << 30;
            for (int tau = k - d; tau <= k; tau++)
                if (x[tau][j] < mn) mn = x[tau][j];
            ready += mn;
        }
        if (ready < N) SK_T_FAIL_("tick %d: %d ready < %d", k, ready, N);
    }
    bf b = {.Z = Z, .K = K, .d = d, .N = N, .odmax = N + 1, .cap = cap, .c = c, .best = 1e300};
    bf_rec(&b, 0, 0, 0);
    ASSERT_NEAR(cost, b.best, 1e-9);
    ASSERT_NEAR(sk_srv_optimal_cost(m.st), b.best, 1e-9);
    mock_fini(&m);
}

static void test_optimal(void) {
    /* hand-made: a dip in z0 at tick 2, z1 gone at tick 5 */
    static const int32_t cap1[] = {2, 2, 0, 2, 2, 2, /* z0 */ 1, 1, 1, 2, 1, 0};
    opt_case(cap1, (double[]){1.0, 1.5}, 3.0, 5400, 2);
    opt_case(cap1, (double[]){1.0, 1.5}, 3.0, 3600, 2);
    opt_case(cap1, (double[]){2.0, 1.0}, 2.5, 0, 2);
    opt_case(cap1, (double[]){1.0, 1.5}, 3.0, 7200, 1);
    /* pseudo-random instances (a fixed LCG) */
    uint64_t st = 12345;
    for (int it = 0; it < 80; it++) {
        int32_t cap[12];
        for (int i = 0; i < 12; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            cap[i] = (int32_t)((st >> 33) % 3);
        }
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        double sp[2] = {0.5 + (double)((st >> 33) % 8) / 4, 0.5 + (double)((st >> 40) % 8) / 4};
        opt_case(cap, sp, 2.0 + (double)((st >> 50) % 4) / 2, 1800.0 * (double)(it % 5), 1 + it % 2);
        if (sk_t_fail) {
            fprintf(stderr, "  instance %d\n", it);
            return;
        }
    }
}

/* A day of 30 s ticks over 6 zones (the size of the artifact's GCP1 runs): the plan fits the
 * capacities, has N ready at every tick >= d, and costs no more than the plan that keeps N
 * on-demand replicas (feasible, so an upper bound) nor less than N ready replicas at the
 * cheapest spot price after the warm-up (a lower bound). */
static void test_optimal_large(void) {
    enum { Z = 6, K = 2880, N = 3 };
    static int32_t cap[Z * K];
    uint64_t st = 99;
    for (int j = 0; j < Z; j++)
        for (int k = 0; k < K; k += 10) { /* 300 s steps, 0..4 replicas */
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            for (int i = 0; i < 10; i++) cap[j * K + k + i] = (int32_t)((st >> 33) % 5);
        }
    mock m;
    memset(&m, 0, sizeof m);
    double minp = 1e9;
    for (int j = 0; j < Z; j++) {
        m.z[j].name = zname[j];
        m.z[j].region = "r";
        m.z[j].spot_price = 1.0 + 0.1 * j;
        m.z[j].od_price = 3.0 + 0.1 * j;
        if (m.z[j].spot_price < minp) minp = m.z[j].spot_price;
    }
    m.cap = cap;
    m.ncap = K;
    m.v = (sk_srv_view){.tick_s = 30, .cold_start_s = 120, .nzones = Z, .z = m.z, .n_target = N, .trig = SK_SRV_TICK,
                        .trig_zone = -1, .rng = &m.rng, .cap_at = mock_cap_at, .w = &m, .horizon_s = K * 30.0};
    ASSERT_EQ_INT(sk_rng_init(&m.rng, NULL, 1, 0, SK_STREAM_POLICY), 0);
    m.p = sk_serve_policy_find("optimal");
    m.pp = calloc(m.p->def.nparams + 1, sizeof *m.pp);
    m.st = calloc(1, m.p->state_size);
    char why[200];
    ASSERT_EQ_INT(sk_param_parse(&m.p->def.params[0], m.p->def.params[0].def, &m.pp[0], why, sizeof why), 0);
    ASSERT_EQ_INT(m.p->init(m.st, m.pp, &m.v, why, sizeof why), 0);
    static int32_t x[K][Z + 1];
    double cost = 0, h = 30.0 / 3600;
    for (int k = 0; k < K; k++) {
        sk_srv_plan pl = mock_decide(&m, k * 30.0, SK_SRV_TICK, -1);
        for (int j = 0; j < Z; j++) {
            x[k][j] = pl.spot[j];
            if (x[k][j] > cap[j * K + k]) SK_T_FAIL_("tick %d zone %d: %d > cap %d", k, j, x[k][j], cap[j * K + k]);
            cost += x[k][j] * m.z[j].spot_price * h;
        }
        x[k][Z] = pl.od;
        cost += pl.od * m.z[0].od_price * h;
    }
    for (int k = 4; k < K; k++) {
        int ready = 0;
        for (int j = 0; j <= Z; j++) {
            int mn = 1 << 30;
            for (int tau = k - 4; tau <= k; tau++)
                if (x[tau][j] < mn) mn = x[tau][j];
            ready += mn;
        }
        if (ready < N) SK_T_FAIL_("tick %d: %d ready < %d", k, ready, N);
    }
    ASSERT_NEAR(cost, sk_srv_optimal_cost(m.st), 1e-6);
    ASSERT_TRUE(cost <= N * K * m.z[0].od_price * h + 1e-9);
    ASSERT_TRUE(cost >= N * K * minp * h - 1e-9);
    fprintf(stderr, "  optimal_large: $%.4f (on-demand $%.4f, spot floor $%.4f)\n", cost, N * K * m.z[0].od_price * h,
            N * K * minp * h);
    mock_fini(&m);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"registry", test_registry},
        {"spothedge_z3", test_spothedge_z3},
        {"spothedge_event_counts", test_spothedge_event_counts},
        {"spothedge_z4", test_spothedge_z4},
        {"spothedge_z2", test_spothedge_z2},
        {"spothedge_random", test_spothedge_random},
        {"spothedge_fallback", test_spothedge_fallback},
        {"spothedge_safety", test_spothedge_safety},
        {"even_spread", test_even_spread},
        {"round_robin", test_round_robin},
        {"autoscaler", test_autoscaler},
        {"on_demand", test_on_demand},
        {"asg", test_asg},
        {"optimal", test_optimal},
        {"optimal_large", test_optimal_large},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
