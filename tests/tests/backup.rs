//! `capacity-web backup` and `capacity-web restore`, as an operator runs
//! them: a backup taken while the server runs and saves, never over an
//! existing file; a restore refused over a database with data; a restore
//! into an empty data directory that a new server then serves with the
//! same ratings, plan download and audit trail as the original.

use std::path::Path;
use std::process::{Command, Output};

use capacity_e2e::{Result, Server, ensure, page_as, send_as, server_fn_request};

fn run(data_dir: &Path, args: &[&str]) -> Result<Output> {
    Ok(Command::new(Server::binary())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()?)
}

fn call(addr: &str, cookie: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<String> {
    let r = send_as(addr, Some(cookie), &server_fn_request(addr, endpoint, args))?;
    ensure!(r.status == 200, "{endpoint}: {} {}", r.status, r.body);
    Ok(r.body)
}

#[test]
fn a_backup_taken_while_serving_restores_into_an_empty_directory() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let facilitator = server.login("animateur")?;
    let created = call(
        &addr,
        &facilitator,
        "create_assessment",
        &[
            ("commune", "ml-mopti-bandiagara"),
            ("campaign", "demo"),
            ("date", "2026-02-10"),
            ("rater_name[0]", "Awa Guindo"),
            ("rater_role[0]", "elected"),
        ],
    )?;
    let id = created.trim().to_owned();
    let entry: serde_json::Value = serde_json::from_str(&call(
        &addr,
        &facilitator,
        "load_entry",
        &[("id", &id), ("rater", "r1"), ("competency", "")],
    )?)?;
    let indicator = entry["indicators"][0]["id"].as_str().ok_or("indicator")?;
    let level = entry["levels"][0]["code"].as_str().ok_or("level")?;
    let marker = "registre-de-sauvegarde-2026";
    call(
        &addr,
        &facilitator,
        "save_rating",
        &[
            ("id", &id),
            ("indicator", indicator),
            ("rater", "r1"),
            ("level", level),
            ("evidence", marker),
            ("version", "0"),
        ],
    )?;

    let work = std::env::temp_dir().join(format!("capacity-e2e-backup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let backup = work.join("capacity-backup.sqlite3");
    let backup_arg = backup.display().to_string();
    // While the server runs.
    let out = run(&server.data_dir, &["backup", "--to", &backup_arg])?;
    ensure!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        String::from_utf8_lossy(&out.stdout).contains("Backup written"),
        "backup report: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let again = run(&server.data_dir, &["backup", "--to", &backup_arg])?;
    ensure!(
        !again.status.success()
            && String::from_utf8_lossy(&again.stderr).contains("exists already"),
        "a second backup to the same file: {}",
        String::from_utf8_lossy(&again.stderr)
    );

    // Not over a database with data.
    let refused = run(&server.data_dir, &["restore", "--from", &backup_arg])?;
    let message = String::from_utf8_lossy(&refused.stderr);
    ensure!(
        !refused.status.success() && message.contains("--force"),
        "restore over data: {message}"
    );
    ensure!(
        page_as(&addr, &facilitator, "/")?.contains("<html"),
        "the server still serves"
    );

    // Into an empty directory, then served by a new server.
    let empty = work.join("restored");
    let out = run(&empty, &["restore", "--from", &backup_arg])?;
    ensure!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(
        server.data_dir.join("demo-accounts.txt"),
        empty.join("demo-accounts.txt"),
    )?;
    let restored = Server::start_plain(empty)?;
    let raddr = restored.addr();
    let again = restored.login("animateur")?;
    for path in [
        format!("/evaluations/{id}/saisie?rater=r1&competence="),
        format!("/evaluations/{id}/plan.csv"),
        format!("/evaluations/{id}/historique.csv"),
    ] {
        let original = page_as(&addr, &facilitator, &path)?;
        let copy = page_as(&raddr, &again, &path)?;
        if path.contains("saisie") {
            ensure!(copy.contains(marker), "the rating is restored");
        } else {
            ensure!(original == copy, "{path} differs after the restore");
        }
    }
    drop(restored);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

/// Runs `sql` on the database file of `data_dir` (the server stopped).
fn alter(data_dir: &Path, sql: &[&str]) -> Result {
    use sqlx::Connection;
    let file = data_dir.join("capacity.sqlite3");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&file);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        for statement in sql {
            sqlx::query(statement).execute(&mut conn).await?;
        }
        conn.close().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}

#[test]
fn a_start_backs_up_before_migrating_and_refuses_a_newer_schema() -> Result {
    let mut server = Server::start_as(None)?;
    let addr = server.addr();
    server.stop();
    // The database as the version before the last migration
    // (0010_assessment_commune_index.sql) left it: the store tests'
    // `UNDO_LAST_MIGRATION`.
    alter(
        &server.data_dir,
        &[
            "DROP INDEX assessment_commune",
            "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
        ],
    )?;
    server.resume()?;
    let backups: Vec<String> = std::fs::read_dir(server.data_dir.join("backups"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    ensure!(
        backups.len() == 1 && backups[0].starts_with("before-") && backups[0].ends_with(".sqlite3"),
        "one backup before the migration: {backups:?}"
    );
    let (status, _) = capacity_e2e::http_get(&addr, "/ready")?;
    ensure!(status == 200, "ready after the migration: {status}");
    server.stop();

    // A newer version's database: the start is refused, nothing changed.
    alter(
        &server.data_dir,
        &[
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
           VALUES (9999, 'from a newer version', 1, x'00', 0)",
        ],
    )?;
    let site = capacity_e2e::target_dir().join("site");
    let out = Command::new(Server::binary())
        .arg("--data-dir")
        .arg(&server.data_dir)
        .arg("--site-root")
        .arg(&site)
        .arg("--port")
        .arg("0")
        .env("RUST_LOG", "off")
        .output()?;
    let message = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "a newer schema was served");
    ensure!(
        message.contains("schema version 9999") && message.contains("newer"),
        "the message says why: {message}"
    );
    ensure!(
        std::fs::read_dir(server.data_dir.join("backups"))?.count() == 1,
        "no backup of a refused database"
    );
    Ok(())
}
