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
//! version, region, cercle, round — with `capacity_report::cohort`, the
//! rule the CLI and the reports follow), and turns tables into what the
//! page renders. The page and the downloads call the same functions, so
//! they always show the same figures for the same filters.

use crate::error::AppError;

use super::Service;
#[allow(unused_imports)]
use crate::view::compare::*;

/// The comparison of the communes matching the filters, and the grant
/// simulation when `grants` carries an envelope. `lang` is `fr` or `en`.
pub async fn load_comparison(
    state: &Service,
    actor: &super::access::Actor,
    query: CompareQuery,
    grants: GrantQuery,
    lang: String,
) -> Result<ComparePageData, AppError> {
    let lang = match crate::locale::parse_locale(&lang) {
        Some(l) => crate::locale::core_lang(l),
        None => capacity::Lang::Fr,
    };
    let query = authorise(state, actor, &query).await?;
    page_data(state, &query, &grants, lang).await
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

use std::collections::BTreeMap;
use std::sync::Arc;

use capacity::{
    CommuneResult, Comparison, CompiledRubric, Formula, GrantRules, GrantSimulation, Group, Lang,
    NodeRef, Progress, ProvisionalRule, ROOT, RankBy, Ranking, ReformNeeds, ReformRules,
};
use capacity_charts::{ChartOptions, DistributionInput, HeatmapInput, ProgressInput};
use capacity_report::cohort;
use capacity_report::labels::tr;
use capacity_report::{Cell, Entry, Table, tables};
use capacity_store::AssessmentFilter;
use rust_decimal::Decimal;

use super::ScoredAssessment;

/// The most communes drawn in the heatmap and in a progress chart; the
/// tables list them all (as in the regional report).
pub const CHART_ROWS: usize = capacity_report::regional::HEATMAP_ROWS;

/// The scored assessments of one rubric version in an area, every round.
pub struct Scope {
    /// The rubric they were scored with.
    pub rubric: Arc<CompiledRubric>,
    /// The assessments (all rounds) with their results.
    pub assessments: Vec<Arc<ScoredAssessment>>,
    /// Assessments left out, and why.
    pub left_out: Vec<String>,
}

/// The communes compared: one round each ([`cohort::select`]).
pub struct Cohort<'a> {
    /// Every assessment of the scope.
    pub entries: Vec<Entry<'a>>,
    /// The positions compared.
    pub selected: Vec<usize>,
    /// Their results.
    pub results: Vec<CommuneResult<'a>>,
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
/// matches. Results of finalised assessments come from the state's
/// cache ([`Service::scored_many`]).
pub async fn load_scope(
    state: &Service,
    id: &str,
    q: &CompareQuery,
) -> Result<Option<Scope>, AppError> {
    let mut filter = AssessmentFilter {
        rubric: Some(id.to_owned()),
        region: q.region.clone(),
        cercle: q.cercle.clone(),
        ..Default::default()
    };
    let headers = state.store.list_assessments(&filter).await?;
    let Some((version, others)) =
        cohort::version_to_compare(headers.iter().map(|h| h.rubric_version.as_str()))
    else {
        return Ok(None);
    };
    let rubric = state.rubric(id, &version).await?;
    filter.rubric_version = Some(version.clone());
    let (assessments, mut left_out) = state.scored_many(&filter).await?;
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
    Ok(Some(Scope {
        rubric,
        assessments,
        left_out,
    }))
}

impl Scope {
    /// The cohort of `round` (each commune's latest round when `None`).
    pub fn cohort(&self, round: Option<&str>) -> Cohort<'_> {
        let entries: Vec<Entry<'_>> = self
            .assessments
            .iter()
            .map(|a| Entry::new(&a.assessment, &a.scored))
            .collect();
        let selected = cohort::select(&entries, round);
        let results = selected
            .iter()
            .filter_map(|i| entries.get(*i).map(Entry::result))
            .collect();
        Cohort {
            entries,
            selected,
            results,
        }
    }

    /// The distinct round labels, sorted.
    pub fn rounds(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .assessments
            .iter()
            .map(|s| s.header.round.clone())
            .collect();
        v.sort();
        v.dedup();
        v
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
        for (from, to) in cohort::progress_pairs(&self.entries, &self.selected) {
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
                        },
                        c => CellView {
                            text: c.display(lang),
                            depth: 0,
                        },
                    })
                    .collect()
            })
            .collect(),
        footer: None,
        note: t.note.clone(),
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
    let cohort = scope.cohort(q.round.as_deref());
    if cohort.results.is_empty() {
        return Ok(None);
    }
    let rubric = &scope.rubric;
    let figures = cohort.figures(rubric)?;
    let mut export = capacity_exchange::Export::scores(rubric, &cohort.results, lang)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let legend = export.tables.pop();
    let tables = ComparisonTables::new(rubric, &cohort, &figures, Breakdown::of(q), lang);
    for (name, t) in tables.sheets(lang) {
        export.tables.push(exchange_table(name, t));
    }
    export.tables.extend(legend);
    Ok(Some(export))
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
    let cohort = scope.cohort(q.round.as_deref());
    if cohort.results.is_empty() {
        return Ok(None);
    }
    let rules = match grant_rules(g) {
        Ok(r) => r,
        Err(e) => return Ok(Some(Err(e))),
    };
    Ok(Some(simulate(&scope.rubric, &cohort, &rules, lang).map(
        |(_, t)| capacity_exchange::Export {
            tables: vec![exchange_table(tr(lang, "Dotations", "Grants"), &t)],
        },
    )))
}

