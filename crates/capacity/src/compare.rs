//! Comparison of many communes assessed on the same rubric version.
//!
//! Ordinal data first, as PEFA and CLEAR ask: for every indicator and every
//! group of communes (national, each region, each cercle) the
//! *distribution* of consolidated levels, with no information (NI, D*),
//! not applicable by rule, not applicable as declared (by consensus or by
//! all raters) and unanswered kept apart ([`IndicatorDistribution`]); and
//! the share of communes at or above the basic level. Then, for every node
//! (overall, domains, competencies), the distribution of grades, the share
//! at or above basic and the quartiles of scores ([`NodeSummary`]). Last,
//! and only on request of a statistic, a ranking ([`Ranking`]).
//!
//! Rules:
//!
//! - **Share at or above basic**, indicator: communes whose consolidated
//!   level is the basic level or higher, out of the communes where the
//!   indicator is applicable and answered (a level or NI); NI counts as
//!   below basic (it scores as the lowest level); not applicable and
//!   unanswered are out of the denominator and counted apart.
//! - **Node grade**: the level band of the node's score (the highest level
//!   whose score is at most the node's score,
//!   [`CompiledRubric::grade_of_score`]); for a weakest-link node that is
//!   the level of its weakest child, for a table node the band of the
//!   row's score (the row's label such as `B+` is not an ordinal level).
//!   Share at or above basic: scored communes whose grade is basic or
//!   higher, out of the scored communes.
//! - **Quartiles**: linear interpolation between closest ranks (type 7,
//!   [`crate::planning::quantile`]) over the scored communes; provisional
//!   results (some indicator unanswered) are included and counted.
//! - **Ranking** ([`rank`]): on one stated statistic (the overall score by
//!   default, or a node's score), *competition ranking* "1224": communes
//!   whose scores are equal once rounded to one decimal, as displayed
//!   ([`crate::format::score`]), share a rank and the next rank skips;
//!   within a tie, communes are listed by id. Communes without a score are
//!   listed as unranked. Each entry also has its rank within its region.
//!   [`RankingMethod::describe`] states the method next to the ranking.
//!
//! Every input is checked: each result must come from the rubric given, and
//! each commune appear once (see [`crate::planning`]). Cost: one pass over
//! the communes' indicators and nodes, counts per cercle summed into
//! regions and the nation, and one sort of scores per node and group; no
//! allocation per commune per indicator.
//!
//! This module reads the core's results; it must not depend on `plan`,
//! `reform` or `grants`.

use crate::compiled::{CompiledRubric, IndicatorIx, LevelIx, NodeIx, ROOT};
use crate::planning::{CommuneResult, Group, Layout, PlanningErrors, Quartiles, Share};
use crate::score::{Flags, NodeStatus, NotApplicableBy, Status};
use crate::text::Lang;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// Decimals to which scores are rounded before ranking: the precision the
/// front ends display, so that two communes shown with the same score share
/// their rank.
pub const RANK_DECIMALS: u32 = 1;

/// The comparison of many communes (see the module docs).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, example, format, Lang};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let a = capacity::Assessment::from_toml(example::ASSESSMENT)?;
/// let mut b = a.clone();
/// b.commune.id = "ml-autre".into();
/// b.commune.region = "Mopti".into();
/// let scored_a = capacity::score(&rubric, &rubric.resolve(&a)?)?;
/// let scored_b = capacity::score(&rubric, &rubric.resolve(&b)?)?;
/// let communes = [CommuneResult::new(&a, &scored_a), CommuneResult::new(&b, &scored_b)];
/// let cmp = capacity::compare(&rubric, &communes)?;
/// let ec = rubric.indicator_ix("ADM-EC-01").expect("known");
/// let d = &cmp.national.indicators[ec.index()];
/// assert_eq!(d.levels, [0, 2, 0, 0]); // both at C
/// println!("{}", format::percent(d.at_or_above_basic.ratio().unwrap_or_default(), Lang::Fr));
/// assert_eq!(cmp.regions.len(), 2);
/// assert_eq!(cmp.ranking.entries[0].rank, cmp.ranking.entries[1].rank); // a tie
/// println!("{}", cmp.ranking.method.describe(&rubric, Lang::Fr));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The basic level.
    pub basic: LevelIx,
    /// How quartiles are computed.
    pub quantiles: QuantileMethod,
    /// All communes given.
    pub national: GroupComparison,
    /// Per region, by name.
    pub regions: Vec<GroupComparison>,
    /// Per cercle, by region then cercle name.
    pub cercles: Vec<GroupComparison>,
    /// Communes ranked by overall score.
    pub ranking: Ranking,
}

