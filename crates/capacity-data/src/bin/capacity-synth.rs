//! `capacity-synth`: writes a synthetic national dataset to a directory.
//!
//! A thin shell over [`capacity_data::generate`] and
//! [`capacity_data::files::write_dataset`]: it parses arguments, reports
//! what it wrote and turns errors into a message and exit status 1. The
//! CLI's `capacity synth` does the same with the same library calls.

use capacity_data::{SynthConfig, embedded, files, generate};
use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Writes a deterministic synthetic dataset of commune assessments
/// (fictional data) to a directory: the same seed gives the same files.
#[derive(Debug, Parser)]
#[command(name = "capacity-synth", version)]
struct Args {
    /// Seed of the generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of communes (703 is the national map).
    #[arg(long, default_value_t = capacity_data::synth::NATIONAL_COMMUNES)]
    communes: usize,
    /// Round labels, comma-separated, oldest first.
    #[arg(long, value_delimiter = ',', default_value = "2023,2025")]
    rounds: Vec<String>,
    /// Raters per workshop, as MIN-MAX (or a single number).
    #[arg(long, default_value = "3-6", value_parser = parse_range)]
    raters: (usize, usize),
    /// Rubric file to assess against (default: the embedded reference
    /// rubric, ml-communes).
    #[arg(long)]
    rubric: Option<PathBuf>,
    /// Output directory (created if needed; a previous dataset there is
    /// replaced; any other non-empty directory is refused).
    #[arg(long)]
    out: PathBuf,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let number = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{s}` is not a range: write MIN-MAX, e.g. 3-6"))
    };
    match s.split_once('-') {
        Some((lo, hi)) => Ok((number(lo)?, number(hi)?)),
        None => number(s).map(|n| (n, n)),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let rubric = match &args.rubric {
        Some(path) => files::read_rubric(path)?,
        None => embedded::reference_rubric()?,
    };
    let config = SynthConfig {
        seed: args.seed,
        communes: args.communes,
        rounds: args.rounds.clone(),
        raters: args.raters.0..=args.raters.1,
    };
    let start = Instant::now();
    let dataset = generate(&rubric, &config)?;
    let generated = start.elapsed();
    let written = files::write_dataset(&dataset, &rubric, &args.out)?;
    println!(
        "wrote {} assessments ({} communes × {} rounds, rubric {}, seed {}) to {} — {:.1} MB; generated in {:.2} s, written in {:.2} s",
        written.assessments,
        dataset.communes.len(),
        config.rounds.len(),
        dataset.rubric,
        config.seed,
        written.dir.display(),
        written.bytes as f64 / 1e6,
        generated.as_secs_f64(),
        (start.elapsed() - generated).as_secs_f64(),
    );
    Ok(())
}
