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

/// A commune as stored (its current attributes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneRow {
    /// The commune.
    pub commune: Commune,
    /// Number of assessments recorded for it.
    pub assessments: i64,
    /// Row version.
    pub version: i64,
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
    /// Round label.
    pub round: String,
    /// Workshop date (ISO).
    pub date: String,
    /// Sample data.
    pub fictional: bool,
    /// Locked.
    pub finalised: bool,
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
