//! One tree opened for lookups, the way `cgloss report` reads it: its
//! persistent index when there is one (only a function's neighbourhood is
//! loaded per question), else the whole tree parsed in memory once. The
//! `report` and `context` commands and the MCP server ask it for reports,
//! context bundles and symbols.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use cgloss_index::{FnId, Index};
use cgloss_store::Store;

use crate::build::Tree;
use crate::messages::Messages;

/// A tree and how it is read.
pub struct Lookup {
    root: PathBuf,
    canonical_root: PathBuf,
    /// `None` only while a neighbourhood is being loaded.
    store: Option<Store>,
    tree: Option<Tree>,
}

/// What a `name` or `path:name` argument asks for.
#[derive(Clone, Debug)]
pub struct Spec {
    /// As written.
    pub text: String,
    /// The path relative to the root, when given.
    pub path: Option<String>,
    /// The name (`struct x` for a type).
    pub name: String,
}

/// The index a lookup gives its callback, and the texts of the files.
pub struct Found<'a> {
    /// The linked facts: the neighbourhood of the name, or the whole tree.
    pub index: &'a Index,
    texts: Texts<'a>,
}

enum Texts<'a> {
    Store {
        root: &'a Path,
        loaded: HashMap<String, String>,
    },
    Memory {
        tree: &'a Tree,
    },
}

impl Found<'_> {
    /// The text of the file at `path` of the index, read now (but for the
    /// files the neighbourhood already read).
    pub fn text(&self, path: &str, messages: &Messages) -> Option<String> {
        match &self.texts {
            Texts::Store { root, loaded } => loaded.get(path).cloned().or_else(|| {
                std::fs::read(root.join(path))
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            }),
            Texts::Memory { tree } => {
                let file = tree.files.iter().find(|f| f.rel == path)?;
                crate::discover::read_text(file, messages, false)
            }
        }
    }
}

impl Lookup {
    /// Opens `root` as `report` does: `--index` (built when missing), else
    /// the default index when `cgloss index` made one, else the tree parsed
    /// now (noting the cost for a large one).
    pub fn open(root: &Path, index: Option<&Path>, messages: &Messages) -> anyhow::Result<Lookup> {
        let meta = std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
        if !meta.is_dir() {
            anyhow::bail!("{}: not a directory", root.display());
        }
        let canonical_root = std::fs::canonicalize(root).unwrap_or(root.to_path_buf());
        let store = crate::index::open_for_report(root, index, messages)?;
        let tree = match store {
            Some(_) => None,
            None => {
                let tree = crate::build::build(root, messages);
                if tree.files.len() >= 2000 {
                    messages.note(&format!(
                        "parsed {} files for this report; `cgloss index --root {}` once makes \
                         reports of this tree take milliseconds",
                        tree.files.len(),
                        root.display()
                    ));
                }
                Some(tree)
            }
        };
        Ok(Lookup {
            root: root.to_path_buf(),
            canonical_root,
            store,
            tree,
        })
    }

    /// The root as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The root, canonical.
    pub fn canonical_root(&self) -> &Path {
        &self.canonical_root
    }

    /// Whether the tree is parsed in memory and has no C file.
    pub fn is_empty(&self) -> bool {
        self.tree.as_ref().is_some_and(|t| t.files.is_empty())
    }

    /// Reads `name` or `path:name` (the path relative to the root, or
    /// absolute under it).
    pub fn spec(&self, text: &str) -> Spec {
        let (path, name) = match text.rsplit_once(':') {
            Some((p, n)) => (Some(relative_to_root(&self.canonical_root, p)), n),
            None => (None, text),
        };
        Spec {
            text: text.to_string(),
            path,
            name: name.to_string(),
        }
    }

