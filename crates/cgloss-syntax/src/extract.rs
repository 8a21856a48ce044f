//! Extraction of a file's facts from its syntax tree: functions, prototypes,
//! macros, structs and their members, typedefs, enum constants and globals,
//! each with its documentation; calls and references of every function body.
//!
//! Tree walks use explicit stacks, so deep nesting cannot overflow the stack.

use std::collections::HashSet;

use cgloss_facts::{
    Diagnostic, Doc, EnumConstFact, EnumFact, FileFacts, FunctionFact, GlobalFact, MacroFact,
    MemberFact, Param, PrototypeFact, RecordFact, TypeWord, TypedefFact,
};
use tree_sitter::Node;

use crate::directives::Directives;
use crate::docs::{Comments, DeclKind, Site};
use crate::tree::{
    base_type, children, clean, declarator_name, end_line, function_pointer_type, line,
    named_children, return_pointer_levels, returned_function, source, text, type_ref,
};
use crate::{prepass, Parse};

struct Extractor<'a> {
    path: &'a str,
    parse: &'a Parse<'a>,
    directives: &'a Directives,
    comments: Comments<'a>,
    facts: FileFacts,
    /// How many struct, union or enum definitions enclose the one being read.
    nesting: u32,
}

/// Struct definitions nested deeper than this are not read (their members
/// stay unknown): `tag_type` and `members` call each other per level.
const MAX_NESTING: u32 = 64;

pub fn extract(path: &str, parse: &Parse, directives: &Directives) -> FileFacts {
    let mut ex = Extractor {
        path,
        parse,
        directives,
        comments: Comments::new(parse.original, &parse.tokens),
        facts: FileFacts {
            path: path.to_string(),
            n_lines: parse.original.lines().count() as u32,
            includes: directives.includes.clone(),
            ..FileFacts::default()
        },
        nesting: 0,
    };
    ex.facts.diagnostics = parse.notes.clone();
    ex.count_errors();
    ex.walk(parse.tree.root_node());
    ex.recover_lost_bodies();
    ex.typed_variable_macros();
    ex.facts.member_names = crate::bodies::member_names(&parse.code);
    ex.facts
}

/// The function definitions inside the body of `def` (not inside each
/// other), for a definition whose error recovery swallowed them.
fn nested_definitions(def: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let Some(body) = def.child_by_field_name("body") else {
        return found;
    };
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        for c in named_children(n).into_iter().rev() {
            if c.kind() == "function_definition" {
                found.push(c);
            } else {
                stack.push(c);
            }
        }
    }
    found.sort_by_key(|n| n.start_byte());
    found
}

