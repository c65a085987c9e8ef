//! Flash values: what a plain form save has to tell the page its redirect
//! opens (entries refused as stale, a plan save's outcome), kept in memory
//! under a token carried in the redirect's query string.
//!
//! A token is unguessable enough for a shared workshop computer (a counter
//! mixed with the clock through a hasher seeded at random by the standard
//! library); values are short-lived: the oldest go first past
//! [`Flash::KEPT`]. Nothing here survives a restart, which only means the
//! page after a restart does not repeat what the person just saw.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Values of type `T` kept for the next page.
#[derive(Debug)]
pub struct Flash<T> {
    inner: Arc<Mutex<VecDeque<(String, T)>>>,
    /// How many values are kept.
    kept: usize,
    next: Arc<AtomicU64>,
    hasher: std::collections::hash_map::RandomState,
}

impl<T> Clone for Flash<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            kept: self.kept,
            next: Arc::clone(&self.next),
            hasher: self.hasher.clone(),
        }
    }
}

impl<T> Default for Flash<T> {
    fn default() -> Self {
        Self::bounded(Self::KEPT)
    }
}

impl<T> Flash<T> {
    /// How many values are kept by default (oldest dropped first).
    pub const KEPT: usize = 256;

    /// Keeps at most `kept` values (for large ones).
    pub fn bounded(kept: usize) -> Self {
        Self {
            inner: Arc::default(),
            kept,
            next: Arc::default(),
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }
}

impl<T: Clone> Flash<T> {
    /// Keeps a value; returns its token.
    pub fn keep(&self, value: T) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut h = self.hasher.build_hasher();
        h.write_u64(n);
        h.write_u128(nanos);
        let token = format!("{n:x}-{:016x}", h.finish());
        if let Ok(mut kept) = self.inner.lock() {
            kept.push_back((token.clone(), value));
            while kept.len() > self.kept {
                kept.pop_front();
            }
        }
        token
    }

    /// The value of a token (None when unknown or dropped).
    pub fn get(&self, token: &str) -> Option<T> {
        self.inner
            .lock()
            .ok()?
            .iter()
            .find(|(t, _)| t == token)
            .map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::Flash;

    #[test]
    fn values_come_back_by_token_and_the_oldest_go_first() {
        let flash = Flash::<u32>::default();
        let first = flash.keep(1);
        let second = flash.clone().keep(2);
        assert_ne!(first, second);
        assert_eq!(flash.get(&first), Some(1));
        assert_eq!(flash.get(&second), Some(2));
        assert_eq!(flash.get("nope"), None);
        for i in 0..Flash::<u32>::KEPT {
            flash.keep(100 + i as u32);
        }
        assert_eq!(flash.get(&first), None, "dropped past KEPT");
    }
}
