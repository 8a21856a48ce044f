//! The persistent index: one SQLite database per source tree holding every
//! file's facts, so that `report` and `site` need not parse the tree again
//! and a changed tree is re-indexed file by file.
//!
//! The tables are meant to be queried by users too (`sqlite3 INDEX.sqlite`);
//! `docs/index.md` describes them. Each symbol also carries its whole fact
//! (`symbols.data`, postcard) so that the linker gets back exactly what
//! extraction produced.
//!
//! Writing happens in one transaction per run; a first build writes a
//! temporary file that replaces the database only when complete.
#![warn(missing_docs)]

mod browse;
mod neighbourhood;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cgloss_facts::{
    Diagnostic, Doc, EnumConstFact, EnumFact, FileFacts, FunctionFact, GlobalFact, MacroFact,
    PrototypeFact, RecordFact, TypedefFact,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};

pub use browse::NameRow;
pub use neighbourhood::{Neighbourhood, Partial};

/// Bumped whenever the tables or the facts change shape; an index of
/// another version is rebuilt from scratch.
pub const SCHEMA_VERSION: i64 = 9;

const TABLES: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  hash TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  lines INTEGER NOT NULL,
  syntax_errors INTEGER NOT NULL,
  functions INTEGER NOT NULL,
  first_symbol INTEGER NOT NULL,
  last_symbol INTEGER NOT NULL,
  diagnostics BLOB,
  includes TEXT,
  member_names TEXT
);
CREATE INDEX files_state ON files(path, size, mtime_ns, hash);
CREATE INDEX files_status ON files(status, functions);
CREATE TABLE symbols(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  is_static INTEGER NOT NULL,
  type TEXT,
  data BLOB
);
CREATE TABLE docs(symbol_id INTEGER PRIMARY KEY, summary TEXT NOT NULL, text TEXT NOT NULL,
  params BLOB, kernel_doc INTEGER NOT NULL);
CREATE TABLE members(symbol_id INTEGER NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL,
  line INTEGER NOT NULL, type TEXT NOT NULL, doc TEXT, PRIMARY KEY(symbol_id, seq)) WITHOUT ROWID;
CREATE TABLE calls(caller INTEGER NOT NULL, callee TEXT NOT NULL, PRIMARY KEY(caller, callee))
  WITHOUT ROWID;
CREATE TABLE refs(referrer INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY(referrer, name))
  WITHOUT ROWID;
";

/// Secondary indexes, created after a first bulk load (cheaper than
/// maintaining them row by row).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name);
CREATE INDEX IF NOT EXISTS members_name ON members(name);
CREATE INDEX IF NOT EXISTS calls_callee ON calls(callee);
CREATE INDEX IF NOT EXISTS refs_name ON refs(name);
";

/// Errors of the store: SQLite's, or facts that do not decode. Each names
/// its path; the cause is the error's `source` (printed after it by
/// `anyhow`'s `{:#}`), so it is not repeated in the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("{}", path.display())]
    Sql {
        /// The database.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored fact does not decode (a corrupt or foreign database).
    #[error("{}: stored facts do not decode; delete it to rebuild", path.display())]
    Decode {
        /// The database.
        path: PathBuf,
        /// What postcard said.
        source: postcard::Error,
    },
    /// Creating the folder or moving the finished file failed.
    #[error("{}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The path holds a file that is not a cgloss index: it is never
    /// overwritten.
    #[error("{}: not a cgloss index (refusing to overwrite it); choose another --index path", path.display())]
    NotAnIndex {
        /// The file.
        path: PathBuf,
    },
    /// Another `cgloss` is building or updating this index.
    #[error("{}: another cgloss is building this index", path.display())]
    Locked {
        /// The index.
        path: PathBuf,
    },
}

/// Result of the store.
pub type Result<T> = std::result::Result<T, Error>;

/// What the index remembers of a file to decide whether to read it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileState {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// xxh3-64 of the bytes, hex.
    pub hash: String,
}

/// How a file ended up in the index.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Extracted (possibly with parse warnings).
    Indexed(Box<FileFacts>),
    /// Could not be used; the reason.
    Skipped(String),
}

/// Per-status file counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files indexed without warnings.
    pub indexed: u64,
    /// Files indexed with parse warnings (syntax errors, lossy UTF-8…).
    pub warnings: u64,
    /// Files skipped, with a reason in `files.message`.
    pub skipped: u64,
    /// Function definitions.
    pub functions: u64,
}

