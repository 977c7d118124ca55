//! Building blocks for documenting parameters, used where the parameters
//! are read.

use utoipa::openapi::ObjectBuilder;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};

fn header(
    name: &str,
    required: bool,
    description: String,
    schema: ObjectBuilder,
) -> ParameterBuilder {
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
}

/// A request header as the spec documents it.
pub fn header_parameter(
    name: &str,
    required: bool,
    description: &str,
    schema: ObjectBuilder,
    example: serde_json::Value,
) -> Parameter {
    header(name, required, description.to_owned(), schema)
        .example(Some(example))
        .build()
}

/// A request header whose value must be the caller's own (a version it
/// read, a key it made up, its own words): the illustration goes into the
/// description, not into `example`, because Swagger UI pre-fills every
/// example and "Try it out" would then send ours.
pub fn own_value_header(
    name: &str,
    required: bool,
    description: &str,
    schema: ObjectBuilder,
    illustration: &str,
) -> Parameter {
    let description = format!("{description} (for example `{illustration}`)");
    header(name, required, description, schema).build()
}
