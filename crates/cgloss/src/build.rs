//! Building the index of a tree: discover, read and extract every file in
//! parallel (one tree-sitter parser per thread, trees dropped at once), then
//! link. A progress bar shows on a terminal only.

use std::path::Path;

use anyhow::Context;
use cgloss_index::Index;
use rayon::prelude::*;

use crate::discover::{discover, read_text, SourceFile};
use crate::messages::Messages;

/// A linked tree and the files it came from.
pub struct Tree {
    /// The index.
    pub index: Index,
    /// The files, sorted by relative path (the same order as `index.files()`).
    pub files: Vec<SourceFile>,
}

/// Discovers, extracts and links the C files under `root`.
pub fn build(root: &Path, messages: &Messages) -> Tree {
    let files = discover(root, messages).files;
    let progress = messages.progress(
        files.len(),
        "{spinner} indexing {pos}/{len} files {wide_bar} {eta}",
    );
    let facts: Vec<_> = files
        .par_iter()
        .filter_map(|file| {
            let text = read_text(file, messages, true);
            progress.inc();
            let facts = cgloss_syntax::extract(&file.rel, &text?);
            for d in &facts.diagnostics {
                messages.warn(&format!("{}:{}: {}", file.rel, d.line, d.message));
            }
            Some(facts)
        })
        .collect();
    drop(progress);
    let index = cgloss_index::link(facts);
    // Keep only files that were read, in index order.
    let files = files
        .into_iter()
        .filter(|f| index.file_id(&f.rel).is_some())
        .collect();
    Tree { index, files }
}

/// Links the facts of a persistent index, all read in one transaction (so
/// as one commit of a `cgloss index` running beside left them).
pub fn from_store(root: &Path, store: &cgloss_store::Store) -> anyhow::Result<Tree> {
    let index = cgloss_index::link(store.read(|s| s.load_all())?);
    let files = index
        .files()
        .iter()
        .map(|f| {
            let abs = root.join(&f.path);
            let (size, mtime_ns) = crate::discover::stat(&abs).unwrap_or((0, 0));
            SourceFile {
                abs,
                rel: f.path.clone(),
                size,
                mtime_ns,
            }
        })
        .collect();
    Ok(Tree { index, files })
}

/// The tree a whole-tree command reads: its persistent index when there is
/// one (`--index`, or the default one `cgloss index` made; updated first),
/// else the tree parsed now.
pub fn load(root: &Path, index: Option<&Path>, messages: &Messages) -> anyhow::Result<Tree> {
    let meta = std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
    if !meta.is_dir() {
        anyhow::bail!("{}: not a directory", root.display());
    }
    Ok(match crate::index::open_for_site(root, index, messages)? {
        Some(store) => from_store(root, &store)?,
        None => build(root, messages),
    })
}

/// The lowered bodies of the functions of file `file_id`, its text read
/// again; `None` (reported as a skipped file) when it cannot be read.
pub fn bodies(
    tree: &Tree,
    file_id: usize,
    messages: &Messages,
) -> Option<Vec<cgloss_facts::FunctionBody>> {
    let facts = &tree.index.files()[file_id];
    if facts.functions.is_empty() {
        return Some(Vec::new());
    }
    let Some(text) = read_text(&tree.files[file_id], messages, false) else {
        messages.skip(&format!("{}: could not be read again", facts.path));
        return None;
    };
    Some(cgloss_syntax::lower_functions(&text, &facts.functions))
}
