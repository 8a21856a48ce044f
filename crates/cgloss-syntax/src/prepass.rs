//! The offset-preserving pre-pass: rewrites kernel idioms that tree-sitter-c
//! misparses into plain C of exactly the same length, so every byte offset,
//! line and column of the tree still points into the original file.
//!
//! - macro loops at statement start (`list_for_each_entry(p, h, m) {`): the
//!   name becomes `while` padded with spaces;
//! - annotation macros (`__init`, `__user`, `__printf(1, 2)`): blanked;
//! - GNU case ranges `case A ... B:`: `...` becomes ` + `;
//! - `SYSCALL_DEFINEn(name, type, arg, …) {`: becomes `long name(type arg, …) {`;
//! - words of a function header that can only be macros (`LUA_API int f(`,
//!   `GIT_EXTERN(int) f(`, `CURL_EXTERN CURL *f(`): blanked (a wrapper's
//!   argument kept), the header's words recorded as `Header`s, which
//!   linking reads with the tree's `#define`s.
//!
//! The renderer reads names back from the original text, so it knows which
//! `while` was a macro and which `+` was a range.

use cgloss_facts::TypeWord;

use crate::idioms;
use crate::lex::{Kind, Token};

/// A file-scope function header whose return type has more type names than
/// C allows (`LUA_API int`, `uLong ZEXPORT`, `CURL_EXTERN CURL *`) or a
/// macro call before the name (`GIT_EXTERN(int)`): what tree-sitter cannot
/// read. The pre-pass blanks the extra words; which of them are macros
/// expanding to no type only the whole tree's `#define`s tell, at linking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Byte offset of the header's first word.
    pub start: usize,
    /// Byte offset of the function's name.
    pub name: usize,
    /// The return type's words as written, storage classes and attributes
    /// left out.
    pub words: Vec<TypeWord>,
}

/// Keywords of a return type.
const TYPE_KEYWORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
    "_Complex",
];

/// Qualifiers of a return type.
const QUALIFIERS: &[&str] = &["const", "volatile", "restrict", "__restrict", "_Atomic"];

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
    prepass_tokens(src, &crate::lex::tokenize(src)).0
}

/// `prepass` with the lexer's tokens of `src` at hand. Also returns the
/// byte ranges of the `#if` alternatives of function headers it blanked
/// (see `alternative_headers`), which a prototype leaves out.
/// And the `Header`s it blanked words of, by name offset.
pub fn prepass_tokens(src: &str, tokens: &[Token]) -> (Vec<u8>, Vec<(usize, usize)>, Vec<Header>) {
    let mut out = src.as_bytes().to_vec();
    let mut scanner = Scanner::new(src, tokens, &mut out);
    scanner.run();
    let alternatives = std::mem::take(&mut scanner.alternatives);
    let headers = std::mem::take(&mut scanner.headers);
    debug_assert_eq!(out.len(), src.len());
    (out, alternatives, headers)
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
    /// For each code token, whether a directive line stands between it
    /// and the code token before it.
    after_directive: Vec<bool>,
    depth: u32,
    /// For each open `{`, whether it opens a struct or union body.
    records: Vec<bool>,
    /// For each open `{`, whether it opens an `extern "C"` block (whose
    /// contents are at file scope: `depth` does not count it).
    linkage: Vec<bool>,
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
    /// At file scope, only `static`/`const`/`extern` since the last
    /// statement start.
    specifiers_only: bool,
    /// The token after the last generator call blanked (it still starts a
    /// statement).
    blanked_to: usize,
    /// The alternative headers blanked, `(start, end)`.
    alternatives: Vec<(usize, usize)>,
    /// Headers whose macro words were blanked, in order.
    headers: Vec<Header>,
}

/// Tokens a pre-pass decision may look at past a `(`: a macro argument
/// list longer than this is left alone.
const MAX_LOOKAHEAD: usize = 64 * 1024;

