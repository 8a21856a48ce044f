//! The search index of the static site, loaded with `<script>` tags so it
//! works from `file://`: every name a reader looks up (functions, macros,
//! structs, unions, enums, enum constants, typedefs, globals, members as
//! `tag.member`, and prototypes of functions the tree does not define),
//! each with the page or anchor it leads to, written three ways:
//!
//! - **chunks** (`search/id/<n>.js`): the entries in name order (by
//!   lowercase name), `CHUNK` to a file, so entry `i` is in chunk
//!   `i / CHUNK`;
//! - **prefixes** (`search/manifest.js`): the names split by lowercase
//!   prefix so that no prefix holds much over `SHARD_BYTES` of entries, each
//!   prefix with the run of chunks holding its names; a query loads those
//!   of the longest prefix it starts with;
//! - **trigrams** (`search/sub/grams.js`, `search/sub/<gram>.js`): for each
//!   lowercase trigram of the names, the chunks holding a name that contains
//!   it; `sub/grams.js` lists every trigram with the size class of its list, so
//!   a substring query (3 characters or more) loads the lists of its (up to
//!   four) rarest trigrams, then the chunks on all of them, until it has a
//!   page of results. A
//!   list holds chunk numbers, not entries, so none is larger than the
//!   number of chunks, and the whole is a fraction of the entries' size.
//!
//! And, for each language but English, the functions whose summary the
//! glossary translates, searched by any part of the translation
//! (`分配内存` finds `kmalloc`), in shards the page loads all at once when a
//! query has a non-ASCII character.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use cgloss_index::FnId;
use cgloss_report::{Glossary, Lang, Options};

use crate::{anchor, lang_code, Page, Site};

/// Target size of one prefix shard.
const SHARD_BYTES: usize = 150_000;
/// Longest prefix a shard key can have.
const MAX_KEY: usize = 32;
/// Entries per chunk.
const CHUNK: usize = 64;

/// Where an entry leads.
enum Target<'a> {
    /// A function's report (its index in the file).
    Function(u32),
    /// An anchor of the file page: kind letter, line, the anchor's name.
    Anchor(char, u32, &'a str),
}

/// One searchable name, kept small (the kernel has millions of macros);
/// its strings (`[name, kind, url from the language root, where]`) are made
/// when its shard is written.
struct Entry<'a> {
    name: Cow<'a, str>,
    /// The name in lowercase: the order, prefixes and trigrams.
    lower: String,
    /// Kind letter (`KIND` in the page's words).
    kind: &'static str,
    file: u32,
    line: u32,
    target: Target<'a>,
    /// Bytes it takes in a shard.
    size: u32,
    /// Its place in name order (chunk `id / CHUNK`).
    id: u32,
}

impl Entry<'_> {
    fn strings(&self, site: &Site) -> [String; 4] {
        let facts = site.index.file(self.file);
        let url = match self.target {
            Target::Function(idx) => site.function_url(FnId {
                file: self.file,
                idx,
            }),
            Target::Anchor(letter, line, name) => {
                format!(
                    "{}#{}",
                    site.file_url(self.file),
                    anchor(letter, line, name)
                )
            }
        };
        [
            self.name.to_string(),
            self.kind.to_string(),
            url,
            format!("{}:{}", facts.path, self.line),
        ]
    }
}

/// The name of a tagged definition (`struct file` → `file`); `None` for an
/// anonymous one.
fn tag_name(tag: &str) -> Option<&str> {
    let name = tag.split_once(' ').map_or(tag, |(_, n)| n);
    (!name.is_empty() && !name.starts_with('{')).then_some(name)
}

