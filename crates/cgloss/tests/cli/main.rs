//! End-to-end tests of the `cgloss` binary: the golden reports of
//! `../shared/fixtures`, exit statuses, JSON, several definitions, the
//! example tree.
//!
//! Tests that need `../shared` print that they were skipped when it is
//! absent, and fail instead when `CI=true`.

mod browser;
mod context;
mod glossary;
mod hostile;
mod index;
mod mcp;
mod serve;
mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `../shared/fixtures`, or `None` (after saying so) when absent outside CI.
fn fixtures(test: &str) -> Option<PathBuf> {
    let dir = workspace().join("../shared/fixtures");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: ../shared/fixtures is missing, and CI=true");
    }
    eprintln!("{test}: skipped, ../shared/fixtures is absent");
    None
}

/// A cache folder no index is ever written to.
fn empty_cache() -> PathBuf {
    std::env::temp_dir().join("cgloss-tests-empty-cache")
}

/// Runs cgloss with a cache folder of its own, so that an index a user
/// made of the same tree is never read (tests name `--index` explicitly).
fn cgloss(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(args)
        .env("XDG_CACHE_HOME", empty_cache())
        .output()
        .expect("run cgloss")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

fn assert_same(actual: &str, expected_path: &Path) {
    let expected = std::fs::read_to_string(expected_path).expect("expected file");
    if actual != expected {
        let mut diff = String::new();
        let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
        for i in 0..a.len().max(e.len()) {
            if a.get(i) != e.get(i) {
                diff.push_str(&format!(
                    "line {}:\n  expected: {}\n  actual:   {}\n",
                    i + 1,
                    e.get(i).unwrap_or(&"<none>"),
                    a.get(i).unwrap_or(&"<none>")
                ));
            }
        }
        panic!("{} differs:\n{diff}", expected_path.display());
    }
}

/// The expected files predate the counts on the Callers and Callees
/// headers (issue 10: the text report shows them, `Callers (1):`); that is
/// the only difference allowed, and only in those two headers.
fn without_counts(report: &str) -> String {
    report
        .lines()
        .map(|l| {
            for label in ["Callers", "Callees", "调用者", "被调用"] {
                if let Some(rest) = l.strip_prefix(label).and_then(|r| r.strip_prefix(" (")) {
                    if let Some(n) = rest.strip_suffix("):") {
                        if n.bytes().all(|b| b.is_ascii_digit()) {
                            return format!("{label}:\n");
                        }
                    }
                }
            }
            format!("{l}\n")
        })
        .collect()
}

/// `cgloss report --no-glossary --root ROOT --lang LANG SPEC` succeeds and
/// prints exactly the expected file (but for the counts, see
/// `without_counts`): the golden files show what the tree alone documents.
fn check_golden(root: &Path, lang: &str, spec: &str, expected: &Path) {
    let out = cgloss(&[
        "report",
        "--no-glossary",
        "--root",
        root.to_str().unwrap(),
        "--lang",
        lang,
        spec,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_same(&without_counts(&stdout(&out)), expected);
}

/// The report of SPEC in Chinese with the built-in glossary is exactly the
/// snapshot `tests/data/glossary/NAME` of the repo
/// (`UPDATE_EXPECT=1` rewrites it; review the diff).
fn check_snapshot(root: &Path, spec: &str, name: &str) {
    let out = cgloss(&[
        "report",
        "--root",
        root.to_str().unwrap(),
        "--lang",
        "zh",
        spec,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let path = workspace().join("tests/data/glossary").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, stdout(&out)).unwrap();
        return;
    }
    assert_same(&stdout(&out), &path);
}

#[test]
fn chinese_with_the_builtin_glossary() {
    let Some(fx) = fixtures("chinese_with_the_builtin_glossary") else {
        return;
    };
    check_snapshot(
        &fx.join("linux-5.5.9"),
        "fs/userfaultfd.c:dup_userfaultfd",
        "dup_userfaultfd.zh.txt",
    );
    for name in ["pick_next", "schedule", "idle"] {
        check_snapshot(
            &fx.join("minisched"),
            &format!("sched.c:{name}"),
            &format!("minisched/{name}.zh.txt"),
        );
    }
    // The English side of the idioms: no comment documents WRITE_ONCE.
    let out = cgloss(&[
        "report",
        "--root",
        fx.join("linux-5.5.9").to_str().unwrap(),
        "fs/userfaultfd.c:dup_userfaultfd",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "710    octx's memory mappings are changing because of non-cooperative event = true (written once)"
        ),
        "{text}"
    );
    assert!(text.contains("WRITE_ONCE  include/linux/compiler.h:284  x = val (written once)"));
}

/// Users' glossaries add to the built-in one, later files winning; JSON
/// keeps the English beside; a broken file is an error naming it and the
/// line.
#[test]
fn user_glossary_files() {
    let Some(fx) = fixtures("user_glossary_files") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("cgloss-user-glossary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = dir.join("a.toml");
    let second = dir.join("b.toml");
    std::fs::write(
        &first,
        "[symbols]\npick_next = \"甲\"\n[glosses]\n\"Run the next task.\" = \"运行下一个任务\"\n",
    )
    .unwrap();
    std::fs::write(
        &second,
        "[symbols]\npick_next = \"选出下一个要运行的任务\"\n",
    )
    .unwrap();
    let root = fx.join("minisched");
    let report = |extra: &[&str]| {
        let mut args = vec!["report", "--root", root.to_str().unwrap(), "--lang", "zh"];
        args.extend_from_slice(extra);
        args.push("sched.c:schedule");
        cgloss(&args)
    };
    let files = [
        "--glossary",
        first.to_str().unwrap(),
        "--glossary",
        second.to_str().unwrap(),
    ];
    let out = report(&files);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("摘要: 运行下一个任务\n"), "{text}");
    assert!(
        text.contains("68  next 等于 选出下一个要运行的任务 (q: q, limit: MAX_PRIO)\n"),
        "{text}"
    );
    assert!(
        text.contains("  pick_next  sched.c:18  选出下一个要运行的任务\n"),
        "{text}"
    );
    let mut json_args = files.to_vec();
    json_args.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&report(&json_args))).unwrap();
    let r = &json[0];
    assert_eq!(r["summary"], "运行下一个任务");
    assert_eq!(r["summary_en"], "run the next task");
    let g = &r["body"][0]["glosses"][0];
    assert_eq!(g["symbol"], "pick_next");
    assert_eq!(g["gloss"], "选出下一个要运行的任务");
    assert_eq!(g["gloss_en"], "choose the task to run next");
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[symbols]\nkfree = \"甲\"\nkfree = \"乙\"\n").unwrap();
    let out = report(&["--glossary", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("broken.toml: not a glossary"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    let out = report(&["--no-glossary", "--glossary", first.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "the two contradict");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn golden_dup_userfaultfd_en_and_zh() {
    let Some(fx) = fixtures("golden_dup_userfaultfd_en_and_zh") else {
        return;
    };
    for lang in ["en", "zh"] {
        check_golden(
            &fx.join("linux-5.5.9"),
            lang,
            "fs/userfaultfd.c:dup_userfaultfd",
            &fx.join(format!("expected/dup_userfaultfd.{lang}.txt")),
        );
    }
}

#[test]
fn golden_minisched() {
    let Some(fx) = fixtures("golden_minisched") else {
        return;
    };
    for name in ["pick_next", "schedule", "idle"] {
        for lang in ["en", "zh"] {
            check_golden(
                &fx.join("minisched"),
                lang,
                &format!("sched.c:{name}"),
                &fx.join(format!("expected/minisched/{name}.{lang}.txt")),
            );
        }
    }
}

#[test]
fn json_report_of_kmalloc() {
    let Some(fx) = fixtures("json_report_of_kmalloc") else {
        return;
    };
    let root = fx.join("linux-5.5.9");
    let out = cgloss(&[
        "report",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
        "kmalloc",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let reports = json.as_array().expect("an array");
    assert!(!reports.is_empty());
    let r = &reports[0];
    assert_eq!(r["schema_version"], 2);
    assert_eq!(r["kind"], "function");
    assert_eq!(r["name"], "kmalloc");
    assert_eq!(r["file"], "include/linux/slab.h");
    assert_eq!(r["summary"], "allocate memory");
    assert!(r["doc"]
        .as_str()
        .unwrap()
        .contains("kmalloc is the normal method"));
    let params = r["params"].as_array().unwrap();
    assert_eq!(params[0]["name"], "size");
    assert_eq!(params[0]["type"], "size_t");
    assert_eq!(params[0]["doc"], "how many bytes of memory are required");
    let body = r["body"].as_array().unwrap();
    assert!(!body.is_empty());
    for line in body {
        for key in ["line", "end_line", "depth", "text", "source", "glosses"] {
            assert!(!line[key].is_null(), "body line lacks {key}: {line}");
        }
        assert!(line["end_line"].as_u64() >= line["line"].as_u64());
    }
    let glossed: Vec<&serde_json::Value> = body
        .iter()
        .flat_map(|l| l["glosses"].as_array().unwrap())
        .collect();
    assert!(glossed
        .iter()
        .any(|g| g["kind"] == "function" || g["kind"] == "macro"));
    for g in glossed {
        assert!(g["defined_at"].as_str().unwrap().contains(':'));
    }
    assert!(!r["callers"].as_array().unwrap().is_empty());
    for key in ["callees", "referenced_by", "diagnostics"] {
        assert!(r[key].is_array(), "{key}");
    }
}

#[test]
fn several_definitions_print_every_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("include")).unwrap();
    std::fs::write(
        dir.path().join("include/f.h"),
        "#ifndef CONFIG_F\nstatic inline int f(void) { return 0; }\n#endif\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("f.c"), "int f(void)\n{\n\treturn 1;\n}\n").unwrap();
    let root = dir.path().to_str().unwrap();
    let out = cgloss(&["report", "--root", root, "f"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let reports: Vec<&str> = text.split("\n\n").collect();
    assert_eq!(reports.len(), 2, "{text}");
    assert!(reports[0].contains("Source: f.c:1"));
    assert!(reports[1].contains("Source: include/f.h:2"));
    let json = cgloss(&["report", "--root", root, "--format", "json", "f"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    let only = cgloss(&["report", "--root", root, "include/f.h:f"]);
    assert!(stdout(&only).contains("Return 0"));
    assert!(!stdout(&only).contains("Return 1"));
}

#[test]
fn not_found_exits_1_with_close_matches() {
    let root = workspace().join("examples/minikv");
    let out = cgloss(&["report", "--root", root.to_str().unwrap(), "kv_pt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("kv_pt: no such function"), "{err}");
    assert!(err.contains("did you mean: kv_put"), "{err}");
    assert!(stdout(&out).is_empty());
}

/// Issue 10: a wrong path says what is wrong and where the function is;
/// an absolute path under the root works.
#[test]
fn wrong_paths_say_where_the_function_is() {
    let root = workspace().join("examples/minikv");
    let r = root.to_str().unwrap();
    let out = cgloss(&["report", "--root", r, "kvv.c:kv_put"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("kvv.c: no such file under the root"), "{err}");
    assert!(err.contains("it is defined in kv.c:50"), "{err}");
    let out = cgloss(&["report", "--root", r, "hash.c:kv_put"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("hash.c defines no function of that name"),
        "{err}"
    );
    assert!(err.contains("it is defined in kv.c:50"), "{err}");
    let absolute = format!(
        "{}:kv_put",
        std::fs::canonicalize(root.join("kv.c")).unwrap().display()
    );
    let out = cgloss(&["report", "--root", r, &absolute]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Source: kv.c:50"));
}

#[test]
fn missing_root_exits_2_naming_it() {
    let out = cgloss(&["report", "--root", "/no/such/dir", "f"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("cgloss: error: /no/such/dir"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn usage_error_exits_2() {
    let out = cgloss(&["report", "--lang", "fr", "f"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cgloss(&["report"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn root_defaults_to_current_directory() {
    let root = workspace().join("examples/minikv");
    let out = Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(["report", "hash_str"])
        .env("XDG_CACHE_HOME", empty_cache())
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("Function report\nSource: hash.c:7\n"));
}

#[test]
fn example_tree_reports() {
    let root = workspace().join("examples/minikv");
    let out = cgloss(&["report", "--root", root.to_str().unwrap(), "kv_put"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Summary: store a value under a key, replacing any older value"));
    assert!(text.contains("Return -EINVAL (invalid argument)"), "{text}");
    assert!(text.contains("kv's number of keys stored++"), "{text}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn parse_errors_warn_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("b.c"),
        "int broken(int a)\n{\n\ta = 1;\n\ta = ) 2 +;\n\treturn a;\n}\n",
    )
    .unwrap();
    let out = cgloss(&["report", "--root", dir.path().to_str().unwrap(), "broken"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("4  a = ) 2 +;"), "{}", stdout(&out));
    assert!(stdout(&out).contains("5  Return a"));
    let err = stderr(&out);
    assert!(
        err.contains("cgloss: warning: b.c:4: syntax error"),
        "{err}"
    );
    let quiet = cgloss(&[
        "report",
        "--quiet",
        "--root",
        dir.path().to_str().unwrap(),
        "broken",
    ]);
    assert!(stderr(&quiet).is_empty());
}

#[test]
fn output_is_deterministic() {
    let root = workspace().join("examples/minikv");
    let a = cgloss(&[
        "report",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
        "cmd_run",
        "kv_get",
    ]);
    let b = cgloss(&[
        "report",
        "--root",
        root.to_str().unwrap(),
        "--format",
        "json",
        "cmd_run",
        "kv_get",
    ]);
    assert_eq!(a.stdout, b.stdout);
    assert!(!a.stdout.is_empty());
}

#[test]
fn readme_example_is_true() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = readme
        .find("$ cgloss report --root examples/minikv kv_del\n")
        .expect("example in README");
    let block = &readme[start..];
    let block = &block[block.find('\n').unwrap() + 1..block.find("```").unwrap()];
    let root = workspace().join("examples/minikv");
    let out = cgloss(&["report", "--root", root.to_str().unwrap(), "kv_del"]);
    assert_eq!(stdout(&out), block);
}
