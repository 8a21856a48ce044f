//! Glossing a lowered body: statements become keyword lines (§2, §3),
//! identifiers become the docs of what they name (§4), with member access
//! resolved through the object's type.

use cgloss_facts::{Designator, Expr, FunctionBody, Init, Param, Stmt, StmtKind, TypeRef};
use cgloss_index::{CallableKind, FnId, Index, MemberLookup};

use crate::gloss::{capitalize, decapitalize, gloss, placed};
use crate::glossary::{fill, pieces, Options, Piece};
use crate::lang::{phrase, Lang};
use crate::types::Scope;
use crate::{
    AmbiguousRow, BodyLine, Candidate, DiagnosticRow, FunctionReport, GlossRow, GlossSpan,
    ParamRow, Related, SCHEMA_VERSION,
};

/// Renders the report of function `id` whose lowered body is `body`.
pub fn render(index: &Index, id: FnId, body: &FunctionBody, opts: &Options<'_>) -> FunctionReport {
    let lang = opts.lang;
    let f = index.function(id);
    let doc = index.function_doc(id);
    let param_doc = |name: &str| {
        let en = doc
            .as_ref()
            .and_then(|(d, _)| d.param(name))
            .map(gloss)
            .filter(|g| !g.is_empty());
        (en.as_deref().map(|g| opts.local("", g)), en)
    };
    let mut params: Vec<ParamRow> = f
        .params
        .iter()
        .map(|p| {
            let (doc, doc_en) = param_doc(&p.name);
            ParamRow {
                ty: param_type(p),
                name: p.name.clone(),
                declared: p.text.clone(),
                doc,
                doc_en,
            }
        })
        .collect();
    if f.variadic {
        let (doc, doc_en) = param_doc("...");
        params.push(ParamRow {
            ty: "...".to_string(),
            name: String::new(),
            declared: "...".to_string(),
            doc,
            doc_en,
        });
    }
    let mut renderer = Renderer {
        index,
        scope: Scope::new(index, id.file, &f.params, &body.locals, &body.stmts),
        opts: *opts,
        lang,
        lines: Vec::new(),
        glosses: Vec::new(),
        ambiguous: Vec::new(),
    };
    let rendered = renderer.stmts(&body.stmts, 0);
    if !rendered {
        renderer.lines.push(BodyLine {
            line: body.open_line,
            end_line: body.open_line,
            depth: 0,
            text: lang.words().empty_body.to_string(),
            source: "{ }".to_string(),
            glosses: Vec::new(),
            ambiguous: Vec::new(),
            spans: Vec::new(),
        });
    }
    let summary_of = |fid: FnId| index.function_doc(fid).map(|(d, _)| gloss(&d.summary));
    let callers = index
        .callers(id)
        .iter()
        .map(|&c| {
            let cf = index.function(c);
            related(
                opts,
                &cf.name,
                Some((index.path(c), cf.line)),
                summary_of(c),
            )
        })
        .collect();
    let callees = f
        .calls
        .iter()
        .map(|name| match index.resolve_call(name, id.file) {
            Some(c) => {
                let documented = c.doc.map(|d| gloss(&d.summary)).filter(|s| !s.is_empty());
                let mut r = related(opts, name, Some((c.site.path, c.site.line)), documented);
                if r.summary.is_none() {
                    idiom_summary(opts, &mut r, &c.params);
                }
                r
            }
            None => {
                let mut r = related(opts, name, None, None);
                idiom_summary(opts, &mut r, &[]);
                r
            }
        })
        .collect();
    let referenced_by = index
        .referrers(id)
        .into_iter()
        .map(|r| {
            related(
                opts,
                r.name,
                Some((r.site.path, r.site.line)),
                r.summary.map(gloss),
            )
        })
        .collect();
    let (summary, summary_en) = match summary(index, id, opts) {
        Some((local, en)) => (Some(local), Some(en)),
        None => (None, None),
    };
    FunctionReport {
        schema_version: SCHEMA_VERSION,
        lang,
        name: f.name.clone(),
        file: index.path(id).to_string(),
        line: f.line,
        end_line: f.end_line,
        proto: f.proto.clone(),
        return_type: f.return_type.clone(),
        params,
        summary,
        summary_en,
        doc: doc.as_ref().map(|(d, _)| d.text.clone()),
        doc_at: doc.as_ref().map(|(_, s)| format!("{}:{}", s.path, s.line)),
        body: renderer.lines,
        callers,
        callees,
        referenced_by,
        diagnostics: body
            .diagnostics
            .iter()
            .map(|d| DiagnosticRow {
                line: d.line,
                col: d.col,
                message: d.message.clone(),
            })
            .collect(),
    }
}

