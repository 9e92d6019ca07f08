#!/usr/bin/env bash
# check.sh - fail when the paper's text holds a result typed in by hand.
#   paper/check.sh [FILE.tex ...]        (default: paper/paper.tex)
# Exit 0: clean. Exit 1: each offending literal printed as FILE:LINE: TEXT [literal].
#
# The rule. Every measured or computed number must come from a macro of gen/numbers.tex
# (generated from the results files) and every published number from published.tex. So in the
# scanned text, after removing what is exempt, these literals are forbidden:
#   1. a number with a decimal point:            30.1   0.2   .5
#   2. a percentage:                             43\%   12 %
#   3. a number followed by a unit, optionally after a space, ~, \, or \ :
#        time s ms us ns min h; size GB MB TB GiB; rate M/s ev; $\times$ \times x X
#      (x counts only when attached or after \,/~: "2.3x"; "8 x 300" is a product)
#   4. a dollar amount:                          \$30   \$ 1{,}234
#   5. a number with digit grouping:             4,800   4{,}800
# Exempt (removed before scanning):
#   - comments (% to the end of the line, not \%)
#   - the arguments of \cite \citep \citet \ref \eqref \label \input \include \includegraphics
#     \bibliography \bibliographystyle \url \href{..} \newcommand \renewcommand \def \usepackage
#     \documentclass \setlength \vspace \hspace \resizebox \gendir, and every [...] optional argument
#   - display math: \[ ... \], equation, align, gather (with or without *) environments
#   - files not scanned: published.tex (published numbers), gen/ (generated)
#   - allowlist: each non-comment line of paper/check_allow.txt is an extended regular expression;
#     its matches are removed before scanning (versions, paper names, spec section numbers,
#     metric names such as P99.9). A line ending in "% check:ok" is skipped whole.
# Inline math $...$ IS scanned: "$30.1$" is a typed-in result like any other.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$here/paper.tex"
ALLOW=${CHECK_ALLOW:-$here/check_allow.txt}
status=0
for f in "$@"; do
  python3 - "$f" "$ALLOW" <<'PY' || status=1
import re, sys
path, allow_path = sys.argv[1], sys.argv[2]
allow = []
try:
    for line in open(allow_path):
        line = line.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            allow.append(re.compile(line))
except FileNotFoundError:
    pass
text = open(path).read()
lines = text.split("\n")
# blank what is exempt, keeping newlines so that line numbers stay right
def blank(m):
    return re.sub(r"[^\n]", " ", m.group(0))
src = "\n".join("" if l.rstrip().endswith("% check:ok") else l for l in lines)
src = re.sub(r"(?<!\\)%[^\n]*", blank, src)                                   # comments
for env in ("equation", "align", "gather", "multline", "eqnarray"):
    src = re.sub(r"\\begin\{%s\*?\}.*?\\end\{%s\*?\}" % (env, env), blank, src, flags=re.S)
src = re.sub(r"\\\[.*?\\\]", blank, src, flags=re.S)                           # \[ ... \]
cmds = ("cite|citep|citet|ref|eqref|autoref|label|input|include|includegraphics|bibliography|"
        "bibliographystyle|url|href|newcommand|renewcommand|def|usepackage|documentclass|setlength|"
        "vspace|hspace|resizebox|gendir|begin|end")
src = re.sub(r"\\(?:%s)\*?(\s*\[[^\]]*\])*(\s*\{[^{}]*(\{[^{}]*\}[^{}]*)*\})*" % cmds, blank, src)
src = re.sub(r"\\def\\\w+", blank, src)
src = re.sub(r"\\[A-Za-z@]+\*?\s*\[[^\]\n]*\]", blank, src)                     # optional args
src = re.sub(r"\\[A-Za-z@]+", lambda m: " " * len(m.group(0))
             if not re.fullmatch(r"\\(times|%|\$|,)", m.group(0)) else m.group(0), src)  # macro names
for rx in allow:
    src = rx.sub(blank, src)
num = r"(?<![A-Za-z0-9_.])(\d+(?:\{?,\}?\d{3})*(?:\.\d+)?|\.\d+)"
rules = [
    (r"(?<![A-Za-z0-9_.])\d*\.\d+", "decimal"),
    (num + r"\s*\\?%", "percentage"),
    (num + r"(?:\s|~|\\,|\\ )?(?:s|ms|us|ns|min|h|GB|MB|TB|GiB|M/s|ev)(?![A-Za-z])", "unit"),
    (num + r"(?:\\,|~)?(?:\$?\\times\$?|×|x|X)(?![A-Za-z])", "factor"),
    (r"\\\$\s*\d", "dollar"),
    (r"(?<![A-Za-z0-9_.])\d{1,3}(?:\{,\}|,)\d{3}(?!\d)", "grouped"),
]
bad = 0
for rx, what in rules:
    for m in re.finditer(rx, src):
        ln = src.count("\n", 0, m.start()) + 1
        print(f"{path}:{ln}: {m.group(0).strip()!r} [{what}] in: {lines[ln - 1].strip()[:100]}")
        bad += 1
sys.exit(1 if bad else 0)
PY
done
[ $status = 0 ] || echo "check.sh: hand-typed results found: use a macro of gen/numbers.tex (or published.tex for published values)" >&2
exit $status
