//! Operating the database: what lets several servers share one database
//! (the write counter, flash values), readiness, backups and restores,
//! and the schema checks made when a database is opened.
//!
//! Several servers, one database. Nothing that correctness depends on may
//! stay in one process, so:
//! - the *generation* ([`Store::generation`]) is a row of the database
//!   (`store_state`), moved by every write transaction of data just
//!   before it commits: a cache keyed on it is current on every server as
//!   soon as the write is visible there;
//! - *flash values* (what a plain form post hands to the page its redirect
//!   opens) are rows of `flash_value` under an unguessable token, with a
//!   kind, a JSON value and an expiry ([`Store::keep_flash`]).
//!
//! Backups of SQLite ([`backup_database`], [`Store::backup_to`]) are its
//! `VACUUM INTO`: one consistent copy of the whole file, written while the
//! servers keep reading and writing (a read transaction in WAL mode).
//! A restore ([`restore_database`]) copies a backup into a data directory
//! with no data (or replaces one, when forced), checking first that the
//! copy is a commune-capacity database of a schema this program knows.
//! Every backup is such a SQLite file: PostgreSQL's are written by the
//! table copy of `copy.rs` ([`crate::backup_postgres`], and
//! [`Store::backup_to`] on PostgreSQL), which also restores a file into
//! PostgreSQL ([`crate::restore_postgres`]).
//!
//! At open ([`check_schema`] on SQLite, [`check_schema_postgres`]), a
//! database whose schema is newer than this program's migrations is
//! refused with [`StoreError::SchemaTooNew`] before anything is changed,
//! and a SQLite database with migrations pending is backed up into
//! `backups/` of the data directory before they run.
//!
//! Writes here use `$1, $2…` placeholders and portable SQL.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, Connection, SqliteConnection};
use time::OffsetDateTime;

use crate::{Backend, DATABASE_FILE, DatabaseAt, Store, StoreError};

/// The connection and pool types of the store's SQLite backend (one place
/// to change when the store's connections change).
type Conn = AnyConnection;
type Pool = AnyPool;

/// The SQLite migrations this program knows, embedded at build time.
pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations");
/// The PostgreSQL ones.
static MIGRATOR_POSTGRES: Migrator = sqlx::migrate!("./migrations-postgres");

/// The migrations of a backend.
pub(crate) fn migrator(backend: Backend) -> &'static Migrator {
    match backend {
        Backend::Sqlite => &MIGRATOR,
        Backend::Postgres => &MIGRATOR_POSTGRES,
    }
}

/// Directory of the data directory where the backups taken before a
/// migration are written.
pub const BACKUPS_DIR: &str = "backups";

/// The newest schema version (migration number) this program knows on
/// SQLite (the numbers of the PostgreSQL set are its own).
pub fn known_schema_version() -> i64 {
    known_version(Backend::Sqlite)
}

