//! Gaps and the priority ranking, worked out by hand on the example
//! (D, C, B, A score 0, 100/3, 200/3, 100).

use super::{assessment, compile, resolve};
use crate::gaps::{Gap, Reason};
use crate::{CompiledRubric, IndicatorIx, LevelIx, example, gaps, score};
use rust_decimal::Decimal;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn close(x: Decimal) -> Decimal {
    x.round_dp(20)
}

/// Checks an indicator's gap: levels, points and global weight.
#[track_caller]
fn check(
    g: &crate::Gaps,
    rubric: &CompiledRubric,
    id: &str,
    expected: Option<(u8, Decimal)>,
    global: Decimal,
) {
    let ix = rubric.indicator_ix(id).expect("known");
    let got = g.indicator(ix).expect("gap");
    assert_eq!(
        got.gap.map(|g| (g.levels, close(g.points))),
        expected.map(|(l, p)| (l, close(p))),
        "{id} gap"
    );
    assert_eq!(
        close(got.global_weight),
        close(global),
        "{id} global weight"
    );
}

#[test]
fn example_gaps_and_ranking() {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("example");
    let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT).expect("example");
    let scored = score(&rubric, &resolved).expect("same rubric");
    let g = gaps(&rubric, &scored).expect("same rubric");
    let third = d(100) / d(3);
    // Administration weighs 2 of 3; its two competencies 1/2 each.
    check(
        &g,
        &rubric,
        "ADM-EC-01",
        Some((1, third)),
        d(2) / d(3) / d(2) / d(2),
    );
    check(&g, &rubric, "ADM-EC-02", Some((0, d(0))), d(1) / d(6));
    check(
        &g,
        &rubric,
        "ADM-OR-01",
        Some((1, third)),
        d(2) / d(3) / d(2) * d(2) / d(3),
    );
    // NI counts as D: two levels below B.
    check(
        &g,
        &rubric,
        "ADM-OR-02",
        Some((2, third * d(2))),
        d(1) / d(9),
    );
    // Target overridden to A; its sibling is not applicable, so it carries
    // the whole competency.
    check(&g, &rubric, "GOV-PA-01", Some((3, d(100))), d(1) / d(6));
    check(&g, &rubric, "GOV-PA-02", None, d(0));
    check(&g, &rubric, "GOV-SE-01", None, d(1) / d(12));
    check(&g, &rubric, "GOV-SE-02", Some((0, d(0))), d(1) / d(12));

    // Impacts (rounded to 18 decimals): GOV-PA-01 100/6; ADM-OR-01 and
    // ADM-OR-02 both 200/27 (a tie broken by rubric order); ADM-EC-01 100/18.
    let order: Vec<&str> = g
        .priorities
        .iter()
        .map(|p| rubric.id(crate::NodeRef::Indicator(p.indicator)))
        .collect();
    assert_eq!(order, ["GOV-PA-01", "ADM-OR-01", "ADM-OR-02", "ADM-EC-01"]);
    let reasons: Vec<Reason> = g.priorities[2].reasons.iter().collect();
    assert_eq!(reasons.len(), 3);
    assert_eq!(
        reasons[0],
        Reason::BelowTarget {
            level: LevelIx(0),
            target: LevelIx(2),
            gap: Gap {
                levels: 2,
                points: reasons_points(&reasons[0])
            },
        }
    );
    assert_eq!(close(reasons_points(&reasons[0])), close(third * d(2)));
    assert!(
        matches!(reasons[1], Reason::Weight { impact, .. } if impact == (d(200) / d(27)).round_dp(18))
    );
    assert_eq!(reasons[2], Reason::NoInformation);

    // Rolled up: État civil averages 100/3 and 0; Organisation
    // (2·100/3 + 200/3)/3; Administration the mean of both.
    let node = |id: &str| g.node(rubric.node_ix(id).expect("known")).expect("gap");
    let ec = third / d(2);
    let org = (d(2) * third + d(2) * third) / d(3);
    assert_eq!(node("etat-civil").points.map(close), Some(close(ec)));
    assert_eq!(node("organisation").points.map(close), Some(close(org)));
    assert_eq!(
        node("administration").points.map(close),
        Some(close((ec + org) / d(2)))
    );
    assert_eq!(
        (
            node("administration").below_target,
            node("administration").at_target,
            node("administration").max_levels
        ),
        (3, 1, 2)
    );
    assert_eq!(close(node("gouvernance").global_weight), close(d(1) / d(3)));
    let root = g.node(crate::ROOT).expect("root");
    assert_eq!(
        (root.below_target, root.at_target, root.failed_conditions),
        (4, 2, 0)
    );
}

fn reasons_points(r: &Reason) -> Decimal {
    match r {
        Reason::BelowTarget { gap, .. } => gap.points,
        _ => Decimal::ZERO,
    }
}

#[test]
fn failed_minimum_conditions_come_first() {
    let mut text = super::BASE.replace(
        "target = \"B\"",
        "target = \"C\"\nweight = \"0.1\"\ncritical = true\nminimum = \"B\"",
    );
    text += &super::indicator("i2", "c1", "weight = \"10\"\n");
    let rubric = compile(&text);
    let a = assessment(&[("i1", &["C"], None), ("i2", &["D"], None)]);
    let scored = score(&rubric, &resolve(&rubric, &a)).expect("same rubric");
    let g = gaps(&rubric, &scored).expect("same rubric");
    // i1 is at its target C but below its minimum B: first, with no impact.
    assert_eq!(g.priorities.len(), 2);
    assert_eq!(g.priorities[0].indicator, IndicatorIx(0));
    assert!(g.priorities[0].failed_condition);
    assert_eq!(g.priorities[0].impact, Decimal::ZERO);
    assert_eq!(
        g.priorities[0].reasons.iter().collect::<Vec<_>>(),
        [Reason::FailedMinimumCondition {
            minimum: LevelIx(2),
            level: Some(LevelIx(1))
        }]
    );
    assert_eq!(g.priorities[1].indicator, IndicatorIx(1));
    assert_eq!(g.node(crate::ROOT).map(|n| n.failed_conditions), Some(1));
}
