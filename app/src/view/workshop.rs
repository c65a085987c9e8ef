//! The data of the workshop pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use capacity::{Level, Rater, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Unlocked after being finalised, not finalised again yet: its
    /// results are marked as reopened.
    pub reopened: bool,
    /// Finalised below the required completeness: the reason given.
    pub provisional_reason: Option<String>,
    /// What the person reading may do here (the server checks again on
    /// every action; this only spares them buttons that would be refused).
    pub can: Can,
}

/// What the person reading an assessment's pages may do there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Can {
    /// Raters whose ratings they may enter (by rater id).
    pub enter: Vec<String>,
    /// Record the consensus.
    pub consensus: bool,
    /// Finalise.
    pub finalise: bool,
    /// Unlock (finalised assessments).
    pub unlock: bool,
    /// Edit the plan.
    pub plan: bool,
    /// Read the audit trail.
    pub history: bool,
    /// Name raters and link them to accounts.
    pub raters: bool,
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

/// One line of the finalise gate: a competency's coverage or an
/// indicator to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinaliseLine {
    /// Indicator or competency id.
    pub id: String,
    /// Its title.
    pub title: Text,
    /// Answered applicable indicators (competencies; 0 for indicators).
    pub answered: u32,
    /// Applicable indicators (competencies; 0 for indicators).
    pub applicable: u32,
    /// For an indicator: the competency it belongs to (to link to its
    /// consensus step).
    pub competency: String,
}

/// The finalise gate (`/evaluations/{id}/finaliser`): what the
/// facilitator sees and confirms before locking the round (the core's
/// `capacity::FinaliseCheck`, with titles).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalisePage {
    /// The assessment.
    pub header: WorkshopHeader,
    /// Answered applicable indicators.
    pub answered: u32,
    /// Applicable indicators.
    pub applicable: u32,
    /// Answered "no information" (NI), among the answered.
    pub no_information: u32,
    /// Per competency, rubric order.
    pub competencies: Vec<FinaliseLine>,
    /// Critical indicators (minimum conditions) not answered yet.
    pub unanswered_critical: Vec<FinaliseLine>,
    /// Disagreements without a recorded consensus.
    pub open_disagreements: Vec<FinaliseLine>,
    /// The least share of applicable indicators to answer, in percent.
    pub required_percent: u32,
    /// Complete enough to finalise without the provisional mark.
    pub complete: bool,
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
    /// Raters linked to an account: rater id → the account's login name.
    pub linked: std::collections::BTreeMap<String, String>,
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

/// A rating saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSaved {
    /// The stored row's new version.
    pub version: i64,
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

/// What a whole-page save did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySaved {
    /// Ratings written.
    pub saved: usize,
    /// Ratings refused as stale.
    pub refused: Vec<RefusedEntry>,
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

/// A campaign offered by the "new assessment" form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignChoice {
    /// Campaign id.
    pub id: String,
    /// Label (the round).
    pub label: String,
    /// Title of its rubric.
    pub rubric: Text,
    /// Rubric version.
    pub version: String,
    /// First day of the window.
    pub starts: String,
    /// Last day of the window.
    pub ends: String,
}

/// What the "new assessment" form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssessmentChoices {
    /// Campaigns that have started and hold communes of the person's
    /// scope, the latest first.
    pub campaigns: Vec<CampaignChoice>,
    /// Communes: (id, name, cercle, region).
    pub communes: Vec<(String, String, String, String)>,
    /// Assessments not finalised yet.
    pub open: Vec<(i64, String, String)>,
}
