//! `export`, `xlsform`, `import kobo`: planners' spreadsheets and
//! Kobo/ODK, through `capacity-exchange` (which owns the formats; this
//! module reads and writes the files and reports problems).

use super::{Ctx, main_rubric};
use crate::cli::{Export, Import, ImportSource, SheetFormat, Xlsform};
use crate::diag::Problem;
use crate::error::CliError;
use crate::out;
use capacity::{ActionPlan, CommuneResult};
use capacity_exchange::{CsvOptions, ImportOptions, XlsFormOptions};

use std::collections::BTreeMap;
use std::sync::Arc;

fn exchange(e: capacity_exchange::Error) -> CliError {
    CliError::Other(e.to_string())
}

/// Appends `more`'s tables to `into`, keeping sheet names unique: a table
/// whose name is taken is dropped when identical (the shared legend),
/// renamed `Name (2)` otherwise.
fn merge(into: &mut capacity_exchange::Export, more: capacity_exchange::Export) {
    for mut t in more.tables {
        if let Some(same) = into.tables.iter().find(|x| x.name == t.name) {
            if same == &t {
                continue;
            }
            let base = t.name.clone();
            let mut n = 2;
            while into.tables.iter().any(|x| x.name == t.name) {
                t.name = format!("{base} ({n})");
                n += 1;
            }
        }
        into.tables.push(t);
    }
}

