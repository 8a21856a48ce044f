//! Full-text and regex search over the tree's indexed files with ripgrep's
//! own crates (`grep-regex` on the `regex` crate: linear time in the size of
//! the text, patterns bounded in size), stopped at a number of matching
//! lines and at a deadline.

use std::path::Path;
use std::time::Instant;

use grep_regex::RegexMatcherBuilder;
use grep_searcher::{sinks::Lossy, BinaryDetection, SearcherBuilder};
use serde::Serialize;

/// Longest part of a matching line that a result shows.
const MAX_LINE: usize = 400;
/// Compiled size bound of a pattern (the `regex` crate's `size_limit`).
const REGEX_SIZE: usize = 4 << 20;

/// One search: what to find, where, and which page of results.
pub struct Query<'q> {
    /// A regular expression (Rust `regex` syntax), or a literal with `fixed`.
    pub pattern: &'q str,
    /// Take the pattern literally.
    pub fixed: bool,
    /// Ignore case.
    pub ignore_case: bool,
    /// Only files whose path holds this.
    pub path_filter: Option<&'q str>,
    /// Matching lines to skip (earlier pages).
    pub skip: usize,
    /// Matching lines to give at most.
    pub limit: usize,
    /// Stop looking then.
    pub deadline: Instant,
}

/// Matching lines of one file.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct FileHits {
    /// The file, relative to the root.
    pub path: String,
    /// `(line, text)`, by line.
    pub lines: Vec<Hit>,
}

/// One matching line.
#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line number.
    pub line: u64,
    /// The line, without its end, cut to a few hundred bytes.
    pub text: String,
}

/// The results of one search.
#[derive(Serialize, Debug)]
pub struct Found {
    /// The page's matching lines grouped by file, in path order.
    pub files: Vec<FileHits>,
    /// Matching lines on this page.
    pub n_lines: usize,
    /// Files searched.
    pub n_files_searched: usize,
    /// Why the search stopped before the end of the tree: `"limit"` (more
    /// results follow: ask for the next page) or `"time"` (the deadline
    /// passed; the results are those found so far).
    pub stopped: Option<&'static str>,
}

/// A pattern that cannot be searched for.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadPattern(String);

