//! Hostile and broken input: each case gets a clear warning naming the path
//! (and line), the run goes on, and the exit status says whether an input
//! was skipped (0 all fine, 1 not found, 2 something skipped or an error).

use std::path::Path;
use std::process::Command;

use crate::{cgloss, stderr, stdout};

fn report(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["report", "--root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    cgloss(&all)
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

const OK_C: &str = "/* a fine function */\nint fine(void)\n{\n\treturn 1;\n}\n";

#[test]
fn binary_file_is_skipped_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.c", OK_C);
    write(
        dir.path(),
        "blob.c",
        b"\x7fELF\x00\x01\x02\x00int f(void) { return 0; }",
    );
    let out = report(dir.path(), &["fine"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("Name: fine"), "the run goes on");
    let err = stderr(&out);
    assert!(
        err.contains("cgloss: warning: blob.c: binary file (NUL byte), skipped"),
        "{err}"
    );
    let quiet = report(dir.path(), &["--quiet", "fine"]);
    assert!(stderr(&quiet).is_empty());
    assert_eq!(
        quiet.status.code(),
        Some(2),
        "--quiet silences warnings, not the status"
    );
}

#[test]
fn invalid_utf8_is_decoded_lossily_once_with_lines_intact() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin1.c",
        b"/* caf\xe9 au lait */\n\nint after(int x)\n{\n\tx++;\n\treturn x;\n}\n".as_slice(),
    );
    let out = report(dir.path(), &["after"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("Source: latin1.c:3"), "{text}");
    assert!(text.contains("5  x++\n6  Return x\n"), "{text}");
    let err = stderr(&out);
    assert_eq!(
        err.matches("latin1.c:1: invalid UTF-8, decoded lossily")
            .count(),
        1,
        "{err}"
    );
}

#[test]
fn ten_megabyte_line_and_many_defines() {
    let dir = tempfile::tempdir().unwrap();
    let table: Vec<String> = (0..2_000_000).map(|i| (i % 10).to_string()).collect();
    write(
        dir.path(),
        "table.c",
        format!(
            "static const char t[] = {{{}}};\n#include \"defs.h\"\nint lookup(int i)\n{{\n\treturn t[i] + D99999;\n}}\n",
            table.join(", ")
        ),
    );
    assert!(std::fs::metadata(dir.path().join("table.c")).unwrap().len() > 5_000_000);
    let defines: String = (0..100_000)
        .map(|i| format!("#define D{i} {i}\t/* define number {i} */\n"))
        .collect();
    write(dir.path(), "defs.h", defines);
    let out = report(dir.path(), &["lookup"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Source: table.c:3"), "{text}");
    assert!(
        text.contains("5  Return t[i] + define number 99999"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("table.c:1: line longer than"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn deep_nesting_does_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    write(
        dir.path(),
        "deep.c",
        format!(
            "int deep_expr(void)\n{{\n\treturn {}1{};\n}}\n\nint deep_blocks(int a)\n{{\n{}a++;{}\n\treturn a;\n}}\n",
            "(".repeat(n),
            ")".repeat(n),
            "{".repeat(10_000),
            "}".repeat(10_000)
        ),
    );
    for name in ["deep_expr", "deep_blocks"] {
        let out = report(dir.path(), &[name]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(&format!("Name: {name}")), "{text}");
        for line in text.lines().skip_while(|l| *l != "Body:").skip(1) {
            if line.ends_with(':') {
                break;
            }
            let n: u32 = line.split_whitespace().next().unwrap().parse().unwrap();
            assert!(
                (1..=10).contains(&n),
                "{name}: line number {n} outside the function"
            );
        }
    }
    let check = cgloss(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

/// Issue 10: extraction read nested struct declarations recursively,
/// without a bound.
#[test]
fn ten_thousand_nested_struct_declarations() {
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    write(
        dir.path(),
        "nested.h",
        format!(
            "{}int x;{}
int after(void)
{{
	return 1;
}}
",
            "struct s { ".repeat(n),
            " } m;".repeat(n)
        ),
    );
    write(
        dir.path(),
        "anon.h",
        format!(
            "struct a {{ {}int y;{} }};
",
            "struct { ".repeat(n),
            " };".repeat(n)
        ),
    );
    let out = report(dir.path(), &["after"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Name: after"));
    let index = cgloss(&[
        "index",
        "--root",
        dir.path().to_str().unwrap(),
        "--index",
        dir.path().join("i.sqlite").to_str().unwrap(),
    ]);
    assert_eq!(index.status.code(), Some(0), "{}", stderr(&index));
}

#[test]
fn symlink_loop_and_dangling_link_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.c", OK_C);
    std::os::unix::fs::symlink("loop_b", dir.path().join("loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", dir.path().join("loop_b")).unwrap();
    std::os::unix::fs::symlink("missing.c", dir.path().join("dangling.c")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
    std::os::unix::fs::symlink("ok.c", dir.path().join("alias.c")).unwrap();
    let out = report(dir.path(), &["fine"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stdout(&out);
    assert!(
        !text.contains("Source: alias.c:2"),
        "a link to a file of the tree is left out, the file is reported once: {text}"
    );
    assert!(text.contains("Source: ok.c:2"), "{text}");
    let err = stderr(&out);
    assert!(err.contains("dangling.c"), "{err}");
    assert!(err.contains("loop_a"), "{err}");
    assert!(err.contains("sub/up"), "{err}");
    for line in err.lines() {
        assert!(line.starts_with("cgloss: warning: "), "{line}");
    }
}

#[test]
fn unreadable_file_is_skipped() {
    // Root may read any file, so use one whose read fails for everyone:
    // /proc/self/mem answers EIO at offset 0.
    if !Path::new("/proc/self/mem").exists() {
        panic!("/proc/self/mem is needed for this test");
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.c", OK_C);
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("unreadable.c")).unwrap();
    let out = report(dir.path(), &["fine"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("Name: fine"));
    let err = stderr(&out);
    assert!(err.contains("cgloss: warning: unreadable.c: "), "{err}");
}

#[test]
fn empty_tree() {
    let dir = tempfile::tempdir().unwrap();
    let out = report(dir.path(), &["anything"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no .c or .h files under this root"),
        "{}",
        stderr(&out)
    );
    let site_out = dir.path().join("../empty-site-out");
    let _ = std::fs::remove_dir_all(&site_out);
    let site = cgloss(&[
        "site",
        "--root",
        dir.path().to_str().unwrap(),
        "-o",
        site_out.to_str().unwrap(),
    ]);
    assert_eq!(site.status.code(), Some(0), "{}", stderr(&site));
    assert!(site_out.join("en/index.html").is_file());
    let _ = std::fs::remove_dir_all(&site_out);
}

#[test]
fn hostile_names_stay_inside_the_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let names = [
        "with space.c",
        "x..c",
        "ünïcödé.c",
        "index.html.c",
        &format!("{}.c", "long".repeat(60)),
    ];
    for (k, name) in names.iter().enumerate() {
        let sub = root.join(if k % 2 == 0 { "a dir" } else { "b.." });
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(name),
            format!("/* <b>doc</b> */\nint f{k}(void)\n{{\n\treturn \"</script>\"[0];\n}}\n"),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .env("XDG_CACHE_HOME", super::empty_cache())
        .args([
            "site",
            "--root",
            root.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    // Nothing was written beside the root and the output folder.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["out", "root"]);
    let pages: Vec<_> = crate::site::files(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| out.join(p))
        .collect();
    for k in 0..names.len() {
        let n = pages
            .iter()
            .filter(|p| p.ends_with(format!("f{k}.html")))
            .count();
        assert_eq!(n, 2, "f{k}: one page per language");
    }
    let (n_links, broken) = crate::site::check_links(&out);
    assert!(
        broken.is_empty() && n_links > 50,
        "{n_links} links, broken: {broken:?}"
    );
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        assert!(
            !html.contains("<b>doc</b>"),
            "doc text is escaped in {page:?}"
        );
        assert!(
            !html.contains("\"</script>\""),
            "source text is escaped in {page:?}"
        );
    }
}
