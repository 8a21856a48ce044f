//! `cgloss check`: index a tree, render every function in both languages and
//! print what was found. A crash anywhere in the pipeline shows up here first.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use cgloss_report::Lang;
use rayon::prelude::*;

use crate::messages::Messages;
use crate::Status;

#[derive(Default)]
struct Counts {
    functions: usize,
    documented: usize,
    with_errors: usize,
    lines: usize,
    glossed_lines: usize,
    verbatim_lines: usize,
}

impl Counts {
    fn add(mut self, o: Counts) -> Counts {
        self.functions += o.functions;
        self.documented += o.documented;
        self.with_errors += o.with_errors;
        self.lines += o.lines;
        self.glossed_lines += o.glossed_lines;
        self.verbatim_lines += o.verbatim_lines;
        self
    }
}

pub fn check(
    root: &Path,
    print_diagnostics: bool,
    reports_to: Option<&Path>,
    glossary: &cgloss_report::Glossary,
    messages: &Messages,
) -> anyhow::Result<Status> {
    std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
    let start = Instant::now();
    let tree = crate::build::build(root, messages);
    let index = &tree.index;
    let indexed = start.elapsed();
    let (counts, texts): (Vec<Counts>, Vec<String>) = (0..index.files().len())
        .into_par_iter()
        .map(|file_id| {
            let facts = &index.files()[file_id];
            let mut c = Counts::default();
            let mut written = String::new();
            let Some(bodies) = crate::build::bodies(&tree, file_id, messages) else {
                return (c, written);
            };
            for (idx, body) in bodies.iter().enumerate() {
                let id = cgloss_index::FnId {
                    file: file_id as u32,
                    idx: idx as u32,
                };
                c.functions += 1;
                if index.function_doc(id).is_some() {
                    c.documented += 1;
                }
                if !body.diagnostics.is_empty() {
                    c.with_errors += 1;
                }
                if print_diagnostics {
                    for d in &body.diagnostics {
                        messages.warn(&format!(
                            "{}:{}: {} (in {})",
                            facts.path, d.line, d.message, facts.functions[idx].name
                        ));
                    }
                }
                for lang in [Lang::En, Lang::Zh] {
                    let opts = cgloss_report::Options::new(lang, glossary);
                    let report = cgloss_report::render(index, id, body, &opts);
                    if lang == Lang::En && reports_to.is_some() {
                        written.push_str(&cgloss_report::to_text(&report));
                        written.push('\n');
                    }
                    if lang == Lang::En {
                        c.lines += report.body.len();
                        c.glossed_lines +=
                            report.body.iter().filter(|l| !l.glosses.is_empty()).count();
                        c.verbatim_lines += report
                            .body
                            .iter()
                            .filter(|l| !report.diagnostics.is_empty() && l.text == l.source)
                            .count();
                    }
                }
            }
            (c, written)
        })
        .unzip();
    let counts = counts.into_iter().fold(Counts::default(), Counts::add);
    if let Some(path) = reports_to {
        std::fs::write(path, texts.concat()).with_context(|| format!("{}", path.display()))?;
    }
    let n_error_files = index
        .files()
        .iter()
        .filter(|f| f.n_syntax_errors > 0)
        .count();
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "files: {} ({} with syntax errors, {:.1}%)",
        index.files().len(),
        n_error_files,
        pct(n_error_files, index.files().len())
    )?;
    writeln!(
        out,
        "functions: {} ({} documented, {:.1}%)",
        counts.functions,
        counts.documented,
        pct(counts.documented, counts.functions)
    )?;
    writeln!(
        out,
        "functions whose body had parse errors: {} ({:.1}%)",
        counts.with_errors,
        pct(counts.with_errors, counts.functions)
    )?;
    writeln!(
        out,
        "rendered lines: {} ({} with a gloss, {} kept as source)",
        counts.lines, counts.glossed_lines, counts.verbatim_lines
    )?;
    writeln!(
        out,
        "time: index {:.2}s, total {:.2}s",
        indexed.as_secs_f64(),
        start.elapsed().as_secs_f64()
    )?;
    Ok(Status::Ok)
}
