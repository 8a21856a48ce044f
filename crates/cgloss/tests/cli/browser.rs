//! The fixture site in real headless Chromium, driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; `.ci/run` installs them):
//! open the home page from disk, search, follow the result, read a gloss,
//! switch to Chinese, and fail on any console error. A screenshot of the
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
fn browser() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
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

/// The site served by `cgloss serve`: a substring search (which the static
/// shards cannot answer) leads to a report; the source view's anchored
/// line links back to it.
#[test]
fn browser_served_search_source_and_back() {
    let Some((chromium, chromedriver)) = browser() else {
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
    driver.wait_for(
        "return [...document.querySelectorAll('#results a')].some(a => a.href.endsWith('/en/kv.c/kv_find.html'))",
        "the kv_find result of a substring search",
    );
    let result = driver.find("#results a[href$='kv.c/kv_find.html']");
    driver.post(&format!("/element/{result}/click"), json!({}));
    driver.wait_for(
        "return location.pathname === '/en/kv.c/kv_find.html'",
        "the report page",
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

#[test]
fn browser_search_gloss_and_language_switch() {
    let Some((chromium, chromedriver)) = browser() else {
        return;
    };
    let Some(site) = fixture_site() else {
        return;
    };
    let driver = Driver::start(&chromium, &chromedriver);
    let home = format!(
        "file://{}",
        site.canonicalize().unwrap().join("index.html").display()
    );
    driver.post("/url", json!({"url": home}));
    driver.wait_for(
        "return location.pathname.endsWith('/en/index.html') && document.getElementById('q') !== null",
        "the English home page",
    );
    let q = driver.find("#q");
    driver.post(&format!("/element/{q}/value"), json!({"text": "dup_user"}));
    let href = driver.wait_for(
        "var a = [...document.querySelectorAll('#results a')].find(a => a.href.endsWith('/fs/userfaultfd.c/dup_userfaultfd.html'));\
         return a ? a.href : null;",
        "the dup_userfaultfd search result",
    );
    let result = driver.find("#results a[href$='fs/userfaultfd.c/dup_userfaultfd.html']");
    driver.post(&format!("/element/{result}/click"), json!({}));
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
