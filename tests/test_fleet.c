/* test_fleet.c - the fleet world (sim/sk_fleet.c) and its policies on small hand-built fleets whose
 * outcomes are worked out by hand: billing from the running state, checkpoints (periodic and on a
 * notice), preemption by capacity and by the maximum price, job-level heal of one instance,
 * fleet-level heal of a standing fleet, retries and abandonment, deadlines, conservation (every
 * job ends in exactly one state; GPU-hours by market times prices give the cost), and determinism.
 *
 * usage: test_fleet [TEST...] */
#include <math.h>

#include "core/sk_fleet_view.h"
#include "core/sk_world.h"
#include "engine/sk_rng.h"
#include "models/sk_avail.h"
#include "models/sk_price.h"
#include "models/sk_workload.h"
#include "sim/sk_fleet.h"
#include "sk_error.h"
#include "test.h"

extern const sk_gpolicy sk_pol_fleet_cheapest_spot, sk_pol_fleet_on_demand, sk_pol_fleet_failover,
    sk_pol_fleet_eager_next_region, sk_pol_fleet_uniform_progress, sk_pol_fleet_fifo;

/* ---- a small fleet: zones in two regions, a 1-GPU and a 4-GPU type ------------------------- */

static const sk_zone_info t_zones[] = {
    {"us-east-1a", "us-east-1a", "us-east-1", "aws", 0, 0, -1},
    {"us-east-1b", "us-east-1b", "us-east-1", "aws", 0, 0, -1},
    {"us-west-2a", "us-west-2a", "us-west-2", "aws", 0, 0, -1},
};
static const char *const t_gpus[] = {"V100"};
static const sk_itype_info t_types[] = {
    {"g1", "V100", 0, 1, 16},
    {"g4", "V100", 0, 4, 16},
};

typedef struct {
    sk_fleet_cfg c;
    sk_fleet_pool pools[8];
    sk_jobspec jobs[64];
} t_fleet;

static void t_init(t_fleet *f, int njobs) {
    memset(f, 0, sizeof *f);
    sk_fleet_cfg *c = &f->c;
    c->nzones = 3, c->zones = t_zones;
    c->ntypes = 2, c->types = t_types;
    c->ngpus = 1, c->gpus = t_gpus;
    c->pools = f->pools;
    c->jobs = f->jobs, c->njobs = njobs;
    c->boot_s = 60, c->load_s = 30;
    c->notice_s[0] = 120, c->notice_s[1] = 30;
    c->min_bill_s = 0;
    c->max_retries = -1;
    c->heal_retry_s = 300;
    c->max_instances = 16;
    c->seed = 7;
}

static int t_pool(t_fleet *f, int zone, int type, double od, double spot) {
    int p = f->c.npools++;
    f->pools[p] = (sk_fleet_pool){zone, type, od, NULL, NULL, spot, 0, 0};
    return p;
}

static sk_avail_model *t_avail(const int32_t *counts, int n, double gap_s) {
    return sk_avail_replay_new(counts, n, sk_time_from(gap_s, SK_SEC), 0, 1, 0);
}

/* Policy parameters from their defaults, with overrides "name=value". */
typedef struct {
    sk_value v[16];
    size_t n;
} t_pp;

static void t_pp_init(t_pp *p, const sk_gpolicy *pol, const char *const *set) {
    char why[256];
    memset(p, 0, sizeof *p);
    p->n = pol->def.nparams;
    for (size_t i = 0; i < p->n; i++) {
        const char *text = pol->def.params[i].def;
        for (const char *const *s = set; s && *s; s++) {
            size_t k = strlen(pol->def.params[i].name);
            if (!strncmp(*s, pol->def.params[i].name, k) && (*s)[k] == '=') text = *s + k + 1;
        }
        sk_param_parse(&pol->def.params[i], text, &p->v[i], why, sizeof why);
    }
}
static void t_pp_fini(t_pp *p) {
    for (size_t i = 0; i < p->n; i++) sk_value_fini(&p->v[i]);
}

static int t_run(t_fleet *f, const sk_gpolicy *pol, const char *const *set, sk_fleet_result *r) {
    t_pp pp;
    t_pp_init(&pp, pol, set);
    sk_rng rng;
    sk_rng_init(&rng, NULL, 7, 0, SK_STREAM_POLICY);
    char msg[512] = "";
    int rc = sk_fleet_run(&f->c, pol, pp.v, &rng, NULL, r, NULL, 0, msg, sizeof msg);
    if (rc < 0) fprintf(stderr, "  sk_fleet_run: %d %s\n", rc, msg);
    sk_rng_fini(&rng);
    t_pp_fini(&pp);
    return rc;
}

