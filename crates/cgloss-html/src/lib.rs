//! The static website: every page as `(path, bytes)`, for the binary to
//! write. Pages are rendered from minijinja templates (`templates/`), share
//! one stylesheet and one small script (`assets/`), link only relatively, and
//! read fine without JavaScript. Search is a static index split into shards
//! loaded as `<script>`s, so it works from `file://`.
//!
//! Layout under the output folder (`<lang>` is `en` or `zh`):
//!
//! | path | page |
//! |---|---|
//! | `index.html` | points to the first language's home |
//! | `assets/style.css`, `assets/app.js` | shared by every page |
//! | `search/manifest.js`, `search/<prefix>.js` | the search index |
//! | `<lang>/index.html` | home: title, counts, top-level folders and files |
//! | `<lang>/<dir>/index.html` | a folder: subfolders and files |
//! | `<lang>/<file>.html` | a file: functions, structs, macros, constants, variables |
//! | `<lang>/<file>/<function>.html` | a function report with its call tree (`<function>.L<line>.html` for a second definition in one file) |
//!
//! Path components outside `[A-Za-z0-9_.+-]` are escaped as `~XX`, so no
//! name in the tree can reach outside the output folder or collide.
#![warn(missing_docs)]

mod paths;
mod search;
mod words;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use cgloss_index::{CallableKind, FileId, FnId, Index};
use cgloss_report::{FunctionReport, Lang};
use minijinja::Environment;
use serde::Serialize;

pub use paths::safe_path;
use paths::{relative, stem};
use words::{html_words, HtmlWords};

/// What the whole site shares.
pub struct SiteConfig {
    /// Shown in every header (`Linux v5.5.9`).
    pub title: String,
    /// Languages to write, the first one is the default.
    pub langs: Vec<Lang>,
    /// The generation date, already formatted.
    pub generated: String,
    /// Last-modified date of each file, in the order of the site's files
    /// (by path; `FileId` order for a whole index), already formatted.
    pub modified: Vec<String>,
    /// Whether the site has a source view of each file (`source/<file>.html`):
    /// then function pages link each line to it, and file pages link to it.
    /// `cgloss serve` always has one; `cgloss site` with `--source`.
    pub source: bool,
}

/// One output file.
pub struct Page {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// The site of one index.
pub struct Site<'a> {
    index: &'a Index,
    parts: Parts<'a>,
}

/// What a site of one tree prepares once: its configuration, templates,
/// files, folders and the page path of every file. Kept by a server, which
/// makes a `Site` of them and an index holding what one page needs
/// (`Site::of`) for each request.
pub struct SiteParts {
    config: SiteConfig,
    env: Environment<'static>,
    /// Every file of the tree, by path.
    files: Vec<FileSummary>,
    /// Functions with a doc, in the whole tree.
    documented: usize,
    dirs: BTreeMap<String, DirEntry>,
    /// File page path (from the language root, without `.html`) to the
    /// file's position in `files`.
    files_by_url: HashMap<String, usize>,
    /// Folder page path (from the language root) to folder.
    dirs_by_url: HashMap<String, String>,
}

/// What the folder pages show of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSummary {
    /// Path relative to the root.
    pub path: String,
    /// Function definitions in it.
    pub n_functions: usize,
}

enum Parts<'a> {
    Owned(Box<SiteParts>),
    Borrowed(&'a SiteParts),
}

impl std::ops::Deref for Parts<'_> {
    type Target = SiteParts;
    fn deref(&self) -> &SiteParts {
        match self {
            Parts::Owned(p) => p,
            Parts::Borrowed(p) => p,
        }
    }
}

/// What a page path of the site shows (see the layout in the crate docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// `index.html` or a file under `assets/`.
    Asset,
    /// A file under `search/`.
    Search,
    /// The home page (`dir` empty) or a folder page.
    Folder {
        /// Language.
        lang: Lang,
        /// The folder, relative to the root.
        dir: String,
    },
    /// A file page.
    File {
        /// Language.
        lang: Lang,
        /// The file's path.
        path: String,
    },
    /// A function report page: of the definition of `name` in `path`, the
    /// one at `line` when the page is a later definition's
    /// (`name.L<line>.html`). `Site::page_function` finds it in an index.
    Function {
        /// Language.
        lang: Lang,
        /// The file's path.
        path: String,
        /// The function's name.
        name: String,
        /// Its line, for a later definition of the name in the file.
        line: Option<u32>,
    },
    /// The source view of a file (`source/<file>.html`; `cgloss serve`
    /// renders it, `cgloss site --source` writes it).
    Source {
        /// The file's path.
        path: String,
    },
}

/// A coloured, possibly linked piece of a file in its source view.
pub struct SourceSpan {
    /// Start byte in the file's text.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// CSS class (`cgloss_syntax::Class::name`).
    pub class: &'static str,
    /// Page it links to, from the site root.
    pub href: Option<String>,
    /// Tooltip.
    pub title: Option<String>,
}

#[derive(Default)]
struct DirEntry {
    dirs: BTreeSet<String>,
    /// Positions in `SiteParts::files`.
    files: Vec<usize>,
    n_functions: usize,
}

impl FileSummary {
    /// The files of the whole tree `index`, and how many of its functions
    /// have a doc (`Index::function_doc`).
    pub fn of_index(index: &Index) -> (Vec<FileSummary>, usize) {
        let files = index
            .files()
            .iter()
            .map(|f| FileSummary {
                path: f.path.clone(),
                n_functions: f.functions.len(),
            })
            .collect();
        let documented = index
            .all_functions()
            .filter(|id| index.function_doc(*id).is_some())
            .count();
        (files, documented)
    }
}

