//! Action plans: from one scored assessment to the rubric's costed actions.
//!
//! For every indicator in the core's priority ranking ([`crate::gaps()`]:
//! failed minimum conditions first, then by impact on the overall index),
//! the plan lists its *goal* ([`PlanGoal`]: the effective target, raised to
//! the minimum for a critical indicator failing its minimum condition) and,
//! step by step from the current level (NI counts as the lowest level) up
//! to the goal, the rubric's actions for that step ([`PlanItem`]), each with
//! its cost in FCFA, horizon, responsible role and the step it closes.
//! Several actions of the same step close it *together*: each item carries
//! the whole step, so sum impacts per step, not per action. A step for which
//! the rubric has no action is listed in [`PlanGoal::uncosted_steps`] and
//! counted in the totals, never priced at zero silently.
//!
//! Items come in priority order, then by step (lowest first), then in the
//! order the rubric lists the actions.
//!
//! A plan is adjusted ([`PlanAdjustment`]: accept, drop, restore an action,
//! override its cost), gets the council's own actions
//! ([`ActionPlan::add_council`]: title, indicator, cost, horizon, person
//! responsible, deadline and [`ActionStatus`]), and is re-totalled
//! ([`PlanTotals`]: included, accepted, dropped and council actions;
//! included ones by domain, competency and horizon). The totals are the one
//! home of a plan's cost: the plan page, the printable report and the
//! spreadsheets all print [`ActionPlan::totals`] of the same adjusted plan.
//! An action is named by its indicator id and its index among the
//! indicator's `[[indicator.action]]` tables, which stays valid when the
//! assessment is scored again on the same rubric version. Plans serialise
//! (both ways) so that the app can keep an adjusted plan and exports can
//! print it.
//!
//! Money is whole FCFA in exact decimals; sums saturate rather than
//! overflow. This module reads the core's results; it must not depend on
//! `explain` or on the many-commune modules.

use crate::compiled::{CompiledRubric, IndicatorIx, LevelIx, MAX_COST, NodeIx, ROOT, valid_cost};
use crate::planning::{CommuneResult, PlanningError, PlanningErrors, check_scored, level_and_goal};
use crate::rubric::Horizon;
use crate::score::Status;
use crate::text::Text;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A costed action plan for one assessment (see the module docs).
///
/// ```
/// use capacity::{ActionPlan, CommuneResult, CompiledRubric, Lang, PlanAdjustment, example, format};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let mut plan = ActionPlan::new(&rubric, &CommuneResult::new(&assessment, &scored))?;
/// for item in &plan.items {
///     println!("{} {}: {}", item.priority, item.indicator_id, format::fcfa(item.cost(), Lang::Fr));
/// }
/// // ADM-EC-01 is at C with target B: one action, 120 000 FCFA.
/// let before = plan.totals.included.cost;
/// plan.adjust(&[PlanAdjustment::Drop { indicator: "ADM-EC-01".into(), action: 1 }])?;
/// assert_eq!(before - plan.totals.included.cost, 120_000.into());
/// let json = serde_json::to_string(&plan)?;
/// assert_eq!(serde_json::from_str::<ActionPlan>(&json)?, plan);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPlan {
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The commune id.
    pub commune: String,
    /// The round label.
    pub round: String,
    /// One goal per indicator of the priority ranking, first priority first.
    pub goals: Vec<PlanGoal>,
    /// The actions, in plan order.
    pub items: Vec<PlanItem>,
    /// The council's own actions, in the order they were added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub council: Vec<CouncilAction>,
    /// Totals, kept up to date by [`ActionPlan::adjust`] and
    /// [`ActionPlan::add_council`].
    pub totals: PlanTotals,
}

/// Where one indicator stands and where the plan takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanGoal {
    /// Rank in the core's priority ranking (1 = first).
    pub priority: u32,
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its id.
    pub indicator_id: String,
    /// Its competency.
    pub competency: NodeIx,
    /// Its domain.
    pub domain: NodeIx,
    /// The level the plan starts from (the lowest level for NI).
    pub level: LevelIx,
    /// The effective target.
    pub target: LevelIx,
    /// The level the plan aims at: the target, or the minimum when higher
    /// and the minimum condition fails.
    pub goal: LevelIx,
    /// Whether it fails a minimum condition.
    pub failed_condition: bool,
    /// Whether the level is NI (no information, D*): the first task may be
    /// to gather the evidence.
    pub no_information: bool,
    /// Global weight × gap in points, as in the priority ranking.
    #[serde(with = "rust_decimal::serde::str")]
    pub impact: Decimal,
    /// Steps (by their starting level) for which the rubric has no action.
    pub uncosted_steps: Vec<LevelIx>,
}

