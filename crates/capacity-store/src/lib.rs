//! `capacity-store`: where commune-capacity keeps its data.
//!
//! SQLite by default (one file in the data directory, created and migrated
//! on first open: [`Store::open`]) or PostgreSQL ([`Store::connect`] with a
//! `postgres://` URL), through `sqlx` with runtime queries only. One set of
//! query strings serves both (sqlx's `Any` driver, `$N` placeholders,
//! portable SQL; see `db.rs` for the few things that differ); each
//! database has its own migrations (`migrations/`, `migrations-postgres/`),
//! equal in meaning. The schema's rules:
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
//! ([`backup_database`], [`backup_postgres`], [`Store::backup_to`]) are
//! taken while servers run and are always a SQLite file of the project's
//! schema, restorable on either database ([`restore_database`],
//! [`restore_postgres`]: into a database without data unless forced);
//! [`migrate_database`] copies a whole database into another (SQLite to
//! PostgreSQL and back; `copy.rs`, one table copy for all three). Opening
//! a database refuses a schema newer than this program
//! ([`StoreError::SchemaTooNew`]) on both, and on SQLite backs the
//! database up before pending migrations.
//!
//! Writes never fail because another save holds the database. On SQLite
//! every write transaction runs on the one writer connection and starts
//! with `BEGIN IMMEDIATE` (the write lock is taken before anything is read,
//! so there is no read-to-write upgrade that SQLite's busy handler cannot
//! wait for); on PostgreSQL write transactions run side by side, each
//! serialisable, so that what one checks still holds at its commit. A
//! transaction that meets a busy database (another process, a checkpoint)
//! or a concurrent transaction (serialisation failure, deadlock) is run
//! again a few times before [`StoreError::Busy`] says to try again later.
//! The SQLite file is in WAL mode with `synchronous=FULL`: a write is
//! acknowledged only once it is on disk, so a committed save survives a
//! power cut (PostgreSQL's default `synchronous_commit=on` does the same).
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
//! (`tower-sessions`) live in the same database ([`Store::session_store`]).
//!
//! The store checks structure (the assessment exists, the rater belongs to
//! it, versions), not meaning: level codes and indicator ids are checked
//! against the rubric by the core (`capacity::CompiledRubric`) before a save.
//! This crate must not depend on Leptos, axum or the charts.

mod accounts;
mod assessments;
mod audit;
mod campaigns;
mod copy;
mod db;
mod error;
mod ops;
mod plans;
mod register;
mod results;
mod rows;
mod seed;
mod verification;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AnyPool, Executor};

pub use copy::{DatabaseAt, backup_postgres, migrate_database, restore_postgres};
pub use db::{Backend, SessionStore};
pub use error::StoreError;
pub use ops::{
    BACKUPS_DIR, BackupReport, SchemaCheck, backup_database, known_schema_version, restore_database,
};
pub use register::{MAX_RATERS, RegisterImport};
pub use results::{HeaderWithResult, NewResult};
pub use rows::{
    AccountRow, AssessmentFilter, AssessmentHeader, Audit, AuditEvent, AuditFilter, CampaignRow,
    CommuneFilter, CommuneRow, CouncilActionRow, GrantRow, NewCampaign, NewCouncilAction, NewGrant,
    PlanAdjustmentRow, ROLES, RaterLink, RatingInput, RubricRow, SCOPE_KINDS, StoredAssessment,
    StoredRating, TOKEN_PURPOSES, TerritoryRow, Versions,
};
pub use seed::SeedReport;
pub use verification::{
    LevelInput, NewVerifiedResult, StoredVerification, VerificationRow, VerificationState,
    VerificationStatus, VerifiedAnswer, VerifiedWithResult, VerifierAssignment,
};

pub(crate) use db::{Sql, bit, flag};

