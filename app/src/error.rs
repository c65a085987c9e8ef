//! The one error type of the app: what went wrong, said so that the page
//! can tell the person what to do, with one HTTP status per kind
//! ([`AppError::status`]) for pages, server functions and downloads alike.
//! Compiled for both the server and the browser (islands receive it from
//! server functions).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors a server function reports to the page, typed so that the page can
/// say what happened and what to do. Each kind has one HTTP status
/// ([`AppError::status`]), the same for pages, server functions and
/// downloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The request could not reach the server or its answer was unreadable
    /// (only ever made in the browser; the server never answers it).
    #[error("server unreachable or answer unreadable: {0}")]
    Transport(String),
    /// The request itself is malformed (arguments that do not decode,
    /// text that is not UTF-8): 400.
    #[error("{0}")]
    Malformed(String),
    /// Not logged in: 401.
    #[error("{0}")]
    Unauthenticated(String),
    /// A login refused: wrong name or password (which of the two is not
    /// said): 401.
    #[error("wrong name or password")]
    BadCredentials,
    /// Logged in but not allowed: 403.
    #[error("{0}")]
    Forbidden(String),
    /// The object asked for does not exist: 404.
    #[error("{0} not found")]
    NotFound(String),
    /// Someone saved the same thing since it was read; nothing was written: 409.
    #[error("{0}")]
    Stale(String),
    /// A rating was saved by someone else since it was read; nothing was
    /// written: 409, with what is stored now so the page can show both.
    #[error("this rating was changed meanwhile (now version {})", .0.version)]
    StaleRating(RatingNow),
    /// A commune of the register was saved by someone else since it was
    /// read; nothing was written: 409, with the commune as stored now so
    /// the page can show the newer values.
    #[error("commune {} was changed meanwhile (now version {}): review its newer values, then save again", .0.commune.id, .0.version)]
    StaleCommune(Box<CommuneNow>),
    /// The request body is larger than the server accepts: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The input is not acceptable; the message says how to fix it: 422.
    #[error("{0}")]
    Invalid(String),
    /// The input is not acceptable, field by field: 422.
    #[error("{}", .0.iter().map(|p| format!("{}: {}", p.field, p.problem)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldProblem>),
    /// The assessment is finalised and cannot change: 423.
    #[error("{0}")]
    Locked(String),
    /// Too many attempts (failed logins) in a short time; wait, then try
    /// again: 429.
    #[error("{0}")]
    TooManyAttempts(String),
    /// The server is too busy to write now, or its database cannot be
    /// reached for a moment; try again shortly: 503.
    #[error("{0}")]
    Busy(String),
    /// A fault on the server (logged there): 500.
    #[error("server error: {0}")]
    Internal(String),
}

/// An error of a plain form post (JavaScript off), kept for the page the
/// browser is sent back to, with the fields as they were typed so the form
/// can show them again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormError {
    /// What went wrong.
    pub error: AppError,
    /// The submitted fields, by name (empty when the form needs none back).
    pub typed: std::collections::BTreeMap<String, String>,
}

impl FormError {
    /// The problem of field `name`, if any.
    pub fn problem(&self, name: &str) -> Option<&Problem> {
        match &self.error {
            AppError::Fields(problems) => problems
                .iter()
                .find(|p| p.field == name)
                .map(|p| &p.problem),
            _ => None,
        }
    }

    /// What was typed in field `name` (empty when nothing).
    pub fn typed(&self, name: &str) -> String {
        self.typed.get(name).cloned().unwrap_or_default()
    }
}

/// What is stored now for a rating whose save was refused as stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingNow {
    /// Stored level (None: no rating, or it was cleared).
    pub level: Option<String>,
    /// Stored evidence.
    pub evidence: Option<String>,
    /// Stored version (0: no row).
    pub version: i64,
}

