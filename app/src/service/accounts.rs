//! Accounts: logging in (with its rate limit), the administrators' page
//! (accounts, roles, one-time set-password links, what visitors may see),
//! setting a password from a link, the first administrator and the demo
//! accounts.
//!
//! Passwords are hashed with Argon2id (`password-auth`, its default
//! parameters) on the blocking pool, never on the async runtime. A
//! set-password link carries a random token; only its SHA-256 is stored,
//! and it works once, within [`LINK_HOURS`]. Failed logins are counted
//! from the audit trail (so the count is shared by every server and
//! survives a restart): [`MAX_FAILED_PER_NAME`] for one login name or
//! [`MAX_FAILED_PER_ADDRESS`] from one address within
//! [`FAILED_WINDOW_MINUTES`] refuse further attempts until the window
//! has passed.

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Service;
use super::access::{Action, Actor, Place};
use crate::error::{AppError, FieldProblem, Problem};
use crate::view::account::{
    AccessRole, AccountLine, AccountsPage, Grant, Me, PasswordLink, PublicPages, Scope,
};

/// The setting holding what visitors may see ([`PublicPages::code`]).
pub const PUBLIC_PAGES: &str = "public_pages";
/// Fewest characters of a password.
pub const PASSWORD_MIN: usize = 10;
/// Most characters of a password (hashing cost stays bounded).
pub const PASSWORD_MAX: usize = 200;
/// A set-password link works this many hours.
pub const LINK_HOURS: i64 = 72;
/// Failed logins of one name within the window before logins are refused.
pub const MAX_FAILED_PER_NAME: i64 = 5;
/// Failed logins from one address within the window before logins are
/// refused.
pub const MAX_FAILED_PER_ADDRESS: i64 = 20;
/// The window of the failed-login counts, in minutes.
pub const FAILED_WINDOW_MINUTES: i64 = 15;

