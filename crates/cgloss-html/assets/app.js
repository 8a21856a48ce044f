// cgloss site: prefix search over a sharded static index, loaded with
// <script> tags so it works from file:// without a server; served by
// `cgloss serve`, the server's identifier search instead (every kind of
// name, by prefix and substring), falling back to the shards when there is
// no such server. And the toggle that hides the C source column. Pages read
// fine without this script.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root");      // relative path to the site root
  var langRoot = body.getAttribute("data-langroot"); // relative path to this language's root
  var shards = {};    // key -> entries, once loaded
  var pending = {};   // key -> true while loading
  var manifest = null;

  window.cglossSearch = {
    // pairs of [name prefix, shard file name]
    manifest: function (pairs) { manifest = {}; pairs.forEach(function (p) { manifest[p[0]] = p[1]; }); refresh(); },
    add: function (key, entries) { shards[key] = entries; delete pending[key]; refresh(); }
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
  var KIND = { f: "function", s: "struct", u: "union", m: "macro" };
  // Whether to ask `cgloss serve` (null: not known yet).
  var api = /^https?:$/.test(window.location.protocol) ? null : false;
  var asked = "";

  function ask(q) {
    asked = q;
    var base = root + "api/v1/search?per_page=20&q=" + encodeURIComponent(q) + "&mode=";
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
      show(q, hits);
    }, function () { api = false; refresh(); });
  }

  function refresh() {
    var raw = input.value.trim();
    var q = raw.toLowerCase();
    while (list.firstChild) list.removeChild(list.firstChild);
    if (q.length < 2) return;
    if (api !== false) { ask(raw); return; }
    if (!manifest) { if (!pending.manifest) { pending.manifest = true; load("manifest.js"); } return; }
    var key = shardKey(q);
    if (key === null) return;
    if (!shards[key]) { if (!pending[key]) { pending[key] = true; load(manifest[key] + ".js"); } return; }
    show(q, shards[key].filter(function (e) { return e[0].toLowerCase().indexOf(q) === 0; }));
  }

  function show(q, hits) {
    q = q.toLowerCase();
    while (list.firstChild) list.removeChild(list.firstChild);
    hits.sort(function (a, b) {
      var ea = a[0].toLowerCase() === q ? 0 : 1, eb = b[0].toLowerCase() === q ? 0 : 1;
      return ea - eb || a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    });
    hits.slice(0, 20).forEach(function (e, i) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = langRoot + e[2];
      if (i === 0) a.className = "active";
      a.appendChild(document.createTextNode(e[0]));
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = KIND[e[1]] || e[1];
      a.appendChild(kind);
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = e[3];
      a.appendChild(where);
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  input.addEventListener("input", refresh);
  input.form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
})();
