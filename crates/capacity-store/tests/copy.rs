//! Copies between databases (`copy.rs`): a backup of the store on either
//! database is a SQLite file holding every row; restored into an empty
//! SQLite data directory or an empty PostgreSQL database, and copied from a
//! SQLite data directory into the other database (`migrate-db`), it gives
//! back every table row for row, the same exports and audit trail, and
//! ids that keep growing after it. Refused copies (a target with data
//! without `--force`, a file newer than the program or not a database, an
//! older source) change nothing. At open, a schema newer than the program
//! is refused on both databases.
//!
//! Run on PostgreSQL when `CAPACITY_TEST_POSTGRES_URL` is set (`./x test`
//! runs this suite on both): the source and the targets are then databases
//! of their own on that server; otherwise everything is SQLite, and the
//! same copy runs from SQLite into SQLite.

mod common;

use std::path::Path;

use capacity_store::{
    Audit, AuditFilter, Backend, BackupReport, DATABASE_FILE, DatabaseAt, Store, StoreError,
    known_schema_version, migrate_database, restore_database, restore_postgres,
};
use common::{
    POSTGRES_URL, TempDir, TestStore, dump_any, exports, generation, shared_store, sqlite_url,
    workshop_path,
};
use sqlx::{Connection, Executor};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn on_postgres() -> bool {
    std::env::var(POSTGRES_URL).is_ok_and(|u| !u.trim().is_empty())
}

fn operator() -> Audit {
    Audit {
        actor_id: None,
        actor: "Opérateur".into(),
        request_id: "req-copy".into(),
        address: String::new(),
    }
}

/// An empty database to restore or copy into: on the tests' PostgreSQL a
/// database of its own (with the schema, no data), else the database file
/// of a new data directory (not created yet).
struct Target {
    at: DatabaseAt,
    url: String,
    _postgres: Option<TestStore>,
    _dir: Option<TempDir>,
}

async fn empty_target(name: &str) -> Target {
    if on_postgres() {
        let store = shared_store(name).await;
        let url = store.url().expect("a PostgreSQL URL").to_owned();
        store.close().await;
        return Target {
            at: DatabaseAt::Postgres(url.clone()),
            url,
            _postgres: Some(store),
            _dir: None,
        };
    }
    let dir = TempDir::new(name);
    let file = dir.0.join(DATABASE_FILE);
    Target {
        at: DatabaseAt::Sqlite(file.clone()),
        url: sqlite_url(&file),
        _postgres: None,
        _dir: Some(dir),
    }
}

/// `capacity-web restore` into the target: PostgreSQL's table copy, or the
/// file put in place in the data directory.
async fn restore_into(
    target: &Target,
    from: &Path,
    force: bool,
) -> Result<BackupReport, StoreError> {
    match &target.at {
        DatabaseAt::Postgres(url) => restore_postgres(url, from, force).await,
        DatabaseAt::Sqlite(file) => {
            let dir = file.parent().expect("a data directory");
            restore_database(dir, from, force).await
        }
        _ => unreachable!("two kinds of databases"),
    }
}

