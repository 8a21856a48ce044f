//! Return types written with macros that expand to no type (`LUA_API int`,
//! `GIT_EXTERN(const char *)`, `uLong ZEXPORT`): read as what the tree's own
//! `#define`s expand them to. Extraction cannot tell (`luaconf.h` defines
//! `LUA_API`, `lapi.c` uses it), so the rule lives here, where the whole tree
//! (or, for one report, the neighbourhood the store loads with the macros
//! a return type names) is known. Nothing here names a macro.

use cgloss_facts::{MacroFact, TypeWord};

use crate::Index;

/// Deepest chain of macros followed (`LUALIB_API` → `LUA_API` → `extern`).
const MAX_DEPTH: u32 = 8;

/// What the tree says a name is, read as a declaration specifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// A macro of which some definition expands to a type or to anything
    /// else than specifiers, or a name the tree declares otherwise.
    Type,
    /// A name the tree does not declare at all (`WINAPI`, from a system header).
    Unknown,
    /// A macro every definition of which expands to specifiers only
    /// (storage classes, attributes, nothing, such macros, unknown names;
    /// a wrapper's argument); `sure` when one definition does without
    /// unknown names; `is_static` when every definition says `static`.
    Specifiers { is_static: bool, sure: bool },
}

/// A return type read through the tree's macros.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Expanded {
    pub return_type: String,
    pub is_static: bool,
}

impl Index {
    /// `words` (a return type holding macros) with every macro that the
    /// tree defines as specifiers only replaced by what it expands to:
    /// nothing, or a wrapper's argument; `static` when one of them always
    /// says so. Other words stay as written. `None` when nothing changes.
    pub(crate) fn expand_type_words(&self, words: &[TypeWord]) -> Option<Expanded> {
        let mut kept: Vec<String> = Vec::with_capacity(words.len());
        let mut is_static = false;
        let mut changed = false;
        for w in words {
            let (name, wrapper) = match w {
                TypeWord::Text(t) => {
                    kept.push(t.clone());
                    continue;
                }
                TypeWord::Name(n) => (n, false),
                TypeWord::Wrapper { name, .. } => (name, true),
            };
            match self.verdict(name, wrapper, 0) {
                Verdict::Specifiers {
                    is_static: s,
                    sure: true,
                } => {
                    changed = true;
                    is_static |= s;
                    if let TypeWord::Wrapper { arg, .. } = w {
                        kept.push(arg.clone());
                    }
                }
                _ => kept.push(w.text()),
            }
        }
        let return_type = TypeWord::join(kept.iter().map(String::as_str));
        (changed && !return_type.is_empty()).then_some(Expanded {
            return_type,
            is_static,
        })
    }

    fn macro_defs(&self, name: &str) -> Vec<&MacroFact> {
        self.macros
            .get(name)
            .into_iter()
            .flatten()
            .map(|l| &self.files[l.file as usize].macros[l.idx as usize])
            .collect()
    }

    fn declared_otherwise(&self, name: &str) -> bool {
        [
            &self.typedefs,
            &self.functions,
            &self.prototypes,
            &self.globals,
            &self.enum_consts,
        ]
        .iter()
        .any(|m| m.contains_key(name))
    }

    /// What `name` is as a specifier; `wrapper` when written `NAME(type)`.
    fn verdict(&self, name: &str, wrapper: bool, depth: u32) -> Verdict {
        let defs = self.macro_defs(name);
        if defs.is_empty() {
            return if self.declared_otherwise(name) {
                Verdict::Type
            } else {
                Verdict::Unknown
            };
        }
        if depth > MAX_DEPTH {
            return Verdict::Type;
        }
        let (mut all_static, mut any_sure) = (true, false);
        for def in defs {
            let (Some(words), true) = (&def.specifiers, def.params.is_some() == wrapper) else {
                return Verdict::Type;
            };
            let params = def.params.as_deref().unwrap_or(&[]);
            let (mut is_static, mut sure, mut uses) = (false, true, 0);
            for w in words {
                // `TARGET_ATTRIBUTE()`: a call of a macro that must pass
                // no argument on (an attribute maker), or it may make a type.
                let (w, call) = match w.strip_suffix("()") {
                    Some(name) => (name, true),
                    None => (w.as_str(), false),
                };
                if w == "static" {
                    is_static = true;
                } else if cgloss_facts::STORAGE_WORDS.contains(&w) {
                    continue;
                } else if params.iter().any(|p| p == w) {
                    uses += 1;
                } else {
                    match self.verdict(w, call, depth + 1) {
                        Verdict::Type => return Verdict::Type,
                        Verdict::Unknown => sure = false,
                        Verdict::Specifiers {
                            is_static: s,
                            sure: su,
                        } => {
                            is_static |= s;
                            sure &= su;
                        }
                    }
                }
            }
            // A wrapper written before a name passes its argument on, once.
            if wrapper && uses != usize::from(depth == 0) {
                return Verdict::Type;
            }
            all_static &= is_static;
            any_sure |= sure;
        }
        Verdict::Specifiers {
            is_static: all_static,
            sure: any_sure,
        }
    }

    /// Every function's and prototype's return type read through the
    /// tree's macros (`expand_type_words`); done once, at linking, before
    /// calls are resolved (a `static` macro hides a function).
    pub(crate) fn expand_return_types(&mut self) {
        let mut changes = Vec::new();
        for (file, facts) in self.files.iter().enumerate() {
            for (idx, f) in facts.functions.iter().enumerate() {
                if !f.type_words.is_empty() {
                    if let Some(e) = self.expand_type_words(&f.type_words) {
                        changes.push((file, Some(idx), None, e));
                    }
                }
            }
            for (idx, p) in facts.prototypes.iter().enumerate() {
                if !p.type_words.is_empty() {
                    if let Some(e) = self.expand_type_words(&p.type_words) {
                        changes.push((file, None, Some(idx), e));
                    }
                }
            }
        }
        for (file, function, prototype, e) in changes {
            let facts = &mut self.files[file];
            if let Some(idx) = function {
                let f = &mut facts.functions[idx];
                f.return_type = e.return_type;
                f.is_static |= e.is_static;
            } else if let Some(idx) = prototype {
                facts.prototypes[idx].return_type = e.return_type;
            }
        }
    }
}
