#!/usr/bin/env bash
# fetch.sh - download the public datasets Synkti uses into traces/data/ (same layout as
# ../shared/traces), pinned to upstream commits and verified against traces/SHA256SUMS.
# See traces/README.md for what each file is. Idempotent: files already present and verified are
# left alone, so a second run downloads nothing.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: traces/fetch.sh [options] [DATASET|FILE...]

Download the datasets listed in traces/SHA256SUMS from their public GitHub sources
(raw.githubusercontent.com/<repo>/<commit>/<path>, commits pinned in this script) into
traces/data/, with the same relative layout as ../shared/traces, and verify every file's sha256.
DATASET limits the run to files under those folders (spot-availability, cbl-windows,
aws-v100-multinode, gcp-h100-multiregion, spothedge, skypilot-aws-gpu-catalog, gcp-gpu-catalog,
aws-spot-advisor, gcp-gpu-price-history, aws-spot-price-history-2022-05, skyplane-network,
gpu-jobs, coldstart-figures, bamboo-spot-traces; or a sub-folder such as gpu-jobs/philly-dre-subset),
FILE to single files (paths as in SHA256SUMS).

Options:
  --dest DIR   where to put the files (default: traces/data next to this script)
  --from DIR   copy from a local mirror with the same layout instead of downloading
               (e.g. --from ../shared/traces); nothing goes over the network
  --check      only verify the files already in DEST; download nothing
  --force      fetch again even files that are present and verified
  --list       print each file with the URL it comes from, then exit
  -q, --quiet  print only problems and the summary
  -h, --help   this help

Examples:
  traces/fetch.sh                               # everything, from GitHub
  traces/fetch.sh spot-availability cbl-windows # two datasets
  traces/fetch.sh --from ../shared/traces       # offline, from a local copy
  traces/fetch.sh --check --dest ../shared/traces

Derived files have no byte-identical public upstream copy: cbl-windows/WINDOW_INDEX.csv, the
gpu-jobs/ CSVs (converted from upstream archives), the catalogs, price histories and filtered
tables (skypilot-aws-gpu-catalog, gcp-gpu-catalog, gcp-gpu-price-history, the aws-spot-advisor
CSVs, aws-spot-price-history-2022-05), the skyplane throughput grids and coldstart-figures
(traces/README.md says what each is made from). A download run reports each as not fetched and
goes on; copy them with --from from a checkout of ../shared/traces.

Exit status: 0 every selected file present and verified (when downloading: except the derived
files above); 1 some file missing, not obtainable or failing its checksum; 64 usage error;
66 traces/SHA256SUMS unreadable; 69 network unreachable (offline? use --from DIR).
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
sums="$here/SHA256SUMS"
dest="$here/data"
from=""
check=0
force=0
list=0
quiet=0
want=()

while [ $# -gt 0 ]; do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    --dest) [ $# -ge 2 ] || { echo "fetch.sh: --dest needs a folder" >&2; exit 64; }; dest=$2; shift ;;
    --dest=*) dest=${1#--dest=} ;;
    --from) [ $# -ge 2 ] || { echo "fetch.sh: --from needs a folder" >&2; exit 64; }; from=$2; shift ;;
    --from=*) from=${1#--from=} ;;
    --check) check=1 ;;
    --force) force=1 ;;
    --list) list=1 ;;
    -q | --quiet) quiet=1 ;;
    -*) echo "fetch.sh: unknown option '$1' (try --help)" >&2; exit 64 ;;
    *) want+=("${1%/}") ;;
    esac
    shift
done

[ -r "$sums" ] || { echo "fetch.sh: cannot read $sums" >&2; exit 66; }
if [ -n "$from" ] && [ ! -d "$from" ]; then
    echo "fetch.sh: --from $from: no such folder" >&2
    exit 64
fi
if [ $check = 1 ] && [ -n "$from" ]; then
    echo "fetch.sh: --check and --from do not go together" >&2
    exit 64
fi

say() { [ $quiet = 1 ] || echo "$@"; }

if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
    echo "fetch.sh: need sha256sum or shasum" >&2
    exit 69
fi