/// A new account and its event after a copy get ids after every copied
/// one: the identity sequences continue, nothing clashes.
async fn new_rows_get_fresh_ids(store: &Store) -> TestResult {
    let accounts = store.accounts().await?;
    let events = store.audit_events(&AuditFilter::default()).await?;
    let id = store
        .create_account("apres.copie", "Après la copie", false, &[], &operator())
        .await?;
    assert!(
        accounts.iter().all(|a| a.id < id),
        "the new account's id {id} comes after the copied ones"
    );
    let after = store.audit_events(&AuditFilter::default()).await?;
    assert_eq!(after.len(), events.len() + 1, "one new event");
    let last = events.iter().map(|e| e.id).max().unwrap_or(0);
    assert!(
        after.iter().filter(|e| e.id > last).count() == 1,
        "the new event's id comes after the copied ones"
    );
    Ok(())
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_of_either_kind_row_for_row() -> TestResult {
    let source = shared_store("copy-source").await;
    workshop_path(&source).await?;
    let source_url = source.url().ok_or("a URL")?.to_owned();
    let files = TempDir::new("copy-files");
    let backup = files.0.join("backup.sqlite3");
    let report = source.backup_to(&backup).await?;
    assert_eq!(report.file(), Some(backup.as_path()));
    assert_eq!(report.schema_version, known_schema_version());
    assert!(report.assessments > 0 && report.accounts > 0 && report.audit_events > 10);
    let again = source.backup_to(&backup).await;
    assert!(
        matches!(&again, Err(StoreError::Backup { detail, .. }) if detail.contains("exists already")),
        "a backup never overwrites a file: {again:?}"
    );
    let expected = dump_any(&source_url).await?;
    assert!(
        expected.len() > 100,
        "the path left rows ({})",
        expected.len()
    );
    assert_eq!(
        dump_any(&sqlite_url(&backup)).await?,
        expected,
        "the backup file holds every row of every table"
    );

    // Into an empty SQLite data directory, whatever the source's database.
    let dir = TempDir::new("copy-restored-sqlite");
    restore_database(&dir.0, &backup, false).await?;
    let file = dir.0.join(DATABASE_FILE);
    assert_eq!(dump_any(&sqlite_url(&file)).await?, expected);
    let on_sqlite = Store::open(&dir.0).await?;
    assert_eq!(exports(&source).await?, exports(&on_sqlite).await?);
    new_rows_get_fresh_ids(&on_sqlite).await?;
    on_sqlite.close().await;

    // Into an empty database of the tests' kind (PostgreSQL when set).
    let target = empty_target("copy-restored").await;
    let restored = restore_into(&target, &backup, false).await?;
    assert_eq!(restored.assessments, report.assessments);
    assert_eq!(restored.audit_events, report.audit_events);
    assert_eq!(dump_any(&target.url).await?, expected, "every row");
    assert!(generation(&target.url).await? >= generation(&source_url).await?);
    let other = Store::connect(&target.url).await?;
    assert_eq!(
        exports(&source).await?,
        exports(&other).await?,
        "the same exports and audit trail"
    );
    new_rows_get_fresh_ids(&other).await?;
    other.close().await;

    // A backup of the version before the last migration restores too: it
    // is brought up to date (PostgreSQL: in a copy of the file, before its
    // rows are copied; SQLite: by the next open).
    let older = files.0.join("older.sqlite3");
    std::fs::copy(&backup, &older)?;
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&older);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        for statement in common::UNDO_LAST_MIGRATION {
            conn.execute(*statement).await?;
        }
        conn.close().await?;
    }
    let target = empty_target("copy-restored-older").await;
    restore_into(&target, &older, false).await?;
    let other = Store::connect(&target.url).await?;
    assert_eq!(dump_any(&target.url).await?, expected, "every row");
    assert_eq!(exports(&source).await?, exports(&other).await?);
    other.close().await;
    source.close().await;
    Ok(())
}

#[tokio::test]
async fn migrate_db_copies_a_sqlite_directory_into_the_other_database_and_back() -> TestResult {
    let dir = TempDir::new("copy-sqlite-source");
    let store = Store::open(&dir.0).await?;
    workshop_path(&store).await?;
    let file = dir.0.join(DATABASE_FILE);
    let expected = dump_any(&sqlite_url(&file)).await?;
    let from = DatabaseAt::parse(&dir.0.display().to_string());
    assert_eq!(from, DatabaseAt::Sqlite(file.clone()), "a data directory");

    let target = empty_target("copy-migrated").await;
    let report = migrate_database(&from, &target.at, false).await?;
    assert!(report.assessments > 0 && report.accounts > 0);
    assert_eq!(dump_any(&target.url).await?, expected, "every row");
    assert!(
        generation(&target.url).await? > generation(&sqlite_url(&file)).await?,
        "the generation moves past the source's"
    );
    let other = Store::connect(&target.url).await?;
    assert_eq!(exports(&store).await?, exports(&other).await?);
    assert_eq!(
        other.backend(),
        if on_postgres() {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    );

    // And back, into a new data directory (PostgreSQL → SQLite).
    let back = TempDir::new("copy-back");
    let back_at = DatabaseAt::parse(&back.0.join("nouvelle").display().to_string());
    migrate_database(&target.at, &back_at, false).await?;
    let DatabaseAt::Sqlite(back_file) = &back_at else {
        return Err("a SQLite target".into());
    };
    assert_eq!(dump_any(&sqlite_url(back_file)).await?, expected);

    // Not into itself.
    let itself = migrate_database(&target.at, &target.at, true).await;
    assert!(matches!(itself, Err(StoreError::Invalid(_))), "{itself:?}");
    new_rows_get_fresh_ids(&other).await?;
    other.close().await;
    store.close().await;
    Ok(())
}

/// Records a migration newer than this program's in the SQLite file.
async fn add_future_migration(file: &Path) -> TestResult {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file);
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer version', 1, x'00', 0)",
    )
    .bind(known_schema_version() + 1)
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

