//! Decentralisation reform needs: which competencies communes cannot yet
//! exercise, nationally and per region, and what closing the gaps costs.
//!
//! One summary structure, [`ReformNeeds`], that the app and the reports
//! render. For every group (national, then each region) and every
//! competency of the rubric ([`CompetencyNeed`]), each commune falls in
//! exactly one of five cases:
//!
//! - *at or above basic*: the competency is scored and its grade (the level
//!   band of its score, [`CompiledRubric::grade_of_score`]) is the basic
//!   level or higher;
//! - *below basic*: scored, graded below the basic level;
//! - *not applicable by rule*: every indicator of the competency is not
//!   applicable by the rubric's `applies_when` (typically a competence not
//!   transferred to the commune: `applies_when.transferred`);
//! - *declared not applicable*: not applicable otherwise (by consensus or
//!   by the raters);
//! - *unanswered*: every applicable indicator is unanswered.
//!
//! Rankings of competencies, within each group:
//!
//! - **by share below basic**: below basic out of scored, largest first;
//!   shares are compared exactly (cross-multiplied counts); equal shares
//!   share a rank (competition ranking "1224"); competencies no commune of
//!   the group has scored come last, unranked; ties are listed in rubric
//!   order;
//! - **by costed gap**: the cost in FCFA of the rubric's actions that take
//!   every indicator of the competency from its level to its goal, summed
//!   over the communes (see [`crate::planning`] for goals and uncosted
//!   steps): the sum of the communes' action plans ([`crate::ActionPlan`]),
//!   adjusted by their councils' decisions where they carry some
//!   ([`CommuneResult::plan`]: dropped actions left out, costs overridden,
//!   the councils' own actions added), so it agrees with the plan pages;
//!   largest first, same ranking rules.
//!
//! **Transfers not yet effective** ([`CompetencyNeed::transfer_not_effective`]):
//! a competency is flagged in a group when the communes that *cannot
//! exercise* it — not applicable by rule, or below basic — are strictly more
//! than [`ReformRules::majority`] (default ½) of the communes whose case is
//! known (all but the unanswered and the declared not applicable).
//!
//! The rubric's transferable competences (the ids named by
//! `applies_when.transferred`, e.g. `education`, `sante`, `hydraulique`)
//! get the same reading in [`TransferNeed`]: per commune, *not transferred*
//! when its `transferred` list lacks the id; else *below basic* when the
//! weakest answered indicator governed by the id is below basic (a
//! competence is exercised only when all its parts are, as in PEFA's
//! weakest link), *at or above basic* when it is not, *undetermined* when
//! none is answered; flagged by the same majority rule.
//!
//! Cost: one pass over the communes' competencies and indicators with
//! precomputed step costs (constant time per indicator) and no allocation
//! per commune, except the plan of a commune whose council decided about
//! it (built once, with [`ActionPlan::new`]). This module reads the core's results; it must not depend on
//! `compare` or `grants`.

use crate::compiled::{Children, CompiledRubric, IndicatorIx, LevelIx, NodeIx, NodeKind, ROOT};
use crate::plan::ActionPlan;
use crate::planning::{
    CommuneResult, Group, Layout, PlanningError, PlanningErrors, Share, StepCosts, level_and_goal,
};
use crate::score::{NodeStatus, NotApplicableBy, Status};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};

/// The rules of the reform-needs reading (every field has a default, so
/// `{}` reads as the defaults).
///
/// ```
/// let rules: capacity::ReformRules = serde_json::from_str(r#"{"majority": "0.6"}"#)?;
/// assert_eq!(rules.majority, rust_decimal::Decimal::new(6, 1));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReformRules {
    /// A competency is flagged as a transfer not yet effective when the
    /// share of communes that cannot exercise it is strictly greater than
    /// this fraction (0–1, default ½).
    #[serde(with = "rust_decimal::serde::str")]
    pub majority: Decimal,
}

impl Default for ReformRules {
    fn default() -> Self {
        Self {
            majority: Decimal::new(5, 1),
        }
    }
}

