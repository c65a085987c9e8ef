//! Shared ground of planning and comparison: the per-commune input record,
//! exact shares and quantiles, grouping by region and cercle, the costed
//! steps of the rubric's actions, and the error type of the planning
//! modules ([`crate::plan`], [`crate::compare`](mod@crate::compare),
//! [`crate::progress`](mod@crate::progress),
//! [`crate::reform`], [`crate::grants`]).
//!
//! Functions over many communes take a slice of [`CommuneResult`]: a
//! borrowed view of an assessment that has already been scored, so that a
//! caller holding 703 [`Scored`] results never scores twice.
//!
//! Rules stated once for all the planning modules:
//!
//! - **Shares** ([`Share`]) keep their counts: `count` out of `of`; the
//!   ratio is an exact [`Decimal`] division, and shares are *ordered*
//!   exactly by cross-multiplying the counts, never by comparing rounded
//!   ratios. Rounding happens only at presentation ([`crate::format`]).
//! - **Quantiles** ([`quantile`]): linear interpolation between the closest
//!   ranks (Hyndman & Fan type 7, the default of R, of NumPy and of Excel's
//!   `QUARTILE.INC`): for `n` sorted values `x₀ ≤ … ≤ xₙ₋₁` and `p` in
//!   0–1, `h = (n − 1)·p`, `q = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋)`. For
//!   quartiles `h − ⌊h⌋` is 0, ¼, ½ or ¾, so the arithmetic is exact; the
//!   median of an even count is the mean of the two middle values.
//! - **Groups** ([`Group`]): national, each region, each cercle (a cercle is
//!   identified by its region *and* its name). Groups are listed in the
//!   order of their names by Unicode code point (a deterministic order; the
//!   front ends sort for display as they see fit).
//! - **Goal of an indicator** in a plan or a costed gap: its effective
//!   target, raised to its minimum when it is a critical indicator failing
//!   its minimum condition; the starting level is the consolidated level,
//!   the lowest level for NI (no information, D*), as in [`crate::gaps()`].
//!   Each step from a level to the next is costed by the rubric's actions
//!   `from` that level (all of them: they close the step together); a step
//!   with no action is *uncosted* and reported as such, never silently
//!   priced at zero.
//!
//! This module depends on the core's result types ([`Scored`],
//! [`CompiledRubric`]) and nothing else; it must not depend on the other
//! planning modules.

use crate::assessment::{Assessment, Commune};
use crate::compiled::{CompiledRubric, IndicatorIx, LevelIx, MAX_COST};
use crate::plan::PlanDecisions;
use crate::score::{Condition, IndicatorResult, Scored};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;

/// One scored assessment, as the many-commune functions read it: the
/// commune (id, region, cercle, population, transferred competences), the
/// round label and the results. Everything is borrowed.
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let result = CommuneResult::new(&assessment, &scored);
/// assert_eq!((result.commune.id.as_str(), result.round), ("ml-exemple", "2024"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CommuneResult<'a> {
    /// The commune assessed.
    pub commune: &'a Commune,
    /// The round label (e.g. `"2024"`).
    pub round: &'a str,
    /// Its results.
    pub scored: &'a Scored,
    /// The council's decisions about its plan ([`crate::ActionPlan::new`]
    /// applies them).
    pub plan: &'a PlanDecisions,
}

impl<'a> CommuneResult<'a> {
    /// The record of `assessment`, scored as `scored`.
    pub fn new(assessment: &'a Assessment, scored: &'a Scored) -> Self {
        Self {
            commune: &assessment.commune,
            round: &assessment.round,
            scored,
            plan: &assessment.plan,
        }
    }
}

/// `count` out of `of`, e.g. the communes at or above the basic level out of
/// the communes answered. Serialised as `{"count": 3, "of": 4, "ratio":
/// "0.75"}` (the ratio is `null` when `of` is 0).
///
/// ```
/// use capacity::Share;
/// use rust_decimal::Decimal;
/// let s = Share::new(1, 3);
/// assert_eq!(s.ratio(), Some(Decimal::ONE / Decimal::from(3)));
/// // Exact order: 1/3 < 2/5 although both print as 0.4 once rounded to one digit.
/// assert!(s.cmp_ratio(Share::new(2, 5)).is_lt());
/// assert!(Share::new(2, 3).exceeds(Decimal::new(5, 1)));
/// assert!(!Share::new(1, 2).exceeds(Decimal::new(5, 1))); // strictly more than half
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Share {
    /// How many.
    pub count: u32,
    /// Out of how many.
    pub of: u32,
}

