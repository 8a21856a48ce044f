//! The source view's spans: the classes of the tree-sitter parse, and for
//! each identifier or type name the definition it links to, with its doc
//! as a tooltip; the name of each function definition links to its own
//! report. `cgloss serve` and `cgloss site --source` both make them here.

use std::collections::HashMap;

use cgloss_html::{FileSummary, Site, SourceSpan};
use cgloss_index::{FileId, FnId, Index};
use cgloss_syntax::Class;

use crate::names::{Def, Names};

/// Kinds an identifier links to, best first; and a type name's.
const VALUE_KINDS: [&str; 6] = [
    "function",
    "macro",
    "enum_constant",
    "variable",
    "prototype",
    "typedef",
];
const TYPE_KINDS: [&str; 4] = ["typedef", "struct", "union", "enum"];

/// The definition `name` links to from `file`: of the first kind in
/// `kinds` it has, in `file` if it has one there.
fn choose<'n>(defs: &'n [Def], kinds: &[&str], file: FileId) -> Option<&'n Def> {
    kinds.iter().find_map(|kind| {
        let mut of_kind = defs.iter().filter(|d| d.kind() == *kind);
        let first = of_kind.clone().next()?;
        Some(of_kind.find(|d| d.file == file).unwrap_or(first))
    })
}

/// Where definition `d` of `name` is in `index`: its file there and, for a
/// function, its position in that file.
fn located(
    index: &Index,
    files: &[FileSummary],
    name: &str,
    d: &Def,
) -> Option<(FileId, Option<u32>)> {
    let file = index.file_id(&files.get(d.file as usize)?.path)?;
    if d.kind() != "function" {
        return Some((file, None));
    }
    let idx = index
        .file(file)
        .functions
        .iter()
        .position(|f| f.line == d.line && f.name == name)?;
    Some((file, Some(idx as u32)))
}

/// The doc summary of a definition, when it has one (`index` holds every
/// definition of `name`).
pub fn summary(index: &Index, files: &[FileSummary], name: &str, d: &Def) -> Option<String> {
    let (file, idx) = located(index, files, name, d)?;
    let facts = index.file(file);
    let doc = match d.kind() {
        "function" => {
            return index
                .function_doc(FnId { file, idx: idx? })
                .map(|(doc, _)| cgloss_report::gloss(&doc.summary))
        }
        "macro" => facts
            .macros
            .iter()
            .find(|m| m.line == d.line && m.name == name)
            .and_then(|m| m.doc.as_deref()),
        "enum_constant" => facts
            .enum_consts
            .iter()
            .find(|e| e.line == d.line && e.name == name)
            .and_then(|e| e.doc.as_deref()),
        "variable" => facts
            .globals
            .iter()
            .find(|g| g.line == d.line && g.name == name)
            .and_then(|g| g.doc.as_deref()),
        "prototype" => facts
            .prototypes
            .iter()
            .find(|p| p.line == d.line && p.name == name)
            .and_then(|p| p.doc.as_deref()),
        "typedef" => facts
            .typedefs
            .iter()
            .find(|t| t.line == d.line && t.name == name)
            .and_then(|t| t.doc.as_deref()),
        "struct" | "union" => facts
            .records
            .iter()
            .find(|r| r.line == d.line && r.tag.ends_with(name))
            .and_then(|r| r.doc.as_deref()),
        _ => None,
    };
    doc.map(|doc| cgloss_report::gloss(&doc.summary))
}

/// The names a file's source view links: its identifiers and type names,
/// each once.
pub fn identifiers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = cgloss_syntax::highlight(text)
        .into_iter()
        .filter(|h| matches!(h.class, Class::Identifier | Class::Type))
        .map(|h| text[h.start..h.end].to_string())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The spans of `text`, the text of `file`, for the source view of `site`
/// over `index`, which holds every symbol of the file and every definition
/// of its `identifiers`. `names` are the tree's, their `Def::file` a
/// position in `files`; `pos` is the file's.
#[allow(clippy::too_many_arguments)]
pub fn spans(
    site: &Site,
    index: &Index,
    names: &Names,
    files: &[FileSummary],
    pos: u32,
    file: FileId,
    text: &str,
) -> Vec<SourceSpan> {
    let lang = site.langs().first().map_or("en", |l| match l {
        cgloss_report::Lang::En => "en",
        cgloss_report::Lang::Zh => "zh",
    });
    // A definition's name links to that definition's report, even where a
    // file defines the name twice (`#if` alternatives).
    let defined: HashMap<(u32, &str), u32> = index
        .file(file)
        .functions
        .iter()
        .enumerate()
        .map(|(idx, f)| ((f.line, f.name.as_str()), idx as u32))
        .collect();
    let (mut line, mut counted) = (1u32, 0usize);
    let mut links: HashMap<(&str, bool), Option<(String, String)>> = HashMap::new();
    cgloss_syntax::highlight(text)
        .into_iter()
        .map(|h| {
            line += text.as_bytes()[counted..h.start.max(counted)]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32;
            counted = counted.max(h.start);
            let name = &text[h.start..h.end];
            if h.class == Class::Identifier {
                if let Some(&idx) = defined.get(&(line, name)) {
                    let id = FnId { file, idx };
                    let path = &index.file(file).path;
                    let mut title = format!("function {name} · {path}:{line}");
                    if let Some((doc, _)) = index.function_doc(id) {
                        title = format!("{}\n{title}", cgloss_report::gloss(&doc.summary));
                    }
                    return SourceSpan {
                        start: h.start,
                        end: h.end,
                        class: h.class.name(),
                        href: Some(format!("{lang}/{}", site.function_url(id))),
                        title: Some(title),
                    };
                }
            }
            let kinds: Option<&[&str]> = match h.class {
                Class::Identifier => Some(&VALUE_KINDS),
                Class::Type => Some(&TYPE_KINDS),
                _ => None,
            };
            let link = kinds.and_then(|kinds| {
                links
                    .entry((name, h.class == Class::Type))
                    .or_insert_with(|| {
                        let i = names.find(name)?;
                        let d = choose(names.defs(i), kinds, pos)?;
                        let path = &files.get(d.file as usize)?.path;
                        let mut title = format!("{} {name} · {path}:{}", d.kind(), d.line);
                        if let Some(s) = summary(index, files, name, d) {
                            title = format!("{s}\n{title}");
                        }
                        let url = match located(index, files, name, d) {
                            Some((f, idx)) => site.symbol_url(f, d.kind(), name, d.line, idx),
                            None => cgloss_html::symbol_page(path, d.kind(), name, d.line, None),
                        };
                        Some((format!("{lang}/{url}"), title))
                    })
                    .clone()
            });
            let (href, title) = link.unzip();
            SourceSpan {
                start: h.start,
                end: h.end,
                class: h.class.name(),
                href,
                title,
            }
        })
        .collect()
}