/// Everything the page shows.
pub async fn page_data(
    state: &Service,
    q: &CompareQuery,
    g: &GrantQuery,
    lang: Lang,
) -> Result<ComparePageData, AppError> {
    let rubrics = state.store.rubrics().await?;
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
        regions: state.store.regions().await?,
        rounds: Vec::new(),
    };
    options.rubrics.dedup_by(|a, b| a.0 == b.0);
    let Some(scope) = load_scope(state, q.rubric_id(), q).await? else {
        return Ok(ComparePageData {
            options,
            comparison: None,
        });
    };
    options.rounds = scope.rounds();
    let cohort = scope.cohort(q.round.as_deref());
    if cohort.results.is_empty() {
        return Ok(ComparePageData {
            options,
            comparison: None,
        });
    }
    let redeployment = if q.rubric_id() == REDEPLOYMENT_RUBRIC {
        None
    } else {
        match load_scope(state, REDEPLOYMENT_RUBRIC, q).await? {
            Some(s) => reform_of(&s, q.round.as_deref(), "redeploy", lang)?,
            None => None,
        }
    };
    let mut view = comparison_view(&scope, &cohort, q, lang)?;
    view.redeployment = redeployment;
    if g.submitted() {
        view.grants = Some(grant_view(&scope.rubric, &cohort, g, lang));
    }
    Ok(ComparePageData {
        options,
        comparison: Some(view),
    })
}

