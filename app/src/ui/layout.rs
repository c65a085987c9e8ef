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
            <Account />
            <LanguageSwitch />
        </header>
    }
}

/// Who is logged in, with a logout button (a plain form: works without
/// JavaScript), or a login link back to this page.
#[component]
pub fn Account() -> impl IntoView {
    let location = use_location();
    match crate::api::accounts::me() {
        Some(me) => {
            let admin = me
                .grants
                .iter()
                .any(|g| g.role == crate::view::account::AccessRole::Admin);
            // Those who assign verifiers or verify find their page here.
            let verification = me.grants.iter().any(|g| {
                use crate::view::account::AccessRole as R;
                matches!(g.role, R::Admin | R::Planner | R::Verifier)
            });
            view! {
                <div class="account" data-testid="account">
                    <span data-testid="account-name">{me.display_name}</span>
                    {me.demo.then(|| view! { " " <span class="tag">{tr!(demo)}</span> })}
                    {verification.then(|| view! { " " <a href="/verification" data-testid="nav-verification">{tr!(nav_verification)}</a> })}
                    {admin.then(|| view! {
                        " " <a href="/admin/comptes" data-testid="nav-accounts">{tr!(accounts_title)}</a>
                        " " <a href="/admin/communes" data-testid="nav-register">{tr!(nav_register)}</a>
                    })}
                    <form method="post" action="/api/log_out" class="inline">
                        <button type="submit" class="link" data-testid="logout">{tr!(logout)}</button>
                    </form>
                </div>
            }
            .into_any()
        }
        None => {
            let href = move || {
                let path = location.pathname.get();
                let search = location.search.get();
                let here = if search.is_empty() {
                    path
                } else {
                    format!("{path}?{search}")
                };
                format!(
                    "/connexion?retour={}",
                    crate::view::compare::encode_component(&here)
                )
            };
            view! {
                <div class="account">
                    <a href=href data-testid="login-link">{tr!(login_action)}</a>
                </div>
            }
            .into_any()
        }
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
