//! Server functions, grouped by resource. Each one is thin: it checks its
//! input, calls the core or the store, and maps errors to [`AppError`].

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
