//! `cgloss mcp`: the tree served to coding assistants over the Model Context
//! Protocol (stdio, the official SDK `rmcp`). Tools: `search`, `report`,
//! `context`, `callers`, `callees`, `source`; resources: the tree's files
//! (`cgloss://file/{path}`) and function reports (`cgloss://report/{name}`).
//!
//! Read-only: nothing is written (an index is read as `report` reads it),
//! and no file outside the root is read — a path with `..`, an absolute
//! path not under the root, or one whose symlinks lead out is refused.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::model::{
    CallToolResult, ContentBlock, ListResourceTemplatesResult, ListResourcesResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Resource, ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{schemars, tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};
use serde::Deserialize;

use crate::lookup::{Lookup, Spec};
use crate::messages::Messages;

/// Most bytes `source` and file resources return.
const MAX_FILE: u64 = 4 << 20;

/// Most lines `source` returns without a range.
const MAX_LINES: u32 = 2000;

/// Most callers whose call lines `callers` shows (each is a file read).
const MAX_CALL_SITES: usize = 200;

/// Most files `resources/list` names; a larger tree is reached through the
/// templates only.
const MAX_LISTED: usize = 500;

/// The server: the tree, opened once.
#[derive(Clone)]
pub struct Server {
    lookup: Arc<Mutex<Lookup>>,
    messages: Arc<Messages>,
    tool_router: ToolRouter<Server>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SearchArgs {
    /// Part of a symbol's name (case ignored): names equal to it come
    /// first, then those starting with it, then those containing it.
    query: String,
    /// Most results (default 50, at most 500).
    limit: Option<u32>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ReportArgs {
    /// A function, macro or type: `name`, `path:name` (path relative to
    /// the root), or `struct x`, `union x`, `enum x`.
    name: String,
    /// `text` (default) or `json` (the format of docs/json.md).
    format: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ContextArgs {
    /// A function: `name` or `path:name`.
    function: String,
    /// Most tokens, estimated as UTF-8 bytes / 4 (default 8000).
    budget: Option<u32>,
    /// `md` (default) or `json`.
    format: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct FunctionArgs {
    /// A function: `name` or `path:name`.
    function: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SourceArgs {
    /// A file, relative to the root.
    path: String,
    /// First line (1-based, default 1).
    start_line: Option<u32>,
    /// Last line (default: the end, or 2000 lines on).
    end_line: Option<u32>,
}

fn text(s: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(s)])
}

/// A tool's answer that something asked for is not there (not a protocol
/// error: the assistant reads it and asks again).
fn not_there(s: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(s)])
}

fn bad(s: impl Into<String>) -> ErrorData {
    ErrorData::invalid_params(s.into(), None)
}

fn internal(err: anyhow::Error) -> ErrorData {
    ErrorData::internal_error(format!("{err:#}"), None)
}

fn check_name(name: &str, what: &str) -> Result<(), ErrorData> {
    if name.trim().is_empty() {
        return Err(bad(format!("{what}: give a name")));
    }
    Ok(())
}

impl Server {
    fn lookup(&self) -> Result<std::sync::MutexGuard<'_, Lookup>, ErrorData> {
        self.lookup
            .lock()
            .map_err(|_| ErrorData::internal_error("an earlier call panicked", None))
    }