/// One level step of an indicator, which an action (with the other actions
/// of the same step) closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Step {
    /// The level the step starts from.
    pub from: LevelIx,
    /// The next level.
    pub to: LevelIx,
    /// Indicator score points gained (score of `to` − score of `from`).
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
    /// Points of the overall index gained: the indicator's global weight ×
    /// `points` (see [`crate::gaps`](mod@crate::gaps)).
    #[serde(with = "rust_decimal::serde::str")]
    pub impact: Decimal,
}

/// What the council decided about an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Proposed by the rubric, not yet decided: included in the totals.
    #[default]
    Proposed,
    /// Accepted: included in the totals.
    Accepted,
    /// Dropped: left out of the totals (counted apart).
    Dropped,
}

impl Decision {
    /// Every decision, in the order a form offers them.
    pub const ALL: [Decision; 3] = [Decision::Proposed, Decision::Accepted, Decision::Dropped];

    /// The decision's code in forms: `proposed`, `accept`, `drop` (files
    /// and JSON write `proposed`, `accepted`, `dropped`).
    pub const fn code(self) -> &'static str {
        match self {
            Decision::Proposed => "proposed",
            Decision::Accepted => "accept",
            Decision::Dropped => "drop",
        }
    }

    /// The decision of a code (surrounding spaces ignored; empty is
    /// `proposed`), or `None` for an unknown code.
    pub fn from_code(code: &str) -> Option<Decision> {
        match code.trim() {
            "" | "proposed" => Some(Decision::Proposed),
            "accept" => Some(Decision::Accepted),
            "drop" => Some(Decision::Dropped),
            _ => None,
        }
    }
}

/// Why a typed cost is not accepted ([`parse_cost`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum CostProblem {
    /// Not a number.
    #[error("not a number: write the cost in whole francs, e.g. 250 000")]
    NotANumber,
    /// Below zero.
    #[error("a cost cannot be negative")]
    Negative,
    /// Not whole francs (the CFA franc has no minor unit).
    #[error("the CFA franc has no cents: write whole francs")]
    NotWhole,
    /// Above the largest cost accepted ([`crate::compiled::MAX_COST`]).
    #[error("too large: at most 1 000 000 000 000 000 FCFA")]
    TooLarge,
}

/// A cost as a person types it: empty means "the rubric's cost" (`None`);
/// spaces (also the no-break ones a copied figure has) and a trailing
/// `FCFA` (any case) are allowed, and a decimal comma is read as a point;
/// the rest must be whole, non-negative francs up to
/// [`crate::compiled::MAX_COST`]. Any text at all gives an answer, never a
/// panic.
pub fn parse_cost(text: &str) -> Result<Option<Decimal>, CostProblem> {
    let mut s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let cut = s.len().saturating_sub(4);
    if s.is_char_boundary(cut) && s.get(cut..).is_some_and(|t| t.eq_ignore_ascii_case("fcfa")) {
        s.truncate(cut);
    }
    if s.is_empty() {
        return Ok(None);
    }
    let s = s.replace(',', ".");
    let d: Decimal = s.parse().map_err(|_| {
        // Digits only, but more than a decimal holds: far too large.
        let digits = s.strip_prefix('-').unwrap_or(&s);
        let points = digits.chars().filter(|c| *c == '.').count();
        if points <= 1
            && digits.chars().any(|c| c.is_ascii_digit())
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            CostProblem::TooLarge
        } else {
            CostProblem::NotANumber
        }
    })?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(CostProblem::Negative);
    }
    if !d.fract().is_zero() {
        return Err(CostProblem::NotWhole);
    }
    if d > crate::compiled::MAX_COST {
        return Err(CostProblem::TooLarge);
    }
    Ok(Some(d.trunc().normalize()))
}

