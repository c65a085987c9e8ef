//! Gaps to target and the priority ranking.
//!
//! From a [`Scored`] assessment:
//!
//! - per indicator, the distance from its consolidated level (NI counts as
//!   the lowest level) to its effective target, in levels and in points
//!   (target score − level score, never negative), its *global weight*:
//!   its share of the overall index, the product down the tree of each
//!   node's weight divided by the sum of its applicable siblings' weights
//!   (not-applicable siblings are left out; unanswered ones are kept, since
//!   a plan is about the whole rubric), and its *impact*, global weight ×
//!   gap in points;
//! - per node, rolled up: the weighted mean of its answered children's gaps
//!   in points (the weights re-normalised as in the score, whatever the
//!   node's method), the largest gap in levels below it, and counts of
//!   indicators below target, at target, and failing a minimum condition;
//! - a priority ranking of the indicators below target or failing a minimum
//!   condition: failed minimum conditions first, then by *impact* (global
//!   weight × gap in points), largest first, ties broken by rubric order;
//!   each entry carries its structured [`Reason`]s. Impacts are rounded to
//!   18 decimals, so that equal impacts tie despite the noise of 28-digit
//!   arithmetic (around 10⁻²⁷).
//!
//! Exact decimals throughout, no rounding. This module reads results; it
//! must not depend on `explain`.

use crate::compiled::{Children, CompiledRubric, IndicatorIx, LevelIx, NodeIx, impact};
use crate::diagnostic::Error;
use crate::exact;
use crate::score::{Condition, Flags, NodeStatus, Scored, Status};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};

/// A distance to target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Gap {
    /// Levels below target (0 at or above target).
    pub levels: u8,
    /// Points below the target's score (0 at or above target), exact.
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
}

/// One indicator's gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorGap {
    /// The effective target.
    pub target: LevelIx,
    /// The level used (NI counts as the lowest), when answered and
    /// applicable.
    pub level: Option<LevelIx>,
    /// The gap, when answered and applicable.
    pub gap: Option<Gap>,
    /// Share of the overall index (0 when not applicable).
    #[serde(with = "rust_decimal::serde::str")]
    pub global_weight: Decimal,
    /// Global weight × gap in points, rounded to 18 decimals (0 at or above
    /// target): the ranking key.
    #[serde(with = "rust_decimal::serde::str")]
    pub impact: Decimal,
}

/// A node's gap, rolled up from its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeGap {
    /// Weighted mean of the answered children's gaps in points.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub points: Option<Decimal>,
    /// The largest gap in levels below this node.
    pub max_levels: u8,
    /// Answered indicators below target.
    pub below_target: u32,
    /// Answered indicators at or above target.
    pub at_target: u32,
    /// Critical indicators failing their minimum condition.
    pub failed_conditions: u32,
    /// Share of the overall index (0 when not applicable).
    #[serde(with = "rust_decimal::serde::str")]
    pub global_weight: Decimal,
}

/// Why an indicator is a priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// A critical indicator below its minimum (or with no information).
    FailedMinimumCondition {
        /// The level needed.
        minimum: LevelIx,
        /// The consolidated level (none for NI).
        level: Option<LevelIx>,
    },
    /// Below target.
    BelowTarget {
        /// The level used.
        level: LevelIx,
        /// The target.
        target: LevelIx,
        /// The gap.
        gap: Gap,
    },
    /// Its weight in the overall index and the resulting impact.
    Weight {
        /// Share of the overall index.
        #[serde(with = "rust_decimal::serde::str")]
        global_weight: Decimal,
        /// Global weight × gap in points.
        #[serde(with = "rust_decimal::serde::str")]
        impact: Decimal,
    },
    /// No information (D*): the gap assumes the lowest level.
    NoInformation,
    /// Raters disagree: the level may deserve a second look.
    Disagreement {
        /// Steps between the lowest and highest rater levels.
        spread: u8,
    },
}

/// The reasons of a priority (at most one of each kind), stored compactly
/// and given as [`Reason`]s, most important first; serialised as a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Reasons {
    /// `(minimum, level)` of a failed minimum condition.
    failed: Option<(LevelIx, Option<LevelIx>)>,
    /// `(level, target, gap)` when below target.
    below: Option<(LevelIx, LevelIx, Gap)>,
    global_weight: Decimal,
    impact: Decimal,
    no_information: bool,
    disagreement: Option<u8>,
}

