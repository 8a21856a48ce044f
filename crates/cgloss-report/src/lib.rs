//! Function reports: a function's facts and lowered body, glossed with the
//! documentation the index knows, as a `FunctionReport` view model that
//! prints as text or JSON.
//!
//! # JSON format (`schema_version` 2)
//!
//! `cgloss report --format json` prints a JSON array with one object per
//! definition reported, ordered by (file, line); each has a `kind`:
//! `function`, `macro` or `type` (see `docs/json.md` for the macro and type
//! reports). The fields of a function report:
//!
//! | field | meaning |
//! |---|---|
//! | `kind` | `"function"` |
//! | `schema_version` | `2`; bumped when a field changes meaning or disappears |
//! | `lang` | `"en"` or `"zh"`: the language of `body[].text` |
//! | `name` | function name (`sys_open` for `SYSCALL_DEFINE3(open, …)`) |
//! | `file` | path relative to the root, `/`-separated |
//! | `line` | line of the function's name (1-based) |
//! | `end_line` | line of the closing brace |
//! | `proto` | the declaration on one line, attributes kept |
//! | `return_type` | return type, pointer stars kept |
//! | `params` | `[{type, name, declared, doc}]`: `declared` is the parameter as written, `type` is that without the name, `doc` the gloss of its `@name:` doc or `null` |
//! | `summary` | gloss of the function's doc (own, or borrowed from a prototype), or `null`; in a Chinese report its translation when the glossary has one |
//! | `summary_en` | the same in English (so are `params[].doc_en`, `body[].glosses[].gloss_en`, `callers[].summary_en`…) |
//! | `doc` | the full doc text, comment markers removed, or `null` |
//! | `doc_at` | `path:line` of the doc used, or `null` |
//! | `body` | rendered lines `[{line, end_line, depth, text, source, glosses}]`: `line` is where the statement starts, `end_line` the last source line the rendered line covers (a pulled-up statement included), `depth` the nesting level (function body = 0), `text` the rendered line, `source` the C text of that statement collapsed to one line, `glosses` the symbols glossed on it |
//! | `body[].glosses` | `[{symbol, kind, gloss, gloss_en, defined_at, doc}]`: `kind` is `function`, `macro`, `enum constant`, `member`, `global` or `idiom` (a symbol no comment documents, glossed by the glossary: `unlikely`, `current`); `symbol` is the name (members as `struct tag.member`); `gloss` the text used, `gloss_en` its English; `defined_at` is `path:line` of the doc (of an idiom: of its definition in the tree, or empty); `doc` the full doc text (of an idiom: its English gloss) |
//! | `body[].ambiguous` | `[{symbol, candidates: [{defined_at, gloss}]}]`: members left unglossed because the struct definitions the function may see disagree on their doc |
//! | `callers` | `[{name, file, line, summary}]` functions that call this one, ordered by (file, line) |
//! | `callees` | `[{name, file, line, summary}]` distinct functions and function-like macros called, in order of first call; `file` and `line` are `null` when unresolved |
//! | `referenced_by` | `[{name, file, line, summary}]` functions and variables that use this function without calling it (ops tables, callbacks) |
//! | `diagnostics` | `[{line, col, message}]` parse problems met in the body; those parts are kept as source text |
#![warn(missing_docs)]

pub mod context;
mod gloss;
mod glossary;
mod lang;
mod render;
mod symbols;
mod text;
mod types;

use serde::Serialize;

pub use gloss::gloss;
pub use glossary::{fill, normalize, Glossary, GlossaryError, Options};
pub use lang::Lang;
pub use render::{render, summary};
pub use symbols::{
    macro_to_text, render_macro, render_type, type_to_text, ConstantRow, MacroParam, MacroReport,
    MemberRow, TypeReport,
};
pub use text::{to_text, to_text_with_source};

/// The JSON schema version.
pub const SCHEMA_VERSION: u32 = 2;

/// One report of `cgloss report`: a function, a macro or a type. In JSON
/// each object says which in its `kind` field.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Report {
    /// A function definition.
    Function(FunctionReport),
    /// A `#define`.
    Macro(MacroReport),
    /// A struct, union, enum or typedef.
    Type(TypeReport),
}

impl Report {
    /// The report as text; with `source`, each statement's C follows its
    /// rendered line.
    pub fn to_text(&self, source: bool) -> String {
        match self {
            Report::Function(r) if source => to_text_with_source(r),
            Report::Function(r) => to_text(r),
            Report::Macro(r) => macro_to_text(r),
            Report::Type(r) => type_to_text(r),
        }
    }
}