/// One action of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlanItem {
    /// Rank of its indicator in the priority ranking (1 = first).
    pub priority: u32,
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its id.
    pub indicator_id: String,
    /// Its competency.
    pub competency: NodeIx,
    /// Its domain.
    pub domain: NodeIx,
    /// The action's index among the indicator's `[[indicator.action]]`.
    pub action: u32,
    /// The step it closes.
    pub step: Step,
    /// What to do.
    pub text: Text,
    /// The role responsible.
    pub responsible: Text,
    /// When it bears fruit.
    pub horizon: Horizon,
    /// The rubric's indicative cost in FCFA.
    #[serde(with = "rust_decimal::serde::str")]
    pub rubric_cost: Decimal,
    /// The cost set by the council, when overridden.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub cost_override: Option<Decimal>,
    /// The council's decision.
    #[serde(default)]
    pub decision: Decision,
}

impl PlanItem {
    /// The item's stable key, `INDICATOR/FROM/INDEX`: the indicator id, the
    /// code of the level its step starts from, and the action's index among
    /// the indicator's `[[indicator.action]]` tables. It stays the same when
    /// the assessment is scored again on the same rubric version, so stored
    /// decisions about an action are found again by it.
    pub fn key(&self, rubric: &crate::CompiledRubric) -> String {
        format!(
            "{}/{}/{}",
            self.indicator_id,
            rubric.level_code(self.step.from),
            self.action
        )
    }

    /// The cost used in the totals: the override, else the rubric's.
    pub fn cost(&self) -> Decimal {
        self.cost_override.unwrap_or(self.rubric_cost)
    }

    /// Whether the totals include it (not dropped).
    pub fn is_included(&self) -> bool {
        self.decision != Decision::Dropped
    }
}

/// Where one of the council's own actions stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Not started.
    #[default]
    NotStarted,
    /// In progress.
    InProgress,
    /// Done.
    Done,
}

impl ActionStatus {
    /// Every status, in the order a form offers them.
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::NotStarted,
        ActionStatus::InProgress,
        ActionStatus::Done,
    ];

    /// The status's code in forms, files and the store: `not_started`,
    /// `in_progress`, `done`.
    pub const fn code(self) -> &'static str {
        match self {
            ActionStatus::NotStarted => "not_started",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
        }
    }

    /// The status of a code (surrounding spaces ignored), or `None`.
    pub fn from_code(code: &str) -> Option<ActionStatus> {
        ActionStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }
}

/// An action the council adds to its plan itself, as stored or typed: the
/// indicator is named by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CouncilActionInput {
    /// A key that names the action for good (the app uses its row id;
    /// optional in files).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// The indicator it works on.
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+$"))
    )]
    pub indicator: String,
    /// What to do.
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"\S")))]
    pub title: String,
    /// Its cost in whole FCFA, a decimal written as a string.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(with = "crate::rubric::CostString")
    )]
    pub cost: Decimal,
    /// When it bears fruit.
    pub horizon: Horizon,
    /// The person responsible.
    #[serde(default)]
    pub responsible: String,
    /// The deadline (`YYYY-MM-DD`), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "schema"), schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), extend("format" = "date")))]
    pub deadline: Option<String>,
    /// Where it stands.
    #[serde(default)]
    pub status: ActionStatus,
}

/// The council's decisions about an assessment's plan, kept with the
/// assessment: the `[plan]` table of an assessment file
/// ([`crate::Assessment::plan`]) and the store's plan rows.
/// [`ActionPlan::new`] applies them, so the plan page, the printable
/// report, the spreadsheets, the command line and the compare page's
/// costed gap all read the same adjusted plan.
///
/// A decision names its action by the action's key
/// (`INDICATOR/FROM/INDEX`, [`PlanItem::key`]); one whose action is no
/// longer in the plan (the ratings changed since) is left aside.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanDecisions {
    /// Decisions about the rubric's actions (`[[plan.decision]]`).
    #[serde(default, rename = "decision", skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<ActionDecision>,
    /// The council's own actions (`[[plan.council_action]]`).
    #[serde(
        default,
        rename = "council_action",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub council: Vec<CouncilActionInput>,
}

impl PlanDecisions {
    /// No decision and no council action: the rubric's plan as proposed.
    pub fn is_empty(&self) -> bool {
        self.decisions.is_empty() && self.council.is_empty()
    }
}

