//! The independent verification's pages:
//! - `/verification[?campagne=ID]`: per campaign, each commune's verifier
//!   (planners and administrators assign them with a plain form), its
//!   assessment and where its verification stands; a verifier finds their
//!   assessments here;
//! - `/evaluations/{id}/verification`: the verifier's page — for each
//!   indicator the self-assessed level, every rater's level and evidence,
//!   the council's justification, and a plain form to confirm the level or
//!   set another with a reason; "confirm the rest", complete, and (for an
//!   administrator) reopen. Forms work without JavaScript and are sent in
//!   place once hydrated (`InPlaceForms`).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::verification::{
    AssignPage, AssignRow, VerifyLine, VerifyPage, VerifyStatus, load_assign_page, load_verify_page,
};
use crate::locale::{core_lang, use_locale};
use crate::ui::common::{ErrorBox, Loading, Tx};
use crate::ui::in_place::InPlaceForms;
use crate::{tr, tr_string};

/// A verification's state in words.
fn status_view(status: VerifyStatus) -> impl IntoView {
    match status {
        VerifyStatus::NotStarted => {
            view! { <span class="tag">{tr!(ver_not_started)}</span> }.into_any()
        }
        VerifyStatus::InProgress => {
            view! { <span class="tag warn">{tr!(ver_in_progress)}</span> }.into_any()
        }
        VerifyStatus::Completed => {
            view! { <span class="tag ok">{tr!(ver_completed)}</span> }.into_any()
        }
    }
}

