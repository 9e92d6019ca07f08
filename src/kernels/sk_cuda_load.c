/* sk_cuda_load.c - finds and opens the CUDA module (libsynkti_cuda.so) on first use and forwards
 * the CUDA entry points (sk_infer_cuda, sk_infer_cuda.h, sk_cuda.h) to it; see sk_cuda.h for the
 * search rule. The module stays loaded until exit (CUDA libraries do not support dlclose). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "infer/sk_infer_backend.h"
#include "kernels/sk_cuda.h"
#include "kernels/sk_cuda_module.h"
#include "kernels/sk_infer_cuda.h"
#include "sk_config.h"
#include "sk_error.h"

#if defined(SK_HAVE_CUDA) && SK_HAVE_CUDA
#define SK_CUDA_HINT "set SYNKTI_CUDA_MODULE to the module's path"
#else
#define SK_CUDA_HINT "this synkti was built without CUDA: configure with nvcc on PATH, or set SYNKTI_CUDA_MODULE"
#endif

static pthread_once_t sk_cuda_once = PTHREAD_ONCE_INIT;
static const sk_cuda_module *sk_cuda_mod; /* written once, inside sk_cuda_once */
static char sk_cuda_why[4096 + 512];       /* why sk_cuda_mod is NULL (a path and a reason) */

int sk_cuda_module_path(char *buf, size_t len) {
    const char *env = getenv("SYNKTI_CUDA_MODULE");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return access(env, F_OK) == 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || (size_t)n >= sizeof exe - 1) {
        snprintf(buf, len, "(cannot read /proc/self/exe; set SYNKTI_CUDA_MODULE)");
        return SK_EIO;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    if ((size_t)snprintf(buf, len, "%s/%s", exe, SK_CUDA_MODULE_FILE) >= len) return SK_EIO;
    return access(buf, F_OK) == 0;
}

static void sk_cuda_load_once(void) {
    char path[4096];
    int rc = sk_cuda_module_path(path, sizeof path);
    if (rc < 0) {
        snprintf(sk_cuda_why, sizeof sk_cuda_why, "no CUDA module: %s", path);
        return;
    }
    if (rc == 0) {
        const char *env = getenv("SYNKTI_CUDA_MODULE");
        snprintf(sk_cuda_why, sizeof sk_cuda_why, "no CUDA module at %s (%s)", path,
                 env && *env ? "named by SYNKTI_CUDA_MODULE" : SK_CUDA_HINT);
        return;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(sk_cuda_why, sizeof sk_cuda_why, "cannot load the CUDA module: %s", e ? e : path);
        return;
    }
    sk_cuda_module_entry_fn entry;
    void *sym = dlsym(h, SK_CUDA_MODULE_ENTRY);
    memcpy(&entry, &sym, sizeof entry); /* object pointer to function pointer, as POSIX allows */
    const sk_cuda_module *m = sym ? entry() : NULL;
    if (!m || m->abi != SK_CUDA_MODULE_ABI || m->weights_size != sizeof(sk_weights) ||
        m->layer_size != sizeof(sk_layer_w) || m->backend_size != sizeof(sk_infer_backend)) {
        snprintf(sk_cuda_why, sizeof sk_cuda_why,
                 "%s is not a CUDA module of this synkti (entry %s %s, ABI %d, expected %d): rebuild it", path,
                 SK_CUDA_MODULE_ENTRY, sym ? "found" : "missing", m ? m->abi : -1, SK_CUDA_MODULE_ABI);
        dlclose(h);
        return;
    }
    sk_cuda_mod = m;
}

int sk_cuda_module_load(char *err, size_t errlen) {
    pthread_once(&sk_cuda_once, sk_cuda_load_once);
    if (sk_cuda_mod) return 0;
    if (err && errlen) snprintf(err, errlen, "%s", sk_cuda_why);
    return SK_ENOTSUP;
}

int sk_cuda_device_count(void) { return sk_cuda_module_load(NULL, 0) ? 0 : sk_cuda_mod->device_count(); }

void sk_cuda_describe(char *buf, int len) {
    if (sk_cuda_module_load(buf, (size_t)len) == 0) sk_cuda_mod->describe(buf, len);
}

/* ---- the CUDA inference backend, forwarded (a state exists only after the module loaded) ------ */

static int sk_cudafw_init(void **st, const sk_weights *w, int batch, char *err, size_t errlen) {
    *st = NULL;
    char why[sizeof sk_cuda_why];
    if (sk_cuda_module_load(why, sizeof why)) {
        if (err && errlen) snprintf(err, errlen, "cuda backend: %s", why);
        return SK_ENOTSUP;
    }
    return sk_cuda_mod->backend->init(st, w, batch, err, errlen);
}
static int sk_cudafw_forward(void *st, const int32_t *tok, int n, int pos, float *logits, char *err,
                             size_t errlen) {
    return sk_cuda_mod->backend->forward(st, tok, n, pos, logits, err, errlen);
}
static int sk_cudafw_kv_get(void *st, int npos, float *k, float *v) {
    return sk_cuda_mod->backend->kv_get(st, npos, k, v);
}
static int sk_cudafw_kv_set(void *st, int npos, const float *k, const float *v) {
    return sk_cuda_mod->backend->kv_set(st, npos, k, v);
}
static void sk_cudafw_fini(void *st) {
    if (st) sk_cuda_mod->backend->fini(st);
}

const sk_infer_backend sk_infer_cuda = {"cuda", sk_cudafw_init, sk_cudafw_forward, sk_cudafw_kv_get,
                                        sk_cudafw_kv_set, sk_cudafw_fini};

int sk_infer_cuda_set_gemm(void *st, int mode) {
    return st && sk_cuda_mod ? sk_cuda_mod->set_gemm(st, mode) : SK_ENOTSUP;
}

int sk_infer_cuda_set_graphs(void *st, int on) {
    return st && sk_cuda_mod ? sk_cuda_mod->set_graphs(st, on) : SK_ENOTSUP;
}

int sk_infer_cuda_gemm_bench(int M, int N, int K, int bf16, int reps, double *tflops_own, double *tflops_cublas,
                             char *err, size_t errlen) {
    char why[sizeof sk_cuda_why];
    if (sk_cuda_module_load(why, sizeof why)) {
        if (err && errlen) snprintf(err, errlen, "cuda: %s", why);
        return SK_ENOTSUP;
    }
    return sk_cuda_mod->gemm_bench(M, N, K, bf16, reps, tflops_own, tflops_cublas, err, errlen);
}