impl Share {
    /// `count` out of `of`.
    pub fn new(count: u32, of: u32) -> Self {
        Self { count, of }
    }

    /// `count / of` in 0–1 (exact to [`Decimal`] precision); `None` when
    /// `of` is 0.
    pub fn ratio(self) -> Option<Decimal> {
        (self.of > 0).then(|| Decimal::from(self.count) / Decimal::from(self.of))
    }

    /// Compares the ratios exactly (by cross-multiplication). An empty
    /// share (`of == 0`) has no ratio and compares below every other one;
    /// two empty shares are equal.
    pub fn cmp_ratio(self, other: Share) -> Ordering {
        match (self.of, other.of) {
            (0, 0) => Ordering::Equal,
            (0, _) => Ordering::Less,
            (_, 0) => Ordering::Greater,
            _ => (u64::from(self.count) * u64::from(other.of))
                .cmp(&(u64::from(other.count) * u64::from(self.of))),
        }
    }

    /// Whether `count / of > fraction`, exactly (`false` when empty).
    pub fn exceeds(self, fraction: Decimal) -> bool {
        self.of > 0
            && Decimal::from(self.of)
                .checked_mul(fraction)
                .is_some_and(|limit| Decimal::from(self.count) > limit)
    }
}

impl Serialize for Share {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Share", 3)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("of", &self.of)?;
        st.serialize_field("ratio", &self.ratio().map(|r| r.to_string()))?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Share {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The wire form; the ratio is derived, so it is read and ignored.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            count: u32,
            of: u32,
            #[serde(default)]
            #[allow(dead_code, reason = "derived from the counts")]
            ratio: Option<String>,
        }
        let w = Wire::deserialize(d)?;
        if w.count > w.of {
            return Err(serde::de::Error::custom(format_args!(
                "a share cannot count {} out of {}",
                w.count, w.of
            )));
        }
        Ok(Share::new(w.count, w.of))
    }
}

/// The `p`-quantile (`p` in 0–1, clamped) of values sorted in increasing
/// order, by linear interpolation between the closest ranks (Hyndman &
/// Fan type 7: R's default, NumPy's `linear`, Excel's `QUARTILE.INC`; see
/// the module docs). `None` for no values. Never panics: should the
/// interpolation overflow (values near `Decimal::MAX`), the lower of the
/// two closest values is returned.
///
/// ```
/// use capacity::planning::quantile;
/// use rust_decimal::Decimal;
/// let x: Vec<Decimal> = [10, 20, 30, 40].into_iter().map(Decimal::from).collect();
/// let q = |p: &str| quantile(&x, p.parse().unwrap());
/// assert_eq!(q("0.25"), Some(Decimal::new(175, 1))); // h = 0.75: 10 + 0.75·10
/// assert_eq!(q("0.5"), Some(Decimal::from(25)));      // mean of 20 and 30
/// assert_eq!(q("1"), Some(Decimal::from(40)));
/// assert_eq!(quantile(&[], Decimal::ONE), None);
/// ```
pub fn quantile(sorted: &[Decimal], p: Decimal) -> Option<Decimal> {
    let last = sorted.len().checked_sub(1)?;
    let p = p.clamp(Decimal::ZERO, Decimal::ONE);
    let h = Decimal::from(last) * p;
    let lo = h.floor();
    let frac = h - lo;
    let i = lo.to_usize().unwrap_or(0);
    let x = *sorted.get(i)?;
    if frac.is_zero() {
        return Some(x);
    }
    let Some(y) = sorted.get(i + 1) else {
        return Some(x);
    };
    Some(
        y.checked_sub(x)
            .and_then(|d| d.checked_mul(frac))
            .and_then(|d| x.checked_add(d))
            .unwrap_or(x),
    )
}

/// Minimum, quartiles, median and maximum of a set of scores (see
/// [`quantile`] for the method). Every figure is `None` when nothing was
/// scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Quartiles {
    /// The lowest value.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub min: Option<Decimal>,
    /// First quartile (p = ¼).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub q1: Option<Decimal>,
    /// Median (p = ½).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub median: Option<Decimal>,
    /// Third quartile (p = ¾).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub q3: Option<Decimal>,
    /// The highest value.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub max: Option<Decimal>,
}

