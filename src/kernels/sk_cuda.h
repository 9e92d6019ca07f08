/* sk_cuda.h - what the CUDA side of this build can do. Every GPU code path has a CPU path; these
 * report which one is available so callers (and `synkti version`) can choose. */
#ifndef SK_CUDA_H
#define SK_CUDA_H

/* Number of usable CUDA devices: 0 when the build has no CUDA or no device/driver is present. */
int sk_cuda_device_count(void);
/* Human-readable description of the CUDA runtime and device 0 into buf ("not built" when the
 * build has no CUDA). */
void sk_cuda_describe(char *buf, int len);

#endif
