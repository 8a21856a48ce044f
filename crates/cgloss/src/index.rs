//! `cgloss index`: the persistent index of a tree, built once and then kept
//! up to date file by file. A file is read again only when its size or
//! mtime changed, and extracted again only when its content hash differs.
//! Extraction runs on every core; one thread writes SQLite.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use anyhow::Context;
use cgloss_store::{FileState, Outcome, Store};
use rayon::prelude::*;

use crate::discover::{decode, discover, SourceFile};
use crate::messages::Messages;

/// Where the index of `root` lives: `explicit`, else the user's cache.
pub fn index_path(root: &Path, explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let canonical = std::fs::canonicalize(root).with_context(|| format!("{}", root.display()))?;
    cgloss_store::default_path(&canonical)
        .context("no cache folder (neither XDG_CACHE_HOME nor HOME is set); pass --index PATH")
}

/// What one update did.
#[derive(Default)]
pub struct Update {
    /// Files extracted in this run (new or changed content).
    pub extracted: usize,
    /// Files whose mtime changed but whose bytes did not.
    pub touched: usize,
    /// Files gone from the tree.
    pub removed: usize,
    /// Links to files also reached directly, left out.
    pub duplicate_links: usize,
    /// Whether the index was created from nothing.
    pub created: bool,
}

impl Update {
    /// Whether the index changed.
    pub fn changed(&self) -> bool {
        self.created || self.extracted > 0 || self.removed > 0
    }
}

/// One file's work, done on a rayon thread.
struct Work {
    rel: String,
    state: FileState,
    /// `None`: bytes unchanged, only the mtime moved.
    prepared: Option<cgloss_store::Encoded>,
}

impl Work {
    fn new(file: &SourceFile, state: FileState, outcome: Outcome, warned: Option<&str>) -> Work {
        Work {
            rel: file.rel.clone(),
            state: state.clone(),
            prepared: Some(cgloss_store::prepare(&file.rel, state, outcome, warned)),
        }
    }
}

fn extract_one(file: &SourceFile, known: Option<&FileState>, messages: &Messages) -> Work {
    let mut state = FileState {
        size: file.size,
        mtime_ns: file.mtime_ns,
        hash: String::new(),
    };
    let skipped = |state: FileState, reason: String| {
        messages.skip(&format!("{}: {reason}", file.rel));
        Work::new(file, state, Outcome::Skipped(reason), None)
    };
    let bytes = match std::fs::read(&file.abs) {
        Ok(b) => b,
        Err(err) => return skipped(state, err.to_string()),
    };
    state.hash = cgloss_store::hash(&bytes);
    state.size = bytes.len() as u64;
    if known.is_some_and(|k| k.hash == state.hash) {
        return Work {
            rel: file.rel.clone(),
            state,
            prepared: None,
        };
    }
    let lossy = std::str::from_utf8(&bytes).is_err();
    match decode(&file.rel, bytes, messages, true) {
        Err(reason) => skipped(state, reason),
        Ok(text) => {
            let facts = cgloss_syntax::extract(&file.rel, &text);
            for d in &facts.diagnostics {
                messages.warn(&format!("{}:{}: {}", file.rel, d.line, d.message));
            }
            let warned = lossy
                .then(|| "invalid UTF-8, decoded lossily".to_string())
                .or_else(|| {
                    facts
                        .diagnostics
                        .first()
                        .map(|d| format!("{}: {}", d.line, d.message))
                });
            Work::new(
                file,
                state,
                Outcome::Indexed(Box::new(facts)),
                warned.as_deref(),
            )
        }
    }
}

/// Brings the index at `path` up to date with the tree at `root`, creating
/// it when missing (or of another schema version).
pub fn update(root: &Path, path: &Path, messages: &Messages) -> anyhow::Result<(Store, Update)> {
    update_with(root, path, true, &[], messages)
}

/// `update`, reading again the files at the paths `force` whatever their
/// size and modification time say.
fn update_forcing(
    root: &Path,
    path: &Path,
    force: &[String],
    messages: &Messages,
) -> anyhow::Result<(Store, Update)> {
    update_with(root, path, true, force, messages)
}