# ---- where each file comes from ---------------------------------------------------------------
# Upstream repositories and the commits the shared copies were taken at (full SHA where known;
# a short one is resolved through the GitHub API if raw.githubusercontent.com refuses it).
SPOT_REPO=skypilot-org/spot-traces
SPOT_COMMIT=221da1ab9bdfe7966da296265d7694d52dc0c5a6
CBL_REPO=Michaelvll/skypilot-spot-strategy
CBL_COMMIT=1c3697352b89
SKYNOMAD_REPO=andylizf/skynomad-artifact
SKYNOMAD_COMMIT=62b9aaa1942e
SPOTHEDGE_REPO=MaoZiming/spothedge_ae
SPOTHEDGE_COMMIT=df02263c3c24
H100_DIR=converted_multi_region_aligned_h100_16_merged
H100_TAR=data/$H100_DIR.tar.gz
SPOTINFO_REPO=alexei-led/spotinfo
SPOTINFO_2021=364abc364e9631bc2fde3fb69ab66a376a9d7c93
SPOTINFO_2025=5eedf20a99614443af215f4aaf09bd10805cac72
SKYPLANE_REPO=skyplane-project/skyplane
BAMBOO_REPO=uclasystem/bamboo
BAMBOO_COMMIT=80809293289419d40a870b4a9ccb8df0082ce3fb

# source REL: sets kind (raw, tar or none), repo, commit, upath (path in the repo, or the tarball
# member for kind tar).
source_of() {
    local rel=$1
    kind=raw
    case "$rel" in
    spot-availability/*) repo=$SPOT_REPO commit=$SPOT_COMMIT upath=${rel#spot-availability/} ;;
    cbl-windows/raw-probes/*)
        repo=$CBL_REPO commit=$CBL_COMMIT upath=scripts/availability/traces/${rel#cbl-windows/raw-probes/} ;;
    aws-v100-multinode/*) repo=$SKYNOMAD_REPO commit=$SKYNOMAD_COMMIT upath=data/${rel#aws-v100-multinode/} ;;
    gcp-h100-multiregion/spot_price_cache/*)
        repo=$SKYNOMAD_REPO commit=$SKYNOMAD_COMMIT upath=data/${rel#gcp-h100-multiregion/} ;;
    gcp-h100-multiregion/$H100_DIR/*)
        kind=tar repo=$SKYNOMAD_REPO commit=$SKYNOMAD_COMMIT upath=${rel#gcp-h100-multiregion/} ;;
    spothedge/*) repo=$SPOTHEDGE_REPO commit=$SPOTHEDGE_COMMIT upath=${rel#spothedge/} ;;
    aws-spot-advisor/spot-advisor-data_2021-02-10.json)
        repo=$SPOTINFO_REPO commit=$SPOTINFO_2021 upath=public/spot/data/spot-advisor-data.json ;;
    aws-spot-advisor/spot-advisor-data_2025-06-28.json)
        repo=$SPOTINFO_REPO commit=$SPOTINFO_2025 upath=internal/spot/data/spot-advisor-data.json ;;
    # skyplane: the grids left HEAD, so each file has its own commit; the throughput grids here are
    # edited (columns dropped, one renamed) and are therefore derived
    skyplane-network/latency_grid_2022-04.csv) repo=$SKYPLANE_REPO commit=945dca27 upath=profiles/latency.csv ;;
    skyplane-network/egress_cost_grid_2022-05.csv) repo=$SKYPLANE_REPO commit=11e38021 upath=profiles/cost.csv ;;
    skyplane-network/aws_transfer_costs.csv | skyplane-network/vcpu_info.csv)
        repo=$SKYPLANE_REPO commit=4602d9ce upath=skyplane/data/${rel#skyplane-network/} ;;
    bamboo-spot-traces/traces/*) repo=$BAMBOO_REPO commit=$BAMBOO_COMMIT upath=${rel#bamboo-spot-traces/} ;;
    bamboo-spot-traces/doc-data/*)
        # upstream doc/data/; one upstream name has "15:30" where the copy has "15-30"
        repo=$BAMBOO_REPO commit=$BAMBOO_COMMIT upath=doc/data/${rel#bamboo-spot-traces/doc-data/}
        upath=${upath/-2020-11-22-15-30-/-2020-11-22-15%3A30-} ;;
    # transcribed, filtered or converted by the shared copy's own script (traces/README.md says
    # from what): no byte-identical upstream file; copied only with --from
    *) kind=none repo="" commit="" upath="" ;;
    esac
}

url_of() { echo "https://raw.githubusercontent.com/$1/$2/$3"; }

# ---- downloading ------------------------------------------------------------------------------
tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT
newtmp() { [ -n "$tmp" ] || tmp=$(mktemp -d "${TMPDIR:-/tmp}/synkti-fetch.XXXXXX"); }

h100_dir=""     # where the H100 tarball was unpacked (downloaded at most once per run)
h100_failed=0   # the tarball could not be had: do not try again for each of its files

# curl_get URL OUT: 0 on success; 1 on an HTTP error (curl's message in CURL_MSG); exits 69 when
# the network is unreachable.
curl_get() {
    command -v curl >/dev/null 2>&1 || { echo "fetch.sh: curl not found (needed to download; or use --from DIR)" >&2; exit 69; }
    local rc=0 host=${1#https://}
    host=${host%%/*}
    curl -fsSL --connect-timeout 20 --retry 2 --retry-delay 2 -o "$2" "$1" 2>"$2.err" || rc=$?
    CURL_MSG=$(tail -n 1 "$2.err")  # the last attempt's message (curl repeats it per retry)
    CURL_MSG=${CURL_MSG:-curl exit $rc}
    rm -f "$2.err"
    case $rc in
    0) return 0 ;;
    5 | 6 | 7 | 28 | 35 | 56)
        echo "fetch.sh: cannot reach $host ($CURL_MSG); offline? Copy from a local mirror with --from DIR (e.g. --from ../shared/traces)" >&2
        exit 69 ;;
    *) rm -f "$2"; return 1 ;;
    esac
}

# resolve REPO COMMIT: set RESOLVED to the full 40-hex commit, or to "" when it cannot be found.
# Looked up through the GitHub API once per commit per run.
resolve() {
    local repo=$1 c=$2 var
    var=full_$(printf '%s' "$repo@$c" | tr -c 'A-Za-z0-9' '_')
    if [ -z "${!var+set}" ]; then
        newtmp
        local f=""
        if curl_get "https://api.github.com/repos/$repo/commits/$c" "$tmp/commit.json"; then
            f=$(sed -n 's/^  "sha": "\([0-9a-f]\{40\}\)".*/\1/p' "$tmp/commit.json" | head -1)
        fi
        printf -v "$var" '%s' "$f"
    fi
    RESOLVED=${!var}
}

