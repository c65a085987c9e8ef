//! `/plan` (every assessment, each linking to its plan) and
//! `/evaluations/{id}/plan` (one assessment's costed action plan: totals,
//! actions grouped by domain and competency, one plain form to accept or
//! drop actions and override their costs, downloads and a print view with
//! `?print=1`).
//!
//! Server components only: the form posts to [`save_plan`](crate::api::plan::save_plan)
//! and the server redirects back here, so everything works without
//! JavaScript. Amounts are formatted by the core (`capacity::format`).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use rust_decimal::Decimal;

use crate::api::plan::{
    ActionLine, CostProblem, CouncilLine, DomainPlan, GoalLine, PlanPage, PlanProblem, PlanSaved,
    PlanSums, PreviousActions, ProblemKind, TypedRow, cost_field, decision, load_plan, parse_cost,
};
use crate::api::results::{ResultLine, list_results};
use crate::i18n::{Locale, td};
use crate::locale::{core_lang, use_locale};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, Tx};
use crate::ui::in_place::InPlaceForms;

fn fcfa(amount: Decimal, locale: Locale) -> String {
    capacity::format::fcfa(amount, core_lang(locale))
}

fn horizon_label(h: capacity::Horizon, l: Locale) -> AnyView {
    match h {
        capacity::Horizon::Short => td!(l, plan_horizon_short).into_any(),
        capacity::Horizon::Medium => td!(l, plan_horizon_medium).into_any(),
        capacity::Horizon::Long => td!(l, plan_horizon_long).into_any(),
    }
}

fn status_label(status: capacity::ActionStatus, l: Locale) -> AnyView {
    match status {
        capacity::ActionStatus::NotStarted => td!(l, plan_status_not_started).into_any(),
        capacity::ActionStatus::InProgress => td!(l, plan_status_in_progress).into_any(),
        capacity::ActionStatus::Done => td!(l, plan_status_done).into_any(),
    }
}

fn decision_label(value: &str, l: Locale) -> AnyView {
    match value {
        decision::ACCEPT => td!(l, plan_decision_accepted).into_any(),
        decision::DROP => td!(l, plan_decision_dropped).into_any(),
        _ => td!(l, plan_decision_proposed).into_any(),
    }
}

