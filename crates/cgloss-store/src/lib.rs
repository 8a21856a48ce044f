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

mod neighbourhood;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cgloss_facts::{
    Diagnostic, Doc, EnumConstFact, FileFacts, FunctionFact, GlobalFact, MacroFact, PrototypeFact,
    RecordFact, TypedefFact,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

pub use neighbourhood::Neighbourhood;

/// Bumped whenever the tables or the facts change shape; an index of
/// another version is rebuilt from scratch.
pub const SCHEMA_VERSION: i64 = 1;

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
  first_symbol INTEGER NOT NULL,
  last_symbol INTEGER NOT NULL,
  diagnostics BLOB
);
CREATE TABLE symbols(
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  is_static INTEGER NOT NULL,
  type TEXT,
  data BLOB NOT NULL
);
CREATE TABLE docs(symbol_id INTEGER PRIMARY KEY, summary TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE members(symbol_id INTEGER NOT NULL, name TEXT NOT NULL, line INTEGER NOT NULL,
  type TEXT NOT NULL, doc TEXT);
CREATE TABLE calls(caller INTEGER NOT NULL, callee TEXT NOT NULL);
CREATE TABLE refs(referrer INTEGER NOT NULL, name TEXT NOT NULL);
";

/// Secondary indexes, created after a first bulk load (cheaper than
/// maintaining them row by row).
const INDEXES: &str = "
CREATE INDEX IF NOT EXISTS symbols_name ON symbols(name);
CREATE INDEX IF NOT EXISTS members_symbol ON members(symbol_id);
CREATE INDEX IF NOT EXISTS members_name ON members(name);
CREATE INDEX IF NOT EXISTS calls_caller ON calls(caller);
CREATE INDEX IF NOT EXISTS calls_callee ON calls(callee);
CREATE INDEX IF NOT EXISTS refs_referrer ON refs(referrer);
CREATE INDEX IF NOT EXISTS refs_name ON refs(name);
";

/// Errors of the store: SQLite's, or facts that do not decode.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("{path}: {source}")]
    Sql {
        /// The database.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored fact does not decode (a corrupt or foreign database).
    #[error("{path}: stored facts do not decode ({source}); delete it to rebuild")]
    Decode {
        /// The database.
        path: PathBuf,
        /// What postcard said.
        source: postcard::Error,
    },
    /// Creating the folder or moving the finished file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
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
    /// was written by another schema version (it is then rebuilt).
    pub fn open(path: &Path) -> Result<Option<Store>> {
        if !path.is_file() {
            return Ok(None);
        }
        let conn = Connection::open(path).map_err(|source| Error::Sql {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        let version: Option<String> = store
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap_or(None);
        if version.as_deref() != Some(&SCHEMA_VERSION.to_string()) {
            return Ok(None);
        }
        store.sql(store.conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;",
        ))?;
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
                .prepare("SELECT path, size, mtime_ns, hash FROM files"),
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
        self.sql(self.conn.execute_batch("ANALYZE;"))?;
        let tmp = self.path.clone();
        drop(self.conn);
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
        let mut stmt = self.sql(
            self.conn
                .prepare("SELECT status, COUNT(*) FROM files GROUP BY status"),
        )?;
        let rows = self.sql(stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        }))?;
        for row in rows {
            match self.sql(row)? {
                (k, n) if k == "indexed" => s.indexed = n,
                (k, n) if k == "warnings" => s.warnings = n,
                (_, n) => s.skipped += n,
            }
        }
        s.functions = self.sql(self.conn.query_row(
            "SELECT COUNT(*) FROM symbols WHERE kind = 'function'",
            [],
            |r| r.get::<_, i64>(0),
        ))? as u64;
        Ok(s)
    }

    /// Skipped files and their reasons, by path.
    pub fn skipped(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT path, COALESCE(message, '') FROM files WHERE status = 'skipped' ORDER BY path",
        ))?;
        let rows = self.sql(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))))?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// The facts of every indexed file (in path order), as extraction
    /// produced them.
    pub fn load_all(&self) -> Result<Vec<FileFacts>> {
        let mut files: Vec<FileFacts> = Vec::new();
        let mut by_id: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT id, path, lines, syntax_errors, diagnostics FROM files
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
            by_id.insert(id, files.len());
            files.push(facts);
        }
        let mut stmt = self.sql(
            self.conn
                .prepare("SELECT file_id, kind, data FROM symbols ORDER BY id"),
        )?;
        let mut rows = self.sql(stmt.query([]))?;
        while let Some(r) = self.sql(rows.next())? {
            let file: i64 = self.sql(r.get(0))?;
            let Some(&i) = by_id.get(&file) else { continue };
            let kind: String = self.sql(r.get(1))?;
            let data = self.sql(r.get_ref(2))?.as_blob().unwrap_or(&[]);
            self.push_fact(&mut files[i], &kind, data)?;
        }
        Ok(files)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        postcard::from_bytes(bytes).map_err(|source| Error::Decode {
            path: self.path.clone(),
            source,
        })
    }

    fn push_fact(&self, facts: &mut FileFacts, kind: &str, data: &[u8]) -> Result<()> {
        match kind {
            "function" => facts.functions.push(self.decode(data)?),
            "prototype" => facts.prototypes.push(self.decode(data)?),
            "macro" => facts.macros.push(self.decode(data)?),
            "struct" | "union" => facts.records.push(self.decode(data)?),
            "typedef" => facts.typedefs.push(self.decode(data)?),
            "enum_constant" => facts.enum_consts.push(self.decode(data)?),
            "variable" => facts.globals.push(self.decode(data)?),
            _ => {}
        }
        Ok(())
    }

    /// The stored state of the files at `paths` (those the index knows).
    pub fn states_of<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Result<Vec<(String, FileState)>> {
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
        Ok(out)
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

struct Row<'a> {
    kind: &'a str,
    name: &'a str,
    line: u32,
    end_line: u32,
    is_static: bool,
    ty: Option<String>,
    doc: Option<&'a Doc>,
    data: Vec<u8>,
}

fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    postcard::to_stdvec(v).expect("facts always encode")
}

fn rows_of(f: &FileFacts) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    for x in &f.functions {
        rows.push(Row {
            kind: "function",
            name: &x.name,
            line: x.line,
            end_line: x.end_line,
            is_static: x.is_static,
            ty: Some(x.return_type.clone()),
            doc: x.doc.as_ref(),
            data: encode::<FunctionFact>(x),
        });
    }
    for x in &f.prototypes {
        rows.push(Row {
            kind: "prototype",
            name: &x.name,
            line: x.line,
            end_line: x.line,
            is_static: false,
            ty: Some(x.return_type.clone()),
            doc: x.doc.as_ref(),
            data: encode::<PrototypeFact>(x),
        });
    }
    for x in &f.macros {
        rows.push(Row {
            kind: "macro",
            name: &x.name,
            line: x.line,
            end_line: x.line,
            is_static: false,
            ty: x.params.as_ref().map(|p| format!("({})", p.join(", "))),
            doc: x.doc.as_ref(),
            data: encode::<MacroFact>(x),
        });
    }
    for x in &f.records {
        let (kind, name) = kind_of(&x.tag);
        rows.push(Row {
            kind,
            name,
            line: x.line,
            end_line: x.members.iter().map(|m| m.line).max().unwrap_or(x.line),
            is_static: false,
            ty: None,
            doc: x.doc.as_ref(),
            data: encode::<RecordFact>(x),
        });
    }
    for x in &f.typedefs {
        rows.push(Row {
            kind: "typedef",
            name: &x.name,
            line: x.line,
            end_line: x.line,
            is_static: false,
            ty: Some(type_text(&x.target)),
            doc: x.doc.as_ref(),
            data: encode::<TypedefFact>(x),
        });
    }
    for x in &f.enum_consts {
        rows.push(Row {
            kind: "enum_constant",
            name: &x.name,
            line: x.line,
            end_line: x.line,
            is_static: false,
            ty: None,
            doc: x.doc.as_ref(),
            data: encode::<EnumConstFact>(x),
        });
    }
    for x in &f.globals {
        rows.push(Row {
            kind: "variable",
            name: &x.name,
            line: x.line,
            end_line: x.line,
            is_static: x.is_static,
            ty: Some(type_text(&x.ty)),
            doc: x.doc.as_ref(),
            data: encode::<GlobalFact>(x),
        });
    }
    rows
}

