//! Property tests: score bounds, monotonicity, order independence and
//! TOML round trips, over generated rubrics and assessments.

use crate::rubric::{
    Action, Aggregation, AppliesWhen, Competency, Domain, Horizon, Indicator, Kind, Level, Method,
    Rubric, Scale, Setting, Table, TableRow,
};
use crate::{
    ActionDecision, ActionStatus, Answer, Assessment, Commune, CompiledRubric, Consensus,
    CouncilActionInput, Decision, NodeStatus, PlanDecisions, Rater, Rating, Role, Scored, Text,
    score,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A rubric's shape: number of levels, the root's method, and per domain
/// its method and weight, per competency its method and weight, per
/// indicator its weight. Methods: 0 weighted mean, 1 weakest link, 2 table.
/// A competency: method, weight, indicator weights.
type CompetencyShape = (u8, u8, Vec<u8>);

#[derive(Debug, Clone)]
struct Shape {
    levels: usize,
    root: u8,
    domains: Vec<(u8, u8, Vec<CompetencyShape>)>,
    table_seed: u64,
}

fn shape(methods: std::ops::Range<u8>) -> impl Strategy<Value = Shape> {
    let m = methods;
    (
        2usize..6,
        m.clone(),
        prop::collection::vec(
            (
                m.clone(),
                1u8..20,
                prop::collection::vec((m, 1u8..20, prop::collection::vec(1u8..20, 1..5)), 1..4),
            ),
            1..4,
        ),
        any::<u64>(),
    )
        .prop_map(|(levels, root, domains, table_seed)| Shape {
            levels,
            root,
            domains,
            table_seed,
        })
}

fn text(s: &str) -> Text {
    Text::fr(s)
}

fn aggregation(method: u8) -> Option<Aggregation> {
    Some(match method {
        0 => Aggregation {
            method: Method::WeightedMean,
            table: None,
        },
        1 => Aggregation {
            method: Method::WeakestLink,
            table: None,
        },
        _ => Aggregation {
            method: Method::Table,
            table: Some("t".into()),
        },
    })
}

/// Every multiset of `n` level indices below `levels`, highest first.
fn multisets(levels: usize, n: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut m = vec![levels - 1; n];
    loop {
        out.push(m.clone());
        let Some(i) = m.iter().rposition(|g| *g > 0) else {
            return out;
        };
        let v = m[i] - 1;
        for g in &mut m[i..] {
            *g = v;
        }
    }
}

fn build(s: &Shape) -> Rubric {
    let codes: Vec<String> = (0..s.levels).map(|i| format!("L{i}")).collect();
    let weight = |w: u8| Some(Decimal::new(i64::from(w), 1));
    let mut seed = s.table_seed | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut rows = Vec::new();
    for n in 1..=4 {
        for m in multisets(s.levels, n) {
            rows.push(TableRow {
                inputs: m.iter().map(|i| codes[*i].clone()).collect(),
                result: "r".into(),
                score: Decimal::new((next() % 10_001) as i64, 2),
            });
        }
    }
    let mut r = Rubric {
        format: 1,
        id: "p".into(),
        version: "1".into(),
        title: text("P"),
        description: None,
        sources: Vec::new(),
        scale: Scale {
            basic: codes[s.levels / 2].clone(),
            disagreement_span: None,
            levels: codes
                .iter()
                .enumerate()
                .map(|(i, c)| Level {
                    code: c.clone(),
                    value: Decimal::new(i as i64 * 7 + 3, 1),
                    label: text(c),
                })
                .collect(),
        },
        aggregation: aggregation(s.root),
        tables: vec![Table {
            id: "t".into(),
            rows,
        }],
        domains: Vec::new(),
        competencies: Vec::new(),
        indicators: Vec::new(),
    };
    for (d, (dm, dw, comps)) in s.domains.iter().enumerate() {
        let did = format!("d{d}");
        r.domains.push(Domain {
            id: did.clone(),
            title: text("D"),
            weight: weight(*dw),
            aggregation: aggregation(*dm),
        });
        for (c, (cm, cw, inds)) in comps.iter().enumerate() {
            let cid = format!("d{d}c{c}");
            r.competencies.push(Competency {
                id: cid.clone(),
                domain: did.clone(),
                title: text("C"),
                weight: weight(*cw),
                aggregation: aggregation(*cm),
            });
            for (i, iw) in inds.iter().enumerate() {
                r.indicators.push(Indicator {
                    id: format!("{cid}i{i}"),
                    competency: cid.clone(),
                    title: text("I"),
                    question: None,
                    weight: weight(*iw),
                    target: codes[s.levels - 1].clone(),
                    critical: i == 0,
                    minimum: None,
                    source: "s".into(),
                    evidence: text("e"),
                    applies_when: None,
                    descriptor: codes.iter().map(|c| (c.clone(), text(c))).collect(),
                    actions: Vec::new(),
                });
            }
        }
    }
    r
}

/// Raters' marks: per indicator and rater a code `v`, read as a level when
/// `v < levels`, else NA, NI or no rating; a consensus now and then.
fn assessment(rubric: &Rubric, marks: &[u8], consensus: &[u8], raters: usize) -> Assessment {
    let levels = rubric.scale.levels.len();
    let code = |v: u8| -> Option<String> {
        let v = usize::from(v) % (levels + 3);
        match v {
            v if v < levels => Some(rubric.scale.levels[v].code.clone()),
            v if v == levels => Some("NA".into()),
            v if v == levels + 1 => Some("NI".into()),
            _ => None,
        }
    };
    let mut a = Assessment {
        format: 1,
        rubric: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        round: "r".into(),
        date: "2024-01-01".into(),
        fictional: false,
        finalised: false,
        comment: None,
        commune: Commune {
            id: "c".into(),
            name: "C".into(),
            cercle: "X".into(),
            region: "Y".into(),
            kind: Kind::Commune,
            population: None,
            setting: None,
            transferred: Vec::new(),
        },
        raters: (0..raters)
            .map(|r| Rater {
                id: format!("r{r}"),
                name: "R".into(),
                role: Role::Staff,
            })
            .collect(),
        answers: Vec::new(),
        plan: Default::default(),
    };
    for (i, ind) in rubric.indicators.iter().enumerate() {
        let ratings: Vec<Rating> = (0..raters)
            .filter_map(|r| {
                let v = marks.get(i * 4 + r).copied().unwrap_or(0);
                code(v).map(|level| Rating {
                    rater: format!("r{r}"),
                    level,
                    evidence: None,
                    refs: Vec::new(),
                })
            })
            .collect();
        let c = consensus.get(i).copied().unwrap_or(255);
        let consensus = (c < 40).then(|| code(c)).flatten().map(|level| Consensus {
            level,
            justification: None,
        });
        a.answers.push(Answer {
            indicator: ind.id.clone(),
            target: None,
            comment: None,
            consensus,
            ratings,
        });
    }
    a
}

fn run(rubric: &CompiledRubric, a: &Assessment) -> Scored {
    let resolved = rubric
        .resolve(a)
        .unwrap_or_else(|e| panic!("generated assessment is valid:\n{e}"));
    score(rubric, &resolved).expect("same rubric")
}

const MARKS: usize = 3 * 3 * 4 * 4;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scores_stay_within_0_and_100(
        s in shape(0..3),
        marks in prop::collection::vec(any::<u8>(), MARKS),
        consensus in prop::collection::vec(any::<u8>(), MARKS / 4),
        raters in 1usize..5,
    ) {
        let rubric = CompiledRubric::new(build(&s)).unwrap_or_else(|e| panic!("{e}"));
        let scored = run(&rubric, &assessment(rubric.rubric(), &marks, &consensus, raters));
        let in_range = |x: Decimal| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&x);
        for n in &scored.nodes {
            prop_assert_eq!(n.score.is_some(), n.status == NodeStatus::Scored);
            prop_assert!(n.score.is_none_or(in_range), "{:?}", n.score);
        }
        for i in &scored.indicators {
            prop_assert!(i.score.is_none_or(in_range), "{:?}", i.score);
        }
        prop_assert_eq!(scored.provisional, scored.coverage.answered < scored.coverage.applicable);
        let gaps = crate::gaps(&rubric, &scored).expect("same rubric");
        for g in &gaps.nodes {
            prop_assert!(g.points.is_none_or(in_range));
        }
    }

    #[test]
    fn raising_a_rater_never_lowers_a_score(
        s in shape(0..2),
        marks in prop::collection::vec(any::<u8>(), MARKS),
        consensus in prop::collection::vec(any::<u8>(), MARKS / 4),
        raters in 1usize..5,
        pick in any::<prop::sample::Index>(),
        steps in 1usize..4,
    ) {
        let rubric = CompiledRubric::new(build(&s)).unwrap_or_else(|e| panic!("{e}"));
        let before = assessment(rubric.rubric(), &marks, &consensus, raters);
        // Raise one rating that is a level below the top.
        let levels: Vec<String> = rubric.levels().iter().map(|l| l.code.clone()).collect();
        let candidates: Vec<(usize, usize)> = before.answers.iter().enumerate().flat_map(|(a, ans)| {
            ans.ratings.iter().enumerate().filter(|(_, r)| {
                levels.iter().position(|c| *c == r.level).is_some_and(|l| l + 1 < levels.len())
            }).map(move |(r, _)| (a, r))
        }).collect();
        prop_assume!(!candidates.is_empty());
        let (a, r) = candidates[pick.index(candidates.len())];
        let mut after = before.clone();
        let rating = &mut after.answers[a].ratings[r];
        let l = levels.iter().position(|c| *c == rating.level).expect("a level");
        rating.level = levels[(l + steps).min(levels.len() - 1)].clone();
        let (x, y) = (run(&rubric, &before), run(&rubric, &after));
        for (n, (b, a)) in x.nodes.iter().zip(&y.nodes).enumerate() {
            prop_assert_eq!(b.status, a.status);
            if let (Some(b), Some(a)) = (b.score, a.score) {
                prop_assert!(a >= b, "node {} went from {} to {}", n, b, a);
            }
        }
    }

    #[test]
    fn order_of_raters_and_answers_does_not_matter(
        s in shape(0..3),
        marks in prop::collection::vec(any::<u8>(), MARKS),
        consensus in prop::collection::vec(any::<u8>(), MARKS / 4),
        raters in 1usize..5,
        rotate in 0usize..40,
    ) {
        let rubric = CompiledRubric::new(build(&s)).unwrap_or_else(|e| panic!("{e}"));
        let a = assessment(rubric.rubric(), &marks, &consensus, raters);
        let mut b = a.clone();
        b.raters.reverse();
        let n = b.answers.len();
        b.answers.rotate_left(rotate % n);
        b.answers.reverse();
        for answer in &mut b.answers {
            answer.ratings.reverse();
        }
        let (x, y) = (run(&rubric, &a), run(&rubric, &b));
        prop_assert_eq!(&x, &y);
        prop_assert_eq!(
            crate::gaps(&rubric, &x).expect("same rubric"),
            crate::gaps(&rubric, &y).expect("same rubric")
        );
    }
}

