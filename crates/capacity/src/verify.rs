//! Independent verification: the verified result of a self-assessment
//! and its differences from the self-assessed one.
//!
//! A verifier confirms or changes the consolidated level of indicators of
//! a finalised self-assessment (a change with a reason). The verified
//! result is not a second scoring method: it is the *same* scoring of the
//! *same* assessment in which each verified indicator's consensus is the
//! verified level ([`verified_assessment`]), so its score tree, grades,
//! minimum conditions and explanations ([`crate::Explainer`], over the
//! verified assessment) follow every rule of the rubric exactly as the
//! self-assessed ones do. The raters' marks and evidence stay as they
//! were: the verified consensus explains itself with the verifier's
//! reason beside them. Indicators the verifier left alone keep their
//! self-assessed level. [`verify`] returns the verified score tree and
//! the list of differences, each with its reason and its effect.
//!
//! Pure: assessments and levels in, results out; nothing here knows who
//! verified or where it is stored.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::assessment::{Answer, Assessment, Consensus, NO_INFORMATION, NOT_APPLICABLE};
use crate::compiled::{CompiledRubric, IndicatorIx};
use crate::score::{Scored, Scorer, Status};

/// The verifier's level of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedLevel {
    /// Indicator id.
    pub indicator: String,
    /// A level code of the rubric's scale, `NA` or `NI`.
    pub level: String,
    /// Why it differs from the self-assessed level (or a remark).
    pub reason: Option<String>,
}

/// Why verified levels cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VerifyError {
    /// The indicator is not in the rubric.
    #[error(
        "verified level of `{indicator}`: rubric {rubric} has no such indicator: verify only its indicators"
    )]
    UnknownIndicator {
        /// The id given.
        indicator: String,
        /// The rubric (`id@version`).
        rubric: String,
    },
    /// The level is not on the rubric's scale.
    #[error(
        "verified level of `{indicator}`: `{level}` is not a level of the scale: use one of {allowed}, NA or NI"
    )]
    UnknownLevel {
        /// The indicator.
        indicator: String,
        /// The level given.
        level: String,
        /// The scale's codes, lowest first, comma-separated.
        allowed: String,
    },
    /// The assessment does not fit the rubric (it was stored against
    /// another one, or changed): nothing can be verified until it does.
    #[error("the assessment does not fit rubric {rubric}: {problems}")]
    Unfit {
        /// The rubric (`id@version`).
        rubric: String,
        /// What the check found.
        problems: String,
    },
}

/// One indicator whose verified level differs from the self-assessed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its id.
    pub id: String,
    /// The self-assessed (consolidated) level: a level code, `NA`, `NI`,
    /// or `None` when unanswered.
    pub self_level: Option<String>,
    /// The verified level, in the same form.
    pub verified_level: Option<String>,
    /// The verifier's reason.
    pub reason: Option<String>,
    /// The indicator's score, self-assessed.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub self_score: Option<Decimal>,
    /// The indicator's score, verified.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub verified_score: Option<Decimal>,
    /// The overall score of the self-assessment with this one change
    /// alone: its effect, apart from the other changes (effects of
    /// several changes need not add up: weights are re-normalised and
    /// some nodes take the weakest link).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub overall_alone: Option<Decimal>,
}

/// The verified result: its own score tree and the differences, in rubric
/// order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The verified score tree (same rubric, same rules).
    pub scored: Scored,
    /// Every indicator whose level changed.
    pub differences: Vec<Difference>,
}

/// The code of a consolidated state: the level's code, `NA`, `NI`, or
/// `None` when unanswered.
pub fn status_code(rubric: &CompiledRubric, status: Status) -> Option<String> {
    match status {
        Status::Level(l) => Some(rubric.level_code(l).to_owned()),
        Status::NoInformation => Some(NO_INFORMATION.to_owned()),
        Status::NotApplicable(_) => Some(NOT_APPLICABLE.to_owned()),
        Status::Unanswered => None,
    }
}

/// The self-assessed (consolidated) level of `indicator` in `scored`, as
/// [`status_code`] writes it; `None` when unanswered or unknown.
pub fn consolidated_level(
    rubric: &CompiledRubric,
    scored: &Scored,
    indicator: &str,
) -> Option<String> {
    scored
        .indicator_by_id(rubric, indicator)
        .and_then(|r| status_code(rubric, r.status))
}

