//! Plain values that flow between cgloss's stages: what one C file declares
//! (`FileFacts`), the documentation attached to it (`Doc`), and the body IR
//! (`Stmt`, `Expr`) that the renderer glosses.
//!
//! Nothing here knows about tree-sitter or does I/O; every value is owned and
//! cheap to send between threads.
#![warn(missing_docs)]

mod body;

use serde::{Deserialize, Serialize};

pub use body::{Declarator, Designator, ElseBranch, Expr, Init, Stmt, StmtKind, TypedBy};

/// A line number as users see it: the first line of a file is 1.
pub type Line = u32;

/// Storage classes and other words of a declaration that say how a function
/// is stored or called, not what it returns: the pre-pass skips them in a
/// header, linking in an export macro's body (one list for both).
pub const STORAGE_WORDS: &[&str] = &[
    "static",
    "extern",
    "inline",
    "__inline",
    "__inline__",
    "__forceinline",
    "_Noreturn",
    "register",
    "auto",
    "_Thread_local",
    "__thread",
    "__extension__",
    "__cdecl",
    "__stdcall",
    "__fastcall",
];

/// A C type reduced to what member lookup needs: the base type name and how
/// many pointer (or array) levels sit on top of it.
///
/// `base` is `struct NAME`, `union NAME`, `enum NAME`, a typedef name, a
/// primitive (`int`), or a synthetic name for an anonymous struct
/// (`{anon}path:line`). An empty base means the type is unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TypeRef {
    /// Base type name, see the type docs.
    pub base: String,
    /// Number of `*` or `[]` levels.
    pub ptr: u8,
}

impl TypeRef {
    /// A type of the given base name and pointer depth.
    pub fn new(base: impl Into<String>, ptr: u8) -> TypeRef {
        TypeRef {
            base: base.into(),
            ptr,
        }
    }

    /// Reads a type written as text (`const struct task *`, `unsigned long`):
    /// qualifiers and storage classes are dropped, stars counted.
    pub fn parse(text: &str) -> TypeRef {
        let ptr = text.matches('*').count().min(u8::MAX as usize) as u8;
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '*')
            .filter(|w| {
                !w.is_empty()
                    && !matches!(*w, "const" | "volatile" | "static" | "inline" | "extern")
            })
            .collect();
        let base = match words.as_slice() {
            [kw @ ("struct" | "union" | "enum"), name, ..] => format!("{kw} {name}"),
            other => other.join(" "),
        };
        TypeRef::new(base, ptr)
    }

    /// Whether nothing is known about this type.
    pub fn is_unknown(&self) -> bool {
        self.base.is_empty()
    }
}

/// Documentation found for a symbol, with comment markers removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// The one-line description: a kernel-doc summary, or the whole plain comment.
    pub summary: String,
    /// The full comment text, markers removed, line breaks kept.
    pub text: String,
    /// `@name: text` entries of a kernel-doc comment (Doxygen's `@param name
    /// text`), in order.
    pub params: Vec<(String, String)>,
    /// Written as kernel-doc (`/** name - summary`, or an `@name:` entry) or
    /// as Doxygen with commands (`@brief`, `@param`),
    /// which beats a plain comment wherever it stands.
    pub kernel_doc: bool,
}

impl Doc {
    /// The doc of kernel-doc entry `@name`, if there is one.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

/// One parameter of a function or prototype.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The declared name (empty when the prototype gives none).
    pub name: String,
    /// The parameter as written, whitespace collapsed (`const char __user *buf`).
    pub text: String,
    /// Its type, for member lookup.
    pub ty: TypeRef,
}

