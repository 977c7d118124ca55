//! Reading JSON bodies into domain types while collecting *every* problem, so a
//! client learns about all offending fields in one round trip.

use serde_json::{Map, Value};

use crate::error::{ApiError, InvalidParam};

/// A problem with one value, possibly deep inside it (`path` holds the segments
/// below the field that was being read, outermost first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: Vec<String>,
    pub code: &'static str,
    pub reason: String,
}

impl FieldError {
    pub fn new(code: &'static str, reason: impl Into<String>) -> Self {
        Self {
            path: Vec::new(),
            code,
            reason: reason.into(),
        }
    }

    pub fn wrong_type(expected: &str) -> Self {
        Self::new("wrong-type", format!("must be {expected}"))
    }

    /// Places this error below `segment` (an object key or array index).
    pub fn under(mut self, segment: impl Into<String>) -> Self {
        self.path.insert(0, segment.into());
        self
    }

    pub fn is_blank(&self) -> bool {
        self.code == "blank" && self.path.is_empty()
    }

    /// The invalidParams entry, named in JSON-pointer style relative to the body.
    pub fn into_param(self, field: &str) -> InvalidParam {
        let mut name = escape_pointer_segment(field);
        for segment in &self.path {
            name.push('/');
            name.push_str(&escape_pointer_segment(segment));
        }
        InvalidParam::new(name, self.code, self.reason)
    }
}

fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A type that can be read from one JSON value.
pub trait FromJson: Sized {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>>;
}

/// A record's id in a body (`{"into": "0193…"}`).
impl FromJson for uuid::Uuid {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        let raw = value
            .as_str()
            .ok_or_else(|| vec![FieldError::wrong_type("a record's id (a UUID)")])?;
        uuid::Uuid::try_parse(raw.trim()).map_err(|_| {
            vec![FieldError::new(
                "invalid-id",
                format!("'{raw}' is not a UUID"),
            )]
        })
    }
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, Vec<FieldError>> {
        value
            .as_bool()
            .ok_or_else(|| vec![FieldError::wrong_type("true or false")])
    }
}

/// Walks the fields of one JSON object. Unknown fields are reported when the
/// reader is created; each accessor records its own errors.
pub struct ObjectReader<'a> {
    object: &'a Map<String, Value>,
    errors: Vec<InvalidParam>,
}

impl<'a> ObjectReader<'a> {
    pub fn new(body: &'a Value, known_fields: &[&str]) -> Result<Self, ApiError> {
        let Value::Object(object) = body else {
            return Err(ApiError::BadRequest(
                "the request body must be a JSON object".to_owned(),
            ));
        };
        let errors = unknown_fields(object, known_fields);
        Ok(Self { object, errors })
    }

    fn record(&mut self, field: &str, errors: Vec<FieldError>) {
        self.errors
            .extend(errors.into_iter().map(|e| e.into_param(field)));
    }

    /// A field that must be present and non-blank.
    pub fn required<T: FromJson>(&mut self, field: &str) -> Option<T> {
        match self.object.get(field) {
            None | Some(Value::Null) => {
                self.error(field, "required", "is required");
                None
            }
            Some(value) => match T::from_json(value) {
                Ok(parsed) => Some(parsed),
                Err(errors) if errors.iter().any(FieldError::is_blank) => {
                    self.error(field, "required", "is required and must not be blank");
                    None
                }
                Err(errors) => {
                    self.record(field, errors);
                    None
                }
            },
        }
    }

    /// A field that may be absent, null or blank (all three mean "no value").
    pub fn optional<T: FromJson>(&mut self, field: &str) -> Option<T> {
        let value = self.object.get(field).filter(|v| !v.is_null())?;
        match T::from_json(value) {
            Ok(parsed) => Some(parsed),
            Err(errors) if errors.iter().any(FieldError::is_blank) => None,
            Err(errors) => {
                self.record(field, errors);
                None
            }
        }
    }

    /// An array field; absent or null reads as empty. Duplicates are dropped,
    /// keeping the first occurrence.
    pub fn list<T: FromJson + PartialEq>(&mut self, field: &str, max_items: usize) -> Vec<T> {
        self.list_with(field, max_items, T::from_json)
    }

