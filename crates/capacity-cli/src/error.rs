//! Exit codes and the errors that end a command.
//!
//! Problems in the input (validation, import) are printed as they are
//! found, with their place, and end the command with [`Exit::Problems`];
//! usage errors with [`Exit::Usage`]; anything else (a file that cannot be
//! read or written) with [`Exit::Failure`]. `main` turns a [`CliError`]
//! into its message and exit code; nothing panics on input.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The exit codes (documented in `--help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Problems in the input (validation, import).
    Problems = 1,
    /// Usage error.
    Usage = 2,
    /// Input/output or other failure.
    Failure = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

/// What ends a command early.
#[derive(Debug)]
pub enum CliError {
    /// Problems were printed already; this many.
    Problems(usize),
    /// A usage error the parser could not see (e.g. one assessment
    /// expected, three given).
    Usage(String),
    /// Reading or writing `path` failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        source: std::io::Error,
    },
    /// Anything else.
    Other(String),
}

impl CliError {
    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Problems(_) => Exit::Problems,
            CliError::Usage(_) => Exit::Usage,
            CliError::Io { .. } | CliError::Other(_) => Exit::Failure,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Problems(1) => f.write_str("1 problem found"),
            CliError::Problems(n) => write!(f, "{n} problems found"),
            CliError::Usage(m) | CliError::Other(m) => f.write_str(m),
            CliError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}
