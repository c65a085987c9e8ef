//! Resolving an assessment against a compiled rubric: validation of the
//! assessment and its index-based form.
//!
//! [`ResolvedAssessment::new`] checks everything an assessment can get wrong
//! with respect to its rubric (rubric id and version, raters, unknown
//! indicators, level codes, duplicates, dates), collecting every problem, and
//! produces a dense form: per indicator in rubric order, its applicability
//! for this commune, the recorded consensus, the raters' marks as level
//! indices, and the effective target. Scoring reads only this form. This
//! module must not depend on `score`, `gaps` or `explain`.

use crate::assessment::{Assessment, NO_INFORMATION, NOT_APPLICABLE};
use crate::compiled::{Applicability, CompiledRubric, IndicatorIx, LevelIx, valid_cost, valid_id};
use crate::diagnostic::{Diagnostics, Error, Item, KeyPath};
use crate::rubric::FORMAT;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How many rater ids a message about an unknown rater suggests.
const SUGGESTED_RATERS: usize = 10;

/// The most raters an assessment may declare.
pub const MAX_RATERS: usize = 1000;

/// What a rater (or a consensus) said about an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A level of the scale.
    Level(LevelIx),
    /// `NA`: not applicable.
    NotApplicable,
    /// `NI`: no information (PEFA D*).
    NoInformation,
}

/// One rater's mark, by rater index (order of `[[rater]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RaterMark {
    /// Index of the rater in [`Assessment::raters`].
    pub rater: u16,
    /// The mark.
    pub mark: Mark,
}

/// The resolved input for one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ResolvedIndicator {
    /// Whether the indicator applies to this commune by the rubric's rule.
    pub applicability: Applicability,
    /// The recorded consensus, if any.
    pub consensus: Option<Mark>,
    /// The effective target (the answer's override, else the rubric's).
    pub target: LevelIx,
    /// Index of the answer in [`Assessment::answers`], if answered.
    pub answer: Option<u32>,
    marks_start: u32,
    marks_len: u32,
}

/// An assessment checked against a compiled rubric, in index form.
///
/// ```
/// use capacity::{CompiledRubric, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// assert_eq!(resolved.indicators().len(), rubric.indicators().len());
/// # let _ = assessment;
/// # Ok::<(), capacity::Diagnostics>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedAssessment {
    rubric_key: String,
    indicators: Vec<ResolvedIndicator>,
    marks: Vec<RaterMark>,
    raters: u16,
}

