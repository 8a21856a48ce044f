//! `cgloss serve`: the `Host` the server reads the tree through — the index
//! loaded the way `cgloss site` loads it, files read the way the indexer
//! reads them — and the command itself.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::collections::HashMap;

use anyhow::Context;
use cgloss_facts::FunctionFact;
use cgloss_html::{FileSummary, SiteConfig};
use cgloss_index::{FnId, Index};
use cgloss_report::Lang;
use cgloss_store::Store;

use crate::build::Tree;
use crate::messages::Messages;
use crate::Status;

/// Options of `cgloss serve`.
pub struct ServeArgs {
    pub root: PathBuf,
    pub index: Option<PathBuf>,
    pub addr: SocketAddr,
    pub langs: Vec<Lang>,
    pub title: Option<String>,
    pub glossary: cgloss_report::Glossary,
    pub quiet: bool,
}

struct TreeHost {
    root: PathBuf,
    title: Option<String>,
    langs: Vec<Lang>,
    /// The index file, when the tree has one (else it was parsed in memory
    /// and never changes).
    index: Option<PathBuf>,
    /// The tree parsed at start when there is no index, handed over by the
    /// first `load`.
    first: Mutex<Option<Tree>>,
    /// A read-only connection to the index file of identity `(dev, ino)`,
    /// asked for `data_version`.
    watch: Mutex<Option<((u64, u64), Store)>>,
    messages: Messages,
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

impl TreeHost {
    fn config<'a>(&self, rels: impl Iterator<Item = &'a str>) -> anyhow::Result<SiteConfig> {
        Ok(crate::site::config(
            &self.root,
            self.title.as_deref(),
            &self.langs,
            rels,
            crate::site::generated()?,
            true,
        ))
    }

    /// The index at `path` as the server reads it: its files, names and
    /// documented count now, everything else for each request.
    fn load_stored(&self, path: &Path) -> anyhow::Result<cgloss_serve::Loaded> {
        let store = Store::open_read_only(path)?
            .with_context(|| format!("{}: not an index", path.display()))?;
        let identity = identity(path);
        let (files, names, documented, commits) = store.read(|s| {
            let files: Vec<FileSummary> = s
                .file_summaries()?
                .into_iter()
                .map(|(path, n_functions)| FileSummary { path, n_functions })
                .collect();
            let mut names = cgloss_serve::NamesBuilder::default();
            s.for_each_name(&mut |row| {
                names.push(row.name, row.kind, row.file, row.line, row.fn_idx)
            })?;
            Ok((files, names.finish(), documented(s)?, s.commits()?))
        })?;
        let config = self.config(files.iter().map(|f| f.path.as_str()))?;
        let facts = StoreFacts {
            root: self.root.clone(),
            path: path.to_path_buf(),
            pool: Mutex::new(vec![store]),
            identity,
            commits,
            messages: Messages::new(true),
        };
        Ok(cgloss_serve::Loaded {
            facts: Arc::new(facts),
            files,
            documented,
            names,
            config,
            whole: None,
        })
    }
}

/// How many function definitions have a doc (`Index::function_doc`), the
/// functions taken a batch of names at a time: a function's doc depends
/// only on the definitions and prototypes of its name.
fn documented(store: &Store) -> cgloss_store::Result<usize> {
    let mut names = store.function_names()?;
    names.sort_unstable();
    let mut n = 0;
    for batch in names.chunks(2048) {
        let mut part = store.partial();
        part.names(batch.iter().cloned())?;
        let index = cgloss_index::link(part.facts()?);
        n += index
            .all_functions()
            .filter(|id| index.function_doc(*id).is_some())
            .count();
    }
    Ok(n)
}

impl cgloss_serve::Host for TreeHost {
    fn version(&self) -> Option<String> {
        let path = self.index.as_ref()?;
        let Some(id) = identity(path) else {
            return Some("missing".to_string());
        };
        let mut watch = self.watch.lock().expect("not poisoned");
        if watch.as_ref().is_none_or(|(known, _)| *known != id) {
            // A first build renames a new file into place: a new identity.
            *watch = Store::open_read_only(path).ok().flatten().map(|s| (id, s));
        }
        let data_version = watch.as_ref()?.1.data_version().ok()?;
        Some(format!("{}:{}:{data_version}", id.0, id.1))
    }

    fn load(&self) -> Result<cgloss_serve::Loaded, String> {
        let first = self.first.lock().expect("not poisoned").take();
        let loaded = match first {
            Some(tree) => self
                .config(tree.files.iter().map(|f| f.rel.as_str()))
                .map(|config| cgloss_serve::Loaded::whole(tree.index, config)),
            None => {
                let path = self.index.as_ref().ok_or("no index to load again")?;
                self.load_stored(path)
            }
        };
        loaded.map_err(|e| format!("{e:#}"))
    }

    fn read_text(&self, rel: &str) -> Option<String> {
        let file = crate::discover::SourceFile {
            abs: self.root.join(rel),
            rel: rel.to_string(),
            size: 0,
            mtime_ns: 0,
        };
        crate::discover::read_text(&file, &self.messages, false)
    }

