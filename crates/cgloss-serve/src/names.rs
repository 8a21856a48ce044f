//! Identifier search: every distinct name of the tree (functions,
//! prototypes, macros, structs, unions, enums, enum constants, typedefs,
//! globals, members as `tag.member`) in one sorted buffer, found by prefix
//! (binary search) or substring (`memchr::memmem` over the buffer).

use cgloss_index::{FileId, Index};
use memchr::memmem;

/// Kinds of symbols, in the order of their numbers.
pub const KINDS: [&str; 10] = [
    "function",
    "prototype",
    "macro",
    "struct",
    "union",
    "enum",
    "enum_constant",
    "typedef",
    "variable",
    "member",
];

/// One definition of a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Def {
    /// Its file.
    pub file: FileId,
    /// Its line.
    pub line: u32,
    /// Index into `KINDS`.
    pub kind: u8,
    /// For a function, its index in the file.
    pub idx: u32,
}

impl Def {
    /// The kind's name.
    pub fn kind(&self) -> &'static str {
        KINDS[self.kind as usize]
    }
}

/// Every name of one index.
pub struct Names {
    /// `\n` + each name + `\n`, sorted: a name never holds a newline, so a
    /// hit's name is the one whose start precedes it.
    buf: String,
    /// Offset of each name in `buf`; one more at the end.
    starts: Vec<u32>,
    /// `defs[def_starts[i]..def_starts[i + 1]]` are name `i`'s.
    def_starts: Vec<u32>,
    defs: Vec<Def>,
}

/// How a query matches names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// The name is the query.
    Exact,
    /// The name starts with the query.
    Prefix,
    /// The name holds the query.
    Substring,
}

fn kind_of(name: &str) -> u8 {
    KINDS.iter().position(|k| *k == name).unwrap_or(0) as u8
}

/// The name of a tagged definition (`struct file` → `file`); `None` for an
/// anonymous one.
fn tag_name(tag: &str) -> Option<&str> {
    let name = tag.split_once(' ').map_or(tag, |(_, n)| n);
    (!name.is_empty() && !name.starts_with('{')).then_some(name)
}

/// Gathers names one at a time, then sorts them into `Names`: the names
/// kept in one buffer, not one allocation each (the kernel has 8 million).
#[derive(Default)]
pub struct NamesBuilder {
    /// Every name pushed, each followed by `\n`.
    arena: String,
    /// Start of a name in `arena`, and its definition.
    entries: Vec<(u32, Def)>,
}

impl NamesBuilder {
    /// Adds a definition of `name` (an empty name, or one holding a
    /// newline, is left out). `kind` is one of `KINDS`.
    pub fn push(&mut self, name: &str, kind: &str, file: FileId, line: u32, idx: u32) {
        if name.is_empty() || name.contains('\n') {
            return;
        }
        let start = self.arena.len() as u32;
        self.arena.push_str(name);
        self.arena.push('\n');
        self.entries.push((
            start,
            Def {
                file,
                line,
                kind: kind_of(kind),
                idx,
            },
        ));
    }

    /// The names, sorted, each definition once.
    pub fn finish(self) -> Names {
        let NamesBuilder { arena, mut entries } = self;
        let name_at = |start: u32| {
            let rest = &arena[start as usize..];
            &rest[..rest.find('\n').unwrap_or(rest.len())]
        };
        entries.sort_unstable_by(|a, b| name_at(a.0).cmp(name_at(b.0)).then(a.1.cmp(&b.1)));
        entries.dedup_by(|a, b| a.1 == b.1 && name_at(a.0) == name_at(b.0));
        let mut names = Names {
            buf: String::from("\n"),
            starts: Vec::new(),
            def_starts: Vec::new(),
            defs: Vec::with_capacity(entries.len()),
        };
        let mut last: Option<&str> = None;
        for &(start, def) in &entries {
            let name = name_at(start);
            if last != Some(name) {
                names.starts.push(names.buf.len() as u32);
                names.def_starts.push(names.defs.len() as u32);
                names.buf.push_str(name);
                names.buf.push('\n');
                last = Some(name);
            }
            names.defs.push(def);
        }
        names.starts.push(names.buf.len() as u32);
        names.def_starts.push(names.defs.len() as u32);
        names.buf.shrink_to_fit();
        names
    }
}

impl Names {
    /// The names of `index`.
    pub fn new(index: &Index) -> Names {
        let mut all = NamesBuilder::default();
        for (file_id, facts) in index.files().iter().enumerate() {
            let file = file_id as FileId;
            for (idx, f) in facts.functions.iter().enumerate() {
                all.push(&f.name, "function", file, f.line, idx as u32);
            }
            for p in &facts.prototypes {
                all.push(&p.name, "prototype", file, p.line, 0);
            }
            for m in &facts.macros {
                all.push(&m.name, "macro", file, m.line, 0);
            }
            for r in &facts.records {
                let Some(tag) = tag_name(&r.tag) else {
                    continue;
                };
                let kind = if r.tag.starts_with("union ") {
                    "union"
                } else {
                    "struct"
                };
                all.push(tag, kind, file, r.line, 0);
                for m in &r.members {
                    all.push(&format!("{tag}.{}", m.name), "member", file, m.line, 0);
                }
            }
            for e in &facts.enums {
                if let Some(tag) = tag_name(&e.tag) {
                    all.push(tag, "enum", file, e.line, 0);
                }
            }
            for e in &facts.enum_consts {
                all.push(&e.name, "enum_constant", file, e.line, 0);
            }
            for t in &facts.typedefs {
                all.push(&t.name, "typedef", file, t.line, 0);
            }
            for g in &facts.globals {
                all.push(&g.name, "variable", file, g.line, 0);
            }
        }
        all.finish()
    }