/// The content hash the index uses.
pub fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// The default database of a tree: `$XDG_CACHE_HOME/cgloss/` (else
/// `~/.cache/cgloss/`), named after the canonical root plus a hash of it.
pub fn default_path(canonical_root: &Path) -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let text = canonical_root.to_string_lossy();
    let base: String = canonical_root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect();
    Some(
        cache
            .join("cgloss")
            .join(format!("{base}-{}.sqlite", &hash(text.as_bytes())[..12])),
    )
}

/// The exclusive right to build or update one index, held until dropped
/// (an advisory lock on `INDEX.lock` beside it). Readers need none: a
/// first build is renamed into place when complete, an update is one
/// transaction, so they always see the last complete index.
pub struct BuildLock {
    _file: std::fs::File,
}

impl BuildLock {
    /// Takes the lock of the index at `path`. When another process holds
    /// it: with `wait`, calls `waiting` once and blocks until it is free;
    /// else fails with `Error::Locked`.
    pub fn take(path: &Path, wait: bool, waiting: &mut dyn FnMut()) -> Result<BuildLock> {
        let lock_path = {
            let mut name = path.as_os_str().to_os_string();
            name.push(".lock");
            PathBuf::from(name)
        };
        let io = |source| Error::Io {
            path: lock_path.clone(),
            source,
        };
        if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) if wait => {
                waiting();
                file.lock().map_err(io)?;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Locked {
                    path: path.to_path_buf(),
                })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        Ok(BuildLock { _file: file })
    }
}

/// An open index database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

fn kind_of(tag: &str) -> (&'static str, &str) {
    if let Some(n) = tag.strip_prefix("struct ") {
        ("struct", n)
    } else if let Some(n) = tag.strip_prefix("union ") {
        ("union", n)
    } else {
        ("struct", tag)
    }
}

