//! The compiled rubric: a validated, index-based form of a [`Rubric`].
//!
//! Compiling checks everything a rubric can get wrong (ids, parents, weights,
//! the scale, tables, descriptors, actions, applicability rules), collecting
//! every problem, and lays the tree out densely so that scoring never looks
//! a string up:
//!
//! - nodes (the overall root, then domains, then competencies grouped by
//!   domain) get [`NodeIx`] indices with parents before children, and the
//!   children of a node are a contiguous range;
//! - indicators get [`IndicatorIx`] indices in *rubric order*: domain by
//!   domain, competency by competency, in file order within each (for a file
//!   that lists indicators grouped under their competency, rubric order is
//!   file order); rubric order is the final tie-break everywhere;
//! - level codes get [`LevelIx`] indices (lowest = 0) and each level's score
//!   on 0–100 is computed once, exactly.
//!
//! This module knows the rubric, not assessments' scores; it must not depend
//! on `score`, `gaps` or `explain`.

use crate::assessment::{Commune, NO_INFORMATION, NOT_APPLICABLE};
use crate::diagnostic::{Diagnostics, Error, Item, KeyPath};
use crate::rubric::{
    Aggregation, AppliesWhen, DEFAULT_DISAGREEMENT_SPAN, FORMAT, Level, Method, Rubric,
};
use crate::text::Text;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most levels a scale may have.
pub const MAX_LEVELS: usize = 31;
/// The most inputs a table row may have.
pub const MAX_TABLE_ARITY: usize = 24;
/// The largest weight accepted (keeps exact sums far from overflow).
pub const MAX_WEIGHT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// The largest level value magnitude accepted.
const MAX_LEVEL_VALUE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// Scores closer than this are taken as equal when grading or comparing.
///
/// Scores are exact decimals of 28 significant digits: a weighted mean of
/// two B indicators (66.666…667) may come out as 66.666…665, a few units of
/// 10⁻²⁷ away. Grading (the level band of a score, table inputs) and
/// comparisons (the weakest link's `+`) allow for that noise; 10⁻²⁰ is far
/// below any meaningful difference and far above the noise.
pub const SCORE_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 20);
/// How two rubrics relate ([`CompiledRubric::identity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubricIdentity {
    /// Another `id@version`: two rubrics.
    Different,
    /// The same `id@version` and the same content: one rubric.
    Same,
    /// The same `id@version` with another content: an error to report,
    /// naming both sources.
    Conflict,
}

/// The largest action cost accepted, in FCFA.
pub const MAX_COST: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// Whether `cost` is a cost the core accepts: whole francs (the CFA franc
/// has no minor unit), not negative, at most [`MAX_COST`].
pub fn valid_cost(cost: Decimal) -> bool {
    cost >= Decimal::ZERO && cost.fract().is_zero() && cost <= MAX_COST
}

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident($int:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub(crate) $int);

        impl $name {
            /// The index as a `usize`.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A level's index in the scale (the lowest level is 0).
    LevelIx(u8)
);
index_type!(
    /// A node's index in a [`CompiledRubric`] (0 is the overall root).
    NodeIx(u32)
);
index_type!(
    /// An indicator's index in a [`CompiledRubric`] (rubric order).
    IndicatorIx(u32)
);
index_type!(
    /// A table's index in a [`CompiledRubric`] (file order).
    TableIx(u32)
);

/// The root node's index.
pub const ROOT: NodeIx = NodeIx(0);

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// The overall index (the root).
    Overall,
    /// A domain.
    Domain,
    /// A competency.
    Competency,
}

/// How a compiled node combines its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Weighted mean of child scores.
    WeightedMean,
    /// Minimum child score, with `+` when another child is higher (PEFA M1).
    WeakestLink,
    /// A lookup table (e.g. PEFA M2).
    Table(TableIx),
}

/// The children of a node: a contiguous range of nodes or of indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Children {
    /// Nodes `start..end`.
    Nodes {
        /// First child.
        start: u32,
        /// One past the last child.
        end: u32,
    },
    /// Indicators `start..end`.
    Indicators {
        /// First child.
        start: u32,
        /// One past the last child.
        end: u32,
    },
}

impl Children {
    /// How many children.
    pub fn len(self) -> usize {
        let (Children::Nodes { start, end } | Children::Indicators { start, end }) = self;
        end.saturating_sub(start) as usize
    }

    /// Whether there is no child.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A child of a node: a node or an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeRef {
    /// A composite node.
    Node(NodeIx),
    /// An indicator.
    Indicator(IndicatorIx),
}

/// A compiled node (root, domain or competency).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CompiledNode {
    /// What it is.
    pub kind: NodeKind,
    /// Its id (the rubric id for the root).
    pub id: String,
    /// Its index in [`Rubric::domains`] or [`Rubric::competencies`] (0 for
    /// the root).
    pub source: usize,
    /// Its parent (none for the root).
    pub parent: Option<NodeIx>,
    /// Its children.
    pub children: Children,
    /// Its declared weight among its siblings (1 for the root).
    pub weight: Decimal,
    /// How it combines its children.
    pub aggregate: Aggregate,
}

/// A compiled indicator.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CompiledIndicator {
    /// Its id.
    pub id: String,
    /// Its index in [`Rubric::indicators`].
    pub source: usize,
    /// Its competency.
    pub parent: NodeIx,
    /// Its declared weight among its siblings.
    pub weight: Decimal,
    /// Its default target level.
    pub target: LevelIx,
    /// Whether it is a minimum condition.
    pub critical: bool,
    /// The level it needs when critical (its `minimum`, else the basic
    /// level).
    pub minimum: LevelIx,
}

/// A compiled lookup table: rows keyed by the sorted multiset of inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CompiledTable {
    /// `(key, row index in the file)`, sorted by key.
    rows: Vec<(u128, u32)>,
    /// Bit `n` is set when the table covers `n` inputs.
    arities: u32,
}

