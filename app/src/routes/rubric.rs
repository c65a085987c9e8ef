//! `/referentiel`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::tr;

/// `/referentiel`.
#[component]
pub fn RubricPage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(nav_rubric)}</h1>
        <p>{tr!(section_rubric_intro)}</p>
        <p class="notice">{tr!(coming_soon)}</p>
    }
}
