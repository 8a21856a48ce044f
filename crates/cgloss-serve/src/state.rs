//! What the server holds: the current snapshot of the index (where facts
//! come from, the site's files and folders, names), swapped whole when the
//! index changes, so every request reads one snapshot from start to end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use cgloss_html::{FileSummary, Site, SiteConfig, SiteParts};
use cgloss_index::Index;
use cgloss_report::{Glossary, Report};

use crate::names::Names;

/// What the server asks of the binary: the index and the files' text, read
/// the way `cgloss site` reads them, so a served page is the static page.
pub trait Host: Send + Sync + 'static {
    /// Identity of the index as it is now (e.g. its file and SQLite's
    /// `data_version`): when it changes, the server loads it again. `None`
    /// when it can never change (a tree parsed in memory).
    fn version(&self) -> Option<String>;
    /// The index, its files and names, and the site's configuration, as
    /// one consistent whole.
    fn load(&self) -> Result<Loaded, String>;
    /// The text of a file of the tree (relative path), as the indexer read it.
    fn read_text(&self, rel: &str) -> Option<String>;
    /// What `cgloss report` prints for `name` (in `path` when given):
    /// function, macro or type reports.
    fn reports(
        &self,
        index: &Index,
        name: &str,
        path: Option<&str>,
        opts: &cgloss_report::Options,
    ) -> Vec<Report>;
    /// Says something went wrong (a reload that failed).
    fn warn(&self, message: &str);
}

/// What one request needs of the tree; `Facts::index` gives an index
/// holding at least that.
#[derive(Debug)]
pub enum Need<'a> {
    /// A function's page: its report, its callers and callees, and the
    /// call trees in both directions.
    FunctionPage {
        /// The file defining it.
        path: &'a str,
        /// Its name.
        name: &'a str,
    },
    /// What `cgloss report` needs for the functions (or macros or types)
    /// named `name`, in `path` when given: their neighbourhood, callers and
    /// callees.
    Report {
        /// The file, when given.
        path: Option<&'a str>,
        /// The name.
        name: &'a str,
    },
    /// A file page: everything the file declares, with the docs its
    /// functions show.
    File {
        /// The file.
        path: &'a str,
    },
    /// Every definition of `names` (every kind, with the docs their pages
    /// show), and everything the file `path` declares when given.
    Names {
        /// The file, when given.
        path: Option<&'a str>,
        /// The names.
        names: &'a [String],
    },
    /// Every function and variable that uses `name`.
    Users {
        /// The name.
        name: &'a str,
    },
}

/// What `Facts::index` answers when the index changed since the snapshot
/// was loaded: the request is answered from the next snapshot instead.
pub const STALE: &str = "the index changed since it was loaded";

/// Where the pages of a snapshot read the tree's facts from.
pub trait Facts: Send + Sync {
    /// An index holding what `need` requires (linked from the index's
    /// rows for that request, or the whole tree when it is in memory).
    fn index(&self, need: &Need<'_>) -> Result<Arc<Index>, String>;
}

/// The whole tree linked in memory: every need is met by it.
pub struct Whole(pub Arc<Index>);

impl Facts for Whole {
    fn index(&self, _: &Need<'_>) -> Result<Arc<Index>, String> {
        Ok(self.0.clone())
    }
}

/// An index as loaded by a `Host`.
pub struct Loaded {
    /// Where requests read facts.
    pub facts: Arc<dyn Facts>,
    /// Every file, by path.
    pub files: Vec<FileSummary>,
    /// How many functions have a doc.
    pub documented: usize,
    /// Every name, for search and the source view.
    pub names: Names,
    /// The site's configuration (title, languages, dates).
    pub config: SiteConfig,
    /// The whole index when it is in memory: the static search files are
    /// made from it. Without it, search is the API's.
    pub whole: Option<Arc<Index>>,
}

impl Loaded {
    /// A tree linked whole in memory.
    pub fn whole(index: Index, config: SiteConfig) -> Loaded {
        let (files, documented) = FileSummary::of_index(&index);
        let names = Names::new(&index);
        let index = Arc::new(index);
        Loaded {
            facts: Arc::new(Whole(index.clone())),
            files,
            documented,
            names,
            config,
            whole: Some(index),
        }
    }
}

/// One loaded index and everything made from it.
pub struct Snapshot {
    /// Where requests read facts.
    pub facts: Arc<dyn Facts>,
    parts: SiteParts,
    /// The pages under `search/`, made once (only for a whole index).
    search: HashMap<String, Vec<u8>>,
    /// Every name, for identifier search.
    pub names: Names,
    /// An index of nothing, for pages that need none (folders).
    empty: Index,
    /// Counts loads (1 for the first).
    pub generation: u64,
}

impl Snapshot {
    fn new(loaded: Loaded, glossary: &Glossary, generation: u64) -> Snapshot {
        let parts = SiteParts::of_files(loaded.files, loaded.documented, loaded.config);
        let mut search = HashMap::new();
        if let Some(index) = &loaded.whole {
            Site::of(index, &parts)
                .write_search(glossary, &mut |page| {
                    search.insert(page.path, page.bytes);
                    Ok::<(), std::convert::Infallible>(())
                })
                .unwrap_or_else(|never| match never {});
        }
        Snapshot {
            facts: loaded.facts,
            parts,
            search,
            names: loaded.names,
            empty: cgloss_index::link(Vec::new()),
            generation,
        }
    }