impl Store {
    fn sql<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|source| Error::Sql {
            path: self.path.clone(),
            source,
        })
    }

    /// Opens an existing index; `None` when there is none at `path` or it
    /// was written by another schema version (it is then rebuilt). A file
    /// that is not a cgloss index at all is an error: it is never taken for
    /// an old index and replaced.
    pub fn open(path: &Path) -> Result<Option<Store>> {
        let Some(store) = Store::open_with(path, OpenFlags::default())? else {
            return Ok(None);
        };
        store.sql(store.conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
             PRAGMA mmap_size = 4294967296;",
        ))?;
        Ok(Some(store))
    }

    /// Opens the database at `path` with `flags` when it is a cgloss index
    /// of this schema version (see `open`).
    fn open_with(path: &Path, flags: OpenFlags) -> Result<Option<Store>> {
        if !path.is_file() {
            return Ok(None);
        }
        let not_an_index = || Error::NotAnIndex {
            path: path.to_path_buf(),
        };
        let mut header = [0u8; 16];
        let read = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            });
        if read.is_err() || &header != b"SQLite format 3\0" {
            return Err(not_an_index());
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::Sql {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let meta = |key: &str| -> Option<String> {
            store
                .conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .unwrap_or(None)
        };
        if !meta("tool").is_some_and(|t| t.starts_with("cgloss ")) {
            return Err(not_an_index());
        }
        if meta("schema_version").as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Ok(None);
        }
        Ok(Some(store))
    }

    /// Creates an empty index in a temporary file beside `path`; `finish`
    /// moves it into place.
    pub fn create(path: &Path, root: &Path) -> Result<Store> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let tmp = tmp_path(path);
        let _ = std::fs::remove_file(&tmp);
        let conn = Connection::open(&tmp).map_err(|source| Error::Sql {
            path: tmp.clone(),
            source,
        })?;
        let store = Store { conn, path: tmp };
        store.sql(store.conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;",
        ))?;
        store.sql(store.conn.execute_batch(TABLES))?;
        store.sql(store.conn.execute(
            "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('root', ?2), ('tool', ?3)",
            params![
                SCHEMA_VERSION.to_string(),
                root.to_string_lossy(),
                concat!("cgloss ", env!("CARGO_PKG_VERSION"))
            ],
        ))?;
        Ok(store)
    }

    /// Where the database is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every file the index knows, by path.
    pub fn file_states(&self) -> Result<HashMap<String, FileState>> {
        let mut stmt = self.sql(
            self.conn
                .prepare("SELECT path, size, mtime_ns, hash FROM files INDEXED BY files_state"),
        )?;
        let rows = self.sql(stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                FileState {
                    size: r.get::<_, i64>(1)? as u64,
                    mtime_ns: r.get(2)?,
                    hash: r.get(3)?,
                },
            ))
        }))?;
        let mut out = HashMap::new();
        for row in rows {
            let (path, state) = self.sql(row)?;
            out.insert(path, state);
        }
        Ok(out)
    }

    /// Starts the one write transaction of a run.
    pub fn writer(&mut self) -> Result<Writer<'_>> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|source| Error::Sql {
            path: path.clone(),
            source,
        })?;
        let next: i64 = tx
            .query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM symbols", [], |r| {
                r.get(0)
            })
            .map_err(|source| Error::Sql {
                path: path.clone(),
                source,
            })?;
        Ok(Writer {
            tx,
            path,
            next_symbol: next,
        })
    }

    /// Creates the secondary indexes and moves a new database into place.
    pub fn finish(self, path: &Path) -> Result<Store> {
        self.sql(self.conn.execute_batch(INDEXES))?;
        let tmp = self.path.clone();
        drop(self.conn);
        // A write-ahead log left by the database being replaced (a crash)
        // must not be replayed into the new one.
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
        std::fs::rename(&tmp, path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Store::open(path)?.ok_or_else(|| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other("the new index cannot be opened"),
        })
    }

    /// Counts of files by status, and of function definitions.
    pub fn summary(&self) -> Result<Summary> {
        let mut s = Summary::default();
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT status, COUNT(*), SUM(functions) FROM files INDEXED BY files_status
             GROUP BY status",
        ))?;
        let rows = self.sql(stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)? as u64,
                r.get::<_, i64>(2)? as u64,
            ))
        }))?;
        for row in rows {
            let (status, n, functions) = self.sql(row)?;
            match status.as_str() {
                "indexed" => s.indexed = n,
                "warnings" => s.warnings = n,
                _ => s.skipped += n,
            }
            s.functions += functions;
        }
        Ok(s)
    }

    /// The facts of every indexed file (in path order), as extraction
    /// produced them.
    pub fn load_all(&self) -> Result<Vec<FileFacts>> {
        // Read once from start to end: mapping the file would only add it
        // to the resident set.
        self.sql(self.conn.execute_batch("PRAGMA mmap_size = 0;"))?;
        let mut files: Vec<FileFacts> = Vec::new();
        let mut by_id: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT id, path, lines, syntax_errors, diagnostics, includes, member_names FROM files
             WHERE status != 'skipped' ORDER BY path",
        ))?;
        let mut rows = self.sql(stmt.query([]))?;
        while let Some(r) = self.sql(rows.next())? {
            let id: i64 = self.sql(r.get(0))?;
            let mut facts = FileFacts {
                path: self.sql(r.get(1))?,
                n_lines: self.sql(r.get::<_, i64>(2))? as u32,
                n_syntax_errors: self.sql(r.get::<_, i64>(3))? as u32,
                ..FileFacts::default()
            };
            let blob: Option<Vec<u8>> = self.sql(r.get(4))?;
            if let Some(blob) = blob {
                let (first, diags): (Option<Diagnostic>, Vec<Diagnostic>) = self.decode(&blob)?;
                facts.first_error = first;
                facts.diagnostics = diags;
            }
            facts.includes = split_lines(self.sql(r.get(5))?);
            facts.member_names = split_lines(self.sql(r.get(6))?);
            by_id.insert(id, files.len());
            files.push(facts);
        }
        let mut stmt = self.sql(self.conn.prepare(&format!("{SYMBOL_SELECT} ORDER BY s.id")))?;
        let mut rows = self.sql(stmt.query([]))?;
        while let Some(r) = self.sql(rows.next())? {
            let st = self.sql(Stored::from_row(r))?;
            let Some(&i) = by_id.get(&st.file_id) else {
                continue;
            };
            self.push_symbol(&mut files[i], &st)?;
        }
        Ok(files)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        postcard::from_bytes(bytes).map_err(|source| Error::Decode {
            path: self.path.clone(),
            source,
        })
    }

    pub(crate) fn push_symbol(&self, facts: &mut FileFacts, st: &Stored) -> Result<()> {
        let doc = match &st.doc {
            Some(d) => Some(Box::new(Doc {
                summary: d.summary.clone(),
                text: d.text.clone(),
                params: match &d.params {
                    Some(p) => self.decode(p)?,
                    None => Vec::new(),
                },
                kernel_doc: d.kernel_doc,
            })),
            None => None,
        };
        let data = st.data.as_deref().unwrap_or(&[]);
        match st.kind.as_str() {
            "function" => {
                let mut f: FunctionFact = self.decode(data)?;
                f.doc = doc;
                facts.functions.push(f);
            }
            "prototype" => {
                let mut f: PrototypeFact = self.decode(data)?;
                f.doc = doc;
                facts.prototypes.push(f);
            }
            "macro" if st.data.is_some() => {
                let mut f: MacroFact = self.decode(data)?;
                f.doc = doc;
                facts.macros.push(f);
            }
            "macro" => facts.macros.push(MacroFact {
                name: st.name.clone(),
                line: st.line,
                params: st.ty.as_deref().map(macro_params),
                doc,
                is_errno: false,
                value: None,
                specifiers: None,
            }),
            "struct" | "union" => {
                let mut f: RecordFact = self.decode(data)?;
                f.doc = doc;
                facts.records.push(f);
            }
            "typedef" => {
                let mut f: TypedefFact = self.decode(data)?;
                f.doc = doc;
                facts.typedefs.push(f);
            }
            "enum" => {
                let mut f: EnumFact = self.decode(data)?;
                f.doc = doc;
                facts.enums.push(f);
            }
            "enum_constant" => facts.enum_consts.push(EnumConstFact {
                name: st.name.clone(),
                line: st.line,
                doc,
            }),
            "variable" => {
                let mut f: GlobalFact = self.decode(data)?;
                f.doc = doc;
                facts.globals.push(f);
            }
            _ => {}
        }
        Ok(())
    }

    /// The stored state of the files at `paths` (those the index knows).
    pub fn states_of<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Result<Vec<(String, FileState)>> {
        let tx = self.sql(self.conn.unchecked_transaction())?;
        let mut stmt = self.sql(
            self.conn
                .prepare_cached("SELECT size, mtime_ns, hash FROM files WHERE path = ?1"),
        )?;
        let mut out = Vec::new();
        for p in paths {
            let state = self.sql(
                stmt.query_row([p], |r| {
                    Ok(FileState {
                        size: r.get::<_, i64>(0)? as u64,
                        mtime_ns: r.get(1)?,
                        hash: r.get(2)?,
                    })
                })
                .optional(),
            )?;
            if let Some(state) = state {
                out.push((p.to_string(), state));
            }
        }
        drop(stmt);
        drop(tx);
        Ok(out)
    }

    /// Symbols (prototypes aside) whose name contains `query`, ignoring
    /// ASCII case: exact names first, then those starting with it, then
    /// by name, path and line; at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let escaped: String = query
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT s.kind, s.name, f.path, s.line, d.summary
             FROM symbols s JOIN files f ON f.id = s.file_id
             LEFT JOIN docs d ON d.symbol_id = s.id
             WHERE s.name LIKE '%' || ?1 || '%' ESCAPE '\\' AND s.kind != 'prototype'
             ORDER BY lower(s.name) != lower(?2), lower(s.name) NOT LIKE ?3 ESCAPE '\\',
               s.name, f.path, s.line
             LIMIT ?4",
        ))?;
        let rows = self.sql(stmt.query_map(
            params![escaped, query, format!("{escaped}%"), limit as i64],
            |r| {
                Ok(Hit {
                    kind: r.get(0)?,
                    name: r.get(1)?,
                    path: r.get(2)?,
                    line: r.get(3)?,
                    summary: r.get(4)?,
                })
            },
        ))?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// Names of all function definitions (for suggestions).
    pub fn function_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.sql(
            self.conn
                .prepare("SELECT DISTINCT name FROM symbols WHERE kind = 'function'"),
        )?;
        let rows = self.sql(stmt.query_map([], |r| r.get(0)))?;
        rows.map(|r| self.sql(r)).collect()
    }
}

