//! Scoring: from a resolved assessment to exact results per indicator, per
//! node and overall.
//!
//! The semantics (see also `docs/file-formats.md`):
//!
//! - **Consolidated level** of an indicator: the recorded consensus if any;
//!   else the *lower median* of the raters' level ratings (sorted levels
//!   `l[0] ≤ … ≤ l[n-1]`, the element `l[(n-1)/2]`: with 4 raters rating
//!   D, C, B, A it is C; the lower median never invents a level nobody gave
//!   and does not reward a single optimist); else `NI` if some rater said NI;
//!   else `NA` if raters said only NA; else *unanswered*.
//! - The rubric's `applies_when` overrides everything: not applicable by
//!   rule, flagged [`Flags::NOT_APPLICABLE_BY_RULE`] (and
//!   [`Flags::RATED_DESPITE_RULE`] when marks were given anyway).
//! - **Disagreement** ([`Flags::DISAGREEMENT`]): raters' levels are
//!   `disagreement_span` steps apart or more (flagged even when a consensus
//!   is recorded: the difference of views is itself a finding);
//!   [`Flags::MIXED_MARKS`] when raters mix NA/NI with levels.
//! - **Indicator score** on 0–100: linear in the level's value between the
//!   lowest level (0) and the highest (100). NI (PEFA D*) counts as the
//!   lowest level and is flagged [`Flags::NO_INFORMATION`].
//! - **Nodes**: not-applicable and unanswered children are excluded and the
//!   remaining weights re-normalised. Weighted mean of child scores;
//!   weakest link: the minimum child score, graded with the level of that
//!   score and a `+` when another child is higher (PEFA M1); table: the
//!   multiset of the children's grades (a composite child's grade is the
//!   highest level whose score is at most its score) looks up a row of the
//!   table for that many children (one child: the child itself; no row for
//!   that many: weakest link, flagged [`Flags::TABLE_FALLBACK`]). A node whose
//!   children are all not applicable is not applicable; one whose applicable
//!   children are all unanswered is unanswered.
//! - **Provisional**: some applicable indicator is unanswered; coverage
//!   (answered / applicable) is reported per node and overall.
//! - **Minimum conditions** (critical indicators): met when the consolidated
//!   level is at least the indicator's `minimum` (default: the basic level);
//!   NI fails; NA is excluded; unanswered is pending.
//!
//! Every number is an exact [`Decimal`]: nothing is rounded here; rounding
//! happens only at presentation ([`crate::format`]). The hot path works on
//! indices with reusable buffers and builds no explanation
//! ([`crate::explain`] rebuilds one on demand). This module must not depend
//! on `gaps` or `explain`.

use crate::compiled::{
    Aggregate, Applicability, Children, CompiledRubric, IndicatorIx, LevelIx, NodeIx,
    SCORE_TOLERANCE, TableIx,
};
use crate::diagnostic::Error;
use crate::exact;
use crate::resolve::{Mark, ResolvedAssessment};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A set of flags on an indicator or a node.
///
/// On a node, the flags of its descendants are gathered (except
/// [`Flags::CONSENSUS`] and [`Flags::NOT_APPLICABLE_BY_RULE`]), so that the
/// overall result shows, say, that some indicator was D*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u16);

macro_rules! flags {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:literal;)*) => {
        impl Flags {
            $($(#[$doc])* pub const $name: Flags = Flags(1 << $bit);)*
            const ALL: &'static [(Flags, &'static str)] = &[$((Flags::$name, $text)),*];
        }
    };
}

