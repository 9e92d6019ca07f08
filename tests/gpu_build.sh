#!/bin/sh
# gpu_build.sh - build the CUDA inference backend's test and benchmark with nvcc/gcc directly, for
# machines where the full tree does not configure (no GSL, ...): only the backend, the CPU backend
# it is compared against, and sk_error are compiled.
#
# usage: sh tests/gpu_build.sh [OUTDIR]   (default /tmp/sk-gpu; ARCH=sm_90 by default)
#   then OUTDIR/test_infer_cuda and OUTDIR/bench_infer_cuda [small|medium]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/sk-gpu}
arch=${ARCH:-sm_90}
mkdir -p "$out"
inc="-I$root/src -I$out"
[ -f "$out/sk_config.h" ] || : > "$out/sk_config.h"
cflags="-O2 -std=c11 -Wall -Wextra -fno-strict-aliasing -ffp-contract=off -fopenmp"
nvflags="-O3 -std=c++17 -arch=$arch -Xcompiler -Wall,-Wextra -Werror all-warnings"
nvcc $nvflags $inc -c "$root/src/kernels/sk_infer_cuda.cu" -o "$out/sk_infer_cuda.o"
gcc $cflags $inc -c "$root/src/infer/sk_infer_cpu.c" -o "$out/sk_infer_cpu.o"
gcc $cflags $inc -c "$root/src/sk_error.c" -o "$out/sk_error.o"
# sk_model.c needs cJSON; the CPU backend only needs its shape check, copied out of it verbatim
{ printf '#include "infer/sk_infer.h"\n#include "infer/sk_infer_int.h"\n#include "sk_error.h"\n'
  grep "^#define SK_ERRF" "$root/src/infer/sk_model.c"
  awk '/^int sk_model__cfg_check\(/,/^}/' "$root/src/infer/sk_model.c"; } > "$out/sk_cfg_check.c"
gcc $cflags $inc -c "$out/sk_cfg_check.c" -o "$out/sk_cfg_check.o"
gcc $cflags $inc -DSK_TEST_CPU_BACKEND=1 -c "$root/tests/test_infer_cuda.c" -o "$out/test_infer_cuda.o"
nvcc -arch=$arch "$out/test_infer_cuda.o" "$out/sk_infer_cuda.o" "$out/sk_infer_cpu.o" "$out/sk_error.o" "$out/sk_cfg_check.o" \
    -o "$out/test_infer_cuda" -lcublas -lgomp -lm
nvcc $nvflags $inc "$root/tests/bench_infer_cuda.cu" "$out/sk_infer_cuda.o" "$out/sk_error.o" \
    -o "$out/bench_infer_cuda" -lcublas
echo "built $out/test_infer_cuda $out/bench_infer_cuda"
