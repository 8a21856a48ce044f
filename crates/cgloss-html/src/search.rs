//! The search index: every function, struct, union and macro name with the
//! page it leads to, split into shards by name prefix so that no shard is
//! much over `SHARD_BYTES`, each a script calling `cglossSearch.add`; and,
//! for each language but English, the functions whose summary the glossary
//! translates, searched by any part of the translation (`分配内存` finds
//! `kmalloc`), in shards the page loads all at once when a query has a
//! non-ASCII character.

use std::collections::BTreeMap;

use cgloss_index::FnId;
use cgloss_report::{Glossary, Lang, Options};

use crate::{anchor, lang_code, Page, Site};

/// Target size of one shard.
const SHARD_BYTES: usize = 150_000;
/// Longest prefix a shard key can have.
const MAX_KEY: usize = 32;

/// One searchable name, kept small (the kernel has millions of macros);
/// its strings (`[name, kind, url from the language root, where]`) are made
/// when its shard is written.
struct Entry<'a> {
    name: &'a str,
    kind: &'static str,
    file: u32,
    /// Function index, or line of a record or macro.
    idx: u32,
    /// Record tag (for its anchor).
    tag: &'a str,
    /// Bytes it takes in a shard.
    size: u32,
}

impl Entry<'_> {
    fn strings(&self, site: &Site) -> [String; 4] {
        let facts = site.index.file(self.file);
        match self.kind {
            "f" => {
                let id = FnId {
                    file: self.file,
                    idx: self.idx,
                };
                let f = site.index.function(id);
                [
                    f.name.clone(),
                    "f".to_string(),
                    site.function_url(id),
                    format!("{}:{}", facts.path, f.line),
                ]
            }
            kind => {
                let (letter, anchor_name) = if kind == "m" {
                    ('d', self.name)
                } else {
                    ('r', self.tag)
                };
                [
                    self.name.to_string(),
                    kind.to_string(),
                    format!(
                        "{}#{}",
                        site.file_url(self.file),
                        anchor(letter, self.idx, anchor_name)
                    ),
                    format!("{}:{}", facts.path, self.idx),
                ]
            }
        }
    }
}

fn entries<'a>(site: &'a Site) -> Vec<Entry<'a>> {
    let index = site.index;
    let mut out = Vec::new();
    for (file_id, facts) in index.files().iter().enumerate() {
        let file = file_id as u32;
        for (idx, f) in facts.functions.iter().enumerate() {
            out.push(Entry {
                name: &f.name,
                kind: "f",
                file,
                idx: idx as u32,
                tag: "",
                size: 0,
            });
        }
        for r in &facts.records {
            let Some((kw, name)) = r.tag.split_once(' ') else {
                continue;
            };
            out.push(Entry {
                name,
                kind: if kw == "union" { "u" } else { "s" },
                file,
                idx: r.line,
                tag: &r.tag,
                size: 0,
            });
        }
        for m in &facts.macros {
            out.push(Entry {
                name: &m.name,
                kind: "m",
                file,
                idx: m.line,
                tag: "",
                size: 0,
            });
        }
    }
    for e in &mut out {
        e.size = e.strings(site).iter().map(|s| s.len() + 3).sum::<usize>() as u32 + 3;
    }
    // Sorted as their strings sort; those are made only for equal names.
    out.sort_by(|a, b| {
        (a.name, a.kind)
            .cmp(&(b.name, b.kind))
            .then_with(|| a.strings(site).cmp(&b.strings(site)))
    });
    out
}

fn key_of(name: &str, len: usize) -> String {
    name.to_lowercase().chars().take(len).collect()
}

fn size(entries: &[&Entry]) -> usize {
    entries.iter().map(|e| e.size as usize).sum()
}

