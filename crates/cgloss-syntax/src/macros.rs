//! What a `#define` expands to, when that is an expression whose type the
//! renderer can follow: a name, a call, a cast, `&x`, `*x`, a member
//! access, or a parenthesized one of those (`#define current
//! get_current()`, `#define this_rq() this_cpu_ptr(&runqueues)`,
//! `#define task_thread_info(t) ((struct thread_info *)(t)->stack)`).
//! Anything else (numbers, operators, statements) gives `None`: such a macro
//! names no object.
//!
//! A small recursive reader over the lexer's tokens; tree-sitter would cost
//! a parse per macro for the same answer.

use cgloss_facts::{Expr, TypeRef};

use crate::lex::{Kind, Lexer, Token};

/// Longest replacement text read (longer ones are code, not a name).
const MAX_VALUE: usize = 400;

/// Deepest nesting read.
const MAX_DEPTH: u32 = 16;

/// The expression a macro's replacement text `value` is, if it is one of
/// the shapes above. Identifiers get position `u32::MAX`: they name
/// file-scope symbols (or the macro's parameters), never a function's
/// locals.
pub fn macro_value(value: &str) -> Option<Expr> {
    let first = value.trim_start().bytes().next()?;
    let may_name = first.is_ascii_alphabetic() || matches!(first, b'_' | b'(' | b'&' | b'*');
    if value.len() > MAX_VALUE || !may_name {
        return None;
    }
    let toks: Vec<Token> = Lexer::new(value)
        .filter(|t| !t.is_comment() && t.kind != Kind::DirectiveEnd)
        .collect();
    if toks.is_empty() {
        return None;
    }
    let mut reader = Reader {
        src: value,
        toks: &toks,
        k: 0,
        depth: 0,
    };
    let e = reader.unary()?;
    (reader.k == toks.len()).then_some(e)
}

/// Most words a specifier macro is read with.
const MAX_WORDS: usize = 16;

/// Words that make a replacement text a type (or part of one), not
/// specifiers: a macro holding one says what type it is.
const TYPE_WORDS: &[&str] = &[
    "void",
    "char",
    "short",
    "int",
    "long",
    "float",
    "double",
    "signed",
    "unsigned",
    "_Bool",
    "_Complex",
    "struct",
    "union",
    "enum",
    "const",
    "volatile",
    "restrict",
    "__restrict",
    "typeof",
    "__typeof__",
    "_Atomic",
    "sizeof",
];

/// The words of a replacement text made only of words and attributes
/// (`extern`, `LUA_API`, `extern __attribute__((visibility("default"))) type`,
/// empty): see `MacroFact::specifiers`. Attribute groups are left out,
/// calls of other macros kept as `NAME()`; a
/// type keyword, any other punctuation, a number or a string gives `None`.
pub fn macro_specifiers(value: &str) -> Option<Vec<String>> {
    if value.len() > MAX_VALUE {
        return None;
    }
    // The text ends at the first newline no `\` continues: tree-sitter's
    // node of a `#define` whose body is a comment runs on over the next line.
    let mut from = 0;
    let toks: Vec<Token> = Lexer::new(value)
        .take_while(|t| {
            let gap = &value[from..t.start];
            from = t.end;
            !gap.replace("\\\r\n", " ")
                .replace("\\\n", " ")
                .contains('\n')
        })
        .filter(|t| !t.is_comment() && t.kind != Kind::DirectiveEnd)
        .collect();
    let mut words = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let t = toks[k];
        let text = t.text(value);
        if t.kind == Kind::Str && words.last().is_some_and(|w| w == "extern") {
            // `extern "C"`: a linkage, part of the storage class.
            k += 1;
            continue;
        }
        if t.kind != Kind::Ident || TYPE_WORDS.contains(&text) {
            return None;
        }
        let attribute = matches!(text, "__attribute__" | "__attribute" | "__declspec");
        let call = toks.get(k + 1).is_some_and(|t| t.is_punct(value, "("));
        if call {
            // A call of another macro (`TARGET_ATTRIBUTE("bmi2")`) is kept
            // as `NAME()`: linking asks what that macro is.
            if !attribute {
                if words.len() == MAX_WORDS {
                    return None;
                }
                words.push(format!("{text}()"));
            }
            // Up to the matching `)`.
            let mut nest = 0usize;
            k += 1;
            while let Some(t) = toks.get(k) {
                if t.is_punct(value, "(") {
                    nest += 1;
                } else if t.is_punct(value, ")") {
                    nest -= 1;
                    if nest == 0 {
                        break;
                    }
                }
                k += 1;
            }
            if nest != 0 {
                return None;
            }
        } else {
            if words.len() == MAX_WORDS {
                return None;
            }
            words.push(text.to_string());
        }
        k += 1;
    }
    Some(words)
}