static int64_t t_ended(const sk_fleet_result *r) { return r->completed + r->failed + r->abandoned + r->unfinished; }

/* ---- tests ------------------------------------------------------------------------------------ */

/* One 1-GPU job of 1 h on on-demand: billed from running (boot excluded) through load and work. */
static void test_on_demand_exact(void) {
    t_fleet f;
    t_init(&f, 1);
    t_pool(&f, 0, 0, 3.0, 0.9);
    t_pool(&f, 2, 0, 2.0, 0.5); /* cheaper on-demand in another region */
    f.jobs[0] = (sk_jobspec){100, 3600, 1, -1};
    sk_fleet_result r;
    ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_on_demand, NULL, &r), 0);
    ASSERT_EQ_I64(r.completed, 1);
    ASSERT_NEAR(r.cost_od, 2.0 * (30 + 3600) / 3600.0, 1e-12); /* the cheaper pool, load + work */
    ASSERT_NEAR(r.cost_spot, 0, 0);
    ASSERT_NEAR(r.gpuh_od, (30 + 3600) / 3600.0, 1e-12);
    ASSERT_NEAR(r.jct_mean, (60 + 30 + 3600) / 3600.0, 1e-12);
    ASSERT_NEAR(r.queue_mean, 90 / 3600.0, 1e-12);
    ASSERT_NEAR(r.util, 3600 / 3630.0, 1e-12);
    ASSERT_EQ_I64(r.launches, 1);
}

/* Spot capacity goes to 0 at 1800 s (a notice then, gone 120 s later) and back at 3600 s. The job
 * checkpoints every 1000 s of progress; the checkpoint on the notice (40 GB at 4 Gbit/s = 80 s <
 * 120 s) saves the progress at the notice. With fallback wait it waits (backoff 600 s) for spot. */
static void test_preempt_checkpoint_on_notice(void) {
    for (int on_notice = 0; on_notice < 2; on_notice++) {
        t_fleet f;
        t_init(&f, 1);
        int p = t_pool(&f, 0, 0, 3.0, 1.0);
        static const int32_t counts[] = {1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        f.pools[p].avail = t_avail(counts, 18, 600);
        f.jobs[0] = (sk_jobspec){0, 7200, 1, -1};
        f.c.ckpt_every_s = 1000;
        f.c.ckpt_gb_per_gpu = 40;
        f.c.ckpt_write_gbps = on_notice ? 4 : 0;
        sk_fleet_result r;
        static const char *const set[] = {"fallback=wait", "backoff_s=600", NULL};
        ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_cheapest_spot, set, &r), 0);
        ASSERT_EQ_I64(r.completed, 1);
        ASSERT_EQ_I64(r.preemptions, 1);
        ASSERT_EQ_I64(r.restarts, 1);
        /* first run: running at 60, progress from 90; periodic checkpoint of 1000 s at 1090;
         * notice at 1800 (progress 1710), gone at 1920 (progress 1830) */
        double saved = on_notice ? 1710 : 1000, lost = 1830 - saved;
        ASSERT_NEAR(r.lost_gpuh, lost / 3600.0, 1e-9);
        /* retries at 1920 (no capacity: cap 0), 2520, 3120: refused; 3720: launched, running 3780,
         * progress from 3810 for 7200 - saved */
        double done = 3810 + 7200 - saved;
        ASSERT_NEAR(r.jct_mean * 3600.0, done, 1e-6);
        ASSERT_NEAR(r.cost_spot, 1.0 * ((1920 - 60) + (done - 3780)) / 3600.0, 1e-9);
        ASSERT_EQ_I64(r.launch_fail, 3);
        ASSERT_EQ_I64(r.launches, 2);
    }
}

/* A 4-GPU job on 1-GPU instances (placement cheapest: 4 x g1 is cheaper than one g4) loses one
 * instance; heal instance replaces only that one (5 launches), heal job relaunches all (8); with
 * instance heal the three survivors are billed while the fourth boots. */
