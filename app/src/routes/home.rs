//! Home page: what the tool is for, for councils and for planners.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// `/`: introduction.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 data-testid="page-title">{t!(i18n, home_title)}</h1>
        <p class="lead">{t!(i18n, tagline)}</p>
        <p>{t!(i18n, home_intro)}</p>
        <p>{t!(i18n, home_planners)}</p>
    }
}
