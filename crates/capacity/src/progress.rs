//! Progress of one commune between two rounds on the same rubric version.
//!
//! Per indicator ([`IndicatorChange`]): whether it improved, stayed or
//! declined, by consolidated level — NI (no information, D*) counts as the
//! lowest level, as in scoring, so the direction always agrees with the
//! score delta; when either round is not applicable or unanswered the
//! change is *not comparable* (the two statuses are given, so a reader sees
//! which). The score delta (`to − from`, exact) per indicator and per node.
//!
//! Gaps opened and closed: in a round, an indicator's gap is *open* when it
//! is in the core's priority ranking (below its effective target, or
//! failing its minimum condition: see [`crate::gaps()`]), *closed* when it
//! is answered, applicable and not open, and *not assessed* otherwise. A
//! gap is *opened* when closed in the first round and open in the second,
//! *closed* in the opposite case; when either round is not assessed there
//! is no gap change to report.
//!
//! By construction, progress from A to B is the mirror of B to A
//! ([`Progress::mirror`]): improved ↔ declined, opened ↔ closed, deltas
//! negated.
//!
//! This module reads the core's results; it must not depend on `plan`,
//! `compare`, `reform` or `grants`.

use crate::compiled::{CompiledRubric, IndicatorIx, NodeIx};
use crate::planning::{CommuneResult, PlanningError, PlanningErrors, check_scored};
use crate::score::{Condition, IndicatorResult, NodeStatus, Status};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Progress between two rounds of a commune (see the module docs).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, Change, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let before = capacity::Assessment::from_toml(example::ASSESSMENT)?;
/// let mut after = before.clone();
/// after.round = "2025".into();
/// // ADM-EC-01 moves from C (raters C, B, C) to B.
/// after.answers[0].ratings[0].level = "B".into();
/// let s0 = capacity::score(&rubric, &rubric.resolve(&before)?)?;
/// let s1 = capacity::score(&rubric, &rubric.resolve(&after)?)?;
/// let p = capacity::progress(
///     &rubric,
///     &CommuneResult::new(&before, &s0),
///     &CommuneResult::new(&after, &s1),
/// )?;
/// let ec = rubric.indicator_ix("ADM-EC-01").expect("known");
/// assert_eq!(p.indicators[ec.index()].change, Change::Improved);
/// assert_eq!(p.closed, [ec]); // B is its target
/// assert!(p.overall.delta.expect("both scored") > 0.into());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The commune id.
    pub commune: String,
    /// The first round's label.
    pub from_round: String,
    /// The second round's label.
    pub to_round: String,
    /// The overall score.
    pub overall: ScoreChange,
    /// Per node ([`NodeIx`]; 0 is the overall index).
    pub nodes: Vec<NodeChange>,
    /// Per indicator, in rubric order.
    pub indicators: Vec<IndicatorChange>,
    /// Counts.
    pub summary: ProgressSummary,
    /// Indicators whose gap opened, in rubric order.
    pub opened: Vec<IndicatorIx>,
    /// Indicators whose gap closed, in rubric order.
    pub closed: Vec<IndicatorIx>,
}

/// A score in two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ScoreChange {
    /// In the first round.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub from: Option<Decimal>,
    /// In the second round.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub to: Option<Decimal>,
    /// `to − from`, when both are scored.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub delta: Option<Decimal>,
}

impl ScoreChange {
    fn new(from: Option<Decimal>, to: Option<Decimal>) -> Self {
        // Subtract the smaller from the larger and set the sign, so that the
        // delta of the mirror is exactly the negated delta whatever the
        // rounding of a 28-digit subtraction.
        let delta = match (from, to) {
            (Some(f), Some(t)) if t >= f => t.checked_sub(f),
            (Some(f), Some(t)) => f.checked_sub(t).map(negate),
            _ => None,
        };
        Self { from, to, delta }
    }

    fn mirror(self) -> Self {
        Self {
            from: self.to,
            to: self.from,
            delta: self.delta.map(negate),
        }
    }
}

/// `-d`, without a negative zero.
fn negate(d: Decimal) -> Decimal {
    if d.is_zero() { Decimal::ZERO } else { -d }
}

/// A node in two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeChange {
    /// The node.
    pub node: NodeIx,
    /// Its state in the first round.
    pub from: NodeStatus,
    /// Its state in the second round.
    pub to: NodeStatus,
    /// Its score.
    pub score: ScoreChange,
}

/// Which way an indicator moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A higher level in the second round.
    Improved,
    /// The same level.
    Unchanged,
    /// A lower level.
    Declined,
    /// Not applicable or unanswered in either round.
    NotComparable,
}

impl Change {
    /// The change seen from the other round.
    pub fn mirror(self) -> Self {
        match self {
            Change::Improved => Change::Declined,
            Change::Declined => Change::Improved,
            other => other,
        }
    }
}

/// What happened to an indicator's gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapChange {
    /// Closed in the first round, open in the second.
    Opened,
    /// Open in the first round, closed in the second.
    Closed,
    /// Open in both.
    StillOpen,
    /// Closed in both.
    StillClosed,
    /// Not assessed (not applicable or unanswered) in either round.
    NotComparable,
}

impl GapChange {
    /// The gap change seen from the other round.
    pub fn mirror(self) -> Self {
        match self {
            GapChange::Opened => GapChange::Closed,
            GapChange::Closed => GapChange::Opened,
            other => other,
        }
    }
}

/// An indicator in two rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorChange {
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its state in the first round.
    pub from: Status,
    /// Its state in the second round.
    pub to: Status,
    /// Which way it moved.
    pub change: Change,
    /// Levels gained (negative when lost), when comparable.
    pub levels: Option<i16>,
    /// Its score.
    pub score: ScoreChange,
    /// What happened to its gap.
    pub gap: GapChange,
}

