//! A cache of rendered pages, valid until the next write.
//!
//! A rendered page depends only on its address, the reader's language and
//! the data, so a `GET` answer is kept under a [`PageKey`]: the store's
//! counter of writes ([`capacity_store::Store::generation`]), the
//! language, the path and query. Any write makes every kept page
//! unreachable and the next reader renders afresh — cheaply, because what
//! pages are computed from is kept per assessment revision below this
//! cache (results in `Service::scored_many` and the store's
//! `assessment_result` table, comparisons in `service::compare::Computed`,
//! results pages' views in `service::results`): a save in one commune
//! costs the others' pages a render, not a computation. Only complete
//! `200` HTML answers without cookies are kept; server functions
//! (`/api/`), files and the health check pass through.
//!
//! Pages show who is logged in and what they may do, so the key also
//! holds whose page it is (the account id, 0 for visitors): a page kept
//! for one person is never served to another. A kept page's inline
//! scripts carry the nonce of the response that rendered it; served again,
//! that nonce is replaced by the new response's (the one its
//! Content-Security-Policy names, see `server::guard`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::routes::request_lang;
use crate::service::Service;

/// Pages kept at most (oldest dropped first).
const CAPACITY: usize = 512;
/// Larger pages are served but not kept.
const MAX_KEPT_BYTES: usize = 2 * 1024 * 1024;
/// Largest page read back from the renderer (far above any real page).
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// What a kept page is kept under; a page is the same for equal keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    /// The store's generation the page was rendered at.
    pub generation: u64,
    /// The reader's language.
    pub lang: capacity::Lang,
    /// Path and query string.
    pub target: String,
    /// Whose page it is: the account id, 0 for visitors (pages show who
    /// is logged in and what they may do).
    pub viewer: i64,
}

/// A kept page and the nonce its inline scripts carry.
type Kept = (Bytes, Arc<str>);

impl PageKey {
    /// The key of a request, at the store's generation now.
    pub fn of(state: &Service, req: &Request) -> PageKey {
        PageKey {
            viewer: req
                .extensions()
                .get::<crate::service::access::Actor>()
                .and_then(|a| a.account())
                .unwrap_or(0),
            generation: state.store.generation(),
            lang: request_lang(req.headers()),
            target: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned()),
        }
    }
}

type Key = PageKey;

/// The kept pages, and the turns to render one.
#[derive(Debug, Clone)]
pub struct PageCache {
    inner: Arc<Mutex<Pages>>,
    /// Pages rendered at once. Renders run on the async workers; past a
    /// few per core, more at once only make every request slower and
    /// keep `/health` and kept pages waiting behind them, so the others
    /// wait here, without taking a worker.
    renders: Arc<tokio::sync::Semaphore>,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
            renders: Arc::new(tokio::sync::Semaphore::new(2 * Service::cpu_slots())),
        }
    }
}

#[derive(Debug, Default)]
struct Pages {
    map: HashMap<Key, Kept>,
    order: VecDeque<Key>,
}

impl PageCache {
    fn get(&self, key: &Key) -> Option<Kept> {
        self.inner.lock().ok()?.map.get(key).cloned()
    }

    fn put(&self, key: Key, page: Kept) {
        let Ok(mut pages) = self.inner.lock() else {
            return;
        };
        // Pages of an older generation can never be asked for again.
        let generation = key.generation;
        if pages
            .order
            .front()
            .is_some_and(|k| k.generation != generation)
        {
            pages.map.clear();
            pages.order.clear();
        }
        if pages.map.insert(key.clone(), page).is_none() {
            pages.order.push_back(key);
        }
        while pages.order.len() > CAPACITY {
            if let Some(old) = pages.order.pop_front() {
                pages.map.remove(&old);
            }
        }
    }
}

fn cacheable(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && !path.starts_with("/lang/")
        && path != "/health"
        && !path.contains('.')
}

/// The middleware: answers from the cache or renders and keeps.
pub async fn pages(
    State((state, cache)): State<(Service, PageCache)>,
    req: Request,
    next: Next,
) -> Response {
    if !cacheable(&req) {
        return next.run(req).await;
    }
    let nonce = req
        .extensions()
        .get::<super::guard::CspNonce>()
        .map(|n| n.0.clone());
    let key = PageKey::of(&state, &req);
    if let Some((page, kept_nonce)) = cache.get(&key) {
        return html(with_nonce(page, &kept_nonce, nonce.as_deref()));
    }
    let Ok(_turn) = cache.renders.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let response = next.run(req).await;
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keep {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => {
            if bytes.len() <= MAX_KEPT_BYTES
                && let Some(nonce) = nonce
            {
                cache.put(key, (bytes.clone(), nonce));
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "page unreadable");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A kept page with its inline scripts' nonce `kept` replaced by `now`.
fn with_nonce(page: Bytes, kept: &str, now: Option<&str>) -> Bytes {
    match (now, std::str::from_utf8(&page)) {
        (Some(now), Ok(text)) if now != kept && !kept.is_empty() => {
            Bytes::from(text.replace(kept, now))
        }
        _ => page,
    }
}

fn html(page: Bytes) -> Response {
    let mut response = Response::new(Body::from(page));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
