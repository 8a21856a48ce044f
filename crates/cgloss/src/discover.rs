//! Finding the C files of a tree, and reading them: every problem becomes a
//! warning naming the path, and the run goes on.

use std::path::{Path, PathBuf};

use crate::messages::Messages;

/// A C file found under the root.
pub struct SourceFile {
    /// Absolute (or root-joined) path, for reading.
    pub abs: PathBuf,
    /// Path relative to the root, `/`-separated, for reports.
    pub rel: String,
}

fn is_c_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("c" | "h"))
}

/// Every `.c` and `.h` file under `root`, sorted by relative path. Hidden
/// files and what `.gitignore` excludes are skipped, as ripgrep does.
/// Symbolic links are followed; a loop or a dangling link is a warning.
pub fn discover(root: &Path, messages: &Messages) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .require_git(true)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if !is_file || !is_c_file(entry.path()) {
                    continue;
                }
                let abs = entry.path().to_path_buf();
                let rel = abs
                    .strip_prefix(root)
                    .unwrap_or(&abs)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                files.push(SourceFile { abs, rel });
            }
            Err(err) => {
                // A walk error (a loop, a dangling link, a folder that cannot
                // be read) names its path; keep the message on one line.
                let text = err.to_string().replace('\n', " ");
                messages.skip(&text);
            }
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

/// Reads a file as text: invalid UTF-8 is decoded lossily (with a warning
/// when `warn` is set, so each file is named once per run), so line numbers
/// stay intact. `None` (with a warning, and counted as skipped) when it
/// cannot be read or holds NUL bytes (a binary file named `.c`).
pub fn read_text(file: &SourceFile, messages: &Messages, warn: bool) -> Option<String> {
    match std::fs::read(&file.abs) {
        Ok(bytes) if memchr_nul(&bytes) => {
            if warn {
                messages.skip(&format!("{}: binary file (NUL byte), skipped", file.rel));
            }
            None
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(err) => {
                if warn {
                    let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                    let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
                    messages.warn(&format!(
                        "{}:{line}: invalid UTF-8, decoded lossily",
                        file.rel
                    ));
                }
                Some(String::from_utf8_lossy(err.as_bytes()).into_owned())
            }
        },
        Err(err) => {
            if warn {
                messages.skip(&format!("{}: {}", file.rel, err));
            }
            None
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}
