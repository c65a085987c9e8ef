//! Operations of the self-assessment workshop: creating an
//! assessment, its overview, each rater's entry per competency, the
//! consensus step and finalising.
//!
//! Every save names the version it read; a stale save is refused and the
//! newer data are shown, never overwritten. Checks of meaning (the indicator
//! exists, the level is on the scale) use the compiled rubric before the
//! store is asked.

use crate::error::{AppError, FieldProblem, Problem};
use capacity::valid_id;

use super::limits;
use capacity::{Rater, Text};
use std::collections::BTreeMap;

use super::Service;
use super::access::{Action, Actor, Place};
#[allow(unused_imports)]
use crate::view::workshop::*;
use capacity_store::RaterLink;

/// What `actor` may do in a stored assessment.
pub fn can(actor: &Actor, stored: &capacity_store::StoredAssessment) -> Can {
    let place = Place::of(&stored.header);
    let may = |action| actor.may(action, &place);
    Can {
        enter: stored
            .assessment
            .raters
            .iter()
            .filter(|r| {
                may(Action::EnterRatings {
                    linked: stored.rater_accounts.get(&r.id).copied(),
                })
            })
            .map(|r| r.id.clone())
            .collect(),
        consensus: may(Action::RecordConsensus),
        finalise: may(Action::Finalise),
        unlock: may(Action::Unlock),
        plan: may(Action::EditPlan),
        history: may(Action::ViewAudit),
        raters: may(Action::ManageRaters),
    }
}

/// What `actor` may do at an assessment of `place`, leaving out whose
/// ratings they may enter (for pages that do not offer entry).
pub fn can_at(actor: &Actor, place: &Place) -> Can {
    let may = |action| actor.may(action, place);
    Can {
        enter: Vec::new(),
        consensus: may(Action::RecordConsensus),
        finalise: may(Action::Finalise),
        unlock: may(Action::Unlock),
        plan: may(Action::EditPlan),
        history: may(Action::ViewAudit),
        raters: may(Action::ManageRaters),
    }
}

/// The assessment as a file (`docs/file-formats.md`), with the council's
/// plan decisions in its `[plan]` section: what the command line reads to
/// print the same adjusted plan as the plan page. Seen by whoever may see
/// the assessment. Returns the file name and the text.
pub async fn assessment_file(
    state: &Service,
    actor: &Actor,
    id: i64,
) -> Result<(String, String), AppError> {
    let stored = visible(state, actor, id).await?;
    let a = &stored.assessment;
    let name = capacity::filename::safe_file_name(
        &["evaluation", &a.commune.id, &a.round],
        "toml",
        "evaluation",
    );
    Ok((name, a.to_toml()))
}

/// Loads an assessment `actor` may see, or says why not (404, 401, 403).
pub async fn visible(
    state: &Service,
    actor: &Actor,
    id: i64,
) -> Result<capacity_store::StoredAssessment, AppError> {
    let stored = stored(state, id).await?;
    actor.check(Action::ViewAssessment, &Place::of(&stored.header))?;
    Ok(stored)
}

