#!/usr/bin/env python3
"""Compares the function definitions universal-ctags finds with those
`cgloss index` stores, for bench/completeness.sh and bench/corpus.sh.

    completeness.py TREE DIR GOAL

DIR holds `ctags.txt` and `cgloss.txt` (`path:line name`, sorted) and
`files.txt` (the paths cgloss indexed); GOAL is the most real misses
allowed, a count (`10`) or a share (`0.05%`). Writes missing.txt (each miss
marked `real`, `no-body` or `not-function`), extra.txt, renamed.txt and
moved.txt into DIR and prints the summary (`REAL MISSES: N`).
"""
import collections, os, re, sys

tree, out, goal = sys.argv[1], sys.argv[2], sys.argv[3]

def entries(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            loc, _, name = raw.partition(" ")
            p, _, ln = loc.rpartition(":")
            rows.append((p, int(ln), name))
    return rows

ctags = entries(os.path.join(out, "ctags.txt"))
cgl = entries(os.path.join(out, "cgloss.txt"))
indexed = set(open(os.path.join(out, "files.txt"), encoding="utf-8", errors="replace").read().split("\n"))

# ctags follows symbolic links; cgloss indexes a file reached through a link
# to inside the tree once, under its real path. Leave those duplicates out.
real_root = os.path.realpath(tree)
linked = 0
kept = []
link_cache = {}
for e in ctags:
    p = e[0]
    if p not in indexed:
        if p not in link_cache:
            r = os.path.realpath(os.path.join(tree, p))
            rel = os.path.relpath(r, real_root)
            link_cache[p] = r != os.path.join(real_root, p) and not rel.startswith("..") and rel in indexed
        if link_cache[p]:
            linked += 1
            continue
    kept.append(e)
ctags = kept

by_loc_cg = collections.defaultdict(list)
for e in cgl:
    by_loc_cg[(e[0], e[1])].append(e)
ctag_locs = {(e[0], e[1]) for e in ctags}

missing, renamed = [], []
for e in ctags:
    hit = by_loc_cg.get((e[0], e[1]))
    if not hit:
        missing.append(e)
    elif all(h[2] != e[2] for h in hit):
        renamed.append((e, hit[0]))
extra = [e for e in cgl if (e[0], e[1]) not in ctag_locs]

# Second pass: same path and name, another line (one to one).
left = collections.defaultdict(list)
for e in extra:
    left[(e[0], e[2])].append(e)
moved, still_missing = [], []
for e in missing:
    cands = left.get((e[0], e[2]))
    if cands:
        moved.append((e, cands.pop(0)))
    else:
        still_missing.append(e)
moved_cg = {id(m[1]) for m in moved}
missing = still_missing
extra = [e for e in extra if id(e) not in moved_cg]

# Does a body follow the header? From the name on its line: the matching `)`
# of the parameter list, then spaces, comments and attribute-like words
# (`__releases(x)`, `__attribute__((…))`) up to a `{`. A `#else`/`#elif` right
# after the header (alternative headers, one body) skips to its `#endif`.
# A `{ … };` without `return`, `if`, `for`… inside is a struct or an
# initializer, not a body.
texts = {}
def text_of(p):
    if p not in texts:
        try:
            with open(os.path.join(tree, p), encoding="utf-8", errors="replace") as f:
                texts[p] = f.read()
        except OSError:
            texts[p] = ""
    return texts[p]

line_offsets = {}
def offset_of_line(p, ln):
    if p not in line_offsets:
        t = text_of(p)
        offs = [0]
        for m in re.finditer("\n", t):
            offs.append(m.end())
        line_offsets[p] = offs
    offs = line_offsets[p]
    return offs[ln - 1] if 0 < ln <= len(offs) else None

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

def skip_ws(t, i):
    n = len(t)
    while i < n:
        if t[i] in " \t\r\n\f\v":
            i += 1
        elif t.startswith("\\\n", i):
            i += 2
        elif t.startswith("/*", i):
            j = t.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif t.startswith("//", i):
            j = t.find("\n", i)
            i = n if j < 0 else j
        else:
            break
    return i

def match_paren(t, i, limit):
    # t[i] == '('; the index after the matching ')', or None.
    depth = 0
    n = min(len(t), limit)
    while i < n:
        c = t[i]
        if c in "\"'":
            j = i + 1
            while j < n and t[j] != c and t[j] != "\n":
                j += 2 if t[j] == "\\" else 1
            i = j + 1
            continue
        if t.startswith("/*", i):
            j = t.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c in ";{}" and depth <= 1:
            return None
        i += 1
    return None

def at_line_start(t, i):
    j = i - 1
    while j >= 0 and t[j] in " \t":
        j -= 1
    return j < 0 or t[j] == "\n"

def directive_at(t, i):
    # The directive word and the index after its line (continuations kept).
    m = re.compile(r"#\s*([a-z]*)").match(t, i)
    j = i
    while True:
        k = t.find("\n", j)
        if k < 0:
            return m.group(1), len(t)
        if k > 0 and t[k - 1] == "\\":
            j = k + 1
            continue
        return m.group(1), k + 1

def skip_to_endif(t, i):
    depth = 0
    for m in re.compile(r"^[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b", re.M).finditer(t, i):
        if m.group(1) == "endif":
            if depth == 0:
                return t.find("\n", m.end()) + 1 or len(t)
            depth -= 1
        else:
            depth += 1
    return len(t)

STATEMENT = re.compile(r"\b(return|if|for|while|switch|goto|do)\b")
DIRECTIVE = re.compile(r"^[ \t]*#.*$", re.M)

def match_brace(t, i):
    # t[i] == '{'; the index of the matching '}', or None.
    depth = 0
    n = len(t)
    while i < n:
        c = t[i]
        if c in "\"'":
            j = i + 1
            while j < n and t[j] != c and t[j] != "\n":
                j += 2 if t[j] == "\\" else 1
            i = j + 1
            continue
        if t.startswith("/*", i) or t.startswith("//", i):
            i = skip_ws(t, i)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None

def classify(p, ln, name):
    """`real` when a function body follows the header; `no-body` for a
    file-scope macro invocation (`ATOMIC_OPS(add)`); `not-function` for a
    brace that is not a body: `NAME(x) { … };` with no statement keyword
    inside (a struct or an initializer: `FIXTURE(x) {…};`,
    `define_machine(x) {…};`) or `enum NAME(…) {`."""
    t = text_of(p)
    start = offset_of_line(p, ln)
    if start is None:
        return "no-body"
    eol = t.find("\n", start)
    eol = len(t) if eol < 0 else eol
    m = re.compile(r"\b" + re.escape(name) + r"\b").search(t, start, eol)
    if m and re.search(r"\b(enum|struct|union)\s*$", t[start:m.start()]):
        return "not-function"
    i = m.end() if m else start
    i = skip_ws(t, i)
    if i < len(t) and t[i] == "(":
        close = match_paren(t, i, i + 20000)
        if close is None:
            return "no-body"
        i = close
    for _ in range(40):
        i = skip_ws(t, i)
        if i >= len(t):
            return "no-body"
        c = t[i]
        if c == "{":
            end = match_brace(t, i)
            if end is not None:
                after = skip_ws(t, end + 1)
                statements = STATEMENT.search(DIRECTIVE.sub("", t[i:end]))
                if after < len(t) and t[after] == ";" and not statements:
                    return "not-function"
            return "real"
        if c == "#" and at_line_start(t, i):
            word, after = directive_at(t, i)
            i = skip_to_endif(t, after) if word in ("else", "elif") else after
            continue
        m = IDENT.match(t, i)
        if m and (m.group(0).startswith("__") or m.group(0) in ("notrace", "noinline", "asmlinkage")):
            i = skip_ws(t, m.end())
            if i < len(t) and t[i] == "(":
                close = match_paren(t, i, i + 2000)
                if close is None:
                    return "no-body"
                i = close
            continue
        return "no-body"
    return "no-body"

marked = [(e, classify(*e)) for e in missing]
real = [e for e, b in marked if b == "real"]

def fmt(e):
    return f"{e[0]}:{e[1]} {e[2]}"

with open(os.path.join(out, "missing.txt"), "w") as f:
    for e, b in marked:
        f.write(f"{fmt(e)}\t{b}\n")
with open(os.path.join(out, "extra.txt"), "w") as f:
    for e in extra:
        f.write(fmt(e) + "\n")
with open(os.path.join(out, "renamed.txt"), "w") as f:
    for e, h in renamed:
        f.write(f"{fmt(e)}\t{h[2]}\n")
with open(os.path.join(out, "moved.txt"), "w") as f:
    for e, h in moved:
        f.write(f"{fmt(e)}\t{h[1]}\n")

nc = len(ctags)
pct = lambda k: f"{100.0 * k / nc:.3f}%" if nc else "-"
print(f"ctags definitions:      {nc}" + (f" ({linked} more in files reached through links, left out)" if linked else ""))
print(f"cgloss definitions:     {len(cgl)}")
print(f"missing in cgloss:      {len(missing)} ({pct(len(missing))} of ctags')")
kinds = collections.Counter(b for _, b in marked)
print(f"  no body (macro call): {kinds['no-body']}")
print(f"  not a function (`X(y) {{...}};`, `enum X(y) {{`): {kinds['not-function']}")
print(f"  REAL MISSES:          {len(real)} ({pct(len(real))})")
limit = nc * float(goal[:-1]) / 100 if goal.endswith("%") else float(goal)
print(f"  goal: <= {goal}" + (f" ({limit:.0f})" if goal.endswith("%") else "")
      + (": met" if len(real) <= limit else ": NOT met"))
print(f"extra in cgloss:        {len(extra)}")
print(f"same path:line, other name: {len(renamed)} (renamed.txt; e.g. SYSCALL_DEFINEn -> sys_x)")
print(f"same path and name, other line: {len(moved)} (moved.txt, not counted as missing)")
print(f"lists: {out}/missing.txt, {out}/extra.txt")
print()
print("first 30 real misses:")
for e in real[:30]:
    print("  " + fmt(e))
print("first 30 no-body misses:")
for e, b in [x for x in marked if x[1] == "no-body"][:30]:
    print("  " + fmt(e))
print("first 30 extra:")
for e in extra[:30]:
    print("  " + fmt(e))
allc = collections.Counter(e[0] for e in missing)
realc = collections.Counter(e[0] for e in real)
for title, counter in (("missing", allc), ("real misses", realc)):
    print(f"top 20 files by {title} (real / all missing):")
    for p, _ in counter.most_common(20):
        print(f"  {realc[p]:6d} / {allc[p]:6d}  {p}")
