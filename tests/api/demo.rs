//! The demo dataset: it loads cleanly, passes the API's own validation,
//! loading it again changes nothing, and the public sees all of it.

use actix_web::test::TestRequest;
use aimd_registry::demo;
use serde_json::Value;

use crate::support::spawn;

#[actix_web::test]
async fn the_demo_data_loads_through_the_importer_and_again_changes_nothing() {
    let app = spawn().await;
    let lines: Vec<Value> = demo::DATASET
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let count = |kind: &str| lines.iter().filter(|l| l["kind"] == kind).count();
    assert!(count("initiative") >= 150, "150 or more initiatives");
    // Every initiative and organisation cites what it was checked against.
    for line in lines.iter().filter(|l| l["kind"] != "expert") {
        let sources = line["sources"].as_array().map_or(0, Vec::len);
        assert!(sources > 0, "no source: {}", line["id"]);
    }

    // What `serve --demo` does.
    let state = app.state().await;
    let report = demo::load(&state).await.expect("demo loads");
    assert_eq!(report.created, lines.len());
    assert!(report.links_changed > 100);

    // The same file through the API's import: every line passes its
    // validation, and nothing changes.
    let again = app
        .send(
            TestRequest::post()
                .uri("/v1/imports?publish=true")
                .insert_header(("content-type", "application/x-ndjson"))
                .set_payload(demo::DATASET),
        )
        .await;
    again.expect(200);
    let again = again.json();
    assert_eq!(again["unchanged"], lines.len(), "{again}");
    assert_eq!(again["linksChanged"], 0);

    // The public sees every record, with its links.
    for (collection, kind) in [
        ("initiatives", "initiative"),
        ("organisations", "organisation"),
        ("experts", "expert"),
    ] {
        let page = app
            .send_as(
                TestRequest::get().uri(&format!("/v1/{collection}?limit=1")),
                None,
            )
            .await
            .json();
        assert_eq!(page["total"], count(kind), "{collection}");
    }
    let group = app
        .send_as(
            TestRequest::get().uri("/v1/search?q=expertgroep%20medische%20hulpmiddelen"),
            None,
        )
        .await
        .json();
    assert_eq!(
        group["items"][0]["title"], "NEN expert group on AI and medical devices",
        "found by its Dutch title: {group}"
    );

    // The experts are fictional, say so, and carry no real identifiers.
    for expert in lines.iter().filter(|l| l["kind"] == "expert") {
        assert!(
            expert["bio"]["en"]
                .as_str()
                .unwrap()
                .contains("Fictional person")
        );
        assert!(expert["email"].as_str().unwrap().ends_with("@example.org"));
        assert!(expert.get("orcid").is_none());
    }
    // A real initiative's record tells every reader, on that record, that
    // a fictional person is fictional, and claims no part for them beyond
    // membership.
    let page = app
        .send_as(TestRequest::get().uri("/v1/initiatives?limit=200"), None)
        .await
        .json();
    let mut shown = 0;
    for initiative in page["items"].as_array().unwrap() {
        let path = format!("/v1/initiatives/{}", initiative["id"].as_str().unwrap());
        let record = app
            .send_as(TestRequest::get().uri(&path), None)
            .await
            .json();
        for expert in record["experts"].as_array().unwrap() {
            shown += 1;
            assert!(
                expert["name"].as_str().unwrap().ends_with("(fictional)"),
                "{path}: {expert}"
            );
            assert_eq!(expert["role"], "member", "{path}: {expert}");
        }
    }
    assert!(shown > 5, "the demo still links experts to initiatives");
}
