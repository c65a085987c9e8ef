//! The finalise gate: what a facilitator must see before locking an
//! assessment, and whether it is complete enough to be finalised as a
//! result rather than as a *provisional* one.
//!
//! [`finalise_check`] reads the scored assessment only and reports
//!
//! - coverage (answered / applicable indicators), overall and per
//!   competency, from the scorer's [`Coverage`];
//! - the critical indicators (minimum conditions) still unanswered
//!   ([`Condition::Pending`]);
//! - the disagreements without a recorded consensus (indicators flagged
//!   [`Flags::DISAGREEMENT`] but not [`Flags::CONSENSUS`]): the lower median
//!   stands for them, which the workshop may not have meant;
//! - whether the completeness required ([`Completeness`]) is reached.
//!
//! **The rule.** An assessment is complete when the share of applicable
//! indicators answered (a level or NI: "no information" is an answer, the
//! PEFA D*) is at least the required share, *and* no critical indicator is
//! unanswered: a minimum condition left pending would let a grant rule or a
//! ranking read an undecided gate. The default share is 1: every
//! applicable indicator answered. Disagreements are shown, never blocking:
//! their consolidated level is defined. Below the rule, the app finalises
//! only a round explicitly marked provisional, with a reason.
//!
//! This module reads the core's results; it must not depend on `explain`,
//! `gaps` or the planning modules.

use crate::compiled::{CompiledRubric, IndicatorIx, NodeIx, NodeKind};
use crate::diagnostic::Error;
use crate::score::{Condition, Coverage, Flags, Scored};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The completeness required to finalise without marking the round
/// provisional: the least share of applicable indicators answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Completeness {
    /// Least share answered, in 0–1 (1: every applicable indicator).
    #[serde(with = "rust_decimal::serde::str")]
    min_answered: Decimal,
}

impl Default for Completeness {
    /// Every applicable indicator answered (NI allowed).
    fn default() -> Self {
        Completeness {
            min_answered: Decimal::ONE,
        }
    }
}

impl Completeness {
    /// A share of applicable indicators to answer, in 0–1; `None` outside.
    pub fn share(min_answered: Decimal) -> Option<Completeness> {
        (Decimal::ZERO..=Decimal::ONE)
            .contains(&min_answered)
            .then_some(Completeness { min_answered })
    }

    /// The least share answered, in 0–1.
    pub fn min_answered(&self) -> Decimal {
        self.min_answered
    }

    /// Whether `coverage` reaches the share (exact: `answered ≥ share ×
    /// applicable`; nothing applicable is complete).
    pub fn reached(&self, coverage: &Coverage) -> bool {
        Decimal::from(coverage.answered) >= self.min_answered * Decimal::from(coverage.applicable)
    }
}

/// One competency's coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompetencyCoverage {
    /// The competency.
    pub competency: NodeIx,
    /// Answered / applicable indicators in it.
    pub coverage: Coverage,
}

/// What the facilitator sees before finalising (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FinaliseCheck {
    /// Overall coverage.
    pub coverage: Coverage,
    /// Per competency, rubric order.
    pub competencies: Vec<CompetencyCoverage>,
    /// Critical indicators not answered yet, rubric order.
    pub unanswered_critical: Vec<IndicatorIx>,
    /// Indicators whose raters disagree and that have no recorded
    /// consensus, rubric order.
    pub open_disagreements: Vec<IndicatorIx>,
    /// The completeness required.
    pub required: Completeness,
    /// Whether the completeness is reached and no critical indicator is
    /// unanswered: finalising needs no provisional mark.
    pub complete: bool,
}

/// The finalise check of `scored` under the default rule (every applicable
/// indicator answered, NI allowed). Fails only when the results were made
/// with another rubric.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let check = capacity::finalise_check(&rubric, &scored)?;
/// assert_eq!(check.coverage, scored.coverage);
/// assert_eq!(check.complete, !scored.provisional && check.unanswered_critical.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn finalise_check(rubric: &CompiledRubric, scored: &Scored) -> Result<FinaliseCheck, Error> {
    finalise_check_with(rubric, scored, Completeness::default())
}

