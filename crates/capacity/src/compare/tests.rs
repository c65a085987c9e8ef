//! Comparison, worked out by hand on the four communes of
//! `planning::tests::four` (D, C, B, A score 0, 100/3, 200/3, 100).

use super::*;
use crate::planning::tests::{close, d, four, results, rubric, score_all};
use crate::{NodeRef, Scored};

/// Checks an indicator's distribution: levels D, C, B, A, then NI, NA by
/// rule, NA declared, unanswered, and the share at or above basic.
#[track_caller]
fn check(
    g: &GroupComparison,
    rubric: &CompiledRubric,
    id: &str,
    levels: [u32; 4],
    others: [u32; 4],
    share: (u32, u32),
) {
    let ix = rubric.indicator_ix(id).expect("known");
    let got = &g.indicators[ix.index()];
    assert_eq!(got.indicator, ix);
    assert_eq!(got.levels, levels, "{id} levels");
    assert_eq!(
        [
            got.no_information,
            got.not_applicable_by_rule,
            got.not_applicable,
            got.unanswered
        ],
        others,
        "{id} NI, NA by rule, NA, unanswered"
    );
    assert_eq!(
        got.at_or_above_basic,
        Share::new(share.0, share.1),
        "{id} share"
    );
    assert_eq!(got.total(), g.communes, "{id} total");
}

/// Checks a node's grades (D, C, B, A), NA and unanswered, and share.
#[track_caller]
fn check_node(
    g: &GroupComparison,
    rubric: &CompiledRubric,
    id: &str,
    grades: [u32; 4],
    na_unanswered: (u32, u32),
    share: (u32, u32),
) {
    let ix = rubric.node_ix(id).map_or(ROOT, |n| n);
    let got = &g.nodes[ix.index()];
    assert_eq!(got.grades, grades, "{id} grades");
    assert_eq!(
        (got.not_applicable, got.unanswered),
        na_unanswered,
        "{id} NA, unanswered"
    );
    assert_eq!(
        got.at_or_above_basic,
        Share::new(share.0, share.1),
        "{id} share"
    );
}

#[test]
fn distributions_by_group() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let cmp = compare(&rubric, &results(&list, &s)).expect("valid");
    let n = &cmp.national;
    assert_eq!((n.group.clone(), n.communes), (Group::National, 4));
    check(n, &rubric, "i1", [1, 2, 1, 0], [0, 0, 0, 0], (3, 4));
    // NI counts below basic; unanswered is out of the share.
    check(n, &rubric, "i2", [0, 1, 1, 0], [1, 0, 0, 1], (2, 3));
    check(n, &rubric, "i3", [0, 1, 1, 1], [0, 0, 1, 0], (3, 3));
    check(n, &rubric, "i4", [1, 2, 0, 0], [0, 1, 0, 0], (2, 3));
    check(n, &rubric, "i5", [0, 2, 1, 0], [0, 1, 0, 0], (3, 3));

    let groups: Vec<(&Group, u32)> = cmp
        .regions
        .iter()
        .chain(&cmp.cercles)
        .map(|g| (&g.group, g.communes))
        .collect();
    let region = |r: &str| Group::Region { region: r.into() };
    let cercle = |r: &str, c: &str| Group::Cercle {
        region: r.into(),
        cercle: c.into(),
    };
    assert_eq!(
        groups,
        [
            (&region("R1"), 3),
            (&region("R2"), 1),
            (&cercle("R1", "K1"), 2),
            (&cercle("R1", "K2"), 1),
            (&cercle("R2", "K3"), 1),
        ]
    );
    check(
        &cmp.regions[0],
        &rubric,
        "i1",
        [1, 1, 1, 0],
        [0, 0, 0, 0],
        (2, 3),
    );
    check(
        &cmp.regions[1],
        &rubric,
        "i1",
        [0, 1, 0, 0],
        [0, 0, 0, 0],
        (1, 1),
    );
    check(
        &cmp.cercles[0],
        &rubric,
        "i1",
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        (1, 2),
    );
    check(
        &cmp.cercles[0],
        &rubric,
        "i4",
        [0, 1, 0, 0],
        [0, 1, 0, 0],
        (1, 1),
    );
    check(
        &cmp.cercles[1],
        &rubric,
        "i2",
        [0, 0, 0, 0],
        [0, 0, 0, 1],
        (0, 0),
    );

    // Nodes: c1 scores a 50 (C), b 0 (D), c 200/3 (B), d 100/3 (C).
    check_node(n, &rubric, "c1", [1, 2, 1, 0], (0, 0), (3, 4));
    check_node(n, &rubric, "c2", [0, 1, 1, 1], (1, 0), (3, 3));
    check_node(n, &rubric, "c3", [0, 3, 0, 0], (1, 0), (3, 3));
    check_node(n, &rubric, "overall", [0, 4, 0, 0], (0, 0), (4, 4));
}

