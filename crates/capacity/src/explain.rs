//! Explanations: "why this score?", built on demand.
//!
//! Scoring keeps only what is needed to score ([`crate::Scored`]); this
//! module rebuilds, for one node or one indicator at a time, how the result
//! was obtained from `(rubric, assessment, scored)`: the children with their
//! declared and effective (re-normalised) weights, the method and what it
//! did (weighted sum, minimum, table row), the flags; for an indicator, how
//! its level was consolidated and each rater's mark, evidence and
//! references. Nothing here is on the scoring path. This module reads
//! results; it must not change them.

use crate::assessment::{Answer, Assessment, Role};
use crate::compiled::{
    Aggregate, CompiledRubric, IndicatorIx, LevelIx, NodeIx, NodeKind, NodeRef, ROOT,
};
use crate::diagnostic::Error;
use crate::rubric::AppliesWhen;
use crate::score::{Condition, Flags, NodeStatus, Scored, Status};
use crate::text::{Lang, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Builds explanations for one scored assessment.
///
/// ```
/// use capacity::{CompiledRubric, Explainer, Explanation, Lang, example};
/// let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
/// let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
/// let scored = capacity::score(&rubric, &resolved)?;
/// let why = Explainer::new(&rubric, &assessment, &scored)?;
/// let Some(Explanation::Indicator(e)) = why.explain("ADM-EC-01") else { panic!() };
/// assert_eq!(e.ratings.len(), 3);
/// println!("{}", why.explain("administration").expect("known").to_text(Lang::Fr));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Explainer<'a> {
    rubric: &'a CompiledRubric,
    assessment: &'a Assessment,
    scored: &'a Scored,
}

/// An explanation of a node or an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    /// A node.
    Node(NodeExplanation),
    /// An indicator.
    Indicator(IndicatorExplanation),
}

/// How a node's score was obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeExplanation {
    /// The node.
    pub node: NodeIx,
    /// What it is.
    pub kind: NodeKind,
    /// Its id.
    pub id: String,
    /// Its path (`domain/competency`; empty for the root).
    pub path: String,
    /// Its title.
    pub title: Text,
    /// Its method.
    pub method: Aggregate,
    /// Its state.
    pub status: NodeStatus,
    /// Its score (exact).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Its grade as shown (`C`, `C+`, `B+`).
    pub grade: Option<String>,
    /// Its flags.
    pub flags: Flags,
    /// Answered / applicable indicators below it.
    pub coverage: crate::score::Coverage,
    /// What the method did.
    pub computation: Computation,
    /// Its children, in rubric order.
    pub children: Vec<Contribution>,
}

/// What a node's method did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Computation {
    /// `Σ wᵢ·sᵢ / Σ wᵢ` over included children.
    WeightedMean {
        /// `Σ wᵢ` over included children.
        #[serde(with = "rust_decimal::serde::str")]
        sum_of_weights: Decimal,
        /// `Σ wᵢ·sᵢ` over included children.
        #[serde(with = "rust_decimal::serde::str")]
        weighted_sum: Decimal,
    },
    /// The minimum child score.
    WeakestLink {
        /// The child holding the minimum (the first in rubric order).
        minimum: NodeRef,
        /// Whether another child is higher (the `+`).
        plus: bool,
        /// Whether this replaces a table that had no rows for the number of
        /// children.
        table_fallback: bool,
    },
    /// A table row.
    Table {
        /// The table id.
        table: String,
        /// The children's grades looked up, highest first.
        inputs: Vec<String>,
        /// The row's result.
        result: String,
    },
    /// A table node with one included child takes that child's score.
    SingleChild {
        /// The child.
        child: NodeRef,
    },
    /// Nothing to compute: not applicable or unanswered.
    None,
}

/// One child's part in its parent's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contribution {
    /// The child.
    pub child: NodeRef,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Whether it counted (answered and applicable).
    pub included: bool,
    /// Why it did not count, when it did not.
    pub excluded: Option<Exclusion>,
    /// Its score (exact).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Its grade as shown.
    pub grade: Option<String>,
    /// Its declared weight.
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// Its weight re-normalised over included children (sums to 1).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub effective_weight: Option<Decimal>,
    /// `effective_weight × score` (weighted mean only).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub contribution: Option<Decimal>,
    /// Its flags.
    pub flags: Flags,
}

/// Why a child was left out of its parent's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Not applicable.
    NotApplicable,
    /// Not answered yet.
    Unanswered,
}

