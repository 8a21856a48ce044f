//! `cgloss glossary`: what a tree's Chinese reports leave untranslated, how
//! much the glossaries cover, checks of a glossary file, and translation by
//! an outside command.
//!
//! A *gloss occurrence* is one gloss shown in a Chinese report: a symbol
//! glossed on a body line (counted once per line), the function's summary,
//! a parameter's doc, or the summary of a caller, callee or referrer.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context};
use cgloss_report::{normalize, FunctionReport, Glossary, Lang, Options};
use rayon::prelude::*;

use crate::build::Tree;
use crate::messages::Messages;
use crate::Status;

/// Reads a glossary file; a format error names the file (and the line,
/// from the TOML parser).
pub fn read(path: &Path) -> anyhow::Result<Glossary> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    Glossary::parse(&text).with_context(|| format!("{}: not a glossary", path.display()))
}

/// The kinds of gloss occurrence `stats` counts apart, in its order.
const KINDS: [&str; 10] = [
    "member",
    "function",
    "macro",
    "enum constant",
    "global",
    "idiom",
    "summary",
    "parameter",
    "caller/callee",
    "other",
];

/// One distinct untranslated English gloss.
#[derive(Default)]
struct Missing {
    count: u64,
    /// An example: the symbol it glosses (empty for a parameter's doc) and
    /// where the doc is.
    symbol: String,
    at: String,
}

/// What the Chinese reports of a whole tree show.
#[derive(Default)]
struct Tally {
    /// (occurrences, translated) by kind, in `KINDS` order.
    by_kind: [(u64, u64); KINDS.len()],
    /// Untranslated glosses by normalized English text.
    missing: HashMap<String, Missing>,
    /// Every English gloss seen (normalized), translated or not, for
    /// `check --root`.
    seen: Option<HashMap<String, ()>>,
    functions: u64,
}

impl Tally {
    fn kind_index(kind: &str) -> usize {
        KINDS
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(KINDS.len() - 1)
    }

    fn add(&mut self, kind: &str, en: &str, translated: bool, symbol: &str, at: &str) {
        if en.is_empty() {
            return;
        }
        let k = &mut self.by_kind[Self::kind_index(kind)];
        k.0 += 1;
        if translated {
            k.1 += 1;
        }
        let key = normalize(en);
        if let Some(seen) = &mut self.seen {
            if !seen.contains_key(key.as_ref()) {
                seen.insert(key.clone().into_owned(), ());
            }
        }
        if !translated {
            let m = match self.missing.get_mut(key.as_ref()) {
                Some(m) => m,
                None => self.missing.entry(key.into_owned()).or_insert(Missing {
                    count: 0,
                    symbol: symbol.to_string(),
                    at: at.to_string(),
                }),
            };
            m.count += 1;
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            a.0 += b.0;
            a.1 += b.1;
        }
        for (k, m) in other.missing {
            let e = self.missing.entry(k).or_default();
            if e.count == 0 {
                e.symbol = m.symbol;
                e.at = m.at;
            }
            e.count += m.count;
        }
        if let (Some(a), Some(b)) = (&mut self.seen, other.seen) {
            a.extend(b);
        }
        self.functions += other.functions;
        self
    }

    /// Counts the glosses of one Chinese report.
    fn report(&mut self, r: &FunctionReport, glossary: &Glossary) {
        self.functions += 1;
        for line in &r.body {
            for g in &line.glosses {
                // An idiom is written in both languages: translated.
                let translated =
                    g.kind == "idiom" || glossary.translate(&g.symbol, &g.gloss_en).is_some();
                self.add(&g.kind, &g.gloss_en, translated, &g.symbol, &g.defined_at);
            }
        }
        if let Some(en) = &r.summary_en {
            let t = glossary.translate(&r.name, en).is_some();
            self.add("summary", en, t, &r.name, &format!("{}:{}", r.file, r.line));
        }
        for p in &r.params {
            if let Some(en) = &p.doc_en {
                let t = glossary.translate_text(en).is_some();
                self.add("parameter", en, t, "", &format!("{}:{}", r.file, r.line));
            }
        }
        for rel in r.callers.iter().chain(&r.callees).chain(&r.referenced_by) {
            if let Some(en) = &rel.summary_en {
                let idiom =
                    glossary.idiom(&rel.name, Lang::Zh).is_some() && rel.summary != rel.summary_en;
                let t = idiom || glossary.translate(&rel.name, en).is_some();
                let at = match (&rel.file, rel.line) {
                    (Some(f), Some(l)) => format!("{f}:{l}"),
                    _ => String::new(),
                };
                self.add("caller/callee", en, t, &rel.name, &at);
            }
        }
    }
}

