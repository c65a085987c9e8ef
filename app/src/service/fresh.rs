//! Fresh reads that concurrent requests share: one query answers every
//! request that was waiting for it, and none is answered from before it
//! asked.
//!
//! The page cache's keys (the store's generation; a results page's
//! revisions, [`super::results::page_revisions`]) are read from the
//! database on every request, so that a write through any server on it is
//! seen by the next request. Under load many requests ask for the same key
//! at once, and each of those reads is a round trip to the database (two
//! on PostgreSQL, whose connections sqlx pings on their way back to the
//! pool) while the database and the server share the same cores.
//!
//! [`Fresh::read`] lets a request take the answer of a query that
//! *started after the request arrived*: that query sees every write
//! committed before the request arrived, exactly as the request's own
//! query would have. Requests for one key queue behind the query in
//! flight; when it ends, the first in line runs the next query, and the
//! others that arrived before it started take its answer — a group commit
//! for reads. One hot key then costs about one query per query time,
//! whatever the number of readers, and a request waits at most for the
//! query in flight and its own. Errors are not shared: the next in line
//! asks again. Keys share a fixed number of stripes (a collision only
//! costs a query), so addresses chosen by readers cannot grow it.

use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU64, Ordering};

/// The last answer of a stripe and when its query started.
#[derive(Debug)]
struct Last<K, V> {
    key: K,
    /// The ticket its query took as it started.
    started: u64,
    value: V,
}

/// One stripe: the last answer of the keys that fall in it.
type Stripe<K, V> = tokio::sync::Mutex<Option<Last<K, V>>>;

/// Shared fresh reads of values of type `V` under keys `K`.
#[derive(Debug)]
pub struct Fresh<K, V> {
    /// One ticket per request as it arrives and per query as it starts:
    /// an answer serves the requests whose ticket is smaller than its
    /// query's.
    tickets: AtomicU64,
    stripes: Box<[Stripe<K, V>]>,
    hasher: std::hash::RandomState,
}

impl<K: Eq + Hash, V: Clone> Fresh<K, V> {
    /// Shared reads over `stripes` stripes (at least one).
    pub fn new(stripes: usize) -> Self {
        Self {
            tickets: AtomicU64::new(0),
            stripes: (0..stripes.max(1))
                .map(|_| tokio::sync::Mutex::new(None))
                .collect(),
            hasher: std::hash::RandomState::new(),
        }
    }

    /// The value under `key` as `query` reads it: from a query that
    /// started after this call, this one's or one it waited for.
    pub async fn read<E, F>(&self, key: K, query: impl FnOnce() -> F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        // Acquire and release: whatever happened before this request
        // (the write it must see) happens before a query whose ticket is
        // larger.
        let arrived = self.tickets.fetch_add(1, Ordering::AcqRel);
        let stripe = self.hasher.hash_one(&key) as usize % self.stripes.len().max(1);
        let Some(stripe) = self.stripes.get(stripe) else {
            return query().await;
        };
        let mut last = stripe.lock().await;
        if let Some(last) = &*last
            && last.key == key
            && last.started > arrived
        {
            return Ok(last.value.clone());
        }
        let started = self.tickets.fetch_add(1, Ordering::AcqRel);
        let value = query().await?;
        *last = Some(Last {
            key,
            started,
            value: value.clone(),
        });
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::time::Duration;

    use super::Fresh;

    /// A "database" value that a writer moves while readers read it
    /// through [`Fresh`], each query taking a while.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_reader_gets_a_value_older_than_its_request_and_queries_are_shared() {
        let fresh = Arc::new(Fresh::<u8, u64>::new(4));
        let value = Arc::new(AtomicU64::new(0));
        let queries = Arc::new(AtomicUsize::new(0));
        let writer = {
            let value = Arc::clone(&value);
            tokio::spawn(async move {
                for _ in 0..50 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    value.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        let readers: Vec<_> = (0..200)
            .map(|i| {
                let (fresh, value, queries) =
                    (Arc::clone(&fresh), Arc::clone(&value), Arc::clone(&queries));
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_micros(250 * (i % 40))).await;
                    // What a request arriving now must see at least.
                    let committed = value.load(Ordering::SeqCst);
                    let read = fresh
                        .read(7, || async {
                            queries.fetch_add(1, Ordering::SeqCst);
                            let v = value.load(Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            Ok::<_, ()>(v)
                        })
                        .await;
                    (committed, read)
                })
            })
            .collect();
        for reader in readers {
            let (committed, read) = reader.await.expect("reader");
            let read = read.expect("no query fails here");
            assert!(
                read >= committed,
                "a request arriving at value {committed} was answered {read}"
            );
        }
        writer.await.expect("writer");
        let queries = queries.load(Ordering::SeqCst);
        assert!(
            queries < 100,
            "200 readers of one key made {queries} queries: none were shared"
        );
    }

    #[tokio::test]
    async fn an_error_is_not_shared_and_other_keys_are_read_apart() {
        let fresh = Fresh::<i64, &'static str>::new(1);
        let failed = fresh.read(1, || async { Err::<&str, _>("down") }).await;
        assert_eq!(failed, Err("down"));
        // A request after the failure queries again, and gets its answer.
        assert_eq!(
            fresh.read(1, || async { Ok::<_, ()>("one") }).await,
            Ok("one")
        );
        // Another key on the same stripe is not answered with key 1's value.
        assert_eq!(
            fresh.read(2, || async { Ok::<_, ()>("two") }).await,
            Ok("two")
        );
        // A request arriving after a query has ended queries anew.
        assert_eq!(
            fresh.read(2, || async { Ok::<_, ()>("new") }).await,
            Ok("new")
        );
    }
}
