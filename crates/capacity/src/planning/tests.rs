//! Shared fixtures of the planning tests, and tests of the shared ground
//! (shares, quantiles, layout, errors).
//!
//! The fixture rubric: scale D, C, B, A (scores 0, 100/3, 200/3, 100),
//! basic C; domain `d1` (competencies `c1`: i1, i2; `c2`: i3) and domain
//! `d2` (competency `c3`: i4, i5, which apply only where the competence
//! `sante` is transferred). Every node is a weighted mean with weight 1.
//! i1 is critical (minimum C). Actions, `(indicator: from → cost,
//! horizon)`, index in brackets:
//!
//! - i1 (target B): [0] D → 100 short, [1] C → 200 medium, [2] B → 400 long
//! - i2 (target A): [0] D → 10 short, [1] B → 30 medium, [2] B → 5 short
//!   (no action from C: that step is uncosted)
//! - i3 (target B): [0] D → 1000 short
//! - i4 (target B): [0] D → 50 short, [1] C → 60 long
//! - i5 (target C): [0] D → 70 short

use super::*;
use crate::{Answer, Assessment, Consensus, Scored};
use rust_decimal::Decimal;

pub(crate) const RUBRIC: &str = r#"format = 1
id = "plan"
version = "1"
title.fr = "Planification"
[scale]
basic = "C"
[[scale.level]]
code = "D"
value = "1"
label.fr = "d"
[[scale.level]]
code = "C"
value = "2"
label.fr = "c"
[[scale.level]]
code = "B"
value = "3"
label.fr = "b"
[[scale.level]]
code = "A"
value = "4"
label.fr = "a"
[[domain]]
id = "d1"
title.fr = "D1"
[[domain]]
id = "d2"
title.fr = "D2"
[[competency]]
id = "c1"
domain = "d1"
title.fr = "C1"
[[competency]]
id = "c2"
domain = "d1"
title.fr = "C2"
[[competency]]
id = "c3"
domain = "d2"
title.fr = "C3"
[[indicator]]
id = "i1"
competency = "c1"
title.fr = "I1"
target = "B"
critical = true
source = "s"
evidence.fr = "e"
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b", A.fr = "a" }
action = [
  { from = "D", text.fr = "i1 D", cost = "100", horizon = "short", responsible.fr = "Maire" },
  { from = "C", text.fr = "i1 C", cost = "200", horizon = "medium", responsible.fr = "Maire" },
  { from = "B", text.fr = "i1 B", cost = "400", horizon = "long", responsible.fr = "Maire" },
]
[[indicator]]
id = "i2"
competency = "c1"
title.fr = "I2"
target = "A"
source = "s"
evidence.fr = "e"
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b", A.fr = "a" }
action = [
  { from = "D", text.fr = "i2 D", cost = "10", horizon = "short", responsible.fr = "SG" },
  { from = "B", text.fr = "i2 B1", cost = "30", horizon = "medium", responsible.fr = "SG" },
  { from = "B", text.fr = "i2 B2", cost = "5", horizon = "short", responsible.fr = "SG" },
]
[[indicator]]
id = "i3"
competency = "c2"
title.fr = "I3"
target = "B"
source = "s"
evidence.fr = "e"
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b", A.fr = "a" }
action = [
  { from = "D", text.fr = "i3 D", cost = "1000", horizon = "short", responsible.fr = "Conseil" },
]
[[indicator]]
id = "i4"
competency = "c3"
title.fr = "I4"
target = "B"
source = "s"
evidence.fr = "e"
applies_when = { transferred = "sante" }
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b", A.fr = "a" }
action = [
  { from = "D", text.fr = "i4 D", cost = "50", horizon = "short", responsible.fr = "Maire" },
  { from = "C", text.fr = "i4 C", cost = "60", horizon = "long", responsible.fr = "Maire" },
]
[[indicator]]
id = "i5"
competency = "c3"
title.fr = "I5"
target = "C"
source = "s"
evidence.fr = "e"
applies_when = { transferred = "sante" }
descriptor = { D.fr = "d", C.fr = "c", B.fr = "b", A.fr = "a" }
action = [
  { from = "D", text.fr = "i5 D", cost = "70", horizon = "short", responsible.fr = "Maire" },
]
"#;

/// The fixture rubric, compiled.
pub(crate) fn rubric() -> CompiledRubric {
    crate::tests::compile(RUBRIC)
}

