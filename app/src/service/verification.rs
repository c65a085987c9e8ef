//! Operations of the independent verification: planners assign a
//! verifier per campaign and commune; the verifier assigned reviews a
//! finalised self-assessment indicator by indicator (confirm, or another
//! level with a reason), then completes the verification, which locks it
//! (an administrator may reopen it with a reason); everyone who may see
//! the assessment then sees the self-assessed and verified results side
//! by side, and the verification report.
//!
//! The verified result is the core's ([`capacity::verify()`]): the same
//! scoring of the same assessment with the verified levels as consensus.
//! Who may do what is decided by `access.rs` ([`Action::AssignVerifier`],
//! [`Action::Verify`], [`Action::FollowVerification`],
//! [`Action::ReopenVerification`]); the store checks structure and audits
//! every write. [`verified_many`] gives the verified results of many
//! assessments at once for comparisons and grants.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use capacity::{CompiledRubric, Lang, Scored, Verification, VerifiedLevel};
use capacity_report::{Verifier, labels, verification as tables};
use capacity_store::{
    AssessmentFilter, AssessmentHeader, LevelInput, NewResult, NewVerifiedResult, StoredAssessment,
    StoredVerification, VerificationState, VerificationStatus,
};

use super::Service;
use super::access::{Action, Actor, Place, grants_cover};
use super::results::{internal, table_view};
use crate::error::{AppError, FieldProblem, Problem};
use crate::view::account::AccessRole;
use crate::view::results::RatingRow;
use crate::view::verification::*;

/// Name of what the kept verified results hold: the core's `Scored` of
/// the verified assessment, as JSON (change it with the scoring rules).
pub const VERIFIED_SCORER: &str = "capacity-verified-json-1";

/// The verified levels of a stored verification, as the core takes them.
pub fn levels_of(v: &StoredVerification) -> Vec<VerifiedLevel> {
    v.answers
        .iter()
        .map(|a| VerifiedLevel {
            indicator: a.indicator.clone(),
            level: a.level.clone(),
            reason: a.reason.clone(),
        })
        .collect()
}

/// The self-assessed results of a stored assessment and its verified
/// results with the differences.
pub fn verify_stored(
    rubric: &CompiledRubric,
    stored: &StoredAssessment,
    verification: &StoredVerification,
) -> Result<(Scored, Verification), AppError> {
    let resolved = rubric.resolve(&stored.assessment).map_err(|e| {
        AppError::Invalid(format!(
            "assessment {} does not fit its rubric: {e}",
            stored.header.id
        ))
    })?;
    let scored = capacity::score(rubric, &resolved).map_err(internal)?;
    let verified = capacity::verify(
        rubric,
        &stored.assessment,
        &scored,
        &levels_of(verification),
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((scored, verified))
}

/// Who verifies and where it stands, for the report tables.
fn verifier_of(v: &StoredVerification) -> Verifier<'_> {
    Verifier {
        name: &v.verification.verifier,
        completed: v.verification.status == VerificationStatus::Completed,
        completed_at: v.verification.completed_at.as_deref(),
        comment: v.verification.comment.as_deref(),
        reviewed: v.answers.len(),
    }
}

/// The verified side of a results page (see [`crate::view::results::ResultsView`]).
pub fn verified_view(
    rubric: &CompiledRubric,
    scored: &Scored,
    verified: &Verification,
    v: &StoredVerification,
    lang: Lang,
) -> VerifiedView {
    let score = |s: Option<rust_decimal::Decimal>| {
        s.map_or_else(|| "—".to_owned(), |s| capacity::format::score(s, lang))
    };
    VerifiedView {
        verifier: v.verification.verifier.clone(),
        completed: v.verification.status == VerificationStatus::Completed,
        completed_at: v.verification.completed_at.clone(),
        comment: v.verification.comment.clone(),
        self_overall: score(scored.overall),
        verified_overall: score(verified.scored.overall),
        verified_grade: verified
            .scored
            .root()
            .and_then(|r| r.grade)
            .map(|g| g.label(rubric)),
        side_by_side: table_view(
            &tables::side_by_side(rubric, scored, &verified.scored, lang),
            lang,
        ),
        differences: table_view(&tables::differences(rubric, scored, verified, lang), lang),
        changes: verified.differences.len(),
    }
}

