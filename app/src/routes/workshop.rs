//! The workshop pages: `/evaluations/{id}` (overview and progress),
//! `/evaluations/{id}/saisie?rater=…&competence=…` (one rater's entry for
//! one competency), the consensus step and `/evaluations/{id}/finaliser`
//! (the finalise gate: coverage, pending minimum conditions, open
//! disagreements, then a confirmation).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::workshop::{
    ConsensusPage, FinaliseLine, FinalisePage, Overview, UnlockAssessment, load_consensus,
    load_entry, load_finalise, load_overview, load_refused,
};
use crate::ui::common::{ErrorBox, Loading, Tx};
use crate::ui::in_place::InPlaceForms;
use crate::ui::workshop::entry::EntryForm;
use crate::{tr, tr_string};

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
                    Ok(o) => view! { <InPlaceForms><OverviewView overview=o /></InPlaceForms> }.into_any(),
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
        {h.reopened.then(|| view! {
            <p class="notice" data-testid="reopened">{tr!(reopened_notice)}</p>
        })}
        {h.finalised.then_some(()).and(h.provisional_reason.clone()).map(|reason| view! {
            <p class="notice" data-testid="provisional">{tr!(finalised_provisional)} " " <q>{reason}</q></p>
        })}
        <p data-testid="progress">
            {tr!(answered)} " " <strong>{overview.answered} " / " {overview.applicable}</strong>
        </p>
        <ul class="actions-row">
            <li><a href=format!("{base}/consensus?competence={first}") data-testid="consensus">{tr!(consensus_title)}</a></li>
            <li><a href=format!("{base}/resultats") data-testid="to-results">{tr!(nav_results)}</a></li>
            <li><a href=format!("{base}/plan")>{tr!(nav_plan)}</a></li>
            {h.can.history.then(|| view! {
                <li><a href=format!("{base}/historique") data-testid="history">{tr!(history_title)}</a></li>
            })}
        </ul>
        {(h.finalised && h.can.unlock).then(|| {
            let unlock = ServerAction::<UnlockAssessment>::new();
            view! {
                <ActionForm action=unlock attr:class="unlock" attr:data-testid="unlock-form">
                    <input type="hidden" name="id" value=h.id.to_string() />
                    <input type="hidden" name="version" value=h.version.to_string() />
                    <label>
                        {tr!(unlock_reason)}
                        <textarea name="reason" required maxlength=crate::view::limits::TEXT rows="2"></textarea>
                    </label>
                    <button type="submit" data-testid="unlock">{tr!(unlock)}</button>
                    <span class="muted">" " {tr!(unlock_hint)}</span>
                </ActionForm>
            }
        })}
        {(!h.finalised && h.can.finalise).then(|| view! {
            <p class="finalise">
                <a href=format!("{base}/finaliser") class="button" data-testid="finalise">{tr!(finalise)}</a>
                <span class="muted">" " {tr!(finalise_hint)}</span>
            </p>
        })}
        <h2>{tr!(raters_title)}</h2>
        <ul class="cards" data-testid="raters">
            {raters.iter().map(|r| {
                let href = format!("{base}/saisie?rater={}&competence={}", r.id, first);
                let name = if h.can.enter.contains(&r.id) {
                    view! { <a href=href data-testid=format!("enter-{}", r.id)>{r.name.clone()}</a> }.into_any()
                } else {
                    view! { <span>{r.name.clone()}</span> }.into_any()
                };
                let account = overview.linked.get(&r.id).cloned();
                view! {
                    <li class="card">
                        {name}
                        <span class="muted">" · " {role_label(r.role)}</span>
                        {account.clone().map(|a| view! { " · " <span class="muted" data-testid=format!("linked-{}", r.id)>{tr!(linked_account)} " " <code>{a}</code></span> })}
                        {h.can.raters.then(|| view! {
                            <form method="post" action="/api/link_rater" class="inline link-rater" data-testid=format!("link-{}", r.id)>
                                <input type="hidden" name="id" value=h.id.to_string() />
                                <input type="hidden" name="rater" value=r.id.clone() />
                                <label>
                                    <span class="visually-hidden">{tr!(linked_account)} " " {r.name.clone()}</span>
                                    <input type="text" name="account" value=account.clone().unwrap_or_default() maxlength="60" autocapitalize="none" spellcheck="false" placeholder=tr_string!(login_name) />
                                </label>
                                <button type="submit">{tr!(link_account)}</button>
                            </form>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        <h2>{tr!(progress_title)}</h2>
        <div class="table-scroll" tabindex="0">
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

/// `/evaluations/{id}/consensus?competence=…[&saved=N][&refused=TOKEN]`:
/// raters' marks side by side, disagreements first in the eye, and the
/// agreed level with its justification. A plain form (works without
/// JavaScript).
#[component]
pub fn ConsensusRoute() -> impl IntoView {
    let id = assessment_id();
    let query = use_query_map();
    let key = move || (id(), query.read().get("competence").unwrap_or_default());
    let saved = move || {
        query
            .read()
            .get("saved")
            .and_then(|v| v.parse::<usize>().ok())
    };
    let refused = move || query.read().get("refused").is_some_and(|t| !t.is_empty());
    let page = Resource::new(key, |(id, competency)| load_consensus(id, competency));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <InPlaceForms>
                            {saved().map(|n| view! { <p class="notice" role="status" data-testid="saved-count">{n} " " {tr!(saved_count)}</p> })}
                            {refused().then(|| view! { <p class="error" role="alert">{tr!(refused_intro)}</p> })}
                            <ConsensusView page=p />
                        </InPlaceForms>
                    }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(consensus_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConsensusView(page: ConsensusPage) -> impl IntoView {
    let base = format!("/evaluations/{}", page.header.id);
    let nav = |c: Option<String>| c.map(|c| format!("{base}/consensus?competence={c}"));
    let previous = nav(page.previous.clone());
    let next = nav(page.next.clone());
    let locked = page.header.finalised || !page.header.can.consensus;
    let history = page.header.can.history;
    let codes: Vec<String> = page
        .levels
        .iter()
        .rev()
        .map(|l| l.code.clone())
        .chain([
            capacity::NOT_APPLICABLE.to_owned(),
            capacity::NO_INFORMATION.to_owned(),
        ])
        .collect();
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href=base.clone()>{page.header.commune.clone()} " — " {page.header.round.clone()}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(consensus_title)} " : " <Tx text=page.competency_title.clone() /></h1>
        <form method="post" action="/api/save_consensus" data-testid="consensus-form">
            <input type="hidden" name="id" value=page.header.id.to_string() />
            <input type="hidden" name="competency" value=page.competency.clone() />
            {page.indicators.into_iter().map(|ind| {
                let select_name = format!("level[{}]", ind.id);
                let chosen = ind.consensus.clone().unwrap_or_default();
                view! {
                    <fieldset class="indicator-card" class:disagree=ind.disagreement id=ind.id.clone() data-testid=format!("consensus-{}", ind.id)>
                        <legend><span class="ind-id">{ind.id.clone()}</span> " " <Tx text=ind.title.clone() /></legend>
                        {ind.disagreement.then(|| view! { <p class="tag critical" data-testid="disagreement">{tr!(disagreement)}</p> })}
                        {ind.not_applicable_by_rule.then(|| view! { <p class="notice">{tr!(na_by_rule)}</p> })}
                        {history.then(|| view! {
                            <p><a class="history-link" href=format!("{base}/historique?indicateur={}", ind.id) data-testid=format!("history-{}", ind.id)>{tr!(history_link)}</a></p>
                        })}
                        <table class="marks">
                            <tbody>
                                {ind.ratings.into_iter().map(|(rater, level, evidence)| view! {
                                    <tr>
                                        <th scope="row">{rater.name}</th>
                                        <td class="level-code">{level.unwrap_or_else(|| "—".to_owned())}</td>
                                        <td>{evidence.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="muted">{tr!(consolidated_now)} " " <strong>{ind.consolidated.unwrap_or_else(|| "—".to_owned())}</strong></p>
                        <input type="hidden" name=format!("version[{}]", ind.id) value=ind.version.to_string() />
                        <label>
                            {tr!(agreed_level)}
                            <select name=select_name disabled=locked>
                                <option value="" selected=chosen.is_empty()>{tr!(no_consensus)}</option>
                                {codes.iter().map(|c| view! { <option value=c.clone() selected=*c == chosen>{c.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>
                            {tr!(justification)}
                            <textarea name=format!("justification[{}]", ind.id) rows="2" maxlength=crate::view::limits::TEXT disabled=locked>{ind.justification.unwrap_or_default()}</textarea>
                        </label>
                        <label>
                            {tr!(comment_label)}
                            <textarea name=format!("comment[{}]", ind.id) rows="2" maxlength=crate::view::limits::TEXT disabled=locked>{ind.comment.unwrap_or_default()}</textarea>
                        </label>
                    </fieldset>
                }
            }).collect_view()}
            {(!locked).then(|| view! { <button type="submit" class="primary" data-testid="save-consensus">{tr!(save)}</button> })}
        </form>
        <nav class="pager">
            {previous.map(|h| view! { <a href=h rel="prev">"← " {tr!(previous)}</a> })}
            {next.map(|h| view! { <a href=h rel="next" data-testid="next">{tr!(next)} " →"</a> })}
        </nav>
    }
}

/// `/evaluations/{id}/finaliser`: the finalise gate. Coverage overall and
/// per competency, the critical indicators still unanswered, the
/// disagreements without a consensus; then a plain form to confirm, with
/// the provisional mark and its reason when the round is incomplete (the
/// server refuses otherwise). Works without JavaScript.
#[component]
pub fn FinaliseRoute() -> impl IntoView {
    let id = assessment_id();
    let page = Resource::new(id, load_finalise);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <InPlaceForms><FinaliseView page=p /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(finalise_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FinaliseView(page: FinalisePage) -> impl IntoView {
    let h = page.header;
    let base = format!("/evaluations/{}", h.id);
    let link = move |line: &FinaliseLine| {
        format!(
            "{base}/consensus?competence={}#{}",
            line.competency, line.id
        )
    };
    let indicators = move |list: Vec<FinaliseLine>, testid: &'static str| {
        view! {
            <ul data-testid=testid>
                {list.into_iter().map(|l| view! {
                    <li><a href=link(&l)><span class="ind-id">{l.id.clone()}</span></a> " " <Tx text=l.title /></li>
                }).collect_view()}
            </ul>
        }
    };
    let required = page.required_percent;
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href=format!("/evaluations/{}", h.id)>{h.commune.clone()} " — " {h.round.clone()}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(finalise_title)}</h1>
        <p data-testid="finalise-coverage">
            {tr!(answered)} " " <strong>{page.answered} " / " {page.applicable}</strong>
            {(page.no_information > 0).then(|| view! { " " <span class="muted">"(" {tr!(finalise_of_which_ni, n = move || page.no_information)} ")"</span> })}
        </p>
        <div class="table-scroll" tabindex="0">
            <table data-testid="finalise-competencies">
                <caption>{tr!(finalise_by_competency)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr!(competency)}</th>
                        <th scope="col" class="num">{tr!(answered)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.competencies.into_iter().map(|c| {
                        let short = c.answered < c.applicable;
                        view! {
                            <tr class:short=short>
                                <th scope="row"><a href=format!("/evaluations/{}/consensus?competence={}", h.id, c.id)><Tx text=c.title /></a></th>
                                <td class="num">{c.answered} " / " {c.applicable}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{tr!(finalise_critical_title)}</h2>
        {if page.unanswered_critical.is_empty() {
            view! { <p data-testid="unanswered-critical-none">{tr!(finalise_critical_none)}</p> }.into_any()
        } else {
            indicators(page.unanswered_critical, "unanswered-critical").into_any()
        }}
        <h2>{tr!(finalise_disagreements_title)}</h2>
        {if page.open_disagreements.is_empty() {
            view! { <p data-testid="open-disagreements-none">{tr!(finalise_disagreements_none)}</p> }.into_any()
        } else {
            view! {
                <p class="muted">{tr!(finalise_disagreements_hint)}</p>
                {indicators(page.open_disagreements, "open-disagreements")}
            }.into_any()
        }}
        {if h.finalised {
            view! { <p class="notice" data-testid="already-finalised">{tr!(finalise_already)}</p> }.into_any()
        } else {
            view! {
                {if page.complete {
                    view! { <p class="notice" data-testid="finalise-complete">{tr!(finalise_complete)}</p> }.into_any()
                } else {
                    view! { <p class="error" data-testid="finalise-incomplete">{tr!(finalise_incomplete, percent = move || required)}</p> }.into_any()
                }}
                <form method="post" action="/api/finalise_assessment" class="finalise" data-testid="finalise-form">
                    <input type="hidden" name="id" value=h.id.to_string() />
                    <input type="hidden" name="version" value=h.version.to_string() />
                    {(!page.complete).then(|| view! {
                        <fieldset>
                            <legend>{tr!(finalise_provisional_legend)}</legend>
                            <label>
                                <input type="checkbox" name="provisional" value="1" data-testid="finalise-provisional" />
                                " " {tr!(finalise_provisional_label)}
                            </label>
                            <label>
                                {tr!(finalise_reason)}
                                <textarea name="reason" rows="2" maxlength=crate::view::limits::TEXT data-testid="finalise-reason"></textarea>
                            </label>
                        </fieldset>
                    })}
                    <label>
                        <input type="checkbox" name="confirm" value="1" data-testid="finalise-confirm" />
                        " " {tr!(finalise_confirm)}
                    </label>
                    <p>
                        <button type="submit" class="primary" data-testid="finalise-submit">{tr!(finalise)}</button>
                        <span class="muted">" " {tr!(finalise_hint)}</span>
                    </p>
                </form>
            }.into_any()
        }}
    }
}