/// The JSON array of reports of any kind, pretty-printed, with a final
/// newline.
pub fn reports_to_json(reports: &[Report]) -> String {
    let mut s = serde_json::to_string_pretty(reports).expect("reports serialize");
    s.push('\n');
    s
}

/// Everything a function report shows.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionReport {
    /// See the crate docs.
    pub schema_version: u32,
    /// Language of the rendered text.
    pub lang: Lang,
    /// Function name.
    pub name: String,
    /// Path relative to the root.
    pub file: String,
    /// Line of the name.
    pub line: u32,
    /// Line of the closing brace.
    pub end_line: u32,
    /// Declaration on one line.
    pub proto: String,
    /// Return type.
    pub return_type: String,
    /// Parameters.
    pub params: Vec<ParamRow>,
    /// Gloss of the doc, in the report's language.
    pub summary: Option<String>,
    /// The same in English.
    pub summary_en: Option<String>,
    /// Full doc text.
    pub doc: Option<String>,
    /// Where the doc was written.
    pub doc_at: Option<String>,
    /// Rendered body lines.
    pub body: Vec<BodyLine>,
    /// Functions calling this one.
    pub callers: Vec<Related>,
    /// Functions and macros this one calls.
    pub callees: Vec<Related>,
    /// Functions and variables referring to this one without a call.
    pub referenced_by: Vec<Related>,
    /// Parse problems in the body.
    pub diagnostics: Vec<DiagnosticRow>,
}

/// One parameter.
#[derive(Clone, Debug, Serialize)]
pub struct ParamRow {
    /// The type (the declaration without the name).
    #[serde(rename = "type")]
    pub ty: String,
    /// The name.
    pub name: String,
    /// The parameter as declared.
    pub declared: String,
    /// Gloss of its doc, in the report's language.
    pub doc: Option<String>,
    /// The same in English.
    pub doc_en: Option<String>,
}

/// One rendered body line.
#[derive(Clone, Debug, Serialize)]
pub struct BodyLine {
    /// Line where the statement starts.
    pub line: u32,
    /// Last line covered.
    pub end_line: u32,
    /// Nesting level.
    pub depth: u32,
    /// The rendered text.
    pub text: String,
    /// The C source, collapsed.
    pub source: String,
    /// Symbols glossed on this line.
    pub glosses: Vec<GlossRow>,
    /// Members left unglossed because the definitions of their struct
    /// that the function may see give them different docs.
    pub ambiguous: Vec<AmbiguousRow>,
    /// Where each gloss stands in `text` (for links in HTML).
    #[serde(skip)]
    pub spans: Vec<GlossSpan>,
}

/// A glossed piece of a rendered line: bytes `start..end` of `text` show
/// `glosses[gloss]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlossSpan {
    /// Start byte in the line's text.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// Index into the line's glosses.
    pub gloss: usize,
}

/// A symbol glossed on a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GlossRow {
    /// The symbol.
    pub symbol: String,
    /// Its kind.
    pub kind: String,
    /// The gloss used, in the report's language.
    pub gloss: String,
    /// The same in English (the doc's gloss, or the idiom's English).
    pub gloss_en: String,
    /// `path:line` of its doc.
    pub defined_at: String,
    /// The full doc text.
    pub doc: String,
}

/// A member not glossed because its struct's candidate definitions
/// disagree on its doc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmbiguousRow {
    /// `struct tag.member`.
    pub symbol: String,
    /// The definitions it could be from.
    pub candidates: Vec<Candidate>,
}

/// One definition an ambiguous member could be from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// `path:line` of the member.
    pub defined_at: String,
    /// Its gloss there, if documented.
    pub gloss: Option<String>,
}

/// A caller, callee or referrer.
#[derive(Clone, Debug, Serialize)]
pub struct Related {
    /// Name.
    pub name: String,
    /// Path, when resolved.
    pub file: Option<String>,
    /// Line, when resolved.
    pub line: Option<u32>,
    /// Summary, when documented, in the report's language.
    pub summary: Option<String>,
    /// The same in English.
    pub summary_en: Option<String>,
}

/// A parse problem.
#[derive(Clone, Debug, Serialize)]
pub struct DiagnosticRow {
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// Message.
    pub message: String,
}

/// The JSON array of reports, pretty-printed, with a final newline.
pub fn to_json(reports: &[FunctionReport]) -> String {
    let mut s = serde_json::to_string_pretty(reports).expect("reports serialize");
    s.push('\n');
    s
}
