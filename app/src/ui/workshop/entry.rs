//! A rater's entry form for one competency: an island.
//!
//! Without JavaScript it is a plain form posting every field to
//! `save_entry`. Entries that save refused as stale come back (a token in
//! the redirect) and are shown in conflict: the person's entry is in the
//! form, the stored value beside it, and a "keep mine" box posts the entry
//! against the newer version; left unticked, the stored value stays. A
//! summary at the top links to each conflict.
//!
//! Hydrated, each change is saved at once with `save_rating`, one save per
//! indicator at a time: changes made while a save is in flight wait for it
//! and are sent, coalesced to the latest value, with the version it
//! returned, so a person's own quick changes never conflict with each other.
//! A save refused as stale puts the indicator in conflict (scrolled into
//! view and announced); nothing more of it is sent until the person keeps
//! their entry (saved against the newer version) or takes the stored one
//! (put in the form, nothing written). A busy server is retried with
//! backoff; an unreachable one leaves the change in the browser's local
//! storage until the connection comes back; any other refusal is shown next
//! to the field and neither queued nor retried.

// `#[island]` generates an undocumented props struct for islands with props.
#![allow(missing_docs)]
// On the server the event handlers are never called: the network half of
// the saver only exists in the browser.
#![cfg_attr(
    not(feature = "hydrate"),
    allow(dead_code, unused_variables, unused_assignments)
)]

use std::sync::Arc;

use capacity::Level;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::AppError;
#[cfg(feature = "hydrate")]
use crate::api::RatingNow;
use crate::api::workshop::{EntryIndicator, EntryPage, RefusedEntry};
#[cfg(feature = "hydrate")]
use crate::api::workshop::{RatingSaved, save_rating};
use crate::i18n::td_string;
use crate::locale::{Locale, core_lang, use_locale};
use crate::tr;

/// The longest evidence the server accepts, in characters. The textarea's
/// `maxlength` counts UTF-16 units, never fewer than characters, so the
/// browser stops the person at or before the server's limit.
pub const EVIDENCE_MAX: usize = 10_000;
/// From this length on the evidence shows how much room is left.
const EVIDENCE_WARN: usize = 9_000;
/// Tries of a save the server was too busy to take before it is left in
/// the browser's queue (about two minutes in all, see [`busy_delay`]).
const BUSY_ATTEMPTS: u32 = 8;

/// Seconds to wait before try `attempt` (1, 2, …) of a save refused
/// because the server was busy: 1, 2, 4, 8, 16, then 30; None past
/// [`BUSY_ATTEMPTS`]. The server-function client does not expose the 503's
/// `Retry-After` header, so these delays cannot follow it; they never retry
/// sooner than a second.
fn busy_delay(attempt: u32) -> Option<u32> {
    if attempt == 0 || attempt > BUSY_ATTEMPTS {
        return None;
    }
    Some(2u32.saturating_pow(attempt - 1).min(30))
}

/// True when what is stored is exactly what was sent (the server trims
/// both; an empty level is no rating, empty evidence is none): a save that
/// found it already stored — its own earlier try, whose answer was lost —
/// is no conflict.
fn same_as_stored(
    level: &str,
    evidence: &str,
    stored_level: Option<&str>,
    stored_evidence: Option<&str>,
) -> bool {
    let level = level.trim();
    let evidence = evidence.trim();
    let stored_level = stored_level.map_or("", str::trim);
    if level.is_empty() {
        return stored_level.is_empty();
    }
    level == stored_level && evidence == stored_evidence.map_or("", str::trim)
}

/// A count with the language's thousands separator, as `capacity::format`
/// writes numbers (narrow no-break space in French, comma in English),
/// without bringing decimal arithmetic into the browser bundle.
fn grouped(n: usize, lang: capacity::Lang) -> String {
    let separator = match lang {
        capacity::Lang::Fr => capacity::format::NARROW_NBSP,
        capacity::Lang::En => ',',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Length of a text as the browser's `maxlength` counts it.
fn typed_length(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The save state of one indicator, shown next to it.
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
    /// The server was busy; the next try is in this many seconds.
    Busy(u32),
    /// The server stayed busy; kept in the browser, sent again later.
    BusyKept,
    /// The stored value was put in the form; nothing was written.
    Taken,
    /// Refused for a reason that trying again will not fix.
    Failed(AppError),
}

/// What is stored now for an indicator in conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Theirs {
    level: Option<String>,
    evidence: Option<String>,
    version: i64,
}

/// A change waiting to be sent (kept in local storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PendingSave {
    indicator: String,
    level: String,
    evidence: String,
    version: i64,
}

