//! Syntax classes of a file's text for a source view, read from the
//! tree-sitter parse (after the pre-pass, whose text has the same offsets):
//! comments, literals, keywords, types, fields, identifiers, directives.

/// What a piece of source text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A comment.
    Comment,
    /// A string or character literal, or an `#include <…>` path.
    String,
    /// A number.
    Number,
    /// A keyword (`if`, `struct`, `static`, `sizeof`…).
    Keyword,
    /// A type name (`int`, `size_t`, a struct tag).
    Type,
    /// A member name after `.` or `->`, or in a struct body.
    Field,
    /// Any other identifier (functions, variables, macros, constants).
    Identifier,
    /// A preprocessor keyword (`#define`, `#if`…).
    Directive,
}

impl Class {
    /// A short name, for CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Class::Comment => "c",
            Class::String => "s",
            Class::Number => "n",
            Class::Keyword => "k",
            Class::Type => "t",
            Class::Field => "f",
            Class::Identifier => "i",
            Class::Directive => "p",
        }
    }
}

/// One classified range of the text, `start..end` in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// What it is.
    pub class: Class,
}

fn class_of(node: tree_sitter::Node, text: &str) -> Option<Class> {
    let kind = node.kind();
    // A keyword the pre-pass wrote (`while` over `list_for_each_entry`)
    // is not in the original text: leave it plain.
    if !node.is_named() && text.get(node.byte_range()) != Some(kind) {
        return None;
    }
    Some(match kind {
        "comment" => Class::Comment,
        "string_literal" | "char_literal" | "system_lib_string" | "concatenated_string" => {
            Class::String
        }
        "number_literal" => Class::Number,
        "primitive_type" | "type_identifier" | "sized_type_specifier" => Class::Type,
        "field_identifier" => Class::Field,
        "identifier" => Class::Identifier,
        "true" | "false" | "null" => Class::Keyword,
        _ if !node.is_named() && kind.starts_with('#') => Class::Directive,
        _ if !node.is_named() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            Class::Keyword
        }
        _ => return None,
    })
}

/// The classified ranges of `text`, in order, not overlapping; text in no
/// range is plain (punctuation, spaces, what the pre-pass blanked, what
/// did not parse). Empty when the text cannot be parsed at all.
pub fn highlight(text: &str) -> Vec<Highlight> {
    let Some(parse) = crate::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cursor = parse.tree.walk();
    // Depth-first over the whole tree with the cursor: no recursion.
    loop {
        let node = cursor.node();
        let class = class_of(node, text);
        let range = node.byte_range();
        if let Some(class) = class.filter(|_| range.start < range.end && range.end <= text.len()) {
            // A literal or comment is one range; nothing inside it is.
            out.push(Highlight {
                start: range.start,
                end: range.end,
                class,
            });
        } else if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(text: &str) -> Vec<String> {
        highlight(text)
            .iter()
            .map(|h| format!("{}:{}", h.class.name(), &text[h.start..h.end]))
            .collect()
    }

    #[test]
    fn classes_come_from_the_parse() {
        let text = "#include <linux/fs.h>\n/* doc */\nstatic int f(struct file *file, size_t n)\n{\n\tif (n > 4)\n\t\treturn file->f_count + sizeof(long);\n\treturn \"x\"[0];\n}\n";
        assert_eq!(
            classes(text),
            [
                "p:#include",
                "s:<linux/fs.h>",
                "c:/* doc */",
                "k:static",
                "t:int",
                "i:f",
                "k:struct",
                "t:file",
                "i:file",
                "t:size_t",
                "i:n",
                "k:if",
                "i:n",
                "n:4",
                "k:return",
                "i:file",
                "f:f_count",
                "k:sizeof",
                "t:long",
                "k:return",
                "s:\"x\"",
                "n:0",
            ]
        );
        // `if` inside a comment or a string is no keyword.
        assert_eq!(
            classes("// if x\nint y = 1;\n"),
            ["c:// if x", "t:int", "i:y", "n:1"]
        );
        assert!(highlight("").is_empty());
        // What the pre-pass rewrote stays plain; its arguments are still read.
        assert_eq!(
            classes("void f(void)\n{\n\tlist_for_each_entry(e, h, node)\n\t\tg(e);\n}\n"),
            ["t:void", "i:f", "t:void", "i:e", "i:h", "i:node", "i:g", "i:e"]
        );
    }
}