    /// Runs `f` on the facts that answer questions about `spec`: the
    /// neighbourhood of its name from the index (brought up to date when a
    /// file it came from changed), or the whole tree.
    pub fn with<R>(
        &mut self,
        spec: &Spec,
        messages: &Messages,
        f: impl FnOnce(&Found<'_>) -> R,
    ) -> anyhow::Result<R> {
        if let Some(tree) = &self.tree {
            return Ok(f(&Found {
                index: &tree.index,
                texts: Texts::Memory { tree },
            }));
        }
        let store = self.store.take().context("the index was lost")?;
        let (ns, store) = crate::index::neighbourhood(
            &self.root,
            store,
            &spec.name,
            spec.path.as_deref(),
            messages,
        )?;
        self.store = Some(store);
        let index = cgloss_index::link_partial(ns.index_files, ns.whole);
        Ok(f(&Found {
            index: &index,
            texts: Texts::Store {
                root: &self.root,
                loaded: ns.texts,
            },
        }))
    }

    /// Where function `name` is defined, as `path:line`, by path.
    pub fn defined_at(&self, name: &str) -> anyhow::Result<Vec<String>> {
        if let Some(store) = &self.store {
            return Ok(store
                .find_functions(name, None)?
                .into_iter()
                .map(|(p, f)| format!("{p}:{}", f.line))
                .collect());
        }
        let index = &self.tree.as_ref().context("no tree")?.index;
        Ok(index
            .find_functions(name, None)
            .into_iter()
            .map(|id| format!("{}:{}", index.path(id), index.function(id).line))
            .collect())
    }

    /// `; did you mean: a, b` with up to five function names close to `name`.
    pub fn suggestions(&self, name: &str) -> anyhow::Result<String> {
        if let Some(store) = &self.store {
            let names = store.function_names()?;
            return Ok(crate::suggestions(names.iter().map(String::as_str), name));
        }
        let index = &self.tree.as_ref().context("no tree")?.index;
        Ok(crate::suggestions(index.function_names(), name))
    }

    /// Why `spec` found nothing, as `report` says it: the file does not
    /// exist, it does not define the name (and where the name is defined),
    /// or no such function at all (and close names).
    pub fn not_found(&self, spec: &Spec) -> anyhow::Result<String> {
        let why = match &spec.path {
            Some(p) if !self.root.join(p).is_file() => format!("{p}: no such file under the root"),
            Some(p) => format!("{p} defines no function of that name"),
            None => "no such function".to_string(),
        };
        let defined = self.defined_at(&spec.name)?;
        let elsewhere = match defined.as_slice() {
            [] => self.suggestions(&spec.name)?,
            many => format!("; it is defined in {}", many.join(", ")),
        };
        Ok(format!("{}: {why}{elsewhere}", spec.text))
    }

    /// Symbols whose name starts with `query` (first) or contains it,
    /// case-insensitively; at most `limit`, ordered by (exact, prefix,
    /// name, path, line).
    pub fn search(&self, query: &str, limit: usize) -> anyhow::Result<Vec<cgloss_store::Hit>> {
        if let Some(store) = &self.store {
            return Ok(store.search(query, limit)?);
        }
        let index = &self.tree.as_ref().context("no tree")?.index;
        Ok(search_index(index, query, limit))
    }
}

/// `Lookup::search` over facts in memory, with the kinds the store names.
fn search_index(index: &Index, query: &str, limit: usize) -> Vec<cgloss_store::Hit> {
    let q = query.to_lowercase();
    let mut hits = Vec::new();
    let summary = |d: &Option<Box<cgloss_facts::Doc>>| d.as_ref().map(|d| d.summary.clone());
    for file in index.files() {
        let mut add = |kind: &str, name: &str, line: u32, doc: Option<String>| {
            if name.to_lowercase().contains(&q) {
                hits.push(cgloss_store::Hit {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    path: file.path.clone(),
                    line,
                    summary: doc,
                });
            }
        };
        for f in &file.functions {
            add("function", &f.name, f.line, summary(&f.doc));
        }
        for m in &file.macros {
            add("macro", &m.name, m.line, summary(&m.doc));
        }
        for r in &file.records {
            let (kind, name) = r.tag.split_once(' ').unwrap_or(("struct", &r.tag));
            add(kind, name, r.line, summary(&r.doc));
        }
        for t in &file.typedefs {
            add("typedef", &t.name, t.line, summary(&t.doc));
        }
        for e in &file.enums {
            add(
                "enum",
                e.tag.strip_prefix("enum ").unwrap_or(&e.tag),
                e.line,
                summary(&e.doc),
            );
        }
        for c in &file.enum_consts {
            add("enum_constant", &c.name, c.line, summary(&c.doc));
        }
        for g in &file.globals {
            add("variable", &g.name, g.line, summary(&g.doc));
        }
    }
    cgloss_store::rank_hits(&mut hits, query);
    hits.truncate(limit);
    hits
}

/// A `path` of a `path:name` spec relative to the root: an absolute path
/// under the root is made relative; `./` goes.
pub fn relative_to_root(canonical_root: &Path, path: &str) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        let canonical = std::fs::canonicalize(p).unwrap_or(p.to_path_buf());
        if let Ok(rel) = canonical.strip_prefix(canonical_root) {
            return rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
        }
    }
    path.trim_start_matches("./").to_string()
}

