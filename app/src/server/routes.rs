//! HTTP routes outside Leptos: health and the no-JavaScript language switch.

use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::locale::{LOCALE_COOKIE, code, parse_locale};

/// `GET /health`: `{"status":"ok","version":…}` while the server runs.
pub async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Query of the language route.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// Where to go back to; only a local path is followed.
    to: Option<String>,
}

/// `GET /lang/{fr|en}?to=/path`: remembers the language in a cookie and
/// redirects back. This is how the switch works with JavaScript off.
pub async fn set_language(Path(code): Path<String>, Query(q): Query<LangQuery>) -> Response {
    let Some(locale) = parse_locale(&code).filter(|l| code == self::code(*l)) else {
        return (
            StatusCode::NOT_FOUND,
            "unknown language: use /lang/fr or /lang/en",
        )
            .into_response();
    };
    let target = safe_local_path(q.to.as_deref());
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        self::code(locale)
    );
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let headers = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&target) {
        headers.insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, v);
    }
    resp
}

/// Keeps a redirect on this site: a path starting with one `/`, no scheme,
/// no `//host`, no control characters; anything else goes home.
fn safe_local_path(to: Option<&str>) -> String {
    match to {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_local_path;

    #[track_caller]
    fn check(input: Option<&str>, expected: &str) {
        assert_eq!(safe_local_path(input), expected);
    }

    #[test]
    fn redirects_stay_on_site() {
        check(Some("/comparer"), "/comparer");
        check(Some("/resultats?id=3"), "/resultats?id=3");
        check(None, "/");
        check(Some("https://evil.example"), "/");
        check(Some("//evil.example"), "/");
        check(Some("/\\evil.example"), "/");
        check(Some("/a\r\nSet-Cookie: x=1"), "/");
    }
}
