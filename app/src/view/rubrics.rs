//! The data of the rubrics pages, as exchanged between the server and the
//! browser (see the server functions of the same name under `api/` that
//! answer them, and `service/` for how they are made).

use capacity::{Indicator, Level, Method, Text};
use serde::{Deserialize, Serialize};

/// A stored rubric version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RubricSummary {
    /// Rubric id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: Text,
}

/// The tree of a rubric, without descriptors and actions (those are on the
/// indicator page, to keep this page light on weak connections).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricOutline {
    /// Rubric id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: Text,
    /// Description.
    pub description: Option<Text>,
    /// Scale, lowest level first.
    pub levels: Vec<Level>,
    /// Code of the basic level.
    pub basic: String,
    /// How domains combine into the overall index.
    pub method: Method,
    /// Domains in order.
    pub domains: Vec<NodeOutline>,
}

/// A domain or competency with its children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeOutline {
    /// Node id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Weight (decimal text).
    pub weight: String,
    /// Aggregation method.
    pub method: Method,
    /// Child competencies (for a domain).
    pub children: Vec<NodeOutline>,
    /// Indicators (for a competency).
    pub indicators: Vec<IndicatorLine>,
}

/// One indicator in the outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorLine {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: Text,
    /// Weight (decimal text).
    pub weight: String,
    /// Default target level.
    pub target: String,
    /// A minimum condition.
    pub critical: bool,
    /// Has an applicability rule.
    pub conditional: bool,
}

/// One indicator in full, with where it sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDetail {
    /// Rubric title.
    pub rubric_title: Text,
    /// Domain title.
    pub domain: Text,
    /// Competency title.
    pub competency: Text,
    /// Scale, lowest level first.
    pub levels: Vec<Level>,
    /// Code of the basic level.
    pub basic: String,
    /// The indicator as written in the rubric.
    pub indicator: Indicator,
}
