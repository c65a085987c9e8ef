//! `capacity-store`: where commune-capacity keeps its data.
//!
//! SQLite by default (one file in the data directory, created and migrated
//! on first open), through `sqlx` with runtime queries only, so that a
//! PostgreSQL backend can follow with its own migration set and no query
//! cache. The schema is in `migrations/`; its rules:
//! - decimals are stored as TEXT (exact), lists as JSON arrays in TEXT;
//! - every row a person edits (rating, consensus answer, assessment, plan
//!   adjustment) carries a `version`. A save names the version it read; a
//!   stale save is refused with [`StoreError::Stale`], which carries the
//!   newer data, and nothing is overwritten silently;
//! - a finalised assessment is locked: every save to it is refused.
//!
//! The store checks structure (the assessment exists, the rater belongs to
//! it, versions), not meaning: level codes and indicator ids are checked
//! against the rubric by the core (`capacity::CompiledRubric`) before a save.
//! This crate must not depend on Leptos, axum or the charts.

mod assessments;
mod error;
mod rows;
mod seed;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use error::StoreError;
pub use rows::{
    AssessmentFilter, AssessmentHeader, CommuneFilter, CommuneRow, PlanAdjustmentRow, RatingInput,
    RubricRow, StoredAssessment, StoredRating, Versions,
};
pub use seed::SeedReport;

/// Name of the database file inside the data directory.
pub const DATABASE_FILE: &str = "capacity.sqlite3";

/// A handle on the database; cheap to clone (a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    generation: Arc<AtomicU64>,
}

/// Bumps the store's generation when a write method ends, after its
/// transaction is committed (or abandoned), whatever the outcome.
struct Written<'a>(&'a AtomicU64);

impl Drop for Written<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

impl Store {
    /// Opens (creating if needed) `capacity.sqlite3` in `data_dir` and
    /// applies pending migrations.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        let file = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: file.display().to_string(),
                source,
            })?;
        Self::migrate(pool).await
    }

    /// An empty in-memory database, for tests and one-off computations.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(StoreError::Database)?
            .foreign_keys(true);
        // One connection: each in-memory connection is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: ":memory:".to_owned(),
                source,
            })?;
        Self::migrate(pool).await
    }

    async fn migrate(pool: SqlitePool) -> Result<Store, StoreError> {
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(Store {
            pool,
            generation: Arc::default(),
        })
    }

    /// A number that changes after every write through this handle or its
    /// clones: what was read at one generation is still true until the
    /// generation changes. Caches key on it. Writes by other processes to
    /// the same file are not seen (the server is the only writer).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Marks a write; the generation moves when the guard drops.
    fn written(&self) -> Written<'_> {
        Written(&self.generation)
    }

    /// Closes every connection (pending writes are flushed).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
