//! Server functions of the self-assessment workshop: creating an
//! assessment, its overview, each rater's entry per competency, the
//! consensus step and finalising.
//!
//! Every save names the version it read; a stale save is refused and the
//! newer data are shown, never overwritten. Checks of meaning (the indicator
//! exists, the level is on the scale) use the compiled rubric before the
//! store is asked.

use std::collections::BTreeMap;

use capacity::{Level, Rater, Text};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

/// Who, where and what an assessment is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkshopHeader {
    /// Database id.
    pub id: i64,
    /// Commune id.
    pub commune_id: String,
    /// Commune name.
    pub commune: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Round.
    pub round: String,
    /// Workshop date.
    pub date: String,
    /// Rubric id.
    pub rubric: String,
    /// Rubric version.
    pub rubric_version: String,
    /// Rubric title.
    pub rubric_title: Text,
    /// Locked.
    pub finalised: bool,
    /// Row version of the assessment (for finalising).
    pub version: i64,
    /// Raters in order.
    pub raters: Vec<Rater>,
}

/// Progress of one competency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetencyProgress {
    /// Competency id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Domain title.
    pub domain: Text,
    /// Indicators applicable to this commune.
    pub applicable: u32,
    /// Per rater (in header order): indicators they rated.
    pub rated: Vec<u32>,
    /// Indicators with a consolidated result (answered).
    pub answered: u32,
    /// Indicators whose raters disagree.
    pub disagreements: u32,
    /// Indicators with a recorded consensus.
    pub consensus: u32,
}

/// The overview of a workshop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// The assessment.
    pub header: WorkshopHeader,
    /// Competencies in rubric order.
    pub competencies: Vec<CompetencyProgress>,
    /// Answered applicable indicators.
    pub answered: u32,
    /// Applicable indicators.
    pub applicable: u32,
}

/// One indicator on a rater's entry page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryIndicator {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Question to the raters.
    pub question: Option<Text>,
    /// Evidence expected.
    pub evidence_expected: Text,
    /// Descriptor per level code.
    pub descriptors: BTreeMap<String, Text>,
    /// Not applicable to this commune by the rubric's rule.
    pub not_applicable_by_rule: bool,
    /// The rater's current mark: a level code, `NA` or `NI`.
    pub level: Option<String>,
    /// The rater's evidence.
    pub evidence: Option<String>,
    /// Version of the stored rating (0: none).
    pub version: i64,
}

