//! Output paths: every component made safe, links made relative.

use std::fmt::Write;

use cgloss_index::{FnId, Index};

fn is_safe_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

/// Longest component written as is; longer ones are cut and hashed.
const MAX_COMPONENT: usize = 100;

/// A path relative to the root made safe to use under the output folder:
/// each component keeps `[A-Za-z0-9_.+-]` and escapes any other byte as
/// `~XX`; a leading `.` and a trailing `.html` are escaped too, so `..`,
/// hidden names and collisions with generated pages cannot happen. Very long
/// components are cut and end with a hash of the whole.
pub fn safe_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (k, comp) in path.split('/').enumerate() {
        if k > 0 {
            out.push('/');
        }
        out.push_str(&safe_component(comp));
    }
    out
}

fn safe_component(comp: &str) -> String {
    let bytes = comp.as_bytes();
    let mut out = String::with_capacity(comp.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape = !is_safe_byte(b) || (i == 0 && b == b'.');
        if escape {
            let _ = write!(out, "~{b:02x}");
        } else {
            out.push(b as char);
        }
    }
    if out.is_empty() {
        out.push('~');
    }
    if out.ends_with(".html") {
        out.push('~');
    }
    if out.len() > MAX_COMPONENT {
        let mut hash: u64 = 0xcbf29ce484222325;
        for &b in bytes {
            hash = (hash ^ b as u64).wrapping_mul(0x100000001b3);
        }
        out.truncate(MAX_COMPONENT - 17);
        let _ = write!(out, "~{hash:016x}");
    }
    out
}

/// A link from the page at `from` to `to`, both relative to the same root.
pub fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    format!("{}{}", "../".repeat(depth), to)
}

/// The file name stem of a function's pages: its name, or `name.L<line>`
/// for a second definition of the name in one file.
pub fn stem(index: &Index, id: FnId) -> String {
    let facts = index.file(id.file);
    let f = &facts.functions[id.idx as usize];
    let earlier = facts.functions[..id.idx as usize]
        .iter()
        .any(|g| g.name == f.name);
    if earlier {
        format!("{}.L{}", f.name, f.line)
    } else {
        f.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert_eq!(safe_path("fs/userfaultfd.c"), "fs/userfaultfd.c");
        assert_eq!(safe_path("../etc/passwd"), "~2e./etc/passwd");
        assert_eq!(safe_path("a b/ü.c"), "a~20b/~c3~bc.c");
        assert_eq!(safe_path(".hidden/x.html"), "~2ehidden/x.html~");
        let long = "x".repeat(300);
        let safe = safe_path(&long);
        assert!(safe.len() <= MAX_COMPONENT);
        assert_ne!(safe, safe_path(&"x".repeat(299)));
    }

    #[test]
    fn relative_links() {
        assert_eq!(relative("index.html", "fs/index.html"), "fs/index.html");
        assert_eq!(
            relative("fs/a.c/f.html", "fs/a.c.html"),
            "../../fs/a.c.html"
        );
    }
}
