//! Server functions of the self-assessment workshop: creating an
//! assessment, its overview, each rater's entry per competency, the
//! consensus step and finalising.
//!
//! Every save names the version it read; a stale save is refused and the
//! newer data are shown, never overwritten. Checks of meaning (the indicator
//! exists, the level is on the scale) use the compiled rubric before the
//! store is asked.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::AppError;
pub use crate::view::workshop::*;

/// The overview of an assessment: progress per competency and rater.
#[server(endpoint = "load_overview")]
pub async fn load_overview(
    /// Assessment id.
    id: i64,
) -> Result<Overview, AppError> {
    super::respond(
        async move {
            crate::service::workshop::load_overview(&super::service()?, &super::actor(), id).await
        }
        .await,
    )
}

/// A rater's entry page for one competency (the first one if empty).
#[server(endpoint = "load_entry")]
pub async fn load_entry(
    /// Assessment id.
    id: i64,
    /// Rater id.
    rater: String,
    /// Competency id (empty: the first).
    competency: String,
) -> Result<EntryPage, AppError> {
    super::respond(
        async move {
            crate::service::workshop::load_entry(
                &super::service()?,
                &super::actor(),
                id,
                rater,
                competency,
            )
            .await
        }
        .await,
    )
}

/// Saves one rater's mark of one indicator (the hydrated workshop calls this
/// on every change). An empty `level` removes the rating. A save against a
/// version that is no longer the stored one is refused with
/// [`AppError::StaleRating`] (HTTP 409), which carries what is stored now.
#[server(endpoint = "save_rating")]
pub async fn save_rating(
    /// Assessment id.
    id: i64,
    /// Indicator id.
    indicator: String,
    /// Rater id.
    rater: String,
    /// Level code, `NA`, `NI`, or empty to clear.
    level: String,
    /// Evidence (may be empty).
    evidence: String,
    /// Version read (0: none).
    version: i64,
) -> Result<RatingSaved, AppError> {
    super::respond(
        async move {
            crate::service::workshop::save_rating(
                &super::service()?,
                &super::actor(),
                id,
                indicator,
                rater,
                level,
                evidence,
                version,
            )
            .await
        }
        .await,
    )
}

/// The form of a whole entry page (JavaScript off): one field per
/// indicator, `level[ID]`, `evidence[ID]` and `version[ID]`.
#[server(endpoint = "save_entry")]
pub async fn save_entry(
    /// Assessment id.
    id: i64,
    /// Rater id.
    rater: String,
    /// Competency id (to come back to the page).
    competency: String,
    /// Level per indicator (`NA`, `NI`, a code, or empty).
    #[server(default)]
    level: BTreeMap<String, String>,
    /// Evidence per indicator.
    #[server(default)]
    evidence: BTreeMap<String, String>,
    /// Version read per indicator.
    #[server(default)]
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    super::respond(
        async move {
            let service = super::service()?;
            let saved = crate::service::workshop::save_entry(
                &service,
                &super::actor(),
                id,
                rater.clone(),
                level,
                evidence,
                version,
            )
            .await?;
            if super::plain_form_post() {
                leptos_axum::redirect(
                    &crate::service::workshop::after_entry_save(
                        &service,
                        id,
                        &rater,
                        &competency,
                        &saved,
                    )
                    .await?,
                );
            }
            Ok(saved)
        }
        .await,
    )
}

/// Entries refused by an earlier plain form save (see [`save_entry`]).
#[server(endpoint = "load_refused")]
pub async fn load_refused(
    /// The token given in the redirect.
    token: String,
) -> Result<Vec<RefusedEntry>, AppError> {
    super::respond(
        async move { crate::service::workshop::load_refused(&super::service()?, token).await }
            .await,
    )
}

/// The consensus step for one competency (the first one if empty).
#[server(endpoint = "load_consensus")]
pub async fn load_consensus(
    /// Assessment id.
    id: i64,
    /// Competency id (empty: the first).
    competency: String,
) -> Result<ConsensusPage, AppError> {
    super::respond(
        async move {
            crate::service::workshop::load_consensus(
                &super::service()?,
                &super::actor(),
                id,
                competency,
            )
            .await
        }
        .await,
    )
}

/// Records the agreed levels of a competency: `level[ID]` (a code, `NA`,
/// `NI`, or empty for no recorded consensus), `justification[ID]`,
/// `comment[ID]` (the workshop's comment on the indicator), `version[ID]`. Unchanged indicators are not written. Stale ones are
/// refused and counted.
#[server(endpoint = "save_consensus")]
pub async fn save_consensus(
    /// Assessment id.
    id: i64,
    /// Competency id (to come back to the page).
    competency: String,
    /// Agreed level per indicator.
    #[server(default)]
    level: BTreeMap<String, String>,
    /// Justification per indicator.
    #[server(default)]
    justification: BTreeMap<String, String>,
    /// Comment per indicator.
    #[server(default)]
    comment: BTreeMap<String, String>,
    /// Version read per indicator.
    #[server(default)]
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    super::respond(
        async move {
            let service = super::service()?;
            let saved = crate::service::workshop::save_consensus(
                &service,
                &super::actor(),
                id,
                level,
                justification,
                comment,
                version,
            )
            .await?;
            if super::plain_form_post() {
                leptos_axum::redirect(
                    &crate::service::workshop::after_consensus_save(
                        &service,
                        id,
                        &competency,
                        &saved,
                    )
                    .await?,
                );
            }
            Ok(saved)
        }
        .await,
    )
}

