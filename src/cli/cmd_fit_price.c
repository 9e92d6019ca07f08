/* cmd_fit_price.c - `synkti fit price`: fit the mean-reverting price model with jumps
 * (models/sk_price.h) to a real price series and print the parameters with standard errors, 95%
 * intervals and a YAML snippet for an experiment. Series: gcp-gpu-price-history (GCP list prices),
 * aws-spot-price-history-2022-05 (AWS spot changes), aws-v100-multinode/v100_1node_prices (ticks). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "io/sk_trace.h"
#include "models/sk_price.h"
#include "sk_error.h"

typedef struct {
    const char *gcp, *aws, *ticks, *file, *format;
    double dt;
    int on_demand;
} sk_fp_opts;

static const sk_opt sk_fp_optab[] = {
    {"gcp", 0, SK_OPT_STR, offsetof(sk_fp_opts, gcp), "MACHINE", "GCP machine type; the region follows as a word (REGION)", 0, 0},
    {"aws-history", 0, SK_OPT_STR, offsetof(sk_fp_opts, aws), "ZONE", "AWS zone id (use1-az2); the instance type follows (TYPE)", 0, 0},
    {"ticks", 0, SK_OPT_STR, offsetof(sk_fp_opts, ticks), "FILE", "per-tick price JSON ({\"prices\": [...], \"gap_seconds\": G})", 0, 0},
    {"file", 0, SK_OPT_STR, offsetof(sk_fp_opts, file), "PATH", "the CSV for --gcp / --aws-history (default: the shared dataset)", 0, 0},
    {"on-demand", 0, SK_OPT_FLAG, offsetof(sk_fp_opts, on_demand), NULL, "with --gcp: the on-demand price instead of spot", 0, 0},
    {"dt", 0, SK_OPT_DBL, offsetof(sk_fp_opts, dt), "SECONDS", "sampling step (0: 86400 for --gcp, 60 for --aws-history, 3600 for --ticks)", 0, 1e9},
    {"format", 'f', SK_OPT_STR, offsetof(sk_fp_opts, format), "FMT", "table or json", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_fp_usage[] =
    "usage: synkti fit price --gcp MACHINE REGION | --aws-history ZONE TYPE | --ticks FILE\n"
    "                        [--file PATH] [--on-demand] [--dt SECONDS] [--format table|json]\n"
    "\n"
    "Fit an Ornstein-Uhlenbeck price process with upward Poisson jumps to a price series sampled\n"
    "every dt: steps whose AR(1) residual exceeds 3 residual sds are jumps (rate per hour, mean\n"
    "size); the rest give the exact AR(1) regression x' = a + b x + e, so theta = -ln(b)/dt,\n"
    "mu = a/(1-b), sigma^2 = 2 theta var(e)/(1-b^2). Prints each parameter with its standard error\n"
    "and a 95% interval (estimate +- 1.96 se), then a YAML snippet for an experiment's price model.\n"
    "Units: $/h, hours. Formulas and fitted numbers: docs/fleet_price_network.md.\n"
    "\n"
    "Data (found on the trace search path: $SYNKTI_TRACES, ../shared/traces, traces/data):\n"
    "  --gcp          gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv (spot, or --on-demand)\n"
    "  --aws-history  aws-spot-price-history-2022-05/gpu_linux_spot_prices_2022-05.csv\n"
    "  --ticks        a file such as aws-v100-multinode/v100_1node_prices/us-east-1f_v100_1.json\n"
    "\n"
    "Exit codes: 0 ok; 64 bad command line; 65 the series cannot be fitted (constant, too short,\n"
    "no mean reversion) or is malformed; 66 a file is missing; 78 the file has no such series.\n"
    "\n"
    "Examples:\n"
    "  synkti fit price --ticks aws-v100-multinode/v100_1node_prices/us-east-1f_v100_1.json\n"
    "  synkti fit price --gcp a3-highgpu-8g us-central1 --format json\n"
    "  synkti fit price --aws-history use1-az6 p3.2xlarge --dt 120\n";

/* s as a JSON string (quotes, backslashes and control characters escaped). */
static void sk_fp_jstr(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

static void sk_fp_row(const char *name, double v, double se, const char *unit) {
    printf("%-10s %12.6g %12.6g   [%.6g, %.6g]  %s\n", name, v, se, v - 1.96 * se, v + 1.96 * se, unit);
}

int sk_cmd_fit_price(int argc, char **argv) {
    sk_fp_opts o = {.format = "table"};
    int npos = 0, rc = sk_opts_parse("fit price", sk_fp_usage, sk_fp_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    int json = 0;
    if (!strcmp(o.format, "json")) json = 1;
    else if (strcmp(o.format, "table")) {
        fprintf(stderr, "synkti fit price: --format: expected table or json, got '%s'\n", o.format);
        return sk_exit_code(SK_EUSAGE);
    }
    int nsrc = !!o.gcp + !!o.aws + !!o.ticks;
    if (nsrc != 1) {
        fprintf(stderr, "synkti fit price: give exactly one of --gcp, --aws-history, --ticks (see --help)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    int want = o.ticks ? 0 : 1;
    if (npos != want) {
        if (want) fprintf(stderr, "synkti fit price: --%s needs a second word: %s\n", o.gcp ? "gcp MACHINE" : "aws-history ZONE",
                          o.gcp ? "REGION" : "TYPE");
        else fprintf(stderr, "synkti fit price: unexpected word '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    if (o.on_demand && !o.gcp) {
        fprintf(stderr, "synkti fit price: --on-demand goes with --gcp\n");
        return sk_exit_code(SK_EUSAGE);
    }
    if (o.file && o.ticks) {
        fprintf(stderr, "synkti fit price: --file goes with --gcp or --aws-history (--ticks names its file)\n");
        return sk_exit_code(SK_EUSAGE);
    }
    const char *name = o.ticks ? o.ticks
                       : o.file ? o.file
                       : o.gcp  ? "gcp-gpu-price-history/gcp_gpu_machine_prices_changes.csv"
                                : "aws-spot-price-history-2022-05/gpu_linux_spot_prices_2022-05.csv";
    char path[4096], err[1024] = "";
    if (sk_trace_find(name, NULL, path, sizeof path) < 0) {
        fprintf(stderr, "synkti fit price: %s: not found (as given, nor on the trace search path)\n", name);
        return sk_exit_code(SK_ENOINPUT);
    }
    double dt = o.dt > 0 ? o.dt : o.gcp ? 86400 : o.aws ? 60 : 3600;
    sk_price_series s;
    const char *what;
    char label[512];
    if (o.gcp) {
        rc = sk_price_load_gcp(&s, path, o.gcp, argv[0], !o.on_demand, err, sizeof err);
        snprintf(label, sizeof label, "gcp %s %s %s", o.gcp, argv[0], o.on_demand ? "on-demand" : "spot");
        what = "gcp";
    } else if (o.aws) {
        rc = sk_price_load_aws_history(&s, path, o.aws, argv[0], err, sizeof err);
        snprintf(label, sizeof label, "aws %s %s spot", o.aws, argv[0]);
        what = "aws-history";
    } else {
        rc = sk_price_load_ticks(&s, path, err, sizeof err);
        snprintf(label, sizeof label, "ticks %s", name);
        what = "ticks";
    }
    if (rc < 0) {
        fprintf(stderr, "synkti fit price: %s\n", err);
        return sk_exit_code(rc);
    }
    sk_ou_params p, se;
    sk_price_fit_info info;
    rc = sk_price_fit_ex(&s, dt, &p, &se, &info, err, sizeof err);
    double hours = sk_time_to(s.end, SK_HOUR);
    int64_t nchanges = s.n;
    sk_price_series_fini(&s);
    if (rc < 0) {
        fprintf(stderr, "synkti fit price: %s: %s\n", label, err);
        return sk_exit_code(rc);
    }
    if (json) {
        fputs("{\"series\":", stdout);
        sk_fp_jstr(label);
        printf(",\"source\":\"%s\",\"file\":", what);
        sk_fp_jstr(path);
        printf(",\"changes\":%lld,\"hours\":%.17g,\"dt_s\":%.17g,"
               "\"samples\":%lld,\"jump_steps\":%lld,\"expected_false_jumps\":%.17g,\"ar1\":{\"a\":%.17g,\"b\":%.17g,"
               "\"se_a\":%.17g,\"se_b\":%.17g,\"resid_var\":%.17g},",
               (long long)nchanges, hours, dt, (long long)info.nsamples, (long long)info.njumps,
               info.false_jumps, info.a, info.b, info.se_a, info.se_b, info.s2);
        const struct {
            const char *k;
            double v, e;
        } f[] = {{"mu", p.mu, se.mu},
                 {"theta", p.theta, se.theta},
                 {"sigma", p.sigma, se.sigma},
                 {"jump_rate", p.jump_rate, se.jump_rate},
                 {"jump_mean", p.jump_mean, se.jump_mean}};
        for (size_t i = 0; i < 5; i++)
            printf("\"%s\":{\"value\":%.17g,\"se\":%.17g,\"lo95\":%.17g,\"hi95\":%.17g},", f[i].k, f[i].v, f[i].e,
                   f[i].v - 1.96 * f[i].e, f[i].v + 1.96 * f[i].e);
        printf("\"floor\":%.17g,\"cap\":%.17g}\n", p.floor, p.cap);
        return 0;
    }
    printf("series     %s\n", label);
    printf("file       %s\n", path);
    printf("data       %lld price changes over %.1f h; dt %g s -> %lld samples\n", (long long)nchanges, hours, dt,
           (long long)info.nsamples);
    printf("AR(1)      x' = a + b x + e: a %.6g (se %.3g), b %.6g (se %.3g), var(e) %.4g\n", info.a, info.se_a, info.b,
           info.se_b, info.s2);
    printf("jumps      %lld steps beyond %.0f residual sds (%.1f expected from Gaussian noise alone)\n",
           (long long)info.njumps, SK_PRICE_JUMP_K, info.false_jumps);
    printf("\n%-10s %12s %12s   %-24s  %s\n", "param", "estimate", "std.err", "95% interval", "unit");
    sk_fp_row("mu", p.mu, se.mu, "$/h");
    sk_fp_row("theta", p.theta, se.theta, "1/h");
    sk_fp_row("sigma", p.sigma, se.sigma, "$/h/sqrt(h)");
    sk_fp_row("jump_rate", p.jump_rate, se.jump_rate, "1/h");
    sk_fp_row("jump_mean", p.jump_mean, se.jump_mean, "$/h");
    printf("\n# experiment snippet (floor/cap: the observed range)\n"
           "price:\n  model: ou\n  mu: %.6g\n  theta: %.6g\n  sigma: %.6g\n  jump_rate: %.6g\n  jump_mean: %.6g\n"
           "  floor: %.6g\n  cap: %.6g\n  dt_s: %g\n",
           p.mu, p.theta, p.sigma, p.jump_rate, p.jump_mean, p.floor, p.cap, dt);
    return 0;
}
