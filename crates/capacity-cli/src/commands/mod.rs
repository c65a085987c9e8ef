//! The commands: each reads its inputs through [`crate::load`], asks the
//! core and `capacity-report` for results and tables, and writes them
//! through [`crate::out`].

mod chart;
mod exchange;
mod many;
mod one;
mod report;
mod synth;
mod validate;

use crate::cli::{Cli, Command, LangArg, ProblemFormat};
use crate::diag::{self, Problem};
use crate::error::CliError;
use crate::load::{self, Batch, Loaded};
use capacity::Lang;
use std::path::{Path, PathBuf};

/// How many problems the human and short forms print before `… and N
/// more`.
pub const SHOWN_PROBLEMS: usize = 50;

/// What every command knows.
#[derive(Debug)]
pub struct Ctx {
    /// Language of tables and reports.
    pub lang: Lang,
    /// `--rubric`.
    pub rubrics: Vec<PathBuf>,
    /// `--only`.
    pub only: Option<String>,
    /// `-v`.
    pub verbose: bool,
    /// `-q`.
    pub quiet: bool,
}

/// Runs the command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let g = cli.global;
    let ctx = Ctx {
        lang: match g.lang {
            LangArg::Fr => Lang::Fr,
            LangArg::En => Lang::En,
        },
        rubrics: g.rubric,
        only: g.only,
        verbose: g.verbose,
        quiet: g.quiet,
    };
    match cli.command {
        Command::Validate(a) => validate::run(&ctx, &a),
        Command::Score(a) => one::score(&ctx, &a),
        Command::Explain(a) => one::explain(&ctx, &a),
        Command::Gaps(a) => one::gaps(&ctx, &a),
        Command::Plan(a) => one::plan(&ctx, &a),
        Command::Compare(a) => many::compare(&ctx, &a),
        Command::Grants(a) => many::grants(&ctx, &a),
        Command::Chart(a) => chart::run(&ctx, &a),
        Command::Report(a) => report::run(&ctx, &a),
        Command::Synth(a) => synth::run(&ctx, &a),
        Command::Export(a) => exchange::export(&ctx, &a),
        Command::Xlsform(a) => exchange::xlsform(&ctx, &a),
        Command::Import(a) => exchange::import(&ctx, &a),
    }
}

impl Ctx {
    /// Loads `inputs` (see [`load::load`]) and prints the verbose notes.
    pub fn load(&self, inputs: &[PathBuf]) -> Result<Batch, CliError> {
        let batch = load::load(
            inputs,
            &self.rubrics,
            load::Options {
                progress: !self.quiet,
            },
        )?;
        if self.verbose {
            for n in &batch.notes {
                eprintln!("note: {n}");
            }
        }
        Ok(batch)
    }

    /// Prints problems on stderr in `format`; returns how many. Human and
    /// short forms print the first [`SHOWN_PROBLEMS`], then one line
    /// `… and N more problem(s)` (a file with 20 000 problems must not
    /// flood the terminal); JSON, for tools, has every one.
    pub fn print_problems(
        &self,
        problems: &[Problem],
        format: ProblemFormat,
    ) -> Result<usize, CliError> {
        let shown = problems.get(..SHOWN_PROBLEMS).unwrap_or(problems);
        match format {
            ProblemFormat::Human => {
                for p in shown {
                    eprint!("{}", diag::render(p));
                }
            }
            ProblemFormat::Short => {
                for p in shown {
                    eprintln!("{}", p.short());
                }
            }
            ProblemFormat::Json => {
                let v: Vec<diag::ProblemJson<'_>> = problems.iter().map(Into::into).collect();
                crate::out::print(&crate::out::json(&v)?)?;
            }
        }
        if format != ProblemFormat::Json && problems.len() > shown.len() {
            eprintln!(
                "… and {} more problem(s) (`capacity validate --format json` lists them all)",
                problems.len() - shown.len()
            );
        }
        Ok(problems.len())
    }

    /// Loads `inputs`, failing with every problem printed when any.
    pub fn load_valid(&self, inputs: &[PathBuf]) -> Result<Batch, CliError> {
        let batch = self.load(inputs)?;
        if !batch.problems.is_empty() {
            let n = self.print_problems(&batch.problems, ProblemFormat::Human)?;
            return Err(CliError::Problems(n));
        }
        if batch.assessments.is_empty() {
            return Err(CliError::Usage(format!(
                "no assessment found in {}",
                inputs
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(batch)
    }

    /// Loads exactly one assessment.
    pub fn load_one(&self, path: &Path) -> Result<(Batch, usize), CliError> {
        let batch = self.load_valid(&[path.to_owned()])?;
        match batch.assessments.len() {
            1 => Ok((batch, 0)),
            n => Err(CliError::Usage(format!(
                "{}: {n} assessments found, this command takes one file: name the file",
                path.display()
            ))),
        }
    }
}

/// The assessments of a batch grouped by rubric (index in
/// [`Batch::rubrics`]), largest group first.
pub fn by_rubric(batch: &Batch) -> Vec<(usize, Vec<&Loaded>)> {
    let mut groups: Vec<(usize, Vec<&Loaded>)> = Vec::new();
    for l in &batch.assessments {
        match groups.iter_mut().find(|(r, _)| *r == l.rubric) {
            Some((_, v)) => v.push(l),
            None => groups.push((l.rubric, vec![l])),
        }
    }
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    groups
}

/// The one rubric of a batch and its assessments: the only one given, or
/// the one `--only` names. Assessments of several rubrics (ids or
/// versions) without `--only` are a usage error naming each rubric with
/// one of its files: a command about one rubric never leaves an input out
/// silently.
pub fn main_rubric<'b>(ctx: &Ctx, batch: &'b Batch) -> Result<(usize, Vec<&'b Loaded>), CliError> {
    let key_of = |r: usize| batch.rubrics.get(r).map_or("?", |e| e.compiled.key());
    let mut groups = by_rubric(batch);
    if let Some(only) = &ctx.only {
        let total = groups.len();
        groups.retain(|(r, _)| {
            let key = key_of(*r);
            key == only || key.split_once('@').is_some_and(|(id, _)| id == only)
        });
        if groups.is_empty() {
            return Err(CliError::Usage(format!(
                "--only {only}: none of the {total} rubric(s) of the inputs is {only}: write an id (ml-communes) or id@version (ml-communes@1.0.0) of the inputs' rubrics"
            )));
        }
    }
    if groups.len() > 1 {
        let list: Vec<String> = groups
            .iter()
            .map(|(r, v)| {
                let first = v.first().map_or("", |l| l.file.as_str());
                format!("{}: {} assessment(s), e.g. {first}", key_of(*r), v.len())
            })
            .collect();
        return Err(CliError::Usage(format!(
            "the assessments given are of {} rubrics ({}): this command takes one rubric's assessments; choose one with --only ID@VERSION, or give one rubric's files",
            groups.len(),
            list.join("; ")
        )));
    }
    let (rix, list) = groups
        .pop()
        .ok_or_else(|| CliError::Usage("no assessment given".into()))?;
    if ctx.only.is_some() {
        let left = batch.assessments.len() - list.len();
        if left > 0 {
            crate::out::info(
                ctx.quiet,
                &format!(
                    "--only {}: {left} assessment(s) of other rubrics not used",
                    key_of(rix)
                ),
            );
        }
    }
    Ok((rix, list))
}
