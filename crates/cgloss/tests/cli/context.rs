//! `cgloss context`: snapshots of two bundles (a kernel function of the
//! fixture, a function of examples/minikv), the budget, JSON, the same
//! bundle with and without an index.

use std::path::Path;

use super::{assert_same, cgloss, fixtures, stderr, stdout, workspace};

/// `cgloss context` of SPEC under ROOT (with ARGS) succeeds and prints
/// exactly `tests/data/context/NAME` (`UPDATE_EXPECT=1` rewrites it;
/// review the diff).
fn check_context(root: &Path, spec: &str, args: &[&str], name: &str) {
    let mut all = vec!["context", "--root", root.to_str().unwrap()];
    all.extend(args);
    all.push(spec);
    let out = cgloss(&all);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let path = workspace().join("tests/data/context").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, stdout(&out)).unwrap();
        return;
    }
    assert_same(&stdout(&out), &path);
}

#[test]
fn context_snapshot_of_dup_userfaultfd() {
    let Some(fx) = fixtures("context_snapshot_of_dup_userfaultfd") else {
        return;
    };
    check_context(
        &fx.join("linux-5.5.9"),
        "fs/userfaultfd.c:dup_userfaultfd",
        &[],
        "dup_userfaultfd.md",
    );
}

#[test]
fn context_snapshot_of_kv_put() {
    check_context(
        &workspace().join("examples/minikv"),
        "kv_put",
        &[],
        "minikv/kv_put.md",
    );
}

fn json(root: &Path, spec: &str, budget: &str) -> serde_json::Value {
    let out = cgloss(&[
        "context",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--budget",
        budget,
        spec,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("json")
}

fn names(v: &serde_json::Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["section"].as_str().unwrap(),
                i["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn context_is_cut_to_the_budget_and_says_what_was_left_out() {
    let root = workspace().join("examples/minikv");
    let whole = json(&root, "kv_put", "100000");
    assert!(names(&whole, "left_out").is_empty());
    let n_whole = whole["tokens"].as_u64().unwrap();
    let kept_whole = names(&whole, "items");
    assert!(kept_whole.contains(&"type struct kv_entry".to_string()));
    assert!(kept_whole.contains(&"macro KV_MAX_KEY".to_string()));
    assert!(kept_whole.contains(&"callee hash_str".to_string()));
    assert!(kept_whole.contains(&"caller cmd_run".to_string()));
    // Each item's tokens are its bytes / 4, rounded up.
    for item in whole["items"].as_array().unwrap() {
        let bytes = item["text"].as_str().unwrap().len() as u64;
        assert_eq!(item["tokens"].as_u64().unwrap(), bytes.div_ceil(4));
    }

    let budget = n_whole / 2;
    let cut = json(&root, "kv_put", &budget.to_string());
    assert!(cut["tokens"].as_u64().unwrap() <= budget, "{cut}");
    let kept = names(&cut, "items");
    let left = names(&cut, "left_out");
    assert!(!left.is_empty());
    assert_eq!(kept[0], "source kv_put");
    // Nothing is lost: what is kept and what is left out are the whole.
    let mut all: Vec<String> = kept.iter().chain(&left).cloned().collect();
    let mut expected = kept_whole.clone();
    all.sort();
    expected.sort();
    assert_eq!(all, expected);

    // The Markdown says what was left out.
    let out = cgloss(&[
        "context",
        "--root",
        root.to_str().unwrap(),
        "--budget",
        &budget.to_string(),
        "kv_put",
    ]);
    let md = stdout(&out);
    let tail = md.split("\n## Left out\n").nth(1).expect("a Left out part");
    let first_left = cut["left_out"][0]["name"].as_str().unwrap();
    assert!(tail.contains(first_left), "{tail}");
    assert!(md.len().div_ceil(4) as u64 <= budget);
}

#[test]
fn context_from_an_index_equals_context_from_the_tree() {
    let tree = super::index::minikv();
    let db = tree.path().with_extension("ctx.sqlite");
    let r = tree.path().to_str().unwrap();
    for spec in ["kv_put", "cmd.c:cmd_run", "list_add"] {
        let plain = cgloss(&["context", "--root", r, spec]);
        let indexed = cgloss(&[
            "context",
            "--root",
            r,
            "--index",
            db.to_str().unwrap(),
            spec,
        ]);
        assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
        assert_eq!(indexed.status.code(), Some(0), "{}", stderr(&indexed));
        assert_eq!(stdout(&plain), stdout(&indexed), "{spec}");
    }
    let _ = std::fs::remove_file(&db);
}

#[test]
fn context_of_an_unknown_function_exits_1() {
    let root = workspace().join("examples/minikv");
    let out = cgloss(&["context", "--root", root.to_str().unwrap(), "kv_pt"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean: kv_put"),
        "{}",
        stderr(&out)
    );
    let out = cgloss(&[
        "context",
        "--root",
        root.to_str().unwrap(),
        "--budget",
        "x",
        "kv_put",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