/// What is stored now for a commune whose save was refused as stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneNow {
    /// The commune as stored (territory valid today).
    pub commune: capacity::Commune,
    /// Its version now.
    pub version: i64,
    /// Offered for new assessments.
    pub active: bool,
    /// The commune it was merged into, if it was.
    pub merged_into: Option<String>,
}

/// One field of a form that cannot be accepted as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The field's name in the form (`date`, `rater_name[2]`…).
    pub field: String,
    /// What is wrong; the page says it in its language
    /// (`ui::common::problem_text`).
    pub problem: Problem,
}

impl FieldProblem {
    /// A problem of `field`.
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

/// What is wrong with one field: a code the page turns into a sentence in
/// its language, with the figures the sentence needs. The English `Display`
/// is for logs and API clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Nothing was given where something is needed.
    #[error("required")]
    Required,
    /// Longer than allowed.
    #[error("too long: {max} characters at most")]
    TooLong {
        /// The most characters allowed.
        max: u32,
    },
    /// Not a real `YYYY-MM-DD` date.
    #[error("not a date: write it as YYYY-MM-DD, e.g. 2026-03-14")]
    NotADate,
    /// A date after today.
    #[error("after today ({today}): give the date the workshop took place")]
    AfterToday {
        /// Today, `YYYY-MM-DD`, on the server.
        today: String,
    },
    /// Not one of the choices offered.
    #[error("not one of the choices offered")]
    UnknownChoice,
    /// More items than allowed.
    #[error("too many: {max} at most")]
    TooMany {
        /// The most items allowed.
        max: u32,
    },
    /// Not an acceptable id (letters, digits, `_`, `.`, `-`).
    #[error("only letters, digits, `_`, `.` and `-` are allowed")]
    BadId,
    /// Not an acceptable cost (the core's rule, `capacity::parse_cost`).
    #[error("{0}")]
    Cost(capacity::CostProblem),
    /// A decided action cannot go back to "proposed".
    #[error("a decided action cannot go back to proposed: keep it or drop it")]
    CannotUndecide,
    /// The action is no longer in the plan (the ratings changed since).
    #[error("this action is no longer in the plan: reload the plan")]
    NotInPlan,
    /// A password shorter than allowed.
    #[error("too short: {min} characters at least")]
    TooShort {
        /// The fewest characters allowed.
        min: u32,
    },
    /// The password and its confirmation differ.
    #[error("the two passwords differ")]
    PasswordsDiffer,
    /// The login name is already taken.
    #[error("this name is already taken")]
    NameTaken,
    /// Not a whole number (a population).
    #[error("not a whole number: write digits only, e.g. 35000")]
    NotAWholeNumber,
    /// Given twice in one file.
    #[error("given twice in this file (first on line {first}): keep one row")]
    Duplicate {
        /// The line where it came first.
        first: u64,
    },
    /// No commune has this id.
    #[error("no commune has this id: add the commune to the register first")]
    UnknownCommune,
    /// A period that ends before it starts.
    #[error("ends before it starts: give an end after the start, or none")]
    EndBeforeStart,
    /// A period overlapping another of the same commune.
    #[error("overlaps the period from {other}: end one before the other starts")]
    Overlaps {
        /// The first day of the other period.
        other: String,
    },
    /// A column the file must have is missing from its first line.
    #[error("missing from the first line: add this column")]
    MissingColumn,
    /// A column the file's kind does not have.
    #[error("not a column of this kind of file: rename it or remove it")]
    UnknownColumn,
    /// A line that cannot be read as CSV.
    #[error("cannot be read as CSV: check its quotes and separators")]
    UnreadableRow,
    /// The commune is deactivated (or merged into another).
    #[error("this commune is deactivated: choose an active commune")]
    Inactive,
    /// The round is below the completeness required: finalise it only as
    /// provisional, with a reason.
    #[error(
        "incomplete: answer every applicable indicator, or mark the round provisional and say why"
    )]
    Incomplete,
    /// A date outside the campaign's window.
    #[error("outside the campaign's window ({starts} – {ends}): give a date inside it")]
    OutsideWindow {
        /// First day of the window.
        starts: String,
        /// Last day of the window.
        ends: String,
    },
    /// The commune is not in the campaign's scope.
    #[error(
        "this commune is not in the campaign's scope: choose another campaign, or ask a planner to add the commune"
    )]
    NotInCampaign,
}

