//! Lowering of a function body into the body IR (`Stmt`, `Expr`).
//!
//! Kernel idioms are undone here: a `while` the pre-pass wrote over a loop
//! macro becomes a `MacroLoop` again, a call statement with a MISSING `;`
//! followed by a statement is re-nested as a loop, `case A ... B` gets its
//! `...` back, and type names passed to macros (`container_of(p, struct t,
//! m)`) become `TypeName`s. Whatever did not parse is kept as source text with
//! a diagnostic. Nesting deeper than `MAX_DEPTH` is kept as source text, so
//! hostile input cannot overflow the stack.

use cgloss_facts::{
    Declarator, Designator, Diagnostic, ElseBranch, Expr, FunctionBody, Init, Stmt, StmtKind,
    TypeRef,
};
use tree_sitter::Node;

use crate::extract::macro_loop_name;
use crate::tree::{base_type, clean, declarator_name, line, named_children, text, type_ref};
use crate::Parse;

const MAX_DEPTH: u32 = 200;

/// Lowers the body of the definition spanning `start_byte..end_byte`: a
/// `function_definition` starting there, or — for a header made by a macro
/// (`TEST_F(a, b) {`), which tree-sitter reads as a statement and a block —
/// the block ending there.
pub fn lower_function(parse: &Parse, start_byte: usize, end_byte: usize) -> Option<FunctionBody> {
    let root = parse.tree.root_node();
    let definition = root
        .descendant_for_byte_range(start_byte, start_byte + 1)
        .and_then(|mut node| {
            while !(node.kind() == "function_definition" && node.start_byte() == start_byte) {
                node = node.parent()?;
            }
            node.child_by_field_name("body")
        });
    let body = match definition {
        Some(body) => body,
        None => {
            let mut node = root.descendant_for_byte_range(end_byte.checked_sub(1)?, end_byte)?;
            while !(node.kind() == "compound_statement" && node.end_byte() == end_byte) {
                node = node.parent()?;
            }
            if node.start_byte() < start_byte {
                return None;
            }
            node
        }
    };
    let mut lowerer = Lowerer {
        parse,
        diagnostics: Vec::new(),
        locals: Vec::new(),
        depth: 0,
        explained_errors: Vec::new(),
    };
    let stmts = lowerer.block(body);
    Some(FunctionBody {
        open_line: line(body),
        stmts,
        locals: lowerer.locals,
        diagnostics: lowerer.diagnostics,
    })
}

struct Lowerer<'a> {
    parse: &'a Parse<'a>,
    diagnostics: Vec<Diagnostic>,
    locals: Vec<Declarator>,
    depth: u32,
    /// Start bytes of ERROR nodes already accounted for (a type passed to a
    /// macro, kept as a `TypeName`).
    explained_errors: Vec<usize>,
}

fn is_statement_kind(kind: &str) -> bool {
    kind.ends_with("_statement") || kind == "declaration" || kind.starts_with("preproc_")
}