impl Quartiles {
    /// The quartiles of `values`, which are sorted in place.
    ///
    /// ```
    /// use capacity::planning::Quartiles;
    /// use rust_decimal::Decimal;
    /// let mut v: Vec<Decimal> = [40, 10, 30, 20, 50].into_iter().map(Decimal::from).collect();
    /// let q = Quartiles::of(&mut v);
    /// assert_eq!((q.q1, q.median, q.q3), (Some(20.into()), Some(30.into()), Some(40.into())));
    /// ```
    pub fn of(values: &mut [Decimal]) -> Self {
        values.sort_unstable();
        Self::of_sorted(values)
    }

    /// The quartiles of values already sorted in increasing order.
    pub fn of_sorted(sorted: &[Decimal]) -> Self {
        let q = |p: Decimal| quantile(sorted, p);
        Quartiles {
            min: sorted.first().copied(),
            q1: q(Decimal::new(25, 2)),
            median: q(Decimal::new(5, 1)),
            q3: q(Decimal::new(75, 2)),
            max: sorted.last().copied(),
        }
    }
}

/// A set of communes figures are computed over.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Group {
    /// Every commune given.
    National,
    /// The communes of a region.
    Region {
        /// The region's name.
        region: String,
    },
    /// The communes of a cercle.
    Cercle {
        /// The region's name.
        region: String,
        /// The cercle's name.
        cercle: String,
    },
}

/// Communes laid out by region and cercle: `order` lists commune positions
/// sorted by (region, cercle, id), so that every region and every cercle is
/// a contiguous range of `order`.
#[derive(Debug)]
pub(crate) struct Layout<'a> {
    /// Positions in the caller's slice, sorted by (region, cercle, id).
    pub(crate) order: Vec<u32>,
    /// `(region, range of order)`, by region name.
    pub(crate) regions: Vec<(&'a str, Range<usize>)>,
    /// `(region, cercle, range of order)`, by region then cercle name.
    pub(crate) cercles: Vec<(&'a str, &'a str, Range<usize>)>,
}