    /// The report of a function (the first definition), for callers and
    /// callees; `Ok(None)` when there is none.
    fn function_report(
        &self,
        spec: &Spec,
    ) -> Result<Option<(cgloss_report::FunctionReport, Vec<String>)>, ErrorData> {
        let glossary = cgloss_report::Glossary::builtin();
        let opts = cgloss_report::Options::new(cgloss_report::Lang::En, glossary);
        let messages = &*self.messages;
        let mut lookup = self.lookup()?;
        lookup
            .with(spec, messages, |found| {
                let index = found.index;
                let &id = index
                    .find_functions(&spec.name, spec.path.as_deref())
                    .first()?;
                let text = found.text(index.path(id), messages)?;
                let f = index.function(id);
                let body = cgloss_syntax::lower_function(&text, f);
                let report = cgloss_report::render(index, id, &body, &opts);
                // The lines of each caller that call it.
                let mut sources = crate::lookup::BundleSources::new(found, messages);
                let lines = index
                    .callers(id)
                    .iter()
                    .take(MAX_CALL_SITES)
                    .map(|&c| {
                        use cgloss_report::context::Sources;
                        let cf = index.function(c);
                        let path = index.path(c);
                        let ls = sources.call_lines(path, cf, &f.name);
                        let text = sources.text(path).unwrap_or("");
                        let all: Vec<&str> = text.lines().collect();
                        ls.iter()
                            .map(|&l| {
                                let src = all.get(l as usize - 1).map(|s| s.trim()).unwrap_or("");
                                format!("    {l}: {src}")
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                    })
                    .collect();
                Some((report, lines))
            })
            .map_err(internal)
    }

    /// `path` of the tree, checked: relative, no `..`, and inside the root
    /// once symlinks are followed. Absolute paths under the root are taken.
    fn resolve(&self, path: &str) -> Result<(PathBuf, String), ErrorData> {
        let lookup = self.lookup()?;
        let root = lookup.canonical_root().to_path_buf();
        drop(lookup);
        resolve_in(&root, path)
    }
}

/// See `Server::resolve`.
fn resolve_in(root: &Path, path: &str) -> Result<(PathBuf, String), ErrorData> {
    if path.is_empty() {
        return Err(bad("path: give a file relative to the root"));
    }
    let p = Path::new(path);
    let rel: PathBuf = if p.is_absolute() {
        match p.strip_prefix(root) {
            Ok(r) => r.to_path_buf(),
            Err(_) => return Err(bad(format!("{path}: outside the root"))),
        }
    } else {
        p.to_path_buf()
    };
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            _ => return Err(bad(format!("{path}: `..` and absolute paths are refused"))),
        }
    }
    let full = root.join(&rel);
    let canonical = std::fs::canonicalize(&full)
        .map_err(|e| bad(format!("{path}: {}", e.to_string().to_lowercase())))?;
    if !canonical.starts_with(root) {
        return Err(bad(format!("{path}: a symlink leading outside the root")));
    }
    if !canonical.is_file() {
        return Err(bad(format!("{path}: not a file")));
    }
    let shown = rel
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Ok((canonical, shown))
}

/// Lines `start..=end` of `text`, each after its number.
fn numbered(text: &str, start: u32, end: u32) -> String {
    let width = end.to_string().len();
    let mut out = String::new();
    for (n, l) in text
        .lines()
        .enumerate()
        .skip(start as usize - 1)
        .take((end + 1 - start) as usize)
    {
        let _ = writeln!(out, "{:>width$}  {}", n + 1, l);
    }
    out
}

fn read_file(full: &Path, shown: &str) -> Result<String, ErrorData> {
    let meta = std::fs::metadata(full).map_err(|e| bad(format!("{shown}: {e}")))?;
    if meta.len() > MAX_FILE {
        return Err(bad(format!(
            "{shown}: {} bytes, more than {MAX_FILE}; ask for a line range",
            meta.len()
        )));
    }
    let bytes = std::fs::read(full).map_err(|e| bad(format!("{shown}: {e}")))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn related_lines(rows: &[cgloss_report::Related], extra: Option<&[String]>) -> String {
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        let _ = write!(out, "{}", r.name);
        match (&r.file, r.line) {
            (Some(f), Some(l)) => {
                let _ = write!(out, "  {f}:{l}");
            }
            _ => out.push_str("  (not defined in the tree)"),
        }
        if let Some(s) = &r.summary {
            let _ = write!(out, "  {s}");
        }
        out.push('\n');
        if let Some(lines) = extra.and_then(|e| e.get(n)).filter(|l| !l.is_empty()) {
            out.push_str(lines);
            out.push('\n');
        }
    }
    out
}

