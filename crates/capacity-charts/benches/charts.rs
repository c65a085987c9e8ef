//! Benchmarks of the charts: one radar (goal ≤ 1 ms) and the national
//! heatmap, 703 communes × 15 competencies (goal ≤ 50 ms).
//!
//! Inputs come from `capacity-data`'s deterministic national generator
//! (seed 42) scored by the core; building them is outside the timings.
//! Run with `cargo bench -p capacity-charts`.

use capacity::CommuneResult;
use capacity_charts::{Axes, ChartOptions, HeatmapInput, Lang, RadarInput};
use capacity_data::{SynthConfig, embedded, generate};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn charts(c: &mut Criterion) {
    let rubric = embedded::reference_rubric().expect("reference rubric");
    let data = generate(&rubric, &SynthConfig::default()).expect("national dataset");
    let round: Vec<_> = data.round("2025").collect();
    let scored: Vec<_> = round
        .iter()
        .map(|a| {
            let resolved = rubric.resolve(a).expect("valid assessment");
            capacity::score(&rubric, &resolved).expect("scored")
        })
        .collect();
    let communes: Vec<CommuneResult<'_>> = round
        .iter()
        .zip(&scored)
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect();
    assert_eq!(communes.len(), 703);
    let opts = ChartOptions::new(Lang::Fr);

    let first = scored.first().expect("a commune");
    let baseline = data
        .round("2023")
        .next()
        .map(|a| capacity::score(&rubric, &rubric.resolve(a).expect("valid")).expect("scored"))
        .expect("a baseline");
    let radar = RadarInput::new(&rubric, first, Axes::Competencies)
        .expect("radar input")
        .series("2025")
        .with_second(&rubric, "2023", &baseline)
        .expect("second series");
    c.bench_function("radar, 18 competencies, two series", |b| {
        b.iter(|| capacity_charts::radar(black_box(&radar), &opts))
    });

    let mut heat = HeatmapInput::competencies(&rubric, &communes).expect("heatmap input");
    heat.columns.truncate(15);
    for row in &mut heat.rows {
        row.cells.truncate(15);
    }
    let mut group = c.benchmark_group("heatmap");
    group.sample_size(20);
    group.bench_function("703 communes × 15 competencies", |b| {
        b.iter(|| capacity_charts::heatmap(black_box(&heat), &opts))
    });
    let wide = opts.clone().width(640);
    group.bench_function("703 × 15, 640 px (codes in cells)", |b| {
        b.iter(|| capacity_charts::heatmap(black_box(&heat), &wide))
    });
    group.finish();
}

criterion_group!(benches, charts);
criterion_main!(benches);
