//! Copying a whole database into another, table by table: the one
//! mechanism behind backups of PostgreSQL, restores into PostgreSQL and
//! moves between databases (`capacity-web migrate-db`).
//!
//! The portable dump of commune-capacity is a SQLite database file of the
//! project's own schema (`migrations/`): what `VACUUM INTO` writes on
//! SQLite, and what [`backup_postgres`] writes from PostgreSQL — a new
//! file, created with the SQLite migrations, into which every table's rows
//! are copied. Any backup can thus be restored on either database
//! ([`crate::restore_database`], [`restore_postgres`]) or served as it is.
//!
//! The copy ([`copy_between`]) is driven by one list, [`TABLES`], in
//! foreign-key order, and by the columns each database reports for them
//! (so a column is never forgotten): both sides must hold exactly the
//! tables of that list (apart from [`NOT_COPIED`]) with the same columns,
//! or the copy is refused before anything is written. The source is read
//! in one snapshot (PostgreSQL: `SERIALIZABLE READ ONLY DEFERRABLE`, a
//! state that every serialisable writer agrees with; SQLite: one read
//! transaction under WAL), so servers may keep writing during a backup;
//! the target is written in one transaction (all or nothing). Values keep
//! their type: integers stay integers, text stays text (flags are
//! integers 0/1 on both databases, times are text); a column whose types
//! do not match on the two sides is refused with its name. Columns that
//! refer to rows of their own table (`commune.merged_into`) are set in a
//! second pass, once every row is there. On PostgreSQL, the identity
//! sequences then continue after the largest id copied (a new row after
//! a restore gets a fresh id), and on both the generation
//! ([`crate::Store::generation`]) moves past both sides' so no cache
//! keyed on an old number holds.
//!
//! Emptying a PostgreSQL database (a restore with `--force`) happens in the
//! copy's transaction: the user triggers of each table (the audit trail's
//! append-only ones refuse `TRUNCATE`) are disabled *inside* the
//! transaction around one `TRUNCATE` and enabled again before any row is
//! copied; as `ALTER TABLE` is transactional and holds its lock until the
//! commit, no other session ever sees them disabled. It needs the rights
//! of the tables' owner (the account that ran the migrations). Sessions
//! of the web app are not copied: a restore or a move signs everyone out.
//! Messages never show a password of a URL.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::migrate::Migrate;
use sqlx::{AnyConnection, Connection, Row, ValueRef};

use crate::db::Sql;
use crate::ops::{BackupReport, migrator, report_of};
use crate::{Backend, DATABASE_FILE, StoreError, redacted};

/// One table of the copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    /// Its name, the same in both schemas.
    pub(crate) name: &'static str,
    /// Its primary key, for the second pass.
    key: &'static [&'static str],
    /// Columns that refer to rows of this table, set after every row is
    /// copied.
    later: &'static [&'static str],
}

const fn table(name: &'static str) -> Table {
    Table {
        name,
        key: &[],
        later: &[],
    }
}

/// Every table of the store's schema, in foreign-key order (a table comes
/// after every table it refers to). A new table of a migration must be
/// added here: the copy refuses a database holding a table it does not
/// know, and a test compares this list with both schemas.
pub(crate) const TABLES: &[Table] = &[
    table("rubric"),
    Table {
        name: "commune",
        key: &["id"],
        later: &["merged_into"],
    },
    table("commune_territory"),
    table("account"),
    table("account_grant"),
    table("password_token"),
    table("setting"),
    table("campaign"),
    table("campaign_commune"),
    table("assessment"),
    table("rater"),
    table("answer"),
    table("rating"),
    table("plan_adjustment"),
    table("council_action"),
    table("assessment_result"),
    table("verification_assignment"),
    table("verification"),
    table("verified_answer"),
    table("verified_result"),
    table("audit_event"),
    table("store_state"),
    table("flash_value"),
];

/// Tables of a store's database that are not copied: the history of
/// migrations (each database has its own, numbered its own way) and the
/// web app's sessions on SQLite (the session crate's table; PostgreSQL
/// keeps them in a schema of their own). SQLite's own tables
/// (`sqlite_…`) are never listed.
pub(crate) const NOT_COPIED: &[&str] = &["_sqlx_migrations", "tower_sessions"];

/// Rows per `INSERT` statement (each value is a placeholder; both
/// databases take many more than this many).
const MAX_VALUES: usize = 20_000;
/// At most this many rows per statement.
const MAX_ROWS: usize = 500;

/// Where a database is, for a copy. Its `Debug` form shows a URL without
/// its password, like [`DatabaseAt::describe`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseAt {
    /// A SQLite database file: `capacity.sqlite3` of a data directory, or
    /// a backup.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its URL.
    Postgres(String),
}

impl std::fmt::Debug for DatabaseAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseAt::Sqlite(file) => f.debug_tuple("Sqlite").field(file).finish(),
            DatabaseAt::Postgres(url) => f.debug_tuple("Postgres").field(&redacted(url)).finish(),
        }
    }
}