/// A symbol found by `Store::search`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// `function`, `macro`, `struct`, `union`, `typedef`, `enum`,
    /// `enum_constant` or `variable`.
    pub kind: String,
    /// Its name (a struct's tag without `struct`).
    pub name: String,
    /// Its file.
    pub path: String,
    /// Its line.
    pub line: u32,
    /// Its doc's first sentence, when documented.
    pub summary: Option<String>,
}

/// Orders hits as `Store::search` does: the exact name first, then names
/// starting with `query`, then by name, path and line (ASCII case ignored
/// in the first two).
pub fn rank_hits(hits: &mut [Hit], query: &str) {
    let q = query.to_ascii_lowercase();
    hits.sort_by(|a, b| {
        let key = |h: &Hit| {
            let n = h.name.to_ascii_lowercase();
            (n != q, !n.starts_with(&q))
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.line.cmp(&b.line))
    });
}

/// Columns of a symbol with its doc, read by `Stored::from_row`.
pub(crate) const SYMBOL_SELECT: &str =
    "SELECT s.id, s.file_id, s.kind, s.name, s.line, s.type, s.data,
  d.summary, d.text, d.params, d.kernel_doc FROM symbols s LEFT JOIN docs d ON d.symbol_id = s.id";

/// A doc row as stored.
pub(crate) struct StoredDoc {
    pub summary: String,
    pub text: String,
    /// Encoded parameter docs.
    pub params: Option<Vec<u8>>,
    pub kernel_doc: bool,
}

