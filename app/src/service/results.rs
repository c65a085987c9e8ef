//! Operations of the results page: one assessment's scores, explained.
//!
//! Everything is computed by the core (`score`, `Explainer`, `gaps`), laid
//! out with the report crate's tables and sentences (so the page and the
//! printable report say the same thing) and drawn by the charts crate. The
//! page receives text in the reader's language, ready to show.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::AppError;
use capacity::{Lang, Text};

use super::Service;
#[allow(unused_imports)]
use crate::view::results::*;

use capacity::explain::{IndicatorExplanation, NodeExplanation};
use capacity::{Condition, Explainer, NodeKind, NodeRef, Status, format};
use capacity_report::commune::{consolidation_sentence, exclusion, node_sentence};
use capacity_report::labels;

/// A report table as text in `lang`, without its caption (the page's
/// heading says it).
pub fn table_view(t: &capacity_report::Table, lang: Lang) -> TableView {
    TableView {
        title: String::new(),
        columns: t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.label.clone(), t.numeric_column(i)))
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.display(lang)).collect())
            .collect(),
        note: t.note.clone(),
    }
}

fn score_text(score: Option<rust_decimal::Decimal>, lang: Lang) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format::score(s, lang))
}

/// Walks the explanation tree in reading order.
struct Tree<'a> {
    rubric: &'a capacity::CompiledRubric,
    why: Explainer<'a>,
    lang: Lang,
    out: Vec<TreeItem>,
}

impl Tree<'_> {
    fn node(&mut self, e: &NodeExplanation) {
        let lang = self.lang;
        let (depth, heading) = match e.kind {
            NodeKind::Overall => (
                0,
                labels::tr(lang, "Score global", "Overall score").to_owned(),
            ),
            NodeKind::Domain => (1, format!("{} — {}", e.id, e.title.get(lang))),
            _ => (2, format!("{} — {}", e.id, e.title.get(lang))),
        };
        let children = if e.kind == NodeKind::Competency {
            Vec::new()
        } else {
            e.children
                .iter()
                .map(|c| ChildRow {
                    id: c.id.clone(),
                    title: c.title.get(lang).to_owned(),
                    grade: c
                        .grade
                        .clone()
                        .unwrap_or_else(|| exclusion(c.excluded, lang)),
                    score: score_text(c.score, lang),
                    weight: c
                        .effective_weight
                        .map(|w| format::percent(w, lang))
                        .unwrap_or_default(),
                })
                .collect()
        };
        self.out.push(TreeItem::Node(NodeItem {
            id: if e.id.is_empty() {
                "overall".to_owned()
            } else {
                e.id.clone()
            },
            depth,
            heading,
            score: score_text(e.score, lang),
            grade: e.grade.clone(),
            marks: labels::flag_marks(e.flags),
            sentence: node_sentence(self.rubric, e, lang),
            children,
        }));
        let competency = e.id.clone();
        for c in &e.children {
            match c.child {
                NodeRef::Node(ix) => {
                    if let Some(ce) = self.why.node(ix) {
                        self.node(&ce);
                    }
                }
                NodeRef::Indicator(ix) => {
                    if let Some(ie) = self.why.indicator(ix) {
                        self.indicator(&ie, &competency, c.effective_weight);
                    }
                }
            }
        }
    }

    fn indicator(
        &mut self,
        e: &IndicatorExplanation,
        competency: &str,
        weight: Option<rust_decimal::Decimal>,
    ) {
        let lang = self.lang;
        let rubric = self.rubric;
        let level = if e.status == Status::NoInformation {
            format!("{}*", rubric.level_code(rubric.lowest()))
        } else {
            e.level
                .clone()
                .unwrap_or_else(|| labels::tr(lang, "non répondu", "unanswered").to_owned())
        };
        let condition = e.condition.map(|c| {
            let class = match c {
                Condition::Met => "tag ok",
                Condition::Failed => "tag critical",
                _ => "tag warn",
            };
            (
                class.to_owned(),
                format!(
                    "{}{}{}",
                    labels::tr(lang, "condition minimale", "minimum condition"),
                    labels::colon(lang),
                    labels::condition(c, lang)
                ),
            )
        });
        self.out.push(TreeItem::Indicator(IndicatorItem {
            id: e.id.clone(),
            competency: competency.to_owned(),
            title: e.title.get(lang).to_owned(),
            level,
            score: score_text(e.score, lang),
            target: e.target.clone(),
            weight: weight.map(|w| format::percent(w, lang)),
            failed: e.condition == Some(Condition::Failed),
            condition,
            disagreement: e.flags.contains(capacity::Flags::DISAGREEMENT),
            flags: labels::flags(e.flags, lang),
            sentence: consolidation_sentence(e, lang),
            descriptor: e.descriptor.as_ref().map(|d| d.get(lang).to_owned()),
            ratings: e
                .ratings
                .iter()
                .map(|r| RatingRow {
                    name: r.name.clone(),
                    role: r
                        .role
                        .map_or("", |role| labels::role(role, lang))
                        .to_owned(),
                    level: r.level.clone(),
                    evidence: r.evidence.clone().unwrap_or_default(),
                    refs: r.refs.join("; "),
                })
                .collect(),
            comment: e.comment.clone(),
            evidence_expected: e.evidence_expected.get(lang).to_owned(),
        }));
    }
}

