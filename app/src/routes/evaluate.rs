//! `/evaluer`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::tr;

/// `/evaluer`.
#[component]
pub fn EvaluatePage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(nav_evaluate)}</h1>
        <p>{tr!(section_evaluate_intro)}</p>
        <p class="notice">{tr!(coming_soon)}</p>
    }
}