impl AppError {
    /// The HTTP status of this kind of error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Malformed(_) => 400,
            AppError::Unauthenticated(_) | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Stale(_) | AppError::StaleRating(_) | AppError::StaleCommune(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::Invalid(_) | AppError::Fields(_) => 422,
            AppError::Locked(_) => 423,
            AppError::TooManyAttempts(_) => 429,
            AppError::Busy(_) => 503,
            AppError::Transport(_) | AppError::Internal(_) => 500,
        }
    }

    /// True when sending the same request again later may succeed: the
    /// network failed or the server was busy. Every other error needs the
    /// person (or the data) to change first, so it is never retried.
    pub fn retryable(&self) -> bool {
        matches!(self, AppError::Transport(_) | AppError::Busy(_))
    }
}

#[cfg(feature = "ssr")]
impl From<capacity_store::StoreError> for AppError {
    fn from(e: capacity_store::StoreError) -> Self {
        use capacity_store::StoreError as S;
        match e {
            S::NotFound { what } => AppError::NotFound(what),
            S::Invalid(msg) => AppError::Invalid(msg),
            e @ S::Conflict { .. } => AppError::Invalid(e.to_string()),
            S::StaleRating { current, .. } => AppError::StaleRating(RatingNow {
                level: current.as_ref().map(|c| c.input.level.clone()),
                evidence: current.as_ref().and_then(|c| c.input.evidence.clone()),
                version: current.map_or(0, |c| c.version),
            }),
            e @ S::Stale { .. } => AppError::Stale(e.to_string()),
            S::StaleCommune { current, .. } => AppError::StaleCommune(Box::new(CommuneNow {
                commune: current.commune,
                version: current.version,
                active: current.active,
                merged_into: current.merged_into,
            })),
            e @ S::Locked { .. } => AppError::Locked(e.to_string()),
            // The message carries the level stored now and its reason.
            e @ S::StaleVerifiedLevel { .. } => AppError::Stale(e.to_string()),
            e @ S::VerificationCompleted { .. } => AppError::Locked(e.to_string()),
            // Unlocking what is not finalised: someone reopened it first.
            e @ S::NotFinalised { .. } => AppError::Stale(e.to_string()),
            e @ S::RaterRelinked { .. } => AppError::Stale(e.to_string()),
            e @ S::TokenInvalid { .. } => AppError::Invalid(e.to_string()),
            e @ S::Busy { .. } => {
                tracing::warn!(error = %e, "store busy: answered 503");
                AppError::Busy(e.to_string())
            }
            e @ S::Unavailable { .. } => {
                tracing::warn!(error = %e, "database unreachable: answered 503");
                AppError::Busy(e.to_string())
            }
            other => {
                tracing::error!(error = %other, "store error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request never reached the server, or its answer never
            // came back: the page may queue and retry.
            ServerFnErrorErr::Request(e) => AppError::Transport(e),
            // The server could not decode the request: the page sent
            // something wrong, retrying will not help.
            // The body was cut at the server's limit while being read.
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e)
                if e.contains("length limit exceeded") =>
            {
                AppError::TooLarge(format!("request body over the limit: {e}"))
            }
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::MissingArg(e) => AppError::Malformed(e),
            // On the server, what fails to deserialise is the request (the
            // framework reports it under this name).
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(e) => AppError::Malformed(e),
            // An answer came, but not one this page understands.
            other => AppError::Internal(other.to_string()),
        }
    }
}