/// Splits entries into shards keyed by lowercase prefix; a shard that is too
/// big is split by one more character (names as short as its key stay).
fn shard<'e, 'a>(
    entries: Vec<&'e Entry<'a>>,
    key_len: usize,
    out: &mut BTreeMap<String, Vec<&'e Entry<'a>>>,
) {
    let mut groups: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups.entry(key_of(e.name, key_len)).or_default().push(e);
    }
    for (key, group) in groups {
        if size(&group) <= SHARD_BYTES || key_len >= MAX_KEY || key.chars().count() < key_len {
            out.entry(key).or_default().extend(group);
            continue;
        }
        let (short, long): (Vec<&Entry>, Vec<&Entry>) = group
            .into_iter()
            .partition(|e| e.name.chars().count() <= key_len);
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

/// Writes, for each translated language, `search/{lang}/summaries.js` (the
/// list of shards) and its shards of `[name, kind, url, where, summary]`.
fn write_summaries<E>(
    site: &Site,
    glossary: &Glossary,
    write: &mut dyn FnMut(Page) -> Result<(), E>,
) -> Result<(), E> {
    for &lang in site.langs().iter().filter(|&&l| l != Lang::En) {
        let opts = Options::new(lang, glossary);
        let code = lang_code(lang);
        let mut shards: Vec<Vec<[String; 5]>> = vec![Vec::new()];
        let mut bytes = 0;
        for (file_id, facts) in site.index.files().iter().enumerate() {
            for (idx, f) in facts.functions.iter().enumerate() {
                let id = FnId {
                    file: file_id as u32,
                    idx: idx as u32,
                };
                let Some((local, en)) = cgloss_report::summary(site.index, id, &opts) else {
                    continue;
                };
                if local == en {
                    continue;
                }
                let entry = [
                    f.name.clone(),
                    "f".to_string(),
                    site.function_url(id),
                    format!("{}:{}", facts.path, f.line),
                    local,
                ];
                let size = entry.iter().map(|s| s.len() + 3).sum::<usize>();
                if bytes + size > SHARD_BYTES && bytes > 0 {
                    shards.push(Vec::new());
                    bytes = 0;
                }
                bytes += size;
                shards.last_mut().expect("one shard").push(entry);
            }
        }
        let names: Vec<String> = (0..shards.len())
            .map(|k| format!("summaries-{k}.js"))
            .collect();
        write(Page {
            path: format!("search/{code}/summaries.js"),
            bytes: format!(
                "cglossSearch.summaryShards({});\n",
                serde_json::to_string(&names).expect("strings serialize")
            )
            .into_bytes(),
        })?;
        for (k, entries) in shards.iter().enumerate() {
            write(Page {
                path: format!("search/{code}/{}", names[k]),
                bytes: format!(
                    "cglossSearch.summaries({k}, {});\n",
                    serde_json::to_string(entries).expect("entries serialize")
                )
                .into_bytes(),
            })?;
        }
    }
    Ok(())
}

/// Writes the manifest and every shard through `write`, one at a time.
pub fn write_pages<E>(
    site: &Site,
    glossary: &Glossary,
    write: &mut dyn FnMut(Page) -> Result<(), E>,
) -> Result<(), E> {
    write_summaries(site, glossary, write)?;
    let all = entries(site);
    let mut shards = BTreeMap::new();
    shard(all.iter().collect(), 2, &mut shards);
    let keys: Vec<(&String, String)> = shards.keys().map(|k| (k, file_name(k))).collect();
    let manifest: Vec<[&str; 2]> = keys.iter().map(|(k, f)| [k.as_str(), f.as_str()]).collect();
    write(Page {
        path: "search/manifest.js".to_string(),
        bytes: format!(
            "cglossSearch.manifest({});\n",
            serde_json::to_string(&manifest).expect("strings serialize")
        )
        .into_bytes(),
    })?;
    for ((key, file), (_, entries)) in keys.iter().zip(&shards) {
        let strings: Vec<[String; 4]> = entries.iter().map(|e| e.strings(site)).collect();
        write(Page {
            path: format!("search/{file}.js"),
            bytes: format!(
                "cglossSearch.add({}, {});\n",
                serde_json::to_string(key).expect("string"),
                serde_json::to_string(&strings).expect("entries serialize")
            )
            .into_bytes(),
        })?;
    }
    Ok(())
}