/// The newest migration of a backend's set.
pub(crate) fn known_version(backend: Backend) -> i64 {
    migrator(backend)
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// Adds one to the generation; every write transaction of data runs it
/// last, just before its commit (see `write_tx!`), so the row lock it
/// takes is held for the commit only.
pub(crate) async fn bump_generation(tx: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("UPDATE store_state SET generation = generation + 1 WHERE id = 1")
        .execute(tx)
        .await?;
    Ok(())
}

/// Adds one to the generation after a commit, in a statement of its own
/// on the connection that committed (PostgreSQL: see `write_tx!`). A
/// failure is logged: the data are committed; caches then keep what they
/// hold until the next write.
pub(crate) async fn bump_generation_after(conn: &mut Conn) {
    if let Err(e) = sqlx::query("UPDATE store_state SET generation = generation + 1 WHERE id = 1")
        .execute(conn)
        .await
    {
        tracing::error!(error = %e, "the generation did not move after a write");
    }
}

/// Now, in UTC.
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A UTC time as RFC 3339 text with nanoseconds, always of the same width
/// (`2026-12-06T09:30:00.123456789Z`), the form of the flash values'
/// times: compared as text, they order as the times do, even when written
/// within one millisecond.
fn text(t: OffsetDateTime) -> String {
    crate::audit::utc_text(t, 9)
}

/// What a backup wrote or a restore put in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The database written: the backup file, the restored SQLite file, or
    /// the PostgreSQL database restored into.
    pub database: DatabaseAt,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its schema version (newest migration applied, numbered as its
    /// database's migration set).
    pub schema_version: i64,
    /// Assessments it holds.
    pub assessments: i64,
    /// Accounts it holds.
    pub accounts: i64,
    /// Events of its audit trail.
    pub audit_events: i64,
}

impl BackupReport {
    /// The SQLite file written (`None` for a PostgreSQL database).
    pub fn file(&self) -> Option<&Path> {
        match &self.database {
            DatabaseAt::Sqlite(file) => Some(file),
            DatabaseAt::Postgres(_) => None,
        }
    }
}

impl Store {
    /// The store's generation: a number every write transaction of data
    /// (through any server on this database) moves when it commits. What
    /// was read at one generation is still true until it changes, so
    /// caches of things spanning assessments key on it. One read of one
    /// row by its key. Keeping derived rows (results), flash values and
    /// sessions do not move it.
    pub async fn generation(&self) -> Result<u64, StoreError> {
        let g: i64 = sqlx::query_scalar("SELECT generation FROM store_state WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(g).unwrap_or(0))
    }

    /// Answers `Ok` when the database answers a query of its own schema
    /// (the readiness check of the web app).
    pub async fn ready(&self) -> Result<(), StoreError> {
        self.generation().await.map(|_| ())
    }

    /// Keeps a flash value: `value` (JSON text) of `kind` under `token`
    /// for `ttl`. Expired values of every kind are deleted, and past
    /// `at_most` values of this kind the oldest go. Not audited, not a
    /// write of data: the generation does not move.
    pub async fn keep_flash(
        &self,
        token: &str,
        kind: &str,
        value: &str,
        ttl: Duration,
        at_most: i64,
    ) -> Result<(), StoreError> {
        let now = now();
        let expires = now + ttl;
        let (now, expires) = (text(now), text(expires));
        crate::write_tx!(@derived self, |tx| {
            sqlx::query("DELETE FROM flash_value WHERE expires_at <= $1")
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO flash_value (token, kind, value, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token)
            .bind(kind)
            .bind(value)
            .bind(&now)
            .bind(&expires)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM flash_value WHERE kind = $1 AND token NOT IN \
                 (SELECT token FROM flash_value WHERE kind = $1 \
                  ORDER BY created_at DESC, token LIMIT $2)",
            )
            .bind(kind)
            .bind(at_most)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    /// The flash value of `kind` under `token`, unless it expired; it
    /// stays for other reads until then (a page may read it twice).
    pub async fn flash(&self, token: &str, kind: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT value FROM flash_value WHERE token = $1 AND kind = $2 AND expires_at > $3",
        )
        .bind(token)
        .bind(kind)
        .bind(text(now()))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The flash value of `kind` under `token`, deleted as it is read:
    /// single use (a set-password link is shown once).
    pub async fn take_flash(&self, token: &str, kind: &str) -> Result<Option<String>, StoreError> {
        let now = text(now());
        crate::write_tx!(@derived self, |tx| {
            Ok(sqlx::query_scalar(
                "DELETE FROM flash_value WHERE token = $1 AND kind = $2 AND expires_at > $3 \
                 RETURNING value",
            )
            .bind(token)
            .bind(kind)
            .bind(&now)
            .fetch_optional(&mut *tx)
            .await?)
        })
    }

    /// Writes a consistent copy of the whole database to `to`, a new SQLite
    /// file, while the servers keep working ([`backup_database`] on SQLite,
    /// [`crate::backup_postgres`]'s table copy on PostgreSQL).
    pub async fn backup_to(&self, to: &Path) -> Result<BackupReport, StoreError> {
        if self.backend == Backend::Postgres {
            let mut conn = self.pool.acquire().await?;
            return crate::copy::copy_into_new_file(&mut conn, Backend::Postgres, to).await;
        }
        vacuum_into(&self.pool, to).await?;
        report_of(to).await
    }
}

/// Backs up the database of `data_dir` to `to` (a new file; its directory
/// must exist) without opening it for writing or migrating it: SQLite's
/// `VACUUM INTO`, a consistent copy taken in one read transaction while
/// servers keep reading and writing.
pub async fn backup_database(data_dir: &Path, to: &Path) -> Result<BackupReport, StoreError> {
    let file = data_dir.join(DATABASE_FILE);
    if !file.is_file() {
        return Err(StoreError::Backup {
            action: "cannot back up",
            path: file.display().to_string(),
            detail: "there is no database there (check --data-dir or CAPACITY_DATA_DIR)".to_owned(),
        });
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&crate::sqlite_url(&file, "mode=ro"))
        .await
        .map_err(|source| StoreError::Open {
            path: file.display().to_string(),
            source,
        })?;
    let outcome = vacuum_into(&pool, to).await;
    pool.close().await;
    outcome?;
    report_of(to).await
}

/// `VACUUM INTO to` on one connection of `pool`; `to` must not exist.
async fn vacuum_into(pool: &Pool, to: &Path) -> Result<(), StoreError> {
    let refused = |detail: String| StoreError::Backup {
        action: "cannot back up to",
        path: to.display().to_string(),
        detail,
    };
    if to.exists() {
        return Err(refused(
            "the file exists already: choose a new file name (a backup never overwrites one)"
                .to_owned(),
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| refused("the path is not valid UTF-8".to_owned()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|e| {
            refused(format!(
                "{e} (does its directory exist and is it writable?)"
            ))
        })?;
    Ok(())
}

/// Size, schema version and counts of a database file.
pub(crate) async fn report_of(file: &Path) -> Result<BackupReport, StoreError> {
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let options = SqliteConnectOptions::new().filename(file).read_only(true);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|source| StoreError::Open {
            path: file.display().to_string(),
            source,
        })?;
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await?;
    let assessments: i64 = sqlx::query_scalar(&count("assessment"))
        .fetch_one(&mut conn)
        .await?;
    let accounts: i64 = sqlx::query_scalar(&count("account"))
        .fetch_one(&mut conn)
        .await?;
    let audit_events: i64 = sqlx::query_scalar(&count("audit_event"))
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(BackupReport {
        database: DatabaseAt::Sqlite(file.to_path_buf()),
        bytes,
        schema_version,
        assessments,
        accounts,
        audit_events,
    })
}

/// Restores the backup `from` as the database of `data_dir`.
///
/// The data directory must have no database, or one without assessments
/// and accounts (a server started once without `--demo` leaves the
/// rubrics only); any other is replaced only with `force` (stop every
/// server on it first). The backup is copied beside the database, the copy
/// checked — a SQLite file that passes `quick_check`, whose applied
/// migrations are all this program's own (same numbers, same checksums) —
/// and only then moved into place. An older schema is brought up to date
/// by the next start, which backs it up first. Nothing in `data_dir`
/// changes when the backup is refused.
pub async fn restore_database(
    data_dir: &Path,
    from: &Path,
    force: bool,
) -> Result<BackupReport, StoreError> {
    let refused = |detail: String| StoreError::Backup {
        action: "cannot restore from",
        path: from.display().to_string(),
        detail,
    };
    if !from.is_file() {
        return Err(refused("there is no such file".to_owned()));
    }
    let target = data_dir.join(DATABASE_FILE);
    if target.exists() && !force {
        let (assessments, accounts) = holdings(&target).await.map_err(|e| StoreError::Backup {
            action: "cannot restore into",
            path: target.display().to_string(),
            detail: format!(
                "a file that is not an empty commune-capacity database is there ({e}): \
                 restore into an empty data directory, or add --force to replace it"
            ),
        })?;
        if assessments > 0 || accounts > 0 {
            return Err(StoreError::Backup {
                action: "cannot restore into",
                path: target.display().to_string(),
                detail: format!(
                    "this database holds {assessments} assessments and {accounts} accounts: \
                     restore into an empty data directory (--data-dir), or add --force to replace it \
                     (stop every server using it first, and back it up with `capacity-web backup`)"
                ),
            });
        }
    }
    std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Backup {
        action: "cannot restore into",
        path: data_dir.display().to_string(),
        detail: e.to_string(),
    })?;
    let copy = data_dir.join(format!("{DATABASE_FILE}.restoring"));
    let _ = std::fs::remove_file(&copy);
    let checked = copy_and_check(from, &copy).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&copy);
        return Err(refused(e));
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&copy, &target).map_err(|e| StoreError::Backup {
        action: "cannot restore into",
        path: target.display().to_string(),
        detail: e.to_string(),
    })?;
    report_of(&target).await
}

/// Assessments and accounts of an existing database file
/// ([`crate::copy::holdings`], read only).
async fn holdings(file: &Path) -> Result<(i64, i64), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&crate::sqlite_url(file, "mode=ro")).await?;
    let held = crate::copy::holdings(&mut conn).await;
    conn.close().await?;
    held
}

/// Copies the backup `from` to `copy` (`VACUUM INTO`) and checks the copy;
/// the error says why it is refused.
pub(crate) async fn copy_and_check(from: &Path, copy: &Path) -> Result<(), String> {
    let source = SqliteConnectOptions::new().filename(from).read_only(true);
    let mut conn = SqliteConnection::connect_with(&source)
        .await
        .map_err(|e| format!("it cannot be opened as a database: {e}"))?;
    let target = copy
        .to_str()
        .ok_or_else(|| "the data directory's path is not valid UTF-8".to_owned())?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    copied.map_err(|e| format!("it is not a readable SQLite database: {e}"))?;
    let options = SqliteConnectOptions::new().filename(copy);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("its copy cannot be opened: {e}"))?;
    let outcome = check_copy(&mut conn).await;
    let _ = conn.close().await;
    outcome
}