/// The campaign and assigned verifier of an assessment, with its header.
async fn assignment(
    state: &Service,
    id: i64,
) -> Result<(AssessmentHeader, Option<String>, Option<i64>), AppError> {
    let header = state
        .store
        .header(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("assessment {id}")))?;
    let (campaign, assigned) = state.store.assigned_verifier(id).await?;
    Ok((header, campaign, assigned))
}

/// May `actor` see the verification of the assessment at `place` while it
/// is in progress (the assigned verifier, planners of the place,
/// administrators)?
pub fn may_follow(actor: &Actor, place: &Place, assigned: Option<i64>) -> bool {
    actor.may(Action::FollowVerification { assigned }, place)
        || actor.may(Action::Verify { assigned }, place)
}

/// The verifier's page of an assessment: each indicator's self-assessed
/// level, the raters' levels and evidence, the council's justification,
/// and the verified level so far. For the verifier assigned (who may
/// act) and those who follow verifications there (read only).
pub async fn load_verify_page(
    state: &Service,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> Result<VerifyPage, AppError> {
    let (header, campaign, assigned) = assignment(state, id).await?;
    let place = Place::of(&header);
    if !may_follow(actor, &place, assigned) {
        actor.check(Action::FollowVerification { assigned }, &place)?;
    }
    let stored = super::workshop::stored(state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let verification = state.store.verification(id).await?;
    let assigned_name = match assigned {
        Some(account) => state.store.account(account).await?.map(|a| a.display_name),
        None => None,
    };
    let a = &stored.assessment;
    let by_id: HashMap<&str, &capacity_store::VerifiedAnswer> = verification
        .iter()
        .flat_map(|v| v.answers.iter())
        .map(|v| (v.indicator.as_str(), v))
        .collect();
    let mut lines = Vec::with_capacity(rubric.indicators().len());
    let mut to_review = 0;
    for (i, ind) in rubric.indicators().iter().enumerate() {
        let Some(source) = rubric.rubric().indicators.get(ind.source) else {
            continue;
        };
        let self_level = scored
            .indicators
            .get(i)
            .and_then(|r| capacity::status_code(&rubric, r.status));
        if self_level.is_some() {
            to_review += 1;
        }
        let answer = a.answers.iter().find(|x| x.indicator == ind.id);
        let competency = rubric
            .node(ind.parent)
            .and_then(|n| rubric.rubric().competencies.get(n.source))
            .map(|c| c.title.clone())
            .unwrap_or_default();
        let verified = by_id.get(ind.id.as_str());
        lines.push(VerifyLine {
            id: ind.id.clone(),
            title: source.title.clone(),
            competency,
            justification: answer
                .and_then(|x| x.consensus.as_ref())
                .and_then(|c| c.justification.clone()),
            comment: answer.and_then(|x| x.comment.clone()),
            evidence_expected: source.evidence.clone(),
            ratings: answer
                .map(|x| {
                    x.ratings
                        .iter()
                        .map(|r| {
                            let rater = a.raters.iter().find(|p| p.id == r.rater);
                            RatingRow {
                                name: rater.map_or_else(|| r.rater.clone(), |p| p.name.clone()),
                                role: rater.map_or("", |p| labels::role(p.role, lang)).to_owned(),
                                level: r.level.clone(),
                                evidence: r.evidence.clone().unwrap_or_default(),
                                refs: r.refs.join("; "),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
            verified: verified.map(|v| VerifiedNow {
                level: v.level.clone(),
                reason: v.reason.clone(),
                changed: self_level.as_deref() != Some(v.level.as_str()),
            }),
            version: verified.map_or(0, |v| v.version),
            self_level,
        });
    }
    let mut levels: Vec<String> = rubric.levels().iter().map(|l| l.code.clone()).collect();
    levels.push(capacity::NOT_APPLICABLE.to_owned());
    levels.push(capacity::NO_INFORMATION.to_owned());
    let (status, version, reopened, comment) = match &verification {
        None => (VerifyStatus::NotStarted, 0, false, None),
        Some(v) => (
            match v.verification.status {
                VerificationStatus::InProgress => VerifyStatus::InProgress,
                VerificationStatus::Completed => VerifyStatus::Completed,
            },
            v.verification.version,
            v.verification.reopened,
            v.verification.comment.clone(),
        ),
    };
    let changed = lines
        .iter()
        .filter(|l| l.verified.as_ref().is_some_and(|v| v.changed))
        .count();
    let reviewed = lines.iter().filter(|l| l.verified.is_some()).count();
    Ok(VerifyPage {
        header: super::workshop::header_of(&stored, rubric.rubric().title.clone(), actor),
        campaign,
        assigned: assigned_name,
        status,
        version,
        reopened,
        comment,
        levels,
        lines,
        reviewed,
        to_review,
        changed,
        can_verify: actor.may(Action::Verify { assigned }, &place) && header.finalised,
        can_reopen: actor.may(Action::ReopenVerification, &place),
    })
}

/// The checks before a verifier's write: the header of an assessment the
/// actor is the assigned verifier of, finalised.
async fn verifier_may_write(
    state: &Service,
    actor: &Actor,
    id: i64,
) -> Result<AssessmentHeader, AppError> {
    let (header, _, assigned) = assignment(state, id).await?;
    actor.check(Action::Verify { assigned }, &Place::of(&header))?;
    if !header.finalised {
        return Err(AppError::Invalid(format!(
            "assessment {id} ({} {}) is not finalised: only a finalised self-assessment is verified",
            header.commune_name, header.round
        )));
    }
    Ok(header)
}

/// Starts the verification when it has not started yet.
async fn ensure_started(state: &Service, actor: &Actor, id: i64) -> Result<(), AppError> {
    if state.store.verification(id).await?.is_none() {
        state.store.start_verification(id, &actor.audit()).await?;
    }
    Ok(())
}

/// Sets the verified level of one indicator, its row at `version` (0:
/// none yet): equal to the self-assessed level (confirmed) or another
/// level with a `reason` (required then). Starts the verification on its
/// first level. Returns the new version of the level.
pub async fn set_level(
    state: &Service,
    actor: &Actor,
    id: i64,
    indicator: String,
    level: String,
    reason: String,
    version: i64,
) -> Result<i64, AppError> {
    verifier_may_write(state, actor, id).await?;
    let stored = super::workshop::stored(state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let level = level.trim().to_owned();
    let reason = reason.trim().to_owned();
    let mut problems = Vec::new();
    if let Err(e) = capacity::check_level(&rubric, &indicator, &level) {
        return Err(match e {
            capacity::VerifyError::UnknownIndicator { .. } => {
                AppError::NotFound(format!("indicator {indicator} in rubric {}", rubric.key()))
            }
            _ => AppError::Fields(vec![FieldProblem::new("level", Problem::UnknownChoice)]),
        });
    }
    if let Some(p) = super::limits::too_long(&reason, crate::view::limits::TEXT) {
        problems.push(FieldProblem::new("reason", p));
    }
    let self_level = capacity::consolidated_level(&rubric, &scored, &indicator);
    if self_level.as_deref() != Some(level.as_str()) && reason.is_empty() {
        problems.push(FieldProblem::new("reason", Problem::Required));
    }
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    ensure_started(state, actor, id).await?;
    let input = LevelInput {
        indicator,
        self_level,
        level,
        reason: (!reason.is_empty()).then_some(reason),
    };
    Ok(state
        .store
        .set_verified_level(id, &input, version, &actor.audit())
        .await?)
}

/// Confirms the self-assessed level of every answered indicator the
/// verifier has not reviewed yet (one audited write each). Returns how
/// many were confirmed.
pub async fn confirm_remaining(state: &Service, actor: &Actor, id: i64) -> Result<usize, AppError> {
    verifier_may_write(state, actor, id).await?;
    let stored = super::workshop::stored(state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    ensure_started(state, actor, id).await?;
    let done: BTreeSet<String> = state
        .store
        .verification(id)
        .await?
        .map(|v| v.answers.into_iter().map(|a| a.indicator).collect())
        .unwrap_or_default();
    let mut confirmed = 0;
    for (i, ind) in rubric.indicators().iter().enumerate() {
        if done.contains(&ind.id) {
            continue;
        }
        let Some(level) = scored
            .indicators
            .get(i)
            .and_then(|r| capacity::status_code(&rubric, r.status))
        else {
            continue;
        };
        let input = LevelInput {
            indicator: ind.id.clone(),
            self_level: Some(level.clone()),
            level,
            reason: None,
        };
        state
            .store
            .set_verified_level(id, &input, 0, &actor.audit())
            .await?;
        confirmed += 1;
    }
    Ok(confirmed)
}

/// Completes the verification at `version`, with the verifier's comment:
/// refused while an indicator the council answered is not reviewed.
pub async fn complete(
    state: &Service,
    actor: &Actor,
    id: i64,
    version: i64,
    comment: String,
) -> Result<i64, AppError> {
    verifier_may_write(state, actor, id).await?;
    if let Some(p) = super::limits::too_long(&comment, crate::view::limits::TEXT) {
        return Err(AppError::Fields(vec![FieldProblem::new("comment", p)]));
    }
    let stored = super::workshop::stored(state, id).await?;
    let (rubric, _, scored) = state.score(&stored).await?;
    let verification = state.store.verification(id).await?.ok_or_else(|| {
        AppError::Invalid(format!(
            "the verification of assessment {id} has not started: review its indicators first"
        ))
    })?;
    let done: BTreeSet<&str> = verification
        .answers
        .iter()
        .map(|a| a.indicator.as_str())
        .collect();
    let missing: Vec<&str> = rubric
        .indicators()
        .iter()
        .zip(&scored.indicators)
        .filter(|(ind, r)| {
            capacity::status_code(&rubric, r.status).is_some() && !done.contains(ind.id.as_str())
        })
        .map(|(ind, _)| ind.id.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} indicator(s) answered by the council are not reviewed yet ({}): confirm or change each one before completing",
            missing.len(),
            missing.join(", ")
        )));
    }
    let comment = comment.trim();
    Ok(state
        .store
        .complete_verification(
            id,
            version,
            (!comment.is_empty()).then_some(comment),
            &actor.audit(),
        )
        .await?)
}

/// Reopens a completed verification at `version` with a reason
/// (administrators only).
pub async fn reopen(
    state: &Service,
    actor: &Actor,
    id: i64,
    version: i64,
    reason: String,
) -> Result<i64, AppError> {
    let (header, _, _) = assignment(state, id).await?;
    actor.check(Action::ReopenVerification, &Place::of(&header))?;
    if reason.trim().is_empty() {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "reason",
            Problem::Required,
        )]));
    }
    Ok(state
        .store
        .reopen_verification(id, version, &reason, &actor.audit())
        .await?)
}

/// The verification page of a campaign (when none is chosen: the latest
/// one where the reader is a verifier assigned, else the latest one): its communes the reader may see, their assigned verifier,
/// their assessment's verification state, and — for planners and
/// administrators — the verifiers they may assign there.
pub async fn load_assign_page(
    state: &Service,
    actor: &Actor,
    campaign: Option<String>,
) -> Result<AssignPage, AppError> {
    actor.may_list()?;
    let me = actor.account();
    if actor.me.is_none() {
        return Err(AppError::Unauthenticated(
            "log in to see the verifications".to_owned(),
        ));
    }
    let campaigns = state.store.campaigns(None).await?;
    let mut chosen = campaign.filter(|c| !c.is_empty()).unwrap_or_default();
    if chosen.is_empty() {
        // A verifier lands on the latest campaign where they verify
        // something; everyone else on the latest campaign.
        for c in &campaigns {
            let assigned = state.store.verifier_assignments(&c.id).await?;
            if me.is_some() && assigned.iter().any(|a| Some(a.account) == me) {
                chosen = c.id.clone();
                break;
            }
        }
    }
    if chosen.is_empty() {
        chosen = campaigns.first().map(|c| c.id.clone()).unwrap_or_default();
    }
    if !chosen.is_empty() && !campaigns.iter().any(|c| c.id == chosen) {
        return Err(AppError::NotFound(format!("campaign {chosen}")));
    }
    let headers = state
        .store
        .list_assessments(&AssessmentFilter {
            campaign: Some(chosen.clone()),
            ..Default::default()
        })
        .await?;
    let states: HashMap<i64, VerificationState> = state
        .store
        .verification_states(&AssessmentFilter {
            campaign: Some(chosen.clone()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|s| (s.assessment, s))
        .collect();
    let assignments: HashMap<String, (i64, String)> = state
        .store
        .verifier_assignments(&chosen)
        .await?
        .into_iter()
        .map(|a| (a.commune, (a.account, a.display_name)))
        .collect();
    // The communes in scope: those the campaign lists, and those with an
    // assessment in it.
    let mut scope: BTreeSet<String> = state
        .store
        .campaign_communes(&chosen)
        .await?
        .into_iter()
        .collect();
    scope.extend(headers.iter().map(|h| h.commune_id.clone()));
    let verifiers: Vec<(i64, String, Vec<crate::view::account::Grant>)> = state
        .store
        .accounts()
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| {
            let me = super::accounts::me(&a);
            (a.id, a.display_name, me.grants)
        })
        .filter(|(_, _, grants)| grants.iter().any(|g| g.role == AccessRole::Verifier))
        .collect();
    let mut rows = Vec::new();
    for commune_id in scope {
        let Some(row) = state.store.commune(&commune_id).await? else {
            continue;
        };
        let place = Place::of_commune(&row.commune);
        let assigned = assignments.get(&commune_id).cloned();
        let assigned_id = assigned.as_ref().map(|a| a.0);
        let can_assign = actor.may(Action::AssignVerifier, &place);
        let mine = me.is_some() && assigned_id == me;
        if !(can_assign || mine || actor.may(Action::ViewCommune, &place)) {
            continue;
        }
        let header = headers.iter().find(|h| h.commune_id == commune_id);
        let vstate = header.and_then(|h| states.get(&h.id));
        rows.push(AssignRow {
            commune_id: commune_id.clone(),
            commune: row.commune.name.clone(),
            cercle: row.commune.cercle.clone(),
            region: row.commune.region.clone(),
            assigned,
            assessment: header.map(|h| h.id),
            finalised: header.is_some_and(|h| h.finalised),
            status: match vstate.and_then(|s| s.status) {
                None => VerifyStatus::NotStarted,
                Some(VerificationStatus::InProgress) => VerifyStatus::InProgress,
                Some(VerificationStatus::Completed) => VerifyStatus::Completed,
            },
            changed: vstate.map_or(0, |s| s.changed),
            candidates: if can_assign {
                verifiers
                    .iter()
                    .filter(|(_, _, grants)| grants_cover(grants, AccessRole::Verifier, &place))
                    .map(|(id, name, _)| (*id, name.clone()))
                    .collect()
            } else {
                Vec::new()
            },
            can_assign,
            mine,
        });
    }
    rows.sort_by(|a, b| {
        (&a.region, &a.cercle, &a.commune).cmp(&(&b.region, &b.cercle, &b.commune))
    });
    Ok(AssignPage {
        campaigns: campaigns
            .into_iter()
            .map(|c| (c.id, c.label, c.verification_required))
            .collect(),
        campaign: chosen,
        rows,
    })
}

/// Assigns `account` as the verifier of `commune` in `campaign` (`None`:
/// takes the assignment back). The account must hold the verifier role
/// over the commune.
pub async fn assign(
    state: &Service,
    actor: &Actor,
    campaign: String,
    commune: String,
    account: Option<i64>,
) -> Result<(), AppError> {
    let row = state
        .store
        .commune(&commune)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("commune {commune}")))?;
    let place = Place::of_commune(&row.commune);
    actor.check(Action::AssignVerifier, &place)?;
    let Some(account) = account else {
        state
            .store
            .unassign_verifier(&campaign, &commune, &actor.audit())
            .await?;
        return Ok(());
    };
    let who = state.store.account(account).await?.ok_or_else(|| {
        AppError::Fields(vec![FieldProblem::new("account", Problem::UnknownChoice)])
    })?;
    if !grants_cover(
        &super::accounts::me(&who).grants,
        AccessRole::Verifier,
        &place,
    ) {
        return Err(AppError::Invalid(format!(
            "{} does not hold the verifier role over {}: an administrator grants it first",
            who.display_name, row.commune.name
        )));
    }
    state
        .store
        .assign_verifier(&campaign, &commune, account, &actor.audit())
        .await?;
    Ok(())
}

