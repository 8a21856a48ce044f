#!/usr/bin/env bash
# cgloss on real C trees nobody here wrote: Lua, zstd, libgit2, curl,
# OpenSSL and zlib (their sources ship in crates.io's vendoring crates) and
# Debian's linux-source-6.1. For each tree it prints one row of a table:
#
#   functions ctags finds | missing in cgloss | of them real (a body follows
#   the header) | share with a comment directly
#   above | share documented by cgloss (a doc of the definition itself) |
#   share whose report shows a doc (the definition's or a prototype's) |
#   files with parse errors | index time
#   cgloss vs ctags | panics | glosses starting with `*` | return types that
#   are an export macro | files whose comments and literals the lexer reads
#   otherwise than tree-sitter (where tree-sitter parsed without error)
#
# "A comment directly above" is computed the same simple way for every tree,
# from the text alone: walk up from the line ctags gives for the name over
# at most two lines of the header (a return type on its own line), then the
# line above must end a comment (`*/`) or be a `//` comment, and that comment
# must hold a letter or a digit (a `/* ===== */` rule documents nothing).
#
#   bench/corpus.sh                  every tree
#   bench/corpus.sh lua zstd         some (lua zstd libgit2 curl openssl zlib linux-6.1)
#   CGLOSS=/path/to/cgloss bench/corpus.sh   a prebuilt binary (else built here)
#
# Sources are fetched with `cargo vendor` in a scratch project under
# $CGLOSS_BENCH_CACHE (default ~/.cache/cgloss-bench)/corpus, never inside the
# repository; linux-source-6.1 is installed with apt-get when missing.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CGLOSS_BENCH_CACHE:-$HOME/.cache/cgloss-bench}
CORPUS=$CACHE/corpus
OUT=$CORPUS/out
mkdir -p "$CORPUS" "$OUT"

TREES=("$@")
[ ${#TREES[@]} -gt 0 ] || TREES=(lua zstd libgit2 curl openssl zlib linux-6.1)

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "corpus: need root to apt-get install $*" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
missing=()
command -v ctags >/dev/null && ctags --version 2>/dev/null | grep -q Universal || missing+=(universal-ctags)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
[ -x /usr/bin/time ] || missing+=(time)
command -v xz >/dev/null || missing+=(xz-utils)
command -v python3 >/dev/null || missing+=(python3)
for t in "${TREES[@]}"; do
    if [ "$t" = linux-6.1 ] && [ ! -f /usr/src/linux-source-6.1.tar.xz ] && [ ! -f "$CORPUS/linux-6.1/Makefile" ]; then
        missing+=(linux-source-6.1)
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "corpus: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
fi

if [ -z "${CGLOSS:-}" ]; then
    echo "corpus: building cgloss (release)" >&2
    (cd "$REPO" && cargo build --release --quiet)
    CGLOSS=$REPO/target/release/cgloss
fi

# crate name and version of each vendored tree (the versions the issue names;
# the newest release when that one is gone from the registry).
crate_of() {
    case $1 in
        lua) echo "lua-src 551.1.0" ;;
        zstd) echo "zstd-sys 2.1.3" ;;
        libgit2) echo "libgit2-sys 0.18.8" ;;
        curl) echo "curl-sys 0.4.91" ;;
        openssl) echo "openssl-src newest" ;;
        zlib) echo "libz-sys newest" ;;
    esac
}

# vendor CRATE VERSION: the crate's sources under $CORPUS/vendor/CRATE.
vendor() {
    local crate=$1 version=$2 dir=$CORPUS/scratch-$1
    [ -d "$CORPUS/vendor/$crate" ] && return 0
    mkdir -p "$dir/src"
    echo 'fn main() {}' >"$dir/src/main.rs"
    local reqs=("=$version" "*")
    [ "$version" = newest ] && reqs=("*")
    for req in "${reqs[@]}"; do
        cat >"$dir/Cargo.toml" <<EOF
[package]
name = "corpus-$crate"
version = "0.0.0"
edition = "2021"
[dependencies]
$crate = { version = "$req", default-features = false }
EOF
        if (cd "$dir" && cargo vendor --quiet --versioned-dirs "$dir/vendor" >/dev/null 2>"$dir/vendor.err"); then
            local got
            got=$(ls -d "$dir/vendor/$crate-"* | head -1)
            mkdir -p "$CORPUS/vendor"
            mv "$got" "$CORPUS/vendor/$crate"
            echo "corpus: $crate $(basename "$got" | sed "s/^$crate-//")" >&2
            return 0
        fi
        echo "corpus: $crate $req not available, trying the newest" >&2
    done
    echo "corpus: could not vendor $crate (see $dir/vendor.err)" >&2
    return 1
}