/// A symbol row as stored.
pub(crate) struct Stored {
    pub id: i64,
    pub file_id: i64,
    pub kind: String,
    pub name: String,
    pub line: u32,
    pub ty: Option<String>,
    pub data: Option<Vec<u8>>,
    /// Summary, text, encoded parameter docs.
    pub doc: Option<StoredDoc>,
}

impl Stored {
    pub fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Stored> {
        let summary: Option<String> = r.get(7)?;
        Ok(Stored {
            id: r.get(0)?,
            file_id: r.get(1)?,
            kind: r.get(2)?,
            name: r.get(3)?,
            line: r.get(4)?,
            ty: r.get(5)?,
            data: r.get(6)?,
            doc: match summary {
                Some(summary) => Some(StoredDoc {
                    summary,
                    text: r.get(8)?,
                    params: r.get(9)?,
                    kernel_doc: r.get(10)?,
                }),
                None => None,
            },
        })
    }
}

/// A column of lines (`includes`, `member_names`) back into a list.
pub(crate) fn split_lines(column: Option<String>) -> Vec<String> {
    column
        .map(|c| c.split('\n').map(str::to_string).collect())
        .unwrap_or_default()
}

/// `(a, b, ...)` back into parameter names.
fn macro_params(text: &str) -> Vec<String> {
    let inner = text.trim_start_matches('(').trim_end_matches(')');
    if inner.is_empty() {
        return Vec::new();
    }
    inner.split(", ").map(str::to_string).collect()
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// The write transaction of one run.
pub struct Writer<'s> {
    tx: Transaction<'s>,
    path: PathBuf,
    next_symbol: i64,
}

/// One symbol row, ready to insert.
struct Row {
    kind: &'static str,
    name: String,
    line: u32,
    end_line: u32,
    is_static: bool,
    ty: Option<String>,
    /// The fact without its doc (`None` where the columns say it all).
    data: Option<Vec<u8>>,
    doc: Option<Box<Doc>>,
    /// Calls (functions), references (functions, variables), or members
    /// (records: name, line, type, doc summary).
    calls: Vec<String>,
    refs: Vec<String>,
    members: Vec<(String, u32, String, Option<String>)>,
}

/// A file made ready for the writer: the encoding work happens on the
/// extracting thread, the writer only inserts.
pub struct Encoded {
    path: String,
    state: FileState,
    status: &'static str,
    message: Option<String>,
    lines: u32,
    syntax_errors: u32,
    diagnostics: Option<Vec<u8>>,
    includes: Option<String>,
    member_names: Option<String>,
    rows: Vec<Row>,
}

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    postcard::to_stdvec(v).expect("facts always encode")
}

fn type_text(t: &cgloss_facts::TypeRef) -> String {
    format!("{}{}", t.base, "*".repeat(t.ptr as usize))
}

