//! `/resultats`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::tr;

/// `/resultats`.
#[component]
pub fn ResultsPage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(nav_results)}</h1>
        <p>{tr!(section_results_intro)}</p>
        <p class="notice">{tr!(coming_soon)}</p>
    }
}