impl DatabaseAt {
    /// What `text` names: a `postgres://` (or `postgresql://`) URL; a
    /// `sqlite://` URL of a file; a directory (existing, or a path without
    /// an extension: a data directory, whose database is its
    /// `capacity.sqlite3`); else a SQLite database file.
    pub fn parse(text: &str) -> DatabaseAt {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return DatabaseAt::Postgres(text.to_owned());
        }
        let path = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .map_or(text, |p| p.split('?').next().unwrap_or_default());
        let path = Path::new(path);
        if path.is_dir() || (!path.exists() && path.extension().is_none()) {
            return DatabaseAt::Sqlite(path.join(DATABASE_FILE));
        }
        DatabaseAt::Sqlite(path.to_path_buf())
    }

    /// For messages: the file, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            DatabaseAt::Sqlite(file) => file.display().to_string(),
            DatabaseAt::Postgres(url) => redacted(url),
        }
    }

    fn backend(&self) -> Backend {
        match self {
            DatabaseAt::Sqlite(_) => Backend::Sqlite,
            DatabaseAt::Postgres(_) => Backend::Postgres,
        }
    }
}

/// The type a column takes, as the target database declares it (SQLite
/// keeps any value as it is given: its columns need none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Bool,
    Real,
    Text,
    Blob,
}

/// A column of a table, as a database reports it.
#[derive(Debug, Clone)]
struct ColumnInfo {
    name: String,
    /// PostgreSQL's type (`None` on SQLite).
    kind: Option<Kind>,
    /// PostgreSQL: an identity column (its sequence continues after the
    /// largest value copied).
    identity: bool,
}

/// One value read from the source.
#[derive(Debug, Clone)]
enum Value {
    Null,
    Integer(i64),
    Bool(bool),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

fn value(row: &AnyRow, index: usize) -> Result<Value, sqlx::Error> {
    use sqlx::any::AnyTypeInfoKind as K;
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().kind();
    Ok(match kind {
        K::Null => Value::Null,
        K::Bool => Value::Bool(row.try_get(index)?),
        K::SmallInt | K::Integer | K::BigInt => Value::Integer(row.try_get(index)?),
        K::Real => Value::Real(f64::from(row.try_get::<f32, _>(index)?)),
        K::Double => Value::Real(row.try_get(index)?),
        K::Text => Value::Text(row.try_get(index)?),
        K::Blob => Value::Blob(row.try_get(index)?),
    })
}

/// Binds `value` as the next placeholder of `sql`, in the type of the
/// target's column; the error names what does not fit.
fn bind(sql: &mut Sql, value: Value, kind: Option<Kind>) -> Result<(), String> {
    match (kind, value) {
        (Some(Kind::Integer), Value::Null) => sql.push_bind(None::<i64>),
        (Some(Kind::Bool), Value::Null) => sql.push_bind(None::<bool>),
        (Some(Kind::Real), Value::Null) => sql.push_bind(None::<f64>),
        (Some(Kind::Blob), Value::Null) => sql.push_bind(None::<Vec<u8>>),
        (Some(Kind::Text) | None, Value::Null) => sql.push_bind(None::<String>),
        (Some(Kind::Integer) | None, Value::Integer(n)) => sql.push_bind(n),
        (Some(Kind::Integer), Value::Bool(b)) => sql.push_bind(i64::from(b)),
        (Some(Kind::Bool) | None, Value::Bool(b)) => sql.push_bind(b),
        (Some(Kind::Bool), Value::Integer(n)) if n == 0 || n == 1 => sql.push_bind(n == 1),
        (Some(Kind::Real) | None, Value::Real(f)) => sql.push_bind(f),
        (Some(Kind::Text) | None, Value::Text(s)) => sql.push_bind(s),
        (Some(Kind::Blob) | None, Value::Blob(b)) => sql.push_bind(b),
        (Some(kind), value) => {
            return Err(format!("a value {value:?} where the target takes {kind:?}"));
        }
    };
    Ok(())
}

/// The tables of the store's schema a database holds (SQLite's own and
/// PostgreSQL's catalogues left out), sorted.
async fn tables_of(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// The columns of `table`, in the database's order.
async fn columns_of(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<ColumnInfo>, String> {
    match backend {
        Backend::Sqlite => {
            let names: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                    .bind(table)
                    .fetch_all(conn)
                    .await
                    .map_err(|e| e.to_string())?;
            Ok(names
                .into_iter()
                .map(|name| ColumnInfo {
                    name,
                    kind: None,
                    identity: false,
                })
                .collect())
        }
        Backend::Postgres => {
            let rows = sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS type, \
                 is_identity::text AS identity FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(conn)
            .await
            .map_err(|e| e.to_string())?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let name: String = row.try_get("name").map_err(|e| e.to_string())?;
                let ty: String = row.try_get("type").map_err(|e| e.to_string())?;
                let identity: String = row.try_get("identity").map_err(|e| e.to_string())?;
                let kind = match ty.as_str() {
                    "bigint" | "integer" | "smallint" => Kind::Integer,
                    "boolean" => Kind::Bool,
                    "double precision" | "real" => Kind::Real,
                    "text" | "character varying" | "character" => Kind::Text,
                    "bytea" => Kind::Blob,
                    other => {
                        return Err(format!(
                            "column {table}.{name} has the type {other}, which the copy does not know"
                        ));
                    }
                };
                out.push(ColumnInfo {
                    name,
                    kind: Some(kind),
                    identity: identity == "YES",
                });
            }
            Ok(out)
        }
    }
}

/// Refuses a database holding a table that is neither in [`TABLES`] nor in
/// [`NOT_COPIED`] (a newer schema, or not commune-capacity's).
fn unknown_tables(found: &[String]) -> Vec<&str> {
    found
        .iter()
        .map(String::as_str)
        .filter(|t| !TABLES.iter().any(|k| k.name == *t) && !NOT_COPIED.contains(t))
        .collect()
}

/// `"name"`, quoted as both databases take an identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Rows copied, per table (in [`TABLES`] order).
pub(crate) type Copied = Vec<(&'static str, u64)>;

/// Copies every table of [`TABLES`] from `source` (in a read transaction
/// of one snapshot) into `target` (in a write transaction, emptied first),
/// then resets the target's identity sequences and moves its generation.
/// On any error the target's transaction is rolled back: nothing changes.
pub(crate) async fn copy_between(
    source: &mut AnyConnection,
    source_backend: Backend,
    target: &mut AnyConnection,
    target_backend: Backend,
) -> Result<Copied, String> {
    let mut read = source
        .begin_with(match source_backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE",
        })
        .await
        .map_err(|e| format!("cannot read the source: {e}"))?;
    let mut write = target
        .begin_with(match target_backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        })
        .await
        .map_err(|e| format!("cannot write the target: {e}"))?;
    if target_backend == Backend::Postgres {
        // A server still running on the target holds locks: say so
        // instead of waiting for it.
        sqlx::raw_sql("SET LOCAL lock_timeout = '10s'")
            .execute(&mut *write)
            .await
            .map_err(|e| e.to_string())?;
    }

    // Both sides hold exactly the tables of the list, with the same columns.
    let source_tables = tables_of(&mut read, source_backend)
        .await
        .map_err(|e| format!("cannot list the source's tables: {e}"))?;
    let target_tables = tables_of(&mut write, target_backend)
        .await
        .map_err(|e| format!("cannot list the target's tables: {e}"))?;
    for (side, found) in [("source", &source_tables), ("target", &target_tables)] {
        let unknown = unknown_tables(found);
        if !unknown.is_empty() {
            return Err(format!(
                "the {side} holds tables this program does not know ({}): it is not a \
                 commune-capacity database of this version",
                unknown.join(", ")
            ));
        }
        if let Some(missing) = TABLES.iter().find(|t| !found.iter().any(|f| f == t.name)) {
            return Err(format!(
                "the {side} has no table {}: its schema is not this program's newest",
                missing.name
            ));
        }
    }
    let mut plans = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let from = columns_of(&mut read, source_backend, table.name).await?;
        let into = columns_of(&mut write, target_backend, table.name).await?;
        let mut a: Vec<&str> = from.iter().map(|c| c.name.as_str()).collect();
        let mut b: Vec<&str> = into.iter().map(|c| c.name.as_str()).collect();
        a.sort_unstable();
        b.sort_unstable();
        if a != b {
            return Err(format!(
                "table {} has the columns ({}) in the source and ({}) in the target: \
                 both must be at this program's newest schema",
                table.name,
                a.join(", "),
                b.join(", ")
            ));
        }
        plans.push((table, into));
    }

