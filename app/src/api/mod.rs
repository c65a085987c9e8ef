//! Server functions, grouped by resource, and the types they exchange
//! (re-exported from [`crate::view`]). Each one is a thin wrapper: it takes
//! the request's arguments, calls one operation of the service layer
//! ([`crate::service`]), sets the HTTP status of an error
//! ([`AppError::status`]) and, for a plain form post (JavaScript off),
//! answers with a redirect to the page to show next. No business rule and no
//! authorisation decision lives here.

pub mod accounts;
pub mod campaigns;
pub mod communes;
pub mod compare;
pub mod plan;
pub mod register;
pub mod results;
pub mod rubrics;
pub mod verification;
pub mod workshop;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::error::{AppError, CommuneNow, FieldProblem, Problem, RatingNow};

/// The service of the current request (put in the Leptos context by the
/// server for every page render and server-function call).
#[cfg(feature = "ssr")]
pub(crate) fn service() -> Result<crate::service::Service, AppError> {
    use_context::<crate::service::Service>()
        .ok_or_else(|| AppError::Internal("service missing from the request context".to_owned()))
}

/// The person behind the current request, as the server's session layer
/// found them (`server::auth::actor` puts it in the request); a visitor
/// when there is no request (never expected).
#[cfg(feature = "ssr")]
pub(crate) fn actor() -> crate::service::access::Actor {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::service::access::Actor>().cloned())
        .unwrap_or_default()
}

/// Passes a result through, setting the response's HTTP status (and
/// `Retry-After` for a busy server) when it is an error: the one place where
/// server functions and pages turn [`AppError`] into a status.
#[cfg(feature = "ssr")]
///
/// A plain form post (JavaScript off) that fails is sent back to the page it
/// came from, with the error kept for that page under a token
/// (`?erreur=TOKEN`, shown by `ui::layout::FormErrorBanner`), instead of
/// an error body a browser would show bare.
#[cfg(feature = "ssr")]
pub(crate) fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if plain_form_post() {
            back_with_error(e.clone(), std::collections::BTreeMap::new());
        } else {
            set_status(e);
        }
    }
    result
}

/// Answers a form's server function: for a plain form post, a redirect to
/// `next(&value)` on success, or back to the form's page with the error
/// and the fields as `typed` on failure; for other clients the value, or
/// the error with its status ([`respond`]).
#[cfg(feature = "ssr")]
pub(crate) fn form_answer<T>(
    result: Result<T, AppError>,
    next: impl FnOnce(&T) -> String,
    typed: std::collections::BTreeMap<String, String>,
) -> Result<T, AppError> {
    match result {
        Ok(value) => {
            if plain_form_post() {
                leptos_axum::redirect(&next(&value));
            }
            Ok(value)
        }
        Err(e) if plain_form_post() => {
            back_with_error(e.clone(), typed);
            Err(e)
        }
        Err(e) => respond(Err(e)),
    }
}

/// Sends a plain form post back to the page it came from (its `Referer`,
/// when it is a page of this site; else the home page) with `error` and the
/// typed fields kept for it under a token.
#[cfg(feature = "ssr")]
pub(crate) fn back_with_error(error: AppError, typed: std::collections::BTreeMap<String, String>) {
    let Ok(service) = service() else {
        return;
    };
    if matches!(error, AppError::Internal(_)) {
        tracing::error!(error = %error, "plain form post failed");
    }
    // The write is finished by the server before the redirect leaves
    // (`server::http::pending_writes`), so any server on the database
    // can show the page it opens.
    let pending = use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::service::flash::PendingWrites>()
            .cloned()
    });
    let token = service.keep_form_error(crate::error::FormError { error, typed }, pending.as_ref());
    let back = use_context::<axum::http::request::Parts>()
        .and_then(|p| same_site_referer(&p.headers))
        .unwrap_or_else(|| "/".to_owned());
    leptos_axum::redirect(&with_error_token(&back, &token));
}

/// The path and query of the `Referer` when it names a page of this site
/// (same host), so that a redirect never leaves it.
#[cfg(feature = "ssr")]
fn same_site_referer(headers: &axum::http::HeaderMap) -> Option<String> {
    use axum::http::{Uri, header};
    let referer: Uri = headers.get(header::REFERER)?.to_str().ok()?.parse().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if referer.authority().map(|a| a.as_str()) != Some(host) {
        return None;
    }
    let pq = referer.path_and_query()?.as_str();
    pq.starts_with('/').then(|| pq.to_owned())
}

/// `path` with `erreur=token` as its only error token (an earlier one is
/// dropped).
#[cfg(feature = "ssr")]
fn with_error_token(path: &str, token: &str) -> String {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("erreur="))
        .collect();
    let param = format!("erreur={token}");
    pairs.push(&param);
    format!("{path}?{}", pairs.join("&"))
}

/// The error of an earlier plain form post, by the token in `?erreur=`.
#[server(endpoint = "load_form_error")]
pub async fn load_form_error(
    /// The token.
    token: String,
) -> Result<Option<crate::error::FormError>, AppError> {
    let result = match service() {
        Ok(s) => Ok(s.form_error(&token).await),
        Err(e) => Err(e),
    };
    respond(result)
}

/// The kept error of a refused plain form post, by the token of the
/// page's `?erreur=` (`None` without a token, or when it is unknown).
pub async fn kept_form_error(token: String) -> Option<crate::error::FormError> {
    if token.is_empty() {
        return None;
    }
    load_form_error(token).await.ok().flatten()
}

/// Sets the status of the response being built to the one of `error`.
#[cfg(feature = "ssr")]
pub(crate) fn set_status(error: &AppError) {
    use axum::http::{HeaderValue, StatusCode, header};
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if matches!(error, AppError::Busy(_)) {
            options.insert_header(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
    }
}

/// True when the request is a plain form post (no JavaScript): the answer is
/// then a redirect to a page, not data.
#[cfg(feature = "ssr")]
pub(crate) fn plain_form_post() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|p| {
        // A page being rendered (GET) answers with its status, never a
        // redirect: only a posted form is sent back to its page.
        p.method == axum::http::Method::POST
            && p.headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
}

/// What the server says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAbout {
    /// The server's package version.
    pub version: String,
}

/// Server version: a cheap round trip that tells the page the server answers.
#[server(endpoint = "server_info")]
pub async fn server_info() -> Result<ServerAbout, AppError> {
    Ok(ServerAbout {
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
