#!/usr/bin/env bash
# bootstrap.sh - set up a Debian 12 machine for Synkti, build it, and run the main job or the suite.
#
#   scripts/bootstrap.sh run    install what is missing, build, run the shipped default job
#   scripts/bootstrap.sh test   install what is missing, build with -Werror, run the test suite,
#                               then build with ASan+UBSan (CPU paths) and run the suite again
#   scripts/bootstrap.sh deps   only install what is missing
#   scripts/bootstrap.sh paper  install what is missing and TeX Live, build, then paper/build.sh:
#                               run or reuse the paper's experiments and make paper/paper.pdf
#
# Installing is idempotent: apt-get runs only when a package is missing (needs root or sudo).
# Environment: BUILD_DIR (default build), JOBS (default: nproc), SYNKTI_CMAKE_ARGS (extra args).
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake pkg-config git
      libgsl-dev libhdf5-dev libcsv-dev libcjson-dev libcyaml-dev libyaml-dev libssl-dev
      libcurl4-openssl-dev libxml2-dev libsqlite3-dev libmicrohttpd-dev gnuplot-nox chromium
      openmpi-bin libopenmpi-dev)
JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-build}

log() { printf 'bootstrap: %s\n' "$*" >&2; }

install_deps() {
    local missing=()
    for p in "${PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "all ${#PKGS[@]} packages present"
        return
    fi
    log "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake args...]
    local dir=$1; shift
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" ${SYNKTI_CMAKE_ARGS:-} >"$dir/configure.log" 2>&1 ||
        { cat "$dir/configure.log" >&2; exit 1; }
    cmake --build "$dir" -j "$JOBS"
}

case "${1:-}" in
deps)
    install_deps ;;
run)
    install_deps
    build "$BUILD_DIR"
    log "running the default job: synkti run experiments/quickstart.yaml -> results/quickstart.h5"
    "$BUILD_DIR/synkti" run experiments/quickstart.yaml --by policy
    analysis/quickstart.sh results/quickstart.h5 "$BUILD_DIR/synkti" ;;
test)
    install_deps
    build "$BUILD_DIR" -DSYNKTI_WERROR=ON
    (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS")
    log "ASan+UBSan build (CPU paths)"
    build "$BUILD_DIR-asan" -DSYNKTI_WERROR=ON -DSYNKTI_SANITIZE=ON -DSYNKTI_CUDA=OFF
    (cd "$BUILD_DIR-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        ctest --output-on-failure -j "$JOBS") ;;
paper)
    install_deps
    PKGS=(texlive-latex-base texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended)
    install_deps
    build "$BUILD_DIR"
    paper/build.sh "$BUILD_DIR/synkti" ;;
*)
    # the comment block at the top (after the #! line), without its '# ' prefixes
    printf 'usage: scripts/bootstrap.sh run|test|deps|paper\n' >&2
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0" >&2
    exit 64 ;;
esac