/// The file texts and call lines a context bundle reads, each file read
/// once.
pub struct BundleSources<'a, 'm> {
    found: &'a Found<'a>,
    messages: &'m Messages,
    cache: HashMap<String, Option<String>>,
}

impl<'a, 'm> BundleSources<'a, 'm> {
    /// Sources reading the files of `found`.
    pub fn new(found: &'a Found<'a>, messages: &'m Messages) -> Self {
        BundleSources {
            found,
            messages,
            cache: HashMap::new(),
        }
    }
}

impl cgloss_report::context::Sources for BundleSources<'_, '_> {
    fn text(&mut self, path: &str) -> Option<&str> {
        if !self.cache.contains_key(path) {
            let text = self.found.text(path, self.messages);
            self.cache.insert(path.to_string(), text);
        }
        self.cache.get(path)?.as_deref()
    }

    fn call_lines(
        &mut self,
        path: &str,
        caller: &cgloss_facts::FunctionFact,
        callee: &str,
    ) -> Vec<u32> {
        let Some(text) = self.text(path) else {
            return Vec::new();
        };
        let tokens: Vec<cgloss_syntax::lex::Token> = cgloss_syntax::lex::Lexer::range(
            text,
            caller.start_byte as usize,
            caller.end_byte as usize,
            caller.start_line,
        )
        .filter(|t| !t.is_comment())
        .collect();
        let mut lines: Vec<u32> = tokens
            .windows(2)
            .filter(|w| {
                w[0].kind == cgloss_syntax::lex::Kind::Ident
                    && w[0].text(text) == callee
                    && w[1].is_punct(text, "(")
            })
            .map(|w| w[0].line)
            .collect();
        lines.dedup();
        lines
    }
}

/// The context bundle of the function `spec` names, cut to `budget`; `Ok(None)`
/// when no function of that name is found (see `Lookup::not_found`). With
/// several definitions, the first by (path, line) is bundled and the others
/// are named in its header.
pub fn context_bundle(
    lookup: &mut Lookup,
    spec: &Spec,
    budget: usize,
    opts: &cgloss_report::Options<'_>,
    messages: &Messages,
) -> anyhow::Result<Option<cgloss_report::context::Context>> {
    lookup.with(spec, messages, |found| {
        let index = found.index;
        let ids: Vec<FnId> = index.find_functions(&spec.name, spec.path.as_deref());
        let &id = ids.first()?;
        let text = found.text(index.path(id), messages)?;
        let f = index.function(id);
        let body = cgloss_syntax::lower_function(&text, f);
        let report = cgloss_report::render(index, id, &body, opts);
        let others = ids[1..]
            .iter()
            .map(|&o| format!("{}:{}", index.path(o), index.function(o).line))
            .collect();
        let mut sources = BundleSources::new(found, messages);
        Some(cgloss_report::context::context(
            index,
            id,
            &body,
            &report,
            &mut sources,
            budget,
            others,
        ))
    })
}