impl SiteParts {
    /// Prepares the site of the whole tree `index`.
    pub fn new(index: &Index, config: SiteConfig) -> SiteParts {
        let (files, documented) = FileSummary::of_index(index);
        SiteParts::of_files(files, documented, config)
    }

    /// Prepares the site of a tree of `files` (sorted by path, as an
    /// index's), `documented` of whose functions have a doc.
    pub fn of_files(
        mut files: Vec<FileSummary>,
        documented: usize,
        config: SiteConfig,
    ) -> SiteParts {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        for (name, source) in [
            ("layout.html", include_str!("../templates/layout.html")),
            ("home.html", include_str!("../templates/home.html")),
            ("dir.html", include_str!("../templates/dir.html")),
            ("file.html", include_str!("../templates/file.html")),
            ("function.html", include_str!("../templates/function.html")),
            ("redirect.html", include_str!("../templates/redirect.html")),
            ("source.html", include_str!("../templates/source.html")),
        ] {
            env.add_template(name, source).expect("templates are valid");
        }
        let mut dirs: BTreeMap<String, DirEntry> = BTreeMap::new();
        dirs.entry(String::new()).or_default();
        for (pos, facts) in files.iter().enumerate() {
            let (parent, _) = facts.path.rsplit_once('/').unwrap_or(("", &facts.path));
            dirs.entry(parent.to_string()).or_default().files.push(pos);
            // Every ancestor knows its child folder and counts the functions.
            let mut dir = parent.to_string();
            loop {
                dirs.entry(dir.clone()).or_default().n_functions += facts.n_functions;
                if dir.is_empty() {
                    break;
                }
                let (up, name) = dir.rsplit_once('/').unwrap_or(("", &dir));
                let (up, name) = (up.to_string(), name.to_string());
                dirs.entry(up.clone()).or_default().dirs.insert(name);
                dir = up;
            }
        }
        let files_by_url = files
            .iter()
            .enumerate()
            .map(|(pos, f)| (safe_path(&f.path), pos))
            .collect();
        let dirs_by_url = dirs.keys().map(|d| (Site::dir_url(d), d.clone())).collect();
        SiteParts {
            config,
            env,
            files,
            documented,
            dirs,
            files_by_url,
            dirs_by_url,
        }
    }

    /// Every file of the tree, by path.
    pub fn files(&self) -> &[FileSummary] {
        &self.files
    }

    /// The last change of the file at `path`, formatted; empty when unknown.
    fn modified(&self, path: &str) -> &str {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .and_then(|pos| self.config.modified.get(pos))
            .map_or("", String::as_str)
    }
}

/// Children shown under a call-tree node at each level (the tree is three
/// levels deep: nodes at depth 0, 1 and 2 have children), and the most
/// nodes shown in each direction: enough to explore, small enough that a
/// whole-kernel site stays a few GB.
pub const TREE_FANOUT: [usize; 3] = [12, 5, 3];
const TREE_BUDGET: usize = 100;
/// Depth of the call tree: nodes at this depth are leaves.
pub const TREE_DEPTH: usize = 3;
/// The children of `id` in its call tree, in order: its callers, or what
/// it calls — a callee the index cannot resolve to a definition is a leaf
/// (a macro's, or a function outside the tree). The tree shows the first
/// `TREE_FANOUT[depth]` of them under a node at `depth`.
pub fn tree_kids(index: &Index, id: FnId, callers: bool) -> Vec<Result<FnId, &str>> {
    if callers {
        return index.callers(id).iter().map(|&c| Ok(c)).collect();
    }
    index
        .function(id)
        .calls
        .iter()
        .flat_map(|name| {
            let targets = index.resolve_functions(name, id.file);
            if targets.is_empty() {
                vec![Err(name.as_str())]
            } else {
                targets.into_iter().map(Ok).collect()
            }
        })
        .collect()
}

/// Most leaves listed behind the root's "… N".
const TREE_REST: usize = 200;

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh",
    }
}

fn lang_label(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "English",
        Lang::Zh => "中文",
    }
}

#[derive(Serialize)]
struct Crumb {
    text: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct LangLink {
    code: &'static str,
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct Common<'a> {
    lang: &'static str,
    root: String,
    lang_root: String,
    site_title: &'a str,
    generated: &'a str,
    crumbs: Vec<Crumb>,
    langs: Vec<LangLink>,
    w: &'static HtmlWords,
}

#[derive(Serialize)]
struct Listed {
    name: String,
    href: String,
    n_functions: usize,
}

#[derive(Serialize)]
struct Seg {
    text: String,
    href: Option<String>,
    title: Option<String>,
}

#[derive(Serialize)]
struct Line {
    line: u32,
    depth: u32,
    segs: Vec<Seg>,
    source: String,
}

#[derive(Serialize)]
struct RelatedRow {
    name: String,
    href: Option<String>,
    #[serde(rename = "where")]
    at: Option<String>,
    summary: Option<String>,
    /// The English summary, when `summary` is a translation.
    original: Option<String>,
}

#[derive(Serialize)]
struct TreeNode {
    name: String,
    href: Option<String>,
    #[serde(rename = "where")]
    at: String,
    children: Vec<TreeNode>,
    /// "… N": how many the tree leaves out here.
    more: Option<String>,
    /// Where those are listed.
    more_href: Option<String>,
    /// Those of the root, as leaves shown when "… N" is opened.
    rest: Vec<TreeNode>,
    /// "… M": those of the root not even in `rest`.
    rest_more: Option<String>,
    open: bool,
}

#[derive(Serialize)]
struct Item {
    name: String,
    anchor: String,
    line: u32,
    href: Option<String>,
    summary: Option<String>,
    doc: Option<String>,
    members: Vec<Item>,
}

/// Escapes `& < > " '` only: minijinja's default also escapes `/`, which
/// costs five bytes per slash of every relative link.
fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let plain = value.is_safe()
        || value.is_undefined()
        || value.is_none()
        || !matches!(state.auto_escape(), minijinja::AutoEscape::Html);
    if plain {
        return minijinja::escape_formatter(out, state, value);
    }
    let owned;
    let s = match value.as_str() {
        Some(s) => s,
        None => {
            owned = value.to_string();
            &owned
        }
    };
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[last..i]).map_err(minijinja::Error::from)?;
        out.write_str(rep).map_err(minijinja::Error::from)?;
        last = i + 1;
    }
    out.write_str(&s[last..]).map_err(minijinja::Error::from)
}