    // The target's generation before it is emptied.
    let old_generation: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(generation), 0) FROM store_state")
            .fetch_one(&mut *write)
            .await
            .map_err(|e| e.to_string())?;
    empty(&mut write, target_backend).await?;

    let mut copied = Vec::with_capacity(TABLES.len());
    for (table, columns) in &plans {
        let n = copy_table(&mut read, &mut write, target_backend, table, columns).await?;
        copied.push((table.name, n));
    }

    if target_backend == Backend::Postgres {
        for (table, columns) in &plans {
            for c in columns.iter().filter(|c| c.identity) {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence($1, $2), \
                     COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                    quoted(&c.name),
                    quoted(table.name)
                ))
                .bind(table.name)
                .bind(c.name.clone())
                .execute(&mut *write)
                .await
                .map_err(|e| format!("cannot reset the ids of {}: {e}", table.name))?;
            }
        }
        // Sessions name accounts by id: none survives a restore.
        sqlx::raw_sql(
            "DO $$ BEGIN IF to_regclass('tower_sessions.session') IS NOT NULL THEN \
             DELETE FROM tower_sessions.session; END IF; END $$",
        )
        .execute(&mut *write)
        .await
        .map_err(|e| format!("cannot end the sessions: {e}"))?;
    }
    let source_generation: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(generation), 0) FROM store_state")
            .fetch_one(&mut *write)
            .await
            .map_err(|e| e.to_string())?;
    sqlx::query("UPDATE store_state SET generation = $1 WHERE id = 1")
        .bind(source_generation.max(old_generation) + 1)
        .execute(&mut *write)
        .await
        .map_err(|e| e.to_string())?;
    write
        .commit()
        .await
        .map_err(|e| format!("the copy was not committed: {e}"))?;
    let _ = read.rollback().await;
    tracing::info!(
        from = source_backend.name(),
        into = target_backend.name(),
        rows = copied.iter().map(|(_, n)| n).sum::<u64>(),
        "database copied"
    );
    Ok(copied)
}

