//! The fast path for files made only of preprocessor lines and comments
//! (register maps, constant tables: a third of the kernel's bytes): their
//! macros are read with a line scanner, no syntax tree needed. The result is
//! the same as tree-sitter's (a test checks it on the fixture headers).

use cgloss_facts::{FileFacts, MacroFact};

use crate::docs::{Comments, DeclKind, Site};
use crate::lex::{Kind, Token};

/// What a file's preprocessor lines say, read in one pass over its tokens.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Directives {
    /// `#` offset and end (before the newline) of every directive.
    pub spans: Vec<(usize, usize)>,
    /// Whether nothing but directives, comments and blank space appears.
    pub only_directives: bool,
    /// `#include` targets as written (`<linux/slab.h>`, `"slab.h"`), in order.
    pub includes: Vec<String>,
    /// Byte ranges compiled only when `__KERNEL__` is not defined
    /// (`#ifndef __KERNEL__`, the `#else` of `#ifdef __KERNEL__`): what is
    /// declared there is for userspace, not for the kernel.
    pub user_only: Vec<(usize, usize)>,
}

impl Directives {
    /// Whether byte `pos` lies in a userspace-only range.
    pub fn is_user_only(&self, pos: usize) -> bool {
        let k = self.user_only.partition_point(|&(start, _)| start <= pos);
        k > 0 && pos < self.user_only[k - 1].1
    }
}

/// How a conditional group depends on `__KERNEL__`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cond {
    /// Its first branch is for the kernel (`#ifdef __KERNEL__`).
    Kernel,
    /// Its first branch is for userspace (`#ifndef __KERNEL__`).
    NotKernel,
    /// Anything else.
    Other,
}

/// Reads the directives among the lexer's `tokens` of `text`.
pub fn scan(text: &str, tokens: &[Token]) -> Directives {
    let mut d = Directives {
        only_directives: true,
        ..Directives::default()
    };
    // Open groups: how each depends on `__KERNEL__`, and whether it is in
    // its `#else`.
    let mut groups: Vec<(Cond, bool)> = Vec::new();
    let mut user_from: Option<usize> = None;
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        match t.kind {
            Kind::Hash => {}
            Kind::LineComment | Kind::BlockComment => {
                k += 1;
                continue;
            }
            _ => {
                d.only_directives = false;
                k += 1;
                continue;
            }
        }
        let start = t.start;
        let end_k = tokens[k..]
            .iter()
            .position(|t| t.kind == Kind::DirectiveEnd)
            .map_or(tokens.len(), |e| k + e);
        let end = tokens.get(end_k).map_or(text.len(), |t| t.start);
        d.spans.push((start, end));
        let words: Vec<&str> = tokens[k + 1..end_k]
            .iter()
            .filter(|t| !t.is_comment())
            .map(|t| t.text(text))
            .collect();
        match words.as_slice() {
            ["include", ..] => {
                let after = tokens[k + 1].end;
                let target = crate::tree::clean(&text[after..end]);
                if !target.is_empty() {
                    d.includes.push(target);
                }
            }
            ["ifdef", "__KERNEL__"] | ["if", "defined", "__KERNEL__"] => {
                groups.push((Cond::Kernel, false))
            }
            ["if", "defined", "(", "__KERNEL__", ")"] => groups.push((Cond::Kernel, false)),
            ["ifndef", "__KERNEL__"]
            | ["if", "!", "defined", "__KERNEL__"]
            | ["if", "!", "defined", "(", "__KERNEL__", ")"] => {
                groups.push((Cond::NotKernel, false))
            }
            ["if" | "ifdef" | "ifndef", ..] => groups.push((Cond::Other, false)),
            ["elif" | "elifdef" | "elifndef", ..] => {
                if let Some(g) = groups.last_mut() {
                    // Which branch of `__KERNEL__` an `#elif` is on is not worth
                    // guessing: neither side is said to be userspace.
                    *g = (Cond::Other, true);
                }
            }
            ["else", ..] => {
                if let Some(g) = groups.last_mut() {
                    g.1 = true;
                }
            }
            ["endif", ..] => {
                groups.pop();
            }
            _ => {}
        }
        let user = groups.iter().any(|&(cond, in_else)| {
            (cond == Cond::NotKernel && !in_else) || (cond == Cond::Kernel && in_else)
        });
        match (user, user_from) {
            (true, None) => user_from = Some(end),
            (false, Some(from)) => {
                d.user_only.push((from, start));
                user_from = None;
            }
            _ => {}
        }
        k = end_k + 1;
    }
    if let Some(from) = user_from {
        d.user_only.push((from, text.len()));
    }
    d
}

