//! The service layer: every business operation of the app — load, save,
//! consensus, finalise, plan, compare, downloads — in one place that pages,
//! server functions and plain axum routes all call. It knows nothing of
//! Leptos or HTTP: it takes plain arguments, asks the store and the core, and
//! answers view types ([`crate::view`]) or an [`AppError`], which the
//! callers turn into a status. Rules of scoring and planning are the core's;
//! rules of operations (what may be saved, when, with which limits) are
//! here, once.
//!
//! [`Service`] is what every request shares: the store, a
//! cache of compiled rubrics (compiling the reference rubric takes longer
//! than scoring an assessment, and rubric versions never change) and a
//! cache of assessments' results for the pages that read many: a result is
//! good for as long as its assessment's revision (moved by the store on
//! every write to that assessment) stays the same, so a save in one commune
//! leaves every other commune's results cached.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use capacity::CompiledRubric;
use capacity_store::Store;

pub mod access;
pub mod accounts;
pub mod communes;
pub mod compare;
pub mod flash;
pub mod history;
pub mod limits;
pub mod plan;
pub mod results;
pub mod rubrics;
pub mod workshop;

use crate::error::AppError;
use crate::view::workshop::RefusedEntry;
use flash::Flash;

/// Compiled rubrics by (id, version).
type RubricCache = Arc<RwLock<HashMap<(String, String), Arc<CompiledRubric>>>>;

/// Results of assessments by id, with the assessment's revision they were
/// computed at (the store bumps it on every write to that assessment, in
/// the same transaction).
type ResultCache = Arc<RwLock<HashMap<i64, (i64, Arc<ScoredAssessment>)>>>;

/// The most results kept; past it the cache starts afresh (a national
/// dataset is 703 communes per round).
const RESULTS_KEPT: usize = 20_000;

/// An assessment's results with what the many-commune pages read of it:
/// the header and the file model *without* raters and answers (the
/// commune, round and date), so that a cached result stays small.
#[derive(Debug, Clone)]
pub struct ScoredAssessment {
    /// Header (ids, round, lock, version).
    pub header: capacity_store::AssessmentHeader,
    /// The assessment, raters and answers left out.
    pub assessment: capacity::Assessment,
    /// Its results.
    pub scored: capacity::Scored,
}

/// Shared server state, cheap to clone.
#[derive(Debug, Clone)]
pub struct Service {
    /// The database.
    pub store: Store,
    rubrics: RubricCache,
    results: ResultCache,
    refused: Flash<Vec<RefusedEntry>>,
    plan_outcomes: Flash<crate::view::plan::PlanSaved>,
    form_errors: Flash<crate::error::FormError>,
    links: Flash<crate::view::account::PasswordLink>,
}

/// Fills an empty store with the reference rubrics embedded in the binary
/// and, with `samples` (the demonstration), the fictional sample
/// assessments of `assessments/`, each checked against its rubric.
pub async fn seed_embedded(
    store: &Store,
    samples: bool,
) -> Result<capacity_store::SeedReport, capacity_store::StoreError> {
    let sample_files: &[capacity_data::embedded::EmbeddedFile] = if samples {
        capacity_data::embedded::samples()
    } else {
        &[]
    };
    store
        .seed(
            capacity_data::embedded::rubrics()
                .iter()
                .map(|f| (f.name, f.text)),
            sample_files.iter().map(|f| (f.name, f.text)),
        )
        .await
}

