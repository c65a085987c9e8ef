//! Times the planners' exports of the national synthetic dataset (703
//! communes, two rounds): `cargo run --release -p capacity-exchange
//! --example national`. A quick measurement, not a benchmark harness.

use capacity::{CommuneResult, Lang};
use capacity_data::{SynthConfig, embedded, generate};
use capacity_exchange::{CsvOptions, Export, export_csv, export_xlsx};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rubric = embedded::reference_rubric()?;
    let data = generate(&rubric, &SynthConfig::default())?;
    let mut scored = Vec::with_capacity(data.assessments.len());
    for a in &data.assessments {
        scored.push(capacity::score(&rubric, &rubric.resolve(a)?)?);
    }
    let results: Vec<CommuneResult<'_>> = data
        .assessments
        .iter()
        .zip(&scored)
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect();
    let round: Vec<CommuneResult<'_>> = results
        .iter()
        .filter(|r| r.round == "2025")
        .copied()
        .collect();
    for (label, set) in [
        ("703 communes, one round", &round),
        ("703 communes × 2 rounds", &results),
    ] {
        let t = Instant::now();
        let export = Export::scores(&rubric, set, Lang::Fr)?;
        let build = t.elapsed();
        let t = Instant::now();
        let csv = export_csv(&export, &CsvOptions::excel_fr())?;
        let csv_time = t.elapsed();
        let t = Instant::now();
        let xlsx = export_xlsx(&export)?;
        let xlsx_time = t.elapsed();
        println!(
            "scores, {label} ({} rows × {} columns): tables {build:.1?}, csv {csv_time:.1?} ({} KB), xlsx {xlsx_time:.1?} ({} KB)",
            export.tables[0].rows.len(),
            export.tables[0].headers.len(),
            csv.len() / 1024,
            xlsx.len() / 1024,
        );
    }
    let t = Instant::now();
    let export = Export::gaps(&rubric, &round, Lang::Fr)?;
    let build = t.elapsed();
    let t = Instant::now();
    let xlsx = export_xlsx(&export)?;
    println!(
        "gaps, 703 communes, one round ({} priority rows): tables {build:.1?}, xlsx {:.1?} ({} KB)",
        export.tables[0].rows.len(),
        t.elapsed(),
        xlsx.len() / 1024
    );
    Ok(())
}