/// A caller, callee or referrer with its summary (English, already a
/// gloss) in the report's language.
/// The summary of a function's report: the gloss of its doc in the
/// report's language, and in English.
pub fn summary(index: &Index, id: FnId, opts: &Options<'_>) -> Option<(String, String)> {
    let (doc, _) = index.function_doc(id)?;
    let en = gloss(&doc.summary);
    if en.is_empty() {
        return None;
    }
    Some((opts.local(&index.function(id).name, &en), en))
}

pub(crate) fn related(
    opts: &Options<'_>,
    name: &str,
    site: Option<(&str, u32)>,
    summary_en: Option<String>,
) -> Related {
    let summary_en = summary_en.filter(|s| !s.is_empty());
    Related {
        name: name.to_string(),
        file: site.map(|(p, _)| p.to_string()),
        line: site.map(|(_, l)| l),
        summary: summary_en.as_deref().map(|g| opts.local(name, g)),
        summary_en,
    }
}

/// An undocumented callee that is an idiom of the glossary gets the idiom
/// as its summary, its placeholders named after the macro's parameters
/// (`WRITE_ONCE(x, val)`: `x = val (written once)`).
fn idiom_summary(opts: &Options<'_>, r: &mut Related, params: &[&str]) {
    if let (Some(t), Some(en)) = (opts.idiom(&r.name), opts.idiom_en(&r.name)) {
        r.summary = Some(by_param_names(t, params, 0));
        r.summary_en = Some(by_param_names(en, params, 0));
    }
}

/// An idiom template read with its placeholders named after the macro's
/// parameters (`{0} = {1} (written once)`: `x = val (written once)`), or
/// `#N` for an argument past them; `at_least` arguments are named.
fn by_param_names(template: &str, params: &[&str], at_least: usize) -> String {
    let names: Vec<String> = (0..params.len().max(at_least).max(8))
        .map(|i| match params.get(i) {
            Some(p) if !p.is_empty() => p.trim_end_matches("...").to_string(),
            _ => format!("#{}", i + 1),
        })
        .collect();
    fill(template, &names).unwrap_or_else(|| template.to_string())
}

/// The declared parameter without its name.
fn param_type(p: &Param) -> String {
    if p.name.is_empty() {
        return p.text.clone();
    }
    match p.text.rfind(p.name.as_str()) {
        Some(at) => {
            let mut t = String::new();
            t.push_str(p.text[..at].trim_end());
            let rest = p.text[at + p.name.len()..].trim();
            if !rest.is_empty() {
                t.push_str(rest);
            }
            t
        }
        None => p.text.clone(),
    }
}

const MARK_OPEN: char = '\u{E000}';
const MARK_MID: char = '\u{E001}';
const MARK_CLOSE: char = '\u{E002}';

fn is_mark(c: char) -> bool {
    matches!(c, MARK_OPEN | MARK_MID | MARK_CLOSE)
}

fn row(symbol: String, kind: &str, gloss: &str, path: &str, line: u32, doc: &str) -> GlossRow {
    GlossRow {
        symbol,
        kind: kind.to_string(),
        gloss: gloss.to_string(),
        gloss_en: gloss.to_string(),
        defined_at: format!("{path}:{line}"),
        doc: doc.to_string(),
    }
}

/// The gloss of a member that has a doc.
fn member_row(m: &cgloss_index::Member<'_>, field: &str) -> Option<GlossRow> {
    let doc = m.fact.doc.as_ref()?;
    let g = gloss(&doc.summary);
    (!g.is_empty()).then(|| {
        row(
            format!("{}.{}", m.record, field),
            "member",
            &g,
            m.path,
            m.fact.line,
            &doc.text,
        )
    })
}

