//! Reports of the symbols that are not functions: a macro (its definition,
//! parameters, doc and where it is used) and a type — struct, union, enum
//! or typedef — (its members or constants with their types and docs, and
//! where it is used).

use std::fmt::Write;

use cgloss_facts::{Doc, MacroFact, TypeRef};
use cgloss_index::{FileId, Index, Referrer, TypeDef};
use serde::Serialize;

use crate::gloss::gloss;
use crate::glossary::Options;
use crate::lang::Lang;
use crate::render::related;
use crate::{Related, SCHEMA_VERSION};

/// What `cgloss report` prints for a macro.
#[derive(Clone, Debug, Serialize)]
pub struct MacroReport {
    /// See the crate docs.
    pub schema_version: u32,
    /// Language of the labels.
    pub lang: Lang,
    /// Macro name.
    pub name: String,
    /// Path relative to the root.
    pub file: String,
    /// Line of the `#define`.
    pub line: u32,
    /// The `#define` as written, continuations joined, whitespace collapsed.
    pub definition: String,
    /// Gloss of its doc, in the report's language.
    pub summary: Option<String>,
    /// The same in English.
    pub summary_en: Option<String>,
    /// Full doc text.
    pub doc: Option<String>,
    /// Parameters of a function-like macro (`None` for an object-like one).
    pub params: Option<Vec<MacroParam>>,
    /// Functions and variables using it.
    pub used_by: Vec<Related>,
}

/// A parameter of a function-like macro.
#[derive(Clone, Debug, Serialize)]
pub struct MacroParam {
    /// As written (`pos`, `...`).
    pub name: String,
    /// Gloss of its kernel-doc `@name:` entry, in the report's language.
    pub doc: Option<String>,
    /// The same in English.
    pub doc_en: Option<String>,
}

/// What `cgloss report` prints for a struct, union, enum or typedef.
#[derive(Clone, Debug, Serialize)]
pub struct TypeReport {
    /// See the crate docs.
    pub schema_version: u32,
    /// Language of the labels.
    pub lang: Lang,
    /// `struct NAME`, `union NAME`, `enum NAME` or the typedef name.
    pub name: String,
    /// `struct`, `union`, `enum` or `typedef`.
    pub type_kind: &'static str,
    /// Path relative to the root.
    pub file: String,
    /// Line of the definition.
    pub line: u32,
    /// For a typedef, what it names (`struct kv_store *`).
    pub target: Option<String>,
    /// Gloss of its doc, in the report's language.
    pub summary: Option<String>,
    /// The same in English.
    pub summary_en: Option<String>,
    /// Full doc text.
    pub doc: Option<String>,
    /// Members (structs and unions; a typedef of one shows its members).
    pub members: Vec<MemberRow>,
    /// Constants (enums).
    pub constants: Vec<ConstantRow>,
    /// Functions and variables using it (a parameter, a local, a cast, a
    /// `sizeof`, a return type).
    pub used_by: Vec<Related>,
}

/// A member of a struct or union.
#[derive(Clone, Debug, Serialize)]
pub struct MemberRow {
    /// Name.
    pub name: String,
    /// Its type (base and pointer depth, `struct list_head *`).
    #[serde(rename = "type")]
    pub ty: String,
    /// Line.
    pub line: u32,
    /// Gloss of its doc, in the report's language.
    pub doc: Option<String>,
    /// The same in English.
    pub doc_en: Option<String>,
}

/// A constant of an enum.
#[derive(Clone, Debug, Serialize)]
pub struct ConstantRow {
    /// Name.
    pub name: String,
    /// Line.
    pub line: u32,
    /// Gloss of its doc, in the report's language.
    pub doc: Option<String>,
    /// The same in English.
    pub doc_en: Option<String>,
}

fn summary_of(doc: Option<&Doc>) -> Option<String> {
    doc.map(|d| gloss(&d.summary)).filter(|s| !s.is_empty())
}

/// A gloss (English) and its words in the report's language.
fn both(opts: &Options<'_>, symbol: &str, en: Option<String>) -> (Option<String>, Option<String>) {
    (en.as_deref().map(|g| opts.local(symbol, g)), en)
}

fn rows(opts: &Options<'_>, users: Vec<Referrer<'_>>) -> Vec<Related> {
    users
        .into_iter()
        .map(|r| {
            related(
                opts,
                r.name,
                Some((r.site.path, r.site.line)),
                r.summary.map(gloss),
            )
        })
        .collect()
}

fn type_text(t: &TypeRef) -> String {
    if t.is_unknown() {
        return "?".to_string();
    }
    if t.ptr == 0 {
        t.base.clone()
    } else {
        format!("{} {}", t.base, "*".repeat(t.ptr as usize))
    }
}

/// The report of the macro `m` defined in `file`; `definition` is its
/// `#define` as the source writes it (the caller reads it).
pub fn render_macro(
    index: &Index,
    file: FileId,
    m: &MacroFact,
    definition: &str,
    opts: &Options<'_>,
) -> MacroReport {
    let doc = m.doc.as_deref();
    let (summary, summary_en) = both(opts, &m.name, summary_of(doc));
    MacroReport {
        schema_version: SCHEMA_VERSION,
        lang: opts.lang,
        name: m.name.clone(),
        file: index.file(file).path.clone(),
        line: m.line,
        definition: crate::gloss::collapse_source(definition),
        summary,
        summary_en,
        doc: doc.map(|d| d.text.clone()),
        params: m.params.as_ref().map(|ps| {
            ps.iter()
                .map(|p| {
                    let en = doc
                        .and_then(|d| d.param(p.trim_end_matches("...")))
                        .map(gloss)
                        .filter(|g| !g.is_empty());
                    let (doc, doc_en) = both(opts, "", en);
                    MacroParam {
                        name: p.clone(),
                        doc,
                        doc_en,
                    }
                })
                .collect()
        }),
        used_by: rows(opts, index.users(&m.name)),
    }
}

