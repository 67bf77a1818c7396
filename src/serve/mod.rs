//! `errata serve`: the desk in a browser. A local web server (axum on tokio)
//! whose pages are rendered on the server (maud, checked at compile time) and
//! work without JavaScript, under a strict Content-Security-Policy. Every
//! action is one of errata's own operations (`ops`), with their checks, their
//! one-commit-per-change rule, their messages and trailers, and the same
//! write lock and retry-on-a-moved-branch path as the command line: nothing
//! here writes a record itself. A form carries the version of the record it
//! was rendered from, and is refused, with both versions shown, when the
//! record changed since.
//!
//! Who may act: bound to a loopback address the server acts as the local git
//! identity, as the command line does; bound to any other address it refuses
//! to start (accounts for a shared server are not built yet). Every form
//! carries a per-process CSRF token.
//!
//! Uses `store`, `ops`, `review`, `publish` (the words and HTML pieces of the
//! site) and `git` (a record's version).

mod actions;
mod pages;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "{0} is not a loopback address: a server others can reach needs accounts, which errata serve does not have yet"
    )]
    NotLoopback(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the web server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request handler shares.
#[derive(Clone)]
pub(crate) struct App {
    /// The repository's top folder; each request opens the store afresh, so
    /// what the pages show is always what is on disk and in git now.
    root: PathBuf,
    /// The token every form must carry back (a random value for the life of
    /// the process), so another site cannot post forms to this one.
    csrf: Arc<String>,
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    listener: tokio::net::TcpListener,
    runtime: tokio::runtime::Runtime,
    app: App,
}

impl Bound {
    /// Where it listens (the port chosen by the system when 0 was asked for).
    pub fn addr(&self) -> Result<SocketAddr, ServeError> {
        Ok(self.listener.local_addr()?)
    }

    /// Serve until the process is stopped (Ctrl-C ends it cleanly).
    pub fn run(self) -> Result<(), ServeError> {
        let Bound {
            listener,
            runtime,
            app,
        } = self;
        runtime.block_on(async move {
            axum::serve(listener, router(app))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        })?;
        Ok(())
    }
}

/// Bind the server for the repository at `root`; only loopback addresses.
pub fn bind(root: PathBuf, addr: SocketAddr) -> Result<Bound, ServeError> {
    if !addr.ip().is_loopback() {
        return Err(ServeError::NotLoopback(addr));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|source| ServeError::Bind { addr, source })?;
    let csrf: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..32)
            .map(|_| format!("{:02x}", rng.random::<u8>()))
            .collect()
    };
    Ok(Bound {
        listener,
        runtime,
        app: App {
            root,
            csrf: Arc::new(csrf),
        },
    })
}

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/style.css", get(style))
        .route("/episodes/{id}", get(pages::episode))
        .route("/episodes/{id}/claims", post(actions::add))
        .route("/claims/{id}", get(pages::claim))
        .route("/claims/{id}/start", post(actions::start))
        .route("/claims/{id}/source", post(actions::source))
        .route("/claims/{id}/verdict", post(actions::verdict))
        .route("/owed", get(pages::owed))
        .route("/problems", get(pages::problems))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

/// The headers every response carries: no script may run, nothing may be
/// framed, forms go only back to this server.
async fn secure_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        crate::publish::site::STYLE,
    )
}