/// Appends `s` with `& < > " '` escaped.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Anchor of an item on its file page: a kind letter, the line, the name.
fn anchor(kind: char, line: u32, name: &str) -> String {
    format!("{kind}{line}-{}", name.replace(' ', "-"))
}

/// The page (from the language root) of a symbol declared in `path` at
/// `line`, as `Site::symbol_url` gives it: a function definition's report
/// when its page stem is given (`name`, or `name.L<line>` for a later
/// definition in the file), else the file page at the symbol's anchor.
pub fn symbol_page(path: &str, kind: &str, name: &str, line: u32, fn_stem: Option<&str>) -> String {
    let file_url = format!("{}.html", safe_path(path));
    let tag;
    let (letter, anchor_name) = match kind {
        "function" => match fn_stem {
            Some(stem) => return format!("{}/{stem}.html", safe_path(path)),
            None => return file_url,
        },
        "prototype" => ('p', name),
        "macro" => ('d', name),
        "struct" | "union" => {
            tag = format!("{kind} {name}");
            ('r', tag.as_str())
        }
        "enum" => {
            tag = format!("enum {name}");
            ('n', tag.as_str())
        }
        "enum_constant" => ('e', name),
        "typedef" => ('t', name),
        "variable" => ('v', name),
        "member" => ('m', name.rsplit('.').next().unwrap_or(name)),
        _ => return file_url,
    };
    format!("{file_url}#{}", anchor(letter, line, anchor_name))
}

impl<'a> Site<'a> {
    /// Prepares the site of `index`.
    pub fn new(index: &'a Index, config: SiteConfig) -> Site<'a> {
        Site {
            index,
            parts: Parts::Owned(Box::new(SiteParts::new(index, config))),
        }
    }

    /// The site of `index` from parts prepared for it (`SiteParts::new`
    /// with the same index).
    pub fn of(index: &'a Index, parts: &'a SiteParts) -> Site<'a> {
        Site {
            index,
            parts: Parts::Borrowed(parts),
        }
    }

    /// What the page at `path` (relative to the output folder, `/`-separated,
    /// as `Page::path`) is, if the site has such a page.
    pub fn route(&self, path: &str) -> Option<Route> {
        if path == "index.html" || path == "assets/style.css" || path == "assets/app.js" {
            return Some(Route::Asset);
        }
        if let Some(rest) = path.strip_prefix("search/") {
            return (!rest.is_empty()).then_some(Route::Search);
        }
        if let Some(rest) = path.strip_prefix("source/") {
            let pos = *self.parts.files_by_url.get(rest.strip_suffix(".html")?)?;
            return Some(Route::Source {
                path: self.parts.files[pos].path.clone(),
            });
        }
        let (code, rest) = path.split_once('/')?;
        let lang = *self
            .parts
            .config
            .langs
            .iter()
            .find(|&&l| lang_code(l) == code)?;
        if let Some(dir) = self.parts.dirs_by_url.get(rest) {
            return Some(Route::Folder {
                lang,
                dir: dir.clone(),
            });
        }
        let page = rest.strip_suffix(".html")?;
        if let Some(&pos) = self.parts.files_by_url.get(page) {
            let path = self.parts.files[pos].path.clone();
            return Some(Route::File { lang, path });
        }
        let (file_url, fn_stem) = page.rsplit_once('/')?;
        let pos = *self.parts.files_by_url.get(file_url)?;
        if self.parts.files[pos].n_functions == 0 {
            return None;
        }
        // A stem is the name, or `name.L<line>` for a later definition.
        let (name, line) = match fn_stem.rsplit_once(".L") {
            Some((n, l)) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => {
                (n, Some(l.parse::<u32>().ok()?))
            }
            _ => (fn_stem, None),
        };
        if name.is_empty() {
            return None;
        }
        Some(Route::Function {
            lang,
            path: self.parts.files[pos].path.clone(),
            name: name.to_string(),
            line,
        })
    }

    /// The function whose page `Route::Function { path, name, line }` is,
    /// in this site's index (which must hold every definition of `name` in
    /// `path`).
    pub fn page_function(&self, path: &str, name: &str, line: Option<u32>) -> Option<FnId> {
        let file = self.index.file_id(path)?;
        let facts = self.index.file(file);
        let idx = facts
            .functions
            .iter()
            .position(|f| f.name == name && line.is_none_or(|l| f.line == l))?;
        let id = FnId {
            file,
            idx: idx as u32,
        };
        let want = match line {
            Some(l) => format!("{name}.L{l}"),
            None => name.to_string(),
        };
        (stem(self.index, id) == want).then_some(id)
    }

    /// Every file of the tree, by path.
    pub fn files(&self) -> &[FileSummary] {
        &self.parts.files
    }

    /// The configured languages.
    pub fn langs(&self) -> &[Lang] {
        &self.parts.config.langs
    }

