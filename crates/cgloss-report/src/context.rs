//! Context bundles (`cgloss context`, the MCP `context` tool): what a coding
//! assistant needs to change one function, in one prompt-ready text — the
//! function's source with line numbers, its report, the definitions it uses
//! (types with the members it touches, macros, enum constants, globals), its
//! callees' prototypes and summaries, its callers with their call lines —
//! ranked by relevance and cut to a token budget, ending with what was left
//! out.
//!
//! Tokens are estimated, not counted by a model's tokenizer: an item costs
//! its UTF-8 bytes divided by four, rounded up (`estimate_tokens`). For C
//! and English that is close to what BPE tokenizers give (they average 3–4
//! bytes a token on code); it overestimates Chinese less than it would
//! count characters. The budget bounds the Markdown form; the JSON form
//! carries the same items.
//!
//! Ranking: the source first (always kept, even past the budget: without it
//! nothing else is of use), then the report; then the definitions and
//! callees by the number of body lines glossing them (a symbol the tree
//! documents counts more than one it does not), ties by first use; then the
//! callers, then the functions and variables referring to it, in (path,
//! line) order. An item that does not fit is left out and the next, smaller
//! ones are still tried. Once the candidates exceed the budget, the
//! remaining callers come without their call lines (their files are not
//! read: a function called from thousands of places would need them all).
//! Everything is ordered by values, never by hash order, so the bundle is
//! deterministic.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use cgloss_facts::{FunctionBody, FunctionFact};
use cgloss_index::{CallableKind, FnId, Index};
use serde::Serialize;

use crate::gloss::gloss;
use crate::types::Scope;
use crate::FunctionReport;

/// Bytes per token of the estimate.
pub const BYTES_PER_TOKEN: usize = 4;

/// The default budget of `cgloss context`, in estimated tokens.
pub const DEFAULT_BUDGET: usize = 8000;

/// Longest source line shown in a definition; longer ones are cut.
const MAX_LINE: usize = 240;

/// Most lines of a `#define` shown.
const MAX_DEFINE_LINES: usize = 40;

/// Most members of a struct shown whole when the function names none.
const SMALL_RECORD: usize = 8;

/// Most call lines shown per caller.
const MAX_CALL_LINES: usize = 5;

/// Most names listed per section in the Markdown "Left out" part.
const MAX_LEFT_OUT_NAMES: usize = 40;

/// The estimated number of tokens of `text`: its UTF-8 bytes over
/// `BYTES_PER_TOKEN`, rounded up.
pub fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(BYTES_PER_TOKEN)
}

/// What a bundle reads besides the index: file texts, and the lines of a
/// caller that call a name (the caller of this crate lexes C; this one
/// does not).
pub trait Sources {
    /// The text of the file at `path` (relative to the root), when readable.
    fn text(&mut self, path: &str) -> Option<&str>;
    /// The 1-based lines of `caller` (defined in `path`) where `callee` is
    /// called, in order.
    fn call_lines(&mut self, path: &str, caller: &FunctionFact, callee: &str) -> Vec<u32>;
}

/// What part of a bundle an item belongs to; also the order of the parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The function's source.
    Source,
    /// Its rendered report.
    Report,
    /// A struct or union it uses, with the members it touches.
    Type,
    /// A macro it names (function-like macros it calls are callees).
    Macro,
    /// An enumeration constant.
    EnumConstant,
    /// A file-scope variable.
    Global,
    /// A function or function-like macro it calls.
    Callee,
    /// A function calling it.
    Caller,
    /// A function or variable using it without calling it.
    Referrer,
}

impl Section {
    fn heading(self) -> &'static str {
        match self {
            Section::Source => "Source",
            Section::Report => "Report",
            Section::Type => "Types",
            Section::Macro => "Macros",
            Section::EnumConstant => "Enum constants",
            Section::Global => "Globals",
            Section::Callee => "Callees",
            Section::Caller => "Callers",
            Section::Referrer => "Referenced by",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Section::Source => "source",
            Section::Report => "report",
            Section::Type => "types",
            Section::Macro => "macros",
            Section::EnumConstant => "enum constants",
            Section::Global => "globals",
            Section::Callee => "callees",
            Section::Caller => "callers",
            Section::Referrer => "referrers",
        }
    }
}