/// Removes the gloss markers from a rendered line, returning the plain text
/// and where each gloss stands in it. Text from the source (a string
/// literal, a doc) cannot forge a marker: `mark` strips marker characters
/// from what it wraps, and a stray one is dropped here.
fn split_marks(marked: &str) -> (String, Vec<GlossSpan>) {
    let mut text = String::with_capacity(marked.len());
    let mut spans = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    let mut chars = marked.chars();
    while let Some(c) = chars.next() {
        match c {
            MARK_OPEN => {
                let mut idx = String::new();
                for d in chars.by_ref() {
                    if d == MARK_MID {
                        break;
                    }
                    idx.push(d);
                }
                open = idx.parse().ok().map(|i| (i, text.len()));
            }
            MARK_CLOSE => {
                if let Some((gloss, start)) = open.take() {
                    spans.push(GlossSpan {
                        start,
                        end: text.len(),
                        gloss,
                    });
                }
            }
            MARK_MID => {}
            c => text.push(c),
        }
    }
    (text, spans)
}

struct Renderer<'a> {
    index: &'a Index,
    scope: Scope<'a>,
    opts: Options<'a>,
    lang: Lang,
    lines: Vec<BodyLine>,
    /// Glosses collected for the line being rendered.
    glosses: Vec<GlossRow>,
    /// Members left unglossed on the line being rendered because their
    /// struct's definitions disagree.
    ambiguous: Vec<AmbiguousRow>,
}

impl<'a> Renderer<'a> {
    fn push(&mut self, line: u32, end_line: u32, depth: u32, text: String, source: &str) {
        let glosses = std::mem::take(&mut self.glosses);
        let ambiguous = std::mem::take(&mut self.ambiguous);
        let (text, spans) = split_marks(&text);
        self.lines.push(BodyLine {
            line,
            end_line: end_line.max(line),
            depth,
            text,
            source: source.to_string(),
            glosses,
            ambiguous,
            spans,
        });
    }

    /// The gloss row of a member lookup; an ambiguous one is noted for the
    /// line and glosses nothing.
    fn member_gloss(&mut self, found: Option<MemberLookup<'_>>, field: &str) -> Option<GlossRow> {
        match found? {
            MemberLookup::Found(m) => member_row(&m, field),
            MemberLookup::Ambiguous(list) => {
                let row = AmbiguousRow {
                    symbol: format!("{}.{field}", list[0].record),
                    candidates: list
                        .iter()
                        .map(|m| Candidate {
                            defined_at: format!("{}:{}", m.path, m.fact.line),
                            gloss: m.fact.doc.as_deref().map(|d| gloss(&d.summary)),
                        })
                        .collect(),
                };
                if !self.ambiguous.contains(&row) {
                    self.ambiguous.push(row);
                }
                None
            }
            MemberLookup::Missing => None,
        }
    }

    /// Renders statements; returns whether any line was written.
    fn stmts(&mut self, stmts: &[Stmt], depth: u32) -> bool {
        let before = self.lines.len();
        for s in stmts {
            self.stmt(s, depth);
        }
        self.lines.len() > before
    }

    /// A loop or `if` body: a block's statements at `depth`, or the statement.
    fn body(&mut self, s: &Stmt, depth: u32) {
        match &s.kind {
            StmtKind::Block(stmts) => {
                self.stmts(stmts, depth);
            }
            _ => self.stmt(s, depth),
        }
    }

    /// The text of a simple statement.
    fn simple(&mut self, kind: &StmtKind, at_start: bool) -> String {
        let w = self.lang.words();
        match kind {
            StmtKind::Expr(e) => self.expr(e, at_start),
            StmtKind::Return(None) => w.return_.to_string(),
            StmtKind::Return(Some(e)) => phrase(&[w.return_, &self.expr(e, false)]),
            StmtKind::Break => w.break_.to_string(),
            StmtKind::Continue => w.continue_.to_string(),
            StmtKind::Goto(label) => phrase(&[w.goto, label]),
            _ => String::new(),
        }
    }

