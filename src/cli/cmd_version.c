/* cmd_version.c - `synkti version`: tool version, git sha, build, and the libraries linked in. */
#include <cJSON.h>
#include <csv.h>
#include <curl/curl.h>
#include <cyaml/cyaml.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <libxml/xmlversion.h>
#include <omp.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "kernels/sk_cuda.h"
#include "sk_config.h"
#include "sk_error.h"

typedef struct {
    int devices;
} sk_version_opts;

static const sk_opt sk_version_optab[] = {
    {"devices", 0, SK_OPT_FLAG, offsetof(sk_version_opts, devices), NULL,
     "load the CUDA module and describe the runtime and device 0 (slower: maps cudart and cuBLAS)", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_version_usage[] =
    "usage: synkti version [--devices]\n"
    "\n"
    "Print the Synkti version and git revision (with -dirty when built from modified sources), the\n"
    "build type, the versions of the libraries it runs with, OpenMP threads, and where the CUDA\n"
    "module is. The CUDA module (libsynkti_cuda.so beside the executable, or $SYNKTI_CUDA_MODULE) is\n"
    "loaded only with --devices, which then reports the CUDA runtime and device 0.\n";

int sk_cmd_version(int argc, char **argv) {
    sk_version_opts o = {0};
    int npos = 0, rc = sk_opts_parse("version", sk_version_usage, sk_version_optab, &o, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos) {
        fprintf(stderr, "synkti version: unexpected argument '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    char cuda[4608], path[4096];
    int have = sk_cuda_module_path(path, sizeof path);
    if (o.devices) sk_cuda_describe(cuda, (int)sizeof cuda);
    else if (have > 0) snprintf(cuda, sizeof cuda, "module %s (not loaded; --devices queries the devices)", path);
    else if (SK_HAVE_CUDA) snprintf(cuda, sizeof cuda, "no module at %s: CPU paths only", path);
    else snprintf(cuda, sizeof cuda, "not built (CPU paths only)");
    printf("synkti %s (git %s)\n", SK_VERSION, SK_GIT_SHA);
    printf("build: %s, %s, MPI %s\n", SK_BUILD_TYPE, SK_C_COMPILER, SK_HAVE_MPI ? "yes" : "no");
    printf("openmp: %d threads available\n", omp_get_max_threads());
    printf("cuda: %s\n", cuda);
    printf("libraries: gsl %s, hdf5 %u.%u.%u, libcyaml %s, cjson %s, libcsv %d.%d.%d, libcurl %s, "
           "libxml2 %s, sqlite %s\n",
           GSL_VERSION, maj, min, rel, cyaml_version_str, cJSON_Version(), CSV_MAJOR, CSV_MINOR, CSV_RELEASE,
           curl_version_info(CURLVERSION_NOW)->version, LIBXML_DOTTED_VERSION, sqlite3_libversion());
    return 0;
}