/// SQL for "now" in UTC, RFC 3339 with milliseconds
/// (`2026-12-06T09:30:00.000Z`): every time the store writes has this form.
/// SQLite's own function; the PostgreSQL schema defines a `strftime` that
/// gives the same text for the formats the store uses.
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
/// How long a write waits for a writer connection (other saves queue
/// there) before it is answered [`StoreError::Busy`].
const WRITER_WAIT: Duration = Duration::from_secs(10);
/// How long a PostgreSQL statement waits for a lock another session holds
/// (another process, a maintenance task) before the write is answered
/// [`StoreError::Busy`], like SQLite's [`BUSY_TIMEOUT`] (without it, it
/// would wait forever).
pub(crate) const LOCK_TIMEOUT: Duration = Duration::from_secs(2);
/// Writer connections on PostgreSQL (SQLite has one: its writes take one
/// lock anyway).
const PG_WRITERS: u32 = 4;
/// Reader connections.
const READERS: u32 = 8;
/// Session connections on PostgreSQL, as many as readers: every request
/// of a person logged in reads its session first (with 2, 50 raters
/// saving queued there behind 64 readers; SQLite's session reads are
/// in-process and take one).
const PG_SESSIONS: u32 = READERS;
/// How long a PostgreSQL read (or session read) waits for a connection
/// before it is answered [`StoreError::Busy`]: all held by other requests,
/// or the database does not answer (sqlx keeps trying to connect until
/// then, so a restart of a second or so is waited out, not failed). The
/// web app then answers 503 with `Retry-After`, not a page that hangs.
const PG_CONNECTION_WAIT: Duration = Duration::from_secs(3);
/// A PostgreSQL connection idle for at least this long is pinged before
/// it is handed out ([`pg_pool_options`]); one used more recently is not.
const PG_PING_AFTER_IDLE: Duration = Duration::from_millis(500);

/// A handle on the database; cheap to clone (connection pools).
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// Connections for reads (several may read at once: WAL on SQLite).
    pool: AnyPool,
    /// The connections that write. SQLite: one, so that saves queue
    /// there in order instead of competing for its write lock.
    /// PostgreSQL: a few, each write transaction serialisable.
    writer: AnyPool,
    /// The web app's sessions, on a connection of the session crate's own
    /// (it needs the database's own driver).
    sessions: SessionStore,
}

/// The `sqlite://` URL of a file (the `Any` driver takes URLs): its path
/// percent-encoded where a URL would misread it.
fn sqlite_url(file: &Path, params: &str) -> String {
    let mut url = String::from("sqlite://");
    for c in file.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' | '"' | '<' | '>' | '`' | '{' | '}' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    url.push_str(&format!("%{b:02X}"));
                }
            }
            c => url.push(c),
        }
    }
    url.push('?');
    url.push_str(params);
    url
}

/// The pragmas every SQLite connection of the store runs first: a write
/// is acknowledged once it is on disk (`synchronous=FULL` in WAL mode: an
/// acknowledged write survives a power cut, NORMAL may lose the last
/// ones), foreign keys are checked, and a statement waits
/// [`BUSY_TIMEOUT`] for a lock.
fn sqlite_pragmas(wal: bool) -> String {
    let journal = if wal {
        "PRAGMA journal_mode = WAL; "
    } else {
        ""
    };
    format!(
        "{journal}PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
        BUSY_TIMEOUT.as_millis()
    )
}

