//! A record's fields are spelled in several places: the writable fields a
//! merge patch may touch, the list's filter keys, the CSV export's columns,
//! the spec's schemas and parameters, and the row <-> draft <-> record
//! mappings. These tests fail when the places disagree.

use std::collections::BTreeSet;

use aimd_registry::api::crud::Resource;
use aimd_registry::domain::list::LIST_KEYS;
use aimd_registry::store::experts::Experts;
use aimd_registry::store::initiatives::Initiatives;
use aimd_registry::store::organisations::Organisations;
use serde_json::{Value, json};

use crate::support::spawn;

/// What the spec says of one kind: its input and output schemas and its
/// list operation's query parameters.
struct Documented {
    input: BTreeSet<String>,
    nested: Vec<(String, BTreeSet<String>)>,
    output: BTreeSet<String>,
    list_parameters: BTreeSet<String>,
}

fn keys(object: &Value) -> BTreeSet<String> {
    object.as_object().unwrap().keys().cloned().collect()
}

fn documented(input: &str, output: &str, collection: &str) -> Documented {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let properties = &schemas[input]["properties"];
    let nested = keys(properties)
        .into_iter()
        .filter_map(|name| {
            let reference = properties[&name]["$ref"]
                .as_str()
                .or_else(|| properties[&name]["oneOf"][0]["$ref"].as_str())?;
            let target = reference.rsplit('/').next().unwrap();
            let inner = schemas[target].get("properties")?;
            Some((name, keys(inner)))
        })
        .collect();
    let list_parameters = spec["paths"][collection]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    Documented {
        input: keys(properties),
        nested,
        output: keys(&schemas[output]["properties"]),
        list_parameters,
    }
}

fn check<R: Resource>(documented: &Documented) {
    let kind = R::COLLECTION;
    let fields: BTreeSet<String> = R::FIELDS.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(
        fields, documented.input,
        "{kind}: FIELDS and the input schema"
    );
    for (field, inner) in R::NESTED_FIELDS {
        assert!(fields.contains(*field), "{kind}: nested {field} is a field");
        if let Some((_, documented_inner)) = documented.nested.iter().find(|(n, _)| n == field) {
            let inner: BTreeSet<String> = inner.iter().map(|k| (*k).to_owned()).collect();
            assert_eq!(&inner, documented_inner, "{kind}: the keys of {field}");
        }
    }
    let filters: BTreeSet<String> = R::FILTER_KEYS
        .iter()
        .chain(LIST_KEYS)
        .map(|k| (*k).to_owned())
        .collect();
    assert_eq!(
        filters, documented.list_parameters,
        "{kind}: FILTER_KEYS (with the list keys) and the documented query parameters"
    );
    let exported: BTreeSet<String> = R::CSV_COLUMNS
        .iter()
        .map(|c| c.split('.').next().unwrap().to_owned())
        .collect();
    for column in &exported {
        assert!(
            documented.output.contains(column),
            "{kind}: CSV column {column} is not in the record"
        );
    }
    for field in &fields {
        assert!(
            documented.output.contains(field),
            "{kind}: writable {field} is not shown"
        );
        let private = ["email", "consent"].contains(&field.as_str());
        assert!(
            exported.contains(field) || private,
            "{kind}: writable {field} is not exported"
        );
    }
}

#[test]
fn each_kinds_fields_agree_in_every_place_they_are_spelled() {
    check::<Organisations>(&documented(
        "OrganisationInput",
        "Organisation",
        "/organisations",
    ));
    check::<Experts>(&documented("ExpertInput", "Expert", "/experts"));
    check::<Initiatives>(&documented("InitiativeInput", "Initiative", "/initiatives"));
}

/// A list's parameter `name` and the values of the enum schema it (or, for
/// a repeated key, each of its items) refers to.
fn documented_values(spec: &Value, collection: &str, name: &str) -> (Value, Vec<String>) {
    let parameter = spec["paths"][collection]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{collection}: a {name} parameter"))
        .clone();
    let schema = &parameter["schema"];
    let reference = schema["$ref"]
        .as_str()
        .or_else(|| schema["items"]["$ref"].as_str())
        .unwrap_or_else(|| panic!("{collection}: {name} refers to a schema"));
    let target = reference.rsplit('/').next().unwrap();
    let values = spec["components"]["schemas"][target]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    (parameter, values)
}

