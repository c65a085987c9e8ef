//! Property tests of the planning modules over random communes of the
//! fixture rubric (`planning::tests`): allocations add up to the pool to
//! the franc, distribution counts add up to the number of communes,
//! progress from A to B mirrors B to A, reform costs equal the plans'.

use super::tests::{assessment, results, rubric, score_all};
use crate::grants::{
    ConditionSpec, Formula, GrantRules, MinimumConditionSet, ProvisionalRule, simulate_grants,
};
use crate::{ActionPlan, Assessment, ReformRules, compare, progress, reform_needs};
use proptest::prelude::*;
use rust_decimal::Decimal;

const MARKS: [&str; 6] = ["D", "C", "B", "A", "NA", "NI"];
const INDICATORS: [&str; 5] = ["i1", "i2", "i3", "i4", "i5"];

/// A random commune: marks (6 = unanswered), region, cercle, population,
/// whether `sante` is transferred.
type Spec = ([u8; 5], u8, u8, Option<u32>, bool);

fn spec() -> impl Strategy<Value = Spec> {
    (
        [0u8..7, 0u8..7, 0u8..7, 0u8..7, 0u8..7],
        0u8..3,
        0u8..3,
        prop::option::of(0u32..200_000),
        any::<bool>(),
    )
}

fn build(n: usize, (marks, region, cercle, population, sante): &Spec, round: &str) -> Assessment {
    let answers: Vec<(&str, &str)> = INDICATORS
        .iter()
        .zip(marks)
        .filter_map(|(i, m)| MARKS.get(usize::from(*m)).map(|m| (*i, *m)))
        .collect();
    assessment(
        &format!("c{n:02}"),
        (&format!("R{region}"), &format!("K{region}{cercle}")),
        population.map(u64::from),
        *sante,
        round,
        &answers,
    )
}

