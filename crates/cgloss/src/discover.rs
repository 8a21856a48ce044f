//! Finding the C files of a tree, and reading them: every problem becomes a
//! warning naming the path, and the run goes on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::messages::Messages;

/// A C file found under the root.
pub struct SourceFile {
    /// Absolute (or root-joined) path, for reading.
    pub abs: PathBuf,
    /// Path relative to the root, `/`-separated, for reports.
    pub rel: String,
    /// Size in bytes when found.
    pub size: u64,
    /// Modification time when found, nanoseconds since the epoch.
    pub mtime_ns: i64,
}

/// The C files of a tree.
pub struct Discovered {
    /// Sorted by relative path.
    pub files: Vec<SourceFile>,
    /// Symbolic links (or files under linked folders) leading to a file
    /// of the tree that is also reached directly: left out, so each file
    /// is indexed once, under its real path.
    pub duplicate_links: usize,
}

fn is_c_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "h"))
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Every `.c` and `.h` file under `root`, sorted by relative path. Hidden
/// files and what `.gitignore` excludes are skipped, as ripgrep does.
/// Symbolic links are followed; a loop or a dangling link is a warning; a
/// link to a file inside the tree is left out (the file is found directly).
pub fn discover(root: &Path, messages: &Messages) -> Discovered {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // Folders reached through a link: everything under them is a link too.
    // A folder's entry is always seen before its children.
    let linked_dirs: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let found: Mutex<Vec<SourceFile>> = Mutex::new(Vec::new());
    let duplicate_links = AtomicUsize::new(0);
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .follow_links(true)
        .require_git(true)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        // A walk error (a loop, a dangling link, a folder that
                        // cannot be read) names its path; one line.
                        let text = err.to_string().replace('\n', " ");
                        errors.lock().expect("not poisoned").push(text);
                        return ignore::WalkState::Continue;
                    }
                };
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if is_dir && entry.path_is_symlink() {
                    let mut dirs = linked_dirs.lock().expect("not poisoned");
                    dirs.push(entry.path().to_path_buf());
                }
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if !is_file || !is_c_file(entry.path()) {
                    return ignore::WalkState::Continue;
                }
                let abs = entry.path().to_path_buf();
                let linked = entry.path_is_symlink() || {
                    let dirs = linked_dirs.lock().expect("not poisoned");
                    !dirs.is_empty() && dirs.iter().any(|d| abs.starts_with(d))
                };
                if linked {
                    let inside =
                        std::fs::canonicalize(&abs).is_ok_and(|c| c.starts_with(&canonical_root));
                    if inside {
                        duplicate_links.fetch_add(1, Ordering::Relaxed);
                        return ignore::WalkState::Continue;
                    }
                }
                let (size, mtime) = match entry.metadata() {
                    Ok(m) => (m.len(), mtime_ns(&m)),
                    Err(_) => (0, 0),
                };
                let rel = abs
                    .strip_prefix(root)
                    .unwrap_or(&abs)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                found.lock().expect("not poisoned").push(SourceFile {
                    abs,
                    rel,
                    size,
                    mtime_ns: mtime,
                });
                ignore::WalkState::Continue
            })
        });
    let mut errors = errors.into_inner().expect("not poisoned");
    errors.sort();
    for e in errors {
        messages.skip(&e);
    }
    let mut files = found.into_inner().expect("not poisoned");
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    Discovered {
        files,
        duplicate_links: duplicate_links.into_inner(),
    }
}

/// The size and modification time of a file now.
pub fn stat(path: &Path) -> Option<(u64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), mtime_ns(&m)))
}

/// Reads a file as text: invalid UTF-8 is decoded lossily (with a warning
/// when `warn` is set, so each file is named once per run), so line numbers
/// stay intact. `None` (with a warning, and counted as skipped) when it
/// cannot be read or holds NUL bytes (a binary file named `.c`).
pub fn read_text(file: &SourceFile, messages: &Messages, warn: bool) -> Option<String> {
    let decoded = std::fs::read(&file.abs)
        .map_err(|err| err.to_string())
        .and_then(|bytes| decode(&file.rel, bytes, messages, warn));
    match decoded {
        Ok(text) => Some(text),
        Err(reason) => {
            if warn {
                messages.skip(&format!("{}: {reason}", file.rel));
            }
            None
        }
    }
}

/// The text of a file's bytes (see `read_text`); the reason it cannot be
/// used otherwise.
pub fn decode(
    rel: &str,
    bytes: Vec<u8>,
    messages: &Messages,
    warn: bool,
) -> Result<String, String> {
    if bytes.contains(&0) {
        return Err("binary file (NUL byte), skipped".to_string());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            if warn {
                let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                messages.warn(&format!("{rel}:{line}: invalid UTF-8, decoded lossily"));
            }
            Ok(String::from_utf8_lossy(err.as_bytes()).into_owned())
        }
    }
}