/// UTC time `offset` from now, RFC 3339 with milliseconds, as the store
/// writes its timestamps (so the two compare as strings).
pub fn utc(offset: time::Duration) -> String {
    let t = time::OffsetDateTime::now_utc() + offset;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The person of a stored account, as pages show them (roles with an
/// unknown code or scope are left out).
pub fn me(row: &capacity_store::AccountRow) -> Me {
    Me {
        id: row.id,
        name: row.name.clone(),
        display_name: row.display_name.clone(),
        grants: grants(row),
        demo: row.demo,
        version: row.version,
    }
}

fn grants(row: &capacity_store::AccountRow) -> Vec<Grant> {
    row.grants
        .iter()
        .filter_map(|g| {
            Some(Grant {
                id: g.id,
                role: AccessRole::from_code(&g.role)?,
                scope: Scope::from_parts(&g.scope_kind, &g.scope)?,
            })
        })
        .collect()
}

/// A hash to verify against when the account does not exist, so that an
/// unknown name takes as long to refuse as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| password_auth::generate_hash("decoy password, never valid"))
}

/// Hashes a password on the blocking pool.
async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// The active account `name` when `password` is its password; `None`
/// otherwise (unknown name, no password set yet, inactive, wrong password).
pub async fn verify_password(
    service: &Service,
    name: &str,
    password: &str,
) -> Result<Option<capacity_store::AccountRow>, AppError> {
    let row = service.store.account_by_name(name.trim()).await?;
    let stored = row
        .as_ref()
        .filter(|a| a.active)
        .and_then(|a| a.password_hash.clone());
    let matches = {
        let known = stored.is_some();
        let password = password.to_owned();
        // The decoy is made (once) on the blocking pool too: hashing never
        // runs on the async workers.
        let ok = tokio::task::spawn_blocking(move || {
            let hash = stored.as_deref().unwrap_or_else(|| decoy_hash());
            password_auth::verify_password(password, hash).is_ok()
        })
        .await
        .map_err(|e| AppError::Internal(format!("password check failed: {e}")))?;
        ok && known
    };
    Ok(row.filter(|_| matches))
}

/// Checks a login: refused while too many failures are recent for this
/// name or this address (429), else the password is verified and the
/// outcome recorded in the audit trail. Answers the account to log in.
pub async fn log_in(
    service: &Service,
    actor: &Actor,
    name: &str,
    password: &str,
) -> Result<capacity_store::AccountRow, AppError> {
    let name = name.trim().to_lowercase();
    let audit = actor.audit();
    let since = utc(time::Duration::minutes(-FAILED_WINDOW_MINUTES));
    let (by_name, by_address) = service
        .store
        .failed_logins_since(&name, &actor.address, &since)
        .await?;
    if by_name >= MAX_FAILED_PER_NAME || by_address >= MAX_FAILED_PER_ADDRESS {
        service
            .store
            .record_login(None, &name, false, &audit)
            .await?;
        return Err(AppError::TooManyAttempts(format!(
            "too many failed logins: wait {FAILED_WINDOW_MINUTES} minutes, then try again"
        )));
    }
    match verify_password(service, &name, password).await? {
        Some(row) => {
            service
                .store
                .record_login(Some(row.id), &name, true, &audit)
                .await?;
            Ok(row)
        }
        None => {
            service
                .store
                .record_login(None, &name, false, &audit)
                .await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Records a logout in the audit trail.
pub async fn log_out(service: &Service, actor: &Actor) -> Result<(), AppError> {
    if let Some(id) = actor.account() {
        service.store.record_logout(id, &actor.audit()).await?;
    }
    Ok(())
}

/// The administrators' page; `link` is a set-password link just made.
pub async fn accounts_page(
    service: &Service,
    actor: &Actor,
    link: Option<PasswordLink>,
) -> Result<AccountsPage, AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    let accounts = service
        .store
        .accounts()
        .await?
        .iter()
        .map(|a| AccountLine {
            id: a.id,
            name: a.name.clone(),
            display_name: a.display_name.clone(),
            active: a.active,
            has_password: a.password_hash.is_some(),
            demo: a.demo,
            grants: grants(a),
            version: a.version,
        })
        .collect();
    let communes = service
        .store
        .communes(&capacity_store::CommuneFilter::default())
        .await?
        .into_iter()
        .map(|c| (c.commune.id, c.commune.name))
        .collect();
    Ok(AccountsPage {
        accounts,
        regions: service.store.regions().await?,
        communes,
        link,
        public: public_pages(service).await?,
    })
}

/// What visitors may see now.
pub async fn public_pages(service: &Service) -> Result<PublicPages, AppError> {
    Ok(service
        .store
        .setting(PUBLIC_PAGES)
        .await?
        .map_or_else(PublicPages::default, |c| PublicPages::from_code(&c)))
}

/// Changes what visitors may see.
pub async fn set_public_pages(
    service: &Service,
    actor: &Actor,
    public: PublicPages,
) -> Result<(), AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    service
        .store
        .set_setting(PUBLIC_PAGES, &public.code(), &actor.audit())
        .await?;
    Ok(())
}

/// A login name: 2 to 60 of lowercase letters, digits, `.`, `_`, `-`.
fn login_name(name: &str) -> Result<String, Problem> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err(Problem::Required);
    }
    if name.chars().count() > 60 {
        return Err(Problem::TooLong { max: 60 });
    }
    if name.len() < 2
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Problem::BadId);
    }
    Ok(name)
}

/// The role and scope of a form, checked: the territory must exist.
async fn checked_grant(
    service: &Service,
    role: &str,
    scope_kind: &str,
    scope: &str,
) -> Result<capacity_store::NewGrant, AppError> {
    let Some(role) = AccessRole::from_code(role) else {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "role",
            Problem::UnknownChoice,
        )]));
    };
    let bad_scope = || AppError::Fields(vec![FieldProblem::new("scope", Problem::UnknownChoice)]);
    let scope = Scope::from_parts(scope_kind, scope).ok_or_else(bad_scope)?;
    let known = match &scope {
        Scope::National => true,
        Scope::Region(r) => service.store.regions().await?.iter().any(|(n, _)| n == r),
        Scope::Cercle(c) => service
            .store
            .regions()
            .await?
            .iter()
            .any(|(_, cercles)| cercles.contains(c)),
        Scope::Commune(id) => service.store.commune(id).await?.is_some(),
    };
    if !known || (role == AccessRole::Admin && scope != Scope::National) {
        return Err(bad_scope());
    }
    Ok(capacity_store::NewGrant {
        role: role.code().to_owned(),
        scope_kind: scope.kind().to_owned(),
        scope: scope.value().to_owned(),
    })
}