/// The finalise gate of an assessment: coverage, unanswered critical
/// indicators, disagreements without consensus, and whether it is complete.
#[server(endpoint = "load_finalise")]
pub async fn load_finalise(
    /// Assessment id.
    id: i64,
) -> Result<FinalisePage, AppError> {
    super::respond(
        async move {
            crate::service::workshop::load_finalise(&super::service()?, &super::actor(), id).await
        }
        .await,
    )
}

/// Finalises (locks) an assessment at the version read, through the
/// finalise gate: `confirm` must be checked; an incomplete round needs
/// `provisional` checked and a `reason`. Checkboxes send any non-empty
/// value when checked.
#[server(endpoint = "finalise_assessment")]
pub async fn finalise_assessment(
    /// Assessment id.
    id: i64,
    /// Version read.
    version: i64,
    /// "I confirm" (non-empty when checked).
    #[server(default)]
    confirm: String,
    /// Marked provisional (non-empty when checked).
    #[server(default)]
    provisional: String,
    /// Why it is finalised incomplete.
    #[server(default)]
    reason: String,
) -> Result<i64, AppError> {
    let typed = BTreeMap::from([
        ("reason".to_owned(), reason.clone()),
        ("provisional".to_owned(), provisional.clone()),
    ]);
    let result = async move {
        crate::service::workshop::finalise_assessment(
            &super::service()?,
            &super::actor(),
            id,
            version,
            !confirm.trim().is_empty(),
            !provisional.trim().is_empty(),
            reason,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/evaluations/{id}"), typed)
}

/// The choices of the "new assessment" form and the open assessments.
#[server(endpoint = "load_new_assessment")]
pub async fn load_new_assessment() -> Result<NewAssessmentChoices, AppError> {
    super::respond(
        async move {
            crate::service::workshop::load_new_assessment(&super::service()?, &super::actor()).await
        }
        .await,
    )
}

/// Starts a new assessment of an existing commune in a campaign: date and
/// raters (`rater_name[i]`, `rater_role[i]`; empty rows are
/// ignored). Answers the new id (a redirect to its page for a plain form).
#[server(endpoint = "create_assessment")]
pub async fn create_assessment(
    /// Commune id.
    commune: String,
    /// Campaign id.
    campaign: String,
    /// Workshop date, `YYYY-MM-DD`.
    date: String,
    /// Rater names by row.
    #[server(default)]
    rater_name: BTreeMap<String, String>,
    /// Rater roles by row.
    #[server(default)]
    rater_role: BTreeMap<String, String>,
) -> Result<i64, AppError> {
    // Kept to show the form again as typed if it is refused.
    let mut typed = BTreeMap::from([
        ("commune".to_owned(), commune.clone()),
        ("campaign".to_owned(), campaign.clone()),
        ("date".to_owned(), date.clone()),
    ]);
    for (k, v) in &rater_name {
        typed.insert(format!("rater_name[{k}]"), v.clone());
    }
    for (k, v) in &rater_role {
        typed.insert(format!("rater_role[{k}]"), v.clone());
    }
    let result = async move {
        crate::service::workshop::create_assessment(
            &super::service()?,
            &super::actor(),
            commune,
            campaign,
            date,
            rater_name,
            rater_role,
        )
        .await
    }
    .await;
    super::form_answer(result, |id| format!("/evaluations/{id}"), typed)
}

/// Unlocks a finalised assessment at the version read, with a reason
/// (required; administrators and the commune's facilitators only).
#[server(endpoint = "unlock_assessment")]
pub async fn unlock_assessment(
    /// Assessment id.
    id: i64,
    /// Version read.
    version: i64,
    /// Why it is reopened.
    #[server(default)]
    reason: String,
) -> Result<i64, AppError> {
    let typed = BTreeMap::from([("reason".to_owned(), reason.clone())]);
    let result = async move {
        crate::service::workshop::unlock_assessment(
            &super::service()?,
            &super::actor(),
            id,
            version,
            reason,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/evaluations/{id}"), typed)
}

/// The audit trail of an assessment, or of one of its indicators
/// (`indicator` empty: all).
#[server(endpoint = "load_history")]
pub async fn load_history(
    /// Assessment id.
    id: i64,
    /// Indicator id (empty: every event of the assessment).
    #[server(default)]
    indicator: String,
) -> Result<crate::view::account::HistoryPage, AppError> {
    super::respond(
        async move {
            crate::service::history::load_history(
                &super::service()?,
                &super::actor(),
                id,
                indicator,
            )
            .await
        }
        .await,
    )
}

/// Links a rater of an assessment to an account (its login name; empty:
/// unlinks). Facilitators of the commune and administrators.
#[server(endpoint = "link_rater")]
pub async fn link_rater(
    /// Assessment id.
    id: i64,
    /// Rater id.
    rater: String,
    /// Login name of the account (empty: none).
    #[server(default)]
    account: String,
) -> Result<(), AppError> {
    super::respond(
        async move {
            crate::service::workshop::link_rater(
                &super::service()?,
                &super::actor(),
                id,
                rater,
                account,
            )
            .await?;
            if super::plain_form_post() {
                leptos_axum::redirect(&format!("/evaluations/{id}"));
            }
            Ok(())
        }
        .await,
    )
}