impl Reasons {
    /// The reasons, most important first.
    pub fn iter(&self) -> impl Iterator<Item = Reason> + '_ {
        let failed = self
            .failed
            .map(|(minimum, level)| Reason::FailedMinimumCondition { minimum, level });
        let below = self.below.into_iter().flat_map(|(level, target, gap)| {
            [
                Reason::BelowTarget { level, target, gap },
                Reason::Weight {
                    global_weight: self.global_weight,
                    impact: self.impact,
                },
            ]
        });
        failed
            .into_iter()
            .chain(below)
            .chain(self.no_information.then_some(Reason::NoInformation))
            .chain(
                self.disagreement
                    .map(|spread| Reason::Disagreement { spread }),
            )
    }
}

impl Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Reasons {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Reasons::default();
        let mut below = None;
        for r in Vec::<Reason>::deserialize(d)? {
            match r {
                Reason::FailedMinimumCondition { minimum, level } => {
                    out.failed = Some((minimum, level));
                }
                Reason::BelowTarget { level, target, gap } => below = Some((level, target, gap)),
                Reason::Weight {
                    global_weight,
                    impact,
                } => {
                    out.global_weight = global_weight;
                    out.impact = impact;
                }
                Reason::NoInformation => out.no_information = true,
                Reason::Disagreement { spread } => out.disagreement = Some(spread),
            }
        }
        out.below = below;
        Ok(out)
    }
}

/// One entry of the priority ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Priority {
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Whether it fails a minimum condition (these come first).
    pub failed_condition: bool,
    /// Global weight × gap in points, rounded to 18 decimals so that equal
    /// impacts tie (the ranking key after failures).
    #[serde(with = "rust_decimal::serde::str")]
    pub impact: Decimal,
    /// Why it ranks here.
    pub reasons: Reasons,
}

/// Gaps of one scored assessment.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let gaps = capacity::gaps(&rubric, &scored)?;
/// let first = gaps.priorities.first().expect("something to improve");
/// println!("{}", rubric.indicator_path(first.indicator));
/// for reason in first.reasons.iter() {
///     println!("  {reason:?}");
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Gaps {
    /// Per indicator, in rubric order.
    pub indicators: Vec<IndicatorGap>,
    /// Per node; index 0 is the overall root.
    pub nodes: Vec<NodeGap>,
    /// The ranking, first priority first.
    pub priorities: Vec<Priority>,
}

impl Gaps {
    /// A node's gap.
    pub fn node(&self, ix: NodeIx) -> Option<&NodeGap> {
        self.nodes.get(ix.index())
    }

    /// An indicator's gap.
    pub fn indicator(&self, ix: IndicatorIx) -> Option<&IndicatorGap> {
        self.indicators.get(ix.index())
    }
}

/// Computes the gaps of `scored` (see the module docs).
pub fn gaps(rubric: &CompiledRubric, scored: &Scored) -> Result<Gaps, Error> {
    let mut out = Gaps::default();
    gaps_into(rubric, scored, &mut out)?;
    Ok(out)
}

