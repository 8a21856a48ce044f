//! Warnings on stderr in one format (`cgloss: warning: PATH[:LINE]: message`),
//! with skipped inputs counted so the exit status can say that work was lost.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The warning channel of a run.
#[derive(Default)]
pub struct Messages {
    quiet: bool,
    n_warnings: AtomicUsize,
    n_skipped: AtomicUsize,
}

impl Messages {
    /// A channel that prints unless `quiet`.
    pub fn new(quiet: bool) -> Messages {
        Messages {
            quiet,
            n_warnings: AtomicUsize::new(0),
            n_skipped: AtomicUsize::new(0),
        }
    }

    /// Prints one warning (already naming its path).
    pub fn warn(&self, message: &str) {
        self.n_warnings.fetch_add(1, Ordering::Relaxed);
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "cgloss: warning: {message}");
        }
    }

    /// Prints a hint (`cgloss: note: …`), not counted as a warning.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "cgloss: note: {message}");
        }
    }

    /// Warns about an input that could not be used (unreadable file, walk
    /// error); the run goes on but exits with status 2.
    pub fn skip(&self, message: &str) {
        self.n_skipped.fetch_add(1, Ordering::Relaxed);
        self.warn(message);
    }

    /// How many warnings were given.
    pub fn n_warnings(&self) -> usize {
        self.n_warnings.load(Ordering::Relaxed)
    }

    /// How many inputs were skipped.
    pub fn n_skipped(&self) -> usize {
        self.n_skipped.load(Ordering::Relaxed)
    }
}
