//! `capacity-exchange`: the files commune-capacity exchanges with the
//! outside world's tools — planners' spreadsheets, and KoboToolbox / ODK
//! forms and their exports.
//!
//! - **Spreadsheets for planners** ([`Export`], [`export_csv`],
//!   [`export_xlsx`]): the scores of many assessments
//!   ([`Export::scores`]: one row per commune and round, one column per
//!   domain, competency and indicator), gaps and priorities
//!   ([`Export::gaps`]), one commune's costed action plan
//!   ([`Export::plan`]). French headers by default, English with
//!   [`Lang::En`](capacity::Lang); numbers as numbers, text as text; *not
//!   applicable*, *no information* and *unanswered* kept apart as `NA`, `NI`
//!   and an empty cell, explained in a legend table.
//! - **The XLSForm** of a rubric ([`xlsform()`]): survey, choices and
//!   settings sheets, French and English labels, one group per competency,
//!   one `select_one` per indicator with its evidence field, that
//!   KoboToolbox and ODK Collect load to collect one rater's ratings
//!   offline. Field names follow [`FormNames`].
//! - **The import** of a KoboToolbox/ODK CSV export of that form
//!   ([`import_kobo_csv`]): one assessment per commune and round, raters
//!   kept, and every row or column that could not be mapped reported as an
//!   [`ImportProblem`] with its line, column and fix.
//!
//! # Example
//!
//! ```
//! use capacity::{CommuneResult, CompiledRubric, Lang, example};
//! use capacity_exchange::{CsvOptions, Export, ImportOptions, XlsFormOptions};
//!
//! let rubric = CompiledRubric::from_toml(example::RUBRIC)?;
//! let (assessment, resolved) = rubric.resolve_toml(example::ASSESSMENT)?;
//! let scored = capacity::score(&rubric, &resolved)?;
//!
//! // A planner's spreadsheet, as XLSX and as CSV for French Excel.
//! let export = Export::scores(&rubric, &[CommuneResult::new(&assessment, &scored)], Lang::Fr)?;
//! let xlsx: Vec<u8> = capacity_exchange::export_xlsx(&export)?;
//! let csv: String = capacity_exchange::export_csv(&export, &CsvOptions::excel_fr())?;
//! assert!(csv.starts_with("\u{FEFF}Code commune;Commune;Région;Cercle;Tour;Score global;"));
//!
//! // The form for KoboToolbox, and its CSV export read back.
//! let form: Vec<u8> = capacity_exchange::xlsform(&rubric, &XlsFormOptions::default())?;
//! let export = "commune_id,commune_name,cercle,region,round,date,rater_name,rater_role,etat_civil/ADM_EC_01\n\
//!               ml-exemple,Exemple,San,Ségou,2025,2025-03-18,Aminata Coulibaly,elected,B\n";
//! let imported = capacity_exchange::import_kobo_csv(&rubric, export, &ImportOptions::default())?;
//! assert!(imported.problems.iter().all(|p| p.kind == capacity_exchange::ProblemKind::MissingQuestions));
//! let a = &imported.assessments[0];
//! rubric.resolve(a)?; // every imported assessment validates
//! println!("{}", a.to_toml());
//! # let _ = (xlsx, form);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Scope of this crate
//!
//! Pure functions from the core's values to `String` / `Vec<u8>` and
//! back: no file system, network, clock or randomness of its own (callers
//! read and write files). It builds for `wasm32-unknown-unknown`, where
//! `rust_xlsxwriter` reads the time through its `wasm` feature, enabled
//! for that target in `Cargo.toml` (the workbook's creation date is then
//! overwritten with a fixed one anyway). It knows nothing about Leptos,
//! axum, SQL, plotters or the CLI; it depends on the core (`capacity`),
//! `csv` and `rust_xlsxwriter`.
//!
//! # Module map
//!
//! [`table`] the table model · [`write`](mod@write) CSV and XLSX writers, CSV
//! injection · `words` shared words and legend rows · `scores`, `gaps`,
//! `plan` the planners' tables · [`names`] XML names of the form's fields ·
//! [`xlsform`](mod@xlsform) the form · [`kobo`] the import · [`error`] the
//! error type.
// Nothing in a file or a form may panic: no byte-index slicing of strings
// and no unchecked indexing outside tests (use `get`).
#![cfg_attr(not(test), deny(clippy::string_slice, clippy::indexing_slicing))]

pub mod error;
mod gaps;
pub mod kobo;
pub mod names;
mod plan;
mod scores;
pub mod table;
mod words;
pub mod write;
pub mod xlsform;

pub use error::Error;
pub use kobo::{
    ImportOptions, ImportProblem, ImportResult, ProblemKind, import_kobo_csv, rater_id_from_name,
};
pub use names::{Field, Fixed, FormNames, xml_name};
pub use table::{Cell, Export, Table};
pub use write::{CsvOptions, defuse, export_csv, export_xlsx, is_formula_like};
pub use xlsform::{XlsFormOptions, xlsform, xlsform_tables};