/// Computes the gaps of `scored` into `out`, reusing its allocations.
pub fn gaps_into(rubric: &CompiledRubric, scored: &Scored, out: &mut Gaps) -> Result<(), Error> {
    scored.check(rubric)?;
    let nodes = rubric.nodes();
    let compiled = rubric.indicators();
    let pre = &rubric.pre;
    let levels = rubric.level_count();
    out.nodes.clear();
    out.nodes.resize(nodes.len(), NodeGap::default());
    out.indicators.clear();
    out.indicators.reserve(compiled.len());
    out.priorities.clear();
    // Whether a node's global weight is the precomputed one (no NA among
    // its ancestors' children); global weights of the others are computed.
    // On the stack for rubrics of up to 64 nodes.
    let mut small = [false; 64];
    let mut large = Vec::new();
    let precomputed: &mut [bool] = if nodes.len() <= small.len() {
        small.get_mut(..nodes.len()).unwrap_or_default()
    } else {
        large.resize(nodes.len(), false);
        &mut large
    };
    if let (Some(root), Some(flag)) = (out.nodes.first_mut(), precomputed.first_mut()) {
        root.global_weight = Decimal::ONE;
        *flag = true;
    }

    // Top-down: global weights and indicator gaps; indicators come out in
    // rubric order because competencies are laid out in index order with
    // consecutive ranges.
    for (n, node) in nodes.iter().enumerate() {
        let gw = out.nodes.get(n).map_or(Decimal::ZERO, |g| g.global_weight);
        let parent_precomputed = precomputed.get(n).copied().unwrap_or(false);
        match node.children {
            Children::Nodes { start, end } => {
                let range = start as usize..end as usize;
                let results = scored.nodes.get(range.clone()).unwrap_or_default();
                let all = results
                    .iter()
                    .all(|r| r.status != NodeStatus::NotApplicable);
                let factor = if parent_precomputed && all {
                    None
                } else {
                    let sum: Decimal = results
                        .iter()
                        .zip(nodes.get(range.clone()).unwrap_or_default())
                        .filter(|(r, _)| r.status != NodeStatus::NotApplicable)
                        .map(|(_, c)| c.weight)
                        .sum();
                    Some(if exact::cmp(sum, Decimal::ZERO) == Ordering::Greater {
                        gw / sum
                    } else {
                        Decimal::ZERO
                    })
                };
                for c in range {
                    let applicable = scored
                        .nodes
                        .get(c)
                        .is_some_and(|r| r.status != NodeStatus::NotApplicable);
                    let weight = match factor {
                        None => pre.global_nodes.get(c).copied().unwrap_or_default(),
                        Some(_) if !applicable => Decimal::ZERO,
                        Some(f) => f * nodes.get(c).map_or(Decimal::ZERO, |cn| cn.weight),
                    };
                    if let Some(g) = out.nodes.get_mut(c) {
                        g.global_weight = weight;
                    }
                    if let Some(flag) = precomputed.get_mut(c) {
                        *flag = factor.is_none();
                    }
                }
            }
            Children::Indicators { start, end } => {
                let range = start as usize..end as usize;
                let results = scored.indicators.get(range.clone()).unwrap_or_default();
                let all = results.iter().all(|r| r.is_applicable());
                let factor = if parent_precomputed && all {
                    None
                } else {
                    let sum: Decimal = results
                        .iter()
                        .zip(compiled.get(range.clone()).unwrap_or_default())
                        .filter(|(r, _)| r.is_applicable())
                        .map(|(_, c)| c.weight)
                        .sum();
                    Some(if exact::cmp(sum, Decimal::ZERO) == Ordering::Greater {
                        gw / sum
                    } else {
                        Decimal::ZERO
                    })
                };
                for i in range {
                    let (Some(r), Some(ci)) = (scored.indicators.get(i), compiled.get(i)) else {
                        continue;
                    };
                    let global_weight = match factor {
                        None => pre.global_indicators.get(i).copied().unwrap_or_default(),
                        Some(_) if !r.is_applicable() => Decimal::ZERO,
                        Some(f) => f * ci.weight,
                    };
                    let level = r.level();
                    let gap = level.map(|l| Gap {
                        levels: r.target.0.saturating_sub(l.0),
                        points: pre
                            .gap_points
                            .get(r.target.index() * levels + l.index())
                            .copied()
                            .unwrap_or_default(),
                    });
                    let impact = match (gap, level) {
                        (Some(gap), Some(l)) if gap.levels > 0 => {
                            if factor.is_none() && r.target == ci.target {
                                pre.impacts
                                    .get(i * levels + l.index())
                                    .copied()
                                    .unwrap_or_default()
                            } else {
                                impact(global_weight, gap.points)
                            }
                        }
                        _ => Decimal::ZERO,
                    };
                    out.indicators.push(IndicatorGap {
                        target: r.target,
                        level,
                        gap,
                        global_weight,
                        impact,
                    });
                }
            }
        }
    }

    // Bottom-up: roll gaps up. Σ weights of the children with a gap is the
    // precomputed sum when every child has one (the same additions in the
    // same order), else summed in a second pass.
    for n in (0..nodes.len()).rev() {
        let Some(node) = nodes.get(n) else { continue };
        let mut acc = NodeGap::default();
        let mut sum_wp = Decimal::ZERO;
        let mut with_gap = 0usize;
        match node.children {
            Children::Nodes { start, end } => {
                for c in start..end {
                    let (Some(g), Some(cn)) = (out.nodes.get(c as usize), nodes.get(c as usize))
                    else {
                        continue;
                    };
                    if let Some(p) = g.points {
                        with_gap += 1;
                        sum_wp = exact::add(sum_wp, cn.weight * p);
                    }
                    acc.max_levels = acc.max_levels.max(g.max_levels);
                    acc.below_target += g.below_target;
                    acc.at_target += g.at_target;
                    acc.failed_conditions += g.failed_conditions;
                }
            }
            Children::Indicators { start, end } => {
                for i in start as usize..end as usize {
                    let (Some(g), Some(ci), Some(r)) = (
                        out.indicators.get(i),
                        compiled.get(i),
                        scored.indicators.get(i),
                    ) else {
                        continue;
                    };
                    if let (Some(gap), Some(level)) = (g.gap, g.level) {
                        with_gap += 1;
                        let wp = if g.target == ci.target {
                            pre.weighted_gaps
                                .get(i * levels + level.index())
                                .copied()
                                .unwrap_or_default()
                        } else {
                            ci.weight * gap.points
                        };
                        sum_wp = exact::add(sum_wp, wp);
                        acc.max_levels = acc.max_levels.max(gap.levels);
                        if gap.levels > 0 {
                            acc.below_target += 1;
                        } else {
                            acc.at_target += 1;
                        }
                    }
                    if r.condition == Some(Condition::Failed) {
                        acc.failed_conditions += 1;
                    }
                }
            }
        }
        let children = match node.children {
            Children::Nodes { start, end } | Children::Indicators { start, end } => {
                end.saturating_sub(start) as usize
            }
        };
        let sum_w = if with_gap == 0 {
            Decimal::ZERO
        } else if with_gap == children {
            pre.child_weights.get(n).copied().unwrap_or_default()
        } else {
            weights_with_gap(rubric, node.children, out)
        };
        if exact::cmp(sum_w, Decimal::ZERO) == Ordering::Greater {
            acc.points = Some(sum_wp / sum_w);
        }
        if let Some(g) = out.nodes.get_mut(n) {
            acc.global_weight = g.global_weight;
            *g = acc;
        }
    }

    // The ranking.
    let count = out
        .indicators
        .iter()
        .zip(&scored.indicators)
        .filter(|(g, r)| {
            r.condition == Some(Condition::Failed) || g.gap.is_some_and(|gap| gap.levels > 0)
        })
        .count();
    out.priorities.reserve(count);
    for (i, (g, r)) in out.indicators.iter().zip(&scored.indicators).enumerate() {
        let failed = r.condition == Some(Condition::Failed);
        let below = g.gap.filter(|gap| gap.levels > 0);
        if !failed && below.is_none() {
            continue;
        }
        let ci = compiled.get(i);
        let impact = g.impact;
        let reasons = Reasons {
            failed: failed.then(|| {
                let level = match r.status {
                    Status::Level(l) => Some(l),
                    _ => None,
                };
                (ci.map_or(LevelIx(0), |c| c.minimum), level)
            }),
            below: below
                .zip(g.level)
                .map(|(gap, level)| (level, g.target, gap)),
            global_weight: g.global_weight,
            impact,
            no_information: r.status == Status::NoInformation,
            disagreement: r.flags.contains(Flags::DISAGREEMENT).then_some(r.spread),
        };
        out.priorities.push(Priority {
            indicator: IndicatorIx(i as u32),
            failed_condition: failed,
            impact,
            reasons,
        });
    }
    // Impacts are rounded to 18 decimals (see `impact`), so equal impacts
    // tie and rubric order, not arithmetic noise, breaks the tie. The key
    // is total (indices are unique), so the order does not depend on the
    // sort; impacts are turned into integer keys once, not at every
    // comparison.
    sort_priorities(&mut out.priorities);
    Ok(())
}

