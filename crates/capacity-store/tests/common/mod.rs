//! The database the store tests run on: SQLite by default, PostgreSQL when
//! `CAPACITY_TEST_POSTGRES_URL` names a server (`postgres://user@host:port/db`,
//! the database being one to connect to for creating others, e.g.
//! `postgres`). Every test then gets a database of its own, created for it
//! and dropped when the test ends. `.ci/with-postgres` starts a throwaway
//! server and sets the variable: `./x test` runs the store tests once on
//! each database, with the same test bodies.

// Each test file uses the part it needs.
#![allow(dead_code)]

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use capacity::{Answer, Consensus};
use capacity_store::{
    Audit, AuditFilter, Backend, DATABASE_FILE, LevelInput, NewCampaign, NewCouncilAction,
    NewGrant, RatingInput, Store,
};
use sqlx::{Connection, Executor};

/// What makes a SQLite database of this version one the previous version
/// left: the last migration (`0010_assessment_commune_index.sql`) undone
/// and its record deleted. Change it with each new last migration (the
/// browser tests' `backup.rs` holds the same list).
pub const UNDO_LAST_MIGRATION: &[&str] = &[
    "DROP INDEX assessment_commune",
    "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
];

/// The variable naming the PostgreSQL server of the tests.
pub const POSTGRES_URL: &str = "CAPACITY_TEST_POSTGRES_URL";

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "capacity-store-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A store on a database of its own, which goes when this does.
pub struct TestStore {
    store: Store,
    /// Where another handle or a plain connection reaches the same data
    /// (`None` for an in-memory database).
    url: Option<String>,
    /// PostgreSQL: the server URL and the test's database, dropped on drop.
    postgres: Option<(String, String)>,
    _dir: Option<TempDir>,
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// Which database the tests run on.
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The URL of this test's database, for a second handle or a plain
    /// connection (`None` for an in-memory SQLite database).
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// A second handle on the same database, as another process would
    /// open it.
    pub async fn another_handle(&self) -> Store {
        let url = self
            .url
            .as_deref()
            .expect("an in-memory store has no second handle");
        Store::connect(url).await.expect("second handle")
    }

    /// A plain connection of the `Any` driver to the same database, to
    /// write as the schema has it.
    pub async fn plain_connection(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = self.url.as_deref().expect("an in-memory store has no URL");
        sqlx::AnyConnection::connect(url)
            .await
            .expect("plain connection")
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // No async drop: a thread of its own runs the DROP DATABASE (which
        // ends the store's connections first).
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&server).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await?;
                conn.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

/// The server URL of the tests' PostgreSQL, if set.
fn postgres_server() -> Option<String> {
    std::env::var(POSTGRES_URL)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A new empty database on the tests' PostgreSQL server, and the store on it.
async fn postgres_store(server: String, name: &str) -> TestStore {
    static N: AtomicU32 = AtomicU32::new(0);
    let database = format!(
        "capacity_test_{}_{}_{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL}={server}: {e}"));
    conn.execute(format!("CREATE DATABASE \"{database}\"").as_str())
        .await
        .expect("create the test database");
    conn.close().await.expect("close");
    let (base, _) = server
        .split_once('?')
        .map_or((server.as_str(), ""), |(b, q)| (b, q));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    let url = format!("{base}/{database}");
    let store = Store::connect(&url).await.expect("store on PostgreSQL");
    TestStore {
        store,
        url: Some(url),
        postgres: Some((server, database)),
        _dir: None,
    }
}

/// A store on an empty database: in memory on SQLite, or a database of its
/// own on the tests' PostgreSQL.
pub async fn store() -> TestStore {
    if let Some(server) = postgres_server() {
        return postgres_store(server, "memory").await;
    }
    TestStore {
        store: Store::open_in_memory().await.expect("store"),
        url: None,
        postgres: None,
        _dir: None,
    }
}

/// A store on an empty database that other handles and connections can
/// reach: a file in a temporary directory on SQLite (named `name`), or a
/// database of its own on the tests' PostgreSQL.
pub async fn shared_store(name: &str) -> TestStore {
    if let Some(server) = postgres_server() {
        return postgres_store(server, name).await;
    }
    let dir = TempDir::new(name);
    let store = Store::open(&dir.0).await.expect("open");
    let url = format!("sqlite://{}", dir.0.join(DATABASE_FILE).display());
    TestStore {
        store,
        url: Some(url),
        postgres: None,
        _dir: Some(dir),
    }
}

fn files(sub: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assessments")
        .join(sub);
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("assessments directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("readable file"))
        })
        .collect();
    out.sort();
    out
}

