//! Warnings on stderr in one format (`cgloss: warning: PATH[:LINE]: message`),
//! each said once per run, printed through the progress bar when one is
//! showing, with skipped inputs counted so the exit status can say that
//! work was lost.

use std::collections::HashSet;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar that warnings print through (see `Messages::progress`).
pub struct Progress<'m> {
    bar: ProgressBar,
    messages: &'m Messages,
}

impl Progress<'_> {
    /// One more step done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// The text shown as `{msg}`.
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        *self.messages.bar.lock().expect("not poisoned") = None;
    }
}

/// The warning channel of a run.
#[derive(Default)]
pub struct Messages {
    quiet: bool,
    n_warnings: AtomicUsize,
    n_skipped: AtomicUsize,
    /// Everything said so far: a warning is printed once.
    said: Mutex<HashSet<String>>,
    /// The progress bar on the terminal, if one is showing.
    bar: Mutex<Option<ProgressBar>>,
}

impl Messages {
    /// A channel that prints unless `quiet`.
    pub fn new(quiet: bool) -> Messages {
        Messages {
            quiet,
            ..Messages::default()
        }
    }

    /// Prints `line` on stderr, above the progress bar when one shows.
    fn print(&self, line: &str) {
        let bar = self.bar.lock().expect("not poisoned").clone();
        let write = || {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        };
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// A progress bar of `len` steps (`{pos}`/`{len}` in `template`,
    /// indicatif's syntax), shown on a terminal only; warnings print above
    /// it while it lives, and it clears itself when dropped.
    pub fn progress(&self, len: usize, template: &str) -> Progress<'_> {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(len as u64);
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            *self.bar.lock().expect("not poisoned") = Some(bar.clone());
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            bar,
            messages: self,
        }
    }

    /// Prints one warning (already naming its path), unless the same was
    /// said before in this run.
    pub fn warn(&self, message: &str) {
        if !self
            .said
            .lock()
            .expect("not poisoned")
            .insert(message.to_string())
        {
            return;
        }
        self.n_warnings.fetch_add(1, Ordering::Relaxed);
        if !self.quiet {
            self.print(&format!("cgloss: warning: {message}"));
        }
    }

    /// Prints a hint (`cgloss: note: …`), not counted as a warning.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            self.print(&format!("cgloss: note: {message}"));
        }
    }

    /// Warns about an input that could not be used (unreadable file, walk
    /// error); the run goes on but exits with status 2.
    pub fn skip(&self, message: &str) {
        self.n_skipped.fetch_add(1, Ordering::Relaxed);
        self.warn(message);
    }

    /// Whether warnings are silenced.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// How many distinct warnings were given.
    pub fn n_warnings(&self) -> usize {
        self.n_warnings.load(Ordering::Relaxed)
    }

    /// How many inputs were skipped.
    pub fn n_skipped(&self) -> usize {
        self.n_skipped.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::Messages;

    #[test]
    fn each_warning_once() {
        let m = Messages::new(true);
        m.warn("a.c:1: x");
        m.warn("a.c:1: x");
        m.warn("a.c:2: x");
        assert_eq!(m.n_warnings(), 2);
    }
}
