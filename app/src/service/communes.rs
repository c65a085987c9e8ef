//! Operations of the commune pages.

use crate::error::AppError;

use super::Service;
use super::access::{Action, Actor, Place};
#[allow(unused_imports)]
use crate::view::communes::*;

/// Communes matching the filters (empty filters list everything).
pub async fn list_communes(
    state: &Service,
    actor: &Actor,
    region: Option<String>,
    cercle: Option<String>,
    search: Option<String>,
) -> Result<CommuneList, AppError> {
    actor.may_list()?;
    let filter = capacity_store::CommuneFilter {
        region,
        cercle,
        search,
        active_only: false,
    };
    let communes: Vec<CommuneLine> = state
        .store
        .communes(&filter)
        .await?
        .into_iter()
        .filter(|row| actor.may(Action::ViewCommune, &Place::of_commune(&row.commune)))
        .map(|row| CommuneLine {
            commune: row.commune,
            assessments: row.assessments,
        })
        .collect();
    let regions = state
        .store
        .regions()
        .await?
        .into_iter()
        .filter_map(|(region, cercles)| {
            let cercles: Vec<String> = cercles
                .into_iter()
                .filter(|c| {
                    actor.may(
                        Action::ViewCommune,
                        &Place {
                            region: region.clone(),
                            cercle: c.clone(),
                            commune: String::new(),
                        },
                    ) || communes_in(&communes, c)
                })
                .collect();
            (!cercles.is_empty()).then_some((region, cercles))
        })
        .collect();
    Ok(CommuneList { communes, regions })
}

/// One commune with its scored assessments.
pub async fn load_commune(
    state: &Service,
    actor: &Actor,
    id: String,
) -> Result<CommuneDetail, AppError> {
    let row = state
        .store
        .commune(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("commune {id}")))?;
    actor.check(Action::ViewCommune, &Place::of_commune(&row.commune))?;
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

/// True when one of `communes` lies in cercle `cercle` (a commune-scoped
/// person still sees their commune's cercle among the filters).
fn communes_in(communes: &[CommuneLine], cercle: &str) -> bool {
    communes.iter().any(|c| c.commune.cercle == cercle)
}
