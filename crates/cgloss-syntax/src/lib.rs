//! Parsing kernel C: the offset-preserving pre-pass, tree-sitter-c, and the
//! lowering of syntax trees into plain values (`FileFacts`, `FunctionBody`).
//!
//! A syntax tree never leaves this crate. Parsing never fails: broken C gives
//! facts for what parsed plus diagnostics.
#![warn(missing_docs)]

mod bodies;
mod directives;
mod docs;
mod extract;
mod highlight;
mod idioms;
pub mod lex;
mod lower;
mod macros;
mod prepass;
mod tree;

use std::cell::RefCell;

use cgloss_facts::{FileFacts, FunctionBody, FunctionFact};

pub use docs::{collapse, parse_kernel_doc, strip_markers};
pub use highlight::{highlight, Class, Highlight};
pub use prepass::prepass;

/// A parsed file: the original text and its tokens, the pre-passed text
/// (same length) and the tree of the latter.
pub(crate) struct Parse<'a> {
    pub original: &'a str,
    pub text: String,
    pub tree: tree_sitter::Tree,
    /// What the pre-pass left out (overlong lines).
    pub notes: Vec<cgloss_facts::Diagnostic>,
    /// The lexer's tokens of `original`.
    pub tokens: Vec<lex::Token>,
    /// The code tokens of `original` (with `declarations_only`; else empty).
    pub code: bodies::CodeTokens<'a>,
    /// Function bodies blanked before parsing, `(open, close)` sorted (with
    /// `declarations_only`; else empty).
    pub bodies: Vec<(usize, usize)>,
    /// File-scope initializers blanked before parsing, `(open, close)`
    /// sorted: their references are scanned from `original`.
    pub initializers: Vec<(usize, usize)>,
    /// `#if` alternatives of function headers the pre-pass blanked, sorted.
    pub alternatives: Vec<(usize, usize)>,
    /// Function headers whose macro words the pre-pass blanked, by name offset.
    pub headers: Vec<prepass::Header>,
}

impl Parse<'_> {
    /// The header recorded for the function or prototype named at byte `name`.
    pub fn header(&self, name: usize) -> Option<&prepass::Header> {
        let k = self.headers.binary_search_by_key(&name, |h| h.name).ok()?;
        Some(&self.headers[k])
    }
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

pub(crate) fn parse(original: &str) -> Option<Parse<'_>> {
    parse_with(original, lex::tokenize(original), false)
}

/// Parses `original` (whose tokens are `tokens`); with
/// `declarations_only`, function bodies are blanked first (see `bodies`),
/// which is what indexing needs and several times cheaper.
fn parse_with(
    original: &str,
    tokens: Vec<lex::Token>,
    declarations_only: bool,
) -> Option<Parse<'_>> {
    let (mut bytes, alternatives, headers) = prepass::prepass_tokens(original, &tokens);
    let mut initializers = Vec::new();
    let mut found_bodies = Vec::new();
    let mut code = Vec::new();
    if declarations_only {
        code = bodies::code_tokens(original, &tokens);
        let conds = bodies::conditionals(original, &tokens);
        let found = bodies::blankable(original.as_bytes(), &code, &conds);
        bodies::blank_bodies(&mut bytes, &found.bodies);
        bodies::blank_bodies(&mut bytes, &found.initializers);
        initializers = found.initializers;
        found_bodies = found.bodies;
    }
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
    let tree = tree_of(&text)?;
    Some(Parse {
        original,
        text,
        tree,
        notes,
        tokens,
        code,
        bodies: found_bodies,
        initializers,
        alternatives,
        headers,
    })
}

/// tree-sitter's tree of `text`, with this thread's parser.
pub(crate) fn tree_of(text: &str) -> Option<tree_sitter::Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let parser = slot.get_or_insert_with(|| {
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&tree_sitter_c::LANGUAGE.into())
                .expect("tree-sitter-c matches the tree-sitter version");
            parser
        });
        parser.parse(text, None)
    })
}