async fn check_copy(conn: &mut SqliteConnection) -> Result<(), String> {
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| format!("it is not a readable SQLite database: {e}"))?;
    if check != "ok" {
        return Err(format!("SQLite finds it damaged: {check}"));
    }
    let not_ours = "it is not a commune-capacity database (no schema history of this program)";
    let has_history: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    if has_history == 0 {
        return Err(not_ours.to_owned());
    }
    let applied = conn
        .list_applied_migrations()
        .await
        .map_err(|e| format!("{not_ours}: {e}"))?;
    if applied.is_empty() {
        return Err(not_ours.to_owned());
    }
    let known = known_schema_version();
    for m in &applied {
        match MIGRATOR.iter().find(|k| k.version == m.version) {
            Some(k) if k.checksum == m.checksum => {}
            Some(_) => {
                return Err(format!(
                    "its schema step {} differs from this program's: it was not written by commune-capacity",
                    m.version
                ));
            }
            None if m.version > known => {
                return Err(format!(
                    "its schema version {} is newer than the {known} this program knows: \
                     restore it with the newer capacity-web that made it",
                    m.version
                ));
            }
            None => return Err(format!("{not_ours}: unknown schema step {}", m.version)),
        }
    }
    if let Some(dirty) = conn.dirty_version().await.map_err(|e| e.to_string())? {
        return Err(format!(
            "its schema step {dirty} was left half applied: use an earlier backup"
        ));
    }
    Ok(())
}