struct Reader<'a> {
    src: &'a str,
    toks: &'a [Token],
    k: usize,
    depth: u32,
}

impl Reader<'_> {
    fn peek(&self, p: &str) -> bool {
        self.toks
            .get(self.k)
            .is_some_and(|t| t.is_punct(self.src, p))
    }

    fn eat(&mut self, p: &str) -> bool {
        let found = self.peek(p);
        if found {
            self.k += 1;
        }
        found
    }

    fn ident(&mut self) -> Option<String> {
        let t = self.toks.get(self.k)?;
        (t.kind == Kind::Ident).then(|| {
            self.k += 1;
            t.text(self.src).to_string()
        })
    }

    fn unary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Option<Expr> {
        for op in ["&", "*"] {
            if self.eat(op) {
                let operand = Box::new(self.unary()?);
                return Some(Expr::Unary {
                    op: op.to_string(),
                    operand,
                });
            }
        }
        if self.peek("(") {
            if let Some(ty) = self.cast_type() {
                let value = Box::new(self.unary()?);
                return Some(Expr::Cast { ty, value });
            }
        }
        self.postfix()
    }

    /// `(struct x *)` or `(name *)` at the cursor: the type, the cursor
    /// after the `)`. Left as it was otherwise.
    fn cast_type(&mut self) -> Option<TypeRef> {
        let start = self.k;
        self.k += 1;
        let mut words = Vec::new();
        while let Some(t) = self.toks.get(self.k).filter(|t| t.kind == Kind::Ident) {
            words.push(t.text(self.src));
            self.k += 1;
        }
        let mut ptr = 0u8;
        while self.eat("*") {
            ptr = ptr.saturating_add(1);
        }
        let tagged = matches!(words.first(), Some(&("struct" | "union" | "enum")));
        let is_type = (tagged && words.len() >= 2) || (ptr > 0 && !words.is_empty());
        if is_type && self.eat(")") {
            let text = format!("{}{}", words.join(" "), " *".repeat(ptr as usize));
            return Some(TypeRef::parse(&text));
        }
        self.k = start;
        None
    }

    fn primary(&mut self) -> Option<Expr> {
        if self.eat("(") {
            let inner = self.unary()?;
            return self.eat(")").then(|| Expr::Paren(Box::new(inner)));
        }
        let name = self.ident()?;
        Some(Expr::Ident {
            name,
            pos: u32::MAX,
        })
    }

    fn postfix(&mut self) -> Option<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.eat("(") {
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.argument()?);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return None;
                        }
                    }
                }
                let typed_by = match &e {
                    Expr::Ident { name, .. } => crate::idioms::typed_by(name),
                    _ => None,
                };
                e = Expr::Call {
                    callee: Box::new(e),
                    args,
                    typed_by,
                };
            } else if self.peek("->") || self.peek(".") {
                let arrow = self.eat("->");
                if !arrow {
                    self.k += 1;
                }
                let field = self.ident()?;
                e = Expr::Member {
                    object: Box::new(e),
                    arrow,
                    field,
                };
            } else {
                return Some(e);
            }
        }
    }

    /// A call argument: an expression of the shapes above, a type
    /// (`struct x`), or any other balanced text kept raw.
    fn argument(&mut self) -> Option<Expr> {
        let start = self.k;
        if let Some(e) = self.unary() {
            if self.peek(",") || self.peek(")") {
                return Some(e);
            }
        }
        self.k = start;
        let mut nest = 0usize;
        while let Some(t) = self.toks.get(self.k) {
            let text = t.text(self.src);
            if t.kind == Kind::Punct {
                match text {
                    "(" | "[" | "{" => nest += 1,
                    ")" | "]" | "}" if nest == 0 => break,
                    ")" | "]" | "}" => nest -= 1,
                    "," if nest == 0 => break,
                    _ => {}
                }
            }
            self.k += 1;
        }
        if self.k == start {
            return None;
        }
        let (first, last) = (self.toks[start], self.toks[self.k - 1]);
        let text = crate::docs::collapse(&self.src[first.start..last.end]);
        if matches!(
            text.split_whitespace().next(),
            Some("struct" | "union" | "enum" | "unsigned" | "signed" | "const")
        ) {
            return Some(Expr::TypeName(TypeRef::parse(&text), text));
        }
        Some(Expr::Raw(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cgloss_facts::TypedBy;

    fn ident(name: &str) -> Expr {
        Expr::Ident {
            name: name.to_string(),
            pos: u32::MAX,
        }
    }

    #[test]
    fn calls_names_and_casts() {
        assert_eq!(
            macro_value("get_current()"),
            Some(Expr::Call {
                callee: Box::new(ident("get_current")),
                args: vec![],
                typed_by: None
            })
        );
        assert_eq!(
            macro_value("this_cpu_ptr(&runqueues)"),
            Some(Expr::Call {
                callee: Box::new(ident("this_cpu_ptr")),
                args: vec![Expr::Unary {
                    op: "&".into(),
                    operand: Box::new(ident("runqueues"))
                }],
                typed_by: Some(TypedBy::FirstArg)
            })
        );
        let cast = macro_value("((struct thread_info *)(task)->stack)").unwrap();
        let Expr::Paren(inner) = cast else {
            panic!("{cast:?}")
        };
        assert!(
            matches!(*inner, Expr::Cast { ref ty, .. } if ty.base == "struct thread_info" && ty.ptr == 1)
        );
        assert_eq!(macro_value("init_task"), Some(ident("init_task")));
        assert!(matches!(
            macro_value("container_of(p, struct foo, bar)"),
            Some(Expr::Call { ref args, .. }) if matches!(args[1], Expr::TypeName(..))
        ));
    }

    #[test]
    fn specifier_words() {
        let words = |v: &str| macro_specifiers(v).map(|w| w.join(" "));
        assert_eq!(words(""), Some(String::new()));
        assert_eq!(words("extern"), Some("extern".into()));
        assert_eq!(words("extern \"C\""), Some("extern".into()));
        assert_eq!(words("\"C\""), None);
        assert_eq!(words(" LUA_API /* api */"), Some("LUA_API".into()));
        assert_eq!(
            words("__attribute__ ((visibility (\"default\")))"),
            Some(String::new())
        );
        assert_eq!(
            words("extern __attribute__((visibility(\"default\"))) type"),
            Some("extern type".into())
        );
        assert_eq!(words("__declspec(dllexport)"), Some(String::new()));
        assert_eq!(
            words("TARGET_ATTRIBUTE(\"lzcnt,bmi\") static"),
            Some("TARGET_ATTRIBUTE() static".into())
        );
        assert_eq!(words("static inline"), Some("static inline".into()));
        assert_eq!(words("\t/* empty */\n#endif\n"), Some(String::new()));
        assert_eq!(words(" extern \\\n static\n"), Some("extern static".into()));
        for v in [
            "unsigned char",
            "const",
            "struct x",
            "1",
            "a + b",
            "f(x",
            "__attribute__((x)",
        ] {
            assert_eq!(words(v), None, "{v}");
        }
    }

    #[test]
    fn other_shapes_name_nothing() {
        for v in [
            "1",
            "(1 << 3)",
            "a + b",
            "do { } while (0)",
            "",
            "\"s\"",
            "f(",
            "x y",
        ] {
            assert_eq!(macro_value(v), None, "{v}");
        }
    }
}
