//! Reform needs, worked out by hand on the four communes of
//! `planning::tests::four` and the actions of the fixture rubric.

use super::*;
use crate::planning::tests::{d, four, results, rubric, score_all};
use crate::{ActionPlan, NodeRef};

/// Checks a competency: (at or above, below, NA by rule, NA declared,
/// unanswered), share below basic, cannot exercise, costed gap, communes
/// with a gap, uncosted steps, ranks (share, cost).
#[track_caller]
#[allow(clippy::too_many_arguments, reason = "one row of a table")]
fn check(
    g: &ReformGroup,
    rubric: &CompiledRubric,
    id: &str,
    counts: [u32; 5],
    below: (u32, u32),
    cannot: (u32, u32),
    cost: i64,
    gaps: (u32, u32),
    ranks: (Option<u32>, u32),
) {
    let node = rubric.node_ix(id).expect("known");
    let c = g
        .competencies
        .iter()
        .find(|c| c.competency == node)
        .expect("listed");
    assert_eq!(
        [
            c.at_or_above_basic,
            c.below_basic,
            c.not_applicable_by_rule,
            c.not_applicable,
            c.unanswered
        ],
        counts,
        "{id} counts"
    );
    assert_eq!(counts.iter().sum::<u32>(), g.communes, "{id} total");
    assert_eq!(
        c.share_below_basic,
        Share::new(below.0, below.1),
        "{id} below"
    );
    assert_eq!(
        c.cannot_exercise,
        Share::new(cannot.0, cannot.1),
        "{id} cannot"
    );
    assert_eq!(c.costed_gap, d(cost), "{id} cost");
    assert_eq!((c.communes_with_gap, c.uncosted_steps), gaps, "{id} gaps");
    assert_eq!((c.rank_by_share, c.rank_by_cost), ranks, "{id} ranks");
}

fn ids(rubric: &CompiledRubric, list: &[NodeIx]) -> Vec<String> {
    list.iter()
        .map(|n| rubric.id(NodeRef::Node(*n)).to_owned())
        .collect()
}

#[test]
fn needs_nationally_and_by_region() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let r = results(&list, &s);
    let needs = reform_needs(&rubric, &r, &ReformRules::default()).expect("valid");
    let n = &needs.national;
    // c1 (i1 target B, critical; i2 target A):
    //   a: i1 C→B 200, i2 B→A 30 + 5                       = 235
    //   b: i1 D→B 100 + 200, i2 NI (D)→A 10 + (C→B none) + 35 = 345, 1 uncosted
    //   c: i1 at B, i2 unanswered                          = 0
    //   d: i1 C→B 200, i2 C→A (C→B none) + 35              = 235, 1 uncosted
    // Grades: a 50 C, b 0 D, c 200/3 B, d 100/3 C.
    check(
        n,
        &rubric,
        "c1",
        [3, 1, 0, 0, 0],
        (1, 4),
        (1, 4),
        815,
        (3, 2),
        (Some(1), 1),
    );
    // c2 (i3 target B): d at C has no action from C; c declared NA.
    check(
        n,
        &rubric,
        "c2",
        [3, 0, 0, 1, 0],
        (0, 3),
        (0, 3),
        0,
        (1, 1),
        (Some(2), 3),
    );
    // c3 (i4 target B: D 50, C 60; i5 target C): a 60, c 110, d 60; b has
    // no sante: not applicable by rule.
    check(
        n,
        &rubric,
        "c3",
        [3, 0, 1, 0, 0],
        (0, 3),
        (1, 4),
        230,
        (3, 0),
        (Some(2), 2),
    );
    assert_eq!(ids(&rubric, &n.by_share_below_basic), ["c1", "c2", "c3"]);
    assert_eq!(ids(&rubric, &n.by_costed_gap), ["c1", "c3", "c2"]);
    assert!(n.transfers_not_effective.is_empty());
    assert_eq!((n.costed_gap, n.uncosted_steps), (d(1045), 3));

    // Region R1 (a, b, c) and R2 (d).
    assert_eq!(needs.regions.len(), 2);
    let r1 = &needs.regions[0];
    assert_eq!(
        r1.group,
        Group::Region {
            region: "R1".into()
        }
    );
    check(
        r1,
        &rubric,
        "c1",
        [2, 1, 0, 0, 0],
        (1, 3),
        (1, 3),
        580,
        (2, 1),
        (Some(1), 1),
    );
    check(
        r1,
        &rubric,
        "c3",
        [2, 0, 1, 0, 0],
        (0, 2),
        (1, 3),
        170,
        (2, 0),
        (Some(2), 2),
    );
    let r2 = &needs.regions[1];
    check(
        r2,
        &rubric,
        "c2",
        [1, 0, 0, 0, 0],
        (0, 1),
        (0, 1),
        0,
        (1, 1),
        (Some(1), 3),
    );

    // The transferable competence `sante` (i4, i5): b lacks it; c's weakest
    // level is D; a and d are at C.
    let t = &n.transfers[0];
    assert_eq!(t.competence, "sante");
    assert_eq!(t.indicators, [IndicatorIx(3), IndicatorIx(4)]);
    assert_eq!(
        (
            t.not_transferred,
            t.below_basic,
            t.at_or_above_basic,
            t.undetermined
        ),
        (1, 1, 2, 0)
    );
    // 2 of 4 is not *more* than half.
    assert_eq!(
        (t.cannot_exercise, t.not_effective),
        (Share::new(2, 4), false)
    );

    // The costed gap is the sum of the unadjusted plans.
    let plans: Decimal = r
        .iter()
        .map(|c| {
            ActionPlan::new(&rubric, c)
                .expect("valid")
                .totals
                .included
                .cost
        })
        .sum();
    assert_eq!(plans, n.costed_gap);
}

