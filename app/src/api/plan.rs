//! Server functions of the action plan: an assessment's costed plan as the
//! core builds it from the gaps ([`capacity::ActionPlan`]) with the
//! council's stored adjustments applied, the list of plans, and the save of
//! a whole plan form.
//!
//! An action is stored under its *key* `INDICATOR/FROM/INDEX` (indicator
//! id, the level code the action starts from, its index among the
//! indicator's `[[indicator.action]]` tables), which stays valid when the
//! assessment is scored again on the same rubric version.
//!
//! The store keeps two decisions per action, kept (accepted) or dropped,
//! plus an optional cost override; an action with no stored row is
//! *proposed*. Changing the cost of a proposed action therefore records it
//! as accepted (the page says so). Every save names the version it read: a
//! stale row is refused and the newer value shown, never overwritten. A
//! plan stays adjustable after the assessment is finalised, as the store
//! allows: it is the council's working document.
//!
//! A plain form post (JavaScript off) is answered with a redirect to the
//! plan page; what was refused or invalid is kept under a short-lived token
//! so that the page can show it next to the fields.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::AppError;
pub use crate::view::plan::*;

/// The action plan of an assessment with the council's adjustments, grouped
/// by domain and competency; `outcome` is the token of a plain form save
/// (empty: none).
#[server(endpoint = "load_plan")]
pub async fn load_plan(
    /// Assessment id.
    id: i64,
    /// Token of the last save (may be empty).
    outcome: String,
) -> Result<PlanPage, AppError> {
    super::respond(
        async move {
            crate::service::plan::load_plan(&super::service()?, &super::actor(), id, outcome).await
        }
        .await,
    )
}

/// Saves the changed rows of a plan form: `decision[KEY]` (`proposed`,
/// `accept`, `drop`; absent means proposed), `cost[KEY]` (whole FCFA, empty
/// for the rubric's), and what the form was built with: `was_decision[KEY]`,
/// `was_cost[KEY]`, `version[KEY]`. Invalid rows: nothing is written.
/// Stale rows are refused, the others written.
#[server(endpoint = "save_plan")]
pub async fn save_plan(
    /// Assessment id.
    id: i64,
    /// Decision per action.
    #[server(default)]
    decision: BTreeMap<String, String>,
    /// Cost per action.
    #[server(default)]
    cost: BTreeMap<String, String>,
    /// Decision read per action.
    #[server(default)]
    was_decision: BTreeMap<String, String>,
    /// Cost read per action.
    #[server(default)]
    was_cost: BTreeMap<String, String>,
    /// Version read per action.
    #[server(default)]
    version: BTreeMap<String, i64>,
) -> Result<PlanSaved, AppError> {
    super::respond(
        async move {
            let service = super::service()?;
            let outcome = crate::service::plan::save_plan(
                &service,
                &super::actor(),
                id,
                decision,
                cost,
                was_decision,
                was_cost,
                version,
            )
            .await?;
            if super::plain_form_post() {
                // The page shows the problems and refusals beside the rows.
                leptos_axum::redirect(&crate::service::plan::after_plan_save(
                    &service, id, &outcome,
                ));
                return Ok(outcome);
            }
            // Other clients get the status of what happened: 422 when a
            // row is invalid (nothing was written), 409 when rows were
            // changed by someone else meanwhile.
            crate::service::plan::outcome_status(outcome)
        }
        .await,
    )
}
