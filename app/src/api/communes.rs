//! Server functions of the commune pages.

use leptos::prelude::*;

use super::AppError;
pub use crate::view::communes::*;

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
    super::respond(
        async move {
            crate::service::communes::list_communes(
                &super::service()?,
                &super::actor(),
                region,
                cercle,
                search,
            )
            .await
        }
        .await,
    )
}

/// One commune with its scored assessments.
#[server(endpoint = "load_commune")]
pub async fn load_commune(
    /// Commune id.
    id: String,
) -> Result<CommuneDetail, AppError> {
    super::respond(
        async move {
            crate::service::communes::load_commune(&super::service()?, &super::actor(), id).await
        }
        .await,
    )
}
