//! `cgloss site`: write the static website of a tree into an output folder.
//!
//! Only this module writes files. It refuses an output folder inside the
//! root, or one holding files it did not write (`--force` overrides both);
//! it records what it wrote in `OUT/.cgloss-site` and removes, on the next
//! run, pages that are no longer produced.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use cgloss_html::{Page, Site, SiteConfig};
use cgloss_index::FnId;
use cgloss_report::Lang;
use rayon::prelude::*;

use crate::messages::Messages;
use crate::Status;

/// Name of the file listing what a previous run wrote.
const MARKER: &str = ".cgloss-site";

/// Options of `cgloss site`.
pub struct SiteArgs {
    pub root: PathBuf,
    pub out: PathBuf,
    pub langs: Vec<Lang>,
    pub title: Option<String>,
    pub force: bool,
    pub index: Option<PathBuf>,
    pub glossary: cgloss_report::Glossary,
    /// Also write the source view of every file (`source/…`).
    pub source: bool,
}

struct Writer {
    out: PathBuf,
    written: Mutex<Vec<String>>,
    n_pages: AtomicUsize,
    n_bytes: AtomicU64,
}

impl Writer {
    fn write(&self, page: &Page) -> anyhow::Result<()> {
        let rel = Path::new(&page.path);
        // Paths come from cgloss-html, which escapes every name; refuse
        // anything that could leave the output folder all the same.
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            bail!("refusing to write outside the output folder: {}", page.path);
        }
        let path = self.out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("{}", parent.display()))?;
        }
        std::fs::write(&path, &page.bytes).with_context(|| format!("{}", path.display()))?;
        self.n_pages.fetch_add(1, Ordering::Relaxed);
        self.n_bytes
            .fetch_add(page.bytes.len() as u64, Ordering::Relaxed);
        self.written
            .lock()
            .expect("not poisoned")
            .push(page.path.clone());
        Ok(())
    }
}

/// The title from a kernel `Makefile` (`Linux v5.5.9`), else the folder name.
fn default_title(root: &Path) -> String {
    if let Ok(makefile) = std::fs::read_to_string(root.join("Makefile")) {
        let var = |name: &str| {
            makefile.lines().take(20).find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        if let (Some(v), Some(p), Some(s)) = (var("VERSION"), var("PATCHLEVEL"), var("SUBLEVEL")) {
            let extra = var("EXTRAVERSION").unwrap_or_default();
            return format!("Linux v{v}.{p}.{s}{extra}");
        }
    }
    root.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "cgloss".to_string())
}

/// `YYYY-MM-DD HH:MM:SS UTC` of a Unix time.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The generation date: `SOURCE_DATE_EPOCH` when set, else now.
fn generation_time() -> anyhow::Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH is not a number: {v}")),
        Err(_) => Ok(SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)),
    }
}

/// Commit time of the last commit touching each path, when `root` is a git
/// checkout (paths relative to the root).
fn git_dates(root: &Path) -> Option<HashMap<String, i64>> {
    if !root.join(".git").exists() {
        return None;
    }
    let prefix = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--show-prefix"])
        .output()
        .ok()?;
    let prefix = String::from_utf8_lossy(&prefix.stdout).trim().to_string();
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--format=%x00%ct",
            "--name-only",
            "--no-renames",
            "--",
            ".",
        ])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut dates = HashMap::new();
    let mut current = 0i64;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(t) = line.strip_prefix('\0') {
            current = t.trim().parse().unwrap_or(0);
        } else if !line.is_empty() {
            let rel = line.strip_prefix(&prefix).unwrap_or(line);
            dates.entry(rel.to_string()).or_insert(current);
        }
    }
    Some(dates)
}

/// The generation date of a site, formatted.
pub fn generated() -> anyhow::Result<String> {
    Ok(format_utc(generation_time()?))
}

/// What every page of the site of the files `rels` (relative paths, sorted)
/// shares: its title (`title`, else from the tree), languages, generation
/// date and each file's last change (its last commit in a git checkout,
/// else its mtime), and whether it has a source view.
pub fn config<'a>(
    root: &Path,
    title: Option<&str>,
    langs: &[Lang],
    rels: impl Iterator<Item = &'a str>,
    generated: String,
    source: bool,
) -> SiteConfig {
    let git = git_dates(root);
    let modified = rels
        .map(|rel| {
            let secs = git.as_ref().and_then(|d| d.get(rel).copied()).or_else(|| {
                let m = std::fs::metadata(root.join(rel)).ok()?.modified().ok()?;
                Some(m.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64)
            });
            secs.map(format_utc).unwrap_or_default()
        })
        .collect();
    SiteConfig {
        title: title.map_or_else(|| default_title(root), str::to_string),
        langs: langs.to_vec(),
        generated,
        modified,
        source,
    }
}

fn check_out_dir(args: &SiteArgs) -> anyhow::Result<Option<BTreeSet<String>>> {
    let root = args
        .root
        .canonicalize()
        .with_context(|| format!("{}", args.root.display()))?;
    // The output folder may not exist yet, nor some of its parents: resolve
    // the nearest existing ancestor and append the rest.
    let absolute =
        std::path::absolute(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        rest.push(existing.file_name().unwrap_or_default().to_owned());
        existing = existing.parent().unwrap_or(Path::new("/"));
    }
    let mut out_abs = existing
        .canonicalize()
        .with_context(|| format!("{}", existing.display()))?;
    out_abs.extend(rest.iter().rev());
    if out_abs.starts_with(&root) && !args.force {
        bail!(
            "{}: the output folder is inside the root {}; choose another or pass --force",
            args.out.display(),
            root.display()
        );
    }
    if !args.out.exists() {
        return Ok(None);
    }
    if !args.out.is_dir() {
        bail!("{}: not a directory", args.out.display());
    }
    let marker = args.out.join(MARKER);
    match std::fs::read_to_string(&marker) {
        Ok(list) => Ok(Some(list.lines().map(str::to_string).collect())),
        Err(_) => {
            let empty = std::fs::read_dir(&args.out)
                .with_context(|| format!("{}", args.out.display()))?
                .next()
                .is_none();
            if !empty && !args.force {
                bail!(
                    "{}: holds files cgloss did not write; choose an empty folder or pass --force",
                    args.out.display()
                );
            }
            Ok(None)
        }
    }
}

