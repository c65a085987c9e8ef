//! `capacity`: the command line of commune-capacity.
//!
//! Validate rubrics and assessments (every problem with its
//! `file:line:column` and the offending line), score, explain, list gaps
//! and costed plans, compare many communes, simulate grants, draw charts,
//! write HTML reports, generate a synthetic dataset, and exchange data with
//! spreadsheets and Kobo/ODK. A thin shell: parsing and presentation here,
//! every figure from the core (`capacity`), reports and tables from
//! `capacity-report`, charts from `capacity-charts`, data from
//! `capacity-data`, spreadsheets from `capacity-exchange`.
//!
//! `main` returns an exit code (see [`error::Exit`] and `capacity --help`)
//! and never panics on input.

mod cli;
mod commands;
mod diag;
mod error;
mod load;
mod out;

use clap::Parser;
use error::Exit;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                    if e.exit_code() == 0 =>
                {
                    Exit::Ok.into()
                }
                _ => Exit::Usage.into(),
            };
        }
    };
    match commands::run(cli) {
        Ok(()) => Exit::Ok.into(),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit().into()
        }
    }
}
