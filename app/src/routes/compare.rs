//! `/comparer`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::tr;

/// `/comparer`.
#[component]
pub fn ComparePage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(nav_compare)}</h1>
        <p>{tr!(section_compare_intro)}</p>
        <p class="notice">{tr!(coming_soon)}</p>
    }
}