pub fn site(args: SiteArgs, messages: &Messages) -> anyhow::Result<Status> {
    let start = Instant::now();
    let meta = std::fs::metadata(&args.root).with_context(|| format!("{}", args.root.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a directory", args.root.display());
    }
    let previous = check_out_dir(&args)?;
    let generated = generated()?;
    let tree = match crate::index::open_for_site(&args.root, args.index.as_deref(), messages)? {
        Some(store) => crate::build::from_store(&args.root, &store)?,
        None => crate::build::build(&args.root, messages),
    };
    let index = &tree.index;
    let site = Site::new(
        index,
        config(
            &args.root,
            args.title.as_deref(),
            &args.langs,
            tree.files.iter().map(|f| f.rel.as_str()),
            generated,
            args.source,
        ),
    );
    // The source view links names as `cgloss serve`'s does: from every name.
    let names = args.source.then(|| cgloss_serve::Names::new(index));
    let writer = Writer {
        out: args.out.clone(),
        written: Mutex::new(Vec::new()),
        n_pages: AtomicUsize::new(0),
        n_bytes: AtomicU64::new(0),
    };
    std::fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    for page in site.assets() {
        writer.write(&page)?;
    }
    site.write_search(&args.glossary, &mut |page| writer.write(&page))?;
    for &lang in site.langs() {
        for page in site.folder_pages(lang) {
            writer.write(&page)?;
        }
    }
    let progress = messages.progress(
        index.files().len(),
        "{spinner} pages: {pos}/{len} files {wide_bar} {msg}",
    );
    let n_functions = AtomicUsize::new(0);
    let n_with_errors = AtomicUsize::new(0);
    (0..index.files().len())
        .into_par_iter()
        .try_for_each(|file_id| -> anyhow::Result<()> {
            let file_id = file_id as u32;
            for &lang in site.langs() {
                writer.write(&site.file_page(file_id, lang))?;
            }
            let facts = index.file(file_id);
            if let Some(names) = &names {
                let entry = &tree.files[file_id as usize];
                match crate::discover::read_text(entry, messages, false) {
                    Some(text) => {
                        let spans = cgloss_serve::spans(
                            &site,
                            index,
                            names,
                            site.files(),
                            file_id,
                            file_id,
                            &text,
                        );
                        writer.write(&site.source_page(file_id, &text, &spans))?;
                    }
                    None => messages.skip(&format!("{}: could not be read again", facts.path)),
                }
            }
            if let Some(bodies) = crate::build::bodies(&tree, file_id as usize, messages) {
                n_functions.fetch_add(bodies.len(), Ordering::Relaxed);
                for (idx, body) in bodies.iter().enumerate() {
                    let id = FnId {
                        file: file_id,
                        idx: idx as u32,
                    };
                    if !body.diagnostics.is_empty() {
                        n_with_errors.fetch_add(1, Ordering::Relaxed);
                    }
                    for d in &body.diagnostics {
                        messages.warn(&format!(
                            "{}:{}: {} (in {})",
                            facts.path, d.line, d.message, facts.functions[idx].name
                        ));
                    }
                    for &lang in site.langs() {
                        let opts = cgloss_report::Options::new(lang, &args.glossary);
                        let report = cgloss_report::render(index, id, body, &opts);
                        writer.write(&site.function_page(id, &report))?;
                    }
                }
            }
            progress.inc();
            progress.set_message(format!("{} pages", writer.n_pages.load(Ordering::Relaxed)));
            Ok(())
        })?;
    drop(progress);
    let mut written = writer.written.into_inner().expect("not poisoned");
    written.sort();
    if let Some(previous) = previous {
        let now: BTreeSet<&str> = written.iter().map(String::as_str).collect();
        for stale in previous.iter().filter(|p| !now.contains(p.as_str())) {
            let rel = Path::new(stale);
            if rel.components().all(|c| matches!(c, Component::Normal(_))) {
                let _ = std::fs::remove_file(args.out.join(rel));
            }
        }
    }
    let mut marker = written.join("\n");
    marker.push('\n');
    std::fs::write(args.out.join(MARKER), marker)?;
    let n_pages = writer.n_pages.load(Ordering::Relaxed);
    let n_bytes = writer.n_bytes.load(Ordering::Relaxed);
    let n_functions = n_functions.into_inner();
    let n_with_errors = n_with_errors.into_inner();
    let _ = writeln!(
        std::io::stderr(),
        "cgloss: wrote {n_pages} pages ({:.1} MB) to {} in {:.1}s, {} warnings; \
         {n_functions} functions, {n_with_errors} ({:.2}%) with parse errors in their body",
        n_bytes as f64 / 1e6,
        args.out.display(),
        start.elapsed().as_secs_f64(),
        messages.n_warnings(),
        100.0 * n_with_errors as f64 / n_functions.max(1) as f64
    );
    Ok(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::format_utc;

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_584_022_729), "2020-03-12 14:18:49 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }
}
