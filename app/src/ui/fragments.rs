//! Rendered parts of pages kept for every reader with the same rights.
//!
//! A page component renders a part that depends only on the data and the
//! reader's rights once, keeps its HTML here, and inserts it as it is into
//! every page that shows the same (the results page's body). The server
//! provides one [`Fragments`] to every render as a context; the pages
//! find it there, so this sits below them and needs nothing of the
//! server.
//!
//! Server only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Rendered parts of pages, by what they show: the part of a page that
/// depends on the data and the reader's rights only, not on who reads it
/// or the address asked for, rendered once and inserted as it is into
/// every page that shows the same. The page cache (`server::cache`) keeps
/// whole pages per reader and address; these are shared by every reader with the same
/// rights, so a results page asked for with a new query string, by a new
/// reader or after a save in another commune costs the render of its
/// frame only. Provided to renders as a context (`server::app`).
///
/// A part is kept under a key its page builds from what the part shows
/// (for a results page, [`crate::view::results::ResultsView::identity`]
/// and the rights it depends on); equal keys must mean equal HTML. Parts
/// are dropped all at once past [`FRAGMENT_BYTES`].
#[derive(Debug, Clone, Default)]
pub struct Fragments(Arc<Mutex<FragmentMap>>);

#[derive(Debug, Default)]
struct FragmentMap {
    parts: HashMap<String, Arc<str>>,
    bytes: usize,
}

/// Bytes of rendered parts kept at most (a results page's part is about
/// 200 kB: some 160 of them).
pub const FRAGMENT_BYTES: usize = 32 * 1024 * 1024;

impl Fragments {
    /// The part kept under `key`, else `render`'s, kept.
    pub fn get_or_render(&self, key: String, render: impl FnOnce() -> String) -> Arc<str> {
        if let Some(part) = self.0.lock().ok().and_then(|m| m.parts.get(&key).cloned()) {
            return part;
        }
        let part: Arc<str> = render().into();
        if let Ok(mut map) = self.0.lock() {
            if map.bytes + part.len() > FRAGMENT_BYTES {
                map.parts.clear();
                map.bytes = 0;
            }
            if part.len() <= FRAGMENT_BYTES && map.parts.insert(key, Arc::clone(&part)).is_none() {
                map.bytes += part.len();
            }
        }
        part
    }
}

#[cfg(test)]
mod tests {
    use super::{FRAGMENT_BYTES, Fragments};

    #[test]
    fn a_part_is_rendered_once_per_key_and_all_go_past_the_budget() {
        let parts = Fragments::default();
        let mut renders = 0;
        let mut render = |text: &str| {
            renders += 1;
            text.to_owned()
        };
        assert_eq!(&*parts.get_or_render("a".into(), || render("A")), "A");
        assert_eq!(&*parts.get_or_render("a".into(), || render("other")), "A");
        assert_eq!(&*parts.get_or_render("b".into(), || render("B")), "B");
        assert_eq!(renders, 2);
        // A part that would pass the budget empties the map first.
        let big = "x".repeat(FRAGMENT_BYTES - 1);
        assert_eq!(
            parts.get_or_render("big".into(), || big.clone()).len(),
            big.len()
        );
        assert_eq!(
            &*parts.get_or_render("a".into(), || "A again".to_owned()),
            "A again"
        );
    }
}