/// May `actor` see this verification (completed: whoever sees the
/// assessment; in progress: those who follow it)? 404 when there is none.
async fn visible_verification(
    state: &Service,
    actor: &Actor,
    id: i64,
) -> Result<(StoredAssessment, StoredVerification), AppError> {
    let (header, _, assigned) = assignment(state, id).await?;
    let place = Place::of(&header);
    actor.check(Action::ViewAssessment, &place)?;
    let verification = state
        .store
        .verification(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("a verification of assessment {id}")))?;
    if verification.verification.status != VerificationStatus::Completed
        && !may_follow(actor, &place, assigned)
    {
        actor.check(Action::FollowVerification { assigned }, &place)?;
    }
    let stored = super::workshop::stored(state, id).await?;
    Ok((stored, verification))
}

/// The printable verification report of an assessment (HTML): the
/// verifier, both scores side by side, every change with its reason.
pub async fn report_html(
    state: &Service,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> Result<String, AppError> {
    let (stored, verification) = visible_verification(state, actor, id).await?;
    let rubric = state
        .rubric(&stored.assessment.rubric, &stored.assessment.rubric_version)
        .await?;
    state
        .cpu(move || {
            let (scored, verified) = verify_stored(&rubric, &stored, &verification)?;
            capacity_report::VerificationReport {
                rubric: &rubric,
                assessment: &stored.assessment,
                self_scored: &scored,
                verification: &verified,
                verifier: verifier_of(&verification),
            }
            .render(lang)
            .map_err(internal)
        })
        .await?
}

/// The verification to print in the commune report, when the reader may
/// see it: `(verified results, the stored verification)`.
pub async fn for_report(
    state: &Service,
    actor: &Actor,
    rubric: &CompiledRubric,
    stored: &StoredAssessment,
) -> Result<Option<(Verification, StoredVerification)>, AppError> {
    let id = stored.header.id;
    let Some(verification) = state.store.verification(id).await? else {
        return Ok(None);
    };
    if verification.verification.status != VerificationStatus::Completed {
        let (_, assigned) = state.store.assigned_verifier(id).await?;
        if !may_follow(actor, &Place::of(&stored.header), assigned) {
            return Ok(None);
        }
    }
    let (_, verified) = verify_stored(rubric, stored, &verification)?;
    Ok(Some((verified, verification)))
}

/// The [`Verifier`] line of a stored verification, for reports.
pub fn report_verifier(v: &StoredVerification) -> Verifier<'_> {
    verifier_of(v)
}