/// The finalise check of `scored` under `required` (a campaign's rule).
pub fn finalise_check_with(
    rubric: &CompiledRubric,
    scored: &Scored,
    required: Completeness,
) -> Result<FinaliseCheck, Error> {
    scored.check(rubric)?;
    let competencies = rubric
        .nodes()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NodeKind::Competency)
        .filter_map(|(i, _)| {
            let ix = NodeIx(u32::try_from(i).ok()?);
            scored.node(ix).map(|r| CompetencyCoverage {
                competency: ix,
                coverage: r.coverage,
            })
        })
        .collect();
    let mut unanswered_critical = Vec::new();
    let mut open_disagreements = Vec::new();
    for (i, r) in scored.indicators.iter().enumerate() {
        let Ok(i) = u32::try_from(i) else { break };
        let ix = IndicatorIx(i);
        if r.condition == Some(Condition::Pending) {
            unanswered_critical.push(ix);
        }
        if r.flags.contains(Flags::DISAGREEMENT) && !r.flags.contains(Flags::CONSENSUS) {
            open_disagreements.push(ix);
        }
    }
    let complete = required.reached(&scored.coverage) && unanswered_critical.is_empty();
    Ok(FinaliseCheck {
        coverage: scored.coverage,
        competencies,
        unanswered_critical,
        open_disagreements,
        required,
        complete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::tests::{assessment, rubric, scored};
    use crate::{Assessment, Rater, Rating, Role};

    fn ids(rubric: &CompiledRubric, list: &[IndicatorIx]) -> Vec<String> {
        list.iter()
            .filter_map(|ix| rubric.indicator(*ix).map(|i| i.id.clone()))
            .collect()
    }

    #[track_caller]
    fn check(a: &Assessment, required: Completeness, expected: (u32, u32, &[&str], bool)) {
        let rubric = rubric();
        let s = scored(&rubric, a);
        let c = finalise_check_with(&rubric, &s, required).expect("same rubric");
        let (answered, applicable, critical, complete) = expected;
        assert_eq!(
            (c.coverage.answered, c.coverage.applicable),
            (answered, applicable)
        );
        assert_eq!(ids(&rubric, &c.unanswered_critical), critical);
        assert_eq!(c.complete, complete);
        let sum = c
            .competencies
            .iter()
            .map(|x| x.coverage.applicable)
            .sum::<u32>();
        assert_eq!(sum, applicable, "competencies add up to the whole");
    }

    #[test]
    fn every_applicable_indicator_answered_is_complete_ni_allowed() {
        let a = assessment(
            "x",
            ("R", "K"),
            None,
            true,
            "1",
            &[
                ("i1", "C"),
                ("i2", "NI"),
                ("i3", "B"),
                ("i4", "NA"),
                ("i5", "D"),
            ],
        );
        check(&a, Completeness::default(), (4, 4, &[], true));
    }

    #[test]
    fn one_unanswered_indicator_is_incomplete_by_default() {
        let a = assessment(
            "x",
            ("R", "K"),
            None,
            true,
            "1",
            &[("i1", "C"), ("i2", "B")],
        );
        check(&a, Completeness::default(), (2, 5, &[], false));
        // 2 of 5 answered: reaches 40 %, not 41 %.
        let share = |s: &str| Completeness::share(s.parse().expect("decimal")).expect("in 0–1");
        check(&a, share("0.4"), (2, 5, &[], true));
        check(&a, share("0.41"), (2, 5, &[], false));
    }

    #[test]
    fn an_unanswered_critical_indicator_blocks_whatever_the_share() {
        // i1 is critical; the rule says nothing applies beyond `sante`.
        let a = assessment(
            "x",
            ("R", "K"),
            None,
            false,
            "1",
            &[("i2", "B"), ("i3", "B")],
        );
        let zero = Completeness::share(Decimal::ZERO).expect("in 0–1");
        check(&a, zero, (2, 3, &["i1"], false));
    }

    #[test]
    fn shares_outside_zero_to_one_are_refused() {
        assert_eq!(Completeness::share(Decimal::NEGATIVE_ONE), None);
        assert_eq!(Completeness::share(Decimal::TWO), None);
        assert!(Completeness::share(Decimal::ONE).is_some());
    }

    #[test]
    fn disagreements_without_consensus_are_listed_not_blocking() {
        let rubric = rubric();
        let mut a = assessment(
            "x",
            ("R", "K"),
            None,
            false,
            "1",
            &[("i1", "C"), ("i2", "B")],
        );
        a.raters = vec![
            Rater {
                id: "r1".into(),
                name: "Awa".into(),
                role: Role::Elected,
            },
            Rater {
                id: "r2".into(),
                name: "Bakary".into(),
                role: Role::Staff,
            },
        ];
        let rating = |rater: &str, level: &str| Rating {
            rater: rater.into(),
            level: level.into(),
            evidence: None,
            refs: Vec::new(),
        };
        // i3: D and A, no consensus; i2 keeps its consensus over D and A.
        a.answers.push(crate::Answer {
            indicator: "i3".into(),
            target: None,
            comment: None,
            consensus: None,
            ratings: vec![rating("r1", "D"), rating("r2", "A")],
        });
        if let Some(i2) = a.answers.iter_mut().find(|x| x.indicator == "i2") {
            i2.ratings = vec![rating("r1", "D"), rating("r2", "A")];
        }
        let s = scored(&rubric, &a);
        let c = finalise_check(&rubric, &s).expect("same rubric");
        assert_eq!(ids(&rubric, &c.open_disagreements), ["i3"]);
        assert!(c.complete, "i1, i2, i3 answered: {c:?}");
    }

    #[test]
    fn results_of_another_rubric_are_refused() {
        let rubric = rubric();
        let other = crate::CompiledRubric::from_toml(crate::example::RUBRIC).expect("example");
        let (_, resolved) = other
            .resolve_toml(crate::example::ASSESSMENT)
            .expect("example");
        let s = crate::score(&other, &resolved).expect("same rubric");
        assert!(finalise_check(&rubric, &s).is_err());
    }
}