/// Fills `store` (empty) with the sample data and the whole workshop path
/// of the example assessment written through the store: ratings, consensus,
/// a plan adjustment, a council action, finalising, a declared campaign,
/// an account, and a completed independent verification.
pub async fn workshop_path(store: &Store) -> Result<i64, Box<dyn std::error::Error>> {
    let rubrics = files("rubrics");
    let samples = files("samples");
    store
        .seed(
            rubrics.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            samples.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        )
        .await?;
    let audit = Audit {
        actor_id: None,
        actor: "Mariam (facilitatrice)".into(),
        request_id: "req-path".into(),
        address: "192.168.1.10".into(),
    };
    let rubric = capacity::CompiledRubric::from_toml(capacity::example::RUBRIC)?;
    store
        .put_rubric(rubric.rubric(), capacity::example::RUBRIC, &audit)
        .await?;
    let (assessment, _) = rubric.resolve_toml(capacity::example::ASSESSMENT)?;
    store.upsert_commune(&assessment.commune, &audit).await?;
    store
        .create_campaign(
            &NewCampaign {
                id: "c2024".into(),
                label: "2024".into(),
                rubric_id: assessment.rubric.clone(),
                rubric_version: assessment.rubric_version.clone(),
                starts: "2024-01-01".into(),
                ends: "2024-12-31".into(),
                verification_required: true,
                communes: vec![assessment.commune.id.clone()],
            },
            &audit,
        )
        .await?;
    let id = store
        .insert_assessment_in(&assessment, Some("c2024"), &audit)
        .await?;
    let stored = store.assessment(id).await?.ok_or("stored")?;
    let v = store
        .save_rating(
            id,
            "ADM-EC-02",
            "r1",
            &RatingInput {
                level: "C".into(),
                evidence: Some("registre, p. 4".into()),
                refs: vec!["PV 12".into()],
            },
            stored.versions.rating("ADM-EC-02", "r1"),
            &audit,
        )
        .await?;
    assert!(v.version > 0);
    store
        .save_answer(
            id,
            "ADM-EC-02",
            &Answer {
                indicator: "ADM-EC-02".into(),
                target: Some("A".into()),
                comment: Some("à suivre".into()),
                consensus: Some(Consensus {
                    level: "B".into(),
                    justification: Some("accord après débat".into()),
                }),
                ratings: vec![],
            },
            stored.versions.answer("ADM-EC-02"),
            &audit,
        )
        .await?;
    store
        .save_plan_adjustment(id, "ADM-EC-02/B/0", true, Some("125000"), 0, &audit)
        .await?;
    store
        .add_council_action(
            id,
            &NewCouncilAction {
                indicator: "ADM-EC-02".into(),
                title: "Former l'agent d'état civil".into(),
                cost: "40000".into(),
                horizon: "short".into(),
                responsible: "Secrétaire général".into(),
                deadline: Some("2024-09-30".into()),
                status: "in_progress".into(),
            },
            &audit,
        )
        .await?;
    let header = store.header(id).await?.ok_or("header")?;
    store.finalise(id, header.version, &audit).await?;
    // A commune merged into another: a row naming a row of its own table
    // (the merged one sorts first, so a copy must set it once both exist).
    let mut commune = capacity::Commune {
        id: "ml-aa-ancienne".into(),
        name: "Ancienne".into(),
        cercle: "Bandiagara".into(),
        region: "Mopti".into(),
        kind: Default::default(),
        population: Some(12_000),
        setting: None,
        transferred: vec![],
    };
    let old = store.create_commune(&commune, &audit).await?;
    commune.id = "ml-zz-nouvelle".into();
    commune.name = "Nouvelle".into();
    store.create_commune(&commune, &audit).await?;
    store
        .merge_commune("ml-aa-ancienne", "ml-zz-nouvelle", old.version, &audit)
        .await?;
    let verifier = store
        .create_account(
            "verificateur",
            "Vérificateur",
            false,
            &[NewGrant {
                role: "verifier".into(),
                scope_kind: "region".into(),
                scope: assessment.commune.region.clone(),
            }],
            &audit,
        )
        .await?;
    store
        .assign_verifier("c2024", &assessment.commune.id, verifier, &audit)
        .await?;
    let as_verifier = Audit {
        actor_id: Some(verifier),
        actor: "Vérificateur".into(),
        request_id: "req-v".into(),
        address: String::new(),
    };
    store.start_verification(id, &as_verifier).await?;
    store
        .set_verified_level(
            id,
            &LevelInput::new("ADM-EC-02", Some("B"), "C", Some("pièces manquantes")),
            0,
            &as_verifier,
        )
        .await?;
    let verification = store.verification(id).await?.ok_or("verification")?;
    store
        .complete_verification(
            id,
            verification.verification.version,
            Some("vérifié sur pièces"),
            &as_verifier,
        )
        .await?;
    Ok(id)
}