/// A commune: id, region, cercle, population, whether `sante` is
/// transferred, round, and per indicator its consensus mark (`D`…`A`, `NA`,
/// `NI`; indicators not listed are unanswered).
pub(crate) fn assessment(
    id: &str,
    (region, cercle): (&str, &str),
    population: Option<u64>,
    sante: bool,
    round: &str,
    marks: &[(&str, &str)],
) -> Assessment {
    let header = format!(
        "format = 1\nrubric = \"plan\"\nrubric_version = \"1\"\nround = \"{round}\"\ndate = \"2024-03-14\"\n[commune]\nid = \"{id}\"\nname = \"{id}\"\ncercle = \"{cercle}\"\nregion = \"{region}\"\ntransferred = [{}]\n",
        if sante { "\"sante\"" } else { "" }
    );
    let mut a = Assessment::from_toml(&header).expect("fixture header parses");
    a.commune.population = population;
    for (indicator, mark) in marks {
        a.answers.push(Answer {
            indicator: (*indicator).to_owned(),
            target: None,
            comment: None,
            consensus: Some(Consensus {
                level: (*mark).to_owned(),
                justification: None,
            }),
            ratings: Vec::new(),
        });
    }
    a
}

/// Scores a fixture assessment.
#[track_caller]
pub(crate) fn scored(rubric: &CompiledRubric, a: &Assessment) -> Scored {
    crate::score(rubric, &crate::tests::resolve(rubric, a)).expect("same rubric")
}

/// The four communes of the comparison, reform and grant tests:
///
/// | commune | region/cercle | pop. | sante | i1 | i2 | i3 | i4 | i5 |
/// |---|---|---|---|---|---|---|---|---|
/// | a | R1/K1 | 10 000 | yes | C | B | A | C | C |
/// | b | R1/K1 | — | no | D | NI | B | (NA rule) | (NA rule) |
/// | c | R1/K2 | 5 000 | yes | B | — | NA | D | B |
/// | d | R2/K3 | 30 000 | yes | C | C | C | C | C |
///
/// Overall scores: a (50 + 100)/2 = 75 and 100/3 → 325/6; b 100/3 (domain
/// d2 not applicable); c (200/3 + 100/3)/2 = 50, provisional; d 100/3.
pub(crate) fn four() -> Vec<Assessment> {
    vec![
        assessment(
            "a",
            ("R1", "K1"),
            Some(10_000),
            true,
            "2024",
            &[
                ("i1", "C"),
                ("i2", "B"),
                ("i3", "A"),
                ("i4", "C"),
                ("i5", "C"),
            ],
        ),
        assessment(
            "b",
            ("R1", "K1"),
            None,
            false,
            "2024",
            &[("i1", "D"), ("i2", "NI"), ("i3", "B")],
        ),
        assessment(
            "c",
            ("R1", "K2"),
            Some(5_000),
            true,
            "2024",
            &[("i1", "B"), ("i3", "NA"), ("i4", "D"), ("i5", "B")],
        ),
        assessment(
            "d",
            ("R2", "K3"),
            Some(30_000),
            true,
            "2024",
            &[
                ("i1", "C"),
                ("i2", "C"),
                ("i3", "C"),
                ("i4", "C"),
                ("i5", "C"),
            ],
        ),
    ]
}

/// Scores every assessment.
pub(crate) fn score_all(rubric: &CompiledRubric, list: &[Assessment]) -> Vec<Scored> {
    list.iter().map(|a| scored(rubric, a)).collect()
}

/// The records of assessments and their results.
pub(crate) fn results<'a>(list: &'a [Assessment], scored: &'a [Scored]) -> Vec<CommuneResult<'a>> {
    list.iter()
        .zip(scored)
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect()
}

/// `n` as a decimal.
pub(crate) fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

/// A decimal rounded to 20 places, to compare values that carry the noise
/// of 28-digit arithmetic.
pub(crate) fn close(x: Decimal) -> Decimal {
    x.round_dp(20)
}

#[track_caller]
fn check_quantile(values: &[i64], p: &str, expected: Option<Decimal>) {
    let mut v: Vec<Decimal> = values.iter().copied().map(d).collect();
    v.sort_unstable();
    assert_eq!(
        quantile(&v, p.parse().expect("test decimal")),
        expected,
        "p = {p}"
    );
}

