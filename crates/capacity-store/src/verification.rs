//! Independent verification of finalised self-assessments (migrations
//! 0006 and 0008): the verifier assigned to a commune in a campaign, the
//! verification of one assessment, the verifier's level of each indicator
//! beside the self-assessed (consolidated) one, and the verified results the
//! app keeps.
//!
//! The store checks structure, not meaning: the assessment is finalised
//! and belongs to a campaign, a verifier is assigned there, a level that
//! differs from the self-assessed one carries a reason, versions match, a
//! completed verification is locked. Whether an account may verify (its
//! role over the commune) is the app's decision (`service/access.rs`);
//! whether a level code exists in the rubric is the core's.
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction with its audit
//! event (`verification.assigned`, `verification.unassigned`,
//! `verification.started`, `verification.level_set`,
//! `verification.completed`, `verification.reopened`) and moves the
//! assessment's revision (caches of its pages and results follow it); the
//! self-assessment's own rows (ratings, answers, lock) are never touched.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::assessments::{HEADER_SELECT_FROM, header_row, push_filter, touch};
use crate::audit::{Event, append};
use crate::results::NewResult;
use crate::rows::{AssessmentFilter, AssessmentHeader, Audit};
use crate::{NOW, Sql, Store, StoreError, flag, not_found, write_tx};

/// Where a verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// The verifier is reviewing: levels may be set.
    InProgress,
    /// Completed: locked until an administrator reopens it.
    Completed,
}

impl VerificationStatus {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            VerificationStatus::InProgress => "in_progress",
            VerificationStatus::Completed => "completed",
        }
    }

    fn from_code(code: &str) -> Result<VerificationStatus, StoreError> {
        match code {
            "in_progress" => Ok(VerificationStatus::InProgress),
            "completed" => Ok(VerificationStatus::Completed),
            other => Err(StoreError::Invalid(format!(
                "stored verification status `{other}` is unknown: expected in_progress or completed"
            ))),
        }
    }
}

/// The verifier assigned to a commune in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifierAssignment {
    /// Campaign id.
    pub campaign: String,
    /// Commune id.
    pub commune: String,
    /// The verifier's account.
    pub account: i64,
    /// Its login name.
    pub account_name: String,
    /// Its display name.
    pub display_name: String,
    /// When assigned (UTC, RFC 3339).
    pub assigned_at: String,
}

/// The verification of one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRow {
    /// The assessment verified.
    pub assessment: i64,
    /// The verifier's account.
    pub account: i64,
    /// Its display name now.
    pub verifier: String,
    /// In progress or completed.
    pub status: VerificationStatus,
    /// The verifier's closing comment, if any.
    pub comment: Option<String>,
    /// Reopened by an administrator and not completed again since.
    pub reopened: bool,
    /// Row version: moves with every write to the verification (levels
    /// included), so completing names the state it saw.
    pub version: i64,
    /// Started (UTC, RFC 3339).
    pub started_at: String,
    /// Completed (UTC, RFC 3339), while completed.
    pub completed_at: Option<String>,
}

/// The verifier's level of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedAnswer {
    /// Indicator id.
    pub indicator: String,
    /// The self-assessed (consolidated) level when this was saved;
    /// `None` when the indicator was unanswered.
    pub self_level: Option<String>,
    /// The verified level: a level code, `NA` or `NI`.
    pub level: String,
    /// Why the verified level differs (required then), or a remark.
    pub reason: Option<String>,
    /// Row version.
    pub version: i64,
    /// Last saved (UTC, RFC 3339).
    pub updated_at: String,
}

impl VerifiedAnswer {
    /// True when the verifier set another level than the self-assessed one.
    pub fn is_change(&self) -> bool {
        self.self_level.as_deref() != Some(self.level.as_str())
    }
}

/// A verification with the verifier's levels, in indicator id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVerification {
    /// The verification.
    pub verification: VerificationRow,
    /// The verified levels.
    pub answers: Vec<VerifiedAnswer>,
}

/// Where the verification of one assessment stands, for lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationState {
    /// The assessment.
    pub assessment: i64,
    /// Its campaign, if it has one.
    pub campaign: Option<String>,
    /// The verifier assigned to its commune in that campaign.
    pub assigned: Option<i64>,
    /// `None` while no verification was started.
    pub status: Option<VerificationStatus>,
    /// The verification's version (0 when not started).
    pub version: i64,
    /// Indicators with a verified level.
    pub reviewed: i64,
    /// Of which set to another level than the self-assessed one.
    pub changed: i64,
}

impl VerificationState {
    /// True when the verification is completed.
    pub fn is_completed(&self) -> bool {
        self.status == Some(VerificationStatus::Completed)
    }
}

/// One verified assessment of a list with its kept verified result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedWithResult {
    /// The assessment's header.
    pub header: AssessmentHeader,
    /// The commune as stored with the assessment (JSON of the core's
    /// `Commune`).
    pub commune_snapshot: String,
    /// Where its verification stands.
    pub state: VerificationState,
    /// The current kept verified result text, if any.
    pub result: Option<String>,
}

/// A verified result to keep: [`NewResult`] (revision = the assessment's
/// revision it was computed at) and the verification's version then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVerifiedResult {
    /// The result, keyed as the self-assessed ones.
    pub result: NewResult,
    /// The verification's version it was computed from.
    pub verification_version: i64,
}

/// A verified level to save ([`Store::set_verified_level`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelInput {
    /// Indicator id.
    pub indicator: String,
    /// The self-assessed level the verifier saw (the consolidated level
    /// the core gives; `None` when unanswered).
    pub self_level: Option<String>,
    /// The verified level: a level code, `NA` or `NI`.
    pub level: String,
    /// Why it differs (required then), or a remark.
    pub reason: Option<String>,
}

