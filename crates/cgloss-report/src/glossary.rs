//! Glossaries: Chinese for the English glosses of the tree's docs, and
//! glosses for ubiquitous kernel idioms no comment documents (`likely`,
//! `current`, `READ_ONCE`), in both languages.
//!
//! A glossary is a TOML file a person edits by hand (`docs/glossary.md`):
//!
//! ```toml
//! [terms]      # the words translated the same way everywhere
//! "spinlock" = "自旋锁"
//! [symbols]    # by symbol: a function or macro, `struct tag.member`, an enum constant
//! kmalloc = "分配内存"
//! [glosses]    # by English gloss text (whitespace, first letter's case, final period ignored)
//! "allocate memory" = "分配内存"
//! [idioms.en]  # symbols without a doc in the tree; `{0}` is the first argument
//! unlikely = "{0} (unlikely)"
//! [idioms.zh]
//! unlikely = "{0}（不太可能）"
//! ```
//!
//! The built-in glossary is compiled in (`glossary/zh.toml`,
//! `glossary/zh-glosses.toml`, `glossary/idioms.toml`); users add their own
//! files, later ones winning.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::lang::Lang;

/// The built-in Chinese glossary: terms and symbols (errno), and the
/// translations of the most frequent glosses of Linux 6.12.
const BUILTIN_ZH: [&str; 2] = [
    include_str!("../glossary/zh.toml"),
    include_str!("../glossary/zh-glosses.toml"),
];

/// Translations and idiom glosses; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct Glossary {
    terms: BTreeMap<String, String>,
    symbols: HashMap<String, String>,
    glosses: HashMap<String, String>,
    idioms_en: HashMap<String, String>,
    idioms_zh: HashMap<String, String>,
}

/// A glossary file that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct GlossaryError {
    #[from]
    source: toml::de::Error,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    terms: BTreeMap<String, String>,
    #[serde(default)]
    symbols: BTreeMap<String, String>,
    #[serde(default)]
    glosses: BTreeMap<String, String>,
    #[serde(default)]
    idioms: Idioms,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Idioms {
    #[serde(default)]
    en: BTreeMap<String, String>,
    #[serde(default)]
    zh: BTreeMap<String, String>,
}

/// The key a gloss text is looked up by: whitespace collapsed, one final
/// period removed, and the first letter lower-case when the first word is
/// an ordinary capitalized word (`Free` → `free`; `PAGE_SHIFT`, `DMA`,
/// `IRQs` stay).
pub fn normalize(english: &str) -> Cow<'_, str> {
    // Most glosses are normalized already (`gloss` collapses whitespace and
    // drops the final period): look them up without allocating.
    let plain = !english.ends_with('.')
        && !english.starts_with(' ')
        && !english.ends_with(' ')
        && !english.contains("  ")
        && !english.contains(['\n', '\t', '\r'])
        && !ordinary_capital(english);
    if plain {
        return Cow::Borrowed(english);
    }
    let collapsed = english.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.strip_suffix('.').unwrap_or(&collapsed);
    if !ordinary_capital(trimmed) {
        return Cow::Owned(trimmed.to_string());
    }
    let mut chars = trimmed.chars();
    Cow::Owned(match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    })
}

/// Whether `s` starts with a capitalized ordinary word: a capital, then
/// no capital, digit or `_` up to the first space.
fn ordinary_capital(s: &str) -> bool {
    let mut word = s.split(' ').next().unwrap_or("").chars();
    word.next().is_some_and(char::is_uppercase)
        && word.all(|c| !(c.is_uppercase() || c.is_ascii_digit() || c == '_'))
}

impl Glossary {
    /// No translation and no idiom: reports as the tree alone documents
    /// them (`--no-glossary`).
    pub fn none() -> Glossary {
        Glossary::default()
    }

