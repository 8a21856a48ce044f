//! Read-side queries for browsing a tree (`cgloss serve`): the file list,
//! every identifier for search, where a name is defined and where it is
//! used.

use rusqlite::{OpenFlags, OptionalExtension};

use crate::{Result, Store};

/// A file as the index lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// Function definitions in it.
    pub functions: u32,
    /// Lines.
    pub lines: u32,
    /// Size in bytes when indexed.
    pub size: u64,
    /// Modification time when indexed (ns since the epoch).
    pub mtime_ns: i64,
    /// Content hash when indexed.
    pub hash: String,
}

/// One definition of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// `function`, `prototype`, `macro`, `struct`, `union`, `enum`,
    /// `enum_constant`, `typedef`, `variable`, or `member`.
    pub kind: String,
    /// The name (`tag.member` for a member).
    pub name: String,
    /// Its file.
    pub path: String,
    /// Its line.
    pub line: u32,
    /// The summary of its doc, as written (not yet a gloss).
    pub summary: Option<String>,
    /// The type (members, variables, typedef targets) when stored.
    pub ty: Option<String>,
}

/// A function or variable that uses a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The user's name.
    pub name: String,
    /// `function` or `variable`.
    pub kind: String,
    /// Its file.
    pub path: String,
    /// The line of its definition.
    pub line: u32,
    /// Whether it calls the name (else it only refers to it).
    pub calls: bool,
}

/// Every name a search can find, once each, with the kinds it has.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// `(name, kinds)`, sorted by name; members are `tag.member`.
    pub names: Vec<(String, Kinds)>,
}

/// A set of symbol kinds, one bit each (see `Kinds::of`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kinds(pub u16);

impl Kinds {
    /// The kinds in bit order.
    pub const ALL: [&'static str; 10] = [
        "function",
        "prototype",
        "macro",
        "struct",
        "union",
        "enum",
        "enum_constant",
        "typedef",
        "variable",
        "member",
    ];

    /// The bit of one kind (0 for an unknown one).
    pub fn of(kind: &str) -> Kinds {
        Kinds(
            Self::ALL
                .iter()
                .position(|k| *k == kind)
                .map_or(0, |i| 1 << i),
        )
    }

    /// Whether it holds `kind`.
    pub fn has(self, kind: &str) -> bool {
        self.0 & Kinds::of(kind).0 != 0
    }

    /// The kinds held, in bit order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::ALL
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, k)| k)
    }
}