fn entries<'a>(site: &'a Site) -> Vec<Entry<'a>> {
    let index = site.index;
    let mut out = Vec::new();
    for (file_id, facts) in index.files().iter().enumerate() {
        let file = file_id as u32;
        let mut push = |name: Cow<'a, str>, kind: &'static str, line: u32, target: Target<'a>| {
            out.push(Entry {
                lower: name.to_lowercase(),
                name,
                kind,
                file,
                line,
                target,
                size: 0,
                id: 0,
            })
        };
        for (idx, f) in facts.functions.iter().enumerate() {
            push(
                Cow::Borrowed(&f.name),
                "f",
                f.line,
                Target::Function(idx as u32),
            );
        }
        // A prototype is found as the function when the tree defines it.
        for p in &facts.prototypes {
            if index.find_functions(&p.name, None).is_empty() {
                let target = Target::Anchor('p', p.line, &p.name);
                push(Cow::Borrowed(&p.name), "p", p.line, target);
            }
        }
        for r in &facts.records {
            let Some(tag) = tag_name(&r.tag) else {
                continue;
            };
            let kind = if r.tag.starts_with("union ") {
                "u"
            } else {
                "s"
            };
            push(
                Cow::Borrowed(tag),
                kind,
                r.line,
                Target::Anchor('r', r.line, &r.tag),
            );
            for m in &r.members {
                let target = Target::Anchor('m', m.line, &m.name);
                push(Cow::Owned(format!("{tag}.{}", m.name)), ".", m.line, target);
            }
        }
        for e in &facts.enums {
            if let Some(tag) = tag_name(&e.tag) {
                let target = Target::Anchor('n', e.line, &e.tag);
                push(Cow::Borrowed(tag), "e", e.line, target);
            }
        }
        for (letter, kind, list) in [
            (
                'd',
                "m",
                facts
                    .macros
                    .iter()
                    .map(|m| (&m.name, m.line))
                    .collect::<Vec<_>>(),
            ),
            (
                'e',
                "c",
                facts
                    .enum_consts
                    .iter()
                    .map(|e| (&e.name, e.line))
                    .collect(),
            ),
            (
                't',
                "t",
                facts.typedefs.iter().map(|t| (&t.name, t.line)).collect(),
            ),
            (
                'v',
                "v",
                facts.globals.iter().map(|g| (&g.name, g.line)).collect(),
            ),
        ] {
            for (name, line) in list {
                push(
                    Cow::Borrowed(name),
                    kind,
                    line,
                    Target::Anchor(letter, line, name),
                );
            }
        }
    }
    out.retain(|e| !e.name.is_empty());
    for e in &mut out {
        e.size = e.strings(site).iter().map(|s| s.len() + 3).sum::<usize>() as u32 + 3;
    }
    // Sorted as their strings sort; those are made only for equal names.
    out.sort_by(|a, b| {
        (&a.lower, &a.name, a.kind)
            .cmp(&(&b.lower, &b.name, b.kind))
            .then_with(|| a.strings(site).cmp(&b.strings(site)))
    });
    for (id, e) in out.iter_mut().enumerate() {
        e.id = id as u32;
    }
    out
}

