//! The one C lexer every hand-written scanner of cgloss builds on: a token
//! iterator over the original text (identifiers, numbers, string and
//! character literals, comments, punctuation, and the bounds of
//! preprocessor directives), with line continuations and CRLF handled here
//! once.
//!
//! The rules follow C's translation phases closely enough for an index,
//! without a preprocessor:
//! - a backslash before a newline (`\` `\n` or `\` `\r\n`) joins lines: it is
//!   blank space between tokens, and it continues a string, a character
//!   literal, a `//` comment or a directive;
//! - a string or character literal ends at its closing quote or, when
//!   unterminated, at the end of its (joined) line — an apostrophe in
//!   `#error don't` or in `#if 0` prose never swallows the next lines;
//! - a directive starts with `#` as the first token of a line and ends at
//!   the first newline that is neither escaped nor inside a block comment;
//!   its tokens come between `Hash` and `DirectiveEnd`.
//!
//! Offsets are byte offsets into the text; lines are 1-based.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A name or keyword.
    Ident,
    /// A preprocessing number (`0x1f`, `1e-3`, `10UL`).
    Number,
    /// A string literal, quotes included (an `L`/`u8` prefix is an `Ident`
    /// before it).
    Str,
    /// A character literal, quotes included.
    Char,
    /// `// …` (with its continuations).
    LineComment,
    /// `/* … */` (unterminated: to the end of the text).
    BlockComment,
    /// An operator or other punctuation: `->`, `...`, `##`, `<<=`, or one
    /// byte.
    Punct,
    /// The `#` that opens a directive.
    Hash,
    /// Zero-width, where a directive ends (its newline, or the end of text).
    DirectiveEnd,
}

/// One token: its kind, its bytes `start..end` and the line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// First byte.
    pub start: usize,
    /// Byte after the last.
    pub end: usize,
    /// Line of the first byte (1-based).
    pub line: u32,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// Whether it is a comment.
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment | Kind::BlockComment)
    }

    /// Whether it is punctuation spelled `p`.
    pub fn is_punct(&self, src: &str, p: &str) -> bool {
        self.kind == Kind::Punct && self.text(src) == p
    }
}

/// Multi-byte operators, longest first within each first byte.
const OPERATORS: &[&str] = &[
    "...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "##",
];

/// The token iterator; see the module docs.
pub struct Lexer<'a> {
    src: &'a [u8],
    end: usize,
    pos: usize,
    line: u32,
    /// No token yet on the current (joined) line.
    line_start: bool,
    in_directive: bool,
}

