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
    ///   declaration's line (for members and enum constants also a Doxygen
    ///   `/**<` / `///<` comment alone on the next line), then the `@name:`
    ///   entry of the enclosing kernel-doc, then a comment directly above
    ///   (not when it heads a run of two or more macros, enum constants or
    ///   members with no blank line or comment between, unless it begins
    ///   with the declared name);
    /// - functions, prototypes, structs, unions, enums, typedefs and
    ///   globals: kernel-doc or Doxygen with commands (or a `/* name -
    ///   summary` comment naming the declaration), then a Doxygen `/*!<`
    ///   comment trailing it, then a comment directly above; typedefs and
    ///   globals then take a trailing comment.
    ///
    /// Kernel-doc and Doxygen comments are read into the same `Doc` fields
    /// (`parse_kernel_doc_of`). A comment documents nothing when it trails
    /// code or a directive and stands above, is a `/**<` comment (it
    /// documents what comes before it), is the file's header or licence,
    /// is only a path or punctuation, or ends with `:` (a heading).
    pub fn doc(&self, site: &Site) -> Option<Doc> {
        let trailing = || self.trailing(site.trail_from, site.trail_line);
        let above = || {
            self.kernel_doc_before(site.start, site.name, site.start_line)
                .or_else(|| self.leading(site.start, site.start_line))
        };
        // A Doxygen `/**<` comment after the declaration names it explicitly.
        let documents_before = || self.documents_before(site);
        match site.kind {
            DeclKind::Member | DeclKind::Macro | DeclKind::EnumConst => trailing()
                .or_else(documents_before)
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
            DeclKind::Function
            | DeclKind::Prototype
            | DeclKind::Tag
            | DeclKind::Typedef
            | DeclKind::Global => {
                let above = above();
                if above.as_ref().is_some_and(|d| d.kernel_doc) {
                    return above;
                }
                let above = documents_before().or(above);
                match site.kind {
                    DeclKind::Typedef | DeclKind::Global => above.or_else(trailing),
                    _ => above,
                }
            }
        }
    }

    /// A Doxygen "document the declaration before" comment (`/**<`, `/*!<`,
    /// `///<`, `//!<`) trailing the declaration on its last line — or, for
    /// members and enum constants, standing alone on the next line with
    /// only `;` or `,` between.
    fn documents_before(&self, site: &Site) -> Option<Doc> {
        let k = self.list.partition_point(|c| c.start < site.trail_from);
        let c = self.list.get(k)?;
        let body = &self.text[c.start..c.end];
        if !is_back_doc(body) {
            return None;
        }
        let same_line = c.start_line == site.trail_line && c.code_before;
        let next_line = matches!(site.kind, DeclKind::Member | DeclKind::EnumConst)
            && c.start_line == site.trail_line + 1
            && !c.code_before
            && self.text.as_bytes()[site.trail_from..c.start]
                .iter()
                .all(|b| b.is_ascii_whitespace() || matches!(b, b';' | b','));
        if !same_line && !next_line {
            return None;
        }
        plain_doc(body)
    }

    /// The kernel-doc comment (`/** … */`) directly before byte `pos`
    /// (blank lines allowed between); or a plain `/* name - summary …`
    /// comment that names `name`, directly above `line` or one blank line
    /// above it.
    fn kernel_doc_before(&self, pos: usize, name: &str, line: u32) -> Option<Doc> {
        let c = self.last_before(pos)?;
        let body = &self.text[c.start..c.end];
        if c.code_after || is_back_doc(body) || !self.only_space_between(c.end, pos) {
            return None;
        }
        if is_doc_opener(body) {
            return parse_kernel_doc_of(&strip_markers(body), Some(name));
        }
        let near = c.end_line + 1 == line || c.end_line + 2 == line;
        if !body.starts_with("/*") || c.code_before || !near || name.is_empty() {
            return None;
        }
        let text = strip_markers(body);
        let first = text.lines().next().unwrap_or("").trim();
        let named = kernel_doc_head(first, Some(name))
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
        if is_back_doc(&self.text[c.start..c.end]) {
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

/// Whether a comment is Doxygen's "documents the declaration before it"
/// (`/**<`, `/*!<`, `///<`, `//!<`).
fn is_back_doc(comment: &str) -> bool {
    ["/**<", "/*!<", "///<", "//!<"]
        .iter()
        .any(|m| comment.starts_with(m))
}

/// Whether a comment opens as a doc comment: kernel-doc's and Doxygen's
/// `/**`, Doxygen's `/*!`, `///` and `//!` (not a `/***` or `////` rule).
fn is_doc_opener(comment: &str) -> bool {
    let opener = |o: &str, not: &str| comment.starts_with(o) && !comment.starts_with(not);
    (opener("/**", "/***") && !comment.starts_with("/**/"))
        || comment.starts_with("/*!")
        || opener("///", "////")
        || comment.starts_with("//!")
}

/// Removes `/*`, `*/`, `//` and the leading ` * ` of each line (Lua's
/// ` ** ` too), and Doxygen's markers `/*!`, `///`, `//!` and the `<` of
/// `/**<`, `///<`; keeps lines.
pub fn strip_markers(comment: &str) -> String {
    let mut lines = Vec::new();
    if comment.starts_with("//") {
        for l in comment.lines() {
            let l = l.trim_start();
            let l = l.strip_prefix("//").unwrap_or(l);
            let l = match l.strip_prefix(['/', '!']) {
                Some(rest) if !rest.starts_with('/') => rest.strip_prefix('<').unwrap_or(rest),
                _ => l,
            };
            lines.push(l.strip_prefix(' ').unwrap_or(l).trim_end().to_string());
        }
    } else {
        let inner = comment.trim_start_matches("/*");
        let inner = match inner.strip_prefix('!') {
            Some(rest) => rest.strip_prefix('<').unwrap_or(rest),
            None => {
                let rest = inner.trim_start_matches('*');
                match rest.strip_prefix('<') {
                    Some(after) if rest.len() < inner.len() => after,
                    _ => rest,
                }
            }
        };
        let inner = inner.strip_suffix("*/").unwrap_or(inner);
        for (k, l) in inner.lines().enumerate() {
            let t = l.trim_start();
            let t = if k > 0 {
                match t.strip_prefix('*') {
                    Some(rest) if !rest.starts_with('/') => {
                        // Lua and others write `**` at the start of each line.
                        let rest = match rest.strip_prefix('*') {
                            Some(r) if r.is_empty() || r.starts_with([' ', '\t']) => r,
                            _ => rest,
                        };
                        rest.strip_prefix(' ').unwrap_or(rest)
                    }
                    _ => t,
                }
            } else {
                // `/* *** Resource management *** */`: a border's stars.
                let rest = t.trim_start_matches('*');
                if t.len() - rest.len() >= 2 && rest.starts_with([' ', '\t']) {
                    rest.trim_start()
                } else {
                    t
                }
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

/// The doc of a comment that is not kernel-doc: Doxygen when it has
/// Doxygen commands, else its whole text.
fn plain_doc(comment: &str) -> Option<Doc> {
    untitled_doc(strip_markers(comment))
}

/// `plain_doc` of a comment's text, markers already stripped.
fn untitled_doc(text: String) -> Option<Doc> {
    if let Some(doxygen) = parse_doxygen(&text) {
        return doxygen.map(|(summary, params)| Doc {
            summary,
            text,
            params,
            kernel_doc: true,
        });
    }
    let summary = unemphasize(collapse(&text));
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

/// A summary that opens with an emphasized word (`*After* the setup`,
/// `*ILLEGAL* version`) opens with the word: no gloss starts with `*`.
fn unemphasize(summary: String) -> String {
    let Some(rest) = summary.strip_prefix('*') else {
        return summary;
    };
    match rest.split_once('*') {
        Some((word, after))
            if !word.is_empty() && word.chars().all(|c| c.is_alphanumeric() || c == ' ') =>
        {
            format!("{word}{after}")
        }
        _ => summary,
    }
}

/// Doxygen's block commands (`@param`, `\brief`, …): each starts a new
/// part of the comment.
const DOXYGEN_COMMANDS: &[&str] = &[
    "addtogroup",
    "attention",
    "author",
    "authors",
    "brief",
    "bug",
    "class",
    "copydoc",
    "date",
    "def",
    "defgroup",
    "deprecated",
    "details",
    "enum",
    "example",
    "exception",
    "file",
    "fn",
    "ingroup",
    "invariant",
    "mainpage",
    "name",
    "note",
    "page",
    "par",
    "param",
    "post",
    "pre",
    "remark",
    "remarks",
    "result",
    "return",
    "returns",
    "retval",
    "sa",
    "see",
    "short",
    "since",
    "struct",
    "throw",
    "throws",
    "todo",
    "tparam",
    "typedef",
    "union",
    "var",
    "version",
    "warning",
];

/// Commands that make a comment the doc of a file or a group, not of the
/// declaration below it.
const DOXYGEN_NOT_A_DECLARATION: &[&str] =
    &["addtogroup", "defgroup", "file", "mainpage", "name", "page"];

/// Doxygen's inline commands that only style the next word (`\p x`, `@ref y`).
const DOXYGEN_INLINE: &[&str] = &["a", "b", "c", "e", "em", "p", "ref"];

/// The Doxygen command starting `s` (`@param`, `\return`): the command
/// and what follows it. The command must end the text or be followed by
/// blank space (`@param[in]`: by `[`), so kernel-doc's `@param:` entry or a
/// `@return.` in prose is no command.
fn doxygen_command(s: &str) -> Option<(&'static str, &str)> {
    let rest = s.strip_prefix(['@', '\\'])?;
    let len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let command = DOXYGEN_COMMANDS.iter().find(|c| **c == &rest[..len])?;
    let after = &rest[len..];
    let ends = after.is_empty()
        || after.starts_with([' ', '\t'])
        || (*command == "param" && after.starts_with('['));
    ends.then_some((command, after))
}

/// Reads a Doxygen comment (markers stripped): `None` when it has no
/// Doxygen command (a command starts a line, or stands anywhere in a
/// one-line comment, or anywhere once one starts a line); `Some(None)` when
/// it documents a file or group, not a declaration; else its summary (the
/// `@brief` text, or the first paragraph) and its `@param` entries.
#[allow(clippy::type_complexity)]
fn parse_doxygen(text: &str) -> Option<Option<(String, Vec<(String, String)>)>> {
    let at_line_start = text
        .lines()
        .any(|l| doxygen_command(l.trim_start()).is_some());
    let one_line = !text.trim().contains('\n');
    if !at_line_start && !one_line {
        return None;
    }
    // The comment cut into parts: (command, text), a blank line ending one.
    let mut parts: Vec<(Option<&str>, String)> = vec![(None, String::new())];
    let mut any = false;
    for line in text.lines() {
        let mut t = line.trim();
        if t.is_empty() {
            parts.push((None, String::new()));
            continue;
        }
        loop {
            if let Some((command, rest)) = doxygen_command(t) {
                any = true;
                parts.push((Some(command), String::new()));
                t = rest.trim_start();
                continue;
            }
            // The text up to the next command that follows a blank.
            let next = t
                .char_indices()
                .filter(|&(i, c)| i > 0 && matches!(c, '@' | '\\'))
                .map(|(i, _)| i)
                .find(|&i| t[..i].ends_with([' ', '\t']) && doxygen_command(&t[i..]).is_some());
            let (here, later) = t.split_at(next.unwrap_or(t.len()));
            let part = &mut parts.last_mut().expect("never empty").1;
            if !part.is_empty() {
                part.push(' ');
            }
            part.push_str(here.trim());
            if later.is_empty() {
                break;
            }
            t = later;
        }
    }
    if !any {
        return None;
    }
    if parts
        .iter()
        .any(|(c, _)| c.is_some_and(|c| DOXYGEN_NOT_A_DECLARATION.contains(&c)))
    {
        return Some(None);
    }
    let brief = parts
        .iter()
        .find(|(c, t)| matches!(c, Some("brief" | "short")) && !t.is_empty());
    let first_paragraph = || {
        parts
            .iter()
            .find(|(c, t)| matches!(c, None | Some("details")) && !t.is_empty())
    };
    // Without a description, what the function returns or that it is
    // deprecated says what it is (`@return 1 if u is a power of 2`).
    let fallback = || {
        parts.iter().find_map(|(c, t)| {
            let t = t.strip_prefix(':').unwrap_or(t).trim_start();
            match c {
                _ if t.is_empty() => None,
                Some("return" | "returns" | "result") => Some(format!("Returns {t}")),
                Some("deprecated") => Some(format!("Deprecated: {t}")),
                _ => None,
            }
        })
    };
    let summary = brief
        .or_else(first_paragraph)
        .map(|(_, t)| t.clone())
        .or_else(fallback)
        .map(|t| collapse(&unwrap_doxygen(&t)))
        .unwrap_or_default();
    let mut params = Vec::new();
    for (_, entry) in parts.iter().filter(|(c, _)| *c == Some("param")) {
        let entry = entry.trim_start();
        // `@param[in] x`: the direction goes.
        let entry = match entry.strip_prefix('[') {
            Some(rest) => rest.split_once(']').map_or(rest, |(_, r)| r).trim_start(),
            None => entry,
        };
        let (names, doc) = entry.split_once(char::is_whitespace).unwrap_or((entry, ""));
        let doc = doc.trim_start();
        let doc = doc.strip_prefix(['-', ':']).map_or(doc, str::trim_start);
        let doc = collapse(&unwrap_doxygen(doc));
        for name in names.trim_end_matches(':').split(',') {
            if !name.is_empty() {
                params.push((name.to_string(), doc.clone()));
            }
        }
    }
    // Not `is_documentation`: a description may end with `:` (a code
    // example follows).
    if !summary.chars().any(char::is_alphanumeric) && params.is_empty() {
        return Some(None);
    }
    Some(Some((summary, params)))
}

/// Removes Doxygen's inline style commands (`\p x` → `x`, `@ref y` → `y`).
fn unwrap_doxygen(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ') {
        let inline = word
            .strip_prefix(['@', '\\'])
            .is_some_and(|w| DOXYGEN_INLINE.contains(&w));
        if inline {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Comments that speak to a tool, not a reader (GNU indent, clang-format,
/// lint): they document nothing, compared without case.
const TOOL_MARKERS: &[&str] = &[
    "indent-off",
    "indent-on",
    "clang-format off",
    "clang-format on",
    "nolint",
    "linted",
    "notreached",
    "argsused",
];

/// Whether a plain comment's text documents anything: not empty, not only
/// punctuation, not only a path or file name (`fs/dcache.c`, `-- mpiutil.c
/// --`), not a licence line, not a heading (ending with `:`), not a marker
/// for a tool (`*INDENT-OFF*`, `clang-format off`, curl's `!checksrc!`).
fn is_documentation(summary: &str) -> bool {
    let marker = summary
        .trim()
        .trim_matches(|c: char| c == '*' || c.is_whitespace())
        .to_ascii_lowercase();
    if TOOL_MARKERS.contains(&marker.as_str()) || marker.starts_with("!checksrc!") {
        return false;
    }
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
/// `declared`, also `declared: summary`, `declared() : summary` (zstd) and
/// `declared()` alone (curl).
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
        let called = rest.strip_prefix("()");
        let rest = called.unwrap_or(rest);
        if called.is_some() && rest.trim().is_empty() {
            // The name alone (curl's `Curl_hmacit()` above its description);
            // not a bare name (`/* released */` above `bool released;`).
            return Some((declared, ""));
        }
        // `declared: summary`, `declared() : summary` (zstd).
        let rest = rest.trim_start().strip_prefix(':')?;
        Some((declared, rest))
    })
}

/// Whether a first line is zstd's head `name() :` (also `name():`).
fn names_a_function(first: &str) -> bool {
    first.split_once("()").is_some_and(|(name, rest)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && rest.trim_start().starts_with(':')
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
        if declared.is_some() && names_a_function(first) {
            // zstd's `/*! ZSTD_other() : …` above something else.
            return None;
        }
        return untitled_doc(text.to_string());
    };
    let mut summary = rest.trim().to_string();
    let mut k = 1;
    // `name()` alone on the first line: the summary is the next paragraph
    // that is not a copyright line.
    if summary.is_empty() {
        loop {
            while k < lines.len() && lines[k].trim().is_empty() {
                k += 1;
            }
            let end = (k..lines.len())
                .find(|&e| lines[e].trim().is_empty())
                .unwrap_or(lines.len());
            let copyright = lines[k..end]
                .iter()
                .any(|l| l.to_ascii_lowercase().contains("copyright"));
            if !copyright || end == lines.len() {
                break;
            }
            k = end;
        }
    }
    while k < lines.len() {
        let l = lines[k].trim();
        if l.is_empty() || l.starts_with('@') || is_section(l) || doxygen_command(l).is_some() {
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
        // Doxygen in a kernel-doc-shaped comment (zstd's `/*! ZSTD_f() :`).
        if let Some((command, rest)) = doxygen_command(t) {
            if let Some(p) = current.take() {
                params.push(p);
            }
            if command == "param" {
                if let Some(Some((_, mut entries))) = parse_doxygen(&format!("@param{rest}")) {
                    current = entries.pop();
                }
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix('@') {
            if let Some((pname, ptext)) = rest.split_once(':') {
                if let Some(p) = current.take() {
                    params.push(p);
                }
                // `@return:` is a section, not an entry.
                let pname = pname.trim();
                if !matches!(pname, "return" | "returns") {
                    current = Some((pname.to_string(), ptext.trim().to_string()));
                }
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
    fn tool_markers_document_nothing() {
        for marker in [
            "*INDENT-OFF*",
            "*INDENT-ON*",
            "clang-format off",
            "NOLINT",
            "!checksrc! disable COPYRIGHT 1",
        ] {
            assert!(!is_documentation(marker), "{marker}");
        }
        assert!(is_documentation("Turn indenting off for this table"));
        let src = "/* *INDENT-OFF* */\nstatic const int table[] = { 1 };\n";
        assert!(
            plain_doc(&strip_markers("/* *INDENT-OFF* */")).is_none(),
            "{src}"
        );
    }

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

    /// Byte offset and line of the first `s` in `src`.
    fn at(src: &str, s: &str) -> (usize, u32) {
        let k = src.find(s).unwrap_or_else(|| panic!("{s:?} in the source"));
        (k, src[..k].matches('\n').count() as u32 + 1)
    }

    /// The doc of the declaration of `kind` named `name` that starts at
    /// `decl` and ends where `end` ends.
    fn doc_of(src: &str, kind: DeclKind, name: &str, decl: &str, end: &str) -> Option<Doc> {
        let (e, eline) = at(src, end);
        Comments::scan(src).doc(&Site::new(
            kind,
            name,
            at(src, decl),
            (e + end.len(), eline + end.matches('\n').count() as u32),
        ))
    }

    #[test]
    fn lua_double_star_lines() {
        assert_eq!(
            strip_markers("/*\n** Set all fields from structure 'tm' in the table\n** on top of the stack\n*/"),
            "Set all fields from structure 'tm' in the table\non top of the stack"
        );
        assert_eq!(
            strip_markers("/*\n** {==========\n** Error-report functions\n**\n** ==========}\n*/"),
            "{==========\nError-report functions\n\n==========}"
        );
        assert_eq!(strip_markers("/*\n * *ptr is kept\n */"), "*ptr is kept");
        assert_eq!(
            strip_markers("/* *** Resource management *** */"),
            "Resource management"
        );
        assert_eq!(
            plain_doc("/* *After* setup, stop */").unwrap().summary,
            "After setup, stop"
        );
        let src = "int x;\n/*\n** Set all fields from structure 'tm'\n*/\nstatic void setallfields (lua_State *L) {\n}\n";
        let doc = doc_of(src, DeclKind::Function, "setallfields", "static", "}").unwrap();
        assert_eq!(doc.summary, "Set all fields from structure 'tm'");
    }

    #[test]
    fn line_comment_blocks() {
        let src = "int x;\n\n// Parse a header line.\n// Returns its length.\nint parse(const char *s);\n\n/// A buffer.\n/// Grows.\nstruct buf {\n\t//! The bytes.\n\tchar *ptr;\n\tsize_t size; // used bytes\n};\n";
        let doc = doc_of(src, DeclKind::Prototype, "parse", "int parse", ");").unwrap();
        assert_eq!(doc.summary, "Parse a header line. Returns its length.");
        let doc = doc_of(src, DeclKind::Tag, "buf", "struct buf", "};").unwrap();
        assert_eq!(
            (doc.summary.as_str(), doc.text.as_str()),
            ("A buffer. Grows.", "A buffer.\nGrows.")
        );
        let doc = doc_of(src, DeclKind::Member, "ptr", "char *ptr", "char *ptr").unwrap();
        assert_eq!(doc.summary, "The bytes.");
        let doc = doc_of(src, DeclKind::Member, "size", "size_t size", "size_t size").unwrap();
        assert_eq!(doc.summary, "used bytes");
        assert_eq!(strip_markers("//////////////"), "////////////");
    }

    #[test]
    fn doxygen_commands_feed_summary_and_params() {
        let one_line = "/** @brief Open a repository. @param out the repository @param path where it is @return 0 or an error */";
        let doc = parse_kernel_doc_of(&strip_markers(one_line), Some("open")).unwrap();
        assert_eq!(doc.summary, "Open a repository.");
        assert!(doc.kernel_doc);
        assert_eq!(doc.param("out"), Some("the repository"));
        assert_eq!(doc.param("path"), Some("where it is"));
        assert_eq!(doc.params.len(), 2, "@return is not a parameter");

        let src = "/**\n * Open a git repository.\n *\n * The 'path' argument must point to a folder.\n *\n * @param[out] out pointer to the repo which will be opened\n * @param path the path to the repository;\n *        a work dir or a bare one\n * @return 0 or an error code\n */\nGIT_EXTERN(int) git_repository_open(git_repository **out, const char *path);\n";
        let doc = doc_of(
            src,
            DeclKind::Prototype,
            "git_repository_open",
            "GIT_EXTERN",
            ");",
        )
        .unwrap();
        assert_eq!(doc.summary, "Open a git repository.");
        assert_eq!(
            doc.param("out"),
            Some("pointer to the repo which will be opened")
        );
        assert_eq!(
            doc.param("path"),
            Some("the path to the repository; a work dir or a bare one")
        );
        assert!(
            doc.text.contains("@return 0 or an error code"),
            "the text keeps it"
        );

        let backslash = "/*!\n * \\brief Frees a \\p buffer.\n *\n * Details that are not the summary.\n * \\param buf the buffer\n * \\param[in] n its size\n * \\returns nothing\n */";
        let doc = parse_kernel_doc_of(&strip_markers(backslash), Some("buf_free")).unwrap();
        assert_eq!(doc.summary, "Frees a buffer.");
        assert_eq!(doc.param("buf"), Some("the buffer"));
        assert_eq!(doc.param("n"), Some("its size"));

        let slashes = "/// Adds two numbers.\n/// @param a,b the numbers\n/// @returns their sum\nint add(int a, int b);\n";
        let doc = doc_of(slashes, DeclKind::Prototype, "add", "int add", ");").unwrap();
        assert_eq!(
            (doc.summary.as_str(), doc.kernel_doc),
            ("Adds two numbers.", true)
        );
        assert_eq!(
            (doc.param("a"), doc.param("b")),
            (Some("the numbers"), Some("the numbers"))
        );

        // Kernel-doc's `@param:` entry is an entry, not a command.
        let kernel = "sched_setparam - set/change the RT priority of a thread\n@pid: the pid in question.\n@param: structure containing the new RT priority.\n\nReturn: 0 on success. An error code otherwise.";
        let doc = parse_kernel_doc(kernel).unwrap();
        assert_eq!(
            doc.param("param"),
            Some("structure containing the new RT priority.")
        );
        let only = |c: &str| parse_kernel_doc(&strip_markers(c)).map(|d| d.summary);
        assert_eq!(
            only("/** @return 1 if @p u is a power of 2 */").as_deref(),
            Some("Returns 1 if u is a power of 2")
        );
        assert_eq!(
            only("/** @deprecated use GIT_ATTR_VALUE_TRUE */").as_deref(),
            Some("Deprecated: use GIT_ATTR_VALUE_TRUE")
        );
        assert_eq!(only("/*! @ingroup XXH32_family */"), None);
        assert_eq!(
            only("/*\n * Swaps v. This is compatible with:\n *\n *   #define swap(v) v\n *\n * @return the old v.\n */").as_deref(),
            Some("Swaps v. This is compatible with:")
        );
        // A file's or group's comment documents no declaration.
        let file = "/**\n * @file git2/repository.h\n * @brief Git repository management routines\n */\nint first;\n";
        assert!(doc_of(file, DeclKind::Global, "first", "int first", "int first;").is_none());
    }

    #[test]
    fn doxygen_in_a_kernel_doc_shaped_comment() {
        let src = "/*! ZSTD_compress() :\n *  Compresses `src` content as a single zstd compressed frame.\n *  NOTE: Providing enough space helps.\n *  @return : compressed size written into `dst`,\n *            or an error code if it fails. */\nZSTDLIB_API size_t ZSTD_compress(void* dst, size_t dstCapacity);\n";
        let doc = doc_of(
            src,
            DeclKind::Prototype,
            "ZSTD_compress",
            "ZSTDLIB_API",
            ");",
        )
        .unwrap();
        assert_eq!(
            doc.summary,
            "Compresses `src` content as a single zstd compressed frame."
        );
        assert!(doc.params.is_empty(), "{:?}", doc.params);
        let other = "/*! ZSTD_getFrameContentSize() : requires v1.3.0+\n * @return : the size */";
        assert!(
            parse_kernel_doc_of(&strip_markers(other), Some("ZSTD_CONTENTSIZE_UNKNOWN")).is_none()
        );
        let doc = parse_kernel_doc_of("f - does f\n@x: the x\n@return: zero", Some("f")).unwrap();
        assert_eq!(doc.params, vec![("x".to_string(), "the x".to_string())]);
        let doc = parse_kernel_doc_of(
            "f - does f\n@param x the x\n  continued\n@return zero",
            Some("f"),
        )
        .unwrap();
        assert_eq!(doc.param("x"), Some("the x continued"));
        // curl: the name alone, then the description.
        let src = "int x;\n\n/*\n * Curl_hmacit()\n *\n * This is used to generate a HMAC hash.\n *\n * Returns CURLE_OK on success.\n */\nCURLcode Curl_hmacit(void)\n{\n}\n";
        let doc = doc_of(src, DeclKind::Function, "Curl_hmacit", "CURLcode", "}").unwrap();
        assert_eq!(doc.summary, "This is used to generate a HMAC hash.");
        let src = "int x;\n\n/*\n * des_odd()\n *\n * Copyright (C) Someone\n *\n * Applies odd parity.\n */\nstatic void des_odd(void)\n{\n}\n";
        let doc = doc_of(src, DeclKind::Function, "des_odd", "static", "}").unwrap();
        assert_eq!(doc.summary, "Applies odd parity.");
        // A bare name is no head: `/* released */` documents `released`.
        let src = "struct u {\n\tint state;\n\n\t/* released */\n\tbool released;\n};\n";
        let doc = doc_of(src, DeclKind::Member, "released", "bool", "bool released").unwrap();
        assert_eq!((doc.summary.as_str(), doc.kernel_doc), ("released", false));
    }

    #[test]
    fn doxygen_documents_the_member_before() {
        let src = "struct p {\n\tint level;   /**< compression level; 0 means default */\n\tunsigned id; //!< dictionary ID\n\tint flags;   ///< the flags\n\tint below;\n\t/**< documents below, the member before */\n\tint next;\n};\nenum e {\n\tE_ONE, /*!< the first */\n\tE_TWO,\n\t///< the second\n\tE_THREE\n};\n#define P_MAX 22 ///< the largest level\nsize_t ZSTD_compressBound(size_t n); /*!< maximum compressed size */\n";
        let member = |name: &str, decl: &str| {
            doc_of(src, DeclKind::Member, name, decl, decl).map(|d| d.summary)
        };
        assert_eq!(
            member("level", "int level").as_deref(),
            Some("compression level; 0 means default")
        );
        assert_eq!(
            member("id", "unsigned id").as_deref(),
            Some("dictionary ID")
        );
        assert_eq!(member("flags", "int flags").as_deref(), Some("the flags"));
        assert_eq!(
            member("below", "int below").as_deref(),
            Some("documents below, the member before")
        );
        assert_eq!(member("next", "int next"), None);
        let constant =
            |name: &str| doc_of(src, DeclKind::EnumConst, name, name, name).map(|d| d.summary);
        assert_eq!(constant("E_ONE").as_deref(), Some("the first"));
        assert_eq!(constant("E_TWO").as_deref(), Some("the second"));
        assert_eq!(constant("E_THREE"), None);
        let doc = doc_of(src, DeclKind::Macro, "P_MAX", "#define P_MAX", "P_MAX").unwrap();
        assert_eq!(doc.summary, "the largest level");
        let doc = doc_of(
            src,
            DeclKind::Prototype,
            "ZSTD_compressBound",
            "size_t ZSTD_compressBound",
            "(size_t n);",
        )
        .unwrap();
        assert_eq!(doc.summary, "maximum compressed size");
    }
}
