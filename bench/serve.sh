#!/usr/bin/env bash
# Load test of `cgloss serve` on the Linux 6.12 index with wrk (installed with
# apt-get when missing): function pages, file pages, source views,
# identifier search, regex search and the report API, each at 1, 16 and 64
# connections; p50/p99 latency, requests per second, errors (non-2xx and
# socket errors), and the server's peak RSS (VmHWM). Prints a Markdown table.
#
#   INDEX=/tmp/serve-bench/linux.sqlite bench/serve.sh
#   CGLOSS=target/release/cgloss DURATION=10s CONNS="1 16 64" bench/serve.sh
#   SERVER_PID=1234 PORT=8080 bench/serve.sh   measure a server already running
#
# The index must exist (`cgloss index --root $SRC --index $INDEX`, ~2 GB); the
# tree is the one bench/kernel.sh unpacks. The server binds 127.0.0.1:$PORT.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CGLOSS_BENCH_CACHE:-$HOME/.cache/cgloss-bench}
SRC=${SRC:-$CACHE/linux-source-6.12}
INDEX=${INDEX:-$CACHE/work/cgloss.sqlite}
CGLOSS=${CGLOSS:-$REPO/target/release/cgloss}
PORT=${PORT:-18300}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-1 16 64}
LOG=${LOG:-$(mktemp -t cgloss-serve-bench.XXXXXX)}

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "bench: need root to apt-get install wrk" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ -n "${SERVER_PID:-}" ]; then
    PID=$SERVER_PID
else
    [ -d "$SRC" ] || { echo "bench: no tree at $SRC (run bench/kernel.sh once)" >&2; exit 2; }
    [ -f "$INDEX" ] || { echo "bench: no index at $INDEX" >&2; exit 2; }
    [ -x "$CGLOSS" ] || { echo "bench: no cgloss at $CGLOSS (cargo build --release)" >&2; exit 2; }
    start=$(date +%s)
    "$CGLOSS" serve --root "$SRC" --index "$INDEX" --addr "127.0.0.1:$PORT" >"$LOG" 2>&1 &
    PID=$!
    trap 'kill -INT $PID 2>/dev/null || true' EXIT
    until grep -q "cgloss: serving" "$LOG"; do
        kill -0 $PID 2>/dev/null || { cat "$LOG" >&2; exit 2; }
        sleep 1
    done
    echo "server ready in $(( $(date +%s) - start )) s"
fi
echo "server RSS $(grep VmRSS /proc/$PID/status | awk '{print $2}') kB"

BASE=http://127.0.0.1:$PORT
declare -A URLS=(
    [function_page]="/en/fs/userfaultfd.c/dup_userfaultfd.html"
    [file_page]="/en/fs/userfaultfd.c.html"
    [source_view]="/source/fs/userfaultfd.c.html"
    [ident_substring]="/api/v1/search?q=userfaultfd&mode=substring"
    [ident_api]="/api/v1/ident/dup_userfaultfd"
    [report_api]="/api/v1/report/fs/userfaultfd.c:dup_userfaultfd"
    [regex]="/api/v1/search?q=SYSCALL_DEFINE1%5C(exit&mode=regex"
)
# One warm-up request each (the page cache, the first render).
for name in "${!URLS[@]}"; do
    curl -s -o /dev/null "$BASE${URLS[$name]}"
done

echo
echo "| request | conns | req/s | p50 | p99 | errors |"
echo "|---|---:|---:|---:|---:|---:|"
for name in function_page file_page source_view ident_substring ident_api report_api regex; do
    for c in $CONNS; do
        out=$(wrk -t "$(( c < 2 ? 1 : 2 ))" -c "$c" -d "$DURATION" --timeout 30s --latency "$BASE${URLS[$name]}")
        rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
        p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
        sock=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out")
        echo "| $name | $c | $rps | $p50 | $p99 | $(( ${non2xx:-0} + ${sock:-0} )) |"
    done
done
echo
echo "peak RSS of the server: $(grep VmHWM /proc/$PID/status | awk '{print $2}') kB"