    /// The built-in glossary.
    pub fn builtin() -> &'static Glossary {
        static BUILTIN: OnceLock<Glossary> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut g = Glossary::parse(include_str!("../glossary/idioms.toml"))
                .expect("the built-in idioms parse");
            for text in BUILTIN_ZH {
                g.extend(Glossary::parse(text).expect("the built-in glossary parses"));
            }
            g
        })
    }

    /// Reads a glossary file's text. An entry whose value is empty is not
    /// translated yet (`cgloss glossary missing` writes them so) and left
    /// out.
    pub fn parse(text: &str) -> Result<Glossary, GlossaryError> {
        let file: File = toml::from_str(text)?;
        fn filled<K: Eq + std::hash::Hash + Ord>(
            m: BTreeMap<String, String>,
            key: impl Fn(String) -> K,
        ) -> impl Iterator<Item = (K, String)> {
            m.into_iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(move |(k, v)| (key(k), v))
        }
        Ok(Glossary {
            terms: filled(file.terms, |k| k).collect(),
            symbols: filled(file.symbols, |k| k).collect(),
            glosses: filled(file.glosses, |k| normalize(&k).into_owned()).collect(),
            idioms_en: filled(file.idioms.en, |k| k).collect(),
            idioms_zh: filled(file.idioms.zh, |k| k).collect(),
        })
    }

    /// Problems of a glossary file beyond its format: `[glosses]` keys
    /// that are the same once normalized, idioms with a malformed
    /// placeholder or in one language only, and entries that do not use a
    /// `[terms]` translation for a term their English uses (checked
    /// against `terms` and the file's own terms).
    pub fn lint(
        text: &str,
        terms: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, GlossaryError> {
        let file: File = toml::from_str(text)?;
        let mut problems = Vec::new();
        let mut seen: HashMap<String, &str> = HashMap::new();
        for k in file.glosses.keys() {
            let n = normalize(k).into_owned();
            if let Some(first) = seen.insert(n, k) {
                problems.push(format!("[glosses] {k:?} is the same entry as {first:?}"));
            }
        }
        for (lang, idioms, other) in [
            ("en", &file.idioms.en, &file.idioms.zh),
            ("zh", &file.idioms.zh, &file.idioms.en),
        ] {
            for (k, v) in idioms {
                if pieces(v).is_none() {
                    problems.push(format!(
                        "[idioms.{lang}] {k}: malformed placeholder in {v:?}"
                    ));
                }
                if !other.contains_key(k) {
                    problems.push(format!(
                        "[idioms.{lang}] {k}: no entry in the other language"
                    ));
                }
            }
        }
        let mut all_terms = terms.clone();
        all_terms.extend(file.terms.clone());
        for (en, zh) in file.glosses.iter().chain(&file.symbols) {
            if zh.trim().is_empty() {
                continue;
            }
            for (t_en, t_zh) in &all_terms {
                if t_en == t_zh || !uses_term(en, t_en) || zh.contains(t_zh.as_str()) {
                    continue;
                }
                problems.push(format!(
                    "{en:?} = {zh:?}: the term {t_en:?} is translated {t_zh:?} elsewhere"
                ));
            }
        }
        Ok(problems)
    }

    /// Adds `other`'s entries; where both have one, `other`'s wins.
    pub fn extend(&mut self, other: Glossary) {
        self.terms.extend(other.terms);
        self.symbols.extend(other.symbols);
        self.glosses.extend(other.glosses);
        self.idioms_en.extend(other.idioms_en);
        self.idioms_zh.extend(other.idioms_zh);
    }

    /// The Chinese of the gloss `english` of `symbol` (by symbol first,
    /// then by text), if the glossary has it.
    pub fn translate(&self, symbol: &str, english: &str) -> Option<&str> {
        self.symbols
            .get(symbol)
            .map(String::as_str)
            .or_else(|| self.translate_text(english))
    }

    /// The Chinese of the gloss text `english` (no symbol: a parameter's
    /// doc), if the glossary has it.
    pub fn translate_text(&self, english: &str) -> Option<&str> {
        if self.glosses.is_empty() || english.is_empty() {
            return None;
        }
        self.glosses
            .get(normalize(english).as_ref())
            .map(String::as_str)
    }

    /// The gloss of the idiom `symbol` (a symbol the tree does not
    /// document) in `lang`; `{0}`, `{1}` stand for its arguments.
    pub fn idiom(&self, symbol: &str, lang: Lang) -> Option<&str> {
        match lang {
            Lang::En => self.idioms_en.get(symbol),
            Lang::Zh => self.idioms_zh.get(symbol),
        }
        .map(String::as_str)
    }

    /// The term list.
    pub fn terms(&self) -> &BTreeMap<String, String> {
        &self.terms
    }

    /// Entries by English gloss text (normalized), for `cgloss glossary`.
    pub fn glosses(&self) -> &HashMap<String, String> {
        &self.glosses
    }

    /// Entries by symbol.
    pub fn symbols(&self) -> &HashMap<String, String> {
        &self.symbols
    }
}