flags! {
    /// No information (NI, PEFA D*): counted as the lowest level.
    NO_INFORMATION = 0, "no_information";
    /// Raters' levels are `disagreement_span` steps apart or more.
    DISAGREEMENT = 1, "disagreement";
    /// Raters mixed NA or NI with levels.
    MIXED_MARKS = 2, "mixed_marks";
    /// Not applicable by the rubric's `applies_when`.
    NOT_APPLICABLE_BY_RULE = 3, "not_applicable_by_rule";
    /// Applicability unknown (population or setting missing): treated as
    /// applicable.
    APPLICABILITY_UNKNOWN = 4, "applicability_unknown";
    /// Marks were given for an indicator not applicable by rule (ignored).
    RATED_DESPITE_RULE = 5, "rated_despite_rule";
    /// The consolidated level is the recorded consensus.
    CONSENSUS = 6, "consensus";
    /// Some applicable indicator (at or below this node) is unanswered.
    PROVISIONAL = 7, "provisional";
    /// A table had no rows for the number of children: weakest link used.
    TABLE_FALLBACK = 8, "table_fallback";
}

impl Flags {
    /// No flag.
    pub const EMPTY: Flags = Flags(0);
    /// Flags that a node gathers from its children.
    const GATHERED: Flags = Flags(!(Flags::CONSENSUS.0 | Flags::NOT_APPLICABLE_BY_RULE.0));

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the flags set (as serialised), in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Flags::ALL
            .iter()
            .filter(move |(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.names().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(n)?;
        }
        Ok(())
    }
}

impl Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut flags = Flags::EMPTY;
        for name in names {
            match Flags::ALL.iter().find(|(_, n)| *n == name) {
                Some((f, _)) => flags.insert(*f),
                None => {
                    return Err(serde::de::Error::custom(format_args!(
                        "unknown flag `{name}`"
                    )));
                }
            }
        }
        Ok(flags)
    }
}

/// Why an indicator is not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicableBy {
    /// The rubric's `applies_when`.
    Rule,
    /// The recorded consensus.
    Consensus,
    /// Every rater said NA.
    Raters,
}

/// An indicator's consolidated state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A level.
    Level(LevelIx),
    /// No information (D*): counted as the lowest level.
    NoInformation,
    /// Not applicable: excluded.
    NotApplicable(NotApplicableBy),
    /// Not answered yet: excluded, makes the result provisional.
    Unanswered,
}

/// Where a critical indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Consolidated level at or above the minimum.
    Met,
    /// Below the minimum, or no information.
    Failed,
    /// Not answered yet.
    Pending,
    /// Not applicable: excluded.
    NotApplicable,
}

/// Answered / applicable counts over the indicators at or below a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Coverage {
    /// Indicators.
    pub indicators: u32,
    /// Applicable indicators (not NA).
    pub applicable: u32,
    /// Answered applicable indicators (a level or NI).
    pub answered: u32,
    /// Not-applicable indicators.
    pub not_applicable: u32,
    /// Indicators with no information (NI, D*), among the answered.
    pub no_information: u32,
}

impl Coverage {
    /// Applicable indicators not yet answered.
    pub fn unanswered(&self) -> u32 {
        self.applicable.saturating_sub(self.answered)
    }

    /// Whether every applicable indicator is answered.
    pub fn is_complete(&self) -> bool {
        self.answered >= self.applicable
    }

    /// `answered / applicable` in 0–1, exact; `None` when nothing applies.
    pub fn ratio(&self) -> Option<Decimal> {
        (self.applicable > 0).then(|| Decimal::from(self.answered) / Decimal::from(self.applicable))
    }

    fn add(&mut self, other: &Coverage) {
        self.indicators += other.indicators;
        self.applicable += other.applicable;
        self.answered += other.answered;
        self.not_applicable += other.not_applicable;
        self.no_information += other.no_information;
    }
}

/// The result of one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorResult {
    /// Consolidated state.
    pub status: Status,
    /// Score 0–100 (exact) when answered and applicable; NI scores as the
    /// lowest level.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Flags.
    pub flags: Flags,
    /// Steps between the lowest and the highest level given by raters.
    pub spread: u8,
    /// The effective target (the assessment's override, else the rubric's).
    pub target: LevelIx,
    /// Where the minimum condition stands, for critical indicators.
    pub condition: Option<Condition>,
}

