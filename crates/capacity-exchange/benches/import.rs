//! The Kobo/ODK CSV import of an export full of problems: every problem is
//! reported in time linear in the input.
//!
//! Two exports of the example rubric's form, each with N rows and N
//! problems: N raters of one commune each giving an unknown level (one
//! assessment with N raters: duplicates and rater lookups must not be
//! quadratic), and N communes each with one such row. Goal: 20 000
//! problems in under 2 s.
//!
//! Run: `cargo bench -p capacity-exchange --bench import` (`-- --quick`
//! for a shorter run).

use capacity::{CompiledRubric, example};
use capacity_exchange::{ImportOptions, import_kobo_csv};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const HEADER: &str = "commune_id,commune_name,cercle,region,round,date,rater_id,rater_name,rater_role,ADM_EC_01,ADM_EC_02\n";

/// `n` rows, each with an unknown level; `communes`: one commune per row,
/// else one commune with `n` raters.
fn export(n: usize, communes: bool) -> String {
    let mut text = HEADER.to_owned();
    for i in 0..n {
        let commune = if communes { i } else { 0 };
        let _ = writeln!(
            text,
            "ml-c{commune},C,San,Ségou,2025,2025-03-18,r{i},Rater {i},staff,Z,C"
        );
    }
    text
}

fn import(c: &mut Criterion) {
    let rubric = CompiledRubric::from_toml(example::RUBRIC).expect("the example rubric is valid");
    let options = ImportOptions::default();
    let mut group = c.benchmark_group("kobo_import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    for (name, communes) in [("raters_of_one_commune", false), ("communes", true)] {
        for n in [5_000, 20_000] {
            let text = export(n, communes);
            let result = import_kobo_csv(&rubric, &text, &options).expect("imports");
            let unknown = result
                .problems
                .iter()
                .filter(|p| p.message.starts_with("unknown level"))
                .count();
            println!(
                "{name}/{n}: {} problems ({unknown} unknown levels), {} assessment(s)",
                result.problems.len(),
                result.assessments.len()
            );
            assert_eq!(unknown, n, "one unknown level per row");
            group.bench_with_input(BenchmarkId::new(name, n), &text, |b, text| {
                b.iter(|| {
                    let r = import_kobo_csv(&rubric, black_box(text), &options).expect("imports");
                    black_box(r.problems.len())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