/// Where the saves of one indicator are.
#[derive(Debug, Clone, Copy, Default)]
struct Flight {
    /// A save is in flight (or waiting to be tried again).
    sending: bool,
    /// The person changed the indicator since that save left.
    again: bool,
    /// Tries refused because the server was busy, in a row.
    busy: u32,
}

#[derive(Clone, Copy)]
struct Row {
    /// The level in the form.
    level: RwSignal<String>,
    /// The evidence in the form (as of its last `change`).
    evidence: RwSignal<String>,
    /// Length of the evidence as typed (updated on every keystroke).
    typed: RwSignal<usize>,
    /// The stored version the form's value builds on.
    version: RwSignal<i64>,
    saving: RwSignal<Saving>,
    /// Refused as stale: what is stored now. Nothing is sent meanwhile.
    conflict: RwSignal<Option<Theirs>>,
    flight: StoredValue<Flight>,
}

/// Saves the rows of the page, one save per indicator at a time.
#[derive(Clone)]
struct Saver {
    id: i64,
    rater: Arc<str>,
    /// Local-storage key of the queue of this assessment and rater.
    key: Arc<str>,
    rows: Arc<[(String, Row)]>,
    /// Queued changes not being sent now (the banner).
    pending: RwSignal<usize>,
}

impl Saver {
    fn row(&self, indicator: &str) -> Option<Row> {
        self.rows
            .iter()
            .find(|(i, _)| i == indicator)
            .map(|(_, r)| *r)
    }

    /// The person changed `indicator`: save it now, or once the save in
    /// flight is answered. Nothing is sent while it is in conflict.
    fn change(&self, indicator: &str) {
        let Some(row) = self.row(indicator) else {
            return;
        };
        if row.conflict.get_untracked().is_some() {
            return;
        }
        let mut start = false;
        row.flight.update_value(|f| {
            if f.sending {
                f.again = true;
            } else {
                *f = Flight {
                    sending: true,
                    ..Flight::default()
                };
                start = true;
            }
        });
        #[cfg(feature = "hydrate")]
        {
            if start {
                self.send(indicator.to_owned(), row);
            } else if matches!(row.saving.get_untracked(), Saving::Busy(_)) {
                // Waiting for a busy server: keep the latest value on the
                // device in case the page is closed before the next try.
                pending::put(&self.key, self.queued(indicator, row));
            }
        }
    }

    /// "Keep mine": the person's entry is saved against the stored version
    /// (which may have moved on again: then it is a new conflict).
    fn keep_mine(&self, indicator: &str) {
        let Some(row) = self.row(indicator) else {
            return;
        };
        let Some(theirs) = row.conflict.get_untracked() else {
            return;
        };
        row.version.set(theirs.version);
        row.conflict.set(None);
        #[cfg(feature = "hydrate")]
        refocus(indicator);
        self.change(indicator);
    }

    /// "Take theirs": the stored value goes into the form; nothing is sent.
    fn take_theirs(&self, indicator: &str) {
        let Some(row) = self.row(indicator) else {
            return;
        };
        let Some(theirs) = row.conflict.get_untracked() else {
            return;
        };
        let evidence = theirs.evidence.unwrap_or_default();
        row.typed.set(typed_length(&evidence));
        row.level.set(theirs.level.unwrap_or_default());
        row.evidence.set(evidence);
        row.version.set(theirs.version);
        row.conflict.set(None);
        row.saving.set(Saving::Taken);
        #[cfg(feature = "hydrate")]
        refocus(indicator);
    }
}

#[cfg(feature = "hydrate")]
impl Saver {
    fn queued(&self, indicator: &str, row: Row) -> PendingSave {
        PendingSave {
            indicator: indicator.to_owned(),
            level: row.level.get_untracked(),
            evidence: row.evidence.get_untracked(),
            version: row.version.get_untracked(),
        }
    }

    /// Queued changes whose indicator is not being sent from this page.
    fn count_pending(&self) {
        let waiting = pending::all(&self.key)
            .iter()
            .filter(|p| {
                self.row(&p.indicator)
                    .is_none_or(|r| !r.flight.with_value(|f| f.sending))
            })
            .count();
        self.pending.set(waiting);
    }