#[tokio::test]
async fn refused_copies_leave_the_target_unchanged_and_forced_ones_replace_it() -> TestResult {
    let source = shared_store("copy-refusals").await;
    workshop_path(&source).await?;
    let source_at = DatabaseAt::parse(source.url().ok_or("a URL")?);
    let files = TempDir::new("copy-refusal-files");
    let backup = files.0.join("backup.sqlite3");
    source.backup_to(&backup).await?;
    let expected = dump_any(&sqlite_url(&backup)).await?;

    let target = empty_target("copy-refused").await;
    restore_into(&target, &backup, false).await?;
    // The target moves on after the restore.
    let other = Store::connect(&target.url).await?;
    other
        .create_account("en.plus", "En plus", false, &[], &operator())
        .await?;
    other.close().await;
    let before = dump_any(&target.url).await?;
    assert_ne!(before, expected);

    // A target with data, without --force.
    let refused = restore_into(&target, &backup, false).await;
    assert!(
        matches!(&refused, Err(StoreError::Backup { detail, .. }) if detail.contains("--force")),
        "{refused:?}"
    );
    let refused = migrate_database(&source_at, &target.at, false).await;
    assert!(
        matches!(&refused, Err(StoreError::Backup { detail, .. }) if detail.contains("--force")),
        "{refused:?}"
    );
    assert_eq!(dump_any(&target.url).await?, before, "nothing changed");

    // A backup newer than this program, a file that is no database: even
    // forced, nothing changes.
    let newer = files.0.join("newer.sqlite3");
    std::fs::copy(&backup, &newer)?;
    add_future_migration(&newer).await?;
    let text = files.0.join("notes.txt");
    std::fs::write(&text, "not a database at all, just some text")?;
    for (file, expected) in [
        (&newer, "newer than the"),
        (&text, "not a readable SQLite database"),
        (&files.0.join("missing.sqlite3"), "no such file"),
    ] {
        let refused = restore_into(&target, file, true).await;
        assert!(
            matches!(&refused, Err(StoreError::Backup { detail, .. }) if detail.contains(expected)),
            "{}: {refused:?}",
            file.display()
        );
        assert_eq!(dump_any(&target.url).await?, before, "nothing changed");
    }

    // A source older or newer than this program is not copied.
    let older = files.0.join("older.sqlite3");
    std::fs::copy(&backup, &older)?;
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&older);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        conn.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .await?;
        conn.close().await?;
    }
    let refused = migrate_database(&DatabaseAt::Sqlite(older), &target.at, true).await;
    assert!(
        matches!(&refused, Err(StoreError::Backup { detail, .. }) if detail.contains("start capacity-web on it once")),
        "{refused:?}"
    );
    let refused = migrate_database(&DatabaseAt::Sqlite(newer), &target.at, true).await;
    assert!(
        matches!(&refused, Err(StoreError::SchemaTooNew { .. })),
        "{refused:?}"
    );
    assert_eq!(dump_any(&target.url).await?, before, "nothing changed");

    // Forced, the backup replaces everything, the audit trail included.
    restore_into(&target, &backup, true).await?;
    assert_eq!(dump_any(&target.url).await?, expected);
    migrate_database(&source_at, &target.at, true).await?;
    assert_eq!(dump_any(&target.url).await?, expected);
    // The trail is still append-only afterwards.
    if let DatabaseAt::Postgres(url) = &target.at {
        let mut conn = sqlx::AnyConnection::connect(url).await?;
        for statement in ["DELETE FROM audit_event", "TRUNCATE audit_event"] {
            assert!(
                conn.execute(statement).await.is_err(),
                "{statement} is refused after a forced restore"
            );
        }
        conn.close().await?;
    }
    source.close().await;
    Ok(())
}