/// The latest earlier round of the same commune with the same rubric
/// version as assessment `id`, when there is one (found as the results
/// page finds it: [`page_revisions`]).
pub async fn previous_of(
    state: &Service,
    id: i64,
) -> Result<Option<capacity_store::StoredAssessment>, AppError> {
    match page_revisions(state, id).await?.and_then(|(_, p)| p) {
        Some((previous, _)) => Ok(state.store.assessment(previous).await?),
        None => Ok(None),
    }
}

/// What a results page shows depends on: the assessment's revision and
/// the previous round's id and revision. `None` when there is no such
/// assessment. One indexed query
/// ([`capacity_store::Store::revisions_with_previous`]), whatever the
/// other communes write meanwhile, shared by the requests for the same
/// page that wait for it ([`super::fresh::Fresh`]: never one that
/// started before the request).
pub async fn page_revisions(state: &Service, id: i64) -> Result<Option<PageRevisions>, AppError> {
    Ok(state
        .fresh_revisions
        .read(id, || state.store.revisions_with_previous(id))
        .await?)
}

/// An assessment's revision, and the id and revision of the round its
/// results page compares it with ([`page_revisions`]).
pub type PageRevisions = (i64, Option<(i64, i64)>);

/// Results pages' views by assessment, its revision, the previous round
/// compared with (id and revision) and language: a view holds for as long
/// as neither assessment is written to, so a save in another commune
/// leaves it as it is.
type ViewKey = (i64, i64, Option<(i64, i64)>, Lang);

/// A view key as text ([`ResultsView::identity`]).
fn identity((id, revision, previous, lang): &ViewKey) -> String {
    let previous = previous.map_or_else(String::new, |(p, r)| format!("{p}.{r}"));
    format!("{id}.{revision}:{previous}:{lang:?}")
}

/// The results views kept ([`load_results`]), at most [`VIEWS_KEPT`].
#[derive(Debug, Clone, Default)]
pub struct Views(Arc<Mutex<HashMap<ViewKey, Arc<ResultsView>>>>);

/// Results views kept (each some tens of kilobytes); past it, all go.
pub const VIEWS_KEPT: usize = 512;

impl Views {
    fn get(&self, key: &ViewKey) -> Option<Arc<ResultsView>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn keep(&self, key: ViewKey, view: Arc<ResultsView>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= VIEWS_KEPT {
                map.clear();
            }
            map.insert(key, view);
        }
    }
}

