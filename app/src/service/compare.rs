//! Operations of the planners' compare page (`/comparer`), and the
//! computations its downloads share (`/comparer/export.{csv,xlsx}`,
//! `/comparer/subventions.csv`, see `server::routes`).
//!
//! Nothing here computes a score, a share, a rank or an allocation: the
//! core does (`capacity::compare`, `rank`, `progress`, `reform_needs`,
//! `simulate_grants`), `capacity-report` lays the results out as typed
//! tables (the same tables the command line and the regional report
//! print), `capacity-charts` draws them, and `capacity-exchange` writes
//! the downloads. This module chooses *which* assessments (rubric,
//! version, region, cercle, campaign — the eligible assessments of one
//! campaign, by the core's rule [`capacity::eligibility()`], and the others
//! set apart with their reason), and turns tables into what the
//! page renders. The page and the downloads call the same functions, so
//! they always show the same figures for the same filters.

use crate::error::AppError;

use super::Service;
#[allow(unused_imports)]
use crate::view::compare::*;

/// The comparison of the communes matching the filters. `lang` is `fr`
/// or `en`.
pub async fn load_comparison(
    state: &Service,
    actor: &super::access::Actor,
    query: CompareQuery,
    paging: ComparePaging,
    lang: String,
) -> Result<ComparePageData, AppError> {
    let query = authorise(state, actor, &query).await?;
    page_data_paged(state, &query, &paging, lang_of(&lang)).await
}

/// The grant simulation page: the selection and, when `grants` carries an
/// envelope, the simulation. `lang` is `fr` or `en`.
pub async fn load_grants(
    state: &Service,
    actor: &super::access::Actor,
    query: CompareQuery,
    grants: GrantQuery,
    table: TableQuery,
    lang: String,
) -> Result<GrantsPageData, AppError> {
    let query = authorise(state, actor, &query).await?;
    grants_page_data_paged(state, &query, &grants, &table, lang_of(&lang)).await
}

fn lang_of(code: &str) -> capacity::Lang {
    match crate::locale::parse_locale(code) {
        Some(l) => crate::locale::core_lang(l),
        None => capacity::Lang::Fr,
    }
}

/// The query `actor` may run: as asked when they may compare that area;
/// without a region or cercle, narrowed to the first area of their roles
/// when they may not compare the whole country (a regional planner's page
/// opens on their region); else 401 or 403.
pub async fn authorise(
    state: &Service,
    actor: &super::access::Actor,
    q: &CompareQuery,
) -> Result<CompareQuery, AppError> {
    use super::access::{Action, Place};
    let mut q = q.clone();
    // A cercle lies in a region: a regional planner may compare it.
    let region = match (&q.region, &q.cercle) {
        (None, Some(c)) => state
            .store
            .regions()
            .await?
            .into_iter()
            .find(|(_, cercles)| cercles.contains(c))
            .map(|(r, _)| r),
        (r, _) => r.clone(),
    };
    let area = Place::area(region.as_deref(), q.cercle.as_deref());
    if actor.may(Action::Compare, &area) {
        return Ok(q);
    }
    if q.region.is_none()
        && q.cercle.is_none()
        && let Some(first) = actor.compare_areas().and_then(|a| a.into_iter().next())
    {
        q.region = Some(first.region).filter(|r| !r.is_empty());
        q.cercle = Some(first.cercle).filter(|c| !c.is_empty());
        return Ok(q);
    }
    actor.check(Action::Compare, &area)?;
    Ok(q)
}

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use capacity::{CampaignRule, Ineligible, RoundFacts};
use capacity::{
    CommuneResult, Comparison, CompiledRubric, Formula, GrantRules, GrantSimulation, Group, Lang,
    NodeRef, Progress, ProvisionalRule, ROOT, RankBy, Ranking, ReformNeeds, ReformRules,
};
use capacity_charts::{ChartOptions, DistributionInput, HeatmapInput, ProgressInput};
use capacity_report::cohort;
use capacity_report::labels::tr;
use capacity_report::{Cell, Entry, Table, tables};
use capacity_store::AssessmentFilter;
use capacity_store::AssessmentHeader;
use capacity_store::CampaignRow;
use rust_decimal::Decimal;

use super::ScoredAssessment;

/// The most communes drawn in the heatmap; the ranking lists them all
/// (as in the regional report).
pub const CHART_ROWS: usize = capacity_report::regional::HEATMAP_ROWS;

/// The most communes drawn in a progress chart (the largest falls): the
/// table under it lists them all, page by page.
pub const PROGRESS_CHART_ROWS: usize = 25;

/// The scored assessments of one rubric version in an area, every round.
#[derive(Debug)]
pub struct Scope {
    /// What the scope was computed from: a hash of the id and revision of
    /// every assessment in it. Equal fingerprints, equal figures.
    pub fingerprint: u64,
    /// The rubric they were scored with.
    pub rubric: Arc<CompiledRubric>,
    /// The assessments (all rounds) with their results.
    pub assessments: Vec<Arc<ScoredAssessment>>,
    /// Assessments left out, and why.
    pub left_out: Vec<String>,
    /// The campaigns of this rubric version with assessments in the
    /// area, the latest first.
    pub campaigns: Vec<CampaignRow>,
    /// The verified results of the assessments whose verification is
    /// complete, by assessment id.
    pub verified: HashMap<i64, Arc<super::verification::VerifiedScored>>,
    /// The day the scope was computed (`YYYY-MM-DD`).
    pub today: String,
}

/// The communes compared: the eligible assessments of one campaign
/// ([`capacity::eligibility()`]), one per commune, and the progress pairs
/// from the campaign before it.
pub struct Cohort<'a> {
    /// The campaign compared.
    pub campaign: Option<&'a CampaignRow>,
    /// Which results: verified where complete, or self-assessed only.
    pub scores: Scores,
    /// Every assessment of the scope.
    pub entries: Vec<Entry<'a>>,
    /// The positions compared, by commune id.
    pub selected: Vec<usize>,
    /// Their results.
    pub results: Vec<CommuneResult<'a>>,
    /// Positions of the campaign's assessments that do not count, why.
    pub set_apart: Vec<(usize, Ineligible)>,
    /// `(previous, selected)` positions: each selected commune's eligible
    /// assessment in the previous campaign of the scope, when it has one.
    pub pairs: Vec<(usize, usize)>,
}

/// The core's figures for a cohort.
pub struct Figures {
    /// Distributions, shares, quartiles.
    pub cmp: Comparison,
    /// Ranking by overall score.
    pub ranking: Ranking,
    /// Reform needs.
    pub needs: ReformNeeds,
    /// Progress from each commune's previous round.
    pub progress: Vec<Progress>,
}

/// The groups shown next to the selection: regions when no region is
/// chosen, the cercles of the region when one is, none for a cercle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// By region.
    Regions,
    /// By cercle.
    Cercles,
    /// The selection only.
    None,
}

impl Breakdown {
    /// The breakdown for these filters.
    pub fn of(q: &CompareQuery) -> Self {
        match (&q.region, &q.cercle) {
            (_, Some(_)) => Breakdown::None,
            (Some(_), None) => Breakdown::Cercles,
            (None, None) => Breakdown::Regions,
        }
    }
}

/// Loads and scores the assessments of rubric `id` in the area the query
/// names (its region and cercle filters). When
/// the area holds several versions of the rubric, one is compared
/// ([`capacity_report::cohort::version_to_compare`]) and the others are
/// reported in [`Scope::left_out`]. `None` when nothing
/// matches. A scope is kept ([`Computed`]) for as long as the revisions
/// of its assessments are the same; results come from
/// [`Service::scored_many`].
pub async fn load_scope(
    state: &Service,
    id: &str,
    q: &CompareQuery,
) -> Result<Option<Arc<Scope>>, AppError> {
    // Asked again before any write (the grant queries, the pages of a
    // table), the scope is taken as it is, without even its fingerprint.
    let today = super::limits::today();
    let key = format!(
        "scope {id} {:?} {:?} {:?} {today}",
        q.region, q.cercle, q.campaign
    );
    let scope = state
        .at_this_generation(key, || scope_of(state, id, q, today))
        .await?;
    Ok(Option::clone(&scope))
}