/// One piece of a bundle.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// Its part.
    pub section: Section,
    /// What it is about (`struct vm_area_struct`, `VM_UFFD_MISSING`).
    pub name: String,
    /// `path:line` of its definition, when known.
    pub at: Option<String>,
    /// Body lines of the function glossing it (the relevance rank).
    pub uses: u32,
    /// Its Markdown text.
    pub text: String,
    /// `estimate_tokens(text)`.
    pub tokens: usize,
}

/// A bundle: the items kept, in output order, and those left out.
#[derive(Clone, Debug, Serialize)]
pub struct Context {
    /// The function.
    pub function: String,
    /// Its file.
    pub file: String,
    /// The line of its name.
    pub line: u32,
    /// Other definitions of the same name (`path:line`), not shown.
    pub other_definitions: Vec<String>,
    /// The budget asked for, in estimated tokens.
    pub budget: usize,
    /// The estimated tokens of the Markdown form.
    pub tokens: usize,
    /// How tokens are estimated.
    pub token_estimate: &'static str,
    /// The items kept, by section then rank.
    pub items: Vec<Item>,
    /// The items left out, by rank.
    pub left_out: Vec<LeftOut>,
}

/// An item left out of a bundle.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOut {
    /// Its part.
    pub section: Section,
    /// What it is about.
    pub name: String,
    /// `path:line`, when known.
    pub at: Option<String>,
    /// What it would have cost.
    pub tokens: usize,
}

/// How a bundle's tokens are estimated, as the JSON says it.
const TOKEN_ESTIMATE: &str = "utf-8 bytes / 4, rounded up";

/// The bundle of function `id` (lowered `body`, rendered `report`), cut to
/// `budget` estimated tokens. `other_definitions` are listed in the header.
pub fn context(
    index: &Index,
    id: FnId,
    body: &FunctionBody,
    report: &FunctionReport,
    sources: &mut dyn Sources,
    budget: usize,
    other_definitions: Vec<String>,
) -> Context {
    let candidates = gather(index, id, body, report, sources, budget);
    let mut ctx = Context {
        function: report.name.clone(),
        file: report.file.clone(),
        line: report.line,
        other_definitions,
        budget,
        tokens: 0,
        token_estimate: TOKEN_ESTIMATE,
        items: Vec::new(),
        left_out: Vec::new(),
    };
    fit(&mut ctx, candidates);
    ctx
}

/// Keeps what fits of `ranked` (best first; the first is always kept).
fn fit(ctx: &mut Context, ranked: Vec<Item>) {
    let mut kept: Vec<(usize, Item)> = Vec::new();
    let mut left: Vec<(usize, Item)> = Vec::new();
    let mut used = estimate_tokens(&header(ctx)) + estimate_tokens(LEFT_OUT_HEADING);
    let mut sections: Vec<Section> = Vec::new();
    for (rank, item) in ranked.into_iter().enumerate() {
        let heading = if sections.contains(&item.section) {
            0
        } else {
            estimate_tokens(&format!("\n## {}\n\n", item.section.heading()))
        };
        if rank == 0 || used + item.tokens + heading <= ctx.budget {
            used += item.tokens + heading;
            if heading > 0 {
                sections.push(item.section);
            }
            kept.push((rank, item));
        } else {
            // Its name in "Left out".
            used += estimate_tokens(&item.name) + 1;
            left.push((rank, item));
        }
    }
    // The estimate above adds pieces; the whole text decides. Drop the
    // least relevant kept items until it fits.
    loop {
        set(ctx, &kept, &left);
        if ctx.tokens <= ctx.budget || kept.len() <= 1 {
            break;
        }
        let last = kept.pop().expect("more than one kept");
        let at = left.partition_point(|(r, _)| *r < last.0);
        left.insert(at, last);
    }
}