/// Whether a rule of applicability holds for a commune.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// The indicator applies (no rule, or every condition holds).
    Applies,
    /// A condition fails: not applicable by rule.
    NotApplicable,
    /// No condition fails but one cannot be checked (population or setting
    /// unknown): the indicator is treated as applicable and flagged.
    Unknown,
}

impl Applicability {
    /// Evaluates `rule` for `commune`: every condition given must hold.
    ///
    /// ```
    /// use capacity::{Applicability, AppliesWhen, Commune};
    /// let commune = Commune {
    ///     id: "c".into(), name: "C".into(), cercle: "X".into(), region: "Y".into(),
    ///     kind: Default::default(), population: Some(8000), setting: None,
    ///     transferred: vec!["sante".into()],
    /// };
    /// let rule = AppliesWhen { min_population: Some(10000), ..Default::default() };
    /// assert_eq!(Applicability::of(Some(&rule), &commune), Applicability::NotApplicable);
    /// let rule = AppliesWhen { transferred: Some("sante".into()), ..Default::default() };
    /// assert_eq!(Applicability::of(Some(&rule), &commune), Applicability::Applies);
    /// ```
    pub fn of(rule: Option<&AppliesWhen>, commune: &Commune) -> Applicability {
        let Some(rule) = rule else {
            return Applicability::Applies;
        };
        let mut unknown = false;
        let mut check = |holds: Option<bool>| match holds {
            Some(true) => true,
            Some(false) => false,
            None => {
                unknown = true;
                true
            }
        };
        let holds = check(
            rule.min_population
                .map_or(Some(true), |min| commune.population.map(|p| p >= min)),
        ) && check(
            rule.max_population
                .map_or(Some(true), |max| commune.population.map(|p| p <= max)),
        ) && check(
            rule.setting
                .map_or(Some(true), |s| commune.setting.map(|c| c == s)),
        ) && check(Some(
            rule.transferred
                .as_ref()
                .is_none_or(|t| commune.transferred.iter().any(|c| c == t)),
        )) && check(Some(
            rule.kinds
                .as_ref()
                .is_none_or(|kinds| kinds.contains(&commune.kind)),
        ));
        match (holds, unknown) {
            (false, _) => Applicability::NotApplicable,
            (true, true) => Applicability::Unknown,
            (true, false) => Applicability::Applies,
        }
    }
}

/// A validated rubric laid out for fast scoring (see the module docs).
///
/// ```
/// let rubric = capacity::CompiledRubric::from_toml(capacity::example::RUBRIC)?;
/// let ix = rubric.indicator_ix("ADM-EC-01").expect("known indicator");
/// assert_eq!(rubric.indicator_path(ix), "administration/etat-civil/ADM-EC-01");
/// assert_eq!(rubric.level_code(rubric.basic()), "C");
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRubric {
    rubric: Rubric,
    level_scores: Vec<Decimal>,
    basic: LevelIx,
    disagreement_span: u8,
    nodes: Vec<CompiledNode>,
    indicators: Vec<CompiledIndicator>,
    tables: Vec<CompiledTable>,
    /// Sorted `(id, node or indicator)` for look-ups by id.
    ids: Vec<(String, NodeRef)>,
    key: String,
    pub(crate) pre: Precomputed,
}

/// Figures computed once per rubric, so that scoring and gaps mostly add
/// and look up rather than multiply and divide 28-digit decimals. Every
/// figure is computed by the same formula as the code path that would
/// otherwise compute it, so results do not depend on which path ran.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Precomputed {
    /// Per level: its score minus [`SCORE_TOLERANCE`] (grading thresholds).
    pub(crate) thresholds: Vec<Decimal>,
    /// Per indicator and level (`i * levels + l`): weight × level score.
    pub(crate) weighted_scores: Vec<Decimal>,
    /// Per node: the sum of its children's weights.
    pub(crate) child_weights: Vec<Decimal>,
    /// Per target and level (`t * levels + l`): the gap in points, ≥ 0.
    pub(crate) gap_points: Vec<Decimal>,
    /// Per node: its share of the overall index when nothing is NA.
    pub(crate) global_nodes: Vec<Decimal>,
    /// Per indicator: its share of the overall index when nothing is NA.
    pub(crate) global_indicators: Vec<Decimal>,
    /// Per indicator and level: weight × gap to the rubric's target.
    pub(crate) weighted_gaps: Vec<Decimal>,
    /// Per indicator and level: global share × gap to the rubric's target,
    /// rounded to 18 decimals (the priority ranking's impact).
    pub(crate) impacts: Vec<Decimal>,
}

/// The impact of a gap: global weight × gap in points, rounded to 18
/// decimals so that equal impacts compare equal despite the last digits of
/// 28-digit arithmetic (see [`SCORE_TOLERANCE`]).
pub(crate) fn impact(global_weight: Decimal, points: Decimal) -> Decimal {
    (global_weight * points).round_dp(18)
}