    fn stmt(&mut self, s: &Stmt, depth: u32) {
        let w = self.lang.words();
        match &s.kind {
            k if k.is_simple() => {
                let text = self.simple(k, true);
                self.push(s.line, s.end_line, depth, text, &s.source);
            }
            StmtKind::Decl(decls) => {
                let mut parts = Vec::new();
                for d in decls {
                    if let Some(init) = &d.init {
                        let value = self.value(init, Some(&d.ty));
                        parts.push(phrase(&[&d.name, self.lang.operator("="), &value]));
                    }
                }
                if !parts.is_empty() {
                    self.push(s.line, s.end_line, depth, parts.join(", "), &s.source);
                }
            }
            StmtKind::If {
                cond,
                then,
                else_branch,
            } => {
                let head = phrase(&[w.if_, &self.expr(cond, false), w.then]);
                self.if_chain(s, head, then, else_branch.as_deref(), depth);
            }
            StmtKind::While { cond, body } => {
                let text = phrase(&[w.while_pre, &self.expr(cond, false), w.while_post]);
                self.push(s.line, s.end_line, depth, text, &s.source);
                self.body(body, depth + 1);
            }
            StmtKind::DoWhile {
                body,
                cond,
                while_line,
                while_source,
            } => {
                self.push(s.line, s.line, depth, w.do_.to_string(), &s.source);
                self.body(body, depth + 1);
                let text = phrase(&[w.loop_while_pre, &self.expr(cond, false), w.loop_while_post]);
                self.push(*while_line, *while_line, depth, text, while_source);
            }
            StmtKind::For {
                init,
                cond,
                update,
                body,
            } => {
                let text = if init.is_none() && cond.is_none() && update.is_none() {
                    w.forever.to_string()
                } else {
                    let mut part = |e: &Option<Expr>| {
                        e.as_ref().map(|e| self.expr(e, false)).unwrap_or_default()
                    };
                    let (a, c, u) = (part(init), part(cond), part(update));
                    format!("{} {}; {}; {}", w.for_, a, c, u)
                        .trim_end()
                        .to_string()
                };
                self.push(s.line, s.end_line, depth, text, &s.source);
                self.body(body, depth + 1);
            }
            StmtKind::MacroLoop { call, body } => {
                let text = self.expr(call, true);
                self.push(s.line, s.end_line, depth, text, &s.source);
                self.body(body, depth + 1);
            }
            StmtKind::Switch { cond, body } => {
                let text = phrase(&[w.switch_pre, &self.expr(cond, false), w.switch_post]);
                self.push(s.line, s.end_line, depth, text, &s.source);
                self.body(body, depth + 1);
            }
            StmtKind::Case { value, stmts } => {
                let text = match value {
                    Some(v) => phrase(&[w.case_pre, &self.expr(v, false), w.case_post]),
                    None => w.default.to_string(),
                };
                self.push(s.line, s.end_line, depth, text, &s.source);
                self.stmts(stmts, depth + 1);
            }
            StmtKind::Label(name) => {
                self.push(s.line, s.line, depth, format!("{name}:"), &s.source);
            }
            StmtKind::Block(stmts) => {
                self.stmts(stmts, depth);
            }
            StmtKind::Directive(text) | StmtKind::Verbatim(text) => {
                self.push(s.line, s.end_line, depth, text.clone(), &s.source);
            }
            _ => {}
        }
    }

    fn if_chain(
        &mut self,
        s: &Stmt,
        head: String,
        then: &Stmt,
        else_branch: Option<&cgloss_facts::ElseBranch>,
        depth: u32,
    ) {
        let w = self.lang.words();
        if then.kind.is_simple() {
            let text = phrase(&[&head, &self.simple(&then.kind, false)]);
            self.push(s.line, s.end_line, depth, text, &s.source);
        } else {
            self.push(s.line, s.end_line, depth, head, &s.source);
            self.body(then, depth + 1);
        }
        let Some(e) = else_branch else {
            return;
        };
        match &e.stmt.kind {
            StmtKind::If {
                cond,
                then,
                else_branch,
            } => {
                let head = phrase(&[w.else_if, &self.expr(cond, false), w.then]);
                let mut inner = e.stmt.clone();
                inner.line = e.line;
                inner.source = e.source.clone();
                self.if_chain(&inner, head, then, else_branch.as_deref(), depth);
            }
            k if k.is_simple() => {
                let text = phrase(&[w.else_, &self.simple(k, false)]);
                self.push(e.line, e.stmt.end_line, depth, text, &e.source);
            }
            _ => {
                self.push(e.line, e.line, depth, w.else_.to_string(), &e.source);
                self.body(&e.stmt, depth + 1);
            }
        }
    }