/// Empties every table of the list in the target's transaction.
async fn empty(target: &mut AnyConnection, backend: Backend) -> Result<(), String> {
    match backend {
        Backend::Sqlite => {
            // A new file: its tables hold only what migrations put there
            // (the generation row); no trigger refuses that delete.
            for table in TABLES.iter().rev() {
                sqlx::query(&format!("DELETE FROM {}", quoted(table.name)))
                    .execute(&mut *target)
                    .await
                    .map_err(|e| format!("cannot empty {}: {e}", table.name))?;
            }
        }
        Backend::Postgres => {
            let all: Vec<String> = TABLES.iter().map(|t| quoted(t.name)).collect();
            let toggle = |what: &str| {
                all.iter()
                    .map(|t| format!("ALTER TABLE {t} {what} TRIGGER USER;"))
                    .collect::<String>()
            };
            let sql = format!(
                "{} TRUNCATE {} RESTART IDENTITY; {}",
                toggle("DISABLE"),
                all.join(", "),
                toggle("ENABLE")
            );
            sqlx::raw_sql(&sql)
                .execute(&mut *target)
                .await
                .map_err(|e| {
                    format!(
                        "cannot empty the database ({e}): stop every server on it, and run this \
                     as the account that owns its tables"
                    )
                })?;
        }
    }
    Ok(())
}

/// Copies the rows of one table; answers how many.
async fn copy_table(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    target_backend: Backend,
    table: &Table,
    columns: &[ColumnInfo],
) -> Result<u64, String> {
    let names: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    let select = format!(
        "SELECT {} FROM {} ORDER BY 1",
        names.join(", "),
        quoted(table.name)
    );
    let overriding = if target_backend == Backend::Postgres && columns.iter().any(|c| c.identity) {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let head = format!(
        "INSERT INTO {} ({}){overriding} VALUES ",
        quoted(table.name),
        names.join(", ")
    );
    let later: Vec<usize> = table
        .later
        .iter()
        .filter_map(|l| columns.iter().position(|c| c.name == *l))
        .collect();
    let key: Vec<usize> = table
        .key
        .iter()
        .filter_map(|k| columns.iter().position(|c| c.name == *k))
        .collect();
    let per_statement = (MAX_VALUES / columns.len().max(1)).clamp(1, MAX_ROWS);
    let mut pending: Vec<Vec<Value>> = Vec::with_capacity(per_statement);
    let mut second_pass: Vec<Vec<Value>> = Vec::new();
    let mut count = 0u64;
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    let fail = |e: &dyn std::fmt::Display| format!("cannot copy table {}: {e}", table.name);
    while let Some(row) = rows.try_next().await.map_err(|e| fail(&e))? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(value(&row, i).map_err(|e| fail(&e))?);
        }
        if !later.is_empty() && later.iter().any(|&i| !matches!(values[i], Value::Null)) {
            let mut update: Vec<Value> = later.iter().map(|&i| values[i].clone()).collect();
            update.extend(key.iter().map(|&i| values[i].clone()));
            second_pass.push(update);
            for &i in &later {
                values[i] = Value::Null;
            }
        }
        pending.push(values);
        count += 1;
        if pending.len() == per_statement {
            insert(target, &head, columns, &mut pending)
                .await
                .map_err(|e| fail(&e))?;
        }
    }
    drop(rows);
    insert(target, &head, columns, &mut pending)
        .await
        .map_err(|e| fail(&e))?;
    for values in second_pass {
        // UPDATE t SET later = … WHERE key = …
        let mut values = values.into_iter();
        let mut sql = Sql::new(format!("UPDATE {} SET ", quoted(table.name)));
        for (n, &i) in later.iter().chain(key.iter()).enumerate() {
            let glue = match n {
                0 => "",
                n if n == later.len() => " WHERE ",
                n if n > later.len() => " AND ",
                _ => ", ",
            };
            sql.push(format_args!("{glue}{} = ", quoted(&columns[i].name)));
            bind(
                &mut sql,
                values.next().unwrap_or(Value::Null),
                columns[i].kind,
            )
            .map_err(|e| fail(&e))?;
        }
        sql.build()
            .map_err(|e| fail(&e))?
            .execute(&mut *target)
            .await
            .map_err(|e| fail(&e))?;
    }
    Ok(count)
}

/// Inserts the pending rows in one statement, and forgets them.
async fn insert(
    target: &mut AnyConnection,
    head: &str,
    columns: &[ColumnInfo],
    pending: &mut Vec<Vec<Value>>,
) -> Result<(), String> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new(head);
    for (r, values) in pending.drain(..).enumerate() {
        sql.push(if r == 0 { "(" } else { ", (" });
        for (i, (v, c)) in values.into_iter().zip(columns).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            bind(&mut sql, v, c.kind).map_err(|e| format!("column {}: {e}", c.name))?;
        }
        sql.push(")");
    }
    sql.build()
        .map_err(|e| e.to_string())?
        .execute(&mut *target)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A file of this process removed when dropped (with SQLite's side files).
struct Scratch(PathBuf);

impl Scratch {
    /// A new name beside `file` (`file.SUFFIX-PID-N`).
    fn beside(file: &Path, suffix: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        Scratch(PathBuf::from(format!(
            "{}.{suffix}-{}-{}",
            file.display(),
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        )))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for side in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{side}", self.0.display()));
        }
    }
}