/// Prepares a file's row and its symbols' rows. `warned` is the first
/// warning given while reading it (lossy UTF-8), if any.
pub fn prepare(path: &str, state: FileState, outcome: Outcome, warned: Option<&str>) -> Encoded {
    let f = match outcome {
        Outcome::Skipped(reason) => {
            return Encoded {
                path: path.to_string(),
                state,
                status: "skipped",
                message: Some(reason),
                lines: 0,
                syntax_errors: 0,
                diagnostics: None,
                includes: None,
                member_names: None,
                rows: Vec::new(),
            }
        }
        Outcome::Indexed(f) => *f,
    };
    let message = warned.map(str::to_string).or_else(|| {
        f.first_error
            .as_ref()
            .map(|e| format!("{}:{}: {}", e.line, e.col, e.message))
    });
    let mut rows = Vec::new();
    let row = |kind, name: String, line, doc: Option<Box<Doc>>| Row {
        kind,
        name,
        line,
        end_line: line,
        is_static: false,
        ty: None,
        data: None,
        doc,
        calls: Vec::new(),
        refs: Vec::new(),
        members: Vec::new(),
    };
    for mut x in f.functions {
        let doc = x.doc.take();
        let data = encode::<FunctionFact>(&x);
        rows.push(Row {
            end_line: x.end_line,
            is_static: x.is_static,
            ty: Some(x.return_type),
            data: Some(data),
            calls: x.calls,
            refs: x.refs,
            ..row("function", x.name, x.line, doc)
        });
    }
    for mut x in f.prototypes {
        let doc = x.doc.take();
        let data = encode::<PrototypeFact>(&x);
        rows.push(Row {
            ty: Some(x.return_type),
            data: Some(data),
            ..row("prototype", x.name, x.line, doc)
        });
    }
    for mut x in f.macros {
        let doc = x.doc.take();
        // Most macros are said by the columns alone.
        let data = (x.is_errno || x.value.is_some() || x.specifiers.is_some())
            .then(|| encode::<MacroFact>(&x));
        rows.push(Row {
            ty: x.params.as_ref().map(|p| format!("({})", p.join(", "))),
            data,
            ..row("macro", x.name, x.line, doc)
        });
    }
    for mut x in f.records {
        let doc = x.doc.take();
        let (kind, name) = kind_of(&x.tag);
        let members = x
            .members
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    m.line,
                    type_text(&m.ty),
                    m.doc.as_ref().map(|d| d.summary.clone()),
                )
            })
            .collect();
        rows.push(Row {
            end_line: x.members.iter().map(|m| m.line).max().unwrap_or(x.line),
            data: Some(encode::<RecordFact>(&x)),
            members,
            ..row(kind, name.to_string(), x.line, doc)
        });
    }
    for mut x in f.typedefs {
        let doc = x.doc.take();
        rows.push(Row {
            ty: Some(type_text(&x.target)),
            data: Some(encode::<TypedefFact>(&x)),
            ..row("typedef", x.name.clone(), x.line, doc)
        });
    }
    for mut x in f.enums {
        let doc = x.doc.take();
        let name = x.tag.strip_prefix("enum ").unwrap_or(&x.tag).to_string();
        rows.push(Row {
            data: Some(encode::<EnumFact>(&x)),
            ..row("enum", name, x.line, doc)
        });
    }
    for x in f.enum_consts {
        rows.push(row("enum_constant", x.name, x.line, x.doc));
    }
    for mut x in f.globals {
        let doc = x.doc.take();
        let refs = x.refs.clone();
        rows.push(Row {
            is_static: x.is_static,
            ty: Some(type_text(&x.ty)),
            data: Some(encode::<GlobalFact>(&x)),
            refs,
            ..row("variable", x.name.clone(), x.line, doc)
        });
    }
    Encoded {
        path: path.to_string(),
        state,
        status: if message.is_some() {
            "warnings"
        } else {
            "indexed"
        },
        message,
        lines: f.n_lines,
        syntax_errors: f.n_syntax_errors,
        diagnostics: Some(encode(&(&f.first_error, &f.diagnostics))),
        includes: (!f.includes.is_empty()).then(|| f.includes.join("\n")),
        member_names: (!f.member_names.is_empty()).then(|| f.member_names.join("\n")),
        rows,
    }
}