#[test]
fn quartiles_of_scores() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let cmp = compare(&rubric, &results(&list, &s)).expect("valid");
    // Overall, sorted: 100/3 (b), 100/3 (d), 50 (c), 325/6 (a). n = 4, so
    // h = 0.75, 1.5, 2.25: q1 = 100/3; median = 100/3 + (50 − 100/3)/2 =
    // 125/3; q3 = 50 + (325/6 − 50)/4 = 1225/24.
    let root = cmp.national.nodes[0].scores;
    assert_eq!((root.scored, root.provisional), (4, 1));
    let q = root.quartiles;
    let third = d(100) / d(3);
    assert_eq!(q.min.map(close), Some(close(third)));
    assert_eq!(q.q1.map(close), Some(close(third)));
    assert_eq!(q.median.map(close), Some(close(d(125) / d(3))));
    assert_eq!(q.q3.map(close), Some(close(d(1225) / d(24))));
    assert_eq!(q.max.map(close), Some(close(d(325) / d(6))));
    // Region R2 has one commune: every figure is its score.
    let r2 = cmp.regions[1].nodes[0].scores.quartiles;
    assert_eq!(
        (r2.min, r2.median, r2.max),
        (Some(s[3].overall.expect("scored")), r2.min, r2.min)
    );
    // c2 is not applicable for c: three scores 100/3, 200/3, 100.
    let c2 = rubric.node_ix("c2").expect("known");
    let q = cmp.national.nodes[c2.index()].scores;
    assert_eq!(q.scored, 3);
    assert_eq!(q.quartiles.q1.map(close), Some(close(d(50))));
    assert_eq!(q.quartiles.median.map(close), Some(close(d(200) / d(3))));
    assert_eq!(q.quartiles.q3.map(close), Some(close(d(250) / d(3))));
}

#[test]
fn ranking_with_ties_as_displayed() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let cmp = compare(&rubric, &results(&list, &s)).expect("valid");
    let r = &cmp.ranking;
    let got: Vec<(&str, u32, u32, bool, Decimal, bool)> = r
        .entries
        .iter()
        .map(|e| {
            (
                e.commune.as_str(),
                e.rank,
                e.region_rank,
                e.tied,
                e.shown,
                e.provisional,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", 1, 1, false, Decimal::new(542, 1), false),
            ("c", 2, 2, false, d(50), true),
            ("b", 3, 3, true, Decimal::new(333, 1), false),
            ("d", 3, 1, true, Decimal::new(333, 1), false),
        ]
    );
    assert_eq!(r.method.by, RankBy::Overall);
    assert!(r.unranked.is_empty());
}

/// Checks competition ranks for overall scores (`None`: not scored).
#[track_caller]
fn check_ranks(scores: &[(&str, Option<&str>)], expected: &[(&str, u32)], unranked: &[&str]) {
    let rubric = rubric();
    let base = four();
    let template = crate::planning::tests::scored(&rubric, &base[0]);
    let list: Vec<crate::Assessment> = scores
        .iter()
        .map(|(id, _)| {
            let mut a = base[0].clone();
            a.commune.id = (*id).into();
            a
        })
        .collect();
    let s: Vec<Scored> = scores
        .iter()
        .map(|(_, score)| {
            let mut s = template.clone();
            s.nodes[0].score = score.map(|x| x.parse().expect("test decimal"));
            if score.is_none() {
                s.nodes[0].status = crate::NodeStatus::Unanswered;
            }
            s
        })
        .collect();
    let r = rank(&rubric, &results(&list, &s), RankBy::Overall).expect("valid");
    let got: Vec<(&str, u32)> = r
        .entries
        .iter()
        .map(|e| (e.commune.as_str(), e.rank))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(r.unranked, unranked);
}