/// Reform needs of a set of communes (see the module docs).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, ReformRules, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (a, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let needs = capacity::reform_needs(&rubric, &[CommuneResult::new(&a, &scored)], &ReformRules::default())?;
/// let first = needs.national.by_share_below_basic[0];
/// println!("most often below basic: {}", rubric.node_path(first));
/// for c in &needs.national.transfers_not_effective {
///     println!("transfer not yet effective: {}", rubric.node_path(*c));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReformNeeds {
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The basic level.
    pub basic: LevelIx,
    /// The rules applied.
    pub rules: ReformRules,
    /// All communes given.
    pub national: ReformGroup,
    /// Per region, by name.
    pub regions: Vec<ReformGroup>,
}

/// Reform needs within one group of communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReformGroup {
    /// The group.
    pub group: Group,
    /// Communes in it.
    pub communes: u32,
    /// Per competency, in rubric order.
    pub competencies: Vec<CompetencyNeed>,
    /// Competencies by share of communes below basic, largest first.
    pub by_share_below_basic: Vec<NodeIx>,
    /// Competencies by costed gap, largest first.
    pub by_costed_gap: Vec<NodeIx>,
    /// Competencies flagged as transfers not yet effective, in rubric
    /// order.
    pub transfers_not_effective: Vec<NodeIx>,
    /// Per transferable competence named by the rubric, by id.
    pub transfers: Vec<TransferNeed>,
    /// The costed gap of all competencies, in FCFA.
    #[serde(with = "rust_decimal::serde::str")]
    pub costed_gap: Decimal,
    /// Steps toward the goals with no action in the rubric, over all
    /// communes (not in the costed gap).
    pub uncosted_steps: u32,
}

/// How the communes of a group stand on one competency. The five counts
/// add up to the group's communes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompetencyNeed {
    /// The competency.
    pub competency: NodeIx,
    /// Its domain.
    pub domain: NodeIx,
    /// Scored at or above basic.
    pub at_or_above_basic: u32,
    /// Scored below basic.
    pub below_basic: u32,
    /// Not applicable by the rubric's rule (e.g. competence not
    /// transferred).
    pub not_applicable_by_rule: u32,
    /// Declared not applicable.
    pub not_applicable: u32,
    /// Unanswered.
    pub unanswered: u32,
    /// Below basic, out of the scored.
    pub share_below_basic: Share,
    /// Not applicable by rule or below basic, out of all but the unanswered
    /// and the declared not applicable.
    pub cannot_exercise: Share,
    /// Whether `cannot_exercise` exceeds the majority rule.
    pub transfer_not_effective: bool,
    /// Rank by share below basic (competition ranking; `None` when no
    /// commune of the group is scored on it).
    pub rank_by_share: Option<u32>,
    /// The cost in FCFA of the actions toward the goals, summed over the
    /// communes.
    #[serde(with = "rust_decimal::serde::str")]
    pub costed_gap: Decimal,
    /// Rank by costed gap (competition ranking).
    pub rank_by_cost: u32,
    /// Communes with some indicator of the competency below its goal.
    pub communes_with_gap: u32,
    /// Steps toward the goals with no action in the rubric.
    pub uncosted_steps: u32,
}

/// How the communes of a group stand on one transferable competence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TransferNeed {
    /// The competence id (as in `applies_when.transferred` and
    /// `commune.transferred`).
    pub competence: String,
    /// The indicators it governs, in rubric order.
    pub indicators: Vec<IndicatorIx>,
    /// Communes without the competence in their `transferred` list.
    pub not_transferred: u32,
    /// Transferred, weakest answered indicator below basic.
    pub below_basic: u32,
    /// Transferred, every answered indicator at or above basic.
    pub at_or_above_basic: u32,
    /// Transferred, no indicator answered.
    pub undetermined: u32,
    /// Not transferred or below basic, out of all but the undetermined.
    pub cannot_exercise: Share,
    /// Whether `cannot_exercise` exceeds the majority rule.
    pub not_effective: bool,
}

