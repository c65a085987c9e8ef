//! What every request handler and server function shares: the store and a
//! cache of compiled rubrics (compiling the reference rubric takes longer
//! than scoring an assessment, and rubric versions never change).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, RwLock};

use capacity::CompiledRubric;
use capacity_store::Store;

use crate::api::AppError;
use crate::api::workshop::RefusedEntry;

/// Compiled rubrics by (id, version).
type RubricCache = Arc<RwLock<HashMap<(String, String), Arc<CompiledRubric>>>>;

/// Shared server state, cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    rubrics: RubricCache,
    refused: Arc<Mutex<RefusedCache>>,
}

/// Entries refused by plain form saves, kept for the page that follows.
#[derive(Debug, Default)]
struct RefusedCache {
    next: u64,
    entries: VecDeque<(String, Vec<RefusedEntry>)>,
}

/// How many refused batches are kept (oldest dropped first).
const REFUSED_KEPT: usize = 256;

impl AppState {
    /// State over an opened store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            rubrics: Arc::default(),
            refused: Arc::default(),
        }
    }

    /// The compiled rubric `id` at `version`, from the cache or the store.
    pub async fn rubric(&self, id: &str, version: &str) -> Result<Arc<CompiledRubric>, AppError> {
        let key = (id.to_owned(), version.to_owned());
        if let Some(hit) = self.rubrics.read().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(hit);
        }
        let source = self
            .store
            .rubric_source(id, version)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("rubric {id} version {version}")))?;
        let compiled = Arc::new(CompiledRubric::from_toml(&source).map_err(|e| {
            AppError::Internal(format!(
                "stored rubric {id} {version} no longer validates: {e}"
            ))
        })?);
        if let Ok(mut map) = self.rubrics.write() {
            map.insert(key, Arc::clone(&compiled));
        }
        Ok(compiled)
    }
}

impl AppState {
    /// Scores a stored assessment against its rubric: the compiled rubric,
    /// the resolved form and the result.
    pub async fn score(
        &self,
        stored: &capacity_store::StoredAssessment,
    ) -> Result<
        (
            Arc<CompiledRubric>,
            capacity::ResolvedAssessment,
            capacity::Scored,
        ),
        AppError,
    > {
        let a = &stored.assessment;
        let rubric = self.rubric(&a.rubric, &a.rubric_version).await?;
        let resolved = rubric.resolve(a).map_err(|e| {
            AppError::Invalid(format!(
                "assessment {} does not fit its rubric: {e}",
                stored.header.id
            ))
        })?;
        let scored = capacity::score(&rubric, &resolved).map_err(|e| {
            AppError::Internal(format!("scoring assessment {}: {e}", stored.header.id))
        })?;
        Ok((rubric, resolved, scored))
    }
}

impl AppState {
    /// Keeps refused entries for the next page; returns their token.
    pub fn keep_refused(&self, entries: Vec<RefusedEntry>) -> String {
        let Ok(mut cache) = self.refused.lock() else {
            return String::new();
        };
        cache.next += 1;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let token = format!("{:x}{:08x}", cache.next, nanos);
        cache.entries.push_back((token.clone(), entries));
        while cache.entries.len() > REFUSED_KEPT {
            cache.entries.pop_front();
        }
        token
    }

    /// The refused entries of a token (empty when unknown or expired).
    pub fn refused(&self, token: &str) -> Vec<RefusedEntry> {
        self.refused
            .lock()
            .ok()
            .and_then(|c| {
                c.entries
                    .iter()
                    .find(|(t, _)| t == token)
                    .map(|(_, e)| e.clone())
            })
            .unwrap_or_default()
    }
}

/// The state of the current request, for server functions.
pub fn state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        AppError::Internal("server state missing from the request context".to_owned())
    })
}
