#!/usr/bin/env bash
# test_damaged.sh - damaged results files: `synkti export` refuses them with exit 65 (bad data) or,
# when the damaged bytes are ones it never reads, prints exactly what the intact file gives; it
# never crashes (139, 134), hangs or runs out of memory. The damaged files are made here from a good
# one, deterministically: one byte changed at every STEP-th offset (11) (superblock, object headers,
# chunk indexes, data, attributes; three XOR masks in turn, exporting the summary, a run's series
# or the metadata in turn), and the file cut short at 40 lengths. Files written before checksums
# (tests/corpus/results/v1_no_checksums.h5) still read, and give what a new file gives.
# Usage: test_damaged.sh path/to/synkti path/to/mk_results [corpus_dir] [STEP]
set -u
# under LeakSanitizer: HDF5's own allocation for a damaged file is never freed (tests/lsan_hdf5.supp)
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan_hdf5.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
S=$1
MK=$2
CORPUS=${3:-$(dirname "$0")/corpus}
STEP=${4:-11}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
D=$(mktemp -d /tmp/sk_damaged_XXXXXX)
trap 'rm -rf "$D"' EXIT
cd "$D" || exit 1

"$MK" write good.h5 --runs 3 || { echo "FAIL mk_results write"; exit 1; }

# ---- byte flips and truncations --------------------------------------------------------------
# One python process drives every case (a process per case would dominate the time). Prints one
# line per unexpected result and a summary line "cases N refused R unchanged U".
python3 - "$S" good.h5 "$STEP" >report.txt 2>&1 <<'PY'
import subprocess, sys
synkti, good, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
modes = [[], ["--run", "1"], ["--meta"]]
data = open(good, "rb").read()
want = [subprocess.run([synkti, "export", good] + m, capture_output=True, check=True).stdout for m in modes]

def case(blob, mode, what):
    open("d.h5", "wb").write(blob)
    try:
        r = subprocess.run([synkti, "export", "d.h5"] + modes[mode], capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        print(f"BAD {what}: no answer in 10 s (hang)")
        return None
    if r.returncode == 0 and r.stdout != want[mode]:
        print(f"BAD {what}: exit 0 but the output differs from the intact file's (damage unnoticed)")
    elif r.returncode not in (0, 65):
        print(f"BAD {what}: exit {r.returncode}: {r.stderr.decode(errors='replace')[:300]}")
    elif r.returncode == 65 and (b"\n" in r.stderr.rstrip(b"\n") or b"d.h5" not in r.stderr):
        print(f"BAD {what}: exit 65 but not one line naming the file: {r.stderr[:300]!r}")
    return r.returncode

n = refused = unchanged = 0
masks = [0xFF, 0x01, 0x80]
for i, off in enumerate(range(0, len(data), step)):
    blob = bytearray(data)
    blob[off] ^= masks[i % 3]
    rc = case(bytes(blob), i % 3, f"byte {off} ^ {masks[i % 3]:#x}, export {' '.join(modes[i % 3])}")
    n += 1; refused += rc == 65; unchanged += rc == 0
for k in range(40):
    cut = len(data) * k // 40
    rc = case(data[:cut], k % 3, f"cut to {cut} bytes, export {' '.join(modes[k % 3])}")
    n += 1; refused += rc == 65; unchanged += rc == 0
print(f"cases {n} refused {refused} unchanged {unchanged}")
PY
if grep -q '^BAD' report.txt || ! grep -q '^cases' report.txt; then
    bad "damaged files: every case exit 65, or 0 with the intact output"
    grep -v '^cases' report.txt | head -40
else
    ok "damaged files: every case exit 65, or 0 with the intact output ($(grep '^cases' report.txt))"
fi
# a damaged data chunk is refused by its Fletcher32 checksum and said so
python3 - good.h5 <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"say \"hi\"")  # a value of the summary's string column, in its data chunk
assert i > 0, "label value not found"
b[i] ^= 0x20
open("flip.h5", "wb").write(b)
PY
"$S" export flip.h5 >out 2>err
rc=$?
[ "$rc" -eq 65 ] && grep -q "checksum does not match" err && grep -q "flip.h5" err &&
    ok "a damaged data byte: exit 65, checksum named" || { bad "a damaged data byte (exit $rc)"; cat err; }

# ---- files without checksums (written before) --------------------------------------------------
old=$CORPUS/results/v1_no_checksums.h5
"$MK" write new.h5 --runs 1 || bad "mk_results write new.h5"
for args in "" "--run 0" "--meta" "--format json"; do
    # shellcheck disable=SC2086
    # the same values; only the command line that wrote them differs
    if "$S" export "$old" $args 2>&1 | grep -v command_line >old.out && "$S" export new.h5 $args 2>&1 |
        grep -v command_line >new.out && [ -s new.out ] && cmp -s old.out new.out; then
        ok "a file without checksums reads as before (export $args)"
    else
        bad "a file without checksums reads as before (export $args)"
        diff old.out new.out | head -5
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
