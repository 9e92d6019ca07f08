/* sk_cuda.h - what the CUDA side of this installation can do. Every GPU code path has a CPU path;
 * these report which one is available so callers (and `synkti version`) can choose.
 *
 * The CUDA code lives in a separate module, libsynkti_cuda.so (kernels/sk_cuda_module.h), opened
 * with dlopen the first time one of these functions or the CUDA inference backend needs it:
 * programs that never ask for CUDA never map cudart or cuBLAS. Where it is looked for:
 * $SYNKTI_CUDA_MODULE when set (a path to the module), else libsynkti_cuda.so in the directory of
 * the running executable (/proc/self/exe). A module that cannot be opened (missing, or one of
 * its libraries missing) or was built for another ABI counts as "no CUDA", with a message. */
#ifndef SK_CUDA_H
#define SK_CUDA_H

#include <stddef.h>

/* Where the module would be loaded from, into buf, without loading it. Returns 1 when a file is
 * there, 0 when not, SK_EIO when the executable's path cannot be read (buf then says so). */
int sk_cuda_module_path(char *buf, size_t len);
/* Load the module (once per process; later calls return the first answer). Returns 0, or
 * SK_ENOTSUP with one line in err (when err is not NULL) naming the path and the reason. */
int sk_cuda_module_load(char *err, size_t errlen);
/* Number of usable CUDA devices: 0 when the module is missing or no device/driver is present.
 * Loads the module. */
int sk_cuda_device_count(void);
/* Human-readable description of the CUDA runtime and device 0 into buf, or why there is no CUDA.
 * Loads the module. */
void sk_cuda_describe(char *buf, int len);

#endif
