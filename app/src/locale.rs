//! The interface language: negotiation, context and switching.
//!
//! Messages live in `locales/{fr,en}.json` and are compiled, with every key
//! checked, by `leptos_i18n` (module [`crate::i18n`]). The *choice* of
//! language is ours, so that server and browser agree before the first
//! render and no part of it costs the browser bundle:
//! - the server picks the locale from the `capacity_lang` cookie, then
//!   `Accept-Language`, then French ([`negotiate`]), and writes it in
//!   `<html lang>`;
//! - the browser starts from `<html lang>`, so hydration renders exactly what
//!   the server sent; a switch updates the signal, `<html lang>` and the
//!   cookie, without a reload.

use leptos::prelude::*;

pub use crate::i18n::Locale;

/// Name of the cookie that keeps the chosen language.
pub const LOCALE_COOKIE: &str = "capacity_lang";

/// The current locale, shared by every component.
#[derive(Debug, Clone, Copy)]
pub struct LocaleContext(pub RwSignal<Locale>);

/// The core's language for a locale (texts of rubrics, number formats).
pub fn core_lang(locale: Locale) -> capacity::Lang {
    match locale {
        Locale::fr => capacity::Lang::Fr,
        Locale::en => capacity::Lang::En,
    }
}

/// Parses a locale code (`fr`, `en`, or a tag such as `en-GB`).
pub fn parse_locale(code: &str) -> Option<Locale> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "fr" => Some(Locale::fr),
        "en" => Some(Locale::en),
        _ => None,
    }
}

/// The code written in `<html lang>`, the cookie and `/lang/{code}`.
pub fn code(locale: Locale) -> &'static str {
    match locale {
        Locale::fr => "fr",
        Locale::en => "en",
    }
}

/// The other language, for the switch.
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::fr => Locale::en,
        Locale::en => Locale::fr,
    }
}

/// Picks the locale of a request: the cookie if it names a known language,
/// else the best `Accept-Language` match, else French.
pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
    let from_cookie = cookie_header.and_then(|header| {
        header.split(';').find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LOCALE_COOKIE)
                .then(|| parse_locale(value))
                .flatten()
        })
    });
    from_cookie
        .or_else(|| {
            accept_language.and_then(|header| {
                accept_language_tags(header)
                    .iter()
                    .find_map(|tag| parse_locale(tag))
            })
        })
        .unwrap_or(Locale::fr)
}

#[cfg(feature = "ssr")]
fn accept_language_tags(header: &str) -> Vec<String> {
    accept_language::parse(header)
}

#[cfg(not(feature = "ssr"))]
fn accept_language_tags(_header: &str) -> Vec<String> {
    Vec::new()
}

/// Creates the locale context: on the server from the request, in the
/// browser from `<html lang>` as the server rendered it.
pub fn provide_locale() -> RwSignal<Locale> {
    let initial = initial_locale();
    let signal = RwSignal::new(initial);
    provide_context(LocaleContext(signal));
    signal
}

#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
    let parts = use_context::<axum::http::request::Parts>();
    let header = |name| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    negotiate(
        header(COOKIE).as_deref(),
        header(ACCEPT_LANGUAGE).as_deref(),
    )
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_locale() -> Locale {
    document()
        .document_element()
        .and_then(|el| el.get_attribute("lang"))
        .and_then(|lang| parse_locale(&lang))
        .unwrap_or(Locale::fr)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_locale() -> Locale {
    Locale::fr
}

/// The current locale signal. Server components get it from the context;
/// an island in the browser has no access to that context and starts from
/// `<html lang>`, which the server wrote from the same value.
pub fn use_locale() -> RwSignal<Locale> {
    use_context::<LocaleContext>()
        .map(|c| c.0)
        .unwrap_or_else(|| {
            let signal = RwSignal::new(initial_locale());
            provide_context(LocaleContext(signal));
            signal
        })
}

/// A translated message that follows the current locale:
/// `tr!(app_name)` or `tr!(connection_ok, version = …)`.
#[macro_export]
macro_rules! tr {
    ($key:ident $(, $($args:tt)*)?) => {{
        let locale = $crate::locale::use_locale();
        move || $crate::i18n::td!(locale.get(), $key $(, $($args)*)?)
    }};
}

/// The translated message as a `String`, for attributes: `tr_string!(app_name)`.
#[macro_export]
macro_rules! tr_string {
    ($key:ident $(, $($args:tt)*)?) => {{
        let locale = $crate::locale::use_locale();
        move || $crate::i18n::td_string!(locale.get(), $key $(, $($args)*)?).to_string()
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(cookie: Option<&str>, accept: Option<&str>, expected: Locale) {
        assert_eq!(negotiate(cookie, accept), expected);
    }

    #[test]
    fn negotiation_order_is_cookie_then_header_then_french() {
        check(None, None, Locale::fr);
        check(None, Some("en-GB,en;q=0.9"), Locale::en);
        check(None, Some("de-DE,en;q=0.5"), Locale::en);
        check(None, Some("de-DE"), Locale::fr);
        check(None, Some("fr-ML,en;q=0.8"), Locale::fr);
        check(Some("capacity_lang=fr"), Some("en"), Locale::fr);
        check(Some("other=1; capacity_lang=en"), Some("fr"), Locale::en);
        check(Some("capacity_lang=xx"), Some("en"), Locale::en);
        check(Some("garbage"), None, Locale::fr);
    }
}