// Round trips over arbitrary (not necessarily valid) models.

fn any_text() -> impl Strategy<Value = Text> {
    (any::<String>(), prop::option::of(any::<String>())).prop_map(|(fr, en)| Text { fr, en })
}

fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..12).prop_map(|(m, s)| Decimal::new(m, s))
}

fn any_id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{1,8}"
}

fn any_aggregation() -> impl Strategy<Value = Option<Aggregation>> {
    prop::option::of(
        (
            prop_oneof![
                Just(Method::WeightedMean),
                Just(Method::WeakestLink),
                Just(Method::Table)
            ],
            prop::option::of(any::<String>()),
        )
            .prop_map(|(method, table)| Aggregation { method, table }),
    )
}

fn any_indicator() -> impl Strategy<Value = Indicator> {
    (
        (
            any_id(),
            any::<String>(),
            any_text(),
            prop::option::of(any_text()),
        ),
        (
            prop::option::of(any_decimal()),
            any::<String>(),
            any::<bool>(),
            prop::option::of(any::<String>()),
        ),
        (any::<String>(), any_text()),
        prop::option::of((
            prop::option::of(any::<u64>()),
            prop::option::of(any::<u64>()),
            prop::option::of(prop_oneof![Just(Setting::Urban), Just(Setting::Rural)]),
            prop::option::of(any::<String>()),
            prop::option::of(prop::collection::vec(
                prop_oneof![Just(Kind::Commune), Just(Kind::Cercle)],
                0..3,
            )),
        )),
        prop::collection::btree_map(any_id(), any_text(), 0..4),
        prop::collection::vec(
            (
                any::<String>(),
                any_text(),
                any_decimal(),
                prop_oneof![
                    Just(Horizon::Short),
                    Just(Horizon::Medium),
                    Just(Horizon::Long)
                ],
                any_text(),
            ),
            0..3,
        ),
    )
        .prop_map(
            |(
                (id, competency, title, question),
                (weight, target, critical, minimum),
                (source, evidence),
                rule,
                descriptor,
                actions,
            )| Indicator {
                id,
                competency,
                title,
                question,
                weight,
                target,
                critical,
                minimum,
                source,
                evidence,
                applies_when: rule.map(
                    |(min_population, max_population, setting, transferred, kinds)| AppliesWhen {
                        min_population,
                        max_population,
                        setting,
                        transferred,
                        kinds,
                    },
                ),
                descriptor: descriptor.into_iter().collect::<BTreeMap<_, _>>(),
                actions: actions
                    .into_iter()
                    .map(|(from, text, cost, horizon, responsible)| Action {
                        from,
                        text,
                        cost,
                        horizon,
                        responsible,
                    })
                    .collect(),
            },
        )
}

