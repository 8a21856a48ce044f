//! Shared by the fuzz targets (`fuzz/`) and the corpus regression test:
//! every stage on one file of arbitrary text, checking what must hold.

use cgloss_report::{render, to_json, to_text, Glossary, Lang, Options};

/// Extracts, links and renders every function of `text` in both languages,
/// as text and JSON. Panics if a rendered line lies outside its function.
pub fn render_everything(text: &str) {
    let facts = cgloss_syntax::extract("fuzz.c", text);
    let _ = facts.outline();
    let index = cgloss_index::link(vec![facts]);
    for id in index.all_functions() {
        let f = index.function(id);
        let body = cgloss_syntax::lower_function(text, f);
        for lang in [Lang::En, Lang::Zh] {
            let report = render(&index, id, &body, &Options::new(lang, Glossary::builtin()));
            for line in &report.body {
                assert!(
                    line.line >= f.start_line && line.line <= f.end_line,
                    "line {} outside {}..={}",
                    line.line,
                    f.start_line,
                    f.end_line
                );
            }
            let _ = to_text(&report);
            let _ = to_json(std::slice::from_ref(&report));
        }
    }
}