/// Where the header of the definition whose body opens at `open` starts in
/// `text`: the start of the line of its name (the identifier before the
/// parameter list that closes right before the body), extended over up to
/// three lines above that continue it (`static int\nname(void)`), never
/// over a blank line, a directive, a comment's end or a line ending a
/// statement, a block or a list item.
fn header_start(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = open;
    while i > 0 && b[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    if i == 0 || b[i - 1] != b')' {
        return None;
    }
    // The `(` matching the `)` before the body (comments and strings were
    // blanked or are balanced here: this is the pre-passed text).
    let mut depth = 0usize;
    let mut j = i;
    while j > 0 {
        j -= 1;
        match b[j] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        if i - j > 20_000 {
            return None;
        }
    }
    let line_start = |at: usize| {
        b[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |k| k + 1)
    };
    let mut start = line_start(j);
    for _ in 0..3 {
        if start == 0 {
            break;
        }
        let prev = line_start(start - 1);
        let line = text[prev..start - 1].trim();
        let continues = !line.is_empty()
            && !line.starts_with('#')
            && !line.ends_with("*/")
            && !line.starts_with("//")
            && !matches!(
                line.as_bytes().last(),
                Some(b';' | b'}' | b'{' | b',' | b')' | b'\\')
            );
        if !continues {
            break;
        }
        start = prev;
    }
    Some(start)
}

/// Kinds whose children are file-scope items.
fn is_container(kind: &str) -> bool {
    matches!(
        kind,
        "translation_unit"
            | "preproc_if"
            | "preproc_ifdef"
            | "preproc_else"
            | "preproc_elif"
            | "preproc_elifdef"
            | "linkage_specification"
            | "declaration_list"
            | "ERROR"
    )
}

impl<'a> Extractor<'a> {
    fn src(&self) -> &'a str {
        &self.parse.text
    }

    /// Function bodies the parse lost — error recovery fused their header
    /// with a broken declaration before it (`ASN1_ITEM_start(X) … ASN1_ITEM_end(X)`
    /// with no `;`): their headers and bodies parsed again, alone (every
    /// other byte blanked, so offsets still hold), so no definition whose
    /// body is certain silently vanishes.
    fn recover_lost_bodies(&mut self) {
        let mut have: Vec<(usize, usize)> = self
            .facts
            .functions
            .iter()
            .map(|f| (f.start_byte as usize, f.end_byte as usize))
            .collect();
        have.sort_unstable();
        let text = self.src();
        let mut lost = Vec::new();
        let mut alone: Option<Vec<u8>> = None;
        for &(open, close) in &self.parse.bodies {
            let k = have.partition_point(|&(start, _)| start <= open);
            if k > 0 && open < have[k - 1].1 {
                continue;
            }
            let Some(start) = header_start(text, open) else {
                continue;
            };
            if lost.last().is_some_and(|&(_, c)| start <= c) || close >= text.len() {
                continue;
            }
            let bytes = alone.get_or_insert_with(|| {
                text.bytes()
                    .map(|c| if c == b'\n' { b'\n' } else { b' ' })
                    .collect()
            });
            bytes[start..=close].copy_from_slice(&text.as_bytes()[start..=close]);
            lost.push((open, close));
        }
        let Some(bytes) = alone else {
            return;
        };
        let Ok(alone) = String::from_utf8(bytes) else {
            return;
        };
        let Some(tree) = crate::tree_of(&alone) else {
            return;
        };
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "function_definition" {
                let body = node.child_by_field_name("body").map(|b| b.start_byte());
                if body.is_some_and(|o| lost.binary_search_by_key(&o, |&(o, _)| o).is_ok()) {
                    self.function(node);
                }
                continue;
            }
            if is_container(node.kind()) {
                stack.extend(children(node));
            }
        }
        self.facts.functions.sort_by_key(|f| f.start_byte);
    }

    fn count_errors(&mut self) {
        let root = self.parse.tree.root_node();
        if !root.has_error() {
            return;
        }
        let mut stack = vec![root];
        let mut n = 0u32;
        while let Some(node) = stack.pop() {
            if node.is_error() || node.is_missing() {
                n += 1;
                let pos = node.start_position();
                let first = Diagnostic {
                    line: pos.row as u32 + 1,
                    col: pos.column as u32 + 1,
                    message: if node.is_missing() {
                        format!("missing `{}`", node.kind())
                    } else {
                        "syntax error".to_string()
                    },
                };
                let earlier = self
                    .facts
                    .first_error
                    .as_ref()
                    .is_none_or(|d| (first.line, first.col) < (d.line, d.col));
                if earlier {
                    self.facts.first_error = Some(first);
                }
            }
            if node.has_error() {
                let mut cursor = node.walk();
                stack.extend(node.children(&mut cursor));
            }
        }
        self.facts.n_syntax_errors = n;
    }

    fn walk(&mut self, root: Node<'_>) {
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "function_definition" => {
                    self.function(node);
                    // C has no nested functions: a definition inside a body
                    // is error recovery swallowing the rest of the file.
                    if node.has_error() {
                        stack.extend(nested_definitions(node).into_iter().rev());
                    }
                }
                // A file-scope block is error recovery too (a `{` left over
                // from a broken macro, or a macro-made header's body): only
                // the definitions inside it are looked for, its
                // declarations are locals.
                "compound_statement" => {
                    let kids = children(node);
                    for w in kids.windows(2) {
                        self.macro_header_pair(w[0], w[1]);
                    }
                    stack.extend(kids.into_iter().rev().filter(|k| {
                        matches!(k.kind(), "function_definition" | "compound_statement")
                            || k.kind().starts_with("preproc_if")
                    }));
                }
                "declaration" => self.declaration(node),
                "type_definition" => self.typedef(node),
                "preproc_def" | "preproc_function_def" => self.define(node),
                "struct_specifier" | "union_specifier" | "enum_specifier" => {
                    self.tag_type(node, None)
                }
                // `struct x { … };` at file scope and similar.
                "expression_statement" if !self.defining_macro(node) => {
                    stack.extend(named_children(node));
                }
                kind if is_container(kind) => {
                    let kids = children(node);
                    for w in kids.windows(2) {
                        self.macro_header_pair(w[0], w[1]);
                    }
                    stack.extend(kids.into_iter().rev());
                }
                _ => {}
            }
        }
    }

    /// `[static] DEFINE_PER_CPU(type, name) [= …];` at file scope (and the
    /// other macros the idiom table says define a variable of the type
    /// they are given): a global `name` of that type. Tree-sitter sees a
    /// call or garbage there, so the code tokens are read instead.
    fn typed_variable_macros(&mut self) {
        use crate::bodies::Tok;
        let code = &self.parse.code;
        let mut depth = 0usize;
        let mut found = Vec::new();
        for (k, &(at, tok)) in code.iter().enumerate() {
            match tok {
                Tok::Punct(b'{') => depth += 1,
                Tok::Punct(b'}') => depth = depth.saturating_sub(1),
                Tok::Ident(name)
                    if depth == 0
                        && crate::idioms::idiom(name)
                            == Some(crate::idioms::Idiom::DefinesTypedVariable)
                        && code.get(k + 1).map(|t| t.1) == Some(Tok::Punct(b'(')) =>
                {
                    found.push((k, at));
                }
                _ => {}
            }
        }
        let original = self.parse.original;
        for (k, at) in found {
            // The arguments: top-level commas split `type, name`.
            let mut nest = 0usize;
            let mut commas = Vec::new();
            let mut close = None;
            for (j, &(pos, tok)) in code.iter().enumerate().skip(k + 1) {
                match tok {
                    Tok::Punct(b'(' | b'[') => nest += 1,
                    Tok::Punct(b')' | b']') => {
                        nest -= 1;
                        if nest == 0 {
                            close = Some((j, pos));
                            break;
                        }
                    }
                    Tok::Punct(b',') if nest == 1 => commas.push(pos),
                    Tok::Punct(b';' | b'{' | b'}') => break,
                    _ => {}
                }
            }
            let (Some((close_k, close)), [comma]) = (close, commas.as_slice()) else {
                continue;
            };
            let open = code[k + 1].0;
            let ty_text = clean(&original[open + 1..*comma]);
            let decl = clean(&original[comma + 1..close]);
            let name_len = decl
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(decl.len());
            let name = decl[..name_len].to_string();
            if name.is_empty() || ty_text.is_empty() {
                continue;
            }
            let mut ty = cgloss_facts::TypeRef::parse(&ty_text);
            ty.ptr = ty.ptr.saturating_add(decl.matches('[').count() as u8);
            let name_at =
                comma + 1 + original[comma + 1..].len() - original[comma + 1..].trim_start().len();
            let line = original[..name_at].matches('\n').count() as u32 + 1;
            if self
                .facts
                .globals
                .iter()
                .any(|g| g.name == name && g.line == line)
            {
                continue;
            }
            let is_static = k > 0 && code[k - 1].1 == Tok::Ident("static");
            let start = if is_static { code[k - 1].0 } else { at };
            let start_line = original[..start].matches('\n').count() as u32 + 1;
            let refs = match (code.get(close_k + 1), code.get(close_k + 2)) {
                (Some((_, Tok::Punct(b'='))), Some(&(brace, Tok::Punct(b'{')))) => self
                    .parse
                    .initializers
                    .iter()
                    .find(|&&(o, _)| o == brace)
                    .map(|&(o, c)| crate::bodies::initializer_refs(code, o, c))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let close_line = original[..close].matches('\n').count() as u32 + 1;
            let doc = self.comments.doc(&Site::new(
                DeclKind::Global,
                &name,
                (start, start_line),
                (close, close_line),
            ));
            self.facts.globals.push(GlobalFact {
                name,
                line,
                ty,
                is_static,
                doc: doc.map(Box::new),
                refs,
            });
        }
        self.facts.globals.sort_by_key(|g| g.line);
    }

    fn anon_tag(&self, node: Node) -> String {
        format!("{{anon}}{}:{}", self.path, line(node))
    }

    /// The documentation of the declaration `node` of `kind` named `name`
    /// (see `Comments::doc` for the order).
    fn doc(&self, kind: DeclKind, node: Node, name: &str) -> Option<Doc> {
        self.comments.doc(&Site::new(
            kind,
            name,
            (node.start_byte(), line(node)),
            (node.end_byte(), end_line(node)),
        ))
    }

    /// Parameters of a function declarator, as written. A `SYSCALL_DEFINEn`
    /// writes `type, name`; `from_prepass` reads them as `type name`.
    fn params(&self, func_decl: Node<'_>, from_prepass: bool) -> (Vec<Param>, bool) {
        let mut params = Vec::new();
        let mut variadic = false;
        let Some(list) = func_decl.child_by_field_name("parameters") else {
            return (params, variadic);
        };
        let src = self.src();
        for p in named_children(list) {
            match p.kind() {
                "parameter_declaration" => {
                    let declarator = p.child_by_field_name("declarator");
                    let type_node = p.child_by_field_name("type");
                    let base = type_node
                        .map(|t| base_type(t, src, |n| self.anon_tag(n)))
                        .unwrap_or_default();
                    let name = declarator
                        .and_then(declarator_name)
                        .map(|(n, _, _)| text(n, src).to_string())
                        .unwrap_or_default();
                    let ptext = source(
                        p,
                        if from_prepass {
                            src
                        } else {
                            self.parse.original
                        },
                    );
                    if name.is_empty() && ptext == "void" {
                        continue;
                    }
                    params.push(Param {
                        name,
                        text: ptext,
                        ty: type_ref(&base, declarator),
                    });
                }
                // An old-style list (`f(a, b)`): typed by the declarations
                // after it (`old_style_parameters`).
                "identifier" => params.push(Param {
                    name: text(p, src).to_string(),
                    text: String::new(),
                    ty: cgloss_facts::TypeRef::default(),
                }),
                "variadic_parameter" => variadic = true,
                _ => {}
            }
        }
        (params, variadic)
    }

    fn return_type(&self, def: Node, declarator: Node) -> String {
        let src = self.src();
        let mut parts: Vec<String> = Vec::new();
        for child in named_children(def) {
            if child.kind() == "type_qualifier" && child.start_byte() < declarator.start_byte() {
                parts.push(text(child, src).to_string());
            }
        }
        if let Some(t) = def.child_by_field_name("type") {
            parts.push(clean(text(t, src)));
        }
        let mut ty = parts.join(" ");
        let stars = return_pointer_levels(declarator);
        if stars > 0 {
            ty.push(' ');
            ty.push_str(&"*".repeat(stars as usize));
        }
        ty
    }

    fn is_static(&self, node: Node) -> bool {
        named_children(node)
            .iter()
            .any(|c| c.kind() == "storage_class_specifier" && text(*c, self.src()) == "static")
    }

    fn function(&mut self, node: Node<'_>) {
        let src = self.src();
        let original = self.parse.original;
        let (Some(declarator), Some(body)) = (
            node.child_by_field_name("declarator"),
            node.child_by_field_name("body"),
        ) else {
            return;
        };
        let Some((func_decl, returned)) = returned_function(declarator) else {
            // `TEST(name) {`, `DEFINE_IDTENTRY_RAW(exc) {`: a header made by a
            // macro reads as a type name and a parenthesized declarator —
            // no valid C definition has that shape, only error recovery.
            if let Some(t) = node
                .child_by_field_name("type")
                .filter(|t| t.kind() == "type_identifier")
                .filter(|_| declarator.kind() == "parenthesized_declarator")
            {
                self.macro_header(node, t, body);
            }
            return;
        };
        let Some((name_node, _, _)) = func_decl
            .child_by_field_name("declarator")
            .and_then(declarator_name)
        else {
            return;
        };
        let mut name = text(name_node, src).to_string();
        let mut return_type = self.return_type(node, declarator);
        if let Some(returned) = returned {
            return_type = function_pointer_type(&return_type, returned, src);
        }
        let head = &original[node.start_byte()..];
        let syscall = crate::idioms::syscall_prefix(leading_name(head));
        if let Some(rename) = syscall {
            // The name as written (`32_truncate64` does not survive as C).
            let (n, ty) = rename.apply(first_argument(head).unwrap_or(&name));
            name = n;
            return_type = ty.to_string();
        }
        let header = self
            .parse
            .header(name_node.start_byte())
            .filter(|_| syscall.is_none());
        if let Some(h) = header {
            return_type = written_type(&h.words);
        }
        let (mut params, variadic) = self.params(func_decl, syscall.is_some());
        self.old_style_parameters(node, &mut params);
        let is_static = self.is_static(node);
        self.push_function(
            node,
            (line(name_node), name),
            (return_type, params, variadic),
            (is_static, header),
            body,
        );
    }

    /// `int f(a, b) int a; char *b; {`: the parameters named in the list
    /// take their types from the declarations after it (`int` when none
    /// declares them, as in C89).
    fn old_style_parameters(&self, def: Node<'a>, params: &mut [Param]) {
        let src = self.src();
        let original = self.parse.original;
        let mut declared = Vec::new();
        for decl in named_children(def)
            .into_iter()
            .filter(|c| c.kind() == "declaration")
        {
            let Some(type_node) = decl.child_by_field_name("type") else {
                continue;
            };
            let base = base_type(type_node, src, |n| self.anon_tag(n));
            let specifiers = clean(&original[decl.start_byte()..type_node.end_byte()]);
            let mut cursor = decl.walk();
            for (k, d) in decl
                .children_by_field_name("declarator", &mut cursor)
                .enumerate()
            {
                if let Some((name, _, _)) = declarator_name(d) {
                    // The first as written (`Bytef* dest`), the others
                    // after the specifiers they share.
                    let written = if k == 0 {
                        clean(&original[decl.start_byte()..d.end_byte()])
                    } else {
                        format!("{specifiers} {}", source(d, original))
                    };
                    declared.push((
                        text(name, src).to_string(),
                        written,
                        type_ref(&base, Some(d)),
                    ));
                }
            }
        }
        for p in params.iter_mut().filter(|p| p.text.is_empty()) {
            match declared.iter().find(|(n, _, _)| *n == p.name) {
                Some((_, t, ty)) => {
                    p.text = t.clone();
                    p.ty = ty.clone();
                }
                None => {
                    p.text = format!("int {}", p.name);
                    p.ty = cgloss_facts::TypeRef::new("int", 0);
                }
            }
        }
    }

    /// A function whose header is a macro call (`TEST_F(suite, name)`,
    /// `BPF_CALL_0(helper)` left as written): named by the macro, or by its
    /// first argument when the idiom table knows the macro.
    fn macro_header(&mut self, node: Node<'_>, name_node: Node<'_>, body: Node<'_>) {
        let original = self.parse.original;
        let macro_name = text(name_node, original);
        let head = &original[name_node.start_byte()..];
        let (name, return_type) =
            match crate::idioms::function_macro(macro_name).zip(first_argument(head)) {
                Some((rename, first)) => {
                    let (n, ty) = rename.apply(first);
                    (n, ty.to_string())
                }
                None => (macro_name.to_string(), String::new()),
            };
        let is_static = node.start_byte() < name_node.start_byte()
            && original[node.start_byte()..name_node.start_byte()].contains("static");
        self.push_function(
            node,
            (line(name_node), name),
            (return_type, Vec::new(), false),
            (is_static, None),
            body,
        );
    }

    /// `NAME(args)` with a MISSING `;` and a block after it: how
    /// tree-sitter reads a macro-made header at file scope (`TEST_F(a, b)
    /// {`). Never valid C, so a definition.
    fn macro_header_pair(&mut self, stmt: Node<'_>, block: Node<'_>) {
        if stmt.kind() != "expression_statement" || block.kind() != "compound_statement" {
            return;
        }
        let missing_semicolon = children(stmt).iter().any(|c| c.is_missing());
        let Some(callee) = stmt
            .named_child(0)
            .filter(|c| c.kind() == "call_expression")
            .and_then(|c| c.child_by_field_name("function"))
            .filter(|f| f.kind() == "identifier")
        else {
            return;
        };
        let original = self.parse.original;
        let keyword = matches!(
            text(callee, original),
            "if" | "while" | "for" | "switch" | "return" | "sizeof"
        );
        // `FIXTURE_VARIANT_ADD(tls, gcm) { .version = 2, };` initializes.
        let initializer = original[block.start_byte() + 1..]
            .trim_start()
            .starts_with(['.', '[']);
        if missing_semicolon && !keyword && !initializer {
            self.macro_header(stmt, callee, block);
        }
    }

    fn push_function(
        &mut self,
        node: Node<'_>,
        (name_line, name): (u32, String),
        (return_type, params, variadic): (String, Vec<Param>, bool),
        (is_static, header): (bool, Option<&prepass::Header>),
        body: Node<'_>,
    ) {
        let original = self.parse.original;
        // Words the pre-pass blanked before the definition are its own.
        let start = header.map_or(node.start_byte(), |h| h.start.min(node.start_byte()));
        let end = body.start_byte();
        let start_line = original[..start].matches('\n').count() as u32 + 1;
        // The header as written, without the `#if` alternatives blanked.
        let mut head = String::with_capacity(end - start);
        let mut from = start;
        for &(a, b) in &self.parse.alternatives {
            if a >= from && b <= end {
                head.push_str(&original[from..a]);
                head.push(' ');
                from = b;
            }
        }
        head.push_str(&original[from..end]);
        let proto = clean(&head);
        let exclude: HashSet<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let (open, close) = (body.start_byte(), body.end_byte().saturating_sub(1));
        let (calls, mut refs) = crate::bodies::scan_body(&self.parse.code, open, close, &exclude);
        // The types of the parameters and the return value are used too.
        let ret = cgloss_facts::TypeRef::parse(&return_type);
        let type_words = header.map(|h| h.words.clone()).unwrap_or_default();
        // The names of a return type with macros in it, one by one.
        let ret: Vec<cgloss_facts::TypeRef> = if type_words.is_empty() {
            vec![ret]
        } else {
            type_words
                .iter()
                .filter_map(|w| match w {
                    TypeWord::Name(n) | TypeWord::Wrapper { name: n, .. } => {
                        Some(cgloss_facts::TypeRef::new(n.clone(), 0))
                    }
                    TypeWord::Text(t) if t.contains(' ') => Some(cgloss_facts::TypeRef::parse(t)),
                    TypeWord::Text(_) => None,
                })
                .collect()
        };
        for t in params.iter().map(|p| &p.ty).chain(ret.iter()) {
            let named = t.base.starts_with("struct ")
                || t.base.starts_with("union ")
                || t.base.starts_with("enum ")
                || (!t.base.is_empty()
                    && !t.base.contains(' ')
                    && !crate::bodies::is_type_word(&t.base));
            if named && !refs.contains(&t.base) {
                refs.push(t.base.clone());
            }
        }
        let doc = self.comments.doc(&Site::new(
            DeclKind::Function,
            &name,
            (start, start_line),
            (node.end_byte(), end_line(node)),
        ));
        self.facts.functions.push(FunctionFact {
            name,
            line: name_line,
            start_line,
            end_line: end_line(body),
            start_byte: start as u32,
            end_byte: body.end_byte() as u32,
            is_static,
            doc: doc.map(Box::new),
            proto,
            return_type,
            type_words,
            params,
            variadic,
            empty_body: crate::bodies::is_empty(&self.parse.code, open, close),
            calls,
            refs,
        });
    }

    /// `LIST_HEAD(name);` at file scope: a global of the macro's type.
    fn defining_macro(&mut self, stmt: Node<'_>) -> bool {
        let src = self.src();
        let Some(call) = stmt
            .named_child(0)
            .filter(|c| c.kind() == "call_expression")
        else {
            return false;
        };
        let Some(callee) = call.child_by_field_name("function") else {
            return false;
        };
        let Some(ty) = crate::idioms::defined_variable_type(text(callee, src)) else {
            return false;
        };
        let Some(name) = call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .filter(|n| n.kind() == "identifier")
        else {
            return false;
        };
        let name_text = text(name, src);
        self.facts.globals.push(GlobalFact {
            name: name_text.to_string(),
            line: line(name),
            ty,
            is_static: false,
            doc: self.doc(DeclKind::Global, stmt, name_text).map(Box::new),
            refs: Vec::new(),
        });
        true
    }

    fn declaration(&mut self, node: Node<'_>) {
        let src = self.src();
        let type_node = node.child_by_field_name("type");
        if let Some(t) = type_node {
            self.tag_type(t, None);
        }
        let mut base = type_node
            .map(|t| base_type(t, src, |n| self.anon_tag(n)))
            .unwrap_or_default();
        let mut macro_ptr = None;
        if let Some(ty) = crate::idioms::defined_variable_type(&base) {
            // `static DEFINE_MUTEX(m);` parses as type `DEFINE_MUTEX`, declarator `(m)`.
            base = ty.base;
            macro_ptr = Some(ty.ptr);
        }
        let is_static = self.is_static(node);
        let mut cursor = node.walk();
        let declarators: Vec<Node> = node
            .children_by_field_name("declarator", &mut cursor)
            .collect();
        for (k, d) in declarators.iter().enumerate() {
            // `DEFINE_PER_CPU(int, x) = 1;` looks like a function with a value: skip it.
            let function = returned_function(*d).filter(|_| d.kind() != "init_declarator");
            if let Some((func_decl, returned)) = function {
                let Some((name_node, _, _)) = func_decl
                    .child_by_field_name("declarator")
                    .and_then(declarator_name)
                else {
                    continue;
                };
                let (mut params, _) = self.params(func_decl, false);
                // Names alone (`f(a, b);`) say nothing of a parameter.
                params.retain(|p| !p.text.is_empty());
                let mut return_type = base.clone();
                let stars = return_pointer_levels(*d);
                if stars > 0 {
                    return_type = format!("{return_type} {}", "*".repeat(stars as usize));
                }
                if let Some(returned) = returned {
                    return_type = function_pointer_type(&return_type, returned, src);
                }
                let name = text(name_node, src);
                let header = self.parse.header(name_node.start_byte());
                let doc = match header {
                    _ if k > 0 => None,
                    Some(h) if h.start < node.start_byte() => self.comments.doc(&Site::new(
                        DeclKind::Prototype,
                        name,
                        (
                            h.start,
                            self.parse.original[..h.start].matches('\n').count() as u32 + 1,
                        ),
                        (node.end_byte(), end_line(node)),
                    )),
                    _ => self.doc(DeclKind::Prototype, node, name),
                };
                if let Some(h) = header {
                    return_type = written_type(&h.words);
                }
                self.facts.prototypes.push(PrototypeFact {
                    name: name.to_string(),
                    line: line(name_node),
                    doc: doc.map(Box::new),
                    params,
                    return_type,
                    type_words: header.map(|h| h.words.clone()).unwrap_or_default(),
                });
                continue;
            }
            let Some((name_node, _, _)) = declarator_name(*d) else {
                continue;
            };
            let mut refs = Vec::new();
            let value = d.child_by_field_name("value");
            let blanked = value.and_then(|v| {
                let i = self
                    .parse
                    .initializers
                    .binary_search_by_key(&v.start_byte(), |&(open, _)| open)
                    .ok()?;
                Some(self.parse.initializers[i])
            });
            if let Some((open, close)) = blanked {
                refs = crate::bodies::initializer_refs(&self.parse.code, open, close);
            } else if let Some(value) = value {
                let mut seen = HashSet::new();
                let mut stack = vec![value];
                while let Some(n) = stack.pop() {
                    if n.kind() == "identifier" {
                        let t = text(n, src);
                        if seen.insert(t) {
                            refs.push(t.to_string());
                        }
                    }
                    let mut cursor = n.walk();
                    let kids: Vec<Node> = n.children(&mut cursor).collect();
                    stack.extend(kids.into_iter().rev());
                }
            }
            let range = node.byte_range();
            if refs.is_empty() && self.parse.original.get(range.clone()) != src.get(range.clone()) {
                // `static DEVICE_ATTR(foo, 0644, foo_show, NULL);`: the
                // pre-pass blanked the macro's arguments; what they name is
                // still referred to.
                let name = text(name_node, src);
                let macro_name = type_node.map_or("", |t| text(t, src));
                refs = crate::bodies::initializer_refs(&self.parse.code, range.start, range.end)
                    .into_iter()
                    .filter(|r| r != name && r != macro_name)
                    .collect();
            }
            let name_line = line(name_node);
            let doc = if k == 0 {
                self.doc(DeclKind::Global, node, text(name_node, src))
            } else {
                None
            };
            let mut ty = type_ref(&base, Some(*d));
            if let Some(ptr) = macro_ptr {
                ty.ptr = ptr;
            }
            self.facts.globals.push(GlobalFact {
                name: text(name_node, src).to_string(),
                line: name_line,
                ty,
                is_static,
                doc: doc.map(Box::new),
                refs,
            });
        }
    }

    fn typedef(&mut self, node: Node<'_>) {
        let src = self.src();
        let type_node = node.child_by_field_name("type");
        let mut cursor = node.walk();
        let first_name = node
            .children_by_field_name("declarator", &mut cursor)
            .find_map(declarator_name)
            .map_or("", |(n, _, _)| text(n, src));
        let doc = self.doc(DeclKind::Typedef, node, first_name);
        let base = type_node
            .map(|t| base_type(t, src, |n| self.anon_tag(n)))
            .unwrap_or_default();
        if let Some(t) = type_node {
            self.tag_type(t, doc.clone());
        }
        let mut cursor = node.walk();
        let declarators: Vec<Node> = node
            .children_by_field_name("declarator", &mut cursor)
            .collect();
        for d in declarators {
            let Some((name_node, _, _)) = declarator_name(d) else {
                continue;
            };
            self.facts.typedefs.push(TypedefFact {
                name: text(name_node, src).to_string(),
                line: line(name_node),
                target: type_ref(&base, Some(d)),
                doc: (doc.clone()).map(Box::new),
            });
        }
    }

    fn define(&mut self, node: Node<'_>) {
        let src = self.src();
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let params = node.child_by_field_name("parameters").map(|p| {
            let inside = text(p, self.parse.original);
            let inside = inside.strip_prefix('(').unwrap_or(inside);
            crate::directives::macro_params(inside.strip_suffix(')').unwrap_or(inside))
        });
        let name_line = line(name_node);
        let name = text(name_node, src);
        let doc = self.comments.doc(&Site {
            starts_run: crate::directives::define_follows(self.parse.original, node.end_byte()),
            ..Site::new(
                DeclKind::Macro,
                name,
                (node.start_byte(), line(node)),
                (name_node.end_byte(), name_line),
            )
        });
        let head_end = node
            .child_by_field_name("parameters")
            .unwrap_or(name_node)
            .end_byte();
        let name = name.to_string();
        self.facts.macros.push(MacroFact {
            is_errno: crate::idioms::is_errno(&name, self.path),
            value: self
                .parse
                .original
                .get(head_end..node.end_byte())
                .and_then(crate::macros::macro_value)
                .map(Box::new),
            specifiers: self
                .parse
                .original
                .get(head_end..node.end_byte())
                .and_then(crate::macros::macro_specifiers),
            name,
            line: name_line,
            params,
            doc: doc.map(Box::new),
        });
    }

    /// A struct, union or enum specifier: records its definition when it has a body.
    /// Whether a struct definition at `node` may still be read, one level
    /// deeper than the current one; says once per file when not.
    fn nest_deeper(&mut self, node: Node) -> bool {
        if self.nesting < MAX_NESTING {
            return true;
        }
        let said = self
            .facts
            .diagnostics
            .iter()
            .any(|d| d.message.starts_with("struct definitions nested"));
        if !said {
            let pos = node.start_position();
            self.facts.diagnostics.push(Diagnostic {
                line: pos.row as u32 + 1,
                col: pos.column as u32 + 1,
                message: format!(
                    "struct definitions nested more than {MAX_NESTING} deep: the inner ones are not read"
                ),
            });
        }
        false
    }

    fn tag_type(&mut self, node: Node<'_>, typedef_doc: Option<Doc>) {
        if !self.nest_deeper(node) {
            return;
        }
        self.nesting += 1;
        self.tag_type_inner(node, typedef_doc);
        self.nesting -= 1;
    }

    fn tag_type_inner(&mut self, node: Node<'_>, typedef_doc: Option<Doc>) {
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        let src = self.src();
        let tag = base_type(node, src, |n| self.anon_tag(n));
        let own_doc = self.doc(DeclKind::Tag, node, &tag).or(typedef_doc);
        match node.kind() {
            "enum_specifier" => {
                let names_before = self.facts.enum_consts.len();
                let mut stack = vec![body];
                while let Some(n) = stack.pop() {
                    let kids = named_children(n);
                    for (i, child) in kids.iter().enumerate().rev() {
                        let child = *child;
                        match child.kind() {
                            "enumerator" => {
                                let Some(name_node) = child.child_by_field_name("name") else {
                                    continue;
                                };
                                let name = text(name_node, src);
                                let next_line = kids[i + 1..]
                                    .iter()
                                    .find(|k| k.kind() == "enumerator")
                                    .map(|k| line(*k));
                                let doc = self.comments.doc(&Site {
                                    parent: own_doc.as_ref(),
                                    starts_run: next_line == Some(end_line(child) + 1),
                                    ..Site::new(
                                        DeclKind::EnumConst,
                                        name,
                                        (child.start_byte(), line(child)),
                                        (child.end_byte(), end_line(child)),
                                    )
                                });
                                self.facts.enum_consts.push(EnumConstFact {
                                    name: name.to_string(),
                                    line: line(name_node),
                                    doc: doc.map(Box::new),
                                });
                            }
                            k if k.starts_with("preproc_") => stack.push(child),
                            _ => {}
                        }
                    }
                }
                // Children were pushed in reverse per level; keep source order.
                self.facts.enum_consts[names_before..].sort_by_key(|e| e.line);
                self.facts.enums.push(EnumFact {
                    tag,
                    line: line(node),
                    doc: own_doc.map(Box::new),
                    first: names_before as u32,
                    count: (self.facts.enum_consts.len() - names_before) as u32,
                });
            }
            "struct_specifier" | "union_specifier" => {
                let mut members = Vec::new();
                self.members(body, own_doc.as_ref(), &mut members);
                self.facts.records.push(RecordFact {
                    tag,
                    line: line(node),
                    user_only: self.directives.is_user_only(node.start_byte()),
                    doc: (own_doc).map(Box::new),
                    members,
                });
            }
            _ => {}
        }
    }

    fn members(&mut self, body: Node<'_>, record_doc: Option<&Doc>, out: &mut Vec<MemberFact>) {
        let src = self.src();
        let mut stack: Vec<Node> = named_children(body).into_iter().rev().collect();
        while let Some(field) = stack.pop() {
            match field.kind() {
                "field_declaration" => {}
                k if k.starts_with("preproc_") || k == "ERROR" => {
                    stack.extend(named_children(field).into_iter().rev());
                    continue;
                }
                _ => continue,
            }
            let type_node = field.child_by_field_name("type");
            let mut cursor = field.walk();
            let declarators: Vec<Node> = field
                .children_by_field_name("declarator", &mut cursor)
                .collect();
            let Some(type_node) = type_node else {
                continue;
            };
            let nested_body = type_node.child_by_field_name("body");
            if declarators.is_empty() {
                // An unnamed struct/union: its members belong to this record.
                if let (Some(nb), true) = (nested_body, type_node.kind() != "enum_specifier") {
                    if self.nest_deeper(nb) {
                        self.nesting += 1;
                        self.members(nb, record_doc, out);
                        self.nesting -= 1;
                    }
                } else if type_node.kind() == "enum_specifier" {
                    self.tag_type(type_node, None);
                }
                continue;
            }
            if nested_body.is_some() {
                self.tag_type(type_node, None);
            }
            let base = base_type(type_node, src, |n| self.anon_tag(n));
            // The next member declared on the next line, no comment between:
            // a plain comment above this one heads the run.
            let starts_run = field
                .next_named_sibling()
                .is_some_and(|n| n.kind() == "field_declaration" && line(n) == end_line(field) + 1);
            for d in declarators {
                let Some((name_node, _, _)) = declarator_name(d) else {
                    continue;
                };
                let name = text(name_node, src);
                // `u16 a:1, /* doc of a */` then `b:1; /* doc of b */`: each
                // declarator's own trailing comment, on the line it ends.
                let doc = self.comments.doc(&Site {
                    parent: record_doc,
                    starts_run,
                    ..Site::new(
                        DeclKind::Member,
                        name,
                        (field.start_byte(), line(field)),
                        (d.end_byte(), end_line(d)),
                    )
                });
                out.push(MemberFact {
                    name: name.to_string(),
                    line: line(name_node),
                    ty: type_ref(&base, Some(d)),
                    doc: doc.map(Box::new),
                });
            }
        }
    }
}

/// A return type as written, from its words.
fn written_type(words: &[TypeWord]) -> String {
    let texts: Vec<String> = words.iter().map(TypeWord::text).collect();
    TypeWord::join(texts.iter().map(String::as_str))
}

/// The identifier `text` starts with.
fn leading_name(text: &str) -> &str {
    let len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..len]
}

/// The first argument of the macro call `text` starts with
/// (`SYSCALL_DEFINE3(open, …)` gives `open`), when it is a name.
fn first_argument(text: &str) -> Option<&str> {
    let rest = text[leading_name(text).len()..]
        .trim_start()
        .strip_prefix('(')?;
    let end = rest.find([',', ')'])?;
    let arg = rest[..end].trim();
    (!arg.is_empty() && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(arg)
}

/// If the `while` keyword node was written by the pre-pass over a loop
/// macro's name, that name.
pub(crate) fn macro_loop_name<'t>(kw: Node, original: &'t str) -> Option<&'t str> {
    let rest = original.get(kw.start_byte()..)?;
    if rest.starts_with("while")
        && !rest[5..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
    {
        return None;
    }
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}
