//! Building blocks for documenting parameters, used where the parameters
//! are read.

use utoipa::openapi::ObjectBuilder;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};

/// A request header as the spec documents it.
pub fn header_parameter(
    name: &str,
    required: bool,
    description: &str,
    schema: ObjectBuilder,
    example: serde_json::Value,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(schema))
        .example(Some(example))
        .build()
}