/// Creates an account with one role and answers its set-password link.
pub async fn create_account(
    service: &Service,
    actor: &Actor,
    name: &str,
    display_name: &str,
    role: &str,
    scope_kind: &str,
    scope: &str,
) -> Result<PasswordLink, AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    let mut problems = Vec::new();
    let login = login_name(name).map_err(|p| problems.push(FieldProblem::new("name", p)));
    let display = display_name.trim();
    if display.is_empty() {
        problems.push(FieldProblem::new("display_name", Problem::Required));
    } else if let Some(p) = super::limits::too_long(display, super::limits::NAME) {
        problems.push(FieldProblem::new("display_name", p));
    }
    let grant = match checked_grant(service, role, scope_kind, scope).await {
        Ok(g) => Some(g),
        Err(AppError::Fields(mut p)) => {
            problems.append(&mut p);
            None
        }
        Err(e) => return Err(e),
    };
    let (Ok(login), Some(grant), true) = (login, grant, problems.is_empty()) else {
        return Err(AppError::Fields(problems));
    };
    if service.store.account_by_name(&login).await?.is_some() {
        return Err(AppError::Fields(vec![FieldProblem::new(
            "name",
            Problem::NameTaken,
        )]));
    }
    let id = service
        .store
        .create_account(&login, display, false, &[grant], &actor.audit())
        .await?;
    password_link(service, actor, id, "invite").await
}

/// Makes a new one-time set-password link for an account (an invitation
/// or a reset); earlier unused links of the account stop working.
pub async fn password_link(
    service: &Service,
    actor: &Actor,
    account: i64,
    purpose: &str,
) -> Result<PasswordLink, AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    let row = service
        .store
        .account(account)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("account {account}")))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = utc(time::Duration::hours(LINK_HOURS));
    service
        .store
        .create_password_token(
            account,
            &token_hash(&token),
            purpose,
            &expires_at,
            &actor.audit(),
        )
        .await?;
    Ok(PasswordLink {
        account: row.name,
        path: format!("/mot-de-passe?jeton={token}"),
        expires_at,
    })
}

/// The stored form of a token.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The login name a valid link is for (`None`: unknown, used or expired).
pub async fn link_account(service: &Service, token: &str) -> Result<Option<String>, AppError> {
    Ok(service
        .store
        .token_account(&token_hash(token.trim()), &utc(time::Duration::ZERO))
        .await?
        .map(|a| a.name))
}

/// Sets a password from a one-time link; answers the account (to log in).
pub async fn set_password(
    service: &Service,
    actor: &Actor,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<capacity_store::AccountRow, AppError> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length < PASSWORD_MIN {
        problems.push(FieldProblem::new(
            "password",
            Problem::TooShort {
                min: PASSWORD_MIN as u32,
            },
        ));
    } else if length > PASSWORD_MAX {
        problems.push(FieldProblem::new(
            "password",
            Problem::TooLong {
                max: PASSWORD_MAX as u32,
            },
        ));
    }
    if password != confirm {
        problems.push(FieldProblem::new("confirm", Problem::PasswordsDiffer));
    }
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    let hashed = hash(password.to_owned()).await?;
    Ok(service
        .store
        .use_password_token(
            &token_hash(token.trim()),
            &hashed,
            &utc(time::Duration::ZERO),
            &actor.audit(),
        )
        .await?)
}

/// Gives an account a role over a scope.
pub async fn grant_role(
    service: &Service,
    actor: &Actor,
    account: i64,
    role: &str,
    scope_kind: &str,
    scope: &str,
) -> Result<(), AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    let grant = checked_grant(service, role, scope_kind, scope).await?;
    service
        .store
        .grant_role(account, &grant, &actor.audit())
        .await?;
    Ok(())
}

