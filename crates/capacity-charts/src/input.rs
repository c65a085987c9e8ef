//! Inputs shared by the charts, and the adapters from the core's results.
//!
//! Each chart takes a small input struct of its own (public fields, so the
//! app, the CLI and tests can build one by hand), with constructors from
//! the core's result types. This module holds what they share: the
//! [`LevelScale`] (codes, labels, scores, basic level), a node's or
//! indicator's [`Reading`], the choice of [`Axes`], and the node target
//! the core does not compute (see [`node_target`]).
//!
//! Adapters read the core's public results; they never re-score. They
//! depend on `capacity` only, not on Leptos, axum or SQL.

use crate::Error;
use capacity::{
    Aggregate, CompiledRubric, NodeIx, NodeKind, NodeRef, NodeResult, NodeStatus, ROOT, Scored,
    Status, Text,
};
use rust_decimal::Decimal;

/// One level of the scale, as charts show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleLevel {
    /// Its code (`D`, `C`, `B`, `A`).
    pub code: String,
    /// Its label.
    pub label: Text,
    /// Its score on 0–100.
    pub score: Decimal,
}

/// The ordinal scale of a rubric: levels lowest first and the basic level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelScale {
    /// The levels, lowest first.
    pub levels: Vec<ScaleLevel>,
    /// The index of the basic level in `levels`.
    pub basic: usize,
}

impl LevelScale {
    /// The scale of `rubric`.
    ///
    /// ```
    /// let rubric = capacity::CompiledRubric::from_toml(capacity::example::RUBRIC)?;
    /// let scale = capacity_charts::LevelScale::of(&rubric);
    /// assert_eq!(scale.levels[scale.basic].code, "C");
    /// # Ok::<(), capacity::Diagnostics>(())
    /// ```
    pub fn of(rubric: &CompiledRubric) -> LevelScale {
        let levels = rubric
            .levels()
            .iter()
            .map(|l| ScaleLevel {
                code: l.code.clone(),
                label: l.label.clone(),
                score: rubric
                    .level_ix(&l.code)
                    .map_or(Decimal::ZERO, |ix| rubric.level_score(ix)),
            })
            .collect();
        LevelScale {
            levels,
            basic: rubric.basic().index(),
        }
    }

    /// The code of level `ix` (`?` when out of range).
    pub(crate) fn code(&self, ix: usize) -> &str {
        self.levels.get(ix).map_or("?", |l| l.code.as_str())
    }

    /// The lowest level's code followed by `*`: how no information (D*)
    /// is written.
    pub(crate) fn no_information_code(&self) -> String {
        format!("{}*", self.code(0))
    }
}

/// What a chart shows of a node or an indicator in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A score on 0–100.
    Scored {
        /// The score, exact.
        score: Decimal,
        /// Whether no information (D*) went into it: the whole reading is
        /// D* when `all_no_information`, else some indicator below is.
        no_information: bool,
        /// Whether every answered indicator below is D*.
        all_no_information: bool,
    },
    /// Not applicable.
    NotApplicable,
    /// Not answered yet.
    Unanswered,
}

impl Reading {
    /// The reading of a node.
    pub fn of_node(r: &NodeResult) -> Reading {
        match (r.status, r.score) {
            (NodeStatus::Scored, Some(score)) => Reading::Scored {
                score,
                no_information: r.coverage.no_information > 0,
                all_no_information: r.coverage.no_information > 0
                    && r.coverage.no_information >= r.coverage.answered,
            },
            (NodeStatus::NotApplicable, _) => Reading::NotApplicable,
            _ => Reading::Unanswered,
        }
    }

    /// The reading of an indicator's status and score.
    pub fn of_indicator(status: Status, score: Option<Decimal>) -> Reading {
        match (status, score) {
            (Status::NotApplicable(_), _) => Reading::NotApplicable,
            (Status::Unanswered, _) | (_, None) => Reading::Unanswered,
            (Status::NoInformation, Some(score)) => Reading::Scored {
                score,
                no_information: true,
                all_no_information: true,
            },
            (Status::Level(_), Some(score)) => Reading::Scored {
                score,
                no_information: false,
                all_no_information: false,
            },
        }
    }

    /// The score, when scored.
    pub fn score(self) -> Option<Decimal> {
        match self {
            Reading::Scored { score, .. } => Some(score),
            _ => None,
        }
    }
}

