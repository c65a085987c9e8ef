//! Server functions of the rubric browser.

use leptos::prelude::*;

use super::AppError;
pub use crate::view::rubrics::*;

/// Every stored rubric version.
#[server(endpoint = "rubrics")]
pub async fn list_rubrics() -> Result<Vec<RubricSummary>, AppError> {
    super::respond(
        async move { crate::service::rubrics::list_rubrics(&super::service()?, &super::actor()).await }.await,
    )
}

/// The outline of one rubric version.
#[server(endpoint = "load_rubric_outline")]
pub async fn load_rubric_outline(
    /// Rubric id.
    id: String,
    /// Rubric version.
    version: String,
) -> Result<RubricOutline, AppError> {
    super::respond(
        async move {
            crate::service::rubrics::load_rubric_outline(
                &super::service()?,
                &super::actor(),
                id,
                version,
            )
            .await
        }
        .await,
    )
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
    super::respond(
        async move {
            crate::service::rubrics::load_indicator(
                &super::service()?,
                &super::actor(),
                id,
                version,
                indicator,
            )
            .await
        }
        .await,
    )
}