/// Searches `files` (relative paths, in order; `resolve` gives the file
/// to read for one, or `None` to skip it).
pub fn search(
    query: &Query,
    files: &mut dyn Iterator<Item = &str>,
    resolve: &dyn Fn(&str) -> Option<std::path::PathBuf>,
) -> Result<Found, BadPattern> {
    let matcher = RegexMatcherBuilder::new()
        .case_insensitive(query.ignore_case)
        .fixed_strings(query.fixed)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .line_terminator(Some(b'\n'))
        .build(query.pattern)
        .map_err(|e| BadPattern(e.to_string()))?;
    let mut searcher = SearcherBuilder::new()
        .line_number(true)
        .binary_detection(BinaryDetection::quit(0))
        .build();
    let mut found = Found {
        files: Vec::new(),
        n_lines: 0,
        n_files_searched: 0,
        stopped: None,
    };
    let mut seen = 0usize;
    for rel in files {
        if query.path_filter.is_some_and(|f| !rel.contains(f)) {
            continue;
        }
        if Instant::now() >= query.deadline {
            found.stopped = Some("time");
            break;
        }
        let Some(abs) = resolve(rel) else {
            continue;
        };
        found.n_files_searched += 1;
        let mut lines = Vec::new();
        let mut stop = None;
        let sink = Lossy(|line: u64, text: &str| {
            seen += 1;
            if seen <= query.skip {
                return Ok(true);
            }
            if found.n_lines + lines.len() == query.limit {
                stop = Some("limit");
                return Ok(false);
            }
            if Instant::now() >= query.deadline {
                stop = Some("time");
                return Ok(false);
            }
            let text = text.trim_end_matches(['\n', '\r']);
            let mut end = text.len().min(MAX_LINE);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            lines.push(Hit {
                line,
                text: text[..end].to_string(),
            });
            Ok(true)
        });
        // An unreadable file is left out, as the indexer left it out.
        let _ = searcher.search_path(&matcher, Path::new(&abs), sink);
        if !lines.is_empty() {
            found.n_lines += lines.len();
            found.files.push(FileHits {
                path: rel.to_string(),
                lines,
            });
        }
        if stop.is_some() {
            found.stopped = stop;
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tree() -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("kernel")).unwrap();
        std::fs::write(
            dir.path().join("kernel/exit.c"),
            "int x;\nSYSCALL_DEFINE1(exit, int, error_code)\n{\n}\nSYSCALL_DEFINE1(exit_group, int, c)\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.c"), "/* exit here */\nint exit;\n").unwrap();
        (dir, vec!["a.c".to_string(), "kernel/exit.c".to_string()])
    }

    fn run(q: &Query, dir: &Path, files: &[String]) -> Result<Found, BadPattern> {
        search(q, &mut files.iter().map(String::as_str), &|rel| {
            Some(dir.join(rel))
        })
    }

    fn query(pattern: &str) -> Query<'_> {
        Query {
            pattern,
            fixed: false,
            ignore_case: false,
            path_filter: None,
            skip: 0,
            limit: 100,
            deadline: Instant::now() + Duration::from_secs(10),
        }
    }

    fn flat(found: &Found) -> Vec<String> {
        found
            .files
            .iter()
            .flat_map(|f| {
                f.lines
                    .iter()
                    .map(move |h| format!("{}:{}: {}", f.path, h.line, h.text))
            })
            .collect()
    }

    #[test]
    fn regex_grouped_by_file_in_path_order() {
        let (dir, files) = tree();
        let found = run(&query(r"SYSCALL_DEFINE1\(exit"), dir.path(), &files).unwrap();
        assert_eq!(
            flat(&found),
            [
                "kernel/exit.c:2: SYSCALL_DEFINE1(exit, int, error_code)",
                "kernel/exit.c:5: SYSCALL_DEFINE1(exit_group, int, c)",
            ]
        );
        assert_eq!(found.stopped, None);
        let found = run(&query(r"\bexit\b"), dir.path(), &files).unwrap();
        assert_eq!(found.files.len(), 2);
        assert_eq!(found.files[0].path, "a.c");
    }

    #[test]
    fn pages_filter_and_bad_patterns() {
        let (dir, files) = tree();
        let all = flat(&run(&query("exit"), dir.path(), &files).unwrap());
        assert_eq!(all.len(), 4);
        let first = run(
            &Query {
                limit: 3,
                ..query("exit")
            },
            dir.path(),
            &files,
        )
        .unwrap();
        assert_eq!(first.stopped, Some("limit"));
        let rest = run(
            &Query {
                skip: 3,
                ..query("exit")
            },
            dir.path(),
            &files,
        )
        .unwrap();
        assert_eq!([flat(&first), flat(&rest)].concat(), all);
        let only = run(
            &Query {
                path_filter: Some("kernel/"),
                ..query("exit")
            },
            dir.path(),
            &files,
        )
        .unwrap();
        assert!(flat(&only).iter().all(|l| l.starts_with("kernel/")));
        let fixed = run(
            &Query {
                fixed: true,
                ..query("DEFINE1(exit,")
            },
            dir.path(),
            &files,
        )
        .unwrap();
        assert_eq!(fixed.n_lines, 1);
        assert!(run(&query("(unclosed"), dir.path(), &files).is_err());
        assert!(run(&query("x{100000}{100000}"), dir.path(), &files).is_err());
        let late = Query {
            deadline: Instant::now(),
            ..query("exit")
        };
        assert_eq!(
            run(&late, dir.path(), &files).unwrap().stopped,
            Some("time")
        );
    }
}
