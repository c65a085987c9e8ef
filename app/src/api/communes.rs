//! Server functions of the commune pages.

use capacity::{Commune, Text};
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::AppError;

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

/// Communes matching the filters (empty filters list everything).
#[server(endpoint = "list_communes")]
pub async fn list_communes(
    /// Region, exact.
    region: Option<String>,
    /// Cercle, exact.
    cercle: Option<String>,
    /// Part of the name or id.
    search: Option<String>,
) -> Result<CommuneList, AppError> {
    let state = crate::server::state::state()?;
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
#[server(endpoint = "load_commune")]
pub async fn load_commune(
    /// Commune id.
    id: String,
) -> Result<CommuneDetail, AppError> {
    let state = crate::server::state::state()?;
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
