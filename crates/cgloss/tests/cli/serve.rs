//! `cgloss serve` against a bound port: every page equals the static
//! site's, ETags, the JSON API (the report equals `cgloss report --format
//! json`), refused paths and bad queries, and a `cgloss index` run while
//! requests go on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{cgloss, stdout, workspace};

pub struct Server {
    child: Child,
    client: Client,
}

/// Requests to a server's address.
#[derive(Clone)]
pub struct Client {
    pub addr: String,
}

impl std::ops::Deref for Server {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cgloss serve` on a free loopback port and waits for its URL.
pub fn start(root: &Path, index: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(["serve", "--root"])
        .arg(root)
        .arg("--index")
        .arg(index)
        .args(["--addr", "127.0.0.1:0"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("XDG_CACHE_HOME", super::empty_cache())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cgloss serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("cgloss serve printed its URL").unwrap();
        if let Some(rest) = line.strip_prefix("cgloss: serving http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading stderr so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        client: Client { addr },
    }
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}

impl Client {
    /// Sends `request` (a whole HTTP/1.1 request, `Connection: close`) and
    /// reads the reply to its end.
    fn exchange(&self, request: &str) -> Reply {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers end");
        let headers = String::from_utf8(raw[..split].to_vec()).unwrap();
        let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
        Reply {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }
    /// A GET of `target` exactly as written (no client normalizes it).
    fn get_with(&self, target: &str, extra_headers: &str) -> Reply {
        self.exchange(&format!(
            "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{extra_headers}\r\n",
            self.addr
        ))
    }
    fn get(&self, target: &str) -> Reply {
        self.get_with(target, "")
    }
}

fn site_files(dir: &Path) -> Vec<PathBuf> {
    crate::site::files(dir)
        .into_iter()
        .filter(|p| p != Path::new(".cgloss-site"))
        .collect()
}

pub fn index_tree(root: &Path, index: &Path) {
    let run = cgloss(&[
        "index",
        "--root",
        root.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", crate::stderr(&run));
}

fn pages_equal_site(root: &Path) {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    let out = tmp.path().join("site");
    index_tree(root, &index);
    // The served site has a source view: the static one with `--source`.
    let run = Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(["site", "--source", "--root"])
        .arg(root)
        .arg("--index")
        .arg(&index)
        .arg("-o")
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env("XDG_CACHE_HOME", super::empty_cache())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", crate::stderr(&run));
    let server = start(root, &index, &[]);
    // Served from an index, search is the API's (app.js asks it): the
    // static search files are the one part of the site not served.
    let pages: Vec<PathBuf> = site_files(&out)
        .into_iter()
        .filter(|p| !p.starts_with("search"))
        .collect();
    assert!(pages.len() > 20, "{} pages", pages.len());
    assert!(pages.iter().any(|p| p.starts_with("source")));
    for page in &pages {
        let url = format!("/{}", page.to_str().unwrap());
        let reply = server.get(&url);
        assert_eq!(reply.status, 200, "{url}");
        let expected = std::fs::read(out.join(page)).unwrap();
        assert!(reply.body == expected, "{url} differs from the static page");
    }
    // `/` is the site's index.html; a folder URL its index.html.
    assert_eq!(
        server.get("/").body,
        std::fs::read(out.join("index.html")).unwrap()
    );
    assert_eq!(
        server.get("/en/").body,
        std::fs::read(out.join("en/index.html")).unwrap()
    );
}

#[test]
fn serve_pages_equal_site_minikv() {
    pages_equal_site(&workspace().join("examples/minikv"));
}

#[test]
fn serve_pages_equal_site_tiny() {
    pages_equal_site(&workspace().join("tests/data/site/tiny/src"));
}

#[test]
fn serve_etag_and_api() {
    let root = workspace().join("examples/minikv");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let server = start(&root, &index, &["--lang", "en"]);

    let page = server.get("/en/kv.c/kv_get.html");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let etag = page.header("etag").expect("an ETag").to_string();
    let again = server.get_with(
        "/en/kv.c/kv_get.html",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let other = server.get_with("/en/kv.c/kv_get.html", "If-None-Match: \"0\"\r\n");
    assert_eq!(other.status, 200);
    // Only the languages asked for are served.
    assert_eq!(server.get("/zh/kv.c/kv_get.html").status, 404);

    // The report is what `cgloss report --format json` prints.
    let report = server.get("/api/v1/report/kv.c:kv_get?lang=en");
    assert_eq!(report.status, 200);
    let cli = cgloss(&[
        "report",
        "--root",
        root.to_str().unwrap(),
        "--index",
        index.to_str().unwrap(),
        "--format",
        "json",
        "kv.c:kv_get",
    ]);
    assert_eq!(String::from_utf8(report.body).unwrap(), stdout(&cli));

    let ident = server.get("/api/v1/ident/kv_get").json();
    let kinds: Vec<&str> = ident["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["function", "prototype"]);
    assert_eq!(ident["references"][0]["name"], "cmd_run");
    assert_eq!(ident["documentations"][0]["summary"], "look a key up");

    // Substring search finds names that do not start with the query.
    let found = server.get("/api/v1/search?q=_get&mode=substring").json();
    let names: Vec<&str> = found["identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"kv_get"), "{names:?}");
    let grep = server
        .get("/api/v1/search?q=return%20-E[A-Z]%2B&mode=regex&path=kv.c")
        .json();
    let files = grep["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["path"], "kv.c");
    assert!(files[0]["lines"][0]["text"]
        .as_str()
        .unwrap()
        .contains("return -E"));

    let callers = server.get("/api/v1/callers/kv.c:kv_get").json();
    assert_eq!(callers["functions"][0]["callers"][0]["name"], "cmd_run");
    let callees = server.get("/api/v1/callees/cmd_run").json();
    let called: Vec<&str> = callees["functions"][0]["callees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(called.contains(&"kv_get"), "{called:?}");
    let source = server.get("/api/v1/source/kv.c").json();
    assert_eq!(
        source["text"].as_str().unwrap(),
        std::fs::read_to_string(root.join("kv.c")).unwrap()
    );
}

#[test]
fn serve_refuses_paths_and_bad_queries() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("tree");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(root.join("a.c"), "int one(void) { return 1; }\n").unwrap();
    std::fs::write(
        outside.join("secret.c"),
        "int secret(void) { return 42; }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("secret.c"), root.join("leak.c")).unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let server = start(&root, &index, &[]);

    let refused = [
        ("/%2e%2e/outside/secret.c", 400),
        ("/en/%2e%2e/%2e%2e/outside/secret.c", 400),
        ("/en/..%2f..%2foutside/secret.c", 400),
        ("/api/v1/source/..%2foutside%2fsecret.c", 400),
        ("/api/v1/source/a.c%00", 400),
        ("/en/a.c%00.html", 400),
        ("/%ff%fe", 400),
        ("/api/v1/source/leak.c", 404),
        ("/api/v1/source/secret.c", 404),
        ("/api/v1/source//etc/passwd", 404),
        ("/etc/passwd", 404),
        ("/source/leak.c.html", 404),
        ("/source/%2e%2e/outside/secret.c.html", 400),
        ("/api/v1/nothing", 404),
        ("/api/v2/ident/one", 404),
        ("/api/v1/search?q=one&mode=fuzzy", 400),
        ("/api/v1/search?mode=regex", 400),
        ("/api/v1/search?q=(unclosed&mode=regex", 400),
        ("/api/v1/search?q=a{100000}{100000}&mode=regex", 400),
        ("/api/v1/search?q=one&per_page=100000", 400),
        ("/api/v1/search?q=one&page=x", 400),
        ("/api/v1/report/a.c:one?lang=fr", 400),
        ("/api/v1/report/a.c:nothing", 404),
        ("/api/v1/ident/nothing", 404),
    ];
    for (target, status) in refused {
        let reply = server.get(target);
        assert_eq!(reply.status, status, "{target}");
        let error = reply.json();
        assert_eq!(error["error"]["status"], status, "{target}");
        assert!(error["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let long = format!("/{}", "a".repeat(5000));
    assert_eq!(server.get(&long).status, 400);
    let long_q = format!("/api/v1/search?q={}", "a".repeat(1000));
    assert_eq!(server.get(&long_q).status, 400);
    // Nothing of the file behind the link is shown, in pages or searches.
    let grep = server.get("/api/v1/search?q=secret&mode=text");
    assert_eq!(grep.status, 200);
    assert!(!String::from_utf8_lossy(&grep.body).contains("return 42"));
    let page = server.get("/en/leak.c/secret.html");
    assert!(!String::from_utf8_lossy(&page.body).contains("return 42"));
    // Still serving.
    assert_eq!(server.get("/api/v1/ident/one").status, 200);
}

/// Polls `target` until it answers `status`.
fn wait_for(server: &Client, target: &str, status: u16) {
    let start = Instant::now();
    while server.get(target).status != status {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{target} never answered {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_picks_up_index_runs_under_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("tree");
    std::fs::create_dir_all(&root).unwrap();
    let a = root.join("a.c");
    let body: String = (0..200)
        .map(|i| format!("int f{i}(int x) {{ return x + {i}; }}\n"))
        .collect();
    std::fs::write(&a, &body).unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let server = start(&root, &index, &["--lang", "en"]);
    let before = server.get("/en/a.c.html");
    assert_eq!(before.status, 200);
    assert_eq!(server.get("/api/v1/ident/two").status, 404);

    // Requests go on while the index is updated, then rebuilt from nothing.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let s = server.client.clone();
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = s.get("/en/a.c.html");
                assert_eq!(r.status, 200);
                if seen.last() != Some(&r.body) {
                    seen.push(r.body);
                }
            }
            seen
        })
    };
    std::fs::write(&a, format!("{body}int two(void) {{ return 2; }}\n")).unwrap();
    index_tree(&root, &index);
    wait_for(&server, "/api/v1/ident/two", 200);
    let middle = server.get("/en/a.c.html");

    std::fs::remove_file(&index).unwrap();
    let _ = std::fs::remove_file(tmp.path().join("index.sqlite-wal"));
    let _ = std::fs::remove_file(tmp.path().join("index.sqlite-shm"));
    std::fs::write(&a, format!("{body}int three(void) {{ return 3; }}\n")).unwrap();
    index_tree(&root, &index);
    wait_for(&server, "/api/v1/ident/three", 200);
    assert_eq!(server.get("/api/v1/ident/two").status, 404);
    let after = server.get("/en/a.c.html");

    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = reader.join().unwrap();
    // Every page a request saw is the page of one whole index.
    for page in &seen {
        assert!(
            *page == before.body || *page == middle.body || *page == after.body,
            "a page of no index: {}",
            String::from_utf8_lossy(page)
        );
    }
    assert!(String::from_utf8_lossy(&middle.body).contains("two"));
    assert!(String::from_utf8_lossy(&after.body).contains("three"));
    let generation = server.get("/api/v1/").json()["generation"]
        .as_u64()
        .unwrap();
    assert!(generation >= 3, "{generation}");
}

/// The text of the cells of class `code` of a source view, tags removed.
fn source_lines(html: &str) -> Vec<String> {
    html.split("<td class=\"code\">")
        .skip(1)
        .map(|cell| {
            let cell = &cell[..cell.find("</td>").unwrap()];
            let mut text = String::new();
            let mut in_tag = false;
            for c in cell.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn serve_source_view() {
    let root = workspace().join("examples/minikv");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let server = start(&root, &index, &[]);
    let reply = server.get("/source/kv.c.html");
    assert_eq!(reply.status, 200);
    let html = String::from_utf8(reply.body).unwrap();
    let text = std::fs::read_to_string(root.join("kv.c")).unwrap();
    assert_eq!(source_lines(&html), text.lines().collect::<Vec<_>>());
    assert!(html.contains("<tr id=\"L42\"><td class=\"ln\"><a href=\"#L42\">42</a>"));
    // Calls link to the callee's report, types to their definition, with docs as tooltips.
    assert!(html.contains(
        "<span class=\"i\" title=\"find the entry of a key, or NULL\nfunction kv_find · kv.c:19\"><a href=\"../en/kv.c/kv_find.html\">kv_find</a></span>"
    ));
    assert!(html.contains("<a href=\"../en/kv.h.html#r16-struct-kv_entry\">kv_entry</a>"));
    assert!(html.contains("<span class=\"k\">return</span>"));
    assert!(html.contains("<span class=\"c\">/* find the entry of a key, or NULL */</span>"));
    // The loop macro the pre-pass rewrote is no keyword.
    assert!(!html.contains("<span class=\"k\">list_</span>"));
    // Its links lead to pages the server has.
    for href in html.split("href=\"../").skip(1) {
        let target = &href[..href.find('"').unwrap()];
        let target = target.split('#').next().unwrap();
        assert_eq!(server.get(&format!("/{target}")).status, 200, "{target}");
    }
    assert_eq!(server.get("/source/nothing.c.html").status, 404);
    // A report's line numbers lead to the source view, and the definition's
    // name there back to the report; the file page links to it too.
    let report = String::from_utf8(server.get("/en/kv.c/kv_find.html").body).unwrap();
    assert!(
        report.contains("<a href=\"../../source/kv.c.html#L22\">22</a>"),
        "{report}"
    );
    let start = html.find("<tr id=\"L19\">").unwrap();
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    assert!(
        row.contains("<a href=\"../en/kv.c/kv_find.html\">kv_find</a>"),
        "{row}"
    );
    let file = String::from_utf8(server.get("/en/kv.c.html").body).unwrap();
    assert!(file.contains("href=\"../source/kv.c.html\""), "{file}");
}

#[test]
fn serve_warns_off_loopback() {
    let root = workspace().join("examples/minikv");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cgloss"))
        .args(["serve", "--root"])
        .arg(&root)
        .arg("--index")
        .arg(&index)
        .args(["--addr", "0.0.0.0:0"])
        .env("XDG_CACHE_HOME", super::empty_cache())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("cgloss: serving http://0.0.0.0:");
        said.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        said.iter()
            .any(|l| l.contains("0.0.0.0:0: not a loopback address")),
        "{said:?}"
    );
}

/// A body with `Transfer-Encoding: chunked` undone.
fn unchunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).unwrap().trim(), 16)
            .expect("a chunk size");
        if size == 0 {
            break;
        }
        out.extend_from_slice(&rest[end + 2..end + 2 + size]);
        rest = &rest[end + 2 + size + 2..];
    }
    out
}

impl Client {
    /// A JSON-RPC message POSTed to `/mcp`; the reply's status, headers and
    /// the JSON messages of its body (one JSON document, or the `data:`
    /// lines of an event stream).
    fn mcp(&self, session: Option<&str>, message: &Value) -> (Reply, Vec<Value>) {
        let body = message.to_string();
        let session = session.map_or(String::new(), |s| format!("Mcp-Session-Id: {s}\r\n"));
        let mut reply = self.exchange(&format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\n{session}Content-Length: {}\r\n\r\n{body}",
            self.addr.replace("127.0.0.1", "localhost"),
            body.len()
        ));
        if reply
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
        {
            reply.body = unchunk(&reply.body);
        }
        let text = String::from_utf8_lossy(&reply.body).to_string();
        let messages = if reply
            .header("content-type")
            .is_some_and(|v| v.starts_with("text/event-stream"))
        {
            text.lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .filter(|d| !d.trim().is_empty())
                .filter_map(|d| serde_json::from_str(d.trim()).ok())
                .collect()
        } else if text.trim().is_empty() {
            Vec::new()
        } else {
            vec![serde_json::from_str(&text).expect("a JSON body")]
        };
        (reply, messages)
    }
}

/// `/mcp` answers as `cgloss mcp` does, over streamable HTTP: initialize,
/// the tool list, a report; a request naming another host is refused (DNS
/// rebinding).
#[test]
fn serve_answers_mcp_over_http() {
    let root = workspace().join("examples/minikv");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    index_tree(&root, &index);
    let server = start(&root, &index, &[]);
    let (reply, answer) = server.mcp(
        None,
        &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "cgloss-test", "version": "1"}}}),
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        answer[0]["result"]["serverInfo"]["name"], "cgloss",
        "{answer:?}"
    );
    let session = reply.header("mcp-session-id").map(str::to_string);
    let (reply, _) = server.mcp(
        session.as_deref(),
        &serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    );
    assert_eq!(
        reply.status / 100,
        2,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let (_, answer) = server.mcp(
        session.as_deref(),
        &serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    );
    let tools: Vec<&str> = answer[0]["result"]["tools"]
        .as_array()
        .expect("a tool list")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for name in [
        "search", "report", "context", "callers", "callees", "source",
    ] {
        assert!(tools.contains(&name), "{name} missing from {tools:?}");
    }
    let (_, answer) = server.mcp(
        session.as_deref(),
        &serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": "report", "arguments": {"name": "kv_put"}}}),
    );
    let text = answer[0]["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("Name: kv_put"), "{answer:?}");
    // Another Host: refused before any tool runs.
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
    let reply = server.exchange(&format!(
        "POST /mcp HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    assert!(
        (400..500).contains(&reply.status),
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}
