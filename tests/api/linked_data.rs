//! Linked data: `Accept: application/ld+json` on records, lists, topics and
//! exports, and the DCAT catalogue; every document expands with a JSON-LD
//! processor (jsonld.js, tests/linked-data) and keeps its `@id`s.

use std::path::Path;

use actix_web::test::TestRequest;
use aimd_registry::api::access::Policy;
use aimd_registry::domain::linked_data::{PUBLISHER, Site};
use serde_json::{Value, json};

use crate::support::{single_editor, spawn_with};

const BASE: &str = "https://registry.example.nl";
const LD: &str = "application/ld+json";

fn policy() -> Policy {
    Policy {
        site: Site::new(
            &format!("{BASE}/"),
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        ..single_editor()
    }
}

/// Expands `documents` with jsonld.js in safe mode (no remote contexts, no
/// dropped terms), compacts them back and compares their `@id`s; returns
/// what the checker reports per document.
fn expand(documents: &[(&str, &Value)]) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/linked-data");
    assert!(
        dir.join("node_modules/jsonld").is_dir(),
        "the JSON-LD processor is missing: run `npm ci --prefix tests/linked-data --ignore-scripts`"
    );
    let temp = std::env::temp_dir().join(format!("aimd-ld-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&temp).unwrap();
    let files: Vec<_> = documents
        .iter()
        .map(|(name, document)| {
            let file = temp.join(format!("{name}.json"));
            std::fs::write(&file, document.to_string()).unwrap();
            file
        })
        .collect();
    let output = std::process::Command::new("node")
        .arg(dir.join("check.mjs"))
        .args(&files)
        .output()
        .expect("node runs");
    let _ = std::fs::remove_dir_all(&temp);
    assert!(
        output.status.success(),
        "JSON-LD expansion failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[actix_web::test]
async fn records_lists_topics_exports_and_the_catalogue_are_linked_data() {
    let app = spawn_with(policy()).await;
    let org = app
        .create(
            "/v1/organisations",
            json!({"name": "Koninklijk Nederlands Normalisatie-instituut", "acronym": "NEN", "type": "standards-body",
                   "country": "NL", "rorId": "https://ror.org/04pp8hn57", "description": {"en": "Standards.", "nl": "Normen."}}),
        )
        .await;
    let consenting = app
        .create(
            "/v1/experts",
            json!({"givenName": "Anna", "familyName": "Voorbeeld", "email": "anna@example.org", "orcid": "0000-0002-1825-0097",
                   "country": "NL", "languages": ["nl", "en"], "topics": ["clinical-validation"],
                   "consent": {"publicProfile": true, "givenAt": "2026-11-01"}}),
        )
        .await;
    let private = app
        .create(
            "/v1/experts",
            json!({"givenName": "Piet", "familyName": "Private", "topics": ["ethics"]}),
        )
        .await;
    let act = app
        .create(
            "/v1/initiatives",
            json!({"title": {"en": "Artificial Intelligence Act", "nl": "AI-verordening"}, "acronym": "AI Act",
                   "scope": "european", "type": "legislation", "status": "active", "startDate": "2024-08-01",
                   "regulations": ["ai-act"], "topics": ["algorithmic-bias"]}),
        )
        .await;
    let group = app
        .create(
            "/v1/initiatives",
            json!({"title": {"en": "Expert group", "nl": "Expertgroep"}, "scope": "national", "countries": ["NL"],
                   "type": "expert-network", "status": "active", "topics": ["clinical-validation"]}),
        )
        .await;
    for (path, body) in [
        (
            format!("/v1/initiatives/{group}/organisations/{org}"),
            json!({"role": "lead"}),
        ),
        (
            format!("/v1/initiatives/{group}/experts/{consenting}"),
            json!({"role": "chair"}),
        ),
        (
            format!("/v1/initiatives/{group}/experts/{private}"),
            json!({"role": "member"}),
        ),
        (
            format!("/v1/initiatives/{group}/related/{act}"),
            json!({"relation": "part-of"}),
        ),
        (
            format!("/v1/experts/{private}/affiliations/{org}"),
            json!({"role": "adviser"}),
        ),
    ] {
        app.put(&path, body).await.expect(201);
    }
    // A draft, linked to the published organisation: no JSON-LD shows it.
    let draft = app
        .create(
            "/v1/initiatives",
            json!({"title": {"en": "Draft plan"}, "scope": "european", "type": "other",
                   "status": "planned", "topics": ["ethics"]}),
        )
        .await;
    app.put(
        &format!("/v1/initiatives/{draft}/organisations/{org}"),
        json!({"role": "member"}),
    )
    .await
    .expect(201);
    for path in [
        format!("/v1/organisations/{org}"),
        format!("/v1/experts/{consenting}"),
        format!("/v1/experts/{private}"),
        format!("/v1/initiatives/{act}"),
        format!("/v1/initiatives/{group}"),
    ] {
        app.approve(&path).await;
    }
    let public = |uri: String| {
        app.send_as(
            TestRequest::get().uri(&uri).insert_header(("Accept", LD)),
            None,
        )
    };

    // A record: its URL as @id, schema.org type, language maps, links.
    let reply = public(format!("/v1/initiatives/{group}")).await;
    reply.expect(200);
    assert_eq!(reply.header("content-type"), Some(LD));
    assert!(reply.header_values("vary").contains(&"Accept"));
    let json_etag = app
        .send_as(
            TestRequest::get().uri(&format!("/v1/initiatives/{group}")),
            None,
        )
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let ld_etag = reply.header("etag").unwrap();
    assert_ne!(ld_etag, json_etag, "each representation has its own ETag");
    assert_eq!(
        ld_etag.split('-').next(),
        json_etag.split('-').next(),
        "both start with the version"
    );
    let record = reply.json();
    assert_eq!(record["@id"], format!("{BASE}/v1/initiatives/{group}"));
    assert_eq!(record["@type"], "Organization");
    assert_eq!(
        record["name"],
        json!({"en": "Expert group", "nl": "Expertgroep"})
    );
    assert_eq!(
        record["subject"],
        json!([format!("{BASE}/v1/topics/clinical-validation")])
    );
    assert_eq!(record["spatial"][0]["identifier"], "NL");
    assert_eq!(record["keywords"][0]["termCode"], "national");
    assert_eq!(
        record["keywords"][0]["inDefinedTermSet"],
        format!("{BASE}/v1/openapi.json#/components/schemas/Scope")
    );
    assert_eq!(
        record["isPartOf"],
        json!([format!("{BASE}/v1/initiatives/{act}")])
    );
    let members = record["member"].as_array().unwrap();
    let member_ids: Vec<&str> = members
        .iter()
        .map(|m| m["member"]["@id"].as_str().unwrap())
        .collect();
    assert_eq!(
        member_ids,
        [
            format!("{BASE}/v1/organisations/{org}"),
            format!("{BASE}/v1/experts/{consenting}")
        ],
        "the public sees no expert without consent"
    );
    assert_eq!(members[0]["roleName"], "lead");

    let person = public(format!("/v1/experts/{consenting}")).await.json();
    assert_eq!(person["@type"], "Person");
    assert_eq!(person["sameAs"], "https://orcid.org/0000-0002-1825-0097");
    assert!(
        person.get("email").is_none(),
        "no contact data for the public: {person}"
    );
    assert_eq!(
        person["relation"],
        json!([format!("{BASE}/v1/initiatives/{group}")])
    );
    // JSON-LD is open data: staff asking for it get the public's view too.
    let staff = |uri: String| app.send(TestRequest::get().uri(&uri).insert_header(("Accept", LD)));
    let staff_person = staff(format!("/v1/experts/{consenting}")).await.json();
    assert!(staff_person.get("email").is_none(), "{staff_person}");
    staff(format!("/v1/experts/{private}")).await.expect(404);
    staff(format!("/v1/initiatives/{draft}")).await.expect(404);
    public(format!("/v1/experts/{private}")).await.expect(404);
    let organisation = staff(format!("/v1/organisations/{org}")).await.json();
    assert_eq!(
        organisation["relation"],
        json!([format!("{BASE}/v1/initiatives/{group}")]),
        "not the draft: {organisation}"
    );
    assert!(
        organisation.get("member").is_none(),
        "no unconsenting member: {organisation}"
    );
    let staff_list = staff("/v1/initiatives?limit=10".to_owned()).await.json();
    assert_eq!(
        staff_list["@graph"].as_array().unwrap().len(),
        2,
        "{staff_list}"
    );

    let legislation = public(format!("/v1/initiatives/{act}")).await.json();
    assert_eq!(legislation["@type"], "Legislation");
    assert_eq!(legislation["temporalCoverage"], "2024-08-01/..");
    assert_eq!(
        legislation["hasPart"],
        json!([format!("{BASE}/v1/initiatives/{group}")])
    );

    // A list: its page as a @graph, the next page in Link.
    let list = public("/v1/initiatives?limit=1&sort=title".to_owned()).await;
    assert_eq!(list.header("content-type"), Some(LD));
    assert!(
        list.header("link")
            .is_some_and(|l| l.contains("rel=\"next\""))
    );
    let graph = list.json();
    assert_eq!(graph["@graph"].as_array().unwrap().len(), 1);
    assert_eq!(
        graph["@graph"][0]["@id"],
        format!("{BASE}/v1/initiatives/{act}")
    );
    let plain = app
        .send_as(TestRequest::get().uri("/v1/initiatives"), None)
        .await;
    assert_eq!(plain.header("content-type"), Some("application/json"));
    assert!(plain.header_values("vary").contains(&"Accept"));

    // Topics: a SKOS concept scheme.
    let scheme = public("/v1/topics".to_owned()).await.json();
    let nodes = scheme["@graph"].as_array().unwrap();
    assert_eq!(nodes[0]["@type"], "ConceptScheme");
    let concept = |slug: &str| {
        nodes
            .iter()
            .find(|n| n["@id"] == format!("{BASE}/v1/topics/{slug}"))
            .unwrap_or_else(|| panic!("{slug}"))
    };
    let data_governance = concept("data-governance");
    assert_eq!(
        data_governance["broader"],
        format!("{BASE}/v1/topics/data-use")
    );
    assert_eq!(data_governance["prefLabel"]["nl"], "Datagovernance");
    assert!(
        concept("data-use")["narrower"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("{BASE}/v1/topics/data-governance")))
    );
    assert_eq!(
        concept("data-use")["topConceptOf"],
        format!("{BASE}/v1/topics")
    );
    let one = public("/v1/topics/data-governance".to_owned()).await.json();
    assert_eq!(one["@type"], "Concept");

    // Exports: one @graph, by Accept or by format.
    let export = public("/v1/exports/initiatives".to_owned()).await;
    assert_eq!(export.header("content-type"), Some(LD));
    assert!(
        export.header("etag").is_none(),
        "a streamed export is not buffered to hash it"
    );
    let exported = export.json();
    assert_eq!(exported["@graph"].as_array().unwrap().len(), 2);
    let staff_export = staff("/v1/exports/initiatives?format=json-ld".to_owned())
        .await
        .json();
    assert_eq!(
        staff_export["@graph"].as_array().unwrap().len(),
        2,
        "no draft"
    );

    // A 304 says what the 200 would have said about its variants.
    let first = public(format!("/v1/initiatives/{group}")).await;
    let etag = first.header("etag").unwrap().to_owned();
    let again = app
        .send_as(
            TestRequest::get()
                .uri(&format!("/v1/initiatives/{group}"))
                .insert_header(("Accept", LD))
                .insert_header(("If-None-Match", etag)),
            None,
        )
        .await;
    again.expect(304);
    assert!(
        again.header_values("vary").contains(&"Accept"),
        "{:?}",
        again.header_values("vary")
    );
    let by_format = app
        .send_as(
            TestRequest::get().uri("/v1/exports/experts?format=json-ld"),
            None,
        )
        .await;
    assert_eq!(by_format.header("content-type"), Some(LD));
    let experts = by_format.json();
    assert_eq!(
        experts["@graph"].as_array().unwrap().len(),
        1,
        "only the consenting expert: {experts}"
    );
    let bad = app
        .send_as(
            TestRequest::get().uri("/v1/exports/experts?format=xml"),
            None,
        )
        .await;
    assert_eq!(
        bad.problem(400),
        [("format".to_owned(), "unknown-format".to_owned())]
    );

    // The catalogue.
    let catalog = app
        .send_as(TestRequest::get().uri("/v1/catalog"), None)
        .await;
    catalog.expect(200);
    assert_eq!(catalog.header("content-type"), Some(LD));
    let catalog = catalog.json();
    assert_eq!(catalog["@type"], "Catalog");
    let datasets = catalog["dataset"].as_array().unwrap();
    assert_eq!(datasets.len(), 3);
    for dataset in datasets {
        assert_eq!(
            dataset["license"],
            "https://creativecommons.org/licenses/by/4.0/"
        );
        assert_eq!(
            dataset["contactPoint"]["hasEmail"],
            format!("mailto:{}", PUBLISHER.email)
        );
        let downloads: Vec<&str> = dataset["distribution"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["downloadURL"].as_str().unwrap())
            .collect();
        assert_eq!(downloads.len(), 3);
        for url in downloads {
            let path = url.strip_prefix(BASE).unwrap().to_owned();
            let reply = app.send_as(TestRequest::get().uri(&path), None).await;
            assert_eq!(reply.status, 200, "{url}");
        }
    }

    // A JSON-LD processor expands every document and keeps every @id.
    let reports = expand(&[
        ("initiative", &record),
        ("person", &person),
        ("legislation", &legislation),
        ("list", &graph),
        ("topics", &scheme),
        ("topic", &one),
        ("export", &exported),
        ("catalog", &catalog),
    ]);
    assert_eq!(reports.len(), 8);
    assert!(
        reports[0]["ids"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("{BASE}/v1/initiatives/{group}")))
    );
    assert!(reports.iter().all(|r| r["triples"].as_u64().unwrap() > 0));
}

/// The catalogue's publisher is the spec's contact.
#[test]
fn the_catalogue_names_the_specs_contact() {
    let spec = serde_json::to_value(aimd_registry::api::openapi::spec()).unwrap();
    let contact = &spec["info"]["contact"];
    assert_eq!(contact["name"], PUBLISHER.name);
    assert_eq!(contact["url"], PUBLISHER.url);
    assert_eq!(contact["email"], PUBLISHER.email);
}
