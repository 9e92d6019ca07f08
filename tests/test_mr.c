/* test_mr.c - the multi-region world against the SkyNomad artifact: every example row of
 * ../shared/specs/skynomad/examples.csv and every row of the published sweeps that the project's
 * policies cover (multi-region rows through sk_mr_simulate, single-region rc_cr_threshold rows
 * through the batch world with S-new semantics), to 1e-9 relative; the migration model; the
 * spec's rules one by one on scripted traces; bad input.
 *
 * usage: test_mr SPECS_DIR   (the folder with examples.csv and published_*.csv) */
#include <ctype.h>
#include <math.h>

#include "core/sk_world.h"
#include "engine/sk_rng.h"
#include "io/sk_results.h"
#include "io/sk_spot.h"
#include "models/sk_migration.h"
#include "sim/sk_batch.h"
#include "sim/sk_mr.h"
#include "sk_error.h"
#include "test.h"
#include "test_mr_common.h"

extern const sk_gpolicy sk_pol_mr_uniform_progress, sk_pol_mr_up_failover, sk_pol_mr_up_probe, sk_pol_mr_up_probe_cost,
    sk_pol_mr_optimal_dp;
extern const sk_gpolicy sk_pol_uniform_progress;

static const char *specs;

static const sk_gpolicy *t_policy(const char *artifact_name) {
    if (!strcmp(artifact_name, "multi_region_rc_cr_threshold")) return &sk_pol_mr_uniform_progress;
    if (!strcmp(artifact_name, "multi_region_rc_cr_threshold_eager_failover")) return &sk_pol_mr_up_failover;
    if (!strcmp(artifact_name, "multi_region_availability_probe_simple")) return &sk_pol_mr_up_probe;
    if (!strcmp(artifact_name, "multi_region_probe_cost_ratio")) return &sk_pol_mr_up_probe_cost;
    if (!strcmp(artifact_name, "multi_region_oracle_dp")) return &sk_pol_mr_optimal_dp;
    return NULL;
}

/* default parameter values of a policy, parsed from its table */
static int t_params(const sk_gpolicy *p, sk_value *v) {
    char why[256];
    for (size_t i = 0; i < p->def.nparams; i++)
        if (sk_param_parse(&p->def.params[i], p->def.params[i].def, &v[i], why, sizeof why) < 0) return -1;
    return 0;
}

static int t_run(const t_zones *zs, const sk_mr_job *job, const sk_gpolicy *p, sk_mr_result *r, char *msg, size_t len) {
    sk_value pv[8];
    memset(pv, 0, sizeof pv);
    if (t_params(p, pv) < 0) return -1;
    sk_rng rng;
    sk_rng_init(&rng, NULL, 1, 0, SK_STREAM_POLICY);
    int rc = sk_mr_simulate(job, zs->z, zs->n, p, pv, &rng, r, NULL, msg, len);
    sk_rng_fini(&rng);
    for (size_t i = 0; i < p->def.nparams; i++) sk_value_fini(&pv[i]);
    return rc;
}

/* ---- examples.csv --------------------------------------------------------------------------------- */

