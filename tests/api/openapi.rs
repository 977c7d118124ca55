//! The committed spec matches the code, is served, and follows the rules
//! the API promises (NL GOV API Design Rules where they apply).

use serde_json::Value;

use crate::support::spawn;

const REGENERATE: &str = "cargo run -- openapi > openapi/openapi.json";

fn generated() -> Value {
    serde_json::to_value(aimd_registry::api::openapi::spec()).expect("spec serialises")
}

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{path} is missing; run `{REGENERATE}`"));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{path} is not JSON ({e}); run `{REGENERATE}`"))
}

#[test]
fn committed_spec_matches_the_code() {
    assert!(
        committed() == generated(),
        "openapi/openapi.json differs from what the code generates; regenerate it with `{REGENERATE}` and commit it"
    );
}

#[actix_web::test]
async fn the_spec_and_the_docs_are_served() {
    let app = spawn().await;
    let served = app.get("/v1/openapi.json").await;
    served.expect(200);
    assert_eq!(served.json(), generated());
    // The docs answer at their address without a trailing slash, and the
    // page's relative references to its scripts and styles resolve.
    let page = app.get("/v1/docs").await;
    page.expect(200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8_lossy(&page.body).into_owned();
    assert!(html.contains("swagger-ui"));
    assert!(html.contains(r#"<base href="/v1/docs/">"#), "{html}");
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("./"))
        .collect();
    assert!(assets.len() >= 3, "{assets:?}");
    for asset in assets {
        let reply = app
            .get_owned(format!("/v1/docs/{}", asset.trim_start_matches("./")))
            .await;
        assert_eq!(reply.status, 200, "{asset}");
    }
    app.get("/v1/docs/").await.expect(200);
    app.send(
        actix_web::test::TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/v1/docs"),
    )
    .await
    .expect(200);
    let config = app.get("/v1/docs/swagger-initializer.js").await;
    config.expect(200);
    assert!(String::from_utf8_lossy(&config.body).contains("/v1/openapi.json"));
}

fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((path.clone(), method.clone(), operation));
        }
    }
    found
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .expect("reference resolves"),
        None => value,
    }
}

/// A media type is exemplified by its own example, its schema's, or (for a
/// page) the example of the items' schema.
fn has_example(spec: &Value, content: &Value) -> bool {
    let schema = resolve(spec, &content["schema"]);
    let items = &schema["properties"]["items"]["items"];
    content.get("example").is_some()
        || schema.get("example").is_some()
        || (items.is_object() && resolve(spec, items).get("example").is_some())
}

#[test]
fn info_servers_and_paths_follow_the_design_rules() {
    let spec = generated();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let info = &spec["info"];
    for field in ["name", "url", "email"] {
        assert!(
            info["contact"][field]
                .as_str()
                .is_some_and(|v| !v.is_empty()),
            "contact.{field}"
        );
    }
    assert!(info["description"].as_str().unwrap().len() > 100);
    assert!(
        info["license"]["name"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    let version: Vec<&str> = info["version"].as_str().unwrap().split('.').collect();
    assert!(
        version.len() == 3 && version.iter().all(|p| p.parse::<u32>().is_ok()),
        "semver info.version"
    );
    assert!(spec["servers"][0]["url"].as_str().unwrap().ends_with("/v1"));
    for path in spec["paths"].as_object().unwrap().keys() {
        assert!(!path.ends_with('/'), "{path} has a trailing slash");
        for segment in path
            .split('/')
            .filter(|s| !s.is_empty() && !s.starts_with('{'))
        {
            assert!(
                segment.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{path}: '{segment}' is not kebab-case"
            );
        }
    }
}

/// Swagger UI lists the tags in the spec's order: as a reader meets them.
#[test]
fn tags_come_in_the_order_a_reader_meets_them() {
    let spec = generated();
    let tags: Vec<&str> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "search",
            "initiatives",
            "organisations",
            "experts",
            "connecting",
            "reviews",
            "topics",
            "overview",
            "changes",
            "exports",
            "imports",
            "webhooks",
            "api-keys",
            "health"
        ]
    );
    // Every operation is under one of them.
    for (_, _, operation) in operations(&spec) {
        let tag = operation["tags"][0].as_str().unwrap();
        assert!(tags.contains(&tag), "{tag}");
    }
}