impl IndicatorResult {
    /// The level used for aggregation: the consolidated level, the lowest
    /// level for NI, none when not applicable or unanswered.
    pub fn level(&self) -> Option<LevelIx> {
        match self.status {
            Status::Level(l) => Some(l),
            Status::NoInformation => Some(LevelIx(0)),
            Status::NotApplicable(_) | Status::Unanswered => None,
        }
    }

    /// Whether the indicator applies.
    pub fn is_applicable(&self) -> bool {
        !matches!(self.status, Status::NotApplicable(_))
    }

    /// Whether the indicator is answered (a level or NI) and applicable.
    pub fn is_answered(&self) -> bool {
        matches!(self.status, Status::Level(_) | Status::NoInformation)
    }

    fn coverage(&self) -> Coverage {
        Coverage {
            indicators: 1,
            applicable: u32::from(self.is_applicable()),
            answered: u32::from(self.is_answered()),
            not_applicable: u32::from(!self.is_applicable()),
            no_information: u32::from(self.status == Status::NoInformation),
        }
    }
}

/// A node's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// Scored from at least one answered, applicable child.
    Scored,
    /// Every child is not applicable.
    NotApplicable,
    /// Every applicable child is unanswered.
    #[default]
    Unanswered,
}

/// The grade of a node, shown next to its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// The level band the score falls in (the highest level whose score is
    /// at most the node's score): weighted mean, or a single child.
    Band(LevelIx),
    /// Weakest link: the level of the minimum, with `+` when another child
    /// is higher.
    Link {
        /// The level.
        level: LevelIx,
        /// Whether another child scored higher.
        plus: bool,
    },
    /// A table row.
    Row {
        /// The table.
        table: TableIx,
        /// The row's index in the table, in file order.
        row: u32,
    },
}

impl Grade {
    /// The grade as shown: `C`, `C+` or the table row's result (`B+`).
    pub fn label(&self, rubric: &CompiledRubric) -> String {
        match *self {
            Grade::Band(l) => rubric.level_code(l).to_owned(),
            Grade::Link { level, plus } => {
                let code = rubric.level_code(level);
                if plus {
                    format!("{code}+")
                } else {
                    code.to_owned()
                }
            }
            Grade::Row { table, row } => rubric
                .table_row_source(table, row)
                .map_or_else(|| "?".to_owned(), |r| r.result.clone()),
        }
    }
}

/// The result of one node (root, domain or competency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeResult {
    /// State.
    pub status: NodeStatus,
    /// Score 0–100 (exact) when scored.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Grade when scored.
    pub grade: Option<Grade>,
    /// Answered / applicable indicators at or below the node.
    pub coverage: Coverage,
    /// Flags (including those gathered from below).
    pub flags: Flags,
}

/// Critical indicators by where their minimum condition stands, in rubric
/// order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MinimumConditions {
    /// Met.
    pub met: Vec<IndicatorIx>,
    /// Failed (below the minimum, or NI).
    pub failed: Vec<IndicatorIx>,
    /// Not answered yet.
    pub pending: Vec<IndicatorIx>,
    /// Not applicable.
    pub not_applicable: Vec<IndicatorIx>,
}

impl MinimumConditions {
    /// Whether every applicable minimum condition is met (none failed,
    /// none pending).
    pub fn all_met(&self) -> bool {
        self.failed.is_empty() && self.pending.is_empty()
    }

    fn clear(&mut self) {
        self.met.clear();
        self.failed.clear();
        self.pending.clear();
        self.not_applicable.clear();
    }
}