#[test]
fn competition_ranking_1224() {
    // 70.04, 70.0 and 69.96 all show as 70.0: one rank, the next skips two.
    check_ranks(
        &[
            ("e", Some("70.04")),
            ("f", Some("80")),
            ("g", Some("69.96")),
            ("h", Some("70")),
            ("i", Some("69.94")),
            ("j", None),
        ],
        &[("f", 1), ("e", 2), ("g", 2), ("h", 2), ("i", 5)],
        &["j"],
    );
    // 0.05 rounds half away from zero to 0.1, above 0.04 (0.0).
    check_ranks(
        &[("k", Some("0.04")), ("l", Some("0.05"))],
        &[("l", 1), ("k", 2)],
        &[],
    );
    check_ranks(&[], &[], &[]);
}

#[test]
fn ranking_by_a_node_says_so() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    let node = rubric.node_ix("d2").expect("known");
    let r = rank(&rubric, &results(&list, &s), RankBy::Node { node }).expect("valid");
    // d2 is not applicable for b (sante not transferred).
    assert_eq!(r.unranked, ["b"]);
    assert_eq!(
        r.method.describe(&rubric, Lang::Fr),
        "Classement selon le score « D2 » (0–100), du plus élevé au plus bas ; les scores égaux à 1 décimale près partagent un rang et le rang suivant est sauté (1, 2, 2, 4). Des niveaux ordinaux ne sont pas des mesures : lire d'abord les répartitions par niveau."
    );
    assert_eq!(rubric.id(NodeRef::Node(node)), "d2");
}

#[test]
fn empty_and_invalid_input() {
    let rubric = rubric();
    let cmp = compare(&rubric, &[]).expect("nothing to compare is valid");
    assert_eq!(cmp.national.communes, 0);
    assert!(cmp.regions.is_empty() && cmp.cercles.is_empty());
    assert_eq!(cmp.national.indicators[0].at_or_above_basic.ratio(), None);
    assert_eq!(cmp.national.nodes[0].scores.quartiles, Quartiles::default());

    let list = four();
    let mut s = score_all(&rubric, &list);
    s[0].indicators.pop();
    let err = compare(&rubric, &results(&list, &s)).expect_err("mismatch");
    assert_eq!(err.len(), 1);
    // Serialises for the app and the exports.
    let ok = score_all(&rubric, &list);
    let cmp = compare(&rubric, &results(&list, &ok)).expect("valid");
    let json = serde_json::to_string(&cmp).expect("serialises");
    let back: Comparison = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, cmp);
}

#[test]
fn score_keys_order_exactly() {
    let v = |s: &str| s.parse::<Decimal>().expect("test decimal");
    let mut e: Vec<(i128, u32, Decimal)> =
        ["50.0", "49.9999999999999999999999999", "50", "0.5", "100"]
            .iter()
            .enumerate()
            .map(|(i, s)| (sort_key(v(s)).expect("fits"), i as u32, v(s)))
            .collect();
    sort_scores(&mut e);
    let order: Vec<u32> = e.iter().map(|x| x.1).collect();
    // 50.0 and 50 are equal: by position.
    assert_eq!(order, [3, 1, 0, 2, 4]);
    // Values too large for a key fall back to comparing decimals.
    assert_eq!(sort_key(Decimal::MAX), None);
    let mut e = vec![
        (i128::MAX, 0, Decimal::MAX),
        (sort_key(v("1")).expect("fits"), 1, v("1")),
    ];
    sort_scores(&mut e);
    assert_eq!(e[0].2, v("1"));
}