    // ---- expressions ----

    /// An initializer or assigned value, with the type it initializes (for
    /// designated initializers).
    fn value(&mut self, e: &Expr, ty: Option<&TypeRef>) -> String {
        match e {
            Expr::InitList(items) => self.init_list(items, ty.cloned()),
            _ => self.expr(e, false),
        }
    }

    fn init_list(&mut self, items: &[Init], ty: Option<TypeRef>) -> String {
        let ty = ty.filter(|t| !t.is_unknown());
        let mut parts = Vec::new();
        for item in items {
            let mut names = Vec::new();
            let mut member_ty = None;
            for d in &item.designators {
                match d {
                    Designator::Field(field) => {
                        let found = self.scope.member_of_type(ty.as_ref(), field);
                        member_ty = match &found {
                            Some(MemberLookup::Found(m)) => Some(m.fact.ty.clone()),
                            _ => None,
                        };
                        match self.member_gloss(found, field) {
                            Some(row) => {
                                let row = self.localize_member(row);
                                let g = row.gloss.clone();
                                names.push(self.mark(row, g));
                            }
                            None => names.push(format!(".{field}")),
                        }
                    }
                    Designator::Index(i) => names.push(i.clone()),
                }
            }
            let value = match &item.value {
                Expr::InitList(inner) => self.init_list(inner, member_ty),
                other => self.expr(other, false),
            };
            if names.is_empty() {
                parts.push(value);
            } else {
                parts.push(phrase(&[&names.join(""), self.lang.operator("="), &value]));
            }
        }
        format!("{{{}}}", parts.join(", "))
    }

    /// Records a gloss for the line being rendered and returns `shown`
    /// wrapped in markers, so the span it covers can be found again
    /// (`split_marks`) for links in HTML.
    fn mark(&mut self, row: GlossRow, shown: String) -> String {
        let idx = match self.glosses.iter().position(|r| *r == row) {
            Some(i) => i,
            None => {
                self.glosses.push(row);
                self.glosses.len() - 1
            }
        };
        let shown: String = shown.chars().filter(|c| !is_mark(*c)).collect();
        format!("{MARK_OPEN}{idx}{MARK_MID}{shown}{MARK_CLOSE}")
    }

    /// A member's gloss in the report's language. A member's doc that
    /// starts with its name reads as it is (`features requested from the
    /// userspace`): the name-first rule of §5a is for symbols that stand
    /// alone.
    fn localize_member(&self, mut row: GlossRow) -> GlossRow {
        row.gloss = decapitalize(&row.gloss);
        row.gloss_en = row.gloss.clone();
        self.localize(&mut row);
        row
    }