/// One connection of the `Any` driver to a PostgreSQL database.
async fn connect_postgres(url: &str) -> Result<AnyConnection, StoreError> {
    sqlx::any::install_default_drivers();
    AnyConnection::connect(url)
        .await
        .map_err(|source| StoreError::Open {
            path: redacted(url),
            source,
        })
}

/// One connection of the `Any` driver to a SQLite file (`mode`: `ro`,
/// `rw` or `rwc`), foreign keys checked.
async fn connect_sqlite(file: &Path, mode: &str) -> Result<AnyConnection, StoreError> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(&crate::sqlite_url(file, &format!("mode={mode}")))
        .await
        .map_err(|source| StoreError::Open {
            path: file.display().to_string(),
            source,
        })?;
    sqlx::raw_sql("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// How a database's schema stands against this program's migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Schema {
    /// No table at all.
    Empty,
    /// Every migration of this program applied, none other.
    Current,
    /// Some of this program's migrations are not applied yet.
    Older(i64),
    /// A migration newer than this program's is applied.
    Newer(i64),
    /// Not a commune-capacity database (why).
    Foreign(String),
}

/// The schema of the database `conn` is on, read without changing it.
async fn schema_of(conn: &mut AnyConnection, backend: Backend) -> Result<Schema, StoreError> {
    let tables = tables_of(conn, backend).await?;
    if tables.is_empty() {
        return Ok(Schema::Empty);
    }
    if !tables.iter().any(|t| t == "_sqlx_migrations") {
        return Ok(Schema::Foreign(
            "it holds tables but no schema history of commune-capacity".to_owned(),
        ));
    }
    let applied = conn
        .list_applied_migrations()
        .await
        .map_err(StoreError::Migrate)?;
    let known = migrator(backend);
    let newest = crate::ops::known_version(backend);
    let mut found = 0;
    for m in &applied {
        found = found.max(m.version);
        match known.iter().find(|k| k.version == m.version) {
            Some(k) if k.checksum == m.checksum => {}
            Some(_) => {
                return Ok(Schema::Foreign(format!(
                    "its schema step {} differs from this program's",
                    m.version
                )));
            }
            None if m.version > newest => {}
            None => {
                return Ok(Schema::Foreign(format!(
                    "unknown schema step {}",
                    m.version
                )));
            }
        }
    }
    if found > newest {
        return Ok(Schema::Newer(found));
    }
    if let Some(dirty) = conn.dirty_version().await.map_err(StoreError::Migrate)? {
        return Ok(Schema::Foreign(format!(
            "its schema step {dirty} was left half applied"
        )));
    }
    let all = known
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|k| applied.iter().any(|a| a.version == k.version));
    Ok(if all {
        Schema::Current
    } else {
        Schema::Older(found)
    })
}

/// Refuses a source that is not a commune-capacity database at this
/// program's newest schema.
async fn check_source(
    conn: &mut AnyConnection,
    at: &DatabaseAt,
    action: &'static str,
) -> Result<(), StoreError> {
    let backend = at.backend();
    let refused = |detail: String| StoreError::Backup {
        action,
        path: at.describe(),
        detail,
    };
    match schema_of(conn, backend).await? {
        Schema::Current => Ok(()),
        Schema::Older(found) => Err(refused(format!(
            "its schema version {found} is older than this program's {}: start capacity-web on it \
             once (the start brings the schema up to date), then copy it",
            crate::ops::known_version(backend)
        ))),
        Schema::Newer(found) => Err(StoreError::SchemaTooNew {
            path: at.describe(),
            found,
            known: crate::ops::known_version(backend),
        }),
        Schema::Empty => Err(refused(
            "it holds no commune-capacity database (check the path or the URL)".to_owned(),
        )),
        Schema::Foreign(why) => Err(refused(format!(
            "it is not a commune-capacity database this program can copy: {why}"
        ))),
    }
}

/// Assessments and accounts of a database of the store's schema.
pub(crate) async fn holdings(conn: &mut AnyConnection) -> Result<(i64, i64), sqlx::Error> {
    let assessments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assessment")
        .fetch_one(&mut *conn)
        .await?;
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM account")
        .fetch_one(&mut *conn)
        .await?;
    Ok((assessments, accounts))
}

