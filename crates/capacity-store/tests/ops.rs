//! Operating the database: backups taken while it is in use and restored
//! into an empty data directory give back exactly the same data and audit
//! trail; a restore refuses what is not a commune-capacity database of a
//! known schema and never overwrites data unless forced; opening backs up
//! a database before pending migrations and refuses a newer schema; flash
//! values come back by token until they expire (or once, when taken).

use std::path::{Path, PathBuf};
use std::time::Duration;

use capacity_store::{
    Audit, AuditFilter, BACKUPS_DIR, DATABASE_FILE, RatingInput, Store, StoreError,
    backup_database, known_schema_version, restore_database,
};
use sqlx::{Connection, SqliteConnection};

mod common;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A fresh directory under the system's temporary one.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capacity-ops-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

fn facilitator() -> Audit {
    Audit {
        actor_id: None,
        actor: "Mariam (facilitatrice)".into(),
        request_id: "req-ops".into(),
        address: "192.168.1.10".into(),
    }
}

/// A store at `dir` holding the whole workshop path
/// ([`common::workshop_path`]).
async fn workshop_path(dir: &Path) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::open(dir).await?;
    common::workshop_path(&store).await?;
    Ok(store)
}

/// Every row of every table of the database file, as SQL literals, sorted:
/// two databases with equal dumps hold the same data.
async fn dump(file: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await?;
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&mut conn)
                .await?;
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let mut rows: Vec<String> = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\""))
            .fetch_all(&mut conn)
            .await?;
        rows.sort();
        out.push(format!("{table}: {} rows", rows.len()));
        out.extend(rows.into_iter().map(|r| format!("{table}: {r}")));
    }
    conn.close().await?;
    Ok(out)
}

#[tokio::test]
async fn a_backup_restored_into_an_empty_directory_gives_back_the_same_data_and_trail() -> TestResult
{
    let live = temp_dir("live");
    let store = workshop_path(&live).await?;
    let events = store.audit_events(&AuditFilter::default()).await?.len();
    assert!(events > 10, "the path left its events ({events})");

    // Both ways of backing up while the database is open (WAL): through
    // the running store, and from the data directory by another process.
    let copies = temp_dir("copies");
    let in_process = copies.join("through-the-store.sqlite3");
    let outside = copies.join("from-the-directory.sqlite3");
    let report = store.backup_to(&in_process).await?;
    assert_eq!(report.schema_version, known_schema_version());
    assert_eq!(report.audit_events, i64::try_from(events)?);
    backup_database(&live, &outside).await?;
    // A backup never overwrites a file.
    let again = store.backup_to(&in_process).await;
    assert!(
        matches!(&again, Err(StoreError::Backup { detail, .. }) if detail.contains("exists already")),
        "{again:?}"
    );

    for (name, backup) in [("store", &in_process), ("directory", &outside)] {
        let empty = temp_dir(&format!("restored-{name}"));
        let restored = restore_database(&empty, backup, false).await?;
        assert_eq!(restored.file(), Some(empty.join(DATABASE_FILE).as_path()));
        assert_eq!(
            dump(&live.join(DATABASE_FILE)).await?,
            dump(restored.file().ok_or("a file")?).await?,
            "every table, row for row ({name})"
        );
        let other = Store::open(&empty).await?;
        assert_eq!(
            common::exports(&store).await?,
            common::exports(&other).await?,
            "exports and audit trail ({name})"
        );
        assert!(
            !empty.join(BACKUPS_DIR).exists(),
            "a current schema is not backed up again at open"
        );
        other.close().await;
        let _ = std::fs::remove_dir_all(&empty);
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&live);
    let _ = std::fs::remove_dir_all(&copies);
    Ok(())
}