/// `/plan`: every assessment with its headline result, linking to its plan.
#[component]
pub fn PlanPage() -> impl IntoView {
    let list = Resource::new(|| (), |()| list_results());
    view! {
        <h1 data-testid="page-title">{tr!(nav_plan)}</h1>
        <p>{tr!(section_plan_intro)} " " {tr!(plan_list_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(lines) => view! { <PlanList lines /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PlanList(lines: Vec<ResultLine>) -> impl IntoView {
    let locale = use_locale();
    if lines.is_empty() {
        return view! { <p class="notice">{tr!(plan_list_empty)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table data-testid="plan-list">
                <thead>
                    <tr>
                        <th scope="col">{tr!(commune)}</th>
                        <th scope="col">{tr!(round)}</th>
                        <th scope="col" class="num">{tr!(overall_score)}</th>
                        <th scope="col">{tr!(status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|line| {
                        let l = locale.get_untracked();
                        let score = line.overall
                            .map(|s| capacity::format::score(s, core_lang(l)))
                            .unwrap_or_else(|| "—".to_owned());
                        let href = format!("/evaluations/{}/plan", line.id);
                        view! {
                            <tr>
                                <th scope="row">
                                    <a href=href data-testid=format!("plan-link-{}", line.id)>
                                        {line.commune.clone()}
                                    </a>
                                    <br />
                                    <span class="muted">{line.cercle.clone()} " · " {line.region.clone()}</span>
                                </th>
                                <td>{line.round.clone()} <br /><span class="muted"><Tx text=line.rubric_title.clone() /></span></td>
                                <td class="num">
                                    {score}
                                    {line.provisional.then(|| view! { " " <span class="tag">{tr!(provisional)}</span> })}
                                </td>
                                <td>{if line.finalised { tr!(finalised).into_any() } else { tr!(in_progress).into_any() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/evaluations/{id}/plan[?saved=N][&outcome=TOKEN][&print=1]`.
#[component]
pub fn PlanRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let id = params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        (id, query.read().get("outcome").unwrap_or_default())
    };
    let saved = move || {
        query
            .read()
            .get("saved")
            .and_then(|v| v.parse::<usize>().ok())
    };
    let print = move || query.read().get("print").is_some_and(|v| v == "1");
    let page = Resource::new(key, |(id, outcome)| load_plan(id, outcome));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    // Read-only for those who may not change the plan.
                    Ok(p) if print() || !p.header.editable => view! { <PrintView page=p /> }.into_any(),
                    Ok(p) => view! { <InPlaceForms><PlanView page=p saved=saved() /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(nav_plan)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Title, breadcrumb and the finalised note shared by both views.
#[component]
fn PlanHeading(page: PlanPage) -> impl IntoView {
    let h = page.header;
    view! {
        <nav class="breadcrumb no-print" aria-label="breadcrumb">
            <a href="/plan">{tr!(nav_plan)}</a> " › "
            <a href=format!("/evaluations/{}", h.id)>{h.commune.clone()} " — " {h.round.clone()}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(nav_plan)} " — " {h.commune.clone()} " " {h.round.clone()}</h1>
        <p class="muted"><Tx text=h.rubric_title.clone() /> " · " {h.date.clone()}</p>
        {h.finalised.then(|| view! { <p class="notice" data-testid="finalised-note">{tr!(plan_finalised_note)}</p> })}
    }
}

/// The totals: overall, by horizon and by domain.
#[component]
fn Totals(
    totals: PlanSums,
    domains: Vec<(String, capacity::Text, crate::api::plan::Sum)>,
) -> impl IntoView {
    let l = use_locale().get_untracked();
    let t = totals;
    view! {
        <section class="plan-totals" aria-labelledby="plan-totals-title" data-testid="plan-totals">
            <h2 id="plan-totals-title">{tr!(plan_totals_title)}</h2>
            <dl class="plan-sums">
                <div class="plan-sum main">
                    <dt>{tr!(plan_total_included)}</dt>
                    <dd>
                        <strong data-testid="total-included-cost">{fcfa(t.included.cost, l)}</strong>
                        " · " <span data-testid="total-included-count">{t.included.actions}</span> " " {tr!(plan_actions_count)}
                    </dd>
                </div>
                <div class="plan-sum">
                    <dt>{tr!(plan_total_accepted)}</dt>
                    <dd>
                        <span data-testid="total-accepted-cost">{fcfa(t.accepted.cost, l)}</span>
                        " · " {t.accepted.actions} " " {tr!(plan_actions_count)}
                    </dd>
                </div>
                <div class="plan-sum">
                    <dt>{tr!(plan_total_dropped)}</dt>
                    <dd>
                        <span data-testid="total-dropped-cost">{fcfa(t.dropped.cost, l)}</span>
                        " · " <span data-testid="total-dropped-count">{t.dropped.actions}</span> " " {tr!(plan_actions_count)}
                    </dd>
                </div>
                <div class="plan-sum">
                    <dt>{tr!(plan_total_council)}</dt>
                    <dd>
                        <span data-testid="total-council-cost">{fcfa(t.council.cost, l)}</span>
                        " · " {t.council.actions} " " {tr!(plan_actions_count)}
                    </dd>
                </div>
                {(t.uncosted_steps > 0).then(|| view! {
                    <div class="plan-sum">
                        <dt>{tr!(plan_uncosted_steps)}</dt>
                        <dd data-testid="uncosted-steps">{t.uncosted_steps}</dd>
                    </div>
                })}
            </dl>
            <div class="plan-breakdowns">
                <div class="table-scroll" tabindex="0">
                    <table data-testid="totals-by-horizon">
                        <caption>{tr!(plan_by_horizon)}</caption>
                        <tbody>
                            {t.by_horizon.into_iter().map(|(h, s)| view! {
                                <tr>
                                    <th scope="row">{horizon_label(h, l)}</th>
                                    <td class="num">{s.actions}</td>
                                    <td class="num">{fcfa(s.cost, l)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="table-scroll" tabindex="0">
                    <table data-testid="totals-by-domain">
                        <caption>{tr!(plan_by_domain)}</caption>
                        <tbody>
                            {domains.into_iter().map(|(id, title, s)| view! {
                                <tr>
                                    <th scope="row"><a href=format!("#d-{id}")><Tx text=title /></a></th>
                                    <td class="num">{s.actions}</td>
                                    <td class="num" data-testid=format!("domain-total-{id}")>{fcfa(s.cost, l)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
            <p class="muted">{tr!(plan_rubric_cost_note)}</p>
        </section>
    }
}

fn domain_sums(domains: &[DomainPlan]) -> Vec<(String, capacity::Text, crate::api::plan::Sum)> {
    domains
        .iter()
        .map(|d| (d.id.clone(), d.title.clone(), d.totals))
        .collect()
}

/// Where each action's fields are on the page: key → (element id,
/// indicator, number).
fn field_ids(domains: &[DomainPlan]) -> BTreeMap<String, (String, String, u32)> {
    let mut ids = BTreeMap::new();
    let actions = domains
        .iter()
        .flat_map(|d| &d.competencies)
        .flat_map(|c| &c.goals)
        .flat_map(|g| g.actions.iter().map(move |a| (g, a)));
    for (n, (g, a)) in actions.enumerate() {
        ids.insert(
            a.key.clone(),
            (format!("a{}", n + 1), g.indicator.clone(), a.number),
        );
    }
    ids
}

/// The message of one form problem, naming the field.
fn problem_message(
    l: Locale,
    p: &PlanProblem,
    ids: &BTreeMap<String, (String, String, u32)>,
    max: Decimal,
) -> AnyView {
    let (indicator, number) = match ids.get(&p.key) {
        Some((_, indicator, number)) => (indicator.clone(), number.to_string()),
        None => {
            // Not on the page: the key is `INDICATOR/FROM/INDEX`.
            let mut parts = p.key.rsplitn(3, '/');
            let index = parts.next().and_then(|i| i.parse::<u32>().ok());
            let _from = parts.next();
            let indicator = parts.next().unwrap_or(&p.key).to_owned();
            (
                indicator,
                index.map_or_else(|| "?".to_owned(), |i| (i + 1).to_string()),
            )
        }
    };
    let number = move || number.clone();
    let indicator = move || indicator.clone();
    let text = p.text.clone();
    let text = move || text.clone();
    let field = match p.kind {
        ProblemKind::Cost(_) => td!(l, plan_field_cost, number, indicator).into_any(),
        _ => td!(l, plan_field_decision, number, indicator).into_any(),
    };
    let message = match p.kind {
        ProblemKind::Cost(CostProblem::NotANumber) => td!(l, plan_err_not_number, text).into_any(),
        ProblemKind::Cost(CostProblem::Negative) => td!(l, plan_err_negative, text).into_any(),
        ProblemKind::Cost(CostProblem::NotWhole) => td!(l, plan_err_not_whole, text).into_any(),
        ProblemKind::Cost(CostProblem::TooLarge) => {
            let max = fcfa(max, l);
            td!(l, plan_err_too_large, text, max = move || max.clone()).into_any()
        }
        ProblemKind::UnknownDecision => td!(l, plan_err_unknown_decision).into_any(),
        ProblemKind::CannotUndecide => td!(l, plan_err_cannot_undecide).into_any(),
        ProblemKind::NotInPlan => td!(l, plan_err_not_in_plan).into_any(),
    };
    let colon = if l == Locale::fr { "\u{a0}: " } else { ": " };
    view! { {field} {colon} {message} }.into_any()
}

/// What the last save did: saved rows, refused ones, problems.
#[component]
fn Messages(
    saved: Option<usize>,
    outcome: Option<PlanSaved>,
    ids: BTreeMap<String, (String, String, u32)>,
    max: Decimal,
) -> impl IntoView {
    let l = use_locale().get_untracked();
    let outcome = outcome.unwrap_or_default();
    let problems: Vec<(Option<String>, AnyView)> = outcome
        .problems
        .iter()
        .map(|p| {
            (
                ids.get(&p.key).map(|(id, _, _)| id.clone()),
                problem_message(l, p, &ids, max),
            )
        })
        .collect();
    let refused = !outcome.refused.is_empty();
    view! {
        <div id="plan-messages" tabindex="-1">
            {saved.filter(|n| outcome.problems.is_empty() && (*n > 0 || !refused)).map(|n| view! {
                <p class="notice" role="status" data-testid="saved-count">{n} " " {tr!(plan_saved_count)}</p>
            })}
            {refused.then(|| view! { <p class="error" role="alert" data-testid="refused">{tr!(plan_refused_intro)}</p> })}
            {(!problems.is_empty()).then(|| view! {
                <div class="error" role="alert" data-testid="problems">
                    <p><strong>{tr!(plan_problems_intro)}</strong></p>
                    <ul>
                        {problems.into_iter().map(|(id, message)| match id {
                            Some(id) => view! { <li><a href=format!("#{id}-cost")>{message}</a></li> }.into_any(),
                            None => view! { <li>{message}</li> }.into_any(),
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </div>
    }
}

/// The plan with its form.
#[component]
fn PlanView(page: PlanPage, saved: Option<usize>) -> impl IntoView {
    let id = page.header.id;
    let base = format!("/evaluations/{id}/plan");
    let ids = field_ids(&page.domains);
    let outcome = page.outcome.clone().unwrap_or_default();
    let problems: BTreeMap<String, PlanProblem> = outcome
        .problems
        .iter()
        .map(|p| (p.key.clone(), p.clone()))
        .collect();
    let empty = page.domains.is_empty();
    let ctx = RowContext {
        ids: ids.clone(),
        typed: outcome.typed.clone(),
        refused: outcome.refused.clone(),
        problems,
        max: page.max_cost,
    };
    view! {
        <PlanHeading page=page.clone() />
        <Messages saved outcome=page.outcome.clone() ids max=page.max_cost />
        <ul class="actions-row plan-links no-print">
            <li><a href=format!("{base}.csv") download="" data-testid="download-csv">{tr!(plan_download_csv)}</a></li>
            <li><a href=format!("{base}.xlsx") download="" data-testid="download-xlsx">{tr!(plan_download_xlsx)}</a></li>
            <li><a href=format!("/evaluations/{id}/evaluation.toml") download="" data-testid="download-file">{tr!(plan_download_file)}</a></li>
            <li><a href=format!("{base}?print=1") data-testid="print-link">{tr!(plan_print)}</a></li>
        </ul>
        <Totals totals=page.totals.clone() domains=domain_sums(&page.domains) />
        {if empty {
            view! { <p class="notice" data-testid="plan-empty">{tr!(plan_no_actions)}</p> }.into_any()
        } else {
            view! {
                <form method="post" action="/api/save_plan" class="plan-form" data-testid="plan-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <p class="muted">{tr!(plan_cost_hint)}</p>
                    {page.domains.into_iter().map(|d| view! { <DomainSection domain=d ctx=ctx.clone() /> }).collect_view()}
                    <div class="plan-submit">
                        <button type="submit" class="primary" data-testid="save-plan">{tr!(plan_save)}</button>
                    </div>
                </form>
            }.into_any()
        }}
        <CouncilSection id=id actions=page.council.clone() indicators=page.indicators.clone() editable=true />
        {page.previous.clone().map(|p| view! { <PreviousSection previous=p /> })}
    }
}

/// The council's own actions: a table with a status form per row and,
/// when editable, a plain form to add one.
#[component]
fn CouncilSection(
    id: i64,
    actions: Vec<CouncilLine>,
    indicators: Vec<(String, capacity::Text)>,
    editable: bool,
) -> impl IntoView {
    let l = use_locale().get_untracked();
    let lang = core_lang(l);
    view! {
        <section class="plan-council" id="council" aria-labelledby="council-title" data-testid="council">
            <h2 id="council-title">{tr!(plan_council_title)}</h2>
            <p class="muted">{tr!(plan_council_intro)}</p>
            {if actions.is_empty() {
                view! { <p data-testid="council-empty">{tr!(plan_council_none)}</p> }.into_any()
            } else {
                view! { <CouncilTable id actions editable /> }.into_any()
            }}
            {editable.then(|| view! {
                <form method="post" action="/api/add_council_action" class="plan-council-add" data-testid="council-add">
                    <input type="hidden" name="id" value=id.to_string() />
                    <h3>{tr!(plan_council_add)}</h3>
                    <label>{tr!(plan_council_what)}
                        <input type="text" name="title" required maxlength=crate::view::limits::TEXT data-testid="council-title" />
                    </label>
                    <label>{tr!(plan_council_indicator)}
                        <select name="indicator" data-testid="council-indicator">
                            {indicators.into_iter().map(|(i, t)| {
                                let label = format!("{i} — {}", t.get(lang));
                                view! { <option value=i>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{tr!(plan_cost_label)}
                        <input type="text" name="cost" inputmode="numeric" required data-testid="council-cost" />
                    </label>
                    <label>{tr!(plan_horizon)}
                        <select name="horizon" data-testid="council-horizon">
                            <option value="short">{horizon_label(capacity::Horizon::Short, l)}</option>
                            <option value="medium">{horizon_label(capacity::Horizon::Medium, l)}</option>
                            <option value="long">{horizon_label(capacity::Horizon::Long, l)}</option>
                        </select>
                    </label>
                    <label>{tr!(plan_council_responsible)}
                        <input type="text" name="responsible" required maxlength=crate::view::limits::NAME data-testid="council-responsible" />
                    </label>
                    <label>{tr!(plan_council_deadline)}
                        <input type="date" name="deadline" data-testid="council-deadline" />
                    </label>
                    <button type="submit" data-testid="council-submit">{tr!(plan_council_add_button)}</button>
                </form>
            })}
        </section>
    }
}

#[component]
fn CouncilTable(id: i64, actions: Vec<CouncilLine>, editable: bool) -> impl IntoView {
    let l = use_locale().get_untracked();
    view! {
        <div class="table-scroll" tabindex="0">
            <table data-testid="council-actions">
                <thead>
                    <tr>
                        <th scope="col">{tr!(plan_action)}</th>
                        <th scope="col">{tr!(plan_council_indicator)}</th>
                        <th scope="col">{tr!(plan_council_responsible)}</th>
                        <th scope="col">{tr!(plan_council_deadline)}</th>
                        <th scope="col">{tr!(plan_horizon)}</th>
                        <th scope="col" class="num">{tr!(plan_retained_cost)}</th>
                        <th scope="col">{tr!(plan_council_status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {actions.into_iter().map(|a| {
                        let status = if editable {
                            view! {
                                <form method="post" action="/api/set_council_action_status" class="inline" data-testid=format!("council-status-{}", a.id)>
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <input type="hidden" name="action" value=a.id.to_string() />
                                    <input type="hidden" name="version" value=a.version.to_string() />
                                    <label>
                                        <span class="visually-hidden">{tr!(plan_council_status)} " " {a.title.clone()}</span>
                                        <select name="status">
                                            {capacity::ActionStatus::ALL.into_iter().map(|s| view! {
                                                <option value=s.code() selected=s == a.status>{status_label(s, l)}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit">{tr!(save)}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! { <span data-testid="council-status">{status_label(a.status, l)}</span> }.into_any()
                        };
                        let edit = editable.then(|| view! { <CouncilEdit id action=a.clone() /> });
                        view! {
                            <tr data-testid=format!("council-{}", a.id)>
                                <td>{a.title.clone()} {edit}</td>
                                <td><span class="ind-id">{a.indicator.clone()}</span> " " <Tx text=a.indicator_title.clone() /></td>
                                <td>{a.responsible.clone()}</td>
                                <td>{a.deadline.clone().unwrap_or_default()}</td>
                                <td>{horizon_label(a.horizon, l)}</td>
                                <td class="num" data-testid="council-cost">{fcfa(a.cost, l)}</td>
                                <td>{status}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The edit and delete forms of one council action (plain forms, folded).
#[component]
fn CouncilEdit(id: i64, action: CouncilLine) -> impl IntoView {
    let l = use_locale().get_untracked();
    let a = action;
    let key = a.id.to_string();
    view! {
        <details data-testid=format!("council-edit-{}", a.id)>
            <summary>{tr!(plan_council_edit)}</summary>
            <form method="post" action="/api/update_council_action" class="plan-council-add">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="action" value=key.clone() />
                <input type="hidden" name="version" value=a.version.to_string() />
                <input type="hidden" name="indicator" value=a.indicator.clone() />
                <label>{tr!(plan_council_what)}
                    <input type="text" name="title" required maxlength=crate::view::limits::TEXT value=a.title.clone() />
                </label>
                <label>{tr!(plan_cost_label)}
                    <input type="text" name="cost" inputmode="numeric" required value=a.cost.to_string() />
                </label>
                <label>{tr!(plan_horizon)}
                    <select name="horizon">
                        {[capacity::Horizon::Short, capacity::Horizon::Medium, capacity::Horizon::Long].into_iter().map(|h| view! {
                            <option value=h.code() selected=h == a.horizon>{horizon_label(h, l)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>{tr!(plan_council_responsible)}
                    <input type="text" name="responsible" required maxlength=crate::view::limits::NAME value=a.responsible.clone() />
                </label>
                <label>{tr!(plan_council_deadline)}
                    <input type="date" name="deadline" value=a.deadline.clone().unwrap_or_default() />
                </label>
                <button type="submit">{tr!(save)}</button>
            </form>
            <form method="post" action="/api/delete_council_action" class="inline">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="action" value=key />
                <input type="hidden" name="version" value=a.version.to_string() />
                <button type="submit" data-testid=format!("council-delete-{}", a.id)>{tr!(plan_council_delete)}</button>
            </form>
        </details>
    }
}

/// The council's actions of the previous round, with where they stand.
#[component]
fn PreviousSection(previous: PreviousActions) -> impl IntoView {
    let round = previous.round.clone();
    let round = move || round.clone();
    view! {
        <section class="plan-previous" aria-labelledby="previous-title" data-testid="previous-actions">
            <h2 id="previous-title">{tr!(plan_previous_title, round = round.clone())}</h2>
            <p class="muted">
                {tr!(plan_previous_intro)} " "
                <a href=format!("/evaluations/{}/plan", previous.id)>{tr!(plan_previous_link)}</a>
            </p>
            <CouncilTable id=previous.id actions=previous.actions editable=false />
        </section>
    }
}

/// What a row needs besides its action: its element id and what the last
/// save said about it.
#[derive(Debug, Clone)]
struct RowContext {
    ids: BTreeMap<String, (String, String, u32)>,
    typed: BTreeMap<String, TypedRow>,
    refused: BTreeMap<String, TypedRow>,
    problems: BTreeMap<String, PlanProblem>,
    max: Decimal,
}

#[component]
fn DomainSection(domain: DomainPlan, ctx: RowContext) -> impl IntoView {
    let l = use_locale().get_untracked();
    view! {
        <section class="plan-domain" id=format!("d-{}", domain.id) aria-labelledby=format!("d-{}-title", domain.id)>
            <h2 id=format!("d-{}-title", domain.id)>
                <Tx text=domain.title.clone() />
                <span class="plan-subtotal">{fcfa(domain.totals.cost, l)}</span>
            </h2>
            {domain.competencies.into_iter().map(|c| view! {
                <section class="plan-competency">
                    <h3>
                        <Tx text=c.title.clone() />
                        <span class="plan-subtotal" data-testid=format!("competency-total-{}", c.id)>{fcfa(c.totals.cost, l)}</span>
                    </h3>
                    {c.goals.into_iter().map(|g| view! { <GoalCard goal=g ctx=ctx.clone() /> }).collect_view()}
                </section>
            }).collect_view()}
        </section>
    }
}

/// Where an indicator stands and where the plan takes it.
#[component]
fn GoalSummary(goal: GoalLine) -> impl IntoView {
    view! {
        <p class="plan-goal muted">
            {tr!(plan_priority)} " " {goal.priority} " · "
            {tr!(plan_level_now)} " " <span class="level-code">{goal.level.clone()}</span> " → "
            {tr!(plan_goal)} " " <span class="level-code">{goal.goal.clone()}</span>
            {(goal.goal != goal.target).then(|| view! { " (" {tr!(plan_target)} " " {goal.target.clone()} ")" })}
            {goal.failed_condition.then(|| view! { " " <span class="tag critical">{tr!(plan_failed_condition)}</span> })}
        </p>
        {(!goal.uncosted.is_empty()).then(|| view! {
            <p class="muted">{tr!(plan_uncosted)} " " {goal.uncosted.join(", ")}</p>
        })}
    }
}

#[component]
fn GoalCard(goal: GoalLine, ctx: RowContext) -> impl IntoView {
    let actions = goal.actions.clone();
    let testid = format!("goal-{}", goal.indicator);
    view! {
        <article class="plan-goal-card" data-testid=testid>
            <h4><span class="ind-id">{goal.indicator.clone()}</span> " " <Tx text=goal.title.clone() /></h4>
            <GoalSummary goal=goal />
            {actions.into_iter().map(|a| view! { <ActionRow action=a ctx=ctx.clone() /> }).collect_view()}
        </article>
    }
}

/// One action: what, who, when, costs, and its form fields.
#[component]
fn ActionRow(action: ActionLine, ctx: RowContext) -> impl IntoView {
    let l = use_locale().get_untracked();
    let a = action;
    let (element, _, _) = ctx
        .ids
        .get(&a.key)
        .cloned()
        .unwrap_or_else(|| (String::from("a0"), String::new(), 0));
    let stored_decision = decision::value(a.decision);
    let stored_cost = cost_field(a.cost_override);
    // After a refused save the person's typed values come back; after a
    // stale refusal the stored (newer) ones are shown, theirs alongside.
    let typed = ctx.typed.get(&a.key).cloned();
    let refused = ctx.refused.get(&a.key).cloned();
    let problem = ctx.problems.get(&a.key).cloned();
    let is_refused = refused.is_some();
    let (shown_decision, shown_cost, was_decision, was_cost, version) = match &typed {
        Some(t) => (
            t.decision.clone(),
            t.cost.clone(),
            t.was_decision.clone(),
            t.was_cost.clone(),
            t.version,
        ),
        None => (
            stored_decision.to_owned(),
            stored_cost.clone(),
            stored_decision.to_owned(),
            stored_cost.clone(),
            a.version,
        ),
    };
    let name = |field: &str| format!("{field}[{}]", a.key);
    let cost_id = format!("{element}-cost");
    let hint_id = format!("{element}-hint");
    let error_id = format!("{element}-error");
    let described = if problem.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    let dropped = stored_decision == decision::DROP;
    let radio = |value: &'static str| {
        let checked = shown_decision == value;
        let input_id = format!("{element}-{value}");
        view! {
            <label for=input_id.clone() class="plan-choice">
                <input type="radio" id=input_id.clone() name=name("decision") value=value checked=checked
                    data-testid=format!("{value}-{}", a.key) />
                {decision_label(value, l)}
            </label>
        }
    };
    view! {
        <fieldset class="plan-action" class:dropped=dropped class:refused=is_refused
            id=element.clone() data-testid=format!("action-{}", a.key)>
            <legend>
                <span class="ind-id">{tr!(plan_action_number)} " " {a.number}</span> " "
                <span data-testid="action-text"><Tx text=a.text.clone() /></span>
            </legend>
            <p class="plan-meta muted">
                {tr!(plan_step)} " " {a.step.clone()} " · " {horizon_label(a.horizon, l)}
                {(!a.responsible.fr.is_empty()).then(|| view! { " · " {tr!(plan_responsible_label)} " " <Tx text=a.responsible.clone() /> })}
            </p>
            <p class="plan-costs">
                {tr!(plan_rubric_cost)} " " <span data-testid="rubric-cost">{fcfa(a.rubric_cost, l)}</span>
                " · " {tr!(plan_retained_cost)} " " <strong data-testid="retained-cost">{fcfa(a.cost(), l)}</strong>
                " · " <span class="tag" data-testid="decision">{decision_label(stored_decision, l)}</span>
            </p>
            {refused.map(|r| view! {
                <div class="error" role="alert" data-testid="stale-row">
                    <p><strong>{tr!(plan_refused_row)}</strong></p>
                    <p>
                        {tr!(plan_stored_now)} " " <span data-testid="stored-now">{decision_label(stored_decision, l)} ", " {fcfa(a.cost(), l)}</span>
                    </p>
                    <p>
                        {tr!(plan_yours)} " " <span data-testid="yours">{decision_label(r.decision.trim(), l)} ", "
                        {match parse_cost(&r.cost) {
                            Ok(Some(c)) => fcfa(c, l),
                            Ok(None) => fcfa(a.rubric_cost, l),
                            Err(_) => r.cost.clone(),
                        }}</span>
                    </p>
                </div>
            })}
            <input type="hidden" name=name("version") value=version.to_string() />
            <input type="hidden" name=name("was_decision") value=was_decision />
            <input type="hidden" name=name("was_cost") value=was_cost />
            <fieldset class="plan-decision">
                <legend>{tr!(plan_decision)}</legend>
                {(stored_decision == decision::PROPOSED).then(|| radio(decision::PROPOSED))}
                {radio(decision::ACCEPT)}
                {radio(decision::DROP)}
            </fieldset>
            <div class="plan-cost-field">
                <label for=cost_id.clone()>{tr!(plan_cost_label)}</label>
                <input type="text" inputmode="numeric" autocomplete="off" id=cost_id name=name("cost")
                    value=shown_cost placeholder=a.rubric_cost.normalize().to_string()
                    aria-describedby=described aria-invalid=problem.is_some().then_some("true")
                    data-testid=format!("cost-{}", a.key) />
                <span id=hint_id class="muted plan-hint">{tr!(plan_cost_empty_hint)}</span>
                {problem.map(|p| view! {
                    <p id=error_id class="field-error" data-testid="field-error">{problem_message(l, &p, &ctx.ids, ctx.max)}</p>
                })}
            </div>
        </fieldset>
    }
}

/// `?print=1`: the plan without its form, for paper (the print stylesheet
/// hides the site's chrome).
#[component]
fn PrintView(page: PlanPage) -> impl IntoView {
    let l = use_locale().get_untracked();
    let base = format!("/evaluations/{}/plan", page.header.id);
    view! {
        <div class="plan-print" data-testid="plan-print">
            <PlanHeading page=page.clone() />
            <p class="no-print notice">
                {tr!(plan_print_hint)} " " <a href=base data-testid="back-to-plan">{tr!(plan_back)}</a>
            </p>
            <Totals totals=page.totals.clone() domains=domain_sums(&page.domains) />
            {page.domains.into_iter().map(|d| view! {
                <section class="plan-domain">
                    <h2><Tx text=d.title.clone() /> <span class="plan-subtotal">{fcfa(d.totals.cost, l)}</span></h2>
                    <table class="plan-print-table">
                        <thead>
                            <tr>
                                <th scope="col">{tr!(plan_priority)}</th>
                                <th scope="col">{tr!(plan_action)}</th>
                                <th scope="col">{tr!(plan_step)}</th>
                                <th scope="col">{tr!(plan_horizon)}</th>
                                <th scope="col">{tr!(plan_responsible)}</th>
                                <th scope="col" class="num">{tr!(plan_retained_cost)}</th>
                                <th scope="col">{tr!(plan_decision)}</th>
                            </tr>
                        </thead>
                        {d.competencies.into_iter().map(|c| view! {
                            <tbody>
                                <tr class="plan-print-competency">
                                    <th scope="rowgroup" colspan="5"><Tx text=c.title.clone() /></th>
                                    <td class="num">{fcfa(c.totals.cost, l)}</td>
                                    <td></td>
                                </tr>
                                {c.goals.into_iter().flat_map(|g| {
                                    let indicator = g.indicator.clone();
                                    let priority = g.priority;
                                    g.actions.into_iter().map(move |a| {
                                        let dropped = a.decision == capacity::Decision::Dropped;
                                        view! {
                                            <tr class:dropped=dropped>
                                                <td>{priority}</td>
                                                <td><span class="ind-id">{indicator.clone()}</span> " " <Tx text=a.text.clone() /></td>
                                                <td>{a.step.clone()}</td>
                                                <td>{horizon_label(a.horizon, l)}</td>
                                                <td><Tx text=a.responsible.clone() /></td>
                                                <td class="num">{fcfa(a.cost(), l)}</td>
                                                <td>{decision_label(decision::value(a.decision), l)}</td>
                                            </tr>
                                        }
                                    })
                                }).collect_view()}
                            </tbody>
                        }).collect_view()}
                    </table>
                </section>
            }).collect_view()}
            {(!page.council.is_empty()).then(|| view! {
                <section class="plan-council" data-testid="council">
                    <h2>{tr!(plan_council_title)}</h2>
                    <CouncilTable id=page.header.id actions=page.council.clone() editable=false />
                </section>
            })}
            {page.previous.clone().map(|p| view! { <PreviousSection previous=p /> })}
        </div>
    }
}
