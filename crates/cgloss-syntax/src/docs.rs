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
    /// The line of the last code token before it.
    pub code_line_before: u32,
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
                code_line_before: code_line,
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

    /// The documentation of a declaration, by the one attachment order of
    /// RENDERING.md §5 and §5a:
    ///
    /// - members, macros and enum constants: a trailing comment on the
    ///   declaration's line, then the `@name:` entry of the enclosing
    ///   kernel-doc, then a comment directly above (not when it heads a
    ///   run of two or more macros, enum constants or members with no
    ///   blank line or comment between, unless it begins with the declared
    ///   name);
    /// - functions, prototypes, structs, unions, enums, typedefs and
    ///   globals: kernel-doc (or a `/* name - summary` comment naming the
    ///   declaration), then a comment directly above; typedefs and globals
    ///   then take a trailing comment.
    ///
    /// A comment documents nothing when it trails code or a directive and
    /// stands above, is the file's header or licence, is only a path or
    /// punctuation, or ends with `:` (a heading).
    pub fn doc(&self, site: &Site) -> Option<Doc> {
        let trailing = || self.trailing(site.trail_from, site.trail_line);
        let above = || {
            self.kernel_doc_before(site.start, site.name, site.start_line)
                .or_else(|| self.leading(site.start, site.start_line))
        };
        match site.kind {
            DeclKind::Member | DeclKind::Macro | DeclKind::EnumConst => trailing()
                .or_else(|| site.parent.and_then(|d| d.param(site.name)).map(param_doc))
                .or_else(|| {
                    // Above a run it heads the run — unless it names the
                    // first entry (`/* PAGE_SHIFT determines the page size */`).
                    let doc = above()?;
                    let names_it = doc
                        .summary
                        .strip_prefix(site.name)
                        .is_some_and(|rest| rest.starts_with([' ', '(', ':', ',']));
                    (doc.kernel_doc || !site.starts_run || names_it).then_some(doc)
                }),
            DeclKind::Function | DeclKind::Prototype | DeclKind::Tag => above(),
            DeclKind::Typedef | DeclKind::Global => above().or_else(trailing),
        }
    }

    /// The kernel-doc comment (`/** … */`) directly before byte `pos`
    /// (blank lines allowed between); or a plain `/* name - summary …`
    /// comment that names `name`, directly above `line` or one blank line
    /// above it.
    fn kernel_doc_before(&self, pos: usize, name: &str, line: u32) -> Option<Doc> {
        let c = self.last_before(pos)?;
        let body = &self.text[c.start..c.end];
        if c.code_after || !self.only_space_between(c.end, pos) {
            return None;
        }
        if body.starts_with("/**") && !body.starts_with("/***") {
            return parse_kernel_doc_of(&strip_markers(body), Some(name));
        }
        let near = c.end_line + 1 == line || c.end_line + 2 == line;
        if !body.starts_with("/*") || c.code_before || !near || name.is_empty() {
            return None;
        }
        let text = strip_markers(body);
        let first = text.lines().next().unwrap_or("").trim();
        let named = kernel_doc_head(first, None)
            .is_some_and(|(head, _)| head == name || head.strip_suffix("()") == Some(name));
        if !named {
            return None;
        }
        parse_kernel_doc_of(&text, Some(name)).filter(|d| d.kernel_doc)
    }

    /// A plain comment standing on lines of its own that ends on the line
    /// directly above `line` (the declaration starting at byte `pos`) — not
    /// one that continues, indented deeper, under the declaration before
    /// (`unsigned long qsmaskinit;` then `/* … */` lines below it).
    fn leading(&self, pos: usize, line: u32) -> Option<Doc> {
        let k = self.list.partition_point(|c| c.end <= pos).checked_sub(1)?;
        let c = &self.list[k];
        if c.end_line + 1 != line || c.code_before || c.code_after {
            return None;
        }
        if !self.only_space_between(c.end, pos) || self.is_file_header(c) {
            return None;
        }
        // The first comment of a stack of own-line comments ending here.
        let mut first = k;
        while first > 0 {
            let (above, this) = (&self.list[first - 1], &self.list[first]);
            if above.end_line + 1 != this.start_line || above.code_before || above.code_after {
                break;
            }
            first -= 1;
        }
        let top = &self.list[first];
        let column = |at: usize| at - self.text[..at].rfind('\n').map_or(0, |n| n + 1);
        if top.code_line_before + 1 == top.start_line && column(top.start) > column(pos) {
            return None;
        }
        plain_doc(&self.text[c.start..c.end])
    }

    /// A comment that trails code on line `line`, starting at or after byte
    /// `after`.
    fn trailing(&self, after: usize, line: u32) -> Option<Doc> {
        let k = self.list.partition_point(|c| c.start < after);
        let c = self.list.get(k)?;
        if c.start_line != line || !c.code_before {
            return None;
        }
        plain_doc(&self.text[c.start..c.end])
    }
}