#[test]
fn quantiles_interpolate_between_closest_ranks() {
    // n = 5: h = 4p lands on ranks.
    check_quantile(&[1, 2, 3, 4, 5], "0.25", Some(d(2)));
    check_quantile(&[1, 2, 3, 4, 5], "0.5", Some(d(3)));
    // n = 4: h = 3p = 0.75, 1.5, 2.25.
    check_quantile(&[0, 10, 20, 100], "0.25", Some(Decimal::new(75, 1)));
    check_quantile(&[0, 10, 20, 100], "0.5", Some(d(15)));
    check_quantile(&[0, 10, 20, 100], "0.75", Some(d(40)));
    // One value, out-of-range p (clamped), nothing.
    check_quantile(&[7], "0.75", Some(d(7)));
    check_quantile(&[1, 9], "2", Some(d(9)));
    check_quantile(&[1, 9], "-1", Some(d(1)));
    check_quantile(&[], "0.5", None);
    // Near the limits of Decimal the interpolation overflows: the lower
    // value is returned instead of a panic.
    let v = [Decimal::MIN, Decimal::MAX];
    assert_eq!(quantile(&v, Decimal::new(5, 1)), Some(Decimal::MIN));
}

#[test]
fn shares_compare_exactly() {
    assert!(Share::new(1, 3).cmp_ratio(Share::new(2, 6)).is_eq());
    assert!(Share::new(0, 0).cmp_ratio(Share::new(0, 5)).is_lt());
    assert!(Share::new(0, 0).cmp_ratio(Share::new(0, 0)).is_eq());
    assert!(
        Share::new(u32::MAX, u32::MAX)
            .cmp_ratio(Share::new(1, 1))
            .is_eq()
    );
    assert!(Share::new(1, 2).exceeds(Decimal::new(49, 2)));
    assert!(!Share::new(1, 2).exceeds(Decimal::new(5, 1)));
    assert!(!Share::new(0, 0).exceeds(Decimal::ZERO));
    let json = serde_json::to_string(&Share::new(1, 4)).expect("serialises");
    assert_eq!(json, r#"{"count":1,"of":4,"ratio":"0.25"}"#);
    assert_eq!(
        serde_json::from_str::<Share>(&json).expect("reads back"),
        Share::new(1, 4)
    );
    let err = serde_json::from_str::<Share>(r#"{"count":5,"of":4}"#).expect_err("invalid");
    assert!(
        err.to_string()
            .starts_with("a share cannot count 5 out of 4")
    );
}

#[test]
fn layout_groups_by_region_and_cercle() {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    // Input order scrambled: the layout sorts.
    let mut r = results(&list, &s);
    r.reverse();
    let layout = Layout::new(&rubric, &r).expect("valid");
    let ids: Vec<&str> = layout
        .order
        .iter()
        .map(|&i| r[i as usize].commune.id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b", "c", "d"]);
    assert_eq!(layout.regions, [("R1", 0..3), ("R2", 3..4)]);
    assert_eq!(
        layout.cercles,
        [("R1", "K1", 0..2), ("R1", "K2", 2..3), ("R2", "K3", 3..4)]
    );
}

#[test]
fn every_input_problem_is_reported() {
    let rubric = rubric();
    let mut list = four();
    list.push(list[0].clone());
    list.push(list[0].clone());
    list.push(list[1].clone());
    let mut s = score_all(&rubric, &list);
    s[3].rubric = "plan@0".into();
    let err = Layout::new(&rubric, &results(&list, &s)).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "commune `d` was scored with rubric `plan@0`, not `plan@1`: score every assessment with the same rubric version\n\
         commune `a` appears more than once: keep one assessment per commune (compare its rounds with `progress`)\n\
         commune `b` appears more than once: keep one assessment per commune (compare its rounds with `progress`)"
    );
    let json = serde_json::to_value(&err).expect("serialises");
    assert_eq!(json[1]["problem"], "duplicate_commune");
}

#[test]
fn step_costs_sum_actions_and_count_missing_steps() {
    let rubric = rubric();
    let costs = StepCosts::new(&rubric);
    let (i1, i2) = (IndicatorIx(0), IndicatorIx(1));
    let l = LevelIx;
    assert_eq!(costs.between(i1, l(0), l(2)), (d(300), 0));
    assert_eq!(costs.between(i1, l(0), l(3)), (d(700), 0));
    assert_eq!(costs.between(i1, l(2), l(1)), (d(0), 0));
    // i2: D → 10, no action from C, B → 30 + 5.
    assert_eq!(costs.between(i2, l(0), l(3)), (d(45), 1));
    assert_eq!(costs.between(i2, l(1), l(2)), (d(0), 1));
    // Out-of-range indices price nothing rather than panic.
    assert_eq!(costs.between(IndicatorIx(99), l(0), l(3)), (d(0), 0));
}
