//! Signing in and out of a shared `errata serve`: the form, the check of the
//! password against the accounts file (failed attempts limited per login and
//! per address), and the session cookie (HttpOnly, SameSite=Strict, Secure on
//! a server others reach).

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::pages::layout;
use super::{App, COOKIE, session_cookie};

#[derive(Deserialize)]
pub(crate) struct SignIn {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

fn page(message: Option<&str>) -> Markup {
    layout(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(m) = message { p.error { (m) } }
            form.action method="post" action="/login" {
                label { "Login" input type="text" name="login" autocomplete="username"; }
                label { "Password" input type="password" name="password" autocomplete="current-password"; }
                button type="submit" { "Sign in" }
            }
        },
    )
}

pub(crate) async fn form(State(app): State<App>) -> Response {
    if app.auth.is_none() {
        return Redirect::to("/").into_response();
    }
    page(None).into_response()
}

pub(crate) async fn sign_in(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<SignIn>,
) -> Response {
    let Some(auth) = app.auth.clone() else {
        return Redirect::to("/").into_response();
    };
    let ip = peer.ip().to_string();
    let keys = [f.login.as_str(), ip.as_str()];
    if !auth.sessions.may_try(&keys) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            page(Some(
                "Too many failed sign-ins: wait 15 minutes and try again.",
            )),
        )
            .into_response();
    }
    // Checking a hash is slow on purpose: off the async threads.
    let checked = {
        let auth = auth.clone();
        let (login, password) = (f.login.clone(), f.password.clone());
        tokio::task::spawn_blocking(move || auth.accounts.verify(&login, &password).cloned()).await
    };
    match checked {
        Ok(Some(account)) => {
            let id = auth.sessions.start(&account);
            let secure = if auth.secure { "; Secure" } else { "" };
            let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/{secure}");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Ok(None) => {
            auth.sessions.failed(&keys);
            (
                StatusCode::UNAUTHORIZED,
                page(Some("That login and password do not match an account.")),
            )
                .into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

pub(crate) async fn sign_out(State(app): State<App>, headers: HeaderMap) -> Response {
    if let (Some(auth), Some(id)) = (&app.auth, session_cookie(&headers)) {
        auth.sessions.end(&id);
    }
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}