/// A function definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionFact {
    /// Name (for `SYSCALL_DEFINEn(open, …)`: `sys_open`).
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// First line of the definition (specifiers included).
    pub start_line: Line,
    /// Last line (closing brace).
    pub end_line: Line,
    /// Byte offset of the definition, used to find it again when rendering.
    pub start_byte: u32,
    /// Byte offset after its closing brace.
    pub end_byte: u32,
    /// Declared `static`.
    pub is_static: bool,
    /// Its own documentation.
    pub doc: Option<Box<Doc>>,
    /// The declaration on one line, attributes kept.
    pub proto: String,
    /// The return type, pointer stars kept. Written with words that can
    /// only be macros (`LUA_API int`), linking reads it as what the tree's
    /// `#define`s expand those to (see `type_words`).
    pub return_type: String,
    /// The return type word by word, when it has more type names than C
    /// allows, or a macro call (`GIT_EXTERN(int)`): some are macros
    /// expanding to no type. Empty otherwise.
    pub type_words: Vec<TypeWord>,
    /// Parameters in order (`void` alone gives none).
    pub params: Vec<Param>,
    /// Takes `...`.
    pub variadic: bool,
    /// Its body is empty (`{ }`): a stub for a disabled configuration.
    pub empty_body: bool,
    /// Names called in the body, in order of first call, each once.
    pub calls: Vec<String>,
    /// Identifiers used in the body other than as callee, locals and
    /// parameters excluded (so function pointers taken are found), each once.
    pub refs: Vec<String>,
}

/// A function declaration without body (a prototype).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrototypeFact {
    /// Name.
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// Its own documentation.
    pub doc: Option<Box<Doc>>,
    /// Parameters in order.
    pub params: Vec<Param>,
    /// The return type, pointer stars kept (see `FunctionFact::return_type`).
    pub return_type: String,
    /// See `FunctionFact::type_words`.
    pub type_words: Vec<TypeWord>,
}

/// One word of a return type that may hold macros (`FunctionFact::type_words`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeWord {
    /// A keyword, a tag (`struct x`) or pointer stars: kept as written.
    Text(String),
    /// A name: a type name or a macro (`LUA_API`, `lua_Number`).
    Name(String),
    /// A macro call whose argument is a type (`GIT_EXTERN(const char *)`).
    Wrapper {
        /// The macro.
        name: String,
        /// The argument as written, whitespace collapsed.
        arg: String,
    },
}

impl TypeWord {
    /// The text as written.
    pub fn text(&self) -> String {
        match self {
            TypeWord::Text(t) | TypeWord::Name(t) => t.clone(),
            TypeWord::Wrapper { name, arg } => format!("{name}({arg})"),
        }
    }

    /// Joins words into a type as cgloss writes types: spaces between
    /// words, pointer stars together (`const char **`).
    pub fn join<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
        let mut out = String::new();
        for w in words.into_iter().filter(|w| !w.is_empty()) {
            let more_stars = w.bytes().all(|b| b == b'*') && out.ends_with('*');
            if !(out.is_empty() || more_stars) {
                out.push(' ');
            }
            out.push_str(w);
        }
        out
    }
}

/// A `#define`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacroFact {
    /// Name.
    pub name: String,
    /// Line of the `#define`.
    pub line: Line,
    /// Parameter names of a function-like macro; `None` for an object-like one.
    pub params: Option<Vec<String>>,
    /// Its documentation.
    pub doc: Option<Box<Doc>>,
    /// An error code (`E…` defined in an errno header).
    pub is_errno: bool,
    /// What it expands to when that is a name, a call, a cast or a member
    /// access (`#define current get_current()`), so that the type of what
    /// it names can be followed; identifiers in it have position `u32::MAX`.
    /// Boxed: most macros have none, and a whole kernel holds millions.
    pub value: Option<Box<Expr>>,
    /// When its replacement text is only words and attributes, no type
    /// keyword, no punctuation (`extern`, `static inline`, `LUA_API`,
    /// `extern type`, empty): those words in order, attributes
    /// (`__attribute__((…))`, `__declspec(…)`) left out, a call of another
    /// macro written `NAME()` (its arguments left out). What linking needs
    /// to tell a macro that expands to no type (`LUA_API`) from a type.
    pub specifiers: Option<Vec<String>>,
}

