//! Validation of an assessment full of problems: every problem is found
//! and located (`line:column`) in time linear in the input.
//!
//! The input is the core's example assessment followed by N answers, each
//! with one rating of an unknown level (`level = "Z"`): exactly N
//! problems, spread over the whole file. Each problem used to be located
//! by scanning the file from its start (1 000 problems 0.33 s, 16 000
//! 65 s); with one line index the whole run is linear. Goal: 20 000
//! problems in under 2 s.
//!
//! Run: `cargo bench -p capacity --bench validation` (prints the time per
//! size; `-- --quick` for a shorter run).

use capacity::{CompiledRubric, example};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// The example assessment with `n` invalid ratings after its own answers.
fn input(rubric: &CompiledRubric, n: usize) -> String {
    let mut text = example::ASSESSMENT.to_owned();
    let ids: Vec<&str> = rubric.indicators().iter().map(|i| i.id.as_str()).collect();
    // Raters r1..r3 exist; a new rater per answer would be limited to 1 000,
    // so each answer repeats an indicator (the duplicates are allowed and
    // merged) with one invalid level.
    for i in 0..n {
        let id = ids.get(i % ids.len()).copied().unwrap_or("ADM-EC-01");
        let _ = write!(
            text,
            "\n[[answer]]\nindicator = \"{id}\"\n\n[[answer.rating]]\nrater = \"r{}\"\nlevel = \"Z\"\n",
            1 + i % 3
        );
    }
    text
}

fn validation(c: &mut Criterion) {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("the example rubric is valid");
    let mut group = c.benchmark_group("validate_and_locate");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for n in [1_000, 4_000, 16_000, 20_000] {
        let text = input(&rubric, n);
        let found = match rubric.resolve_toml(&text) {
            Ok(_) => 0,
            Err(d) => d.len(),
        };
        println!(
            "{n} invalid ratings: {found} problems, {} KB",
            text.len() / 1024
        );
        assert!(
            found >= n,
            "the input has {found} problems, expected at least {n}"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                let e = rubric.resolve_toml(black_box(text)).expect_err("invalid");
                assert!(e.iter().all(|d| d.position.is_some()));
                black_box(e.len())
            });
        });
    }
    group.finish();

    // Thousands of raters (over the limit of 1 000, which is itself one
    // problem) and one answer with thousands of ratings: duplicate and
    // lookup checks must not be quadratic.
    let mut group = c.benchmark_group("validate_many_raters");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for n in [5_000, 20_000] {
        let mut text =
            example::ASSESSMENT.replacen("\n[[answer]]", "\n[[answer]]\n# first answer", 1);
        let mut raters = String::new();
        for i in 0..n {
            let _ = write!(
                raters,
                "\n[[rater]]\nid = \"x{i}\"\nname = \"X\"\nrole = \"staff\"\n"
            );
        }
        text = text.replacen("\n[[answer]]", &format!("{raters}\n[[answer]]"), 1);
        // One answer with all the ratings (duplicate checks within an
        // answer), each rater unknown to half of them (messages suggesting
        // raters must not grow with the file).
        text.push_str("\n[[answer]]\nindicator = \"GOV-PA-02\"\n");
        for i in 0..n {
            let rater = if i % 2 == 0 {
                format!("x{i}")
            } else {
                format!("y{i}")
            };
            let _ = write!(
                text,
                "\n[[answer.rating]]\nrater = \"{rater}\"\nlevel = \"Z\"\n"
            );
        }
        let found = rubric.resolve_toml(&text).map_or_else(|d| d.len(), |_| 0);
        println!("{n} raters, one answer with {n} invalid ratings: {found} problems");
        assert!(found > n, "{found} problems");
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| black_box(rubric.resolve_toml(black_box(text)).map_or(0, |_| 1)));
        });
    }
    group.finish();
}

criterion_group!(benches, validation);
criterion_main!(benches);
