//! The lexer's comments and string/character literals agree with
//! tree-sitter-c's wherever tree-sitter parsed without error: on generated
//! inputs (proptest), on a sample of the kernel fixture, and on any trees
//! named in `CGLOSS_LEX_CORPUS` (paths separated by `:`; `bench/corpus.sh`
//! passes its vendored trees).
//!
//! "Without error" is judged per top-level node: the bytes of every child of
//! the translation unit that holds no ERROR or MISSING node are compared, so
//! one unparsed macro does not exclude the rest of a file. Inside a
//! directive's raw text (`preproc_arg`: a `#define` body, `#error` text)
//! tree-sitter has no tokens, so lexer tokens there are not compared; and a
//! `/*` inside a string or a `//` comment there (`#define TAGS
//! "refs/tags/*:refs/tags/*"`, `#define MASK 0x1f //0x1f /* at 0xc */`)
//! opens a comment for tree-sitter, whose directive text is a regex that
//! knows neither: such a directive is not compared either.

use std::path::{Path, PathBuf};

use cgloss_syntax::lex::{Kind, Token};
use proptest::prelude::*;

/// What is compared: a comment or a literal and its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Lexeme {
    Comment,
    Str,
    Char,
}

type Item = (usize, usize, Lexeme);

/// tree-sitter's comments and literals, and the byte ranges that parsed
/// without error and are not raw directive text.
fn tree_sitter_items(text: &str, tokens: &[Token]) -> (Vec<Item>, Vec<(usize, usize)>) {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_c::LANGUAGE.into())
        .expect("the C grammar loads");
    let tree = parser
        .parse(text, None)
        .expect("tree-sitter returns a tree");
    let root = tree.root_node();
    let mut clean = Vec::new();
    let mut items = Vec::new();
    let mut raw = Vec::new();
    if root.kind() != "translation_unit" {
        return (Vec::new(), Vec::new());
    }
    let mut cursor = root.walk();
    for top in root.children(&mut cursor) {
        if top.has_error() || top.is_missing() {
            continue;
        }
        let at = top.start_byte();
        let k = tokens.partition_point(|t| t.end <= at);
        if tokens.get(k).is_some_and(|t| t.start < at) {
            continue;
        }
        let mut found = Vec::new();
        let mut in_literal = false;
        let mut stack = vec![top];
        while let Some(node) = stack.pop() {
            let item = match node.kind() {
                "comment" => Some(Lexeme::Comment),
                "string_literal" => Some(Lexeme::Str),
                "char_literal" => Some(Lexeme::Char),
                "preproc_arg" => {
                    raw.push((node.start_byte(), node.end_byte()));
                    None
                }
                _ => None,
            };
            match item {
                Some(kind) => {
                    let at = node.start_byte();
                    let k = tokens.partition_point(|t| t.end <= at);
                    in_literal |= kind == Lexeme::Comment
                        && tokens.get(k).is_some_and(|t| t.start < at)
                        && in_directive(node);
                    found.push((at, node.end_byte(), kind));
                }
                None => {
                    let mut c = node.walk();
                    stack.extend(node.children(&mut c));
                }
            }
        }
        // A literal C leaves unterminated (`"` then a newline) tree-sitter
        // closes at the next quote, blank space between; an unterminated
        // `/*` it reads as two operators: not compared.
        let k = tokens.partition_point(|t| t.end <= top.start_byte());
        let unterminated = tokens[k..]
            .iter()
            .take_while(|t| t.start < top.end_byte())
            .any(|t| match t.kind {
                Kind::Str | Kind::Char => !terminated(t.text(text)),
                Kind::BlockComment => t.end - t.start < 4 || !t.text(text).ends_with("*/"),
                _ => false,
            });
        if !in_literal && !unterminated {
            clean.push((top.start_byte(), top.end_byte()));
            items.extend(found);
        }
    }
    // Compared: clean ranges minus raw directive text.
    let mut regions = Vec::new();
    raw.sort_unstable();
    for (start, end) in clean {
        let mut at = start;
        for &(rs, re) in raw.iter().filter(|(rs, re)| *rs < end && *re > start) {
            if rs > at {
                regions.push((at, rs));
            }
            at = at.max(re);
        }
        if at < end {
            regions.push((at, end));
        }
    }
    items.sort_unstable();
    (items, regions)
}

