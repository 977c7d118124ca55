//! A step of the review-and-publish workflow, as a client asks for it.

use serde_json::Value;
use utoipa::ToSchema;

use crate::domain::enums::PublicationAction;
use crate::domain::input::ObjectReader;
use crate::domain::values::Text;
use crate::error::ApiResult;

type Message = Text<1000, true>;

/// A workflow step, with an optional message that is kept in the history
/// (it takes the place of `X-Change-Message`).
#[derive(Debug, ToSchema)]
#[schema(example = json!({"action": "approve", "message": "Checked against the Official Journal"}))]
pub struct PublicationStep {
    /// submit: draft → in-review (curator); approve: in-review → published;
    /// reject: in-review → draft; archive: published → archived;
    /// restore: archived → published (editor).
    pub action: PublicationAction,
    /// Why; for a rejection, what to mend.
    #[schema(value_type = Option<String>, max_length = 1000, required = false)]
    pub message: Option<Message>,
}

impl PublicationStep {
    pub fn parse(body: &Value) -> ApiResult<Self> {
        let mut reader = ObjectReader::new(body, &["action", "message"])?;
        let action = reader.required("action");
        let message = reader.optional("message");
        reader.finish(|| {
            Some(Self {
                action: action?,
                message,
            })
        })
    }
}
