//! Operations of the results page: one assessment's scores, explained.
//!
//! Everything is computed by the core (`score`, `Explainer`, `gaps`), laid
//! out with the report crate's tables and sentences (so the page and the
//! printable report say the same thing) and drawn by the charts crate. The
//! page receives text in the reader's language, ready to show.

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
/// version, when there is one.
pub async fn previous_of(
    state: &Service,
    id: i64,
    a: &capacity::Assessment,
) -> Result<Option<capacity_store::StoredAssessment>, AppError> {
    let earlier = state
        .store
        .list_assessments(&capacity_store::AssessmentFilter {
            rubric: Some(a.rubric.clone()),
            rubric_version: Some(a.rubric_version.clone()),
            commune: Some(a.commune.id.clone()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|h| (h.date.as_str(), h.id) < (a.date.as_str(), id))
        .max_by(|x, y| (x.date.as_str(), x.id).cmp(&(y.date.as_str(), y.id)));
    match earlier {
        Some(h) => Ok(state.store.assessment(h.id).await?),
        None => Ok(None),
    }
}

/// A fault of the core or the charts on data the store gave: logged as
/// a server error.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The results of an assessment, explained, in `lang`.
pub async fn load_results(
    state: &Service,
    actor: &super::access::Actor,
    id: i64,
    lang: Lang,
) -> Result<ResultsView, AppError> {
    use capacity::{CommuneResult, Explainer, ROOT, format};
    use capacity_charts::{Axes, ChartOptions, GapBarsInput, ProgressInput, RadarInput};
    use capacity_report::{labels, tables};

    let stored = super::workshop::visible(state, actor, id).await?;
    let (rubric, _resolved, scored) = state.score(&stored).await?;
    let a = &stored.assessment;
    let header = super::workshop::header_of(&stored, rubric.rubric().title.clone(), actor);

    let why = Explainer::new(&rubric, a, &scored).map_err(internal)?;
    let mut tree = Tree {
        rubric: &rubric,
        why,
        lang,
        out: Vec::new(),
    };
    if let Some(root) = why.node(ROOT) {
        tree.node(&root);
    }

    let gaps = capacity::gaps(&rubric, &scored).map_err(internal)?;
    let opts = ChartOptions::new(lang).width(520);
    let radar = RadarInput::new(&rubric, &scored, Axes::Competencies)
        .map_err(internal)?
        .series(a.round.clone());
    let bars = GapBarsInput::indicators(&rubric, &scored, &gaps, 12).map_err(internal)?;

    let earlier = previous_of(state, id, a).await?;
    let previous = match earlier {
        Some(p) => {
            let (_, _, ps) = state.score(&p).await?;
            let progress = capacity::progress(
                &rubric,
                &CommuneResult::new(&p.assessment, &ps),
                &CommuneResult::new(a, &scored),
            )
            .map_err(internal)?;
            let input = ProgressInput::new(&rubric, &progress, Axes::Competencies)
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

    let m = &scored.minimum_conditions;
    Ok(ResultsView {
        header,
        overall: scored
            .overall
            .map_or_else(|| "—".to_owned(), |s| format::score(s, lang)),
        grade: scored
            .root()
            .and_then(|r| r.grade)
            .map(|g| g.label(&rubric)),
        provisional: scored.provisional,
        answered: scored.coverage.answered,
        applicable: scored.coverage.applicable,
        conditions_failed: m.failed.len(),
        conditions_pending: m.pending.len(),
        conditions: table_view(&tables::minimum_conditions(&rubric, &scored, lang), lang),
        overall_rule: labels::overall_rule(&rubric, lang),
        flag_legend: labels::flag_legend(lang).to_owned(),
        radar_svg: capacity_charts::radar(&radar, &opts.clone().id("radar")),
        gaps_svg: capacity_charts::gap_bars(&bars, &opts.id("gaps")),
        tree: tree.out,
        disagreements: table_view(&tables::disagreements(&rubric, a, &scored, lang), lang),
        gaps: table_view(&tables::gaps(&rubric, &scored, &gaps, lang), lang),
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