/// How an indicator's level was obtained, down to each rater.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorExplanation {
    /// The indicator.
    pub indicator: IndicatorIx,
    /// Its id.
    pub id: String,
    /// Its path (`domain/competency/indicator`).
    pub path: String,
    /// Its title.
    pub title: Text,
    /// Its consolidated state.
    pub status: Status,
    /// The consolidated level's code, `NA`, `NI`, or none when unanswered.
    pub level: Option<String>,
    /// The descriptor of the consolidated level.
    pub descriptor: Option<Text>,
    /// Its score (exact).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub score: Option<Decimal>,
    /// Its flags.
    pub flags: Flags,
    /// The effective target's code.
    pub target: String,
    /// The minimum condition, when critical.
    pub condition: Option<Condition>,
    /// How the level was obtained.
    pub consolidation: Consolidation,
    /// Each rater's mark, in the file's order.
    pub ratings: Vec<RatingExplanation>,
    /// The answer's comment.
    pub comment: Option<String>,
    /// The evidence the rubric expects.
    pub evidence_expected: Text,
}

/// How an indicator's level was consolidated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Consolidation {
    /// Not applicable by the rubric's rule.
    Rule {
        /// The rule.
        rule: AppliesWhen,
    },
    /// The recorded consensus.
    Consensus {
        /// Its code (a level, NA or NI).
        level: String,
        /// Its justification.
        justification: Option<String>,
    },
    /// The lower median of the raters' levels.
    LowerMedian {
        /// The raters' levels, lowest first.
        levels: Vec<String>,
        /// The level chosen.
        chosen: String,
    },
    /// Raters gave only NI (and NA).
    NoInformation,
    /// Raters gave only NA.
    NotApplicable,
    /// Nobody rated it.
    Unanswered,
}

/// One rater's mark on an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RatingExplanation {
    /// The rater id.
    pub rater: String,
    /// The rater's name.
    pub name: String,
    /// The rater's role.
    pub role: Option<Role>,
    /// The mark (a level code, NA or NI).
    pub level: String,
    /// Evidence given.
    pub evidence: Option<String>,
    /// References.
    pub refs: Vec<String>,
}

impl<'a> Explainer<'a> {
    /// An explainer for `scored`, which must come from `assessment` scored
    /// against `rubric`.
    pub fn new(
        rubric: &'a CompiledRubric,
        assessment: &'a Assessment,
        scored: &'a Scored,
    ) -> Result<Self, Error> {
        scored.check(rubric)?;
        Ok(Self {
            rubric,
            assessment,
            scored,
        })
    }

    /// Explains a node or an indicator by id; the rubric's own id (or `""`)
    /// names the overall root.
    pub fn explain(&self, id: &str) -> Option<Explanation> {
        if id.is_empty() || id == self.rubric.rubric().id {
            return self.node(ROOT).map(Explanation::Node);
        }
        match self.rubric.find(id)? {
            NodeRef::Node(ix) => self.node(ix).map(Explanation::Node),
            NodeRef::Indicator(ix) => self.indicator(ix).map(Explanation::Indicator),
        }
    }

    /// A child's part, before its effective weight is known.
    fn contribution(&self, child: NodeRef) -> Option<Contribution> {
        let rubric = self.rubric;
        let (score, grade, flags, excluded, weight) = match child {
            NodeRef::Node(ix) => {
                let res = self.scored.node(ix)?;
                let excluded = match res.status {
                    NodeStatus::Scored => None,
                    NodeStatus::NotApplicable => Some(Exclusion::NotApplicable),
                    NodeStatus::Unanswered => Some(Exclusion::Unanswered),
                };
                let grade = res.grade.map(|g| g.label(rubric));
                (
                    res.score,
                    grade,
                    res.flags,
                    excluded,
                    rubric.node(ix)?.weight,
                )
            }
            NodeRef::Indicator(ix) => {
                let res = self.scored.indicator(ix)?;
                let excluded = match res.status {
                    Status::Level(_) | Status::NoInformation => None,
                    Status::NotApplicable(_) => Some(Exclusion::NotApplicable),
                    Status::Unanswered => Some(Exclusion::Unanswered),
                };
                // NI shows as the lowest level with PEFA's asterisk (D*).
                let grade = match res.status {
                    Status::NoInformation => Some(format!("{}*", rubric.level_code(LevelIx(0)))),
                    _ => res.level().map(|l| rubric.level_code(l).to_owned()),
                };
                (
                    res.score,
                    grade,
                    res.flags,
                    excluded,
                    rubric.indicator(ix)?.weight,
                )
            }
        };
        Some(Contribution {
            child,
            id: rubric.id(child).to_owned(),
            title: rubric.title(child).cloned().unwrap_or_default(),
            included: score.is_some(),
            excluded,
            score,
            grade,
            weight,
            effective_weight: None,
            contribution: None,
            flags,
        })
    }