fn set(ctx: &mut Context, kept: &[(usize, Item)], left: &[(usize, Item)]) {
    let mut items: Vec<Item> = kept.iter().map(|(_, i)| i.clone()).collect();
    items.sort_by_key(|i| i.section);
    ctx.items = items;
    ctx.left_out = left
        .iter()
        .map(|(_, i)| LeftOut {
            section: i.section,
            name: i.name.clone(),
            at: i.at.clone(),
            tokens: i.tokens,
        })
        .collect();
    // The header states the count, which changes the count: settle it.
    for _ in 0..3 {
        let n = estimate_tokens(&ctx.to_markdown());
        if n == ctx.tokens {
            break;
        }
        ctx.tokens = n;
    }
}

const LEFT_OUT_HEADING: &str = "\n## Left out\n\n";

fn header(ctx: &Context) -> String {
    let mut out = format!(
        "# Context: {} ({}:{})\n\n_cgloss context: about {} of {} tokens (estimated: {})._\n",
        ctx.function, ctx.file, ctx.line, ctx.tokens, ctx.budget, TOKEN_ESTIMATE
    );
    if !ctx.other_definitions.is_empty() {
        let _ = writeln!(
            out,
            "_Also defined at {} (ask for `path:{}`)._",
            ctx.other_definitions.join(", "),
            ctx.function
        );
    }
    out
}

impl Context {
    /// The bundle as Markdown: the header, each part under its heading,
    /// then what was left out.
    pub fn to_markdown(&self) -> String {
        let mut out = header(self);
        let mut section = None;
        for item in &self.items {
            if section != Some(item.section) {
                if !out.ends_with("\n\n") {
                    out.push('\n');
                }
                let _ = write!(out, "## {}\n\n", item.section.heading());
                section = Some(item.section);
            }
            out.push_str(&item.text);
        }
        if out.ends_with("\n\n") {
            out.pop();
        }
        out.push_str(LEFT_OUT_HEADING);
        if self.left_out.is_empty() {
            out.push_str("Nothing.\n");
            return out;
        }
        let mut by_section: BTreeMap<Section, Vec<&LeftOut>> = BTreeMap::new();
        for l in &self.left_out {
            by_section.entry(l.section).or_default().push(l);
        }
        for (section, items) in by_section {
            let tokens: usize = items.iter().map(|i| i.tokens).sum();
            let mut names: Vec<&str> = items
                .iter()
                .take(MAX_LEFT_OUT_NAMES)
                .map(|i| i.name.as_str())
                .collect();
            let more = items.len().saturating_sub(MAX_LEFT_OUT_NAMES);
            let more_text = format!("and {more} more");
            if more > 0 {
                names.push(&more_text);
            }
            let _ = writeln!(
                out,
                "- {}: {} (~{} tokens): {}",
                section.noun(),
                items.len(),
                tokens,
                names.join(", ")
            );
        }
        out
    }

    /// The bundle as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("context serializes");
        s.push('\n');
        s
    }
}

/// The `#define` starting on `line` of `text`, with its continuation lines
/// (at most `max` lines).
pub fn definition_text(text: &str, line: u32, max: usize) -> String {
    let mut out = String::new();
    for l in text.lines().skip(line.saturating_sub(1) as usize).take(max) {
        out.push_str(l);
        out.push('\n');
        if !l.trim_end().ends_with('\\') {
            break;
        }
    }
    out
}

/// Line `line` (1-based) of the file at `path`, trimmed and cut to
/// `MAX_LINE` bytes.
fn source_line(sources: &mut dyn Sources, path: &str, line: u32) -> Option<String> {
    let text = sources.text(path)?;
    let l = text.lines().nth(line.checked_sub(1)? as usize)?.trim();
    Some(cut(l, MAX_LINE))
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} …", &s[..end])
}

