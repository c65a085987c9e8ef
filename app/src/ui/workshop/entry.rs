//! A rater's entry form for one competency: an island.
//!
//! Without JavaScript it is a plain form posting every field to
//! `save_entry`. Hydrated, each change is saved at once with `save_rating`
//! (the version read goes with it; a stale save shows the newer value and
//! lets the person choose). When the server cannot be reached the change is
//! kept in the browser's local storage and sent when the connection comes
//! back: nothing typed is lost.

// `#[island]` generates an undocumented props struct for islands with props.
#![allow(missing_docs)]
// On the server the per-card send closure is an empty `Copy` closure; in the
// browser it is not `Copy`, so the clones are needed there.
#![cfg_attr(not(feature = "hydrate"), allow(clippy::clone_on_copy))]

use capacity::Level;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use crate::api::RatingNow;
use crate::api::workshop::{EntryIndicator, EntryPage, RefusedEntry};
#[cfg(feature = "hydrate")]
use crate::api::workshop::{RatingSaved, save_rating};
use crate::locale::{core_lang, use_locale};
use crate::tr;

/// The save state of one indicator, shown next to it.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saving {
    /// Nothing to report.
    Idle,
    /// Being sent.
    Sending,
    /// Saved.
    Saved,
    /// Kept in the browser until the server can be reached.
    Pending,
    /// Someone saved a newer value; it is shown, the person's is kept here.
    Stale {
        level: Option<String>,
        evidence: Option<String>,
        mine_level: String,
        mine_evidence: String,
    },
    /// Refused for another reason (message).
    Failed(String),
}

/// A change waiting to be sent (kept in local storage).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PendingSave {
    indicator: String,
    level: String,
    evidence: String,
    version: i64,
}

#[derive(Clone, Copy)]
struct Row {
    level: RwSignal<String>,
    evidence: RwSignal<String>,
    version: RwSignal<i64>,
    saving: RwSignal<Saving>,
}

