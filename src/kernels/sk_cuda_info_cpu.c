/* sk_cuda_info_cpu.c - CUDA queries for builds without nvcc: there is no device. */
#include <stdio.h>

#include "kernels/sk_cuda.h"

int sk_cuda_device_count(void) { return 0; }

void sk_cuda_describe(char *buf, int len) { snprintf(buf, (size_t)len, "not built (CPU paths only)"); }
