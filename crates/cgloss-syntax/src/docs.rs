//! Comments and the documentation they carry: a byte scanner finds every
//! comment with its position relative to code, and `Comments` answers
//! "which comment documents the declaration at this place" by the rules of
//! RENDERING.md §5 (kernel-doc, trailing, leading, file header excluded).

use cgloss_facts::Doc;

use crate::lex::{Kind, Token};

/// One comment (consecutive own-line `//` comments are merged into one).
#[derive(Clone, Debug)]
pub struct Comment {
    /// Byte offset of its first byte.
    pub start: usize,
    /// Byte offset after its last byte.
    pub end: usize,
    /// First line (1-based).
    pub start_line: u32,
    /// Last line (1-based).
    pub end_line: u32,
    /// Code stands before it on its first line.
    pub code_before: bool,
    /// Code stands after it on its last line.
    pub code_after: bool,
}

/// All comments of a file, in order, with the queries the extractor needs.
pub struct Comments<'a> {
    text: &'a str,
    list: Vec<Comment>,
}

impl<'a> Comments<'a> {
    /// Finds every comment of `text` with the lexer, noting whether code
    /// stands before it on its first line or after it on its last.
    #[cfg(test)]
    pub fn scan(text: &'a str) -> Comments<'a> {
        Comments::new(text, &crate::lex::tokenize(text))
    }

    /// `scan` with the lexer's tokens of `text` at hand.
    pub fn new(text: &'a str, tokens: &[Token]) -> Comments<'a> {
        let b = text.as_bytes();
        let mut list: Vec<Comment> = Vec::new();
        // End line of the last code token (a directive's `#` counts as code).
        let mut code_line = 0u32;
        // Comments whose `code_after` waits for the next code token.
        let mut open_from = 0usize;
        for &t in tokens {
            match t.kind {
                Kind::DirectiveEnd => continue,
                Kind::LineComment | Kind::BlockComment => {}
                _ => {
                    for c in &mut list[open_from..] {
                        c.code_after |= c.end_line == t.line;
                    }
                    open_from = list.len();
                    code_line = match t.kind {
                        Kind::Str | Kind::Char => crate::lex::end_line(text, &t),
                        _ => t.line,
                    };
                    continue;
                }
            }
            let comment = Comment {
                start: t.start,
                end: t.end,
                start_line: t.line,
                end_line: crate::lex::end_line(text, &t),
                code_before: code_line == t.line,
                code_after: false,
            };
            let merge = match list.last() {
                Some(prev) => {
                    t.kind == Kind::LineComment
                        && b[prev.start..].starts_with(b"//")
                        && prev.end_line + 1 == comment.start_line
                        && !prev.code_before
                        && !comment.code_before
                        && list.len() > open_from
                }
                None => false,
            };
            if merge {
                let prev = list.last_mut().expect("checked above");
                prev.end = comment.end;
                prev.end_line = comment.end_line;
            } else {
                list.push(comment);
            }
        }
        Comments { text, list }
    }

    /// The comments in order.
    #[cfg(test)]
    pub fn all(&self) -> &[Comment] {
        &self.list
    }

    /// The last comment that ends at or before byte `pos`.
    fn last_before(&self, pos: usize) -> Option<&Comment> {
        let k = self.list.partition_point(|c| c.end <= pos);
        k.checked_sub(1).map(|k| &self.list[k])
    }

    fn only_space_between(&self, a: usize, b: usize) -> bool {
        a <= b
            && self.text.as_bytes()[a..b]
                .iter()
                .all(u8::is_ascii_whitespace)
    }

    fn is_file_header(&self, c: &Comment) -> bool {
        if c.start_line == 1 {
            return true;
        }
        let body = &self.text[c.start..c.end];
        body.contains("SPDX-License-Identifier") || body.to_ascii_lowercase().contains("copyright")
    }

    /// The kernel-doc comment (`/** … */`) directly before byte `pos`
    /// (blank lines allowed between).
    pub fn kernel_doc_before(&self, pos: usize) -> Option<Doc> {
        let c = self.last_before(pos)?;
        let body = &self.text[c.start..c.end];
        if !body.starts_with("/**") || body.starts_with("/***") || c.code_after {
            return None;
        }
        if !self.only_space_between(c.end, pos) {
            return None;
        }
        parse_kernel_doc(&strip_markers(body))
    }

    /// A plain comment standing on lines of its own that ends on the line
    /// directly above `line` (the declaration starting at byte `pos`).
    pub fn leading(&self, pos: usize, line: u32) -> Option<Doc> {
        let c = self.last_before(pos)?;
        if c.end_line + 1 != line || c.code_before || c.code_after {
            return None;
        }
        if !self.only_space_between(c.end, pos) || self.is_file_header(c) {
            return None;
        }
        plain_doc(&self.text[c.start..c.end])
    }

    /// A comment that trails code on line `line`, starting at or after byte
    /// `after`.
    pub fn trailing(&self, after: usize, line: u32) -> Option<Doc> {
        let k = self.list.partition_point(|c| c.start < after);
        let c = self.list.get(k)?;
        if c.start_line != line || !c.code_before {
            return None;
        }
        plain_doc(&self.text[c.start..c.end])
    }
}

/// Removes `/*`, `*/`, `//` and the leading ` * ` of each line; keeps lines.
pub fn strip_markers(comment: &str) -> String {
    let mut lines = Vec::new();
    if comment.starts_with("//") {
        for l in comment.lines() {
            let l = l.trim_start();
            let l = l.strip_prefix("//").unwrap_or(l);
            lines.push(l.strip_prefix(' ').unwrap_or(l).trim_end().to_string());
        }
    } else {
        let inner = comment.trim_start_matches("/*").trim_start_matches('*');
        let inner = inner.strip_suffix("*/").unwrap_or(inner);
        for (k, l) in inner.lines().enumerate() {
            let t = l.trim_start();
            let t = if k > 0 {
                match t.strip_prefix('*') {
                    Some(rest) if !rest.starts_with('/') => rest.strip_prefix(' ').unwrap_or(rest),
                    _ => t,
                }
            } else {
                t
            };
            lines.push(t.trim_end().trim_end_matches('*').trim_end().to_string());
        }
    }
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn plain_doc(comment: &str) -> Option<Doc> {
    let text = strip_markers(comment);
    let summary = collapse(&text);
    if summary.is_empty() {
        return None;
    }
    Some(Doc {
        summary,
        text,
        params: Vec::new(),
    })
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A section header of a kernel-doc comment (`Return:`, `Context:`).
fn is_section(line: &str) -> bool {
    let Some((head, _)) = line.split_once(':') else {
        return false;
    };
    !head.is_empty()
        && head.len() < 20
        && head.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && head.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
}

/// Parses a kernel-doc body (markers already stripped). A `/**` comment not
/// in `name - summary` form is taken as a plain comment.
pub fn parse_kernel_doc(text: &str) -> Option<Doc> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.first()?.trim();
    if first.starts_with("DOC:") {
        return None;
    }
    // `name - summary`, also written `name -- summary` or with tabs: the
    // earliest separator wins.
    let head = [" - ", " -- ", "\t- ", " -\t", "\t-\t"]
        .iter()
        .filter_map(|sep| first.find(sep).map(|at| (at, sep.len())))
        .min()
        .map(|(at, len)| (&first[..at], &first[at + len..]));
    let Some((name, rest)) = head.filter(|(name, _)| {
        let name = name.trim();
        !name.is_empty() && name.split_whitespace().count() <= 2 && !name.starts_with('@')
    }) else {
        let summary = collapse(text);
        return (!summary.is_empty()).then(|| Doc {
            summary,
            text: text.to_string(),
            params: Vec::new(),
        });
    };
    let _ = name;
    let mut summary = rest.trim().to_string();
    let mut k = 1;
    while k < lines.len() {
        let l = lines[k].trim();
        if l.is_empty() || l.starts_with('@') || is_section(l) {
            break;
        }
        summary.push(' ');
        summary.push_str(l);
        k += 1;
    }
    let mut params: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for l in &lines[k..] {
        let t = l.trim();
        if let Some(rest) = t.strip_prefix('@') {
            if let Some((pname, ptext)) = rest.split_once(':') {
                if let Some(p) = current.take() {
                    params.push(p);
                }
                current = Some((pname.trim().to_string(), ptext.trim().to_string()));
                continue;
            }
        }
        if t.is_empty() || is_section(t) {
            if let Some(p) = current.take() {
                params.push(p);
            }
            continue;
        }
        if let Some((_, ptext)) = current.as_mut() {
            ptext.push(' ');
            ptext.push_str(t);
        }
    }
    if let Some(p) = current.take() {
        params.push(p);
    }
    Some(Doc {
        summary: collapse(&summary),
        text: text.to_string(),
        params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_doc_summary_and_params() {
        let c = "/**\n * userfaultfd_ctx_get - Acquires a reference to the internal userfaultfd\n * context.\n * @ctx: [in] Pointer to the userfaultfd context.\n *\n * Return: nothing\n */";
        let doc = parse_kernel_doc(&strip_markers(c)).unwrap();
        assert_eq!(
            doc.summary,
            "Acquires a reference to the internal userfaultfd context."
        );
        assert_eq!(
            doc.param("ctx"),
            Some("[in] Pointer to the userfaultfd context.")
        );
    }

    #[test]
    fn double_dash_separator() {
        let doc = parse_kernel_doc(
            "list_is_first -- tests whether @list is the first entry\n@list: the entry to test",
        )
        .unwrap();
        assert_eq!(doc.summary, "tests whether @list is the first entry");
        assert_eq!(doc.param("list"), Some("the entry to test"));
    }

    #[test]
    fn function_style_name() {
        let doc = parse_kernel_doc(
            "mmgrab() - Pin a &struct mm_struct.\n@mm: The &struct mm_struct to pin.",
        )
        .unwrap();
        assert_eq!(doc.summary, "Pin a &struct mm_struct.");
        assert_eq!(doc.param("mm"), Some("The &struct mm_struct to pin."));
    }

    #[test]
    fn trailing_and_leading() {
        let src = "struct s {\n\t/* lead */\n\tint a;\n\tint b; /* trail */\n\tint c;\n};\n";
        let comments = Comments::scan(src);
        let a = src.find("int a").unwrap();
        assert_eq!(comments.leading(a, 3).unwrap().summary, "lead");
        let b_end = src.find("int b;").unwrap() + 6;
        assert_eq!(comments.trailing(b_end, 4).unwrap().summary, "trail");
        let c = src.find("int c").unwrap();
        assert!(
            comments.leading(c, 5).is_none(),
            "a trailing comment documents nothing below"
        );
    }

    #[test]
    fn header_comment_is_not_a_doc() {
        let src = "/* Copyright 2020 */\nint f(void);\n";
        let comments = Comments::scan(src);
        assert!(comments.leading(src.find("int").unwrap(), 2).is_none());
    }

    #[test]
    fn merged_line_comments() {
        let src = "int a;\n// one\n// two\nint x;\n";
        let comments = Comments::scan(src);
        assert_eq!(comments.all().len(), 1);
        assert_eq!(
            comments
                .leading(src.find("int x").unwrap(), 4)
                .unwrap()
                .summary,
            "one two"
        );
    }
}
