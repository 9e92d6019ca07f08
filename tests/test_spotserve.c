/* test_spotserve.c - SpotServe-style serving (src/serve/sk_spotserve): the optimizer on hand-checked
 * cases from the real 6.7B profile, a request interrupted mid-decode resuming where it stopped
 * (spotserve) or from scratch (restart, reroute) at hand-computed times, conservation on the
 * artifact's trace segments, loader errors, and determinism of the scenario kind for a seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/sk_scenario.h"
#include "serve/sk_spotserve.h"
#include "sim/sk_kinds.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

static char t_err[1024];

/* Write text to a fresh temporary file; its name into path (64 bytes). */
static int t_write(char *path, const char *text) {
    strcpy(path, "/tmp/test_spotserve_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

static int t_profile(sk_ss_profile *p, const char *rel) {
    char path[4096];
    if (sk_trace_find(rel, NULL, path, sizeof path) < 0) return -1;
    return sk_ss_profile_load(p, path, t_err, sizeof t_err);
}

/* 6.7B on one g4dn.12xlarge (4 T4): fp32 weights are 26.6 GB, so T x P = 1 does not fit in 16 GB
 * (less 1.5 GB reserve); T x P = 2 fits only with batches of <= 2 (14.65 GB with B = 4). */
static void test_optimizer_6_7b(void) {
    sk_ss_profile p;
    ASSERT_EQ_INT(t_profile(&p, "spotserve/elastic-switch/profile/T4-4x/megatron_6.7B_profile.json"), 0);
    sk_ss_model m = {.prof = &p, .in_len = 512, .out_len = 128, .vocab = 51200, .bytes_per_param = 4, .gpu_mem_gb = 16,
                     .mem_reserve_gb = 1.5, .min_world_size = 0, .max_bsz = 4, .gpus_per_node = 4};
    ASSERT_NEAR(sk_ss_weight_bytes(&m), (12.0 * 4096 * 4096 * 32 + 51200.0 * 4096) * 4, 0);
    ASSERT_TRUE(!sk_ss_fits(&m, 1, 1, 1));
    ASSERT_TRUE(!sk_ss_fits(&m, 1, 2, 4));
    ASSERT_TRUE(sk_ss_fits(&m, 1, 2, 2));
    ASSERT_TRUE(sk_ss_fits(&m, 2, 1, 2));
    ASSERT_TRUE(sk_ss_fits(&m, 4, 1, 4));
    /* profile arithmetic: T=4, P=1, B=4, M1=4, M2=1: t1 = init[tp4][bsz1] * 32 * (1+4-1)/4,
     * t2 = incr[tp4][bsz4] * 32, latency = 1.1 (t1 + 128 t2 + 2 embed[bsz4]) */
    double pre, step;
    ASSERT_EQ_INT(sk_ss_batch_time(&p, 4, 1, 4, 4, 1, &pre, &step), 0);
    ASSERT_NEAR(pre, 1.1 * (19.567 * 32 + 2 * 0.461), 1e-9);
    ASSERT_NEAR(step, 1.1 * 1.021 * 32, 1e-9);
    sk_ss_cfg c;
    /* required 0.5 req/s: the lowest latency meeting it is D1 T4 P1 B4 M1=4 M2=1, 5289.9902 ms */
    ASSERT_EQ_INT(sk_ss_optimize(&m, 4, 0.5, &c), 0);
    ASSERT_EQ_INT(c.D, 1); ASSERT_EQ_INT(c.T, 4); ASSERT_EQ_INT(c.P, 1); ASSERT_EQ_INT(c.B, 4);
    ASSERT_EQ_INT(c.M1, 4); ASSERT_EQ_INT(c.M2, 1);
    ASSERT_NEAR(c.lat_ms, 1.1 * (19.567 * 32 + 1.021 * 32 * 128 + 2 * 0.461), 1e-9);
    ASSERT_NEAR(c.tpt, 4 / (c.lat_ms / 1000), 1e-12);
    /* required 0.1: B = 2 (M1 = 2) is faster, 1.1 (19.567*32 + 0.932*32*128 + 2*0.372) = 4888.796 ms */
    ASSERT_EQ_INT(sk_ss_optimize(&m, 4, 0.1, &c), 0);
    ASSERT_EQ_INT(c.T, 4); ASSERT_EQ_INT(c.P, 1); ASSERT_EQ_INT(c.B, 2); ASSERT_EQ_INT(c.M1, 2); ASSERT_EQ_INT(c.M2, 1);
    ASSERT_NEAR(c.lat_ms, 4888.796, 1e-9);
    /* required 2 req/s is out of reach: the highest throughput wins (the 0.5 answer, 0.756 req/s) */
    ASSERT_EQ_INT(sk_ss_optimize(&m, 4, 2.0, &c), 0);
    ASSERT_EQ_INT(c.B, 4); ASSERT_EQ_INT(c.T, 4); ASSERT_NEAR(c.tpt, 0.7561450680948331, 1e-12);
    /* the artifact's floor: min_world_size 8 on 4 GPUs leaves nothing */
    m.min_world_size = 8;
    ASSERT_EQ_INT(sk_ss_optimize(&m, 4, 0.5, &c), 1);
    ASSERT_EQ_INT(c.D, 0);
    /* 8 GPUs with the floor: T x P >= 8, P divides 36 padded layers */
    ASSERT_EQ_INT(sk_ss_optimize(&m, 8, 0.1, &c), 0);
    ASSERT_TRUE(c.T * c.P >= 8 && 36 % c.P == 0 && c.D == 8 / (c.T * c.P));
}

/* A toy model where everything is round: 2 layers, prefill 1 s, decode step 0.1 s (batch of 1),
 * 100 output tokens; two 1-GPU instances; the one serving the request is removed at 10.5 s with a
 * 5 s notice (5.5 s). KV cache of the request: 2*2*1*200*64*4 = 204800 B, moved in exactly 1 s. */
static const char t_toy_profile[] =
    "{\"name\": \"toy\", \"layer_num\": 2, \"padded_layer_num\": 2, \"final_fix_factor\": 1.0,\n"
    " \"pp_init_comm\": 0, \"pp_incr_comm\": 0, \"hidden_size\": 64, \"max_tp\": 1, \"embed\": [0, 0, 0, 0],\n"
    " \"tp-1\": {\"bsz-1\": {\"init\": 500, \"incr\": 50}, \"bsz-2\": {\"init\": 600, \"incr\": 60}}}\n";
static const char t_toy_trace[] =
    "# toy segment\n"
    "[0, \"add\", {\"nodes\": [\"a\", \"b\"]}]\n"
    "[10500, \"remove\", {\"nodes\": [\"a\"]}]\n"
    "[100000, \"DONE\", {\"nodes\": []}]\n";

static int t_toy(int policy, sk_ss_result *r) {
    char pp_path[64], tr_path[64];
    sk_ss_profile p;
    sk_ss_trace tr;
    if (t_write(pp_path, t_toy_profile) < 0 || t_write(tr_path, t_toy_trace) < 0) return -1;
    int rc = sk_ss_profile_load(&p, pp_path, t_err, sizeof t_err);
    if (rc == 0) rc = sk_ss_trace_load(&tr, tr_path, t_err, sizeof t_err);
    unlink(pp_path), unlink(tr_path);
    if (rc < 0) return rc;
    sk_ss_model m = {.prof = &p, .in_len = 100, .out_len = 100, .vocab = 0, .bytes_per_param = 4, .gpu_mem_gb = 16,
                     .mem_reserve_gb = 0, .min_world_size = 0, .max_bsz = 1, .gpus_per_node = 1};
    /* weights 12*64*64*2*4 = 393216 B: a cold start reads them in 1 s, plus 2 s of boot */
    sk_ss_params pp = {.policy = policy, .req_tpt = 0.01, .grace_s = 5, .add_lead_s = 0, .net_gbps = 204800 * 8 / 1e9,
                       .switch_overhead_s = 0.5, .load_gbps = 393216 / 1e9, .boot_s = 2, .spot_price = 1, .od_price = 2};
    double arr[1] = {4.0};
    rc = sk_ss_simulate(&m, &tr, arr, 1, &pp, r, t_err, sizeof t_err);
    sk_ss_trace_fini(&tr);
    return rc;
}

/* spotserve: the request (on instance a) prefills 4..5 s and decodes a step per 0.1 s. The switch
 * (KV 1 s + overhead 0.5 s) begins just in time, 10.5 - 1.5 = 9 s, after 40 steps; it resumes on b
 * at 10.5 s for the other 60 steps: done at 16.5 s, latency 12.5 s (15 s without the preemption). */
static void test_migration_keeps_progress(void) {
    sk_ss_result r;
    ASSERT_EQ_INT(t_toy(SK_SS_POL_SPOTSERVE, &r), 0);
    ASSERT_EQ_INT(r.first_cfg.D, 2);
    ASSERT_EQ_INT(r.completed, 1);
    ASSERT_EQ_INT(r.resume_step[0], 40);
    ASSERT_EQ_INT(r.nint[0], 1); ASSERT_EQ_INT(r.nrestart[0], 0);
    ASSERT_EQ_INT(r.migrated, 1); ASSERT_EQ_INT(r.restarts, 0);
    ASSERT_NEAR(r.finish[0], 16.5, 1e-6);
    ASSERT_NEAR(r.lat_p50, 12.5, 1e-6);
    ASSERT_NEAR(r.switch_s, 1.5, 1e-9);
    /* billing: a until 10.5 s, b until 100 s, $1/h */
    ASSERT_NEAR(r.inst_hours, (10.5 + 100) / 3600, 1e-12);
    ASSERT_NEAR(r.cost, r.inst_hours, 1e-12);
    ASSERT_NEAR(r.cost_od, 2 * r.inst_hours, 1e-12);
    sk_ss_result_fini(&r);
}

/* restart: at the notice (5.5 s) everything restarts cold on b: 2 s boot + 1 s load, ready at
 * 8.5 s; the request starts over: 1 s prefill + 100 steps, done at 19.5 s (latency 15.5 s). */
static void test_restart_loses_progress(void) {
    sk_ss_result r;
    ASSERT_EQ_INT(t_toy(SK_SS_POL_RESTART, &r), 0);
    ASSERT_EQ_INT(r.completed, 1);
    ASSERT_EQ_INT(r.nrestart[0], 1); ASSERT_EQ_INT(r.resume_step[0], -1);
    ASSERT_EQ_INT(r.restarts, 1); ASSERT_EQ_INT(r.migrated, 0);
    ASSERT_NEAR(r.finish[0], 19.5, 1e-6);
    ASSERT_NEAR(r.switch_s, 3, 1e-9);
    sk_ss_result_fini(&r);
    /* reroute: the broken pipeline closes at the notice; b is already up, so the request starts over
     * there at once: 5.5 + 1 + 10 = 16.5 s */
    ASSERT_EQ_INT(t_toy(SK_SS_POL_REROUTE, &r), 0);
    ASSERT_EQ_INT(r.completed, 1); ASSERT_EQ_INT(r.restarts, 1);
    ASSERT_NEAR(r.finish[0], 16.5, 1e-6);
    sk_ss_result_fini(&r);
    /* on_demand: 2 instances (the segment's mean is 1.1), nothing interrupts: 4 + 1 + 10 = 15 s */
    ASSERT_EQ_INT(t_toy(SK_SS_POL_ON_DEMAND, &r), 0);
    ASSERT_EQ_INT(r.interrupts, 0);
    ASSERT_NEAR(r.finish[0], 15, 1e-6);
    ASSERT_NEAR(r.inst_hours, 2 * 100.0 / 3600, 1e-12);
    ASSERT_NEAR(r.cost, 2 * r.inst_hours, 1e-12);
    sk_ss_result_fini(&r);
}

/* Every request of the artifact's segments ends exactly once, for every policy and model. */
static void test_conservation(void) {
    ASSERT_TRUE(t_traces_root() != NULL);
    static const char *const segs[] = {"trace_0304_real.txt", "trace_0506_real.txt", "trace_0203.txt", "trace_0304_ondemand.txt",
                                       "trace_0506_workload.txt"};
    static const char *const profs[] = {"megatron_6.7B_profile.json", "megatron_h6144_profile.json", "megatron_h7168_profile.json"};
    static const char *const qs[] = {"query6144_tpt1.5_cv6.txt", "query_tpt0.35_cv6.txt", "query_tpt0.2_cv6.txt"};
    static const int minws[] = {4, 12, 16};
    static const double tpt[] = {2, 0.4, 0.2};
    for (int mi = 0; mi < 3; mi++) {
        char path[4096], rel[256];
        sk_ss_profile p;
        snprintf(rel, sizeof rel, "spotserve/elastic-switch/profile/T4-4x/%s", profs[mi]);
        ASSERT_EQ_INT(t_profile(&p, rel), 0);
        double *arr;
        int narr, in_len;
        snprintf(rel, sizeof rel, "spotserve/elastic-switch/trace/query/%s", qs[mi]);
        ASSERT_EQ_INT(sk_trace_find(rel, NULL, path, sizeof path), 0);
        ASSERT_EQ_INT(sk_ss_queries_load(path, &arr, &narr, &in_len, t_err, sizeof t_err), 0);
        ASSERT_EQ_INT(in_len, 512);
        sk_ss_model m = {.prof = &p, .in_len = in_len, .out_len = 128, .vocab = 51200, .bytes_per_param = 4, .gpu_mem_gb = 16,
                         .mem_reserve_gb = 1.5, .min_world_size = minws[mi], .max_bsz = 4, .gpus_per_node = 4};
        for (size_t si = 0; si < sizeof segs / sizeof segs[0]; si++) {
            sk_ss_trace tr;
            snprintf(rel, sizeof rel, "spotserve/elastic-switch/trace/trace_seg/%s", segs[si]);
            ASSERT_EQ_INT(sk_trace_find(rel, NULL, path, sizeof path), 0);
            ASSERT_EQ_INT(sk_ss_trace_load(&tr, path, t_err, sizeof t_err), 0);
            for (int pol = 0; pol < 4; pol++) {
                sk_ss_params pp = {.policy = pol, .req_tpt = tpt[mi], .grace_s = 30, .add_lead_s = 30, .net_gbps = 25,
                                   .switch_overhead_s = 0.5, .load_gbps = 1, .boot_s = 10, .spot_price = 1.9046, .od_price = 3.912};
                sk_ss_result r;
                int rc = sk_ss_simulate(&m, &tr, arr, narr, &pp, &r, t_err, sizeof t_err);
                if (rc < 0) fprintf(stderr, "  %s %s pol %d: %s\n", profs[mi], segs[si], pol, t_err);
                ASSERT_EQ_INT(rc, 0);
                int n = 0, done = 0, failed = 0;
                while (n < narr && arr[n] < (double)tr.end / 1e6) n++;
                ASSERT_EQ_INT(r.n, n);
                int64_t nint = 0, nrs = 0;
                for (int i = 0; i < r.n; i++) {
                    ASSERT_TRUE(r.outcome[i] == SK_SS_COMPLETED || r.outcome[i] == SK_SS_FAILED);
                    done += r.outcome[i] == SK_SS_COMPLETED, failed += r.outcome[i] == SK_SS_FAILED;
                    if (r.outcome[i] == SK_SS_COMPLETED)
                        ASSERT_TRUE(r.finish[i] >= r.arrival[i] + (128 * 0.0) && r.finish[i] <= (double)tr.end / 1e6);
                    else ASSERT_TRUE(isnan(r.finish[i]));
                    nint += r.nint[i], nrs += r.nrestart[i];
                }
                ASSERT_EQ_INT(done, r.completed); ASSERT_EQ_INT(failed, r.failed);
                ASSERT_EQ_INT(r.completed + r.failed, r.n);
                ASSERT_EQ_INT(nint, r.interrupts); ASSERT_EQ_INT(nrs, r.restarts);
                ASSERT_EQ_INT(r.interrupts, r.migrated + r.restarts);
                if (pol == SK_SS_POL_ON_DEMAND) ASSERT_EQ_INT(r.interrupts, 0);
                if (pol != SK_SS_POL_SPOTSERVE) ASSERT_EQ_INT(r.migrated, 0);
                /* a switch takes seconds, the notice 30 s: spotserve never loses decoding progress */
                if (pol == SK_SS_POL_SPOTSERVE) ASSERT_EQ_INT(r.restarts, 0);
                ASSERT_TRUE(r.lat_p50 <= r.lat_p90 && r.lat_p90 <= r.lat_p99 && r.lat_p99 <= r.lat_max);
                sk_ss_result_fini(&r);
            }
            sk_ss_trace_fini(&tr);
        }
        free(arr);
    }
}

/* "Reparallelize when it helps": on 6.7B / A_S the optimizer flips between D5 T4 P2 (40 GPUs,
 * 4729 ms) and D9 T4 P1 (36 GPUs, 4889 ms) on every add and notice after 330 s. That is 3.3% less
 * latency: min_gain 0.05 keeps T4 P1 and only adds or drops pipelines (no running request stops
 * for it), min_gain 0 follows the optimizer with full switches that pause and migrate everything. */
static void test_min_gain(void) {
    char path[4096];
    sk_ss_profile p;
    sk_ss_trace tr;
    double *arr;
    int narr, in_len;
    ASSERT_EQ_INT(t_profile(&p, "spotserve/elastic-switch/profile/T4-4x/megatron_6.7B_profile.json"), 0);
    ASSERT_EQ_INT(sk_trace_find("spotserve/elastic-switch/trace/query/query6144_tpt1.5_cv6.txt", NULL, path, sizeof path), 0);
    ASSERT_EQ_INT(sk_ss_queries_load(path, &arr, &narr, &in_len, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(sk_trace_find("spotserve/elastic-switch/trace/trace_seg/trace_0304_real.txt", NULL, path, sizeof path), 0);
    ASSERT_EQ_INT(sk_ss_trace_load(&tr, path, t_err, sizeof t_err), 0);
    sk_ss_model m = {.prof = &p, .in_len = 512, .out_len = 128, .vocab = 51200, .bytes_per_param = 4, .gpu_mem_gb = 16,
                     .mem_reserve_gb = 1.5, .min_world_size = 4, .max_bsz = 4, .gpus_per_node = 4};
    sk_ss_params pp = {.policy = SK_SS_POL_SPOTSERVE, .req_tpt = 2, .grace_s = 30, .add_lead_s = 30, .net_gbps = 25,
                       .switch_overhead_s = 0.5, .load_gbps = 1, .boot_s = 10, .spot_price = 1.9046, .od_price = 3.912};
    sk_ss_result r0, r5;
    pp.min_gain = 0;
    ASSERT_EQ_INT(sk_ss_simulate(&m, &tr, arr, narr, &pp, &r0, t_err, sizeof t_err), 0);
    pp.min_gain = 0.05;
    ASSERT_EQ_INT(sk_ss_simulate(&m, &tr, arr, narr, &pp, &r5, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(r0.first_cfg.T, 4); ASSERT_EQ_INT(r0.first_cfg.P, 1); ASSERT_EQ_INT(r0.first_cfg.D, 7);
    ASSERT_TRUE(r0.interrupts > r5.interrupts);
    ASSERT_TRUE(r0.switch_s > r5.switch_s);
    ASSERT_EQ_INT(r0.restarts, 0); ASSERT_EQ_INT(r5.restarts, 0);
    ASSERT_EQ_INT(r0.switches, r5.switches); /* the same events change the configuration */
    sk_ss_result_fini(&r0);
    sk_ss_result_fini(&r5);
    sk_ss_trace_fini(&tr);
    free(arr);
}

static void test_percentile(void) {
    double x[] = {1, 2, 3, 4, 10};
    ASSERT_NEAR(sk_ss_pctl(x, 5, 50), 3, 0);
    ASSERT_NEAR(sk_ss_pctl(x, 5, 90), 4 + 0.6 * 6, 1e-12); /* numpy: pos 3.6 */
    ASSERT_NEAR(sk_ss_pctl(x, 5, 99), 4 + 0.96 * 6, 1e-12);
    ASSERT_NEAR(sk_ss_pctl(x, 5, 100), 10, 0);
    ASSERT_NEAR(sk_ss_pctl(x, 1, 99), 1, 0);
    ASSERT_TRUE(isnan(sk_ss_pctl(x, 0, 50)));
}

static void test_loader_errors(void) {
    char path[64];
    sk_ss_trace tr;
    ASSERT_EQ_INT(t_write(path, "[0, \"add\", {\"nodes\": [\"a\"]}]\n[5, \"jump\", {\"nodes\": []}]\n"), 0);
    ASSERT_EQ_INT(sk_ss_trace_load(&tr, path, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: unknown op 'jump'");
    unlink(path);
    ASSERT_EQ_INT(t_write(path, "[0, \"add\", {\"nodes\": [\"a\"]}]\n[5, \"remove\", {\"nodes\": [\"b\"]}]\n"), 0);
    ASSERT_EQ_INT(sk_ss_trace_load(&tr, path, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: node b removed while absent");
    unlink(path);
    ASSERT_EQ_INT(t_write(path, "[0, \"add\", {\"nodes\": [\"a\"]}]\n"), 0);
    ASSERT_EQ_INT(sk_ss_trace_load(&tr, path, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "no DONE event");
    unlink(path);
    sk_ss_profile p;
    ASSERT_EQ_INT(t_write(path, "{\"layer_num\": 2, \"final_fix_factor\": 1, \"pp_init_comm\": 0}"), 0);
    ASSERT_EQ_INT(sk_ss_profile_load(&p, path, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "pp_incr_comm: missing");
    unlink(path);
    double *t;
    int n, il;
    ASSERT_EQ_INT(t_write(path, "0,1.5,512,0\n1,x,512,9\n"), 0);
    ASSERT_EQ_INT(sk_ss_queries_load(path, &t, &n, &il, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: column 2");
    unlink(path);
    /* a real segment: 0304_real has 11 nodes and ends at 1320 s */
    char real[4096];
    ASSERT_EQ_INT(sk_trace_find("spotserve/elastic-switch/trace/trace_seg/trace_0304_real.txt", NULL, real, sizeof real), 0);
    ASSERT_EQ_INT(sk_ss_trace_load(&tr, real, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(tr.nnodes, 11); ASSERT_EQ_INT(tr.nev, 7); ASSERT_EQ_I64(tr.end, 1320 * SK_SEC);
    ASSERT_EQ_INT(tr.ev[5].op, SK_SS_REMOVE); ASSERT_EQ_INT(tr.ev[5].n, 2);
    sk_ss_trace_fini(&tr);
}

/* The kind, Gamma arrivals from the world stream: the same seed gives bitwise-equal metrics,
 * another seed other arrivals. */
static void run_kind(uint64_t seed, const char *policy, sk_value *out) {
    const sk_scenario_kind *k = sk_scenario_find("spotserve");
    sk_value v[64] = {{0}};
    char why[256];
    for (size_t i = 0; i < k->nparams; i++) {
        const char *txt = k->params[i].def;
        if (!strcmp(k->params[i].name, "queries")) txt = "gamma";
        if (!strcmp(k->params[i].name, "segment")) txt = "spotserve/elastic-switch/trace/trace_seg/trace_0506_real.txt";
        if (!strcmp(k->params[i].name, "prices")) txt = "serving-derived/spotserve_prices_usd_per_hour.csv";
        if (sk_param_parse(&k->params[i], txt, &v[i], why, sizeof why) < 0) fprintf(stderr, "  %s: %s\n", k->params[i].name, why);
    }
    const sk_policy_def *pol = sk_scenario_policy(k, policy);
    sk_value pp[4] = {{0}};
    for (size_t i = 0; pol && i < pol->nparams; i++) sk_param_parse(&pol->params[i], pol->params[i].def, &pp[i], why, sizeof why);
    sk_run_ctx c = {.master_seed = seed, .run_index = 0, .world_index = 0, .params = v, .policy = pol, .policy_params = pp};
    char msg[512] = "";
    int rc = k->run(&c, out, msg, sizeof msg);
    if (rc < 0) fprintf(stderr, "  run: %s\n", msg);
    for (size_t i = 0; i < k->nparams; i++) sk_value_fini(&v[i]);
}

static void test_determinism(void) {
    const sk_scenario_kind *k = sk_scenario_find("spotserve");
    ASSERT_TRUE(k != NULL);
    sk_value a[64] = {{0}}, b[64] = {{0}}, c[64] = {{0}};
    run_kind(7, "spotserve", a);
    run_kind(7, "spotserve", b);
    run_kind(8, "spotserve", c);
    ASSERT_TRUE(a[0].i > 100); /* requests of the Gamma(0.35/s, cv 6) arrivals in 1020 s */
    int differ = 0;
    for (size_t i = 0; i < k->nmetrics; i++) {
        if (k->metrics[i].type == SK_TABLE_F64) {
            ASSERT_EQ_U64(*(uint64_t *)&a[i].f, *(uint64_t *)&b[i].f);
            differ |= memcmp(&a[i].f, &c[i].f, sizeof a[i].f) != 0;
        } else {
            ASSERT_EQ_I64(a[i].i, b[i].i);
            differ |= a[i].i != c[i].i;
        }
    }
    ASSERT_TRUE(differ);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"optimizer_6_7b", test_optimizer_6_7b},
        {"migration_keeps_progress", test_migration_keeps_progress},
        {"restart_loses_progress", test_restart_loses_progress},
        {"conservation", test_conservation},
        {"min_gain", test_min_gain},
        {"percentile", test_percentile},
        {"loader_errors", test_loader_errors},
        {"determinism", test_determinism},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