static void test_examples(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/examples.csv", specs);
    t_csv c = {fopen(path, "r"), 0, {{0}}};
    ASSERT_TRUE(c.f != NULL);
    t_csv h = c;
    t_csv_row(&h);
    c.f = h.f;
    int cs = t_col(&h, "trace_set"), cp = t_col(&h, "policy"), cC = t_col(&h, "task_hours"), cR = t_col(&h, "deadline_hours"),
        cd = t_col(&h, "restart_overhead_hours"), cg = t_col(&h, "checkpoint_gb"), cm = t_col(&h, "cost_main"),
        cw = t_col(&h, "cost_sweep"), ct = t_col(&h, "transfer_cost"), cb = t_col(&h, "probe_cost"), cf = t_col(&h, "finish_tick");
    ASSERT_TRUE(cs >= 0 && cp >= 0 && cf >= 0);
    static const char *const v100[] = {"us-east-1f_v100_1", "us-east-2a_v100_1", "us-west-2c_v100_1"};
    static const char *const h100[] = {"us-central1-a_h100_16", "us-east4-a_h100_16", "europe-west1-c_h100_16"};
    t_zones zv, zh;
    ASSERT_TRUE(t_zones_load(&zv, V100, v100, 3) == 0);
    ASSERT_TRUE(t_zones_load(&zh, H100, h100, 3) == 0);
    int rows = 0, match = 0, skynomad = 0;
    while (t_csv_row(&c)) {
        const sk_gpolicy *p = t_policy(c.fld[cp]);
        if (!p) {
            skynomad++;
            continue;
        }
        rows++;
        sk_mr_job job = {atof(c.fld[cC]), atof(c.fld[cR]), atof(c.fld[cd]), atof(c.fld[cg]), 600, 0, 0, 0};
        sk_mr_result r;
        char msg[256];
        int rc = t_run(strstr(c.fld[cs], "v100") ? &zv : &zh, &job, p, &r, msg, sizeof msg);
        int ok = rc == 0 && t_close(r.cost_main, atof(c.fld[cm])) && t_close(r.cost_sweep, atof(c.fld[cw])) &&
                 t_close(r.transfer, atof(c.fld[ct])) && t_close(r.probe, atof(c.fld[cb])) && r.finish_tick == atoll(c.fld[cf]);
        if (!ok)
            fprintf(stderr, "  example %s %s C=%s: rc %d %s main %.17g/%s sweep %.17g/%s transfer %.17g probe %.17g/%s T %lld/%s\n", c.fld[cs],
                    c.fld[cp], c.fld[cC], rc, rc ? msg : "", r.cost_main, c.fld[cm], r.cost_sweep, c.fld[cw], r.transfer, r.probe,
                    c.fld[cb], (long long)r.finish_tick, c.fld[cf]);
        match += ok;
    }
    fclose(c.f);
    t_zones_fini(&zv);
    t_zones_fini(&zh);
    printf("  examples.csv: %d of %d rows of the UP family and the DP match (SkyNomad rows, not covered: %d)\n", match, rows, skynomad);
    ASSERT_EQ_INT(rows, 40);
    ASSERT_EQ_INT(match, rows);
}

/* ---- published sweeps ---------------------------------------------------------------------------- */

typedef struct {
    int rows, match, mig_match, single, single_match, skipped, other;
} t_pub;

