//! Action plans, worked out by hand on the fixture rubric of
//! `planning::tests` (D, C, B, A score 0, 100/3, 200/3, 100).

use super::*;
use crate::planning::tests::{assessment, close, d, rubric, scored};
use crate::{Assessment, NodeRef};

/// The planned commune: i1 D (critical, fails its minimum C), i2 C, i3 B,
/// i4 NI, i5 unanswered; `sante` transferred.
fn commune() -> Assessment {
    assessment(
        "x",
        ("R", "K"),
        None,
        true,
        "2024",
        &[("i1", "D"), ("i2", "C"), ("i3", "B"), ("i4", "NI")],
    )
}

fn plan_of(a: &Assessment) -> ActionPlan {
    let rubric = rubric();
    let s = scored(&rubric, a);
    ActionPlan::new(&rubric, &CommuneResult::new(a, &s)).expect("same rubric")
}

/// Checks the items as `(priority, indicator, action, from, cost, horizon)`.
#[track_caller]
fn check(plan: &ActionPlan, expected: &[(u32, &str, u32, u8, i64, Horizon)]) {
    let got: Vec<(u32, &str, u32, u8, i64, Horizon)> = plan
        .items
        .iter()
        .map(|i| {
            (
                i.priority,
                i.indicator_id.as_str(),
                i.action,
                i.step.from.0,
                i64::try_from(i.cost().mantissa()).expect("small"),
                i.horizon,
            )
        })
        .collect();
    assert_eq!(got, expected);
}

/// Checks totals as `(actions, cost)`.
#[track_caller]
fn check_totals(t: Totals, actions: u32, cost: i64) {
    assert_eq!((t.actions, t.cost), (actions, d(cost)));
}

#[test]
fn plan_follows_priorities_step_by_step() {
    let plan = plan_of(&commune());
    // Global weights: i1, i2 1/8; i4 1/4. i1 fails its minimum condition:
    // first. Impacts: i4 1/4 × 200/3 = 50/3 before i2 1/8 × 200/3 = 25/3.
    // i3 is at target; i5 is unanswered.
    let s = Horizon::Short;
    let (m, l) = (Horizon::Medium, Horizon::Long);
    check(
        &plan,
        &[
            (1, "i1", 0, 0, 100, s),
            (1, "i1", 1, 1, 200, m),
            (2, "i4", 0, 0, 50, s),
            (2, "i4", 1, 1, 60, l),
            (3, "i2", 1, 2, 30, m),
            (3, "i2", 2, 2, 5, s),
        ],
    );
    type Row<'a> = (&'a str, u8, u8, u8, bool, bool, Vec<u8>);
    let goals: Vec<Row<'_>> = plan
        .goals
        .iter()
        .map(|g| {
            (
                g.indicator_id.as_str(),
                g.level.0,
                g.target.0,
                g.goal.0,
                g.failed_condition,
                g.no_information,
                g.uncosted_steps.iter().map(|l| l.0).collect(),
            )
        })
        .collect();
    assert_eq!(
        goals,
        [
            ("i1", 0, 2, 2, true, false, vec![]),
            ("i4", 0, 2, 2, false, true, vec![]),
            ("i2", 1, 3, 3, false, false, vec![1]),
        ]
    );
    // The step an action closes: D → C on i1 is 100/3 points of the
    // indicator, 1/8 of that on the overall index.
    let step = plan.items[0].step;
    assert_eq!((step.from, step.to), (LevelIx(0), LevelIx(1)));
    assert_eq!(close(step.points), close(d(100) / d(3)));
    assert_eq!(close(step.impact), close(d(100) / d(24)));
    // The core's impact carries 18 decimals.
    assert_eq!(
        plan.goals[1].impact.round_dp(12),
        (d(50) / d(3)).round_dp(12)
    );

    let t = &plan.totals;
    check_totals(t.included, 6, 445);
    check_totals(t.accepted, 0, 0);
    check_totals(t.dropped, 0, 0);
    assert_eq!(t.uncosted_steps, 1);
    let rubric = rubric();
    let node = |n: &NodeTotals| {
        (
            rubric.id(NodeRef::Node(n.node)),
            n.totals.actions,
            n.totals.cost,
        )
    };
    assert_eq!(
        t.by_domain.iter().map(node).collect::<Vec<_>>(),
        [("d1", 4, d(335)), ("d2", 2, d(110))]
    );
    assert_eq!(
        t.by_competency.iter().map(node).collect::<Vec<_>>(),
        [("c1", 4, d(335)), ("c3", 2, d(110))]
    );
    let horizons: Vec<(Horizon, u32, Decimal)> = t
        .by_horizon
        .iter()
        .map(|h| (h.horizon, h.totals.actions, h.totals.cost))
        .collect();
    assert_eq!(horizons, [(s, 3, d(155)), (m, 2, d(230)), (l, 1, d(60))]);
}