fn summary(doc: Option<&cgloss_facts::Doc>) -> Option<String> {
    doc.map(|d| gloss(&d.summary)).filter(|s| !s.is_empty())
}

/// A definition's doc summary as a paragraph, unless its source already
/// says it (a trailing comment).
fn doc_line(text: &mut String, summary: Option<String>, source: &str) {
    if let Some(s) = summary.filter(|s| !source.contains(s.as_str())) {
        let _ = writeln!(text, "{s}\n");
    }
}

fn item(section: Section, name: String, at: Option<String>, uses: u32, text: String) -> Item {
    Item {
        section,
        name,
        at,
        uses,
        tokens: estimate_tokens(&text),
        text,
    }
}

/// Every candidate item, best first.
fn gather(
    index: &Index,
    id: FnId,
    body: &FunctionBody,
    report: &FunctionReport,
    sources: &mut dyn Sources,
    budget: usize,
) -> Vec<Item> {
    let f = index.function(id);
    let path = index.path(id).to_string();
    let mut out = vec![source_item(f, &path, report, sources), report_item(report)];

    // Body lines glossing each symbol; members count for their struct.
    let mut uses: HashMap<String, u32> = HashMap::new();
    for line in &report.body {
        let mut seen: Vec<String> = line
            .glosses
            .iter()
            .map(|g| match g.symbol.split_once('.') {
                Some((tag, _)) if g.kind == "member" => tag.to_string(),
                _ => g.symbol.clone(),
            })
            .collect();
        seen.sort();
        seen.dedup();
        for s in seen {
            *uses.entry(s).or_default() += 1;
        }
    }
    let uses_of = |name: &str| uses.get(name).copied().unwrap_or(0);

    // Definitions and callees, in order of first use, then ranked.
    let mut ranked: Vec<Item> = Vec::new();
    ranked.extend(type_items(index, id, f, body, sources, &uses_of));
    for name in &f.refs {
        if let Some(i) = ref_item(index, id, name, sources, uses_of(name)) {
            ranked.push(i);
        }
    }
    for (n, name) in f.calls.iter().enumerate() {
        let related = report.callees.get(n).filter(|r| &r.name == name);
        ranked.push(callee_item(
            index,
            id,
            name,
            related.and_then(|r| r.summary.clone()),
            uses_of(name),
        ));
    }
    // Stable: first use breaks ties.
    ranked.sort_by_key(|i| std::cmp::Reverse(i.uses));
    out.extend(ranked);

    // A function with thousands of callers (kmalloc) would have thousands
    // of files read for call lines the budget has no room for: once the
    // candidates so far exceed the budget, callers come without them.
    let mut total: usize = out.iter().map(|i| i.tokens).sum();
    for (&c, r) in index.callers(id).iter().zip(&report.callers) {
        let with_lines = total <= budget;
        let i = caller_item(index, c, &f.name, r.summary.as_deref(), sources, with_lines);
        total += i.tokens;
        out.push(i);
    }
    for r in &report.referenced_by {
        let at = r
            .file
            .as_ref()
            .map(|p| format!("{p}:{}", r.line.unwrap_or(0)));
        let mut text = format!("- `{}`", r.name);
        if let Some(at) = &at {
            let _ = write!(text, " ({at})");
        }
        if let Some(s) = &r.summary {
            let _ = write!(text, " — {s}");
        }
        text.push('\n');
        out.push(item(Section::Referrer, r.name.clone(), at, 0, text));
    }
    out
}

