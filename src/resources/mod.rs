//! The API's resources, one module each: handlers in `mod.rs`, types in
//! `model.rs`, SQL in `repo.rs`. Links and shared record mechanics live in
//! `links`, `records` and `editing`.

pub mod api_keys;
pub mod crud;
pub mod erasure;
pub mod experts;
pub mod exports;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod links;
pub mod merge;
pub mod organisations;
pub mod overview;
pub mod publication;
pub mod search;
pub mod topics;