/// A rater's entry page for one competency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryPage {
    /// The assessment.
    pub header: WorkshopHeader,
    /// The rater.
    pub rater: Rater,
    /// Competency id.
    pub competency: String,
    /// Competency title.
    pub competency_title: Text,
    /// Domain title.
    pub domain_title: Text,
    /// Previous competency id.
    pub previous: Option<String>,
    /// Next competency id.
    pub next: Option<String>,
    /// Scale, lowest first.
    pub levels: Vec<Level>,
    /// Indicators of the competency.
    pub indicators: Vec<EntryIndicator>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;

    /// The header of a stored assessment.
    pub fn header_of(
        stored: &capacity_store::StoredAssessment,
        rubric_title: Text,
    ) -> WorkshopHeader {
        let a = &stored.assessment;
        WorkshopHeader {
            id: stored.header.id,
            commune_id: a.commune.id.clone(),
            commune: a.commune.name.clone(),
            cercle: a.commune.cercle.clone(),
            region: a.commune.region.clone(),
            round: a.round.clone(),
            date: a.date.clone(),
            rubric: a.rubric.clone(),
            rubric_version: a.rubric_version.clone(),
            rubric_title,
            finalised: stored.header.finalised,
            version: stored.header.version,
            raters: a.raters.clone(),
        }
    }

    /// Loads an assessment or says it does not exist.
    pub async fn stored(
        state: &crate::server::AppState,
        id: i64,
    ) -> Result<capacity_store::StoredAssessment, AppError> {
        state
            .store
            .assessment(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))
    }

    /// The competency `id` of the rubric (the first one when `id` is
    /// empty) with the ids of the competencies before and after it, for the
    /// pages that go through a rubric one competency at a time.
    pub fn competency_step<'r>(
        rubric: &'r capacity::CompiledRubric,
        id: &str,
    ) -> Result<(&'r capacity::Competency, Option<String>, Option<String>), AppError> {
        let all = &rubric.rubric().competencies;
        let position = if id.is_empty() {
            0
        } else {
            all.iter().position(|c| c.id == id).ok_or_else(|| {
                AppError::NotFound(format!("competency `{id}` in rubric {}", rubric.key()))
            })?
        };
        let comp = all
            .get(position)
            .ok_or_else(|| AppError::NotFound("a competency in this rubric".to_owned()))?;
        let previous = position
            .checked_sub(1)
            .and_then(|p| all.get(p))
            .map(|c| c.id.clone());
        let next = all.get(position + 1).map(|c| c.id.clone());
        Ok((comp, previous, next))
    }

    /// Checks a mark against the scale: a level code, `NA` or `NI`.
    pub fn check_mark(
        rubric: &capacity::CompiledRubric,
        indicator: &str,
        level: &str,
    ) -> Result<(), AppError> {
        if rubric.indicator_ix(indicator).is_none() {
            return Err(AppError::Invalid(format!(
                "{indicator}: no such indicator in rubric {}",
                rubric.key()
            )));
        }
        if level == capacity::NOT_APPLICABLE
            || level == capacity::NO_INFORMATION
            || rubric.level_ix(level).is_some()
        {
            return Ok(());
        }
        let codes: Vec<&str> = rubric.levels().iter().map(|l| l.code.as_str()).collect();
        Err(AppError::Invalid(format!(
            "{indicator}: unknown level `{level}`: choose one of {}, NA or NI",
            codes.join(", ")
        )))
    }

    /// True when the request is a plain form post (no JavaScript): the
    /// answer is then a redirect to a page, not data.
    pub fn plain_form_post() -> bool {
        use_context::<axum::http::request::Parts>().is_some_and(|p| {
            p.headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }
}

/// The overview of an assessment: progress per competency and rater.
#[server(endpoint = "load_overview")]
pub async fn load_overview(
    /// Assessment id.
    id: i64,
) -> Result<Overview, AppError> {
    use capacity::{Flags, Status};
    let state = crate::server::state::state()?;
    let stored = ssr::stored(&state, id).await?;
    let (rubric, resolved, scored) = state.score(&stored).await?;
    let r = rubric.rubric();
    let raters = &stored.assessment.raters;
    let mut competencies = Vec::new();
    for c in &r.competencies {
        let domain = r
            .domains
            .iter()
            .find(|d| d.id == c.domain)
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let mut p = CompetencyProgress {
            id: c.id.clone(),
            title: c.title.clone(),
            domain,
            applicable: 0,
            rated: vec![0; raters.len()],
            answered: 0,
            disagreements: 0,
            consensus: 0,
        };
        for ind in r.indicators.iter().filter(|i| i.competency == c.id) {
            let Some(ix) = rubric.indicator_ix(&ind.id) else {
                continue;
            };
            let Some(result) = scored.indicators.get(ix.index()) else {
                continue;
            };
            if matches!(
                result.status,
                Status::NotApplicable(capacity::NotApplicableBy::Rule)
            ) {
                continue;
            }
            p.applicable += 1;
            if !matches!(result.status, Status::Unanswered) {
                p.answered += 1;
            }
            if result.flags.contains(Flags::DISAGREEMENT) {
                p.disagreements += 1;
            }
            if result.flags.contains(Flags::CONSENSUS) {
                p.consensus += 1;
            }
            for mark in resolved.marks(ix) {
                if let Some(slot) = p.rated.get_mut(usize::from(mark.rater)) {
                    *slot += 1;
                }
            }
        }
        competencies.push(p);
    }
    Ok(Overview {
        header: ssr::header_of(&stored, r.title.clone()),
        competencies,
        answered: scored.coverage.answered,
        applicable: scored.coverage.applicable,
    })
}

/// A rater's entry page for one competency (the first one if empty).
#[server(endpoint = "load_entry")]
pub async fn load_entry(
    /// Assessment id.
    id: i64,
    /// Rater id.
    rater: String,
    /// Competency id (empty: the first).
    competency: String,
) -> Result<EntryPage, AppError> {
    let state = crate::server::state::state()?;
    let stored = ssr::stored(&state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let r = rubric.rubric();
    let a = &stored.assessment;
    let rater_row = a
        .raters
        .iter()
        .find(|x| x.id == rater)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("rater `{rater}` in assessment {id}")))?;
    let (comp, previous, next) = ssr::competency_step(&rubric, &competency)?;
    let indicators = r
        .indicators
        .iter()
        .filter(|i| i.competency == comp.id)
        .map(|i| {
            let answer = a.answers.iter().find(|x| x.indicator == i.id);
            let mine = answer.and_then(|x| x.ratings.iter().find(|g| g.rater == rater));
            let by_rule = rubric
                .indicator_ix(&i.id)
                .and_then(|ix| scored.indicators.get(ix.index()))
                .is_some_and(|res| {
                    matches!(
                        res.status,
                        capacity::Status::NotApplicable(capacity::NotApplicableBy::Rule)
                    )
                });
            EntryIndicator {
                id: i.id.clone(),
                title: i.title.clone(),
                question: i.question.clone(),
                evidence_expected: i.evidence.clone(),
                descriptors: i.descriptor.clone(),
                not_applicable_by_rule: by_rule,
                level: mine.map(|g| g.level.clone()),
                evidence: mine.and_then(|g| g.evidence.clone()),
                version: stored.versions.rating(&i.id, &rater),
            }
        })
        .collect();
    Ok(EntryPage {
        header: ssr::header_of(&stored, r.title.clone()),
        rater: rater_row,
        competency: comp.id.clone(),
        competency_title: comp.title.clone(),
        domain_title: r
            .domains
            .iter()
            .find(|d| d.id == comp.domain)
            .map(|d| d.title.clone())
            .unwrap_or_default(),
        previous,
        next,
        levels: r.scale.levels.clone(),
        indicators,
    })
}

