//! `capacity-app`: the Leptos web app of commune-capacity.
//!
//! One crate, two builds, as in Leptos's own workspace template:
//! - feature `ssr`: the axum server (`src/main.rs`, `server/`) renders every
//!   page to HTML, so each workflow works with JavaScript off;
//! - feature `hydrate`: the *islands* (components marked `#[island]`) are
//!   compiled to wasm32 and hydrated in the browser (`hydrate()`).
//!
//! Leptos runs in islands mode: pages are server components that never ship
//! to the browser; only the interactive parts (the workshop entry, the
//! connection check, plan adjustments…) are islands. On cheap phones over
//! weak connections this keeps the payload small whatever the number of
//! pages (full hydration had grown the bundle to 366 KB gzip with three
//! read-only pages). Islands take plain, serialisable props and read the
//! locale from `<html lang>`: they cannot see the server components' context.
//!
//! Pages live under `routes/` (one file a section), shared components under
//! `ui/`, server functions (thin wrappers) under `api/`, the data they
//! exchange under `view/`, the one error type in `error.rs`. Every business
//! operation is in `service/`, and so is the one authorisation check
//! (`service/access.rs`); sessions and logins are in `session.rs`; scoring, planning and comparison are *not*
//! written here: they come from the pure `capacity` crate. Server-only code
//! (the service layer, configuration, HTTP routes and layers) sits behind
//! `#[cfg(feature = "ssr")]` in `service/` and `server/`, so nothing of it
//! reaches wasm. See ARCHITECTURE.md for the layering and its invariants.
#![recursion_limit = "256"]
// Nothing a person sends may panic the server: no byte-index slicing of
// strings and no unchecked indexing outside tests (use `get`).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

// The macro reads `locales/*.json` at compile time and checks every key.
// Its successor (build.rs code generation through `leptos_i18n_build`) pulls
// the whole ICU data exporter into the build for formatting features we do
// not use (numbers and money are formatted by the core), so we keep the macro.
#[allow(deprecated, missing_docs)]
/// Translations generated at compile time from `locales/*.json`.
mod i18n_gen {
    leptos_i18n::load_locales!();
}
pub use i18n_gen::i18n;

pub mod api;
pub mod app;
pub mod error;
pub mod locale;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;
pub mod ui;
pub mod view;

/// Browser entry point: hydrates the server-rendered `<body>`.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