/// Whether `text` uses the term `term` (as whole words, any case, a
/// plural `s`/`es` allowed).
fn uses_term(text: &str, term: &str) -> bool {
    let text = text.to_lowercase();
    let term = term.to_lowercase();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut from = 0;
    while let Some(at) = text[from..].find(&term) {
        let start = from + at;
        let end = start + term.len();
        // Code is not prose: `struct device`, `port->lock`, `dev.lock`.
        let before = &text[..start];
        let in_code = ["struct ", "union ", "enum ", "->", ".", "/"]
            .iter()
            .any(|p| before.ends_with(p))
            || text[end..].starts_with("->")
            || text[end..].starts_with('/');
        let before_ok = !in_code && !before.chars().next_back().is_some_and(word);
        let rest = &text[end..];
        let rest = rest
            .strip_prefix("es")
            .filter(|r| !r.starts_with(word))
            .or_else(|| rest.strip_prefix('s'))
            .filter(|r| !r.starts_with(word))
            .unwrap_or(rest);
        let after_ok = !rest.chars().next().is_some_and(word);
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// An idiom gloss with its `{N}` placeholders filled by `args` (rendered
/// arguments); `None` when it names an argument the call lacks.
pub fn fill(template: &str, args: &[String]) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template)? {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Arg(n) => out.push_str(args.get(n)?),
        }
    }
    Some(out)
}

/// A piece of an idiom template: its own text or an argument's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece<'t> {
    Text(&'t str),
    Arg(usize),
}

/// A template's pieces in order; `None` when a placeholder is malformed.
pub(crate) fn pieces(template: &str) -> Option<Vec<Piece<'_>>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        out.push(Piece::Arg(after[..close].parse().ok()?));
        rest = &after[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Some(out)
}

/// The language of a report and the glossary translating and adding to
/// its glosses.
#[derive(Clone, Copy, Debug)]
pub struct Options<'g> {
    /// The report's language.
    pub lang: Lang,
    /// Translations and idioms (`Glossary::none()` for neither).
    pub glossary: &'g Glossary,
}

impl<'g> Options<'g> {
    /// Options for `lang` with `glossary`.
    pub fn new(lang: Lang, glossary: &'g Glossary) -> Options<'g> {
        Options { lang, glossary }
    }

    /// The report's words for the gloss `english` of `symbol`: its
    /// translation in a Chinese report when the glossary has one.
    pub(crate) fn translation(&self, symbol: &str, english: &str) -> Option<&'g str> {
        match self.lang {
            Lang::En => None,
            Lang::Zh => self.glossary.translate(symbol, english),
        }
    }

    /// `english` (the gloss of `symbol`, or of no symbol when empty) in
    /// the report's language.
    pub(crate) fn local(&self, symbol: &str, english: &str) -> String {
        let t = match self.lang {
            Lang::En => None,
            Lang::Zh if symbol.is_empty() => self.glossary.translate_text(english),
            Lang::Zh => self.glossary.translate(symbol, english),
        };
        t.unwrap_or(english).to_string()
    }

