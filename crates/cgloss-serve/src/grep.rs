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

/// Files searched at once: reading is what a search waits for, and a cold
/// page cache answers several reads at once faster than one after another.
const THREADS: usize = 8;
/// Files handed to the threads per round; results are merged in path order.
const BATCH: usize = 256;

/// What became of one file of a round.
enum Outcome {
    /// Not a file to read.
    Skipped,
    /// The deadline passed before it was read.
    Late,
    /// Its first matching lines; `true` when the deadline cut it short.
    Read(Vec<Hit>, bool),
}

fn hit(line: u64, text: &str) -> Hit {
    let text = text.trim_end_matches(['\n', '\r']);
    let mut end = text.len().min(MAX_LINE);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Hit {
        line,
        text: text[..end].to_string(),
    }
}

/// Searches `files` (relative paths, in order; `resolve` gives the file
/// to read for one, or `None` to skip it).
pub fn search(
    query: &Query,
    files: &mut dyn Iterator<Item = &str>,
    resolve: &(dyn Fn(&str) -> Option<std::path::PathBuf> + Sync),
) -> Result<Found, BadPattern> {
    let matcher = RegexMatcherBuilder::new()
        .case_insensitive(query.ignore_case)
        .fixed_strings(query.fixed)
        .size_limit(REGEX_SIZE)
        .dfa_size_limit(REGEX_SIZE)
        .line_terminator(Some(b'\n'))
        .build(query.pattern)
        .map_err(|e| BadPattern(e.to_string()))?;
    let files: Vec<&str> = files
        .filter(|rel| query.path_filter.is_none_or(|f| rel.contains(f)))
        .collect();
    let mut found = Found {
        files: Vec::new(),
        n_lines: 0,
        n_files_searched: 0,
        stopped: None,
    };
    // Matching lines met so far (those of earlier pages included).
    let mut seen = 0usize;
    'rounds: for batch in files.chunks(BATCH) {
        // No file can add more lines than this page still needs.
        let wanted = (query.skip + query.limit + 1).saturating_sub(seen);
        let slots: Vec<std::sync::Mutex<Option<Outcome>>> =
            batch.iter().map(|_| std::sync::Mutex::new(None)).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..THREADS.min(batch.len()) {
                scope.spawn(|| {
                    let mut searcher = SearcherBuilder::new()
                        .line_number(true)
                        .binary_detection(BinaryDetection::quit(0))
                        .build();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(rel) = batch.get(k) else { break };
                        let outcome = if Instant::now() >= query.deadline {
                            Outcome::Late
                        } else if let Some(abs) = resolve(rel) {
                            let (mut hits, mut cut) = (Vec::new(), false);
                            let sink = Lossy(|line: u64, text: &str| {
                                if Instant::now() >= query.deadline {
                                    cut = true;
                                    return Ok(false);
                                }
                                hits.push(hit(line, text));
                                Ok(hits.len() < wanted)
                            });
                            // An unreadable file is left out, as the indexer left it out.
                            let _ = searcher.search_path(&matcher, Path::new(&abs), sink);
                            Outcome::Read(hits, cut)
                        } else {
                            Outcome::Skipped
                        };
                        *slots[k].lock().expect("not poisoned") = Some(outcome);
                    }
                });
            }
        });
        for (rel, slot) in batch.iter().zip(slots) {
            let (hits, cut) = match slot.into_inner().expect("not poisoned") {
                Some(Outcome::Read(hits, cut)) => (hits, cut),
                Some(Outcome::Skipped) => continue,
                Some(Outcome::Late) | None => {
                    found.stopped = Some("time");
                    break 'rounds;
                }
            };
            found.n_files_searched += 1;
            let mut lines = Vec::new();
            for h in hits {
                seen += 1;
                if seen <= query.skip {
                    continue;
                }
                if found.n_lines + lines.len() == query.limit {
                    found.stopped = Some("limit");
                    break;
                }
                lines.push(h);
            }
            if !lines.is_empty() {
                found.n_lines += lines.len();
                found.files.push(FileHits {
                    path: rel.to_string(),
                    lines,
                });
            }
            if cut && found.stopped.is_none() {
                found.stopped = Some("time");
            }
            if found.stopped.is_some() {
                break 'rounds;
            }
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

    #[test]
    fn pages_across_rounds_keep_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<String> = (0..600).map(|i| format!("f{i:03}.c")).collect();
        for (i, f) in files.iter().enumerate() {
            let text = "x\nmatch one\nmatch two\n".repeat(1 + i % 3);
            std::fs::write(dir.path().join(f), text).unwrap();
        }
        let all = flat(
            &run(
                &Query {
                    limit: 100_000,
                    ..query("match")
                },
                dir.path(),
                &files,
            )
            .unwrap(),
        );
        assert_eq!(all.len(), 600 * 4);
        let mut paged = Vec::new();
        for page in 0..all.len().div_ceil(333) {
            let q = Query {
                skip: page * 333,
                limit: 333,
                ..query("match")
            };
            let found = run(&q, dir.path(), &files).unwrap();
            assert_eq!(
                found.stopped.is_some(),
                (page + 1) * 333 < all.len(),
                "page {page}"
            );
            paged.extend(flat(&found));
        }
        assert_eq!(paged, all);
    }
}
