//! The store's error type: what went wrong, where, and what to do.

use crate::rows::StoredRating;

/// Errors of the store. Each says which object and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database cannot be opened (or its file created).
    #[error("cannot open the database {path}: {source} ({})", open_hint(.path))]
    Open {
        /// File or URL asked for (a URL's password hidden).
        path: String,
        /// Cause.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error(
        "cannot update the database schema: {0} (the file may come from a newer version of commune-capacity)"
    )]
    Migrate(sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// The database cannot be reached just now: its connection broke, it
    /// is shutting down or restarting, or it refuses more connections
    /// (PostgreSQL; a local SQLite file has none of these). Sending the
    /// same request again in a moment is expected to work; the web app
    /// answers 503 with `Retry-After`. A write that met it may have been
    /// kept if the connection broke as it committed: the versions it
    /// carries then refuse a second copy.
    #[error(
        "the database cannot be reached just now ({source}): try again in a moment, after reloading (a save sent as the connection broke may have been kept)"
    )]
    Unavailable {
        /// What the connection met.
        source: sqlx::Error,
    },
    /// A stored JSON column could not be read back.
    #[error("stored data of {what} is unreadable: {source}")]
    Corrupt {
        /// Which object.
        what: String,
        /// Cause.
        source: serde_json::Error,
    },
    /// No such object.
    #[error("{what} not found")]
    NotFound {
        /// Which object, e.g. `assessment 12`.
        what: String,
    },
    /// The object exists already (e.g. same commune, rubric and round).
    #[error("{what} already exists: {hint}")]
    Conflict {
        /// Which object.
        what: String,
        /// What to do.
        hint: String,
    },
    /// The assessment is finalised: it can be read, not changed.
    #[error(
        "assessment {id} is finalised and locked: have it unlocked, with a reason, to correct it, or start a new round to record changes"
    )]
    Locked {
        /// The assessment.
        id: i64,
    },
    /// Only a finalised assessment can be unlocked.
    #[error("assessment {id} is not finalised: there is nothing to unlock")]
    NotFinalised {
        /// The assessment.
        id: i64,
    },
    /// Someone saved this rating since it was read; nothing was written.
    #[error("this rating was changed by someone else (now version {}, you had version {expected}): review the newer value, then save again", current.as_ref().map_or(0, |c| c.version))]
    StaleRating {
        /// Version the caller read (0 for a new rating).
        expected: i64,
        /// What is stored now; `None` when the rating is not answered now
        /// (never saved, or cleared: a new save at version 0 is then
        /// accepted, since it overwrites nothing).
        current: Option<Box<StoredRating>>,
    },
    /// Someone set the verified level of this indicator since it was
    /// read; nothing was written. Carries what is stored now.
    #[error("{} was verified by someone else meanwhile (now {}, version {}; you had version {expected}): review the newer level, then save again",
        current.as_ref().map_or("this indicator", |c| c.indicator.as_str()),
        current.as_ref().map_or_else(|| "no level".to_owned(), |c| match c.reason.as_deref() { Some(r) => format!("level {} because \"{r}\"", c.level), None => format!("level {}", c.level) }),
        current.as_ref().map_or(0, |c| c.version))]
    StaleVerifiedLevel {
        /// Version the caller read (0 for a first level).
        expected: i64,
        /// What is stored now (`None`: no level yet).
        current: Option<Box<crate::verification::VerifiedAnswer>>,
    },
    /// The verification is completed: it can be read, not changed.
    #[error(
        "the verification of assessment {id} is completed and locked: an administrator may reopen it, with a reason"
    )]
    VerificationCompleted {
        /// The assessment.
        id: i64,
    },
    /// The rater was linked to another account (or unlinked) between the
    /// check of who may enter its ratings and the write; nothing was
    /// written.
    #[error(
        "rater `{rater}` of assessment {assessment} was linked to another account meanwhile: reload the page, then save again if you still may"
    )]
    RaterRelinked {
        /// The assessment.
        assessment: i64,
        /// The rater.
        rater: String,
    },
    /// Someone saved this object since it was read; nothing was written.
    #[error(
        "{what} was changed by someone else (now version {current}, you had version {expected}): reload it, then save again"
    )]
    Stale {
        /// Which object.
        what: String,
        /// Version the caller read.
        expected: i64,
        /// Version stored now.
        current: i64,
    },
    /// Someone saved this commune since it was read; nothing was written.
    #[error(
        "commune {} was changed by someone else (now version {}, you had version {expected}): review its newer values, then save again",
        current.commune.id, current.version
    )]
    StaleCommune {
        /// Version the caller read.
        expected: i64,
        /// The commune as stored now.
        current: Box<crate::rows::CommuneRow>,
    },
    /// A password link cannot be used; nothing was written. `why` is one
    /// of `unknown` (no such link), `used` (used already, or replaced by a
    /// newer link of the account), `expired`, `inactive` (the account is
    /// deactivated).
    #[error(
        "this password link cannot be used ({}): ask an administrator for a new link",
        token_why(why)
    )]
    TokenInvalid {
        /// `unknown`, `used`, `expired` or `inactive`.
        why: &'static str,
    },
    /// The input is not acceptable (e.g. an empty rater name).
    #[error("{0}")]
    Invalid(String),
    /// The database stayed busy (other writers, another process holding
    /// the file) through every attempt: nothing was written. Sending the
    /// same save again in a moment is safe and expected to work; the web
    /// app answers 503 with `Retry-After`.
    #[error(
        "the database is busy with other saves ({detail}; {attempts} attempts): nothing was written, try again in a moment"
    )]
    Busy {
        /// Attempts made.
        attempts: u32,
        /// What the last attempt met.
        detail: String,
    },
    /// The database holds a schema newer than this program knows: a newer
    /// version of commune-capacity wrote it. Nothing was changed.
    #[error(
        "the database {path} has schema version {found}, newer than the {known} this program knows: \
         run the newer version of capacity-web that wrote it, or restore a backup made by this version \
         (capacity-web restore --from FILE)"
    )]
    SchemaTooNew {
        /// The database.
        path: String,
        /// Its newest applied migration.
        found: i64,
        /// The newest migration of this program.
        known: i64,
    },
    /// A backup could not be written or restored; `detail` says why and
    /// what to do.
    #[error("{action} {path}: {detail}")]
    Backup {
        /// `cannot back up to`, `cannot restore from`…
        action: &'static str,
        /// The file concerned.
        path: String,
        /// What went wrong and what to do.
        detail: String,
    },
}

