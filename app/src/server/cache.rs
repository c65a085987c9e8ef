//! A cache of rendered pages, valid until the next write.
//!
//! A rendered page depends only on its address, the reader's language and
//! the data, so a `GET` answer is kept under a [`PageKey`]: the state of
//! the data it shows ([`DataKey`]: the store's counter of writes,
//! [`capacity_store::Store::generation`], or for a results page the
//! revisions of the assessments it shows), the language, the path and
//! query. A write makes every generation-keyed page unreachable, and
//! a results page when it touches one of its assessments; the next reader
//! renders afresh — cheaply, because what
//! pages are computed from is kept per assessment revision below this
//! cache (results in `Service::scored_many` and the store's
//! `assessment_result` table, comparisons in `service::compare::Computed`,
//! results pages' views in `service::results`): a save in one commune
//! costs the others' pages a render, not a computation. Only complete
//! `200` HTML answers without cookies are kept; server functions
//! (`/api/`), files and the health check pass through.
//!
//! Requests for a page that is not kept while it is being rendered wait
//! for that render and take its page (one render for many readers
//! arriving at once after a write, not one each); if the answer is not
//! kept, each renders its own.
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
use tokio::sync::watch;

use super::routes::request_lang;
use crate::service::Service;

/// Pages kept at most (oldest dropped first).
const CAPACITY: usize = 512;
/// Bytes of pages kept at most (oldest dropped first): addresses are the
/// reader's to choose, so new query strings must not grow the cache past
/// this.
const KEPT_BYTES: usize = 64 * 1024 * 1024;
/// Larger pages are served but not kept.
const MAX_KEPT_BYTES: usize = 2 * 1024 * 1024;
/// Largest page read back from the renderer (far above any real page).
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// What a kept page is kept under; a page is the same for equal keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    /// The data the page was rendered from.
    pub data: DataKey,
    /// The reader's language.
    pub lang: capacity::Lang,
    /// Path and query string.
    pub target: String,
    /// Whose page it is: the account id and the version of its roles
    /// (`(0, 0)` for visitors): pages show who is logged in and what they
    /// may do.
    pub viewer: (i64, i64),
}

/// The store's generation the page cache read for a `GET` page before its
/// render (a request extension): the render's header lists use it
/// instead of reading it again (`Service::at_generation`), so a page
/// costs one read of the generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownGeneration(pub u64);

/// A kept page and where the nonce its inline scripts carry stands in it,
/// found once when the page is kept: a page served again gets the new
/// response's nonce spliced in, one copy and no search.
#[derive(Debug, Clone)]
struct Kept {
    page: Bytes,
    /// The nonce's length.
    nonce: usize,
    /// Where each occurrence of the nonce starts.
    at: Arc<[usize]>,
}

impl Kept {
    fn new(page: Bytes, nonce: &str) -> Kept {
        let at = match std::str::from_utf8(&page) {
            Ok(text) if !nonce.is_empty() => text.match_indices(nonce).map(|(i, _)| i).collect(),
            _ => Arc::default(),
        };
        Kept {
            page,
            nonce: nonce.len(),
            at,
        }
    }

    fn len(&self) -> usize {
        self.page.len()
    }

    /// The page with `now` where the kept nonce was.
    fn with_nonce(&self, now: Option<&str>) -> Bytes {
        let Some(now) = now.filter(|_| !self.at.is_empty()) else {
            return self.page.clone();
        };
        let mut out = Vec::with_capacity(self.page.len() + self.at.len() * now.len());
        let mut from = 0;
        for &at in self.at.iter() {
            out.extend_from_slice(self.page.get(from..at).unwrap_or_default());
            out.extend_from_slice(now.as_bytes());
            from = at + self.nonce;
        }
        out.extend_from_slice(self.page.get(from..).unwrap_or_default());
        Bytes::from(out)
    }
}

/// Which state of the data a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataKey {
    /// Any page: the store's generation, which every write (through any
    /// server on the database) moves.
    Generation(u64),
    /// A results page (`/evaluations/{id}/resultats`), which shows one
    /// assessment and the round it is compared with: their revisions
    /// ([`crate::service::results::page_revisions`]), which only writes
    /// to those two move, so saves in other communes leave it kept.
    Assessment(i64, i64, Option<(i64, i64)>),
}