impl Precomputed {
    fn new(scores: &[Decimal], nodes: &[CompiledNode], indicators: &[CompiledIndicator]) -> Self {
        let levels = scores.len();
        let mut p = Precomputed {
            thresholds: scores.iter().map(|s| *s - SCORE_TOLERANCE).collect(),
            ..Default::default()
        };
        for i in indicators {
            p.weighted_scores
                .extend(scores.iter().map(|s| i.weight * *s));
        }
        for t in scores {
            p.gap_points
                .extend(scores.iter().map(|l| (*t - *l).max(Decimal::ZERO)));
        }
        p.child_weights = nodes
            .iter()
            .map(|n| match n.children {
                Children::Nodes { start, end } => nodes
                    .get(start as usize..end as usize)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.weight)
                    .sum(),
                Children::Indicators { start, end } => indicators
                    .get(start as usize..end as usize)
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.weight)
                    .sum(),
            })
            .collect();
        p.global_nodes = vec![Decimal::ZERO; nodes.len()];
        p.global_indicators = vec![Decimal::ZERO; indicators.len()];
        if let Some(root) = p.global_nodes.first_mut() {
            *root = Decimal::ONE;
        }
        for (n, node) in nodes.iter().enumerate() {
            let gw = p.global_nodes.get(n).copied().unwrap_or_default();
            let sum = p.child_weights.get(n).copied().unwrap_or_default();
            let factor = if sum > Decimal::ZERO {
                gw / sum
            } else {
                Decimal::ZERO
            };
            match node.children {
                Children::Nodes { start, end } => {
                    for c in start as usize..end as usize {
                        if let (Some(g), Some(child)) = (p.global_nodes.get_mut(c), nodes.get(c)) {
                            *g = factor * child.weight;
                        }
                    }
                }
                Children::Indicators { start, end } => {
                    for c in start as usize..end as usize {
                        if let (Some(g), Some(child)) =
                            (p.global_indicators.get_mut(c), indicators.get(c))
                        {
                            *g = factor * child.weight;
                        }
                    }
                }
            }
        }
        for (i, ind) in indicators.iter().enumerate() {
            let gw = p.global_indicators.get(i).copied().unwrap_or_default();
            for l in 0..levels {
                let points = p
                    .gap_points
                    .get(ind.target.index() * levels + l)
                    .copied()
                    .unwrap_or_default();
                p.weighted_gaps.push(ind.weight * points);
                p.impacts.push(impact(gw, points));
            }
        }
        p
    }
}