static void t_published_file(const char *file, int by_window, t_pub *acc) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", specs, file);
    t_csv h = {fopen(path, "r"), 0, {{0}}};
    if (!h.f) {
        fprintf(stderr, "  cannot open %s\n", path);
        sk_t_fail = 1;
        return;
    }
    t_csv_row(&h);
    t_csv c = h;
    int creg = t_col(&h, "regions_in_scenario"), cst = t_col(&h, "strategy"), cone = t_col(&h, "region"),
        cC = t_col(&h, "task_duration"), cg = t_col(&h, "checkpoint_size"), cd = t_col(&h, "restart_overhead"),
        cR = t_col(&h, "deadline_hours"), cw = t_col(&h, "window_index"), ctt = t_col(&h, "task_type"), ch = t_col(&h, "env_start_hours"), ccost = t_col(&h, "cost"), cmig = t_col(&h, "migrations");
    t_zones zs;
    char lastset[T_FLEN] = "";
    int loaded = 0;
    while (t_csv_row(&c)) {
        double C_h = atof(c.fld[cC]), R_h = atof(c.fld[cR]), d_h = atof(c.fld[cd]), gb = atof(c.fld[cg]);
        /* The start tick: ceil(env_start_hours*3600/gap) as the artifact computes it; the checkpoint
         * sweep printed rounded hours, and its runs started at window_index * ceil(R/gap) (spec). */
        int64_t W = (int64_t)ceil(R_h * 3600 / 600), start = t_start_tick(c.fld[ch], c.fld[cw], R_h, by_window);
        double want = atof(c.fld[ccost]);
        if (!strcmp(c.fld[cst], "rc_cr_threshold") && strcmp(c.fld[ctt], "single_region")) {
            acc->other++; /* task_type trace_mode_baseline: a baseline the spec does not cover */
            continue;
        }
        if (!strcmp(c.fld[cst], "rc_cr_threshold")) { /* single region, S-new, batch world */
            const char *nm[1] = {c.fld[cone]};
            t_zones one;
            if (t_zones_load(&one, H100, nm, 1) < 0) {
                sk_t_fail = 1;
                continue;
            }
            sk_batch_job job = {C_h, R_h, d_h, one.tr[0].od_price, one.tr[0].spot_price, one.tr[0].prices};
            int64_t L = one.tr[0].n < start + W ? one.tr[0].n : start + W; /* --enforce-window-bound */
            sk_batch_result r;
            char msg[256];
            int rc = sk_batch_simulate(&job, one.tr[0].avail, L, start, 600, &sk_pol_uniform_progress, NULL, SK_SIM_NEW, NULL, &r,
                                       NULL, msg, sizeof msg);
            int ok = rc == 0 && t_close(r.cost, want);
            if (!ok && acc->single - acc->single_match < 5)
                fprintf(stderr, "  %s single %s C=%s window %s: %.17g, published %.17g\n", file, c.fld[cone], c.fld[cC], c.fld[cw], r.cost,
                        want);
            acc->single++;
            acc->single_match += ok;
            t_zones_fini(&one);
            continue;
        }
        const sk_gpolicy *p = t_policy(c.fld[cst]);
        if (!p) {
            acc->skipped++;
            continue;
        }
        if (t_zones_for_row(&zs, &loaded, lastset, sizeof lastset, c.fld[creg]) < 0) {
            sk_t_fail = 1;
            continue;
        }
        sk_mr_job job = {C_h, R_h, d_h, gb, 600, start, 1, 0};
        sk_mr_result r;
        char msg[256];
        int rc = t_run(&zs, &job, p, &r, msg, sizeof msg);
        int ok = rc == 0 && t_close(r.cost_sweep, want);
        if (!ok && acc->rows - acc->match < 8)
            fprintf(stderr, "  %s %s %s C=%s ckpt=%s window %s: rc %d %s cost %.17g, published %.17g\n", file, c.fld[cst], c.fld[creg],
                    c.fld[cC], c.fld[cg], c.fld[cw], rc, rc ? msg : "", r.cost_sweep, want);
        acc->rows++;
        acc->match += ok;
        acc->mig_match += rc == 0 && r.migrations == atoll(c.fld[cmig]);
    }
    if (loaded) t_zones_fini(&zs);
    fclose(h.f);
}

static void test_published(void) {
    static const char *const files[] = {"published_deadline_sensitivity.csv", "published_region_scaling.csv",
                                        "published_region_selection.csv", "published_checkpoint_sensitivity.csv"};
    t_pub acc = {0};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) t_published_file(files[i], i == 3, &acc);
    printf("  published sweeps: %d of %d multi-region rows match (migrations equal in %d); %d of %d single-region rows; "
           "%d SkyNomad rows and %d trace_mode_baseline rows not covered\n",
           acc.match, acc.rows, acc.mig_match, acc.single_match, acc.single, acc.skipped, acc.other);
    ASSERT_TRUE(acc.rows > 0);
    ASSERT_EQ_INT(acc.match, acc.rows);
    ASSERT_EQ_INT(acc.mig_match, acc.rows);
    ASSERT_EQ_INT(acc.single_match, acc.single);
}


/* ---- the spec's rules on scripted traces ---------------------------------------------------------- */

typedef struct {
    int n;
    int64_t L;
    uint8_t av[4][64];
    double pr[4][64];
    sk_mr_zone z[4];
} t_script;

/* zone i: name, availability string ('1' available, '0' not), constant spot and on-demand price */
static void t_script_zone(t_script *s, const char *name, const char *avail, double spot, double od) {
    int i = s->n++;
    s->L = (int64_t)strlen(avail);
    for (int64_t k = 0; k < s->L; k++) s->av[i][k] = avail[k] == '1', s->pr[i][k] = spot;
    s->z[i] = (sk_mr_zone){name, s->av[i], s->pr[i], s->L, spot, od};
}

