//! `capacity-store`: where commune-capacity keeps its data.
//!
//! SQLite by default (one file in the data directory, created and migrated
//! on first open), through `sqlx` with runtime queries only, so that a
//! PostgreSQL backend can follow with its own migration set and no query
//! cache. The schema is in `migrations/`; its rules:
//! - decimals are stored as TEXT (exact), lists as JSON arrays in TEXT;
//! - every row a person edits (rating, consensus answer, assessment, plan
//!   adjustment) carries a `version`. A save names the version it read; a
//!   stale save is refused with [`StoreError::Stale`], which carries the
//!   newer data, and nothing is overwritten silently;
//! - a finalised assessment is locked: every save to it is refused; it is
//!   unlocked only with a reason ([`Store::unlock`]), and is then marked
//!   `reopened` until finalised again; finalised below the required
//!   completeness, it carries the facilitator's reason
//!   ([`Store::finalise_provisional`], [`AssessmentHeader::provisional_reason`]);
//! - clearing a rating keeps its row as a *tombstone* (flag `cleared`,
//!   version bumped), so that a save against the version before the clear
//!   is still recognised as stale; loading skips tombstones;
//! - every write touching an assessment bumps its `revision` in the same
//!   transaction ([`AssessmentHeader::revision`]), so that caches of one
//!   assessment survive writes to the others;
//! - scored results are kept beside the data (`assessment_result`), keyed
//!   by that revision and the rubric version: a derived table the app
//!   fills and reads in one query ([`Store::assessments_with_results`]);
//!   keeping one is not a write of data and does not move
//!   [`Store::generation`];
//! - a finalised self-assessment may be verified independently
//!   (`verification.rs`): a verifier assigned per campaign and commune
//!   confirms or changes each indicator's level (a change needs a reason),
//!   then completes the verification, which locks it until an
//!   administrator reopens it with a reason. The self-assessment's rows
//!   are never changed by it; its revision moves with every verification
//!   write, and verified results are kept like the others
//!   (`verified_result`).
//!
//! Several servers may share one database (`ops.rs`): nothing that
//! correctness depends on stays in one process. [`Store::generation`] is
//! a row moved by every write transaction of data, flash values
//! ([`Store::keep_flash`]) and sessions are rows too. Backups
//! ([`backup_database`], [`Store::backup_to`]) are taken while servers
//! run, restores ([`restore_database`]) go into an empty data directory
//! only, and opening a database backs it up before pending migrations and
//! refuses a schema newer than this program ([`StoreError::SchemaTooNew`]).
//!
//! Writes never fail because another save holds the database: every write
//! transaction runs on the one writer connection and starts with
//! `BEGIN IMMEDIATE` (the write lock is taken before anything is read, so
//! there is no read-to-write upgrade that SQLite's busy handler cannot
//! wait for), and a transaction that still meets a busy or locked database
//! (another process, a checkpoint) is retried a few times before
//! [`StoreError::Busy`] says to try again later. The file is in WAL mode
//! with `synchronous=FULL`: a write is acknowledged only once it is on disk,
//! so a committed save survives a power cut.
//!
//! Every write is audited: it takes an [`Audit`] (who acts, for which
//! request, from where) and appends its events to the audit trail — what
//! happened to which object, with the value before and after as JSON — in
//! its own transaction, so an event exists exactly when its write was
//! committed (a refused write, stale, locked or invalid, leaves none).
//! Nothing updates or deletes an event: the trail is append-only, and
//! triggers of the schema enforce it. [`Store::audit_events`] reads it.
//! Session writes are the one exception (they are not audited).
//!
//! Accounts (logins, display names, grants of a role over a scope,
//! password hashes and single-use password links, stored by the hash of
//! their token) and settings are kept here too; the web app's sessions
//! (`tower-sessions`) live in the same database, on the writer connection
//! ([`Store::session_store`]).
//!
//! The store checks structure (the assessment exists, the rater belongs to
//! it, versions), not meaning: level codes and indicator ids are checked
//! against the rubric by the core (`capacity::CompiledRubric`) before a save.
//! This crate must not depend on Leptos, axum or the charts.

