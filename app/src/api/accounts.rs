//! Server functions of accounts: log in and out, set a password from a
//! one-time link, and the administrators' page (accounts, roles, links,
//! what visitors may see). Each calls the service (`service::accounts`),
//! which checks the password, the rate limit and the administrator role;
//! logging the session in or out is `session.rs`'s.

#[cfg(feature = "ssr")]
use std::collections::BTreeMap;

use leptos::prelude::*;

use super::AppError;
pub use crate::view::account::*;

/// The person logged in for the request being rendered, `None` for a
/// visitor (and always in the browser, where pages are not rendered).
pub fn me() -> Option<Me> {
    #[cfg(feature = "ssr")]
    {
        super::actor().me
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// A path of this site to go back to after logging in (anything else: the
/// home page), so that a link cannot send people elsewhere.
pub fn local_path(back: &str) -> String {
    let back = back.trim();
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back.to_owned()
    } else {
        "/".to_owned()
    }
}

/// Logs in with a name and password, then goes `back` (a path of this
/// site). Too many failures for the name or the address answer 429.
#[server(endpoint = "log_in")]
pub async fn log_in(
    /// Login name.
    name: String,
    /// Password.
    password: String,
    /// Where to go next.
    #[server(default)]
    back: String,
) -> Result<(), AppError> {
    let typed = BTreeMap::from([
        ("name".to_owned(), name.clone()),
        ("back".to_owned(), back.clone()),
    ]);
    let result = async {
        let service = super::service()?;
        let row =
            crate::service::accounts::log_in(&service, &super::actor(), &name, &password).await?;
        crate::session::start(row).await
    }
    .await;
    super::form_answer(result, |_| local_path(&back), typed)
}

/// Logs out and goes to the home page.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    super::respond(
        async {
            let service = super::service()?;
            crate::service::accounts::log_out(&service, &super::actor()).await?;
            crate::session::end().await?;
            if super::plain_form_post() {
                leptos_axum::redirect("/");
            }
            Ok(())
        }
        .await,
    )
}

/// The login name a set-password link is for; `None` when the link is
/// unknown, used or expired.
#[server(endpoint = "load_password_link")]
pub async fn load_password_link(
    /// The link's token.
    token: String,
) -> Result<Option<String>, AppError> {
    super::respond(
        async move { crate::service::accounts::link_account(&super::service()?, &token).await }
            .await,
    )
}

/// Sets a password from a one-time link, logs in and goes home.
#[server(endpoint = "set_password")]
pub async fn set_password(
    /// The link's token.
    token: String,
    /// New password.
    password: String,
    /// The same again.
    confirm: String,
) -> Result<(), AppError> {
    let result = async {
        let service = super::service()?;
        let row = crate::service::accounts::set_password(
            &service,
            &super::actor(),
            &token,
            &password,
            &confirm,
        )
        .await?;
        crate::session::start(row).await
    }
    .await;
    after_admin(result, "/")
}

/// The administrators' page; `link` is the token of a set-password link
/// just made (shown once).
#[server(endpoint = "load_accounts")]
pub async fn load_accounts(
    /// Token of a link to show (empty: none).
    #[server(default)]
    link: String,
) -> Result<AccountsPage, AppError> {
    super::respond(
        async move {
            let service = super::service()?;
            let link = match link.is_empty() {
                true => None,
                false => service.link(&link).await,
            };
            crate::service::accounts::accounts_page(&service, &super::actor(), link).await
        }
        .await,
    )
}

/// Answers an administrators' form: back to their page (with the link
/// to show, if any) for a plain form post; the error kept for the page
/// it came from otherwise.
#[cfg(feature = "ssr")]
fn after_admin<T>(result: Result<T, AppError>, next: &str) -> Result<T, AppError> {
    super::form_answer(result, |_| next.to_owned(), BTreeMap::new())
}

/// The administrators' page showing `link` once.
#[cfg(feature = "ssr")]
async fn accounts_with_link(
    service: &crate::service::Service,
    link: &Result<crate::view::account::PasswordLink, AppError>,
) -> Result<String, AppError> {
    match link {
        Ok(link) if super::plain_form_post() => Ok(format!(
            "/admin/comptes?lien={}#lien",
            service.keep_link(link).await?
        )),
        _ => Ok(String::new()),
    }
}

