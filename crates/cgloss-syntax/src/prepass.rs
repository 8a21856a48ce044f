//! The offset-preserving pre-pass: rewrites kernel idioms that tree-sitter-c
//! misparses into plain C of exactly the same length, so every byte offset,
//! line and column of the tree still points into the original file.
//!
//! - macro loops at statement start (`list_for_each_entry(p, h, m) {`): the
//!   name becomes `while` padded with spaces;
//! - annotation macros (`__init`, `__user`, `__printf(1, 2)`): blanked;
//! - GNU case ranges `case A ... B:`: `...` becomes ` + `;
//! - `SYSCALL_DEFINEn(name, type, arg, …) {`: becomes `long name(type arg, …) {`.
//!
//! The renderer reads names back from the original text, so it knows which
//! `while` was a macro and which `+` was a range.

use crate::idioms;
use crate::lex::{Kind, Token};

const KEYWORDS: &[&str] = &[
    "if",
    "while",
    "for",
    "switch",
    "return",
    "sizeof",
    "do",
    "else",
    "case",
    "default",
    "goto",
    "break",
    "continue",
    "typeof",
    "__typeof__",
    "asm",
    "__asm__",
    "__asm",
    "_Alignof",
    "__alignof__",
    "offsetof",
    "struct",
    "union",
    "enum",
    "__builtin_offsetof",
    "defined",
];

/// Rewrites `src` in place of a copy; the result has the same length.
pub fn prepass(src: &str) -> Vec<u8> {
    prepass_tokens(src, &crate::lex::tokenize(src))
}

/// `prepass` with the lexer's tokens of `src` at hand.
pub fn prepass_tokens(src: &str, tokens: &[Token]) -> Vec<u8> {
    let mut out = src.as_bytes().to_vec();
    Scanner::new(src, tokens, &mut out).run();
    debug_assert_eq!(out.len(), src.len());
    out
}

/// Lines longer than this are data tables, not code worth a syntax tree.
pub const LONG_LINE: usize = 1 << 20;

/// Blanks the inside of the outermost `{ … }` of every line longer than
/// `LONG_LINE` (a generated table on one line costs tree-sitter seconds and
/// gigabytes for nothing a reader needs). Returns the 1-based lines blanked.
pub fn blank_long_lines(text: &mut [u8]) -> Vec<u32> {
    let mut blanked = Vec::new();
    let mut start = 0;
    let mut line = 1u32;
    while start < text.len() {
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |k| start + k);
        if end - start > LONG_LINE {
            let row = &text[start..end];
            let open = row.iter().position(|&b| b == b'{');
            let close = row.iter().rposition(|&b| b == b'}');
            if let (Some(o), Some(c)) = (open, close) {
                if o + 1 < c {
                    blank(text, start + o + 1, start + c);
                    blanked.push(line);
                }
            }
        }
        start = end + 1;
        line += 1;
    }
    blanked
}

struct Scanner<'a> {
    src: &'a str,
    out: &'a mut Vec<u8>,
    /// Code tokens: comments and preprocessor lines left out.
    toks: Vec<Token>,
    depth: u32,
    /// Class of the last significant token (for "statement start"): the
    /// punctuation byte, `x` for a name or literal, `S` after `else`, `do`
    /// or a control header's `)`, `>` after `->`.
    last: u8,
    /// The last identifier token.
    last_ident: Option<usize>,
    /// Stack of open parens; `true` when the paren belongs to a control
    /// keyword (`if (`), so its `)` starts a statement.
    parens: Vec<bool>,
    /// The keyword right before the next `(`.
    pending_control: bool,
}

/// Tokens a pre-pass decision may look at past a `(`: a macro argument
/// list longer than this is left alone.
const MAX_LOOKAHEAD: usize = 64 * 1024;

impl<'a> Scanner<'a> {
    fn new(src: &'a str, tokens: &[Token], out: &'a mut Vec<u8>) -> Self {
        let mut toks = Vec::with_capacity(tokens.len());
        let mut in_directive = false;
        for &t in tokens {
            match t.kind {
                Kind::Hash => in_directive = true,
                Kind::DirectiveEnd => in_directive = false,
                Kind::LineComment | Kind::BlockComment => {}
                _ if !in_directive => toks.push(t),
                _ => {}
            }
        }
        Scanner {
            src,
            out,
            toks,
            depth: 0,
            last: b';',
            last_ident: None,
            parens: Vec::new(),
            pending_control: false,
        }
    }