/// How quantiles are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QuantileMethod {
    /// Linear interpolation between closest ranks (Hyndman & Fan type 7:
    /// R's default, Excel's `QUARTILE.INC`), exact in decimals.
    #[default]
    Linear,
}

/// The figures of one group of communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupComparison {
    /// The group.
    pub group: Group,
    /// Communes in it.
    pub communes: u32,
    /// Per indicator, in rubric order ([`IndicatorIx`]).
    pub indicators: Vec<IndicatorDistribution>,
    /// Per node ([`NodeIx`]; 0 is the overall index).
    pub nodes: Vec<NodeSummary>,
}

/// How the communes of a group stand on one indicator. The counts add up to
/// the group's communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorDistribution {
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Communes per consolidated level (indexed by [`LevelIx`], lowest
    /// first); NI is not included here.
    pub levels: Vec<u32>,
    /// No information (NI, D*).
    pub no_information: u32,
    /// Not applicable by the rubric's rule (`applies_when`), e.g. a
    /// competence not transferred.
    pub not_applicable_by_rule: u32,
    /// Declared not applicable (by consensus or by every rater).
    pub not_applicable: u32,
    /// Applicable but not answered.
    pub unanswered: u32,
    /// At or above the basic level, out of the answered applicable (levels
    /// and NI).
    pub at_or_above_basic: Share,
}

impl IndicatorDistribution {
    /// The sum of all counts: the number of communes.
    pub fn total(&self) -> u32 {
        self.levels.iter().sum::<u32>()
            + self.no_information
            + self.not_applicable_by_rule
            + self.not_applicable
            + self.unanswered
    }
}

/// How the communes of a group stand on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeSummary {
    /// The node.
    pub node: NodeIx,
    /// Scored communes per grade band (indexed by [`LevelIx`]).
    pub grades: Vec<u32>,
    /// Communes for which the node is not applicable.
    pub not_applicable: u32,
    /// Communes for which every applicable indicator below the node is
    /// unanswered.
    pub unanswered: u32,
    /// Scored communes graded basic or higher, out of the scored.
    pub at_or_above_basic: Share,
    /// Scores of the scored communes.
    pub scores: ScoreSummary,
}

/// Quartiles of the scores of a group on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ScoreSummary {
    /// Communes scored.
    pub scored: u32,
    /// Of which provisional (some indicator below the node unanswered).
    pub provisional: u32,
    /// Minimum, quartiles, median, maximum.
    pub quartiles: Quartiles,
}

/// The statistic a ranking is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RankBy {
    /// The overall score.
    Overall,
    /// A domain's or competency's score.
    Node {
        /// The node.
        node: NodeIx,
    },
}

/// How ranks are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RankScheme {
    /// Standard competition ranking "1224": tied entries share the best
    /// rank, the next rank skips.
    #[default]
    Competition,
}

/// How a ranking was made, to be shown next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RankingMethod {
    /// The statistic.
    pub by: RankBy,
    /// Rank numbering.
    pub scheme: RankScheme,
    /// Scores equal once rounded to this many decimals are ties.
    pub tie_decimals: u32,
}

