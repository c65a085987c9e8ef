//! `capacity`: the pure core of commune-capacity.
//!
//! Commune councils in Mali self-assess their capacity on a *rubric*
//! (domains → competencies → indicators rated on a scale of ordered levels),
//! several raters per indicator, then a consensus; planners compare
//! communes. This crate owns the model and the arithmetic of that
//! assessment, and nothing else:
//!
//! - the two file formats ([`Rubric`], [`Assessment`]), read from and written
//!   back to TOML (see `docs/file-formats.md`), and their JSON Schemas
//!   (feature `schema`);
//! - validation that collects every problem with its `line:column`, node
//!   path and a message that says how to fix it ([`Diagnostics`]);
//! - the compiled, index-based forms ([`CompiledRubric`],
//!   [`ResolvedAssessment`]) on which scoring runs;
//! - exact scoring in [`rust_decimal::Decimal`], never floats ([`score()`],
//!   [`Scored`]); explanations built on demand ([`Explainer`]); gaps to
//!   target and a priority ranking ([`gaps()`]); presentation helpers, the
//!   only place where numbers are rounded ([`format`](mod@format)).
//!
//! # Example
//!
//! ```
//! use capacity::{CompiledRubric, Explainer, Lang, example, format};
//!
//! let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
//! let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
//! let scored = capacity::score(&rubric, &resolved)?;
//! assert!(scored.provisional); // one applicable indicator is unanswered
//! println!("overall: {}", format::score(scored.overall.unwrap_or_default(), Lang::Fr));
//!
//! let gaps = capacity::gaps(&rubric, &scored)?;
//! let first = gaps.priorities.first().expect("something to improve");
//! println!("first priority: {}", rubric.indicator_path(first.indicator));
//!
//! let why = Explainer::new(&rubric, &assessment, &scored)?;
//! println!("{}", why.explain("etat-civil").expect("known id").to_text(Lang::En));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Problems come all at once, each with its place:
//!
//! ```
//! let text = capacity::example::RUBRIC
//!     .replace("weight = \"2\"\n\n[[domain]]", "weight = \"0\"\n\n[[domain]]")
//!     .replace("target = \"A\"", "target = \"E\"");
//! let err = capacity::CompiledRubric::from_toml(&text).unwrap_err();
//! assert_eq!(err.to_string(), "\
//! 61:10: administration: weight must be greater than 0, found \"0\": write a positive decimal such as \"1\"
//! 142:10: administration/organisation/ADM-OR-01: unknown level `E`: use one of D, C, B, A");
//! ```
//!
//! # Scope of this crate
//!
//! Pure: no file, network, clock or randomness, no panics on user input;
//! it builds for `wasm32-unknown-unknown` so that the browser can score
//! offline. It knows nothing about Leptos, axum, SQL, plotting or the CLI.
//! Planning, comparison and reform needs build on the public result types
//! ([`Scored`], [`Gaps`]).
//!
//! # Features
//!
//! - `schema`: `schema::rubric()` and `schema::assessment()` return the JSON
//!   Schemas of the file formats (with `schemars`). Off by default to keep
//!   the wasm build lean; the crate's own tests derive the schemas anyway
//!   and check the committed copies in `assessments/schema/` (run them with
//!   `UPDATE_SCHEMA=1` to rewrite those files).
//!
//! # Module map
//!
//! [`text`] localised text · [`rubric`] and [`assessment`] the file models ·
//! [`diagnostic`] errors and positions · [`compiled`] rubric validation and
//! index form · [`resolve`] assessment validation and index form ·
//! [`score`](mod@score) scoring · [`explain`] explanations · [`gaps`](mod@gaps) gaps and
//! priorities · [`finalise`](mod@finalise) the finalise gate (coverage,
//! pending minimum conditions, open disagreements) · [`format`](mod@format)
//! presentation · [`verify`](mod@verify) the verified result of an
//! independent verification (same scoring, verified levels in place of the
//! consensus) and its differences · [`example`] sample data.
//!
//! Planning and comparison, over the results above: [`planning`] shared
//! inputs ([`CommuneResult`]), shares, quantiles, groups and errors ·
//! [`plan`] costed action plans · [`compare`](mod@compare) level
//! distributions, quartiles and rankings across communes ·
//! [`progress`](mod@progress) change between two rounds · [`reform`] reform
//! needs and transfers not yet effective · [`grants`] performance-based
//! grant simulation.
// Nothing in a file or a form may panic: no byte-index slicing of strings
// and no unchecked indexing outside tests (use `get`).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod assessment;
pub mod compare;
pub mod compiled;
pub mod diagnostic;
pub mod eligibility;
pub mod encoding;
mod exact;
pub mod example;
pub mod explain;
pub mod filename;
pub mod finalise;
pub mod format;
pub mod gaps;
pub mod grants;
pub mod plan;
pub mod planning;
pub mod progress;
mod read;
pub mod reform;
pub mod resolve;
pub mod rubric;
#[cfg(any(test, feature = "schema"))]
pub mod schema;
pub mod score;
pub mod text;
pub mod verify;
mod write;

#[cfg(test)]
mod tests;

pub use assessment::{
    Answer, Assessment, Commune, Consensus, NO_INFORMATION, NOT_APPLICABLE, Rater, Rating, Role,
};
pub use compiled::valid_id;
pub use compiled::{
    Aggregate, Applicability, Children, CompiledIndicator, CompiledNode, CompiledRubric,
    IndicatorIx, LevelIx, NodeIx, NodeKind, NodeRef, ROOT, RubricIdentity, TableIx,
};
pub use diagnostic::{Diagnostic, Diagnostics, Error, Item, KeyPath, Position};
pub use eligibility::{CampaignRule, Ineligible, RoundFacts, eligibility};
pub use explain::{Explainer, Explanation};
pub use finalise::{
    CompetencyCoverage, Completeness, FinaliseCheck, finalise_check, finalise_check_with,
};
pub use gaps::{Gaps, gaps, gaps_into};
pub use resolve::{Mark, ResolvedAssessment, valid_date};
pub use rubric::{
    Action, Aggregation, AppliesWhen, Competency, Domain, Horizon, Indicator, Kind, Level, Method,
    Rubric, Scale, Setting, Table, TableRow,
};
pub use score::{
    Condition, Coverage, Flags, Grade, IndicatorResult, MinimumConditions, NodeResult, NodeStatus,
    NotApplicableBy, Scored, Scorer, Status, score,
};
pub use text::{Lang, Text};
pub use verify::{
    Difference, Verification, VerifiedLevel, VerifyError, check_level, consolidated_level,
    status_code, verified_assessment, verify,
};

pub use compare::{
    Comparison, GroupComparison, IndicatorDistribution, NodeSummary, RankBy, RankEntry, RankScheme,
    Ranking, RankingMethod, ScoreSummary, compare, rank,
};
pub use grants::{
    Allocation, ConditionSpec, Eligibility, EligibilityReason, Formula, GrantRules,
    GrantSimulation, MinimumConditionSet, ProvisionalRule, simulate_grants,
};
pub use plan::{
    ActionDecision, ActionPlan, ActionStatus, CostProblem, CouncilAction, CouncilActionInput,
    Decision, PlanAdjustment, PlanDecisions, PlanGoal, PlanItem, PlanTotals, parse_cost,
};
pub use planning::{CommuneResult, Group, PlanningError, PlanningErrors, Quartiles, Share};
pub use progress::{Change, GapChange, IndicatorChange, Progress, progress};
pub use reform::{
    CompetencyNeed, ReformGroup, ReformNeeds, ReformRules, TransferNeed, reform_needs,
};
