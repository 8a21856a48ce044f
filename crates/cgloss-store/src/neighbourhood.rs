//! Loading only what one function's report needs: the function, the
//! symbols its body names (and the types those lead to), its callers and
//! referrers. Linked on their own, these give the same report as the whole
//! tree, in milliseconds.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use cgloss_facts::{FileFacts, FunctionFact, TypeRef};
use rusqlite::params;

use crate::{Result, Store, Stored, SYMBOL_SELECT};

/// The facts one report needs, grouped by file, plus the tree-wide answer
/// to "which structs have a member of this name" for the names involved.
pub struct Neighbourhood {
    /// Partial facts of the files involved, in path order.
    pub files: Vec<FileFacts>,
    /// Member name → the distinct struct tags having it (at most two kept:
    /// two already means ambiguous).
    pub member_owners: HashMap<String, Vec<String>>,
    /// The first words of the loaded docs that name a symbol of the tree
    /// (such a gloss keeps its case at the start of a line).
    pub declared: HashSet<String>,
}

/// How many rounds of "load the types of what was loaded" at most.
const TYPE_ROUNDS: usize = 12;

/// The names in a return type written with macros (`LUA_API`, `lua_Number`,
/// `GIT_EXTERN`), which linking looks up.
fn type_word_names(words: &[cgloss_facts::TypeWord], push: &mut impl FnMut(&TypeRef)) {
    for w in words {
        if let cgloss_facts::TypeWord::Name(n) | cgloss_facts::TypeWord::Wrapper { name: n, .. } = w
        {
            push(&TypeRef::new(n.as_str(), 0));
        }
    }
}

fn bare(base: &str) -> &str {
    base.strip_prefix("struct ")
        .or_else(|| base.strip_prefix("union "))
        .or_else(|| base.strip_prefix("enum "))
        .unwrap_or(base)
}

/// Facts of a part of the tree, loaded a piece at a time — the
/// neighbourhood of a report, the symbols of some names, the users of
/// others, whole files — then grouped by file for linking
/// (`Partial::facts`, `Partial::finish`). What a page of `cgloss serve`
/// shows is loaded this way, never the whole tree.
pub struct Partial<'s> {
    store: &'s Store,
    loaded: BTreeMap<i64, Stored>,
    /// Names whose symbols of every kind are loaded.
    named: HashSet<String>,
    /// Names whose callers and referrers are loaded.
    used: HashSet<String>,
    /// Files to list even when none of their symbols is loaded.
    files: BTreeSet<i64>,
    member_owners: HashMap<String, Vec<String>>,
}

/// Names per query (SQLite's JSON arrays have no limit, but a bounded
/// batch keeps one query's rows bounded too).
const BATCH: usize = 4096;

impl Store {
    /// An empty part of the tree, to load into.
    pub fn partial(&self) -> Partial<'_> {
        Partial {
            store: self,
            loaded: BTreeMap::new(),
            named: HashSet::new(),
            used: HashSet::new(),
            files: BTreeSet::new(),
            member_owners: HashMap::new(),
        }
    }

    /// Definitions named `name` (in `path` when given): their path and fact
    /// (without its doc).
    pub fn find_functions(
        &self,
        name: &str,
        path: Option<&str>,
    ) -> Result<Vec<(String, FunctionFact)>> {
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT f.path, s.data FROM symbols s JOIN files f ON f.id = s.file_id
             WHERE s.name = ?1 AND s.kind = 'function' ORDER BY f.path, s.line",
        ))?;
        let rows = self.sql(stmt.query_map([name], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        }))?;
        let mut out = Vec::new();
        for row in rows {
            let (p, data) = self.sql(row)?;
            if path.is_none_or(|want| want == p) {
                out.push((p, self.decode(&data)?));
            }
        }
        Ok(out)
    }

    /// The neighbourhood of the functions named `name` (in `path` when
    /// given). `tokens` lists the identifiers of a function's text.
    pub fn neighbourhood(
        &self,
        name: &str,
        path: Option<&str>,
        tokens: &mut dyn FnMut(&str, &FunctionFact) -> Vec<String>,
    ) -> Result<Neighbourhood> {
        // One read transaction: a consistent view, and one lock, not one per query.
        let tx = self.sql(self.conn.unchecked_transaction())?;
        let mut part = self.partial();
        part.neighbourhood(name, path, tokens)?;
        let found = part.finish();
        drop(tx);
        found
    }
}

