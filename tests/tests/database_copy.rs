//! Moving a whole database with the real binary, as an operator does:
//! `capacity-web backup` of a server's database (PostgreSQL when the tests
//! run on it: a SQLite file written by the table copy) restored with
//! `capacity-web restore` into an empty database, and `capacity-web
//! migrate-db` from a SQLite data directory into the tests' database. A
//! server on the copy then hands out the same assessment file, plan CSV
//! and XLSX, comparison CSV and audit trail (CSV and history) as the
//! original, and an account of the original logs in there.
//!
//! On PostgreSQL (`.ci/with-postgres`, which `./x test` runs this file
//! under) the targets are new databases of the throwaway cluster; without
//! it, the same commands run from SQLite into SQLite.

use std::path::{Path, PathBuf};
use std::process::Output;

use capacity_e2e::{Result, Server, ensure, send_as, server_fn_request};

/// Runs a command of the binary on the database of `data_dir` (the one
/// [`Server::start_plain`] then serves).
fn command(data_dir: &Path, args: &[&str]) -> Result<Output> {
    Ok(Server::command(data_dir)?
        .args(args)
        .env("RUST_LOG", "warn")
        .output()?)
}

fn succeeded(what: &str, out: &Output) -> Result {
    ensure!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

fn call(addr: &str, cookie: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<String> {
    let r = send_as(addr, Some(cookie), &server_fn_request(addr, endpoint, args))?;
    ensure!(r.status == 200, "{endpoint}: {} {}", r.status, r.body);
    Ok(r.body)
}

fn get(addr: &str, cookie: &str, path: &str) -> Result<Vec<u8>> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let r = send_as(addr, Some(cookie), request.as_bytes())?;
    ensure!(r.status == 200, "{addr}{path}: {} {}", r.status, r.body);
    Ok(r.bytes)
}

/// Every cell of every sheet of an XLSX (its bytes hold the time it was
/// written, its cells do not).
fn cells(bytes: &[u8]) -> Result<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        for row in range.rows() {
            out.push(format!(
                "{name}: {}",
                row.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
    }
    Ok(out)
}

/// The whole workshop path of a new assessment, over plain HTTP as the
/// demo facilitator does it: created with two raters, both rate, the
/// consensus, an action of the plan dropped, a council action added,
/// finalised (provisional). Answers its id.
fn workshop_path(server: &Server) -> Result<String> {
    let addr = server.addr();
    let facilitator = server.login("animateur")?;
    let id = call(
        &addr,
        &facilitator,
        "create_assessment",
        &[
            ("commune", "ml-mopti-bandiagara"),
            ("campaign", "demo"),
            ("date", "2026-02-10"),
            ("rater_name[0]", "Awa Guindo"),
            ("rater_role[0]", "elected"),
            ("rater_name[1]", "Oumar Tembely"),
            ("rater_role[1]", "staff"),
        ],
    )?
    .trim()
    .to_owned();
    let entry: serde_json::Value = serde_json::from_str(&call(
        &addr,
        &facilitator,
        "load_entry",
        &[("id", &id), ("rater", "r1"), ("competency", "")],
    )?)?;
    let indicator = entry["indicators"][0]["id"]
        .as_str()
        .ok_or("indicator")?
        .to_owned();
    let level = entry["levels"][0]["code"]
        .as_str()
        .ok_or("level")?
        .to_owned();
    for (rater, evidence) in [("r1", "registre de 2025"), ("r2", "procès-verbal n° 4")] {
        call(
            &addr,
            &facilitator,
            "save_rating",
            &[
                ("id", &id),
                ("indicator", &indicator),
                ("rater", rater),
                ("level", &level),
                ("evidence", evidence),
                ("version", "0"),
            ],
        )?;
    }
    call(
        &addr,
        &facilitator,
        "save_consensus",
        &[
            ("id", &id),
            ("competency", ""),
            (&format!("level[{indicator}]"), &level),
            (
                &format!("justification[{indicator}]"),
                "accord de l'atelier",
            ),
            (&format!("comment[{indicator}]"), ""),
            (&format!("version[{indicator}]"), "0"),
        ],
    )?;
    let plan: serde_json::Value = serde_json::from_str(&call(
        &addr,
        &facilitator,
        "load_plan",
        &[("id", &id), ("outcome", "")],
    )?)?;
    if let Some(key) = plan["domains"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["competencies"].as_array().into_iter().flatten())
        .flat_map(|c| c["goals"].as_array().into_iter().flatten())
        .flat_map(|g| g["actions"].as_array().into_iter().flatten())
        .find_map(|a| a["key"].as_str())
    {
        call(
            &addr,
            &facilitator,
            "save_plan",
            &[
                ("id", &id),
                (&format!("decision[{key}]"), "drop"),
                (&format!("was_decision[{key}]"), "proposed"),
                (&format!("cost[{key}]"), ""),
                (&format!("was_cost[{key}]"), ""),
                (&format!("version[{key}]"), "0"),
            ],
        )?;
    }
    call(
        &addr,
        &facilitator,
        "add_council_action",
        &[
            ("id", &id),
            ("indicator", &indicator),
            ("title", "Former l'agent d'état civil"),
            ("cost", "40000"),
            ("horizon", "short"),
            ("responsible", "Secrétaire général"),
        ],
    )?;
    let overview: serde_json::Value =
        serde_json::from_str(&call(&addr, &facilitator, "load_overview", &[("id", &id)])?)?;
    let version = overview["header"]["version"]
        .as_i64()
        .ok_or("version")?
        .to_string();
    call(
        &addr,
        &facilitator,
        "finalise_assessment",
        &[
            ("id", &id),
            ("version", &version),
            ("confirm", "1"),
            ("provisional", "1"),
            ("reason", "atelier interrompu"),
        ],
    )?;
    Ok(id)
}

/// What an administrator downloads from a server about the path's
/// assessment `id` and a sample one, and the comparison of every commune.
fn downloads(server: &Server, id: &str) -> Result<Vec<(String, Vec<String>)>> {
    let addr = server.addr();
    let admin = server.login("admin")?;
    // The comparison of the first sample's campaign (the implicit one of
    // its rubric and round; the path's own assessment, provisional, is not
    // eligible in the demonstration campaign).
    let sample: serde_json::Value =
        serde_json::from_str(&call(&addr, &admin, "load_overview", &[("id", "1")])?)?;
    let header = &sample["header"];
    let campaign = format!(
        "{}-{}",
        header["rubric"].as_str().ok_or("rubric")?,
        header["round"].as_str().ok_or("round")?
    );
    let mut out = Vec::new();
    for path in [
        format!("/evaluations/{id}/evaluation.toml"),
        format!("/evaluations/{id}/plan.csv"),
        format!("/evaluations/{id}/historique.csv"),
        "/evaluations/1/evaluation.toml".to_owned(),
        "/evaluations/1/historique.csv".to_owned(),
        format!("/comparer/export.csv?campaign={campaign}"),
    ] {
        let body = get(&addr, &admin, &path)?;
        let text = String::from_utf8_lossy(&body);
        out.push((path, text.lines().map(str::to_owned).collect()));
    }
    for path in [
        format!("/evaluations/{id}/plan.xlsx"),
        format!("/comparer/export.xlsx?campaign={campaign}"),
    ] {
        let body = get(&addr, &admin, &path)?;
        out.push((path, cells(&body)?));
    }
    let history = call(&addr, &admin, "load_history", &[("id", id)])?;
    out.push(("load_history".to_owned(), vec![history]));
    Ok(out)
}

/// Both servers hand out the same downloads, and the path's trail is there.
fn same_downloads(original: &Server, copy: &Server, id: &str) -> Result {
    let expected = downloads(original, id)?;
    let found = downloads(copy, id)?;
    for ((path, a), (_, b)) in expected.iter().zip(&found) {
        ensure!(a == b, "{path} differs on the copy:\n{a:?}\n{b:?}");
    }
    let trail = expected
        .iter()
        .find(|(p, _)| p.ends_with(&format!("{id}/historique.csv")))
        .ok_or("trail")?;
    ensure!(
        trail.1.len() >= 8,
        "the path's events are in its trail: {:?}",
        trail.1
    );
    Ok(())
}

/// The command wrote into the database the tests run on: the PostgreSQL
/// one when they run on PostgreSQL (its URL in the report), else a SQLite
/// file.
fn went_to_the_tests_database(what: &str, out: &Output) -> Result {
    let report = String::from_utf8_lossy(&out.stdout);
    let on_postgres = std::env::var(capacity_e2e::POSTGRES_URL).is_ok_and(|u| !u.trim().is_empty());
    let expected = if on_postgres {
        "postgres://"
    } else {
        ".sqlite3"
    };
    ensure!(report.contains(expected), "{what} went elsewhere: {report}");
    Ok(())
}

/// A new, empty directory for a copy (its database is made by the command).
fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capacity-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn a_backup_restored_into_an_empty_database_serves_the_same_exports_and_trail() -> Result {
    let server = Server::start_as(None)?;
    let id = workshop_path(&server)?;
    let work = empty_dir("copy-files");
    std::fs::create_dir_all(&work)?;
    let backup = work.join("capacity-backup.sqlite3");
    let backup_arg = backup.display().to_string();
    // While the server runs.
    let out = command(&server.data_dir, &["backup", "--to", &backup_arg])?;
    succeeded("backup", &out)?;
    ensure!(
        String::from_utf8_lossy(&out.stdout).contains("Backup written"),
        "backup report: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Into an empty database, then served.
    let empty = empty_dir("copy-restored");
    let out = command(&empty, &["restore", "--from", &backup_arg])?;
    succeeded("restore", &out)?;
    went_to_the_tests_database("restore", &out)?;
    // Not twice without --force: it holds data now.
    let again = command(&empty, &["restore", "--from", &backup_arg])?;
    ensure!(
        !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--force"),
        "a second restore: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    std::fs::create_dir_all(&empty)?;
    std::fs::copy(
        server.data_dir.join("demo-accounts.txt"),
        empty.join("demo-accounts.txt"),
    )?;
    let restored = Server::start_plain(empty)?;
    same_downloads(&server, &restored, &id)?;
    drop(restored);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

#[test]
fn migrate_db_moves_a_sqlite_directory_to_the_database_of_the_servers() -> Result {
    let server = Server::start_on_sqlite_as(None)?;
    let id = workshop_path(&server)?;
    let target = empty_dir("copy-moved");
    std::fs::create_dir_all(&target)?;
    let from = server.data_dir.display().to_string();
    // The target is the configured database (--database-url on PostgreSQL,
    // else the data directory's file).
    let out = command(&target, &["migrate-db", "--from", &from])?;
    succeeded("migrate-db", &out)?;
    went_to_the_tests_database("migrate-db", &out)?;
    let again = command(&target, &["migrate-db", "--from", &from])?;
    ensure!(
        !again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--force"),
        "a second move: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    std::fs::copy(
        server.data_dir.join("demo-accounts.txt"),
        target.join("demo-accounts.txt"),
    )?;
    let moved = Server::start_plain(target)?;
    // An account of the SQLite side logs in, and sees the same data.
    let facilitator = moved.login("animateur")?;
    ensure!(
        String::from_utf8_lossy(&get(&moved.addr(), &facilitator, "/")?).contains("<html"),
        "the facilitator's home page"
    );
    same_downloads(&server, &moved, &id)?;
    Ok(())
}