/// A rating saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSaved {
    /// The stored row's new version.
    pub version: i64,
}

/// What happened to one rating save on the server.
#[cfg(feature = "ssr")]
enum SaveOutcome {
    Saved { version: i64 },
    Stale(super::RatingNow),
}

/// Saves one rater's mark of one indicator (the hydrated workshop calls this
/// on every change). An empty `level` removes the rating. A save against a
/// version that is no longer the stored one is refused with
/// [`AppError::StaleRating`] (HTTP 409), which carries what is stored now.
#[server(endpoint = "save_rating")]
pub async fn save_rating(
    /// Assessment id.
    id: i64,
    /// Indicator id.
    indicator: String,
    /// Rater id.
    rater: String,
    /// Level code, `NA`, `NI`, or empty to clear.
    level: String,
    /// Evidence (may be empty).
    evidence: String,
    /// Version read (0: none).
    version: i64,
) -> Result<RatingSaved, AppError> {
    let state = crate::server::state::state()?;
    let header = state
        .store
        .list_assessments(&capacity_store::AssessmentFilter::default())
        .await?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    let rubric = state.rubric(&header.rubric, &header.rubric_version).await?;
    match save_one(
        &state, &rubric, id, &indicator, &rater, &level, &evidence, version,
    )
    .await?
    {
        SaveOutcome::Saved { version } => Ok(RatingSaved { version }),
        SaveOutcome::Stale(now) => Err(AppError::StaleRating(now)),
    }
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
async fn save_one(
    state: &crate::server::AppState,
    rubric: &capacity::CompiledRubric,
    id: i64,
    indicator: &str,
    rater: &str,
    level: &str,
    evidence: &str,
    version: i64,
) -> Result<SaveOutcome, AppError> {
    use capacity_store::StoreError;
    let level = level.trim();
    let evidence = evidence.trim();
    let result = if level.is_empty() {
        state
            .store
            .clear_rating(id, indicator, rater, version)
            .await
            .map(|()| 0)
    } else {
        ssr::check_mark(rubric, indicator, level)?;
        let input = capacity_store::RatingInput {
            level: level.to_owned(),
            evidence: (!evidence.is_empty()).then(|| evidence.to_owned()),
            refs: Vec::new(),
        };
        state
            .store
            .save_rating(id, indicator, rater, &input, version)
            .await
            .map(|saved| saved.version)
    };
    match result {
        Ok(version) => Ok(SaveOutcome::Saved { version }),
        Err(StoreError::StaleRating { current, .. }) => Ok(SaveOutcome::Stale(super::RatingNow {
            level: current.as_ref().map(|c| c.input.level.clone()),
            evidence: current.as_ref().and_then(|c| c.input.evidence.clone()),
            version: current.map_or(0, |c| c.version),
        })),
        Err(e) => Err(e.into()),
    }
}

/// An entry the server refused because the stored rating had changed: the
/// page shows it next to the newer value so that nothing typed is lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedEntry {
    /// Indicator id.
    pub indicator: String,
    /// The level the person chose.
    pub level: String,
    /// The evidence the person typed.
    pub evidence: String,
}

