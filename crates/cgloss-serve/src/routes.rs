//! Requests: the static site's pages rendered on demand, and the JSON API
//! under `/api/v1/` (docs/api.md). One handler reads the decoded path and
//! dispatches, so every refusal — a path that leaves the root, a bad query —
//! is answered the same way, as JSON with its status.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cgloss_html::Route;
use cgloss_index::{FnId, Index};
use cgloss_report::Lang;
use serde::Serialize;
use serde_json::json;

use crate::grep;
use crate::names::{Def, Match};
use crate::state::{App, Need, Snapshot};

/// Longest request path and query string accepted.
const MAX_PATH: usize = 2048;
/// Longest search query.
const MAX_QUERY: usize = 512;
/// Most results on one page of a search.
const MAX_PER_PAGE: usize = 500;
/// Most definitions or references listed for one name.
const MAX_LISTED: usize = 5000;
/// Longest a regex search looks before it answers with what it found.
const GREP_TIME: Duration = Duration::from_secs(2);

/// An error answered as JSON: `{"error": {"status": 404, "message": "…"}}`.
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        let mut r = (self.status, body.to_string()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    }
}

type Answer = Result<Response, ApiError>;

/// The content type of a page path.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `bytes` with an ETag (a hash of them) and `Cache-Control: no-cache`
/// (the index may change: a browser asks again, and gets a 304 when the
/// bytes are the same); a 304 when the request already has them.
fn cached(bytes: Vec<u8>, content_type: &'static str, request: &HeaderMap) -> Response {
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    let matches = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    response
}

fn json_response(value: &impl Serialize, request: &HeaderMap) -> Response {
    let mut bytes = serde_json::to_vec_pretty(value).expect("values serialize");
    bytes.push(b'\n');
    cached(bytes, "application/json", request)
}

/// Runs `f` on a blocking thread with the current snapshot, at most
/// `max_rendering` at once, answering 503 after the request timeout.
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App, &Snapshot) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let deadline = tokio::time::Instant::now() + app.settings.timeout;
    let busy = || ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the request timed out");
    let permit = tokio::time::timeout_at(deadline, app.rendering.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|_| busy())?;
    let snapshot = app.snapshot();
    let app = app.clone();
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f(&app, &snapshot)
    });
    match tokio::time::timeout_at(deadline, job).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error while rendering",
        )),
        Err(_) => Err(busy()),
    }
}

/// The request path, percent-decoded, without its leading `/`; refused when
/// it is too long, not UTF-8, holds a NUL, or has `.` or `..` components.
fn decoded_path(raw: &str) -> Result<String, ApiError> {
    if raw.len() > MAX_PATH {
        return Err(ApiError::bad("path too long"));
    }
    let path = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| ApiError::bad("path is not UTF-8"))?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    if path.contains('\0') || path.contains('\\') {
        return Err(ApiError::bad("path holds a NUL or a backslash"));
    }
    if path.split('/').any(|c| c == ".." || c == ".") {
        return Err(ApiError::bad("path has a . or .. component"));
    }
    Ok(path.to_string())
}

/// The only handler: every route.
pub async fn handle(State(app): State<Arc<App>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD").into_response();
    }
    if parts.uri.query().is_some_and(|q| q.len() > MAX_PATH) {
        return ApiError::bad("query string too long").into_response();
    }
    let answer = match decoded_path(parts.uri.path()) {
        Ok(path) => match path.strip_prefix("api/v1/") {
            Some(api) => api_route(&app, api.to_string(), &parts.uri, &parts.headers).await,
            // Browsers ask for it; the site has none.
            None if path == "favicon.ico" => Ok(StatusCode::NO_CONTENT.into_response()),
            None if path == "api" || path.starts_with("api/") => Err(ApiError::not_found(
                "no such API route; see /api/v1/ (docs/api.md)",
            )),
            None => page(&app, path, &parts.headers).await,
        },
        Err(e) => Err(e),
    };
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// A page of the static site.
async fn page(app: &Arc<App>, mut path: String, headers: &HeaderMap) -> Answer {
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let headers = headers.clone();
    blocking(app, move |app, snapshot| {
        let bytes = fresh(app, snapshot, |s| render_page(app, s, &path))?;
        Ok(cached(bytes, content_type(&path), &headers))
    })
    .await?
}

/// An index holding what `need` requires, or a 500 naming why not.
fn need(snapshot: &Snapshot, need: &Need<'_>) -> Result<Arc<Index>, ApiError> {
    snapshot.index(need).map_err(|e| {
        if e == crate::STALE {
            return ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e);
        }
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("reading the index: {e}"),
        )
    })
}