#[test]
fn failing_minimum_above_target_raises_the_goal() {
    // With i1's target lowered to D it is at target, but still below its
    // minimum C: the plan takes it to C.
    let mut a = commune();
    a.answers[0].target = Some("D".into());
    let plan = plan_of(&a);
    assert_eq!(
        (
            plan.goals[0].indicator_id.as_str(),
            plan.goals[0].target,
            plan.goals[0].goal
        ),
        ("i1", LevelIx(0), LevelIx(1))
    );
    check(
        &plan.clone(),
        &[
            (1, "i1", 0, 0, 100, Horizon::Short),
            (2, "i4", 0, 0, 50, Horizon::Short),
            (2, "i4", 1, 1, 60, Horizon::Long),
            (3, "i2", 1, 2, 30, Horizon::Medium),
            (3, "i2", 2, 2, 5, Horizon::Short),
        ],
    );
}

#[test]
fn adjustments_retotal() {
    let mut plan = plan_of(&commune());
    let adj: Vec<PlanAdjustment> = serde_json::from_str(
        r#"[
            {"op": "drop", "indicator": "i4", "action": 1},
            {"op": "accept", "indicator": "i1", "action": 0},
            {"op": "cost", "indicator": "i2", "action": 1, "cost": "45"}
        ]"#,
    )
    .expect("valid adjustments");
    plan.adjust(&adj).expect("known items");
    let t = &plan.totals;
    // 100 + 200 + 50 + 45 + 5; 60 dropped; 100 accepted.
    check_totals(t.included, 5, 400);
    check_totals(t.accepted, 1, 100);
    check_totals(t.dropped, 1, 60);
    check_totals(t.by_horizon[1].totals, 2, 245);
    check_totals(t.by_horizon[2].totals, 0, 0);
    assert_eq!(plan.item("i2", 1).map(PlanItem::cost), Some(d(45)));
    assert_eq!(plan.item("i2", 1).map(|i| i.rubric_cost), Some(d(30)));

    // Undo: back to proposed, back to the rubric's cost.
    plan.adjust(&[
        PlanAdjustment::Propose {
            indicator: "i4".into(),
            action: 1,
        },
        PlanAdjustment::Cost {
            indicator: "i2".into(),
            action: 1,
            cost: None,
        },
    ])
    .expect("known items");
    check_totals(plan.totals.included, 6, 445);
    check_totals(plan.totals.accepted, 1, 100);

    // Round trip, as the app stores it.
    let json = serde_json::to_string(&plan).expect("serialises");
    let back: ActionPlan = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, plan);
}

#[test]
fn invalid_adjustments_change_nothing() {
    let mut plan = plan_of(&commune());
    let before = plan.clone();
    let err = plan
        .adjust(&[
            PlanAdjustment::Drop {
                indicator: "i1".into(),
                action: 0,
            },
            PlanAdjustment::Accept {
                indicator: "i3".into(),
                action: 0,
            },
            PlanAdjustment::Cost {
                indicator: "i1".into(),
                action: 1,
                cost: Some(d(-1)),
            },
            PlanAdjustment::Cost {
                indicator: "i1".into(),
                action: 1,
                cost: Some(Decimal::new(15, 1)),
            },
        ])
        .expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "adjustment 1: the plan has no action 0 for indicator `i3`: use an indicator and action index listed in the plan\n\
         adjustment 2: cost \"-1\" is not valid: write whole francs between \"0\" and \"1000000000000000\"\n\
         adjustment 3: cost \"1.5\" is not valid: write whole francs between \"0\" and \"1000000000000000\""
    );
    assert_eq!(plan, before);
    let unknown = serde_json::from_str::<PlanAdjustment>(
        r#"{"op": "drop", "indicator": "i1", "action": 0, "why": "x"}"#,
    );
    assert!(unknown.is_err(), "unknown keys are refused");
}

#[test]
fn nothing_to_plan_at_target() {
    let a = assessment(
        "y",
        ("R", "K"),
        None,
        false,
        "2024",
        &[("i1", "B"), ("i2", "A"), ("i3", "A")],
    );
    let plan = plan_of(&a);
    assert!(plan.goals.is_empty() && plan.items.is_empty());
    check_totals(plan.totals.included, 0, 0);
    assert_eq!(plan.totals.by_horizon.len(), 3);
}

