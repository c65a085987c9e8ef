//! `/communes` (list with filters) and `/communes/{id}` (one commune and
//! its assessments over time).

use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::communes::{CommuneDetail, CommuneList, list_communes, load_commune};
use crate::locale::{core_lang, use_locale};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading};

/// `/communes?region=…&cercle=…&q=…`.
#[component]
pub fn CommunesPage() -> impl IntoView {
    let query = use_query_map();
    let filters = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        (get("region"), get("cercle"), get("q"))
    };
    let list = Resource::new(filters, |(region, cercle, search)| {
        list_communes(region, cercle, search)
    });
    view! {
        <h1 data-testid="page-title">{tr!(communes_title)}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <CommuneListView list filters=filters() /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CommuneListView(
    list: CommuneList,
    filters: (Option<String>, Option<String>, Option<String>),
) -> impl IntoView {
    let (region, cercle, search) = filters;
    let cercles: Vec<String> = list
        .regions
        .iter()
        .filter(|(r, _)| region.as_ref().is_none_or(|sel| sel == r))
        .flat_map(|(_, cs)| cs.iter().cloned())
        .collect();
    let count = list.communes.len();
    view! {
        <Form method="GET" action="" attr:class="filters" attr:data-testid="commune-filters">
            <label>
                {tr!(region)}
                <select name="region">
                    <option value="">{tr!(all)}</option>
                    {list.regions.iter().map(|(r, _)| {
                        let selected = region.as_deref() == Some(r.as_str());
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(cercle)}
                <select name="cercle">
                    <option value="">{tr!(all)}</option>
                    {cercles.into_iter().map(|c| {
                        let selected = cercle.as_deref() == Some(c.as_str());
                        view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(search)}
                <input type="search" name="q" value=search.unwrap_or_default() />
            </label>
            <button type="submit">{tr!(filter)}</button>
        </Form>
        <p class="muted" data-testid="commune-count">{count} " " {tr!(communes_found)}</p>
        <ul class="cards" data-testid="commune-list">
            {list.communes.into_iter().map(|line| {
                let c = line.commune;
                let href = format!("/communes/{}", c.id);
                view! {
                    <li class="card">
                        <a href=href>{c.name}</a>
                        <span class="muted">" · " {c.cercle} " · " {c.region}</span>
                        <span class="muted">" · " {line.assessments} " " {tr!(assessments_count)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// `/communes/{id}`.
#[component]
pub fn CommunePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, load_commune);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <CommuneDetailView detail=d /> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(communes_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CommuneDetailView(detail: CommuneDetail) -> impl IntoView {
    let locale = use_locale();
    let c = detail.commune;
    let rows = detail.assessments;
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <A href="/communes">{tr!(communes_title)}</A>
        </nav>
        <h1 data-testid="page-title">{c.name.clone()}</h1>
        <p class="muted">
            {tr!(cercle)} " " {c.cercle.clone()} " · " {tr!(region)} " " {c.region.clone()}
            {c.population.map(|p| view! { " · " {tr!(population)} " " {p.to_string()} })}
        </p>
        <h2>{tr!(assessments_title)}</h2>
        <div class="table-scroll" tabindex="0">
            <table data-testid="commune-assessments">
                <thead>
                    <tr>
                        <th scope="col">{tr!(round)}</th>
                        <th scope="col">{tr!(rubric)}</th>
                        <th scope="col" class="num">{tr!(overall_score)}</th>
                        <th scope="col">{tr!(coverage)}</th>
                        <th scope="col">{tr!(status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let lang = core_lang(locale.get());
                        rows.iter().map(|a| {
                            let score = a.overall.map(|s| capacity::format::score(s, lang)).unwrap_or_else(|| "—".to_owned());
                            let href = format!("/evaluations/{}", a.id);
                            view! {
                                <tr>
                                    <td><a href=href>{a.round.clone()}</a> <br /><span class="muted">{a.date.clone()}</span></td>
                                    <td>{a.rubric_title.get(lang).to_owned()}</td>
                                    <td class="num">{score} {a.provisional.then(|| view! { " " <span class="tag">{tr!(provisional)}</span> })}</td>
                                    <td>{a.answered} " / " {a.applicable}</td>
                                    <td>
                                        {if a.finalised { tr!(finalised).into_any() } else { tr!(in_progress).into_any() }}
                                        {(a.failed_conditions > 0).then(|| view! { " " <span class="tag critical">{a.failed_conditions} " " {tr!(conditions_failed)}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
    }
}