/// A competency of the rubric and the indicators under it.
struct CompetencyInfo {
    node: NodeIx,
    domain: NodeIx,
    indicators: std::ops::Range<u32>,
}

/// Running counts of one competency in one group.
#[derive(Clone, Copy, Default)]
struct Acc {
    above: u32,
    below: u32,
    by_rule: u32,
    declared: u32,
    unanswered: u32,
    cost: Decimal,
    with_gap: u32,
    uncosted: u32,
}

/// Running counts of one transferable competence in one group.
#[derive(Clone, Copy, Default)]
struct TransferAcc {
    not_transferred: u32,
    below: u32,
    above: u32,
    undetermined: u32,
}

/// The reform needs of `communes`, all scored with `rubric` (see the
/// module docs). Fails, listing every problem, when a result comes from
/// another rubric, a commune appears twice, or the majority is not a
/// fraction in 0–1.
pub fn reform_needs(
    rubric: &CompiledRubric,
    communes: &[CommuneResult<'_>],
    rules: &ReformRules,
) -> Result<ReformNeeds, PlanningErrors> {
    let majority_ok = (Decimal::ZERO..=Decimal::ONE).contains(&rules.majority);
    let layout = match Layout::new(rubric, communes) {
        Ok(layout) if majority_ok => layout,
        Ok(_) => {
            return Err(PlanningError::InvalidShare {
                share: rules.majority,
            }
            .into());
        }
        Err(mut e) => {
            if !majority_ok {
                e.0.push(PlanningError::InvalidShare {
                    share: rules.majority,
                });
            }
            return Err(e);
        }
    };
    let basic = rubric.basic();
    let costs = StepCosts::new(rubric);
    let competencies: Vec<CompetencyInfo> = rubric
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Competency)
        .filter_map(|(i, n)| match n.children {
            Children::Indicators { start, end } => Some(CompetencyInfo {
                node: NodeIx(i as u32),
                domain: n.parent.unwrap_or(ROOT),
                indicators: start..end,
            }),
            Children::Nodes { .. } => None,
        })
        .collect();
    // Transferable competences, by id, with the indicators they govern.
    let mut transfers: Vec<(&str, Vec<IndicatorIx>)> = Vec::new();
    for i in 0..rubric.indicators().len() {
        let ix = IndicatorIx(i as u32);
        let Some(t) = rubric
            .indicator_source(ix)
            .and_then(|s| s.applies_when.as_ref())
            .and_then(|w| w.transferred.as_deref())
        else {
            continue;
        };
        match transfers.binary_search_by(|(id, _)| (*id).cmp(t)) {
            Ok(k) => {
                if let Some((_, list)) = transfers.get_mut(k) {
                    list.push(ix);
                }
            }
            Err(k) => transfers.insert(k, (t, vec![ix])),
        }
    }

    let nc = competencies.len();
    let nt = transfers.len();
    let mut acc = vec![Acc::default(); layout.regions.len() * nc];
    let mut tacc = vec![TransferAcc::default(); layout.regions.len() * nt];
    for (g, (_, range)) in layout.regions.iter().enumerate() {
        for &c in layout.order.get(range.clone()).unwrap_or_default() {
            let Some(c) = communes.get(c as usize) else {
                continue;
            };
            let s = c.scored;
            // A commune whose council decided about its plan: its costs
            // are those of its adjusted plan (dropped actions out, costs
            // overridden, its own actions in), the one plan of every page.
            let adjusted = if c.plan.is_empty() {
                None
            } else {
                Some(ActionPlan::new(rubric, c)?)
            };
            for (k, info) in competencies.iter().enumerate() {
                let Some(a) = acc.get_mut(g * nc + k) else {
                    continue;
                };
                match s.nodes.get(info.node.index()).map(|r| (r.status, r.score)) {
                    Some((NodeStatus::Scored, Some(score))) => {
                        if rubric.grade_of_score(score) >= basic {
                            a.above += 1;
                        } else {
                            a.below += 1;
                        }
                    }
                    Some((NodeStatus::NotApplicable, _)) => {
                        let by_rule = info.indicators.clone().all(|i| {
                            s.indicators.get(i as usize).is_some_and(|r| {
                                r.status == Status::NotApplicable(NotApplicableBy::Rule)
                            })
                        });
                        if by_rule {
                            a.by_rule += 1;
                        } else {
                            a.declared += 1;
                        }
                    }
                    _ => a.unanswered += 1,
                }
                let mut gap = false;
                for i in info.indicators.clone() {
                    let ix = IndicatorIx(i);
                    let Some(r) = s.indicators.get(i as usize) else {
                        continue;
                    };
                    if let Some((level, goal)) = level_and_goal(rubric, ix, r)
                        && goal > level
                    {
                        gap = true;
                        let (cost, uncosted) = costs.between(ix, level, goal);
                        if adjusted.is_none() {
                            a.cost = a.cost.saturating_add(cost);
                        }
                        a.uncosted = a.uncosted.saturating_add(uncosted);
                    }
                }
                if let Some(plan) = &adjusted
                    && let Some(t) = plan
                        .totals
                        .by_competency
                        .iter()
                        .find(|t| t.node == info.node)
                {
                    a.cost = a.cost.saturating_add(t.totals.cost);
                }
                a.with_gap += u32::from(gap);
            }
            for (k, (id, indicators)) in transfers.iter().enumerate() {
                let Some(t) = tacc.get_mut(g * nt + k) else {
                    continue;
                };
                if !c.commune.transferred.iter().any(|x| x == id) {
                    t.not_transferred += 1;
                    continue;
                }
                let weakest = indicators
                    .iter()
                    .filter_map(|i| s.indicators.get(i.index()).and_then(|r| r.level()))
                    .min();
                match weakest {
                    None => t.undetermined += 1,
                    Some(l) if l < basic => t.below += 1,
                    Some(_) => t.above += 1,
                }
            }
        }
    }

    let mut national = vec![Acc::default(); nc];
    let mut tnational = vec![TransferAcc::default(); nt];
    for (k, a) in acc.iter().enumerate() {
        if let Some(n) = national.get_mut(k % nc.max(1)) {
            n.above += a.above;
            n.below += a.below;
            n.by_rule += a.by_rule;
            n.declared += a.declared;
            n.unanswered += a.unanswered;
            n.cost = n.cost.saturating_add(a.cost);
            n.with_gap += a.with_gap;
            n.uncosted = n.uncosted.saturating_add(a.uncosted);
        }
    }
    for (k, a) in tacc.iter().enumerate() {
        if let Some(n) = tnational.get_mut(k % nt.max(1)) {
            n.not_transferred += a.not_transferred;
            n.below += a.below;
            n.above += a.above;
            n.undetermined += a.undetermined;
        }
    }

    let group = |group: Group, n: usize, acc: &[Acc], tacc: &[TransferAcc]| {
        build_group(group, n, &competencies, &transfers, acc, tacc, rules)
    };
    let national = group(Group::National, communes.len(), &national, &tnational);
    let regions = layout
        .regions
        .iter()
        .enumerate()
        .map(|(g, (name, range))| {
            group(
                Group::Region {
                    region: (*name).to_owned(),
                },
                range.len(),
                acc.get(g * nc..(g + 1) * nc).unwrap_or_default(),
                tacc.get(g * nt..(g + 1) * nt).unwrap_or_default(),
            )
        })
        .collect();
    Ok(ReformNeeds {
        rubric: rubric.key().to_owned(),
        basic,
        rules: *rules,
        national,
        regions,
    })
}