/// The entry form. `refused` are entries a plain form save could not store
/// (shown with the newer values).
#[island]
pub fn EntryForm(
    /// The page's data.
    page: EntryPage,
    /// Entries refused by the last plain form save.
    refused: Vec<RefusedEntry>,
) -> impl IntoView {
    let locale = use_locale();
    let id = page.header.id;
    let rater = page.rater.id.clone();
    let locked = page.header.finalised;
    let rows: Vec<(EntryIndicator, Row)> = page
        .indicators
        .into_iter()
        .map(|ind| {
            let saving = match refused.iter().find(|r| r.indicator == ind.id) {
                Some(r) => Saving::Stale {
                    level: ind.level.clone(),
                    evidence: ind.evidence.clone(),
                    mine_level: r.level.clone(),
                    mine_evidence: r.evidence.clone(),
                },
                None => Saving::Idle,
            };
            let row = Row {
                level: RwSignal::new(ind.level.clone().unwrap_or_default()),
                evidence: RwSignal::new(ind.evidence.clone().unwrap_or_default()),
                version: RwSignal::new(ind.version),
                saving: RwSignal::new(saving),
            };
            (ind, row)
        })
        .collect();
    let pending_count = RwSignal::new(0usize);
    #[cfg(feature = "hydrate")]
    let storage_key = format!("capacity-pending-{id}-{}", page.rater.id);

    #[cfg(feature = "hydrate")]
    let send = {
        let rater = rater.clone();
        let storage_key = storage_key.clone();
        let rows: Vec<(String, Row)> = rows.iter().map(|(i, r)| (i.id.clone(), *r)).collect();
        move |indicator: String| {
            let Some((_, row)) = rows.iter().find(|(i, _)| *i == indicator).cloned() else {
                return;
            };
            let rater = rater.clone();
            let storage_key = storage_key.clone();
            row.saving.set(Saving::Sending);
            leptos::task::spawn_local(async move {
                let level = row.level.get_untracked();
                let evidence = row.evidence.get_untracked();
                let version = row.version.get_untracked();
                match save_rating(
                    id,
                    indicator.clone(),
                    rater,
                    level.clone(),
                    evidence.clone(),
                    version,
                )
                .await
                {
                    Ok(RatingSaved { version }) => {
                        row.version.set(version);
                        row.saving.set(Saving::Saved);
                        pending::remove(&storage_key, &indicator);
                    }
                    Err(crate::api::AppError::StaleRating(RatingNow {
                        level: theirs,
                        evidence: their_evidence,
                        version,
                    })) => {
                        row.version.set(version);
                        row.saving.set(Saving::Stale {
                            level: theirs,
                            evidence: their_evidence,
                            mine_level: level,
                            mine_evidence: evidence,
                        });
                        pending::remove(&storage_key, &indicator);
                    }
                    Err(crate::api::AppError::Transport(_)) => {
                        pending::put(
                            &storage_key,
                            PendingSave {
                                indicator,
                                level,
                                evidence,
                                version,
                            },
                        );
                        row.saving.set(Saving::Pending);
                    }
                    Err(e) => row.saving.set(Saving::Failed(e.to_string())),
                }
                pending_count.set(pending::all(&storage_key).len());
            });
        }
    };

    // Hydrated only: resend what an earlier visit could not send, now and
    // whenever the browser says it is back online.
    #[cfg(feature = "hydrate")]
    {
        let storage_key = storage_key.clone();
        let send = send.clone();
        let rows_for_flush: Vec<(String, Row)> =
            rows.iter().map(|(i, r)| (i.id.clone(), *r)).collect();
        let flush = move || {
            let queued = pending::all(&storage_key);
            pending_count.set(queued.len());
            for p in queued {
                if let Some((_, row)) = rows_for_flush.iter().find(|(i, _)| *i == p.indicator) {
                    row.level.set(p.level.clone());
                    row.evidence.set(p.evidence.clone());
                    row.version.set(p.version);
                    send(p.indicator.clone());
                }
            }
        };
        let first = flush.clone();
        Effect::new(move |_| first());
        let online = flush.clone();
        let handle = window_event_listener(leptos::ev::online, move |_| online());
        on_cleanup(move || handle.remove());
    }

    let levels: Vec<Level> = page.levels.iter().rev().cloned().collect();
    let cards = rows
        .into_iter()
        .map(|(ind, row)| {
            #[cfg(feature = "hydrate")]
            let send_level = {
                let send = send.clone();
                let id = ind.id.clone();
                move || send(id.clone())
            };
            #[cfg(not(feature = "hydrate"))]
            let send_level = || {};
            let send_evidence = send_level.clone();
            let name_level = format!("level[{}]", ind.id);
            let choices = levels
                .iter()
                .map(|l| (l.code.clone(), Some(l.label.clone()), ind.descriptors.get(&l.code).cloned()))
                .chain([
                    (capacity::NOT_APPLICABLE.to_owned(), None, None),
                    (capacity::NO_INFORMATION.to_owned(), None, None),
                ])
                .map(|(code, label, descriptor)| {
                    let name = name_level.clone();
                    let value = code.clone();
                    let checked_code = code.clone();
                    // `checked` for the server-rendered page (no JavaScript),
                    // `prop:checked` for the live one.
                    let initially = ind.level.as_deref() == Some(code.as_str());
                    let send = send_level.clone();
                    let input_id = format!("{}-{}", ind.id, code);
                    let caption = match code.as_str() {
                        "NA" => tr!(mark_na).into_any(),
                        "NI" => tr!(mark_ni).into_any(),
                        _ => {
                            let label = label.unwrap_or_default();
                            (move || label.get(core_lang(locale.get())).to_owned()).into_any()
                        }
                    };
                    view! {
                        <label class="choice" for=input_id.clone()>
                            <input
                                type="radio"
                                id=input_id.clone()
                                name=name
                                value=value.clone()
                                disabled=locked || ind.not_applicable_by_rule
                                checked=initially
                                prop:checked=move || row.level.get() == checked_code
                                on:change=move |_| {
                                    row.level.set(value.clone());
                                    send();
                                }
                            />
                            <span class="choice-code">{code.clone()}</span>
                            <span class="choice-label">{caption}</span>
                            {descriptor.map(|d| view! {
                                <span class="choice-text">{move || d.get(core_lang(locale.get())).to_owned()}</span>
                            })}
                        </label>
                    }
                })
                .collect_view();
            let title = ind.title.clone();
            let question = ind.question.clone();
            let expected = ind.evidence_expected.clone();
            let status = move || match row.saving.get() {
                Saving::Idle => ().into_any(),
                Saving::Sending => view! { <span class="save sending">{tr!(saving)}</span> }.into_any(),
                Saving::Saved => view! { <span class="save saved">{tr!(saved)}</span> }.into_any(),
                Saving::Pending => view! { <span class="save pending">{tr!(pending_offline)}</span> }.into_any(),
                Saving::Failed(msg) => view! { <span class="save failed" role="alert">{msg}</span> }.into_any(),
                Saving::Stale { level, evidence, mine_level, mine_evidence } => view! {
                    <div class="stale" role="alert" data-testid="stale">
                        <strong>{tr!(stale_title)}</strong>
                        <p>{tr!(stale_theirs)} " " <b>{level.unwrap_or_else(|| "—".to_owned())}</b> " " {evidence.unwrap_or_default()}</p>
                        <p>{tr!(stale_mine)} " " <b>{mine_level}</b> " " {mine_evidence}</p>
                        <p class="muted">{tr!(stale_hint)}</p>
                    </div>
                }.into_any(),
            };
            view! {
                <fieldset class="indicator-card" data-testid=format!("card-{}", ind.id) id=ind.id.clone()>
                    <legend>
                        <span class="ind-id">{ind.id.clone()}</span> " "
                        {move || title.get(core_lang(locale.get())).to_owned()}
                    </legend>
                    {question.map(|q| view! { <p class="question">{move || q.get(core_lang(locale.get())).to_owned()}</p> })}
                    {ind.not_applicable_by_rule.then(|| view! { <p class="notice">{tr!(na_by_rule)}</p> })}
                    <input
                        type="hidden"
                        name=format!("version[{}]", ind.id)
                        value=ind.version.to_string()
                        prop:value=move || row.version.get().to_string()
                    />
                    <div class="choices">{choices}</div>
                    <label class="evidence">
                        {tr!(evidence)}
                        <span class="muted">" (" {move || expected.get(core_lang(locale.get())).to_owned()} ")"</span>
                        <textarea
                            name=format!("evidence[{}]", ind.id)
                            rows="2"
                            disabled=locked || ind.not_applicable_by_rule
                            prop:value=move || row.evidence.get()
                            on:change=move |ev| {
                                row.evidence.set(event_target_value(&ev));
                                if !row.level.get_untracked().is_empty() {
                                    send_evidence();
                                }
                            }
                        >{ind.evidence.clone().unwrap_or_default()}</textarea>
                    </label>
                    <div aria-live="polite">{status}</div>
                </fieldset>
            }
            .into_any()
        })
        .collect_view();

    view! {
        <form method="post" action="/api/save_entry" class="entry-form" data-testid="entry-form">
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="rater" value=rater />
            <input type="hidden" name="competency" value=page.competency.clone() />
            {move || (pending_count.get() > 0).then(|| view! {
                <p class="notice" role="status" data-testid="pending">
                    {pending_count.get()} " " {tr!(pending_count)}
                </p>
            })}
            {locked.then(|| view! {
                <p class="notice" role="status" data-testid="locked">{tr!(finalise_hint)}</p>
            })}
            {cards}
            {(!locked).then(|| view! {
                <button type="submit" class="primary" data-testid="save-entry">{tr!(save)}</button>
            })}
        </form>
    }
}

/// The local-storage queue of changes not yet sent (browser only).
#[cfg(feature = "hydrate")]
mod pending {
    use super::PendingSave;

    fn storage() -> Option<web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    /// Every queued change.
    pub fn all(key: &str) -> Vec<PendingSave> {
        storage()
            .and_then(|s| s.get_item(key).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn write(key: &str, list: &[PendingSave]) {
        if let Some(s) = storage() {
            if list.is_empty() {
                let _ = s.remove_item(key);
            } else if let Ok(text) = serde_json::to_string(list) {
                let _ = s.set_item(key, &text);
            }
        }
    }

    /// Queues a change (replacing an earlier one for the same indicator).
    pub fn put(key: &str, save: PendingSave) {
        let mut list = all(key);
        list.retain(|p| p.indicator != save.indicator);
        list.push(save);
        write(key, &list);
    }

    /// Drops the queued change of an indicator.
    pub fn remove(key: &str, indicator: &str) {
        let mut list = all(key);
        let before = list.len();
        list.retain(|p| p.indicator != indicator);
        if list.len() != before {
            write(key, &list);
        }
    }
}