/// Makes a PostgreSQL database ready to receive a copy: refuses a newer
/// schema, a database that is not commune-capacity's, and one holding
/// assessments or accounts unless `force` (nothing changed then); else
/// brings its schema to this program's newest (as a server's start does).
async fn prepare_postgres_target(
    conn: &mut AnyConnection,
    url: &str,
    force: bool,
    action: &'static str,
) -> Result<(), StoreError> {
    let refused = |detail: String| StoreError::Backup {
        action,
        path: redacted(url),
        detail,
    };
    match schema_of(conn, Backend::Postgres).await? {
        Schema::Newer(found) => {
            return Err(StoreError::SchemaTooNew {
                path: redacted(url),
                found,
                known: crate::ops::known_version(Backend::Postgres),
            });
        }
        Schema::Foreign(why) => {
            return Err(refused(format!(
                "{why}: give an empty database (createdb) or one commune-capacity made"
            )));
        }
        Schema::Empty => {}
        Schema::Current | Schema::Older(_) => {
            let (assessments, accounts) = holdings(conn).await?;
            if !force && (assessments > 0 || accounts > 0) {
                return Err(refused(format!(
                    "this database holds {assessments} assessments and {accounts} accounts: \
                     give an empty database (createdb), or add --force to replace its data \
                     (stop every server using it first, and back it up with `capacity-web backup`)"
                )));
            }
        }
    }
    migrator(Backend::Postgres)
        .run(&mut *conn)
        .await
        .map_err(StoreError::Migrate)?;
    Ok(())
}

/// Size, schema version and counts of a PostgreSQL database.
async fn postgres_report(conn: &mut AnyConnection, url: &str) -> Result<BackupReport, StoreError> {
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&mut *conn)
        .await?;
    let schema_version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await?;
    let (assessments, accounts) = holdings(conn).await?;
    let audit_events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_event")
        .fetch_one(&mut *conn)
        .await?;
    Ok(BackupReport {
        database: DatabaseAt::Postgres(url.to_owned()),
        bytes: u64::try_from(bytes).unwrap_or(0),
        schema_version,
        assessments,
        accounts,
        audit_events,
    })
}

/// Writes a new SQLite file `to` (never over an existing one) holding a
/// copy of the database `source` is on: the SQLite schema first, then
/// every table's rows read in one snapshot. The file appears complete or
/// not at all.
pub(crate) async fn copy_into_new_file(
    source: &mut AnyConnection,
    backend: Backend,
    to: &Path,
) -> Result<BackupReport, StoreError> {
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
    let partial = Scratch::beside(to, "partial");
    let mut target = connect_sqlite(&partial.0, "rwc").await.map_err(|e| {
        refused(format!(
            "{e} (does its directory exist and is it writable?)"
        ))
    })?;
    let written = async {
        migrator(Backend::Sqlite)
            .run(&mut target)
            .await
            .map_err(StoreError::Migrate)?;
        copy_between(source, backend, &mut target, Backend::Sqlite)
            .await
            .map_err(refused)?;
        Ok::<(), StoreError>(())
    }
    .await;
    let _ = target.close().await;
    written?;
    // A link fails when `to` appeared meanwhile: still never overwritten.
    if let Err(e) = std::fs::hard_link(&partial.0, to) {
        if to.exists() {
            return Err(refused(format!(
                "the file appeared while it was written: {e}"
            )));
        }
        std::fs::rename(&partial.0, to).map_err(|e| refused(e.to_string()))?;
    }
    drop(partial);
    report_of(to).await
}

/// Backs up the PostgreSQL database `url` to `to`, a new SQLite file of the
/// project's schema (every table copied from one snapshot: servers may
/// keep writing). The database is neither migrated nor changed: it must be
/// at this program's newest schema.
pub async fn backup_postgres(url: &str, to: &Path) -> Result<BackupReport, StoreError> {
    let at = DatabaseAt::Postgres(url.to_owned());
    let mut source = connect_postgres(url).await?;
    let outcome = async {
        check_source(&mut source, &at, "cannot back up").await?;
        copy_into_new_file(&mut source, Backend::Postgres, to).await
    }
    .await;
    let _ = source.close().await;
    outcome
}

/// Replaces the data of the PostgreSQL database `url` (open as `target`)
/// by those of `source`: the target made ready
/// ([`prepare_postgres_target`]), the copy, and the report of what it
/// holds; `action` names the operation in errors.
async fn into_postgres(
    source: &mut AnyConnection,
    from: Backend,
    target: &mut AnyConnection,
    url: &str,
    force: bool,
    action: &'static str,
) -> Result<BackupReport, StoreError> {
    prepare_postgres_target(target, url, force, action).await?;
    copy_between(source, from, target, Backend::Postgres)
        .await
        .map_err(|e| StoreError::Backup {
            action,
            path: redacted(url),
            detail: format!("{e} (its data were not changed)"),
        })?;
    postgres_report(target, url).await
}

/// Restores the backup `from` (a SQLite file written by `capacity-web
/// backup` on either database) into the PostgreSQL database `url`.
///
/// The file is checked as [`crate::restore_database`] checks it (a
/// readable SQLite database, every schema step one of this program's, none
/// newer, none half applied), copied into the system's temporary directory
/// and brought up to this program's schema there. The database must exist;
/// it must be empty or hold no assessment and no account, unless `force`
/// (stop every server on it first). Its data are then replaced in one
/// transaction; nothing changes when the restore is refused or fails.
pub async fn restore_postgres(
    url: &str,
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
    let copy = Scratch::beside(
        &std::env::temp_dir().join("capacity-restore.sqlite3"),
        "checked",
    );
    crate::ops::copy_and_check(from, &copy.0)
        .await
        .map_err(refused)?;
    let mut source = connect_sqlite(&copy.0, "rw").await?;
    let mut target = match connect_postgres(url).await {
        Ok(target) => target,
        Err(e) => {
            let _ = source.close().await;
            return Err(e);
        }
    };
    let outcome = async {
        // An older backup is brought up to date in the copy.
        migrator(Backend::Sqlite)
            .run(&mut source)
            .await
            .map_err(StoreError::Migrate)?;
        into_postgres(
            &mut source,
            Backend::Sqlite,
            &mut target,
            url,
            force,
            "cannot restore into",
        )
        .await
    }
    .await;
    let _ = source.close().await;
    let _ = target.close().await;
    drop(copy);
    outcome
}

