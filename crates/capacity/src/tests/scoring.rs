//! Scoring: consolidation of raters, aggregation by each method, coverage,
//! minimum conditions. Expected values are worked out by hand here, with
//! the scale D, C, B, A (values 1–4) scoring 0, 100/3, 200/3 and 100.

use super::{assessment, compile, resolve};
use crate::{
    CompiledRubric, Condition, Flags, IndicatorIx, NodeStatus, NotApplicableBy, Scored, Status,
    example, score,
};
use rust_decimal::Decimal;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn third() -> Decimal {
    d(100) / d(3)
}

/// Scale D, C, B, A; one domain `d` and one competency `c` aggregated by
/// `aggregation`, over indicators `i1…` with the given weights, followed by
/// `extra` (e.g. tables).
fn tree(
    aggregation: &str,
    weights: &[&str],
    indicator_extra: &[&str],
    extra: &str,
) -> CompiledRubric {
    let mut s = String::from(
        "format = 1\nid = \"t\"\nversion = \"1\"\ntitle.fr = \"T\"\n[scale]\nbasic = \"C\"\n",
    );
    for (code, value) in [("D", 1), ("C", 2), ("B", 3), ("A", 4)] {
        s += &format!(
            "[[scale.level]]\ncode = \"{code}\"\nvalue = \"{value}\"\nlabel.fr = \"{code}\"\n"
        );
    }
    s += extra;
    s += "[[domain]]\nid = \"d\"\ntitle.fr = \"D\"\n";
    s += &format!(
        "[[competency]]\nid = \"c\"\ndomain = \"d\"\ntitle.fr = \"C\"\naggregation = {aggregation}\n"
    );
    for (i, w) in weights.iter().enumerate() {
        s += &format!(
            "[[indicator]]\nid = \"i{}\"\ncompetency = \"c\"\ntitle.fr = \"I\"\nweight = \"{w}\"\ntarget = \"B\"\nsource = \"s\"\nevidence.fr = \"e\"\ndescriptor = {{ D.fr = \"d\", C.fr = \"c\", B.fr = \"b\", A.fr = \"a\" }}\n{}\n",
            i + 1,
            indicator_extra.get(i).copied().unwrap_or("")
        );
    }
    compile(&s)
}

fn run(rubric: &CompiledRubric, answers: &[(&str, &[&str], Option<&str>)]) -> Scored {
    let a = assessment(answers);
    score(rubric, &resolve(rubric, &a)).expect("same rubric")
}

/// Checks one indicator's consolidation: `marks` by raters r1…, an optional
/// consensus, the expected status, flags and spread.
#[track_caller]
fn check_indicator(
    indicator: &str,
    marks: &[&str],
    consensus: Option<&str>,
    status: Status,
    flags: Flags,
    spread: u8,
) {
    let rubric = tree(
        "{ method = \"weighted_mean\" }",
        &["1", "1", "1"],
        &[
            "",
            "applies_when = { min_population = 50000 }",
            "applies_when = { setting = \"urban\" }",
        ],
        "",
    );
    let scored = run(&rubric, &[(indicator, marks, consensus)]);
    let ix = rubric.indicator_ix(indicator).expect("known");
    let r = scored.indicator(ix).expect("scored");
    assert_eq!(r.status, status, "status");
    assert_eq!(r.flags, flags, "flags: {}", r.flags);
    assert_eq!(r.spread, spread, "spread");
}

