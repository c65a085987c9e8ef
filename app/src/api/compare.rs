//! Server function of the planners' compare page (`/comparer`), and the
//! computations its downloads share (`/comparer/export.{csv,xlsx}`,
//! `/comparer/subventions.csv`, see `server::routes`).
//!
//! Nothing here computes a score, a share, a rank or an allocation: the
//! core does (`capacity::compare`, `rank`, `progress`, `reform_needs`,
//! `simulate_grants`), `capacity-report` lays the results out as typed
//! tables (the same tables the command line and the regional report
//! print), `capacity-charts` draws them, and `capacity-exchange` writes
//! the downloads. This module chooses *which* assessments (rubric,
//! version, region, cercle, round — with `capacity_report::cohort`, the
//! rule the CLI and the reports follow), and turns tables into what the
//! page renders. The page and the downloads call the same functions, so
//! they always show the same figures for the same filters.

use leptos::prelude::*;

use super::AppError;
pub use crate::view::compare::*;

/// The comparison of the communes matching the filters, its long tables
/// paged and sorted as `paging` says. `lang` is `fr` or `en`.
#[server(endpoint = "load_comparison")]
pub async fn load_comparison(
    /// Filters.
    query: CompareQuery,
    /// Page and order of the long tables.
    paging: ComparePaging,
    /// Language code.
    lang: String,
) -> Result<ComparePageData, AppError> {
    super::respond(
        async move {
            crate::service::compare::load_comparison(
                &super::service()?,
                &super::actor(),
                query,
                paging,
                lang,
            )
            .await
        }
        .await,
    )
}

/// The grant simulation over the communes matching the filters, when
/// `grants` carries an envelope; its table paged and sorted as `table`
/// says. `lang` is `fr` or `en`.
#[server(endpoint = "load_grants")]
pub async fn load_grants(
    /// Filters.
    query: CompareQuery,
    /// Grant form.
    grants: GrantQuery,
    /// Page and order of the allocation table.
    table: TableQuery,
    /// Language code.
    lang: String,
) -> Result<GrantsPageData, AppError> {
    super::respond(
        async move {
            crate::service::compare::load_grants(
                &super::service()?,
                &super::actor(),
                query,
                grants,
                table,
                lang,
            )
            .await
        }
        .await,
    )
}