/// The form of a whole entry page (JavaScript off): one field per
/// indicator, `level[ID]`, `evidence[ID]` and `version[ID]`.
#[server(endpoint = "save_entry")]
pub async fn save_entry(
    /// Assessment id.
    id: i64,
    /// Rater id.
    rater: String,
    /// Competency id (to come back to the page).
    competency: String,
    /// Level per indicator (`NA`, `NI`, a code, or empty).
    #[server(default)]
    level: BTreeMap<String, String>,
    /// Evidence per indicator.
    #[server(default)]
    evidence: BTreeMap<String, String>,
    /// Version read per indicator.
    #[server(default)]
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    let state = crate::server::state::state()?;
    let stored = ssr::stored(&state, id).await?;
    let rubric = state
        .rubric(&stored.header.rubric, &stored.header.rubric_version)
        .await?;
    let mut saved = 0usize;
    let mut refused = Vec::new();
    for (indicator, read_version) in &version {
        let new_level = level.get(indicator).map(|s| s.trim()).unwrap_or("");
        let new_evidence = evidence.get(indicator).map(|s| s.trim()).unwrap_or("");
        let current = stored
            .assessment
            .answers
            .iter()
            .find(|a| &a.indicator == indicator)
            .and_then(|a| a.ratings.iter().find(|g| g.rater == rater));
        let unchanged = match current {
            Some(g) => g.level == new_level && g.evidence.as_deref().unwrap_or("") == new_evidence,
            None => new_level.is_empty(),
        };
        if unchanged && stored.versions.rating(indicator, &rater) == *read_version {
            continue;
        }
        match save_one(
            &state,
            &rubric,
            id,
            indicator,
            &rater,
            new_level,
            new_evidence,
            *read_version,
        )
        .await?
        {
            SaveOutcome::Saved { .. } => saved += 1,
            SaveOutcome::Stale(_) => refused.push(RefusedEntry {
                indicator: indicator.clone(),
                level: new_level.to_owned(),
                evidence: new_evidence.to_owned(),
            }),
        }
    }
    let token = (!refused.is_empty()).then(|| state.keep_refused(refused.clone()));
    if ssr::plain_form_post() {
        let mut to = format!(
            "/evaluations/{id}/saisie?rater={}&competence={}&saved={saved}",
            urlencode(&rater),
            urlencode(&competency)
        );
        if let Some(token) = &token {
            to.push_str("&refused=");
            to.push_str(token);
        }
        leptos_axum::redirect(&to);
    }
    Ok(EntrySaved { saved, refused })
}

/// What a whole-page save did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySaved {
    /// Ratings written.
    pub saved: usize,
    /// Ratings refused as stale.
    pub refused: Vec<RefusedEntry>,
}

/// Entries refused by an earlier plain form save (see [`save_entry`]).
#[server(endpoint = "load_refused")]
pub async fn load_refused(
    /// The token given in the redirect.
    token: String,
) -> Result<Vec<RefusedEntry>, AppError> {
    let state = crate::server::state::state()?;
    Ok(state.refused(&token))
}