    /// The page stem of function definition `d` of `name` (see
    /// `cgloss_html`): the name, or `name.L<line>` when the file defines
    /// the name before.
    pub fn function_stem(&self, i: usize, d: &Def) -> String {
        let earlier = self
            .defs(i)
            .iter()
            .any(|o| o.kind == d.kind && o.file == d.file && o.idx < d.idx);
        let name = self.name(i);
        if earlier {
            format!("{name}.L{}", d.line)
        } else {
            name.to_string()
        }
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Whether there is no name.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Name `i`.
    pub fn name(&self, i: usize) -> &str {
        &self.buf[self.starts[i] as usize..self.starts[i + 1] as usize - 1]
    }

    /// The definitions of name `i`, by file and line.
    pub fn defs(&self, i: usize) -> &[Def] {
        &self.defs[self.def_starts[i] as usize..self.def_starts[i + 1] as usize]
    }

    /// The index of `name`, if the tree has it.
    pub fn find(&self, name: &str) -> Option<usize> {
        let i = self.lower_bound(name);
        (i < self.len() && self.name(i) == name).then_some(i)
    }

    fn lower_bound(&self, query: &str) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.name(mid) < query {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The names matching `query`, in name order, skipping `skip` of them
    /// and giving at most `limit`; and whether more were left.
    pub fn search(&self, query: &str, how: Match, skip: usize, limit: usize) -> (Vec<usize>, bool) {
        let mut out = Vec::new();
        let mut seen = 0usize;
        let mut take = |i: usize, out: &mut Vec<usize>| -> bool {
            seen += 1;
            if seen <= skip {
                return true;
            }
            if out.len() == limit {
                return false;
            }
            out.push(i);
            true
        };
        if query.is_empty() || query.contains('\n') {
            return (out, false);
        }
        match how {
            Match::Exact => {
                if let Some(i) = self.find(query) {
                    take(i, &mut out);
                }
                (out, false)
            }
            Match::Prefix => {
                for i in self.lower_bound(query)..self.len() {
                    if !self.name(i).starts_with(query) || !take(i, &mut out) {
                        return (out, self.name(i).starts_with(query));
                    }
                }
                (out, false)
            }
            Match::Substring => {
                let mut last = usize::MAX;
                for at in memmem::find_iter(self.buf.as_bytes(), query.as_bytes()) {
                    // The name holding offset `at`: the last start at or before it.
                    let i = self.starts.partition_point(|&s| s as usize <= at) - 1;
                    if i == last {
                        continue;
                    }
                    last = i;
                    if !take(i, &mut out) {
                        return (out, true);
                    }
                }
                (out, false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> Index {
        cgloss_index::link(vec![cgloss_syntax::extract("a.c", text)])
    }

    fn found(names: &Names, q: &str, how: Match) -> Vec<String> {
        let (list, _) = names.search(q, how, 0, 100);
        list.into_iter()
            .map(|i| {
                let kinds: Vec<&str> = names.defs(i).iter().map(Def::kind).collect();
                format!("{} {}", names.name(i), kinds.join(","))
            })
            .collect()
    }

    const TREE: &str = "#define USERFAULTFD_MAX 3\n\
        struct userfaultfd_ctx { int flags; struct file *file; };\n\
        union u { int x; };\n\
        enum uffd_state { UFFD_OFF, UFFD_ON };\n\
        typedef struct userfaultfd_ctx uffd_t;\n\
        int userfaultfd_count;\n\
        int dup_userfaultfd(int flags);\n\
        int dup_userfaultfd(int flags) { return flags; }\n\
        static void userfaultfd_ctx_get(void) {}\n";

    #[test]
    fn every_kind_by_substring() {
        let names = Names::new(&index(TREE));
        assert_eq!(
            found(&names, "userfaultfd", Match::Substring),
            [
                "dup_userfaultfd prototype,function",
                "userfaultfd_count variable",
                "userfaultfd_ctx struct",
                "userfaultfd_ctx.file member",
                "userfaultfd_ctx.flags member",
                "userfaultfd_ctx_get function",
            ]
        );
        assert_eq!(
            found(&names, "UFFD", Match::Substring),
            ["UFFD_OFF enum_constant", "UFFD_ON enum_constant"]
        );
        assert_eq!(
            found(&names, "USERFAULTFD", Match::Prefix),
            ["USERFAULTFD_MAX macro"]
        );
        assert_eq!(
            found(&names, "uffd", Match::Prefix),
            ["uffd_state enum", "uffd_t typedef"]
        );
        assert_eq!(found(&names, "u.x", Match::Exact), ["u.x member"]);
        assert_eq!(found(&names, "u", Match::Exact), ["u union"]);
        assert!(found(&names, "nothing", Match::Substring).is_empty());
        assert!(found(&names, "", Match::Substring).is_empty());
    }

    #[test]
    fn pages_of_results() {
        let names = Names::new(&index(TREE));
        let (all, more) = names.search("userfaultfd", Match::Substring, 0, 100);
        assert!(!more);
        let (first, more) = names.search("userfaultfd", Match::Substring, 0, 4);
        assert!(more);
        let (rest, more) = names.search("userfaultfd", Match::Substring, 4, 4);
        assert!(!more);
        assert_eq!([first, rest].concat(), all);
        let (p, more) = names.search("userfaultfd_ctx", Match::Prefix, 1, 1);
        assert!(more);
        assert_eq!(names.name(p[0]), "userfaultfd_ctx.file");
    }
}
