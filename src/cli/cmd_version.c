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
#include <string.h>

#include "cli/sk_cli.h"
#include "cli/sk_opts.h"
#include "kernels/sk_cuda.h"
#include "sk_config.h"
#include "sk_error.h"

static const char sk_version_usage[] =
    "usage: synkti version\n"
    "\n"
    "Print the Synkti version and git revision (with -dirty when built from modified sources), the\n"
    "build type, the versions of the libraries it runs with, OpenMP threads, and CUDA status.\n";

int sk_cmd_version(int argc, char **argv) {
    int npos = 0, rc = sk_opts_parse("version", sk_version_usage, NULL, NULL, argc, argv, &npos);
    if (rc) return rc > 0 ? 0 : sk_exit_code(rc);
    if (npos) {
        fprintf(stderr, "synkti version: unexpected argument '%s'\n", argv[0]);
        return sk_exit_code(SK_EUSAGE);
    }
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    char cuda[256];
    sk_cuda_describe(cuda, sizeof cuda);
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