/// `update`; without `wait`, fails at once when another cgloss is
/// building the same index (else it waits, saying so).
pub fn update_with(
    root: &Path,
    path: &Path,
    wait: bool,
    force: &[String],
    messages: &Messages,
) -> anyhow::Result<(Store, Update)> {
    let _lock = cgloss_store::BuildLock::take(path, wait, &mut || {
        messages.note(&format!(
            "waiting for another cgloss to finish building {}",
            path.display()
        ))
    })?;
    let discovered = discover(root, messages);
    let mut up = Update {
        duplicate_links: discovered.duplicate_links,
        ..Update::default()
    };
    let existing = Store::open(path)?;
    up.created = existing.is_none();
    let mut store = match existing {
        Some(s) => s,
        None => Store::create(
            path,
            &std::fs::canonicalize(root).unwrap_or(root.to_path_buf()),
        )?,
    };
    let known = store.file_states()?;
    let present: HashSet<&str> = discovered.files.iter().map(|f| f.rel.as_str()).collect();
    let gone: Vec<&String> = known
        .keys()
        .filter(|p| !present.contains(p.as_str()))
        .collect();
    let todo: Vec<&SourceFile> = discovered
        .files
        .iter()
        .filter(|f| {
            force.contains(&f.rel)
                || known
                    .get(&f.rel)
                    .is_none_or(|k| k.size != f.size || k.mtime_ns != f.mtime_ns)
        })
        .collect();
    up.removed = gone.len();
    if todo.is_empty() && gone.is_empty() {
        return Ok((store, up));
    }
    let mut writer = store.writer()?;
    for p in gone {
        writer.remove(p)?;
    }
    let progress = messages.progress(
        todo.len(),
        "{spinner} indexing {pos}/{len} files {wide_bar} {eta}",
    );
    let (tx, rx) = sync_channel::<Work>(256);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let known = &known;
        let todo = &todo;
        scope.spawn(move || {
            todo.par_iter().for_each_with(tx, |tx, f| {
                let _ = tx.send(extract_one(f, known.get(&f.rel), messages));
            });
        });
        for work in rx {
            progress.inc();
            match &work.prepared {
                None => {
                    writer.touch(&work.rel, &work.state)?;
                    up.touched += 1;
                }
                Some(prepared) => {
                    writer.put(prepared)?;
                    up.extracted += 1;
                }
            }
        }
        Ok(())
    })?;
    drop(progress);
    writer.commit()?;
    let store = if up.created {
        store.finish(path)?
    } else {
        store
    };
    Ok((store, up))
}

/// The `index` command.
pub fn index(
    root: &Path,
    explicit: Option<&Path>,
    wait: bool,
    messages: &Messages,
) -> anyhow::Result<crate::Status> {
    let start = Instant::now();
    let meta = std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
    if !meta.is_dir() {
        anyhow::bail!("{}: not a directory", root.display());
    }
    let path = index_path(root, explicit)?;
    let (store, up) = update_with(root, &path, wait, &[], messages)?;
    let s = store.summary()?;
    let mut err = std::io::stderr().lock();
    let what = if up.created {
        format!("built in {:.1}s", start.elapsed().as_secs_f64())
    } else if up.changed() || up.touched > 0 {
        format!(
            "updated in {:.1}s: {} files extracted again, {} removed, {} only touched",
            start.elapsed().as_secs_f64(),
            up.extracted,
            up.removed,
            up.touched
        )
    } else {
        format!("up to date ({:.2}s)", start.elapsed().as_secs_f64())
    };
    writeln!(err, "cgloss: index {}: {what}", path.display())?;
    writeln!(
        err,
        "cgloss: {} files: {} indexed, {} indexed with parse warnings, {} skipped; {} function definitions{}",
        s.indexed + s.warnings + s.skipped,
        s.indexed,
        s.warnings,
        s.skipped,
        s.functions,
        if up.duplicate_links > 0 {
            format!(
                "; {} links to files also reached directly left out",
                up.duplicate_links
            )
        } else {
            String::new()
        }
    )?;
    Ok(crate::Status::Ok)
}

/// The index `report` reads: the one named by `--index` (built there when
/// missing), else the tree's default one when `cgloss index` made it.
/// `None`: no index, the tree is parsed in memory.
pub fn open_for_report(
    root: &Path,
    explicit: Option<&Path>,
    messages: &Messages,
) -> anyhow::Result<Option<Store>> {
    if let Some(p) = explicit {
        if let Some(store) = Store::open(p)? {
            return Ok(Some(store));
        }
        let _ = writeln!(
            std::io::stderr(),
            "cgloss: building the index {}",
            p.display()
        );
        return Ok(Some(update(root, p, messages)?.0));
    }
    let Ok(path) = index_path(root, None) else {
        return Ok(None);
    };
    Ok(Store::open(&path)?)
}