/// Creates an account with one role; the page then shows its one-time
/// set-password link.
#[server(endpoint = "create_account")]
pub async fn create_account(
    /// Login name.
    name: String,
    /// Name shown.
    display_name: String,
    /// Role code.
    role: String,
    /// Scope kind (`national`, `region`, `cercle`, `commune`).
    scope_kind: String,
    /// Region, cercle or commune id.
    #[server(default)]
    scope: String,
) -> Result<PasswordLink, AppError> {
    let service = super::service()?;
    let typed = BTreeMap::from([
        ("name".to_owned(), name.clone()),
        ("display_name".to_owned(), display_name.clone()),
        ("role".to_owned(), role.clone()),
        ("scope_kind".to_owned(), scope_kind.clone()),
        ("scope".to_owned(), scope.clone()),
    ]);
    let result = crate::service::accounts::create_account(
        &service,
        &super::actor(),
        &name,
        &display_name,
        &role,
        &scope_kind,
        &scope,
    )
    .await;
    let next = match accounts_with_link(&service, &result).await {
        Ok(next) => next,
        Err(e) => return super::respond(Err(e)),
    };
    super::form_answer(result, |_| next, typed)
}

/// Makes a new set-password link for an account (a reset); earlier unused
/// links stop working.
#[server(endpoint = "reset_password")]
pub async fn reset_password(
    /// Account id.
    account: i64,
) -> Result<PasswordLink, AppError> {
    let service = super::service()?;
    let result =
        crate::service::accounts::password_link(&service, &super::actor(), account, "reset").await;
    let next = match accounts_with_link(&service, &result).await {
        Ok(next) => next,
        Err(e) => return super::respond(Err(e)),
    };
    super::form_answer(result, |_| next, BTreeMap::new())
}

/// Gives an account a role over a scope.
#[server(endpoint = "grant_role")]
pub async fn grant_role(
    /// Account id.
    account: i64,
    /// Role code.
    role: String,
    /// Scope kind.
    scope_kind: String,
    /// Region, cercle or commune id.
    #[server(default)]
    scope: String,
) -> Result<(), AppError> {
    let result = async {
        crate::service::accounts::grant_role(
            &super::service()?,
            &super::actor(),
            account,
            &role,
            &scope_kind,
            &scope,
        )
        .await
    }
    .await;
    after_admin(result, "/admin/comptes")
}

/// Takes a role back.
#[server(endpoint = "revoke_role")]
pub async fn revoke_role(
    /// Account id.
    account: i64,
    /// The role's id.
    grant: i64,
) -> Result<(), AppError> {
    let result = async {
        crate::service::accounts::revoke_role(&super::service()?, &super::actor(), account, grant)
            .await
    }
    .await;
    after_admin(result, "/admin/comptes")
}

/// Activates or deactivates an account at the version read.
#[server(endpoint = "set_account_active")]
pub async fn set_account_active(
    /// Account id.
    account: i64,
    /// `true` to activate.
    active: bool,
    /// Version read.
    version: i64,
) -> Result<(), AppError> {
    let result = async {
        crate::service::accounts::set_active(
            &super::service()?,
            &super::actor(),
            account,
            active,
            version,
        )
        .await
    }
    .await;
    after_admin(result, "/admin/comptes")
}

/// Sets what visitors may see (checkboxes: present means yes).
#[server(endpoint = "set_public_pages")]
pub async fn set_public_pages(
    /// Rubric browser public.
    #[server(default)]
    rubrics: Option<String>,
    /// Results public.
    #[server(default)]
    results: Option<String>,
    /// Compare page public.
    #[server(default)]
    compare: Option<String>,
) -> Result<(), AppError> {
    let public = PublicPages {
        rubrics: rubrics.is_some(),
        results: results.is_some(),
        compare: compare.is_some(),
    };
    let result = async {
        crate::service::accounts::set_public_pages(&super::service()?, &super::actor(), public)
            .await
    }
    .await;
    after_admin(result, "/admin/comptes")
}
