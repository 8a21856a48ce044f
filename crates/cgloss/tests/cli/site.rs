//! `cgloss site`: the main content of every page of a tiny tree against a
//! snapshot, determinism, output-folder safety, and a link check over the
//! whole site of `../shared/fixtures/linux-5.5.9`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::{cgloss, fixtures, stderr, stdout, workspace};

fn tiny_src() -> PathBuf {
    workspace().join("tests/data/site/tiny/src")
}

fn build_site(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "site",
        "--root",
        root.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(&args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("XDG_CACHE_HOME", super::empty_cache())
        .output()
        .expect("run cgloss site")
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// `<main>…</main>` of a page, with dates that depend on the checkout
/// (file modification times) replaced by `[DATE]`.
fn main_content(html: &str) -> String {
    let start = html.find("<main>").expect("<main>");
    let end = html.find("</main>").expect("</main>") + "</main>".len();
    let main = &html[start..end];
    let mut out = String::new();
    let b = main.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let is_date = i + 23 <= b.len()
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && &main[i + 19..i + 23] == " UTC";
        if is_date {
            out.push_str("[DATE]");
            i += 23;
        } else {
            let c = main[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn tiny_site_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let run = build_site(&tiny_src(), &out, &["--title", "Tiny"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(stderr(&run).contains("cgloss: wrote "), "{}", stderr(&run));
    let mut snapshot = String::new();
    for rel in files(&out) {
        let name = rel.to_string_lossy();
        if !name.ends_with(".html") || name == "index.html" {
            continue;
        }
        let html = std::fs::read_to_string(out.join(&rel)).unwrap();
        snapshot.push_str(&format!("=== {name}\n{}\n", main_content(&html)));
    }
    let expected_path = workspace().join("tests/data/site/tiny/expected.txt");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &snapshot).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if expected != snapshot {
        let (e, a): (Vec<&str>, Vec<&str>) =
            (expected.lines().collect(), snapshot.lines().collect());
        let first = (0..e.len().max(a.len()))
            .find(|&i| e.get(i) != a.get(i))
            .unwrap();
        panic!(
            "site snapshot differs at line {}:\n  expected: {}\n  actual:   {}\n(UPDATE_EXPECT=1 to accept)",
            first + 1,
            e.get(first).unwrap_or(&"<none>"),
            a.get(first).unwrap_or(&"<none>")
        );
    }
}

#[test]
fn tiny_site_escapes_source_and_docs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    assert_eq!(build_site(&tiny_src(), &out, &[]).status.code(), Some(0));
    let page = std::fs::read_to_string(out.join("en/drivers/dev.c/dev_probe.html")).unwrap();
    assert!(
        page.contains("a &quot;&lt;script&gt;&quot; in a doc stays text"),
        "{page}"
    );
    assert!(!page.contains("<script>\""));
    let header = std::fs::read_to_string(out.join("en/include/dev.h.html")).unwrap();
    assert!(header.contains("most devices &lt;probed&gt; at once"));
    for rel in files(&out) {
        let text = std::fs::read_to_string(out.join(&rel)).unwrap();
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "external resource in {rel:?}"
        );
    }
}

/// `cgloss site --source` writes the source view of every file: function
/// pages link each line number to its line there, file pages link to it,
/// and each definition's name there links back to its own report (the
/// second `dev_log` of dev.c to `dev_log.L35.html`); every link resolves.
/// Without `--source`, no page links into `source/`.
#[test]
fn tiny_site_source_view_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    assert_eq!(build_site(&tiny_src(), &plain, &[]).status.code(), Some(0));
    assert!(!plain.join("source").exists());
    for rel in files(&plain) {
        let text = std::fs::read_to_string(plain.join(&rel)).unwrap();
        assert!(
            !links(&text).iter().any(|l| l.contains("source/")),
            "{rel:?} links to a source view the site does not have"
        );
    }
    let out = dir.path().join("site");
    let run = build_site(&tiny_src(), &out, &["--source"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let report = std::fs::read_to_string(out.join("en/drivers/dev.c/dev_probe.html")).unwrap();
    assert!(
        report.contains(
            "<td class=\"ln\"><a href=\"../../../source/drivers/dev.c.html#L17\">17</a></td>"
        ),
        "{report}"
    );
    assert!(
        report.contains("<a class=\"src-link\" href=\"../../../source/drivers/dev.c.html#L15\">")
    );
    let file = std::fs::read_to_string(out.join("zh/drivers/dev.c.html")).unwrap();
    assert!(file.contains("<a class=\"src-link\" href=\"../../source/drivers/dev.c.html\">"));
    let source = std::fs::read_to_string(out.join("source/drivers/dev.c.html")).unwrap();
    for (line, page) in [
        (15, "dev_probe.html"),
        (30, "dev_log.html"),
        (35, "dev_log.L35.html"),
    ] {
        let start = source.find(&format!("<tr id=\"L{line}\">")).unwrap();
        let row = &source[start..start + source[start..].find("</tr>").unwrap()];
        assert!(
            row.contains(&format!("<a href=\"../../en/drivers/dev.c/{page}\">")),
            "line {line}: {row}"
        );
    }
    let (n_links, broken) = check_links(&out);
    assert!(broken.is_empty(), "{broken:?}");
    assert!(n_links > 100, "{n_links} links");
}

#[test]
fn site_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(build_site(&tiny_src(), &a, &[]).status.code(), Some(0));
    assert_eq!(build_site(&tiny_src(), &b, &[]).status.code(), Some(0));
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa, fb);
    for rel in fa {
        assert_eq!(
            std::fs::read(a.join(&rel)).unwrap(),
            std::fs::read(b.join(&rel)).unwrap(),
            "{rel:?} differs"
        );
    }
}

#[test]
fn site_output_folder_safety() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a.c"), "int a(void) { return 0; }\n").unwrap();
    // Inside the root: refused, unless --force.
    let inside = build_site(&root, &root.join("out"), &[]);
    assert_eq!(inside.status.code(), Some(2));
    assert!(
        stderr(&inside).contains("inside the root"),
        "{}",
        stderr(&inside)
    );
    assert!(!root.join("out").exists());
    // A folder holding other files: refused, unless --force.
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let refused = build_site(&root, &other, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("did not write"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        build_site(&root, &other, &["--force"]).status.code(),
        Some(0)
    );
    assert!(other.join("keep.txt").exists());
    // A folder whose parents do not exist yet is made; one inside the root
    // is refused even when it does not exist yet.
    assert_eq!(
        build_site(&root, &dir.path().join("new/deep/site"), &[])
            .status
            .code(),
        Some(0)
    );
    assert!(dir.path().join("new/deep/site/en/index.html").is_file());
    assert_eq!(
        build_site(&root, &root.join("x/y"), &[]).status.code(),
        Some(2)
    );
    assert!(!root.join("x").exists());
    // Its own output can be rebuilt; pages no longer produced are removed.
    let out = dir.path().join("out");
    assert_eq!(build_site(&root, &out, &[]).status.code(), Some(0));
    assert!(out.join("en/a.c/a.html").exists());
    std::fs::write(root.join("a.c"), "int b(void) { return 0; }\n").unwrap();
    assert_eq!(build_site(&root, &out, &[]).status.code(), Some(0));
    assert!(out.join("en/a.c/b.html").exists());
    assert!(!out.join("en/a.c/a.html").exists());
}

/// The site of the Linux fixture, built once per test run under the target
/// folder (the browser test uses it too).
pub fn fixture_site() -> Option<&'static Path> {
    static SITE: OnceLock<Option<PathBuf>> = OnceLock::new();
    SITE.get_or_init(|| {
        let fx = fixtures("fixture_site")?;
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-linux-5.5.9");
        let _ = std::fs::remove_dir_all(&out);
        let run = build_site(&fx.join("linux-5.5.9"), &out, &[]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        Some(out)
    })
    .as_deref()
}

/// `href="…"` and `src="…"` values of a page.
fn links(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

fn ids(html: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let end = rest.find('"').unwrap();
        out.insert(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// Checks every `href` and `src` of every page of a site: the target file
/// exists and so does its `#anchor`; nothing points outside. Returns the
/// number of links and the broken ones.
pub fn check_links(site: &Path) -> (usize, Vec<String>) {
    let root = site.canonicalize().unwrap();
    let mut anchors: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut n_links = 0usize;
    let mut broken = Vec::new();
    for rel in files(site)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let path = site.join(rel);
        let html = std::fs::read_to_string(&path).unwrap();
        for link in links(&html) {
            let link = unescape(link);
            assert!(!link.contains("://"), "external link {link} in {rel:?}");
            let (file, frag) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                path.parent().unwrap().join(file)
            };
            n_links += 1;
            if !target.is_file() {
                broken.push(format!("{rel:?} -> {link}"));
                continue;
            }
            let key = target.canonicalize().unwrap();
            assert!(key.starts_with(&root), "{rel:?} -> {link} leaves the site");
            if !frag.is_empty() {
                let set = anchors
                    .entry(key)
                    .or_insert_with(|| ids(&std::fs::read_to_string(&target).unwrap()));
                if !set.contains(frag) {
                    broken.push(format!("{rel:?} -> {link} (no anchor)"));
                }
            }
        }
    }
    (n_links, broken)
}

#[test]
fn fixture_site_links_resolve_and_every_function_has_a_page() {
    let Some(site) = fixture_site() else {
        return;
    };
    let (n_links, broken) = check_links(site);
    let all = files(site);
    assert!(
        broken.is_empty(),
        "{} broken links of {n_links}, e.g.:\n{}",
        broken.len(),
        broken[..broken.len().min(20)].join("\n")
    );
    assert!(n_links > 100_000, "only {n_links} links checked");
    // One report page per function definition and language.
    let fx = fixtures("fixture_site").unwrap();
    let check = cgloss(&["check", "--root", fx.join("linux-5.5.9").to_str().unwrap()]);
    let out = stdout(&check);
    let n_functions: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("functions: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("functions count");
    for lang in ["en", "zh"] {
        let n_pages = all
            .iter()
            .filter(|p| p.starts_with(lang))
            .filter(|p| {
                let parent = p.parent().unwrap().to_string_lossy();
                (parent.ends_with(".c") || parent.ends_with(".h"))
                    && p.extension().is_some_and(|e| e == "html")
            })
            .count();
        assert_eq!(
            n_pages, n_functions,
            "{lang}: function pages vs definitions"
        );
    }
    // Every name search finds leads to a page and anchor that exist: each
    // kind's target (chunks hold every entry once).
    let mut anchors: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let (mut n_entries, mut kinds, mut bad) = (0usize, HashSet::new(), Vec::new());
    for rel in all.iter().filter(|p| p.starts_with("search/id")) {
        let script = std::fs::read_to_string(site.join(rel)).unwrap();
        let json = &script[script.find(", ").unwrap() + 2..script.rfind(");").unwrap()];
        let entries: Vec<[String; 4]> = serde_json::from_str(json).unwrap();
        for [name, kind, url, _] in entries {
            n_entries += 1;
            kinds.insert(kind);
            let (file, frag) = url.split_once('#').unwrap_or((&url, ""));
            let target = site.join("en").join(file);
            let ok = target.is_file()
                && (frag.is_empty()
                    || anchors
                        .entry(target.clone())
                        .or_insert_with(|| ids(&std::fs::read_to_string(&target).unwrap()))
                        .contains(frag));
            if !ok {
                bad.push(format!("{name} -> {url}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {n_entries}: {:?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
    let mut kinds: Vec<String> = kinds.into_iter().collect();
    kinds.sort();
    assert_eq!(kinds, [".", "c", "e", "f", "m", "p", "s", "t", "u", "v"]);
    // Search shards stay small enough to load.
    for rel in all.iter().filter(|p| p.starts_with("search")) {
        let size = std::fs::metadata(site.join(rel)).unwrap().len();
        assert!(size <= 220_000, "{rel:?} is {size} bytes");
    }
}