/// A fault of the core or the charts on data the store gave: logged as
/// a server error.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The results of an assessment, explained, in `lang`. The view is kept
/// per revision of the assessment and of the round it is compared with
/// ([`Views`]); computing it runs on the CPU pool ([`Service::cpu`]).
///
/// The kept view is the same for everyone who may see it; what the reader
/// may do there (`header.can`) is set for them on the way out.
pub async fn load_results(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    lang: Lang,
) -> Result<ResultsView, AppError> {
    let header = state
        .store
        .header(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    let place = super::access::Place::of(&header);
    actor.check(super::access::Action::ViewAssessment, &place)?;
    // A verification in progress is shown only to those who follow it.
    let follows = match state.store.verification(id).await? {
        Some(v) if v.verification.status != capacity_store::VerificationStatus::Completed => {
            let (_, assigned) = state.store.assigned_verifier(id).await?;
            super::verification::may_follow(actor, &place, assigned)
        }
        _ => true,
    };
    let for_reader = |mut view: ResultsView| {
        view.header.can = super::workshop::can_at(actor, &place);
        if !follows {
            view.verification = None;
        }
        view
    };
    let earlier = page_revisions(state, id).await?.and_then(|(_, p)| p);
    let key: ViewKey = (id, header.revision, earlier, lang);
    if let Some(hit) = state.results_views.get(&key) {
        return Ok(for_reader((*hit).clone()));
    }
    let stored = super::workshop::stored(state, id).await?;
    let rubric = state
        .rubric(&stored.assessment.rubric, &stored.assessment.rubric_version)
        .await?;
    let previous = match earlier {
        Some((previous, _)) => state.store.assessment(previous).await?,
        None => None,
    };
    // Its verification moves its revision too: the view's key holds.
    let verification = state.store.verification(id).await?;
    // Keyed on the revisions read with the data (a write may have come
    // between the header and the load).
    let key: ViewKey = (
        id,
        stored.header.revision,
        previous.as_ref().map(|p| (p.header.id, p.header.revision)),
        lang,
    );
    let view = state
        .cpu(move || {
            build_results(
                &rubric,
                &stored,
                previous.as_ref(),
                verification.as_ref(),
                lang,
            )
        })
        .await??;
    let view = Arc::new(ResultsView {
        identity: identity(&key),
        ..view
    });
    state.results_views.keep(key, Arc::clone(&view));
    Ok(for_reader((*view).clone()))
}

/// Scores an assessment against its compiled rubric.
fn score_stored(
    rubric: &capacity::CompiledRubric,
    stored: &capacity_store::StoredAssessment,
) -> Result<capacity::Scored, AppError> {
    let resolved = rubric.resolve(&stored.assessment).map_err(|e| {
        AppError::Invalid(format!(
            "assessment {} does not fit its rubric: {e}",
            stored.header.id
        ))
    })?;
    capacity::score(rubric, &resolved)
        .map_err(|e| AppError::Internal(format!("scoring assessment {}: {e}", stored.header.id)))
}

/// The results page's view of a loaded assessment (and the previous round
/// it is compared with).
fn build_results(
    rubric: &capacity::CompiledRubric,
    stored: &capacity_store::StoredAssessment,
    earlier: Option<&capacity_store::StoredAssessment>,
    verification: Option<&capacity_store::StoredVerification>,
    lang: Lang,
) -> Result<ResultsView, AppError> {
    use capacity::{CommuneResult, Explainer, ROOT, format};
    use capacity_charts::{Axes, ChartOptions, GapBarsInput, ProgressInput, RadarInput};
    use capacity_report::{labels, tables};

    let scored = score_stored(rubric, stored)?;
    let a = &stored.assessment;
    // Kept for every reader: no one's rights in it (see `load_results`).
    let header = super::workshop::header_of(
        stored,
        rubric.rubric().title.clone(),
        &super::access::Actor::default(),
    );

    let why = Explainer::new(rubric, a, &scored).map_err(internal)?;
    let mut tree = Tree {
        rubric,
        why,
        lang,
        out: Vec::new(),
    };
    if let Some(root) = why.node(ROOT) {
        tree.node(&root);
    }

    let gaps = capacity::gaps(rubric, &scored).map_err(internal)?;
    let opts = ChartOptions::new(lang).width(520);
    let radar = RadarInput::new(rubric, &scored, Axes::Competencies)
        .map_err(internal)?
        .series(a.round.clone());
    let bars = GapBarsInput::indicators(rubric, &scored, &gaps, 12).map_err(internal)?;

    let previous = match earlier {
        Some(p) => {
            let ps = score_stored(rubric, p)?;
            let progress = capacity::progress(
                rubric,
                &CommuneResult::new(&p.assessment, &ps),
                &CommuneResult::new(a, &scored),
            )
            .map_err(internal)?;
            let input = ProgressInput::new(rubric, &progress, Axes::Competencies)
                .map_err(internal)?
                .commune(a.commune.name.clone());
            let svg = capacity_charts::progress_dumbbell(
                &input,
                &ChartOptions::new(lang).width(520).id("progress"),
            );
            Some((p.header.id, p.assessment.round.clone(), svg))
        }
        None => None,
    };

    let verification = match verification {
        Some(v) => {
            let levels = super::verification::levels_of(v);
            let verified = capacity::verify(rubric, a, &scored, &levels)
                .map_err(|e| AppError::Invalid(e.to_string()))?;
            Some(super::verification::verified_view(
                rubric, &scored, &verified, v, lang,
            ))
        }
        None => None,
    };
    let m = &scored.minimum_conditions;
    Ok(ResultsView {
        identity: String::new(),
        verification,
        header,
        overall: scored
            .overall
            .map_or_else(|| "—".to_owned(), |s| format::score(s, lang)),
        grade: scored.root().and_then(|r| r.grade).map(|g| g.label(rubric)),
        provisional: scored.provisional,
        answered: scored.coverage.answered,
        applicable: scored.coverage.applicable,
        conditions_failed: m.failed.len(),
        conditions_pending: m.pending.len(),
        conditions: table_view(&tables::minimum_conditions(rubric, &scored, lang), lang),
        overall_rule: labels::overall_rule(rubric, lang),
        flag_legend: labels::flag_legend(lang).to_owned(),
        radar_svg: capacity_charts::radar(&radar, &opts.clone().id("radar")).into(),
        gaps_svg: capacity_charts::gap_bars(&bars, &opts.id("gaps")).into(),
        tree: tree.out.into(),
        disagreements: table_view(&tables::disagreements(rubric, a, &scored, lang), lang),
        gaps: table_view(&tables::gaps(rubric, &scored, &gaps, lang), lang),
        previous,
    })
}

/// Every assessment with its headline result, by region, commune and round
/// (the results index and the plans list).
pub async fn list_results(
    state: &Service,
    actor: &super::access::Actor,
) -> Result<Vec<ResultLine>, AppError> {
    actor.may_list()?;
    let (all, problems) = state
        .scored_many(&capacity_store::AssessmentFilter::default())
        .await?;
    let all: Vec<_> = all
        .into_iter()
        .filter(|a| {
            actor.may(
                super::access::Action::ViewAssessment,
                &super::access::Place::of(&a.header),
            )
        })
        .collect();
    for p in &problems {
        tracing::warn!(problem = %p, "assessment not scored");
    }
    let mut lines = Vec::with_capacity(all.len());
    for entry in &all {
        let title = match state
            .rubric(&entry.header.rubric, &entry.header.rubric_version)
            .await
        {
            Ok(rubric) => rubric.rubric().title.clone(),
            Err(_) => Text::default(),
        };
        let h = &entry.header;
        lines.push(ResultLine {
            id: h.id,
            commune: h.commune_name.clone(),
            cercle: h.cercle.clone(),
            region: h.region.clone(),
            round: h.round.clone(),
            rubric_title: title,
            overall: entry.scored.overall,
            provisional: entry.scored.provisional,
            finalised: h.finalised,
        });
    }
    lines.sort_by(|a, b| {
        (&a.region, &a.commune, &a.round, a.id).cmp(&(&b.region, &b.commune, &b.round, b.id))
    });
    Ok(lines)
}
