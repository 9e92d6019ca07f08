/* test_runner.c - experiment plan and runner: /summary bitwise identical for 1 and 2 threads and
 * for shard layouts merged; resume completes a partial file to the same result; resume refuses
 * another configuration; unwritable output leaves nothing behind; plan numbering. */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sk_exp.h"
#include "io/sk_results.h"
#include "sim/sk_kinds.h"
#include "sim/sk_runner.h"
#include "sk_config.h"
#include "test.h"

static const char *sk_exp_text =
    "name: det\n"
    "seed: 7\n"
    "replications: 3\n"
    "scenario: {kind: phold, lps: 32, events_per_lp: 2, end: 20}\n"
    "policies:\n"
    "  - name: uniform\n"
    "  - {name: hotspot, params: {hot_lps: 2}}\n"
    "sweep:\n"
    "  lps: [16, 32]\n"
    "  hotspot.hot_weight: 0.25..0.75:0.5\n";

static char sk_dir[256];
static volatile sig_atomic_t sk_nostop;

static void sk_path(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", sk_dir, name); }

static int sk_run(const sk_exp *e, const char *out, int threads, uint64_t k, uint64_t n, int resume) {
    sk_runner_opts o = {.threads = threads, .shard_k = k, .shard_n = n, .resume = resume, .output = out,
                        .command_line = "test", .stop = &sk_nostop};
    uint64_t nf = 0;
    char err[1024] = "";
    int rc = sk_runner_run(e, &o, &nf, NULL, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  runner: %s\n", err);
    return rc < 0 ? rc : (int)nf;
}

/* 1 if the two tables have the same columns (names, types, order) and bitwise the same values. */
static int sk_same_table(const sk_table *a, const sk_table *b) {
    if (a->ncols != b->ncols) return 0;
    for (size_t c = 0; c < a->ncols; c++) {
        const sk_table_col *x = &a->cols[c], *y = &b->cols[c];
        if (strcmp(x->name, y->name) || x->type != y->type || x->n != y->n) return 0;
        for (size_t i = 0; i < x->n; i++) {
            if (x->type == SK_TABLE_STR) {
                if (strcmp(x->v.str[i], y->v.str[i])) return 0;
            } else if (memcmp((const char *)x->v.any + 8 * i, (const char *)y->v.any + 8 * i, 8)) {
                return 0;
            }
        }
    }
    return 1;
}

static int sk_read(const char *path, sk_table *t, sk_results_meta *m) {
    char err[512];
    int rc = sk_results_read(path, m, t, err, sizeof err);
    if (rc < 0) fprintf(stderr, "  read: %s\n", err);
    return rc;
}

static void test_plan_numbering(void) {
    sk_exp e;
    char err[512];
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), NULL, 0, err, sizeof err), 0);
    ASSERT_EQ_U64(e.npoints, 4);
    ASSERT_EQ_U64(e.nruns, 4 * 2 * 3);
    sk_run_scratch sc;
    ASSERT_EQ_INT(sk_run_scratch_init(&sc, &e), 0);
    sk_run_spec s;
    sk_exp_run_at(&e, 0, &sc, &s);
    ASSERT_EQ_U64(s.point, 0);
    ASSERT_EQ_INT(s.sparams[0].i, 16);
    sk_exp_run_at(&e, 9, &sc, &s); /* point 1 (lps 16, w 0.75), policy hotspot, replication 0 */
    ASSERT_EQ_U64(s.point, 1);
    ASSERT_EQ_U64(s.policy, 1);
    ASSERT_EQ_U64(s.replication, 0);
    ASSERT_EQ_U64(s.world_index, 3);
    ASSERT_EQ_INT(s.sparams[0].i, 16);
    ASSERT_NEAR(s.pparams[1].f, 0.75, 0);
    ASSERT_EQ_INT(s.pparams[0].i, 2);
    sk_exp_run_at(&e, 23, &sc, &s);
    ASSERT_EQ_U64(s.point, 3);
    ASSERT_EQ_INT(s.sparams[0].i, 32);
    ASSERT_EQ_U64(s.world_index, 11);
    sk_run_scratch_fini(&sc);
    /* --set: replace an axis, remove one, override a scalar */
    sk_exp e2;
    const char *sets[] = {"sweep.lps=8,16,32", "sweep.hotspot.hot_weight=", "replications=2"};
    ASSERT_EQ_INT(sk_exp_load_text(&e2, "det.yaml", sk_exp_text, strlen(sk_exp_text), sets, 3, err, sizeof err), 0);
    ASSERT_EQ_U64(e2.nruns, 3 * 2 * 2);
    ASSERT_TRUE(strcmp(e.sha256, e2.sha256) != 0);
    /* where the results go is not part of the configuration's identity */
    sk_exp e4;
    const char *sets4[] = {"sweep.lps=8,16,32", "sweep.hotspot.hot_weight=", "replications=2", "output=elsewhere/x.h5"};
    ASSERT_EQ_INT(sk_exp_load_text(&e4, "det.yaml", sk_exp_text, strlen(sk_exp_text), sets4, 4, err, sizeof err), 0);
    ASSERT_TRUE(strcmp(e4.resolved, e2.resolved) != 0);
    ASSERT_TRUE(!strcmp(e4.sha256, e2.sha256));
    sk_exp_fini(&e4);
    /* the resolved text loads back to the same configuration */
    sk_exp e3;
    ASSERT_EQ_INT(sk_exp_load_text(&e3, "resolved.yaml", e2.resolved, strlen(e2.resolved), NULL, 0, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(e3.resolved, e2.resolved));
    ASSERT_TRUE(!strcmp(e3.sha256, e2.sha256));
    sk_exp_fini(&e3);
    sk_exp_fini(&e2);
    sk_exp_fini(&e);
}

