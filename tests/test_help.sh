#!/usr/bin/env bash
# test_help.sh - every command takes --help: `synkti CMD --help` and `synkti help CMD` exit 0 with a
# usage on stdout, for each command `synkti help` lists (help itself included); scripts/bootstrap.sh
# with an unknown command prints its usage (the comment block only) and exits 64; the README opens
# with the two bootstrap commands and .ci/run is exactly its test command.
# Usage: test_help.sh path/to/synkti
set -u
S=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
T=$(mktemp -d /tmp/sk_help.XXXXXX)
trap 'rm -rf "$T"' EXIT

cmds=$("$S" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}')
[ "$(echo "$cmds" | wc -w)" -ge 8 ] && ok "help lists the commands ($(echo $cmds))" || bad "help lists the commands: '$cmds'"
for c in $cmds; do
    for form in "$c --help" "$c -h" "help $c"; do
        # shellcheck disable=SC2086
        "$S" $form >"$T/out" 2>"$T/err"
        rc=$?
        if [ "$rc" -eq 0 ] && grep -qi "usage" "$T/out"; then ok "synkti $form"; else bad "synkti $form (exit $rc)"; head -3 "$T/err"; fi
    done
done

"$ROOT/scripts/bootstrap.sh" no-such-command >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 64 ] && ok "bootstrap.sh foo exits 64" || bad "bootstrap.sh foo exits 64 (got $rc)"
grep -q "scripts/bootstrap.sh test" "$T/err" && ok "bootstrap.sh foo prints its usage" || bad "bootstrap.sh foo prints its usage"
if grep -qE '^(set |cd |PKGS|JOBS)' "$T/err"; then bad "bootstrap.sh usage holds script lines"; cat "$T/err"; else ok "bootstrap.sh usage holds no script lines"; fi

first=$(grep -m 2 '^\./scripts/bootstrap.sh' "$ROOT/README.md" | awk '{print $1, $2}' | tr '\n' ';')
[ "$first" = "./scripts/bootstrap.sh run;./scripts/bootstrap.sh test;" ] && ok "README opens with run and test" || bad "README opens with run and test ('$first')"
ci=$(grep -v '^#' "$ROOT/.ci/run" | grep -v '^set ' | grep -v '^cd ' | sed '/^$/d')
[ "$ci" = "./scripts/bootstrap.sh test" ] && ok ".ci/run is the README's test command" || bad ".ci/run is the README's test command ('$ci')"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
