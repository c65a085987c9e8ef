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

// A council action's edit form has six fields besides the action it
// edits, taken one by one like every form's server function.
#![allow(clippy::too_many_arguments)]

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
                leptos_axum::redirect(
                    &crate::service::plan::after_plan_save(&service, id, &outcome).await?,
                );
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

/// Adds one of the council's own actions to the plan (title, indicator,
/// cost in whole FCFA, horizon, person responsible, deadline); it starts
/// "not started".
/// Answers its id; a plain form goes back to the plan's council section,
/// or to the form with every problem named.
#[server(endpoint = "add_council_action")]
pub async fn add_council_action(
    /// Assessment id.
    id: i64,
    /// Indicator id.
    #[server(default)]
    indicator: String,
    /// What to do.
    #[server(default)]
    title: String,
    /// Cost in whole FCFA.
    #[server(default)]
    cost: String,
    /// `short`, `medium` or `long`.
    #[server(default)]
    horizon: String,
    /// The person responsible.
    #[server(default)]
    responsible: String,
    /// Deadline, `YYYY-MM-DD` (may be empty).
    #[server(default)]
    deadline: String,
) -> Result<i64, AppError> {
    let typed = BTreeMap::from([
        ("indicator".to_owned(), indicator.clone()),
        ("title".to_owned(), title.clone()),
        ("cost".to_owned(), cost.clone()),
        ("horizon".to_owned(), horizon.clone()),
        ("responsible".to_owned(), responsible.clone()),
        ("deadline".to_owned(), deadline.clone()),
    ]);
    let result = async move {
        crate::service::plan::add_council_action(
            &super::service()?,
            &super::actor(),
            id,
            indicator,
            title,
            cost,
            horizon,
            responsible,
            deadline,
            // A new action starts "not started"; its status changes after.
            String::new(),
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/evaluations/{id}/plan#council"), typed)
}

/// Sets where one of the council's actions stands (`not_started`,
/// `in_progress`, `done`) at the version read.
#[server(endpoint = "set_council_action_status")]
pub async fn set_council_action_status(
    /// Assessment id.
    id: i64,
    /// The action's id.
    action: i64,
    /// Status code.
    #[server(default)]
    status: String,
    /// Version read.
    version: i64,
) -> Result<i64, AppError> {
    super::respond(
        async move {
            let v = crate::service::plan::set_council_action_status(
                &super::service()?,
                &super::actor(),
                id,
                action,
                status,
                version,
            )
            .await?;
            if super::plain_form_post() {
                leptos_axum::redirect(&format!("/evaluations/{id}/plan#council"));
            }
            Ok(v)
        }
        .await,
    )
}

/// Changes one of the council's actions (title, indicator, cost, horizon,
/// person responsible, deadline) at the version read; a stale save is
/// refused (409). A plain form goes back to the plan's council section, or
/// to the form with every problem named.
#[server(endpoint = "update_council_action")]
pub async fn update_council_action(
    /// Assessment id.
    id: i64,
    /// The action's id.
    action: i64,
    /// Version read.
    version: i64,
    /// Indicator id.
    #[server(default)]
    indicator: String,
    /// What to do.
    #[server(default)]
    title: String,
    /// Cost in whole FCFA.
    #[server(default)]
    cost: String,
    /// `short`, `medium` or `long`.
    #[server(default)]
    horizon: String,
    /// The person responsible.
    #[server(default)]
    responsible: String,
    /// Deadline, `YYYY-MM-DD` (may be empty).
    #[server(default)]
    deadline: String,
) -> Result<i64, AppError> {
    let fields = crate::service::plan::CouncilFields {
        indicator,
        title,
        cost,
        horizon,
        responsible,
        deadline,
    };
    let typed = fields.typed();
    let result = async move {
        crate::service::plan::update_council_action(
            &super::service()?,
            &super::actor(),
            id,
            action,
            fields,
            version,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/evaluations/{id}/plan#council"), typed)
}

/// Deletes one of the council's actions at the version read (stale: 409);
/// the audit trail keeps what it was.
#[server(endpoint = "delete_council_action")]
pub async fn delete_council_action(
    /// Assessment id.
    id: i64,
    /// The action's id.
    action: i64,
    /// Version read.
    version: i64,
) -> Result<(), AppError> {
    let result = async move {
        crate::service::plan::delete_council_action(
            &super::service()?,
            &super::actor(),
            id,
            action,
            version,
        )
        .await
    }
    .await;
    super::form_answer(
        result,
        |_| format!("/evaluations/{id}/plan#council"),
        BTreeMap::new(),
    )
}
