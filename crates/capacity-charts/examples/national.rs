//! Writes the national charts of the synthetic dataset (703 communes,
//! `capacity-data`, seed 42) to a directory, for looking at them:
//!
//! ```text
//! cargo run -p capacity-charts --example national -- /tmp/charts
//! ```

use capacity::{CommuneResult, Group};
use capacity_charts::{ChartOptions, DistributionInput, HeatmapInput, Lang};
use capacity_data::{SynthConfig, embedded, generate};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "charts".into()));
    std::fs::create_dir_all(&dir)?;
    let rubric = embedded::reference_rubric()?;
    let data = generate(&rubric, &SynthConfig::default())?;
    let round: Vec<_> = data.round("2025").collect();
    let mut scored = Vec::with_capacity(round.len());
    for a in &round {
        scored.push(capacity::score(&rubric, &rubric.resolve(a)?)?);
    }
    let communes: Vec<CommuneResult<'_>> = round
        .iter()
        .zip(&scored)
        .map(|(a, s)| CommuneResult::new(a, s))
        .collect();
    let opts = ChartOptions::new(Lang::Fr);
    let heat = HeatmapInput::competencies(&rubric, &communes)?;
    std::fs::write(
        dir.join("national-heatmap.svg"),
        capacity_charts::heatmap(&heat, &opts),
    )?;
    let cmp = capacity::compare(&rubric, &communes)?;
    let dist = DistributionInput::competencies(&rubric, &cmp, &Group::National)?;
    std::fs::write(
        dir.join("national-distribution.svg"),
        capacity_charts::distribution(&dist, &opts),
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}
