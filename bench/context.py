#!/usr/bin/env python3
"""Context bundles against raw files, and their time from a warm index.

For each function: the bundle's estimated tokens (`cgloss context --format
json`, at the default budget and unlimited), against the bytes of the files an
assistant would otherwise open for the same facts: the function's file and
every file defining a type, macro, constant, global or callee the unlimited
bundle names (its items' `at` paths; callers are not counted). Tokens of raw
bytes use the same estimate (bytes / 4).

Time: `cgloss mcp` is started once on the index; each function's `context` is
called REPEAT times over its stdio (newline-delimited JSON-RPC) and the median
wall time of a call is given, the first call of each function (cold page cache
of its files) reported apart. The `cgloss context` command's wall time (a
process, opening the index, one bundle) is given too.

    bench/context.py --cgloss target/release/cgloss --root TREE --index DB \
        fs/userfaultfd.c:dup_userfaultfd fs/open.c:do_sys_openat2 ...
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def bundle(args, spec, budget):
    out = subprocess.run(
        [args.cgloss, "--quiet", "context", "--root", args.root, "--index", args.index,
         "--format", "json", "--budget", str(budget), spec],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def raw_bytes(args, full):
    paths = {full["file"]}
    for item in full["items"]:
        if item["section"] in ("caller", "referrer") or not item["at"]:
            continue
        paths.add(item["at"].rsplit(":", 1)[0])
    return len(paths), sum(os.path.getsize(os.path.join(args.root, p)) for p in paths)


class Mcp:
    def __init__(self, args):
        self.p = subprocess.Popen(
            [args.cgloss, "--quiet", "mcp", "--root", args.root, "--index", args.index],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.n = 0
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "0"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, msg):
        self.p.stdin.write(json.dumps(msg) + "\n")
        self.p.stdin.flush()

    def request(self, method, params):
        self.n += 1
        self.send({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params})
        while True:
            msg = json.loads(self.p.stdout.readline())
            if msg.get("id") == self.n:
                if "error" in msg:
                    sys.exit(f"bench: {method}: {msg['error']}")
                return msg["result"]

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cgloss", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("functions", nargs="+")
    args = ap.parse_args()

    rows = []
    mcp = Mcp(args)
    for spec in args.functions:
        default = bundle(args, spec, 8000)
        full = bundle(args, spec, 10**9)
        n_files, raw = raw_bytes(args, full)
        first = None
        times = []
        for i in range(args.repeat + 1):
            t = time.perf_counter()
            mcp.request("tools/call", {"name": "context", "arguments": {"function": spec}})
            ms = (time.perf_counter() - t) * 1000
            if i == 0:
                first = ms
            else:
                times.append(ms)
        t = time.perf_counter()
        bundle(args, spec, 8000)
        cli_ms = (time.perf_counter() - t) * 1000
        rows.append((spec, default["tokens"], len(default["left_out"]), full["tokens"],
                     n_files, raw, (raw + 3) // 4, first, statistics.median(times), cli_ms))
    mcp.close()

    print("| function | bundle tokens (budget 8000; items left out) | unlimited bundle tokens "
          "| files | raw bytes | raw tokens (bytes/4) | raw / unlimited bundle "
          "| first call ms | warm call ms (median of %d) | `cgloss context` ms |" % args.repeat)
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (spec, tok, left, full_tok, n_files, raw, raw_tok, first, warm, cli) in rows:
        print(f"| `{spec}` | {tok} ({left}) | {full_tok} | {n_files} | {raw} | {raw_tok} "
              f"| {raw_tok / full_tok:.0f}× | {first:.0f} | {warm:.0f} | {cli:.0f} |")


if __name__ == "__main__":
    main()
