//! The workshop pages: `/evaluations/{id}` (overview and progress) and
//! `/evaluations/{id}/saisie?rater=…&competence=…` (one rater's entry for
//! one competency).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::workshop::{Overview, load_entry, load_overview, load_refused};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, Tx};
use crate::ui::workshop::entry::EntryForm;

fn assessment_id() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

/// `/evaluations/{id}`.
#[component]
pub fn OverviewPage() -> impl IntoView {
    let id = assessment_id();
    let overview = Resource::new(id, load_overview);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <OverviewView overview=o /> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(nav_evaluate)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(overview: Overview) -> impl IntoView {
    let h = overview.header;
    let base = format!("/evaluations/{}", h.id);
    let first = overview
        .competencies
        .first()
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let raters = h.raters.clone();
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <A href="/communes">{tr!(communes_title)}</A> " › "
            <a href=format!("/communes/{}", h.commune_id)>{h.commune.clone()}</a>
        </nav>
        <h1 data-testid="page-title">{h.commune.clone()} " — " {h.round.clone()}</h1>
        <p class="muted">
            <Tx text=h.rubric_title.clone() /> " · " {h.date.clone()} " · "
            {if h.finalised { tr!(finalised).into_any() } else { tr!(in_progress).into_any() }}
        </p>
        <p data-testid="progress">
            {tr!(answered)} " " <strong>{overview.answered} " / " {overview.applicable}</strong>
        </p>
        <ul class="actions-row">
            <li><a href=format!("{base}/resultats")>{tr!(nav_results)}</a></li>
            <li><a href=format!("{base}/plan")>{tr!(nav_plan)}</a></li>
        </ul>
        <h2>{tr!(raters_title)}</h2>
        <ul class="cards" data-testid="raters">
            {raters.iter().map(|r| {
                let href = format!("{base}/saisie?rater={}&competence={}", r.id, first);
                view! {
                    <li class="card">
                        <a href=href data-testid=format!("enter-{}", r.id)>{r.name.clone()}</a>
                        <span class="muted">" · " {role_label(r.role)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <h2>{tr!(progress_title)}</h2>
        <div class="table-scroll">
            <table data-testid="progress-table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(competency)}</th>
                        {raters.iter().map(|r| view! { <th scope="col" class="num">{r.name.clone()}</th> }).collect_view()}
                        <th scope="col" class="num">{tr!(disagreements)}</th>
                    </tr>
                </thead>
                <tbody>
                    {overview.competencies.into_iter().map(|c| {
                        let applicable = c.applicable;
                        view! {
                            <tr>
                                <th scope="row"><Tx text=c.title /></th>
                                {c.rated.iter().map(|n| view! { <td class="num">{*n} " / " {applicable}</td> }).collect_view()}
                                <td class="num">{c.disagreements}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn role_label(role: capacity::Role) -> AnyView {
    match role {
        capacity::Role::Elected => tr!(role_elected).into_any(),
        capacity::Role::Staff => tr!(role_staff).into_any(),
        capacity::Role::Citizen => tr!(role_citizen).into_any(),
        capacity::Role::Facilitator => tr!(role_facilitator).into_any(),
    }
}

/// `/evaluations/{id}/saisie?rater=…&competence=…[&saved=N][&refused=TOKEN]`.
#[component]
pub fn EntryRoute() -> impl IntoView {
    let id = assessment_id();
    let query = use_query_map();
    let key = move || {
        let q = query.read();
        (
            id(),
            q.get("rater").unwrap_or_default(),
            q.get("competence").unwrap_or_default(),
        )
    };
    let saved = move || {
        query
            .read()
            .get("saved")
            .and_then(|v| v.parse::<usize>().ok())
    };
    let token = move || query.read().get("refused").unwrap_or_default();
    let page = Resource::new(key, |(id, rater, competency)| {
        load_entry(id, rater, competency)
    });
    let refused = Resource::new(token, |t| async move {
        if t.is_empty() {
            Ok(Vec::new())
        } else {
            load_refused(t).await
        }
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let refused = refused.await.unwrap_or_default();
                match page.await {
                    Ok(p) => {
                        let base = format!("/evaluations/{}", p.header.id);
                        let nav = |c: Option<String>| c.map(|c| format!("{base}/saisie?rater={}&competence={c}", p.rater.id));
                        let previous = nav(p.previous.clone());
                        let next = nav(p.next.clone());
                        view! {
                            <nav class="breadcrumb" aria-label="breadcrumb">
                                <a href=base.clone()>{p.header.commune.clone()} " — " {p.header.round.clone()}</a>
                            </nav>
                            <h1 data-testid="page-title"><Tx text=p.competency_title.clone() /></h1>
                            <p class="muted"><Tx text=p.domain_title.clone() /> " · " {tr!(rater)} " " <strong>{p.rater.name.clone()}</strong></p>
                            {saved().map(|n| view! { <p class="notice" role="status" data-testid="saved-count">{n} " " {tr!(saved_count)}</p> })}
                            {(!refused.is_empty()).then(|| view! { <p class="error" role="alert">{tr!(refused_intro)}</p> })}
                            <EntryForm page=p refused=refused />
                            <nav class="pager">
                                {previous.map(|h| view! { <a href=h rel="prev">"← " {tr!(previous)}</a> })}
                                {next.map(|h| view! { <a href=h rel="next" data-testid="next">{tr!(next)} " →"</a> })}
                            </nav>
                        }.into_any()
                    }
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(nav_evaluate)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