/// [`load_scope`] from the store (or the scope kept by fingerprint).
async fn scope_of(
    state: &Service,
    id: &str,
    q: &CompareQuery,
    today: String,
) -> Result<Option<Arc<Scope>>, AppError> {
    let mut filter = AssessmentFilter {
        rubric: Some(id.to_owned()),
        region: q.region.clone(),
        cercle: q.cercle.clone(),
        ..Default::default()
    };
    let headers = state.headers(&filter).await?;
    let in_area: std::collections::HashSet<&str> =
        headers.iter().map(|h| h.campaign_id.as_str()).collect();
    // The campaigns of the rubric with assessments in the area, latest first.
    let campaigns: Vec<CampaignRow> = state
        .campaigns(Some(id))
        .await?
        .iter()
        .filter(|k| in_area.contains(k.id.as_str()))
        .cloned()
        .collect();
    let chosen = match q.campaign.as_deref() {
        Some(asked) => campaigns.iter().find(|k| k.id == asked),
        None => campaigns.first(),
    };
    let Some(version) = chosen.map(|k| k.rubric_version.clone()) else {
        return Ok(None);
    };
    let campaigns: Vec<CampaignRow> = campaigns
        .into_iter()
        .filter(|k| k.rubric_version == version)
        .collect();
    let mut others: BTreeMap<&str, usize> = BTreeMap::new();
    for h in headers.iter().filter(|h| h.rubric_version != version) {
        *others.entry(h.rubric_version.as_str()).or_default() += 1;
    }
    let key = (
        id.to_owned(),
        version.clone(),
        q.region.clone(),
        q.cercle.clone(),
    );
    let of_version = || headers.iter().filter(|h| h.rubric_version == version);
    // Every verification write moves its assessment's revision: the
    // revisions cover the verified results too.
    let fingerprint = fingerprint_of(
        of_version()
            .map(|h| (h.id, h.revision))
            .chain(campaigns.iter().map(|k| (k.version, k.assessments))),
    ) ^ fingerprint_of(
        std::iter::once((today.len() as i64, 0)).chain(today.bytes().map(|b| (i64::from(b), 1))),
    );
    if let Some(hit) = state.computed.scope(&key, fingerprint) {
        return Ok(Some(hit));
    }
    let of_version: Vec<AssessmentHeader> = of_version().cloned().collect();
    let rubric = state.rubric(id, &version).await?;
    filter.rubric_version = Some(version.clone());
    let (assessments, mut left_out) = state
        .scored_of(&filter, &of_version, super::Keep::After)
        .await?;
    let (verified_results, unverifiable) =
        super::verification::verified_many(state, &filter).await?;
    left_out.extend(unverifiable);
    let verified: HashMap<i64, Arc<super::verification::VerifiedScored>> = verified_results
        .into_iter()
        .filter(|v| v.state.is_completed())
        .map(|v| (v.header.id, v))
        .collect();
    if !others.is_empty() {
        let others: Vec<String> = others
            .iter()
            .map(|(v, n)| format!("{n} × {id} {v}"))
            .collect();
        left_out.push(format!("{} ≠ {id} {version}", others.join(", ")));
    }
    if assessments.is_empty() {
        return Ok(None);
    }
    let scope = Arc::new(Scope {
        // Computed from the list above and what was scored, which may be
        // newer: a later request with the newer list computes it again.
        fingerprint,
        rubric,
        assessments,
        left_out,
        campaigns,
        verified,
        today,
    });
    state.computed.keep_scope(key, Arc::clone(&scope));
    Ok(Some(scope))
}

fn fingerprint_of(items: impl Iterator<Item = (i64, i64)>) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for item in items {
        item.hash(&mut hasher);
    }
    hasher.finish()
}

/// Which scope: rubric id and version, region, cercle.
type ScopeKey = (String, String, Option<String>, Option<String>);

/// Which comparison: the fingerprints of its scope and of the
/// redeployment scope of the same area, the filters, the language.
type ViewKey = (u64, Option<u64>, CompareQuery, Lang);

/// Scopes and comparison views computed and still good: a scope for as
/// long as its fingerprint (the revisions of its assessments) holds, a
/// view under the fingerprints it was computed from. A save in one commune
/// changes the fingerprint of the scopes holding it, and only those are
/// computed again (from the other communes' kept results and the one
/// that changed). Bounded: past a few dozen entries, the oldest go.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    scopes: Arc<Mutex<Bounded<ScopeKey, Arc<Scope>>>>,
    views: Arc<Mutex<Bounded<ViewKey, Arc<ComparisonView>>>>,
}

/// Scopes kept (each holds `Arc`s of results kept anyway).
const SCOPES_KEPT: usize = 64;
/// Comparison views kept (each a few hundred kilobytes at national scale).
const VIEWS_KEPT: usize = 32;

#[derive(Debug)]
struct Bounded<K, V> {
    map: HashMap<K, V>,
    order: std::collections::VecDeque<K>,
}

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            order: std::collections::VecDeque::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Bounded<K, V> {
    fn put(&mut self, key: K, value: V, most: usize) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > most {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

impl Computed {
    fn scope(&self, key: &ScopeKey, fingerprint: u64) -> Option<Arc<Scope>> {
        let scopes = self.scopes.lock().ok()?;
        scopes
            .map
            .get(key)
            .filter(|s| s.fingerprint == fingerprint)
            .cloned()
    }

    fn keep_scope(&self, key: ScopeKey, scope: Arc<Scope>) {
        if let Ok(mut scopes) = self.scopes.lock() {
            scopes.put(key, scope, SCOPES_KEPT);
        }
    }

    fn view(&self, key: &ViewKey) -> Option<Arc<ComparisonView>> {
        self.views.lock().ok()?.map.get(key).cloned()
    }

    fn keep_view(&self, key: ViewKey, view: Arc<ComparisonView>) {
        if let Ok(mut views) = self.views.lock() {
            views.put(key, view, VIEWS_KEPT);
        }
    }
}

impl Scope {
    /// The campaign `asked` (its id) when it is one of the scope's, else
    /// the latest one.
    pub fn campaign(&self, asked: Option<&str>) -> Option<&CampaignRow> {
        match asked {
            Some(id) => self.campaigns.iter().find(|k| k.id == id),
            None => self.campaigns.first(),
        }
    }

    /// Why an assessment of campaign `k` does not count, if it does not.
    fn eligibility(&self, a: &ScoredAssessment, k: &CampaignRow) -> Result<(), Ineligible> {
        capacity::eligibility(
            &RoundFacts {
                finalised: a.header.finalised,
                provisional: a.header.provisional_reason.as_deref(),
                date: &a.header.date,
                verified: self.verified.contains_key(&a.header.id),
            },
            &CampaignRule {
                starts: &k.starts,
                ends: &k.ends,
                verification_required: k.verification_required,
                today: &self.today,
            },
        )
    }

    /// The cohort of campaign `campaign` ([`Scope::campaign`]), on the
    /// verified results of the assessments whose verification is complete
    /// unless `scores` is [`Scores::SelfAssessed`].
    pub fn cohort(&self, campaign: Option<&str>, scores: Scores) -> Cohort<'_> {
        let entries: Vec<Entry<'_>> = self
            .assessments
            .iter()
            .map(|a| {
                let verified = match scores {
                    Scores::Verified => self.verified.get(&a.header.id),
                    Scores::SelfAssessed => None,
                };
                Entry::new(&a.assessment, verified.map_or(&a.scored, |v| &v.scored))
            })
            .collect();
        let chosen = self.campaign(campaign);
        // The campaigns before the chosen one, latest first: progress runs
        // from each commune's eligible assessment in the latest of them
        // where it has one.
        let earlier: Vec<&CampaignRow> = chosen
            .and_then(|k| self.campaigns.iter().position(|c| c.id == k.id))
            .map(|at| self.campaigns.iter().skip(at + 1).collect())
            .unwrap_or_default();
        let mut selected = Vec::new();
        let mut set_apart = Vec::new();
        // commune → (rank of its campaign among `earlier`, position).
        let mut before: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, a) in self.assessments.iter().enumerate() {
            if let Some(k) = chosen.filter(|k| k.id == a.header.campaign_id) {
                match self.eligibility(a, k) {
                    Ok(()) => selected.push(i),
                    Err(why) => set_apart.push((i, why)),
                }
            } else if let Some((rank, k)) = earlier
                .iter()
                .enumerate()
                .find(|(_, k)| k.id == a.header.campaign_id)
                && self.eligibility(a, k).is_ok()
            {
                let slot = before
                    .entry(a.header.commune_id.as_str())
                    .or_insert((rank, i));
                if rank < slot.0 {
                    *slot = (rank, i);
                }
            }
        }
        // Borrowed keys: a key copied out would be a string allocated per
        // comparison, thousands per page at national scale.
        let commune = |i: &usize| {
            self.assessments
                .get(*i)
                .map(|a| a.header.commune_id.as_str())
        };
        selected.sort_by(|a, b| commune(a).cmp(&commune(b)));
        set_apart.sort_by(|(a, _), (b, _)| commune(a).cmp(&commune(b)));
        let pairs = selected
            .iter()
            .filter_map(|s| {
                let a = self.assessments.get(*s)?;
                before
                    .get(a.header.commune_id.as_str())
                    .map(|(_, p)| (*p, *s))
            })
            .collect();
        let results = selected
            .iter()
            .filter_map(|i| entries.get(*i).map(Entry::result))
            .collect();
        Cohort {
            campaign: chosen,
            scores,
            entries,
            selected,
            results,
            set_apart,
            pairs,
        }
    }

    /// The campaigns offered, `(id, label)`, the latest first.
    pub fn campaign_options(&self) -> Vec<(String, String)> {
        self.campaigns
            .iter()
            .map(|k| (k.id.clone(), k.label.clone()))
            .collect()
    }

    /// What the pages say of the cohort's campaign (`None` without one).
    pub fn shown(&self, cohort: &Cohort<'_>, lang: Lang) -> Option<CampaignShown> {
        let k = cohort.campaign?;
        let previous = self
            .campaigns
            .iter()
            .position(|c| c.id == k.id)
            .and_then(|at| self.campaigns.get(at + 1))
            .map(|p| p.label.clone());
        let overall = |s: &capacity::Scored| {
            s.overall
                .map_or_else(|| "—".to_owned(), |v| capacity::format::score(v, lang))
        };
        let mut verified: Vec<VerifiedLine> = self
            .assessments
            .iter()
            .filter(|a| a.header.campaign_id == k.id)
            .filter_map(|a| {
                let v = self.verified.get(&a.header.id)?;
                Some(VerifiedLine {
                    id: a.header.id,
                    commune: a.header.commune_name.clone(),
                    self_overall: overall(&a.scored),
                    verified_overall: overall(&v.scored),
                    changed: u32::try_from(v.state.changed).unwrap_or(u32::MAX),
                })
            })
            .collect();
        verified.sort_by(|a, b| a.commune.cmp(&b.commune));
        Some(CampaignShown {
            scores_self: cohort.scores == Scores::SelfAssessed,
            verified,
            id: k.id.clone(),
            label: k.label.clone(),
            starts: k.starts.clone(),
            ends: k.ends.clone(),
            verification_required: k.verification_required,
            eligible: u32::try_from(cohort.selected.len()).unwrap_or(u32::MAX),
            previous,
            set_apart: self.set_apart(cohort),
        })
    }

    /// The assessments of a cohort set apart, for the page.
    fn set_apart(&self, cohort: &Cohort<'_>) -> Vec<SetApart> {
        cohort
            .set_apart
            .iter()
            .filter_map(|(i, why)| {
                let a = self.assessments.get(*i)?;
                Some(SetApart {
                    id: a.header.id,
                    commune: a.header.commune_name.clone(),
                    cercle: a.header.cercle.clone(),
                    region: a.header.region.clone(),
                    reason: why.clone(),
                })
            })
            .collect()
    }
}