    /// The idiom gloss of `symbol` in the report's language.
    pub(crate) fn idiom(&self, symbol: &str) -> Option<&'g str> {
        self.glossary.idiom(symbol, self.lang)
    }

    /// The idiom gloss of `symbol` in English (kept beside a translation).
    pub(crate) fn idiom_en(&self, symbol: &str) -> Option<&'g str> {
        self.glossary.idiom(symbol, Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let g = Glossary::parse(
            "[symbols]\nkmalloc = \"分配内存\"\n[glosses]\n\"Free previously allocated memory.\" = \"释放先前分配的内存\"\n[idioms.en]\nunlikely = \"{0} (unlikely)\"\n",
        )
        .unwrap();
        assert_eq!(g.translate("kmalloc", "allocate memory"), Some("分配内存"));
        assert_eq!(
            g.translate("kfree", "free  previously allocated memory"),
            Some("释放先前分配的内存")
        );
        assert_eq!(g.translate("x", "other"), None);
        assert_eq!(normalize("Free it."), "free it");
        assert_eq!(normalize("PAGE_SHIFT  determines"), "PAGE_SHIFT determines");
        assert_eq!(normalize("IRQs off"), "IRQs off");
        assert_eq!(normalize("I/O error"), "I/O error");
        assert_eq!(g.idiom("unlikely", Lang::En), Some("{0} (unlikely)"));
        assert_eq!(g.idiom("unlikely", Lang::Zh), None);
        assert_eq!(
            fill("{0} (unlikely)", &["err".into()]).as_deref(),
            Some("err (unlikely)")
        );
        assert_eq!(fill("{1} = {0}", &["a".into()]), None);
        assert!(Glossary::parse("[nope]\nx = \"y\"\n").is_err());
        assert!(Glossary::parse("[symbols]\nx = \"a\"\nx = \"b\"\n").is_err());
    }

    #[test]
    fn lint_finds_what_the_format_allows() {
        let terms: BTreeMap<String, String> =
            [("spinlock".to_string(), "自旋锁".to_string())].into();
        let text = "[glosses]\n\"Take the spinlock.\" = \"获取锁\"\n\"take the spinlock\" = \"获取自旋锁\"\n\"spinlocks held\" = \"持有的自旋锁\"\n\"untranslated\" = \"\"\n[idioms.en]\nx = \"{0\"\n";
        let problems = Glossary::lint(text, &terms).unwrap();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("same entry"));
        assert!(problems.iter().any(|p| p.contains("malformed")));
        assert!(problems.iter().any(|p| p.contains("other language")));
        assert!(problems
            .iter()
            .any(|p| p.contains("\"Take the spinlock.\" = \"获取锁\"")));
        assert!(uses_term("two Spinlocks", "spinlock"));
        assert!(!uses_term("spinlocked", "spinlock"));
        assert!(!uses_term("rawspinlock", "spinlock"));
        assert!(!uses_term("pointer to our struct device", "device"));
        assert!(!uses_term("port->lock is not held", "lock"));
        assert!(!uses_term("the lock->owner", "lock"));
        assert!(!uses_term("print to /sys/kernel/debug", "kernel"));
        // An empty value is not an entry.
        let g = Glossary::parse("[glosses]\n\"a\" = \"\"\n").unwrap();
        assert!(g.glosses().is_empty());
    }

    #[test]
    fn the_builtin_glossary_is_clean() {
        for text in [include_str!("../glossary/idioms.toml")]
            .into_iter()
            .chain(BUILTIN_ZH)
        {
            let problems = Glossary::lint(text, Glossary::builtin().terms()).unwrap();
            assert!(problems.is_empty(), "{problems:#?}");
        }
    }

    #[test]
    fn the_builtin_glossary_parses() {
        let g = Glossary::builtin();
        assert!(g.idiom("unlikely", Lang::En).is_some());
        assert!(g.idiom("unlikely", Lang::Zh).is_some());
    }
}
