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

use crate::locale::{code, provide_locale};
use crate::routes::{
    communes::{CommunePage, CommunesPage},
    compare::ComparePage,
    evaluate::EvaluatePage,
    home::HomePage,
    not_found::NotFound,
    plan::{PlanPage, PlanRoute},
    results::{AssessmentResultsPage, ResultsPage},
    rubric::{IndicatorPage, RubricDetailPage, RubricPage},
    workshop::{ConsensusRoute, EntryRoute, OverviewPage},
};
use crate::ui::layout::{Footer, FormErrorBanner, Header, HydrationMarker};
use crate::{tr, tr_string};

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
        <Meta name="description" content=tr_string!(tagline) />
        <Router>
            <Layout />
        </Router>
    }
}

/// Header, navigation, the routed page and the footer.
#[component]
fn Layout() -> impl IntoView {
    view! {
        <Title text=tr_string!(app_name) />
        <div id="app">
            <HydrationMarker />
            <a class="skip-link" href="#main">{tr!(skip_to_content)}</a>
            <Header />
            <main id="main" tabindex="-1">
                <FormErrorBanner />
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/evaluer") view=EvaluatePage ssr=SsrMode::Async />
                    <Route path=path!("/resultats") view=ResultsPage ssr=SsrMode::Async />
                    <Route path=path!("/plan") view=PlanPage ssr=SsrMode::Async />
                    <Route path=path!("/comparer") view=ComparePage ssr=SsrMode::Async />
                    <Route path=path!("/communes") view=CommunesPage ssr=SsrMode::Async />
                    <Route path=path!("/communes/:id") view=CommunePage ssr=SsrMode::Async />
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
                        path=path!("/evaluations/:id/consensus")
                        view=ConsensusRoute
                        ssr=SsrMode::Async
                    />
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