#[test]
fn consolidation() {
    use Status::*;
    let l = |code: &str| {
        Level(crate::LevelIx(match code {
            "D" => 0,
            "C" => 1,
            "B" => 2,
            _ => 3,
        }))
    };
    let none = Flags::EMPTY;
    check_indicator("i1", &["C"], None, l("C"), none, 0);
    // Lower median of D, C, B, A is C (the second of four).
    check_indicator(
        "i1",
        &["D", "C", "B", "A"],
        None,
        l("C"),
        Flags::DISAGREEMENT,
        3,
    );
    check_indicator("i1", &["A", "B"], None, l("B"), none, 1);
    check_indicator("i1", &["A", "C"], None, l("C"), Flags::DISAGREEMENT, 2);
    check_indicator("i1", &["B", "A", "A"], None, l("A"), none, 1);
    check_indicator(
        "i1",
        &["NI", "NI"],
        None,
        NoInformation,
        Flags::NO_INFORMATION,
        0,
    );
    check_indicator(
        "i1",
        &["NA", "NA"],
        None,
        NotApplicable(NotApplicableBy::Raters),
        none,
        0,
    );
    check_indicator(
        "i1",
        &["NA", "NI"],
        None,
        NoInformation,
        Flags::NO_INFORMATION,
        0,
    );
    check_indicator(
        "i1",
        &["B", "NI", "NA"],
        None,
        l("B"),
        Flags::MIXED_MARKS,
        0,
    );
    check_indicator("i1", &[], Some("B"), l("B"), Flags::CONSENSUS, 0);
    check_indicator(
        "i1",
        &["D", "A"],
        Some("B"),
        l("B"),
        Flags::CONSENSUS | Flags::DISAGREEMENT,
        3,
    );
    check_indicator(
        "i1",
        &["C"],
        Some("NA"),
        NotApplicable(NotApplicableBy::Consensus),
        Flags::CONSENSUS,
        0,
    );
    check_indicator(
        "i1",
        &["C"],
        Some("NI"),
        NoInformation,
        Flags::CONSENSUS | Flags::NO_INFORMATION,
        0,
    );
    check_indicator("i1", &[], None, Unanswered, Flags::PROVISIONAL, 0);
    // The commune has 12 000 inhabitants: i2 needs 50 000.
    check_indicator(
        "i2",
        &["A"],
        None,
        NotApplicable(NotApplicableBy::Rule),
        Flags::NOT_APPLICABLE_BY_RULE | Flags::RATED_DESPITE_RULE,
        0,
    );
    check_indicator(
        "i2",
        &[],
        None,
        NotApplicable(NotApplicableBy::Rule),
        Flags::NOT_APPLICABLE_BY_RULE,
        0,
    );
    // The commune's setting is unknown: i3 is treated as applicable.
    check_indicator("i3", &["B"], None, l("B"), Flags::APPLICABILITY_UNKNOWN, 0);
}

/// Checks a competency's score (to 20 decimals), grade and status.
#[track_caller]
fn check_node(
    rubric: &CompiledRubric,
    answers: &[(&str, &[&str], Option<&str>)],
    expected: Option<Decimal>,
    grade: &str,
    status: NodeStatus,
) -> Scored {
    let scored = run(rubric, answers);
    let c = scored.node_by_id(rubric, "c").expect("competency");
    assert_eq!(c.status, status, "status");
    assert_eq!(
        c.score.map(|s| s.round_dp(20)),
        expected.map(|s| s.round_dp(20)),
        "score"
    );
    assert_eq!(
        c.grade.map(|g| g.label(rubric)).unwrap_or_default(),
        grade,
        "grade"
    );
    // A single domain and a single competency: all three agree.
    assert_eq!(scored.overall, c.score);
    scored
}

#[test]
fn weighted_mean() {
    let r = tree("{ method = \"weighted_mean\" }", &["1", "2", "3"], &[], "");
    // (1·100 + 2·100/3 + 3·0) / 6 = 250/9 = 27.78: below C (33.33), so D.
    check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["C"], None),
            ("i3", &["D"], None),
        ],
        Some(d(250) / d(9)),
        "D",
        NodeStatus::Scored,
    );
    // i2 not applicable: (1·100 + 3·0) / 4 = 25.
    check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["NA"], None),
            ("i3", &["D"], None),
        ],
        Some(d(25)),
        "D",
        NodeStatus::Scored,
    );
    // i2 unanswered: same score, but provisional with coverage 2/3.
    let s = check_node(
        &r,
        &[("i1", &["A"], None), ("i3", &["D"], None)],
        Some(d(25)),
        "D",
        NodeStatus::Scored,
    );
    assert!(s.provisional);
    assert_eq!((s.coverage.answered, s.coverage.applicable), (2, 3));
    assert_eq!(s.coverage.ratio(), Some(d(2) / d(3)));
    assert!(s.flags.contains(Flags::PROVISIONAL));
    // NI counts as D and is flagged up to the root: (100 + 0 + 0)/6.
    let s = check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["NI"], None),
            ("i3", &["D"], None),
        ],
        Some(d(100) / d(6)),
        "D",
        NodeStatus::Scored,
    );
    assert!(s.flags.contains(Flags::NO_INFORMATION));
    assert_eq!(s.coverage.no_information, 1);
    // Two B and a B: exactly the band B despite the division's last digit.
    check_node(
        &r,
        &[
            ("i1", &["B"], None),
            ("i2", &["B"], None),
            ("i3", &["B"], None),
        ],
        Some(third() * d(2)),
        "B",
        NodeStatus::Scored,
    );
    // Everything not applicable: the node and the root are not applicable.
    let s = check_node(
        &r,
        &[
            ("i1", &["NA"], None),
            ("i2", &["NA"], None),
            ("i3", &["NA"], None),
        ],
        None,
        "",
        NodeStatus::NotApplicable,
    );
    assert!(!s.provisional);
    // Nothing answered: unanswered.
    check_node(
        &r,
        &[("i1", &["NA"], None)],
        None,
        "",
        NodeStatus::Unanswered,
    );
}

