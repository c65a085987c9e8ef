//! The page for unknown addresses (HTTP 404 on the server).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::tr;

/// Fallback of the router.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <h1 data-testid="page-title">{tr!(not_found_title)}</h1>
        <p>{tr!(not_found_body)}</p>
        <A href="/">{tr!(back_home)}</A>
    }
}