fn key_of(lower: &str, len: usize) -> String {
    lower.chars().take(len).collect()
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
        groups.entry(key_of(&e.lower, key_len)).or_default().push(e);
    }
    for (key, group) in groups {
        if size(&group) <= SHARD_BYTES || key_len >= MAX_KEY || key.chars().count() < key_len {
            out.entry(key).or_default().extend(group);
            continue;
        }
        let (short, long): (Vec<&Entry>, Vec<&Entry>) = group
            .into_iter()
            .partition(|e| e.lower.chars().count() <= key_len);
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

/// Size class of a trigram's list of `n` chunks: one character, `0` for
/// one chunk, then one more per doubling (`sub/grams.js`).
fn size_class(n: usize) -> char {
    let bits = usize::BITS - n.max(1).leading_zeros() - 1;
    char::from_digit(bits.min(35), 36).expect("below 36")
}

/// The lowercase trigrams of `lower` that are ASCII (names are C
/// identifiers; a trigram with another character is not indexed, so such
/// a name is found by prefix only).
fn trigrams(lower: &str) -> impl Iterator<Item = &str> {
    let b = lower.as_bytes();
    (0..b.len().saturating_sub(2))
        .filter(move |&i| b[i..i + 3].iter().all(u8::is_ascii))
        .map(move |i| &lower[i..i + 3])
}

/// Writes the chunks, and for each trigram the chunks whose names hold it.
fn write_substrings<E>(
    site: &Site,
    all: &[Entry],
    write: &mut dyn FnMut(Page) -> Result<(), E>,
) -> Result<(), E> {
    let mut grams: HashMap<&str, Vec<u32>> = HashMap::new();
    for (k, chunk) in all.chunks(CHUNK).enumerate() {
        let strings: Vec<[String; 4]> = chunk.iter().map(|e| e.strings(site)).collect();
        write(Page {
            path: format!("search/id/{k}.js"),
            bytes: format!(
                "cglossSearch.chunk({k}, {});\n",
                serde_json::to_string(&strings).expect("entries serialize")
            )
            .into_bytes(),
        })?;
        for e in chunk {
            for gram in trigrams(&e.lower) {
                let list = grams.entry(gram).or_default();
                if list.last() != Some(&(k as u32)) {
                    list.push(k as u32);
                }
            }
        }
    }
    let mut grams: Vec<(&str, Vec<u32>)> = grams.into_iter().collect();
    grams.sort_unstable();
    let (mut names, mut classes) = (String::new(), String::new());
    for (gram, list) in &grams {
        names.push_str(gram);
        classes.push(size_class(list.len()));
    }
    write(Page {
        path: "search/sub/grams.js".to_string(),
        bytes: format!(
            "cglossSearch.grams({}, {}, {CHUNK});\n",
            serde_json::to_string(&names).expect("string"),
            serde_json::to_string(&classes).expect("string"),
        )
        .into_bytes(),
    })?;
    for (gram, list) in &grams {
        // Chunk numbers as differences from the one before: short numbers.
        let mut deltas = String::from("[");
        let mut last = 0;
        for (i, &k) in list.iter().enumerate() {
            if i > 0 {
                deltas.push(',');
            }
            deltas.push_str(&(k - last).to_string());
            last = k;
        }
        deltas.push(']');
        write(Page {
            path: format!("search/sub/{}.js", file_name(gram)),
            bytes: format!(
                "cglossSearch.gram({}, {deltas});\n",
                serde_json::to_string(gram).expect("string")
            )
            .into_bytes(),
        })?;
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
    write_substrings(site, &all, write)?;
    // A prefix's names are a run of entries in name order (sorted by
    // lowercase name, grouped by lowercase prefix): the manifest gives the
    // chunks holding them, so the entries are written once.
    let manifest: Vec<(&String, u32, u32)> = shards
        .iter()
        .map(|(key, entries)| {
            let first = entries.iter().map(|e| e.id).min().unwrap_or(0);
            let last = entries.iter().map(|e| e.id).max().unwrap_or(0);
            debug_assert_eq!((last - first) as usize + 1, entries.len(), "{key}");
            (key, first / CHUNK as u32, last / CHUNK as u32)
        })
        .collect();
    write(Page {
        path: "search/manifest.js".to_string(),
        bytes: format!(
            "cglossSearch.manifest({});\n",
            serde_json::to_string(&manifest).expect("strings serialize")
        )
        .into_bytes(),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SiteConfig, SiteParts};

    /// The search pages of a small tree, by path.
    fn pages(text: &str) -> BTreeMap<String, String> {
        let index = cgloss_index::link(vec![cgloss_syntax::extract("fs/u.c", text)]);
        let config = SiteConfig {
            title: "t".to_string(),
            langs: vec![Lang::En],
            generated: String::new(),
            modified: Vec::new(),
            source: false,
        };
        let parts = SiteParts::new(&index, config);
        let site = Site::of(&index, &parts);
        let mut out = BTreeMap::new();
        write_pages(&site, &Glossary::none(), &mut |page| {
            out.insert(page.path, String::from_utf8(page.bytes).unwrap());
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    /// The JSON argument list of a `cglossSearch.f(…);` script.
    fn args(script: &str) -> serde_json::Value {
        let open = script.find('(').unwrap();
        let close = script.rfind(')').unwrap();
        serde_json::from_str(&format!("[{}]", &script[open + 1..close])).unwrap()
    }

    const TREE: &str = "#define USERFAULTFD_MAX 3\n\
        struct userfaultfd_ctx { int flags; struct file *file; };\n\
        union u { int x; };\n\
        enum uffd_state { UFFD_OFF, UFFD_ON };\n\
        typedef struct userfaultfd_ctx uffd_t;\n\
        int userfaultfd_count;\n\
        int undefined_userfaultfd(void);\n\
        int dup_userfaultfd(int flags);\n\
        int dup_userfaultfd(int flags) { return flags; }\n";

    #[test]
    fn every_kind_with_its_page() {
        let pages = pages(TREE);
        let mut all = Vec::new();
        for (path, script) in &pages {
            if path.starts_with("search/id/") {
                let chunk = args(script);
                all.extend(chunk[1].as_array().unwrap().iter().map(|e| {
                    let e: Vec<&str> = e
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap())
                        .collect();
                    format!("{} {} {} {}", e[0], e[1], e[2], e[3])
                }));
            }
        }
        assert_eq!(
            all,
            [
                "dup_userfaultfd f fs/u.c/dup_userfaultfd.html fs/u.c:9",
                "u u fs/u.c.html#r3-union-u fs/u.c:3",
                "u.x . fs/u.c.html#m3-x fs/u.c:3",
                "UFFD_OFF c fs/u.c.html#e4-UFFD_OFF fs/u.c:4",
                "UFFD_ON c fs/u.c.html#e4-UFFD_ON fs/u.c:4",
                "uffd_state e fs/u.c.html#n4-enum-uffd_state fs/u.c:4",
                "uffd_t t fs/u.c.html#t5-uffd_t fs/u.c:5",
                "undefined_userfaultfd p fs/u.c.html#p7-undefined_userfaultfd fs/u.c:7",
                "userfaultfd_count v fs/u.c.html#v6-userfaultfd_count fs/u.c:6",
                "userfaultfd_ctx s fs/u.c.html#r2-struct-userfaultfd_ctx fs/u.c:2",
                "userfaultfd_ctx.file . fs/u.c.html#m2-file fs/u.c:2",
                "userfaultfd_ctx.flags . fs/u.c.html#m2-flags fs/u.c:2",
                "USERFAULTFD_MAX m fs/u.c.html#d1-USERFAULTFD_MAX fs/u.c:1",
            ]
        );
    }

    #[test]
    fn a_trigram_lists_the_chunks_of_its_names() {
        let mut tree = String::from(TREE);
        // Enough names that the entries take several chunks.
        for i in 0..3 * CHUNK {
            tree.push_str(&format!("int zz_filler_{i:03}(void) {{ return 0; }}\n"));
        }
        tree.push_str("int zz_late_userfaultfd(void) { return 0; }\n");
        let pages = pages(&tree);
        let grams = args(&pages["search/sub/grams.js"]);
        let (names, classes) = (grams[0].as_str().unwrap(), grams[1].as_str().unwrap());
        assert_eq!(names.len(), 3 * classes.len());
        assert_eq!(grams[2], CHUNK);
        let chunks_of = |gram: &str| -> Vec<u64> {
            let list = args(&pages[&format!("search/sub/{}.js", file_name(gram))]);
            assert_eq!(list[0], gram);
            let mut k = 0;
            list[1]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    k += d.as_u64().unwrap();
                    k
                })
                .collect()
        };
        // `tfd` is in the first chunk and the last, `dup` in the first only.
        let last = (pages.keys().filter(|p| p.starts_with("search/id/")).count() - 1) as u64;
        assert_eq!(chunks_of("tfd"), [0, last]);
        assert_eq!(chunks_of("lle"), [0, 1, 2, 3]);
        assert_eq!(chunks_of("dup"), [0]);
        let late = &pages[&format!("search/id/{last}.js")];
        assert!(late.contains("zz_late_userfaultfd"), "{late}");
        // A prefix's names are a run of chunks.
        let manifest = args(&pages["search/manifest.js"]);
        let range = |key: &str| {
            let p = manifest[0]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p[0] == key)
                .unwrap();
            (p[1].as_u64().unwrap(), p[2].as_u64().unwrap())
        };
        assert_eq!(range("du"), (0, 0));
        assert_eq!(range("zz"), (0, last));
        // Members are found by their `tag.member` name.
        assert_eq!(chunks_of("x.f")[0], 0);
        assert_eq!(size_class(1), '0');
        assert_eq!(size_class(2), '1');
        assert_eq!(size_class(1000), '9');
        assert!(!pages.contains_key("search/sub/~e4.js"));
    }
}
