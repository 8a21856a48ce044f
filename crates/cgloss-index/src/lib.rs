//! Linking: the facts of every file joined into one `Index` that answers the
//! questions glossing asks — which definitions a call in a given file can
//! reach (C visibility rules, no build configuration), which doc a symbol
//! uses, which struct a member belongs to, who calls whom.
//!
//! Pure and deterministic: no I/O, files are kept sorted by path, every list
//! it returns is ordered by (path, line).
#![warn(missing_docs)]

mod specifiers;

use std::collections::HashMap;

use cgloss_facts::{
    Doc, EnumConstFact, EnumFact, FileFacts, FunctionFact, GlobalFact, MacroFact, MemberFact,
    Param, PrototypeFact, RecordFact, TypeRef, TypedefFact,
};

/// Index of a file in the `Index` (files are sorted by path).
pub type FileId = u32;

/// A function definition: its file and its position in that file's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnId {
    /// The file.
    pub file: FileId,
    /// Index into `FileFacts::functions`.
    pub idx: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Loc {
    file: FileId,
    idx: u32,
}

/// Where a symbol is defined, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site<'a> {
    /// Path relative to the root.
    pub path: &'a str,
    /// Line of the name.
    pub line: u32,
}

/// What kind of definition a callable is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallableKind {
    /// A function definition.
    Function,
    /// A function-like macro.
    Macro,
    /// Only a prototype is known.
    Prototype,
}

/// A resolved call target: the definition a callee row lists and the doc the
/// gloss uses.
#[derive(Clone, Debug)]
pub struct Callable<'a> {
    /// The listed definition.
    pub site: Site<'a>,
    /// Its kind.
    pub kind: CallableKind,
    /// The doc used for the gloss, if any.
    pub doc: Option<&'a Doc>,
    /// Where that doc was written.
    pub doc_site: Option<Site<'a>>,
    /// Parameter names of the documented declaration (for argument labels);
    /// of an undocumented macro, its own.
    pub params: Vec<&'a str>,
    /// Takes `...` (extra arguments follow unlabelled).
    pub variadic: bool,
    /// Return type, when known from a function or prototype.
    pub return_type: Option<&'a str>,
}

/// Where a function's doc comes from: the comment, where it was written,
/// and the parameters of the declaration it documents.
struct DocSource<'a> {
    doc: &'a Doc,
    site: Site<'a>,
    params: &'a [Param],
    variadic: bool,
    /// Written on the definition itself (not borrowed from a prototype).
    own: bool,
}

/// A value-like symbol an identifier can name: an object-like macro or an
/// enumeration constant.
#[derive(Clone, Debug)]
pub struct Constant<'a> {
    /// `macro` or `enum constant`.
    pub kind: &'static str,
    /// Where it is defined.
    pub site: Site<'a>,
    /// Its doc.
    pub doc: Option<&'a Doc>,
    /// An `E…` macro from an errno header.
    pub is_errno: bool,
}

/// A member found in a struct or union.
#[derive(Clone, Debug)]
pub struct Member<'a> {
    /// The member.
    pub fact: &'a MemberFact,
    /// The struct or union (`struct task`).
    pub record: &'a str,
    /// The file defining it.
    pub path: &'a str,
}

/// The definitions of one struct/union tag that an object may have, best
/// first (see `Index::choose_record`).
#[derive(Clone, Debug)]
pub struct RecordChoice<'a> {
    defs: Vec<(&'a str, &'a RecordFact)>,
}

/// What a member name finds in a `RecordChoice`.
#[derive(Clone, Debug)]
pub enum MemberLookup<'a> {
    /// The member, from the best definition having it; every remaining
    /// definition having it agrees on its doc.
    Found(Member<'a>),
    /// The remaining definitions give it different docs: never guess.
    Ambiguous(Vec<Member<'a>>),
    /// No remaining definition has it.
    Missing,
}

impl<'a> RecordChoice<'a> {
    /// The definitions left, best first, with their paths.
    pub fn definitions(&self) -> &[(&'a str, &'a RecordFact)] {
        &self.defs
    }

    fn having(&self, name: &str) -> Vec<Member<'a>> {
        self.defs
            .iter()
            .filter_map(|&(path, r)| {
                r.members.iter().find(|m| m.name == name).map(|m| Member {
                    fact: m,
                    record: &r.tag,
                    path,
                })
            })
            .collect()
    }

    /// Member `name`, unless the definitions disagree on its doc.
    pub fn member(&self, name: &str) -> MemberLookup<'a> {
        let mut found = self.having(name);
        fn summary<'m>(m: &Member<'m>) -> Option<&'m str> {
            m.fact.doc.as_deref().map(|d| d.summary.as_str())
        }
        match found.first() {
            None => MemberLookup::Missing,
            Some(first) if found.iter().all(|m| summary(m) == summary(first)) => {
                MemberLookup::Found(found.swap_remove(0))
            }
            Some(_) => MemberLookup::Ambiguous(found),
        }
    }

    /// The type of member `name`, when every definition having it agrees.
    pub fn member_type(&self, name: &str) -> Option<&'a TypeRef> {
        let found = self.having(name);
        let first = found.first()?;
        found
            .iter()
            .all(|m| m.fact.ty == first.fact.ty)
            .then_some(&first.fact.ty)
    }
}