impl<'a> Layout<'a> {
    /// Lays `communes` out, checking that each was scored with `rubric` and
    /// that no commune appears twice; every problem is reported.
    pub(crate) fn new(
        rubric: &CompiledRubric,
        communes: &[CommuneResult<'a>],
    ) -> Result<Self, PlanningErrors> {
        let mut errors = Vec::new();
        for c in communes {
            check_scored(rubric, c, &mut errors);
        }
        let mut by_id: Vec<&str> = communes.iter().map(|c| c.commune.id.as_str()).collect();
        by_id.sort_unstable();
        for (i, pair) in by_id.windows(2).enumerate() {
            if let [a, b] = pair
                && a == b
                && by_id.get(i.wrapping_sub(1)) != Some(a)
            {
                errors.push(PlanningError::DuplicateCommune {
                    commune: (*a).to_owned(),
                });
            }
        }
        if u32::try_from(communes.len()).is_err() {
            errors.push(PlanningError::TooManyCommunes {
                count: communes.len(),
            });
        }
        if !errors.is_empty() {
            return Err(PlanningErrors(errors));
        }
        let mut order: Vec<u32> = (0..communes.len() as u32).collect();
        let key = |i: &u32| {
            communes.get(*i as usize).map(|c| {
                (
                    c.commune.region.as_str(),
                    c.commune.cercle.as_str(),
                    c.commune.id.as_str(),
                )
            })
        };
        order.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        let mut regions: Vec<(&'a str, Range<usize>)> = Vec::new();
        let mut cercles: Vec<(&'a str, &'a str, Range<usize>)> = Vec::new();
        for (pos, &i) in order.iter().enumerate() {
            let Some(c) = communes.get(i as usize) else {
                continue;
            };
            let (region, cercle) = (c.commune.region.as_str(), c.commune.cercle.as_str());
            match regions.last_mut() {
                Some((r, range)) if *r == region => range.end = pos + 1,
                _ => regions.push((region, pos..pos + 1)),
            }
            match cercles.last_mut() {
                Some((r, k, range)) if *r == region && *k == cercle => range.end = pos + 1,
                _ => cercles.push((region, cercle, pos..pos + 1)),
            }
        }
        Ok(Self {
            order,
            regions,
            cercles,
        })
    }
}

/// Records a problem when `c` was not scored with `rubric`.
pub(crate) fn check_scored(
    rubric: &CompiledRubric,
    c: &CommuneResult<'_>,
    errors: &mut Vec<PlanningError>,
) {
    let s = c.scored;
    if s.rubric != rubric.key()
        || s.nodes.len() != rubric.nodes().len()
        || s.indicators.len() != rubric.indicators().len()
    {
        errors.push(PlanningError::RubricMismatch {
            commune: c.commune.id.clone(),
            expected: rubric.key().to_owned(),
            found: s.rubric.clone(),
        });
    }
}

/// The starting level and the goal of an indicator (see the module docs),
/// when it is answered and applicable; the goal may equal the level.
pub(crate) fn level_and_goal(
    rubric: &CompiledRubric,
    ix: IndicatorIx,
    result: &IndicatorResult,
) -> Option<(LevelIx, LevelIx)> {
    let level = result.level()?;
    let mut goal = result.target;
    if result.condition == Some(Condition::Failed)
        && let Some(c) = rubric.indicator(ix)
    {
        goal = goal.max(c.minimum);
    }
    Some((level, goal.min(rubric.highest())))
}

/// Per indicator, the rubric's actions priced by step: `cumulative[l]` is
/// the cost of every action from a level below `l`, `uncosted[l]` the
/// number of steps below `l` with no action; so the cost from `a` up to `b`
/// is `cumulative[b] − cumulative[a]`, in constant time.
#[derive(Debug, Clone)]
pub(crate) struct StepCosts {
    levels: usize,
    cumulative: Vec<Decimal>,
    uncosted: Vec<u32>,
}

impl StepCosts {
    /// Prices every indicator of `rubric`.
    pub(crate) fn new(rubric: &CompiledRubric) -> Self {
        let levels = rubric.level_count();
        let n = rubric.indicators().len();
        let mut cumulative = Vec::with_capacity(n * (levels + 1));
        let mut uncosted = Vec::with_capacity(n * (levels + 1));
        let mut step_cost = vec![Decimal::ZERO; levels];
        let mut step_actions = vec![0u32; levels];
        for i in 0..n {
            step_cost.fill(Decimal::ZERO);
            step_actions.fill(0);
            let actions = rubric
                .indicator_source(IndicatorIx(i as u32))
                .map_or(&[][..], |s| s.actions.as_slice());
            for action in actions {
                if let Some(from) = rubric.level_ix(&action.from)
                    && let (Some(c), Some(k)) = (
                        step_cost.get_mut(from.index()),
                        step_actions.get_mut(from.index()),
                    )
                {
                    *c = c.saturating_add(action.cost.clamp(Decimal::ZERO, MAX_COST));
                    *k += 1;
                }
            }
            let (mut cost, mut missing) = (Decimal::ZERO, 0u32);
            cumulative.push(cost);
            uncosted.push(missing);
            for (c, k) in step_cost.iter().zip(&step_actions) {
                cost = cost.saturating_add(*c);
                missing += u32::from(*k == 0);
                cumulative.push(cost);
                uncosted.push(missing);
            }
        }
        Self {
            levels,
            cumulative,
            uncosted,
        }
    }

    /// The cost of the actions from `from` up to `to`, and the number of
    /// steps on the way with no action (zero when `to <= from`).
    pub(crate) fn between(&self, ix: IndicatorIx, from: LevelIx, to: LevelIx) -> (Decimal, u32) {
        if to <= from {
            return (Decimal::ZERO, 0);
        }
        let base = ix.index() * (self.levels + 1);
        let at = |l: LevelIx| base + l.index().min(self.levels);
        match (
            self.cumulative.get(at(to)),
            self.cumulative.get(at(from)),
            self.uncosted.get(at(to)),
            self.uncosted.get(at(from)),
        ) {
            (Some(ct), Some(cf), Some(ut), Some(uf)) => {
                (ct.saturating_sub(*cf), ut.saturating_sub(*uf))
            }
            _ => (Decimal::ZERO, 0),
        }
    }
}

/// A problem with the input of a planning function. Messages are
/// lowercase, carry the offending values and say how to fix the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanningError {
    /// A commune's results were made with another rubric (or version).
    #[error(
        "commune `{commune}` was scored with rubric `{found}`, not `{expected}`: score every assessment with the same rubric version"
    )]
    RubricMismatch {
        /// The commune.
        commune: String,
        /// The rubric at hand (`id@version`).
        expected: String,
        /// The rubric its results were made with.
        found: String,
    },
    /// A commune appears more than once in a many-commune input.
    #[error(
        "commune `{commune}` appears more than once: keep one assessment per commune (compare its rounds with `progress`)"
    )]
    DuplicateCommune {
        /// The commune.
        commune: String,
    },
    /// More communes than a `u32` counts.
    #[error("{count} communes are more than can be counted: split the input")]
    TooManyCommunes {
        /// How many were given.
        count: usize,
    },
    /// Two rounds of different communes were given to `progress`.
    #[error(
        "the rounds are of two communes, `{from}` and `{to}`: compare two rounds of the same commune"
    )]
    CommuneMismatch {
        /// The commune of the first round.
        from: String,
        /// The commune of the second round.
        to: String,
    },
    /// A plan adjustment names an action the plan does not hold.
    #[error(
        "adjustment {adjustment}: the plan has no action {action} for indicator `{indicator}`: use an indicator and action index listed in the plan"
    )]
    UnknownPlanItem {
        /// The adjustment's position in the list.
        adjustment: usize,
        /// The indicator id.
        indicator: String,
        /// The action's index among the indicator's actions.
        action: u32,
    },
    /// One of the council's own actions names an indicator the rubric does
    /// not have.
    #[error(
        "council action `{action}`: the rubric has no indicator `{indicator}`: choose an indicator of the rubric"
    )]
    UnknownActionIndicator {
        /// The action's key.
        action: String,
        /// The indicator id given.
        indicator: String,
    },
    /// A cost that is not whole francs between 0 and the maximum.
    #[error(
        "adjustment {adjustment}: cost \"{cost}\" is not valid: write whole francs between \"0\" and \"{max}\""
    )]
    InvalidCost {
        /// The adjustment's position in the list.
        adjustment: usize,
        /// The cost given.
        #[serde(with = "rust_decimal::serde::str")]
        cost: Decimal,
        /// The largest cost accepted.
        #[serde(with = "rust_decimal::serde::str")]
        max: Decimal,
    },
    /// A grant pool that is not whole francs between 0 and the maximum.
    #[error("pool \"{pool}\" is not valid: write whole francs between \"0\" and \"{max}\"")]
    InvalidPool {
        /// The pool given.
        #[serde(with = "rust_decimal::serde::str")]
        pool: Decimal,
        /// The largest pool accepted.
        #[serde(with = "rust_decimal::serde::str")]
        max: Decimal,
    },
    /// A score threshold outside 0–100.
    #[error("threshold \"{threshold}\" is not a score: write a decimal between \"0\" and \"100\"")]
    InvalidThreshold {
        /// The threshold given.
        #[serde(with = "rust_decimal::serde::str")]
        threshold: Decimal,
    },
    /// A share limit outside 0–1.
    #[error(
        "share \"{share}\" is not valid: write a fraction between \"0\" and \"1\", e.g. \"0.5\""
    )]
    InvalidShare {
        /// The share given.
        #[serde(with = "rust_decimal::serde::str")]
        share: Decimal,
    },
    /// A minimum condition names an indicator the rubric does not have.
    #[error("the rubric has no indicator `{indicator}`: check the id against the rubric")]
    UnknownIndicator {
        /// The id given.
        indicator: String,
    },
    /// A minimum condition names a level the scale does not have.
    #[error("indicator `{indicator}`: unknown level `{level}`: use one of {known}")]
    UnknownLevel {
        /// The indicator id.
        indicator: String,
        /// The code given.
        level: String,
        /// The scale's codes.
        known: String,
    },
}

/// Every problem found in the input of a planning function, in the order
/// found; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanningErrors(pub Vec<PlanningError>);

impl PlanningErrors {
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, PlanningError> {
        self.0.iter()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<PlanningError> for PlanningErrors {
    fn from(e: PlanningError) -> Self {
        PlanningErrors(vec![e])
    }
}

impl fmt::Display for PlanningErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PlanningErrors {}

impl<'a> IntoIterator for &'a PlanningErrors {
    type Item = &'a PlanningError;
    type IntoIter = std::slice::Iter<'a, PlanningError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod props;
