//! Page chrome: header with the navigation and the language switch, footer.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::i18n::{Locale, t, use_i18n};
use leptos_i18n::Locale as _;
use crate::ui::connection::ConnectionStatus;

/// Site header: name, main navigation, language switch.
#[component]
pub fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                {t!(i18n, app_name)}
            </A>
            <nav aria-label=move || t_label(i18n.get_locale())>
                <ul>
                    <li><A href="/evaluer" attr:data-testid="nav-evaluate">{t!(i18n, nav_evaluate)}</A></li>
                    <li><A href="/resultats" attr:data-testid="nav-results">{t!(i18n, nav_results)}</A></li>
                    <li><A href="/plan" attr:data-testid="nav-plan">{t!(i18n, nav_plan)}</A></li>
                    <li><A href="/comparer" attr:data-testid="nav-compare">{t!(i18n, nav_compare)}</A></li>
                    <li><A href="/referentiel" attr:data-testid="nav-rubric">{t!(i18n, nav_rubric)}</A></li>
                </ul>
            </nav>
            <LanguageSwitch />
        </header>
    }
}

fn t_label(locale: Locale) -> &'static str {
    match locale {
        Locale::fr => "Navigation principale",
        Locale::en => "Main navigation",
    }
}

/// A link to the other language.
///
/// Without JavaScript it is an ordinary link to `/lang/{code}?to={path}`,
/// which sets the cookie and redirects back. Hydrated, the click is handled
/// here: the locale changes in place and the cookie is written, no reload.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let other = move || match i18n.get_locale() {
        Locale::fr => Locale::en,
        Locale::en => Locale::fr,
    };
    let href = move || {
        let path = location.pathname.get();
        format!("/lang/{}?to={}", other().as_str(), path)
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        i18n.set_locale(other());
    };
    view! {
        <a
            class="lang-switch"
            data-testid="lang-switch"
            href=href
            hreflang=move || other().as_str()
            lang=move || other().as_str()
            on:click=on_click
        >
            {t!(i18n, lang_other)}
        </a>
    }
}

/// Site footer with the connection status.
#[component]
pub fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            <ConnectionStatus />
            <p>{t!(i18n, footer_note)}</p>
        </footer>
    }
}