/// The scored assessment: results per node (indexed by [`NodeIx`]) and per
/// indicator (indexed by [`IndicatorIx`]), overall figures, minimum
/// conditions.
///
/// ```
/// use capacity::{CompiledRubric, example, format, Lang};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let overall = scored.overall.expect("scored");
/// assert!(overall > 0.into() && overall < 100.into());
/// let domain = scored.node_by_id(&rubric, "administration").expect("known domain");
/// println!("{}", format::score(domain.score.unwrap_or_default(), Lang::Fr));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scored {
    /// The rubric scored against (`id@version`).
    pub rubric: String,
    /// Per node; index 0 is the overall root.
    pub nodes: Vec<NodeResult>,
    /// Per indicator, in rubric order.
    pub indicators: Vec<IndicatorResult>,
    /// The overall score 0–100 (exact), when anything was scored.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub overall: Option<Decimal>,
    /// Overall coverage.
    pub coverage: Coverage,
    /// Whether some applicable indicator is unanswered.
    pub provisional: bool,
    /// Minimum conditions.
    pub minimum_conditions: MinimumConditions,
    /// Flags gathered from the whole tree.
    pub flags: Flags,
}

impl Scored {
    /// A node's result.
    pub fn node(&self, ix: NodeIx) -> Option<&NodeResult> {
        self.nodes.get(ix.index())
    }

    /// An indicator's result.
    pub fn indicator(&self, ix: IndicatorIx) -> Option<&IndicatorResult> {
        self.indicators.get(ix.index())
    }

    /// The overall root's result.
    pub fn root(&self) -> Option<&NodeResult> {
        self.nodes.first()
    }

    /// A domain's or competency's result by id.
    pub fn node_by_id(&self, rubric: &CompiledRubric, id: &str) -> Option<&NodeResult> {
        rubric.node_ix(id).and_then(|ix| self.node(ix))
    }

    /// An indicator's result by id.
    pub fn indicator_by_id(&self, rubric: &CompiledRubric, id: &str) -> Option<&IndicatorResult> {
        rubric.indicator_ix(id).and_then(|ix| self.indicator(ix))
    }

    /// Checks that these results were made with `rubric`.
    pub(crate) fn check(&self, rubric: &CompiledRubric) -> Result<(), Error> {
        if self.rubric != rubric.key()
            || self.nodes.len() != rubric.nodes().len()
            || self.indicators.len() != rubric.indicators().len()
        {
            return Err(Error::RubricMismatch {
                expected: rubric.key().to_owned(),
                found: self.rubric.clone(),
            });
        }
        Ok(())
    }
}

/// Scores assessments against one rubric, reusing its buffers between
/// calls.
///
/// ```
/// use capacity::{CompiledRubric, Scorer, Scored, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let mut scorer = Scorer::new(&rubric);
/// let mut out = Scored::default();
/// scorer.score_into(&resolved, &mut out)?; // no allocation once warmed up
/// assert_eq!(out, scorer.score(&resolved)?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Scorer<'r> {
    rubric: &'r CompiledRubric,
    levels: Vec<u8>,
    grades: Vec<u8>,
}

/// Scores `resolved` against `rubric` (see the module docs for the
/// semantics).
pub fn score(rubric: &CompiledRubric, resolved: &ResolvedAssessment) -> Result<Scored, Error> {
    Scorer::new(rubric).score(resolved)
}

impl<'r> Scorer<'r> {
    /// A scorer for `rubric`.
    pub fn new(rubric: &'r CompiledRubric) -> Self {
        Self {
            rubric,
            levels: Vec::new(),
            grades: Vec::new(),
        }
    }

    /// Scores one assessment.
    pub fn score(&mut self, resolved: &ResolvedAssessment) -> Result<Scored, Error> {
        let mut out = Scored::default();
        self.score_into(resolved, &mut out)?;
        Ok(out)
    }