fn any_rubric() -> impl Strategy<Value = Rubric> {
    (
        (
            any::<u32>(),
            any::<String>(),
            any::<String>(),
            any_text(),
            prop::option::of(any_text()),
            prop::collection::vec(any::<String>(), 0..3),
        ),
        (
            any::<String>(),
            prop::option::of(any::<u8>()),
            prop::collection::vec((any::<String>(), any_decimal(), any_text()), 0..4),
        ),
        any_aggregation(),
        prop::collection::vec(
            (
                any::<String>(),
                prop::collection::vec(
                    (
                        prop::collection::vec(any::<String>(), 0..3),
                        any::<String>(),
                        any_decimal(),
                    ),
                    0..3,
                ),
            ),
            0..2,
        ),
        prop::collection::vec(
            (
                any::<String>(),
                any_text(),
                prop::option::of(any_decimal()),
                any_aggregation(),
            ),
            0..3,
        ),
        prop::collection::vec(
            (
                any::<String>(),
                any::<String>(),
                any_text(),
                prop::option::of(any_decimal()),
                any_aggregation(),
            ),
            0..3,
        ),
        prop::collection::vec(any_indicator(), 0..3),
    )
        .prop_map(
            |(
                (format, id, version, title, description, sources),
                (basic, span, levels),
                aggregation,
                tables,
                domains,
                competencies,
                indicators,
            )| Rubric {
                format,
                id,
                version,
                title,
                description,
                sources,
                scale: Scale {
                    basic,
                    disagreement_span: span,
                    levels: levels
                        .into_iter()
                        .map(|(code, value, label)| Level { code, value, label })
                        .collect(),
                },
                aggregation,
                tables: tables
                    .into_iter()
                    .map(|(id, rows)| Table {
                        id,
                        rows: rows
                            .into_iter()
                            .map(|(inputs, result, score)| TableRow {
                                inputs,
                                result,
                                score,
                            })
                            .collect(),
                    })
                    .collect(),
                domains: domains
                    .into_iter()
                    .map(|(id, title, weight, aggregation)| Domain {
                        id,
                        title,
                        weight,
                        aggregation,
                    })
                    .collect(),
                competencies: competencies
                    .into_iter()
                    .map(|(id, domain, title, weight, aggregation)| Competency {
                        id,
                        domain,
                        title,
                        weight,
                        aggregation,
                    })
                    .collect(),
                indicators,
            },
        )
}

