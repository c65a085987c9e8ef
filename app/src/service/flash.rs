//! Flash values: what a plain form save has to tell the page its redirect
//! opens (a form's error and typed fields, entries refused as stale, a
//! plan save's outcome, a set-password link, a register import's
//! preview), kept in the database under a token carried in the redirect's
//! query string — so that the page may be served by any server on the
//! database (`capacity_store::Store::keep_flash`).
//!
//! A token is 128 random bits in hex. A value is readable by its token
//! until it expires ([`Flash::get`]; a page may read it twice, e.g. the
//! error banner and the form beside its fields, and a reload shows it
//! again) or exactly once when it is a secret ([`Flash::take`]: a
//! set-password link). Each kind keeps at most a bounded number of values
//! (the oldest go first) and expired ones are deleted by the next write.
//!
//! A value kept while a request is answered is in the database before the
//! answer leaves: [`Flash::keep`] waits for the write; [`Flash::keep_later`]
//! (for the synchronous error path of server functions) starts it and
//! hands it to the request's [`PendingWrites`], which the server awaits
//! before it sends the redirect (`server::http::pending_writes`).

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capacity_store::Store;
use rand::RngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Values of type `T` kept for the next page, as rows of one kind.
#[derive(Debug)]
pub struct Flash<T> {
    kind: &'static str,
    ttl: Duration,
    kept: i64,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Flash<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Flash<T> {}

/// The longest token accepted (longer ones are not looked up).
const TOKEN_MAX: usize = 64;

/// How many values of a kind are kept by default (oldest dropped first).
pub const KEPT: i64 = 1024;

impl<T> Flash<T> {
    /// Values of `kind`, each kept for `ttl`, at most `kept` at once.
    pub const fn new(kind: &'static str, ttl: Duration, kept: i64) -> Self {
        Self {
            kind,
            ttl,
            kept,
            value: PhantomData,
        }
    }
}

/// A new unguessable token.
fn token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether `token` could be one of ours (checked before any query).
fn plausible(token: &str) -> bool {
    !token.is_empty() && token.len() <= TOKEN_MAX && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl<T: Serialize + DeserializeOwned> Flash<T> {
    /// Keeps `value`; answers its token once it is in the database.
    pub async fn keep(&self, store: &Store, value: &T) -> Result<String, AppError> {
        let json = serde_json::to_string(value)
            .map_err(|e| AppError::Internal(format!("flash value of {}: {e}", self.kind)))?;
        let token = token();
        store
            .keep_flash(&token, self.kind, &json, self.ttl, self.kept)
            .await?;
        Ok(token)
    }

    /// Keeps `value` without waiting: answers its token at once and hands
    /// the write to `pending`, which the server awaits before the answer
    /// leaves (without one, the write finishes on its own). A failed write
    /// is logged: the page then shows no message.
    pub fn keep_later(&self, store: &Store, value: &T, pending: Option<&PendingWrites>) -> String
    where
        T: Send + 'static,
    {
        let token = token();
        let json = match serde_json::to_string(value) {
            Ok(json) => json,
            Err(e) => {
                tracing::error!(kind = self.kind, error = %e, "flash value not kept");
                return token;
            }
        };
        let (store, flash, kept) = (store.clone(), *self, token.clone());
        let write = tokio::spawn(async move {
            if let Err(e) = store
                .keep_flash(&kept, flash.kind, &json, flash.ttl, flash.kept)
                .await
            {
                tracing::error!(kind = flash.kind, error = %e, "flash value not kept");
            }
        });
        if let Some(pending) = pending {
            pending.push(write);
        }
        token
    }

    /// The value of a token, until it expires (`None` when unknown,
    /// expired or unreadable: the page then shows no message).
    pub async fn get(&self, store: &Store, token: &str) -> Option<T> {
        if !plausible(token) {
            return None;
        }
        self.decode(store.flash(token, self.kind).await)
    }

    /// The value of a token, deleted as it is read (single use).
    pub async fn take(&self, store: &Store, token: &str) -> Option<T> {
        if !plausible(token) {
            return None;
        }
        self.decode(store.take_flash(token, self.kind).await)
    }

    fn decode(&self, read: Result<Option<String>, capacity_store::StoreError>) -> Option<T> {
        match read {
            Ok(Some(json)) => serde_json::from_str(&json)
                .inspect_err(
                    |e| tracing::warn!(kind = self.kind, error = %e, "flash value unreadable"),
                )
                .ok(),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(kind = self.kind, error = %e, "flash value not read");
                None
            }
        }
    }
}

/// Writes started while a request is answered that must be done before
/// its answer leaves (flash values of the synchronous error path). The
/// server puts one in every request's extensions and awaits it.
#[derive(Debug, Clone, Default)]
pub struct PendingWrites(Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>);

impl PendingWrites {
    fn push(&self, write: tokio::task::JoinHandle<()>) {
        if let Ok(mut writes) = self.0.lock() {
            writes.push(write);
        }
    }

    /// Waits for every write started so far.
    pub async fn finish(&self) {
        let writes: Vec<_> = match self.0.lock() {
            Ok(mut writes) => writes.drain(..).collect(),
            Err(_) => return,
        };
        for write in writes {
            if let Err(e) = write.await {
                tracing::error!(error = %e, "flash write failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Flash, PendingWrites};
    use std::time::Duration;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const NUMBERS: Flash<u32> = Flash::new("test", Duration::from_secs(60), 3);

    #[tokio::test]
    async fn values_come_back_by_token_from_any_handle_and_secrets_once() -> TestResult {
        let store = capacity_store::Store::open_in_memory().await?;
        let first = NUMBERS.keep(&store, &1).await?;
        let second = NUMBERS.keep(&store.clone(), &2).await?;
        assert_ne!(first, second);
        assert_eq!(first.len(), 32);
        assert_eq!(NUMBERS.get(&store, &first).await, Some(1));
        assert_eq!(NUMBERS.get(&store, &first).await, Some(1), "read twice");
        assert_eq!(NUMBERS.get(&store, &second).await, Some(2));
        assert_eq!(NUMBERS.get(&store, "nope").await, None);
        assert_eq!(NUMBERS.get(&store, &"a".repeat(200)).await, None);
        assert_eq!(NUMBERS.take(&store, &second).await, Some(2));
        assert_eq!(NUMBERS.take(&store, &second).await, None, "taken once");
        for i in 0..3 {
            NUMBERS.keep(&store, &(100 + i)).await?;
        }
        assert_eq!(NUMBERS.get(&store, &first).await, None, "dropped past KEPT");
        Ok(())
    }

    #[tokio::test]
    async fn a_value_kept_later_is_there_once_the_pending_writes_are_done() -> TestResult {
        let store = capacity_store::Store::open_in_memory().await?;
        let pending = PendingWrites::default();
        let token = NUMBERS.keep_later(&store, &7, Some(&pending));
        pending.finish().await;
        assert_eq!(NUMBERS.get(&store, &token).await, Some(7));
        Ok(())
    }
}