/// One assessment's verified results, for pages over many communes.
#[derive(Debug, Clone)]
pub struct VerifiedScored {
    /// The assessment's header (its revision is the one the results were
    /// computed at).
    pub header: AssessmentHeader,
    /// Where its verification stands (completed or in progress).
    pub state: VerificationState,
    /// The verified score tree.
    pub scored: Scored,
}

/// Verified results kept in memory by assessment (each holds while its
/// assessment's revision — which every verification write moves — is the
/// same).
#[derive(Debug, Clone, Default)]
pub struct VerifiedCache(Arc<RwLock<HashMap<i64, Arc<VerifiedScored>>>>);

/// The most verified results kept in memory.
const VERIFIED_KEPT: usize = 20_000;

/// The verified results of every assessment matching `filter` that has a
/// verification (started; check [`VerificationState::is_completed`] for
/// completed ones), in the store's order, and a message for each one that
/// could not be computed. No authorisation here, as for
/// [`Service::scored_many`]: callers keep what their reader may see.
///
/// Cost: one query (headers, verification states and kept verified
/// results together) plus, for each assessment whose verified result is
/// neither in memory nor kept at its current revision, one load and two
/// scorings (plus one per changed level); new results are kept in memory
/// and in the store (`verified_result`), so a page over 703 communes
/// computes each verified result once per change.
pub async fn verified_many(
    state: &Service,
    filter: &AssessmentFilter,
) -> Result<(Vec<Arc<VerifiedScored>>, Vec<String>), AppError> {
    let rows = state
        .store
        .verified_with_results(filter, VERIFIED_SCORER)
        .await?;
    let cache = state.verified.clone();
    let mut out = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    let mut keep = Vec::new();
    for row in rows {
        let hit = cache
            .0
            .read()
            .ok()
            .and_then(|m| m.get(&row.header.id).cloned());
        if let Some(hit) = hit.filter(|h| {
            h.header.revision == row.header.revision
                && h.header.rubric_version == row.header.rubric_version
        }) {
            out.push(hit);
            continue;
        }
        let kept = row
            .result
            .as_deref()
            .and_then(|text| serde_json::from_str::<Scored>(text).ok());
        let entry = match kept {
            Some(scored) => Arc::new(VerifiedScored {
                header: row.header,
                state: row.state,
                scored,
            }),
            None => {
                let id = row.header.id;
                let (Some(stored), Some(verification)) = (
                    state.store.assessment(id).await?,
                    state.store.verification(id).await?,
                ) else {
                    continue;
                };
                let rubric = state
                    .rubric(&stored.assessment.rubric, &stored.assessment.rubric_version)
                    .await?;
                match verify_stored(&rubric, &stored, &verification) {
                    Ok((_, verified)) => {
                        if let Ok(text) = serde_json::to_string(&verified.scored) {
                            keep.push(NewVerifiedResult {
                                result: NewResult {
                                    assessment: id,
                                    revision: stored.header.revision,
                                    rubric_version: stored.header.rubric_version.clone(),
                                    scorer: VERIFIED_SCORER.to_owned(),
                                    result: text,
                                },
                                verification_version: verification.verification.version,
                            });
                        }
                        Arc::new(VerifiedScored {
                            header: stored.header,
                            state: row.state,
                            scored: verified.scored,
                        })
                    }
                    Err(e) => {
                        errors.push(format!(
                            "{} ({}): {e}",
                            row.header.commune_name, row.header.round
                        ));
                        continue;
                    }
                }
            }
        };
        if let Ok(mut map) = cache.0.write() {
            if map.len() >= VERIFIED_KEPT {
                map.clear();
            }
            map.insert(entry.header.id, Arc::clone(&entry));
        }
        out.push(entry);
    }
    if !keep.is_empty()
        && let Err(e) = state.store.keep_verified_results(&keep).await
    {
        tracing::warn!(error = %e, results = keep.len(), "verified results not kept");
    }
    Ok((out, errors))
}

