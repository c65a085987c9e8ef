//! A national dataset, synthetic and deterministic: a 60-indicator rubric
//! (4 domains × 3 competencies × 5 indicators, the three aggregation
//! methods, applicability rules, critical indicators) and 703 commune
//! assessments with 5 raters each (levels mostly, some NA, NI, missing
//! ratings and recorded consensus). Measures parsing, validation
//! (resolution), scoring and gaps for all 703.
//!
//! Goals on one core (`./x bench` prints them): scoring + gaps for all 703
//! within 10 ms, reading and validating the 703 files within 100 ms. The
//! realistic generator lives in `capacity-data`; this one only needs a
//! tiny xorshift.

use capacity::{Assessment, CompiledRubric, Gaps, ResolvedAssessment, Scored, Scorer, gaps_into};
use criterion::{Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;

const COMMUNES: usize = 703;
const RATERS: usize = 5;
const LEVELS: [&str; 4] = ["D", "C", "B", "A"];

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn rubric_text() -> String {
    let mut s = String::from(
        "format = 1\nid = \"bench\"\nversion = \"1.0.0\"\ntitle.fr = \"Référentiel national synthétique\"\n\n[scale]\nbasic = \"C\"\n",
    );
    for (i, code) in LEVELS.iter().enumerate() {
        let _ = write!(
            s,
            "\n[[scale.level]]\ncode = \"{code}\"\nvalue = \"{}\"\nlabel.fr = \"Niveau {code}\"\n",
            i + 1
        );
    }
    // A complete table for 1 to 3 inputs (scores: mean of level scores).
    s.push_str("\n[[table]]\nid = \"m2\"\n");
    for n in 1..=3usize {
        let mut m = vec![3usize; n];
        loop {
            let inputs: Vec<String> = m.iter().map(|i| format!("\"{}\"", LEVELS[*i])).collect();
            let score = m.iter().sum::<usize>() as f64 * 100.0 / (3.0 * n as f64);
            let _ = write!(
                s,
                "\n[[table.row]]\ninputs = [{}]\nresult = \"R\"\nscore = \"{:.2}\"\n",
                inputs.join(", "),
                score
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
    let methods = [
        "{ method = \"weighted_mean\" }",
        "{ method = \"weakest_link\" }",
        "{ method = \"table\", table = \"m2\" }",
    ];
    for d in 0..4 {
        let _ = write!(
            s,
            "\n[[domain]]\nid = \"D{d}\"\ntitle.fr = \"Domaine {d}\"\nweight = \"{}\"\naggregation = {}\n",
            d + 1,
            methods[if d == 3 { 2 } else { 0 }]
        );
    }
    for d in 0..4 {
        for c in 0..3 {
            let _ = write!(
                s,
                "\n[[competency]]\nid = \"D{d}C{c}\"\ndomain = \"D{d}\"\ntitle.fr = \"Compétence {d}.{c}\"\naggregation = {}\n",
                methods[(d + c) % 2]
            );
        }
    }
    for d in 0..4 {
        for c in 0..3 {
            for i in 0..5 {
                let _ = write!(
                    s,
                    "\n[[indicator]]\nid = \"D{d}C{c}I{i}\"\ncompetency = \"D{d}C{c}\"\ntitle.fr = \"Indicateur {d}.{c}.{i}\"\nweight = \"{}.5\"\ntarget = \"B\"\nsource = \"Loi n°2017-051\"\nevidence.fr = \"Procès-verbaux\"\n",
                    i + 1
                );
                if i == 0 {
                    s.push_str("critical = true\n");
                }
                if i == 4 && c == 2 {
                    s.push_str("[indicator.applies_when]\nmin_population = 20000\n");
                }
                s.push_str("[indicator.descriptor]\n");
                for code in LEVELS {
                    let _ = writeln!(s, "{code}.fr = \"Descripteur {code}\"");
                }
                for code in &LEVELS[..3] {
                    let _ = write!(
                        s,
                        "[[indicator.action]]\nfrom = \"{code}\"\ntext.fr = \"Action\"\ncost = \"250000\"\nhorizon = \"short\"\nresponsible.fr = \"Maire\"\n"
                    );
                }
            }
        }
    }
    s
}

fn assessment_text(rng: &mut XorShift, n: usize) -> String {
    let mut s = format!(
        "format = 1\nrubric = \"bench\"\nrubric_version = \"1.0.0\"\nround = \"2024\"\ndate = \"2024-03-14\"\nfictional = true\n\n[commune]\nid = \"ml-{n:03}\"\nname = \"Commune {n}\"\ncercle = \"Cercle {}\"\nregion = \"Région {}\"\npopulation = {}\nsetting = \"rural\"\ntransferred = [\"education\", \"sante\"]\n",
        n / 12,
        n / 80,
        5000 + rng.below(60000)
    );
    for r in 0..RATERS {
        let _ = write!(
            s,
            "\n[[rater]]\nid = \"r{r}\"\nname = \"Évaluateur {r}\"\nrole = \"{}\"\n",
            ["elected", "staff", "citizen", "facilitator", "staff"][r]
        );
    }
    for d in 0..4 {
        for c in 0..3 {
            for i in 0..5 {
                if rng.below(50) == 0 {
                    continue; // unanswered
                }
                let _ = write!(s, "\n[[answer]]\nindicator = \"D{d}C{c}I{i}\"\n");
                if rng.below(10) == 0 {
                    let _ = writeln!(
                        s,
                        "consensus = {{ level = \"{}\", justification = \"Accord en séance\" }}",
                        LEVELS[rng.below(4) as usize]
                    );
                }
                let centre = rng.below(4) as i64;
                for r in 0..RATERS {
                    let roll = rng.below(40);
                    let level = match roll {
                        0 => "NA".to_owned(),
                        1 | 2 => "NI".to_owned(),
                        3 => continue,
                        _ => {
                            let l = (centre + rng.below(3) as i64 - 1).clamp(0, 3);
                            LEVELS[l as usize].to_owned()
                        }
                    };
                    let _ = write!(
                        s,
                        "[[answer.rating]]\nrater = \"r{r}\"\nlevel = \"{level}\"\nevidence = \"Document vu en séance\"\n"
                    );
                }
            }
        }
    }
    s
}

fn national(c: &mut Criterion) {
    let rubric_toml = rubric_text();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let texts: Vec<String> = (0..COMMUNES)
        .map(|n| assessment_text(&mut rng, n))
        .collect();
    let rubric = CompiledRubric::from_toml(&rubric_toml).expect("generated rubric is valid");
    assert_eq!(rubric.indicators().len(), 60);
    let assessments: Vec<Assessment> = texts
        .iter()
        .map(|t| Assessment::from_toml(t).expect("generated assessment parses"))
        .collect();
    let resolved: Vec<ResolvedAssessment> = assessments
        .iter()
        .map(|a| rubric.resolve(a).expect("generated assessment is valid"))
        .collect();
    let scored: Vec<Scored> = resolved
        .iter()
        .map(|r| capacity::score(&rubric, r).expect("same rubric"))
        .collect();

    let mut group = c.benchmark_group("national");
    group.sample_size(20);
    group.bench_function("parse+compile rubric", |b| {
        b.iter(|| CompiledRubric::from_toml(black_box(&rubric_toml)).expect("valid"))
    });
    group.bench_function("parse 703 assessments", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| Assessment::from_toml(black_box(t)).expect("parses"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("parse+validate 703 assessments", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| rubric.resolve_toml(black_box(t)).expect("valid"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("validate 703 assessments", |b| {
        b.iter(|| {
            assessments
                .iter()
                .map(|a| rubric.resolve(black_box(a)).expect("valid"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("score 703", |b| {
        let mut scorer = Scorer::new(&rubric);
        b.iter(|| {
            resolved
                .iter()
                .map(|r| scorer.score(black_box(r)).expect("same rubric"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("gaps 703", |b| {
        b.iter(|| {
            scored
                .iter()
                .map(|s| capacity::gaps(&rubric, black_box(s)).expect("same rubric"))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("score+gaps 703", |b| {
        let mut scorer = Scorer::new(&rubric);
        b.iter(|| {
            resolved
                .iter()
                .map(|r| {
                    let s = scorer.score(black_box(r)).expect("same rubric");
                    let g = capacity::gaps(&rubric, &s).expect("same rubric");
                    (s, g)
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("score+gaps 703, buffers reused", |b| {
        let mut scorer = Scorer::new(&rubric);
        let mut s = Scored::default();
        let mut g = Gaps::default();
        b.iter(|| {
            for r in &resolved {
                scorer
                    .score_into(black_box(r), &mut s)
                    .expect("same rubric");
                gaps_into(&rubric, &s, &mut g).expect("same rubric");
                black_box(&g);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, national);
criterion_main!(benches);
