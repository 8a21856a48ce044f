//! `cgloss mcp` talked to as an assistant would: an rmcp client starts the
//! built binary over stdio, lists the tools and resources, calls each tool
//! (on examples/minikv, and `context` on the fixture) and checks the
//! answers and the errors for bad arguments.

use std::path::Path;

use rmcp::model::{CallToolRequestParams, ReadResourceRequestParams};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;

use super::{cgloss, empty_cache, fixtures, stdout, workspace};

type Client = RunningService<RoleClient, ()>;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn connect(root: &Path, args: &[&str]) -> Client {
    let cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cgloss")).configure(|c| {
        c.args(["--quiet", "mcp", "--root"])
            .arg(root)
            .args(args)
            .env("XDG_CACHE_HOME", empty_cache());
    });
    ().serve(TokioChildProcess::new(cmd).expect("spawn cgloss mcp"))
        .await
        .expect("initialize")
}

/// A tool's text: `Ok` for an answer, `Err` for a tool error (`isError`)
/// or a protocol error (bad arguments), with its message.
async fn call(client: &Client, tool: &str, args: serde_json::Value) -> Result<String, String> {
    let params = CallToolRequestParams::new(tool.to_string())
        .with_arguments(args.as_object().expect("an object").clone());
    match client.call_tool(params).await {
        Ok(r) => {
            let t: String = r
                .content
                .iter()
                .filter_map(|c| c.as_text().map(|t| t.text.clone()))
                .collect();
            if r.is_error == Some(true) {
                Err(t)
            } else {
                Ok(t)
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn mcp_tools_answer_on_the_example_tree() {
    let root = workspace().join("examples/minikv");
    runtime().block_on(async {
        let client = connect(&root, &[]).await;
        let tools = client.list_all_tools().await.unwrap();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        names.sort();
        assert_eq!(
            names,
            ["callees", "callers", "context", "report", "search", "source"]
        );
        for t in &tools {
            assert!(
                t.description.as_deref().is_some_and(|d| d.len() > 40),
                "{}",
                t.name
            );
            let props = t.input_schema.get("properties").and_then(|p| p.as_object());
            assert!(
                props.is_some_and(|p| !p.is_empty()),
                "{}: {:?}",
                t.name,
                t.input_schema
            );
        }
        let context_tool = tools.iter().find(|t| t.name == "context").unwrap();
        let required = context_tool.input_schema.get("required").unwrap();
        assert_eq!(required, &serde_json::json!(["function"]));

        // search: exact name first, then by name.
        let found = call(&client, "search", serde_json::json!({"query": "kv_put"}))
            .await
            .unwrap();
        assert!(found.starts_with("function kv_put  kv.c:50"), "{found}");
        let found = call(&client, "search", serde_json::json!({"query": "KV_MAX"}))
            .await
            .unwrap();
        assert!(
            found.contains("macro KV_MAX_KEY  config.h:6  longest key accepted, in bytes"),
            "{found}"
        );
        assert!(
            call(&client, "search", serde_json::json!({"query": "zzzz"}))
                .await
                .is_err()
        );

        // report: the same text as `cgloss report`.
        let report = call(&client, "report", serde_json::json!({"name": "kv_put"}))
            .await
            .unwrap();
        let cli = cgloss(&["report", "--root", root.to_str().unwrap(), "kv_put"]);
        assert_eq!(report, stdout(&cli));
        let report = call(
            &client,
            "report",
            serde_json::json!({"name": "struct kv_entry", "format": "json"}),
        )
        .await
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&report).unwrap();
        assert_eq!(v[0]["kind"], "type");

        // context: the same bundle as `cgloss context`.
        let bundle = call(
            &client,
            "context",
            serde_json::json!({"function": "kv_put", "budget": 1500}),
        )
        .await
        .unwrap();
        let cli = cgloss(&[
            "context",
            "--root",
            root.to_str().unwrap(),
            "--budget",
            "1500",
            "kv_put",
        ]);
        assert_eq!(bundle, stdout(&cli));
        assert!(bundle.contains("## Callers"), "{bundle}");

        // callers and callees.
        let callers = call(
            &client,
            "callers",
            serde_json::json!({"function": "kv_put"}),
        )
        .await
        .unwrap();
        assert!(callers.contains("cmd_run  cmd.c:38"), "{callers}");
        assert!(
            callers.contains("    53: err = kv_put(kv, cmd->key, cmd->value);"),
            "{callers}"
        );
        let callees = call(
            &client,
            "callees",
            serde_json::json!({"function": "kv.c:kv_put"}),
        )
        .await
        .unwrap();
        assert!(
            callees.contains("hash_str  hash.c:7  hash a string with FNV-1a"),
            "{callees}"
        );
        assert!(
            callees.contains("strlen  (not defined in the tree)"),
            "{callees}"
        );

        // source: a line range, numbered.
        let src = call(
            &client,
            "source",
            serde_json::json!({"path": "kv.c", "start_line": 50, "end_line": 51}),
        )
        .await
        .unwrap();
        let kv = std::fs::read_to_string(root.join("kv.c")).unwrap();
        let lines: Vec<&str> = kv.lines().collect();
        assert_eq!(
            src,
            format!(
                "kv.c: lines 50-51 of {}\n50  {}\n51  {}\n",
                lines.len(),
                lines[49],
                lines[50]
            )
        );

        // Bad arguments are refused, saying why.
        for (tool, args, says) in [
            (
                "source",
                serde_json::json!({"path": "../minikv/kv.c"}),
                "refused",
            ),
            (
                "source",
                serde_json::json!({"path": "/etc/passwd"}),
                "outside the root",
            ),
            (
                "source",
                serde_json::json!({"path": "kv.c", "start_line": 0}),
                "count from 1",
            ),
            (
                "source",
                serde_json::json!({"path": "kv.c", "start_line": 100000}),
                "lines, not",
            ),
            ("source", serde_json::json!({"path": "nope.c"}), "nope.c"),
            (
                "context",
                serde_json::json!({"function": "kv_put", "format": "xml"}),
                "md or json",
            ),
            (
                "context",
                serde_json::json!({"function": "kv_put", "budget": 0}),
                "positive",
            ),
            (
                "context",
                serde_json::json!({"function": "kv_pt"}),
                "did you mean: kv_put",
            ),
            ("context", serde_json::json!({}), "function"),
            ("report", serde_json::json!({"name": " "}), "give a name"),
            (
                "callers",
                serde_json::json!({"function": "hash.c:kv_put"}),
                "it is defined in kv.c:50",
            ),
            (
                "search",
                serde_json::json!({"query": "kv", "limit": 0}),
                "between 1 and 500",
            ),
        ] {
            let err = call(&client, tool, args.clone()).await.unwrap_err();
            assert!(err.contains(says), "{tool} {args}: {err}");
        }

        // Resources: files and reports.
        let resources = client.list_all_resources().await.unwrap();
        assert!(resources.iter().any(|r| r.uri == "cgloss://file/kv.c"));
        let templates = client.list_all_resource_templates().await.unwrap();
        let mut uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
        uris.sort();
        assert_eq!(uris, ["cgloss://file/{path}", "cgloss://report/{name}"]);
        let read =
            |uri: &str| client.read_resource(ReadResourceRequestParams::new(uri.to_string()));
        let file = read("cgloss://file/kv.c").await.unwrap();
        let text = serde_json::to_value(&file.contents[0]).unwrap();
        assert_eq!(text["text"].as_str().unwrap(), kv);
        let rep = read("cgloss://report/kv_get").await.unwrap();
        let text = serde_json::to_value(&rep.contents[0]).unwrap();
        assert!(text["text"].as_str().unwrap().contains("Name: kv_get"));
        assert!(read("cgloss://file/../minikv/kv.c").await.is_err());
        assert!(read("cgloss://report/nothing_here").await.is_err());
        assert!(read("https://example.com/").await.is_err());

        client.cancel().await.unwrap();
    });
}

#[test]
fn mcp_refuses_symlinks_leaving_the_root() {
    let tree = super::index::minikv();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "int secret;\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), tree.path().join("leak.c")).unwrap();
    runtime().block_on(async {
        let client = connect(tree.path(), &[]).await;
        let err = call(&client, "source", serde_json::json!({"path": "leak.c"}))
            .await
            .unwrap_err();
        assert!(err.contains("symlink"), "{err}");
        let ok = call(&client, "source", serde_json::json!({"path": "kv.h"})).await;
        assert!(ok.is_ok(), "{ok:?}");
        client.cancel().await.unwrap();
    });
}

#[test]
fn mcp_context_on_the_fixture() {
    let Some(fx) = fixtures("mcp_context_on_the_fixture") else {
        return;
    };
    let root = fx.join("linux-5.5.9");
    runtime().block_on(async {
        let client = connect(&root, &[]).await;
        let bundle = call(
            &client,
            "context",
            serde_json::json!({"function": "fs/userfaultfd.c:dup_userfaultfd"}),
        )
        .await
        .unwrap();
        let cli = cgloss(&[
            "context",
            "--root",
            root.to_str().unwrap(),
            "fs/userfaultfd.c:dup_userfaultfd",
        ]);
        assert_eq!(bundle, stdout(&cli));
        assert!(
            bundle.contains("- `dup_mmap` (kernel/fork.c:481)"),
            "{bundle}"
        );
        let callers = call(
            &client,
            "callers",
            serde_json::json!({"function": "dup_userfaultfd"}),
        )
        .await
        .unwrap();
        assert!(
            callers.contains("551: retval = dup_userfaultfd(tmp, &uf);"),
            "{callers}"
        );
        let found = call(
            &client,
            "search",
            serde_json::json!({"query": "userfaultfd_ctx", "limit": 5}),
        )
        .await
        .unwrap();
        assert!(
            found.starts_with("struct userfaultfd_ctx  fs/userfaultfd.c:54"),
            "{found}"
        );
        client.cancel().await.unwrap();
    });
}

/// The index answers `search` (SQL) as the tree in memory does, and the
/// other tools the same too.
#[test]
fn mcp_answers_the_same_from_an_index() {
    let tree = super::index::minikv();
    let db = tree.path().with_extension("mcp.sqlite");
    let index = cgloss(&[
        "index",
        "--root",
        tree.path().to_str().unwrap(),
        "--index",
        db.to_str().unwrap(),
    ]);
    assert_eq!(index.status.code(), Some(0));
    runtime().block_on(async {
        let memory = connect(tree.path(), &[]).await;
        let indexed = connect(tree.path(), &["--index", db.to_str().unwrap()]).await;
        for (tool, args) in [
            ("search", serde_json::json!({"query": "kv"})),
            ("search", serde_json::json!({"query": "KV_MAX"})),
            ("search", serde_json::json!({"query": "kv_entry"})),
            ("search", serde_json::json!({"query": "_", "limit": 7})),
            ("context", serde_json::json!({"function": "kv_put"})),
            ("callers", serde_json::json!({"function": "list_add"})),
            ("callees", serde_json::json!({"function": "cmd_run"})),
            ("report", serde_json::json!({"name": "struct kv_entry"})),
        ] {
            let m = call(&memory, tool, args.clone()).await;
            let i = call(&indexed, tool, args.clone()).await;
            assert!(m.is_ok(), "{tool} {args}: {m:?}");
            assert_eq!(m, i, "{tool} {args}");
        }
        let kv = call(&indexed, "search", serde_json::json!({"query": "kv_entry"}))
            .await
            .unwrap();
        assert!(
            kv.starts_with("struct kv_entry  kv.h:16  one key and its value\n"),
            "{kv}"
        );
        memory.cancel().await.unwrap();
        indexed.cancel().await.unwrap();
    });
    let _ = std::fs::remove_file(&db);
}
