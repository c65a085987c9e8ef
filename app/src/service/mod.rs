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
//! than scoring an assessment, and rubric versions never change), the
//! assessments' results for the pages that read many — in memory and kept
//! in the store (`assessment_result`), each good for as long as its
//! assessment's revision (moved by the store on every write to that
//! assessment) and rubric version stay the same, so a save in one commune
//! leaves every other commune's results as they are and a restart reads
//! them in one query — the comparisons computed from them
//! ([`compare::Computed`]), the results pages' views ([`results::Views`]),
//! and a bounded pool for CPU-heavy work ([`Service::cpu`]), so that the
//! async workers stay free for health checks and small pages. The reads
//! every page makes to learn whether the data moved (the store's
//! generation, a results page's revisions) are shared by the requests
//! that wait for them, never older than the request ([`fresh`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use capacity::CompiledRubric;
use capacity_store::Store;

pub mod access;
pub mod accounts;
pub mod campaigns;
pub mod communes;
pub mod compare;
pub mod flash;
pub mod fresh;
pub mod history;
pub mod limits;
pub mod plan;
pub mod register;
pub mod results;
pub mod rubrics;
pub mod verification;
pub mod workshop;

use crate::error::AppError;
use crate::view::workshop::RefusedEntry;
use flash::Flash;

/// Compiled rubrics by (id, version).
type RubricCache = Arc<RwLock<HashMap<(String, String), Arc<CompiledRubric>>>>;

/// Results of assessments by id; each entry's header holds the revision
/// and rubric version it was computed at (the store bumps the revision on
/// every write to that assessment, in the same transaction).
type ResultCache = Arc<RwLock<HashMap<i64, Arc<ScoredAssessment>>>>;

/// Answers read from the store (lists of headers, campaigns, regions,
/// scopes of the compare pages) by what was asked, each good for one
/// store generation (read from the database: writes through other
/// servers move it too). See [`Service::at_this_generation`].
type Memo = Arc<Mutex<(u64, HashMap<String, Arc<dyn std::any::Any + Send + Sync>>)>>;

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

/// How many register import previews are kept (each holds its file, up to
/// [`crate::view::register::IMPORT_BYTES`]).
const IMPORTS_KEPT: i64 = 16;

/// Shared server state, cheap to clone: one reference count (clones are
/// made for every request, by each layer that holds the state).
#[derive(Debug, Clone)]
pub struct Service {
    shared: Arc<Shared>,
    /// The store's generation as read for the page being rendered (by the
    /// page cache, before the render), so that the answers it asks for
    /// need no read of their own ([`Service::at_generation`]).
    generation: Option<u64>,
}

/// What every clone of a [`Service`] shares (reached through it).
#[derive(Debug)]
pub struct Shared {
    /// The database.
    pub store: Store,
    rubrics: RubricCache,
    results: ResultCache,
    memo: Memo,
    /// The threads of CPU-heavy work ([`Service::cpu`]); `None` when they
    /// could not be started (the runtime's blocking pool does the work).
    cpu: Option<Arc<rayon::ThreadPool>>,
    /// Computed comparisons ([`compare::Computed`]).
    pub(crate) computed: compare::Computed,
    /// Results pages' views ([`results::Views`]).
    pub(crate) results_views: results::Views,
    /// Verified results ([`verification::verified_many`]).
    pub(crate) verified: verification::VerifiedCache,
    /// The store's generation, read fresh and shared by the requests
    /// that wait for the same read ([`Service::generation`]).
    fresh_generation: fresh::Fresh<(), u64>,
    /// Results pages' revisions, likewise ([`results::page_revisions`]).
    pub(crate) fresh_revisions: fresh::Fresh<i64, Option<results::PageRevisions>>,
}

