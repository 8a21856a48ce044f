//! Turning doc text into a gloss: kernel-doc markup unwrapped, whitespace
//! collapsed, long comments cut to their first sentence (never inside a
//! word), one trailing period removed; and the capital rules of §4.

/// Longest gloss taken whole; longer comments gloss as their first sentence.
const MAX_GLOSS: usize = 120;

/// The gloss of a doc text (a summary or a parameter doc).
pub fn gloss(text: &str) -> String {
    let mut s = collapse(&unwrap_markup(text));
    if s.chars().count() > MAX_GLOSS {
        s = first_sentence(&s);
        if s.chars().count() > MAX_GLOSS {
            s = cut_at_word(&s, MAX_GLOSS);
        }
    }
    // One trailing period goes (RENDERING.md §5); so does a trailing colon,
    // which in a comment above a run of members introduces the run and reads
    // as noise in the middle of a sentence (`tsk's context switch counts: = 0`).
    if s.ends_with('.') || s.ends_with(':') {
        s.pop();
    }
    s
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// C source on one line: continuations joined, whitespace collapsed.
pub(crate) fn collapse_source(s: &str) -> String {
    collapse(&s.replace("\\\n", " ").replace("\\\r\n", " "))
}

/// `&struct foo` → `struct foo`, `%NULL` → `NULL`, `@mm` → `mm`, ``` ``x`` ``` → `x`.
fn unwrap_markup(text: &str) -> String {
    let text = text.replace("``", "");
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev_boundary = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let next_ident = next.is_alphabetic() || next == '_';
        match c {
            '%' | '@' if prev_boundary && next_ident => continue,
            '&' if prev_boundary => {
                let rest: String = chars[i + 1..].iter().take(9).collect();
                if ["struct ", "union ", "enum ", "typedef "]
                    .iter()
                    .any(|kw| rest.starts_with(kw))
                {
                    continue;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The text up to the first sentence end: `.`, `!` or `?` followed by a
/// space, unless the word before is an abbreviation (`e.g.`, `etc.`) or a
/// single letter (an initial).
fn first_sentence(s: &str) -> String {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'.' | b'!' | b'?') || bytes.get(i + 1) != Some(&b' ') {
            continue;
        }
        let word = s[..i].rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
        let abbreviation = matches!(
            word.as_str(),
            "e.g" | "i.e" | "etc" | "vs" | "cf" | "approx" | "incl" | "resp" | "no" | "ie" | "eg"
        ) || word.chars().filter(|c| c.is_alphabetic()).count() <= 1;
        if b == b'.' && abbreviation {
            continue;
        }
        return s[..=i].to_string();
    }
    s.to_string()
}

fn cut_at_word(s: &str, max: usize) -> String {
    let mut end = 0;
    for (count, (i, c)) in s.char_indices().enumerate() {
        if count >= max {
            break;
        }
        if c == ' ' {
            end = i;
        }
    }
    if end == 0 {
        return s.to_string();
    }
    format!("{}…", s[..end].trim_end_matches([',', ';', ':']))
}

/// How the gloss `g` of the symbol `name` reads in a rendered line
/// (RENDERING.md §4, §5a): a gloss that begins with the symbol's own name
/// and goes on reads `NAME (the rest)`; at the start of a line it starts
/// with a capital, unless its first word is an identifier (it has `_`,
/// `()` or a digit, or `declared` says it is a name of the tree — the
/// renderer asks that of plain comments only: a kernel-doc summary starts
/// with a verb, `free previously allocated memory`); elsewhere
/// an ordinary capitalized first word goes lower-case.
pub fn placed(name: &str, g: &str, at_start: bool, declared: &dyn Fn(&str) -> bool) -> String {
    if let Some(rest) = g
        .strip_prefix(name)
        .map(|r| r.strip_prefix("()").unwrap_or(r))
        .filter(|r| r.starts_with([' ', ':', ',']))
        .map(|r| r.trim_start_matches([' ', ':', ',', '-']).trim())
        .filter(|r| !r.is_empty())
    {
        return format!("{name} ({rest})");
    }
    if !at_start {
        return decapitalize(g);
    }
    let first = g.split_whitespace().next().unwrap_or("");
    let word = first.trim_end_matches([',', '.', ':', ';']);
    let identifier = word.contains('_')
        || word.contains("()")
        || word.chars().any(|c| c.is_ascii_digit())
        || declared(word.trim_end_matches("()"));
    if identifier {
        g.to_string()
    } else {
        capitalize(g)
    }
}

/// A gloss placed at the start of a line starts with a capital.
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

/// A gloss elsewhere starts lower-case when its first word is an ordinary
/// capitalized word (`The`, `Flags,`); acronyms (`DMA`, `IRQs`) stay.
pub fn decapitalize(s: &str) -> String {
    let word: &str = s
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| !c.is_alphanumeric());
    let mut chars = word.chars();
    let ordinary = match chars.next() {
        Some(first) if first.is_ascii_uppercase() => {
            let rest: Vec<char> = chars.collect();
            (rest.is_empty() && first != 'I')
                || (!rest.is_empty() && rest.iter().all(|c| c.is_ascii_lowercase()))
        }
        _ => false,
    };
    if !ordinary {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut first = true;
    for c in s.chars() {
        if first {
            out.extend(c.to_lowercase());
            first = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_period() {
        assert_eq!(gloss("Pin a &struct mm_struct."), "Pin a struct mm_struct");
        assert_eq!(
            gloss("returns %NULL if @mm is gone."),
            "returns NULL if mm is gone"
        );
        assert_eq!(gloss("Flags, see mm.h."), "Flags, see mm.h");
        assert_eq!(gloss("Context switch counts:"), "Context switch counts");
        assert_eq!(gloss("take &foo->lock"), "take &foo->lock");
    }

    #[test]
    fn long_comment_takes_first_sentence() {
        let long = format!("First part ends here. More {}", "word ".repeat(40));
        assert_eq!(gloss(&long), "First part ends here");
    }

    #[test]
    fn sentence_ends() {
        let long = format!(
            "this is simplified. it only handles maps, e.g. anonymous ones. {}",
            "x ".repeat(60)
        );
        assert_eq!(gloss(&long), "this is simplified");
        let abbrev = format!("handles maps, e.g. anonymous ones. {}", "x ".repeat(60));
        assert_eq!(gloss(&abbrev), "handles maps, e.g. anonymous ones");
    }

    #[test]
    fn never_cuts_a_word() {
        let long = "abcdefghij ".repeat(20);
        let g = gloss(&long);
        assert!(g.ends_with('…'));
        for w in g.trim_end_matches('…').split(' ') {
            assert_eq!(w, "abcdefghij");
        }
    }

    #[test]
    fn placed_glosses() {
        let none = |_: &str| false;
        let kmalloc = |w: &str| w == "kmalloc";
        assert_eq!(
            placed(
                "PAGE_SHIFT",
                "PAGE_SHIFT determines the page size",
                false,
                &none
            ),
            "PAGE_SHIFT (determines the page size)"
        );
        assert_eq!(placed("x", "x", true, &none), "X");
        assert_eq!(
            placed("f", "set_current_state() includes a barrier", true, &none),
            "set_current_state() includes a barrier"
        );
        assert_eq!(
            placed("f", "kmalloc is the normal way", true, &kmalloc),
            "kmalloc is the normal way"
        );
        assert_eq!(
            placed("f", "kmalloc is the normal way", true, &none),
            "Kmalloc is the normal way"
        );
        assert_eq!(placed("f", "The list", false, &none), "the list");
    }

    #[test]
    fn capitals() {
        assert_eq!(capitalize("iterate over a list"), "Iterate over a list");
        assert_eq!(decapitalize("The address space"), "the address space");
        assert_eq!(decapitalize("Flags, see mm.h"), "flags, see mm.h");
        assert_eq!(decapitalize("DMA mask"), "DMA mask");
        assert_eq!(decapitalize("IRQs off"), "IRQs off");
        assert_eq!(decapitalize("A kernel thread"), "a kernel thread");
    }
}