mod accounts;
mod assessments;
mod audit;
mod campaigns;
mod error;
mod ops;
mod plans;
mod register;
mod results;
mod rows;
mod seed;
mod verification;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use error::StoreError;
pub use ops::{
    BACKUPS_DIR, BackupReport, SchemaCheck, backup_database, known_schema_version, restore_database,
};
pub use register::{MAX_RATERS, RegisterImport};
pub use results::{HeaderWithResult, NewResult};
pub use rows::{
    AccountRow, AssessmentFilter, AssessmentHeader, Audit, AuditEvent, AuditFilter, CampaignRow,
    CommuneFilter, CommuneRow, CouncilActionRow, GrantRow, NewCampaign, NewCouncilAction, NewGrant,
    PlanAdjustmentRow, ROLES, RatingInput, RubricRow, SCOPE_KINDS, StoredAssessment, StoredRating,
    TOKEN_PURPOSES, TerritoryRow, Versions,
};
pub use seed::SeedReport;
/// The session store of the web app (`tower-sessions` 0.14), kept in the
/// same database: see [`Store::session_store`].
pub use tower_sessions_sqlx_store::SqliteStore as SessionStore;
pub use verification::{
    LevelInput, NewVerifiedResult, StoredVerification, VerificationRow, VerificationState,
    VerificationStatus, VerifiedAnswer, VerifiedWithResult, VerifierAssignment,
};

/// SQL for "now" in UTC, RFC 3339 with milliseconds
/// (`2026-12-06T09:30:00.000Z`): every time the store writes has this form.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Plain data (strings, numbers, enums, JSON values) as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain data to JSON cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Reads back a stored JSON column.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Corrupt {
        what: what.to_owned(),
        source,
    })
}

/// `reason` trimmed, or [`StoreError::Invalid`] with `refusal` when it is
/// empty (unlocking, reopening and provisional rounds need one).
pub(crate) fn required_reason<'a>(reason: &'a str, refusal: &str) -> Result<&'a str, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid(refusal.to_owned()));
    }
    Ok(reason)
}

/// The error for a missing object.
pub(crate) fn not_found(what: impl Into<String>) -> StoreError {
    StoreError::NotFound { what: what.into() }
}

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "capacity.sqlite3";

/// How long SQLite's busy handler waits for a lock before a statement
/// gives up (then the whole transaction may be retried).
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a write waits for the writer connection (other saves queue
/// there, one at a time) before it is answered [`StoreError::Busy`].
const WRITER_WAIT: Duration = Duration::from_secs(10);
/// Attempts of one write transaction that meets a busy or locked database.
const WRITE_ATTEMPTS: u32 = 4;

/// A handle on the database; cheap to clone (connection pools).
#[derive(Debug, Clone)]
pub struct Store {
    /// Connections for reads (several may read at once under WAL).
    pool: SqlitePool,
    /// The one connection that writes: saves queue here in order instead
    /// of competing for SQLite's write lock.
    writer: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) `capacity.sqlite3` in `data_dir` and
    /// applies pending migrations, after backing the database up into
    /// `data_dir/backups/` when it has data; a database of a newer schema
    /// than this program knows is refused ([`StoreError::SchemaTooNew`])
    /// and left as it is.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let file = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: the WAL is synced at every commit, so an acknowledged
            // write survives a power cut (NORMAL may lose the last ones).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let open_error = |source| StoreError::Open {
            path: file.display().to_string(),
            source,
        };
        // The writer first: it creates the file and switches it to WAL.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITER_WAIT)
            .connect_with(options.clone())
            .await
            .map_err(open_error)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        ops::check_schema(&writer, data_dir).await?;
        Self::migrate(pool, writer).await
    }

    /// An empty in-memory database, for tests and one-off computations.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(StoreError::Database)?
            .foreign_keys(true);
        // One connection: each in-memory connection is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: ":memory:".to_owned(),
                source,
            })?;
        Self::migrate(pool.clone(), pool).await
    }

    async fn migrate(pool: SqlitePool, writer: SqlitePool) -> Result<Store, StoreError> {
        ops::MIGRATOR
            .run(&writer)
            .await
            .map_err(StoreError::Migrate)?;
        // The session table belongs to the session store's crate, which
        // creates it (`CREATE TABLE IF NOT EXISTS tower_sessions`).
        SessionStore::new(writer.clone()).migrate().await?;
        let store = Store { pool, writer };
        // Rows written before campaigns existed join the campaign of their
        // round (nothing to do, and no transaction, once they all have one).
        store.attach_to_campaigns(&Audit::system("migrate")).await?;
        Ok(store)
    }

    /// How the database file keeps what is written, as SQLite reports it
    /// on the connection that writes: `("wal", "full")` for a file opened
    /// with [`Store::open`] (every acknowledged write is on disk).
    pub async fn durability(&self) -> Result<(String, String), StoreError> {
        let mut conn = self.writer.acquire().await?;
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let synchronous = match synchronous {
            0 => "off",
            1 => "normal",
            2 => "full",
            3 => "extra",
            _ => "unknown",
        };
        Ok((journal.to_lowercase(), synchronous.to_owned()))
    }

    /// The revision of one assessment ([`AssessmentHeader::revision`]), a
    /// single cheap query: a cache of that assessment is current while it
    /// is unchanged. `None` when there is no such assessment.
    pub async fn revision(&self, assessment: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT revision FROM assessment WHERE id = ?")
                .bind(assessment)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The web app's session store (`tower_sessions::SessionStore`), in
    /// this database (table `tower_sessions`, created on open). It runs on
    /// the store's one writer connection: session writes queue with the
    /// other saves instead of competing for SQLite's write lock (its reads
    /// queue there too, each a single indexed row). Session writes are not
    /// audited and do not move [`Store::generation`]. Every server on the
    /// database sees every session, so a login on one is valid on all.
    pub fn session_store(&self) -> SessionStore {
        SessionStore::new(self.writer.clone())
    }

    /// Closes every connection (pending writes are flushed).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// What to do after one attempt of a write transaction: `Some` is the
    /// answer, `None` means run the transaction again (after a pause). A
    /// busy or locked database is tried [`WRITE_ATTEMPTS`] times, then
    /// answered [`StoreError::Busy`]; a write that found no turn on the
    /// writer connection within [`WRITER_WAIT`] is answered `Busy` at once.
    async fn after_attempt<T>(
        outcome: Result<T, StoreError>,
        attempt: u32,
    ) -> Option<Result<T, StoreError>> {
        match outcome {
            Err(StoreError::Database(sqlx::Error::PoolTimedOut)) => Some(Err(StoreError::Busy {
                attempts: attempt,
                detail: format!("no turn to write within {} s", WRITER_WAIT.as_secs()),
            })),
            Err(e) if is_busy(&e) => {
                if attempt >= WRITE_ATTEMPTS {
                    return Some(Err(StoreError::Busy {
                        attempts: attempt,
                        detail: e.to_string(),
                    }));
                }
                tracing::debug!(attempt, error = %e, "write transaction retried");
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
                None
            }
            other => Some(other),
        }
    }
}