/// A pool of the `Any` driver on SQLite, each connection set up with
/// [`sqlite_pragmas`].
async fn sqlite_any_pool(
    url: &str,
    connections: u32,
    wal: bool,
    wait: Option<Duration>,
) -> Result<AnyPool, sqlx::Error> {
    let options: AnyConnectOptions = url.parse()?;
    let pragmas: Arc<str> = sqlite_pragmas(wal).into();
    // No ping before each use: a connection to a local file does not go
    // stale, and with sqlx's SQLite driver the ping is a round trip to the
    // connection's thread, as costly as the query it would precede.
    let mut pool = AnyPoolOptions::new()
        .max_connections(connections)
        .test_before_acquire(false);
    if let Some(wait) = wait {
        pool = pool.acquire_timeout(wait);
    }
    if !wal {
        // An in-memory database lives while a connection to it is open.
        pool = pool
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None);
    }
    pool.after_connect(move |conn, _| {
        let pragmas = Arc::clone(&pragmas);
        Box::pin(async move {
            conn.execute(&*pragmas).await?;
            Ok(())
        })
    })
    .connect_with(options)
    .await
}

/// Pool options for PostgreSQL: `connections` at most, and a connection
/// pinged before use only when it has been idle for [`PG_PING_AFTER_IDLE`]
/// (HikariCP's "alive bypass window", 500 ms there too). sqlx pings a
/// connection anyway when it goes back to the pool, so one handed out
/// again soon after was alive a moment ago; under load every connection
/// is, and a ping before each use would add a round trip to every read.
/// A server restarted meanwhile is found by the ping of any connection
/// idle for longer, which is closed and replaced.
fn pg_pool_options<DB: sqlx::Database>(connections: u32) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::<DB>::new()
        .max_connections(connections)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PG_PING_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl Store {
    /// Opens (creating if needed) `capacity.sqlite3` in `data_dir` and
    /// applies pending migrations.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let file = data_dir.join(DATABASE_FILE);
        let open_error = |source| StoreError::Open {
            path: file.display().to_string(),
            source,
        };
        let url = sqlite_url(&file, "mode=rwc");
        // The writer first: it creates the file and switches it to WAL.
        let writer = sqlite_any_pool(&url, 1, true, Some(WRITER_WAIT))
            .await
            .map_err(open_error)?;
        let pool = sqlite_any_pool(&url, READERS, true, None)
            .await
            .map_err(open_error)?;
        let sessions = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&file)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(BUSY_TIMEOUT),
            )
            .await
            .map_err(open_error)?;
        let sessions = SessionStore::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(sessions));
        ops::check_schema(&writer, data_dir).await?;
        Self::migrate(Backend::Sqlite, pool, writer, sessions).await
    }

    /// An empty in-memory SQLite database, for tests and one-off
    /// computations.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        static MEMORY: AtomicU64 = AtomicU64::new(0);
        sqlx::any::install_default_drivers();
        // A named in-memory database shared by this store's connections
        // (the session store's included), and by nothing else.
        let name = format!(
            "capacity-memory-{}-{}",
            std::process::id(),
            MEMORY.fetch_add(1, Ordering::Relaxed)
        );
        let url = format!("sqlite:file:{name}?mode=memory&cache=shared");
        let open_error = |source| StoreError::Open {
            path: ":memory:".to_owned(),
            source,
        };
        // One connection reads and writes: shared-cache connections lock
        // whole tables, which would turn readers into writers' obstacles.
        let pool = sqlite_any_pool(&url, 1, false, Some(WRITER_WAIT))
            .await
            .map_err(open_error)?;
        let sessions = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(url.parse::<SqliteConnectOptions>().map_err(open_error)?)
            .await
            .map_err(open_error)?;
        let sessions = SessionStore::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(sessions));
        Self::migrate(Backend::Sqlite, pool.clone(), pool, sessions).await
    }

    /// Opens the database a URL names and applies pending migrations:
    /// `postgres://user@host:port/database` (or `postgresql://`) for
    /// PostgreSQL (the database must exist), `sqlite:///path/to/file` for
    /// an SQLite file (created if missing), `sqlite::memory:` for an empty
    /// in-memory one.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let open_error = |source| StoreError::Open {
            path: redacted(url),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options: AnyConnectOptions = url.parse().map_err(open_error)?;
            let writer = pg_pool_options::<sqlx::Any>(PG_WRITERS)
                .acquire_timeout(WRITER_WAIT)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(
                            format!("SET lock_timeout = {}", LOCK_TIMEOUT.as_millis()).as_str(),
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options.clone())
                .await
                .map_err(open_error)?;
            let pool = pg_pool_options::<sqlx::Any>(READERS)
                .acquire_timeout(PG_CONNECTION_WAIT)
                .connect_with(options)
                .await
                .map_err(open_error)?;
            let sessions = pg_pool_options::<sqlx::Postgres>(PG_SESSIONS)
                .acquire_timeout(PG_CONNECTION_WAIT)
                .connect(url)
                .await
                .map_err(open_error)?;
            let sessions =
                SessionStore::Postgres(tower_sessions_sqlx_store::PostgresStore::new(sessions));
            ops::check_schema_postgres(&writer, &redacted(url)).await?;
            return Self::migrate(Backend::Postgres, pool, writer, sessions).await;
        }
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Self::open_in_memory().await;
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            let file = Path::new(path);
            if file.file_name().is_some_and(|f| f == DATABASE_FILE)
                && let Some(dir) = file.parent()
            {
                return Self::open(dir).await;
            }
            return Err(StoreError::Invalid(format!(
                "the SQLite database must be a file named {DATABASE_FILE} (in the data directory), not {path}: give the data directory instead"
            )));
        }
        Err(StoreError::Invalid(format!(
            "unknown database URL {}: use postgres://user@host:port/database, or leave it out to use {DATABASE_FILE} in the data directory",
            redacted(url)
        )))
    }

    async fn migrate(
        backend: Backend,
        pool: AnyPool,
        writer: AnyPool,
        sessions: SessionStore,
    ) -> Result<Store, StoreError> {
        ops::migrator(backend)
            .run(&writer)
            .await
            .map_err(StoreError::Migrate)?;
        // The session table belongs to the session store's crate, which
        // creates it (`CREATE TABLE IF NOT EXISTS`).
        sessions.migrate().await?;
        let store = Store {
            backend,
            pool,
            writer,
            sessions,
        };
        // Rows written before campaigns existed join the campaign of their
        // round (nothing to do, and no transaction, once they all have one).
        store.attach_to_campaigns(&Audit::system("migrate")).await?;
        Ok(store)
    }

    /// Which database this store is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A read of several queries that must see one state of the data
    /// (see [`Backend::read_begin`]); dropped without commit, it is
    /// rolled back (nothing to undo).
    pub(crate) async fn read_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(self.pool.begin_with(self.backend.read_begin()).await?)
    }

    /// How the database keeps what is written, as it reports it on a
    /// connection that writes. SQLite: `("wal", "full")` for a file opened
    /// with [`Store::open`] (every acknowledged write is on disk).
    /// PostgreSQL: `("wal", synchronous_commit)`, `"on"` by default.
    pub async fn durability(&self) -> Result<(String, String), StoreError> {
        let mut conn = self.writer.acquire().await?;
        if self.backend == Backend::Postgres {
            let commit: String = sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(&mut *conn)
                .await?;
            return Ok(("wal".to_owned(), commit));
        }
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
            sqlx::query_scalar("SELECT revision FROM assessment WHERE id = $1")
                .bind(assessment)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The web app's session store (`tower_sessions::SessionStore`), in
    /// this database (SQLite: table `tower_sessions`; PostgreSQL: table
    /// `tower_sessions.session`; created on open). On SQLite it has one
    /// connection of its own: each session write is a single statement
    /// that waits for the write lock like any other. Session writes are
    /// not audited and do not move [`Store::generation`].
    pub fn session_store(&self) -> SessionStore {
        self.sessions.clone()
    }

    /// Closes every connection (pending writes are flushed).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// What to do after one attempt of a write transaction: `Some` is the
    /// answer, `None` means run the transaction again (after a pause). A
    /// busy database or a conflict with a concurrent transaction
    /// ([`db::is_conflict`]) is tried [`Backend::write_attempts`] times,
    /// then answered [`StoreError::Busy`]; a write that found no turn on
    /// a writer connection within [`WRITER_WAIT`] is answered `Busy` at
    /// once.
    async fn after_attempt<T>(
        &self,
        outcome: Result<T, StoreError>,
        attempt: u32,
    ) -> Option<Result<T, StoreError>> {
        match outcome {
            Err(e) if db::is_lock_timeout(&e) => Some(Err(StoreError::Busy {
                attempts: attempt,
                detail: e.to_string(),
            })),
            Err(e) if db::is_conflict(&e) => {
                if attempt >= self.backend.write_attempts() {
                    return Some(Err(StoreError::Busy {
                        attempts: attempt,
                        detail: e.to_string(),
                    }));
                }
                tracing::debug!(attempt, error = %e, "write transaction retried");
                tokio::time::sleep(backoff(attempt)).await;
                None
            }
            other => Some(other),
        }
    }
}

