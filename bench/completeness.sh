#!/usr/bin/env bash
# Completeness of cgloss's function definitions against universal-ctags, on
# the Linux 5.5.9 fixture (../shared/fixtures/linux-5.5.9, skipped when
# absent) and the whole Linux 6.12 tree (Debian's linux-source-6.12).
#
#   bench/completeness.sh                 both trees
#   bench/completeness.sh fixture         only the fixture (or: 6.12)
#   CGLOSS=/path/to/cgloss bench/completeness.sh    a prebuilt binary (else
#                                         target/release/cgloss, built here)
#   COMPLETENESS_REUSE=1 bench/completeness.sh      reuse the ctags list and
#                                         the index of a previous run
#
# For each tree: the definitions ctags finds (`--kinds-C=f`, with lines) and
# those `cgloss index` stores (`symbols.kind = 'function'`), both as
# `path:line name`, matched on path:line first (ctags names
# `SYSCALL_DEFINE3(open, …)` `SYSCALL_DEFINE3`, cgloss `sys_open`), then on
# path and name for what is left (same function, another line). What ctags
# finds and cgloss does not is `missing.txt`, each line marked `real` (a body
# `{` follows the header), `no-body` (a file-scope macro invocation such as
# `ATOMIC_OPS(add)` that ctags takes for a definition) or `not-function`
# (`FIXTURE(x) { … };`, `enum CONCAT_(…) {`: a struct or an initializer); the
# reverse is `extra.txt`. The goal metric is the count of `real` misses.
#
# Installs what is missing with apt-get (needs root), unpacks the 6.12 tree
# once into $CGLOSS_BENCH_CACHE (default ~/.cache/cgloss-bench), never inside
# the repository. Everything is written to $CGLOSS_BENCH_CACHE/completeness.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CGLOSS_BENCH_CACHE:-$HOME/.cache/cgloss-bench}
SRC=$CACHE/linux-source-6.12
OUT=$CACHE/completeness
TARBALL=/usr/src/linux-source-6.12.tar.xz
FIXTURE=$REPO/../shared/fixtures/linux-5.5.9
REUSE=${COMPLETENESS_REUSE:-0}

WANT=("$@")
[ ${#WANT[@]} -gt 0 ] || WANT=(fixture 6.12)
wants() {
    local w
    for w in "${WANT[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "completeness: need root to apt-get install $*" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
if wants 6.12 && [ ! -f "$SRC/Makefile" ]; then
    [ -f "$TARBALL" ] || missing+=(linux-source-6.12)
    command -v xz >/dev/null || missing+=(xz-utils)
fi
command -v ctags >/dev/null && ctags --version 2>/dev/null | grep -q Universal || missing+=(universal-ctags)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    echo "completeness: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
fi

if wants 6.12 && [ ! -f "$SRC/Makefile" ]; then
    echo "completeness: unpacking $TARBALL into $CACHE" >&2
    mkdir -p "$CACHE"
    rm -rf "$SRC.partial"
    mkdir "$SRC.partial"
    tar -xf "$TARBALL" -C "$SRC.partial" --strip-components=1
    mv "$SRC.partial" "$SRC"
fi

if [ -z "${CGLOSS:-}" ]; then
    echo "completeness: building cgloss (release)" >&2
    (cd "$REPO" && cargo build --release --quiet)
    CGLOSS=$REPO/target/release/cgloss
fi

# compare NAME TREE GOAL : the ctags list, the cgloss list, the comparison.
# GOAL is the most real misses allowed: a count (`10`) or a share (`0.05%`).
compare() {
    local name=$1 tree=$2 goal=$3
    local dir=$OUT/$name
    mkdir -p "$dir"
    echo
    echo "## $name ($tree)"
    if [ "$REUSE" != 1 ] || [ ! -s "$dir/ctags.txt" ]; then
        echo "completeness: $name: ctags" >&2
        local t0=$SECONDS
        (cd "$tree" && ctags -R --languages=C --langmap=C:+.h --kinds-C=f --fields=+n \
            -x --_xformat='%F:%n %N' . 2>"$dir/ctags.err") | sed 's|^\./||' | LC_ALL=C sort -u >"$dir/ctags.txt"
        echo "ctags: $((SECONDS - t0)) s"
    fi
    if [ "$REUSE" != 1 ] || [ ! -s "$dir/cgloss.sqlite" ]; then
        echo "completeness: $name: cgloss index" >&2
        local t0=$SECONDS
        rm -f "$dir/cgloss.sqlite"
        "$CGLOSS" index --quiet --root "$tree" --index "$dir/cgloss.sqlite" 2>"$dir/cgloss.err" \
            || { echo "completeness: cgloss index failed; see $dir/cgloss.err" >&2; tail -5 "$dir/cgloss.err" >&2; exit 1; }
        echo "cgloss index: $((SECONDS - t0)) s"
    fi
    sqlite3 "$dir/cgloss.sqlite" \
        "SELECT f.path || ':' || s.line || ' ' || s.name FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.kind = 'function'" \
        | LC_ALL=C sort -u >"$dir/cgloss.txt"
    sqlite3 "$dir/cgloss.sqlite" "SELECT path FROM files" >"$dir/files.txt"
    python3 "$REPO/bench/completeness.py" "$tree" "$dir" "$goal"
}

mkdir -p "$OUT"
if wants fixture; then
    if [ -d "$FIXTURE" ]; then
        compare linux-5.5.9 "$(cd "$FIXTURE" && pwd)" 10
    else
        echo "completeness: no fixture at $FIXTURE, skipped" >&2
    fi
fi
if wants 6.12; then
    compare linux-6.12 "$SRC" 0.05%
fi