/// The verified results of many assessments, against a real store.
#[cfg(test)]
mod tests {
    use super::*;
    use capacity_store::{Audit, NewGrant, Store};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn verified_results_of_many_are_computed_once_and_kept() -> TestResult {
        let store = Store::open_in_memory().await?;
        super::super::seed_embedded(&store, true).await?;
        let system = Audit::system("test");
        let header = store
            .list_assessments(&AssessmentFilter::default())
            .await?
            .into_iter()
            .find(|h| h.finalised && h.rubric == "ml-communes")
            .ok_or("a finalised sample")?;
        let verifier = store
            .create_account(
                "v",
                "V",
                false,
                &[NewGrant {
                    role: "verifier".into(),
                    scope_kind: "national".into(),
                    scope: String::new(),
                }],
                &system,
            )
            .await?;
        store
            .assign_verifier(&header.campaign_id, &header.commune_id, verifier, &system)
            .await?;
        store.start_verification(header.id, &system).await?;
        let service = Service::new(store.clone());
        let stored = store.assessment(header.id).await?.ok_or("stored")?;
        let (rubric, _, scored) = service.score(&stored).await?;
        // The first indicator with a level other than the lowest is set to
        // the lowest, with a reason.
        let lowest = rubric.level_code(rubric.lowest()).to_owned();
        let (indicator, self_level) = rubric
            .indicators()
            .iter()
            .zip(&scored.indicators)
            .find_map(|(ind, r)| {
                let code = capacity::status_code(&rubric, r.status)?;
                (rubric.level_ix(&code).is_some() && code != lowest).then(|| (ind.id.clone(), code))
            })
            .ok_or("an indicator above the lowest level")?;
        store
            .set_verified_level(
                header.id,
                &LevelInput::new(
                    &indicator,
                    Some(&self_level),
                    &lowest,
                    Some("pièce absente"),
                ),
                0,
                &system,
            )
            .await?;

        let all = AssessmentFilter::default();
        let (first, errors) = verified_many(&service, &all).await?;
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(first.len(), 1, "only the verified assessment");
        let verification = store.verification(header.id).await?.ok_or("verification")?;
        let expected = capacity::verify(
            &rubric,
            &stored.assessment,
            &scored,
            &levels_of(&verification),
        )?;
        assert_eq!(first[0].scored, expected.scored);
        assert!(first[0].scored.overall < scored.overall);
        assert_eq!(first[0].state.changed, 1);
        // Kept in the store: a new server reads it in the one query.
        let rows = store.verified_with_results(&all, VERIFIED_SCORER).await?;
        assert!(rows[0].result.is_some(), "the verified result is kept");
        let (again, _) = verified_many(&Service::new(store.clone()), &all).await?;
        assert_eq!(again[0].scored, expected.scored);
        // A level set since: computed again, at the new revision.
        store
            .set_verified_level(
                header.id,
                &LevelInput::new(&indicator, Some(&self_level), &self_level, None),
                1,
                &system,
            )
            .await?;
        let (after, _) = verified_many(&service, &all).await?;
        assert_eq!(
            after[0].scored.overall, scored.overall,
            "confirmed: as self-assessed"
        );
        assert!(after[0].header.revision > first[0].header.revision);
        Ok(())
    }
}
