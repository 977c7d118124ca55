//! How domain values are stored: the first piece of the store layer.

pub mod enums;
pub mod errors;