/// Whether `node` is inside a directive whose text tree-sitter does not
/// tokenize (`#define`, `#error`, `#pragma`…).
fn in_directive(node: tree_sitter::Node) -> bool {
    let mut n = Some(node);
    while let Some(p) = n {
        if matches!(
            p.kind(),
            "preproc_def" | "preproc_function_def" | "preproc_call"
        ) {
            return true;
        }
        n = p.parent();
    }
    false
}

/// Whether a literal's text (quotes included) ends with its closing quote.
fn terminated(literal: &str) -> bool {
    let b = literal.as_bytes();
    let Some(&quote) = b.first() else {
        return false;
    };
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return i == b.len() - 1,
            _ => i += 1,
        }
    }
    false
}

/// The lexer's comments and literals, an encoding prefix (`L`, `u8`…) joined
/// to its literal as tree-sitter's node holds it.
fn lexer_items(text: &str, tokens: &[Token]) -> Vec<Item> {
    let mut items = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        let kind = match t.kind {
            Kind::LineComment | Kind::BlockComment => Lexeme::Comment,
            Kind::Str => Lexeme::Str,
            Kind::Char => Lexeme::Char,
            _ => continue,
        };
        let mut start = t.start;
        if kind != Lexeme::Comment && k > 0 {
            let prev = tokens[k - 1];
            if prev.kind == Kind::Ident
                && prev.end == t.start
                && matches!(prev.text(text), "L" | "u" | "U" | "u8")
            {
                start = prev.start;
            }
        }
        items.push((start, t.end, kind));
    }
    items
}

fn inside(regions: &[(usize, usize)], (start, end, _): &Item) -> bool {
    let k = regions.partition_point(|r| r.1 < *end);
    regions
        .get(k)
        .is_some_and(|&(rs, re)| rs <= *start && *end <= re)
}

/// The first disagreement between the two token lists over the compared
/// regions, as a message naming the bytes.
fn disagreement(text: &str) -> Option<String> {
    compare(text).err()
}

/// How many comments and literals agree, or the first disagreement.
fn compare(text: &str) -> Result<usize, String> {
    let tokens = cgloss_syntax::lex::tokenize(text);
    let (expected, regions) = tree_sitter_items(text, &tokens);
    let expected: Vec<Item> = expected
        .into_iter()
        .filter(|i| inside(&regions, i))
        .collect();
    let found: Vec<Item> = lexer_items(text, &tokens)
        .into_iter()
        .filter(|i| inside(&regions, i))
        .collect();
    if expected == found {
        return Ok(found.len());
    }
    let k = expected
        .iter()
        .zip(&found)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(found.len()));
    let show = |i: Option<&Item>| match i {
        Some(&(s, e, kind)) => {
            let line = text[..s].matches('\n').count() + 1;
            format!("{kind:?} line {line} {:?}", &text[s..e.min(s + 80)])
        }
        None => "nothing".to_string(),
    };
    Err(format!(
        "tree-sitter: {}, lexer: {}",
        show(expected.get(k)),
        show(found.get(k))
    ))
}

// A few hundred bytes of C in which comments, literals, continuations and
// directives meet; each piece is valid C on its own between declarations.
const PIECES: &[&str] = &[
    "int a = 1;\n",
    "static const char *s = \"a // not a comment\";\n",
    "char c = '\\'';\n",
    "char q = '\"';\n",
    "const char *e = \"esc \\\" quote /* no */\";\n",
    "/* block */\n",
    "/* a\n ** b\n */\n",
    "/** kernel-doc\n * @x: y\n */\n",
    "// line\n",
    "// continued \\\n still comment\n",
    "int b = 2; // trailing\n",
    "int d = 3; /* trailing */\n",
    "const char *w = L\"wide\";\n",
    "const char *u = u8\"utf\";\n",
    "int wc = L'x';\n",
    "const char *j = \"joined\" \"strings\";\n",
    "const char *k = \"line \\\n continued\";\n",
    "#define M(x) ((x) + 1) /* macro doc */\n",
    "#define S \"in a define\"\n",
    "#define P \"a/b\" // after\n",
    "#define LONG 1 \\\n + 2\n",
    "#include \"header.h\"\n",
    "#include <sys/types.h>\n",
    "#if 0\nint dead;\n#endif\n",
    "int f(void) { return '\\n' + \"x\"[0]; }\n",
    "int g(int x) { /* in body */ return x; }\n",
    "struct st { int m; /* member */ char *n; // other\n };\n",
    "int crlf = 4;\r\n",
    "/* crlf comment */\r\n",
    "\n",
    "   \t\n",
];

