//! The data of the communes pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use capacity::{Commune, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One commune in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneLine {
    /// The commune.
    pub commune: Commune,
    /// How many assessments it has.
    pub assessments: i64,
}

/// The commune list with what the filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommuneList {
    /// Communes matching the filters.
    pub communes: Vec<CommuneLine>,
    /// Every region with its cercles.
    pub regions: Vec<(String, Vec<String>)>,
}

/// One assessment of a commune, with its headline result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentLine {
    /// Database id.
    pub id: i64,
    /// Rubric title.
    pub rubric_title: Text,
    /// Rubric id.
    pub rubric: String,
    /// Rubric version.
    pub rubric_version: String,
    /// Round.
    pub round: String,
    /// Workshop date.
    pub date: String,
    /// Locked.
    pub finalised: bool,
    /// Overall score, 0–100.
    pub overall: Option<Decimal>,
    /// Some applicable indicator is unanswered.
    pub provisional: bool,
    /// Answered applicable indicators.
    pub answered: u32,
    /// Applicable indicators.
    pub applicable: u32,
    /// Failed minimum conditions.
    pub failed_conditions: usize,
}

/// A commune and its assessments over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommuneDetail {
    /// The commune.
    pub commune: Commune,
    /// Its assessments, by rubric then round.
    pub assessments: Vec<AssessmentLine>,
}