impl<'a> Scanner<'a> {
    fn new(src: &'a str, tokens: &[Token], out: &'a mut Vec<u8>) -> Self {
        let alternatives = alternative_headers(src, tokens);
        for &(start, end) in &alternatives {
            blank(out, start, end);
        }
        let mut toks = Vec::with_capacity(tokens.len());
        let mut after_directive = Vec::with_capacity(tokens.len());
        let mut in_directive = false;
        let mut seen_directive = false;
        let mut alt = alternatives.iter().peekable();
        for &t in tokens {
            while alt.peek().is_some_and(|&&(_, end)| end <= t.start) {
                alt.next();
            }
            if alt.peek().is_some_and(|&&(start, _)| start <= t.start) {
                continue;
            }
            match t.kind {
                Kind::Hash => {
                    in_directive = true;
                    seen_directive = true;
                }
                Kind::DirectiveEnd => in_directive = false,
                // tree-sitter ends a `#define` at a block comment inside
                // it (its `preproc_arg` cannot hold `/*`); blanked, with a
                // `\` before each newline the comment spans, the
                // directive runs on. Docs are read from the original.
                Kind::BlockComment if in_directive => {
                    blank(out, t.start, t.end);
                    for i in t.start + 1..t.end {
                        if out[i] == b'\n' {
                            out[i - 1] = b'\\';
                        }
                    }
                }
                Kind::LineComment | Kind::BlockComment => {}
                _ if !in_directive => {
                    toks.push(t);
                    after_directive.push(std::mem::take(&mut seen_directive));
                }
                _ => {}
            }
        }
        Scanner {
            src,
            out,
            toks,
            after_directive,
            depth: 0,
            records: Vec::new(),
            linkage: Vec::new(),
            last: b';',
            last_ident: None,
            parens: Vec::new(),
            pending_control: false,
            specifiers_only: true,
            blanked_to: usize::MAX,
            alternatives,
            headers: Vec::new(),
        }
    }

    fn kind(&self, k: usize) -> Option<Kind> {
        self.toks.get(k).map(|t| t.kind)
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
                    self.specifiers_only = false;
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
            match idioms::annotation(name) {
                Some(false) => {
                    blank(self.out, tok.start, tok.end);
                    return k + 1;
                }
                Some(true) => {
                    if let Some(close) = self.matching_paren(k + 1) {
                        blank(self.out, tok.start, self.toks[close].end);
                        return close + 1;
                    }
                }
                None => {}
            }
        }
        if self.depth == 0 && self.parens.is_empty() && self.syscall_define(k) {
            self.last = b'x';
            self.specifiers_only = false;
            return k + 1;
        }
        if let Some(next) = self.macro_header(k) {
            self.last = b'x';
            self.specifiers_only = false;
            self.last_ident = Some(next - 1);
            return next;
        }
        let is_keyword = KEYWORDS.contains(&name);
        if !is_keyword && !after_member {
            if let Some(next) = self.generator_call(k) {
                return next;
            }
            self.variable_macro(k);
            self.macro_in_parameters(k);
        }
        self.specifiers_only &= matches!(name, "static" | "const" | "extern");
        let statement_start = self.at_statement_start();
        if name == "case" {
            self.case_range(k + 1);
        }
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