#[test]
fn every_operation_is_documented_with_errors_headers_and_examples() {
    let spec = generated();
    let mut operation_ids = std::collections::HashSet::new();
    for (path, method, operation) in operations(&spec) {
        let at = format!("{method} {path}");
        assert!(
            operation_ids.insert(operation["operationId"].as_str().expect(&at).to_owned()),
            "{at}: duplicate operationId"
        );
        assert!(
            operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{at}: tag"
        );
        assert!(
            operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{at}: summary"
        );
        let responses = operation["responses"].as_object().unwrap();
        assert!(responses.contains_key("400"), "{at}: documented 400");
        assert!(responses.contains_key("500"), "{at}: documented 500");
        for (status, response) in responses {
            let response = resolve(&spec, response);
            for header in ["API-Version", "X-Request-Id"] {
                assert!(
                    response["headers"][header].is_object(),
                    "{at} {status}: {header} header"
                );
            }
            // A readiness probe's 503 is a health report, not a problem.
            let health = response["content"].get("application/health+json").is_some();
            if (status.starts_with('4') || status.starts_with('5')) && !health {
                let problem = &response["content"]["application/problem+json"];
                assert_eq!(
                    problem["schema"]["$ref"], "#/components/schemas/Problem",
                    "{at} {status}"
                );
            }
            if let Some(content) = response["content"].get("application/json") {
                assert!(has_example(&spec, content), "{at} {status}: example");
            }
        }
        if let Some(body) = operation.get("requestBody") {
            for (media, content) in body["content"].as_object().unwrap() {
                assert!(
                    has_example(&spec, content),
                    "{at}: request body {media} example"
                );
            }
        }
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            assert!(
                parameter["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{at}: {parameter} description"
            );
            let name = parameter["name"].as_str().unwrap();
            let has_example = parameter.get("example").is_some()
                || parameter["schema"].get("example").is_some()
                || parameter["schema"].get("default").is_some();
            // Values that must be the caller's own are illustrated in the
            // description (Swagger UI would send an example); ids no demo
            // has say where to find one.
            let description = parameter["description"].as_str().unwrap_or_default();
            let illustrated = description.contains("(for example `")
                || description.contains(", as listed by `GET ");
            assert!(
                has_example || illustrated || name == "cursor",
                "{at}: {name} example"
            );
            if parameter["in"] == "query" {
                assert!(
                    name.chars().next().unwrap().is_ascii_lowercase() && !name.contains(['-', '_']),
                    "{at}: {name} is not lowerCamelCase"
                );
            }
        }
    }
    assert!(operation_ids.len() >= 25);
}

#[test]
fn problem_schema_and_date_fields() {
    let spec = generated();
    let problem = &spec["components"]["schemas"]["Problem"];
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["status", "title", "detail"] {
        assert!(required.contains(&field), "Problem requires {field}");
    }
    for (schema, field) in [
        ("InitiativeInput", "startDate"),
        ("InitiativeInput", "endDate"),
        ("Initiative", "startDate"),
        ("AffiliationInput", "since"),
        ("Affiliation", "until"),
    ] {
        assert_eq!(
            spec["components"]["schemas"][schema]["properties"][field]["format"], "date",
            "{schema}.{field}"
        );
    }
    // JSON properties are lowerCamelCase everywhere.
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for property in schema["properties"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.keys())
        {
            assert!(
                property.chars().next().unwrap().is_ascii_lowercase()
                    && !property.contains(['-', '_']),
                "{name}.{property} is not lowerCamelCase"
            );
        }
    }
}

