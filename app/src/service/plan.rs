//! Operations of the action plan: an assessment's costed plan as the
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

use crate::error::AppError;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::Service;
#[allow(unused_imports)]
use crate::view::plan::*;

use capacity::{
    ActionPlan, ActionStatus, CommuneResult, CompiledRubric, CouncilActionInput, Decision, Horizon,
};

/// The submitted plan form, one map per field name.
#[derive(Debug)]
pub struct Form<'a> {
    /// `decision[KEY]`: absent when no radio is chosen.
    pub decision: &'a BTreeMap<String, String>,
    /// `cost[KEY]`.
    pub cost: &'a BTreeMap<String, String>,
    /// `was_decision[KEY]`.
    pub was_decision: &'a BTreeMap<String, String>,
    /// `was_cost[KEY]`.
    pub was_cost: &'a BTreeMap<String, String>,
    /// `version[KEY]`: one per row of the form.
    pub version: &'a BTreeMap<String, i64>,
}

/// A row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The action key.
    pub key: String,
    /// Kept (true) or dropped.
    pub accepted: bool,
    /// The cost override.
    pub cost: Option<Decimal>,
    /// The version read.
    pub version: i64,
    /// The row as typed.
    pub typed: TypedRow,
}

fn parse_decision(s: Option<&String>) -> Option<Decision> {
    Decision::from_code(s.map_or("", String::as_str))
}