/// Whether a path is in a `uapi` folder (headers exported to userspace).
fn is_uapi(path: &str) -> bool {
    path.starts_with("uapi/") || path.contains("/uapi/")
}

/// A definition of a type: a struct or union, an enum, a typedef.
#[derive(Clone, Copy, Debug)]
pub enum TypeDef<'a> {
    /// `struct x { … }` or `union x { … }`.
    Record(FileId, &'a RecordFact),
    /// `enum x { … }`.
    Enum(FileId, &'a EnumFact),
    /// `typedef … x;`.
    Typedef(FileId, &'a TypedefFact),
}

impl TypeDef<'_> {
    /// The file defining it.
    pub fn file(&self) -> FileId {
        match *self {
            TypeDef::Record(f, _) | TypeDef::Enum(f, _) | TypeDef::Typedef(f, _) => f,
        }
    }

    /// Its line.
    pub fn line(&self) -> u32 {
        match self {
            TypeDef::Record(_, r) => r.line,
            TypeDef::Enum(_, e) => e.line,
            TypeDef::Typedef(_, t) => t.line,
        }
    }
}

/// Something that refers to a function without calling it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referrer<'a> {
    /// The referring function or variable.
    pub name: &'a str,
    /// Where it is.
    pub site: Site<'a>,
    /// Its summary.
    pub summary: Option<&'a str>,
}

/// The linked index of a whole tree.
pub struct Index {
    files: Vec<FileFacts>,
    functions: HashMap<String, Vec<Loc>>,
    prototypes: HashMap<String, Vec<Loc>>,
    macros: HashMap<String, Vec<Loc>>,
    records: HashMap<String, Vec<Loc>>,
    enums: HashMap<String, Vec<Loc>>,
    typedefs: HashMap<String, Vec<Loc>>,
    enum_consts: HashMap<String, Vec<Loc>>,
    globals: HashMap<String, Vec<Loc>>,
    /// Member name → distinct tags of the records that have it.
    member_owners: HashMap<String, Vec<String>>,
    /// Names declared in parts of the tree not linked here (`link_partial`).
    declared: std::collections::HashSet<String>,
    callers: HashMap<FnId, Vec<FnId>>,
    referrers: HashMap<FnId, Vec<(Loc, bool)>>,
}

fn push<T>(
    map: &mut HashMap<String, Vec<Loc>>,
    file: FileId,
    items: &[T],
    name: impl Fn(&T) -> &str,
) {
    for (idx, item) in items.iter().enumerate() {
        map.entry(name(item).to_string()).or_default().push(Loc {
            file,
            idx: idx as u32,
        });
    }
}

/// Joins the facts of all files. Files are sorted by path here, so the
/// result does not depend on the order they were extracted in.
pub fn link(mut files: Vec<FileFacts>) -> Index {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut index = Index {
        files: Vec::new(),
        functions: HashMap::new(),
        prototypes: HashMap::new(),
        macros: HashMap::new(),
        records: HashMap::new(),
        enums: HashMap::new(),
        typedefs: HashMap::new(),
        enum_consts: HashMap::new(),
        globals: HashMap::new(),
        member_owners: HashMap::new(),
        declared: Default::default(),
        callers: HashMap::new(),
        referrers: HashMap::new(),
    };
    for (file, facts) in files.iter().enumerate() {
        let file = file as FileId;
        push(&mut index.functions, file, &facts.functions, |f| &f.name);
        push(&mut index.prototypes, file, &facts.prototypes, |f| &f.name);
        push(&mut index.macros, file, &facts.macros, |f| &f.name);
        push(&mut index.records, file, &facts.records, |f| &f.tag);
        push(&mut index.enums, file, &facts.enums, |f| &f.tag);
        push(&mut index.typedefs, file, &facts.typedefs, |f| &f.name);
        push(&mut index.enum_consts, file, &facts.enum_consts, |f| {
            &f.name
        });
        push(&mut index.globals, file, &facts.globals, |f| &f.name);
        for record in &facts.records {
            for member in &record.members {
                let owners = index.member_owners.entry(member.name.clone()).or_default();
                if !owners.contains(&record.tag) {
                    owners.push(record.tag.clone());
                }
            }
        }
    }
    index.files = files;
    index.expand_return_types();
    index.link_calls();
    index
}