impl Store {
    /// Opens an index for reading only (`None` when there is none, or of
    /// another schema version). Many may be open at once, beside one
    /// `cgloss index` updating it: each read transaction sees the index
    /// as one commit left it.
    pub fn open_read_only(path: &std::path::Path) -> Result<Option<Store>> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Some(store) = Store::open_with(path, flags)? else {
            return Ok(None);
        };
        store.sql(
            store
                .conn
                .execute_batch("PRAGMA cache_size = -16384; PRAGMA mmap_size = 268435456;"),
        )?;
        store.sql(store.conn.busy_timeout(std::time::Duration::from_secs(5)))?;
        Ok(Some(store))
    }

    /// Runs `f` in one read transaction: every query it makes sees the
    /// same commit.
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let tx = self.sql(self.conn.unchecked_transaction())?;
        let out = f(self);
        drop(tx);
        out
    }

    /// A number that changes when another connection commits (SQLite's
    /// `data_version`).
    pub fn data_version(&self) -> Result<i64> {
        self.sql(
            self.conn
                .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)),
        )
    }

    /// Every file that was read (not skipped), by path.
    pub fn files(&self) -> Result<Vec<FileRow>> {
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT path, functions, lines, size, mtime_ns, hash FROM files
             WHERE status != 'skipped' ORDER BY path",
        ))?;
        let rows = self.sql(stmt.query_map([], |r| {
            Ok(FileRow {
                path: r.get(0)?,
                functions: r.get(1)?,
                lines: r.get(2)?,
                size: r.get::<_, i64>(3)? as u64,
                mtime_ns: r.get(4)?,
                hash: r.get(5)?,
            })
        }))?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// Every name of the tree with its kinds, members as `tag.member`.
    pub fn names(&self) -> Result<Names> {
        let mut map: std::collections::HashMap<String, Kinds> = std::collections::HashMap::new();
        {
            let mut stmt = self.sql(
                self.conn
                    .prepare("SELECT DISTINCT name, kind FROM symbols"),
            )?;
            let mut rows = self.sql(stmt.query([]))?;
            while let Some(r) = self.sql(rows.next())? {
                let name: String = self.sql(r.get(0))?;
                let kind: String = self.sql(r.get(1))?;
                map.entry(name).or_default().0 |= Kinds::of(&kind).0;
            }
        }
        {
            let mut stmt = self.sql(self.conn.prepare(
                "SELECT DISTINCT s.name, m.name FROM members m JOIN symbols s ON s.id = m.symbol_id
                 WHERE s.name NOT LIKE '{%'",
            ))?;
            let mut rows = self.sql(stmt.query([]))?;
            while let Some(r) = self.sql(rows.next())? {
                let tag: String = self.sql(r.get(0))?;
                let member: String = self.sql(r.get(1))?;
                map.entry(format!("{tag}.{member}")).or_default().0 |= Kinds::of("member").0;
            }
        }
        let mut names: Vec<(String, Kinds)> = map.into_iter().collect();
        names.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(Names { names })
    }

    /// Where `name` is defined: every symbol of that name, or for
    /// `tag.member` every member of that name in a struct or union `tag`;
    /// by path and line, at most `limit`.
    pub fn definitions(&self, name: &str, limit: usize) -> Result<Vec<Definition>> {
        let mut out = Vec::new();
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT s.kind, s.name, f.path, s.line, d.summary, s.type FROM symbols s
             JOIN files f ON f.id = s.file_id LEFT JOIN docs d ON d.symbol_id = s.id
             WHERE s.name = ?1 ORDER BY f.path, s.line LIMIT ?2",
        ))?;
        let rows = self.sql(stmt.query_map(rusqlite::params![name, limit as i64], |r| {
            Ok(Definition {
                kind: r.get(0)?,
                name: r.get(1)?,
                path: r.get(2)?,
                line: r.get(3)?,
                summary: r.get(4)?,
                ty: r.get(5)?,
            })
        }))?;
        for row in rows {
            out.push(self.sql(row)?);
        }
        if let Some((tag, member)) = name.split_once('.') {
            let mut stmt = self.sql(self.conn.prepare_cached(
                "SELECT f.path, m.line, m.doc, m.type FROM members m
                 JOIN symbols s ON s.id = m.symbol_id JOIN files f ON f.id = s.file_id
                 WHERE m.name = ?1 AND s.name = ?2 AND s.kind IN ('struct', 'union')
                 ORDER BY f.path, m.line LIMIT ?3",
            ))?;
            let rows = self.sql(stmt.query_map(
                rusqlite::params![member, tag, limit as i64],
                |r| {
                    Ok(Definition {
                        kind: "member".to_string(),
                        name: name.to_string(),
                        path: r.get(0)?,
                        line: r.get(1)?,
                        summary: r.get(2)?,
                        ty: r.get(3)?,
                    })
                },
            ))?;
            for row in rows {
                out.push(self.sql(row)?);
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// The functions and variables that use `name` (call it, or refer to
    /// it), by path and line, at most `limit`; and how many there are.
    pub fn uses(&self, name: &str, limit: usize) -> Result<(Vec<Use>, usize)> {
        let total: i64 = self.sql(self.conn.query_row(
            "SELECT COUNT(*) FROM (SELECT caller FROM calls WHERE callee = ?1
             UNION SELECT referrer FROM refs WHERE name = ?1)",
            [name],
            |r| r.get(0),
        ))?;
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT s.name, s.kind, f.path, s.line,
                    EXISTS(SELECT 1 FROM calls c WHERE c.caller = s.id AND c.callee = ?1)
             FROM symbols s JOIN files f ON f.id = s.file_id
             WHERE s.id IN (SELECT caller FROM calls WHERE callee = ?1
                            UNION SELECT referrer FROM refs WHERE name = ?1)
             ORDER BY f.path, s.line LIMIT ?2",
        ))?;
        let rows = self.sql(stmt.query_map(rusqlite::params![name, limit as i64], |r| {
            Ok(Use {
                name: r.get(0)?,
                kind: r.get(1)?,
                path: r.get(2)?,
                line: r.get(3)?,
                calls: r.get(4)?,
            })
        }))?;
        let list = rows.map(|r| self.sql(r)).collect::<Result<Vec<_>>>()?;
        Ok((list, total as usize))
    }

    /// The stored state of one file, if the index has it.
    pub fn file_row(&self, path: &str) -> Result<Option<FileRow>> {
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT path, functions, lines, size, mtime_ns, hash FROM files
             WHERE path = ?1 AND status != 'skipped'",
        ))?;
        self.sql(
            stmt.query_row([path], |r| {
                Ok(FileRow {
                    path: r.get(0)?,
                    functions: r.get(1)?,
                    lines: r.get(2)?,
                    size: r.get::<_, i64>(3)? as u64,
                    mtime_ns: r.get(4)?,
                    hash: r.get(5)?,
                })
            })
            .optional(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_bits() {
        let k = Kinds(Kinds::of("macro").0 | Kinds::of("member").0);
        assert!(k.has("macro") && k.has("member") && !k.has("function"));
        assert_eq!(k.names().collect::<Vec<_>>(), ["macro", "member"]);
        assert_eq!(Kinds::of("nonsense"), Kinds(0));
    }
}