#[test]
fn other_rubric_is_refused() {
    let rubric = rubric();
    let a = commune();
    let mut s = scored(&rubric, &a);
    s.rubric = "autre@2".into();
    let err = ActionPlan::new(&rubric, &CommuneResult::new(&a, &s)).expect_err("mismatch");
    assert_eq!(
        err.to_string(),
        "commune `x` was scored with rubric `autre@2`, not `plan@1`: score every assessment with the same rubric version"
    );
}

/// Typed costs, as people and hostile pages send them: each with what it
/// must give.
#[test]
fn costs_as_typed() {
    let ok = |t: &str, v: Option<&str>| {
        assert_eq!(
            parse_cost(t),
            Ok(v.map(|v| v.parse::<Decimal>().expect("test value"))),
            "{t:?}"
        );
    };
    ok("", None);
    ok("   ", None);
    ok("250000", Some("250000"));
    ok("1 250 000 FCFA", Some("1250000"));
    ok("1\u{202f}250\u{a0}000 fcfa", Some("1250000"));
    ok("0", Some("0"));
    ok("-0", Some("0"));
    ok("12,0", Some("12"));
    ok("FCFA", None);
    let bad = |t: &str, p: CostProblem| assert_eq!(parse_cost(t), Err(p), "{t:?}");
    bad("€€", CostProblem::NotANumber);
    bad("€100", CostProblem::NotANumber);
    bad("100€", CostProblem::NotANumber);
    bad("%FF%FE", CostProblem::NotANumber);
    bad("\u{fffd}\u{fffd}", CostProblem::NotANumber);
    bad("ééé", CostProblem::NotANumber);
    bad("é", CostProblem::NotANumber);
    bad("🙂fcfa", CostProblem::NotANumber);
    bad("=1+1", CostProblem::NotANumber);
    bad("-5", CostProblem::Negative);
    bad("12.5", CostProblem::NotWhole);
    bad("1000000000000001", CostProblem::TooLarge);
    bad("99999999999999999999999999999999999", CostProblem::TooLarge);
}

#[test]
fn decision_codes_read_back() {
    for d in Decision::ALL {
        assert_eq!(Decision::from_code(d.code()), Some(d));
    }
    assert_eq!(Decision::from_code(""), Some(Decision::Proposed));
    assert_eq!(Decision::from_code(" drop "), Some(Decision::Dropped));
    assert_eq!(Decision::from_code("DROP"), None);
}

proptest::proptest! {
    /// Whatever the text, an answer and no panic; an accepted cost is whole,
    /// non-negative and within the largest cost.
    #[test]
    fn any_text_is_a_cost_or_a_problem(text in "\\PC{0,12}") {
        if let Ok(Some(c)) = parse_cost(&text) {
            proptest::prop_assert!(c >= Decimal::ZERO && c.fract().is_zero());
            proptest::prop_assert!(c <= crate::compiled::MAX_COST);
        }
    }
}

fn council(key: &str, indicator: &str, cost: i64, horizon: Horizon) -> CouncilActionInput {
    CouncilActionInput {
        key: key.to_owned(),
        indicator: indicator.to_owned(),
        title: format!("council {key}"),
        cost: Decimal::from(cost),
        horizon,
        responsible: "Awa".to_owned(),
        deadline: Some("2026-06-30".to_owned()),
        status: ActionStatus::InProgress,
    }
}

#[test]
fn council_actions_count_in_every_total_once() {
    let rubric = rubric();
    let mut plan = plan_of(&commune());
    let before = plan.totals.clone();
    plan.add_council(
        &rubric,
        &[
            council("1", "i3", 500, Horizon::Short),
            council("2", "i1", 7, Horizon::Long),
        ],
    )
    .expect("known indicators, whole francs");
    let t = &plan.totals;
    assert_eq!(t.council.actions, 2);
    assert_eq!(t.council.cost, d(507));
    assert_eq!(t.included.cost, before.included.cost + d(507));
    assert_eq!(t.included.actions, before.included.actions + 2);
    assert_eq!(t.accepted, before.accepted, "council actions are apart");
    let by_domain: Decimal = t.by_domain.iter().map(|n| n.totals.cost).sum();
    let by_competency: Decimal = t.by_competency.iter().map(|n| n.totals.cost).sum();
    let by_horizon: Decimal = t.by_horizon.iter().map(|h| h.totals.cost).sum();
    assert_eq!(by_domain, t.included.cost);
    assert_eq!(by_competency, t.included.cost);
    assert_eq!(by_horizon, t.included.cost);
    // Dropping a generated action leaves the council's in.
    plan.adjust(&[PlanAdjustment::Drop {
        indicator: "i1".into(),
        action: 0,
    }])
    .expect("in the plan");
    assert_eq!(plan.totals.council.cost, d(507));
    assert_eq!(plan.totals.dropped.cost, d(100));
    let json = serde_json::to_string(&plan).expect("serialises");
    assert_eq!(
        serde_json::from_str::<ActionPlan>(&json).expect("reads back"),
        plan
    );
}