static void test_threads_and_shards(void) {
    sk_exp e;
    char err[512], a[512], b[512], s0[512], s1[512], m2[512], t0[512], t1[512], t2[512], m3[512];
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), NULL, 0, err, sizeof err), 0);
    sk_path(a, sizeof a, "a.h5");
    sk_path(b, sizeof b, "b.h5");
    sk_path(s0, sizeof s0, "s0.h5");
    sk_path(s1, sizeof s1, "s1.h5");
    sk_path(m2, sizeof m2, "m2.h5");
    sk_path(t0, sizeof t0, "t0.h5");
    sk_path(t1, sizeof t1, "t1.h5");
    sk_path(t2, sizeof t2, "t2.h5");
    sk_path(m3, sizeof m3, "m3.h5");
    ASSERT_EQ_INT(sk_run(&e, a, 1, 0, 1, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, b, 2, 0, 1, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, s1, 2, 1, 2, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, s0, 1, 0, 2, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, t2, 1, 2, 3, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, t0, 2, 0, 3, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, t1, 1, 1, 3, 0), 0);
    const char *in2[] = {s1, s0}, *in3[] = {t2, t0, t1};
    ASSERT_EQ_INT(sk_results_merge(in2, 2, m2, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_results_merge(in3, 3, m3, err, sizeof err), 0);

    sk_table ta, tb, tm2, tm3;
    sk_results_meta ma, mb, mm2, mm3;
    ASSERT_EQ_INT(sk_read(a, &ta, &ma), 0);
    ASSERT_EQ_INT(sk_read(b, &tb, &mb), 0);
    ASSERT_EQ_INT(sk_read(m2, &tm2, &mm2), 0);
    ASSERT_EQ_INT(sk_read(m3, &tm3, &mm3), 0);
    ASSERT_EQ_I64(sk_table_nrows(&ta), 24);
    int crun = sk_table_find(&ta, "run"), cst = sk_table_find(&ta, "status"), cev = sk_table_find(&ta, "events");
    ASSERT_TRUE(crun >= 0 && cst >= 0 && cev >= 0);
    for (int64_t i = 0; i < 24; i++) {
        ASSERT_EQ_I64(ta.cols[crun].v.i64[i], i);
        ASSERT_TRUE(!strcmp(ta.cols[cst].v.str[i], "ok"));
        ASSERT_TRUE(ta.cols[cev].v.i64[i] > 0);
    }
    ASSERT_TRUE(sk_same_table(&ta, &tb));
    ASSERT_TRUE(sk_same_table(&ta, &tm2));
    ASSERT_TRUE(sk_same_table(&ta, &tm3));
    ASSERT_TRUE(!strcmp(ma.config_sha256, e.sha256));
    ASSERT_TRUE(!strcmp(ma.config_yaml, e.resolved));
    ASSERT_EQ_U64(ma.master_seed, 7);
    /* common random numbers: uniform runs of one world see the same world; the seed matters */
    int cws = sk_table_find(&ta, "checksum");
    ASSERT_TRUE(cws >= 0);
    ASSERT_TRUE(ta.cols[cws].v.u64[0] != ta.cols[cws].v.u64[1]);
    sk_table_fini(&ta), sk_table_fini(&tb), sk_table_fini(&tm2), sk_table_fini(&tm3);
    sk_results_meta_fini(&ma), sk_results_meta_fini(&mb), sk_results_meta_fini(&mm2), sk_results_meta_fini(&mm3);
    sk_exp_fini(&e);
}