static int t_script_run(const t_script *s, const sk_mr_job *job, const sk_gpolicy *p, sk_mr_result *r, sk_table *series) {
    sk_value pv[8];
    memset(pv, 0, sizeof pv);
    if (t_params(p, pv) < 0) return -1;
    char msg[256];
    int rc = sk_mr_simulate(job, s->z, s->n, p, pv, NULL, r, series, msg, sizeof msg);
    if (rc < 0) fprintf(stderr, "  sk_mr_simulate: %s\n", msg);
    for (size_t i = 0; i < p->def.nparams; i++) sk_value_fini(&pv[i]);
    return rc;
}

/* the zone billed in interval j (first billed row of that interval), or -2 */
static int64_t t_zone_at(const sk_table *t, double hours) {
    for (size_t i = 0; i < t->cols[0].n; i++)
        if (t->cols[0].v.f64[i] == hours && !t->cols[3].v.i64[i]) return t->cols[1].v.i64[i];
    return -2;
}

/* A test policy: spot in zone 0 whenever nothing runs (the safety net must step in). */
static void t_spot0_decide(void *st, const sk_view *v, const sk_actor *a) {
    (void)st;
    if (!v->ninst) a->launch(a->w, 0, SK_MKT_SPOT);
}
static const sk_gpolicy t_spot0 = {.def = {"spot0", NULL, 0, "test"}, .decide = t_spot0_decide};

static void test_rule_egress(void) {
    /* zone 0 (us-east-1) runs ticks 0-2 and goes; zone 1 (eu-west-1) has spot at tick 3 only: UP moves
     * there at tick 3 and loses it at boundary 4. The egress is charged at the observe of tick 4 (the
     * new instance is still active there: preemption is handled after), once, at the us-east-1 rate. */
    t_script s = {0};
    t_script_zone(&s, "us-east-1a_x", "11100000000000000000000000000000", 1.0, 3.0);
    t_script_zone(&s, "eu-west-1a_x", "00010000000000000000000000000000", 1.0, 3.0);
    sk_mr_job job = {2.0, 5.0, 0.1, 100, 600, 0, 0, 0};
    sk_mr_result r;
    ASSERT_EQ_INT(t_script_run(&s, &job, &sk_pol_mr_uniform_progress, &r, NULL), 0);
    ASSERT_EQ_INT(r.migrations, 1);
    ASSERT_EQ_INT(r.mig_continent, 1);
    ASSERT_TRUE(r.transfer == 100 * 0.02);
    /* the same move in the tick the job finishes is left out of the figure cost, not of the main one */
    ASSERT_TRUE(r.cost_main - r.cost_sweep > 0);
}

static void test_rule_probe_billing(void) {
    /* UP(A) runs in zone 0; zone 1 (same region) is probed every 12 ticks while due: each successful
     * probe bills 60 s of zone 1's spot price, nothing else. */
    t_script s = {0};
    char ones[64];
    memset(ones, '1', 48);
    ones[48] = 0;
    t_script_zone(&s, "us-east-1a_x", ones, 1.0, 3.0);
    t_script_zone(&s, "us-east-1b_x", ones, 0.9, 3.0);
    sk_mr_job job = {4.0, 7.0, 0.1, 10, 600, 0, 0, 0};
    sk_mr_result r;
    ASSERT_EQ_INT(t_script_run(&s, &job, &sk_pol_mr_up_probe, &r, NULL), 0);
    ASSERT_TRUE(r.probes > 0);
    ASSERT_NEAR(r.probe, (double)r.probes * 0.9 * 60 / 3600, 1e-12);
    ASSERT_EQ_INT(r.migrations, 0);
}

static void test_rule_safety_net(void) {
    /* C = 1 h, d = 0.1 h, R = 80 min: at tick 1 only just enough whole ticks remain, so the net
     * replaces the running spot by on-demand in the same zone (a fresh changeover) and holds it. */
    t_script s = {0};
    t_script_zone(&s, "us-east-1a_x", "1111111111111111", 1.0, 3.0);
    sk_mr_job job = {1.0, 80.0 / 60, 0.1, 10, 600, 0, 0, 0};
    sk_mr_result r;
    sk_table series = {0};
    ASSERT_EQ_INT(t_script_run(&s, &job, &t_spot0, &r, &series), 0);
    ASSERT_EQ_INT(r.launches, 2);
    ASSERT_NEAR(r.spot_hours, 600.0 / 3600, 1e-12);
    ASSERT_TRUE(r.od_hours > 0);
    ASSERT_EQ_INT(series.cols[2].v.i64[0], SK_MKT_SPOT);
    ASSERT_EQ_INT(series.cols[2].v.i64[1], SK_MKT_OD);
    ASSERT_EQ_INT(series.cols[1].v.i64[1], 0); /* same zone */
    ASSERT_EQ_INT(r.late, 0);
    sk_table_fini(&series);
}