/// Links a part of a tree (the neighbourhood of one function, loaded from
/// the persistent index), with what the part alone cannot tell: whether a
/// member name is unique in the tree, whether a word is a declared name.
pub fn link_partial(files: Vec<FileFacts>, whole: TreeWide) -> Index {
    let mut index = link(files);
    index.member_owners = whole.member_owners;
    index.declared = whole.declared;
    index
}

/// What a partial index must know of the whole tree.
#[derive(Debug, Default)]
pub struct TreeWide {
    /// For the member names that matter, the tags of every struct in the
    /// tree having them.
    pub member_owners: HashMap<String, Vec<String>>,
    /// Names declared somewhere in the tree, among those that matter
    /// (first words of glosses, for their capitals).
    pub declared: std::collections::HashSet<String>,
}

impl Index {
    /// All files, sorted by path.
    pub fn files(&self) -> &[FileFacts] {
        &self.files
    }

    /// The id of the file at `path`.
    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| i as FileId)
    }

    /// A file's facts.
    pub fn file(&self, id: FileId) -> &FileFacts {
        &self.files[id as usize]
    }

    /// A function's facts.
    pub fn function(&self, id: FnId) -> &FunctionFact {
        &self.files[id.file as usize].functions[id.idx as usize]
    }

    /// The path of the file defining a function.
    pub fn path(&self, id: FnId) -> &str {
        &self.files[id.file as usize].path
    }

    /// Every function definition, ordered by (path, line).
    pub fn all_functions(&self) -> impl Iterator<Item = FnId> + '_ {
        self.files.iter().enumerate().flat_map(|(file, facts)| {
            (0..facts.functions.len()).map(move |idx| FnId {
                file: file as FileId,
                idx: idx as u32,
            })
        })
    }

    /// Definitions of `name`, restricted to `path` when given, ordered by (path, line).
    pub fn find_functions(&self, name: &str, path: Option<&str>) -> Vec<FnId> {
        let mut out: Vec<FnId> = self
            .functions
            .get(name)
            .into_iter()
            .flatten()
            .map(|l| FnId {
                file: l.file,
                idx: l.idx,
            })
            .filter(|id| path.is_none_or(|p| self.path(*id) == p))
            .collect();
        out.sort_by_key(|id| (id.file, self.function(*id).line));
        out
    }

    /// Names of all functions (for suggestions).
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    fn is_header(&self, file: FileId) -> bool {
        self.files[file as usize].is_header()
    }

    /// Preference of a candidate seen from `from`: same file, then headers,
    /// then path order.
    fn key(&self, from: FileId, loc: Loc) -> (bool, bool, FileId, u32) {
        (
            loc.file != from,
            !self.is_header(loc.file),
            loc.file,
            loc.idx,
        )
    }

    /// Whether `from` is a `.c` file that defines a static function `name`.
    fn static_in(&self, name: &str, from: FileId) -> bool {
        !self.is_header(from)
            && self.functions.get(name).is_some_and(|locs| {
                locs.iter().any(|l| {
                    l.file == from
                        && self.files[l.file as usize].functions[l.idx as usize].is_static
                })
            })
    }

    /// The function definitions a call of `name` in file `from` can reach:
    /// a static function of a `.c` file hides all others there, and so does
    /// any definition of it in that `.c` file but a `__weak` one (mm/mmap.c
    /// calls its own `expand_stack`, not mm/nommu.c's: that one is another
    /// build's; kernel/sched/idle.c's weak `arch_cpu_idle` yields to x86's);
    /// otherwise every global definition and every static one in a header.
    pub fn resolve_functions(&self, name: &str, from: FileId) -> Vec<FnId> {
        let Some(locs) = self.functions.get(name) else {
            return Vec::new();
        };
        let hidden = self.static_in(name, from);
        let own = !self.is_header(from)
            && locs.iter().any(|l| {
                l.file == from && !is_weak(&self.files[l.file as usize].functions[l.idx as usize])
            });
        locs.iter()
            .filter(|l| {
                let f = &self.files[l.file as usize];
                let fact = &f.functions[l.idx as usize];
                if hidden {
                    l.file == from && fact.is_static
                } else if own {
                    l.file == from
                } else {
                    !fact.is_static || f.is_header()
                }
            })
            .map(|l| FnId {
                file: l.file,
                idx: l.idx,
            })
            .collect()
    }

    fn prototypes_for(&self, name: &str, from: FileId, hidden: bool) -> Vec<(Loc, &PrototypeFact)> {
        self.prototypes
            .get(name)
            .into_iter()
            .flatten()
            .filter(|l| !hidden || l.file == from)
            .map(|l| (*l, &self.files[l.file as usize].prototypes[l.idx as usize]))
            .collect()
    }

    fn site(&self, file: FileId, line: u32) -> Site<'_> {
        Site {
            path: &self.files[file as usize].path,
            line,
        }
    }

    /// The doc a function definition uses (RENDERING.md §5a): kernel-doc
    /// wherever it stands — its own, else a prototype's — beats a plain
    /// comment; its own plain comment beats a prototype's; prototypes in
    /// the same file first, then headers, then path order.
    pub fn function_doc(&self, id: FnId) -> Option<(&Doc, Site<'_>)> {
        self.doc_source(id).map(|d| (d.doc, d.site))
    }

    fn doc_source(&self, id: FnId) -> Option<DocSource<'_>> {
        let f = self.function(id);
        let own = f.doc.as_deref().map(|doc| DocSource {
            doc,
            site: self.site(id.file, f.line),
            params: &f.params,
            variadic: f.variadic,
            own: true,
        });
        if own.as_ref().is_some_and(|d| d.doc.kernel_doc) {
            return own;
        }
        let hidden = f.is_static && !self.is_header(id.file);
        let mut protos = self.prototypes_for(&f.name, id.file, hidden);
        protos.sort_by_key(|(l, _)| self.key(id.file, *l));
        let proto = |kernel_doc: bool| {
            protos.iter().find_map(|(l, p)| {
                let doc = p.doc.as_deref().filter(|d| d.kernel_doc == kernel_doc)?;
                Some(DocSource {
                    doc,
                    site: self.site(l.file, p.line),
                    params: &p.params,
                    variadic: false,
                    own: false,
                })
            })
        };
        proto(true)
            .or(own)
            .or_else(|| proto(false))
            .or_else(|| self.sibling_kernel_doc(id))
    }

    /// For a global definition with no doc of its own or of a prototype:
    /// the kernel-doc of another global definition of the name (the API's
    /// doc, written on one of its implementations: SLAB's `kfree` documents
    /// SLUB's), in path order. A plain comment never crosses over: it may
    /// describe only its own build (`not supported under NOMMU`).
    fn sibling_kernel_doc(&self, id: FnId) -> Option<DocSource<'_>> {
        let f = self.function(id);
        if f.is_static {
            return None;
        }
        let mut others: Vec<&Loc> = self
            .functions
            .get(&f.name)?
            .iter()
            .filter(|l| (l.file, l.idx) != (id.file, id.idx))
            .collect();
        others.sort_by_key(|l| self.key(id.file, **l));
        others.into_iter().find_map(|l| {
            let g = &self.files[l.file as usize].functions[l.idx as usize];
            let doc = g.doc.as_deref().filter(|d| d.kernel_doc && !g.is_static)?;
            Some(DocSource {
                doc,
                site: self.site(l.file, g.line),
                params: &g.params,
                variadic: g.variadic,
                own: false,
            })
        })
    }

    /// Resolves a call of `name` from file `from`: the listed definition and
    /// the doc its gloss uses — the doc the listed definition's own report
    /// shows (`function_doc`). A .c file's own definitions, when it has
    /// any, are the only candidates; among several the best doc
    /// decides (kernel-doc, then a definition's own comment, then same
    /// file, headers, path order); an empty-bodied stub lends its doc only
    /// when no definition with a body exists. `None` when nothing of that
    /// name is known.
    pub fn resolve_call(&self, name: &str, from: FileId) -> Option<Callable<'_>> {
        let hidden = self.static_in(name, from);
        let mut defs = self.resolve_functions(name, from);
        let mut macros: Vec<(Loc, &MacroFact)> = self
            .macros
            .get(name)
            .into_iter()
            .flatten()
            .map(|l| (*l, &self.files[l.file as usize].macros[l.idx as usize]))
            .filter(|(_, m)| m.params.is_some())
            .collect();
        // A .c file that defines what it calls calls its own definition,
        // function or macro (`resolve_functions` keeps only its functions
        // already). A header's own definition is often a stub or a wrapper
        // of the documented one (string.h's fortified `strlen`), so headers
        // keep every candidate.
        let local = |file: FileId| file == from && !self.is_header(from);
        if defs
            .iter()
            .any(|id| local(id.file) && !is_weak(self.function(*id)))
            || macros.iter().any(|(l, _)| local(l.file))
        {
            defs.retain(|id| id.file == from);
            macros.retain(|(l, _)| l.file == from);
        }
        let protos = self.prototypes_for(name, from, hidden);
        if defs.is_empty() && macros.is_empty() && protos.is_empty() {
            return None;
        }
        struct Cand<'a> {
            loc: Loc,
            kind: CallableKind,
            doc: Option<DocSource<'a>>,
            return_type: Option<&'a str>,
            /// A function-like macro's parameters (`...` left out).
            macro_params: Vec<&'a str>,
        }
        let any_body = defs.iter().any(|id| !self.function(*id).empty_body);
        let mut cands: Vec<Cand> = Vec::new();
        for id in &defs {
            let f = self.function(*id);
            let lends = !(any_body && f.empty_body);
            cands.push(Cand {
                loc: Loc {
                    file: id.file,
                    idx: f.line,
                },
                kind: CallableKind::Function,
                doc: self.doc_source(*id).filter(|_| lends),
                return_type: Some(&f.return_type),
                macro_params: Vec::new(),
            });
        }
        for (l, m) in &macros {
            let ps = m.params.as_deref().unwrap_or(&[]);
            cands.push(Cand {
                loc: Loc {
                    file: l.file,
                    idx: m.line,
                },
                kind: CallableKind::Macro,
                doc: m.doc.as_deref().map(|doc| DocSource {
                    doc,
                    site: self.site(l.file, m.line),
                    params: &[],
                    variadic: ps.last().is_some_and(|p| p.ends_with("...")),
                    own: true,
                }),
                return_type: None,
                macro_params: ps
                    .iter()
                    .filter(|p| !p.ends_with("..."))
                    .map(String::as_str)
                    .collect(),
            });
        }
        if cands.is_empty() {
            for (l, p) in &protos {
                cands.push(Cand {
                    loc: Loc {
                        file: l.file,
                        idx: p.line,
                    },
                    kind: CallableKind::Prototype,
                    doc: p.doc.as_deref().map(|doc| DocSource {
                        doc,
                        site: self.site(l.file, p.line),
                        params: &p.params,
                        variadic: false,
                        own: true,
                    }),
                    return_type: Some(&p.return_type),
                    macro_params: Vec::new(),
                });
            }
        }
        let best = cands
            .iter()
            .filter_map(|c| {
                let d = c.doc.as_ref()?;
                Some(((!d.doc.kernel_doc, !d.own, self.key(from, c.loc)), c))
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, c)| c);
        let listed = match best {
            Some(c) => c,
            None => cands.iter().min_by_key(|c| (c.loc.file, c.loc.idx))?,
        };
        let (doc, doc_site, params, variadic) = match &listed.doc {
            Some(d) => {
                let params = match listed.kind {
                    CallableKind::Macro => listed.macro_params.clone(),
                    _ => param_names(d.params),
                };
                (Some(d.doc), Some(d.site.clone()), params, d.variadic)
            }
            // An undocumented macro still names its parameters (an idiom's
            // summary reads with them).
            None => (None, None, listed.macro_params.clone(), false),
        };
        Some(Callable {
            site: self.site(listed.loc.file, listed.loc.idx),
            kind: listed.kind,
            doc,
            doc_site,
            params,
            variadic,
            return_type: listed.return_type,
        })
    }

    /// What an identifier names when it is an object-like macro or an enum
    /// constant, preferring a documented one (same file, headers, path order).
    pub fn constant(&self, name: &str, from: FileId) -> Option<Constant<'_>> {
        let mut cands: Vec<(Loc, Constant)> = Vec::new();
        for l in self.macros.get(name).into_iter().flatten() {
            let file = &self.files[l.file as usize];
            let m: &MacroFact = &file.macros[l.idx as usize];
            if m.params.is_some() {
                continue;
            }
            cands.push((
                Loc {
                    file: l.file,
                    idx: m.line,
                },
                Constant {
                    kind: "macro",
                    site: self.site(l.file, m.line),
                    doc: m.doc.as_deref(),
                    is_errno: m.is_errno,
                },
            ));
        }
        for l in self.enum_consts.get(name).into_iter().flatten() {
            let e: &EnumConstFact = &self.files[l.file as usize].enum_consts[l.idx as usize];
            cands.push((
                Loc {
                    file: l.file,
                    idx: e.line,
                },
                Constant {
                    kind: "enum constant",
                    site: self.site(l.file, e.line),
                    doc: e.doc.as_deref(),
                    is_errno: false,
                },
            ));
        }
        cands.sort_by_key(|(l, _)| self.key(from, *l));
        let pick = cands.iter().position(|(_, c)| c.doc.is_some()).unwrap_or(0);
        (!cands.is_empty()).then(|| cands.swap_remove(pick).1)
    }

    /// Whether `name` is declared anywhere in the tree as a function,
    /// prototype, macro, struct or union tag, typedef or enum constant
    /// (variables are left out: `type`, `mark`, `this` are declared as
    /// variables somewhere in any large tree). For a partial index, the
    /// names `link_partial` was told about count too.
    pub fn is_declared(&self, name: &str) -> bool {
        self.declared.contains(name)
            || [
                &self.functions,
                &self.prototypes,
                &self.macros,
                &self.typedefs,
                &self.enum_consts,
            ]
            .iter()
            .any(|m| m.contains_key(name))
            || ["struct ", "union "]
                .iter()
                .any(|kw| self.records.contains_key(&format!("{kw}{name}")))
    }

    /// Every definition of the macro `name`, in path order.
    pub fn macros(&self, name: &str) -> impl Iterator<Item = &MacroFact> {
        self.macros
            .get(name)
            .into_iter()
            .flatten()
            .map(|l| &self.files[l.file as usize].macros[l.idx as usize])
    }

    /// The file-scope variable `name` as seen from `from`.
    pub fn global(&self, name: &str, from: FileId) -> Option<(&GlobalFact, Site<'_>)> {
        let mut cands: Vec<Loc> = self
            .globals
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|l| {
                let f = &self.files[l.file as usize];
                l.file == from || !f.globals[l.idx as usize].is_static || f.is_header()
            })
            .collect();
        cands.sort_by_key(|l| self.key(from, *l));
        let l = cands.first()?;
        let g = &self.files[l.file as usize].globals[l.idx as usize];
        Some((g, self.site(l.file, g.line)))
    }

    /// Follows typedefs until a struct/union/enum/primitive name.
    pub fn resolve_type(&self, ty: &TypeRef, from: FileId) -> TypeRef {
        let mut ty = ty.clone();
        for _ in 0..16 {
            if ty.base.starts_with("struct ")
                || ty.base.starts_with("union ")
                || ty.base.starts_with("{anon}")
            {
                return ty;
            }
            let Some(locs) = self.typedefs.get(&ty.base) else {
                return ty;
            };
            let Some(l) = locs.iter().min_by_key(|l| self.key(from, **l)) else {
                return ty;
            };
            let t: &TypedefFact = &self.files[l.file as usize].typedefs[l.idx as usize];
            if t.target.is_unknown() || t.target.base == ty.base {
                return TypeRef::default();
            }
            ty = TypeRef::new(t.target.base.clone(), ty.ptr.saturating_add(t.target.ptr));
        }
        TypeRef::default()
    }

    /// Whether a struct/union of this tag is defined anywhere.
    pub fn has_record(&self, tag: &str) -> bool {
        self.records.contains_key(tag)
    }

    /// Which definitions of the struct/union `tag` an object of that type
    /// may have, seen from a function in file `from` that accesses the
    /// members `accessed` on such objects. This is the one place that
    /// decides it. Each rule narrows the candidates only when it leaves
    /// at least one:
    ///
    /// 1. definitions in the same file;
    /// 2. those having every member in `accessed` (SLUB's `struct
    ///    kmem_cache` has `cpu_slab`, SLAB's does not); then, of the member
    ///    names that tell the definitions apart, the one having strictly the
    ///    most of those the file's code uses;
    /// 3. those the kernel compiles: not under `#ifndef __KERNEL__`, and
    ///    not a `uapi/` variant when another definition exists;
    /// 4. those in headers that `from` includes itself.
    ///
    /// The rest stay in preference order (same file, headers, path order);
    /// `RecordChoice::member` glosses a member only when they agree on it.
    pub fn choose_record<'s>(
        &'s self,
        tag: &str,
        from: FileId,
        accessed: &[&str],
    ) -> RecordChoice<'s> {
        let mut defs: Vec<(FileId, &RecordFact)> = self
            .records
            .get(tag)
            .into_iter()
            .flatten()
            .map(|l| (l.file, &self.files[l.file as usize].records[l.idx as usize]))
            .collect();
        defs.sort_by_key(|(file, r)| {
            self.key(
                from,
                Loc {
                    file: *file,
                    idx: r.line,
                },
            )
        });
        let narrow = |defs: &mut Vec<(FileId, &RecordFact)>,
                      keep: &dyn Fn(FileId, &RecordFact) -> bool| {
            if defs.iter().any(|(f, r)| keep(*f, r)) {
                defs.retain(|(f, r)| keep(*f, r));
            }
        };
        narrow(&mut defs, &|f, _| f == from);
        narrow(&mut defs, &|_, r| {
            accessed
                .iter()
                .all(|name| r.members.iter().any(|m| m.name == *name))
        });
        // The file's evidence: of the member names that tell the remaining
        // definitions apart, those its code uses (`->cpu_slab` appears in
        // mm/slub.c only with SLUB's); the definition with strictly the
        // most of them wins.
        let used = &self.files[from as usize].member_names;
        let has = |r: &RecordFact, name: &str| r.members.iter().any(|m| m.name == name);
        let telling: Vec<&str> = defs
            .iter()
            .flat_map(|(_, r)| r.members.iter().map(|m| m.name.as_str()))
            .filter(|name| !defs.iter().all(|(_, r)| has(r, name)))
            .filter(|name| used.binary_search_by(|u| u.as_str().cmp(name)).is_ok())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !telling.is_empty() {
            let score = |r: &RecordFact| telling.iter().filter(|n| has(r, n)).count();
            let mut scores: Vec<usize> = defs.iter().map(|(_, r)| score(r)).collect();
            scores.sort_unstable_by(|a, b| b.cmp(a));
            if scores[0] > 0 && scores.get(1).is_none_or(|second| *second < scores[0]) {
                let best = scores[0];
                defs.retain(|(_, r)| score(r) == best);
            }
        }
        narrow(&mut defs, &|f, r| {
            !r.user_only && !is_uapi(&self.files[f as usize].path)
        });
        narrow(&mut defs, &|f, _| self.includes(from, f));
        RecordChoice {
            defs: defs
                .into_iter()
                .map(|(f, r)| (self.files[f as usize].path.as_str(), r))
                .collect(),
        }
    }

    /// Whether file `from` names `file` in one of its own `#include`s.
    fn includes(&self, from: FileId, file: FileId) -> bool {
        let from_facts = &self.files[from as usize];
        let path = self.files[file as usize].path.as_str();
        let dir = from_facts.path.rsplit_once('/').map_or("", |(d, _)| d);
        from_facts.includes.iter().any(|inc| {
            let quoted = inc.starts_with('"');
            let target = inc.trim_matches(|c| matches!(c, '"' | '<' | '>')).trim();
            if target.is_empty() {
                return false;
            }
            let beside = quoted
                && (dir.is_empty() && path == target
                    || path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) == Some(target));
            beside
                || path == target
                || path
                    .strip_suffix(target)
                    .is_some_and(|head| head.ends_with('/'))
        })
    }

    /// The tag of the one struct/union in the tree with a member `name`,
    /// if exactly one has it (for objects whose type is unknown).
    pub fn unique_owner(&self, name: &str) -> Option<&str> {
        match self.member_owners.get(name)?.as_slice() {
            [tag] => Some(tag),
            _ => None,
        }
    }

    /// Functions calling `id`, ordered by (path, line).
    pub fn callers(&self, id: FnId) -> &[FnId] {
        self.callers.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The macros named `name` (in the file at `path` when given), in
    /// (path, line) order.
    pub fn find_macros(&self, name: &str, path: Option<&str>) -> Vec<(FileId, &MacroFact)> {
        self.macros
            .get(name)
            .into_iter()
            .flatten()
            .filter(|l| path.is_none_or(|p| self.files[l.file as usize].path == p))
            .map(|l| (l.file, &self.files[l.file as usize].macros[l.idx as usize]))
            .collect()
    }

    /// The definitions of the type `name` — `struct x`, `union x`, `enum x`
    /// or a typedef name — (in the file at `path` when given), in (path,
    /// line) order.
    pub fn find_types(&self, name: &str, path: Option<&str>) -> Vec<TypeDef<'_>> {
        let in_path = |l: &&Loc| path.is_none_or(|p| self.files[l.file as usize].path == p);
        let file = |l: &Loc| &self.files[l.file as usize];
        let mut out: Vec<TypeDef> = Vec::new();
        for l in self.records.get(name).into_iter().flatten().filter(in_path) {
            out.push(TypeDef::Record(l.file, &file(l).records[l.idx as usize]));
        }
        for l in self.enums.get(name).into_iter().flatten().filter(in_path) {
            out.push(TypeDef::Enum(l.file, &file(l).enums[l.idx as usize]));
        }
        for l in self
            .typedefs
            .get(name)
            .into_iter()
            .flatten()
            .filter(in_path)
        {
            out.push(TypeDef::Typedef(l.file, &file(l).typedefs[l.idx as usize]));
        }
        out.sort_by_key(|t| (t.file(), t.line()));
        out
    }

    /// Every function and file-scope variable whose code uses `name` (a
    /// call, a reference, a type it names: `struct page`), in (path, line)
    /// order. Answers "where is this macro or type used".
    pub fn users(&self, name: &str) -> Vec<Referrer<'_>> {
        let mut out = Vec::new();
        for id in self.all_functions() {
            let f = self.function(id);
            if f.calls.iter().chain(&f.refs).any(|n| n == name) {
                out.push(Referrer {
                    name: &f.name,
                    site: self.site(id.file, f.line),
                    summary: self.function_doc(id).map(|(d, _)| d.summary.as_str()),
                });
            }
        }
        for (file, facts) in self.files.iter().enumerate() {
            for g in facts
                .globals
                .iter()
                .filter(|g| g.refs.iter().any(|n| n == name))
            {
                out.push(Referrer {
                    name: &g.name,
                    site: self.site(file as FileId, g.line),
                    summary: g.doc.as_deref().map(|d| d.summary.as_str()),
                });
            }
        }
        out.sort_by(|a, b| (a.site.path, a.site.line).cmp(&(b.site.path, b.site.line)));
        out
    }

    /// Functions and variables that refer to `id` without calling it.
    pub fn referrers(&self, id: FnId) -> Vec<Referrer<'_>> {
        let Some(list) = self.referrers.get(&id) else {
            return Vec::new();
        };
        list.iter()
            .map(|&(loc, is_fn)| {
                if is_fn {
                    let fid = FnId {
                        file: loc.file,
                        idx: loc.idx,
                    };
                    let f = self.function(fid);
                    Referrer {
                        name: &f.name,
                        site: self.site(loc.file, f.line),
                        summary: self.function_doc(fid).map(|(d, _)| d.summary.as_str()),
                    }
                } else {
                    let g = &self.files[loc.file as usize].globals[loc.idx as usize];
                    Referrer {
                        name: &g.name,
                        site: self.site(loc.file, g.line),
                        summary: g.doc.as_deref().map(|d| d.summary.as_str()),
                    }
                }
            })
            .collect()
    }

    fn link_calls(&mut self) {
        let mut callers: HashMap<FnId, Vec<FnId>> = HashMap::new();
        let mut referrers: HashMap<FnId, Vec<(Loc, bool)>> = HashMap::new();
        for caller in self.all_functions() {
            let f = self.function(caller);
            for name in &f.calls {
                for target in self.resolve_functions(name, caller.file) {
                    callers.entry(target).or_default().push(caller);
                }
            }
            for name in &f.refs {
                for target in self.resolve_functions(name, caller.file) {
                    if target != caller {
                        let loc = Loc {
                            file: caller.file,
                            idx: caller.idx,
                        };
                        referrers.entry(target).or_default().push((loc, true));
                    }
                }
            }
        }
        for (file, facts) in self.files.iter().enumerate() {
            for (idx, g) in facts.globals.iter().enumerate() {
                for name in &g.refs {
                    for target in self.resolve_functions(name, file as FileId) {
                        let loc = Loc {
                            file: file as FileId,
                            idx: idx as u32,
                        };
                        referrers.entry(target).or_default().push((loc, false));
                    }
                }
            }
        }
        for list in callers.values_mut() {
            list.sort_by_key(|id| (id.file, self.function(*id).line));
            list.dedup();
        }
        for list in referrers.values_mut() {
            list.sort_by_key(|&(l, is_fn)| {
                let line = if is_fn {
                    self.files[l.file as usize].functions[l.idx as usize].line
                } else {
                    self.files[l.file as usize].globals[l.idx as usize].line
                };
                (l.file, line)
            });
            list.dedup();
        }
        self.callers = callers;
        self.referrers = referrers;
    }
}

fn param_names(params: &[Param]) -> Vec<&str> {
    params.iter().map(|p| p.name.as_str()).collect()
}

/// A `__weak` (or `__attribute__((weak))`) definition: one a strong
/// definition elsewhere replaces at link time.
fn is_weak(f: &FunctionFact) -> bool {
    f.proto
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == "__weak" || w == "weak")
}

#[cfg(test)]
mod tests;