impl CompiledRubric {
    /// Validates and compiles `rubric`, collecting every problem (without
    /// positions: see [`CompiledRubric::from_toml`]).
    pub fn new(rubric: Rubric) -> Result<Self, Diagnostics> {
        let mut v = Validator {
            rubric: &rubric,
            diags: Diagnostics::default(),
        };
        let scale = v.scale();
        let tables = v.tables(&scale);
        let (nodes, indicators) = v.tree(&scale, &tables);
        let Validator { diags, .. } = v;
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut ids: Vec<(String, NodeRef)> = nodes
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, n)| (n.id.clone(), NodeRef::Node(NodeIx(i as u32))))
            .chain(
                indicators
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.id.clone(), NodeRef::Indicator(IndicatorIx(i as u32)))),
            )
            .collect();
        ids.sort_by(|a, b| a.0.cmp(&b.0));
        let key = format!("{}@{}", rubric.id, rubric.version);
        let pre = Precomputed::new(&scale.scores, &nodes, &indicators);
        Ok(Self {
            pre,
            level_scores: scale.scores,
            basic: scale.basic,
            disagreement_span: scale.span,
            nodes,
            indicators,
            tables: tables.compiled,
            ids,
            key,
            rubric,
        })
    }

    /// Reads, validates and compiles a rubric from TOML text; every problem
    /// carries its `line:column`.
    pub fn from_toml(text: &str) -> Result<Self, Diagnostics> {
        let rubric = Rubric::from_toml(text)?;
        Self::new(rubric).map_err(|d| d.locate(text))
    }

    /// The rubric as read.
    pub fn rubric(&self) -> &Rubric {
        &self.rubric
    }

    /// `id@version`, which resolved assessments and results remember.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How `other` relates to this rubric under the rule that a rubric is
    /// identified by `id@version` whatever its source (a file, a directory,
    /// a built-in copy, a database row): the same key and the same content
    /// is one rubric; the same key and another content is a conflict, which
    /// front ends report naming both sources rather than pick one.
    ///
    /// ```
    /// use capacity::{CompiledRubric, RubricIdentity, example};
    /// let a = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let b = CompiledRubric::from_toml(example::RUBRIC)?;
    /// assert_eq!(a.identity(&b), RubricIdentity::Same);
    /// let edited = example::RUBRIC.replacen("Référentiel d'exemple", "Autre", 1);
    /// let c = CompiledRubric::from_toml(&edited)?;
    /// assert_eq!(a.identity(&c), RubricIdentity::Conflict);
    /// let other = example::RUBRIC.replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1);
    /// let d = CompiledRubric::from_toml(&other)?;
    /// assert_eq!(a.identity(&d), RubricIdentity::Different);
    /// # Ok::<(), capacity::Diagnostics>(())
    /// ```
    pub fn identity(&self, other: &CompiledRubric) -> RubricIdentity {
        if self.key != other.key {
            RubricIdentity::Different
        } else if self.rubric == other.rubric {
            RubricIdentity::Same
        } else {
            RubricIdentity::Conflict
        }
    }

    /// The levels, lowest first ([`LevelIx`] indexes this slice).
    pub fn levels(&self) -> &[Level] {
        &self.rubric.scale.levels
    }

    /// Number of levels.
    pub fn level_count(&self) -> usize {
        self.level_scores.len()
    }

    /// A level by index.
    pub fn level(&self, ix: LevelIx) -> Option<&Level> {
        self.rubric.scale.levels.get(ix.index())
    }

    /// A level's code (`"?"` for an index this rubric does not have).
    pub fn level_code(&self, ix: LevelIx) -> &str {
        self.level(ix).map_or("?", |l| l.code.as_str())
    }

    /// A level's index by code (not `NA`/`NI`).
    pub fn level_ix(&self, code: &str) -> Option<LevelIx> {
        self.rubric
            .scale
            .levels
            .iter()
            // The first bytes first: most codes compared differ there.
            .position(|l| l.code.as_bytes().first() == code.as_bytes().first() && l.code == code)
            .and_then(|i| u8::try_from(i).ok())
            .map(LevelIx)
    }

    /// A level's score on 0–100: linear in the level's value between the
    /// lowest level (0) and the highest (100), exact (not rounded).
    pub fn level_score(&self, ix: LevelIx) -> Decimal {
        self.level_scores
            .get(ix.index())
            .copied()
            .unwrap_or_default()
    }

    /// The lowest level.
    pub fn lowest(&self) -> LevelIx {
        LevelIx(0)
    }

    /// The highest level.
    pub fn highest(&self) -> LevelIx {
        LevelIx(u8::try_from(self.level_scores.len().saturating_sub(1)).unwrap_or(0))
    }

    /// The basic level.
    pub fn basic(&self) -> LevelIx {
        self.basic
    }

    /// Steps apart from which raters disagree.
    pub fn disagreement_span(&self) -> u8 {
        self.disagreement_span
    }

    /// The grade of a score: the highest level whose score is at most
    /// `score` (within [`SCORE_TOLERANCE`]; the lowest level for scores
    /// below 0).
    pub fn grade_of_score(&self, score: Decimal) -> LevelIx {
        let n = self
            .pre
            .thresholds
            .partition_point(|t| crate::exact::cmp(*t, score) != std::cmp::Ordering::Greater);
        LevelIx(u8::try_from(n.saturating_sub(1)).unwrap_or(0))
    }

    /// All nodes; index 0 is the overall root.
    pub fn nodes(&self) -> &[CompiledNode] {
        &self.nodes
    }

    /// A node by index.
    pub fn node(&self, ix: NodeIx) -> Option<&CompiledNode> {
        self.nodes.get(ix.index())
    }

    /// All indicators, in rubric order.
    pub fn indicators(&self) -> &[CompiledIndicator] {
        &self.indicators
    }

    /// An indicator by index.
    pub fn indicator(&self, ix: IndicatorIx) -> Option<&CompiledIndicator> {
        self.indicators.get(ix.index())
    }

    /// The file model of an indicator.
    pub fn indicator_source(&self, ix: IndicatorIx) -> Option<&crate::rubric::Indicator> {
        self.indicator(ix)
            .and_then(|i| self.rubric.indicators.get(i.source))
    }

    /// A node or indicator by id.
    pub fn find(&self, id: &str) -> Option<NodeRef> {
        self.ids
            .binary_search_by(|(k, _)| k.as_str().cmp(id))
            .ok()
            .and_then(|i| self.ids.get(i))
            .map(|(_, r)| *r)
    }

    /// An indicator's index by id.
    pub fn indicator_ix(&self, id: &str) -> Option<IndicatorIx> {
        match self.find(id) {
            Some(NodeRef::Indicator(ix)) => Some(ix),
            _ => None,
        }
    }

    /// A node's index by id (domains and competencies).
    pub fn node_ix(&self, id: &str) -> Option<NodeIx> {
        match self.find(id) {
            Some(NodeRef::Node(ix)) => Some(ix),
            _ => None,
        }
    }

    /// The title of a node or indicator.
    pub fn title(&self, r: NodeRef) -> Option<&Text> {
        match r {
            NodeRef::Node(ROOT) => Some(&self.rubric.title),
            NodeRef::Node(ix) => {
                let n = self.node(ix)?;
                match n.kind {
                    NodeKind::Domain => self.rubric.domains.get(n.source).map(|d| &d.title),
                    NodeKind::Competency => {
                        self.rubric.competencies.get(n.source).map(|c| &c.title)
                    }
                    NodeKind::Overall => Some(&self.rubric.title),
                }
            }
            NodeRef::Indicator(ix) => self.indicator_source(ix).map(|i| &i.title),
        }
    }

    /// The id of a node or indicator.
    pub fn id(&self, r: NodeRef) -> &str {
        match r {
            NodeRef::Node(ix) => self.node(ix).map_or("", |n| n.id.as_str()),
            NodeRef::Indicator(ix) => self.indicator(ix).map_or("", |n| n.id.as_str()),
        }
    }

    /// A node's path, `domain/competency` (empty for the root).
    pub fn node_path(&self, ix: NodeIx) -> String {
        let mut parts = Vec::new();
        let mut at = Some(ix);
        while let Some(n) = at.and_then(|i| self.node(i)) {
            if n.kind != NodeKind::Overall {
                parts.push(n.id.as_str());
            }
            at = n.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// An indicator's path, `domain/competency/indicator`.
    pub fn indicator_path(&self, ix: IndicatorIx) -> String {
        match self.indicator(ix) {
            Some(i) => format!("{}/{}", self.node_path(i.parent), i.id),
            None => String::new(),
        }
    }

    /// The children of a node, as references.
    pub fn children(&self, ix: NodeIx) -> impl Iterator<Item = NodeRef> + '_ {
        let children = self.node(ix).map(|n| n.children);
        let (nodes, indicators) = match children {
            Some(Children::Nodes { start, end }) => (start..end, 0..0),
            Some(Children::Indicators { start, end }) => (0..0, start..end),
            None => (0..0, 0..0),
        };
        nodes
            .map(|i| NodeRef::Node(NodeIx(i)))
            .chain(indicators.map(|i| NodeRef::Indicator(IndicatorIx(i))))
    }

    /// The table row for the multiset `grades` of children's levels, as
    /// `(row index in the file, the row)`; `grades` is reordered. `None` when
    /// the table does not cover that many inputs (the caller falls back to
    /// weakest link).
    pub(crate) fn table_row(&self, table: TableIx, grades: &mut [u8]) -> Option<u32> {
        let t = self.tables.get(table.index())?;
        let n = grades.len();
        if n >= 32 || t.arities & (1u32 << n) == 0 {
            return None;
        }
        let key = multiset_key(grades);
        t.rows
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .and_then(|i| t.rows.get(i))
            .map(|(_, row)| *row)
    }

    /// The file model of a table row.
    pub fn table_row_source(&self, table: TableIx, row: u32) -> Option<&crate::rubric::TableRow> {
        self.rubric
            .tables
            .get(table.index())
            .and_then(|t| t.rows.get(row as usize))
    }
}

/// Packs a multiset of level indices (sorted here, descending) into a key:
/// base-32 digits `level + 1`, so that every multiset of up to
/// [`MAX_TABLE_ARITY`] levels below [`MAX_LEVELS`] has its own key.
fn multiset_key(grades: &mut [u8]) -> u128 {
    grades.sort_unstable_by(|a, b| b.cmp(a));
    grades.iter().fold(0u128, |k, g| {
        (k << 5) | u128::from(g.saturating_add(1) & 31)
    })
}