impl LevelInput {
    /// A level for `indicator` beside `self_level`, with `reason`.
    pub fn new(
        indicator: &str,
        self_level: Option<&str>,
        level: &str,
        reason: Option<&str>,
    ) -> Self {
        LevelInput {
            indicator: indicator.to_owned(),
            self_level: self_level.map(str::to_owned),
            level: level.to_owned(),
            reason: reason.map(str::to_owned),
        }
    }
}

/// What a write to an assessment's verification reads first.
struct Target {
    label: String,
    commune: String,
    campaign: Option<String>,
    finalised: bool,
}

async fn target(conn: &mut AnyConnection, assessment: i64) -> Result<Target, StoreError> {
    let row = sqlx::query(
        "SELECT commune_id, round, finalised, campaign_id FROM assessment WHERE id = $1",
    )
    .bind(assessment)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| not_found(format!("assessment {assessment}")))?;
    let commune: String = row.get("commune_id");
    let round: String = row.get("round");
    Ok(Target {
        label: format!("{commune} / {round}"),
        commune,
        campaign: row.get("campaign_id"),
        finalised: row.get::<i64, _>("finalised") != 0,
    })
}

/// The verification row of an assessment, read inside a transaction.
async fn current(
    conn: &mut AnyConnection,
    assessment: i64,
) -> Result<(VerificationStatus, i64), StoreError> {
    let row = sqlx::query("SELECT status, version FROM verification WHERE assessment_id = $1")
        .bind(assessment)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            not_found(format!(
                "the verification of assessment {assessment} (start it first)"
            ))
        })?;
    let status: String = row.get("status");
    Ok((VerificationStatus::from_code(&status)?, row.get("version")))
}

fn refuse_unless_finalised(t: &Target, assessment: i64) -> Result<(), StoreError> {
    if t.finalised {
        return Ok(());
    }
    Err(StoreError::Invalid(format!(
        "assessment {assessment} ({}) is not finalised: only a finalised self-assessment is verified; the facilitator finalises it first",
        t.label
    )))
}

fn verified_answer(r: &sqlx::any::AnyRow) -> Result<VerifiedAnswer, StoreError> {
    Ok(VerifiedAnswer {
        indicator: r.try_get("indicator_id")?,
        self_level: r.try_get("self_level")?,
        level: r.try_get("level")?,
        reason: r.try_get("reason")?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A verified level in the audit trail.
fn answer_json(a: &VerifiedAnswer) -> serde_json::Value {
    json!({ "self_level": a.self_level, "level": a.level, "reason": a.reason })
}

/// Moves the verification's version (every write to it does).
async fn bump(conn: &mut AnyConnection, assessment: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "UPDATE verification SET version = version + 1, updated_at = {NOW} WHERE assessment_id = $1 RETURNING version"
    ))
    .bind(assessment)
    .fetch_one(&mut *conn)
    .await?)
}

/// The columns of a [`VerificationState`] joined to a header query
/// (`a` the assessment): assignment, verification and counts.
const STATE_COLUMNS: &str = ", a.campaign_id AS v_campaign, va.account_id AS v_assigned, v.status AS v_status, COALESCE(v.version, 0) AS v_version, COALESCE(s.reviewed, 0) AS v_reviewed, COALESCE(s.changed, 0) AS v_changed";

const STATE_JOINS: &str = " LEFT JOIN verification_assignment va ON va.campaign_id = a.campaign_id AND va.commune_id = a.commune_id
 LEFT JOIN verification v ON v.assessment_id = a.id
 LEFT JOIN (SELECT assessment_id, COUNT(*) AS reviewed,
                   SUM(CASE WHEN self_level IS NULL OR level <> self_level THEN 1 ELSE 0 END) AS changed
            FROM verified_answer GROUP BY assessment_id) s ON s.assessment_id = a.id";

fn state_row(r: &sqlx::any::AnyRow, assessment: i64) -> Result<VerificationState, StoreError> {
    let status: Option<String> = r.try_get("v_status")?;
    Ok(VerificationState {
        assessment,
        campaign: r.try_get("v_campaign")?,
        assigned: r.try_get("v_assigned")?,
        status: status
            .as_deref()
            .map(VerificationStatus::from_code)
            .transpose()?,
        version: r.try_get("v_version")?,
        reviewed: r.try_get("v_reviewed")?,
        changed: r.try_get("v_changed")?,
    })
}