    /// The site of this snapshot over `index` (holding what the page needs).
    pub fn site<'a>(&'a self, index: &'a Index) -> Site<'a> {
        Site::of(index, &self.parts)
    }

    /// The site with no index, for what needs only the list of files.
    pub fn bare_site(&self) -> Site<'_> {
        Site::of(&self.empty, &self.parts)
    }

    /// Every file of the tree, by path (a `Def::file` is a position here).
    pub fn files(&self) -> &[FileSummary] {
        self.parts.files()
    }

    /// An index holding what `need` requires.
    pub fn index(&self, need: &Need<'_>) -> Result<Arc<Index>, String> {
        self.facts.index(need)
    }

    /// A search page (`search/…`).
    pub fn search_page(&self, path: &str) -> Option<&[u8]> {
        self.search.get(path).map(Vec::as_slice)
    }
}

/// Settings of a server.
#[derive(Clone)]
pub struct Settings {
    /// The tree's root, canonical.
    pub root: PathBuf,
    /// The glossary reports use.
    pub glossary: Glossary,
    /// How often to look whether the index changed.
    pub poll: Duration,
    /// Longest time a request may take before it gets a 503.
    pub timeout: Duration,
    /// Requests rendering at once (more wait).
    pub max_rendering: usize,
}

/// The server's state, shared by every request.
pub struct App {
    pub(crate) host: Arc<dyn Host>,
    pub(crate) settings: Settings,
    current: RwLock<Arc<Snapshot>>,
    version: Mutex<Option<String>>,
    pub(crate) rendering: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// Loads the index a first time.
    pub fn new(host: Arc<dyn Host>, settings: Settings) -> Result<App, String> {
        let version = host.version();
        let snapshot = Snapshot::new(host.load()?, &settings.glossary, 1);
        Ok(App {
            rendering: Arc::new(tokio::sync::Semaphore::new(settings.max_rendering.max(1))),
            host,
            settings,
            current: RwLock::new(Arc::new(snapshot)),
            version: Mutex::new(version),
        })
    }

    /// The snapshot requests read now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().expect("not poisoned").clone()
    }

    /// Loads the index again when its identity changed; whether it did. The
    /// new snapshot replaces the old one whole; requests under way finish
    /// with the old one. A load that fails keeps the old one.
    pub fn reload_if_changed(&self) -> bool {
        let now = self.host.version();
        let mut version = self.version.lock().expect("not poisoned");
        if now.is_none() || *version == now {
            return false;
        }
        *version = now;
        let generation = self.snapshot().generation + 1;
        match self.host.load() {
            Ok(loaded) => {
                let snapshot = Arc::new(Snapshot::new(loaded, &self.settings.glossary, generation));
                *self.current.write().expect("not poisoned") = snapshot;
                true
            }
            Err(e) => {
                self.host.warn(&format!("reloading the index: {e}"));
                false
            }
        }
    }

    /// The file of the tree at `rel` (a path the index knows), if it is a
    /// regular file inside the root once links are resolved.
    pub fn resolve(&self, rel: &str) -> Option<PathBuf> {
        inside(&self.settings.root, rel)
    }

    /// The text of an indexed file inside the root.
    pub fn read_text(&self, rel: &str) -> Option<String> {
        self.resolve(rel)?;
        self.host.read_text(rel)
    }
}

/// `root/rel` when it resolves to a regular file under `root` (canonical).
pub fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    if rel.is_empty() || rel.contains('\0') || Path::new(rel).is_absolute() {
        return None;
    }
    let abs = root.join(rel).canonicalize().ok()?;
    (abs.starts_with(root) && abs.is_file()).then_some(abs)
}