/// Runs `f` on the current snapshot; when the index changed under it
/// (`STALE`), loads the new one and runs `f` again, so no answer mixes two
/// indexes.
fn fresh<T>(
    app: &App,
    snapshot: &Snapshot,
    f: impl Fn(&Snapshot) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    match f(snapshot) {
        Err(e) if e.message == crate::STALE => {
            app.reload_if_changed();
            f(&app.snapshot())
        }
        other => other,
    }
}

/// The bytes of the page at `path`, the ones `cgloss site` writes there.
pub fn render_page(app: &App, snapshot: &Snapshot, path: &str) -> Result<Vec<u8>, ApiError> {
    let bare = snapshot.bare_site();
    let missing = || ApiError::not_found(format!("no page {path}"));
    let page = match bare.route(path).ok_or_else(missing)? {
        Route::Asset => bare.assets().into_iter().find(|p| p.path == path),
        Route::Search => {
            return snapshot
                .search_page(path)
                .map(<[u8]>::to_vec)
                .ok_or_else(missing)
        }
        Route::Folder { lang, dir } => Some(bare.folder_page(lang, &dir)),
        Route::File { lang, path: file } => {
            let index = need(snapshot, &Need::File { path: &file })?;
            let id = index.file_id(&file).ok_or_else(missing)?;
            Some(snapshot.site(&index).file_page(id, lang))
        }
        Route::Function {
            lang,
            path: file,
            name,
            line,
        } => {
            let index = need(
                snapshot,
                &Need::FunctionPage {
                    path: &file,
                    name: &name,
                },
            )?;
            let site = snapshot.site(&index);
            let id = site.page_function(&file, &name, line).ok_or_else(missing)?;
            let report = render_report(app, &index, id, lang)?;
            Some(site.function_page(id, &report))
        }
        Route::Source { path: file } => {
            let text = app
                .read_text(&file)
                .ok_or_else(|| ApiError::not_found(format!("{file}: cannot be read")))?;
            let names = crate::source::identifiers(&text);
            let index = need(
                snapshot,
                &Need::Names {
                    path: Some(&file),
                    names: &names,
                },
            )?;
            let id = index.file_id(&file).ok_or_else(missing)?;
            let pos = position(snapshot, &file).ok_or_else(missing)?;
            let site = snapshot.site(&index);
            let spans = crate::source::spans(
                &site,
                &index,
                &snapshot.names,
                snapshot.files(),
                pos,
                id,
                &text,
            );
            Some(site.source_page(id, &text, &spans))
        }
    };
    Ok(page.ok_or_else(missing)?.bytes)
}

/// The position of the file at `path` among the snapshot's files.
fn position(snapshot: &Snapshot, path: &str) -> Option<u32> {
    snapshot
        .files()
        .binary_search_by(|f| f.path.as_str().cmp(path))
        .ok()
        .map(|p| p as u32)
}

/// The report of one function, its file read again (as `cgloss site` does).
fn render_report(
    app: &App,
    index: &Index,
    id: FnId,
    lang: Lang,
) -> Result<cgloss_report::FunctionReport, ApiError> {
    let facts = index.file(id.file);
    let text = app
        .read_text(&facts.path)
        .ok_or_else(|| ApiError::not_found(format!("{}: cannot be read", facts.path)))?;
    let bodies = cgloss_syntax::lower_functions(&text, &facts.functions);
    let body = bodies
        .get(id.idx as usize)
        .ok_or_else(|| ApiError::not_found("no such function"))?;
    let opts = cgloss_report::Options::new(lang, &app.settings.glossary);
    Ok(cgloss_report::render(index, id, body, &opts))
}

/// `path:name` or `name`.
fn split_spec(spec: &str) -> (Option<&str>, &str) {
    match spec.rsplit_once(':') {
        Some((p, n)) => (Some(p), n),
        None => (None, spec),
    }
}

fn query_map(uri: &axum::http::Uri) -> Result<HashMap<String, String>, ApiError> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad(format!("bad query string: {e}")))
}

fn number(
    q: &HashMap<String, String>,
    key: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match q.get(key) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ApiError::bad(format!(
                "{key}: give a number from 0 to {max}"
            ))),
        },
    }
}

fn lang_of(q: &HashMap<String, String>) -> Result<Lang, ApiError> {
    match q.get("lang").map(String::as_str) {
        None | Some("en") => Ok(Lang::En),
        Some("zh") => Ok(Lang::Zh),
        Some(other) => Err(ApiError::bad(format!("lang: {other:?} is not en or zh"))),
    }
}

