//! Server functions, grouped by resource. Each one is thin: it checks its
//! input, calls the core or the store, and maps errors to [`AppError`].

pub mod communes;
pub mod compare;
pub mod plan;
pub mod results;
pub mod rubrics;
pub mod workshop;

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors a server function reports to the page, typed so that the page can
/// say what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The request could not reach the server or its answer was unreadable.
    #[error("server unreachable or answer unreadable: {0}")]
    Transport(String),
    /// The object asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The input is not acceptable; the message says how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// Someone saved the same thing since it was read; nothing was written.
    #[error("{0}")]
    Stale(String),
    /// The assessment is finalised and cannot change.
    #[error("{0}")]
    Locked(String),
    /// A fault on the server (logged there).
    #[error("server error: {0}")]
    Internal(String),
}

#[cfg(feature = "ssr")]
impl From<capacity_store::StoreError> for AppError {
    fn from(e: capacity_store::StoreError) -> Self {
        use capacity_store::StoreError as S;
        match e {
            S::NotFound { what } => AppError::NotFound(what),
            S::Invalid(msg) => AppError::Invalid(msg),
            e @ S::Conflict { .. } => AppError::Invalid(e.to_string()),
            e @ (S::Stale { .. } | S::StaleRating { .. }) => AppError::Stale(e.to_string()),
            e @ S::Locked { .. } => AppError::Locked(e.to_string()),
            other => {
                tracing::error!(error = %other, "store error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

/// What the server says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAbout {
    /// The server's package version.
    pub version: String,
}

/// Server version: a cheap round trip that tells the page the server answers.
#[server(endpoint = "server_info")]
pub async fn server_info() -> Result<ServerAbout, AppError> {
    Ok(ServerAbout {
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