fn check_text(text: &str) -> Result<(), TestCaseError> {
    match disagreement(text) {
        None => Ok(()),
        Some(msg) => Err(TestCaseError::fail(format!("{msg}\n--- input ---\n{text}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn lexer_agrees_with_tree_sitter_on_generated_c(
        picks in proptest::collection::vec(0..PIECES.len(), 1..40)
    ) {
        let text: String = picks.iter().map(|&k| PIECES[k]).collect();
        check_text(&text)?;
    }

    /// Arbitrary bytes between declarations: whatever tree-sitter parses
    /// cleanly, the lexer reads the same way.
    #[test]
    fn lexer_agrees_with_tree_sitter_on_noise(
        noise in "[ -~\n\t]{0,200}",
        k in 0..PIECES.len(),
    ) {
        let text = format!("{}{}\n{}", PIECES[k], noise, PIECES[(k + 7) % PIECES.len()]);
        check_text(&text)?;
    }
}

#[test]
fn lexer_agrees_with_tree_sitter_on_known_cases() {
    for text in [
        "#error don't\nint a; /* doc */\n",
        "char *s = \"a\\\nb\"; /* after */\n",
        "#define TAGS \"refs/tags/*:refs/tags/*\"\nint f(void);\n/** doc */\nint g(void);\n",
        "#define MASK 0x1f //0x1f /* at 0xc */\nint h(void);\n",
        "int x = 1'000;\n",
        "/**/ int y;\n",
        "/* unterminated",
    ] {
        if let Some(msg) = disagreement(text) {
            panic!("{msg}\n--- input ---\n{text}");
        }
    }
}

/// Every `.c`/`.h` file under `dir`, sorted, every `step`-th one.
fn sample(dir: &Path, step: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let p = e.path();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && p.extension().is_some_and(|x| x == "c" || x == "h") {
                files.push(p);
            }
        }
    }
    files.sort();
    files.into_iter().step_by(step.max(1)).collect()
}

/// Checks the files; returns how many were compared, how many comments and
/// literals agreed, and the failures.
fn check_files(files: &[PathBuf]) -> (usize, usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut n = 0;
    let mut agreed = 0;
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        n += 1;
        match compare(&text) {
            Ok(k) => agreed += k,
            Err(msg) => failures.push(format!("{}: {msg}", path.display())),
        }
    }
    (n, agreed, failures)
}

#[test]
fn lexer_agrees_with_tree_sitter_on_the_kernel_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/linux-5.5.9");
    if !dir.is_dir() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("../shared/fixtures is missing, and CI=true");
        }
        eprintln!("lexer_agrees_with_tree_sitter_on_the_kernel_fixture: skipped, ../shared/fixtures is absent");
        return;
    }
    let (n, agreed, failures) = check_files(&sample(&dir, 1));
    eprintln!("{n} fixture files, {agreed} comments and literals agree");
    assert!(n > 100, "only {n} fixture files sampled");
    assert!(
        agreed > 10 * n,
        "only {agreed} comments and literals compared"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} files disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Trees named by `CGLOSS_LEX_CORPUS` (every file); nothing when unset.
#[test]
fn lexer_agrees_with_tree_sitter_on_the_corpus() {
    let Ok(dirs) = std::env::var("CGLOSS_LEX_CORPUS") else {
        return;
    };
    let mut all = Vec::new();
    for dir in dirs.split(':').filter(|d| !d.is_empty()) {
        let (n, agreed, failures) = check_files(&sample(Path::new(dir), 1));
        eprintln!(
            "{dir}: {n} files, {agreed} comments and literals agree, {} files disagree",
            failures.len()
        );
        all.extend(failures);
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}