/// `/verification`.
#[component]
pub fn AssignRoute() -> impl IntoView {
    let query = use_query_map();
    let key = move || query.read().get("campagne").unwrap_or_default();
    let page = Resource::new(key, load_assign_page);
    view! {
        <h1 data-testid="page-title">{tr!(ver_assign_title)}</h1>
        <p>{tr!(ver_assign_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <InPlaceForms><AssignView page=p /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AssignView(page: AssignPage) -> impl IntoView {
    let campaign = page.campaign.clone();
    view! {
        <form method="get" action="/verification" class="filters" data-testid="campaign-choice">
            <label>
                {tr!(ver_campaign)} " "
                <select name="campagne">
                    {page.campaigns.iter().map(|(id, label, required)| {
                        let selected = *id == campaign;
                        view! {
                            <option value=id.clone() selected=selected>
                                {label.clone()} " (" {id.clone()} ")"
                                {required.then(|| " ✓")}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            " " <button type="submit">{tr!(ver_show)}</button>
        </form>
        {if page.rows.is_empty() {
            view! { <p data-testid="assign-empty">{tr!(ver_assign_empty)}</p> }.into_any()
        } else {
            let campaign = campaign.clone();
            view! {
                <div class="table-scroll" tabindex="0">
                    <table data-testid="assignments">
                        <caption class="visually-hidden">{tr!(ver_assign_title)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{tr!(commune)}</th>
                                <th scope="col">{tr!(ver_verifier)}</th>
                                <th scope="col">{tr!(ver_assessment)}</th>
                                <th scope="col">{tr!(status)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page.rows.into_iter().map(|r| view! { <AssignLine r campaign=campaign.clone() /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn AssignLine(r: AssignRow, campaign: String) -> impl IntoView {
    let assigned = r.assigned.as_ref().map(|a| a.0);
    let testid = format!("assign-{}", r.commune_id);
    view! {
        <tr data-testid=testid>
            <th scope="row">
                <a href=format!("/communes/{}", r.commune_id)>{r.commune.clone()}</a>
                <br /><span class="muted">{r.cercle.clone()} " · " {r.region.clone()}</span>
            </th>
            <td>
                {if r.can_assign {
                    view! {
                        <form method="post" action="/api/assign_verifier" class="inline">
                            <input type="hidden" name="campaign" value=campaign.clone() />
                            <input type="hidden" name="commune" value=r.commune_id.clone() />
                            // Named by `aria-label`: a hidden label text, positioned
                            // outside the scrolling table, would widen the page.
                            <select name="account" data-testid="assign-account" aria-label=tr_string!(ver_verifier)>
                                    <option value="" selected=assigned.is_none()>{tr!(ver_nobody)}</option>
                                    {r.candidates.iter().map(|(id, name)| view! {
                                        <option value=id.to_string() selected=assigned == Some(*id)>{name.clone()}</option>
                                    }).collect_view()}
                            </select>
                            " " <button type="submit" data-testid="assign-submit">{tr!(ver_assign)}</button>
                        </form>
                        {r.candidates.is_empty().then(|| view! { <p class="muted">{tr!(ver_no_candidate)}</p> })}
                    }.into_any()
                } else {
                    view! {
                        <span data-testid="assigned-name">
                            {r.assigned.clone().map_or_else(|| "—".to_owned(), |a| a.1)}
                        </span>
                    }.into_any()
                }}
            </td>
            <td>
                {match r.assessment {
                    Some(id) => view! {
                        <a href=format!("/evaluations/{id}/resultats")>{tr!(nav_results)}</a>
                        {(!r.finalised).then(|| view! { " " <span class="tag">{tr!(in_progress)}</span> })}
                        {(r.finalised && (r.mine || r.can_assign)).then(|| view! {
                            " · " <a href=format!("/evaluations/{id}/verification") data-testid="verify-link">{tr!(ver_open_page)}</a>
                        })}
                    }.into_any(),
                    None => view! { <span class="muted">{tr!(ver_no_assessment)}</span> }.into_any(),
                }}
            </td>
            <td>
                {status_view(r.status)}
                {(r.changed > 0).then(|| view! { " " <span class="muted">{r.changed} " " {tr!(ver_changes)}</span> })}
            </td>
        </tr>
    }
}

/// `/evaluations/{id}/verification`.
#[component]
pub fn VerifyRoute() -> impl IntoView {
    let params = use_params_map();
    let locale = use_locale();
    let key = move || {
        (
            params
                .read()
                .get("id")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
            core_lang(locale.get()),
        )
    };
    let page = Resource::new(key, |(id, lang)| load_verify_page(id, lang));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <InPlaceForms><VerifyView page=p /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(ver_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn VerifyView(page: VerifyPage) -> impl IntoView {
    let h = page.header.clone();
    let id = h.id;
    let base = format!("/evaluations/{id}");
    let open = page.status != VerifyStatus::Completed && page.can_verify;
    let levels = page.levels.clone();
    view! {
        <nav class="breadcrumb" aria-label="breadcrumb">
            <a href=base.clone()>{h.commune.clone()} " — " {h.round.clone()}</a>
            " › "
            <a href="/verification">{tr!(ver_assign_title)}</a>
        </nav>
        <h1 data-testid="page-title">{tr!(ver_title)} " — " {h.commune.clone()} " (" {h.round.clone()} ")"</h1>
        <p data-testid="verify-state">
            {status_view(page.status)}
            " " {tr!(ver_verifier)} {tr!(colon)} {page.assigned.clone().unwrap_or_else(|| "—".to_owned())}
            " · " {tr!(ver_reviewed)} {tr!(colon)}
            <strong data-testid="verify-reviewed">{page.reviewed}</strong> " / " {page.to_review}
            " · " {tr!(ver_changes)} {tr!(colon)} <strong data-testid="verify-changed">{page.changed}</strong>
        </p>
        {page.reopened.then(|| view! { <p class="notice">{tr!(ver_reopened)}</p> })}
        {(!h.finalised).then(|| view! { <p class="error" data-testid="verify-not-finalised">{tr!(ver_not_finalised)}</p> })}
        {(!page.can_verify).then(|| view! { <p class="muted" data-testid="verify-read-only">{tr!(ver_read_only)}</p> })}
        <p class="muted">{tr!(ver_intro)}</p>
        {open.then(|| view! {
            <form method="post" action="/api/confirm_remaining_levels" class="inline" data-testid="confirm-remaining">
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit">{tr!(ver_confirm_remaining)}</button>
            </form>
        })}
        <ol class="verify-lines">
            {page.lines.into_iter().map(|l| view! { <VerifyItem l id open levels=levels.clone() /> }).collect_view()}
        </ol>
        {open.then(|| view! {
            <form method="post" action="/api/complete_verification" class="finalise" data-testid="complete-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="version" value=page.version.to_string() />
                <label>
                    {tr!(ver_comment)}
                    <textarea name="comment" rows="2" maxlength=crate::view::limits::TEXT>{page.comment.clone().unwrap_or_default()}</textarea>
                </label>
                <p>
                    <button type="submit" class="primary" data-testid="complete-submit">{tr!(ver_complete)}</button>
                    <span class="muted">" " {tr!(ver_complete_hint)}</span>
                </p>
            </form>
        })}
        {(page.status == VerifyStatus::Completed && page.can_reopen).then(|| view! {
            <form method="post" action="/api/reopen_verification" data-testid="reopen-form">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="version" value=page.version.to_string() />
                <label>
                    {tr!(ver_reopen_reason)}
                    <textarea name="reason" rows="2" maxlength=crate::view::limits::TEXT data-testid="reopen-reason"></textarea>
                </label>
                <button type="submit" data-testid="reopen-submit">{tr!(ver_reopen)}</button>
            </form>
        })}
        {(page.status != VerifyStatus::NotStarted).then(|| view! {
            <p><a href=format!("{base}/verification/rapport") data-testid="verification-report-link">{tr!(ver_report)}</a></p>
        })}
    }
}

#[component]
fn VerifyItem(l: VerifyLine, id: i64, open: bool, levels: Vec<String>) -> impl IntoView {
    let unanswered = move || tr!(ver_unanswered);
    let chosen = l
        .verified
        .as_ref()
        .map(|v| v.level.clone())
        .or_else(|| l.self_level.clone())
        .unwrap_or_default();
    let anchor = format!("v-{}", l.id);
    let testid = format!("verify-{}", l.id);
    view! {
        <li id=anchor data-testid=testid class:changed=l.verified.as_ref().is_some_and(|v| v.changed)>
            <h2 class="h3"><span class="ind-id">{l.id.clone()}</span> " " <Tx text=l.title.clone() /></h2>
            <p class="muted"><Tx text=l.competency.clone() /></p>
            <p>
                {tr!(ver_self_level)} {tr!(colon)}
                <strong data-testid="self-level">{match l.self_level.clone() {
                    Some(level) => level.into_any(),
                    None => unanswered().into_any(),
                }}</strong>
                {l.justification.clone().map(|j| view! { " — " <em>{j}</em> })}
                " · " {tr!(ver_verified_level)} {tr!(colon)}
                <strong data-testid="verified-level">{l.verified.as_ref().map_or_else(|| "—".to_owned(), |v| v.level.clone())}</strong>
                {l.verified.as_ref().and_then(|v| v.reason.clone()).map(|r| view! { " — " <em data-testid="verified-reason">{r}</em> })}
            </p>
            {l.comment.clone().map(|c| view! { <p class="muted">{c}</p> })}
            <details>
                <summary>{tr!(ver_evidence)} " (" {l.ratings.len()} ")"</summary>
                <p class="muted">{tr!(ver_evidence_expected)} {tr!(colon)} <Tx text=l.evidence_expected.clone() /></p>
                <ul>
                    {l.ratings.iter().map(|r| view! {
                        <li>
                            <strong>{r.name.clone()}</strong> " (" {r.role.clone()} ")" {tr!(colon)} {r.level.clone()}
                            {(!r.evidence.is_empty()).then(|| view! { " — " {r.evidence.clone()} })}
                            {(!r.refs.is_empty()).then(|| view! { " [" {r.refs.clone()} "]" })}
                        </li>
                    }).collect_view()}
                </ul>
            </details>
            {open.then(|| view! {
                <form method="post" action="/api/set_verified_level" class="verify-form" data-testid="level-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input type="hidden" name="indicator" value=l.id.clone() />
                    <input type="hidden" name="version" value=l.version.to_string() />
                    <label>
                        {tr!(ver_verified_level)} " "
                        <select name="level" data-testid="level-select">
                            {levels.iter().map(|code| view! {
                                <option value=code.clone() selected=*code == chosen>{code.clone()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr!(ver_reason)}
                        <textarea name="reason" rows="2" maxlength=crate::view::limits::TEXT data-testid="level-reason">
                            {l.verified.as_ref().and_then(|v| v.reason.clone()).unwrap_or_default()}
                        </textarea>
                    </label>
                    <button type="submit" data-testid="level-submit">{tr!(ver_save_level)}</button>
                </form>
            })}
        </li>
    }
}