    /// Sends the form's value of `indicator` against its version.
    fn send(&self, indicator: String, row: Row) {
        let sent = self.queued(&indicator, row);
        // Kept on the device until the server has answered: a page closed
        // meanwhile sends it again on the next visit.
        pending::put(&self.key, sent.clone());
        row.flight.update_value(|f| f.again = false);
        row.saving.set(Saving::Sending);
        let this = self.clone();
        leptos::task::spawn_local(async move {
            let result = save_rating(
                this.id,
                indicator.clone(),
                this.rater.to_string(),
                sent.level.clone(),
                sent.evidence.clone(),
                sent.version,
            )
            .await;
            this.settle(indicator, row, sent, result);
        });
    }

    /// What to do with the server's answer to a save.
    fn settle(
        &self,
        indicator: String,
        row: Row,
        sent: PendingSave,
        result: Result<RatingSaved, AppError>,
    ) {
        let again = row.flight.with_value(|f| f.again);
        match result {
            Ok(RatingSaved { version }) => self.saved(indicator, row, version, again),
            Err(AppError::StaleRating(RatingNow {
                level,
                evidence,
                version,
            })) => {
                if same_as_stored(
                    &sent.level,
                    &sent.evidence,
                    level.as_deref(),
                    evidence.as_deref(),
                ) {
                    // Its own earlier try had been stored: not a conflict.
                    self.saved(indicator, row, version, again);
                } else {
                    row.flight.set_value(Flight::default());
                    pending::remove(&self.key, &indicator);
                    row.saving.set(Saving::Idle);
                    row.conflict.set(Some(Theirs {
                        level,
                        evidence,
                        version,
                    }));
                    reveal(&indicator);
                }
            }
            Err(AppError::Busy(_)) => {
                pending::put(&self.key, self.queued(&indicator, row));
                let attempt = row.flight.with_value(|f| f.busy) + 1;
                match busy_delay(attempt) {
                    Some(seconds) => {
                        row.flight.update_value(|f| f.busy = attempt);
                        row.saving.set(Saving::Busy(seconds));
                        let this = self.clone();
                        set_timeout(
                            move || {
                                if row.conflict.get_untracked().is_none() {
                                    this.send(indicator, row);
                                }
                            },
                            std::time::Duration::from_secs(u64::from(seconds)),
                        );
                    }
                    None => {
                        row.flight.set_value(Flight::default());
                        row.saving.set(Saving::BusyKept);
                    }
                }
            }
            Err(AppError::Transport(_)) => {
                // The latest value, with the version it builds on.
                pending::put(&self.key, self.queued(&indicator, row));
                row.flight.set_value(Flight::default());
                row.saving.set(Saving::Pending);
            }
            Err(e) => {
                // Sending the same again cannot succeed: show it, drop it.
                pending::remove(&self.key, &indicator);
                row.flight.set_value(Flight::default());
                row.saving.set(Saving::Failed(e));
                if again {
                    // Changed since: that is a new value, worth a try.
                    self.change(&indicator);
                }
            }
        }
        self.count_pending();
    }

    fn saved(&self, indicator: String, row: Row, version: i64, again: bool) {
        row.version.set(version);
        if again {
            row.flight.update_value(|f| f.busy = 0);
            self.send(indicator, row);
        } else {
            row.flight.set_value(Flight::default());
            pending::remove(&self.key, &indicator);
            row.saving.set(Saving::Saved);
        }
    }

    /// Sends again what earlier visits or an offline spell left queued.
    fn flush(&self) {
        for p in pending::all(&self.key) {
            let Some(row) = self.row(&p.indicator) else {
                continue;
            };
            if row.conflict.get_untracked().is_some() || row.flight.with_value(|f| f.sending) {
                continue;
            }
            row.typed.set(typed_length(&p.evidence));
            row.level.set(p.level);
            row.evidence.set(p.evidence);
            row.version.set(p.version);
            self.change(&p.indicator);
        }
        self.count_pending();
    }
}

/// The class of an indicator's save status.
fn status_class(saving: &Saving) -> &'static str {
    match saving {
        Saving::Idle => "save",
        Saving::Sending => "save sending",
        Saving::Saved => "save saved",
        Saving::Pending | Saving::BusyKept => "save pending",
        Saving::Busy(_) => "save busy",
        Saving::Taken => "save taken",
        Saving::Failed(_) => "save failed",
    }
}