    /// Scores one assessment into `out`, reusing its allocations.
    pub fn score_into(
        &mut self,
        resolved: &ResolvedAssessment,
        out: &mut Scored,
    ) -> Result<(), Error> {
        let rubric = self.rubric;
        if resolved.rubric_key() != rubric.key()
            || resolved.indicators().len() != rubric.indicators().len()
        {
            return Err(Error::RubricMismatch {
                expected: rubric.key().to_owned(),
                found: resolved.rubric_key().to_owned(),
            });
        }
        if out.rubric != rubric.key() {
            out.rubric.clear();
            out.rubric.push_str(rubric.key());
        }
        out.indicators.clear();
        out.indicators.reserve(rubric.indicators().len());
        out.minimum_conditions.clear();
        for (i, (compiled, input)) in rubric
            .indicators()
            .iter()
            .zip(resolved.indicators())
            .enumerate()
        {
            let ix = IndicatorIx(i as u32);
            let result = self.indicator(
                input.applicability,
                input.consensus,
                resolved.marks(ix).iter().map(|m| m.mark),
                input.target,
                compiled.critical.then_some(compiled.minimum),
            );
            out.indicators.push(result);
        }
        // Minimum conditions, each list allocated once at its size.
        let mut counts = [0usize; 4];
        for r in &out.indicators {
            let slot = match r.condition {
                Some(Condition::Met) => 0,
                Some(Condition::Failed) => 1,
                Some(Condition::Pending) => 2,
                Some(Condition::NotApplicable) => 3,
                None => continue,
            };
            if let Some(n) = counts.get_mut(slot) {
                *n += 1;
            }
        }
        let mc = &mut out.minimum_conditions;
        for (list, n) in [
            &mut mc.met,
            &mut mc.failed,
            &mut mc.pending,
            &mut mc.not_applicable,
        ]
        .into_iter()
        .zip(counts)
        {
            list.reserve_exact(n);
        }
        for (i, r) in out.indicators.iter().enumerate() {
            let ix = IndicatorIx(i as u32);
            match r.condition {
                Some(Condition::Met) => mc.met.push(ix),
                Some(Condition::Failed) => mc.failed.push(ix),
                Some(Condition::Pending) => mc.pending.push(ix),
                Some(Condition::NotApplicable) => mc.not_applicable.push(ix),
                None => {}
            }
        }
        out.nodes.clear();
        out.nodes
            .resize(rubric.nodes().len(), NodeResult::default());
        for n in (0..rubric.nodes().len()).rev() {
            let result = self.node(NodeIx(n as u32), &out.nodes, &out.indicators);
            if let Some(slot) = out.nodes.get_mut(n) {
                *slot = result;
            }
        }
        let root = out.nodes.first().copied().unwrap_or_default();
        out.overall = root.score;
        out.coverage = root.coverage;
        out.provisional = !root.coverage.is_complete();
        out.flags = root.flags;
        Ok(())
    }

