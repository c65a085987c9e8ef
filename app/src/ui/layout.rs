//! Page chrome: header with the navigation and the language switch, footer.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_location, use_query_map},
};

use crate::locale::{code, other, use_locale};
use crate::ui::common::ErrorBox;
use crate::ui::connection::ConnectionStatus;
use crate::{tr, tr_string};

/// Site header: name, main navigation, language switch.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <A href="/" attr:class="brand">
                {tr!(app_name)}
            </A>
            <nav aria-label=tr_string!(nav_label)>
                <ul>
                    <li><A href="/communes" attr:data-testid="nav-communes">{tr!(communes_title)}</A></li>
                    <li><A href="/evaluer" attr:data-testid="nav-evaluate">{tr!(nav_evaluate)}</A></li>
                    <li><A href="/resultats" attr:data-testid="nav-results">{tr!(nav_results)}</A></li>
                    <li><A href="/plan" attr:data-testid="nav-plan">{tr!(nav_plan)}</A></li>
                    <li><A href="/comparer" attr:data-testid="nav-compare">{tr!(nav_compare)}</A></li>
                    <li><A href="/referentiel" attr:data-testid="nav-rubric">{tr!(nav_rubric)}</A></li>
                </ul>
            </nav>
            <LanguageSwitch />
        </header>
    }
}

/// A link to the other language: `/lang/{code}?to={path}` sets the cookie
/// and redirects back, the same with or without JavaScript.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    let location = use_location();
    let target = move || code(other(locale.get()));
    let href = move || format!("/lang/{}?to={}", target(), location.pathname.get());
    view! {
        <a
            class="lang-switch"
            data-testid="lang-switch"
            href=href
            hreflang=target
            lang=target
            rel="nofollow"
        >
            {tr!(lang_other)}
        </a>
    }
}

/// Marks the page as interactive once the islands are hydrated
/// (`<html data-hydrated="true">`): tests wait for it before clicking.
/// Renders nothing.
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}

/// Site footer with the connection status.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <ConnectionStatus />
            <p>{tr!(footer_note)}</p>
        </footer>
    }
}

/// The error of a plain form post that sent the browser back here
/// (`?erreur=TOKEN`), shown above the page: nothing typed was saved, and the
/// message says why. Renders nothing without a token.
#[component]
pub fn FormErrorBanner() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("erreur")).unwrap_or_default();
    let kept = Resource::new(token, |token| async move {
        if token.is_empty() {
            Ok(None)
        } else {
            crate::api::load_form_error(token).await
        }
    });
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match kept.await {
                    Ok(Some(kept)) => Some(view! {
                        <div class="form-error-banner" data-testid="form-error">
                            <p>{tr!(form_has_problems)}</p>
                            <ErrorBox error=kept.error />
                        </div>
                    }),
                    _ => None,
                }
            })}
        </Suspense>
    }
}