/// The words for a [`StoreError::TokenInvalid`] reason.
fn token_why(why: &str) -> &str {
    match why {
        "unknown" => "it is not known",
        "used" => "it was used already, or a newer link replaced it",
        "expired" => "it has expired",
        "inactive" => "the account is deactivated",
        other => other,
    }
}

/// Database errors, sorted: [`StoreError::Unavailable`] when the database
/// cannot be reached (`db::is_unreachable`: PostgreSQL down, restarting
/// or refusing connections, a broken socket), [`StoreError::Busy`]
/// when no connection came within the pool's wait (all held by other
/// requests, or none could be opened: the pool keeps trying to connect
/// until then), else [`StoreError::Database`].
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut => StoreError::Busy {
                attempts: 1,
                detail: "no database connection within the wait: other requests hold them all, \
                         or the database does not answer"
                    .to_owned(),
            },
            e if crate::db::is_unreachable(&e) => StoreError::Unavailable { source: e },
            e => StoreError::Database(e),
        }
    }
}

impl StoreError {
    /// True when the same request may succeed if sent again later
    /// ([`StoreError::Busy`], [`StoreError::Unavailable`]); every other
    /// error needs the data or the request to change first.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Busy { .. } | StoreError::Unavailable { .. }
        )
    }

    /// How long to wait before sending the same request again, for a
    /// `Retry-After` header: one second for [`StoreError::Busy`] (the
    /// writes that held the database take milliseconds each) and
    /// [`StoreError::Unavailable`] (broken connections are replaced on the
    /// next request; a restart takes about a second), `None` for every
    /// other error.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.is_retryable()
            .then_some(std::time::Duration::from_secs(1))
    }
}

/// What to check when the database `path` (a file, or a PostgreSQL URL)
/// cannot be opened.
fn open_hint(path: &str) -> &'static str {
    if path.starts_with("postgres://") || path.starts_with("postgresql://") {
        "check that the PostgreSQL server answers at that address, that the database exists \
         (createdb, see docs/deploy.md) and that the user and password are right"
    } else {
        "check that the data directory exists and is writable"
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn a_database_away_or_saturated_is_worth_retrying_and_nothing_else_is() {
        let refused = || {
            sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "connection refused",
            ))
        };
        let cases = [
            (refused(), "unavailable", true),
            (sqlx::Error::PoolClosed, "unavailable", true),
            (sqlx::Error::PoolTimedOut, "busy", true),
            (sqlx::Error::RowNotFound, "database", false),
            (sqlx::Error::Protocol("odd".into()), "database", false),
        ];
        for (error, kind, retryable) in cases {
            let shown = error.to_string();
            let e = StoreError::from(error);
            let got = match &e {
                StoreError::Unavailable { .. } => "unavailable",
                StoreError::Busy { .. } => "busy",
                StoreError::Database(_) => "database",
                _ => "other",
            };
            assert_eq!((got, e.is_retryable()), (kind, retryable), "{shown}");
            assert_eq!(e.retry_after().is_some(), retryable, "{shown}: Retry-After");
        }
        let away = StoreError::from(refused()).to_string();
        assert!(
            away.contains("cannot be reached") && away.contains("try again"),
            "{away}"
        );
    }

    #[test]
    fn an_unopened_database_gets_the_hint_of_its_kind() {
        let open = |path: &str| {
            StoreError::Open {
                path: path.to_owned(),
                source: sqlx::Error::PoolTimedOut,
            }
            .to_string()
        };
        let postgres = open("postgres://capacity:***@db.example.ml/capacity");
        assert!(postgres.contains("the database exists"), "{postgres}");
        assert!(!postgres.contains("data directory"), "{postgres}");
        let file = open("/var/lib/capacity/capacity.sqlite3");
        assert!(file.contains("data directory exists"), "{file}");
    }
}