/// Sorts priorities (given in rubric order) by failed condition first,
/// then impact, largest first, then rubric order.
///
/// Up to 64 entries whose impacts are integers at 18 decimal places below
/// 2⁹⁵ (impacts are at most 100) are sorted as single 128-bit keys on the
/// stack: not failed (1 bit), 2⁹⁵ − 1 − impact (95 bits), position (32
/// bits); since positions follow rubric order, the order is the same.
/// Otherwise the keys are compared as decimals.
fn sort_priorities(priorities: &mut [Priority]) {
    const SMALL: usize = 64;
    const IMPACT_LIMIT: u128 = 1 << 95;
    let n = priorities.len();
    let mut keys = [0u128; SMALL];
    let packed = n <= SMALL
        && keys
            .iter_mut()
            .zip(priorities.iter())
            .enumerate()
            .all(|(i, (k, p))| match exact::Key18::new(p.impact).integer() {
                Some(v) if (0..IMPACT_LIMIT as i128).contains(&v) => {
                    *k = (u128::from(!p.failed_condition) << 127)
                        | ((IMPACT_LIMIT - 1 - v as u128) << 32)
                        | i as u128;
                    true
                }
                _ => false,
            });
    if !packed {
        priorities.sort_by_cached_key(|p| {
            (
                Reverse(p.failed_condition),
                Reverse(exact::Key18::new(p.impact)),
                p.indicator,
            )
        });
        return;
    }
    let keys = keys.get_mut(..n).unwrap_or_default();
    keys.sort_unstable();
    // Entry `j` takes the one at position `keys[j] & 0xffff_ffff`: follow
    // each cycle of that permutation, marking entries done as it goes.
    let source = |k: u128| (k & 0xffff_ffff) as usize;
    for i in 0..n {
        let Some(first) = keys.get(i).map(|k| source(*k)) else {
            continue;
        };
        if first == i {
            continue;
        }
        let Some(held) = priorities.get(i).copied() else {
            continue;
        };
        let mut j = i;
        while let Some(k) = keys.get_mut(j) {
            let from = source(*k);
            *k = j as u128;
            if from == i {
                if let Some(slot) = priorities.get_mut(j) {
                    *slot = held;
                }
                break;
            }
            let Some(moved) = priorities.get(from).copied() else {
                break;
            };
            if let Some(slot) = priorities.get_mut(j) {
                *slot = moved;
            }
            j = from;
        }
    }
}

