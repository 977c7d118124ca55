//! How domain values are stored: the first piece of the store layer.

pub mod api_keys;
pub mod discovery;
pub mod enums;
pub mod errors;
pub mod history;
pub mod links;
pub mod records;