/// Copies the whole database `from` into `to`, across databases: SQLite to
/// PostgreSQL (`capacity-web migrate-db`), PostgreSQL to SQLite, or one of
/// a kind to another.
///
/// `from` must be a commune-capacity database at this program's newest
/// schema (start a server on it once if it is older); it is only read, in
/// one snapshot. `to` is a PostgreSQL database that exists (migrated
/// first if empty) or a SQLite file (written beside, then moved into
/// place); it must hold no assessment and no account unless `force`.
/// Nothing changes in `to` when the copy is refused or fails.
pub async fn migrate_database(
    from: &DatabaseAt,
    to: &DatabaseAt,
    force: bool,
) -> Result<BackupReport, StoreError> {
    if from == to {
        return Err(StoreError::Invalid(format!(
            "cannot copy {} into itself: name another database with --to",
            from.describe()
        )));
    }
    let mut source = match from {
        DatabaseAt::Sqlite(file) => {
            if !file.is_file() {
                return Err(StoreError::Backup {
                    action: "cannot copy from",
                    path: file.display().to_string(),
                    detail: "there is no database there (give a data directory, a database file \
                             or a postgres:// URL)"
                        .to_owned(),
                });
            }
            connect_sqlite(file, "ro").await?
        }
        DatabaseAt::Postgres(url) => connect_postgres(url).await?,
    };
    let outcome = async {
        check_source(&mut source, from, "cannot copy from").await?;
        match to {
            DatabaseAt::Postgres(url) => {
                let mut target = connect_postgres(url).await?;
                let copied = into_postgres(
                    &mut source,
                    from.backend(),
                    &mut target,
                    url,
                    force,
                    "cannot copy into",
                )
                .await;
                let _ = target.close().await;
                copied
            }
            DatabaseAt::Sqlite(file) => {
                into_sqlite_file(&mut source, from.backend(), file, force).await
            }
        }
    }
    .await;
    let _ = source.close().await;
    outcome
}