/// What a declaration is, for the order in which comments document it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    /// A function definition.
    Function,
    /// A function declaration.
    Prototype,
    /// A struct, union or enum.
    Tag,
    /// A typedef.
    Typedef,
    /// A file-scope variable.
    Global,
    /// A `#define`.
    Macro,
    /// An enumeration constant.
    EnumConst,
    /// A struct or union member.
    Member,
}

/// Where a declaration stands, as far as its documentation is concerned.
#[derive(Clone, Copy, Debug)]
pub struct Site<'n> {
    /// What it is.
    pub kind: DeclKind,
    /// The declared name.
    pub name: &'n str,
    /// First byte of the declaration (specifiers included).
    pub start: usize,
    /// Its first line.
    pub start_line: u32,
    /// Where a trailing comment may start…
    pub trail_from: usize,
    /// …and the line it must start on.
    pub trail_line: u32,
    /// The kernel-doc of the enclosing struct or enum (for `@name:`).
    pub parent: Option<&'n Doc>,
    /// The next declaration of the same kind starts on the next line
    /// (macros, enum constants): a plain comment above is a heading.
    pub starts_run: bool,
}

impl<'n> Site<'n> {
    /// A declaration of `kind` named `name` from byte `start` (line
    /// `start_line`) whose trailing comment would start after byte
    /// `trail_from` on line `trail_line`.
    pub fn new(
        kind: DeclKind,
        name: &'n str,
        (start, start_line): (usize, u32),
        (trail_from, trail_line): (usize, u32),
    ) -> Site<'n> {
        Site {
            kind,
            name,
            start,
            start_line,
            trail_from,
            trail_line,
            parent: None,
            starts_run: false,
        }
    }
}

fn param_doc(text: &str) -> Doc {
    Doc {
        summary: collapse(text),
        text: text.to_string(),
        params: Vec::new(),
        kernel_doc: true,
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
            // A box border's stars go; a wildcard's star stays (`SD_*`).
            let t = t.trim_end();
            let stars = t.trim_end_matches('*');
            let wildcard = t.len() - stars.len() == 1
                && stars.ends_with(|c: char| c.is_alphanumeric() || c == '_');
            let t = if wildcard { t } else { stars.trim_end() };
            lines.push(t.to_string());
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
    if !is_documentation(&summary) {
        return None;
    }
    Some(Doc {
        summary,
        text,
        params: Vec::new(),
        kernel_doc: false,
    })
}

/// Whether a plain comment's text documents anything: not empty, not only
/// punctuation, not only a path or file name (`fs/dcache.c`, `-- mpiutil.c
/// --`), not a licence line, not a heading (ending with `:`).
fn is_documentation(summary: &str) -> bool {
    let words: Vec<&str> = summary
        .split_whitespace()
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
        .collect();
    let path_only = match words.as_slice() {
        [one] => {
            let w = one.trim_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
            let ext = w.rsplit_once('.').map(|(_, e)| e);
            w.contains('/')
                || matches!(
                    ext,
                    Some("c" | "h" | "S" | "s" | "rs" | "py" | "sh" | "lds")
                )
        }
        _ => false,
    };
    !words.is_empty()
        && !path_only
        && !summary.trim_end().ends_with(':')
        && !summary.contains("SPDX-License-Identifier")
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
    parse_kernel_doc_of(text, None)
}

/// The `name` and the rest of a kernel-doc first line `name - summary`
/// (also `name -- summary`, tabs around the dash, `name() - summary`); with
/// `declared`, also `declared: summary` and `declared(): summary`.
fn kernel_doc_head<'t>(first: &'t str, declared: Option<&'t str>) -> Option<(&'t str, &'t str)> {
    let dashed = [" - ", " -- ", "\t- ", " -\t", "\t-\t", "\t-- "]
        .iter()
        .filter_map(|sep| first.find(sep).map(|at| (at, sep.len())))
        .min()
        .map(|(at, len)| (first[..at].trim(), &first[at + len..]))
        .filter(|(name, _)| {
            !name.is_empty() && name.split_whitespace().count() <= 2 && !name.starts_with('@')
        });
    dashed.or_else(|| {
        let declared = declared.filter(|d| !d.is_empty())?;
        let rest = first.strip_prefix(declared)?;
        let rest = rest.strip_prefix("()").unwrap_or(rest).strip_prefix(':')?;
        Some((declared, rest))
    })
}

