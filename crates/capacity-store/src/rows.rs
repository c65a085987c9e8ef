//! The values the store hands out and takes in.

use std::collections::BTreeMap;

use capacity::{Assessment, Commune};
use serde::{Deserialize, Serialize};

/// A stored rubric version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricRow {
    /// Rubric id.
    pub id: String,
    /// Rubric version.
    pub version: String,
    /// French title.
    pub title_fr: String,
    /// English title, if any.
    pub title_en: Option<String>,
}

/// A commune as stored (its current attributes; its region and cercle
/// are the territory valid today).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneRow {
    /// The commune.
    pub commune: Commune,
    /// Number of assessments recorded for it.
    pub assessments: i64,
    /// Row version.
    pub version: i64,
    /// Offered for new assessments (false: deactivated or merged).
    pub active: bool,
    /// The commune it was merged into, if it was.
    pub merged_into: Option<String>,
}

/// One period of a commune's territory: its region and cercle from
/// `valid_from` (inclusive) until `valid_to` (exclusive; `None`: still
/// now), dates `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerritoryRow {
    /// Commune id.
    pub commune_id: String,
    /// First day.
    pub valid_from: String,
    /// Day after the last one (`None`: open).
    pub valid_to: Option<String>,
    /// Region.
    pub region: String,
    /// Cercle.
    pub cercle: String,
    /// The legal text or document recording the change.
    pub source: String,
}

/// Filters of the commune list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneFilter {
    /// Exact region.
    pub region: Option<String>,
    /// Exact cercle.
    pub cercle: Option<String>,
    /// Case-insensitive part of the name or id.
    pub search: Option<String>,
    /// Only the active communes (those offered for new assessments).
    pub active_only: bool,
}

/// Filters of the assessment list; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentFilter {
    /// Rubric id.
    pub rubric: Option<String>,
    /// Rubric version.
    pub rubric_version: Option<String>,
    /// Round label.
    pub round: Option<String>,
    /// Campaign id.
    pub campaign: Option<String>,
    /// Region of the commune.
    pub region: Option<String>,
    /// Cercle of the commune.
    pub cercle: Option<String>,
    /// Commune id.
    pub commune: Option<String>,
}

/// One line of an assessment list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentHeader {
    /// Database id.
    pub id: i64,
    /// Commune id.
    pub commune_id: String,
    /// Commune name.
    pub commune_name: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Rubric id.
    pub rubric: String,
    /// Rubric version.
    pub rubric_version: String,
    /// Round label (its campaign's label).
    pub round: String,
    /// The campaign it belongs to (see [`crate::Store::campaigns`]).
    pub campaign_id: String,
    /// Workshop date (ISO).
    pub date: String,
    /// Sample data.
    pub fictional: bool,
    /// Locked.
    pub finalised: bool,
    /// Unlocked after a finalisation (for a correction) and not finalised
    /// again since.
    pub reopened: bool,
    /// Finalised below the required completeness: the facilitator's reason
    /// (`None` when finalised complete, or not finalised).
    pub provisional_reason: Option<String>,
    /// Row version of the assessment row itself (what finalising checks).
    pub version: i64,
    /// Revision of everything stored about this assessment: moves, in the
    /// same transaction, with every write to its ratings, answers, raters,
    /// lock, plan adjustments or its commune's attributes, and with nothing
    /// else. Whatever was read at one revision holds until it changes.
    pub revision: i64,
}

/// Row versions of an assessment's editable parts, for stale-save checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    /// `(indicator, rater)` → version of that rating, cleared ratings
    /// included (they are not in the assessment, but a save names their
    /// version like any other).
    pub ratings: BTreeMap<(String, String), i64>,
    /// indicator → version of its answer row (consensus, target, comment).
    pub answers: BTreeMap<String, i64>,
}

impl Versions {
    /// Version of a rating, 0 when none is stored.
    pub fn rating(&self, indicator: &str, rater: &str) -> i64 {
        self.ratings
            .get(&(indicator.to_owned(), rater.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Version of an answer row, 0 when none is stored.
    pub fn answer(&self, indicator: &str) -> i64 {
        self.answers.get(indicator).copied().unwrap_or(0)
    }
}

/// A whole assessment as stored: its header, the file model and versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAssessment {
    /// Header (ids, round, lock, version).
    pub header: AssessmentHeader,
    /// The assessment in the file model of the core.
    pub assessment: Assessment,
    /// Row versions.
    pub versions: Versions,
    /// rater id → the account linked to that rater (raters without an
    /// account are not in the map); see [`crate::Store::link_rater`].
    pub rater_accounts: BTreeMap<String, i64>,
}

/// What a rating's write checks about its rater's link to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RaterLink {
    /// Nothing (imports, the command line: no person's permission rests
    /// on it).
    Unchecked,
    /// The rater must still be linked to this account (`None`: to none)
    /// when the write runs: the caller decided the person may enter this
    /// rater's ratings on that link.
    Expect(Option<i64>),
}

/// What a rater says about one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    /// A level code, `NA` or `NI`.
    pub level: String,
    /// Evidence given.
    pub evidence: Option<String>,
    /// References (documents, minutes).
    pub refs: Vec<String>,
}

