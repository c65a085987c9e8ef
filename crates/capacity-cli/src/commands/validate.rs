//! `capacity validate FILE_OR_DIR...`: every problem of every rubric and
//! assessment, with its place; exit status 1 when any.

use super::Ctx;
use crate::cli::Validate;
use crate::error::CliError;
use crate::out;

/// Runs `validate`.
pub fn run(ctx: &Ctx, args: &Validate) -> Result<(), CliError> {
    let batch = ctx.load(&args.inputs)?;
    let n = ctx.print_problems(&batch.problems, args.format)?;
    let summary = format!(
        "{} file(s) checked ({} rubric(s), {} assessment(s)): {} assessment(s) valid{}",
        batch.files,
        batch.rubric_files,
        batch.files - batch.rubric_files,
        batch.assessments.len(),
        if batch.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} other file(s) skipped", batch.skipped.len())
        }
    );
    out::info(ctx.quiet, &summary);
    if n > 0 {
        return Err(CliError::Problems(n));
    }
    if ctx.verbose {
        for a in &batch.assessments {
            eprintln!("ok: {}", a.file);
        }
    }
    Ok(())
}