static void test_heal_instance_vs_job(void) {
    for (int heal_job = 0; heal_job < 2; heal_job++) {
        t_fleet f;
        t_init(&f, 1);
        int p = t_pool(&f, 0, 0, 3.0, 0.5);
        t_pool(&f, 0, 1, 12.0, 2.4);
        int32_t counts[240];
        for (int k = 0; k < 240; k++) counts[k] = k == 40 ? 3 : 4; /* one instance taken at 2400 s */
        f.pools[p].avail = t_avail(counts, 240, 60);
        f.jobs[0] = (sk_jobspec){0, 3 * 3600, 4, -1};
        sk_fleet_result r;
        const char *const set[] = {"placement=cheapest", heal_job ? "heal=job" : "heal=instance", "fallback=wait", "backoff_s=600",
                                   NULL};
        ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_cheapest_spot, set, &r), 0);
        ASSERT_EQ_I64(r.completed, 1);
        ASSERT_EQ_I64(r.preemptions, 1);
        /* the drop to 3 at 2400 s notifies one of the four (gone at 2520); capacity is back at
         * 2460, so at 2520 the instance heal launches the one lost instance, the job heal ends
         * the three survivors and launches four */
        ASSERT_EQ_I64(r.launches, heal_job ? 8 : 5);
        ASSERT_EQ_I64(r.launch_fail, 0);
        ASSERT_NEAR(r.cost_od, 0, 0);
    }
}

/* The spot price rises above the maximum price (0.5 x on-demand) at 1000 s: the instance gets its
 * notice at once; the job goes to on-demand (fallback od) in the same pool set. */
static void test_max_price(void) {
    t_fleet f;
    t_init(&f, 1);
    int p = t_pool(&f, 0, 0, 3.0, 1.0);
    static const sk_time pt[] = {0, 1000 * SK_SEC};
    static const double pr[] = {1.0, 1.8};
    f.pools[p].price = sk_price_trace_new(pt, pr, 2, 0, 0, 0);
    f.c.max_price_frac = 0.5;
    f.c.ckpt_write_gbps = 100;
    f.c.ckpt_gb_per_gpu = 1;
    f.jobs[0] = (sk_jobspec){0, 3600, 1, -1};
    sk_fleet_result r;
    ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_cheapest_spot, NULL, &r), 0);
    ASSERT_EQ_I64(r.preemptions, 1);
    ASSERT_EQ_I64(r.completed, 1);
    /* spot: running 60..1120 at 1.0 until 1000 then 1.8: (940 * 1.0 + 120 * 1.8) / 3600 */
    ASSERT_NEAR(r.cost_spot, (940 * 1.0 + 120 * 1.8) / 3600.0, 1e-12);
    /* the job saved 910 s at the notice; spot is refused above the maximum price, so on the GONE
     * trigger (1120) it goes on-demand: running 1180, load 30, 2690 s of work left: done at 3900 */
    ASSERT_EQ_I64(r.launch_fail, 1);
    ASSERT_NEAR(r.cost_od, 3.0 * (3900 - 1180) / 3600.0, 1e-12);
    ASSERT_NEAR(r.jct_mean * 3600, 3900, 1e-6);
}

/* A standing spot fleet of two 1-GPU instances; one is reclaimed at 1200 s and the fleet-level
 * heal relaunches it when capacity returns; FIFO keeps the queue moving. */
static void test_fleet_heal_fifo(void) {
    for (int heal = 0; heal < 2; heal++) {
        t_fleet f;
        t_init(&f, 6);
        int p = t_pool(&f, 0, 0, 3.0, 1.0);
        static const int32_t counts[] = {2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        f.pools[p].avail = t_avail(counts, 20, 600);
        f.pools[p].standing_spot = 2;
        f.c.fleet_heal = heal;
        f.c.heal_retry_s = 300;
        for (int j = 0; j < 6; j++) f.jobs[j] = (sk_jobspec){100.0 * j, 1800, 1, -1};
        f.c.horizon_s = 20 * 3600;
        sk_fleet_result r;
        ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_fifo, NULL, &r), 0);
        ASSERT_EQ_I64(t_ended(&r), 6);
        ASSERT_EQ_I64(r.completed, 6);
        ASSERT_EQ_I64(r.launches, heal ? 3 : 2);
        ASSERT_TRUE(r.preemptions <= 1);
    }
}