impl ResolvedAssessment {
    /// Checks `assessment` against `rubric`, collecting every problem
    /// (without positions: see [`CompiledRubric::resolve_toml`]).
    pub fn new(rubric: &CompiledRubric, assessment: &Assessment) -> Result<Self, Diagnostics> {
        let mut diags = Diagnostics::default();
        let r = rubric.rubric();
        let root = KeyPath::default;
        if assessment.format != FORMAT {
            diags.push(
                Error::UnsupportedFormat {
                    found: assessment.format,
                },
                root().key("format"),
                None,
            );
        }
        if assessment.rubric != r.id {
            diags.push(
                Error::WrongRubric {
                    expected: r.id.clone(),
                    found: assessment.rubric.clone(),
                },
                root().key("rubric"),
                None,
            );
        } else if assessment.rubric_version != r.version {
            diags.push(
                Error::WrongRubricVersion {
                    rubric: r.id.clone(),
                    expected: r.version.clone(),
                    found: assessment.rubric_version.clone(),
                },
                root().key("rubric_version"),
                None,
            );
        }
        if !valid_date(&assessment.date) {
            diags.push(
                Error::InvalidDate {
                    date: assessment.date.clone(),
                },
                root().key("date"),
                None,
            );
        }
        if assessment.round.trim().is_empty() {
            diags.push(
                Error::Empty {
                    field: "round".into(),
                },
                root().key("round"),
                None,
            );
        }
        let commune = &assessment.commune;
        if !valid_id(&commune.id) {
            diags.push(
                Error::InvalidId {
                    item: Item::Commune,
                    id: commune.id.clone(),
                },
                root().key("commune").key("id"),
                None,
            );
        }
        if commune.name.trim().is_empty() {
            diags.push(
                Error::Empty {
                    field: "commune.name".into(),
                },
                root().key("commune").key("name"),
                None,
            );
        }
        for (i, t) in commune.transferred.iter().enumerate() {
            if !valid_id(t) {
                diags.push(
                    Error::InvalidId {
                        item: Item::Competence,
                        id: t.clone(),
                    },
                    root().key("commune").key("transferred").index(i),
                    None,
                );
            }
        }

        if assessment.raters.len() > MAX_RATERS {
            diags.push(
                Error::TooManyRaters {
                    found: assessment.raters.len(),
                    max: MAX_RATERS,
                },
                root().key("rater"),
                None,
            );
        }
        // Each rater id's first index: duplicates and lookups in constant
        // time (a file may declare thousands of raters before the limit is
        // reported).
        let mut first_rater: HashMap<&str, usize> = HashMap::with_capacity(assessment.raters.len());
        for (i, rater) in assessment.raters.iter().enumerate() {
            first_rater.entry(rater.id.as_str()).or_insert(i);
        }
        let unique_raters = first_rater.len() == assessment.raters.len();
        for (i, rater) in assessment.raters.iter().enumerate() {
            let key = KeyPath::item("rater", i);
            if !valid_id(&rater.id) {
                diags.push(
                    Error::InvalidId {
                        item: Item::Rater,
                        id: rater.id.clone(),
                    },
                    key.clone().key("id"),
                    None,
                );
            }
            if first_rater
                .get(rater.id.as_str())
                .is_some_and(|first| *first < i)
            {
                diags.push(
                    Error::DuplicateId {
                        item: Item::Rater,
                        id: rater.id.clone(),
                        first: Item::Rater,
                    },
                    key.clone().key("id"),
                    None,
                );
            }
            if rater.name.trim().is_empty() {
                diags.push(
                    Error::Empty {
                        field: format!("{key}.name"),
                    },
                    key.key("name"),
                    None,
                );
            }
        }
        // Messages, key paths and node paths are only built for problems:
        // the happy path allocates little.
        // The raters a message suggests: the first ten, then how many more
        // (a message per unknown rater must not grow with the file).
        let known_raters = || {
            if assessment.raters.is_empty() {
                String::new()
            } else {
                let ids: Vec<&str> = assessment
                    .raters
                    .iter()
                    .take(SUGGESTED_RATERS)
                    .map(|r| r.id.as_str())
                    .collect();
                let more = assessment.raters.len().saturating_sub(SUGGESTED_RATERS);
                if more > 0 {
                    format!(", or use one of {}, … ({more} more)", ids.join(", "))
                } else {
                    format!(", or use one of {}", ids.join(", "))
                }
            }
        };
        // The rater with that id. Files usually list an answer's ratings in
        // the order of the raters, so the rater at the rating's own position
        // is tried first, then the index of ids. When two raters share an
        // id, which one is found does not matter: the duplicate is reported
        // and nothing is resolved.
        let rater_ix = |id: &str, guess: usize| -> Option<u16> {
            let at = match assessment.raters.get(guess) {
                Some(r) if r.id == id => Some(guess),
                _ => first_rater.get(id).copied(),
            };
            at.and_then(|i| u16::try_from(i).ok())
        };
        let known_levels = || {
            let codes: Vec<&str> = rubric.levels().iter().map(|l| l.code.as_str()).collect();
            codes.join(", ")
        };
        let mark = |code: &str| -> Option<Mark> {
            match code {
                NOT_APPLICABLE => Some(Mark::NotApplicable),
                NO_INFORMATION => Some(Mark::NoInformation),
                _ => rubric.level_ix(code).map(Mark::Level),
            }
        };

        let mut indicators: Vec<ResolvedIndicator> = rubric
            .indicators()
            .iter()
            .map(|ind| ResolvedIndicator {
                applicability: Applicability::of(
                    rubric
                        .rubric()
                        .indicators
                        .get(ind.source)
                        .and_then(|i| i.applies_when.as_ref()),
                    commune,
                ),
                consensus: None,
                target: ind.target,
                answer: None,
                marks_start: 0,
                marks_len: 0,
            })
            .collect();
        // Marks with their indicator, gathered in file order, then laid out
        // in rubric order.
        let mut marks: Vec<(u32, RaterMark)> =
            Vec::with_capacity(assessment.answers.iter().map(|a| a.ratings.len()).sum());
        // Answers usually follow the rubric's order: the indicator after the
        // previous answer's is tried first (ids are unique in a rubric).
        let mut next = 0u32;
        for (a, answer) in assessment.answers.iter().enumerate() {
            let key = || KeyPath::item("answer", a);
            let found = match rubric.indicator(IndicatorIx(next)) {
                Some(i) if i.id == answer.indicator => Some(IndicatorIx(next)),
                _ => rubric.indicator_ix(&answer.indicator),
            };
            let Some(ix) = found else {
                diags.push(
                    Error::UnknownIndicator {
                        indicator: answer.indicator.clone(),
                    },
                    key().key("indicator"),
                    None,
                );
                continue;
            };
            next = ix.0 + 1;
            let path = || Some(rubric.indicator_path(ix));
            let Some(resolved) = indicators.get_mut(ix.index()) else {
                continue;
            };
            if resolved.answer.is_some() {
                diags.push(
                    Error::DuplicateAnswer {
                        indicator: answer.indicator.clone(),
                    },
                    key().key("indicator"),
                    path(),
                );
                continue;
            }
            resolved.answer = u32::try_from(a).ok();
            if let Some(target) = &answer.target {
                match rubric.level_ix(target) {
                    Some(t) => resolved.target = t,
                    None if target == NOT_APPLICABLE || target == NO_INFORMATION => diags.push(
                        Error::LevelRequired {
                            field: format!("{}.target", key()),
                            code: target.clone(),
                            known: known_levels(),
                        },
                        key().key("target"),
                        path(),
                    ),
                    None => diags.push(
                        Error::UnknownLevel {
                            code: target.clone(),
                            known: known_levels(),
                        },
                        key().key("target"),
                        path(),
                    ),
                }
            }
            if let Some(consensus) = &answer.consensus {
                resolved.consensus = mark(&consensus.level);
                if resolved.consensus.is_none() {
                    diags.push(
                        Error::UnknownMark {
                            code: consensus.level.clone(),
                            known: known_levels(),
                        },
                        key().key("consensus").key("level"),
                        path(),
                    );
                }
            }
            // Known raters seen so far in this answer: a bit per rater index
            // when ids are unique and few, else a set of ids (one answer may
            // carry thousands of ratings).
            let mut seen = 0u64;
            let mut seen_ids: HashSet<&str> = HashSet::new();
            for (r, rating) in answer.ratings.iter().enumerate() {
                let rkey = || key().key("rating").index(r);
                let rater = rater_ix(&rating.rater, r);
                if rater.is_none() {
                    diags.push(
                        Error::UnknownRater {
                            rater: rating.rater.clone(),
                            known: known_raters(),
                        },
                        rkey().key("rater"),
                        path(),
                    );
                }
                // With unique rater ids, a known rater rates twice exactly
                // when its index came up before in this answer.
                let duplicate = match rater {
                    Some(k) if unique_raters && k < 64 => {
                        let bit = 1u64 << k;
                        let again = seen & bit != 0;
                        seen |= bit;
                        again
                    }
                    _ => !seen_ids.insert(rating.rater.as_str()),
                };
                if duplicate {
                    diags.push(
                        Error::DuplicateRating {
                            indicator: answer.indicator.clone(),
                            rater: rating.rater.clone(),
                        },
                        rkey().key("rater"),
                        path(),
                    );
                }
                let m = mark(&rating.level);
                if m.is_none() {
                    diags.push(
                        Error::UnknownMark {
                            code: rating.level.clone(),
                            known: known_levels(),
                        },
                        rkey().key("level"),
                        path(),
                    );
                }
                if let (Some(rater), Some(mark)) = (rater, m) {
                    marks.push((ix.0, RaterMark { rater, mark }));
                }
            }
        }
        check_plan(rubric, &assessment.plan, &mut diags);
        if !diags.is_empty() {
            return Err(diags);
        }
        // Stable: each indicator's marks keep the file's order.
        marks.sort_by_key(|(ix, _)| *ix);
        let mut start = 0usize;
        for (i, resolved) in indicators.iter_mut().enumerate() {
            let len = marks
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|(ix, _)| *ix as usize == i)
                .count();
            resolved.marks_start = u32::try_from(start).unwrap_or(u32::MAX);
            resolved.marks_len = u32::try_from(len).unwrap_or(0);
            start += len;
        }
        let marks = marks.into_iter().map(|(_, m)| m).collect();
        Ok(Self {
            rubric_key: rubric.key().to_owned(),
            indicators,
            marks,
            raters: u16::try_from(assessment.raters.len()).unwrap_or(u16::MAX),
        })
    }

    /// The rubric this was resolved against (`id@version`).
    pub fn rubric_key(&self) -> &str {
        &self.rubric_key
    }

    /// Per indicator, in rubric order.
    pub fn indicators(&self) -> &[ResolvedIndicator] {
        &self.indicators
    }

    /// One indicator's input.
    pub fn indicator(&self, ix: IndicatorIx) -> Option<&ResolvedIndicator> {
        self.indicators.get(ix.index())
    }

    /// The raters' marks on one indicator, in file order.
    pub fn marks(&self, ix: IndicatorIx) -> &[RaterMark] {
        self.indicator(ix)
            .and_then(|r| {
                let start = r.marks_start as usize;
                self.marks.get(start..start + r.marks_len as usize)
            })
            .unwrap_or_default()
    }

    /// Number of raters declared.
    pub fn rater_count(&self) -> usize {
        usize::from(self.raters)
    }
}