/// What the council decided about one of the rubric's actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "schema"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionDecision {
    /// The action's key, `INDICATOR/FROM/INDEX` ([`PlanItem::key`]).
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[0-9]+$"))
    )]
    pub action: String,
    /// Accepted, dropped, or still proposed (a cost override alone).
    #[serde(default)]
    pub decision: Decision,
    /// The cost retained instead of the rubric's, in whole FCFA.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(
        any(test, feature = "schema"),
        schemars(with = "Option<crate::rubric::CostString>")
    )]
    pub cost: Option<Decimal>,
}

impl ActionDecision {
    /// The key's parts: indicator id, the code of the level the step
    /// starts from, the action's index; `None` when it is not of that form.
    pub fn parts(&self) -> Option<(&str, &str, u32)> {
        let mut it = self.action.rsplitn(3, '/');
        let index = it.next()?.parse().ok()?;
        let from = it.next()?;
        let indicator = it.next()?;
        (!indicator.is_empty() && !from.is_empty()).then_some((indicator, from, index))
    }
}

/// One of the council's own actions in a plan: always included in the
/// totals (the council decided it), under its indicator's competency and
/// domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CouncilAction {
    /// Its key (see [`CouncilActionInput::key`]).
    pub key: String,
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its id.
    pub indicator_id: String,
    /// Its competency.
    pub competency: NodeIx,
    /// Its domain.
    pub domain: NodeIx,
    /// What to do.
    pub title: String,
    /// Cost in whole FCFA.
    #[serde(with = "rust_decimal::serde::str")]
    pub cost: Decimal,
    /// When it bears fruit.
    pub horizon: Horizon,
    /// The person responsible.
    pub responsible: String,
    /// The deadline (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Where it stands.
    pub status: ActionStatus,
}

/// A number of actions and their cost in FCFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Actions.
    pub actions: u32,
    /// Their cost in FCFA.
    #[serde(with = "rust_decimal::serde::str")]
    pub cost: Decimal,
}

impl Totals {
    fn is_nothing(&self) -> bool {
        self.actions == 0 && self.cost.is_zero()
    }

    fn add(&mut self, cost: Decimal) {
        self.actions = self.actions.saturating_add(1);
        self.cost = self.cost.saturating_add(cost);
    }
}

/// Included actions under one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeTotals {
    /// The domain or competency.
    pub node: NodeIx,
    /// Its included actions.
    pub totals: Totals,
}

/// Included actions of one horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HorizonTotals {
    /// The horizon.
    pub horizon: Horizon,
    /// Its included actions.
    pub totals: Totals,
}

/// The totals of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanTotals {
    /// Actions not dropped (proposed or accepted).
    pub included: Totals,
    /// Accepted actions.
    pub accepted: Totals,
    /// Dropped actions.
    pub dropped: Totals,
    /// The council's own actions (all included).
    #[serde(default, skip_serializing_if = "Totals::is_nothing")]
    pub council: Totals,
    /// Steps toward the goals with no action in the rubric (not costed).
    pub uncosted_steps: u32,
    /// Included actions per domain with at least one action, rubric order.
    pub by_domain: Vec<NodeTotals>,
    /// Included actions per competency with at least one action, rubric
    /// order.
    pub by_competency: Vec<NodeTotals>,
    /// Included actions per horizon: short, medium, long (always three).
    pub by_horizon: Vec<HorizonTotals>,
}

/// A change to a plan, naming an action by its indicator id and its index
/// among the indicator's actions. Serialised with an `op` tag:
/// `{"op": "cost", "indicator": "ADM-EC-01", "action": 1, "cost": "90000"}`.
///
/// ```
/// use capacity::PlanAdjustment;
/// let a: PlanAdjustment = serde_json::from_str(
///     r#"{"op": "cost", "indicator": "ADM-EC-01", "action": 1, "cost": "90000"}"#,
/// )?;
/// assert_eq!(a, PlanAdjustment::Cost {
///     indicator: "ADM-EC-01".into(), action: 1, cost: Some(90_000.into()),
/// });
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanAdjustment {
    /// Accept the action.
    Accept {
        /// The indicator id.
        indicator: String,
        /// The action's index among the indicator's actions.
        action: u32,
    },
    /// Drop the action (left out of the totals).
    Drop {
        /// The indicator id.
        indicator: String,
        /// The action's index among the indicator's actions.
        action: u32,
    },
    /// Back to proposed (undo an accept or a drop).
    Propose {
        /// The indicator id.
        indicator: String,
        /// The action's index among the indicator's actions.
        action: u32,
    },
    /// Override the cost (whole FCFA), or with `null` go back to the
    /// rubric's cost.
    Cost {
        /// The indicator id.
        indicator: String,
        /// The action's index among the indicator's actions.
        action: u32,
        /// The new cost, or `None` for the rubric's.
        #[serde(default, with = "rust_decimal::serde::str_option")]
        cost: Option<Decimal>,
    },
}