/// The report of a type definition.
pub fn render_type(index: &Index, def: TypeDef<'_>, opts: &Options<'_>) -> TypeReport {
    let file = index.file(def.file());
    let member_rows = |tag: &str, members: &[cgloss_facts::MemberFact]| {
        members
            .iter()
            .map(|m| {
                let symbol = format!("{tag}.{}", m.name);
                let (doc, doc_en) = both(opts, &symbol, summary_of(m.doc.as_deref()));
                MemberRow {
                    name: m.name.clone(),
                    ty: type_text(&m.ty),
                    line: m.line,
                    doc,
                    doc_en,
                }
            })
            .collect()
    };
    let (name, type_kind, doc, target, members, constants, users) = match def {
        TypeDef::Record(_, r) => {
            let kind = if r.tag.starts_with("union ") {
                "union"
            } else {
                "struct"
            };
            (
                r.tag.clone(),
                kind,
                r.doc.as_deref(),
                None,
                member_rows(&r.tag, &r.members),
                Vec::new(),
                r.tag.clone(),
            )
        }
        TypeDef::Enum(f, e) => {
            let constants = index
                .file(f)
                .enum_consts
                .iter()
                .skip(e.first as usize)
                .take(e.count as usize)
                .map(|k| {
                    let (doc, doc_en) = both(opts, &k.name, summary_of(k.doc.as_deref()));
                    ConstantRow {
                        name: k.name.clone(),
                        line: k.line,
                        doc,
                        doc_en,
                    }
                })
                .collect();
            (
                e.tag.clone(),
                "enum",
                e.doc.as_deref(),
                None,
                Vec::new(),
                constants,
                e.tag.clone(),
            )
        }
        TypeDef::Typedef(f, t) => {
            // A typedef of a struct shows the struct's members.
            let resolved = index.resolve_type(&t.target, f);
            let members = index
                .find_types(&resolved.base, None)
                .into_iter()
                .find_map(|d| match d {
                    TypeDef::Record(_, r) => Some(member_rows(&r.tag, &r.members)),
                    _ => None,
                })
                .unwrap_or_default();
            (
                t.name.clone(),
                "typedef",
                t.doc.as_deref(),
                Some(type_text(&t.target)),
                members,
                Vec::new(),
                t.name.clone(),
            )
        }
    };
    let (summary, summary_en) = both(opts, &name, summary_of(doc));
    TypeReport {
        schema_version: SCHEMA_VERSION,
        lang: opts.lang,
        name,
        type_kind,
        file: file.path.clone(),
        line: def.line(),
        target,
        summary,
        summary_en,
        doc: doc.map(|d| d.text.clone()),
        members,
        constants,
        used_by: rows(opts, index.users(&users)),
    }
}

/// A macro report as text.
pub fn macro_to_text(r: &MacroReport) -> String {
    let w = r.lang.words();
    let mut out = String::new();
    let _ = writeln!(out, "{}", w.macro_title);
    let _ = writeln!(out, "{} {}:{}", w.source, r.file, r.line);
    let _ = writeln!(out, "{} {}", w.macro_name, r.name);
    if let Some(s) = &r.summary {
        let _ = writeln!(out, "{} {s}", w.summary);
    }
    let _ = writeln!(out, "{} {}", w.definition, r.definition);
    match &r.params {
        Some(ps) if !ps.is_empty() => {
            let _ = writeln!(out, "{}", w.params);
            for p in ps {
                match &p.doc {
                    Some(d) => {
                        let _ = writeln!(out, "  {}: {d}", p.name);
                    }
                    None => {
                        let _ = writeln!(out, "  {}", p.name);
                    }
                }
            }
        }
        Some(_) => {
            let _ = writeln!(out, "{}", w.params_none);
        }
        None => {}
    }
    crate::text::related(&mut out, w.used_by, &r.used_by);
    out
}

/// A type report as text.
pub fn type_to_text(r: &TypeReport) -> String {
    let w = r.lang.words();
    let mut out = String::new();
    let _ = writeln!(out, "{}", w.type_title);
    let _ = writeln!(out, "{} {}:{}", w.source, r.file, r.line);
    let _ = writeln!(out, "{} {}", w.type_name, r.name);
    if let Some(s) = &r.summary {
        let _ = writeln!(out, "{} {s}", w.summary);
    }
    if let Some(t) = &r.target {
        let _ = writeln!(out, "{} {t}", w.definition);
    }
    if !r.members.is_empty() {
        let _ = writeln!(out, "{}", w.members);
        for m in &r.members {
            let _ = write!(out, "  {} {}", m.ty, m.name);
            if let Some(d) = &m.doc {
                let _ = write!(out, ": {d}");
            }
            out.push('\n');
        }
    }
    if !r.constants.is_empty() {
        let _ = writeln!(out, "{}", w.constants);
        for c in &r.constants {
            let _ = write!(out, "  {}", c.name);
            if let Some(d) = &c.doc {
                let _ = write!(out, ": {d}");
            }
            out.push('\n');
        }
    }
    crate::text::related(&mut out, w.used_by, &r.used_by);
    out
}