#[test]
fn majority_rule_is_strict() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let r = results(&list, &s);
    let flagged = |majority: Decimal| {
        let needs = reform_needs(&rubric, &r, &ReformRules { majority }).expect("valid");
        (
            ids(&rubric, &needs.national.transfers_not_effective),
            needs.national.transfers[0].not_effective,
        )
    };
    // c1 and c3: 1 of 4 cannot exercise; sante: 2 of 4.
    assert_eq!(flagged(Decimal::new(25, 2)), (vec![], true));
    assert_eq!(
        flagged(Decimal::new(24, 2)),
        (vec!["c1".into(), "c3".into()], true)
    );
    assert_eq!(flagged(Decimal::new(5, 1)), (vec![], false));
    assert_eq!(
        flagged(Decimal::ZERO),
        (vec!["c1".into(), "c3".into()], true)
    );
}

#[test]
fn invalid_majority_and_input_are_reported_together() {
    let rubric = rubric();
    let list = four();
    let mut s = score_all(&rubric, &list);
    s[2].rubric = "x@1".into();
    let err = reform_needs(
        &rubric,
        &results(&list, &s),
        &ReformRules {
            majority: Decimal::new(15, 1),
        },
    )
    .expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "commune `c` was scored with rubric `x@1`, not `plan@1`: score every assessment with the same rubric version\n\
         share \"1.5\" is not valid: write a fraction between \"0\" and \"1\", e.g. \"0.5\""
    );
}

#[test]
fn no_commune() {
    let rubric = rubric();
    let needs = reform_needs(&rubric, &[], &ReformRules::default()).expect("valid");
    assert_eq!(needs.national.communes, 0);
    assert!(needs.regions.is_empty());
    assert!(
        needs
            .national
            .competencies
            .iter()
            .all(|c| c.rank_by_share.is_none())
    );
    let json = serde_json::to_string(&needs).expect("serialises");
    assert_eq!(
        serde_json::from_str::<ReformNeeds>(&json).expect("reads back"),
        needs
    );
}

/// The costed gap of communes whose councils decided about their plans is
/// that of their adjusted plans: a dropped action out, an overridden cost,
/// the council's own action in; per competency and in total.
#[test]
fn costed_gap_follows_the_councils_decisions() {
    use crate::{ActionDecision, ActionStatus, CouncilActionInput, Decision, Horizon};
    let rubric = rubric();
    let mut list = four();
    let s = score_all(&rubric, &list);
    let before = reform_needs(&rubric, &results(&list, &s), &ReformRules::default())
        .expect("valid")
        .national
        .costed_gap;
    // Commune a's proposed plan: drop its first action, set the second's
    // cost to 1 000, and add an action of its own on i2 for 75.
    let proposed = ActionPlan::proposed(&rubric, &results(&list, &s)[0]).expect("valid");
    let (first, second) = (&proposed.items[0], &proposed.items[1]);
    list[0].plan.decisions = vec![
        ActionDecision {
            action: first.key(&rubric),
            decision: Decision::Dropped,
            cost: None,
        },
        ActionDecision {
            action: second.key(&rubric),
            decision: Decision::Accepted,
            cost: Some(d(1_000)),
        },
        ActionDecision {
            action: "i1/A/0".into(),
            decision: Decision::Dropped,
            cost: None,
        },
    ];
    list[0].plan.council = vec![CouncilActionInput {
        key: String::new(),
        indicator: "i2".into(),
        title: "Former le secrétaire".into(),
        cost: d(75),
        horizon: Horizon::Short,
        responsible: "Maire".into(),
        deadline: None,
        status: ActionStatus::InProgress,
    }];
    let r = results(&list, &s);
    let needs = reform_needs(&rubric, &r, &ReformRules::default()).expect("valid");
    let expected = before - first.rubric_cost - second.rubric_cost + d(1_000) + d(75);
    assert_eq!(needs.national.costed_gap, expected);
    // The same as the sum of the plans every page prints, per competency.
    let plans: Vec<ActionPlan> = r
        .iter()
        .map(|c| ActionPlan::new(&rubric, c).expect("valid"))
        .collect();
    let total: Decimal = plans.iter().map(|p| p.totals.included.cost).sum();
    assert_eq!(total, expected);
    for need in &needs.national.competencies {
        let summed: Decimal = plans
            .iter()
            .flat_map(|p| &p.totals.by_competency)
            .filter(|t| t.node == need.competency)
            .map(|t| t.totals.cost)
            .sum();
        assert_eq!(need.costed_gap, summed, "{:?}", need.competency);
    }
    // A decision about an action no longer in the plan ("i1/A/0") is left
    // aside; the unadjusted plan is still one call away.
    assert_eq!(
        ActionPlan::proposed(&rubric, &r[0]).expect("valid"),
        proposed
    );
}