/// Runs a block as one write transaction of a [`Store`] and evaluates to
/// its `Result`: `write_tx!(store, |tx| { … Ok(value) })`, where `tx` is the
/// `&mut SqliteConnection` of the transaction. The transaction runs on the
/// one writer connection and starts with `BEGIN IMMEDIATE` (the write lock
/// first, so nothing read inside can go stale before the write); it is
/// committed when the block gives `Ok`, rolled back on `Err` (`?` and
/// `return Err(…)` leave the block, not the method). A transaction that
/// meets a busy or locked database is run again from the start
/// ([`Store::after_attempt`]), so the block must only act through `tx`.
/// The store's generation ([`Store::generation`], a row of the database)
/// moves in the transaction, just before it commits, so every server on
/// the database sees it move with the data. `write_tx!(@derived store, |tx|
/// { … })` runs the same transaction without moving it, for rows that are
/// not data (flash values).
/// (A macro rather than a method taking an async closure: the futures of
/// async closures that borrow their arguments are not provably `Send`
/// with today's compiler, and the web server needs `Send` futures.)
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:block) => {
        $crate::write_tx!(@run $store, true, |$tx| $body)
    };
    (@derived $store:expr, |$tx:ident| $body:block) => {
        $crate::write_tx!(@run $store, false, |$tx| $body)
    };
    (@run $store:expr, $data:expr, |$tx:ident| $body:block) => {{
        let store: &$crate::Store = $store;
        let mut attempt: u32 = 1;
        loop {
            let outcome: Result<_, $crate::StoreError> = async {
                let mut transaction = store.writer.begin_with("BEGIN IMMEDIATE").await?;
                let value: Result<_, $crate::StoreError> = async {
                    let $tx: &mut ::sqlx::SqliteConnection = &mut transaction;
                    $body
                }
                .await;
                let value = value?;
                if $data {
                    $crate::ops::bump_generation(&mut transaction).await?;
                }
                transaction.commit().await?;
                Ok(value)
            }
            .await;
            match $crate::Store::after_attempt(outcome, attempt).await {
                Some(answer) => break answer,
                None => attempt += 1,
            }
        }
    }};
}
pub(crate) use write_tx;

/// True for SQLite's busy and locked result codes (5 and 6, with every
/// extended code built on them, e.g. 517 `SQLITE_BUSY_SNAPSHOT`).
fn is_busy(error: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    db.code()
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}
