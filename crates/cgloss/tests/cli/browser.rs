//! The fixture site in real headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; `.ci/run` installs them):
//! open the home page from disk, search (by prefix and by substring),
//! follow the result, read a gloss, switch to Chinese, and fail on any
//! console error; and the served site, from a report's line to the source
//! view and back. A screenshot of the
//! report page is saved under `target/`.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::site::fixture_site;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tool(name: &str) -> Option<std::path::PathBuf> {
    ["/usr/bin", "/usr/local/bin", "/usr/lib/chromium"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

impl Driver {
    fn start(chromium: &Path, chromedriver: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut driver = Driver {
            child,
            base,
            agent,
            session: String::new(),
        };
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_str().unwrap(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1400,1100"]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let v = driver.post("/session", caps);
        driver.session = v["sessionId"].as_str().expect("a session").to_string();
        driver
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let mut resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            (_, Some(b)) => self.agent.post(&url).send_json(&b),
            _ => self.agent.post(&url).send_json(json!({})),
        }
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = resp.body_mut().read_json().expect("JSON from chromedriver");
        let value = v["value"].clone();
        if let Some(err) = value.get("error") {
            panic!("{method} {path}: {err}: {}", value["message"]);
        }
        value
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(body))
    }

    fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    fn find(&self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v[ELEMENT].as_str().expect("element id").to_string()
    }

    /// Waits for the search result link that `find` (a JavaScript
    /// expression over `a`, each `#results a`) picks, once the search has
    /// stopped loading, and clicks it in the page; returns its href. The
    /// list is drawn again as search files arrive, so an element found
    /// before may be gone when WebDriver would click it.
    fn click_result(&self, find: &str, what: &str) -> Value {
        self.wait_for(
            &format!(
                "var a = [...document.querySelectorAll('#results a')].find(a => {find});\
                 if (!a || document.getElementById('results').getAttribute('aria-busy') === 'true') return null;\
                 var h = a.href; a.click(); return h;"
            ),
            what,
        )
    }

    /// Waits until `script` (a function body) returns a truthy value.
    fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let v = self.post("/execute/sync", json!({"script": script, "args": []}));
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn severe_logs(&self) -> Vec<String> {
        let v = self.post("/se/log", json!({"type": "browser"}));
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].to_string())
            .collect()
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Chromium and chromedriver, or `None` (after saying so) outside CI.
fn tools() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    match (tool("chromium"), tool("chromedriver")) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("chromium and chromedriver are required under CI=true");
            }
            eprintln!("browser test: skipped, chromium or chromedriver is not installed");
            None
        }
    }
}

/// A browser on the fixture site, or `None` (the test is skipped) when
/// chromium, chromedriver or the fixture is missing outside CI.
fn browser() -> Option<(Driver, &'static Path)> {
    let (chromium, chromedriver) = tools()?;
    let site = fixture_site()?;
    Some((Driver::start(&chromium, &chromedriver), site))
}

/// The site served by `cgloss serve`: a substring search (which the static
/// shards cannot answer) leads to a report; the source view's anchored
/// line links back to it.
#[test]
fn browser_served_search_source_and_back() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let root = crate::workspace().join("examples/minikv");
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index.sqlite");
    crate::serve::index_tree(&root, &index);
    let server = crate::serve::start(&root, &index, &[]);
    let base = format!("http://{}", server.addr);
    let driver = Driver::start(&chromium, &chromedriver);
    driver.post("/url", json!({"url": format!("{base}/")}));
    driver.wait_for(
        "return location.pathname === '/en/index.html' && document.getElementById('q') !== null",
        "the English home page",
    );
    let q = driver.find("#q");
    driver.post(&format!("/element/{q}/value"), json!({"text": "_find"}));
    driver.click_result(
        "a.href.endsWith('/en/kv.c/kv_find.html')",
        "the kv_find result of a substring search",
    );
    driver.wait_for(
        "return location.pathname === '/en/kv.c/kv_find.html'",
        "the report page",
    );
    // A line number of the report opens the source view at that line.
    let number = driver.find("#L24 td.ln a");
    driver.post(&format!("/element/{number}/click"), json!({}));
    driver.wait_for(
        "return location.pathname === '/source/kv.c.html' && location.hash === '#L24' && document.querySelector('tr:target') !== null",
        "the source view at the report's line 24",
    );
    // The definition's name there leads back to the report.
    driver.post(
        "/execute/sync",
        json!({"script": "document.getElementById('L19').scrollIntoView({block: 'center'});", "args": []}),
    );
    let name = driver.find("#L19 a[href$='/en/kv.c/kv_find.html']");
    driver.post(&format!("/element/{name}/click"), json!({}));
    driver.wait_for(
        "return location.pathname === '/en/kv.c/kv_find.html'",
        "back to the report from its definition",
    );
    driver.post(
        "/url",
        json!({"url": format!("{base}/source/kv.c.html#L42")}),
    );
    driver.wait_for(
        "return document.querySelector('tr:target') !== null",
        "the source view at line 42",
    );
    let row = driver.find("tr:target");
    let text = driver.get(&format!("/element/{row}/text"));
    assert!(text.as_str().unwrap().contains("kv_get"), "line 42: {text}");
    let shot = driver.get("/screenshot");
    let png = decode_base64(shot.as_str().unwrap());
    let shot_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-source-kv.c.png");
    std::fs::write(&shot_path, &png).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
    let link = driver.find("tr:target a[href$='/en/kv.c/kv_get.html']");
    driver.post(&format!("/element/{link}/click"), json!({}));
    driver.wait_for(
        "return location.pathname === '/en/kv.c/kv_get.html'",
        "back to the function",
    );
    let errors = driver.severe_logs();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

