//! Grant simulations, worked out by hand on the four communes of
//! `planning::tests::four`: overall scores a 325/6 ≈ 54.17, b 100/3
//! (fails i1's minimum C), c 50 (provisional: i2 unanswered), d 100/3;
//! populations a 10 000, b unknown, c 5 000, d 30 000.

use super::*;
use crate::planning::tests::{d, four, results, rubric, score_all};

fn rules(pool: i64, threshold: i64) -> GrantRules {
    GrantRules {
        pool: d(pool),
        threshold: d(threshold),
        minimum_conditions: MinimumConditionSet::Rubric,
        provisional: ProvisionalRule::Ineligible,
        formula: Formula::Score,
    }
}

fn simulate(rules: &GrantRules) -> GrantSimulation {
    let rubric = rubric();
    let list = four();
    let s = score_all(&rubric, &list);
    simulate_grants(&rubric, rules, &results(&list, &s)).expect("valid")
}

/// Checks `(commune, eligible, amount, remainder franc)` and the totals.
#[track_caller]
fn check(sim: &GrantSimulation, expected: &[(&str, bool, i64, bool)], distributed: i64) {
    let got: Vec<(&str, bool, i64, bool)> = sim
        .allocations
        .iter()
        .map(|a| {
            (
                a.commune.as_str(),
                a.eligibility.eligible,
                i64::try_from(a.amount.mantissa()).expect("small"),
                a.remainder_franc,
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(sim.distributed, d(distributed));
    assert_eq!(sim.distributed + sim.undistributed, sim.rules.pool);
    let sum: Decimal = sim.allocations.iter().map(|a| a.amount).sum();
    assert_eq!(sum, sim.distributed);
}

#[test]
fn proportional_to_score_with_largest_remainder() {
    let sim = simulate(&rules(1_000_000, 30));
    // Weights (scores to 6 decimals): a 54.166667, d 33.333333; total
    // 87.5. Quotas 619 047.62… and 380 952.37…: 999 999 whole francs, the
    // last franc to a (larger remainder).
    check(
        &sim,
        &[
            ("a", true, 619_048, true),
            ("b", false, 0, false),
            ("c", false, 0, false),
            ("d", true, 380_952, false),
        ],
        1_000_000,
    );
    assert_eq!((sim.eligible, sim.remainder_francs), (2, 1));
    assert_eq!(sim.total_weight, Decimal::new(87_500_000, 6));
    assert_eq!(sim.allocations[0].weight, Decimal::new(54_166_667, 6));
    assert_eq!(
        sim.allocations[0].quota.round_dp(6),
        Decimal::new(619_047_622_857, 6)
    );
    let c = rubric();
    let i1 = c.indicator_ix("i1").expect("known");
    assert_eq!(
        sim.allocations[1].eligibility.reasons,
        [
            EligibilityReason::MinimumConditionFailed {
                indicator: i1,
                minimum: LevelIx(1),
                level: Some(LevelIx(0)),
            },
            EligibilityReason::ScoreAtOrAboveThreshold {
                score: sim.allocations[1].score.expect("scored"),
                threshold: d(30),
            },
        ]
    );
    assert_eq!(
        sim.allocations[2].eligibility.reasons,
        [
            EligibilityReason::MinimumConditionsMet {
                met: 1,
                not_applicable: 0
            },
            EligibilityReason::Provisional { unanswered: 1 },
            EligibilityReason::ScoreAtOrAboveThreshold {
                score: d(50),
                threshold: d(30),
            },
        ]
    );
}

#[test]
fn weighted_by_population() {
    let sim = simulate(&GrantRules {
        formula: Formula::ScoreTimesPopulation,
        ..rules(1_000_000, 30)
    });
    // a 54.166667 × 10 000, d 33.333333 × 30 000: quotas 351 351.36 and
    // 648 648.64: the franc left goes to d.
    check(
        &sim,
        &[
            ("a", true, 351_351, false),
            ("b", false, 0, false),
            ("c", false, 0, false),
            ("d", true, 648_649, true),
        ],
        1_000_000,
    );
    assert!(
        sim.allocations[1]
            .eligibility
            .reasons
            .contains(&EligibilityReason::PopulationUnknown)
    );
}

#[test]
fn provisional_accepted() {
    let sim = simulate(&GrantRules {
        provisional: ProvisionalRule::Eligible,
        ..rules(1_000_000, 30)
    });
    // a 54.166667, c 50, d 33.333333 (total 137.5): 393 939.40,
    // 363 636.36, 242 424.24; the franc left goes to a.
    check(
        &sim,
        &[
            ("a", true, 393_940, true),
            ("b", false, 0, false),
            ("c", true, 363_636, false),
            ("d", true, 242_424, false),
        ],
        1_000_000,
    );
    assert!(
        sim.allocations[2]
            .eligibility
            .reasons
            .contains(&EligibilityReason::ProvisionalAccepted { unanswered: 1 })
    );
}

#[test]
fn threshold_and_listed_conditions() {
    // Only i3 ≥ A: a meets it; c's i3 is not applicable (excluded); b (B)
    // and d (C) fail.
    let sim = simulate(&GrantRules {
        minimum_conditions: MinimumConditionSet::Listed(vec![ConditionSpec {
            indicator: "i3".into(),
            minimum: Some("A".into()),
        }]),
        provisional: ProvisionalRule::Eligible,
        ..rules(100, 0)
    });
    // a 54.166667 and c 50 (total 104.166667): quotas 52.00000015… and
    // 47.99999984…; the franc left goes to c.
    check(
        &sim,
        &[
            ("a", true, 52, false),
            ("b", false, 0, false),
            ("c", true, 48, true),
            ("d", false, 0, false),
        ],
        100,
    );
    assert_eq!(
        sim.allocations[2].eligibility.reasons[0],
        EligibilityReason::MinimumConditionsMet {
            met: 0,
            not_applicable: 1
        }
    );
    // A threshold above every score: nothing is distributed.
    let sim = simulate(&rules(1_000_000, 60));
    check(
        &sim,
        &[
            ("a", false, 0, false),
            ("b", false, 0, false),
            ("c", false, 0, false),
            ("d", false, 0, false),
        ],
        0,
    );
    assert_eq!(sim.undistributed, d(1_000_000));
}

#[test]
fn equal_remainders_go_by_commune_id() {
    let rubric = rubric();
    let base = four();
    let list: Vec<crate::Assessment> = ["z", "m", "n"]
        .iter()
        .map(|id| {
            let mut a = base[3].clone();
            a.commune.id = (*id).into();
            a
        })
        .collect();
    let s = score_all(&rubric, &list);
    let sim = simulate_grants(&rubric, &rules(100, 0), &results(&list, &s)).expect("valid");
    // Three equal quotas of 33.33…: the one franc left goes to `m`.
    check(
        &sim,
        &[
            ("m", true, 34, true),
            ("n", true, 33, false),
            ("z", true, 33, false),
        ],
        100,
    );
}

#[test]
fn threshold_allows_for_arithmetic_noise() {
    // d's score 100/3 is 33.333…3 with 28 digits: a threshold written as
    // the same value to 27 decimals plus noise still admits it.
    let sim = simulate(&GrantRules {
        threshold: "33.33333333333333333333333334".parse().expect("decimal"),
        ..rules(10, 0)
    });
    assert!(sim.allocations[3].eligibility.eligible);
}

#[test]
fn invalid_rules_are_all_reported() {
    let rubric = rubric();
    let bad = GrantRules {
        pool: Decimal::new(-15, 1),
        threshold: d(120),
        minimum_conditions: MinimumConditionSet::Listed(vec![
            ConditionSpec {
                indicator: "zz".into(),
                minimum: None,
            },
            ConditionSpec {
                indicator: "i1".into(),
                minimum: Some("E".into()),
            },
        ]),
        provisional: ProvisionalRule::Ineligible,
        formula: Formula::Score,
    };
    let err = simulate_grants(&rubric, &bad, &[]).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "pool \"-1.5\" is not valid: write whole francs between \"0\" and \"1000000000000000000\"\n\
         threshold \"120\" is not a score: write a decimal between \"0\" and \"100\"\n\
         the rubric has no indicator `zz`: check the id against the rubric\n\
         indicator `i1`: unknown level `E`: use one of D, C, B, A"
    );
    let json = r#"{"pool": "5", "threshold": "50", "formula": "by_size"}"#;
    assert!(serde_json::from_str::<GrantRules>(json).is_err());
    let json = r#"{"pool": "5", "threshold": "50", "minimum_conditions": {"listed": [{"indicator": "i1"}]}}"#;
    let rules: GrantRules = serde_json::from_str(json).expect("valid rules");
    assert_eq!(rules.provisional, ProvisionalRule::Ineligible);
    assert!(rules.check(&rubric).is_empty());
}

#[test]
fn simulation_serialises() {
    let sim = simulate(&rules(1_000_000, 30));
    let json = serde_json::to_value(&sim).expect("serialises");
    assert_eq!(json["allocations"][0]["amount"], "619048");
    assert_eq!(
        json["allocations"][1]["eligibility"]["reasons"][0]["reason"],
        "minimum_condition_failed"
    );
    let back: GrantSimulation = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, sim);
}
