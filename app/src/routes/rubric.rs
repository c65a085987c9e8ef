//! The rubric browser: `/referentiel` (rubric versions),
//! `/referentiel/{id}/{version}` (the tree) and
//! `/referentiel/{id}/{version}/{indicator}` (descriptors and actions).

use capacity::{Horizon, Method};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::rubrics::{
    IndicatorDetail, RubricOutline, list_rubrics, load_indicator, load_rubric_outline,
};
use crate::locale::{core_lang, use_locale};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, Tx};

/// `/referentiel`: every stored rubric version.
#[component]
pub fn RubricPage() -> impl IntoView {
    let rubrics = Resource::new(|| (), |_| list_rubrics());
    view! {
        <h1 data-testid="page-title">{tr!(nav_rubric)}</h1>
        <p>{tr!(section_rubric_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rubrics.await {
                    Ok(list) => view! {
                        <ul class="cards" data-testid="rubric-list">
                            {list.into_iter().map(|r| {
                                let href = format!("/referentiel/{}/{}", r.id, r.version);
                                view! {
                                    <li class="card">
                                        <a href=href><Tx text=r.title /></a>
                                        <span class="muted">" " {r.id} " · " {tr!(version)} " " {r.version}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn method_label(method: &Method) -> impl IntoView + use<> {
    match method {
        Method::WeightedMean => tr!(method_weighted_mean).into_any(),
        Method::WeakestLink => tr!(method_weakest_link).into_any(),
        Method::Table => tr!(method_table).into_any(),
    }
}

/// `/referentiel/{id}/{version}`: domains, competencies and indicators.
#[component]
pub fn RubricDetailPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").unwrap_or_default(),
            p.get("version").unwrap_or_default(),
        )
    };
    let outline = Resource::new(key, |(id, version)| load_rubric_outline(id, version));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match outline.await {
                    Ok(o) => view! { <Outline outline=o /> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(nav_rubric)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Outline(outline: RubricOutline) -> impl IntoView {
    let base = format!("/referentiel/{}/{}", outline.id, outline.version);
    let basic = outline.basic.clone();
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <A href="/referentiel">{tr!(nav_rubric)}</A>
        </nav>
        <h1 data-testid="page-title"><Tx text=outline.title /></h1>
        <p class="muted">{outline.id.clone()} " · " {tr!(version)} " " {outline.version.clone()}</p>
        {outline.description.map(|d| view! { <p><Tx text=d /></p> })}
        <h2>{tr!(scale_title)}</h2>
        <ol class="scale" data-testid="scale">
            {outline.levels.into_iter().map(|l| {
                let is_basic = l.code == basic;
                view! {
                    <li class:basic=is_basic>
                        <span class="level-code">{l.code.clone()}</span> " "
                        <Tx text=l.label />
                        {is_basic.then(|| view! { " " <span class="tag">{tr!(basic_level)}</span> })}
                    </li>
                }
            }).collect_view()}
        </ol>
        <p class="muted">{tr!(overall_method)} ": " {method_label(&outline.method)}</p>
        {outline.domains.into_iter().map(|d| {
            let base = base.clone();
            view! {
                <section class="domain">
                    <h2><Tx text=d.title /></h2>
                    <p class="muted">{tr!(weight)} " " {d.weight} " · " {method_label(&d.method)}</p>
                    {d.children.into_iter().map(|c| {
                        let base = base.clone();
                        let count = c.indicators.len();
                        view! {
                            <details class="competency" data-testid=format!("competency-{}", c.id)>
                                <summary>
                                    <Tx text=c.title /> " "
                                    <span class="muted">"(" {count} ")"</span>
                                </summary>
                                <p class="muted">{tr!(weight)} " " {c.weight} " · " {method_label(&c.method)}</p>
                                <ul class="indicators">
                                    {c.indicators.into_iter().map(|i| {
                                        let href = format!("{base}/{}", i.id);
                                        view! {
                                            <li>
                                                <a href=href><span class="ind-id">{i.id.clone()}</span> " " <Tx text=i.title /></a>
                                                <span class="muted">
                                                    " · " {tr!(target)} " " {i.target} " · " {tr!(weight)} " " {i.weight}
                                                </span>
                                                {i.critical.then(|| view! { " " <span class="tag critical">{tr!(critical)}</span> })}
                                                {i.conditional.then(|| view! { " " <span class="tag">{tr!(conditional)}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </details>
                        }
                        .into_any()
                    }).collect_view()}
                </section>
            }
            .into_any()
        }).collect_view()}
    }
}

/// `/referentiel/{id}/{version}/{indicator}`: one indicator in full.
#[component]
pub fn IndicatorPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").unwrap_or_default(),
            p.get("version").unwrap_or_default(),
            p.get("indicator").unwrap_or_default(),
        )
    };
    let detail = Resource::new(key, |(id, version, ind)| load_indicator(id, version, ind));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <IndicatorView detail=d back=format!("/referentiel/{}/{}", key().0, key().1) /> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(nav_rubric)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IndicatorView(detail: IndicatorDetail, back: String) -> impl IntoView {
    let locale = use_locale();
    let ind = detail.indicator;
    let levels = detail.levels;
    let basic = detail.basic;
    let top = levels.last().map(|l| l.code.clone()).unwrap_or_default();
    // Highest level first: that is how councils read a descriptor table.
    let rows = levels.iter().rev().map(|l| {
        let descriptor = ind.descriptor.get(&l.code).cloned().unwrap_or_default();
        let is_target = l.code == ind.target;
        let is_basic = l.code == basic;
        view! {
            <tr class:basic=is_basic class:target=is_target>
                <th scope="row"><span class="level-code">{l.code.clone()}</span><br /><span class="muted"><Tx text=l.label.clone() /></span></th>
                <td>
                    <Tx text=descriptor />
                    {is_target.then(|| view! { " " <span class="tag">{tr!(target)}</span> })}
                    {is_basic.then(|| view! { " " <span class="tag">{tr!(basic_level)}</span> })}
                </td>
            </tr>
        }
    }).collect_view();
    let actions = ind.actions.clone();
    let levels_for_actions = levels.clone();
    let action_rows = move || {
        let lang = core_lang(locale.get());
        actions
            .iter()
            .map(|a| {
                let next = levels_for_actions
                    .iter()
                    .position(|l| l.code == a.from)
                    .and_then(|ix| levels_for_actions.get(ix + 1))
                    .map(|l| l.code.clone())
                    .unwrap_or_default();
                let horizon = match a.horizon {
                    Horizon::Short => tr!(horizon_short).into_any(),
                    Horizon::Medium => tr!(horizon_medium).into_any(),
                    Horizon::Long => tr!(horizon_long).into_any(),
                };
                view! {
                    <tr>
                        <td>{a.from.clone()} " → " {next}</td>
                        <td>{a.text.get(lang).to_owned()}</td>
                        <td class="num">{capacity::format::fcfa(a.cost, lang)}</td>
                        <td>{horizon}</td>
                        <td>{a.responsible.get(lang).to_owned()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let _ = top;
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <A href="/referentiel">{tr!(nav_rubric)}</A> " › "
            <a href=back><Tx text=detail.rubric_title /></a> " › "
            <Tx text=detail.domain /> " › " <Tx text=detail.competency />
        </nav>
        <h1 data-testid="page-title"><span class="ind-id">{ind.id.clone()}</span> " " <Tx text=ind.title.clone() /></h1>
        {ind.question.clone().map(|q| view! { <p class="lead"><Tx text=q /></p> })}
        <p>
            {tr!(target)} " " <strong>{ind.target.clone()}</strong>
            {ind.critical.then(|| view! { " · " <span class="tag critical">{tr!(critical)}</span> })}
        </p>
        <table class="descriptors" data-testid="descriptors">
            <caption>{tr!(descriptors)}</caption>
            <tbody>{rows}</tbody>
        </table>
        <h2>{tr!(evidence_expected)}</h2>
        <p><Tx text=ind.evidence.clone() /></p>
        <h2>{tr!(actions_title)}</h2>
        <div class="table-scroll" tabindex="0">
            <table class="actions" data-testid="actions">
                <thead>
                    <tr>
                        <th scope="col">{tr!(step)}</th>
                        <th scope="col">{tr!(action)}</th>
                        <th scope="col">{tr!(cost)}</th>
                        <th scope="col">{tr!(horizon)}</th>
                        <th scope="col">{tr!(responsible)}</th>
                    </tr>
                </thead>
                <tbody>{action_rows}</tbody>
            </table>
        </div>
        <p class="muted">{tr!(source)} ": " {ind.source.clone()}</p>
    }
}
