//! How domain values are stored: the first piece of the store layer.

pub mod api_keys;
pub mod discovery;
pub mod enums;
pub mod erasure;
pub mod errors;
pub mod experts;
pub mod history;
pub mod idempotency;
pub mod initiatives;
pub mod links;
pub mod organisations;
pub mod records;
pub mod summaries;
pub mod topics;