static void test_resume(void) {
    sk_exp e, other;
    char err[512], full[512], part[512];
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), NULL, 0, err, sizeof err), 0);
    sk_path(full, sizeof full, "full.h5");
    sk_path(part, sizeof part, "part.h5");
    ASSERT_EQ_INT(sk_run(&e, full, 2, 0, 1, 0), 0);
    /* a partial file: the runs of shard 1/3 only, then resume the whole experiment on it */
    ASSERT_EQ_INT(sk_run(&e, part, 1, 1, 3, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, part, 2, 0, 1, 1), 0);
    sk_table tf, tp;
    sk_results_meta mf, mp;
    ASSERT_EQ_INT(sk_read(full, &tf, &mf), 0);
    ASSERT_EQ_INT(sk_read(part, &tp, &mp), 0);
    ASSERT_TRUE(sk_same_table(&tf, &tp));
    sk_table_fini(&tp);
    sk_results_meta_fini(&mp);
    /* another configuration is refused and the file is left as it was */
    const char *sets[] = {"seed=8"};
    ASSERT_EQ_INT(sk_exp_load_text(&other, "det.yaml", sk_exp_text, strlen(sk_exp_text), sets, 1, err, sizeof err), 0);
    sk_runner_opts o = {.threads = 1, .shard_n = 1, .resume = 1, .output = part, .stop = &sk_nostop};
    uint64_t nf;
    ASSERT_EQ_INT(sk_runner_run(&other, &o, &nf, NULL, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "another configuration");
    ASSERT_EQ_INT(sk_read(part, &tp, &mp), 0);
    ASSERT_TRUE(sk_same_table(&tf, &tp));
    sk_table_fini(&tp), sk_table_fini(&tf);
    sk_results_meta_fini(&mp), sk_results_meta_fini(&mf);
    sk_exp_fini(&other);
    sk_exp_fini(&e);
}

static void test_stop_and_bad_output(void) {
    sk_exp e;
    char err[512], path[512];
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), NULL, 0, err, sizeof err), 0);
    /* stopped before any run: a valid file with no rows, SK_EINTR */
    static volatile sig_atomic_t stop = 1;
    sk_path(path, sizeof path, "stopped.h5");
    sk_runner_opts o = {.threads = 2, .shard_n = 1, .output = path, .stop = &stop};
    uint64_t nf;
    ASSERT_EQ_INT(sk_runner_run(&e, &o, &nf, NULL, err, sizeof err), SK_EINTR);
    ASSERT_STR_CONTAINS(err, "--resume");
    sk_table t;
    sk_results_meta m;
    ASSERT_EQ_INT(sk_read(path, &t, &m), 0);
    ASSERT_EQ_I64(sk_table_nrows(&t), 0);
    sk_table_fini(&t);
    sk_results_meta_fini(&m);
    /* a folder that can't exist (under a regular file): error, nothing created */
    sk_path(path, sizeof path, "afile");
    FILE *f = fopen(path, "w");
    if (f) fclose(f);
    sk_path(path, sizeof path, "afile/x.h5");
    o.stop = &sk_nostop;
    o.output = path;
    ASSERT_EQ_INT(sk_runner_run(&e, &o, &nf, NULL, err, sizeof err), SK_ECANTCREAT);
    struct stat st;
    ASSERT_TRUE(stat(path, &st) != 0);
    sk_exp_fini(&e);
}

