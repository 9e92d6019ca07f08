#!/usr/bin/env bash
# scaling.sh - the measurements of docs/hpc.md: strong scaling (experiments/hpc/strong.yaml over 1
# and 2 ranks x 1 and 2 threads), weak scaling (windows proportional to the ranks), and the growth of
# experiments/hpc/million.yaml from 10^4 to 10^6 runs (runs/s, peak RSS, file size). Every MPI file
# is checked against the single-process one (synkti export bytes). Prints tab-separated lines.
#   experiments/hpc/scaling.sh build/synkti [strong|weak|growth ...]
# Environment: MPIRUN (default mpirun), OUT (default /tmp/synkti-scaling), W (weak: windows per
# rank, default 48), GROWTH (windows: default "9 99 999").
set -uo pipefail
S=$(realpath "${1:?usage: scaling.sh path/to/synkti [strong|weak|growth ...]}")
shift
cd "$(dirname "$0")/../.."
MPIRUN=${MPIRUN:-mpirun}
OUT=${OUT:-/tmp/synkti-scaling}
mkdir -p "$OUT"
what=${*:-strong weak growth}

# run NAME RANKS THREADS [synkti run args...]: wall seconds and peak RSS (KiB, the largest process)
run() {
    local name=$1 ranks=$2 threads=$3
    shift 3
    rm -f "$OUT/$name.h5"
    local t0 t1
    t0=$(date +%s.%N)
    if [ "$ranks" -eq 1 ]; then
        /usr/bin/time -f %M -o "$OUT/$name.rss" "$S" run "$@" -o "$OUT/$name.h5" -j "$threads" -q >"$OUT/$name.out"
    else
        "$MPIRUN" -np "$ranks" --oversubscribe --bind-to none /usr/bin/time -f %M -a -o "$OUT/$name.rss" \
            "$S" run "$@" -o "$OUT/$name.h5" -j "$threads" -q >"$OUT/$name.out"
    fi
    local rc=$?
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
    return $rc
}

same() { cmp -s <("$S" export "$OUT/$1.h5") <("$S" export "$OUT/$2.h5") && echo identical || echo DIFFERENT; }

if [[ " $what " == *" strong "* ]]; then
    printf 'strong\tranks\tthreads\truns\tseconds\tspeedup\tfile\n'
    base=$(run s11 1 1 experiments/hpc/strong.yaml)
    for rt in "1 1" "1 2" "2 1" "2 2"; do
        set -- $rt
        [ "$1$2" = 11 ] && t=$base || t=$(run "s$1$2" "$1" "$2" experiments/hpc/strong.yaml)
        printf 'strong\t%s\t%s\t384\t%.2f\t%.2f\t%s\n' "$1" "$2" "$t" "$(echo "$base / $t" | bc -l)" "$(same s11 "s$1$2")"
    done
fi

if [[ " $what " == *" weak "* ]]; then
    W=${W:-48}
    printf 'weak\tranks\tthreads\truns\tseconds\tefficiency\tfile\n'
    b1=$(run w11 1 1 experiments/hpc/strong.yaml --set "sweep.window=0..$((W - 1))")
    printf 'weak\t1\t1\t%d\t%.2f\t1.00\t-\n' $((4 * W)) "$b1"
    t=$(run w21 2 1 experiments/hpc/strong.yaml --set "sweep.window=0..$((2 * W - 1))")
    run w21ref 1 2 experiments/hpc/strong.yaml --set "sweep.window=0..$((2 * W - 1))" >/dev/null
    printf 'weak\t2\t1\t%d\t%.2f\t%.2f\t%s\n' $((8 * W)) "$t" "$(echo "$b1 / $t" | bc -l)" "$(same w21ref w21)"
fi

if [[ " $what " == *" growth "* ]]; then
    printf 'growth\truns\tranks\tthreads\tseconds\truns_per_s\tpeak_rss_MiB\tfile_MiB\n'
    for w in ${GROWTH:-9 99 999}; do
        n=$((8 * (w + 1) * 125))
        t=$(run "g$w" 1 2 experiments/hpc/million.yaml --set "sweep.window=0..$w" --by policy)
        rss=$(sort -n "$OUT/g$w.rss" | tail -1)
        printf 'growth\t%d\t1\t2\t%.1f\t%.0f\t%.1f\t%.1f\n' "$n" "$t" "$(echo "$n / $t" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
            "$(echo "$(stat -c %s "$OUT/g$w.h5") / 1048576" | bc -l)"
    done
fi