/// The copy into a SQLite file: refused over data unless `force`; written
/// beside the file, then moved into place.
async fn into_sqlite_file(
    source: &mut AnyConnection,
    backend: Backend,
    file: &Path,
    force: bool,
) -> Result<BackupReport, StoreError> {
    let refused = |detail: String| StoreError::Backup {
        action: "cannot copy into",
        path: file.display().to_string(),
        detail,
    };
    if file.exists() && !force {
        let mut conn = connect_sqlite(file, "ro").await?;
        let held = holdings(&mut conn).await;
        let _ = conn.close().await;
        match held {
            Ok((0, 0)) => {}
            Ok((assessments, accounts)) => {
                return Err(refused(format!(
                    "this database holds {assessments} assessments and {accounts} accounts: \
                     give an empty data directory, or add --force to replace it (stop every \
                     server using it first, and back it up with `capacity-web backup`)"
                )));
            }
            Err(e) => {
                return Err(refused(format!(
                    "a file that is not an empty commune-capacity database is there ({e}): \
                     give an empty data directory, or add --force to replace it"
                )));
            }
        }
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| refused(e.to_string()))?;
    }
    let partial = Scratch::beside(file, "restoring");
    let mut target = connect_sqlite(&partial.0, "rwc").await?;
    let written = async {
        migrator(Backend::Sqlite)
            .run(&mut target)
            .await
            .map_err(StoreError::Migrate)?;
        copy_between(source, backend, &mut target, Backend::Sqlite)
            .await
            .map_err(|e| refused(format!("{e} (nothing was changed)")))?;
        Ok::<(), StoreError>(())
    }
    .await;
    let _ = target.close().await;
    written?;
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", file.display()));
    }
    std::fs::rename(&partial.0, file).map_err(|e| refused(e.to_string()))?;
    report_of(file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `backend`'s migrations on `conn` and checks that [`TABLES`] and
    /// [`NOT_COPIED`] name exactly the tables they create.
    async fn covers(conn: &mut AnyConnection, backend: Backend) {
        migrator(backend)
            .run(&mut *conn)
            .await
            .expect("the migrations run");
        let found = tables_of(conn, backend).await.expect("tables");
        for t in &found {
            assert!(
                TABLES.iter().any(|k| k.name == t) || NOT_COPIED.contains(&t.as_str()),
                "table {t} of the {} schema is not in copy::TABLES: add it (in foreign-key order)",
                backend.name()
            );
        }
        for t in TABLES {
            assert!(
                found.iter().any(|f| f == t.name),
                "copy::TABLES lists {}, which the {} schema does not have",
                t.name,
                backend.name()
            );
        }
    }

    #[test]
    fn a_database_is_named_by_url_file_or_directory_and_shown_without_password() {
        let pg = DatabaseAt::parse(" postgres://capacity:s3cret@db.example.ml/capacity ");
        assert_eq!(
            pg,
            DatabaseAt::Postgres("postgres://capacity:s3cret@db.example.ml/capacity".into())
        );
        for shown in [pg.describe(), format!("{pg:?}")] {
            assert!(
                !shown.contains("s3cret") && shown.contains("db.example.ml"),
                "{shown}"
            );
        }
        assert_eq!(
            DatabaseAt::parse("sqlite:///var/lib/capacity/capacity.sqlite3?mode=ro"),
            DatabaseAt::Sqlite(PathBuf::from("/var/lib/capacity/capacity.sqlite3"))
        );
        assert_eq!(
            DatabaseAt::parse("/nowhere/new-data-dir"),
            DatabaseAt::Sqlite(PathBuf::from("/nowhere/new-data-dir").join(DATABASE_FILE))
        );
        assert_eq!(
            DatabaseAt::parse("/nowhere/backup.sqlite3"),
            DatabaseAt::Sqlite(PathBuf::from("/nowhere/backup.sqlite3"))
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            DatabaseAt::parse(&dir.display().to_string()),
            DatabaseAt::Sqlite(dir.join(DATABASE_FILE))
        );
    }

    #[tokio::test]
    async fn a_row_naming_a_row_of_its_own_table_in_a_later_statement_is_copied() {
        let dir = std::env::temp_dir().join(format!("capacity-copy-later-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("directory");
        let mut source = connect_sqlite(&dir.join("a.sqlite3"), "rwc")
            .await
            .expect("source");
        let mut target = connect_sqlite(&dir.join("b.sqlite3"), "rwc")
            .await
            .expect("target");
        for conn in [&mut source, &mut target] {
            migrator(Backend::Sqlite)
                .run(&mut *conn)
                .await
                .expect("migrations");
        }
        // More communes than one statement inserts; the first is merged
        // into the last (a later statement), the second into the first.
        let n = MAX_ROWS + 10;
        for i in 0..n {
            sqlx::query(
                "INSERT INTO commune (id, name, cercle, region, kind, transferred, updated_at) \
                 VALUES ($1, $1, 'C', 'R', 'commune', '[]', '2026-01-01T00:00:00.000Z')",
            )
            .bind(format!("c-{i:04}"))
            .execute(&mut source)
            .await
            .expect("commune");
        }
        let last = format!("c-{:04}", n - 1);
        for (from, into) in [("c-0000", last.as_str()), ("c-0001", "c-0000")] {
            sqlx::query("UPDATE commune SET merged_into = $1, active = 0 WHERE id = $2")
                .bind(into)
                .bind(from)
                .execute(&mut source)
                .await
                .expect("merged");
        }
        let copied = copy_between(&mut source, Backend::Sqlite, &mut target, Backend::Sqlite)
            .await
            .expect("copied");
        assert!(copied.contains(&("commune", u64::try_from(n).unwrap_or(0))));
        let merged: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, merged_into FROM commune WHERE merged_into IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut target)
        .await
        .expect("read");
        assert_eq!(
            merged,
            [
                ("c-0000".to_owned(), last.clone()),
                ("c-0001".to_owned(), "c-0000".to_owned())
            ]
        );
        let _ = source.close().await;
        let _ = target.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn the_copy_list_covers_every_table_of_both_schemas_in_foreign_key_order() {
        sqlx::any::install_default_drivers();
        let mut conn = AnyConnection::connect("sqlite::memory:")
            .await
            .expect("in memory");
        covers(&mut conn, Backend::Sqlite).await;
        for (i, table) in TABLES.iter().enumerate() {
            let refs = sqlx::query(
                "SELECT \"table\" AS referred, \"from\" AS col FROM pragma_foreign_key_list($1)",
            )
            .bind(table.name)
            .fetch_all(&mut conn)
            .await
            .expect("foreign keys");
            for r in refs {
                let referred: String = r.get("referred");
                let col: String = r.get("col");
                if referred == table.name {
                    assert!(
                        table.later.contains(&col.as_str()) && !table.key.is_empty(),
                        "{}.{col} refers to its own table: list it in `later`, with the key",
                        table.name
                    );
                } else {
                    let at = TABLES.iter().position(|t| t.name == referred);
                    assert!(
                        at.is_some_and(|at| at < i),
                        "{} refers to {referred}, which must come before it in copy::TABLES",
                        table.name
                    );
                }
            }
        }
        let _ = conn.close().await;

        // PostgreSQL, when the tests have a server: a database of its own.
        let Some(server) = std::env::var("CAPACITY_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return;
        };
        let name = format!("capacity_copy_tables_{}", std::process::id());
        let mut admin = AnyConnection::connect(&server).await.expect("server");
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await
            .expect("create");
        let base = server.split('?').next().unwrap_or(&server);
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        let mut conn = AnyConnection::connect(&format!("{base}/{name}"))
            .await
            .expect("the new database");
        covers(&mut conn, Backend::Postgres).await;
        let _ = conn.close().await;
        sqlx::raw_sql(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
            .execute(&mut admin)
            .await
            .expect("drop");
        let _ = admin.close().await;
    }
}
