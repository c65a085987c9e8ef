//! The data pages show, as plain serialisable types: made on the server by
//! the service layer ([`crate::service`]), carried by server functions
//! (`api/`) and rendered by pages and islands. Compiled for both the
//! server and the browser; nothing here reads the store or the request.

pub mod account;
pub mod campaigns;
pub mod communes;
pub mod compare;
pub mod limits;
pub mod plan;
pub mod register;
pub mod results;
pub mod rubrics;
pub mod verification;
pub mod workshop;