    /// Explains one node.
    pub fn node(&self, ix: NodeIx) -> Option<NodeExplanation> {
        let rubric = self.rubric;
        let node = rubric.node(ix)?;
        let result = self.scored.node(ix)?;
        let mut children = Vec::with_capacity(node.children.len());
        let mut sum_w = Decimal::ZERO;
        let mut weighted_sum = Decimal::ZERO;
        for child in rubric.children(ix) {
            let c = self.contribution(child)?;
            if let Some(s) = c.score {
                sum_w += c.weight;
                weighted_sum += c.weight * s;
            }
            children.push(c);
        }
        for c in &mut children {
            if c.included && sum_w > Decimal::ZERO {
                let w = c.weight / sum_w;
                c.effective_weight = Some(w);
                if node.aggregate == Aggregate::WeightedMean {
                    c.contribution = c.score.map(|s| w * s);
                }
            }
        }
        let included: Vec<&Contribution> = children.iter().filter(|c| c.included).collect();
        let minimum = included
            .iter()
            .filter_map(|c| c.score.map(|s| (s, c.child)))
            .fold(None::<(Decimal, NodeRef)>, |m, (s, r)| match m {
                Some((ms, _)) if ms <= s => m,
                _ => Some((s, r)),
            });
        let computation = match (result.status, node.aggregate, result.grade) {
            (NodeStatus::Scored, Aggregate::WeightedMean, _) => Computation::WeightedMean {
                sum_of_weights: sum_w,
                weighted_sum,
            },
            (NodeStatus::Scored, _, Some(crate::Grade::Row { table, row })) => {
                let mut inputs: Vec<(u8, String)> = included
                    .iter()
                    .map(|c| {
                        let level = c.score.map_or(LevelIx(0), |s| rubric.grade_of_score(s));
                        (level.0, rubric.level_code(level).to_owned())
                    })
                    .collect();
                inputs.sort_by_key(|(level, _)| std::cmp::Reverse(*level));
                Computation::Table {
                    table: rubric
                        .rubric()
                        .tables
                        .get(table.index())
                        .map(|t| t.id.clone())
                        .unwrap_or_default(),
                    inputs: inputs.into_iter().map(|(_, c)| c).collect(),
                    result: rubric
                        .table_row_source(table, row)
                        .map(|r| r.result.clone())
                        .unwrap_or_default(),
                }
            }
            (NodeStatus::Scored, Aggregate::Table(_), Some(crate::Grade::Band(_))) => {
                Computation::SingleChild {
                    child: minimum.map_or(NodeRef::Node(ix), |(_, r)| r),
                }
            }
            (NodeStatus::Scored, _, Some(crate::Grade::Link { plus, .. })) => {
                Computation::WeakestLink {
                    minimum: minimum.map_or(NodeRef::Node(ix), |(_, r)| r),
                    plus,
                    table_fallback: result.flags.contains(Flags::TABLE_FALLBACK),
                }
            }
            _ => Computation::None,
        };
        Some(NodeExplanation {
            node: ix,
            kind: node.kind,
            id: node.id.clone(),
            path: rubric.node_path(ix),
            title: rubric.title(NodeRef::Node(ix)).cloned().unwrap_or_default(),
            method: node.aggregate,
            status: result.status,
            score: result.score,
            grade: result.grade.map(|g| g.label(rubric)),
            flags: result.flags,
            coverage: result.coverage,
            computation,
            children,
        })
    }