#[tool_router]
impl Server {
    #[tool(
        description = "Find symbols of the C tree (functions, macros, structs, unions, typedefs, \
                       enums, enum constants, variables) by name: exact, then prefix, then \
                       substring. One per line: kind, name, path:line, doc summary."
    )]
    fn search(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        if args.query.trim().is_empty() {
            return Err(bad("query: give part of a name"));
        }
        let limit = args.limit.unwrap_or(50);
        if limit == 0 || limit > 500 {
            return Err(bad("limit: between 1 and 500"));
        }
        let hits = self
            .lookup()?
            .search(args.query.trim(), limit as usize)
            .map_err(internal)?;
        if hits.is_empty() {
            return Ok(not_there(format!("no symbol name contains {}", args.query)));
        }
        let mut out = String::new();
        for h in hits {
            let _ = write!(out, "{} {}  {}:{}", h.kind, h.name, h.path, h.line);
            if let Some(s) = h.summary.filter(|s| !s.is_empty()) {
                let _ = write!(out, "  {}", cgloss_report::gloss(&s));
            }
            out.push('\n');
        }
        Ok(text(out))
    }

    #[tool(
        description = "The cgloss report of a function, macro or type: prototype, parameters \
                       with their docs, the body rewritten in plain English with every member, \
                       macro, constant and callee replaced by its documentation, callers and \
                       callees. `format`: text (default) or json."
    )]
    fn report(
        &self,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        check_name(&args.name, "name")?;
        let json = match args.format.as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(bad(format!("format: text or json, not {other}"))),
        };
        let glossary = cgloss_report::Glossary::builtin();
        let opts = cgloss_report::Options::new(cgloss_report::Lang::En, glossary);
        let messages = &*self.messages;
        let mut lookup = self.lookup()?;
        let spec = lookup.spec(&args.name);
        let reports = lookup
            .with(&spec, messages, |found| {
                let mut out = Vec::new();
                crate::symbol_reports(
                    found.index,
                    &spec.name,
                    spec.path.as_deref(),
                    &opts,
                    &mut out,
                    &mut |p| found.text(p, messages),
                    messages,
                );
                out
            })
            .map_err(internal)?;
        if reports.is_empty() {
            return Ok(not_there(lookup.not_found(&spec).map_err(internal)?));
        }
        Ok(text(if json {
            cgloss_report::reports_to_json(&reports)
        } else {
            reports
                .iter()
                .map(|r| r.to_text(false))
                .collect::<Vec<_>>()
                .join("\n")
        }))
    }

    #[tool(
        description = "A prompt-ready bundle for changing one C function: its source with line \
                       numbers, its report, the definitions it uses (structs with the members \
                       it touches, macros, enum constants, globals, with their docs), its \
                       callees' prototypes and summaries, its callers with their call lines; \
                       ranked by relevance, cut to `budget` tokens (estimated as bytes / 4), \
                       ending with what was left out. `format`: md (default) or json."
    )]
    fn context(
        &self,
        Parameters(args): Parameters<ContextArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        check_name(&args.function, "function")?;
        let json = match args.format.as_deref() {
            None | Some("md") => false,
            Some("json") => true,
            Some(other) => return Err(bad(format!("format: md or json, not {other}"))),
        };
        let budget = match args.budget {
            None => cgloss_report::context::DEFAULT_BUDGET,
            Some(0) => return Err(bad("budget: a positive number of tokens")),
            Some(n) => n as usize,
        };
        let glossary = cgloss_report::Glossary::builtin();
        let opts = cgloss_report::Options::new(cgloss_report::Lang::En, glossary);
        let mut lookup = self.lookup()?;
        let spec = lookup.spec(&args.function);
        let bundle =
            crate::lookup::context_bundle(&mut lookup, &spec, budget, &opts, &self.messages)
                .map_err(internal)?;
        Ok(match bundle {
            None => not_there(lookup.not_found(&spec).map_err(internal)?),
            Some(b) if json => text(b.to_json()),
            Some(b) => text(b.to_markdown()),
        })
    }

    #[tool(
        description = "The functions that call a function, one per line: name, path:line, doc \
                       summary, then each line of it that makes the call; then the functions \
                       and variables that use it without calling it (ops tables, callbacks)."
    )]
    fn callers(
        &self,
        Parameters(args): Parameters<FunctionArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        check_name(&args.function, "function")?;
        let spec = self.lookup()?.spec(&args.function);
        let Some((report, lines)) = self.function_report(&spec)? else {
            return Ok(not_there(
                self.lookup()?.not_found(&spec).map_err(internal)?,
            ));
        };
        let mut out = format!(
            "Callers of {} ({}:{}): {}\n",
            report.name,
            report.file,
            report.line,
            report.callers.len()
        );
        out.push_str(&related_lines(&report.callers, Some(&lines)));
        if !report.referenced_by.is_empty() {
            let _ = writeln!(out, "Referenced by: {}", report.referenced_by.len());
            out.push_str(&related_lines(&report.referenced_by, None));
        }
        Ok(text(out))
    }

    #[tool(
        description = "The functions and function-like macros a function calls, in order of \
                       first call, one per line: name, path:line of the definition used (or \
                       not defined in the tree), doc summary."
    )]
    fn callees(
        &self,
        Parameters(args): Parameters<FunctionArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        check_name(&args.function, "function")?;
        let spec = self.lookup()?.spec(&args.function);
        let Some((report, _)) = self.function_report(&spec)? else {
            return Ok(not_there(
                self.lookup()?.not_found(&spec).map_err(internal)?,
            ));
        };
        let mut out = format!(
            "Callees of {} ({}:{}): {}\n",
            report.name,
            report.file,
            report.line,
            report.callees.len()
        );
        out.push_str(&related_lines(&report.callees, None));
        Ok(text(out))
    }

    #[tool(
        description = "A file of the tree (path relative to the root), or a range of its \
                       lines, each line after its number. Without a range, at most 2000 lines \
                       are given. Nothing outside the root is read."
    )]
    fn source(
        &self,
        Parameters(args): Parameters<SourceArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let (full, shown) = self.resolve(&args.path)?;
        let t = read_file(&full, &shown)?;
        let n_lines = t.lines().count() as u32;
        let start = args.start_line.unwrap_or(1);
        if start == 0 {
            return Err(bad("start_line: lines count from 1"));
        }
        if start > n_lines.max(1) {
            return Err(bad(format!(
                "start_line: {shown} has {n_lines} lines, not {start}"
            )));
        }
        let end = match args.end_line {
            Some(e) if e < start => {
                return Err(bad(format!("end_line: {e} is before start_line {start}")))
            }
            Some(e) => e.min(n_lines),
            None => n_lines.min(start.saturating_add(MAX_LINES - 1)),
        };
        let mut out = format!("{shown}: lines {start}-{end} of {n_lines}\n");
        out.push_str(&numbered(&t, start, end.max(start)));
        Ok(text(out))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(rmcp::model::Implementation::new(
            "cgloss",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(
            "cgloss knows a C source tree (the Linux kernel first): where every symbol is \
             defined and what its comments say. Before changing a function, call `context` \
             with its name; `search` finds names, `report` explains a function, macro or type, \
             `callers`/`callees` walk the call graph, `source` reads files of the tree."
                .to_string(),
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let root = self.lookup()?.root().to_path_buf();
        let quiet = Messages::new(true);
        let files = crate::discover::discover(&root, &quiet).files;
        if files.len() > MAX_LISTED {
            return Ok(ListResourcesResult::with_all_items(Vec::new()));
        }
        Ok(ListResourcesResult::with_all_items(
            files
                .iter()
                .map(|f| {
                    Resource::new(format!("cgloss://file/{}", f.rel), f.rel.clone())
                        .with_mime_type("text/x-c")
                        .with_size(f.size)
                })
                .collect(),
        ))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new("cgloss://file/{path}", "file")
                .with_description("A file of the tree, path relative to the root")
                .with_mime_type("text/x-c"),
            ResourceTemplate::new("cgloss://report/{name}", "report")
                .with_description(
                    "The report of a function, macro or type: name or path:name (text)",
                )
                .with_mime_type("text/plain"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.clone();
        if let Some(path) = uri.strip_prefix("cgloss://file/") {
            let (full, shown) = self.resolve(path)?;
            let t = read_file(&full, &shown)?;
            return Ok(ReadResourceResult::new(vec![ResourceContents::text(t, uri)]).into());
        }
        if let Some(name) = uri.strip_prefix("cgloss://report/") {
            let answer = self.report(Parameters(ReportArgs {
                name: name.to_string(),
                format: None,
            }))?;
            let t = answer
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect::<String>();
            if answer.is_error == Some(true) {
                return Err(ErrorData::resource_not_found(t, None));
            }
            return Ok(ReadResourceResult::new(vec![ResourceContents::text(t, uri)]).into());
        }
        Err(ErrorData::resource_not_found(
            format!("{uri}: not a cgloss://file/ or cgloss://report/ uri"),
            None,
        ))
    }
}

/// The MCP server of `cgloss serve`, over streamable HTTP (mounted at
/// `/mcp`): every session shares one view of the tree. Requests must name
/// a loopback host (or `addr`'s, when serving elsewhere), against DNS
/// rebinding.
pub fn http_service(
    root: &Path,
    index: Option<&Path>,
    addr: std::net::SocketAddr,
    messages: &Messages,
) -> anyhow::Result<
    rmcp::transport::streamable_http_server::StreamableHttpService<
        Server,
        rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
    >,
> {
    use rmcp::transport::streamable_http_server::{
        session::local::LocalSessionManager, StreamableHttpServerConfig, StreamableHttpService,
    };
    let lookup = Lookup::open(root, index, messages)?;
    let server = Server {
        lookup: Arc::new(Mutex::new(lookup)),
        messages: Arc::new(Messages::new(messages.is_quiet())),
        tool_router: Server::tool_router(),
    };
    let mut config = StreamableHttpServerConfig::default();
    if !addr.ip().is_loopback() {
        let mut hosts = config.allowed_hosts.clone();
        hosts.push(addr.ip().to_string());
        config = config.with_allowed_hosts(hosts);
    }
    Ok(StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    ))
}

/// The `mcp` command: serves until the client closes standard input.
pub fn serve(
    root: &Path,
    index: Option<&Path>,
    messages: &Messages,
) -> anyhow::Result<crate::Status> {
    let lookup = Lookup::open(root, index, messages)?;
    let server = Server {
        lookup: Arc::new(Mutex::new(lookup)),
        messages: Arc::new(Messages::new(messages.is_quiet())),
        tool_router: Server::tool_router(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        use rmcp::ServiceExt;
        let service = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| anyhow::anyhow!("mcp: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| anyhow::anyhow!("mcp: {e}"))?;
        anyhow::Ok(())
    })?;
    Ok(crate::Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.c"), "int a;\n").unwrap();
        std::fs::write(dir.path().join("secret.c"), "int s;\n").unwrap();
        assert_eq!(resolve_in(&root, "sub/a.c").unwrap().1, "sub/a.c");
        assert_eq!(resolve_in(&root, "./sub/a.c").unwrap().1, "sub/a.c");
        let abs = root.join("sub/a.c");
        assert_eq!(
            resolve_in(&root, abs.to_str().unwrap()).unwrap().1,
            "sub/a.c"
        );
        for bad in [
            "../secret.c",
            "sub/../../secret.c",
            "/etc/passwd",
            "",
            "sub",
        ] {
            assert!(resolve_in(&root, bad).is_err(), "{bad}");
        }
        std::os::unix::fs::symlink(dir.path().join("secret.c"), root.join("link.c")).unwrap();
        let err = resolve_in(&root, "link.c").unwrap_err();
        assert!(err.message.contains("symlink"), "{}", err.message);
    }
}