fn assessment_without_plan() -> impl Strategy<Value = Assessment> {
    let role = prop_oneof![
        Just(Role::Elected),
        Just(Role::Staff),
        Just(Role::Citizen),
        Just(Role::Facilitator)
    ];
    (
        (
            any::<u32>(),
            any::<String>(),
            any::<String>(),
            any::<String>(),
            any::<String>(),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(any::<String>()),
        ),
        (
            (
                any::<String>(),
                any::<String>(),
                any::<String>(),
                any::<String>(),
            ),
            prop_oneof![Just(Kind::Commune), Just(Kind::Cercle)],
            prop::option::of(any::<u64>()),
            prop::option::of(prop_oneof![Just(Setting::Urban), Just(Setting::Rural)]),
            prop::collection::vec(any::<String>(), 0..3),
        ),
        prop::collection::vec((any::<String>(), any::<String>(), role), 0..3),
        prop::collection::vec(
            (
                any::<String>(),
                prop::option::of(any::<String>()),
                prop::option::of(any::<String>()),
                prop::option::of((any::<String>(), prop::option::of(any::<String>()))),
                prop::collection::vec(
                    (
                        any::<String>(),
                        any::<String>(),
                        prop::option::of(any::<String>()),
                        prop::collection::vec(any::<String>(), 0..2),
                    ),
                    0..3,
                ),
            ),
            0..3,
        ),
    )
        .prop_map(
            |(
                (format, rubric, rubric_version, round, date, fictional, finalised, comment),
                ((id, name, cercle, region), kind, population, setting, transferred),
                raters,
                answers,
            )| Assessment {
                format,
                rubric,
                rubric_version,
                round,
                date,
                fictional,
                finalised,
                comment,
                commune: Commune {
                    id,
                    name,
                    cercle,
                    region,
                    kind,
                    population,
                    setting,
                    transferred,
                },
                raters: raters
                    .into_iter()
                    .map(|(id, name, role)| Rater { id, name, role })
                    .collect(),
                answers: answers
                    .into_iter()
                    .map(|(indicator, target, comment, consensus, ratings)| Answer {
                        indicator,
                        target,
                        comment,
                        consensus: consensus.map(|(level, justification)| Consensus {
                            level,
                            justification,
                        }),
                        ratings: ratings
                            .into_iter()
                            .map(|(rater, level, evidence, refs)| Rating {
                                rater,
                                level,
                                evidence,
                                refs,
                            })
                            .collect(),
                    })
                    .collect(),
                plan: Default::default(),
            },
        )
}