/// What the rows or bars of a gap, heatmap or distribution chart are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Items {
    /// Competencies.
    #[default]
    Competencies,
    /// Indicators.
    Indicators,
}

/// Which nodes a radar or a progress chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Axes {
    /// One axis per competency.
    #[default]
    Competencies,
    /// One axis per domain.
    Domains,
}

/// The domains of `rubric`, then (for [`Axes::Competencies`]) their
/// competencies, in rubric order.
pub(crate) fn nodes_of(rubric: &CompiledRubric, axes: Axes) -> Vec<NodeIx> {
    let domains = rubric.children(ROOT).filter_map(|r| match r {
        NodeRef::Node(ix) => Some(ix),
        NodeRef::Indicator(_) => None,
    });
    match axes {
        Axes::Domains => domains.collect(),
        Axes::Competencies => domains
            .flat_map(|d| rubric.children(d))
            .filter_map(|r| match r {
                NodeRef::Node(ix)
                    if rubric
                        .node(ix)
                        .is_some_and(|n| n.kind == NodeKind::Competency) =>
                {
                    Some(ix)
                }
                _ => None,
            })
            .collect(),
    }
}

/// The title of a node or indicator (empty when unknown).
pub(crate) fn title_of(rubric: &CompiledRubric, r: NodeRef) -> Text {
    rubric.title(r).cloned().unwrap_or_default()
}

/// Checks that `scored` was made with `rubric`.
pub(crate) fn check_scored(rubric: &CompiledRubric, scored: &Scored) -> Result<(), Error> {
    if scored.rubric != rubric.key()
        || scored.nodes.len() != rubric.nodes().len()
        || scored.indicators.len() != rubric.indicators().len()
    {
        return Err(Error::RubricMismatch {
            expected: rubric.key().to_owned(),
            found: scored.rubric.clone(),
        });
    }
    Ok(())
}

/// The target score of a node or indicator on 0–100: for an indicator, the
/// score of its effective target level; for a node, the weighted mean of
/// its applicable children's targets (declared weights re-normalised, as
/// in scoring) when it averages, the lowest child target when it takes the
/// weakest link or a table (what it would score with every child exactly
/// at target). `None` when nothing below applies.
///
/// The core reports gaps per indicator and per node ([`capacity::Gaps`])
/// but no node target; this is the chart's reading, documented where it
/// is shown.
pub fn node_target(rubric: &CompiledRubric, scored: &Scored, r: NodeRef) -> Option<Decimal> {
    match r {
        NodeRef::Indicator(ix) => {
            let result = scored.indicator(ix)?;
            result
                .is_applicable()
                .then(|| rubric.level_score(result.target))
        }
        NodeRef::Node(ix) => {
            let node = rubric.node(ix)?;
            let mut sum_w = Decimal::ZERO;
            let mut sum_wt = Decimal::ZERO;
            let mut min: Option<Decimal> = None;
            for child in rubric.children(ix) {
                let Some(t) = node_target(rubric, scored, child) else {
                    continue;
                };
                let w = match child {
                    NodeRef::Indicator(i) => rubric.indicator(i).map(|c| c.weight),
                    NodeRef::Node(n) => rubric.node(n).map(|c| c.weight),
                }
                .unwrap_or(Decimal::ONE);
                sum_w += w;
                sum_wt += w * t;
                min = Some(min.map_or(t, |m| m.min(t)));
            }
            match node.aggregate {
                Aggregate::WeightedMean if sum_w > Decimal::ZERO => Some(sum_wt / sum_w),
                Aggregate::WeightedMean => None,
                Aggregate::WeakestLink | Aggregate::Table(_) => min,
            }
        }
    }
}

/// A score for display (`72,5`), or the state's short form.
pub(crate) fn show(reading: Reading, scale: &LevelScale, lang: capacity::Lang) -> String {
    match reading {
        Reading::Scored {
            all_no_information: true,
            ..
        } => scale.no_information_code(),
        Reading::Scored {
            score,
            no_information,
            ..
        } => {
            let mut s = capacity::format::score(score, lang);
            if no_information {
                s.push('*');
            }
            s
        }
        Reading::NotApplicable => "NA".to_owned(),
        Reading::Unanswered => "?".to_owned(),
    }
}