    fn text(&self, k: usize) -> &'a str {
        self.toks.get(k).map_or("", |t| t.text(self.src))
    }

    fn is(&self, k: usize, p: &str) -> bool {
        self.toks.get(k).is_some_and(|t| t.is_punct(self.src, p))
    }

    fn at_statement_start(&self) -> bool {
        self.depth > 0
            && self.parens.is_empty()
            && (matches!(self.last, b';' | b'{' | b'}' | b':' | b'S'))
    }

    fn run(&mut self) {
        let mut k = 0;
        while k < self.toks.len() {
            let t = self.toks[k];
            k = match t.kind {
                Kind::Ident => self.ident(k),
                Kind::Punct => {
                    self.punct(k);
                    k + 1
                }
                _ => {
                    self.last = b'x';
                    self.pending_control = false;
                    k + 1
                }
            };
        }
    }

    /// Handles the identifier at `k`; returns the index of the next token
    /// to look at.
    fn ident(&mut self, k: usize) -> usize {
        let tok = self.toks[k];
        let name = tok.text(self.src);
        let prev = self.last;
        let after_member = matches!(prev, b'.' | b'>');
        let after_tag = self
            .last_ident
            .is_some_and(|i| matches!(self.text(i), "struct" | "union" | "enum"))
            && prev == b'x';
        if !after_member && !after_tag {
            if let Some(takes_args) = idioms::annotation(name) {
                let (end, next) = match takes_args.then(|| self.matching_paren(k + 1)) {
                    Some(Some(close)) => (self.toks[close].end, close + 1),
                    _ => (tok.end, k + 1),
                };
                blank(self.out, tok.start, end);
                return next;
            }
        }
        if self.depth == 0 && self.parens.is_empty() && self.syscall_define(k) {
            self.last = b'x';
            return k + 1;
        }
        let statement_start = self.at_statement_start();
        if name == "case" {
            self.case_range(k + 1);
        }
        let is_keyword = KEYWORDS.contains(&name);
        if (statement_start || (prev == b'}' && self.depth > 0)) && !is_keyword {
            // `NAME(args) stmt`, or `do { … } for_each_x(…);`
            self.macro_loop(k);
        }
        self.pending_control = matches!(name, "if" | "while" | "for" | "switch");
        self.last = if matches!(name, "else" | "do") {
            b'S'
        } else {
            b'x'
        };
        self.last_ident = Some(k);
        k + 1
    }

    /// The index of the `)` matching a `(` at `open`, if it closes within
    /// `MAX_LOOKAHEAD` bytes and before any `;`, `{` or `}`.
    fn matching_paren(&self, open: usize) -> Option<usize> {
        if !self.is(open, "(") {
            return None;
        }
        let limit = self.toks[open].start + MAX_LOOKAHEAD;
        let mut nest = 0usize;
        for (i, t) in self.toks.iter().enumerate().skip(open) {
            if t.start > limit {
                return None;
            }
            if t.kind != Kind::Punct {
                continue;
            }
            match t.text(self.src) {
                "(" => nest += 1,
                ")" => {
                    nest -= 1;
                    if nest == 0 {
                        return Some(i);
                    }
                }
                ";" | "{" | "}" => return None,
                _ => {}
            }
        }
        None
    }

    /// `NAME(args)` followed by the start of a statement: a loop macro.
    fn macro_loop(&mut self, k: usize) {
        let Some(close) = self.matching_paren(k + 1) else {
            return;
        };
        let Some(next) = self.toks.get(close + 1).copied() else {
            return;
        };
        let name = self.toks[k];
        let name_text = name.text(self.src);
        let iterator = idioms::is_loop_macro(name_text);
        let starts_statement = next.is_punct(self.src, "{")
            || (iterator
                && (next.kind == Kind::Ident
                    || matches!(next.text(self.src), "*" | "++" | "--")
                        && next.kind == Kind::Punct));
        let after_do_body = self.last == b'}' && next.is_punct(self.src, ";") && iterator;
        if (starts_statement || after_do_body) && name_text.len() >= 5 {
            self.out[name.start..name.start + 5].copy_from_slice(b"while");
            blank(self.out, name.start + 5, name.end);
            // The `)` closes a control header: the body starts a statement.
            self.pending_control = true;
        }
    }

    /// `case A ... B:` → `case A  +  B:`.
    fn case_range(&mut self, from: usize) {
        for t in self.toks.iter().skip(from).take(64) {
            if t.kind != Kind::Punct {
                continue;
            }
            match t.text(self.src) {
                ":" | ";" | "{" | "}" => return,
                "..." => {
                    self.out[t.start..t.end].copy_from_slice(b" + ");
                    return;
                }
                _ => {}
            }
        }
    }

    /// `SYSCALL_DEFINEn(name, t1, a1, …) {` → `long    name(t1  a1, …) {`.
    fn syscall_define(&mut self, k: usize) -> bool {
        let tok = self.toks[k];
        if idioms::syscall_prefix(tok.text(self.src)).is_none() {
            return false;
        }
        let open_k = k + 1;
        if !self.is(open_k, "(") || self.toks[open_k].start != tok.end {
            return false;
        }
        let Some(close_k) = self.matching_paren(open_k) else {
            return false;
        };
        if !self.is(close_k + 1, "{") {
            return false;
        }
        let (start, open, close) = (tok.start, self.toks[open_k].start, self.toks[close_k].start);
        // Top-level commas inside the parentheses.
        let mut commas = Vec::new();
        let mut nest = 0;
        for t in &self.toks[open_k + 1..close_k] {
            match t.text(self.src) {
                "(" => nest += 1,
                ")" => nest -= 1,
                "," if nest == 0 => commas.push(t.start),
                _ => {}
            }
        }
        let src = self.src.as_bytes();
        if commas.is_empty() {
            // SYSCALL_DEFINE0(name): shift the name left, then `()`.
            let fname: Vec<u8> = trim(&src[open + 1..close]).to_vec();
            if fname.is_empty()
                || !fname
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return false;
            }
            let mut text = b"long ".to_vec();
            text.extend_from_slice(&fname);
            text.push(b'(');
            let width = close + 1 - start;
            if text.len() + 1 > width {
                return false;
            }
            text.resize(width - 1, b' ');
            text.push(b')');
            self.out[start..close + 1].copy_from_slice(&text);
        } else {
            blank(self.out, start, open + 1);
            self.out[start..start + 4].copy_from_slice(b"long");
            self.out[commas[0]] = b'(';
            for (i, &c) in commas[1..].iter().enumerate() {
                if i % 2 == 0 {
                    self.out[c] = b' ';
                }
            }
        }
        true
    }

    fn punct(&mut self, k: usize) {
        let text = self.text(k);
        match text {
            "{" => {
                self.depth += 1;
                self.parens.clear();
                self.last = b'{';
            }
            "}" => {
                self.depth = self.depth.saturating_sub(1);
                self.parens.clear();
                self.last = b'}';
            }
            "(" => {
                self.parens.push(self.pending_control);
                self.pending_control = false;
                self.last = b'(';
            }
            ")" => {
                let control = self.parens.pop().unwrap_or(false);
                self.last = if control && self.parens.is_empty() {
                    b'S'
                } else {
                    b')'
                };
            }
            ";" => {
                self.last = if self.parens.is_empty() { b';' } else { b',' };
            }
            ":" => {
                self.last = if self.parens.is_empty() { b':' } else { b'x' };
            }
            "->" => self.last = b'>',
            _ => self.last = text.as_bytes().last().copied().unwrap_or(b'x'),
        }
        if text != "(" {
            self.pending_control = false;
        }
    }
}

