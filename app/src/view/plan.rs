//! The data of the plan pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use capacity::{ActionStatus, Decision, Horizon, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A number of actions and their cost in FCFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Sum {
    /// Actions.
    pub actions: u32,
    /// Cost in whole FCFA.
    pub cost: Decimal,
}

impl From<capacity::plan::Totals> for Sum {
    fn from(t: capacity::plan::Totals) -> Self {
        Sum {
            actions: t.actions,
            cost: t.cost,
        }
    }
}

/// Who and what the plan is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanHeader {
    /// Assessment id.
    pub id: i64,
    /// Commune id.
    pub commune_id: String,
    /// Commune name.
    pub commune: String,
    /// Round.
    pub round: String,
    /// Workshop date.
    pub date: String,
    /// Rubric title.
    pub rubric_title: Text,
    /// The assessment is finalised (the plan stays adjustable).
    pub finalised: bool,
    /// The person reading may change the plan (the server checks again).
    pub editable: bool,
}

/// One action of the plan, with the council's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    /// Stored key, `INDICATOR/FROM/INDEX`.
    pub key: String,
    /// Number among the indicator's actions (1 = first).
    pub number: u32,
    /// The level step it closes, e.g. `D → C`.
    pub step: String,
    /// What to do.
    pub text: Text,
    /// The role responsible.
    pub responsible: Text,
    /// When it bears fruit.
    pub horizon: Horizon,
    /// The rubric's indicative cost.
    pub rubric_cost: Decimal,
    /// The council's cost, when overridden.
    pub cost_override: Option<Decimal>,
    /// The council's decision.
    pub decision: Decision,
    /// Version of the stored adjustment (0: none).
    pub version: i64,
}

impl ActionLine {
    /// The cost retained: the override, else the rubric's.
    pub fn cost(&self) -> Decimal {
        self.cost_override.unwrap_or(self.rubric_cost)
    }
}

/// One indicator of the plan: where it stands, where the plan takes it,
/// and its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalLine {
    /// Rank in the priorities (1 = first).
    pub priority: u32,
    /// Indicator id.
    pub indicator: String,
    /// Indicator title.
    pub title: Text,
    /// Current level code (`NI` when there is no information).
    pub level: String,
    /// Target level code.
    pub target: String,
    /// Level the plan aims at.
    pub goal: String,
    /// It fails a minimum condition.
    pub failed_condition: bool,
    /// Steps with no action in the rubric, e.g. `B → A`.
    pub uncosted: Vec<String>,
    /// Its actions, lowest step first.
    pub actions: Vec<ActionLine>,
}

/// The goals of one competency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyPlan {
    /// Competency id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Included actions.
    pub totals: Sum,
    /// Goals, first priority first.
    pub goals: Vec<GoalLine>,
}

/// The competencies of one domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainPlan {
    /// Domain id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Included actions.
    pub totals: Sum,
    /// Competencies in rubric order.
    pub competencies: Vec<CompetencyPlan>,
}

/// The totals of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSums {
    /// Actions not dropped.
    pub included: Sum,
    /// Accepted actions.
    pub accepted: Sum,
    /// Dropped actions (not in the total).
    pub dropped: Sum,
    /// The council's own actions (included).
    pub council: Sum,
    /// Steps with no costed action (not counted).
    pub uncosted_steps: u32,
    /// Included actions per horizon: short, medium, long.
    pub by_horizon: Vec<(Horizon, Sum)>,
}

/// The plan page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPage {
    /// The assessment.
    pub header: PlanHeader,
    /// Totals.
    pub totals: PlanSums,
    /// Domains with at least one goal, rubric order.
    pub domains: Vec<DomainPlan>,
    /// The largest cost accepted, in FCFA.
    pub max_cost: Decimal,
    /// What the last plain form save did (from its token).
    pub outcome: Option<PlanSaved>,
    /// The council's own actions, in the order they were added.
    pub council: Vec<CouncilLine>,
    /// The council's actions of the commune's previous round of the same
    /// rubric, with where they stand, beside this round's gaps.
    pub previous: Option<PreviousActions>,
    /// The rubric's indicators `(id, title)`, for the add form.
    pub indicators: Vec<(String, Text)>,
}

/// One of the council's own actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilLine {
    /// Row id.
    pub id: i64,
    /// Indicator id.
    pub indicator: String,
    /// Indicator title.
    pub indicator_title: Text,
    /// What to do.
    pub title: String,
    /// Cost in whole FCFA.
    pub cost: Decimal,
    /// When it bears fruit.
    pub horizon: Horizon,
    /// The person responsible.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// Where it stands.
    pub status: ActionStatus,
    /// Row version.
    pub version: i64,
}

/// The council's actions of an earlier round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousActions {
    /// That round's assessment id.
    pub id: i64,
    /// Its round label.
    pub round: String,
    /// Its council actions.
    pub actions: Vec<CouncilLine>,
}

/// What is wrong with a cost typed in the form (the core's rule).
pub use capacity::plan::CostProblem;

/// What is wrong with one row of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProblemKind {
    /// The cost field.
    Cost(CostProblem),
    /// The decision is not `proposed`, `accept` or `drop`.
    UnknownDecision,
    /// A decided action cannot go back to "proposed".
    CannotUndecide,
    /// The action is no longer in the plan (the ratings changed).
    NotInPlan,
}

/// A problem of one row; nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanProblem {
    /// The action's key.
    pub key: String,
    /// What was typed.
    pub text: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// A row as the person submitted it, shown again after a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedRow {
    /// `proposed`, `accept` or `drop`.
    pub decision: String,
    /// The cost field as typed.
    pub cost: String,
    /// The decision the form was built with.
    pub was_decision: String,
    /// The cost the form was built with.
    pub was_cost: String,
    /// The version the form was built with.
    pub version: i64,
}

/// What a plan save did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlanSaved {
    /// Rows written.
    pub saved: usize,
    /// Invalid rows: when there is any, nothing was written.
    pub problems: Vec<PlanProblem>,
    /// Rows refused because someone saved them since they were read, with
    /// what the person had chosen.
    pub refused: BTreeMap<String, TypedRow>,
    /// The changed rows as typed, shown again when there are problems.
    pub typed: BTreeMap<String, TypedRow>,
}

/// The decision values of the form: the core's codes ([`capacity::Decision::code`]).
pub mod decision {
    use capacity::Decision;

    /// No decision yet (no stored row).
    pub const PROPOSED: &str = Decision::Proposed.code();
    /// Accepted.
    pub const ACCEPT: &str = Decision::Accepted.code();
    /// Dropped.
    pub const DROP: &str = Decision::Dropped.code();

    /// The form value of a decision.
    pub fn value(d: Decision) -> &'static str {
        d.code()
    }
}

/// The text a cost field is filled with: the override in whole francs, or
/// empty for the rubric's cost.
pub fn cost_field(cost_override: Option<Decimal>) -> String {
    cost_override
        .map(|c| c.normalize().to_string())
        .unwrap_or_default()
}

/// A cost as typed (the core's rule, [`capacity::parse_cost`]).
pub use capacity::parse_cost;