# tree_dir NAME: the folder indexed.
tree_dir() {
    case $1 in
        linux-6.1)
            if [ ! -f "$CORPUS/linux-6.1/Makefile" ]; then
                echo "corpus: unpacking linux-source-6.1" >&2
                rm -rf "$CORPUS/linux-6.1.partial"
                mkdir -p "$CORPUS/linux-6.1.partial"
                tar -xf /usr/src/linux-source-6.1.tar.xz -C "$CORPUS/linux-6.1.partial" --strip-components=1
                mv "$CORPUS/linux-6.1.partial" "$CORPUS/linux-6.1"
            fi
            echo "$CORPUS/linux-6.1"
            ;;
        *)
            # shellcheck disable=SC2046
            vendor $(crate_of "$1") >&2 || return 1
            echo "$CORPUS/vendor/$(crate_of "$1" | cut -d' ' -f1)"
            ;;
    esac
}

secs() { awk -F: '/Elapsed \(wall clock\)/ { s = 0; n = split($0, a, ": "); split(a[n], t, ":"); for (i = 1; i in t; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }

ROWS=()
for t in "${TREES[@]}"; do
    src=$(tree_dir "$t") || continue
    work=$OUT/$t
    rm -rf "$work"
    mkdir -p "$work"
    echo "corpus: $t: ctags" >&2
    (cd "$src" && /usr/bin/time -v -o "$work/ctags.time" ctags -R --languages=C --langmap=C:+.h \
        --kinds-C=f --fields=+n -f - . 2>/dev/null) |
        awk -F'\t' '{ line = ""; for (i = 4; i <= NF; i++) if ($i ~ /^line:/) line = substr($i, 6);
                     p = $2; sub(/^\.\//, "", p); if (line != "") print p ":" line " " $1 }' |
        sort -u >"$work/ctags.txt"
    echo "corpus: $t: cgloss index" >&2
    status=0
    /usr/bin/time -v -o "$work/cgloss.time" "$CGLOSS" index --root "$src" --index "$work/index.sqlite" \
        >"$work/index.out" 2>"$work/index.err" || status=$?
    panics=$(grep -c 'panicked' "$work/index.err" || true)
    if [ "$status" != 0 ] && [ "$status" != 2 ]; then
        echo "corpus: $t: cgloss index failed with status $status" >&2
        tail -3 "$work/index.err" >&2
    fi
    sqlite3 -separator ' ' "$work/index.sqlite" \
        "SELECT f.path || ':' || s.line, s.name FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.kind = 'function'" |
        sort -u >"$work/cgloss.txt"
    sqlite3 "$work/index.sqlite" "SELECT path FROM files" >"$work/files.txt"
    n_ctags=$(wc -l <"$work/ctags.txt")
    # Missing: matched on path:line, then path and name (bench/completeness.py,
    # shared with bench/completeness.sh); `real` when a body follows the
    # header, not a file-scope macro call ctags takes for a definition.
    python3 "$REPO/bench/completeness.py" "$src" "$work" 0.5% >"$work/completeness.txt"
    n_missing=$(sed -n 's/^missing in cgloss: *\([0-9]*\).*/\1/p' "$work/completeness.txt")
    n_real=$(sed -n 's/^  REAL MISSES: *\([0-9]*\).*/\1/p' "$work/completeness.txt")
    # A comment directly above each ctags definition, from the text.
    n_commented=$(awk -v root="$src" '
        { split($1, a, ":"); file = root "/" a[1]; line = a[2] + 0; want[file] = want[file] " " line }
        END {
            n = 0
            for (file in want) {
                k = 0; delete text
                while ((getline l < file) > 0) text[++k] = l
                close(file)
                m = split(want[file], lines, " ")
                for (i = 1; i <= m; i++) {
                    j = lines[i] - 1; hops = 0
                    while (j > 0 && hops < 2 && text[j] !~ /^[ \t]*$/ && text[j] !~ /\*\/[ \t]*$/ &&
                           text[j] !~ /^[ \t]*\/\// && text[j] !~ /[;{}][ \t]*$/ && text[j] !~ /^[ \t]*#/) { j--; hops++ }
                    if (j > 0 && text[j] ~ /^[ \t]*\/\//) {
                        c = text[j]; sub(/^[ \t]*\/\/+/, "", c)
                        if (c ~ /[A-Za-z0-9]/) n++
                    } else if (j > 0 && text[j] ~ /\*\/[ \t]*$/) {
                        # the whole comment, up to its `/*`
                        c = text[j]; k = j
                        while (k > 1 && c !~ /\/\*/ && j - k < 200) { k--; c = text[k] "\n" c }
                        sub(/.*\/\*/, "", c); sub(/\*\/[ \t]*$/, "", c)
                        if (c ~ /[A-Za-z0-9]/) n++
                    }
                }
            }
            print n
        }' "$work/ctags.txt")
    db() { sqlite3 "$work/index.sqlite" "$1"; }
    n_functions=$(db "SELECT COUNT(*) FROM symbols WHERE kind = 'function'")
    n_documented=$(db "SELECT COUNT(*) FROM symbols s JOIN docs d ON d.symbol_id = s.id WHERE s.kind = 'function'")
    # What a reader sees: the report shows a doc when the definition has one
    # or a prototype of the same name does (Index::function_doc).
    n_shown=$(db "SELECT COUNT(*) FROM symbols s WHERE s.kind = 'function' AND (
        EXISTS (SELECT 1 FROM docs d WHERE d.symbol_id = s.id) OR
        EXISTS (SELECT 1 FROM symbols p JOIN docs d ON d.symbol_id = p.id
                WHERE p.kind = 'prototype' AND p.name = s.name))")
    n_files=$(db "SELECT COUNT(*) FROM files")
    n_error_files=$(db "SELECT COUNT(*) FROM files WHERE syntax_errors > 0")
    n_star=$(db "SELECT COUNT(*) FROM docs WHERE summary LIKE '*%'")
    # Return types that start with an export macro, as reports show them
    # (the linked Type: line, not the store's column, which holds the type
    # as written): a word the tree #defines, in capitals, called or followed
    # by another word (`LUA_API int`, `GIT_EXTERN(int)`; a type macro alone,
    # `U32` or `PCRE2_SIZE *`, is a type, not an export macro). Linux renders
    # 650k reports; only with CORPUS_LINUX_REPORTS=1.
    n_export=-
    if [ "$t" != linux-6.1 ] || [ "${CORPUS_LINUX_REPORTS:-0}" = 1 ]; then
        "$CGLOSS" check --quiet --no-glossary --root "$src" --reports "$work/reports.txt" >"$work/check.out" 2>&1 || true
        db "SELECT DISTINCT name FROM symbols WHERE kind = 'macro'" >"$work/macros.txt"
        n_export=$(awk 'NR == FNR { m[$1] = 1; next }
            /^Type: / { w = $2; call = w ~ /\(/; sub(/\(.*/, "", w)
                        if ((w in m) && w == toupper(w) && w ~ /[A-Z]/ && (call || $3 ~ /^[A-Za-z_]/)) n++ }
            END { print n + 0 }' "$work/macros.txt" "$work/reports.txt")
    fi
    # The lexer's comments and literals against tree-sitter's on every file
    # (crates/cgloss-syntax/tests/lex_vs_tree_sitter.rs).
    lex=$( (cd "$REPO" && CGLOSS_LEX_CORPUS=$src cargo test --quiet -p cgloss-syntax --test lex_vs_tree_sitter \
        lexer_agrees_with_tree_sitter_on_the_corpus -- --nocapture 2>&1) | tee "$work/lex.out" |
        sed -n 's/.*: \([0-9]*\) files, [0-9]* comments and literals agree, \([0-9]*\) files disagree/\2 of \1/p')
    pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "0.0"; else printf "%.1f", 100 * a / b }'; }
    ROWS+=("| $t | $n_ctags | $n_missing ($(pct "$n_missing" "$n_ctags")%) | $n_real ($(pct "$n_real" "$n_ctags")%) | $(pct "$n_commented" "$n_ctags")% | $(pct "$n_documented" "$n_functions")% | $(pct "$n_shown" "$n_functions")% | $(pct "$n_error_files" "$n_files")% | $(secs "$work/cgloss.time") s / $(secs "$work/ctags.time") s | $panics | $n_star | $n_export | ${lex:-?} |")
    echo "corpus: $t: lists in $work (missing.txt, completeness.txt)" >&2
done

echo "## C corpus, $(date -u +%Y-%m-%d) ($(nproc) cores)"
echo
echo "| tree | functions ctags finds | missing in cgloss | of them real (a body follows) | comment directly above | documented in cgloss | report shows a doc | files with parse errors | index cgloss / ctags | panics | glosses starting with \`*\` | return type an export macro | files where the lexer disagrees with tree-sitter |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do echo "$r"; done