impl Writer<'_> {
    fn sql<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|source| Error::Sql {
            path: self.path.clone(),
            source,
        })
    }

    /// Forgets a file and everything extracted from it.
    pub fn remove(&mut self, path: &str) -> Result<()> {
        let range: Option<(i64, i64)> = self.sql(
            self.tx
                .query_row(
                    "SELECT first_symbol, last_symbol FROM files WHERE path = ?1",
                    [path],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional(),
        )?;
        let Some((first, last)) = range else {
            return Ok(());
        };
        for sql in [
            "DELETE FROM calls WHERE caller BETWEEN ?1 AND ?2",
            "DELETE FROM refs WHERE referrer BETWEEN ?1 AND ?2",
            "DELETE FROM members WHERE symbol_id BETWEEN ?1 AND ?2",
            "DELETE FROM docs WHERE symbol_id BETWEEN ?1 AND ?2",
            "DELETE FROM symbols WHERE id BETWEEN ?1 AND ?2",
        ] {
            self.sql(
                self.tx
                    .prepare_cached(sql)
                    .and_then(|mut s| s.execute(params![first, last])),
            )?;
        }
        self.sql(self.tx.execute("DELETE FROM files WHERE path = ?1", [path]))?;
        Ok(())
    }

    /// Records a file whose bytes did not change but whose mtime did.
    pub fn touch(&mut self, path: &str, state: &FileState) -> Result<()> {
        self.sql(self.tx.execute(
            "UPDATE files SET size = ?2, mtime_ns = ?3 WHERE path = ?1",
            params![path, state.size as i64, state.mtime_ns],
        ))?;
        Ok(())
    }

    /// Stores (or replaces) a prepared file.
    pub fn put(&mut self, e: &Encoded) -> Result<()> {
        self.remove(&e.path)?;
        let first = self.next_symbol;
        let tx = &self.tx;
        let mut id = first;
        let r = (|| -> rusqlite::Result<()> {
            let mut file = tx.prepare_cached(
                "INSERT INTO files(path, size, mtime_ns, hash, status, message, lines, syntax_errors,
                   functions, first_symbol, last_symbol, diagnostics, includes, member_names)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            file.execute(params![
                e.path,
                e.state.size as i64,
                e.state.mtime_ns,
                e.state.hash,
                e.status,
                e.message,
                e.lines,
                e.syntax_errors,
                e.rows.iter().filter(|r| r.kind == "function").count() as i64,
                first,
                first + e.rows.len() as i64 - 1,
                e.diagnostics,
                e.includes,
                e.member_names
            ])?;
            let file_id = tx.last_insert_rowid();
            let mut sym = tx.prepare_cached(
                "INSERT INTO symbols(id, file_id, kind, name, line, end_line, is_static, type, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut doc = tx.prepare_cached(
                "INSERT INTO docs(symbol_id, summary, text, params, kernel_doc)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut member = tx.prepare_cached(
                "INSERT OR IGNORE INTO members(symbol_id, seq, name, line, type, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut call =
                tx.prepare_cached("INSERT OR IGNORE INTO calls(caller, callee) VALUES (?1, ?2)")?;
            let mut refer =
                tx.prepare_cached("INSERT OR IGNORE INTO refs(referrer, name) VALUES (?1, ?2)")?;
            for row in &e.rows {
                sym.execute(params![
                    id,
                    file_id,
                    row.kind,
                    row.name,
                    row.line,
                    row.end_line,
                    row.is_static,
                    row.ty,
                    row.data
                ])?;
                if let Some(d) = &row.doc {
                    let ps = (!d.params.is_empty()).then(|| encode(&d.params));
                    doc.execute(params![id, d.summary, d.text, ps, d.kernel_doc])?;
                }
                for c in &row.calls {
                    call.execute(params![id, c])?;
                }
                for r in &row.refs {
                    refer.execute(params![id, r])?;
                }
                for (seq, (name, line, ty, d)) in row.members.iter().enumerate() {
                    member.execute(params![id, seq as i64, name, line, ty, d])?;
                }
                id += 1;
            }
            Ok(())
        })();
        self.sql(r)?;
        self.next_symbol = id;
        Ok(())
    }

    /// Commits the run.
    pub fn commit(self) -> Result<()> {
        let path = self.path.clone();
        // Counts commits: a reader that loaded the index at one count knows
        // a later read sees another commit (`Store::commits`).
        self.tx
            .execute(
                "INSERT INTO meta(key, value) VALUES ('commits', '1') ON CONFLICT(key)
                 DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                [],
            )
            .map_err(|source| Error::Sql {
                path: path.clone(),
                source,
            })?;
        self.tx
            .commit()
            .map_err(|source| Error::Sql { path, source })
    }
}