/// A member of a struct or union.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFact {
    /// Name.
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// Its type.
    pub ty: TypeRef,
    /// Its documentation.
    pub doc: Option<Box<Doc>>,
}

/// A struct or union definition (with a body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordFact {
    /// `struct NAME`, `union NAME`, or a synthetic `{anon}path:line`.
    pub tag: String,
    /// Line of the keyword.
    pub line: Line,
    /// Defined where only userspace sees it (`#ifndef __KERNEL__`).
    pub user_only: bool,
    /// Its own documentation.
    pub doc: Option<Box<Doc>>,
    /// Members; those of unnamed nested structs/unions are included here, as C
    /// lets code reach them directly.
    pub members: Vec<MemberFact>,
}

/// A `typedef`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedefFact {
    /// The new name.
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// What it names.
    pub target: TypeRef,
    /// Its documentation.
    pub doc: Option<Box<Doc>>,
}

/// An enumeration with a body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumFact {
    /// `enum NAME`, or a synthetic `{anon}path:line`.
    pub tag: String,
    /// Line of the keyword.
    pub line: Line,
    /// Its own documentation.
    pub doc: Option<Box<Doc>>,
    /// Its constants: `FileFacts::enum_consts[first..first + count]`.
    pub first: u32,
    /// How many constants it has.
    pub count: u32,
}

/// An enumeration constant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumConstFact {
    /// Name.
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// Its documentation.
    pub doc: Option<Box<Doc>>,
}

/// A variable declared at file scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalFact {
    /// Name.
    pub name: String,
    /// Line of the name.
    pub line: Line,
    /// Its type.
    pub ty: TypeRef,
    /// Declared `static`.
    pub is_static: bool,
    /// Its documentation.
    pub doc: Option<Box<Doc>>,
    /// Identifiers its initializer uses (`.open = foo_open`), each once.
    pub refs: Vec<String>,
}

/// A problem found in a file; broken C is data, not an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Line (1-based).
    pub line: Line,
    /// Column (1-based).
    pub col: u32,
    /// What is wrong, lowercase, no final period.
    pub message: String,
}

/// Everything one file declares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Function definitions, in source order.
    pub functions: Vec<FunctionFact>,
    /// Prototypes, in source order.
    pub prototypes: Vec<PrototypeFact>,
    /// Macros, in source order.
    pub macros: Vec<MacroFact>,
    /// Structs and unions with a body, in source order.
    pub records: Vec<RecordFact>,
    /// Typedefs, in source order.
    pub typedefs: Vec<TypedefFact>,
    /// Enumerations with a body, in source order.
    pub enums: Vec<EnumFact>,
    /// Enumeration constants, in source order.
    pub enum_consts: Vec<EnumConstFact>,
    /// File-scope variables, in source order.
    pub globals: Vec<GlobalFact>,
    /// `#include` targets as written (`<linux/slab.h>`, `"slab.h"`), in order.
    pub includes: Vec<String>,
    /// Every name the file's code uses after `->` or `.` (member names,
    /// designators), sorted, each once: evidence of which definition of a
    /// struct the file is compiled against.
    pub member_names: Vec<String>,
    /// Number of lines.
    pub n_lines: u32,
    /// Number of ERROR and MISSING nodes in the syntax tree.
    pub n_syntax_errors: u32,
    /// The first syntax error, if any.
    pub first_error: Option<Diagnostic>,
    /// Other problems worth a warning (parts left unparsed).
    pub diagnostics: Vec<Diagnostic>,
}

impl FileFacts {
    /// Whether the file is a header (`.h`).
    pub fn is_header(&self) -> bool {
        self.path.ends_with(".h")
    }
}

