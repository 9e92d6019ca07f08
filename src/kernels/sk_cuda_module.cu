/* sk_cuda_module.cu - the entry of libsynkti_cuda.so: CUDA runtime queries (a machine without a GPU
 * or driver reports 0 devices) and the table synkti's loader reads (kernels/sk_cuda_module.h).
 * Our other symbols in the module are hidden (-fvisibility=hidden). */
#include <cuda_runtime.h>
#include <stdio.h>

extern "C" {
#include "kernels/sk_cuda_module.h"
}

static int skc_device_count(void) {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        (void)cudaGetLastError(); /* clear the sticky "no device/driver" error */
        return 0;
    }
    return n;
}

static void skc_describe(char *buf, int len) {
    int rt = 0, n = skc_device_count();
    cudaRuntimeGetVersion(&rt);
    if (n == 0) {
        snprintf(buf, (size_t)len, "module loaded (runtime %d.%d), no device present: CPU paths in use", rt / 1000,
                 (rt % 1000) / 10);
        return;
    }
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) {
        snprintf(buf, (size_t)len, "module loaded (runtime %d.%d), %d device(s), properties unavailable", rt / 1000,
                 (rt % 1000) / 10, n);
        return;
    }
    snprintf(buf, (size_t)len, "module loaded (runtime %d.%d), %d device(s); device 0: %s, sm_%d%d, %.1f GiB",
             rt / 1000, (rt % 1000) / 10, n, p.name, p.major, p.minor,
             (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
}

static const sk_cuda_module skc_module = {
    SK_CUDA_MODULE_ABI, sizeof(sk_weights), sizeof(sk_layer_w), sizeof(sk_infer_backend),
    &skc_backend,       skc_device_count,   skc_describe,       skc_set_gemm,
    skc_set_graphs,     skc_gemm_bench,
};

/* The one exported symbol (its name is SK_CUDA_MODULE_ENTRY). Can't fail. */
extern "C" __attribute__((visibility("default"))) const sk_cuda_module *sk_cuda_module_v1(void) { return &skc_module; }