# download REPO COMMIT PATH OUT: 0 on success, 1 (with a message) on failure. A short commit that
# raw.githubusercontent.com refuses is resolved to its full form, which is then used for the rest
# of the run. A Git LFS pointer is followed to media.githubusercontent.com.
download() {
    local repo=$1 c=$2 path=$3 out=$4 var url
    var=full_$(printf '%s' "$repo@$c" | tr -c 'A-Za-z0-9' '_')
    [ -n "${!var:-}" ] && c=${!var}
    url=$(url_of "$repo" "$c" "$path")
    if ! curl_get "$url" "$out"; then
        local first=$CURL_MSG
        RESOLVED=""
        [[ $c =~ ^[0-9a-f]{40}$ ]] || resolve "$repo" "$c"
        if [ -z "$RESOLVED" ]; then
            echo "  $url: $first" >&2
            return 1
        fi
        c=$RESOLVED
        url=$(url_of "$repo" "$c" "$path")
        curl_get "$url" "$out" || { echo "  $url: $CURL_MSG" >&2; return 1; }
    fi
    if head -c 100 "$out" | grep -q '^version https://git-lfs'; then
        url="https://media.githubusercontent.com/media/$repo/$c/$path"
        curl_get "$url" "$out" || { echo "  $url: $CURL_MSG" >&2; return 1; }
    fi
    return 0
}

