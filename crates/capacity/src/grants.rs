//! Performance-based grant simulation, as in UNCDF LoCAL or Uganda's LGPA.
//!
//! Input ([`GrantRules`]): a pool in whole FCFA, the minimum conditions
//! (the rubric's critical indicators, a list of indicators with their
//! levels, or none), a threshold score (e.g. 50), what to do with
//! provisional assessments, and a formula (proportional to the overall
//! score, or to the score times the population). Output
//! ([`GrantSimulation`]): for every commune its eligibility with *all* its
//! reasons ([`EligibilityReason`], passing and failing), and allocations in
//! whole francs that add up *exactly* to the pool distributed.
//!
//! Rules:
//!
//! - **Eligible** when every reason passes: every minimum condition is met
//!   (the consolidated level is at least the condition's level; NI fails;
//!   not applicable is excluded; unanswered is *pending*, which fails: a
//!   grant is not paid on a promise); the assessment is not provisional
//!   unless [`ProvisionalRule::Eligible`] says so; the overall score is at
//!   least the threshold (allowing for the core's
//!   [`crate::compiled::SCORE_TOLERANCE`], so that 50 made
//!   as 49.999…9 by 28-digit arithmetic counts as 50); and, for the
//!   population formula, the population is known and at most
//!   [`MAX_POPULATION`].
//! - **Weight** of an eligible commune: its overall score rounded to 6
//!   decimals (half away from zero; a millionth of a point, far below any
//!   displayed figure, and it removes the arithmetic noise of the 28th
//!   digit), times its population for [`Formula::ScoreTimesPopulation`].
//!   Ineligible communes weigh 0.
//! - **Quota**: `pool × weight / Σ weights`. Allocations follow the
//!   **largest-remainder (Hamilton) method**, computed exactly in integers:
//!   each commune first gets the whole francs of its quota, then the francs
//!   left over (fewer than the number of communes with a weight) go one
//!   each to the communes with the largest remainders; equal remainders go
//!   by commune id (byte order, smallest first). So the allocations add up
//!   to the pool to the franc, no commune gets less than the whole francs of
//!   its quota nor more than one franc above it, and the result does not
//!   depend on the order of the input.
//! - When no commune has a weight (none eligible, or all scores 0), nothing
//!   is distributed: [`GrantSimulation::undistributed`] holds the pool.
//!
//! This module reads the core's results; it must not depend on `compare`
//! or `reform`.

use crate::compiled::{CompiledRubric, IndicatorIx, LevelIx, SCORE_TOLERANCE};
use crate::planning::{CommuneResult, Layout, PlanningError, PlanningErrors};
use crate::score::Status;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// The largest pool accepted, in FCFA (10¹⁸): it keeps the exact integer
/// arithmetic of the allocation within 128 bits.
pub const MAX_POOL: Decimal = Decimal::from_parts(2_808_348_672, 232_830_643, 0, false, 0);
/// The largest population accepted by the population formula (10¹⁰).
pub const MAX_POPULATION: u64 = 10_000_000_000;
/// Decimals of the score kept in the weights.
pub const WEIGHT_DECIMALS: u32 = 6;

/// The rules of a grant simulation.
///
/// ```
/// let rules: capacity::GrantRules = serde_json::from_str(r#"{
///     "pool": "100000000",
///     "threshold": "50",
///     "minimum_conditions": "rubric",
///     "provisional": "ineligible",
///     "formula": "score_times_population"
/// }"#)?;
/// assert_eq!(rules.formula, capacity::Formula::ScoreTimesPopulation);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRules {
    /// The pool to share, in whole FCFA (0 to [`MAX_POOL`]).
    #[serde(with = "rust_decimal::serde::str")]
    pub pool: Decimal,
    /// The lowest overall score (0–100) that can receive a grant.
    #[serde(with = "rust_decimal::serde::str")]
    pub threshold: Decimal,
    /// The minimum conditions (default: the rubric's critical indicators).
    #[serde(default)]
    pub minimum_conditions: MinimumConditionSet,
    /// What to do with provisional assessments (default: ineligible).
    #[serde(default)]
    pub provisional: ProvisionalRule,
    /// How the pool is shared (default: proportional to the score).
    #[serde(default)]
    pub formula: Formula,
}