fn planning(e: capacity::PlanningErrors) -> AppError {
    AppError::Internal(e.to_string())
}

impl Cohort<'_> {
    /// The core's figures.
    pub fn figures(&self, rubric: &CompiledRubric) -> Result<Figures, AppError> {
        let cmp = capacity::compare(rubric, &self.results).map_err(planning)?;
        let ranking = capacity::rank(rubric, &self.results, RankBy::Overall).map_err(planning)?;
        let needs = capacity::reform_needs(rubric, &self.results, &ReformRules::default())
            .map_err(planning)?;
        let mut progress = Vec::new();
        for (from, to) in self.pairs.iter().copied() {
            if let (Some(f), Some(t)) = (self.entries.get(from), self.entries.get(to)) {
                progress
                    .push(capacity::progress(rubric, &f.result(), &t.result()).map_err(planning)?);
            }
        }
        Ok(Figures {
            cmp,
            ranking,
            needs,
            progress,
        })
    }

    /// A commune's name from its id (the id when unknown).
    pub fn namer(&self) -> impl Fn(&str) -> String + '_ {
        let names: BTreeMap<&str, &str> = self
            .results
            .iter()
            .map(|r| (r.commune.id.as_str(), r.commune.name.as_str()))
            .collect();
        move |id: &str| {
            names
                .get(id)
                .map_or_else(|| id.to_owned(), |n| (*n).to_owned())
        }
    }
}

/// The share at or above the basic level, nodes × the selection and each
/// group of the breakdown ([`capacity_report::shares::share_matrix`]).
fn share_matrix(
    rubric: &CompiledRubric,
    cmp: &Comparison,
    breakdown: Breakdown,
    lang: Lang,
) -> Table {
    let mut groups = vec![&cmp.national];
    match breakdown {
        Breakdown::Regions => groups.extend(cmp.regions.iter()),
        Breakdown::Cercles => groups.extend(cmp.cercles.iter()),
        Breakdown::None => {}
    }
    capacity_report::shares::share_matrix(rubric, &groups, lang)
}

/// The comparison's tables, in page order.
pub struct ComparisonTables {
    /// Share at or above basic, nodes × groups.
    pub shares: Table,
    /// Overall grades and quartiles per group.
    pub groups: Table,
    /// Distribution per domain and competency.
    pub nodes: Table,
    /// Distribution per indicator.
    pub indicators: Table,
    /// Ranking with its method.
    pub ranking: Table,
    /// Reform needs of the selection.
    pub reform: Table,
    /// Transferable competences, when the rubric names some.
    pub transfers: Option<Table>,
    /// Progress between rounds, when some commune has two.
    pub progress: Option<Table>,
}

impl ComparisonTables {
    /// Builds every table from the core's figures.
    pub fn new(
        rubric: &CompiledRubric,
        cohort: &Cohort<'_>,
        figures: &Figures,
        breakdown: Breakdown,
        lang: Lang,
    ) -> Self {
        let cmp = &figures.cmp;
        let mut groups = vec![&cmp.national];
        match breakdown {
            Breakdown::Regions => groups.extend(cmp.regions.iter()),
            Breakdown::Cercles => groups.extend(cmp.cercles.iter()),
            Breakdown::None => {}
        }
        let name = cohort.namer();
        Self {
            shares: share_matrix(rubric, cmp, breakdown, lang),
            groups: tables::groups(rubric, &groups, ROOT, lang),
            nodes: tables::nodes(rubric, &cmp.national, lang),
            indicators: tables::indicators(rubric, &cmp.national, lang),
            ranking: tables::ranking(rubric, &figures.ranking, &name, lang),
            reform: tables::reform(rubric, &figures.needs.national, lang),
            transfers: (!figures.needs.national.transfers.is_empty())
                .then(|| tables::transfers(&figures.needs.national, lang)),
            progress: (!figures.progress.is_empty())
                .then(|| tables::progress_many(&figures.progress, &name, lang)),
        }
    }

    /// Every table with a short name (a sheet of the XLSX download:
    /// at most 31 characters, unique).
    pub fn sheets(&self, lang: Lang) -> Vec<(&'static str, &Table)> {
        let mut list = vec![
            (tr(lang, "Niveau de base", "Basic level"), &self.shares),
            (tr(lang, "Groupes", "Groups"), &self.groups),
            (
                tr(lang, "Domaines et compétences", "Domains and competencies"),
                &self.nodes,
            ),
            (tr(lang, "Indicateurs", "Indicators"), &self.indicators),
            (tr(lang, "Classement", "Ranking"), &self.ranking),
            (tr(lang, "Besoins de réforme", "Reform needs"), &self.reform),
        ];
        if let Some(t) = &self.transfers {
            list.push((
                tr(lang, "Compétences transférées", "Transferred competences"),
                t,
            ));
        }
        if let Some(t) = &self.progress {
            list.push((tr(lang, "Progrès", "Progress"), t));
        }
        list
    }
}

/// The rules of the grant form, or why they are refused.
pub fn grant_rules(q: &GrantQuery) -> Result<GrantRules, GrantInputError> {
    let pool_text = q.pool.clone().unwrap_or_default();
    let pool = parse_pool(&pool_text).ok_or(GrantInputError::Pool(pool_text))?;
    let threshold_text = q
        .threshold
        .clone()
        .unwrap_or_else(|| DEFAULT_THRESHOLD.to_owned());
    let threshold =
        parse_threshold(&threshold_text).ok_or(GrantInputError::Threshold(threshold_text))?;
    Ok(GrantRules {
        pool,
        threshold,
        minimum_conditions: Default::default(),
        provisional: if q.accept_provisional() {
            ProvisionalRule::Eligible
        } else {
            ProvisionalRule::Ineligible
        },
        formula: if q.by_population() {
            Formula::ScoreTimesPopulation
        } else {
            Formula::Score
        },
    })
}

/// Simulates the grants of a cohort and lays the result out.
pub fn simulate(
    rubric: &CompiledRubric,
    cohort: &Cohort<'_>,
    rules: &GrantRules,
    lang: Lang,
) -> Result<(GrantSimulation, Table), GrantInputError> {
    let sim = capacity::simulate_grants(rubric, rules, &cohort.results)
        .map_err(|e| GrantInputError::Rules(e.to_string()))?;
    let name = cohort.namer();
    let table = tables::grants(rubric, &sim, &name, lang);
    Ok((sim, table))
}

/// A report table as the page shows it.
pub fn table_view(id: &str, t: &Table, lang: Lang) -> TableView {
    TableView {
        id: id.to_owned(),
        title: t.title.clone(),
        columns: t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ColumnView {
                key: c.key.clone(),
                label: c.label.clone(),
                numeric: t.numeric_column(i),
            })
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| match c {
                        Cell::Tree { depth, text } => CellView {
                            text: text.clone(),
                            depth: *depth,
                            number: None,
                        },
                        c => CellView {
                            text: c.display(lang),
                            depth: 0,
                            number: cell_number(c),
                        },
                    })
                    .collect()
            })
            .collect(),
        footer: None,
        note: t.note.clone(),
    }
}

/// The exact number a cell shows, for sorting.
fn cell_number(c: &Cell) -> Option<Decimal> {
    match c {
        Cell::Int(n) => Some(Decimal::from(*n)),
        Cell::Signed(n) => Some(Decimal::from(*n)),
        Cell::Score(d) | Cell::Delta(d) => *d,
        Cell::Money(m) => Some(*m),
        Cell::Share(s) => s.ratio(),
        Cell::Text(_) | Cell::Tree { .. } | Cell::Empty => None,
    }
}