/* series: true writes /runs/<run>/{t, events}; the bins add up to the run's events; identical
 * for 1 and 2 threads and after a resume from a partial file. */
static void test_series(void) {
    sk_exp e;
    char err[512], a[512], b[512];
    const char *sets[] = {"series=true", "sweep.hotspot.hot_weight="};
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), sets, 2, err, sizeof err), 0);
    ASSERT_EQ_INT(e.series, 1);
    ASSERT_STR_CONTAINS(e.resolved, "series: true");
    sk_path(a, sizeof a, "sa.h5");
    sk_path(b, sizeof b, "sb.h5");
    ASSERT_EQ_INT(sk_run(&e, a, 1, 0, 1, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, b, 2, 1, 2, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, b, 2, 0, 1, 1), 0);
    sk_table ta, tb;
    sk_results_meta ma, mb;
    ASSERT_EQ_INT(sk_read(a, &ta, &ma), 0);
    ASSERT_EQ_INT(sk_read(b, &tb, &mb), 0);
    ASSERT_TRUE(sk_same_table(&ta, &tb));
    int cev = sk_table_find(&ta, "events");
    for (uint64_t i = 0; i < e.nruns; i++) {
        char id[24];
        snprintf(id, sizeof id, "%llu", (unsigned long long)i);
        sk_table sa, sb;
        ASSERT_EQ_INT(sk_results_read_series(a, id, &sa, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_results_read_series(b, id, &sb, err, sizeof err), 0);
        ASSERT_TRUE(sk_same_table(&sa, &sb));
        ASSERT_EQ_I64(sk_table_nrows(&sa), 100);
        int ce = sk_table_find(&sa, "events");
        ASSERT_TRUE(ce >= 0);
        int64_t sum = 0;
        for (size_t k = 0; k < sa.cols[ce].n; k++) sum += sa.cols[ce].v.i64[k];
        ASSERT_EQ_I64(sum, ta.cols[cev].v.i64[i]);
        sk_table_fini(&sa), sk_table_fini(&sb);
    }
    sk_table_fini(&ta), sk_table_fini(&tb);
    sk_results_meta_fini(&ma), sk_results_meta_fini(&mb);
    sk_exp_fini(&e);
}

/* The batch world through the runner: traces shared by threads, identical for 1 and 2 threads. */
static void test_batch_threads(void) {
    static const char *text =
        "name: b\n"
        "scenario: {kind: batch, trace: spot-availability/availability/1-node/aws-10-26-2022/us-west-2a_v100_1.json}\n"
        "policies: [{name: greedy}, {name: uniform_progress}, {name: omniscient}, {name: time_sliced, params: {slices: 3}}]\n"
        "sweep: {window: 0..19, changeover_hours: [0, 0.2]}\n";
    sk_exp e;
    char err[512], a[512], b[512];
    ASSERT_EQ_INT(sk_exp_load_text(&e, SK_SOURCE_DIR "/experiments/x.yaml", text, strlen(text), NULL, 0, err, sizeof err), 0);
    ASSERT_EQ_U64(e.nruns, 20 * 2 * 4);
    sk_path(a, sizeof a, "ba.h5");
    sk_path(b, sizeof b, "bb.h5");
    ASSERT_EQ_INT(sk_run(&e, a, 1, 0, 1, 0), 0);
    ASSERT_EQ_INT(sk_run(&e, b, 2, 0, 1, 0), 0);
    sk_table ta, tb;
    sk_results_meta ma, mb;
    ASSERT_EQ_INT(sk_read(a, &ta, &ma), 0);
    ASSERT_EQ_INT(sk_read(b, &tb, &mb), 0);
    ASSERT_TRUE(sk_same_table(&ta, &tb));
    int cc = sk_table_find(&ta, "cost"), cp = sk_table_find(&ta, "policy");
    ASSERT_TRUE(cc >= 0 && cp >= 0);
    /* the optimum is never above the others on the same window and changeover */
    for (size_t i = 0; i + 3 < ta.cols[cc].n; i += 4) {
        ASSERT_TRUE(!strcmp(ta.cols[cp].v.str[i + 2], "omniscient"));
        ASSERT_TRUE(ta.cols[cc].v.f64[i + 2] <= ta.cols[cc].v.f64[i] + 1e-9);
        ASSERT_TRUE(ta.cols[cc].v.f64[i + 2] <= ta.cols[cc].v.f64[i + 1] + 1e-9);
    }
    sk_table_fini(&ta), sk_table_fini(&tb);
    sk_results_meta_fini(&ma), sk_results_meta_fini(&mb);
    sk_exp_fini(&e);
}