struct ScaleInfo {
    codes: Vec<String>,
    scores: Vec<Decimal>,
    basic: LevelIx,
    span: u8,
    known: String,
}

impl ScaleInfo {
    fn ix(&self, code: &str) -> Option<LevelIx> {
        self.codes
            .iter()
            .position(|c| c == code)
            .and_then(|i| u8::try_from(i).ok())
            .map(LevelIx)
    }
}

struct TablesInfo {
    compiled: Vec<CompiledTable>,
    ids: Vec<String>,
}

struct Validator<'a> {
    rubric: &'a Rubric,
    diags: Diagnostics,
}

/// Whether `id` is a valid id in the file formats: not empty, ASCII letters,
/// digits, `_`, `.` and `-` only (so it is safe in paths, URLs and file
/// names once `.` and `..` alone are refused by the caller).
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

impl Validator<'_> {
    fn err(&mut self, error: Error, key: KeyPath, path: Option<&str>) {
        self.diags.push(error, key, path.map(str::to_owned));
    }

    fn id(&mut self, item: Item, id: &str, key: KeyPath, path: Option<&str>) {
        if !valid_id(id) {
            self.err(
                Error::InvalidId {
                    item,
                    id: id.to_owned(),
                },
                key,
                path,
            );
        }
    }

    fn text(&mut self, text: &Text, key: KeyPath, path: Option<&str>) {
        if text.fr.trim().is_empty() {
            let field = format!("{key}.fr");
            self.err(Error::Empty { field }, key.key("fr"), path);
        }
    }

    fn weight(&mut self, weight: Option<Decimal>, key: KeyPath, path: Option<&str>) -> Decimal {
        let Some(w) = weight else {
            return Decimal::ONE;
        };
        if w <= Decimal::ZERO {
            self.err(Error::NonPositiveWeight { weight: w }, key, path);
        } else if w > MAX_WEIGHT {
            self.err(
                Error::WeightTooLarge {
                    weight: w,
                    max: MAX_WEIGHT,
                },
                key,
                path,
            );
        }
        w
    }

    fn level(
        &mut self,
        scale: &ScaleInfo,
        code: &str,
        key: KeyPath,
        path: Option<&str>,
    ) -> Option<LevelIx> {
        let ix = scale.ix(code);
        if ix.is_none() && !scale.codes.is_empty() {
            let field = key.to_string();
            let error = if code == NOT_APPLICABLE || code == NO_INFORMATION {
                Error::LevelRequired {
                    field,
                    code: code.to_owned(),
                    known: scale.known.clone(),
                }
            } else {
                Error::UnknownLevel {
                    code: code.to_owned(),
                    known: scale.known.clone(),
                }
            };
            self.err(error, key, path);
        }
        ix
    }

    fn scale(&mut self) -> ScaleInfo {
        let rubric = self.rubric;
        if rubric.format != FORMAT {
            self.err(
                Error::UnsupportedFormat {
                    found: rubric.format,
                },
                KeyPath::default().key("format"),
                None,
            );
        }
        self.id(Item::Rubric, &rubric.id, KeyPath::default().key("id"), None);
        if rubric.version.trim().is_empty() {
            self.err(
                Error::Empty {
                    field: "version".into(),
                },
                KeyPath::default().key("version"),
                None,
            );
        }
        self.text(&rubric.title, KeyPath::default().key("title"), None);
        let levels = &rubric.scale.levels;
        let scale_key = || KeyPath::default().key("scale");
        if levels.len() < 2 || levels.len() > MAX_LEVELS {
            self.err(
                Error::LevelCount {
                    found: levels.len(),
                    max: MAX_LEVELS,
                },
                scale_key(),
                None,
            );
        }
        let mut codes: Vec<String> = Vec::with_capacity(levels.len());
        let mut ordered = true;
        for (i, level) in levels.iter().enumerate() {
            let key = scale_key().key("level").index(i);
            if level.code == NOT_APPLICABLE || level.code == NO_INFORMATION {
                self.err(
                    Error::ReservedCode {
                        code: level.code.clone(),
                    },
                    key.clone().key("code"),
                    None,
                );
            } else {
                self.id(Item::Level, &level.code, key.clone().key("code"), None);
            }
            if codes.contains(&level.code) {
                self.err(
                    Error::DuplicateLevel {
                        code: level.code.clone(),
                    },
                    key.clone().key("code"),
                    None,
                );
            }
            codes.push(level.code.clone());
            if level.value.abs() > MAX_LEVEL_VALUE {
                ordered = false;
                self.err(
                    Error::LevelValueOutOfRange { value: level.value },
                    key.clone().key("value"),
                    None,
                );
            }
            if let Some(previous) = i.checked_sub(1).and_then(|p| levels.get(p))
                && level.value <= previous.value
            {
                ordered = false;
                self.err(
                    Error::ScaleNotIncreasing {
                        code: level.code.clone(),
                        value: level.value,
                        previous: previous.code.clone(),
                        previous_value: previous.value,
                    },
                    key.clone().key("value"),
                    None,
                );
            }
            self.text(&level.label, key.key("label"), None);
        }
        let known = codes.join(", ");
        let mut scale = ScaleInfo {
            codes,
            scores: Vec::new(),
            basic: LevelIx(0),
            span: rubric
                .scale
                .disagreement_span
                .unwrap_or(DEFAULT_DISAGREEMENT_SPAN),
            known,
        };
        if let Some(basic) = self.level(&scale, &rubric.scale.basic, scale_key().key("basic"), None)
        {
            scale.basic = basic;
        }
        if scale.span == 0 {
            self.err(
                Error::DisagreementSpan { found: 0 },
                scale_key().key("disagreement_span"),
                None,
            );
        }
        if let (Some(first), Some(last), true) = (levels.first(), levels.last(), ordered) {
            let range = last.value - first.value;
            if range > Decimal::ZERO {
                scale.scores = levels
                    .iter()
                    .map(|l| (l.value - first.value) * Decimal::ONE_HUNDRED / range)
                    .collect();
                // Exactly 100 at the top, whatever the division's last digit.
                if let Some(top) = scale.scores.last_mut() {
                    *top = Decimal::ONE_HUNDRED;
                }
            }
        }
        scale
    }

    fn tables(&mut self, scale: &ScaleInfo) -> TablesInfo {
        let rubric = self.rubric;
        let mut info = TablesInfo {
            compiled: Vec::new(),
            ids: Vec::new(),
        };
        let levels = scale.codes.len();
        for (t, table) in rubric.tables.iter().enumerate() {
            let tkey = KeyPath::item("table", t);
            self.id(Item::Table, &table.id, tkey.clone().key("id"), None);
            if info.ids.contains(&table.id) {
                self.err(
                    Error::DuplicateId {
                        item: Item::Table,
                        id: table.id.clone(),
                        first: Item::Table,
                    },
                    tkey.clone().key("id"),
                    None,
                );
            }
            info.ids.push(table.id.clone());
            let mut rows: Vec<(u128, u32)> = Vec::with_capacity(table.rows.len());
            let mut per_arity: BTreeMap<usize, BTreeSet<Vec<u8>>> = BTreeMap::new();
            for (r, row) in table.rows.iter().enumerate() {
                let rkey = tkey.clone().key("row").index(r);
                if row.result.trim().is_empty() {
                    self.err(
                        Error::Empty {
                            field: format!("{rkey}.result"),
                        },
                        rkey.clone().key("result"),
                        None,
                    );
                }
                if row.score < Decimal::ZERO || row.score > Decimal::ONE_HUNDRED {
                    self.err(
                        Error::ScoreOutOfRange { score: row.score },
                        rkey.clone().key("score"),
                        None,
                    );
                }
                if row.inputs.is_empty() {
                    self.err(Error::EmptyTableRow, rkey.clone().key("inputs"), None);
                    continue;
                }
                if row.inputs.len() > MAX_TABLE_ARITY {
                    self.err(
                        Error::TableArity {
                            arity: row.inputs.len(),
                            max: MAX_TABLE_ARITY,
                        },
                        rkey.clone().key("inputs"),
                        None,
                    );
                    continue;
                }
                let mut grades = Vec::with_capacity(row.inputs.len());
                for (k, code) in row.inputs.iter().enumerate() {
                    if let Some(ix) =
                        self.level(scale, code, rkey.clone().key("inputs").index(k), None)
                    {
                        grades.push(ix.0);
                    }
                }
                if grades.len() != row.inputs.len() {
                    continue;
                }
                let key = multiset_key(&mut grades);
                let set = per_arity.entry(grades.len()).or_default();
                if !set.insert(grades.clone()) {
                    let inputs = format!(
                        "[{}]",
                        grades
                            .iter()
                            .map(|g| scale.codes.get(*g as usize).map_or("?", String::as_str))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    self.err(
                        Error::DuplicateTableRow {
                            table: table.id.clone(),
                            inputs,
                        },
                        rkey.key("inputs"),
                        None,
                    );
                    continue;
                }
                rows.push((key, r as u32));
            }
            let mut arities = 0u32;
            for (arity, set) in &per_arity {
                arities |= 1u32 << arity;
                if levels == 0 {
                    continue;
                }
                let expected = multisets(levels, *arity);
                if (set.len() as u128) < expected {
                    let example = first_missing(levels, *arity, set)
                        .map(|m| {
                            format!(
                                "[{}]",
                                m.iter()
                                    .map(|g| scale
                                        .codes
                                        .get(*g as usize)
                                        .map_or("?", String::as_str))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        })
                        .unwrap_or_default();
                    self.err(
                        Error::IncompleteTable {
                            table: table.id.clone(),
                            arity: *arity,
                            count: usize::try_from(expected - set.len() as u128)
                                .unwrap_or(usize::MAX),
                            example,
                        },
                        tkey.clone().key("id"),
                        None,
                    );
                }
            }
            rows.sort_unstable_by_key(|(k, _)| *k);
            info.compiled.push(CompiledTable { rows, arities });
        }
        info
    }

    fn aggregate(
        &mut self,
        aggregation: Option<&Aggregation>,
        tables: &TablesInfo,
        key: KeyPath,
        path: Option<&str>,
    ) -> Aggregate {
        let Some(a) = aggregation else {
            return Aggregate::WeightedMean;
        };
        match (a.method, &a.table) {
            (Method::WeightedMean, None) => Aggregate::WeightedMean,
            (Method::WeakestLink, None) => Aggregate::WeakestLink,
            (Method::Table, Some(id)) => match tables.ids.iter().position(|t| t == id) {
                Some(i) => Aggregate::Table(TableIx(i as u32)),
                None => {
                    let known = if tables.ids.is_empty() {
                        String::new()
                    } else {
                        format!(", or use one of {}", tables.ids.join(", "))
                    };
                    self.err(
                        Error::UnknownTable {
                            table: id.clone(),
                            known,
                        },
                        key.key("table"),
                        path,
                    );
                    Aggregate::WeightedMean
                }
            },
            (Method::Table, None) => {
                self.err(Error::MissingTable, key.key("method"), path);
                Aggregate::WeightedMean
            }
            (_, Some(_)) => {
                self.err(Error::UnexpectedTable, key.key("table"), path);
                Aggregate::WeightedMean
            }
        }
    }

    fn tree(
        &mut self,
        scale: &ScaleInfo,
        tables: &TablesInfo,
    ) -> (Vec<CompiledNode>, Vec<CompiledIndicator>) {
        let rubric = self.rubric;
        // Node ids share one namespace: remember who used each first.
        let mut seen: BTreeMap<String, Item> = BTreeMap::new();
        let mut claim = |v: &mut Self, item: Item, id: &str, key: KeyPath, path: &str| {
            v.id(item, id, key.clone(), Some(path));
            if let Some(first) = seen.get(id) {
                v.err(
                    Error::DuplicateId {
                        item,
                        id: id.to_owned(),
                        first: *first,
                    },
                    key,
                    Some(path),
                );
            } else {
                seen.insert(id.to_owned(), item);
            }
        };

        let root_aggregate = self.aggregate(
            rubric.aggregation.as_ref(),
            tables,
            KeyPath::default().key("aggregation"),
            None,
        );
        if rubric.domains.is_empty() {
            self.err(Error::NoDomain, KeyPath::default(), None);
        }

        let mut domain_weights = Vec::with_capacity(rubric.domains.len());
        let mut domain_aggregates = Vec::with_capacity(rubric.domains.len());
        for (i, d) in rubric.domains.iter().enumerate() {
            let key = KeyPath::item("domain", i);
            claim(self, Item::Domain, &d.id, key.clone().key("id"), &d.id);
            self.text(&d.title, key.clone().key("title"), Some(&d.id));
            domain_weights.push(self.weight(d.weight, key.clone().key("weight"), Some(&d.id)));
            domain_aggregates.push(self.aggregate(
                d.aggregation.as_ref(),
                tables,
                key.key("aggregation"),
                Some(&d.id),
            ));
        }
        let domain_of_id: BTreeMap<&str, usize> = rubric
            .domains
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .rev()
            .collect();

        let mut competencies_of: Vec<Vec<usize>> = vec![Vec::new(); rubric.domains.len()];
        let mut competency_weights = Vec::with_capacity(rubric.competencies.len());
        let mut competency_aggregates = Vec::with_capacity(rubric.competencies.len());
        let mut competency_paths = Vec::with_capacity(rubric.competencies.len());
        for (i, c) in rubric.competencies.iter().enumerate() {
            let key = KeyPath::item("competency", i);
            let path = format!("{}/{}", c.domain, c.id);
            claim(self, Item::Competency, &c.id, key.clone().key("id"), &path);
            self.text(&c.title, key.clone().key("title"), Some(&path));
            competency_weights.push(self.weight(c.weight, key.clone().key("weight"), Some(&path)));
            competency_aggregates.push(self.aggregate(
                c.aggregation.as_ref(),
                tables,
                key.clone().key("aggregation"),
                Some(&path),
            ));
            match domain_of_id
                .get(c.domain.as_str())
                .and_then(|d| competencies_of.get_mut(*d))
            {
                Some(list) => list.push(i),
                None => self.err(
                    Error::UnknownParent {
                        item: Item::Competency,
                        id: c.id.clone(),
                        parent_item: Item::Domain,
                        parent: c.domain.clone(),
                    },
                    key.key("domain"),
                    Some(&path),
                ),
            }
            competency_paths.push(path);
        }
        let competency_of_id: BTreeMap<&str, usize> = rubric
            .competencies
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .rev()
            .collect();

        let mut indicators_of: Vec<Vec<usize>> = vec![Vec::new(); rubric.competencies.len()];
        let mut compiled_indicators: Vec<Option<CompiledIndicator>> =
            Vec::with_capacity(rubric.indicators.len());
        for (i, ind) in rubric.indicators.iter().enumerate() {
            let key = KeyPath::item("indicator", i);
            let parent = competency_of_id.get(ind.competency.as_str()).copied();
            let path = match parent.and_then(|p| competency_paths.get(p)) {
                Some(p) => format!("{p}/{}", ind.id),
                None => format!("{}/{}", ind.competency, ind.id),
            };
            let p = Some(path.as_str());
            claim(self, Item::Indicator, &ind.id, key.clone().key("id"), &path);
            self.text(&ind.title, key.clone().key("title"), p);
            self.text(&ind.evidence, key.clone().key("evidence"), p);
            if let Some(q) = &ind.question {
                self.text(q, key.clone().key("question"), p);
            }
            if ind.source.trim().is_empty() {
                self.err(
                    Error::Empty {
                        field: format!("{key}.source"),
                    },
                    key.clone().key("source"),
                    p,
                );
            }
            let weight = self.weight(ind.weight, key.clone().key("weight"), p);
            let target = self.level(scale, &ind.target, key.clone().key("target"), p);
            let minimum = match &ind.minimum {
                Some(m) => {
                    if !ind.critical {
                        self.err(Error::MinimumWithoutCritical, key.clone().key("minimum"), p);
                    }
                    self.level(scale, m, key.clone().key("minimum"), p)
                }
                None => Some(scale.basic),
            };
            for code in &scale.codes {
                if !ind.descriptor.contains_key(code) {
                    self.err(
                        Error::MissingDescriptor {
                            level: code.clone(),
                        },
                        key.clone().key("descriptor"),
                        p,
                    );
                }
            }
            for (code, text) in &ind.descriptor {
                let dkey = key.clone().key("descriptor").key(code);
                if scale.ix(code).is_none() && !scale.codes.is_empty() {
                    self.err(
                        Error::UnknownLevel {
                            code: code.clone(),
                            known: scale.known.clone(),
                        },
                        dkey,
                        p,
                    );
                } else {
                    self.text(text, dkey, p);
                }
            }
            for (a, action) in ind.actions.iter().enumerate() {
                let akey = key.clone().key("action").index(a);
                let from = self.level(scale, &action.from, akey.clone().key("from"), p);
                if let Some(from) = from
                    && from.index() + 1 >= scale.codes.len()
                {
                    self.err(
                        Error::ActionFromTop {
                            level: action.from.clone(),
                        },
                        akey.clone().key("from"),
                        p,
                    );
                }
                self.text(&action.text, akey.clone().key("text"), p);
                self.text(&action.responsible, akey.clone().key("responsible"), p);
                if !valid_cost(action.cost) {
                    self.err(
                        Error::InvalidCost { cost: action.cost },
                        akey.key("cost"),
                        p,
                    );
                }
            }
            if let Some(rule) = &ind.applies_when {
                let rkey = key.clone().key("applies_when");
                if let (Some(min), Some(max)) = (rule.min_population, rule.max_population)
                    && min > max
                {
                    self.err(Error::PopulationRange { min, max }, rkey.clone(), p);
                }
                if let Some(t) = &rule.transferred {
                    self.id(Item::Competence, t, rkey.clone().key("transferred"), p);
                }
                if rule.kinds.as_ref().is_some_and(Vec::is_empty) {
                    self.err(Error::EmptyKinds, rkey.key("kinds"), p);
                }
            }
            match parent.and_then(|c| indicators_of.get_mut(c)) {
                Some(list) => list.push(i),
                None => self.err(
                    Error::UnknownParent {
                        item: Item::Indicator,
                        id: ind.id.clone(),
                        parent_item: Item::Competency,
                        parent: ind.competency.clone(),
                    },
                    key.key("competency"),
                    p,
                ),
            }
            compiled_indicators.push(match (target, minimum) {
                (Some(target), Some(minimum)) => Some(CompiledIndicator {
                    id: ind.id.clone(),
                    source: i,
                    parent: ROOT,
                    weight,
                    target,
                    critical: ind.critical,
                    minimum,
                }),
                _ => None,
            });
        }

        // Lay the tree out: root, domains, then competencies by domain.
        let mut nodes = Vec::with_capacity(1 + rubric.domains.len() + rubric.competencies.len());
        let domains = rubric.domains.len() as u32;
        nodes.push(CompiledNode {
            kind: NodeKind::Overall,
            id: rubric.id.clone(),
            source: 0,
            parent: None,
            children: Children::Nodes {
                start: 1,
                end: 1 + domains,
            },
            weight: Decimal::ONE,
            aggregate: root_aggregate,
        });
        let mut next = 1 + domains;
        for (i, d) in rubric.domains.iter().enumerate() {
            let n = competencies_of.get(i).map_or(0, Vec::len) as u32;
            if n == 0 {
                self.err(
                    Error::Childless {
                        item: Item::Domain,
                        id: d.id.clone(),
                        child: Item::Competency,
                    },
                    KeyPath::item("domain", i).key("id"),
                    Some(&d.id),
                );
            }
            nodes.push(CompiledNode {
                kind: NodeKind::Domain,
                id: d.id.clone(),
                source: i,
                parent: Some(ROOT),
                children: Children::Nodes {
                    start: next,
                    end: next + n,
                },
                weight: domain_weights.get(i).copied().unwrap_or(Decimal::ONE),
                aggregate: domain_aggregates
                    .get(i)
                    .copied()
                    .unwrap_or(Aggregate::WeightedMean),
            });
            next += n;
        }
        let mut indicators = Vec::with_capacity(rubric.indicators.len());
        let mut next_indicator = 0u32;
        for (d, list) in competencies_of.iter().enumerate() {
            for &c in list {
                let Some(competency) = rubric.competencies.get(c) else {
                    continue;
                };
                let ix = NodeIx(nodes.len() as u32);
                let children = indicators_of.get(c).map_or(&[][..], Vec::as_slice);
                if children.is_empty() {
                    self.err(
                        Error::Childless {
                            item: Item::Competency,
                            id: competency.id.clone(),
                            child: Item::Indicator,
                        },
                        KeyPath::item("competency", c).key("id"),
                        competency_paths.get(c).map(String::as_str),
                    );
                }
                let start = next_indicator;
                for &i in children {
                    if let Some(Some(mut ind)) = compiled_indicators.get(i).cloned() {
                        ind.parent = ix;
                        indicators.push(ind);
                        next_indicator += 1;
                    }
                }
                nodes.push(CompiledNode {
                    kind: NodeKind::Competency,
                    id: competency.id.clone(),
                    source: c,
                    parent: Some(NodeIx(1 + d as u32)),
                    children: Children::Indicators {
                        start,
                        end: next_indicator,
                    },
                    weight: competency_weights.get(c).copied().unwrap_or(Decimal::ONE),
                    aggregate: competency_aggregates
                        .get(c)
                        .copied()
                        .unwrap_or(Aggregate::WeightedMean),
                });
            }
        }

        // Tables must cover each table node's full number of children.
        for node in &nodes {
            if let Aggregate::Table(t) = node.aggregate {
                let arity = node.children.len();
                let covered = tables
                    .compiled
                    .get(t.index())
                    .is_some_and(|table| arity < 32 && table.arities & (1u32 << arity) != 0);
                if arity >= 2 && !covered {
                    let (item, key, path) = match node.kind {
                        NodeKind::Overall => {
                            (Item::Rubric, KeyPath::default().key("aggregation"), None)
                        }
                        NodeKind::Domain => (
                            Item::Domain,
                            KeyPath::item("domain", node.source).key("aggregation"),
                            Some(node.id.clone()),
                        ),
                        NodeKind::Competency => (
                            Item::Competency,
                            KeyPath::item("competency", node.source).key("aggregation"),
                            competency_paths.get(node.source).cloned(),
                        ),
                    };
                    self.err(
                        Error::TableArityMissing {
                            item,
                            id: node.id.clone(),
                            arity,
                            table: tables.ids.get(t.index()).cloned().unwrap_or_default(),
                        },
                        key,
                        path.as_deref(),
                    );
                }
            }
        }
        (nodes, indicators)
    }
}

/// The number of multisets of `n` elements among `levels`, C(levels+n-1, n)
/// (saturating).
fn multisets(levels: usize, n: usize) -> u128 {
    let mut c: u128 = 1;
    for k in 1..=n as u128 {
        c = c.saturating_mul(levels as u128 + k - 1) / k;
    }
    c
}

/// The first multiset (non-increasing sequence) of `n` levels, in
/// lexicographic order, missing from `present`.
fn first_missing(levels: usize, n: usize, present: &BTreeSet<Vec<u8>>) -> Option<Vec<u8>> {
    let top = u8::try_from(levels.checked_sub(1)?).ok()?;
    let mut m = vec![top; n];
    loop {
        if !present.contains(&m) {
            return Some(m);
        }
        // Next non-increasing sequence in decreasing lexicographic order.
        let i = m.iter().rposition(|g| *g > 0)?;
        let value = m.get(i).copied()? - 1;
        for g in m.iter_mut().skip(i) {
            *g = value;
        }
    }
}