fn status_testid(saving: &Saving) -> &'static str {
    match saving {
        Saving::Busy(_) => "busy",
        Saving::Taken => "taken",
        Saving::Failed(_) => "failed",
        _ => "status",
    }
}

/// What an indicator's save status says (plain text: one kind of view for
/// every state keeps the browser bundle small).
fn status_text(saving: &Saving, l: Locale) -> String {
    match saving {
        Saving::Idle | Saving::Failed(_) => String::new(),
        Saving::Sending => td_string!(l, saving).to_string(),
        Saving::Saved => td_string!(l, saved).to_string(),
        Saving::Pending => td_string!(l, pending_offline).to_string(),
        Saving::BusyKept => td_string!(l, entry_busy_kept).to_string(),
        Saving::Busy(seconds) => format!("{} {seconds} s", td_string!(l, entry_busy_retrying)),
        Saving::Taken => td_string!(l, conflict_taken).to_string(),
    }
}

/// A refusal that trying again will not fix: what it is and the server's words.
fn failure_text(error: &AppError, l: Locale) -> String {
    let kind = match error {
        AppError::NotFound(_) => td_string!(l, error_not_found).to_string(),
        AppError::Locked(_) => td_string!(l, error_locked).to_string(),
        AppError::Invalid(_) | AppError::Fields(_) => td_string!(l, error_invalid).to_string(),
        AppError::Malformed(_) => td_string!(l, error_malformed).to_string(),
        AppError::Unauthenticated(_) => td_string!(l, error_unauthenticated).to_string(),
        AppError::Forbidden(_) => td_string!(l, error_forbidden).to_string(),
        AppError::TooLarge(_) => td_string!(l, error_too_large).to_string(),
        AppError::Stale(_) | AppError::StaleRating(_) | AppError::StaleCommune(_) => {
            td_string!(l, error_stale).to_string()
        }
        AppError::Busy(_) => td_string!(l, error_busy).to_string(),
        AppError::Transport(_) => td_string!(l, error_transport).to_string(),
        _ => td_string!(l, error_internal).to_string(),
    };
    format!("{} {kind} — {error}", td_string!(l, entry_not_saved))
}

/// A mark as the person reads it: the code and its label.
fn mark_text(code: Option<&str>, levels: &[Level], l: Locale) -> String {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => td_string!(l, conflict_no_level).to_string(),
        Some(c @ "NA") => format!("{c} {}", td_string!(l, mark_na)),
        Some(c @ "NI") => format!("{c} {}", td_string!(l, mark_ni)),
        Some(c) => match levels.iter().find(|level| level.code == c) {
            Some(level) => format!("{c} {}", level.label.get(core_lang(l))),
            None => c.to_owned(),
        },
    }
}

/// Evidence as shown in a conflict ("no evidence" when empty).
fn evidence_text(text: Option<&str>, l: Locale) -> String {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => td_string!(l, conflict_no_evidence).to_string(),
    }
}

