// cgloss site: name search over a sharded static index (and, on
// translated pages, search in the translated summaries), loaded with
// <script> tags so it works from file:// without a server. A prefix loads
// the chunks of names starting with it; a substring of 3 characters or
// more loads the lists of chunks holding its rarest trigrams, then the
// chunks on all of them until a page of results is found (search.rs says how the files
// are laid out). Served by `cgloss serve`, the server's identifier search
// instead, falling back to the shards when there is no such server. Arrow
// keys in the results; the language links keep the #anchor. Pages read
// fine without this script.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root");      // relative path to the site root
  var langRoot = body.getAttribute("data-langroot"); // relative path to this language's root
  var pending = {};   // key -> true while loading
  var manifest = null;

  // Substring search: trigram -> size class of its list, chunk size, the
  // lists (trigram -> chunk numbers) and the chunks (number -> entries).
  var grams = null, chunkSize = 0, gramLists = {}, chunks = {};
  var MAX_LOADING = 16; // chunks requested at once

  window.cglossSearch = {
    // [name prefix, first chunk, last chunk] of each prefix
    manifest: function (list) { delete pending.manifest; manifest = {}; list.forEach(function (p) { manifest[p[0]] = [p[1], p[2]]; }); refresh(); },
    // every trigram (3 characters each, sorted) and a size-class character each
    grams: function (names, classes, size) {
      delete pending.grams;
      grams = {};
      for (var i = 0; i < classes.length; i++) grams[names.substr(3 * i, 3)] = parseInt(classes[i], 36);
      chunkSize = size;
      refresh();
    },
    // the chunks holding a name with `gram`, as differences
    gram: function (gram, deltas) {
      var list = [], k = 0;
      deltas.forEach(function (d) { k += d; list.push(k); });
      gramLists[gram] = list;
      delete pending["g" + gram];
      refresh();
    },
    chunk: function (k, entries) { chunks[k] = entries; delete pending["id/" + k]; refresh(); }
  };

  function load(src) {
    var s = document.createElement("script");
    s.src = root + "search/" + src;
    document.head.appendChild(s);
  }

  // The shard holding names that start with `q`: the longest key that is a
  // prefix of q. Keys are split further where a shard would be too large.
  function shardKey(q) {
    for (var n = Math.min(q.length, 32); n >= 1; n--) {
      var k = q.slice(0, n);
      if (Object.prototype.hasOwnProperty.call(manifest, k)) return k;
    }
    return null;
  }

  var input = document.getElementById("q");
  var list = document.getElementById("results");
  if (!input || !list) return;
  // Labels in the page's language: kind names, and the line saying that
  // more names match than are listed ({n} shown, {total} in all).
  var KIND = JSON.parse(list.getAttribute("data-kinds") || "{}");
  var MORE = list.getAttribute("data-more") || "{n} / {total}";
  var LIMIT = 50;

  // Translated summaries (non-English pages): every shard, loaded on the
  // first query with a non-ASCII character.
  var SUMS = list.getAttribute("data-summaries");
  var sumFiles = null, sums = {};
  window.cglossSearch.summaryShards = function (files) {
    sumFiles = files;
    files.forEach(function (f) { load(SUMS + "/" + f); });
    refresh();
  };
  window.cglossSearch.summaries = function (k, entries) { sums[k] = entries; refresh(); };

  function nameHits(q) {
    if (q.length < 2) return [];
    if (!manifest) { if (!pending.manifest) { pending.manifest = true; load("manifest.js"); } return []; }
    var key = shardKey(q);
    if (key === null) return [];
    var hits = [];
    for (var k = manifest[key][0]; k <= manifest[key][1]; k++) {
      if (!chunks[k]) {
        if (!pending["id/" + k]) { pending["id/" + k] = true; load("id/" + k + ".js"); }
        continue;
      }
      chunks[k].forEach(function (e) { if (e[0].toLowerCase().indexOf(q) === 0) hits.push(e); });
    }
    return hits;
  }

  // A trigram's file name, as search.rs writes it.
  function gramFile(g) {
    return g.replace(/[^a-z0-9_]/g, function (c) { return "~" + c.charCodeAt(0).toString(16); });
  }

  // Names holding `q` (3 characters or more): the chunks listed for each of
  // its GRAMS rarest trigrams (a chunk holding q is on every list), in
  // order, until more than LIMIT names are found; `more` says chunks were
  // left unread.
  var GRAMS = 4, candidates = {};
  function substringHits(q) {
    var none = { hits: [], more: false };
    if (q.length < 3 || /[^\x00-\x7f]/.test(q)) return none;
    if (!grams) { if (!pending.grams) { pending.grams = true; load("sub/grams.js"); } return none; }
    var list = candidates[q];
    if (!list) {
      var mine = [];
      for (var i = 0; i + 3 <= q.length; i++) {
        var g = q.substr(i, 3);
        if (!Object.prototype.hasOwnProperty.call(grams, g)) return none; // no name holds it
        if (mine.indexOf(g) < 0) mine.push(g);
      }
      mine.sort(function (a, b) { return grams[a] - grams[b]; });
      mine = mine.slice(0, GRAMS);
      var missing = mine.filter(function (g) { return !gramLists[g]; });
      if (missing.length) {
        missing.forEach(function (g) {
          if (!pending["g" + g]) { pending["g" + g] = true; load("sub/" + gramFile(g) + ".js"); }
        });
        return none;
      }
      var count = {};
      mine.forEach(function (g) { gramLists[g].forEach(function (k) { count[k] = (count[k] || 0) + 1; }); });
      list = gramLists[mine[0]].filter(function (k) { return count[k] === mine.length; });
      candidates[q] = list;
    }
    var hits = [], loading = 0;
    for (var j = 0; j < list.length; j++) {
      var entries = chunks[list[j]];
      if (!entries) {
        var key = "id/" + list[j];
        if (!pending[key]) { pending[key] = true; load(key + ".js"); }
        if (++loading >= MAX_LOADING) return { hits: hits, more: true };
        continue;
      }
      entries.forEach(function (e) { if (e[0].toLowerCase().indexOf(q) >= 0) hits.push(e); });
      if (hits.length > LIMIT && loading === 0) return { hits: hits, more: j + 1 < list.length };
    }
    return { hits: hits, more: loading > 0 };
  }

  // Prefix and substring hits, each name once.
  function staticHits(q) {
    var seen = {}, hits = [];
    var sub = substringHits(q);
    nameHits(q).concat(sub.hits).forEach(function (e) {
      var key = e[0] + " " + e[2];
      if (!seen[key]) { seen[key] = true; hits.push(e); }
    });
    return { hits: sortHits(q, hits), more: sub.more && hits.length >= LIMIT };
  }

  function summaryHits(q) {
    if (!SUMS) return [];
    if (!sumFiles) { if (!pending.sums) { pending.sums = true; load(SUMS + "/summaries.js"); } return []; }
    var hits = [];
    Object.keys(sums).sort(function (a, b) { return a - b; }).forEach(function (k) {
      sums[k].forEach(function (e) { if (e[4].toLowerCase().indexOf(q) >= 0) hits.push(e); });
    });
    return hits;
  }

  // Whether to ask `cgloss serve` (null: not known yet).
  var api = /^https?:$/.test(window.location.protocol) ? null : false;
  var asked = "";

  function ask(q) {
    asked = q;
    var base = root + "api/v1/search?per_page=" + LIMIT + "&q=" + encodeURIComponent(q) + "&mode=";
    var get = function (mode) {
      return fetch(base + mode).then(function (r) {
        if (!r.ok || (r.headers.get("content-type") || "").indexOf("json") < 0) throw r;
        return r.json();
      });
    };
    Promise.all([get("prefix"), get("substring")]).then(function (answers) {
      api = true;
      if (asked !== q) return;
      var seen = {}, hits = [];
      answers.forEach(function (a) {
        a.identifiers.forEach(function (id) {
          if (seen[id.name]) return;
          seen[id.name] = true;
          var d = id.definitions[0];
          hits.push([id.name, d.type, d.url, d.path + ":" + d.line]);
        });
      });
      var more = answers.some(function (a) { return a.more; });
      show(sortHits(q.toLowerCase(), hits), more);
    }, function () { api = false; refresh(); });
  }

  // Best first: the name itself, then names where q starts a word (at the
  // start, or after `_` or `.`: `dup_userfaultfd` for `userfaultfd`), then
  // the rest; shorter names first, then by name.
  function rank(name, q) {
    var n = name.toLowerCase();
    if (n === q) return 0;
    var at = n.indexOf(q);
    while (at > 0 && n[at - 1] !== "_" && n[at - 1] !== ".") at = n.indexOf(q, at + 1);
    return at >= 0 ? 1 : 2;
  }

  function sortHits(q, hits) {
    return hits.sort(function (a, b) {
      return rank(a[0], q) - rank(b[0], q) || a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    });
  }

  function refresh() {
    var raw = input.value.trim();
    var q = raw.toLowerCase();
    var translated = /[^\x00-\x7f]/.test(q);
    if (!q || (!translated && q.length < 2)) {
      while (list.firstChild) list.removeChild(list.firstChild);
      return;
    }
    if (!translated && api !== false) { ask(raw); return; }
    if (translated) { show(summaryHits(q), false); return; }
    var found = staticHits(q);
    show(found.hits, found.more);
  }

  // Lists the first LIMIT hits, then how many more there are (`more`: the
  // server has more than it sent). The list is drawn again as shards
  // arrive: the selected result stays selected, and `aria-busy` says
  // whether more are on their way.
  var shown = null;
  function show(hits, more) {
    var was = list.querySelector("a.active");
    var keep = shown === input.value && was ? was.getAttribute("href") : null;
    shown = input.value;
    while (list.firstChild) list.removeChild(list.firstChild);
    list.setAttribute("aria-busy", Object.keys(pending).length ? "true" : "false");
    var top = hits.slice(0, LIMIT);
    var active = keep && top.some(function (e) { return langRoot + e[2] === keep; }) ? keep : null;
    top.forEach(function (e, i) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = langRoot + e[2];
      if (active ? langRoot + e[2] === active : i === 0) a.className = "active";
      a.appendChild(document.createTextNode(e[0]));
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = KIND[e[1]] || e[1];
      a.appendChild(kind);
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = e[3];
      a.appendChild(where);
      if (e[4]) {
        var sum = document.createElement("span");
        sum.className = "sum";
        sum.textContent = e[4];
        a.appendChild(sum);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length > LIMIT || more) {
      var hint = document.createElement("li");
      hint.className = "hint";
      hint.textContent = MORE.replace("{n}", Math.min(LIMIT, hits.length))
        .replace("{total}", more ? LIMIT + "+" : hits.length);
      list.appendChild(hint);
    }
  }

  // Arrow keys move the selection, Enter follows it, Escape closes the list.
  function move(step) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    if (!links.length) return;
    var at = links.findIndex(function (a) { return a.classList.contains("active"); });
    var next = Math.max(0, Math.min(links.length - 1, at + step));
    if (at >= 0) links[at].classList.remove("active");
    links[next].classList.add("active");
    links[next].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("input", refresh);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Escape") { input.value = ""; refresh(); }
  });
  input.form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var chosen = list.querySelector("a.active") || list.querySelector("a");
    if (chosen) window.location.href = chosen.href;
  });

  // The other language's page opens at the same place (#L700 stays).
  Array.prototype.forEach.call(document.querySelectorAll(".lang a"), function (a) {
    a.addEventListener("click", function () {
      if (location.hash) a.href = a.href.split("#")[0] + location.hash;
    });
  });
})();