/// A report table as a sheet of a download: numbers stay numbers
/// (shares as percentages with one decimal), the note becomes the last
/// row after an empty one.
pub fn exchange_table(name: &str, t: &Table) -> capacity_exchange::Table {
    use capacity_exchange::Cell as X;
    let share_cols: Vec<bool> = (0..t.columns.len())
        .map(|i| {
            t.rows
                .iter()
                .filter_map(|r| r.get(i))
                .find(|c| !matches!(c, Cell::Empty))
                .is_some_and(|c| matches!(c, Cell::Share(_)))
        })
        .collect();
    let headers = t
        .columns
        .iter()
        .zip(&share_cols)
        .map(|(c, share)| {
            if *share {
                format!("{} (%)", c.label)
            } else {
                c.label.clone()
            }
        })
        .collect();
    let mut out = capacity_exchange::Table::new(name, headers);
    for row in &t.rows {
        out.rows.push(
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) | Cell::Tree { text: s, .. } => X::Text(s.clone()),
                    Cell::Int(n) => X::Integer(i64::try_from(*n).unwrap_or(i64::MAX)),
                    Cell::Signed(n) => X::Integer(*n),
                    Cell::Score(Some(d)) | Cell::Delta(Some(d)) => X::Number {
                        value: *d,
                        places: 1,
                    },
                    Cell::Money(m) => X::Money(*m),
                    Cell::Share(s) => s.ratio().map_or(X::Empty, |r| X::Number {
                        value: r * Decimal::ONE_HUNDRED,
                        places: 1,
                    }),
                    Cell::Score(None) | Cell::Delta(None) | Cell::Empty => X::Empty,
                })
                .collect(),
        );
    }
    if let Some(note) = &t.note {
        out.rows.push(Vec::new());
        out.rows.push(vec![X::Text(note.clone())]);
    }
    out
}

/// The comparison as a workbook: the scores of every commune compared
/// (one row each, `capacity-exchange`'s planners' table and its
/// legend), then every table of the page. `None` when nothing matches.
pub async fn comparison_export(
    state: &Service,
    actor: &super::access::Actor,
    q: &CompareQuery,
    lang: Lang,
) -> Result<Option<capacity_exchange::Export>, AppError> {
    let q = &authorise(state, actor, q).await?;
    let Some(scope) = load_scope(state, q.rubric_id(), q).await? else {
        return Ok(None);
    };
    let q = q.clone();
    state
        .cpu(move || {
            let cohort = scope.cohort(q.campaign.as_deref(), q.scores());
            if cohort.results.is_empty() {
                return Ok(None);
            }
            let rubric = &scope.rubric;
            let figures = cohort.figures(rubric)?;
            let mut export = capacity_exchange::Export::scores(rubric, &cohort.results, lang)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let legend = export.tables.pop();
            let tables = ComparisonTables::new(rubric, &cohort, &figures, Breakdown::of(&q), lang);
            for (name, t) in tables.sheets(lang) {
                export.tables.push(exchange_table(name, t));
            }
            export.tables.extend(legend);
            Ok(Some(export))
        })
        .await?
}

/// The grant simulation as a download table. `Ok(None)` when nothing
/// matches the filters.
pub async fn grants_export(
    state: &Service,
    actor: &super::access::Actor,
    q: &CompareQuery,
    g: &GrantQuery,
    lang: Lang,
) -> Result<Option<Result<capacity_exchange::Export, GrantInputError>>, AppError> {
    let q = &authorise(state, actor, q).await?;
    let Some(scope) = load_scope(state, q.rubric_id(), q).await? else {
        return Ok(None);
    };
    let rules = match grant_rules(g) {
        Ok(r) => r,
        Err(e) => return Ok(Some(Err(e))),
    };
    let campaign = q.campaign.clone();
    let scores = q.scores();
    state
        .cpu(move || {
            let cohort = scope.cohort(campaign.as_deref(), scores);
            if cohort.results.is_empty() {
                return None;
            }
            Some(
                simulate(&scope.rubric, &cohort, &rules, lang).map(|(_, t)| {
                    capacity_exchange::Export {
                        tables: vec![exchange_table(tr(lang, "Dotations", "Grants"), &t)],
                    }
                }),
            )
        })
        .await
}

/// What the filter form offers.
async fn filter_options(state: &Service, lang: Lang) -> Result<FilterOptions, AppError> {
    let rubrics = state.rubric_rows().await?;
    let regions = state.regions().await?;
    let mut options = FilterOptions {
        rubrics: rubrics
            .iter()
            .map(|r| {
                let title = match lang {
                    Lang::En => r.title_en.clone().unwrap_or_else(|| r.title_fr.clone()),
                    Lang::Fr => r.title_fr.clone(),
                };
                (r.id.clone(), title)
            })
            .collect(),
        regions: Vec::clone(&regions),
        campaigns: Vec::new(),
    };
    options.rubrics.dedup_by(|a, b| a.0 == b.0);
    Ok(options)
}

/// Everything the compare page shows, its long tables paged as `paging`
/// says. The whole comparison is computed once per set of revisions
/// ([`Computed`]); a page of it is cut from that.
pub async fn page_data(
    state: &Service,
    q: &CompareQuery,
    lang: Lang,
) -> Result<ComparePageData, AppError> {
    page_data_paged(state, q, &ComparePaging::default(), lang).await
}

/// [`page_data`] with the long tables' page and order.
pub async fn page_data_paged(
    state: &Service,
    q: &CompareQuery,
    paging: &ComparePaging,
    lang: Lang,
) -> Result<ComparePageData, AppError> {
    let mut options = filter_options(state, lang).await?;
    let Some(scope) = load_scope(state, q.rubric_id(), q).await? else {
        return Ok(ComparePageData {
            options,
            campaign: None,
            comparison: None,
        });
    };
    options.campaigns = scope.campaign_options();
    let campaign = scope.shown(&scope.cohort(q.campaign.as_deref(), q.scores()), lang);
    // The redeployment checklist's campaign of the same label, else its
    // latest.
    let redeployment = if q.rubric_id() == REDEPLOYMENT_RUBRIC {
        None
    } else {
        let area = CompareQuery {
            campaign: None,
            ..q.clone()
        };
        load_scope(state, REDEPLOYMENT_RUBRIC, &area).await?
    };
    let label = scope
        .campaign(q.campaign.as_deref())
        .map(|k| k.label.clone());
    let redeploy_campaign = redeployment.as_ref().and_then(|r| {
        r.campaigns
            .iter()
            .find(|k| Some(&k.label) == label.as_ref())
            .map(|k| k.id.clone())
    });
    let key: ViewKey = (
        scope.fingerprint,
        redeployment.as_ref().map(|s| s.fingerprint),
        q.clone(),
        lang,
    );
    let full = match state.computed.view(&key) {
        Some(hit) => hit,
        None => {
            let q = q.clone();
            let computed = state
                .cpu(move || -> Result<Option<ComparisonView>, AppError> {
                    let cohort = scope.cohort(q.campaign.as_deref(), q.scores());
                    if cohort.results.is_empty() {
                        return Ok(None);
                    }
                    let mut view = comparison_view(&scope, &cohort, &q, lang)?;
                    view.redeployment = match &redeployment {
                        Some(s) => reform_of(s, redeploy_campaign.as_deref(), "redeploy", lang)?,
                        None => None,
                    };
                    Ok(Some(view))
                })
                .await??;
            let Some(view) = computed else {
                return Ok(ComparePageData {
                    options,
                    campaign,
                    comparison: None,
                });
            };
            let view = Arc::new(view);
            state.computed.keep_view(key, Arc::clone(&view));
            view
        }
    };
    Ok(ComparePageData {
        options,
        campaign,
        comparison: Some(page_of(&full, paging)),
    })
}

/// A page of a whole comparison: the long tables cut to one page each,
/// the list of communes left out when it is long (the summary counts them
/// by area and the ranking lists them all).
fn page_of(full: &ComparisonView, paging: &ComparePaging) -> ComparisonView {
    let (ranking, ranking_paging) = full.ranking.page(&paging.ranking, PAGE_ROWS);
    let (progress, progress_paging) = match &full.progress {
        Some(t) => {
            let (t, p) = t.page(&paging.progress, PAGE_ROWS);
            (Some(t), p)
        }
        None => (None, Paging::default()),
    };
    ComparisonView {
        rubric_title: full.rubric_title.clone(),
        rubric_key: full.rubric_key.clone(),
        basic: full.basic.clone(),
        communes: if full.communes.len() <= COMMUNES_LISTED {
            full.communes.clone()
        } else {
            Vec::new()
        },
        rounds: full.rounds.clone(),
        left_out: full.left_out.clone(),
        shares: full.shares.clone(),
        groups: full.groups.clone(),
        distribution: full.distribution.clone(),
        nodes: full.nodes.clone(),
        indicators: full.indicators.clone(),
        heatmap: full.heatmap.clone(),
        areas: full.areas.clone(),
        ranking,
        progress_charts: full.progress_charts.clone(),
        progress,
        ranking_paging,
        progress_paging,
        reform: full.reform.clone(),
        redeployment: full.redeployment.clone(),
    }
}

/// Everything the grant page shows: the selection and, when the form was
/// submitted, the simulation with its table paged as `table` says.
pub async fn grants_page_data(
    state: &Service,
    q: &CompareQuery,
    g: &GrantQuery,
    lang: Lang,
) -> Result<GrantsPageData, AppError> {
    grants_page_data_paged(state, q, g, &TableQuery::default(), lang).await
}