impl PageKey {
    /// The key of a request, for the data as they are now (`None` when
    /// the database cannot say: the page is then rendered and not kept).
    pub fn of(
        state: &Service,
        req: &Request,
    ) -> impl Future<Output = Option<PageKey>> + Send + use<> {
        let lang = request_lang(req.headers());
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
        let results = results_page(req.uri().path());
        // Whose page, at which version of their roles: a role taken back
        // leaves no page of that person's reachable, even one keyed on an
        // assessment's revision (no write to it moves that key).
        let viewer = req
            .extensions()
            .get::<crate::service::access::Actor>()
            .and_then(|a| a.me.as_ref().map(|m| (m.id, m.version)))
            .unwrap_or((0, 0));
        let state = state.clone();
        async move {
            // Read before the page is rendered: a write finishing meanwhile
            // changes the key, so what is kept is never taken for newer
            // than it is. The state is read from the database, so a write
            // through another server on it is seen on the next request.
            let revisions = match results {
                Some(id) => crate::service::results::page_revisions(&state, id)
                    .await
                    .ok()
                    .flatten()
                    .map(|(revision, previous)| DataKey::Assessment(id, revision, previous)),
                None => None,
            };
            let data = match revisions {
                Some(data) => data,
                None => match state.generation().await {
                    Ok(generation) => DataKey::Generation(generation),
                    Err(e) => {
                        tracing::warn!(error = %e, "page not cached: no generation");
                        return None;
                    }
                },
            };
            Some(PageKey {
                data,
                lang,
                target,
                viewer,
            })
        }
    }
}

/// The assessment id of a results page's path.
fn results_page(path: &str) -> Option<i64> {
    path.strip_prefix("/evaluations/")?
        .strip_suffix("/resultats")?
        .parse()
        .ok()
}

type Key = PageKey;

/// The kept pages, the renders in progress, and the turns to render one.
#[derive(Debug, Clone)]
pub struct PageCache {
    inner: Arc<Mutex<Pages>>,
    /// The pages being rendered now, by key: a request for one waits for
    /// that render and takes its answer instead of rendering the same page
    /// again (many readers arriving at once for a page nobody has asked
    /// for since the last write cost one render, not one each). The value
    /// wakes the waiting requests when the render ends, kept or not.
    rendering: Arc<Mutex<HashMap<Key, watch::Receiver<()>>>>,
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
            rendering: Arc::default(),
            renders: Arc::new(tokio::sync::Semaphore::new(2 * Service::cpu_slots())),
        }
    }
}

/// What a request for a page that is not kept does.
#[derive(Debug)]
enum Turn {
    /// The page, rendered meanwhile by the request that was rendering it.
    Kept(Kept),
    /// Render it: no other request is rendering it. The others that ask
    /// for it meanwhile wait until this is dropped (after the page is
    /// kept, or when the render fails or is abandoned).
    Lead(Lead),
    /// Render it alone: the render this request waited for ended without
    /// a page to keep (an answer that is not kept: an error, a redirect,
    /// a new cookie), so the others render theirs at once, as they would
    /// have without waiting.
    Alone,
}

/// The turn of the request rendering a page; dropped, it wakes the
/// requests waiting for that page.
#[derive(Debug)]
struct Lead {
    key: Key,
    rendering: Arc<Mutex<HashMap<Key, watch::Receiver<()>>>>,
    /// Dropped after the key has left `rendering`: the receivers' `changed`
    /// then returns.
    _done: watch::Sender<()>,
}

impl Drop for Lead {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.rendering.lock() {
            rendering.remove(&self.key);
        }
    }
}

#[derive(Debug, Default)]
struct Pages {
    map: HashMap<Key, Kept>,
    order: VecDeque<Key>,
    /// Bytes of the pages in `map`.
    bytes: usize,
    /// The generation of the generation-keyed pages kept.
    generation: u64,
}

impl PageCache {
    fn get(&self, key: &Key) -> Option<Kept> {
        self.inner.lock().ok()?.map.get(key).cloned()
    }

