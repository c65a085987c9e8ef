//! `/plan`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::tr;

/// `/plan`.
#[component]
pub fn PlanPage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(nav_plan)}</h1>
        <p>{tr!(section_plan_intro)}</p>
        <p class="notice">{tr!(coming_soon)}</p>
    }
}