/// `capacity export FILE_OR_DIR... --format csv|xlsx -o FILE`.
pub fn export(ctx: &Ctx, args: &Export) -> Result<(), CliError> {
    let batch = ctx.load_valid(&args.inputs)?;
    let (rix, list) = main_rubric(ctx, &batch)?;
    let rubric = batch
        .rubrics
        .get(rix)
        .map(|r| &r.compiled)
        .ok_or_else(|| CliError::Other("internal: rubric lost".into()))?;
    // Every round of every commune, ordered by commune then date.
    let mut list = list;
    list.sort_by(|a, b| {
        (
            &a.assessment.commune.id,
            &a.assessment.date,
            &a.assessment.round,
        )
            .cmp(&(
                &b.assessment.commune.id,
                &b.assessment.date,
                &b.assessment.round,
            ))
    });
    let results: Vec<CommuneResult<'_>> = list
        .iter()
        .map(|l| CommuneResult::new(&l.assessment, &l.scored))
        .collect();
    let lang = ctx.lang;
    let mut export = capacity_exchange::Export::scores(rubric, &results, lang).map_err(exchange)?;
    merge(
        &mut export,
        capacity_exchange::Export::gaps(rubric, &results, lang).map_err(exchange)?,
    );
    // The costed plan when the export is about one commune (its latest
    // round): a plan is one commune's document.
    let communes: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r.commune.id.as_str()).collect();
    if communes.len() == 1
        && let Some(last) = results.last()
    {
        let plan = ActionPlan::new(rubric, last).map_err(|e| CliError::Other(e.to_string()))?;
        merge(
            &mut export,
            capacity_exchange::Export::plan(rubric, &plan, last.commune, lang).map_err(exchange)?,
        );
    }
    let bytes = match args.format {
        SheetFormat::Xlsx => capacity_exchange::export_xlsx(&export).map_err(exchange)?,
        SheetFormat::Csv => capacity_exchange::export_csv(&export, &CsvOptions::for_lang(lang))
            .map_err(exchange)?
            .into_bytes(),
    };
    out::write_file(&args.output, &bytes)?;
    out::info(
        ctx.quiet,
        &format!(
            "wrote {} ({} assessment(s) of {} commune(s); tables: {})",
            args.output.display(),
            results.len(),
            communes.len(),
            export
                .tables
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    Ok(())
}

/// The rubric named by `name` (a file or a built-in id); its problems are
/// printed.
fn rubric(ctx: &Ctx, name: &str) -> Result<(capacity::CompiledRubric, String), CliError> {
    crate::load::rubric_by_name(name).map_err(|e| match e {
        Ok(problems) => match ctx.print_problems(&problems, crate::cli::ProblemFormat::Human) {
            Ok(n) => CliError::Problems(n),
            Err(e) => e,
        },
        Err(e) => e,
    })
}

/// `capacity xlsform RUBRIC -o form.xlsx`.
pub fn xlsform(ctx: &Ctx, args: &Xlsform) -> Result<(), CliError> {
    let (rubric, origin) = rubric(ctx, &args.rubric_file)?;
    let options = XlsFormOptions {
        communes: Vec::new(),
        round: args.round.clone(),
    };
    let bytes = capacity_exchange::xlsform(&rubric, &options).map_err(exchange)?;
    out::write_file(&args.output, &bytes)?;
    out::info(
        ctx.quiet,
        &format!(
            "wrote {} (XLSForm of rubric {} from {origin}: {} indicators)",
            args.output.display(),
            rubric.key(),
            rubric.indicators().len()
        ),
    );
    Ok(())
}

/// An import problem as a [`Problem`] pointing at its line (and, on the
/// header line, at the column's name). `index` is the text's line index,
/// built once: thousands of problems cost one pass over the text.
fn import_problem(
    file: &str,
    text: &Arc<String>,
    index: &capacity::diagnostic::LineIndex<'_>,
    line: u64,
    column: Option<&str>,
    message: String,
) -> Problem {
    let mut span = index.line_span(line);
    if let (Some((s, e)), Some(c)) = (span, column)
        && !c.is_empty()
        && let Some(found) = text.get(s..e).and_then(|l| l.find(c))
    {
        span = Some((s + found, s + found + c.len()));
    }
    Problem {
        file: file.to_owned(),
        text: Some(Arc::clone(text)),
        span,
        position: span.map(|(s, _)| index.position(s)),
        message,
        help: None,
    }
}

/// `capacity import kobo EXPORT.csv --rubric RUBRIC -o DIR`.
pub fn import(ctx: &Ctx, args: &Import) -> Result<(), CliError> {
    let ImportSource::Kobo(k) = &args.source;
    let name = match ctx.rubrics.as_slice() {
        [one] => one.display().to_string(),
        [] => {
            return Err(CliError::Usage(
                "import kobo needs the rubric the form was made from: add --rubric FILE (or a built-in id such as ml-communes)".into(),
            ));
        }
        _ => return Err(CliError::Usage("import kobo takes one --rubric".into())),
    };
    let (rubric, origin) = rubric(ctx, &name)?;
    let file = k.export.display().to_string();
    let text = match crate::load::read_text(&k.export, &file)? {
        Ok(text) => Arc::new(text),
        Err(p) => {
            let n = ctx.print_problems(&[p], crate::cli::ProblemFormat::Human)?;
            return Err(CliError::Problems(n));
        }
    };
    let index = capacity::diagnostic::LineIndex::new(&text);
    let result = match capacity_exchange::import_kobo_csv(&rubric, &text, &ImportOptions::default())
    {
        Ok(r) => r,
        Err(e) => {
            // Nothing importable: the error names line 1 (headers) or its line.
            let line = match &e {
                capacity_exchange::Error::Csv { line, .. } => *line,
                _ => 1,
            };
            let p = import_problem(&file, &text, &index, line, None, e.to_string());
            let n = ctx.print_problems(&[p], crate::cli::ProblemFormat::Human)?;
            return Err(CliError::Problems(n));
        }
    };
    // Write what could be imported, then report the rest. Each file is
    // named from the commune id and the round by the core's safe-name rule
    // (never a path outside the directory, whatever the round says); two
    // assessments whose names would collide are refused before anything
    // is written.
    let mut names: BTreeMap<String, &capacity::Assessment> = BTreeMap::new();
    for a in &result.assessments {
        let name =
            capacity::filename::safe_file_name(&[&a.commune.id, &a.round], "toml", "assessment");
        if let Some(other) = names.get(&name) {
            // A problem of the data (two rounds that differ only in
            // characters a file name cannot hold): nothing is written.
            let p = Problem::file(
                &file,
                format!(
                    "the assessments of {} round `{}` and of {} round `{}` would both be written to {name}: rename one of the rounds (letters, digits, `-`, `_`, `.`) and import again; nothing was written",
                    other.commune.id, other.round, a.commune.id, a.round
                ),
            );
            let n = ctx.print_problems(&[p], crate::cli::ProblemFormat::Human)?;
            return Err(CliError::Problems(n));
        }
        names.insert(name, a);
    }
    let mut written = Vec::new();
    for (name, a) in &names {
        let path = out::path_in(&k.output, name)?;
        if path.exists() && !k.force {
            return Err(CliError::Other(format!(
                "{}: the file exists: choose another directory or add --force to replace it",
                path.display()
            )));
        }
        out::write_file(&path, a.to_toml().as_bytes())?;
        written.push(path);
    }
    let problems: Vec<Problem> = result
        .problems
        .iter()
        .map(|p| {
            let mut message = format!("{}: {}", p.message, p.fix);
            if let Some(c) = &p.column {
                message = format!("column \"{c}\": {message}");
            }
            import_problem(&file, &text, &index, p.line, p.column.as_deref(), message)
        })
        .collect();
    ctx.print_problems(&problems, crate::cli::ProblemFormat::Human)?;
    out::info(
        ctx.quiet,
        &format!(
            "imported {} submission(s) into {} assessment(s) in {} (rubric {} from {origin}){}",
            result.submissions,
            written.len(),
            k.output.display(),
            rubric.key(),
            if problems.is_empty() {
                String::new()
            } else {
                format!("; {} problem(s)", problems.len())
            }
        ),
    );
    if ctx.verbose {
        for w in &written {
            eprintln!("wrote {}", w.display());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Problems(problems.len()))
    }
}