/// The header of an assessment `actor` may act on with `action`, or why
/// not (404, 401, 403).
pub async fn allowed(
    state: &Service,
    actor: &Actor,
    id: i64,
    action: Action,
) -> Result<capacity_store::AssessmentHeader, AppError> {
    let header = state
        .store
        .header(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    actor.check(action, &Place::of(&header))?;
    Ok(header)
}

/// The header of a stored assessment, with what `actor` may do there.
pub fn header_of(
    stored: &capacity_store::StoredAssessment,
    rubric_title: Text,
    actor: &Actor,
) -> WorkshopHeader {
    let a = &stored.assessment;
    WorkshopHeader {
        reopened: stored.header.reopened,
        provisional_reason: stored.header.provisional_reason.clone(),
        can: can(actor, stored),
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
    state: &Service,
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

/// The overview of an assessment: progress per competency and rater.
pub async fn load_overview(state: &Service, actor: &Actor, id: i64) -> Result<Overview, AppError> {
    use capacity::{Flags, Status};
    let stored = visible(state, actor, id).await?;
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
    let mut linked = std::collections::BTreeMap::new();
    for (rater, account) in &stored.rater_accounts {
        if let Some(a) = state.store.account(*account).await? {
            linked.insert(rater.clone(), a.name);
        }
    }
    Ok(Overview {
        linked,
        header: header_of(&stored, r.title.clone(), actor),
        competencies,
        answered: scored.coverage.answered,
        applicable: scored.coverage.applicable,
    })
}

/// A rater's entry page for one competency (the first one if empty).
pub async fn load_entry(
    state: &Service,
    actor: &Actor,
    id: i64,
    rater: String,
    competency: String,
) -> Result<EntryPage, AppError> {
    let stored = stored(state, id).await?;
    let linked = stored.rater_accounts.get(&rater).copied();
    actor.check(Action::EnterRatings { linked }, &Place::of(&stored.header))?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let r = rubric.rubric();
    let a = &stored.assessment;
    let rater_row = a
        .raters
        .iter()
        .find(|x| x.id == rater)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("rater `{rater}` in assessment {id}")))?;
    let (comp, previous, next) = competency_step(&rubric, &competency)?;
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
        header: header_of(&stored, r.title.clone(), actor),
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

/// What happened to one rating save on the server.
enum SaveOutcome {
    Saved { version: i64 },
    Stale(crate::error::RatingNow),
}

/// Saves one rater's mark of one indicator (the hydrated workshop calls this
/// on every change). An empty `level` removes the rating. A save against a
/// version that is no longer the stored one is refused with
/// [`AppError::StaleRating`] (HTTP 409), which carries what is stored now.
#[allow(clippy::too_many_arguments)] // the fields of one form, plus who sends it
pub async fn save_rating(
    state: &Service,
    actor: &Actor,
    id: i64,
    indicator: String,
    rater: String,
    level: String,
    evidence: String,
    version: i64,
) -> Result<RatingSaved, AppError> {
    // The header and the rater's account link in one read; the write
    // checks again that the link it was allowed on still holds.
    let (header, linked) = state
        .store
        .header_with_rater(id, &rater)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    actor.check(Action::EnterRatings { linked }, &Place::of(&header))?;
    if header.date.as_str() > limits::today().as_str() {
        return Err(AppError::Invalid(format!(
            "assessment {id} is dated {}, after today: correct its date before rating",
            header.date
        )));
    }
    let rubric = state.rubric(&header.rubric, &header.rubric_version).await?;
    match save_one(
        state,
        actor,
        &rubric,
        id,
        &indicator,
        &rater,
        RaterLink::Expect(linked),
        &level,
        &evidence,
        version,
    )
    .await?
    {
        SaveOutcome::Saved { version } => Ok(RatingSaved { version }),
        SaveOutcome::Stale(now) => Err(AppError::StaleRating(now)),
    }
}

#[allow(clippy::too_many_arguments)]
async fn save_one(
    state: &Service,
    actor: &Actor,
    rubric: &capacity::CompiledRubric,
    id: i64,
    indicator: &str,
    rater: &str,
    link: RaterLink,
    level: &str,
    evidence: &str,
    version: i64,
) -> Result<SaveOutcome, AppError> {
    use capacity_store::StoreError;
    let level = level.trim();
    let evidence = evidence.trim();
    if let Some(p) = limits::too_long(evidence, limits::TEXT) {
        return Err(AppError::Fields(vec![FieldProblem::new(
            format!("evidence[{indicator}]"),
            p,
        )]));
    }
    let result = if level.is_empty() {
        state
            .store
            .clear_rating_checked(id, indicator, rater, version, link, &actor.audit())
            .await
            .map(|_| 0)
    } else {
        check_mark(rubric, indicator, level)?;
        let input = capacity_store::RatingInput {
            level: level.to_owned(),
            evidence: (!evidence.is_empty()).then(|| evidence.to_owned()),
            refs: Vec::new(),
        };
        state
            .store
            .save_rating_checked(id, indicator, rater, &input, version, link, &actor.audit())
            .await
            .map(|saved| saved.version)
    };
    match result {
        Ok(version) => Ok(SaveOutcome::Saved { version }),
        Err(StoreError::StaleRating { current, .. }) => {
            Ok(SaveOutcome::Stale(crate::error::RatingNow {
                level: current.as_ref().map(|c| c.input.level.clone()),
                evidence: current.as_ref().and_then(|c| c.input.evidence.clone()),
                version: current.map_or(0, |c| c.version),
            }))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form of a whole entry page (JavaScript off): one field per
/// indicator, `level[ID]`, `evidence[ID]` and `version[ID]`.
pub async fn save_entry(
    state: &Service,
    actor: &Actor,
    id: i64,
    rater: String,
    level: BTreeMap<String, String>,
    evidence: BTreeMap<String, String>,
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    let stored = stored(state, id).await?;
    let linked = stored.rater_accounts.get(&rater).copied();
    actor.check(Action::EnterRatings { linked }, &Place::of(&stored.header))?;
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
            state,
            actor,
            &rubric,
            id,
            indicator,
            &rater,
            RaterLink::Expect(linked),
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
    Ok(EntrySaved { saved, refused })
}

/// The page a plain form post of an entry page goes back to, with the
/// refused entries kept under a token for it.
pub async fn after_entry_save(
    state: &Service,
    id: i64,
    rater: &str,
    competency: &str,
    saved: &EntrySaved,
) -> Result<String, AppError> {
    let mut to = format!(
        "/evaluations/{id}/saisie?rater={}&competence={}&saved={}",
        urlencode(rater),
        urlencode(competency),
        saved.saved
    );
    if !saved.refused.is_empty() {
        to.push_str("&refused=");
        to.push_str(&state.keep_refused(&saved.refused).await?);
    }
    Ok(to)
}

/// Entries refused by an earlier plain form save (see [`save_entry`]).
pub async fn load_refused(state: &Service, token: String) -> Result<Vec<RefusedEntry>, AppError> {
    Ok(state.refused(&token).await)
}

fn urlencode(s: &str) -> String {
    crate::view::compare::encode_component(s)
}

/// The consensus step for one competency (the first one if empty).
pub async fn load_consensus(
    state: &Service,
    actor: &Actor,
    id: i64,
    competency: String,
) -> Result<ConsensusPage, AppError> {
    use capacity::{Flags, NotApplicableBy, Status};
    let stored = visible(state, actor, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let r = rubric.rubric();
    let a = &stored.assessment;
    let (comp, previous, next) = competency_step(&rubric, &competency)?;
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
        header: header_of(&stored, r.title.clone(), actor),
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
pub async fn save_consensus(
    state: &Service,
    actor: &Actor,
    id: i64,
    level: BTreeMap<String, String>,
    justification: BTreeMap<String, String>,
    comment: BTreeMap<String, String>,
    version: BTreeMap<String, i64>,
) -> Result<EntrySaved, AppError> {
    use capacity_store::StoreError;
    let stored = stored(state, id).await?;
    actor.check(Action::RecordConsensus, &Place::of(&stored.header))?;
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
        let mut problems = Vec::new();
        if let Some(p) = limits::too_long(new_justification, limits::TEXT) {
            problems.push(FieldProblem::new(format!("justification[{indicator}]"), p));
        }
        if let Some(p) = limits::too_long(new_comment, limits::TEXT) {
            problems.push(FieldProblem::new(format!("comment[{indicator}]"), p));
        }
        if !problems.is_empty() {
            return Err(AppError::Fields(problems));
        }
        if old_level == new_level
            && old_justification == new_justification
            && old_comment == new_comment
            && stored.versions.answer(indicator) == *read_version
        {
            continue;
        }
        if !new_level.is_empty() {
            check_mark(&rubric, indicator, new_level)?;
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
            .save_answer(id, indicator, &answer, *read_version, &actor.audit())
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
    Ok(EntrySaved { saved, refused })
}

/// The page a plain form post of the consensus step goes back to, with the
/// refused entries kept under a token for it.
pub async fn after_consensus_save(
    state: &Service,
    id: i64,
    competency: &str,
    saved: &EntrySaved,
) -> Result<String, AppError> {
    let mut to = format!(
        "/evaluations/{id}/consensus?competence={}&saved={}",
        urlencode(competency),
        saved.saved
    );
    if !saved.refused.is_empty() {
        to.push_str("&refused=");
        to.push_str(&state.keep_refused(&saved.refused).await?);
    }
    Ok(to)
}

/// The finalise gate of an assessment: coverage per competency, the
/// critical indicators still unanswered, the disagreements without a
/// consensus, and whether the round is complete enough to be finalised
/// without the provisional mark (the core's [`capacity::finalise_check`]).
pub async fn load_finalise(
    state: &Service,
    actor: &Actor,
    id: i64,
) -> Result<FinalisePage, AppError> {
    use capacity::NodeRef;
    let stored = visible(state, actor, id).await?;
    actor.check(Action::Finalise, &Place::of(&stored.header))?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let check = capacity::finalise_check(&rubric, &scored)
        .map_err(|e| AppError::Internal(format!("finalise check of assessment {id}: {e}")))?;
    let title = |r| rubric.title(r).cloned().unwrap_or_default();
    let indicator = |ix: &capacity::IndicatorIx| FinaliseLine {
        id: rubric.id(NodeRef::Indicator(*ix)).to_owned(),
        title: title(NodeRef::Indicator(*ix)),
        answered: 0,
        applicable: 0,
        competency: rubric
            .indicator(*ix)
            .map(|i| rubric.id(NodeRef::Node(i.parent)).to_owned())
            .unwrap_or_default(),
    };
    let percent = (check.required.min_answered() * rust_decimal::Decimal::ONE_HUNDRED)
        .trunc()
        .try_into()
        .unwrap_or(100);
    Ok(FinalisePage {
        header: header_of(&stored, rubric.rubric().title.clone(), actor),
        answered: check.coverage.answered,
        applicable: check.coverage.applicable,
        no_information: check.coverage.no_information,
        competencies: check
            .competencies
            .iter()
            .map(|c| FinaliseLine {
                id: rubric.id(NodeRef::Node(c.competency)).to_owned(),
                title: title(NodeRef::Node(c.competency)),
                answered: c.coverage.answered,
                applicable: c.coverage.applicable,
                competency: rubric.id(NodeRef::Node(c.competency)).to_owned(),
            })
            .collect(),
        unanswered_critical: check.unanswered_critical.iter().map(indicator).collect(),
        open_disagreements: check.open_disagreements.iter().map(indicator).collect(),
        required_percent: percent,
        complete: check.complete,
    })
}

/// Finalises (locks) an assessment at the version read, through the
/// finalise gate: the facilitator must `confirm`; when the round is below
/// the completeness required ([`capacity::finalise_check`]) it is locked
/// only when marked `provisional` with a `reason`, which the store keeps.
/// Refusals are field problems (422): `confirm` required, `provisional`
/// required when incomplete, `reason` required with it.
pub async fn finalise_assessment(
    state: &Service,
    actor: &Actor,
    id: i64,
    version: i64,
    confirm: bool,
    provisional: bool,
    reason: String,
) -> Result<i64, AppError> {
    allowed(state, actor, id, Action::Finalise).await?;
    let stored = stored(state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let check = capacity::finalise_check(&rubric, &scored)
        .map_err(|e| AppError::Internal(format!("finalise check of assessment {id}: {e}")))?;
    let reason = reason.trim();
    let mut problems = Vec::new();
    if !confirm {
        problems.push(FieldProblem::new("confirm", Problem::Required));
    }
    if !check.complete {
        if !provisional {
            problems.push(FieldProblem::new("provisional", Problem::Incomplete));
        }
        if reason.is_empty() {
            problems.push(FieldProblem::new("reason", Problem::Required));
        }
    }
    if let Some(p) = limits::too_long(reason, limits::TEXT) {
        problems.push(FieldProblem::new("reason", p));
    }
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    let audit = actor.audit();
    Ok(if check.complete {
        state.store.finalise(id, version, &audit).await?
    } else {
        state
            .store
            .finalise_provisional(id, version, reason, &audit)
            .await?
    })
}

/// Links rater `rater` of an assessment to the account named `account`
/// (empty: unlinks it). The account must hold the rater role over the
/// assessment's commune; from then on only that person enters that
/// rater's ratings.
pub async fn link_rater(
    state: &Service,
    actor: &Actor,
    id: i64,
    rater: String,
    account: String,
) -> Result<(), AppError> {
    let header = allowed(state, actor, id, Action::ManageRaters).await?;
    let stored = stored(state, id).await?;
    if !stored.assessment.raters.iter().any(|r| r.id == rater) {
        return Err(AppError::NotFound(format!(
            "rater `{rater}` in assessment {id}"
        )));
    }
    let account = account.trim();
    let linked = if account.is_empty() {
        None
    } else {
        let row = state
            .store
            .account_by_name(account)
            .await?
            .filter(|a| a.active)
            .ok_or_else(|| {
                AppError::Fields(vec![FieldProblem::new("account", Problem::UnknownChoice)])
            })?;
        let me = super::accounts::me(&row);
        let place = Place::of(&header);
        let rates_here = me
            .grants
            .iter()
            .any(|g| g.role == crate::view::account::AccessRole::Rater && g.scope.covers(&place));
        if !rates_here {
            return Err(AppError::Invalid(format!(
                "account {account} has no rater role for commune {}: give it one first",
                header.commune_id
            )));
        }
        Some(row.id)
    };
    state
        .store
        .link_rater(id, &rater, linked, &actor.audit())
        .await?;
    Ok(())
}

/// Unlocks a finalised assessment at the version read, with a reason
/// (required); its results are marked as reopened until it is finalised
/// again.
pub async fn unlock_assessment(
    state: &Service,
    actor: &Actor,
    id: i64,
    version: i64,
    reason: String,
) -> Result<i64, AppError> {
    allowed(state, actor, id, Action::Unlock).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "reason",
            Problem::Required,
        )]));
    }
    if let Some(p) = limits::too_long(reason, limits::TEXT) {
        return Err(AppError::Fields(vec![FieldProblem::new("reason", p)]));
    }
    Ok(state
        .store
        .unlock(id, version, reason, &actor.audit())
        .await?)
}

/// The choices of the "new assessment" form and the open assessments.
pub async fn load_new_assessment(
    state: &Service,
    actor: &Actor,
) -> Result<NewAssessmentChoices, AppError> {
    if actor.me.is_none() {
        return Err(AppError::Unauthenticated(
            "log in to start an assessment".to_owned(),
        ));
    }
    let titles: BTreeMap<(String, String), Text> = state
        .store
        .rubrics()
        .await?
        .into_iter()
        .map(|r| {
            (
                (r.id, r.version),
                Text {
                    fr: r.title_fr,
                    en: r.title_en,
                },
            )
        })
        .collect();
    let communes: Vec<(String, String, String, String)> = state
        .store
        // Deactivated (and merged) communes are not offered.
        .communes(&capacity_store::CommuneFilter {
            active_only: true,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|c| actor.may(Action::CreateAssessment, &Place::of_commune(&c.commune)))
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
        .filter(|h| !h.finalised && actor.may(Action::ViewAssessment, &Place::of(h)))
        .map(|h| (h.id, h.commune_name, h.round))
        .collect();
    let today = limits::today();
    let mut campaigns = Vec::new();
    for k in state.store.campaigns(None).await? {
        if k.starts.as_str() > today.as_str() {
            continue;
        }
        let scope = state.store.campaign_communes(&k.id).await?;
        let mine = communes
            .iter()
            .any(|(id, ..)| scope.binary_search(id).is_ok());
        if !mine {
            continue;
        }
        let rubric = titles
            .get(&(k.rubric_id.clone(), k.rubric_version.clone()))
            .cloned()
            .unwrap_or_else(|| Text {
                fr: k.rubric_id.clone(),
                en: None,
            });
        campaigns.push(CampaignChoice {
            id: k.id,
            label: k.label,
            rubric,
            version: k.rubric_version,
            starts: k.starts,
            ends: k.ends,
        });
    }
    Ok(NewAssessmentChoices {
        campaigns,
        communes,
        open,
    })
}

/// Starts a new assessment of an existing commune in a campaign: the
/// campaign gives the rubric version and the round label; the date must lie
/// in its window and not after today, the commune in its scope; raters
/// (`rater_name[i]`, `rater_role[i]`; rows without a name are ignored).
/// Every field is checked and every problem reported at once
/// ([`AppError::Fields`]); nothing is stored unless all are right.
#[allow(clippy::too_many_arguments)] // the fields of one form, plus who sends it
pub async fn create_assessment(
    state: &Service,
    actor: &Actor,
    commune: String,
    campaign: String,
    date: String,
    rater_name: BTreeMap<String, String>,
    rater_role: BTreeMap<String, String>,
) -> Result<i64, AppError> {
    if actor.me.is_none() {
        return Err(AppError::Unauthenticated(
            "log in to start an assessment".to_owned(),
        ));
    }
    let mut problems = Vec::new();
    let campaign = campaign.trim();
    let chosen = if valid_id(campaign) {
        state.store.campaign(campaign).await?
    } else {
        None
    };
    let compiled = match &chosen {
        Some(k) => Some(state.rubric(&k.rubric_id, &k.rubric_version).await?),
        None => {
            problems.push(FieldProblem::new("campaign", Problem::UnknownChoice));
            None
        }
    };
    let row = if valid_id(commune.trim()) {
        state.store.commune(commune.trim()).await?
    } else {
        None
    };
    match &row {
        None => problems.push(FieldProblem::new("commune", Problem::UnknownChoice)),
        Some(r) => {
            actor.check(Action::CreateAssessment, &Place::of_commune(&r.commune))?;
            if !r.active {
                problems.push(FieldProblem::new("commune", Problem::Inactive));
            }
        }
    }
    if let (Some(k), Some(r)) = (&chosen, &row) {
        let scope = state.store.campaign_communes(&k.id).await?;
        if scope.binary_search(&r.commune.id).is_err() {
            problems.push(FieldProblem::new("campaign", Problem::NotInCampaign));
        }
    }
    let date = date.trim();
    match limits::workshop_date(date, &limits::today()) {
        Err(p) => problems.push(FieldProblem::new("date", p)),
        Ok(()) => {
            if let Some(k) = chosen.as_ref().filter(|k| !k.holds(date)) {
                problems.push(FieldProblem::new(
                    "date",
                    Problem::OutsideWindow {
                        starts: k.starts.clone(),
                        ends: k.ends.clone(),
                    },
                ));
            }
        }
    }
    let mut raters = Vec::new();
    for (key, name) in &rater_name {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if let Some(p) = limits::too_long(name, limits::NAME) {
            problems.push(FieldProblem::new(format!("rater_name[{key}]"), p));
        }
        let Some(role) = rater_role
            .get(key)
            .and_then(|code| capacity::Role::from_code(code.trim()))
        else {
            problems.push(FieldProblem::new(
                format!("rater_role[{key}]"),
                Problem::UnknownChoice,
            ));
            continue;
        };
        raters.push(Rater {
            id: format!("r{}", raters.len() + 1),
            name: name.to_owned(),
            role,
        });
    }
    if raters.is_empty() && !problems.iter().any(|p| p.field.starts_with("rater_")) {
        problems.push(FieldProblem::new("raters", Problem::Required));
    }
    if raters.len() > limits::RATERS {
        problems.push(FieldProblem::new(
            "raters",
            Problem::TooMany {
                max: limits::RATERS as u32,
            },
        ));
    }
    let (Some(compiled), Some(row), Some(chosen), true) =
        (compiled, row, chosen, problems.is_empty())
    else {
        return Err(AppError::Fields(problems));
    };
    let assessment = capacity::Assessment {
        format: 1,
        rubric: compiled.rubric().id.clone(),
        rubric_version: compiled.rubric().version.clone(),
        round: chosen.label.clone(),
        date: date.to_owned(),
        fictional: false,
        finalised: false,
        comment: None,
        commune: row.commune,
        raters,
        answers: Vec::new(),
        plan: Default::default(),
    };
    compiled
        .resolve(&assessment)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok(state
        .store
        .insert_assessment_in(&assessment, Some(&chosen.id), &actor.audit())
        .await?)
}