    /// The turn of a request for `key`, not kept when it arrived: lead
    /// its render, or wait for the one in progress and take its page.
    async fn turn(&self, key: &Key) -> Turn {
        let waiting = {
            let Ok(mut rendering) = self.rendering.lock() else {
                return Turn::Alone;
            };
            match rendering.get(key) {
                Some(done) => done.clone(),
                None => {
                    let (done, waiting) = watch::channel(());
                    rendering.insert(key.clone(), waiting);
                    return Turn::Lead(Lead {
                        key: key.clone(),
                        rendering: Arc::clone(&self.rendering),
                        _done: done,
                    });
                }
            }
        };
        let mut waiting = waiting;
        // Nothing is ever sent: this returns when the leader's sender is
        // dropped, even if that happened before this call.
        let _ = waiting.changed().await;
        match self.get(key) {
            Some(page) => Turn::Kept(page),
            None => Turn::Alone,
        }
    }

    fn put(&self, key: Key, page: Kept) {
        let Ok(mut pages) = self.inner.lock() else {
            return;
        };
        // Pages of an older generation can never be asked for again.
        if let DataKey::Generation(generation) = key.data
            && pages.generation != generation
        {
            pages.generation = generation;
            let Pages {
                map, order, bytes, ..
            } = &mut *pages;
            order.retain(|k| !matches!(k.data, DataKey::Generation(_)));
            map.retain(|k, page| {
                let keep = !matches!(k.data, DataKey::Generation(_));
                if !keep {
                    *bytes -= page.len();
                }
                keep
            });
        }
        pages.bytes += page.len();
        match pages.map.insert(key.clone(), page) {
            Some(old) => pages.bytes -= old.len(),
            None => pages.order.push_back(key),
        }
        while pages.order.len() > CAPACITY || pages.bytes > KEPT_BYTES {
            let Some(old) = pages.order.pop_front() else {
                break;
            };
            if let Some(page) = pages.map.remove(&old) {
                pages.bytes -= page.len();
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
    mut req: Request,
    next: Next,
) -> Response {
    if !cacheable(&req) {
        return next.run(req).await;
    }
    let nonce = req
        .extensions()
        .get::<super::guard::CspNonce>()
        .map(|n| n.0.clone());
    let Some(key) = PageKey::of(&state, &req).await else {
        return next.run(req).await;
    };
    if let Some(page) = cache.get(&key) {
        return html(page.with_nonce(nonce.as_deref()));
    }
    // Held until the page is kept (or not): others asking for it meanwhile
    // wait for it.
    let _lead = match cache.turn(&key).await {
        Turn::Kept(page) => return html(page.with_nonce(nonce.as_deref())),
        Turn::Lead(lead) => Some(lead),
        Turn::Alone => None,
    };
    if let DataKey::Generation(generation) = key.data {
        req.extensions_mut().insert(KnownGeneration(generation));
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
                cache.put(key, Kept::new(bytes.clone(), &nonce));
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::error!(error = %e, "page unreadable");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
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

#[cfg(test)]
mod tests {
    use super::{Bytes, DataKey, KEPT_BYTES, Kept, PageCache, PageKey, Turn, results_page};
    use std::time::Duration;

    fn key(n: usize, data: DataKey) -> PageKey {
        PageKey {
            data,
            lang: capacity::Lang::Fr,
            target: format!("/evaluations/1/resultats?n={n}"),
            viewer: (0, 0),
        }
    }

    #[test]
    fn kept_pages_stay_within_their_bytes_whatever_the_addresses_asked_for() {
        let cache = PageCache::default();
        let page = Bytes::from(vec![b'x'; 1024 * 1024]);
        let many = KEPT_BYTES / page.len() + 20;
        for n in 0..many {
            cache.put(
                key(n, DataKey::Assessment(1, 1, None)),
                Kept::new(page.clone(), "n"),
            );
        }
        let pages = cache.inner.lock().expect("lock");
        assert!(pages.bytes <= KEPT_BYTES, "{} bytes kept", pages.bytes);
        assert_eq!(pages.bytes, pages.map.len() * page.len());
        assert_eq!(pages.map.len(), pages.order.len());
        drop(pages);
        // The newest are kept, the oldest gone.
        let newest = key(many - 1, DataKey::Assessment(1, 1, None));
        assert!(cache.get(&newest).is_some());
        assert!(
            cache
                .get(&key(0, DataKey::Assessment(1, 1, None)))
                .is_none()
        );
        // A new generation drops the pages of the older one and their bytes.
        cache.put(key(0, DataKey::Generation(1)), Kept::new(page.clone(), "n"));
        cache.put(key(1, DataKey::Generation(2)), Kept::new(page.clone(), "n"));
        let pages = cache.inner.lock().expect("lock");
        assert_eq!(pages.bytes, pages.map.len() * page.len());
    }

    /// `n` requests for `key` asking for their turn while another request
    /// leads its render, each answering its turn.
    fn followers(cache: &PageCache, key: &PageKey, n: usize) -> Vec<tokio::task::JoinHandle<Turn>> {
        (0..n)
            .map(|_| {
                let (cache, key) = (cache.clone(), key.clone());
                tokio::spawn(async move { cache.turn(&key).await })
            })
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn requests_for_a_page_being_rendered_wait_and_take_its_page() {
        let cache = PageCache::default();
        let page = key(1, DataKey::Assessment(1, 1, None));
        let Turn::Lead(lead) = cache.turn(&page).await else {
            panic!("the first request for a page not kept renders it");
        };
        // Another page is not held up by this render.
        let other = key(2, DataKey::Assessment(1, 1, None));
        assert!(matches!(cache.turn(&other).await, Turn::Lead(_)));
        let waiting = followers(&cache, &page, 32);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            waiting.iter().all(|w| !w.is_finished()),
            "requests for a page being rendered wait for it"
        );
        cache.put(page.clone(), Kept::new(Bytes::from("<p>n</p>"), "n"));
        drop(lead);
        for w in waiting {
            match w.await.expect("task") {
                Turn::Kept(kept) => assert_eq!(kept.page, Bytes::from("<p>n</p>")),
                other => panic!("a waiting request answered {other:?}, not the page kept"),
            }
        }
        // Done: the next request after a write renders again.
        let next = key(1, DataKey::Assessment(1, 2, None));
        assert!(matches!(cache.turn(&next).await, Turn::Lead(_)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_render_that_keeps_nothing_lets_the_waiting_requests_render_theirs() {
        let cache = PageCache::default();
        let page = key(1, DataKey::Generation(7));
        let Turn::Lead(lead) = cache.turn(&page).await else {
            panic!("the first request for a page not kept renders it");
        };
        let waiting = followers(&cache, &page, 8);
        tokio::time::sleep(Duration::from_millis(20)).await;
        // An answer not kept (an error, a redirect) or a request abandoned
        // mid-render: the turn ends all the same.
        drop(lead);
        for w in waiting {
            assert!(matches!(w.await.expect("task"), Turn::Alone));
        }
        // Nobody is left rendering it.
        assert!(matches!(cache.turn(&page).await, Turn::Lead(_)));
    }

    #[test]
    fn a_kept_page_gets_the_new_nonce_wherever_the_old_one_stood() {
        let page = "<script nonce=\"abc\">1</script><p>abcd</p><script nonce=\"abc\">2</script>";
        let kept = Kept::new(Bytes::from(page), "abc");
        assert_eq!(
            kept.with_nonce(Some("XYZW1")),
            page.replace("abc", "XYZW1").as_bytes()
        );
        assert_eq!(
            kept.with_nonce(Some("Q")),
            page.replace("abc", "Q").as_bytes()
        );
        // No new nonce, or a page without the old one: the page as kept.
        assert_eq!(kept.with_nonce(None), page.as_bytes());
        let plain = Kept::new(Bytes::from("<p>no script</p>"), "abc");
        assert_eq!(plain.with_nonce(Some("XYZ")), "<p>no script</p>".as_bytes());
        // Nonce at both ends.
        let ends = Kept::new(Bytes::from("abc-abc"), "abc");
        assert_eq!(ends.with_nonce(Some("n")), "n-n".as_bytes());
    }

    #[test]
    fn results_pages_are_known_by_their_path() {
        assert_eq!(results_page("/evaluations/42/resultats"), Some(42));
        assert_eq!(results_page("/evaluations/42/plan"), None);
        assert_eq!(results_page("/evaluations/x/resultats"), None);
        assert_eq!(results_page("/evaluations/42/resultats/extra"), None);
        assert_eq!(results_page("/comparer"), None);
    }
}