#[cfg(feature = "ssr")]
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One indicator on the consensus page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsensusIndicator {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Descriptor per level code.
    pub descriptors: BTreeMap<String, Text>,
    /// Not applicable to this commune by the rubric's rule.
    pub not_applicable_by_rule: bool,
    /// Each rater's mark and evidence, in rater order (None: not rated).
    pub ratings: Vec<(Rater, Option<String>, Option<String>)>,
    /// The level the scoring uses now (consensus, else lower median), or
    /// `NA`/`NI`; None when unanswered.
    pub consolidated: Option<String>,
    /// The recorded consensus level, if any.
    pub consensus: Option<String>,
    /// Its justification.
    pub justification: Option<String>,
    /// The workshop's comment on the indicator.
    pub comment: Option<String>,
    /// Raters are two levels apart or more.
    pub disagreement: bool,
    /// Version of the answer row (0: none).
    pub version: i64,
}

/// The consensus page of one competency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsensusPage {
    /// The assessment.
    pub header: WorkshopHeader,
    /// Competency id.
    pub competency: String,
    /// Competency title.
    pub competency_title: Text,
    /// Previous competency id.
    pub previous: Option<String>,
    /// Next competency id.
    pub next: Option<String>,
    /// Scale, lowest first.
    pub levels: Vec<Level>,
    /// Indicators of the competency.
    pub indicators: Vec<ConsensusIndicator>,
}

