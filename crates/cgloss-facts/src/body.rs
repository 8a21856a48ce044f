//! The body IR: statements and expressions of a function body as plain values,
//! with just what glossing needs (names, operators, types of declarations,
//! lines, the original text).

use serde::{Deserialize, Serialize};

use crate::{Line, TypeRef};

/// One statement of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stmt {
    /// Line where it starts.
    pub line: Line,
    /// Last line its rendered line covers (a pulled-up statement included).
    pub end_line: Line,
    /// The C text of its header or whole statement, collapsed to one line.
    pub source: String,
    /// What it is.
    pub kind: StmtKind,
}

/// The kinds of statement the renderer knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StmtKind {
    /// `e;`
    Expr(Expr),
    /// A declaration; only declarators with an initializer are rendered.
    Decl(Vec<Declarator>),
    /// `if (cond) then [else …]`.
    If {
        /// The condition, outer parentheses removed.
        cond: Expr,
        /// The consequence.
        then: Box<Stmt>,
        /// The `else` branch.
        else_branch: Option<Box<ElseBranch>>,
    },
    /// `while (cond) body`.
    While {
        /// The condition.
        cond: Expr,
        /// The body.
        body: Box<Stmt>,
    },
    /// `do body while (cond);`
    DoWhile {
        /// The body.
        body: Box<Stmt>,
        /// The condition.
        cond: Expr,
        /// Line of the `while`.
        while_line: Line,
        /// Source of the `while (…);` part.
        while_source: String,
    },
    /// `for (init; cond; update) body`.
    For {
        /// The initializer (an expression or a declaration rendered as one).
        init: Option<Expr>,
        /// The condition.
        cond: Option<Expr>,
        /// The update.
        update: Option<Expr>,
        /// The body.
        body: Box<Stmt>,
    },
    /// A macro used as a loop head: `list_for_each_entry(pos, head, member) body`.
    MacroLoop {
        /// The macro call.
        call: Expr,
        /// The body.
        body: Box<Stmt>,
    },
    /// `switch (cond) body`.
    Switch {
        /// The controlling expression.
        cond: Expr,
        /// The body.
        body: Box<Stmt>,
    },
    /// `case value:` (or `default:` when `value` is `None`) and its statements.
    Case {
        /// The case value.
        value: Option<Expr>,
        /// Statements up to the next label.
        stmts: Vec<Stmt>,
    },
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `goto label;`
    Goto(String),
    /// `return [e];`
    Return(Option<Expr>),
    /// `label:`
    Label(String),
    /// `{ … }`
    Block(Vec<Stmt>),
    /// A preprocessor line kept verbatim (`#ifdef CONFIG_X`, `#endif`).
    Directive(String),
    /// Text kept as written: `asm` statements, code that did not parse.
    Verbatim(String),
    /// `;`
    Empty,
}

impl StmtKind {
    /// A statement an `if` or `else` without braces pulls up onto its own
    /// line (RENDERING.md §2): an expression, `return`, `break`, `continue`
    /// or `goto`.
    pub fn is_simple(&self) -> bool {
        matches!(
            self,
            StmtKind::Expr(_)
                | StmtKind::Return(_)
                | StmtKind::Break
                | StmtKind::Continue
                | StmtKind::Goto(_)
        )
    }
}

/// The `else` part of an `if`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElseBranch {
    /// Line of the `else` keyword.
    pub line: Line,
    /// Source of `else` (and of the `if (…)` of an `else if`).
    pub source: String,
    /// The statement after `else`.
    pub stmt: Stmt,
}