fn page_url(site: &Path, page: &str) -> String {
    format!(
        "file://{}",
        site.canonicalize().unwrap().join(page).display()
    )
}

#[test]
fn browser_search_gloss_and_language_switch() {
    let Some((driver, site)) = browser() else {
        return;
    };
    let home = page_url(site, "index.html");
    driver.post("/url", json!({"url": home}));
    driver.wait_for(
        "return location.pathname.endsWith('/en/index.html') && document.getElementById('q') !== null",
        "the English home page",
    );
    let q = driver.find("#q");
    driver.post(&format!("/element/{q}/value"), json!({"text": "dup_user"}));
    let href = driver.click_result(
        "a.href.endsWith('/fs/userfaultfd.c/dup_userfaultfd.html')",
        "the dup_userfaultfd search result",
    );
    driver.wait_for(
        "return location.pathname.endsWith('/en/fs/userfaultfd.c/dup_userfaultfd.html') && document.getElementById('L677') !== null",
        "the report page",
    );
    assert_eq!(driver.get("/url").as_str(), href.as_str());
    let row = driver.find("#L677");
    let text = driver.get(&format!("/element/{row}/text"));
    assert!(
        text.as_str()
            .unwrap()
            .contains("features requested from the userspace"),
        "line 677: {text}"
    );
    let shot = driver.get("/screenshot");
    let png = decode_base64(shot.as_str().unwrap());
    let shot_path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-dup_userfaultfd.png");
    std::fs::write(&shot_path, &png).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
    let zh = driver.find(".lang a[hreflang='zh']");
    driver.post(&format!("/element/{zh}/click"), json!({}));
    driver.wait_for(
        "return location.pathname.endsWith('/zh/fs/userfaultfd.c/dup_userfaultfd.html')",
        "the Chinese page",
    );
    let h1 = driver.find("h1");
    let title = driver.get(&format!("/element/{h1}/text"));
    assert!(title.as_str().unwrap().contains("函数逻辑报告"), "{title}");
    let errors = driver.severe_logs();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// The static site's offline search finds names by substring, of every
/// kind: `userfaultfd` finds `dup_userfaultfd`, a function that does not
/// start with it (ranked with the names it starts a word of, among 86
/// names holding it), and `ctx.featu` the member `userfaultfd_ctx.features`,
/// whose result opens the file page at the member's anchor.
#[test]
fn browser_static_substring_search() {
    let Some((driver, site)) = browser() else {
        return;
    };
    driver.post("/url", json!({"url": page_url(site, "en/index.html")}));
    driver.wait_for(
        "return document.readyState === 'complete' && document.getElementById('q') !== null",
        "the English home page",
    );
    let q = driver.find("#q");
    driver.post(
        &format!("/element/{q}/value"),
        json!({"text": "userfaultfd"}),
    );
    driver.wait_for(
        "return [...document.querySelectorAll('#results a')].some(a => a.href.endsWith('/en/fs/userfaultfd.c/dup_userfaultfd.html'))",
        "dup_userfaultfd among the results for userfaultfd",
    );
    driver.post(&format!("/element/{q}/value"), json!({"text": "\u{E00C}"}));
    driver.post(&format!("/element/{q}/value"), json!({"text": "ctx.featu"}));
    let href = driver.click_result(
        "a.firstChild.textContent === 'userfaultfd_ctx.features'",
        "the member userfaultfd_ctx.features",
    );
    let href = href.as_str().unwrap().to_string();
    assert!(
        href.contains("/en/fs/userfaultfd.c.html#m70-features"),
        "{href}"
    );
    driver.wait_for(
        "return location.pathname.endsWith('/en/fs/userfaultfd.c.html') && location.hash === '#m70-features' && document.querySelector(':target') !== null",
        "the file page at the member",
    );
    let errors = driver.severe_logs();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

/// The fixes of issue 10, item 10: an anchor is not hidden under the sticky
/// header, the call tree's "… N" opens, the arrow keys move the search
/// selection, the language links keep the anchor, the Chinese search finds
/// translated summaries, and nothing scrolls sideways at 420 px.
#[test]
fn browser_anchors_tree_keys_and_narrow_screens() {
    let Some((driver, site)) = browser() else {
        return;
    };
    let page = "en/fs/userfaultfd.c/dup_userfaultfd.html";
    driver.post(
        "/url",
        json!({"url": format!("{}#L700", page_url(site, page))}),
    );
    driver.wait_for(
        "return document.readyState === 'complete' && document.getElementById('L700') !== null",
        "the report page at #L700",
    );
    let gap = driver.post(
        "/execute/sync",
        json!({"script": "return document.getElementById('L700').getBoundingClientRect().top - document.querySelector('header.top').getBoundingClientRect().bottom;", "args": []}),
    );
    assert!(
        gap.as_f64().unwrap() >= 0.0,
        "row L700 is {gap} px under the header's bottom edge"
    );

    // The direct callee hidden behind "… 1" shows once it is opened.
    let hidden = "[...document.querySelectorAll('details.calltree li.more > details a')].find(a => a.textContent === 'list_add_tail')";
    let visible = driver.post(
        "/execute/sync",
        json!({"script": format!("document.querySelectorAll('details.calltree').forEach(d => d.open = true); var a = {hidden}; return a ? a.checkVisibility() : 'missing';"), "args": []}),
    );
    assert_eq!(
        visible,
        json!(false),
        "list_add_tail starts hidden behind … 1"
    );
    let more = driver.find("details.calltree li.more > details > summary");
    driver.post(&format!("/element/{more}/click"), json!({}));
    let visible = driver.post(
        "/execute/sync",
        json!({"script": format!("var a = {hidden}; return a ? a.checkVisibility() : 'missing';"), "args": []}),
    );
    assert_eq!(visible, json!(true), "list_add_tail shows once … 1 is open");

    // Arrow keys move the selection; Enter follows the selected result.
    let q = driver.find("#q");
    driver.post(&format!("/element/{q}/value"), json!({"text": "dup_"}));
    driver.wait_for(
        "return document.querySelectorAll('#results a').length >= 3 && document.getElementById('results').getAttribute('aria-busy') === 'false'",
        "three results for dup_, all loaded",
    );
    let active = "return [...document.querySelectorAll('#results a')].findIndex(a => a.classList.contains('active'));";
    let at = |driver: &Driver| driver.post("/execute/sync", json!({"script": active, "args": []}));
    assert_eq!(at(&driver), json!(0));
    driver.post(
        &format!("/element/{q}/value"),
        json!({"text": "\u{E015}\u{E015}"}),
    );
    assert_eq!(at(&driver), json!(2), "two ArrowDown");
    driver.post(&format!("/element/{q}/value"), json!({"text": "\u{E013}"}));
    assert_eq!(at(&driver), json!(1), "then ArrowUp");
    let chosen = driver.post(
        "/execute/sync",
        json!({"script": "return document.querySelector('#results a.active').href;", "args": []}),
    );
    driver.post(&format!("/element/{q}/value"), json!({"text": "\u{E007}"}));
    driver.wait_for(
        &format!("return location.href === {chosen};"),
        "Enter to follow the selected result",
    );

    // The language link keeps the anchor.
    driver.post(
        "/url",
        json!({"url": format!("{}#L700", page_url(site, page))}),
    );
    driver.wait_for("return document.readyState === 'complete'", "the page");
    let zh = driver.find(".lang a[hreflang='zh']");
    driver.post(&format!("/element/{zh}/click"), json!({}));
    driver.wait_for(
        "return location.pathname.endsWith('/zh/fs/userfaultfd.c/dup_userfaultfd.html') && location.hash === '#L700'",
        "the Chinese page at #L700",
    );

    // The Chinese search matches translated summaries.
    let q = driver.find("#q");
    driver.post(&format!("/element/{q}/value"), json!({"text": "分配内存"}));
    let hit = driver.wait_for(
        "var a = document.querySelector('#results a .sum'); return a ? a.textContent : null;",
        "a result by its translated summary",
    );
    assert!(hit.as_str().unwrap().contains("分配内存"), "{hit}");

    // Nothing scrolls sideways on a 420 px wide screen.
    driver.post("/window/rect", json!({"width": 420, "height": 900}));
    for page in [
        "en/index.html",
        "en/fs/index.html",
        "en/fs/userfaultfd.c/index.html",
        "en/fs/userfaultfd.c/dup_userfaultfd.html",
        "zh/fs/userfaultfd.c/dup_userfaultfd.html",
    ] {
        driver.post("/url", json!({"url": page_url(site, page)}));
        driver.wait_for("return document.readyState === 'complete'", page);
        let overflow = driver.post(
            "/execute/sync",
            json!({"script": "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", "args": []}),
        );
        let (scroll, client) = (overflow[0].as_f64().unwrap(), overflow[1].as_f64().unwrap());
        assert!(
            scroll <= client,
            "{page} scrolls sideways at 420 px: {scroll} > {client}"
        );
    }
    let errors = driver.severe_logs();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