impl PlanAdjustment {
    fn target(&self) -> (&str, u32) {
        match self {
            PlanAdjustment::Accept { indicator, action }
            | PlanAdjustment::Drop { indicator, action }
            | PlanAdjustment::Propose { indicator, action }
            | PlanAdjustment::Cost {
                indicator, action, ..
            } => (indicator, *action),
        }
    }
}

impl ActionPlan {
    /// The plan of one scored assessment with the council's decisions it
    /// carries applied ([`CommuneResult::plan`], see [`PlanDecisions`]):
    /// the one plan every front end prints. Fails when the results were
    /// made with another rubric, or a decision gives an invalid cost or a
    /// council action names an unknown indicator (a file resolved against
    /// its rubric never does).
    pub fn new(
        rubric: &CompiledRubric,
        result: &CommuneResult<'_>,
    ) -> Result<Self, PlanningErrors> {
        let mut plan = Self::proposed(rubric, result)?;
        if !result.plan.is_empty() {
            plan.apply(rubric, result.plan)?;
        }
        Ok(plan)
    }

    /// Applies the council's decisions: adjustments of the actions still in
    /// the plan (a decision whose action is not, is left aside), then its
    /// own actions. All or nothing, like [`ActionPlan::adjust`].
    pub fn apply(
        &mut self,
        rubric: &CompiledRubric,
        decisions: &PlanDecisions,
    ) -> Result<(), PlanningErrors> {
        let keys: std::collections::HashMap<String, (String, u32)> = self
            .items
            .iter()
            .map(|i| (i.key(rubric), (i.indicator_id.clone(), i.action)))
            .collect();
        let mut adjustments = Vec::with_capacity(decisions.decisions.len() * 2);
        for d in &decisions.decisions {
            let Some((indicator, action)) = keys.get(&d.action).cloned() else {
                continue;
            };
            if let Some(cost) = d.cost {
                adjustments.push(PlanAdjustment::Cost {
                    indicator: indicator.clone(),
                    action,
                    cost: Some(cost),
                });
            }
            adjustments.push(match d.decision {
                Decision::Proposed => PlanAdjustment::Propose { indicator, action },
                Decision::Accepted => PlanAdjustment::Accept { indicator, action },
                Decision::Dropped => PlanAdjustment::Drop { indicator, action },
            });
        }
        let before = self.clone();
        self.adjust(&adjustments)?;
        if let Err(e) = self.add_council(rubric, &decisions.council) {
            *self = before;
            return Err(e);
        }
        Ok(())
    }