#[tokio::test]
async fn opening_refuses_a_newer_schema_on_either_database_and_changes_nothing() -> TestResult {
    let store = shared_store("copy-newer-open").await;
    let url = store.url().ok_or("a URL")?.to_owned();
    let newer = match store.backend() {
        Backend::Postgres => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from a newer version', TRUE, '\\x00'::bytea, 0)"
        }
        _ => {
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from a newer version', 1, x'00', 0)"
        }
    };
    let mut conn = store.plain_connection().await;
    conn.execute(newer).await?;
    conn.close().await?;
    let before = dump_any(&url).await?;
    let opened = Store::connect(&url).await;
    assert!(
        matches!(&opened, Err(StoreError::SchemaTooNew { found: 9999, .. })),
        "{:?}",
        opened.as_ref().err()
    );
    let message = opened.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("newer than the"), "{message}");
    assert_eq!(dump_any(&url).await?, before, "nothing changed");
    store.close().await;
    Ok(())
}

/// The rating's version less the number of its `rating.saved` events in the
/// database `url`: constant in any state of the data a transaction left.
async fn version_less_events(
    url: &str,
    assessment: i64,
    indicator: &str,
    rater: &str,
) -> Result<i64, Box<dyn std::error::Error>> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let version: i64 = sqlx::query_scalar(
        "SELECT version FROM rating WHERE assessment_id = $1 AND indicator_id = $2 AND rater_id = $3",
    )
    .bind(assessment)
    .bind(indicator)
    .bind(rater)
    .fetch_one(&mut conn)
    .await?;
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_event WHERE kind = 'rating.saved' AND assessment_id = $1 \
         AND indicator = $2",
    )
    .bind(assessment)
    .bind(indicator)
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    Ok(version - events)
}

#[tokio::test]
async fn backups_taken_during_saves_each_hold_one_state_of_the_data() -> TestResult {
    let source = shared_store("copy-busy").await;
    workshop_path(&source).await?;
    let url = source.url().ok_or("a URL")?.to_owned();
    let open = source
        .list_assessments(&Default::default())
        .await?
        .into_iter()
        .find(|h| !h.finalised)
        .ok_or("an open sample")?;
    let stored = source.assessment(open.id).await?.ok_or("stored")?;
    let answer = stored
        .assessment
        .answers
        .iter()
        .find(|a| a.ratings.len() == 1)
        .or_else(|| {
            stored
                .assessment
                .answers
                .iter()
                .find(|a| !a.ratings.is_empty())
        })
        .ok_or("a rating")?;
    let rating = answer.ratings.first().ok_or("a rating")?;
    let (indicator, rater, level) = (
        answer.indicator.clone(),
        rating.rater.clone(),
        rating.level.clone(),
    );
    let mut version = stored.versions.rating(&indicator, &rater);
    let writer = source.another_handle().await;
    let (i2, r2) = (indicator.clone(), rater.clone());
    let saves = tokio::spawn(async move {
        for n in 0..30 {
            let input = capacity_store::RatingInput {
                level: level.clone(),
                evidence: Some(format!("note {n}")),
                refs: vec![],
            };
            version = writer
                .save_rating(open.id, &i2, &r2, &input, version, &operator())
                .await
                .map_err(|e| e.to_string())?
                .version;
        }
        writer.close().await;
        Ok::<_, String>(())
    });
    let files = TempDir::new("copy-busy-files");
    let mut backups = Vec::new();
    for n in 0..3 {
        let file = files.0.join(format!("during-{n}.sqlite3"));
        source.backup_to(&file).await?;
        backups.push(file);
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    saves.await?.map_err(|e| format!("a save failed: {e}"))?;
    let settled = version_less_events(&url, open.id, &indicator, &rater).await?;
    for file in &backups {
        assert_eq!(
            version_less_events(&sqlite_url(file), open.id, &indicator, &rater).await?,
            settled,
            "{}: the rating and its events come from one state",
            file.display()
        );
    }
    source.close().await;
    Ok(())
}
