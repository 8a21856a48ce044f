//! Warnings on stderr in one format (`cgloss: warning: PATH[:LINE]: message`),
//! counted so the exit status can say whether anything went wrong.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The warning channel of a run.
#[derive(Default)]
pub struct Messages {
    quiet: bool,
    n_warnings: AtomicUsize,
}

impl Messages {
    /// A channel that prints unless `quiet`.
    pub fn new(quiet: bool) -> Messages {
        Messages {
            quiet,
            n_warnings: AtomicUsize::new(0),
        }
    }

    /// Prints one warning (already naming its path).
    pub fn warn(&self, message: &str) {
        self.n_warnings.fetch_add(1, Ordering::Relaxed);
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "cgloss: warning: {message}");
        }
    }

    /// How many warnings were given.
    pub fn n_warnings(&self) -> usize {
        self.n_warnings.load(Ordering::Relaxed)
    }
}