#[test]
fn weakest_link() {
    let r = tree("{ method = \"weakest_link\" }", &["1", "5", "1"], &[], "");
    check_node(
        &r,
        &[
            ("i1", &["B"], None),
            ("i2", &["C"], None),
            ("i3", &["B"], None),
        ],
        Some(third()),
        "C+",
        NodeStatus::Scored,
    );
    check_node(
        &r,
        &[
            ("i1", &["C"], None),
            ("i2", &["C"], None),
            ("i3", &["NA"], None),
        ],
        Some(third()),
        "C",
        NodeStatus::Scored,
    );
    check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["NI"], None),
            ("i3", &["A"], None),
        ],
        Some(d(0)),
        "D+",
        NodeStatus::Scored,
    );
}

/// A table for two and three inputs over D, C, B, A: the score is ten
/// times the sum of level indices (D = 0 … A = 3), plus 1 for two inputs;
/// the result is the inputs highest first.
fn table(arities: &[usize]) -> String {
    let mut s = String::from("[[table]]\nid = \"m\"\n");
    let codes = ["D", "C", "B", "A"];
    for &n in arities {
        let mut m = vec![3usize; n];
        loop {
            let inputs: Vec<String> = m.iter().map(|i| format!("\"{}\"", codes[*i])).collect();
            let result: String = m.iter().map(|i| codes[*i]).collect();
            let score = 10 * m.iter().sum::<usize>() + usize::from(n == 2);
            s += &format!(
                "[[table.row]]\ninputs = [{}]\nresult = \"{result}\"\nscore = \"{score}\"\n",
                inputs.join(", ")
            );
            let Some(i) = m.iter().rposition(|g| *g > 0) else {
                break;
            };
            let v = m[i] - 1;
            for g in &mut m[i..] {
                *g = v;
            }
        }
    }
    s
}

#[test]
fn lookup_table() {
    let r = tree(
        "{ method = \"table\", table = \"m\" }",
        &["1", "1", "1"],
        &[],
        &table(&[2, 3]),
    );
    // A, B, D: 10·(3 + 2 + 0) = 50, shown "ABD"; inputs in any order.
    check_node(
        &r,
        &[
            ("i1", &["D"], None),
            ("i2", &["A"], None),
            ("i3", &["B"], None),
        ],
        Some(d(50)),
        "ABD",
        NodeStatus::Scored,
    );
    // One not applicable: the rows for two inputs, A and D: 10·3 + 1.
    check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["NA"], None),
            ("i3", &["D"], None),
        ],
        Some(d(31)),
        "AD",
        NodeStatus::Scored,
    );
    // Two not applicable: the remaining child itself.
    check_node(
        &r,
        &[
            ("i1", &["NA"], None),
            ("i2", &["NA"], None),
            ("i3", &["A"], None),
        ],
        Some(d(100)),
        "A",
        NodeStatus::Scored,
    );
    // A table without rows for two inputs falls back to weakest link.
    let r = tree(
        "{ method = \"table\", table = \"m\" }",
        &["1", "1", "1"],
        &[],
        &table(&[3]),
    );
    let s = check_node(
        &r,
        &[
            ("i1", &["A"], None),
            ("i2", &["NA"], None),
            ("i3", &["C"], None),
        ],
        Some(third()),
        "C+",
        NodeStatus::Scored,
    );
    assert!(s.flags.contains(Flags::TABLE_FALLBACK));
}

