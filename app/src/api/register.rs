//! Server functions of the commune register (administrators): the
//! register, one commune's page, add, edit, deactivate, merge, and an
//! import's preview and apply. The file itself is posted to a plain route
//! (`server::routes::import_preview`), which takes an upload or pasted
//! text. Each calls `service::register`.

// A commune form has eight fields, taken one by one like every form's
// server function (the names are the form's and the file's columns).
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

use leptos::prelude::*;

use super::AppError;
pub use crate::view::register::*;

/// Every commune, active or not.
#[server(endpoint = "load_register")]
pub async fn load_register() -> Result<RegisterPage, AppError> {
    super::respond(
        async move {
            crate::service::register::register_page(&super::service()?, &super::actor()).await
        }
        .await,
    )
}

/// One commune's page of the register.
#[server(endpoint = "load_commune_edit")]
pub async fn load_commune_edit(
    /// Commune id.
    id: String,
) -> Result<CommuneEdit, AppError> {
    super::respond(
        async move {
            crate::service::register::commune_edit(&super::service()?, &super::actor(), &id).await
        }
        .await,
    )
}

/// The fields of the commune form, by name.
#[cfg(feature = "ssr")]
fn fields(
    id: &str,
    name: String,
    region: String,
    cercle: String,
    kind: String,
    population: String,
    setting: String,
    transferred: String,
) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("id".to_owned(), id.to_owned()),
        ("name".to_owned(), name),
        ("region".to_owned(), region),
        ("cercle".to_owned(), cercle),
        ("kind".to_owned(), kind),
        ("population".to_owned(), population),
        ("setting".to_owned(), setting),
        ("transferred".to_owned(), transferred),
    ])
}

/// Adds a commune; a plain form goes to its page.
#[server(endpoint = "create_commune")]
pub async fn create_commune(
    /// Id (letters, digits, `_`, `.`, `-`).
    #[server(default)]
    id: String,
    /// Name.
    #[server(default)]
    name: String,
    /// Region.
    #[server(default)]
    region: String,
    /// Cercle.
    #[server(default)]
    cercle: String,
    /// `commune` or `cercle`.
    #[server(default)]
    kind: String,
    /// Population (digits).
    #[server(default)]
    population: String,
    /// `urban`, `rural` or empty.
    #[server(default)]
    setting: String,
    /// Transferred competences, ids separated by commas.
    #[server(default)]
    transferred: String,
) -> Result<String, AppError> {
    let typed = fields(
        &id,
        name,
        region,
        cercle,
        kind,
        population,
        setting,
        transferred,
    );
    let result = async {
        crate::service::register::create_commune(&super::service()?, &super::actor(), &typed).await
    }
    .await;
    super::form_answer(result, |id| format!("/admin/communes/{id}"), typed.clone())
}

/// Changes a commune at the version read; a stale save answers 409 with
/// the commune as stored now.
#[server(endpoint = "update_commune")]
pub async fn update_commune(
    /// Commune id.
    id: String,
    /// Version read.
    version: i64,
    /// Name.
    #[server(default)]
    name: String,
    /// Region.
    #[server(default)]
    region: String,
    /// Cercle.
    #[server(default)]
    cercle: String,
    /// `commune` or `cercle`.
    #[server(default)]
    kind: String,
    /// Population (digits).
    #[server(default)]
    population: String,
    /// `urban`, `rural` or empty.
    #[server(default)]
    setting: String,
    /// Transferred competences, ids separated by commas.
    #[server(default)]
    transferred: String,
) -> Result<i64, AppError> {
    let typed = fields(
        &id,
        name,
        region,
        cercle,
        kind,
        population,
        setting,
        transferred,
    );
    let result = async {
        crate::service::register::update_commune(
            &super::service()?,
            &super::actor(),
            &id,
            &typed,
            version,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/admin/communes/{id}"), typed.clone())
}

/// Deactivates (`active = false`) or activates a commune at the version
/// read.
#[server(endpoint = "set_commune_active")]
pub async fn set_commune_active(
    /// Commune id.
    id: String,
    /// `true` to activate.
    active: bool,
    /// Version read.
    version: i64,
) -> Result<i64, AppError> {
    let result = async {
        crate::service::register::set_active(
            &super::service()?,
            &super::actor(),
            &id,
            active,
            version,
        )
        .await
    }
    .await;
    super::form_answer(result, |_| format!("/admin/communes/{id}"), BTreeMap::new())
}

/// Merges a commune (at the version read) into another.
#[server(endpoint = "merge_commune")]
pub async fn merge_commune(
    /// The commune merged.
    id: String,
    /// The commune it goes into.
    #[server(default)]
    into: String,
    /// Version read.
    version: i64,
) -> Result<i64, AppError> {
    let result = async {
        crate::service::register::merge(&super::service()?, &super::actor(), &id, &into, version)
            .await
    }
    .await;
    super::form_answer(result, |_| format!("/admin/communes/{id}"), BTreeMap::new())
}

/// An import's preview, by the token of its page.
#[server(endpoint = "load_import_preview")]
pub async fn load_import_preview(
    /// The token.
    token: String,
) -> Result<Option<ImportPreview>, AppError> {
    super::respond(
        async move {
            crate::service::register::kept_preview(&super::service()?, &super::actor(), &token)
                .await
        }
        .await,
    )
}

/// Applies an import's preview in one transaction; a plain form goes to
/// the register, which says what was written.
#[server(endpoint = "apply_register_import")]
pub async fn apply_register_import(
    /// The preview's token.
    token: String,
) -> Result<ImportApplied, AppError> {
    let result = async {
        crate::service::register::apply_import(&super::service()?, &super::actor(), &token).await
    }
    .await;
    super::form_answer(
        result,
        |a| format!("/admin/communes?importe={}-{}", a.communes, a.periods),
        BTreeMap::new(),
    )
}
