//! `cgloss serve`: the static site of a tree rendered on demand from its
//! index (every page byte for byte what `cgloss site` writes), identifier
//! and regex search, and a JSON API under `/api/v1/` (docs/api.md).
//!
//! The binary supplies the index through a `Host`. The server keeps one
//! `Snapshot` of it and swaps in a new one whole when the host says the
//! index changed (`Host::version`, polled), so no request sees a
//! half-updated index. Rendering runs on blocking threads, a bounded number
//! at once, each request under a deadline.
#![warn(missing_docs)]

mod grep;
mod names;
mod routes;
mod source;
mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use names::{Def, Names, NamesBuilder, KINDS};
pub use source::spans;
pub use state::{inside, App, Facts, Host, Loaded, Need, Settings, Snapshot, Whole, STALE};

/// Version of the JSON API (`/api/v1/`), reported by `GET /api/v1/`.
pub const API_VERSION: &str = "1.0";

/// Most requests handled at once (more wait for a slot).
const MAX_CONNECTIONS: usize = 256;

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address could not be bound.
    #[error("{addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("serving: {0}")]
    Serve(std::io::Error),
}

/// The router of one app (for in-process tests and for `serve`).
pub fn router(app: Arc<App>) -> axum::Router {
    axum::Router::new()
        .fallback(routes::handle)
        .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_CONNECTIONS))
        .with_state(app)
}

/// The bytes of the site's page at `path` (relative to the output folder)
/// in the current snapshot, or `None` when the site has no such page.
pub fn page(app: &App, path: &str) -> Option<Vec<u8>> {
    routes::render_page(app, &app.snapshot(), path).ok()
}

/// Serves `app` on `listener` until `shutdown` completes, looking for a
/// changed index every `Settings::poll`; `extra` routes (the binary's
/// `/mcp`) come before the site's.
pub async fn serve(
    app: Arc<App>,
    listener: tokio::net::TcpListener,
    extra: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let watcher = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(app.settings.poll);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let app = app.clone();
                let _ = tokio::task::spawn_blocking(move || app.reload_if_changed()).await;
            }
        })
    };
    let result = axum::serve(listener, extra.merge(router(app)))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(Error::Serve);
    watcher.abort();
    result
}

/// Binds `addr` and serves until Ctrl-C, on a runtime of its own;
/// `ready` is told the bound address first, and makes the `extra` routes.
pub fn run(
    app: Arc<App>,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr) -> axum::Router,
) -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Serve)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let bound = listener.local_addr().map_err(Error::Serve)?;
        let extra = ready(bound);
        serve(app, listener, extra, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })
}
