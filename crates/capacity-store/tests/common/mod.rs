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
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use capacity_store::{Backend, DATABASE_FILE, Store};
use sqlx::{Connection, Executor};

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
