//! What the renderer knows of types: the static type of an expression
//! (locals, parameters, globals, member types, casts, the calls the IR marks
//! as typed by their arguments, the return types of functions, and what
//! macros expand to), and which struct definition a member access finds.
//!
//! Before a body is rendered, `Scope::new` walks it once and gathers, per
//! struct tag, every member the function accesses on objects of that type;
//! `Index::choose_record` uses that set to tell same-tag definitions apart
//! (SLAB's and SLUB's `struct kmem_cache`). One choice per tag and
//! function, made in one place, used by every member access.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use cgloss_facts::{Declarator, ElseBranch, Expr, Init, Param, Stmt, StmtKind, TypeRef, TypedBy};
use cgloss_index::{CallableKind, FileId, Index, MemberLookup, RecordChoice};

/// How deep macro expansions are followed (`#define a b`, `#define b c()`).
const MAX_EXPANSIONS: u32 = 8;

/// The names and types a function body sees.
pub(crate) struct Scope<'a> {
    pub index: &'a Index,
    pub file: FileId,
    pub params: &'a [Param],
    pub locals: &'a [Declarator],
    /// Struct tag → members the body accesses on objects of that type.
    accessed: HashMap<String, Vec<String>>,
    /// Set while `accessed` is being gathered: choices are then provisional.
    gathering: Cell<bool>,
    choices: RefCell<HashMap<String, Rc<RecordChoice<'a>>>>,
}

/// Where the identifiers of an expression are looked up.
#[derive(Clone, Copy)]
enum Ctx<'e> {
    /// The function body: locals and parameters first.
    Body,
    /// A macro's expansion: its parameters are the call's arguments
    /// (looked up in `outer`), every other name is at file scope.
    Macro {
        params: &'e [String],
        args: &'e [Expr],
        outer: &'e Ctx<'e>,
    },
}

