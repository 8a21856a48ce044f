//! `cgloss serve`: the `Host` the server reads the tree through — the index
//! loaded the way `cgloss site` loads it, files read the way the indexer
//! reads them — and the command itself.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
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
    fn config(&self, tree: Tree) -> anyhow::Result<cgloss_serve::Loaded> {
        let config = crate::site::config(
            &self.root,
            self.title.as_deref(),
            &self.langs,
            &tree,
            crate::site::generated()?,
            true,
        );
        Ok(cgloss_serve::Loaded {
            index: tree.index,
            config,
        })
    }
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
            Some(tree) => self.config(tree),
            None => {
                let path = self.index.as_ref().ok_or("no index to load again")?;
                (|| {
                    let store = Store::open_read_only(path)?
                        .with_context(|| format!("{}: not an index", path.display()))?;
                    let tree = crate::build::from_store(&self.root, &store)?;
                    self.config(tree)
                })()
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