/// The reform needs of a scope's cohort (`None` when empty).
fn reform_of(
    scope: &Scope,
    round: Option<&str>,
    prefix: &str,
    lang: Lang,
) -> Result<Option<ReformView>, AppError> {
    let cohort = scope.cohort(round);
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
            .enumerate()
            .map(|(i, g)| {
                table_view(
                    &format!("{prefix}-region-{i}"),
                    &tables::reform(rubric, g, lang),
                    lang,
                )
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

fn grant_view(
    rubric: &CompiledRubric,
    cohort: &Cohort<'_>,
    g: &GrantQuery,
    lang: Lang,
) -> Result<GrantView, GrantInputError> {
    let rules = grant_rules(g)?;
    let (sim, table) = simulate(rubric, cohort, &rules, lang)?;
    let total: Decimal = sim.allocations.iter().map(|a| a.amount).sum();
    let mut view = table_view("grants-table", &table, lang);
    let mut footer: Vec<CellView> = view
        .columns
        .iter()
        .map(|_| CellView {
            text: String::new(),
            depth: 0,
        })
        .collect();
    if let Some(first) = footer.first_mut() {
        first.text = tr(lang, "Total", "Total").to_owned();
    }
    if let Some(last) = footer.last_mut() {
        last.text = capacity::format::fcfa(total, lang);
    }
    view.footer = Some(footer);
    let name = cohort.namer();
    let excluded = sim
        .allocations
        .iter()
        .filter(|a| !a.eligibility.eligible)
        .map(|a| {
            let reasons: Vec<String> = a
                .eligibility
                .reasons
                .iter()
                .filter(|r| !r.passes())
                .map(|r| tables::reason(rubric, r, lang))
                .collect();
            (name(&a.commune), reasons.join(" ; "))
        })
        .collect();
    Ok(GrantView {
        table: view,
        pool: capacity::format::fcfa(sim.rules.pool, lang),
        distributed: capacity::format::fcfa(sim.distributed, lang),
        undistributed: capacity::format::fcfa(sim.undistributed, lang),
        total: capacity::format::fcfa(total, lang),
        eligible: sim.eligible,
        communes: u32::try_from(sim.allocations.len()).unwrap_or(u32::MAX),
        excluded,
    })
}

/// The figures of a non-empty cohort as the page shows them.
fn comparison_view(
    scope: &Scope,
    cohort: &Cohort<'_>,
    q: &CompareQuery,
    lang: Lang,
) -> Result<ComparisonView, AppError> {
    let rubric = &scope.rubric;
    let figures = cohort.figures(rubric)?;
    let breakdown = Breakdown::of(q);
    let t = ComparisonTables::new(rubric, cohort, &figures, breakdown, lang);
    let chart_err = |e: capacity_charts::Error| AppError::Internal(e.to_string());

    let dist = DistributionInput::competencies(rubric, &figures.cmp, &Group::National)
        .map_err(chart_err)?;
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
    let heatmap = ChartView {
        svg: capacity_charts::heatmap(&heat, &ChartOptions::new(lang).width(720).id("cmp-heatmap")),
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

    let progress_charts = progress_charts(rubric, cohort, &figures.progress, lang);
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
        shares: table_view("shares-table", &t.shares, lang),
        groups: table_view("groups-table", &t.groups, lang),
        distribution,
        nodes: table_view("nodes-table", &t.nodes, lang),
        indicators: table_view("indicators-table", &t.indicators, lang),
        heatmap,
        ranking: table_view("ranking-table", &t.ranking, lang),
        progress_charts,
        progress: t
            .progress
            .as_ref()
            .map(|p| table_view("progress-table", p, lang)),
        reform: reform_view(rubric, &figures.needs, cohort.results.len(), "reform", lang),
        redeployment: None,
        grants: None,
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
                .take(CHART_ROWS)
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
                Lang::Fr if total > CHART_ROWS => format!(
                    "{CHART_ROWS} communes sur {total}, les plus fortes baisses d'abord ; le tableau les liste toutes."
                ),
                Lang::En if total > CHART_ROWS => format!(
                    "{CHART_ROWS} communes of {total}, largest falls first; the table lists them all."
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
            round: None,
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
            "round" => Some("2025".into()),
            _ => None,
        });
        assert_eq!(q.region, None);
        assert_eq!(q.round.as_deref(), Some("2025"));
        assert_eq!(q.rubric_id(), REFERENCE_RUBRIC);
    }
}

/// The page's work against a real store: the samples and the national
/// synthetic dataset.
#[cfg(all(test, feature = "ssr"))]
mod store_tests {
    use super::page_data;
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
    async fn a_region_compares_its_communes_only_and_rounds_select() -> TestResult {
        let state = samples().await?;
        let q = CompareQuery {
            region: Some("Mopti".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, &GrantQuery::default(), Lang::Fr).await?;
        let view = data.comparison.ok_or("Mopti has assessments")?;
        assert!(!view.communes.is_empty());
        assert!(view.communes.iter().all(|c| c.region == "Mopti"));
        // Each commune once, at its latest round.
        let mut ids: Vec<&str> = view.communes.iter().map(|c| c.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), view.communes.len());
        assert_eq!(view.ranking.rows.len(), view.communes.len());
        assert!(view.heatmap.svg.contains("<title"));
        assert!(
            view.ranking
                .note
                .as_deref()
                .is_some_and(|n| n.contains("1, 2, 2, 4"))
        );
        // A round picks that round's assessments.
        let q = CompareQuery {
            round: Some("2023".into()),
            ..Default::default()
        };
        let data = page_data(&state, &q, &GrantQuery::default(), Lang::En).await?;
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
                round: Some("1999".into()),
                ..Default::default()
            },
        ] {
            let data = page_data(&state, &q, &grants("1000", "50"), Lang::Fr).await?;
            assert!(data.comparison.is_none(), "{q:?}");
            assert!(!data.options.regions.is_empty());
        }
        let data = page_data(
            &state,
            &CompareQuery::default(),
            &grants("12,5 FCFA", "50"),
            Lang::Fr,
        )
        .await?;
        let grants_result = data.comparison.and_then(|c| c.grants);
        assert_eq!(
            grants_result,
            Some(Err(GrantInputError::Pool("12,5 FCFA".into())))
        );
        let data = page_data(
            &state,
            &CompareQuery::default(),
            &grants("1000", "101"),
            Lang::Fr,
        )
        .await?;
        let grants_result = data.comparison.and_then(|c| c.grants);
        assert_eq!(
            grants_result,
            Some(Err(GrantInputError::Threshold("101".into())))
        );
        Ok(())
    }

    /// The planners' scale: 703 communes in two rounds. Checks what must
    /// hold whatever the data (every commune ranked or listed unranked,
    /// progress for all, the envelope shared to the franc) and prints the
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
        let started = std::time::Instant::now();
        let data = page_data(
            &state,
            &CompareQuery::default(),
            &grants("100 000 000", "40"),
            Lang::Fr,
        )
        .await?;
        let first = started.elapsed();
        let started = std::time::Instant::now();
        let _ = page_data(
            &state,
            &CompareQuery::default(),
            &GrantQuery::default(),
            Lang::Fr,
        )
        .await?;
        let second = started.elapsed();
        eprintln!(
            "703 communes × 2 rounds: page data in {} ms (with grants), {} ms (without)",
            first.as_millis(),
            second.as_millis()
        );
        let view = data.comparison.ok_or("the dataset has assessments")?;
        assert_eq!(view.communes.len(), 703);
        assert!(view.communes.iter().all(|c| c.round == "2025"));
        let unranked = view
            .ranking
            .note
            .as_deref()
            .map_or(0, |n| n.matches("ml-").count());
        assert_eq!(view.ranking.rows.len() + unranked, 703);
        assert_eq!(view.progress.as_ref().map(|p| p.rows.len()), Some(703));
        assert_eq!(view.progress_charts.len(), 1);
        let g = view
            .grants
            .ok_or("grants were asked for")?
            .map_err(|e| format!("{e:?}"))?;
        assert!(g.eligible > 0);
        assert_eq!(g.table.rows.len(), 703);
        assert_eq!(sum_of_amounts(&g), pool);
        assert_eq!(francs(&g.total), pool);
        assert_eq!(g.excluded.len(), 703 - g.eligible as usize);
        Ok(())
    }
}
