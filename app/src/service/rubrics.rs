//! Operations of the rubric browser.

use crate::error::AppError;
use capacity::Text;

use super::Service;
#[allow(unused_imports)]
use crate::view::rubrics::*;

/// Every stored rubric version.
pub async fn list_rubrics(
    state: &Service,
    actor: &super::access::Actor,
) -> Result<Vec<RubricSummary>, AppError> {
    browse(actor)?;
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
pub async fn load_rubric_outline(
    state: &Service,
    actor: &super::access::Actor,
    id: String,
    version: String,
) -> Result<RubricOutline, AppError> {
    browse(actor)?;
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
pub async fn load_indicator(
    state: &Service,
    actor: &super::access::Actor,
    id: String,
    version: String,
    indicator: String,
) -> Result<IndicatorDetail, AppError> {
    browse(actor)?;
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

/// The rubric browser is for everyone logged in, and for visitors when the
/// administrators made it public (the default).
fn browse(actor: &super::access::Actor) -> Result<(), AppError> {
    actor.check(
        super::access::Action::BrowseRubrics,
        &super::access::Place::default(),
    )
}