    /// The rubric's plan as proposed, before any decision of the council
    /// (see the module docs). Fails only when the results were made with
    /// another rubric.
    pub fn proposed(
        rubric: &CompiledRubric,
        result: &CommuneResult<'_>,
    ) -> Result<Self, PlanningErrors> {
        let mut errors = Vec::new();
        check_scored(rubric, result, &mut errors);
        if !errors.is_empty() {
            return Err(PlanningErrors(errors));
        }
        let scored = result.scored;
        let gaps =
            crate::gaps::gaps(rubric, scored).map_err(|_| PlanningError::RubricMismatch {
                commune: result.commune.id.clone(),
                expected: rubric.key().to_owned(),
                found: scored.rubric.clone(),
            })?;
        let mut plan = ActionPlan {
            rubric: rubric.key().to_owned(),
            commune: result.commune.id.clone(),
            round: result.round.to_owned(),
            goals: Vec::with_capacity(gaps.priorities.len()),
            items: Vec::new(),
            council: Vec::new(),
            totals: PlanTotals::default(),
        };
        for (rank, p) in gaps.priorities.iter().enumerate() {
            let ix = p.indicator;
            let (Some(r), Some(compiled), Some(source)) = (
                scored.indicator(ix),
                rubric.indicator(ix),
                rubric.indicator_source(ix),
            ) else {
                continue;
            };
            let Some((level, goal)) = level_and_goal(rubric, ix, r) else {
                continue;
            };
            let priority = u32::try_from(rank + 1).unwrap_or(u32::MAX);
            let competency = compiled.parent;
            let domain = rubric
                .node(competency)
                .and_then(|n| n.parent)
                .unwrap_or(ROOT);
            let global_weight = gaps
                .indicator(ix)
                .map_or(Decimal::ZERO, |g| g.global_weight);
            let mut uncosted_steps = Vec::new();
            for from in level.0..goal.0 {
                let (from, to) = (LevelIx(from), LevelIx(from + 1));
                let points = rubric.level_score(to) - rubric.level_score(from);
                let step = Step {
                    from,
                    to,
                    points,
                    impact: global_weight * points,
                };
                let mut any = false;
                for (a, action) in source.actions.iter().enumerate() {
                    if rubric.level_ix(&action.from) != Some(from) {
                        continue;
                    }
                    any = true;
                    plan.items.push(PlanItem {
                        priority,
                        indicator: ix,
                        indicator_id: compiled.id.clone(),
                        competency,
                        domain,
                        action: u32::try_from(a).unwrap_or(u32::MAX),
                        step,
                        text: action.text.clone(),
                        responsible: action.responsible.clone(),
                        horizon: action.horizon,
                        rubric_cost: action.cost,
                        cost_override: None,
                        decision: Decision::Proposed,
                    });
                }
                if !any {
                    uncosted_steps.push(from);
                }
            }
            plan.goals.push(PlanGoal {
                priority,
                indicator: ix,
                indicator_id: compiled.id.clone(),
                competency,
                domain,
                level,
                target: r.target,
                goal,
                failed_condition: p.failed_condition,
                no_information: r.status == Status::NoInformation,
                impact: p.impact,
                uncosted_steps,
            });
        }
        plan.retotal();
        Ok(plan)
    }

    /// The item for an indicator id and action index.
    pub fn item(&self, indicator: &str, action: u32) -> Option<&PlanItem> {
        self.items
            .iter()
            .find(|i| i.indicator_id == indicator && i.action == action)
    }

    /// Applies `adjustments` in order and re-totals. All or nothing: when
    /// some adjustment names an action the plan does not hold or gives an
    /// invalid cost (not whole francs, negative, or above
    /// [`MAX_COST`]), nothing changes and every problem is reported.
    pub fn adjust(&mut self, adjustments: &[PlanAdjustment]) -> Result<(), PlanningErrors> {
        let mut errors = Vec::new();
        let mut targets = Vec::with_capacity(adjustments.len());
        for (n, adj) in adjustments.iter().enumerate() {
            let (indicator, action) = adj.target();
            match self
                .items
                .iter()
                .position(|i| i.indicator_id == indicator && i.action == action)
            {
                Some(pos) => targets.push(pos),
                None => errors.push(PlanningError::UnknownPlanItem {
                    adjustment: n,
                    indicator: indicator.to_owned(),
                    action,
                }),
            }
            if let PlanAdjustment::Cost {
                cost: Some(cost), ..
            } = adj
                && !valid_cost(*cost)
            {
                errors.push(PlanningError::InvalidCost {
                    adjustment: n,
                    cost: *cost,
                    max: MAX_COST,
                });
            }
        }
        if !errors.is_empty() {
            return Err(PlanningErrors(errors));
        }
        for (adj, pos) in adjustments.iter().zip(targets) {
            let Some(item) = self.items.get_mut(pos) else {
                continue;
            };
            match adj {
                PlanAdjustment::Accept { .. } => item.decision = Decision::Accepted,
                PlanAdjustment::Drop { .. } => item.decision = Decision::Dropped,
                PlanAdjustment::Propose { .. } => item.decision = Decision::Proposed,
                PlanAdjustment::Cost { cost, .. } => item.cost_override = *cost,
            }
        }
        self.retotal();
        Ok(())
    }