impl Service {
    /// State over an opened store.
    pub fn new(store: Store) -> Self {
        Self {
            store,
            rubrics: Arc::default(),
            results: Arc::default(),
            refused: Flash::default(),
            plan_outcomes: Flash::default(),
            form_errors: Flash::default(),
            links: Flash::default(),
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

impl Service {
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

impl Service {
    /// The results of every assessment matching `filter`, in the store's
    /// order, and a message for each one that could not be scored.
    /// Results come from the cache while their assessment's revision is
    /// the one they were computed at. Loading whole assessments (every
    /// rating) is what costs, so only the missing ones are loaded: one by
    /// one when few, all at once otherwise.
    pub async fn scored_many(
        &self,
        filter: &capacity_store::AssessmentFilter,
    ) -> Result<(Vec<Arc<ScoredAssessment>>, Vec<String>), AppError> {
        let headers = self.store.list_assessments(filter).await?;
        let mut out: Vec<Option<Arc<ScoredAssessment>>> = vec![None; headers.len()];
        let mut missing = Vec::new();
        if let Ok(cache) = self.results.read() {
            for (i, h) in headers.iter().enumerate() {
                match cache.get(&h.id) {
                    Some((revision, hit)) if *revision == h.revision => {
                        if let Some(slot) = out.get_mut(i) {
                            *slot = Some(Arc::clone(hit));
                        }
                    }
                    _ => missing.push(i),
                }
            }
        } else {
            missing.extend(0..headers.len());
        }
        let mut errors = Vec::new();
        if !missing.is_empty() {
            let loaded: Vec<capacity_store::StoredAssessment> = if missing.len() * 2 > headers.len()
            {
                self.store.load_assessments(filter).await?
            } else {
                let mut v = Vec::with_capacity(missing.len());
                for i in &missing {
                    if let Some(h) = headers.get(*i)
                        && let Some(a) = self.store.assessment(h.id).await?
                    {
                        v.push(a);
                    }
                }
                v
            };
            let by_id: HashMap<i64, &capacity_store::StoredAssessment> =
                loaded.iter().map(|a| (a.header.id, a)).collect();
            let mut fresh = Vec::new();
            for i in missing {
                let Some(stored) = headers.get(i).and_then(|h| by_id.get(&h.id)) else {
                    continue;
                };
                match self.score(stored).await {
                    Ok((_, _, scored)) => {
                        let mut assessment = stored.assessment.clone();
                        assessment.raters = Vec::new();
                        assessment.answers = Vec::new();
                        let entry = Arc::new(ScoredAssessment {
                            header: stored.header.clone(),
                            assessment,
                            scored,
                        });
                        fresh.push(Arc::clone(&entry));
                        if let Some(slot) = out.get_mut(i) {
                            *slot = Some(entry);
                        }
                    }
                    Err(e) => errors.push(format!(
                        "{} ({}): {e}",
                        stored.header.commune_name, stored.header.round
                    )),
                }
            }
            if !fresh.is_empty()
                && let Ok(mut cache) = self.results.write()
            {
                if cache.len() + fresh.len() > RESULTS_KEPT {
                    cache.clear();
                }
                for e in fresh {
                    // Keyed on the revision the loaded data were read at (one
                    // snapshot): a later write moves the revision on, so what
                    // is kept is never taken for newer than it is.
                    cache.insert(e.header.id, (e.header.revision, e));
                }
            }
        }
        Ok((out.into_iter().flatten().collect(), errors))
    }
}

impl Service {
    /// Keeps refused entries for the next page; returns their token.
    pub fn keep_refused(&self, entries: Vec<RefusedEntry>) -> String {
        self.refused.keep(entries)
    }

    /// The refused entries of a token (empty when unknown or expired).
    pub fn refused(&self, token: &str) -> Vec<RefusedEntry> {
        self.refused.get(token).unwrap_or_default()
    }

    /// Keeps the outcome of a plan save for the next page; returns its token.
    pub fn keep_plan_outcome(&self, outcome: crate::view::plan::PlanSaved) -> String {
        self.plan_outcomes.keep(outcome)
    }

    /// The outcome of a plan save by its token.
    pub fn plan_outcome(&self, token: &str) -> Option<crate::view::plan::PlanSaved> {
        self.plan_outcomes.get(token)
    }

    /// Keeps a set-password link just made for the administrators' page
    /// it is shown on (once); answers its token.
    pub fn keep_link(&self, link: crate::view::account::PasswordLink) -> String {
        self.links.keep(link)
    }

    /// A set-password link kept for the administrators' page, by token.
    pub fn link(&self, token: &str) -> Option<crate::view::account::PasswordLink> {
        self.links.get(token)
    }

    /// Keeps the error of a plain form post for the page it goes back to;
    /// returns its token.
    pub fn keep_form_error(&self, error: crate::error::FormError) -> String {
        self.form_errors.keep(error)
    }

    /// The error of a plain form post by its token.
    pub fn form_error(&self, token: &str) -> Option<crate::error::FormError> {
        self.form_errors.get(token)
    }
}
