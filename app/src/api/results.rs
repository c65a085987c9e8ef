//! Server functions of the results page: one assessment's scores, explained.
//!
//! Everything is computed by the core (`score`, `Explainer`, `gaps`), laid
//! out with the report crate's tables and sentences (so the page and the
//! printable report say the same thing) and drawn by the charts crate. The
//! page receives text in the reader's language, ready to show.

use capacity::Lang;
use leptos::prelude::*;

use super::AppError;
pub use crate::view::results::*;

/// The results of an assessment, explained, in `lang`.
#[server(endpoint = "load_results")]
pub async fn load_results(
    /// Assessment id.
    id: i64,
    /// Language of the texts and charts.
    lang: Lang,
) -> Result<ResultsView, AppError> {
    super::respond(
        async move {
            crate::service::results::load_results(&super::service()?, &super::actor(), id, lang)
                .await
        }
        .await,
    )
}

/// Every assessment with its headline result, by region, commune and round
/// (the results index and the plans list).
#[server(endpoint = "list_results")]
pub async fn list_results() -> Result<Vec<ResultLine>, AppError> {
    super::respond(
        async move { crate::service::results::list_results(&super::service()?, &super::actor()).await }.await,
    )
}
