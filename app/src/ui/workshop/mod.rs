//! Components of the workshop.

pub mod entry;