/// Takes a role back. An administrator cannot take away their own
/// administrator role (someone must stay able to manage accounts).
pub async fn revoke_role(
    service: &Service,
    actor: &Actor,
    account: i64,
    grant: i64,
) -> Result<(), AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    if actor.account() == Some(account)
        && let Some(me) = &actor.me
        && me
            .grants
            .iter()
            .any(|g| g.id == grant && g.role == AccessRole::Admin)
    {
        return Err(AppError::Invalid(
            "you cannot take away your own administrator role".to_owned(),
        ));
    }
    service
        .store
        .revoke_role(account, grant, &actor.audit())
        .await?;
    Ok(())
}

/// Activates or deactivates an account (a deactivated account is logged
/// out at its next request and cannot log in).
pub async fn set_active(
    service: &Service,
    actor: &Actor,
    account: i64,
    active: bool,
    version: i64,
) -> Result<(), AppError> {
    actor.check(Action::ManageAccounts, &Place::default())?;
    if actor.account() == Some(account) && !active {
        return Err(AppError::Invalid(
            "you cannot deactivate your own account".to_owned(),
        ));
    }
    let row = service
        .store
        .account(account)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("account {account}")))?;
    service
        .store
        .update_account(account, &row.display_name, active, version, &actor.audit())
        .await?;
    Ok(())
}

/// Creates an administrator from the command line (`capacity-web user
/// add --admin NAME`) and answers the set-password link: never a default
/// password.
pub async fn add_from_command(
    service: &Service,
    name: &str,
    display_name: &str,
    admin: bool,
) -> Result<PasswordLink, AppError> {
    let actor = Actor::system("command line");
    let login =
        login_name(name).map_err(|p| AppError::Invalid(format!("login name {name:?}: {p}")))?;
    if service.store.account_by_name(&login).await?.is_some() {
        return Err(AppError::Invalid(format!(
            "an account named {login} exists already"
        )));
    }
    let grants: Vec<capacity_store::NewGrant> = if admin {
        vec![capacity_store::NewGrant {
            role: AccessRole::Admin.code().to_owned(),
            scope_kind: "national".to_owned(),
            scope: String::new(),
        }]
    } else {
        Vec::new()
    };
    let display = if display_name.trim().is_empty() {
        login.as_str()
    } else {
        display_name.trim()
    };
    let id = service
        .store
        .create_account(&login, display, false, &grants, &actor.audit())
        .await?;
    password_link(service, &actor, id, "invite").await
}

/// One demonstration account: login, password and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Login name.
    pub name: String,
    /// Its password (random, made when the demo data were seeded).
    pub password: String,
    /// What the account is for.
    pub what: String,
}

/// Creates the demonstration accounts, one per role, over the sample data
/// (Bandiagara's commune, the Mopti region), with random passwords.
/// Only called when the demo data are seeded into a new database.
pub async fn create_demo_accounts(service: &Service) -> Result<Vec<DemoAccount>, AppError> {
    let actor = Actor::system("demo seed");
    // The sample commune of the workshop tests and its territory.
    let commune = service
        .store
        .communes(&capacity_store::CommuneFilter::default())
        .await?
        .into_iter()
        .map(|c| c.commune)
        .find(|c| c.id.contains("BDG") || c.cercle == "Bandiagara")
        .ok_or_else(|| AppError::Internal("no sample commune to attach demo roles to".into()))?;
    let grant = |role: AccessRole, scope: Scope| capacity_store::NewGrant {
        role: role.code().to_owned(),
        scope_kind: scope.kind().to_owned(),
        scope: scope.value().to_owned(),
    };
    let commune_scope = Scope::Commune(commune.id.clone());
    let plan: Vec<(&str, &str, capacity_store::NewGrant, String)> = vec![
        (
            "admin",
            "Administrateur (démo)",
            grant(AccessRole::Admin, Scope::National),
            "national administrator".to_owned(),
        ),
        (
            "planificateur",
            "Planificateur régional (démo)",
            grant(AccessRole::Planner, Scope::Region(commune.region.clone())),
            format!("planner, region {}", commune.region),
        ),
        (
            "cercle",
            "Planificateur de cercle (démo)",
            grant(AccessRole::Planner, Scope::Cercle(commune.cercle.clone())),
            format!("planner, cercle {}", commune.cercle),
        ),
        (
            "animateur",
            "Animateur communal (démo)",
            grant(AccessRole::Facilitator, commune_scope.clone()),
            format!("facilitator, commune {}", commune.name),
        ),
        (
            "evaluateur",
            "Évaluateur (démo)",
            grant(AccessRole::Rater, commune_scope.clone()),
            format!(
                "rater, commune {} (linked to its first rater)",
                commune.name
            ),
        ),
        (
            "verificateur",
            "Vérificateur (démo)",
            grant(AccessRole::Verifier, Scope::Region(commune.region.clone())),
            format!(
                "verifier, region {} (assigned to its latest finalised assessment)",
                commune.region
            ),
        ),
        (
            "observateur",
            "Observateur (démo)",
            grant(AccessRole::Observer, Scope::National),
            "observer, national (read only)".to_owned(),
        ),
    ];
    let mut made = Vec::new();
    for (name, display, g, what) in plan {
        let id = service
            .store
            .create_account(name, display, true, &[g], &actor.audit())
            .await?;
        let mut bytes = [0u8; 9];
        rand::rng().fill_bytes(&mut bytes);
        let password = format!("demo-{}", hex::encode(bytes));
        let hashed = hash(password.clone()).await?;
        service
            .store
            .set_password_hash(id, &hashed, &actor.audit())
            .await?;
        if name == "evaluateur" {
            link_first_raters(service, &actor, &commune.id, id).await?;
        }
        if name == "verificateur" {
            assign_demo_verifier(service, &actor, &commune.region, id).await?;
        }
        made.push(DemoAccount {
            name: name.to_owned(),
            password,
            what,
        });
    }
    Ok(made)
}