impl Partial<'_> {
    /// Adds what the report of the functions named `name` (in `path` when
    /// given) needs: the functions, every symbol their bodies name and the
    /// types those lead to, their callers and referrers (and the
    /// prototypes that may document those), and which structs have the
    /// members their bodies name. `tokens` lists the identifiers of a
    /// function's text.
    pub fn neighbourhood(
        &mut self,
        name: &str,
        path: Option<&str>,
        tokens: &mut dyn FnMut(&str, &FunctionFact) -> Vec<String>,
    ) -> Result<()> {
        let store = self.store;
        // `struct x` is stored as `x`; its users refer to `struct x`.
        let mut queue: Vec<String> = vec![name.to_string(), bare(name).to_string()];
        let mut token_set: HashSet<String> = HashSet::new();
        for (p, f) in store.find_functions(name, path)? {
            token_set.extend(tokens(&p, &f));
            token_set.extend(f.calls.iter().cloned());
        }
        queue.extend(token_set.iter().cloned());
        // Callers and referrers; their names bring their docs.
        let mut caller_names = self.users([name])?;
        // Their summaries may come from a prototype: only those are
        // needed (kmalloc has thousands of callers).
        caller_names.sort();
        caller_names.dedup();
        for batch in caller_names.chunks(BATCH) {
            let json = serde_json::to_string(batch).expect("strings always encode");
            let mut stmt = store.sql(store.conn.prepare_cached(&format!(
                "{SYMBOL_SELECT} WHERE s.kind = 'prototype'
                 AND s.name IN (SELECT value FROM json_each(?1))"
            )))?;
            let rows = store.sql(stmt.query_map([json], Stored::from_row))?;
            for row in rows {
                let st = store.sql(row)?;
                self.loaded.insert(st.id, st);
            }
        }
        // Members named in the body: which structs have them.
        {
            let mut stmt = store.sql(store.conn.prepare_cached(
                "SELECT DISTINCT s.kind, s.name FROM members m JOIN symbols s ON s.id = m.symbol_id
                 WHERE m.name = ?1 LIMIT 2",
            ))?;
            for t in &token_set {
                if self.member_owners.contains_key(t) {
                    continue;
                }
                let rows = store.sql(stmt.query_map([t], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                }))?;
                let mut tags = Vec::new();
                for row in rows {
                    let (kind, n) = store.sql(row)?;
                    if n.starts_with("{anon}") {
                        tags.push(n.clone());
                    } else {
                        tags.push(format!("{kind} {n}"));
                    }
                    queue.push(n);
                }
                if !tags.is_empty() {
                    self.member_owners.insert(t.clone(), tags);
                }
            }
        }
        // Symbols by name, then the types they lead to, until nothing new.
        for _ in 0..TYPE_ROUNDS {
            let fresh = self.load_named(std::mem::take(&mut queue))?;
            for id in fresh {
                let l = &self.loaded[&id];
                store.types_of(l, &token_set, &mut queue)?;
            }
            queue.retain(|n| !self.named.contains(n));
            if queue.is_empty() {
                break;
            }
        }
        Ok(())
    }

    /// Adds every symbol (of every kind) named one of `names`.
    pub fn names<S: Into<String>>(&mut self, names: impl IntoIterator<Item = S>) -> Result<()> {
        self.load_named(names.into_iter().map(Into::into).collect())
            .map(drop)
    }

    /// Loads the symbols of the names not loaded yet; the ids of those new.
    fn load_named(&mut self, names: Vec<String>) -> Result<Vec<i64>> {
        let store = self.store;
        let batch: Vec<String> = names
            .into_iter()
            .filter(|n| self.named.insert(n.clone()))
            .collect();
        let mut fresh = Vec::new();
        let mut stmt = store.sql(store.conn.prepare_cached(&format!(
            "{SYMBOL_SELECT} WHERE s.name IN (SELECT value FROM json_each(?1))"
        )))?;
        for chunk in batch.chunks(BATCH) {
            let json = serde_json::to_string(chunk).expect("strings always encode");
            let rows = store.sql(stmt.query_map([json], Stored::from_row))?;
            for row in rows {
                let st = store.sql(row)?;
                if let std::collections::btree_map::Entry::Vacant(e) = self.loaded.entry(st.id) {
                    fresh.push(st.id);
                    e.insert(st);
                }
            }
        }
        Ok(fresh)
    }

    /// Adds every function that calls one of `names` and every function or
    /// variable that refers to one; the names of those users (each once
    /// per user).
    pub fn users<'n>(&mut self, names: impl IntoIterator<Item = &'n str>) -> Result<Vec<String>> {
        let store = self.store;
        let mut stmt = store.sql(store.conn.prepare_cached(&format!(
            "{SYMBOL_SELECT} WHERE s.id IN (SELECT caller FROM calls WHERE callee = ?1
             UNION SELECT referrer FROM refs WHERE name = ?1)"
        )))?;
        let mut out = Vec::new();
        for name in names {
            if !self.used.insert(name.to_string()) {
                continue;
            }
            let rows = store.sql(stmt.query_map([name], Stored::from_row))?;
            for row in rows {
                let st = store.sql(row)?;
                out.push(st.name.clone());
                self.loaded.entry(st.id).or_insert(st);
            }
        }
        Ok(out)
    }

    /// Adds every symbol of the file at `path`, and the file even when it
    /// declares nothing; whether the index has such a file.
    pub fn file(&mut self, path: &str) -> Result<bool> {
        let store = self.store;
        let id: Option<i64> = store.sql(
            store
                .conn
                .prepare_cached("SELECT id FROM files WHERE path = ?1 AND status != 'skipped'")
                .and_then(|mut s| {
                    rusqlite::OptionalExtension::optional(s.query_row([path], |r| r.get(0)))
                }),
        )?;
        let Some(id) = id else {
            return Ok(false);
        };
        if !self.files.insert(id) {
            return Ok(true);
        }
        let mut stmt = store.sql(
            store
                .conn
                .prepare_cached(&format!("{SYMBOL_SELECT} WHERE s.file_id = ?1")),
        )?;
        let rows = store.sql(stmt.query_map([id], Stored::from_row))?;
        for row in rows {
            let st = store.sql(row)?;
            self.loaded.entry(st.id).or_insert(st);
        }
        Ok(true)
    }

    /// The facts loaded so far, grouped by file in path order.
    pub fn facts(&self) -> Result<Vec<FileFacts>> {
        self.store.group(&self.loaded, &self.files)
    }

    /// The facts loaded, and what linking them needs of the whole tree.
    pub fn finish(self) -> Result<Neighbourhood> {
        let declared = self.store.declared_first_words(&self.loaded)?;
        let files = self.facts()?;
        Ok(Neighbourhood {
            files,
            member_owners: self.member_owners,
            declared,
        })
    }
}

