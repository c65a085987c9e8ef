//! Cross-site request refusal and the security headers of every answer.
//!
//! **Cross-site requests.** Every state-changing request (any method but
//! `GET`, `HEAD` and `OPTIONS`: server functions and plain form posts, with
//! or without JavaScript) must come from a page of this site: when the
//! browser says where it comes from (`Sec-Fetch-Site`, sent by every
//! current browser) it must be `same-origin` (or `none`, a request the
//! person made themselves); else its `Origin`, when present, must be this
//! server's own (same host and port). Anything else answers 403 before
//! the request reaches a session, a handler or the database. A request
//! with neither header does not come from a current browser's page (an
//! old browser, or a script of the person's own); the `SameSite=Lax`
//! session cookie is the second wall: a cross-site post carries no
//! session, so it meets the login check.
//!
//! **Headers.** A Content-Security-Policy allowing only this site's own
//! scripts, styles, images and connections, Leptos' inline hydration
//! script by a per-response nonce ([`CspNonce`], given to Leptos in place
//! of its own so the page and the header agree), WebAssembly, and no
//! framing (`frame-ancestors 'none'`); `X-Content-Type-Options: nosniff`;
//! `Referrer-Policy: same-origin`. A handler that sets its own policy (the
//! self-contained printable report) keeps it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use axum::middleware::Next;
use rand::RngCore;

/// The nonce of one response's inline scripts.
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

impl CspNonce {
    /// A new random nonce (128 bits, hex).
    pub fn new() -> CspNonce {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        CspNonce(hex::encode(bytes).into())
    }
}

impl Default for CspNonce {
    fn default() -> Self {
        CspNonce::new()
    }
}

/// The policy of the app's pages with `nonce`.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of a self-contained document (the printable report: inline
/// styles and SVG, no script at all).
pub const DOCUMENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Why a request is refused as cross-site, `None` when it is not.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => None,
            _ => Some("the request comes from another site (Sec-Fetch-Site)"),
        };
    }
    let origin = value("origin")?;
    let host = value("host").unwrap_or_default();
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match origin_host {
        Some(h) if !host.is_empty() && h.eq_ignore_ascii_case(host) => None,
        _ => Some("the request comes from another site (Origin)"),
    }
}

/// The middleware: refuses cross-site writes, gives the request its
/// nonce, and adds the security headers to the answer.
pub async fn guard(mut req: Request, next: Next) -> Response<Body> {
    if let Some(why) = cross_site(req.method(), req.headers()) {
        tracing::warn!(reason = why, "cross-site request refused");
        return refused(why);
    }
    let nonce = CspNonce::new();
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(v) = HeaderValue::from_str(&policy(&nonce.0))
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// The 403 answer of a cross-site request, in both languages.
fn refused(why: &str) -> Response<Body> {
    let body = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Refusé</title></head>\
         <body><h1>Demande refusée / Request refused</h1>\
         <p>Cette demande ne vient pas d'une page de ce site : rien n'a été modifié. \
         Ouvrez la page du site et recommencez.</p>\
         <p>This request does not come from a page of this site: nothing was changed. \
         Open the site's page and try again.</p><p><small>{why}</small></p></body></html>"
    );
    Response::builder()
        .status(StatusCode::FORBIDDEN)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn writes_from_other_sites_are_refused_reads_are_not() {
        let post = Method::POST;
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[("sec-fetch-site", "same-origin")], false),
            (&[("sec-fetch-site", "none")], false),
            (&[("sec-fetch-site", "cross-site")], true),
            (&[("sec-fetch-site", "same-site")], true),
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://127.0.0.1:3000"),
                ],
                false,
            ),
            (
                &[("host", "example.org"), ("origin", "https://example.org")],
                false,
            ),
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://evil.example"),
                ],
                true,
            ),
            (&[("host", "127.0.0.1:3000"), ("origin", "null")], true),
            (
                &[
                    ("host", "127.0.0.1:3000"),
                    ("origin", "http://127.0.0.1:3001"),
                ],
                true,
            ),
            (&[("host", "127.0.0.1:3000")], false),
        ];
        for (pairs, refused) in cases {
            assert_eq!(
                cross_site(&post, &headers(pairs)).is_some(),
                *refused,
                "{pairs:?}"
            );
        }
        let evil = headers(&[("sec-fetch-site", "cross-site")]);
        assert_eq!(cross_site(&Method::GET, &evil), None);
        assert!(cross_site(&Method::DELETE, &evil).is_some());
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let p = policy("abc");
        assert!(p.contains("'nonce-abc'"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(!p.contains("unsafe-inline"));
        assert!(DOCUMENT_POLICY.contains("frame-ancestors 'none'"));
        assert_ne!(CspNonce::new().0, CspNonce::new().0);
    }
}