/// What the exports of the store read: every assessment as its file (the
/// format the command line and the downloads write), its plan adjustments,
/// council actions and verification, then the whole audit trail.
pub async fn exports(store: &Store) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for h in store.list_assessments(&Default::default()).await? {
        let a = store.assessment(h.id).await?.ok_or("listed")?;
        out.push(a.assessment.to_toml());
        out.push(format!("{:?}", a.header));
        out.push(format!("{:?}", store.plan_adjustments(h.id).await?));
        out.push(format!("{:?}", store.council_actions(h.id).await?));
        out.push(format!("{:?}", store.verification(h.id).await?));
    }
    out.push(format!("{:?}", store.campaigns(None).await?));
    out.push(format!("{:?}", store.accounts().await?));
    for e in store.audit_events(&AuditFilter::default()).await? {
        out.push(format!("{e:?}"));
    }
    Ok(out)
}

/// Every row of every table of the store's schema in the database `url`
/// (SQLite or PostgreSQL), columns by name, values by kind, rows sorted:
/// two databases with equal dumps hold the same data, whichever database
/// each is. Left out: the history of migrations (numbered per database),
/// the sessions, and the generation ([`generation`]), which a copy moves
/// on purpose.
pub async fn dump_any(url: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use sqlx::{Row, TypeInfo, ValueRef};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let postgres = url.starts_with("postgres");
    let tables: Vec<String> = if postgres {
        sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await?
    } else {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await?
    };
    let mut out = Vec::new();
    for table in tables {
        if ["_sqlx_migrations", "tower_sessions", "store_state"].contains(&table.as_str()) {
            continue;
        }
        let mut columns: Vec<String> = if postgres {
            sqlx::query_scalar(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(&table)
            .fetch_all(&mut conn)
            .await?
        } else {
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await?
        };
        columns.sort();
        let list = columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!("SELECT {list} FROM \"{table}\""))
            .fetch_all(&mut conn)
            .await?;
        let mut lines = Vec::with_capacity(rows.len());
        for row in rows {
            let mut line = Vec::with_capacity(columns.len());
            for (i, c) in columns.iter().enumerate() {
                let raw = row.try_get_raw(i)?;
                let text = if raw.is_null() {
                    "NULL".to_owned()
                } else {
                    match raw.type_info().name() {
                        "TEXT" => format!("{:?}", row.try_get::<String, _>(i)?),
                        "BOOLEAN" => i64::from(row.try_get::<bool, _>(i)?).to_string(),
                        "BLOB" => format!("{:?}", row.try_get::<Vec<u8>, _>(i)?),
                        _ => row.try_get::<i64, _>(i)?.to_string(),
                    }
                };
                line.push(format!("{c}={text}"));
            }
            lines.push(format!("{table}: {}", line.join(" ")));
        }
        lines.sort();
        out.push(format!("{table}: {} rows", lines.len()));
        out.extend(lines);
    }
    conn.close().await?;
    Ok(out)
}

/// The generation ([`Store::generation`]) of the database `url`.
pub async fn generation(url: &str) -> Result<i64, Box<dyn std::error::Error>> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let g = sqlx::query_scalar("SELECT generation FROM store_state WHERE id = 1")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(g)
}

/// The `sqlite://` URL of a database file.
pub fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}