    /// Like [`Self::list`], with a parser that may consult more than the value.
    pub fn list_with<T: PartialEq>(
        &mut self,
        field: &str,
        max_items: usize,
        parse: impl Fn(&Value) -> Result<T, Vec<FieldError>>,
    ) -> Vec<T> {
        let Some(value) = self.object.get(field).filter(|v| !v.is_null()) else {
            return Vec::new();
        };
        let Value::Array(items) = value else {
            self.record(field, vec![FieldError::wrong_type("an array")]);
            return Vec::new();
        };
        if items.len() > max_items {
            self.error(
                field,
                "too-many",
                format!("has {} items; at most {max_items} are allowed", items.len()),
            );
            return Vec::new();
        }
        let mut parsed: Vec<T> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match parse(item) {
                Ok(value) if !parsed.contains(&value) => parsed.push(value),
                Ok(_) => {}
                Err(errors) => self.record(
                    field,
                    errors
                        .into_iter()
                        .map(|e| e.under(index.to_string()))
                        .collect(),
                ),
            }
        }
        parsed
    }

    /// Records a rule broken across fields (e.g. an end before a start).
    pub fn error(&mut self, name: &str, code: &str, reason: impl Into<String>) {
        self.errors.push(InvalidParam::new(name, code, reason));
    }

    /// Whether `field` (or anything inside it) has been reported already.
    pub fn has_errors_for(&self, field: &str) -> bool {
        let nested = format!("{}/", escape_pointer_segment(field));
        self.errors
            .iter()
            .any(|e| e.name == field || e.name.starts_with(&nested))
    }

    /// Ends reading. `build` assembles the value from the fields read; it can
    /// only come up empty if a field already recorded an error.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.errors.is_empty() {
            return Err(ApiError::InvalidInput(self.errors));
        }
        build().ok_or_else(|| ApiError::internal("a field was missing without an error"))
    }
}

/// Reads a body that holds exactly one, required, field.
pub fn single_field<T: FromJson>(body: &Value, field: &str) -> Result<T, ApiError> {
    let mut reader = ObjectReader::new(body, &[field])?;
    let value = reader.required(field);
    reader.finish(|| value)
}

fn unknown_fields(object: &Map<String, Value>, known_fields: &[&str]) -> Vec<InvalidParam> {
    object
        .keys()
        .filter(|key| !known_fields.contains(&key.as_str()))
        .map(|key| {
            FieldError::new(
                "unknown-field",
                "is not a field of this resource (or is read-only)",
            )
            .into_param(key)
        })
        .collect()
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target_fields) = target {
        for (key, value) in patch_fields {
            if value.is_null() {
                target_fields.remove(key);
            } else {
                merge_patch(
                    target_fields.entry(key.clone()).or_insert(Value::Null),
                    value,
                );
            }
        }
    }
}

/// Refuses fields in a merge patch that the resource does not have, including
/// ones set to null (which a merge would otherwise drop silently).
/// `nested` names the object-valued fields and the keys they allow.
pub fn check_patch_fields(
    patch: &Value,
    known_fields: &[&str],
    nested: &[(&str, &[&str])],
) -> Result<(), ApiError> {
    let Value::Object(object) = patch else {
        return Err(ApiError::BadRequest(
            "a merge patch must be a JSON object".to_owned(),
        ));
    };
    let mut errors = unknown_fields(object, known_fields);
    for (field, allowed) in nested {
        if let Some(Value::Object(inner)) = object.get(*field) {
            errors.extend(unknown_fields(inner, allowed).into_iter().map(|mut p| {
                p.name = format!("{}/{}", escape_pointer_segment(field), p.name);
                p
            }));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396_examples() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (mut target, patch, expected) in cases {
            merge_patch(&mut target, &patch);
            assert_eq!(target, expected, "patch {patch}");
        }
    }

    #[test]
    fn pointer_names_escape_slashes_and_tildes() {
        let param = FieldError::new("x", "y").under("a/b~c").into_param("f");
        assert_eq!(param.name, "f/a~1b~0c");
    }
}