/// Each list's documented `sort` values are the ones it reads.
#[test]
fn each_lists_documented_sorts_are_the_ones_it_offers() {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let offered = |list: &aimd_registry::domain::list::ListSpec| -> Vec<String> {
        list.sorts.iter().map(|s| s.name.to_owned()).collect()
    };
    for (collection, list) in [
        ("/initiatives", &Initiatives::LIST),
        ("/organisations", &Organisations::LIST),
        ("/experts", &Experts::LIST),
    ] {
        assert_eq!(
            documented_values(&spec, collection, "sort").1,
            offered(list)
        );
    }
}

/// Every writable field survives the round trip draft -> row -> record.
#[actix_web::test]
async fn every_writable_field_comes_back_as_written() {
    let app = spawn().await;
    let cases = [
        (
            "/v1/organisations",
            json!({"name": "Fields", "acronym": "FLD", "type": "regulator", "country": "BE",
                   "website": "https://fields.example/", "rorId": "https://ror.org/04pp8hn57",
                   "description": {"en": "Described.", "nl": "Beschreven."}, "topics": ["ethics"],
                   "sources": [{"url": "https://fields.example/about", "title": "About", "publisher": "Fields",
                                "publishedOn": "2025-05-01", "consultedOn": "2026-11-30", "note": "Noted."}]}),
            Organisations::FIELDS,
        ),
        (
            "/v1/experts",
            json!({"givenName": "Ada", "familyName": "Field", "honorific": "dr.",
                   "orcid": "0000-0002-1825-0097", "email": "ada@example.org", "country": "NL",
                   "languages": ["nl", "en"], "bio": {"en": "Fictional.", "nl": "Fictief."},
                   "topics": ["ethics"],
                   "consent": {"publicProfile": true, "givenAt": "2026-11-20", "note": "By e-mail"},
                   "sources": [{"url": "https://orcid.org/0000-0002-1825-0097", "title": "ORCID record",
                                "consultedOn": "2026-11-30"}]}),
            Experts::FIELDS,
        ),
        (
            "/v1/initiatives",
            json!({"title": {"en": "Fields", "nl": "Velden"}, "acronym": "FLD",
                   "summary": {"en": "Summed up.", "nl": "Samengevat."}, "scope": "european",
                   "countries": ["BE", "NL"], "type": "standard", "status": "completed",
                   "startDate": "2024-01-01", "endDate": "2026-01-01",
                   "website": "https://fields.example/", "regulations": ["mdr"], "topics": ["ethics"],
                   "sources": [{"url": "https://fields.example/", "title": "Fields", "consultedOn": "2026-11-30"}]}),
            Initiatives::FIELDS,
        ),
    ];
    for (collection, body, fields) in cases {
        let id = app.create(collection, body.clone()).await;
        let record = app.get(&format!("{collection}/{id}")).await.json();
        for field in fields {
            let shown = if *field == "topics" {
                json!(
                    record["topics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t["slug"].clone())
                        .collect::<Vec<_>>()
                )
            } else {
                record[*field].clone()
            };
            assert_eq!(shown, body[*field], "{collection}: {field}");
        }
    }
}

/// Each list's documented `facets` values are the ones it counts.
#[test]
fn each_lists_documented_facets_are_the_ones_it_counts() {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let counted = |list: &aimd_registry::domain::list::ListSpec| -> Vec<String> {
        list.facets.iter().map(|f| f.name.to_owned()).collect()
    };
    for (collection, list) in [
        ("/initiatives", &Initiatives::LIST),
        ("/organisations", &Organisations::LIST),
        ("/experts", &Experts::LIST),
    ] {
        let (parameter, values) = documented_values(&spec, collection, "facets");
        assert_eq!(
            parameter["explode"], true,
            "{collection}: facets repeat their key"
        );
        assert_eq!(values, counted(list));
    }
}