/// Σ weights of the children of a node that have a gap (in points), added
/// from zero in child order.
fn weights_with_gap(rubric: &CompiledRubric, children: Children, out: &Gaps) -> Decimal {
    let mut sum = Decimal::ZERO;
    match children {
        Children::Nodes { start, end } => {
            for c in start as usize..end as usize {
                if let (Some(g), Some(cn)) = (out.nodes.get(c), rubric.nodes().get(c))
                    && g.points.is_some()
                {
                    sum += cn.weight;
                }
            }
        }
        Children::Indicators { start, end } => {
            for i in start as usize..end as usize {
                if let (Some(g), Some(ci)) = (out.indicators.get(i), rubric.indicators().get(i))
                    && g.gap.is_some()
                    && g.level.is_some()
                {
                    sum += ci.weight;
                }
            }
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The packed sort (up to 64 entries) and the decimal one (more,
        /// or impacts with more than 18 places) order as the plain
        /// comparison of the ranking does.
        #[test]
        fn priorities_sort_as_the_ranking_says(
            entries in prop::collection::vec((any::<bool>(), 0u8..6), 0..100),
            scale in prop_oneof![Just(2u32), Just(18), Just(24)],
        ) {
            let mut priorities: Vec<Priority> = entries
                .iter()
                .enumerate()
                .map(|(i, (failed, impact))| Priority {
                    indicator: IndicatorIx(i as u32),
                    failed_condition: *failed,
                    // Few distinct impacts, some equal in value but not in
                    // scale, so that ties are common.
                    impact: Decimal::new(i64::from(*impact) * 10_i64.pow(u32::from(i % 2 == 0)), scale),
                    reasons: Reasons::default(),
                })
                .collect();
            let mut expected = priorities.clone();
            expected.sort_by(|a, b| {
                b.failed_condition
                    .cmp(&a.failed_condition)
                    .then_with(|| b.impact.cmp(&a.impact))
                    .then_with(|| a.indicator.cmp(&b.indicator))
            });
            sort_priorities(&mut priorities);
            prop_assert_eq!(priorities, expected);
        }
    }
}