fn communes(specs: &[Spec]) -> Vec<Assessment> {
    specs
        .iter()
        .enumerate()
        .map(|(n, s)| build(n, s, "2024"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn allocations_add_up_to_the_pool(
        specs in prop::collection::vec(spec(), 0..30),
        pool in 0u64..=1_000_000_000_000_000,
        threshold in 0u32..=10_000,
        by_population in any::<bool>(),
        provisional in any::<bool>(),
        listed in any::<bool>(),
    ) {
        let rubric = rubric();
        let list = communes(&specs);
        let s = score_all(&rubric, &list);
        let rules = GrantRules {
            pool: Decimal::from(pool),
            threshold: Decimal::new(i64::from(threshold), 2),
            minimum_conditions: if listed {
                MinimumConditionSet::Listed(vec![ConditionSpec { indicator: "i3".into(), minimum: None }])
            } else {
                MinimumConditionSet::Rubric
            },
            provisional: if provisional { ProvisionalRule::Eligible } else { ProvisionalRule::Ineligible },
            formula: if by_population { Formula::ScoreTimesPopulation } else { Formula::Score },
        };
        let mut r = results(&list, &s);
        let sim = simulate_grants(&rubric, &rules, &r).expect("valid");
        let sum: Decimal = sim.allocations.iter().map(|a| a.amount).sum();
        prop_assert_eq!(sum, sim.distributed);
        prop_assert_eq!(sim.distributed + sim.undistributed, rules.pool);
        let weighted = sim.allocations.iter().filter(|a| a.weight > Decimal::ZERO).count();
        prop_assert_eq!(
            sim.distributed,
            if weighted > 0 { rules.pool } else { Decimal::ZERO }
        );
        prop_assert!((sim.remainder_francs as usize) < weighted.max(1));
        for a in &sim.allocations {
            prop_assert!(a.amount.fract().is_zero() && a.amount >= Decimal::ZERO);
            prop_assert!((a.amount - a.quota).abs() <= Decimal::ONE);
            if !a.eligibility.eligible {
                prop_assert_eq!(a.amount, Decimal::ZERO);
            }
            prop_assert_eq!(
                a.eligibility.eligible,
                a.eligibility.reasons.iter().all(|x| x.passes())
            );
        }
        // The order of the input does not matter.
        r.reverse();
        prop_assert_eq!(simulate_grants(&rubric, &rules, &r).expect("valid"), sim);
    }

    #[test]
    fn distribution_counts_add_up(specs in prop::collection::vec(spec(), 0..30)) {
        let rubric = rubric();
        let list = communes(&specs);
        let s = score_all(&rubric, &list);
        let mut r = results(&list, &s);
        let cmp = compare(&rubric, &r).expect("valid");
        prop_assert_eq!(cmp.national.communes as usize, list.len());
        let regions: u32 = cmp.regions.iter().map(|g| g.communes).sum();
        let cercles: u32 = cmp.cercles.iter().map(|g| g.communes).sum();
        prop_assert_eq!((regions, cercles), (cmp.national.communes, cmp.national.communes));
        for g in std::iter::once(&cmp.national).chain(&cmp.regions).chain(&cmp.cercles) {
            for d in &g.indicators {
                prop_assert_eq!(d.total(), g.communes);
                prop_assert_eq!(d.at_or_above_basic.of, d.levels.iter().sum::<u32>() + d.no_information);
            }
            for n in &g.nodes {
                prop_assert_eq!(n.grades.iter().sum::<u32>() + n.not_applicable + n.unanswered, g.communes);
                prop_assert_eq!(n.scores.scored, n.grades.iter().sum::<u32>());
                let q = n.scores.quartiles;
                let chain = [q.min, q.q1, q.median, q.q3, q.max];
                prop_assert!(chain.windows(2).all(|w| w[0] <= w[1]));
            }
        }
        let ranking = &cmp.ranking;
        prop_assert_eq!(ranking.entries.len() + ranking.unranked.len(), list.len());
        for (pos, e) in ranking.entries.iter().enumerate() {
            prop_assert!(e.rank as usize <= pos + 1 && e.rank >= 1);
        }
        r.reverse();
        prop_assert_eq!(compare(&rubric, &r).expect("valid"), cmp);
    }

    #[test]
    fn progress_mirrors(a in spec(), b in spec()) {
        let rubric = rubric();
        let (x, y) = (build(0, &a, "2023"), build(0, &b, "2025"));
        let (sx, sy) = (score_all(&rubric, std::slice::from_ref(&x)), score_all(&rubric, std::slice::from_ref(&y)));
        let rx = crate::CommuneResult::new(&x, &sx[0]);
        let ry = crate::CommuneResult::new(&y, &sy[0]);
        let forward = progress(&rubric, &rx, &ry).expect("same commune");
        let backward = progress(&rubric, &ry, &rx).expect("same commune");
        prop_assert_eq!(&backward, &forward.mirror());
        prop_assert_eq!(forward.mirror().mirror(), forward.clone());
        let s = forward.summary;
        prop_assert_eq!((s.improved + s.unchanged + s.declined + s.not_comparable) as usize, INDICATORS.len());
    }

    #[test]
    fn reform_counts_add_up_and_costs_equal_the_plans(specs in prop::collection::vec(spec(), 0..20)) {
        let rubric = rubric();
        let list = communes(&specs);
        let s = score_all(&rubric, &list);
        let r = results(&list, &s);
        let needs = reform_needs(&rubric, &r, &ReformRules::default()).expect("valid");
        for g in std::iter::once(&needs.national).chain(&needs.regions) {
            for c in &g.competencies {
                prop_assert_eq!(
                    c.at_or_above_basic + c.below_basic + c.not_applicable_by_rule + c.not_applicable + c.unanswered,
                    g.communes
                );
            }
        }
        let (mut cost, mut uncosted) = (Decimal::ZERO, 0u32);
        for c in &r {
            let plan = ActionPlan::new(&rubric, c).expect("valid");
            cost += plan.totals.included.cost;
            uncosted += plan.totals.uncosted_steps;
        }
        prop_assert_eq!((needs.national.costed_gap, needs.national.uncosted_steps), (cost, uncosted));
        let regional: Decimal = needs.regions.iter().map(|g| g.costed_gap).sum();
        prop_assert_eq!(regional, cost);
    }
}