/* core/sk_plan: the one plan arithmetic. sk_plan_index inverts sk_plan_at; axis value indices run
 * the first axis slowest; shard sizes add up to the plan. */
static void test_core_plan(void) {
    const size_t len[3] = {3, 1, 4};
    sk_run_plan p;
    sk_plan_init(&p, len, 3, 2, 5);
    ASSERT_EQ_U64(p.npoints, 12);
    ASSERT_EQ_U64(p.nruns, 12 * 2 * 5);
    for (uint64_t i = 0; i < p.nruns; i++) {
        sk_plan_run r = sk_plan_at(&p, i);
        ASSERT_EQ_U64(sk_plan_index(&p, r.point, r.policy, r.replication), i);
        ASSERT_EQ_U64(r.world_index, r.point * 5 + r.replication);
    }
    ASSERT_EQ_U64(sk_plan_axis_at(&p, 7, 0), 1); /* point 7 = (1, 0, 3) */
    ASSERT_EQ_U64(sk_plan_axis_at(&p, 7, 1), 0);
    ASSERT_EQ_U64(sk_plan_axis_at(&p, 7, 2), 3);
    uint64_t sum = 0;
    for (uint64_t k = 0; k < 7; k++) sum += sk_plan_shard_size(p.nruns, k, 7);
    ASSERT_EQ_U64(sum, p.nruns);
    ASSERT_EQ_U64(sk_plan_shard_size(3, 5, 8), 0);
    ASSERT_EQ_U64(sk_plan_shard_run(2, 7, 3), 23);
    sk_plan_init(&p, NULL, 0, 0, 1); /* no axes, a kind without policies */
    ASSERT_EQ_U64(p.nruns, 1);
}

/* What the runner reports instead of printing: START, one RUN per run, END; on --resume, START
 * says how many runs the file held. */
typedef struct sk_events {
    int n, nstart, nrun, nend, order_ok;
    uint64_t last_done, resumed, total;
} sk_events;

static void sk_on_event(void *user, const sk_runner_status *st) {
    sk_events *ev = user;
    if (ev->n++ == 0 && st->event != SK_RUNNER_START) ev->order_ok = 0;
    if (ev->nend) ev->order_ok = 0; /* nothing after END */
    if (st->done < ev->last_done) ev->order_ok = 0;
    ev->last_done = st->done;
    ev->total = st->total;
    if (st->event == SK_RUNNER_START) ev->nstart++, ev->resumed = st->resumed;
    if (st->event == SK_RUNNER_RUN) ev->nrun++;
    if (st->event == SK_RUNNER_END) ev->nend++;
}

