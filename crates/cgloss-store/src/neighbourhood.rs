//! Loading only what one function's report needs: the function, the
//! symbols its body names (and the types those lead to), its callers and
//! referrers. Linked on their own, these give the same report as the whole
//! tree, in milliseconds.

use std::collections::{BTreeMap, HashMap, HashSet};

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

impl Store {
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
        let found = self.neighbourhood_in(name, path, tokens);
        drop(tx);
        found
    }

    fn neighbourhood_in(
        &self,
        name: &str,
        path: Option<&str>,
        tokens: &mut dyn FnMut(&str, &FunctionFact) -> Vec<String>,
    ) -> Result<Neighbourhood> {
        let mut loaded: BTreeMap<i64, Stored> = BTreeMap::new();
        let mut names: HashSet<String> = HashSet::new();
        // `struct x` is stored as `x`; its users refer to `struct x`.
        let mut queue: Vec<String> = vec![name.to_string(), bare(name).to_string()];
        let mut token_set: HashSet<String> = HashSet::new();
        for (p, f) in self.find_functions(name, path)? {
            token_set.extend(tokens(&p, &f));
            token_set.extend(f.calls.iter().cloned());
        }
        queue.extend(token_set.iter().cloned());
        // Callers and referrers; their names bring their docs.
        {
            let mut stmt = self.sql(self.conn.prepare_cached(&format!(
                "{SYMBOL_SELECT} WHERE s.id IN (SELECT caller FROM calls WHERE callee = ?1
                 UNION SELECT referrer FROM refs WHERE name = ?1)"
            )))?;
            let rows = self.sql(stmt.query_map([name], Stored::from_row))?;
            let mut caller_names = Vec::new();
            for row in rows {
                let st = self.sql(row)?;
                caller_names.push(st.name.clone());
                loaded.insert(st.id, st);
            }
            // Their summaries may come from a prototype: only those are
            // needed (kmalloc has thousands of callers).
            caller_names.sort();
            caller_names.dedup();
            let json = serde_json::to_string(&caller_names).expect("strings always encode");
            let mut stmt = self.sql(self.conn.prepare_cached(&format!(
                "{SYMBOL_SELECT} WHERE s.kind = 'prototype'
                 AND s.name IN (SELECT value FROM json_each(?1))"
            )))?;
            let rows = self.sql(stmt.query_map([json], Stored::from_row))?;
            for row in rows {
                let st = self.sql(row)?;
                loaded.insert(st.id, st);
            }
        }
        // Members named in the body: which structs have them.
        let mut member_owners: HashMap<String, Vec<String>> = HashMap::new();
        {
            let mut stmt = self.sql(self.conn.prepare_cached(
                "SELECT DISTINCT s.kind, s.name FROM members m JOIN symbols s ON s.id = m.symbol_id
                 WHERE m.name = ?1 LIMIT 2",
            ))?;
            for t in &token_set {
                let rows = self.sql(stmt.query_map([t], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                }))?;
                let mut tags = Vec::new();
                for row in rows {
                    let (kind, n) = self.sql(row)?;
                    if n.starts_with("{anon}") {
                        tags.push(n.clone());
                    } else {
                        tags.push(format!("{kind} {n}"));
                    }
                    queue.push(n);
                }
                if !tags.is_empty() {
                    member_owners.insert(t.clone(), tags);
                }
            }
        }
        // Symbols by name, then the types they lead to, until nothing new.
        // One query per round: the names as a JSON array.
        let mut stmt = self.sql(self.conn.prepare_cached(&format!(
            "{SYMBOL_SELECT} WHERE s.name IN (SELECT value FROM json_each(?1))"
        )))?;
        for _ in 0..TYPE_ROUNDS {
            let mut fresh: Vec<i64> = Vec::new();
            let batch: Vec<String> = std::mem::take(&mut queue)
                .into_iter()
                .filter(|n| names.insert(n.clone()))
                .collect();
            let json = serde_json::to_string(&batch).expect("strings always encode");
            let rows = self.sql(stmt.query_map([json], Stored::from_row))?;
            for row in rows {
                let st = self.sql(row)?;
                let id = st.id;
                if let std::collections::btree_map::Entry::Vacant(e) = loaded.entry(id) {
                    e.insert(st);
                    fresh.push(id);
                }
            }
            for id in fresh {
                let l = &loaded[&id];
                self.types_of(l, &token_set, &mut queue)?;
            }
            queue.retain(|n| !names.contains(n));
            if queue.is_empty() {
                break;
            }
        }
        drop(stmt);
        let declared = self.declared_first_words(&loaded)?;
        let files = self.group(loaded)?;
        Ok(Neighbourhood {
            files,
            member_owners,
            declared,
        })
    }

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

    fn group(&self, loaded: BTreeMap<i64, Stored>) -> Result<Vec<FileFacts>> {
        let mut files: BTreeMap<i64, FileFacts> = BTreeMap::new();
        let mut path_of = self.sql(
            self.conn
                .prepare_cached("SELECT path, includes, member_names FROM files WHERE id = ?1"),
        )?;
        for (_, l) in loaded {
            let facts = match files.entry(l.file_id) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let (path, includes, member_names): (String, Option<String>, Option<String>) =
                        self.sql(path_of.query_row(params![l.file_id], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        }))?;
                    e.insert(FileFacts {
                        path,
                        includes: crate::split_lines(includes),
                        member_names: crate::split_lines(member_names),
                        ..FileFacts::default()
                    })
                }
            };
            self.push_symbol(facts, &l)?;
        }
        let mut out: Vec<FileFacts> = files.into_values().collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}
