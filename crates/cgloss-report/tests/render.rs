//! One fixture per rule of RENDERING.md: `tests/data/render/NAME.c` holds a
//! small tree (`//- /path` starts a file) and `NAME.out` the reports of every
//! function in it, in the languages its `//! langs:` line names (default en).
//! Parse diagnostics follow each report as `! line:col: message` lines,
//! members left unglossed as ambiguous as `? line: member ambiguous: sites`.
//! Reports are rendered without a glossary unless a `//! glossary: builtin`
//! line asks for the built-in one; a `//- /NAME.toml` file of the tree is a
//! user glossary added to it.
//!
//! `UPDATE_EXPECT=1 cargo test -p cgloss-report --test render` rewrites the
//! `.out` files; review the diff by eye before committing.

use std::path::{Path, PathBuf};

use cgloss_report::{render, to_text, Glossary, Lang, Options};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/render")
}

/// Renders every function of a fixture tree.
fn render_fixture(fixture: &str) -> String {
    let mut langs = vec![Lang::En];
    let mut glossary = Glossary::none();
    let mut files = Vec::new();
    let mut texts = Vec::new();
    for line in fixture.lines().take_while(|l| !l.starts_with("//- /")) {
        if let Some(list) = line.strip_prefix("//! langs:") {
            langs = list.split_whitespace().filter_map(Lang::parse).collect();
        }
        if line.strip_prefix("//! glossary:").map(str::trim) == Some("builtin") {
            glossary = Glossary::builtin().clone();
        }
    }
    for chunk in fixture.split("//- /").skip(1) {
        let (path, text) = chunk.split_once('\n').expect("a path line");
        if path.trim().ends_with(".toml") {
            glossary.extend(Glossary::parse(text).expect("the fixture's glossary parses"));
            continue;
        }
        files.push(cgloss_syntax::extract(path.trim(), text));
        texts.push((path.trim().to_string(), text.to_string()));
    }
    let index = cgloss_index::link(files);
    let mut out = Vec::new();
    for lang in langs {
        for id in index.all_functions() {
            let path = index.path(id);
            let text = &texts.iter().find(|(p, _)| p == path).expect("file").1;
            let f = index.function(id);
            let body = cgloss_syntax::lower_function(text, f);
            let report = render(&index, id, &body, &Options::new(lang, &glossary));
            check_spans(&report);
            let mut s = to_text(&report);
            for l in &report.body {
                for a in &l.ambiguous {
                    let at: Vec<&str> =
                        a.candidates.iter().map(|c| c.defined_at.as_str()).collect();
                    s.push_str(&format!(
                        "? {}: {} ambiguous: {}\n",
                        l.line,
                        a.symbol,
                        at.join(", ")
                    ));
                }
            }
            for d in &report.diagnostics {
                s.push_str(&format!("! {}:{}: {}\n", d.line, d.col, d.message));
            }
            out.push(s);
        }
    }
    out.join("\n")
}

#[test]
fn render_fixtures() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data/render")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 15, "fixtures missing: {}", entries.len());
    let mut failures = Vec::new();
    for path in entries {
        let fixture = std::fs::read_to_string(&path).expect("fixture");
        let actual = render_fixture(&fixture);
        let expect_path = path.with_extension("out");
        if update {
            std::fs::write(&expect_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expect_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}:\n{}",
                path.display(),
                line_diff(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "mismatches (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
}

fn line_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            out.push_str(&format!(
                "  line {}:\n  - {}\n  + {}\n",
                i + 1,
                x.unwrap_or(&"<none>"),
                y.unwrap_or(&"<none>")
            ));
        }
    }
    out
}

/// Every gloss of a line is shown by exactly one well-formed span, and the
/// span shows that gloss (or, for a global, its name).
fn check_spans(report: &cgloss_report::FunctionReport) {
    for line in &report.body {
        let mut last_end = 0;
        for span in &line.spans {
            assert!(span.start >= last_end && span.start <= span.end, "{line:?}");
            let shown = line
                .text
                .get(span.start..span.end)
                .expect("char boundaries");
            let g = &line.glosses[span.gloss];
            let name = g.symbol.rsplit('.').next().unwrap_or(&g.symbol);
            let matches = shown.to_lowercase().contains(&g.gloss.to_lowercase())
                || (g.kind == "idiom" && g.gloss.to_lowercase().contains(&shown.to_lowercase()))
                || shown.starts_with(&g.symbol)
                || shown.starts_with(&format!("{name} ("));
            assert!(matches, "span {shown:?} does not show {g:?}");
            last_end = span.end;
        }
        for (i, _) in line.glosses.iter().enumerate() {
            assert!(
                line.spans.iter().any(|s| s.gloss == i),
                "gloss {i} without span: {line:?}"
            );
        }
        assert!(!line.text.contains(['\u{E000}', '\u{E001}', '\u{E002}']));
    }
}