impl<'a> Lowerer<'a> {
    fn src(&self) -> &'a str {
        &self.parse.text
    }

    fn orig(&self) -> &'a str {
        self.parse.original
    }

    fn source(&self, start: usize, end: usize) -> String {
        clean(self.orig().get(start..end).unwrap_or(""))
    }

    fn node_source(&self, node: Node) -> String {
        self.source(node.start_byte(), node.end_byte())
    }

    fn warn(&mut self, node: Node, message: &str) {
        let pos = node.start_position();
        self.diagnostics.push(Diagnostic {
            line: pos.row as u32 + 1,
            col: pos.column as u32 + 1,
            message: message.to_string(),
        });
    }

    fn stmt(&self, node: Node, kind: StmtKind) -> Stmt {
        Stmt {
            line: line(node),
            end_line: crate::tree::end_line(node),
            source: self.node_source(node),
            kind,
        }
    }

    /// The statements of a block or of any statement list.
    fn block(&mut self, node: Node) -> Vec<Stmt> {
        let kids: Vec<Node> = named_children(node)
            .into_iter()
            .filter(|n| n.kind() != "comment")
            .collect();
        self.statements(&kids)
    }

    fn statements(&mut self, kids: &[Node]) -> Vec<Stmt> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < kids.len() {
            let node = kids[k];
            if let Some(call) = self.missing_semicolon_call(node) {
                if let Some(next) = kids.get(k + 1).filter(|n| is_statement_kind(n.kind())) {
                    let body = self.single(*next);
                    let mut stmt = self.stmt(
                        node,
                        StmtKind::MacroLoop {
                            call,
                            body: Box::new(body),
                        },
                    );
                    stmt.source = self.node_source(node);
                    out.push(stmt);
                    k += 2;
                    continue;
                }
            }
            out.extend(self.lower(node));
            k += 1;
        }
        out
    }

    /// `name(args)` parsed as an expression statement whose `;` is MISSING.
    fn missing_semicolon_call(&mut self, node: Node) -> Option<Expr> {
        if node.kind() != "expression_statement" {
            return None;
        }
        let last = node.child(node.child_count().checked_sub(1)?)?;
        if !last.is_missing() {
            return None;
        }
        let call = node
            .named_child(0)
            .filter(|c| c.kind() == "call_expression")?;
        Some(self.expr(call))
    }

    /// A statement that must render as one `Stmt` (an `if` body, a loop body).
    fn single(&mut self, node: Node) -> Stmt {
        let mut stmts = self.lower(node);
        if stmts.len() == 1 {
            return stmts.pop().expect("one statement");
        }
        let mut s = self.stmt(node, StmtKind::Block(Vec::new()));
        s.kind = StmtKind::Block(stmts);
        s
    }

    fn lower(&mut self, node: Node) -> Vec<Stmt> {
        if self.depth >= MAX_DEPTH {
            self.warn(node, "nesting too deep, kept as source text");
            return vec![self.stmt(node, StmtKind::Verbatim(self.node_source(node)))];
        }
        self.depth += 1;
        let out = self.lower_inner(node);
        self.depth -= 1;
        out
    }

    /// Marks the ERROR nodes under `node` as accounted for.
    fn explain_errors(&mut self, node: Node) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.is_error() {
                self.explained_errors.push(n.start_byte());
            }
            if n.has_error() {
                let mut cursor = n.walk();
                stack.extend(n.children(&mut cursor));
            }
        }
    }

    /// The first ERROR node under `node` that lowering did not account for,
    /// not looking into nested statements (they answer for themselves).
    fn unexplained_error<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.is_error() && !self.explained_errors.contains(&n.start_byte()) {
                return Some(n);
            }
            if !n.has_error() || (n != node && is_statement_kind(n.kind()) && !n.is_error()) {
                continue;
            }
            let mut cursor = n.walk();
            let kids: Vec<Node> = n.children(&mut cursor).collect();
            stack.extend(kids.into_iter().rev());
        }
        None
    }

    fn lower_inner(&mut self, node: Node) -> Vec<Stmt> {
        let mut out = self.lower_parts(node);
        if node.has_error() && !node.is_error() && !node.kind().starts_with("preproc_") {
            // Headers of control statements and whole simple statements:
            // what did not parse is kept as source text.
            if let Some(err) = self.unexplained_error(node) {
                if let Some(first) = out.first_mut() {
                    if !matches!(first.kind, StmtKind::Verbatim(_)) {
                        self.warn(err, "syntax error, kept as source text");
                        let simple = !matches!(
                            first.kind,
                            StmtKind::If { .. }
                                | StmtKind::While { .. }
                                | StmtKind::For { .. }
                                | StmtKind::Switch { .. }
                                | StmtKind::DoWhile { .. }
                                | StmtKind::MacroLoop { .. }
                                | StmtKind::Case { .. }
                                | StmtKind::Block(_)
                        );
                        if simple {
                            first.kind = StmtKind::Verbatim(first.source.clone());
                        }
                    }
                }
            }
        }
        out
    }

    fn lower_parts(&mut self, node: Node) -> Vec<Stmt> {
        let kind = match node.kind() {
            "compound_statement" => StmtKind::Block(self.block(node)),
            "expression_statement" => match node.named_child(0) {
                Some(e) if e.kind() != "comment" => {
                    self.defining_macro(node, e);
                    StmtKind::Expr(self.expr(e))
                }
                _ => StmtKind::Empty,
            },
            "declaration" => StmtKind::Decl(self.declaration(node)),
            "if_statement" => return vec![self.if_statement(node)],
            "while_statement" => {
                let cond = node.child_by_field_name("condition");
                let body = node.child_by_field_name("body");
                let (Some(cond), Some(body)) = (cond, body) else {
                    return vec![self.verbatim(node)];
                };
                let body_stmt = Box::new(self.single(body));
                let kind = match node
                    .child(0)
                    .and_then(|kw| macro_loop_name(kw, self.orig()))
                {
                    Some(name) => StmtKind::MacroLoop {
                        call: self.macro_call(name, node.child(0).expect("keyword"), cond),
                        body: body_stmt,
                    },
                    None => StmtKind::While {
                        cond: self.condition(cond),
                        body: body_stmt,
                    },
                };
                let mut s = self.stmt(node, kind);
                s.source = self.source(node.start_byte(), body.start_byte());
                s.end_line = line(cond).max(crate::tree::end_line(cond));
                return vec![s];
            }
            "do_statement" => return vec![self.do_statement(node)],
            "for_statement" => return vec![self.for_statement(node)],
            "switch_statement" => {
                let (Some(cond), Some(body)) = (
                    node.child_by_field_name("condition"),
                    node.child_by_field_name("body"),
                ) else {
                    return vec![self.verbatim(node)];
                };
                let kind = StmtKind::Switch {
                    cond: self.condition(cond),
                    body: Box::new(self.single(body)),
                };
                let mut s = self.stmt(node, kind);
                s.source = self.source(node.start_byte(), body.start_byte());
                s.end_line = crate::tree::end_line(cond);
                return vec![s];
            }
            "case_statement" => return vec![self.case_statement(node)],
            "break_statement" => StmtKind::Break,
            "continue_statement" => StmtKind::Continue,
            "goto_statement" => StmtKind::Goto(
                node.child_by_field_name("label")
                    .map(|l| text(l, self.src()).to_string())
                    .unwrap_or_default(),
            ),
            "return_statement" => StmtKind::Return(
                node.named_child(0)
                    .filter(|n| n.kind() != "comment")
                    .map(|e| self.expr(e)),
            ),
            "labeled_statement" => {
                let label = node.child_by_field_name("label");
                let name = label
                    .map(|l| text(l, self.src()).to_string())
                    .unwrap_or_default();
                let mut s = self.stmt(node, StmtKind::Label(name.clone()));
                s.source = format!("{name}:");
                s.end_line = s.line;
                let mut out = vec![s];
                let rest: Vec<Node> = named_children(node)
                    .into_iter()
                    .filter(|n| Some(*n) != label && n.kind() != "comment")
                    .collect();
                out.extend(self.statements(&rest));
                return out;
            }
            "attributed_statement" => {
                let inner: Vec<Node> = named_children(node)
                    .into_iter()
                    .filter(|n| n.kind() != "attribute_declaration")
                    .collect();
                return self.statements(&inner);
            }
            "preproc_if" | "preproc_ifdef" | "preproc_elif" | "preproc_else"
            | "preproc_elifdef" => return self.preproc(node),
            "preproc_call" | "preproc_def" | "preproc_function_def" | "preproc_include" => {
                StmtKind::Directive(self.node_source(node))
            }
            "type_definition" | "comment" => return Vec::new(),
            "ERROR" => {
                self.warn(node, "syntax error, kept as source text");
                StmtKind::Verbatim(self.node_source(node))
            }
            _ => {
                if node.is_missing() {
                    return Vec::new();
                }
                StmtKind::Verbatim(self.node_source(node))
            }
        };
        vec![self.stmt(node, kind)]
    }

    fn verbatim(&mut self, node: Node) -> Stmt {
        self.warn(node, "statement not understood, kept as source text");
        self.stmt(node, StmtKind::Verbatim(self.node_source(node)))
    }

    fn preproc(&mut self, node: Node) -> Vec<Stmt> {
        let mut out = Vec::new();
        // The directive line itself, with its continuations.
        let start = node.start_byte();
        let orig = self.orig();
        let mut end = start;
        let bytes = orig.as_bytes();
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
            if end < bytes.len() && bytes[end] == b'\n' && bytes[end - 1] == b'\\' {
                end += 1;
            }
        }
        let directive = self.source(start, end);
        out.push(Stmt {
            line: line(node),
            end_line: line(node),
            source: directive.clone(),
            kind: StmtKind::Directive(directive),
        });
        let skip_fields = ["condition", "name", "alternative"];
        let mut body: Vec<Node> = Vec::new();
        let mut cursor = node.walk();
        for (k, child) in node.children(&mut cursor).enumerate() {
            let field = node.field_name_for_child(k as u32);
            if field.is_some_and(|f| skip_fields.contains(&f)) || !child.is_named() {
                continue;
            }
            if child.kind() == "comment" || child.start_byte() < end {
                continue;
            }
            body.push(child);
        }
        out.extend(self.statements(&body));
        if let Some(alt) = node.child_by_field_name("alternative") {
            out.extend(self.lower(alt));
        }
        if matches!(node.kind(), "preproc_if" | "preproc_ifdef") {
            let last = node.child(node.child_count().saturating_sub(1));
            if let Some(endif) = last.filter(|n| n.kind() == "#endif") {
                let line_end = orig[endif.start_byte()..]
                    .find('\n')
                    .map_or(orig.len(), |k| endif.start_byte() + k);
                let text = self.source(endif.start_byte(), line_end);
                out.push(Stmt {
                    line: line(endif),
                    end_line: line(endif),
                    source: text.clone(),
                    kind: StmtKind::Directive(text),
                });
            }
        }
        out
    }

    fn if_statement(&mut self, node: Node) -> Stmt {
        let (Some(cond), Some(then)) = (
            node.child_by_field_name("condition"),
            node.child_by_field_name("consequence"),
        ) else {
            return self.verbatim(node);
        };
        let then_stmt = self.single(then);
        let mut header_end = cond.end_byte();
        let pulled = then_stmt.kind.is_simple();
        let mut end_line = crate::tree::end_line(cond);
        if pulled {
            header_end = then.end_byte();
            end_line = then_stmt.end_line;
        }
        let else_branch = node.child_by_field_name("alternative").and_then(|alt| {
            let stmt_node = named_children(alt)
                .into_iter()
                .find(|n| n.kind() != "comment")?;
            let stmt = self.single(stmt_node);
            let source = if stmt_node.kind() == "if_statement" {
                let c = stmt_node.child_by_field_name("condition")?;
                self.source(alt.start_byte(), c.end_byte())
            } else if stmt.kind.is_simple() {
                self.node_source(alt)
            } else {
                "else".to_string()
            };
            Some(Box::new(ElseBranch {
                line: line(alt),
                source,
                stmt,
            }))
        });
        Stmt {
            line: line(node),
            end_line,
            source: self.source(node.start_byte(), header_end),
            kind: StmtKind::If {
                cond: self.condition(cond),
                then: Box::new(then_stmt),
                else_branch,
            },
        }
    }

    fn do_statement(&mut self, node: Node) -> Stmt {
        let (Some(body), Some(cond)) = (
            node.child_by_field_name("body"),
            node.child_by_field_name("condition"),
        ) else {
            return self.verbatim(node);
        };
        let kw = cond.prev_sibling().unwrap_or(cond);
        let cond_expr = match macro_loop_name(kw, self.orig()) {
            Some(name) => self.macro_call(name, kw, cond),
            None => self.condition(cond),
        };
        Stmt {
            line: line(node),
            end_line: line(node),
            source: "do".to_string(),
            kind: StmtKind::DoWhile {
                body: Box::new(self.single(body)),
                cond: cond_expr,
                while_line: line(kw),
                while_source: self.source(kw.start_byte(), node.end_byte()),
            },
        }
    }

    fn for_statement(&mut self, node: Node) -> Stmt {
        let Some(body) = node.child_by_field_name("body") else {
            return self.verbatim(node);
        };
        let init = node.child_by_field_name("initializer").map(|n| {
            if n.kind() == "declaration" {
                let decls = self.declaration(n);
                let mut assigns: Vec<Expr> = decls
                    .into_iter()
                    .filter_map(|d| {
                        let value = d.init?;
                        Some(Expr::Assign {
                            op: "=".to_string(),
                            left: Box::new(Expr::Ident {
                                name: d.name,
                                pos: d.pos,
                            }),
                            right: Box::new(value),
                        })
                    })
                    .collect();
                if assigns.len() == 1 {
                    assigns.pop().expect("one")
                } else {
                    Expr::Comma(assigns)
                }
            } else {
                self.expr(n)
            }
        });
        let cond = node.child_by_field_name("condition").map(|n| self.expr(n));
        let update = node.child_by_field_name("update").map(|n| self.expr(n));
        let body_stmt = self.single(body);
        let mut s = self.stmt(
            node,
            StmtKind::For {
                init,
                cond,
                update,
                body: Box::new(body_stmt),
            },
        );
        s.source = self.source(node.start_byte(), body.start_byte());
        s.end_line = body.prev_sibling().map_or(s.line, crate::tree::end_line);
        s
    }

    fn case_statement(&mut self, node: Node) -> Stmt {
        let value = node.child_by_field_name("value");
        let mut colon_end = node.start_byte();
        let mut body: Vec<Node> = Vec::new();
        let mut cursor = node.walk();
        let mut seen_colon = false;
        for child in node.children(&mut cursor) {
            if !seen_colon {
                if child.kind() == ":" {
                    seen_colon = true;
                    colon_end = child.end_byte();
                }
                continue;
            }
            if child.is_named() && child.kind() != "comment" {
                body.push(child);
            }
        }
        let stmts = self.statements(&body);
        Stmt {
            line: line(node),
            end_line: line(node),
            source: self.source(node.start_byte(), colon_end),
            kind: StmtKind::Case {
                value: value.map(|v| self.expr(v)),
                stmts,
            },
        }
    }

    fn declaration(&mut self, node: Node) -> Vec<Declarator> {
        let src = self.src();
        let base = node
            .child_by_field_name("type")
            .map(|t| base_type(t, src, |n| format!("{{anon}}:{}", line(n))))
            .unwrap_or_default();
        let scope_end = node.parent().map_or(node.end_byte(), |p| p.end_byte()) as u32;
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let declarators: Vec<Node> = node
            .children_by_field_name("declarator", &mut cursor)
            .collect();
        for d in declarators {
            let Some((name_node, _, _)) = declarator_name(d) else {
                continue;
            };
            let init = d.child_by_field_name("value").map(|v| self.expr(v));
            let declarator = Declarator {
                name: text(name_node, src).to_string(),
                ty: type_ref(&base, Some(d)),
                init,
                pos: node.start_byte() as u32,
                scope_end,
            };
            self.locals.push(Declarator {
                init: None,
                ..declarator.clone()
            });
            out.push(declarator);
        }
        out
    }

    /// `DEFINE_WAIT(wait);` in a body declares the local `wait`.
    fn defining_macro(&mut self, stmt: Node, call: Node) {
        if call.kind() != "call_expression" {
            return;
        }
        let src = self.src();
        let Some(ty) = call
            .child_by_field_name("function")
            .and_then(|f| crate::idioms::defined_variable_type(text(f, src)))
        else {
            return;
        };
        let Some(name) = call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .filter(|n| n.kind() == "identifier")
        else {
            return;
        };
        self.locals.push(Declarator {
            name: text(name, src).to_string(),
            ty,
            init: None,
            pos: stmt.start_byte() as u32,
            scope_end: stmt.parent().map_or(stmt.end_byte(), |p| p.end_byte()) as u32,
        });
    }

    /// A parenthesized condition without its parentheses.
    fn condition(&mut self, node: Node) -> Expr {
        if node.kind() == "parenthesized_expression" {
            let inner: Vec<Node> = named_children(node)
                .into_iter()
                .filter(|n| n.kind() != "comment")
                .collect();
            if inner.len() == 1 {
                return self.expr(inner[0]);
            }
        }
        self.expr(node)
    }

    /// The call of a loop macro whose name the pre-pass overwrote.
    fn macro_call(&mut self, name: &str, kw: Node, cond: Node) -> Expr {
        let args = match self.condition(cond) {
            Expr::Comma(items) => items,
            Expr::Raw(r) if r.is_empty() => Vec::new(),
            other => vec![other],
        };
        Expr::Call {
            callee: Box::new(Expr::Ident {
                name: name.to_string(),
                pos: kw.start_byte() as u32,
            }),
            args,
            typed_by: crate::idioms::typed_by(name),
        }
    }

    fn expr(&mut self, node: Node) -> Expr {
        if self.depth >= MAX_DEPTH {
            return Expr::Raw(self.node_source(node));
        }
        self.depth += 1;
        let e = self.expr_inner(node);
        self.depth -= 1;
        e
    }

    fn field(&mut self, node: Node, name: &str) -> Box<Expr> {
        Box::new(match node.child_by_field_name(name) {
            Some(n) => self.expr(n),
            None => Expr::Raw(String::new()),
        })
    }

    fn op(&self, node: Node) -> String {
        node.child_by_field_name("operator")
            .map(|o| text(o, self.src()).to_string())
            .unwrap_or_default()
    }

    fn type_descriptor(&self, node: Node) -> (TypeRef, String) {
        let src = self.src();
        let base = node
            .child_by_field_name("type")
            .map(|t| base_type(t, src, |_| String::new()))
            .unwrap_or_default();
        let mut ty = type_ref(&base, None);
        if let Some(d) = node.child_by_field_name("declarator") {
            let mut n = Some(d);
            while let Some(x) = n {
                if x.kind() == "abstract_pointer_declarator"
                    || x.kind() == "abstract_array_declarator"
                {
                    ty.ptr += 1;
                }
                n = x.child_by_field_name("declarator");
            }
        }
        (ty, self.node_source(node))
    }

    fn expr_inner(&mut self, node: Node) -> Expr {
        let src = self.src();
        match node.kind() {
            "identifier" => Expr::Ident {
                name: text(node, src).to_string(),
                pos: node.start_byte() as u32,
            },
            "number_literal"
            | "string_literal"
            | "char_literal"
            | "concatenated_string"
            | "true"
            | "false"
            | "null"
            | "system_lib_string" => Expr::Literal(self.node_source(node)),
            "field_expression" => {
                let arrow = node
                    .child_by_field_name("operator")
                    .is_some_and(|o| text(o, src) == "->");
                Expr::Member {
                    object: self.field(node, "argument"),
                    arrow,
                    field: node
                        .child_by_field_name("field")
                        .map(|f| text(f, src).to_string())
                        .unwrap_or_default(),
                }
            }
            "call_expression" => {
                let callee = self.field(node, "function");
                let args = node
                    .child_by_field_name("arguments")
                    .map(|a| self.arguments(a))
                    .unwrap_or_default();
                let typed_by = match callee.as_ref() {
                    Expr::Ident { name, .. } => crate::idioms::typed_by(name),
                    _ => None,
                };
                Expr::Call {
                    callee,
                    args,
                    typed_by,
                }
            }
            "unary_expression" | "pointer_expression" => Expr::Unary {
                op: self.op(node),
                operand: self.field(node, "argument"),
            },
            "update_expression" => {
                let op = self.op(node);
                let operand = self.field(node, "argument");
                let prefix = node
                    .child_by_field_name("operator")
                    .zip(node.child_by_field_name("argument"))
                    .is_some_and(|(o, a)| o.start_byte() < a.start_byte());
                if prefix {
                    Expr::Unary { op, operand }
                } else {
                    Expr::Postfix { op, operand }
                }
            }
            "binary_expression" => {
                let mut op = self.op(node);
                if op == "+" {
                    let at = node
                        .child_by_field_name("operator")
                        .map_or(0, |o| o.start_byte());
                    if self.orig().as_bytes().get(at) == Some(&b'.') {
                        op = "...".to_string();
                    }
                }
                Expr::Binary {
                    op,
                    left: self.field(node, "left"),
                    right: self.field(node, "right"),
                }
            }
            "assignment_expression" => Expr::Assign {
                op: self.op(node),
                left: self.field(node, "left"),
                right: self.field(node, "right"),
            },
            "conditional_expression" => Expr::Conditional {
                cond: self.field(node, "condition"),
                then: node
                    .child_by_field_name("consequence")
                    .map(|c| Box::new(self.expr(c))),
                other: self.field(node, "alternative"),
            },
            "cast_expression" => {
                let ty = node
                    .child_by_field_name("type")
                    .map(|t| self.type_descriptor(t).0)
                    .unwrap_or_default();
                Expr::Cast {
                    ty,
                    value: self.field(node, "value"),
                }
            }
            "sizeof_expression" | "alignof_expression" => {
                if let Some(t) = node.child_by_field_name("type") {
                    let (ty, s) = self.type_descriptor(t);
                    Expr::Sizeof(Box::new(Expr::TypeName(ty, s)))
                } else if let Some(v) = node.child_by_field_name("value") {
                    Expr::Sizeof(Box::new(self.expr(v)))
                } else {
                    Expr::Raw(self.node_source(node))
                }
            }
            "parenthesized_expression" => {
                let inner: Vec<Node> = named_children(node)
                    .into_iter()
                    .filter(|n| n.kind() != "comment")
                    .collect();
                if inner.len() == 1 && inner[0].kind() != "compound_statement" {
                    Expr::Paren(Box::new(self.expr(inner[0])))
                } else {
                    Expr::Raw(self.node_source(node))
                }
            }
            "subscript_expression" => Expr::Index {
                array: self.field(node, "argument"),
                index: self.field(node, "index"),
            },
            "comma_expression" => {
                let mut items = Vec::new();
                let mut cur = Some(node);
                while let Some(n) = cur {
                    if n.kind() != "comma_expression" {
                        items.push(self.expr(n));
                        break;
                    }
                    if let Some(l) = n.child_by_field_name("left") {
                        items.push(self.expr(l));
                    }
                    cur = n.child_by_field_name("right");
                }
                Expr::Comma(items)
            }
            "initializer_list" => Expr::InitList(self.init_list(node)),
            "compound_literal_expression" => {
                let ty = node
                    .child_by_field_name("type")
                    .map(|t| self.type_descriptor(t).0)
                    .unwrap_or_default();
                let init = node
                    .child_by_field_name("value")
                    .map(|v| self.init_list(v))
                    .unwrap_or_default();
                Expr::CompoundLiteral { ty, init }
            }
            "type_descriptor" => {
                let (ty, s) = self.type_descriptor(node);
                Expr::TypeName(ty, s)
            }
            "ERROR" => {
                let s = self.node_source(node);
                if looks_like_type(&s) {
                    Expr::TypeName(TypeRef::parse(&s), s)
                } else {
                    self.warn(node, "syntax error, kept as source text");
                    Expr::Raw(s)
                }
            }
            _ => Expr::Raw(self.node_source(node)),
        }
    }

    /// Call arguments, split at top-level commas. An argument that did not
    /// parse as one expression (a type passed to a macro, such as
    /// `container_of(p, struct t, m)`) is kept as text: a `TypeName` when it
    /// reads as a type, else raw source with a diagnostic.
    fn arguments(&mut self, list: Node) -> Vec<Expr> {
        let mut groups: Vec<Vec<Node>> = vec![Vec::new()];
        let mut cursor = list.walk();
        for child in list.children(&mut cursor) {
            match child.kind() {
                "," => groups.push(Vec::new()),
                "(" | ")" | "comment" => {}
                _ => groups.last_mut().expect("one group").push(child),
            }
        }
        let mut args = Vec::new();
        for group in groups {
            match group.as_slice() {
                [] => {}
                [one] if !one.is_error() && !one.is_missing() => args.push(self.expr(*one)),
                [first, .., last] | [first @ last] => {
                    let s = self.source(first.start_byte(), last.end_byte());
                    if looks_like_type(&s) {
                        for n in &group {
                            self.explain_errors(*n);
                        }
                        args.push(Expr::TypeName(TypeRef::parse(&s), s));
                    } else if s.is_empty() {
                        continue;
                    } else {
                        self.warn(*first, "syntax error, kept as source text");
                        args.push(Expr::Raw(s));
                    }
                }
            }
        }
        args
    }

    fn init_list(&mut self, node: Node) -> Vec<Init> {
        let src = self.src();
        let mut items = Vec::new();
        for child in named_children(node) {
            match child.kind() {
                "comment" => {}
                "initializer_pair" => {
                    let mut designators = Vec::new();
                    let mut cursor = child.walk();
                    for d in child.children_by_field_name("designator", &mut cursor) {
                        designators.push(match d.kind() {
                            "field_designator" => Designator::Field(
                                d.named_child(0)
                                    .map(|f| text(f, src).to_string())
                                    .unwrap_or_default(),
                            ),
                            "field_identifier" => Designator::Field(text(d, src).to_string()),
                            _ => Designator::Index(clean(text(d, self.orig()))),
                        });
                    }
                    let value = child
                        .child_by_field_name("value")
                        .map(|v| self.expr(v))
                        .unwrap_or(Expr::Raw(String::new()));
                    items.push(Init { designators, value });
                }
                _ => items.push(Init {
                    designators: Vec::new(),
                    value: self.expr(child),
                }),
            }
        }
        items
    }
}

fn looks_like_type(s: &str) -> bool {
    let first = s.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "struct" | "union" | "enum" | "unsigned" | "signed" | "const" | "volatile"
    )
}
