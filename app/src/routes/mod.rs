//! Pages, one file a section of the navigation.

pub mod account;
pub mod campaigns;
pub mod communes;
pub mod compare;
pub mod evaluate;
pub mod history;
pub mod home;
pub mod not_found;
pub mod plan;
pub mod register;
pub mod results;
pub mod rubric;
pub mod verification;
pub mod workshop;