/* Retries: no capacity anywhere and fallback wait: after max_retries the job is ABANDONED. */
static void test_abandon(void) {
    t_fleet f;
    t_init(&f, 3);
    int p = t_pool(&f, 0, 0, 3.0, 1.0);
    static const int32_t zero[] = {0};
    f.pools[p].avail = t_avail(zero, 1, 600);
    for (int j = 0; j < 3; j++) f.jobs[j] = (sk_jobspec){10.0 * j, 600, 1, -1};
    f.c.max_retries = 4;
    sk_fleet_result r;
    static const char *const set[] = {"fallback=wait", "backoff_s=60", NULL};
    ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_cheapest_spot, set, &r), 0);
    ASSERT_EQ_I64(r.abandoned, 3);
    ASSERT_EQ_I64(r.completed, 0);
    ASSERT_EQ_I64(r.launch_fail, 3 * 5);
    ASSERT_NEAR(r.cost, 0, 0);
    ASSERT_EQ_I64(t_ended(&r), 3);
}

/* Deadlines: with drop_late a job still running at its deadline is FAILED and its instances end. */
static void test_deadline_drop(void) {
    t_fleet f;
    t_init(&f, 2);
    t_pool(&f, 0, 0, 3.0, 1.0);
    f.jobs[0] = (sk_jobspec){0, 3600, 1, -1};  /* deadline 1.2 x 3600 = 4320 > 90 + 3600 */
    f.jobs[1] = (sk_jobspec){0, 36000, 1, -1}; /* deadline 43200 > 90 + 36000 */
    f.c.deadline_factor = 1.2;
    f.c.boot_s = 3000; /* job 0 needs 3030 + 3600 = 6630 > 4320: late */
    f.c.drop_late = 1;
    sk_fleet_result r;
    ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_on_demand, NULL, &r), 0);
    ASSERT_EQ_I64(r.failed, 1);
    ASSERT_EQ_I64(r.completed, 1);
    ASSERT_NEAR(r.deadline_met, 0.5, 0);
    /* job 0's instance ran 3000..4320 and was stopped with it */
    ASSERT_NEAR(r.cost_od, 3.0 * ((4320 - 3000) + (30 + 36000)) / 3600.0, 1e-9);
}

/* Conservation on a busy random fleet: every job ends once; GPU-hours x $/GPU-h = cost per
 * market (prices constant and equal per GPU across pools); uniform progress meets deadlines. */
static void test_conservation_and_determinism(void) {
    const sk_gpolicy *pols[] = {&sk_pol_fleet_cheapest_spot, &sk_pol_fleet_on_demand, &sk_pol_fleet_failover,
                                &sk_pol_fleet_eager_next_region, &sk_pol_fleet_uniform_progress};
    for (size_t k = 0; k < sizeof pols / sizeof *pols; k++) {
        sk_fleet_result r[2];
        for (int rep = 0; rep < 2; rep++) {
            t_fleet f;
            t_init(&f, 64);
            for (int z = 0; z < 3; z++) {
                int p1 = t_pool(&f, z, 0, 3.0, 1.0), p4 = t_pool(&f, z, 1, 12.0, 4.0);
                int32_t lev[2] = {6, 1}, lev4[2] = {2, 0};
                double rate[4] = {0, 0.5, 2, 0};
                f.pools[p1].avail = sk_avail_markov_new(2, lev, rate, 0, 0, 180 * SK_SEC);
                f.pools[p4].avail = sk_avail_markov_new(2, lev4, rate, 0, 0, 180 * SK_SEC);
            }
            sk_rng jr;
            sk_rng_init(&jr, NULL, 3, 0, 9);
            double t = 0;
            for (int j = 0; j < 64; j++) {
                t += sk_rng_exponential(&jr, 600);
                int g = 1 << sk_rng_uniform_int(&jr, 3);
                f.jobs[j] = (sk_jobspec){t, 600 + sk_rng_exponential(&jr, 3600), g, -1};
            }
            sk_rng_fini(&jr);
            f.c.ckpt_every_s = 900, f.c.ckpt_gb_per_gpu = 5, f.c.ckpt_write_gbps = 2;
            f.c.deadline_factor = 3;
            ASSERT_EQ_INT(t_run(&f, pols[k], NULL, &r[rep]), 0);
        }
        ASSERT_EQ_I64(t_ended(&r[0]), 64);
        ASSERT_EQ_I64(r[0].unfinished, 0);
        ASSERT_EQ_I64(r[0].completed, 64);
        /* $1 per spot GPU-hour, $3 per on-demand GPU-hour everywhere */
        ASSERT_NEAR(r[0].cost_spot, r[0].gpuh_spot * 1.0, 1e-9 * (1 + r[0].cost_spot));
        ASSERT_NEAR(r[0].cost_od, r[0].gpuh_od * 3.0, 1e-9 * (1 + r[0].cost_od));
        ASSERT_NEAR(r[0].cost, r[0].cost_spot + r[0].cost_od + r[0].egress, 1e-9 * r[0].cost);
        ASSERT_TRUE(r[0].util > 0 && r[0].util <= 1);
        ASSERT_TRUE(memcmp(&r[0], &r[1], sizeof r[0]) == 0);
        if (pols[k] == &sk_pol_fleet_on_demand) ASSERT_EQ_I64(r[0].preemptions, 0);
        if (pols[k] == &sk_pol_fleet_uniform_progress) ASSERT_NEAR(r[0].deadline_met, 1.0, 0);
    }
}