#[test]
fn enum_values_are_the_wire_values() {
    let spec = generated();
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["Scope"]["enum"],
        serde_json::json!(["national", "european", "international"])
    );
    assert_eq!(
        schemas["Relation"]["enum"],
        serde_json::json!([
            "part-of",
            "has-part",
            "succeeds",
            "succeeded-by",
            "related-to"
        ])
    );
    for (name, schema) in schemas.as_object().unwrap() {
        // Sort orders name fields as JSON spells them (lowerCamelCase, a
        // leading `-` for descending): they are checked against the lists
        // in tests/api/fields.rs instead.
        if name.ends_with("Sort") {
            continue;
        }
        for value in schema["enum"].as_array().into_iter().flatten() {
            let value = value.as_str().unwrap();
            assert!(
                value
                    .split('-')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase())),
                "{name}: '{value}' is not a kebab-case wire value"
            );
        }
    }
}

#[test]
fn every_reference_in_the_spec_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(object) => {
                if let Some(Value::String(target)) = object.get("$ref") {
                    found.push(target);
                }
                object.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let spec = generated();
    let mut found = Vec::new();
    refs(&spec, &mut found);
    assert!(found.len() > 50);
    for target in found {
        let pointer = target.trim_start_matches('#');
        assert!(spec.pointer(pointer).is_some(), "{target} does not resolve");
    }
}

#[test]
fn schema_names_are_upper_camel_case_and_pages_refer_to_their_items() {
    let spec = generated();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for name in schemas.keys() {
        assert!(
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "schema name {name} is not UpperCamelCase"
        );
    }
    for (page, item) in [
        ("InitiativePage", "Initiative"),
        ("OrganisationPage", "Organisation"),
        ("ExpertPage", "Expert"),
        ("SearchHitPage", "SearchHit"),
    ] {
        assert_eq!(
            schemas[page]["properties"]["items"]["items"]["$ref"],
            format!("#/components/schemas/{item}"),
            "{page} repeats its item schema instead of referring to it"
        );
    }
}

/// Every enum is one named schema that parameters and properties refer to,
/// so a generated client has one type per vocabulary.
#[test]
fn enums_are_shared_schemas() {
    fn inline_enums(value: &Value, at: &str, found: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if object.contains_key("enum") {
                    found.push(at.to_owned());
                }
                for (key, inner) in object {
                    inline_enums(inner, &format!("{at}/{key}"), found);
                }
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    inline_enums(inner, &format!("{at}/{i}"), found);
                }
            }
            _ => {}
        }
    }
    let spec = generated();
    let mut found = Vec::new();
    inline_enums(&spec["paths"], "paths", &mut found);
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        for (property, inner) in schema["properties"].as_object().into_iter().flatten() {
            inline_enums(inner, &format!("{name}/{property}"), &mut found);
        }
    }
    assert!(found.is_empty(), "enums written inline: {found:?}");
}

/// A merge patch names only the fields it changes: its schema has the
/// input's properties and requires none of them, nor of the objects inside.
#[test]
fn patch_bodies_are_partial_forms_of_the_inputs() {
    let spec = generated();
    let schemas = &spec["components"]["schemas"];
    for (path, kind) in [
        ("/organisations/{id}", "Organisation"),
        ("/experts/{id}", "Expert"),
        ("/initiatives/{id}", "Initiative"),
    ] {
        let content = spec["paths"][path]["patch"]["requestBody"]["content"]
            .as_object()
            .unwrap();
        for media in content.values() {
            assert_eq!(
                media["schema"]["$ref"],
                format!("#/components/schemas/{kind}Patch")
            );
        }
        let patch = &schemas[format!("{kind}Patch")];
        let input = &schemas[format!("{kind}Input")];
        assert!(input["required"].is_array(), "{kind}Input requires fields");
        assert!(
            patch.get("required").is_none(),
            "{kind}Patch requires fields"
        );
        let names = |schema: &Value| {
            schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(names(patch), names(input));
        assert_eq!(patch["additionalProperties"], false);
    }
    assert!(schemas["Consent"]["required"].is_array());
    assert!(schemas["ConsentPatch"].get("required").is_none());
    assert_eq!(
        schemas["ExpertPatch"]["properties"]["consent"]["oneOf"][0]["$ref"],
        "#/components/schemas/ConsentPatch"
    );
}