impl<'a> Lexer<'a> {
    /// Tokens of the whole text.
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer {
            src: src.as_bytes(),
            end: src.len(),
            pos: 0,
            line: 1,
            line_start: true,
            in_directive: false,
        }
    }

    /// Tokens of `src[start..end]`, where `start` is a token boundary
    /// outside any directive and `line` is the line of `start`.
    pub fn range(src: &'a str, start: usize, end: usize, line: u32) -> Lexer<'a> {
        let end = end.min(src.len());
        let b = src.as_bytes();
        let line_start = b[..start.min(end)]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|c| c.is_ascii_whitespace());
        Lexer {
            src: b,
            end,
            pos: start.min(end),
            line,
            line_start,
            in_directive: false,
        }
    }

    /// The current byte offset (the end of the last token, or beyond the
    /// blank space after it).
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn peek(&self, k: usize) -> Option<u8> {
        let i = self.pos + k;
        (i < self.end).then(|| self.src[i])
    }

    /// Length of a line continuation at `i` (`\` + newline), or 0.
    fn continuation_at(&self, i: usize) -> usize {
        if i >= self.end || self.src[i] != b'\\' {
            return 0;
        }
        match (self.src.get(i + 1), self.src.get(i + 2)) {
            (Some(b'\n'), _) if i + 1 < self.end => 2,
            (Some(b'\r'), Some(b'\n')) if i + 2 < self.end => 3,
            _ => 0,
        }
    }

    /// Skips blank space and continuations; stops at a newline that ends a
    /// directive (returning true) or at the next token.
    fn skip_blank(&mut self) -> bool {
        while self.pos < self.end {
            match self.src[self.pos] {
                b'\n' => {
                    if self.in_directive {
                        return true;
                    }
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = true;
                }
                b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c' => self.pos += 1,
                b'\\' => match self.continuation_at(self.pos) {
                    0 => return false,
                    n => {
                        self.pos += n;
                        self.line += 1;
                    }
                },
                _ => return false,
            }
        }
        false
    }

    /// Advances over a quoted literal starting at `self.pos`.
    fn quoted(&mut self, quote: u8) {
        self.pos += 1;
        while self.pos < self.end {
            match self.src[self.pos] {
                b'\\' => match self.continuation_at(self.pos) {
                    0 => {
                        // An escape; never past a newline.
                        self.pos += if self.peek(1).is_some_and(|c| c != b'\n') {
                            2
                        } else {
                            1
                        };
                    }
                    n => {
                        self.pos += n;
                        self.line += 1;
                    }
                },
                b'\n' => return,
                c => {
                    self.pos += 1;
                    if c == quote {
                        return;
                    }
                }
            }
        }
        self.pos = self.pos.min(self.end);
    }

    fn block_comment(&mut self) {
        self.pos += 2;
        while self.pos < self.end {
            match self.src[self.pos] {
                b'*' if self.peek(1) == Some(b'/') => {
                    self.pos += 2;
                    return;
                }
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn line_comment(&mut self) {
        while self.pos < self.end {
            match self.src[self.pos] {
                b'\n' => return,
                b'\\' => match self.continuation_at(self.pos) {
                    0 => self.pos += 1,
                    n => {
                        self.pos += n;
                        self.line += 1;
                    }
                },
                _ => self.pos += 1,
            }
        }
    }

    fn number(&mut self) {
        while self.pos < self.end {
            let c = self.src[self.pos];
            if matches!(c, b'e' | b'E' | b'p' | b'P') && matches!(self.peek(1), Some(b'+' | b'-')) {
                self.pos += 2;
            } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'\'' {
                // `'` separates digits in C23 (`1'000`); keep it in the number
                // only between digits.
                if c == b'\'' && !self.peek(1).is_some_and(|d| d.is_ascii_alphanumeric()) {
                    return;
                }
                self.pos += 1;
            } else {
                return;
            }
        }
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if self.skip_blank() {
            // The newline ending a directive.
            self.in_directive = false;
            return Some(Token {
                kind: Kind::DirectiveEnd,
                start: self.pos,
                end: self.pos,
                line: self.line,
            });
        }
        if self.pos >= self.end {
            if self.in_directive {
                self.in_directive = false;
                return Some(Token {
                    kind: Kind::DirectiveEnd,
                    start: self.end,
                    end: self.end,
                    line: self.line,
                });
            }
            return None;
        }
        let start = self.pos;
        let line = self.line;
        let b = self.src[start];
        let kind = match b {
            b'/' if self.peek(1) == Some(b'*') => {
                self.block_comment();
                Kind::BlockComment
            }
            b'/' if self.peek(1) == Some(b'/') => {
                self.line_comment();
                Kind::LineComment
            }
            b'#' if self.line_start && !self.in_directive => {
                self.pos += 1;
                self.in_directive = true;
                Kind::Hash
            }
            b'"' | b'\'' => {
                self.quoted(b);
                if b == b'"' {
                    Kind::Str
                } else {
                    Kind::Char
                }
            }
            b'0'..=b'9' => {
                self.number();
                Kind::Number
            }
            b'.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => {
                self.number();
                Kind::Number
            }
            _ if is_ident_start(b) => {
                while self.pos < self.end && is_ident_continue(self.src[self.pos]) {
                    self.pos += 1;
                }
                Kind::Ident
            }
            _ => {
                let rest = &self.src[start..self.end];
                let len = OPERATORS
                    .iter()
                    .find(|op| rest.starts_with(op.as_bytes()))
                    .map_or(1, |op| op.len());
                // Never split a UTF-8 sequence (stray non-ASCII is an identifier
                // byte above, so this is ASCII).
                self.pos += len;
                Kind::Punct
            }
        };
        if !matches!(kind, Kind::BlockComment | Kind::LineComment) {
            self.line_start = false;
        }
        Some(Token {
            kind,
            start,
            end: self.pos,
            line,
        })
    }
}

/// All tokens of `src` in a vector.
pub fn tokenize(src: &str) -> Vec<Token> {
    Lexer::new(src).collect()
}

/// The line after the last line a token covers (for multi-line comments and
/// continued literals): its start line plus the newlines inside it.
pub fn end_line(src: &str, t: &Token) -> u32 {
    t.line
        + src.as_bytes()[t.start..t.end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        Lexer::new(src).map(|t| (t.kind, t.text(src))).collect()
    }

    #[test]
    fn basic_tokens() {
        use Kind::*;
        assert_eq!(
            kinds("a->b += 0x1fUL; s = \"x\\\"y\"; c = '\\''; f(...);"),
            vec![
                (Ident, "a"),
                (Punct, "->"),
                (Ident, "b"),
                (Punct, "+="),
                (Number, "0x1fUL"),
                (Punct, ";"),
                (Ident, "s"),
                (Punct, "="),
                (Str, "\"x\\\"y\""),
                (Punct, ";"),
                (Ident, "c"),
                (Punct, "="),
                (Char, "'\\''"),
                (Punct, ";"),
                (Ident, "f"),
                (Punct, "("),
                (Punct, "..."),
                (Punct, ")"),
                (Punct, ";"),
            ]
        );
    }

    #[test]
    fn directives_end_at_unescaped_newline() {
        use Kind::*;
        let src = "#define A(x) \\\n\t(x) /* a\ncomment */ + 1\nint y;\n";
        assert_eq!(
            kinds(src),
            vec![
                (Hash, "#"),
                (Ident, "define"),
                (Ident, "A"),
                (Punct, "("),
                (Ident, "x"),
                (Punct, ")"),
                (Punct, "("),
                (Ident, "x"),
                (Punct, ")"),
                (BlockComment, "/* a\ncomment */"),
                (Punct, "+"),
                (Number, "1"),
                (DirectiveEnd, ""),
                (Ident, "int"),
                (Ident, "y"),
                (Punct, ";"),
            ]
        );
        let lines: Vec<u32> = Lexer::new(src).map(|t| t.line).collect();
        assert_eq!(lines[6], 2, "after the continuation");
        assert_eq!(lines[13], 4);
    }

    #[test]
    fn hash_only_at_line_start() {
        let src = "x = a # b;\n  # if X\n";
        let hashes: Vec<Token> = Lexer::new(src).filter(|t| t.kind == Kind::Hash).collect();
        assert_eq!(hashes.len(), 1);
        assert_eq!(hashes[0].line, 2);
    }

    #[test]
    fn unterminated_literals_stop_at_the_line_end() {
        let src = "#error don't do this\n/* doc */\nint f;\n";
        let t: Vec<(Kind, &str)> = kinds(src);
        assert!(t.contains(&(Kind::BlockComment, "/* doc */")), "{t:?}");
        let src = "#if 0\nit's prose\n#endif\n// c\nint g;\n";
        assert!(kinds(src).contains(&(Kind::LineComment, "// c")));
    }

    #[test]
    fn continued_strings_and_comments() {
        let src = "#error \"a long \\\nmessage\"\n/* doc */ int x; // one \\\ntwo\nint y;\n";
        let t = kinds(src);
        assert!(t.contains(&(Kind::Str, "\"a long \\\nmessage\"")), "{t:?}");
        assert!(t.contains(&(Kind::BlockComment, "/* doc */")));
        assert!(t.contains(&(Kind::LineComment, "// one \\\ntwo")));
        let y = Lexer::new(src).find(|t| t.text(src) == "y").unwrap();
        assert_eq!(y.line, 5);
    }

    #[test]
    fn crlf() {
        let src = "#define A 1\r\n#define B \\\r\n 2\r\nint c;\r\n";
        let t = kinds(src);
        assert_eq!(
            t.iter().filter(|(k, _)| *k == Kind::DirectiveEnd).count(),
            2
        );
        assert!(t.contains(&(Kind::Number, "2")));
        let c = Lexer::new(src).find(|t| t.text(src) == "c").unwrap();
        assert_eq!(c.line, 4);
    }

    #[test]
    fn range_starts_mid_text() {
        let src = "int f(void)\n{\n\treturn g(1);\n}\n";
        let open = src.find('{').unwrap();
        let t: Vec<&str> = Lexer::range(src, open, src.len(), 2)
            .map(|t| t.text(src))
            .collect();
        assert_eq!(t, ["{", "return", "g", "(", "1", ")", ";", "}"]);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            "\\",
            "'",
            "\"",
            "/*",
            "#",
            "\\\r",
            "a\\\n",
            "é'\n",
            "1e+",
            "\r\n\\\r\n#",
        ] {
            let toks = tokenize(src);
            for t in toks {
                assert!(t.start <= t.end && t.end <= src.len());
                assert!(src.is_char_boundary(t.start) && src.is_char_boundary(t.end));
            }
        }
    }
}
