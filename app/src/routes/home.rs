//! Home page: what the tool is for, for councils and for planners.

use leptos::prelude::*;

use crate::tr;

/// `/`: introduction.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1 data-testid="page-title">{tr!(home_title)}</h1>
        <p class="lead">{tr!(tagline)}</p>
        <p>{tr!(home_intro)}</p>
        <p>{tr!(home_planners)}</p>
    }
}
