//! Function bodies without a syntax tree: indexing needs only the names a
//! body calls and refers to, so `extract` blanks every body before
//! tree-sitter runs (whitespace is nearly free to parse) and takes calls and
//! references with a token scan instead. Rendering parses bodies for real.
//!
//! Finding bodies is conservative: a `{` at file scope right after a `)`
//! opens a body; if its `}` cannot be matched with certainty (braces
//! unbalanced by `#if` branches, a definition at column 0 inside), that body
//! and everything after it is left to tree-sitter.

use std::collections::HashSet;

use crate::lex::{Kind, Token};

/// A lexical token of interest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    Ident(&'a str),
    /// One-byte punctuation.
    Punct(u8),
    /// `->`
    Arrow,
    /// Another operator of several bytes (`++`, `==`, `...`).
    Op,
    /// A literal (string, char, number): its content does not matter.
    Lit,
}

/// The code tokens of a file with their byte offsets: comments and
/// preprocessor lines left out.
pub type CodeTokens<'a> = Vec<(usize, Tok<'a>)>;

/// The code tokens among the lexer's `tokens` of `text`.
pub fn code_tokens<'a>(text: &'a str, tokens: &[Token]) -> CodeTokens<'a> {
    let src = text.as_bytes();
    let mut out = Vec::with_capacity(tokens.len());
    let mut in_directive = false;
    for t in tokens {
        let tok = match t.kind {
            Kind::Hash => {
                in_directive = true;
                continue;
            }
            Kind::DirectiveEnd => {
                in_directive = false;
                continue;
            }
            _ if in_directive => continue,
            Kind::LineComment | Kind::BlockComment => continue,
            Kind::Ident => Tok::Ident(t.text(text)),
            Kind::Number | Kind::Str | Kind::Char => Tok::Lit,
            Kind::Punct if t.end - t.start == 1 => Tok::Punct(src[t.start]),
            Kind::Punct if t.text(text) == "->" => Tok::Arrow,
            Kind::Punct => Tok::Op,
        };
        out.push((t.start, tok));
    }
    out
}

/// The tokens of `code` in the byte range `start..end`.
fn within<'c, 'a>(
    code: &'c [(usize, Tok<'a>)],
    start: usize,
    end: usize,
) -> &'c [(usize, Tok<'a>)] {
    let from = code.partition_point(|&(at, _)| at < start);
    let to = code.partition_point(|&(at, _)| at < end);
    &code[from..to.max(from)]
}

/// Braces at file scope whose inside indexing does not need parsed.
#[derive(Default)]
pub struct Blankable {
    /// Function bodies, `(open, close)`.
    pub bodies: Vec<(usize, usize)>,
    /// Initializers of file-scope variables (`= { … };`), `(open, close)`:
    /// their references come from a token scan (`initializer_refs`).
    pub initializers: Vec<(usize, usize)>,
}

