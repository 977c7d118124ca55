//! Workflows not yet split into their API, registry and store parts.

pub mod exports;
pub mod imports;
pub mod links;
pub mod overview;
pub mod search;