/// Extracts the facts of one file. `path` is the path relative to the root,
/// as it should appear in reports. Never fails: parse errors are counted in
/// the result. The text is lexed once; files of directives only skip
/// tree-sitter.
pub fn extract(path: &str, text: &str) -> FileFacts {
    let tokens = lex::tokenize(text);
    let directives = directives::scan(text, &tokens);
    if directives.only_directives {
        return directives::extract_directives_only(path, text, &tokens, directives);
    }
    extract_parsed(path, text, tokens, &directives)
}

/// `extract` through tree-sitter, whatever the file holds.
pub(crate) fn extract_parsed(
    path: &str,
    text: &str,
    tokens: Vec<lex::Token>,
    directives: &directives::Directives,
) -> FileFacts {
    match parse_with(text, tokens, true) {
        Some(parse) => extract::extract(path, &parse, directives),
        None => FileFacts {
            path: path.to_string(),
            n_lines: text.lines().count() as u32,
            includes: directives.includes.clone(),
            ..FileFacts::default()
        },
    }
}

/// Parses `text` again and lowers the body of `function` (a fact extracted
/// from the same text).
pub fn lower_function(text: &str, function: &FunctionFact) -> FunctionBody {
    let mut bodies = lower_functions(text, std::slice::from_ref(function));
    bodies
        .pop()
        .unwrap_or_else(|| verbatim_body(text, function))
}

/// Like `lower_function` for several functions of one file, parsing it once.
///
/// Extraction parses with bodies blanked, which can recover a definition
/// that a full parse of the file loses in surrounding errors; such a
/// function is parsed again alone (everything else blanked, offsets kept).
/// A definition no parse recovers is kept as source text, so the result
/// always has one body per function.
pub fn lower_functions(text: &str, functions: &[FunctionFact]) -> Vec<FunctionBody> {
    let parse = parse(text);
    functions
        .iter()
        .map(|f| {
            parse
                .as_ref()
                .and_then(|p| lower::lower_function(p, f.start_byte as usize, f.end_byte as usize))
                .or_else(|| lower_isolated(text, f))
                .unwrap_or_else(|| verbatim_body(text, f))
        })
        .collect()
}

/// The last resort for a definition no parse recovers: its lines kept as
/// source text, with a diagnostic, so every indexed function has a report.
fn verbatim_body(text: &str, f: &FunctionFact) -> FunctionBody {
    let end = (f.end_byte as usize).min(text.len());
    let start = (f.start_byte as usize).min(end);
    let first_line = f.start_line;
    // Offsets come from the index: a file rewritten since may put them
    // inside a character.
    let stmts = text
        .get(start..end)
        .unwrap_or("")
        .lines()
        .enumerate()
        .skip(1)
        .filter_map(|(k, l)| {
            let source = tree::clean(l);
            (!source.is_empty() && source != "{" && source != "}").then(|| cgloss_facts::Stmt {
                line: first_line + k as u32,
                end_line: first_line + k as u32,
                source: source.clone(),
                kind: cgloss_facts::StmtKind::Verbatim(source),
            })
        })
        .collect();
    FunctionBody {
        open_line: first_line,
        stmts,
        locals: Vec::new(),
        diagnostics: vec![cgloss_facts::Diagnostic {
            line: first_line,
            col: 1,
            message: "function did not parse, kept as source text".to_string(),
        }],
    }
}

fn lower_isolated(text: &str, f: &FunctionFact) -> Option<FunctionBody> {
    let (start, end) = (f.start_byte as usize, (f.end_byte as usize).min(text.len()));
    let mut bytes = text.as_bytes().to_vec();
    for (i, b) in bytes.iter_mut().enumerate() {
        if (i < start || i >= end) && *b != b'\n' {
            *b = b' ';
        }
    }
    // Blanking whole bytes outside a range that starts and ends on character
    // boundaries keeps the text valid UTF-8.
    let isolated = String::from_utf8(bytes).ok()?;
    let parse = parse(&isolated)?;
    lower::lower_function(&parse, start, end)
}

/// The tree-sitter S-expression of a file after the pre-pass (`--dump-tree`).
pub fn dump_tree(text: &str) -> String {
    parse(text)
        .map(|p| p.tree.root_node().to_sexp())
        .unwrap_or_default()
}
