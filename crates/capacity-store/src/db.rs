//! The two databases behind one store: which one a handle is on, what
//! differs between them (how a transaction starts, which errors mean
//! "run it again"), a query builder that numbers its placeholders the way
//! both accept, and the web app's session store over either.
//!
//! Queries go through sqlx's `Any` driver with one set of SQL strings:
//! placeholders `$1`, `$2`… (PostgreSQL's, and SQLite binds `$NNN` by its
//! number too), portable SQL (`ON CONFLICT`, `RETURNING`, `COALESCE`),
//! integers read as `i64`, flags stored as integers 0/1 and read with
//! [`flag`]. What the databases do differently lives here and in the
//! migration sets (`migrations/`, `migrations-postgres/`), nowhere else.

use std::fmt::Display;

use async_trait::async_trait;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments, Encode, Row, Type};
use tower_sessions_core::session::{Id, Record};
use tower_sessions_core::session_store;

use crate::StoreError;

/// Which database a [`crate::Store`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// One SQLite file in the data directory (or memory, for tests).
    Sqlite,
    /// A PostgreSQL database named by a `postgres://` URL.
    Postgres,
}

impl Backend {
    /// Its name, for logs and messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// How a write transaction starts. SQLite: `BEGIN IMMEDIATE`, the
    /// write lock before the first read (writes are one at a time).
    /// PostgreSQL: serialisable isolation, so that a check made inside
    /// the transaction (a version, a lock, a scope) still holds at the
    /// commit; a transaction that met a concurrent one fails with a
    /// serialisation failure and is run again ([`is_conflict`]).
    pub(crate) fn write_begin(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE",
        }
    }

    /// How a read of several queries starts: one snapshot for all of them
    /// (SQLite's deferred transaction under WAL takes one at its first
    /// read; PostgreSQL needs repeatable read, its default statement-level
    /// snapshots would not do).
    pub(crate) fn read_begin(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        }
    }

    /// How many times a write transaction that met a busy database or a
    /// concurrent transaction is run before [`StoreError::Busy`].
    /// SQLite's writes are queued on one connection, so only another
    /// process can make it busy; PostgreSQL's run side by side and a hot
    /// row (an assessment's revision) makes them collide more often.
    pub(crate) fn write_attempts(self) -> u32 {
        match self {
            Backend::Sqlite => 4,
            Backend::Postgres => 10,
        }
    }
}

/// True when a statement gave up waiting for a lock another session of
/// PostgreSQL holds (`lock_not_available`, 55P03, after
/// [`crate::LOCK_TIMEOUT`]): the database is busy, and running the
/// transaction again at once would wait as long again.
pub(crate) fn is_lock_timeout(error: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .is_some_and(|pg| pg.code() == "55P03")
}

/// True when `error` says the database cannot be reached now, not that
/// the request is wrong: the connection's socket failed or the pool is
/// closed; PostgreSQL's class 08 (connection exception), 57P01–57P03
/// (shutting down, crashed, not accepting connections yet) and 53300
/// (too many connections).
pub(crate) fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
            .is_some_and(|pg| {
                let code = pg.code();
                code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
            }),
        _ => false,
    }
}

/// True when a failed transaction may succeed if run again from the
/// start, nothing having been written: SQLite's busy and locked result
/// codes (5 and 6, with every extended code built on them, e.g. 517
/// `SQLITE_BUSY_SNAPSHOT`); PostgreSQL's `serialization_failure` (40001)
/// and `deadlock_detected` (40P01).
pub(crate) fn is_conflict(error: &StoreError) -> bool {
    let StoreError::Database(sqlx::Error::Database(db)) = error else {
        return false;
    };
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        return matches!(pg.code(), "40001" | "40P01");
    }
    if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| matches!(code & 0xff, 5 | 6));
    }
    false
}

/// A flag column or expression as a `bool`: stored flags are integers
/// 0/1 on both databases, but a comparison or `EXISTS` is an integer in
/// SQLite and a boolean in PostgreSQL.
pub(crate) fn flag(row: &AnyRow, column: &str) -> Result<bool, StoreError> {
    match row.try_get::<i64, _>(column) {
        Ok(n) => Ok(n != 0),
        Err(integer) => row.try_get::<bool, _>(column).map_err(|_| integer.into()),
    }
}

/// A flag to bind: flags are integer columns on both databases.
pub(crate) fn bit(value: bool) -> i64 {
    i64::from(value)
}

/// A query assembled from pieces (filters), its values bound as it grows:
/// `push` appends SQL, `push_bind` appends the next placeholder (`$1`,
/// `$2`…) and binds the value to it. (sqlx's own `QueryBuilder` writes
/// `?` for the `Any` driver, which PostgreSQL does not take.)
pub(crate) struct Sql {
    text: String,
    args: AnyArguments<'static>,
    count: usize,
    error: Option<sqlx::error::BoxDynError>,
}

impl Sql {
    /// A query starting with `text`.
    pub(crate) fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            args: AnyArguments::default(),
            count: 0,
            error: None,
        }
    }

    /// Appends SQL text.
    pub(crate) fn push(&mut self, text: impl Display) -> &mut Sql {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{text}");
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Sql
    where
        T: 'static + Encode<'static, Any> + Type<Any> + Send,
    {
        self.count += 1;
        let count = self.count;
        self.push(format_args!("${count}"));
        if let Err(e) = self.args.add(value)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        self
    }

    /// The query, ready to run (its values move into it).
    pub(crate) fn build(
        &mut self,
    ) -> Result<sqlx::query::Query<'_, Any, AnyArguments<'_>>, StoreError> {
        if let Some(e) = self.error.take() {
            return Err(StoreError::Database(sqlx::Error::Encode(e)));
        }
        let args: AnyArguments<'_> = std::mem::take(&mut self.args);
        Ok(sqlx::query_with(&self.text, args))
    }
}

/// The session store of the web app (`tower-sessions` 0.14), kept in the
/// store's database: see [`crate::Store::session_store`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SessionStore {
    /// Table `tower_sessions` of the SQLite file.
    Sqlite(tower_sessions_sqlx_store::SqliteStore),
    /// Table `tower_sessions.session` of the PostgreSQL database.
    Postgres(tower_sessions_sqlx_store::PostgresStore),
}

impl SessionStore {
    /// Creates its table if missing (the session crate owns it).
    pub(crate) async fn migrate(&self) -> Result<(), sqlx::Error> {
        match self {
            SessionStore::Sqlite(s) => s.migrate().await,
            SessionStore::Postgres(s) => s.migrate().await,
        }
    }
}

#[async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(s) => s.create(record).await,
            SessionStore::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(s) => s.save(record).await,
            SessionStore::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionStore::Sqlite(s) => s.load(session_id).await,
            SessionStore::Postgres(s) => s.load(session_id).await,
        }
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(s) => s.delete(session_id).await,
            SessionStore::Postgres(s) => s.delete(session_id).await,
        }
    }
}
