#!/bin/sh
# gpu_build.sh - build the CUDA module and the inference backend's test and benchmark with nvcc/gcc
# directly, for machines where the full tree does not configure (no GSL, ...): only the module
# (libsynkti_cuda.so, as CMake builds it), its loader, the CPU backend the test compares against,
# and sk_error are compiled. The test and the benchmark find the module beside them.
#
# usage: sh tests/gpu_build.sh [OUTDIR]   (default /tmp/sk-gpu; ARCH=sm_90 by default)
#   then OUTDIR/test_infer_cuda (exit 77: no device), OUTDIR/test_infer_cuda --cpu,
#   and OUTDIR/bench_infer_cuda [small|medium]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/sk-gpu}
arch=${ARCH:-sm_90}
mkdir -p "$out"
inc="-I$root/src -I$out"
printf '#define SK_HAVE_CUDA 1\n' > "$out/sk_config.h"
cflags="-O2 -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -fno-strict-aliasing -ffp-contract=off -fopenmp"
nvflags="-O3 -std=c++17 -arch=$arch -Xcompiler -Wall,-Wextra -Werror all-warnings"
nvcc $nvflags -shared -Xcompiler -fPIC,-fvisibility=hidden -cudart shared $inc \
    "$root/src/kernels/sk_cuda_module.cu" "$root/src/kernels/sk_infer_cuda.cu" -o "$out/libsynkti_cuda.so" -lcublas
gcc $cflags $inc -c "$root/src/kernels/sk_cuda_load.c" -o "$out/sk_cuda_load.o"
gcc $cflags $inc -c "$root/src/infer/sk_infer_cpu.c" -o "$out/sk_infer_cpu.o"
gcc $cflags $inc -c "$root/src/sk_error.c" -o "$out/sk_error.o"
# sk_model.c needs cJSON; the CPU backend only needs its shape check, copied out of it verbatim
{ printf '#include "infer/sk_infer.h"\n#include "infer/sk_infer_int.h"\n#include "sk_error.h"\n'
  grep "^#define SK_ERRF" "$root/src/infer/sk_model.c"
  awk '/^int sk_model__cfg_check\(/,/^}/' "$root/src/infer/sk_model.c"; } > "$out/sk_cfg_check.c"
gcc $cflags $inc -c "$out/sk_cfg_check.c" -o "$out/sk_cfg_check.o"
gcc $cflags $inc -c "$root/tests/test_infer_cuda.c" -o "$out/test_infer_cuda.o"
gcc -fopenmp "$out/test_infer_cuda.o" "$out/sk_cuda_load.o" "$out/sk_infer_cpu.o" "$out/sk_error.o" "$out/sk_cfg_check.o" \
    -o "$out/test_infer_cuda" -ldl -lm
nvcc $nvflags -cudart shared $inc "$root/tests/bench_infer_cuda.cu" "$out/sk_cuda_load.o" "$out/sk_error.o" \
    -o "$out/bench_infer_cuda" -ldl
echo "built $out/libsynkti_cuda.so $out/test_infer_cuda $out/bench_infer_cuda"