/// [`grants_page_data`] with the table's page and order.
pub async fn grants_page_data_paged(
    state: &Service,
    q: &CompareQuery,
    g: &GrantQuery,
    table: &TableQuery,
    lang: Lang,
) -> Result<GrantsPageData, AppError> {
    let mut options = filter_options(state, lang).await?;
    let Some(scope) = load_scope(state, q.rubric_id(), q).await? else {
        return Ok(GrantsPageData {
            options,
            campaign: None,
            selection: None,
        });
    };
    options.campaigns = scope.campaign_options();
    let (q, g, table) = (q.clone(), g.clone(), table.clone());
    let (campaign, selection) = state
        .cpu(move || {
            let cohort = scope.cohort(q.campaign.as_deref(), q.scores());
            let campaign = scope.shown(&cohort, lang);
            if cohort.results.is_empty() {
                return (campaign, None);
            }
            let rubric = &scope.rubric;
            let selection = GrantSelection {
                rubric_title: rubric.rubric().title.get(lang).to_owned(),
                rubric_key: rubric.key().to_owned(),
                communes: u32::try_from(cohort.results.len()).unwrap_or(u32::MAX),
                grants: g
                    .submitted()
                    .then(|| grant_view(rubric, &cohort, &g, &table, lang)),
            };
            (campaign, Some(selection))
        })
        .await?;
    Ok(GrantsPageData {
        options,
        campaign,
        selection,
    })
}

/// The reform needs of a scope's cohort (`None` when empty).
fn reform_of(
    scope: &Scope,
    campaign: Option<&str>,
    prefix: &str,
    lang: Lang,
) -> Result<Option<ReformView>, AppError> {
    let cohort = scope.cohort(campaign, Scores::Verified);
    if cohort.results.is_empty() {
        return Ok(None);
    }
    let rubric = &scope.rubric;
    let needs = capacity::reform_needs(rubric, &cohort.results, &ReformRules::default())
        .map_err(planning)?;
    Ok(Some(reform_view(
        rubric,
        &needs,
        cohort.results.len(),
        prefix,
        lang,
    )))
}