    /// A function header from `k` (at file scope, where a declaration
    /// starts) with more type names than C allows or a macro call before
    /// its name (see `Header`): the extra words are blanked — all of them
    /// when a keyword, a tag or a wrapper names the type, else all but the
    /// last —, a wrapper's name and parentheses too (its argument is the
    /// type), and the header recorded. Returns the index of the name.
    fn macro_header(&mut self, k: usize) -> Option<usize> {
        if self.depth != 0 || !self.parens.is_empty() || !self.specifiers_only {
            return None;
        }
        enum Piece {
            Text(String),
            Name(usize),
            Wrapper(usize, usize),
        }
        let mut pieces = Vec::new();
        let mut annotations = Vec::new();
        let mut typed = false;
        let mut attribute_call = false;
        let mut j = k;
        let mut start = k;
        let name = loop {
            let t = *self.toks.get(j)?;
            if (j > k && self.after_directive[j]) || j - k > 64 {
                return None;
            }
            // `LUA_API int (lua_gettop) (lua_State *L);`
            let named_in_parens = t.is_punct(self.src, "(")
                && self.kind(j + 1) == Some(Kind::Ident)
                && self.is(j + 2, ")")
                && self.is(j + 3, "(");
            if named_in_parens {
                break j + 1;
            }
            // Names before a blank line or a comment (`GIT_BEGIN_DECL`, then
            // a function's doc) are no part of its type: blanked only.
            if j > start {
                let gap = &self.src[self.toks[j - 1].end..t.start];
                let apart =
                    gap.contains("/*") || gap.contains("//") || gap.matches('\n').count() > 1;
                if apart && pieces.iter().all(|p| matches!(p, Piece::Name(_))) {
                    for p in pieces.drain(..) {
                        if let Piece::Name(n) = p {
                            annotations.push((self.toks[n].start, self.toks[n].end));
                        }
                    }
                    start = j;
                }
            }
            let text = t.text(self.src);
            if t.is_punct(self.src, "*") {
                pieces.push(Piece::Text("*".to_string()));
                j += 1;
                continue;
            }
            if t.kind != Kind::Ident {
                return None;
            }
            match idioms::annotation(text) {
                Some(false) => {
                    annotations.push((t.start, t.end));
                    j += 1;
                    continue;
                }
                Some(true) if self.is(j + 1, "(") => {
                    let close = self.matching_paren(j + 1)?;
                    annotations.push((t.start, self.toks[close].end));
                    j = close + 1;
                    continue;
                }
                _ => {}
            }
            if cgloss_facts::STORAGE_WORDS.contains(&text) {
                j += 1;
            } else if TYPE_KEYWORDS.contains(&text) || QUALIFIERS.contains(&text) {
                typed |= TYPE_KEYWORDS.contains(&text);
                pieces.push(Piece::Text(text.to_string()));
                j += 1;
            } else if matches!(text, "struct" | "union" | "enum") {
                let tag = self.toks.get(j + 1).filter(|t| t.kind == Kind::Ident)?;
                if self.is(j + 2, "{") {
                    return None;
                }
                pieces.push(Piece::Text(format!("{text} {}", tag.text(self.src))));
                typed = true;
                j += 2;
            } else if matches!(text, "__attribute__" | "__attribute" | "__declspec") {
                j = self.matching_paren(j + 1)? + 1;
            } else if text == "typedef" || KEYWORDS.contains(&text) {
                return None;
            } else if self.is(j + 1, "(") {
                let close = self.matching_paren(j + 1)?;
                let next = self.toks.get(close + 1)?;
                let same_line = !self.src[self.toks[close].end..next.start].contains('\n');
                let continues = next.kind == Kind::Ident || next.is_punct(self.src, "*");
                if self.type_like(j + 2, close) && same_line && continues {
                    pieces.push(Piece::Wrapper(j, close));
                    j = close + 1;
                } else if typed && same_line && next.kind == Kind::Ident && self.is(close + 2, "(")
                {
                    // `static unsigned int ALIGNED_(32) name(…)`: a macro
                    // call between the type and the name is an attribute.
                    annotations.push((t.start, self.toks[close].end));
                    attribute_call = true;
                    j = close + 1;
                } else {
                    break j;
                }
            } else {
                pieces.push(Piece::Name(j));
                j += 1;
            }
        };
        // `deflate OF((z_streamp strm))`: an old prototype macro, not a name.
        let open = if self.is(name + 1, ")") {
            name + 2
        } else {
            name + 1
        };
        if self.is(open + 1, "(") {
            return None;
        }
        let names = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Name(_)))
            .count();
        let wrappers = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Wrapper(..)))
            .count();
        if !(wrappers > 0 || (names >= 1 && typed) || names >= 2 || attribute_call) {
            return None;
        }
        let keep_last = !typed && wrappers == 0;
        let last_name = pieces
            .iter()
            .rposition(|p| matches!(p, Piece::Name(_)))
            .filter(|_| keep_last);
        for (start, end) in annotations {
            blank(self.out, start, end);
        }
        let mut words = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.into_iter().enumerate() {
            words.push(match piece {
                Piece::Text(t) => TypeWord::Text(t),
                Piece::Name(n) => {
                    if Some(i) != last_name {
                        blank(self.out, self.toks[n].start, self.toks[n].end);
                    }
                    TypeWord::Name(self.text(n).to_string())
                }
                Piece::Wrapper(w, close) => {
                    let (open, close) = (self.toks[w + 1], self.toks[close]);
                    blank(self.out, self.toks[w].start, open.end);
                    blank(self.out, close.start, close.end);
                    TypeWord::Wrapper {
                        name: self.text(w).to_string(),
                        arg: crate::tree::clean(&self.src[open.end..close.start]),
                    }
                }
            });
        }
        self.headers.push(Header {
            start: self.toks[start].start,
            name: self.toks[name].start,
            words,
        });
        Some(name)
    }

    /// Whether tokens `from..to` read as a type: names and stars only.
    fn type_like(&self, from: usize, to: usize) -> bool {
        from < to
            && self.toks[from..to].iter().all(|t| {
                let text = t.text(self.src);
                let keyword =
                    KEYWORDS.contains(&text) && !matches!(text, "struct" | "union" | "enum");
                (t.kind == Kind::Ident && !keyword) || t.is_punct(self.src, "*")
            })
            && self.toks[from..to].iter().any(|t| t.kind == Kind::Ident)
    }

    /// A call of a macro that generates declarations, written without `;`
    /// where a declaration starts — at file scope (`ATOMIC64_OPS(add, +=)`,
    /// `_PCI_NOP_ALL(read, *)`, `EXPORT_SYMBOL(x)` missing its `;`) or
    /// where a struct member starts (`ESTACKS_MEMBERS(0, 0)`) — and
    /// followed by a name, `}`, a directive or the end: blanked, as
    /// tree-sitter otherwise fuses it with what follows and loses the next
    /// definitions. Returns the token to go on from.
    fn generator_call(&mut self, k: usize) -> Option<usize> {
        if !self.parens.is_empty() || !self.is(k + 1, "(") {
            return None;
        }
        let after_break = self.after_directive[k] || self.blanked_to == k;
        let file_scope = self.depth == 0 && (matches!(self.last, b';' | b'}') || after_break);
        let in_record = self.records.last() == Some(&true);
        let member =
            self.depth > 0 && in_record && (matches!(self.last, b';' | b'{') || after_break);
        if !(file_scope || member) || idioms::function_macro(self.text(k)).is_some() {
            return None;
        }
        let close = self.matching_paren(k + 1)?;
        let next = close + 1;
        let ends = match self.kind(next) {
            None => true,
            Some(Kind::Ident) => !(file_scope && self.old_style_parameters(next)),
            Some(Kind::Punct) => self.is(next, "}") || self.after_directive[next],
            Some(_) => self.after_directive[next],
        };
        if !ends {
            return None;
        }
        blank(self.out, self.toks[k].start, self.toks[close].end);
        self.blanked_to = next;
        Some(next)
    }

    /// Whether the tokens from `k` are the parameter declarations of a
    /// K&R definition (`int a; char *b; {`), which an old-style header
    /// without a return type (`f(a, b)`) is followed by.
    fn old_style_parameters(&self, k: usize) -> bool {
        let mut saw_semicolon = false;
        for t in self.toks.iter().skip(k).take(256) {
            match (t.kind, t.text(self.src)) {
                (Kind::Punct, "{") => return saw_semicolon,
                (Kind::Punct, ";") => saw_semicolon = true,
                (Kind::Ident | Kind::Number, _) => {}
                (Kind::Punct, "*" | "," | "[" | "]") => {}
                _ => return false,
            }
        }
        false
    }

    /// `[static] [const] NAME(var, 0, 0, ITEM(…), …);` at file scope — a
    /// macro defining `var` from values, not types: tree-sitter can only
    /// read `NAME(` there as a type macro and its error runs on. The
    /// arguments after `var` are blanked, leaving `NAME(var);`, which reads
    /// as a variable `var` (like `DEFINE_MUTEX(m)`).
    fn variable_macro(&mut self, k: usize) {
        if self.depth != 0 || !self.parens.is_empty() || !self.specifiers_only {
            return;
        }
        let name = self.text(k);
        if !self.is(k + 1, "(") || idioms::idiom(name) == Some(idioms::Idiom::DefinesTypedVariable)
        {
            return;
        }
        let Some(close) = self.matching_paren(k + 1) else {
            return;
        };
        if !(self.is(close + 1, ";") || self.is(close + 1, "=")) {
            return;
        }
        let first_is_name =
            close > k + 3 && self.kind(k + 2) == Some(Kind::Ident) && self.is(k + 3, ",");
        if !first_is_name {
            return;
        }
        let values = self.toks[k + 3..close].iter().any(|t| {
            matches!(t.kind, Kind::Number | Kind::Str | Kind::Char)
                || t.is_punct(self.src, "(")
                || t.is_punct(self.src, "{")
        });
        if values {
            blank(self.out, self.toks[k + 3].start, self.toks[close].start);
        }
    }

    /// `void __user *addr ___ARCH_SI_TRAPNO(int trapno), struct task *t)`:
    /// a macro right after a parameter's name, inside a file-scope
    /// parameter list, expands to more parameters or to nothing; blanked.
    fn macro_in_parameters(&mut self, k: usize) {
        if self.depth != 0 || self.parens.len() != 1 || k < 2 || !self.is(k + 1, "(") {
            return;
        }
        let named_param =
            self.kind(k - 1) == Some(Kind::Ident) && !(self.is(k - 2, "(") || self.is(k - 2, ","));
        if !named_param {
            return;
        }
        if let Some(close) = self.matching_paren(k + 1) {
            blank(self.out, self.toks[k].start, self.toks[close].end);
        }
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
            // `extern "C" {` holds file-scope declarations.
            "{" if k >= 2
                && self.kind(k - 1) == Some(Kind::Str)
                && self.text(k - 2) == "extern" =>
            {
                self.parens.clear();
                self.last = b';';
                self.records.push(false);
                self.linkage.push(true);
                self.pending_control = false;
                self.specifiers_only = self.depth == 0;
                return;
            }
            "{" => {
                self.depth += 1;
                self.parens.clear();
                self.last = b'{';
                self.linkage.push(false);
                let before = |i: usize| k.checked_sub(i).map_or("", |j| self.text(j));
                let record = matches!(before(1), "struct" | "union")
                    || matches!(before(2), "struct" | "union")
                        && self.kind(k - 1) == Some(Kind::Ident);
                self.records.push(record);
            }
            "}" => {
                if self.linkage.pop() != Some(true) {
                    self.depth = self.depth.saturating_sub(1);
                }
                self.parens.clear();
                self.last = b'}';
                self.records.pop();
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
        self.specifiers_only = self.depth == 0 && matches!(text, ";" | "}");
    }
}