    /// Adds the council's own actions and re-totals. All or nothing: when
    /// an action names an indicator the rubric does not have or has an
    /// invalid cost (not whole francs, negative, or above [`MAX_COST`]),
    /// nothing changes and every problem is reported.
    ///
    /// ```
    /// use capacity::{ActionPlan, ActionStatus, CommuneResult, CompiledRubric, CouncilActionInput, Horizon, example};
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
    /// let scored = capacity::score(&rubric, &resolved)?;
    /// let mut plan = ActionPlan::new(&rubric, &CommuneResult::new(&assessment, &scored))?;
    /// let before = plan.totals.included.cost;
    /// plan.add_council(&rubric, &[CouncilActionInput {
    ///     key: "1".into(), indicator: "ADM-EC-01".into(), title: "Archive the civil registers".into(),
    ///     cost: 75_000.into(), horizon: Horizon::Short, responsible: "Awa Traoré".into(),
    ///     deadline: Some("2026-06-30".into()), status: ActionStatus::InProgress,
    /// }])?;
    /// assert_eq!(plan.totals.included.cost - before, 75_000.into());
    /// assert_eq!(plan.totals.council.actions, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_council(
        &mut self,
        rubric: &CompiledRubric,
        actions: &[CouncilActionInput],
    ) -> Result<(), PlanningErrors> {
        let mut errors = Vec::new();
        let mut added = Vec::with_capacity(actions.len());
        for (n, a) in actions.iter().enumerate() {
            if !valid_cost(a.cost) {
                errors.push(PlanningError::InvalidCost {
                    adjustment: n,
                    cost: a.cost,
                    max: MAX_COST,
                });
            }
            let Some((ix, compiled)) = rubric
                .indicator_ix(&a.indicator)
                .and_then(|ix| rubric.indicator(ix).map(|c| (ix, c)))
            else {
                errors.push(PlanningError::UnknownActionIndicator {
                    action: a.key.clone(),
                    indicator: a.indicator.clone(),
                });
                continue;
            };
            let competency = compiled.parent;
            added.push(CouncilAction {
                key: a.key.clone(),
                indicator: ix,
                indicator_id: compiled.id.clone(),
                competency,
                domain: rubric
                    .node(competency)
                    .and_then(|n| n.parent)
                    .unwrap_or(ROOT),
                title: a.title.clone(),
                cost: a.cost.trunc().normalize(),
                horizon: a.horizon,
                responsible: a.responsible.clone(),
                deadline: a.deadline.clone(),
                status: a.status,
            });
        }
        if !errors.is_empty() {
            return Err(PlanningErrors(errors));
        }
        self.council.extend(added);
        self.retotal();
        Ok(())
    }

    /// Recomputes [`ActionPlan::totals`] from the items and goals (after
    /// editing them directly, or reading a plan back).
    pub fn retotal(&mut self) {
        let mut t = PlanTotals {
            uncosted_steps: self
                .goals
                .iter()
                .map(|g| u32::try_from(g.uncosted_steps.len()).unwrap_or(u32::MAX))
                .fold(0u32, u32::saturating_add),
            by_horizon: [Horizon::Short, Horizon::Medium, Horizon::Long]
                .into_iter()
                .map(|horizon| HorizonTotals {
                    horizon,
                    totals: Totals::default(),
                })
                .collect(),
            ..PlanTotals::default()
        };
        for item in &self.items {
            let cost = item.cost();
            match item.decision {
                Decision::Dropped => {
                    t.dropped.add(cost);
                    continue;
                }
                Decision::Accepted => t.accepted.add(cost),
                Decision::Proposed => {}
            }
            t.included.add(cost);
            add_to(&mut t.by_domain, item.domain, cost);
            add_to(&mut t.by_competency, item.competency, cost);
            if let Some(h) = t.by_horizon.iter_mut().find(|h| h.horizon == item.horizon) {
                h.totals.add(cost);
            }
        }
        for action in &self.council {
            let cost = action.cost;
            t.council.add(cost);
            t.included.add(cost);
            add_to(&mut t.by_domain, action.domain, cost);
            add_to(&mut t.by_competency, action.competency, cost);
            if let Some(h) = t
                .by_horizon
                .iter_mut()
                .find(|h| h.horizon == action.horizon)
            {
                h.totals.add(cost);
            }
        }
        t.by_domain.sort_by_key(|n| n.node);
        t.by_competency.sort_by_key(|n| n.node);
        self.totals = t;
    }
}

fn add_to(list: &mut Vec<NodeTotals>, node: NodeIx, cost: Decimal) {
    match list.iter_mut().find(|n| n.node == node) {
        Some(n) => n.totals.add(cost),
        None => {
            let mut totals = Totals::default();
            totals.add(cost);
            list.push(NodeTotals { node, totals });
        }
    }
}

#[cfg(test)]
mod tests;
