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
//! `glossary/idioms.toml`); users add their own files, later ones winning.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::lang::Lang;

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

/// The key a gloss text is looked up by: whitespace collapsed, the first
/// letter lower-case, one final period removed.
pub fn normalize(english: &str) -> String {
    let collapsed = english.split_whitespace().collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.strip_suffix('.').unwrap_or(&collapsed);
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
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
            g.extend(
                Glossary::parse(include_str!("../glossary/zh.toml"))
                    .expect("the built-in glossary parses"),
            );
            g
        })
    }

    /// Reads a glossary file's text.
    pub fn parse(text: &str) -> Result<Glossary, GlossaryError> {
        let file: File = toml::from_str(text)?;
        Ok(Glossary {
            terms: file.terms,
            symbols: file.symbols.into_iter().collect(),
            glosses: file
                .glosses
                .into_iter()
                .map(|(k, v)| (normalize(&k), v))
                .collect(),
            idioms_en: file.idioms.en.into_iter().collect(),
            idioms_zh: file.idioms.zh.into_iter().collect(),
        })
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
            .or_else(|| self.glosses.get(&normalize(english)))
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

/// An idiom gloss with its `{N}` placeholders filled by `args` (rendered
/// arguments); `None` when it names an argument the call lacks.
pub fn fill(template: &str, args: &[String]) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let n: usize = after[..close].parse().ok()?;
        out.push_str(args.get(n)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Some(out)
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
    fn the_builtin_glossary_parses() {
        let g = Glossary::builtin();
        assert!(g.idiom("unlikely", Lang::En).is_some());
        assert!(g.idiom("unlikely", Lang::Zh).is_some());
    }
}