    fn reports(
        &self,
        index: &cgloss_index::Index,
        name: &str,
        path: Option<&str>,
        opts: &cgloss_report::Options,
    ) -> Vec<cgloss_report::Report> {
        let mut out = Vec::new();
        crate::symbol_reports(
            index,
            name,
            path,
            opts,
            &mut out,
            &mut |p| self.read_text(p),
            &self.messages,
        );
        out
    }

    fn warn(&self, message: &str) {
        self.messages.warn(message);
    }
}

/// The facts of an index read for each request: every need is loaded from
/// the index's rows (`cgloss_store::Partial`) and linked on its own, so the
/// server holds only the list of files and the names, never the whole tree.
struct StoreFacts {
    root: PathBuf,
    path: PathBuf,
    /// Read-only connections not in use.
    pool: Mutex<Vec<Store>>,
    /// The index file and its commit count as loaded: a request that finds
    /// another (`cgloss index` ran since) would mix two indexes.
    identity: Option<(u64, u64)>,
    commits: i64,
    messages: Messages,
}

/// Connections kept open between requests.
const POOL: usize = 8;

impl StoreFacts {
    fn with_store<T>(&self, f: impl FnOnce(&Store) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let pooled = self.pool.lock().expect("not poisoned").pop();
        let store = match pooled {
            Some(s) => s,
            None => {
                if identity(&self.path) != self.identity {
                    anyhow::bail!(cgloss_serve::STALE);
                }
                Store::open_read_only(&self.path)?
                    .with_context(|| format!("{}: not an index", self.path.display()))?
            }
        };
        // One read transaction: the request sees one commit of the index,
        // the one the snapshot was loaded from.
        let out = store
            .read(|s| {
                Ok(if s.commits()? == self.commits {
                    f(s)
                } else {
                    Err(anyhow::anyhow!(cgloss_serve::STALE))
                })
            })
            .map_err(anyhow::Error::from)?;
        let mut pool = self.pool.lock().expect("not poisoned");
        if pool.len() < POOL {
            pool.push(store);
        }
        out
    }

    /// The identifiers of the body of `f` in `path` (what the report
    /// glosses), its file read as the indexer reads it.
    fn body_tokens(
        &self,
        texts: &mut HashMap<String, Option<String>>,
        path: &str,
        f: &FunctionFact,
    ) -> Vec<String> {
        let text = texts.entry(path.to_string()).or_insert_with(|| {
            let file = crate::discover::SourceFile {
                abs: self.root.join(path),
                rel: path.to_string(),
                size: 0,
                mtime_ns: 0,
            };
            crate::discover::read_text(&file, &self.messages, false)
        });
        let body = text
            .as_deref()
            .and_then(|t| t.get(f.start_byte as usize..f.end_byte as usize))
            .unwrap_or("");
        crate::index::identifiers(body)
    }

    fn load(&self, store: &Store, need: &cgloss_serve::Need<'_>) -> anyhow::Result<Index> {
        use cgloss_serve::Need;
        let mut part = store.partial();
        let mut texts = HashMap::new();
        match *need {
            Need::Report { path, name } => {
                part.neighbourhood(name, path, &mut |p, f| self.body_tokens(&mut texts, p, f))?;
            }
            Need::FunctionPage { path, name } => {
                part.neighbourhood(name, Some(path), &mut |p, f| {
                    self.body_tokens(&mut texts, p, f)
                })?;
                call_trees(&mut part, path, name)?;
            }
            Need::File { path } => {
                part.file(path)?;
                // The docs its functions show may come from elsewhere.
                let names: Vec<String> = part
                    .facts()?
                    .into_iter()
                    .filter(|f| f.path == path)
                    .flat_map(|f| f.functions.into_iter().map(|f| f.name))
                    .collect();
                part.names(names)?;
            }
            Need::Names { path, names } => {
                if let Some(path) = path {
                    part.file(path)?;
                }
                part.names(names.iter().cloned())?;
            }
            Need::Users { name } => {
                part.users([name])?;
            }
        }
        let ns = part.finish()?;
        Ok(cgloss_index::link_partial(
            ns.files,
            cgloss_index::TreeWide {
                member_owners: ns.member_owners,
                declared: ns.declared,
            },
        ))
    }
}

impl cgloss_serve::Facts for StoreFacts {
    fn index(&self, need: &cgloss_serve::Need<'_>) -> Result<Arc<Index>, String> {
        self.with_store(|store| self.load(store, need))
            .map(Arc::new)
            .map_err(|e| {
                if e.to_string() == cgloss_serve::STALE {
                    cgloss_serve::STALE.to_string()
                } else {
                    format!("{e:#}")
                }
            })
    }
}

/// A function of a partial index by where it is (ids change as more is
/// loaded).
type Place = (String, String, u32);

fn place_of(index: &Index, id: FnId) -> Place {
    let f = index.function(id);
    (index.path(id).to_string(), f.name.clone(), f.line)
}