fn build_group(
    group: Group,
    communes: usize,
    competencies: &[CompetencyInfo],
    transfers: &[(&str, Vec<IndicatorIx>)],
    acc: &[Acc],
    tacc: &[TransferAcc],
    rules: &ReformRules,
) -> ReformGroup {
    let mut needs: Vec<CompetencyNeed> = competencies
        .iter()
        .zip(acc)
        .map(|(info, a)| {
            let cannot = Share::new(a.below + a.by_rule, a.above + a.below + a.by_rule);
            CompetencyNeed {
                competency: info.node,
                domain: info.domain,
                at_or_above_basic: a.above,
                below_basic: a.below,
                not_applicable_by_rule: a.by_rule,
                not_applicable: a.declared,
                unanswered: a.unanswered,
                share_below_basic: Share::new(a.below, a.above + a.below),
                cannot_exercise: cannot,
                transfer_not_effective: cannot.exceeds(rules.majority),
                rank_by_share: None,
                costed_gap: a.cost,
                rank_by_cost: 0,
                communes_with_gap: a.with_gap,
                uncosted_steps: a.uncosted,
            }
        })
        .collect();
    // Rankings: positions into `needs`, stable sorts keep rubric order for ties.
    let mut by_share: Vec<usize> = (0..needs.len()).collect();
    let share = |k: usize| {
        needs
            .get(k)
            .map(|n| n.share_below_basic)
            .unwrap_or_default()
    };
    by_share.sort_by(|a, b| share(*b).cmp_ratio(share(*a)));
    let mut by_cost: Vec<usize> = (0..needs.len()).collect();
    let cost = |k: usize| needs.get(k).map_or(Decimal::ZERO, |n| n.costed_gap);
    by_cost.sort_by_key(|k| Reverse(cost(*k)));
    let share_ranks = competition(&by_share, |a, b| share(a).cmp_ratio(share(b)));
    let cost_ranks = competition(&by_cost, |a, b| cost(a).cmp(&cost(b)));
    for (&k, r) in by_share.iter().zip(share_ranks) {
        if let Some(n) = needs.get_mut(k) {
            n.rank_by_share = (n.share_below_basic.of > 0).then_some(r);
        }
    }
    for (&k, r) in by_cost.iter().zip(cost_ranks) {
        if let Some(n) = needs.get_mut(k) {
            n.rank_by_cost = r;
        }
    }
    let ix = |k: &usize| needs.get(*k).map(|n| n.competency);
    let by_share_below_basic = by_share.iter().filter_map(ix).collect();
    let by_costed_gap = by_cost.iter().filter_map(ix).collect();
    let transfers_not_effective = needs
        .iter()
        .filter(|n| n.transfer_not_effective)
        .map(|n| n.competency)
        .collect();
    let costed_gap = needs
        .iter()
        .fold(Decimal::ZERO, |s, n| s.saturating_add(n.costed_gap));
    let uncosted_steps = needs
        .iter()
        .fold(0u32, |s, n| s.saturating_add(n.uncosted_steps));
    let transfers = transfers
        .iter()
        .zip(tacc)
        .map(|((id, indicators), t)| {
            let cannot = Share::new(
                t.not_transferred + t.below,
                t.not_transferred + t.below + t.above,
            );
            TransferNeed {
                competence: (*id).to_owned(),
                indicators: indicators.clone(),
                not_transferred: t.not_transferred,
                below_basic: t.below,
                at_or_above_basic: t.above,
                undetermined: t.undetermined,
                cannot_exercise: cannot,
                not_effective: cannot.exceeds(rules.majority),
            }
        })
        .collect();
    ReformGroup {
        group,
        communes: communes as u32,
        competencies: needs,
        by_share_below_basic,
        by_costed_gap,
        transfers_not_effective,
        transfers,
        costed_gap,
        uncosted_steps,
    }
}

/// Competition ranks ("1224") of items already sorted best first, where
/// `cmp(a, b) == Equal` marks a tie.
fn competition(sorted: &[usize], cmp: impl Fn(usize, usize) -> Ordering) -> Vec<u32> {
    let mut ranks: Vec<u32> = Vec::with_capacity(sorted.len());
    for (pos, &k) in sorted.iter().enumerate() {
        let rank = match (pos.checked_sub(1).and_then(|p| sorted.get(p)), ranks.last()) {
            (Some(&prev), Some(&r)) if cmp(prev, k) == Ordering::Equal => r,
            _ => pos as u32 + 1,
        };
        ranks.push(rank);
    }
    ranks
}

#[cfg(test)]
mod tests;
