//! Shared components, one per file, grouped by feature.

pub mod common;
pub mod connection;
#[cfg(feature = "ssr")]
pub mod fragments;
pub mod in_place;
pub mod layout;
pub mod workshop;
