//! The store layer: every statement the registry, the API and sync run,
//! per table or concern, and how domain values are read from and written to
//! the database.

pub mod api_keys;
pub mod archive;
pub mod enums;
pub mod erasure;
pub mod errors;
pub mod experts;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod imports;
pub mod index_rows;
pub mod initiatives;
pub mod links;
pub mod network;
pub mod organisations;
pub mod rate_limits;
pub mod records;
pub mod reviews;
pub mod similar;
pub mod suggestions;
pub mod summaries;
pub mod topics;