    /// Puts the row's gloss in the report's language when the glossary
    /// translates it; returns whether it did.
    fn localize(&self, row: &mut GlossRow) -> Option<&'a str> {
        let t = self.opts.translation(&row.symbol, &row.gloss_en)?;
        row.gloss = t.to_string();
        Some(t)
    }

    fn ident(&mut self, name: &str, pos: u32, at_start: bool) -> String {
        if self.scope.is_local(name, pos) {
            return name.to_string();
        }
        if let Some(c) = self.index.constant(name, self.scope.file) {
            if let Some(doc) = c.doc {
                let g = gloss(&doc.summary);
                if !g.is_empty() {
                    let mut row = row(
                        name.to_string(),
                        c.kind,
                        &g,
                        c.site.path,
                        c.site.line,
                        &doc.text,
                    );
                    let text = match self.localize(&mut row) {
                        Some(t) if c.is_errno => format!("{name}（{t}）"),
                        Some(t) => t.to_string(),
                        None if c.is_errno => format!("{name} ({})", decapitalize(&g)),
                        None => placed(name, &g, at_start, &|w| {
                            !doc.kernel_doc && self.index.is_declared(w)
                        }),
                    };
                    return self.mark(row, text);
                }
            }
            return self
                .idiom(name, Some((c.site.path, c.site.line)), &[], &[], at_start)
                .unwrap_or_else(|| name.to_string());
        }
        if let Some((g, site)) = self.index.global(name, self.scope.file) {
            if let Some(doc) = &g.doc {
                let mut row = row(
                    name.to_string(),
                    "global",
                    &gloss(&doc.summary),
                    site.path,
                    site.line,
                    &doc.text,
                );
                self.localize(&mut row);
                return self.mark(row, name.to_string());
            }
        }
        self.idiom(name, None, &[], &[], at_start)
            .unwrap_or_else(|| name.to_string())
    }

    /// `name` (with `args`) read as an idiom of the glossary, a symbol no
    /// comment of the tree documents; `site` is its definition, `params`
    /// its parameters' names. The idiom's own words are marked as its
    /// gloss, the arguments keep theirs. `None` when the glossary has no
    /// such idiom or it wants an argument the call lacks.
    fn idiom(
        &mut self,
        name: &str,
        site: Option<(&str, u32)>,
        params: &[&str],
        args: &[Expr],
        at_start: bool,
    ) -> Option<String> {
        let template = self.opts.idiom(name)?;
        let english = self.opts.idiom_en(name).unwrap_or(template);
        let parts = pieces(template)?;
        let wanted = |i: usize| parts.contains(&Piece::Arg(i));
        if parts
            .iter()
            .any(|p| matches!(p, Piece::Arg(n) if *n >= args.len()))
        {
            return None;
        }
        let row = GlossRow {
            symbol: name.to_string(),
            kind: "idiom".to_string(),
            gloss: by_param_names(template, params, args.len()),
            gloss_en: by_param_names(english, params, args.len()),
            defined_at: site.map(|(p, l)| format!("{p}:{l}")).unwrap_or_default(),
            doc: by_param_names(english, params, args.len()),
        };
        let rendered: Vec<String> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                if wanted(i) {
                    self.expr(a, false)
                } else {
                    String::new()
                }
            })
            .collect();
        // The idiom's own words are marked with its row, each piece apart,
        // leaving the arguments' glosses their own spans.
        let mut out = String::with_capacity(template.len());
        for (i, piece) in parts.iter().enumerate() {
            match *piece {
                Piece::Arg(n) => out.push_str(&rendered[n]),
                Piece::Text(text) => {
                    let core = text.trim();
                    if core.is_empty() {
                        out.push_str(text);
                        continue;
                    }
                    let core = if i == 0 && at_start && self.lang == Lang::En {
                        capitalize(core)
                    } else {
                        core.to_string()
                    };
                    out.push_str(&text[..text.len() - text.trim_start().len()]);
                    out.push_str(&self.mark(row.clone(), core));
                    out.push_str(&text[text.trim_end().len()..]);
                }
            }
        }
        Some(out)
    }

    fn expr(&mut self, e: &Expr, at_start: bool) -> String {
        let lang = self.lang;
        let w = lang.words();
        match e {
            Expr::Ident { name, pos } => self.ident(name, *pos, at_start),
            Expr::Literal(s) | Expr::Raw(s) | Expr::TypeName(_, s) => s.clone(),
            Expr::Member {
                object,
                arrow,
                field,
            } => {
                let obj = self.expr(object, at_start);
                let found = self.scope.member(object, field);
                match self.member_gloss(found, field) {
                    Some(row) => {
                        let row = self.localize_member(row);
                        let g = row.gloss.clone();
                        format!("{obj}{}{}", w.possessive, self.mark(row, g))
                    }
                    None => format!("{obj}{}{field}", if *arrow { "->" } else { "." }),
                }
            }
            Expr::Call { callee, args, .. } => self.call(callee, args, at_start),
            Expr::Unary { op, operand } => {
                let x = self.expr(operand, false);
                if op == "!" {
                    phrase(&[w.not, &x])
                } else {
                    format!("{op}{x}")
                }
            }
            Expr::Postfix { op, operand } => format!("{}{op}", self.expr(operand, at_start)),
            Expr::Binary { op, left, right } => {
                let l = self.expr(left, at_start);
                let r = self.expr(right, false);
                phrase(&[&l, lang.operator(op), &r])
            }
            Expr::Assign { op, left, right } => {
                let l = self.expr(left, at_start);
                let left_ty = self.scope.type_of(left);
                let r = self.value(right, left_ty.as_ref());
                phrase(&[&l, lang.operator(op), &r])
            }
            Expr::Conditional { cond, then, other } => {
                let b = self.expr(other, false);
                match then {
                    Some(then) => {
                        let c = self.expr(cond, false);
                        let a = self.expr(then, false);
                        phrase(&[w.if_, &c, w.then, &a, w.else_, &b])
                    }
                    None => {
                        let c = self.expr(cond, at_start);
                        phrase(&[&c, w.or_else, &b])
                    }
                }
            }
            Expr::Cast { value, .. } => self.expr(value, at_start),
            Expr::Sizeof(inner) => {
                let inner = match inner.as_ref() {
                    Expr::Paren(x) => x.as_ref(),
                    x => x,
                };
                let x = self.expr(inner, lang == Lang::Zh && at_start);
                lang.size_of(&x)
            }
            Expr::Paren(inner) => format!("({})", self.expr(inner, false)),
            Expr::Index { array, index } => {
                let a = self.expr(array, at_start);
                format!("{a}[{}]", self.expr(index, false))
            }
            Expr::Comma(items) => items
                .iter()
                .enumerate()
                .map(|(i, x)| self.expr(x, at_start && i == 0))
                .collect::<Vec<_>>()
                .join(", "),
            Expr::InitList(items) => self.init_list(items, None),
            Expr::CompoundLiteral { ty, init } => self.init_list(init, Some(ty.clone())),
        }
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], at_start: bool) -> String {
        let name = match callee {
            Expr::Ident { name, pos } if !self.scope.is_local(name, *pos) => Some(name.as_str()),
            _ => None,
        };
        let resolved = name.and_then(|n| self.index.resolve_call(n, self.scope.file));
        if let (Some(name), Some(c)) = (name, &resolved) {
            if let Some(doc) = c.doc {
                let g = gloss(&doc.summary);
                if !g.is_empty() {
                    let site = c.doc_site.clone().unwrap_or(c.site.clone());
                    let kind = match c.kind {
                        CallableKind::Macro => "macro",
                        _ => "function",
                    };
                    let mut row = row(name.to_string(), kind, &g, site.path, site.line, &doc.text);
                    let head = match self.localize(&mut row) {
                        Some(t) => t.to_string(),
                        None => placed(name, &g, at_start, &|w| {
                            !doc.kernel_doc && self.index.is_declared(w)
                        }),
                    };
                    let head = self.mark(row, head);
                    if args.is_empty() {
                        return head;
                    }
                    let params = c.params.clone();
                    let rendered: Vec<String> = args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| {
                            let x = self.expr(a, false);
                            match params.get(i) {
                                Some(p) if !p.is_empty() => format!("{p}: {x}"),
                                _ => x,
                            }
                        })
                        .collect();
                    return format!("{head} ({})", rendered.join(", "));
                }
            }
        }
        if let Some(name) = name {
            let site = resolved.as_ref().map(|c| (c.site.path, c.site.line));
            let params = resolved
                .as_ref()
                .map(|c| c.params.clone())
                .unwrap_or_default();
            if let Some(text) = self.idiom(name, site, &params, args, at_start) {
                return text;
            }
        }
        let f = match name {
            Some(n) => n.to_string(),
            None => self.expr(callee, at_start),
        };
        let rendered: Vec<String> = args.iter().map(|a| self.expr(a, false)).collect();
        format!("{f}({})", rendered.join(", "))
    }
}