/// The rows the person changed (compared with the values the form was
/// built with, not with what is stored now, so that someone else's
/// newer save is never mistaken for a change of theirs), or every
/// problem found. `known` says whether a key is in the plan.
pub fn changes(
    form: &Form<'_>,
    known: impl Fn(&str) -> bool,
) -> Result<Vec<Change>, Vec<PlanProblem>> {
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).cloned().unwrap_or_default();
    for (key, version) in form.version {
        let typed = TypedRow {
            decision: form
                .decision
                .get(key)
                .map_or_else(|| decision::PROPOSED.to_owned(), |s| s.trim().to_owned()),
            cost: get(form.cost, key),
            was_decision: get(form.was_decision, key),
            was_cost: get(form.was_cost, key),
            version: *version,
        };
        let problem = |kind| PlanProblem {
            key: key.clone(),
            text: typed.cost.trim().to_owned(),
            kind,
        };
        let Some(new_decision) = parse_decision(form.decision.get(key)) else {
            problems.push(PlanProblem {
                text: typed.decision.clone(),
                ..problem(ProblemKind::UnknownDecision)
            });
            continue;
        };
        let was_decision = parse_decision(form.was_decision.get(key)).unwrap_or(Decision::Proposed);
        let was_cost = parse_cost(&typed.was_cost).ok().flatten();
        let cost = match parse_cost(&typed.cost) {
            Ok(c) => c,
            Err(p) => {
                problems.push(problem(ProblemKind::Cost(p)));
                continue;
            }
        };
        if new_decision == was_decision && cost == was_cost {
            continue;
        }
        if !known(key) {
            problems.push(problem(ProblemKind::NotInPlan));
            continue;
        }
        let accepted = match new_decision {
            Decision::Accepted => true,
            Decision::Dropped => false,
            // Only the cost changed: the store has no "proposed with a
            // cost", so the council's cost means it keeps the action.
            Decision::Proposed if was_decision == Decision::Proposed => true,
            Decision::Proposed => {
                problems.push(problem(ProblemKind::CannotUndecide));
                continue;
            }
        };
        changes.push(Change {
            key: key.clone(),
            accepted,
            cost,
            version: *version,
            typed,
        });
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// The key of a council action's version in [`adjusted_plan`]'s versions.
pub fn council_version_key(id: i64) -> String {
    format!("council/{id}")
}

/// The stored council actions as the core reads them
/// ([`capacity_store::CouncilActionRow::input`]: an unreadable row is
/// logged and left aside rather than priced at zero).
pub fn council_inputs(rows: &[capacity_store::CouncilActionRow]) -> Vec<CouncilActionInput> {
    rows.iter()
        .filter_map(capacity_store::CouncilActionRow::input)
        .collect()
}

fn council_lines(
    rubric: &CompiledRubric,
    rows: &[capacity_store::CouncilActionRow],
) -> Vec<CouncilLine> {
    let versions: BTreeMap<String, i64> =
        rows.iter().map(|r| (r.id.to_string(), r.version)).collect();
    council_inputs(rows)
        .into_iter()
        .map(|a| CouncilLine {
            id: a.key.parse().unwrap_or(0),
            indicator_title: rubric
                .indicator_ix(&a.indicator)
                .and_then(|ix| rubric.title(capacity::NodeRef::Indicator(ix)).cloned())
                .unwrap_or_default(),
            version: versions.get(&a.key).copied().unwrap_or(0),
            indicator: a.indicator,
            title: a.title,
            cost: a.cost,
            horizon: a.horizon,
            responsible: a.responsible,
            deadline: a.deadline,
            status: a.status,
        })
        .collect()
}

/// An assessment's plan with the council's decisions applied (the store
/// loads them with the assessment, [`capacity::Assessment::plan`], and
/// [`ActionPlan::new`] applies them), and the version of each stored row
/// (the council's under [`council_version_key`]). The one plan the plan
/// page, the printable report, the downloads and the assessment file show.
pub async fn adjusted_plan(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
) -> Result<
    (
        capacity_store::StoredAssessment,
        std::sync::Arc<CompiledRubric>,
        ActionPlan,
        BTreeMap<String, i64>,
    ),
    AppError,
> {
    let stored = super::workshop::visible(state, actor, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let plan = ActionPlan::new(&rubric, &CommuneResult::new(&stored.assessment, &scored))
        .map_err(|e| AppError::Internal(format!("plan of assessment {id}: {e}")))?;
    let mut versions: BTreeMap<String, i64> = state
        .store
        .plan_adjustments(id)
        .await?
        .into_iter()
        .map(|r| (r.action_key, r.version))
        .collect();
    for r in state.store.council_actions(id).await? {
        versions.insert(council_version_key(r.id), r.version);
    }
    Ok((stored, rubric, plan, versions))
}

/// The action plan of an assessment with the council's adjustments, grouped
/// by domain and competency; `outcome` is the token of a plain form save
/// (empty: none).
pub async fn load_plan(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    outcome: String,
) -> Result<PlanPage, AppError> {
    use capacity::NodeRef;
    let (stored, rubric, plan, versions) = adjusted_plan(state, actor, id).await?;
    let node_title = |ix| rubric.title(NodeRef::Node(ix)).cloned().unwrap_or_default();
    let node_id = |ix| rubric.id(NodeRef::Node(ix)).to_owned();
    let sum_of = |list: &[capacity::plan::NodeTotals], ix| {
        list.iter()
            .find(|n| n.node == ix)
            .map(|n| Sum::from(n.totals))
            .unwrap_or_default()
    };
    let mut goals: Vec<&capacity::PlanGoal> = plan.goals.iter().collect();
    goals.sort_by_key(|g| (g.domain, g.competency, g.priority));
    let mut domains: Vec<DomainPlan> = Vec::new();
    for g in goals {
        if domains.last().is_none_or(|d| d.id != node_id(g.domain)) {
            domains.push(DomainPlan {
                id: node_id(g.domain),
                title: node_title(g.domain),
                totals: sum_of(&plan.totals.by_domain, g.domain),
                competencies: Vec::new(),
            });
        }
        let Some(domain) = domains.last_mut() else {
            continue;
        };
        if domain
            .competencies
            .last()
            .is_none_or(|c| c.id != node_id(g.competency))
        {
            domain.competencies.push(CompetencyPlan {
                id: node_id(g.competency),
                title: node_title(g.competency),
                totals: sum_of(&plan.totals.by_competency, g.competency),
                goals: Vec::new(),
            });
        }
        let Some(competency) = domain.competencies.last_mut() else {
            continue;
        };
        let step = |from: capacity::LevelIx| {
            let to = rubric
                .levels()
                .get(from.index() + 1)
                .map_or("?", |l| l.code.as_str());
            format!("{} → {to}", rubric.level_code(from))
        };
        let actions = plan
            .items
            .iter()
            .filter(|i| i.indicator == g.indicator)
            .map(|i| {
                let key = i.key(&rubric);
                ActionLine {
                    number: i.action.saturating_add(1),
                    step: step(i.step.from),
                    text: i.text.clone(),
                    responsible: i.responsible.clone(),
                    horizon: i.horizon,
                    rubric_cost: i.rubric_cost,
                    cost_override: i.cost_override,
                    decision: i.decision,
                    version: versions.get(&key).copied().unwrap_or(0),
                    key,
                }
            })
            .collect();
        competency.goals.push(GoalLine {
            priority: g.priority,
            indicator: g.indicator_id.clone(),
            title: rubric
                .title(NodeRef::Indicator(g.indicator))
                .cloned()
                .unwrap_or_default(),
            level: if g.no_information {
                capacity::NO_INFORMATION.to_owned()
            } else {
                rubric.level_code(g.level).to_owned()
            },
            target: rubric.level_code(g.target).to_owned(),
            goal: rubric.level_code(g.goal).to_owned(),
            failed_condition: g.failed_condition,
            uncosted: g.uncosted_steps.iter().map(|s| step(*s)).collect(),
            actions,
        });
    }
    let t = &plan.totals;
    let a = &stored.assessment;
    let council = council_lines(&rubric, &state.store.council_actions(id).await?);
    let previous = match super::results::previous_of(state, id).await? {
        Some(p) => {
            let actions = council_lines(&rubric, &state.store.council_actions(p.header.id).await?);
            (!actions.is_empty()).then(|| PreviousActions {
                id: p.header.id,
                round: p.assessment.round.clone(),
                actions,
            })
        }
        None => None,
    };
    let indicators = rubric
        .rubric()
        .indicators
        .iter()
        .map(|i| (i.id.clone(), i.title.clone()))
        .collect();
    Ok(PlanPage {
        council,
        previous,
        indicators,
        header: PlanHeader {
            id,
            commune_id: a.commune.id.clone(),
            commune: a.commune.name.clone(),
            round: a.round.clone(),
            date: a.date.clone(),
            rubric_title: rubric.rubric().title.clone(),
            finalised: stored.header.finalised,
            editable: actor.may(
                super::access::Action::EditPlan,
                &super::access::Place::of(&stored.header),
            ),
        },
        totals: PlanSums {
            included: t.included.into(),
            accepted: t.accepted.into(),
            dropped: t.dropped.into(),
            council: t.council.into(),
            uncosted_steps: t.uncosted_steps,
            by_horizon: t
                .by_horizon
                .iter()
                .map(|h| (h.horizon, h.totals.into()))
                .collect(),
        },
        domains,
        max_cost: capacity::compiled::MAX_COST,
        outcome: match outcome.is_empty() {
            true => None,
            false => state.plan_outcome(&outcome).await,
        },
    })
}

/// Saves the changed rows of a plan form: `decision[KEY]` (`proposed`,
/// `accept`, `drop`; absent means proposed), `cost[KEY]` (whole FCFA, empty
/// for the rubric's), and what the form was built with: `was_decision[KEY]`,
/// `was_cost[KEY]`, `version[KEY]`. Invalid rows: nothing is written.
/// Stale rows are refused, the others written.
#[allow(clippy::too_many_arguments)] // the fields of one form, plus who sends it
pub async fn save_plan(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    decision: BTreeMap<String, String>,
    cost: BTreeMap<String, String>,
    was_decision: BTreeMap<String, String>,
    was_cost: BTreeMap<String, String>,
    version: BTreeMap<String, i64>,
) -> Result<PlanSaved, AppError> {
    use capacity_store::StoreError;
    super::workshop::allowed(state, actor, id, super::access::Action::EditPlan).await?;
    let (_, rubric, plan, _) = adjusted_plan(state, actor, id).await?;
    let keys: std::collections::BTreeSet<String> =
        plan.items.iter().map(|i| i.key(&rubric)).collect();
    let form = Form {
        decision: &decision,
        cost: &cost,
        was_decision: &was_decision,
        was_cost: &was_cost,
        version: &version,
    };
    let mut outcome = PlanSaved::default();
    match changes(&form, |k| keys.contains(k)) {
        Err(problems) => {
            outcome.problems = problems;
            // Show every changed row again as typed, valid or not.
            for (key, v) in &version {
                let typed = TypedRow {
                    decision: decision
                        .get(key)
                        .cloned()
                        .unwrap_or_else(|| self::decision::PROPOSED.to_owned()),
                    cost: cost.get(key).cloned().unwrap_or_default(),
                    was_decision: was_decision.get(key).cloned().unwrap_or_default(),
                    was_cost: was_cost.get(key).cloned().unwrap_or_default(),
                    version: *v,
                };
                if typed.decision.trim() != typed.was_decision.trim()
                    || typed.cost.trim() != typed.was_cost.trim()
                {
                    outcome.typed.insert(key.clone(), typed);
                }
            }
        }
        Ok(changes) => {
            for change in changes {
                let cost = change.cost.map(|c| c.to_string());
                match state
                    .store
                    .save_plan_adjustment(
                        id,
                        &change.key,
                        change.accepted,
                        cost.as_deref(),
                        change.version,
                        &actor.audit(),
                    )
                    .await
                {
                    Ok(_) => outcome.saved += 1,
                    Err(StoreError::Stale { .. }) => {
                        // What would have been stored: a new cost on a
                        // proposed action accepts it.
                        let decision = if change.accepted {
                            self::decision::ACCEPT
                        } else {
                            self::decision::DROP
                        };
                        let typed = TypedRow {
                            decision: decision.to_owned(),
                            ..change.typed
                        };
                        outcome.refused.insert(change.key, typed);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Ok(outcome)
}

/// Adds one of the council's own actions to an assessment's plan: every
/// field is checked and every problem reported at once
/// ([`AppError::Fields`]): `title` and `responsible` required, `indicator`
/// one of the rubric's, `cost` whole FCFA (the core's rule), `horizon`
/// `short`, `medium` or `long`, `deadline` empty or a real date, `status`
/// a status code (empty: not started).
#[allow(clippy::too_many_arguments)] // the fields of one form, plus who sends it
pub async fn add_council_action(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    indicator: String,
    title: String,
    cost: String,
    horizon: String,
    responsible: String,
    deadline: String,
    status: String,
) -> Result<i64, AppError> {
    let header =
        super::workshop::allowed(state, actor, id, super::access::Action::EditPlan).await?;
    let new = council_fields(
        state,
        &header,
        CouncilFields {
            indicator,
            title,
            cost,
            horizon,
            responsible,
            deadline,
        },
        &status,
    )
    .await?;
    Ok(state
        .store
        .add_council_action(id, &new, &actor.audit())
        .await?)
}

/// The fields of the council action form, as typed.
#[derive(Debug, Clone, Default)]
pub struct CouncilFields {
    /// Indicator id.
    pub indicator: String,
    /// What to do.
    pub title: String,
    /// Cost in whole FCFA.
    pub cost: String,
    /// `short`, `medium` or `long`.
    pub horizon: String,
    /// The person responsible.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD` (may be empty).
    pub deadline: String,
}

impl CouncilFields {
    /// The fields by name, as typed (kept for a refused plain form).
    pub fn typed(&self) -> std::collections::BTreeMap<String, String> {
        std::collections::BTreeMap::from([
            ("indicator".to_owned(), self.indicator.clone()),
            ("title".to_owned(), self.title.clone()),
            ("cost".to_owned(), self.cost.clone()),
            ("horizon".to_owned(), self.horizon.clone()),
            ("responsible".to_owned(), self.responsible.clone()),
            ("deadline".to_owned(), self.deadline.clone()),
        ])
    }
}

/// A council action from its form, checked field by field (every problem
/// at once, [`AppError::Fields`]): `title` and `responsible` required,
/// `indicator` one of the rubric's, `cost` whole FCFA (the core's rule),
/// `horizon` `short`, `medium` or `long`, `deadline` empty or a real date,
/// `status` a status code (empty: not started).
async fn council_fields(
    state: &Service,
    header: &capacity_store::AssessmentHeader,
    f: CouncilFields,
    status: &str,
) -> Result<capacity_store::NewCouncilAction, AppError> {
    use super::limits;
    use crate::error::{FieldProblem, Problem};
    let rubric = state.rubric(&header.rubric, &header.rubric_version).await?;
    let mut problems = Vec::new();
    let mut text = |field: &str, value: &str, max: usize| {
        if value.is_empty() {
            problems.push(FieldProblem::new(field, Problem::Required));
        } else if let Some(p) = limits::too_long(value, max) {
            problems.push(FieldProblem::new(field, p));
        }
    };
    let (title, responsible) = (f.title.trim(), f.responsible.trim());
    text("title", title, limits::TEXT);
    text("responsible", responsible, limits::NAME);
    let indicator = f.indicator.trim();
    if rubric.indicator_ix(indicator).is_none() {
        problems.push(FieldProblem::new("indicator", Problem::UnknownChoice));
    }
    let cost = match parse_cost(&f.cost) {
        Ok(Some(c)) => Some(c),
        Ok(None) => {
            problems.push(FieldProblem::new("cost", Problem::Required));
            None
        }
        Err(p) => {
            problems.push(FieldProblem::new("cost", Problem::Cost(p)));
            None
        }
    };
    let horizon = Horizon::from_code(&f.horizon);
    if horizon.is_none() {
        problems.push(FieldProblem::new("horizon", Problem::UnknownChoice));
    }
    let deadline = f.deadline.trim();
    if !deadline.is_empty() && !capacity::valid_date(deadline) {
        problems.push(FieldProblem::new("deadline", Problem::NotADate));
    }
    let status = if status.trim().is_empty() {
        Some(ActionStatus::NotStarted)
    } else {
        ActionStatus::from_code(status)
    };
    if status.is_none() {
        problems.push(FieldProblem::new("status", Problem::UnknownChoice));
    }
    let (Some(cost), Some(horizon), Some(status), true) =
        (cost, horizon, status, problems.is_empty())
    else {
        return Err(AppError::Fields(problems));
    };
    Ok(capacity_store::NewCouncilAction {
        indicator: indicator.to_owned(),
        title: title.to_owned(),
        cost: cost.to_string(),
        horizon: horizon.code().to_owned(),
        responsible: responsible.to_owned(),
        deadline: (!deadline.is_empty()).then(|| deadline.to_owned()),
        status: status.code().to_owned(),
    })
}

/// Changes one of the council's actions (every field but its status, which
/// has its own form) at the version read: the same checks as adding one;
/// a stale save is refused with [`AppError::Stale`] (409).
pub async fn update_council_action(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    action: i64,
    fields: CouncilFields,
    version: i64,
) -> Result<i64, AppError> {
    let header =
        super::workshop::allowed(state, actor, id, super::access::Action::EditPlan).await?;
    let changed = council_fields(state, &header, fields, "").await?;
    Ok(state
        .store
        .update_council_action(id, action, &changed, version, &actor.audit())
        .await?)
}

/// Deletes one of the council's actions at the version read (stale: 409).
pub async fn delete_council_action(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    action: i64,
    version: i64,
) -> Result<(), AppError> {
    super::workshop::allowed(state, actor, id, super::access::Action::EditPlan).await?;
    Ok(state
        .store
        .delete_council_action(id, action, version, &actor.audit())
        .await?)
}

/// Sets where one of the council's actions stands, at the version read
/// (a stale save is refused with [`AppError::Stale`], 409).
pub async fn set_council_action_status(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    action: i64,
    status: String,
    version: i64,
) -> Result<i64, AppError> {
    use crate::error::{FieldProblem, Problem};
    super::workshop::allowed(state, actor, id, super::access::Action::EditPlan).await?;
    let Some(status) = ActionStatus::from_code(&status) else {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "status",
            Problem::UnknownChoice,
        )]));
    };
    Ok(state
        .store
        .set_council_action_status(id, action, status.code(), version, &actor.audit())
        .await?)
}

/// A plan save as other clients than a plain form see it: the outcome when
/// every changed row was written, else the error with its status —
/// [`AppError::Fields`] (422) naming each invalid field (nothing was
/// written), or [`AppError::Stale`] (409) naming the rows someone else
/// changed meanwhile (the others were written).
pub fn outcome_status(outcome: PlanSaved) -> Result<PlanSaved, AppError> {
    use crate::error::{FieldProblem, Problem};
    if !outcome.problems.is_empty() {
        let fields = outcome
            .problems
            .iter()
            .map(|p| match p.kind {
                ProblemKind::Cost(c) => {
                    FieldProblem::new(format!("cost[{}]", p.key), Problem::Cost(c))
                }
                ProblemKind::UnknownDecision => {
                    FieldProblem::new(format!("decision[{}]", p.key), Problem::UnknownChoice)
                }
                ProblemKind::CannotUndecide => {
                    FieldProblem::new(format!("decision[{}]", p.key), Problem::CannotUndecide)
                }
                ProblemKind::NotInPlan => {
                    FieldProblem::new(format!("decision[{}]", p.key), Problem::NotInPlan)
                }
            })
            .collect();
        return Err(AppError::Fields(fields));
    }
    if !outcome.refused.is_empty() {
        let keys: Vec<&str> = outcome.refused.keys().map(String::as_str).collect();
        return Err(AppError::Stale(format!(
            "{} row(s) saved; changed by someone else meanwhile, not saved: {} (reload the plan to see the newer values)",
            outcome.saved,
            keys.join(", ")
        )));
    }
    Ok(outcome)
}

/// The page a plain form post of the plan goes back to, with what was
/// refused or invalid kept under a token for it.
pub async fn after_plan_save(
    state: &Service,
    id: i64,
    outcome: &PlanSaved,
) -> Result<String, AppError> {
    let mut to = format!("/evaluations/{id}/plan?saved={}", outcome.saved);
    if !outcome.problems.is_empty() || !outcome.refused.is_empty() {
        to.push_str("&outcome=");
        to.push_str(&state.keep_plan_outcome(outcome).await?);
    }
    to.push_str("#plan-messages");
    Ok(to)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use super::{Form, changes};

    #[track_caller]
    fn check_cost(input: &str, expected: Result<Option<i64>, CostProblem>) {
        assert_eq!(parse_cost(input), expected.map(|o| o.map(Decimal::from)));
    }

    #[test]
    fn costs_are_whole_non_negative_francs() {
        check_cost("", Ok(None));
        check_cost("   ", Ok(None));
        check_cost("125000", Ok(Some(125_000)));
        check_cost("1 250 000", Ok(Some(1_250_000)));
        check_cost("1\u{202F}250\u{202F}000\u{A0}FCFA", Ok(Some(1_250_000)));
        check_cost("90000 fcfa", Ok(Some(90_000)));
        check_cost("0", Ok(Some(0)));
        check_cost("-0", Ok(Some(0)));
        check_cost("125000,00", Ok(Some(125_000)));
        check_cost("abc", Err(CostProblem::NotANumber));
        check_cost("12a", Err(CostProblem::NotANumber));
        check_cost("1.250.000", Err(CostProblem::NotANumber));
        check_cost("FCFA", Ok(None));
        check_cost("-5", Err(CostProblem::Negative));
        check_cost("12,5", Err(CostProblem::NotWhole));
        check_cost("1000000000000000", Ok(Some(1_000_000_000_000_000)));
        check_cost("1000000000000001", Err(CostProblem::TooLarge));
        check_cost(
            "99999999999999999999999999999999999",
            Err(CostProblem::TooLarge),
        );
    }

    #[test]
    fn cost_fields_round_trip() {
        assert_eq!(cost_field(None), "");
        let c = parse_cost("125 000").ok().flatten();
        assert_eq!(cost_field(c), "125000");
        assert_eq!(parse_cost(&cost_field(c)), Ok(c));
    }

    /// One form row: (key, decision or None, cost, was decision, was cost,
    /// version).
    type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, &'a str, i64);

    /// A change written: (key, accepted, cost, version read).
    type Written = (String, bool, Option<Decimal>, i64);

    fn run(rows: &[Row<'_>]) -> Result<Vec<Written>, Vec<PlanProblem>> {
        let mut d = BTreeMap::new();
        let mut c = BTreeMap::new();
        let mut wd = BTreeMap::new();
        let mut wc = BTreeMap::new();
        let mut v = BTreeMap::new();
        for (key, decision, cost, was_d, was_c, version) in rows {
            if let Some(x) = decision {
                d.insert((*key).to_owned(), (*x).to_owned());
            }
            c.insert((*key).to_owned(), (*cost).to_owned());
            wd.insert((*key).to_owned(), (*was_d).to_owned());
            wc.insert((*key).to_owned(), (*was_c).to_owned());
            v.insert((*key).to_owned(), *version);
        }
        let form = Form {
            decision: &d,
            cost: &c,
            was_decision: &wd,
            was_cost: &wc,
            version: &v,
        };
        changes(&form, |k| k != "GONE/D/0").map(|list| {
            list.into_iter()
                .map(|ch| (ch.key, ch.accepted, ch.cost, ch.version))
                .collect()
        })
    }

    #[test]
    fn only_changed_rows_are_written() {
        let rows = [
            // untouched proposed row
            ("A/D/0", None, "", "proposed", "", 0),
            // untouched decided row, cost typed the same way differently
            ("A/C/1", Some("accept"), "125 000", "accept", "125000", 3),
            // dropped
            ("B/D/0", Some("drop"), "", "proposed", "", 0),
            // cost overridden on a proposed action: kept
            ("B/C/1", None, "90 000", "proposed", "", 0),
            // override removed on a dropped action
            ("C/D/0", Some("drop"), "", "drop", "5000", 2),
            // the row no longer in the plan, untouched: ignored
            ("GONE/D/0", None, "", "proposed", "", 0),
        ];
        assert_eq!(
            run(&rows),
            Ok(vec![
                ("B/C/1".to_owned(), true, Some(Decimal::from(90_000)), 0),
                ("B/D/0".to_owned(), false, None, 0),
                ("C/D/0".to_owned(), false, None, 2),
            ])
        );
    }

    #[test]
    fn every_problem_is_reported_and_nothing_written() {
        let rows = [
            ("A/D/0", None, "abc", "proposed", "", 0),
            ("A/C/1", Some("drop"), "-3", "proposed", "", 0),
            ("B/D/0", Some("maybe"), "", "proposed", "", 0),
            ("B/C/1", Some("proposed"), "", "accept", "", 1),
            ("GONE/D/0", Some("drop"), "", "proposed", "", 0),
            ("OK/D/0", Some("drop"), "", "proposed", "", 0),
        ];
        let problems = run(&rows).expect_err("problems");
        let kinds: Vec<(&str, ProblemKind)> =
            problems.iter().map(|p| (p.key.as_str(), p.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("A/C/1", ProblemKind::Cost(CostProblem::Negative)),
                ("A/D/0", ProblemKind::Cost(CostProblem::NotANumber)),
                ("B/C/1", ProblemKind::CannotUndecide),
                ("B/D/0", ProblemKind::UnknownDecision),
                ("GONE/D/0", ProblemKind::NotInPlan),
            ]
        );
        assert_eq!(problems[1].text, "abc");
    }
}
