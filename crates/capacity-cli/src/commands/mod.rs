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

/// What every command knows.
#[derive(Debug)]
pub struct Ctx {
    /// Language of tables and reports.
    pub lang: Lang,
    /// `--rubric`.
    pub rubrics: Vec<PathBuf>,
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

    /// Prints problems on stderr in `format`; returns how many.
    pub fn print_problems(
        &self,
        problems: &[Problem],
        format: ProblemFormat,
    ) -> Result<usize, CliError> {
        match format {
            ProblemFormat::Human => {
                for p in problems {
                    eprint!("{}", diag::render(p));
                }
            }
            ProblemFormat::Short => {
                for p in problems {
                    eprintln!("{}", p.short());
                }
            }
            ProblemFormat::Json => {
                let v: Vec<diag::ProblemJson<'_>> = problems.iter().map(Into::into).collect();
                crate::out::print(&crate::out::json(&v)?)?;
            }
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

/// The largest group of [`by_rubric`], warning about the others.
pub fn main_rubric<'b>(ctx: &Ctx, batch: &'b Batch) -> Option<(usize, Vec<&'b Loaded>)> {
    let mut groups = by_rubric(batch).into_iter();
    let first = groups.next()?;
    for (r, v) in groups {
        if let Some(e) = batch.rubrics.get(r) {
            crate::out::info(
                ctx.quiet,
                &format!(
                    "warning: {} assessment(s) of rubric {} left out: give one rubric's assessments at a time",
                    v.len(),
                    e.compiled.key()
                ),
            );
        }
    }
    Some(first)
}
