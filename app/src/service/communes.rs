//! Operations of the commune pages.

use crate::error::AppError;

use super::Service;
#[allow(unused_imports)]
use crate::view::communes::*;

/// Communes matching the filters (empty filters list everything).
pub async fn list_communes(
    state: &Service,
    region: Option<String>,
    cercle: Option<String>,
    search: Option<String>,
) -> Result<CommuneList, AppError> {
    let filter = capacity_store::CommuneFilter {
        region,
        cercle,
        search,
    };
    let communes = state
        .store
        .communes(&filter)
        .await?
        .into_iter()
        .map(|row| CommuneLine {
            commune: row.commune,
            assessments: row.assessments,
        })
        .collect();
    Ok(CommuneList {
        communes,
        regions: state.store.regions().await?,
    })
}

/// One commune with its scored assessments.
pub async fn load_commune(state: &Service, id: String) -> Result<CommuneDetail, AppError> {
    let row = state
        .store
        .commune(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("commune {id}")))?;
    let filter = capacity_store::AssessmentFilter {
        commune: Some(id),
        ..Default::default()
    };
    let mut assessments = Vec::new();
    for stored in state.store.load_assessments(&filter).await? {
        let (rubric, _, scored) = state.score(&stored).await?;
        assessments.push(AssessmentLine {
            id: stored.header.id,
            rubric_title: rubric.rubric().title.clone(),
            rubric: stored.header.rubric,
            rubric_version: stored.header.rubric_version,
            round: stored.header.round,
            date: stored.header.date,
            finalised: stored.header.finalised,
            overall: scored.overall,
            provisional: scored.provisional,
            answered: scored.coverage.answered,
            applicable: scored.coverage.applicable,
            failed_conditions: scored.minimum_conditions.failed.len(),
        });
    }
    assessments.sort_by(|a, b| (&a.rubric, &a.round).cmp(&(&b.rubric, &b.round)));
    Ok(CommuneDetail {
        commune: row.commune,
        assessments,
    })
}
