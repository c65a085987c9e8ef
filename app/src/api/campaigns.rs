//! Server functions of the campaign pages; each calls
//! `service::campaigns`, which checks who may do what.

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

use leptos::prelude::*;

use super::AppError;
pub use crate::view::campaigns::*;

/// The campaigns the person may see, and the declaration form's choices.
#[server(endpoint = "load_campaigns")]
pub async fn load_campaigns() -> Result<CampaignsPage, AppError> {
    super::respond(
        async move {
            crate::service::campaigns::campaigns_page(&super::service()?, &super::actor()).await
        }
        .await,
    )
}

/// One campaign with its scope.
#[server(endpoint = "load_campaign")]
pub async fn load_campaign(
    /// Campaign id.
    id: String,
) -> Result<CampaignDetail, AppError> {
    super::respond(
        async move {
            crate::service::campaigns::campaign_detail(&super::service()?, &super::actor(), &id)
                .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn typed_form(
    id: &str,
    label: &str,
    rubric: &str,
    starts: &str,
    ends: &str,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("id".to_owned(), id.to_owned()),
        ("label".to_owned(), label.to_owned()),
        ("rubric".to_owned(), rubric.to_owned()),
        ("starts".to_owned(), starts.to_owned()),
        ("ends".to_owned(), ends.to_owned()),
    ])
}

/// Declares a campaign (its page next, for a plain form).
#[server(endpoint = "declare_campaign")]
pub async fn declare_campaign(
    /// Short id, e.g. `mopti-2026`.
    id: String,
    /// Label, e.g. `2026`.
    label: String,
    /// `rubric-id@version`.
    rubric: String,
    /// First day, `YYYY-MM-DD`.
    starts: String,
    /// Last day, `YYYY-MM-DD`.
    ends: String,
    /// `on` when verification is required.
    #[server(default)]
    verification: Option<String>,
    /// The scope's boxes ticked: `scope[region:NAME]`, `scope[cercle:NAME]`
    /// and `scope[commune:ID]`, each `on`.
    #[server(default)]
    scope: std::collections::BTreeMap<String, String>,
) -> Result<String, AppError> {
    let typed = typed_form(&id, &label, &rubric, &starts, &ends);
    let result = async move {
        crate::service::campaigns::declare_campaign(
            &super::service()?,
            &super::actor(),
            crate::service::campaigns::CampaignForm {
                id,
                label,
                rubric,
                starts,
                ends,
                verification: verification.is_some(),
                ..crate::service::campaigns::CampaignForm::with_scope(scope.into_keys())
            },
        )
        .await
    }
    .await;
    super::form_answer(result, |id| format!("/campagnes/{id}"), typed)
}

/// Changes a campaign still at `version` (its page next, for a plain form).
#[server(endpoint = "update_campaign")]
pub async fn update_campaign(
    /// Campaign id.
    id: String,
    /// Version read.
    version: i64,
    /// Label.
    label: String,
    /// First day.
    starts: String,
    /// Last day.
    ends: String,
    /// `on` when verification is required.
    #[server(default)]
    verification: Option<String>,
    /// The scope's boxes ticked: `scope[region:NAME]`, `scope[cercle:NAME]`
    /// and `scope[commune:ID]`, each `on`.
    #[server(default)]
    scope: std::collections::BTreeMap<String, String>,
) -> Result<String, AppError> {
    let typed = typed_form(&id, &label, "", &starts, &ends);
    let result = async move {
        crate::service::campaigns::update_campaign(
            &super::service()?,
            &super::actor(),
            &id,
            version,
            crate::service::campaigns::CampaignForm {
                label,
                starts,
                ends,
                verification: verification.is_some(),
                ..crate::service::campaigns::CampaignForm::with_scope(scope.into_keys())
            },
        )
        .await
    }
    .await;
    super::form_answer(result, |id| format!("/campagnes/{id}"), typed)
}
