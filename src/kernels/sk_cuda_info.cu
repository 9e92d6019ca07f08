/* sk_cuda_info.cu - CUDA runtime queries; a machine without a GPU or driver reports 0 devices. */
#include <cuda_runtime.h>
#include <stdio.h>

extern "C" {
#include "kernels/sk_cuda.h"
}

extern "C" int sk_cuda_device_count(void) {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        (void)cudaGetLastError(); /* clear the sticky "no device/driver" error */
        return 0;
    }
    return n;
}

extern "C" void sk_cuda_describe(char *buf, int len) {
    int rt = 0, n = sk_cuda_device_count();
    cudaRuntimeGetVersion(&rt);
    if (n == 0) {
        snprintf(buf, (size_t)len, "built (runtime %d.%d), no device present: CPU paths in use", rt / 1000,
                 (rt % 1000) / 10);
        return;
    }
    cudaDeviceProp p;
    if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) {
        snprintf(buf, (size_t)len, "built (runtime %d.%d), %d device(s), properties unavailable", rt / 1000,
                 (rt % 1000) / 10, n);
        return;
    }
    snprintf(buf, (size_t)len, "built (runtime %d.%d), %d device(s); device 0: %s, sm_%d%d, %.1f GiB", rt / 1000,
             (rt % 1000) / 10, n, p.name, p.major, p.minor, (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
}
