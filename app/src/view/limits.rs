//! The documented limits of what people may type, shared by the pages
//! (`maxlength`, so the browser says it first) and the service, which
//! enforces them on every save (`service::limits`).

/// Evidence of a rating, a consensus justification, a comment: at most this
/// many characters (about four printed pages).
pub const TEXT: usize = 10_000;
/// A person's name.
pub const NAME: usize = 120;
/// A round's label (`2026`, `2026-bis`…).
pub const ROUND: usize = 40;
/// Raters in one assessment.
pub const RATERS: usize = 12;
