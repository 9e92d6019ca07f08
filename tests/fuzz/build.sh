#!/usr/bin/env bash
# build.sh - build the fuzzers (experiment loader, results files) with clang's libFuzzer, ASan and UBSan.
# Usage: tests/fuzz/build.sh [BUILD_DIR]   (default: build/). BUILD_DIR must be a configured CMake
# build: its compile_commands.json says which sources make up synkti_core (src/io, src/sim,
# src/engine, src/bench/sk_phold.c, src/sk_error.c, policies/ when built in) and with which -D
# flags, and generated/sk_config.h is needed. The command-line sources (src/cli) and CUDA files are
# left out, so BUILD_DIR must be configured with -DSYNKTI_CUDA=OFF. Writes BUILD_DIR/fuzz/fuzz_exp
# and BUILD_DIR/fuzz/fuzz_results.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
CC=${CC:-clang-14}
cc_json=$build/compile_commands.json
[ -f "$cc_json" ] || { echo "build.sh: $cc_json missing; configure with cmake first" >&2; exit 66; }
# the CUDA sources (.cu) are not compiled here, and a CUDA build leaves out their C stand-ins
if grep -q '^#define SK_HAVE_CUDA 1' "$build/generated/sk_config.h" 2>/dev/null; then
    echo "build.sh: $build is configured with CUDA; configure a separate one with -DSYNKTI_CUDA=OFF" >&2
    exit 78
fi
# sources of synkti_core (C only, not src/cli) and their -D flags, one per line
mapfile -t srcs < <(python3 - "$cc_json" "$root" <<'PY'
import json, shlex, sys
root = sys.argv[2] + "/"
seen, defs = [], []
for e in json.load(open(sys.argv[1])):
    f, cmd = e["file"], e.get("command") or " ".join(e.get("arguments", []))
    if "synkti_core.dir" not in cmd or not f.endswith(".c") or f.startswith(root + "src/cli/"):
        continue
    seen.append(f)
    for a in shlex.split(cmd):
        if a.startswith("-D") and a not in defs:
            defs.append(a)
print("\n".join(defs + seen))
PY
)
[ "${#srcs[@]}" -gt 0 ] || { echo "build.sh: no synkti_core sources in $cc_json" >&2; exit 70; }
out=$build/fuzz
mkdir -p "$out"
h5lib=/usr/lib/x86_64-linux-gnu/hdf5/serial
set -x
for target in fuzz_exp fuzz_results; do
    "$CC" -std=c11 -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/src" -I"$root" -I"$build/generated" -I/usr/include/hdf5/serial -I/usr/include/cjson \
        "${srcs[@]}" "$root/tests/fuzz/$target.c" -o "$out/$target" \
        -L"$h5lib" -Wl,-rpath,"$h5lib" -Wl,--as-needed \
        -lcyaml -lyaml -lgsl -lgslcblas -lhdf5_hl -lhdf5 -lcrypto -lcjson -lcsv -lm -fopenmp
done