/// One declarator of a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declarator {
    /// Declared name.
    pub name: String,
    /// Declared type.
    pub ty: TypeRef,
    /// Initializer.
    pub init: Option<Expr>,
    /// Byte offset of the declaration (for scoping).
    pub pos: u32,
    /// Byte offset where its scope (the enclosing block) ends.
    pub scope_end: u32,
}

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expr {
    /// A name; `pos` is its byte offset, for finding the local it names.
    Ident {
        /// The name.
        name: String,
        /// Byte offset in the file.
        pos: u32,
    },
    /// A literal or anything printed as written (numbers, strings, chars).
    Literal(String),
    /// `object->field` or `object.field`.
    Member {
        /// The object.
        object: Box<Expr>,
        /// `->` rather than `.`.
        arrow: bool,
        /// The member name.
        field: String,
    },
    /// `callee(args)`.
    Call {
        /// The called expression.
        callee: Box<Expr>,
        /// The arguments.
        args: Vec<Expr>,
        /// For a macro whose value has a type its arguments name
        /// (`container_of`, `min_t`, `READ_ONCE`): which argument.
        typed_by: Option<TypedBy>,
    },
    /// A prefix operator: `!`, `-`, `~`, `*`, `&`, `++`, `--`, `+`.
    Unary {
        /// The operator.
        op: String,
        /// The operand.
        operand: Box<Expr>,
    },
    /// A postfix operator: `++`, `--`.
    Postfix {
        /// The operator.
        op: String,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: String,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `left op= right`.
    Assign {
        /// The operator (`=`, `+=`, …).
        op: String,
        /// The target.
        left: Box<Expr>,
        /// The value.
        right: Box<Expr>,
    },
    /// `cond ? then : other`, or `cond ?: other` with `then` absent.
    Conditional {
        /// The condition.
        cond: Box<Expr>,
        /// The value when true, absent for `?:`.
        then: Option<Box<Expr>>,
        /// The value when false.
        other: Box<Expr>,
    },
    /// `(type) value`; the renderer drops the cast.
    Cast {
        /// The type cast to.
        ty: TypeRef,
        /// The value.
        value: Box<Expr>,
    },
    /// `sizeof(type)` or `sizeof expr`.
    Sizeof(Box<Expr>),
    /// `(inner)`.
    Paren(Box<Expr>),
    /// `array[index]`.
    Index {
        /// The array.
        array: Box<Expr>,
        /// The index.
        index: Box<Expr>,
    },
    /// `a, b`.
    Comma(Vec<Expr>),
    /// `{ … }`.
    InitList(Vec<Init>),
    /// `(type){ … }`.
    CompoundLiteral {
        /// The type as written.
        ty: TypeRef,
        /// The initializer list.
        init: Vec<Init>,
    },
    /// A type written where an expression could stand (a macro argument, a
    /// `sizeof` operand), as written.
    TypeName(TypeRef, String),
    /// Source text kept as written (collapsed).
    Raw(String),
}

/// How a call's value takes its type from its arguments (lowering marks
/// the calls of macros its idiom table knows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TypedBy {
    /// `container_of(p, struct t, m)`, `list_entry(…)`: a pointer to the type
    /// argument; without one, the first argument's type.
    TypeArgPointer,
    /// `min_t(u32, a, b)`: the type argument.
    TypeArg,
    /// `READ_ONCE(x)`, `rcu_dereference(p)`, `this_cpu_ptr(&v)`: the first
    /// argument's type.
    FirstArg,
}

impl Expr {
    /// Every name in the expression, in order: identifiers (callees
    /// included) and the base names of the types it casts to or names
    /// (`struct thread_info`).
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Ident { name, .. } => out.push(name.as_str()),
                Expr::Member { object, .. } => stack.push(object),
                Expr::Call { callee, args, .. } => {
                    stack.extend(args.iter().rev());
                    stack.push(callee);
                }
                Expr::Unary { operand, .. } | Expr::Postfix { operand, .. } => stack.push(operand),
                Expr::Binary { left, right, .. } | Expr::Assign { left, right, .. } => {
                    stack.push(right);
                    stack.push(left);
                }
                Expr::Conditional { cond, then, other } => {
                    stack.push(other);
                    stack.extend(then.as_deref());
                    stack.push(cond);
                }
                Expr::Cast { ty, value } => {
                    out.push(ty.base.as_str());
                    stack.push(value);
                }
                Expr::TypeName(ty, _) => out.push(ty.base.as_str()),
                Expr::Sizeof(x) | Expr::Paren(x) => stack.push(x),
                Expr::Index { array, index } => {
                    stack.push(index);
                    stack.push(array);
                }
                Expr::Comma(items) => stack.extend(items.iter().rev()),
                Expr::CompoundLiteral { ty, init } => {
                    out.push(ty.base.as_str());
                    stack.extend(init.iter().rev().map(|i| &i.value))
                }
                Expr::InitList(items) => stack.extend(items.iter().rev().map(|i| &i.value)),
                Expr::Literal(_) | Expr::Raw(_) => {}
            }
        }
        out
    }
}

/// One element of an initializer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Init {
    /// Designators before `=` (empty for a positional element).
    pub designators: Vec<Designator>,
    /// The value.
    pub value: Expr,
}

/// One designator: `.field` or `[index]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Designator {
    /// `.field`
    Field(String),
    /// `[index]` or `[a ... b]`, as written.
    Index(String),
}