impl std::ops::Deref for Service {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// Stripes of the shared reads of results pages' revisions.
const FRESH_STRIPES: usize = 64;

/// Entries refused as stale, for the entry or consensus page.
const REFUSED: Flash<Vec<RefusedEntry>> = Flash::new("refused", FLASH_TTL, flash::KEPT);
/// A plan save's outcome, for the plan page.
const PLAN_OUTCOMES: Flash<crate::view::plan::PlanSaved> =
    Flash::new("plan_outcome", FLASH_TTL, flash::KEPT);
/// A plain form post's error and typed fields, for the page it goes back to.
const FORM_ERRORS: Flash<crate::error::FormError> =
    Flash::new("form_error", FLASH_TTL, flash::KEPT);
/// A set-password link, shown once on the administrators' page.
const LINKS: Flash<crate::view::account::PasswordLink> =
    Flash::new("password_link", FLASH_TTL, flash::KEPT);
/// A register import's preview, until it is applied.
const IMPORTS: Flash<register::KeptImport> =
    Flash::new("register_import", IMPORT_TTL, IMPORTS_KEPT);

/// How long a flash value is readable: the redirect follows at once; a
/// reload or a return a little later still shows the message.
const FLASH_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// How long an import's preview waits for its apply.
const IMPORT_TTL: std::time::Duration = std::time::Duration::from_secs(2 * 60 * 60);

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
            shared: Arc::new(Shared {
                store,
                rubrics: Arc::default(),
                results: Arc::default(),
                memo: Arc::default(),
                cpu: cpu_pool(),
                computed: compare::Computed::default(),
                results_views: results::Views::default(),
                verified: verification::VerifiedCache::default(),
                fresh_generation: fresh::Fresh::new(1),
                fresh_revisions: fresh::Fresh::new(FRESH_STRIPES),
            }),
            generation: None,
        }
    }

    /// This state for one page render whose data are those of store
    /// generation `generation`, read before the render began: the header
    /// lists it reads are those kept at that generation (or read afresh
    /// and kept under it), without another read of the generation. Only
    /// for renders that write nothing.
    pub fn at_generation(mut self, generation: u64) -> Self {
        self.generation = Some(generation);
        self
    }

    /// The store's generation ([`Store::generation`]) as the database
    /// says it now: read after this call began, by this request or by
    /// one it waited for ([`fresh::Fresh`]).
    pub async fn generation(&self) -> Result<u64, capacity_store::StoreError> {
        self.fresh_generation
            .read((), || self.store.generation())
            .await
    }

    /// How many CPU-heavy computations run at once: the machine's cores.
    /// (Their threads run at a lower priority than the async workers,
    /// which answer health checks and small pages: about nice 9.)
    pub fn cpu_slots() -> usize {
        std::thread::available_parallelism().map_or(2, usize::from)
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
    /// Runs CPU-heavy work (scoring many assessments, decoding kept
    /// results, the computations of the compare pages, writing downloads)
    /// on the threads kept for it, at most [`Service::cpu_slots`] at once
    /// and in turn, at a lower priority than the async workers, so that
    /// these stay free for `/health` and small pages however many such
    /// computations wait. A computation that panics is an
    /// [`AppError::Internal`]; the thread goes on.
    pub async fn cpu<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let failed = |e: &dyn std::fmt::Display| {
            AppError::Internal(format!("background computation failed: {e}"))
        };
        let Some(pool) = &self.cpu else {
            return tokio::task::spawn_blocking(work)
                .await
                .map_err(|e| failed(&e));
        };
        let (done, answer) = tokio::sync::oneshot::channel();
        pool.spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // The request may be gone: nobody to tell.
            let _ = done.send(outcome);
        });
        match answer.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_)) => Err(failed(&"it panicked")),
            Err(e) => Err(failed(&e)),
        }
    }

    /// What `read` answers, from memory while the store's generation has
    /// not moved since it was read under `key` (which must name
    /// everything the answer depends on besides the stored data). Only for
    /// answers computed from the store's data alone: every write of data
    /// moves the generation.
    pub async fn at_this_generation<T, F>(
        &self,
        key: String,
        read: impl FnOnce() -> F,
    ) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, AppError>>,
    {
        // Read before the answer: a write finishing meanwhile moves the
        // generation on, so what is kept under this one is never newer
        // than the data it stands for, nor taken for newer than it is.
        let generation = match self.generation {
            Some(generation) => generation,
            None => Service::generation(self).await?,
        };
        if let Ok(memo) = self.memo.lock()
            && memo.0 == generation
            && let Some(hit) = memo.1.get(&key)
            && let Ok(hit) = Arc::clone(hit).downcast::<T>()
        {
            return Ok(hit);
        }
        let answer = Arc::new(read().await?);
        if let Ok(mut memo) = self.memo.lock() {
            // The generation only grows: answers of an older one (a render
            // that began before the latest write) are not kept.
            if memo.0 < generation || memo.1.is_empty() {
                *memo = (generation, HashMap::new());
            }
            if memo.0 == generation && memo.1.len() < ANSWERS_KEPT {
                memo.1.insert(key, Arc::clone(&answer) as _);
            }
        }
        Ok(answer)
    }

    /// Assessment headers matching `filter` ([`Service::at_this_generation`]:
    /// a list of every assessment is asked for by every compare page and
    /// grant query).
    pub async fn headers(
        &self,
        filter: &capacity_store::AssessmentFilter,
    ) -> Result<Arc<Vec<capacity_store::AssessmentHeader>>, AppError> {
        self.at_this_generation(format!("headers {filter:?}"), || async {
            Ok(self.store.list_assessments(filter).await?)
        })
        .await
    }

    /// The campaigns of rubric `rubric` (all without), latest first
    /// ([`Service::at_this_generation`]).
    pub async fn campaigns(
        &self,
        rubric: Option<&str>,
    ) -> Result<Arc<Vec<capacity_store::CampaignRow>>, AppError> {
        self.at_this_generation(format!("campaigns {rubric:?}"), || async {
            Ok(self.store.campaigns(rubric).await?)
        })
        .await
    }

    /// Every version of every rubric, by id then version
    /// ([`Service::at_this_generation`]).
    pub async fn rubric_rows(&self) -> Result<Arc<Vec<capacity_store::RubricRow>>, AppError> {
        self.at_this_generation("rubrics".to_owned(), || async {
            Ok(self.store.rubrics().await?)
        })
        .await
    }

    /// The regions with their cercles, as the filters offer them
    /// ([`Service::at_this_generation`]).
    pub async fn regions(&self) -> Result<Arc<Vec<(String, Vec<String>)>>, AppError> {
        self.at_this_generation("regions".to_owned(), || async {
            Ok(self.store.regions().await?)
        })
        .await
    }

    /// The results of every assessment matching `filter`, in the store's
    /// order, and a message for each one that could not be scored.
    ///
    /// Each result is good for as long as its assessment's revision (moved
    /// by the store on every write to that assessment) and rubric version
    /// stay what they were: it comes from memory first, then from the
    /// results kept in the store (`assessment_result`, one query for
    /// all), and only when neither has it is the whole assessment loaded
    /// and scored — after which the new result is kept in memory and in
    /// the store, so the next start does not score it again.
    pub async fn scored_many(
        &self,
        filter: &capacity_store::AssessmentFilter,
    ) -> Result<(Vec<Arc<ScoredAssessment>>, Vec<String>), AppError> {
        let headers = self.headers(filter).await?;
        self.scored_of(filter, &headers, Keep::After).await
    }

    /// [`Service::scored_many`] for `headers`, the list of `filter` the
    /// caller already holds (read at the current generation).
    pub async fn scored_of(
        &self,
        filter: &capacity_store::AssessmentFilter,
        headers: &[capacity_store::AssessmentHeader],
        keep_mode: Keep,
    ) -> Result<(Vec<Arc<ScoredAssessment>>, Vec<String>), AppError> {
        let mut out: Vec<Option<Arc<ScoredAssessment>>> = vec![None; headers.len()];
        let mut missing = Vec::new();
        if let Ok(cache) = self.results.read() {
            for (i, h) in headers.iter().enumerate() {
                match cache.get(&h.id) {
                    Some(hit)
                        if hit.header.revision == h.revision
                            && hit.header.rubric_version == h.rubric_version =>
                    {
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
        if missing.is_empty() {
            return Ok((out.into_iter().flatten().collect(), errors));
        }
        let mut fresh: Vec<Arc<ScoredAssessment>> = Vec::new();
        // Many missing (a start, a new area): the kept results of all of
        // them in one query, decoded off the async workers.
        if missing.len() > FEW {
            let rows = self.store.assessments_with_results(filter, SCORER).await?;
            let decoded = self.cpu(move || decode_kept(rows)).await?;
            let by_id: HashMap<i64, Arc<ScoredAssessment>> =
                decoded.into_iter().map(|e| (e.header.id, e)).collect();
            missing.retain(|&i| {
                let Some(h) = headers.get(i) else {
                    return false;
                };
                match by_id.get(&h.id) {
                    Some(e)
                        if e.header.revision == h.revision
                            && e.header.rubric_version == h.rubric_version =>
                    {
                        fresh.push(Arc::clone(e));
                        if let Some(slot) = out.get_mut(i) {
                            *slot = Some(Arc::clone(e));
                        }
                        false
                    }
                    _ => true,
                }
            });
            self.remember(&fresh);
            fresh.clear();
        }
        if !missing.is_empty() {
            let loaded: Vec<capacity_store::StoredAssessment> = if missing.len() > FEW {
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
            let mut wanted: HashMap<i64, usize> = HashMap::with_capacity(missing.len());
            for i in &missing {
                if let Some(h) = headers.get(*i) {
                    wanted.insert(h.id, *i);
                }
            }
            let mut to_score = Vec::with_capacity(missing.len());
            for stored in loaded {
                if let Some(&i) = wanted.get(&stored.header.id) {
                    let a = &stored.assessment;
                    let rubric = self.rubric(&a.rubric, &a.rubric_version).await?;
                    to_score.push((i, rubric, stored));
                }
            }
            let scored = if to_score.len() > FEW {
                self.cpu(move || score_all(to_score)).await?
            } else {
                score_all(to_score)
            };
            let mut keep = Vec::new();
            for (i, outcome) in scored {
                match outcome {
                    Ok((entry, kept)) => {
                        keep.extend(kept);
                        fresh.push(Arc::clone(&entry));
                        if let Some(slot) = out.get_mut(i) {
                            *slot = Some(entry);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
            self.remember(&fresh);
            if !keep.is_empty() {
                let store = self.store.clone();
                let write = async move {
                    if let Err(e) = store.keep_results(&keep).await {
                        tracing::warn!(error = %e, results = keep.len(), "results not kept");
                    }
                };
                match keep_mode {
                    // After the answer: a cache fill must not make a
                    // reader wait for the writer connection.
                    Keep::After => {
                        tokio::spawn(write);
                    }
                    Keep::Now => write.await,
                }
            }
        }
        Ok((out.into_iter().flatten().collect(), errors))
    }

    /// Keeps fresh results in memory, keyed on the revision the data they
    /// come from were read at (one snapshot): a later write moves the
    /// revision on, so what is kept is never taken for newer than it is.
    fn remember(&self, fresh: &[Arc<ScoredAssessment>]) {
        if fresh.is_empty() {
            return;
        }
        if let Ok(mut cache) = self.results.write() {
            if cache.len() + fresh.len() > RESULTS_KEPT {
                cache.clear();
            }
            for e in fresh {
                cache.insert(e.header.id, Arc::clone(e));
            }
        }
    }

    /// Scores whatever the store keeps no current result of and keeps
    /// the results, so that the first compare page after a start reads
    /// them in one query; then loads them into memory. Called at start.
    pub async fn warm_results(&self) -> Result<usize, AppError> {
        let filter = capacity_store::AssessmentFilter::default();
        let headers = self.headers(&filter).await?;
        let (all, errors) = self.scored_of(&filter, &headers, Keep::Now).await?;
        for e in &errors {
            tracing::warn!(problem = %e, "assessment not scored");
        }
        Ok(all.len())
    }
}

/// When results computed by [`Service::scored_of`] are written to the
/// store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// After the answer, in the background (pages).
    After,
    /// Before returning (the start, so that a restart finds them).
    Now,
}

/// Name of what the kept results hold: the core's `Scored` as JSON. A
/// change of the scoring rules or of `Scored` must change it, so that
/// results kept by an older server are computed again, not misread.
pub const SCORER: &str = "capacity-scored-json-1";

/// Up to this many missing results are loaded one assessment at a time
/// and scored on the async worker; more go through the bulk paths.
const FEW: usize = 16;

/// The priority of the threads of CPU-heavy work, on `thread-priority`'s
/// scale of 0 (lowest) to 99: about nice 9 on Linux, where the async
/// workers run at 0 — so a health check or a small page waiting for a
/// core gets it at once, and the computations take the rest.
const CPU_PRIORITY: u8 = 25;

/// The threads of CPU-heavy work ([`Service::cpu`]), or `None` (logged)
/// when the system refuses them.
fn cpu_pool() -> Option<Arc<rayon::ThreadPool>> {
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(Service::cpu_slots())
        .thread_name(|i| format!("capacity-cpu-{i}"))
        .start_handler(|_| {
            let lower = thread_priority::ThreadPriorityValue::try_from(CPU_PRIORITY)
                .map_err(|e| e.to_string())
                .and_then(|value| {
                    thread_priority::set_current_thread_priority(
                        thread_priority::ThreadPriority::Crossplatform(value),
                    )
                    .map_err(|e| e.to_string())
                });
            if let Err(e) = lower {
                tracing::warn!(error = %e, "computations run at the async workers' priority");
            }
        })
        .build();
    match built {
        Ok(pool) => Some(Arc::new(pool)),
        Err(e) => {
            tracing::warn!(error = %e, "no computation threads: the blocking pool does the work");
            None
        }
    }
}

/// Answers kept per store generation ([`Service::at_this_generation`]).
const ANSWERS_KEPT: usize = 128;

/// Decodes kept results; rows without a current result, or whose text no
/// longer decodes, are left out (they are scored again).
fn decode_kept(rows: Vec<capacity_store::HeaderWithResult>) -> Vec<Arc<ScoredAssessment>> {
    rows.into_iter()
        .filter_map(|row| {
            let scored: capacity::Scored = serde_json::from_str(row.result.as_deref()?).ok()?;
            let commune: capacity::Commune = serde_json::from_str(&row.commune_snapshot).ok()?;
            let h = &row.header;
            let assessment = capacity::Assessment {
                format: 1,
                rubric: h.rubric.clone(),
                rubric_version: h.rubric_version.clone(),
                round: h.round.clone(),
                date: h.date.clone(),
                fictional: h.fictional,
                finalised: h.finalised,
                comment: row.comment,
                commune,
                raters: Vec::new(),
                answers: Vec::new(),
                plan: row.plan,
            };
            Some(Arc::new(ScoredAssessment {
                header: row.header,
                assessment,
                scored,
            }))
        })
        .collect()
}

/// What scoring one loaded assessment gives: its entry and the row to keep
/// in the store, or a message naming it.
type ScoreOutcome = Result<(Arc<ScoredAssessment>, Option<capacity_store::NewResult>), String>;

/// Scores loaded assessments (position in the header list, rubric, data).
fn score_all(
    items: Vec<(usize, Arc<CompiledRubric>, capacity_store::StoredAssessment)>,
) -> Vec<(usize, ScoreOutcome)> {
    items
        .into_iter()
        .map(|(i, rubric, stored)| {
            let h = &stored.header;
            let scored = rubric
                .resolve(&stored.assessment)
                .map_err(|e| format!("does not fit its rubric: {e}"))
                .and_then(|resolved| {
                    capacity::score(&rubric, &resolved).map_err(|e| format!("scoring: {e}"))
                });
            let outcome = match scored {
                Ok(scored) => {
                    let kept = serde_json::to_string(&scored).ok().map(|result| {
                        capacity_store::NewResult {
                            assessment: h.id,
                            revision: h.revision,
                            rubric_version: h.rubric_version.clone(),
                            scorer: SCORER.to_owned(),
                            result,
                        }
                    });
                    let mut assessment = stored.assessment;
                    assessment.raters = Vec::new();
                    assessment.answers = Vec::new();
                    Ok((
                        Arc::new(ScoredAssessment {
                            header: stored.header,
                            assessment,
                            scored,
                        }),
                        kept,
                    ))
                }
                Err(e) => Err(format!("{} ({}): {e}", h.commune_name, h.round)),
            };
            (i, outcome)
        })
        .collect()
}

impl Service {
    /// Keeps refused entries for the next page; returns their token.
    pub async fn keep_refused(&self, entries: &[RefusedEntry]) -> Result<String, AppError> {
        REFUSED.keep(&self.store, &entries.to_vec()).await
    }

    /// The refused entries of a token (empty when unknown or expired).
    pub async fn refused(&self, token: &str) -> Vec<RefusedEntry> {
        REFUSED.get(&self.store, token).await.unwrap_or_default()
    }

    /// Keeps the outcome of a plan save for the next page; returns its token.
    pub async fn keep_plan_outcome(
        &self,
        outcome: &crate::view::plan::PlanSaved,
    ) -> Result<String, AppError> {
        PLAN_OUTCOMES.keep(&self.store, outcome).await
    }

    /// The outcome of a plan save by its token.
    pub async fn plan_outcome(&self, token: &str) -> Option<crate::view::plan::PlanSaved> {
        PLAN_OUTCOMES.get(&self.store, token).await
    }

    /// Keeps a set-password link just made for the administrators' page
    /// it is shown on (once); answers its token.
    pub async fn keep_link(
        &self,
        link: &crate::view::account::PasswordLink,
    ) -> Result<String, AppError> {
        LINKS.keep(&self.store, link).await
    }

    /// A set-password link kept for the administrators' page, by token:
    /// given once, then gone.
    pub async fn link(&self, token: &str) -> Option<crate::view::account::PasswordLink> {
        LINKS.take(&self.store, token).await
    }

    /// Keeps a register import's preview for its apply; returns its token.
    pub async fn keep_import(&self, kept: &register::KeptImport) -> Result<String, AppError> {
        IMPORTS.keep(&self.store, kept).await
    }

    /// A register import's preview, by token.
    pub async fn import(&self, token: &str) -> Option<register::KeptImport> {
        IMPORTS.get(&self.store, token).await
    }

    /// Keeps the error of a plain form post for the page it goes back to
    /// and answers its token at once; the write is handed to `pending`,
    /// which the server finishes before the redirect leaves.
    pub fn keep_form_error(
        &self,
        error: crate::error::FormError,
        pending: Option<&flash::PendingWrites>,
    ) -> String {
        FORM_ERRORS.keep_later(&self.store, &error, pending)
    }

    /// The error of a plain form post by its token.
    pub async fn form_error(&self, token: &str) -> Option<crate::error::FormError> {
        FORM_ERRORS.get(&self.store, token).await
    }
}

/// Results kept in the store and in memory, against a real store.
#[cfg(test)]
mod tests {
    use super::*;
    use capacity_store::{AssessmentFilter, NewResult, RatingInput};
    use rust_decimal::Decimal;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Waits (boundedly) until the store keeps at least `n` results: they
    /// are written after the answer that computed them.
    async fn kept_at_least(store: &Store, n: usize) -> Result<(), Box<dyn std::error::Error>> {
        for _ in 0..500 {
            if store.count_kept_results().await? >= i64::try_from(n)? {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        Err(format!("the store did not keep {n} results").into())
    }

    /// A result of `e` with `overall` changed, kept under `rubric_version`
    /// and `scorer` at its assessment's revision.
    fn planted(
        e: &ScoredAssessment,
        overall: Decimal,
        rubric_version: &str,
        scorer: &str,
    ) -> Result<NewResult, serde_json::Error> {
        let mut scored = e.scored.clone();
        scored.overall = Some(overall);
        Ok(NewResult {
            assessment: e.header.id,
            revision: e.header.revision,
            rubric_version: rubric_version.to_owned(),
            scorer: scorer.to_owned(),
            result: serde_json::to_string(&scored)?,
        })
    }

    fn overall(all: &[Arc<ScoredAssessment>], id: i64) -> Option<Decimal> {
        all.iter()
            .find(|e| e.header.id == id)
            .and_then(|e| e.scored.overall)
    }

    #[tokio::test]
    async fn answers_are_kept_until_a_write_moves_the_generation() -> TestResult {
        let store = Store::open_in_memory().await?;
        seed_embedded(&store, true).await?;
        let service = Service::new(store.clone());
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let count = || async {
            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(service.store.campaigns(None).await?)
        };
        let before = service.at_this_generation("test".to_owned(), count).await?;
        let again = service.at_this_generation("test".to_owned(), count).await?;
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert!(Arc::ptr_eq(&before, &again), "the kept answer, not a copy");
        // Another key is another answer.
        let _ = service
            .at_this_generation("other".to_owned(), count)
            .await?;
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 2);

        // A write of data: the kept lists never hide it.
        let listed = service.campaigns(None).await?;
        let rubric = store
            .rubrics()
            .await?
            .into_iter()
            .next()
            .ok_or("a rubric")?;
        store
            .create_campaign(
                &capacity_store::NewCampaign {
                    id: "kept-test".to_owned(),
                    label: "Kept test".to_owned(),
                    rubric_id: rubric.id,
                    rubric_version: rubric.version,
                    starts: "2026-01-01".to_owned(),
                    ends: "2026-12-31".to_owned(),
                    verification_required: false,
                    communes: Vec::new(),
                },
                &capacity_store::Audit::system("test"),
            )
            .await?;
        let after = service.campaigns(None).await?;
        assert_eq!(after.len(), listed.len() + 1);
        assert!(after.iter().any(|k| k.id == "kept-test"));
        let _ = service.at_this_generation("test".to_owned(), count).await?;
        assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 3);
        Ok(())
    }

    #[tokio::test]
    async fn computations_run_below_the_async_workers_and_survive_a_panic() -> TestResult {
        let service = Service::new(Store::open_in_memory().await?);
        let failed = service
            .cpu(|| -> u32 { panic!("a computation that fails") })
            .await;
        assert!(
            matches!(failed, Err(AppError::Internal(ref m)) if m.contains("panicked")),
            "{failed:?}"
        );
        // Every thread of the pool still answers.
        for i in 0..4 * Service::cpu_slots() {
            assert_eq!(service.cpu(move || i * 2).await?, i * 2);
        }
        // The threads' nice value (field 19 of their stat line) is above
        // the async workers' 0.
        #[cfg(target_os = "linux")]
        {
            let nice = |stat: &str| -> Option<i32> {
                let after_name = stat.rsplit_once(") ")?.1;
                after_name.split(' ').nth(16)?.parse().ok()
            };
            let theirs = service
                .cpu(|| std::fs::read_to_string("/proc/thread-self/stat"))
                .await??;
            let ours = std::fs::read_to_string("/proc/thread-self/stat")?;
            let (theirs, ours) = (nice(&theirs).ok_or("nice")?, nice(&ours).ok_or("nice")?);
            assert!(
                theirs > ours,
                "computation nice {theirs}, worker nice {ours}"
            );
        }
        Ok(())
    }

    #[tokio::test]
    async fn kept_results_hold_until_their_assessment_or_rubric_version_changes() -> TestResult {
        let store = Store::open_in_memory().await?;
        seed_embedded(&store, true).await?;
        let all = AssessmentFilter::default();
        let first = Service::new(store.clone());
        let n = first.warm_results().await?;
        kept_at_least(&store, n).await?;
        let (scored, errors) = first.scored_many(&all).await?;
        assert!(errors.is_empty(), "{errors:?}");
        let open = scored
            .iter()
            .find(|e| !e.header.finalised)
            .ok_or("an open sample")?;
        let others: Vec<&Arc<ScoredAssessment>> = scored
            .iter()
            .filter(|e| e.header.id != open.header.id)
            .take(3)
            .collect();
        assert_eq!(others.len(), 3);
        // Results nobody could compute, kept as if they had been: what a
        // server reads back is then visible.
        let marker = Decimal::new(424_242, 4);
        let version = |e: &ScoredAssessment| e.header.rubric_version.clone();
        store
            .keep_results(&[
                planted(open, marker, &version(open), SCORER)?,
                planted(others[0], marker, &version(others[0]), SCORER)?,
                // Another rubric version than the assessment's: not current.
                planted(others[1], marker, "0.0.0-other", SCORER)?,
                // Another format: not read.
                planted(others[2], marker, &version(others[2]), "older-scorer")?,
            ])
            .await?;

        // A server started afresh (nothing in memory) reads current kept
        // results and computes the others again.
        let second = Service::new(store.clone());
        let got = second.scored_many(&all).await?.0;
        assert_eq!(got.len(), scored.len());
        assert_eq!(overall(&got, open.header.id), Some(marker));
        assert_eq!(overall(&got, others[0].header.id), Some(marker));
        assert_eq!(overall(&got, others[1].header.id), others[1].scored.overall);
        assert_eq!(overall(&got, others[2].header.id), others[2].scored.overall);

        // A save in one commune moves that assessment's revision: its
        // result is computed again, every other one is kept.
        let stored = store
            .assessment(open.header.id)
            .await?
            .ok_or("the open sample")?;
        let answer = stored
            .assessment
            .answers
            .iter()
            .find(|a| !a.ratings.is_empty())
            .ok_or("a rating in the open sample")?;
        let rating = answer.ratings.first().ok_or("a rating")?;
        store
            .save_rating(
                open.header.id,
                &answer.indicator,
                &rating.rater,
                &RatingInput {
                    level: rating.level.clone(),
                    evidence: Some("relu en atelier".to_owned()),
                    refs: Vec::new(),
                },
                stored.versions.rating(&answer.indicator, &rating.rater),
                &capacity_store::Audit::system("test"),
            )
            .await?;
        let got = second.scored_many(&all).await?.0;
        assert_eq!(
            overall(&got, open.header.id),
            open.scored.overall,
            "the saved assessment is scored again (same level, same score)"
        );
        assert_eq!(
            overall(&got, others[0].header.id),
            Some(marker),
            "another commune's result is not computed again"
        );
        Ok(())
    }
}