impl RankingMethod {
    /// The method in words, for display next to the ranking.
    ///
    /// ```
    /// use capacity::{CompiledRubric, Lang, RankBy, RankingMethod, RankScheme, example};
    /// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
    /// let m = RankingMethod { by: RankBy::Overall, scheme: RankScheme::Competition, tie_decimals: 1 };
    /// assert_eq!(
    ///     m.describe(&rubric, Lang::En),
    ///     "Ranked by the overall score (0–100), highest first; scores equal to 1 decimal \
    ///      share a rank and the next rank is skipped (1, 2, 2, 4). Ordinal levels are not \
    ///      measurements: read the level distributions first."
    /// );
    /// # Ok::<(), capacity::Diagnostics>(())
    /// ```
    pub fn describe(&self, rubric: &CompiledRubric, lang: Lang) -> String {
        let d = self.tie_decimals;
        let what = match (self.by, lang) {
            (RankBy::Overall, Lang::Fr) => "le score global".to_owned(),
            (RankBy::Overall, Lang::En) => "the overall score".to_owned(),
            (RankBy::Node { node }, _) => {
                let title = rubric
                    .title(crate::NodeRef::Node(node))
                    .map_or("?", |t| t.get(lang));
                match lang {
                    Lang::Fr => format!("le score « {title} »"),
                    Lang::En => format!("the score “{title}”"),
                }
            }
        };
        match lang {
            Lang::Fr => format!(
                "Classement selon {what} (0–100), du plus élevé au plus bas ; les scores égaux à {d} décimale près partagent un rang et le rang suivant est sauté (1, 2, 2, 4). Des niveaux ordinaux ne sont pas des mesures : lire d'abord les répartitions par niveau."
            ),
            Lang::En => format!(
                "Ranked by {what} (0–100), highest first; scores equal to {d} decimal share a rank and the next rank is skipped (1, 2, 2, 4). Ordinal levels are not measurements: read the level distributions first."
            ),
        }
    }
}

/// Communes ranked on one statistic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ranking {
    /// How the ranking was made.
    pub method: RankingMethod,
    /// Ranked communes, best first; within a tie, by commune id.
    pub entries: Vec<RankEntry>,
    /// Communes without a score on the statistic, by id.
    pub unranked: Vec<String>,
}

/// One commune's place in a ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RankEntry {
    /// The commune id.
    pub commune: String,
    /// Its region.
    pub region: String,
    /// Its cercle.
    pub cercle: String,
    /// Its rank among all communes ranked (1 = best).
    pub rank: u32,
    /// Its rank within its region.
    pub region_rank: u32,
    /// Whether another commune has the same rank.
    pub tied: bool,
    /// The score ranked on, exact.
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    /// The score as compared: rounded to the method's `tie_decimals`.
    #[serde(with = "rust_decimal::serde::str")]
    pub shown: Decimal,
    /// Whether the commune's result is provisional.
    pub provisional: bool,
}