#[test]
fn council_actions_are_all_or_nothing() {
    let rubric = rubric();
    let mut plan = plan_of(&commune());
    let before = plan.clone();
    let mut fraction = council("2", "i1", 0, Horizon::Short);
    fraction.cost = Decimal::new(125, 1);
    let err = plan
        .add_council(
            &rubric,
            &[
                council("1", "nope", 5, Horizon::Short),
                fraction,
                council("3", "i2", 5, Horizon::Short),
            ],
        )
        .expect_err("unknown indicator and cents");
    assert_eq!(err.0.len(), 2, "{err:?}");
    assert!(err.to_string().contains("no indicator `nope`"), "{err}");
    assert_eq!(plan, before);
}

#[test]
fn action_status_codes_round_trip() {
    for s in ActionStatus::ALL {
        assert_eq!(ActionStatus::from_code(s.code()), Some(s));
    }
    assert_eq!(ActionStatus::from_code(" done "), Some(ActionStatus::Done));
    assert_eq!(ActionStatus::from_code("finished"), None);
}

/// The example assessment with a `[plan]` section appended.
fn example_with_plan(plan: &str) -> String {
    format!("{}\n{plan}", crate::example::ASSESSMENT)
}

/// An assessment file carries the council's decisions and every reader of
/// it gets the same adjusted plan.
#[test]
fn a_file_carries_its_councils_plan() {
    let rubric = CompiledRubric::from_toml(crate::example::RUBRIC).expect("valid rubric");
    let text = example_with_plan(
        r#"[[plan.decision]]
action = "ADM-EC-01/C/1"
decision = "dropped"

[[plan.council_action]]
indicator = "ADM-EC-01"
title = "Archiver les registres"
cost = "75000"
horizon = "short"
responsible = "Secrétaire général"
deadline = "2024-12-31"
status = "in_progress"
"#,
    );
    let (assessment, resolved) = rubric.resolve_toml(&text).expect("valid file");
    let scored = crate::score(&rubric, &resolved).expect("scored");
    let result = CommuneResult::new(&assessment, &scored);
    let proposed = ActionPlan::proposed(&rubric, &result).expect("plan");
    let plan = ActionPlan::new(&rubric, &result).expect("plan");
    assert_eq!(
        plan.totals.included.cost,
        proposed.totals.included.cost - d(120_000) + d(75_000)
    );
    assert_eq!(
        (plan.totals.dropped.actions, plan.totals.council.actions),
        (1, 1)
    );
    let dropped = plan.item("ADM-EC-01", 1).expect("still listed");
    assert_eq!(dropped.decision, Decision::Dropped);
    // Written back, read back: the same assessment, plan included.
    assert_eq!(
        Assessment::from_toml(&assessment.to_toml()).expect("reads back"),
        assessment
    );
}

/// Every problem of a `[plan]` section is named at its line, with the fix.
#[test]
fn bad_plan_decisions_are_named_at_their_place() {
    let rubric = CompiledRubric::from_toml(crate::example::RUBRIC).expect("valid rubric");
    let text = example_with_plan(
        r#"[[plan.decision]]
action = "ADM-EC-01/B/1"
decision = "dropped"

[[plan.decision]]
action = "nope"

[[plan.decision]]
action = "XX-01/C/0"

[[plan.decision]]
action = "ADM-EC-01/C/1"
cost = "1.5"

[[plan.decision]]
action = "ADM-EC-01/C/1"

[[plan.council_action]]
indicator = "ZZ"
title = "  "
cost = "10"
horizon = "long"
deadline = "2025-13-01"
"#,
    );
    let lines = crate::example::ASSESSMENT.lines().count() as u32;
    let err = rubric.resolve_toml(&text).expect_err("refused").to_string();
    for (line, message) in [
        (
            2,
            "the rubric has no action 1 from level `B` for indicator `ADM-EC-01`",
        ),
        (
            6,
            "action `nope` is not a plan action key: write INDICATOR/FROM/INDEX",
        ),
        (9, "the rubric has no indicator `XX-01`"),
        (13, "cost must be a whole number of francs"),
        (16, "action `ADM-EC-01/C/1` is decided twice"),
        (19, "the rubric has no indicator `ZZ`"),
        (20, "is empty: write it"),
        (23, "date `2025-13-01` is not a valid ISO date"),
    ] {
        let at = format!("{}:", lines + 1 + line);
        assert!(
            err.lines()
                .any(|l| l.starts_with(&at) && l.contains(message)),
            "expected `{message}` at line {at}\n{err}"
        );
    }
}
