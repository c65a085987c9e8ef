//! `/comparer`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// `/comparer`.
#[component]
pub fn ComparePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 data-testid="page-title">{t!(i18n, nav_compare)}</h1>
        <p>{t!(i18n, section_compare_intro)}</p>
        <p class="notice">{t!(i18n, coming_soon)}</p>
    }
}
