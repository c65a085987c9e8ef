//! `/resultats`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// `/resultats`.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 data-testid="page-title">{t!(i18n, nav_results)}</h1>
        <p>{t!(i18n, section_results_intro)}</p>
        <p class="notice">{t!(i18n, coming_soon)}</p>
    }
}
