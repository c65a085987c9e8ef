//! `capacity chart radar|gaps|heatmap|progress|distribution … -o FILE.svg`.

use super::{Ctx, main_rubric};
use crate::cli::{Chart, ChartKind};
use crate::error::CliError;
use crate::out;
use capacity::{CommuneResult, Group};
use capacity_charts::{
    Axes, ChartOptions, DistributionInput, GapBarsInput, HeatmapInput, ProgressInput, RadarInput,
};
use capacity_report::{Entry, cohort};

fn chart_error(e: capacity_charts::Error) -> CliError {
    CliError::Other(e.to_string())
}

/// Runs `chart`.
pub fn run(ctx: &Ctx, args: &Chart) -> Result<(), CliError> {
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
    let selected = cohort::select(&entries, None);
    let mut opts = ChartOptions::new(ctx.lang).width(args.width);
    if let Some(t) = &args.title {
        opts = opts.title(t.clone());
    }
    let axes = if args.domains {
        Axes::Domains
    } else {
        Axes::Competencies
    };
    let one = || -> Result<(Entry<'_>, Option<Entry<'_>>), CliError> {
        if selected.len() != 1 {
            return Err(CliError::Usage(format!(
                "this chart shows one commune, and the inputs hold {}: name one commune's file(s)",
                selected.len()
            )));
        }
        let pairs = cohort::progress_pairs(&entries, &selected);
        let last = selected
            .first()
            .and_then(|i| entries.get(*i).copied())
            .ok_or_else(|| CliError::Other("internal: entry lost".into()))?;
        let prev = pairs.first().and_then(|(p, _)| entries.get(*p).copied());
        Ok((last, prev))
    };
    let svg = match args.kind {
        ChartKind::Radar => {
            let (last, prev) = one()?;
            let mut input = RadarInput::new(rubric, last.scored, axes)
                .map_err(chart_error)?
                .series(last.assessment.round.clone());
            if let Some(p) = prev {
                input = input
                    .with_second(rubric, p.assessment.round.clone(), p.scored)
                    .map_err(chart_error)?;
            }
            capacity_charts::radar(&input, &opts)
        }
        ChartKind::Gaps => {
            let (last, _) = one()?;
            let gaps =
                capacity::gaps(rubric, last.scored).map_err(|e| CliError::Other(e.to_string()))?;
            let limit = args.limit.unwrap_or(12);
            let input = if args.indicators {
                GapBarsInput::indicators(rubric, last.scored, &gaps, limit)
            } else {
                GapBarsInput::competencies(rubric, last.scored, &gaps, limit)
            }
            .map_err(chart_error)?;
            capacity_charts::gap_bars(&input, &opts)
        }
        ChartKind::Progress => {
            let (last, prev) = one()?;
            let Some(prev) = prev else {
                return Err(CliError::Usage(
                    "a progress chart needs two rounds of the commune: give both files".into(),
                ));
            };
            let p = capacity::progress(rubric, &prev.result(), &last.result())
                .map_err(|e| CliError::Other(e.to_string()))?;
            let input = ProgressInput::new(rubric, &p, axes)
                .map_err(chart_error)?
                .commune(last.assessment.commune.name.clone());
            capacity_charts::progress_dumbbell(&input, &opts)
        }
        ChartKind::Heatmap => {
            let mut results: Vec<CommuneResult<'_>> = selected
                .iter()
                .filter_map(|i| entries.get(*i).map(Entry::result))
                .collect();
            results.sort_by(|a, b| {
                (&a.commune.region, &a.commune.cercle, &a.commune.name).cmp(&(
                    &b.commune.region,
                    &b.commune.cercle,
                    &b.commune.name,
                ))
            });
            if let Some(n) = args.limit {
                results.truncate(n);
            }
            let input = if args.indicators {
                HeatmapInput::indicators(rubric, &results, None)
            } else {
                HeatmapInput::competencies(rubric, &results)
            }
            .map_err(chart_error)?;
            capacity_charts::heatmap(&input, &opts)
        }
        ChartKind::Distribution => {
            let results: Vec<CommuneResult<'_>> = selected
                .iter()
                .filter_map(|i| entries.get(*i).map(Entry::result))
                .collect();
            let cmp =
                capacity::compare(rubric, &results).map_err(|e| CliError::Other(e.to_string()))?;
            let input = if args.indicators {
                DistributionInput::indicators(rubric, &cmp, &Group::National, None)
            } else {
                DistributionInput::competencies(rubric, &cmp, &Group::National)
            }
            .map_err(chart_error)?;
            capacity_charts::distribution(&input, &opts)
        }
    };
    out::write_file(&args.output, svg.as_bytes())?;
    out::info(ctx.quiet, &format!("wrote {}", args.output.display()));
    Ok(())
}