impl Store {
    /// Which first words of the loaded docs are names declared in the tree.
    fn declared_first_words(&self, loaded: &BTreeMap<i64, Stored>) -> Result<HashSet<String>> {
        let mut words: Vec<&str> = loaded
            .values()
            .filter_map(|l| l.doc.as_ref())
            .filter_map(|d| d.summary.split_whitespace().next())
            .map(|w| {
                w.trim_start_matches(['@', '%', '&'])
                    .trim_end_matches([',', '.', ':', ';'])
                    .trim_end_matches("()")
            })
            .filter(|w| w.starts_with(|c: char| c.is_lowercase()))
            .collect();
        words.sort_unstable();
        words.dedup();
        let json = serde_json::to_string(&words).expect("strings always encode");
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT DISTINCT name FROM symbols WHERE kind != 'variable'
             AND name IN (SELECT value FROM json_each(?1))",
        ))?;
        let rows = self.sql(stmt.query_map([json], |r| r.get::<_, String>(0)))?;
        rows.map(|r| self.sql(r)).collect()
    }

    /// The type names a loaded symbol leads to.
    fn types_of(&self, l: &Stored, members: &HashSet<String>, out: &mut Vec<String>) -> Result<()> {
        let mut push = |t: &TypeRef| {
            let b = bare(&t.base);
            if !b.is_empty() {
                out.push(b.to_string());
            }
        };
        match l.kind.as_str() {
            "function" => {
                let f: FunctionFact = self.decode(l.data.as_deref().unwrap_or(&[]))?;
                push(&TypeRef::parse(&f.return_type));
                f.params.iter().for_each(|p| push(&p.ty));
                type_word_names(&f.type_words, &mut push);
            }
            "prototype" => {
                let f: cgloss_facts::PrototypeFact =
                    self.decode(l.data.as_deref().unwrap_or(&[]))?;
                push(&TypeRef::parse(&f.return_type));
                f.params.iter().for_each(|p| push(&p.ty));
                type_word_names(&f.type_words, &mut push);
            }
            "macro" if l.data.is_some() => {
                let m: cgloss_facts::MacroFact = self.decode(l.data.as_deref().unwrap_or(&[]))?;
                for name in m.value.iter().flat_map(|v| v.names()) {
                    push(&TypeRef::new(name, 0));
                }
                // What linking reads a return type's macro with
                // (`#define LUALIB_API LUA_API`, `#define ZEXPORT WINAPI`).
                for name in m.specifiers.iter().flatten() {
                    push(&TypeRef::new(name.trim_end_matches("()"), 0));
                }
            }
            "typedef" => {
                let t: cgloss_facts::TypedefFact = self.decode(l.data.as_deref().unwrap_or(&[]))?;
                push(&t.target);
            }
            "variable" => {
                let g: cgloss_facts::GlobalFact = self.decode(l.data.as_deref().unwrap_or(&[]))?;
                push(&g.ty);
            }
            "struct" | "union" => {
                let r: cgloss_facts::RecordFact = self.decode(l.data.as_deref().unwrap_or(&[]))?;
                for m in &r.members {
                    if members.contains(&m.name) || m.ty.base.starts_with("{anon}") {
                        push(&m.ty);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn group(
        &self,
        loaded: &BTreeMap<i64, Stored>,
        listed: &BTreeSet<i64>,
    ) -> Result<Vec<FileFacts>> {
        let mut files: BTreeMap<i64, FileFacts> = BTreeMap::new();
        let mut path_of = self.sql(
            self.conn
                .prepare_cached("SELECT path, includes, member_names FROM files WHERE id = ?1"),
        )?;
        let file_ids = loaded
            .values()
            .map(|l| l.file_id)
            .chain(listed.iter().copied());
        for file_id in file_ids {
            if let std::collections::btree_map::Entry::Vacant(e) = files.entry(file_id) {
                let (path, includes, member_names): (String, Option<String>, Option<String>) = self
                    .sql(
                        path_of
                            .query_row(params![file_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))),
                    )?;
                e.insert(FileFacts {
                    path,
                    includes: crate::split_lines(includes),
                    member_names: crate::split_lines(member_names),
                    ..FileFacts::default()
                });
            }
        }
        for l in loaded.values() {
            let facts = files.get_mut(&l.file_id).expect("every file was added");
            self.push_symbol(facts, l)?;
        }
        let mut out: Vec<FileFacts> = files.into_values().collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}