fn source_item(
    f: &FunctionFact,
    path: &str,
    report: &FunctionReport,
    sources: &mut dyn Sources,
) -> Item {
    // Start at the function's own comment when it is just above it.
    let doc_line = report
        .doc_at
        .as_deref()
        .and_then(|at| at.rsplit_once(':'))
        .filter(|(p, _)| *p == path)
        .and_then(|(_, l)| l.parse::<u32>().ok())
        .filter(|&l| l < f.start_line && f.start_line - l <= 80);
    let first = doc_line.unwrap_or(f.start_line);
    let at = format!("{path}:{}", f.line);
    let mut text = String::new();
    match sources.text(path) {
        Some(t) => {
            let width = f.end_line.to_string().len();
            text.push_str("```c\n");
            for (n, l) in t
                .lines()
                .enumerate()
                .skip(first as usize - 1)
                .take((f.end_line + 1 - first) as usize)
            {
                let _ = writeln!(text, "{:>width$}  {}", n + 1, l.trim_end());
            }
            text.push_str("```\n");
        }
        None => {
            let _ = writeln!(text, "({path} could not be read.)");
        }
    }
    item(Section::Source, f.name.clone(), Some(at), 0, text)
}

fn report_item(report: &FunctionReport) -> Item {
    let mut r = report.clone();
    // Callers and callees have their own parts.
    r.callers.clear();
    r.callees.clear();
    r.referenced_by.clear();
    let text = format!("```text\n{}```\n", crate::to_text(&r));
    item(
        Section::Report,
        report.name.clone(),
        Some(format!("{}:{}", report.file, report.line)),
        0,
        text,
    )
}

/// The structs and unions the function uses: those it accesses members of,
/// and those its parameters, return value and locals have.
fn type_items(
    index: &Index,
    id: FnId,
    f: &FunctionFact,
    body: &FunctionBody,
    sources: &mut dyn Sources,
    uses_of: &dyn Fn(&str) -> u32,
) -> Vec<Item> {
    let scope = Scope::new(index, id.file, &f.params, &body.locals, &body.stmts);
    let mut tags: Vec<String> = Vec::new();
    let mut add = |base: String| {
        if index.has_record(&base) && !tags.contains(&base) {
            tags.push(base);
        }
    };
    for p in &f.params {
        add(index.resolve_type(&p.ty, id.file).base);
    }
    add(index
        .resolve_type(&cgloss_facts::TypeRef::parse(&f.return_type), id.file)
        .base);
    for d in &body.locals {
        add(index.resolve_type(&d.ty, id.file).base);
    }
    let mut accessed: Vec<(&String, &Vec<String>)> = scope.accessed().iter().collect();
    accessed.sort();
    for (tag, _) in &accessed {
        add((*tag).clone());
    }
    let mut out = Vec::new();
    for tag in tags {
        let choice = scope.record_choice(&tag);
        let Some(&(path, record)) = choice.definitions().first() else {
            continue;
        };
        let at = format!("{path}:{}", record.line);
        let mut text = format!("### `{tag}` ({at})\n\n");
        if let Some(s) = summary(record.doc.as_deref()) {
            let _ = writeln!(text, "{s}\n");
        }
        let n_others = choice.definitions().len() - 1;
        if n_others > 0 {
            let _ = writeln!(
                text,
                "({n_others} other definition{} of this tag the function may see.)\n",
                if n_others == 1 { "" } else { "s" }
            );
        }
        let members: &[String] = accessed
            .iter()
            .find(|(t, _)| **t == tag)
            .map(|(_, m)| m.as_slice())
            .unwrap_or(&[]);
        // No member used: a small struct is shown whole, a large one by
        // its name and doc only.
        let all: Vec<String>;
        let (shown, label): (&[String], &str) = if !members.is_empty() {
            (members, "Members used")
        } else if record.members.len() <= SMALL_RECORD {
            all = record.members.iter().map(|m| m.name.clone()).collect();
            (&all, "Members")
        } else {
            (&[], "")
        };
        if !shown.is_empty() {
            let _ = writeln!(
                text,
                "{label} ({} of {}):\n",
                shown.len(),
                record.members.len()
            );
            for name in shown {
                let Some(m) = record.members.iter().find(|m| &m.name == name) else {
                    continue;
                };
                let decl = source_line(sources, path, m.line).unwrap_or_else(|| {
                    format!("{} {}{};", m.ty.base, "*".repeat(m.ty.ptr as usize), m.name)
                });
                let _ = write!(text, "- line {}: `{}`", m.line, decl.replace('`', "'"));
                if let Some(s) = summary(m.doc.as_deref()) {
                    if !decl.contains(&s) {
                        let _ = write!(text, " — {s}");
                    }
                }
                text.push('\n');
            }
            text.push('\n');
        }
        // A type used through every member access counts each line.
        let uses = uses_of(&tag) + 1;
        out.push(item(Section::Type, tag, Some(at), uses, text));
    }
    out
}