impl<'a> Scope<'a> {
    /// The scope of a body; gathers the members it accesses per struct.
    pub fn new(
        index: &'a Index,
        file: FileId,
        params: &'a [Param],
        locals: &'a [Declarator],
        body: &[Stmt],
    ) -> Scope<'a> {
        let mut scope = Scope {
            index,
            file,
            params,
            locals,
            accessed: HashMap::new(),
            gathering: Cell::new(true),
            choices: RefCell::new(HashMap::new()),
        };
        let mut accessed = HashMap::new();
        for s in body {
            scope.gather_stmt(s, &mut accessed);
        }
        scope.accessed = accessed;
        scope.gathering.set(false);
        scope
    }

    /// The local `name` declared at or before byte `pos` and in scope there.
    pub fn local(&self, name: &str, pos: u32) -> Option<&'a Declarator> {
        self.locals
            .iter()
            .filter(|d| d.name == name && d.pos <= pos && pos < d.scope_end)
            .max_by_key(|d| d.pos)
    }

    /// Whether `name` at `pos` is a local or a parameter.
    pub fn is_local(&self, name: &str, pos: u32) -> bool {
        self.local(name, pos).is_some() || self.params.iter().any(|p| p.name == name)
    }

    /// Struct tag → the members the body accesses on objects of that type.
    pub fn accessed(&self) -> &HashMap<String, Vec<String>> {
        &self.accessed
    }

    /// The definitions an object of struct `tag` may have in this function
    /// (the choice every member access of the body uses).
    pub fn record_choice(&self, tag: &str) -> Rc<RecordChoice<'a>> {
        self.choice(tag)
    }

    /// The definitions an object of struct `tag` may have in this function.
    fn choice(&self, tag: &str) -> Rc<RecordChoice<'a>> {
        if self.gathering.get() {
            return Rc::new(self.index.choose_record(tag, self.file, &[]));
        }
        if let Some(c) = self.choices.borrow().get(tag) {
            return c.clone();
        }
        let accessed: Vec<&str> = self
            .accessed
            .get(tag)
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let c = Rc::new(self.index.choose_record(tag, self.file, &accessed));
        self.choices.borrow_mut().insert(tag.to_string(), c.clone());
        c
    }

    /// The struct tag whose member `field` an object of static type `ty`
    /// (`None`: unknown) reaches: the type's own, or — only when the type is
    /// unknown — the one struct in the tree having such a member.
    fn tag_for(&self, ty: Option<&TypeRef>, field: &str) -> Option<String> {
        match ty {
            Some(ty) => {
                let ty = self.index.resolve_type(ty, self.file);
                self.index.has_record(&ty.base).then_some(ty.base)
            }
            None => self.index.unique_owner(field).map(str::to_string),
        }
    }

    /// What member `field` of an object of static type `ty` is.
    pub fn member_of_type(&self, ty: Option<&TypeRef>, field: &str) -> Option<MemberLookup<'a>> {
        let tag = self.tag_for(ty, field)?;
        Some(self.choice(&tag).member(field))
    }

    /// What `object.field` (or `object->field`) is.
    pub fn member(&self, object: &Expr, field: &str) -> Option<MemberLookup<'a>> {
        self.member_of_type(self.type_of(object).as_ref(), field)
    }

    /// The type of member `field` of an object of static type `ty`.
    fn member_type(&self, ty: Option<&TypeRef>, field: &str) -> Option<TypeRef> {
        let tag = self.tag_for(ty, field)?;
        self.choice(&tag).member_type(field).cloned()
    }

    // ---- gathering the members accessed ----

    fn note(&self, ty: Option<&TypeRef>, field: &str, out: &mut HashMap<String, Vec<String>>) {
        if let Some(tag) = self.tag_for(ty, field) {
            let fields = out.entry(tag).or_default();
            if !fields.iter().any(|f| f == field) {
                fields.push(field.to_string());
            }
        }
    }

    fn gather_stmt(&self, s: &Stmt, out: &mut HashMap<String, Vec<String>>) {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.gather_expr(e, out),
            StmtKind::Decl(decls) => {
                for d in decls {
                    match &d.init {
                        Some(Expr::InitList(items)) => self.gather_init(items, Some(&d.ty), out),
                        Some(e) => self.gather_expr(e, out),
                        None => {}
                    }
                }
            }
            StmtKind::If {
                cond,
                then,
                else_branch,
            } => {
                self.gather_expr(cond, out);
                self.gather_stmt(then, out);
                if let Some(ElseBranch { stmt, .. }) = else_branch.as_deref() {
                    self.gather_stmt(stmt, out);
                }
            }
            StmtKind::While { cond, body }
            | StmtKind::Switch { cond, body }
            | StmtKind::DoWhile { body, cond, .. }
            | StmtKind::MacroLoop { call: cond, body } => {
                self.gather_expr(cond, out);
                self.gather_stmt(body, out);
            }
            StmtKind::For {
                init,
                cond,
                update,
                body,
            } => {
                for e in [init, cond, update].into_iter().flatten() {
                    self.gather_expr(e, out);
                }
                self.gather_stmt(body, out);
            }
            StmtKind::Case { value, stmts } => {
                if let Some(v) = value {
                    self.gather_expr(v, out);
                }
                for s in stmts {
                    self.gather_stmt(s, out);
                }
            }
            StmtKind::Block(stmts) => {
                for s in stmts {
                    self.gather_stmt(s, out);
                }
            }
            _ => {}
        }
    }

    fn gather_init(
        &self,
        items: &[Init],
        ty: Option<&TypeRef>,
        out: &mut HashMap<String, Vec<String>>,
    ) {
        let known = ty.filter(|t| !t.is_unknown());
        for item in items {
            let mut member_ty = None;
            for d in &item.designators {
                if let cgloss_facts::Designator::Field(field) = d {
                    self.note(known, field, out);
                    member_ty = self.member_type(known, field);
                }
            }
            match &item.value {
                Expr::InitList(inner) => self.gather_init(inner, member_ty.as_ref(), out),
                other => self.gather_expr(other, out),
            }
        }
    }

    fn gather_expr(&self, e: &Expr, out: &mut HashMap<String, Vec<String>>) {
        match e {
            Expr::Member { object, field, .. } => {
                self.note(self.type_of(object).as_ref(), field, out);
                self.gather_expr(object, out);
            }
            Expr::Call { callee, args, .. } => {
                self.gather_expr(callee, out);
                for a in args {
                    self.gather_expr(a, out);
                }
            }
            Expr::Unary { operand, .. } | Expr::Postfix { operand, .. } => {
                self.gather_expr(operand, out)
            }
            Expr::Binary { left, right, .. } => {
                self.gather_expr(left, out);
                self.gather_expr(right, out);
            }
            Expr::Assign { left, right, .. } => {
                self.gather_expr(left, out);
                match right.as_ref() {
                    Expr::InitList(items) => {
                        self.gather_init(items, self.type_of(left).as_ref(), out)
                    }
                    other => self.gather_expr(other, out),
                }
            }
            Expr::Conditional { cond, then, other } => {
                self.gather_expr(cond, out);
                if let Some(t) = then {
                    self.gather_expr(t, out);
                }
                self.gather_expr(other, out);
            }
            Expr::Cast { value, .. } => self.gather_expr(value, out),
            Expr::Sizeof(inner) | Expr::Paren(inner) => self.gather_expr(inner, out),
            Expr::Index { array, index } => {
                self.gather_expr(array, out);
                self.gather_expr(index, out);
            }
            Expr::Comma(items) => {
                for x in items {
                    self.gather_expr(x, out);
                }
            }
            Expr::InitList(items) => self.gather_init(items, None, out),
            Expr::CompoundLiteral { ty, init } => self.gather_init(init, Some(ty), out),
            Expr::Ident { .. } | Expr::Literal(_) | Expr::TypeName(..) | Expr::Raw(_) => {}
        }
    }

    // ---- types ----

    /// The static type of an expression, when the declarations tell it.
    /// `None` means unknown (as opposed to known but not a struct).
    pub fn type_of(&self, e: &Expr) -> Option<TypeRef> {
        self.type_in(e, &Ctx::Body, 0)
    }

    fn type_in(&self, e: &Expr, ctx: &Ctx, depth: u32) -> Option<TypeRef> {
        let known = |t: &TypeRef| (!t.is_unknown()).then(|| t.clone());
        let sub = |x: &Expr| self.type_in(x, ctx, depth);
        match e {
            Expr::Ident { name, pos } => match ctx {
                Ctx::Body => {
                    if let Some(d) = self.local(name, *pos) {
                        return known(&d.ty);
                    }
                    if let Some(p) = self.params.iter().find(|p| p.name == *name) {
                        return known(&p.ty);
                    }
                    self.file_scope_type(name, depth)
                }
                Ctx::Macro {
                    params,
                    args,
                    outer,
                } => match params.iter().position(|p| p == name) {
                    Some(i) => self.type_in(args.get(i)?, outer, depth),
                    None => self.file_scope_type(name, depth),
                },
            },
            Expr::Member { object, field, .. } => self
                .member_type(sub(object).as_ref(), field)
                .and_then(|t| known(&t)),
            Expr::Call {
                callee,
                args,
                typed_by,
            } => {
                let type_arg = || {
                    args.iter().find_map(|a| match a {
                        Expr::TypeName(t, _) => known(t),
                        _ => None,
                    })
                };
                let first_arg = || args.first().and_then(sub);
                match typed_by {
                    Some(TypedBy::TypeArgPointer) => {
                        return match type_arg() {
                            Some(mut t) => {
                                t.ptr = t.ptr.saturating_add(1);
                                Some(t)
                            }
                            None => first_arg(),
                        }
                    }
                    Some(TypedBy::TypeArg) => return type_arg(),
                    Some(TypedBy::FirstArg) => return first_arg(),
                    None => {}
                }
                let Expr::Ident { name, pos } = callee.as_ref() else {
                    return None;
                };
                if matches!(ctx, Ctx::Body) && self.is_local(name, *pos) {
                    return None;
                }
                let c = self.index.resolve_call(name, self.file)?;
                match c.kind {
                    CallableKind::Macro => self.expansion_type(name, Some(args), ctx, depth),
                    _ => known(&TypeRef::parse(c.return_type?)),
                }
            }
            Expr::Cast { ty, .. } => known(ty),
            Expr::CompoundLiteral { ty, .. } => known(ty),
            Expr::Paren(inner) => sub(inner),
            Expr::Unary { op, operand } => {
                let mut t = sub(operand)?;
                match op.as_str() {
                    "*" => t.ptr = t.ptr.checked_sub(1)?,
                    "&" => t.ptr = t.ptr.saturating_add(1),
                    "++" | "--" => {}
                    _ => return None,
                }
                Some(t)
            }
            Expr::Postfix { operand, .. } => sub(operand),
            Expr::Index { array, .. } => {
                let mut t = sub(array)?;
                t.ptr = t.ptr.checked_sub(1)?;
                Some(t)
            }
            Expr::Conditional { then, other, .. } => {
                then.as_ref().and_then(|t| sub(t)).or_else(|| sub(other))
            }
            Expr::Comma(items) => items.last().and_then(sub),
            Expr::Assign { left, .. } => sub(left),
            Expr::Binary { op, left, .. } if op == "+" || op == "-" => {
                sub(left).filter(|t| t.ptr > 0)
            }
            _ => None,
        }
    }

    /// The type of a name at file scope: a global, or what an object-like
    /// macro expands to.
    fn file_scope_type(&self, name: &str, depth: u32) -> Option<TypeRef> {
        if let Some((g, _)) = self.index.global(name, self.file) {
            return (!g.ty.is_unknown()).then(|| g.ty.clone());
        }
        self.expansion_type(name, None, &Ctx::Body, depth)
    }

    /// The type of what macro `name` expands to: an object-like one when
    /// `args` is `None`, a function-like one called with `args`. Every
    /// definition of the name whose expansion has a type must agree.
    fn expansion_type(
        &self,
        name: &str,
        args: Option<&[Expr]>,
        outer: &Ctx,
        depth: u32,
    ) -> Option<TypeRef> {
        if depth >= MAX_EXPANSIONS {
            return None;
        }
        let mut found: Option<TypeRef> = None;
        for m in self.index.macros(name) {
            let Some(value) = &m.value else {
                continue;
            };
            let params: &[String] = match (&m.params, args) {
                (None, None) => &[],
                (Some(p), Some(_)) => p,
                _ => continue,
            };
            let ctx = Ctx::Macro {
                params,
                args: args.unwrap_or(&[]),
                outer,
            };
            let Some(t) = self.type_in(value, &ctx, depth + 1) else {
                continue;
            };
            match &found {
                Some(f) if *f != t => return None,
                _ => found = Some(t),
            }
        }
        found
    }
}