async fn api_route(
    app: &Arc<App>,
    route: String,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Answer {
    let q = query_map(uri)?;
    let headers = headers.clone();
    let (verb, arg) = route.split_once('/').unwrap_or((route.as_str(), ""));
    let arg = arg.to_string();
    let verb = verb.to_string();
    if arg.len() > MAX_QUERY {
        return Err(ApiError::bad("argument too long"));
    }
    blocking(app, move |app, snapshot| {
        fresh(app, snapshot, |snapshot| {
            api_answer(app, snapshot, &verb, &arg, &q, &headers)
        })
    })
    .await?
}

fn api_answer(
    app: &App,
    snapshot: &Snapshot,
    verb: &str,
    arg: &str,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Answer {
    {
        let value = match (verb, arg) {
            ("", "") => Ok(json!({
                "version": crate::API_VERSION,
                "generation": snapshot.generation,
                "routes": ["ident/{name}", "report/{path}:{name}", "callers/{path}:{name}",
                           "callees/{path}:{name}", "search?q=&mode=", "source/{path}"],
            })),
            ("ident", name) if !name.is_empty() => ident(snapshot, name),
            ("report", spec) if !spec.is_empty() => {
                let (path, name) = split_spec(spec);
                let opts = cgloss_report::Options::new(lang_of(q)?, &app.settings.glossary);
                let index = need(snapshot, &Need::Report { path, name })?;
                let reports = app.host.reports(&index, name, path, &opts);
                if reports.is_empty() {
                    return Err(ApiError::not_found(format!(
                        "{spec}: no such function, macro or type"
                    )));
                }
                let mut bytes = cgloss_report::reports_to_json(&reports).into_bytes();
                bytes.shrink_to_fit();
                return Ok(cached(bytes, "application/json", headers));
            }
            ("callers", spec) | ("callees", spec) if !spec.is_empty() => {
                calls(snapshot, spec, verb == "callers")
            }
            ("search", "") => search(app, snapshot, q),
            ("source", path) if !path.is_empty() => source(app, snapshot, path),
            _ => Err(ApiError::not_found(format!("no API route {verb}/{arg}"))),
        }?;
        Ok(json_response(&value, headers))
    }
}

#[derive(Serialize)]
struct Place {
    /// Path relative to the root.
    path: String,
    line: u32,
    /// Elixir's name for the kind.
    #[serde(rename = "type")]
    kind: &'static str,
    /// Page of the static site (from the language root).
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
}

/// Definition `d` of name `i`; `index` holds every definition of the name
/// (for a function's summary).
fn place(snapshot: &Snapshot, index: &Index, i: usize, d: &Def) -> Place {
    let name = snapshot.names.name(i);
    let path = snapshot
        .files()
        .get(d.file as usize)
        .map_or("", |f| f.path.as_str());
    let (summary, stem) = match d.kind() {
        "function" => (
            crate::source::summary(index, snapshot.files(), name, d),
            Some(snapshot.names.function_stem(i, d)),
        ),
        _ => (None, None),
    };
    Place {
        path: path.to_string(),
        line: d.line,
        kind: d.kind(),
        url: cgloss_html::symbol_page(path, d.kind(), name, d.line, stem.as_deref()),
        summary,
    }
}

fn ident(snapshot: &Snapshot, name: &str) -> Result<serde_json::Value, ApiError> {
    let found = snapshot.names.find(name);
    let defs: Vec<Place> = match found {
        Some(i) => {
            let index = need(
                snapshot,
                &Need::Names {
                    path: None,
                    names: &[name.to_string()],
                },
            )?;
            snapshot
                .names
                .defs(i)
                .iter()
                .take(MAX_LISTED)
                .map(|d| place(snapshot, &index, i, d))
                .collect()
        }
        None => Vec::new(),
    };
    let index = need(snapshot, &Need::Users { name })?;
    let users = index.users(name);
    let references: Vec<serde_json::Value> = users
        .iter()
        .take(MAX_LISTED)
        .map(|u| json!({"path": u.site.path, "line": u.site.line, "type": null, "name": u.name}))
        .collect();
    let documentations: Vec<serde_json::Value> = defs
        .iter()
        .filter(|d| d.summary.is_some())
        .map(|d| json!({"path": d.path, "line": d.line, "type": d.kind, "summary": d.summary}))
        .collect();
    if defs.is_empty() && references.is_empty() {
        return Err(ApiError::not_found(format!("{name}: no such identifier")));
    }
    Ok(json!({
        "name": name,
        "definitions": defs,
        "references": references,
        "n_references": users.len(),
        "documentations": documentations,
    }))
}

fn calls(snapshot: &Snapshot, spec: &str, callers: bool) -> Result<serde_json::Value, ApiError> {
    let (path, name) = split_spec(spec);
    let index = &need(snapshot, &Need::Report { path, name })?;
    let site = snapshot.site(index);
    let ids = index.find_functions(name, path);
    if ids.is_empty() {
        return Err(ApiError::not_found(format!("{spec}: no such function")));
    }
    let row = |id: FnId| {
        let f = index.function(id);
        json!({"name": f.name, "path": index.path(id), "line": f.line, "url": site.function_url(id)})
    };
    let list: Vec<serde_json::Value> = ids
        .iter()
        .map(|&id| {
            let f = index.function(id);
            let related: Vec<serde_json::Value> = if callers {
                index
                    .callers(id)
                    .iter()
                    .take(MAX_LISTED)
                    .map(|&c| row(c))
                    .collect()
            } else {
                f.calls
                    .iter()
                    .map(|name| {
                        let targets = index.resolve_functions(name, id.file);
                        let defs: Vec<serde_json::Value> = targets.into_iter().map(row).collect();
                        json!({"name": name, "definitions": defs})
                    })
                    .collect()
            };
            json!({
                "name": f.name, "path": index.path(id), "line": f.line,
                "url": site.function_url(id),
                if callers { "callers" } else { "callees" }: related,
            })
        })
        .collect();
    Ok(json!({ "functions": list }))
}

fn search(
    app: &App,
    snapshot: &Snapshot,
    q: &HashMap<String, String>,
) -> Result<serde_json::Value, ApiError> {
    let query = q.get("q").map(String::as_str).unwrap_or("");
    if query.is_empty() {
        return Err(ApiError::bad("q: give something to search for"));
    }
    if query.len() > MAX_QUERY {
        return Err(ApiError::bad(format!("q: at most {MAX_QUERY} bytes")));
    }
    let page = number(q, "page", 1, 1_000_000)?.max(1);
    let per_page = number(q, "per_page", 50, MAX_PER_PAGE)?.max(1);
    let skip = (page - 1).saturating_mul(per_page);
    let mode = q.get("mode").map(String::as_str).unwrap_or("substring");
    let how = match mode {
        "exact" => Some(Match::Exact),
        "prefix" => Some(Match::Prefix),
        "substring" => Some(Match::Substring),
        "regex" | "text" => None,
        other => {
            return Err(ApiError::bad(format!(
                "mode: {other:?} is not exact, prefix, substring, regex or text"
            )))
        }
    };
    let path_filter = q.get("path").map(String::as_str).filter(|p| !p.is_empty());
    if let Some(how) = how {
        let names = &snapshot.names;
        let (found, more) = names.search(query, how, skip, per_page);
        let found_names: Vec<String> = found.iter().map(|&i| names.name(i).to_string()).collect();
        let index = need(
            snapshot,
            &Need::Names {
                path: None,
                names: &found_names,
            },
        )?;
        let path_of = |d: &Def| {
            snapshot
                .files()
                .get(d.file as usize)
                .map_or("", |f| f.path.as_str())
        };
        let results: Vec<serde_json::Value> = found
            .into_iter()
            .filter_map(|i| {
                let name = names.name(i);
                let defs: Vec<Place> = names
                    .defs(i)
                    .iter()
                    .filter(|d| path_filter.is_none_or(|f| path_of(d).contains(f)))
                    .take(50)
                    .map(|d| place(snapshot, &index, i, d))
                    .collect();
                (!defs.is_empty()).then(|| json!({"name": name, "definitions": defs}))
            })
            .collect();
        return Ok(json!({
            "mode": mode, "q": query, "page": page, "per_page": per_page,
            "more": more, "identifiers": results,
        }));
    }
    let ignore_case = matches!(q.get("case").map(String::as_str), Some("insensitive"));
    let grep_query = grep::Query {
        pattern: query,
        fixed: mode == "text",
        ignore_case,
        path_filter,
        skip,
        limit: per_page,
        deadline: Instant::now() + GREP_TIME.min(app.settings.timeout),
    };
    let started = Instant::now();
    let found = grep::search(
        &grep_query,
        &mut snapshot.files().iter().map(|f| f.path.as_str()),
        &|rel| app.resolve(rel),
    )
    .map_err(|e| ApiError::bad(format!("q: {e}")))?;
    Ok(json!({
        "mode": mode, "q": query, "page": page, "per_page": per_page,
        "more": found.stopped == Some("limit"),
        "stopped": found.stopped,
        "n_files_searched": found.n_files_searched,
        "elapsed_ms": started.elapsed().as_millis() as u64,
        "files": found.files,
    }))
}

fn source(app: &App, snapshot: &Snapshot, path: &str) -> Result<serde_json::Value, ApiError> {
    let missing = || ApiError::not_found(format!("{path}: not a file of the index"));
    position(snapshot, path).ok_or_else(missing)?;
    let text = app.read_text(path).ok_or_else(missing)?;
    Ok(json!({"path": path, "n_lines": text.lines().count(), "text": text}))
}