/// Which minimum conditions apply.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinimumConditionSet {
    /// The rubric's critical indicators, each with its minimum (its
    /// `minimum`, else the basic level).
    #[default]
    Rubric,
    /// No minimum condition.
    None,
    /// These indicators.
    Listed(Vec<ConditionSpec>),
}

/// One minimum condition: an indicator and the level it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// The indicator id.
    pub indicator: String,
    /// The level code needed (default: the indicator's minimum, else the
    /// basic level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<String>,
}

/// What to do with provisional assessments (some applicable indicator
/// unanswered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionalRule {
    /// Not eligible: the assessment must be complete.
    #[default]
    Ineligible,
    /// Eligible on the score of what was answered.
    Eligible,
}

/// How the pool is shared among eligible communes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Formula {
    /// In proportion to the overall score.
    #[default]
    Score,
    /// In proportion to the overall score times the population.
    ScoreTimesPopulation,
}

/// One fact about a commune's eligibility; [`EligibilityReason::passes`]
/// says whether it allows the grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EligibilityReason {
    /// Every applicable minimum condition is met (passes).
    MinimumConditionsMet {
        /// Conditions met.
        met: u32,
        /// Conditions not applicable (excluded).
        not_applicable: u32,
    },
    /// A minimum condition fails (fails).
    MinimumConditionFailed {
        /// The indicator.
        indicator: IndicatorIx,
        /// The level needed.
        minimum: LevelIx,
        /// The consolidated level (`None` for NI, no information).
        level: Option<LevelIx>,
    },
    /// A minimum condition's indicator is unanswered (fails).
    MinimumConditionPending {
        /// The indicator.
        indicator: IndicatorIx,
    },
    /// The assessment is provisional and the rules exclude that (fails).
    Provisional {
        /// Applicable indicators unanswered.
        unanswered: u32,
    },
    /// The assessment is provisional and the rules accept that (passes).
    ProvisionalAccepted {
        /// Applicable indicators unanswered.
        unanswered: u32,
    },
    /// The overall score reaches the threshold (passes).
    ScoreAtOrAboveThreshold {
        /// The score.
        #[serde(with = "rust_decimal::serde::str")]
        score: Decimal,
        /// The threshold.
        #[serde(with = "rust_decimal::serde::str")]
        threshold: Decimal,
    },
    /// The overall score is below the threshold (fails).
    BelowThreshold {
        /// The score.
        #[serde(with = "rust_decimal::serde::str")]
        score: Decimal,
        /// The threshold.
        #[serde(with = "rust_decimal::serde::str")]
        threshold: Decimal,
    },
    /// Nothing was scored (fails).
    NoScore,
    /// The population formula needs a population (fails).
    PopulationUnknown,
    /// A population above [`MAX_POPULATION`] (fails: surely a data error).
    PopulationOutOfRange {
        /// The population given.
        population: u64,
    },
}

impl EligibilityReason {
    /// Whether this fact allows the grant.
    pub fn passes(&self) -> bool {
        matches!(
            self,
            EligibilityReason::MinimumConditionsMet { .. }
                | EligibilityReason::ProvisionalAccepted { .. }
                | EligibilityReason::ScoreAtOrAboveThreshold { .. }
        )
    }
}

/// A commune's eligibility: eligible when every reason passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Whether it can receive a grant.
    pub eligible: bool,
    /// Every fact checked, in the order: minimum conditions, provisional,
    /// score, population.
    pub reasons: Vec<EligibilityReason>,
}