/// A name the body uses other than as a callee: a macro, an enum constant
/// or a global (functions referred to are listed with the callees' kind of
/// line; types come through `type_items`).
fn ref_item(
    index: &Index,
    id: FnId,
    name: &str,
    sources: &mut dyn Sources,
    uses: u32,
) -> Option<Item> {
    // A typedef name (`u64`) is a type, whatever some test header
    // `#define`s under that name.
    let is_typedef = index
        .find_types(name, None)
        .iter()
        .any(|t| matches!(t, cgloss_index::TypeDef::Typedef(..)));
    if is_typedef {
        return None;
    }
    if let Some(c) = index.constant(name, id.file) {
        let at = format!("{}:{}", c.site.path, c.site.line);
        let mut text = format!("### `{name}` ({at})\n\n");
        if c.kind == "macro" {
            let def = sources
                .text(c.site.path)
                .map(|t| definition_text(t, c.site.line, MAX_DEFINE_LINES))
                .unwrap_or_default();
            doc_line(&mut text, summary(c.doc), &def);
            if !def.is_empty() {
                let _ = writeln!(text, "```c\n{}```\n", def);
            }
            return Some(item(Section::Macro, name.to_string(), Some(at), uses, text));
        }
        let line = source_line(sources, c.site.path, c.site.line);
        doc_line(&mut text, summary(c.doc), line.as_deref().unwrap_or(""));
        if let Some(l) = line {
            let _ = writeln!(text, "```c\n{l}\n```\n");
        }
        return Some(item(
            Section::EnumConstant,
            name.to_string(),
            Some(at),
            uses,
            text,
        ));
    }
    if let Some((g, site)) = index.global(name, id.file) {
        let at = format!("{}:{}", site.path, site.line);
        let mut text = format!("### `{name}` ({at})\n\n");
        let line = source_line(sources, site.path, site.line);
        doc_line(
            &mut text,
            summary(g.doc.as_deref()),
            line.as_deref().unwrap_or(""),
        );
        if let Some(l) = line {
            let _ = writeln!(text, "```c\n{l}\n```\n");
        }
        return Some(item(
            Section::Global,
            name.to_string(),
            Some(at),
            uses,
            text,
        ));
    }
    if !index.resolve_functions(name, id.file).is_empty() {
        let mut i = callee_item(index, id, name, None, uses);
        i.text = i.text.replacen("- `", "- (used, not called) `", 1);
        return Some(i);
    }
    None
}