/// What the schema check at open found and did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaCheck {
    /// Migrations applied before this open.
    pub applied: usize,
    /// Migrations about to run.
    pub pending: Vec<i64>,
    /// The backup taken before they run (a database with data only).
    pub backup: Option<PathBuf>,
}

/// Checks the schema of the database of `data_dir` before migrations run:
/// refuses one newer than this program ([`StoreError::SchemaTooNew`],
/// nothing changed), and backs up one that has migrations pending into
/// `data_dir/backups/before-NNNN-TIME.sqlite3` (a new database, with no
/// migration applied yet, needs no backup).
pub(crate) async fn check_schema(
    writer: &Pool,
    data_dir: &Path,
) -> Result<SchemaCheck, StoreError> {
    let file = data_dir.join(DATABASE_FILE);
    let applied = applied_not_newer(writer, Backend::Sqlite, &file.display().to_string()).await?;
    let pending: Vec<i64> = MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .filter(|v| !applied.iter().any(|a| a.version == *v))
        .collect();
    let mut check = SchemaCheck {
        applied: applied.len(),
        pending,
        backup: None,
    };
    if let Some(first) = check.pending.first()
        && !applied.is_empty()
    {
        let dir = data_dir.join(BACKUPS_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Backup {
            action: "cannot back up before migrating into",
            path: dir.display().to_string(),
            detail: format!("{e} (the data directory must be writable)"),
        })?;
        let name = format!("before-{first:04}-{}", stamp());
        let mut to = dir.join(format!("{name}.sqlite3"));
        let mut n = 1;
        while to.exists() {
            to = dir.join(format!("{name}-{n}.sqlite3"));
            n += 1;
        }
        vacuum_into(writer, &to).await?;
        tracing::info!(backup = %to.display(), pending = ?check.pending, "database backed up before migrating");
        check.backup = Some(to);
    }
    Ok(check)
}

/// Refuses, at open, a PostgreSQL database whose schema is newer than this
/// program's migrations ([`StoreError::SchemaTooNew`], naming the database
/// without its password); nothing is changed in it.
pub(crate) async fn check_schema_postgres(writer: &Pool, place: &str) -> Result<(), StoreError> {
    applied_not_newer(writer, Backend::Postgres, place)
        .await
        .map(|_| ())
}

/// The migrations applied to the database of `writer` (its schema history
/// table made if missing), refusing a database with one newer than
/// `backend`'s set ([`StoreError::SchemaTooNew`], naming it as `place`).
async fn applied_not_newer(
    writer: &Pool,
    backend: Backend,
    place: &str,
) -> Result<Vec<sqlx::migrate::AppliedMigration>, StoreError> {
    let mut conn = writer.acquire().await?;
    conn.ensure_migrations_table()
        .await
        .map_err(StoreError::Migrate)?;
    let applied = conn
        .list_applied_migrations()
        .await
        .map_err(StoreError::Migrate)?;
    let known = known_version(backend);
    if let Some(found) = applied.iter().map(|m| m.version).max()
        && found > known
    {
        return Err(StoreError::SchemaTooNew {
            path: place.to_owned(),
            found,
            known,
        });
    }
    Ok(applied)
}

/// The time now for file names: `20261206T093000Z`.
fn stamp() -> String {
    let t = OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