/// `parse_kernel_doc` for the comment of a declaration named `declared`.
fn parse_kernel_doc_of(text: &str, declared: Option<&str>) -> Option<Doc> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.first()?.trim();
    if first.starts_with("DOC:") {
        return None;
    }
    let Some((_, rest)) = kernel_doc_head(first, declared) else {
        let summary = collapse(text);
        return is_documentation(&summary).then(|| Doc {
            summary,
            text: text.to_string(),
            params: Vec::new(),
            kernel_doc: false,
        });
    };
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
        kernel_doc: true,
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
    fn colon_separator_for_the_declared_name() {
        let doc = parse_kernel_doc_of(
            "match_number: scan a number\n@s: the string",
            Some("match_number"),
        )
        .unwrap();
        assert_eq!(doc.summary, "scan a number");
        assert_eq!(doc.param("s"), Some("the string"));
        let doc = parse_kernel_doc_of("Note: not a name", Some("f")).unwrap();
        assert!(!doc.kernel_doc);
    }

    #[test]
    fn one_star_comment_naming_its_declaration() {
        let src = "/*\n * for_each_x\t-\titerate\n * @pos: cursor\n */\n#define for_each_x(pos) f(pos)\n\n/*\n * setup - arch setup\n */\n\nvoid setup(void) {}\n/* other - not this one */\nint y;\n";
        let c = Comments::scan(src);
        let at = |s: &str| {
            (
                src.find(s).unwrap(),
                src[..src.find(s).unwrap()].matches('\n').count() as u32 + 1,
            )
        };
        let doc = |kind, name, s: &str| c.doc(&Site::new(kind, name, at(s), at(s)));
        let m = doc(DeclKind::Macro, "for_each_x", "#define").unwrap();
        assert_eq!((m.summary.as_str(), m.kernel_doc), ("iterate", true));
        assert_eq!(m.param("pos"), Some("cursor"));
        let f = doc(DeclKind::Function, "setup", "void setup").unwrap();
        assert_eq!(f.summary, "arch setup", "across one blank line");
        let y = doc(DeclKind::Global, "y", "int y").unwrap();
        assert!(!y.kernel_doc, "a plain comment naming something else");
    }

    #[test]
    fn headings_and_non_docs() {
        let src = "/* Epoll event masks */\n#define EPOLLIN 1\n#define EPOLLPRI 2\n/* PAGE_SHIFT is the shift */\n#define PAGE_SHIFT 12\n#define PAGE_SIZE 4096\n/* Used in tsk->state: */\n#define TASK_RUNNING 0\n\n/* fs/dcache.c */\nint a;\n/* -- mpiutil.c -- */\nint b;\n/* --- */\nint c;\n#define CSIGNAL 0xff /* signal mask */\n";
        let c = Comments::scan(src);
        let at = |s: &str| {
            (
                src.find(s).unwrap(),
                src[..src.find(s).unwrap()].matches('\n').count() as u32 + 1,
            )
        };
        let doc = |kind, name: &str, s: &str, run: bool| {
            let (start, line) = at(s);
            c.doc(&Site {
                starts_run: run,
                ..Site::new(kind, name, (start, line), (start + s.len(), line))
            })
            .map(|d| d.summary)
        };
        assert_eq!(
            doc(DeclKind::Macro, "EPOLLIN", "#define EPOLLIN", true),
            None
        );
        assert_eq!(
            doc(
                DeclKind::Macro,
                "TASK_RUNNING",
                "#define TASK_RUNNING",
                false
            ),
            None
        );
        for (name, s) in [("a", "int a"), ("b", "int b"), ("c", "int c")] {
            assert_eq!(doc(DeclKind::Global, name, s, false), None, "{name}");
        }
        assert_eq!(
            doc(DeclKind::Macro, "CSIGNAL", "#define CSIGNAL", false).as_deref(),
            Some("signal mask")
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
    fn comments_under_a_member_are_not_the_next_ones() {
        let src = "struct n {\n\tunsigned long a;\n\t\t\t/* for a, */\n\t\t\t/* continued. */\n\tunsigned long b;\n\t/* for c */\n\tint c;\n};\n";
        let c = Comments::scan(src);
        let at = |s: &str| {
            (
                src.find(s).unwrap(),
                src[..src.find(s).unwrap()].matches('\n').count() as u32 + 1,
            )
        };
        let (b, bl) = at("unsigned long b");
        assert!(c.leading(b, bl).is_none());
        let (cc, cl) = at("int c");
        assert_eq!(c.leading(cc, cl).unwrap().summary, "for c");
        assert_eq!(strip_markers("/* See SD_* */"), "See SD_*");
        assert_eq!(strip_markers("/* box **\n * line *\n */"), "box\nline");
        assert_eq!(
            strip_markers("/*-*******\n*  Constants\n*********/"),
            "-\n Constants"
        );
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