/// A stored rating with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRating {
    /// Indicator id.
    pub indicator: String,
    /// Rater id.
    pub rater: String,
    /// The rating.
    pub input: RatingInput,
    /// Row version.
    pub version: i64,
    /// Last saved (UTC, ISO 8601).
    pub updated_at: String,
}

/// A stored adjustment of one action of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAdjustmentRow {
    /// Which action (see the core's plan keys).
    pub action_key: String,
    /// Kept in the plan.
    pub accepted: bool,
    /// Cost override in FCFA (a decimal string), if any.
    pub cost_override: Option<String>,
    /// Row version.
    pub version: i64,
}

/// One of the council's own actions, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouncilActionRow {
    /// Row id (the action's key in the plan).
    pub id: i64,
    /// Indicator id.
    pub indicator: String,
    /// What to do.
    pub title: String,
    /// Cost in whole FCFA, a decimal string.
    pub cost: String,
    /// `short`, `medium` or `long`.
    pub horizon: String,
    /// The person responsible.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
    /// Row version.
    pub version: i64,
}

impl PlanAdjustmentRow {
    /// The decision as the core reads it ([`capacity::ActionDecision`]);
    /// an unreadable stored cost is logged and ignored, the decision kept.
    pub fn decision(&self) -> capacity::ActionDecision {
        let cost = match self.cost_override.as_deref().map(capacity::parse_cost) {
            None => None,
            Some(Ok(cost)) => cost,
            Some(Err(problem)) => {
                tracing::warn!(key = %self.action_key, ?problem, "stored plan cost unreadable, ignored");
                None
            }
        };
        capacity::ActionDecision {
            action: self.action_key.clone(),
            decision: if self.accepted {
                capacity::Decision::Accepted
            } else {
                capacity::Decision::Dropped
            },
            cost,
        }
    }
}

impl CouncilActionRow {
    /// The action as the core reads it ([`capacity::CouncilActionInput`],
    /// keyed by its row id), or `None` (logged) when its cost, horizon or
    /// status does not read: such a row is left aside rather than priced
    /// at zero.
    pub fn input(&self) -> Option<capacity::CouncilActionInput> {
        let cost = capacity::parse_cost(&self.cost).ok().flatten();
        let horizon = capacity::Horizon::from_code(&self.horizon);
        let status = capacity::ActionStatus::from_code(&self.status);
        let (Some(cost), Some(horizon), Some(status)) = (cost, horizon, status) else {
            tracing::warn!(id = self.id, "stored council action unreadable, left aside");
            return None;
        };
        Some(capacity::CouncilActionInput {
            key: self.id.to_string(),
            indicator: self.indicator.clone(),
            title: self.title.clone(),
            cost,
            horizon,
            responsible: self.responsible.clone(),
            deadline: self.deadline.clone(),
            status,
        })
    }
}

/// A new council action (its status starts as given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCouncilAction {
    /// Indicator id.
    pub indicator: String,
    /// What to do.
    pub title: String,
    /// Cost in whole FCFA, a decimal string.
    pub cost: String,
    /// `short`, `medium` or `long`.
    pub horizon: String,
    /// The person responsible.
    pub responsible: String,
    /// Deadline, `YYYY-MM-DD`.
    pub deadline: Option<String>,
    /// `not_started`, `in_progress` or `done`.
    pub status: String,
}

/// Who does a write, for the audit trail: every write method takes one,
/// and the events it appends name this actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    /// The account acting; `None` for the system or an anonymous client.
    pub actor_id: Option<i64>,
    /// The actor's display name now (kept in the event, so that it reads
    /// the same after a rename), or `system`.
    pub actor: String,
    /// The request's id, to find its log lines (or what the system does,
    /// e.g. `seed`).
    pub request_id: String,
    /// The client's address (kept for logins), or empty.
    pub address: String,
}

impl Audit {
    /// A write by the system itself (seeding, maintenance): actor `system`,
    /// no account, `what` as the request id.
    pub fn system(what: &str) -> Audit {
        Audit {
            actor_id: None,
            actor: "system".to_owned(),
            request_id: what.to_owned(),
            address: String::new(),
        }
    }
}

/// The roles an account may be granted (`account_grant.role`).
pub const ROLES: [&str; 6] = [
    "admin",
    "planner",
    "facilitator",
    "rater",
    "verifier",
    "observer",
];