/// Compares `communes`, all scored with `rubric` (see the module docs).
/// Fails, listing every problem, when a result comes from another rubric or
/// a commune appears twice.
pub fn compare(
    rubric: &CompiledRubric,
    communes: &[CommuneResult<'_>],
) -> Result<Comparison, PlanningErrors> {
    let layout = Layout::new(rubric, communes)?;
    let levels = rubric.level_count();
    let n_ind = rubric.indicators().len();
    let n_nodes = rubric.nodes().len();
    let basic = rubric.basic();
    // Counts per cercle: indicators have levels, NI, NA by rule, NA,
    // unanswered; nodes have grades, NA, unanswered, provisional.
    let ind_stride = levels + 4;
    let node_stride = levels + 3;
    let per_cercle_ind = n_ind * ind_stride;
    let per_cercle_node = n_nodes * node_stride;
    let mut ind_counts = vec![0u32; layout.cercles.len() * per_cercle_ind];
    let mut node_counts = vec![0u32; layout.cercles.len() * per_cercle_node];
    for (k, (_, _, range)) in layout.cercles.iter().enumerate() {
        let ind = ind_counts
            .get_mut(k * per_cercle_ind..(k + 1) * per_cercle_ind)
            .unwrap_or_default();
        let nodes = node_counts
            .get_mut(k * per_cercle_node..(k + 1) * per_cercle_node)
            .unwrap_or_default();
        for &c in layout.order.get(range.clone()).unwrap_or_default() {
            let Some(c) = communes.get(c as usize) else {
                continue;
            };
            for (i, r) in c.scored.indicators.iter().enumerate() {
                let slot = match r.status {
                    Status::Level(l) if l.index() < levels => l.index(),
                    Status::Level(_) => continue,
                    Status::NoInformation => levels,
                    Status::NotApplicable(NotApplicableBy::Rule) => levels + 1,
                    Status::NotApplicable(_) => levels + 2,
                    Status::Unanswered => levels + 3,
                };
                if let Some(x) = ind.get_mut(i * ind_stride + slot) {
                    *x += 1;
                }
            }
            for (n, r) in c.scored.nodes.iter().enumerate() {
                let base = n * node_stride;
                let slot = match (r.status, r.score) {
                    (NodeStatus::Scored, Some(s)) => {
                        if r.flags.contains(Flags::PROVISIONAL)
                            && let Some(x) = nodes.get_mut(base + levels + 2)
                        {
                            *x += 1;
                        }
                        rubric.grade_of_score(s).index()
                    }
                    (NodeStatus::NotApplicable, _) => levels,
                    _ => levels + 1,
                };
                if let Some(x) = nodes.get_mut(base + slot) {
                    *x += 1;
                }
            }
        }
    }

    // Regions sum their cercles (cercles are grouped by region, in order);
    // the nation sums the regions.
    let sum_ranges = |counts: &[u32], per: usize, ranges: &mut dyn Iterator<Item = Range>| {
        let mut out = Vec::new();
        for r in ranges {
            let mut acc = vec![0u32; per];
            for k in r {
                for (a, x) in acc
                    .iter_mut()
                    .zip(counts.get(k * per..(k + 1) * per).unwrap_or_default())
                {
                    *a += x;
                }
            }
            out.push(acc);
        }
        out
    };
    let mut region_cercles = Vec::with_capacity(layout.regions.len());
    let mut k = 0;
    for (region, _) in &layout.regions {
        let start = k;
        while layout.cercles.get(k).is_some_and(|(r, _, _)| r == region) {
            k += 1;
        }
        region_cercles.push(start..k);
    }
    let all = 0..layout.cercles.len();
    let region_ind = sum_ranges(
        &ind_counts,
        per_cercle_ind,
        &mut region_cercles.iter().cloned(),
    );
    let region_node = sum_ranges(
        &node_counts,
        per_cercle_node,
        &mut region_cercles.iter().cloned(),
    );
    let national_ind = sum_ranges(
        &ind_counts,
        per_cercle_ind,
        &mut std::iter::once(all.clone()),
    );
    let national_node = sum_ranges(&node_counts, per_cercle_node, &mut std::iter::once(all));

    // Quartiles per group and node (group-major: the nation, the regions,
    // then the cercles): each node's scores are sorted once, nationally,
    // then dealt out in order to their region and cercle.
    let n_regions = layout.regions.len();
    let mut region_of = vec![0usize; communes.len()];
    let mut cercle_of = vec![0usize; communes.len()];
    for (k, (_, range)) in layout.regions.iter().enumerate() {
        for slot in region_of.get_mut(range.clone()).unwrap_or_default() {
            *slot = k;
        }
    }
    for (k, (_, _, range)) in layout.cercles.iter().enumerate() {
        for slot in cercle_of.get_mut(range.clone()).unwrap_or_default() {
            *slot = n_regions + k;
        }
    }
    let n_groups = 1 + n_regions + layout.cercles.len();
    let mut quartiles = vec![Quartiles::default(); n_groups * n_nodes];
    let mut sorted: Vec<(i128, u32, Decimal)> = Vec::with_capacity(communes.len());
    let mut buckets: Vec<Vec<Decimal>> = vec![Vec::new(); n_groups - 1];
    let mut all: Vec<Decimal> = Vec::with_capacity(communes.len());
    for n in 0..n_nodes {
        sorted.clear();
        for (pos, &c) in layout.order.iter().enumerate() {
            if let Some(score) = communes
                .get(c as usize)
                .and_then(|c| c.scored.nodes.get(n))
                .filter(|r| r.status == NodeStatus::Scored)
                .and_then(|r| r.score)
            {
                sorted.push((sort_key(score).unwrap_or(i128::MAX), pos as u32, score));
            }
        }
        sort_scores(&mut sorted);
        buckets.iter_mut().for_each(Vec::clear);
        all.clear();
        for &(_, pos, score) in &sorted {
            all.push(score);
            for g in [region_of.get(pos as usize), cercle_of.get(pos as usize)]
                .into_iter()
                .flatten()
            {
                if let Some(b) = buckets.get_mut(*g) {
                    b.push(score);
                }
            }
        }
        if let Some(q) = quartiles.get_mut(n) {
            *q = Quartiles::of_sorted(&all);
        }
        for (g, b) in buckets.iter().enumerate() {
            if let Some(q) = quartiles.get_mut((1 + g) * n_nodes + n) {
                *q = Quartiles::of_sorted(b);
            }
        }
    }
    let group =
        |group: Group, g: usize, communes: usize, ind: &[u32], nodes: &[u32]| -> GroupComparison {
            let indicators = (0..n_ind)
                .map(|i| {
                    let c = ind
                        .get(i * ind_stride..(i + 1) * ind_stride)
                        .unwrap_or_default();
                    let at = |s: usize| c.get(s).copied().unwrap_or(0);
                    let lv = c.get(..levels).unwrap_or_default();
                    let answered = lv.iter().sum::<u32>() + at(levels);
                    let above = lv.get(basic.index()..).unwrap_or_default().iter().sum();
                    IndicatorDistribution {
                        indicator: IndicatorIx(i as u32),
                        levels: lv.to_vec(),
                        no_information: at(levels),
                        not_applicable_by_rule: at(levels + 1),
                        not_applicable: at(levels + 2),
                        unanswered: at(levels + 3),
                        at_or_above_basic: Share::new(above, answered),
                    }
                })
                .collect();
            let nodes = (0..n_nodes)
                .map(|n| {
                    let c = nodes
                        .get(n * node_stride..(n + 1) * node_stride)
                        .unwrap_or_default();
                    let at = |s: usize| c.get(s).copied().unwrap_or(0);
                    let grades = c.get(..levels).unwrap_or_default();
                    let scored = grades.iter().sum::<u32>();
                    let above = grades.get(basic.index()..).unwrap_or_default().iter().sum();
                    NodeSummary {
                        node: NodeIx(n as u32),
                        grades: grades.to_vec(),
                        not_applicable: at(levels),
                        unanswered: at(levels + 1),
                        at_or_above_basic: Share::new(above, scored),
                        scores: ScoreSummary {
                            scored,
                            provisional: at(levels + 2),
                            quartiles: quartiles.get(g * n_nodes + n).copied().unwrap_or_default(),
                        },
                    }
                })
                .collect();
            GroupComparison {
                group,
                communes: communes as u32,
                indicators,
                nodes,
            }
        };

    let national = group(
        Group::National,
        0,
        communes.len(),
        national_ind.first().map_or(&[][..], Vec::as_slice),
        national_node.first().map_or(&[][..], Vec::as_slice),
    );
    let regions = layout
        .regions
        .iter()
        .zip(region_ind.iter().zip(&region_node))
        .enumerate()
        .map(|(k, ((name, range), (ind, nodes)))| {
            group(
                Group::Region {
                    region: (*name).to_owned(),
                },
                1 + k,
                range.len(),
                ind,
                nodes,
            )
        })
        .collect();
    let cercles = layout
        .cercles
        .iter()
        .enumerate()
        .map(|(k, (region, cercle, range))| {
            group(
                Group::Cercle {
                    region: (*region).to_owned(),
                    cercle: (*cercle).to_owned(),
                },
                1 + n_regions + k,
                range.len(),
                ind_counts
                    .get(k * per_cercle_ind..(k + 1) * per_cercle_ind)
                    .unwrap_or_default(),
                node_counts
                    .get(k * per_cercle_node..(k + 1) * per_cercle_node)
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(Comparison {
        rubric: rubric.key().to_owned(),
        basic,
        quantiles: QuantileMethod::Linear,
        national,
        regions,
        cercles,
        ranking: ranking(communes, RankBy::Overall),
    })
}

type Range = std::ops::Range<usize>;

/// An exact integer key for ordering a score: its value × 10²⁸ (every
/// decimal has at most 28 decimal places), when that fits in 128 bits —
/// always for scores in 0–100. Comparing these keys is much cheaper than
/// comparing decimals of different scales.
fn sort_key(d: Decimal) -> Option<i128> {
    10i128
        .checked_pow(28u32.checked_sub(d.scale())?)
        .and_then(|f| d.mantissa().checked_mul(f))
}

/// Sorts `(key, position, score)` by score, then position (so that the
/// order does not depend on the input's), with the integer keys when all
/// are exact (`i128::MAX` marks a key that did not fit).
fn sort_scores(v: &mut [(i128, u32, Decimal)]) {
    if v.iter().all(|e| e.0 != i128::MAX) {
        v.sort_unstable_by_key(|e| (e.0, e.1));
    } else {
        v.sort_unstable_by(|a, b| a.2.cmp(&b.2).then(a.1.cmp(&b.1)));
    }
}

/// Ranks `communes`, all scored with `rubric`, on `by` (see the module
/// docs: competition ranking "1224" on scores rounded to
/// [`RANK_DECIMALS`]).
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, RankBy, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (a, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let node = rubric.node_ix("administration").expect("known");
/// let r = capacity::rank(&rubric, &[CommuneResult::new(&a, &scored)], RankBy::Node { node })?;
/// assert_eq!((r.entries[0].rank, r.entries[0].tied), (1, false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rank(
    rubric: &CompiledRubric,
    communes: &[CommuneResult<'_>],
    by: RankBy,
) -> Result<Ranking, PlanningErrors> {
    Layout::new(rubric, communes)?;
    Ok(ranking(communes, by))
}

/// The ranking of checked communes.
fn ranking(communes: &[CommuneResult<'_>], by: RankBy) -> Ranking {
    let node = match by {
        RankBy::Overall => ROOT,
        RankBy::Node { node } => node,
    };
    let mut ranked: Vec<(Decimal, Decimal, usize)> = Vec::with_capacity(communes.len());
    let mut unranked = Vec::new();
    for (i, c) in communes.iter().enumerate() {
        let score = c
            .scored
            .nodes
            .get(node.index())
            .filter(|r| r.status == NodeStatus::Scored)
            .and_then(|r| r.score);
        match score {
            Some(s) => ranked.push((
                s.round_dp_with_strategy(RANK_DECIMALS, RoundingStrategy::MidpointAwayFromZero),
                s,
                i,
            )),
            None => unranked.push(c.commune.id.clone()),
        }
    }
    unranked.sort_unstable();
    let id = |i: usize| communes.get(i).map_or("", |c| c.commune.id.as_str());
    ranked.sort_unstable_by(|a, b| (Reverse(a.0), id(a.2)).cmp(&(Reverse(b.0), id(b.2))));
    let mut entries: Vec<RankEntry> = Vec::with_capacity(ranked.len());
    for (pos, &(shown, score, i)) in ranked.iter().enumerate() {
        let rank = match (
            pos.checked_sub(1).and_then(|p| ranked.get(p)),
            entries.last(),
        ) {
            (Some(prev), Some(e)) if prev.0 == shown => e.rank,
            _ => pos as u32 + 1,
        };
        let tied = ranked
            .get(pos.wrapping_sub(1))
            .is_some_and(|p| p.0 == shown)
            || ranked.get(pos + 1).is_some_and(|p| p.0 == shown);
        let Some(c) = communes.get(i) else { continue };
        entries.push(RankEntry {
            commune: c.commune.id.clone(),
            region: c.commune.region.clone(),
            cercle: c.commune.cercle.clone(),
            rank,
            region_rank: 0,
            tied,
            score,
            shown,
            provisional: c
                .scored
                .nodes
                .get(node.index())
                .is_some_and(|r| r.flags.contains(Flags::PROVISIONAL)),
        });
    }
    // Ranks within regions: the same walk over entries grouped by region.
    let mut by_region: Vec<usize> = (0..entries.len()).collect();
    by_region.sort_by(|a, b| {
        let key = |e: usize| entries.get(e).map(|x| x.region.as_str());
        key(*a).cmp(&key(*b)).then(a.cmp(b))
    });
    let (mut current, mut pos, mut last): (Option<&str>, u32, Option<(Decimal, u32)>) =
        (None, 0, None);
    let mut region_ranks = vec![0u32; entries.len()];
    for &e in &by_region {
        let Some(entry) = entries.get(e) else {
            continue;
        };
        if current != Some(entry.region.as_str()) {
            current = Some(entry.region.as_str());
            pos = 0;
            last = None;
        }
        pos += 1;
        let r = match last {
            Some((shown, r)) if shown == entry.shown => r,
            _ => pos,
        };
        last = Some((entry.shown, r));
        if let Some(slot) = region_ranks.get_mut(e) {
            *slot = r;
        }
    }
    for (e, r) in entries.iter_mut().zip(region_ranks) {
        e.region_rank = r;
    }
    Ranking {
        method: RankingMethod {
            by,
            scheme: RankScheme::Competition,
            tie_decimals: RANK_DECIMALS,
        },
        entries,
        unranked,
    }
}

#[cfg(test)]
mod tests;