impl IndicatorChange {
    fn mirror(self) -> Self {
        Self {
            indicator: self.indicator,
            from: self.to,
            to: self.from,
            change: self.change.mirror(),
            levels: self.levels.map(|l| -l),
            score: self.score.mirror(),
            gap: self.gap.mirror(),
        }
    }
}

/// Counts of indicator changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ProgressSummary {
    /// Improved.
    pub improved: u32,
    /// Unchanged.
    pub unchanged: u32,
    /// Declined.
    pub declined: u32,
    /// Not comparable.
    pub not_comparable: u32,
    /// Gaps opened.
    pub gaps_opened: u32,
    /// Gaps closed.
    pub gaps_closed: u32,
    /// Gaps open in both rounds.
    pub gaps_still_open: u32,
}

impl Progress {
    /// The progress seen from the other round: rounds swapped, improved ↔
    /// declined, opened ↔ closed, deltas negated. For any two rounds `a`
    /// and `b`, `progress(b, a) == progress(a, b).mirror()`.
    pub fn mirror(&self) -> Progress {
        let s = self.summary;
        Progress {
            rubric: self.rubric.clone(),
            commune: self.commune.clone(),
            from_round: self.to_round.clone(),
            to_round: self.from_round.clone(),
            overall: self.overall.mirror(),
            nodes: self
                .nodes
                .iter()
                .map(|n| NodeChange {
                    node: n.node,
                    from: n.to,
                    to: n.from,
                    score: n.score.mirror(),
                })
                .collect(),
            indicators: self.indicators.iter().map(|c| c.mirror()).collect(),
            summary: ProgressSummary {
                improved: s.declined,
                declined: s.improved,
                gaps_opened: s.gaps_closed,
                gaps_closed: s.gaps_opened,
                ..s
            },
            opened: self.closed.clone(),
            closed: self.opened.clone(),
        }
    }
}

/// The gap state of an indicator in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GapState {
    Open,
    Closed,
    NotAssessed,
}

fn gap_state(r: &IndicatorResult) -> GapState {
    match r.level() {
        None => GapState::NotAssessed,
        Some(_) if r.condition == Some(Condition::Failed) => GapState::Open,
        Some(l) if l < r.target => GapState::Open,
        Some(_) => GapState::Closed,
    }
}

/// Progress of a commune from round `from` to round `to`, both scored with
/// `rubric` (see the module docs). Fails when a round was scored with
/// another rubric or the two rounds are of different communes.
pub fn progress(
    rubric: &CompiledRubric,
    from: &CommuneResult<'_>,
    to: &CommuneResult<'_>,
) -> Result<Progress, PlanningErrors> {
    let mut errors = Vec::new();
    check_scored(rubric, from, &mut errors);
    check_scored(rubric, to, &mut errors);
    if from.commune.id != to.commune.id {
        errors.push(PlanningError::CommuneMismatch {
            from: from.commune.id.clone(),
            to: to.commune.id.clone(),
        });
    }
    if !errors.is_empty() {
        return Err(PlanningErrors(errors));
    }
    let (a, b) = (from.scored, to.scored);
    let mut summary = ProgressSummary::default();
    let (mut opened, mut closed) = (Vec::new(), Vec::new());
    let indicators = a
        .indicators
        .iter()
        .zip(&b.indicators)
        .enumerate()
        .map(|(i, (x, y))| {
            let ix = IndicatorIx(i as u32);
            let levels = match (x.level(), y.level()) {
                (Some(l0), Some(l1)) => Some(i16::from(l1.0) - i16::from(l0.0)),
                _ => None,
            };
            let change = match levels {
                None => Change::NotComparable,
                Some(d) if d > 0 => Change::Improved,
                Some(0) => Change::Unchanged,
                Some(_) => Change::Declined,
            };
            let gap = match (gap_state(x), gap_state(y)) {
                (GapState::Closed, GapState::Open) => GapChange::Opened,
                (GapState::Open, GapState::Closed) => GapChange::Closed,
                (GapState::Open, GapState::Open) => GapChange::StillOpen,
                (GapState::Closed, GapState::Closed) => GapChange::StillClosed,
                _ => GapChange::NotComparable,
            };
            match change {
                Change::Improved => summary.improved += 1,
                Change::Unchanged => summary.unchanged += 1,
                Change::Declined => summary.declined += 1,
                Change::NotComparable => summary.not_comparable += 1,
            }
            match gap {
                GapChange::Opened => {
                    summary.gaps_opened += 1;
                    opened.push(ix);
                }
                GapChange::Closed => {
                    summary.gaps_closed += 1;
                    closed.push(ix);
                }
                GapChange::StillOpen => summary.gaps_still_open += 1,
                GapChange::StillClosed | GapChange::NotComparable => {}
            }
            IndicatorChange {
                indicator: ix,
                from: x.status,
                to: y.status,
                change,
                levels,
                score: ScoreChange::new(x.score, y.score),
                gap,
            }
        })
        .collect();
    let nodes = a
        .nodes
        .iter()
        .zip(&b.nodes)
        .enumerate()
        .map(|(n, (x, y))| NodeChange {
            node: NodeIx(n as u32),
            from: x.status,
            to: y.status,
            score: ScoreChange::new(x.score, y.score),
        })
        .collect();
    Ok(Progress {
        rubric: rubric.key().to_owned(),
        commune: from.commune.id.clone(),
        from_round: from.round.to_owned(),
        to_round: to.round.to_owned(),
        overall: ScoreChange::new(a.overall, b.overall),
        nodes,
        indicators,
        summary,
        opened,
        closed,
    })
}

#[cfg(test)]
mod tests;