fn reform_view(
    rubric: &CompiledRubric,
    needs: &ReformNeeds,
    entities: usize,
    prefix: &str,
    lang: Lang,
) -> ReformView {
    let mut tables_out = vec![table_view(
        &format!("{prefix}-needs"),
        &tables::reform(rubric, &needs.national, lang),
        lang,
    )];
    if !needs.national.transfers.is_empty() {
        tables_out.push(table_view(
            &format!("{prefix}-transfers"),
            &tables::transfers(&needs.national, lang),
            lang,
        ));
    }
    let regions = if needs.regions.len() > 1 {
        needs
            .regions
            .iter()
            .filter_map(|g| match &g.group {
                Group::Region { region } => Some((region.clone(), g.communes)),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    ReformView {
        rubric_title: rubric.rubric().title.get(lang).to_owned(),
        entities: u32::try_from(entities).unwrap_or(u32::MAX),
        flagged: needs
            .national
            .transfers_not_effective
            .iter()
            .map(|n| tables::title(rubric, NodeRef::Node(*n), lang))
            .collect(),
        tables: tables_out,
        regions,
    }
}

/// The columns of the grant table on the page, in order: the commune
/// (the row's header) and its amount first, so that both stay in sight on
/// a phone; the reasons of exclusions are listed under the table, and
/// every column is in the download.
const GRANT_COLUMNS: &[&str] = &[
    "commune",
    "amount_fcfa",
    "score",
    "eligible",
    "population",
    "region",
];

fn grant_view(
    rubric: &CompiledRubric,
    cohort: &Cohort<'_>,
    g: &GrantQuery,
    table_query: &TableQuery,
    lang: Lang,
) -> Result<GrantView, GrantInputError> {
    let rules = grant_rules(g)?;
    let (sim, table) = simulate(rubric, cohort, &rules, lang)?;
    let total: Decimal = sim.allocations.iter().map(|a| a.amount).sum();
    let mut view = table_view("grants-table", &table, lang).only(GRANT_COLUMNS);
    let footer: Vec<CellView> = view
        .columns
        .iter()
        .map(|c| CellView {
            text: match c.key.as_str() {
                "commune" => tr(lang, "Total", "Total").to_owned(),
                "amount_fcfa" => capacity::format::fcfa(total, lang),
                _ => String::new(),
            },
            ..CellView::default()
        })
        .collect();
    view.footer = Some(footer);
    let (page, paging) = view.page(table_query, PAGE_ROWS);
    let name = cohort.namer();
    let shown: std::collections::BTreeSet<&str> = page
        .rows
        .iter()
        .filter_map(|r| r.first().map(|c| c.text.as_str()))
        .collect();
    let excluded_all = sim.allocations.iter().filter(|a| !a.eligibility.eligible);
    let excluded_count = u32::try_from(excluded_all.clone().count()).unwrap_or(u32::MAX);
    // The reasons are written for the communes of the page shown only.
    let excluded = excluded_all
        .map(|a| (name(&a.commune), a))
        .filter(|(n, _)| shown.contains(n.as_str()))
        .map(|(n, a)| {
            let reasons: Vec<String> = a
                .eligibility
                .reasons
                .iter()
                .filter(|r| !r.passes())
                .map(|r| tables::reason(rubric, r, lang))
                .collect();
            (n, reasons.join(" ; "))
        })
        .collect();
    Ok(GrantView {
        table: page,
        pool: capacity::format::fcfa(sim.rules.pool, lang),
        distributed: capacity::format::fcfa(sim.distributed, lang),
        undistributed: capacity::format::fcfa(sim.undistributed, lang),
        total: capacity::format::fcfa(total, lang),
        eligible: sim.eligible,
        communes: u32::try_from(sim.allocations.len()).unwrap_or(u32::MAX),
        excluded,
        excluded_count,
        paging,
    })
}

/// The columns of the ranking on the page, in order: rank, commune and
/// score first (in sight on a phone); the id is in the download.
const RANKING_COLUMNS: &[&str] = &[
    "rank",
    "commune",
    "score",
    "region_rank",
    "region",
    "cercle",
    "provisional",
];

/// A heatmap cell as the table shows it: the level's code (`D*` when no
/// information throughout, `NA`, `—` unanswered) and its colour class;
/// a level with some D* below is marked with `*`.
fn heat_cell(scale: &capacity_charts::LevelScale, c: capacity_charts::Cell) -> HeatCell {
    use capacity_charts::Cell as C;
    match c {
        C::Level {
            level,
            no_information,
        } => HeatCell {
            text: format!(
                "{}{}",
                scale.levels.get(level).map_or("?", |l| l.code.as_str()),
                if no_information { "*" } else { "" }
            ),
            class: format!("lvl-{level}"),
        },
        C::NoInformation => HeatCell {
            text: format!("{}*", scale.levels.first().map_or("D", |l| l.code.as_str())),
            class: "ni".to_owned(),
        },
        C::NotApplicable => HeatCell {
            text: "NA".to_owned(),
            class: "na".to_owned(),
        },
        C::Unanswered => HeatCell {
            text: "—".to_owned(),
            class: "none".to_owned(),
        },
    }
}

/// The figures of a non-empty cohort as the page shows them.
fn comparison_view(
    scope: &Scope,
    cohort: &Cohort<'_>,
    q: &CompareQuery,
    lang: Lang,
) -> Result<ComparisonView, AppError> {
    let rubric: &CompiledRubric = &scope.rubric;
    let breakdown = Breakdown::of(q);
    // Two independent halves, one per core: the ranking, progress and
    // reform needs on a second thread, the distributions here.
    let (ranked, cmp) = std::thread::scope(|s| {
        let ranked = s.spawn(|| ranked_part(rubric, cohort, lang));
        let cmp = capacity::compare(rubric, &cohort.results).map_err(planning);
        (ranked.join(), cmp)
    });
    let ranked = ranked
        .map_err(|_| AppError::Internal("the ranking's computation panicked".to_owned()))??;
    let cmp = cmp?;
    let mut groups = vec![&cmp.national];
    match breakdown {
        Breakdown::Regions => groups.extend(cmp.regions.iter()),
        Breakdown::Cercles => groups.extend(cmp.cercles.iter()),
        Breakdown::None => {}
    }
    let shares = share_matrix(rubric, &cmp, breakdown, lang);
    let groups = tables::groups(rubric, &groups, ROOT, lang);
    let nodes = tables::nodes(rubric, &cmp.national, lang);
    let indicators = tables::indicators(rubric, &cmp.national, lang);
    let chart_err = |e: capacity_charts::Error| AppError::Internal(e.to_string());

    let dist =
        DistributionInput::competencies(rubric, &cmp, &Group::National).map_err(chart_err)?;
    let distribution = ChartView {
        svg: capacity_charts::distribution(
            &dist,
            &ChartOptions::new(lang).id("cmp-distribution"),
        ),
        caption: tr(
            lang,
            "Part des communes à chaque niveau, par compétence ; le niveau de base est marqué ; NA, D* et non répondu ont chacun leur motif.",
            "Share of communes at each level, per competency; the basic level is marked; NA, D* and unanswered each have their own pattern.",
        )
        .to_owned(),
    };

    let mut order: Vec<&CommuneResult<'_>> = cohort.results.iter().collect();
    order.sort_by(|a, b| {
        a.scored
            .overall
            .cmp(&b.scored.overall)
            .then_with(|| a.commune.id.cmp(&b.commune.id))
    });
    let shown: Vec<CommuneResult<'_>> = order.iter().take(CHART_ROWS).map(|r| **r).collect();
    let heat = HeatmapInput::competencies(rubric, &shown).map_err(chart_err)?;
    let heatmap = HeatmapView {
        columns: heat
            .columns
            .iter()
            .map(|c| (c.id.clone(), c.label.get(lang).to_owned()))
            .collect(),
        rows: heat
            .rows
            .iter()
            .map(|r| {
                let cells = r.cells.iter().map(|c| heat_cell(&heat.scale, *c)).collect();
                (r.label.clone(), r.detail.clone(), cells)
            })
            .collect(),
        levels: heat
            .scale
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.code.clone(), format!("lvl-{i}")))
            .collect(),
        caption: if cohort.results.len() > CHART_ROWS {
            match lang {
                Lang::Fr => format!(
                    "Niveau de chaque compétence pour les {CHART_ROWS} communes au score global le plus bas (sur {}) ; le tableau de classement les liste toutes.",
                    cohort.results.len()
                ),
                Lang::En => format!(
                    "Level of each competency for the {CHART_ROWS} communes with the lowest overall score (of {}); the ranking table lists them all.",
                    cohort.results.len()
                ),
            }
        } else {
            tr(
                lang,
                "Niveau de chaque compétence, commune par commune (score global croissant).",
                "Level of each competency, commune by commune (overall score, lowest first).",
            )
            .to_owned()
        },
    };
    let mut areas: BTreeMap<String, usize> = BTreeMap::new();
    for r in &cohort.results {
        let area = match Breakdown::of(q) {
            Breakdown::Regions => r.commune.region.clone(),
            Breakdown::Cercles | Breakdown::None => r.commune.cercle.clone(),
        };
        *areas.entry(area).or_default() += 1;
    }

    let mut communes: Vec<SelectedCommune> = cohort
        .selected
        .iter()
        .filter_map(|i| cohort.entries.get(*i))
        .map(|e| SelectedCommune {
            id: e.assessment.commune.id.clone(),
            name: e.assessment.commune.name.clone(),
            cercle: e.assessment.commune.cercle.clone(),
            region: e.assessment.commune.region.clone(),
            round: e.assessment.round.clone(),
            provisional: e.scored.provisional,
            finalised: e.assessment.finalised,
        })
        .collect();
    communes.sort_by(|a, b| {
        (&a.region, &a.cercle, &a.name, &a.id).cmp(&(&b.region, &b.cercle, &b.name, &b.id))
    });
    let rounds = cohort::round_labels(&cohort.entries, &cohort.selected)
        .into_iter()
        .map(str::to_owned)
        .collect();

    Ok(ComparisonView {
        rubric_title: rubric.rubric().title.get(lang).to_owned(),
        rubric_key: rubric.key().to_owned(),
        basic: rubric.level_code(rubric.basic()).to_owned(),
        communes,
        rounds,
        left_out: scope.left_out.clone(),
        shares: table_view("shares-table", &shares, lang),
        groups: table_view("groups-table", &groups, lang),
        distribution,
        nodes: table_view("nodes-table", &nodes, lang),
        indicators: table_view("indicators-table", &indicators, lang),
        heatmap,
        areas: areas.into_iter().collect(),
        ranking: ranked.ranking,
        progress_charts: ranked.progress_charts,
        progress: ranked.progress,
        ranking_paging: Paging::default(),
        progress_paging: Paging::default(),
        reform: ranked.reform,
        redeployment: None,
    })
}

/// The half of a comparison view that ranks and pairs rounds.
struct RankedPart {
    ranking: TableView,
    progress: Option<TableView>,
    progress_charts: Vec<ChartView>,
    reform: ReformView,
}

/// The ranking, progress between rounds and reform needs of a cohort, as
/// the page shows them.
fn ranked_part(
    rubric: &CompiledRubric,
    cohort: &Cohort<'_>,
    lang: Lang,
) -> Result<RankedPart, AppError> {
    let name = cohort.namer();
    let ranking = capacity::rank(rubric, &cohort.results, RankBy::Overall).map_err(planning)?;
    let needs = capacity::reform_needs(rubric, &cohort.results, &ReformRules::default())
        .map_err(planning)?;
    let mut progress = Vec::new();
    for (from, to) in cohort::progress_pairs(&cohort.entries, &cohort.selected) {
        if let (Some(f), Some(t)) = (cohort.entries.get(from), cohort.entries.get(to)) {
            progress.push(capacity::progress(rubric, &f.result(), &t.result()).map_err(planning)?);
        }
    }
    Ok(RankedPart {
        ranking: table_view(
            "ranking-table",
            &tables::ranking(rubric, &ranking, &name, lang),
            lang,
        )
        .only(RANKING_COLUMNS),
        progress: (!progress.is_empty()).then(|| {
            table_view(
                "progress-table",
                &tables::progress_many(&progress, &name, lang),
                lang,
            )
        }),
        progress_charts: progress_charts(rubric, cohort, &progress, lang),
        reform: reform_view(rubric, &needs, cohort.results.len(), "reform", lang),
    })
}

/// One dumbbell of overall scores per pair of rounds (one row per
/// commune, the largest falls first, at most [`CHART_ROWS`]).
fn progress_charts(
    rubric: &CompiledRubric,
    cohort: &Cohort<'_>,
    progress: &[Progress],
    lang: Lang,
) -> Vec<ChartView> {
    let name = cohort.namer();
    let mut by_rounds: BTreeMap<(&str, &str), Vec<&Progress>> = BTreeMap::new();
    for p in progress {
        by_rounds
            .entry((p.from_round.as_str(), p.to_round.as_str()))
            .or_default()
            .push(p);
    }
    let scale = capacity_charts::LevelScale::of(rubric);
    let reading = |score: Option<Decimal>| match score {
        Some(score) => capacity_charts::Reading::Scored {
            score,
            no_information: false,
            all_no_information: false,
        },
        None => capacity_charts::Reading::Unanswered,
    };
    by_rounds
        .into_iter()
        .enumerate()
        .map(|(i, ((from, to), mut list))| {
            list.sort_by(|a, b| {
                a.overall
                    .delta
                    .cmp(&b.overall.delta)
                    .then_with(|| a.commune.cmp(&b.commune))
            });
            let total = list.len();
            let items = list
                .iter()
                .take(PROGRESS_CHART_ROWS)
                .map(|p| capacity_charts::ProgressItem {
                    id: p.commune.clone(),
                    label: capacity::Text::new(name(&p.commune), None),
                    from: reading(p.overall.from),
                    to: reading(p.overall.to),
                })
                .collect();
            let input = ProgressInput {
                scale: scale.clone(),
                kind: capacity_charts::Axes::Competencies,
                commune: String::new(),
                from_round: from.to_owned(),
                to_round: to.to_owned(),
                items,
            };
            let title = match lang {
                Lang::Fr => format!("Score global, tour {from} → tour {to}"),
                Lang::En => format!("Overall score, round {from} → round {to}"),
            };
            let caption = match lang {
                Lang::Fr if total > PROGRESS_CHART_ROWS => format!(
                    "{PROGRESS_CHART_ROWS} communes sur {total}, les plus fortes baisses d'abord ; le tableau les liste toutes."
                ),
                Lang::En if total > PROGRESS_CHART_ROWS => format!(
                    "{PROGRESS_CHART_ROWS} communes of {total}, largest falls first; the table lists them all."
                ),
                Lang::Fr => format!("{total} communes évaluées aux deux tours, les plus fortes baisses d'abord."),
                Lang::En => format!("{total} communes assessed in both rounds, largest falls first."),
            };
            ChartView {
                svg: capacity_charts::progress_dumbbell(
                    &input,
                    &ChartOptions::new(lang)
                        .title(title)
                        .id(format!("cmp-progress-{i}")),
                ),
                caption,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[track_caller]
    fn check_pool(input: &str, expected: Option<i64>) {
        assert_eq!(parse_pool(input), expected.map(Decimal::from), "{input:?}");
    }

    #[test]
    fn pools_are_whole_francs() {
        check_pool("100000000", Some(100_000_000));
        check_pool("100 000 000", Some(100_000_000));
        check_pool("1\u{202F}250\u{A0}000 FCFA", Some(1_250_000));
        check_pool("1_000", Some(1000));
        check_pool("0", Some(0));
        check_pool("", None);
        check_pool("12,5", None);
        check_pool("-5", None);
        check_pool("1e9", None);
        check_pool("<script>", None);
        check_pool("99999999999999999999999", None);
    }

    #[test]
    fn thresholds_are_scores() {
        let d = |s: &str| s.parse::<Decimal>().ok();
        assert_eq!(parse_threshold("50"), d("50"));
        assert_eq!(parse_threshold("62,5 %"), d("62.5"));
        assert_eq!(parse_threshold("100"), d("100"));
        assert_eq!(parse_threshold("100.1"), None);
        assert_eq!(parse_threshold("-1"), None);
        assert_eq!(parse_threshold("abc"), None);
        assert_eq!(parse_threshold(""), None);
    }

    #[test]
    fn links_encode_every_value() {
        let q = CompareQuery {
            rubric: None,
            region: Some("Ségou".into()),
            cercle: Some("a&b=<c>".into()),
            campaign: None,
            scores: None,
        };
        assert_eq!(
            href("/comparer/export.csv", &q.pairs()),
            "/comparer/export.csv?region=S%C3%A9gou&cercle=a%26b%3D%3Cc%3E"
        );
        assert_eq!(href("/comparer", &[]), "/comparer");
    }

    #[test]
    fn empty_query_values_do_not_filter() {
        let q = CompareQuery::from_lookup(|k| match k {
            "region" => Some("  ".into()),
            "campaign" => Some("2025".into()),
            _ => None,
        });
        assert_eq!(q.region, None);
        assert_eq!(q.campaign.as_deref(), Some("2025"));
        assert_eq!(q.rubric_id(), REFERENCE_RUBRIC);
    }
}

/// The page's work against a real store: the samples and the national
/// synthetic dataset.
#[cfg(all(test, feature = "ssr"))]
mod store_tests {
    use super::*;
    use capacity::Lang;
    use capacity_store::Store;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    async fn samples() -> Result<Service, Box<dyn std::error::Error>> {
        let store = Store::open_in_memory().await?;
        crate::service::seed_embedded(&store, true).await?;
        Ok(Service::new(store))
    }

    fn grants(pool: &str, threshold: &str) -> GrantQuery {
        GrantQuery {
            pool: Some(pool.to_owned()),
            threshold: Some(threshold.to_owned()),
            ..Default::default()
        }
    }

    /// The whole francs shown in a formatted amount (`1 250 000 FCFA`).
    fn francs(text: &str) -> i128 {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.parse().unwrap_or(-1)
    }

    /// The sum of the amounts of a grant table, read from what the page shows.
    fn sum_of_amounts(view: &GrantView) -> i128 {
        let col = view
            .table
            .columns
            .iter()
            .position(|c| c.key == "amount_fcfa")
            .unwrap_or(usize::MAX);
        view.table
            .rows
            .iter()
            .map(|r| r.get(col).map_or(-1, |c| francs(&c.text)))
            .sum()
    }

    #[tokio::test]
    async fn a_region_compares_its_communes_only_and_campaigns_select() -> TestResult {
        let state = samples().await?;
        // By default the latest campaign with assessments in the region:
        // Djenné's 2025 round, with its progress from 2023.
        let q = CompareQuery {
            region: Some("Mopti".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, Lang::Fr).await?;
        let shown = data.campaign.ok_or("a campaign is shown")?;
        assert_eq!(shown.id, "ml-communes-2025");
        let view = data.comparison.ok_or("Mopti has assessments")?;
        assert!(
            view.communes
                .iter()
                .all(|c| c.region == "Mopti" && c.round == "2025")
        );
        assert_eq!(shown.eligible as usize, view.communes.len());
        assert!(view.progress.is_some(), "Djenné 2023 → 2025");

        // The 2024 campaign, nationally: Bandiagara's round is still being
        // entered, so it is set apart with that reason, never ranked.
        let q = CompareQuery {
            campaign: Some("ml-communes-2024".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, Lang::Fr).await?;
        let shown = data.campaign.ok_or("a campaign is shown")?;
        let apart: Vec<(&str, &capacity::Ineligible)> = shown
            .set_apart
            .iter()
            .map(|a| (a.commune.as_str(), &a.reason))
            .collect();
        assert_eq!(apart, [("Bandiagara", &capacity::Ineligible::InProgress)]);
        let view = data.comparison.ok_or("2024 has assessments")?;
        assert!(view.communes.iter().all(|c| c.round == "2024"));
        assert!(view.communes.iter().all(|c| c.name != "Bandiagara"));
        // Each commune once.
        let mut ids: Vec<&str> = view.communes.iter().map(|c| c.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), view.communes.len());
        assert_eq!(view.ranking.rows.len(), view.communes.len());
        assert_eq!(view.heatmap.rows.len(), view.communes.len());
        assert!(
            view.heatmap
                .rows
                .iter()
                .all(|r| r.2.len() == view.heatmap.columns.len())
        );
        assert!(
            view.ranking
                .note
                .as_deref()
                .is_some_and(|n| n.contains("1, 2, 2, 4"))
        );
        // A campaign picks that campaign's assessments.
        let q = CompareQuery {
            campaign: Some("ml-communes-2023".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, Lang::En).await?;
        let view = data.comparison.ok_or("2023 has assessments")?;
        assert!(view.communes.iter().all(|c| c.round == "2023"));
        assert!(view.progress.is_none(), "nothing before the first round");
        Ok(())
    }

    #[tokio::test]
    async fn empty_selections_and_bad_grant_input_are_reported_not_crashed() -> TestResult {
        let state = samples().await?;
        for q in [
            CompareQuery {
                region: Some("<script>alert(1)</script>".into()),
                ..Default::default()
            },
            CompareQuery {
                rubric: Some("no-such-rubric".into()),
                ..Default::default()
            },
            CompareQuery {
                campaign: Some("1999".into()),
                ..Default::default()
            },
        ] {
            let data = page_data(&state, &q, Lang::Fr).await?;
            assert!(data.comparison.is_none(), "{q:?}");
            assert!(!data.options.regions.is_empty());
            let data = grants_page_data(&state, &q, &grants("1000", "50"), Lang::Fr).await?;
            assert!(data.selection.is_none(), "{q:?}");
        }
        let data = grants_page_data(
            &state,
            &CompareQuery::default(),
            &grants("12,5 FCFA", "50"),
            Lang::Fr,
        )
        .await?;
        let grants_result = data.selection.and_then(|c| c.grants);
        assert_eq!(
            grants_result,
            Some(Err(GrantInputError::Pool("12,5 FCFA".into())))
        );
        let data = grants_page_data(
            &state,
            &CompareQuery::default(),
            &grants("1000", "101"),
            Lang::Fr,
        )
        .await?;
        let grants_result = data.selection.and_then(|c| c.grants);
        assert_eq!(
            grants_result,
            Some(Err(GrantInputError::Threshold("101".into())))
        );
        Ok(())
    }

    /// A declared campaign with one round in progress, one finalised as
    /// provisional, two finalised complete, and one of another campaign:
    /// compare and grants rank only the two complete ones, and list the
    /// others apart with their reason; requiring a verification then sets
    /// the complete ones apart too, until their verification is complete.
    /// A campaign `id` (label 2026, the first half of 2026, no
    /// verification) over `communes`, each with a copy of the Djenné 2025
    /// sample dated in it, finalised when `finalised(i)`; their ids.
    async fn campaign_of_samples(
        state: &Service,
        id: &str,
        communes: &[&str],
        finalised: impl Fn(usize) -> bool,
    ) -> Result<Vec<i64>, Box<dyn std::error::Error>> {
        let store = &state.store;
        let audit = capacity_store::Audit::system("test");
        let text = capacity_data::embedded::samples()
            .iter()
            .find(|f| f.name.contains("djenne-2025"))
            .ok_or("the Djenné 2025 sample")?
            .text;
        let sample = capacity::Assessment::from_toml(text)?;
        store
            .create_campaign(
                &capacity_store::NewCampaign {
                    id: id.into(),
                    label: "2026".into(),
                    rubric_id: sample.rubric.clone(),
                    rubric_version: sample.rubric_version.clone(),
                    starts: "2026-01-01".into(),
                    ends: "2026-06-30".into(),
                    verification_required: false,
                    communes: communes.iter().map(|c| (*c).to_owned()).collect(),
                },
                &audit,
            )
            .await?;
        let mut ids = Vec::new();
        for (i, commune) in communes.iter().enumerate() {
            let row = store.commune(commune).await?.ok_or("a sample commune")?;
            let mut a = sample.clone();
            a.commune = row.commune;
            a.date = format!("2026-03-0{}", i + 1);
            a.finalised = finalised(i);
            ids.push(store.insert_assessment_in(&a, Some(id), &audit).await?);
        }
        Ok(ids)
    }

    /// The compare page's costed gap is the sum of the councils' adjusted
    /// plans, the plan every plan page, report and download prints.
    #[tokio::test]
    async fn the_costed_gap_is_that_of_the_adjusted_plans() -> TestResult {
        let state = samples().await?;
        let store = &state.store;
        let audit = capacity_store::Audit::system("test");
        let ids = campaign_of_samples(
            &state,
            "plans-2026",
            &["ml-segou-san", "ml-gao-gao"],
            |_| true,
        )
        .await?;
        let q = CompareQuery {
            campaign: Some("plans-2026".into()),
            ..Default::default()
        };
        // The costed gap of every competency, as the page shows it.
        let costed_gap = |data: &ComparePageData| -> Result<Decimal, String> {
            let view = data.comparison.as_ref().ok_or("a comparison")?;
            let table = view
                .reform
                .tables
                .iter()
                .find(|t| t.columns.iter().any(|c| c.key == "costed_gap_fcfa"))
                .ok_or("the reform table")?;
            let col = table
                .columns
                .iter()
                .position(|c| c.key == "costed_gap_fcfa")
                .ok_or("the costed gap column")?;
            Ok(table
                .rows
                .iter()
                .filter_map(|r| r.get(col).and_then(|c| c.number))
                .sum())
        };
        let before = costed_gap(&page_data(&state, &q, Lang::Fr).await?)?;

        // San's council drops its first action and adds one of its own.
        let stored = store.assessment(ids[0]).await?.ok_or("San")?;
        let (rubric, _, scored) = state.score(&stored).await?;
        let proposed = capacity::ActionPlan::new(
            &rubric,
            &capacity::CommuneResult::new(&stored.assessment, &scored),
        )?;
        let first = proposed.items.first().ok_or("San has a costed plan")?;
        store
            .save_plan_adjustment(ids[0], &first.key(&rubric), false, None, 0, &audit)
            .await?;
        store
            .add_council_action(
                ids[0],
                &capacity_store::NewCouncilAction {
                    indicator: first.indicator_id.clone(),
                    title: "Classer les registres".into(),
                    cost: "75000".into(),
                    horizon: "short".into(),
                    responsible: "Awa Traoré".into(),
                    deadline: None,
                    status: "in_progress".into(),
                },
                &audit,
            )
            .await?;
        let after = costed_gap(&page_data(&state, &q, Lang::Fr).await?)?;
        assert_eq!(after, before - first.cost() + Decimal::from(75_000));
        // The same as the sum of the plans of both communes, to the franc.
        let mut plans = Decimal::ZERO;
        for id in &ids {
            let stored = store.assessment(*id).await?.ok_or("assessment")?;
            let (rubric, _, scored) = state.score(&stored).await?;
            let plan = capacity::ActionPlan::new(
                &rubric,
                &capacity::CommuneResult::new(&stored.assessment, &scored),
            )?;
            plans += plan.totals.included.cost;
        }
        assert_eq!(after, plans);
        Ok(())
    }

    #[tokio::test]
    async fn a_campaign_ranks_only_its_eligible_rounds() -> TestResult {
        let state = samples().await?;
        let store = &state.store;
        let audit = capacity_store::Audit::system("test");
        let communes = [
            "ml-mopti-bandiagara",
            "ml-segou-san",
            "ml-gao-gao",
            "ml-sikasso-sikasso",
        ];
        let ids = campaign_of_samples(&state, "test-2026", &communes, |i| i != 0).await?;
        let header = store.header(ids[1]).await?.ok_or("header")?;
        store
            .unlock(ids[1], header.version, "à corriger", &audit)
            .await?;
        let header = store.header(ids[1]).await?.ok_or("header")?;
        store
            .finalise_provisional(ids[1], header.version, "deux conseillers absents", &audit)
            .await?;

        let q = CompareQuery {
            campaign: Some("test-2026".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, Lang::Fr).await?;
        let shown = data.campaign.ok_or("the campaign is shown")?;
        assert_eq!(shown.eligible, 2);
        let apart: Vec<(&str, capacity::Ineligible)> = shown
            .set_apart
            .iter()
            .map(|a| (a.commune.as_str(), a.reason.clone()))
            .collect();
        assert_eq!(
            apart,
            [
                ("Bandiagara", capacity::Ineligible::InProgress),
                (
                    "San",
                    capacity::Ineligible::Provisional("deux conseillers absents".into())
                ),
            ]
        );
        let view = data.comparison.ok_or("two communes are compared")?;
        let mut ranked: Vec<&str> = view.communes.iter().map(|c| c.name.as_str()).collect();
        ranked.sort_unstable();
        assert_eq!(ranked, ["Gao", "Sikasso"]);
        assert_eq!(view.ranking_paging.rows, 2);
        let grants_data = grants_page_data(&state, &q, &grants("1000000", "0"), Lang::Fr).await?;
        let simulated = grants_data
            .selection
            .and_then(|s| s.grants)
            .ok_or("grants were asked for")?
            .map_err(|e| format!("{e:?}"))?;
        assert_eq!(simulated.paging.rows, 2);
        assert_eq!(grants_data.campaign.map(|c| c.set_apart.len()), Some(2));

        // Verification required: nothing counts until verified.
        let k = store.campaign("test-2026").await?.ok_or("campaign")?;
        let edit = capacity_store::NewCampaign {
            id: k.id.clone(),
            label: k.label.clone(),
            rubric_id: k.rubric_id.clone(),
            rubric_version: k.rubric_version.clone(),
            starts: k.starts.clone(),
            ends: k.ends.clone(),
            verification_required: true,
            communes: store.campaign_communes(&k.id).await?,
        };
        store.update_campaign(&edit, k.version, &audit).await?;
        let data = page_data(&state, &q, Lang::Fr).await?;
        let shown = data.campaign.ok_or("the campaign is shown")?;
        assert_eq!(shown.eligible, 0);
        assert!(data.comparison.is_none());
        let not_verified = shown
            .set_apart
            .iter()
            .filter(|a| a.reason == capacity::Ineligible::NotVerified)
            .count();
        assert_eq!(not_verified, 2);
        // Gao's verification completes: it alone counts, on its verified
        // result, listed beside its self-assessment.
        let verifier = store
            .create_account(
                "verif",
                "Vérificatrice",
                false,
                &[capacity_store::NewGrant {
                    role: "verifier".into(),
                    scope_kind: "national".into(),
                    scope: String::new(),
                }],
                &audit,
            )
            .await?;
        store
            .assign_verifier("test-2026", "ml-gao-gao", verifier, &audit)
            .await?;
        let version = store.start_verification(ids[2], &audit).await?;
        store
            .complete_verification(ids[2], version, None, &audit)
            .await?;
        let data = page_data(&state, &q, Lang::Fr).await?;
        let shown = data.campaign.ok_or("the campaign is shown")?;
        assert_eq!(shown.eligible, 1);
        assert!(!shown.scores_self);
        assert_eq!(
            shown
                .verified
                .iter()
                .map(|v| v.commune.as_str())
                .collect::<Vec<_>>(),
            ["Gao"]
        );
        let view = data.comparison.ok_or("Gao is compared")?;
        assert_eq!(
            view.communes
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            ["Gao"]
        );
        assert_eq!(shown.set_apart.len(), 3);
        // The default campaign is the latest one of the area.
        let data = page_data(&state, &CompareQuery::default(), Lang::Fr).await?;
        assert_eq!(data.campaign.map(|c| c.id), Some("test-2026".to_owned()));
        Ok(())
    }

    /// The planners' scale: 703 communes in two campaigns. Checks what
    /// must hold whatever the data (every commune of the campaign counted
    /// or set apart with its reason, every one counted ranked or listed
    /// unranked, progress where both rounds count, the envelope shared to
    /// the franc) and prints the
    /// time the page's computation takes (the figure quoted in the report
    /// of this work; this debug build is several times slower than
    /// release).
    #[tokio::test]
    async fn national_dataset_of_703_communes() -> TestResult {
        let rubric = capacity_data::embedded::reference_rubric()?;
        let config = capacity_data::SynthConfig {
            seed: 7,
            ..Default::default()
        };
        let dataset = capacity_data::generate(&rubric, &config)?;
        let files: Vec<(String, String)> = dataset.files().map(|f| (f.path, f.text)).collect();
        let store = Store::open_in_memory().await?;
        let seeded = store
            .seed(
                capacity_data::embedded::rubrics()
                    .iter()
                    .map(|f| (f.name, f.text)),
                files.iter().map(|(p, t)| (p.as_str(), t.as_str())),
            )
            .await?;
        assert_eq!(seeded.assessments, 1406, "{:?}", seeded.skipped);
        let state = Service::new(store);
        let pool = 100_000_000i128;
        let data = page_data(&state, &CompareQuery::default(), Lang::Fr).await?;
        // The latest campaign: every commune's 2025 round either counts or
        // is set apart with its reason (the dataset leaves some workshops
        // unfinished).
        let shown = data.campaign.ok_or("a campaign is shown")?;
        assert_eq!(shown.label, "2025");
        let eligible = shown.eligible as usize;
        assert_eq!(eligible + shown.set_apart.len(), 703);
        assert!(eligible > 0 && !shown.set_apart.is_empty());
        assert!(
            shown
                .set_apart
                .iter()
                .all(|a| a.reason == capacity::Ineligible::InProgress)
        );
        let view = data.comparison.ok_or("the dataset has assessments")?;
        assert_eq!(view.areas.iter().map(|a| a.1).sum::<usize>(), eligible);
        // Too many to list by name: the summary counts them by region.
        assert!(view.communes.is_empty());
        let unranked = view
            .ranking
            .note
            .as_deref()
            .map_or(0, |n| n.matches("ml-").count());
        assert_eq!(view.ranking_paging.rows + unranked, eligible);
        assert_eq!(view.ranking.rows.len(), PAGE_ROWS);
        // Progress for every commune counted in both campaigns.
        assert!(view.progress_paging.rows > 0 && view.progress_paging.rows <= eligible);
        assert_eq!(view.progress_charts.len(), 1);
        // Every page of the allocation table: a row per commune counted, the envelope shared
        // to the franc.
        let g = grants("100 000 000", "40");
        let (mut sum, mut rows, mut excluded, mut page) = (0, 0, 0, 1);
        loop {
            let table = TableQuery {
                page,
                ..Default::default()
            };
            let data =
                grants_page_data_paged(&state, &CompareQuery::default(), &g, &table, Lang::Fr)
                    .await?;
            let view = data
                .selection
                .and_then(|s| s.grants)
                .ok_or("grants were asked for")?
                .map_err(|e| format!("{e:?}"))?;
            assert!(view.eligible > 0);
            assert_eq!(view.paging.rows, eligible);
            assert_eq!(francs(&view.total), pool);
            assert_eq!(
                view.excluded_count as usize,
                eligible - view.eligible as usize
            );
            sum += sum_of_amounts(&view);
            rows += view.table.rows.len();
            excluded += view.excluded.len();
            if view.paging.page == view.paging.pages {
                assert_eq!(excluded, eligible - view.eligible as usize);
                break;
            }
            page += 1;
        }
        assert_eq!(rows, eligible);
        assert_eq!(sum, pool);
        Ok(())
    }
}
