//! The persistent index: reports and sites from it equal those of a tree
//! parsed in memory; updates re-read only what changed; a stale index is
//! noticed; the tables answer the documented queries.

use std::path::Path;

use super::{cgloss, fixtures, stderr, stdout, workspace};

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of examples/minikv in a temporary folder.
pub(crate) fn minikv() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&workspace().join("examples/minikv"), dir.path());
    dir
}

fn index(root: &Path, db: &Path) -> String {
    let out = cgloss(&[
        "index",
        "--root",
        root.to_str().unwrap(),
        "--index",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

fn report(root: &Path, db: Option<&Path>, args: &[&str]) -> (String, String) {
    let mut all = vec!["report", "--root", root.to_str().unwrap()];
    if let Some(db) = db {
        all.extend(["--index", db.to_str().unwrap()]);
    }
    all.extend(args);
    let out = cgloss(&all);
    (stdout(&out), stderr(&out))
}

#[test]
fn reports_from_the_index_equal_reports_from_the_tree() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    let said = index(tree.path(), &db);
    assert!(said.contains("built"), "{said}");
    assert!(said.contains("14 files: 14 indexed"), "{said}");
    let names = ["kv_put", "kv_get", "main", "cmd_run", "list_add"];
    for lang in ["en", "zh"] {
        for format in ["text", "json"] {
            let mut args = vec!["--lang", lang, "--format", format];
            args.extend(names);
            let (memory, _) = report(tree.path(), None, &args);
            let (indexed, err) = report(tree.path(), Some(&db), &args);
            assert!(memory.matches("kv_put").count() > 1, "{memory}");
            assert_eq!(indexed, memory, "{lang} {format}: {err}");
        }
    }
}

#[test]
fn the_fixture_reports_the_same_from_the_index() {
    let Some(fixtures) = fixtures("the_fixture_reports_the_same_from_the_index") else {
        return;
    };
    let root = fixtures.join("linux-5.5.9");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.sqlite");
    index(&root, &db);
    // Every 53rd function definition, by path: a few hundred reports with
    // callers, callees, members, constants and docs from all over the tree.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT f.path || ':' || s.name FROM symbols s JOIN files f ON f.id = s.file_id
             WHERE s.kind = 'function' ORDER BY f.path, s.line",
        )
        .unwrap();
    let specs: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .step_by(53)
        .collect();
    assert!(specs.len() > 500, "{}", specs.len());
    let args: Vec<&str> = specs.iter().map(String::as_str).collect();
    let (memory, _) = report(&root, None, &args);
    let (indexed, _) = report(&root, Some(&db), &args);
    assert_eq!(
        memory.matches("Function report").count(),
        indexed.matches("Function report").count()
    );
    for (m, i) in memory
        .split("Function report")
        .zip(indexed.split("Function report"))
    {
        assert_eq!(i, m);
    }
    // Context bundles too: the snapshot (made without an index), and two
    // functions from elsewhere in the tree.
    let context = |db: Option<&Path>, spec: &str| {
        let r = root.to_str().unwrap();
        let mut all = vec!["context", "--root", r];
        if let Some(db) = db {
            all.extend(["--index", db.to_str().unwrap()]);
        }
        all.push(spec);
        let out = cgloss(&all);
        assert_eq!(out.status.code(), Some(0), "{spec}: {}", stderr(&out));
        stdout(&out)
    };
    let snapshot = workspace().join("tests/data/context/dup_userfaultfd.md");
    super::assert_same(
        &context(Some(&db), "fs/userfaultfd.c:dup_userfaultfd"),
        &snapshot,
    );
    for spec in [&specs[100], &specs[400]] {
        assert_eq!(context(Some(&db), spec), context(None, spec), "{spec}");
    }
}

#[test]
fn updates_read_only_what_changed() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    index(tree.path(), &db);
    let said = index(tree.path(), &db);
    assert!(said.contains("up to date"), "{said}");

    // Same bytes, new mtime: only touched.
    let kv_c = tree.path().join("kv.c");
    let text = std::fs::read_to_string(&kv_c).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&kv_c, &text).unwrap();
    let said = index(tree.path(), &db);
    assert!(
        said.contains("0 files extracted again, 0 removed, 1 only touched"),
        "{said}"
    );

    // A real edit, a new file and a deleted one.
    std::fs::write(
        &kv_c,
        format!("{text}\n/** kv_probe - added later */\nint kv_probe(void)\n{{\n\treturn 1;\n}}\n"),
    )
    .unwrap();
    std::fs::write(
        tree.path().join("extra.c"),
        "int extra_fn(int x)\n{\n\treturn kv_probe() + x;\n}\n",
    )
    .unwrap();
    std::fs::remove_file(tree.path().join("hash.c")).unwrap();
    let said = index(tree.path(), &db);
    assert!(
        said.contains("2 files extracted again, 1 removed"),
        "{said}"
    );
    let (out, err) = report(tree.path(), Some(&db), &["kv_probe"]);
    assert!(out.contains("Summary: added later"), "{out}{err}");
    assert!(out.contains("extra_fn  extra.c:1"), "callers: {out}");
    let (memory, _) = report(tree.path(), None, &["kv_probe", "extra_fn", "kv_put"]);
    let (indexed, _) = report(tree.path(), Some(&db), &["kv_probe", "extra_fn", "kv_put"]);
    assert_eq!(indexed, memory);
    let (_, err) = report(tree.path(), Some(&db), &["hash_str"]);
    assert!(err.contains("no such function"), "{err}");
}

