//! `capacity report FILE_OR_DIR... -o report.html`: one commune's report,
//! or a regional report for many.

use super::{Ctx, main_rubric};
use crate::cli::{ByArg, Report};
use crate::error::CliError;
use crate::out;
use capacity_report::{By, CommuneReport, Entry, RegionalReport, cohort};

/// Runs `report`.
pub fn run(ctx: &Ctx, args: &Report) -> Result<(), CliError> {
    let batch = ctx.load_valid(&args.inputs)?;
    let (rix, list) = main_rubric(ctx, &batch)?;
    let rubric = batch
        .rubrics
        .get(rix)
        .map(|r| &r.compiled)
        .ok_or_else(|| CliError::Other("internal: rubric lost".into()))?;
    let entries: Vec<Entry<'_>> = list
        .iter()
        .map(|l| Entry::new(&l.assessment, &l.scored))
        .collect();
    let selected = cohort::select(&entries, args.round.as_deref());
    let fail = |e: capacity_report::Error| CliError::Other(e.to_string());
    let html = if selected.len() == 1 && !args.regional {
        let pairs = cohort::progress_pairs(&entries, &selected);
        let last = selected
            .first()
            .and_then(|i| entries.get(*i))
            .ok_or_else(|| CliError::Other("internal: entry lost".into()))?;
        let mut report = CommuneReport::new(rubric, last.assessment, last.scored);
        if let Some(prev) = pairs.first().and_then(|(p, _)| entries.get(*p)) {
            report = report.with_previous(prev.assessment, prev.scored);
        }
        report.render(ctx.lang).map_err(fail)?
    } else {
        let mut report = RegionalReport::new(rubric, entries.clone());
        report.round = args.round.clone();
        report.by = match args.by {
            ByArg::Region => By::Region,
            ByArg::Cercle => By::Cercle,
        };
        report.render(ctx.lang).map_err(fail)?
    };
    out::write_file(&args.output, html.as_bytes())?;
    out::info(
        ctx.quiet,
        &format!(
            "wrote {} ({} commune(s), {} KB)",
            args.output.display(),
            selected.len(),
            html.len() / 1024
        ),
    );
    Ok(())
}
