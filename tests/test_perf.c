/* test_perf.c - the replica performance model: interpolation in log2(batch), the ends, unknown
 * (gpu, model), and table errors named by file and line; the shipped table loads. */
#include <unistd.h>

#include "models/sk_perf.h"
#include "sk_config.h"
#include "sk_error.h"
#include "test.h"

static char sk_tmp[256];

static const char *sk_write(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", sk_tmp, name);
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
    return path;
}

static void test_interpolation(void) {
    const char *p = sk_write("ok.csv", "gpu,model,batch,tokens_per_s,ttft_ms,source\n"
                                       "H100,gpt2-small,1,100,5,test\n"
                                       "H100,gpt2-small,4,320,8,test\n"
                                       "CPU,gpt2-small,1,10,50,test\n");
    sk_perf pm;
    char err[256];
    ASSERT_EQ_INT(sk_perf_load(&pm, p, err, sizeof err), 0);
    ASSERT_EQ_U64(pm.n, 3);
    double t, f;
    ASSERT_EQ_INT(sk_perf_at(&pm, "H100", "gpt2-small", 2, &t, &f), 0);
    ASSERT_NEAR(t, 210, 1e-9); /* halfway in log2: (100 + 320) / 2 */
    ASSERT_NEAR(f, 6.5, 1e-9);
    ASSERT_EQ_INT(sk_perf_at(&pm, "H100", "gpt2-small", 4, &t, &f), 0);
    ASSERT_NEAR(t, 320, 0);
    ASSERT_EQ_INT(sk_perf_at(&pm, "H100", "gpt2-small", 16, &t, &f), 0);
    ASSERT_NEAR(t, 320, 0); /* saturated */
    ASSERT_EQ_INT(sk_perf_at(&pm, "CPU", "gpt2-small", 1, &t, &f), 0);
    ASSERT_NEAR(t, 10, 0);
    ASSERT_EQ_INT(sk_perf_at(&pm, "A100", "gpt2-small", 1, &t, &f), SK_ENOENT);
    sk_perf_fini(&pm);
}

static void test_errors(void) {
    sk_perf pm;
    char err[256];
    const char *p = sk_write("hdr.csv", "gpu,model,batch\nH100,m,1\n");
    ASSERT_EQ_INT(sk_perf_load(&pm, p, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "hdr.csv:1");
    p = sk_write("neg.csv", "gpu,model,batch,tokens_per_s,ttft_ms,source\nH100,m,1,-5,1,x\n");
    ASSERT_EQ_INT(sk_perf_load(&pm, p, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "neg.csv:2: tokens_per_s");
    p = sk_write("dup.csv", "gpu,model,batch,tokens_per_s,ttft_ms,source\nH100,m,1,5,1,x\nH100,m,1,6,1,x\n");
    ASSERT_EQ_INT(sk_perf_load(&pm, p, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "dup.csv:3");
    p = sk_write("frac.csv", "gpu,model,batch,tokens_per_s,ttft_ms,source\nH100,m,1.5,5,1,x\n");
    ASSERT_EQ_INT(sk_perf_load(&pm, p, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "batch");
    ASSERT_EQ_INT(sk_perf_load(&pm, "/nonexistent/perf.csv", err, sizeof err), SK_ENOINPUT);
}

static void test_shipped_table(void) {
    sk_perf pm;
    char err[256];
    ASSERT_EQ_INT(sk_perf_load(&pm, SK_SOURCE_DIR "/models/perf_points.csv", err, sizeof err), 0);
    ASSERT_TRUE(pm.n >= 1);
    for (size_t i = 0; i < pm.n; i++) ASSERT_TRUE(pm.p[i].tokens_per_s > 0);
    sk_perf_fini(&pm);
}

int main(int argc, char **argv) {
    snprintf(sk_tmp, sizeof sk_tmp, "/tmp/sk_test_perf.%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", sk_tmp);
    if (system(cmd) != 0) return 1;
    static const sk_test tests[] = {
        {"interpolation", test_interpolation},
        {"errors", test_errors},
        {"shipped_table", test_shipped_table},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc, argv);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sk_tmp);
    if (system(cmd) != 0) rc = 1;
    return rc;
}
