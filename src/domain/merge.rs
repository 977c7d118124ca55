//! Which record a duplicate is merged into, as a client asks for it.

use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::input::single_field;
use crate::error::ApiResult;

/// Which record a duplicate is merged into.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"into": "01938b1e-7f00-7aaa-8000-000000000002"}))]
pub struct MergeRequest {
    /// The surviving record, of the same kind, live and not merged itself.
    pub into: Uuid,
}

impl MergeRequest {
    pub fn parse(body: &Value) -> ApiResult<Self> {
        single_field(body, "into").map(|into| Self { into })
    }
}
