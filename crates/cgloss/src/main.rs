//! The `cgloss` command: argument parsing, the commands, exit statuses.
//!
//! Exit status: 0 all fine; 1 the function asked for was not found; 2 usage
//! or I/O error, or some input files were skipped (clap's usage errors exit
//! 2 as well).

mod build;
mod check;
mod discover;
mod glossary;
mod index;
mod lookup;
mod mcp;
mod messages;
mod serve;
mod site;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cgloss_report::Lang;
use clap::{Parser, Subcommand, ValueEnum};

use crate::messages::Messages;

#[derive(Parser)]
#[command(
    name = "cgloss",
    version,
    about = "Readable, glossed function reports for large C trees"
)]
struct Cli {
    /// Silence warnings (errors still print).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ContextFormat {
    Md,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    En,
    Zh,
}

/// The glossary options of the commands that render reports.
#[derive(clap::Args)]
struct GlossaryArgs {
    /// Add a glossary file (TOML, see docs/glossary.md) to the built-in
    /// one; repeatable, later files win.
    #[arg(long = "glossary", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// No glossary: no translated glosses, no idioms; reports show only
    /// what the tree documents.
    #[arg(long, conflicts_with = "files")]
    no_glossary: bool,
}

impl GlossaryArgs {
    fn load(&self) -> anyhow::Result<cgloss_report::Glossary> {
        if self.no_glossary {
            return Ok(cgloss_report::Glossary::none());
        }
        let mut g = cgloss_report::Glossary::builtin().clone();
        for path in &self.files {
            g.extend(glossary::read(path)?);
        }
        Ok(g)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Print the report of a function, macro or type: `name`, `path:name`,
    /// `struct x`.
    Report {
        /// Root of the source tree (default: the current directory).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Language of the rendered body.
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// The index to read (default: the tree's index in the user's cache
        /// folder, when `cgloss index` made one; else the tree is parsed now).
        #[arg(long)]
        index: Option<PathBuf>,
        /// Print each statement's C under its rendered line (text format).
        #[arg(long)]
        source: bool,
        #[command(flatten)]
        glossary: GlossaryArgs,
        /// What to report: a function, macro or type — `name`, `path:name`
        /// (path relative to the root, or absolute under it), or `struct x`,
        /// `union x`, `enum x`.
        #[arg(required = true)]
        functions: Vec<String>,
    },
    /// A prompt-ready bundle for a coding assistant: a function's source
    /// with line numbers, its report, the definitions it uses, its callees
    /// and callers, ranked and cut to a token budget (docs/assistants.md).
    Context {
        /// Root of the source tree (default: the current directory).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The index to read (as for `report`).
        #[arg(long)]
        index: Option<PathBuf>,
        /// Most tokens, estimated as UTF-8 bytes / 4 (the source is kept
        /// even past it).
        #[arg(long, default_value_t = cgloss_report::context::DEFAULT_BUDGET)]
        budget: usize,
        /// Output format.
        #[arg(long, value_enum, default_value = "md")]
        format: ContextFormat,
        /// The function: `name` or `path:name`.
        function: String,
    },
    /// Serve the tree to MCP clients (coding assistants) over standard
    /// input and output: tools search, report, context, callers, callees,
    /// source; files and reports as resources. Read-only.
    Mcp {
        /// Root of the source tree (default: the current directory).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The index to read (as for `report`).
        #[arg(long)]
        index: Option<PathBuf>,
    },
    /// Build or update the persistent index of a tree (SQLite; see
    /// docs/index.md for its tables). Only changed files are read again.
    Index {
        /// Root of the source tree.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where the index goes (default: the user's cache folder, e.g.
        /// ~/.cache/cgloss/, keyed by the canonical root).
        #[arg(long)]
        index: Option<PathBuf>,
        /// When another cgloss is building the same index, exit (status 2)
        /// instead of waiting for it.
        #[arg(long)]
        no_wait: bool,
    },
    /// Serve the website of a tree from its index, rendered on demand (the
    /// pages `cgloss site` writes), with search and a JSON API under
    /// /api/v1/ (docs/api.md). A `cgloss index` run meanwhile is picked up.
    Serve {
        /// Root of the source tree.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The index to read (default: the tree's index in the user's cache
        /// folder, when `cgloss index` made one; else the tree is parsed now).
        #[arg(long)]
        index: Option<PathBuf>,
        /// Address to listen on; anything but loopback is warned about.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Languages, comma-separated; the first is the default.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "en,zh")]
        lang: Vec<LangArg>,
        /// Title shown on every page (default: from a kernel Makefile, else the root's name).
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        glossary: GlossaryArgs,
    },
    /// Write the static website of a tree: home, folders, files, a report
    /// and a call tree per function, search.
    Site {
        /// Root of the source tree.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (must not be inside the root).
        #[arg(long, short)]
        out: PathBuf,
        /// Languages, comma-separated; the first is the default.
        #[arg(long, value_enum, value_delimiter = ',', default_value = "en,zh")]
        lang: Vec<LangArg>,
        /// Title shown on every page (default: from a kernel Makefile, else the root's name).
        #[arg(long)]
        title: Option<String>,
        /// Write even into a folder inside the root or holding other files.
        #[arg(long)]
        force: bool,
        /// The index to use and update (default: the tree's index in the
        /// user's cache folder, when `cgloss index` made one).
        #[arg(long)]
        index: Option<PathBuf>,
        /// Also write the source view of every file (`source/<file>.html`,
        /// the one `cgloss serve` shows), linked from function and file
        /// pages; it adds several times the tree's size.
        #[arg(long)]
        source: bool,
        #[command(flatten)]
        glossary: GlossaryArgs,
    },
    /// Index a tree and render every function in both languages, printing
    /// counts (files, functions, docs, parse errors): a health check.
    Check {
        /// Root of the source tree.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Also print every parse diagnostic of every body.
        #[arg(long)]
        diagnostics: bool,
        /// Write every report (English text, by path and line) to this
        /// file, to diff the effect of a change on a whole tree.
        #[arg(long)]
        reports: Option<PathBuf>,
        #[command(flatten)]
        glossary: GlossaryArgs,
    },
    /// Glossaries (docs/glossary.md): what a tree's Chinese reports leave
    /// untranslated, how much is translated, checks, and translation by an
    /// outside command.
    Glossary {
        #[command(subcommand)]
        action: GlossaryCommand,
    },
    /// Debugging aids: the tree-sitter tree or the extracted facts of one file.
    Dump {
        /// What to print.
        #[arg(value_enum)]
        what: DumpWhat,
        /// The C file.
        file: PathBuf,
    },
}

/// The tree a `glossary` subcommand reads.
#[derive(clap::Args)]
struct TreeArgs {
    /// Root of the source tree.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The index to use and update (default: the tree's index in the
    /// user's cache folder, when `cgloss index` made one; else the tree is
    /// parsed now).
    #[arg(long)]
    index: Option<PathBuf>,
}

impl TreeArgs {
    fn load(&self, messages: &Messages) -> anyhow::Result<build::Tree> {
        build::load(&self.root, self.index.as_deref(), messages)
    }
}

#[derive(Subcommand)]
enum GlossaryCommand {
    /// The tree's untranslated glosses, most frequent first, as a glossary
    /// file to fill in.
    Missing {
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        glossary: GlossaryArgs,
        /// Only the N most frequent.
        #[arg(long)]
        limit: Option<usize>,
        /// Write there instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// The share of gloss occurrences of the tree's Chinese reports that
    /// are translated, by kind.
    Stats {
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        glossary: GlossaryArgs,
    },
    /// Check a glossary file: format, entries equal once normalized, terms
    /// used inconsistently, idioms; with --root, entries whose English no
    /// report of the tree shows. Exits 1 when it finds a problem.
    Check {
        /// The glossary file.
        file: PathBuf,
        /// A tree whose reports the entries should still occur in.
        #[arg(long)]
        root: Option<PathBuf>,
        /// The index of that tree.
        #[arg(long, requires = "root")]
        index: Option<PathBuf>,
    },
    /// Translate the untranslated glosses with a command: each is sent on a
    /// line of its standard input, a translation is read back per line and
    /// appended to the output file at once (run again to go on).
    Translate {
        #[command(flatten)]
        tree: TreeArgs,
        #[command(flatten)]
        glossary: GlossaryArgs,
        /// The translator, run with `sh -c`.
        #[arg(long)]
        command: String,
        /// Only the N most frequent.
        #[arg(long)]
        limit: Option<usize>,
        /// Stop the command when it gives no line for this many seconds.
        #[arg(long, default_value = "120")]
        timeout: f64,
        /// The glossary file written.
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DumpWhat {
    /// The syntax tree after the pre-pass.
    Tree,
    /// The facts extracted, one line per item.
    Facts,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

/// Outcome of a command other than an error.
enum Status {
    Ok,
    NotFound,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let messages = Messages::new(cli.quiet);
    match run(cli, &messages) {
        Ok(_) if messages.n_skipped() > 0 => ExitCode::from(2),
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::NotFound) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let _ = writeln!(std::io::stderr(), "cgloss: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// The languages asked for, each once, in order.
fn dedup_langs(lang: Vec<LangArg>) -> Vec<Lang> {
    let mut langs: Vec<Lang> = Vec::new();
    for l in lang.into_iter().map(Lang::from) {
        if !langs.contains(&l) {
            langs.push(l);
        }
    }
    langs
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli, messages: &Messages) -> anyhow::Result<Status> {
    match cli.command {
        Command::Report {
            root,
            lang,
            format,
            index,
            source,
            glossary,
            functions,
        } => report(
            &root,
            &cgloss_report::Options::new(lang.into(), &glossary.load()?),
            format,
            index.as_deref(),
            &functions,
            source,
            messages,
        ),
        Command::Context {
            root,
            index,
            budget,
            format,
            function,
        } => context(&root, index.as_deref(), &function, budget, format, messages),
        Command::Mcp { root, index } => mcp::serve(&root, index.as_deref(), messages),
        Command::Index {
            root,
            index,
            no_wait,
        } => index::index(&root, index.as_deref(), !no_wait, messages),
        Command::Site {
            root,
            out,
            lang,
            title,
            force,
            index,
            source,
            glossary,
        } => {
            let langs = dedup_langs(lang);
            site::site(
                site::SiteArgs {
                    root,
                    out,
                    langs,
                    title,
                    force,
                    index,
                    glossary: glossary.load()?,
                    source,
                },
                messages,
            )
        }
        Command::Serve {
            root,
            index,
            addr,
            lang,
            title,
            glossary,
        } => serve::serve(
            serve::ServeArgs {
                root,
                index,
                addr,
                langs: dedup_langs(lang),
                title,
                glossary: glossary.load()?,
                quiet: cli.quiet,
            },
            messages,
        ),
        Command::Check {
            root,
            diagnostics,
            reports,
            glossary,
        } => check::check(
            &root,
            diagnostics,
            reports.as_deref(),
            &glossary.load()?,
            messages,
        ),
        Command::Glossary { action } => match action {
            GlossaryCommand::Missing {
                tree,
                glossary,
                limit,
                out,
            } => glossary::missing(
                &tree.load(messages)?,
                &glossary.load()?,
                limit,
                out.as_deref(),
                messages,
            ),
            GlossaryCommand::Stats { tree, glossary } => {
                glossary::stats(&tree.load(messages)?, &glossary.load()?, messages)
            }
            GlossaryCommand::Check { file, root, index } => {
                let tree = match root {
                    Some(root) => Some(build::load(&root, index.as_deref(), messages)?),
                    None => None,
                };
                glossary::check(&file, tree.as_ref(), messages)
            }
            GlossaryCommand::Translate {
                tree,
                glossary,
                command,
                limit,
                timeout,
                out,
            } => {
                if !(timeout > 0.0 && timeout.is_finite()) {
                    anyhow::bail!("--timeout: give a positive number of seconds");
                }
                glossary::translate(
                    &tree.load(messages)?,
                    &glossary.load()?,
                    &glossary::TranslateArgs {
                        command: &command,
                        limit,
                        timeout: std::time::Duration::from_secs_f64(timeout),
                        out: &out,
                    },
                    messages,
                )
            }
        },
        Command::Dump { what, file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("{}", file.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            let out = match what {
                DumpWhat::Tree => cgloss_syntax::dump_tree(&text) + "\n",
                DumpWhat::Facts => {
                    cgloss_syntax::extract(&file.display().to_string(), &text).outline()
                }
            };
            std::io::stdout().lock().write_all(out.as_bytes())?;
            Ok(Status::Ok)
        }
    }
}

fn report(
    root: &std::path::Path,
    opts: &cgloss_report::Options<'_>,
    format: Format,
    index_arg: Option<&std::path::Path>,
    functions: &[String],
    with_source: bool,
    messages: &Messages,
) -> anyhow::Result<Status> {
    let mut lookup = lookup::Lookup::open(root, index_arg, messages)?;
    if lookup.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "cgloss: {}: no .c or .h files under this root",
            root.display()
        );
        return Ok(Status::NotFound);
    }
    let mut reports = Vec::new();
    let mut status = Status::Ok;
    for text in functions {
        let spec = lookup.spec(text);
        let found = lookup.with(&spec, messages, |found| {
            let before = reports.len();
            symbol_reports(
                found.index,
                &spec.name,
                spec.path.as_deref(),
                opts,
                &mut reports,
                &mut |p| found.text(p, messages),
                messages,
            );
            reports.len() > before
        })?;
        if !found {
            // Why nothing was found: the file does not exist, it does not
            // define the name (and where the name is defined), or no such
            // name at all.
            let _ = writeln!(std::io::stderr(), "cgloss: {}", lookup.not_found(&spec)?);
            status = Status::NotFound;
        }
    }
    let out = match format {
        Format::Json => cgloss_report::reports_to_json(&reports),
        Format::Text => reports
            .iter()
            .map(|r| r.to_text(with_source))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(status)
}

/// The `context` command: one function's bundle, Markdown or JSON.
fn context(
    root: &std::path::Path,
    index_arg: Option<&std::path::Path>,
    function: &str,
    budget: usize,
    format: ContextFormat,
    messages: &Messages,
) -> anyhow::Result<Status> {
    let glossary = cgloss_report::Glossary::builtin().clone();
    let opts = cgloss_report::Options::new(Lang::En, &glossary);
    let mut lookup = lookup::Lookup::open(root, index_arg, messages)?;
    let spec = lookup.spec(function);
    let Some(bundle) = lookup::context_bundle(&mut lookup, &spec, budget, &opts, messages)? else {
        let _ = writeln!(std::io::stderr(), "cgloss: {}", lookup.not_found(&spec)?);
        return Ok(Status::NotFound);
    };
    let out = match format {
        ContextFormat::Md => bundle.to_markdown(),
        ContextFormat::Json => bundle.to_json(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(Status::Ok)
}

/// The reports of what `name` names (in the file at `path` when given):
/// its function definitions; else its macros; else its type definitions
/// (`struct x`, `union x`, `enum x`, a typedef). `text_of` gives a file's
/// text by path.
fn symbol_reports(
    index: &cgloss_index::Index,
    name: &str,
    path: Option<&str>,
    opts: &cgloss_report::Options<'_>,
    out: &mut Vec<cgloss_report::Report>,
    text_of: &mut dyn FnMut(&str) -> Option<String>,
    messages: &Messages,
) {
    let ids = index.find_functions(name, path);
    if !ids.is_empty() {
        for id in ids {
            let Some(text) = text_of(index.path(id)) else {
                messages.skip(&format!("{}: could not be read again", index.path(id)));
                continue;
            };
            out.push(cgloss_report::Report::Function(render_one(
                index, id, &text, opts, messages,
            )));
        }
        return;
    }
    let macros = index.find_macros(name, path);
    if !macros.is_empty() {
        for (file, m) in macros {
            let path = &index.file(file).path;
            let definition = text_of(path)
                .map(|t| cgloss_report::context::definition_text(&t, m.line, 200))
                .unwrap_or_default();
            out.push(cgloss_report::Report::Macro(cgloss_report::render_macro(
                index,
                file,
                m,
                &definition,
                opts,
            )));
        }
        return;
    }
    for def in index.find_types(name, path) {
        out.push(cgloss_report::Report::Type(cgloss_report::render_type(
            index, def, opts,
        )));
    }
}

/// Lowers and renders one function whose file's text is `text`.
fn render_one(
    index: &cgloss_index::Index,
    id: cgloss_index::FnId,
    text: &str,
    opts: &cgloss_report::Options<'_>,
    messages: &Messages,
) -> cgloss_report::FunctionReport {
    let f = index.function(id);
    let body = cgloss_syntax::lower_function(text, f);
    for d in &body.diagnostics {
        messages.warn(&format!(
            "{}:{}: {} (in {})",
            index.path(id),
            d.line,
            d.message,
            f.name
        ));
    }
    cgloss_report::render(index, id, &body, opts)
}

/// `; did you mean: a, b, c` with up to five close names.
fn suggestions<'a>(names: impl Iterator<Item = &'a str>, name: &str) -> String {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|cand| {
            let c = cand.to_lowercase();
            let d = strsim::levenshtein(&lower, &c);
            let close = d <= (name.len() / 3).max(2);
            let contains =
                c.contains(&lower) || (lower.len() >= 4 && lower.contains(&c) && c.len() >= 4);
            (close || contains).then_some((if contains { d.min(1) } else { d }, cand))
        })
        .collect();
    scored.sort();
    let names: Vec<&str> = scored.iter().take(5).map(|(_, n)| *n).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}", names.join(", "))
    }
}