static void test_rule_eager_failover(void) {
    /* Zones 0 and 1 are one cloud region (us-east4, cheapest), zone 2 is europe-west1. Zone 0 runs until
     * boundary 2; then UP(S) puts zone 0's whole region last and moves to Europe, where plain UP (index
     * order) stays in the region (zone 1). */
    t_script s = {0};
    t_script_zone(&s, "us-east4-a_x", "1100000000000000000000000000000000000000", 1.0, 5.0);
    t_script_zone(&s, "us-east4-b_x", "1111111111111111111111111111111111111111", 1.1, 5.0);
    t_script_zone(&s, "europe-west1-b_x", "1111111111111111111111111111111111111111", 2.0, 5.0);
    sk_mr_job job = {3.0, 6.0, 0.1, 10, 600, 0, 0, 0};
    sk_mr_result r;
    sk_table series = {0};
    ASSERT_EQ_INT(t_script_run(&s, &job, &sk_pol_mr_up_failover, &r, &series), 0);
    ASSERT_EQ_INT(t_zone_at(&series, 0), 0);
    ASSERT_EQ_INT(t_zone_at(&series, 2 * 600.0 / 3600), 2);
    ASSERT_EQ_INT(r.mig_continent, 1);
    sk_table_fini(&series);
    sk_table up = {0};
    ASSERT_EQ_INT(t_script_run(&s, &job, &sk_pol_mr_uniform_progress, &r, &up), 0);
    ASSERT_EQ_INT(t_zone_at(&up, 2 * 600.0 / 3600), 1);
    ASSERT_EQ_INT(r.mig_az, 1);
    sk_table_fini(&up);
}

static void test_rule_ties(void) {
    /* identical zones: every policy picks the lower index */
    const sk_gpolicy *pols[] = {&sk_pol_mr_uniform_progress, &sk_pol_mr_up_failover, &sk_pol_mr_up_probe,
                                &sk_pol_mr_up_probe_cost, &sk_pol_mr_optimal_dp};
    for (size_t i = 0; i < sizeof pols / sizeof *pols; i++) {
        t_script s = {0};
        t_script_zone(&s, "us-east-1a_x", "0011111111111111111111111111111111111111", 1.0, 3.0);
        t_script_zone(&s, "us-east-1b_x", "0011111111111111111111111111111111111111", 1.0, 3.0);
        sk_mr_job job = {2.0, 6.0, 0.1, 10, 600, 0, 0, 0};
        sk_mr_result r;
        sk_table series = {0};
        ASSERT_EQ_INT(t_script_run(&s, &job, pols[i], &r, &series), 0);
        for (size_t q = 0; q < series.cols[0].n; q++)
            if (!series.cols[3].v.i64[q] && series.cols[1].v.i64[q] != 0) {
                fprintf(stderr, "  %s ran in zone %lld\n", pols[i]->def.name, (long long)series.cols[1].v.i64[q]);
                sk_t_fail = 1;
            }
        sk_table_fini(&series);
    }
}

