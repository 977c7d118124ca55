//! The version a change is based on, and the 412 when it is not current.

use crate::error::{ApiError, ApiResult};

/// The version a client expects the record to have (`If-Match: "3"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Precondition(Option<i64>);

impl Precondition {
    /// 412 when the client based its change on another version than `current`.
    pub fn check(self, noun: &str, current: i64) -> ApiResult<()> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::PreconditionFailed(format!(
                "the {noun} is at version {current}, not {expected}; read it again and reapply your change"
            ))),
            _ => Ok(()),
        }
    }

    /// Any live version will do (`If-Match: *`): for changes that carry no
    /// version, such as an import naming records by id or key.
    pub fn any() -> Self {
        Self(None)
    }

    /// The client based its change on `version`.
    pub fn at(version: i64) -> Self {
        Self(Some(version))
    }
}