/// Checks that `level` may be the verified level of `indicator`: a known
/// indicator and a level of the scale, `NA` or `NI`.
pub fn check_level(
    rubric: &CompiledRubric,
    indicator: &str,
    level: &str,
) -> Result<IndicatorIx, VerifyError> {
    let ix = rubric
        .indicator_ix(indicator)
        .ok_or_else(|| VerifyError::UnknownIndicator {
            indicator: indicator.to_owned(),
            rubric: rubric.key().to_owned(),
        })?;
    if level == NOT_APPLICABLE || level == NO_INFORMATION || rubric.level_ix(level).is_some() {
        return Ok(ix);
    }
    Err(VerifyError::UnknownLevel {
        indicator: indicator.to_owned(),
        level: level.to_owned(),
        allowed: rubric
            .levels()
            .iter()
            .map(|l| l.code.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// The assessment as verified: each verified indicator's consensus is the
/// verified level, justified by the verifier's reason (a confirmed level
/// without a reason keeps the council's justification). Ratings, evidence,
/// targets and comments are unchanged; indicators not verified keep their
/// self-assessed state.
pub fn verified_assessment(
    rubric: &CompiledRubric,
    assessment: &Assessment,
    verified: &[VerifiedLevel],
) -> Result<Assessment, VerifyError> {
    let mut out = assessment.clone();
    for v in verified {
        check_level(rubric, &v.indicator, &v.level)?;
        let slot = match out.answers.iter().position(|a| a.indicator == v.indicator) {
            Some(i) => i,
            None => {
                out.answers.push(Answer {
                    indicator: v.indicator.clone(),
                    target: None,
                    comment: None,
                    consensus: None,
                    ratings: Vec::new(),
                });
                out.answers.len() - 1
            }
        };
        let Some(answer) = out.answers.get_mut(slot) else {
            continue;
        };
        let kept = answer
            .consensus
            .as_ref()
            .filter(|c| c.level == v.level)
            .and_then(|c| c.justification.clone());
        answer.consensus = Some(Consensus {
            level: v.level.clone(),
            justification: v.reason.clone().or(kept),
        });
    }
    Ok(out)
}

/// Scores `assessment` (already resolved once by the caller, so it fits).
fn score_of(
    rubric: &CompiledRubric,
    scorer: &mut Scorer<'_>,
    assessment: &Assessment,
) -> Result<Scored, VerifyError> {
    let unfit = |problems: String| VerifyError::Unfit {
        rubric: rubric.key().to_owned(),
        problems,
    };
    let resolved = rubric
        .resolve(assessment)
        .map_err(|d| unfit(d.to_string()))?;
    scorer.score(&resolved).map_err(|e| unfit(e.to_string()))
}

/// The verified result of `assessment` (whose self-assessed results are
/// `self_scored`) with the verifier's `verified` levels: the verified
/// score tree and every difference with its reason, its indicator scores
/// and its effect alone on the overall score. Costs one scoring, plus one
/// per difference.
pub fn verify(
    rubric: &CompiledRubric,
    assessment: &Assessment,
    self_scored: &Scored,
    verified: &[VerifiedLevel],
) -> Result<Verification, VerifyError> {
    let mut scorer = Scorer::new(rubric);
    let whole = verified_assessment(rubric, assessment, verified)?;
    let scored = score_of(rubric, &mut scorer, &whole)?;
    let mut differences = Vec::new();
    for (i, (before, after)) in self_scored
        .indicators
        .iter()
        .zip(&scored.indicators)
        .enumerate()
    {
        let self_level = status_code(rubric, before.status);
        let verified_level = status_code(rubric, after.status);
        if self_level == verified_level {
            continue;
        }
        let ix = IndicatorIx(u32::try_from(i).unwrap_or(u32::MAX));
        let id = rubric
            .indicator(ix)
            .map(|c| c.id.clone())
            .unwrap_or_default();
        let mine: Vec<VerifiedLevel> = verified
            .iter()
            .filter(|v| v.indicator == id)
            .cloned()
            .collect();
        let alone = verified_assessment(rubric, assessment, &mine)?;
        let overall_alone = score_of(rubric, &mut scorer, &alone)?.overall;
        differences.push(Difference {
            indicator: ix,
            reason: mine.last().and_then(|v| v.reason.clone()),
            id,
            self_level,
            verified_level,
            self_score: before.score,
            verified_score: after.score,
            overall_alone,
        });
    }
    Ok(Verification {
        scored,
        differences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::example;

    fn level(indicator: &str, level: &str, reason: Option<&str>) -> VerifiedLevel {
        VerifiedLevel {
            indicator: indicator.into(),
            level: level.into(),
            reason: reason.map(Into::into),
        }
    }

    fn setup() -> (CompiledRubric, Assessment, Scored) {
        let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("rubric");
        let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT).expect("fits");
        let scored = crate::score(&rubric, &resolved).expect("scored");
        (rubric, assessment, scored)
    }

    #[test]
    fn confirming_every_level_gives_the_self_assessed_result() {
        let (rubric, assessment, scored) = setup();
        let confirmed: Vec<VerifiedLevel> = rubric
            .indicators()
            .iter()
            .filter_map(|i| {
                consolidated_level(&rubric, &scored, &i.id).map(|l| level(&i.id, &l, None))
            })
            .collect();
        assert!(!confirmed.is_empty());
        let v = verify(&rubric, &assessment, &scored, &confirmed).expect("verified");
        assert!(v.differences.is_empty(), "{:?}", v.differences);
        assert_eq!(v.scored.overall, scored.overall);
        // Same scores, grades and coverage everywhere; only the flags say
        // that each level is now a recorded consensus.
        let tree = |s: &Scored| {
            s.nodes
                .iter()
                .map(|n| (n.score, n.grade, n.coverage))
                .collect::<Vec<_>>()
        };
        assert_eq!(tree(&v.scored), tree(&scored));
    }

    #[test]
    fn a_changed_level_is_its_own_score_tree_with_the_difference_and_its_effect() {
        let (rubric, assessment, scored) = setup();
        // ADM-OR-01: raters B, B, A, no consensus: self-assessed B.
        assert_eq!(
            consolidated_level(&rubric, &scored, "ADM-OR-01").as_deref(),
            Some("B")
        );
        let verified = [
            level("ADM-OR-01", "D", Some("Organigramme non adopté")),
            level("ADM-EC-02", "B", None),
        ];
        let v = verify(&rubric, &assessment, &scored, &verified).expect("verified");
        assert_eq!(v.differences.len(), 1);
        let d = &v.differences[0];
        assert_eq!(d.id, "ADM-OR-01");
        assert_eq!(d.self_level.as_deref(), Some("B"));
        assert_eq!(d.verified_level.as_deref(), Some("D"));
        assert_eq!(d.reason.as_deref(), Some("Organigramme non adopté"));
        assert_eq!(d.verified_score, Some(Decimal::ZERO));
        assert!(d.self_score > d.verified_score);
        // One change: its effect alone is the whole verified result.
        assert_eq!(d.overall_alone, v.scored.overall);
        assert!(v.scored.overall < scored.overall);
        // The competency of the indicator moved, the other domain did not.
        let org = |s: &Scored| s.node_by_id(&rubric, "organisation").and_then(|n| n.score);
        assert!(org(&v.scored) < org(&scored));
        let gov = |s: &Scored| s.node_by_id(&rubric, "gouvernance").and_then(|n| n.score);
        assert_eq!(gov(&v.scored), gov(&scored));
        // The self-assessment itself is untouched.
        let again = verified_assessment(&rubric, &assessment, &verified).expect("applies");
        let or01 = again
            .answers
            .iter()
            .find(|a| a.indicator == "ADM-OR-01")
            .and_then(|a| a.consensus.clone())
            .expect("verified consensus");
        assert_eq!(
            or01.justification.as_deref(),
            Some("Organigramme non adopté")
        );
        assert!(
            assessment
                .answers
                .iter()
                .find(|a| a.indicator == "ADM-OR-01")
                .is_some_and(|a| a.consensus.is_none())
        );
    }

    #[test]
    fn an_unanswered_indicator_can_be_verified_and_explains_itself() {
        let (rubric, assessment, scored) = setup();
        let unanswered = rubric
            .indicators()
            .iter()
            .find(|i| consolidated_level(&rubric, &scored, &i.id).is_none())
            .map(|i| i.id.clone())
            .expect("the example leaves an indicator unanswered");
        let verified = [level(&unanswered, "NI", Some("Aucune pièce"))];
        let v = verify(&rubric, &assessment, &scored, &verified).expect("verified");
        assert_eq!(v.differences.len(), 1);
        assert_eq!(v.differences[0].self_level, None);
        assert_eq!(v.differences[0].verified_level.as_deref(), Some("NI"));
        let whole = verified_assessment(&rubric, &assessment, &verified).expect("applies");
        let why = crate::Explainer::new(&rubric, &whole, &v.scored).expect("explainer");
        let text = why
            .explain(&unanswered)
            .expect("known")
            .to_text(crate::Lang::Fr);
        assert!(text.contains("Aucune pièce"), "{text}");
    }

    #[test]
    fn unknown_indicators_and_levels_are_named() {
        let (rubric, assessment, scored) = setup();
        let err = verify(&rubric, &assessment, &scored, &[level("NOPE", "B", None)])
            .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "verified level of `NOPE`: rubric exemple@1.0.0 has no such indicator: verify only its indicators"
        );
        let err = verify(
            &rubric,
            &assessment,
            &scored,
            &[level("ADM-OR-01", "E", Some("x"))],
        )
        .expect_err("refused");
        assert_eq!(
            err.to_string(),
            "verified level of `ADM-OR-01`: `E` is not a level of the scale: use one of D, C, B, A, NA or NI"
        );
    }
}
