#!/usr/bin/env bash
# test_cli.sh - smoke test of the synkti command line: help, version, exit codes, bench output,
# and the same PHOLD checksum for 1 and 2 threads. Usage: test_cli.sh path/to/synkti
set -u
S=$1
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
expect_rc() { # name want_rc cmd...
    local name=$1 want=$2; shift 2
    "$@" >/tmp/sk_cli_out.$$ 2>/tmp/sk_cli_err.$$; local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name (exit $rc, want $want)"; cat /tmp/sk_cli_err.$$; fi
}
expect_rc "help exits 0" 0 "$S" help
grep -q "Exit codes" /tmp/sk_cli_out.$$ && ok "help lists exit codes" || bad "help lists exit codes"
grep -q " 75  interrupted" /tmp/sk_cli_out.$$ && ok "help documents 75" || bad "help documents 75"
# the README's exit-code table lists the same codes, in the same order, as `synkti help`
readme=$(dirname "$0")/../README.md
if [ -f "$readme" ]; then
    want=$(sed -n '/^### Exit codes/,/^## /p' "$readme" | sed -n 's/^| \([0-9][0-9]*\) |.*/\1/p' | tr '\n' ' ')
    got=$(sed -n '/^Exit codes:/,$p' /tmp/sk_cli_out.$$ | sed -n 's/^ *\([0-9][0-9]*\)  .*/\1/p' | tr '\n' ' ')
    [ -n "$got" ] && [ "$want" = "$got" ] && ok "README exit codes = help's" || bad "README exit codes ($want) != help's ($got)"
fi
expect_rc "--help exits 0" 0 "$S" --help
expect_rc "no command is a usage error" 64 "$S"
expect_rc "unknown command is a usage error" 64 "$S" frobnicate
grep -q "unknown command 'frobnicate'" /tmp/sk_cli_err.$$ && ok "unknown command named" || bad "unknown command named"
expect_rc "version" 0 "$S" version
grep -q "^synkti [0-9]" /tmp/sk_cli_out.$$ && ok "version line" || bad "version line"
grep -q "gsl 2" /tmp/sk_cli_out.$$ && ok "version lists libraries" || bad "version lists libraries"
expect_rc "bench --help" 0 "$S" bench --help
expect_rc "bench phold --help" 0 "$S" bench phold --help
grep -q -- "--replications R" /tmp/sk_cli_out.$$ && ok "phold help lists options" || bad "phold help lists options"
expect_rc "help bench phold" 0 "$S" help bench phold
expect_rc "bad number" 64 "$S" bench phold --lps abc
grep -q -- "--lps: expected an integer" /tmp/sk_cli_err.$$ && ok "bad number names option" || bad "bad number names option"
expect_rc "out of range" 64 "$S" bench phold --remote 1.5
expect_rc "unknown option" 64 "$S" bench phold --bogus
expect_rc "missing value" 64 "$S" bench phold --lps
expect_rc "unknown rng" 64 "$S" bench phold --rng nope
expect_rc "mean below lookahead" 64 "$S" bench phold --mean 0.05
expect_rc "unknown benchmark" 64 "$S" bench nope
expect_rc "bench rng" 0 "$S" bench rng --draws 100000 --rng taus2
grep -q "^taus2 " /tmp/sk_cli_out.$$ && ok "bench rng row" || bad "bench rng row"
c1=$("$S" bench phold -n 200 -e 4 -t 100 -r 4 -j 1 | sed -n 's/^phold.*events=\([0-9]*\).*checksum=\([0-9a-f]*\)$/\1 \2/p')
c2=$("$S" bench phold -n 200 -e 4 -t 100 -r 4 -j 2 --quiet | sed -n 's/^phold.*events=\([0-9]*\).*checksum=\([0-9a-f]*\)$/\1 \2/p')
[ -n "$c1" ] && [ "$c1" = "$c2" ] && ok "phold 1 vs 2 threads: $c1" || bad "phold 1 vs 2 threads ('$c1' vs '$c2')"
n=$("$S" bench phold -n 200 -e 4 -t 100 -r 3 | grep -c '^replication=')
[ "$n" = 3 ] && ok "one line per replication" || bad "one line per replication ($n)"
rm -f /tmp/sk_cli_out.$$ /tmp/sk_cli_err.$$

# inference: synthetic weights, a generation checkpointed mid-way and resumed in another process
T=$(mktemp -d /tmp/sk_cli_inf.XXXXXX)
expect_rc "model init tiny" 0 "$S" model init --preset tiny --seed 3 -o "$T/m.safetensors"
expect_rc "model info" 0 "$S" model info "$T/m.safetensors"
printf '1 2 3 4\n5 6 7 8\n' >"$T/p.txt"
expect_rc "infer reference" 0 "$S" infer -m "$T/m.safetensors" -p "$T/p.txt" -n 24 -t 0.8 -s 5 --backend cpu -o "$T/ref.txt"
expect_rc "infer with checkpoints" 0 "$S" infer -m "$T/m.safetensors" -p "$T/p.txt" -n 10 -t 0.8 -s 5 --backend cpu --checkpoint-every 5 --checkpoint-file "$T/g.ckpt" -o "$T/part.txt"
expect_rc "infer resume" 0 "$S" infer -m "$T/m.safetensors" --resume "$T/g.ckpt" -n 24 --backend cpu -o "$T/res.txt" --compare "$T/ref.txt"
cmp -s "$T/ref.txt" "$T/res.txt" && ok "resumed generation = uninterrupted" || bad "resumed generation = uninterrupted"
printf 'garbage' >"$T/bad.safetensors"
expect_rc "truncated weights refused" 65 "$S" model info "$T/bad.safetensors"
head -c 100 "$T/g.ckpt" >"$T/trunc.ckpt"
expect_rc "truncated checkpoint refused" 65 "$S" infer -m "$T/m.safetensors" --resume "$T/trunc.ckpt" -n 24 --backend cpu
rm -rf "$T"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