/// Any council decisions: any text, any costs in the exact decimal range.
fn any_plan() -> impl Strategy<Value = PlanDecisions> {
    let decision = prop_oneof![
        Just(Decision::Proposed),
        Just(Decision::Accepted),
        Just(Decision::Dropped)
    ];
    let status = prop_oneof![
        Just(ActionStatus::NotStarted),
        Just(ActionStatus::InProgress),
        Just(ActionStatus::Done)
    ];
    let horizon = prop_oneof![
        Just(Horizon::Short),
        Just(Horizon::Medium),
        Just(Horizon::Long)
    ];
    let cost = (any::<i64>(), 0u32..4).prop_map(|(n, scale)| Decimal::new(n, scale));
    (
        prop::collection::vec(
            (any::<String>(), decision, prop::option::of(cost.clone())),
            0..3,
        ),
        prop::collection::vec(
            (
                (any::<String>(), any::<String>(), any::<String>()),
                cost,
                horizon,
                any::<String>(),
                prop::option::of(any::<String>()),
                status,
            ),
            0..3,
        ),
    )
        .prop_map(|(decisions, council)| PlanDecisions {
            decisions: decisions
                .into_iter()
                .map(|(action, decision, cost)| ActionDecision {
                    action,
                    decision,
                    cost,
                })
                .collect(),
            council: council
                .into_iter()
                .map(
                    |((key, indicator, title), cost, horizon, responsible, deadline, status)| {
                        CouncilActionInput {
                            key,
                            indicator,
                            title,
                            cost,
                            horizon,
                            responsible,
                            deadline,
                            status,
                        }
                    },
                )
                .collect(),
        })
}

pub(super) fn any_assessment() -> impl Strategy<Value = Assessment> {
    (assessment_without_plan(), any_plan()).prop_map(|(mut a, plan)| {
        a.plan = plan;
        a
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn rubric_round_trips(r in any_rubric()) {
        let text = r.to_toml();
        let back = Rubric::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, r);
    }

    #[test]
    fn assessment_round_trips(a in any_assessment()) {
        let text = a.to_toml();
        let back = Assessment::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, a);
    }
}
