//! Read-only access for a server (`cgloss serve`): connections that never
//! write, reads that see one commit, and a number telling that another
//! connection committed.

use rusqlite::OpenFlags;

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
