//! The fast path for files made only of preprocessor lines and comments
//! (register maps, constant tables: a third of the kernel's bytes): their
//! macros are read with a line scanner, no syntax tree needed. The result is
//! the same as tree-sitter's (a test checks it on the fixture headers).

use cgloss_facts::{FileFacts, MacroFact};

use crate::docs::Comments;
use crate::lex::{Kind, Lexer};

/// The `#` offset and end (exclusive, before the newline) of every directive
/// line of `src`, or `None` as soon as anything else than a directive, a
/// comment or blank space appears.
fn directive_spans(src: &str) -> Option<Vec<(usize, usize)>> {
    let mut spans = Vec::new();
    let mut open = None;
    for t in Lexer::new(src) {
        match t.kind {
            Kind::Hash => open = Some(t.start),
            Kind::DirectiveEnd => spans.push((open.take()?, t.start)),
            Kind::LineComment | Kind::BlockComment => {}
            _ if open.is_some() => {}
            _ => return None,
        }
    }
    Some(spans)
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

/// The facts of `text` when it holds only preprocessor lines and comments.
pub fn extract_directives_only(path: &str, text: &str) -> Option<FileFacts> {
    let src = text.as_bytes();
    let spans = directive_spans(text)?;
    let comments = Comments::scan(text);
    let mut facts = FileFacts {
        path: path.to_string(),
        n_lines: text.lines().count() as u32,
        ..FileFacts::default()
    };
    let mut line = 1u32;
    let mut counted_to = 0usize;
    for (start, end) in spans {
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
        let doc = comments
            .kernel_doc_before(start)
            .or_else(|| comments.leading(start, line))
            .or_else(|| comments.trailing(start + name_end, name_line));
        let name = text[start + name_start..start + name_end].to_string();
        facts.macros.push(MacroFact {
            is_errno: crate::idioms::is_errno(&name, path),
            value: crate::macros::macro_value(&text[start + head_end..end]),
            name,
            line: name_line,
            params,
            doc: doc.map(Box::new),
        });
    }
    Some(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_directives_and_comments() {
        let text = "/* header */\n#ifndef X\n#define A 1 /* the a */\n/* the f */\n#define F(x, ...) g(x)\n#  define CONT(a) \\\n\tdo_it(a)\n#endif\n";
        let facts = extract_directives_only("x.h", text).unwrap();
        let outline = facts.outline();
        assert_eq!(
            outline,
            "macro A  x.h:3  doc: the a\nmacro F(x, ...)  x.h:5  doc: the f\nmacro CONT(a)  x.h:6\n"
        );
        assert!(extract_directives_only("y.h", "#define A 1\nint x;\n").is_none());
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
                let Some(fast) = extract_directives_only(&rel, &text) else {
                    continue;
                };
                let parsed = crate::extract_parsed(&rel, &text);
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
