//! Shared components, one per file, grouped by feature.

pub mod common;
pub mod connection;
pub mod in_place;
pub mod layout;
pub mod workshop;
