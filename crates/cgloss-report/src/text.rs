//! The text form of a report (RENDERING.md §1).

use std::fmt::Write;

use crate::{FunctionReport, Related};

/// The report as text, every line ending in a newline.
pub fn to_text(r: &FunctionReport) -> String {
    let w = r.lang.words();
    let mut out = String::new();
    let _ = writeln!(out, "{}", w.title);
    let _ = writeln!(out, "{} {}:{}", w.source, r.file, r.line);
    let _ = writeln!(out, "{} {}", w.name, r.name);
    if let Some(summary) = &r.summary {
        let _ = writeln!(out, "{} {}", w.summary, summary);
    }
    let _ = writeln!(out, "{} {}", w.proto, r.proto);
    let _ = writeln!(out, "{} {}", w.ty, r.return_type);
    if r.params.is_empty() {
        let _ = writeln!(out, "{}", w.params_none);
    } else {
        let _ = writeln!(out, "{}", w.params);
        for p in &r.params {
            match &p.doc {
                Some(doc) => {
                    let _ = writeln!(out, "  {}: {}", p.declared, doc);
                }
                None => {
                    let _ = writeln!(out, "  {}", p.declared);
                }
            }
        }
    }
    let _ = writeln!(out, "{}", w.body);
    for l in &r.body {
        let _ = writeln!(
            out,
            "{}  {}{}",
            l.line,
            "  ".repeat(l.depth as usize),
            l.text
        );
    }
    for (label, rows) in [
        (w.callers, &r.callers),
        (w.callees, &r.callees),
        (w.referenced_by, &r.referenced_by),
    ] {
        related(&mut out, label, rows);
    }
    out
}

/// The report as text, with each statement's C under its rendered line
/// (`cgloss report --source`).
pub fn to_text_with_source(r: &FunctionReport) -> String {
    let mut with = r.clone();
    for l in &mut with.body {
        if !l.source.is_empty() && l.source != l.text {
            let indent = "  ".repeat(l.depth as usize);
            let pad = " ".repeat(l.line.to_string().len());
            l.text = format!("{}\n{pad}  {indent}| {}", l.text, l.source);
        }
    }
    to_text(&with)
}

/// A section of related functions: `LABEL (N):` then one row each.
pub(crate) fn related(out: &mut String, label: &str, rows: &[Related]) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "{label} ({}):", rows.len());
    for row in rows {
        let _ = write!(out, "  {}", row.name);
        if let (Some(file), Some(line)) = (&row.file, row.line) {
            let _ = write!(out, "  {file}:{line}");
            if let Some(s) = &row.summary {
                let _ = write!(out, "  {s}");
            }
        }
        out.push('\n');
    }
}
