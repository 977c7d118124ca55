//! Swagger UI's "Try it out" fills every parameter with its example. On a
//! registry started with `serve --demo`, every GET sent that way succeeds,
//! the lists' examples together find something, and every id an example
//! names exists in the demo data.

use actix_web::test::TestRequest;
use aimd_registry::demo;
use serde_json::Value;

use crate::support::spawn;

/// GETs whose ids only a running registry makes (subscriptions, their
/// deliveries, API keys): their parameters say where to find one instead
/// of naming an example that cannot exist.
const NO_DEMO_ID: &[&str] = &[
    "/api-keys/{id}",
    "/webhooks/{id}",
    "/webhooks/{id}/deliveries",
];

/// Lists whose examples describe one demo record together.
const FINDS_SOMETHING: &[&str] = &[
    "/initiatives",
    "/organisations",
    "/experts",
    "/search",
    "/overview",
];

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The request "Try it out" sends: path and query parameters, and headers,
/// from their examples; `None` when a required one has none.
fn request_from_examples(path: &str, operation: &Value) -> Option<(String, Vec<(String, String)>)> {
    let mut uri = format!("/v1{path}");
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap();
        let Some(example) = parameter.get("example") else {
            if parameter["required"] == true {
                return None;
            }
            continue;
        };
        match parameter["in"].as_str().unwrap() {
            "path" => uri = uri.replace(&format!("{{{name}}}"), &text(example)),
            "query" => match example {
                Value::Array(values) => query.extend(
                    values
                        .iter()
                        .map(|v| format!("{name}={}", encode(&text(v)))),
                ),
                Value::Null => {}
                value => query.push(format!("{name}={}", encode(&text(value)))),
            },
            "header" => headers.push((name.to_owned(), text(example))),
            other => panic!("{path}: parameter in {other}"),
        }
    }
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    Some((uri, headers))
}

#[actix_web::test]
async fn every_get_succeeds_with_its_examples_on_the_demo_registry() {
    let app = spawn().await;
    let state = app.state().await;
    demo::load(&state).await.expect("demo loads");
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let initiatives = demo::DATASET
        .lines()
        .filter(|l| l.contains("\"kind\": \"initiative\""))
        .count();
    // The search index follows the demo load from the feed.
    for _ in 0..100 {
        let page = app
            .send_as(TestRequest::get().uri("/v1/initiatives?limit=1"), None)
            .await;
        if page.status == 200 && page.json()["total"] == initiatives {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let mut tried = 0;
    let mut without_examples = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(operation) = item.get("get") else {
            continue;
        };
        let Some((uri, headers)) = request_from_examples(path, operation) else {
            without_examples.push(path.as_str());
            continue;
        };
        // Swagger UI sends a key only when the operation asks for one.
        let public = operation["security"].as_array().is_some_and(Vec::is_empty);
        let mut request = TestRequest::get().uri(&uri);
        for header in headers {
            request = request.insert_header(header);
        }
        let reply = if public {
            app.send_as(request, None).await
        } else {
            app.send(request).await
        };
        assert!(
            reply.status.is_success(),
            "GET {uri} with its examples: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        if FINDS_SOMETHING.contains(&path.as_str()) {
            let body = reply.json();
            let found = body["total"]
                .as_i64()
                .or_else(|| body["initiatives"]["total"].as_i64());
            assert!(
                found.is_some_and(|n| n > 0),
                "GET {uri} finds nothing in the demo: {body}"
            );
        }
        tried += 1;
    }
    assert!(tried >= 20, "only {tried} GETs tried");
    without_examples.sort();
    assert_eq!(
        without_examples, NO_DEMO_ID,
        "GETs with a required parameter without an example"
    );
}

/// Ids in examples of operations "Try it out" does not send (writes) name
/// demo records too, so a curator trying a change reaches a real one.
#[actix_web::test]
async fn every_id_in_a_parameter_example_is_a_demo_record() {
    let app = spawn().await;
    let state = app.state().await;
    demo::load(&state).await.expect("demo loads");
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let mut ids = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let examples = match &parameter["example"] {
                    Value::Array(values) => values.clone(),
                    value => vec![value.clone()],
                };
                ids.extend(
                    examples
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|s| uuid::Uuid::parse_str(s).is_ok())
                        .map(str::to_owned),
                );
            }
        }
    }
    ids.sort();
    ids.dedup();
    assert!(ids.len() >= 4, "{ids:?}");
    for id in ids {
        let mut found = false;
        for collection in ["initiatives", "organisations", "experts"] {
            let reply = app
                .send_as(
                    TestRequest::get().uri(&format!("/v1/{collection}/{id}")),
                    None,
                )
                .await;
            found |= reply.status == 200;
        }
        assert!(found, "the example id {id} is no public demo record");
    }
}
