//! Commands on many communes: `compare` and `grants`.

use super::{Ctx, by_rubric};
use crate::cli::{self, ByArg, Format};
use crate::error::CliError;
use crate::load::{Batch, Loaded};
use crate::out;
use capacity::{CompiledRubric, GrantRules, Lang, ROOT, RankBy, ReformRules};
use capacity_report::{Entry, Table, cohort, tables};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;

/// The entries of one rubric's assessments.
fn entries<'a>(list: &[&'a Loaded]) -> Vec<Entry<'a>> {
    list.iter()
        .map(|l| Entry::new(&l.assessment, &l.scored))
        .collect()
}

fn rubric(batch: &Batch, ix: usize) -> Result<&CompiledRubric, CliError> {
    batch
        .rubrics
        .get(ix)
        .map(|r| &r.compiled)
        .ok_or_else(|| CliError::Other("internal: rubric lost".into()))
}

fn planning(e: capacity::PlanningErrors) -> CliError {
    CliError::Other(e.to_string())
}

/// `capacity compare FILE_OR_DIR...`.
pub fn compare(ctx: &Ctx, args: &cli::Compare) -> Result<(), CliError> {
    let batch = ctx.load_valid(&args.inputs)?;
    let lang = ctx.lang;
    let mut text = String::new();
    let mut csv_tables: Vec<(String, Table)> = Vec::new();
    let mut json_out = Vec::new();
    for (rix, list) in by_rubric(&batch) {
        let rubric = rubric(&batch, rix)?;
        let entries = entries(&list);
        let selected = cohort::select(&entries, args.round.as_deref());
        if selected.is_empty() {
            out::info(
                ctx.quiet,
                &format!(
                    "warning: no assessment of round {} for rubric {}",
                    args.round.as_deref().unwrap_or("?"),
                    rubric.key()
                ),
            );
            continue;
        }
        let results: Vec<_> = selected
            .iter()
            .filter_map(|i| entries.get(*i).map(Entry::result))
            .collect();
        let names: BTreeMap<&str, &str> = results
            .iter()
            .map(|r| (r.commune.id.as_str(), r.commune.name.as_str()))
            .collect();
        let name = |id: &str| {
            names
                .get(id)
                .map_or_else(|| id.to_owned(), |n| (*n).to_owned())
        };
        let cmp = capacity::compare(rubric, &results).map_err(planning)?;
        let ranking = capacity::rank(rubric, &results, RankBy::Overall).map_err(planning)?;
        let needs =
            capacity::reform_needs(rubric, &results, &ReformRules::default()).map_err(planning)?;
        let mut progress = Vec::new();
        for (from, to) in cohort::progress_pairs(&entries, &selected) {
            if let (Some(f), Some(t)) = (entries.get(from), entries.get(to)) {
                progress
                    .push(capacity::progress(rubric, &f.result(), &t.result()).map_err(planning)?);
            }
        }
        let rounds = cohort::round_labels(&entries, &selected);
        let mut groups = vec![&cmp.national];
        match args.by {
            ByArg::Region => groups.extend(cmp.regions.iter()),
            ByArg::Cercle => groups.extend(cmp.cercles.iter()),
        }
        let mut list: Vec<(&str, Table)> = vec![
            ("groups", tables::groups(rubric, &groups, ROOT, lang)),
            ("nodes", tables::nodes(rubric, &cmp.national, lang)),
        ];
        if args.indicators {
            list.push((
                "indicators",
                tables::indicators(rubric, &cmp.national, lang),
            ));
        }
        list.push(("ranking", tables::ranking(rubric, &ranking, &name, lang)));
        list.push(("reform", tables::reform(rubric, &needs.national, lang)));
        if !needs.national.transfers.is_empty() {
            list.push(("transfers", tables::transfers(&needs.national, lang)));
        }
        if !progress.is_empty() {
            list.push(("progress", tables::progress_many(&progress, &name, lang)));
        }
        // Markdown shows text as text (titles and rounds come from files).
        let text_of = |t: &str| {
            if args.format == Format::Md {
                capacity_report::markdown_text(t)
            } else {
                t.to_owned()
            }
        };
        let title = text_of(rubric.rubric().title.get(lang));
        let rounds_shown = text_of(&rounds.join(", "));
        let heading = match lang {
            Lang::Fr => format!(
                "== {title} ({}) — {} communes, tour(s) {rounds_shown} ==\n\n",
                rubric.key(),
                results.len(),
            ),
            Lang::En => format!(
                "== {title} ({}) — {} communes, round(s) {rounds_shown} ==\n\n",
                rubric.key(),
                results.len(),
            ),
        };
        match args.format {
            Format::Table | Format::Md => {
                text.push_str(&heading);
                let only: Vec<Table> = list.into_iter().map(|(_, t)| t).collect();
                text.push_str(&if args.format == Format::Md {
                    out::markdown(&only, lang)
                } else {
                    out::terminal_all(&only, lang)
                });
                text.push('\n');
            }
            Format::Csv => {
                for (k, t) in list {
                    csv_tables.push((format!("{}:{k}", rubric.key()), t));
                }
            }
            Format::Json => json_out.push(json!({
                "rubric": rubric.key(),
                "communes": results.len(),
                "rounds": rounds,
                "comparison": cmp,
                "ranking": ranking,
                "ranking_method": ranking.method.describe(rubric, lang),
                "reform": needs,
                "progress": progress,
                "index": super::one::index_json(rubric),
            })),
        }
    }
    let text = match args.format {
        Format::Csv => {
            let refs: Vec<(&str, &Table)> =
                csv_tables.iter().map(|(k, t)| (k.as_str(), t)).collect();
            out::csv(&refs)?
        }
        Format::Json => out::json(&json_out)?,
        _ => text,
    };
    out::print(&text)
}

