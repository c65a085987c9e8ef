//! `/referentiel`: section page (filled in by the web-app issue).

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// `/referentiel`.
#[component]
pub fn RubricPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 data-testid="page-title">{t!(i18n, nav_rubric)}</h1>
        <p>{t!(i18n, section_rubric_intro)}</p>
        <p class="notice">{t!(i18n, coming_soon)}</p>
    }
}
