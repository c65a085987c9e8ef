//! Sessions and the person behind each request.
//!
//! Sessions are `tower-sessions` sessions kept in the project's own
//! database (the store's session table, written on its one writer
//! connection); `axum-login` ties a session to an account and gives it a
//! new id at login (no session fixation). The session cookie is
//! `HttpOnly`, `SameSite=Lax` and `Secure` when the server is told it is
//! behind TLS (`--secure-cookies`). A session ends after
//! [`IDLE_TIMEOUT`] without a request; a request refreshes it at most every
//! [`TOUCH_EVERY`] (one write per person every few minutes, not per
//! request). A changed password, or a deactivated account, ends every
//! session of that account at its next request.
//!
//! [`actor`] turns the session into the request's
//! [`Actor`], put in the request's
//! extensions, where server functions, pages and plain routes find it and
//! pass it to the service layer, which decides what it may do.
//! [`start`] and [`end`] log the request's session in and out (the login
//! and logout server functions call them after the service has checked
//! the password).
//!
//! Server only. Layer: below `api/` and `server/` (both use it), above
//! `service/`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum_login::{AuthSession, AuthUser, AuthnBackend};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::error::AppError;
use crate::service::Service;
use crate::service::access::Actor;
use crate::view::account::PublicPages;

/// A session ends after this long without a request (a workshop day).
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(8);
/// A request refreshes its session's expiry at most this often.
pub const TOUCH_EVERY: i64 = 300;
/// The session cookie's name.
pub const COOKIE: &str = "capacity_session";

/// The accounts, as `axum-login` sees them.
#[derive(Debug, Clone)]
pub struct Accounts {
    service: Service,
}

/// A logged-in account.
#[derive(Debug, Clone)]
pub struct User {
    /// The stored account.
    pub row: capacity_store::AccountRow,
    /// Ties sessions to the password: a new password ends old sessions.
    auth_hash: Vec<u8>,
}

impl User {
    /// The user of a stored account.
    pub fn new(row: capacity_store::AccountRow) -> User {
        let mut hash = Sha256::new();
        hash.update(row.id.to_le_bytes());
        hash.update(row.password_hash.as_deref().unwrap_or_default().as_bytes());
        User {
            auth_hash: hash.finalize().to_vec(),
            row,
        }
    }
}

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.row.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// What a login form sends.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Login name.
    pub name: String,
    /// Password.
    pub password: String,
}

/// A failure of the account backend.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(String);

impl AuthnBackend for Accounts {
    type User = User;
    type Credentials = Credentials;
    type Error = BackendError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, BackendError> {
        crate::service::accounts::verify_password(&self.service, &creds.name, &creds.password)
            .await
            .map(|row| row.map(User::new))
            .map_err(|e| BackendError(e.to_string()))
    }

    async fn get_user(&self, id: &i64) -> Result<Option<User>, BackendError> {
        let row = self
            .service
            .store
            .account(*id)
            .await
            .map_err(|e| BackendError(e.to_string()))?;
        Ok(row.filter(|a| a.active).map(User::new))
    }
}

/// The session of a request, with its account.
pub type Session = AuthSession<Accounts>;

/// The session and login layers, over the store's session table.
pub fn layer(
    service: &Service,
    secure: bool,
) -> axum_login::AuthManagerLayer<Accounts, capacity_store::SessionStore> {
    let sessions = SessionManagerLayer::new(service.store.session_store())
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT));
    axum_login::AuthManagerLayerBuilder::new(
        Accounts {
            service: service.clone(),
        },
        sessions,
    )
    .build()
}

/// How to find the client's address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress {
    /// Trust the last hop of `X-Forwarded-For` (a reverse proxy in front).
    pub forwarded: bool,
}

/// Puts the request's [`Actor`] in its extensions: the account of the
/// session (with its roles), what visitors may see, the request id and the
/// client's address. Refreshes the session's expiry every few minutes.
pub async fn actor(
    State((service, client)): State<(Service, ClientAddress)>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let forwarded = client
        .forwarded
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|v| v.trim().to_owned())
        })
        .flatten();
    let address = forwarded.unwrap_or_else(|| {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default()
    });
    let me = session
        .user
        .as_ref()
        .map(|u| crate::service::accounts::me(&u.row));
    // What visitors may see matters only to visitors: one read for them,
    // none for people logged in (whose roles decide).
    let public = if me.is_some() {
        touch(&session).await;
        PublicPages::default()
    } else {
        public_pages(&service).await
    };
    req.extensions_mut().insert(Actor {
        me,
        public,
        request_id,
        address,
    });
    let mut response = next.run(req).await;
    response.extensions_mut().insert(SessionRead);
    response
}

/// Marks a response the session layers let through to [`actor`] (a
/// response extension): a `500` without it was made by those layers
/// themselves, which answer so, with nothing more, when a session cannot
/// be read or saved (the database is away); `server::http` turns that into
/// a `503` with `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct SessionRead;

/// What visitors may see (the administrators' setting); nothing when the
/// setting cannot be read.
async fn public_pages(service: &Service) -> PublicPages {
    match service
        .store
        .setting(crate::service::accounts::PUBLIC_PAGES)
        .await
    {
        Ok(Some(code)) => PublicPages::from_code(&code),
        Ok(None) => PublicPages::default(),
        Err(e) => {
            tracing::error!(error = %e, "public pages setting unreadable; none public");
            PublicPages {
                rubrics: false,
                results: false,
                compare: false,
            }
        }
    }
}

/// Refreshes the session's expiry when the last refresh is older than
/// [`TOUCH_EVERY`] seconds.
async fn touch(session: &Session) {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let seen: Option<i64> = session.session.get("seen").await.ok().flatten();
    if seen.is_none_or(|s| now - s >= TOUCH_EVERY)
        && let Err(e) = session.session.insert("seen", now).await
    {
        tracing::warn!(error = %e, "session not refreshed");
    }
}

/// Logs the current request's session in as `row` (a new session id: no
/// session fixation). Called by the login and set-password server
/// functions once the service has accepted the password.
pub async fn start(row: capacity_store::AccountRow) -> Result<(), AppError> {
    let mut session: Session = leptos_axum::extract()
        .await
        .map_err(|e| AppError::Internal(format!("no session layer: {e}")))?;
    session
        .login(&User::new(row))
        .await
        .map_err(|e| AppError::Internal(format!("login not kept: {e}")))
}

/// Ends the current request's session.
pub async fn end() -> Result<(), AppError> {
    let mut session: Session = leptos_axum::extract()
        .await
        .map_err(|e| AppError::Internal(format!("no session layer: {e}")))?;
    session
        .logout()
        .await
        .map(|_| ())
        .map_err(|e| AppError::Internal(format!("logout not kept: {e}")))
}