static void test_progress_and_table(void) {
    sk_exp e;
    char err[1024] = "", out[300];
    ASSERT_EQ_INT(sk_exp_load_text(&e, "det.yaml", sk_exp_text, strlen(sk_exp_text), NULL, 0, err, sizeof err), 0);
    sk_path(out, sizeof out, "events.h5");
    sk_events ev = {.order_ok = 1};
    sk_runner_opts o = {.threads = 2, .shard_n = 1, .output = out, .stop = &sk_nostop, .notify = sk_on_event,
                        .notify_user = &ev};
    uint64_t nf = 1;
    sk_runner_table t;
    ASSERT_EQ_INT(sk_runner_run(&e, &o, &nf, &t, err, sizeof err), 0);
    ASSERT_EQ_U64(nf, 0);
    ASSERT_TRUE(ev.order_ok && ev.nstart == 1 && ev.nend == 1);
    ASSERT_EQ_INT(ev.nrun, 24);
    ASSERT_EQ_U64(ev.last_done, 24);
    ASSERT_EQ_U64(ev.total, 24);
    /* the whole table: every axis and the policy, 4 points x 2 policies of 3 replications */
    ASSERT_TRUE(t.by_policy && t.sel[0] && t.sel[1]);
    ASSERT_EQ_U64(t.ngroups, 8);
    for (size_t g = 0; g < t.ngroups; g++) {
        ASSERT_EQ_U64(t.g[g].runs, 3);
        ASSERT_EQ_U64(t.g[g].failed, 0);
        ASSERT_TRUE(t.g[g].mean[0] > 0); /* mean events */
    }
    ASSERT_EQ_U64(t.g[1].policy, 1); /* policy varies fastest */
    ASSERT_EQ_U64(t.g[2].val[1], 1);
    sk_runner_table_fini(&t);
    /* --by policy: two groups of 12; a resume holds everything: START says so, no run again */
    sk_events ev2 = {.order_ok = 1};
    o.by = "policy";
    o.resume = 1;
    o.notify_user = &ev2;
    ASSERT_EQ_INT(sk_runner_run(&e, &o, &nf, &t, err, sizeof err), 0);
    ASSERT_TRUE(ev2.order_ok && ev2.nstart == 1 && ev2.nrun == 0 && ev2.nend == 1);
    ASSERT_EQ_U64(ev2.resumed, 24);
    ASSERT_TRUE(t.by_policy && !t.sel[0] && !t.sel[1]);
    ASSERT_EQ_U64(t.ngroups, 2);
    ASSERT_EQ_U64(t.g[0].runs, 12);
    ASSERT_EQ_U64(t.g[1].runs, 12);
    sk_runner_table_fini(&t);
    /* a bad --by is refused before any run, and the table is left empty */
    o.by = "nope";
    ASSERT_EQ_INT(sk_runner_run(&e, &o, &nf, &t, err, sizeof err), SK_EUSAGE);
    ASSERT_STR_CONTAINS(err, "--by nope: not a sweep axis");
    ASSERT_EQ_U64(t.ngroups, 0);
    sk_exp_fini(&e);
}

static void test_shard_path(void) {
    char *p = sk_runner_shard_path("out/res.h5", 3, 8);
    ASSERT_TRUE(p && !strcmp(p, "out/res.shard-3-of-8.h5"));
    free(p);
    p = sk_runner_shard_path("a.b/res", 0, 2);
    ASSERT_TRUE(p && !strcmp(p, "a.b/res.shard-0-of-2"));
    free(p);
    p = sk_runner_shard_path("res.h5", 0, 1);
    ASSERT_TRUE(p && !strcmp(p, "res.h5"));
    free(p);
}

int main(int argc, char **argv) {
    snprintf(sk_dir, sizeof sk_dir, "/tmp/sk_test_runner.%d", (int)getpid());
    if (mkdir(sk_dir, 0700) != 0) return 1;
    static const sk_test tests[] = {
        {"plan_numbering", test_plan_numbering},
        {"threads_and_shards", test_threads_and_shards},
        {"resume", test_resume},
        {"stop_and_bad_output", test_stop_and_bad_output},
        {"series", test_series},
        {"batch_threads", test_batch_threads},
        {"shard_path", test_shard_path},
        {"core_plan", test_core_plan},
        {"progress_and_table", test_progress_and_table},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc, argv);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sk_dir);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
