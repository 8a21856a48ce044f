#!/usr/bin/env bash
# Times cgloss against universal-ctags, GNU Global and cscope on the whole
# Linux 6.12 tree (Debian's linux-source-6.12), in one run, and prints a
# table (wall, CPU, peak RSS from /usr/bin/time -v) with the ratios of cgloss
# to each peer.
#
#   bench/kernel.sh               everything (the site takes the longest)
#   BENCH_SKIP_SITE=1 bench/kernel.sh   all but `cgloss site`
#   BENCH_SKIP_PEERS=1 bench/kernel.sh  cgloss only (no ctags, gtags, cscope)
#   CGLOSS=/path/to/cgloss BENCH_TAG=before bench/kernel.sh
#                                 another build (not built here), writing to
#                                 work-before/, to compare two builds in one run
#
# The site (27 GB for the whole kernel) is removed once measured unless
# BENCH_KEEP_SITE=1.
#
# Installs what is missing with apt-get (needs root), unpacks the tree once
# into $CGLOSS_BENCH_CACHE (default ~/.cache/cgloss-bench), never inside the
# repository. Everything the tools write goes to $CGLOSS_BENCH_CACHE/work.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CGLOSS_BENCH_CACHE:-$HOME/.cache/cgloss-bench}
SRC=$CACHE/linux-source-6.12
WORK=$CACHE/work${BENCH_TAG:+-$BENCH_TAG}
TARBALL=/usr/src/linux-source-6.12.tar.xz

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "bench: need root to apt-get install $*" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
[ -f "$TARBALL" ] || missing+=(linux-source-6.12)
[ -x /usr/bin/time ] || missing+=(time)
command -v ctags >/dev/null && ctags --version 2>/dev/null | grep -q Universal || missing+=(universal-ctags)
command -v gtags >/dev/null || missing+=(global)
command -v cscope >/dev/null || missing+=(cscope)
command -v xz >/dev/null || missing+=(xz-utils)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
fi

if [ ! -f "$SRC/Makefile" ]; then
    echo "bench: unpacking $TARBALL into $CACHE" >&2
    mkdir -p "$CACHE"
    rm -rf "$SRC.partial"
    mkdir "$SRC.partial"
    tar -xf "$TARBALL" -C "$SRC.partial" --strip-components=1
    mv "$SRC.partial" "$SRC"
fi

if [ -z "${CGLOSS:-}" ]; then
    echo "bench: building cgloss (release)" >&2
    (cd "$REPO" && cargo build --release --quiet)
    CGLOSS=$REPO/target/release/cgloss
fi

rm -rf "$WORK"
mkdir -p "$WORK"
INDEX=$WORK/cgloss.sqlite
ROWS=()

# run NAME DIR COMMAND... : runs COMMAND in DIR under /usr/bin/time -v.
run() {
    local name=$1 dir=$2
    shift 2
    echo "bench: $name" >&2
    local status=0
    (cd "$dir" && /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err") || status=$?
    if [ "$status" != 0 ] && [ "$status" != 2 ]; then
        echo "bench: $name failed with status $status; see $WORK/$name.err" >&2
        tail -5 "$WORK/$name.err" >&2
        exit 1
    fi
    ROWS+=("$name")
}

# field NAME KEY : a value from NAME's /usr/bin/time -v report.
field() { grep -F "$2" "$WORK/$1.time" | sed 's/.*: //'; }
wall() { field "$1" "Elapsed (wall clock)" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'; }
cpu() { echo "$(field "$1" "User time") $(field "$1" "System time")" | awk '{ printf "%.1f", $1 + $2 }'; }
rss() { field "$1" "Maximum resident set size" | awk '{ printf "%.0f", $1 / 1024 }'; }

N_FILES=$(cd "$SRC" && find . -type f \( -name '*.c' -o -name '*.h' \) | wc -l)
N_LINKS=$(cd "$SRC" && find . -type l \( -name '*.c' -o -name '*.h' \) | wc -l)

PEERS=(ctags gtags cscope)
if [ "${BENCH_SKIP_PEERS:-0}" = 1 ]; then
    PEERS=()
else
    run ctags "$SRC" ctags -R --languages=C --langmap=C:+.h --kinds-C=+p --fields=+S -f "$WORK/tags" .
    mkdir -p "$WORK/gtags"
    run gtags "$SRC" gtags "$WORK/gtags"
    run cscope "$SRC" cscope -b -q -k -R -f "$WORK/cscope.out"
fi
run cgloss-index-cold "$SRC" "$CGLOSS" index --quiet --root . --index "$INDEX"
run cgloss-index-nochange "$SRC" "$CGLOSS" index --quiet --root . --index "$INDEX"

# A real edit: a new function at the end of kernel/fork.c, undone afterwards.
EDITED=kernel/fork.c
cp -p "$SRC/$EDITED" "$WORK/edited.orig"
printf '\n/* added by bench/kernel.sh */\nint cgloss_bench_probe(int x)\n{\n\treturn x + 1;\n}\n' >>"$SRC/$EDITED"
run cgloss-index-oneedit "$SRC" "$CGLOSS" index --quiet --root . --index "$INDEX"
"$CGLOSS" report --quiet --root "$SRC" --index "$INDEX" cgloss_bench_probe >/dev/null \
    || { echo "bench: the edit did not reach the index" >&2; exit 1; }
cp -p "$WORK/edited.orig" "$SRC/$EDITED"
run cgloss-index-revert "$SRC" "$CGLOSS" index --quiet --root . --index "$INDEX"

run cgloss-report-kmalloc "$SRC" "$CGLOSS" report --root . --index "$INDEX" kmalloc
if [ "${BENCH_SKIP_SITE:-0}" != 1 ]; then
    run cgloss-site "$SRC" env SOURCE_DATE_EPOCH=1700000000 "$CGLOSS" site --quiet --root . --index "$INDEX" -o "$WORK/site"
fi

echo
echo "## Linux 6.12 ($N_FILES regular .c/.h files, $N_LINKS symbolic links), $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(. /etc/os-release && echo "$PRETTY_NAME")"
echo
echo "| run | wall s | CPU s | peak RSS MB |"
echo "|---|---:|---:|---:|"
for r in "${ROWS[@]}"; do
    echo "| $r | $(wall "$r") | $(cpu "$r") | $(rss "$r") |"
done
echo
cold=$(wall cgloss-index-cold)
cold_rss=$(rss cgloss-index-cold)
for peer in "${PEERS[@]}"; do
    awk -v c="$cold" -v p="$(wall $peer)" -v cr="$cold_rss" -v pr="$(rss $peer)" -v n="$peer" \
        'BEGIN { printf "- cold `cgloss index` / `%s`: wall %.2f, peak RSS %.2f\n", n, c / p, cr / pr }'
done
echo
echo "cgloss index (cold): $(grep -h 'files:' "$WORK/cgloss-index-cold.err" | sed 's/^cgloss: //')"
echo "cgloss index (one edit): $(grep -h 'updated' "$WORK/cgloss-index-oneedit.err" | sed 's/^cgloss: //')"
if [ -f "$WORK/cgloss-site.err" ]; then
    echo "cgloss site: $(grep -h 'wrote' "$WORK/cgloss-site.err" | sed 's/^cgloss: //')"
    echo "site on disk: $(du -sh "$WORK/site" | cut -f1)"
    [ "${BENCH_KEEP_SITE:-0}" = 1 ] || rm -rf "$WORK/site"
fi
echo "index database: $(du -h "$INDEX" | cut -f1)"
