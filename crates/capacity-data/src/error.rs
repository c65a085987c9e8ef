//! The crate's one error type.
//!
//! Messages are lowercase, carry the offending value or path, and say how
//! to fix the problem. Depends on the core only for its diagnostics.

use std::path::PathBuf;

/// What can go wrong when generating or writing a dataset, or reading a
/// rubric for it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`crate::SynthConfig`] field is out of range.
    #[error("{field}: {message}")]
    Config {
        /// The field (`communes`, `rounds`, `raters`).
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A rubric file does not validate.
    #[error("{}: the rubric is not valid:\n{diagnostics}", path.display())]
    Rubric {
        /// The file.
        path: PathBuf,
        /// Every problem, with its place.
        diagnostics: capacity::Diagnostics,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// The output directory holds files that the generator did not write.
    #[error(
        "{}: the directory is not empty and has no {marker}, so it was not written by the generator: choose a new or empty directory",
        path.display()
    )]
    NotEmpty {
        /// The directory.
        path: PathBuf,
        /// The manifest file the generator writes.
        marker: &'static str,
    },
}