    fn answer(&self, ix: IndicatorIx) -> Option<&'a Answer> {
        let id = &self.rubric.indicator(ix)?.id;
        self.assessment.answers.iter().find(|a| &a.indicator == id)
    }

    /// Explains one indicator, down to each rater's mark and evidence.
    pub fn indicator(&self, ix: IndicatorIx) -> Option<IndicatorExplanation> {
        let rubric = self.rubric;
        let compiled = rubric.indicator(ix)?;
        let source = rubric.indicator_source(ix)?;
        let result = self.scored.indicator(ix)?;
        let answer = self.answer(ix);
        let ratings: Vec<RatingExplanation> = answer
            .map(|a| {
                a.ratings
                    .iter()
                    .map(|r| {
                        let rater = self.assessment.raters.iter().find(|p| p.id == r.rater);
                        RatingExplanation {
                            rater: r.rater.clone(),
                            name: rater.map(|p| p.name.clone()).unwrap_or_default(),
                            role: rater.map(|p| p.role),
                            level: r.level.clone(),
                            evidence: r.evidence.clone(),
                            refs: r.refs.clone(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let consolidation = match result.status {
            Status::NotApplicable(crate::NotApplicableBy::Rule) => Consolidation::Rule {
                rule: source.applies_when.clone().unwrap_or_default(),
            },
            _ if result.flags.contains(Flags::CONSENSUS) => {
                let c = answer.and_then(|a| a.consensus.as_ref());
                Consolidation::Consensus {
                    level: c.map(|c| c.level.clone()).unwrap_or_default(),
                    justification: c.and_then(|c| c.justification.clone()),
                }
            }
            Status::Level(l) => {
                let mut levels: Vec<LevelIx> = ratings
                    .iter()
                    .filter_map(|r| rubric.level_ix(&r.level))
                    .collect();
                levels.sort();
                Consolidation::LowerMedian {
                    levels: levels
                        .iter()
                        .map(|l| rubric.level_code(*l).to_owned())
                        .collect(),
                    chosen: rubric.level_code(l).to_owned(),
                }
            }
            Status::NoInformation => Consolidation::NoInformation,
            Status::NotApplicable(_) => Consolidation::NotApplicable,
            Status::Unanswered => Consolidation::Unanswered,
        };
        let level = match result.status {
            Status::Level(l) => Some(rubric.level_code(l).to_owned()),
            Status::NoInformation => Some(crate::NO_INFORMATION.to_owned()),
            Status::NotApplicable(_) => Some(crate::NOT_APPLICABLE.to_owned()),
            Status::Unanswered => None,
        };
        let descriptor = result
            .level()
            .and_then(|l| source.descriptor.get(rubric.level_code(l)))
            .cloned();
        Some(IndicatorExplanation {
            indicator: ix,
            id: compiled.id.clone(),
            path: rubric.indicator_path(ix),
            title: source.title.clone(),
            status: result.status,
            level,
            descriptor,
            score: result.score,
            flags: result.flags,
            target: rubric.level_code(result.target).to_owned(),
            condition: result.condition,
            consolidation,
            ratings,
            comment: answer.and_then(|a| a.comment.clone()),
            evidence_expected: source.evidence.clone(),
        })
    }
}

fn score_text(score: Option<Decimal>, lang: Lang) -> String {
    score.map_or_else(|| "—".to_owned(), |s| crate::format::score(s, lang))
}

impl Explanation {
    /// A short plain-text account, in French or English, for a terminal or
    /// a tooltip.
    pub fn to_text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        let colon = if fr { " : " } else { ": " };
        let mut out = String::new();
        match self {
            Explanation::Node(n) => {
                let _ = writeln!(
                    out,
                    "{} — {}{colon}{}{}",
                    if n.path.is_empty() { &n.id } else { &n.path },
                    n.title.get(lang),
                    score_text(n.score, lang),
                    n.grade
                        .as_deref()
                        .map(|g| format!(" ({g})"))
                        .unwrap_or_default(),
                );
                let method = match (&n.computation, fr) {
                    (Computation::WeightedMean { .. }, true) => "moyenne pondérée".to_owned(),
                    (Computation::WeightedMean { .. }, false) => "weighted mean".to_owned(),
                    (
                        Computation::WeakestLink {
                            table_fallback: true,
                            ..
                        },
                        true,
                    ) => "maillon faible (table sans ligne pour ce nombre d'éléments)".to_owned(),
                    (
                        Computation::WeakestLink {
                            table_fallback: true,
                            ..
                        },
                        false,
                    ) => "weakest link (table has no rows for this many children)".to_owned(),
                    (Computation::WeakestLink { .. }, true) => "maillon faible".to_owned(),
                    (Computation::WeakestLink { .. }, false) => "weakest link".to_owned(),
                    (
                        Computation::Table {
                            table,
                            inputs,
                            result,
                        },
                        true,
                    ) => {
                        format!("table {table} : [{}] → {result}", inputs.join(", "))
                    }
                    (
                        Computation::Table {
                            table,
                            inputs,
                            result,
                        },
                        false,
                    ) => {
                        format!("table {table}: [{}] → {result}", inputs.join(", "))
                    }
                    (Computation::SingleChild { .. }, true) => "un seul élément retenu".to_owned(),
                    (Computation::SingleChild { .. }, false) => "a single child counted".to_owned(),
                    (Computation::None, true) => "non calculé".to_owned(),
                    (Computation::None, false) => "not computed".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "{} {method} ; {} {}/{}",
                    if fr { "Méthode :" } else { "Method:" },
                    if fr { "couverture" } else { "coverage" },
                    n.coverage.answered,
                    n.coverage.applicable,
                );
                if !n.flags.is_empty() {
                    let _ = writeln!(
                        out,
                        "{} {}",
                        if fr { "Signaux :" } else { "Flags:" },
                        n.flags
                    );
                }
                for c in &n.children {
                    let weight = c
                        .effective_weight
                        .map(|w| crate::format::percent(w, lang))
                        .unwrap_or_else(|| match c.excluded {
                            Some(Exclusion::NotApplicable) => "NA".to_owned(),
                            _ if fr => "non répondu".to_owned(),
                            _ => "unanswered".to_owned(),
                        });
                    let _ = writeln!(
                        out,
                        "  - {} {}{colon}{}{} [{weight}]",
                        c.id,
                        c.title.get(lang),
                        score_text(c.score, lang),
                        c.grade
                            .as_deref()
                            .map(|g| format!(" ({g})"))
                            .unwrap_or_default(),
                    );
                }
            }
            Explanation::Indicator(i) => {
                let _ = writeln!(
                    out,
                    "{} — {}{colon}{} ({})",
                    i.path,
                    i.title.get(lang),
                    score_text(i.score, lang),
                    i.level
                        .as_deref()
                        .unwrap_or(if fr { "non répondu" } else { "unanswered" }),
                );
                let how = match (&i.consolidation, fr) {
                    (Consolidation::Rule { .. }, true) => {
                        "non applicable selon la règle du référentiel".to_owned()
                    }
                    (Consolidation::Rule { .. }, false) => {
                        "not applicable by the rubric's rule".to_owned()
                    }
                    (
                        Consolidation::Consensus {
                            level,
                            justification,
                        },
                        true,
                    ) => format!(
                        "consensus {level}{}",
                        justification
                            .as_deref()
                            .map(|j| format!(" : {j}"))
                            .unwrap_or_default()
                    ),
                    (
                        Consolidation::Consensus {
                            level,
                            justification,
                        },
                        false,
                    ) => format!(
                        "consensus {level}{}",
                        justification
                            .as_deref()
                            .map(|j| format!(": {j}"))
                            .unwrap_or_default()
                    ),
                    (Consolidation::LowerMedian { levels, chosen }, true) => {
                        format!("médiane inférieure de [{}] = {chosen}", levels.join(", "))
                    }
                    (Consolidation::LowerMedian { levels, chosen }, false) => {
                        format!("lower median of [{}] = {chosen}", levels.join(", "))
                    }
                    (Consolidation::NoInformation, true) => "pas d'information (D*)".to_owned(),
                    (Consolidation::NoInformation, false) => "no information (D*)".to_owned(),
                    (Consolidation::NotApplicable, true) => {
                        "non applicable selon les évaluateurs".to_owned()
                    }
                    (Consolidation::NotApplicable, false) => {
                        "not applicable according to raters".to_owned()
                    }
                    (Consolidation::Unanswered, true) => "pas encore évalué".to_owned(),
                    (Consolidation::Unanswered, false) => "not yet rated".to_owned(),
                };
                let _ = writeln!(out, "{} {how}", if fr { "Niveau :" } else { "Level:" });
                if !i.flags.is_empty() {
                    let _ = writeln!(
                        out,
                        "{} {}",
                        if fr { "Signaux :" } else { "Flags:" },
                        i.flags
                    );
                }
                for r in &i.ratings {
                    let _ = writeln!(
                        out,
                        "  - {} ({}){colon}{}{}",
                        r.name,
                        r.rater,
                        r.level,
                        r.evidence
                            .as_deref()
                            .map(|e| format!(" — {e}"))
                            .unwrap_or_default(),
                    );
                }
            }
        }
        out
    }
}
