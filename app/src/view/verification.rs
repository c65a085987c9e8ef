//! What the verification pages show: the planners' assignment of
//! verifiers per campaign and commune, the verifier's page of one
//! assessment, and the verified side of the results page.

use capacity::Text;
use serde::{Deserialize, Serialize};

use super::results::{RatingRow, TableView};
use super::workshop::WorkshopHeader;

/// Where a verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerifyStatus {
    /// Nobody has set a level yet.
    NotStarted,
    /// Levels are being set.
    InProgress,
    /// Completed and locked.
    Completed,
}

/// The verifier's level of one indicator, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedNow {
    /// The verified level.
    pub level: String,
    /// The reason given.
    pub reason: Option<String>,
    /// Differs from the self-assessed level.
    pub changed: bool,
}

/// One indicator on the verifier's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyLine {
    /// Indicator id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Its competency's title.
    pub competency: Text,
    /// The self-assessed (consolidated) level, `None` when unanswered.
    pub self_level: Option<String>,
    /// The council's consensus justification, if any.
    pub justification: Option<String>,
    /// The council's comment, if any.
    pub comment: Option<String>,
    /// What evidence the rubric expects.
    pub evidence_expected: Text,
    /// Each rater's level and evidence.
    pub ratings: Vec<RatingRow>,
    /// The verified level, when set.
    pub verified: Option<VerifiedNow>,
    /// Version of the verified level (0: none yet), for the save.
    pub version: i64,
}

/// The verifier's page of one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyPage {
    /// The assessment.
    pub header: WorkshopHeader,
    /// Its campaign.
    pub campaign: Option<String>,
    /// The verifier assigned (display name), if any.
    pub assigned: Option<String>,
    /// Where the verification stands.
    pub status: VerifyStatus,
    /// The verification's version (0 before it starts), for completing.
    pub version: i64,
    /// Reopened by an administrator and not completed since.
    pub reopened: bool,
    /// The verifier's closing comment.
    pub comment: Option<String>,
    /// The level codes a verified level may take (the scale, NA, NI).
    pub levels: Vec<String>,
    /// Every indicator, in rubric order.
    pub lines: Vec<VerifyLine>,
    /// Indicators reviewed.
    pub reviewed: usize,
    /// Indicators the verifier must review before completing (those the
    /// council answered).
    pub to_review: usize,
    /// Levels changed.
    pub changed: usize,
    /// The reader is the verifier assigned (may set levels, complete).
    pub can_verify: bool,
    /// The reader may reopen a completed verification.
    pub can_reopen: bool,
}

/// The verified side of a results page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedView {
    /// The verifier's name.
    pub verifier: String,
    /// Completed (else in progress: not final).
    pub completed: bool,
    /// When completed.
    pub completed_at: Option<String>,
    /// The verifier's closing comment.
    pub comment: Option<String>,
    /// Overall score, self-assessed, as shown.
    pub self_overall: String,
    /// Overall score, verified, as shown.
    pub verified_overall: String,
    /// Overall grade, verified.
    pub verified_grade: Option<String>,
    /// Both scores per domain and competency.
    pub side_by_side: TableView,
    /// Every changed level with its reason and effect.
    pub differences: TableView,
    /// Number of changed levels.
    pub changes: usize,
}

/// One commune of a campaign on the assignment page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignRow {
    /// Commune id.
    pub commune_id: String,
    /// Commune name.
    pub commune: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// The verifier assigned: `(account id, display name)`.
    pub assigned: Option<(i64, String)>,
    /// The commune's assessment in the campaign, if any: its id.
    pub assessment: Option<i64>,
    /// The assessment is finalised (may be verified).
    pub finalised: bool,
    /// Where its verification stands.
    pub status: VerifyStatus,
    /// Levels changed so far.
    pub changed: i64,
    /// Accounts that may be assigned here (verifier role over the
    /// commune): `(id, display name)`; empty unless the reader may assign.
    pub candidates: Vec<(i64, String)>,
    /// The reader may assign here.
    pub can_assign: bool,
    /// The reader is the verifier assigned here.
    pub mine: bool,
}

/// The verification page of a campaign: who verifies which commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignPage {
    /// Campaigns to choose from: `(id, label, verification required)`.
    pub campaigns: Vec<(String, String, bool)>,
    /// The campaign shown (empty when there is none).
    pub campaign: String,
    /// Its communes the reader may see, by region, cercle and name.
    pub rows: Vec<AssignRow>,
}