fn type_text(t: &cgloss_facts::TypeRef) -> String {
    format!("{}{}", t.base, "*".repeat(t.ptr as usize))
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

    /// Stores (or replaces) a file and what was extracted from it.
    pub fn put(
        &mut self,
        path: &str,
        state: &FileState,
        outcome: &Outcome,
        warned: Option<&str>,
    ) -> Result<()> {
        self.remove(path)?;
        let first = self.next_symbol;
        let (status, message, lines, errors, diags) = match outcome {
            Outcome::Skipped(reason) => ("skipped", Some(reason.clone()), 0, 0, None),
            Outcome::Indexed(f) => {
                let message = warned.map(str::to_string).or_else(|| {
                    f.first_error
                        .as_ref()
                        .map(|e| format!("{}:{}: {}", e.line, e.col, e.message))
                });
                (
                    if message.is_some() {
                        "warnings"
                    } else {
                        "indexed"
                    },
                    message,
                    f.n_lines,
                    f.n_syntax_errors,
                    Some(encode(&(&f.first_error, &f.diagnostics))),
                )
            }
        };
        if let Outcome::Indexed(f) = outcome {
            self.put_symbols(f)?;
        }
        let last = self.next_symbol - 1;
        let mut stmt = self.sql(self.tx.prepare_cached(
            "INSERT INTO files(path, size, mtime_ns, hash, status, message, lines, syntax_errors,
               first_symbol, last_symbol, diagnostics)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        ))?;
        let r = stmt.execute(params![
            path,
            state.size as i64,
            state.mtime_ns,
            state.hash,
            status,
            message,
            lines,
            errors,
            first,
            last,
            diags
        ]);
        drop(stmt);
        self.sql(r)?;
        Ok(())
    }

    fn put_symbols(&mut self, f: &FileFacts) -> Result<()> {
        // The file row is written after its symbols; its id is known ahead.
        let file_id: i64 = self.sql(self.tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM files",
            [],
            |r| r.get(0),
        ))?;
        let tx = &self.tx;
        let wrap = |r: rusqlite::Result<()>| {
            r.map_err(|source| Error::Sql {
                path: self.path.clone(),
                source,
            })
        };
        let mut id = self.next_symbol;
        wrap((|| {
            let mut sym = tx.prepare_cached(
                "INSERT INTO symbols(id, file_id, kind, name, line, end_line, is_static, type, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            let mut doc = tx
                .prepare_cached("INSERT INTO docs(symbol_id, summary, text) VALUES (?1, ?2, ?3)")?;
            let mut member = tx.prepare_cached(
                "INSERT INTO members(symbol_id, name, line, type, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut call =
                tx.prepare_cached("INSERT INTO calls(caller, callee) VALUES (?1, ?2)")?;
            let mut refer =
                tx.prepare_cached("INSERT INTO refs(referrer, name) VALUES (?1, ?2)")?;
            let rows = rows_of(f);
            let mut fi = 0;
            let mut gi = 0;
            let mut ri = 0;
            for row in &rows {
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
                if let Some(d) = row.doc {
                    doc.execute(params![id, d.summary, d.text])?;
                }
                match row.kind {
                    "function" => {
                        let x = &f.functions[fi];
                        fi += 1;
                        for c in &x.calls {
                            call.execute(params![id, c])?;
                        }
                        for r in &x.refs {
                            refer.execute(params![id, r])?;
                        }
                    }
                    "variable" => {
                        for r in &f.globals[gi].refs {
                            refer.execute(params![id, r])?;
                        }
                        gi += 1;
                    }
                    "struct" | "union" => {
                        for m in &f.records[ri].members {
                            member.execute(params![
                                id,
                                m.name,
                                m.line,
                                type_text(&m.ty),
                                m.doc.as_ref().map(|d| d.summary.as_str())
                            ])?;
                        }
                        ri += 1;
                    }
                    _ => {}
                }
                id += 1;
            }
            Ok(())
        })())?;
        self.next_symbol = id;
        Ok(())
    }

    /// Commits the run.
    pub fn commit(self) -> Result<()> {
        let path = self.path.clone();
        self.tx
            .commit()
            .map_err(|source| Error::Sql { path, source })
    }
}
