#!/usr/bin/env bash
# test_corpus.sh - experiment-file corpus. Every CORPUS/bad/*.yaml must make `synkti validate` fail
# with the exit code, LINE:COL, key path and message its expectation names, in one line on stderr,
# and `synkti run` must fail the same way and create nothing. Every CORPUS/good/*.yaml must
# validate (with the number of runs it names) and its resolved form (--print) must validate to the
# same sha256. Also: --set errors. Usage: test_corpus.sh path/to/synkti path/to/tests/corpus
#
# Expectations: the first line of a bad file, "# expect: EXIT LINE:COL KEYPATH | MESSAGE", or a
# row of CORPUS/bad/EXPECT.tsv (file, exit, LINE:COL, key path, message; tab-separated) for files
# that cannot start with a comment. KEYPATH "-" means the message names no key (document-level
# errors); the key path must follow "FILE:LINE:COL: " exactly. A second line "# needs: KIND" skips
# the file while that scenario kind is not built in.
set -u
S=$1
C=$2
case $S in /*) ;; *) S=$PWD/$S ;; esac
case $C in /*) ;; *) C=$PWD/$C ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/sk_corpus.XXXXXX")
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

# run_creates_nothing WANT_RC ARGS...: `synkti run ARGS -o $dir/out.h5 -q` in an empty folder must
# exit WANT_RC and leave the folder empty (no results file, no *.tmp.* leftovers). Sets $why.
run_creates_nothing() {
    local want=$1 d="$T/run" rc left
    shift
    rm -rf "$d" && mkdir "$d"
    (cd "$d" && "$S" run "$@" -o "$d/out.h5" -q >/dev/null 2>"$T/run.err")
    rc=$?
    left=$(ls -A "$d")
    if [ "$rc" -ne "$want" ]; then why="run exit $rc, want $want: $(head -c 300 "$T/run.err")"; return 1; fi
    if [ -n "$left" ]; then why="run left files: $(echo $left)"; return 1; fi
    return 0
}

# check_bad FILE EXIT POS KEYPATH MESSAGE
check_bad() {
    local f=$1 want=$2 pos=$3 key=$4 msg=$5 rc err prefix name=${1#"$C"/}
    "$S" validate "$f" >"$T/out" 2>"$T/err"
    rc=$?
    err=$(cat "$T/err")
    prefix="synkti validate: $f:$pos: "
    [ "$key" != "-" ] && prefix="$prefix$key: "
    if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc, want $want: $err"; return; fi
    if [ "$(wc -l <"$T/err")" -ne 1 ]; then bad "$name: want one line on stderr, got: $err"; return; fi
    if [ "${err#"$prefix"}" = "$err" ]; then bad "$name: want prefix '$prefix', got: $err"; return; fi
    if [ "$key" = "-" ] && [[ "${err#"$prefix"}" =~ ^[A-Za-z_.0-9]+(\[[0-9]+\])*:\  ]]; then
        bad "$name: want no key path, got: $err"; return
    fi
    if [[ "$err" != *"$msg"* ]]; then bad "$name: want message containing '$msg', got: $err"; return; fi
    local why=
    if ! run_creates_nothing "$want" "$f"; then bad "$name: $why"; return; fi
    ok "$name ($want $pos $key)"
}

# bad files
declare -A tsv=()
if [ -f "$C/bad/EXPECT.tsv" ]; then
    while IFS=$'\t' read -r file rest; do
        case $file in '' | '#'*) continue ;; esac
        tsv[$file]=$rest
    done <"$C/bad/EXPECT.tsv"
fi
nbad=0
for f in "$C"/bad/*.yaml; do
    [ -e "$f" ] || continue
    nbad=$((nbad + 1))
    base=${f##*/}
    if [ -n "${tsv[$base]+x}" ]; then
        IFS=$'\t' read -r want pos key msg <<<"${tsv[$base]}"
    else
        line=$(head -n 1 "$f" | tr -d '\r')
        case $line in
        '# expect: '*) ;;
        *) bad "bad/$base: no '# expect:' first line and no EXPECT.tsv row"; continue ;;
        esac
        line=${line#'# expect: '}
        msg=
        case $line in *' | '*) msg=${line#*' | '}; line=${line%%' | '*} ;; esac
        read -r want pos key <<<"$line"
    fi
    needs=$(sed -n '2s/^# needs: \([A-Za-z0-9_]*\).*/\1/p' "$f")
    if [ -n "$needs" ] && "$S" validate "$f" 2>&1 >/dev/null | grep -q "unknown scenario kind '$needs'"; then
        echo "skip bad/$base (scenario kind '$needs' is not built in)"
        continue
    fi
    check_bad "$f" "$want" "$pos" "${key:--}" "$msg"
done
[ "$nbad" -ge 36 ] && ok "corpus has $nbad bad files" || bad "corpus has $nbad bad files, want at least 36"

# good files
for f in "$C"/good/*.yaml; do
    [ -e "$f" ] || continue
    name=${f#"$C"/}
    line=$(head -n 1 "$f" | sed '1s/^\xef\xbb\xbf//') # a byte order mark is allowed
    runs=$(sed -n 's/^# expect: 0 \([0-9]*\) runs$/\1/p' <<<"$line")
    "$S" validate "$f" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -ne 0 ]; then bad "$name: exit $rc: $(cat "$T/err")"; continue; fi
    if [ -n "$runs" ] && ! grep -q ": ok: .*, $runs runs (" "$T/out"; then bad "$name: want $runs runs: $(cat "$T/out")"; continue; fi
    sha=$(sed -n 's/.*config sha256 \([0-9a-f]*\)$/\1/p' "$T/out")
    "$S" validate "$f" --print >"$T/resolved.yaml" 2>"$T/err"
    "$S" validate "$T/resolved.yaml" >"$T/out2" 2>"$T/err"
    sha2=$(sed -n 's/.*config sha256 \([0-9a-f]*\)$/\1/p' "$T/out2")
    if [ -z "$sha" ] || [ "$sha" != "$sha2" ]; then bad "$name: resolved form gives sha256 '$sha2', want '$sha': $(cat "$T/err")"; continue; fi
    ok "$name (${runs:-?} runs, resolved form round-trips)"
done

# --set errors, on a good file: EXIT, the exact start of the message, then the --set arguments
G=$C/good/minimal.yaml
check_set() {
    local want=$1 msg=$2 rc err why=
    shift 2
    "$S" validate "$G" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    err=$(cat "$T/err")
    if [ "$rc" -ne "$want" ]; then bad "--set $*: exit $rc, want $want: $err"; return; fi
    if [ "${err#"synkti validate: $msg"}" = "$err" ]; then bad "--set $*: want 'synkti validate: $msg...', got: $err"; return; fi
    if ! run_creates_nothing "$want" "$G" "$@"; then bad "--set $*: $why"; return; fi
    ok "--set $* ($want)"
}
check_set 78 "--set bogus=1: unknown key 'bogus'" --set bogus=1
check_set 78 "--set scenario.lp=64: unknown key 'scenario.lp'" --set scenario.lp=64
check_set 78 "--set policies.uniform.hot_lps=2: unknown key" --set policies.uniform.hot_lps=2
check_set 78 "--set scenario.lps=abc: expected an integer, got 'abc'" --set scenario.lps=abc
check_set 78 "--set scenario.end=0: expected a number in [1e-06, 9e+12], got 0" --set scenario.end=0
check_set 78 "--set scenario.lps=1e3: expected an integer" -S scenario.lps=1e3
check_set 78 "--set replications=0: expected an integer in [1, 1000000]" --set replications=0
check_set 78 "--set seed=-1: expected an integer in [0, 18446744073709551615]" --set=seed=-1
check_set 78 "--set name=a/b: expected letters" --set name=a/b
check_set 78 "--set scenario.kind=nope: unknown scenario kind" --set scenario.kind=nope
check_set 78 "--set policies=uniform,nope: unknown policy 'nope'" --set policies=uniform,nope
check_set 78 "--set sweep.lps=5..1: empty range '5..1'" --set sweep.lps=5..1
check_set 78 "--set sweep.lps=1,,2: empty value in the list" --set sweep.lps=1,,2
check_set 78 "--set sweep.lp=1,2: not a parameter" --set sweep.lp=1,2
check_set 78 "--set sweep.lps=1..100000000000: range '1..100000000000' has" --set sweep.lps=1..100000000000
check_set 64 "--set scenario.lps: expected KEY.PATH=VALUE" --set scenario.lps
check_set 64 "--set =64: expected KEY.PATH=VALUE" --set =64
check_set 64 "--set: expected KEY.PATH=VALUE" --set

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