/// What one report needs from the index, and the texts of the files it
/// renders.
pub struct Loaded {
    /// Partial facts to link.
    pub index_files: Vec<cgloss_facts::FileFacts>,
    /// See `cgloss_store::Neighbourhood`.
    pub whole: cgloss_index::TreeWide,
    /// Text of the files defining the functions asked for, by path.
    pub texts: std::collections::HashMap<String, String>,
}

/// The identifiers in a piece of C, each once (those in comments and
/// string literals left out).
pub(crate) fn identifiers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = cgloss_syntax::lex::Lexer::new(text)
        .filter(|t| t.kind == cgloss_syntax::lex::Kind::Ident)
        .map(|t| t.text(text).to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Loads the neighbourhood of `name` from the index, checking that the
/// files it came from did not change since; when they did, the index is
/// updated first (and says so).
pub fn neighbourhood(
    root: &Path,
    mut store: Store,
    name: &str,
    path: Option<&str>,
    messages: &Messages,
) -> anyhow::Result<(Loaded, Store)> {
    for attempt in 0..2 {
        let mut texts = std::collections::HashMap::new();
        let mut hashes = std::collections::HashMap::new();
        let ns = store.neighbourhood(name, path, &mut |p, f| {
            let Ok(bytes) = std::fs::read(root.join(p)) else {
                return Vec::new();
            };
            hashes.insert(p.to_string(), cgloss_store::hash(&bytes));
            let Ok(text) = crate::discover::decode(p, bytes, messages, false) else {
                return Vec::new();
            };
            let body = text
                .get(f.start_byte as usize..f.end_byte as usize)
                .unwrap_or("");
            let ids = identifiers(body);
            texts.insert(p.to_string(), text);
            ids
        })?;
        let mut paths: Vec<&str> = ns.files.iter().map(|f| f.path.as_str()).collect();
        paths.extend(texts.keys().map(String::as_str));
        paths.sort();
        paths.dedup();
        let states = store.states_of(paths.iter().copied())?;
        let stale = if states.len() < paths.len() {
            paths
                .iter()
                .find(|p| !states.iter().any(|(s, _)| s == *p))
                .map(|p| (p.to_string(), false))
        } else {
            states.iter().find_map(|(p, s)| {
                if crate::discover::stat(&root.join(p)) != Some((s.size, s.mtime_ns)) {
                    return Some((p.clone(), false));
                }
                // Rewritten with the same size and time (a checkout, a
                // tarball, a coarse clock): only the bytes tell.
                hashes
                    .get(p)
                    .filter(|h| **h != s.hash)
                    .map(|_| (p.clone(), true))
            })
        };
        match stale {
            Some((changed, same_stat)) if attempt == 0 => {
                let how = if same_stat {
                    "changed, with the same size and modification time"
                } else {
                    "changed"
                };
                let _ = writeln!(
                    std::io::stderr(),
                    "cgloss: the index is out of date ({changed} {how}); updating it"
                );
                let db = store.path().to_path_buf();
                drop(store);
                store = update_forcing(root, &db, &[changed], messages)?.0;
            }
            _ => {
                return Ok((
                    Loaded {
                        index_files: ns.files,
                        whole: cgloss_index::TreeWide {
                            member_owners: ns.member_owners,
                            declared: ns.declared,
                        },
                        texts,
                    },
                    store,
                ))
            }
        }
    }
    unreachable!("the second attempt always returns")
}

/// The index `site` reads, brought up to date first (saying so when that
/// changed anything): the one named by `--index` (built when missing), else
/// the tree's default one when `cgloss index` made it.
pub fn open_for_site(
    root: &Path,
    explicit: Option<&Path>,
    messages: &Messages,
) -> anyhow::Result<Option<Store>> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match index_path(root, None) {
            Ok(p) if p.is_file() => p,
            _ => return Ok(None),
        },
    };
    let start = Instant::now();
    let (store, up) = update(root, &path, messages)?;
    if up.changed() {
        let _ = writeln!(
            std::io::stderr(),
            "cgloss: index {} {} in {:.1}s ({} files extracted, {} removed)",
            path.display(),
            if up.created { "built" } else { "updated" },
            start.elapsed().as_secs_f64(),
            up.extracted,
            up.removed
        );
    }
    Ok(Some(store))
}
