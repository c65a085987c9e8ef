//! The crate's one error type.
//!
//! Errors are what stops an export or an import as a whole: results scored
//! with another rubric, a spreadsheet the writer refuses, a CSV export with
//! no header or without a column the import cannot do without. Problems
//! that only affect some rows or columns of an import are not errors: they
//! are collected as [`crate::ImportProblem`]s next to what could be
//! imported. Messages are lowercase, carry their place (line, column,
//! sheet) and say how to fix the problem. Depends on nothing else in the
//! crate.

/// What can stop an export or an import.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Results, gaps or a plan were made with another rubric than the one
    /// given.
    #[error(
        "{what} was made with rubric {found}, not {expected}: export it with the rubric it was scored with, or score it again with {expected}"
    )]
    RubricMismatch {
        /// What was given (`"the result of ml-segou-san, round 2024"`).
        what: String,
        /// The rubric given (`id@version`).
        expected: String,
        /// The rubric the input was made with.
        found: String,
    },
    /// A plan was given with another commune than its own.
    #[error(
        "the plan is the plan of {plan}, not of {given}: pass the commune the plan was made for"
    )]
    CommuneMismatch {
        /// The plan's commune id.
        plan: String,
        /// The commune id given with it.
        given: String,
    },
    /// The spreadsheet writer refused a cell or a sheet.
    #[error("sheet \"{sheet}\", row {row}, column {column}: {message}")]
    Xlsx {
        /// The sheet's name.
        sheet: String,
        /// The row, 1-based as Excel shows it (0 when the sheet itself is
        /// at fault).
        row: u32,
        /// The column, 1-based (0 when the sheet itself is at fault).
        column: u16,
        /// What the writer said, and how to fix it.
        message: String,
    },
    /// Writing CSV failed (does not happen when writing to memory; kept so
    /// that nothing is unwrapped).
    #[error("table \"{table}\": the csv writer failed: {message}")]
    CsvWrite {
        /// The table being written.
        table: String,
        /// What the writer said.
        message: String,
    },
    /// The CSV export to import has no header row.
    #[error(
        "the csv file is empty: export the submissions again from KoboToolbox or ODK, as csv with a header row"
    )]
    EmptyCsv,
    /// The CSV export cannot be read as CSV.
    #[error("line {line}: the csv file cannot be read: {message}: export it again as csv (UTF-8)")]
    Csv {
        /// The line (1-based).
        line: u64,
        /// What the reader said.
        message: String,
    },
    /// Columns the import cannot do without are missing.
    #[error(
        "line 1: missing column{plural} {list}: export the submissions of the form made by `capacity xlsform` for this rubric, with XML names or labels as headers",
        plural = if columns.len() == 1 { "" } else { "s" },
        list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumns {
        /// The missing columns, by their XLSForm name (`commune_id`); a
        /// choice between two is written `rater_name or rater_id`.
        columns: Vec<String>,
    },
    /// No column of the CSV export is a question of the rubric.
    #[error(
        "line 1: no column is a question of rubric {rubric}: import the export with the rubric its form was made from, or export the questions (not only the metadata)"
    )]
    NoQuestionColumns {
        /// The rubric (`id@version`).
        rubric: String,
    },
}
