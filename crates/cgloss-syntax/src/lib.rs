//! Parsing kernel C: the offset-preserving pre-pass, tree-sitter-c, and the
//! lowering of syntax trees into plain values (`FileFacts`, `FunctionBody`).
//!
//! A syntax tree never leaves this crate. Parsing never fails: broken C gives
//! facts for what parsed plus diagnostics.
#![warn(missing_docs)]

mod docs;
mod extract;
mod kernel;
mod lower;
mod prepass;
mod tree;

use std::cell::RefCell;

use cgloss_facts::{FileFacts, FunctionBody};

pub use docs::{collapse, parse_kernel_doc, strip_markers};
pub use prepass::prepass;

/// A parsed file: the original text, the pre-passed text (same length) and
/// the tree of the latter.
pub(crate) struct Parse<'a> {
    pub original: &'a str,
    pub text: String,
    pub tree: tree_sitter::Tree,
    /// What the pre-pass left out (overlong lines).
    pub notes: Vec<cgloss_facts::Diagnostic>,
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

pub(crate) fn parse(original: &str) -> Option<Parse<'_>> {
    let mut bytes = prepass(original.as_bytes());
    let notes = prepass::blank_long_lines(&mut bytes)
        .into_iter()
        .map(|line| cgloss_facts::Diagnostic {
            line,
            col: 1,
            message: format!(
                "line longer than {} bytes: its {{ … }} was not parsed",
                prepass::LONG_LINE
            ),
        })
        .collect();
    let text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&tree_sitter_c::LANGUAGE.into())
                .expect("tree-sitter-c matches the tree-sitter version");
            parser
        });
        parser.parse(&text, None)
    })?;
    Some(Parse {
        original,
        text,
        tree,
        notes,
    })
}

/// Extracts the facts of one file. `path` is the path relative to the root,
/// as it should appear in reports. Never fails: parse errors are counted in
/// the result.
pub fn extract(path: &str, text: &str) -> FileFacts {
    match parse(text) {
        Some(parse) => extract::extract(path, &parse),
        None => FileFacts {
            path: path.to_string(),
            n_lines: text.lines().count() as u32,
            ..FileFacts::default()
        },
    }
}

/// Parses `text` again and lowers the body of the function definition that
/// starts at byte `start_byte` (as recorded in its `FunctionFact`).
pub fn lower_function(text: &str, start_byte: u32) -> Option<FunctionBody> {
    let parse = parse(text)?;
    lower::lower_function(&parse, start_byte as usize)
}

/// Like `lower_function` for several functions of one file, parsing it once.
pub fn lower_functions(text: &str, start_bytes: &[u32]) -> Vec<Option<FunctionBody>> {
    match parse(text) {
        Some(parse) => start_bytes
            .iter()
            .map(|&start| lower::lower_function(&parse, start as usize))
            .collect(),
        None => start_bytes.iter().map(|_| None).collect(),
    }
}

/// The tree-sitter S-expression of a file after the pre-pass (`--dump-tree`).
pub fn dump_tree(text: &str) -> String {
    parse(text)
        .map(|p| p.tree.root_node().to_sexp())
        .unwrap_or_default()
}