/// Renders every function of the tree in Chinese and counts its glosses.
fn tally(tree: &Tree, glossary: &Glossary, keep_seen: bool, messages: &Messages) -> Tally {
    let index = &tree.index;
    let progress = messages.progress(
        index.files().len(),
        "{spinner} rendering {pos}/{len} files {wide_bar} {eta}",
    );
    let opts = Options::new(Lang::Zh, glossary);
    let fresh = || Tally {
        seen: keep_seen.then(HashMap::new),
        ..Tally::default()
    };
    let t = (0..index.files().len())
        .into_par_iter()
        .fold(fresh, |mut t, file_id| {
            if let Some(bodies) = crate::build::bodies(tree, file_id, messages) {
                for (idx, body) in bodies.iter().enumerate() {
                    let id = cgloss_index::FnId {
                        file: file_id as u32,
                        idx: idx as u32,
                    };
                    let r = cgloss_report::render(index, id, body, &opts);
                    t.report(&r, glossary);
                }
            }
            progress.inc();
            t
        })
        .reduce(fresh, Tally::merge);
    drop(progress);
    t
}

/// The untranslated glosses, most frequent first (then alphabetical).
fn missing_sorted(t: &Tally) -> Vec<(&str, &Missing)> {
    let mut v: Vec<(&str, &Missing)> = t.missing.iter().map(|(k, m)| (k.as_str(), m)).collect();
    v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
    v
}

/// `s` as a TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `cgloss glossary missing`: the tree's untranslated glosses as a
/// glossary file to fill in.
pub fn missing(
    tree: &Tree,
    glossary: &Glossary,
    limit: Option<usize>,
    out: Option<&Path>,
    messages: &Messages,
) -> anyhow::Result<Status> {
    let t = tally(tree, glossary, false, messages);
    let list = missing_sorted(&t);
    let total: u64 = t.by_kind.iter().map(|k| k.0).sum();
    let mut text = String::new();
    text.push_str(&format!(
        "# Untranslated glosses of this tree's Chinese reports, most frequent first:\n\
         # {} distinct, {} of {} gloss occurrences. Fill in the Chinese and pass the file\n\
         # with --glossary; an empty value is no entry. See docs/glossary.md.\n\n[glosses]\n",
        list.len(),
        list.iter().map(|(_, m)| m.count).sum::<u64>(),
        total
    ));
    for (en, m) in list.iter().take(limit.unwrap_or(usize::MAX)) {
        let what = if m.symbol.is_empty() {
            "a parameter".to_string()
        } else {
            m.symbol.clone()
        };
        let at = if m.at.is_empty() {
            String::new()
        } else {
            format!(", {}", m.at)
        };
        text.push_str(&format!(
            "# {} × {what}{at}\n{} = \"\"\n",
            m.count,
            quoted(en)
        ));
    }
    write_out(out, &text)?;
    Ok(Status::Ok)
}

fn write_out(out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("{}", p.display())),
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(text.as_bytes())?;
            o.flush()?;
            Ok(())
        }
    }
}

/// `cgloss glossary stats`: the share of gloss occurrences translated, by
/// kind.
pub fn stats(tree: &Tree, glossary: &Glossary, messages: &Messages) -> anyhow::Result<Status> {
    let t = tally(tree, glossary, false, messages);
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    let mut out = String::new();
    out.push_str(&format!(
        "functions rendered in Chinese: {}\nglossary: {} entries by gloss text, {} by symbol, {} terms\n\n",
        t.functions,
        glossary.glosses().len(),
        glossary.symbols().len(),
        glossary.terms().len()
    ));
    out.push_str(&format!(
        "{:<14} {:>12} {:>12} {:>7}\n",
        "kind", "occurrences", "translated", "share"
    ));
    let (mut all, mut done) = (0, 0);
    for (kind, (n, tr)) in KINDS.iter().zip(t.by_kind) {
        if n == 0 {
            continue;
        }
        all += n;
        done += tr;
        out.push_str(&format!(
            "{kind:<14} {n:>12} {tr:>12} {:>6.1}%\n",
            pct(tr, n)
        ));
    }
    out.push_str(&format!(
        "{:<14} {all:>12} {done:>12} {:>6.1}%\n\ndistinct untranslated glosses: {}\n",
        "all",
        pct(done, all),
        t.missing.len()
    ));
    write_out(None, &out)?;
    Ok(Status::Ok)
}