    fn render(&self, template: &str, ctx: impl Serialize) -> Vec<u8> {
        let tmpl = self
            .parts
            .env
            .get_template(template)
            .expect("template exists");
        tmpl.render(minijinja::Value::from(minijinja::value::Serde(&ctx)))
            .unwrap_or_else(|e| panic!("template {template}: {e:#}"))
            .into_bytes()
    }

    /// Links to `page` (relative to a language root) in every language, from
    /// a page whose path to the site root is `root`.
    fn lang_links(&self, root: &str, page: &str, current: Option<Lang>) -> Vec<LangLink> {
        self.parts
            .config
            .langs
            .iter()
            .map(|&l| LangLink {
                code: lang_code(l),
                label: lang_label(l),
                href: format!("{root}{}/{page}", lang_code(l)),
                current: Some(l) == current,
            })
            .collect()
    }

    /// Header data of a page at `page` (path relative to the language root).
    fn common(&self, lang: Lang, page: &str, crumbs: Vec<Crumb>) -> Common<'_> {
        let depth = page.matches('/').count();
        let lang_root = "../".repeat(depth);
        let root = format!("{lang_root}../");
        let langs = self.lang_links(&root, page, Some(lang));
        Common {
            lang: lang_code(lang),
            root,
            lang_root,
            site_title: &self.parts.config.title,
            generated: &self.parts.config.generated,
            crumbs,
            langs,
            w: html_words(lang),
        }
    }

    /// Breadcrumbs from a page at `page`: the folders of `path`, then its
    /// last component linked to `last_link`, then `extra` crumbs.
    fn crumbs(
        &self,
        path: &str,
        page: &str,
        last_link: Option<String>,
        extra: Vec<Crumb>,
    ) -> Vec<Crumb> {
        let mut crumbs = Vec::new();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for (k, part) in parts.iter().enumerate() {
            let href = if k + 1 == parts.len() {
                last_link.clone()
            } else {
                Some(relative(page, &Self::dir_url(&parts[..=k].join("/"))))
            };
            crumbs.push(Crumb {
                text: part.to_string(),
                href,
            });
        }
        crumbs.extend(extra);
        crumbs
    }

    // ---- URLs, relative to the language root ----

    fn file_url(&self, file: FileId) -> String {
        format!("{}.html", safe_path(&self.index.file(file).path))
    }

    /// The report page of a function.
    pub fn function_url(&self, id: FnId) -> String {
        format!(
            "{}/{}.html",
            safe_path(self.index.path(id)),
            stem(self.index, id)
        )
    }

    /// The page (from the language root) of a symbol of `file`: a
    /// function's report (`fn_idx`, its index in the file), else the file
    /// page at the symbol's anchor. `kind` is one of `function`,
    /// `prototype`, `macro`, `struct`, `union`, `enum`, `enum_constant`,
    /// `typedef`, `variable`, `member` (`tag.member`).
    pub fn symbol_url(
        &self,
        file: FileId,
        kind: &str,
        name: &str,
        line: u32,
        fn_idx: Option<u32>,
    ) -> String {
        let stem = match (kind, fn_idx) {
            ("function", Some(idx)) => Some(stem(self.index, FnId { file, idx })),
            _ => None,
        };
        symbol_page(
            &self.index.file(file).path,
            kind,
            name,
            line,
            stem.as_deref(),
        )
    }

    /// The source view of a file, from the site root.
    pub fn source_url(&self, file: FileId) -> String {
        format!("source/{}.html", safe_path(&self.index.file(file).path))
    }

    /// The link from `page` (relative to a language root) to the source
    /// view of `file`, at `#L<line>` when given; `None` when the site has no
    /// source view.
    fn source_href(&self, page: &str, file: FileId, line: Option<u32>) -> Option<String> {
        if !self.parts.config.source {
            return None;
        }
        let mut href = relative(page, &format!("../{}", self.source_url(file)));
        if let Some(line) = line {
            let _ = write!(href, "#L{line}");
        }
        Some(href)
    }

    /// Whether the site has a source view (`SiteConfig::source`).
    pub fn has_source(&self) -> bool {
        self.parts.config.source
    }

    fn dir_url(dir: &str) -> String {
        if dir.is_empty() {
            "index.html".to_string()
        } else {
            format!("{}/index.html", safe_path(dir))
        }
    }

    /// The function defined at `path:line`, if any.
    fn function_at(&self, name: &str, path: &str, line: u32) -> Option<FnId> {
        self.index
            .find_functions(name, Some(path))
            .into_iter()
            .find(|id| self.index.function(*id).line == line)
    }

    /// The file-page anchor of whatever named `name` is declared at `line`
    /// of `file` (macro, prototype, enum constant, variable).
    fn item_url(&self, file: FileId, name: &str, line: u32) -> String {
        let facts = self.index.file(file);
        let at = |l: u32, n: &str| l == line && n == name;
        let kinds = [
            ('d', facts.macros.iter().any(|m| at(m.line, &m.name))),
            ('p', facts.prototypes.iter().any(|p| at(p.line, &p.name))),
            ('e', facts.enum_consts.iter().any(|e| at(e.line, &e.name))),
            ('v', facts.globals.iter().any(|g| at(g.line, &g.name))),
        ];
        let Some((kind, _)) = kinds.into_iter().find(|&(_, found)| found) else {
            return self.file_url(file);
        };
        format!("{}#{}", self.file_url(file), anchor(kind, line, name))
    }

    fn site_of(&self, defined_at: &str) -> Option<(FileId, u32)> {
        let (path, line) = defined_at.rsplit_once(':')?;
        Some((self.index.file_id(path)?, line.parse().ok()?))
    }

    // ---- pages ----

    /// The shared assets and the top-level `index.html`.
    pub fn assets(&self) -> Vec<Page> {
        let first = self.parts.config.langs.first().copied().unwrap_or(Lang::En);
        #[derive(Serialize)]
        struct Ctx<'a> {
            site_title: &'a str,
            target: String,
            langs: Vec<LangLink>,
        }
        let ctx = Ctx {
            site_title: &self.parts.config.title,
            target: format!("{}/index.html", lang_code(first)),
            langs: self.lang_links("", "index.html", None),
        };
        vec![
            Page {
                path: "assets/style.css".to_string(),
                bytes: include_bytes!("../assets/style.css").to_vec(),
            },
            Page {
                path: "assets/app.js".to_string(),
                bytes: include_bytes!("../assets/app.js").to_vec(),
            },
            Page {
                path: "index.html".to_string(),
                bytes: self.render("redirect.html", ctx),
            },
        ]
    }

    /// The search pages, handed to `write` one at a time (the kernel's
    /// search index is large; it is never all in memory at once).
    pub fn write_search<E>(
        &self,
        glossary: &cgloss_report::Glossary,
        write: &mut dyn FnMut(Page) -> Result<(), E>,
    ) -> Result<(), E> {
        search::write_pages(self, glossary, write)
    }

    fn listed_dirs(&self, dir: &str, page: &str) -> Vec<Listed> {
        let Some(entry) = self.parts.dirs.get(dir) else {
            return Vec::new();
        };
        entry
            .dirs
            .iter()
            .map(|name| {
                let path = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                Listed {
                    name: name.clone(),
                    href: relative(page, &Self::dir_url(&path)),
                    n_functions: self.parts.dirs.get(&path).map_or(0, |d| d.n_functions),
                }
            })
            .collect()
    }

    fn listed_files(&self, dir: &str, page: &str) -> Vec<Listed> {
        let Some(entry) = self.parts.dirs.get(dir) else {
            return Vec::new();
        };
        entry
            .files
            .iter()
            .map(|&pos| {
                let facts = &self.parts.files[pos];
                Listed {
                    name: facts
                        .path
                        .rsplit('/')
                        .next()
                        .unwrap_or(&facts.path)
                        .to_string(),
                    href: relative(page, &format!("{}.html", safe_path(&facts.path))),
                    n_functions: facts.n_functions,
                }
            })
            .collect()
    }

    /// The home page and every folder page of a language.
    pub fn folder_pages(&self, lang: Lang) -> Vec<Page> {
        self.parts
            .dirs
            .keys()
            .map(|dir| self.folder_page(lang, dir))
            .collect()
    }

    /// The home page (`dir` empty) or the page of one folder.
    pub fn folder_page(&self, lang: Lang, dir: &str) -> Page {
        {
            let page = Self::dir_url(dir);
            if dir.is_empty() {
                let n_files = self.parts.files.len();
                let n_functions: usize = self.parts.files.iter().map(|f| f.n_functions).sum();
                let documented = self.parts.documented;
                #[derive(Serialize)]
                struct Ctx<'a> {
                    #[serde(flatten)]
                    common: Common<'a>,
                    n_files: usize,
                    n_functions: usize,
                    documented_pct: String,
                    dirs: Vec<Listed>,
                    files: Vec<Listed>,
                }
                let pct = if n_functions == 0 {
                    0.0
                } else {
                    100.0 * documented as f64 / n_functions as f64
                };
                let ctx = Ctx {
                    common: self.common(lang, &page, Vec::new()),
                    n_files,
                    n_functions,
                    documented_pct: format!("{pct:.1}"),
                    dirs: self.listed_dirs(dir, &page),
                    files: self.listed_files(dir, &page),
                };
                return Page {
                    path: format!("{}/{page}", lang_code(lang)),
                    bytes: self.render("home.html", ctx),
                };
            }
            #[derive(Serialize)]
            struct Ctx<'a> {
                #[serde(flatten)]
                common: Common<'a>,
                path: &'a str,
                dirs: Vec<Listed>,
                files: Vec<Listed>,
            }
            let ctx = Ctx {
                common: self.common(lang, &page, self.crumbs(dir, &page, None, Vec::new())),
                path: dir,
                dirs: self.listed_dirs(dir, &page),
                files: self.listed_files(dir, &page),
            };
            Page {
                path: format!("{}/{page}", lang_code(lang)),
                bytes: self.render("dir.html", ctx),
            }
        }
    }

    /// The page of one file: its functions, structs and members, macros,
    /// enum constants and variables, each with an anchor.
    pub fn file_page(&self, file: FileId, lang: Lang) -> Page {
        let facts = self.index.file(file);
        let page = self.file_url(file);
        let gloss_of = |d: &Option<Box<cgloss_facts::Doc>>| {
            d.as_ref().map(|d| cgloss_report::gloss(&d.summary))
        };
        let full = |d: &Option<Box<cgloss_facts::Doc>>| d.as_ref().map(|d| d.text.clone());
        let item = |kind: char, name: &str, line: u32, doc: &Option<Box<cgloss_facts::Doc>>| Item {
            name: name.to_string(),
            anchor: anchor(kind, line, name),
            line,
            href: None,
            summary: gloss_of(doc),
            doc: full(doc),
            members: Vec::new(),
        };
        let functions: Vec<Item> = (0..facts.functions.len())
            .map(|idx| {
                let id = FnId {
                    file,
                    idx: idx as u32,
                };
                let f = self.index.function(id);
                Item {
                    href: Some(relative(&page, &self.function_url(id))),
                    summary: self
                        .index
                        .function_doc(id)
                        .map(|(d, _)| cgloss_report::gloss(&d.summary)),
                    ..item('f', &f.name, f.line, &None)
                }
            })
            .collect();
        let records = facts
            .records
            .iter()
            .map(|r| Item {
                members: r
                    .members
                    .iter()
                    .map(|m| item('m', &m.name, m.line, &m.doc))
                    .collect(),
                ..item('r', &r.tag, r.line, &r.doc)
            })
            .collect::<Vec<_>>();
        let macros: Vec<Item> = facts
            .macros
            .iter()
            .map(|m| item('d', &m.name, m.line, &m.doc))
            .collect();
        let prototypes: Vec<Item> = facts
            .prototypes
            .iter()
            .map(|p| item('p', &p.name, p.line, &p.doc))
            .collect();
        let mut consts: Vec<Item> = facts
            .enum_consts
            .iter()
            .map(|e| item('e', &e.name, e.line, &e.doc))
            .collect();
        consts.extend(
            facts
                .globals
                .iter()
                .map(|g| item('v', &g.name, g.line, &g.doc)),
        );
        // Typedefs and named enums: search and the source view link here.
        let mut types: Vec<Item> = facts
            .typedefs
            .iter()
            .map(|t| item('t', &t.name, t.line, &t.doc))
            .collect();
        types.extend(
            facts
                .enums
                .iter()
                .filter(|e| !e.tag.contains('{'))
                .map(|e| item('n', &e.tag, e.line, &e.doc)),
        );
        types.sort_by_key(|t| t.line);
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            path: &'a str,
            modified: &'a str,
            functions: Vec<Item>,
            records: Vec<Item>,
            macros: Vec<Item>,
            prototypes: Vec<Item>,
            consts: Vec<Item>,
            types: Vec<Item>,
            source_href: Option<String>,
        }
        let ctx = Ctx {
            common: self.common(
                lang,
                &page,
                self.crumbs(&facts.path, &page, None, Vec::new()),
            ),
            path: &facts.path,
            modified: self.parts.modified(&facts.path),
            functions,
            records,
            macros,
            prototypes,
            consts,
            types,
            source_href: self.source_href(&page, file, None),
        };
        Page {
            path: format!("{}/{page}", lang_code(lang)),
            bytes: self.render("file.html", ctx),
        }
    }

    /// The source view of a file: every line numbered and anchored
    /// (`#L12`), `spans` (in order, not overlapping) coloured and linked.
    pub fn source_page(&self, file: FileId, text: &str, spans: &[SourceSpan]) -> Page {
        let lang = self.parts.config.langs.first().copied().unwrap_or(Lang::En);
        let facts = self.index.file(file);
        let page = self.source_url(file);
        let mut code = String::with_capacity(text.len() * 2);
        let mut next = 0;
        let mut line_start = 0;
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let line_end = line_start + line.trim_end_matches(['\n', '\r']).len();
            let _ = write!(
                code,
                "<tr id=\"L{0}\"><td class=\"ln\"><a href=\"#L{0}\">{0}</a></td><td class=\"code\">",
                n + 1
            );
            let mut at = line_start;
            while next < spans.len() && spans[next].start < line_end {
                let span = &spans[next];
                let (start, end) = (span.start.max(at), span.end.min(line_end));
                if start > at {
                    escape_into(&mut code, &text[at..start]);
                }
                if end > start {
                    code.push_str("<span class=\"");
                    code.push_str(span.class);
                    code.push('"');
                    if let Some(title) = &span.title {
                        code.push_str(" title=\"");
                        escape_into(&mut code, title);
                        code.push('"');
                    }
                    code.push('>');
                    if let Some(href) = &span.href {
                        code.push_str("<a href=\"");
                        escape_into(&mut code, &relative(&page, href));
                        code.push_str("\">");
                        escape_into(&mut code, &text[start..end]);
                        code.push_str("</a>");
                    } else {
                        escape_into(&mut code, &text[start..end]);
                    }
                    code.push_str("</span>");
                    at = end;
                }
                if span.end > line_end {
                    break; // It goes on on the next line.
                }
                next += 1;
            }
            if at < line_end {
                escape_into(&mut code, &text[at..line_end]);
            }
            code.push_str("</td></tr>\n");
            line_start += line.len();
            while next < spans.len() && spans[next].end <= line_start {
                next += 1;
            }
        }
        // The page sits beside the language folders: its links go up to
        // the site root, then into the first language.
        let root = "../".repeat(page.matches('/').count());
        let code_of = lang_code(lang);
        let parts: Vec<&str> = facts.path.split('/').collect();
        let crumbs = parts
            .iter()
            .enumerate()
            .map(|(k, part)| Crumb {
                text: part.to_string(),
                href: Some(if k + 1 == parts.len() {
                    format!("{root}{code_of}/{}", self.file_url(file))
                } else {
                    format!("{root}{code_of}/{}", Self::dir_url(&parts[..=k].join("/")))
                }),
            })
            .collect();
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            path: &'a str,
            file_href: String,
            code: String,
        }
        let ctx = Ctx {
            common: Common {
                lang: code_of,
                lang_root: format!("{root}{code_of}/"),
                site_title: &self.parts.config.title,
                generated: &self.parts.config.generated,
                crumbs,
                langs: self.lang_links(&root, "index.html", None),
                w: html_words(lang),
                root: root.clone(),
            },
            path: &facts.path,
            file_href: format!("{root}{code_of}/{}", self.file_url(file)),
            code,
        };
        Page {
            path: page,
            bytes: self.render("source.html", ctx),
        }
    }

    /// Where a gloss links to: the function's report, or the file page
    /// anchor of a member, macro, enum constant or variable.
    fn gloss_href(
        &self,
        from_file: FileId,
        page: &str,
        g: &cgloss_report::GlossRow,
    ) -> Option<String> {
        let (file, line) = self.site_of(&g.defined_at)?;
        let target = match g.kind.as_str() {
            "function" => {
                let c = self.index.resolve_call(&g.symbol, from_file)?;
                let id = match c.kind {
                    CallableKind::Function => self.function_at(&g.symbol, c.site.path, c.site.line),
                    _ => None,
                };
                match id {
                    Some(id) => self.function_url(id),
                    None => self.item_url(file, &g.symbol, line),
                }
            }
            "macro" | "enum constant" | "global" => self.item_url(file, &g.symbol, line),
            "member" => {
                let member = g.symbol.rsplit('.').next().unwrap_or(&g.symbol);
                format!("{}#{}", self.file_url(file), anchor('m', line, member))
            }
            _ => return None,
        };
        Some(relative(page, &target))
    }

    fn related_function(
        &self,
        page: &str,
        name: &str,
        path: Option<&str>,
        line: Option<u32>,
        summary: Option<String>,
        summary_en: Option<String>,
    ) -> RelatedRow {
        let (href, at) = match (path, line) {
            (Some(p), Some(l)) => {
                let href = match self.function_at(name, p, l) {
                    Some(id) => Some(self.function_url(id)),
                    None => self.index.file_id(p).map(|f| self.item_url(f, name, l)),
                };
                (href.map(|h| relative(page, &h)), Some(format!("{p}:{l}")))
            }
            _ => (None, None),
        };
        let original = summary_en.filter(|en| summary.as_ref() != Some(en));
        RelatedRow {
            name: name.to_string(),
            href,
            at,
            summary,
            original,
        }
    }

    /// The report page of a function, from its rendered report.
    pub fn function_page(&self, id: FnId, report: &FunctionReport) -> Page {
        let lang = report.lang;
        let page = self.function_url(id);
        let lines = report
            .body
            .iter()
            .map(|l| {
                let mut segs = Vec::new();
                let mut at = 0;
                for span in &l.spans {
                    if span.start > at {
                        segs.push(Seg {
                            text: l.text[at..span.start].to_string(),
                            href: None,
                            title: None,
                        });
                    }
                    let g = &l.glosses[span.gloss];
                    segs.push(Seg {
                        text: l.text[span.start..span.end].to_string(),
                        href: self.gloss_href(id.file, &page, g),
                        // The doc, or the English gloss: a translated
                        // gloss shows its original.
                        title: Some(if g.doc.is_empty() {
                            g.gloss_en.clone()
                        } else {
                            g.doc.clone()
                        }),
                    });
                    at = span.end;
                }
                if at < l.text.len() {
                    segs.push(Seg {
                        text: l.text[at..].to_string(),
                        href: None,
                        title: None,
                    });
                }
                Line {
                    line: l.line,
                    depth: l.depth,
                    segs,
                    source: l.source.clone(),
                }
            })
            .collect();
        let rows = |list: &[cgloss_report::Related]| -> Vec<RelatedRow> {
            list.iter()
                .map(|r| {
                    self.related_function(
                        &page,
                        &r.name,
                        r.file.as_deref(),
                        r.line,
                        r.summary.clone(),
                        r.summary_en.clone(),
                    )
                })
                .collect()
        };
        let (callers, callees, referenced_by) = (
            rows(&report.callers),
            rows(&report.callees),
            rows(&report.referenced_by),
        );
        #[derive(Serialize)]
        struct Ctx<'a> {
            #[serde(flatten)]
            common: Common<'a>,
            r: &'a FunctionReport,
            lines: Vec<Line>,
            callers: Vec<RelatedRow>,
            callees: Vec<RelatedRow>,
            referenced_by: Vec<RelatedRow>,
            file_href: String,
            tree_callers: TreeNode,
            tree_callees: TreeNode,
            modified: &'a str,
            /// The source view of the file, when the site has one: each
            /// line number links to its line there.
            source_href: Option<String>,
        }
        let f = self.index.function(id);
        let file_href = relative(
            &page,
            &format!(
                "{}#{}",
                self.file_url(id.file),
                anchor('f', f.line, &f.name)
            ),
        );
        let ctx = Ctx {
            common: self.common(
                lang,
                &page,
                self.crumbs(
                    &report.file,
                    &page,
                    Some(relative(&page, &self.file_url(id.file))),
                    vec![Crumb {
                        text: report.name.clone(),
                        href: None,
                    }],
                ),
            ),
            r: report,
            lines,
            callers,
            callees,
            referenced_by,
            file_href,
            source_href: self.source_href(&page, id.file, None),
            tree_callers: self.tree_node(id, &page, 0, true, &mut { TREE_BUDGET }),
            tree_callees: self.tree_node(id, &page, 0, false, &mut { TREE_BUDGET }),
            modified: self.parts.modified(self.index.path(id)),
        };
        Page {
            path: format!("{}/{page}", lang_code(lang)),
            bytes: self.render("function.html", ctx),
        }
    }

    fn tree_node(
        &self,
        id: FnId,
        page: &str,
        depth: usize,
        callers: bool,
        budget: &mut usize,
    ) -> TreeNode {
        let f = self.index.function(id);
        let href = relative(page, &self.function_url(id));
        let mut node = TreeNode {
            name: f.name.clone(),
            href: Some(href.clone()),
            at: format!("{}:{}", self.index.path(id), f.line),
            children: Vec::new(),
            more: None,
            more_href: None,
            rest: Vec::new(),
            rest_more: None,
            open: depth == 0,
        };
        if depth >= TREE_DEPTH {
            return node;
        }
        let kids = tree_kids(self.index, id, callers);
        for kid in &kids {
            if node.children.len() < TREE_FANOUT[depth] && *budget > 0 {
                *budget -= 1;
                node.children
                    .push(self.tree_child(*kid, id, page, depth + 1, callers, budget));
            } else if depth == 0 && node.rest.len() < TREE_REST {
                // The root's own callers or callees are all listed: those
                // past the fan-out as leaves behind "… N".
                node.rest
                    .push(self.tree_child(*kid, id, page, TREE_DEPTH, callers, budget));
            }
        }
        let hidden = kids.len() - node.children.len();
        if hidden > node.rest.len() && !node.rest.is_empty() {
            node.rest_more = Some(format!("… {}", hidden - node.rest.len()));
        }
        if hidden > 0 {
            node.more = Some(format!("… {hidden}"));
            // What the tree leaves out is on the callers and callees tables
            // of this page (the root) or in the tree of that function's page.
            node.more_href = Some(if depth == 0 {
                if callers { "#callers" } else { "#callees" }.to_string()
            } else {
                format!("{href}#tree")
            });
        }
        node
    }

    /// A node of the call tree under `parent`: a function's subtree, or the
    /// leaf of a callee without a definition.
    fn tree_child(
        &self,
        kid: Result<FnId, &str>,
        parent: FnId,
        page: &str,
        depth: usize,
        callers: bool,
        budget: &mut usize,
    ) -> TreeNode {
        match kid {
            Ok(t) => self.tree_node(t, page, depth, callers, budget),
            Err(name) => {
                let site = self.index.resolve_call(name, parent.file).map(|c| {
                    let href = self
                        .index
                        .file_id(c.site.path)
                        .map(|fid| relative(page, &self.item_url(fid, name, c.site.line)));
                    (href, format!("{}:{}", c.site.path, c.site.line))
                });
                let (href, at) = site.unwrap_or((None, String::new()));
                TreeNode {
                    name: name.to_string(),
                    href,
                    at,
                    children: Vec::new(),
                    more: None,
                    more_href: None,
                    rest: Vec::new(),
                    rest_more: None,
                    open: false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        cgloss_index::link(vec![
            cgloss_syntax::extract(
                "fs/a b.c",
                "#define MAX 3\nstruct s { int m; };\nint f(void) { return MAX; }\n",
            ),
            cgloss_syntax::extract(
                "fs/two.c",
                "#if A\nint g(void) { return 1; }\n#else\nint g(void) { return 2; }\n#endif\n",
            ),
        ])
    }

    fn config() -> SiteConfig {
        SiteConfig {
            title: "t".to_string(),
            langs: vec![Lang::En, Lang::Zh],
            generated: String::new(),
            modified: Vec::new(),
            source: false,
        }
    }

    #[test]
    fn every_page_routes_back_to_what_made_it() {
        let index = index();
        let parts = SiteParts::new(&index, config());
        let site = Site::of(&index, &parts);
        for page in site.assets() {
            assert_eq!(site.route(&page.path), Some(Route::Asset), "{}", page.path);
        }
        site.write_search(&cgloss_report::Glossary::none(), &mut |page| {
            assert_eq!(site.route(&page.path), Some(Route::Search));
            Ok::<(), ()>(())
        })
        .unwrap();
        for lang in [Lang::En, Lang::Zh] {
            for dir in ["", "fs"] {
                let page = site.folder_page(lang, dir);
                let want = Route::Folder {
                    lang,
                    dir: dir.to_string(),
                };
                assert_eq!(site.route(&page.path), Some(want), "{}", page.path);
            }
            for file in 0..2 {
                let page = site.file_page(file, lang);
                let path = index.file(file).path.clone();
                assert_eq!(site.route(&page.path), Some(Route::File { lang, path }));
            }
            for id in index.all_functions() {
                let path = format!("{}/{}", lang_code(lang), site.function_url(id));
                let Some(Route::Function {
                    path: file,
                    name,
                    line,
                    ..
                }) = site.route(&path)
                else {
                    panic!("{path}: not a function page");
                };
                assert_eq!(site.page_function(&file, &name, line), Some(id), "{path}");
            }
        }
        // The second `g` of fs/two.c has a page of its own.
        assert_eq!(
            site.route("en/fs/two.c/g.L4.html"),
            Some(Route::Function {
                lang: Lang::En,
                path: "fs/two.c".to_string(),
                name: "g".to_string(),
                line: Some(4),
            })
        );
        assert_eq!(
            site.page_function("fs/two.c", "g", Some(4)),
            Some(FnId { file: 1, idx: 1 })
        );
        // Stems no definition has route, but show no function.
        for (name, line) in [("g", Some(3)), ("h", None), ("g", Some(2))] {
            assert_eq!(site.page_function("fs/two.c", name, line), None, "{name}");
        }
        for missing in [
            "",
            "fr/index.html",
            "en/fs/a b.c.html",
            "en/fs/nothing.c.html",
            "en/fs/nothing.c/f.html",
            "en/fs/two.c/.L3.html",
            "en/fs/index.htm",
            "assets/other.css",
            "search/",
        ] {
            assert_eq!(site.route(missing), None, "{missing}");
        }
        assert!(site.route("en/fs/a~20b.c.html").is_some());
        for file in 0..2 {
            let url = site.source_url(file);
            let path = index.file(file).path.clone();
            assert_eq!(site.route(&url), Some(Route::Source { path }), "{url}");
        }
        assert_eq!(site.route("source/fs/nothing.c.html"), None);
    }
}