/// The kinds of scope a role is granted over (`account_grant.scope_kind`):
/// `national` (with an empty scope), `region` and `cercle` (by name),
/// `commune` (by id).
pub const SCOPE_KINDS: [&str; 4] = ["national", "region", "cercle", "commune"];

/// The purposes of a password link (`password_token.purpose`).
pub const TOKEN_PURPOSES: [&str; 2] = ["invite", "reset"];

/// An account with its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    /// Database id.
    pub id: i64,
    /// Login, lowercased.
    pub name: String,
    /// Name shown to others and kept in the audit trail.
    pub display_name: String,
    /// Hash of the password; `None` until one is set through a link. The
    /// store never reads it: checking a password is the caller's job.
    pub password_hash: Option<String>,
    /// May sign in.
    pub active: bool,
    /// A demonstration account (sample data).
    pub demo: bool,
    /// Row version: moves with every change of the account, its grants or
    /// its password, so that sessions bound to it can be ended.
    pub version: i64,
    /// Roles held, in the order granted.
    pub grants: Vec<GrantRow>,
    /// Created (UTC, RFC 3339).
    pub created_at: String,
}

/// A role held by an account over a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    /// Database id (what [`crate::Store::revoke_role`] names).
    pub id: i64,
    /// One of [`ROLES`].
    pub role: String,
    /// One of [`SCOPE_KINDS`].
    pub scope_kind: String,
    /// Region name, cercle name or commune id; empty for `national`.
    pub scope: String,
}

/// A role to grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGrant {
    /// One of [`ROLES`].
    pub role: String,
    /// One of [`SCOPE_KINDS`].
    pub scope_kind: String,
    /// Region name, cercle name or commune id; empty for `national`.
    pub scope: String,
}

/// One event of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Position in the trail (ascending with time).
    pub id: i64,
    /// When (UTC, RFC 3339 with milliseconds, the database's clock).
    pub at: String,
    /// The account that acted; `None` for the system or an anonymous client.
    pub actor_id: Option<i64>,
    /// Its display name at the time, or `system`.
    pub actor: String,
    /// The request's id.
    pub request_id: String,
    /// The client's address (for logins), or empty.
    pub address: String,
    /// What happened, e.g. `rating.saved`, `account.created`.
    pub kind: String,
    /// The assessment concerned, if any.
    pub assessment_id: Option<i64>,
    /// The indicator concerned, if any.
    pub indicator: Option<String>,
    /// What was written, e.g. `ADM.1.2 / r1` or an account name.
    pub object: String,
    /// The value before (a JSON object as text); `None` when there was none.
    pub before: Option<String>,
    /// The value after (a JSON object as text); `None` when there is none.
    pub after: Option<String>,
    /// Why, when the write needs a reason (unlocking), or the purpose of a
    /// password link.
    pub reason: Option<String>,
}

/// Filters of the audit trail; empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Events of this assessment.
    pub assessment: Option<i64>,
    /// Events of this indicator.
    pub indicator: Option<String>,
    /// Events of this kind.
    pub kind: Option<String>,
    /// Events by this account.
    pub actor_id: Option<i64>,
    /// Events after this one (paging: the last id seen).
    pub after_id: Option<i64>,
    /// At most this many events.
    pub limit: Option<i64>,
}

/// A campaign as stored, with its counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRow {
    /// Short id chosen by the planner (`2025`, `mopti-2026`).
    pub id: String,
    /// What pages show; the round label of its assessments.
    pub label: String,
    /// Rubric id.
    pub rubric_id: String,
    /// Rubric version.
    pub rubric_version: String,
    /// First day of the window (YYYY-MM-DD).
    pub starts: String,
    /// Last day of the window (YYYY-MM-DD).
    pub ends: String,
    /// An assessment counts in comparisons and grants only once verified.
    pub verification_required: bool,
    /// Made by the store for assessments that came without a campaign
    /// (files, imports, older rows), not declared by a planner.
    pub implicit: bool,
    /// Row version.
    pub version: i64,
    /// Communes in scope.
    pub communes: i64,
    /// Assessments in the campaign.
    pub assessments: i64,
}

impl CampaignRow {
    /// True when `date` (YYYY-MM-DD) lies in the window.
    pub fn holds(&self, date: &str) -> bool {
        self.starts.as_str() <= date && date <= self.ends.as_str()
    }
}

/// A campaign to declare, or its new state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCampaign {
    /// Short id (unique; not changed once declared).
    pub id: String,
    /// Label.
    pub label: String,
    /// Rubric id (not changed once declared).
    pub rubric_id: String,
    /// Rubric version (not changed once declared).
    pub rubric_version: String,
    /// First day of the window (YYYY-MM-DD).
    pub starts: String,
    /// Last day of the window (YYYY-MM-DD).
    pub ends: String,
    /// Whether a verified result is required.
    pub verification_required: bool,
    /// Commune ids in scope.
    pub communes: Vec<String>,
}