impl CompiledRubric {
    /// Reads an assessment from TOML text and resolves it against this
    /// rubric; every problem carries its `line:column`.
    pub fn resolve_toml(
        &self,
        text: &str,
    ) -> Result<(Assessment, ResolvedAssessment), Diagnostics> {
        let assessment = Assessment::from_toml(text)?;
        let resolved = self.resolve(&assessment).map_err(|d| d.locate(text))?;
        Ok((assessment, resolved))
    }

    /// Resolves an assessment against this rubric (see
    /// [`ResolvedAssessment::new`]).
    pub fn resolve(&self, assessment: &Assessment) -> Result<ResolvedAssessment, Diagnostics> {
        ResolvedAssessment::new(self, assessment)
    }
}

/// Checks the council's plan decisions against the rubric: every decision
/// names an action of the rubric once, by its key, with a valid cost; every
/// council action names an indicator of the rubric, has a title, a valid
/// cost and, when set, a calendar deadline.
fn check_plan(rubric: &CompiledRubric, plan: &crate::PlanDecisions, diags: &mut Diagnostics) {
    let mut seen: HashSet<&str> = HashSet::new();
    for (n, d) in plan.decisions.iter().enumerate() {
        let key = || KeyPath::default().key("plan").key("decision").index(n);
        let Some((indicator, from, index)) = d.parts() else {
            diags.push(
                Error::InvalidActionKey {
                    action: d.action.clone(),
                },
                key().key("action"),
                None,
            );
            continue;
        };
        let has_action = |ix| {
            rubric
                .indicator_source(ix)
                .and_then(|source| source.actions.get(usize::try_from(index).ok()?))
                .is_some_and(|action| action.from == from)
        };
        match rubric.indicator_ix(indicator) {
            None => diags.push(
                Error::UnknownIndicator {
                    indicator: indicator.to_owned(),
                },
                key().key("action"),
                None,
            ),
            Some(ix) if !has_action(ix) => diags.push(
                Error::UnknownAction {
                    indicator: indicator.to_owned(),
                    from: from.to_owned(),
                    index,
                },
                key().key("action"),
                Some(rubric.indicator_path(ix)),
            ),
            Some(_) if !seen.insert(d.action.as_str()) => diags.push(
                Error::DuplicateDecision {
                    action: d.action.clone(),
                },
                key().key("action"),
                None,
            ),
            Some(_) => {}
        }
        if let Some(cost) = d.cost
            && !valid_cost(cost)
        {
            diags.push(Error::InvalidCost { cost }, key().key("cost"), None);
        }
    }
    for (n, a) in plan.council.iter().enumerate() {
        let key = || {
            KeyPath::default()
                .key("plan")
                .key("council_action")
                .index(n)
        };
        if rubric.indicator_ix(&a.indicator).is_none() {
            diags.push(
                Error::UnknownIndicator {
                    indicator: a.indicator.clone(),
                },
                key().key("indicator"),
                None,
            );
        }
        if a.title.trim().is_empty() {
            diags.push(
                Error::Empty {
                    field: format!("{}.title", key()),
                },
                key().key("title"),
                None,
            );
        }
        if !valid_cost(a.cost) {
            diags.push(Error::InvalidCost { cost: a.cost }, key().key("cost"), None);
        }
        if let Some(deadline) = &a.deadline
            && !valid_date(deadline)
        {
            diags.push(
                Error::InvalidDate {
                    date: deadline.to_string(),
                },
                key().key("deadline"),
                None,
            );
        }
    }
}

/// Whether `date` is a valid `YYYY-MM-DD` date of the Gregorian calendar.
/// Two valid dates compare as their strings do.
pub fn valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = date.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

#[cfg(test)]
mod tests {
    use super::valid_date;

    #[test]
    fn dates() {
        for (d, ok) in [
            ("2024-03-14", true),
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("1900-02-29", false),
            ("2000-02-29", true),
            ("2024-13-01", false),
            ("2024-00-10", false),
            ("2024-04-31", false),
            ("2024-4-1", false),
            ("2024/03/14", false),
            ("２０２４-03-14", false),
            ("", false),
        ] {
            assert_eq!(valid_date(d), ok, "{d}");
        }
    }
}