/// Puts the focus back on an indicator's level once its conflict box (and
/// the button pressed in it) is gone, so that keyboard and screen-reader
/// users stay where they were.
#[cfg(feature = "hydrate")]
fn refocus(indicator: &str) {
    use wasm_bindgen::JsCast;
    let checked = format!("input[name=\"level[{indicator}]\"]:checked");
    let any = format!("input[name=\"level[{indicator}]\"]");
    request_animation_frame(move || {
        let doc = document();
        let target = doc
            .query_selector(&checked)
            .ok()
            .flatten()
            .or_else(|| doc.query_selector(&any).ok().flatten());
        if let Some(el) = target.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

/// Brings an indicator's conflict into view once it is drawn: centred, or
/// from its top when it is taller than most of the screen (long evidence on
/// a phone); smoothly unless the person asked for reduced motion.
#[cfg(feature = "hydrate")]
fn reveal(indicator: &str) {
    let id = format!("conflict-{indicator}");
    request_animation_frame(move || {
        let Some(el) = document().get_element_by_id(&id) else {
            return;
        };
        let win = window();
        let reduce = win
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        let screen = win
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(0.0);
        let tall = f64::from(el.client_height()) > screen * 0.8;
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(if tall {
            web_sys::ScrollLogicalPosition::Start
        } else {
            web_sys::ScrollLogicalPosition::Center
        });
        options.set_behavior(if reduce {
            web_sys::ScrollBehavior::Auto
        } else {
            web_sys::ScrollBehavior::Smooth
        });
        el.scroll_into_view_with_scroll_into_view_options(&options);
    });
}

/// The entry form. `refused` are entries a plain form save could not store
/// (shown in conflict with the newer values).
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
    let history = page.header.can.history;
    // False on the server and in the browser's first render (so that both
    // draw the same markup), true once hydrated.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let rows: Vec<(EntryIndicator, Row)> = page
        .indicators
        .into_iter()
        .map(|ind| {
            // A refused entry comes back in the form, the stored value beside it.
            let mine = refused.iter().find(|r| r.indicator == ind.id);
            let conflict = mine.map(|_| Theirs {
                level: ind.level.clone(),
                evidence: ind.evidence.clone(),
                version: ind.version,
            });
            let (level, evidence) = match mine {
                Some(r) => (r.level.clone(), r.evidence.clone()),
                None => (
                    ind.level.clone().unwrap_or_default(),
                    ind.evidence.clone().unwrap_or_default(),
                ),
            };
            let row = Row {
                typed: RwSignal::new(typed_length(&evidence)),
                level: RwSignal::new(level),
                evidence: RwSignal::new(evidence),
                version: RwSignal::new(ind.version),
                saving: RwSignal::new(Saving::Idle),
                conflict: RwSignal::new(conflict),
                flight: StoredValue::new(Flight::default()),
            };
            (ind, row)
        })
        .collect();
    let saver = Saver {
        id,
        rater: Arc::from(rater.as_str()),
        key: Arc::from(format!("capacity-pending-{id}-{rater}").as_str()),
        rows: rows.iter().map(|(i, r)| (i.id.clone(), *r)).collect(),
        pending: RwSignal::new(0usize),
    };
    let pending_count = saver.pending;

    // Hydrated only: send what an earlier visit could not, now and whenever
    // the browser says it is back online.
    #[cfg(feature = "hydrate")]
    {
        let first = saver.clone();
        Effect::new(move |_| first.flush());
        let online = saver.clone();
        let handle = window_event_listener(leptos::ev::online, move |_| online.flush());
        on_cleanup(move || handle.remove());
    }

    let levels: Vec<Level> = page.levels.iter().rev().cloned().collect();
    // A mark as the person reads it: the code and its label.
    let levels_shown: Arc<[Level]> = levels.iter().cloned().collect();
    // The summary at the top: every indicator in conflict, linked.
    let summary = {
        let rows: Vec<(String, Row, capacity::Text)> = rows
            .iter()
            .map(|(ind, row)| (ind.id.clone(), *row, ind.title.clone()))
            .collect();
        move || {
            let open: Vec<_> = rows
                .iter()
                .filter(|(_, row, _)| row.conflict.get().is_some())
                .cloned()
                .collect();
            (!open.is_empty()).then(|| {
                view! {
                    <nav class="conflict-summary" data-testid="conflict-summary" aria-labelledby="conflict-summary-title">
                        <h2 id="conflict-summary-title">{tr!(conflict_summary_title)}</h2>
                        <p>{tr!(conflict_summary_intro)}</p>
                        <ul>
                            {open.into_iter().map(|(ind, _, title)| view! {
                                <li>
                                    <a href=format!("#conflict-{ind}")>
                                        <span class="ind-id">{ind.clone()}</span> " "
                                        {move || title.get(core_lang(locale.get())).to_owned()}
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    </nav>
                }
            })
        }
    };

    let cards = rows
        .into_iter()
        .map(|(ind, row)| {
            let saver = saver.clone();
            let name_level = format!("level[{}]", ind.id);
            let disabled = locked || ind.not_applicable_by_rule;
            let first_level = row.level.get_untracked();
            let first_evidence = row.evidence.get_untracked();
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
                    let initially = first_level == code;
                    let saver = saver.clone();
                    let indicator = ind.id.clone();
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
                                disabled=disabled
                                checked=initially
                                prop:checked=move || row.level.get() == checked_code
                                on:change=move |_| {
                                    row.level.set(value.clone());
                                    saver.change(&indicator);
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
            let status = move || status_text(&row.saving.get(), locale.get());
            let failure = move || match row.saving.get() {
                Saving::Failed(e) => failure_text(&e, locale.get()),
                _ => String::new(),
            };
            let waiting = move || matches!(row.saving.get(), Saving::Pending | Saving::BusyKept);
            let retry = {
                let saver = saver.clone();
                let indicator = ind.id.clone();
                move |_: leptos::ev::MouseEvent| saver.change(&indicator)
            };
            let conflict_box = {
                let saver = saver.clone();
                let indicator = ind.id.clone();
                let levels = levels_shown.clone();
                move || {
                    row.conflict.get().map(|theirs| {
                        let keep = {
                            let saver = saver.clone();
                            let indicator = indicator.clone();
                            move |_: leptos::ev::MouseEvent| saver.keep_mine(&indicator)
                        };
                        let take = {
                            let saver = saver.clone();
                            let indicator = indicator.clone();
                            move |_: leptos::ev::MouseEvent| saver.take_theirs(&indicator)
                        };
                        let check_id = format!("keep-{indicator}");
                        let their_level = {
                            let levels = levels.clone();
                            let level = theirs.level.clone();
                            move || mark_text(level.as_deref(), &levels, locale.get())
                        };
                        let their_evidence = {
                            let evidence = theirs.evidence.clone();
                            move || evidence_text(evidence.as_deref(), locale.get())
                        };
                        let my_level = {
                            let levels = levels.clone();
                            move || mark_text(Some(row.level.get().as_str()), &levels, locale.get())
                        };
                        let my_evidence = move || evidence_text(Some(row.evidence.get().as_str()), locale.get());
                        view! {
                            <div class="conflict" id=format!("conflict-{indicator}") role="alert" data-testid="stale">
                                <p class="conflict-title"><strong>{tr!(stale_title)}</strong></p>
                                <div class="conflict-values">
                                    <div class="conflict-value theirs" data-testid="theirs">
                                        <p class="conflict-who">{tr!(stale_theirs)}</p>
                                        <p class="conflict-level">{their_level}</p>
                                        <p class="conflict-evidence">{their_evidence}</p>
                                    </div>
                                    <div class="conflict-value mine" data-testid="mine">
                                        <p class="conflict-who">{tr!(stale_mine)}</p>
                                        <p class="conflict-level">{my_level}</p>
                                        <p class="conflict-evidence">{my_evidence}</p>
                                    </div>
                                </div>
                                // Hydrated: two buttons act at once. Without JavaScript
                                // the page's form carries the choice: ticked, the entry
                                // is sent against the newer version.
                                <p class="muted" hidden=move || !hydrated.get()>{tr!(conflict_hint)}</p>
                                <div class="conflict-actions" hidden=move || !hydrated.get()>
                                    <button type="button" class="primary" data-testid="keep-mine" on:click=keep>{tr!(conflict_keep_mine)}</button>
                                    <button type="button" data-testid="take-theirs" on:click=take>{tr!(conflict_take_theirs)}</button>
                                </div>
                                <label class="conflict-keep" for=check_id.clone() hidden=move || hydrated.get()>
                                    <input type="checkbox" id=check_id.clone() name=format!("version[{indicator}]") value=theirs.version.to_string() data-testid="keep-mine-check" />
                                    <span>{tr!(conflict_keep_check)}</span>
                                </label>
                                <p class="muted" hidden=move || hydrated.get()>{tr!(conflict_keep_off_hint)}</p>
                            </div>
                        }
                    })
                }
            };
            let evidence_count = move || {
                let typed = row.typed.get();
                let at_limit = typed >= EVIDENCE_MAX;
                (typed >= EVIDENCE_WARN).then(|| {
                    let lang = core_lang(locale.get());
                    let typed_text = grouped(typed, lang);
                    let max_text = grouped(EVIDENCE_MAX, lang);
                    view! {
                        <span class="evidence-count" class:at-limit=at_limit data-testid="evidence-count">
                            {typed_text} " / " {max_text} " " {tr!(entry_chars)}
                            {at_limit.then(|| view! { " — " {tr!(entry_evidence_limit)} })}
                        </span>
                    }
                })
            };
            let send_evidence = saver.clone();
            let indicator = ind.id.clone();
            view! {
                <fieldset class="indicator-card" class:in-conflict=move || row.conflict.get().is_some() data-testid=format!("card-{}", ind.id) id=ind.id.clone()>
                    <legend>
                        <span class="ind-id">{ind.id.clone()}</span> " "
                        {move || title.get(core_lang(locale.get())).to_owned()}
                    </legend>
                    {question.map(|q| view! { <p class="question">{move || q.get(core_lang(locale.get())).to_owned()}</p> })}
                    {ind.not_applicable_by_rule.then(|| view! { <p class="notice">{tr!(na_by_rule)}</p> })}
                    {history.then(|| view! {
                        <p><a class="history-link" href=format!("/evaluations/{id}/historique?indicateur={}", ind.id) data-testid=format!("history-{}", ind.id)>{tr!(history_link)}</a></p>
                    })}
                    // In conflict the version goes only with "keep mine": a
                    // page save leaves the stored value as it is.
                    {
                        let name = format!("version[{}]", ind.id);
                        move || row.conflict.get().is_none().then(|| view! {
                            <input
                                type="hidden"
                                name=name.clone()
                                value=row.version.get_untracked().to_string()
                                prop:value=move || row.version.get().to_string()
                            />
                        })
                    }
                    <div class="choices">{choices}</div>
                    <label class="evidence">
                        {tr!(evidence)}
                        <span class="muted">" (" {move || expected.get(core_lang(locale.get())).to_owned()} ")"</span>
                        <textarea
                            name=format!("evidence[{}]", ind.id)
                            rows="2"
                            maxlength=EVIDENCE_MAX.to_string()
                            disabled=disabled
                            prop:value=move || row.evidence.get()
                            on:input=move |ev| row.typed.set(typed_length(&event_target_value(&ev)))
                            on:change=move |ev| {
                                row.evidence.set(event_target_value(&ev));
                                if !row.level.get_untracked().is_empty() {
                                    send_evidence.change(&indicator);
                                }
                            }
                        >{first_evidence}</textarea>
                    </label>
                    <div aria-live="polite" class="evidence-room">{evidence_count}</div>
                    {conflict_box}
                    <div class="save-status">
                        <span aria-live="polite" class=move || status_class(&row.saving.get()) data-testid=move || status_testid(&row.saving.get())>{status}</span>
                        " "
                        <button type="button" class="retry" hidden=move || !waiting() on:click=retry>{tr!(entry_retry_now)}</button>
                        <p class="save-failed" role="alert" data-testid="failure">{failure}</p>
                    </div>
                </fieldset>
            }
        })
        .collect_view();

    view! {
        {summary}
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

/// The local-storage queue of changes not yet confirmed (browser only).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_saves_back_off_up_to_thirty_seconds_then_stop() {
        let delays: Vec<Option<u32>> = (0..=BUSY_ATTEMPTS + 1).map(busy_delay).collect();
        assert_eq!(
            delays,
            vec![
                None,
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(30),
                Some(30),
                Some(30),
                None
            ]
        );
        assert_eq!(busy_delay(u32::MAX), None);
    }

    #[test]
    fn a_save_already_stored_is_no_conflict() {
        assert!(same_as_stored("B", " PV vu ", Some("B"), Some("PV vu")));
        assert!(same_as_stored("B", "", Some("B"), None));
        assert!(same_as_stored("", "anything", None, None));
        assert!(!same_as_stored("B", "PV", Some("C"), Some("PV")));
        assert!(!same_as_stored("B", "PV", Some("B"), Some("autre")));
        assert!(!same_as_stored("B", "", Some("B"), Some("autre")));
        assert!(!same_as_stored("", "", Some("B"), None));
        assert!(!same_as_stored("B", "", None, None));
    }

    #[test]
    fn counts_are_grouped_as_the_core_writes_numbers() {
        use capacity::Lang;
        use rust_decimal::Decimal;
        for n in [0usize, 7, 999, 1_000, 9_995, 10_000, 123_456_789] {
            for lang in [Lang::Fr, Lang::En] {
                let core = capacity::format::decimal(Decimal::from(n as u64), 0, lang);
                assert_eq!(grouped(n, lang), core, "{n} in {lang:?}");
            }
        }
    }

    #[test]
    fn evidence_length_counts_as_the_browser_does() {
        assert_eq!(typed_length("abc"), 3);
        assert_eq!(typed_length("é"), 1);
        // Outside the basic plane: two UTF-16 units, as `maxlength` counts.
        assert_eq!(typed_length("𝄞"), 2);
        assert!(typed_length(&"x".repeat(EVIDENCE_MAX)) == EVIDENCE_MAX);
    }
}
