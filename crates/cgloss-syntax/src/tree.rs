//! Small helpers over tree-sitter nodes: text, lines, names and types of
//! declarators.

use cgloss_facts::{Line, TypeRef};
use tree_sitter::Node;

use crate::docs::collapse;

/// The node's 1-based start line.
pub fn line(node: Node) -> Line {
    node.start_position().row as Line + 1
}

/// The node's 1-based end line (a node ending at column 0 ends on the line before).
pub fn end_line(node: Node) -> Line {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        end.row as Line
    } else {
        end.row as Line + 1
    }
}

/// The text of `node` in `text`.
pub fn text<'a>(node: Node, text: &'a str) -> &'a str {
    text.get(node.byte_range()).unwrap_or("")
}

/// Removes comments from a piece of C and collapses whitespace (line
/// continuations included).
pub fn clean(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut copy_from = 0;
    for t in crate::lex::Lexer::new(src).filter(|t| t.is_comment()) {
        out.push_str(&src[copy_from..t.start]);
        out.push(' ');
        copy_from = t.end;
    }
    out.push_str(&src[copy_from..]);
    collapse(&out.replace("\\\n", " ").replace("\\\r\n", " "))
}

/// The original text of `node`, comments removed and whitespace collapsed.
pub fn source(node: Node, original: &str) -> String {
    clean(text(node, original))
}

/// Named children of a node.
pub fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// All children of a node.
pub fn children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// The base type named by a type specifier node.
pub fn base_type(node: Node, src: &str, anon_tag: impl FnOnce(Node) -> String) -> String {
    match node.kind() {
        "primitive_type" | "sized_type_specifier" | "type_identifier" => collapse(text(node, src)),
        "struct_specifier" | "union_specifier" | "enum_specifier" => {
            let keyword = &node.kind()[..node.kind().len() - "_specifier".len()];
            match node.child_by_field_name("name") {
                Some(name) => format!("{keyword} {}", text(name, src)),
                None if node.child_by_field_name("body").is_some() => anon_tag(node),
                None => String::new(),
            }
        }
        _ => String::new(),
    }
}

/// Walks a declarator down to its name, counting pointer and array levels.
/// Returns `(name node, levels, is_function)`.
pub fn declarator_name(mut node: Node) -> Option<(Node, u8, bool)> {
    let mut levels = 0u8;
    let mut function = false;
    for _ in 0..64 {
        match node.kind() {
            "identifier" | "field_identifier" | "type_identifier" => {
                return Some((node, levels, function))
            }
            "pointer_declarator" | "abstract_pointer_declarator" => {
                levels = levels.saturating_add(1);
                node = node.child_by_field_name("declarator")?;
            }
            "array_declarator" | "abstract_array_declarator" => {
                levels = levels.saturating_add(1);
                node = node.child_by_field_name("declarator")?;
            }
            "function_declarator" | "abstract_function_declarator" => {
                // A pointer seen before this belongs to the return type.
                function = true;
                levels = 0;
                node = node.child_by_field_name("declarator")?;
            }
            "init_declarator" | "attributed_declarator" => {
                node = node
                    .child_by_field_name("declarator")
                    .or_else(|| node.named_child(0))?;
            }
            "parenthesized_declarator" => {
                node = node.named_child(0)?;
            }
            _ => return None,
        }
    }
    None
}

/// Pointer levels of a declarator above its function declarator: the stars
/// of a function's return type (`struct task *pick_next(…)` gives 1).
pub fn return_pointer_levels(mut node: Node) -> u8 {
    let mut levels = 0u8;
    for _ in 0..64 {
        match node.kind() {
            "pointer_declarator" => {
                levels = levels.saturating_add(1);
                match node.child_by_field_name("declarator") {
                    Some(n) => node = n,
                    None => break,
                }
            }
            "attributed_declarator" | "parenthesized_declarator" => match node.named_child(0) {
                Some(n) => node = n,
                None => break,
            },
            _ => break,
        }
    }
    levels
}

/// The function declarator inside a declarator, if it declares a function
/// (not a pointer to one: `(*fp)(args)`), and the declarator of the function
/// pointer it returns when it returns one: in `int (*get(const X *x))(int
/// flen)` the function is `get(const X *x)`, the pointer it returns
/// `(*get(const X *x))(int flen)`.
pub fn returned_function(mut node: Node) -> Option<(Node, Option<Node>)> {
    let mut returned = None;
    for _ in 0..64 {
        match node.kind() {
            "function_declarator" => {
                let inner = node.child_by_field_name("declarator")?;
                // `(*fp)(args)` declares a pointer, not a function;
                // `(lua_gettop)(args)` a function.
                let name_only = inner
                    .named_child(0)
                    .is_some_and(|c| c.kind() == "identifier")
                    && inner.named_child_count() == 1;
                if inner.kind() == "parenthesized_declarator" && !name_only {
                    let mut n = inner.named_child(0)?;
                    while matches!(n.kind(), "pointer_declarator" | "attributed_declarator") {
                        n = n.child_by_field_name("declarator")?;
                    }
                    if n.kind() != "function_declarator" {
                        return None;
                    }
                    returned.get_or_insert(node);
                    node = n;
                    continue;
                }
                return Some((node, returned));
            }
            "pointer_declarator" | "attributed_declarator" | "init_declarator" => {
                node = node.child_by_field_name("declarator")?;
            }
            _ => return None,
        }
    }
    None
}

/// The return type of a function returning a function pointer: `ret` (the
/// pointed-to function's return type) with the pointer and the parameters
/// of `returned` (see `returned_function`), `int (*)(int flen)`.
pub fn function_pointer_type(ret: &str, returned: Node, src: &str) -> String {
    let stars = returned
        .child_by_field_name("declarator")
        .and_then(|p| p.named_child(0))
        .map_or(1, return_pointer_levels)
        .max(1);
    let params = returned
        .child_by_field_name("parameters")
        .map(|p| clean(&src[p.start_byte()..p.end_byte()]))
        .unwrap_or_default();
    format!("{ret} ({}){params}", "*".repeat(stars as usize))
}

/// The type of a declarator whose specifier names `base`.
pub fn type_ref(base: &str, declarator: Option<Node>) -> TypeRef {
    let levels = declarator
        .and_then(declarator_name)
        .map_or(0, |(_, levels, function)| if function { 0 } else { levels });
    let is_function = declarator
        .and_then(declarator_name)
        .is_some_and(|(_, _, f)| f);
    if is_function {
        return TypeRef::default();
    }
    TypeRef::new(base, levels)
}