fn find(index: &Index, (path, name, line): &Place) -> Option<FnId> {
    index
        .find_functions(name, Some(path))
        .into_iter()
        .find(|id| index.function(*id).line == *line)
}

/// Loads what the call trees of the page of `name` in `path` show beyond
/// its report (`cgloss_html::tree_kids`, `TREE_FANOUT`): for each node
/// with children, every caller of it (caller tree) or every definition of
/// what it calls (callee tree), so that its children and their count are
/// those of the whole tree; and every definition of each name shown, whose
/// page stems depend on them. Level by level, linking in between: which
/// nodes a level has depends on the level before.
fn call_trees(part: &mut cgloss_store::Partial<'_>, path: &str, name: &str) -> anyhow::Result<()> {
    use cgloss_html::{tree_kids, TREE_DEPTH, TREE_FANOUT};
    let index = cgloss_index::link(part.facts()?);
    let roots: Vec<Place> = index
        .find_functions(name, Some(path))
        .into_iter()
        .map(|id| place_of(&index, id))
        .collect();
    // The root lists all of its callers and referrers (tables, leaves).
    let mut shown: Vec<String> = Vec::new();
    for root in &roots {
        let Some(id) = find(&index, root) else {
            continue;
        };
        shown.extend(
            index
                .callers(id)
                .iter()
                .map(|&c| index.function(c).name.clone()),
        );
        shown.extend(index.referrers(id).iter().map(|r| r.name.to_string()));
    }
    part.names(shown)?;
    let mut levels: [Vec<Place>; 2] = [roots.clone(), roots];
    for (depth, fanout) in TREE_FANOUT.iter().enumerate().take(TREE_DEPTH) {
        let index = cgloss_index::link(part.facts()?);
        let mut next: [Vec<Place>; 2] = [Vec::new(), Vec::new()];
        for (side, callers) in [(0, true), (1, false)] {
            for node in &levels[side] {
                let Some(id) = find(&index, node) else {
                    continue;
                };
                // A leaf without a definition counts in the fan-out too.
                for kid in tree_kids(&index, id, callers)
                    .into_iter()
                    .take(*fanout)
                    .flatten()
                {
                    next[side].push(place_of(&index, kid));
                }
            }
        }
        // The nodes of the next level: their names' definitions (stems),
        // and, when they have children, what those are made of.
        part.names(next.iter().flatten().map(|(_, n, _)| n.clone()))?;
        if depth + 1 < TREE_DEPTH {
            part.users(next[0].iter().map(|(_, n, _)| n.as_str()))?;
            let index = cgloss_index::link(part.facts()?);
            let calls: Vec<String> = next[1]
                .iter()
                .filter_map(|p| find(&index, p))
                .flat_map(|id| index.function(id).calls.clone())
                .collect();
            part.names(calls)?;
        }
        levels = next;
    }
    Ok(())
}

pub fn serve(args: ServeArgs, messages: &Messages) -> anyhow::Result<Status> {
    let root = args
        .root
        .canonicalize()
        .with_context(|| format!("{}", args.root.display()))?;
    // Bring the index up to date (and build it for an `--index` that does
    // not exist yet) as `cgloss site` does; from then on the server only
    // reads it, through read-only connections.
    let index = crate::index::open_for_site(&root, args.index.as_deref(), messages)?
        .map(|store| store.path().to_path_buf());
    let first = match index {
        Some(_) => None,
        None => Some(crate::build::build(&root, messages)),
    };
    if !args.addr.ip().is_loopback() {
        messages.warn(&format!(
            "{}: not a loopback address; anyone who can reach it can read the tree",
            args.addr
        ));
    }
    let (mcp_root, mcp_index) = (root.clone(), index.clone());
    let host = TreeHost {
        root: root.clone(),
        title: args.title,
        langs: args.langs,
        index,
        first: Mutex::new(first),
        watch: Mutex::new(None),
        messages: Messages::new(args.quiet),
    };
    // `App::new` takes the index's identity before loading it, so a change
    // made while it loads is seen by the first poll.
    let host: Arc<dyn cgloss_serve::Host> = Arc::new(host);
    let app = cgloss_serve::App::new(
        host,
        cgloss_serve::Settings {
            root,
            glossary: args.glossary,
            poll: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
            max_rendering: std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
        },
    )
    .map_err(anyhow::Error::msg)?;
    // The MCP server over streamable HTTP at /mcp, on its own view of the
    // same tree and index (`cgloss mcp`'s tools and resources).
    let mcp = crate::mcp::http_service(&mcp_root, mcp_index.as_deref(), args.addr, messages)?;
    cgloss_serve::run(Arc::new(app), args.addr, |bound| {
        let _ = writeln!(
            std::io::stderr(),
            "cgloss: serving http://{bound}/ (Ctrl-C stops), MCP at http://{bound}/mcp"
        );
        axum::Router::new().nest_service("/mcp", mcp)
    })?;
    let _ = writeln!(std::io::stderr(), "cgloss: stopped");
    Ok(Status::Ok)
}
