//! Server functions of the rubric browser.

use capacity::{Indicator, Level, Method, Text};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::AppError;

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

/// Every stored rubric version.
#[server(endpoint = "rubrics")]
pub async fn list_rubrics() -> Result<Vec<RubricSummary>, AppError> {
    let state = crate::server::state::state()?;
    Ok(state
        .store
        .rubrics()
        .await?
        .into_iter()
        .map(|r| RubricSummary {
            title: Text {
                fr: r.title_fr,
                en: r.title_en,
            },
            id: r.id,
            version: r.version,
        })
        .collect())
}

/// The outline of one rubric version.
#[server(endpoint = "load_rubric_outline")]
pub async fn load_rubric_outline(
    /// Rubric id.
    id: String,
    /// Rubric version.
    version: String,
) -> Result<RubricOutline, AppError> {
    let state = crate::server::state::state()?;
    let compiled = state.rubric(&id, &version).await?;
    let r = compiled.rubric();
    let weight = |w: Option<rust_decimal::Decimal>| {
        w.map_or_else(|| "1".to_owned(), |d| d.normalize().to_string())
    };
    let method =
        |a: &Option<capacity::Aggregation>| a.as_ref().map(|a| a.method).unwrap_or_default();
    let domains = r
        .domains
        .iter()
        .map(|d| NodeOutline {
            id: d.id.clone(),
            title: d.title.clone(),
            weight: weight(d.weight),
            method: method(&d.aggregation),
            indicators: Vec::new(),
            children: r
                .competencies
                .iter()
                .filter(|c| c.domain == d.id)
                .map(|c| NodeOutline {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    weight: weight(c.weight),
                    method: method(&c.aggregation),
                    children: Vec::new(),
                    indicators: r
                        .indicators
                        .iter()
                        .filter(|i| i.competency == c.id)
                        .map(|i| IndicatorLine {
                            id: i.id.clone(),
                            title: i.title.clone(),
                            weight: weight(i.weight),
                            target: i.target.clone(),
                            critical: i.critical,
                            conditional: i.applies_when.is_some(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(RubricOutline {
        id: r.id.clone(),
        version: r.version.clone(),
        title: r.title.clone(),
        description: r.description.clone(),
        levels: r.scale.levels.clone(),
        basic: r.scale.basic.clone(),
        method: method(&r.aggregation),
        domains,
    })
}

/// One indicator of a rubric version, in full.
#[server(endpoint = "load_indicator")]
pub async fn load_indicator(
    /// Rubric id.
    id: String,
    /// Rubric version.
    version: String,
    /// Indicator id.
    indicator: String,
) -> Result<IndicatorDetail, AppError> {
    let state = crate::server::state::state()?;
    let compiled = state.rubric(&id, &version).await?;
    let r = compiled.rubric();
    let found = r
        .indicators
        .iter()
        .find(|i| i.id == indicator)
        .ok_or_else(|| {
            AppError::NotFound(format!("indicator {indicator} in rubric {id} {version}"))
        })?;
    let competency = r.competencies.iter().find(|c| c.id == found.competency);
    let domain = competency.and_then(|c| r.domains.iter().find(|d| d.id == c.domain));
    Ok(IndicatorDetail {
        rubric_title: r.title.clone(),
        domain: domain.map(|d| d.title.clone()).unwrap_or_default(),
        competency: competency.map(|c| c.title.clone()).unwrap_or_default(),
        levels: r.scale.levels.clone(),
        basic: r.scale.basic.clone(),
        indicator: found.clone(),
    })
}