/// One commune's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Allocation {
    /// The commune id.
    pub commune: String,
    /// Its region.
    pub region: String,
    /// Its cercle.
    pub cercle: String,
    /// Its population, when known.
    pub population: Option<u64>,
    /// Its overall score, exact.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Its eligibility and the reasons.
    pub eligibility: Eligibility,
    /// Its weight in the formula (0 when ineligible).
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// `pool × weight / Σ weights` (to 28 significant digits).
    #[serde(with = "rust_decimal::serde::str")]
    pub quota: Decimal,
    /// The amount allocated, in whole FCFA.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// Whether it received one franc of the remainder.
    pub remainder_franc: bool,
}

/// The result of a grant simulation.
///
/// ```
/// use capacity::{CommuneResult, CompiledRubric, GrantRules, example};
/// use rust_decimal::Decimal;
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (a, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let rules = GrantRules {
///     pool: Decimal::from(1_000_000),
///     threshold: Decimal::from(50),
///     minimum_conditions: Default::default(),
///     provisional: capacity::ProvisionalRule::Eligible,
///     formula: Default::default(),
/// };
/// let sim = capacity::simulate_grants(&rubric, &rules, &[CommuneResult::new(&a, &scored)])?;
/// let first = &sim.allocations[0];
/// for reason in &first.eligibility.reasons {
///     println!("{} {reason:?}", if reason.passes() { "✓" } else { "✗" });
/// }
/// assert_eq!(sim.distributed + sim.undistributed, rules.pool);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSimulation {
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The rules applied.
    pub rules: GrantRules,
    /// One per commune, by commune id.
    pub allocations: Vec<Allocation>,
    /// Eligible communes.
    pub eligible: u32,
    /// The sum of the weights.
    #[serde(with = "rust_decimal::serde::str")]
    pub total_weight: Decimal,
    /// The amount distributed: the pool, or 0 when no commune has a weight.
    /// Equal to the sum of the allocations, to the franc.
    #[serde(with = "rust_decimal::serde::str")]
    pub distributed: Decimal,
    /// The pool not distributed.
    #[serde(with = "rust_decimal::serde::str")]
    pub undistributed: Decimal,
    /// Francs handed out by the largest-remainder rule.
    pub remainder_francs: u32,
}

impl GrantRules {
    /// Every problem with these rules for `rubric`: a pool that is not
    /// whole francs in 0–[`MAX_POOL`], a threshold outside 0–100, listed
    /// conditions naming unknown indicators or levels.
    pub fn check(&self, rubric: &CompiledRubric) -> Vec<PlanningError> {
        let mut errors = Vec::new();
        if self.pool < Decimal::ZERO || !self.pool.fract().is_zero() || self.pool > MAX_POOL {
            errors.push(PlanningError::InvalidPool {
                pool: self.pool,
                max: MAX_POOL,
            });
        }
        if self.threshold < Decimal::ZERO || self.threshold > Decimal::ONE_HUNDRED {
            errors.push(PlanningError::InvalidThreshold {
                threshold: self.threshold,
            });
        }
        if let MinimumConditionSet::Listed(list) = &self.minimum_conditions {
            for spec in list {
                let _ = condition(rubric, spec, &mut errors);
            }
        }
        errors
    }
}

/// The indicator and level of a listed condition, recording problems.
fn condition(
    rubric: &CompiledRubric,
    spec: &ConditionSpec,
    errors: &mut Vec<PlanningError>,
) -> Option<(IndicatorIx, LevelIx)> {
    let Some(ix) = rubric.indicator_ix(&spec.indicator) else {
        errors.push(PlanningError::UnknownIndicator {
            indicator: spec.indicator.clone(),
        });
        return None;
    };
    let minimum = match &spec.minimum {
        None => rubric.indicator(ix).map_or(rubric.basic(), |c| c.minimum),
        Some(code) => match rubric.level_ix(code) {
            Some(l) => l,
            None => {
                errors.push(PlanningError::UnknownLevel {
                    indicator: spec.indicator.clone(),
                    level: code.clone(),
                    known: rubric
                        .levels()
                        .iter()
                        .map(|l| l.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
                return None;
            }
        },
    };
    Some((ix, minimum))
}

/// Simulates a performance-based grant over `communes`, all scored with
/// `rubric` (see the module docs). Fails, listing every problem, when the
/// rules are invalid, a result comes from another rubric or a commune
/// appears twice.
pub fn simulate_grants(
    rubric: &CompiledRubric,
    rules: &GrantRules,
    communes: &[CommuneResult<'_>],
) -> Result<GrantSimulation, PlanningErrors> {
    let mut errors = rules.check(rubric);
    if let Err(e) = Layout::new(rubric, communes) {
        errors.extend(e.0);
    }
    if !errors.is_empty() {
        return Err(PlanningErrors(errors));
    }
    let conditions: Vec<(IndicatorIx, LevelIx)> = match &rules.minimum_conditions {
        MinimumConditionSet::Rubric => rubric
            .indicators()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.critical)
            .map(|(i, c)| (IndicatorIx(i as u32), c.minimum))
            .collect(),
        MinimumConditionSet::None => Vec::new(),
        MinimumConditionSet::Listed(list) => list
            .iter()
            .filter_map(|spec| condition(rubric, spec, &mut Vec::new()))
            .collect(),
    };
    let pool = rules.pool.to_u128().unwrap_or(0);

    let mut allocations = Vec::with_capacity(communes.len());
    let mut weights: Vec<u128> = Vec::with_capacity(communes.len());
    for c in communes {
        let s = c.scored;
        let mut reasons = Vec::new();
        let (mut met, mut not_applicable, mut ok) = (0u32, 0u32, true);
        for &(ix, minimum) in &conditions {
            match s.indicator(ix).map(|r| r.status) {
                Some(Status::Level(l)) if l >= minimum => met += 1,
                Some(Status::Level(l)) => {
                    ok = false;
                    reasons.push(EligibilityReason::MinimumConditionFailed {
                        indicator: ix,
                        minimum,
                        level: Some(l),
                    });
                }
                Some(Status::NoInformation) => {
                    ok = false;
                    reasons.push(EligibilityReason::MinimumConditionFailed {
                        indicator: ix,
                        minimum,
                        level: None,
                    });
                }
                Some(Status::NotApplicable(_)) => not_applicable += 1,
                Some(Status::Unanswered) | None => {
                    ok = false;
                    reasons.push(EligibilityReason::MinimumConditionPending { indicator: ix });
                }
            }
        }
        if ok {
            reasons.insert(
                0,
                EligibilityReason::MinimumConditionsMet {
                    met,
                    not_applicable,
                },
            );
        }
        if s.provisional {
            let unanswered = s.coverage.unanswered();
            reasons.push(match rules.provisional {
                ProvisionalRule::Ineligible => EligibilityReason::Provisional { unanswered },
                ProvisionalRule::Eligible => EligibilityReason::ProvisionalAccepted { unanswered },
            });
        }
        match s.overall {
            None => reasons.push(EligibilityReason::NoScore),
            Some(score) if score.saturating_add(SCORE_TOLERANCE) >= rules.threshold => reasons
                .push(EligibilityReason::ScoreAtOrAboveThreshold {
                    score,
                    threshold: rules.threshold,
                }),
            Some(score) => reasons.push(EligibilityReason::BelowThreshold {
                score,
                threshold: rules.threshold,
            }),
        }
        let population = c.commune.population;
        if rules.formula == Formula::ScoreTimesPopulation {
            match population {
                None => reasons.push(EligibilityReason::PopulationUnknown),
                Some(p) if p > MAX_POPULATION => {
                    reasons.push(EligibilityReason::PopulationOutOfRange { population: p });
                }
                Some(_) => {}
            }
        }
        let eligible = reasons.iter().all(EligibilityReason::passes);
        let weight = match (eligible, s.overall) {
            (true, Some(score)) => {
                let units = score_units(score);
                match rules.formula {
                    Formula::Score => units,
                    Formula::ScoreTimesPopulation => {
                        units.saturating_mul(u128::from(population.unwrap_or(0)))
                    }
                }
            }
            _ => 0,
        };
        weights.push(weight);
        allocations.push(Allocation {
            commune: c.commune.id.clone(),
            region: c.commune.region.clone(),
            cercle: c.commune.cercle.clone(),
            population,
            score: s.overall,
            eligibility: Eligibility { eligible, reasons },
            weight: Decimal::try_from_i128_with_scale(weight as i128, WEIGHT_DECIMALS)
                .unwrap_or(Decimal::MAX),
            quota: Decimal::ZERO,
            amount: Decimal::ZERO,
            remainder_franc: false,
        });
    }

    // Hamilton: whole francs of each quota, then the remainder one franc at
    // a time by largest remainder, then commune id. Exact in u128: pool ≤
    // 10¹⁸ and each weight ≤ 10⁸ × 10¹⁰, so pool × weight < 2¹²⁸.
    let total: u128 = weights.iter().fold(0u128, |s, w| s.saturating_add(*w));
    let mut distributed = 0u128;
    let mut remainder_francs = 0u32;
    if total > 0 {
        let mut remainders: Vec<(u128, usize)> = Vec::new();
        for (i, (a, &w)) in allocations.iter_mut().zip(&weights).enumerate() {
            if w == 0 {
                continue;
            }
            let product = pool.saturating_mul(w);
            let (whole, rest) = (
                product.checked_div(total).unwrap_or(0),
                product.checked_rem(total).unwrap_or(0),
            );
            distributed += whole;
            a.amount = money(whole);
            a.quota = a.amount.saturating_add(
                match (
                    Decimal::try_from_i128_with_scale(rest as i128, 0),
                    Decimal::try_from_i128_with_scale(total as i128, 0),
                ) {
                    (Ok(r), Ok(t)) => r.checked_div(t).unwrap_or_default(),
                    _ => Decimal::ZERO,
                },
            );
            remainders.push((rest, i));
        }
        let left = pool.saturating_sub(distributed);
        let id = |i: usize| allocations.get(i).map_or("", |a| a.commune.as_str());
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| id(a.1).cmp(id(b.1))));
        for &(_, i) in remainders
            .iter()
            .take(usize::try_from(left).unwrap_or(usize::MAX))
        {
            if let Some(a) = allocations.get_mut(i) {
                a.amount += Decimal::ONE;
                a.remainder_franc = true;
                distributed += 1;
                remainder_francs += 1;
            }
        }
    }
    allocations.sort_by(|a, b| a.commune.cmp(&b.commune));
    let distributed = money(distributed);
    Ok(GrantSimulation {
        rubric: rubric.key().to_owned(),
        rules: rules.clone(),
        eligible: allocations
            .iter()
            .filter(|a| a.eligibility.eligible)
            .count() as u32,
        allocations,
        total_weight: Decimal::try_from_i128_with_scale(total as i128, WEIGHT_DECIMALS)
            .unwrap_or(Decimal::MAX),
        undistributed: rules.pool.saturating_sub(distributed),
        distributed,
        remainder_francs,
    })
}

/// A score clamped to 0–100 and rounded to [`WEIGHT_DECIMALS`], in
/// millionths of a point.
fn score_units(score: Decimal) -> u128 {
    let mut s = score
        .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(WEIGHT_DECIMALS, RoundingStrategy::MidpointAwayFromZero);
    s.rescale(WEIGHT_DECIMALS);
    u128::try_from(s.mantissa()).unwrap_or(0)
}

/// Whole francs as a decimal (amounts never exceed the pool, ≤ 10¹⁸).
fn money(francs: u128) -> Decimal {
    i128::try_from(francs)
        .ok()
        .and_then(|f| Decimal::try_from_i128_with_scale(f, 0).ok())
        .unwrap_or(Decimal::MAX)
}

#[cfg(test)]
mod tests;