/// Whether the line starting at byte `next_line` holds a `#define`: the
/// macro ending just before it then starts a run, and a plain comment
/// above it heads the run instead of documenting it (§5a).
pub fn define_follows(text: &str, next_line: usize) -> bool {
    let rest = text
        .get(next_line..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t']);
    rest.strip_prefix('#')
        .is_some_and(|r| r.trim_start_matches([' ', '\t']).starts_with("define"))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The parameters of a function-like macro as written between its
/// parentheses: names, `...` or GNU `args...`.
pub fn macro_params(inside: &str) -> Vec<String> {
    inside
        .split(',')
        .map(crate::tree::clean)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The facts of `text`, which holds only preprocessor lines and comments
/// (`directives.only_directives`).
pub fn extract_directives_only(
    path: &str,
    text: &str,
    tokens: &[Token],
    directives: Directives,
) -> FileFacts {
    let src = text.as_bytes();
    let comments = Comments::new(text, tokens);
    let mut facts = FileFacts {
        path: path.to_string(),
        n_lines: text.lines().count() as u32,
        includes: directives.includes,
        ..FileFacts::default()
    };
    let mut line = 1u32;
    let mut counted_to = 0usize;
    for (start, end) in directives.spans {
        line += src[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32;
        counted_to = start;
        let directive = &src[start..end];
        let mut i = 1;
        while i < directive.len() && matches!(directive[i], b' ' | b'\t') {
            i += 1;
        }
        if !directive[i..].starts_with(b"define") {
            continue;
        }
        i += "define".len();
        let name_start = i + directive[i..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if name_start == i {
            continue;
        }
        let name_end = name_start
            + directive[name_start..]
                .iter()
                .take_while(|&&b| is_ident(b))
                .count();
        if name_end == name_start {
            continue;
        }
        let mut head_end = name_end;
        let params = (directive.get(name_end) == Some(&b'(')).then(|| {
            let close = directive[name_end..]
                .iter()
                .position(|&b| b == b')')
                .map_or(directive.len(), |k| name_end + k);
            head_end = (close + 1).min(directive.len());
            macro_params(&text[start + name_end + 1..start + close])
        });
        let name_line = line
            + src[start..start + name_start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
        let name = &text[start + name_start..start + name_end];
        let doc = comments.doc(&Site {
            starts_run: define_follows(text, end + 1),
            ..Site::new(
                DeclKind::Macro,
                name,
                (start, line),
                (start + name_end, name_line),
            )
        });
        let name = name.to_string();
        facts.macros.push(MacroFact {
            is_errno: crate::idioms::is_errno(&name, path),
            value: crate::macros::macro_value(&text[start + head_end..end]).map(Box::new),
            specifiers: crate::macros::macro_specifiers(&text[start + head_end..end]),
            name,
            line: name_line,
            params,
            doc: doc.map(Box::new),
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path's facts, when `text` qualifies for it.
    fn fast(path: &str, text: &str) -> Option<FileFacts> {
        let tokens = crate::lex::tokenize(text);
        let d = scan(text, &tokens);
        d.only_directives
            .then(|| extract_directives_only(path, text, &tokens, d))
    }

    #[test]
    fn includes_and_userspace_ranges() {
        let text = "#include <linux/slab.h>\n#include \"slab.h\" /* local */\n\
#ifndef __KERNEL__\nstruct u { int a; };\n#else\nstruct k { int a; };\n#endif\n\
#ifdef __KERNEL__\nint k2;\n#else\nint u2;\n#endif\n\
#if !defined(__KERNEL__)\nint u3;\n#elif X\nint k3;\n#endif\nint k4;\n";
        let d = scan(text, &crate::lex::tokenize(text));
        assert_eq!(d.includes, ["<linux/slab.h>", "\"slab.h\""]);
        let user = |name: &str| d.is_user_only(text.find(name).unwrap());
        for name in ["struct u", "int u2", "int u3"] {
            assert!(user(name), "{name}");
        }
        for name in ["struct k", "int k2", "int k3", "int k4"] {
            assert!(!user(name), "{name}");
        }
    }

    #[test]
    fn only_directives_and_comments() {
        let text = "/* header */\n#ifndef X\n#define A 1 /* the a */\n/* the f */\n#define F(x, ...) g(x)\n\n#  define CONT(a) \\\n\tdo_it(a)\n#endif\n";
        let facts = fast("x.h", text).unwrap();
        let outline = facts.outline();
        assert_eq!(
            outline,
            "macro A  x.h:3  doc: the a\nmacro F(x, ...)  x.h:5  doc: the f\nmacro CONT(a)  x.h:7\n"
        );
        assert!(fast("y.h", "#define A 1\nint x;\n").is_none());
    }

    /// The fast path and tree-sitter agree on every directive-only file of
    /// the Linux fixture that tree-sitter parses without error. Where it errs
    /// the fast path is the better one: tree-sitter loses the rest of
    /// `i915_pciids.h` after one macro, and reads a continuation line after
    /// a comment in `vmlinux.lds.h` as a new macro.
    #[test]
    fn agrees_with_tree_sitter_on_fixture_headers() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/linux-5.5.9");
        if !root.is_dir() {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "../shared/fixtures missing under CI=true"
            );
            eprintln!("skipped: ../shared/fixtures is absent");
            return;
        }
        let mut stack = vec![root.clone()];
        let mut n_checked = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "h") {
                    continue;
                }
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let Some(fast) = fast(&rel, &text) else {
                    continue;
                };
                let tokens = crate::lex::tokenize(&text);
                let parsed =
                    crate::extract_parsed(&rel, &text, tokens.clone(), &scan(&text, &tokens));
                if parsed.n_syntax_errors > 0 {
                    continue;
                }
                assert_eq!(fast.macros, parsed.macros, "{rel}");
                assert!(
                    parsed.functions.is_empty() && parsed.records.is_empty(),
                    "{rel}"
                );
                n_checked += 1;
            }
        }
        assert!(n_checked > 100, "only {n_checked} directive-only headers");
    }
}
