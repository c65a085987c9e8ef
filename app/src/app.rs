//! The application shell: the HTML document, the layout and the routes.
//!
//! The locale is decided before the first render (see [`crate::locale`]) and
//! written in `<html lang>`, so hydration never mismatches.

use leptos::prelude::*;
use leptos_meta::{Html, Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::i18n::{Locale, td_string};
use crate::locale::{code, provide_locale, use_locale};
use crate::routes::{
    account::{AccountsAdminPage, LoginPage, PasswordPage},
    campaigns::{CampaignRoute, CampaignsRoute},
    communes::{CommunePage, CommunesPage},
    compare::{ComparePage, GrantsPage},
    evaluate::EvaluatePage,
    history::HistoryRoute,
    home::HomePage,
    not_found::NotFound,
    plan::{PlanPage, PlanRoute},
    register::{CommuneEditPage, RegisterAdminPage, RegisterImportPage},
    results::{AssessmentResultsPage, ResultsPage},
    rubric::{IndicatorPage, RubricDetailPage, RubricPage},
    verification::{AssignRoute, VerifyRoute},
    workshop::{ConsensusRoute, EntryRoute, FinaliseRoute, OverviewPage},
};
use crate::tr;
use crate::ui::layout::{Footer, FormErrorBanner, Header, HydrationMarker};

/// The HTML document the server sends: head, hydration scripts and the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: locale and meta contexts, layout and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = provide_locale();
    view! {
        <Html attr:lang=move || code(locale.get()) />
        <Stylesheet id="capacity" href="/pkg/capacity_app.css" />
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        // Head texts are plain strings, read once: leptos_meta renders them
        // after the page, when a request abandoned by its client may have
        // disposed the locale signal (a reactive closure there panicked
        // under load: see tests/tests/aborts.rs).
        <Meta name="description" content=head_text(locale, |l| td_string!(l, tagline).to_string()) />
        <Router>
            <Layout />
        </Router>
    }
}

/// A text for the document's head, in the locale of the request, computed
/// once (not a reactive closure).
fn head_text(locale: RwSignal<Locale>, text: impl Fn(Locale) -> String) -> String {
    text(locale.get_untracked())
}

/// Header, navigation, the routed page and the footer.
#[component]
fn Layout() -> impl IntoView {
    view! {
        <Title text=head_text(use_locale(), |l| td_string!(l, app_name).to_string()) />
        <div id="app">
            <HydrationMarker />
            <a class="skip-link" href="#main">{tr!(skip_to_content)}</a>
            <Header />
            <main id="main" tabindex="-1">
                <div id="form-error-slot"><FormErrorBanner /></div>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/evaluer") view=EvaluatePage ssr=SsrMode::Async />
                    <Route path=path!("/resultats") view=ResultsPage ssr=SsrMode::Async />
                    <Route path=path!("/plan") view=PlanPage ssr=SsrMode::Async />
                    <Route path=path!("/comparer") view=ComparePage ssr=SsrMode::Async />
                    <Route path=path!("/comparer/subventions") view=GrantsPage ssr=SsrMode::Async />
                    <Route path=path!("/campagnes") view=CampaignsRoute ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id") view=CampaignRoute ssr=SsrMode::Async />
                    <Route path=path!("/communes") view=CommunesPage ssr=SsrMode::Async />
                    <Route path=path!("/communes/:id") view=CommunePage ssr=SsrMode::Async />
                    <Route path=path!("/connexion") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/mot-de-passe") view=PasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/comptes") view=AccountsAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/communes") view=RegisterAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/communes/:id") view=CommuneEditPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/admin/import-communes")
                        view=RegisterImportPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/historique")
                        view=HistoryRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/evaluations/:id") view=OverviewPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/evaluations/:id/resultats")
                        view=AssessmentResultsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/saisie")
                        view=EntryRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/plan")
                        view=PlanRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/finaliser")
                        view=FinaliseRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/consensus")
                        view=ConsensusRoute
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/evaluations/:id/verification")
                        view=VerifyRoute
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/verification") view=AssignRoute ssr=SsrMode::Async />
                    <Route path=path!("/referentiel") view=RubricPage ssr=SsrMode::Async />
                    <Route
                        path=path!("/referentiel/:id/:version")
                        view=RubricDetailPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/referentiel/:id/:version/:indicator")
                        view=IndicatorPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <Footer />
        </div>
    }
}
