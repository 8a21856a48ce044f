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

/// Annotation macros that carry no meaning for a reader and confuse the
/// grammar. Those marked `true` take a parenthesized argument list.
const ANNOTATIONS: &[(&str, bool)] = &[
    ("__init", false),
    ("__exit", false),
    ("__initdata", false),
    ("__initconst", false),
    ("__exitdata", false),
    ("__ref", false),
    ("__refdata", false),
    ("__refconst", false),
    ("__meminit", false),
    ("__meminitdata", false),
    ("__meminitconst", false),
    ("__init_memblock", false),
    ("__initdata_memblock", false),
    ("__devinit", false),
    ("__cpuinit", false),
    ("__net_init", false),
    ("__net_exit", false),
    ("__net_initdata", false),
    ("__sched", false),
    ("__kprobes", false),
    ("__read_mostly", false),
    ("__ro_after_init", false),
    ("__cacheline_aligned", false),
    ("__cacheline_aligned_in_smp", false),
    ("____cacheline_aligned", false),
    ("____cacheline_aligned_in_smp", false),
    ("____cacheline_internodealigned_in_smp", false),
    ("__page_aligned_data", false),
    ("__page_aligned_bss", false),
    ("__packed", false),
    ("__used", false),
    ("__maybe_unused", false),
    ("__always_unused", false),
    ("__weak", false),
    ("__pure", false),
    ("__malloc", false),
    ("__noreturn", false),
    ("noinline", false),
    ("noinline_for_stack", false),
    ("__noinline", false),
    ("__noclone", false),
    ("__visible", false),
    ("__latent_entropy", false),
    ("__randomize_layout", false),
    ("__no_randomize_layout", false),
    ("__designated_init", false),
    ("__nocfi", false),
    ("__noscs", false),
    ("__no_sanitize_address", false),
    ("__no_kcsan", false),
    ("__no_kasan_or_inline", false),
    ("noinstr", false),
    ("__flatten", false),
    ("__cold", false),
    ("__hot", false),
    ("__deprecated", false),
    ("__must_check", false),
    ("__nonstring", false),
    ("__user", false),
    ("__iomem", false),
    ("__percpu", false),
    ("__rcu", false),
    ("__force", false),
    ("__kernel", false),
    ("__bitwise", false),
    ("__nocast", false),
    ("__safe", false),
    ("__private", false),
    ("__exception_irq_entry", false),
    ("__irq_entry", false),
    ("__softirq_entry", false),
    ("__always_inline", false),
    ("__gnu_inline", false),
    ("__naked", false),
    ("asmlinkage", false),
    ("notrace", false),
    ("__notrace_funcgraph", false),
    ("__lockfunc", false),
    ("__bpf_kfunc", false),
    ("__nosavedata", false),
    ("__cpuidle", false),
    ("__attribute_const__", false),
    ("__nostackprotector", false),
    ("__ksym", false),
    ("__init_or_module", false),
    ("__initdata_or_module", false),
    ("__kprobes", false),
    ("__nocfi", false),
    ("__printf", true),
    ("__scanf", true),
    ("__aligned", true),
    ("__section", true),
    ("__releases", true),
    ("__acquires", true),
    ("__must_hold", true),
    ("__alloc_size", true),
    ("__assume_aligned", true),
    ("__counted_by", true),
    ("__free", true),
    ("__cleanup", true),
    ("__guarded_by", true),
    ("__pt_guarded_by", true),
    ("__diag_ignore", true),
];

fn annotation(name: &[u8]) -> Option<bool> {
    ANNOTATIONS
        .iter()
        .find(|(n, _)| n.as_bytes() == name)
        .map(|&(_, args)| args)
}

