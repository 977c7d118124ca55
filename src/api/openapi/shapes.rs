//! Schema shapes that utoipa cannot derive, made from the derived ones so
//! they cannot drift from them:
//!
//! - `XPage` for utoipa's `Page_X`: utoipa inlines a generic type argument,
//!   which gave generated clients one copy of the item class per page type
//!   (and an underscore name the ADR's naming rule rejects); the page now
//!   refers to its item schema.
//! - `XPatch` for the bodies of merge patches: the fields of `XInput`, none
//!   of them required (nested objects likewise, since a merge patch merges
//!   them too), so a client can type a partial update. Optional fields are
//!   already nullable: `null` removes them.

use serde_json::{Map, Value};

const SCHEMAS: &str = "#/components/schemas/";

/// Reshapes the spec's schemas in place (see the module documentation).
pub fn reshape(spec: &mut Value) {
    name_pages(spec);
    add_patch_bodies(spec);
}

fn schemas(spec: &mut Value) -> &mut Map<String, Value> {
    spec.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .expect("the spec has component schemas")
}

fn name_pages(spec: &mut Value) {
    let generic: Vec<String> = schemas(spec)
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    let mut renamed = Vec::new();
    for old in generic {
        let item = old.trim_start_matches("Page_").to_owned();
        let mut page = schemas(spec).remove(&old).expect("listed above");
        page["description"] = Value::String(format!("One page of a list of `{item}`."));
        page["properties"]["items"]["items"] = reference(&item);
        let new = format!("{item}Page");
        schemas(spec).insert(new.clone(), page);
        renamed.push((format!("{SCHEMAS}{old}"), format!("{SCHEMAS}{new}")));
    }
    rewrite_refs(spec, &renamed);
}

fn add_patch_bodies(spec: &mut Value) {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return;
    };
    let mut inputs: Vec<String> = paths
        .values()
        .filter_map(|item| item.get("patch")?.pointer("/requestBody/content"))
        .filter_map(Value::as_object)
        .flat_map(|content| content.values())
        .filter_map(|media| media.pointer("/schema/$ref")?.as_str())
        .filter_map(|target| target.strip_prefix(SCHEMAS))
        .filter(|name| name.ends_with("Input"))
        .map(str::to_owned)
        .collect();
    inputs.sort();
    inputs.dedup();
    for input in inputs {
        let patch = patch_schema(spec, &input);
        let target = format!("{SCHEMAS}{patch}");
        let old = format!("{SCHEMAS}{input}");
        for item in spec["paths"]
            .as_object_mut()
            .into_iter()
            .flat_map(|p| p.values_mut())
        {
            let Some(content) = item
                .pointer_mut("/patch/requestBody/content")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for media in content.values_mut() {
                if media.pointer("/schema/$ref").and_then(Value::as_str) == Some(old.as_str()) {
                    media["schema"] = reference_to(&target);
                }
            }
        }
    }
}

/// Adds `<Name>Patch` (and a patch form of every object it embeds) and
/// returns its name.
fn patch_schema(spec: &mut Value, name: &str) -> String {
    let patch = format!("{}Patch", name.trim_end_matches("Input"));
    if schemas(spec).contains_key(&patch) {
        return patch;
    }
    let mut schema = schemas(spec)[name].clone();
    // Claim the name first: a schema that embeds itself ends here.
    schemas(spec).insert(patch.clone(), Value::Null);
    if let Some(object) = schema.as_object_mut() {
        object.remove("required");
        let described = object
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        object.insert(
            "description".to_owned(),
            Value::String(format!(
                "A JSON merge patch (RFC 7396) of `{name}`: only the fields to change. \
`null` removes an optional field; an object is merged into the current one, \
an array replaces the current one.\n\n{described}"
            )),
        );
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            patch_embedded(spec, property);
        }
    }
    schemas(spec).insert(patch.clone(), schema);
    patch
}

/// Points a property at the patch form of an object schema it refers to
/// (directly or as a nullable `oneOf`); arrays and enums stay as they are.
fn patch_embedded(spec: &mut Value, property: &mut Value) {
    if let Some(alternatives) = property.get_mut("oneOf").and_then(Value::as_array_mut) {
        for alternative in alternatives {
            patch_embedded(spec, alternative);
        }
        return;
    }
    let Some(name) = property
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix(SCHEMAS))
        .map(str::to_owned)
    else {
        return;
    };
    let embeds_required = schemas(spec).get(&name).is_some_and(|schema| {
        schema.get("properties").is_some() && schema.get("required").is_some()
    });
    if embeds_required {
        let patch = patch_schema(spec, &name);
        property["$ref"] = Value::String(format!("{SCHEMAS}{patch}"));
    }
}

fn reference(name: &str) -> Value {
    reference_to(&format!("{SCHEMAS}{name}"))
}

fn reference_to(target: &str) -> Value {
    serde_json::json!({ "$ref": target })
}

fn rewrite_refs(value: &mut Value, renamed: &[(String, String)]) {
    match value {
        Value::Object(object) => {
            for (key, inner) in object.iter_mut() {
                if key == "$ref"
                    && let Value::String(target) = inner
                    && let Some((_, new)) = renamed.iter().find(|(old, _)| old == target)
                {
                    *target = new.clone();
                } else {
                    rewrite_refs(inner, renamed);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|inner| rewrite_refs(inner, renamed)),
        _ => {}
    }
}
