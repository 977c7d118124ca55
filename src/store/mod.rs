//! How domain values are stored: the first piece of the store layer.

pub mod api_keys;
pub mod discovery;
pub mod enums;
pub mod erasure;
pub mod errors;
pub mod experts;
pub mod history;
pub mod idempotency;
pub mod imports;
pub mod initiatives;
pub mod links;
pub mod organisations;
pub mod overview;
pub mod records;
pub mod search;
pub mod summaries;
pub mod topics;