/// Assigns the demo verifier to the latest finalised assessment of its
/// region (its commune, in that assessment's campaign), so that the
/// verification path can be followed in the demonstration.
async fn assign_demo_verifier(
    service: &Service,
    actor: &Actor,
    region: &str,
    account: i64,
) -> Result<(), AppError> {
    let headers = service
        .store
        .list_assessments(&capacity_store::AssessmentFilter {
            region: Some(region.to_owned()),
            ..Default::default()
        })
        .await?;
    let latest = headers
        .iter()
        .filter(|h| h.finalised)
        .max_by(|a, b| (a.date.as_str(), a.id).cmp(&(b.date.as_str(), b.id)));
    if let Some(h) = latest {
        service
            .store
            .assign_verifier(&h.campaign_id, &h.commune_id, account, &actor.audit())
            .await?;
    }
    Ok(())
}

/// Links the first rater of each of the commune's open assessments to the
/// demo rater account.
async fn link_first_raters(
    service: &Service,
    actor: &Actor,
    commune: &str,
    account: i64,
) -> Result<(), AppError> {
    let headers = service
        .store
        .list_assessments(&capacity_store::AssessmentFilter {
            commune: Some(commune.to_owned()),
            ..Default::default()
        })
        .await?;
    for h in headers.iter().filter(|h| !h.finalised) {
        if let Some(stored) = service.store.assessment(h.id).await?
            && let Some(first) = stored.assessment.raters.first()
        {
            service
                .store
                .link_rater(h.id, &first.id, Some(account), &actor.audit())
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_names_are_plain_and_lowercase() {
        assert_eq!(login_name(" Awa.Traore "), Ok("awa.traore".to_owned()));
        assert_eq!(login_name(""), Err(Problem::Required));
        assert_eq!(login_name("a"), Err(Problem::BadId));
        assert_eq!(login_name("awa traoré"), Err(Problem::BadId));
        assert_eq!(
            login_name(&"a".repeat(61)),
            Err(Problem::TooLong { max: 60 })
        );
    }

    #[test]
    fn times_are_written_like_the_store_writes_them() {
        let t = utc(time::Duration::ZERO);
        assert_eq!(t.len(), "2026-12-06T12:00:00.000Z".len(), "{t}");
        assert!(t.ends_with('Z'));
        assert!(utc(time::Duration::minutes(-15)) < t);
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let h = token_hash("abc");
        assert_eq!(h.len(), 64);
        assert_ne!(h, "abc");
        assert_eq!(h, token_hash(" abc ".trim()));
    }
}