static void test_rule_bounds(void) {
    /* the window bound: tick ceil(R/gap) reads as unavailable; without it the trace's end does */
    t_script s = {0};
    t_script_zone(&s, "us-east-1a_x", "11111111", 1.0, 3.0);
    sk_mr_job job = {0.5, 1.0, 0.0, 10, 600, 0, 1, 0};
    sk_mr_result r;
    ASSERT_EQ_INT(t_script_run(&s, &job, &sk_pol_mr_uniform_progress, &r, NULL), 0);
    ASSERT_EQ_INT(r.late, 0);
    /* a start past the end, or work longer than the trace: SK_EDATA naming the zone */
    char msg[256];
    sk_mr_job late = {0.5, 1.0, 0.0, 10, 600, 8, 0, 0};
    ASSERT_EQ_INT(sk_mr_check(&late, s.z, 1, msg, sizeof msg), SK_EDATA);
    ASSERT_STR_CONTAINS(msg, "us-east-1a_x: start tick 8");
    sk_mr_job longw = {2.0, 3.0, 0.0, 10, 600, 0, 0, 0};
    ASSERT_EQ_INT(sk_mr_check(&longw, s.z, 1, msg, sizeof msg), SK_EDATA);
    ASSERT_STR_CONTAINS(msg, "trace data insufficient");
    /* infeasible (C + d > R): not simulated, the cheapest on-demand for C + d */
    t_script_zone(&s, "us-east-1b_x", "11111111", 1.0, 2.0);
    sk_mr_job inf = {1.0, 1.0, 0.1, 10, 600, 0, 0, 0};
    ASSERT_EQ_INT(t_script_run(&s, &inf, &sk_pol_mr_up_probe, &r, NULL), 0);
    ASSERT_EQ_INT(r.infeasible, 1);
    ASSERT_TRUE(r.cost_main == 2.0 * ((1.0 * 3600.0) / 3600.0 + 0.1) && r.cost_sweep == r.cost_main);
}

static void test_migration_model(void) {
    char z[64], r[64];
    sk_mig_parse("us-east4-a_h100_16", z, sizeof z, r, sizeof r);
    ASSERT_TRUE(!strcmp(z, "us-east4-a") && !strcmp(r, "us-east4"));
    sk_mig_parse("us-east-1f_v100_1", z, sizeof z, r, sizeof r);
    ASSERT_TRUE(!strcmp(z, "us-east-1f") && !strcmp(r, "us-east-1"));
    sk_mig_cloud_region("us-east-1f", r, sizeof r);
    ASSERT_TRUE(!strcmp(r, "us-east-1"));
    sk_mig_cloud_region("europe-west1-c", r, sizeof r);
    ASSERT_TRUE(!strcmp(r, "europe-west1"));
    ASSERT_EQ_INT(sk_mig_relation("us-east4-a_x", "us-east4-b_x"), SK_REL_CROSS_AZ);
    ASSERT_EQ_INT(sk_mig_relation("us-east4-a_x", "us-west1-a_x"), SK_REL_CROSS_REGION);
    ASSERT_EQ_INT(sk_mig_relation("us-east4-a_x", "europe-west1-c_x"), SK_REL_CROSS_CONTINENT);
    ASSERT_TRUE(sk_mig_transfer_usd("us-east4-a_x", "us-east4-b_x", 50) == 0);
    ASSERT_TRUE(sk_mig_transfer_usd("us-east-1a_x", "us-east-2a_x", 50) == 50 * 0.01);
    ASSERT_TRUE(sk_mig_transfer_usd("me-west1-a_x", "us-east4-a_x", 50) == 50 * 0.085);
    ASSERT_TRUE(sk_mig_egress_rate("ap-south-1", "ap-east-1") == 0.08);
    ASSERT_TRUE(sk_mig_egress_rate("sa-east-1", "us-east-1") == 0.138);
    ASSERT_TRUE(sk_mig_egress_rate("eu-west-1", "ap-southeast-7") == 0.08);
    ASSERT_TRUE(sk_mig_transfer_hours("us-east4-a_x", "us-east4-b_x", 50) == 0);
    double h = sk_mig_transfer_hours("us-east4-a_x", "europe-west1-c_x", 50);
    ASSERT_NEAR(h, (50.0 * 8 * 1024 / 3590 - 50.0 * 8 * 1024 / 9720) / 3600, 1e-15);
}

static const sk_test tests[] = {
    {"examples", test_examples},
    {"published", test_published},
    {"rule_egress", test_rule_egress},
    {"rule_probe_billing", test_rule_probe_billing},
    {"rule_safety_net", test_rule_safety_net},
    {"rule_eager_failover", test_rule_eager_failover},
    {"rule_ties", test_rule_ties},
    {"rule_bounds", test_rule_bounds},
    {"migration_model", test_migration_model},
    {NULL, NULL},
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_mr SPECS_DIR [TEST...]\n");
        return 64;
    }
    specs = argv[1];
    return sk_test_main(tests, argc - 1, argv + 1);
}