/// The consensus step for one competency (the first one if empty).
#[server(endpoint = "load_consensus")]
pub async fn load_consensus(
    /// Assessment id.
    id: i64,
    /// Competency id (empty: the first).
    competency: String,
) -> Result<ConsensusPage, AppError> {
    use capacity::{Flags, NotApplicableBy, Status};
    let state = crate::server::state::state()?;
    let stored = ssr::stored(&state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let r = rubric.rubric();
    let a = &stored.assessment;
    let (comp, previous, next) = ssr::competency_step(&rubric, &competency)?;
    let indicators = r
        .indicators
        .iter()
        .filter(|i| i.competency == comp.id)
        .map(|i| {
            let answer = a.answers.iter().find(|x| x.indicator == i.id);
            let result = rubric
                .indicator_ix(&i.id)
                .and_then(|ix| scored.indicators.get(ix.index()));
            let consolidated = result.and_then(|res| match res.status {
                Status::Level(ix) => Some(rubric.level_code(ix).to_owned()),
                Status::NoInformation => Some(capacity::NO_INFORMATION.to_owned()),
                Status::NotApplicable(_) => Some(capacity::NOT_APPLICABLE.to_owned()),
                _ => None,
            });
            ConsensusIndicator {
                id: i.id.clone(),
                title: i.title.clone(),
                descriptors: i.descriptor.clone(),
                not_applicable_by_rule: result.is_some_and(|res| {
                    matches!(res.status, Status::NotApplicable(NotApplicableBy::Rule))
                }),
                ratings: a
                    .raters
                    .iter()
                    .map(|rater| {
                        let g = answer.and_then(|x| x.ratings.iter().find(|g| g.rater == rater.id));
                        (
                            rater.clone(),
                            g.map(|g| g.level.clone()),
                            g.and_then(|g| g.evidence.clone()),
                        )
                    })
                    .collect(),
                consolidated,
                consensus: answer
                    .and_then(|x| x.consensus.as_ref())
                    .map(|c| c.level.clone()),
                justification: answer
                    .and_then(|x| x.consensus.as_ref())
                    .and_then(|c| c.justification.clone()),
                comment: answer.and_then(|x| x.comment.clone()),
                disagreement: result.is_some_and(|res| res.flags.contains(Flags::DISAGREEMENT)),
                version: stored.versions.answer(&i.id),
            }
        })
        .collect();
    Ok(ConsensusPage {
        header: ssr::header_of(&stored, r.title.clone()),
        competency: comp.id.clone(),
        competency_title: comp.title.clone(),
        previous,
        next,
        levels: r.scale.levels.clone(),
        indicators,
    })
}

/// Records the agreed levels of a competency: `level[ID]` (a code, `NA`,
/// `NI`, or empty for no recorded consensus), `justification[ID]`,
/// `comment[ID]` (the workshop's comment on the indicator), `version[ID]`. Unchanged indicators are not written. Stale ones are
/// refused and counted.
#[server(endpoint = "save_consensus")]
pub async fn save_consensus(
    /// Assessment id.
    id: i64,
    /// Competency id (to come back to the page).
    competency: String,
    /// Agreed level per indicator.
    #[server(default)]
    level: BTreeMap<String, String>,
    /// Justification per indicator.
    #[server(default)]
    justification: BTreeMap<String, String>,
    /// Comment per indicator.
    #[server(default)]
    comment: BTreeMap<String, String>,
    /// Version read per indicator.
    #[server(default)]
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    use capacity_store::StoreError;
    let state = crate::server::state::state()?;
    let stored = ssr::stored(&state, id).await?;
    let rubric = state
        .rubric(&stored.header.rubric, &stored.header.rubric_version)
        .await?;
    let mut saved = 0usize;
    let mut refused = Vec::new();
    for (indicator, read_version) in &version {
        let new_level = level.get(indicator).map(|s| s.trim()).unwrap_or("");
        let new_justification = justification.get(indicator).map(|s| s.trim()).unwrap_or("");
        let new_comment = comment.get(indicator).map(|s| s.trim());
        let current = stored
            .assessment
            .answers
            .iter()
            .find(|a| &a.indicator == indicator);
        let old_level = current
            .and_then(|a| a.consensus.as_ref())
            .map_or("", |c| c.level.as_str());
        let old_justification = current
            .and_then(|a| a.consensus.as_ref())
            .and_then(|c| c.justification.as_deref())
            .unwrap_or("");
        let old_comment = current.and_then(|a| a.comment.as_deref()).unwrap_or("");
        // A form without the comment field leaves the comment as it is.
        let new_comment = new_comment.unwrap_or(old_comment);
        if old_level == new_level
            && old_justification == new_justification
            && old_comment == new_comment
            && stored.versions.answer(indicator) == *read_version
        {
            continue;
        }
        if !new_level.is_empty() {
            ssr::check_mark(&rubric, indicator, new_level)?;
        }
        let answer = capacity::Answer {
            indicator: indicator.clone(),
            target: current.and_then(|a| a.target.clone()),
            comment: (!new_comment.is_empty()).then(|| new_comment.to_owned()),
            consensus: (!new_level.is_empty()).then(|| capacity::Consensus {
                level: new_level.to_owned(),
                justification: (!new_justification.is_empty())
                    .then(|| new_justification.to_owned()),
            }),
            ratings: Vec::new(),
        };
        match state
            .store
            .save_answer(id, indicator, &answer, *read_version)
            .await
        {
            Ok(_) => saved += 1,
            Err(StoreError::Stale { .. }) => refused.push(RefusedEntry {
                indicator: indicator.clone(),
                level: new_level.to_owned(),
                evidence: new_justification.to_owned(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    let token = (!refused.is_empty()).then(|| state.keep_refused(refused.clone()));
    if ssr::plain_form_post() {
        let mut to = format!(
            "/evaluations/{id}/consensus?competence={}&saved={saved}",
            urlencode(&competency)
        );
        if let Some(token) = &token {
            to.push_str("&refused=");
            to.push_str(token);
        }
        leptos_axum::redirect(&to);
    }
    Ok(EntrySaved { saved, refused })
}

/// Finalises (locks) an assessment at the version read.
#[server(endpoint = "finalise_assessment")]
pub async fn finalise_assessment(
    /// Assessment id.
    id: i64,
    /// Version read.
    version: i64,
) -> Result<i64, AppError> {
    let state = crate::server::state::state()?;
    let v = state.store.finalise(id, version).await?;
    if ssr::plain_form_post() {
        leptos_axum::redirect(&format!("/evaluations/{id}"));
    }
    Ok(v)
}

/// What the "new assessment" form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssessmentChoices {
    /// Rubric versions: (id, version, title).
    pub rubrics: Vec<(String, String, Text)>,
    /// Communes: (id, name, cercle, region).
    pub communes: Vec<(String, String, String, String)>,
    /// Assessments not finalised yet.
    pub open: Vec<(i64, String, String)>,
}

/// The choices of the "new assessment" form and the open assessments.
#[server(endpoint = "load_new_assessment")]
pub async fn load_new_assessment() -> Result<NewAssessmentChoices, AppError> {
    let state = crate::server::state::state()?;
    let rubrics = state
        .store
        .rubrics()
        .await?
        .into_iter()
        .map(|r| {
            (
                r.id,
                r.version,
                Text {
                    fr: r.title_fr,
                    en: r.title_en,
                },
            )
        })
        .collect();
    let communes = state
        .store
        .communes(&capacity_store::CommuneFilter::default())
        .await?
        .into_iter()
        .map(|c| {
            (
                c.commune.id,
                c.commune.name,
                c.commune.cercle,
                c.commune.region,
            )
        })
        .collect();
    let open = state
        .store
        .list_assessments(&capacity_store::AssessmentFilter::default())
        .await?
        .into_iter()
        .filter(|h| !h.finalised)
        .map(|h| (h.id, h.commune_name, h.round))
        .collect();
    Ok(NewAssessmentChoices {
        rubrics,
        communes,
        open,
    })
}

/// Starts a new assessment of an existing commune: rubric (`id@version`),
/// round, date and raters (`rater_name[i]`, `rater_role[i]`; empty rows are
/// ignored). Answers the new id (a redirect to its page for a plain form).
#[server(endpoint = "create_assessment")]
pub async fn create_assessment(
    /// Commune id.
    commune: String,
    /// `rubric-id@version`.
    rubric: String,
    /// Round label, e.g. `2026`.
    round: String,
    /// Workshop date, `YYYY-MM-DD`.
    date: String,
    /// Rater names by row.
    #[server(default)]
    rater_name: BTreeMap<String, String>,
    /// Rater roles by row.
    #[server(default)]
    rater_role: BTreeMap<String, String>,
) -> Result<i64, AppError> {
    let state = crate::server::state::state()?;
    let (rubric_id, version) = rubric
        .split_once('@')
        .ok_or_else(|| AppError::Invalid("choose a rubric in the list".to_owned()))?;
    let compiled = state.rubric(rubric_id, version).await?;
    let row = state
        .store
        .commune(&commune)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("commune {commune}")))?;
    let round = round.trim();
    if round.is_empty() || round.len() > 40 {
        return Err(AppError::Invalid(
            "give the round a short label, such as 2026".to_owned(),
        ));
    }
    let date = date.trim();
    let valid_date = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !valid_date {
        return Err(AppError::Invalid(
            "write the date as YYYY-MM-DD, e.g. 2026-03-14".to_owned(),
        ));
    }
    let mut raters = Vec::new();
    for (key, name) in &rater_name {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 120 {
            return Err(AppError::Invalid(format!(
                "rater name too long (row {key}): 120 characters at most"
            )));
        }
        let role = match rater_role.get(key).map(String::as_str) {
            Some("elected") => capacity::Role::Elected,
            Some("staff") => capacity::Role::Staff,
            Some("citizen") => capacity::Role::Citizen,
            Some("facilitator") => capacity::Role::Facilitator,
            other => {
                return Err(AppError::Invalid(format!(
                    "rater {name}: unknown role {other:?}: choose elected, staff, citizen or facilitator"
                )));
            }
        };
        raters.push(Rater {
            id: format!("r{}", raters.len() + 1),
            name: name.to_owned(),
            role,
        });
    }
    if raters.is_empty() {
        return Err(AppError::Invalid(
            "add at least one rater with a name and a role".to_owned(),
        ));
    }
    let assessment = capacity::Assessment {
        format: 1,
        rubric: rubric_id.to_owned(),
        rubric_version: version.to_owned(),
        round: round.to_owned(),
        date: date.to_owned(),
        fictional: false,
        finalised: false,
        comment: None,
        commune: row.commune,
        raters,
        answers: Vec::new(),
    };
    compiled
        .resolve(&assessment)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let id = state.store.insert_assessment(&assessment).await?;
    if ssr::plain_form_post() {
        leptos_axum::redirect(&format!("/evaluations/{id}"));
    }
    Ok(id)
}
