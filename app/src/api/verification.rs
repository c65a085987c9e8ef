//! Server functions of the independent verification: the assignment of
//! verifiers, the verifier's page and its forms (set a level, confirm the
//! rest, complete, reopen). Thin: each calls one operation of
//! `service::verification`; plain form posts are answered with a redirect.

use capacity::Lang;
use leptos::prelude::*;

use super::AppError;
pub use crate::view::verification::*;

/// The verifier's page of an assessment, in `lang`.
#[server(endpoint = "load_verify_page")]
pub async fn load_verify_page(
    /// Assessment id.
    id: i64,
    /// Language of the texts.
    lang: Lang,
) -> Result<VerifyPage, AppError> {
    super::respond(
        async move {
            crate::service::verification::load_verify_page(
                &super::service()?,
                &super::actor(),
                id,
                lang,
            )
            .await
        }
        .await,
    )
}

/// Where the verifier's page of `id` goes back to, at `indicator`.
#[cfg(feature = "ssr")]
fn page_of(id: i64, indicator: &str) -> String {
    if indicator.is_empty() {
        format!("/evaluations/{id}/verification")
    } else {
        format!("/evaluations/{id}/verification#v-{indicator}")
    }
}

/// Sets the verified level of one indicator at the version read (0: none
/// yet): the self-assessed level to confirm it, another with a reason.
#[server(endpoint = "set_verified_level")]
pub async fn set_verified_level(
    /// Assessment id.
    id: i64,
    /// Indicator id.
    indicator: String,
    /// Level code, `NA` or `NI`.
    level: String,
    /// Why it differs (required then).
    #[server(default)]
    reason: String,
    /// Version read.
    #[server(default)]
    version: i64,
) -> Result<i64, AppError> {
    let typed = std::collections::BTreeMap::from([
        ("indicator".to_owned(), indicator.clone()),
        ("level".to_owned(), level.clone()),
        ("reason".to_owned(), reason.clone()),
    ]);
    let back = indicator.clone();
    let result = async move {
        crate::service::verification::set_level(
            &super::service()?,
            &super::actor(),
            id,
            indicator,
            level,
            reason,
            version,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| page_of(id, &back), typed)
}

/// Confirms the self-assessed level of every answered indicator not
/// reviewed yet; answers how many.
#[server(endpoint = "confirm_remaining_levels")]
pub async fn confirm_remaining_levels(
    /// Assessment id.
    id: i64,
) -> Result<usize, AppError> {
    let result = async move {
        crate::service::verification::confirm_remaining(&super::service()?, &super::actor(), id)
            .await
    }
    .await;
    super::form_answer(
        result,
        |_| page_of(id, ""),
        std::collections::BTreeMap::new(),
    )
}

/// Completes (locks) the verification at the version read.
#[server(endpoint = "complete_verification")]
pub async fn complete_verification(
    /// Assessment id.
    id: i64,
    /// Version of the verification read.
    version: i64,
    /// The verifier's closing comment.
    #[server(default)]
    comment: String,
) -> Result<i64, AppError> {
    let typed = std::collections::BTreeMap::from([("comment".to_owned(), comment.clone())]);
    let result = async move {
        crate::service::verification::complete(
            &super::service()?,
            &super::actor(),
            id,
            version,
            comment,
        )
        .await
    }
    .await;
    super::form_answer(
        result,
        |_| format!("/evaluations/{id}/resultats#verification"),
        typed,
    )
}

/// Reopens a completed verification at the version read, with a reason
/// (administrators).
#[server(endpoint = "reopen_verification")]
pub async fn reopen_verification(
    /// Assessment id.
    id: i64,
    /// Version of the verification read.
    version: i64,
    /// Why.
    #[server(default)]
    reason: String,
) -> Result<i64, AppError> {
    let typed = std::collections::BTreeMap::from([("reason".to_owned(), reason.clone())]);
    let result = async move {
        crate::service::verification::reopen(
            &super::service()?,
            &super::actor(),
            id,
            version,
            reason,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| page_of(id, ""), typed)
}

/// The verification page of a campaign (the latest when `campaign` is
/// empty).
#[server(endpoint = "load_assign_page")]
pub async fn load_assign_page(
    /// Campaign id.
    #[server(default)]
    campaign: String,
) -> Result<AssignPage, AppError> {
    super::respond(
        async move {
            crate::service::verification::load_assign_page(
                &super::service()?,
                &super::actor(),
                Some(campaign),
            )
            .await
        }
        .await,
    )
}

/// Assigns the verifier of a commune in a campaign (`account` empty:
/// takes the assignment back).
#[server(endpoint = "assign_verifier")]
pub async fn assign_verifier(
    /// Campaign id.
    campaign: String,
    /// Commune id.
    commune: String,
    /// Account id, or empty.
    #[server(default)]
    account: String,
) -> Result<(), AppError> {
    let back = format!("/verification?campagne={campaign}");
    let result = async move {
        let account = match account.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| {
                AppError::Fields(vec![crate::error::FieldProblem::new(
                    "account",
                    crate::error::Problem::UnknownChoice,
                )])
            })?),
        };
        crate::service::verification::assign(
            &super::service()?,
            &super::actor(),
            campaign,
            commune,
            account,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| back, std::collections::BTreeMap::new())
}
