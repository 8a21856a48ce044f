//! Read-only access for a server (`cgloss serve`): connections that never
//! write, reads that see one commit, and a number telling that another
//! connection committed.

use rusqlite::{OpenFlags, OptionalExtension};

use crate::{Result, Store};

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
                // No mapping: pages read through a map count in the
                // server's resident set, once per connection.
                .execute_batch("PRAGMA cache_size = -8192; PRAGMA mmap_size = 0;"),
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

    /// How many updates were committed to this index file (0 for an index
    /// written before they were counted).
    pub fn commits(&self) -> Result<i64> {
        self.sql(
            self.conn
                .query_row(
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'commits'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .optional(),
        )
        .map(|n| n.unwrap_or(0))
    }

    /// A number that changes when another connection commits (SQLite's
    /// `data_version`).
    pub fn data_version(&self) -> Result<i64> {
        self.sql(
            self.conn
                .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)),
        )
    }
}

/// One name of the tree as identifier search lists it.
pub struct NameRow<'a> {
    /// The name; a member is `tag.member`.
    pub name: &'a str,
    /// The symbol's kind (`symbols.kind`), or `member`.
    pub kind: &'a str,
    /// The file's position in path order (among the files not skipped).
    pub file: u32,
    /// The line.
    pub line: u32,
    /// A function's position among the file's functions (0 for the rest).
    pub fn_idx: u32,
}

impl Store {
    /// Every file not skipped, in path order, with its number of function
    /// definitions.
    pub fn file_summaries(&self) -> Result<Vec<(String, usize)>> {
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT path, functions FROM files WHERE status != 'skipped' ORDER BY path",
        ))?;
        let rows = self.sql(stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize))
        }))?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// Calls `each` with every named symbol and every member of a named
    /// struct or union (anonymous ones have no name to search), in no
    /// particular order.
    pub fn for_each_name(&self, each: &mut dyn FnMut(NameRow<'_>)) -> Result<()> {
        let mut position: std::collections::HashMap<i64, u32> = Default::default();
        {
            let mut stmt = self.sql(
                self.conn
                    .prepare("SELECT id FROM files WHERE status != 'skipped' ORDER BY path"),
            )?;
            let rows = self.sql(stmt.query_map([], |r| r.get::<_, i64>(0)))?;
            for (pos, id) in rows.enumerate() {
                position.insert(self.sql(id)?, pos as u32);
            }
        }
        let mut n_functions: std::collections::HashMap<i64, u32> = Default::default();
        let mut stmt = self.sql(
            self.conn
                .prepare("SELECT file_id, kind, name, line FROM symbols ORDER BY id"),
        )?;
        let mut rows = self.sql(stmt.query([]))?;
        while let Some(r) = self.sql(rows.next())? {
            let file_id: i64 = self.sql(r.get(0))?;
            let Some(&file) = position.get(&file_id) else {
                continue;
            };
            let kind: &str = self.sql(r.get_ref(1).and_then(|v| Ok(v.as_str()?)))?;
            let fn_idx = if kind == "function" {
                let n = n_functions.entry(file_id).or_default();
                *n += 1;
                *n - 1
            } else {
                0
            };
            let name: &str = self.sql(r.get_ref(2).and_then(|v| Ok(v.as_str()?)))?;
            if name.starts_with("{anon}") {
                continue;
            }
            let line = self.sql(r.get::<_, i64>(3))? as u32;
            each(NameRow {
                name,
                kind,
                file,
                line,
                fn_idx,
            });
        }
        let mut stmt = self.sql(self.conn.prepare(
            "SELECT s.file_id, s.name, m.name, m.line FROM members m
             JOIN symbols s ON s.id = m.symbol_id WHERE s.kind IN ('struct', 'union')",
        ))?;
        let mut rows = self.sql(stmt.query([]))?;
        let mut name = String::new();
        while let Some(r) = self.sql(rows.next())? {
            let Some(&file) = position.get(&self.sql(r.get::<_, i64>(0))?) else {
                continue;
            };
            let tag: &str = self.sql(r.get_ref(1).and_then(|v| Ok(v.as_str()?)))?;
            if tag.starts_with("{anon}") {
                continue;
            }
            name.clear();
            name.push_str(tag);
            name.push('.');
            name.push_str(self.sql(r.get_ref(2).and_then(|v| Ok(v.as_str()?)))?);
            let line = self.sql(r.get::<_, i64>(3))? as u32;
            each(NameRow {
                name: &name,
                kind: "member",
                file,
                line,
                fn_idx: 0,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_sees_commits_of_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.sqlite");
        let mut store = Store::create(&path, dir.path())
            .unwrap()
            .finish(&path)
            .unwrap();
        let reader = Store::open_read_only(&path).unwrap().expect("an index");
        let before = reader.data_version().unwrap();
        assert_eq!(reader.data_version().unwrap(), before, "nothing committed");
        let facts = crate::prepare(
            "a.c",
            crate::FileState {
                size: 22,
                mtime_ns: 0,
                hash: "0".to_string(),
            },
            crate::Outcome::Indexed(Box::new(cgloss_syntax::extract(
                "a.c",
                "int f(void) { return 0; }\n",
            ))),
            None,
        );
        {
            let mut w = store.writer().unwrap();
            w.put(&facts).unwrap();
            w.commit().unwrap();
        }
        assert_ne!(reader.data_version().unwrap(), before, "a commit is seen");
        let n = reader.read(|s| Ok(s.load_all()?.len())).unwrap();
        assert_eq!(n, 1);
        assert!(reader
            .conn
            .execute_batch("CREATE TABLE x (y INTEGER)")
            .is_err());
    }
}