    /// Consolidates one indicator.
    fn indicator(
        &mut self,
        applicability: Applicability,
        consensus: Option<Mark>,
        marks: impl Iterator<Item = Mark>,
        target: LevelIx,
        minimum: Option<LevelIx>,
    ) -> IndicatorResult {
        let rubric = self.rubric;
        let mut flags = Flags::EMPTY;
        let levels = &mut self.levels;
        levels.clear();
        let (mut na, mut ni, mut any) = (0u32, 0u32, false);
        for mark in marks {
            any = true;
            match mark {
                Mark::Level(l) => levels.push(l.0),
                Mark::NotApplicable => na += 1,
                Mark::NoInformation => ni += 1,
            }
        }
        levels.sort_unstable();
        let spread = match (levels.first(), levels.last()) {
            (Some(lo), Some(hi)) => hi - lo,
            _ => 0,
        };
        if levels.len() >= 2 && spread >= rubric.disagreement_span() {
            flags.insert(Flags::DISAGREEMENT);
        }
        if !levels.is_empty() && na + ni > 0 {
            flags.insert(Flags::MIXED_MARKS);
        }
        let status = if applicability == Applicability::NotApplicable {
            flags.insert(Flags::NOT_APPLICABLE_BY_RULE);
            if any || consensus.is_some() {
                flags.insert(Flags::RATED_DESPITE_RULE);
            }
            Status::NotApplicable(NotApplicableBy::Rule)
        } else {
            if applicability == Applicability::Unknown {
                flags.insert(Flags::APPLICABILITY_UNKNOWN);
            }
            match consensus {
                Some(mark) => {
                    flags.insert(Flags::CONSENSUS);
                    match mark {
                        Mark::Level(l) => Status::Level(l),
                        Mark::NotApplicable => Status::NotApplicable(NotApplicableBy::Consensus),
                        Mark::NoInformation => Status::NoInformation,
                    }
                }
                None => match levels.get(levels.len().saturating_sub(1) / 2) {
                    Some(l) => Status::Level(LevelIx(*l)),
                    None if ni > 0 => Status::NoInformation,
                    None if na > 0 => Status::NotApplicable(NotApplicableBy::Raters),
                    None => Status::Unanswered,
                },
            }
        };
        let score = match status {
            Status::Level(l) => Some(rubric.level_score(l)),
            Status::NoInformation => {
                flags.insert(Flags::NO_INFORMATION);
                Some(rubric.level_score(LevelIx(0)))
            }
            Status::NotApplicable(_) => None,
            Status::Unanswered => {
                flags.insert(Flags::PROVISIONAL);
                None
            }
        };
        let condition = minimum.map(|minimum| match status {
            Status::Level(l) if l >= minimum => Condition::Met,
            Status::Level(_) | Status::NoInformation => Condition::Failed,
            Status::NotApplicable(_) => Condition::NotApplicable,
            Status::Unanswered => Condition::Pending,
        });
        IndicatorResult {
            status,
            score,
            flags,
            spread,
            target,
            condition,
        }
    }