#[test]
fn example_by_hand() {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("example");
    let (_, resolved) = rubric.resolve_toml(example::ASSESSMENT).expect("example");
    let s = score(&rubric, &resolved).expect("same rubric");
    let (c, b) = (third(), third() * d(2));
    // État civil, weakest link of C (median of C, B, C) and B (consensus).
    let etat_civil = c;
    // Organisation: B (weight 2) and NI counted as D (weight 1).
    let organisation = (d(2) * b + d(0)) / d(3);
    let administration = (etat_civil + organisation) / d(2);
    // Gouvernance by table: participation D (lower median of C, D; the
    // other indicator is not applicable by rule), sécurité B (one of two
    // indicators answered): row [B, D] → C, 33.33.
    let gouvernance: Decimal = "33.33".parse().expect("decimal");
    let overall = (d(2) * administration + gouvernance) / d(3);
    let close = |x: Option<Decimal>| x.map(|v| v.round_dp(20));
    assert_eq!(close(s.overall), close(Some(overall)));
    for (id, expected, grade) in [
        ("etat-civil", etat_civil, "C+"),
        ("organisation", organisation, "C"),
        ("administration", administration, "C"),
        ("gouvernance", gouvernance, "C"),
        ("participation", d(0), "D"),
        ("securite", b, "B"),
    ] {
        let n = s.node_by_id(&rubric, id).expect("known");
        assert_eq!(close(n.score), close(Some(expected)), "{id}");
        assert_eq!(
            n.grade.map(|g| g.label(&rubric)).as_deref(),
            Some(grade),
            "{id}"
        );
    }
    assert!(s.provisional);
    assert_eq!(
        (
            s.coverage.answered,
            s.coverage.applicable,
            s.coverage.indicators
        ),
        (6, 7, 8)
    );
    let ix = |id: &str| rubric.indicator_ix(id).expect("known");
    assert_eq!(s.minimum_conditions.met, vec![ix("ADM-EC-01")]);
    assert_eq!(s.minimum_conditions.pending, vec![ix("GOV-SE-01")]);
    assert!(s.minimum_conditions.failed.is_empty());
    assert!(!s.minimum_conditions.all_met());
    let flags: Vec<&str> = s.flags.names().collect();
    assert_eq!(
        flags,
        [
            "no_information",
            "disagreement",
            "mixed_marks",
            "provisional"
        ]
    );
}

#[test]
fn minimum_conditions() {
    let r = tree(
        "{ method = \"weighted_mean\" }",
        &["1", "1", "1", "1"],
        &[
            "critical = true",
            "critical = true\nminimum = \"B\"",
            "critical = true",
            "critical = true",
        ],
        "",
    );
    let s = run(
        &r,
        &[
            ("i1", &["C"], None),
            ("i2", &["C"], None),
            ("i3", &["NI"], None),
            ("i4", &["NA"], None),
        ],
    );
    let cond = |i: u32| s.indicator(IndicatorIx(i)).and_then(|r| r.condition);
    assert_eq!(cond(0), Some(Condition::Met));
    assert_eq!(cond(1), Some(Condition::Failed));
    assert_eq!(cond(2), Some(Condition::Failed));
    assert_eq!(cond(3), Some(Condition::NotApplicable));
    assert_eq!(
        s.minimum_conditions.failed,
        vec![IndicatorIx(1), IndicatorIx(2)]
    );
    assert_eq!(s.minimum_conditions.not_applicable, vec![IndicatorIx(3)]);
}

#[test]
fn scoring_with_another_rubric_is_refused() {
    let a = tree("{ method = \"weighted_mean\" }", &["1"], &[], "");
    let b = CompiledRubric::from_toml(example::RUBRIC).expect("example");
    let resolved = resolve(&a, &assessment(&[("i1", &["C"], None)]));
    assert_eq!(
        score(&b, &resolved).map(|_| ()).map_err(|e| e.to_string()),
        Err("the data was prepared for rubric `t@1`, not `exemple@1.0.0`: resolve the assessment again with this rubric".to_owned())
    );
}

#[test]
fn scorer_reuses_buffers_and_agrees() {
    let r = tree("{ method = \"weakest_link\" }", &["1", "1"], &[], "");
    let mut scorer = crate::Scorer::new(&r);
    let mut out = Scored::default();
    for marks in [["A", "B"], ["C", "D"], ["NI", "B"]] {
        let a = assessment(&[("i1", &marks[..1], None), ("i2", &marks[1..], None)]);
        let resolved = resolve(&r, &a);
        scorer.score_into(&resolved, &mut out).expect("same rubric");
        assert_eq!(out, score(&r, &resolved).expect("same rubric"));
    }
}
