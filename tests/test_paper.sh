#!/usr/bin/env bash
# test_paper.sh - the paper's generation without TeX Live: paper/build.sh --small --no-pdf runs tiny
# variants of every experiment and benchmark the paper uses into a scratch folder, reduces them to
# numbers.tex, tables and cairolatex figures; then checks that
#   1. every macro paper.tex uses (our prefixes) is defined in numbers.tex or published.tex, once,
#      and the check itself fails on a paper that uses an undefined macro;
#   2. every figure and table paper.tex inputs exists and is non-empty (figures: .tex and .pdf);
#   3. numbers.tex comes from the results: a Table 3 macro equals the mean recomputed here with awk;
#   4. paper/check.sh passes on the real paper.tex and fails on copies with a planted result
#      (a decimal, a percentage, a speed-up factor, a time with a unit, a dollar amount).
#   tests/test_paper.sh SYNKTI SOURCE_DIR [SCRATCH]
set -uo pipefail
S=$1; SRC=$2
T=${3:-$(mktemp -d)}
mkdir -p "$T"; T=$(cd "$T" && pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

rm -rf "$T/res" "$T/gen"
if ! PAPER_RESULTS="$T/res" PAPER_GEN="$T/gen" JOBS=2 "$SRC/paper/build.sh" --small --no-pdf "$S" >"$T/build.log" 2>&1; then
  cat "$T/build.log"; bad "paper/build.sh --small failed"; finish
fi
ok
G=$T/gen
[ -s "$G/numbers.tex" ] && ok || bad "no numbers.tex"

# --- 1. macros: defined names vs used names
PREFIX='(cbl|bench|phold|mr|fleet|load|sh|etoe|ss|live|pub|ref)[A-Z][A-Za-z]*'
defined() { cat "$G/numbers.tex" "$SRC/paper/published.tex" | grep -oE '\\newcommand\{\\[A-Za-z]+\}' | sed 's/\\newcommand{\\//; s/}$//'; }
used() { grep -v '^\s*%' "$1" | sed 's/\([^\\]\)%.*/\1/' | grep -oE "\\\\$PREFIX" | sed 's/^\\//' | sort -u; }
missing_in() { comm -23 <(used "$1") <(defined | sort -u); }
m=$(missing_in "$SRC/paper/paper.tex")
[ -z "$m" ] && ok || bad "macros used by paper.tex but not generated: $m"
d=$(defined | sort | uniq -d)
[ -z "$d" ] && ok || bad "macros defined twice: $d"
[ "$(used "$SRC/paper/paper.tex" | wc -l)" -gt 50 ] && ok || bad "paper.tex uses fewer than 50 generated macros"
grep -qE '\\newcommand\{\\[A-Za-z]+\}\{\}' "$G/numbers.tex" && bad "an empty macro in numbers.tex" || ok
cp "$SRC/paper/paper.tex" "$T/undef.tex"
sed -i 's/^\\end{document}/\\cblNoSuchNumber\n\\end{document}/' "$T/undef.tex"
[ "$(missing_in "$T/undef.tex")" = "cblNoSuchNumber" ] && ok || bad "an undefined macro was not caught"

# --- 2. figures and tables
n=0
for f in $(grep -oE '\\input\{\\gendir/[a-z_]+\.tex\}' "$SRC/paper/paper.tex" | sed 's/.*gendir\///; s/}$//'); do
  n=$((n + 1))
  [ -s "$G/$f" ] && ok || bad "$f missing or empty"
  case $f in fig_*)
    p=${f%.tex}.pdf
    [ -s "$G/$p" ] && head -c 5 "$G/$p" | grep -q '%PDF-' && ok || bad "$p missing or not a PDF"
    grep -q "includegraphics.*${f%.tex}" "$G/$f" && ok || bad "$f does not include its graphics" ;;
  esac
done
[ "$n" -ge 8 ] && ok || bad "paper.tex inputs $n generated files, expected at least 8"

# --- 3. a number traced back to its results file
want=$("$S" export "$T/res/cbl_table3.h5" | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["status"] == "ok" && $c["policy"] == "greedy" && $c["exhausted"] == 0 && $c["infeasible"] == 0 { s += $c["od_hours"]; n++ }
  END { printf "%.1f", s / n }')
got=$(sed -n 's/^\\newcommand{\\cblGreedyOD}{\([^}]*\)}.*/\1/p' "$G/numbers.tex")
[ -n "$want" ] && [ "$want" = "$got" ] && ok || bad "cblGreedyOD is '$got', the results file gives '$want'"
runs=$("$S" export "$T/res/sh_artifact.h5" | tail -n +2 | wc -l)
grep -q "^\\\\newcommand{\\\\shRuns}{$runs}" "$G/numbers.tex" && ok || bad "shRuns is not the results file's $runs rows"

# --- 4. check.sh: the real paper passes, planted results fail
"$SRC/paper/check.sh" "$SRC/paper/paper.tex" >"$T/check.log" 2>&1 && ok || { cat "$T/check.log"; bad "check.sh fails on paper.tex"; }
plant() { # plant TEXT: a copy of paper.tex with TEXT in the conclusion must fail the check
  cp "$SRC/paper/paper.tex" "$T/planted.tex"
  printf '%s\n' "$1" >"$T/line.txt"
  sed -i "/^\\\\section{Conclusion}/r $T/line.txt" "$T/planted.tex"
  grep -qF -- "$1" "$T/planted.tex" || { bad "could not plant '$1'"; return; }
  if "$SRC/paper/check.sh" "$T/planted.tex" >"$T/planted.log" 2>&1; then bad "check.sh passed with '$1' planted"
  else grep -q 'planted.tex:' "$T/planted.log" && ok || bad "check.sh failed without naming the line for '$1'"; fi
}
plant 'Greedy used 30.1 hours of on-demand capacity.'
plant 'SpotHedge saves 48\% against on-demand.'
plant 'The engine is 3000$\times$ faster than the reference.'
plant 'The whole sweep takes 45~s on two cores.'
plant 'A run costs \$111 on average.'
plant 'We ran 4{,}800 windows.'
plant 'In math, too: $30.1$.'
# what the rule exempts stays exempt
cp "$SRC/paper/paper.tex" "$T/exempt.tex"
printf '%s\n' 'See \cite{wu2024cantbelate} and \ref{tab:cbl}, \vspace{0.5em} % 30.1 in a comment' \
  '\begin{equation} x = 1.5 \end{equation} 8 traces of 2022 in section 7.1, P99.9.' >"$T/line.txt"
sed -i "/^\\\\section{Conclusion}/r $T/line.txt" "$T/exempt.tex"
"$SRC/paper/check.sh" "$T/exempt.tex" >"$T/exempt.log" 2>&1 && ok || { cat "$T/exempt.log"; bad "check.sh flags an exempt literal"; }
finish
