//! The HTTP layers every request goes through, outermost first: a request
//! id (`x-request-id`, made here unless a trusted proxy set one) on the
//! request, the response and every log line of the request; one log line
//! per request; a panic caught and answered with a 500 page naming the
//! request id instead of a dropped connection; and the status of a failed
//! server function set from its error kind
//! ([`crate::error::AppError::status`]), which server functions cannot do
//! for themselves when the failure happens before they run (undecodable
//! arguments, a body over the limit); and the writes a request started
//! for the page its redirect opens (flash values) finished before the
//! answer leaves ([`pending_writes`]), so that another server on the same
//! database can serve that page.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::middleware::Next;
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::error::AppError;

/// The request-id header.
pub const REQUEST_ID: &str = "x-request-id";

/// Request ids: a per-process random prefix and a counter, short enough to
/// read out over the phone.
#[derive(Clone, Debug)]
pub struct Ids {
    prefix: u32,
    next: std::sync::Arc<AtomicU64>,
}

impl Default for Ids {
    fn default() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(u64::from(std::process::id()));
        Self {
            prefix: (h.finish() & 0xffff_ffff) as u32,
            next: std::sync::Arc::default(),
        }
    }
}

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// The id of a request (empty when none).
pub fn request_id<B>(req: &axum::http::Request<B>) -> &str {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The tracing span of a request: every log line written while handling it
/// carries its id, method and path.
pub fn span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        id = %request_id(req),
        method = %req.method(),
        path = %req.uri().path(),
    )
}

/// The one line logged per request, at `info`.
pub fn log_response<B>(res: &Response<B>, latency: Duration, _: &tracing::Span) {
    tracing::info!(
        status = res.status().as_u16(),
        ms = latency.as_secs_f64() * 1000.0,
        "served"
    );
}

/// What a panic while handling a request answers: a plain 500 page with the
/// request id to quote, logged with the panic's message.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %message, "request handler panicked");
    let body = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Erreur du serveur</title></head>\
        <body><h1>Erreur du serveur / Server error</h1>\
        <p>La demande n'a pas abouti ; rien n'a été perdu de ce qui était déjà enregistré. \
        Réessayez, et si cela se reproduit, signalez l'heure de l'erreur à l'administrateur.</p>\
        <p>The request failed; nothing already saved was lost. Try again, and if it happens again, \
        tell the administrator the time of the error.</p></body></html>";
    html_page(StatusCode::INTERNAL_SERVER_ERROR, body)
}

/// A fixed HTML page with `status`.
fn html_page(status: StatusCode, body: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// Outside the session layers: a `500` they made themselves (no
/// [`SessionRead`](crate::session::SessionRead) mark: the session could
/// not be read or saved, which only a database away for a moment does)
/// becomes a `503` with `Retry-After`, like every other request that
/// meets the database away, instead of their empty `500`.
///
/// A server function (`/api/…`) gets the JSON of an [`AppError::Busy`], as
/// every other 503 of theirs, so the hydrated page retries it as it
/// retries those; a page gets a short page saying so.
pub async fn session_unavailable(req: Request, next: Next) -> Response<Body> {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || response
            .extensions()
            .get::<crate::session::SessionRead>()
            .is_some()
    {
        return response;
    }
    tracing::warn!("the session could not be read or saved: answered 503");
    if is_api {
        let error = AppError::Busy(
            "the database does not answer just now (the session could not be read or saved): \
             try again in a moment"
                .to_owned(),
        );
        return Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::RETRY_AFTER, "1")
            .body(Body::from(serde_json::to_vec(&error).unwrap_or_default()))
            .unwrap_or_else(|_| Response::new(Body::empty()));
    }
    let body = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Service momentanément indisponible</title></head>\
        <body><h1>Service momentanément indisponible / Service unavailable for a moment</h1>\
        <p>La base de données ne répond pas pour l'instant. Réessayez dans un instant, après avoir rechargé la page.</p>\
        <p>The database does not answer just now. Try again in a moment, after reloading the page.</p></body></html>";
    let mut page = html_page(StatusCode::SERVICE_UNAVAILABLE, body);
    page.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    page
}

/// The largest error body read back to find its status.
const ERROR_BODY_MAX: usize = 64 * 1024;

/// Gives a failed server function (`/api/…`, status 500 as the framework
/// answers every error) the status of its error kind.
pub async fn server_fn_status(req: Request, next: Next) -> Response<Body> {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ERROR_BODY_MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(parts.status);
        if matches!(error, AppError::Busy(_)) {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Puts a [`PendingWrites`](crate::service::flash::PendingWrites) in the
/// request and waits for the writes it collected before the answer
/// leaves: a redirect to `?erreur=TOKEN` is sent only once the value of
/// the token is in the database.
pub async fn pending_writes(mut req: Request, next: Next) -> Response<Body> {
    let pending = crate::service::flash::PendingWrites::default();
    req.extensions_mut().insert(pending.clone());
    let res = next.run(req).await;
    pending.finish().await;
    res
}

/// Resolves when the process is asked to stop: Ctrl-C or SIGTERM (what
/// systemd and container runtimes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in progress");
}