# fetch_one REL OUT: put the upstream (or --from) copy of REL at OUT. 0 on success.
fetch_one() {
    local rel=$1 out=$2
    if [ -n "$from" ]; then
        [ -f "$from/$rel" ] || { echo "  $rel: not in $from" >&2; return 1; }
        cp "$from/$rel" "$out"
        return 0
    fi
    source_of "$rel"
    case $kind in
    none) return 2 ;;
    raw) download "$repo" "$commit" "$upath" "$out" ;;
    tar)
        [ $h100_failed = 0 ] || { echo "  $rel: $H100_TAR not available" >&2; return 1; }
        if [ -z "$h100_dir" ]; then
            newtmp
            h100_failed=1
            say "  downloading $(url_of "$repo" "$commit" "$H100_TAR") (unpacked once)"
            download "$repo" "$commit" "$H100_TAR" "$tmp/h100.tgz" || return 1
            mkdir -p "$tmp/h100"
            tar -xzf "$tmp/h100.tgz" -C "$tmp/h100" || { echo "  $H100_TAR: cannot unpack" >&2; return 1; }
            h100_dir=$tmp/h100
            h100_failed=0
        fi
        [ -f "$h100_dir/$upath" ] || { echo "  $rel: not in $H100_TAR" >&2; return 1; }
        cp "$h100_dir/$upath" "$out" ;;
    esac
}

# ---- main loop --------------------------------------------------------------------------------
selected() {
    [ ${#want[@]} -eq 0 ] && return 0
    local w
    for w in "${want[@]}"; do
        case "$1" in "$w" | "$w"/*) return 0 ;; esac
    done
    return 1
}

if [ ${#want[@]} -gt 0 ]; then
    for w in "${want[@]}"; do
        awk -v w="$w" '$2 == w || index($2, w "/") == 1 { found = 1 } END { exit !found }' "$sums" ||
            { echo "fetch.sh: no dataset or file '$w' in $sums" >&2; exit 64; }
    done
fi

if [ $list = 1 ]; then
    while read -r hash rel; do
        selected "$rel" || continue
        source_of "$rel"
        case $kind in
        raw) echo "$rel  $(url_of "$repo" "$commit" "$upath")" ;;
        tar) echo "$rel  $(url_of "$repo" "$commit" "$H100_TAR") : $upath" ;;
        none) echo "$rel  (derived; no upstream copy: --from only)" ;;
        esac
    done <"$sums"
    exit 0
fi

ok=0 got=0 bad=0
skipped=()
while read -r hash rel; do
    [ -n "$rel" ] || continue
    selected "$rel" || continue
    case "$rel" in /* | *..*) echo "fetch.sh: refusing path '$rel' in $sums" >&2; exit 65 ;; esac
    out="$dest/$rel"
    if [ $force = 0 ] && [ -f "$out" ] && [ "$(sha256 "$out")" = "$hash" ]; then
        ok=$((ok + 1))
        continue
    fi
    if [ $check = 1 ]; then
        if [ -f "$out" ]; then echo "  $rel: checksum mismatch" >&2; else echo "  $rel: missing" >&2; fi
        bad=$((bad + 1))
        continue
    fi
    newtmp
    part="$tmp/part"
    rm -f "$part"
    frc=0
    fetch_one "$rel" "$part" || frc=$?
    if [ $frc = 2 ]; then
        echo "  $rel: not fetched: a derived file with no public upstream copy (traces/README.md); copy it from a shared checkout: traces/fetch.sh --from ../shared/traces $rel" >&2
        skipped+=("$rel")
        continue
    fi
    if [ $frc = 0 ] && [ -f "$part" ]; then
        have=$(sha256 "$part")
        if [ "$have" = "$hash" ]; then
            # verified: into place by rename, so DEST never holds a partial or unverified file
            mkdir -p "$(dirname "$out")"
            cp "$part" "$out.part.$$"
            mv -f "$out.part.$$" "$out"
            say "  got $rel"
            got=$((got + 1))
            continue
        fi
        echo "  $rel: checksum mismatch (got $have, want $hash)" >&2
    fi
    bad=$((bad + 1))
done <"$sums"

total=$((ok + got + bad + ${#skipped[@]}))
if [ $bad -gt 0 ]; then
    echo "fetch.sh: $bad of $total files missing or failing their checksum in $dest" >&2
    exit 1
fi
if [ $check = 1 ]; then
    echo "fetch.sh: all $total files present and verified in $dest"
elif [ ${#skipped[@]} -gt 0 ]; then
    echo "fetch.sh: $((ok + got)) of $total files present and verified in $dest ($got new); ${#skipped[@]} derived file(s) not downloadable (see above)"
else
    echo "fetch.sh: all $total files present and verified in $dest ($got new)"
fi