    /// Aggregates one node from its (already computed) children.
    fn node(
        &mut self,
        ix: NodeIx,
        nodes: &[NodeResult],
        indicators: &[IndicatorResult],
    ) -> NodeResult {
        let rubric = self.rubric;
        let pre = &rubric.pre;
        let levels = rubric.level_count();
        let Some(node) = rubric.node(ix) else {
            return NodeResult::default();
        };
        let mut result = NodeResult::default();
        let mut any_applicable = false;
        let mut included = 0usize;
        // Only what the node's method reads is computed: the weighted sum
        // for a weighted mean, the extremes for weakest link and tables, the
        // children's grades for tables.
        let mean = node.aggregate == Aggregate::WeightedMean;
        let table = matches!(node.aggregate, Aggregate::Table(_));
        // Σ weight × score of the included children, in child order.
        let mut sum_ws = Decimal::ZERO;
        let mut min: Option<Decimal> = None;
        let mut max: Option<Decimal> = None;
        self.grades.clear();
        let children = match node.children {
            Children::Indicators { start, end } | Children::Nodes { start, end } => {
                end.saturating_sub(start) as usize
            }
        };
        match node.children {
            Children::Indicators { start, end } => {
                let (mut lo, mut hi) = (u8::MAX, 0u8);
                for i in start..end {
                    let Some(r) = indicators.get(i as usize) else {
                        continue;
                    };
                    result.coverage.add(&r.coverage());
                    result.flags.insert(Flags(r.flags.0 & Flags::GATHERED.0));
                    any_applicable |= r.is_applicable();
                    let Some(level) = r.level() else { continue };
                    included += 1;
                    if mean {
                        // Weight × level score, precomputed per level.
                        let ws = pre
                            .weighted_scores
                            .get(i as usize * levels + level.index())
                            .copied()
                            .unwrap_or_default();
                        sum_ws = exact::add(sum_ws, ws);
                    }
                    lo = lo.min(level.0);
                    hi = hi.max(level.0);
                    if table {
                        self.grades.push(level.0);
                    }
                }
                if included > 0 {
                    min = Some(rubric.level_score(LevelIx(lo)));
                    max = Some(rubric.level_score(LevelIx(hi)));
                }
            }
            Children::Nodes { start, end } => {
                for i in start..end {
                    let (Some(r), Some(c)) = (nodes.get(i as usize), rubric.node(NodeIx(i))) else {
                        continue;
                    };
                    result.coverage.add(&r.coverage);
                    result.flags.insert(Flags(r.flags.0 & Flags::GATHERED.0));
                    any_applicable |= r.status != NodeStatus::NotApplicable;
                    let Some(s) = r.score else { continue };
                    included += 1;
                    if mean {
                        sum_ws = exact::add(sum_ws, c.weight * s);
                        // The extremes only say whether anything is
                        // included.
                        min = Some(s);
                        max = Some(s);
                        continue;
                    }
                    min = Some(min.map_or(s, |m| exact::min(m, s)));
                    max = Some(max.map_or(s, |m| exact::max(m, s)));
                    if table {
                        // A child's band or weakest-link level is the grade
                        // of its score already.
                        let grade = match r.grade {
                            Some(Grade::Band(l) | Grade::Link { level: l, .. }) => l,
                            _ => rubric.grade_of_score(s),
                        };
                        self.grades.push(grade.0);
                    }
                }
            }
        }
        if !result.coverage.is_complete() {
            result.flags.insert(Flags::PROVISIONAL);
        }
        let (Some(min), Some(max)) = (min, max) else {
            result.status = if any_applicable {
                NodeStatus::Unanswered
            } else {
                NodeStatus::NotApplicable
            };
            return result;
        };
        result.status = NodeStatus::Scored;
        let weakest = |rubric: &CompiledRubric| {
            (
                min,
                Grade::Link {
                    level: rubric.grade_of_score(min),
                    plus: exact::cmp(max, exact::add(min, SCORE_TOLERANCE)) == Ordering::Greater,
                },
            )
        };
        let (score, grade) = match node.aggregate {
            Aggregate::WeightedMean => {
                // Σ weights of the included children: the precomputed sum
                // when none is left out (the same additions in the same
                // order), else summed here. Weights are in (0, 1e6] and
                // scores in [0, 100]: the sums stay far below Decimal's
                // range.
                let sum_w = if included == children {
                    pre.child_weights
                        .get(ix.index())
                        .copied()
                        .unwrap_or_default()
                } else {
                    self.included_weights(node.children, nodes, indicators)
                };
                let s = exact::clamp(sum_ws / sum_w, Decimal::ZERO, Decimal::ONE_HUNDRED);
                (s, Grade::Band(rubric.grade_of_score(s)))
            }
            Aggregate::WeakestLink => weakest(rubric),
            Aggregate::Table(_) if included == 1 => (min, Grade::Band(rubric.grade_of_score(min))),
            Aggregate::Table(table) => match rubric.table_row(table, &mut self.grades) {
                Some(row) => {
                    let s = rubric.table_row_source(table, row).map_or(min, |r| r.score);
                    (s, Grade::Row { table, row })
                }
                None => {
                    result.flags.insert(Flags::TABLE_FALLBACK);
                    weakest(rubric)
                }
            },
        };
        result.score = Some(score);
        result.grade = Some(grade);
        result
    }

    /// Σ weights of the children that are answered and applicable, added
    /// from zero in child order.
    fn included_weights(
        &self,
        children: Children,
        nodes: &[NodeResult],
        indicators: &[IndicatorResult],
    ) -> Decimal {
        let rubric = self.rubric;
        let mut sum = Decimal::ZERO;
        match children {
            Children::Indicators { start, end } => {
                for i in start..end {
                    if let (Some(r), Some(c)) =
                        (indicators.get(i as usize), rubric.indicator(IndicatorIx(i)))
                        && r.level().is_some()
                    {
                        sum += c.weight;
                    }
                }
            }
            Children::Nodes { start, end } => {
                for i in start..end {
                    if let (Some(r), Some(c)) = (nodes.get(i as usize), rubric.node(NodeIx(i)))
                        && r.score.is_some()
                    {
                        sum += c.weight;
                    }
                }
            }
        }
        sum
    }
}