#[test]
fn a_stale_index_is_updated_before_reporting() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    index(tree.path(), &db);
    let kv_c = tree.path().join("kv.c");
    let text = std::fs::read_to_string(&kv_c).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&kv_c, format!("/* moved down */\n{text}")).unwrap();
    let (out, err) = report(tree.path(), Some(&db), &["kv_put"]);
    assert!(err.contains("index is out of date (kv.c changed)"), "{err}");
    let (memory, _) = report(tree.path(), None, &["kv_put"]);
    assert_eq!(out, memory);
}

#[test]
fn the_default_index_lives_in_the_cache_folder() {
    let tree = minikv();
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cgloss"))
            .args(args)
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap()
    };
    let root = tree.path().to_str().unwrap();
    let out = run(&["index", "--root", root]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut made: Vec<_> = std::fs::read_dir(cache.path().join("cgloss"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    made.sort();
    // The index, and the lock file builds take beside it.
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(made[0].ends_with(".sqlite"), "{made:?}");
    assert_eq!(made[1], format!("{}.lock", made[0]));
    // Nothing was written into the tree.
    assert!(!tree.path().join(".cgloss").exists());
    let out = run(&["report", "--root", root, "kv_put"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Name: kv_put"));
}

#[test]
fn the_documented_queries_work() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    index(tree.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // docs/index.md: who calls a function.
    let callers: Vec<String> = conn
        .prepare(
            "SELECT s.name FROM calls c JOIN symbols s ON s.id = c.caller
             WHERE c.callee = 'kv_put' ORDER BY s.name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!callers.is_empty());
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    // The members of a struct, with types and docs.
    assert!(
        count(
            "SELECT COUNT(*) FROM members m JOIN symbols s ON s.id = m.symbol_id
             WHERE s.kind = 'struct'"
        ) > 0
    );
    // Documented functions with their summary.
    assert!(
        count(
            "SELECT COUNT(*) FROM symbols s JOIN docs d ON d.symbol_id = s.id
             WHERE s.kind = 'function'"
        ) > 0
    );
    let status: Vec<String> = conn
        .prepare("SELECT DISTINCT status FROM files")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(status, ["indexed"]);
}

#[test]
fn an_index_of_another_version_is_rebuilt() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    index(tree.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE meta SET value = '0' WHERE key = 'schema_version'",
        [],
    )
    .unwrap();
    drop(conn);
    let said = index(tree.path(), &db);
    assert!(said.contains("built"), "{said}");
    let (out, _) = report(tree.path(), Some(&db), &["kv_put"]);
    assert!(out.contains("Name: kv_put"));
}

#[test]
fn a_site_from_the_index_equals_a_site_from_the_tree() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    index(tree.path(), &db);
    let out_dir = tempfile::tempdir().unwrap();
    let memory = out_dir.path().join("memory");
    let indexed = out_dir.path().join("indexed");
    let root = tree.path().to_str().unwrap();
    for (out, extra) in [(&memory, None), (&indexed, Some(&db))] {
        let mut args = vec!["site", "--root", root, "-o", out.to_str().unwrap()];
        if let Some(db) = extra {
            args.extend(["--index", db.to_str().unwrap()]);
        }
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_cgloss"))
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .env("XDG_CACHE_HOME", out_dir.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let mut n = 0;
    for rel in super::site::files(&memory) {
        let a = std::fs::read(memory.join(&rel)).unwrap();
        let b = std::fs::read(indexed.join(&rel)).unwrap();
        assert!(a == b, "{} differs", rel.display());
        n += 1;
    }
    assert!(n > 20, "{n} files");
}

/// Issue 10: a file that is not an index is refused, never overwritten.
#[test]
fn a_file_that_is_not_an_index_is_never_overwritten() {
    let tree = minikv();
    let notes = tree.path().with_extension("notes.txt");
    std::fs::write(&notes, "my notes\n").unwrap();
    for args in [
        vec!["index", "--root", tree.path().to_str().unwrap(), "--index"],
        vec![
            "report",
            "--root",
            tree.path().to_str().unwrap(),
            "kv_put",
            "--index",
        ],
    ] {
        let mut args = args;
        args.push(notes.to_str().unwrap());
        let out = cgloss(&args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("not a cgloss index"), "{err}");
        assert!(err.contains(notes.to_str().unwrap()), "{err}");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    }
    // Another SQLite database is not an index either.
    let other = tree.path().with_extension("other.sqlite");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(conn);
    let out = cgloss(&[
        "index",
        "--root",
        tree.path().to_str().unwrap(),
        "--index",
        other.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(&other).unwrap();
    let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(x, 1);
}

/// Issue 10: two builds of one index: the second waits (saying so), or
/// with --no-wait exits 2; the error is said once, not doubled.
#[test]
fn a_second_build_waits_or_gives_up() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    let lock = cgloss_store::BuildLock::take(&db, false, &mut || {}).unwrap();
    let out = cgloss(&[
        "index",
        "--root",
        tree.path().to_str().unwrap(),
        "--index",
        db.to_str().unwrap(),
        "--no-wait",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("another cgloss is building this index"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let waiting = std::process::Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args([
            "index",
            "--root",
            tree.path().to_str().unwrap(),
            "--index",
            db.to_str().unwrap(),
        ])
        .env("XDG_CACHE_HOME", super::empty_cache())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(lock);
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("waiting for another cgloss"), "{err}");
    assert!(err.contains("built"), "{err}");
    // Meanwhile readers were never locked out.
    let (text, _) = report(tree.path(), Some(&db), &["kv_put"]);
    assert!(text.contains("Name: kv_put"));
}

/// Issue 10: a file rewritten with the same size and modification time is
/// noticed by its hash, re-indexed, and never makes rendering panic.
#[test]
fn a_rewrite_with_the_same_size_and_time_is_noticed() {
    let tree = minikv();
    let db = tree.path().with_extension("sqlite");
    let kv_c = tree.path().join("kv.c");
    let text = std::fs::read_to_string(&kv_c).unwrap();
    // Multi-byte text early in the file, so that offsets move by bytes.
    let before = text.replacen("#include", "/* ééé */\n#include", 1);
    std::fs::write(&kv_c, &before).unwrap();
    index(tree.path(), &db);
    let mtime = std::fs::metadata(&kv_c).unwrap().modified().unwrap();
    // Same length, an accent moved down to kv_put: the stored offsets of
    // every later function now fall elsewhere, some inside a character.
    let after =
        before
            .replacen("/* ééé */\n", "/*12*/\n", 1)
            .replacen("int kv_put", "/*é*/int kv_put", 1);
    assert_eq!(after.len(), before.len());
    std::fs::write(&kv_c, &after).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&kv_c).unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);
    let (out, err) = report(tree.path(), Some(&db), &["kv_put", "kv_get", "kv_del"]);
    assert!(
        err.contains("kv.c changed, with the same size and modification time"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let (memory, _) = report(tree.path(), None, &["kv_put", "kv_get", "kv_del"]);
    assert_eq!(out, memory);
}

/// Every rendering fixture (`tests/data/render/NAME.c`, `//- /path` trees)
/// written out as a tree: each function's report from its index equals the
/// report of the tree parsed in memory, text and JSON — the neighbourhood a
/// report loads holds everything linking reads (the macros of return
/// types among them).
#[test]
fn render_fixtures_report_the_same_from_the_index() {
    let dir = workspace().join("tests/data/render");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    fixtures.sort();
    for fixture in fixtures {
        let text = std::fs::read_to_string(&fixture).unwrap();
        let tree = tempfile::tempdir().unwrap();
        for chunk in text.split("//- /").skip(1) {
            let (path, body) = chunk.split_once('\n').unwrap();
            let target = tree.path().join(path.trim());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, body).unwrap();
        }
        let db = tree.path().join(".index.sqlite");
        index(tree.path(), &db);
        let conn = rusqlite::Connection::open(&db).unwrap();
        let specs: Vec<String> = conn
            .prepare(
                "SELECT f.path || ':' || s.name FROM symbols s JOIN files f ON f.id = s.file_id
                 WHERE s.kind = 'function' ORDER BY f.path, s.line",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(conn);
        for spec in &specs {
            for format in ["text", "json"] {
                let args = ["--format", format, spec.as_str()];
                let (memory, _) = report(tree.path(), None, &args);
                let (indexed, err) = report(tree.path(), Some(&db), &args);
                assert!(!memory.is_empty(), "{}: {spec}", fixture.display());
                assert_eq!(
                    indexed,
                    memory,
                    "{}: {spec} {format}: {err}",
                    fixture.display()
                );
            }
        }
    }
}
