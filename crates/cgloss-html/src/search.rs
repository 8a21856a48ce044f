//! The search index: every function, struct, union and macro name with the
//! page it leads to, split into shards by name prefix so that no shard is
//! much over `SHARD_BYTES`, each a script calling `cglossSearch.add`.

use std::collections::BTreeMap;

use cgloss_index::FnId;

use crate::{anchor, Page, Site};

/// Target size of one shard.
const SHARD_BYTES: usize = 150_000;
/// Longest prefix a shard key can have.
const MAX_KEY: usize = 32;

/// One searchable name: `[name, kind, url from the language root, where]`.
type Entry = [String; 4];

fn entries(site: &Site) -> Vec<Entry> {
    let index = site.index;
    let mut out = Vec::new();
    for (file_id, facts) in index.files().iter().enumerate() {
        let file_id = file_id as u32;
        for idx in 0..facts.functions.len() {
            let id = FnId {
                file: file_id,
                idx: idx as u32,
            };
            let f = index.function(id);
            out.push([
                f.name.clone(),
                "f".to_string(),
                site.function_url(id),
                format!("{}:{}", facts.path, f.line),
            ]);
        }
        for r in &facts.records {
            let Some((kw, name)) = r.tag.split_once(' ') else {
                continue;
            };
            out.push([
                name.to_string(),
                if kw == "union" { "u" } else { "s" }.to_string(),
                format!("{}#{}", site.file_url(file_id), anchor('r', r.line, &r.tag)),
                format!("{}:{}", facts.path, r.line),
            ]);
        }
        for m in &facts.macros {
            out.push([
                m.name.clone(),
                "m".to_string(),
                format!(
                    "{}#{}",
                    site.file_url(file_id),
                    anchor('d', m.line, &m.name)
                ),
                format!("{}:{}", facts.path, m.line),
            ]);
        }
    }
    out.sort();
    out
}

fn key_of(name: &str, len: usize) -> String {
    name.to_lowercase().chars().take(len).collect()
}

fn size(entries: &[&Entry]) -> usize {
    entries
        .iter()
        .map(|e| e.iter().map(|s| s.len() + 3).sum::<usize>() + 3)
        .sum()
}

/// Splits entries into shards keyed by lowercase prefix; a shard that is too
/// big is split by one more character (names as short as its key stay).
fn shard<'e>(entries: Vec<&'e Entry>, key_len: usize, out: &mut BTreeMap<String, Vec<&'e Entry>>) {
    let mut groups: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups.entry(key_of(&e[0], key_len)).or_default().push(e);
    }
    for (key, group) in groups {
        if size(&group) <= SHARD_BYTES || key_len >= MAX_KEY || key.chars().count() < key_len {
            out.entry(key).or_default().extend(group);
            continue;
        }
        let (short, long): (Vec<&Entry>, Vec<&Entry>) = group
            .into_iter()
            .partition(|e| e[0].chars().count() <= key_len);
        if !short.is_empty() {
            out.entry(key).or_default().extend(short);
        }
        shard(long, key_len + 1, out);
    }
}

/// A shard key as a file name: lowercase identifier characters stay, others
/// are escaped.
fn file_name(key: &str) -> String {
    let mut s = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            s.push(c);
        } else {
            s.push_str(&format!("~{:x}", c as u32));
        }
    }
    s
}

pub fn pages(site: &Site) -> Vec<Page> {
    let all = entries(site);
    let mut shards = BTreeMap::new();
    shard(all.iter().collect(), 2, &mut shards);
    let mut pages = Vec::new();
    let keys: Vec<(&String, String)> = shards.keys().map(|k| (k, file_name(k))).collect();
    let manifest: Vec<[&str; 2]> = keys.iter().map(|(k, f)| [k.as_str(), f.as_str()]).collect();
    pages.push(Page {
        path: "search/manifest.js".to_string(),
        bytes: format!(
            "cglossSearch.manifest({});\n",
            serde_json::to_string(&manifest).expect("strings serialize")
        )
        .into_bytes(),
    });
    for ((key, file), (_, entries)) in keys.iter().zip(&shards) {
        pages.push(Page {
            path: format!("search/{file}.js"),
            bytes: format!(
                "cglossSearch.add({}, {});\n",
                serde_json::to_string(key).expect("string"),
                serde_json::to_string(entries).expect("entries serialize")
            )
            .into_bytes(),
        });
    }
    pages
}