/// A function's body, lowered for rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionBody {
    /// Line of the opening brace.
    pub open_line: Line,
    /// The statements at level 0.
    pub stmts: Vec<Stmt>,
    /// Every local variable declared in the body, with its scope.
    pub locals: Vec<Declarator>,
    /// Problems met while lowering (syntax errors kept as source text).
    pub diagnostics: Vec<Diagnostic>,
}

impl TypeRef {
    fn display(&self) -> String {
        if self.is_unknown() {
            return "?".to_string();
        }
        format!("{}{}", self.base, "*".repeat(self.ptr as usize))
    }
}

fn doc_suffix(doc: &Option<Box<Doc>>) -> String {
    match doc {
        Some(d) => format!("  doc: {}", d.summary),
        None => String::new(),
    }
}

impl FileFacts {
    /// A readable outline, one line per item (for `--dump-facts` and tests).
    pub fn outline(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for f in &self.functions {
            let _ = write!(out, "fn {}  {}:{}", f.name, self.path, f.line);
            if f.is_static {
                out.push_str("  static");
            }
            let params: Vec<String> = f
                .params
                .iter()
                .map(|p| format!("{}: {}", p.name, p.ty.display()))
                .collect();
            let _ = write!(out, "  ({}) -> {}", params.join(", "), f.return_type);
            if !f.calls.is_empty() {
                let _ = write!(out, "  calls: {}", f.calls.join(", "));
            }
            if !f.refs.is_empty() {
                let _ = write!(out, "  refs: {}", f.refs.join(", "));
            }
            out.push_str(&doc_suffix(&f.doc));
            out.push('\n');
        }
        for p in &self.prototypes {
            let _ = writeln!(
                out,
                "proto {}  {}:{}{}",
                p.name,
                self.path,
                p.line,
                doc_suffix(&p.doc)
            );
        }
        for m in &self.macros {
            let params = m
                .params
                .as_ref()
                .map(|p| format!("({})", p.join(", ")))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "macro {}{}  {}:{}{}",
                m.name,
                params,
                self.path,
                m.line,
                doc_suffix(&m.doc)
            );
        }
        for r in &self.records {
            let _ = writeln!(
                out,
                "record {}  {}:{}{}",
                r.tag,
                self.path,
                r.line,
                doc_suffix(&r.doc)
            );
            for m in &r.members {
                let _ = writeln!(
                    out,
                    "  member {}: {}  :{}{}",
                    m.name,
                    m.ty.display(),
                    m.line,
                    doc_suffix(&m.doc)
                );
            }
        }
        for t in &self.typedefs {
            let _ = writeln!(
                out,
                "typedef {} = {}  {}:{}{}",
                t.name,
                t.target.display(),
                self.path,
                t.line,
                doc_suffix(&t.doc)
            );
        }
        for e in &self.enums {
            let names: Vec<&str> = self
                .enum_consts
                .iter()
                .skip(e.first as usize)
                .take(e.count as usize)
                .map(|c| c.name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "enum {}  {}:{}  ({}){}",
                e.tag,
                self.path,
                e.line,
                names.join(", "),
                doc_suffix(&e.doc)
            );
        }
        for e in &self.enum_consts {
            let _ = writeln!(
                out,
                "enum-constant {}  {}:{}{}",
                e.name,
                self.path,
                e.line,
                doc_suffix(&e.doc)
            );
        }
        for g in &self.globals {
            let _ = write!(
                out,
                "global {}: {}  {}:{}",
                g.name,
                g.ty.display(),
                self.path,
                g.line
            );
            if g.is_static {
                out.push_str("  static");
            }
            if !g.refs.is_empty() {
                let _ = write!(out, "  refs: {}", g.refs.join(", "));
            }
            out.push_str(&doc_suffix(&g.doc));
            out.push('\n');
        }
        if let Some(e) = &self.first_error {
            let _ = writeln!(
                out,
                "errors {}  first {}:{}:{}: {}",
                self.n_syntax_errors, self.path, e.line, e.col, e.message
            );
        }
        out
    }
}