impl Store {
    /// Assigns `account` as the verifier of `commune` in `campaign`
    /// (replacing the one assigned before; an in-progress verification of
    /// that commune's assessment in the campaign passes to the new
    /// verifier, a completed one keeps its own). The campaign, the commune
    /// and an active account must exist, and the commune must be in the
    /// campaign's scope when the campaign lists communes. Assigning the
    /// verifier already assigned writes nothing. Event
    /// `verification.assigned` (object = `campaign / commune`; before and
    /// after = `{account}`, before none for a first assignment).
    pub async fn assign_verifier(
        &self,
        campaign: &str,
        commune: &str,
        account: i64,
        audit: &Audit,
    ) -> Result<(), StoreError> {
        write_tx!(self, |tx| {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM campaign WHERE id = $1")
                .bind(campaign)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(not_found(format!("campaign {campaign}")));
            }
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM commune WHERE id = $1")
                .bind(commune)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_none() {
                return Err(not_found(format!("commune {commune}")));
            }
            let scope: (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN commune_id = $1 THEN 1 ELSE 0 END), 0) FROM campaign_commune WHERE campaign_id = $2",
            )
            .bind(commune)
            .bind(campaign)
            .fetch_one(&mut *tx)
            .await?;
            if scope.0 > 0 && scope.1 == 0 {
                return Err(StoreError::Invalid(format!(
                    "commune {commune} is not in the scope of campaign {campaign}: add it to the campaign first"
                )));
            }
            let active: Option<i64> =
                sqlx::query_scalar("SELECT active FROM account WHERE id = $1")
                    .bind(account)
                    .fetch_optional(&mut *tx)
                    .await?;
            match active.map(|a| a != 0) {
                None => return Err(not_found(format!("account {account}"))),
                Some(false) => {
                    return Err(StoreError::Invalid(format!(
                        "account {account} is deactivated: choose an active verifier"
                    )));
                }
                Some(true) => {}
            }
            let before: Option<i64> = sqlx::query_scalar(
                "SELECT account_id FROM verification_assignment WHERE campaign_id = $1 AND commune_id = $2",
            )
            .bind(campaign)
            .bind(commune)
            .fetch_optional(&mut *tx)
            .await?;
            if before == Some(account) {
                return Ok(());
            }
            sqlx::query(&format!(
                "INSERT INTO verification_assignment (campaign_id, commune_id, account_id, assigned_at)
                 VALUES ($1, $2, $3, {NOW})
                 ON CONFLICT (campaign_id, commune_id) DO UPDATE SET account_id = excluded.account_id, assigned_at = excluded.assigned_at"
            ))
            .bind(campaign)
            .bind(commune)
            .bind(account)
            .execute(&mut *tx)
            .await?;
            let moved: Vec<i64> = sqlx::query_scalar(&format!(
                "UPDATE verification SET account_id = $1, version = version + 1, updated_at = {NOW}
                 WHERE status = 'in_progress' AND assessment_id IN
                   (SELECT id FROM assessment WHERE campaign_id = $2 AND commune_id = $3)
                 RETURNING assessment_id"
            ))
            .bind(account)
            .bind(campaign)
            .bind(commune)
            .fetch_all(&mut *tx)
            .await?;
            for id in moved {
                touch(tx, id).await?;
            }
            append(
                tx,
                audit,
                Event::new("verification.assigned", format!("{campaign} / {commune}"))
                    .before(before.map(|a| json!({ "account": a })))
                    .after(json!({ "account": account })),
            )
            .await?;
            Ok(())
        })
    }

    /// Takes the verifier assignment of `commune` in `campaign` back;
    /// `false` when there was none (nothing written). Event
    /// `verification.unassigned` (before = `{account}`).
    pub async fn unassign_verifier(
        &self,
        campaign: &str,
        commune: &str,
        audit: &Audit,
    ) -> Result<bool, StoreError> {
        write_tx!(self, |tx| {
            let before: Option<i64> = sqlx::query_scalar(
                "DELETE FROM verification_assignment WHERE campaign_id = $1 AND commune_id = $2 RETURNING account_id",
            )
            .bind(campaign)
            .bind(commune)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(before) = before else {
                return Ok(false);
            };
            append(
                tx,
                audit,
                Event::new("verification.unassigned", format!("{campaign} / {commune}"))
                    .before(json!({ "account": before })),
            )
            .await?;
            Ok(true)
        })
    }

    /// The verifier assignments of a campaign, by commune id.
    pub async fn verifier_assignments(
        &self,
        campaign: &str,
    ) -> Result<Vec<VerifierAssignment>, StoreError> {
        let rows = sqlx::query(
            "SELECT va.campaign_id, va.commune_id, va.account_id, va.assigned_at, ac.name, ac.display_name
             FROM verification_assignment va JOIN account ac ON ac.id = va.account_id
             WHERE va.campaign_id = $1 ORDER BY va.commune_id",
        )
        .bind(campaign)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VerifierAssignment {
                    campaign: r.try_get("campaign_id")?,
                    commune: r.try_get("commune_id")?,
                    account: r.try_get("account_id")?,
                    account_name: r.try_get("name")?,
                    display_name: r.try_get("display_name")?,
                    assigned_at: r.try_get("assigned_at")?,
                })
            })
            .collect()
    }

    /// The campaign of an assessment and the verifier assigned to its
    /// commune there: `(campaign, verifier)`, each `None` when missing.
    /// One indexed row, for the check of who may verify.
    pub async fn assigned_verifier(
        &self,
        assessment: i64,
    ) -> Result<(Option<String>, Option<i64>), StoreError> {
        let row = sqlx::query(
            "SELECT a.campaign_id, va.account_id FROM assessment a
             LEFT JOIN verification_assignment va ON va.campaign_id = a.campaign_id AND va.commune_id = a.commune_id
             WHERE a.id = $1",
        )
        .bind(assessment)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| not_found(format!("assessment {assessment}")))?;
        Ok((row.try_get("campaign_id")?, row.try_get("account_id")?))
    }

    /// Starts the verification of a finalised assessment of a campaign,
    /// by the verifier assigned to its commune there. Returns the
    /// verification's version. Refused when the assessment is not
    /// finalised, has no campaign or no verifier is assigned, and when a
    /// verification exists already ([`StoreError::Conflict`]). Event
    /// `verification.started` (object = `commune / round`; after =
    /// `{verifier, status}`).
    pub async fn start_verification(
        &self,
        assessment: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        write_tx!(self, |tx| {
            let t = target(tx, assessment).await?;
            refuse_unless_finalised(&t, assessment)?;
            let Some(campaign) = t.campaign.as_deref() else {
                return Err(StoreError::Invalid(format!(
                    "assessment {assessment} ({}) belongs to no campaign: attach it to a campaign before it is verified",
                    t.label
                )));
            };
            let verifier: Option<i64> = sqlx::query_scalar(
                "SELECT account_id FROM verification_assignment WHERE campaign_id = $1 AND commune_id = $2",
            )
            .bind(campaign)
            .bind(&t.commune)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(verifier) = verifier else {
                return Err(StoreError::Invalid(format!(
                    "no verifier is assigned to commune {} in campaign {campaign}: a planner assigns one first",
                    t.commune
                )));
            };
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT version FROM verification WHERE assessment_id = $1")
                    .bind(assessment)
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_some() {
                return Err(StoreError::Conflict {
                    what: format!("the verification of assessment {assessment}"),
                    hint: "open it to continue".to_owned(),
                });
            }
            sqlx::query(&format!(
                "INSERT INTO verification (assessment_id, account_id, status, version, started_at, updated_at)
                 VALUES ($1, $2, 'in_progress', 1, {NOW}, {NOW})"
            ))
            .bind(assessment)
            .bind(verifier)
            .execute(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("verification.started", t.label.as_str())
                    .assessment(assessment)
                    .after(json!({ "verifier": verifier, "status": "in_progress" })),
            )
            .await?;
            Ok(1)
        })
    }

    /// Sets the verified level of one indicator, its row still at
    /// `expected` (0: none yet), beside `input.self_level`, the self-assessed
    /// level the verifier saw (the consolidated level the core gives:
    /// the consensus, else the raters' lower median; `None` when
    /// unanswered). A level that differs from it needs a `reason`. Returns the
    /// row's new version (saving the same level and reason again writes
    /// nothing and returns the stored version).
    ///
    /// Refused: stale ([`StoreError::StaleVerifiedLevel`], with the stored
    /// level), verification completed ([`StoreError::VerificationCompleted`]),
    /// not started, assessment not finalised (unlocked meanwhile), reason
    /// missing. Event `verification.level_set` (indicator set; object =
    /// the indicator; before and after = `{self_level, level, reason}`,
    /// before none for a first level).
    pub async fn set_verified_level(
        &self,
        assessment: i64,
        input: &LevelInput,
        expected: i64,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let indicator = input.indicator.as_str();
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let level = input.level.trim();
        let self_level = input.self_level.as_deref();
        if level.is_empty() {
            return Err(StoreError::Invalid(format!(
                "{indicator}: choose a verified level"
            )));
        }
        write_tx!(self, |tx| {
            let t = target(tx, assessment).await?;
            let (status, _) = current(tx, assessment).await?;
            if status == VerificationStatus::Completed {
                return Err(StoreError::VerificationCompleted { id: assessment });
            }
            refuse_unless_finalised(&t, assessment)?;
            let self_level: Option<String> = self_level.map(str::to_owned);
            if self_level.as_deref() != Some(level) && reason.is_none() {
                return Err(StoreError::Invalid(format!(
                    "{indicator}: the verified level {level} differs from the self-assessed level ({}): say why in the reason",
                    self_level.as_deref().unwrap_or("none")
                )));
            }
            let before = sqlx::query(
                "SELECT * FROM verified_answer WHERE assessment_id = $1 AND indicator_id = $2",
            )
            .bind(assessment)
            .bind(indicator)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(verified_answer)
            .transpose()?;
            let stored_version = before.as_ref().map_or(0, |b| b.version);
            if stored_version != expected {
                return Err(StoreError::StaleVerifiedLevel {
                    expected,
                    current: before.map(Box::new),
                });
            }
            if let Some(b) = &before
                && b.level == level
                && b.reason.as_deref() == reason
                && b.self_level == self_level
            {
                return Ok(b.version);
            }
            let version: i64 = sqlx::query_scalar(&format!(
                "INSERT INTO verified_answer (assessment_id, indicator_id, self_level, level, reason, version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 1, {NOW})
                 ON CONFLICT (assessment_id, indicator_id) DO UPDATE SET self_level = excluded.self_level,
                   level = excluded.level, reason = excluded.reason,
                   version = verified_answer.version + 1, updated_at = excluded.updated_at
                 RETURNING version"
            ))
            .bind(assessment)
            .bind(indicator)
            .bind(&self_level)
            .bind(level)
            .bind(reason)
            .fetch_one(&mut *tx)
            .await?;
            bump(tx, assessment).await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("verification.level_set", indicator)
                    .assessment(assessment)
                    .indicator(indicator)
                    .before(before.as_ref().map(answer_json))
                    .after(json!({ "self_level": self_level, "level": level, "reason": reason })),
            )
            .await?;
            Ok(version)
        })
    }

    /// Completes (locks) a verification still at `expected` version, with
    /// the verifier's closing `comment`; every later level is refused
    /// until an administrator reopens it. Whether enough indicators were
    /// reviewed is the app's rule. Returns the new version. Event
    /// `verification.completed` (object = `commune / round`; before =
    /// `{status}`, after = `{status, reviewed, changed}`).
    pub async fn complete_verification(
        &self,
        assessment: i64,
        expected: i64,
        comment: Option<&str>,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        write_tx!(self, |tx| {
            let t = target(tx, assessment).await?;
            let (status, version) = current(tx, assessment).await?;
            if status == VerificationStatus::Completed {
                return Err(StoreError::VerificationCompleted { id: assessment });
            }
            if version != expected {
                return Err(StoreError::Stale {
                    what: format!("the verification of assessment {assessment}"),
                    expected,
                    current: version,
                });
            }
            refuse_unless_finalised(&t, assessment)?;
            let (reviewed, changed): (i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN self_level IS NULL OR level <> self_level THEN 1 ELSE 0 END), 0)
                 FROM verified_answer WHERE assessment_id = $1",
            )
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE verification SET status = 'completed', reopened = 0, comment = $1, completed_at = {NOW},
                   version = version + 1, updated_at = {NOW}
                 WHERE assessment_id = $2 RETURNING version"
            ))
            .bind(comment)
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            let mut event = Event::new("verification.completed", t.label.as_str())
                .assessment(assessment)
                .before(json!({ "status": "in_progress" }))
                .after(json!({ "status": "completed", "reviewed": reviewed, "changed": changed }));
            if let Some(comment) = comment {
                event = event.reason(comment);
            }
            append(tx, audit, event).await?;
            Ok(version)
        })
    }

    /// Reopens a completed verification still at `expected` version, with
    /// a `reason` (required, kept in the trail): levels may be set again
    /// and it is marked `reopened` until completed again. Who may reopen
    /// (an administrator) is the app's rule. Returns the new version.
    /// Event `verification.reopened` (before = `{status}`, after =
    /// `{status, reopened}`; the reason).
    pub async fn reopen_verification(
        &self,
        assessment: i64,
        expected: i64,
        reason: &str,
        audit: &Audit,
    ) -> Result<i64, StoreError> {
        let reason = crate::required_reason(
            reason,
            "reopening a completed verification needs a reason: say what must be reviewed again",
        )?;
        write_tx!(self, |tx| {
            let t = target(tx, assessment).await?;
            let (status, version) = current(tx, assessment).await?;
            if status != VerificationStatus::Completed {
                return Err(StoreError::Invalid(format!(
                    "the verification of assessment {assessment} is not completed: there is nothing to reopen"
                )));
            }
            if version != expected {
                return Err(StoreError::Stale {
                    what: format!("the verification of assessment {assessment}"),
                    expected,
                    current: version,
                });
            }
            let version: i64 = sqlx::query_scalar(&format!(
                "UPDATE verification SET status = 'in_progress', reopened = 1, completed_at = NULL,
                   version = version + 1, updated_at = {NOW}
                 WHERE assessment_id = $1 RETURNING version"
            ))
            .bind(assessment)
            .fetch_one(&mut *tx)
            .await?;
            touch(tx, assessment).await?;
            append(
                tx,
                audit,
                Event::new("verification.reopened", t.label.as_str())
                    .assessment(assessment)
                    .before(json!({ "status": "completed" }))
                    .after(json!({ "status": "in_progress", "reopened": true }))
                    .reason(reason),
            )
            .await?;
            Ok(version)
        })
    }

    /// The verification of an assessment with its levels (one snapshot);
    /// `None` when none was started.
    pub async fn verification(
        &self,
        assessment: i64,
    ) -> Result<Option<StoredVerification>, StoreError> {
        let mut tx = self.read_tx().await?;
        let row = sqlx::query(
            "SELECT v.*, ac.display_name FROM verification v JOIN account ac ON ac.id = v.account_id WHERE v.assessment_id = $1",
        )
        .bind(assessment)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            tx.commit().await?;
            return Ok(None);
        };
        let status: String = row.try_get("status")?;
        let verification = VerificationRow {
            assessment,
            account: row.try_get("account_id")?,
            verifier: row.try_get("display_name")?,
            status: VerificationStatus::from_code(&status)?,
            comment: row.try_get("comment")?,
            reopened: flag(&row, "reopened")?,
            version: row.try_get("version")?,
            started_at: row.try_get("started_at")?,
            completed_at: row.try_get("completed_at")?,
        };
        let answers = sqlx::query(
            "SELECT * FROM verified_answer WHERE assessment_id = $1 ORDER BY indicator_id",
        )
        .bind(assessment)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(verified_answer)
        .collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(Some(StoredVerification {
            verification,
            answers,
        }))
    }

    /// Where the verification of every assessment matching `filter`
    /// stands (assigned verifier, status, version, counts), in the order
    /// of [`Store::list_assessments`]: one query, whatever their number.
    pub async fn verification_states(
        &self,
        filter: &AssessmentFilter,
    ) -> Result<Vec<VerificationState>, StoreError> {
        let mut q = Sql::new("SELECT a.id");
        q.push(STATE_COLUMNS);
        q.push(HEADER_SELECT_FROM);
        q.push(STATE_JOINS);
        q.push(" WHERE 1 = 1");
        push_filter(&mut q, filter);
        q.push(" ORDER BY c.region, c.cercle, c.name, a.round, a.id");
        let rows = q.build()?.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| state_row(r, r.try_get("id")?))
            .collect()
    }

    /// The *verified* assessments (a verification started) matching
    /// `filter`, each with its header, verification state and, when one
    /// is kept and current for `scorer` (same assessment revision,
    /// verification version and rubric version), its verified result:
    /// one query, whatever their number.
    pub async fn verified_with_results(
        &self,
        filter: &AssessmentFilter,
        scorer: &str,
    ) -> Result<Vec<VerifiedWithResult>, StoreError> {
        let mut q = Sql::new(concat!(
            "SELECT ",
            crate::assessments::header_columns!(),
            ", r.result"
        ));
        q.push(STATE_COLUMNS);
        q.push(HEADER_SELECT_FROM);
        q.push(STATE_JOINS);
        q.push(" LEFT JOIN verified_result r ON r.assessment_id = a.id AND r.revision = a.revision AND r.verification_version = v.version AND r.rubric_version = a.rubric_version AND r.scorer = ");
        q.push_bind(scorer.to_owned());
        q.push(" WHERE v.assessment_id IS NOT NULL");
        push_filter(&mut q, filter);
        q.push(" ORDER BY c.region, c.cercle, c.name, a.round, a.id");
        let rows = q.build()?.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let header = header_row(row)?;
                Ok(VerifiedWithResult {
                    state: state_row(row, header.id)?,
                    commune_snapshot: row.try_get("commune_snapshot")?,
                    result: row.try_get("result")?,
                    header,
                })
            })
            .collect()
    }

    /// Keeps verified results (replacing what was kept for the same
    /// assessments; an older revision is not written over a newer one),
    /// in one transaction on the writer connection, like
    /// [`Store::keep_results`]: not a write of data, not audited, does not
    /// move [`Store::generation`].
    pub async fn keep_verified_results(
        &self,
        results: &[NewVerifiedResult],
    ) -> Result<(), StoreError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with(self.backend.write_begin()).await?;
        for k in results {
            let r = &k.result;
            sqlx::query(
                "INSERT INTO verified_result (assessment_id, revision, verification_version, rubric_version, scorer, result, computed_at)
                 SELECT $1, $2, $3, $4, $5, $6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
                 WHERE EXISTS (SELECT 1 FROM verification WHERE assessment_id = $7)
                 ON CONFLICT (assessment_id) DO UPDATE SET
                   revision = excluded.revision, verification_version = excluded.verification_version,
                   rubric_version = excluded.rubric_version, scorer = excluded.scorer,
                   result = excluded.result, computed_at = excluded.computed_at
                 WHERE excluded.revision >= verified_result.revision",
            )
            .bind(r.assessment)
            .bind(r.revision)
            .bind(k.verification_version)
            .bind(&r.rubric_version)
            .bind(&r.scorer)
            .bind(&r.result)
            .bind(r.assessment)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The verification path against a real (in-memory) store: structure,
/// versions, the lock, and exactly the events each write leaves.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rows::{AuditFilter, NewGrant};
    use serde_json::Value;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn verifier_audit(id: i64) -> Audit {
        Audit {
            actor_id: Some(id),
            actor: "verificateur".into(),
            request_id: "req-v".into(),
            address: String::new(),
        }
    }

    /// A store with the example rubric, its example assessment (finalised
    /// or not), a campaign holding it, and a verifier account: `(store,
    /// assessment, verifier)`.
    async fn fixture(finalised: bool) -> Result<(Store, i64, i64), Box<dyn std::error::Error>> {
        let store = Store::open_in_memory().await?;
        let rubric = capacity::CompiledRubric::from_toml(capacity::example::RUBRIC)?;
        let system = Audit::system("test");
        store
            .put_rubric(rubric.rubric(), capacity::example::RUBRIC, &system)
            .await?;
        let (mut assessment, _) = rubric.resolve_toml(capacity::example::ASSESSMENT)?;
        assessment.finalised = finalised;
        let id = store.insert_assessment(&assessment, &system).await?;
        // The campaign store is not this module's: the row is written as
        // the schema has it.
        sqlx::query(&format!(
            "INSERT INTO campaign (id, label, rubric_id, rubric_version, starts, ends, created_at, updated_at)
             VALUES ('c2024', '2024', $1, $2, '2024-01-01', '2024-12-31', {NOW}, {NOW})"
        ))
        .bind(&assessment.rubric)
        .bind(&assessment.rubric_version)
        .execute(&store.writer)
        .await?;
        sqlx::query("UPDATE assessment SET campaign_id = 'c2024' WHERE id = $1")
            .bind(id)
            .execute(&store.writer)
            .await?;
        let verifier = store
            .create_account(
                "verificateur",
                "Vérificateur",
                false,
                &[NewGrant {
                    role: "verifier".into(),
                    scope_kind: "region".into(),
                    scope: "Ségou".into(),
                }],
                &system,
            )
            .await?;
        Ok((store, id, verifier))
    }

    /// `(kind, object, indicator, before, after, reason)` of the events
    /// after `from`, for `assessment` or none.
    async fn events_since(
        store: &Store,
        from: i64,
    ) -> Result<Vec<(String, String, Option<String>, Value, Value, Option<String>)>, StoreError>
    {
        let parse = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or(Value::Null)
        };
        Ok(store
            .audit_events(&AuditFilter {
                after_id: Some(from),
                ..AuditFilter::default()
            })
            .await?
            .iter()
            .map(|e| {
                (
                    e.kind.clone(),
                    e.object.clone(),
                    e.indicator.clone(),
                    parse(&e.before),
                    parse(&e.after),
                    e.reason.clone(),
                )
            })
            .collect())
    }

    async fn last_event(store: &Store) -> Result<i64, StoreError> {
        Ok(store
            .audit_events(&AuditFilter::default())
            .await?
            .last()
            .map_or(0, |e| e.id))
    }

    fn ev(
        kind: &str,
        object: &str,
        indicator: Option<&str>,
        before: Value,
        after: Value,
        reason: Option<&str>,
    ) -> (String, String, Option<String>, Value, Value, Option<String>) {
        (
            kind.into(),
            object.into(),
            indicator.map(Into::into),
            before,
            after,
            reason.map(Into::into),
        )
    }

    #[tokio::test]
    async fn the_verification_path_leaves_exactly_its_events() -> TestResult {
        let (store, id, verifier) = fixture(true).await?;
        let audit = verifier_audit(verifier);
        let revision = store.revision(id).await?.ok_or("revision")?;
        let from = last_event(&store).await?;

        store
            .assign_verifier("c2024", "ml-exemple", verifier, &Audit::system("plan"))
            .await?;
        // The same assignment again writes nothing.
        store
            .assign_verifier("c2024", "ml-exemple", verifier, &Audit::system("plan"))
            .await?;
        assert_eq!(
            store.assigned_verifier(id).await?,
            (Some("c2024".to_owned()), Some(verifier))
        );
        assert_eq!(store.start_verification(id, &audit).await?, 1);
        let confirmed = store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-02", Some("B"), "B", None),
                0,
                &audit,
            )
            .await?;
        assert_eq!(confirmed, 1);
        let changed = store
            .set_verified_level(
                id,
                &LevelInput::new(
                    "ADM-OR-01",
                    Some("B"),
                    "C",
                    Some("  Organigramme non adopté  "),
                ),
                0,
                &audit,
            )
            .await?;
        assert_eq!(changed, 1);
        // Saving the same level and reason again writes nothing.
        assert_eq!(
            store
                .set_verified_level(
                    id,
                    &LevelInput::new("ADM-OR-01", Some("B"), "C", Some("Organigramme non adopté")),
                    1,
                    &audit
                )
                .await?,
            1
        );
        let stored = store.verification(id).await?.ok_or("verification")?;
        assert_eq!(stored.verification.status, VerificationStatus::InProgress);
        assert_eq!(stored.verification.version, 3);
        assert_eq!(stored.answers.len(), 2);
        assert!(!stored.answers[0].is_change());
        assert!(stored.answers[1].is_change());
        let version = store
            .complete_verification(id, 3, Some("Pièces vues en mairie"), &audit)
            .await?;
        assert_eq!(version, 4);
        let admin = Audit::system("admin");
        let version = store
            .reopen_verification(id, version, "Reprendre ADM-OR-01", &admin)
            .await?;
        assert!(
            store
                .verification(id)
                .await?
                .ok_or("v")?
                .verification
                .reopened
        );
        store
            .complete_verification(id, version, None, &audit)
            .await?;

        let label = "ml-exemple / 2024";
        assert_eq!(
            events_since(&store, from).await?,
            vec![
                ev(
                    "verification.assigned",
                    "c2024 / ml-exemple",
                    None,
                    Value::Null,
                    json!({ "account": verifier }),
                    None
                ),
                ev(
                    "verification.started",
                    label,
                    None,
                    Value::Null,
                    json!({ "verifier": verifier, "status": "in_progress" }),
                    None
                ),
                ev(
                    "verification.level_set",
                    "ADM-EC-02",
                    Some("ADM-EC-02"),
                    Value::Null,
                    json!({ "self_level": "B", "level": "B", "reason": null }),
                    None
                ),
                ev(
                    "verification.level_set",
                    "ADM-OR-01",
                    Some("ADM-OR-01"),
                    Value::Null,
                    json!({ "self_level": "B", "level": "C", "reason": "Organigramme non adopté" }),
                    None
                ),
                ev(
                    "verification.completed",
                    label,
                    None,
                    json!({ "status": "in_progress" }),
                    json!({ "status": "completed", "reviewed": 2, "changed": 1 }),
                    Some("Pièces vues en mairie")
                ),
                ev(
                    "verification.reopened",
                    label,
                    None,
                    json!({ "status": "completed" }),
                    json!({ "status": "in_progress", "reopened": true }),
                    Some("Reprendre ADM-OR-01")
                ),
                ev(
                    "verification.completed",
                    label,
                    None,
                    json!({ "status": "in_progress" }),
                    json!({ "status": "completed", "reviewed": 2, "changed": 1 }),
                    None
                ),
            ]
        );
        // Every write moved the assessment's revision; the self-assessment
        // itself is as it was.
        assert_eq!(store.revision(id).await?, Some(revision + 6));
        let header = store.header(id).await?.ok_or("header")?;
        assert!(header.finalised);
        let answers = store.assessment(id).await?.ok_or("assessment")?.assessment;
        let or01 = answers
            .answers
            .iter()
            .find(|a| a.indicator == "ADM-OR-01")
            .ok_or("ADM-OR-01")?;
        assert!(or01.consensus.is_none(), "the self-assessment is unchanged");
        Ok(())
    }

    #[tokio::test]
    async fn a_stale_level_is_refused_with_the_newer_one() -> TestResult {
        let (store, id, verifier) = fixture(true).await?;
        let audit = verifier_audit(verifier);
        store
            .assign_verifier("c2024", "ml-exemple", verifier, &audit)
            .await?;
        store.start_verification(id, &audit).await?;
        store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-01", Some("C"), "D", Some("Registre absent")),
                0,
                &audit,
            )
            .await?;
        let from = last_event(&store).await?;
        let err = store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-01", Some("C"), "C", None),
                0,
                &audit,
            )
            .await
            .err()
            .ok_or("a stale save is refused")?;
        match &err {
            StoreError::StaleVerifiedLevel {
                expected: 0,
                current: Some(current),
            } => {
                assert_eq!(current.level, "D");
                assert_eq!(current.reason.as_deref(), Some("Registre absent"));
                assert_eq!(current.version, 1);
            }
            other => return Err(format!("expected a stale level, got {other:?}").into()),
        }
        assert!(
            err.to_string()
                .contains("level D because \"Registre absent\""),
            "{err}"
        );
        // Completing with an old version of the verification is stale too.
        assert!(matches!(
            store.complete_verification(id, 1, None, &audit).await,
            Err(StoreError::Stale {
                expected: 1,
                current: 2,
                ..
            })
        ));
        assert!(
            events_since(&store, from).await?.is_empty(),
            "refused writes leave no event"
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_change_needs_a_reason_and_a_completed_verification_is_locked() -> TestResult {
        let (store, id, verifier) = fixture(true).await?;
        let audit = verifier_audit(verifier);
        store
            .assign_verifier("c2024", "ml-exemple", verifier, &audit)
            .await?;
        store.start_verification(id, &audit).await?;
        let from = last_event(&store).await?;
        for reason in [None, Some("   ")] {
            let err = store
                .set_verified_level(
                    id,
                    &LevelInput::new("ADM-EC-02", Some("B"), "C", reason),
                    0,
                    &audit,
                )
                .await
                .err()
                .ok_or("a change without a reason is refused")?;
            assert_eq!(
                err.to_string(),
                "ADM-EC-02: the verified level C differs from the self-assessed level (B): say why in the reason"
            );
        }
        // An unanswered indicator has no self level: any level is a change.
        assert!(matches!(
            store
                .set_verified_level(
                    id,
                    &LevelInput::new("GOV-SE-01", None, "D", None),
                    0,
                    &audit
                )
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(events_since(&store, from).await?.is_empty());

        let version = store
            .verification(id)
            .await?
            .ok_or("v")?
            .verification
            .version;
        store
            .complete_verification(id, version, None, &audit)
            .await?;
        let from = last_event(&store).await?;
        assert!(matches!(
            store
                .set_verified_level(
                    id,
                    &LevelInput::new("ADM-EC-02", Some("B"), "B", None),
                    0,
                    &audit
                )
                .await,
            Err(StoreError::VerificationCompleted { .. })
        ));
        assert!(matches!(
            store
                .complete_verification(id, version + 1, None, &audit)
                .await,
            Err(StoreError::VerificationCompleted { .. })
        ));
        assert!(matches!(
            store
                .reopen_verification(id, version + 1, "  ", &audit)
                .await,
            Err(StoreError::Invalid(_))
        ));
        assert!(events_since(&store, from).await?.is_empty());
        Ok(())
    }

    #[tokio::test]
    async fn only_a_finalised_assessment_with_an_assigned_verifier_is_verified() -> TestResult {
        let (store, id, verifier) = fixture(false).await?;
        let audit = verifier_audit(verifier);
        let err = store
            .start_verification(id, &audit)
            .await
            .err()
            .ok_or("refused")?;
        assert!(err.to_string().contains("is not finalised"), "{err}");
        let version = store.header(id).await?.ok_or("header")?.version;
        store.finalise(id, version, &audit).await?;
        let err = store
            .start_verification(id, &audit)
            .await
            .err()
            .ok_or("refused")?;
        assert!(err.to_string().contains("no verifier is assigned"), "{err}");
        assert!(matches!(
            store
                .assign_verifier("nope", "ml-exemple", verifier, &audit)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .assign_verifier("c2024", "ml-exemple", 999, &audit)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        store
            .assign_verifier("c2024", "ml-exemple", verifier, &audit)
            .await?;
        store.start_verification(id, &audit).await?;
        assert!(matches!(
            store.start_verification(id, &audit).await,
            Err(StoreError::Conflict { .. })
        ));
        // Unlocked meanwhile: no level is set until it is finalised again.
        let version = store.header(id).await?.ok_or("header")?.version;
        store.unlock(id, version, "correction", &audit).await?;
        let err = store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-02", Some("B"), "B", None),
                0,
                &audit,
            )
            .await
            .err()
            .ok_or("refused")?;
        assert!(err.to_string().contains("is not finalised"), "{err}");
        Ok(())
    }

    #[tokio::test]
    async fn states_and_kept_results_come_in_one_query_each() -> TestResult {
        let (store, id, verifier) = fixture(true).await?;
        let audit = verifier_audit(verifier);
        let all = AssessmentFilter::default();
        let states = store.verification_states(&all).await?;
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].status, None);
        assert_eq!(states[0].assigned, None);
        assert!(store.verified_with_results(&all, "s").await?.is_empty());

        store
            .assign_verifier("c2024", "ml-exemple", verifier, &audit)
            .await?;
        store.start_verification(id, &audit).await?;
        store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-OR-01", Some("B"), "C", Some("PV absent")),
                0,
                &audit,
            )
            .await?;
        store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-02", Some("B"), "B", None),
                0,
                &audit,
            )
            .await?;
        let state = &store.verification_states(&all).await?[0];
        assert_eq!(
            (state.assigned, state.status, state.reviewed, state.changed),
            (Some(verifier), Some(VerificationStatus::InProgress), 2, 1)
        );
        let rows = store.verified_with_results(&all, "s").await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].result, None);
        let keep = |revision: i64, version: i64, text: &str| NewVerifiedResult {
            result: NewResult {
                assessment: id,
                revision,
                rubric_version: rows[0].header.rubric_version.clone(),
                scorer: "s".into(),
                result: text.into(),
            },
            verification_version: version,
        };
        store
            .keep_verified_results(&[keep(rows[0].header.revision, state.version, "now")])
            .await?;
        let rows = store.verified_with_results(&all, "s").await?;
        assert_eq!(rows[0].result.as_deref(), Some("now"));
        assert!(
            store.verified_with_results(&all, "other").await?[0]
                .result
                .is_none()
        );
        // A level set since: the kept result is no longer current.
        store
            .set_verified_level(
                id,
                &LevelInput::new("ADM-EC-01", Some("C"), "C", None),
                0,
                &audit,
            )
            .await?;
        assert_eq!(
            store.verified_with_results(&all, "s").await?[0].result,
            None
        );
        Ok(())
    }
}