/// A callee's line: its prototype, where it is, its summary.
fn callee_item(
    index: &Index,
    id: FnId,
    name: &str,
    summary_shown: Option<String>,
    uses: u32,
) -> Item {
    let Some(c) = index.resolve_call(name, id.file) else {
        let mut text = format!("- `{name}` (not defined in the tree)");
        if let Some(s) = summary_shown {
            let _ = write!(text, " — {s}");
        }
        text.push('\n');
        return item(Section::Callee, name.to_string(), None, uses, text);
    };
    let at = format!("{}:{}", c.site.path, c.site.line);
    let proto = match c.kind {
        CallableKind::Function => index
            .find_functions(name, Some(c.site.path))
            .into_iter()
            .map(|fid| index.function(fid))
            .find(|f| f.line == c.site.line)
            .map(|f| f.proto.clone()),
        CallableKind::Macro => index
            .find_macros(name, Some(c.site.path))
            .into_iter()
            .find(|(_, m)| m.line == c.site.line)
            .map(|(_, m)| {
                format!(
                    "#define {name}({})",
                    m.params.as_deref().unwrap_or_default().join(", ")
                )
            }),
        CallableKind::Prototype => None,
    }
    .unwrap_or_else(|| {
        let ret = c.return_type.unwrap_or("");
        let mut params = c.params.join(", ");
        if c.variadic {
            params.push_str(", ...");
        }
        format!("{ret} {name}({params})").trim_start().to_string()
    });
    let mut text = format!("- `{}` ({at})", cut(&proto, MAX_LINE).replace('`', "'"));
    let s = summary_shown.or_else(|| summary(c.doc));
    if let Some(s) = s {
        let _ = write!(text, " — {s}");
    }
    text.push('\n');
    item(Section::Callee, name.to_string(), Some(at), uses, text)
}

/// A caller's lines: where it is, its summary, the lines calling the
/// function.
fn caller_item(
    index: &Index,
    caller: FnId,
    callee: &str,
    summary: Option<&str>,
    sources: &mut dyn Sources,
    with_lines: bool,
) -> Item {
    let cf = index.function(caller);
    let path = index.path(caller);
    let at = format!("{path}:{}", cf.line);
    let mut text = format!("- `{}` ({at})", cf.name);
    if let Some(s) = summary {
        let _ = write!(text, " — {s}");
    }
    text.push('\n');
    let lines = if with_lines {
        sources.call_lines(path, cf, callee)
    } else {
        Vec::new()
    };
    for &l in lines.iter().take(MAX_CALL_LINES) {
        if let Some(src) = source_line(sources, path, l) {
            let _ = writeln!(text, "  - line {l}: `{}`", src.replace('`', "'"));
        }
    }
    if lines.len() > MAX_CALL_LINES {
        let _ = writeln!(text, "  - and {} more calls", lines.len() - MAX_CALL_LINES);
    }
    item(Section::Caller, cf.name.clone(), Some(at), 0, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn it(section: Section, name: &str, uses: u32, bytes: usize) -> Item {
        item(section, name.to_string(), None, uses, "x".repeat(bytes))
    }

    fn ctx(budget: usize) -> Context {
        Context {
            function: "f".into(),
            file: "a.c".into(),
            line: 1,
            other_definitions: Vec::new(),
            budget,
            tokens: 0,
            token_estimate: TOKEN_ESTIMATE,
            items: Vec::new(),
            left_out: Vec::new(),
        }
    }

    #[test]
    fn estimate_rounds_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
    }

    #[test]
    fn fit_keeps_the_source_and_what_fits_then_lists_the_rest() {
        let ranked = vec![
            it(Section::Source, "f", 0, 400),
            it(Section::Report, "f", 0, 400),
            it(Section::Type, "struct big", 3, 4000),
            it(Section::Macro, "SMALL", 1, 40),
            it(Section::Caller, "g", 0, 40),
        ];
        let mut c = ctx(400);
        fit(&mut c, ranked);
        let kept: Vec<&str> = c.items.iter().map(|i| i.name.as_str()).collect();
        let left: Vec<&str> = c.left_out.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(kept, ["f", "f", "SMALL", "g"]);
        assert_eq!(left, ["struct big"]);
        assert!(c.tokens <= 400, "{}", c.tokens);
        assert!(c
            .to_markdown()
            .contains("- types: 1 (~1000 tokens): struct big"));
    }

    #[test]
    fn the_source_stays_past_the_budget() {
        let mut c = ctx(10);
        fit(
            &mut c,
            vec![
                it(Section::Source, "f", 0, 400),
                it(Section::Report, "f", 0, 4),
            ],
        );
        assert_eq!(c.items.len(), 1);
        assert_eq!(c.left_out.len(), 1);
        assert!(c.tokens > 10);
    }
}