#[tokio::test]
async fn a_backup_taken_during_saves_is_whole_and_restores() -> TestResult {
    let live = temp_dir("busy");
    let store = workshop_path(&live).await?;
    let open = store
        .list_assessments(&Default::default())
        .await?
        .into_iter()
        .find(|h| !h.finalised)
        .ok_or("an open sample")?;
    let stored = store.assessment(open.id).await?.ok_or("stored")?;
    let answer = stored
        .assessment
        .answers
        .iter()
        .find(|a| !a.ratings.is_empty())
        .ok_or("a rating")?;
    let (indicator, rater) = (
        answer.indicator.clone(),
        answer.ratings.first().ok_or("a rating")?.rater.clone(),
    );
    let mut version = stored.versions.rating(&indicator, &rater);
    let level = answer.ratings.first().ok_or("a rating")?.level.clone();
    let writer = store.clone();
    let saves = tokio::spawn(async move {
        let mut done = 0;
        for i in 0..40 {
            let input = RatingInput {
                level: level.clone(),
                evidence: Some(format!("note {i}")),
                refs: vec![],
            };
            match writer
                .save_rating(open.id, &indicator, &rater, &input, version, &facilitator())
                .await
            {
                Ok(v) => {
                    version = v.version;
                    done += 1;
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(done)
    });
    let copies = temp_dir("busy-copies");
    let mut reports = Vec::new();
    for n in 0..3 {
        let file = copies.join(format!("during-{n}.sqlite3"));
        reports.push(backup_database(&live, &file).await?);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let done = saves.await?.map_err(|e| format!("a save failed: {e}"))?;
    assert_eq!(done, 40, "no save failed while backups ran");
    let total = store.audit_events(&AuditFilter::default()).await?.len();
    for report in &reports {
        let empty = temp_dir("busy-restored");
        let restored = restore_database(&empty, report.file().ok_or("a file")?, false).await?;
        let other = Store::open(&empty).await?;
        let events = other.audit_events(&AuditFilter::default()).await?;
        assert_eq!(i64::try_from(events.len())?, restored.audit_events);
        assert!(events.len() <= total);
        other.close().await;
        let _ = std::fs::remove_dir_all(&empty);
    }
    store.close().await;
    let _ = std::fs::remove_dir_all(&live);
    let _ = std::fs::remove_dir_all(&copies);
    Ok(())
}

#[tokio::test]
async fn a_restore_refuses_to_overwrite_data_and_what_is_not_ours() -> TestResult {
    let live = temp_dir("refusals");
    let store = workshop_path(&live).await?;
    let copies = temp_dir("refusal-copies");
    let backup = copies.join("good.sqlite3");
    store.backup_to(&backup).await?;
    let before = dump(&live.join(DATABASE_FILE)).await?;

    // A database with data is not replaced without --force.
    let refused = restore_database(&live, &backup, false).await;
    assert!(
        matches!(&refused, Err(StoreError::Backup { detail, .. })
            if detail.contains("--force") && detail.contains("assessments")),
        "{refused:?}"
    );
    assert_eq!(dump(&live.join(DATABASE_FILE)).await?, before);

    // A file that is no database, and a database that is not ours.
    let text = copies.join("notes.txt");
    std::fs::write(&text, "not a database at all, just some text")?;
    let foreign = copies.join("foreign.sqlite3");
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&foreign)
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        sqlx::query("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
    }
    // A backup of a newer schema.
    let newer = copies.join("newer.sqlite3");
    store.backup_to(&newer).await?;
    add_future_migration(&newer).await?;
    let empty = temp_dir("refusal-empty");
    for (file, expected) in [
        (&text, "not a readable SQLite database"),
        (&foreign, "not a commune-capacity database"),
        (&newer, "newer than the"),
        (&copies.join("missing.sqlite3"), "no such file"),
    ] {
        let refused = restore_database(&empty, file, false).await;
        assert!(
            matches!(&refused, Err(StoreError::Backup { detail, .. }) if detail.contains(expected)),
            "{}: {refused:?}",
            file.display()
        );
        assert_eq!(
            std::fs::read_dir(&empty)?.count(),
            0,
            "nothing is left in the directory after a refusal"
        );
    }

    // Forced, the backup replaces the database (servers stopped).
    store.close().await;
    let fresh = temp_dir("refusal-fresh");
    let other = Store::open(&fresh).await?;
    other.close().await;
    let replaced = restore_database(&fresh, &backup, false).await?;
    assert!(
        replaced.assessments > 0,
        "a database without data is replaced"
    );
    let forced = restore_database(&live, &backup, true).await?;
    assert_eq!(forced.audit_events, replaced.audit_events);
    for dir in [&live, &copies, &empty, &fresh] {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// Records a migration newer than this program's in the database `file`.
async fn add_future_migration(file: &Path) -> TestResult {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file);
    let mut conn = SqliteConnection::connect_with(&options).await?;
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
async fn opening_refuses_a_newer_schema_and_changes_nothing() -> TestResult {
    let dir = temp_dir("newer");
    let store = workshop_path(&dir).await?;
    store.close().await;
    let file = dir.join(DATABASE_FILE);
    add_future_migration(&file).await?;
    let before = dump(&file).await?;
    let refused = Store::open(&dir).await;
    let Err(e) = refused else {
        return Err("a newer schema was opened".into());
    };
    assert!(
        matches!(e, StoreError::SchemaTooNew { found, known, .. } if found == known + 1),
        "{e:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains("newer") && message.contains("restore"),
        "{message}"
    );
    assert_eq!(dump(&file).await?, before, "nothing changed");
    assert!(!dir.join(BACKUPS_DIR).exists(), "no backup either");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::test]
async fn pending_migrations_run_after_a_backup_of_the_database_as_it_was() -> TestResult {
    let dir = temp_dir("pending");
    let store = workshop_path(&dir).await?;
    store.close().await;
    // The database as the previous version left it: without the last
    // migration's work and record.
    let file = dir.join(DATABASE_FILE);
    let latest = known_schema_version();
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&file);
        let mut conn = SqliteConnection::connect_with(&options).await?;
        for statement in common::UNDO_LAST_MIGRATION {
            sqlx::query(statement).execute(&mut conn).await?;
        }
        conn.close().await?;
    }
    let before = dump(&file).await?;
    let store = Store::open(&dir).await?;
    let backups: Vec<PathBuf> = std::fs::read_dir(dir.join(BACKUPS_DIR))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    let name = backups[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        name.starts_with(&format!("before-{latest:04}-")) && name.ends_with(".sqlite3"),
        "{name}"
    );
    assert_eq!(
        dump(&backups[0]).await?,
        before,
        "the backup is the database as it was"
    );
    store.close().await;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&file);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let applied: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1")
            .bind(latest)
            .fetch_one(&mut conn)
            .await?;
    conn.close().await?;
    assert_eq!(applied, 1, "the migration ran");
    // Opening again: nothing pending, no new backup.
    let store = Store::open(&dir).await?;
    store.close().await;
    assert_eq!(std::fs::read_dir(dir.join(BACKUPS_DIR))?.count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::test]
async fn flash_values_come_back_by_token_until_they_expire() -> TestResult {
    let store = Store::open_in_memory().await?;
    let minute = Duration::from_secs(60);
    store
        .keep_flash("t1", "error", "{\"a\":1}", minute, 8)
        .await?;
    assert_eq!(
        store.flash("t1", "error").await?.as_deref(),
        Some("{\"a\":1}")
    );
    assert_eq!(
        store.flash("t1", "error").await?.as_deref(),
        Some("{\"a\":1}"),
        "read twice (a page reads its error in two places)"
    );
    assert_eq!(store.flash("t1", "link").await?, None, "another kind");
    assert_eq!(store.flash("nope", "error").await?, None);
    store
        .keep_flash("t2", "link", "\"secret\"", minute, 8)
        .await?;
    assert_eq!(
        store.take_flash("t2", "link").await?.as_deref(),
        Some("\"secret\"")
    );
    assert_eq!(store.take_flash("t2", "link").await?, None, "single use");
    store
        .keep_flash("t3", "error", "1", Duration::ZERO, 8)
        .await?;
    assert_eq!(store.flash("t3", "error").await?, None, "expired");
    for i in 0..5 {
        store
            .keep_flash(&format!("many{i}"), "plan", "2", minute, 3)
            .await?;
    }
    let mut kept = 0;
    for i in 0..5 {
        kept += usize::from(store.flash(&format!("many{i}"), "plan").await?.is_some());
    }
    assert_eq!(kept, 3, "at most three of a kind are kept");
    assert!(
        store.flash("t1", "error").await?.is_some(),
        "other kinds stay"
    );
    Ok(())
}