/// Byte ranges to blank where a function header is written in `#if`
/// alternatives (`SYSCALL_DEFINE5(clone, …)` in four variants over one
/// body, or `#if` inside a parameter list): for a group at file scope none
/// of whose branches holds `;`, `{` or `}`, and which a `{` follows (or
/// which stands inside parentheses), its directive lines and every branch
/// but the first. The first alternative is the one ctags reports.
fn alternative_headers(src: &str, tokens: &[Token]) -> Vec<(usize, usize)> {
    struct Group {
        depth: i32,
        in_parens: bool,
        /// `(hash, end)` of each directive line of the group.
        lines: Vec<(usize, usize)>,
        code: usize,
        ok: bool,
    }
    let mut out = Vec::new();
    let mut open: Vec<Group> = Vec::new();
    let (mut depth, mut parens) = (0i32, 0i32);
    let mut k = 0;
    while k < tokens.len() {
        let t = tokens[k];
        match t.kind {
            Kind::Hash => {
                let end_k = tokens[k..]
                    .iter()
                    .position(|t| t.kind == Kind::DirectiveEnd)
                    .map_or(tokens.len(), |e| k + e);
                let end = tokens.get(end_k).map_or(src.len(), |t| t.start);
                let word = tokens
                    .get(k + 1)
                    .filter(|_| k + 1 < end_k)
                    .map_or("", |w| w.text(src));
                match word {
                    "if" | "ifdef" | "ifndef" => {
                        if let Some(g) = open.last_mut() {
                            g.ok = false;
                        }
                        open.push(Group {
                            depth,
                            in_parens: parens > 0,
                            lines: vec![(t.start, end)],
                            code: 0,
                            ok: true,
                        });
                    }
                    "elif" | "else" | "elifdef" | "elifndef" => {
                        if let Some(g) = open.last_mut() {
                            g.lines.push((t.start, end));
                        }
                    }
                    "endif" => {
                        if let Some(mut g) = open.pop() {
                            g.lines.push((t.start, end));
                            let next = tokens[end_k.min(tokens.len())..]
                                .iter()
                                .find(|t| !t.is_comment() && t.kind != Kind::DirectiveEnd);
                            let before_body = next.is_some_and(|n| n.is_punct(src, "{"));
                            if g.ok
                                && g.depth == 0
                                && g.lines.len() > 2
                                && g.code > 0
                                && (before_body || g.in_parens)
                            {
                                for &(hash, end) in &g.lines {
                                    out.push((hash, end));
                                }
                                // Every branch after the first.
                                for w in g.lines[1..].windows(2) {
                                    out.push((w[0].1, w[1].0));
                                }
                            }
                        }
                    }
                    _ => {}
                }
                k = end_k + 1;
                continue;
            }
            Kind::LineComment | Kind::BlockComment | Kind::DirectiveEnd => {}
            _ => {
                if let Some(g) = open.last_mut() {
                    g.code += 1;
                }
                match t.text(src) {
                    "{" | "}" | ";" if t.kind == Kind::Punct => {
                        for g in &mut open {
                            g.ok = false;
                        }
                        depth += if t.text(src) == "{" {
                            1
                        } else if t.text(src) == "}" {
                            -1
                        } else {
                            0
                        };
                    }
                    "(" if t.kind == Kind::Punct => parens += 1,
                    ")" if t.kind == Kind::Punct => parens -= 1,
                    _ => {}
                }
            }
        }
        k += 1;
    }
    out.sort_unstable();
    out
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

    /// The pre-passed text and the return types recorded.
    fn headers(src: &str) -> (String, Vec<String>) {
        let (out, _, headers) = super::prepass_tokens(src, &crate::lex::tokenize(src));
        let words = headers
            .iter()
            .map(|h| {
                let w: Vec<String> = h.words.iter().map(|w| format!("{w:?}")).collect();
                w.join(" ")
            })
            .collect();
        (String::from_utf8(out).unwrap(), words)
    }

    #[test]
    fn macro_words_of_headers() {
        assert_eq!(
            headers("LUA_API int lua_gettop (lua_State *L);"),
            (
                "        int lua_gettop (lua_State *L);".to_string(),
                vec![r#"Name("LUA_API") Text("int")"#.to_string()]
            )
        );
        assert_eq!(
            headers("GIT_EXTERN(const char *) git_x(void) { }"),
            (
                "           const char *  git_x(void) { }".to_string(),
                vec![r#"Wrapper { name: "GIT_EXTERN", arg: "const char *" }"#.to_string()]
            )
        );
        // Which of two names is the type only the tree tells: the last is
        // left to the grammar, both are recorded.
        assert_eq!(
            headers("static uLong ZEXPORT f(uLong n) { }").0,
            "static       ZEXPORT f(uLong n) { }"
        );
        assert_eq!(
            headers("GIT_BEGIN_DECL\n\n/** Open. */\nGIT_EXTERN(int) f(void);"),
            (
                "              \n\n/** Open. */\n           int  f(void);".to_string(),
                vec![r#"Wrapper { name: "GIT_EXTERN", arg: "int" }"#.to_string()]
            )
        );
        assert_eq!(
            headers("extern \"C\" {\nLUA_API int (lua_gettop) (lua_State *L);\n}").0,
            "extern \"C\" {\n        int (lua_gettop) (lua_State *L);\n}"
        );
        assert_eq!(
            headers("CURL_EXTERN struct Curl_easy *curl_easy_init(void);"),
            (
                "            struct Curl_easy *curl_easy_init(void);".to_string(),
                vec![r#"Name("CURL_EXTERN") Text("struct Curl_easy") Text("*")"#.to_string()]
            )
        );
    }

    #[test]
    fn plain_headers_untouched() {
        for src in [
            "static inline struct task *f(void) { }",
            "unsigned long g(int a);",
            "u32 h(void) { }",
            "typedef int fn_t(int);",
            "int k(a, b) int a; char *b; { }",
            "EXPORT_SYMBOL(x);\nint y(void);",
            "ZEXTERN int ZEXPORT deflate OF((z_streamp strm));",
            "void f(int a) __attribute__((noreturn));",
            "LUA_API int x;",
        ] {
            assert_eq!(headers(src), (src.to_string(), vec![]), "{src}");
        }
    }

    #[test]
    fn do_while_macro() {
        check(
            "void f(void) { do { x(); } for_each_y(a, b); }",
            "void f(void) { do { x(); } while     (a, b); }",
        );
    }
}