/// The error of a write that got no writer connection: [`StoreError::Busy`]
/// when none came within [`WRITER_WAIT`] (other saves held them, or the
/// database did not answer), else as [`From`] sorts it.
pub(crate) fn no_turn_to_write(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut => StoreError::Busy {
            attempts: 1,
            detail: format!("no turn to write within {} s", WRITER_WAIT.as_secs()),
        },
        e => e.into(),
    }
}

/// The pause before attempt `attempt + 1`: growing, capped at about
/// 400 ms, with a jitter so that transactions that collided do not
/// collide again in step.
fn backoff(attempt: u32) -> Duration {
    let base = 25u64 << attempt.min(4);
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
    ) % base;
    Duration::from_millis(base + jitter)
}

/// A database URL without its password, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Runs a block as one write transaction of a [`Store`] and evaluates to
/// its `Result`: `write_tx!(store, |tx| { … Ok(value) })`, where `tx` is the
/// `&mut AnyConnection` of the transaction. The transaction runs on a
/// writer connection and starts as [`Backend::write_begin`] says (SQLite:
/// `BEGIN IMMEDIATE`, the write lock first, so nothing read inside can go
/// stale before the write; PostgreSQL: serialisable); it is committed
/// when the block gives `Ok`, rolled back on `Err` (`?` and `return
/// Err(…)` leave the block, not the method). A transaction that meets a
/// busy database or a concurrent transaction is run again from the start
/// ([`Store::after_attempt`]), so the block must only act through `tx`.
/// The store's generation ([`Store::generation`], a row of the database)
/// moves with every write of data, so every server on the database sees it
/// move with the data: on SQLite in the transaction, just before it
/// commits; on PostgreSQL, whose write transactions run side by side and
/// serialisable (all of them updating one row would conflict), right
/// after the commit, in a statement of its own on the same connection — a
/// reader that sees the new number then sees the new data. `write_tx!(@derived store, |tx|
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
                let mut conn = store.writer.acquire().await.map_err($crate::no_turn_to_write)?;
                let mut transaction =
                    ::sqlx::Connection::begin_with(&mut *conn, store.backend.write_begin()).await?;
                let value: Result<_, $crate::StoreError> = async {
                    let $tx: &mut ::sqlx::AnyConnection = &mut transaction;
                    $body
                }
                .await;
                let value = value?;
                let in_transaction = store.backend == $crate::Backend::Sqlite;
                if $data && in_transaction {
                    $crate::ops::bump_generation(&mut transaction).await?;
                }
                transaction.commit().await?;
                if $data && !in_transaction {
                    $crate::ops::bump_generation_after(&mut conn).await;
                }
                Ok(value)
            }
            .await;
            match store.after_attempt(outcome, attempt).await {
                Some(answer) => break answer,
                None => attempt += 1,
            }
        }
    }};
}
pub(crate) use write_tx;
