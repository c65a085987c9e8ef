//! `capacity-report`: self-contained, printable HTML reports of
//! commune-capacity results, and the tables they share with the command
//! line.
//!
//! - [`CommuneReport`]: one commune's assessment — summary, score tree
//!   with a "why?" down to each rater's level and evidence, charts,
//!   disagreements, gaps, costed action plan, progress since the previous
//!   round;
//! - [`RegionalReport`]: many communes — level distributions and shares at
//!   the basic level before quartiles, ranking with its method, heatmap,
//!   reform needs, progress between rounds;
//! - [`tables`]: the same figures as [`Table`]s of typed cells, which the
//!   command line prints in a terminal, as CSV or Markdown;
//! - [`VerificationReport`]: an independent verification — self-assessed
//!   and verified scores side by side, every changed level with its reason
//!   (the same tables go into [`CommuneReport::with_verification`]);
//! - [`labels`]: the words of states, flags, roles and horizons in French
//!   and English; [`cohort`]: which round of each commune to compare.
//!
//! # Example
//!
//! ```
//! use capacity::{CompiledRubric, Lang, example};
//! use capacity_report::CommuneReport;
//!
//! let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
//! let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
//! let scored = capacity::score(&rubric, &resolved)?;
//! let html = CommuneReport::new(&rubric, &assessment, &scored).render(Lang::En)?;
//! assert!(html.contains("<meta charset=\"utf-8\"/>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What every report guarantees
//!
//! One file: inline CSS, inline SVG charts (from `capacity-charts`), no
//! script, `<meta charset="utf-8">`, a print style sheet (A4, sections on
//! new pages, explanations printed expanded). Every text that comes from a
//! rubric or an assessment is escaped ([`html::escape`]). The markup is
//! well-formed XML as well as HTML (void elements self-closed), which the
//! tests check with an XML parser.
//!
//! # Scope of this crate
//!
//! Presentation only: it reads the core's results and never scores; no
//! file, network or clock, so the web app can render the same reports. It
//! depends on `capacity` and `capacity-charts`, not on the CLI, Leptos,
//! axum or SQL.

pub mod cohort;
pub mod commune;
pub mod html;
pub mod labels;
mod page;
pub mod regional;
pub mod shares;
pub mod table;
pub mod tables;
pub mod verification;

pub use cohort::Entry;
pub use commune::CommuneReport;
pub use regional::{By, RegionalReport};
pub use table::{Cell, Column, Table, markdown_text};
pub use verification::{VerificationReport, Verifier};

/// What can stop a report: results that do not belong to the rubric given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The core refused the inputs (results made with another rubric).
    Core(capacity::Error),
    /// A many-commune function refused the inputs (another rubric, a
    /// commune twice).
    Planning(capacity::PlanningErrors),
    /// A chart refused its inputs.
    Chart(capacity_charts::Error),
    /// Nothing to report on.
    Empty,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Core(e) => write!(f, "{e}"),
            Error::Planning(e) => write!(f, "{e}"),
            Error::Chart(e) => write!(f, "{e}"),
            Error::Empty => {
                f.write_str("no assessment to report on: give at least one valid assessment")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<capacity::Error> for Error {
    fn from(e: capacity::Error) -> Self {
        Error::Core(e)
    }
}

impl From<capacity::PlanningErrors> for Error {
    fn from(e: capacity::PlanningErrors) -> Self {
        Error::Planning(e)
    }
}

impl From<capacity_charts::Error> for Error {
    fn from(e: capacity_charts::Error) -> Self {
        Error::Chart(e)
    }
}