/// Whether a name used as `NAME(args) stmt` is a loop macro worth rewriting
/// even when the statement is not a block.
fn looks_like_iterator(name: &[u8]) -> bool {
    let name = String::from_utf8_lossy(name);
    [
        "for_each",
        "foreach",
        "scoped_guard",
        "do_each_",
        "_for_each",
    ]
    .iter()
    .any(|pat| name.contains(pat))
}

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

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Rewrites `src` in place of a copy; the result has the same length.
pub fn prepass(src: &[u8]) -> Vec<u8> {
    let mut out = src.to_vec();
    Scanner::new(src, &mut out).run();
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
    src: &'a [u8],
    out: &'a mut Vec<u8>,
    pos: usize,
    depth: u32,
    /// Byte before the last significant token (for "statement start").
    last: u8,
    /// The last identifier token, as a range.
    last_ident: Option<(usize, usize)>,
    /// Stack of open parens; `true` when the paren belongs to a control
    /// keyword (`if (`), so its `)` starts a statement.
    parens: Vec<bool>,
    /// The keyword right before the next `(`.
    pending_control: bool,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a [u8], out: &'a mut Vec<u8>) -> Self {
        Scanner {
            src,
            out,
            pos: 0,
            depth: 0,
            last: b';',
            last_ident: None,
            parens: Vec::new(),
            pending_control: false,
        }
    }

    fn at_statement_start(&self) -> bool {
        self.depth > 0
            && self.parens.is_empty()
            && (matches!(self.last, b';' | b'{' | b'}' | b':' | b'S'))
    }

    fn run(&mut self) {
        let n = self.src.len();
        let mut line_start = true;
        while self.pos < n {
            let b = self.src[self.pos];
            match b {
                b'\n' => {
                    line_start = true;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | b'\x0c' | b'\x0b' => self.pos += 1,
                b'#' if line_start => self.skip_directive(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b'/' if self.peek(1) == Some(b'/') => self.skip_line(),
                b'"' | b'\'' => {
                    line_start = false;
                    self.skip_quoted(b);
                    self.last = b'x';
                }
                _ if is_ident_start(b) => {
                    line_start = false;
                    self.ident();
                }
                _ => {
                    line_start = false;
                    self.punct(b);
                }
            }
        }
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.src.get(self.pos + k).copied()
    }

    fn skip_line(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        match memfind(&self.src[self.pos + 2..], b"*/") {
            Some(i) => self.pos += 2 + i + 2,
            None => self.pos = self.src.len(),
        }
    }

    /// Skips a preprocessor line with its continuations and comments.
    fn skip_directive(&mut self) {
        let n = self.src.len();
        while self.pos < n {
            match self.src[self.pos] {
                b'\\' if self.peek(1) == Some(b'\n') => self.pos += 2,
                b'\\' if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => {
                    self.pos += 3
                }
                b'\n' => return,
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b'/' if self.peek(1) == Some(b'/') => return self.skip_line(),
                _ => self.pos += 1,
            }
        }
    }

    fn skip_quoted(&mut self, quote: u8) {
        let n = self.src.len();
        self.pos += 1;
        while self.pos < n {
            match self.src[self.pos] {
                b'\\' => self.pos += 2,
                b'\n' => return,
                c if c == quote => {
                    self.pos += 1;
                    return;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn ident(&mut self) {
        let start = self.pos;
        while self.pos < self.src.len() && is_ident(self.src[self.pos]) {
            self.pos += 1;
        }
        let name = &self.src[start..self.pos];
        let prev = self.last;
        let after_member = matches!(prev, b'.' | b'>');
        let after_tag = self
            .last_ident
            .map(|(s, e)| matches!(&self.src[s..e], b"struct" | b"union" | b"enum"))
            .unwrap_or(false)
            && prev == b'x';
        if !after_member && !after_tag {
            if let Some(takes_args) = annotation(name) {
                let end = if takes_args {
                    self.balanced_parens_after(self.pos).unwrap_or(self.pos)
                } else {
                    self.pos
                };
                blank(self.out, start, end);
                self.pos = end;
                return;
            }
        }
        if self.depth == 0 && self.parens.is_empty() && self.syscall_define(start) {
            return;
        }
        let statement_start = self.at_statement_start();
        if name == b"case" {
            self.case_range(self.pos);
        }
        let is_keyword = KEYWORDS.iter().any(|k| k.as_bytes() == name);
        if statement_start && !is_keyword {
            self.macro_loop(start);
        } else if !is_keyword && prev == b'}' && self.depth > 0 {
            // `do { … } for_each_x(…);`
            self.macro_loop(start);
        }
        self.pending_control = matches!(name, b"if" | b"while" | b"for" | b"switch");
        self.last = if matches!(name, b"else" | b"do") {
            b'S'
        } else {
            b'x'
        };
        self.last_ident = Some((start, self.pos));
    }

    /// `NAME(args)` followed by the start of a statement: a loop macro.
    fn macro_loop(&mut self, start: usize) {
        let name_end = self.pos;
        let open = skip_space(self.src, name_end);
        if self.src.get(open) != Some(&b'(') {
            return;
        }
        let Some(close) = self.balanced_parens_after(name_end) else {
            return;
        };
        let next = skip_space_and_comments(self.src, close);
        let Some(&c) = self.src.get(next) else {
            return;
        };
        let name = &self.src[start..name_end];
        let starts_statement = c == b'{'
            || (looks_like_iterator(name)
                && (is_ident_start(c)
                    || c == b'*'
                    || self.src[next..].starts_with(b"++")
                    || self.src[next..].starts_with(b"--")));
        let after_do_body = self.last == b'}' && c == b';' && looks_like_iterator(name);
        if (starts_statement || after_do_body) && name_end - start >= 5 {
            self.out[start..start + 5].copy_from_slice(b"while");
            blank(self.out, start + 5, name_end);
            // The `)` closes a control header: the body starts a statement.
            self.pending_control = true;
        }
    }

    /// `case A ... B:` → `case A  +  B:`.
    fn case_range(&mut self, from: usize) {
        let mut i = from;
        let n = self.src.len().min(from + 400);
        while i + 2 < n {
            match self.src[i] {
                b':' | b';' | b'{' | b'}' | b'\n' => return,
                b'.' if &self.src[i..i + 3] == b"..." => {
                    self.out[i..i + 3].copy_from_slice(b" + ");
                    return;
                }
                b'\'' => {
                    // Skip a char literal such as ':' so it does not end the scan.
                    let mut j = i + 1;
                    while j < n && self.src[j] != b'\'' {
                        j += if self.src[j] == b'\\' { 2 } else { 1 };
                    }
                    i = j + 1;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// `SYSCALL_DEFINEn(name, t1, a1, …) {` → `long    name(t1  a1, …) {`.
    fn syscall_define(&mut self, start: usize) -> bool {
        let name = &self.src[start..self.pos];
        let prefix_len = if name.starts_with(b"SYSCALL_DEFINE") {
            14
        } else if name.starts_with(b"COMPAT_SYSCALL_DEFINE") {
            21
        } else {
            return false;
        };
        if name.len() != prefix_len + 1 || !name[prefix_len].is_ascii_digit() {
            return false;
        }
        if self.src.get(self.pos) != Some(&b'(') {
            return false;
        }
        let Some(close) = self.balanced_parens_after(self.pos) else {
            return false;
        };
        if self.src.get(skip_space_and_comments(self.src, close)) != Some(&b'{') {
            return false;
        }
        // Top-level commas inside the parentheses.
        let open = self.pos;
        let mut commas = Vec::new();
        let mut nest = 0;
        for (i, &b) in self.src[open + 1..close - 1].iter().enumerate() {
            match b {
                b'(' => nest += 1,
                b')' => nest -= 1,
                b',' if nest == 0 => commas.push(open + 1 + i),
                _ => {}
            }
        }
        if commas.is_empty() {
            // SYSCALL_DEFINE0(name): shift the name left, then `()`.
            let fname: Vec<u8> = trim(&self.src[open + 1..close - 1]).to_vec();
            if fname.is_empty() || !fname.iter().all(|&b| is_ident(b)) {
                return false;
            }
            let mut text = b"long ".to_vec();
            text.extend_from_slice(&fname);
            text.push(b'(');
            let width = close - start;
            if text.len() + 1 > width {
                return false;
            }
            text.resize(width - 1, b' ');
            text.push(b')');
            self.out[start..close].copy_from_slice(&text);
        } else {
            blank(self.out, start, open + 1);
            self.out[start..start + 4].copy_from_slice(b"long");
            self.out[commas[0]] = b'(';
            for (k, &c) in commas[1..].iter().enumerate() {
                if k % 2 == 0 {
                    self.out[c] = b' ';
                }
            }
        }
        self.pos = open;
        self.last = b'x';
        true
    }

    /// Given the position right after a name, returns the position after the
    /// matching `)` when a `(` follows (spaces allowed).
    fn balanced_parens_after(&self, from: usize) -> Option<usize> {
        let open = skip_space(self.src, from);
        if self.src.get(open) != Some(&b'(') {
            return None;
        }
        let mut nest = 0usize;
        let mut i = open;
        let n = self.src.len().min(open + 64 * 1024);
        while i < n {
            match self.src[i] {
                b'(' => nest += 1,
                b')' => {
                    nest -= 1;
                    if nest == 0 {
                        return Some(i + 1);
                    }
                }
                b'"' | b'\'' => {
                    let q = self.src[i];
                    i += 1;
                    while i < n && self.src[i] != q && self.src[i] != b'\n' {
                        i += if self.src[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b';' | b'{' | b'}' => return None,
                _ => {}
            }
            i += 1;
        }
        None
    }

    fn punct(&mut self, b: u8) {
        self.pos += 1;
        match b {
            b'{' => {
                self.depth += 1;
                self.parens.clear();
                self.last = b'{';
            }
            b'}' => {
                self.depth = self.depth.saturating_sub(1);
                self.parens.clear();
                self.last = b'}';
            }
            b'(' => {
                self.parens.push(self.pending_control);
                self.pending_control = false;
                self.last = b'(';
            }
            b')' => {
                let control = self.parens.pop().unwrap_or(false);
                self.last = if control && self.parens.is_empty() {
                    b'S'
                } else {
                    b')'
                };
            }
            b';' => {
                self.last = if self.parens.is_empty() { b';' } else { b',' };
            }
            b':' => {
                self.last = if self.parens.is_empty() && self.src.get(self.pos) != Some(&b':') {
                    b':'
                } else {
                    b'x'
                };
            }
            b'-' if self.src.get(self.pos) == Some(&b'>') => {
                self.pos += 1;
                self.last = b'>';
            }
            b'.' => self.last = b'.',
            _ => self.last = b,
        }
        if b != b'(' {
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

fn skip_space(src: &[u8], mut i: usize) -> usize {
    while i < src.len() && src[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn skip_space_and_comments(src: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_space(src, i);
        if src[i..].starts_with(b"/*") {
            match memfind(&src[i + 2..], b"*/") {
                Some(k) => i += 2 + k + 2,
                None => return src.len(),
            }
        } else if src[i..].starts_with(b"//") {
            while i < src.len() && src[i] != b'\n' {
                i += 1;
            }
        } else {
            return i;
        }
    }
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::prepass;

    fn check(src: &str, expect: &str) {
        let out = prepass(src.as_bytes());
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
