//! `/resultats` (every assessment with its overall score) and
//! `/evaluations/{id}/resultats` (one assessment's results: summary,
//! minimum conditions, charts, the score tree with "why?" down to each
//! rater's level and evidence, disagreements, gaps, progress).
//!
//! The explanations are `<details>` elements: they open without JavaScript.
//! Charts are SVG drawn on the server by `capacity-charts`, which escapes
//! every text it writes; they are the only HTML inserted as such.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::results::{
    IndicatorItem, NodeItem, ResultLine, ResultsView, TableView, TreeItem, list_results,
    load_results,
};
use crate::locale::{core_lang, use_locale};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, Tx};

/// `/resultats`.
#[component]
pub fn ResultsPage() -> impl IntoView {
    let lines = Resource::new(|| (), |()| list_results());
    view! {
        <h1 data-testid="page-title">{tr!(nav_results)}</h1>
        <p>{tr!(section_results_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match lines.await {
                    Ok(lines) => view! { <ResultIndex lines /> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ResultIndex(lines: Vec<ResultLine>) -> impl IntoView {
    let lang = core_lang(use_locale().get_untracked());
    view! {
        <div class="table-scroll" tabindex="0">
            <table data-testid="results-index">
                <thead>
                    <tr>
                        <th scope="col">{tr!(commune)}</th>
                        <th scope="col">{tr!(round)}</th>
                        <th scope="col">{tr!(rubric)}</th>
                        <th scope="col" class="num">{tr!(overall_score)}</th>
                        <th scope="col">{tr!(status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr>
                            <td>
                                <a href=format!("/evaluations/{}/resultats", l.id)>{l.commune}</a>
                                <br /><span class="muted">{l.cercle} " · " {l.region}</span>
                            </td>
                            <td>{l.round}</td>
                            <td><Tx text=l.rubric_title /></td>
                            <td class="num">
                                {l.overall.map_or_else(|| "—".to_owned(), |s| capacity::format::score(s, lang))}
                                {l.provisional.then(|| view! { " " <span class="tag">{tr!(provisional)}</span> })}
                            </td>
                            <td>{if l.finalised { tr!(finalised).into_any() } else { tr!(in_progress).into_any() }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/evaluations/{id}/resultats`.
#[component]
pub fn AssessmentResultsPage() -> impl IntoView {
    let params = use_params_map();
    let locale = use_locale();
    let key = move || {
        let id = params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(-1);
        (id, core_lang(locale.get()))
    };
    let view_data = Resource::new(key, |(id, lang)| load_results(id, lang));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => view! { <ResultsBody v /> }.into_any(),
                    Err(e) => view! {
                        <h1 data-testid="page-title">{tr!(nav_results)}</h1>
                        <ErrorBox error=e />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's body. On the server, its HTML is rendered once per view
/// identity and the reader rights it depends on, and kept
/// ([`crate::ui::fragments::Fragments`]): every reader with those rights, and
/// every address of the page, gets the same part inserted as it is.
#[component]
fn ResultsBody(v: ResultsView) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<crate::ui::fragments::Fragments>() {
        use leptos::tachys::view::RenderHtml;
        // What the body shows beyond the view's identity: the reader's
        // right to the history and whether the verification is shown.
        let key = format!(
            "results:{}:{}:{}",
            v.identity,
            v.header.can.history,
            v.verification.is_some()
        );
        let html = parts.get_or_render(key, move || body_parts(v).to_html());
        return view! { <div class="results-body" inner_html=html></div> }.into_any();
    }
    view! { <div class="results-body">{body_parts(v)}</div> }.into_any()
}

/// What [`ResultsBody`] shows.
fn body_parts(v: ResultsView) -> impl IntoView {
    let h = v.header.clone();
    let base = format!("/evaluations/{}", h.id);
    let conditions_ok = v.conditions_failed == 0 && v.conditions_pending == 0;
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href=format!("/communes/{}", h.commune_id)>{h.commune.clone()}</a>
            " › "
            <a href=base.clone()>{h.round.clone()}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(res_title)} " — " {h.commune.clone()} " (" {h.round.clone()} ")"</h1>
        <p class="muted">
            {h.cercle.clone()} " · " {h.region.clone()} " · " <Tx text=h.rubric_title.clone() />
            " " {h.rubric_version.clone()} " · " {h.date.clone()}
        </p>
        {h.reopened.then(|| view! {
            <p class="notice" data-testid="reopened">{tr!(reopened_notice)}</p>
        })}
        <section class="summary" aria-labelledby="res-summary" data-testid="results-summary">
            <h2 id="res-summary" class="visually-hidden">{tr!(res_summary)}</h2>
            <p class="headline">
                {tr!(overall_score)} " "
                <strong data-testid="overall">{v.overall.clone()}</strong>
                {v.grade.clone().map(|g| view! { " " <span class="tag" data-testid="grade">{g}</span> })}
                {v.provisional.then(|| view! { " " <span class="tag warn" data-testid="provisional">{tr!(provisional)}</span> })}
                {(!h.finalised).then(|| view! { " " <span class="tag">{tr!(in_progress)}</span> })}
            </p>
            <p>
                {tr!(answered)} {tr!(colon)} <span data-testid="coverage">{v.answered} " / " {v.applicable}</span>
                {v.provisional.then(|| view! { <br /><span class="muted">{tr!(res_provisional_hint)}</span> })}
            </p>
            <p>
                {if conditions_ok {
                    view! { <span class="tag ok" data-testid="conditions">{tr!(res_conditions_met)}</span> }.into_any()
                } else {
                    view! {
                        <span class="tag critical" data-testid="conditions">
                            {v.conditions_failed} " " {tr!(conditions_failed)}
                        </span>
                        {(v.conditions_pending > 0).then(|| view! {
                            " " <span class="tag warn">{v.conditions_pending} " " {tr!(res_conditions_pending)}</span>
                        })}
                    }.into_any()
                }}
            </p>
            <p class="actions">
                <a href=format!("{base}/plan") class="button">{tr!(res_to_plan)}</a>
                " "
                <a href=format!("{base}/rapport") class="button">{tr!(res_report)}</a>
                " "
                <a href=format!("{base}/consensus") class="button">{tr!(consensus_title)}</a>
            </p>
        </section>

        {v.verification.clone().map(|vv| view! { <VerifiedSection v=vv base=base.clone() /> })}

        <section aria-labelledby="res-conditions">
            <h2 id="res-conditions">{tr!(res_conditions_title)}</h2>
            <DataTable table=v.conditions.clone() testid="conditions-table" />
        </section>

        <section aria-labelledby="res-charts">
            <h2 id="res-charts">{tr!(res_charts_title)}</h2>
            <div class="charts">
                <figure>
                    <div class="chart" data-testid="radar" inner_html=v.radar_svg.clone()></div>
                    <figcaption>{tr!(res_radar_caption)}</figcaption>
                </figure>
                <figure>
                    <div class="chart" data-testid="gap-chart" inner_html=v.gaps_svg.clone()></div>
                    <figcaption>{tr!(res_gaps_caption)}</figcaption>
                </figure>
                {v.previous.clone().map(|(pid, round, svg)| view! {
                    <figure>
                        <div class="chart" data-testid="progress-chart" inner_html=svg></div>
                        <figcaption>
                            {tr!(res_progress_caption)} " "
                            <a href=format!("/evaluations/{pid}/resultats")>{round}</a>
                        </figcaption>
                    </figure>
                })}
            </div>
        </section>

        <section aria-labelledby="res-tree" data-testid="score-tree">
            <h2 id="res-tree">{tr!(res_tree_title)}</h2>
            <p class="muted">{v.overall_rule.clone()}</p>
            <p class="muted">{v.flag_legend.clone()}</p>
            {v.tree.iter().cloned().map(|item| match item {
                TreeItem::Node(n) => view! { <NodeBlock n /> }.into_any(),
                TreeItem::Indicator(i) => view! { <IndicatorBlock i base=base.clone() history=h.can.history /> }.into_any(),
            }).collect_view()}
        </section>

        <section aria-labelledby="res-disagreements">
            <h2 id="res-disagreements">{tr!(disagreements)}</h2>
            {if v.disagreements.rows.is_empty() {
                view! { <p data-testid="no-disagreement">{tr!(res_no_disagreement)}</p> }.into_any()
            } else {
                view! {
                    <DataTable table=v.disagreements.clone() testid="disagreements-table" />
                    <p><a href=format!("{base}/consensus")>{tr!(res_go_consensus)}</a></p>
                }.into_any()
            }}
        </section>

        <section aria-labelledby="res-gaps">
            <h2 id="res-gaps">{tr!(res_gaps_title)}</h2>
            <DataTable table=v.gaps.clone() testid="gaps-table" />
        </section>
    }
}

/// The independent verification beside the self-assessment: both
/// overall scores, both per domain and competency, every changed level
/// with its reason, and the verification report.
#[component]
fn VerifiedSection(v: crate::view::verification::VerifiedView, base: String) -> impl IntoView {
    view! {
        <section id="verification" aria-labelledby="res-verification" data-testid="verification">
            <h2 id="res-verification">{tr!(ver_results_title)}</h2>
            <p data-testid="verification-state">
                {tr!(ver_by)} " " {v.verifier.clone()} " — "
                {if v.completed {
                    view! { <span class="tag ok">{tr!(ver_completed)}</span> }.into_any()
                } else {
                    view! { <span class="tag warn">{tr!(ver_in_progress_not_final)}</span> }.into_any()
                }}
            </p>
            <p class="headline">
                {tr!(ver_self_overall)} " " <strong data-testid="self-overall">{v.self_overall.clone()}</strong>
                " · " {tr!(ver_verified_overall)} " "
                <strong data-testid="verified-overall">{v.verified_overall.clone()}</strong>
                {v.verified_grade.clone().map(|g| view! { " " <span class="tag">{g}</span> })}
            </p>
            {v.comment.clone().map(|c| view! { <p>{tr!(ver_comment)} {tr!(colon)} {c}</p> })}
            <DataTable table=v.side_by_side.clone() testid="verification-side-by-side" />
            {if v.changes == 0 {
                view! { <p data-testid="verification-no-change">{tr!(ver_no_change)}</p> }.into_any()
            } else {
                view! { <DataTable table=v.differences.clone() testid="verification-differences" /> }.into_any()
            }}
            <p class="actions">
                <a href=format!("{base}/verification/rapport") class="button" data-testid="verification-report-link">{tr!(ver_report)}</a>
                " "
                <a href=format!("{base}/verification")>{tr!(ver_open_page)}</a>
            </p>
        </section>
    }
}

/// A table from the report crate, as text.
#[component]
pub fn DataTable(
    /// The table.
    table: TableView,
    /// `data-testid` of the table.
    testid: &'static str,
) -> impl IntoView {
    let numeric: Vec<bool> = table.columns.iter().map(|(_, n)| *n).collect();
    view! {
        <div class="table-scroll" tabindex="0">
            <table data-testid=testid>
                {(!table.title.is_empty()).then(|| view! { <caption>{table.title.clone()}</caption> })}
                <thead>
                    <tr>
                        {table.columns.iter().map(|(label, n)| view! {
                            <th scope="col" class:num=*n>{label.clone()}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {table.rows.into_iter().map(|row| view! {
                        <tr>
                            {row.into_iter().enumerate().map(|(i, cell)| view! {
                                <td class:num=numeric.get(i).copied().unwrap_or(false)>{cell}</td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {table.note.map(|n| view! { <p class="muted">{n}</p> })}
    }
}

#[component]
fn NodeBlock(n: NodeItem) -> impl IntoView {
    let heading = view! {
        {n.heading.clone()} {tr!(colon)}
        <span class="score">{n.score.clone()}</span>
        {n.grade.clone().map(|g| view! { " " <span class="tag">{g}</span> })}
        {(!n.marks.is_empty()).then(|| view! { " " <span class="tag" title="flags">{n.marks.clone()}</span> })}
    };
    let anchor = format!("n-{}", n.id);
    let heading = match n.depth {
        0 => view! { <h3 id=anchor class="node-head">{heading}</h3> }.into_any(),
        1 => view! { <h3 id=anchor class="node-head domain">{heading}</h3> }.into_any(),
        _ => view! { <h4 id=anchor class="node-head">{heading}</h4> }.into_any(),
    };
    view! {
        <div class="node" data-testid=format!("node-{}", n.id)>
            {heading}
            <p class="muted why-node">{n.sentence.clone()}</p>
            {(!n.children.is_empty()).then(|| view! {
                <div class="table-scroll" tabindex="0">
                    <table class="compact">
                        <thead>
                            <tr>
                                <th scope="col">"Id"</th>
                                <th scope="col">{tr!(res_title_col)}</th>
                                <th scope="col">{tr!(res_level)}</th>
                                <th scope="col" class="num">"Score"</th>
                                <th scope="col" class="num">{tr!(res_weight)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {n.children.iter().map(|c| view! {
                                <tr>
                                    <td><a href=format!("#n-{}", c.id)>{c.id.clone()}</a></td>
                                    <td>{c.title.clone()}</td>
                                    <td>{c.grade.clone()}</td>
                                    <td class="num">{c.score.clone()}</td>
                                    <td class="num">{c.weight.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </div>
    }
}

#[component]
fn IndicatorBlock(i: IndicatorItem, base: String, history: bool) -> impl IntoView {
    let consensus = format!("{base}/consensus?competence={}#{}", i.competency, i.id);
    let history_href = format!("{base}/historique?indicateur={}", i.id);
    view! {
        <div
            class="indicator-result"
            class:fail=i.failed
            id=format!("i-{}", i.id)
            data-testid=format!("ind-{}", i.id)
        >
            <p class="ind-head">
                <span class="ind-id">{i.id.clone()}</span> " " {i.title.clone()} {tr!(colon)}
                <span class="tag level" data-testid="level">{i.level.clone()}</span>
                " " {i.score.clone()} " · " {tr!(res_target)} " " {i.target.clone()}
                {i.weight.clone().map(|w| view! { " · " {tr!(res_weight_short)} " " {w} })}
                {i.condition.clone().map(|(class, words)| view! { " " <span class=class>{words}</span> })}
                {(!i.flags.is_empty()).then(|| view! { " " <span class="tag">{i.flags.clone()}</span> })}
            </p>
            <details>
                <summary>{tr!(res_why)}</summary>
                <p data-testid="why">{i.sentence.clone()}</p>
                {i.descriptor.clone().map(|d| view! {
                    <p><em>{tr!(res_descriptor)}</em> {tr!(colon)} {d}</p>
                })}
                {(!i.ratings.is_empty()).then(|| view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="compact" data-testid="ratings">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(res_rater)}</th>
                                    <th scope="col">{tr!(role)}</th>
                                    <th scope="col">{tr!(res_level)}</th>
                                    <th scope="col">{tr!(evidence)}</th>
                                    <th scope="col">{tr!(res_refs)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {i.ratings.iter().map(|r| view! {
                                    <tr>
                                        <td>{r.name.clone()}</td>
                                        <td>{r.role.clone()}</td>
                                        <td>{r.level.clone()}</td>
                                        <td>{r.evidence.clone()}</td>
                                        <td>{r.refs.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
                {i.comment.clone().map(|c| view! { <p><em>{tr!(res_comment)}</em> {tr!(colon)} {c}</p> })}
                <p class="muted">{tr!(res_expected)} {tr!(colon)} {i.evidence_expected.clone()}</p>
                {i.disagreement.then(|| view! { <p><a href=consensus.clone()>{tr!(res_go_consensus)}</a></p> })}
                {history.then(|| view! {
                    <p><a class="history-link" href=history_href.clone() data-testid=format!("history-{}", i.id)>{tr!(history_link)}</a></p>
                })}
            </details>
        </div>
    }
}
