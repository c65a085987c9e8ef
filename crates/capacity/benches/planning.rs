//! Planning and comparison over a national dataset, synthetic and
//! deterministic: a 60-indicator rubric (4 domains × 3 competencies × 5
//! indicators, costed actions, three transferable competences) and 703
//! scored communes in 10 regions and 60 cercles (levels mostly, some NA,
//! NI and unanswered; transfers missing in some communes).
//!
//! Goal: comparison + reform needs for all 703 within 50 ms on one core.
//! Scoring is done once in the setup: these functions take results that
//! callers already hold. The generator is this file's own (a tiny
//! xorshift), independent of `benches/national.rs`.

use capacity::{
    ActionPlan, Answer, Assessment, CommuneResult, CompiledRubric, Consensus, Formula, GrantRules,
    ReformRules, Scored, compare, reform_needs, simulate_grants,
};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::hint::black_box;

const COMMUNES: usize = 703;
const LEVELS: [&str; 4] = ["D", "C", "B", "A"];
const TRANSFERS: [&str; 3] = ["education", "sante", "hydraulique"];

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn rubric_text() -> String {
    let mut s = String::from(
        "format = 1\nid = \"bench\"\nversion = \"1.0.0\"\ntitle.fr = \"Référentiel synthétique\"\n\n[scale]\nbasic = \"C\"\n",
    );
    for (i, code) in LEVELS.iter().enumerate() {
        let _ = write!(
            s,
            "\n[[scale.level]]\ncode = \"{code}\"\nvalue = \"{}\"\nlabel.fr = \"Niveau {code}\"\n",
            i + 1
        );
    }
    for d in 0..4 {
        let _ = write!(
            s,
            "\n[[domain]]\nid = \"D{d}\"\ntitle.fr = \"Domaine {d}\"\nweight = \"{}\"\n",
            d + 1
        );
    }
    for d in 0..4 {
        for c in 0..3 {
            let method = if c == 1 {
                "weakest_link"
            } else {
                "weighted_mean"
            };
            let _ = write!(
                s,
                "\n[[competency]]\nid = \"D{d}C{c}\"\ndomain = \"D{d}\"\ntitle.fr = \"Compétence {d}.{c}\"\naggregation = {{ method = \"{method}\" }}\n"
            );
        }
    }
    for d in 0..4 {
        for c in 0..3 {
            for (i, transfer) in TRANSFERS.iter().map(Some).chain([None, None]).enumerate() {
                let _ = write!(
                    s,
                    "\n[[indicator]]\nid = \"D{d}C{c}I{i}\"\ncompetency = \"D{d}C{c}\"\ntitle.fr = \"Indicateur {d}.{c}.{i}\"\nweight = \"{}.5\"\ntarget = \"{}\"\nsource = \"Loi n°2017-051\"\nevidence.fr = \"Procès-verbaux\"\n",
                    i + 1,
                    if i == 4 { "A" } else { "B" }
                );
                if i == 0 {
                    s.push_str("critical = true\n");
                }
                // Domain 0's last competency: the transferable competences.
                if let (0, 2, Some(t)) = (d, c, transfer) {
                    let _ = write!(s, "[indicator.applies_when]\ntransferred = \"{t}\"\n");
                }
                s.push_str("[indicator.descriptor]\n");
                for code in LEVELS {
                    let _ = writeln!(s, "{code}.fr = \"Descripteur {code}\"");
                }
                for (k, code) in LEVELS[..3].iter().enumerate() {
                    // Every fourth indicator has no action from C.
                    if k == 1 && i == 3 {
                        continue;
                    }
                    let _ = write!(
                        s,
                        "[[indicator.action]]\nfrom = \"{code}\"\ntext.fr = \"Action\"\ncost = \"{}\"\nhorizon = \"{}\"\nresponsible.fr = \"Maire\"\n",
                        250_000 * (k + 1) + 10_000 * i,
                        ["short", "medium", "long"][k]
                    );
                }
            }
        }
    }
    s
}

fn assessment(rng: &mut XorShift, n: usize) -> Assessment {
    let transferred: Vec<String> = TRANSFERS
        .iter()
        .filter(|_| rng.below(3) != 0)
        .map(|t| (*t).to_owned())
        .collect();
    let header = format!(
        "format = 1\nrubric = \"bench\"\nrubric_version = \"1.0.0\"\nround = \"2024\"\ndate = \"2024-03-14\"\nfictional = true\n[commune]\nid = \"ml-{n:03}\"\nname = \"Commune {n}\"\ncercle = \"Cercle {}-{}\"\nregion = \"Région {}\"\npopulation = {}\ntransferred = []\n",
        n / 71,
        n % 71 / 12,
        n / 71,
        5_000 + rng.below(60_000)
    );
    let mut a = Assessment::from_toml(&header).expect("generated header parses");
    a.commune.transferred = transferred;
    for d in 0..4 {
        for c in 0..3 {
            for i in 0..5 {
                let roll = rng.below(40);
                if roll == 0 {
                    continue; // unanswered
                }
                let level = match roll {
                    1 => "NA",
                    2 | 3 => "NI",
                    _ => LEVELS[rng.below(4) as usize],
                };
                a.answers.push(Answer {
                    indicator: format!("D{d}C{c}I{i}"),
                    target: None,
                    comment: None,
                    consensus: Some(Consensus {
                        level: level.to_owned(),
                        justification: None,
                    }),
                    ratings: Vec::new(),
                });
            }
        }
    }
    a
}

fn planning(c: &mut Criterion) {
    let rubric = CompiledRubric::from_toml(&rubric_text()).expect("generated rubric is valid");
    assert_eq!(rubric.indicators().len(), 60);
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let assessments: Vec<Assessment> = (0..COMMUNES).map(|n| assessment(&mut rng, n)).collect();
    let scored: Vec<Scored> = assessments
        .iter()
        .map(|a| {
            let resolved = rubric.resolve(a).expect("generated assessment is valid");
            capacity::score(&rubric, &resolved).expect("same rubric")
        })
        .collect();
    let communes: Vec<CommuneResult<'_>> = assessments
        .iter()
        .zip(&scored)
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect();
    let rules = ReformRules::default();
    let grant = GrantRules {
        pool: Decimal::from(5_000_000_000u64),
        threshold: Decimal::from(40),
        minimum_conditions: Default::default(),
        provisional: capacity::ProvisionalRule::Eligible,
        formula: Formula::ScoreTimesPopulation,
    };
    let cmp = compare(&rubric, &communes).expect("valid");
    assert_eq!((cmp.regions.len(), cmp.cercles.len()), (10, 60));

    let mut group = c.benchmark_group("planning");
    group.sample_size(30);
    group.bench_function("compare 703", |b| {
        b.iter(|| compare(&rubric, black_box(&communes)).expect("valid"))
    });
    group.bench_function("reform needs 703", |b| {
        b.iter(|| reform_needs(&rubric, black_box(&communes), &rules).expect("valid"))
    });
    group.bench_function("compare + reform needs 703", |b| {
        b.iter(|| {
            let c = compare(&rubric, black_box(&communes)).expect("valid");
            let r = reform_needs(&rubric, black_box(&communes), &rules).expect("valid");
            (c, r)
        })
    });
    group.bench_function("grant simulation 703", |b| {
        b.iter(|| simulate_grants(&rubric, &grant, black_box(&communes)).expect("valid"))
    });
    group.bench_function("action plans 703", |b| {
        b.iter(|| {
            communes
                .iter()
                .map(|c| ActionPlan::new(&rubric, black_box(c)).expect("valid"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, planning);
criterion_main!(benches);