fn blank(out: &mut [u8], start: usize, end: usize) {
    for b in &mut out[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::prepass;

    fn check(src: &str, expect: &str) {
        let out = prepass(src);
        assert_eq!(String::from_utf8(out).unwrap(), expect);
    }

    #[test]
    fn macro_loop_with_block() {
        check(
            "void f(void) { list_for_each(p, h) { x(); } }",
            "void f(void) { while        (p, h) { x(); } }",
        );
    }

    #[test]
    fn macro_loop_with_statement() {
        check(
            "void f(void) {\n\tfor_each_cpu(c, m)\n\t\tfoo(c);\n}",
            "void f(void) {\n\twhile       (c, m)\n\t\tfoo(c);\n}",
        );
    }

    #[test]
    fn plain_call_untouched() {
        let src = "void f(void) { foo(a); if (x) bar(b); }";
        check(src, src);
    }

    #[test]
    fn annotations_blanked() {
        check(
            "static int __init f(char __user *p) __printf(1, 2);",
            "static int        f(char        *p)               ;",
        );
    }

    #[test]
    fn annotations_after_member_kept() {
        let src = "void f(void) { s->__user = 1; }";
        check(src, src);
    }

    #[test]
    fn case_range() {
        check(
            "void f(int c) { switch (c) { case 'a' ... 'z': break; } }",
            "void f(int c) { switch (c) { case 'a'  +  'z': break; } }",
        );
    }

    #[test]
    fn syscall_define() {
        check(
            "SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)\n{\n}",
            "long            dup2( unsigned int  oldfd, unsigned int  newfd)\n{\n}",
        );
        check(
            "SYSCALL_DEFINE0(getpid)\n{\n}",
            "long getpid(          )\n{\n}",
        );
    }

    #[test]
    fn long_lines_are_blanked() {
        let mut text =
            format!("int t[] = {{{}}};\nint x;\n", "1,".repeat(super::LONG_LINE)).into_bytes();
        let len = text.len();
        assert_eq!(super::blank_long_lines(&mut text), vec![1]);
        assert_eq!(text.len(), len);
        assert!(String::from_utf8(text)
            .unwrap()
            .starts_with("int t[] = {  "));
    }

    #[test]
    fn strings_and_comments_untouched() {
        let src = "/* __init */ char *s = \"__user\"; // __iomem\n";
        check(src, src);
    }

    #[test]
    fn do_while_macro() {
        check(
            "void f(void) { do { x(); } for_each_y(a, b); }",
            "void f(void) { do { x(); } while     (a, b); }",
        );
    }
}
