//! The text form of a report (RENDERING.md §1).

use std::fmt::Write;

use crate::FunctionReport;

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
    for (label, rows) in [(w.callers, &r.callers), (w.callees, &r.callees)] {
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{label}");
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
    out
}