/* Egress: a job preempted in us-east-1 restarts in us-west-2 (the only pool with spot then): its
 * checkpoint is copied across regions (models/sk_migration when no network matrix). */
static void test_egress_on_move(void) {
    t_fleet f;
    t_init(&f, 1);
    int a = t_pool(&f, 0, 0, 3.0, 0.5), b = t_pool(&f, 2, 0, 3.0, 0.9);
    static const int32_t ca[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, cb[] = {1};
    f.pools[a].avail = t_avail(ca, 12, 1200);
    f.pools[b].avail = t_avail(cb, 1, 1200);
    f.c.ckpt_every_s = 600, f.c.ckpt_gb_per_gpu = 100;
    f.jobs[0] = (sk_jobspec){0, 7200, 1, -1};
    sk_fleet_result r;
    static const char *const set[] = {"fallback=wait", NULL};
    ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_eager_next_region, set, &r), 0);
    ASSERT_EQ_I64(r.completed, 1);
    ASSERT_EQ_I64(r.preemptions, 1);
    ASSERT_TRUE(r.egress > 0);
    ASSERT_NEAR(r.egress, 100 * 0.02, 1e-12); /* AWS inter-region $0.02/GB */
}

/* Allowed GPU models: a job of model A100 (its gpu_type) runs on the A100 pool though the V100
 * pool is cheaper; jobs without a type follow job_gpu_mask (here: A100 only as well). */
static void test_gpu_models(void) {
    static const char *const gpus2[] = {"V100", "A100"};
    static const sk_itype_info types2[] = {{"v1", "V100", 0, 1, 16}, {"a1", "A100", 1, 1, 40}};
    for (int by_mask = 0; by_mask < 2; by_mask++) {
        t_fleet f;
        t_init(&f, 1);
        f.c.types = types2, f.c.ngpus = 2, f.c.gpus = gpus2;
        t_pool(&f, 0, 0, 3.0, 0.5);
        t_pool(&f, 0, 1, 4.0, 1.5);
        f.jobs[0] = (sk_jobspec){0, 3600, 1, by_mask ? -1 : 1};
        f.c.job_gpu_mask = by_mask ? UINT64_C(2) : 0;
        sk_fleet_result r;
        ASSERT_EQ_INT(t_run(&f, &sk_pol_fleet_on_demand, NULL, &r), 0);
        ASSERT_EQ_I64(r.completed, 1);
        ASSERT_NEAR(r.cost_od, 4.0 * 3630 / 3600.0, 1e-12);
    }
}

static const sk_test tests[] = {
    {"gpu_models", test_gpu_models},
    {"on_demand_exact", test_on_demand_exact},
    {"preempt_checkpoint_on_notice", test_preempt_checkpoint_on_notice},
    {"heal_instance_vs_job", test_heal_instance_vs_job},
    {"max_price", test_max_price},
    {"fleet_heal_fifo", test_fleet_heal_fifo},
    {"abandon", test_abandon},
    {"deadline_drop", test_deadline_drop},
    {"conservation_and_determinism", test_conservation_and_determinism},
    {"egress_on_move", test_egress_on_move},
    {NULL, NULL},
};

int main(int argc, char **argv) { return sk_test_main(tests, argc, argv); }
