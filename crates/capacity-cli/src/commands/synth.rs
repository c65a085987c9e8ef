//! `capacity synth --seed N --out DIR`: the synthetic dataset of
//! `capacity-data`, written to a directory.

use super::Ctx;
use crate::cli::Synth;
use crate::error::CliError;
use crate::out;
use capacity_data::{SynthConfig, files, generate};

/// Runs `synth`.
pub fn run(ctx: &Ctx, args: &Synth) -> Result<(), CliError> {
    let rubric = match ctx.rubrics.as_slice() {
        [] => capacity_data::embedded::reference_rubric()
            .map_err(|d| CliError::Other(d.to_string()))?,
        [one] => {
            let (r, _) =
                crate::load::rubric_by_name(&one.display().to_string()).map_err(|e| match e {
                    Ok(problems) => {
                        for p in &problems {
                            eprint!("{}", crate::diag::render(p));
                        }
                        CliError::Problems(problems.len())
                    }
                    Err(e) => e,
                })?;
            r
        }
        _ => return Err(CliError::Usage("synth takes at most one --rubric".into())),
    };
    let config = SynthConfig {
        seed: args.seed,
        communes: args.communes,
        rounds: args.rounds.clone(),
        raters: args.raters.0..=args.raters.1,
    };
    let dataset = generate(&rubric, &config).map_err(|e| CliError::Usage(e.to_string()))?;
    let written = files::write_dataset(&dataset, &rubric, &args.out).map_err(|e| match e {
        capacity_data::Error::Io { path, source } => CliError::Io { path, source },
        other => CliError::Other(other.to_string()),
    })?;
    out::info(
        ctx.quiet,
        &format!(
            "wrote {} assessments ({} communes × {} rounds, rubric {}, seed {}) to {}",
            written.assessments,
            dataset.communes.len(),
            config.rounds.len(),
            dataset.rubric,
            config.seed,
            written.dir.display()
        ),
    );
    Ok(())
}