/// `cgloss glossary check FILE [--root DIR]`: format errors, entries the
/// same once normalized, terms used inconsistently and, with a tree,
/// entries whose English no longer occurs in its reports. Status 1 when
/// anything was found.
pub fn check(file: &Path, tree: Option<&Tree>, messages: &Messages) -> anyhow::Result<Status> {
    let text = std::fs::read_to_string(file).with_context(|| format!("{}", file.display()))?;
    let mut problems = match Glossary::lint(&text, Glossary::builtin().terms()) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(std::io::stdout(), "{}: {e}", file.display());
            return Ok(Status::NotFound);
        }
    };
    if let Some(tree) = tree {
        let g = Glossary::parse(&text)?;
        let t = tally(tree, &g, true, messages);
        let seen = t.seen.unwrap_or_default();
        let mut stale: Vec<&String> = g
            .glosses()
            .keys()
            .filter(|k| !seen.contains_key(k.as_str()))
            .collect();
        stale.sort();
        for k in stale {
            problems.push(format!("[glosses] {k:?}: no report of this tree shows it"));
        }
    }
    let mut out = std::io::stdout().lock();
    for p in &problems {
        writeln!(out, "{}: {p}", file.display())?;
    }
    if problems.is_empty() {
        writeln!(out, "{}: no problems", file.display())?;
        Ok(Status::Ok)
    } else {
        writeln!(out, "{}: {} problems", file.display(), problems.len())?;
        Ok(Status::NotFound)
    }
}

/// Kills a translator and everything in its process group.
fn stop(child: &mut std::process::Child) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
}

/// What `translate` needs besides the tree.
pub struct TranslateArgs<'a> {
    pub command: &'a str,
    pub limit: Option<usize>,
    pub timeout: Duration,
    pub out: &'a Path,
}

/// The first line of a file `translate` writes; a file without it is not
/// overwritten.
const TRANSLATED_HEADER: &str = "# Written by `cgloss glossary translate`";

/// `cgloss glossary translate`: sends the untranslated glosses, most
/// frequent first, one per line to a command's standard input and reads
/// one translation per line back, appending each to `out` at once; a
/// command that fails, stops answering for `timeout` or answers short
/// loses nothing already written, and running again goes on where it
/// stopped.
pub fn translate(
    tree: &Tree,
    glossary: &Glossary,
    args: &TranslateArgs<'_>,
    messages: &Messages,
) -> anyhow::Result<Status> {
    let mut glossary = glossary.clone();
    let previous = match std::fs::read_to_string(args.out) {
        Ok(text) => {
            if !text.starts_with(TRANSLATED_HEADER) {
                bail!(
                    "{}: exists and was not written by `cgloss glossary translate`; \
                     give another file",
                    args.out.display()
                );
            }
            glossary
                .extend(Glossary::parse(&text).with_context(|| format!("{}", args.out.display()))?);
            Some(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("{}", args.out.display())),
    };
    let t = tally(tree, &glossary, false, messages);
    let todo: Vec<String> = missing_sorted(&t)
        .into_iter()
        .take(args.limit.unwrap_or(usize::MAX))
        .map(|(en, _)| en.to_string())
        .collect();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(args.out)
        .with_context(|| format!("{}", args.out.display()))?;
    if previous.is_none() {
        writeln!(
            file,
            "{TRANSLATED_HEADER} (command: {}). Review before use.\n\n[glosses]",
            args.command.replace('\n', " ")
        )?;
    }
    if todo.is_empty() {
        messages.note("nothing left to translate");
        return Ok(Status::Ok);
    }
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(args.command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    // Its own process group, so that a timeout stops what it started too
    // (a `sleep` left holding our standard error would keep us waiting).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .with_context(|| format!("running {}", args.command))?;
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let input = todo.join("\n") + "\n";
    // Writing and reading at once: a translator that answers line by line
    // would otherwise fill its pipe and wait for us while we wait for it.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut written = 0usize;
    let mut answered = 0usize;
    let mut why_stopped = None;
    for en in &todo {
        match rx.recv_timeout(args.timeout) {
            Ok(zh) => {
                answered += 1;
                let zh = zh.trim();
                if zh.is_empty() {
                    continue;
                }
                writeln!(file, "{} = {}", quoted(en), quoted(zh))?;
                file.flush()?;
                written += 1;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                why_stopped = Some(format!(
                    "no answer for {}s; stopped it",
                    args.timeout.as_secs_f64()
                ));
                stop(&mut child);
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                why_stopped = Some("it closed its output".to_string());
                break;
            }
        }
    }
    let status = child.wait()?;
    let _ = writer.join();
    file.sync_all()?;
    let summary = format!(
        "{}: {written} translations written ({answered} of {} glosses answered)",
        args.out.display(),
        todo.len()
    );
    match why_stopped {
        None if status.success() => {
            messages.note(&summary);
            Ok(Status::Ok)
        }
        why => {
            let why = why.unwrap_or_else(|| format!("it exited with {status}"));
            bail!("the translator stopped early: {why}; {summary}; run again to go on")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_escape() {
        assert_eq!(quoted("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
        let g = Glossary::parse(&format!(
            "[glosses]\n{} = {}\n",
            quoted("x \"y\"\t"),
            quoted("译")
        ))
        .unwrap();
        assert_eq!(g.translate_text("x \"y\""), Some("译"));
    }
}