/// Finds function bodies and file-scope initializers (see `Blankable`).
pub fn blankable(src: &[u8], toks: &[(usize, Tok)], conds: &[(usize, Branch)]) -> Blankable {
    let mut out = Blankable {
        bodies: Vec::new(),
        initializers: Vec::new(),
    };
    let mut depth = 0usize;
    let mut k = 0;
    while k < toks.len() {
        let (at, tok) = toks[k];
        let prev = k.checked_sub(1).map(|p| toks[p].1);
        match tok {
            Tok::Punct(b'{') if depth == 0 && prev == Some(Tok::Punct(b')')) => {
                match matching_brace(src, toks, conds, k) {
                    Some(close_k) => {
                        out.bodies.push((at, toks[close_k].0));
                        k = close_k + 1;
                        continue;
                    }
                    // Unbalanced: leave this body and the rest to tree-sitter.
                    None => break,
                }
            }
            Tok::Punct(b'{') if depth == 0 && prev == Some(Tok::Punct(b'=')) => {
                // An initializer: blanked only when it ends like one.
                let close = matching_brace(src, toks, conds, k).filter(|&c| {
                    matches!(toks.get(c + 1).map(|t| t.1), Some(Tok::Punct(b';' | b',')))
                });
                match close {
                    Some(close_k) => {
                        out.initializers.push((at, toks[close_k].0));
                        k = close_k + 1;
                        continue;
                    }
                    None => depth += 1,
                }
            }
            Tok::Punct(b'{') => depth += 1,
            Tok::Punct(b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        k += 1;
    }
    out
}

/// The names used after `->` or `.` anywhere in `code`, sorted, each once.
pub fn member_names(code: &[(usize, Tok)]) -> Vec<String> {
    let mut names: Vec<&str> = code
        .windows(2)
        .filter_map(|w| match w {
            [(_, Tok::Punct(b'.') | Tok::Arrow), (_, Tok::Ident(name))] => Some(*name),
            _ => None,
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names.into_iter().map(str::to_string).collect()
}

/// Whether the braces at `open` and `close` hold no code at all.
pub fn is_empty(code: &[(usize, Tok)], open: usize, close: usize) -> bool {
    within(code, open + 1, close).is_empty()
}

/// The names an initializer `src[open..=close]` refers to, each once, in
/// order: identifiers that are not designators, members, tags or keywords.
pub fn initializer_refs(code: &[(usize, Tok)], open: usize, close: usize) -> Vec<String> {
    let toks = within(code, open, close + 1);
    let mut seen = HashSet::new();
    let mut refs = Vec::new();
    for (k, &(_, tok)) in toks.iter().enumerate() {
        let Tok::Ident(name) = tok else {
            continue;
        };
        let prev = k.checked_sub(1).map(|p| toks[p].1);
        let skip = NOT_NAMES.contains(&name)
            || matches!(prev, Some(Tok::Punct(b'.') | Tok::Arrow))
            || matches!(prev, Some(Tok::Ident("struct" | "union" | "enum")));
        if !skip && seen.insert(name) {
            refs.push(name.to_string());
        }
    }
    refs
}

/// The token index of the `}` closing the `{` at `open_k`, if it can be
/// trusted: no definition starts at column 0 before it.
fn matching_brace(
    src: &[u8],
    toks: &[(usize, Tok)],
    conds: &[(usize, Branch)],
    open_k: usize,
) -> Option<usize> {
    let mut depth = 0usize;
    // `#if` groups opened inside: the depth at their `#if`, and the depth
    // their first branch ended at. Only the first branch's braces count
    // (`#ifdef A for (…) { #else for (…) { #endif` opens one block).
    let mut groups: Vec<(usize, Option<usize>)> = Vec::new();
    // While inside `#if 0`, the groups depth it was opened at: its text is
    // prose or dead code, not braces.
    let mut dead: Option<usize> = None;
    let mut next_cond = conds.partition_point(|&(at, _)| at < toks[open_k].0);
    for (k, &(at, tok)) in toks.iter().enumerate().skip(open_k) {
        while let Some(&(_, branch)) = conds.get(next_cond).filter(|c| c.0 < at) {
            next_cond += 1;
            if let Some(level) = dead {
                match branch {
                    Branch::If | Branch::IfZero => groups.push((depth, None)),
                    Branch::Else | Branch::Endif if groups.len() > level => {
                        if branch == Branch::Endif {
                            groups.pop();
                        }
                    }
                    Branch::Else => dead = None,
                    Branch::Endif => dead = None,
                }
                continue;
            }
            match branch {
                Branch::If => groups.push((depth, None)),
                Branch::IfZero => dead = Some(groups.len()),
                Branch::Else => {
                    // An `#else` of a group opened before the body: the
                    // header has alternatives; leave it to tree-sitter.
                    let (at_if, first) = groups.last_mut()?;
                    first.get_or_insert(depth);
                    depth = *at_if;
                }
                Branch::Endif => {
                    // Closing a group opened before the body: blanking the
                    // body would leave its `#if` unmatched.
                    if let (_, Some(first)) = groups.pop()? {
                        depth = first;
                    }
                }
            }
        }
        if dead.is_some() {
            continue;
        }
        match tok {
            Tok::Punct(b'{') => depth += 1,
            Tok::Punct(b'}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    // A group opened inside and closed after: not ours.
                    return groups.is_empty().then_some(k);
                }
            }
            Tok::Ident(_) if k > open_k && (at == 0 || src[at - 1] == b'\n') => {
                // Only labels stand at column 0 inside a body.
                let is_label = toks.get(k + 1).is_some_and(|t| t.1 == Tok::Punct(b':'));
                if !is_label {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// Which part of a conditional group a directive starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Branch {
    /// `#if`, `#ifdef`, `#ifndef`.
    If,
    /// `#if 0`: dead text until its `#else` or `#endif`.
    IfZero,
    /// `#elif`, `#else` (and C23's `#elifdef`, `#elifndef`).
    Else,
    /// `#endif`.
    Endif,
}

/// The conditional directives among the lexer's `tokens` of `text`, by
/// the offset of their `#`.
pub fn conditionals(text: &str, tokens: &[Token]) -> Vec<(usize, Branch)> {
    let mut out = Vec::new();
    for (k, w) in tokens.windows(2).enumerate() {
        if w[0].kind != Kind::Hash || w[1].kind != Kind::Ident {
            continue;
        }
        let zero = || {
            tokens.get(k + 2).is_some_and(|t| t.text(text) == "0")
                && tokens
                    .get(k + 3)
                    .is_some_and(|t| t.kind == Kind::DirectiveEnd)
        };
        let branch = match w[1].text(text) {
            "if" if zero() => Branch::IfZero,
            "if" | "ifdef" | "ifndef" => Branch::If,
            "elif" | "else" | "elifdef" | "elifndef" => Branch::Else,
            "endif" => Branch::Endif,
            _ => continue,
        };
        out.push((w[0].start, branch));
    }
    out
}

/// Blanks the inside of each body (newlines kept), so the length and every
/// line stay the same.
pub fn blank_bodies(text: &mut [u8], bodies: &[(usize, usize)]) {
    for &(open, close) in bodies {
        for b in &mut text[open + 1..close] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
}

const NOT_NAMES: &[&str] = &[
    "if",
    "else",
    "while",
    "for",
    "do",
    "switch",
    "case",
    "default",
    "return",
    "break",
    "continue",
    "goto",
    "sizeof",
    "typeof",
    "__typeof__",
    "__typeof",
    "_Alignof",
    "__alignof__",
    "alignof",
    "__attribute__",
    "__attribute",
    "asm",
    "__asm__",
    "__asm",
    "volatile",
    "__volatile__",
    "inline",
    "__inline__",
    "struct",
    "union",
    "enum",
    "const",
    "static",
    "register",
    "auto",
    "extern",
    "signed",
    "unsigned",
    "int",
    "char",
    "short",
    "long",
    "void",
    "float",
    "double",
    "_Bool",
    "bool",
    "restrict",
    "__restrict",
    "typedef",
    "_Static_assert",
    "static_assert",
    "_Generic",
    "__extension__",
    "__label__",
    "true",
    "false",
    "NULL",
];

const TYPE_WORDS: &[&str] = &[
    "int",
    "char",
    "short",
    "long",
    "unsigned",
    "signed",
    "void",
    "float",
    "double",
    "_Bool",
    "bool",
    "struct",
    "union",
    "enum",
    "const",
    "static",
    "register",
    "volatile",
    "auto",
    "extern",
    "typeof",
    "__typeof__",
    "__typeof",
];

/// Whether `word` is a C type keyword (`int`, `unsigned`, `struct`…).
pub fn is_type_word(word: &str) -> bool {
    TYPE_WORDS.contains(&word)
}

/// Names a body calls (in order of first call) and other identifiers it uses
/// (each once), leaving out its locals, `exclude` (the parameters), members
/// and keywords. Locals are the names declared by statements that start
/// like a declaration (`int x`, `struct foo *p`, `foo_t x`, `T *p =`).
pub fn scan_body(
    code: &[(usize, Tok)],
    open: usize,
    close: usize,
    exclude: &HashSet<&str>,
) -> (Vec<String>, Vec<String>) {
    let toks = within(code, open, close + 1);
    let locals = declared_names(toks);
    let mut calls: Vec<String> = Vec::new();
    let mut refs: Vec<String> = Vec::new();
    let mut seen_calls = HashSet::new();
    let mut seen_refs: HashSet<&str> = HashSet::new();
    let mut seen_tags: HashSet<String> = HashSet::new();
    for (k, &(_, tok)) in toks.iter().enumerate() {
        let Tok::Ident(name) = tok else {
            continue;
        };
        let prev = k.checked_sub(1).map(|p| toks[p].1);
        if let Some(Tok::Ident(kw @ ("struct" | "union" | "enum"))) = prev {
            // A type the body names: `struct page` is a reference too, so
            // the type's report can say where it is used.
            let tag = format!("{kw} {name}");
            if seen_tags.insert(tag.clone()) {
                refs.push(tag);
            }
            continue;
        }
        if NOT_NAMES.contains(&name) || exclude.contains(name) || locals.contains(name) {
            continue;
        }
        if matches!(
            prev,
            Some(Tok::Punct(b'.') | Tok::Arrow | Tok::Ident("goto"))
        ) {
            continue;
        }
        let next = toks.get(k + 1).map(|t| t.1);
        if next == Some(Tok::Punct(b'(')) {
            if seen_calls.insert(name) {
                calls.push(name.to_string());
            }
        } else {
            let label = next == Some(Tok::Punct(b':'))
                && matches!(prev, Some(Tok::Punct(b';' | b'{' | b'}')));
            if !label && seen_refs.insert(name) {
                refs.push(name.to_string());
            }
        }
    }
    (calls, refs)
}

fn declared_names<'a>(toks: &[(usize, Tok<'a>)]) -> HashSet<&'a str> {
    let mut names = HashSet::new();
    let mut k = 0;
    let mut at_start = true;
    while k < toks.len() {
        let tok = toks[k].1;
        if at_start && is_declaration_start(&toks[k..]) {
            k = declaration(toks, k, &mut names);
            at_start = true;
            continue;
        }
        at_start = match tok {
            Tok::Punct(b';' | b'{' | b'}') => true,
            // `for (int i = 0; …)`
            Tok::Punct(b'(') => k > 0 && toks[k - 1].1 == Tok::Ident("for"),
            _ => false,
        };
        k += 1;
    }
    names
}

fn is_declaration_start(toks: &[(usize, Tok)]) -> bool {
    let ident = |i: usize| match toks.get(i).map(|t| t.1) {
        Some(Tok::Ident(w)) => Some(w),
        _ => None,
    };
    let Some(first) = ident(0) else {
        return false;
    };
    if TYPE_WORDS.contains(&first) || (first.ends_with("_t") && ident(1).is_some()) {
        return true;
    }
    if NOT_NAMES.contains(&first) {
        return false;
    }
    // `foo bar…` or `foo *bar =` / `foo *bar;`
    match (ident(1), toks.get(1).map(|t| t.1)) {
        (Some(second), _) => !NOT_NAMES.contains(&second),
        (None, Some(Tok::Punct(b'*'))) => {
            let mut i = 1;
            while toks.get(i).map(|t| t.1) == Some(Tok::Punct(b'*')) {
                i += 1;
            }
            ident(i).is_some()
                && matches!(
                    toks.get(i + 1).map(|t| t.1),
                    Some(Tok::Punct(b'=' | b';' | b',' | b'['))
                )
        }
        _ => false,
    }
}

/// Collects the declarators of the declaration starting at `k`; returns the
/// index after its `;` (or where it stopped).
fn declaration<'a>(toks: &[(usize, Tok<'a>)], mut k: usize, names: &mut HashSet<&'a str>) -> usize {
    let mut nest = 0i32;
    let mut in_init = false;
    while k < toks.len() {
        let tok = toks[k].1;
        match tok {
            Tok::Punct(b'(' | b'[' | b'{') => nest += 1,
            Tok::Punct(b')' | b']' | b'}') => {
                nest -= 1;
                if nest < 0 {
                    return k;
                }
            }
            Tok::Punct(b';') if nest == 0 => return k + 1,
            Tok::Punct(b',') if nest == 0 => in_init = false,
            Tok::Punct(b'=') if nest == 0 => in_init = true,
            Tok::Ident(name) if !in_init => {
                let next = toks.get(k + 1).map(|t| t.1);
                let declarator_end =
                    matches!(next, Some(Tok::Punct(b'=' | b',' | b';' | b'[' | b')')));
                if declarator_end && !TYPE_WORDS.contains(&name) {
                    names.insert(name);
                }
            }
            _ => {}
        }
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_blanks_bodies() {
        let src = "struct s { int a; };\nint f(int x)\n{\n\treturn g(x);\n}\nint t[] = { 1 };\nvoid h(void) { }\n";
        let toks = crate::lex::tokenize(src);
        let conds = conditionals(src, &toks);
        let bodies = blankable(src.as_bytes(), &code_tokens(src, &toks), &conds).bodies;
        assert_eq!(bodies.len(), 2);
        let mut text = src.as_bytes().to_vec();
        blank_bodies(&mut text, &bodies);
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains(&format!("int f(int x)\n{{\n{}\n}}", " ".repeat(13))),
            "{text}"
        );
        assert!(text.contains("struct s { int a; }"));
    }

    #[test]
    fn unbalanced_ifdef_is_left_alone() {
        let src = "#ifdef A\nint f(int a) {\n#else\nint f(int b) {\n#endif\n\treturn 0;\n}\nint g(void) { return 1; }\n";
        let toks = crate::lex::tokenize(src);
        let conds = conditionals(src, &toks);
        assert!(blankable(src.as_bytes(), &code_tokens(src, &toks), &conds)
            .bodies
            .is_empty());
        // Branches of one `#if` inside a body each opening a `{`: the first
        // branch's braces count.
        let src = "int f(int a)\n{\n#ifdef BIG\n\tfor (;;) {\n#else\n\twhile (a) {\n#endif\n\t\ta--;\n\t}\n}\nint g(void) { return 1; }\n";
        let toks = crate::lex::tokenize(src);
        let conds = conditionals(src, &toks);
        let found = blankable(src.as_bytes(), &code_tokens(src, &toks), &conds).bodies;
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn calls_refs_and_locals() {
        let src = "{\n\tstruct page *page = alloc(n);\n\tint i, count = 0;\n\tfoo_t x;\n\tlist_for_each_entry(p, head, list)\n\t\tcount += page->count + i;\n\tregister_cb(my_handler);\n\tops->open(x);\nout:\n\treturn helper(count) ?: fallback;\n}";
        let exclude: HashSet<&str> = ["n", "head"].into_iter().collect();
        let toks = crate::lex::tokenize(src);
        let code = code_tokens(src, &toks);
        let (calls, refs) = scan_body(&code, 0, src.len() - 1, &exclude);
        assert_eq!(
            calls,
            ["alloc", "list_for_each_entry", "register_cb", "helper"]
        );
        // Type names and objects of member calls are references too; they
        // only matter when they name a function.
        assert_eq!(
            refs,
            [
                "struct page",
                "foo_t",
                "p",
                "list",
                "my_handler",
                "ops",
                "fallback"
            ]
        );
    }
}