/// A whole amount of francs: digits, with spaces, underscores or
/// no-break spaces between thousands.
fn parse_amount(s: &str) -> Result<Decimal, CliError> {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '\u{A0}' | '\u{202F}'))
        .collect();
    let clean = clean.trim_end_matches("FCFA");
    if clean.is_empty() || !clean.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::Usage(format!(
            "--pool `{s}` is not a whole number of francs: write digits, e.g. 100000000 or \"100 000 000\""
        )));
    }
    clean
        .parse::<Decimal>()
        .map_err(|_| CliError::Usage(format!("--pool `{s}` is too large")))
}

/// A score threshold 0–100, `%` allowed, decimal point or comma.
fn parse_threshold(s: &str) -> Result<Decimal, CliError> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    t.parse::<Decimal>()
        .ok()
        .filter(|d| (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(d))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "--threshold `{s}` is not a score between 0 and 100: write e.g. 50"
            ))
        })
}

/// `capacity grants FILE_OR_DIR... --pool AMOUNT --threshold PCT`.
pub fn grants(ctx: &Ctx, args: &cli::Grants) -> Result<(), CliError> {
    let pool = parse_amount(&args.pool)?;
    let threshold = parse_threshold(&args.threshold)?;
    let batch = ctx.load_valid(&args.inputs)?;
    // One rubric's assessments (several rubrics are refused).
    let (rix, list) = super::main_rubric(ctx, &batch)?;
    let rubric = rubric(&batch, rix)?;
    let entries = entries(&list);
    let selected = cohort::select(&entries, args.round.as_deref());
    let results: Vec<_> = selected
        .iter()
        .filter_map(|i| entries.get(*i).map(Entry::result))
        .collect();
    let rules = GrantRules {
        pool,
        threshold,
        minimum_conditions: Default::default(),
        provisional: if args.accept_provisional {
            capacity::ProvisionalRule::Eligible
        } else {
            capacity::ProvisionalRule::Ineligible
        },
        formula: if args.by_population {
            capacity::Formula::ScoreTimesPopulation
        } else {
            capacity::Formula::Score
        },
    };
    let sim = capacity::simulate_grants(rubric, &rules, &results)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let names: BTreeMap<&str, &str> = results
        .iter()
        .map(|r| (r.commune.id.as_str(), r.commune.name.as_str()))
        .collect();
    let name = |id: &str| {
        names
            .get(id)
            .map_or_else(|| id.to_owned(), |n| (*n).to_owned())
    };
    let lang = ctx.lang;
    let t = tables::grants(rubric, &sim, &name, lang);
    let total: Decimal = sim.allocations.iter().map(|a| a.amount).sum();
    let text = match args.format {
        Format::Table | Format::Md => {
            let body = if args.format == Format::Md {
                t.to_markdown(lang)
            } else {
                out::terminal(&t, lang)
            };
            format!(
                "{body}{}{}{}\n",
                capacity_report::labels::tr(lang, "Total alloué", "Total allocated"),
                capacity_report::labels::colon(lang),
                capacity::format::fcfa(total, lang)
            )
        }
        Format::Csv => out::csv(&[("grants", &t)])?,
        Format::Json => out::json(&json!({
            "simulation": sim,
            "total_allocated": total.to_string(),
            "index": super::one::index_json(rubric),
        }))?,
    };
    out::print(&text)
}
