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
//! Who may act: bound to a loopback address without accounts, the server acts
//! as the local git identity, as the command line does, and every form carries
//! a per-process CSRF token. With accounts (`accounts`), no page is readable
//! without signing in, commits are authored by the signed-in editor, each
//! session has its own CSRF token, and failed sign-ins are limited. Bound to
//! any other address it refuses to start without accounts.
//!
//! Uses `store`, `ops`, `review`, `publish` (the words and HTML pieces of the
//! site) and `git` (a record's version).

pub mod accounts;
mod actions;
mod live;
mod login;
mod pages;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use accounts::{Accounts, Sessions};

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "{0} is not a loopback address: a server others can reach needs accounts (--accounts FILE), so that nobody reads or writes without signing in"
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
    /// The repository, its records read once and again only after a change
    /// (see `live`), so what the pages show is what is on disk and in git now.
    live: Arc<live::Live>,
    /// The token every form must carry back without accounts (a random value
    /// for the life of the process), so another site cannot post forms to this one.
    csrf: Arc<String>,
    /// Accounts and sessions, for a server that needs signing in.
    auth: Option<Arc<Auth>>,
}

pub(crate) struct Auth {
    accounts: Accounts,
    sessions: Sessions,
    /// Whether cookies carry `Secure` (a shared server is reached over HTTPS,
    /// through a proxy that terminates it).
    secure: bool,
}

/// Who the request acts for, as the handlers see it.
#[derive(Clone)]
pub(crate) struct Who {
    /// The token this requester's forms carry.
    pub csrf: String,
    /// The author of its commits; `None` for git's own identity.
    pub author: Option<(String, String)>,
}

/// The session cookie's name.
const COOKIE: &str = "errata_session";

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
            axum::serve(
                listener,
                router(app).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        })?;
        Ok(())
    }
}

/// Bind the server for the repository at `root`. Without `accounts`, only a
/// loopback address.
pub fn bind(
    root: PathBuf,
    addr: SocketAddr,
    accounts: Option<Accounts>,
) -> Result<Bound, ServeError> {
    if !addr.ip().is_loopback() && accounts.is_none() {
        return Err(ServeError::NotLoopback(addr));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|source| ServeError::Bind { addr, source })?;
    let auth = accounts.map(|accounts| {
        Arc::new(Auth {
            accounts,
            sessions: Sessions::default(),
            secure: !addr.ip().is_loopback(),
        })
    });
    Ok(Bound {
        listener,
        runtime,
        app: App {
            live: Arc::new(live::Live::new(root)),
            csrf: Arc::new(accounts::token()),
            auth,
        },
    })
}

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/style.css", get(style))
        .route("/app.js", get(script))
        .route("/episodes/{id}", get(pages::episode))
        .route("/episodes/{id}/claims", post(actions::add))
        .route("/claims/{id}", get(pages::claim))
        .route("/claims/{id}/start", post(actions::start))
        .route("/claims/{id}/source", post(actions::source))
        .route("/claims/{id}/verdict", post(actions::verdict))
        .route("/owed", get(pages::owed))
        .route(
            "/corrections",
            get(pages::corrections).post(actions::correct),
        )
        .route("/problems", get(pages::problems))
        .route("/login", get(login::form).post(login::sign_in))
        .route("/logout", post(login::sign_out))
        .layer(axum::middleware::from_fn_with_state(app.clone(), who))
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(app)
}

/// The value of the session cookie in a request, if any.
pub(crate) fn session_cookie(req_headers: &axum::http::HeaderMap) -> Option<String> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Who a request acts for: with accounts, its session (else, but for the
/// sign-in page and the stylesheet, a redirect to sign in, or 401 for a form);
/// without, the local git identity and the process's token.
async fn who(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let open = matches!(req.uri().path(), "/login" | "/style.css" | "/app.js");
    let who = match &app.auth {
        None => Some(Who {
            csrf: app.csrf.to_string(),
            author: None,
        }),
        Some(auth) => session_cookie(req.headers())
            .and_then(|id| auth.sessions.get(&id))
            .map(|s| Who {
                csrf: s.csrf,
                author: Some((s.name, s.email)),
            }),
    };
    match who {
        Some(w) => {
            req.extensions_mut().insert(w);
            next.run(req).await
        }
        None if open => next.run(req).await,
        None if req.method() == axum::http::Method::GET => Redirect::to("/login").into_response(),
        None => (StatusCode::UNAUTHORIZED, "sign in first: /login").into_response(),
    }
}

/// The headers every response carries: no script may run, nothing may be
/// framed, forms go only back to this server.
async fn secure_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
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

/// The one script the pages load; they work without it.
const SCRIPT: &str = include_str!("app.js");

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        crate::publish::site::STYLE,
    )
}
